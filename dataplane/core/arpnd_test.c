/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of ARP and ND on the main lcore (arpnd.c): frames built byte
 * by byte as workers punt them, a hand-built bank deciding which addresses
 * are the gateway's, answers checked field by field (checksums with DPDK's
 * own routines), learning and the drop reasons of RFC 826 / RFC 4861
 * validation.
 */
/* rte_ipv6_udptcp_cksum_verify is experimental in 22.11 */
#define ALLOW_EXPERIMENTAL_API 1
#include "sl_core_test.h"

#include <rte_arp.h>
#include <rte_ip.h>

static struct sl_t_ctx ctx;
static struct sl_neigh_table *t;
static struct sl_bank_header *bank;
static uint64_t hz;

static const struct rte_ether_addr mac_a1 = {{0x52, 0x54, 0x00, 0xa1, 0xa1, 0xa1}};
static const struct rte_ether_addr mac_b = {{0x52, 0x54, 0x00, 0xbb, 0xbb, 0xbb}};
static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

static int setup(void **state)
{
	sl_t_ctx_init(&ctx);
	t = sl_neigh_create("t_arpnd", 64, 1, ctx.w, sl_t_xmit, &ctx);
	assert_non_null(t);
	ctx.dp.neigh = t;
	bank = sl_t_bank_build(1);
	ctx.w->bank = bank;
	hz = t->hz;
	return 0;
}

static int teardown(void **state)
{
	sl_t_ctx_fini(&ctx);
	rte_free(bank);
	assert_int_equal(rte_mempool_avail_count(sl_pktmbuf_pool), sl_pktmbuf_pool->size);
	return 0;
}

/* Ethernet (+VLAN) header in front of `l3`, metadata as eth_input sets it. */
static struct rte_mbuf *frame(uint16_t port, uint16_t vlan, const struct rte_ether_addr *src,
			      const struct rte_ether_addr *dst, uint16_t ethertype, const void *l3,
			      uint16_t l3_len, uint8_t punt)
{
	uint8_t buf[256];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)buf;
	uint16_t hl = vlan ? 18 : 14;
	struct rte_mbuf *m;
	struct sl_meta *md;

	eh->dst_addr = *dst;
	eh->src_addr = *src;
	if (vlan) {
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		buf[14] = (uint8_t)(vlan >> 8);
		buf[15] = (uint8_t)vlan;
		buf[16] = (uint8_t)(ethertype >> 8);
		buf[17] = (uint8_t)ethertype;
	} else {
		eh->ether_type = rte_cpu_to_be_16(ethertype);
	}
	memcpy(buf + hl, l3, l3_len);
	m = sl_t_mbuf(buf, hl + l3_len);
	md = sl_meta(m);
	md->l3_off = hl;
	md->in_port = port;
	md->in_vlan = vlan;
	md->in_role = sl_ports[port].role;
	md->punt = punt;
	md->vpc_index = port == SL_T_PORT_IN ? 0 : SL_VPC_INTERNET;
	return m;
}

static struct rte_mbuf *arp(uint16_t port, uint16_t vlan, uint16_t op,
			    const struct rte_ether_addr *sha, uint32_t sip, uint32_t tip)
{
	struct rte_arp_hdr a;
	uint8_t pad[60];

	memset(pad, 0, sizeof(pad));
	a.arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a.arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a.arp_hlen = 6;
	a.arp_plen = 4;
	a.arp_opcode = rte_cpu_to_be_16(op);
	a.arp_data.arp_sha = *sha;
	a.arp_data.arp_sip = rte_cpu_to_be_32(sip);
	memset(&a.arp_data.arp_tha, 0, 6);
	a.arp_data.arp_tip = rte_cpu_to_be_32(tip);
	memcpy(pad, &a, sizeof(a)); /* padded to the Ethernet minimum */
	return frame(port, vlan, sha, op == RTE_ARP_OP_REQUEST ? &bcast : &sl_ports[port].mac,
		     RTE_ETHER_TYPE_ARP, pad, 46, SL_PUNT_ARP);
}

static const struct rte_arp_hdr *sent_arp(unsigned int i, uint16_t port, uint16_t vlan,
					  const struct rte_ether_addr *dst)
{
	struct rte_mbuf *m = ctx.sent[i];
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint16_t hl = vlan ? 18 : 14;

	assert_memory_equal(&eh->dst_addr, dst, 6);
	assert_memory_equal(&eh->src_addr, &sl_ports[port].mac, 6);
	assert_int_equal(sl_meta(m)->out_port, port);
	if (vlan) {
		const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eh + 1);

		assert_int_equal(rte_be_to_cpu_16(vh->vlan_tci), vlan);
		assert_int_equal(rte_be_to_cpu_16(vh->eth_proto), RTE_ETHER_TYPE_ARP);
	} else {
		assert_int_equal(rte_be_to_cpu_16(eh->ether_type), RTE_ETHER_TYPE_ARP);
	}
	assert_int_equal(rte_pktmbuf_pkt_len(m), hl + sizeof(struct rte_arp_hdr));
	return rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, hl);
}

