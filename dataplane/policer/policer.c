/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bandwidth policers (issue 7; docs/policer.md): the meters of the police4 stage.
 *
 * Design note
 * -----------
 * Why not rte_meter: an rte_meter_srtcm/trtcm object is a plain struct
 * updated with loads and stores; two lcores metering the same object lose
 * updates (both see the same tokens, both subtract), so DPDK applications
 * keep one meter per lcore and split the rate between them, which is only
 * accurate if RSS spreads an IP's traffic evenly (one elephant flow lands
 * on one queue: the IP then gets rate / n_workers). VPP's policer instead
 * binds each policer to one thread and hands packets metered on another
 * thread over to it through a frame queue (a ring hop per packet).
 * sluice keeps one bucket state per policer that every worker updates with
 * one 16-byte compare-and-swap (cmpxchg16b): exact whatever the spread,
 * no handoff, and a packet coloured RED writes nothing (the next packet
 * credits the same interval), so at 2x overload half the packets only read
 * the shared line. The cost is a contended cache line when several workers
 * meter the same IP at once; BENCHMARKS.md ("Bandwidth policers") measures
 * it next to rte_meter.
 *
 * Arithmetic: the same RFC 2697/2698 rules as rte_meter (colour-blind), but
 * tokens are fixed point, 1/256 byte (SL_POL_SHIFT), so a bucket holds up
 * to 16 MiB in 32 bits and the state {last: 64 bits, tc: 32, te/tp: 32}
 * fits one CAS. Rates are tokens per clock unit in 32.32 fixed point;
 * credit = (now - last) x rate >> 32 in 128 bits (one multiply). A
 * policer is one cache line (state, seq and both parameter copies packed).
 * Crediting sets last = now and floors the credit: at most 1/256 byte lost
 * per written packet (0.03% at 10 Mpps against 1 Gbps). rte_meter instead
 * credits whole periods of N bytes (integer tokens, no loss, but a division
 * per packet).
 *
 * srTCM: C is credited at CIR, its overflow goes to E (RFC 2697 3.), so
 * EBS = 0 gives a two-colour policer. trTCM: C at CIR, P at PIR.
 *
 * Parameters: two copies per policer and a sequence number (a seqlock
 * whose writer never writes the copy readers use): the writer fills the
 * inactive copy and bumps seq (release); a reader copies seq&1's copy and
 * retries if seq moved meanwhile. A reader never waits for the writer.
 *
 * Concurrency rules: state only by CAS (any worker, the writer when it
 * settles a rate change); p[]/seq only by the writer; cnt row i only by
 * lcore i (relaxed stores), read by anyone; base[] only by the writer.
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include <rte_atomic.h>

#include "sl_policer.h"

#define SL_POL_SHIFT 8 /* fractional bits of a token (1/256 byte) */

typedef unsigned __int128 sl_u128;

/**
 * One parameter set as stored, packed to 20 bytes so that a policer (state,
 * seq and both copies) is one cache line: a packet touches that line and
 * its lcore's counter line, nothing else. Rates are tokens per clock unit
 * in 32.32 fixed point, below 2^48 (rlo | rhi << 32). Off: size[0] 0.
 * trTCM: rate of P non-zero; srTCM: 0 (E fills from C's overflow).
 */
struct pol_params {
	uint32_t size[2]; /**< bucket sizes in tokens: CBS; EBS or PBS */
	uint32_t rlo[2];  /**< rate of C; of P */
	uint16_t rhi[2];
};

/** A parameter set unpacked for one packet. */
struct pol_view {
	uint64_t rate[2];
	uint64_t size[2];
	bool on, trtcm;
};

struct sl_pol {
	/** val[0] = last credited time; val[1] = tc | (te or tp) << 32. CAS only. */
	rte_int128_t state;
	uint32_t seq; /**< p[seq & 1] is current; writer only, release */
	struct pol_params p[2];
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct pol_params) == 20, "packed parameters");
_Static_assert(sizeof(struct sl_pol) == 64, "a policer is one cache line");

struct pol_cnt {
	uint64_t cp, cb, xp, xb; /* conform pkts, bytes; exceed pkts, bytes */
};

struct sl_pol_table {
	uint32_t max;
	unsigned int n_lcores;
	uint64_t hz;
	struct sl_pol *pol;   /* [max] */
	struct pol_cnt *cnt;  /* [n_lcores][max]: row i written by lcore i only */
	struct pol_cnt *base; /* [max]: the sums when the policer was created */
};

