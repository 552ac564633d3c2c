/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared-memory segment writer: create/re-open, grace periods, the flip.
 *
 * Design note
 * -----------
 * Safety rule: a bank is written only when no live reader can be using it.
 * Readers use bank (g & 1) for the generation g they acknowledged last, so
 * before writing bank (G + 1) & 1 we need every online slot's
 * ack_generation >= G. The wait is skipped only when the data plane is
 * provably absent: dp_pid is 0 (sluice-dp sets it before it marks any slot
 * online) or names no process (kill(pid, 0) == ESRCH: it crashed, and its
 * slots may still say online). The wait polls with a short sleep (acks
 * arrive once per worker loop iteration, microseconds) and reports a stuck
 * lcore once a second; it gives up only when the caller says so, never by
 * itself, because writing under a reader would misforward packets.
 *
 * Memory ordering (sl_shm.h): bank contents are plain stores; the flip is a
 * seq_cst store of the generation, which orders them before it (release) and
 * orders our later scans of online/ack (seq_cst loads) after it, matching
 * the reader's seq_cst online store before its generation load.
 *
 * The segment outlives sluiced: close only clears writer_pid.
 *
 * Huge pages (issue 9): the tables are read at random (the Internet FIB's
 * DIR-24-8 alone is 64 MiB: 16,384 4 KiB pages, a TLB miss and page walk
 * per lookup), so the segment may live on hugetlbfs (a path under a
 * hugetlbfs mount, e.g. /dev/hugepages/sluice). The file system is told by
 * fstatfs (HUGETLBFS_MAGIC; f_bsize is its page size). There the file size
 * must be a multiple of the huge page size, so segment_size is the layout's
 * end rounded up to the page (the tail after the stats area is padding;
 * both sides accept any segment_size that holds the layout), and the file
 * is only ftruncate'd and mmap'ed (hugetlbfs has no write() nor fallocate).
 * The mapping is MAP_SHARED without MAP_NORESERVE, so mmap reserves every
 * huge page of the file at once: too few free huge pages is an error here,
 * at open, with the counts, never a SIGBUS at the first touch of a bank
 * later. The reservation belongs to the file (inode), so sluice-dp's own
 * mapping reserves nothing more. hugetlbfs pages are never swapped, so no
 * mlock is needed; MAP_POPULATE is not used (reserved pages are certain to
 * be there; zeroing 2 GiB up front would only delay the start).
 * On any other file system (tmpfs /dev/shm) the mapping is advised
 * MADV_HUGEPAGE: with shmem transparent huge pages set to "advise" it gets
 * 2 MiB pages where the kernel can find them, with "never" (the default)
 * nothing changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h> /* HUGETLBFS_MAGIC */

#include "sl_ctl_log.h"
#include "sl_shm_writer.h"

#define SL_SHM_WAIT_LOG_MS 1000

struct sl_shm_writer {
	char path[PATH_MAX];
	int fd;
	struct sl_shm_header *h;
	uint64_t map_size;
	uint64_t page; /* the file system's page: 4096, or hugetlbfs's huge page */
	bool created;
	dev_t dev;
	ino_t ino;
};

static uint64_t sl_now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sl_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void sl_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint64_t sl_hdr_bytes(void)
{
	return (sizeof(struct sl_shm_header) + 4095) & ~UINT64_C(4095);
}

/* A process that exists and is not a zombie (a killed daemon stays a
 * zombie until its parent reaps it; it reads nothing any more). */
static bool sl_pid_alive(int32_t pid)
{
	char path[64], buf[256];
	const char *p;
	ssize_t n;
	int fd;

	if (pid <= 0)
		return false;
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno != ENOENT;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* "pid (comm) S ...": comm may hold spaces */
	return p == NULL || p[1] != ' ' || (p[2] != 'Z' && p[2] != 'X');
}