static void key4(struct sl_neigh_key *k, uint16_t port, uint16_t vlan, uint32_t a)
{
	rte_be32_t be = rte_cpu_to_be_32(a);

	sl_neigh_key_init(k, port, vlan, SL_AF_INET, &be);
}

static void test_arp_request_for_us(void **state)
{
	const uint32_t a1 = sl_t_ip4(192, 168, 1, 10), gw = sl_t_ip4(192, 168, 1, 253);
	const struct rte_arp_hdr *r;
	const struct sl_neigh_priv *p;
	struct sl_neigh_key k;

	sl_arp_input(t, arp(SL_T_PORT_IN, SL_T_VLAN_A, RTE_ARP_OP_REQUEST, &mac_a1, a1, gw), hz);
	assert_int_equal(ctx.n_sent, 1);
	r = sent_arp(0, SL_T_PORT_IN, SL_T_VLAN_A, &mac_a1);
	assert_int_equal(rte_be_to_cpu_16(r->arp_opcode), RTE_ARP_OP_REPLY);
	assert_memory_equal(&r->arp_data.arp_sha, &sl_t_mac_in, 6);
	assert_int_equal(rte_be_to_cpu_32(r->arp_data.arp_sip), gw);
	assert_memory_equal(&r->arp_data.arp_tha, &mac_a1, 6);
	assert_int_equal(rte_be_to_cpu_32(r->arp_data.arp_tip), a1);
	assert_int_equal(ctx.stats->cnt[SL_CNT_ARP_REPLIES], 1);
	/* The requester is learned (unsolicited: STALE). */
	key4(&k, SL_T_PORT_IN, SL_T_VLAN_A, a1);
	p = sl_neigh_find(t, &k);
	assert_non_null(p);
	assert_int_equal(p->state, SL_NEIGH_STALE);
	assert_memory_equal(&p->mac, &mac_a1, 6);
	assert_memory_equal(p->src, ((uint8_t[]){192, 168, 1, 253}), 4); /* probe sender */

	/* Outside: the outside address is ours, another one is not. */
	sl_arp_input(t,
		     arp(SL_T_PORT_OUT, 0, RTE_ARP_OP_REQUEST, &mac_b, sl_t_ip4(203, 0, 113, 1),
			 sl_t_ip4(203, 0, 113, 2)),
		     hz);
	assert_int_equal(ctx.n_sent, 2);
	r = sent_arp(1, SL_T_PORT_OUT, 0, &mac_b);
	assert_int_equal(rte_be_to_cpu_32(r->arp_data.arp_sip), sl_t_ip4(203, 0, 113, 2));
	assert_memory_equal(&r->arp_data.arp_sha, &sl_t_mac_out, 6);
	sl_t_sent_free(&ctx);

	/* RFC 5227 probe for our address: answered, nothing learned. */
	sl_arp_input(t, arp(SL_T_PORT_IN, SL_T_VLAN_A, RTE_ARP_OP_REQUEST, &mac_b, 0, gw), hz);
	assert_int_equal(ctx.n_sent, 1);
	r = sent_arp(0, SL_T_PORT_IN, SL_T_VLAN_A, &mac_b);
	assert_int_equal(r->arp_data.arp_tip, 0);
	assert_int_equal(t->n_entries, 2);
}