struct sl_pol_table *sl_pol_create(uint32_t max, unsigned int n_lcores, uint64_t hz)
{
	struct sl_pol_table *t;

	if (max == 0 || max == SL_POL_NONE || n_lcores == 0 || hz == 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->max = max;
	t->n_lcores = n_lcores;
	t->hz = hz;
	t->pol = aligned_alloc(64, sizeof(*t->pol) * max);
	t->cnt = aligned_alloc(64, RTE_ALIGN_CEIL(sizeof(*t->cnt) * max * n_lcores, 64));
	t->base = calloc(max, sizeof(*t->base));
	if (t->pol == NULL || t->cnt == NULL || t->base == NULL) {
		sl_pol_free(t);
		return NULL;
	}
	memset(t->pol, 0, sizeof(*t->pol) * max);
	memset(t->cnt, 0, sizeof(*t->cnt) * max * n_lcores);
	return t;
}

void sl_pol_free(struct sl_pol_table *t)
{
	if (t == NULL)
		return;
	free(t->pol);
	free(t->cnt);
	free(t->base);
	free(t);
}

/* ---- readers ---------------------------------------------------------------- */

static inline void params_unpack(const struct pol_params *pp, struct pol_view *v)
{
	for (int i = 0; i < 2; i++) {
		v->rate[i] = pp->rlo[i] | (uint64_t)pp->rhi[i] << 32;
		v->size[i] = pp->size[i];
	}
	v->on = pp->size[0] != 0;
	v->trtcm = v->rate[1] != 0;
}

static inline void params_load(const struct sl_pol *p, struct pol_view *out)
{
	struct pol_params pp;
	uint32_t s1, s2;

	do {
		s1 = __atomic_load_n(&p->seq, __ATOMIC_ACQUIRE);
		pp = p->p[s1 & 1];
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&p->seq, __ATOMIC_RELAXED);
	} while (s1 != s2);
	params_unpack(&pp, out);
}

/* Tokens earned in dt; anything above 2^33 fills every bucket anyway
 * (rate < 2^48 and dt < 2^64: the product fits 112 bits). */
static inline uint64_t credit(uint64_t dt, uint64_t rate)
{
	sl_u128 c = ((sl_u128)dt * rate) >> 32;

	return c > (1ull << 33) ? 1ull << 33 : (uint64_t)c;
}

static inline rte_int128_t state_load(struct sl_pol *p)
{
	rte_int128_t s;

	/* A torn pair only makes the first CAS fail and reload. */
	s.val[0] = __atomic_load_n(&p->state.val[0], __ATOMIC_RELAXED);
	s.val[1] = __atomic_load_n(&p->state.val[1], __ATOMIC_RELAXED);
	return s;
}

/**
 * Brings a state up to `now` under `pp` (RFC 2697 3. / RFC 2698 3.: the
 * buckets are refilled before the packet is looked at).
 */
static inline void refill(const struct pol_view *pp, const rte_int128_t *s, uint64_t now,
			  uint64_t *last, uint64_t *tc, uint64_t *tx)
{
	uint64_t dt = now > s->val[0] ? now - s->val[0] : 0;

	*last = now > s->val[0] ? now : s->val[0];
	*tc = (uint32_t)s->val[1];
	*tx = s->val[1] >> 32;
	*tc += credit(dt, pp->rate[0]);
	if (!pp->trtcm) {
		if (*tc > pp->size[0]) {
			*tx += *tc - pp->size[0];
			*tc = pp->size[0];
		}
	} else {
		*tx += credit(dt, pp->rate[1]);
		if (*tc > pp->size[0])
			*tc = pp->size[0];
	}
	if (*tx > pp->size[1])
		*tx = pp->size[1];
}

static enum sl_pol_color meter_state(struct sl_pol *p, const struct pol_view *pp, uint32_t len,
				     uint64_t now)
{
	uint64_t need = (uint64_t)len << SL_POL_SHIFT, last, tc, tx;
	rte_int128_t old = state_load(p), nw;
	enum sl_pol_color col;

	do {
		refill(pp, &old, now, &last, &tc, &tx);
		if (!pp->trtcm) {
			if (tc >= need) {
				col = SL_POL_GREEN;
				tc -= need;
			} else if (tx >= need) {
				col = SL_POL_YELLOW;
				tx -= need;
			} else {
				col = SL_POL_RED;
			}
		} else {
			if (tx < need) {
				col = SL_POL_RED;
			} else if (tc < need) {
				col = SL_POL_YELLOW;
				tx -= need;
			} else {
				col = SL_POL_GREEN;
				tc -= need;
				tx -= need;
			}
		}
		/* RED takes nothing: leaving the state as it is credits the
		 * same interval later (never less: floor(a) + floor(b) <= floor(a + b)). */
		if (col == SL_POL_RED)
			return col;
		nw.val[0] = last;
		nw.val[1] = tc | tx << 32;
	} while (!rte_atomic128_cmp_exchange(&p->state, &old, &nw, 0, __ATOMIC_ACQ_REL,
					     __ATOMIC_RELAXED));
	return col;
}

