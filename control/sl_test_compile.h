/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the compiler's unit tests (header-only, tests only;
 * include after <cmocka.h>): compile a store into a bank and read a VPC's
 * table the way sluice-dp does; the left-right harness every section
 * compiler's test runs.
 */
#ifndef SL_TEST_COMPILE_H
#define SL_TEST_COMPILE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "sl_compile.h"

/** Host-order IPv4 address of a dotted quad. */
static inline uint32_t sl_t_ip4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return ntohl(a.s_addr);
}

/** Compile `s` and write it into `bank` as generation `gen`. */
static inline void sl_t_build(struct sl_compiler *c, const struct sl_store *s, void *bank,
			      uint64_t size, uint64_t gen)
{
	struct sl_compile_stats st;

	assert_int_equal(sl_compile(c, s, &st), 0);
	assert_int_equal(sl_compile_layout(c, bank, size, gen), 0);
}

/** The next hop of `addr` in VPC `vpc`'s table of bank `h`. */
static inline const struct sl_nexthop *sl_t_vpc_nh(const struct sl_bank_header *h,
						   const char *vpc, uint32_t addr)
{
	const struct sl_vpc *v = SL_BANK_PTR(h, h->vpc_off, const struct sl_vpc);

	for (uint32_t i = 0; i < h->n_vpcs; i++)
		if (strcmp(v[i].id, vpc) == 0) {
			uint32_t nh =
			    sl_rt4_find(SL_BANK_PTR(h, v[i].rt.v4_off, const struct sl_rt4_entry),
					v[i].rt.v4_n, addr);

			assert_true(nh < h->n_nexthops);
			return SL_BANK_PTR(h, h->nh_off, const struct sl_nexthop) + nh;
		}
	fail_msg("no VPC %s", vpc);
	return NULL;
}

/**
 * A left-right test: the compiler sluiced keeps across generations writes
 * each store of `load` into the two banks in turn (generation g into bank
 * g & 1, then sl_compile_sync_bank() brings the other one up to date, as
 * sluiced does after sluice-dp acknowledged the flip); after each step both
 * banks must print (`dump`) exactly what a fresh compiler makes of the same
 * store, and no bank may be left dirty. `check` (optional) then asserts
 * what the test is about on the two banks (`cur` is the one just written)
 * and the fresh reference. Steps run `rounds` times over so that every
 * step follows every other one in both banks.
 */
struct sl_t_left_right {
	unsigned int n_steps;
	unsigned int rounds;
	uint64_t size; /**< bytes per bank */
	struct sl_store *(*load)(unsigned int step, void *arg);
	/** optional: before each incremental compile (e.g. mark VPCs dirty) */
	void (*before)(struct sl_compiler *c, void *arg);
	char *(*dump)(const void *bank); /**< malloc'd text of what is compared */
	void (*check)(unsigned int step, void *const bank[2], unsigned int cur, const void *ref,
		      void *arg);
	void *arg;
};

static inline void sl_t_run_left_right(const struct sl_t_left_right *t)
{
	struct sl_compiler *c = sl_compiler_new();
	void *bank[2] = {aligned_alloc(64, t->size), aligned_alloc(64, t->size)};
	void *ref = aligned_alloc(64, t->size);

	assert_non_null(c);
	assert_non_null(bank[0]);
	assert_non_null(bank[1]);
	assert_non_null(ref);
	memset(bank[0], 0, t->size);
	memset(bank[1], 0, t->size);
	for (uint64_t gen = 1; gen <= (uint64_t)t->rounds * t->n_steps; gen++) {
		unsigned int step = (unsigned int)((gen - 1) % t->n_steps);
		unsigned int cur = (unsigned int)(gen & 1);
		struct sl_store *s = t->load(step, t->arg);
		struct sl_compiler *fresh = sl_compiler_new();
		char *want;

		if (t->before)
			t->before(c, t->arg);
		sl_t_build(c, s, bank[cur], t->size, gen);
		assert_int_equal(sl_compile_sync_bank(c, cur ^ 1, bank[cur ^ 1], t->size), 0);
		assert_false(sl_compile_bank_dirty(c, 0));
		assert_false(sl_compile_bank_dirty(c, 1));
		memset(ref, 0, t->size);
		sl_t_build(fresh, s, ref, t->size, gen);
		want = t->dump(ref);
		for (unsigned int b = 0; b < 2; b++) {
			char *got = t->dump(bank[b]);

			assert_string_equal(got, want);
			free(got);
		}
		free(want);
		if (t->check)
			t->check(step, bank, cur, ref, t->arg);
		sl_compiler_free(fresh);
		sl_store_free(s);
	}
	free(bank[0]);
	free(bank[1]);
	free(ref);
	sl_compiler_free(c);
}

#endif /* SL_TEST_COMPILE_H */
