/* SPDX-License-Identifier: BSD-3-Clause */
/* sluice-dp side of the shared-memory segment: attach, validate, detach
 * (shm.c). The layout itself is dataplane/abi/sl_shm.h. */
#ifndef SL_SHM_ATTACH_H
#define SL_SHM_ATTACH_H

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sl_shm.h"

struct sl_shm {
	char path[PATH_MAX];
	int fd;
	size_t size;
	size_t page; /* 4096, or the huge page size when the file is on hugetlbfs */
	dev_t dev; /* identity of the mapped file, to notice a re-created one */
	ino_t ino;
	struct sl_shm_header *hdr;
	struct sl_stats_header *stats;
};

/**
 * Check a segment header against the ABI this binary was built with and
 * against the size of the file it came from. Pure (no I/O).
 * Returns 0, -EAGAIN when the magic is not there yet (the creator may still
 * be initialising it), -EPROTO for another ABI version, -EINVAL for a
 * corrupt header or a size mismatch; `err` gets a readable reason.
 */
int sl_shm_validate(const struct sl_shm_header *h, uint64_t file_size, char *err, size_t errlen);

/**
 * One attempt to open and map `path`. Returns 0 (s filled), -ENOENT if the
 * file does not exist yet, -EAGAIN if it is still being created, -EBUSY if
 * another live sluice-dp is attached, or the sl_shm_validate() error.
 */
int sl_shm_try_attach(struct sl_shm *s, const char *path, char *err, size_t errlen);

/**
 * Attach to `path`, waiting until a valid segment appears: a missing or
 * half-created segment is retried every 100 ms (logged once), an invalid
 * one or one held by another live data plane every second (logged when the
 * reason changes). Returns 0, or -EINTR as soon as *quit becomes true.
 */
int sl_shm_attach_wait(struct sl_shm *s, const char *path, atomic_bool *quit);

/**
 * Announce this data plane: zero the stats area (counters restart at dp
 * start), set its header, mark n_lcores slots offline with their lcore ids,
 * then publish dp_start_ns, dp_n_lcores and dp_pid.
 */
int sl_shm_dp_start(struct sl_shm *s, unsigned int n_lcores, const unsigned int *lcore_ids);

/** Mark every slot offline and dp_pid = 0. */
void sl_shm_dp_stop(struct sl_shm *s);

/** Unmap and close. */
void sl_shm_detach(struct sl_shm *s);

/** True if the file at s->path is no longer the one mapped (deleted or
 * re-created by sluiced). */
bool sl_shm_replaced(const struct sl_shm *s);

#endif /* SL_SHM_ATTACH_H */
