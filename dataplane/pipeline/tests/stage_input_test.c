/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * eth_input, ip4_input and ip6_input: every drop reason with a malformed
 * packet, the metadata they fill, padding trim, VLAN (in frame and stripped
 * by the PMD), ARP and ND punts, the IPv6 extension-header walk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "sl_test_env.h"

#define expect_drop(m, r) SL_EXPECT_DROP(sl_env, (m), (r))
#define expect_drop_pkt(p, port, r) SL_EXPECT_DROP(sl_env, sl_tp_mbuf((p), (port)), (r))
#define expect_out(m, stage) SL_EXPECT_OUT(sl_env, (m), (stage))

static const uint8_t udp8[16] = {0x30, 0x39, 0x00, 0x35, 0x00, 0x10, 0, 0, 'h', 'e', 'l', 'l', 'o'};

static void in4(struct sl_tpkt *p, const char *src, const char *dst)
{
	sl_tp_eth(p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(p, src, dst, 17, 64, 0, NULL, 0, udp8, sizeof(udp8));
}

static void in6(struct sl_tpkt *p, const char *src, const char *dst, uint8_t nh, const uint8_t *pl,
		unsigned int plen)
{
	sl_tp_eth(p, sl_t_mac_in, 100, 0x86dd);
	sl_tp_ip6(p, src, dst, nh, 64, pl, plen);
}

static void fix_ip4_cksum(struct sl_tpkt *p)
{
	uint8_t *h = p->b + p->l3;
	unsigned int hlen = (h[0] & 0xf) * 4u;
	uint16_t c;

	h[10] = h[11] = 0;
	c = sl_t_cksum(h, hlen);
	h[10] = (uint8_t)(c >> 8);
	h[11] = (uint8_t)c;
}

/* ---- eth_input ------------------------------------------------------------------ */

static void test_eth_drops(void **state)
{
	struct sl_tpkt p;

	/* Shorter than an Ethernet header; VLAN tag cut off. */
	in4(&p, "192.168.1.10", "192.168.2.10");
	p.len = 10;
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_ETH_TRUNCATED);
	p.len = 16;
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_ETH_TRUNCATED);

	/* Unicast MAC of somebody else. */
	in4(&p, "192.168.1.10", "192.168.2.10");
	p.b[5] = 0x77;
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_L2_NOT_FOR_US);

	/* QinQ: 802.1ad outer tag; two 802.1Q tags; 802.1Q then 802.1ad. */
	in4(&p, "192.168.1.10", "192.168.2.10");
	p.b[12] = 0x88;
	p.b[13] = 0xa8;
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_QINQ);
	in4(&p, "192.168.1.10", "192.168.2.10");
	p.b[16] = 0x81;
	p.b[17] = 0x00;
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_QINQ);
	p.b[16] = 0x88;
	p.b[17] = 0xa8;
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_QINQ);
	{
		/* PMD stripped one tag and another is still in the frame. */
		struct rte_mbuf *m;

		in4(&p, "192.168.1.10", "192.168.2.10");
		m = sl_tp_mbuf(&p, SL_T_PORT_IN);
		m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
		m->vlan_tci = 100;
		expect_drop(m, SL_DROP_QINQ);
	}

	/* Untagged on the inside, tagged on the outside, unknown VLANs. */
	sl_tp_eth(&p, sl_t_mac_in, -1, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "192.168.2.10", 17, 64, 0, NULL, 0, udp8, sizeof(udp8));
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_UNTAGGED_INSIDE);
	sl_tp_eth(&p, sl_t_mac_out, 100, 0x0800);
	sl_tp_ip4(&p, "198.51.100.1", "203.0.113.2", 17, 64, 0, NULL, 0, udp8, sizeof(udp8));
	expect_drop_pkt(&p, SL_T_PORT_OUT, SL_DROP_TAGGED_OUTSIDE);
	sl_tp_eth(&p, sl_t_mac_in, 300, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "192.168.2.10", 17, 64, 0, NULL, 0, udp8, sizeof(udp8));
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_UNKNOWN_VLAN);
	p.b[14] = 0x30; /* PCP 1, VID 0: priority tag, no VPC */
	p.b[15] = 0x00;
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_UNKNOWN_VLAN);

	/* LLDP: not IPv4, IPv6 or ARP. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x88cc);
	memset(p.b + p.len, 0, 46);
	p.len += 46;
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_ETHERTYPE);

	/* Unicast IPv4 sent to the broadcast MAC (RFC 1812 5.3.4). */
	in4(&p, "192.168.1.10", "192.168.2.10");
	memset(p.b, 0xff, 6);
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_L2_MULTICAST);
}