static void test_arp_not_for_us(void **state)
{
	const uint32_t a1 = sl_t_ip4(192, 168, 1, 10);
	struct sl_neigh_key k;

	/* Another host's address, in the VPC and on the outside. */
	sl_arp_input(t,
		     arp(SL_T_PORT_IN, SL_T_VLAN_A, RTE_ARP_OP_REQUEST, &mac_a1, a1,
			 sl_t_ip4(192, 168, 1, 1)),
		     hz);
	sl_arp_input(t,
		     arp(SL_T_PORT_OUT, 0, RTE_ARP_OP_REQUEST, &mac_b, sl_t_ip4(203, 0, 113, 1),
			 sl_t_ip4(203, 0, 113, 9)),
		     hz);
	/* Our inside address asked on a VLAN no VPC has. */
	sl_arp_input(
	    t, arp(SL_T_PORT_IN, 300, RTE_ARP_OP_REQUEST, &mac_a1, a1, sl_t_ip4(192, 168, 1, 253)),
	    hz);
	assert_int_equal(ctx.stats->drop[SL_DROP_ARP_NOT_FOR_US], 3);
	assert_int_equal(ctx.n_sent, 0);
	key4(&k, SL_T_PORT_IN, SL_T_VLAN_A, a1);
	assert_null(sl_neigh_find(t, &k)); /* not learned */
	assert_int_equal(t->n_entries, 0);

	/* No tables yet. */
	ctx.w->bank = NULL;
	sl_arp_input(t,
		     arp(SL_T_PORT_IN, SL_T_VLAN_A, RTE_ARP_OP_REQUEST, &mac_a1, a1,
			 sl_t_ip4(192, 168, 1, 253)),
		     hz);
	assert_int_equal(ctx.stats->drop[SL_DROP_NO_TABLES], 1);
	ctx.w->bank = bank;
}

static void test_arp_invalid(void **state)
{
	struct rte_mbuf *m;
	struct rte_arp_hdr *a;
	const uint32_t a1 = sl_t_ip4(192, 168, 1, 10), gw = sl_t_ip4(192, 168, 1, 253);

	m = arp(SL_T_PORT_IN, SL_T_VLAN_A, RTE_ARP_OP_REQUEST, &mac_a1, a1, gw);
	rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, 18)->arp_plen = 6;
	sl_arp_input(t, m, hz);
	m = arp(SL_T_PORT_IN, SL_T_VLAN_A, RTE_ARP_OP_REQUEST, &mac_a1, a1, gw);
	rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, 18)->arp_opcode = rte_cpu_to_be_16(3);
	sl_arp_input(t, m, hz);
	m = arp(SL_T_PORT_IN, SL_T_VLAN_A, RTE_ARP_OP_REQUEST, &mac_a1, a1, gw);
	a = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, 18);
	a->arp_data.arp_sha = bcast;
	sl_arp_input(t, m, hz);
	m = arp(SL_T_PORT_IN, SL_T_VLAN_A, RTE_ARP_OP_REQUEST, &mac_a1, a1, gw);
	rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m) - 18 - 20); /* truncated */
	sl_arp_input(t, m, hz);
	m = arp(SL_T_PORT_IN, SL_T_VLAN_A, RTE_ARP_OP_REQUEST, &mac_a1, a1, gw);
	rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, 18)->arp_protocol =
	    rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	sl_arp_input(t, m, hz);
	assert_int_equal(ctx.stats->drop[SL_DROP_ARP_INVALID], 5);
	assert_int_equal(ctx.n_sent, 0);
	assert_int_equal(t->n_entries, 0);
}

static void test_arp_reply_resolves(void **state)
{
	const uint32_t up = sl_t_ip4(203, 0, 113, 1), me = sl_t_ip4(203, 0, 113, 2);
	const struct rte_ether_addr mac_up = {{0x52, 0x54, 0, 0x99, 0x99, 0x99}};
	struct rte_mbuf *m;
	struct sl_meta *md;
	struct sl_neigh_key k;
	rte_be32_t be;
	uint8_t ip[28] = {0x45, 0, 0, 28};

	/* A packet waits for the upstream router. */
	m = frame(SL_T_PORT_IN, SL_T_VLAN_A, &mac_a1, &sl_t_mac_in, RTE_ETHER_TYPE_IPV4, ip,
		  sizeof(ip), SL_PUNT_UNRESOLVED);
	md = sl_meta(m);
	md->family = SL_AF_INET;
	md->out_port = SL_T_PORT_OUT;
	md->out_vlan = 0;
	be = rte_cpu_to_be_32(up);
	memcpy(md->nh_addr, &be, 4);
	be = rte_cpu_to_be_32(me);
	memcpy(md->src_addr, &be, 4);
	sl_neigh_resolve(t, m, hz);
	assert_int_equal(ctx.n_sent, 1); /* the request */
	sl_t_sent_free(&ctx);

	/* A reply from someone we never asked is ignored. */
	sl_arp_input(
	    t, arp(SL_T_PORT_OUT, 0, RTE_ARP_OP_REPLY, &mac_b, sl_t_ip4(203, 0, 113, 7), me), hz);
	assert_int_equal(t->n_entries, 1);

	sl_arp_input(t, arp(SL_T_PORT_OUT, 0, RTE_ARP_OP_REPLY, &mac_up, up, me), hz + 1);
	key4(&k, SL_T_PORT_OUT, 0, up);
	assert_int_equal(sl_neigh_find(t, &k)->state, SL_NEIGH_REACHABLE);
	assert_int_equal(ctx.n_sent, 1); /* the queued packet */
	assert_memory_equal(rte_pktmbuf_mtod(ctx.sent[0], uint8_t *), &mac_up, 6);
	assert_int_equal(sl_meta(ctx.sent[0])->out_port, SL_T_PORT_OUT);
	sl_t_sent_free(&ctx);

	/* Gratuitous ARP moves a known address to another MAC... */
	sl_arp_input(t, arp(SL_T_PORT_OUT, 0, RTE_ARP_OP_REQUEST, &mac_b, up, up), hz + 2);
	assert_memory_equal(&sl_neigh_find(t, &k)->mac, &mac_b, 6);
	assert_int_equal(sl_neigh_find(t, &k)->state, SL_NEIGH_STALE);
	/* ...but creates nothing for unknown ones, and is not answered. */
	sl_arp_input(t,
		     arp(SL_T_PORT_OUT, 0, RTE_ARP_OP_REQUEST, &mac_b, sl_t_ip4(203, 0, 113, 8),
			 sl_t_ip4(203, 0, 113, 8)),
		     hz + 3);
	assert_int_equal(t->n_entries, 1);
	assert_int_equal(ctx.n_sent, 0);
}

