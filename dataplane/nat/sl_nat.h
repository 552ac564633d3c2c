/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT session core of sluice-dp (issue 5, first slice): the session table
 * every worker shares, endpoint-independent port mappings per public IP,
 * paired pooling, RFC 4787/5382/5508 timeouts with a TCP state machine,
 * per-gateway limits and per-lcore counters. Design: nat_session.c and
 * docs/nat.md.
 *
 * Concurrency rules (details in nat_session.c):
 *   - lookups (sl_nat_lookup*, sl_nat_touch) are lock-free from any worker
 *     (rte_hash with RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF);
 *   - every change of the table's structure (create, delete, expire,
 *     reclaim, configuration) happens under t->lock, taken only on the miss
 *     path and by the bounded expiry scan, never for a hit;
 *   - a session's keys and translation are written before its keys are
 *     published and never change while it lives; readers update only its
 *     `last` tick and `tcp` bits, with relaxed atomics;
 *   - a deleted session, its mapping and its hash positions are reused only
 *     after every worker reported a quiescent state (rte_rcu_qsbr): a
 *     worker holds no session pointer across loop iterations.
 *
 * Addresses and ports are in host order everywhere in this API.
 */
#ifndef SL_NAT_H
#define SL_NAT_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_rcu_qsbr.h>
#include <rte_spinlock.h>

/* ---- keys ------------------------------------------------------------------ */

/** What a hash key stands for. */
enum sl_nat_kind {
	SL_NAT_K_IN = 1,  /**< session, inside original: inside -> remote */
	SL_NAT_K_OUT = 2, /**< session, outside reply: remote -> public */
	/* 3 and 4 were the mappings' keys: mappings have their own index
	 * (struct sl_nat_mslot) since the NAT performance pass */
};

/** Direction of a packet relative to its session. */
enum sl_nat_dir {
	SL_NAT_DIR_ORIG = 0,  /**< matched the inside key: to be source-translated */
	SL_NAT_DIR_REPLY = 1, /**< matched the outside key: to be destination-translated */
};

/**
 * Hash key, 16 bytes, no padding (the CRC hash reads it in 8-byte words).
 * Inside keys carry the NAT gateway index (private addresses overlap
 * between VPCs); outside keys have gw 0 (a public IP belongs to one
 * gateway). ICMP query messages: the identifier is the inside key's sport
 * and the outside key's dport, the other port is 0.
 */
struct __attribute__((aligned(8))) sl_nat_key {
	uint32_t src;
	uint32_t dst;
	uint16_t sport;
	uint16_t dport;
	uint8_t proto; /**< IPPROTO_TCP / IPPROTO_UDP / IPPROTO_ICMP */
	uint8_t kind;  /**< enum sl_nat_kind */
	uint16_t gw;
};

_Static_assert(sizeof(struct sl_nat_key) == 16, "NAT key");

/** Key of a packet seen on the inside of gateway `gw`. */
static inline void sl_nat_key_in(struct sl_nat_key *k, uint16_t gw, uint8_t proto, uint32_t src,
				 uint16_t sport, uint32_t dst, uint16_t dport)
{
	*k = (struct sl_nat_key){.src = src,
				 .dst = dst,
				 .sport = sport,
				 .dport = dport,
				 .proto = proto,
				 .kind = SL_NAT_K_IN,
				 .gw = gw};
}

/** Key of a packet seen on the outside (to a public address). */
static inline void sl_nat_key_out(struct sl_nat_key *k, uint8_t proto, uint32_t src, uint16_t sport,
				  uint32_t dst, uint16_t dport)
{
	*k = (struct sl_nat_key){.src = src,
				 .dst = dst,
				 .sport = sport,
				 .dport = dport,
				 .proto = proto,
				 .kind = SL_NAT_K_OUT,
				 .gw = 0};
}

/* ---- TCP state from flags -------------------------------------------------- */

/* Bits a session has seen; ORIG bits shifted by 0, REPLY bits by 1. */
#define SL_NAT_TCP_SYN0 0x01
#define SL_NAT_TCP_SYN1 0x02
#define SL_NAT_TCP_ACK0 0x04
#define SL_NAT_TCP_ACK1 0x08
#define SL_NAT_TCP_FIN0 0x10
#define SL_NAT_TCP_FIN1 0x20
#define SL_NAT_TCP_RST 0x40

/* TCP header flag bits (RFC 9293). */
#define SL_TCPF_FIN 0x01
#define SL_TCPF_SYN 0x02
#define SL_TCPF_RST 0x04
#define SL_TCPF_ACK 0x10

/** Idle timeout classes (struct sl_nat_conf, seconds). */
enum sl_nat_tmo {
	SL_NAT_TMO_UDP,
	SL_NAT_TMO_TCP_EST,
	SL_NAT_TMO_TCP_TRANS,
	SL_NAT_TMO_ICMP,
	SL_NAT_TMO_MAX,
};

