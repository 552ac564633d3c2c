/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the policers (policer.c), one thread, on a synthetic
 * clock of 2^30 units per second, so that rates of k x 1024 bytes/s are
 * exact in the 32.32 fixed point and every token can be counted:
 * the Mbps mapping and its burst sizes, srTCM (two and three colours),
 * trTCM, burst after idle, rate and burst changes, removal and re-creation,
 * two-level metering with the refund, bad configurations, and the
 * rounding error at a real TSC rate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sl_policer.h"

#define HZ (1ull << 30)
#define SEC(x) ((uint64_t)((x) * (double)HZ))

static struct sl_pol_table *t;

static int setup(void **state)
{
	(void)state;
	t = sl_pol_create(8, 2, HZ);
	return t == NULL;
}

static int teardown(void **state)
{
	(void)state;
	sl_pol_free(t);
	t = NULL;
	return 0;
}

static struct sl_pol_conf sr(uint64_t cir, uint32_t cbs, uint32_t ebs)
{
	return (struct sl_pol_conf){.mode = SL_POL_SRTCM, .cir = cir, .cbs = cbs, .ebs = ebs};
}

static void expect_stats(uint32_t id, uint64_t cp, uint64_t cb, uint64_t xp, uint64_t xb)
{
	struct sl_pol_stats s;

	assert_int_equal(sl_pol_stats(t, id, &s), 0);
	assert_int_equal(s.conform_pkts, cp);
	assert_int_equal(s.conform_bytes, cb);
	assert_int_equal(s.exceed_pkts, xp);
	assert_int_equal(s.exceed_bytes, xb);
}

static void test_conf_mbps(void **state)
{
	struct sl_pol_conf c;

	(void)state;
	assert_int_equal(sl_pol_conf_mbps(&c, 1), 0);
	assert_int_equal(c.mode, SL_POL_SRTCM);
	assert_int_equal(c.cir, 125000);
	assert_int_equal(c.cbs, 25000); /* 200 ms */
	assert_int_equal(c.ebs, 0);
	assert_int_equal(sl_pol_conf_mbps(&c, 20), 0);
	assert_int_equal(c.cbs, 500000); /* 200 ms of 20 Mbps */
	assert_int_equal(sl_pol_conf_mbps(&c, 671), 0);
	assert_int_equal(c.cbs, 16775000); /* 200 ms, just under 16 MiB */
	assert_int_equal(sl_pol_conf_mbps(&c, 672), 0);
	assert_int_equal(c.cbs, SL_POL_BUCKET_MAX); /* capped */
	assert_int_equal(sl_pol_conf_mbps(&c, 5000), 0);
	assert_int_equal(c.cir, 625000000);
	assert_int_equal(c.cbs, SL_POL_BUCKET_MAX); /* 27 ms of 5000 Mbps */
	assert_int_equal(sl_pol_set(t, 0, &c, 0), 0);
	assert_int_equal(sl_pol_conf_mbps(&c, 0), -1);
	assert_int_equal(sl_pol_conf_mbps(&c, SL_POL_MBPS_MAX + 1), -1);
	assert_int_equal(sl_pol_conf_mbps(&c, SL_POL_MBPS_MAX), 0);
	assert_int_equal(sl_pol_set(t, 1, &c, 0), 0);
}

