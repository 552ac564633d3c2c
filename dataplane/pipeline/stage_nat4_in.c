/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage nat4_in: inbound NAT with sessions (issue 5, docs/nat.md).
 *
 * Design note
 * -----------
 * eip4 hands over the Internet-side packets addressed to a NAT gateway's
 * public IP (SNAT or DNAT role), after forward4's TTL rule. Per burst
 * (chunks of RTE_HASH_LOOKUP_BULK_MAX):
 *   1. the packet's tuple (TCP, UDP, ICMP query; sl_nat4.h) as an outside
 *      key (remote src:sport -> public dst:dport);
 *   2. one bulk lookup, lock-free: a hit is the reply of a SNAT session or
 *      a packet of a DNAT session;
 *   3. a miss to a DNAT IP looks up the forward entries (section fwd[]:
 *      the exact (ExternalIp, protocol, ExternalPort) beats the IP's all-Any
 *      entry, which keeps the packet's port) and makes a DNAT session whose
 *      inside key is the internal endpoint (sl_nat_create_dnat, recording
 *      the entry so deleting it ends the session); without an entry,
 *      NAT_NO_MAPPING;
 *   4. a miss to a SNAT IP is an unsolicited packet: sl_nat_create_in
 *      accepts it if the public port has a mapping and the gateway filters
 *      endpoint-independently (SL_NAT_GW_EIF), else NAT_FILTERED (the
 *      default, address-and-port-dependent: RFC 4787 REQ-8) or
 *      NAT_NO_MAPPING;
 *   5. forward4's MTU rule toward the inside address (the gateway's VPC
 *      table), then the destination becomes the session's inside endpoint
 *      with RFC 1624 checksums, sl_nat_touch with the TCP flags, and route4
 *      in the VPC's table.
 * ICMP errors about a session's flow (RFC 5508) are translated one by one
 * in nat4_icmp.c. Refusals of the session table are dropped under the SL_DROP_NAT_* reason
 * of the same name (sl_nat_drop_reason). No session pointer outlives the
 * call.
 */
#include "sl_nat4.h"

/* A packet without session: a forward entry's new flow, or filtering. */
static struct sl_nat_session *sl_nat4_in_create(struct sl_worker *w, struct sl_nat_table *t,
						const struct sl_nat_sec *sec,
						const struct sl_nat_key *k,
						const struct sl_nat4_pkt *p, struct rte_mbuf *m)
{
	const struct sl_nat_ip_ent *pe = p->dst_ip; /* of k->dst */
	const struct sl_nat_fwd_ent *f;
	struct sl_nat_session *s = NULL;
	enum sl_nat_drop r = SL_NAT_DROP_NO_MAPPING;
	unsigned int wid = sl_nat_wid(w);

	if (pe != NULL && pe->role == SL_NAT_ROLE_DNAT) {
		f = sl_nat_fwd_find(sec, k->dst, k->proto, k->dport);
		if (f != NULL && f->gw < t->conf.max_gws)
			r = sl_nat_create_dnat(t, wid, k, (uint16_t)f->gw, f->int_ip,
					       f->proto ? f->int_port : k->dport,
					       sl_nat_fwd_origin(f), p->tcp_flags, w->now_tsc, &s);
	} else if (pe != NULL && pe->role == SL_NAT_ROLE_SNAT) {
		r = sl_nat_create_in(t, wid, k, p->tcp_flags, w->now_tsc, &s);
	}
	if (r != SL_NAT_OK) {
		sl_drop(w, m, sl_nat_drop_reason(r));
		return NULL;
	}
	return s;
}

/* Destination-translate `m` with session `s`, then route it in the
 * gateway's VPC. */
static void sl_nat4_in_translate(struct sl_worker *w, struct sl_nat_table *t,
				 const struct sl_nat_sec *sec, struct rte_mbuf *m,
				 const struct sl_nat4_pkt *p, struct sl_nat_session *s,
				 unsigned int dir)
{
	struct rte_ipv4_hdr *ip = sl_ip4(m);
	const struct sl_nat_key *in = &s->k[SL_NAT_DIR_ORIG];
	const struct sl_nat_ip_ent *pe = p->dst_ip;
	uint32_t vpc, pubip; /* public IP index the packet came to (policer, issue 7) */
	struct sl_nat_frag_key fk;
	bool first;

	if (unlikely(s->gw >= sec->n_gws || pe == NULL)) { /* gateway or IP gone */
		sl_drop(w, m, SL_DROP_NAT_NO_MAPPING);
		return;
	}
	pubip = (uint32_t)(pe - SL_NAT_SEC_PTR(sec, sec->ip_off, struct sl_nat_ip_ent));
	vpc = sl_nat_gw_ent(sec, s->gw)->vpc_index;
	if (sl_nat4_too_big(w, m, ip, vpc, in->src))
		return;
	first = sl_nat4_first_frag(&fk, ip, true, s->gw);
	sl_nat4_rewrite(ip, p, true, in->src, in->sport);
	sl_nat_touch(t, s, dir, p->tcp_flags, w->now_tsc);
	sl_count(w, SL_CNT_NAT_IN, 1);
	sl_meta(m)->vpc_index = vpc;
	sl_next(w, m, sl_nat4_policed_next_to(w, sl_meta(m), false, true, pubip));
	if (unlikely(first)) /* its later fragments that came before it */
		sl_nat4_first_done(w, t, sec, &fk, true, s->gw, in->src);
}

void sl_stage_nat4_in(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	static const struct sl_nat4_side side = {
	    .inbound = true,
	    .unavailable = SL_DROP_NAT_NO_MAPPING,
	    .create = sl_nat4_in_create,
	    .translate = sl_nat4_in_translate,
	};

	sl_nat4_stage(w, pkts, n, &side);
}