/** Bits a packet with TCP `flags` in direction `dir` contributes. */
static inline uint8_t sl_nat_tcp_bits(unsigned int dir, uint8_t flags)
{
	uint8_t b = 0;

	if (flags & SL_TCPF_SYN)
		b |= SL_NAT_TCP_SYN0 << dir;
	if (flags & SL_TCPF_ACK)
		b |= SL_NAT_TCP_ACK0 << dir;
	if (flags & SL_TCPF_FIN)
		b |= SL_NAT_TCP_FIN0 << dir;
	if (flags & SL_TCPF_RST)
		b |= SL_NAT_TCP_RST;
	return b;
}

/** Closed: reset, or FIN seen both ways. */
static inline bool sl_nat_tcp_closed(uint8_t st)
{
	return (st & SL_NAT_TCP_RST) ||
	       (st & (SL_NAT_TCP_FIN0 | SL_NAT_TCP_FIN1)) == (SL_NAT_TCP_FIN0 | SL_NAT_TCP_FIN1);
}

/**
 * Timeout class of a TCP session (RFC 5382 REQ-5): established once both
 * ends have sent an ACK (the third segment of the handshake, or any two
 * mid-stream segments of a connection picked up after a restart) until a
 * RST or FINs both ways; transitory before (partially open) and after
 * (closing, TIME_WAIT). One FIN (half-close) stays established.
 */
static inline enum sl_nat_tmo sl_nat_tcp_class(uint8_t st)
{
	if (sl_nat_tcp_closed(st))
		return SL_NAT_TMO_TCP_TRANS;
	if ((st & (SL_NAT_TCP_ACK0 | SL_NAT_TCP_ACK1)) == (SL_NAT_TCP_ACK0 | SL_NAT_TCP_ACK1))
		return SL_NAT_TMO_TCP_EST;
	return SL_NAT_TMO_TCP_TRANS;
}

/** Next state: `st` plus the packet's bits; a bare SYN on a closed
 * session starts it again (same 5-tuple reused after TIME_WAIT). */
static inline uint8_t sl_nat_tcp_next(uint8_t st, unsigned int dir, uint8_t flags)
{
	uint8_t b = sl_nat_tcp_bits(dir, flags);

	if ((flags & (SL_TCPF_SYN | SL_TCPF_ACK | SL_TCPF_RST)) == SL_TCPF_SYN &&
	    sl_nat_tcp_closed(st))
		return b;
	return st | b;
}

/* ---- counters -------------------------------------------------------------- */

/* Drops and refusals of the miss path: what sl_nat_create_*() return.
 * X(symbol, counter name, description). */
#define SL_NAT_FOREACH_DROP(X)                                                                     \
	X(SESSION_LIMIT, session_limit,                                                            \
	  "new session beyond the gateway's concurrent-session limit")                             \
	X(RATE_LIMIT, rate_limit,                                                                  \
	  "new session beyond the gateway's new-sessions-per-second limit")                        \
	X(PORTS_EXHAUSTED, ports_exhausted,                                                        \
	  "no free port on the public IP the source is paired with")                               \
	X(TABLE_FULL, table_full, "session table full")                                            \
	X(FILTERED, filtered,                                                                      \
	  "inbound packet to a mapping, refused by address(-and-port) filtering")                  \
	X(NO_MAPPING, no_mapping, "inbound packet to a public port without mapping")               \
	X(BAD_PROTO, bad_proto, "protocol other than TCP, UDP, ICMP query")                        \
	X(NO_POOL, no_pool, "no usable public IP in the pool")                                     \
	X(CONFLICT, conflict, "the new session's other tuple belongs to another session")

/* Events. */
#define SL_NAT_FOREACH_EVENT(X)                                                                    \
	X(LOOKUP_HIT, lookup_hit, "lookups that found a session")                                  \
	X(LOOKUP_MISS, lookup_miss, "lookups that found none")                                     \
	X(CREATED, created, "sessions created")                                                    \
	X(CREATE_RACE, create_race,                                                                \
	  "creations that found the session another worker had just made")                         \
	X(MAPPING_NEW, mapping_new, "mappings (public port) allocated")                            \
	X(MAPPING_REUSED, mapping_reused,                                                          \
	  "sessions that reused a live mapping (endpoint-independent)")                            \
	X(EXPIRED, expired, "sessions expired")                                                    \
	X(DELETED, deleted, "sessions deleted by the control side")

enum sl_nat_drop {
	SL_NAT_OK = 0,
#define SL_NAT_X(sym, name, desc) SL_NAT_DROP_##sym,
	SL_NAT_FOREACH_DROP(SL_NAT_X)
#undef SL_NAT_X
	    SL_NAT_DROP_MAX
};

