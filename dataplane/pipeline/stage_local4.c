/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage local4: IPv4 packets addressed to one of the gateway's own addresses
 * (a VSwitch gateway address or an outside address: LOCAL routes).
 *
 * Design note
 * -----------
 * The gateway is not a host: it answers ICMP echo (so instances can ping
 * their VSwitch gateway) and answers UDP with ICMP port unreachable (3/3) so
 * that a UDP traceroute to the gateway itself terminates. Everything else is
 * LOCAL_PROTO. (ARP never gets here: eth_input punts it.) On a port with an
 * exception path (docs/sluice-dp.md) everything but an echo request goes to
 * the host kernel instead (BGP, BFD, SSH, the kernel's own pings), punted
 * as SL_PUNT_EXCEPTION.
 *
 * Echo reply (RFC 792, RFC 1122 3.2.2.6) is built in place, no allocation:
 * swap source and destination, TTL 64, type 0 code 0, clear DF/fragment
 * fields, and fix the ICMP checksum incrementally (RFC 1624) since only the
 * type/code word changes. IP options of the request are removed from the
 * reply (RFC 1122 allows it; record-route and source-route handling is not
 * worth the fast-path code): the 20-byte header is moved up to sit directly
 * before the ICMP message and md->l3_off follows it. The reply is flagged
 * LOCAL_ORIGIN (no TTL decrement, no ICMP error about it) and routed in the
 * same VPC through ROUTE4.
 *
 * No reply to a fragment or to malformed ICMP (shorter than 8 bytes, header
 * outside the first segment, bad checksum over the whole message):
 * LOCAL_ICMP_INVALID. A non-first UDP fragment carries no port: LOCAL_PROTO,
 * silently.
 */
#include "sl_pipeline.h"
#include "sl_proto.h"

static void sl_local4_echo(struct sl_worker *w, struct rte_mbuf *m)
{
	struct sl_meta *md = sl_meta(m);
	struct rte_ipv4_hdr *ip = sl_ip4(m);
	uint32_t hlen = sl_ip4_hlen(ip);
	uint32_t tlen = rte_be_to_cpu_16(ip->total_length);
	uint32_t ilen = tlen - hlen;
	uint16_t frag = rte_be_to_cpu_16(ip->fragment_offset);
	uint16_t ck, old, new;
	uint8_t *icmp;
	uint32_t a;

	if (unlikely((frag & (SL_IP4_MF | SL_IP4_OFFMASK)) != 0 || ilen < SL_ICMP_HDR_LEN ||
		     md->l4_off + SL_ICMP_HDR_LEN > rte_pktmbuf_data_len(m))) {
		sl_drop(w, m, SL_DROP_LOCAL_ICMP_INVALID);
		return;
	}
	if (unlikely(rte_raw_cksum_mbuf(m, md->l4_off, ilen, &ck) != 0 || ck != 0xffff)) {
		sl_drop(w, m, SL_DROP_LOCAL_ICMP_INVALID);
		return;
	}
	icmp = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l4_off);
	if (icmp[0] != SL_ICMP_ECHO_REQUEST) {
		sl_drop(w, m, SL_DROP_LOCAL_PROTO);
		return;
	}

	if (hlen > SL_IP4_HDR_MIN) {
		uint32_t optlen = hlen - SL_IP4_HDR_MIN;

		memmove((uint8_t *)ip + optlen, ip, SL_IP4_HDR_MIN);
		md->l3_off += optlen;
		ip = sl_ip4(m);
		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16(SL_IP4_HDR_MIN + ilen);
	}
	a = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = 64;
	ip->fragment_offset = 0;
	ip->hdr_checksum = sl_ip4_cksum(ip);

	memcpy(&old, icmp, 2);
	icmp[0] = SL_ICMP_ECHO_REPLY;
	icmp[1] = 0;
	memcpy(&new, icmp, 2);
	memcpy(&ck, icmp + 2, 2);
	ck = sl_cksum_adjust(ck, old, new);
	memcpy(icmp + 2, &ck, 2);

	md->l4_off = md->l3_off + SL_IP4_HDR_MIN;
	md->l4_proto = SL_IPPROTO_ICMP;
	md->nh = SL_NH_NONE;
	md->flags |= SL_META_F_LOCAL_ORIGIN;
	sl_count(w, SL_CNT_LOCAL_ECHO, 1);
	sl_next(w, m, SL_STAGE_ROUTE4);
}

/* An unfragmented ICMP echo request whose type byte is in the first segment. */
static bool sl_local4_is_echo(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	const struct sl_meta *md = sl_meta((struct rte_mbuf *)(uintptr_t)m);

	return ip->next_proto_id == SL_IPPROTO_ICMP &&
	       !(rte_be_to_cpu_16(ip->fragment_offset) & (SL_IP4_MF | SL_IP4_OFFMASK)) &&
	       md->l4_off + 1u <= rte_pktmbuf_data_len(m) &&
	       *rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4_off) == SL_ICMP_ECHO_REQUEST;
}

void sl_stage_local4(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ipv4_hdr *ip = sl_ip4(m);

		if (unlikely(sl_ports[sl_meta(m)->in_port].exc) && !sl_local4_is_echo(m, ip)) {
			sl_meta(m)->punt = SL_PUNT_EXCEPTION;
			sl_next(w, m, SL_STAGE_PUNT);
			continue;
		}

		switch (ip->next_proto_id) {
		case SL_IPPROTO_ICMP:
			sl_local4_echo(w, m);
			break;
		case SL_IPPROTO_UDP:
			if (rte_be_to_cpu_16(ip->fragment_offset) & SL_IP4_OFFMASK) {
				sl_drop(w, m, SL_DROP_LOCAL_PROTO);
				break;
			}
			sl_icmp_error(w, m, SL_ICMP_DEST_UNREACH, SL_ICMP_UNREACH_PORT, 0,
				      SL_DROP_LOCAL_PROTO);
			break;
		default:
			sl_drop(w, m, SL_DROP_LOCAL_PROTO);
			break;
		}
	}
}
