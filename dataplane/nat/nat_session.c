/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT session table shared by every worker: sessions, mappings, public
 * port allocation, limits, expiry.
 *
 * Design note
 * -----------
 * Why one shared table. RSS hashes a flow's two directions to different
 * queues (the outside reply carries the public address, not the inside
 * one), and vdevs have no flow rules to steer replies. The known answers:
 *   - per-worker tables, each worker owning a slice of every public IP's
 *     ports, replies handed off to the owner through a ring (VPP NAT44-ED:
 *     per-thread data, port_per_thread, nat44_ed_handoff) or steered by
 *     NIC flow director rules (DPVS: per-lcore connection tables plus
 *     sa_pool fdir rules per lcore's port range);
 *   - one table with lock-free readers, both directions' keys in it (grout
 *     conntrack: fwd/rev keys in one rte_hash, RCU-protected).
 * Handoff costs a ring hop per reply packet, a worker that owns nothing of
 * a busy flow, and port slices that fragment every public IP by the
 * number of workers (worse exhaustion with few ports per IP); NIC steering
 * is impossible on vdevs. So: one table, rte_hash in
 * RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF mode (lock-free readers on any
 * lcore, 16-byte keys, bulk lookup with prefetching, extendable buckets so
 * an insert never fails below capacity).
 *
 * Keys. The hash holds sessions only (struct sl_nat_key.kind): a
 * session's inside original tuple (IN) and outside reply tuple (OUT); an
 * entry's data is (index << 1 | direction). Mappings are found by their
 * private endpoint (EIM reuse) and their public endpoint (filtering) only
 * by writers, under the lock, so they have their own plain index (two
 * open-addressing tables, below) instead of two rte_hash keys each: an
 * rte_hash add in a 1M table costs several cache misses and the reader
 * machinery no mapping lookup needs (the mapping index cut creation by a
 * third and memory per session by 150 bytes, docs/BENCHMARKS.md).
 *
 * Writers. All structural changes (create, delete, expire, reclaim,
 * configuration) run under t->lock. rte_hash's own multi-writer mode would
 * also serialise adds behind a lock, and we need more than an atomic add:
 * "look up, then add if absent" for a session two workers create at once,
 * the mapping refcounts, the port bitmaps, the per-gateway limits. The lock
 * is taken only on the miss path (the first packet of a flow) and by the
 * expiry scan when it found expired sessions; hits never take it. Because
 * every writer holds the lock, the per-gateway session count and token
 * bucket are exact however many workers create sessions.
 *
 * Creating a burst (session 6). The stage hands over all the misses of a
 * burst at once (sl_nat_create_out_burst): first, without the lock, every
 * line their creation will read is asked for (map_in slots, free-stack
 * tops, bitmap words; then, from each bitmap word, the port the search
 * will most likely return, its map_out slot and the hash buckets of the
 * reply key it makes, through a bulk lookup of the inside keys and those
 * guessed reply keys together), so dozens of cache misses overlap; then
 * one lock hold creates them in order, each exactly as a lone creation
 * would (recheck, limits, mapping, port, publication). The guessed reply
 * keys' buckets were the largest cold cost left in the critical section
 * (the conflict check and the add read them): docs/BENCHMARKS.md.
 *
 * The lock is a cost at high creation rates from several workers: docs/BENCHMARKS.md
 * measures it; per-worker session and port credits (a worker takes slots
 * and ports in batches under the lock, creates from its credit without
 * it, publishes with rte_hash's lock-free add) are the known next step if
 * it shows.
 *
 * Readers. A worker looks a key up, gets a session pointer, translates
 * from its keys (constant while it lives) and touches it: `last` (relaxed
 * store, skipped unless it moved by touch_ticks) and the TCP bits (relaxed
 * CAS). Nothing else is written on a hit.
 *
 * Deletion and reclamation. Delete (under the lock): `live` = 0, the keys
 * leave the hash (rte_hash_del_key; in LF mode the key slot is not freed),
 * the mapping loses a reference and, at zero, leaves the mapping index and
 * frees its public port, the gateway's count drops; then an rte_rcu_qsbr
 * token goes into the pending FIFO with the session, mapping and key
 * positions. Once
 * every worker reported a quiescent state after the token (workers report
 * once per loop iteration and keep no session pointer across iterations),
 * the key positions are freed (rte_hash_free_key_with_position) and the
 * session and mapping slots go back to their free stacks. A freed public
 * port may be given to a new mapping at once: the old mapping is already
 * out of the index, and a worker still translating with the old session only
 * finishes the packet it has.
 *
 * Ports. A bitmap of 65536 bits per public IP and protocol (TCP, UDP, ICMP
 * identifiers), with a count of ports in use; allocation searches from a
 * point hashed from the inside endpoint to the end of the range, then from
 * the start, 64 ports per word: at most 1024 words on a full IP, and the
 * count answers "exhausted" without a search. A port in use is never given
 * out twice: exhaustion is a counted drop.
 *
 * Paired pooling (RFC 4787 REQ-2). The public IP of a new mapping is the
 * pool member with the highest hash of (inside source, member address)
 * (rendezvous hashing): a source always gets the same member while the
 * pool is unchanged, sources spread evenly, and adding a member moves only
 * the sources that now prefer it. Existing mappings keep their IP
 * whatever the pool becomes (EIM first). If the paired IP has no free
 * port, the flow is dropped PORTS_EXHAUSTED rather than given another IP.
 *
 * Limits. Per gateway: live sessions (checked without the lock first, so a
 * gateway at its limit costs no lock, then exactly under it) and a token
 * bucket of new_per_sec per second, one second of burst, refilled from the
 * caller's clock.
 *
 * Expiry. A cursor shared by all workers (atomic fetch-add) hands each
 * caller the next `budget` slots; expired sessions are collected without
 * the lock and deleted under it after a second check. A full walk of a 1M
 * table at 64 slots per loop iteration from each worker takes
 * 1M / (64 x iterations per second): well under a second on a busy worker,
 * a few seconds on an idle one, against timeouts of 60 s and more.
 *
 * Time is the caller's `now` in conf.hz ticks per second (the TSC by
 * default), so tests drive a synthetic clock.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "sl_nat.h"

struct sl_nat_pend {
	uint64_t token;
	uint32_t s;	/* session slot */
	uint32_t m;	/* mapping slot freed with it, or SL_NAT_NONE */
	int32_t pos[2]; /* the session's hash positions to free */
};

static const char *const sl_nat_cnames[SL_NAT_C_MAX] = {[SL_NAT_C_NONE] = "none",
#define SL_NAT_X(sym, name, desc) [SL_NAT_C_DROP_##sym] = "drop_" #name,
							SL_NAT_FOREACH_DROP(SL_NAT_X)
#undef SL_NAT_X
#define SL_NAT_X(sym, name, desc) [SL_NAT_C_##sym] = #name,
							    SL_NAT_FOREACH_EVENT(SL_NAT_X)
#undef SL_NAT_X
};

const char *sl_nat_counter_name(enum sl_nat_counter c)
{
	return c < SL_NAT_C_MAX ? sl_nat_cnames[c] : "?";
}

static inline struct sl_nat_gw_stats *sl_nat_gst(struct sl_nat_table *t, unsigned int wid,
						 uint16_t gw)
{
	return &t->gst[(size_t)wid * t->conf.max_gws + gw];
}