/** Counter index: the drops first (same numbers as enum sl_nat_drop), then
 * the events. */
enum sl_nat_counter {
	SL_NAT_C_NONE = 0,
#define SL_NAT_X(sym, name, desc) SL_NAT_C_DROP_##sym,
	SL_NAT_FOREACH_DROP(SL_NAT_X)
#undef SL_NAT_X
#define SL_NAT_X(sym, name, desc) SL_NAT_C_##sym,
	    SL_NAT_FOREACH_EVENT(SL_NAT_X)
#undef SL_NAT_X
		SL_NAT_C_MAX
};

/** Name of a counter ("lookup_hit", "drop_ports_exhausted", ...). */
const char *sl_nat_counter_name(enum sl_nat_counter c);

/** One lcore's counters, its own cache lines, plain stores (one writer). */
struct sl_nat_lcore_stats {
	uint64_t c[SL_NAT_C_MAX];
} __rte_cache_aligned;

/** Counters of one gateway on one lcore (summed on read). */
struct sl_nat_gw_stats {
	uint64_t drop[SL_NAT_DROP_MAX]; /**< by enum sl_nat_drop (0 unused) */
	uint64_t created;
	uint64_t expired; /**< by the timeout scan */
	uint64_t deleted; /**< by the control side */
} __rte_cache_aligned;

/* ---- objects --------------------------------------------------------------- */

/**
 * A session. k[ORIG] is the inside original tuple, k[REPLY] the outside
 * reply tuple: translating ORIG rewrites (src, sport) to
 * (k[REPLY].dst, k[REPLY].dport); translating REPLY rewrites (dst, dport)
 * to (k[ORIG].src, k[ORIG].sport). One cache line.
 */
struct sl_nat_session {
	struct sl_nat_key k[2]; /**< written before publication, then constant */
	_Atomic uint64_t last;	/**< tick of the last packet (relaxed, any worker) */
	_Atomic uint8_t tcp;	/**< SL_NAT_TCP_* (relaxed CAS, any worker) */
	_Atomic uint8_t live;	/**< 1 from creation until deleted (lock) */
	uint16_t gw;
	uint32_t map;	 /**< mapping index, SL_NAT_NONE for DNAT (lock) */
	uint16_t pubip;	 /**< the mapping's public IP (t->ip index), so a
			  * translation reads no mapping; SL_NAT_PUBIP_NONE
			  * for DNAT. Constant. (Where the hash positions of
			  * k[] were: rte_hash_del_key returns them.) */
	uint16_t pad;
	uint32_t pad2;
	uint64_t origin; /**< what made it (sl_nat_origin_of): its SNAT entry
			  * or forward entry, so deleting that ends it; 0 =
			  * none (endpoint-independent filtering). Constant. */
} __rte_cache_aligned;

_Static_assert(sizeof(struct sl_nat_session) == 64, "one cache line per session");

/** A mapping: (gw, inside ip, port, proto) <-> (public ip, port), shared by
 * every session of that inside endpoint (RFC 4787 REQ-1). Lock only,
 * except that readers may read a published mapping's fields. */
struct sl_nat_mapping {
	uint32_t in_ip;
	uint16_t in_port;
	uint8_t proto;
	uint8_t pad;
	uint32_t pub_ip;
	uint16_t pub_port;
	uint16_t pubip; /**< index in t->ip */
	uint32_t refs;	/**< sessions using it */
	uint16_t gw;
	uint16_t pad2;
	uint64_t pad3;
};

/** A slot of the mapping index (nat_session.c): the hash of the mapping's
 * private or public endpoint, and its index (SL_NAT_NONE: empty). */
struct sl_nat_mslot {
	uint32_t hash;
	uint32_t mi;
};

#define SL_NAT_PORT_WORDS (65536 / 64)
#define SL_NAT_N_PROTO 3 /* TCP, UDP, ICMP */

/** A public IP: which ports (ICMP ids) are taken, per protocol. */
struct sl_nat_pubip {
	uint32_t addr; /**< 0: not configured */
	uint16_t gw;
	uint16_t pad;
	uint32_t used[SL_NAT_N_PROTO];			  /**< ports in use (lock) */
	uint64_t exhausted;				  /**< PORTS_EXHAUSTED drops (lock) */
	uint64_t bits[SL_NAT_N_PROTO][SL_NAT_PORT_WORDS]; /**< 1 = in use (lock) */
};

#define SL_NAT_GW_EIF 0x01 /* endpoint-independent filtering (default: address and port) */

/* Spec limits of the API (seed-vpc-api-2016 3.3). */
#define SL_NAT_SMALL_SESSIONS 10000
#define SL_NAT_SMALL_RATE 1000
#define SL_NAT_MIDDLE_SESSIONS 50000
#define SL_NAT_MIDDLE_RATE 5000
#define SL_NAT_LARGE_SESSIONS 200000
#define SL_NAT_LARGE_RATE 10000

