/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * route4/route6: dispatch on the next-hop type in the ingress table (VPC or
 * Internet), VPC isolation with overlapping CIDRs, unreachable -> ICMP,
 * blackhole, link-local scope.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "sl_test_env.h"

static const uint8_t udp8[16] = {0x30, 0x39, 0x00, 0x35, 0x00, 0x10, 0, 0, 'r', 'o', 'u', 't', 'e'};

static struct rte_mbuf *vlan4(int vlan, const char *src, const char *dst)
{
	static struct sl_tpkt p;

	sl_tp_eth(&p, sl_t_mac_in, vlan, 0x0800);
	sl_tp_ip4(&p, src, dst, 17, 64, 0, NULL, 0, udp8, sizeof(udp8));
	return sl_tp_mbuf(&p, SL_T_PORT_IN);
}

static struct rte_mbuf *out4(const char *src, const char *dst)
{
	static struct sl_tpkt p;

	sl_tp_eth(&p, sl_t_mac_out, -1, 0x0800);
	sl_tp_ip4(&p, src, dst, 17, 64, 0, NULL, 0, udp8, sizeof(udp8));
	return sl_tp_mbuf(&p, SL_T_PORT_OUT);
}

static struct rte_mbuf *out6(const char *src, const char *dst)
{
	static struct sl_tpkt p;

	sl_tp_eth(&p, sl_t_mac_out, -1, 0x86dd);
	sl_tp_ip6(&p, src, dst, 17, 64, udp8, sizeof(udp8));
	return sl_tp_mbuf(&p, SL_T_PORT_OUT);
}

static void expect_nh(struct rte_mbuf *m, uint32_t nh, int line)
{
	struct rte_mbuf *o =
	    sl_test_expect_out(sl_env, m, SL_STAGE_ETH_INPUT, SL_STAGE_NEIGH, line);

	if (sl_meta(o)->nh != nh)
		fail_msg("line %d: next hop %u, expected %u", line, sl_meta(o)->nh, nh);
	if (sl_meta(o)->flags != 0)
		fail_msg("line %d: flags %x", line, sl_meta(o)->flags);
	rte_pktmbuf_free(o);
}
#define EXPECT_NH(m, nh) expect_nh((m), (nh), __LINE__)

static void test_route4_dispatch(void **state)
{
	/* CONNECTED, both VSwitches; custom GATEWAY routes. */
	EXPECT_NH(vlan4(100, "192.168.1.10", "192.168.1.11"), sl_env->nh_vsw1);
	EXPECT_NH(vlan4(100, "192.168.1.10", "192.168.2.10"), sl_env->nh_vsw2);
	EXPECT_NH(vlan4(100, "192.168.1.10", "10.99.200.1"), sl_env->nh_inst);
	EXPECT_NH(vlan4(100, "192.168.1.10", "10.98.0.1"), sl_env->nh_small);
	/* Overlapping CIDR in VPC B resolves in B's table. */
	EXPECT_NH(vlan4(200, "192.168.1.20", "192.168.1.10"), sl_env->nh_b_vsw1);
	/* Internet side: connected subnet and default route. */
	EXPECT_NH(out4("198.51.100.1", "203.0.113.77"), sl_env->nh_out_conn);
	EXPECT_NH(out4("198.51.100.1", "8.8.8.8"), sl_env->nh_up);
	EXPECT_NH(out6("2001:db8:eeee::1", "2001:db8:ffff::9"), sl_env->nh_out_conn6);
	EXPECT_NH(out6("2001:db8:eeee::1", "2001:db8:1234::1"), sl_env->nh_up6);
}

