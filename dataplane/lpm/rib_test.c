/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sl_rib unit tests: set/replace/delete/get, longest-prefix lookup and
 * cover, ordered walk and walk_under, compared with a brute-force list
 * after random changes over heavily nested prefixes; bad input refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sl_pfxfile.h"
#include "sl_rib.h"

static uint64_t sl_t_rng = 42;

static uint32_t sl_t_rand(void)
{
	sl_t_rng += 0x9e3779b97f4a7c15ULL;
	return (uint32_t)(sl_pfx_mix64(sl_t_rng) >> 32);
}

static uint32_t sl_t_mask4(unsigned int len)
{
	return len ? ~0u << (32 - len) : 0;
}

/* brute-force reference: a list of (addr, len, nh, live) */
#define SL_T_MAX 4096
struct sl_t_ref {
	uint32_t addr[SL_T_MAX], nh[SL_T_MAX];
	uint8_t len[SL_T_MAX], live[SL_T_MAX];
	size_t n;
};

static int sl_t_ref_find(const struct sl_t_ref *r, uint32_t a, uint8_t len)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->addr[i] == a && r->len[i] == len)
			return (int)i;
	return -1;
}

static uint32_t sl_t_ref_lookup(const struct sl_t_ref *r, uint32_t a, int max_len)
{
	int best = -1;
	uint32_t nh = 0;

	for (size_t i = 0; i < r->n; i++)
		if (r->live[i] && r->len[i] <= max_len && (int)r->len[i] > best &&
		    ((a ^ r->addr[i]) & sl_t_mask4(r->len[i])) == 0) {
			best = r->len[i];
			nh = r->nh[i];
		}
	return nh;
}

struct sl_t_walk {
	uint32_t addr[SL_T_MAX];
	uint8_t len[SL_T_MAX];
	size_t n;
	const struct sl_rib4 *rib;
};

static int sl_t_walk_cb(uint32_t addr, uint8_t len, uint32_t nh, void *arg)
{
	struct sl_t_walk *w = arg;
	uint32_t got = 0;

	assert_int_equal(sl_rib4_get(w->rib, addr, len, &got), 0);
	assert_int_equal(got, nh);
	w->addr[w->n] = addr;
	w->len[w->n] = len;
	w->n++;
	return 0;
}

/* a random prefix from 16 bases x a few nesting lengths */
static void sl_t_pick(uint32_t *a, uint8_t *len)
{
	static const uint8_t lens[] = {0, 1, 8, 16, 20, 23, 24, 25, 28, 31, 32};
	uint32_t base = 0x0a000000u ^ (sl_t_rand() % 16) * 0x01010101u;

	*len = lens[sl_t_rand() % sizeof(lens)];
	*a = (base ^ (sl_t_rand() % 4)) & sl_t_mask4(*len);
}

