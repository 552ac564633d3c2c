/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the segment attach (shm.c): segment files are built by hand
 * in a temporary directory; valid ones attach, wrong magic / ABI version /
 * sizes / offsets are refused with the right error, a live second data
 * plane is refused, the wait loop ends on the quit flag and picks up a
 * segment that appears later.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/magic.h>

#include "sl_shm_attach.h"

#define T_BANK_SIZE (64u * 1024)

static char tdir[64];
static char tpath[128];

/* A header as sluiced would write it for T_BANK_SIZE. */
static void hdr_init(struct sl_shm_header *h)
{
	uint64_t hdr = (sizeof(struct sl_shm_header) + 4095) & ~4095ull;

	memset(h, 0, sizeof(*h));
	h->magic = SL_SHM_MAGIC;
	h->abi_version = SL_SHM_ABI_VERSION;
	h->header_size = sizeof(*h);
	h->segment_size = sl_shm_segment_size(T_BANK_SIZE);
	h->bank_offset[0] = hdr;
	h->bank_offset[1] = hdr + T_BANK_SIZE;
	h->bank_size = T_BANK_SIZE;
	h->stats_offset = hdr + 2 * T_BANK_SIZE;
	h->stats_size = h->segment_size - h->stats_offset;
}

/* Write `h` at the start of a file of `size` bytes (atomically renamed
 * into place, as a writer re-creating the segment would). */
static void seg_write(const char *path, const struct sl_shm_header *h, uint64_t size)
{
	char tmp[160];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	if (h && size >= sizeof(*h))
		assert_int_equal(pwrite(fd, h, sizeof(*h), 0), (ssize_t)sizeof(*h));
	close(fd);
	assert_int_equal(rename(tmp, path), 0);
}

static int setup(void **state)
{
	snprintf(tdir, sizeof(tdir), "/tmp/sl_shm_test.XXXXXX");
	if (!mkdtemp(tdir))
		return -1;
	snprintf(tpath, sizeof(tpath), "%s/seg", tdir);
	return 0;
}

static int teardown(void **state)
{
	char tmp[160];

	unlink(tpath);
	snprintf(tmp, sizeof(tmp), "%s.tmp", tpath);
	unlink(tmp);
	rmdir(tdir);
	return 0;
}

static void test_valid(void **state)
{
	struct sl_shm_header h;
	struct sl_shm s;
	char err[256];
	unsigned int ids[3] = {0, 1, 2};

	hdr_init(&h);
	h.lcore[5].online = 1; /* left over from a crashed data plane */
	seg_write(tpath, &h, h.segment_size);
	assert_int_equal(sl_shm_try_attach(&s, tpath, err, sizeof(err)), 0);
	assert_non_null(s.hdr);
	assert_int_equal(s.size, h.segment_size);
	assert_ptr_equal((uint8_t *)s.stats, (uint8_t *)s.hdr + h.stats_offset);
	assert_false(sl_shm_replaced(&s));

	/* Some junk in the stats area must be gone after dp start. */
	s.stats->lcore[1].cnt[SL_CNT_RX_PKTS] = 77;
	assert_int_equal(sl_shm_dp_start(&s, 3, ids), 0);
	assert_int_equal(s.hdr->dp_pid, getpid());
	assert_int_equal(s.hdr->dp_n_lcores, 3);
	assert_true(s.hdr->dp_start_ns > 0);
	assert_int_equal(s.hdr->lcore[5].online, 0);
	assert_int_equal(s.hdr->lcore[2].lcore_id, 2);
	assert_true(s.stats->magic == SL_STATS_MAGIC);
	assert_int_equal(s.stats->n_lcores, 3);
	assert_int_equal(s.stats->lcore[1].cnt[SL_CNT_RX_PKTS], 0);

	/* Attaching again from this process is allowed (dp_pid is us). */
	{
		struct sl_shm s2;

		assert_int_equal(sl_shm_try_attach(&s2, tpath, err, sizeof(err)), 0);
		sl_shm_detach(&s2);
	}
	s.hdr->lcore[1].online = 1;
	sl_shm_dp_stop(&s);
	assert_int_equal(s.hdr->dp_pid, 0);
	assert_int_equal(s.hdr->lcore[1].online, 0);

	/* A re-created file is noticed. */
	seg_write(tpath, &h, h.segment_size);
	assert_true(sl_shm_replaced(&s));
	sl_shm_detach(&s);
	assert_null(s.hdr);
	assert_int_equal(sl_shm_dp_start(&s, 0, ids), -E2BIG);
}

