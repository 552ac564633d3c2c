/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet helpers shared by the pipeline stages: header access through the
 * metadata offsets, address classification, Internet checksum arithmetic,
 * the IPv6 extension-header walk, the ICMP error token bucket.
 *
 * Design note
 * -----------
 * Everything here is static inline and pure with respect to shared state:
 * the only state touched is the packet and the calling worker's own
 * struct sl_worker (single writer, no synchronisation needed).
 *
 * Header rule: the stages read and write L3/L4 headers through pointers into
 * the first segment only. ip4_input/ip6_input drop a packet whose IP header
 * (IPv4 options, IPv6 extension headers included) does not lie entirely in
 * the first segment, so later stages may use sl_ip4()/sl_ip6() freely.
 * Payload beyond the headers may span segments; it is only ever read through
 * rte_pktmbuf_read() or rte_raw_cksum_mbuf().
 *
 * Checksums: the vdevs we run on offer no offloads, so all checksums are
 * software. One's-complement sums are byte-order independent as long as every
 * operand is loaded the same way, so the helpers work on 16-bit words exactly
 * as they lie in memory.
 */
#ifndef SL_PROTO_H
#define SL_PROTO_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "sl_pipeline.h"

/* Protocol numbers and ICMP types used by the stages (kept here rather than
 * pulling in <netinet/...> so the values the stages rely on are visible). */
#define SL_IPPROTO_HOPOPTS 0
#define SL_IPPROTO_ICMP 1
#define SL_IPPROTO_TCP 6
#define SL_IPPROTO_UDP 17
#define SL_IPPROTO_ROUTING 43
#define SL_IPPROTO_FRAGMENT 44
#define SL_IPPROTO_AH 51
#define SL_IPPROTO_ICMPV6 58
#define SL_IPPROTO_NONE 59
#define SL_IPPROTO_DSTOPTS 60

#define SL_ICMP_ECHO_REPLY 0
#define SL_ICMP_DEST_UNREACH 3
#define SL_ICMP_SOURCE_QUENCH 4
#define SL_ICMP_REDIRECT 5
#define SL_ICMP_ECHO_REQUEST 8
#define SL_ICMP_TIME_EXCEEDED 11
#define SL_ICMP_PARAM_PROBLEM 12
#define SL_ICMP_UNREACH_NET 0
#define SL_ICMP_UNREACH_PORT 3
#define SL_ICMP_UNREACH_NEEDFRAG 4

#define SL_ICMP6_DEST_UNREACH 1
#define SL_ICMP6_PACKET_TOO_BIG 2
#define SL_ICMP6_TIME_EXCEEDED 3
#define SL_ICMP6_PARAM_PROBLEM 4
#define SL_ICMP6_ECHO_REQUEST 128
#define SL_ICMP6_ECHO_REPLY 129
#define SL_ICMP6_ND_FIRST 133 /* router solicitation */
#define SL_ICMP6_ND_NS 135    /* neighbour solicitation */
#define SL_ICMP6_ND_LAST 137  /* redirect */
#define SL_ICMP6_UNREACH_NOROUTE 0
#define SL_ICMP6_UNREACH_PORT 4

#define SL_IP4_HDR_MIN 20
#define SL_IP6_HDR_LEN 40
#define SL_ICMP_HDR_LEN 8

/* IPv4 fragment_offset field (host order after conversion). */
#define SL_IP4_DF 0x4000
#define SL_IP4_MF 0x2000
#define SL_IP4_OFFMASK 0x1fff

/** Bounds of the IPv6 extension-header walk (RFC 8200 section 4). */
#define SL_IP6_MAX_EXT 8

/** ICMP error budget per worker lcore: a token bucket shared by ICMPv4 and
 * ICMPv6 errors (RFC 1812 4.3.2.8, RFC 4443 2.4f). */
#define SL_ICMP_RATE_PER_S 1000u
#define SL_ICMP_BURST 200u

/** Largest originated errors: RFC 1812 4.3.2.3 (576) and RFC 4443 2.4c
 * (the IPv6 minimum MTU, 1280). */
#define SL_ICMP4_ERR_MAX 576u
#define SL_ICMP6_ERR_MAX 1280u

