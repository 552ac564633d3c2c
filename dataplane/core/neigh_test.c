/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the neighbour table (neigh.c) and the NEIGH stage
 * (stage_neigh.c): resolution with a bounded queue, release with the right
 * L2 header, retransmission and failure, restart, aging to STALE and
 * re-probing on use, the learning rules, garbage collection after a grace
 * period, a full table, IPv6 solicitations and the stats export. Time is
 * driven by hand through the `now` argument.
 */
/* rte_ipv6_udptcp_cksum_verify is experimental in 22.11 */
#define ALLOW_EXPERIMENTAL_API 1
#include "sl_core_test.h"

#include <rte_arp.h>
#include <rte_ip.h>

static struct sl_t_ctx ctx;
static struct sl_neigh_table *t;
static uint64_t hz;

static const struct rte_ether_addr mac_a1 = {{0x52, 0x54, 0x00, 0xa1, 0xa1, 0xa1}};
static const struct rte_ether_addr mac_a1b = {{0x52, 0x54, 0x00, 0xa1, 0xa1, 0xb2}};
static const struct rte_ether_addr mac_up = {{0x52, 0x54, 0x00, 0x99, 0x99, 0x99}};

static int setup(void **state)
{
	sl_t_ctx_init(&ctx);
	t = sl_neigh_create("t_neigh", 64, 1, ctx.w, sl_t_xmit, &ctx);
	assert_non_null(t);
	ctx.dp.neigh = t;
	hz = t->hz;
	return 0;
}

static int teardown(void **state)
{
	unsigned int avail_before;

	sl_t_ctx_fini(&ctx);
	t = NULL;
	/* every mbuf is back: nothing leaked or double-freed */
	avail_before = rte_mempool_avail_count(sl_pktmbuf_pool);
	assert_int_equal(avail_before, sl_pktmbuf_pool->size);
	return 0;
}

/* An IPv4 packet as it arrives on a tagged inside port (l3_off 18), with
 * the metadata NEIGH leaves for an unresolved next hop. */
static struct rte_mbuf *pkt4(uint16_t port, uint16_t vlan, uint32_t dst, uint32_t nh_addr,
			     uint32_t src_addr, uint8_t tag)
{
	uint8_t buf[18 + 20 + 8];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + 18);
	struct rte_mbuf *m;
	struct sl_meta *md;
	rte_be32_t a;

	memset(buf, 0xee, 18); /* ingress L2: must disappear */
	memset(ip, 0, 28);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(28);
	ip->time_to_live = 63;
	ip->next_proto_id = 17;
	ip->src_addr = rte_cpu_to_be_32(sl_t_ip4(192, 168, 2, 10));
	ip->dst_addr = rte_cpu_to_be_32(dst);
	buf[18 + 20] = tag;
	m = sl_t_mbuf(buf, sizeof(buf));
	md = sl_meta(m);
	md->l3_off = 18;
	md->family = SL_AF_INET;
	md->out_port = port;
	md->out_vlan = vlan;
	a = rte_cpu_to_be_32(nh_addr);
	memcpy(md->nh_addr, &a, 4);
	a = rte_cpu_to_be_32(src_addr);
	memcpy(md->src_addr, &a, 4);
	md->vpc_index = 0;
	md->punt = SL_PUNT_UNRESOLVED;
	return m;
}

static struct rte_mbuf *pkt6(const uint8_t *dst, const uint8_t *src_addr)
{
	uint8_t buf[14 + 40 + 8];
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(buf + 14);
	struct rte_mbuf *m;
	struct sl_meta *md;

	memset(buf, 0xee, 14);
	memset(ip6, 0, 48);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(8);
	ip6->proto = 17;
	ip6->hop_limits = 63;
	memcpy(ip6->dst_addr, dst, 16);
	m = sl_t_mbuf(buf, sizeof(buf));
	md = sl_meta(m);
	md->l3_off = 14;
	md->family = SL_AF_INET6;
	md->out_port = SL_T_PORT_IN;
	md->out_vlan = SL_T_VLAN_A;
	memcpy(md->nh_addr, dst, 16);
	memcpy(md->src_addr, src_addr, 16);
	md->punt = SL_PUNT_UNRESOLVED;
	return m;
}

static void key4(struct sl_neigh_key *k, uint16_t port, uint16_t vlan, uint32_t a)
{
	rte_be32_t be = rte_cpu_to_be_32(a);

	sl_neigh_key_init(k, port, vlan, SL_AF_INET, &be);
}

/* Check the Ethernet (+VLAN) header of a sent frame; returns the L3 start. */
static const uint8_t *check_l2(struct rte_mbuf *m, uint16_t port, uint16_t vlan,
			       const struct rte_ether_addr *dst, uint16_t ethertype)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const uint8_t *p = (const uint8_t *)(eh + 1);

	assert_memory_equal(&eh->dst_addr, dst, 6);
	assert_memory_equal(&eh->src_addr, &sl_ports[port].mac, 6);
	assert_int_equal(sl_meta(m)->out_port, port);
	assert_int_equal(sl_meta(m)->out_vlan, vlan);
	if (vlan) {
		const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)p;

		assert_int_equal(rte_be_to_cpu_16(eh->ether_type), RTE_ETHER_TYPE_VLAN);
		assert_int_equal(rte_be_to_cpu_16(vh->vlan_tci), vlan);
		assert_int_equal(rte_be_to_cpu_16(vh->eth_proto), ethertype);
		p += sizeof(*vh);
	} else {
		assert_int_equal(rte_be_to_cpu_16(eh->ether_type), ethertype);
	}
	assert_int_equal(sl_meta(m)->l3_off, p - (const uint8_t *)eh);
	return p;
}

