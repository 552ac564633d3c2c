/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the IPv4 NAT stages share (eip4, snat4, nat4_in; docs/nat.md):
 * lookups in the bank's NAT section, the session table's handle for a
 * worker, a packet's NAT tuple and its rewrite with incremental checksums,
 * and the TTL / MTU checks made before a translation.
 *
 * Design note
 * -----------
 * Section lookups are binary searches over sorted arrays sluiced wrote
 * (sl_shm.h, struct sl_nat_sec); nothing here keeps a pointer into a bank
 * or a session across loop iterations. A packet's tuple (struct sl_nat4_pkt)
 * points into the mbuf: the ports (the ICMP query identifier for ICMP, on
 * both sides: an echo request and its reply carry the same field) and the
 * transport checksum. Checksums are adjusted per RFC 1624: the IPv4 header's
 * for the address, TCP's and UDP's for the address (pseudo-header) and the
 * port, ICMP's for the identifier only (it covers no address); a UDP
 * checksum of 0 ("none", RFC 768) stays 0, and a computed 0 becomes 0xffff.
 */
#ifndef SL_NAT4_H
#define SL_NAT4_H

#include <netinet/in.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "sl_dp.h"
#include "sl_nat.h"
#include "sl_pipeline.h"
#include "sl_proto.h"

/* ---- the NAT section ----------------------------------------------------- */

/** Gateway index of each VPC vpc[i] in gw[i], SL_NAT_IDX_NONE if it has
 * none: n (<= RTE_HASH_LOOKUP_BULK_MAX) lower bounds without branches, in
 * lockstep (as sl_nat_ip_find_n). */
static inline void sl_nat_gw_of_vpc_n(const struct sl_nat_sec *sec, const uint32_t *vpc,
				      unsigned int n, uint32_t *gw)
{
	const struct sl_nat_vpc_ent *v = SL_NAT_SEC_PTR(sec, sec->vpc_off, struct sl_nat_vpc_ent);
	uint32_t lo[RTE_HASH_LOOKUP_BULK_MAX], cnt = sec->n_vpcs;

	n = RTE_MIN(n, (unsigned int)RTE_HASH_LOOKUP_BULK_MAX);
	for (unsigned int i = 0; i < n; i++)
		lo[i] = 0;
	if (cnt == 0) {
		for (unsigned int i = 0; i < n; i++)
			gw[i] = SL_NAT_IDX_NONE;
		return;
	}
	while (cnt > 1) {
		uint32_t half = cnt / 2;

		for (unsigned int i = 0; i < n; i++)
			lo[i] = v[lo[i] + half].vpc_index < vpc[i] ? lo[i] + half : lo[i];
		cnt -= half;
	}
	for (unsigned int i = 0; i < n; i++) {
		uint32_t x = lo[i] + (v[lo[i]].vpc_index < vpc[i]);

		gw[i] = x < sec->n_vpcs && v[x].vpc_index == vpc[i] ? v[x].gw : SL_NAT_IDX_NONE;
	}
}

static inline const struct sl_nat_gw_ent *sl_nat_gw_ent(const struct sl_nat_sec *sec, uint32_t gw)
{
	return SL_NAT_SEC_PTR(sec, sec->gw_off, struct sl_nat_gw_ent) + gw;
}

/**
 * sl_nat_ip_find for n (<= RTE_HASH_LOOKUP_BULK_MAX) host-order addresses
 * at once: the searches share the array's size, so they step through the
 * levels together and each level's loads (independent between addresses)
 * overlap, where n searches one after the other wait for every level's
 * load in turn (a chain of log2(n_addrs) dependent loads each: the NAT
 * stages' top cost in perf, session 6).
 */
