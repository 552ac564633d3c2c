/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage eth_input: parse Ethernet and at most one 802.1Q tag, classify the
 * packet to a VPC (inside port, by its trunk and the VLAN) or to the Internet side (outside
 * port, untagged), fill the metadata and dispatch by EtherType.
 *
 * Design note
 * -----------
 * This is the first stage every received packet sees, so it initialises the
 * whole struct sl_meta (the private area of a recycled mbuf holds stale
 * data). The VLAN may come from the frame or, when a PMD stripped it
 * (net_af_packet without VLAN reinsertion), from m->vlan_tci with
 * RTE_MBUF_F_RX_VLAN_STRIPPED; either way only one tag is accepted: a second
 * 802.1Q tag or an 802.1ad S-tag is QinQ and dropped.
 *
 * The port role and trunk come from sl_ports[] (read-only after start-up),
 * the (trunk, VLAN) to VPC map from the active bank (valid for this loop iteration only).
 *
 * L2 filtering: af_packet ports run promiscuous, so a unicast frame for
 * another MAC is dropped here (L2_NOT_FOR_US). A frame whose source MAC is
 * a group address (I/G bit set: multicast or broadcast) is dropped whatever
 * it carries (L2_BAD_SOURCE): IEEE 802 never uses a group address as a
 * source, and learning one as a neighbour's MAC would flood its replies.
 * A unicast IPv4 packet that
 * arrived as a link-layer broadcast/multicast is not forwarded
 * (RFC 1812 5.3.4, L2_MULTICAST); ARP and IPv6 (ND uses multicast MACs) pass
 * and ip6_input applies the same rule to IPv6.
 */
#include "sl_pipeline.h"
#include "sl_proto.h"

#include <rte_prefetch.h>

#define SL_PREFETCH_AHEAD 3

static inline void sl_eth_input_one(struct sl_worker *w, const uint32_t *vlan_map,
				    struct rte_mbuf *m)
{
	struct sl_meta *md = sl_meta(m);
	const struct sl_port_info *pi = &sl_ports[m->port];
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)p;
	uint32_t len = rte_pktmbuf_data_len(m);
	uint16_t l3_off = RTE_ETHER_HDR_LEN;
	uint16_t type, vlan = 0;
	bool tagged = false;

	/* first, so that every later drop of a traced frame is recorded */
	md->trace = sl_trace_claim(w, m);
	if (unlikely(len < RTE_ETHER_HDR_LEN)) {
		sl_drop(w, m, SL_DROP_ETH_TRUNCATED);
		return;
	}
	if (!sl_eth_is_group(&eth->dst_addr) &&
	    unlikely(!rte_is_same_ether_addr(&eth->dst_addr, &pi->mac))) {
		sl_drop(w, m, SL_DROP_L2_NOT_FOR_US);
		return;
	}
	if (unlikely(sl_eth_is_group(&eth->src_addr))) {
		sl_drop(w, m, SL_DROP_L2_BAD_SOURCE);
		return;
	}

	type = rte_be_to_cpu_16(eth->ether_type);
	if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
		tagged = true;
		vlan = m->vlan_tci & 0x0fff;
	}
	if (type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ) {
		const struct rte_vlan_hdr *vh =
		    (const struct rte_vlan_hdr *)(p + RTE_ETHER_HDR_LEN);

		if (tagged || type == RTE_ETHER_TYPE_QINQ) {
			sl_drop(w, m, SL_DROP_QINQ);
			return;
		}
		if (unlikely(len < RTE_ETHER_HDR_LEN + sizeof(*vh))) {
			sl_drop(w, m, SL_DROP_ETH_TRUNCATED);
			return;
		}
		tagged = true;
		vlan = rte_be_to_cpu_16(vh->vlan_tci) & 0x0fff;
		type = rte_be_to_cpu_16(vh->eth_proto);
		l3_off += sizeof(*vh);
		if (type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ) {
			sl_drop(w, m, SL_DROP_QINQ);
			return;
		}
	}

	md->in_port = m->port;
	md->in_role = pi->role;
	md->in_vlan = vlan;
	md->l3_off = l3_off;
	md->l4_off = 0;
	md->l4_proto = 0;
	md->nh = SL_NH_NONE;
	md->out_port = 0;
	md->out_vlan = 0;
	md->flags = 0;
	md->pub_ip = 0;
	md->punt = SL_PUNT_NONE;
	md->icmp_type = 0;
	md->icmp_code = 0;
	md->icmp_info = 0;

	if (pi->role == SL_ROLE_INSIDE) {
		uint32_t v;

		if (unlikely(!tagged)) {
			sl_drop(w, m, SL_DROP_UNTAGGED_INSIDE);
			return;
		}
		/* pi->trunk < SL_MAX_TRUNKS (config.c), vlan < 4096 (12 bits). */
		v = vlan_map[(uint32_t)pi->trunk * SL_VLAN_COUNT + vlan];
		if (unlikely(v == 0 || v > w->bank->n_vpcs)) {
			sl_drop(w, m, SL_DROP_UNKNOWN_VLAN);
			return;
		}
		md->vpc_index = v - 1;
	} else {
		if (unlikely(tagged)) {
			sl_drop(w, m, SL_DROP_TAGGED_OUTSIDE);
			return;
		}
		md->vpc_index = SL_VPC_INTERNET;
	}

	switch (type) {
	case RTE_ETHER_TYPE_IPV4:
		if (unlikely(sl_eth_is_group(&eth->dst_addr))) {
			sl_drop(w, m, SL_DROP_L2_MULTICAST);
			return;
		}
		md->family = SL_AF_INET;
		sl_next(w, m, SL_STAGE_IP4_INPUT);
		return;
	case RTE_ETHER_TYPE_IPV6:
		md->family = SL_AF_INET6;
		sl_next(w, m, SL_STAGE_IP6_INPUT);
		return;
	case RTE_ETHER_TYPE_ARP:
		md->family = SL_AF_INET;
		md->punt = SL_PUNT_ARP;
		sl_next(w, m, SL_STAGE_PUNT);
		return;
	default:
		sl_drop(w, m, SL_DROP_ETHERTYPE);
		return;
	}
}

