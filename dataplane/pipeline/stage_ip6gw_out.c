/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage ip6gw_out: IPv6 from a VPC to the Internet through its IPv6
 * gateway (issue 6, docs/ipv6gw.md): gating by Internet bandwidth and the
 * egress-only state.
 *
 * Design note
 * -----------
 * Way in: route6 found the VPC's ::/0 to its IPv6 gateway (SL_NH_IP6GW).
 *   - an ICMPv6 error the gateway made (SL_META_F_ICMP_ERROR: about a
 *     packet that came from the Internet and failed in the VPC) passes
 *     ungated: it is the gateway's, not an address's, traffic;
 *   - the source needs an address entry with bandwidth in this VPC, else
 *     IP6GW_SRC_NO_BANDWIDTH (a deleted bandwidth is gone from the next
 *     bank on, i.e. at once);
 *   - an egress-only source creates or refreshes the state of its flow
 *     (TCP, UDP, ICMPv6 echo request; sl_ip6gw.h); other packets of it
 *     (other protocols, non-first fragments, ICMPv6 errors) pass without
 *     state, so nothing comes back for them. No room for the state:
 *     IP6GW_STATE_FULL (the reply could not come back).
 * police6: an address with an outbound policer goes through POLICE6 first
 * (sl_police6_next), which passes it on to IP6GW_IN.
 * Then the packet belongs to the Internet side (md->vpc_index =
 * SL_VPC_INTERNET) and goes to IP6GW_IN, which routes it there or, when
 * the destination is behind an IPv6 gateway too, into that VPC (gated
 * like any packet from the Internet). The hop limit is decremented once,
 * by forward6 on the way out.
 */
#include "sl_dp.h"
#include "sl_ip6gw.h"
#include "sl_pipeline.h"
#include "sl_proto.h"

/* `a`: the source's address slot (sl_ip6gw_addr_find_vpc), NULL if none;
 * unused for the gateway's own ICMPv6 errors. */
static void sl_ip6gw_out_one(struct sl_worker *w, struct rte_mbuf *m,
			     const struct sl_ip6gw_addr_slot *a)
{
	struct sl_ip6eo_table *t = w->dp ? w->dp->ip6eo : NULL;
	struct sl_meta *md = sl_meta(m);
	struct sl_ip6eo_key k;
	uint8_t flags;

	if (md->flags & SL_META_F_ICMP_ERROR) {
		a = NULL;
	} else {
		if (a == NULL || !(a->flags & SL_IP6GW_A_BANDWIDTH)) {
			sl_drop(w, m, SL_DROP_IP6GW_SRC_NO_BANDWIDTH);
			return;
		}
		if ((a->flags & SL_IP6GW_A_EGRESS_ONLY) &&
		    sl_ip6eo_key_of(m, md->l3_off, md->l4_proto, md->l4_off, false, md->vpc_index,
				    &k, &flags) &&
		    (t == NULL || sl_ip6eo_out(t, &k, flags, w->now_tsc) < 0)) {
			sl_drop(w, m, SL_DROP_IP6GW_STATE_FULL);
			return;
		}
		sl_count(w, SL_CNT_IP6GW_OUT, 1);
	}
	md->vpc_index = SL_VPC_INTERNET;
	/* police6: the source's outbound policer first, if it has one */
	if (a)
		sl_next(w, m, sl_police6_next(w, md, a->idx - 1, SL_STAGE_IP6GW_IN));
	else
		sl_next(w, m, SL_STAGE_IP6GW_IN);
}

/* Passes (issue 9): every source's address slot is found first (the hash
 * slots prefetched before any is probed, then the police entries police6
 * will read; and the destinations' inbound slots ip6gw_in will probe),
 * then the packets are gated and dispatched one at a time in
 * vector order, as before. */
void sl_stage_ip6gw_out(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	const struct sl_ip6gw_sec *s = sl_bank_ip6gw(w->bank);
	const struct sl_pol_sec *ps = sl_bank_police(w->bank);
	const struct sl_ip6gw_addr_slot *a[SL_VEC_MAX];
	uint64_t hi[SL_VEC_MAX], lo[SL_VEC_MAX], dhi, dlo;

	for (uint16_t i = 0; i < n; i++) {
		const struct sl_meta *md = sl_meta(pkts[i]);

		a[i] = NULL;
		if (s == NULL || (md->flags & SL_META_F_ICMP_ERROR))
			continue;
		sl_ip6_hilo(sl_ip6(pkts[i])->src_addr, &hi[i], &lo[i]);
		a[i] = sl_ip6gw_addr_slot0(s, hi[i], lo[i], md->vpc_index);
		rte_prefetch0(a[i]);
		/* for ip6gw_in next: the destination's inbound slot (police6
		 * may run in between, time for the line to arrive) */
		sl_ip6_hilo(sl_ip6(pkts[i])->dst_addr, &dhi, &dlo);
		rte_prefetch0(sl_ip6gw_addr_slot0(s, dhi, dlo, SL_IP6GW_VPC_INBOUND));
	}
	for (uint16_t i = 0; i < n; i++) {
		if (a[i] == NULL)
			continue;
		a[i] = sl_ip6gw_addr_probe(s, a[i], hi[i], lo[i], sl_meta(pkts[i])->vpc_index);
		if (a[i])
			sl_ip6gw_prefetch_pol(ps, a[i]->idx - 1);
	}
	for (uint16_t i = 0; i < n; i++)
		sl_ip6gw_out_one(w, pkts[i], a[i]);
}