static inline void sl_nat_ip_find_n(const struct sl_nat_sec *sec, const uint32_t *addr,
				    unsigned int n, const struct sl_nat_ip_ent **out)
{
	const struct sl_nat_addr_ent *a = SL_NAT_SEC_PTR(sec, sec->addr_off, struct sl_nat_addr_ent);
	const struct sl_nat_ip_ent *ips = SL_NAT_SEC_PTR(sec, sec->ip_off, struct sl_nat_ip_ent);
	uint32_t lo[RTE_HASH_LOOKUP_BULK_MAX], cnt = sec->n_addrs;

	n = RTE_MIN(n, (unsigned int)RTE_HASH_LOOKUP_BULK_MAX);
	for (unsigned int i = 0; i < n; i++)
		lo[i] = 0;
	if (cnt == 0) {
		for (unsigned int i = 0; i < n; i++)
			out[i] = NULL;
		return;
	}
	while (cnt > 1) { /* lower bounds without branches, as sl_nat_ip_find */
		uint32_t half = cnt / 2;

		for (unsigned int i = 0; i < n; i++)
			lo[i] = a[lo[i] + half].addr < addr[i] ? lo[i] + half : lo[i];
		cnt -= half;
	}
	for (unsigned int i = 0; i < n; i++) {
		uint32_t x = lo[i] + (a[lo[i]].addr < addr[i]);

		out[i] = x < sec->n_addrs && a[x].addr == addr[i] && a[x].ip < sec->n_ips
			     ? &ips[a[x].ip]
			     : NULL;
	}
}

/** sl_nat_eip_find for n (<= RTE_HASH_LOOKUP_BULK_MAX) (vpc[i], priv[i])
 * in lockstep (as sl_nat_ip_find_n). */
static inline void sl_nat_eip_find_n(const struct sl_nat_sec *sec, const uint32_t *vpc,
				     const uint32_t *priv, unsigned int n,
				     const struct sl_nat_eip_ent **out)
{
	const struct sl_nat_eip_ent *e = SL_NAT_SEC_PTR(sec, sec->eip_off, struct sl_nat_eip_ent);
	uint32_t lo[RTE_HASH_LOOKUP_BULK_MAX], cnt = sec->n_eip;
	uint64_t key[RTE_HASH_LOOKUP_BULK_MAX];

	n = RTE_MIN(n, (unsigned int)RTE_HASH_LOOKUP_BULK_MAX);
	for (unsigned int i = 0; i < n; i++) {
		lo[i] = 0;
		key[i] = (uint64_t)vpc[i] << 32 | priv[i];
	}
	if (cnt == 0) {
		for (unsigned int i = 0; i < n; i++)
			out[i] = NULL;
		return;
	}
	while (cnt > 1) {
		uint32_t half = cnt / 2;

		for (unsigned int i = 0; i < n; i++) {
			const struct sl_nat_eip_ent *x = &e[lo[i] + half];

			lo[i] = ((uint64_t)x->vpc_index << 32 | x->priv) < key[i] ? lo[i] + half
										  : lo[i];
		}
		cnt -= half;
	}
	for (unsigned int i = 0; i < n; i++) {
		uint32_t x = lo[i] + (((uint64_t)e[lo[i]].vpc_index << 32 | e[lo[i]].priv) < key[i]);

		out[i] = x < sec->n_eip && e[x].vpc_index == vpc[i] && e[x].priv == priv[i] ? &e[x]
											   : NULL;
	}
}

/** The SNAT entry of gateway `gw` (< n_gws) for host-order source `src`:
 * the longest source prefix (snat_rt[] intervals); NULL if none. */
static inline const struct sl_nat_snat_ent *sl_nat_snat_find(const struct sl_nat_sec *sec,
							     uint32_t gw, uint32_t src)
{
	const struct sl_nat_gw_ent *g = sl_nat_gw_ent(sec, gw);
	const struct sl_rt4_entry *e =
	    SL_NAT_SEC_PTR(sec, sec->snat_rt_off, struct sl_rt4_entry) + g->snat_rt_first;
	uint32_t lo = 0, n = g->snat_rt_n, sn;

	if (n == 0)
		return NULL;
	while (n > 1) { /* the last interval starting at or below src */
		uint32_t half = n / 2;

		lo = e[lo + half].start <= src ? lo + half : lo;
		n -= half;
	}
	sn = e[lo].nh; /* entry index + 1, 0 = none */
	if (e[lo].start > src || sn == 0 || sn > sec->n_snat)
		return NULL;
	return SL_NAT_SEC_PTR(sec, sec->snat_off, struct sl_nat_snat_ent) + (sn - 1);
}

