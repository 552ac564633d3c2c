/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-dp pipeline contract: per-packet metadata, the stage list, the
 * worker context and the inline helpers every stage uses.
 *
 * Design note
 * -----------
 * Each worker lcore runs to completion on bursts. A stage is a function
 *
 *     void sl_stage_<name>(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
 *
 * living in its own file (dataplane/stage_<name>.c). It looks at each packet,
 * and hands it on with exactly one of:
 *   sl_next(w, m, SL_STAGE_x)   to another stage's input vector,
 *   sl_drop(w, m, SL_DROP_x)    counted under the named reason and freed,
 * or it consumes the packet itself (tx, punt). Stages never allocate except
 * to originate packets (ICMP errors, replies, fragments), never block and
 * never log per packet.
 *
 * sl_pipeline_run() (pipeline.c) owns one input vector per stage in the
 * worker and calls stages in enum order until every vector is empty, so a
 * stage may also send packets "backwards" (an ICMP error re-enters route
 * lookup). Stage order below is therefore also the normal packet order.
 *
 * L2 contract: until NEIGH, md->l3_off points at the IP header and whatever
 * lies before it (ingress Ethernet/VLAN header, or headroom reserved by a
 * stage that built a packet) is ignored; NEIGH strips it and prepends the
 * egress Ethernet (+802.1Q) header.
 *
 * Tables come from the active shared-memory bank, loaded once per loop
 * iteration into w->bank (see sl_shm.h for the generation protocol); stages
 * read them through the accessors at the bottom and never keep pointers into
 * a bank across iterations.
 *
 * Concurrency: everything in struct sl_worker belongs to its lcore. Shared
 * dynamic state (neighbour table) has one writer, the main lcore; workers
 * read it lock-free and hand everything that needs writing (ARP/ND, packets
 * waiting for resolution) to the main lcore through dp->punt_ring.
 */
#ifndef SL_PIPELINE_H
#define SL_PIPELINE_H

#include <assert.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "sl_shm.h"
#include "sl_trace.h"

#define SL_BURST 32
#define SL_VEC_MAX 256 /* per-stage input vector; overflow drops NO_MBUF */

/** Stages, in normal packet order. */
enum sl_stage {
	SL_STAGE_ETH_INPUT = 0, /* parse L2, classify port+VLAN -> VPC/Internet */
	SL_STAGE_IP4_INPUT,	/* validate IPv4 header */
	SL_STAGE_IP6_INPUT,	/* validate IPv6 header, spot ND/ICMPv6 for us */
	SL_STAGE_EIP4,		/* EIP 1:1 NAT, both directions, then POLICE4 or ROUTE4 */
	/* NAT sessions (issue 5, third slice) */
	SL_STAGE_SNAT4,		/* outbound without EIP: SNAT session, then POLICE4 or ROUTE4 */
	SL_STAGE_NAT4_IN,	/* inbound to a gateway's IP: session or DNAT, then POLICE4 or ROUTE4 */
	SL_STAGE_POLICE4,	/* bandwidth policers of the public IP (md->pub_ip), then ROUTE4 */
	SL_STAGE_IP6GW_IN,	/* IPv6 gateway (issue 6): Internet -> VPC */
	SL_STAGE_ROUTE4,	/* LPM in the VPC or Internet table */
	SL_STAGE_ROUTE6,
	SL_STAGE_IP6GW_OUT,	/* IPv6 gateway (issue 6): VPC -> Internet */
	/* police6 (issues 7/6) */
	SL_STAGE_POLICE6,	/* Internet bandwidth policers of an IPv6 address (md->pub_ip),
				 * then IP6GW_IN (outbound) or FORWARD6 (inbound) */
	SL_STAGE_LOCAL4,	/* addressed to the gateway: echo reply */
	SL_STAGE_LOCAL6,
	SL_STAGE_FORWARD4,	/* TTL, checksum, MTU / fragmentation */
	SL_STAGE_FORWARD6,	/* hop limit, MTU */
	SL_STAGE_ICMP4_ERROR,	/* originate ICMP errors, then ROUTE4 */
	SL_STAGE_ICMP6_ERROR,	/* originate ICMPv6 errors, then ROUTE6 */
	SL_STAGE_NEIGH,		/* next hop -> MAC + VLAN, or punt to wait */
	SL_STAGE_TX,		/* per-port tx buffers */
	SL_STAGE_PUNT,		/* to the main lcore (ARP, ND, unresolved) */
	SL_STAGE_MAX
};

/** Why a packet goes to the main lcore (struct sl_meta.punt). */
enum sl_punt_reason {
	SL_PUNT_NONE = 0,
	SL_PUNT_ARP,	     /* any ARP frame */
	SL_PUNT_ND,	     /* ICMPv6 NS/NA/RS/RA/redirect for the gateway */
	SL_PUNT_UNRESOLVED,  /* ready to send, waits for a neighbour */
	SL_PUNT_EXCEPTION,   /* for the host kernel (exception path) */
};

/** ICMP error to originate (struct sl_meta.icmp_type/code carry it). */
#define SL_META_F_LOCAL_ORIGIN 0x01 /* made by the gateway: no TTL decrement,
				     * no ICMP error about it */
#define SL_META_F_ICMP_ERROR 0x02   /* is an ICMP error we originated */
#define SL_META_F_IP6GW_SEEN 0x04   /* IPv6 gateway (issue 6): ip6gw_in looked at
				     * it; route6 routes it on the Internet side */

/**
 * Per-packet metadata in the mbuf private area (the pool is created with
 * priv_size >= sizeof(struct sl_meta)). Filled progressively by stages.
 */
struct sl_meta {
	uint32_t vpc_index; /**< ingress VPC, or SL_VPC_INTERNET */
	uint32_t nh;	    /**< next-hop index after route lookup */
	uint16_t in_port;   /**< DPDK port id the packet arrived on */
	uint16_t in_vlan;   /**< ingress 802.1Q VLAN id, 0 = untagged */
	uint16_t l3_off;    /**< from the start of packet data */
	uint16_t l4_off;    /**< 0 if unknown */
	uint16_t out_port;  /**< egress DPDK port id (set by NEIGH) */
	uint16_t out_vlan;  /**< egress VLAN id, 0 = untagged */
	uint8_t family;	    /**< SL_AF_INET / SL_AF_INET6 */
	uint8_t in_role;    /**< enum sl_port_role */
	uint8_t l4_proto;   /**< IPPROTO_* after IPv6 extension headers */
	uint8_t flags;	    /**< SL_META_F_* */
	uint8_t punt;	    /**< enum sl_punt_reason */
	uint8_t icmp_type;  /**< for the ICMP error stages */
	uint8_t icmp_code;
	uint8_t trace;	    /**< packet trace number, 0 = not traced (sl_trace.h);
			     * set by eth_input, carried on to packets made
			     * from this one */
	uint32_t icmp_info; /**< MTU for frag-needed / packet-too-big */
	/* police4 (issue 7): the public IP the packet was translated to or
	 * from, as its index in the NAT section + 1 (0 = none); set by the
	 * translating stage (eip4; snat4/nat4_in) that hands it to POLICE4,
	 * which polices it in the direction of md->in_role (outside = from
	 * the Internet). Meaningful only on the way to POLICE4.
	 * police6: the IPv6 address's index in the IPv6 gateway section + 1,
	 * set by ip6gw_out / ip6gw_in on the way to POLICE6.
	 * Kept in the first cache line with everything eth_input writes
	 * (issue 9: one line of metadata per packet on the fast path). */
	uint32_t pub_ip;
	uint8_t nh_addr[16]; /**< address to resolve (v4 in the first 4 bytes) */
	uint8_t src_addr[16]; /**< gateway's own address on the egress link (ARP/NS
			       * sender); set with nh_addr by NEIGH so the main
			       * lcore never needs a bank of another generation */
};

/* eth_input initialises every field up to pub_ip for every packet; the
 * addresses after it are written only for punted packets. */
static_assert(offsetof(struct sl_meta, pub_ip) + sizeof(uint32_t) <= RTE_CACHE_LINE_MIN_SIZE,
	      "the fast path's metadata is one cache line");

static inline struct sl_meta *sl_meta(struct rte_mbuf *m)
{
	return (struct sl_meta *)rte_mbuf_to_priv(m);
}

struct sl_dp;

/**
 * What stages need to know about ports. Filled by the core at start-up
 * before any worker runs, read-only afterwards (no synchronisation needed).
 */
struct sl_port_info {
	struct rte_ether_addr mac;
	uint8_t role;	 /**< enum sl_port_role */
	uint8_t enabled; /**< 1 if sluice-dp owns this port id */
	uint16_t mtu;	 /**< IP MTU */
	uint8_t trunk;	 /**< inside: trunk number (k-th inside port) */
	uint8_t exc;	 /**< has an exception path: the gateway's own traffic
			  * other than echo goes to the host kernel (exception.c) */
	uint16_t exc_port; /**< the exception path's TAP port id (when exc) */
	/* operators' counters (issue 11) */
	uint8_t stats_idx; /**< 1 + the port's index in the stats area's port[]
			    * and queue[][] (config order); 0 = not exported */
};
extern struct sl_port_info sl_ports[RTE_MAX_ETHPORTS];
/** First port of each role, RTE_MAX_ETHPORTS if none. */
extern uint16_t sl_role_port[SL_ROLE_MAX];
/** Port of each trunk (the inside port sl_ports[p].trunk == k), or
 * RTE_MAX_ETHPORTS; written with sl_ports, read-only afterwards. */
extern uint16_t sl_trunk_port[SL_MAX_TRUNKS];
/** Packet pool (priv area holds struct sl_meta); stages that originate
 * packets (ICMP errors, fragments) allocate from it. */
extern struct rte_mempool *sl_pktmbuf_pool;

/** An lcore's per-port transmit buffer. */
struct sl_txbuf {
	uint16_t n;
	struct rte_mbuf *m[SL_BURST];
};

struct sl_vec {
	uint16_t n;
	struct rte_mbuf *m[SL_VEC_MAX];
};

/** Token bucket for originated ICMP errors (RFC 1812 4.3.2.8, RFC 4443 2.4f). */
struct sl_icmp_limit {
	uint64_t tokens;    /**< scaled by tsc_hz */
	uint64_t last_tsc;
};

/** Per-lcore state. Owned by one lcore; nobody else writes it. */
struct sl_worker {
	struct sl_dp *dp;
	unsigned int lcore_id;
	unsigned int slot;   /**< index into shm lcore[] and stats lcore[] */
	uint16_t queue_id;   /**< rx/tx queue this lcore owns on every port */
	uint16_t cur_stage;  /**< stage running now (the dispatcher sets it; packet
			      * trace records say who acted); SL_STAGE_MAX on
			      * the rx path */
	uint64_t now_tsc;    /**< rte_rdtsc() at the start of the iteration */
	const struct sl_bank_header *bank; /**< active bank, NULL before the first */
	uint64_t gen;
	struct sl_lcore_stats *stats; /**< in the shared stats area */
	/* operators' counters (issue 11), rows of this slot in the stats area,
	 * NULL in harnesses without a segment (nothing counted) */
	struct sl_queue_stats *qstats; /**< queue[slot][], by port stats_idx - 1 */
	struct sl_rt_stats *rtstats;   /**< rt[slot][], by sl_rt_stats_index() */
	struct sl_icmp_limit icmp_limit;
	struct sl_trace *trace; /**< packet trace (sl_trace.h), NULL: none */
	/* ECMP (issue 8): this lcore's per-member packet counters in the
	 * stats area (sl_stats_header.nhg[slot].pkts), NULL: not counted */
	uint64_t *nhg_pkts;
	/* ECMP: group members whose neighbour is FAILED (bit nh of
	 * nhg_failed[nh / 64], nh < SL_NHG_COUNTED), written by the main lcore
	 * (sl_dp.nhg_failed), NULL: none skipped */
	const _Atomic uint64_t *nhg_failed;
	struct sl_vec vec[SL_STAGE_MAX];
	struct sl_txbuf tx[RTE_MAX_ETHPORTS];
};

/* ---- counters and hand-off helpers ------------------------------------ */

static inline void sl_count(struct sl_worker *w, enum sl_counter c, uint64_t n)
{
	w->stats->cnt[c] += n;
}

/* ---- operators' counters (issue 11): per queue, per route table -------- */

/** The queue counters of port `port` (DPDK id) in this lcore's row, NULL if
 * the port is not exported or the lcore has no row. */
static inline struct sl_queue_stats *sl_qstats(struct sl_worker *w, uint16_t port)
{
	if (unlikely(port >= RTE_MAX_ETHPORTS || sl_ports[port].stats_idx == 0 ||
		     w->qstats == NULL))
		return NULL;
	return &w->qstats[sl_ports[port].stats_idx - 1];
}

/** A packet dropped NO_MBUF: count it on the queue it came from. */
static inline void sl_count_nombuf(struct sl_worker *w, const struct rte_mbuf *m)
{
	struct sl_queue_stats *q = sl_qstats(w, m->port);

	if (q)
		q->no_mbuf++;
}

/**
 * route4/route6's route table counters (issue 11), folded into the stages'
 * own passes (issue 9: no extra walk over the vector). In the first pass,
 * for each packet the stage is about to look up, sl_rt_count_row() returns
 * the counter row of its table (md->vpc_index: the table that routes it)
 * and prefetches it, so the misses of a vector's rows (10,000 VPCs: 160 KiB
 * of counters per lcore) overlap with the lookups; the dispatch pass
 * counts the packet and its IP bytes there with sl_rt_count(). Not
 * counted, as the stages do not look them up: a packet of a VPC the bank
 * no longer has (dropped NO_ROUTE) and an Internet-side packet route6
 * first hands to IP6GW_IN (counted when it comes back,
 * SL_META_F_IP6GW_SEEN). SL_RT_STATS: a row that is not counted.
 */
static inline uint32_t sl_rt_count_row(struct sl_worker *w, uint32_t vpc_index)
{
	uint32_t t;

	if (unlikely(w->rtstats == NULL))
		return SL_RT_STATS;
	t = sl_rt_stats_index(vpc_index);
	if (likely(t < SL_RT_STATS))
		rte_prefetch0(&w->rtstats[t]);
	return t;
}

static inline void sl_rt_count(struct sl_worker *w, uint32_t row, struct rte_mbuf *m)
{
	if (unlikely(row >= SL_RT_STATS))
		return;
	w->rtstats[row].pkts++;
	w->rtstats[row].bytes += m->pkt_len - sl_meta(m)->l3_off;
}

/**
 * Count the packet under `reason` and free it. The packet's metadata must
 * be valid (eth_input ran, or the packet was made by the gateway): a frame
 * fresh from the port drops with sl_drop_raw().
 */
static inline void sl_drop(struct sl_worker *w, struct rte_mbuf *m, enum sl_drop_reason reason)
{
	w->stats->drop[reason]++;
	if (unlikely(reason == SL_DROP_NO_MBUF))
		sl_count_nombuf(w, m);
	if (unlikely(sl_meta(m)->trace))
		sl_trace_event(w, m, SL_TRACE_DROP, (uint16_t)reason);
	rte_pktmbuf_free(m);
}

/** sl_drop() for a frame whose metadata was never initialised. */
static inline void sl_drop_raw(struct sl_worker *w, struct rte_mbuf *m,
			       enum sl_drop_reason reason)
{
	w->stats->drop[reason]++;
	if (unlikely(reason == SL_DROP_NO_MBUF))
		sl_count_nombuf(w, m);
	rte_pktmbuf_free(m);
}

/** Hand `m` to `stage`'s input vector. */
static inline void sl_next(struct sl_worker *w, struct rte_mbuf *m, enum sl_stage stage)
{
	struct sl_vec *v = &w->vec[stage];

	if (unlikely(v->n == SL_VEC_MAX)) {
		sl_drop(w, m, SL_DROP_NO_MBUF);
		return;
	}
	if (unlikely(sl_meta(m)->trace))
		sl_trace_event(w, m, SL_TRACE_NEXT, (uint16_t)stage);
	v->m[v->n++] = m;
}

/* Trace notes: what a table index and a next-hop type are called. */
static inline const char *sl_trace_table(uint32_t vpc_index)
{
	return vpc_index == SL_VPC_INTERNET ? "inet" : "vpc";
}

static inline uint32_t sl_trace_table_no(uint32_t vpc_index)
{
	return vpc_index == SL_VPC_INTERNET ? 0 : vpc_index;
}

static inline const char *sl_trace_nh_type(uint8_t type)
{
	static const char *const names[] = {"unreachable", "blackhole", "local",
					    "connected",   "gateway",	"natgw",
					    "ip6gw",	   "group"};

	return type < RTE_DIM(names) ? names[type] : "other";
}

/** Hand a frame fresh from a port to eth_input: its metadata is stale
 * until eth_input initialises it, so no trace hook looks at it. */
static inline void sl_next_rx(struct sl_worker *w, struct rte_mbuf *m)
{
	struct sl_vec *v = &w->vec[SL_STAGE_ETH_INPUT];

	if (unlikely(v->n == SL_VEC_MAX)) {
		sl_drop_raw(w, m, SL_DROP_NO_MBUF);
		return;
	}
	v->m[v->n++] = m;
}

/** eth_input: the frame's trace number, 0 when nothing is traced. */
static inline uint8_t sl_trace_claim(struct sl_worker *w, const struct rte_mbuf *m)
{
	if (likely(w->trace == NULL ||
		   atomic_load_explicit(&w->trace->budget, memory_order_relaxed) == 0))
		return 0;
	return sl_trace_claim_slow(w, m);
}

/**
 * Ask for an ICMP/ICMPv6 error about `m`: count `reason` (the packet's own
 * fate) and hand `m` to the error stage of its family, which turns it into
 * the error (or drops it, e.g. rate limit, error about an error).
 */
static inline void sl_icmp_error(struct sl_worker *w, struct rte_mbuf *m, uint8_t type,
				 uint8_t code, uint32_t info, enum sl_drop_reason reason)
{
	struct sl_meta *md = sl_meta(m);

	w->stats->drop[reason]++;
	if (unlikely(md->trace))
		sl_trace_event(w, m, SL_TRACE_DROP, (uint16_t)reason);
	md->icmp_type = type;
	md->icmp_code = code;
	md->icmp_info = info;
	sl_next(w, m, md->family == SL_AF_INET6 ? SL_STAGE_ICMP6_ERROR : SL_STAGE_ICMP4_ERROR);
}

/* ---- table accessors (valid only within one loop iteration) ----------- */

static inline const struct sl_nexthop *sl_bank_nh(const struct sl_bank_header *b, uint32_t nh)
{
	if (unlikely(nh >= b->n_nexthops))
		nh = SL_NH_NONE;
	return SL_BANK_PTR(b, b->nh_off, const struct sl_nexthop) + nh;
}

/* ---- ECMP next-hop groups (issue 8, sl_shm.h struct sl_nh_group) ------- */

static inline uint32_t sl_hash_mix(uint32_t h, uint32_t v)
{
	h ^= v;
	h *= UINT32_C(0x85ebca6b);
	return h ^ (h >> 15);
}

/**
 * Flow hash for choosing a group member: the port's RSS hash when it gave
 * one (RTE_MBUF_F_RX_RSS_HASH), else addresses and, for TCP, UDP and SCTP
 * that are not fragments, ports. A fragment, ICMP or any other protocol is
 * hashed by addresses only (IPv6: plus the flow label, RFC 6438), so every
 * packet of a flow, its fragments included, takes the same member. An
 * IPv6 packet with extension headers is hashed like a fragment (its first
 * fragment carries the fragment header). Needs l3_off/l4_off/l4_proto
 * from ip4_input/ip6_input.
 */
static inline uint32_t sl_flow_hash(struct rte_mbuf *m)
{
	const struct sl_meta *md = sl_meta(m);
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l3_off);
	bool ports = md->l4_proto == IPPROTO_TCP || md->l4_proto == IPPROTO_UDP ||
		     md->l4_proto == IPPROTO_SCTP;
	uint32_t h = md->l4_proto == IPPROTO_ICMP || md->l4_proto == IPPROTO_ICMPV6
			     ? 0
			     : md->l4_proto,
		 v;

	if (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH)
		return m->hash.rss;
	if (md->family == SL_AF_INET) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;

		/* MF or a fragment offset: no ports in this or the next */
		if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
							   RTE_IPV4_HDR_OFFSET_MASK))
			ports = false, h = 0;
		h = sl_hash_mix(h, ip->src_addr);
		h = sl_hash_mix(h, ip->dst_addr);
	} else {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;

		if (md->l4_off != md->l3_off + sizeof(*ip))
			ports = false, h = 0;
		for (unsigned int i = 0; i < 16; i += 4) {
			memcpy(&v, &ip->src_addr[i], 4);
			h = sl_hash_mix(h, v);
			memcpy(&v, &ip->dst_addr[i], 4);
			h = sl_hash_mix(h, v);
		}
		h = sl_hash_mix(h, ip->vtc_flow & rte_cpu_to_be_32(0xfffff));
	}
	if (ports && md->l4_off + 4u <= rte_pktmbuf_data_len(m)) {
		memcpy(&v, rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l4_off), 4);
		h = sl_hash_mix(h, v);
	}
	return h;
}

