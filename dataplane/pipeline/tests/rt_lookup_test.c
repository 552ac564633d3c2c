/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interval route lookups (sl_rt4_lookup / sl_rt6_lookup) against a naive
 * longest-prefix match over random, heavily nested prefix sets, probing
 * random addresses and every interval boundary and its neighbours.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sl_test_env.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic so failures reproduce */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static void put4(uint8_t *a, uint32_t v)
{
	a[0] = (uint8_t)(v >> 24);
	a[1] = (uint8_t)(v >> 16);
	a[2] = (uint8_t)(v >> 8);
	a[3] = (uint8_t)v;
}

static void put6(uint8_t *a, unsigned __int128 v)
{
	for (int i = 15; i >= 0; i--) {
		a[i] = (uint8_t)v;
		v >>= 8;
	}
}

static unsigned __int128 rnd128(void)
{
	return (unsigned __int128)rnd() << 64 | rnd();
}

/* Random prefixes grown from a few roots so that they nest and overlap. */
static void fill4(struct sl_tb_table *t, unsigned int n)
{
	uint32_t roots[16];

	for (int i = 0; i < 16; i++)
		roots[i] = (uint32_t)rnd();
	for (unsigned int i = 0; i < n && t->n < SL_TB_MAX_PFX; i++) {
		struct sl_tb_prefix *p = &t->p[t->n++];
		unsigned int len = (unsigned int)(rnd() % 33);
		uint32_t a = roots[rnd() % 16] ^
			     ((uint32_t)rnd() >> (rnd() % 33 == 32 ? 31 : 8 + rnd() % 24));
		uint32_t mask = len == 0 ? 0 : ~UINT32_C(0) << (32 - len);

		memset(p, 0, sizeof(*p));
		p->family = SL_AF_INET;
		p->len = (uint8_t)len;
		put4(p->addr, a & mask);
		p->nh = 1 + (uint32_t)(rnd() % 1000);
	}
}

static void fill6(struct sl_tb_table *t, unsigned int n)
{
	unsigned __int128 roots[16];

	for (int i = 0; i < 16; i++)
		roots[i] = rnd128();
	for (unsigned int i = 0; i < n && t->n < SL_TB_MAX_PFX; i++) {
		struct sl_tb_prefix *p = &t->p[t->n++];
		unsigned int len = (unsigned int)(rnd() % 129);
		unsigned __int128 a = roots[rnd() % 16] ^ (rnd128() >> (8 + rnd() % 120));
		unsigned __int128 mask = len == 0 ? 0 : ~(unsigned __int128)0 << (128 - len);

		memset(p, 0, sizeof(*p));
		p->family = SL_AF_INET6;
		p->len = (uint8_t)len;
		put6(p->addr, a & mask);
		p->nh = 1 + (uint32_t)(rnd() % 1000);
	}
}

static void check4(const struct sl_bank_header *b, const struct sl_route_table *rt,
		   const struct sl_tb_table *t, uint32_t a)
{
	uint32_t got = sl_rt4_lookup(b, rt, a), want = sl_tb_lpm4(t, a);

	if (got != want)
		fail_msg("v4 %08x: interval lookup %u, reference %u", a, got, want);
}

static void check6(const struct sl_bank_header *b, const struct sl_route_table *rt,
		   const struct sl_tb_table *t, unsigned __int128 a)
{
	uint32_t got = sl_rt6_lookup(b, rt, (uint64_t)(a >> 64), (uint64_t)a);
	uint32_t want = sl_tb_lpm6(t, a);

	if (got != want)
		fail_msg("v6 %016llx%016llx: interval lookup %u, reference %u",
			 (unsigned long long)(a >> 64), (unsigned long long)a, got, want);
}

static void test_rt4_random(void **state)
{
	for (int round = 0; round < 4; round++) {
		struct sl_tb *tb = sl_tb_new();
		uint32_t v = sl_tb_vpc(tb, "vpc-r", 10);
		struct sl_tb_table *t = sl_tb_table(tb, v);
		struct sl_bank_header *b;
		const struct sl_route_table *rt;
		const struct sl_rt4_entry *e;

		fill4(t, round == 0 ? 3 : 400u * (unsigned int)round);
		b = sl_tb_build(tb);
		rt = sl_bank_rt(b, v);
		assert_non_null(rt);
		e = SL_BANK_PTR(b, rt->v4_off, const struct sl_rt4_entry);
		assert_int_equal(e[0].start, 0);
		for (uint32_t i = 1; i < rt->v4_n; i++) {
			assert_true(e[i].start > e[i - 1].start);
			check4(b, rt, t, e[i].start);
			check4(b, rt, t, e[i].start - 1);
			check4(b, rt, t, e[i].start + 1);
		}
		for (unsigned int i = 0; i < t->n; i++) {
			uint32_t a = (uint32_t)t->p[i].addr[0] << 24 |
				     (uint32_t)t->p[i].addr[1] << 16 |
				     (uint32_t)t->p[i].addr[2] << 8 | t->p[i].addr[3];
			uint32_t host = t->p[i].len >= 32 ? 0 : (~UINT32_C(0) >> t->p[i].len);

			check4(b, rt, t, a);
			check4(b, rt, t, a | host);
		}
		for (int i = 0; i < 20000; i++)
			check4(b, rt, t, (uint32_t)rnd());
		check4(b, rt, t, 0);
		check4(b, rt, t, UINT32_MAX);
		free(b);
		sl_tb_free(tb);
	}
}

