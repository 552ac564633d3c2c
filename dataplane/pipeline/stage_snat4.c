/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage snat4: source NAT with sessions, outbound (issue 5, docs/nat.md).
 *
 * Design note
 * -----------
 * eip4 hands over the packets route4 sent to the VPC's NAT gateway (next
 * hop NATGW) whose source has no EIP, after forward4's TTL rule. Per burst
 * (chunks of RTE_HASH_LOOKUP_BULK_MAX):
 *   1. the VPC's gateway (section vpc[]), the packet's tuple (TCP, UDP, ICMP
 *      query; sl_nat4.h) and its inside key (gateway, private src:sport ->
 *      remote dst:dport);
 *   2. one bulk lookup of the inside keys (sl_nat_lookup_bulk), lock-free;
 *   3. a miss is a new flow: the gateway's SNAT entry for the source (the
 *      longest source prefix, section snat_rt[]) and its pool; the chunk's
 *      misses go together to sl_nat_create_out_burst (their lines asked
 *      for at once, one lock hold: session 6), which for each reuses the
 *      private endpoint's mapping if it has one (endpoint-independent
 *      mapping) or pairs the source with one pool IP and allocates a port
 *      there. Its refusals are dropped under the SL_DROP_NAT_* reason of
 *      the same name (sl_nat_drop_reason); no SNAT entry for the source
 *      is SNAT_UNAVAILABLE;
 *   4. a hit also covers the replies of DNAT sessions (the instance behind
 *      a forward entry answering: the session's inside key);
 *   5. forward4's MTU rule on the Internet side (before translating: the
 *      error quotes what the instance sent), then the source becomes the
 *      session's public endpoint with RFC 1624 checksums, sl_nat_touch with
 *      the TCP flags, and route4 in the Internet table; to a public IP of
 *      this bank (hairpinning: an instance reaching another through a
 *      forward entry or an EIP) back to eip4's inbound side instead, which
 *      hands it to nat4_in or translates the EIP.
 * ICMP errors an instance sends about a flow of a session (RFC 5508) are
 * translated one by one in nat4_icmp.c.
 * No session pointer outlives the call (the worker reports its quiescent
 * state at the top of the next loop iteration).
 */
#include "sl_nat4.h"

/* The pool of SNAT entry `e`: the public IP indices the table knows. */
static void sl_snat4_pool(const struct sl_nat_table *t, const struct sl_nat_sec *sec,
			  const struct sl_nat_snat_ent *e, struct sl_nat_pool *pool)
{
	const uint32_t *ips = SL_NAT_SEC_PTR(sec, sec->pool_off, uint32_t) + e->pool_first;

	pool->n = 0;
	pool->origin = sl_nat_snat_origin(e);
	for (uint32_t i = 0; i < e->pool_n && pool->n < SL_NAT_POOL_MAX; i++)
		if (ips[i] < t->conf.max_pubips)
			pool->ip[pool->n++] = (uint16_t)ips[i];
}

/* The misses of up to SL_NAT_CREATE_BURST packets, from their SNAT
 * entries' pools, at once (sl_nat_create_out_burst): s[idx[i]] set or the
 * packet dropped. */
static void sl_snat4_create_burst(struct sl_worker *w, struct sl_nat_table *t,
				  const struct sl_nat_key **kp, const struct sl_nat_pool **pp,
				  const uint8_t *flags, const uint8_t *idx, unsigned int c,
				  struct rte_mbuf **mb, struct sl_nat_session **s)
{
	struct sl_nat_session *out[SL_NAT_CREATE_BURST];
	enum sl_nat_drop rc[SL_NAT_CREATE_BURST];

	sl_nat_create_out_burst(t, sl_nat_wid(w), kp, pp, flags, c, w->now_tsc, out, rc);
	for (unsigned int i = 0; i < c; i++) {
		if (rc[i] == SL_NAT_OK)
			s[idx[i]] = out[i];
		else
			sl_drop(w, mb[idx[i]], sl_nat_drop_reason(rc[i]));
	}
}

/* New flows (s[j] NULL; their dir[] is ORIG, the lookup's 0): each one's
 * SNAT entry, then their sessions together, SL_NAT_CREATE_BURST at a
 * time. */
