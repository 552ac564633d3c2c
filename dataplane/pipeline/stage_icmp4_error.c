/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage icmp4_error: originate the ICMP error that another stage asked for
 * with sl_icmp_error() (md->icmp_type/code/info), about the packet itself.
 *
 * Design note
 * -----------
 * The offending packet arrives unmodified (stages ask before they touch the
 * header), was already counted under its own drop reason by
 * sl_icmp_error(), and is always freed here. What this stage counts is the
 * fate of the error: ICMP_ERRORS when sent, otherwise one of
 *   ICMP_ERROR_LOOP  never an error about (RFC 1812 4.3.2.7, RFC 1122
 *                    3.2.2): a packet the gateway made (LOCAL_ORIGIN, which
 *                    includes our own errors), an ICMP error (types 3, 4, 5,
 *                    11, 12) or an ICMP message of unknown type, a non-first
 *                    fragment, a packet with an invalid (0/8, 127/8,
 *                    multicast, broadcast, class E) source or destination;
 *   ICMP_NO_SOURCE   the gateway has no address toward the source (below);
 *   ICMP_RATELIMIT   the per-lcore token bucket is empty (RFC 1812 4.3.2.8):
 *                    SL_ICMP_RATE_PER_S (1000/s) with a burst of
 *                    SL_ICMP_BURST (200), shared with ICMPv6 errors, so a
 *                    gateway with N workers sends at most N*1000 errors/s;
 *   NO_MBUF          no buffer for the error.
 *
 * Source address: the gateway's own address on the link the offending
 * packet came from, found by looking the packet's source up in the ingress
 * table (md->vpc_index): a CONNECTED or GATEWAY next hop carries `src`, the
 * gateway's address on that link (VSwitch gateway address, outside
 * address). For a packet addressed to the gateway itself (UDP port
 * unreachable) the source is the address it was sent to, as a host would
 * answer (RFC 1122 3.2.2.1), so traceroute to a gateway address ends there.
 *
 * The error is a new single-segment mbuf from sl_pktmbuf_pool (the default
 * headroom leaves room for Ethernet + 802.1Q): IPv4 header (TTL 64, protocol
 * 1, precedence 6 as RFC 1812 4.3.2.5 recommends, DF clear, random ID), ICMP
 * header (type, code, for 3/4 the next-hop MTU of RFC 1191), then as much of
 * the original datagram as keeps the error within 576 bytes (RFC 1812
 * 4.3.2.3). It re-enters ROUTE4 in the ingress VPC with LOCAL_ORIGIN |
 * ICMP_ERROR, so it is routed, not reflected: it leaves toward wherever the
 * table says the source is.
 */
#include "sl_pipeline.h"
#include "sl_proto.h"

#include <rte_random.h>

/** True if RFC 1812 4.3.2.7 forbids an error about this packet. */
static bool sl_icmp4_forbidden(const struct rte_mbuf *m, const struct sl_meta *md,
			       const struct rte_ipv4_hdr *ip)
{
	uint32_t hlen = sl_ip4_hlen(ip);
	uint8_t type;

	if (md->flags & (SL_META_F_LOCAL_ORIGIN | SL_META_F_ICMP_ERROR))
		return true;
	if (rte_be_to_cpu_16(ip->fragment_offset) & SL_IP4_OFFMASK)
		return true;
	if (sl_ip4_addr_invalid(rte_be_to_cpu_32(ip->src_addr)) ||
	    sl_ip4_addr_invalid(rte_be_to_cpu_32(ip->dst_addr)))
		return true;
	if (ip->next_proto_id != SL_IPPROTO_ICMP)
		return false;
	if (rte_be_to_cpu_16(ip->total_length) <= hlen)
		return true; /* no type to look at: assume the worst */
	sl_pkt_copy(m, md->l3_off + hlen, 1, &type);
	switch (type) {
	case SL_ICMP_DEST_UNREACH:
	case SL_ICMP_SOURCE_QUENCH:
	case SL_ICMP_REDIRECT:
	case SL_ICMP_TIME_EXCEEDED:
	case SL_ICMP_PARAM_PROBLEM:
		return true;
	default:
		return type > 18; /* unknown types may be errors */
	}
}