/* ---- ND ----------------------------------------------------------------- */

struct nd_spec {
	uint8_t type;
	uint8_t code;
	uint8_t flags;
	uint8_t hop;
	const uint8_t *src;
	const uint8_t *dst;
	const uint8_t *target;
	uint8_t opt_type; /* 0: no option */
	uint8_t opt_len;  /* in 8-byte units */
	const struct rte_ether_addr *opt_mac;
	bool hbh; /* hop-by-hop header before ICMPv6 */
	bool bad_cksum;
};

static const uint8_t snm_gw[16] = {0xff, 0x02, [11] = 0x01, [12] = 0xff, 0xff, 0xff, 0xfd};
static const uint8_t unspec[16];

static struct rte_mbuf *nd(const struct nd_spec *s, const struct rte_ether_addr *eth_src)
{
	uint8_t buf[200];
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)buf;
	uint8_t *icmp;
	uint16_t ext = s->hbh ? 8 : 0, icmp_len = 24 + (s->opt_type ? 8 : 0);
	struct rte_ipv6_hdr tmp;
	struct rte_mbuf *m;
	const struct rte_ether_addr mc = {
	    {0x33, 0x33, s->dst[12], s->dst[13], s->dst[14], s->dst[15]}};

	memset(buf, 0, sizeof(buf));
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(ext + icmp_len);
	ip6->proto = s->hbh ? 0 : 58;
	ip6->hop_limits = s->hop ? s->hop : 255;
	memcpy(ip6->src_addr, s->src, 16);
	memcpy(ip6->dst_addr, s->dst, 16);
	if (s->hbh) {
		buf[40] = 58; /* next header; length 0; PadN of 4 */
		buf[42] = 1;
		buf[43] = 4;
	}
	icmp = buf + 40 + ext;
	icmp[0] = s->type;
	icmp[1] = s->code;
	icmp[4] = s->flags;
	if (s->target)
		memcpy(icmp + 8, s->target, 16);
	if (s->opt_type) {
		icmp[24] = s->opt_type;
		icmp[25] = s->opt_len;
		memcpy(icmp + 26, s->opt_mac, 6);
	}
	tmp = *ip6;
	tmp.proto = 58;
	tmp.payload_len = rte_cpu_to_be_16(icmp_len);
	{
		uint16_t ck = rte_ipv6_udptcp_cksum(&tmp, icmp);

		memcpy(icmp + 2, &ck, 2);
	}
	if (s->bad_cksum)
		icmp[2] ^= 0x55;
	m = frame(SL_T_PORT_IN, SL_T_VLAN_A, eth_src, s->dst[0] == 0xff ? &mc : &sl_t_mac_in,
		  RTE_ETHER_TYPE_IPV6, buf, 40 + ext + icmp_len, SL_PUNT_ND);
	if (s->hbh) {
		sl_meta(m)->l4_off = sl_meta(m)->l3_off + 48;
		sl_meta(m)->l4_proto = 58;
	}
	sl_meta(m)->family = SL_AF_INET6;
	return m;
}