static void sl_snat4_create_misses(struct sl_worker *w, struct sl_nat_table *t,
				   const struct sl_nat_sec *sec, const struct sl_nat_key *key,
				   const struct sl_nat4_pkt *pk, struct rte_mbuf **mb,
				   struct sl_nat_session **s, unsigned int n)
{
	struct sl_nat_pool pool[SL_NAT_CREATE_BURST];
	const struct sl_nat_pool *pp[SL_NAT_CREATE_BURST];
	const struct sl_nat_key *kp[SL_NAT_CREATE_BURST];
	uint8_t flags[SL_NAT_CREATE_BURST], idx[SL_NAT_CREATE_BURST];
	unsigned int c = 0;

	for (unsigned int j = 0; j < n; j++) {
		const struct sl_nat_snat_ent *e;

		if (s[j] != NULL)
			continue;
		e = sl_nat_snat_find(sec, key[j].gw, key[j].src);
		if (e == NULL) {
			sl_drop(w, mb[j], SL_DROP_SNAT_UNAVAILABLE);
			continue;
		}
		sl_snat4_pool(t, sec, e, &pool[c]);
		pp[c] = &pool[c];
		kp[c] = &key[j];
		flags[c] = pk[j].tcp_flags;
		idx[c++] = (uint8_t)j;
		if (c == SL_NAT_CREATE_BURST) {
			sl_snat4_create_burst(w, t, kp, pp, flags, idx, c, mb, s);
			c = 0;
		}
	}
	if (c != 0)
		sl_snat4_create_burst(w, t, kp, pp, flags, idx, c, mb, s);
}

/* Source-translate `m` with session `s` (direction `dir`), then route it on
 * the Internet side. */
static void sl_snat4_translate(struct sl_worker *w, struct sl_nat_table *t,
			       const struct sl_nat_sec *sec, struct rte_mbuf *m,
			       const struct sl_nat4_pkt *p, struct sl_nat_session *s,
			       unsigned int dir)
{
	struct rte_ipv4_hdr *ip = sl_ip4(m);
	const struct sl_nat_ip_ent *pe;
	uint32_t pubip; /* public IP index the packet leaves with (policer, issue 7) */
	struct sl_nat_frag_key fk;
	bool first;

	if (sl_nat4_too_big(w, m, ip, SL_VPC_INTERNET, rte_be_to_cpu_32(ip->dst_addr)))
		return;
	if (s->pubip != SL_NAT_PUBIP_NONE) {
		pubip = s->pubip;
	} else { /* a DNAT session's reply: its forward entry's IP */
		pe = sl_nat_ip_find(sec, s->k[SL_NAT_DIR_REPLY].dst);
		pubip = pe ? (uint32_t)(pe - SL_NAT_SEC_PTR(sec, sec->ip_off, struct sl_nat_ip_ent))
			   : SL_NAT_IDX_NONE;
	}
	first = sl_nat4_first_frag(&fk, ip, false, s->gw);
	sl_nat4_rewrite(ip, p, false, s->k[SL_NAT_DIR_REPLY].dst, s->k[SL_NAT_DIR_REPLY].dport);
	sl_nat_touch(t, s, dir, p->tcp_flags, w->now_tsc);
	sl_count(w, SL_CNT_NAT_OUT, 1);
	sl_meta(m)->vpc_index = SL_VPC_INTERNET;
	/* hairpinning (to eip4), or policed on its way out */
	sl_next(w, m, sl_nat4_policed_next_to(w, sl_meta(m), p->dst_ip != NULL, false, pubip));
	if (unlikely(first)) /* its later fragments that came before it */
		sl_nat4_first_done(w, t, sec, &fk, false, s->gw, s->k[SL_NAT_DIR_REPLY].dst);
}

void sl_stage_snat4(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	static const struct sl_nat4_side side = {
	    .inbound = false,
	    .unavailable = SL_DROP_SNAT_UNAVAILABLE,
	    .create_misses = sl_snat4_create_misses,
	    .translate = sl_snat4_translate,
	};

	sl_nat4_stage(w, pkts, n, &side);
}
