/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage forward4: the IPv4 forwarding decisions that depend on the egress
 * next hop: TTL, egress MTU, fragmentation (RFC 1812 5.2.3, 5.3.1, 4.2.2.7).
 *
 * Design note
 * -----------
 * Order per packet:
 *   0. the destination is the broadcast address of a VSwitch (directed
 *      broadcast, below) -> IP4_BAD_DEST, no error;
 *   1. TTL <= 1 (unless the gateway made the packet: LOCAL_ORIGIN)
 *      -> ICMP time exceeded 11/0, counted TTL_EXCEEDED;
 *   2. total length > egress MTU (the next hop's mtu; sl_nh_mtu falls back
 *      to the port's): with DF -> ICMP 3/4 carrying the next-hop MTU
 *      (RFC 1191), counted TOO_BIG; without DF -> fragment;
 *   3. TTL decrement with the incremental checksum update of RFC 1624
 *      (HC' = ~(~HC + ~m + m') over the TTL/protocol word).
 * Checks 1 and 2 happen before the header is modified, so an ICMP error
 * quotes the datagram exactly as received.
 *
 * Directed broadcasts (RFC 1812 5.3.5.2, RFC 2644: not forwarded by
 * default; a cloud VSwitch has no broadcast domain, and the last address of
 * its CIDR is reserved): route4 finds the VSwitch's CONNECTED next hop for
 * the broadcast address like for any host, and NEIGH would ARP for it. The
 * bank does not carry the VSwitch's CIDR in the next hop, so it is found in
 * the VPC table's prefix list (the prefix with this next hop), but only for
 * a candidate: a CONNECTED next hop of a VPC table (not the Internet side,
 * whose prefix list may be the full BGP table), a destination whose two low
 * bits are set (a /30 or shorter has a broadcast address; /31 and /32 have
 * none, RFC 3021), and whose next address leaves the next hop's interval
 * (one more interval lookup). Only the last address of each interval
 * passes, so the prefix scan, bounded by the VPC's prefix count, runs for
 * a handful of addresses per VSwitch, never for ordinary hosts. Custom
 * routes never lie inside a VSwitch CIDR (validation), so the prefix found
 * is the VSwitch's. Packets the gateway made are checked too (an echo reply
 * to a broadcast source must not go out as a broadcast).
 *
 * Fragmentation (RFC 791 3.2, RFC 1812 4.2.2.7) copies: every fragment is a
 * fresh single-segment mbuf from sl_pktmbuf_pool with the default headroom
 * (room for Ethernet + 802.1Q). Fragmentation is rare and copying keeps each
 * fragment independent of the original (which is freed), whatever its
 * segment layout. The first fragment carries the whole header with its
 * options, later ones only the options whose copy flag is set. Fragment
 * payloads are multiples of 8 bytes and at most min(MTU, what one mbuf
 * holds); a packet that is itself a fragment is refragmented with offsets
 * relative to its own and MF kept on its last piece. All fragments are
 * allocated up front: if that fails nothing is sent (FRAG_FAILED). Each
 * fragment gets a copy of the metadata with l3_off = 0, so it continues to
 * NEIGH like the original would have. FRAGMENTS counts fragments made,
 * FWD_IP4 counts the datagram once.
 */
#include "sl_pipeline.h"
#include "sl_proto.h"

/** Most fragments one datagram may become (64 KiB at the IPv4 minimum MTU
 * needs far more; such packets cannot arrive on our ports anyway). */
#define SL_FRAG_MAX 192

/** Options of the first header that are copied into every fragment
 * (copy flag, RFC 791 3.1). Returns the option bytes written to `out`
 * (padded to a multiple of 4 with end-of-options). Malformed option lists
 * copy nothing further: the first fragment still carries them unchanged. */
static unsigned int sl_frag_copy_opts(const uint8_t *opt, unsigned int len, uint8_t *out)
{
	unsigned int i = 0, o = 0;

	while (i < len) {
		uint8_t type = opt[i];
		unsigned int olen;

		if (type == 0) /* end of options */
			break;
		if (type == 1) { /* no-operation */
			i++;
			continue;
		}
		if (i + 1 >= len)
			break;
		olen = opt[i + 1];
		if (olen < 2 || i + olen > len)
			break;
		if (type & 0x80) {
			memcpy(out + o, opt + i, olen);
			o += olen;
		}
		i += olen;
	}
	while (o & 3)
		out[o++] = 0;
	return o;
}