static void test_route4_blackhole(void **state)
{
	/* 100.64.0.0/10 is the reserved service range: silent drop. */
	SL_EXPECT_DROP(sl_env, vlan4(100, "192.168.1.10", "100.64.0.1"), SL_DROP_BLACKHOLE);
	SL_EXPECT_DROP(sl_env, vlan4(100, "192.168.1.10", "100.127.255.254"), SL_DROP_BLACKHOLE);
	assert_int_equal(sl_env->stats->cnt[SL_CNT_ICMP_ERRORS], 0);
	/* Just outside the /10: not blackholed, simply no route. */
	sl_test_reset_stats(sl_env);
	sl_test_run(sl_env->w, vlan4(100, "192.168.1.10", "100.128.0.1"), SL_STAGE_ETH_INPUT);
	assert_int_equal(sl_env->stats->drop[SL_DROP_BLACKHOLE], 0);
	assert_int_equal(sl_env->stats->drop[SL_DROP_NO_ROUTE], 1);
	sl_test_flush(sl_env->w);
}

static void test_route4_unreachable(void **state)
{
	struct rte_mbuf *o;
	uint8_t b[2048];

	/* No route in VPC A: the packet is counted NO_ROUTE and an ICMP
	 * destination unreachable (net) goes back to the sender, from the
	 * gateway address of the sender's VSwitch. */
	sl_test_flush(sl_env->w);
	sl_test_reset_stats(sl_env);
	sl_test_run(sl_env->w, vlan4(100, "192.168.1.10", "10.55.0.1"), SL_STAGE_ETH_INPUT);
	assert_int_equal(sl_env->stats->drop[SL_DROP_NO_ROUTE], 1);
	assert_int_equal(sl_test_drops(sl_env), 1);
	assert_int_equal(sl_env->stats->cnt[SL_CNT_ICMP_ERRORS], 1);
	assert_int_equal(sl_test_take(sl_env->w, SL_STAGE_NEIGH, &o, 1), 1);
	assert_int_equal(sl_meta(o)->nh, sl_env->nh_vsw1);
	assert_int_equal(sl_meta(o)->vpc_index, sl_env->vpc_a);
	sl_t_bytes(o, sl_meta(o)->l3_off, b, sizeof(b));
	assert_int_equal(b[9], 1);
	assert_int_equal(b[20], 3);
	assert_int_equal(b[21], 0);
	assert_int_equal(memcmp(b + 12, "\xc0\xa8\x01\xfd", 4), 0);
	assert_int_equal(memcmp(b + 16, "\xc0\xa8\x01\x0a", 4), 0);
	rte_pktmbuf_free(o);

	/* VPC B has no 192.168.2.0/24: unreachable there, answered in B. */
	sl_test_reset_stats(sl_env);
	sl_test_run(sl_env->w, vlan4(200, "192.168.1.20", "192.168.2.10"), SL_STAGE_ETH_INPUT);
	assert_int_equal(sl_env->stats->drop[SL_DROP_NO_ROUTE], 1);
	assert_int_equal(sl_test_take(sl_env->w, SL_STAGE_NEIGH, &o, 1), 1);
	assert_int_equal(sl_meta(o)->vpc_index, sl_env->vpc_b);
	assert_int_equal(sl_meta(o)->nh, sl_env->nh_b_vsw1);
	rte_pktmbuf_free(o);

	/* IPv6: 1/0 from the VSwitch's gateway address. */
	sl_test_reset_stats(sl_env);
	{
		struct rte_mbuf *m =
		    sl_tp_in6("2001:db8:a:1::10", "2001:db8:77::1", 17, 64, udp8, sizeof(udp8));
		uint8_t gw[16];

		sl_test_run(sl_env->w, m, SL_STAGE_ETH_INPUT);
		assert_int_equal(sl_env->stats->drop[SL_DROP_NO_ROUTE], 1);
		assert_int_equal(sl_test_take(sl_env->w, SL_STAGE_NEIGH, &o, 1), 1);
		assert_int_equal(sl_meta(o)->nh, sl_env->nh_vsw1_6);
		sl_t_bytes(o, sl_meta(o)->l3_off, b, sizeof(b));
		assert_int_equal(b[6], 58);
		assert_int_equal(b[40], 1);
		assert_int_equal(b[41], 0);
		sl_t_addr("2001:db8:a:1:ffff:ffff:ffff:fffd", gw);
		assert_memory_equal(b + 8, gw, 16);
		rte_pktmbuf_free(o);
	}
}