/* A group address as the source MAC, whatever the frame carries and on
 * either port; a locally administered unicast source is fine. */
static void test_eth_bad_source(void **state)
{
	static const uint8_t group[][6] = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x09},
					   {0x33, 0x33, 0x00, 0x00, 0x00, 0x01},
					   {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
					   {0x03, 0x00, 0x00, 0x00, 0x00, 0x00}};
	static const uint8_t arp[28] = {0, 1, 8, 0, 6, 4, 0, 1};
	struct sl_tpkt p;
	struct rte_mbuf *m;

	for (unsigned int i = 0; i < RTE_DIM(group); i++) {
		in4(&p, "192.168.1.10", "192.168.2.10");
		memcpy(p.b + 6, group[i], 6);
		expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_L2_BAD_SOURCE);
		/* ARP: the gateway must not learn a group address */
		sl_tp_eth(&p, (const uint8_t[6]){0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 100, 0x0806);
		memcpy(p.b + 6, group[i], 6);
		memcpy(p.b + p.len, arp, sizeof(arp));
		p.len += sizeof(arp);
		expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_L2_BAD_SOURCE);
		in6(&p, "2001:db8:a:1::10", "2001:db8:a:2::10", 17, udp8, 8);
		memcpy(p.b + 6, group[i], 6);
		expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_L2_BAD_SOURCE);
		sl_tp_eth(&p, sl_t_mac_out, -1, 0x0800);
		sl_tp_ip4(&p, "198.51.100.1", "192.0.2.1", 17, 64, 0, NULL, 0, udp8, 8);
		memcpy(p.b + 6, group[i], 6);
		expect_drop_pkt(&p, SL_T_PORT_OUT, SL_DROP_L2_BAD_SOURCE);
	}
	/* A unicast frame for another MAC is not ours first, whatever its source. */
	in4(&p, "192.168.1.10", "192.168.2.10");
	p.b[5] = 0x77;
	memcpy(p.b + 6, group[0], 6);
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_L2_NOT_FOR_US);
	/* Locally administered (bit 1) but unicast (bit 0 clear): forwarded. */
	in4(&p, "192.168.1.10", "192.168.2.10");
	memcpy(p.b + 6, (const uint8_t[6]){0x02, 0, 0, 0, 0, 0x99}, 6);
	m = expect_out(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_NEIGH);
	rte_pktmbuf_free(m);
}

