/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage route6: longest-prefix match of the IPv6 destination in the ingress
 * table, then dispatch on the next-hop type.
 *
 * Design note
 * -----------
 * Same structure as route4 over 128-bit intervals (sl_rt6_lookup, the
 * address as two host-order halves; the Internet table of a big bank is
 * the IPv6 trie behind the same call).
 *   UNREACHABLE -> ICMPv6 destination unreachable, no route (1/0), NO_ROUTE
 *   BLACKHOLE   -> BLACKHOLE
 *   LOCAL       -> LOCAL6
 *   CONNECTED / GATEWAY -> FORWARD6, except that a packet with a link-local
 *   (fe80::/10) source or destination never leaves its link (RFC 4291
 *   2.5.6, RFC 4007 9) -> IP6_SCOPE. No error is sent for it: the error could
 *   only go to a link-local source, which no table routes.
 *   IP6GW       -> IP6GW_OUT (the VPC's ::/0 to its IPv6 gateway, issue 6).
 * IPv6 gateway (issue 6): while the bank has an IPv6 gateway section, a
 * packet to be routed on the Internet side goes to IP6GW_IN first (its
 * destination may be behind a gateway), unless IP6GW_IN already saw it
 * (SL_META_F_IP6GW_SEEN); ip6_input sends received ones there directly.
 */
#include "sl_ip6gw.h"
#include "sl_pipeline.h"
#include "sl_proto.h"

#include "sl_rt_burst.h"

/*
 * Passes over the vector as in route4 (issue 9, sl_rt_burst.h): (1) each
 * packet's table, the unknown-VPC drop and the IPv6 gateway diversion;
 * (2) all lookups at once; (3) next hops prefetched; (4) dispatch in
 * vector order.
 */
void sl_stage_route6(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	const struct sl_bank_header *b = w->bank;
	const bool gw6 = sl_bank_ip6gw(b) != NULL;
	const struct sl_route_table *rts[SL_VEC_MAX];
	const uint8_t *dst[SL_VEC_MAX];
	struct rte_mbuf *mm[SL_VEC_MAX];
	uint32_t nhi[SL_VEC_MAX];
	uint32_t row[SL_VEC_MAX]; /* route table counter rows (issue 11) */
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct sl_meta *md = sl_meta(m);
		const struct sl_route_table *rt = sl_bank_rt(b, md->vpc_index);

		sl_prefetch_l3_ahead(pkts, i, n);
		if (unlikely(rt == NULL)) {
			sl_drop(w, m, SL_DROP_NO_ROUTE);
			continue;
		}
		if (md->vpc_index == SL_VPC_INTERNET && !(md->flags & SL_META_F_IP6GW_SEEN) &&
		    gw6) {
			sl_next(w, m, SL_STAGE_IP6GW_IN);
			continue;
		}
		rte_prefetch0(rt);
		row[k] = sl_rt_count_row(w, sl_meta(m)->vpc_index);
		rts[k] = rt;
		dst[k] = sl_ip6(m)->dst_addr;
		mm[k++] = m;
	}
	sl_rt6_lookup_burst(b, rts, dst, nhi, k);
	for (uint16_t i = 0; i < k; i++)
		rte_prefetch0(sl_bank_nh(b, nhi[i]));

	for (uint16_t i = 0; i < k; i++) {
		struct rte_mbuf *m = mm[i];
		struct sl_meta *md = sl_meta(m);
		const struct rte_ipv6_hdr *ip = sl_ip6(m);
		const struct sl_nexthop *nh;

		sl_rt_count(w, row[i], m);
		md->nh = nhi[i];
		nh = sl_bank_nh(b, md->nh);
		if (nh->type == SL_NH_GROUP) { /* ECMP: the flow's member */
			md->nh = sl_nhg_select(w, m, nh);
			nh = sl_bank_nh(b, md->nh);
		}
		SL_TRACE_NOTE(w, m, "%s %u: nh %u %s", sl_trace_table(md->vpc_index),
			      sl_trace_table_no(md->vpc_index), md->nh, sl_trace_nh_type(nh->type));
		switch (nh->type) {
		case SL_NH_CONNECTED:
		case SL_NH_GATEWAY:
			if (unlikely(sl_ip6_is_linklocal(ip->src_addr) ||
				     sl_ip6_is_linklocal(ip->dst_addr))) {
				sl_drop(w, m, SL_DROP_IP6_SCOPE);
				break;
			}
			sl_next(w, m, SL_STAGE_FORWARD6);
			break;
		case SL_NH_LOCAL:
			sl_next(w, m, SL_STAGE_LOCAL6);
			break;
		case SL_NH_BLACKHOLE:
			sl_drop(w, m, SL_DROP_BLACKHOLE);
			break;
		case SL_NH_IP6GW:
			sl_next(w, m, SL_STAGE_IP6GW_OUT);
			break;
		default:
			md->nh = SL_NH_NONE;
			sl_icmp_error(w, m, SL_ICMP6_DEST_UNREACH, SL_ICMP6_UNREACH_NOROUTE, 0,
				      SL_DROP_NO_ROUTE);
			break;
		}
	}
}
