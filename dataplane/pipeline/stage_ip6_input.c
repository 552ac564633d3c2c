/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage ip6_input: validate a received IPv6 header, find the upper-layer
 * protocol behind the extension headers, hand neighbour discovery to the
 * main lcore.
 *
 * Design note
 * -----------
 * Checks, in order: fixed header in the first segment -> IP6_TRUNCATED;
 * version 6 -> IP6_VERSION; 40 + payload length within the received bytes
 * -> IP6_TRUNCATED (then Ethernet padding is trimmed); extension-header walk
 * (sl_ip6_walk: hop-by-hop only first, routing, destination options,
 * fragment, AH; at most SL_IP6_MAX_EXT, each inside the first segment and the
 * payload) -> IP6_TRUNCATED; source multicast or ::1 -> IP6_BAD_SOURCE.
 *
 * ICMPv6 types 133-137 (RS, RA, NS, NA, redirect) go to the main lcore
 * (PUNT, SL_PUNT_ND) whatever their addresses: ND is link-scoped and the main
 * lcore does the RFC 4861 validation (hop limit 255, code 0, options). Only
 * there may the source be :: (duplicate address detection, RFC 4862 5.4);
 * anywhere else :: is IP6_BAD_SOURCE.
 *
 * After that: a multicast, :: or ::1 destination -> IP6_BAD_DEST (a VSwitch
 * has no multicast, and MLD is not spoken); a unicast destination that came
 * in a link-layer multicast frame -> L2_MULTICAST (as RFC 1812 5.3.4 for
 * IPv4). The Ethernet header is still at the start of the data here: this
 * stage only ever sees received packets.
 *
 * Then ROUTE6, or IP6GW_IN for a packet from the Internet side while the
 * bank has an IPv6 gateway section (issue 6).
 *
 * l4_proto/l4_off describe the upper layer; for a non-first fragment they
 * are SL_IPPROTO_FRAGMENT and the fragment header's offset.
 */
#include "sl_ip6gw.h"
#include "sl_pipeline.h"
#include "sl_proto.h"

static inline void sl_ip6_input_one(struct sl_worker *w, struct rte_mbuf *m)
{
	struct sl_meta *md = sl_meta(m);
	const struct rte_ipv6_hdr *ip;
	const struct rte_ether_hdr *eth;
	struct sl_ip6_chain c;
	uint32_t plen, avail, end;

	if (unlikely((uint32_t)md->l3_off + SL_IP6_HDR_LEN > rte_pktmbuf_data_len(m))) {
		sl_drop(w, m, SL_DROP_IP6_TRUNCATED);
		return;
	}
	ip = sl_ip6(m);
	if (unlikely((rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6)) {
		sl_drop(w, m, SL_DROP_IP6_VERSION);
		return;
	}
	plen = rte_be_to_cpu_16(ip->payload_len);
	avail = rte_pktmbuf_pkt_len(m) - md->l3_off;
	if (unlikely(plen + SL_IP6_HDR_LEN > avail)) {
		sl_drop(w, m, SL_DROP_IP6_TRUNCATED);
		return;
	}
	end = md->l3_off + SL_IP6_HDR_LEN + plen;
	if (plen + SL_IP6_HDR_LEN < avail)
		sl_pkt_trim_to(m, end);
	if (unlikely(sl_ip6_walk(m, md->l3_off, end, &c) != 0)) {
		sl_drop(w, m, SL_DROP_IP6_TRUNCATED);
		return;
	}
	md->l4_proto = c.proto;
	md->l4_off = c.l4_off;

	if (unlikely(sl_ip6_is_mcast(ip->src_addr) || sl_ip6_is_loopback(ip->src_addr))) {
		sl_drop(w, m, SL_DROP_IP6_BAD_SOURCE);
		return;
	}
	if (c.proto == SL_IPPROTO_ICMPV6) {
		uint8_t type;

		if (unlikely(c.l4_off + 4u > end || c.l4_off + 4u > rte_pktmbuf_data_len(m))) {
			sl_drop(w, m, SL_DROP_IP6_TRUNCATED);
			return;
		}
		type = *rte_pktmbuf_mtod_offset(m, const uint8_t *, c.l4_off);
		if (type >= SL_ICMP6_ND_FIRST && type <= SL_ICMP6_ND_LAST) {
			md->punt = SL_PUNT_ND;
			sl_next(w, m, SL_STAGE_PUNT);
			return;
		}
	}
	if (unlikely(sl_ip6_is_unspec(ip->src_addr))) {
		sl_drop(w, m, SL_DROP_IP6_BAD_SOURCE);
		return;
	}
	if (unlikely(sl_ip6_is_mcast(ip->dst_addr) || sl_ip6_is_unspec(ip->dst_addr) ||
		     sl_ip6_is_loopback(ip->dst_addr))) {
		sl_drop(w, m, SL_DROP_IP6_BAD_DEST);
		return;
	}
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(sl_eth_is_group(&eth->dst_addr))) {
		sl_drop(w, m, SL_DROP_L2_MULTICAST);
		return;
	}
	sl_next(w, m,
		md->vpc_index == SL_VPC_INTERNET && sl_bank_ip6gw(w->bank) ? SL_STAGE_IP6GW_IN
									   : SL_STAGE_ROUTE6);
}

void sl_stage_ip6_input(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		sl_prefetch_l3_ahead(pkts, i, n);
		sl_ip6_input_one(w, pkts[i]);
	}
}
