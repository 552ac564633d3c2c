/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage icmp6_error: originate the ICMPv6 error another stage asked for with
 * sl_icmp_error() (md->icmp_type/code/info), about the packet itself.
 *
 * Design note
 * -----------
 * Same structure and counters as icmp4_error (see there), with the IPv6
 * rules of RFC 4443 2.4:
 *   ICMP_ERROR_LOOP  (e) no error about: a packet the gateway made
 *                    (LOCAL_ORIGIN), an ICMPv6 error message (type < 128),
 *                    a packet to a multicast destination, a packet whose
 *                    source is ::, ::1 or multicast; and, like IPv4, no
 *                    error about a non-first fragment (its upper layer is
 *                    unknown; the first fragment gets the error);
 *   ICMP_NO_SOURCE   no gateway address toward the source;
 *   ICMP_RATELIMIT   (f) the per-lcore token bucket shared with ICMPv4
 *                    (SL_ICMP_RATE_PER_S = 1000/s, burst SL_ICMP_BURST = 200);
 *   NO_MBUF.
 *
 * Source: as for IPv4, the `src` of the CONNECTED/GATEWAY next hop that
 * routes the offending packet's source in the ingress table, or the
 * destination itself for a packet addressed to the gateway (port
 * unreachable), as RFC 4443 2.2 asks.
 *
 * The error: IPv6 header (hop limit 64, next header 58), ICMPv6 header with
 * type/code and the 32-bit field (the MTU for packet too big, the pointer
 * for parameter problem, else 0), and as much of the offending packet as
 * keeps the error within the IPv6 minimum MTU of 1280 bytes (2.4c). The
 * checksum covers the pseudo-header (RFC 8200 8.1). It re-enters ROUTE6 in
 * the ingress VPC flagged LOCAL_ORIGIN | ICMP_ERROR.
 */
#include "sl_pipeline.h"
#include "sl_proto.h"

static bool sl_icmp6_forbidden(const struct rte_mbuf *m, const struct sl_meta *md,
			       const struct rte_ipv6_hdr *ip)
{
	uint8_t type;

	if (md->flags & (SL_META_F_LOCAL_ORIGIN | SL_META_F_ICMP_ERROR))
		return true;
	if (md->l4_proto == SL_IPPROTO_FRAGMENT)
		return true;
	if (sl_ip6_is_mcast(ip->dst_addr) || sl_ip6_is_mcast(ip->src_addr) ||
	    sl_ip6_is_unspec(ip->src_addr) || sl_ip6_is_loopback(ip->src_addr))
		return true;
	if (md->l4_proto != SL_IPPROTO_ICMPV6)
		return false;
	if (md->l4_off == 0 || md->l4_off >= rte_pktmbuf_pkt_len(m))
		return true; /* no type to look at: assume the worst */
	sl_pkt_copy(m, md->l4_off, 1, &type);
	return type < 128;
}

/** The gateway's address to send the error from, false if none. */
static bool sl_icmp6_source(const struct sl_bank_header *b, const struct sl_meta *md,
			    const struct rte_ipv6_hdr *ip, uint8_t *src)
{
	const struct sl_route_table *rt;
	const struct sl_nexthop *nh;
	uint64_t hi, lo;

	if (sl_bank_nh(b, md->nh)->type == SL_NH_LOCAL) {
		memcpy(src, ip->dst_addr, 16);
		return true;
	}
	rt = sl_bank_rt(b, md->vpc_index);
	if (rt == NULL)
		return false;
	sl_ip6_hilo(ip->src_addr, &hi, &lo);
	nh = sl_bank_nh_plain(b, sl_rt6_lookup(b, rt, hi, lo));
	if ((nh->type != SL_NH_CONNECTED && nh->type != SL_NH_GATEWAY) ||
	    nh->family != SL_AF_INET6 || sl_ip6_is_unspec(nh->src))
		return false;
	memcpy(src, nh->src, 16);
	return true;
}

static void sl_icmp6_error_one(struct sl_worker *w, struct rte_mbuf *m)
{
	struct sl_meta *md = sl_meta(m);
	const struct rte_ipv6_hdr *ip = sl_ip6(m);
	struct rte_ipv6_hdr *eip;
	struct rte_mbuf *e;
	uint32_t qlen, info, sum, hdrs = SL_IP6_HDR_LEN + SL_ICMP_HDR_LEN;
	uint8_t src[16], *icmp;
	uint16_t ck;

	if (sl_icmp6_forbidden(m, md, ip)) {
		sl_drop(w, m, SL_DROP_ICMP_ERROR_LOOP);
		return;
	}
	if (!sl_icmp6_source(w->bank, md, ip, src)) {
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

	qlen = RTE_MIN(rte_pktmbuf_pkt_len(m) - md->l3_off, SL_ICMP6_ERR_MAX - hdrs);
	qlen = RTE_MIN(qlen, (uint32_t)rte_pktmbuf_tailroom(e) - hdrs);
	eip = (struct rte_ipv6_hdr *)rte_pktmbuf_append(e, (uint16_t)(hdrs + qlen));
	icmp = (uint8_t *)(eip + 1);

	eip->vtc_flow = rte_cpu_to_be_32(UINT32_C(6) << 28);
	eip->payload_len = rte_cpu_to_be_16((uint16_t)(SL_ICMP_HDR_LEN + qlen));
	eip->proto = SL_IPPROTO_ICMPV6;
	eip->hop_limits = 64;
	memcpy(eip->src_addr, src, 16);
	memcpy(eip->dst_addr, ip->src_addr, 16);

	icmp[0] = md->icmp_type;
	icmp[1] = md->icmp_code;
	icmp[2] = 0;
	icmp[3] = 0;
	info = rte_cpu_to_be_32(md->icmp_info);
	memcpy(icmp + 4, &info, 4);
	sl_pkt_copy(m, md->l3_off, qlen, icmp + SL_ICMP_HDR_LEN);
	sum = sl_ip6_pseudo_sum(eip->src_addr, eip->dst_addr, SL_ICMP_HDR_LEN + qlen,
				SL_IPPROTO_ICMPV6);
	sum += rte_raw_cksum(icmp, SL_ICMP_HDR_LEN + qlen);
	ck = (uint16_t)~sl_cksum_fold(sum);
	memcpy(icmp + 2, &ck, 2);

	sl_meta_originate(sl_meta(e), md, SL_AF_INET6,
			  SL_META_F_LOCAL_ORIGIN | SL_META_F_ICMP_ERROR);
	sl_meta(e)->l4_off = SL_IP6_HDR_LEN;
	sl_meta(e)->l4_proto = SL_IPPROTO_ICMPV6;
	e->port = m->port;
	rte_pktmbuf_free(m);
	sl_count(w, SL_CNT_ICMP_ERRORS, 1);
	sl_next(w, e, SL_STAGE_ROUTE6);
}

void sl_stage_icmp6_error(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		sl_icmp6_error_one(w, pkts[i]);
}
