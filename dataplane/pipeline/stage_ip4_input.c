/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage ip4_input: validate a received IPv4 header (RFC 1812 5.2.2) before
 * anything trusts its fields.
 *
 * Design note
 * -----------
 * Checks, in order, each with its own drop reason:
 *   header (20 bytes, then IHL*4 with options) inside the first segment
 *   -> IP4_TRUNCATED; version 4 -> IP4_VERSION; IHL >= 5 -> IP4_IHL;
 *   total length >= IHL*4 -> IP4_LENGTH and <= the received bytes
 *   -> IP4_TRUNCATED; header checksum (software: vdevs give no offloads)
 *   -> IP4_CHECKSUM; source and destination not 0/8, 127/8, 224/4 or
 *   240/4 (multicast, limited broadcast, reserved; a VSwitch has no
 *   multicast or broadcast) -> IP4_BAD_SOURCE / IP4_BAD_DEST.
 * Ethernet padding after the datagram is trimmed so that pkt_len - l3_off
 * is the datagram length from here on. Options are accepted and forwarded
 * unchanged. l4_off/l4_proto are set (l4_off points past the header even
 * for a non-first fragment; stages that look at L4 check the offset field).
 */
#include "sl_pipeline.h"
#include "sl_proto.h"

static inline void sl_ip4_input_one(struct sl_worker *w, struct rte_mbuf *m)
{
	struct sl_meta *md = sl_meta(m);
	const struct rte_ipv4_hdr *ip;
	uint32_t hlen, tlen, avail;

	if (unlikely((uint32_t)md->l3_off + SL_IP4_HDR_MIN > rte_pktmbuf_data_len(m))) {
		sl_drop(w, m, SL_DROP_IP4_TRUNCATED);
		return;
	}
	ip = sl_ip4(m);
	if (unlikely((ip->version_ihl >> 4) != 4)) {
		sl_drop(w, m, SL_DROP_IP4_VERSION);
		return;
	}
	hlen = sl_ip4_hlen(ip);
	if (unlikely(hlen < SL_IP4_HDR_MIN)) {
		sl_drop(w, m, SL_DROP_IP4_IHL);
		return;
	}
	if (unlikely(md->l3_off + hlen > rte_pktmbuf_data_len(m))) {
		sl_drop(w, m, SL_DROP_IP4_TRUNCATED);
		return;
	}
	tlen = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(tlen < hlen)) {
		sl_drop(w, m, SL_DROP_IP4_LENGTH);
		return;
	}
	avail = rte_pktmbuf_pkt_len(m) - md->l3_off;
	if (unlikely(tlen > avail)) {
		sl_drop(w, m, SL_DROP_IP4_TRUNCATED);
		return;
	}
	if (unlikely(rte_raw_cksum(ip, hlen) != 0xffff)) {
		sl_drop(w, m, SL_DROP_IP4_CHECKSUM);
		return;
	}
	if (unlikely(sl_ip4_addr_invalid(rte_be_to_cpu_32(ip->src_addr)))) {
		sl_drop(w, m, SL_DROP_IP4_BAD_SOURCE);
		return;
	}
	if (unlikely(sl_ip4_addr_invalid(rte_be_to_cpu_32(ip->dst_addr)))) {
		sl_drop(w, m, SL_DROP_IP4_BAD_DEST);
		return;
	}
	if (tlen < avail)
		sl_pkt_trim_to(m, md->l3_off + tlen);
	md->l4_off = (uint16_t)(md->l3_off + hlen);
	md->l4_proto = ip->next_proto_id;
	sl_next(w, m, SL_STAGE_ROUTE4);
}

void sl_stage_ip4_input(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		sl_ip4_input_one(w, pkts[i]);
}
