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
 * is the datagram length from here on. l4_off/l4_proto are set (l4_off
 * points past the header even for a non-first fragment; stages that look
 * at L4 check the offset field).
 *
 * Options (only when IHL > 5, so the common case pays one comparison) are
 * walked as RFC 791 3.1 lays them out: end of list (0), no-operation (1),
 * otherwise type, length >= 2, data, all within the header. A list that
 * breaks this (length below 2, an option running past the header, a type
 * byte without its length) is answered with ICMP parameter problem 12/0
 * whose pointer names the offending byte (RFC 1812 4.3.3.5, RFC 792: the
 * length byte, or the type byte when the length is missing), counted
 * IP4_OPTIONS; the error stage applies the usual suppression rules (no
 * error about an error, a non-first fragment, ...). A well-formed loose or
 * strict source route (LSRR 131, SSRR 137) is dropped without an error,
 * counted IP4_SOURCE_ROUTE: the advice of RFC 7126 4.3 (LSRR) and 4.4
 * (SSRR) is to drop them by default (they get around filtering and allow
 * reflection), and a
 * cloud gateway has no reason to honour them. Any other option is
 * forwarded unchanged (RFC 7126 lets a router ignore record route,
 * timestamp and the rest); option contents are not checked.
 */
#include <string.h>

#include "sl_pipeline.h"
#include "sl_proto.h"

#define SL_IPOPT_EOL 0
#define SL_IPOPT_NOP 1
#define SL_IPOPT_LSRR 0x83
#define SL_IPOPT_SSRR 0x89

/**
 * Walk the options of an IPv4 header of `hlen` bytes (> 20). Returns
 * SL_DROP_NONE if they may be forwarded, SL_DROP_IP4_SOURCE_ROUTE for a
 * source route, or SL_DROP_IP4_OPTIONS with *ptr set to the offset (from
 * the start of the header) of the malformed byte.
 */
static enum sl_drop_reason sl_ip4_options_check(const uint8_t *hdr, uint32_t hlen, uint32_t *ptr)
{
	uint32_t i = SL_IP4_HDR_MIN;

	while (i < hlen) {
		uint8_t type = hdr[i];
		uint32_t olen;

		if (type == SL_IPOPT_EOL)
			break;
		if (type == SL_IPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= hlen) { /* no room for the length byte */
			*ptr = i;
			return SL_DROP_IP4_OPTIONS;
		}
		olen = hdr[i + 1];
		if (olen < 2 || i + olen > hlen) {
			*ptr = i + 1;
			return SL_DROP_IP4_OPTIONS;
		}
		if (type == SL_IPOPT_LSRR || type == SL_IPOPT_SSRR)
			return SL_DROP_IP4_SOURCE_ROUTE;
		i += olen;
	}
	return SL_DROP_NONE;
}

/*
 * The header checksum: the NIC's verdict when it gave one (a PMD with IPv4
 * checksum offload sets GOOD or BAD in ol_flags; vdevs say UNKNOWN), else
 * computed, a 20-byte header (nearly all) as five 32-bit words folded (the
 * one's complement sum is the same in any word size and byte order: a
 * valid header sums to 0xffff).
 */
static inline bool sl_ip4_cksum_ok(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
				   uint32_t hlen)
{
	const uint64_t f = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	uint32_t w32[5];
	uint64_t sum;

	if (f == RTE_MBUF_F_RX_IP_CKSUM_GOOD)
		return true;
	if (f == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return false;
	if (unlikely(hlen != SL_IP4_HDR_MIN))
		return rte_raw_cksum(ip, hlen) == 0xffff;
	memcpy(w32, ip, sizeof(w32)); /* any alignment; compiled to plain loads */
	sum = (uint64_t)w32[0] + w32[1] + w32[2] + w32[3] + w32[4];
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return sum == 0xffff;
}

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
	if (unlikely(!sl_ip4_cksum_ok(m, ip, hlen))) {
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
	if (unlikely(hlen > SL_IP4_HDR_MIN)) {
		uint32_t ptr = 0;
		enum sl_drop_reason r = sl_ip4_options_check((const uint8_t *)ip, hlen, &ptr);

		if (r == SL_DROP_IP4_OPTIONS) {
			sl_icmp_error(w, m, SL_ICMP_PARAM_PROBLEM, 0, ptr, r);
			return;
		}
		if (r != SL_DROP_NONE) {
			sl_drop(w, m, r);
			return;
		}
	}
	/* from the Internet to a public IP of the NAT section: translate first */
	sl_next(w, m,
		md->vpc_index == SL_VPC_INTERNET && w->bank->nat_off ? SL_STAGE_EIP4
								     : SL_STAGE_ROUTE4);
}

void sl_stage_ip4_input(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		sl_prefetch_l3_ahead(pkts, i, n);
		sl_ip4_input_one(w, pkts[i]);
	}
}