/* srTCM, EBS 0: CIR 1024 B/s, CBS 3000, every token accounted for. */
static void test_srtcm_exact(void **state)
{
	struct sl_pol_conf c = sr(1024, 3000, 0);

	(void)state;
	assert_int_equal(sl_pol_set(t, 2, &c, SEC(10)), 0);
	/* Created full: 3 x 1000 pass, the 4th does not. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(sl_pol_meter(t, 0, 2, 1000, SEC(10)), SL_POL_GREEN);
	assert_int_equal(sl_pol_meter(t, 1, 2, 1000, SEC(10)), SL_POL_RED);
	/* 0.5 s later: exactly 512 bytes. */
	assert_int_equal(sl_pol_meter(t, 0, 2, 513, SEC(10.5)), SL_POL_RED);
	assert_int_equal(sl_pol_meter(t, 0, 2, 512, SEC(10.5)), SL_POL_GREEN);
	assert_int_equal(sl_pol_meter(t, 0, 2, 1, SEC(10.5)), SL_POL_RED);
	/* One clock unit after that: 1024 / 2^30 bytes, still nothing whole. */
	assert_int_equal(sl_pol_meter(t, 0, 2, 1, SEC(10.5) + 1), SL_POL_RED);
	/* 1/1024 s: exactly one byte (the RED packets took nothing). */
	assert_int_equal(sl_pol_meter(t, 0, 2, 1, SEC(10.5) + HZ / 1024), SL_POL_GREEN);
	assert_int_equal(sl_pol_meter(t, 0, 2, 1, SEC(10.5) + HZ / 1024), SL_POL_RED);
	/* A clock that goes backwards (another worker's older TSC) earns nothing. */
	assert_int_equal(sl_pol_meter(t, 1, 2, 1, SEC(10)), SL_POL_RED);
	expect_stats(2, 5, 3513, 6, 1000 + 513 + 1 + 1 + 1 + 1);
}

/* srTCM with EBS: C's overflow fills E, E gives YELLOW. */
static void test_srtcm_three_colours(void **state)
{
	struct sl_pol_conf c = sr(1024, 1000, 1500);

	(void)state;
	assert_int_equal(sl_pol_set(t, 3, &c, 0), 0);
	assert_int_equal(sl_pol_meter(t, 0, 3, 1000, 0), SL_POL_GREEN);
	assert_int_equal(sl_pol_meter(t, 0, 3, 1000, 0), SL_POL_YELLOW);
	assert_int_equal(sl_pol_meter(t, 0, 3, 501, 0), SL_POL_RED); /* E has 500 */
	assert_int_equal(sl_pol_meter(t, 0, 3, 500, 0), SL_POL_YELLOW);
	/* 2 s = 2048 bytes: C fills (1000), 1048 overflow to E. */
	assert_int_equal(sl_pol_meter(t, 0, 3, 1049, SEC(2)), SL_POL_RED);
	assert_int_equal(sl_pol_meter(t, 0, 3, 1048, SEC(2)), SL_POL_YELLOW);
	assert_int_equal(sl_pol_meter(t, 0, 3, 1, SEC(2)), SL_POL_GREEN); /* C kept 1000 */
	assert_int_equal(sl_pol_meter(t, 0, 3, 1000, SEC(2)), SL_POL_RED);
	/* Long idle: both full, no more. */
	assert_int_equal(sl_pol_meter(t, 0, 3, 1000, SEC(1000)), SL_POL_GREEN);
	assert_int_equal(sl_pol_meter(t, 0, 3, 1500, SEC(1000)), SL_POL_YELLOW);
	assert_int_equal(sl_pol_meter(t, 0, 3, 1, SEC(1000)), SL_POL_RED);
}

/* trTCM: CIR 1024, PIR 2048, CBS 1000, PBS 2000. */
static void test_trtcm(void **state)
{
	struct sl_pol_conf c = {
	    .mode = SL_POL_TRTCM, .cir = 1024, .pir = 2048, .cbs = 1000, .ebs = 2000};

	(void)state;
	assert_int_equal(sl_pol_set(t, 4, &c, 0), 0);
	assert_int_equal(sl_pol_meter(t, 0, 4, 1000, 0), SL_POL_GREEN);	 /* tc 0, tp 1000 */
	assert_int_equal(sl_pol_meter(t, 0, 4, 1000, 0), SL_POL_YELLOW); /* tp 0 */
	assert_int_equal(sl_pol_meter(t, 0, 4, 1, 0), SL_POL_RED);
	/* 0.5 s: tc 512, tp 1024. */
	assert_int_equal(sl_pol_meter(t, 0, 4, 1025, SEC(0.5)), SL_POL_RED);
	assert_int_equal(sl_pol_meter(t, 0, 4, 513, SEC(0.5)), SL_POL_YELLOW); /* tp 511 */
	assert_int_equal(sl_pol_meter(t, 0, 4, 511, SEC(0.5)), SL_POL_GREEN);  /* tc 1, tp 0 */
	assert_int_equal(sl_pol_meter(t, 0, 4, 1, SEC(0.5)), SL_POL_RED);
	expect_stats(4, 4, 3024, 3, 1 + 1025 + 1);
}

