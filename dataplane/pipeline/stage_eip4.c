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
 *     through police4 when the EIP has a policer (sl_police4_next).
 *     Without an EIP the source needs SNAT, whose session stage is the next
 *     slice: dropped SNAT_UNAVAILABLE for now.
 *   - inbound: ip4_input sends every Internet-side packet here while the
 *     bank has a NAT section. To an EIP bound to an instance or HaVip: the
 *     destination is rewritten to the private address and the packet is
 *     routed in that VPC. To another public IP of a NAT gateway (SNAT or
 *     DNAT role): NAT_NO_MAPPING until the session stage exists (without
 *     it, route4 would send it back to the Internet). Anything else goes on
 *     to route4 unchanged (the gateway's own addresses, transit).
 * Only ICMP, TCP and UDP are translated (issue 5; others NAT_PROTO). The
 * checksums are updated incrementally (RFC 1624): the IPv4 header's, and
 * the TCP/UDP one (it covers the pseudo-header) when the L4 header is in
 * this packet: not in non-first fragments, which carry only payload; a UDP
 * checksum of 0 (none) stays 0. ICMP checksums do not cover addresses.
 * ICMP errors about translated flows (RFC 5508: the quoted header) are not
 * translated yet: the outer header only.
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

#include "sl_pipeline.h"
#include "sl_proto.h"

/* forward4's TTL rule, applied before translating: true if the packet was
 * handed to the ICMP error stage. */
static bool sl_eip_ttl_expired(struct sl_worker *w, struct rte_mbuf *m,
			       const struct rte_ipv4_hdr *ip)
{
	if (likely(ip->time_to_live > 1 || (sl_meta(m)->flags & SL_META_F_LOCAL_ORIGIN)))
		return false;
	sl_icmp_error(w, m, SL_ICMP_TIME_EXCEEDED, 0, 0, SL_DROP_TTL_EXCEEDED);
	return true;
}

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

/* forward4's MTU rule for a DF datagram, applied before translating with
 * the egress next hop of the side it goes to (the route of `addr` in
 * `vpc`'s table): true if the packet was handed to the ICMP error stage
 * (fragmentation needed, carrying that MTU). */
static bool sl_eip_too_big(struct sl_worker *w, struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
			   uint32_t vpc, uint32_t addr)
{
	const struct sl_route_table *rt = sl_bank_rt(w->bank, vpc);
	uint32_t mtu;

	if (likely(!(ip->fragment_offset & rte_cpu_to_be_16(SL_IP4_DF))) || rt == NULL)
		return false;
	mtu = sl_nh_mtu(sl_bank_nh(w->bank, sl_rt4_lookup(w->bank, rt, addr)));
	if (likely(rte_be_to_cpu_16(ip->total_length) <= mtu))
		return false;
	sl_icmp_error(w, m, SL_ICMP_DEST_UNREACH, SL_ICMP_UNREACH_NEEDFRAG, mtu, SL_DROP_TOO_BIG);
	return true;
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

	if (sl_eip_ttl_expired(w, m, ip) ||
	    sl_eip_too_big(w, m, ip, vpc, dst ? to : rte_be_to_cpu_32(ip->dst_addr)))
		return;
	r = sl_eip_rewrite(m, md, ip, dst, rte_cpu_to_be_32(to));
	if (unlikely(r != SL_DROP_NONE)) {
		sl_drop(w, m, r);
		return;
	}
	sl_count(w, cnt, 1);
	md->vpc_index = vpc;
	sl_next(w, m, sl_police4_next(w, md, pub));
}

static void sl_eip4_out(struct sl_worker *w, struct rte_mbuf *m, const struct sl_nat_sec *sec)
{
	uint32_t src = rte_be_to_cpu_32(sl_ip4(m)->src_addr);
	const struct sl_nat_eip_ent *e =
	    sec ? sl_nat_eip_find(sec, sl_meta(m)->vpc_index, src) : NULL;

	if (e == NULL)
		sl_drop(w, m, SL_DROP_SNAT_UNAVAILABLE);
	else
		sl_eip_translate(w, m, false, e->pub, SL_VPC_INTERNET, SL_CNT_EIP_OUT, e->ip);
}

static void sl_eip4_in(struct sl_worker *w, struct rte_mbuf *m, const struct sl_nat_sec *sec)
{
	const struct sl_nat_ip_ent *p =
	    sec ? sl_nat_ip_find(sec, rte_be_to_cpu_32(sl_ip4(m)->dst_addr)) : NULL;

	if (p == NULL)
		sl_next(w, m, SL_STAGE_ROUTE4); /* not a public IP of ours */
	else if (p->role != SL_NAT_ROLE_EIP || p->vpc_index == SL_NAT_IDX_NONE)
		sl_drop(w, m, SL_DROP_NAT_NO_MAPPING);
	else
		sl_eip_translate(w, m, true, p->priv, p->vpc_index, SL_CNT_EIP_IN,
				 (uint32_t)(p - SL_NAT_SEC_PTR(sec, sec->ip_off, struct sl_nat_ip_ent)));
}

void sl_stage_eip4(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	const struct sl_nat_sec *sec = sl_bank_nat(w->bank);

	for (uint16_t i = 0; i < n; i++) {
		if (sl_meta(pkts[i])->vpc_index == SL_VPC_INTERNET)
			sl_eip4_in(w, pkts[i], sec);
		else
			sl_eip4_out(w, pkts[i], sec);
	}
}