static void test_eth_classify(void **state)
{
	struct sl_tpkt p;
	struct rte_mbuf *m;
	struct sl_meta *md;

	/* Inside VLAN 100 -> VPC A. */
	in4(&p, "192.168.1.10", "192.168.2.10");
	m = expect_out(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_NEIGH);
	md = sl_meta(m);
	assert_int_equal(md->in_port, SL_T_PORT_IN);
	assert_int_equal(md->in_vlan, 100);
	assert_int_equal(md->in_role, SL_ROLE_INSIDE);
	assert_int_equal(md->vpc_index, sl_env->vpc_a);
	assert_int_equal(md->l3_off, 18);
	assert_int_equal(md->l4_off, 38);
	assert_int_equal(md->l4_proto, 17);
	assert_int_equal(md->family, SL_AF_INET);
	assert_int_equal(md->flags, 0);
	assert_int_equal(md->nh, sl_env->nh_vsw2);
	rte_pktmbuf_free(m);

	/* Same addresses on VLAN 200 -> VPC B, its own next hop. */
	sl_tp_eth(&p, sl_t_mac_in, 200, 0x0800);
	sl_tp_ip4(&p, "192.168.1.20", "192.168.1.10", 17, 64, 0, NULL, 0, udp8, sizeof(udp8));
	m = expect_out(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_NEIGH);
	assert_int_equal(sl_meta(m)->vpc_index, sl_env->vpc_b);
	assert_int_equal(sl_meta(m)->nh, sl_env->nh_b_vsw1);
	assert_int_equal(sl_meta(m)->in_vlan, 200);
	rte_pktmbuf_free(m);

	/* Outside, untagged -> Internet table. */
	sl_tp_eth(&p, sl_t_mac_out, -1, 0x0800);
	sl_tp_ip4(&p, "198.51.100.1", "203.0.113.9", 17, 64, 0, NULL, 0, udp8, sizeof(udp8));
	m = expect_out(sl_tp_mbuf(&p, SL_T_PORT_OUT), SL_STAGE_NEIGH);
	md = sl_meta(m);
	assert_int_equal(md->vpc_index, SL_VPC_INTERNET);
	assert_int_equal(md->in_role, SL_ROLE_OUTSIDE);
	assert_int_equal(md->in_vlan, 0);
	assert_int_equal(md->l3_off, 14);
	assert_int_equal(md->nh, sl_env->nh_out_conn);
	rte_pktmbuf_free(m);

	/* VLAN stripped by the PMD (af_packet): tag in m->vlan_tci. */
	sl_tp_eth(&p, sl_t_mac_in, -1, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "192.168.2.10", 17, 64, 0, NULL, 0, udp8, sizeof(udp8));
	m = sl_tp_mbuf(&p, SL_T_PORT_IN);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = 0x2000 | 100; /* PCP 1 */
	m = expect_out(m, SL_STAGE_NEIGH);
	assert_int_equal(sl_meta(m)->vpc_index, sl_env->vpc_a);
	assert_int_equal(sl_meta(m)->in_vlan, 100);
	assert_int_equal(sl_meta(m)->l3_off, 14);
	rte_pktmbuf_free(m);

	/* ARP (broadcast request) -> PUNT with the ARP reason. */
	sl_tp_eth(&p, (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 100, 0x0806);
	memset(p.b + p.len, 0, 28);
	p.len += 28;
	m = expect_out(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_PUNT);
	assert_int_equal(sl_meta(m)->punt, SL_PUNT_ARP);
	assert_int_equal(sl_meta(m)->vpc_index, sl_env->vpc_a);
	assert_int_equal(sl_meta(m)->l3_off, 18);
	rte_pktmbuf_free(m);
}

/* ---- ip4_input ------------------------------------------------------------------- */

static void test_ip4_drops(void **state)
{
	struct sl_tpkt p;
	static const char *const bad[] = {"0.0.0.0",	    "0.1.2.3",	       "127.0.0.1",
					  "224.0.0.5",	    "239.255.255.250", "240.0.0.1",
					  "255.255.255.255"};

	/* Fewer than 20 bytes of header in the frame. */
	in4(&p, "192.168.1.10", "192.168.2.10");
	p.len = p.l3 + 12;
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP4_TRUNCATED);
	/* Total length beyond the frame. */
	in4(&p, "192.168.1.10", "192.168.2.10");
	p.len -= 4;
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP4_TRUNCATED);
	/* IHL 15 (60 bytes) but the frame ends earlier. */
	in4(&p, "192.168.1.10", "192.168.2.10");
	p.b[p.l3] = 0x4f;
	p.b[p.l3 + 3] = 60;
	p.len = p.l3 + 40;
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP4_TRUNCATED);
	/* Version 6 behind EtherType 0x0800. */
	in4(&p, "192.168.1.10", "192.168.2.10");
	p.b[p.l3] = 0x65;
	fix_ip4_cksum(&p);
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP4_VERSION);
	/* IHL 4. */
	in4(&p, "192.168.1.10", "192.168.2.10");
	p.b[p.l3] = 0x44;
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP4_IHL);
	/* Total length 12 < header. */
	in4(&p, "192.168.1.10", "192.168.2.10");
	p.b[p.l3 + 2] = 0;
	p.b[p.l3 + 3] = 12;
	fix_ip4_cksum(&p);
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP4_LENGTH);
	/* Header checksum off by one bit; a field changed after the checksum
	 * was computed (the 20-byte fast path and rte_raw_cksum agree). */
	in4(&p, "192.168.1.10", "192.168.2.10");
	p.b[p.l3 + 11] ^= 1;
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP4_CHECKSUM);
	in4(&p, "192.168.1.10", "192.168.2.10");
	p.b[p.l3 + 8] ^= 0x80; /* TTL changed, checksum not */
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP4_CHECKSUM);
	/* The NIC's verdict wins when it gave one: BAD drops a valid header,
	 * GOOD passes one the software check would drop. */
	{
		struct rte_mbuf *m;

		in4(&p, "192.168.1.10", "192.168.2.10");
		m = sl_tp_mbuf(&p, SL_T_PORT_IN);
		m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
		SL_EXPECT_DROP(sl_env, m, SL_DROP_IP4_CHECKSUM);
		in4(&p, "192.168.1.10", "192.168.2.10");
		p.b[p.l3 + 11] ^= 1;
		m = sl_tp_mbuf(&p, SL_T_PORT_IN);
		m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
		m = expect_out(m, SL_STAGE_NEIGH);
		rte_pktmbuf_free(m);
	}
	/* Sources and destinations that exist on no VSwitch. */
	for (unsigned int i = 0; i < RTE_DIM(bad); i++) {
		in4(&p, bad[i], "192.168.2.10");
		expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP4_BAD_SOURCE);
		in4(&p, "192.168.1.10", bad[i]);
		expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP4_BAD_DEST);
	}
}

