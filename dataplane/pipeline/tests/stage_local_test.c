/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * local4/local6: echo replies from the gateway's addresses (every field and
 * both checksums verified independently), options and extension headers
 * dropped from the reply, multi-segment requests, UDP -> port unreachable
 * from the address the packet was sent to, malformed ICMP and fragments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "sl_test_env.h"

static const uint8_t udp8[16] = {0x82, 0x9a, 0x82, 0x9b, 0x00, 0x10, 0, 0, 't', 'r', 'a', 'c', 'e'};

/* The reply at NEIGH, checked against the request (IPv4). */
static void check_echo4(struct rte_mbuf *r, const struct sl_tpkt *req, uint32_t nh)
{
	const uint8_t *q = req->b + req->l3;
	unsigned int qhlen = (q[0] & 0xf) * 4u;
	uint32_t ilen = sl_get16(q + 2) - qhlen;
	uint8_t b[10000];
	uint32_t len = sl_t_bytes(r, sl_meta(r)->l3_off, b, sizeof(b));

	assert_int_equal(len, 20 + ilen);
	assert_int_equal(b[0], 0x45); /* options not echoed */
	assert_int_equal(sl_get16(b + 2), len);
	assert_int_equal(sl_get16(b + 6), 0);
	assert_int_equal(b[8], 64);
	assert_int_equal(b[9], 1);
	assert_true(sl_t_cksum_ok(b, 20));
	assert_memory_equal(b + 12, q + 16, 4); /* from the address pinged */
	assert_memory_equal(b + 16, q + 12, 4);
	assert_int_equal(b[20], 0);
	assert_int_equal(b[21], 0);
	assert_true(sl_t_cksum_ok(b + 20, ilen));
	assert_memory_equal(b + 24, q + qhlen + 4, ilen - 4); /* id, seq, data */
	assert_int_equal(sl_meta(r)->flags, SL_META_F_LOCAL_ORIGIN);
	assert_int_equal(sl_meta(r)->nh, nh);
	assert_int_equal(sl_meta(r)->l4_off, sl_meta(r)->l3_off + 20);
}