/** The gateway's address to send the error from (network order), 0 if none. */
static uint32_t sl_icmp4_source(const struct sl_bank_header *b, const struct sl_meta *md,
				const struct rte_ipv4_hdr *ip)
{
	const struct sl_route_table *rt;
	const struct sl_nexthop *nh;
	uint32_t src;

	if (sl_bank_nh(b, md->nh)->type == SL_NH_LOCAL)
		return ip->dst_addr;
	rt = sl_bank_rt(b, md->vpc_index);
	if (rt == NULL)
		return 0;
	nh = sl_bank_nh_plain(b, sl_rt4_lookup(b, rt, rte_be_to_cpu_32(ip->src_addr)));
	if ((nh->type != SL_NH_CONNECTED && nh->type != SL_NH_GATEWAY) || nh->family != SL_AF_INET)
		return 0;
	memcpy(&src, nh->src, 4);
	return src;
}

static void sl_icmp4_error_one(struct sl_worker *w, struct rte_mbuf *m)
{
	struct sl_meta *md = sl_meta(m);
	const struct rte_ipv4_hdr *ip = sl_ip4(m);
	struct rte_ipv4_hdr *eip;
	struct rte_mbuf *e;
	uint32_t src, qlen, hdrs = SL_IP4_HDR_MIN + SL_ICMP_HDR_LEN;
	uint16_t ck;
	uint8_t *icmp;

	if (sl_icmp4_forbidden(m, md, ip)) {
		sl_drop(w, m, SL_DROP_ICMP_ERROR_LOOP);
		return;
	}
	src = sl_icmp4_source(w->bank, md, ip);
	if (src == 0) {
		sl_drop(w, m, SL_DROP_ICMP_NO_SOURCE);
		return;
	}
	if (!sl_icmp_allow(w)) {
		sl_drop(w, m, SL_DROP_ICMP_RATELIMIT);
		return;
	}
	e = rte_pktmbuf_alloc(sl_pktmbuf_pool);
	if (unlikely(e == NULL)) {
		sl_drop(w, m, SL_DROP_NO_MBUF);
		return;
	}

	qlen = RTE_MIN(rte_pktmbuf_pkt_len(m) - md->l3_off, SL_ICMP4_ERR_MAX - hdrs);
	qlen = RTE_MIN(qlen, (uint32_t)rte_pktmbuf_tailroom(e) - hdrs);
	eip = (struct rte_ipv4_hdr *)rte_pktmbuf_append(e, (uint16_t)(hdrs + qlen));
	icmp = (uint8_t *)(eip + 1);

	icmp[0] = md->icmp_type;
	icmp[1] = md->icmp_code;
	memset(icmp + 2, 0, 6);
	if (md->icmp_type == SL_ICMP_DEST_UNREACH && md->icmp_code == SL_ICMP_UNREACH_NEEDFRAG) {
		uint16_t mtu = rte_cpu_to_be_16((uint16_t)RTE_MIN(md->icmp_info, 0xffffu));

		memcpy(icmp + 6, &mtu, 2);
	} else if (md->icmp_type == SL_ICMP_PARAM_PROBLEM) {
		icmp[4] = (uint8_t)md->icmp_info;
	}
	sl_pkt_copy(m, md->l3_off, qlen, icmp + SL_ICMP_HDR_LEN);
	ck = (uint16_t)~rte_raw_cksum(icmp, SL_ICMP_HDR_LEN + qlen);
	memcpy(icmp + 2, &ck, 2);

	eip->version_ihl = 0x45;
	eip->type_of_service = 0xc0;
	eip->total_length = rte_cpu_to_be_16((uint16_t)(hdrs + qlen));
	eip->packet_id = (uint16_t)rte_rand();
	eip->fragment_offset = 0;
	eip->time_to_live = 64;
	eip->next_proto_id = SL_IPPROTO_ICMP;
	eip->src_addr = src;
	eip->dst_addr = ip->src_addr;
	eip->hdr_checksum = sl_ip4_cksum(eip);

	sl_meta_originate(sl_meta(e), md, SL_AF_INET,
			  SL_META_F_LOCAL_ORIGIN | SL_META_F_ICMP_ERROR);
	sl_meta(e)->l4_off = SL_IP4_HDR_MIN;
	sl_meta(e)->l4_proto = SL_IPPROTO_ICMP;
	e->port = m->port;
	rte_pktmbuf_free(m);
	sl_count(w, SL_CNT_ICMP_ERRORS, 1);
	sl_next(w, e, SL_STAGE_ROUTE4);
}

void sl_stage_icmp4_error(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		sl_icmp4_error_one(w, pkts[i]);
}