static void test_ip4_accept(void **state)
{
	struct sl_tpkt p;
	struct rte_mbuf *m;
	uint8_t buf[2048];
	static const uint8_t opts[8] = {1, 0x07, 0x07, 0x04, 0, 0, 0, 0}; /* NOP RR(7) */

	/* A 60-byte minimum frame padded after a 28-byte datagram is trimmed. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "192.168.2.10", 17, 64, 0, NULL, 0, udp8, 8);
	memset(p.b + p.len, 0xee, 64 - p.len);
	p.len = 64;
	m = expect_out(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_NEIGH);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 18 + 28);
	rte_pktmbuf_free(m);

	/* Well-formed options other than source routes are accepted and
	 * forwarded unchanged (TTL aside). */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(&p, "192.168.1.10", "192.168.2.10", 17, 64, 0, opts, sizeof(opts), udp8,
		  sizeof(udp8));
	m = expect_out(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_NEIGH);
	assert_int_equal(sl_meta(m)->l4_off, 18 + 28);
	assert_int_equal(sl_t_bytes(m, 18, buf, sizeof(buf)), 28 + sizeof(udp8));
	assert_memory_equal(buf + 20, opts, sizeof(opts));
	assert_int_equal(buf[8], 63);
	assert_true(sl_t_cksum_ok(buf, 28));
	rte_pktmbuf_free(m);

	/* Payload spread over three segments, headers in the first: fine. */
	sl_tp_eth(&p, sl_t_mac_in, 100, 0x0800);
	{
		uint8_t big[1000];

		memset(big, 0x5a, sizeof(big));
		sl_tp_ip4(&p, "192.168.1.10", "192.168.2.10", 17, 64, 0, NULL, 0, big, sizeof(big));
	}
	m = sl_tp_mbuf_segs(&p, SL_T_PORT_IN, 400);
	assert_int_equal(m->nb_segs, 3);
	m = expect_out(m, SL_STAGE_NEIGH);
	assert_int_equal(rte_pktmbuf_pkt_len(m), p.len);
	rte_pktmbuf_free(m);

	/* ... but an IPv4 header split across segments is not accepted. */
	m = sl_tp_mbuf_segs(&p, SL_T_PORT_IN, 30);
	expect_drop(m, SL_DROP_IP4_TRUNCATED);
}

