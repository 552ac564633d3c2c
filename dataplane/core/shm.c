/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-dp side of the shared-memory segment (layout: abi/sl_shm.h).
 *
 * Design note
 * -----------
 * sluiced creates and sizes the segment; the data plane only attaches. At
 * start sluice-dp waits for the file to exist with a header that matches the
 * ABI it was built with (magic, abi_version, header_size) and a
 * segment_size equal to the file size, and checks that banks and stats area
 * lie inside the file without overlapping. "Not there yet" (no file, empty
 * file, magic still zero) is retried every 100 ms and logged once; an
 * invalid segment (other ABI, wrong size, corrupt offsets) is logged when
 * the reason changes and retried every second, because sluiced may be
 * restarted with the right version and re-create it. A signal ends the
 * wait.
 *
 * The whole file is mapped MAP_SHARED. The data plane owns the stats area
 * and the dp_* header fields and its lcore slots: on start it zeroes the
 * stats (counters restart with the process) and marks its slots offline
 * before publishing dp_pid, so sluiced never waits for slots of a previous
 * incarnation; on exit it marks them offline and clears dp_pid.
 *
 * Two data planes on one segment would overwrite each other's slots and
 * counters, so attaching is refused while dp_pid names another live process
 * running the same program (comm compared, so a recycled pid of an
 * unrelated process does not block a restart after a crash; a zombie is not
 * alive). The wait treats that like an invalid segment (logged, retried
 * every second): a data plane restarted right after a crash gets in as soon
 * as the old one is gone.
 *
 * Huge pages: the segment maps the same whatever file system it is on.
 * On hugetlbfs (sluiced put it under a hugetlbfs mount; its size is a
 * whole number of huge pages) sluiced's mapping has already reserved every
 * page of the file, so this mapping cannot fault for want of one. On
 * tmpfs the mapping is advised MADV_HUGEPAGE (shmem THP with "advise").
 * The page size is logged at attach (s->page) and shown by benchmarks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h> /* HUGETLBFS_MAGIC */

#include "sl_log.h"
#include "sl_pipeline.h"
#include "sl_shm_attach.h"