static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

static void check_arp_request(struct rte_mbuf *m, uint16_t port, uint16_t vlan,
			      const struct rte_ether_addr *dst, uint32_t sip, uint32_t tip)
{
	const struct rte_arp_hdr *arp =
	    (const struct rte_arp_hdr *)check_l2(m, port, vlan, dst, RTE_ETHER_TYPE_ARP);

	assert_int_equal(rte_be_to_cpu_16(arp->arp_opcode), RTE_ARP_OP_REQUEST);
	assert_int_equal(rte_be_to_cpu_16(arp->arp_hardware), RTE_ARP_HRD_ETHER);
	assert_int_equal(rte_be_to_cpu_16(arp->arp_protocol), RTE_ETHER_TYPE_IPV4);
	assert_memory_equal(&arp->arp_data.arp_sha, &sl_ports[port].mac, 6);
	assert_int_equal(rte_be_to_cpu_32(arp->arp_data.arp_sip), sip);
	assert_int_equal(rte_be_to_cpu_32(arp->arp_data.arp_tip), tip);
	assert_int_equal(rte_pktmbuf_pkt_len(m), sl_meta(m)->l3_off + sizeof(*arp));
}

static void test_resolve_queue_release(void **state)
{
	const uint32_t a1 = sl_t_ip4(192, 168, 1, 10), gw = sl_t_ip4(192, 168, 1, 253);
	const uint64_t t0 = 1000 * hz;
	struct sl_neigh_key k;
	const struct sl_neigh_priv *p;
	struct rte_ether_addr mac;

	sl_neigh_resolve(t, pkt4(SL_T_PORT_IN, SL_T_VLAN_A, a1, a1, gw, 0), t0);
	assert_int_equal(ctx.n_sent, 1);
	check_arp_request(ctx.sent[0], SL_T_PORT_IN, SL_T_VLAN_A, &bcast, gw, a1);
	assert_int_equal(ctx.stats->cnt[SL_CNT_ARP_REQUESTS], 1);
	sl_t_sent_free(&ctx);

	key4(&k, SL_T_PORT_IN, SL_T_VLAN_A, a1);
	p = sl_neigh_find(t, &k);
	assert_non_null(p);
	assert_int_equal(p->state, SL_NEIGH_INCOMPLETE);
	assert_int_equal(p->q_n, 1);
	assert_int_equal(sl_neigh_lookup(t, &k, &mac), SL_NEIGH_INCOMPLETE);

	/* The queue is bounded; no second request while one is pending. */
	for (uint8_t i = 1; i < 10; i++)
		sl_neigh_resolve(t, pkt4(SL_T_PORT_IN, SL_T_VLAN_A, a1, a1, gw, i), t0 + i);
	assert_int_equal(p->q_n, SL_NEIGH_QLEN);
	assert_int_equal(ctx.stats->drop[SL_DROP_NEIGH_QUEUE_FULL], 10 - SL_NEIGH_QLEN);
	assert_int_equal(ctx.n_sent, 0);

	/* The answer releases the queue in order with the final L2 header. */
	assert_int_equal(sl_neigh_learn(t, &k, &mac_a1, SL_NEIGH_F_CONFIRM | SL_NEIGH_F_OVERRIDE,
					SL_ROLE_INSIDE, NULL, t0 + hz / 2),
			 0);
	assert_int_equal(p->state, SL_NEIGH_REACHABLE);
	assert_int_equal(p->q_n, 0);
	assert_int_equal(ctx.n_sent, SL_NEIGH_QLEN);
	for (unsigned int i = 0; i < ctx.n_sent; i++) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)check_l2(
		    ctx.sent[i], SL_T_PORT_IN, SL_T_VLAN_A, &mac_a1, RTE_ETHER_TYPE_IPV4);

		assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), a1);
		assert_int_equal(((const uint8_t *)ip)[20], i); /* order kept */
		assert_int_equal(rte_pktmbuf_pkt_len(ctx.sent[i]), 18 + 28);
		assert_int_equal(ctx.sent_hash[i], p->hash);
	}
	sl_t_sent_free(&ctx);
	assert_int_equal(sl_neigh_lookup(t, &k, &mac), SL_NEIGH_REACHABLE);
	assert_memory_equal(&mac, &mac_a1, 6);
	assert_int_equal(ctx.stats->cnt[SL_CNT_NEIGH_LEARNED], 1);

	/* A packet punted before the worker saw the entry resolved is sent
	 * at once. */
	sl_neigh_resolve(t, pkt4(SL_T_PORT_IN, SL_T_VLAN_A, a1, a1, gw, 42), t0 + hz);
	assert_int_equal(ctx.n_sent, 1);
	check_l2(ctx.sent[0], SL_T_PORT_IN, SL_T_VLAN_A, &mac_a1, RTE_ETHER_TYPE_IPV4);
	sl_t_sent_free(&ctx);

	/* Unknown egress port. */
	sl_neigh_resolve(t, pkt4(9, 0, a1, a1, gw, 0), t0);
	assert_int_equal(ctx.stats->drop[SL_DROP_NO_PORT], 1);
}

