/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage eip4: EIP 1:1 NAT (stateless), both directions.
 *
 * Design note
 * -----------
 * Two ways in:
 *   - outbound: route4 found the VPC's default route, a NATGW next hop.
 *     An instance (or HaVip) with an EIP has its source rewritten to the
 *     EIP (an instance with an EIP bypasses SNAT); the packet then goes
 *     back to route4 on the Internet side (md->vpc_index = SL_VPC_INTERNET),
 *     through police4 when the EIP has a policer (sl_nat4_policed_next).
 *     Without an EIP the source needs SNAT: handed to snat4 (dropped
 *     SNAT_UNAVAILABLE if sluice-dp has no NAT session table).
 *   - inbound: ip4_input sends every Internet-side packet here while the
 *     bank has a NAT section. To an EIP bound to an instance or HaVip: the
 *     destination is rewritten to the private address and the packet is
 *     routed in that VPC. To another public IP of a NAT gateway (SNAT or
 *     DNAT role, or none yet): handed to nat4_in, the session stage
 *     (NAT_NO_MAPPING without a session table: route4 would send it back
 *     to the Internet). Anything else goes on to route4 unchanged (the
 *     gateway's own addresses, transit).
 * Only ICMP, TCP and UDP are translated (issue 5; others NAT_PROTO). The
 * checksums are updated incrementally (RFC 1624): the IPv4 header's, and
 * the TCP/UDP one (it covers the pseudo-header) when the L4 header is in
 * this packet: not in non-first fragments, which carry only payload; a UDP
 * checksum of 0 (none) stays 0. ICMP checksums do not cover addresses.
 * ICMP errors about translated flows (RFC 5508): the quoted header's
 * address too, when it is the one translated (nat4_icmp.c,
 * sl_nat4_eip_quote); ports are 1:1 and stay.
 * The section searches (a packet's EIP, a destination's public IP) of up
 * to 64 packets run in lockstep first (sl_nat_eip_find_n,
 * sl_nat_ip_find_n: their dependent loads overlap), then each packet goes
 * its way in order.
 *
 * TTL and MTU: a datagram whose TTL expires here (forward4's rule: TTL <=
 * 1, not made by the gateway) or that has DF and is larger than the MTU of
 * its egress next hop on the other side (looked up here in the table it
 * will be routed in) gets its ICMP error before translation, so the error
 * quotes it as it came and goes back to the side it came from (after the
 * translation it would go to the EIP, or, inbound, to a remote host through
 * a VPC table that has no way back for it). Path MTU discovery works both
 * ways. The cost: one more route lookup for DF datagrams (most TCP); eip4
 * could hand route4 the next hop it found (not done yet).
 *
 * Lookups: binary searches in the bank's NAT section (sl_pipeline.h),
 * read-only; nothing is kept across loop iterations.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_tcp.h>
#include <rte_udp.h>

#include "sl_nat4.h"

/* Rewrite the destination (dst) or the source address to `to` (network
 * order) with the checksums. SL_DROP_NONE or the reason. */
static enum sl_drop_reason sl_eip_rewrite(struct rte_mbuf *m, const struct sl_meta *md,
					  struct rte_ipv4_hdr *ip, bool dst, rte_be32_t to)
{
	bool first = (rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) == 0;
	rte_be32_t from = dst ? ip->dst_addr : ip->src_addr;
	uint8_t *l4ck = NULL; /* the TCP/UDP checksum field, maybe unaligned */
	uint32_t need = 0;
	uint16_t ck;

	switch (ip->next_proto_id) {
	case IPPROTO_ICMP:
		break;
	case IPPROTO_TCP:
		need = sizeof(struct rte_tcp_hdr);
		break;
	case IPPROTO_UDP:
		need = sizeof(struct rte_udp_hdr);
		break;
	default:
		return SL_DROP_NAT_PROTO;
	}
	if (need && first) {
		if (unlikely((uint32_t)md->l4_off + need > rte_pktmbuf_data_len(m) ||
			     (uint32_t)md->l4_off + need > rte_pktmbuf_pkt_len(m)))
			return SL_DROP_NAT_L4_TRUNCATED;
		l4ck =
		    rte_pktmbuf_mtod_offset(m, uint8_t *, md->l4_off) +
		    (ip->next_proto_id == IPPROTO_TCP ? offsetof(struct rte_tcp_hdr, cksum)
						      : offsetof(struct rte_udp_hdr, dgram_cksum));
	}
	ip->hdr_checksum = sl_cksum_adjust32(ip->hdr_checksum, from, to);
	if (l4ck) {
		memcpy(&ck, l4ck, sizeof(ck));
		if (ck != 0 || ip->next_proto_id == IPPROTO_TCP) {
			ck = sl_cksum_adjust32(ck, from, to);
			if (ck == 0 && ip->next_proto_id == IPPROTO_UDP)
				ck = 0xffff; /* 0 means "no checksum" in UDP */
			memcpy(l4ck, &ck, sizeof(ck));
		}
	}
	if (dst)
		ip->dst_addr = to;
	else
		ip->src_addr = to;
	return SL_DROP_NONE;
}

/* Translate the destination (dst) or the source to `to` (host order), then
 * route in `vpc` (a VPC index or SL_VPC_INTERNET), counted `cnt`; through
 * police4 if public IP index `pub` has a policer. */
static void sl_eip_translate(struct sl_worker *w, struct rte_mbuf *m, bool dst, uint32_t to,
			     uint32_t vpc, enum sl_counter cnt, uint32_t pub)
{
	struct sl_meta *md = sl_meta(m);
	struct rte_ipv4_hdr *ip = sl_ip4(m);
	enum sl_drop_reason r;
	uint32_t from;

	if (sl_nat4_ttl_expired(w, m, ip) ||
	    sl_nat4_too_big(w, m, ip, vpc, dst ? to : rte_be_to_cpu_32(ip->dst_addr)))
		return;
	from = rte_be_to_cpu_32(dst ? ip->dst_addr : ip->src_addr);
	r = sl_eip_rewrite(m, md, ip, dst, rte_cpu_to_be_32(to));
	if (unlikely(r != SL_DROP_NONE)) {
		sl_drop(w, m, r);
		return;
	}
	if (unlikely(ip->next_proto_id == IPPROTO_ICMP)) /* an error's quote (RFC 5508) */
		sl_nat4_eip_quote(w, m, dst, from, to);
	sl_count(w, cnt, 1);
	md->vpc_index = vpc;
	sl_next(w, m, sl_nat4_policed_next(w, md, sl_bank_nat(w->bank), ip, dst, pub));
}

/* To a session stage: the TTL rule first, as for an EIP (the error quotes
 * the packet untranslated); snat4 checks the MTU itself once it knows the
 * session is there, nat4_in once it knows the inside address. */
static void sl_eip4_hand_over(struct sl_worker *w, struct rte_mbuf *m, enum sl_stage next)
{
	if (!sl_nat4_ttl_expired(w, m, sl_ip4(m)))
		sl_next(w, m, next);
}

/* `e`: the EIP of the packet's (VPC, source), searched by the caller. */
static void sl_eip4_out(struct sl_worker *w, struct rte_mbuf *m, const struct sl_nat_sec *sec,
			const struct sl_nat_eip_ent *e)
{
	if (e != NULL)
		sl_eip_translate(w, m, false, e->pub, SL_VPC_INTERNET, SL_CNT_EIP_OUT, e->ip);
	else if (sec == NULL || w->dp->nat == NULL)
		sl_drop(w, m, SL_DROP_SNAT_UNAVAILABLE);
	else
		sl_eip4_hand_over(w, m, SL_STAGE_SNAT4); /* no EIP: SNAT */
}

/* `p`: the public IP entry of the packet's destination, searched by the
 * caller. */
static void sl_eip4_in(struct sl_worker *w, struct rte_mbuf *m, const struct sl_nat_sec *sec,
		       const struct sl_nat_ip_ent *p)
{
	if (p == NULL)
		sl_next(w, m, SL_STAGE_ROUTE4); /* not a public IP of ours */
	else if (p->role == SL_NAT_ROLE_EIP && p->vpc_index != SL_NAT_IDX_NONE)
		sl_eip_translate(w, m, true, p->priv, p->vpc_index, SL_CNT_EIP_IN,
				 (uint32_t)(p - SL_NAT_SEC_PTR(sec, sec->ip_off, struct sl_nat_ip_ent)));
	else if (w->dp->nat == NULL || p->role == SL_NAT_ROLE_EIP)
		sl_drop(w, m, SL_DROP_NAT_NO_MAPPING);
	else
		sl_eip4_hand_over(w, m, SL_STAGE_NAT4_IN); /* a gateway's: sessions */
}

/* Up to RTE_HASH_LOOKUP_BULK_MAX packets: the section searches of every
 * packet first, in lockstep (inbound: the destination's public IP;
 * outbound: the source's EIP), then each packet in order. */
static void sl_eip4_chunk(struct sl_worker *w, struct rte_mbuf **pkts, unsigned int n,
			  const struct sl_nat_sec *sec)
{
	uint32_t a_in[RTE_HASH_LOOKUP_BULK_MAX], vpc_out[RTE_HASH_LOOKUP_BULK_MAX];
	uint32_t src_out[RTE_HASH_LOOKUP_BULK_MAX];
	const struct sl_nat_ip_ent *p_in[RTE_HASH_LOOKUP_BULK_MAX];
	const struct sl_nat_eip_ent *e_out[RTE_HASH_LOOKUP_BULK_MAX];
	unsigned int n_in = 0, n_out = 0;

	if (sec != NULL) {
		for (unsigned int i = 0; i < n; i++) {
			const struct rte_ipv4_hdr *ip = sl_ip4(pkts[i]);
			uint32_t vpc = sl_meta(pkts[i])->vpc_index;

			if (vpc == SL_VPC_INTERNET) {
				a_in[n_in++] = rte_be_to_cpu_32(ip->dst_addr);
			} else {
				vpc_out[n_out] = vpc;
				src_out[n_out++] = rte_be_to_cpu_32(ip->src_addr);
			}
		}
		sl_nat_ip_find_n(sec, a_in, n_in, p_in);
		sl_nat_eip_find_n(sec, vpc_out, src_out, n_out, e_out);
	}
	n_in = n_out = 0;
	for (unsigned int i = 0; i < n; i++) {
		if (sl_meta(pkts[i])->vpc_index == SL_VPC_INTERNET)
			sl_eip4_in(w, pkts[i], sec, sec ? p_in[n_in++] : NULL);
		else
			sl_eip4_out(w, pkts[i], sec, sec ? e_out[n_out++] : NULL);
	}
}

void sl_stage_eip4(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	const struct sl_nat_sec *sec = sl_bank_nat(w->bank);

	for (uint16_t off = 0; off < n; off += RTE_HASH_LOOKUP_BULK_MAX)
		sl_eip4_chunk(
		    w, pkts + off,
		    RTE_MIN((unsigned int)(n - off), (unsigned int)RTE_HASH_LOOKUP_BULK_MAX), sec);
}