/** A NAT gateway: limits and their state. */
struct sl_nat_gw {
	uint32_t max_sessions;	     /**< 0: gateway not configured */
	uint32_t new_per_sec;	     /**< token bucket rate, burst one second */
	uint32_t flags;		     /**< SL_NAT_GW_* */
	_Atomic uint32_t n_sessions; /**< live sessions; written under lock */
	uint64_t tokens;	     /**< x hz (one session costs hz); lock */
	uint64_t refill;	     /**< tick of the last refill; lock */
} __rte_cache_aligned;

/** A SNAT pool: public IP indices (t->ip) a source may be paired with. */
#define SL_NAT_POOL_MAX 32 /* >= sluiced's SL_SNAT_POOL_MAX (20) */
struct sl_nat_pool {
	uint16_t n;
	uint16_t ip[SL_NAT_POOL_MAX];
	uint64_t origin; /**< recorded in the sessions made from it (0: none) */
};

/** A session's origin: 64-bit FNV-1a of `kind` then `n` bytes naming the
 * object that made it (a SNAT entry's id, a forward entry's fields); never
 * 0. Stable across generations and recompiles, unlike array indexes. */
static inline uint64_t sl_nat_origin_of(char kind, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	h = (h ^ (uint8_t)kind) * 0x100000001b3ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h ? h : 1;
}

struct sl_nat_conf {
	uint32_t max_sessions; /**< table capacity */
	uint16_t max_gws;
	uint16_t max_pubips;
	uint16_t n_workers; /**< QSBR readers and counter slots 0..n-1; slot n is control */
	uint16_t port_min;  /**< public port range (TCP, UDP, ICMP ids); 0: 1024 */
	uint16_t port_max;  /**< 0: 65535 */
	uint16_t pad;
	uint32_t tmo_s[SL_NAT_TMO_MAX]; /**< seconds; 0: default */
	uint64_t hz;			/**< ticks per second of `now`; 0: TSC */
};

/* Defaults and the RFC minimums, seconds. */
#define SL_NAT_TMO_UDP_DEF 300 /* RFC 4787 REQ-5: >= 120, 300 recommended */
#define SL_NAT_TMO_UDP_MIN 120
#define SL_NAT_TMO_TCP_EST_DEF 7440  /* RFC 5382 REQ-5: >= 2 h 4 min */
#define SL_NAT_TMO_TCP_TRANS_DEF 240 /* RFC 5382 REQ-5: >= 4 min */
#define SL_NAT_TMO_ICMP_DEF 60	     /* RFC 5508 REQ-1: >= 60 s */

#define SL_NAT_PUBIP_NONE UINT16_MAX
#define SL_NAT_EXPIRE_MAX 256u /* entries examined per sl_nat_expire() call, at most */
#define SL_NAT_NONE UINT32_MAX

struct sl_nat_pend; /* a deleted session waiting for its grace period */

/* ---- fragments of translated datagrams (nat_frag.c) ------------------------ */

#define SL_NAT_FRAG_SLOTS 4096	 /* notes of first fragments, shared by every worker */
#define SL_NAT_FRAG_NOTE_WAYS 2	 /* notes per set (nat_frag.c: stranded fragments) */
#define SL_NAT_FRAG_LIFE_MS 2000 /* how long a note is believed */

/** A datagram as its fragments arrive: direction (SL_NAT_DIR_ORIG: from
 * the inside, source translated; REPLY: from the outside, destination),
 * the gateway of an inside packet (0 outside), addresses, protocol, IP id. */
struct sl_nat_frag_key {
	uint32_t src, dst;
	uint16_t id, gw;
	uint8_t proto, dir;
};

struct sl_nat_frags;
struct sl_nat_frags *sl_nat_frags_create(uint32_t n_slots, uint64_t hz);
/** Free the notes and the holding area, and the fragments still held. */
void sl_nat_frags_free(struct sl_nat_frags *f);
/** The first fragment of datagram `k` was translated to address `to`
 * (host order) by a session of gateway `to_gw`. Lock-free, any worker. */
void sl_nat_frag_note(struct sl_nat_frags *f, const struct sl_nat_frag_key *k, uint32_t to,
		      uint16_t to_gw, uint64_t now);
/** A later fragment of datagram `k`: true with the first fragment's `to`
 * and `to_gw` if it was noted less than SL_NAT_FRAG_LIFE_MS ago. */
bool sl_nat_frag_find(const struct sl_nat_frags *f, const struct sl_nat_frag_key *k, uint64_t now,
		      uint32_t *to, uint16_t *to_gw);

/* ---- early fragments: the holding area (nat_frag.c, issue 5) -------------- */

struct rte_mbuf; /* held, never looked into */