/* Count drop `d` (its counter has the same number) on the lcore, and on
 * gateway `gw` unless it is unknown (>= max_gws). */
static inline enum sl_nat_drop sl_nat_count_drop(struct sl_nat_table *t, unsigned int wid,
						 uint16_t gw, enum sl_nat_drop d)
{
	t->st[wid].c[d]++;
	if (gw < t->conf.max_gws)
		sl_nat_gst(t, wid, gw)->drop[d]++;
	return d;
}

static int sl_nat_proto_index(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 0;
	case IPPROTO_UDP:
		return 1;
	case IPPROTO_ICMP:
		return 2;
	default:
		return -1;
	}
}

static inline uint32_t sl_nat_mix32(uint32_t x)
{
	/* murmur3 finaliser */
	x ^= x >> 16;
	x *= 0x85ebca6bU;
	x ^= x >> 13;
	x *= 0xc2b2ae35U;
	x ^= x >> 16;
	return x;
}

/* ---- creation -------------------------------------------------------------- */

static const uint32_t sl_nat_tmo_def[SL_NAT_TMO_MAX] = {
    [SL_NAT_TMO_UDP] = SL_NAT_TMO_UDP_DEF,
    [SL_NAT_TMO_TCP_EST] = SL_NAT_TMO_TCP_EST_DEF,
    [SL_NAT_TMO_TCP_TRANS] = SL_NAT_TMO_TCP_TRANS_DEF,
    [SL_NAT_TMO_ICMP] = SL_NAT_TMO_ICMP_DEF,
};

/* The RFC floors: UDP 2 min, the others their default. */
static const uint32_t sl_nat_tmo_min[SL_NAT_TMO_MAX] = {
    [SL_NAT_TMO_UDP] = SL_NAT_TMO_UDP_MIN,
    [SL_NAT_TMO_TCP_EST] = SL_NAT_TMO_TCP_EST_DEF,
    [SL_NAT_TMO_TCP_TRANS] = SL_NAT_TMO_TCP_TRANS_DEF,
    [SL_NAT_TMO_ICMP] = SL_NAT_TMO_ICMP_DEF,
};

struct sl_nat_table *sl_nat_create(const char *name, const struct sl_nat_conf *conf)
{
	struct rte_hash_parameters hp = {0};
	struct sl_nat_table *t;
	char hname[RTE_HASH_NAMESIZE];
	size_t qsz;