static void test_route6_dispatch(void **state)
{
	EXPECT_NH(sl_tp_in6("2001:db8:a:1::10", "2001:db8:a:2::10", 17, 64, udp8, sizeof(udp8)),
		  sl_env->nh_vsw2_6);
	EXPECT_NH(sl_tp_in6("2001:db8:a:1::10", "2001:db8:99:5::1", 17, 64, udp8, sizeof(udp8)),
		  sl_env->nh_inst6);
	/* Link-local destination reached through the Internet default
	 * route: must not leave its link. */
	SL_EXPECT_DROP(sl_env, out6("2001:db8:eeee::1", "fe80::1"), SL_DROP_IP6_SCOPE);
	/* Link-local source to a VSwitch address. */
	SL_EXPECT_DROP(sl_env,
		       sl_tp_in6("fe80::10", "2001:db8:a:2::10", 17, 64, udp8, sizeof(udp8)),
		       SL_DROP_IP6_SCOPE);
}

/* A bank without tables for the VPC a packet claims (generation changed
 * under it) drops instead of reading out of bounds. */
static void test_route_unknown_vpc(void **state)
{
	struct rte_mbuf *m = vlan4(100, "192.168.1.10", "192.168.2.10");

	sl_meta(m)->vpc_index = 7;
	sl_meta(m)->l3_off = 18;
	sl_meta(m)->family = SL_AF_INET;
	sl_meta(m)->flags = 0;
	sl_test_expect_drop(sl_env, m, SL_STAGE_ROUTE4, SL_DROP_NO_ROUTE, __LINE__);
	assert_int_equal(sl_env->stats->cnt[SL_CNT_ICMP_ERRORS], 0);
}

/* Operators' counters (issue 11): every packet route4/route6 looks up is
 * counted once, with its IP length, in the row of the table it was looked
 * up in (VPC index or the Internet); an ICMP error the gateway makes is
 * routed (and counted) again; a packet of a vanished VPC is not counted. */