#define SL_NAT_FRAG_HOLD_BUCKETS 64   /* of SL_NAT_FRAG_HOLD_WAYS datagrams each */
#define SL_NAT_FRAG_HOLD_WAYS 4	      /* datagrams held per bucket */
#define SL_NAT_FRAG_HOLD_PER_DGRAM 16 /* early fragments held per datagram */
#define SL_NAT_FRAG_HOLD_MBUFS 512    /* fragments held in all, by default */
#define SL_NAT_FRAG_EXPIRE_BUDGET 4   /* buckets a worker's loop iteration scans */

/** What became of a non-first fragment given to sl_nat_frag_later(). */
enum sl_nat_frag_verdict {
	SL_NAT_FRAG_GO,	      /**< its first fragment was noted: translate go[] */
	SL_NAT_FRAG_HELD,     /**< held until its first fragment comes (go[] may
			       * hold it already: the first fragment was noted
			       * meanwhile by another worker) */
	SL_NAT_FRAG_FULL,     /**< no room: bucket of live datagrams, or the cap */
	SL_NAT_FRAG_TOO_MANY, /**< SL_NAT_FRAG_HOLD_PER_DGRAM already held */
	SL_NAT_FRAG_OVERLAP,  /**< overlaps (or repeats) a fragment held */
};

/** Fragments handed back by the holding area: `go[]` to translate to `to`
 * (host order, a session of gateway `to_gw`), `dead[]` timed out (a stale
 * datagram evicted to make room). The caller owns them all. */
struct sl_nat_frag_out {
	uint32_t to;
	uint16_t to_gw;
	uint16_t n_go, n_dead;
	struct rte_mbuf *go[SL_NAT_FRAG_HOLD_PER_DGRAM];
	struct rte_mbuf *dead[SL_NAT_FRAG_HOLD_PER_DGRAM];
};

/** Cap the fragments held in all (default SL_NAT_FRAG_HOLD_MBUFS; at most
 * SL_NAT_FRAG_HOLD_BUCKETS * WAYS * PER_DGRAM). Before any worker runs. */
void sl_nat_frag_hold_max(struct sl_nat_frags *f, uint32_t max_mbufs);

/**
 * A non-first fragment `m` of datagram `k`, covering [start, end) in units
 * of 8 bytes of the datagram's payload: translated at once if its first
 * fragment was noted (GO, go[0] = m), else held (HELD) or refused (the
 * other verdicts: the caller drops `m`). Any worker, a lock per bucket.
 */
enum sl_nat_frag_verdict sl_nat_frag_later(struct sl_nat_frags *f, const struct sl_nat_frag_key *k,
					   struct rte_mbuf *m, uint16_t start, uint16_t end,
					   uint64_t now, struct sl_nat_frag_out *o);

/**
 * The first fragment of datagram `k` is being translated to `to` by a
 * session of gateway `to_gw`: note it (sl_nat_frag_note) and take the
 * fragments of it that were held (o->go[], o->n_go; 0 in the usual case,
 * one relaxed load). Any worker.
 */
void sl_nat_frag_first(struct sl_nat_frags *f, const struct sl_nat_frag_key *k, uint32_t to,
		       uint16_t to_gw, uint64_t now, struct sl_nat_frag_out *o);

/**
 * Timeouts: take the fragments of datagrams held longer than
 * SL_NAT_FRAG_LIFE_MS from the next `budget` buckets (a cursor shared by
 * every worker) into out[] (room for `max`, at least WAYS * PER_DGRAM).
 * One relaxed load when nothing is held. now = UINT64_MAX drains them all.
 */
unsigned int sl_nat_frag_expire(struct sl_nat_frags *f, uint64_t now, unsigned int budget,
				struct rte_mbuf **out, unsigned int max);

/** Fragments held now (all buckets). */
uint32_t sl_nat_frag_held(const struct sl_nat_frags *f);

struct sl_nat_table {
	/* read by every worker, written at creation */
	struct rte_hash *h;
	struct rte_rcu_qsbr *qsbr;
	struct sl_nat_session *s;
	struct sl_nat_mapping *m;
	struct sl_nat_gw *gw;
	struct sl_nat_pubip *ip;
	struct sl_nat_lcore_stats *st; /* [n_workers + 1] */
	struct sl_nat_gw_stats *gst;   /* [(n_workers + 1) * max_gws], lcore-major */
	struct sl_nat_frags *frag;     /* notes of translated first fragments */
	uint64_t tmo[SL_NAT_TMO_MAX];  /* ticks */
	uint64_t touch_ticks;	       /* `last` is rewritten only when older than this */
	struct sl_nat_conf conf;
	/* the expiry scan's position, shared by every worker */
	_Atomic uint64_t cursor __rte_cache_aligned;
	/* deleted sessions waiting for a grace period (written under lock) */
	_Atomic uint32_t n_pend;
	/* structure changes */
	rte_spinlock_t lock __rte_cache_aligned;
	uint32_t n_free_s, n_free_m;
	uint32_t *free_s, *free_m; /* stacks of free indices */
	/* mappings by private endpoint and by public endpoint (lock only:
	 * open addressing, at most half full, mmask + 1 slots each) */
	struct sl_nat_mslot *map_in, *map_out;
	uint32_t mmask;
	struct sl_nat_pend *pend;  /* FIFO, capacity max_sessions */
	uint32_t pend_head;
};

