/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ECMP (issue 8) in route4/route6: a route to a next-hop group sends each
 * flow to one member chosen by its hash: flows spread by weight, a flow's
 * packets (its fragments and ICMP between the same hosts included) keep
 * one member, the port's RSS hash is used when present, a member whose
 * neighbour is FAILED is skipped, and packets are counted per member.
 *
 * The world: the standard one plus a second upstream 203.0.113.3 /
 * 2001:db8:ffff::3 and groups {203.0.113.1, .3} for 198.18.0.0/15 and
 * {::1, ::3} for 2001:db8:ec::/48 (equal weights: 32 buckets each, dealt
 * alternately, as sluiced fills a fresh group).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sl_test_env.h"

static uint32_t nh_up_b, nh_up6_b, nh_grp4, nh_grp6;
static uint64_t nhg_pkts[SL_NHG_COUNTED];

static uint32_t add_group(struct sl_tb *tb, uint32_t a, uint32_t b)
{
	uint32_t g = sl_tb_nh(tb, SL_NH_GROUP, SL_ROLE_OUTSIDE, 0, 1500, SL_VPC_INTERNET, NULL,
			      NULL);
	struct sl_nh_group *grp = &tb->nh[g].grp;

	memset(grp, 0, sizeof(*grp));
	grp->n_members = 2;
	grp->member[0] = a;
	grp->member[1] = b;
	grp->weight[0] = grp->weight[1] = 1;
	for (unsigned int s = 0; s < SL_NHG_SLOTS; s++)
		grp->slot[s] = (uint8_t)(s & 1);
	return g;
}

static int group_setup(void **state)
{
	struct sl_tb *tb;
	struct sl_tb_table *in;

	sl_test_group_setup(state);
	tb = sl_env->tb;
	in = sl_tb_table(tb, SL_VPC_INTERNET);
	nh_up_b = sl_tb_nh(tb, SL_NH_GATEWAY, SL_ROLE_OUTSIDE, 0, 1500, SL_VPC_INTERNET,
			   "203.0.113.3", "203.0.113.2");
	nh_up6_b = sl_tb_nh(tb, SL_NH_GATEWAY, SL_ROLE_OUTSIDE, 0, 1500, SL_VPC_INTERNET,
			    "2001:db8:ffff::3", "2001:db8:ffff::2");
	nh_grp4 = add_group(tb, sl_env->nh_up, nh_up_b);
	nh_grp6 = add_group(tb, sl_env->nh_up6, nh_up6_b);
	sl_tb_route(in, "198.18.0.0/15", nh_grp4);
	sl_tb_route(in, "2001:db8:ec::/48", nh_grp6);
	free(sl_env->bank);
	sl_env->bank = sl_tb_build(tb);
	sl_env->w->bank = sl_env->bank;
	sl_env->w->nhg_pkts = nhg_pkts;
	return 0;
}

static int setup(void **state)
{
	memset(nhg_pkts, 0, sizeof(nhg_pkts));
	return sl_test_setup(state);
}

/* From the Internet side to `dst`, UDP sport -> 53 (or ICMP echo, or a
 * fragment: `frag` is the IPv4 flags/offset word). */
static struct rte_mbuf *out4(const char *src, const char *dst, uint8_t proto, uint16_t sport,
			     uint16_t frag)
{
	static struct sl_tpkt p;
	uint8_t l4[16] = {(uint8_t)(sport >> 8), (uint8_t)sport, 0, 53, 0, 16, 0, 0};

	if (proto == 1)
		sl_tp_icmp4_echo(l4, sport, 1, 8);
	sl_tp_eth(&p, sl_t_mac_out, -1, 0x0800);
	sl_tp_ip4(&p, src, dst, proto, 64, frag, NULL, 0, l4, sizeof(l4));
	return sl_tp_mbuf(&p, SL_T_PORT_OUT);
}

static struct rte_mbuf *out6(const char *src, const char *dst, uint16_t sport)
{
	static struct sl_tpkt p;
	uint8_t l4[16] = {(uint8_t)(sport >> 8), (uint8_t)sport, 0, 53, 0, 16, 0, 0};

	sl_tp_eth(&p, sl_t_mac_out, -1, 0x86dd);
	sl_tp_ip6(&p, src, dst, 17, 64, l4, sizeof(l4));
	return sl_tp_mbuf(&p, SL_T_PORT_OUT);
}

/* The member next hop `m` left route4/route6 with (NEIGH's input). */
static uint32_t member_of(struct rte_mbuf *m)
{
	struct rte_mbuf *o =
	    sl_test_expect_out(sl_env, m, SL_STAGE_ETH_INPUT, SL_STAGE_NEIGH, __LINE__);
	uint32_t nh = sl_meta(o)->nh;

	rte_pktmbuf_free(o);
	return nh;
}