	if (!conf || conf->max_sessions < 8 || conf->max_sessions > (1u << 28) || !conf->max_gws ||
	    !conf->max_pubips || !conf->n_workers) {
		errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc("sl_nat", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	t->conf = *conf;
	if (!t->conf.hz)
		t->conf.hz = rte_get_tsc_hz();
	if (!t->conf.port_min)
		t->conf.port_min = 1024;
	if (!t->conf.port_max)
		t->conf.port_max = 65535;
	for (int i = 0; i < SL_NAT_TMO_MAX; i++) {
		if (!t->conf.tmo_s[i])
			t->conf.tmo_s[i] = sl_nat_tmo_def[i];
		if (t->conf.tmo_s[i] < sl_nat_tmo_min[i])
			goto inval;
		t->tmo[i] = (uint64_t)t->conf.tmo_s[i] * t->conf.hz;
	}
	if (t->conf.port_min > t->conf.port_max)
		goto inval;
	/* One refresh per 1/16 s at most: negligible against timeouts of a
	 * minute and more. */
	t->touch_ticks = t->conf.hz / 16;
	rte_spinlock_init(&t->lock);

	snprintf(hname, sizeof(hname), "%s_h", name);
	hp.name = hname;
	/* Two session keys per session (mappings have their own index),
	 * plus a quarter: rte_hash sizes its buckets from `entries` (next
	 * power of two), and with exactly 2 keys per session a full table
	 * fills the buckets to 100 % when the capacity is a power of two
	 * (cuckoo displacement makes creation 50 % slower). 2.5 keys keep the
	 * bucket load between 40 and 80 % (docs/BENCHMARKS.md). */
	hp.entries = conf->max_sessions / 2 * 5 + 8;
	hp.key_len = sizeof(struct sl_nat_key);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = SOCKET_ID_ANY;
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	t->h = rte_hash_create(&hp);
	if (!t->h)
		goto fail;

	t->s = rte_zmalloc("sl_nat_s", sizeof(*t->s) * conf->max_sessions, RTE_CACHE_LINE_SIZE);
	t->m = rte_zmalloc("sl_nat_m", sizeof(*t->m) * conf->max_sessions, RTE_CACHE_LINE_SIZE);
	t->free_s = rte_malloc("sl_nat_fs", sizeof(uint32_t) * conf->max_sessions, 0);
	t->free_m = rte_malloc("sl_nat_fm", sizeof(uint32_t) * conf->max_sessions, 0);
	/* the mapping index: at most half full (one slot per mapping) */
	t->mmask = rte_align32pow2(2 * conf->max_sessions) - 1;
	t->map_in =
	    rte_malloc("sl_nat_mi", sizeof(*t->map_in) * (t->mmask + 1ull), RTE_CACHE_LINE_SIZE);
	t->map_out =
	    rte_malloc("sl_nat_mo", sizeof(*t->map_out) * (t->mmask + 1ull), RTE_CACHE_LINE_SIZE);
	t->pend = rte_malloc("sl_nat_pend", sizeof(*t->pend) * conf->max_sessions, 0);
	t->gw = rte_zmalloc("sl_nat_gw", sizeof(*t->gw) * conf->max_gws, RTE_CACHE_LINE_SIZE);
	t->ip = rte_zmalloc("sl_nat_ip", sizeof(*t->ip) * conf->max_pubips, RTE_CACHE_LINE_SIZE);
	t->st =
	    rte_zmalloc("sl_nat_st", sizeof(*t->st) * (conf->n_workers + 1u), RTE_CACHE_LINE_SIZE);
	t->gst = rte_zmalloc("sl_nat_gst", sizeof(*t->gst) * (conf->n_workers + 1u) * conf->max_gws,
			     RTE_CACHE_LINE_SIZE);
	qsz = rte_rcu_qsbr_get_memsize(conf->n_workers);
	t->qsbr = rte_zmalloc("sl_nat_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	t->frag = sl_nat_frags_create(SL_NAT_FRAG_SLOTS, t->conf.hz);
	if (!t->s || !t->m || !t->free_s || !t->free_m || !t->map_in || !t->map_out || !t->pend ||
	    !t->gw || !t->ip || !t->st || !t->frag || !t->gst || !t->qsbr)
		goto fail;
	if (rte_rcu_qsbr_init(t->qsbr, conf->n_workers) != 0)
		goto fail;
	/* Stacks popped from the top: slot 0 first. */
	for (uint32_t i = 0; i < conf->max_sessions; i++) {
		t->free_s[i] = conf->max_sessions - 1 - i;
		t->free_m[i] = conf->max_sessions - 1 - i;
	}
	t->n_free_s = t->n_free_m = conf->max_sessions;
	for (uint32_t i = 0; i <= t->mmask; i++)
		t->map_in[i].mi = t->map_out[i].mi = SL_NAT_NONE;
	return t;
inval:
	rte_free(t);
	errno = EINVAL;
	return NULL;
fail:
	sl_nat_free(t);
	errno = rte_errno ? rte_errno : ENOMEM;
	return NULL;
}

void sl_nat_free(struct sl_nat_table *t)
{
	if (!t)
		return;
	rte_hash_free(t->h);
	rte_free(t->s);
	rte_free(t->m);
	rte_free(t->free_s);
	rte_free(t->free_m);
	rte_free(t->map_in);
	rte_free(t->map_out);
	rte_free(t->pend);
	rte_free(t->gw);
	rte_free(t->ip);
	rte_free(t->st);
	rte_free(t->gst);
	rte_free(t->qsbr);
	sl_nat_frags_free(t->frag);
	rte_free(t);
}

/* ---- configuration --------------------------------------------------------- */

int sl_nat_gw_set(struct sl_nat_table *t, uint16_t gw, uint32_t max_sessions, uint32_t new_per_sec,
		  uint32_t flags)
{
	struct sl_nat_gw *g;

	if (gw >= t->conf.max_gws || !max_sessions || !new_per_sec)
		return -EINVAL;
	g = &t->gw[gw];
	rte_spinlock_lock(&t->lock);
	if (!g->max_sessions)
		g->tokens = (uint64_t)new_per_sec * t->conf.hz; /* start with a full second */
	else if (g->tokens > (uint64_t)new_per_sec * t->conf.hz)
		g->tokens = (uint64_t)new_per_sec * t->conf.hz;
	g->max_sessions = max_sessions;
	g->new_per_sec = new_per_sec;
	g->flags = flags;
	rte_spinlock_unlock(&t->lock);
	return 0;
}

int sl_nat_pubip_set(struct sl_nat_table *t, uint16_t idx, uint32_t addr, uint16_t gw)
{
	struct sl_nat_pubip *ip;
	int rc = 0;

	if (idx >= t->conf.max_pubips || gw >= t->conf.max_gws)
		return -EINVAL;
	ip = &t->ip[idx];
	rte_spinlock_lock(&t->lock);
	if (ip->used[0] || ip->used[1] || ip->used[2]) {
		/* Mappings use this IP: only the same address may stay. */
		if (addr != ip->addr || gw != ip->gw)
			rc = -EBUSY;
	} else {
		ip->addr = addr;
		ip->gw = gw;
	}
	rte_spinlock_unlock(&t->lock);
	return rc;
}

/* ---- ports ----------------------------------------------------------------- */

/* First free port in [from, to], or -1. */
static int sl_nat_port_find(const uint64_t *bits, uint32_t from, uint32_t to)
{
	uint32_t p = from;

	while (p <= to) {
		uint32_t w = p >> 6;
		uint64_t free = ~bits[w] & (~0ULL << (p & 63));

		if (free) {
			uint32_t q = (w << 6) + (uint32_t)__builtin_ctzll(free);

			return q <= to ? (int)q : -1;
		}
		p = (w + 1) << 6;
	}
	return -1;
}

/* Allocate a port of `ip` for protocol index `pi`, searching from `hint`.
 * Lock held. Port or -1 when the range is full. */
static int sl_nat_port_alloc(struct sl_nat_table *t, struct sl_nat_pubip *ip, int pi, uint32_t hint)
{
	uint32_t lo = t->conf.port_min, hi = t->conf.port_max;
	uint32_t start = lo + hint % (hi - lo + 1);
	int p;

	if (ip->used[pi] >= hi - lo + 1)
		return -1;
	p = sl_nat_port_find(ip->bits[pi], start, hi);
	if (p < 0 && start > lo)
		p = sl_nat_port_find(ip->bits[pi], lo, start - 1);
	if (p < 0)
		return -1;
	ip->bits[pi][p >> 6] |= 1ULL << (p & 63);
	ip->used[pi]++;
	return p;
}

static void sl_nat_port_free(struct sl_nat_pubip *ip, int pi, uint16_t port)
{
	uint64_t bit = 1ULL << (port & 63);

	if (ip->bits[pi][port >> 6] & bit) {
		ip->bits[pi][port >> 6] &= ~bit;
		ip->used[pi]--;
	}
}

uint32_t sl_nat_ports_in_use(const struct sl_nat_table *t, uint16_t idx, uint8_t proto)
{
	int pi = sl_nat_proto_index(proto);

	if (idx >= t->conf.max_pubips || pi < 0)
		return 0;
	return t->ip[idx].used[pi];
}

/* ---- mappings -------------------------------------------------------------- */

/*
 * The mapping index: two open-addressing tables with linear probing,
 * map_in by (gw, private ip, port, proto) and map_out by (public ip, port,
 * proto), each slot a 32-bit hash and a mapping index. Only writers use it
 * (under t->lock: EIM reuse and filtering on creation, deletion), so it
 * needs none of rte_hash's reader machinery: an insert is one store in a
 * slot the lookup before it brought into the cache. At most half full
 * (capacity >= 2 x max_sessions slots). Deletion shifts the run back (no
 * tombstones). A mapping slot itself is reused only after a grace period,
 * like a session's (sessions point to it).
 */
/* CRC is linear: without the finaliser, endpoints that differ in a few
 * bits (one instance's ports, one gateway's) land in clustered slots. */
static inline uint32_t sl_nat_mhash_in(uint16_t gw, uint8_t proto, uint32_t ip, uint16_t port)
{
	return sl_nat_mix32(rte_hash_crc_8byte((uint64_t)ip << 32 | (uint32_t)port << 16 | proto,
					       0x9e3779b9u ^ gw));
}

static inline uint32_t sl_nat_mhash_out(uint8_t proto, uint32_t ip, uint16_t port)
{
	return sl_nat_mix32(
	    rte_hash_crc_8byte((uint64_t)ip << 32 | (uint32_t)port << 16 | proto, 0x85ebca6bu));
}

/* The mapping whose private endpoint (out false) or public endpoint (out
 * true) is (gw, proto, ip, port), or SL_NAT_NONE. Lock held. */
static uint32_t sl_nat_mfind(const struct sl_nat_table *t, bool out, uint32_t h, uint16_t gw,
			     uint8_t proto, uint32_t ip, uint16_t port)
{
	const struct sl_nat_mslot *tab = out ? t->map_out : t->map_in;

	for (uint32_t i = h & t->mmask;; i = (i + 1) & t->mmask) {
		const struct sl_nat_mapping *m;

		if (tab[i].mi == SL_NAT_NONE)
			return SL_NAT_NONE;
		if (tab[i].hash != h)
			continue;
		m = &t->m[tab[i].mi];
		if (m->proto == proto &&
		    (out ? m->pub_ip == ip && m->pub_port == port
			 : m->in_ip == ip && m->in_port == port && m->gw == gw))
			return tab[i].mi;
	}
}

/* Insert mapping `mi` (absent) with hash `h`. Lock held. */
static void sl_nat_mput(struct sl_nat_table *t, struct sl_nat_mslot *tab, uint32_t h, uint32_t mi)
{
	uint32_t i = h & t->mmask;

	while (tab[i].mi != SL_NAT_NONE)
		i = (i + 1) & t->mmask;
	tab[i] = (struct sl_nat_mslot){.hash = h, .mi = mi};
}

/* Remove mapping `mi` (present, hash `h`): backward-shift deletion, every
 * entry after it in the run that may move (its home is not cyclically in
 * (hole, entry]) fills the hole. Lock held. */
static void sl_nat_mdel(struct sl_nat_table *t, struct sl_nat_mslot *tab, uint32_t h, uint32_t mi)
{
	uint32_t mask = t->mmask, i = h & mask, j;

	while (tab[i].mi != mi) {
		if (tab[i].mi == SL_NAT_NONE)
			return; /* not indexed: nothing to remove (never expected) */
		i = (i + 1) & mask;
	}
	for (j = (i + 1) & mask; tab[j].mi != SL_NAT_NONE; j = (j + 1) & mask)
		if (((j - (tab[j].hash & mask)) & mask) >= ((j - i) & mask)) {
			tab[i] = tab[j];
			i = j;
		}
	tab[i].mi = SL_NAT_NONE;
}

const struct sl_nat_mapping *sl_nat_mapping_by_public(struct sl_nat_table *t, uint8_t proto,
						      uint32_t ip, uint16_t port)
{
	uint32_t mi;

	rte_spinlock_lock(&t->lock);
	mi = sl_nat_mfind(t, true, sl_nat_mhash_out(proto, ip, port), 0, proto, ip, port);
	rte_spinlock_unlock(&t->lock);
	return mi == SL_NAT_NONE ? NULL : &t->m[mi];
}

/* Where a new mapping's port search starts: hashed from the private endpoint. */
static inline uint32_t sl_nat_port_hint(const struct sl_nat_key *k)
{
	return sl_nat_mix32(k->src ^ ((uint32_t)k->sport << 16));
}

/* Paired pooling: the pool member the source prefers (rendezvous hash). */
static int sl_nat_pool_pick(const struct sl_nat_table *t, const struct sl_nat_pool *pool,
			    uint32_t src)
{
	uint32_t best = 0;
	int pick = -1;

	for (unsigned int i = 0; i < pool->n && i < SL_NAT_POOL_MAX; i++) {
		uint16_t idx = pool->ip[i];
		uint32_t score;

		if (idx >= t->conf.max_pubips || !t->ip[idx].addr)
			continue;
		score = sl_nat_mix32(sl_nat_mix32(src) ^ t->ip[idx].addr);
		if (pick < 0 || score > best) {
			best = score;
			pick = idx;
		}
	}
	return pick;
}

/*
 * Before the lock: ask for every line the locked part of a new flow will
 * touch that can be known now, so their cache misses overlap instead of
 * following one another inside the critical section: the private
 * endpoint's map_in slot, the session and mapping slots at the top of the
 * free stacks (the nth from the top for the nth miss of a burst), the
 * paired public IP's bitmap word where the port search starts (*start;
 * returns the paired IP's index, -1 if none). sl_nat_create_guess then
 * does the rest from that word. The free stacks, the pool and the bitmap
 * are read without the lock: hints for prefetching only (a stale index
 * prefetches a useless line), never used otherwise.
 */
static int sl_nat_create_warm(struct sl_nat_table *t, const struct sl_nat_key *k,
			      const struct sl_nat_pool *pool, uint32_t nth, uint32_t *start)
{
	uint32_t ns = __atomic_load_n(&t->n_free_s, __ATOMIC_RELAXED);
	uint32_t nm = __atomic_load_n(&t->n_free_m, __ATOMIC_RELAXED);
	int pick, pi = sl_nat_proto_index(k->proto);

	rte_prefetch0(&t->map_in[sl_nat_mhash_in(k->gw, k->proto, k->src, k->sport) & t->mmask]);
	/* the nth new session of a burst takes the nth slot from the top */
	if (ns > nth && ns <= t->conf.max_sessions) {
		uint32_t si = __atomic_load_n(&t->free_s[ns - 1 - nth], __ATOMIC_RELAXED);

		if (si < t->conf.max_sessions)
			rte_prefetch0(&t->s[si]);
	}
	if (nm > nth && nm <= t->conf.max_sessions) {
		uint32_t mi = __atomic_load_n(&t->free_m[nm - 1 - nth], __ATOMIC_RELAXED);

		if (mi < t->conf.max_sessions)
			rte_prefetch0(&t->m[mi]);
	}
	pick = pool ? sl_nat_pool_pick(t, pool, k->src) : -1;
	if (pick < 0 || pi < 0)
		return -1;
	*start = t->conf.port_min + sl_nat_port_hint(k) % (t->conf.port_max - t->conf.port_min + 1u);
	rte_prefetch0(&t->ip[pick].bits[pi][*start >> 6]);
	return pick;
}

/*
 * Second step, once every miss's bitmap word was asked for: the port a new
 * mapping on public IP `pick` most likely gets (the first free one from
 * `start` in that word; read without the lock, a hint), and from it the
 * map_out slot (prefetched) and the reply key (in *reply, for the caller's
 * bulk lookup to bring its hash buckets in: the conflict check and the
 * add read them under the lock).
 */
static void sl_nat_create_guess(struct sl_nat_table *t, const struct sl_nat_key *k, int pick,
				uint32_t start, struct sl_nat_key *reply)
{
	int pi = sl_nat_proto_index(k->proto);
	uint64_t word = __atomic_load_n(&t->ip[pick].bits[pi][start >> 6], __ATOMIC_RELAXED);
	uint64_t free = ~word & (~0ULL << (start & 63));
	uint32_t addr = t->ip[pick].addr, port = start;

	if (free && ((start & ~63u) + (uint32_t)__builtin_ctzll(free)) <= t->conf.port_max)
		port = (start & ~63u) + (uint32_t)__builtin_ctzll(free);
	rte_prefetch0(&t->map_out[sl_nat_mhash_out(k->proto, addr, (uint16_t)port) & t->mmask]);
	sl_nat_key_out(reply, k->proto, k->dst, k->dport, addr, (uint16_t)port);
}

/* The inside endpoint's live mapping, or a new one from the pool. Lock
 * held. Mapping index, or SL_NAT_NONE with *why set. */
static uint32_t sl_nat_map_get(struct sl_nat_table *t, unsigned int wid, const struct sl_nat_key *k,
			       const struct sl_nat_pool *pool, enum sl_nat_drop *why, bool *fresh)
{
	uint32_t h_in = sl_nat_mhash_in(k->gw, k->proto, k->src, k->sport);
	struct sl_nat_key kout;
	struct sl_nat_pubip *ip;
	struct sl_nat_mapping *m;
	uint32_t mi;
	int pick, port, pi = sl_nat_proto_index(k->proto);

	mi = sl_nat_mfind(t, false, h_in, k->gw, k->proto, k->src, k->sport);
	if (mi != SL_NAT_NONE) {
		*fresh = false;
		t->st[wid].c[SL_NAT_C_MAPPING_REUSED]++;
		return mi;
	}
	pick = pool ? sl_nat_pool_pick(t, pool, k->src) : -1;
	if (pick < 0) {
		*why = SL_NAT_DROP_NO_POOL;
		return SL_NAT_NONE;
	}
	ip = &t->ip[pick];
	port = sl_nat_port_alloc(t, ip, pi, sl_nat_port_hint(k));
	if (port < 0) {
		ip->exhausted++;
		*why = SL_NAT_DROP_PORTS_EXHAUSTED;
		return SL_NAT_NONE;
	}
	/* the new session's reply key must be free (see sl_nat_new_session) */
	sl_nat_key_out(&kout, k->proto, k->dst, k->dport, ip->addr, (uint16_t)port);
	if (rte_hash_lookup(t->h, &kout) >= 0) {
		sl_nat_port_free(ip, pi, (uint16_t)port);
		*why = SL_NAT_DROP_CONFLICT;
		return SL_NAT_NONE;
	}
	/* n_free_m >= n_free_s > 0: a mapping slot is held by one session
	 * at least, live or pending. */
	mi = t->free_m[--t->n_free_m];
	m = &t->m[mi];
	*m = (struct sl_nat_mapping){.in_ip = k->src,
				     .in_port = k->sport,
				     .proto = k->proto,
				     .pub_ip = ip->addr,
				     .pub_port = (uint16_t)port,
				     .pubip = (uint16_t)pick,
				     .gw = k->gw};
	sl_nat_mput(t, t->map_in, h_in, mi);
	sl_nat_mput(t, t->map_out, sl_nat_mhash_out(m->proto, m->pub_ip, m->pub_port), mi);
	*fresh = true;
	t->st[wid].c[SL_NAT_C_MAPPING_NEW]++;
	return mi;
}

/* ---- deletion and reclamation ---------------------------------------------- */

/* Mapping `mi` lost its last session: out of the index, its port free.
 * Its slot is reused after a grace period (the caller queues it). Lock
 * held. */
static void sl_nat_unmap_locked(struct sl_nat_table *t, uint32_t mi)
{
	struct sl_nat_mapping *m = &t->m[mi];

	sl_nat_mdel(t, t->map_in, sl_nat_mhash_in(m->gw, m->proto, m->in_ip, m->in_port), mi);
	sl_nat_mdel(t, t->map_out, sl_nat_mhash_out(m->proto, m->pub_ip, m->pub_port), mi);
	sl_nat_port_free(&t->ip[m->pubip], sl_nat_proto_index(m->proto), m->pub_port);
}

/* Queue session slot `si`, mapping slot `mi` (or SL_NAT_NONE) and hash
 * key positions pos[] (or -1) for reuse after the grace period: readers
 * may still hold them. Lock held. */
static void sl_nat_pend_locked(struct sl_nat_table *t, uint32_t si, uint32_t mi,
			       const int32_t pos[2])
{
	uint32_t n = atomic_load_explicit(&t->n_pend, memory_order_relaxed);
	struct sl_nat_pend *p = &t->pend[(t->pend_head + n) % t->conf.max_sessions];

	p->s = si;
	p->m = mi;
	p->pos[0] = pos[0];
	p->pos[1] = pos[1];
	p->token = rte_rcu_qsbr_start(t->qsbr);
	atomic_store_explicit(&t->n_pend, n + 1, memory_order_relaxed);
}

/* Delete live session `si`. Lock held. */
static void sl_nat_del_locked(struct sl_nat_table *t, uint32_t si)
{
	struct sl_nat_session *s = &t->s[si];
	struct sl_nat_mapping *m = s->map == SL_NAT_NONE ? NULL : &t->m[s->map];
	uint32_t mi = SL_NAT_NONE;
	int32_t pos[2];

	atomic_store_explicit(&s->live, 0, memory_order_relaxed);
	/* rte_hash_del_key returns the key's position (its slot, freed only
	 * after the grace period: readers may still compare that key).
	 * rte_hash_add_key_data returns 0, not the position: keeping its
	 * result freed slot 0 again and again, so two live keys came to share
	 * a slot after enough deletions (fixed in the NAT performance pass). */
	for (int d = 0; d < 2; d++)
		pos[d] = rte_hash_del_key(t->h, &s->k[d]);
	if (m && --m->refs == 0) {
		sl_nat_unmap_locked(t, s->map);
		mi = s->map;
	}
	atomic_fetch_sub_explicit(&t->gw[s->gw].n_sessions, 1, memory_order_relaxed);
	/* Readers may still hold the session or the positions. */
	sl_nat_pend_locked(t, si, mi, pos);
}

/* Free what waited long enough, oldest first, at most `max`. Lock held. */
static void sl_nat_reclaim_locked(struct sl_nat_table *t, uint32_t max)
{
	uint32_t n = atomic_load_explicit(&t->n_pend, memory_order_relaxed);

	while (n && max--) {
		struct sl_nat_pend *p = &t->pend[t->pend_head];

		if (rte_rcu_qsbr_check(t->qsbr, p->token, false) != 1)
			break;
		for (int i = 0; i < 2; i++)
			if (p->pos[i] >= 0)
				rte_hash_free_key_with_position(t->h, p->pos[i]);
		t->free_s[t->n_free_s++] = p->s;
		if (p->m != SL_NAT_NONE)
			t->free_m[t->n_free_m++] = p->m;
		t->pend_head = (t->pend_head + 1) % t->conf.max_sessions;
		n--;
	}
	atomic_store_explicit(&t->n_pend, n, memory_order_relaxed);
}

/* ---- session creation ------------------------------------------------------ */

/* Limits of gateway `g` for one more session. Lock held. */
static enum sl_nat_drop sl_nat_gw_admit(struct sl_nat_table *t, struct sl_nat_gw *g, uint64_t now)
{
	uint64_t cap = (uint64_t)g->new_per_sec * t->conf.hz;

	if (!g->max_sessions)
		return SL_NAT_DROP_NO_POOL; /* gateway not configured */
	if (atomic_load_explicit(&g->n_sessions, memory_order_relaxed) >= g->max_sessions)
		return SL_NAT_DROP_SESSION_LIMIT;
	if ((int64_t)(now - g->refill) > 0) {
		uint64_t dt = now - g->refill;

		/* dt * rate overflows only after years of idle time; cap it */
		if (dt > t->conf.hz)
			g->tokens = cap;
		else
			g->tokens = RTE_MIN(cap, g->tokens + dt * g->new_per_sec);
		g->refill = now;
	}
	if (g->tokens < t->conf.hz)
		return SL_NAT_DROP_RATE_LIMIT;
	return SL_NAT_OK;
}

/* Publish session `si` (keys and fields filled): the key of direction
 * `last` goes in last, so a worker that finds the session by the key of
 * the packet that created it (another packet of that flow, on another
 * queue) also finds it by the other key. On failure (the key store is
 * full: TABLE_FULL) the first key, if it went in, is taken out again and
 * its position returned in *pos (else -1): a reader may have found the
 * session by it already, so the caller frees the slot and the position
 * only after a grace period. Lock held. */
static enum sl_nat_drop sl_nat_publish(struct sl_nat_table *t, uint32_t si, unsigned int last,
				       int32_t *pos)
{
	struct sl_nat_session *s = &t->s[si];
	unsigned int first = last ^ 1;

	*pos = -1;
	for (unsigned int i = 0; i < 2; i++) {
		unsigned int d = i ? last : first;

		/* rte_hash's LF add stores the key with release semantics:
		 * a reader that finds it sees the session filled in. It
		 * returns 0 or an error, never the key's position. */
		if (rte_hash_add_key_data(t->h, &s->k[d], (void *)(uintptr_t)(si << 1 | d)) < 0) {
			if (i == 1)
				*pos = rte_hash_del_key(t->h, &s->k[first]);
			return SL_NAT_DROP_TABLE_FULL;
		}
	}
	return SL_NAT_OK;
}

/* Common part of both creations once the session's keys are known. Lock
 * held; `mi` is the mapping (referenced by the new session on success);
 * `other_free`: the caller has just checked that the key of the other
 * direction is free (a new mapping's: sl_nat_map_get). */
static enum sl_nat_drop
sl_nat_new_session(struct sl_nat_table *t, unsigned int wid, const struct sl_nat_key *kin,
		   const struct sl_nat_key *kout, uint32_t mi, unsigned int dir, uint64_t origin,
		   uint8_t tcp_flags, uint64_t now, bool other_free, struct sl_nat_session **out)
{
	struct sl_nat_gw *g = &t->gw[kin->gw];
	struct sl_nat_session *s;
	int32_t pos[2] = {-1, -1};
	enum sl_nat_drop rc;
	uint32_t si;

	/* The key of the other direction must be free: rte_hash would
	 * otherwise replace another session's entry. It is, unless a tuple
	 * is both a DNAT session's and an SNAT session's (a remote endpoint
	 * talking to an inside endpoint both ways at once). A new mapping is
	 * checked before its port is taken (sl_nat_map_get), so a conflict
	 * here never leaves a mapping without sessions. */
	if (!other_free && rte_hash_lookup(t->h, dir == SL_NAT_DIR_ORIG ? kout : kin) >= 0)
		return SL_NAT_DROP_CONFLICT;
	si = t->free_s[--t->n_free_s];
	s = &t->s[si];
	s->k[SL_NAT_DIR_ORIG] = *kin;
	s->k[SL_NAT_DIR_REPLY] = *kout;
	s->gw = kin->gw;
	s->map = mi;
	s->pubip = mi != SL_NAT_NONE ? t->m[mi].pubip : SL_NAT_PUBIP_NONE;
	s->origin = origin;
	atomic_store_explicit(&s->last, now, memory_order_relaxed);
	atomic_store_explicit(&s->tcp,
			      kin->proto == IPPROTO_TCP ? sl_nat_tcp_bits(dir, tcp_flags) : 0,
			      memory_order_relaxed);
	atomic_store_explicit(&s->live, 1, memory_order_relaxed);
	rc = sl_nat_publish(t, si, dir, &pos[0]);
	if (rc != SL_NAT_OK) {
		atomic_store_explicit(&s->live, 0, memory_order_relaxed);
		/* A mapping made for this session (no session yet) goes too. */
		if (mi != SL_NAT_NONE && t->m[mi].refs == 0)
			sl_nat_unmap_locked(t, mi);
		else
			mi = SL_NAT_NONE;
		if (pos[0] < 0 && mi == SL_NAT_NONE) {
			/* nothing was published: no reader can hold it */
			t->free_s[t->n_free_s++] = si;
		} else {
			/* a reader may hold the session found by its first key
			 * (before the fix of session 6 the slot and position
			 * were reused at once) */
			sl_nat_pend_locked(t, si, mi, pos);
		}
		return rc;
	}
	if (mi != SL_NAT_NONE)
		t->m[mi].refs++;
	atomic_fetch_add_explicit(&g->n_sessions, 1, memory_order_relaxed);
	g->tokens -= t->conf.hz;
	t->st[wid].c[SL_NAT_C_CREATED]++;
	sl_nat_gst(t, wid, kin->gw)->created++;
	*out = s;
	return SL_NAT_OK;
}

/* Checks before the lock: the protocol and a gateway at its session
 * limit (the common case of a flood beyond the spec). */
static enum sl_nat_drop sl_nat_precheck(const struct sl_nat_table *t, const struct sl_nat_key *k,
					uint16_t gw)
{
	const struct sl_nat_gw *g;

	if (sl_nat_proto_index(k->proto) < 0)
		return SL_NAT_DROP_BAD_PROTO;
	if (gw >= t->conf.max_gws)
		return SL_NAT_DROP_NO_POOL;
	g = &t->gw[gw];
	if (atomic_load_explicit(&g->n_sessions, memory_order_relaxed) >= g->max_sessions)
		return g->max_sessions ? SL_NAT_DROP_SESSION_LIMIT : SL_NAT_DROP_NO_POOL;
	return SL_NAT_OK;
}

/* Under the lock: the session if another worker made it meanwhile. */
static struct sl_nat_session *sl_nat_recheck(struct sl_nat_table *t, unsigned int wid,
					     const struct sl_nat_key *k)
{
	unsigned int dir;
	void *data;

	if (rte_hash_lookup_data(t->h, k, &data) < 0)
		return NULL;
	t->st[wid].c[SL_NAT_C_CREATE_RACE]++;
	return sl_nat_decode(t, data, &dir);
}

/* Limits, then a free slot (reclaiming if needed). Lock held. */
static enum sl_nat_drop sl_nat_admit(struct sl_nat_table *t, uint16_t gw, uint64_t now)
{
	enum sl_nat_drop rc = sl_nat_gw_admit(t, &t->gw[gw], now);

	if (rc != SL_NAT_OK)
		return rc;
	if (!t->n_free_s)
		sl_nat_reclaim_locked(t, UINT32_MAX);
	return t->n_free_s ? SL_NAT_OK : SL_NAT_DROP_TABLE_FULL;
}

/* sl_nat_create_out's locked part for one miss: `k` has no session yet
 * (checked without the lock). Lock held. */
static enum sl_nat_drop sl_nat_create_out_locked(struct sl_nat_table *t, unsigned int wid,
						 const struct sl_nat_key *k,
						 const struct sl_nat_pool *pool, uint8_t tcp_flags,
						 uint64_t now, struct sl_nat_session **out)
{
	struct sl_nat_key kout;
	struct sl_nat_mapping *m;
	enum sl_nat_drop rc;
	bool fresh = false;
	uint32_t mi;

	sl_nat_reclaim_locked(t, 8);
	*out = sl_nat_recheck(t, wid, k);
	if (*out)
		return SL_NAT_OK;
	rc = sl_nat_admit(t, k->gw, now);
	if (rc != SL_NAT_OK)
		return rc;
	mi = sl_nat_map_get(t, wid, k, pool, &rc, &fresh);
	if (mi == SL_NAT_NONE)
		return rc;
	m = &t->m[mi];
	/* the reply: remote -> public endpoint */
	sl_nat_key_out(&kout, k->proto, k->dst, k->dport, m->pub_ip, m->pub_port);
	return sl_nat_new_session(t, wid, k, &kout, mi, SL_NAT_DIR_ORIG, pool->origin, tcp_flags,
				  now, fresh, out);
}

/*
 * A burst's misses (design note: "Creating a burst"): checks without the
 * lock, every line the locked part will read asked for at once (the
 * free-stack tops, mapping index slots, bitmap words, and the hash buckets
 * of every inside key and of the reply key a new mapping most likely gets,
 * through one bulk lookup that also finds flows another worker created
 * meanwhile), then one lock hold creating them in order: the same
 * sessions, drops and counters as one sl_nat_create_out after another.
 */
unsigned int sl_nat_create_out_burst(struct sl_nat_table *t, unsigned int wid,
				     const struct sl_nat_key *const *k,
				     const struct sl_nat_pool *const *pool,
				     const uint8_t *tcp_flags, unsigned int n, uint64_t now,
				     struct sl_nat_session **out, enum sl_nat_drop *rc)
{
	const void *lk[2 * SL_NAT_CREATE_BURST];
	struct sl_nat_key guess[SL_NAT_CREATE_BURST];
	uint32_t start[SL_NAT_CREATE_BURST];
	int pick[SL_NAT_CREATE_BURST];
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	uint8_t todo[SL_NAT_CREATE_BURST];
	unsigned int m = 0, ng = 0, done = 0;
	uint64_t hits = 0;

	RTE_BUILD_BUG_ON(SL_NAT_CREATE_BURST > RTE_HASH_LOOKUP_BULK_MAX);
	n = RTE_MIN(n, (unsigned int)SL_NAT_CREATE_BURST);
	for (unsigned int i = 0; i < n; i++) {
		out[i] = NULL;
		rc[i] = sl_nat_precheck(t, k[i], k[i]->gw);
		if (rc[i] != SL_NAT_OK) {
			sl_nat_count_drop(t, wid, k[i]->gw, rc[i]);
			continue;
		}
		pick[m] = sl_nat_create_warm(t, k[i], pool[i], m, &start[m]);
		lk[m] = k[i];
		todo[m++] = (uint8_t)i;
	}
	if (m == 0)
		return 0;
	/* the guessed reply keys after the inside keys; their results are
	 * not used (a bulk lookup brings both buckets of every key in) */
	for (unsigned int j = 0; j < m; j++)
		if (pick[j] >= 0) {
			sl_nat_create_guess(t, k[todo[j]], pick[j], start[j], &guess[ng]);
			lk[m + ng] = &guess[ng];
			ng++;
		}
	if (rte_hash_lookup_bulk_data(t->h, lk, m, &hits, data) < 0)
		hits = 0;
	if (ng) {
		uint64_t ignored;

		(void)rte_hash_lookup_bulk_data(t->h, lk + m, ng, &ignored, data + m);
	}
	for (unsigned int j = 0; j < m; j++)
		if (hits & (1ULL << j)) { /* another worker made it since the miss */
			unsigned int dir;

			t->st[wid].c[SL_NAT_C_CREATE_RACE]++;
			out[todo[j]] = sl_nat_decode(t, data[j], &dir);
		}
	rte_spinlock_lock(&t->lock);
	for (unsigned int j = 0; j < m; j++) {
		unsigned int i = todo[j];

		if (out[i] == NULL)
			rc[i] = sl_nat_create_out_locked(t, wid, k[i], pool[i], tcp_flags[i], now,
							 &out[i]);
	}
	rte_spinlock_unlock(&t->lock);
	for (unsigned int j = 0; j < m; j++) {
		unsigned int i = todo[j];

		if (rc[i] == SL_NAT_OK)
			done++;
		else
			sl_nat_count_drop(t, wid, k[i]->gw, rc[i]);
	}
	return done;
}

enum sl_nat_drop sl_nat_create_out(struct sl_nat_table *t, unsigned int wid,
				   const struct sl_nat_key *k, const struct sl_nat_pool *pool,
				   uint8_t tcp_flags, uint64_t now, struct sl_nat_session **out)
{
	enum sl_nat_drop rc;

	sl_nat_create_out_burst(t, wid, &k, &pool, &tcp_flags, 1, now, out, &rc);
	return rc;
}

enum sl_nat_drop sl_nat_create_in(struct sl_nat_table *t, unsigned int wid,
				  const struct sl_nat_key *k, uint8_t tcp_flags, uint64_t now,
				  struct sl_nat_session **out)
{
	struct sl_nat_key kin;
	struct sl_nat_mapping *m;
	enum sl_nat_drop rc = SL_NAT_OK;
	uint32_t mi;
	uint16_t gw = UINT16_MAX; /* known once the mapping is */

	*out = NULL;
	if (sl_nat_proto_index(k->proto) < 0)
		return sl_nat_count_drop(t, wid, UINT16_MAX, SL_NAT_DROP_BAD_PROTO);
	rte_spinlock_lock(&t->lock);
	sl_nat_reclaim_locked(t, 8);
	*out = sl_nat_recheck(t, wid, k);
	if (*out)
		goto unlock;
	mi = sl_nat_mfind(t, true, sl_nat_mhash_out(k->proto, k->dst, k->dport), 0, k->proto,
			  k->dst, k->dport);
	if (mi == SL_NAT_NONE) {
		rc = SL_NAT_DROP_NO_MAPPING;
		goto unlock;
	}
	m = &t->m[mi];
	gw = m->gw;
	if (!(t->gw[m->gw].flags & SL_NAT_GW_EIF)) {
		rc = SL_NAT_DROP_FILTERED;
		goto unlock;
	}
	rc = sl_nat_admit(t, m->gw, now);
	if (rc != SL_NAT_OK)
		goto unlock;
	sl_nat_key_in(&kin, m->gw, k->proto, m->in_ip, m->in_port, k->src, k->sport);
	t->st[wid].c[SL_NAT_C_MAPPING_REUSED]++;
	rc = sl_nat_new_session(t, wid, &kin, k, mi, SL_NAT_DIR_REPLY, 0, tcp_flags, now, false,
				out);
unlock:
	rte_spinlock_unlock(&t->lock);
	return rc == SL_NAT_OK ? rc : sl_nat_count_drop(t, wid, gw, rc);
}

enum sl_nat_drop sl_nat_create_dnat(struct sl_nat_table *t, unsigned int wid,
				    const struct sl_nat_key *k, uint16_t gw, uint32_t int_ip,
				    uint16_t int_port, uint64_t origin, uint8_t tcp_flags,
				    uint64_t now, struct sl_nat_session **out)
{
	enum sl_nat_drop rc = sl_nat_precheck(t, k, gw);
	struct sl_nat_key kin;

	*out = NULL;
	if (rc != SL_NAT_OK)
		return sl_nat_count_drop(t, wid, gw, rc);
	rte_spinlock_lock(&t->lock);
	sl_nat_reclaim_locked(t, 8);
	*out = sl_nat_recheck(t, wid, k);
	if (*out)
		goto unlock;
	rc = sl_nat_admit(t, gw, now);
	if (rc != SL_NAT_OK)
		goto unlock;
	/* ICMP: the identifier is the outside key's dport */
	sl_nat_key_in(&kin, gw, k->proto, int_ip, k->proto == IPPROTO_ICMP ? k->dport : int_port,
		      k->src, k->sport);
	rc = sl_nat_new_session(t, wid, &kin, k, SL_NAT_NONE, SL_NAT_DIR_REPLY, origin, tcp_flags,
				now, false, out);
unlock:
	rte_spinlock_unlock(&t->lock);
	return rc == SL_NAT_OK ? rc : sl_nat_count_drop(t, wid, gw, rc);
}

/* ---- expiry ---------------------------------------------------------------- */

unsigned int sl_nat_expire(struct sl_nat_table *t, unsigned int wid, uint64_t now,
			   unsigned int budget)
{
	uint32_t cand[SL_NAT_EXPIRE_MAX];
	unsigned int n = 0, done = 0;
	uint64_t start;

	budget = RTE_MIN(budget, SL_NAT_EXPIRE_MAX);
	budget = RTE_MIN(budget, t->conf.max_sessions);
	start = atomic_fetch_add_explicit(&t->cursor, budget, memory_order_relaxed);
	for (unsigned int i = 0; i < budget; i++) {
		uint32_t si = (uint32_t)((start + i) % t->conf.max_sessions);
		const struct sl_nat_session *s = &t->s[si];

		if (atomic_load_explicit(&s->live, memory_order_relaxed) &&
		    sl_nat_session_expired(t, s, now))
			cand[n++] = si;
	}
	if (!n && !atomic_load_explicit(&t->n_pend, memory_order_relaxed))
		return 0;
	rte_spinlock_lock(&t->lock);
	for (unsigned int i = 0; i < n; i++) {
		const struct sl_nat_session *s = &t->s[cand[i]];

		/* Again under the lock: a packet may have refreshed it, or
		 * another worker's scan deleted it. */
		if (atomic_load_explicit(&s->live, memory_order_relaxed) &&
		    sl_nat_session_expired(t, s, now)) {
			sl_nat_gst(t, wid, s->gw)->expired++;
			sl_nat_del_locked(t, cand[i]);
			done++;
		}
	}
	sl_nat_reclaim_locked(t, RTE_MAX(budget, 32u));
	rte_spinlock_unlock(&t->lock);
	t->st[wid].c[SL_NAT_C_EXPIRED] += done;
	return done;
}

uint32_t sl_nat_flush_if(struct sl_nat_table *t, unsigned int wid,
			 bool (*doomed)(const struct sl_nat_session *s, void *arg), void *arg)
{
	uint32_t done = 0;

	for (uint32_t base = 0; base < t->conf.max_sessions; base += 1024) {
		uint32_t end = RTE_MIN(base + 1024u, t->conf.max_sessions);

		rte_spinlock_lock(&t->lock);
		for (uint32_t si = base; si < end; si++)
			if (atomic_load_explicit(&t->s[si].live, memory_order_relaxed) &&
			    doomed(&t->s[si], arg)) {
				sl_nat_gst(t, wid, t->s[si].gw)->deleted++;
				sl_nat_del_locked(t, si);
				done++;
			}
		sl_nat_reclaim_locked(t, 1024);
		rte_spinlock_unlock(&t->lock);
	}
	t->st[wid].c[SL_NAT_C_DELETED] += done;
	return done;
}

static bool sl_nat_of_gw(const struct sl_nat_session *s, void *arg)
{
	return s->gw == *(const uint16_t *)arg;
}

uint32_t sl_nat_gw_flush(struct sl_nat_table *t, unsigned int wid, uint16_t gw)
{
	return sl_nat_flush_if(t, wid, sl_nat_of_gw, &gw);
}

void sl_nat_gw_unset(struct sl_nat_table *t, uint16_t gw)
{
	if (gw >= t->conf.max_gws)
		return;
	rte_spinlock_lock(&t->lock);
	t->gw[gw].max_sessions = 0;
	t->gw[gw].new_per_sec = 0;
	t->gw[gw].flags = 0;
	rte_spinlock_unlock(&t->lock);
}

/* ---- read side for operators and tests
 * ------------------------------------------------------------ */

void sl_nat_usage(struct sl_nat_table *t, struct sl_nat_usage *u)
{
	rte_spinlock_lock(&t->lock);
	u->pending = atomic_load_explicit(&t->n_pend, memory_order_relaxed);
	u->free = t->n_free_s;
	u->sessions = t->conf.max_sessions - t->n_free_s - u->pending;
	u->mappings = 0;
	for (uint16_t i = 0; i < t->conf.max_pubips; i++)
		for (int p = 0; p < SL_NAT_N_PROTO; p++)
			u->mappings += t->ip[i].used[p];
	rte_spinlock_unlock(&t->lock);
}

void sl_nat_stats_read(const struct sl_nat_table *t, uint64_t *out)
{
	memset(out, 0, sizeof(uint64_t) * SL_NAT_C_MAX);
	for (unsigned int l = 0; l <= t->conf.n_workers; l++)
		for (int c = 0; c < SL_NAT_C_MAX; c++)
			out[c] += t->st[l].c[c];
}

void sl_nat_gw_stats_read(const struct sl_nat_table *t, uint16_t gw, struct sl_nat_gw_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (gw >= t->conf.max_gws)
		return;
	for (unsigned int l = 0; l <= t->conf.n_workers; l++) {
		const struct sl_nat_gw_stats *g = &t->gst[(size_t)l * t->conf.max_gws + gw];

		for (int d = 0; d < SL_NAT_DROP_MAX; d++)
			out->drop[d] += g->drop[d];
		out->created += g->created;
		out->expired += g->expired;
		out->deleted += g->deleted;
	}
}

int sl_nat_pubip_read(struct sl_nat_table *t, uint16_t idx, struct sl_nat_pubip_info *out)
{
	const struct sl_nat_pubip *ip;

	if (idx >= t->conf.max_pubips)
		return -EINVAL;
	ip = &t->ip[idx];
	rte_spinlock_lock(&t->lock);
	out->addr = ip->addr;
	out->gw = ip->gw;
	for (int p = 0; p < SL_NAT_N_PROTO; p++)
		out->ports[p] = ip->used[p];
	out->exhausted = ip->exhausted;
	rte_spinlock_unlock(&t->lock);
	return 0;
}

static bool sl_nat_key_has_addr(const struct sl_nat_key *k, uint32_t a)
{
	return k->src == a || k->dst == a;
}

static bool sl_nat_key_has_port(const struct sl_nat_key *k, uint16_t p)
{
	return k->sport == p || k->dport == p;
}

static bool sl_nat_match(const struct sl_nat_session *s, const struct sl_nat_filter *f)
{
	if (f->gw != SL_NAT_ANY_GW && s->gw != f->gw)
		return false;
	if (f->proto && s->k[0].proto != f->proto)
		return false;
	if (f->addr && !sl_nat_key_has_addr(&s->k[0], f->addr) &&
	    !sl_nat_key_has_addr(&s->k[1], f->addr))
		return false;
	if (f->port && !sl_nat_key_has_port(&s->k[0], f->port) &&
	    !sl_nat_key_has_port(&s->k[1], f->port))
		return false;
	return true;
}

uint32_t sl_nat_export(struct sl_nat_table *t, const struct sl_nat_filter *f, uint64_t now,
		       uint32_t *cursor, struct sl_nat_session_info *out, uint32_t max)
{
	uint32_t n = 0, si = *cursor;

	while (si < t->conf.max_sessions && n < max) {
		uint32_t end = RTE_MIN(si + 1024u, t->conf.max_sessions);

		/* Under the lock a live session's keys cannot be rewritten. */
		rte_spinlock_lock(&t->lock);
		for (; si < end && n < max; si++) {
			const struct sl_nat_session *s = &t->s[si];
			struct sl_nat_session_info *o;

			if (!atomic_load_explicit(&s->live, memory_order_relaxed) ||
			    !sl_nat_match(s, f))
				continue;
			o = &out[n++];
			o->in = s->k[0];
			o->out = s->k[1];
			o->gw = s->gw;
			o->tcp = atomic_load_explicit(&s->tcp, memory_order_relaxed);
			o->tmo_class = (uint8_t)sl_nat_session_class(s);
			o->idle = now - atomic_load_explicit(&s->last, memory_order_relaxed);
			o->timeout = sl_nat_session_timeout(t, s);
		}
		rte_spinlock_unlock(&t->lock);
	}
	*cursor = si;
	return n;
}