/* ---- lifetime and configuration (control side) ----------------------------- */

/** Create a table. NULL with errno (EINVAL: a timeout below the RFC minimum
 * or a bad size; ENOMEM). */
struct sl_nat_table *sl_nat_create(const char *name, const struct sl_nat_conf *conf);
/** Free it. No reader may be online. */
void sl_nat_free(struct sl_nat_table *t);

/** Configure gateway `gw`: limits and SL_NAT_GW_* flags. Existing sessions
 * stay. 0 or -EINVAL. */
int sl_nat_gw_set(struct sl_nat_table *t, uint16_t gw, uint32_t max_sessions, uint32_t new_per_sec,
		  uint32_t flags);
/** Configure public IP `idx`: address (0 = remove: only without mappings)
 * and owning gateway. 0, -EINVAL or -EBUSY. */
int sl_nat_pubip_set(struct sl_nat_table *t, uint16_t idx, uint32_t addr, uint16_t gw);

/** Gateway `gw` is gone: it creates nothing more (drop_no_pool). Its
 * sessions stay until sl_nat_gw_flush. */
void sl_nat_gw_unset(struct sl_nat_table *t, uint16_t gw);

/** Delete every session of gateway `gw` (control path: walks the table,
 * taking the lock per chunk). `wid` is the caller's counter slot. Returns
 * the number deleted. */
uint32_t sl_nat_gw_flush(struct sl_nat_table *t, unsigned int wid, uint16_t gw);

/** Delete every live session for which `doomed(s, arg)` is true (control
 * path, like sl_nat_gw_flush; `doomed` runs under the lock and must not
 * take it). Returns the number deleted. */
uint32_t sl_nat_flush_if(struct sl_nat_table *t, unsigned int wid,
			 bool (*doomed)(const struct sl_nat_session *s, void *arg), void *arg);

struct sl_nat_usage {
	uint32_t sessions; /**< live */
	uint32_t mappings; /**< live */
	uint32_t pending;  /**< deleted, waiting for a grace period */
	uint32_t free;	   /**< session slots free */
};
/** A consistent snapshot (takes the lock). */
void sl_nat_usage(struct sl_nat_table *t, struct sl_nat_usage *u);

/** Sum every lcore's counters into out[SL_NAT_C_MAX]. */
void sl_nat_stats_read(const struct sl_nat_table *t, uint64_t *out);

/** Sum every lcore's counters of gateway `gw` into *out (zeros for a bad
 * index). */
void sl_nat_gw_stats_read(const struct sl_nat_table *t, uint16_t gw, struct sl_nat_gw_stats *out);

/** What an operator sees of a public IP. */
struct sl_nat_pubip_info {
	uint32_t addr;
	uint16_t gw;
	uint32_t ports[SL_NAT_N_PROTO]; /**< in use: TCP, UDP, ICMP */
	uint64_t exhausted;		/**< new flows dropped for want of a port */
};
/** A consistent snapshot of public IP `idx` (takes the lock). 0 or -EINVAL. */
int sl_nat_pubip_read(struct sl_nat_table *t, uint16_t idx, struct sl_nat_pubip_info *out);

/** Ports in use on public IP `idx` for `proto`. */
uint32_t sl_nat_ports_in_use(const struct sl_nat_table *t, uint16_t idx, uint8_t proto);

/* ---- workers: reader side -------------------------------------------------- */

static inline void sl_nat_reader_online(struct sl_nat_table *t, unsigned int wid)
{
	rte_rcu_qsbr_thread_register(t->qsbr, wid);
	rte_rcu_qsbr_thread_online(t->qsbr, wid);
}

static inline void sl_nat_reader_offline(struct sl_nat_table *t, unsigned int wid)
{
	rte_rcu_qsbr_thread_offline(t->qsbr, wid);
	rte_rcu_qsbr_thread_unregister(t->qsbr, wid);
}

/** Once per loop iteration, holding no session pointer. */
static inline void sl_nat_quiescent(struct sl_nat_table *t, unsigned int wid)
{
	rte_rcu_qsbr_quiescent(t->qsbr, wid);
}

static inline struct sl_nat_session *sl_nat_decode(struct sl_nat_table *t, void *data,
						   unsigned int *dir)
{
	uintptr_t v = (uintptr_t)data;

	*dir = (unsigned int)(v & 1);
	return &t->s[v >> 1];
}

