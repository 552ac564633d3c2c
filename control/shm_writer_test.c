/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: the segment writer and the publication protocol of sl_shm.h
 * (banks alternate; an online reader with an old acknowledgement blocks the
 * writer until it acknowledges; a dead or absent data plane does not;
 * create/re-open/refuse).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/magic.h>

#include "sl_ctl_log.h"
#include "sl_shm_writer.h"

#define BANK (UINT64_C(1) << 20)

static char seg[128];

static int setup(void **state)
{
	static int n;

	snprintf(seg, sizeof(seg), "/dev/shm/sl-ctl-test-%d-%d", (int)getpid(), n++);
	unlink(seg);
	return 0;
}

static int teardown(void **state)
{
	unlink(seg);
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct fill_rec {
	unsigned int calls;
	void *bank;
	uint64_t gen;
	uint64_t at_ms;
};

static int fill(void *bank, uint64_t size, uint64_t gen, void *arg)
{
	struct fill_rec *r = arg;
	struct sl_bank_header *h = bank;

	memset(h, 0, sizeof(*h));
	h->magic = SL_BANK_MAGIC;
	h->generation = gen;
	h->used = sizeof(*h);
	r->calls++;
	r->bank = bank;
	r->gen = gen;
	r->at_ms = now_ms();
	return 0;
}

static bool never(void *arg)
{
	(*(int *)arg)++;
	return false;
}

static struct sl_shm_writer *open_ok(uint64_t bank, bool explicit)
{
	char err[512] = "";
	struct sl_shm_writer *w = sl_shm_open(seg, bank, explicit, err, sizeof(err));

	if (w == NULL)
		fprintf(stderr, "open: %s\n", err);
	assert_non_null(w);
	return w;
}

static void test_create(void **state)
{
	struct sl_shm_writer *w = open_ok(BANK - 100, false); /* rounded up to pages */
	struct sl_shm_header *h = sl_shm_hdr(w);
	struct stat st;

	assert_true(sl_shm_created(w));
	assert_true(h->magic == SL_SHM_MAGIC);
	assert_int_equal(h->abi_version, SL_SHM_ABI_VERSION);
	assert_int_equal(h->header_size, sizeof(struct sl_shm_header));
	assert_true(h->bank_size == BANK);
	assert_true(h->segment_size == sl_shm_segment_size(BANK));
	assert_true(h->bank_offset[1] == h->bank_offset[0] + BANK);
	assert_true(h->stats_offset == h->bank_offset[1] + BANK);
	assert_true(h->stats_size == sizeof(struct sl_stats_header));
	assert_true(sl_shm_generation(w) == 0);
	assert_int_equal(atomic_load(&h->writer_pid), getpid());
	assert_int_equal(atomic_load(&h->dp_pid), 0);
	assert_null(sl_shm_active_bank(w));
	assert_int_equal(stat(seg, &st), 0);
	assert_true((uint64_t)st.st_size == h->segment_size);
	assert_false(sl_shm_writer_replaced(w));
	sl_shm_close(w);
	/* the file stays, writer_pid cleared */
	w = open_ok(BANK, false);
	assert_false(sl_shm_created(w));
	sl_shm_close(w);
}

static void test_banks_alternate(void **state)
{
	struct sl_shm_writer *w = open_ok(BANK, false);
	struct sl_shm_header *h = sl_shm_hdr(w);
	struct fill_rec r = {0};
	uint64_t g;

	for (uint64_t i = 1; i <= 4; i++) {
		assert_int_equal(sl_shm_publish(w, fill, &r, NULL, NULL, &g), 0);
		assert_true(g == i);
		assert_true(sl_shm_generation(w) == i);
		/* generation i was written into bank i & 1 */
		assert_ptr_equal(r.bank, sl_shm_bank(h, (unsigned int)(i & 1)));
		assert_ptr_equal(sl_shm_active_bank(w), r.bank);
		assert_true(sl_shm_active_bank(w)->generation == i);
	}
	assert_int_equal(r.calls, 4);
	sl_shm_close(w);
}

struct acker {
	struct sl_shm_header *h;
	int slot;
	uint64_t gen;
	unsigned int delay_ms;
	uint64_t acked_at_ms;
};

static void *ack_later(void *arg)
{
	struct acker *a = arg;
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)a->delay_ms * 1000000L};

	nanosleep(&ts, NULL);
	a->acked_at_ms = now_ms();
	atomic_store(&a->h->lcore[a->slot].ack_generation, a->gen);
	return NULL;
}