/** The sort key of a forward entry: (ext_ip, proto, ext_port). */
static inline uint64_t sl_nat_fwd_key(const struct sl_nat_fwd_ent *x)
{
	return (uint64_t)x->ext_ip << 24 | (uint64_t)x->proto << 16 | x->ext_port;
}

/** Forward entry for (ext_ip, proto, ext_port), host order: the exact one,
 * else the IP's all-Any entry (proto 0, port 0); NULL if neither. */
static inline const struct sl_nat_fwd_ent *
sl_nat_fwd_find(const struct sl_nat_sec *sec, uint32_t ext_ip, uint8_t proto, uint16_t ext_port)
{
	const struct sl_nat_fwd_ent *f = SL_NAT_SEC_PTR(sec, sec->fwd_off, struct sl_nat_fwd_ent);
	uint64_t want[2] = {(uint64_t)ext_ip << 24 | (uint64_t)proto << 16 | ext_port,
			    (uint64_t)ext_ip << 24};

	if (sec->n_fwd == 0)
		return NULL;
	for (int pass = 0; pass < 2; pass++) {
		uint32_t lo = 0, n = sec->n_fwd;

		/* lower bound of (ext_ip, proto, ext_port), without branches */
		while (n > 1) {
			uint32_t half = n / 2;

			lo = sl_nat_fwd_key(&f[lo + half]) < want[pass] ? lo + half : lo;
			n -= half;
		}
		lo += sl_nat_fwd_key(&f[lo]) < want[pass];
		if (lo < sec->n_fwd && sl_nat_fwd_key(&f[lo]) == want[pass])
			return &f[lo];
	}
	return NULL;
}

/** Session origin of a SNAT entry (its SnatEntryId). */
static inline uint64_t sl_nat_snat_origin(const struct sl_nat_snat_ent *e)
{
	return sl_nat_origin_of('S', e->id, strnlen(e->id, sizeof(e->id)));
}

/** Session origin of a forward entry: what it maps (an entry changed in
 * place ends its sessions like a deleted one). */
static inline uint64_t sl_nat_fwd_origin(const struct sl_nat_fwd_ent *f)
{
	const uint32_t v[5] = {f->ext_ip, (uint32_t)f->proto << 16 | f->ext_port, f->int_ip,
			       f->int_port, f->gw};

	return sl_nat_origin_of('F', v, sizeof(v));
}

/* ---- the session table from a worker -------------------------------------- */

/** The worker's index in the session table: its queue (QSBR reader and
 * counter slot); the main lcore (slot 0) would use n_workers but runs no
 * NAT stage. */
static inline unsigned int sl_nat_wid(const struct sl_worker *w)
{
	return w->slot == 0 ? w->dp->n_workers : w->queue_id;
}

/* ---- a packet's NAT tuple --------------------------------------------------- */

struct sl_nat4_pkt {
	uint8_t *sport; /**< TCP/UDP source port, or the ICMP identifier */
	uint8_t *dport; /**< TCP/UDP destination port, or the ICMP identifier */
	uint8_t *l4ck;	/**< TCP/UDP/ICMP checksum field */
	/** the section's public IP entry of the destination as it arrived,
	 * NULL if not ours (sl_nat4_bulk, in lockstep for the burst) */
	const struct sl_nat_ip_ent *dst_ip;
	uint8_t proto;
	uint8_t tcp_flags;
	uint8_t icmp_type;
};

static inline uint16_t sl_nat4_get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_16(v);
}

/** ICMP query messages carry an identifier a NAT maps like a port (RFC
 * 5508 3.1): echo, timestamp, information. */
static inline bool sl_icmp_is_query(uint8_t type)
{
	return type == SL_ICMP_ECHO_REQUEST || type == SL_ICMP_ECHO_REPLY || type == 13 ||
	       type == 14 || type == 15 || type == 16;
}

/**
 * Find the tuple of an IPv4 packet to translate with a session: TCP, UDP or
 * an ICMP query, whose transport header lies whole in the first segment.
 * SL_DROP_NONE or the reason: NAT_PROTO (another protocol; ICMP errors are
 * nat4_icmp.c's), NAT_FRAGMENT (a non-first fragment: nat4_frag.c's),
 * NAT_L4_TRUNCATED.
 */
