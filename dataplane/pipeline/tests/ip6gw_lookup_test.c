/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 gateway stages' vector lookups (issue 9, sl_ip6gw.h): the
 * lockstep interval search (sl_ip6gw_search_burst) against the one-packet
 * sl_rt6_search over random tables of every size from 0 up, several tables
 * mixed in one vector, addresses random and on every boundary and its
 * neighbours. (The address hash is checked against addr[] by
 * control/compile_ipv6gw_test.c on every section the compiler builds; the
 * stages' behaviour by tests/pkt/ipv6gw.py.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sl_ip6gw.h"
#include "sl_test_env.h"

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic so failures reproduce */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

#define N_TABLES 8
#define TABLE_MAX 300

/* Sorted distinct starts, e[0] at 0, values 1..; clustered in a few /48s
 * (as VPC blocks are) so that searches share their first steps. */
static uint32_t fill(struct sl_rt6_entry *e, uint32_t n)
{
	unsigned __int128 prev = 0;

	for (uint32_t i = 0; i < n; i++) {
		unsigned __int128 v;

		if (i == 0) {
			v = 0;
		} else {
			v = prev + 1 + (rnd() % 4 == 0 ? rnd() : rnd() % 1000);
			if (rnd() % 8 == 0)
				v += (unsigned __int128)(rnd() % 65536) << 80;
		}
		e[i].start_hi = (uint64_t)(v >> 64);
		e[i].start_lo = (uint64_t)v;
		e[i].nh = (uint32_t)(rnd() % 1000) + 1;
		prev = v;
	}
	return n;
}

static void test_search_burst(void **state)
{
	static struct sl_rt6_entry tab[N_TABLES][TABLE_MAX];
	uint32_t size[N_TABLES];
	const struct sl_rt6_entry *e[SL_VEC_MAX];
	uint64_t hi[SL_VEC_MAX], lo[SL_VEC_MAX];
	uint32_t cnt[SL_VEC_MAX], val[SL_VEC_MAX], ti[SL_VEC_MAX];
	uint16_t idx[SL_VEC_MAX];
	unsigned int checked = 0;

	(void)state;
	for (int round = 0; round < 400; round++) {
		uint16_t n = (uint16_t)(1 + rnd() % SL_VEC_MAX), k = 0;

		for (int t = 0; t < N_TABLES; t++) /* sizes 0, 1, 2, ... and random */
			size[t] = fill(tab[t], round < 40 ? (uint32_t)(round * N_TABLES + t) % 12
							  : (uint32_t)(rnd() % (TABLE_MAX + 1)));
		for (uint16_t i = 0; i < n; i++) {
			uint32_t t = (uint32_t)(rnd() % N_TABLES);

			ti[i] = t;
			if (size[t] && rnd() % 2) { /* a boundary or a neighbour of one */
				const struct sl_rt6_entry *b = &tab[t][rnd() % size[t]];
				unsigned __int128 v =
				    ((unsigned __int128)b->start_hi << 64 | b->start_lo) +
				    (unsigned __int128)(int)(rnd() % 3) - 1;

				hi[i] = (uint64_t)(v >> 64);
				lo[i] = (uint64_t)v;
			} else {
				hi[i] = rnd() % 4 ? tab[t][size[t] ? size[t] - 1 : 0].start_hi : rnd();
				lo[i] = rnd();
			}
			val[i] = UINT32_MAX;
			if (rnd() % 8 == 0)
				continue; /* not listed: left alone */
			e[i] = tab[t];
			cnt[i] = size[t];
			idx[k++] = i;
		}
		sl_ip6gw_search_burst(e, cnt, hi, lo, val, idx, k);
		for (uint16_t j = 0, i = 0; i < n; i++) {
			if (j < k && idx[j] == i) {
				assert_int_equal(val[i],
						 sl_rt6_search(tab[ti[i]], size[ti[i]], hi[i], lo[i]));
				j++;
				checked++;
			} else {
				assert_int_equal(val[i], UINT32_MAX);
			}
		}
	}
	assert_true(checked > 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_search_burst),
	};

	sl_test_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