static inline bool sl_nhg_failed(const struct sl_worker *w, uint32_t nh)
{
	return w->nhg_failed != NULL && nh < SL_NHG_COUNTED &&
	       ((atomic_load_explicit(&w->nhg_failed[nh / 64], memory_order_relaxed) >>
		 (nh % 64)) & 1);
}

/* The member of the first bucket after `s` whose neighbour is not FAILED,
 * or `nh` if every member's is: only the failed member's flows move, each
 * to a member that stays stable while the failure lasts. */
static inline uint32_t sl_nhg_live(const struct sl_worker *w, const struct sl_nexthop *g,
				   uint32_t s, uint32_t nh)
{
	for (uint32_t k = 1; k < SL_NHG_SLOTS; k++) {
		uint32_t m = g->grp.member[g->grp.slot[(s + k) % SL_NHG_SLOTS] & (SL_NHG_MAX - 1)];

		if (m != nh && !sl_nhg_failed(w, m))
			return m;
	}
	return nh;
}

/** The member of group `g` (type SL_NH_GROUP) that takes `m`'s flow, as a
 * global next-hop index, skipping a member whose neighbour entry is FAILED
 * (ARP/ND unanswered: the main lcore marks it in w->nhg_failed); counted
 * per member. */
static inline uint32_t sl_nhg_select(struct sl_worker *w, struct rte_mbuf *m,
				     const struct sl_nexthop *g)
{
	uint32_t s = sl_nhg_bucket(sl_flow_hash(m));
	uint32_t nh = g->grp.member[g->grp.slot[s] & (SL_NHG_MAX - 1)];

	if (unlikely(sl_nhg_failed(w, nh)))
		nh = sl_nhg_live(w, g, s, nh);
	if (likely(w->nhg_pkts != NULL) && nh < SL_NHG_COUNTED)
		w->nhg_pkts[nh]++;
	return nh;
}