static void test_retry_fail_restart(void **state)
{
	const uint32_t up = sl_t_ip4(203, 0, 113, 1), me = sl_t_ip4(203, 0, 113, 2);
	const uint64_t t0 = 5000 * hz;
	struct sl_neigh_key k;
	const struct sl_neigh_priv *p;
	struct rte_ether_addr mac;

	key4(&k, SL_T_PORT_OUT, 0, up);
	sl_neigh_resolve(t, pkt4(SL_T_PORT_OUT, 0, up, up, me, 0), t0);
	assert_int_equal(ctx.n_sent, 1);
	check_arp_request(ctx.sent[0], SL_T_PORT_OUT, 0, &bcast, me, up);
	sl_t_sent_free(&ctx);
	p = sl_neigh_find(t, &k);

	sl_neigh_timer(t, t0 + hz / 2);
	assert_int_equal(ctx.n_sent, 0);
	sl_neigh_timer(t, t0 + hz);
	assert_int_equal(ctx.n_sent, 1);
	sl_neigh_timer(t, t0 + 2 * hz);
	assert_int_equal(ctx.n_sent, 2);
	assert_int_equal(p->state, SL_NEIGH_INCOMPLETE);
	sl_t_sent_free(&ctx);
	/* Third request unanswered for a second: FAILED, queue dropped. */
	sl_neigh_timer(t, t0 + 3 * hz);
	assert_int_equal(ctx.n_sent, 0);
	assert_int_equal(p->state, SL_NEIGH_FAILED);
	assert_int_equal(p->q_n, 0);
	assert_int_equal(ctx.stats->drop[SL_DROP_NEIGH_FAILED], 1);
	assert_int_equal(ctx.stats->cnt[SL_CNT_ARP_REQUESTS], 3);
	assert_int_equal(sl_neigh_lookup(t, &k, &mac), SL_NEIGH_FAILED);

	/* A later packet starts a new round at once. */
	sl_neigh_resolve(t, pkt4(SL_T_PORT_OUT, 0, up, up, me, 1), t0 + 4 * hz);
	assert_int_equal(p->state, SL_NEIGH_INCOMPLETE);
	assert_int_equal(p->q_n, 1);
	assert_int_equal(ctx.n_sent, 1);
	sl_t_sent_free(&ctx);
	for (int i = 5; i <= 7; i++)
		sl_neigh_timer(t, t0 + i * hz);
	assert_int_equal(p->state, SL_NEIGH_FAILED);
	assert_int_equal(ctx.stats->drop[SL_DROP_NEIGH_FAILED], 2);
	sl_t_sent_free(&ctx);

	/* FAILED entries are collected (no reader online: no grace wait). */
	sl_neigh_timer(t, t0 + 7 * hz + t->gc_failed_tsc - 1);
	assert_non_null(sl_neigh_find(t, &k));
	sl_neigh_timer(t, t0 + 7 * hz + t->gc_failed_tsc);
	assert_null(sl_neigh_find(t, &k));
	assert_int_equal(t->n_entries, 0);
	assert_int_equal(sl_neigh_lookup(t, &k, &mac), SL_NEIGH_INCOMPLETE);
	sl_neigh_timer(t, t0 + 8 * hz + t->gc_failed_tsc);
	assert_int_equal(t->pend_n, 0);
}