static int sl_shm_fmt(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int sl_shm_fmt(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* [off, off + len) inside [0, size) without overflow. */
static bool sl_shm_in(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static bool sl_shm_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int sl_shm_validate(const struct sl_shm_header *h, uint64_t file_size, char *err, size_t errlen)
{
	const uint64_t hsz = sizeof(struct sl_shm_header);

	if (file_size == 0)
		return sl_shm_fmt(err, errlen, -EAGAIN, "segment is empty (being created)");
	if (file_size < hsz)
		return sl_shm_fmt(err, errlen, -EINVAL,
				  "segment is %llu bytes, smaller than its %llu-byte header",
				  (unsigned long long)file_size, (unsigned long long)hsz);
	if (h->magic == 0)
		return sl_shm_fmt(err, errlen, -EAGAIN, "segment header not written yet");
	if (h->magic != SL_SHM_MAGIC)
		return sl_shm_fmt(err, errlen, -EINVAL, "bad magic 0x%016llx (expected 0x%016llx)",
				  (unsigned long long)h->magic, (unsigned long long)SL_SHM_MAGIC);
	if (h->abi_version != SL_SHM_ABI_VERSION)
		return sl_shm_fmt(err, errlen, -EPROTO,
				  "ABI version %u, this sluice-dp speaks version %u "
				  "(rebuild sluiced and sluice-dp from one tree)",
				  h->abi_version, SL_SHM_ABI_VERSION);
	if (h->header_size != hsz)
		return sl_shm_fmt(err, errlen, -EPROTO, "header_size %u, expected %llu",
				  h->header_size, (unsigned long long)hsz);
	if (h->segment_size != file_size)
		return sl_shm_fmt(
		    err, errlen, -EINVAL, "segment_size %llu but the file is %llu bytes",
		    (unsigned long long)h->segment_size, (unsigned long long)file_size);
	if (h->bank_size < sizeof(struct sl_bank_header))
		return sl_shm_fmt(err, errlen, -EINVAL, "bank_size %llu below a bank header",
				  (unsigned long long)h->bank_size);
	if (h->stats_size < sizeof(struct sl_stats_header))
		return sl_shm_fmt(
		    err, errlen, -EINVAL, "stats_size %llu, the stats area needs %zu bytes",
		    (unsigned long long)h->stats_size, sizeof(struct sl_stats_header));
	for (unsigned int b = 0; b < 2; b++) {
		if (h->bank_offset[b] % SL_CACHE_LINE)
			return sl_shm_fmt(err, errlen, -EINVAL, "bank %u offset %llu not aligned",
					  b, (unsigned long long)h->bank_offset[b]);
		if (h->bank_offset[b] < hsz ||
		    !sl_shm_in(h->bank_offset[b], h->bank_size, file_size))
			return sl_shm_fmt(err, errlen, -EINVAL,
					  "bank %u [%llu, +%llu) outside the segment", b,
					  (unsigned long long)h->bank_offset[b],
					  (unsigned long long)h->bank_size);
		if (sl_shm_overlap(h->bank_offset[b], h->bank_size, h->stats_offset, h->stats_size))
			return sl_shm_fmt(err, errlen, -EINVAL, "bank %u overlaps the stats area",
					  b);
	}
	if (sl_shm_overlap(h->bank_offset[0], h->bank_size, h->bank_offset[1], h->bank_size))
		return sl_shm_fmt(err, errlen, -EINVAL, "banks overlap");
	if (h->stats_offset % SL_CACHE_LINE || h->stats_offset < hsz ||
	    !sl_shm_in(h->stats_offset, h->stats_size, file_size))
		return sl_shm_fmt(err, errlen, -EINVAL, "stats area [%llu, +%llu) invalid",
				  (unsigned long long)h->stats_offset,
				  (unsigned long long)h->stats_size);
	return 0;
}

/* True if `pid` is alive and runs the same program as we do. */
static bool sl_shm_pid_is_dp(pid_t pid)
{
	char path[64], comm[64], self[64];
	FILE *f;
	bool same = false;

	if (pid <= 0 || pid == getpid())
		return false;
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return false;
	/* A killed data plane stays a zombie until reaped: not alive. */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fgets(comm, sizeof(comm), f)) {
		const char *rp = strrchr(comm, ')');

		if (rp && (rp[1] == ' ') && (rp[2] == 'Z' || rp[2] == 'X')) {
			fclose(f);
			return false;
		}
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	f = fopen("/proc/self/comm", "r");
	if (!f)
		return false;
	if (fgets(self, sizeof(self), f))
		same = strcmp(comm, self) == 0;
	fclose(f);
	return same;
}

/* 4096, or the huge page size if fd is on hugetlbfs. */
static size_t sl_shm_fs_page(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) == 0 && (uint64_t)sf.f_type == HUGETLBFS_MAGIC && sf.f_bsize > 0)
		return (size_t)sf.f_bsize;
	return 4096;
}

int sl_shm_try_attach(struct sl_shm *s, const char *path, char *err, size_t errlen)
{
	struct sl_shm_header hcopy;
	struct stat st;
	void *p;
	int fd, rc;
	pid_t other;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (strlen(path) >= sizeof(s->path))
		return sl_shm_fmt(err, errlen, -ENAMETOOLONG, "path too long");
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		return sl_shm_fmt(err, errlen, rc, "cannot open: %s", strerror(-rc));
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		close(fd);
		return sl_shm_fmt(err, errlen, rc, "fstat: %s", strerror(-rc));
	}
	/* Validate a copy read with pread first: never map a file whose
	 * size the header does not vouch for. */
	memset(&hcopy, 0, sizeof(hcopy));
	if ((uint64_t)st.st_size >= sizeof(hcopy) &&
	    pread(fd, &hcopy, sizeof(hcopy), 0) != (ssize_t)sizeof(hcopy)) {
		rc = errno ? -errno : -EIO;
		close(fd);
		return sl_shm_fmt(err, errlen, rc, "read header: %s", strerror(-rc));
	}
	rc = sl_shm_validate(&hcopy, (uint64_t)st.st_size, err, errlen);
	if (rc) {
		close(fd);
		return rc;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		rc = -errno;
		close(fd);
		return sl_shm_fmt(err, errlen, rc, "mmap %lld bytes: %s", (long long)st.st_size,
				  strerror(-rc));
	}
	s->page = sl_shm_fs_page(fd);
	if (s->page == 4096)
		(void)madvise(p, (size_t)st.st_size, MADV_HUGEPAGE); /* shmem THP if "advise" */
	/* The mapped header is what counts from now on: re-validate it in
	 * case the file changed between pread and mmap. */
	rc = sl_shm_validate(p, (uint64_t)st.st_size, err, errlen);
	if (rc) {
		munmap(p, (size_t)st.st_size);
		close(fd);
		return rc;
	}
	s->hdr = p;
	other = atomic_load(&s->hdr->dp_pid);
	if (sl_shm_pid_is_dp(other)) {
		munmap(p, (size_t)st.st_size);
		close(fd);
		s->hdr = NULL;
		return sl_shm_fmt(err, errlen, -EBUSY, "already used by sluice-dp pid %d",
				  (int)other);
	}
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->fd = fd;
	s->size = (size_t)st.st_size;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->stats = sl_shm_stats(s->hdr);
	return 0;
}