/** sl_bank_nh(), with a group standing for its first member: for lookups
 * that want the egress's properties (an ICMP error's source address), not
 * a path for a flow. */
static inline const struct sl_nexthop *sl_bank_nh_plain(const struct sl_bank_header *b,
							 uint32_t nh)
{
	const struct sl_nexthop *n = sl_bank_nh(b, nh);

	return n->type == SL_NH_GROUP ? sl_bank_nh(b, n->grp.member[0]) : n;
}

/* ---- NAT section (sl_shm.h, struct sl_nat_sec) -------------------------- */

/** The bank's NAT section, NULL if none (sl_bank_valid checked its bounds). */
static inline const struct sl_nat_sec *sl_bank_nat(const struct sl_bank_header *b)
{
	return b->nat_off ? SL_BANK_PTR(b, b->nat_off, const struct sl_nat_sec) : NULL;
}

#define SL_NAT_SEC_PTR(sec, off, type) ((const type *)((const uint8_t *)(sec) + (off)))

/** The public IP with host-order address `addr`, NULL if none. */
static inline const struct sl_nat_ip_ent *sl_nat_ip_find(const struct sl_nat_sec *sec,
							 uint32_t addr)
{
	const struct sl_nat_addr_ent *a = SL_NAT_SEC_PTR(sec, sec->addr_off, struct sl_nat_addr_ent);
	uint32_t lo = 0, n = sec->n_addrs;

	if (n == 0)
		return NULL;
	/* Lower bound without branches (a conditional move per step): the
	 * NAT stages search per packet, and a mispredicted branch per step
	 * cost more than the search itself (docs/BENCHMARKS.md, NAT mixes). */
	while (n > 1) {
		uint32_t half = n / 2;

		lo = a[lo + half].addr < addr ? lo + half : lo;
		n -= half;
	}
	lo += a[lo].addr < addr;
	if (lo >= sec->n_addrs || a[lo].addr != addr || a[lo].ip >= sec->n_ips)
		return NULL;
	return SL_NAT_SEC_PTR(sec, sec->ip_off, struct sl_nat_ip_ent) + a[lo].ip;
}

