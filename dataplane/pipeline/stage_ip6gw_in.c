/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage ip6gw_in: IPv6 from the Internet side into a VPC through its IPv6
 * gateway (issue 6, docs/ipv6gw.md): gating by Internet bandwidth, the
 * egress-only check, ingress route rules.
 *
 * Design note
 * -----------
 * Ways in: ip6_input (received on an outside port) and route6 (anything
 * else to be routed on the Internet side: ip6gw_out's packets, so that
 * one VPC reaches another through the Internet, and the gateway's own ICMP
 * errors), only while the bank has an IPv6 gateway section.
 *
 *   destination outside every IPv6 block of a VPC with a gateway
 *       -> ROUTE6 on the Internet side, as without gateways (flagged
 *          IP6GW_SEEN so route6 does not send it back here);
 *   no address entry with bandwidth in that VPC -> IP6GW_DST_NO_BANDWIDTH;
 *   egress-only address: a TCP/UDP segment or ICMPv6 echo reply of a flow
 *       the address started (alive in the state table, refreshed), or an
 *       ICMPv6 error quoting such a flow (not refreshed), else
 *       IP6GW_EGRESS_ONLY; the gateway's own packets (LOCAL_ORIGIN: its
 *       ICMPv6 errors about the address's packets, its echo replies) are
 *       answers to the address, never unsolicited, and pass;
 *   next hop: the gateway's ingress route rule covering the destination
 *       (longest prefix; the target instance's IPv6 address, SL_NH_GATEWAY
 *       in the VPC), else the destination's route in the VPC's table (its
 *       VSwitch, CONNECTED); a rule to a HaVip (SL_IP6GW_RULE_HAVIP) goes
 *       to the associated instance that holds it now: the HaVip's IPv4
 *       neighbour entry names the holder (its IPv4 address, set by the
 *       main lcore when it accepts a claim, dataplane/core/havip.c), whose
 *       next hop via its IPv6 address the section lists; no usable entry
 *       or a holder the section does not list -> IP6GW_HAVIP_NO_HOLDER
 *       (the main lcore asks who holds such HaVips, docs/ipv6gw.md).
 * Then FORWARD6 with md->vpc_index the VPC's and md->nh set, through
 * POLICE6 first when the address has an inbound policer (police6; not for
 * the gateway's own LOCAL_ORIGIN packets).
 *
 * Hop limit and MTU are checked here, before the packet changes sides (as
 * eip4 does): an ICMPv6 time exceeded or packet too big is then sourced
 * from the gateway's Internet-side address and routed back to the sender;
 * after the switch the error would be looked up in the VPC table, whose
 * route to the sender (::/0 to the gateway) carries no source address.
 *
 * The flow an ICMPv6 error is about: the quoted packet's extension headers
 * are walked (sl_ip6_walk, up to the end of the quote) to its TCP/UDP or
 * ICMPv6 header; a quote cut inside its header chain, or a non-first
 * fragment, names no flow.
 */
#include "sl_dp.h"
#include "sl_ip6gw.h"
#include "sl_neigh.h"
#include "sl_pipeline.h"
#include "sl_proto.h"

/* Does the egress-only state let inbound `m` (to `vpc`) in? */
static bool sl_ip6gw_eo_allows(struct sl_worker *w, struct rte_mbuf *m, uint32_t vpc)
{
	struct sl_ip6eo_table *t = w->dp ? w->dp->ip6eo : NULL;
	const struct sl_meta *md = sl_meta(m);
	struct sl_ip6eo_key k;
	struct sl_ip6_chain qc;
	const uint8_t *type;
	uint8_t flags, tb;
	uint32_t q = md->l4_off + SL_ICMP_HDR_LEN; /* quoted IPv6 header */

	if (t == NULL)
		return false;
	if (sl_ip6eo_key_of(m, md->l3_off, md->l4_proto, md->l4_off, true, vpc, &k, &flags))
		return sl_ip6eo_in(t, &k, flags, w->now_tsc);
	if (md->l4_proto != SL_IPPROTO_ICMPV6)
		return false;
	type = rte_pktmbuf_read(m, md->l4_off, 1, &tb);
	if (type == NULL || *type >= 128 || q + SL_IP6_HDR_LEN > rte_pktmbuf_data_len(m) ||
	    sl_ip6_walk(m, (uint16_t)q, rte_pktmbuf_pkt_len(m), &qc) != 0)
		return false;
	/* an error about a packet the address sent: that packet's flow */
	if (!sl_ip6eo_key_of(m, q, qc.proto, qc.l4_off, false, vpc, &k, &flags) ||
	    memcmp(k.in_addr, sl_ip6(m)->dst_addr, 16) != 0)
		return false;
	return sl_ip6eo_alive(t, &k, w->now_tsc);
}

/* The next hop of HaVip target `value` of a rule: its holder's, or
 * SL_NH_NONE if the holder is unknown. */
static uint32_t sl_ip6gw_havip_nh(struct sl_worker *w, const struct sl_ip6gw_sec *s, uint32_t value)
{
	const struct sl_ip6gw_havip_ent *h;
	struct sl_neigh_key key;
	uint32_t holder;

	value &= ~SL_IP6GW_RULE_HAVIP;
	if (w->dp == NULL || w->dp->neigh == NULL || value >= s->n_havips)
		return SL_NH_NONE;
	h = SL_IP6GW_PTR(s, s->havip_off, struct sl_ip6gw_havip_ent) + value;
	if (!sl_havip_ip6gw_key(w->bank, h, &key))
		return SL_NH_NONE;
	holder = sl_neigh_holder(w->dp->neigh, &key);
	for (uint32_t i = 0; holder && i < h->n_inst; i++)
		if (h->inst[i].addr == holder)
			return h->inst[i].nh;
	return SL_NH_NONE;
}

/* A packet's lookups, done for the whole vector before any is dispatched
 * (sl_stage_ip6gw_in): they only read the bank. */
struct sl_ip6gw_in_look {
	const struct sl_ip6gw_gw_ent *g; /**< gateway of the destination's VPC, NULL if none */
	/** the destination's address slot there (its inbound slot, whose
	 * vpc_index is not the VPC's: l->g's is), or NULL */
	const struct sl_ip6gw_addr_slot *a;
	uint32_t rule;	/**< the gateway's rule value (0: no rule), with bandwidth */
	uint32_t route; /**< the VPC table's next hop, with bandwidth and no rule */
};

static void sl_ip6gw_in_one(struct sl_worker *w, struct rte_mbuf *m, const struct sl_ip6gw_sec *s,
			    const struct sl_ip6gw_in_look *l)
{
	const struct sl_bank_header *b = w->bank;
	struct sl_meta *md = sl_meta(m);
	const struct rte_ipv6_hdr *ip = sl_ip6(m);
	const struct sl_ip6gw_addr_slot *a = l->a;
	const struct sl_nexthop *nh;
	uint32_t nhi, mtu;
	bool ruled;

	if (l->g == NULL) {
		sl_next(w, m, SL_STAGE_ROUTE6); /* not behind an IPv6 gateway */
		return;
	}
	if (a == NULL || !(a->flags & SL_IP6GW_A_BANDWIDTH)) {
		sl_drop(w, m, SL_DROP_IP6GW_DST_NO_BANDWIDTH);
		return;
	}
	if ((a->flags & SL_IP6GW_A_EGRESS_ONLY) && !(md->flags & SL_META_F_LOCAL_ORIGIN) &&
	    !sl_ip6gw_eo_allows(w, m, l->g->vpc_index)) {
		sl_drop(w, m, SL_DROP_IP6GW_EGRESS_ONLY);
		return;
	}
	nhi = l->rule;
	ruled = nhi != SL_NH_NONE;
	if (unlikely(nhi & SL_IP6GW_RULE_HAVIP)) {
		nhi = sl_ip6gw_havip_nh(w, s, nhi);
		if (nhi == SL_NH_NONE) {
			sl_drop(w, m, SL_DROP_IP6GW_HAVIP_NO_HOLDER);
			return;
		}
		sl_count(w, SL_CNT_IP6GW_RULE_HAVIP, 1);
	}
	if (!ruled)
		nhi = l->route;
	nh = sl_bank_nh(b, nhi);
	if (unlikely((nh->type != SL_NH_CONNECTED && nh->type != SL_NH_GATEWAY) ||
		     nh->vpc_index != l->g->vpc_index)) {
		sl_drop(w, m, SL_DROP_NO_ROUTE); /* cannot happen with a consistent bank */
		return;
	}
	if (!(md->flags & SL_META_F_LOCAL_ORIGIN) && unlikely(ip->hop_limits <= 1)) {
		sl_icmp_error(w, m, SL_ICMP6_TIME_EXCEEDED, 0, 0, SL_DROP_TTL_EXCEEDED);
		return;
	}
	mtu = sl_nh_mtu(nh);
	if (unlikely(SL_IP6_HDR_LEN + (uint32_t)rte_be_to_cpu_16(ip->payload_len) > mtu)) {
		sl_icmp_error(w, m, SL_ICMP6_PACKET_TOO_BIG, 0, mtu, SL_DROP_TOO_BIG);
		return;
	}
	if (ruled)
		sl_count(w, SL_CNT_IP6GW_RULE, 1);
	sl_count(w, SL_CNT_IP6GW_IN, 1);
	md->vpc_index = l->g->vpc_index;
	md->nh = nhi;
	/* police6: the destination's inbound policer, if it has one (not for
	 * the gateway's own packets: they are not the Internet's) */
	if (md->flags & SL_META_F_LOCAL_ORIGIN)
		sl_next(w, m, SL_STAGE_FORWARD6);
	else
		sl_next(w, m, sl_police6_next(w, md, a->idx - 1, SL_STAGE_FORWARD6));
}

/* sl_rt6_lookup_burst() once in this file (inlined here, called by the
 * three lookups below: one call per vector). Not inlined itself, with
 * arrays that are not const: otherwise GCC's -Wmaybe-uninitialized cannot
 * see that the callers filled rts[0, k) and dst[0, k). */
static __attribute__((noinline)) void sl_ip6gw_in_burst(const struct sl_bank_header *b,
							const struct sl_route_table **rts,
							const uint8_t **dst, uint32_t *nh,
							uint16_t k)
{
	sl_rt6_lookup_burst(b, rts, dst, nh, k);
}

/* (2) of sl_stage_ip6gw_in: the gateways of the k destinations idx[] lists
 * (no inbound slot), vpc_rt searched for all at once; the address entry in
 * the VPC of each gateway found. A destination below the first interval
 * after e[0] or in the last interval (outside the span of the gateways'
 * blocks: most Internet destinations) has its value without a search: the
 * search would end on e[0] or e[n - 1] (the last start <= the address). */
static void sl_ip6gw_in_vpc(const struct sl_bank_header *b, const struct sl_ip6gw_sec *s,
			    struct rte_mbuf **pkts, struct sl_ip6gw_in_look *l, const uint16_t *idx,
			    uint16_t k, const uint64_t *hi, const uint64_t *lo)
{
	const struct sl_rt6_entry *e = SL_IP6GW_PTR(s, s->vpc_rt_off, struct sl_rt6_entry);
	const uint32_t ne = s->n_vpc_rt;
	struct sl_route_table vpc_rt;
	const struct sl_route_table *rts[SL_VEC_MAX];
	const uint8_t *dst[SL_VEC_MAX];
	uint32_t g[SL_VEC_MAX], gs[SL_VEC_MAX];
	uint16_t at[SL_VEC_MAX], ns = 0;

	sl_ip6gw_rt_view(b, s->vpc_rt_off, 0, ne, &vpc_rt);
	for (uint16_t j = 0; j < k; j++) {
		uint16_t i = idx[j];

		if (ne >= 2 && !sl_u128_le(e[1].start_hi, e[1].start_lo, hi[i], lo[i])) {
			g[j] = e[0].nh;
		} else if (ne >= 2 &&
			   sl_u128_le(e[ne - 1].start_hi, e[ne - 1].start_lo, hi[i], lo[i])) {
			g[j] = e[ne - 1].nh;
		} else {
			rts[ns] = &vpc_rt;
			dst[ns] = sl_ip6(pkts[i])->dst_addr;
			at[ns++] = j;
		}
	}
	sl_ip6gw_in_burst(b, rts, dst, gs, ns); /* gateway index + 1, 0: none */
	for (uint16_t r = 0; r < ns; r++)
		g[at[r]] = gs[r];
	for (uint16_t j = 0; j < k; j++) {
		uint16_t i = idx[j];

		if (g[j] == 0) /* not behind a gateway */
			continue;
		l[i].g = SL_IP6GW_PTR(s, s->gw_off, struct sl_ip6gw_gw_ent) + g[j] - 1;
		/* no inbound slot: no entry in that VPC (sluiced makes one for
		 * every such entry); looked up anyway, as the search did */
		l[i].a = sl_ip6gw_addr_find_vpc(s, hi[i], lo[i], l[i].g->vpc_index);
	}
}

/* (3) of sl_stage_ip6gw_in: the rule values of the k packets idx[] lists
 * (gateway and address with bandwidth found), every gateway's rule
 * intervals searched at once. */
static void sl_ip6gw_in_rules(const struct sl_bank_header *b, const struct sl_ip6gw_sec *s,
			      struct rte_mbuf **pkts, struct sl_ip6gw_in_look *l,
			      const uint16_t *idx, uint16_t k)
{
	struct sl_route_table view[SL_VEC_MAX];
	const struct sl_route_table *rts[SL_VEC_MAX];
	const uint8_t *dst[SL_VEC_MAX];
	uint32_t v[SL_VEC_MAX];

	for (uint16_t j = 0; j < k; j++) {
		const struct sl_ip6gw_gw_ent *g = l[idx[j]].g;

		sl_ip6gw_rt_view(b, s->rule_rt_off, g->rule_rt_first, g->rule_rt_n, &view[j]);
		rts[j] = &view[j];
		dst[j] = sl_ip6(pkts[idx[j]])->dst_addr;
	}
	sl_ip6gw_in_burst(b, rts, dst, v, k);
	for (uint16_t j = 0; j < k; j++)
		l[idx[j]].rule = v[j];
}

/* (4) of sl_stage_ip6gw_in: the VPC-table next hops of the k packets
 * idx[] lists that have no rule, all at once; then every next hop
 * prefetched (a HaVip target's is the holder's, found later). */
static void sl_ip6gw_in_routes(const struct sl_bank_header *b, struct rte_mbuf **pkts,
			       struct sl_ip6gw_in_look *l, const uint16_t *idx, uint16_t k)
{
	const struct sl_route_table *rts[SL_VEC_MAX];
	const uint8_t *dst[SL_VEC_MAX];
	uint32_t nh[SL_VEC_MAX];
	uint16_t ridx[SL_VEC_MAX], nr = 0;

	for (uint16_t j = 0; j < k; j++) {
		uint16_t i = idx[j];
		const struct sl_route_table *rt;

		if (l[i].rule != SL_NH_NONE)
			continue;
		rt = sl_bank_rt(b, l[i].g->vpc_index);
		if (rt == NULL)
			continue; /* route stays SL_NH_NONE */
		rts[nr] = rt;
		dst[nr] = sl_ip6(pkts[i])->dst_addr;
		ridx[nr++] = i;
	}
	sl_ip6gw_in_burst(b, rts, dst, nh, nr);
	for (uint16_t r = 0; r < nr; r++)
		l[ridx[r]].route = nh[r];
	for (uint16_t j = 0; j < k; j++) {
		uint32_t v = l[idx[j]].rule ? l[idx[j]].rule : l[idx[j]].route;

		if (!(v & SL_IP6GW_RULE_HAVIP))
			rte_prefetch0(sl_bank_nh(b, v));
	}
}

/*
 * Passes over the vector (issue 9; sl_ip6gw.h "lookups of a whole vector"):
 * (1) every destination's inbound slot in the address hash (prefetched,
 * then probed): a hit names the address entry and its gateway at once;
 * (2) the misses (destinations not behind a gateway, or without an entry
 * there) search vpc_rt in lockstep, unless outside the span of its
 * gateway intervals; (3) the rule searches of
 * the packets with bandwidth, in lockstep; (4) the VPC-table lookups of
 * those without a rule (sl_rt6_lookup_burst) and the next hops
 * prefetched; (5) the checks and the dispatch, one packet at a time in
 * vector order, exactly as before (the egress-only state, HaVip holders
 * and counters are touched only there, in the same order).
 */
void sl_stage_ip6gw_in(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	const struct sl_bank_header *b = w->bank;
	const struct sl_ip6gw_sec *s = sl_bank_ip6gw(b);
	const struct sl_pol_sec *ps = sl_bank_police(b);
	struct sl_ip6gw_in_look l[SL_VEC_MAX];
	uint64_t hi[SL_VEC_MAX], lo[SL_VEC_MAX];
	uint16_t idx[SL_VEC_MAX], k = 0;

	if (s == NULL) { /* not behind an IPv6 gateway: route6 on the Internet side */
		for (uint16_t i = 0; i < n; i++) {
			sl_meta(pkts[i])->flags |= SL_META_F_IP6GW_SEEN;
			sl_next(w, pkts[i], SL_STAGE_ROUTE6);
		}
		return;
	}
	for (uint16_t i = 0; i < n; i++) { /* (1) */
		sl_meta(pkts[i])->flags |= SL_META_F_IP6GW_SEEN;
		l[i] = (struct sl_ip6gw_in_look){0};
		sl_ip6_hilo(sl_ip6(pkts[i])->dst_addr, &hi[i], &lo[i]);
		l[i].a = sl_ip6gw_addr_slot0(s, hi[i], lo[i], SL_IP6GW_VPC_INBOUND);
		rte_prefetch0(l[i].a);
	}
	for (uint16_t i = 0; i < n; i++) {
		l[i].a = sl_ip6gw_addr_probe(s, l[i].a, hi[i], lo[i], SL_IP6GW_VPC_INBOUND);
		if (l[i].a == NULL) {
			idx[k++] = i;
			continue;
		}
		l[i].g = SL_IP6GW_PTR(s, s->gw_off, struct sl_ip6gw_gw_ent) + l[i].a->gw;
		rte_prefetch0(&l[i].g->vpc_index);
		sl_ip6gw_prefetch_pol(ps, l[i].a->idx - 1);
	}
	sl_ip6gw_in_vpc(b, s, pkts, l, idx, k, hi, lo); /* (2) */
	k = 0;
	for (uint16_t i = 0; i < n; i++)
		if (l[i].g && l[i].a && (l[i].a->flags & SL_IP6GW_A_BANDWIDTH))
			idx[k++] = i;
	sl_ip6gw_in_rules(b, s, pkts, l, idx, k); /* (3) */
	sl_ip6gw_in_routes(b, pkts, l, idx, k);	  /* (4) */
	for (uint16_t i = 0; i < n; i++)	  /* (5) */
		sl_ip6gw_in_one(w, pkts[i], s, &l[i]);
}