static struct rte_mbuf *echo4_pkt(struct sl_tpkt *p, const char *src, const char *dst,
				  unsigned int dlen, const uint8_t *opts, unsigned int optlen)
{
	static uint8_t icmp[10000];
	unsigned int n = sl_tp_icmp4_echo(icmp, 0x4242, 7, dlen);

	sl_tp_eth(p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(p, src, dst, 1, 64, 0x4000, opts, optlen, icmp, n);
	return sl_tp_mbuf(p, SL_T_PORT_IN);
}

static void test_echo4(void **state)
{
	struct sl_tpkt p;
	struct rte_mbuf *r;
	static const uint8_t opts[12] = {0x07, 11, 4};

	/* Ping the own VSwitch gateway. */
	r = SL_EXPECT_OUT(sl_env, echo4_pkt(&p, "192.168.1.10", "192.168.1.253", 56, NULL, 0),
			  SL_STAGE_NEIGH);
	check_echo4(r, &p, sl_env->nh_vsw1);
	assert_int_equal(sl_env->stats->cnt[SL_CNT_LOCAL_ECHO], 1);
	assert_int_equal(sl_env->stats->cnt[SL_CNT_FWD_IP4], 1);
	assert_int_equal(sl_meta(r)->vpc_index, sl_env->vpc_a);
	rte_pktmbuf_free(r);

	/* The other VSwitch's gateway answers from its own address. */
	r = SL_EXPECT_OUT(sl_env, echo4_pkt(&p, "192.168.1.10", "192.168.2.253", 0, NULL, 0),
			  SL_STAGE_NEIGH);
	check_echo4(r, &p, sl_env->nh_vsw1);
	rte_pktmbuf_free(r);

	/* Request with a record-route option: reply without options. */
	r = SL_EXPECT_OUT(sl_env, echo4_pkt(&p, "192.168.1.10", "192.168.1.253", 32, opts, 12),
			  SL_STAGE_NEIGH);
	check_echo4(r, &p, sl_env->nh_vsw1);
	rte_pktmbuf_free(r);

	/* A 1400-byte request in four segments. */
	rte_pktmbuf_free(echo4_pkt(&p, "192.168.1.10", "192.168.1.253", 1372, NULL, 0));
	r = sl_tp_mbuf_segs(&p, SL_T_PORT_IN, 400);
	assert_int_equal(r->nb_segs, 4);
	r = SL_EXPECT_OUT(sl_env, r, SL_STAGE_NEIGH);
	check_echo4(r, &p, sl_env->nh_vsw1);
	rte_pktmbuf_free(r);

	/* VPC B pings the same address in its own VPC. */
	{
		static uint8_t icmp[64];
		unsigned int n = sl_tp_icmp4_echo(icmp, 1, 1, 8);

		sl_tp_eth(&p, sl_t_mac_in, 200, 0x0800);
		sl_tp_ip4(&p, "192.168.1.20", "192.168.1.253", 1, 64, 0, NULL, 0, icmp, n);
		r = SL_EXPECT_OUT(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_NEIGH);
		check_echo4(r, &p, sl_env->nh_b_vsw1);
		assert_int_equal(sl_meta(r)->vpc_index, sl_env->vpc_b);
		rte_pktmbuf_free(r);
	}

	/* The Internet side pings the outside address. */
	{
		static uint8_t icmp[64];
		unsigned int n = sl_tp_icmp4_echo(icmp, 9, 9, 24);

		sl_tp_eth(&p, sl_t_mac_out, -1, 0x0800);
		sl_tp_ip4(&p, "198.51.100.1", "203.0.113.2", 1, 50, 0, NULL, 0, icmp, n);
		r = SL_EXPECT_OUT(sl_env, sl_tp_mbuf(&p, SL_T_PORT_OUT), SL_STAGE_NEIGH);
		check_echo4(r, &p, sl_env->nh_up);
		rte_pktmbuf_free(r);
	}
}

static void test_local4_drops(void **state)
{
	struct sl_tpkt p;
	static uint8_t icmp[128];
	unsigned int n;

	/* Bad ICMP checksum. */
	n = sl_tp_icmp4_echo(icmp, 1, 1, 16);
	icmp[10] ^= 0x40;
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "192.168.1.253", 1, 64, 0, NULL, 0, icmp, n);
	SL_EXPECT_DROP(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_LOCAL_ICMP_INVALID);
	/* ICMP shorter than its 8-byte header. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "192.168.1.253", 1, 64, 0, NULL, 0, icmp, 4);
	SL_EXPECT_DROP(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_LOCAL_ICMP_INVALID);
	/* First fragment of an echo request (MF), and a later fragment. */
	n = sl_tp_icmp4_echo(icmp, 1, 1, 16);
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "192.168.1.253", 1, 64, 0x2000, NULL, 0, icmp, n);
	SL_EXPECT_DROP(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_LOCAL_ICMP_INVALID);
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "192.168.1.253", 1, 64, 3, NULL, 0, icmp, n);
	SL_EXPECT_DROP(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_LOCAL_ICMP_INVALID);
	/* An echo reply sent to the gateway: not a request. */
	n = sl_tp_icmp4_echo(icmp, 1, 1, 16);
	icmp[0] = 0;
	icmp[2] = icmp[3] = 0;
	{
		uint16_t c = sl_t_cksum(icmp, n);

		icmp[2] = (uint8_t)(c >> 8);
		icmp[3] = (uint8_t)c;
	}
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "192.168.1.253", 1, 64, 0, NULL, 0, icmp, n);
	SL_EXPECT_DROP(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_LOCAL_PROTO);
	/* TCP to the gateway. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "192.168.1.253", 6, 64, 0, NULL, 0, udp8, 16);
	SL_EXPECT_DROP(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_LOCAL_PROTO);
	/* Non-first UDP fragment: no port, no error. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "192.168.1.253", 17, 64, 2, NULL, 0, udp8, 16);
	SL_EXPECT_DROP(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_LOCAL_PROTO);
}

static void test_udp_port_unreachable4(void **state)
{
	struct sl_tpkt p;
	struct rte_mbuf *r;
	uint8_t b[256];

	/* traceroute to the other VSwitch's gateway: the final answer comes
	 * from the address probed. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "192.168.2.253", 17, 64, 0, NULL, 0, udp8, 16);
	sl_test_run(sl_env->w, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_ETH_INPUT);
	assert_int_equal(sl_env->stats->drop[SL_DROP_LOCAL_PROTO], 1);
	assert_int_equal(sl_test_drops(sl_env), 1);
	assert_int_equal(sl_env->stats->cnt[SL_CNT_ICMP_ERRORS], 1);
	assert_int_equal(sl_test_take(sl_env->w, SL_STAGE_NEIGH, &r, 1), 1);
	sl_t_bytes(r, sl_meta(r)->l3_off, b, sizeof(b));
	assert_int_equal(sl_get16(b + 2), 28 + 36);
	assert_int_equal(b[20], 3);
	assert_int_equal(b[21], 3);
	assert_memory_equal(b + 12, p.b + p.l3 + 16, 4);
	assert_memory_equal(b + 16, p.b + p.l3 + 12, 4);
	assert_true(sl_t_cksum_ok(b, 20));
	assert_true(sl_t_cksum_ok(b + 20, 8 + 36));
	assert_memory_equal(b + 28, p.b + p.l3, 36);
	assert_int_equal(sl_meta(r)->nh, sl_env->nh_vsw1);
	rte_pktmbuf_free(r);
}

/* ---- IPv6 ------------------------------------------------------------------------- */