/** The EIP 1:1 binding of private address `priv` (host order) in VPC
 * `vpc`, NULL if none. */
static inline const struct sl_nat_eip_ent *sl_nat_eip_find(const struct sl_nat_sec *sec,
							   uint32_t vpc, uint32_t priv)
{
	const struct sl_nat_eip_ent *e = SL_NAT_SEC_PTR(sec, sec->eip_off, struct sl_nat_eip_ent);
	uint64_t key = (uint64_t)vpc << 32 | priv;
	uint32_t lo = 0, n = sec->n_eip;

	if (n == 0)
		return NULL;
	while (n > 1) { /* lower bound without branches, as sl_nat_ip_find */
		uint32_t half = n / 2;

		lo = ((uint64_t)e[lo + half].vpc_index << 32 | e[lo + half].priv) < key ? lo + half
											: lo;
		n -= half;
	}
	lo += ((uint64_t)e[lo].vpc_index << 32 | e[lo].priv) < key;
	if (lo >= sec->n_eip || e[lo].vpc_index != vpc || e[lo].priv != priv)
		return NULL;
	return &e[lo];
}

/* ---- police section (sl_shm.h, struct sl_pol_sec) ------------------------ */

/** The bank's police section, NULL if none (sl_bank_valid checked it). */
static inline const struct sl_pol_sec *sl_bank_police(const struct sl_bank_header *b)
{
	return b->police_off ? SL_BANK_PTR(b, b->police_off, const struct sl_pol_sec) : NULL;
}

