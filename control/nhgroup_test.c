/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nhgroup.c (ECMP, issue 8): bucket tables from weights, flows spread in
 * proportion through sl_nhg_bucket(), and changes that move only the flows
 * they must: a member leaving moves only its own buckets, a member joining
 * takes buckets only for itself.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sl_nhgroup.h"

/* The member index bucket s sends to. */
static uint32_t owner(const struct sl_nh_group *g, unsigned int s)
{
	return g->member[g->slot[s]];
}

/* Buckets of member index m. */
static unsigned int buckets_of(const struct sl_nh_group *g, uint32_t m)
{
	unsigned int n = 0;

	for (unsigned int s = 0; s < SL_NHG_SLOTS; s++)
		n += owner(g, s) == m;
	return n;
}

static void test_weights(void **state)
{
	struct sl_nh_group g;
	unsigned int c[SL_NHG_MAX];

	(void)state;
	assert_int_equal(sl_nhg_build(&g, (uint32_t[]){7, 3}, (uint16_t[]){1, 1}, 2, NULL), 0);
	/* members sorted by index, so equal groups are equal bytes */
	assert_int_equal(g.n_members, 2);
	assert_int_equal(g.member[0], 3);
	assert_int_equal(g.member[1], 7);
	sl_nhg_count(&g, c);
	assert_int_equal(c[0], 32);
	assert_int_equal(c[1], 32);

	assert_int_equal(sl_nhg_build(&g, (uint32_t[]){1, 2}, (uint16_t[]){1, 3}, 2, NULL), 0);
	assert_int_equal(buckets_of(&g, 1), 16);
	assert_int_equal(buckets_of(&g, 2), 48);

	assert_int_equal(sl_nhg_build(&g, (uint32_t[]){1, 2, 3}, (uint16_t[]){1, 1, 1}, 3, NULL),
			 0);
	sl_nhg_count(&g, c);
	assert_int_equal(c[0] + c[1] + c[2], 64);
	for (unsigned int i = 0; i < 3; i++)
		assert_in_range(c[i], 21, 22);

	/* a weight far below 1/64 of the total still gets one bucket */
	assert_int_equal(sl_nhg_build(&g, (uint32_t[]){1, 2}, (uint16_t[]){1, 256}, 2, NULL), 0);
	assert_int_equal(buckets_of(&g, 1), 1);
	assert_int_equal(buckets_of(&g, 2), 63);

	/* the same member twice is one member of both weights */
	assert_int_equal(sl_nhg_build(&g, (uint32_t[]){5, 6, 5}, (uint16_t[]){1, 2, 1}, 3, NULL),
			 0);
	assert_int_equal(g.n_members, 2);
	assert_int_equal(buckets_of(&g, 5), 32);
	assert_int_equal(g.weight[0], 2);

	/* a fresh table interleaves members (no long runs of one) */
	assert_int_equal(sl_nhg_build(&g, (uint32_t[]){1, 2}, (uint16_t[]){1, 1}, 2, NULL), 0);
	for (unsigned int s = 0; s + 1 < SL_NHG_SLOTS; s++)
		assert_int_not_equal(g.slot[s], g.slot[s + 1]);

	assert_int_equal(sl_nhg_build(&g, (uint32_t[]){1, 2}, (uint16_t[]){1, 0}, 2, NULL),
			 -EINVAL);
	assert_int_equal(sl_nhg_build(&g, (uint32_t[]){0, 2}, (uint16_t[]){1, 1}, 2, NULL),
			 -EINVAL);
	assert_int_equal(sl_nhg_build(&g, (uint32_t[]){1, 2, 3, 4, 5},
				      (uint16_t[]){1, 1, 1, 1, 1}, 5, NULL),
			 -EINVAL);
}

/* A 32-bit flow hash of flow i (what sluice-dp computes from a 5-tuple or
 * gets from RSS: well mixed). */
static uint32_t flow_hash(uint32_t i)
{
	uint64_t x = (uint64_t)i * 0x9e3779b97f4a7c15ull;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(x >> 32);
}