static void test_reader_blocks(void **state)
{
	struct sl_shm_writer *w = open_ok(BANK, false);
	struct sl_shm_header *h = sl_shm_hdr(w);
	struct fill_rec r = {0};
	struct acker a;
	pthread_t t;
	int asked = 0, slot;
	uint64_t g;

	assert_int_equal(sl_shm_publish(w, fill, &r, NULL, NULL, &g), 0); /* gen 1, bank 1 */
	/* a live data plane (this process) with lcore slot 5 online, still on
	 * generation 0, i.e. possibly reading bank 0 */
	atomic_store(&h->dp_pid, getpid());
	atomic_store(&h->lcore[5].ack_generation, 0);
	atomic_store(&h->lcore[5].online, 1);
	assert_true(sl_shm_acked(w, &slot) == 0);
	assert_int_equal(slot, 5);
	assert_int_equal(sl_shm_wait_acked(w, 1, 50), -ETIMEDOUT);
	/* publishing gen 2 would write bank 0: refused while the caller gives up */
	assert_int_equal(sl_shm_publish(w, fill, &r, never, &asked, &g), -EINTR);
	assert_int_equal(asked, 1);
	assert_int_equal(r.calls, 1); /* bank 0 untouched */
	assert_true(sl_shm_generation(w) == 1);

	/* the reader acknowledges after 300 ms: the publish goes through after it */
	a = (struct acker){.h = h, .slot = 5, .gen = 1, .delay_ms = 300};
	assert_int_equal(pthread_create(&t, NULL, ack_later, &a), 0);
	assert_int_equal(sl_shm_publish(w, fill, &r, NULL, NULL, &g), 0);
	pthread_join(t, NULL);
	assert_int_equal(r.calls, 2);
	assert_true(r.at_ms >= a.acked_at_ms);
	assert_true(g == 2);
	assert_ptr_equal(r.bank, sl_shm_bank(h, 0));
	/* Pending -> Available input: the reader has not acked generation 2 yet */
	assert_true(sl_shm_acked(w, NULL) == 1);
	atomic_store(&h->lcore[5].ack_generation, 2);
	assert_true(sl_shm_acked(w, NULL) == 2);
	/* an offline slot with an old ack does not count */
	atomic_store(&h->lcore[9].ack_generation, 0);
	atomic_store(&h->lcore[9].online, 0);
	assert_int_equal(sl_shm_wait_acked(w, 2, 10), 0);
	atomic_store(&h->lcore[5].online, 0);
	atomic_store(&h->dp_pid, 0);
	sl_shm_close(w);
}

static void test_dead_or_absent_dp(void **state)
{
	struct sl_shm_writer *w = open_ok(BANK, false);
	struct sl_shm_header *h = sl_shm_hdr(w);
	struct fill_rec r = {0};
	uint64_t g, t0;
	pid_t child;

	assert_int_equal(sl_shm_publish(w, fill, &r, NULL, NULL, &g), 0);
	/* a data plane that died with a slot still online */
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, NULL, 0), child);
	atomic_store(&h->dp_pid, child);
	atomic_store(&h->lcore[0].ack_generation, 0);
	atomic_store(&h->lcore[0].online, 1);
	assert_false(sl_shm_dp_alive(h));
	t0 = now_ms();
	assert_int_equal(sl_shm_publish(w, fill, &r, NULL, NULL, &g), 0);
	assert_true(now_ms() - t0 < 500);
	assert_true(g == 2);
	assert_true(sl_shm_acked(w, NULL) == 2); /* nothing to wait for */
	/* dp_pid 0: no data plane attached */
	atomic_store(&h->dp_pid, 0);
	assert_int_equal(sl_shm_publish(w, fill, &r, NULL, NULL, &g), 0);
	assert_true(g == 3);
	/* and a live one with the same stale slot does block */
	atomic_store(&h->dp_pid, getpid());
	assert_int_equal(sl_shm_wait_acked(w, 3, 20), -ETIMEDOUT);
	atomic_store(&h->lcore[0].online, 0);
	atomic_store(&h->dp_pid, 0);
	sl_shm_close(w);
}