static void test_aging_reprobe(void **state)
{
	const uint32_t a2 = sl_t_ip4(192, 168, 2, 10);
	const uint64_t t0 = 100 * hz;
	struct sl_neigh_key k;
	const struct sl_neigh_priv *p;
	struct rte_ether_addr mac;
	const struct rte_arp_hdr *arp;

	key4(&k, SL_T_PORT_IN, SL_T_VLAN_A, a2);
	/* Learned from its request for our 192.168.2.253: that is the
	 * sender of our later probes. */
	assert_int_equal(sl_neigh_learn(t, &k, &mac_a1, SL_NEIGH_F_CREATE | SL_NEIGH_F_OVERRIDE,
					SL_ROLE_INSIDE, (uint8_t[]){192, 168, 2, 253}, t0),
			 0);
	p = sl_neigh_find(t, &k);
	assert_int_equal(p->state, SL_NEIGH_STALE); /* unsolicited: RFC 4861 */
	assert_memory_equal(p->src, ((uint8_t[]){192, 168, 2, 253}), 4);
	/* ...and a later source does not replace it. */
	sl_neigh_learn(t, &k, &mac_a1, SL_NEIGH_F_OVERRIDE, SL_ROLE_INSIDE,
		       (uint8_t[]){192, 168, 2, 254}, t0);
	assert_memory_equal(p->src, ((uint8_t[]){192, 168, 2, 253}), 4);
	sl_neigh_learn(t, &k, &mac_a1, SL_NEIGH_F_CONFIRM, SL_ROLE_INSIDE, NULL, t0);
	assert_int_equal(p->state, SL_NEIGH_REACHABLE);

	sl_neigh_timer(t, t0 + t->reachable_tsc - 1);
	assert_int_equal(p->state, SL_NEIGH_REACHABLE);
	sl_neigh_timer(t, t0 + t->reachable_tsc);
	assert_int_equal(p->state, SL_NEIGH_STALE);
	/* STALE is still used, and using it asks for a probe. */
	assert_int_equal(sl_neigh_lookup(t, &k, &mac), SL_NEIGH_STALE);
	assert_memory_equal(&mac, &mac_a1, 6);
	assert_int_equal(ctx.n_sent, 0);
	sl_neigh_timer(t, t0 + t->reachable_tsc + 1);
	assert_int_equal(ctx.n_sent, 1); /* unicast to the known MAC */
	check_arp_request(ctx.sent[0], SL_T_PORT_IN, SL_T_VLAN_A, &mac_a1,
			  sl_t_ip4(192, 168, 2, 253), a2);
	arp = rte_pktmbuf_mtod_offset(ctx.sent[0], const struct rte_arp_hdr *, 18);
	(void)arp;
	sl_t_sent_free(&ctx);
	assert_int_equal(p->probing, 1);

	/* Answered: REACHABLE, probing over. */
	sl_neigh_learn(t, &k, &mac_a1, SL_NEIGH_F_CONFIRM | SL_NEIGH_F_OVERRIDE, SL_ROLE_INSIDE,
		       NULL, t0 + t->reachable_tsc + hz / 2);
	assert_int_equal(p->state, SL_NEIGH_REACHABLE);
	assert_int_equal(p->probing, 0);
	sl_neigh_timer(t, t0 + t->reachable_tsc + 2 * hz);
	assert_int_equal(ctx.n_sent, 0);

	/* Stale again, used, never answered: FAILED after 3 probes. */
	uint64_t t1 = t0 + 2 * t->reachable_tsc + hz / 2;

	sl_neigh_timer(t, t1);
	assert_int_equal(p->state, SL_NEIGH_STALE);
	sl_neigh_lookup(t, &k, &mac);
	sl_neigh_timer(t, t1 + 1);
	sl_neigh_timer(t, t1 + 1 + hz);
	sl_neigh_timer(t, t1 + 1 + 2 * hz);
	assert_int_equal(ctx.n_sent, 3);
	assert_int_equal(p->state, SL_NEIGH_STALE);
	sl_neigh_timer(t, t1 + 1 + 3 * hz);
	assert_int_equal(p->state, SL_NEIGH_FAILED);
	sl_t_sent_free(&ctx);

	/* A STALE entry nobody uses is collected eventually. */
	key4(&k, SL_T_PORT_IN, SL_T_VLAN_A, sl_t_ip4(192, 168, 2, 11));
	sl_neigh_learn(t, &k, &mac_a1b, SL_NEIGH_F_CREATE, SL_ROLE_INSIDE, NULL, t1);
	assert_non_null(sl_neigh_find(t, &k));
	sl_neigh_timer(t, t1 + t->gc_stale_tsc);
	assert_null(sl_neigh_find(t, &k));
	assert_int_equal(ctx.n_sent, 0);
}

static void test_learn_rules(void **state)
{
	const uint64_t t0 = 10 * hz;
	struct sl_neigh_key k;
	const struct sl_neigh_priv *p;

	key4(&k, SL_T_PORT_IN, SL_T_VLAN_A, sl_t_ip4(192, 168, 1, 20));
	assert_int_equal(
	    sl_neigh_learn(t, &k, &mac_a1, SL_NEIGH_F_OVERRIDE, SL_ROLE_INSIDE, NULL, t0), -ENOENT);
	assert_int_equal(sl_neigh_learn(t, &k, NULL, SL_NEIGH_F_CREATE, SL_ROLE_INSIDE, NULL, t0),
			 -ENOENT);
	assert_int_equal(sl_neigh_learn(t, &k, &mac_a1, SL_NEIGH_F_CREATE | SL_NEIGH_F_OVERRIDE,
					SL_ROLE_INSIDE, NULL, t0),
			 0);
	p = sl_neigh_find(t, &k);
	assert_int_equal(p->state, SL_NEIGH_STALE);
	assert_int_equal(ctx.stats->cnt[SL_CNT_NEIGH_LEARNED], 1);

	/* Same MAC, unsolicited: nothing changes. */
	sl_neigh_learn(t, &k, &mac_a1, SL_NEIGH_F_OVERRIDE, SL_ROLE_INSIDE, NULL, t0 + 1);
	assert_int_equal(p->state, SL_NEIGH_STALE);
	assert_int_equal(ctx.stats->cnt[SL_CNT_NEIGH_LEARNED], 1);

	/* Confirmation without an address (NA without TLLA). */
	sl_neigh_learn(t, &k, NULL, SL_NEIGH_F_CONFIRM, SL_ROLE_INSIDE, NULL, t0 + 2);
	assert_int_equal(p->state, SL_NEIGH_REACHABLE);

	/* Solicited NA without override and another MAC: suspect, keep. */
	sl_neigh_learn(t, &k, &mac_a1b, SL_NEIGH_F_CONFIRM, SL_ROLE_INSIDE, NULL, t0 + 3);
	assert_int_equal(p->state, SL_NEIGH_STALE);
	assert_memory_equal(&p->mac, &mac_a1, 6);

	/* Unsolicited without override: keep the MAC. */
	sl_neigh_learn(t, &k, NULL, SL_NEIGH_F_CONFIRM, SL_ROLE_INSIDE, NULL, t0 + 4);
	sl_neigh_learn(t, &k, &mac_a1b, 0, SL_ROLE_INSIDE, NULL, t0 + 5);
	assert_int_equal(p->state, SL_NEIGH_STALE);
	assert_memory_equal(&p->mac, &mac_a1, 6);

	/* Override: the new MAC wins (unsolicited: STALE). */
	sl_neigh_learn(t, &k, &mac_a1b, SL_NEIGH_F_OVERRIDE, SL_ROLE_INSIDE, NULL, t0 + 6);
	assert_int_equal(p->state, SL_NEIGH_STALE);
	assert_memory_equal(&p->mac, &mac_a1b, 6);

	/* Solicited + override: REACHABLE with the new MAC. */
	sl_neigh_learn(t, &k, &mac_a1, SL_NEIGH_F_CONFIRM | SL_NEIGH_F_OVERRIDE, SL_ROLE_INSIDE,
		       NULL, t0 + 7);
	assert_int_equal(p->state, SL_NEIGH_REACHABLE);
	assert_memory_equal(&p->mac, &mac_a1, 6);
	assert_int_equal(sl_neigh_lookup(t, &k, &(struct rte_ether_addr){0}), SL_NEIGH_REACHABLE);
}