/* Burst: after any idle time exactly CBS bytes pass back to back. */
static void test_burst(void **state)
{
	struct sl_pol_conf c;
	uint64_t sent = 0;

	(void)state;
	assert_int_equal(sl_pol_conf_mbps(&c, 100), 0); /* CBS 2,500,000 */
	assert_int_equal(sl_pol_set(t, 5, &c, 0), 0);
	for (int round = 1; round <= 3; round++) {
		uint64_t now = SEC(100 * round), ok = 0;

		while (sl_pol_meter(t, 0, 5, 100, now) != SL_POL_RED)
			ok += 100;
		assert_int_equal(ok, 2500000);
		sent += ok;
	}
	expect_stats(5, sent / 100, sent, 3, 300);
}

/* Rate and burst changes take effect at once; tokens earned before the
 * change at the old rate are kept (up to the new bucket). */
static void test_rate_change(void **state)
{
	struct sl_pol_conf c = sr(1024, 4096, 0);

	(void)state;
	assert_int_equal(sl_pol_set(t, 6, &c, 0), 0);
	assert_int_equal(sl_pol_meter(t, 0, 6, 4096, 0), SL_POL_GREEN); /* empty */
	/* 1 s at 1024, then the rate goes to 2048. */
	c.cir = 2048;
	assert_int_equal(sl_pol_set(t, 6, &c, SEC(1)), 0);
	/* 1 s more at 2048: 1024 + 2048 = 3072 tokens. */
	assert_int_equal(sl_pol_meter(t, 0, 6, 3073, SEC(2)), SL_POL_RED);
	assert_int_equal(sl_pol_meter(t, 0, 6, 3072, SEC(2)), SL_POL_GREEN);
	/* A smaller bucket cuts the tokens at once. */
	assert_int_equal(sl_pol_meter(t, 0, 6, 1, SEC(10)), SL_POL_GREEN); /* full: 4095 left */
	c.cbs = 1000;
	assert_int_equal(sl_pol_set(t, 6, &c, SEC(10)), 0);
	assert_int_equal(sl_pol_meter(t, 0, 6, 1001, SEC(10)), SL_POL_RED);
	assert_int_equal(sl_pol_meter(t, 0, 6, 1000, SEC(10)), SL_POL_GREEN);
	/* Slower: 256 B/s from here. */
	c.cir = 256;
	assert_int_equal(sl_pol_set(t, 6, &c, SEC(10)), 0);
	assert_int_equal(sl_pol_meter(t, 0, 6, 257, SEC(11)), SL_POL_RED);
	assert_int_equal(sl_pol_meter(t, 0, 6, 256, SEC(11)), SL_POL_GREEN);
	/* A bad change is refused and changes nothing. */
	c.cir = 0;
	assert_int_equal(sl_pol_set(t, 6, &c, SEC(12)), -1);
	assert_int_equal(sl_pol_meter(t, 0, 6, 257, SEC(12)), SL_POL_RED);
	assert_int_equal(sl_pol_meter(t, 0, 6, 256, SEC(12)), SL_POL_GREEN);
}

