/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every libFuzzer target of tests/fuzz shares: the two entry points
 * libFuzzer calls, the way a target reports a broken invariant (a message
 * naming the target, then abort(), which libFuzzer records as a crash and
 * keeps the input of), and a memfd for inputs that are files.
 */
#ifndef SL_FUZZ_H
#define SL_FUZZ_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Called once before the first input (argc/argv are libFuzzer's own). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
/* One input; always returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline __attribute__((noreturn)) void sl_fuzz_die(const char *what)
{
	fprintf(stderr, "%s: %s\n", program_invocation_short_name, what);
	abort();
}

/* A memfd for a target that feeds its input to code reading a file by
 * path: the path (/proc/self/fd/N) goes to `path`. */
static inline int sl_fuzz_memfd(const char *name, char *path, size_t pathlen)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		sl_fuzz_die("memfd_create");
	snprintf(path, pathlen, "/proc/self/fd/%d", fd);
	return fd;
}

/* Make the memfd's content exactly `data`. */
static inline void sl_fuzz_memfd_set(int fd, const void *data, size_t size)
{
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		sl_fuzz_die("cannot write the memfd");
}

#endif /* SL_FUZZ_H */
