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
 * Fields are relaxed atomics, so the races are defined. A colliding
 * datagram overwrites an older note (its remaining fragments are dropped).
 */
#include <stdatomic.h>
#include <string.h>

#include <rte_malloc.h>

#include "sl_nat.h"

struct sl_nat_frag_slot {
	_Atomic uint64_t ver; /* odd while written */
	_Atomic uint32_t src, dst, to;
	_Atomic uint16_t id, gw, to_gw;
	_Atomic uint8_t proto, dir;
	_Atomic uint64_t tick;
} __rte_aligned(64);

struct sl_nat_frags {
	uint32_t mask;
	uint64_t life; /* ticks a note is believed */
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
	f->mask = n_slots - 1;
	f->life = hz * SL_NAT_FRAG_LIFE_MS / 1000;
	return f;
}

void sl_nat_frags_free(struct sl_nat_frags *f)
{
	rte_free(f);
}

static uint32_t sl_frag_slot(const struct sl_nat_frags *f, const struct sl_nat_frag_key *k)
{
	uint64_t h = ((uint64_t)k->src << 32 | k->dst) * 0x9e3779b97f4a7c15ULL;

	h ^= ((uint64_t)k->id << 32 | (uint64_t)k->gw << 16 | (uint64_t)k->proto << 8 | k->dir) *
	     0xc2b2ae3d27d4eb4fULL;
	return (uint32_t)(h >> 40) & f->mask;
}

void sl_nat_frag_note(struct sl_nat_frags *f, const struct sl_nat_frag_key *k, uint32_t to,
		      uint16_t to_gw, uint64_t now)
{
	struct sl_nat_frag_slot *s = &f->slot[sl_frag_slot(f, k)];
	uint64_t v = atomic_load_explicit(&s->ver, memory_order_relaxed);

	if ((v & 1) || !atomic_compare_exchange_strong_explicit(
			   &s->ver, &v, v + 1, memory_order_acquire, memory_order_relaxed))
		return; /* another worker is writing this slot */
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

bool sl_nat_frag_find(const struct sl_nat_frags *f, const struct sl_nat_frag_key *k, uint64_t now,
		      uint32_t *to, uint16_t *to_gw)
{
	struct sl_nat_frag_slot *s = (struct sl_nat_frag_slot *)&f->slot[sl_frag_slot(f, k)];
	uint64_t v = atomic_load_explicit(&s->ver, memory_order_acquire);
	bool same;

	if (v & 1)
		return false;
	same = atomic_load_explicit(&s->src, memory_order_relaxed) == k->src &&
	       atomic_load_explicit(&s->dst, memory_order_relaxed) == k->dst &&
	       atomic_load_explicit(&s->id, memory_order_relaxed) == k->id &&
	       atomic_load_explicit(&s->gw, memory_order_relaxed) == k->gw &&
	       atomic_load_explicit(&s->proto, memory_order_relaxed) == k->proto &&
	       atomic_load_explicit(&s->dir, memory_order_relaxed) == k->dir &&
	       now - atomic_load_explicit(&s->tick, memory_order_relaxed) <= f->life;
	*to = atomic_load_explicit(&s->to, memory_order_relaxed);
	*to_gw = atomic_load_explicit(&s->to_gw, memory_order_relaxed);
	atomic_thread_fence(memory_order_acquire);
	return same && v != 0 && atomic_load_explicit(&s->ver, memory_order_relaxed) == v;
}