static void test_route_table_counters(void **state)
{
	const struct sl_rt_stats *rt = sl_env->rtstats;
	const uint32_t a = sl_env->vpc_a, b = sl_env->vpc_b, inet = SL_RT_STATS_INET;
	struct rte_mbuf *m, *o;

	sl_test_flush(sl_env->w);
	sl_test_reset_stats(sl_env);
	for (int i = 0; i < 3; i++) /* 20 + 16 bytes of IPv4 each (IPv6: 40 + 16) */
		sl_test_run(sl_env->w, vlan4(100, "192.168.1.10", "192.168.2.10"),
			    SL_STAGE_ETH_INPUT);
	sl_test_run(sl_env->w, vlan4(200, "192.168.1.20", "192.168.1.10"), SL_STAGE_ETH_INPUT);
	sl_test_run(sl_env->w, out4("198.51.100.1", "8.8.8.8"), SL_STAGE_ETH_INPUT);
	sl_test_run(sl_env->w, out6("2001:db8:eeee::1", "2001:db8:1234::1"), SL_STAGE_ETH_INPUT);
	sl_test_run(sl_env->w,
		    sl_tp_in6("2001:db8:a:1::10", "2001:db8:a:2::10", 17, 64, udp8, sizeof(udp8)),
		    SL_STAGE_ETH_INPUT);
	assert_int_equal(sl_test_drops(sl_env), 0);
	sl_test_flush(sl_env->w);
	assert_int_equal(rt[a].pkts, 4);
	assert_int_equal(rt[a].bytes, 3 * 36 + 56);
	assert_int_equal(rt[b].pkts, 1);
	assert_int_equal(rt[b].bytes, 36);
	assert_int_equal(rt[inet].pkts, 2);
	assert_int_equal(rt[inet].bytes, 36 + 56);
	assert_int_equal(rt[2].pkts + rt[inet - 1].pkts, 0);

	/* No route in VPC B: looked up there, and the ICMP error back to the
	 * sender is routed in B too. */
	sl_test_reset_stats(sl_env);
	sl_test_run(sl_env->w, vlan4(200, "192.168.1.20", "192.168.2.10"), SL_STAGE_ETH_INPUT);
	assert_int_equal(sl_test_take(sl_env->w, SL_STAGE_NEIGH, &o, 1), 1);
	rte_pktmbuf_free(o);
	assert_int_equal(rt[b].pkts, 2);
	assert_int_equal(rt[a].pkts + rt[inet].pkts, 0);

	/* A VPC index the bank does not have: dropped, not counted. */
	sl_test_reset_stats(sl_env);
	m = vlan4(100, "192.168.1.10", "192.168.2.10");
	sl_meta(m)->vpc_index = 7;
	sl_meta(m)->l3_off = 18;
	sl_meta(m)->family = SL_AF_INET;
	sl_meta(m)->flags = 0;
	sl_test_expect_drop(sl_env, m, SL_STAGE_ROUTE4, SL_DROP_NO_ROUTE, __LINE__);
	assert_int_equal(rt[7].pkts, 0);

	/* With an IPv6 gateway section, route6 hands Internet-side packets to
	 * IP6GW_IN first: counted only when they come back (SEEN). The stage
	 * is run alone (its output stays in the next stages' vectors), and
	 * only tests that the section exists, so the bank's offset is faked
	 * for the call. */
	{
		struct sl_bank_header *bank = (struct sl_bank_header *)sl_env->w->bank;
		uint64_t ip6gw_off = bank->ip6gw_off;
		struct rte_mbuf *v[3], *o6[4];

		sl_test_reset_stats(sl_env);
		for (int i = 0; i < 3; i++) {
			v[i] = out6("2001:db8:eeee::1", "2001:db8:a:1::10");
			sl_meta(v[i])->vpc_index = SL_VPC_INTERNET;
			sl_meta(v[i])->l3_off = 14;
			sl_meta(v[i])->family = SL_AF_INET6;
			sl_meta(v[i])->flags = i == 2 ? SL_META_F_IP6GW_SEEN : 0;
		}
		sl_meta(v[1])->vpc_index = 7; /* not in the bank: dropped, not counted */
		bank->ip6gw_off = 64;
		sl_stage_route6(sl_env->w, v, 3);
		assert_int_equal(rt[inet].pkts, 1);
		assert_int_equal(rt[inet].bytes, 56);
		assert_int_equal(rt[7].pkts, 0);
		assert_int_equal(sl_test_take(sl_env->w, SL_STAGE_IP6GW_IN, o6, 4), 1);
		assert_ptr_equal(o6[0], v[0]);
		/* without the section, the same packet is routed and counted */
		sl_meta(o6[0])->flags = 0;
		bank->ip6gw_off = 0;
		sl_stage_route6(sl_env->w, o6, 1);
		bank->ip6gw_off = ip6gw_off;
		assert_int_equal(rt[inet].pkts, 2);
		sl_test_flush(sl_env->w);
	}

	/* The index helper: the Internet, VPCs, nothing beyond. */
	assert_int_equal(sl_rt_stats_index(SL_VPC_INTERNET), SL_RT_STATS_INET);
	assert_int_equal(sl_rt_stats_index(5), 5);
	assert_int_equal(sl_rt_stats_index(SL_RT_STATS_INET), SL_RT_STATS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_route4_dispatch),    cmocka_unit_test(test_route4_blackhole),
	    cmocka_unit_test(test_route4_unreachable), cmocka_unit_test(test_route6_dispatch),
	    cmocka_unit_test(test_route_unknown_vpc),  cmocka_unit_test(test_route_table_counters),
	};

	return cmocka_run_group_tests(tests, sl_test_group_setup, sl_test_group_teardown);
}