static inline enum sl_drop_reason sl_nat4_parse(struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
						struct sl_nat4_pkt *p)
{
	const struct sl_meta *md = sl_meta(m);
	uint32_t need;
	uint8_t *l4;

	p->proto = ip->next_proto_id;
	p->tcp_flags = 0;
	switch (p->proto) {
	case IPPROTO_TCP:
		need = sizeof(struct rte_tcp_hdr);
		break;
	case IPPROTO_UDP:
		need = sizeof(struct rte_udp_hdr);
		break;
	case IPPROTO_ICMP:
		need = SL_ICMP_HDR_LEN;
		break;
	default:
		return SL_DROP_NAT_PROTO;
	}
	if (unlikely(rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK))
		return SL_DROP_NAT_FRAGMENT;
	if (unlikely((uint32_t)md->l4_off + need > rte_pktmbuf_data_len(m)))
		return SL_DROP_NAT_L4_TRUNCATED;
	l4 = rte_pktmbuf_mtod_offset(m, uint8_t *, md->l4_off);
	switch (p->proto) {
	case IPPROTO_TCP:
		p->sport = l4;
		p->dport = l4 + 2;
		p->l4ck = l4 + offsetof(struct rte_tcp_hdr, cksum);
		p->tcp_flags = l4[offsetof(struct rte_tcp_hdr, tcp_flags)];
		break;
	case IPPROTO_UDP:
		p->sport = l4;
		p->dport = l4 + 2;
		p->l4ck = l4 + offsetof(struct rte_udp_hdr, dgram_cksum);
		break;
	default:
		p->icmp_type = l4[0];
		if (!sl_icmp_is_query(p->icmp_type))
			return SL_DROP_NAT_PROTO;
		p->sport = p->dport = l4 + 4; /* identifier */
		p->l4ck = l4 + 2;
		break;
	}
	return SL_DROP_NONE;
}

/** The tuple as a session key: inside (kind IN, gateway `gw`) or outside.
 * ICMP: the identifier is the inside key's sport and the outside key's
 * dport, the other port 0 (sl_nat.h). */
static inline void sl_nat4_key(struct sl_nat_key *k, const struct rte_ipv4_hdr *ip,
			       const struct sl_nat4_pkt *p, bool inside, uint16_t gw)
{
	uint16_t sport = sl_nat4_get16(p->sport), dport = sl_nat4_get16(p->dport);
	uint32_t src = rte_be_to_cpu_32(ip->src_addr), dst = rte_be_to_cpu_32(ip->dst_addr);

	if (p->proto == IPPROTO_ICMP) {
		if (inside)
			dport = 0;
		else
			sport = 0;
	}
	if (inside)
		sl_nat_key_in(k, gw, p->proto, src, sport, dst, dport);
	else
		sl_nat_key_out(k, p->proto, src, sport, dst, dport);
}

/** Rewrite the source (dst false) or destination address and port (ICMP:
 * the identifier) to `addr`:`port` (host order), with the checksums. */
static inline void sl_nat4_rewrite(struct rte_ipv4_hdr *ip, const struct sl_nat4_pkt *p, bool dst,
				   uint32_t addr, uint16_t port)
{
	rte_be32_t to = rte_cpu_to_be_32(addr), from = dst ? ip->dst_addr : ip->src_addr;
	uint8_t *pp = dst ? p->dport : p->sport;
	rte_be16_t pfrom, pto = rte_cpu_to_be_16(port);
	uint16_t ck;

	memcpy(&pfrom, pp, sizeof(pfrom));
	ip->hdr_checksum = sl_cksum_adjust32(ip->hdr_checksum, from, to);
	if (dst)
		ip->dst_addr = to;
	else
		ip->src_addr = to;
	memcpy(&ck, p->l4ck, sizeof(ck));
	if (p->proto == IPPROTO_UDP && ck == 0) {
		memcpy(pp, &pto, sizeof(pto)); /* no checksum: keep none */
		return;
	}
	if (p->proto != IPPROTO_ICMP) /* the pseudo-header */
		ck = sl_cksum_adjust32(ck, from, to);
	ck = sl_cksum_adjust(ck, pfrom, pto);
	if (ck == 0 && p->proto == IPPROTO_UDP)
		ck = 0xffff;
	memcpy(p->l4ck, &ck, sizeof(ck));
	memcpy(pp, &pto, sizeof(pto));
}

