/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluiced's side of the shared-memory segment (protocol: sl_shm.h).
 *
 * sluiced is the only writer of the header's writer fields and of the
 * banks; it only reads the data plane's fields (dp_pid, lcore slots).
 */
#ifndef SL_SHM_WRITER_H
#define SL_SHM_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_shm.h"

#define SL_SHM_DEFAULT_PATH "/dev/shm/sluice"
#define SL_SHM_DEFAULT_BANK_SIZE (UINT64_C(1) << 30)
/* Banks at least this big carry the Internet table as FIBs (DIR-24-8 needs
 * 64 MiB for its first level alone); smaller ones as intervals. */
#define SL_FIB_MIN_BANK_SIZE (UINT64_C(256) << 20)
#define SL_SHM_MIN_BANK_SIZE (UINT64_C(64) << 10)
#define SL_SHM_MAX_BANK_SIZE (UINT64_C(64) << 30)

struct sl_shm_writer;

/**
 * Open the segment at `path`, creating it if it does not exist.
 *
 * A new segment is created under a temporary name, sized (ftruncate),
 * mapped, its header written with the magic stored last (release), then
 * renamed into place, so a data plane never maps a half-made file.
 *
 * An existing segment is validated (magic, ABI version, header size, layout
 * and file size). Its bank size is kept, unless `size_explicit` asks for a
 * different one and no live data plane is attached, in which case the
 * segment is recreated. A segment of another ABI version or with an
 * inconsistent layout is refused, as is one whose writer_pid is another
 * live process (a second sluiced).
 *
 * On hugetlbfs (a path under a hugetlbfs mount) the file size is rounded up
 * to the huge page size and every page is reserved when it is mapped: too
 * few free huge pages fail here (ENOMEM, or ENOSPC for the mount's size
 * limit) with the numbers in `err`.
 *
 * Returns NULL with errno set and a message in `err`.
 */
struct sl_shm_writer *sl_shm_open(const char *path, uint64_t bank_size, bool size_explicit,
				  char *err, size_t errlen);
/** Unmap; clears writer_pid. The segment file stays for sluice-dp. */
void sl_shm_close(struct sl_shm_writer *w);

struct sl_shm_header *sl_shm_hdr(const struct sl_shm_writer *w);
const char *sl_shm_path(const struct sl_shm_writer *w);
uint64_t sl_shm_bank_size(const struct sl_shm_writer *w);
/** Page size of the segment's file system: 4096, or the huge page size
 * when it is on hugetlbfs (then the whole file is reserved huge pages). */
uint64_t sl_shm_page_size(const struct sl_shm_writer *w);
/** True if sl_shm_open() created the file (false: re-opened). */
bool sl_shm_created(const struct sl_shm_writer *w);
uint64_t sl_shm_generation(const struct sl_shm_writer *w);

/** dp_pid is set and the process exists (kill(pid, 0) != ESRCH). */
bool sl_shm_dp_alive(const struct sl_shm_header *h);

/**
 * The generation every online reader has acknowledged: the lowest
 * ack_generation over online lcore slots, or the published generation if no
 * data plane is alive (or none of its slots is online). `*behind` (may be
 * NULL) receives the slot holding the minimum, -1 if none.
 */
uint64_t sl_shm_acked(const struct sl_shm_writer *w, int *behind);

/** Poll until sl_shm_acked() >= gen, at most timeout_ms. 0 or -ETIMEDOUT. */
int sl_shm_wait_acked(const struct sl_shm_writer *w, uint64_t gen, unsigned int timeout_ms);

/** The active bank if it holds a complete published generation, else NULL. */
const struct sl_bank_header *sl_shm_active_bank(const struct sl_shm_writer *w);

/**
 * The inactive bank if no reader can be using it (every online reader
 * acknowledged the current generation, or no data plane is alive), with its
 * number in *b; NULL otherwise. It stays idle until the next publish (only
 * sluiced publishes), so the caller may write it.
 */
void *sl_shm_idle_bank(const struct sl_shm_writer *w, unsigned int *b);

/** Writes the tables of generation `gen` into `bank` (bank_size bytes). */
typedef int (*sl_shm_fill_fn)(void *bank, uint64_t bank_size, uint64_t gen, void *arg);
/** Asked once per wait period while readers hold the inactive bank; return
 * false to give up (the publish then fails with -EINTR). */
typedef bool (*sl_shm_keep_waiting_fn)(void *arg);

/**
 * Publish one generation: wait (logging every second) until every online
 * reader acknowledged the current generation G, i.e. nobody reads bank
 * (G + 1) & 1 any more; fill that bank; then store G + 1 (seq_cst): the
 * flip. Never writes a bank a live reader may use. 0 with *new_gen set, or
 * the fill function's error, or -EINTR.
 */
int sl_shm_publish(struct sl_shm_writer *w, sl_shm_fill_fn fill, void *fill_arg,
		   sl_shm_keep_waiting_fn keep_waiting, void *kw_arg, uint64_t *new_gen);

/** True if `path` no longer names the file we have mapped (removed or
 * replaced), e.g. an operator deleted it to resize. */
bool sl_shm_writer_replaced(const struct sl_shm_writer *w);

/** Parse "67108864", "64M", "512K", "1G" (binary units). 0 or -EINVAL. */
int sl_parse_size(const char *s, uint64_t *out);

#endif /* SL_SHM_WRITER_H */