static void test_grace_period(void **state)
{
	const uint64_t t0 = 50 * hz;
	struct sl_neigh_key k;

	sl_neigh_reader_online(t, 0);
	key4(&k, SL_T_PORT_OUT, 0, sl_t_ip4(203, 0, 113, 9));
	sl_neigh_resolve(t,
			 pkt4(SL_T_PORT_OUT, 0, sl_t_ip4(203, 0, 113, 9), sl_t_ip4(203, 0, 113, 9),
			      sl_t_ip4(203, 0, 113, 2), 0),
			 t0);
	for (int i = 1; i <= 3; i++)
		sl_neigh_timer(t, t0 + i * hz);
	sl_t_sent_free(&ctx);
	assert_int_equal(sl_neigh_find(t, &k)->state, SL_NEIGH_FAILED);
	sl_neigh_timer(t, t0 + 3 * hz + t->gc_failed_tsc);
	assert_null(sl_neigh_find(t, &k));
	/* The reader has not passed a quiescent state: position kept. */
	assert_int_equal(t->pend_n, 1);
	sl_neigh_timer(t, t0 + 4 * hz + t->gc_failed_tsc);
	assert_int_equal(t->pend_n, 1);
	sl_neigh_quiescent(t, 0);
	sl_neigh_timer(t, t0 + 5 * hz + t->gc_failed_tsc);
	assert_int_equal(t->pend_n, 0);
	sl_neigh_reader_offline(t, 0);
}

static void test_table_full(void **state)
{
	struct sl_neigh_table *small;
	struct sl_neigh_key k;
	unsigned int ok = 0;

	small = sl_neigh_create("t_small", 8, 1, ctx.w, sl_t_xmit, &ctx);
	assert_non_null(small);
	for (unsigned int i = 0; i < 64; i++) {
		key4(&k, SL_T_PORT_IN, SL_T_VLAN_A, sl_t_ip4(192, 168, 1, (uint8_t)(i + 1)));
		if (sl_neigh_learn(small, &k, &mac_a1, SL_NEIGH_F_CREATE, SL_ROLE_INSIDE, NULL,
				   hz) != 0)
			break;
		ok++;
	}
	assert_int_equal(ok, 8);
	assert_int_equal(ctx.stats->drop[SL_DROP_NEIGH_TABLE_FULL], 1);
	/* A packet for yet another neighbour is dropped, not queued. */
	sl_neigh_resolve(small,
			 pkt4(SL_T_PORT_IN, SL_T_VLAN_A, sl_t_ip4(192, 168, 1, 200),
			      sl_t_ip4(192, 168, 1, 200), sl_t_ip4(192, 168, 1, 253), 0),
			 hz);
	assert_int_equal(ctx.stats->drop[SL_DROP_NEIGH_TABLE_FULL], 2);
	assert_int_equal(ctx.n_sent, 0);
	sl_neigh_free(small);
	assert_int_equal(sl_neigh_create("t_bad", 8, 0, ctx.w, sl_t_xmit, &ctx) == NULL, 1);
	assert_int_equal(errno, EINVAL);
}

