/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policers from four real threads (more than the machine's two cores), as
 * workers that receive the same public IP's flows on different queues.
 * Each packet takes its time from one shared synthetic clock (an atomic
 * counter advanced by the gap that makes the offered load twice the rate),
 * so the threads race on the bucket with nearly ordered, interleaved times:
 *   1. one policer: the conforming bytes over the interval are within
 *      [rate x T + CBS - 0.1%, rate x T + CBS] (no token created or lost
 *      by the concurrent CAS), every packet counted once;
 *   2. two levels: two members, each offered its own 2x, with a package at
 *      the rate of one member: the package passes within the same bound,
 *      neither member passes more than its own rate allows, and no packet
 *      is counted twice or lost.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sl_policer.h"

#define HZ (1ull << 30)
#define N_THR 4
#define PKT 1000u
#define RATE 1048576ull /* bytes/s: exact on this clock */
#define CBS 20000u
#define PKTS_PER_THR 200000u

static struct sl_pol_table *t;
static uint64_t clk;   /* the shared synthetic clock */
static uint64_t gap;   /* clock units between two offered packets, all threads */
static int two_levels; /* phase 2 */
static pthread_barrier_t bar;

static void *worker(void *arg)
{
	unsigned int w = (unsigned int)(uintptr_t)arg;

	pthread_barrier_wait(&bar);
	for (uint32_t i = 0; i < PKTS_PER_THR; i++) {
		uint64_t now = __atomic_fetch_add(&clk, gap, __ATOMIC_RELAXED);

		if (two_levels)
			sl_pol_meter2(t, w, 1 + (i & 1), 0, PKT, now);
		else
			sl_pol_meter(t, w, 0, PKT, now);
	}
	return NULL;
}

static void run(void)
{
	pthread_t th[N_THR];

	clk = 0;
	assert_int_equal(pthread_barrier_init(&bar, NULL, N_THR), 0);
	for (unsigned int w = 0; w < N_THR; w++)
		assert_int_equal(pthread_create(&th[w], NULL, worker, (void *)(uintptr_t)w), 0);
	for (unsigned int w = 0; w < N_THR; w++)
		pthread_join(th[w], NULL);
	pthread_barrier_destroy(&bar);
}

static void expect_within(uint64_t got, uint64_t rate, uint64_t cbs, uint64_t t_end)
{
	/* Tokens issued over [0, t_end]: rate x t_end / HZ + CBS. */
	uint64_t ideal = (uint64_t)((double)rate * (double)t_end / (double)HZ) + cbs;

	print_message("conforming %llu bytes, ideal %llu (%.4f%%)\n", (unsigned long long)got,
		      (unsigned long long)ideal,
		      100.0 * ((double)got - (double)ideal) / (double)ideal);
	assert_true(got <= ideal);
	assert_true((double)got >= (double)ideal * 0.999);
}

static void test_one_policer(void **state)
{
	struct sl_pol_conf c = {.mode = SL_POL_SRTCM, .cir = RATE, .cbs = CBS};
	struct sl_pol_stats s;

	(void)state;
	t = sl_pol_create(4, N_THR, HZ);
	assert_non_null(t);
	assert_int_equal(sl_pol_set(t, 0, &c, 0), 0);
	gap = HZ * PKT / (2 * RATE); /* offered 2x */
	two_levels = 0;
	run();
	assert_int_equal(sl_pol_stats(t, 0, &s), 0);
	assert_int_equal(s.conform_pkts + s.exceed_pkts, (uint64_t)N_THR * PKTS_PER_THR);
	assert_int_equal(s.conform_bytes, s.conform_pkts * PKT);
	assert_int_equal(s.exceed_bytes, s.exceed_pkts * PKT);
	expect_within(s.conform_bytes, RATE, CBS, clk);
	sl_pol_free(t);
}

static void test_two_levels(void **state)
{
	/* Members 1 and 2 at RATE each, the package (0) at RATE: offered 4x
	 * the package, 2x each member. */
	struct sl_pol_conf c = {.mode = SL_POL_SRTCM, .cir = RATE, .cbs = CBS};
	struct sl_pol_stats s0, s1, s2;

	(void)state;
	t = sl_pol_create(4, N_THR, HZ);
	assert_non_null(t);
	for (uint32_t id = 0; id < 3; id++)
		assert_int_equal(sl_pol_set(t, id, &c, 0), 0);
	gap = HZ * PKT / (4 * RATE);
	two_levels = 1;
	run();
	assert_int_equal(sl_pol_stats(t, 0, &s0), 0);
	assert_int_equal(sl_pol_stats(t, 1, &s1), 0);
	assert_int_equal(sl_pol_stats(t, 2, &s2), 0);
	expect_within(s0.conform_bytes, RATE, CBS, clk);
	/* What passed the package passed both levels, and only that. */
	assert_int_equal(s0.conform_pkts, s1.conform_pkts + s2.conform_pkts);
	/* Every packet: dropped by its member, or by the package, or passed. */
	assert_int_equal(s1.exceed_pkts + s2.exceed_pkts + s0.exceed_pkts + s0.conform_pkts,
			 (uint64_t)N_THR * PKTS_PER_THR);
	assert_true(s1.conform_bytes <= RATE * clk / HZ + CBS);
	assert_true(s2.conform_bytes <= RATE * clk / HZ + CBS);
	sl_pol_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_policer),
	    cmocka_unit_test(test_two_levels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