/** Fallback IP MTU when neither the next hop nor the port has one. */
#define SL_DEFAULT_MTU 1500u

/* ---- header access ------------------------------------------------------ */

static inline struct rte_ipv4_hdr *sl_ip4(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sl_meta(m)->l3_off);
}

static inline struct rte_ipv6_hdr *sl_ip6(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, sl_meta(m)->l3_off);
}

/* How far ahead a stage's loop prefetches the IP header of the packet it
 * will handle next (issue 9): on --no-huge mbufs every packet is on a page
 * of its own, and a route stage's table walks evict both the lines and the
 * TLB entries of the vector's packets between two stages. */
#define SL_L3_PREFETCH_AHEAD 4

/** In a loop over pkts[0..n) at i: prefetch the IP header (and what
 * follows it in its line) of pkts[i + SL_L3_PREFETCH_AHEAD]. */
static inline void sl_prefetch_l3_ahead(struct rte_mbuf **pkts, uint16_t i, uint16_t n)
{
	if (i + SL_L3_PREFETCH_AHEAD < n)
		rte_prefetch0(sl_ip4(pkts[i + SL_L3_PREFETCH_AHEAD]));
}

static inline unsigned int sl_ip4_hlen(const struct rte_ipv4_hdr *ip)
{
	return (ip->version_ihl & 0x0f) * 4u;
}

/* ---- address classification -------------------------------------------- */

/**
 * IPv4 addresses that are never a valid unicast source or destination on a
 * VSwitch or the Internet side (RFC 1812 5.3.7 and 4.2.2.11): 0/8 ("this
 * network"), 127/8 (loopback), 224/4 (multicast; a VSwitch has none),
 * 240/4 (reserved, including 255.255.255.255, the limited broadcast).
 * `a` is in host byte order.
 */
static inline bool sl_ip4_addr_invalid(uint32_t a)
{
	uint32_t top = a >> 24;

	return top == 0 || top == 127 || top >= 224;
}

static inline void sl_ip6_hilo(const uint8_t *a, uint64_t *hi, uint64_t *lo)
{
	uint64_t h, l;

	memcpy(&h, a, 8);
	memcpy(&l, a + 8, 8);
	*hi = rte_be_to_cpu_64(h);
	*lo = rte_be_to_cpu_64(l);
}

static inline bool sl_ip6_is_mcast(const uint8_t *a)
{
	return a[0] == 0xff;
}

static inline bool sl_ip6_is_unspec(const uint8_t *a)
{
	uint64_t hi, lo;

	sl_ip6_hilo(a, &hi, &lo);
	return (hi | lo) == 0;
}

static inline bool sl_ip6_is_loopback(const uint8_t *a)
{
	uint64_t hi, lo;

	sl_ip6_hilo(a, &hi, &lo);
	return hi == 0 && lo == 1;
}