static void test_flows_spread_and_counted(void **state)
{
	enum { FLOWS = 2000 };
	unsigned int a = 0, b = 0, a6 = 0, b6 = 0;
	char dst[32];

	for (unsigned int i = 0; i < FLOWS; i++) {
		uint32_t nh;

		snprintf(dst, sizeof(dst), "198.18.%u.%u", i / 200, 1 + i % 200);
		nh = member_of(out4("198.51.100.1", dst, 17, (uint16_t)(1024 + i), 0));
		assert_true(nh == sl_env->nh_up || nh == nh_up_b);
		a += nh == sl_env->nh_up;
		b += nh == nh_up_b;
		nh = member_of(out6("2001:db8:eeee::1", "2001:db8:ec::1", (uint16_t)(1024 + i)));
		assert_true(nh == sl_env->nh_up6 || nh == nh_up6_b);
		a6 += nh == sl_env->nh_up6;
		b6 += nh == nh_up6_b;
	}
	/* equal weights: each member within 45..55 % of the flows */
	assert_in_range(a, FLOWS * 45 / 100, FLOWS * 55 / 100);
	assert_in_range(a6, FLOWS * 45 / 100, FLOWS * 55 / 100);
	/* counted per member, on this lcore */
	assert_int_equal(nhg_pkts[sl_env->nh_up], a);
	assert_int_equal(nhg_pkts[nh_up_b], b);
	assert_int_equal(nhg_pkts[sl_env->nh_up6], a6);
	assert_int_equal(nhg_pkts[nh_up6_b], b6);
	assert_int_equal(nhg_pkts[nh_grp4], 0);
	/* routes outside the groups are not counted */
	assert_int_equal(member_of(out4("198.51.100.1", "8.8.8.8", 17, 7, 0)), sl_env->nh_up);
	assert_int_equal(nhg_pkts[sl_env->nh_up], a);
}

static void test_flow_keeps_its_member(void **state)
{
	unsigned int seen[2] = {0};

	for (uint16_t f = 0; f < 64; f++) {
		char src[32];
		uint32_t first, nh;

		snprintf(src, sizeof(src), "198.51.100.%u", 1 + f);
		/* the same UDP flow again and again */
		first = member_of(out4(src, "198.18.1.1", 17, 5000, 0));
		for (int k = 0; k < 4; k++)
			assert_int_equal(member_of(out4(src, "198.18.1.1", 17, 5000, 0)), first);
		seen[first == nh_up_b]++;
		/* a fragmented datagram: first (MF) and later fragments agree */
		nh = member_of(out4(src, "198.18.1.1", 17, 5000, 0x2000));
		assert_int_equal(member_of(out4(src, "198.18.1.1", 17, 0, 0x0003)), nh);
		assert_int_equal(member_of(out4(src, "198.18.1.1", 17, 0, 0x2002)), nh);
		/* ICMP between the same hosts: one member whatever the id */
		nh = member_of(out4(src, "198.18.1.1", 1, 1, 0));
		assert_int_equal(member_of(out4(src, "198.18.1.1", 1, 999, 0)), nh);
	}
	/* and different flows do use both */
	assert_true(seen[0] > 0 && seen[1] > 0);
}

/* A member whose neighbour entry is FAILED (the main lcore's bitmap) is
 * skipped: its flows go to the other member, the other's flows stay. */
static void test_failed_neighbour_skipped(void **state)
{
	static _Atomic uint64_t failed[SL_NHG_COUNTED / 64];
	uint32_t before[64];
	unsigned int moved = 0;
	char src[32];

	for (unsigned int f = 0; f < 64; f++) {
		snprintf(src, sizeof(src), "198.51.100.%u", 1 + f);
		before[f] = member_of(out4(src, "198.18.2.2", 17, 6000, 0));
	}
	atomic_store(&failed[sl_env->nh_up / 64], UINT64_C(1) << (sl_env->nh_up % 64));
	sl_env->w->nhg_failed = failed;
	for (unsigned int f = 0; f < 64; f++) {
		snprintf(src, sizeof(src), "198.51.100.%u", 1 + f);
		assert_int_equal(member_of(out4(src, "198.18.2.2", 17, 6000, 0)), nh_up_b);
		moved += before[f] == sl_env->nh_up;
	}
	assert_true(moved > 0);
	/* every member failed: the hash's choice stands (NEIGH deals with it) */
	atomic_store(&failed[nh_up_b / 64],
		     atomic_load(&failed[nh_up_b / 64]) | UINT64_C(1) << (nh_up_b % 64));
	for (unsigned int f = 0; f < 8; f++) {
		snprintf(src, sizeof(src), "198.51.100.%u", 1 + f);
		assert_int_equal(member_of(out4(src, "198.18.2.2", 17, 6000, 0)), before[f]);
	}
	sl_env->w->nhg_failed = NULL;
	memset(failed, 0, sizeof(failed));
}

static void test_rss_hash_used(void **state)
{
	const struct sl_nh_group *g = &sl_env->tb->nh[nh_grp4].grp;

	for (uint32_t h = 0; h < 256; h++) {
		struct rte_mbuf *m = out4("198.51.100.1", "198.18.0.1", 17, 1, 0);
		uint32_t want = g->member[g->slot[sl_nhg_bucket(h * 0x01000193u)]];

		m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
		m->hash.rss = h * 0x01000193u;
		assert_int_equal(member_of(m), want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_flows_spread_and_counted, setup),
	    cmocka_unit_test_setup(test_flow_keeps_its_member, setup),
	    cmocka_unit_test_setup(test_failed_neighbour_skipped, setup),
	    cmocka_unit_test_setup(test_rss_hash_used, setup),
	};

	return cmocka_run_group_tests(tests, group_setup, sl_test_group_teardown);
}