/** Find the session of a packet's key (kind IN or OUT); sets *dir. NULL on
 * a miss. Lock-free. */
static inline struct sl_nat_session *sl_nat_lookup(struct sl_nat_table *t, unsigned int wid,
						   const struct sl_nat_key *k, unsigned int *dir)
{
	void *data;

	if (rte_hash_lookup_data(t->h, k, &data) < 0) {
		t->st[wid].c[SL_NAT_C_LOOKUP_MISS]++;
		return NULL;
	}
	t->st[wid].c[SL_NAT_C_LOOKUP_HIT]++;
	return sl_nat_decode(t, data, dir);
}

/**
 * Look up to RTE_HASH_LOOKUP_BULK_MAX keys at once: out[i] = session or
 * NULL, dir[i] set on a hit. Returns the number of hits. Lock-free.
 */
static inline unsigned int sl_nat_lookup_bulk(struct sl_nat_table *t, unsigned int wid,
					      const struct sl_nat_key **keys, unsigned int n,
					      struct sl_nat_session **out, uint8_t *dir)
{
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	uint64_t hits = 0;
	unsigned int n_hit = 0;

	if (rte_hash_lookup_bulk_data(t->h, (const void **)keys, n, &hits, data) < 0)
		hits = 0;
	for (unsigned int i = 0; i < n; i++) {
		unsigned int d = 0;

		if (hits & (1ULL << i)) {
			out[i] = sl_nat_decode(t, data[i], &d);
			n_hit++;
		} else {
			out[i] = NULL;
		}
		dir[i] = (uint8_t)d;
	}
	t->st[wid].c[SL_NAT_C_LOOKUP_HIT] += n_hit;
	t->st[wid].c[SL_NAT_C_LOOKUP_MISS] += n - n_hit;
	return n_hit;
}

/**
 * Account a packet to its session: refresh the idle timer (written only
 * when it moved by touch_ticks, so workers sharing a flow do not bounce
 * the line at packet rate) and advance the TCP state from `tcp_flags`
 * (0 for UDP/ICMP).
 */
static inline void sl_nat_touch(struct sl_nat_table *t, struct sl_nat_session *s, unsigned int dir,
				uint8_t tcp_flags, uint64_t now)
{
	uint64_t last = atomic_load_explicit(&s->last, memory_order_relaxed);

	if ((int64_t)(now - last) >= (int64_t)t->touch_ticks)
		atomic_store_explicit(&s->last, now, memory_order_relaxed);
	if (s->k[0].proto == IPPROTO_TCP) {
		uint8_t st = atomic_load_explicit(&s->tcp, memory_order_relaxed);
		uint8_t nx = sl_nat_tcp_next(st, dir, tcp_flags);

		/* Lost races only lose bits another worker was adding at the
		 * same instant for the same flow; retry until stable. */
		while (nx != st && !atomic_compare_exchange_weak_explicit(&s->tcp, &st, nx,
									  memory_order_relaxed,
									  memory_order_relaxed))
			nx = sl_nat_tcp_next(st, dir, tcp_flags);
	}
}

/** Timeout class of a session (enum sl_nat_tmo). */
static inline enum sl_nat_tmo sl_nat_session_class(const struct sl_nat_session *s)
{
	switch (s->k[0].proto) {
	case IPPROTO_TCP:
		return sl_nat_tcp_class(atomic_load_explicit(&s->tcp, memory_order_relaxed));
	case IPPROTO_UDP:
		return SL_NAT_TMO_UDP;
	default:
		return SL_NAT_TMO_ICMP;
	}
}

/** Idle timeout of a session, in ticks. */
static inline uint64_t sl_nat_session_timeout(const struct sl_nat_table *t,
					      const struct sl_nat_session *s)
{
	return t->tmo[sl_nat_session_class(s)];
}

static inline bool sl_nat_session_expired(const struct sl_nat_table *t,
					  const struct sl_nat_session *s, uint64_t now)
{
	uint64_t last = atomic_load_explicit(&s->last, memory_order_relaxed);

	return (int64_t)(now - last) > (int64_t)sl_nat_session_timeout(t, s);
}

/* ---- workers: miss path (takes the lock) ----------------------------------- */

/**
 * First packet of an inside flow (k: kind IN) of gateway k->gw: reuse the
 * inside endpoint's mapping if it has one (EIM), else pair the source with
 * one IP of `pool` and allocate a port there; create the session. If
 * another worker created it meanwhile, returns that one. `tcp_flags` of
 * the packet (0 if not TCP). Returns SL_NAT_OK with *out set, or the drop
 * reason (counted).
 */
enum sl_nat_drop sl_nat_create_out(struct sl_nat_table *t, unsigned int wid,
				   const struct sl_nat_key *k, const struct sl_nat_pool *pool,
				   uint8_t tcp_flags, uint64_t now, struct sl_nat_session **out);