/* The NA at ctx.sent[i]: checks L2/L3 and returns the ICMPv6 message. */
static const uint8_t *sent_na(unsigned int i, const struct rte_ether_addr *eth_dst,
			      const uint8_t *dst)
{
	struct rte_mbuf *m = ctx.sent[i];
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eh + 1);
	const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)(vh + 1);
	const uint8_t *icmp = (const uint8_t *)(ip6 + 1);

	assert_memory_equal(&eh->dst_addr, eth_dst, 6);
	assert_memory_equal(&eh->src_addr, &sl_t_mac_in, 6);
	assert_int_equal(rte_be_to_cpu_16(vh->vlan_tci), SL_T_VLAN_A);
	assert_int_equal(rte_be_to_cpu_16(vh->eth_proto), RTE_ETHER_TYPE_IPV6);
	assert_int_equal(ip6->hop_limits, 255);
	assert_int_equal(ip6->proto, 58);
	assert_memory_equal(ip6->src_addr, sl_t_gw6, 16);
	assert_memory_equal(ip6->dst_addr, dst, 16);
	assert_int_equal(rte_be_to_cpu_16(ip6->payload_len), 32);
	assert_int_equal(rte_ipv6_udptcp_cksum_verify(ip6, icmp), 0);
	assert_int_equal(icmp[0], 136);
	assert_int_equal(icmp[1], 0);
	assert_memory_equal(icmp + 8, sl_t_gw6, 16);
	assert_int_equal(icmp[24], 2); /* target link-layer address */
	assert_int_equal(icmp[25], 1);
	assert_memory_equal(icmp + 26, &sl_t_mac_in, 6);
	return icmp;
}

static void test_ns_for_us(void **state)
{
	struct nd_spec s = {.type = 135,
			    .src = sl_t_a1_6,
			    .dst = snm_gw,
			    .target = sl_t_gw6,
			    .opt_type = 1,
			    .opt_len = 1,
			    .opt_mac = &mac_a1};
	struct sl_neigh_key k;
	const struct sl_neigh_priv *p;
	const uint8_t *na;

	sl_nd_input(t, nd(&s, &mac_a1), hz);
	assert_int_equal(ctx.n_sent, 1);
	na = sent_na(0, &mac_a1, sl_t_a1_6);
	assert_int_equal(na[4], 0xe0); /* router, solicited, override */
	assert_int_equal(ctx.stats->cnt[SL_CNT_ND_ADVERTS], 1);
	sl_neigh_key_init(&k, SL_T_PORT_IN, SL_T_VLAN_A, SL_AF_INET6, sl_t_a1_6);
	p = sl_neigh_find(t, &k);
	assert_non_null(p);
	assert_int_equal(p->state, SL_NEIGH_STALE);
	assert_memory_equal(&p->mac, &mac_a1, 6);
	assert_memory_equal(p->src, sl_t_gw6, 16);
	sl_t_sent_free(&ctx);

	/* Used while STALE: the unicast probe is a valid NS from the address
	 * the neighbour asked for (not from ::). */
	{
		struct rte_ether_addr m;
		const struct rte_ipv6_hdr *ip6;

		assert_int_equal(sl_neigh_lookup(t, &k, &m), SL_NEIGH_STALE);
		sl_neigh_timer(t, hz + 1);
		assert_int_equal(ctx.n_sent, 1);
		ip6 = rte_pktmbuf_mtod_offset(ctx.sent[0], const struct rte_ipv6_hdr *, 18);
		assert_memory_equal(rte_pktmbuf_mtod(ctx.sent[0], uint8_t *), &mac_a1, 6);
		assert_memory_equal(ip6->src_addr, sl_t_gw6, 16);
		assert_memory_equal(ip6->dst_addr, sl_t_a1_6, 16);
		assert_int_equal(((const uint8_t *)(ip6 + 1))[0], 135);
		assert_int_equal(rte_ipv6_udptcp_cksum_verify(ip6, ip6 + 1), 0);
		sl_t_sent_free(&ctx);
	}

	/* Unicast NS without a source link-layer option (RFC 4861 7.2.4):
	 * answered to the frame's source; behind a hop-by-hop header. */
	s.dst = sl_t_gw6;
	s.opt_type = 0;
	s.hbh = true;
	sl_nd_input(t, nd(&s, &mac_b), hz);
	assert_int_equal(ctx.n_sent, 1);
	sent_na(0, &mac_b, sl_t_a1_6);
	sl_t_sent_free(&ctx);
	assert_int_equal(ctx.stats->drop[SL_DROP_ND_INVALID], 0);
}

static void test_ns_dad(void **state)
{
	struct nd_spec s = {.type = 135, .src = unspec, .dst = snm_gw, .target = sl_t_gw6};
	const struct rte_ether_addr all_nodes = {{0x33, 0x33, 0, 0, 0, 1}};
	const uint8_t all6[16] = {0xff, 0x02, [15] = 1};
	const uint8_t *na;

	sl_nd_input(t, nd(&s, &mac_b), hz);
	assert_int_equal(ctx.n_sent, 1);
	na = sent_na(0, &all_nodes, all6);
	assert_int_equal(na[4], 0xa0); /* router, override; not solicited */
	assert_int_equal(t->n_entries, 0);
}