/* Removal: packets pass uncounted; re-creation starts full and at zero. */
static void test_removal(void **state)
{
	struct sl_pol_conf c = sr(1024, 1000, 0);

	(void)state;
	assert_false(sl_pol_active(t, 7));
	assert_int_equal(sl_pol_meter(t, 0, 7, 5000, 0), SL_POL_GREEN); /* never set */
	assert_int_equal(sl_pol_set(t, 7, &c, 0), 0);
	assert_true(sl_pol_active(t, 7));
	assert_int_equal(sl_pol_meter(t, 0, 7, 1000, 0), SL_POL_GREEN);
	assert_int_equal(sl_pol_meter(t, 1, 7, 1000, 0), SL_POL_RED);
	expect_stats(7, 1, 1000, 1, 1000);
	assert_int_equal(sl_pol_del(t, 7), 0);
	assert_false(sl_pol_active(t, 7));
	assert_int_equal(sl_pol_meter(t, 0, 7, 1000, 0), SL_POL_GREEN);
	assert_int_equal(sl_pol_meter(t, 0, 7, 1000, 0), SL_POL_GREEN);
	expect_stats(7, 1, 1000, 1, 1000);
	assert_int_equal(sl_pol_set(t, 7, &c, SEC(0.1)), 0);
	expect_stats(7, 0, 0, 0, 0);
	assert_int_equal(sl_pol_meter(t, 1, 7, 1000, SEC(0.1)), SL_POL_GREEN);
	assert_int_equal(sl_pol_meter(t, 1, 7, 1, SEC(0.1)), SL_POL_RED);
	expect_stats(7, 1, 1000, 1, 1);
	assert_int_equal(sl_pol_del(t, 8), -1);
	assert_int_equal(sl_pol_meter(t, 0, SL_POL_NONE, 1000, 0), SL_POL_GREEN);
}

/* Two levels: member 0 (own 1024 B/s, CBS 2000) in package 1 (1024 B/s,
 * CBS 1000); member 2 (own 1024, CBS 1000) in the same package. */
static void test_two_levels(void **state)
{
	struct sl_pol_conf own = sr(1024, 2000, 0), own2 = sr(1024, 1000, 0),
			   agg = sr(1024, 1000, 0);

	(void)state;
	assert_int_equal(sl_pol_set(t, 0, &own, 0), 0);
	assert_int_equal(sl_pol_set(t, 1, &agg, 0), 0);
	assert_int_equal(sl_pol_set(t, 2, &own2, 0), 0);
	assert_int_equal(sl_pol_meter2(t, 0, 0, 1, 1000, 0), SL_POL_GREEN); /* own 1000, agg 0 */
	/* The package drops: member 0 keeps its 1000 (refund). */
	assert_int_equal(sl_pol_meter2(t, 0, 0, 1, 1000, 0), SL_POL_RED);
	assert_int_equal(sl_pol_meter2(t, 0, 0, 1, 1000, 0), SL_POL_RED);
	assert_int_equal(sl_pol_meter2(t, 0, 2, 1, 1000, 0), SL_POL_RED);
	expect_stats(0, 1, 1000, 0, 0);
	expect_stats(1, 1, 1000, 3, 3000);
	expect_stats(2, 0, 0, 0, 0);
	assert_int_equal(sl_pol_meter(t, 0, 0, 1000, 0), SL_POL_GREEN); /* the refunded 1000 */
	assert_int_equal(sl_pol_meter(t, 0, 0, 1, 0), SL_POL_RED);
	/* 1 s: own 0 has 1024, the package 1000 (full), member 2 1000. */
	assert_int_equal(sl_pol_meter2(t, 1, 2, 1, 1000, SEC(1)), SL_POL_GREEN);
	assert_int_equal(sl_pol_meter2(t, 1, 0, 1, 1000, SEC(1)), SL_POL_RED);
	/* The member's own limit drops first: the package is not charged. */
	assert_int_equal(sl_pol_meter2(t, 1, 2, 1, 1000, SEC(1.5)), SL_POL_RED); /* own 512 */
	assert_int_equal(sl_pol_meter2(t, 1, 0, 1, 1000, SEC(2)), SL_POL_GREEN);
	expect_stats(0, 3, 3000, 1, 1);
	expect_stats(1, 3, 3000, 4, 4000);
	expect_stats(2, 1, 1000, 1, 1000);
	/* Package removed: only the member limits apply. */
	assert_int_equal(sl_pol_del(t, 1), 0);
	assert_int_equal(sl_pol_meter2(t, 0, 0, 1, 2000, SEC(3)), SL_POL_GREEN);
	assert_int_equal(sl_pol_meter2(t, 0, 0, 1, 1, SEC(3)), SL_POL_RED);
	/* No own limit: the package alone. */
	assert_int_equal(sl_pol_set(t, 1, &agg, SEC(3)), 0);
	assert_int_equal(sl_pol_meter2(t, 0, SL_POL_NONE, 1, 1000, SEC(3)), SL_POL_GREEN);
	assert_int_equal(sl_pol_meter2(t, 0, SL_POL_NONE, 1, 1, SEC(3)), SL_POL_RED);
	/* YELLOW at one level makes the packet YELLOW. */
	agg = sr(1024, 1, 1000);
	assert_int_equal(sl_pol_set(t, 1, &agg, SEC(3)), 0);
	assert_int_equal(sl_pol_meter2(t, 0, 2, 1, 500, SEC(5)), SL_POL_YELLOW);
}