bool sl_shm_dp_alive(const struct sl_shm_header *h)
{
	return sl_pid_alive(atomic_load(&((struct sl_shm_header *)(uintptr_t)h)->dp_pid));
}

/* Header fields for a segment with `bank` bytes per bank in a file system
 * of `page`-byte pages (the file size is a whole number of them). */
static void sl_layout(struct sl_shm_header *h, uint64_t bank, uint64_t page)
{
	h->abi_version = SL_SHM_ABI_VERSION;
	h->header_size = sizeof(struct sl_shm_header);
	h->segment_size = (sl_shm_segment_size(bank) + page - 1) / page * page;
	h->bank_offset[0] = sl_hdr_bytes();
	h->bank_offset[1] = sl_hdr_bytes() + bank;
	h->bank_size = bank;
	h->stats_offset = sl_hdr_bytes() + 2 * bank;
	h->stats_size = sizeof(struct sl_stats_header);
}

/* Why an existing header is unusable, or NULL. */
static const char *sl_hdr_problem(const struct sl_shm_header *h, uint64_t file_size, uint64_t page)
{
	struct sl_shm_header want;

	if (h->magic != SL_SHM_MAGIC)
		return "bad magic";
	if (h->abi_version != SL_SHM_ABI_VERSION)
		return "different ABI version";
	if (h->bank_size < SL_SHM_MIN_BANK_SIZE || h->bank_size > SL_SHM_MAX_BANK_SIZE ||
	    (h->bank_size & 4095))
		return "bad bank size";
	memset(&want, 0, sizeof(want));
	sl_layout(&want, h->bank_size, page);
	if (h->header_size != want.header_size || h->segment_size != want.segment_size ||
	    h->bank_offset[0] != want.bank_offset[0] || h->bank_offset[1] != want.bank_offset[1] ||
	    h->stats_offset != want.stats_offset || h->stats_size != want.stats_size)
		return "layout differs from this build's";
	if (file_size != h->segment_size)
		return "file size does not match the header";
	return NULL;
}

/* The page size of the file system under w->fd (design note). */
static void sl_fs_page(struct sl_shm_writer *w)
{
	struct statfs sf;

	w->page = 4096;
	if (fstatfs(w->fd, &sf) == 0 && (uint64_t)sf.f_type == HUGETLBFS_MAGIC && sf.f_bsize > 0)
		w->page = (uint64_t)sf.f_bsize;
}

/* One number of /sys/kernel/mm/hugepages/hugepages-<page>kB/, or -1. */
static long sl_huge_count(uint64_t page, const char *what)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB/%s",
		 page >> 10, what);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int sl_map(struct sl_shm_writer *w, uint64_t size, char *err, size_t errlen)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd, 0);
	int rc;

	if (p == MAP_FAILED) {
		rc = -errno;
		if (w->page > 4096 && (rc == -ENOMEM || rc == -ENOSPC)) {
			/* hugetlbfs could not reserve the file's pages */
			long free = sl_huge_count(w->page, "free_hugepages");
			long resv = sl_huge_count(w->page, "resv_hugepages");

			sl_seterr(err, errlen,
				  "cannot map %s: %" PRIu64 " huge pages of %" PRIu64
				  " KiB needed, %ld free and unreserved (%s): raise "
				  "/proc/sys/vm/nr_hugepages or the mount's size=, or put the "
				  "segment on /dev/shm",
				  w->path, size / w->page, w->page >> 10,
				  free >= 0 && resv >= 0 ? free - resv : -1L,
				  rc == -ENOSPC ? "mount size limit" : "pool exhausted");
		} else {
			sl_seterr(err, errlen, "cannot map %s: %s", w->path, strerror(-rc));
		}
		return rc;
	}
	if (w->page == 4096)
		(void)madvise(p, size, MADV_HUGEPAGE); /* shmem THP if "advise" */
	w->h = p;
	w->map_size = size;
	return 0;
}

