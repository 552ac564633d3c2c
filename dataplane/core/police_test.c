/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * police.c: the main lcore applying police sections of successive
 * generations to sluice-dp's buckets (a rate change keeps the bucket, a new
 * tag at an index resets it, a hole removes it, indexes beyond the table
 * are left alone) and the export of the counters to the stats area.
 * Banks are built by hand in private memory: only the section matters.
 */
#include "sl_core_test.h"
#include "sl_policer.h"

#define T_BANK_SIZE 65536u
#define T_MAX 8u

static struct sl_dp dp;
static struct sl_shm shm;
static uint8_t *bank;

/* Publish generation `gen` whose police section holds `pols` (n entries;
 * NULL: no section) to the main lcore's context. */
static void publish(uint64_t gen, const struct sl_pol_ent *pols, uint32_t n)
{
	struct sl_bank_header *h = (struct sl_bank_header *)bank;
	struct sl_pol_sec *s = (struct sl_pol_sec *)(bank + 256);

	memset(bank, 0, T_BANK_SIZE);
	h->magic = SL_BANK_MAGIC;
	h->generation = gen;
	if (pols) {
		s->n_pols = n;
		s->pol_off = 64;
		s->ip_off = s->ip6_off = s->size = 64 + n * sizeof(*pols);
		memcpy((uint8_t *)s + 64, pols, n * sizeof(*pols));
		h->police_off = 256;
		h->police_size = s->size;
	}
	dp.main_w->bank = h;
	dp.main_w->gen = gen;
}

static struct sl_pol_ent ent(uint64_t mbps, uint64_t tag)
{
	struct sl_pol_conf c;

	assert_int_equal(sl_pol_conf_mbps(&c, (unsigned int)mbps), 0);
	return (struct sl_pol_ent){.rate = c.cir, .burst = c.cbs, .tag = tag,
				   .parent = SL_POL_IDX_NONE, .kind = SL_POL_KIND_IP};
}

/* Frames of 1,000 bytes that policer `id` passes at time `now` (of `n`). */
static unsigned int passed(uint32_t id, unsigned int n, uint64_t now)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < n; i++)
		k += sl_pol_meter(dp.pol, 1, id, 1000, now) != SL_POL_RED;
	return k;
}

static int setup(void **state)
{
	(void)state;
	sl_t_eal_init();
	memset(&dp, 0, sizeof(dp));
	memset(&shm, 0, sizeof(shm));
	shm.stats = calloc(1, sizeof(*shm.stats));
	bank = aligned_alloc(64, T_BANK_SIZE);
	dp.shm = &shm;
	dp.n_workers = 1;
	dp.main_w = calloc(1, sizeof(*dp.main_w));
	assert_non_null(shm.stats);
	assert_non_null(bank);
	assert_non_null(dp.main_w);
	assert_int_equal(sl_police_create(&dp, T_MAX), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sl_police_free(&dp);
	free(dp.main_w);
	free(shm.stats);
	free(bank);
	return 0;
}

static void test_generations(void **state)
{
	const uint64_t t0 = rte_get_tsc_hz() * 100;
	struct sl_pol_ent p[T_MAX + 2];
	struct sl_pol_stats s;

	(void)state;
	memset(p, 0, sizeof(p));
	p[0] = ent(1, 0xa);
	p[2] = ent(2, 0xb);
	publish(1, p, 3);
	sl_police_sync(&dp, t0);
	assert_true(sl_pol_active(dp.pol, 0));
	assert_false(sl_pol_active(dp.pol, 1)); /* a hole */
	assert_true(sl_pol_active(dp.pol, 2));
	/* 1 Mbps: a full bucket of 25,000 bytes (200 ms) */
	assert_int_equal(passed(0, 26, t0), 25);

	/* same generation again: nothing happens (no refill) */
	sl_police_sync(&dp, t0);
	assert_int_equal(passed(0, 1, t0), 0);

	/* a rate change of the same object: the bucket is kept as it is */
	p[0] = ent(2, 0xa);
	publish(2, p, 3);
	sl_police_sync(&dp, t0);
	assert_int_equal(passed(0, 1, t0), 0);
	assert_int_equal(sl_pol_stats(dp.pol, 0, &s), 0);
	assert_int_equal(s.conform_pkts, 25); /* counters go on */
	assert_int_equal(s.exceed_pkts, 3);
	/* ... and refills at the new rate: 2 Mbps = 250 bytes per ms */
	assert_int_equal(passed(0, 3, t0 + rte_get_tsc_hz() / 100), 2); /* +2,500 bytes */

	/* the index now names another object: a full bucket (2 Mbps: 50,000
	 * bytes), counters from 0 */
	p[0] = ent(2, 0xc);
	publish(3, p, 3);
	sl_police_sync(&dp, t0 + rte_get_tsc_hz() / 100);
	assert_int_equal(sl_pol_stats(dp.pol, 0, &s), 0);
	assert_int_equal(s.conform_pkts + s.exceed_pkts, 0);
	assert_int_equal(passed(0, 51, t0 + rte_get_tsc_hz() / 100), 50);

	/* export: applied tags, rates and counters; n_pol_export = the table */
	sl_police_export(&dp);
	assert_int_equal(shm.stats->n_pol_export, T_MAX);
	assert_int_equal(shm.stats->pol[0].tag, 0xc);
	assert_int_equal(shm.stats->pol[0].rate, 250000);
	assert_int_equal(shm.stats->pol[0].conform_pkts, 50);
	assert_int_equal(shm.stats->pol[0].conform_bytes, 50000);
	assert_int_equal(shm.stats->pol[0].exceed_pkts, 1);
	assert_int_equal(shm.stats->pol[1].tag, 0);
	assert_int_equal(shm.stats->pol[2].tag, 0xb);

	/* removed (a hole now, and index 2 beyond n_pols): uncounted passes */
	memset(&p[0], 0, sizeof(p[0]));
	publish(4, p, 1);
	sl_police_sync(&dp, t0);
	assert_false(sl_pol_active(dp.pol, 0));
	assert_false(sl_pol_active(dp.pol, 2));
	assert_int_equal(passed(0, 100, t0), 100);
	sl_police_export(&dp);
	assert_int_equal(shm.stats->pol[0].tag, 0);
	assert_int_equal(shm.stats->pol[2].tag, 0);

	/* more policers than the table: those within are applied, a warning */
	p[1] = ent(5, 0xd);
	p[T_MAX + 1] = ent(5, 0xe);
	publish(5, p, T_MAX + 2);
	sl_police_sync(&dp, t0);
	assert_true(sl_pol_active(dp.pol, 1));
	assert_true(dp.pol_warned);

	/* no section at all: everything removed */
	publish(6, NULL, 0);
	sl_police_sync(&dp, t0);
	assert_false(sl_pol_active(dp.pol, 1));
}

/* policers 0: no table, nothing to apply or export */
static void test_off(void **state)
{
	struct sl_dp off = {.n_workers = 1};

	(void)state;
	assert_int_equal(sl_police_create(&off, 0), 0);
	assert_null(off.pol);
	sl_police_sync(&off, 1);
	sl_police_free(&off);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_generations, setup, teardown),
	    cmocka_unit_test(test_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