/** Misses sl_nat_create_out_burst takes at once. */
#define SL_NAT_CREATE_BURST 32

/**
 * sl_nat_create_out for the n (<= SL_NAT_CREATE_BURST) misses of a burst,
 * k[i] with pool[i] and tcp_flags[i]: the lines the miss path reads are
 * asked for together and the lock is taken once for all of them, in order;
 * sessions, drops (counted) and counters are those of n calls of
 * sl_nat_create_out one after the other (two misses of one flow: the
 * second finds the first's session). out[i] and rc[i] per miss. Returns
 * the number of sessions (made or found).
 */
unsigned int sl_nat_create_out_burst(struct sl_nat_table *t, unsigned int wid,
				     const struct sl_nat_key *const *k,
				     const struct sl_nat_pool *const *pool,
				     const uint8_t *tcp_flags, unsigned int n, uint64_t now,
				     struct sl_nat_session **out, enum sl_nat_drop *rc);

/**
 * First packet from the outside (k: kind OUT) to a public (ip, port) that
 * has a mapping but no session for this remote endpoint: with
 * endpoint-independent filtering (SL_NAT_GW_EIF on the mapping's gateway)
 * create the session, else SL_NAT_DROP_FILTERED (the default:
 * address-and-port-dependent filtering). SL_NAT_DROP_NO_MAPPING without a
 * mapping.
 */
enum sl_nat_drop sl_nat_create_in(struct sl_nat_table *t, unsigned int wid,
				  const struct sl_nat_key *k, uint8_t tcp_flags, uint64_t now,
				  struct sl_nat_session **out);

/**
 * First packet from the outside (k: kind OUT, remote -> external ip:port)
 * that matches a forward entry (DNAT) of gateway `gw` mapping it to
 * (int_ip, int_port): create the session, inside key (int_ip, int_port ->
 * remote). No mapping and no port: the external endpoint is static, and a
 * public IP serves DNAT or SNAT, never both. The gateway's limits apply
 * (the spec names SNAT sessions; an unlimited inbound path would let the
 * Internet fill the shared table). Replies from the inside hit the
 * session's inside key. ICMP: the id is kept. `origin`: the forward
 * entry's (sl_nat_origin_of), recorded in the session.
 */
enum sl_nat_drop sl_nat_create_dnat(struct sl_nat_table *t, unsigned int wid,
				    const struct sl_nat_key *k, uint16_t gw, uint32_t int_ip,
				    uint16_t int_port, uint64_t origin, uint8_t tcp_flags,
				    uint64_t now, struct sl_nat_session **out);

/**
 * Expiry, incremental: examine the next `budget` (<= SL_NAT_EXPIRE_MAX)
 * session slots of the shared cursor, delete the expired ones, reclaim
 * deleted ones whose grace period is over. Call from every worker's loop
 * (or a timer): the lock is taken only when there is something to do.
 * Returns the number of sessions expired.
 */
unsigned int sl_nat_expire(struct sl_nat_table *t, unsigned int wid, uint64_t now,
			   unsigned int budget);

/** One session as an operator sees it. */
struct sl_nat_session_info {
	struct sl_nat_key in;  /**< inside original */
	struct sl_nat_key out; /**< outside reply */
	uint16_t gw;
	uint8_t tcp;	   /**< SL_NAT_TCP_* bits */
	uint8_t tmo_class; /**< enum sl_nat_tmo */
	uint64_t idle;	   /**< ticks since the last packet */
	uint64_t timeout;  /**< ticks of idleness that end it */
};

/** Which sessions to list: 0 / SL_NAT_ANY_GW matches everything. */
#define SL_NAT_ANY_GW UINT32_MAX
struct sl_nat_filter {
	uint32_t addr; /**< matches the private, remote or public address */
	uint16_t port; /**< matches any port (or ICMP id) of either key */
	uint8_t proto;
	uint8_t pad;
	uint32_t gw; /**< SL_NAT_ANY_GW or a gateway index */
};

/**
 * List sessions (control path, for sluicectl): walk slots from *cursor
 * (start at 0) under the lock, in chunks, until `max` matches were written
 * to `out` or the table ends. *cursor is where to continue (capacity: done).
 * Returns the number written.
 */
uint32_t sl_nat_export(struct sl_nat_table *t, const struct sl_nat_filter *f, uint64_t now,
		       uint32_t *cursor, struct sl_nat_session_info *out, uint32_t max);

/** Find a mapping by its public side (ip, port, proto). Takes the lock;
 * NULL if none. For display and tests. */
const struct sl_nat_mapping *sl_nat_mapping_by_public(struct sl_nat_table *t, uint8_t proto,
						      uint32_t ip, uint16_t port);

#endif /* SL_NAT_H */