/* IPv4 options: source routes dropped, malformed lists answered with a
 * parameter problem whose pointer names the bad byte. */
static void in4_opts(struct sl_tpkt *p, const char *dst, uint8_t proto, const uint8_t *opts,
		     unsigned int optlen, const void *l4, unsigned int l4len)
{
	sl_tp_eth(p, sl_t_mac_in, 100, 0x0800);
	sl_tp_ip4(p, "192.168.1.10", dst, proto, 64, 0, opts, optlen, l4, l4len);
}

static void test_ip4_options(void **state)
{
	static const struct {
		uint8_t opts[8];
		uint8_t len; /* option bytes, a multiple of 4 */
		uint8_t ptr; /* from the start of the IP header */
	} bad[] = {
	    {{0x44, 0x00, 0x05, 0x00}, 4, 21},	     /* timestamp, length 0 */
	    {{0x07, 0x01, 0x04, 0x00}, 4, 21},	     /* record route, length 1 */
	    {{0x07, 0x28, 0x04, 0x00}, 4, 21},	     /* length 40 > 4 bytes left */
	    {{0x01, 0x01, 0x01, 0x44}, 4, 23},	     /* type in the last byte, no length */
	    {{0x07, 0x03, 0x04, 0x44, 0x00}, 8, 24}, /* RR(3), then length 0 */
	    {{0x83, 0x01, 0x04, 0x00}, 4, 21},	     /* LSRR, length 1: malformed first */
	    {{0x01, 0x89, 0x09, 0x04}, 8, 22},	     /* SSRR running past the header */
	};
	static const uint8_t lsrr[8] = {0x83, 0x07, 0x04, 10, 99, 0, 1, 0x00};
	static const uint8_t ssrr[8] = {0x89, 0x07, 0x04, 10, 99, 0, 1, 0x00};
	static const uint8_t rr_lsrr[12] = {0x07, 0x03, 0x04, 0x01, 0x83, 0x07,
					    0x04, 10,	99,   0,    1,	  0x00};
	static const uint8_t after_eol[4] = {0x00, 0x83, 0x00, 0xff};
	uint8_t icmp_err[36] = {3, 1, 0, 0, 0, 0, 0, 0, 0x45};
	struct sl_tpkt p;
	struct rte_mbuf *m, *out[2];
	unsigned int n;

	/* Source routes, in transit and to the gateway itself: dropped. */
	in4_opts(&p, "192.168.2.10", 17, lsrr, sizeof(lsrr), udp8, sizeof(udp8));
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP4_SOURCE_ROUTE);
	in4_opts(&p, "192.168.2.10", 17, ssrr, sizeof(ssrr), udp8, sizeof(udp8));
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP4_SOURCE_ROUTE);
	in4_opts(&p, "192.168.2.10", 17, rr_lsrr, sizeof(rr_lsrr), udp8, sizeof(udp8));
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP4_SOURCE_ROUTE);
	in4_opts(&p, "192.168.1.253", 17, lsrr, sizeof(lsrr), udp8, sizeof(udp8));
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP4_SOURCE_ROUTE);

	/* Malformed lists: parameter problem 12/0 from the VSwitch gateway. */
	for (unsigned int i = 0; i < RTE_DIM(bad); i++) {
		in4_opts(&p, "192.168.2.10", 17, bad[i].opts, bad[i].len, udp8, sizeof(udp8));
		sl_test_flush(sl_env->w);
		sl_test_reset_stats(sl_env);
		sl_test_run(sl_env->w, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_ETH_INPUT);
		n = sl_test_take(sl_env->w, SL_STAGE_NEIGH, out, 2);
		assert_int_equal(n, 1);
		assert_int_equal(sl_env->stats->drop[SL_DROP_IP4_OPTIONS], 1);
		assert_int_equal(sl_test_drops(sl_env), 1);
		assert_int_equal(sl_env->stats->cnt[SL_CNT_ICMP_ERRORS], 1);
		assert_int_equal(sl_meta(out[0])->nh, sl_env->nh_vsw1);
		sl_t_check_icmp4_error(out[0], p.b + p.l3, p.len - p.l3, 12, 0, "192.168.1.253",
				       "192.168.1.10", (uint32_t)bad[i].ptr << 24);
		rte_pktmbuf_free(out[0]);
	}

	/* Whatever follows end-of-list is padding: forwarded unchanged. */
	in4_opts(&p, "192.168.2.10", 17, after_eol, sizeof(after_eol), udp8, sizeof(udp8));
	m = expect_out(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_NEIGH);
	rte_pktmbuf_free(m);

	/* No error about an ICMP error (RFC 1812 4.3.2.7), broken options or not. */
	icmp_err[2] = 0; /* checksum irrelevant: a router does not look */
	in4_opts(&p, "192.168.2.10", 1, bad[0].opts, 4, icmp_err, sizeof(icmp_err));
	sl_test_flush(sl_env->w);
	sl_test_reset_stats(sl_env);
	sl_test_run(sl_env->w, sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_ETH_INPUT);
	assert_int_equal(sl_env->w->vec[SL_STAGE_NEIGH].n, 0);
	assert_int_equal(sl_env->stats->drop[SL_DROP_IP4_OPTIONS], 1);
	assert_int_equal(sl_env->stats->drop[SL_DROP_ICMP_ERROR_LOOP], 1);
	assert_int_equal(sl_test_drops(sl_env), 2);
}

