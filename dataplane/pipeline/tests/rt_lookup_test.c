/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interval route lookups (sl_rt4_lookup / sl_rt6_lookup) against a naive
 * longest-prefix match over random, heavily nested prefix sets, probing
 * random addresses and every interval boundary and its neighbours; and the
 * burst lookups route4/route6 use (sl_rt_burst.h) against the one-packet
 * lookups, over VPC interval tables and real FIB instances mixed in one
 * vector.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sl_fib_writer.h"
#include "sl_rt_burst.h"
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

/* ---- burst lookups (sl_rt_burst.h) ---------------------------------------- */

#define BURST_VPCS 6
#define BURST_PROBES 6000

struct burst_world {
	struct sl_tb *tb;
	struct sl_bank_header *b; /* the bank with FIB instances appended */
	uint32_t vpc[BURST_VPCS];
};

static uint32_t get4(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

/* A random address of table t: uniform, or inside one of its prefixes. */
static void probe_addr(const struct sl_tb_table *t, bool v6, uint8_t out[16])
{
	if (t->n == 0 || rnd() % 2) {
		put6(out, rnd128());
		return;
	}
	for (unsigned int k = 0; k < 10; k++) {
		const struct sl_tb_prefix *p = &t->p[rnd() % t->n];

		if ((p->family == SL_AF_INET6) != v6)
			continue;
		put6(out, rnd128());
		for (unsigned int bit = 0; bit < p->len; bit++) {
			uint8_t m = (uint8_t)(0x80 >> (bit % 8));

			out[bit / 8] = (uint8_t)((out[bit / 8] & ~m) | (p->addr[bit / 8] & m));
		}
		return;
	}
	put6(out, rnd128());
}

/* VPC interval tables of every size (empty, one route, hundreds), and an
 * Internet table laid out as sl_fib4 / sl_fib6 instances after the bank,
 * as sluiced does for a big bank (SL_RT_F_FIB). */
static void burst_world_new(struct burst_world *bw)
{
	struct sl_tb_table *inet;
	struct sl_bank_header *b;
	struct sl_rib4 *rib4 = sl_rib4_new();
	struct sl_rib6 *rib6 = sl_rib6_new();
	struct sl_fib4_writer *w4;
	struct sl_fib6_writer *w6;
	uint64_t off4, off6, size;

	bw->tb = sl_tb_new();
	for (unsigned int v = 0; v < BURST_VPCS; v++) {
		char id[16];

		snprintf(id, sizeof(id), "vpc-%u", v);
		bw->vpc[v] = sl_tb_vpc(bw->tb, id, (uint16_t)(10 + v));
		if (v == 1)
			sl_tb_route(sl_tb_table(bw->tb, bw->vpc[v]), "10.0.0.0/8", 3);
		if (v >= 2) {
			fill4(sl_tb_table(bw->tb, bw->vpc[v]), 100u * v);
			fill6(sl_tb_table(bw->tb, bw->vpc[v]), 80u * v);
		}
	}
	inet = sl_tb_table(bw->tb, SL_VPC_INTERNET);
	fill4(inet, 600);
	fill6(inet, 500);
	assert_non_null(rib4);
	assert_non_null(rib6);
	for (unsigned int i = 0; i < inet->n; i++) {
		const struct sl_tb_prefix *p = &inet->p[i];

		if (p->family == SL_AF_INET)
			assert_true(sl_rib4_set(rib4, get4(p->addr), p->len, p->nh) >= 0);
		else
			assert_true(sl_rib6_set(rib6, p->addr, p->len, p->nh) >= 0);
	}
	b = sl_tb_build(bw->tb);
	off4 = (b->used + 63) & ~UINT64_C(63);
	off6 = (off4 + sl_fib4_bytes(1024) + 63) & ~UINT64_C(63);
	size = off6 + sl_fib6_bytes(SL_FIB6_L1_BITS_DEFAULT, 8192);
	bw->b = aligned_alloc(64, (size + 63) & ~UINT64_C(63));
	assert_non_null(bw->b);
	memcpy(bw->b, b, b->used);
	free(b);
	w4 = sl_fib4_writer_new(bw->b, &bw->b->fib4, off4, 1024);
	w6 = sl_fib6_writer_new(bw->b, &bw->b->fib6, off6, 8192, SL_FIB6_L1_BITS_DEFAULT);
	assert_non_null(w4);
	assert_non_null(w6);
	assert_int_equal(sl_fib4_build(w4, rib4), 0);
	assert_int_equal(sl_fib6_build(w6, rib6), 0);
	bw->b->inet.flags |= SL_RT_F_FIB;
	sl_fib4_writer_free(w4);
	sl_fib6_writer_free(w6);
	sl_rib4_free(rib4);
	sl_rib6_free(rib6);
}

static void burst_world_free(struct burst_world *bw)
{
	free(bw->b);
	sl_tb_free(bw->tb);
}

/* Vectors of random length (1 .. SL_VEC_MAX) of probes into random tables:
 * the burst result must be the one-packet lookup's, and the Internet
 * table's the reference LPM's (the FIB instances are right). */
static void test_rt_burst(void **state)
{
	struct burst_world bw;
	const struct sl_route_table *rts[SL_VEC_MAX];
	uint32_t tbl[SL_VEC_MAX], a4[SL_VEC_MAX], nh[SL_VEC_MAX];
	uint8_t a6[SL_VEC_MAX][16];
	const uint8_t *p6[SL_VEC_MAX];
	unsigned int done = 0, inet_seen = 0;

	burst_world_new(&bw);
	while (done < BURST_PROBES) {
		uint16_t n = (uint16_t)(1 + rnd() % SL_VEC_MAX);

		for (uint16_t i = 0; i < n; i++) {
			bool in = rnd() % 3 == 0;

			tbl[i] = in ? SL_VPC_INTERNET : bw.vpc[rnd() % BURST_VPCS];
			rts[i] = sl_bank_rt(bw.b, tbl[i]);
			assert_non_null(rts[i]);
			probe_addr(sl_tb_table(bw.tb, tbl[i]), rnd() % 2, a6[i]);
			a4[i] = get4(a6[i]);
			p6[i] = a6[i];
		}
		sl_rt4_lookup_burst(bw.b, rts, a4, nh, n);
		for (uint16_t i = 0; i < n; i++) {
			uint32_t want = sl_rt4_lookup(bw.b, rts[i], a4[i]);

			if (nh[i] != want)
				fail_msg("v4 %08x table %u: burst %u, single %u", a4[i], tbl[i], nh[i],
					 want);
			if (tbl[i] == SL_VPC_INTERNET) {
				assert_int_equal(nh[i], sl_tb_lpm4(sl_tb_table(bw.tb, tbl[i]), a4[i]));
				inet_seen++;
			}
		}
		sl_rt6_lookup_burst(bw.b, rts, p6, nh, n);
		for (uint16_t i = 0; i < n; i++) {
			uint64_t hi, lo;
			unsigned __int128 a = 0;

			for (int k = 0; k < 16; k++)
				a = a << 8 | a6[i][k];
			hi = (uint64_t)(a >> 64);
			lo = (uint64_t)a;
			if (nh[i] != sl_rt6_lookup(bw.b, rts[i], hi, lo))
				fail_msg("v6 %016llx%016llx table %u: burst %u, single %u",
					 (unsigned long long)hi, (unsigned long long)lo, tbl[i],
					 nh[i], sl_rt6_lookup(bw.b, rts[i], hi, lo));
			if (tbl[i] == SL_VPC_INTERNET)
				assert_int_equal(nh[i], sl_tb_lpm6(sl_tb_table(bw.tb, tbl[i]), a));
		}
		done += n;
	}
	assert_true(inet_seen > 0);
	burst_world_free(&bw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rt_edges),
	    cmocka_unit_test(test_rt4_random),
	    cmocka_unit_test(test_rt6_random),
	    cmocka_unit_test(test_rt_burst),
	};

	sl_test_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
