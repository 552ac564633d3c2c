/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP errors about NAT session flows (RFC 5508 section 4), for snat4 and
 * nat4_in.
 *
 * Design note
 * -----------
 * An ICMP error (destination unreachable, source quench, time exceeded,
 * parameter problem) quotes the IP header and at least 8 bytes of the
 * datagram it is about. If that datagram belongs to a session, the error
 * is translated with it, so traceroute and path MTU discovery work through
 * the NAT:
 *   - from the Internet to a public IP: the quoted datagram is one the NAT
 *     sent out (source: the public endpoint); its tuple, swapped, is the
 *     session's outside key. The outer destination and the quoted source
 *     (address and port, or ICMP identifier) become the inside endpoint;
 *     the error is routed in the gateway's VPC;
 *   - from the inside of gateway `gw`: the quoted datagram is one the NAT
 *     delivered (destination: the inside endpoint); its tuple, swapped, is
 *     the session's inside key. The outer source and the quoted destination
 *     become the public endpoint; the error goes to the Internet table.
 * Checksums: the outer IPv4 one incrementally, the quoted IPv4 one and the
 * quoted TCP/UDP/ICMP one incrementally when the quote holds them (RFC 792
 * guarantees 8 bytes: a TCP checksum may be cut off, then nothing is
 * changed in it; a UDP checksum of 0 stays 0), and the outer ICMP checksum
 * over the whole message again (it covers the quote). Errors are rare:
 * one lookup each, no bulk. They do not refresh the session (RFC 5508
 * REQ-6 lets them pass without creating or refreshing state). An error
 * whose quote matches no session is dropped NAT_NO_MAPPING; an error about
 * an ICMP error is not translated (NAT_PROTO).
 *
 * EIP 1:1 (eip4, sl_nat4_eip_quote): no session; after eip4 translated the
 * outer address, a quote whose source (inbound) or destination (outbound)
 * is the address just translated gets the other one (ports are kept);
 * any other quote is left as it is.
 */
#include "sl_nat4.h"

bool sl_nat4_is_icmp_error(struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	const struct sl_meta *md = sl_meta(m);
	uint8_t type;

	if (ip->next_proto_id != IPPROTO_ICMP ||
	    (rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) ||
	    (uint32_t)md->l4_off + 1 > rte_pktmbuf_data_len(m))
		return false;
	type = *rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4_off);
	return type == SL_ICMP_DEST_UNREACH || type == SL_ICMP_SOURCE_QUENCH ||
	       type == SL_ICMP_TIME_EXCEEDED || type == SL_ICMP_PARAM_PROBLEM;
}

/* Rewrite a 16-bit field at `p` to `v` (host order) in a checksummed
 * region whose checksum is at `ck` (NULL: none to adjust). */
static void sl_put16_adjust(uint8_t *p, uint16_t v, uint8_t *ck)
{
	rte_be16_t from, to = rte_cpu_to_be_16(v);
	uint16_t c;

	memcpy(&from, p, 2);
	memcpy(p, &to, 2);
	if (ck) {
		memcpy(&c, ck, 2);
		c = sl_cksum_adjust(c, from, to);
		memcpy(ck, &c, 2);
	}
}

/* An ICMP error's quoted datagram, parsed. */
struct sl_quote {
	uint8_t *icmp;		 /* the ICMP header */
	uint32_t len;		 /* ICMP message length */
	struct rte_ipv4_hdr *in; /* the quoted IPv4 header */
	uint8_t *l4;		 /* its transport header (8 bytes at least) */
	uint8_t *l4ck;		 /* its checksum, NULL if cut off (TCP) or none (UDP 0) */
	uint16_t sport, dport;	 /* ports, or the ICMP identifier in both */
	uint8_t proto;
};

static enum sl_drop_reason sl_quote_parse(struct rte_mbuf *m, struct sl_quote *q)
{
	const struct sl_meta *md = sl_meta(m);
	const struct rte_ipv4_hdr *ip = sl_ip4(m);
	uint32_t ihl;
	uint16_t ck;

	if (ip->fragment_offset & rte_cpu_to_be_16(SL_IP4_MF))
		return SL_DROP_NAT_FRAGMENT;
	q->len = rte_be_to_cpu_16(ip->total_length) - (uint32_t)(md->l4_off - md->l3_off);
	if ((uint32_t)md->l4_off + q->len > rte_pktmbuf_data_len(m) ||
	    q->len < SL_ICMP_HDR_LEN + SL_IP4_HDR_MIN + 8)
		return SL_DROP_NAT_L4_TRUNCATED;
	q->icmp = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l4_off);
	q->in = (struct rte_ipv4_hdr *)(q->icmp + SL_ICMP_HDR_LEN);
	ihl = (uint32_t)(q->in->version_ihl & 0xf) * 4;
	if (ihl < SL_IP4_HDR_MIN || q->len < SL_ICMP_HDR_LEN + ihl + 8)
		return SL_DROP_NAT_L4_TRUNCATED;
	q->l4 = (uint8_t *)q->in + ihl;
	q->proto = q->in->next_proto_id;
	q->sport = sl_nat4_get16(q->l4);
	q->dport = sl_nat4_get16(q->l4 + 2);
	q->l4ck = NULL;
	switch (q->proto) {
	case IPPROTO_TCP:
		if (q->len >= SL_ICMP_HDR_LEN + ihl + offsetof(struct rte_tcp_hdr, cksum) + 2)
			q->l4ck = q->l4 + offsetof(struct rte_tcp_hdr, cksum);
		return SL_DROP_NONE;
	case IPPROTO_UDP:
		memcpy(&ck, q->l4 + 6, 2);
		q->l4ck = ck ? q->l4 + 6 : NULL;
		return SL_DROP_NONE;
	case IPPROTO_ICMP:
		if (!sl_icmp_is_query(q->l4[0]))
			return SL_DROP_NAT_PROTO;
		q->sport = q->dport = sl_nat4_get16(q->l4 + 4); /* identifier */
		q->l4ck = q->l4 + 2;
		return SL_DROP_NONE;
	default:
		return SL_DROP_NAT_PROTO;
	}
}