/* ---- ip6_input ------------------------------------------------------------------- */

static void test_ip6_drops(void **state)
{
	struct sl_tpkt p;
	uint8_t pl[256];

	memset(pl, 0, sizeof(pl));
	memcpy(pl, udp8, sizeof(udp8));

	/* Header cut short; payload length beyond the frame. */
	in6(&p, "2001:db8:a:1::10", "2001:db8:a:2::10", 17, pl, 16);
	p.len = p.l3 + 30;
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP6_TRUNCATED);
	in6(&p, "2001:db8:a:1::10", "2001:db8:a:2::10", 17, pl, 16);
	p.len -= 1;
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP6_TRUNCATED);
	/* Version 4 behind 0x86dd. */
	in6(&p, "2001:db8:a:1::10", "2001:db8:a:2::10", 17, pl, 16);
	p.b[p.l3] = 0x40;
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP6_VERSION);

	/* Destination options header longer than the payload. */
	pl[0] = 17;
	pl[1] = 4; /* 40 bytes */
	in6(&p, "2001:db8:a:1::10", "2001:db8:a:2::10", 60, pl, 16);
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP6_TRUNCATED);
	/* Hop-by-hop after a destination options header. */
	pl[0] = 0;
	pl[1] = 0;
	pl[8] = 17;
	pl[9] = 0;
	in6(&p, "2001:db8:a:1::10", "2001:db8:a:2::10", 60, pl, 32);
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP6_TRUNCATED);
	/* Nine destination options headers: over the bound of 8. */
	memset(pl, 0, sizeof(pl));
	for (int i = 0; i < 9; i++)
		pl[i * 8] = i < 8 ? 60 : 17;
	in6(&p, "2001:db8:a:1::10", "2001:db8:a:2::10", 60, pl, 9 * 8 + 16);
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP6_TRUNCATED);
	/* Fragment header truncated. */
	memset(pl, 0, sizeof(pl));
	pl[0] = 17;
	in6(&p, "2001:db8:a:1::10", "2001:db8:a:2::10", 44, pl, 6);
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP6_TRUNCATED);

	/* Sources: multicast, loopback, and :: outside ND. */
	memset(pl, 0, sizeof(pl));
	memcpy(pl, udp8, sizeof(udp8));
	in6(&p, "ff02::1", "2001:db8:a:2::10", 17, pl, 16);
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP6_BAD_SOURCE);
	in6(&p, "::1", "2001:db8:a:2::10", 17, pl, 16);
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP6_BAD_SOURCE);
	in6(&p, "::", "2001:db8:a:2::10", 17, pl, 16);
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP6_BAD_SOURCE);

	/* Destinations: multicast (not ND), ::, ::1. */
	pl[0] = 128; /* echo request to all-nodes */
	pl[1] = 0;
	in6(&p, "2001:db8:a:1::10", "ff02::1", 58, pl, 16);
	sl_tp_icmp6_fix(&p, p.l3 + 40);
	memcpy(p.b, (const uint8_t[]){0x33, 0x33, 0, 0, 0, 1}, 6);
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP6_BAD_DEST);
	in6(&p, "2001:db8:a:1::10", "::", 17, pl, 16);
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP6_BAD_DEST);
	in6(&p, "2001:db8:a:1::10", "::1", 17, pl, 16);
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP6_BAD_DEST);

	/* Unicast destination in a multicast frame. */
	memcpy(pl, udp8, sizeof(udp8));
	in6(&p, "2001:db8:a:1::10", "2001:db8:a:2::10", 17, pl, 16);
	memcpy(p.b, (const uint8_t[]){0x33, 0x33, 0, 0, 0, 1}, 6);
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_L2_MULTICAST);

	/* Link-local source routed off its link. */
	in6(&p, "fe80::10", "2001:db8:a:2::10", 17, pl, 16);
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_IP6_SCOPE);
}