/* ---- before a translation -------------------------------------------------- */

/** forward4's TTL rule, applied before translating (the error quotes the
 * packet as it came and goes back where it came from): true if the packet
 * was handed to the ICMP error stage. */
static inline bool sl_nat4_ttl_expired(struct sl_worker *w, struct rte_mbuf *m,
				       const struct rte_ipv4_hdr *ip)
{
	if (likely(ip->time_to_live > 1 || (sl_meta(m)->flags & SL_META_F_LOCAL_ORIGIN)))
		return false;
	sl_icmp_error(w, m, SL_ICMP_TIME_EXCEEDED, 0, 0, SL_DROP_TTL_EXCEEDED);
	return true;
}

/** forward4's MTU rule for a DF datagram, applied before translating with
 * the egress next hop of the side it goes to (the route of `addr` in
 * `vpc`'s table): true if the packet was handed to the ICMP error stage
 * (fragmentation needed, carrying that MTU). */
static inline bool sl_nat4_too_big(struct sl_worker *w, struct rte_mbuf *m,
				   const struct rte_ipv4_hdr *ip, uint32_t vpc, uint32_t addr)
{
	const struct sl_route_table *rt;
	uint32_t mtu;

	if (likely(!(ip->fragment_offset & rte_cpu_to_be_16(SL_IP4_DF))))
		return false;
	rt = sl_bank_rt(w->bank, vpc);
	if (rt == NULL)
		return false;
	mtu = sl_nh_mtu(sl_bank_nh(w->bank, sl_rt4_lookup(w->bank, rt, addr)));
	if (likely(rte_be_to_cpu_16(ip->total_length) <= mtu))
		return false;
	sl_icmp_error(w, m, SL_ICMP_DEST_UNREACH, SL_ICMP_UNREACH_NEEDFRAG, mtu, SL_DROP_TOO_BIG);
	return true;
}

/* ---- ICMP errors (nat4_icmp.c) ---------------------------------------------- */

/** An ICMP error message (not a fragment's later part). */
bool sl_nat4_is_icmp_error(struct rte_mbuf *m, const struct rte_ipv4_hdr *ip);

/** Translate an ICMP error about a session's flow (RFC 5508): `inbound`
 * from the Internet to a public IP, else from the inside of gateway `gw`.
 * SL_DROP_NONE with *vpc the table to route it in, or the drop reason. */
enum sl_drop_reason sl_nat4_icmp_error(struct sl_worker *w, struct rte_mbuf *m, bool inbound,
				       uint16_t gw, uint32_t *vpc);

/** After eip4 translated an ICMP error's outer address `from` to `to`
 * (host order; inbound: the destination, outbound: the source): the same
 * in its quote, if the quote is about that address (RFC 5508 for EIP 1:1). */
void sl_nat4_eip_quote(struct sl_worker *w, struct rte_mbuf *m, bool inbound, uint32_t from,
		       uint32_t to);

/** sl_nat4_icmp_error, then route4 or the drop. */
void sl_nat4_error_or_drop(struct sl_worker *w, struct rte_mbuf *m, bool inbound, uint16_t gw);

/** After an outbound translation: to a public IP of this bank (an EIP or a
 * NAT gateway's IP: hairpinning, RFC 4787 REQ-9) the packet comes back in
 * as if from the Internet (eip4's inbound side), else route4 on the
 * Internet side. md->vpc_index must be SL_VPC_INTERNET. */
static inline enum sl_stage sl_nat4_next_out(const struct sl_nat_sec *sec,
					     const struct rte_ipv4_hdr *ip)
{
	return sl_nat_ip_find(sec, rte_be_to_cpu_32(ip->dst_addr)) ? SL_STAGE_EIP4
								   : SL_STAGE_ROUTE4;
}