static void test_reopen_and_resize(void **state)
{
	struct sl_shm_writer *w = open_ok(BANK, false);
	struct fill_rec r = {0};
	uint64_t g;

	assert_int_equal(sl_shm_publish(w, fill, &r, NULL, NULL, &g), 0);
	assert_int_equal(sl_shm_publish(w, fill, &r, NULL, NULL, &g), 0);
	sl_shm_close(w);
	/* re-open keeps generation and bank size (a different default is ignored) */
	w = open_ok(2 * BANK, false);
	assert_false(sl_shm_created(w));
	assert_true(sl_shm_generation(w) == 2);
	assert_true(sl_shm_bank_size(w) == BANK);
	assert_int_equal(atomic_load(&sl_shm_hdr(w)->writer_pid), getpid());
	assert_non_null(sl_shm_active_bank(w));
	/* explicit other size with a live data plane: kept */
	atomic_store(&sl_shm_hdr(w)->dp_pid, getpid());
	sl_shm_close(w);
	w = open_ok(2 * BANK, true);
	assert_false(sl_shm_created(w));
	assert_true(sl_shm_bank_size(w) == BANK);
	/* without one: recreated with the new size */
	atomic_store(&sl_shm_hdr(w)->dp_pid, 0);
	sl_shm_close(w);
	w = open_ok(2 * BANK, true);
	assert_true(sl_shm_created(w));
	assert_true(sl_shm_bank_size(w) == 2 * BANK);
	assert_true(sl_shm_generation(w) == 0);
	sl_shm_close(w);
}

static void poke32(size_t off, uint32_t v)
{
	int fd = open(seg, O_RDWR);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &v, sizeof(v), (off_t)off), sizeof(v));
	close(fd);
}

static void poke64(size_t off, uint64_t v)
{
	int fd = open(seg, O_RDWR);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &v, sizeof(v), (off_t)off), sizeof(v));
	close(fd);
}

