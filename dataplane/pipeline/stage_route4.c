/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage route4: longest-prefix match of the IPv4 destination in the ingress
 * table (the VPC's route table, or the Internet table for the outside), then
 * dispatch on the next-hop type.
 *
 * Design note
 * -----------
 * VPC tables are sorted disjoint intervals in the active bank (see
 * sl_rt4_lookup in sl_pipeline.h): a branch-light binary search, no per-VPC
 * DIR-24-8; the Internet table of a big bank is a DIR-24-8 (SL_RT_F_FIB,
 * the same call). The bank pointer is valid for this loop iteration only; only
 * the next-hop index is kept in md->nh, never a pointer.
 *   UNREACHABLE -> ICMP destination unreachable, net (3/0), counted NO_ROUTE
 *   BLACKHOLE   -> BLACKHOLE (also the reserved 100.64.0.0/10 service range)
 *   LOCAL       -> LOCAL4 (addressed to the gateway)
 *   CONNECTED / GATEWAY -> FORWARD4
 *   NATGW       -> EIP4 (the VPC's default route to its NAT gateway)
 *   GROUP       -> ECMP (issue 8): md->nh becomes the member the flow hash
 *                  picks (sl_nhg_select), then dispatch on the member
 * Packets the gateway originated (echo replies, ICMP errors) enter here too,
 * with md->vpc_index set to the VPC (or Internet side) they go back into.
 */
#include "sl_pipeline.h"
#include "sl_proto.h"

#include <rte_prefetch.h>

void sl_stage_route4(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	const struct sl_bank_header *b = w->bank;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct sl_meta *md = sl_meta(m);
		const struct sl_route_table *rt = sl_bank_rt(b, md->vpc_index);
		const struct sl_nexthop *nh;

		if (i + 1 < n)
			rte_prefetch0(sl_ip4(pkts[i + 1]));
		if (unlikely(rt == NULL)) {
			/* VPC gone in this generation: nothing to route in. */
			sl_drop(w, m, SL_DROP_NO_ROUTE);
			continue;
		}
		md->nh = sl_rt4_lookup(b, rt, rte_be_to_cpu_32(sl_ip4(m)->dst_addr));
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
			sl_next(w, m, SL_STAGE_FORWARD4);
			break;
		case SL_NH_LOCAL:
			sl_next(w, m, SL_STAGE_LOCAL4);
			break;
		case SL_NH_BLACKHOLE:
			sl_drop(w, m, SL_DROP_BLACKHOLE);
			break;
		case SL_NH_NATGW:
			sl_next(w, m, SL_STAGE_EIP4);
			break;
		default:
			md->nh = SL_NH_NONE;
			sl_icmp_error(w, m, SL_ICMP_DEST_UNREACH, SL_ICMP_UNREACH_NET, 0,
				      SL_DROP_NO_ROUTE);
			break;
		}
	}
}