/**
 * The stage after a translation to (`inbound`) or from public IP index
 * `pub` (SL_NAT_IDX_NONE: unknown): police4 when the packet crosses the
 * Internet edge and the IP has a policer in its direction (issue 7), else
 * route4; a packet that stays inside (hairpinning: to another public IP of
 * ours, or back in from the inside) is not policed. _to: the caller knows
 * whether an outbound packet's destination is a public IP of ours.
 */
static inline enum sl_stage sl_nat4_policed_next_to(const struct sl_worker *w, struct sl_meta *md,
						    bool to_ours, bool inbound, uint32_t pub)
{
	if (!inbound && to_ours)
		return SL_STAGE_EIP4;
	if (pub == SL_NAT_IDX_NONE || (inbound && md->in_role != SL_ROLE_OUTSIDE))
		return SL_STAGE_ROUTE4;
	return sl_police4_next(w, md, pub);
}

static inline enum sl_stage sl_nat4_policed_next(const struct sl_worker *w, struct sl_meta *md,
						 const struct sl_nat_sec *sec,
						 const struct rte_ipv4_hdr *ip, bool inbound,
						 uint32_t pub)
{
	return sl_nat4_policed_next_to(
	    w, md, !inbound && sl_nat4_next_out(sec, ip) == SL_STAGE_EIP4, inbound, pub);
}

/* ---- fragments (nat4_frag.c) ------------------------------------------------- */

/** The datagram a fragment belongs to, as it arrived (sl_nat.h). */
static inline void sl_nat4_frag_key(struct sl_nat_frag_key *k, const struct rte_ipv4_hdr *ip,
				    bool inbound, uint16_t gw)
{
	k->src = rte_be_to_cpu_32(ip->src_addr);
	k->dst = rte_be_to_cpu_32(ip->dst_addr);
	k->id = rte_be_to_cpu_16(ip->packet_id);
	k->gw = inbound ? 0 : gw;
	k->proto = ip->next_proto_id;
	k->dir = inbound ? SL_NAT_DIR_REPLY : SL_NAT_DIR_ORIG;
}

/** A first fragment (MF, offset 0: the session stages see no later ones
 * here) is about to be translated: its datagram, as it arrived, in *k. */
static inline bool sl_nat4_first_frag(struct sl_nat_frag_key *k, const struct rte_ipv4_hdr *ip,
				      bool inbound, uint16_t gw)
{
	if (likely(!(ip->fragment_offset & rte_cpu_to_be_16(SL_IP4_MF))))
		return false;
	sl_nat4_frag_key(k, ip, inbound, gw);
	return true;
}

/** First fragment `k` was translated to `to` by a session of gateway
 * `to_gw` (and handed on): note it for the later fragments, and translate
 * those that came before it and were held (nat4_frag.c). */
void sl_nat4_first_done(struct sl_worker *w, struct sl_nat_table *t, const struct sl_nat_sec *sec,
			const struct sl_nat_frag_key *k, bool inbound, uint16_t to_gw, uint32_t to);

/** A non-first fragment: translated like its first fragment, held until
 * that comes, or dropped (NAT_FRAG_*, NAT_FRAGMENT). `gw`: the VPC's
 * gateway of an outbound one. */
void sl_nat4_fragment(struct sl_worker *w, struct sl_nat_table *t, const struct sl_nat_sec *sec,
		      struct rte_mbuf *m, bool inbound, uint16_t gw);

/** Drop (NAT_FRAG_TIMEOUT) the fragments held too long, from the next
 * `budget` buckets of the holding area; every worker's loop. */
void sl_nat4_frag_expire(struct sl_worker *w, struct sl_nat_table *t, unsigned int budget);

/* ---- the session stages' burst loop ---------------------------------------- */