static void test_nd_invalid(void **state)
{
	const struct nd_spec good = {.type = 135,
				     .src = sl_t_a1_6,
				     .dst = snm_gw,
				     .target = sl_t_gw6,
				     .opt_type = 1,
				     .opt_len = 1,
				     .opt_mac = &mac_a1};
	struct nd_spec s;
	struct rte_mbuf *m;

	s = good;
	s.bad_cksum = true;
	sl_nd_input(t, nd(&s, &mac_a1), hz);
	s = good;
	s.hop = 64;
	sl_nd_input(t, nd(&s, &mac_a1), hz);
	s = good;
	s.code = 1;
	sl_nd_input(t, nd(&s, &mac_a1), hz);
	s = good;
	s.opt_len = 0; /* zero-length option */
	sl_nd_input(t, nd(&s, &mac_a1), hz);
	s = good;
	s.opt_len = 2; /* beyond the message */
	sl_nd_input(t, nd(&s, &mac_a1), hz);
	s = good;
	s.src = unspec; /* DAD must not carry a source link-layer option */
	sl_nd_input(t, nd(&s, &mac_a1), hz);
	s = good;
	s.target = snm_gw; /* multicast target */
	sl_nd_input(t, nd(&s, &mac_a1), hz);
	s = good;
	m = nd(&s, &mac_a1);
	rte_pktmbuf_trim(m, 20); /* payload length beyond the frame */
	sl_nd_input(t, m, hz);
	assert_int_equal(ctx.stats->drop[SL_DROP_ND_INVALID], 8);
	assert_int_equal(ctx.n_sent, 0);
	assert_int_equal(t->n_entries, 0);

	/* Valid but for an address that is not ours. */
	s = good;
	s.target = sl_t_a1_6;
	sl_nd_input(t, nd(&s, &mac_a1), hz);
	assert_int_equal(ctx.stats->drop[SL_DROP_ND_NOT_FOR_US], 1);

	/* Router solicitation: validated, counted, dropped. */
	s = (struct nd_spec){
	    .type = 133, .src = sl_t_a1_6, .dst = (const uint8_t[16]){0xff, 0x02, [15] = 2}};
	sl_nd_input(t, nd(&s, &mac_a1), hz);
	assert_int_equal(ctx.stats->drop[SL_DROP_ND_IGNORED], 1);
	assert_int_equal(ctx.n_sent, 0);
}

static void test_na_resolves(void **state)
{
	struct nd_spec s = {.type = 136,
			    .flags = 0x60,
			    .src = sl_t_a1_6,
			    .dst = sl_t_gw6,
			    .target = sl_t_a1_6,
			    .opt_type = 2,
			    .opt_len = 1,
			    .opt_mac = &mac_a1};
	uint8_t ip[48] = {0x60};
	struct rte_mbuf *m;
	struct sl_meta *md;
	struct sl_neigh_key k;

	m = frame(SL_T_PORT_OUT, 0, &mac_b, &sl_t_mac_out, RTE_ETHER_TYPE_IPV6, ip, sizeof(ip),
		  SL_PUNT_UNRESOLVED);
	md = sl_meta(m);
	md->family = SL_AF_INET6;
	md->out_port = SL_T_PORT_IN;
	md->out_vlan = SL_T_VLAN_A;
	memcpy(md->nh_addr, sl_t_a1_6, 16);
	memcpy(md->src_addr, sl_t_gw6, 16);
	sl_neigh_resolve(t, m, hz);
	assert_int_equal(ctx.n_sent, 1); /* NS */
	sl_t_sent_free(&ctx);
	sl_neigh_key_init(&k, SL_T_PORT_IN, SL_T_VLAN_A, SL_AF_INET6, sl_t_a1_6);

	/* A multicast NA claiming to be solicited is invalid. */
	s.dst = (const uint8_t[16]){0xff, 0x02, [15] = 1};
	sl_nd_input(t, nd(&s, &mac_a1), hz);
	assert_int_equal(ctx.stats->drop[SL_DROP_ND_INVALID], 1);
	assert_int_equal(sl_neigh_find(t, &k)->state, SL_NEIGH_INCOMPLETE);

	s.dst = sl_t_gw6;
	sl_nd_input(t, nd(&s, &mac_a1), hz + 1);
	assert_int_equal(sl_neigh_find(t, &k)->state, SL_NEIGH_REACHABLE);
	assert_int_equal(ctx.n_sent, 1);
	assert_memory_equal(rte_pktmbuf_mtod(ctx.sent[0], uint8_t *), &mac_a1, 6);
	sl_t_sent_free(&ctx);

	/* NA for a neighbour we do not track: no entry created. */
	s.target = sl_t_gw6;
	sl_nd_input(t, nd(&s, &mac_a1), hz + 2);
	assert_int_equal(t->n_entries, 1);
}