static void test_refuse(void **state)
{
	struct sl_shm_writer *w = open_ok(BANK, false);
	char err[512];

	sl_shm_close(w);
	/* another ABI version */
	poke32(offsetof(struct sl_shm_header, abi_version), SL_SHM_ABI_VERSION + 1);
	assert_null(sl_shm_open(seg, BANK, false, err, sizeof(err)));
	assert_int_equal(errno, EPROTO);
	assert_non_null(strstr(err, "remove"));
	poke32(offsetof(struct sl_shm_header, abi_version), SL_SHM_ABI_VERSION);
	/* a second live sluiced */
	poke32(offsetof(struct sl_shm_header, writer_pid), (uint32_t)getppid());
	assert_null(sl_shm_open(seg, BANK, false, err, sizeof(err)));
	assert_int_equal(errno, EBUSY);
	poke32(offsetof(struct sl_shm_header, writer_pid), 0);
	w = open_ok(BANK, false);
	assert_false(sl_shm_created(w));
	sl_shm_close(w);
	/* never completed (magic 0): recreated */
	poke64(offsetof(struct sl_shm_header, magic), 0);
	w = open_ok(BANK, false);
	assert_true(sl_shm_created(w));
	/* removed under us */
	assert_false(sl_shm_writer_replaced(w));
	unlink(seg);
	assert_true(sl_shm_writer_replaced(w));
	sl_shm_close(w);
	/* bad bank sizes */
	assert_null(sl_shm_open(seg, 1000, false, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
}

/* A hugetlbfs directory with at least `pages` free unreserved huge pages
 * ($SL_TEST_HUGETLBFS, default /dev/hugepages), its page size in *page and
 * those free pages in *avail; NULL (the test skips) when there is none. */
static const char *huge_dir(long pages, uint64_t *page, long *avail)
{
	const char *dir = getenv("SL_TEST_HUGETLBFS");
	char path[128];
	struct statfs sf;
	long n[2] = {-1, -1};
	const char *what[2] = {"free_hugepages", "resv_hugepages"};

	dir = dir ? dir : "/dev/hugepages";
	if (statfs(dir, &sf) != 0 || (uint64_t)sf.f_type != HUGETLBFS_MAGIC ||
	    access(dir, W_OK) != 0) {
		print_message("skipped: %s is not a writable hugetlbfs mount\n", dir);
		return NULL;
	}
	*page = (uint64_t)sf.f_bsize;
	for (int i = 0; i < 2; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB/%s",
			 *page >> 10, what[i]);
		f = fopen(path, "r");
		if (f && fscanf(f, "%ld", &n[i]) != 1)
			n[i] = -1;
		if (f)
			fclose(f);
	}
	if (n[0] < 0 || n[1] < 0 || n[0] - n[1] < pages) {
		print_message("skipped: %ld free huge pages, %ld needed\n", n[0] - n[1], pages);
		return NULL;
	}
	*avail = n[0] - n[1];
	return dir;
}

/* The segment on hugetlbfs: its size a whole number of huge pages, the
 * layout re-opened as valid, banks written through the mapping; and too
 * few huge pages are an error at open (not a SIGBUS later), leaving no
 * file behind. */
static void test_hugetlbfs(void **state)
{
	uint64_t page = 0, size = sl_shm_segment_size(BANK);
	long avail = 0;
	const char *dir = huge_dir(1, &page, &avail);
	struct sl_shm_writer *w;
	struct fill_rec r = {0};
	struct stat st;
	char err[512] = "";

	if (dir == NULL || huge_dir((long)((size + page - 1) / page), &page, &avail) == NULL)
		skip();
	snprintf(seg, sizeof(seg), "%s/sl-ctl-test-%d", dir, (int)getpid());
	unlink(seg);
	w = open_ok(BANK, false);
	assert_true(sl_shm_created(w));
	assert_true(sl_shm_page_size(w) == page);
	assert_int_equal(stat(seg, &st), 0);
	assert_true((uint64_t)st.st_size % page == 0);
	assert_true((uint64_t)st.st_size == sl_shm_hdr(w)->segment_size);
	assert_true(sl_shm_hdr(w)->segment_size >= size);
	assert_true(sl_shm_hdr(w)->segment_size - size < page);
	assert_true(sl_shm_hdr(w)->stats_offset == sl_shm_hdr(w)->bank_offset[1] + BANK);
	for (int i = 0; i < 3; i++)
		assert_int_equal(sl_shm_publish(w, fill, &r, NULL, NULL, NULL), 0);
	memset(r.bank, 0xa5, BANK); /* every byte of a bank is backed */
	assert_true(sl_shm_generation(w) == 3);
	sl_shm_close(w);
	w = open_ok(BANK, false); /* the padded layout is valid on re-open */
	assert_false(sl_shm_created(w));
	assert_true(sl_shm_generation(w) == 3);
	sl_shm_close(w);
	unlink(seg);

	/* more huge pages than there are: refused at open, with the numbers */
	assert_non_null(huge_dir(0, &page, &avail));
	if ((uint64_t)(avail + 2) * page / 2 > SL_SHM_MAX_BANK_SIZE)
		return; /* more free huge pages than the biggest segment */
	assert_null(sl_shm_open(seg, (uint64_t)(avail + 2) * page / 2, false, err, sizeof(err)));
	assert_true(errno == ENOMEM || errno == ENOSPC);
	assert_non_null(strstr(err, "huge pages"));
	assert_int_equal(stat(seg, &st), -1);
	snprintf(err, sizeof(err), "%s.tmp.%d", seg, (int)getpid());
	assert_int_equal(stat(err, &st), -1);
}

static void test_parse_size(void **state)
{
	uint64_t v;

	assert_int_equal(sl_parse_size("67108864", &v), 0);
	assert_true(v == 67108864);
	assert_int_equal(sl_parse_size("64M", &v), 0);
	assert_true(v == 64u << 20);
	assert_int_equal(sl_parse_size("64MiB", &v), 0);
	assert_true(v == 64u << 20);
	assert_int_equal(sl_parse_size("512k", &v), 0);
	assert_true(v == 512u << 10);
	assert_int_equal(sl_parse_size("2G", &v), 0);
	assert_true(v == UINT64_C(2) << 30);
	assert_int_equal(sl_parse_size("", &v), -EINVAL);
	assert_int_equal(sl_parse_size("M", &v), -EINVAL);
	assert_int_equal(sl_parse_size("-1", &v), -EINVAL);
	assert_int_equal(sl_parse_size("64X", &v), -EINVAL);
	assert_int_equal(sl_parse_size("64M2", &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_create, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_banks_alternate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reader_blocks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dead_or_absent_dp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reopen_and_resize, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refuse, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hugetlbfs, setup, teardown),
	    cmocka_unit_test(test_parse_size),
	};

	sl_log_level = SL_LOG_ERROR;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