/** What differs between snat4 (outbound) and nat4_in (inbound). */
struct sl_nat4_side {
	bool inbound;
	enum sl_drop_reason unavailable; /**< no session table or no NAT section */
	/** A packet without session: make one, or drop the packet (NULL). */
	struct sl_nat_session *(*create)(struct sl_worker *w, struct sl_nat_table *t,
					 const struct sl_nat_sec *sec, const struct sl_nat_key *k,
					 const struct sl_nat4_pkt *p, struct rte_mbuf *m);
	/** Or, instead of `create` one by one: every miss of the chunk (s[j]
	 * NULL) at once, s[j] set to its session or the packet dropped. */
	void (*create_misses)(struct sl_worker *w, struct sl_nat_table *t,
			      const struct sl_nat_sec *sec, const struct sl_nat_key *key,
			      const struct sl_nat4_pkt *pk, struct rte_mbuf **mb,
			      struct sl_nat_session **s, unsigned int n);
	/** Translate with the session and hand the packet on. */
	void (*translate)(struct sl_worker *w, struct sl_nat_table *t, const struct sl_nat_sec *sec,
			  struct rte_mbuf *m, const struct sl_nat4_pkt *p, struct sl_nat_session *s,
			  unsigned int dir);
};

/* Up to RTE_HASH_LOOKUP_BULK_MAX packets: keys, one bulk lookup, then
 * each packet's session (made on a miss) translates it. Outbound keys are
 * the VPC's gateway's; ICMP errors go to nat4_icmp.c one by one; non-first
 * fragments to nat4_frag.c last, once the first fragments of the same
 * burst have been translated and noted. */
static __rte_always_inline void sl_nat4_bulk(struct sl_worker *w, struct sl_nat_table *t,
					     const struct sl_nat_sec *sec, struct rte_mbuf **pkts,
					     unsigned int n, const struct sl_nat4_side *side)
{
	struct sl_nat_key key[RTE_HASH_LOOKUP_BULK_MAX];
	const struct sl_nat_key *kp[RTE_HASH_LOOKUP_BULK_MAX];
	struct sl_nat4_pkt pk[RTE_HASH_LOOKUP_BULK_MAX];
	struct rte_mbuf *mb[RTE_HASH_LOOKUP_BULK_MAX];
	struct sl_nat_session *s[RTE_HASH_LOOKUP_BULK_MAX];
	struct rte_mbuf *later[RTE_HASH_LOOKUP_BULK_MAX]; /* non-first fragments */
	uint16_t later_gw[RTE_HASH_LOOKUP_BULK_MAX];
	uint8_t dir[RTE_HASH_LOOKUP_BULK_MAX];
	uint32_t gws[RTE_HASH_LOOKUP_BULK_MAX];
	unsigned int k = 0, nl = 0, hits = 0;

	if (!side->inbound) { /* the VPCs' gateways, searched in lockstep */
		uint32_t vpc[RTE_HASH_LOOKUP_BULK_MAX];

		for (unsigned int i = 0; i < n; i++)
			vpc[i] = sl_meta(pkts[i])->vpc_index;
		sl_nat_gw_of_vpc_n(sec, vpc, n, gws);
	}
	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ipv4_hdr *ip = sl_ip4(m);
		uint32_t gw = 0;
		enum sl_drop_reason r;

		if (!side->inbound) {
			gw = gws[i];
			if (unlikely(gw == SL_NAT_IDX_NONE)) {
				sl_drop(w, m, SL_DROP_SNAT_UNAVAILABLE);
				continue;
			}
			if (unlikely(gw >= t->conf.max_gws)) { /* beyond sluice-dp's nat_gateways */
				sl_drop(w, m, SL_DROP_NAT_NO_POOL);
				continue;
			}
		}
		if (unlikely(rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK)) {
			/* after the first fragments of this burst are translated */
			later_gw[nl] = (uint16_t)gw;
			later[nl++] = m;
			continue;
		}
		if (unlikely(sl_nat4_is_icmp_error(m, ip))) { /* RFC 5508 */
			sl_nat4_error_or_drop(w, m, side->inbound, (uint16_t)gw);
			continue;
		}
		r = sl_nat4_parse(m, ip, &pk[k]);
		if (unlikely(r != SL_DROP_NONE)) {
			sl_drop(w, m, r);
			continue;
		}
		sl_nat4_key(&key[k], ip, &pk[k], !side->inbound, (uint16_t)gw);
		kp[k] = &key[k];
		mb[k++] = m;
	}
	if (k != 0) {
		uint32_t dst[RTE_HASH_LOOKUP_BULK_MAX];
		const struct sl_nat_ip_ent *dst_ip[RTE_HASH_LOOKUP_BULK_MAX];

		hits = sl_nat_lookup_bulk(t, sl_nat_wid(w), kp, k, s, dir);
		/* whose destination is a public IP of ours: inbound, the
		 * translated IP (its policer); outbound, hairpinning */
		for (unsigned int j = 0; j < k; j++)
			dst[j] = rte_be_to_cpu_32(sl_ip4(mb[j])->dst_addr);
		sl_nat_ip_find_n(sec, dst, k, dst_ip);
		for (unsigned int j = 0; j < k; j++)
			pk[j].dst_ip = dst_ip[j];
	}
	/* Every hit's session line is a cache miss in a big table: ask for
	 * them all before the first is read, so they arrive together. */
	for (unsigned int j = 0; j < k; j++)
		if (s[j] != NULL)
			rte_prefetch0(s[j]);
	/* the misses together (one lock hold), before any translation */
	if (side->create_misses != NULL && hits < k)
		side->create_misses(w, t, sec, key, pk, mb, s, k);
	for (unsigned int j = 0; j < k; j++) {
		if (s[j] == NULL) {
			if (side->create_misses != NULL) /* dropped */
				continue;
			s[j] = side->create(w, t, sec, &key[j], &pk[j], mb[j]);
			dir[j] = side->inbound ? SL_NAT_DIR_REPLY : SL_NAT_DIR_ORIG;
			if (s[j] == NULL)
				continue;
		}
		side->translate(w, t, sec, mb[j], &pk[j], s[j], dir[j]);
	}
	for (unsigned int j = 0; j < nl; j++)
		sl_nat4_fragment(w, t, sec, later[j], side->inbound, later_gw[j]);
}