/* HaVips (havip.c, docs/havip.md): a HaVip section for 192.168.1.100 in
 * VPC 0 listing i-a1 (.10), i-a2 (.20) and i-a3 (.30), at the end of the
 * hand-built bank. */
static void havip_section(void)
{
	struct sl_havip_sec *sec;
	struct sl_havip_ent *e;
	const uint32_t inst[3] = {sl_t_ip4(192, 168, 1, 10), sl_t_ip4(192, 168, 1, 20),
				  sl_t_ip4(192, 168, 1, 30)};

	bank->havip_off = SL_T_BANK_SIZE / 2;
	bank->havip_size = sizeof(*sec) + sizeof(sec->ent[0]);
	sec = SL_BANK_PTR(bank, bank->havip_off, struct sl_havip_sec);
	memset(sec, 0, bank->havip_size);
	sec->n = 1;
	sec->size = bank->havip_size;
	e = &sec->ent[0];
	e->vpc_index = 0;
	e->addr = sl_t_ip4(192, 168, 1, 100);
	e->src = sl_t_ip4(192, 168, 1, 253);
	snprintf(e->id, sizeof(e->id), "hv-1");
	e->n_inst = 3;
	for (unsigned int i = 0; i < 3; i++) {
		e->inst[i].addr = inst[i];
		snprintf(e->inst[i].id, sizeof(e->inst[i].id), "i-a%u", i + 1);
	}
	assert_true(sl_havip_sec_ok(bank, SL_T_BANK_SIZE));
	sec->n = 100000; /* entries beyond the section: the bank is refused */
	assert_false(sl_havip_sec_ok(bank, SL_T_BANK_SIZE));
	sec->n = 1;
}