static void test_rib4_random(void **state)
{
	static struct sl_t_ref ref;
	static struct sl_t_walk w;
	struct sl_rib4 *rib = sl_rib4_new();

	assert_non_null(rib);
	memset(&ref, 0, sizeof(ref));
	for (int round = 0; round < 4000; round++) {
		uint32_t a, nh = 1 + sl_t_rand() % 1000, got;
		uint8_t len;
		int i, rc;

		sl_t_pick(&a, &len);
		i = sl_t_ref_find(&ref, a, len);
		if (sl_t_rand() % 3 == 0) {
			rc = sl_rib4_delete(rib, a, len);
			assert_int_equal(rc, i >= 0 && ref.live[i] ? 0 : -ENOENT);
			if (i >= 0)
				ref.live[i] = 0;
		} else {
			rc = sl_rib4_set(rib, a, len, nh);
			assert_int_equal(rc, i >= 0 && ref.live[i] ? 1 : 0);
			if (i < 0) {
				i = (int)ref.n++;
				ref.addr[i] = a;
				ref.len[i] = len;
			}
			ref.nh[i] = nh;
			ref.live[i] = 1;
		}
		/* get, lookup and cover at a few addresses */
		for (int k = 0; k < 8; k++) {
			uint32_t x, q;
			uint8_t ql, ml = (uint8_t)(sl_t_rand() % 33);

			sl_t_pick(&x, &ql);
			x |= sl_t_rand() & ~sl_t_mask4(ql);
			assert_int_equal(sl_rib4_lookup(rib, x), sl_t_ref_lookup(&ref, x, 32));
			got = 0;
			rc = sl_rib4_cover(rib, x, ml, &q, &ql, &got);
			assert_int_equal(got, sl_t_ref_lookup(&ref, x, ml));
			if (rc == 0) {
				assert_true(ql <= ml);
				assert_int_equal((x ^ q) & sl_t_mask4(ql), 0);
			}
		}
	}
	/* count and the ordered walk */
	size_t live = 0;

	for (size_t i = 0; i < ref.n; i++)
		live += ref.live[i];
	assert_int_equal(sl_rib4_count(rib), live);
	w.n = 0;
	w.rib = rib;
	assert_int_equal(sl_rib4_walk(rib, sl_t_walk_cb, &w), 0);
	assert_int_equal(w.n, live);
	for (size_t i = 1; i < w.n; i++)
		assert_true(w.addr[i - 1] < w.addr[i] ||
			    (w.addr[i - 1] == w.addr[i] && w.len[i - 1] < w.len[i]));

	/* walk_under: the routes strictly under P with no route between */
	for (int k = 0; k < 300; k++) {
		uint32_t p;
		uint8_t pl;
		size_t want = 0;

		sl_t_pick(&p, &pl);
		w.n = 0;
		assert_int_equal(sl_rib4_walk_under(rib, p, pl, sl_t_walk_cb, &w), 0);
		for (size_t i = 0; i < ref.n; i++) {
			bool direct = ref.live[i] && ref.len[i] > pl &&
				      ((ref.addr[i] ^ p) & sl_t_mask4(pl)) == 0;

			for (size_t j = 0; direct && j < ref.n; j++)
				if (ref.live[j] && ref.len[j] > pl && ref.len[j] < ref.len[i] &&
				    ((ref.addr[i] ^ ref.addr[j]) & sl_t_mask4(ref.len[j])) == 0)
					direct = false;
			if (!direct)
				continue;
			want++;
			bool seen = false;

			for (size_t m = 0; m < w.n; m++)
				seen |= w.addr[m] == ref.addr[i] && w.len[m] == ref.len[i];
			assert_true(seen);
		}
		assert_int_equal(w.n, want);
		for (size_t i = 1; i < w.n; i++)
			assert_true(w.addr[i - 1] < w.addr[i]);
	}
	/* delete everything: empty again */
	for (size_t i = 0; i < ref.n; i++)
		if (ref.live[i])
			assert_int_equal(sl_rib4_delete(rib, ref.addr[i], ref.len[i]), 0);
	assert_int_equal(sl_rib4_count(rib), 0);
	assert_int_equal(sl_rib4_bytes(rib), 0);
	sl_rib4_free(rib);
}

static void test_rib_bad_input(void **state)
{
	struct sl_rib4 *r4 = sl_rib4_new();
	struct sl_rib6 *r6 = sl_rib6_new();
	uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8};

	assert_int_equal(sl_rib4_set(r4, 0x0a000001, 8, 1), -EINVAL);
	assert_int_equal(sl_rib4_set(r4, 0x0a000000, 33, 1), -EINVAL);
	assert_int_equal(sl_rib4_set(r4, 0x0a000000, 8, SL_RIB_NH_MAX + 1), -EINVAL);
	assert_int_equal(sl_rib4_delete(r4, 0x0a000000, 8), -ENOENT);
	assert_int_equal(sl_rib4_count(r4), 0);
	assert_int_equal(sl_rib6_set(r6, a, 129, 1), -EINVAL);
	assert_int_equal(sl_rib6_set(r6, a, 16, 1), -EINVAL); /* host bits */
	assert_int_equal(sl_rib6_set(r6, a, 32, 9), 0);
	assert_int_equal(sl_rib6_set(r6, a, 32, 10), 1);
	assert_int_equal(sl_rib6_count(r6), 1);
	a[15] = 1;
	assert_int_equal(sl_rib6_lookup(r6, a), 10);
	assert_int_equal(sl_rib6_get(r6, a, 128, NULL), -ENOENT);
	assert_int_equal(sl_rib6_set(r6, a, 128, 11), 0);
	assert_int_equal(sl_rib6_lookup(r6, a), 11);
	a[15] = 2;
	assert_int_equal(sl_rib6_lookup(r6, a), 10);
	sl_rib4_free(r4);
	sl_rib6_free(r6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rib4_random),
	    cmocka_unit_test(test_rib_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