#define SL_POL_SEC_PTR(sec, off, type) ((const type *)((const uint8_t *)(sec) + (off)))

/** The policer index of public IP index `ip` (NAT section) in direction
 * `dir`, SL_POL_IDX_NONE if it is not policed. */
static inline uint32_t sl_pol_of_ip(const struct sl_pol_sec *sec, uint32_t ip, unsigned int dir)
{
	if (sec == NULL || ip >= sec->n_ips)
		return SL_POL_IDX_NONE;
	return SL_POL_SEC_PTR(sec, sec->ip_off, struct sl_pol_ip_ent)[ip].pol[dir];
}

/**
 * The stage after a translation to or from public IP index `ip` (NAT
 * section): POLICE4 if the IP has a policer in the packet's direction
 * (from the Internet if it came in on the outside), else ROUTE4; records
 * the IP in md->pub_ip for police4. For eip4, snat4 and nat4_in.
 */
static inline enum sl_stage sl_police4_next(const struct sl_worker *w, struct sl_meta *md,
					    uint32_t ip)
{
	unsigned int dir = md->in_role == SL_ROLE_OUTSIDE ? SL_POL_DIR_IN : SL_POL_DIR_OUT;

	md->pub_ip = ip + 1;
	return sl_pol_of_ip(sl_bank_police(w->bank), ip, dir) != SL_POL_IDX_NONE
		   ? SL_STAGE_POLICE4
		   : SL_STAGE_ROUTE4;
}