static void sl_unmap(struct sl_shm_writer *w)
{
	if (w->h)
		munmap(w->h, w->map_size);
	w->h = NULL;
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

static void sl_remember_inode(struct sl_shm_writer *w)
{
	struct stat st;

	if (fstat(w->fd, &st) == 0) {
		w->dev = st.st_dev;
		w->ino = st.st_ino;
	}
}

static int sl_create(struct sl_shm_writer *w, uint64_t bank, char *err, size_t errlen)
{
	char tmp[PATH_MAX + 32];
	struct sl_shm_header *h;
	uint64_t size;
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", w->path, (int)getpid());
	unlink(tmp);
	w->fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		rc = -errno;
		sl_seterr(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		return rc;
	}
	sl_fs_page(w);
	size = (sl_shm_segment_size(bank) + w->page - 1) / w->page * w->page;
	if (ftruncate(w->fd, (off_t)size) < 0) {
		rc = -errno;
		sl_seterr(err, errlen, "cannot size %s to %" PRIu64 " bytes: %s", tmp, size,
			  strerror(errno));
		goto fail;
	}
	rc = sl_map(w, size, err, errlen);
	if (rc < 0)
		goto fail;
	h = w->h;
	memset(h, 0, sizeof(*h)); /* the rest of a new file is zero already */
	sl_layout(h, bank, w->page);
	atomic_store(&h->generation, 0);
	atomic_store(&h->writer_pid, (int32_t)getpid());
	atomic_store(&h->writer_start_ns, sl_now_ns(CLOCK_REALTIME));
	/* magic last: a reader that sees it sees a complete header */
	atomic_thread_fence(memory_order_release);
	__atomic_store_n(&h->magic, SL_SHM_MAGIC, __ATOMIC_RELEASE);
	if (rename(tmp, w->path) < 0) {
		rc = -errno;
		sl_seterr(err, errlen, "cannot rename %s to %s: %s", tmp, w->path, strerror(errno));
		goto fail;
	}
	w->created = true;
	sl_remember_inode(w);
	SL_INFO("created segment %s: %" PRIu64 " bytes, %" PRIu64 "-byte banks, on %s", w->path,
		size, bank, w->page > 4096 ? "hugetlbfs (pages reserved)" : "4 KiB pages");
	return 0;
fail:
	sl_unmap(w);
	unlink(tmp);
	return rc;
}

/* Re-open an existing segment. 1 = must be recreated, 0 = done, <0 = refuse. */
static int sl_reopen(struct sl_shm_writer *w, uint64_t bank, bool size_explicit, char *err,
		     size_t errlen)
{
	struct sl_shm_header *h;
	struct stat st;
	const char *why;
	int32_t wpid;
	int rc;

	if (fstat(w->fd, &st) < 0) {
		rc = -errno;
		sl_seterr(err, errlen, "cannot stat %s: %s", w->path, strerror(errno));
		return rc;
	}
	if ((uint64_t)st.st_size < sizeof(struct sl_shm_header)) {
		SL_WARN("segment %s is too short to be a sluice segment (%lld bytes): recreating",
			w->path, (long long)st.st_size);
		return 1;
	}
	sl_fs_page(w);
	rc = sl_map(w, (uint64_t)st.st_size, err, errlen);
	if (rc < 0)
		return rc;
	h = w->h;
	if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) == 0) {
		SL_WARN("segment %s was never completed (magic 0): recreating", w->path);
		return 1;
	}
	why = sl_hdr_problem(h, (uint64_t)st.st_size, w->page);
	if (why) {
		sl_seterr(err, errlen,
			  "existing segment %s is not usable (%s; ABI version %u, this sluiced "
			  "uses %u): stop sluice-dp, remove %s and start sluiced again",
			  w->path, why, h->abi_version, SL_SHM_ABI_VERSION, w->path);
		return -EPROTO;
	}
	wpid = atomic_load(&h->writer_pid);
	if (wpid != 0 && wpid != (int32_t)getpid() && sl_pid_alive(wpid)) {
		sl_seterr(err, errlen, "segment %s is owned by another sluiced (pid %d)", w->path,
			  (int)wpid);
		return -EBUSY;
	}
	if (size_explicit && bank != h->bank_size) {
		if (!sl_shm_dp_alive(h)) {
			SL_WARN("segment %s has %" PRIu64 "-byte banks, %" PRIu64
				" requested and no live sluice-dp: recreating",
				w->path, h->bank_size, bank);
			return 1;
		}
		SL_WARN("segment %s has %" PRIu64 "-byte banks and sluice-dp (pid %d) is "
			"attached: keeping them, not the %" PRIu64 " requested",
			w->path, h->bank_size, (int)atomic_load(&h->dp_pid), bank);
	}
	atomic_store(&h->writer_pid, (int32_t)getpid());
	atomic_store(&h->writer_start_ns, sl_now_ns(CLOCK_REALTIME));
	w->created = false;
	sl_remember_inode(w);
	return 0;
}