static void echo6_build(struct sl_tpkt *p, const char *src, const char *dst, unsigned int dlen,
			const uint8_t *ext, unsigned int extlen, uint8_t first_nh)
{
	static uint8_t pl[4096];

	if (extlen)
		memcpy(pl, ext, extlen);
	pl[extlen] = 128;
	pl[extlen + 1] = 0;
	pl[extlen + 4] = 0x12;
	pl[extlen + 5] = 0x34;
	pl[extlen + 7] = 1;
	for (unsigned int i = 0; i < dlen; i++)
		pl[extlen + 8 + i] = (uint8_t)(i ^ 0x5a);
	sl_tp_eth(p, sl_t_mac_in, 100, 0x86dd);
	sl_tp_ip6(p, src, dst, first_nh, 64, pl, extlen + 8 + dlen);
	sl_tp_icmp6_fix(p, p->l3 + 40 + extlen);
}

static void check_echo6(struct rte_mbuf *r, const struct sl_tpkt *req, unsigned int extlen,
			uint32_t nh)
{
	const uint8_t *q = req->b + req->l3;
	uint32_t ilen = sl_get16(q + 4) - extlen;
	uint8_t b[4096];
	uint32_t len = sl_t_bytes(r, sl_meta(r)->l3_off, b, sizeof(b));

	assert_int_equal(len, 40 + ilen);
	assert_int_equal(b[0] >> 4, 6);
	assert_int_equal(sl_get16(b + 4), ilen);
	assert_int_equal(b[6], 58);
	assert_int_equal(b[7], 64);
	assert_memory_equal(b + 8, q + 24, 16);
	assert_memory_equal(b + 24, q + 8, 16);
	assert_int_equal(b[40], 129);
	assert_int_equal(b[41], 0);
	assert_true(sl_t_icmp6_ok(b + 8, b + 24, b + 40, ilen));
	assert_memory_equal(b + 44, q + 40 + extlen + 4, ilen - 4);
	assert_int_equal(sl_meta(r)->flags, SL_META_F_LOCAL_ORIGIN);
	assert_int_equal(sl_meta(r)->nh, nh);
	assert_int_equal(sl_meta(r)->l4_off, sl_meta(r)->l3_off + 40);
}

static void test_echo6(void **state)
{
	struct sl_tpkt p;
	struct rte_mbuf *r;
	/* destination options: PadN */
	static const uint8_t dopt[8] = {58, 0, 1, 4, 0, 0, 0, 0};

	echo6_build(&p, "2001:db8:a:1::10", "2001:db8:a:1:ffff:ffff:ffff:fffd", 56, NULL, 0, 58);
	r = SL_EXPECT_OUT(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_NEIGH);
	check_echo6(r, &p, 0, sl_env->nh_vsw1_6);
	assert_int_equal(sl_env->stats->cnt[SL_CNT_LOCAL_ECHO], 1);
	assert_int_equal(sl_env->stats->cnt[SL_CNT_FWD_IP6], 1);
	rte_pktmbuf_free(r);

	/* With a destination options header: the reply carries none. */
	echo6_build(&p, "2001:db8:a:2::10", "2001:db8:a:2:ffff:ffff:ffff:fffd", 100, dopt, 8, 60);
	r = SL_EXPECT_OUT(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_NEIGH);
	check_echo6(r, &p, 8, sl_env->nh_vsw2_6);
	rte_pktmbuf_free(r);

	/* Large request over several segments. */
	echo6_build(&p, "2001:db8:a:1::10", "2001:db8:a:1:ffff:ffff:ffff:fffd", 1400, NULL, 0, 58);
	r = sl_tp_mbuf_segs(&p, SL_T_PORT_IN, 500);
	r = SL_EXPECT_OUT(sl_env, r, SL_STAGE_NEIGH);
	check_echo6(r, &p, 0, sl_env->nh_vsw1_6);
	rte_pktmbuf_free(r);
}