static void test_havip_claims(void **state)
{
	const uint32_t hv = sl_t_ip4(192, 168, 1, 100), gw = sl_t_ip4(192, 168, 1, 253);
	const uint32_t a1 = sl_t_ip4(192, 168, 1, 10), a2 = sl_t_ip4(192, 168, 1, 20);
	const struct rte_ether_addr mac_c = {{0x52, 0x54, 0x00, 0xcc, 0xcc, 0xcc}};
	struct sl_havip_export out[2];
	const struct sl_neigh_priv *p;
	const struct rte_arp_hdr *r;
	struct sl_neigh_key k, kh;

	havip_section();
	key4(&kh, SL_T_PORT_IN, SL_T_VLAN_A, hv);
	/* i-a1 introduces itself; i-a2 and i-a3 stay unknown */
	sl_arp_input(t, arp(SL_T_PORT_IN, SL_T_VLAN_A, RTE_ARP_OP_REQUEST, &mac_a1, a1, gw), hz);
	sl_t_sent_free(&ctx);

	/* a claim from mac_b: not i-a1's MAC, and i-a2, i-a3 unknown: it waits
	 * while the gateway asks for them; the HaVip's entry is not created */
	sl_arp_input(t, arp(SL_T_PORT_IN, SL_T_VLAN_A, RTE_ARP_OP_REQUEST, &mac_b, hv, hv), hz);
	assert_int_equal(ctx.n_sent, 2);
	r = sent_arp(0, SL_T_PORT_IN, SL_T_VLAN_A, &bcast);
	assert_int_equal(rte_be_to_cpu_32(r->arp_data.arp_tip), a2);
	assert_int_equal(rte_be_to_cpu_32(r->arp_data.arp_sip), gw);
	sl_t_sent_free(&ctx);
	assert_int_equal(ctx.stats->cnt[SL_CNT_HAVIP_CLAIMS_PENDING], 1);
	assert_null(sl_neigh_find(t, &kh));
	assert_int_equal(sl_havip_export(t, bank, out, 2, hz), 0); /* no holder yet */

	/* i-a2 answers with mac_b: the claim is accepted, i-a2 holds it */
	sl_arp_input(t, arp(SL_T_PORT_IN, SL_T_VLAN_A, RTE_ARP_OP_REPLY, &mac_b, a2, gw), 2 * hz);
	p = sl_neigh_find(t, &kh);
	assert_non_null(p);
	assert_true(sl_neigh_usable(p->state));
	assert_memory_equal(&p->mac, &mac_b, 6);
	assert_int_equal(sl_neigh_holder(t, &kh), a2); /* what ip6gw_in reads */
	assert_int_equal(ctx.stats->cnt[SL_CNT_HAVIP_HOLDER_CHANGES], 1);
	assert_int_equal(sl_havip_export(t, bank, out, 2, 3 * hz), 1);
	assert_string_equal(out[0].havip_id, "hv-1");
	assert_string_equal(out[0].holder_id, "i-a2");
	assert_int_equal(out[0].addr, hv);
	assert_memory_equal(out[0].mac, &mac_b, 6);
	assert_int_equal(out[0].age_ms, 1000);

	/* i-a1 takes over by gratuitous ARP (reply form) */
	sl_arp_input(t, arp(SL_T_PORT_IN, SL_T_VLAN_A, RTE_ARP_OP_REPLY, &mac_a1, hv, hv), 3 * hz);
	assert_memory_equal(&sl_neigh_find(t, &kh)->mac, &mac_a1, 6);
	assert_int_equal(sl_neigh_holder(t, &kh), a1);
	assert_int_equal(ctx.stats->cnt[SL_CNT_HAVIP_HOLDER_CHANGES], 2);
	assert_int_equal(ctx.n_sent, 0);

	/* mac_c: i-a3 is still unknown, so the claim waits; nobody confirms
	 * it and it expires; the entry never moved */
	sl_arp_input(t, arp(SL_T_PORT_IN, SL_T_VLAN_A, RTE_ARP_OP_REQUEST, &mac_c, hv, hv), 4 * hz);
	assert_int_equal(ctx.stats->cnt[SL_CNT_HAVIP_CLAIMS_PENDING], 2);
	sl_neigh_timer(t, 4 * hz + hz * SL_HAVIP_CLAIM_MS / 1000 - 1);
	assert_int_equal(ctx.stats->cnt[SL_CNT_HAVIP_CLAIMS_EXPIRED], 0);
	sl_neigh_timer(t, 4 * hz + hz * SL_HAVIP_CLAIM_MS / 1000);
	assert_int_equal(ctx.stats->cnt[SL_CNT_HAVIP_CLAIMS_EXPIRED], 1);
	assert_int_equal(t->havip_claims, 0);
	assert_memory_equal(&sl_neigh_find(t, &kh)->mac, &mac_a1, 6);
	sl_t_sent_free(&ctx);

	/* once every associated MAC is known, a stranger's claim is refused
	 * at once and dropped; the entry still points at i-a1 */
	key4(&k, SL_T_PORT_IN, SL_T_VLAN_A, sl_t_ip4(192, 168, 1, 30));
	assert_int_equal(sl_neigh_learn(t, &k, &mac_b, SL_NEIGH_F_CREATE, SL_ROLE_INSIDE, NULL,
					10 * hz),
			 0);
	sl_arp_input(t, arp(SL_T_PORT_IN, SL_T_VLAN_A, RTE_ARP_OP_REQUEST, &mac_c, hv, hv),
		     10 * hz);
	assert_int_equal(ctx.stats->drop[SL_DROP_HAVIP_NOT_ASSOCIATED], 1);
	assert_int_equal(ctx.stats->cnt[SL_CNT_HAVIP_CLAIMS_PENDING], 2);
	assert_memory_equal(&sl_neigh_find(t, &kh)->mac, &mac_a1, 6);

	/* i-a1 no longer associated: no holder reported, and the HaVip's
	 * entry is failed (the next packet asks again); the HaVip gone: the
	 * record is forgotten */
	SL_BANK_PTR(bank, bank->havip_off, struct sl_havip_sec)->ent[0].inst[0].id[3] = '9';
	assert_int_equal(sl_havip_export(t, bank, out, 2, 11 * hz), 0);
	assert_int_equal(sl_neigh_find(t, &kh)->state, SL_NEIGH_FAILED);
	assert_int_equal(sl_neigh_holder(t, &kh), 0);
	assert_int_equal(atomic_load(&t->sh[rte_hash_lookup(t->h, &kh)].holder), 0);
	bank->havip_off = 0;
	assert_int_equal(sl_havip_export(t, bank, out, 2, 11 * hz), 0);
	assert_int_equal(t->havip_hi, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_arp_request_for_us, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_arp_not_for_us, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_arp_invalid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_arp_reply_resolves, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ns_for_us, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ns_dad, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nd_invalid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_na_resolves, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_havip_claims, setup, teardown),
	};

	sl_t_env_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
