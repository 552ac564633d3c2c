/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet trace (design note and concurrency rules in dataplane/sl_trace.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "sl_pipeline.h"
#include "sl_trace.h"

struct sl_trace *sl_trace_new(unsigned int n_lcores, uint64_t tsc_hz)
{
	struct sl_trace *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->lcore = rte_zmalloc("sl_trace", (size_t)n_lcores * sizeof(*t->lcore), RTE_CACHE_LINE_SIZE);
	if (t->lcore == NULL) {
		free(t);
		return NULL;
	}
	t->n_lcores = n_lcores;
	t->tsc_hz = tsc_hz ? tsc_hz : 1;
	return t;
}

void sl_trace_free(struct sl_trace *t)
{
	if (t == NULL)
		return;
	rte_free(t->lcore);
	free(t);
}

void sl_trace_arm(struct sl_trace *t, unsigned int n)
{
	if (n > SL_TRACE_MAX_PKTS)
		n = SL_TRACE_MAX_PKTS;
	/* no claim while the epoch changes; then the new epoch's budget */
	atomic_store(&t->budget, 0);
	atomic_fetch_add(&t->epoch, 1);
	atomic_store(&t->claimed, 0);
	t->armed = n;
	atomic_store(&t->budget, n);
}

/* The worker's record array for the current epoch, NULL if it has no slot. */
static struct sl_trace_lcore *sl_trace_mine(struct sl_worker *w, uint32_t *epoch)
{
	struct sl_trace *t = w->trace;
	struct sl_trace_lcore *l;

	if (t == NULL || w->slot >= t->n_lcores)
		return NULL;
	l = &t->lcore[w->slot];
	*epoch = atomic_load_explicit(&t->epoch, memory_order_acquire);
	if (atomic_load_explicit(&l->epoch, memory_order_relaxed) != *epoch) {
		/* start over: n first, so a reader that sees the new epoch
		 * sees no record of the old one */
		atomic_store_explicit(&l->n, 0, memory_order_relaxed);
		atomic_store_explicit(&l->epoch, *epoch, memory_order_release);
		l->lost = 0;
	}
	return l;
}

/* Append one record; its note is filled by the caller through *note. */
static struct sl_trace_rec *sl_trace_append(struct sl_worker *w, const struct rte_mbuf *m,
					    enum sl_trace_kind kind, uint16_t arg,
					    struct sl_trace_lcore **lp)
{
	struct sl_trace_lcore *l;
	struct sl_trace_rec *r;
	uint32_t epoch, n;

	l = sl_trace_mine(w, &epoch);
	if (l == NULL)
		return NULL;
	n = atomic_load_explicit(&l->n, memory_order_relaxed);
	if (n >= SL_TRACE_RECS) {
		l->lost++;
		return NULL;
	}
	r = &l->rec[n];
	r->tsc = rte_rdtsc();
	r->epoch = epoch;
	r->seq = n;
	r->pkt = sl_meta((struct rte_mbuf *)(uintptr_t)m)->trace;
	r->kind = (uint8_t)kind;
	r->stage = w->cur_stage;
	r->arg = arg;
	r->lcore = (uint16_t)w->slot;
	r->note[0] = '\0';
	*lp = l;
	return r;
}

static void sl_trace_publish(struct sl_trace_lcore *l)
{
	uint32_t n = atomic_load_explicit(&l->n, memory_order_relaxed);

	atomic_store_explicit(&l->n, n + 1, memory_order_release);
}

void sl_trace_event(struct sl_worker *w, const struct rte_mbuf *m, enum sl_trace_kind kind,
		    uint16_t arg)
{
	struct sl_trace_lcore *l;

	if (sl_trace_append(w, m, kind, arg, &l))
		sl_trace_publish(l);
}

void sl_trace_note(struct sl_worker *w, const struct rte_mbuf *m, const char *fmt, ...)
{
	struct sl_trace_lcore *l;
	struct sl_trace_rec *r = sl_trace_append(w, m, SL_TRACE_NOTE, 0, &l);
	va_list ap;

	if (r == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(r->note, sizeof(r->note), fmt, ap);
	va_end(ap);
	sl_trace_publish(l);
}

uint8_t sl_trace_claim_slow(struct sl_worker *w, const struct rte_mbuf *m)
{
	struct sl_trace *t = w->trace;
	uint32_t b = atomic_load_explicit(&t->budget, memory_order_relaxed);
	uint32_t id;
	struct sl_trace_lcore *l;
	struct sl_trace_rec *r;

	do {
		if (b == 0)
			return 0;
	} while (!atomic_compare_exchange_weak(&t->budget, &b, b - 1));
	id = atomic_fetch_add(&t->claimed, 1) + 1;
	if (id > SL_TRACE_MAX_PKTS)
		return 0;
	/* the RX record needs md->trace set: the caller stores the return
	 * value, so set it here first */
	sl_meta((struct rte_mbuf *)(uintptr_t)m)->trace = (uint8_t)id;
	r = sl_trace_append(w, m, SL_TRACE_RX, m->port, &l);
	if (r) {
		snprintf(r->note, sizeof(r->note), "port %u queue %u len %u", m->port,
			 w->queue_id, rte_pktmbuf_pkt_len(m));
		sl_trace_publish(l);
	}
	return (uint8_t)id;
}

static int sl_trace_cmp(const void *a, const void *b)
{
	const struct sl_trace_rec *x = a, *y = b;

	if (x->pkt != y->pkt)
		return x->pkt < y->pkt ? -1 : 1;
	if (x->lcore != y->lcore) /* a packet stays on its worker */
		return x->lcore < y->lcore ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

unsigned int sl_trace_read(struct sl_trace *t, struct sl_trace_rec *out, unsigned int max,
			   uint32_t *claimed, uint64_t *lost)
{
	uint32_t epoch = atomic_load_explicit(&t->epoch, memory_order_acquire);
	unsigned int total = 0;
	uint64_t lost_sum = 0;

	for (unsigned int i = 0; i < t->n_lcores && total < max; i++) {
		struct sl_trace_lcore *l = &t->lcore[i];
		uint32_t e1 = atomic_load_explicit(&l->epoch, memory_order_acquire);
		uint32_t n = atomic_load_explicit(&l->n, memory_order_acquire);

		if (e1 != epoch)
			continue;
		if (n > max - total)
			n = max - total;
		memcpy(&out[total], l->rec, (size_t)n * sizeof(*out));
		lost_sum += __atomic_load_n(&l->lost, __ATOMIC_RELAXED);
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&l->epoch, memory_order_relaxed) != e1)
			continue; /* started over while we copied */
		total += n;
	}
	qsort(out, total, sizeof(*out), sl_trace_cmp);
	if (claimed) {
		uint32_t c = atomic_load(&t->claimed);

		*claimed = c > t->armed ? t->armed : c;
	}
	if (lost)
		*lost = lost_sum;
	return total;
}