static void test_ip6_nd_punt(void **state)
{
	struct sl_tpkt p;
	struct rte_mbuf *m;
	uint8_t pl[64];
	static const uint8_t types[] = {133, 134, 135, 136, 137};

	for (unsigned int i = 0; i < RTE_DIM(types); i++) {
		memset(pl, 0, sizeof(pl));
		pl[0] = types[i];
		in6(&p, "fe80::10", "ff02::1:ff00:fd", 58, pl, 24);
		p.b[p.l3 + 7] = 255;
		sl_tp_icmp6_fix(&p, p.l3 + 40);
		memcpy(p.b, (const uint8_t[]){0x33, 0x33, 0xff, 0, 0, 0xfd}, 6);
		m = expect_out(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_PUNT);
		assert_int_equal(sl_meta(m)->punt, SL_PUNT_ND);
		assert_int_equal(sl_meta(m)->l4_proto, 58);
		assert_int_equal(sl_meta(m)->l4_off, 18 + 40);
		assert_int_equal(sl_meta(m)->vpc_index, sl_env->vpc_a);
		rte_pktmbuf_free(m);
	}

	/* DAD: neighbour solicitation from :: is punted, not dropped. */
	memset(pl, 0, sizeof(pl));
	pl[0] = 135;
	in6(&p, "::", "ff02::1:ff00:10", 58, pl, 24);
	sl_tp_icmp6_fix(&p, p.l3 + 40);
	m = expect_out(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_PUNT);
	assert_int_equal(sl_meta(m)->punt, SL_PUNT_ND);
	rte_pktmbuf_free(m);

	/* Unicast NS behind a hop-by-hop header (padding only). */
	memset(pl, 0, sizeof(pl));
	pl[0] = 58; /* next header */
	pl[1] = 0;  /* 8 bytes */
	pl[2] = 1;  /* PadN, 4 bytes of padding */
	pl[3] = 4;
	pl[8] = 135;
	in6(&p, "2001:db8:a:1::10", "2001:db8:a:1:ffff:ffff:ffff:fffd", 0, pl, 32);
	sl_tp_icmp6_fix(&p, p.l3 + 48);
	m = expect_out(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_PUNT);
	assert_int_equal(sl_meta(m)->punt, SL_PUNT_ND);
	assert_int_equal(sl_meta(m)->l4_off, 18 + 48);
	rte_pktmbuf_free(m);
}