/* ---- police6 (issues 7/6) ---- */

/** The policer index of IPv6 gateway address index `a` in direction
 * `dir`, SL_POL_IDX_NONE if it is not policed. */
static inline uint32_t sl_pol_of_ip6(const struct sl_pol_sec *sec, uint32_t a, unsigned int dir)
{
	if (sec == NULL || a >= sec->n_ip6)
		return SL_POL_IDX_NONE;
	return SL_POL_SEC_PTR(sec, sec->ip6_off, struct sl_pol_ip6_ent)[a].pol[dir];
}

/** The direction police6 meters a packet in: md->vpc_index is the
 * Internet's after ip6gw_out (to the Internet), the VPC's after ip6gw_in
 * (from the Internet). */
static inline unsigned int sl_police6_dir(const struct sl_meta *md)
{
	return md->vpc_index == SL_VPC_INTERNET ? SL_POL_DIR_OUT : SL_POL_DIR_IN;
}

/**
 * The stage after ip6gw_out / ip6gw_in let a packet of IPv6 gateway
 * address index `a` through (md->vpc_index already set): POLICE6 if the
 * address has a policer in the packet's direction, else `next`; records
 * the address in md->pub_ip for police6.
 */
static inline enum sl_stage sl_police6_next(const struct sl_worker *w, struct sl_meta *md,
					    uint32_t a, enum sl_stage next)
{
	md->pub_ip = a + 1;
	return sl_pol_of_ip6(sl_bank_police(w->bank), a, sl_police6_dir(md)) != SL_POL_IDX_NONE
		   ? SL_STAGE_POLICE6
		   : next;
}