/* Rewrite the quoted datagram's source (`src`) or destination to `addr`
 * (host order) and, if `port` >= 0, its port or ICMP identifier, with its
 * checksums; then the outer ICMP checksum over the new quote. */
static void sl_quote_rewrite(struct sl_quote *q, bool src, uint32_t addr, int port)
{
	rte_be32_t old = src ? q->in->src_addr : q->in->dst_addr, to = rte_cpu_to_be_32(addr);
	uint16_t ck;

	q->in->hdr_checksum = sl_cksum_adjust32(q->in->hdr_checksum, old, to);
	if (q->l4ck && q->proto != IPPROTO_ICMP) { /* the pseudo-header */
		memcpy(&ck, q->l4ck, 2);
		ck = sl_cksum_adjust32(ck, old, to);
		memcpy(q->l4ck, &ck, 2);
	}
	if (src)
		q->in->src_addr = to;
	else
		q->in->dst_addr = to;
	if (port >= 0)
		sl_put16_adjust(q->proto == IPPROTO_ICMP ? q->l4 + 4
				: src			 ? q->l4
							 : q->l4 + 2,
				(uint16_t)port, q->l4ck);
	if (q->l4ck && q->proto == IPPROTO_UDP) {
		memcpy(&ck, q->l4ck, 2);
		if (ck == 0)
			memset(q->l4ck, 0xff, 2); /* 0 means "no checksum" */
	}
	memset(q->icmp + 2, 0, 2);
	ck = (uint16_t)~rte_raw_cksum(q->icmp, q->len);
	memcpy(q->icmp + 2, &ck, 2);
}

enum sl_drop_reason sl_nat4_icmp_error(struct sl_worker *w, struct rte_mbuf *m, bool inbound,
				       uint16_t gw, uint32_t *vpc)
{
	struct sl_nat_table *t = w->dp->nat;
	const struct sl_nat_sec *sec = sl_bank_nat(w->bank);
	struct rte_ipv4_hdr *ip = sl_ip4(m);
	struct sl_nat_session *s;
	struct sl_nat_key k;
	struct sl_quote q;
	enum sl_drop_reason r = sl_quote_parse(m, &q);
	unsigned int dir;
	uint32_t addr;
	uint16_t port;
	rte_be32_t old;

	if (r != SL_DROP_NONE)
		return r;
	/* The quoted datagram's flow, seen from the side the error goes to. */
	if (inbound)
		sl_nat_key_out(&k, q.proto, rte_be_to_cpu_32(q.in->dst_addr),
			       q.proto == IPPROTO_ICMP ? 0 : q.dport,
			       rte_be_to_cpu_32(q.in->src_addr), q.sport);
	else
		sl_nat_key_in(&k, gw, q.proto, rte_be_to_cpu_32(q.in->dst_addr), q.dport,
			      rte_be_to_cpu_32(q.in->src_addr),
			      q.proto == IPPROTO_ICMP ? 0 : q.sport);
	s = sl_nat_lookup(t, sl_nat_wid(w), &k, &dir);
	if (s == NULL || (inbound && s->gw >= sec->n_gws))
		return SL_DROP_NAT_NO_MAPPING;
	if (inbound) {
		addr = s->k[SL_NAT_DIR_ORIG].src;
		port = s->k[SL_NAT_DIR_ORIG].sport;
		*vpc = sl_nat_gw_ent(sec, s->gw)->vpc_index;
	} else {
		addr = s->k[SL_NAT_DIR_REPLY].dst;
		port = s->k[SL_NAT_DIR_REPLY].dport;
		*vpc = SL_VPC_INTERNET;
	}
	/* the outer header, then the quote (whose rewrite ends with the ICMP
	 * checksum) */
	old = inbound ? ip->dst_addr : ip->src_addr;
	ip->hdr_checksum = sl_cksum_adjust32(ip->hdr_checksum, old, rte_cpu_to_be_32(addr));
	if (inbound)
		ip->dst_addr = rte_cpu_to_be_32(addr);
	else
		ip->src_addr = rte_cpu_to_be_32(addr);
	sl_quote_rewrite(&q, inbound, addr, port);
	sl_count(w, SL_CNT_NAT_ICMP_ERRORS, 1);
	return SL_DROP_NONE;
}

void sl_nat4_eip_quote(struct sl_worker *w, struct rte_mbuf *m, bool inbound, uint32_t from,
		       uint32_t to)
{
	struct sl_quote q;

	if (!sl_nat4_is_icmp_error(m, sl_ip4(m)) || sl_quote_parse(m, &q) != SL_DROP_NONE ||
	    rte_be_to_cpu_32(inbound ? q.in->src_addr : q.in->dst_addr) != from)
		return;
	sl_quote_rewrite(&q, inbound, to, -1);
	sl_count(w, SL_CNT_NAT_ICMP_ERRORS, 1);
}

void sl_nat4_error_or_drop(struct sl_worker *w, struct rte_mbuf *m, bool inbound, uint16_t gw)
{
	uint32_t vpc = 0;
	enum sl_drop_reason r = sl_nat4_icmp_error(w, m, inbound, gw, &vpc);

	if (r != SL_DROP_NONE) {
		sl_drop(w, m, r);
		return;
	}
	sl_meta(m)->vpc_index = vpc;
	sl_next(w, m, SL_STAGE_ROUTE4);
}