static void test_distribution(void **state)
{
	enum { FLOWS = 100000 };
	struct sl_nh_group g;
	unsigned int per[4] = {0};

	(void)state;
	assert_int_equal(sl_nhg_build(&g, (uint32_t[]){1, 2, 3, 4}, (uint16_t[]){1, 1, 2, 4}, 4,
				      NULL),
			 0);
	for (uint32_t i = 0; i < FLOWS; i++)
		per[owner(&g, sl_nhg_bucket(flow_hash(i))) - 1]++;
	/* shares 1/8, 1/8, 2/8, 4/8 within 2 percentage points */
	assert_in_range(per[0], FLOWS / 8 - FLOWS / 50, FLOWS / 8 + FLOWS / 50);
	assert_in_range(per[1], FLOWS / 8 - FLOWS / 50, FLOWS / 8 + FLOWS / 50);
	assert_in_range(per[2], FLOWS / 4 - FLOWS / 50, FLOWS / 4 + FLOWS / 50);
	assert_in_range(per[3], FLOWS / 2 - FLOWS / 50, FLOWS / 2 + FLOWS / 50);
	/* hashes equal in their low bits (an RSS hash on one of 4 queues)
	 * still reach every bucket */
	unsigned int seen = 0;
	uint64_t mask = 0;

	for (uint32_t i = 0; i < 4096; i++)
		mask |= 1ull << sl_nhg_bucket(flow_hash(i) << 2 | 1);
	for (unsigned int s = 0; s < SL_NHG_SLOTS; s++)
		seen += (mask >> s) & 1;
	assert_int_equal(seen, SL_NHG_SLOTS);
}

static void test_member_leaves_and_returns(void **state)
{
	struct sl_nh_group full, less, back, one;

	(void)state;
	assert_int_equal(sl_nhg_build(&full, (uint32_t[]){10, 11, 12}, (uint16_t[]){1, 1, 1}, 3,
				      NULL),
			 0);
	/* 11 fails: only its buckets move, the others' stay put */
	assert_int_equal(sl_nhg_build(&less, (uint32_t[]){10, 12}, (uint16_t[]){1, 1}, 2, &full),
			 0);
	for (unsigned int s = 0; s < SL_NHG_SLOTS; s++) {
		if (owner(&full, s) != 11)
			assert_int_equal(owner(&less, s), owner(&full, s));
		else
			assert_int_not_equal(owner(&less, s), 11);
	}
	assert_in_range(buckets_of(&less, 10), 31, 33);
	assert_in_range(buckets_of(&less, 12), 31, 33);

	/* 11 recovers: a bucket moves only if it goes to 11, and 11 gets its
	 * share back */
	assert_int_equal(sl_nhg_build(&back, (uint32_t[]){10, 11, 12}, (uint16_t[]){1, 1, 1}, 3,
				      &less),
			 0);
	for (unsigned int s = 0; s < SL_NHG_SLOTS; s++)
		if (owner(&back, s) != owner(&less, s))
			assert_int_equal(owner(&back, s), 11);
	assert_in_range(buckets_of(&back, 11), 21, 22);

	/* from a single next hop (the route had one path) to two: flows of
	 * the old path move only to the new one */
	sl_nhg_single(&one, 10);
	assert_int_equal(sl_nhg_build(&back, (uint32_t[]){10, 11}, (uint16_t[]){1, 1}, 2, &one), 0);
	assert_int_equal(buckets_of(&back, 10), 32);
	assert_int_equal(buckets_of(&back, 11), 32);

	/* a weight change moves buckets only towards the heavier member */
	assert_int_equal(sl_nhg_build(&less, (uint32_t[]){10, 11}, (uint16_t[]){1, 3}, 2, &back),
			 0);
	for (unsigned int s = 0; s < SL_NHG_SLOTS; s++)
		if (owner(&less, s) != owner(&back, s))
			assert_int_equal(owner(&less, s), 11);
	assert_int_equal(buckets_of(&less, 11), 48);

	/* the same members and history give the same bytes (interning) */
	assert_int_equal(sl_nhg_build(&full, (uint32_t[]){11, 10}, (uint16_t[]){3, 1}, 2, &back),
			 0);
	assert_memory_equal(&full, &less, sizeof(full));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_weights),
	    cmocka_unit_test(test_distribution),
	    cmocka_unit_test(test_member_leaves_and_returns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