struct sl_shm_writer *sl_shm_open(const char *path, uint64_t bank_size, bool size_explicit,
				  char *err, size_t errlen)
{
	struct sl_shm_writer *w;
	int rc;

	if (path == NULL || path[0] == '\0') {
		sl_seterr(err, errlen, "no segment path");
		errno = EINVAL;
		return NULL;
	}
	if (bank_size < SL_SHM_MIN_BANK_SIZE || bank_size > SL_SHM_MAX_BANK_SIZE) {
		sl_seterr(err, errlen, "bank size %" PRIu64 " is outside %" PRIu64 "-%" PRIu64,
			  bank_size, SL_SHM_MIN_BANK_SIZE, SL_SHM_MAX_BANK_SIZE);
		errno = EINVAL;
		return NULL;
	}
	bank_size = (bank_size + 4095) & ~UINT64_C(4095);
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		sl_seterr(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	w->fd = -1;
	if (strlen(path) >= sizeof(w->path) - 32) {
		sl_seterr(err, errlen, "segment path too long");
		free(w);
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(w->path, path, strlen(path) + 1);

	w->fd = open(path, O_RDWR | O_CLOEXEC);
	if (w->fd < 0 && errno != ENOENT) {
		rc = -errno;
		sl_seterr(err, errlen, "cannot open %s: %s", path, strerror(errno));
		goto fail;
	}
	rc = 1;
	if (w->fd >= 0) {
		rc = sl_reopen(w, bank_size, size_explicit, err, errlen);
		if (rc < 0)
			goto fail;
		if (rc == 1)
			sl_unmap(w);
	}
	if (rc == 1) {
		rc = sl_create(w, bank_size, err, errlen);
		if (rc < 0)
			goto fail;
	}
	return w;
fail:
	sl_unmap(w);
	free(w);
	errno = -rc;
	return NULL;
}

void sl_shm_close(struct sl_shm_writer *w)
{
	if (w == NULL)
		return;
	if (w->h) {
		int32_t me = (int32_t)getpid();

		atomic_compare_exchange_strong(&w->h->writer_pid, &me, 0);
	}
	sl_unmap(w);
	free(w);
}

struct sl_shm_header *sl_shm_hdr(const struct sl_shm_writer *w)
{
	return w->h;
}

const char *sl_shm_path(const struct sl_shm_writer *w)
{
	return w->path;
}

uint64_t sl_shm_page_size(const struct sl_shm_writer *w)
{
	return w->page;
}

uint64_t sl_shm_bank_size(const struct sl_shm_writer *w)
{
	return w->h->bank_size;
}

bool sl_shm_created(const struct sl_shm_writer *w)
{
	return w->created;
}

uint64_t sl_shm_generation(const struct sl_shm_writer *w)
{
	return atomic_load(&w->h->generation);
}

uint64_t sl_shm_acked(const struct sl_shm_writer *w, int *behind)
{
	struct sl_shm_header *h = w->h;
	uint64_t gen = atomic_load(&h->generation);
	uint64_t min = gen;

	if (behind)
		*behind = -1;
	if (!sl_shm_dp_alive(h))
		return gen;
	for (int i = 0; i < SL_MAX_LCORES; i++) {
		uint64_t a;

		if (!atomic_load(&h->lcore[i].online))
			continue;
		a = atomic_load(&h->lcore[i].ack_generation);
		if (a < min) {
			min = a;
			if (behind)
				*behind = i;
		}
	}
	return min;
}

int sl_shm_wait_acked(const struct sl_shm_writer *w, uint64_t gen, unsigned int timeout_ms)
{
	uint64_t deadline = sl_now_ns(CLOCK_MONOTONIC) + (uint64_t)timeout_ms * 1000000u;
	long sleep_ns = 1000;

	for (;;) {
		struct timespec ts;

		if (sl_shm_acked(w, NULL) >= gen)
			return 0;
		if (sl_now_ns(CLOCK_MONOTONIC) >= deadline)
			return -ETIMEDOUT;
		ts.tv_sec = 0;
		ts.tv_nsec = sleep_ns;
		nanosleep(&ts, NULL);
		if (sleep_ns < 1000000)
			sleep_ns *= 2;
	}
}

void *sl_shm_idle_bank(const struct sl_shm_writer *w, unsigned int *b)
{
	uint64_t gen = sl_shm_generation(w);

	if (sl_shm_acked(w, NULL) < gen)
		return NULL;
	*b = (unsigned int)((gen + 1) & 1);
	return sl_shm_bank(w->h, *b);
}

const struct sl_bank_header *sl_shm_active_bank(const struct sl_shm_writer *w)
{
	uint64_t gen = sl_shm_generation(w);
	const struct sl_bank_header *b;

	if (gen == 0)
		return NULL;
	b = sl_shm_bank(w->h, (unsigned int)(gen & 1));
	if (b->magic != SL_BANK_MAGIC || b->generation != gen || b->used > w->h->bank_size)
		return NULL;
	return b;
}

int sl_shm_publish(struct sl_shm_writer *w, sl_shm_fill_fn fill, void *fill_arg,
		   sl_shm_keep_waiting_fn keep_waiting, void *kw_arg, uint64_t *new_gen)
{
	struct sl_shm_header *h = w->h;
	uint64_t gen = atomic_load(&h->generation);
	unsigned int waited = 0;
	void *bank;
	int rc;

	while (sl_shm_wait_acked(w, gen, SL_SHM_WAIT_LOG_MS) == -ETIMEDOUT) {
		int slot;
		uint64_t a = sl_shm_acked(w, &slot);

		waited++;
		if (slot >= 0)
			SL_WARN(
			    "publish: waiting %us for sluice-dp (pid %d) lcore slot %d (lcore %u) "
			    "to acknowledge generation %" PRIu64 " (it is at %" PRIu64 ")",
			    waited, (int)atomic_load(&h->dp_pid), slot, h->lcore[slot].lcore_id,
			    gen, a);
		if (keep_waiting && !keep_waiting(kw_arg))
			return -EINTR;
	}
	bank = sl_shm_bank(h, (unsigned int)((gen + 1) & 1));
	rc = fill(bank, h->bank_size, gen + 1, fill_arg);
	if (rc < 0)
		return rc;
	atomic_store(&h->generation, gen + 1); /* the flip (seq_cst) */
	if (new_gen)
		*new_gen = gen + 1;
	return 0;
}

bool sl_shm_writer_replaced(const struct sl_shm_writer *w)
{
	struct stat st;

	if (stat(w->path, &st) < 0)
		return true;
	return st.st_dev != w->dev || st.st_ino != w->ino;
}

int sl_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	default:
		return -EINVAL;
	}
	if (*end == 'i' || *end == 'B') /* "64MiB", "64MB" */
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end != '\0' || (shift && v > (UINT64_MAX >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}