static void test_local6_drops(void **state)
{
	struct sl_tpkt p;
	struct rte_mbuf *r;
	uint8_t b[256];
	static const uint8_t frag[8] = {58, 0, 0, 1, 0, 0, 0, 9}; /* offset 0, M */
	static uint8_t pl[64];

	/* Bad checksum. */
	echo6_build(&p, "2001:db8:a:1::10", "2001:db8:a:1:ffff:ffff:ffff:fffd", 8, NULL, 0, 58);
	p.b[p.len - 1] ^= 1;
	SL_EXPECT_DROP(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_LOCAL_ICMP_INVALID);
	/* First fragment of an echo request. */
	echo6_build(&p, "2001:db8:a:1::10", "2001:db8:a:1:ffff:ffff:ffff:fffd", 8, frag, 8, 44);
	SL_EXPECT_DROP(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_LOCAL_ICMP_INVALID);
	/* ICMPv6 of 4 bytes. */
	memset(pl, 0, sizeof(pl));
	pl[0] = 128;
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x86dd);
	sl_tp_ip6(&p, "2001:db8:a:1::10", "2001:db8:a:1:ffff:ffff:ffff:fffd", 58, 64, pl, 4);
	sl_tp_icmp6_fix(&p, p.l3 + 40);
	SL_EXPECT_DROP(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_LOCAL_ICMP_INVALID);
	/* Echo reply to the gateway: not a request. */
	echo6_build(&p, "2001:db8:a:1::10", "2001:db8:a:1:ffff:ffff:ffff:fffd", 8, NULL, 0, 58);
	p.b[p.l3 + 40] = 129;
	sl_tp_icmp6_fix(&p, p.l3 + 40);
	SL_EXPECT_DROP(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_LOCAL_PROTO);
	/* TCP. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x86dd);
	sl_tp_ip6(&p, "2001:db8:a:1::10", "2001:db8:a:1:ffff:ffff:ffff:fffd", 6, 64, udp8, 16);
	SL_EXPECT_DROP(sl_env, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_DROP_LOCAL_PROTO);

	/* UDP -> port unreachable 1/4 from the probed address. */
	sl_test_reset_stats(sl_env);
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x86dd);
	sl_tp_ip6(&p, "2001:db8:a:1::10", "2001:db8:a:2:ffff:ffff:ffff:fffd", 17, 64, udp8, 16);
	sl_test_run(sl_env->w, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_ETH_INPUT);
	assert_int_equal(sl_env->stats->drop[SL_DROP_LOCAL_PROTO], 1);
	assert_int_equal(sl_test_take(sl_env->w, SL_STAGE_NEIGH, &r, 1), 1);
	sl_t_bytes(r, sl_meta(r)->l3_off, b, sizeof(b));
	assert_int_equal(b[40], 1);
	assert_int_equal(b[41], 4);
	assert_memory_equal(b + 8, p.b + p.l3 + 24, 16);
	assert_memory_equal(b + 24, p.b + p.l3 + 8, 16);
	assert_true(sl_t_icmp6_ok(b + 8, b + 24, b + 40, 8 + 56));
	assert_memory_equal(b + 48, p.b + p.l3, 56);
	rte_pktmbuf_free(r);
}

/* On a port with an exception path, the gateway's own traffic other than
 * echo requests is punted for the host kernel; echo stays in the fast path. */