/** A session stage's entry: the burst in chunks for sl_nat4_bulk. */
static __rte_always_inline void sl_nat4_stage(struct sl_worker *w, struct rte_mbuf **pkts,
					      uint16_t n, const struct sl_nat4_side *side)
{
	struct sl_nat_table *t = w->dp->nat;
	const struct sl_nat_sec *sec = sl_bank_nat(w->bank);

	if (unlikely(t == NULL || sec == NULL)) { /* eip4 checked; a stage stands alone */
		for (uint16_t i = 0; i < n; i++)
			sl_drop(w, pkts[i], side->unavailable);
		return;
	}
	for (uint16_t off = 0; off < n; off += RTE_HASH_LOOKUP_BULK_MAX)
		sl_nat4_bulk(
		    w, t, sec, pkts + off,
		    RTE_MIN((unsigned int)(n - off), (unsigned int)RTE_HASH_LOOKUP_BULK_MAX), side);
}

/** enum sl_nat_drop -> drop reason, one to one (sl_counters.h). */
static inline enum sl_drop_reason sl_nat_drop_reason(enum sl_nat_drop d)
{
	static const enum sl_drop_reason map[SL_NAT_DROP_MAX] = {
	    [SL_NAT_OK] = SL_DROP_NONE,
	    [SL_NAT_DROP_SESSION_LIMIT] = SL_DROP_NAT_SESSION_LIMIT,
	    [SL_NAT_DROP_RATE_LIMIT] = SL_DROP_NAT_RATE_LIMIT,
	    [SL_NAT_DROP_PORTS_EXHAUSTED] = SL_DROP_NAT_PORTS_EXHAUSTED,
	    [SL_NAT_DROP_TABLE_FULL] = SL_DROP_NAT_TABLE_FULL,
	    [SL_NAT_DROP_FILTERED] = SL_DROP_NAT_FILTERED,
	    [SL_NAT_DROP_NO_MAPPING] = SL_DROP_NAT_NO_MAPPING,
	    [SL_NAT_DROP_BAD_PROTO] = SL_DROP_NAT_PROTO,
	    [SL_NAT_DROP_NO_POOL] = SL_DROP_NAT_NO_POOL,
	    [SL_NAT_DROP_CONFLICT] = SL_DROP_NAT_CONFLICT,
	};
	_Static_assert(SL_NAT_DROP_MAX == 10, "a new enum sl_nat_drop needs its SL_DROP_*");

	return (unsigned int)d < SL_NAT_DROP_MAX ? map[d] : SL_DROP_NAT_NO_MAPPING;
}

#endif /* SL_NAT4_H */