/** Fragment `m` (TTL already decremented) for `mtu`. Consumes `m`. */
static void sl_fragment4(struct sl_worker *w, struct rte_mbuf *m, uint32_t mtu)
{
	struct sl_meta *md = sl_meta(m);
	const struct rte_ipv4_hdr *ip = sl_ip4(m);
	struct rte_mbuf *frags[SL_FRAG_MAX];
	uint8_t hdr_rest[SL_IP4_HDR_MIN + 40];
	uint32_t hlen = sl_ip4_hlen(ip);
	uint32_t tlen = rte_be_to_cpu_16(ip->total_length);
	uint32_t plen = tlen - hlen;
	uint16_t fo = rte_be_to_cpu_16(ip->fragment_offset);
	uint32_t off0 = (fo & SL_IP4_OFFMASK) * 8u;
	bool mf0 = (fo & SL_IP4_MF) != 0;
	uint32_t room, hlen_rest, chunk0, chunk, nfrag, pos, i;

	/* What fits in one fresh mbuf after the default headroom. */
	room = rte_pktmbuf_data_room_size(sl_pktmbuf_pool) - RTE_PKTMBUF_HEADROOM;
	mtu = RTE_MIN(mtu, room);

	/* Later fragments' header: fixed part plus copied options. */
	memcpy(hdr_rest, ip, SL_IP4_HDR_MIN);
	hlen_rest =
	    SL_IP4_HDR_MIN + sl_frag_copy_opts((const uint8_t *)ip + SL_IP4_HDR_MIN,
					       hlen - SL_IP4_HDR_MIN, hdr_rest + SL_IP4_HDR_MIN);

	if (mtu < hlen + 8 || mtu < hlen_rest + 8) {
		sl_drop(w, m, SL_DROP_FRAG_FAILED);
		return;
	}
	chunk0 = (mtu - hlen) & ~7u;
	chunk = (mtu - hlen_rest) & ~7u;
	nfrag = 1 + (plen > chunk0 ? (plen - chunk0 + chunk - 1) / chunk : 0);
	if (nfrag > SL_FRAG_MAX || rte_pktmbuf_alloc_bulk(sl_pktmbuf_pool, frags, nfrag) != 0) {
		sl_drop(w, m, SL_DROP_FRAG_FAILED);
		return;
	}

	for (i = 0, pos = 0; i < nfrag; i++) {
		struct rte_mbuf *f = frags[i];
		uint32_t fh = i == 0 ? hlen : hlen_rest;
		uint32_t fl = RTE_MIN(i == 0 ? chunk0 : chunk, plen - pos);
		bool last = pos + fl == plen;
		struct rte_ipv4_hdr *fip;
		uint8_t *p;
		uint16_t nfo;

		p = (uint8_t *)rte_pktmbuf_append(f, (uint16_t)(fh + fl));
		/* Cannot fail: fh + fl <= mtu <= room. */
		memcpy(p, i == 0 ? (const void *)ip : (const void *)hdr_rest, fh);
		sl_pkt_copy(m, md->l3_off + hlen + pos, fl, p + fh);
		fip = (struct rte_ipv4_hdr *)p;
		fip->version_ihl = (uint8_t)(0x40 | (fh / 4));
		fip->total_length = rte_cpu_to_be_16((uint16_t)(fh + fl));
		nfo = (uint16_t)(((off0 + pos) / 8) & SL_IP4_OFFMASK);
		if (!last || mf0)
			nfo |= SL_IP4_MF;
		fip->fragment_offset = rte_cpu_to_be_16(nfo);
		fip->hdr_checksum = sl_ip4_cksum(fip);

		*sl_meta(f) = *md;
		sl_meta(f)->l3_off = 0;
		sl_meta(f)->l4_off = (i == 0 && off0 == 0) ? (uint16_t)fh : 0;
		f->port = m->port;
		pos += fl;
	}
	rte_pktmbuf_free(m);
	sl_count(w, SL_CNT_FRAGMENTS, nfrag);
	sl_count(w, SL_CNT_FWD_IP4, 1);
	for (i = 0; i < nfrag; i++)
		sl_next(w, frags[i], SL_STAGE_NEIGH);
}