static void expect_refused(const struct sl_shm_header *h, uint64_t size, int rc,
			   const char *msg_part)
{
	struct sl_shm s;
	char err[256] = "";
	int got;

	seg_write(tpath, h, size);
	got = sl_shm_try_attach(&s, tpath, err, sizeof(err));
	if (got != rc || !strstr(err, msg_part))
		fail_msg("expected %d \"%s\", got %d \"%s\"", rc, msg_part, got, err);
	assert_null(s.hdr);
	/* The pure check agrees. */
	if (size >= sizeof(*h))
		assert_int_equal(sl_shm_validate(h, size, err, sizeof(err)), rc);
}

static void test_refused(void **state)
{
	struct sl_shm_header h;
	struct sl_shm s;
	char err[256];
	uint64_t size;

	assert_int_equal(sl_shm_try_attach(&s, tpath, err, sizeof(err)), -ENOENT);

	hdr_init(&h);
	size = h.segment_size;
	expect_refused(NULL, 0, -EAGAIN, "empty");

	h.magic = 0;
	expect_refused(&h, size, -EAGAIN, "not written yet");

	hdr_init(&h);
	h.magic = 0x1122334455667788ull;
	expect_refused(&h, size, -EINVAL, "bad magic");

	hdr_init(&h);
	h.abi_version = SL_SHM_ABI_VERSION + 1;
	expect_refused(&h, size, -EPROTO, "ABI version");

	hdr_init(&h);
	h.header_size = 64;
	expect_refused(&h, size, -EPROTO, "header_size");

	hdr_init(&h);
	expect_refused(&h, size + 4096, -EINVAL, "segment_size");

	hdr_init(&h);
	expect_refused(&h, 100, -EINVAL, "smaller than");

	hdr_init(&h);
	h.bank_offset[1] = h.bank_offset[0] + 64;
	expect_refused(&h, size, -EINVAL, "banks overlap");

	hdr_init(&h);
	h.bank_offset[1] = size - 64;
	expect_refused(&h, size, -EINVAL, "outside the segment");

	hdr_init(&h);
	h.bank_offset[0] += 8;
	expect_refused(&h, size, -EINVAL, "not aligned");

	hdr_init(&h);
	h.stats_size = 4096;
	expect_refused(&h, size, -EINVAL, "stats_size");

	hdr_init(&h);
	h.stats_offset = h.bank_offset[1];
	expect_refused(&h, size, -EINVAL, "overlaps the stats");

	hdr_init(&h);
	h.bank_size = UINT64_MAX - 100; /* overflow must not pass */
	expect_refused(&h, size, -EINVAL, "outside the segment");
}

/* A live process of the same program holds the segment: -EBUSY; once it
 * is gone the segment can be taken. */
static void test_busy(void **state)
{
	struct sl_shm_header h;
	struct sl_shm s;
	char err[256];
	pid_t child;
	int st;

	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	hdr_init(&h);
	h.dp_pid = child;
	seg_write(tpath, &h, h.segment_size);
	assert_int_equal(sl_shm_try_attach(&s, tpath, err, sizeof(err)), -EBUSY);
	assert_non_null(strstr(err, "already used"));
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	assert_int_equal(sl_shm_try_attach(&s, tpath, err, sizeof(err)), 0);
	sl_shm_detach(&s);

	/* A killed data plane not reaped yet (zombie) does not block. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	{
		char path[64], buf[256];
		FILE *f;
		bool zombie = false;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)child);
		for (int i = 0; i < 200 && !zombie; i++) {
			f = fopen(path, "r");
			assert_non_null(f);
			if (fgets(buf, sizeof(buf), f))
				zombie = strstr(buf, ") Z ") != NULL;
			fclose(f);
			if (!zombie)
				usleep(5000);
		}
		assert_true(zombie);
	}
	h.dp_pid = child;
	seg_write(tpath, &h, h.segment_size);
	assert_int_equal(sl_shm_try_attach(&s, tpath, err, sizeof(err)), 0);
	sl_shm_detach(&s);
	waitpid(child, &st, 0);

	/* A live process running another program does not block. */
	h.dp_pid = getppid();
	seg_write(tpath, &h, h.segment_size);
	assert_int_equal(sl_shm_try_attach(&s, tpath, err, sizeof(err)), 0);
	sl_shm_detach(&s);
}

static void *late_creator(void *arg)
{
	struct timespec ts = {0, 300 * 1000000L};
	struct sl_shm_header h;

	nanosleep(&ts, NULL);
	/* First a half-created file, then the real one. */
	seg_write(tpath, NULL, 0);
	nanosleep(&ts, NULL);
	hdr_init(&h);
	seg_write(tpath, &h, h.segment_size);
	return arg;
}

static void *quitter(void *arg)
{
	struct timespec ts = {0, 200 * 1000000L};

	nanosleep(&ts, NULL);
	atomic_store((atomic_bool *)arg, true);
	return NULL;
}

