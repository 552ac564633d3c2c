/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage forward6: hop limit and egress MTU for IPv6 (RFC 8200 3 and 5).
 *
 * Design note
 * -----------
 *   1. hop limit <= 1 (unless LOCAL_ORIGIN) -> ICMPv6 time exceeded 3/0,
 *      counted TTL_EXCEEDED;
 *   2. 40 + payload length > egress MTU -> ICMPv6 packet too big 2/0 with
 *      the MTU (RFC 4443 3.2, RFC 8201), counted TOO_BIG. Routers never
 *      fragment IPv6;
 *   3. decrement the hop limit (IPv6 has no header checksum).
 * Checks come before the decrement so that errors quote the packet as it
 * was received.
 */
#include "sl_pipeline.h"
#include "sl_proto.h"

void sl_stage_forward6(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	const struct sl_bank_header *b = w->bank;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct sl_meta *md = sl_meta(m);
		struct rte_ipv6_hdr *ip = sl_ip6(m);
		uint32_t mtu = sl_nh_mtu(sl_bank_nh(b, md->nh));
		bool local = (md->flags & SL_META_F_LOCAL_ORIGIN) != 0;

		sl_prefetch_l3_ahead(pkts, i, n);

		if (!local && unlikely(ip->hop_limits <= 1)) {
			sl_icmp_error(w, m, SL_ICMP6_TIME_EXCEEDED, 0, 0, SL_DROP_TTL_EXCEEDED);
			continue;
		}
		if (unlikely(SL_IP6_HDR_LEN + (uint32_t)rte_be_to_cpu_16(ip->payload_len) > mtu)) {
			sl_icmp_error(w, m, SL_ICMP6_PACKET_TOO_BIG, 0, mtu, SL_DROP_TOO_BIG);
			continue;
		}
		if (!local)
			ip->hop_limits--;
		sl_count(w, SL_CNT_FWD_IP6, 1);
		sl_next(w, m, SL_STAGE_NEIGH);
	}
}