/* The (trunk, VLAN) map entry of a tagged frame on an inside port, fetched
 * one packet ahead (its frame was prefetched three ahead): with thousands
 * of VLANs the entry is a random line of a 16 KiB row per trunk (issue 9).
 * Only a hint: the frame is checked properly when its turn comes. */
static inline void sl_eth_prefetch_vlan(const uint32_t *vlan_map, const struct rte_mbuf *m)
{
	const struct sl_port_info *pi = &sl_ports[m->port];
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t tci;

	if (pi->role != SL_ROLE_INSIDE || rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + 4 ||
	    p[12] != 0x81 || p[13] != 0x00)
		return;
	tci = (uint16_t)((p[14] & 0x0f) << 8 | p[15]);
	rte_prefetch0(&vlan_map[(uint32_t)pi->trunk * SL_VLAN_COUNT + tci]);
}

void sl_stage_eth_input(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	const uint32_t *vlan_map;
	uint16_t i;

	if (unlikely(w->bank == NULL)) {
		for (i = 0; i < n; i++)
			sl_drop_raw(w, pkts[i], SL_DROP_NO_TABLES);
		return;
	}
	vlan_map = SL_BANK_PTR(w->bank, w->bank->vlan_map_off, const uint32_t);

	/* The mbuf headers first, twice as far ahead: the data and metadata
	 * prefetches below read buf_addr/data_off from them (issue 9). */
	for (i = 0; i < n && i < 2 * SL_PREFETCH_AHEAD; i++)
		rte_prefetch0(pkts[i]);
	for (i = 0; i < n && i < SL_PREFETCH_AHEAD; i++) {
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
		rte_prefetch0(rte_mbuf_to_priv(pkts[i]));
	}
	for (i = 0; i < n; i++) {
		if (i + 2 * SL_PREFETCH_AHEAD < n)
			rte_prefetch0(pkts[i + 2 * SL_PREFETCH_AHEAD]);
		if (i + SL_PREFETCH_AHEAD < n) {
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + SL_PREFETCH_AHEAD], void *));
			rte_prefetch0(rte_mbuf_to_priv(pkts[i + SL_PREFETCH_AHEAD]));
		}
		if (i + 1 < n)
			sl_eth_prefetch_vlan(vlan_map, pkts[i + 1]);
		sl_eth_input_one(w, vlan_map, pkts[i]);
	}
}
