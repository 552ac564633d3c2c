/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fragments of translated datagrams (issue 5): a non-first IPv4 fragment
 * carries no ports, so no session key can be built from it; it is
 * translated like the first fragment of its datagram was.
 *
 * Design note
 * -----------
 * When a stage translates a first fragment (MF set, offset 0) it notes the
 * datagram, (direction, gateway, source, destination, protocol, IP id) as
 * it arrived, with the address it was translated to and the session's
 * gateway. A later fragment of the same datagram finds that note and gets
 * the same address (the transport checksum lives in the first fragment and
 * was adjusted there). Fragments that come before their first fragment, or
 * more than SL_NAT_FRAG_LIFE_MS after it, find nothing: the stage drops
 * them `nat_fragment` (counted; reassembly would be the next step).
 *
 * The notes are a direct-mapped array shared by every worker (a
 * datagram's fragments may arrive on different queues: RSS hashes
 * fragments by addresses only, the first one possibly by ports too). Each
 * slot is a seqlock: a writer takes it by moving its version from even to
 * odd with a CAS (a slot being written by another worker is skipped: the
 * note is lost, its fragments are dropped, nothing is corrupted), stores
 * the fields, then publishes the next even version with release order; a
 * reader loads the version (acquire), the fields, and the version again,
 * and believes the fields only if both versions are the same even number.
 * Fields are relaxed atomics, so the races are defined.
 *
 * The array is SL_NAT_FRAG_NOTE_WAYS-way set-associative (two adjacent
 * lines per set): a note goes to the way that already notes the same
 * datagram, else a never written way, else the least recently noted one,
 * and to the other way if a worker is writing the chosen one. Direct-mapped
 * (until session 6), a datagram whose first fragment came between another
 * datagram's first and later fragments erased that note whenever the two
 * shared a slot (one pair in 4,096): the later fragments were held and
 * timed out 2 s later ("stranded", issue 5). Now it takes two datagrams of
 * the same set noted within one datagram's fragments to lose its note. A
 * reader checks both ways (one more line, fragments only).
 *
 * Early fragments: the holding area
 * ---------------------------------
 * A non-first fragment that finds no note (it overtook its first fragment,
 * or the first went to another worker a moment later) is held, not dropped,
 * in a set-associative area shared by every worker (the first fragment may
 * come on another queue): SL_NAT_FRAG_HOLD_BUCKETS buckets of
 * SL_NAT_FRAG_HOLD_WAYS datagrams, each with up to
 * SL_NAT_FRAG_HOLD_PER_DGRAM fragments and their extents (overlaps and
 * repeats refused), at most `hold_max` fragments in all. When the first
 * fragment is translated, the worker that translates it notes it as
 * before and takes the fragments held for the datagram: they are translated
 * like later fragments, by that worker. Datagrams held over
 * SL_NAT_FRAG_LIFE_MS are taken by the expiry scan (sl_nat_frag_expire,
 * every worker's loop, a shared cursor) or evicted by a newcomer that needs
 * their way, and dropped `nat_frag_timeout` by the caller: every mbuf held
 * comes out exactly once (translated, or dropped and freed).
 *
 * Concurrency: a spinlock per bucket guards its datagrams; only the slow
 * path takes it (holding, taking what is held, the scan of a bucket that
 * holds something). The fast path of a first fragment reads the bucket's
 * count `n` without the lock: 0, nothing to take. The race between a
 * fragment being held on worker B and its first fragment noted on worker A
 * is the store-buffering pattern, closed with a seq_cst fence on each side:
 *   A: note (stores)       ; fence ; load bucket n   -> take if non-zero
 *   B: hold (n++, unlock)  ; fence ; look for the note -> take if found
 * at least one of them sees the other's store, and taking is under the
 * lock, so the fragment is taken once. A note lost to a colliding or
 * concurrent writer leaves the fragment to time out (counted).
 */
#include <stdatomic.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "sl_nat.h"

struct sl_nat_frag_slot {
	_Atomic uint64_t ver; /* odd while written */
	_Atomic uint32_t src, dst, to;
	_Atomic uint16_t id, gw, to_gw;
	_Atomic uint8_t proto, dir;
	_Atomic uint64_t tick;
} __rte_aligned(64);

/* One datagram's early fragments; a free way has n == 0. */
struct sl_nat_frag_dgram {
	struct sl_nat_frag_key k;
	uint64_t since; /* tick its first early fragment came */
	uint16_t n;
	/* extents, in 8-byte units */
	uint16_t start[SL_NAT_FRAG_HOLD_PER_DGRAM], end[SL_NAT_FRAG_HOLD_PER_DGRAM];
	struct rte_mbuf *m[SL_NAT_FRAG_HOLD_PER_DGRAM];
};

struct sl_nat_frag_bucket {
	rte_spinlock_t lock;
	_Atomic uint32_t n; /* fragments held here: written under the lock, read without */
	struct sl_nat_frag_dgram d[SL_NAT_FRAG_HOLD_WAYS];
} __rte_aligned(64);

struct sl_nat_frags {
	uint32_t mask; /* note sets - 1 */
	uint32_t hold_max;			 /* fragments held in all, at most */
	uint64_t life;				 /* ticks a note is believed, a datagram held */
	_Atomic uint32_t held __rte_aligned(64); /* fragments held in all */
	_Atomic uint32_t cursor;		 /* the expiry scan's next bucket */
	struct sl_nat_frag_bucket b[SL_NAT_FRAG_HOLD_BUCKETS];
	struct sl_nat_frag_slot slot[];
};

struct sl_nat_frags *sl_nat_frags_create(uint32_t n_slots, uint64_t hz)
{
	struct sl_nat_frags *f;

	n_slots = rte_align32pow2(n_slots < 64 ? 64 : n_slots);
	f = rte_zmalloc("sl_nat_frag", sizeof(*f) + n_slots * sizeof(f->slot[0]),
			RTE_CACHE_LINE_SIZE);
	if (f == NULL)
		return NULL;
	f->mask = n_slots / SL_NAT_FRAG_NOTE_WAYS - 1; /* sets */
	f->life = hz * SL_NAT_FRAG_LIFE_MS / 1000;
	f->hold_max = SL_NAT_FRAG_HOLD_MBUFS;
	for (unsigned int i = 0; i < SL_NAT_FRAG_HOLD_BUCKETS; i++)
		rte_spinlock_init(&f->b[i].lock);
	return f;
}

void sl_nat_frag_hold_max(struct sl_nat_frags *f, uint32_t max_mbufs)
{
	f->hold_max =
	    RTE_MIN(max_mbufs, (uint32_t)(SL_NAT_FRAG_HOLD_BUCKETS * SL_NAT_FRAG_HOLD_WAYS *
					  SL_NAT_FRAG_HOLD_PER_DGRAM));
}

uint32_t sl_nat_frag_held(const struct sl_nat_frags *f)
{
	return atomic_load_explicit(&((struct sl_nat_frags *)f)->held, memory_order_relaxed);
}

void sl_nat_frags_free(struct sl_nat_frags *f)
{
	struct rte_mbuf *m[SL_NAT_FRAG_HOLD_WAYS * SL_NAT_FRAG_HOLD_PER_DGRAM];

	if (f == NULL)
		return;
	/* held ones: back to their pool */
	for (unsigned int b = 0; b < SL_NAT_FRAG_HOLD_BUCKETS; b++)
		rte_pktmbuf_free_bulk(m, sl_nat_frag_expire(f, UINT64_MAX, 1, m, RTE_DIM(m)));
	rte_free(f);
}

/* The datagram's hash: its note set (hash & mask) and its holding bucket. */
static uint32_t sl_frag_hash(const struct sl_nat_frag_key *k)
{
	uint64_t h = ((uint64_t)k->src << 32 | k->dst) * 0x9e3779b97f4a7c15ULL;

	h ^= ((uint64_t)k->id << 32 | (uint64_t)k->gw << 16 | (uint64_t)k->proto << 8 | k->dir) *
	     0xc2b2ae3d27d4eb4fULL;
	return (uint32_t)(h >> 40);
}

/* The first way of the datagram's note set (SL_NAT_FRAG_NOTE_WAYS slots). */
static struct sl_nat_frag_slot *sl_frag_set(const struct sl_nat_frags *f,
					    const struct sl_nat_frag_key *k)
{
	return (struct sl_nat_frag_slot *)&f->slot[(sl_frag_hash(k) & f->mask) *
						   SL_NAT_FRAG_NOTE_WAYS];
}

/* A way's key is `k` (a hint read without the seqlock: the reader checks). */
static bool sl_frag_slot_is(const struct sl_nat_frag_slot *s, const struct sl_nat_frag_key *k)
{
	struct sl_nat_frag_slot *x = (struct sl_nat_frag_slot *)s;

	return atomic_load_explicit(&x->src, memory_order_relaxed) == k->src &&
	       atomic_load_explicit(&x->dst, memory_order_relaxed) == k->dst &&
	       atomic_load_explicit(&x->id, memory_order_relaxed) == k->id &&
	       atomic_load_explicit(&x->gw, memory_order_relaxed) == k->gw &&
	       atomic_load_explicit(&x->proto, memory_order_relaxed) == k->proto &&
	       atomic_load_explicit(&x->dir, memory_order_relaxed) == k->dir;
}

/* The way a note of `k` replaces: the one that already notes `k`, else a
 * never written one, else the least recently noted (its datagram's later
 * fragments most likely came already). */
static unsigned int sl_frag_victim(struct sl_nat_frag_slot *set, const struct sl_nat_frag_key *k)
{
	unsigned int pick = 0;
	uint64_t oldest = 0;

	for (unsigned int w = 0; w < SL_NAT_FRAG_NOTE_WAYS; w++) {
		uint64_t v = atomic_load_explicit(&set[w].ver, memory_order_relaxed);
		uint64_t tick = atomic_load_explicit(&set[w].tick, memory_order_relaxed);

		if (v == 0 || (!(v & 1) && sl_frag_slot_is(&set[w], k)))
			return w;
		/* signed age: the clocks of workers differ a little */
		if (w == 0 || (int64_t)(tick - oldest) < 0) {
			oldest = tick;
			pick = w;
		}
	}
	return pick;
}

void sl_nat_frag_note(struct sl_nat_frags *f, const struct sl_nat_frag_key *k, uint32_t to,
		      uint16_t to_gw, uint64_t now)
{
	struct sl_nat_frag_slot *set = sl_frag_set(f, k), *s = NULL;
	unsigned int w = sl_frag_victim(set, k);
	uint64_t v;

	/* the chosen way, else the other one if a worker is writing it */
	for (unsigned int i = 0; i < SL_NAT_FRAG_NOTE_WAYS && s == NULL; i++) {
		struct sl_nat_frag_slot *x = &set[(w + i) % SL_NAT_FRAG_NOTE_WAYS];

		v = atomic_load_explicit(&x->ver, memory_order_relaxed);
		if (!(v & 1) && atomic_compare_exchange_strong_explicit(
				    &x->ver, &v, v + 1, memory_order_acquire, memory_order_relaxed))
			s = x;
	}
	if (s == NULL)
		return; /* every way of the set is being written: the note is lost */
	atomic_store_explicit(&s->src, k->src, memory_order_relaxed);
	atomic_store_explicit(&s->dst, k->dst, memory_order_relaxed);
	atomic_store_explicit(&s->id, k->id, memory_order_relaxed);
	atomic_store_explicit(&s->gw, k->gw, memory_order_relaxed);
	atomic_store_explicit(&s->proto, k->proto, memory_order_relaxed);
	atomic_store_explicit(&s->dir, k->dir, memory_order_relaxed);
	atomic_store_explicit(&s->to, to, memory_order_relaxed);
	atomic_store_explicit(&s->to_gw, to_gw, memory_order_relaxed);
	atomic_store_explicit(&s->tick, now, memory_order_relaxed);
	atomic_store_explicit(&s->ver, v + 2, memory_order_release);
}

/* One way of the set: the seqlock read. */
static bool sl_frag_slot_find(const struct sl_nat_frags *f, struct sl_nat_frag_slot *s,
			      const struct sl_nat_frag_key *k, uint64_t now, uint32_t *to,
			      uint16_t *to_gw)
{
	uint64_t v = atomic_load_explicit(&s->ver, memory_order_acquire);
	uint32_t x_to;
	uint16_t x_gw;
	bool same;

	if (v & 1)
		return false;
	same = sl_frag_slot_is(s, k) &&
	       /* signed: another worker's clock may be a little ahead */
	       (int64_t)(now - atomic_load_explicit(&s->tick, memory_order_relaxed)) <=
		   (int64_t)f->life;
	x_to = atomic_load_explicit(&s->to, memory_order_relaxed);
	x_gw = atomic_load_explicit(&s->to_gw, memory_order_relaxed);
	atomic_thread_fence(memory_order_acquire);
	if (!same || v == 0 || atomic_load_explicit(&s->ver, memory_order_relaxed) != v)
		return false;
	*to = x_to;
	*to_gw = x_gw;
	return true;
}

bool sl_nat_frag_find(const struct sl_nat_frags *f, const struct sl_nat_frag_key *k, uint64_t now,
		      uint32_t *to, uint16_t *to_gw)
{
	struct sl_nat_frag_slot *set = sl_frag_set(f, k);

	for (unsigned int w = 0; w < SL_NAT_FRAG_NOTE_WAYS; w++)
		if (sl_frag_slot_find(f, &set[w], k, now, to, to_gw))
			return true;
	return false;
}

/* ---- the holding area ------------------------------------------------------ */

static bool sl_frag_key_eq(const struct sl_nat_frag_key *a, const struct sl_nat_frag_key *b)
{
	return a->src == b->src && a->dst == b->dst && a->id == b->id && a->gw == b->gw &&
	       a->proto == b->proto && a->dir == b->dir;
}

/* Held longer than the life of a note (now UINT64_MAX: drain). Signed, as in
 * sl_nat_frag_find: `since` may come from a worker whose clock is ahead. */
static bool sl_frag_stale(const struct sl_nat_frags *f, uint64_t since, uint64_t now)
{
	return now == UINT64_MAX || (int64_t)(now - since) > (int64_t)f->life;
}

static struct sl_nat_frag_bucket *sl_frag_bucket(struct sl_nat_frags *f,
						 const struct sl_nat_frag_key *k)
{
	return &f->b[sl_frag_hash(k) & (SL_NAT_FRAG_HOLD_BUCKETS - 1)];
}

/* Empty way `d` of bucket `b` into out[] (under the lock). */
static uint16_t sl_frag_empty(struct sl_nat_frags *f, struct sl_nat_frag_bucket *b,
			      struct sl_nat_frag_dgram *d, struct rte_mbuf **out)
{
	uint16_t n = d->n;

	memcpy(out, d->m, n * sizeof(d->m[0]));
	d->n = 0;
	atomic_fetch_sub_explicit(&b->n, n, memory_order_relaxed);
	atomic_fetch_sub_explicit(&f->held, n, memory_order_relaxed);
	return n;
}

/* Take what is held for `k` into o->go[] (o->dead[] if it is stale). */
static void sl_frag_take(struct sl_nat_frags *f, const struct sl_nat_frag_key *k, uint64_t now,
			 struct sl_nat_frag_out *o)
{
	struct sl_nat_frag_bucket *b = sl_frag_bucket(f, k);

	if (atomic_load_explicit(&b->n, memory_order_relaxed) == 0)
		return;
	rte_spinlock_lock(&b->lock);
	for (unsigned int i = 0; i < SL_NAT_FRAG_HOLD_WAYS; i++) {
		struct sl_nat_frag_dgram *d = &b->d[i];

		if (d->n == 0 || !sl_frag_key_eq(&d->k, k))
			continue;
		if (sl_frag_stale(f, d->since, now))
			o->n_dead =
			    (uint16_t)(o->n_dead + sl_frag_empty(f, b, d, o->dead + o->n_dead));
		else
			o->n_go = (uint16_t)(o->n_go + sl_frag_empty(f, b, d, o->go + o->n_go));
		break;
	}
	rte_spinlock_unlock(&b->lock);
}

/* Hold `m` in bucket `b` (under its lock); a stale way may be evicted into
 * o->dead[] to make room. */
static enum sl_nat_frag_verdict sl_frag_hold(struct sl_nat_frags *f, struct sl_nat_frag_bucket *b,
					     const struct sl_nat_frag_key *k, struct rte_mbuf *m,
					     uint16_t start, uint16_t end, uint64_t now,
					     struct sl_nat_frag_out *o)
{
	struct sl_nat_frag_dgram *d = NULL, *room = NULL;

	for (unsigned int i = 0; i < SL_NAT_FRAG_HOLD_WAYS; i++) {
		struct sl_nat_frag_dgram *x = &b->d[i];

		if (x->n != 0 && sl_frag_key_eq(&x->k, k)) {
			d = x;
			break;
		}
		if (room == NULL && (x->n == 0 || sl_frag_stale(f, x->since, now)))
			room = x;
	}
	if (d != NULL && sl_frag_stale(f, d->since, now)) { /* an old datagram, same id */
		o->n_dead = sl_frag_empty(f, b, d, o->dead);
	} else if (d == NULL) {
		if (room == NULL)
			return SL_NAT_FRAG_FULL;
		d = room;
		if (d->n != 0)
			o->n_dead = sl_frag_empty(f, b, d, o->dead);
	}
	if (d->n == SL_NAT_FRAG_HOLD_PER_DGRAM)
		return SL_NAT_FRAG_TOO_MANY;
	for (unsigned int i = 0; i < d->n; i++)
		if (start < d->end[i] && d->start[i] < end)
			return SL_NAT_FRAG_OVERLAP;
	if (atomic_fetch_add_explicit(&f->held, 1, memory_order_relaxed) >= f->hold_max) {
		atomic_fetch_sub_explicit(&f->held, 1, memory_order_relaxed);
		return SL_NAT_FRAG_FULL;
	}
	if (d->n == 0) {
		d->k = *k;
		d->since = now;
	}
	d->start[d->n] = start;
	d->end[d->n] = end;
	d->m[d->n++] = m;
	atomic_fetch_add_explicit(&b->n, 1, memory_order_relaxed);
	return SL_NAT_FRAG_HELD;
}

enum sl_nat_frag_verdict sl_nat_frag_later(struct sl_nat_frags *f, const struct sl_nat_frag_key *k,
					   struct rte_mbuf *m, uint16_t start, uint16_t end,
					   uint64_t now, struct sl_nat_frag_out *o)
{
	struct sl_nat_frag_bucket *b = sl_frag_bucket(f, k);
	enum sl_nat_frag_verdict v;

	o->n_go = o->n_dead = 0;
	if (sl_nat_frag_find(f, k, now, &o->to, &o->to_gw)) {
		o->go[o->n_go++] = m;
		return SL_NAT_FRAG_GO;
	}
	rte_spinlock_lock(&b->lock);
	v = sl_frag_hold(f, b, k, m, start, end, now, o);
	rte_spinlock_unlock(&b->lock);
	if (v != SL_NAT_FRAG_HELD)
		return v;
	/* the first fragment may have been noted meanwhile, before its worker
	 * could see this one held (design note: the fences) */
	atomic_thread_fence(memory_order_seq_cst);
	if (sl_nat_frag_find(f, k, now, &o->to, &o->to_gw))
		sl_frag_take(f, k, now, o);
	return SL_NAT_FRAG_HELD;
}

void sl_nat_frag_first(struct sl_nat_frags *f, const struct sl_nat_frag_key *k, uint32_t to,
		       uint16_t to_gw, uint64_t now, struct sl_nat_frag_out *o)
{
	o->n_go = o->n_dead = 0;
	o->to = to;
	o->to_gw = to_gw;
	sl_nat_frag_note(f, k, to, to_gw, now);
	atomic_thread_fence(memory_order_seq_cst);
	sl_frag_take(f, k, now, o);
}

unsigned int sl_nat_frag_expire(struct sl_nat_frags *f, uint64_t now, unsigned int budget,
				struct rte_mbuf **out, unsigned int max)
{
	unsigned int n = 0;

	if (atomic_load_explicit(&f->held, memory_order_relaxed) == 0)
		return 0;
	budget = RTE_MIN(budget, (unsigned int)SL_NAT_FRAG_HOLD_BUCKETS);
	for (unsigned int i = 0; i < budget; i++) {
		uint32_t c = atomic_fetch_add_explicit(&f->cursor, 1, memory_order_relaxed);
		struct sl_nat_frag_bucket *b = &f->b[c & (SL_NAT_FRAG_HOLD_BUCKETS - 1)];

		if (atomic_load_explicit(&b->n, memory_order_relaxed) == 0)
			continue;
		if (max - n < SL_NAT_FRAG_HOLD_WAYS * SL_NAT_FRAG_HOLD_PER_DGRAM)
			break; /* this bucket is looked at again in a later pass */
		rte_spinlock_lock(&b->lock);
		for (unsigned int w = 0; w < SL_NAT_FRAG_HOLD_WAYS; w++)
			if (b->d[w].n != 0 && sl_frag_stale(f, b->d[w].since, now))
				n += sl_frag_empty(f, b, &b->d[w], out + n);
		rte_spinlock_unlock(&b->lock);
	}
	return n;
}