static void test_exception_path(void **state)
{
	static const uint8_t tcp_syn[20] = {0xc0, 0x01, 0x00, 0xb3, 0, 0, 0, 1, 0, 0, 0, 0,
					    0x50, 0x02, 0x40, 0x00};
	static const uint8_t udp[12] = {0x0e, 0xc8, 0x0e, 0xc8, 0x00, 0x0c, 0, 0, 'b', 'f', 'd'};
	static uint8_t icmp[64];
	struct sl_tpkt p;
	struct rte_mbuf *r;
	unsigned int n;

	(void)state;
	sl_ports[SL_T_PORT_OUT].exc = 1;
	/* TCP (BGP) to the outside address: to the kernel as received */
	sl_tp_eth(&p, sl_t_mac_out, -1, 0x0800);
	sl_tp_ip4(&p, "203.0.113.1", "203.0.113.2", 6, 64, 0x4000, NULL, 0, tcp_syn, 20);
	r = SL_EXPECT_OUT(sl_env, sl_tp_mbuf(&p, SL_T_PORT_OUT), SL_STAGE_PUNT);
	assert_int_equal(sl_meta(r)->punt, SL_PUNT_EXCEPTION);
	assert_int_equal(rte_pktmbuf_pkt_len(r), p.len);
	assert_memory_equal(rte_pktmbuf_mtod(r, uint8_t *), p.b, p.len);
	rte_pktmbuf_free(r);
	/* UDP (BFD): to the kernel, no port unreachable */
	sl_tp_eth(&p, sl_t_mac_out, -1, 0x0800);
	sl_tp_ip4(&p, "203.0.113.1", "203.0.113.2", 17, 64, 0, NULL, 0, udp, 12);
	r = SL_EXPECT_OUT(sl_env, sl_tp_mbuf(&p, SL_T_PORT_OUT), SL_STAGE_PUNT);
	assert_int_equal(sl_meta(r)->punt, SL_PUNT_EXCEPTION);
	rte_pktmbuf_free(r);
	assert_int_equal(sl_env->stats->cnt[SL_CNT_ICMP_ERRORS], 0);
	/* an echo reply (to the kernel's own ping): the kernel's */
	n = sl_tp_icmp4_echo(icmp, 9, 1, 16);
	icmp[0] = 0;
	sl_tp_eth(&p, sl_t_mac_out, -1, 0x0800);
	sl_tp_ip4(&p, "203.0.113.1", "203.0.113.2", 1, 64, 0, NULL, 0, icmp, n);
	r = SL_EXPECT_OUT(sl_env, sl_tp_mbuf(&p, SL_T_PORT_OUT), SL_STAGE_PUNT);
	rte_pktmbuf_free(r);
	/* an echo request: answered here */
	n = sl_tp_icmp4_echo(icmp, 9, 1, 16);
	sl_tp_eth(&p, sl_t_mac_out, -1, 0x0800);
	sl_tp_ip4(&p, "203.0.113.1", "203.0.113.2", 1, 64, 0, NULL, 0, icmp, n);
	r = SL_EXPECT_OUT(sl_env, sl_tp_mbuf(&p, SL_T_PORT_OUT), SL_STAGE_NEIGH);
	assert_int_equal(sl_env->stats->cnt[SL_CNT_LOCAL_ECHO], 1);
	rte_pktmbuf_free(r);
	/* IPv6 TCP to the outside address: the kernel's; echo: ours */
	sl_tp_eth(&p, sl_t_mac_out, -1, 0x86dd);
	sl_tp_ip6(&p, "2001:db8:ffff::1", "2001:db8:ffff::2", 6, 64, tcp_syn, 20);
	r = SL_EXPECT_OUT(sl_env, sl_tp_mbuf(&p, SL_T_PORT_OUT), SL_STAGE_PUNT);
	assert_int_equal(sl_meta(r)->punt, SL_PUNT_EXCEPTION);
	rte_pktmbuf_free(r);
	/* the same TCP without an exception path: dropped as before */
	sl_ports[SL_T_PORT_OUT].exc = 0;
	sl_tp_eth(&p, sl_t_mac_out, -1, 0x0800);
	sl_tp_ip4(&p, "203.0.113.1", "203.0.113.2", 6, 64, 0x4000, NULL, 0, tcp_syn, 20);
	SL_EXPECT_DROP(sl_env, sl_tp_mbuf(&p, SL_T_PORT_OUT), SL_DROP_LOCAL_PROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_echo4, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_local4_drops, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_udp_port_unreachable4, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_echo6, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_local6_drops, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_exception_path, sl_test_setup_full_bucket),
	};

	return cmocka_run_group_tests(tests, sl_test_group_setup, sl_test_group_teardown);
}