/** Gives back what a GREEN or YELLOW packet took (two levels). */
static void refund(struct sl_pol *p, const struct pol_view *pp, enum sl_pol_color col, uint32_t len)
{
	uint64_t need = (uint64_t)len << SL_POL_SHIFT, tc, tx;
	rte_int128_t old = state_load(p), nw;

	do {
		tc = (uint32_t)old.val[1];
		tx = old.val[1] >> 32;
		if (!pp->trtcm) {
			if (col == SL_POL_GREEN)
				tc = RTE_MIN(tc + need, (uint64_t)pp->size[0]);
			else
				tx = RTE_MIN(tx + need, (uint64_t)pp->size[1]);
		} else {
			if (col == SL_POL_GREEN)
				tc = RTE_MIN(tc + need, (uint64_t)pp->size[0]);
			tx = RTE_MIN(tx + need, (uint64_t)pp->size[1]);
		}
		nw.val[0] = old.val[0];
		nw.val[1] = tc | tx << 32;
	} while (!rte_atomic128_cmp_exchange(&p->state, &old, &nw, 0, __ATOMIC_ACQ_REL,
					     __ATOMIC_RELAXED));
}

static inline void count(struct sl_pol_table *t, unsigned int lcore, uint32_t id, bool conform,
			 uint32_t len)
{
	struct pol_cnt *c = &t->cnt[(size_t)lcore * t->max + id];
	uint64_t *pk = conform ? &c->cp : &c->xp, *by = conform ? &c->cb : &c->xb;

	/* Single writer per row: a relaxed load and store, never torn for readers. */
	__atomic_store_n(pk, __atomic_load_n(pk, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
	__atomic_store_n(by, __atomic_load_n(by, __ATOMIC_RELAXED) + len, __ATOMIC_RELAXED);
}

void sl_pol_prefetch(const struct sl_pol_table *t, unsigned int lcore, uint32_t id)
{
	if (id >= t->max)
		return;
	__builtin_prefetch(&t->pol[id], 1, 3);
	__builtin_prefetch(&t->cnt[(size_t)lcore * t->max + id], 1, 3);
}

enum sl_pol_color sl_pol_meter(struct sl_pol_table *t, unsigned int lcore, uint32_t id,
			       uint32_t len, uint64_t now)
{
	return sl_pol_meter2(t, lcore, id, SL_POL_NONE, len, now);
}

enum sl_pol_color sl_pol_meter2(struct sl_pol_table *t, unsigned int lcore, uint32_t own,
				uint32_t agg, uint32_t len, uint64_t now)
{
	struct pol_view p1 = {.on = false}, p2 = {.on = false};
	enum sl_pol_color c1 = SL_POL_GREEN, c2 = SL_POL_GREEN;

	if (own < t->max)
		params_load(&t->pol[own], &p1);
	if (agg < t->max)
		params_load(&t->pol[agg], &p2);
	if (p1.on) {
		c1 = meter_state(&t->pol[own], &p1, len, now);
		if (c1 == SL_POL_RED) {
			count(t, lcore, own, false, len);
			return c1;
		}
	}
	if (p2.on) {
		c2 = meter_state(&t->pol[agg], &p2, len, now);
		count(t, lcore, agg, c2 != SL_POL_RED, len);
		if (c2 == SL_POL_RED) {
			if (p1.on)
				refund(&t->pol[own], &p1, c1, len);
			return c2;
		}
	}
	if (p1.on)
		count(t, lcore, own, true, len);
	return RTE_MAX(c1, c2);
}

/* ---- the writer --------------------------------------------------------------- */

static int params_make(const struct sl_pol_table *t, const struct sl_pol_conf *c,
		       struct pol_params *pp)
{
	sl_u128 r;
	uint32_t b[2] = {c->cbs, c->ebs};
	uint64_t rate[2] = {c->cir, c->mode == SL_POL_TRTCM ? c->pir : 0};

	memset(pp, 0, sizeof(*pp));
	if (c->mode != SL_POL_SRTCM && c->mode != SL_POL_TRTCM)
		return -1;
	if (c->cir == 0 || c->cbs == 0 || c->cbs > SL_POL_BUCKET_MAX || c->ebs > SL_POL_BUCKET_MAX)
		return -1;
	if (c->mode == SL_POL_TRTCM && (c->pir < c->cir || c->ebs == 0))
		return -1;
	for (int i = 0; i < 2; i++) {
		r = ((sl_u128)rate[i] << (SL_POL_SHIFT + 32)) / t->hz;
		/* 2^48: 256 bytes per clock unit, 2 Tbit/s on a 1 GHz clock */
		if (r >= (1ull << 48) || (rate[i] != 0 && r == 0))
			return -1;
		pp->rlo[i] = (uint32_t)r;
		pp->rhi[i] = (uint16_t)(r >> 32);
		pp->size[i] = b[i] << SL_POL_SHIFT;
	}
	return 0;
}

static void params_publish(struct sl_pol *p, const struct pol_params *pp)
{
	uint32_t s = p->seq;

	p->p[(s + 1) & 1] = *pp;
	__atomic_store_n(&p->seq, s + 1, __ATOMIC_RELEASE);
}

static void stats_sum(const struct sl_pol_table *t, uint32_t id, struct pol_cnt *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned int l = 0; l < t->n_lcores; l++) {
		const struct pol_cnt *c = &t->cnt[(size_t)l * t->max + id];

		sum->cp += __atomic_load_n(&c->cp, __ATOMIC_RELAXED);
		sum->cb += __atomic_load_n(&c->cb, __ATOMIC_RELAXED);
		sum->xp += __atomic_load_n(&c->xp, __ATOMIC_RELAXED);
		sum->xb += __atomic_load_n(&c->xb, __ATOMIC_RELAXED);
	}
}

int sl_pol_set(struct sl_pol_table *t, uint32_t id, const struct sl_pol_conf *c, uint64_t now)
{
	struct pol_params np;
	struct pol_view op;
	struct sl_pol *p;
	rte_int128_t old, nw;
	uint64_t last, tc, tx;

	if (id >= t->max || params_make(t, c, &np) != 0)
		return -1;
	p = &t->pol[id];
	params_unpack(&p->p[p->seq & 1], &op);
	if (!op.on) {
		/* A new policer: full buckets, counters from zero. Workers
		 * do not meter it until the parameters are published; one
		 * that read the parameters of a just-deleted policer at this
		 * index may still CAS the state, so it is replaced by CAS too
		 * (never torn). */
		nw.val[0] = now;
		nw.val[1] = np.size[0] | (uint64_t)np.size[1] << 32;
		old = state_load(p);
		while (!rte_atomic128_cmp_exchange(&p->state, &old, &nw, 0, __ATOMIC_ACQ_REL,
						   __ATOMIC_RELAXED))
			;
		stats_sum(t, id, &t->base[id]);
		params_publish(p, &np);
		return 0;
	}
	/* A change: credit what the old rate earned up to now, cut the
	 * tokens to the new buckets, then publish. */
	old = state_load(p);
	do {
		refill(&op, &old, now, &last, &tc, &tx);
		nw.val[0] = last;
		nw.val[1] = RTE_MIN(tc, (uint64_t)np.size[0]) | RTE_MIN(tx, (uint64_t)np.size[1])
								    << 32;
	} while (!rte_atomic128_cmp_exchange(&p->state, &old, &nw, 0, __ATOMIC_ACQ_REL,
					     __ATOMIC_RELAXED));
	params_publish(p, &np);
	return 0;
}

int sl_pol_del(struct sl_pol_table *t, uint32_t id)
{
	struct pol_params off = {.size = {0, 0}};

	if (id >= t->max)
		return -1;
	params_publish(&t->pol[id], &off);
	return 0;
}

bool sl_pol_active(const struct sl_pol_table *t, uint32_t id)
{
	struct pol_view pp;

	if (id >= t->max)
		return false;
	params_load(&t->pol[id], &pp);
	return pp.on != 0;
}

int sl_pol_stats(const struct sl_pol_table *t, uint32_t id, struct sl_pol_stats *out)
{
	struct pol_cnt s;

	if (id >= t->max)
		return -1;
	stats_sum(t, id, &s);
	out->conform_pkts = s.cp - t->base[id].cp;
	out->conform_bytes = s.cb - t->base[id].cb;
	out->exceed_pkts = s.xp - t->base[id].xp;
	out->exceed_bytes = s.xb - t->base[id].xb;
	return 0;
}
