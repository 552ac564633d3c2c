/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage local6: IPv6 packets addressed to one of the gateway's own addresses.
 *
 * Design note
 * -----------
 * As local4: ICMPv6 echo request (128) -> echo reply (129) built in place
 * (RFC 4443 4.2), UDP -> ICMPv6 port unreachable (1/4), everything else
 * LOCAL_PROTO. Neighbour discovery never gets here (ip6_input punts it).
 *
 * The reply swaps the addresses, sets hop limit 64 and carries the request's
 * data unchanged. Extension headers of the request (destination options,
 * say) are not echoed: the fixed header is moved up to sit right before the
 * ICMPv6 message. The checksum is updated incrementally (RFC 1624): the
 * pseudo-header sum does not change when source and destination swap and the
 * upper-layer length is the same, so only the type word matters.
 *
 * No reply to a fragment (first or not) or to malformed ICMPv6 (shorter than
 * 8 bytes, bad checksum over pseudo-header and message): LOCAL_ICMP_INVALID.
 */
#include "sl_pipeline.h"
#include "sl_proto.h"

static void sl_local6_echo(struct sl_worker *w, struct rte_mbuf *m)
{
	struct sl_meta *md = sl_meta(m);
	struct rte_ipv6_hdr *ip = sl_ip6(m);
	uint32_t end = md->l3_off + SL_IP6_HDR_LEN + rte_be_to_cpu_16(ip->payload_len);
	uint32_t ilen = end - md->l4_off;
	struct sl_ip6_chain c;
	uint8_t tmp[16], *icmp;
	uint16_t ck, old, new;
	uint32_t sum;

	if (unlikely(sl_ip6_walk(m, md->l3_off, end, &c) != 0 || c.fragment ||
		     ilen < SL_ICMP_HDR_LEN ||
		     md->l4_off + SL_ICMP_HDR_LEN > rte_pktmbuf_data_len(m))) {
		sl_drop(w, m, SL_DROP_LOCAL_ICMP_INVALID);
		return;
	}
	if (unlikely(rte_raw_cksum_mbuf(m, md->l4_off, ilen, &ck) != 0)) {
		sl_drop(w, m, SL_DROP_LOCAL_ICMP_INVALID);
		return;
	}
	sum = sl_ip6_pseudo_sum(ip->src_addr, ip->dst_addr, ilen, SL_IPPROTO_ICMPV6) + ck;
	if (unlikely(sl_cksum_fold(sum) != 0xffff)) {
		sl_drop(w, m, SL_DROP_LOCAL_ICMP_INVALID);
		return;
	}
	icmp = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l4_off);
	if (icmp[0] != SL_ICMP6_ECHO_REQUEST) {
		sl_drop(w, m, SL_DROP_LOCAL_PROTO);
		return;
	}

	if (md->l4_off != md->l3_off + SL_IP6_HDR_LEN) {
		memmove(icmp - SL_IP6_HDR_LEN, ip, SL_IP6_HDR_LEN);
		md->l3_off = md->l4_off - SL_IP6_HDR_LEN;
		ip = sl_ip6(m);
		ip->proto = SL_IPPROTO_ICMPV6;
		ip->payload_len = rte_cpu_to_be_16(ilen);
	}
	memcpy(tmp, ip->src_addr, 16);
	memcpy(ip->src_addr, ip->dst_addr, 16);
	memcpy(ip->dst_addr, tmp, 16);
	ip->hop_limits = 64;

	memcpy(&old, icmp, 2);
	icmp[0] = SL_ICMP6_ECHO_REPLY;
	icmp[1] = 0;
	memcpy(&new, icmp, 2);
	memcpy(&ck, icmp + 2, 2);
	ck = sl_cksum_adjust(ck, old, new);
	memcpy(icmp + 2, &ck, 2);

	md->l4_proto = SL_IPPROTO_ICMPV6;
	md->nh = SL_NH_NONE;
	md->flags |= SL_META_F_LOCAL_ORIGIN;
	sl_count(w, SL_CNT_LOCAL_ECHO, 1);
	sl_next(w, m, SL_STAGE_ROUTE6);
}

/* An ICMPv6 echo request whose type byte is in the first segment. */
static bool sl_local6_is_echo(const struct rte_mbuf *m)
{
	const struct sl_meta *md = sl_meta((struct rte_mbuf *)(uintptr_t)m);

	return md->l4_proto == SL_IPPROTO_ICMPV6 && md->l4_off + 1u <= rte_pktmbuf_data_len(m) &&
	       *rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4_off) == SL_ICMP6_ECHO_REQUEST;
}

void sl_stage_local6(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		/* exception path: all but echo to the host kernel (local4) */
		if (unlikely(sl_ports[sl_meta(m)->in_port].exc) && !sl_local6_is_echo(m)) {
			sl_meta(m)->punt = SL_PUNT_EXCEPTION;
			sl_next(w, m, SL_STAGE_PUNT);
			continue;
		}

		switch (sl_meta(m)->l4_proto) {
		case SL_IPPROTO_ICMPV6:
			sl_local6_echo(w, m);
			break;
		case SL_IPPROTO_UDP:
			sl_icmp_error(w, m, SL_ICMP6_DEST_UNREACH, SL_ICMP6_UNREACH_PORT, 0,
				      SL_DROP_LOCAL_PROTO);
			break;
		default: /* includes SL_IPPROTO_FRAGMENT: a non-first fragment */
			sl_drop(w, m, SL_DROP_LOCAL_PROTO);
			break;
		}
	}
}