static void test_rt6_random(void **state)
{
	for (int round = 0; round < 3; round++) {
		struct sl_tb *tb = sl_tb_new();
		uint32_t v = sl_tb_vpc(tb, "vpc-r", 10);
		struct sl_tb_table *t = sl_tb_table(tb, v);
		struct sl_bank_header *b;
		const struct sl_route_table *rt;
		const struct sl_rt6_entry *e;

		fill6(t, round == 0 ? 2 : 300u * (unsigned int)round);
		b = sl_tb_build(tb);
		rt = sl_bank_rt(b, v);
		e = SL_BANK_PTR(b, rt->v6_off, const struct sl_rt6_entry);
		assert_true(e[0].start_hi == 0 && e[0].start_lo == 0);
		for (uint32_t i = 1; i < rt->v6_n; i++) {
			unsigned __int128 s =
			    (unsigned __int128)e[i].start_hi << 64 | e[i].start_lo;

			check6(b, rt, t, s);
			check6(b, rt, t, s - 1);
			check6(b, rt, t, s + 1);
		}
		for (int i = 0; i < 10000; i++)
			check6(b, rt, t, rnd128());
		check6(b, rt, t, 0);
		check6(b, rt, t, ~(unsigned __int128)0);
		free(b);
		sl_tb_free(tb);
	}
}

/* Hand-checked small cases: empty table, default only, nested, host routes
 * at both ends of the address space. */
static void test_rt_edges(void **state)
{
	struct sl_tb *tb = sl_tb_new();
	uint32_t v0 = sl_tb_vpc(tb, "empty", 1), v1 = sl_tb_vpc(tb, "nested", 2);
	struct sl_tb_table *t = sl_tb_table(tb, v1);
	struct sl_bank_header *b;
	const struct sl_route_table *rt;

	sl_tb_route(t, "0.0.0.0/0", 7);
	sl_tb_route(t, "10.0.0.0/8", 8);
	sl_tb_route(t, "10.1.0.0/16", 9);
	sl_tb_route(t, "10.1.2.3/32", 10);
	sl_tb_route(t, "0.0.0.0/32", 11);
	sl_tb_route(t, "255.255.255.255/32", 12);
	sl_tb_route(t, "::/0", 20);
	sl_tb_route(t, "2001:db8::/32", 21);
	sl_tb_route(t, "2001:db8::1/128", 22);
	sl_tb_route(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 23);
	b = sl_tb_build(tb);

	rt = sl_bank_rt(b, v0);
	assert_int_equal(sl_rt4_lookup(b, rt, 0x0a010203), SL_NH_NONE);
	assert_int_equal(sl_rt6_lookup(b, rt, 1, 2), SL_NH_NONE);
	assert_null(sl_bank_rt(b, 5));
	assert_ptr_equal(sl_bank_rt(b, SL_VPC_INTERNET), &b->inet);

	rt = sl_bank_rt(b, v1);
	assert_int_equal(sl_rt4_lookup(b, rt, 0), 11);
	assert_int_equal(sl_rt4_lookup(b, rt, 1), 7);
	assert_int_equal(sl_rt4_lookup(b, rt, 0x09ffffff), 7);
	assert_int_equal(sl_rt4_lookup(b, rt, 0x0a000000), 8);
	assert_int_equal(sl_rt4_lookup(b, rt, 0x0a010202), 9);
	assert_int_equal(sl_rt4_lookup(b, rt, 0x0a010203), 10);
	assert_int_equal(sl_rt4_lookup(b, rt, 0x0a010204), 9);
	assert_int_equal(sl_rt4_lookup(b, rt, 0x0a020000), 8);
	assert_int_equal(sl_rt4_lookup(b, rt, 0x0b000000), 7);
	assert_int_equal(sl_rt4_lookup(b, rt, 0xfffffffe), 7);
	assert_int_equal(sl_rt4_lookup(b, rt, 0xffffffff), 12);
	assert_int_equal(sl_rt6_lookup(b, rt, 0x20010db800000000ull, 0), 21);
	assert_int_equal(sl_rt6_lookup(b, rt, 0x20010db800000000ull, 1), 22);
	assert_int_equal(sl_rt6_lookup(b, rt, 0x20010db800000000ull, 2), 21);
	assert_int_equal(sl_rt6_lookup(b, rt, 0x20010db8ffffffffull, ~0ull), 21);
	assert_int_equal(sl_rt6_lookup(b, rt, 0x20010db900000000ull, 0), 20);
	assert_int_equal(sl_rt6_lookup(b, rt, ~0ull, ~0ull), 23);
	assert_int_equal(sl_rt6_lookup(b, rt, ~0ull, ~0ull - 1), 20);
	free(b);
	sl_tb_free(tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rt_edges),
	    cmocka_unit_test(test_rt4_random),
	    cmocka_unit_test(test_rt6_random),
	};

	sl_test_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