static void test_bad_conf(void **state)
{
	struct sl_pol_conf c = sr(1024, 1000, 0);

	(void)state;
	assert_null(sl_pol_create(0, 1, HZ));
	assert_null(sl_pol_create(4, 0, HZ));
	assert_null(sl_pol_create(4, 1, 0));
	assert_int_equal(sl_pol_set(t, 8, &c, 0), -1); /* id out of range */
	c.cbs = 0;
	assert_int_equal(sl_pol_set(t, 0, &c, 0), -1);
	c.cbs = SL_POL_BUCKET_MAX + 1;
	assert_int_equal(sl_pol_set(t, 0, &c, 0), -1);
	c = (struct sl_pol_conf){
	    .mode = SL_POL_TRTCM, .cir = 2048, .pir = 1024, .cbs = 1, .ebs = 1};
	assert_int_equal(sl_pol_set(t, 0, &c, 0), -1); /* PIR < CIR */
	c.pir = 4096;
	c.ebs = 0;
	assert_int_equal(sl_pol_set(t, 0, &c, 0), -1); /* PBS 0 */
	c.mode = 9;
	assert_int_equal(sl_pol_set(t, 0, &c, 0), -1);
	assert_false(sl_pol_active(t, 0));
}

/* At a real TSC rate: the rate rounds down by less than 1e-7 and each
 * passing packet loses less than 1/256 byte of credit (docs/policer.md). */
static void test_rounding_real_clock(void **state)
{
	const uint64_t hz = 2394123456ull; /* an odd TSC rate */
	struct sl_pol_table *rt = sl_pol_create(1, 1, hz);
	struct sl_pol_conf c;
	struct sl_pol_stats s;
	const uint64_t secs = 100;
	uint64_t expect;

	(void)state;
	assert_non_null(rt);
	assert_int_equal(sl_pol_conf_mbps(&c, 1), 0);
	assert_int_equal(sl_pol_set(rt, 0, &c, 0), 0);
	/* 64-byte packets offered at ~4x the rate for 100 s. */
	for (uint64_t now = 0; now < secs * hz; now += hz / 8000)
		sl_pol_meter(rt, 0, 0, 64, now);
	assert_int_equal(sl_pol_stats(rt, 0, &s), 0);
	expect = 125000 * secs + c.cbs;
	assert_true(s.conform_bytes <= expect);
	assert_true(s.conform_bytes + 64 + s.conform_pkts / 256 + expect / 1000000 >= expect);
	assert_true(s.conform_bytes * 1.0001 >= expect);
	sl_pol_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_conf_mbps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_srtcm_exact, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_srtcm_three_colours, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_trtcm, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_burst, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rate_change, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_removal, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_two_levels, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_conf, setup, teardown),
	    cmocka_unit_test(test_rounding_real_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