static void sl_shm_sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int sl_shm_attach_wait(struct sl_shm *s, const char *path, atomic_bool *quit)
{
	char err[256], last[256] = "";
	bool told_waiting = false;
	int rc;

	for (;;) {
		if (quit && atomic_load(quit))
			return -EINTR;
		rc = sl_shm_try_attach(s, path, err, sizeof(err));
		if (rc == 0) {
			SL_LOG(INFO, "attached to segment %s (%zu bytes, %s, generation %llu)",
			       path, s->size,
			       s->page > 4096 ? "hugetlbfs huge pages" : "4 KiB pages",
			       (unsigned long long)atomic_load(&s->hdr->generation));
			return 0;
		}
		if (rc == -ENOENT || rc == -EAGAIN) {
			if (!told_waiting) {
				SL_LOG(NOTICE, "waiting for sluiced to create segment %s (%s)",
				       path, err);
				told_waiting = true;
			}
			sl_shm_sleep_ms(100);
			continue;
		}
		if (strcmp(err, last) != 0) {
			SL_LOG(ERR, "segment %s refused: %s; retrying every second", path, err);
			snprintf(last, sizeof(last), "%s", err);
		}
		told_waiting = false;
		for (int i = 0; i < 10 && !(quit && atomic_load(quit)); i++)
			sl_shm_sleep_ms(100);
	}
}

int sl_shm_dp_start(struct sl_shm *s, unsigned int n_lcores, const unsigned int *lcore_ids)
{
	struct sl_shm_header *h = s->hdr;
	struct sl_stats_header *st = s->stats;
	struct timespec ts;

	if (n_lcores == 0 || n_lcores > SL_MAX_LCORES)
		return -E2BIG;
	/* Not attached any more while we reset: sluiced must not trust
	 * slots that belong to a previous data plane. */
	atomic_store(&h->dp_pid, 0);
	for (unsigned int i = 0; i < SL_MAX_LCORES; i++) {
		atomic_store(&h->lcore[i].online, 0);
		h->lcore[i].lcore_id = i < n_lcores ? lcore_ids[i] : 0;
	}
	/* Everything but the route table rows, then the rows of our lcores:
	 * the rest of rt[][] (32 MiB for 128 slots) stays untouched, so a
	 * tmpfs segment only holds the rows in use; readers never look past
	 * n_lcores. */
	memset(st, 0, offsetof(struct sl_stats_header, rt));
	memset(st->rt, 0, n_lcores * sizeof(st->rt[0]));
	st->n_lcores = n_lcores;
	for (unsigned int i = 0; i < SL_STAGE_MAX; i++)
		snprintf(st->stage_names[i], sizeof(st->stage_names[i]), "%s", sl_stage_names[i]);
	st->n_stages = SL_STAGE_MAX;
	atomic_thread_fence(memory_order_release);
	st->magic = SL_STATS_MAGIC;
	clock_gettime(CLOCK_REALTIME, &ts);
	atomic_store(&h->dp_start_ns, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
	atomic_store(&h->dp_n_lcores, n_lcores);
	atomic_store(&h->dp_pid, (int32_t)getpid());
	return 0;
}

void sl_shm_dp_stop(struct sl_shm *s)
{
	struct sl_shm_header *h = s->hdr;

	if (!h)
		return;
	for (unsigned int i = 0; i < SL_MAX_LCORES; i++)
		atomic_store(&h->lcore[i].online, 0);
	if (atomic_load(&h->dp_pid) == (int32_t)getpid())
		atomic_store(&h->dp_pid, 0);
}

void sl_shm_detach(struct sl_shm *s)
{
	if (s->hdr)
		munmap(s->hdr, s->size);
	if (s->fd >= 0)
		close(s->fd);
	s->hdr = NULL;
	s->stats = NULL;
	s->fd = -1;
}

bool sl_shm_replaced(const struct sl_shm *s)
{
	struct stat st;

	if (stat(s->path, &st) < 0)
		return true;
	return st.st_dev != s->dev || st.st_ino != s->ino;
}