/** fe80::/10, link-local unicast: never forwarded off its link (RFC 4291 2.5.6). */
static inline bool sl_ip6_is_linklocal(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/** True for a frame whose destination MAC is a group (multicast or broadcast)
 * address: the I/G bit of the first octet. */
static inline bool sl_eth_is_group(const struct rte_ether_addr *a)
{
	return (a->addr_bytes[0] & 0x01) != 0;
}

/* ---- checksums ------------------------------------------------------------ */

/** Fold a 32-bit one's-complement accumulator to 16 bits (not inverted). */
static inline uint16_t sl_cksum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/**
 * Incremental update of a stored checksum when one 16-bit word changes from
 * `old` to `new`: RFC 1624 equation 3, HC' = ~(~HC + ~m + m'). All three
 * values as they lie in the packet (same byte order).
 */
static inline uint16_t sl_cksum_adjust(uint16_t cksum, uint16_t old, uint16_t new)
{
	uint32_t sum = (uint16_t)~cksum;

	sum += (uint16_t)~old;
	sum += new;
	return (uint16_t)~sl_cksum_fold(sum);
}

/** The same for a 32-bit field (an IPv4 address), both in network order. */
static inline uint16_t sl_cksum_adjust32(uint16_t cksum, uint32_t from, uint32_t to)
{
	cksum = sl_cksum_adjust(cksum, (uint16_t)from, (uint16_t)to);
	return sl_cksum_adjust(cksum, (uint16_t)(from >> 16), (uint16_t)(to >> 16));
}

/** Full IPv4 header checksum (options included), as stored in the header. */
static inline uint16_t sl_ip4_cksum(struct rte_ipv4_hdr *ip)
{
	ip->hdr_checksum = 0;
	return (uint16_t)~rte_raw_cksum(ip, sl_ip4_hlen(ip));
}

/** Sum of the IPv6 pseudo-header (RFC 8200 8.1), unfolded, in memory order. */
static inline uint32_t sl_ip6_pseudo_sum(const uint8_t *src, const uint8_t *dst, uint32_t len,
					 uint8_t proto)
{
	uint32_t sum = rte_raw_cksum(src, 16);
	uint32_t l = rte_cpu_to_be_32(len);
	uint32_t p = rte_cpu_to_be_32(proto);

	sum += rte_raw_cksum(dst, 16);
	sum += rte_raw_cksum(&l, 4);
	sum += rte_raw_cksum(&p, 4);
	return sum;
}

/* ---- IPv6 extension headers ---------------------------------------------- */

/** Result of walking the IPv6 header chain. */
struct sl_ip6_chain {
	uint8_t proto;	  /**< upper-layer protocol, or SL_IPPROTO_FRAGMENT
			   * for a non-first fragment */
	uint8_t n_ext;	  /**< extension headers seen */
	uint8_t fragment; /**< 1 if a fragment header was seen */
	uint8_t pad;
	uint16_t l4_off;   /**< of the upper-layer header (or of the fragment
			    * header of a non-first fragment) */
	uint16_t frag_off; /**< offset of the fragment header if any */
};

/**
 * Walk the extension headers of the IPv6 packet at `l3_off` (RFC 8200 4):
 * hop-by-hop (only directly after the fixed header), routing, destination
 * options, fragment and AH; at most SL_IP6_MAX_EXT of them. `end` is where
 * the IPv6 payload ends (l3_off + 40 + payload length). Every header must lie
 * in the first segment and before `end`. A non-first fragment stops the walk:
 * its upper-layer header is in another fragment.
 * Returns 0, or -EINVAL for a malformed, truncated or too long chain.
 */
static inline int sl_ip6_walk(const struct rte_mbuf *m, uint16_t l3_off, uint32_t end,
			      struct sl_ip6_chain *c)
{
	const uint8_t *base = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t lim = RTE_MIN(end, (uint32_t)rte_pktmbuf_data_len(m));
	uint32_t off = l3_off + SL_IP6_HDR_LEN;
	uint8_t nh = base[l3_off + 6];

	c->n_ext = 0;
	c->fragment = 0;
	c->frag_off = 0;
	for (;;) {
		uint32_t len;

		if (nh == SL_IPPROTO_HOPOPTS && c->n_ext != 0)
			return -EINVAL; /* only first (RFC 8200 4.3) */
		switch (nh) {
		case SL_IPPROTO_HOPOPTS:
		case SL_IPPROTO_ROUTING:
		case SL_IPPROTO_DSTOPTS:
			if (off + 2 > lim)
				return -EINVAL;
			len = (base[off + 1] + 1u) * 8u;
			break;
		case SL_IPPROTO_AH:
			if (off + 2 > lim)
				return -EINVAL;
			len = (base[off + 1] + 2u) * 4u;
			break;
		case SL_IPPROTO_FRAGMENT:
			if (off + 8 > lim)
				return -EINVAL;
			len = 8;
			c->fragment = 1;
			c->frag_off = (uint16_t)off;
			if ((((uint16_t)base[off + 2] << 8 | base[off + 3]) & 0xfff8) != 0) {
				/* non-first fragment: stop here */
				if (++c->n_ext > SL_IP6_MAX_EXT)
					return -EINVAL;
				c->proto = SL_IPPROTO_FRAGMENT;
				c->l4_off = (uint16_t)off;
				return 0;
			}
			break;
		default:
			c->proto = nh;
			c->l4_off = (uint16_t)off;
			return off <= end ? 0 : -EINVAL;
		}
		if (++c->n_ext > SL_IP6_MAX_EXT || off + len > lim)
			return -EINVAL;
		nh = base[off];
		off += len;
	}
}

/* ---- misc ------------------------------------------------------------------ */

/**
 * Cut the packet to `len` bytes (drop Ethernet padding after the IP
 * datagram). Works on chains: trailing segments that end up empty are freed.
 */
static inline void sl_pkt_trim_to(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *seg = m;
	uint32_t keep = len;
	uint16_t nseg = 1;

	if (likely(m->pkt_len <= len))
		return;
	while (keep > seg->data_len) {
		keep -= seg->data_len;
		seg = seg->next;
		nseg++;
	}
	seg->data_len = (uint16_t)keep;
	if (seg->next != NULL) {
		rte_pktmbuf_free(seg->next);
		seg->next = NULL;
	}
	m->nb_segs = nseg;
	m->pkt_len = len;
}

/** Copy `len` bytes at `off` of `m` (any segment layout) to `dst`. */
static inline void sl_pkt_copy(const struct rte_mbuf *m, uint32_t off, uint32_t len, void *dst)
{
	const void *p = rte_pktmbuf_read(m, off, len, dst);

	if (p != NULL && p != dst)
		memcpy(dst, p, len);
}

/** Egress IP MTU of a next hop: its own, else its port's, else 1500. */
static inline uint32_t sl_nh_mtu(const struct sl_nexthop *nh)
{
	uint16_t port;

	if (likely(nh->mtu != 0))
		return nh->mtu;
	port = sl_nh_port(nh);
	if (port < RTE_MAX_ETHPORTS && sl_ports[port].mtu != 0)
		return sl_ports[port].mtu;
	return SL_DEFAULT_MTU;
}

/**
 * Take one token from the worker's ICMP error bucket. The bucket holds
 * tokens scaled by the TSC frequency so refill needs no division:
 * tokens += elapsed_cycles * rate, capped at burst * hz; one error costs hz.
 * The clock is w->now_tsc (taken once per loop iteration), rte_rdtsc() if
 * it was never set.
 */
static inline bool sl_icmp_allow(struct sl_worker *w)
{
	struct sl_icmp_limit *l = &w->icmp_limit;
	uint64_t hz = rte_get_tsc_hz();
	uint64_t cap = (uint64_t)SL_ICMP_BURST * hz;
	/* w->now_tsc is set once per loop iteration; a worker that never sets
	 * it must not silence ICMP forever. */
	uint64_t now = likely(w->now_tsc != 0) ? w->now_tsc : rte_rdtsc();

	if (now > l->last_tsc) {
		uint64_t elapsed = now - l->last_tsc;

		/* Beyond cap/rate cycles the bucket is full anyway; the clamp
		 * also keeps the product from overflowing. */
		if (elapsed >= cap / SL_ICMP_RATE_PER_S)
			l->tokens = cap;
		else
			l->tokens = RTE_MIN(cap, l->tokens + elapsed * SL_ICMP_RATE_PER_S);
		l->last_tsc = now;
	}
	if (l->tokens < hz)
		return false;
	l->tokens -= hz;
	return true;
}

/** Metadata of a packet the gateway originates (ICMP error, echo reply). */
static inline void sl_meta_originate(struct sl_meta *md, const struct sl_meta *orig, uint8_t family,
				     uint8_t flags)
{
	md->vpc_index = orig->vpc_index;
	md->nh = SL_NH_NONE;
	md->in_port = orig->in_port;
	md->in_vlan = orig->in_vlan;
	md->in_role = orig->in_role;
	md->l3_off = 0;
	md->l4_off = 0;
	md->out_port = 0;
	md->out_vlan = 0;
	md->family = family;
	md->l4_proto = 0;
	md->flags = flags;
	md->punt = SL_PUNT_NONE;
	md->icmp_type = 0;
	md->icmp_code = 0;
	md->trace = orig->trace; /* the trace follows what a packet caused */
	md->icmp_info = 0;
	memset(md->nh_addr, 0, sizeof(md->nh_addr));
	memset(md->src_addr, 0, sizeof(md->src_addr));
}

#endif /* SL_PROTO_H */