static void test_solicit_v6(void **state)
{
	const uint64_t t0 = 7 * hz;
	const struct rte_ether_addr mc = {{0x33, 0x33, 0xff, 0x00, 0x00, 0x10}};
	const uint8_t snm[16] = {0xff, 0x02, [11] = 0x01, [12] = 0xff, [15] = 0x10};
	const struct rte_ipv6_hdr *ip6;
	const uint8_t *icmp;
	struct sl_neigh_key k;

	sl_neigh_resolve(t, pkt6(sl_t_a1_6, sl_t_gw6), t0);
	assert_int_equal(ctx.n_sent, 1);
	ip6 = (const struct rte_ipv6_hdr *)check_l2(ctx.sent[0], SL_T_PORT_IN, SL_T_VLAN_A, &mc,
						    RTE_ETHER_TYPE_IPV6);
	assert_int_equal(ip6->hop_limits, 255);
	assert_int_equal(ip6->proto, 58);
	assert_int_equal(rte_be_to_cpu_16(ip6->payload_len), 32);
	assert_memory_equal(ip6->src_addr, sl_t_gw6, 16);
	assert_memory_equal(ip6->dst_addr, snm, 16);
	icmp = (const uint8_t *)(ip6 + 1);
	assert_int_equal(icmp[0], 135);
	assert_int_equal(icmp[1], 0);
	assert_memory_equal(icmp + 8, sl_t_a1_6, 16);
	assert_int_equal(icmp[24], 1); /* source link-layer address option */
	assert_int_equal(icmp[25], 1);
	assert_memory_equal(icmp + 26, &sl_t_mac_in, 6);
	assert_int_equal(rte_ipv6_udptcp_cksum_verify(ip6, icmp), 0);
	assert_int_equal(ctx.stats->cnt[SL_CNT_ND_SOLICITS], 1);
	sl_t_sent_free(&ctx);

	sl_neigh_key_init(&k, SL_T_PORT_IN, SL_T_VLAN_A, SL_AF_INET6, sl_t_a1_6);
	sl_neigh_learn(t, &k, &mac_a1, SL_NEIGH_F_CONFIRM | SL_NEIGH_F_OVERRIDE, SL_ROLE_INSIDE,
		       NULL, t0 + 1);
	assert_int_equal(ctx.n_sent, 1);
	ip6 = (const struct rte_ipv6_hdr *)check_l2(ctx.sent[0], SL_T_PORT_IN, SL_T_VLAN_A, &mac_a1,
						    RTE_ETHER_TYPE_IPV6);
	assert_memory_equal(ip6->dst_addr, sl_t_a1_6, 16);
	sl_t_sent_free(&ctx);
}

#define SL_T_PORT_TRUNK1 2 /* a second inside port, trunk 1 (test_export only) */

static void test_export(void **state)
{
	struct sl_bank_header *b = sl_t_bank_build(1);
	struct sl_neigh_export out[8];
	struct sl_neigh_key k;
	uint32_t n;
	const uint64_t t0 = 20 * hz;

	key4(&k, SL_T_PORT_IN, SL_T_VLAN_A, sl_t_ip4(192, 168, 1, 10));
	sl_neigh_learn(t, &k, &mac_a1, SL_NEIGH_F_CREATE | SL_NEIGH_F_OVERRIDE, SL_ROLE_INSIDE,
		       NULL, t0);
	sl_neigh_resolve(
	    t, pkt4(SL_T_PORT_OUT, 0, 1, sl_t_ip4(203, 0, 113, 1), sl_t_ip4(203, 0, 113, 2), 0),
	    t0);
	sl_t_sent_free(&ctx);
	n = sl_neigh_export(t, b, out, 8, t0 + 2 * hz);
	assert_int_equal(n, 2);
	for (uint32_t i = 0; i < n; i++) {
		if (out[i].port_role == SL_ROLE_INSIDE) {
			assert_int_equal(out[i].vpc_index, 0);
			assert_int_equal(out[i].vlan, SL_T_VLAN_A);
			assert_int_equal(out[i].family, SL_AF_INET);
			assert_memory_equal(out[i].addr, ((uint8_t[]){192, 168, 1, 10}), 4);
			assert_memory_equal(out[i].mac, &mac_a1, 6);
			assert_int_equal(out[i].state, SL_NEIGH_STALE);
			assert_int_equal(out[i].age_ms, 2000);
			assert_int_equal(out[i].n_queued, 0);
		} else {
			assert_int_equal(out[i].vpc_index, SL_VPC_INTERNET);
			assert_int_equal(out[i].state, SL_NEIGH_INCOMPLETE);
			assert_int_equal(out[i].n_queued, 1);
			assert_memory_equal(out[i].addr, ((uint8_t[]){203, 0, 113, 1}), 4);
		}
	}
	assert_int_equal(sl_neigh_export(t, b, out, 1, t0), 1);

	/* The same VLAN on a second inside port (trunk 1): its own trunk, and
	 * not the VPC of (trunk 0, VLAN 100), the only one the bank maps. */
	sl_ports[SL_T_PORT_TRUNK1] = sl_ports[SL_T_PORT_IN];
	sl_ports[SL_T_PORT_TRUNK1].trunk = 1;
	key4(&k, SL_T_PORT_TRUNK1, SL_T_VLAN_A, sl_t_ip4(192, 168, 1, 10));
	sl_neigh_learn(t, &k, &mac_a1, SL_NEIGH_F_CREATE | SL_NEIGH_F_OVERRIDE, SL_ROLE_INSIDE,
		       NULL, t0);
	n = sl_neigh_export(t, b, out, 8, t0 + 2 * hz);
	assert_int_equal(n, 3);
	for (uint32_t i = 0; i < n; i++) {
		if (out[i].port_role != SL_ROLE_INSIDE)
			continue;
		if (out[i].trunk == 1) {
			assert_int_not_equal(out[i].vpc_index, 0);
			assert_int_equal(out[i].vlan, SL_T_VLAN_A);
		} else {
			assert_int_equal(out[i].trunk, 0);
			assert_int_equal(out[i].vpc_index, 0);
		}
	}
	memset(&sl_ports[SL_T_PORT_TRUNK1], 0, sizeof(sl_ports[SL_T_PORT_TRUNK1]));
	rte_free(b);
}