static inline const struct sl_vpc *sl_bank_vpc(const struct sl_bank_header *b, uint32_t idx)
{
	if (unlikely(idx >= b->n_vpcs))
		return NULL;
	return SL_BANK_PTR(b, b->vpc_off, const struct sl_vpc) + idx;
}

/** Route table for a VPC index or SL_VPC_INTERNET; NULL if unknown. */
static inline const struct sl_route_table *sl_bank_rt(const struct sl_bank_header *b, uint32_t vpc)
{
	const struct sl_vpc *v;

	if (vpc == SL_VPC_INTERNET)
		return &b->inet;
	v = sl_bank_vpc(b, vpc);
	return v ? &v->rt : NULL;
}

/** Longest-prefix match of a host-order IPv4 address: next-hop index. */
static inline uint32_t sl_rt4_lookup(const struct sl_bank_header *b, const struct sl_route_table *rt,
				     uint32_t addr)
{
	const struct sl_rt4_entry *e = SL_BANK_PTR(b, rt->v4_off, const struct sl_rt4_entry);
	uint32_t lo = 0, n = rt->v4_n;

	if (rt->flags & SL_RT_F_FIB) /* the Internet table of a big bank */
		return sl_fib4_lookup(b, &b->fib4, addr);
	if (unlikely(n == 0))
		return SL_NH_NONE;
	/* Branch-light binary search for the last start <= addr; e[0].start
	 * is 0 so the answer always exists. */
	while (n > 1) {
		uint32_t half = n / 2;
		lo = (e[lo + half].start <= addr) ? lo + half : lo;
		n -= half;
	}
	return e[lo].nh;
}