static void test_ip6_walk(void **state)
{
	struct sl_tpkt p;
	struct rte_mbuf *m;
	uint8_t pl[128];

	/* HBH (8) + routing (16) + dest opts (8) + UDP: l4 found at 40+32. */
	memset(pl, 0, sizeof(pl));
	pl[0] = 43;
	pl[8] = 60;
	pl[9] = 1;
	pl[24] = 17;
	memcpy(pl + 32, udp8, sizeof(udp8));
	in6(&p, "2001:db8:a:1::10", "2001:db8:a:2::10", 0, pl, 48);
	memset(p.b + p.len, 0, 12); /* Ethernet padding */
	p.len += 12;
	m = expect_out(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_NEIGH);
	assert_int_equal(sl_meta(m)->l4_proto, 17);
	assert_int_equal(sl_meta(m)->l4_off, 18 + 40 + 32);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 18 + 40 + 48);
	assert_int_equal(sl_meta(m)->nh, sl_env->nh_vsw2_6);
	rte_pktmbuf_free(m);

	/* First fragment: walk continues to UDP. */
	memset(pl, 0, sizeof(pl));
	pl[0] = 17;
	pl[3] = 1; /* offset 0, M=1 */
	memcpy(pl + 8, udp8, sizeof(udp8));
	in6(&p, "2001:db8:a:1::10", "2001:db8:a:2::10", 44, pl, 32);
	m = expect_out(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_NEIGH);
	assert_int_equal(sl_meta(m)->l4_proto, 17);
	assert_int_equal(sl_meta(m)->l4_off, 18 + 48);
	rte_pktmbuf_free(m);

	/* Non-first fragment: stops at the fragment header. */
	pl[2] = 0x01; /* offset 32 */
	pl[3] = 0x00;
	in6(&p, "2001:db8:a:1::10", "2001:db8:a:2::10", 44, pl, 32);
	m = expect_out(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_NEIGH);
	assert_int_equal(sl_meta(m)->l4_proto, 44);
	assert_int_equal(sl_meta(m)->l4_off, 18 + 40);
	rte_pktmbuf_free(m);

	/* Exactly eight extension headers is still fine. */
	memset(pl, 0, sizeof(pl));
	for (int i = 0; i < 8; i++)
		pl[i * 8] = i < 7 ? 60 : 17;
	memcpy(pl + 64, udp8, sizeof(udp8));
	in6(&p, "2001:db8:a:1::10", "2001:db8:a:2::10", 60, pl, 64 + 16);
	m = expect_out(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_NEIGH);
	assert_int_equal(sl_meta(m)->l4_proto, 17);
	assert_int_equal(sl_meta(m)->l4_off, 18 + 40 + 64);
	rte_pktmbuf_free(m);

	/* No next header (59) is a valid end of chain. */
	in6(&p, "2001:db8:a:1::10", "2001:db8:a:2::10", 59, NULL, 0);
	m = expect_out(sl_tp_mbuf(&p, SL_T_PORT_IN), SL_STAGE_NEIGH);
	assert_int_equal(sl_meta(m)->l4_proto, 59);
	rte_pktmbuf_free(m);
}

/* Before sluiced published a generation the worker has no bank. */
static void test_no_tables(void **state)
{
	struct sl_tpkt p;
	const struct sl_bank_header *b = sl_env->w->bank;

	in4(&p, "192.168.1.10", "192.168.2.10");
	sl_env->w->bank = NULL;
	expect_drop_pkt(&p, SL_T_PORT_IN, SL_DROP_NO_TABLES);
	sl_env->w->bank = b;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_eth_drops, sl_test_setup),
	    cmocka_unit_test_setup(test_eth_bad_source, sl_test_setup),
	    cmocka_unit_test_setup(test_eth_classify, sl_test_setup),
	    cmocka_unit_test_setup(test_ip4_drops, sl_test_setup),
	    cmocka_unit_test_setup(test_ip4_accept, sl_test_setup),
	    cmocka_unit_test_setup(test_ip4_options, sl_test_setup_full_bucket),
	    cmocka_unit_test_setup(test_ip6_drops, sl_test_setup),
	    cmocka_unit_test_setup(test_ip6_nd_punt, sl_test_setup),
	    cmocka_unit_test_setup(test_ip6_walk, sl_test_setup),
	    cmocka_unit_test_setup(test_no_tables, sl_test_setup),
	};

	return cmocka_run_group_tests(tests, sl_test_group_setup, sl_test_group_teardown);
}