/** True if `dst` (host order), routed to CONNECTED next hop `nhi` in the
 * table of VPC `vpc`, is the broadcast address of that next hop's prefix
 * (see the design note for the filters in front of the prefix scan). */
static bool sl_ip4_directed_bcast(const struct sl_bank_header *b, uint32_t vpc, uint32_t nhi,
				  uint32_t dst)
{
	const struct sl_route_table *rt;
	const struct sl_prefix *p;

	if (likely((dst & 3) != 3) || vpc == SL_VPC_INTERNET || dst == UINT32_MAX ||
	    sl_bank_nh(b, nhi)->type != SL_NH_CONNECTED)
		return false;
	rt = sl_bank_rt(b, vpc);
	if (rt == NULL || sl_rt4_lookup(b, rt, dst + 1) == nhi)
		return false;
	p = SL_BANK_PTR(b, rt->prefix_off, const struct sl_prefix);
	for (uint32_t i = 0; i < rt->n_prefixes; i++) {
		uint32_t first, host;

		if (p[i].nh != nhi || p[i].family != SL_AF_INET || p[i].len > 30)
			continue;
		host = p[i].len == 0 ? UINT32_MAX : (UINT32_C(1) << (32 - p[i].len)) - 1;
		first = (uint32_t)p[i].addr[0] << 24 | (uint32_t)p[i].addr[1] << 16 |
			(uint32_t)p[i].addr[2] << 8 | p[i].addr[3];
		if ((dst & ~host) == (first & ~host))
			return (dst & host) == host;
	}
	return false;
}

void sl_stage_forward4(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	const struct sl_bank_header *b = w->bank;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct sl_meta *md = sl_meta(m);
		struct rte_ipv4_hdr *ip = sl_ip4(m);
		uint32_t mtu = sl_nh_mtu(sl_bank_nh(b, md->nh));
		bool local = (md->flags & SL_META_F_LOCAL_ORIGIN) != 0;
		bool frag = false;

		sl_prefetch_l3_ahead(pkts, i, n);

		if (unlikely(sl_ip4_directed_bcast(b, md->vpc_index, md->nh,
						   rte_be_to_cpu_32(ip->dst_addr)))) {
			sl_drop(w, m, SL_DROP_IP4_BAD_DEST);
			continue;
		}
		if (!local && unlikely(ip->time_to_live <= 1)) {
			sl_icmp_error(w, m, SL_ICMP_TIME_EXCEEDED, 0, 0, SL_DROP_TTL_EXCEEDED);
			continue;
		}
		if (unlikely(rte_be_to_cpu_16(ip->total_length) > mtu)) {
			if (ip->fragment_offset & rte_cpu_to_be_16(SL_IP4_DF)) {
				sl_icmp_error(w, m, SL_ICMP_DEST_UNREACH, SL_ICMP_UNREACH_NEEDFRAG,
					      mtu, SL_DROP_TOO_BIG);
				continue;
			}
			frag = true;
		}
		if (!local) {
			uint16_t old, new;

			uint8_t *ttl_proto = (uint8_t *)ip + 8;

			/* The new TTL/protocol word is computed, not read back
			 * after a one-byte store: a 2-byte load of a line with a
			 * pending 1-byte store to it cannot be forwarded and
			 * stalled the stage (issue 9). TTL > 1 here: no borrow. */
			memcpy(&old, ttl_proto, 2);
			new = rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(old) - 0x100));
			memcpy(ttl_proto, &new, 2);
			ip->hdr_checksum = sl_cksum_adjust(ip->hdr_checksum, old, new);
		}
		if (unlikely(frag)) {
			sl_fragment4(w, m, mtu);
			continue;
		}
		sl_count(w, SL_CNT_FWD_IP4, 1);
		sl_next(w, m, SL_STAGE_NEIGH);
	}
}
