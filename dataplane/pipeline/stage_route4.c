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

#include "sl_rt_burst.h"

/*
 * Three passes over the vector (issue 9, see sl_rt_burst.h): (1) find each
 * packet's table and destination, dropping packets of a VPC that is gone;
 * (2) look all of them up at once, their cache misses overlapping; (3)
 * prefetch every next hop, then (4) dispatch each packet on its next hop's
 * type, in vector order, exactly as the one-packet-at-a-time loop did.
 */
void sl_stage_route4(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	const struct sl_bank_header *b = w->bank;
	const struct sl_route_table *rts[SL_VEC_MAX];
	struct rte_mbuf *mm[SL_VEC_MAX];
	uint32_t dst[SL_VEC_MAX], nhi[SL_VEC_MAX];
	uint32_t row[SL_VEC_MAX]; /* route table counter rows (issue 11) */
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct sl_route_table *rt = sl_bank_rt(b, sl_meta(m)->vpc_index);

		sl_prefetch_l3_ahead(pkts, i, n);
		if (unlikely(rt == NULL)) {
			/* VPC gone in this generation: nothing to route in. */
			sl_drop(w, m, SL_DROP_NO_ROUTE);
			continue;
		}
		rte_prefetch0(rt);
		row[k] = sl_rt_count_row(w, sl_meta(m)->vpc_index);
		rts[k] = rt;
		dst[k] = rte_be_to_cpu_32(sl_ip4(m)->dst_addr);
		mm[k++] = m;
	}
	sl_rt4_lookup_burst(b, rts, dst, nhi, k);
	for (uint16_t i = 0; i < k; i++)
		rte_prefetch0(sl_bank_nh(b, nhi[i]));

	for (uint16_t i = 0; i < k; i++) {
		struct rte_mbuf *m = mm[i];
		struct sl_meta *md = sl_meta(m);
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