/* ---- the NEIGH stage on a bank ---------------------------------------- */

static struct rte_mbuf *fwd4(uint32_t dst, uint32_t nh)
{
	struct rte_mbuf *m = pkt4(0, 0, dst, 0, 0, 0);
	struct sl_meta *md = sl_meta(m);

	memset(md->nh_addr, 0, sizeof(md->nh_addr));
	memset(md->src_addr, 0, sizeof(md->src_addr));
	md->punt = 0;
	md->out_port = 0;
	md->out_vlan = 0;
	md->nh = nh;
	md->vpc_index = 0;
	return m;
}

static void test_stage(void **state)
{
	struct sl_bank_header *b = sl_t_bank_build(1);
	struct sl_worker *w = ctx.w;
	struct sl_vec *punt = &w->vec[SL_STAGE_PUNT], *tx = &w->vec[SL_STAGE_TX];
	struct rte_mbuf *pk[6];
	struct sl_neigh_key k;
	struct rte_mbuf *v6;
	const uint32_t a1 = sl_t_ip4(192, 168, 1, 10);

	w->bank = NULL;
	pk[0] = fwd4(a1, SL_T_NH_CONN4);
	sl_stage_neigh(w, pk, 1);
	assert_int_equal(ctx.stats->drop[SL_DROP_NO_TABLES], 1);

	w->bank = b;
	pk[0] = fwd4(a1, SL_T_NH_CONN4);			 /* on-link: resolve dst */
	pk[1] = fwd4(sl_t_ip4(10, 99, 1, 1), SL_T_NH_GW4);	 /* via 192.168.2.10 */
	pk[2] = fwd4(sl_t_ip4(8, 8, 8, 8), SL_T_NH_INET4);	 /* via upstream */
	pk[3] = fwd4(sl_t_ip4(192, 168, 1, 253), SL_T_NH_LOCAL); /* bug: LOCAL */
	v6 = pkt6(sl_t_a1_6, sl_t_gw6);
	sl_meta(v6)->nh = SL_T_NH_GW4; /* family mismatch */
	pk[4] = v6;
	v6 = pkt6(sl_t_a1_6, sl_t_gw6);
	sl_meta(v6)->nh = SL_T_NH_CONN6;
	memset(sl_meta(v6)->nh_addr, 0, 16);
	pk[5] = v6;
	sl_stage_neigh(w, pk, 6);
	assert_int_equal(ctx.stats->drop[SL_DROP_NO_ROUTE], 2);
	assert_int_equal(tx->n, 0);
	assert_int_equal(punt->n, 4);
	{
		const struct sl_meta *md = sl_meta(punt->m[0]);

		assert_int_equal(md->punt, SL_PUNT_UNRESOLVED);
		assert_int_equal(md->out_port, SL_T_PORT_IN);
		assert_int_equal(md->out_vlan, SL_T_VLAN_A);
		assert_memory_equal(md->nh_addr, ((uint8_t[]){192, 168, 1, 10}), 4);
		assert_memory_equal(md->src_addr, ((uint8_t[]){192, 168, 1, 253}), 4);
		md = sl_meta(punt->m[1]);
		assert_memory_equal(md->nh_addr, ((uint8_t[]){192, 168, 2, 10}), 4);
		assert_memory_equal(md->src_addr, ((uint8_t[]){192, 168, 2, 253}), 4);
		md = sl_meta(punt->m[2]);
		assert_int_equal(md->out_port, SL_T_PORT_OUT);
		assert_int_equal(md->out_vlan, 0);
		assert_int_equal(md->vpc_index, SL_VPC_INTERNET);
		assert_memory_equal(md->nh_addr, ((uint8_t[]){203, 0, 113, 1}), 4);
		md = sl_meta(punt->m[3]);
		assert_int_equal(md->family, SL_AF_INET6);
		assert_memory_equal(md->nh_addr, sl_t_a1_6, 16);
		assert_memory_equal(md->src_addr, sl_t_gw6, 16);
	}
	/* The main lcore queues them and resolves. */
	for (unsigned int i = 0; i < punt->n; i++)
		sl_neigh_resolve(t, punt->m[i], hz);
	punt->n = 0;
	assert_int_equal(ctx.n_sent, 4); /* three ARP requests and one NS */
	sl_t_sent_free(&ctx);
	key4(&k, SL_T_PORT_IN, SL_T_VLAN_A, a1);
	sl_neigh_learn(t, &k, &mac_a1, SL_NEIGH_F_CONFIRM | SL_NEIGH_F_OVERRIDE, SL_ROLE_INSIDE,
		       NULL, hz);
	key4(&k, SL_T_PORT_OUT, 0, sl_t_ip4(203, 0, 113, 1));
	sl_neigh_learn(t, &k, &mac_up, SL_NEIGH_F_CONFIRM | SL_NEIGH_F_OVERRIDE, SL_ROLE_OUTSIDE,
		       NULL, hz);
	assert_int_equal(ctx.n_sent, 2);
	check_l2(ctx.sent[0], SL_T_PORT_IN, SL_T_VLAN_A, &mac_a1, RTE_ETHER_TYPE_IPV4);
	check_l2(ctx.sent[1], SL_T_PORT_OUT, 0, &mac_up, RTE_ETHER_TYPE_IPV4);
	sl_t_sent_free(&ctx);

	/* Now the stage itself rewrites L2 and hands to TX. */
	pk[0] = fwd4(a1, SL_T_NH_CONN4);
	pk[1] = fwd4(sl_t_ip4(8, 8, 4, 4), SL_T_NH_INET4);
	pk[2] = fwd4(sl_t_ip4(10, 99, 0, 1), SL_T_NH_GW4); /* still unresolved */
	sl_stage_neigh(w, pk, 3);
	assert_int_equal(tx->n, 2);
	assert_int_equal(punt->n, 1);
	{
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)check_l2(
		    tx->m[0], SL_T_PORT_IN, SL_T_VLAN_A, &mac_a1, RTE_ETHER_TYPE_IPV4);

		assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), a1);
		assert_int_equal(rte_pktmbuf_pkt_len(tx->m[0]), 18 + 28);
		ip = (const struct rte_ipv4_hdr *)check_l2(tx->m[1], SL_T_PORT_OUT, 0, &mac_up,
							   RTE_ETHER_TYPE_IPV4);
		assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), sl_t_ip4(8, 8, 4, 4));
		assert_int_equal(rte_pktmbuf_pkt_len(tx->m[1]), 14 + 28);
	}
	rte_pktmbuf_free_bulk(tx->m, tx->n);
	tx->n = 0;
	rte_pktmbuf_free_bulk(punt->m, punt->n);
	punt->n = 0;

	/* Runs of packets through one gateway share its lookup (issue 9):
	 * each still gets its own L2 header, and a packet through another
	 * next hop between two runs gets its own answer. */
	{
		static const uint32_t nhs[] = {SL_T_NH_INET4, SL_T_NH_INET4, SL_T_NH_GW4,
					       SL_T_NH_INET4, SL_T_NH_CONN4, SL_T_NH_INET4,
					       SL_T_NH_INET4};
		struct rte_mbuf *run[RTE_DIM(nhs)];
		unsigned int up = 0;

		for (unsigned int i = 0; i < RTE_DIM(nhs); i++)
			run[i] = fwd4(nhs[i] == SL_T_NH_CONN4 ? a1 : sl_t_ip4(8, 8, 4, (uint8_t)i),
				      nhs[i]);
		sl_stage_neigh(w, run, RTE_DIM(nhs));
		assert_int_equal(tx->n, 6);
		assert_int_equal(punt->n, 1);
		assert_memory_equal(sl_meta(punt->m[0])->nh_addr, ((uint8_t[]){192, 168, 2, 10}), 4);
		for (unsigned int i = 0; i < tx->n; i++) {
			const struct rte_ipv4_hdr *ip;

			if (rte_pktmbuf_pkt_len(tx->m[i]) == 18 + 28) {
				ip = (const struct rte_ipv4_hdr *)check_l2(
				    tx->m[i], SL_T_PORT_IN, SL_T_VLAN_A, &mac_a1, RTE_ETHER_TYPE_IPV4);
				assert_int_equal(rte_be_to_cpu_32(ip->dst_addr), a1);
				continue;
			}
			ip = (const struct rte_ipv4_hdr *)check_l2(tx->m[i], SL_T_PORT_OUT, 0, &mac_up,
								   RTE_ETHER_TYPE_IPV4);
			assert_int_equal(rte_be_to_cpu_32(ip->dst_addr) >> 8, sl_t_ip4(8, 8, 4, 0) >> 8);
			up++;
		}
		assert_int_equal(up, 5);
		rte_pktmbuf_free_bulk(tx->m, tx->n);
		tx->n = 0;
		rte_pktmbuf_free_bulk(punt->m, punt->n);
		punt->n = 0;
	}

	/* No port with the egress role. */
	sl_role_port[SL_ROLE_OUTSIDE] = RTE_MAX_ETHPORTS;
	pk[0] = fwd4(sl_t_ip4(8, 8, 4, 4), SL_T_NH_INET4);
	sl_stage_neigh(w, pk, 1);
	assert_int_equal(ctx.stats->drop[SL_DROP_NO_PORT], 1);
	sl_role_port[SL_ROLE_OUTSIDE] = SL_T_PORT_OUT;
	w->bank = NULL;
	rte_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_resolve_queue_release, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_retry_fail_restart, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_aging_reprobe, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_learn_rules, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_grace_period, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_table_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_solicit_v6, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_export, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stage, setup, teardown),
	};

	sl_t_env_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