static inline int sl_u128_le(uint64_t ahi, uint64_t alo, uint64_t bhi, uint64_t blo)
{
	return ahi < bhi || (ahi == bhi && alo <= blo);
}

/** The value of the last of the IPv6 intervals e[0..n) whose start <= the
 * address (host-order halves); e[0] starts at 0. 0 if n is 0. */
static inline uint32_t sl_rt6_search(const struct sl_rt6_entry *e, uint32_t n, uint64_t hi,
				     uint64_t lo_addr)
{
	uint32_t lo = 0;

	if (unlikely(n == 0))
		return SL_NH_NONE;
	while (n > 1) {
		uint32_t half = n / 2;
		lo = sl_u128_le(e[lo + half].start_hi, e[lo + half].start_lo, hi, lo_addr) ? lo + half
											   : lo;
		n -= half;
	}
	return e[lo].nh;
}

/** Longest-prefix match of an IPv6 address given as host-order halves. */
static inline uint32_t sl_rt6_lookup(const struct sl_bank_header *b, const struct sl_route_table *rt,
				     uint64_t hi, uint64_t lo_addr)
{
	if (rt->flags & SL_RT_F_FIB) {
		uint64_t be[2] = {rte_cpu_to_be_64(hi), rte_cpu_to_be_64(lo_addr)};

		return sl_fib6_lookup(b, &b->fib6, (const uint8_t *)be);
	}
	return sl_rt6_search(SL_BANK_PTR(b, rt->v6_off, const struct sl_rt6_entry), rt->v6_n, hi,
			     lo_addr);
}

/** Egress port of a next hop: its trunk's port on the inside, the outside
 * port otherwise; RTE_MAX_ETHPORTS if there is none. */
static inline uint16_t sl_nh_port(const struct sl_nexthop *nh)
{
	if (nh->port_role == SL_ROLE_INSIDE)
		return nh->trunk < SL_MAX_TRUNKS ? sl_trunk_port[nh->trunk] : RTE_MAX_ETHPORTS;
	return nh->port_role < SL_ROLE_MAX ? sl_role_port[nh->port_role] : RTE_MAX_ETHPORTS;
}

/* ---- stage entry points (one file each) -------------------------------- */

typedef void (*sl_stage_fn)(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);

void sl_stage_eth_input(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_ip4_input(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_ip6_input(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_eip4(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_snat4(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_nat4_in(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_police4(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_police6(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n); /* police6 */
void sl_stage_route4(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_route6(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_ip6gw_in(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_ip6gw_out(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_local4(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_local6(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_forward4(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_forward6(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_icmp4_error(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_icmp6_error(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_neigh(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_tx(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);
void sl_stage_punt(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n);

/** Run `n` packets from `first` until every stage vector is empty. */
void sl_pipeline_run(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n, enum sl_stage first);

/** Stage names for traces and counters, indexed by enum sl_stage. */
extern const char *const sl_stage_names[SL_STAGE_MAX];

#endif /* SL_PIPELINE_H */