static void test_wait_busy(void **state)
{
	struct sl_shm_header h;
	struct sl_shm s;
	atomic_bool quit = false;
	pthread_t th;
	pid_t child;
	int st;

	/* Held by a live data plane: waits (does not give up) until told to
	 * quit. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	hdr_init(&h);
	h.dp_pid = child;
	seg_write(tpath, &h, h.segment_size);
	assert_int_equal(pthread_create(&th, NULL, quitter, &quit), 0);
	assert_int_equal(sl_shm_attach_wait(&s, tpath, &quit), -EINTR);
	pthread_join(th, NULL);
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	atomic_store(&quit, false);
	assert_int_equal(sl_shm_attach_wait(&s, tpath, &quit), 0);
	sl_shm_detach(&s);
}

static void test_wait(void **state)
{
	struct sl_shm_header h;
	struct sl_shm s;
	atomic_bool quit = true;
	pthread_t th;

	unlink(tpath);
	/* Quit already requested: returns at once. */
	assert_int_equal(sl_shm_attach_wait(&s, tpath, &quit), -EINTR);

	/* Invalid segment: keeps retrying until told to quit. */
	hdr_init(&h);
	h.abi_version = 999;
	seg_write(tpath, &h, h.segment_size);
	atomic_store(&quit, false);
	assert_int_equal(pthread_create(&th, NULL, quitter, &quit), 0);
	assert_int_equal(sl_shm_attach_wait(&s, tpath, &quit), -EINTR);
	pthread_join(th, NULL);

	/* Appears later: attached. */
	unlink(tpath);
	atomic_store(&quit, false);
	assert_int_equal(pthread_create(&th, NULL, late_creator, NULL), 0);
	assert_int_equal(sl_shm_attach_wait(&s, tpath, &quit), 0);
	pthread_join(th, NULL);
	assert_true(s.hdr->magic == SL_SHM_MAGIC);
	sl_shm_detach(&s);
}

/* A segment on hugetlbfs, made as sluiced makes it there (size rounded
 * up to the huge page, header written through a mapping: hugetlbfs has no
 * write()), attaches like any other, with s.page the huge page size, and
 * the data plane's start writes its stats area. Skipped without a writable
 * hugetlbfs at $SL_TEST_HUGETLBFS (default /dev/hugepages) or free pages. */
static void test_hugetlbfs(void **state)
{
	const char *dir =
	    getenv("SL_TEST_HUGETLBFS") ? getenv("SL_TEST_HUGETLBFS") : "/dev/hugepages";
	unsigned int ids[1] = {0};
	struct sl_shm_header h;
	struct statfs sf;
	struct sl_shm s;
	char err[256], path[160];
	uint64_t size;
	void *p;
	int fd;

	if (statfs(dir, &sf) != 0 || (uint64_t)sf.f_type != HUGETLBFS_MAGIC) {
		print_message("skipped: %s is not a hugetlbfs mount\n", dir);
		skip();
	}
	snprintf(path, sizeof(path), "%s/sl_shm_test.%d", dir, (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		print_message("skipped: cannot create %s: %s\n", path, strerror(errno));
		skip();
	}
	unlink(path); /* the open file stays until the end of the test */
	hdr_init(&h);
	size = (h.segment_size + (uint64_t)sf.f_bsize - 1) / (uint64_t)sf.f_bsize *
	       (uint64_t)sf.f_bsize;
	h.segment_size = size;
	h.stats_size = size - h.stats_offset;
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		print_message("skipped: %llu bytes of huge pages: %s\n", (unsigned long long)size,
			      strerror(errno));
		close(fd);
		skip();
	}
	memcpy(p, &h, sizeof(h));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	assert_int_equal(sl_shm_try_attach(&s, path, err, sizeof(err)), 0);
	assert_true(s.page == (size_t)sf.f_bsize);
	assert_true(s.size == size);
	assert_int_equal(sl_shm_dp_start(&s, 1, ids), 0);
	assert_true(((struct sl_shm_header *)p)->dp_pid == getpid());
	assert_true(sl_shm_stats((struct sl_shm_header *)p)->magic == SL_STATS_MAGIC);
	sl_shm_dp_stop(&s);
	sl_shm_detach(&s);
	munmap(p, size);
	close(fd);

	/* the 4 KiB file of the other tests says so */
	hdr_init(&h);
	seg_write(tpath, &h, h.segment_size);
	assert_int_equal(sl_shm_try_attach(&s, tpath, err, sizeof(err)), 0);
	assert_true(s.page == 4096);
	sl_shm_detach(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_valid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wait, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wait_busy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hugetlbfs, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
