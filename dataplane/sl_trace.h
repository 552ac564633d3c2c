/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_TRACE_H
#define SL_TRACE_H

/*
 * Packet trace: the path of the next N received packets through the stages,
 * with the decisions taken, as VPP's "trace add" does. docs/operations.md
 * ("Packet trace") shows how to use it; `sluicectl trace N` drives it
 * through DPDK telemetry (/sluice/trace_add, /sluice/trace).
 *
 * Design note
 * -----------
 * Arming (sl_trace_arm, a telemetry thread) starts a new epoch and sets a
 * budget of N packets. eth_input claims one unit of the budget per received
 * frame while it lasts (an atomic decrement, only while the budget is not
 * zero, so an unarmed data plane pays one relaxed load of a cache line
 * nobody writes) and stores the packet's number, 1..255, in
 * struct sl_meta.trace. Every hand-off of a traced packet (sl_next,
 * sl_drop, sl_icmp_error in sl_pipeline.h) appends a record, and stages
 * add notes of what they decided (SL_TRACE_NOTE: route found, rewrite,
 * MAC chosen). Packets the gateway makes from a traced one (ICMP errors,
 * fragments) carry its number on.
 *
 * Records go to the worker's own array (struct sl_trace_lcore), written
 * only by that worker: a record is written whole, then `n` is published
 * with a release store. The worker starts its array over when it sees a
 * new epoch: it stores n = 0, then its epoch (release). A reader
 * (sl_trace_read, telemetry threads) loads the lcore's epoch and n
 * (acquire), copies the records, and loads the epoch again: if it changed,
 * or is not the current one, the copy is thrown away. Records past the
 * array's end are counted (lost), never written.
 *
 * Hot-path cost when nobody traces: eth_input's relaxed load of the budget
 * and, at each hand-off, a test of md->trace, a byte on the metadata line
 * the stages already hold.
 */

#include <stdatomic.h>
#include <stdint.h>

#include <rte_common.h>

#define SL_TRACE_MAX_PKTS 255	   /* md->trace is one byte; 0 = not traced */
#define SL_TRACE_RECS 2048	   /* records per lcore and epoch */
#define SL_TRACE_NOTE_LEN 40

enum sl_trace_kind {
	SL_TRACE_RX = 0,   /* claimed by eth_input; note: port, queue, length */
	SL_TRACE_NEXT = 1, /* arg: the stage it goes to */
	SL_TRACE_DROP = 2, /* arg: enum sl_drop_reason */
	SL_TRACE_NOTE = 3, /* a stage's decision, in note */
	SL_TRACE_TX = 4,   /* handed to the port: arg = port id */
};

/** One record: 64 bytes, one cache line. */
struct sl_trace_rec {
	uint64_t tsc;	/**< when (rte_rdtsc of the worker) */
	uint32_t epoch;
	uint32_t seq;	/**< index in the worker's array (order within a packet) */
	uint8_t pkt;	/**< md->trace */
	uint8_t kind;	/**< enum sl_trace_kind */
	uint16_t stage; /**< the stage that acted; SL_STAGE_MAX: the worker's
			 * inject ring (a packet the main lcore hands back) */
	uint16_t arg;
	uint16_t lcore; /**< the worker's slot */
	char note[SL_TRACE_NOTE_LEN];
};
_Static_assert(sizeof(struct sl_trace_rec) == 64, "trace record is one cache line");

/** A worker's records. Written by that worker only. */
struct sl_trace_lcore {
	_Atomic uint32_t epoch; /**< epoch the records belong to */
	_Atomic uint32_t n;	/**< records written */
	uint64_t lost;		/**< records that did not fit (owner only) */
	struct sl_trace_rec rec[SL_TRACE_RECS];
} __rte_cache_aligned;

/** The trace of one sluice-dp: control words and one array per lcore slot. */
struct sl_trace {
	_Atomic uint32_t budget;  /**< packets still to claim */
	_Atomic uint32_t epoch;	  /**< bumped by every arm */
	_Atomic uint32_t claimed; /**< packets claimed in this epoch */
	uint32_t armed;		  /**< N of the last arm */
	uint64_t tsc_hz;	  /**< to turn record times into ns */
	unsigned int n_lcores;
	struct sl_trace_lcore *lcore; /**< [n_lcores], by worker slot */
};

struct sl_worker;
struct rte_mbuf;

/** A trace for `n_lcores` slots, NULL when out of memory. */
struct sl_trace *sl_trace_new(unsigned int n_lcores, uint64_t tsc_hz);
void sl_trace_free(struct sl_trace *t);

/** Start a new epoch tracing the next `n` packets (at most 255; 0 stops). */
void sl_trace_arm(struct sl_trace *t, unsigned int n);

/**
 * eth_input, for each received frame: its trace number (1..255), or 0 when
 * nothing is armed or the budget is spent. Records SL_TRACE_RX when traced.
 */
uint8_t sl_trace_claim_slow(struct sl_worker *w, const struct rte_mbuf *m);

/** Append a record for the traced packet `m` (md->trace != 0). */
void sl_trace_event(struct sl_worker *w, const struct rte_mbuf *m, enum sl_trace_kind kind,
		    uint16_t arg);
/** Append a note (printf format) for the traced packet `m`. */
void sl_trace_note(struct sl_worker *w, const struct rte_mbuf *m, const char *fmt, ...)
    __rte_format_printf(3, 4);

/**
 * Copy the current epoch's records of every lcore into out[] (at most max),
 * ordered by packet number, then time. Returns how many; *claimed and
 * *lost (may be NULL) get the epoch's claimed packets and lost records.
 * Any thread; lock-free against the workers.
 */
unsigned int sl_trace_read(struct sl_trace *t, struct sl_trace_rec *out, unsigned int max,
			   uint32_t *claimed, uint64_t *lost);

/** Stages: note a decision about a traced packet; free when not traced. */
#define SL_TRACE_NOTE(w, m, ...)                                                                   \
	do {                                                                                       \
		if (unlikely(sl_meta(m)->trace))                                                   \
			sl_trace_note((w), (m), __VA_ARGS__);                                      \
	} while (0)

#endif
