/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-dp process context: what the core (main.c, worker.c, ctrl.c and the
 * infrastructure stages) shares between lcores.
 *
 * Design note
 * -----------
 * One struct sl_dp per process, set up by main.c before any lcore is
 * launched and read-only afterwards except for the fields marked otherwise.
 * Lcores talk to each other only through rings:
 *
 *   workers --punt_ring (MP/SC)--> main lcore   ARP, ND, packets waiting for
 *                                               a neighbour
 *   main lcore --inject[i] (SP/SC)--> worker i  frames with their final L2
 *                                               header (replies, requests,
 *                                               released queued packets);
 *                                               worker i only puts them in
 *                                               its tx buffers (TX stage)
 *
 * The main lcore never touches a port queue: af_packet has exactly one
 * queue pair per worker, so every transmit happens on a worker.
 */
#ifndef SL_DP_H
#define SL_DP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_ring.h>

#include "sl_pipeline.h"
#include "sl_config.h"
#include "sl_shm_attach.h"

struct sl_nat_table; /* dataplane/nat/sl_nat.h */
struct sl_pol_table; /* dataplane/policer/sl_policer.h */
struct sl_pol_applied; /* police.c */
struct sl_ip6eo_table; /* dataplane/pipeline/sl_ip6gw.h (issue 6) */

struct sl_neigh_table;

#define SL_PUNT_RING_SIZE 4096
#define SL_INJECT_RING_SIZE 1024
#define SL_IDLE_POLLS 100   /* empty polls in a row before an idle sleep */
#define SL_IDLE_BACKOFF 16  /* idle sleeps double up to this times idle_sleep_us */
#define SL_MAIN_IDLE_US 500 /* main lcore sleep when it had nothing to do */

struct sl_dp {
	const struct sl_config *conf;
	struct sl_shm *shm; /* attached segment (header, stats) */

	struct rte_ring *punt_ring; /* workers -> main lcore, MP/SC */
	unsigned int n_workers;
	struct rte_ring *inject[RTE_MAX_LCORE];	  /* main -> worker i, SP/SC */
	struct sl_worker *workers[RTE_MAX_LCORE]; /* index = worker number */
	struct sl_worker *main_w;		  /* the main lcore's context, slot 0 */

	struct sl_neigh_table *neigh;
	/* NAT session table (dataplane/nat), NULL unless the config sizes one
	 * (nat_sessions). Workers 0..n_workers-1 are its QSBR readers and use
	 * their worker number as its lcore index; the snat4 and nat4_in
	 * stages use it. */
	struct sl_nat_table *nat;
	/* Packet trace (sl_trace.h), NULL if it could not be allocated;
	 * armed and read by telemetry threads, written by the workers. */
	struct sl_trace *trace;
	/* Bandwidth policers (police.c, issue 7), NULL when the config sets
	 * policers to 0: the buckets of the police section's policer indexes
	 * 0..pol_max-1, metered by every worker (lcore index = slot), written
	 * (applied from the bank) by the main lcore only, which alone also
	 * uses pol_applied, pol_gen and pol_warned. */
	struct sl_pol_table *pol;
	struct sl_pol_applied *pol_applied;
	uint32_t pol_max;
	bool pol_warned;
	uint64_t pol_gen; /* generation whose section was applied */
	/* Main lcore only (nat_apply.c): a copy of the NAT section last
	 * applied to `nat`, and whether applying must be tried again. */
	struct sl_nat_sec *nat_applied;
	bool nat_apply_retry;
	/* ... and the second flush (nat_apply.c): the generation every
	 * worker must acknowledge first (0: none waiting), the section before
	 * nat_applied, and for the unit tests without a segment, the
	 * generation their simulated workers acknowledged. */
	uint64_t nat_reflush_gen;
	struct sl_nat_sec *nat_reflush_prev;
	uint64_t nat_test_acked;
	/* IPv6 gateway egress-only state (dataplane/pipeline/ip6gw_state.c),
	 * NULL if it could not be created (egress-only addresses then get no
	 * traffic back). Workers 0..n_workers-1 are its QSBR readers. */
	struct sl_ip6eo_table *ip6eo;
	/* ECMP (issue 8): group members whose neighbour entry is FAILED, bit
	 * nh of nhg_failed[nh / 64] for next-hop indexes below
	 * SL_NHG_COUNTED of the main lcore's bank; rewritten by the main lcore
	 * every 100 ms (ctrl.c), read relaxed by the workers (sl_nhg_select),
	 * which then send that member's flows to the next live bucket. */
	_Atomic uint64_t nhg_failed[SL_NHG_COUNTED / 64];

	unsigned int n_ports; /* ports of the config, in config order */
	uint16_t port_ids[SL_MAX_PORTS];
	/* Exception path (exception.c): TAP i serves port exc_phys[i]. Set
	 * before the workers start; TAP queues are used by the main lcore
	 * only. */
	unsigned int n_exc;
	uint16_t exc_tap[SL_MAX_PORTS];
	uint16_t exc_phys[SL_MAX_PORTS];
	/* main lcore only: frames each port's TAP carried, by DPDK port id of
	 * the port (exported into sl_port_stats by ctrl.c) */
	uint64_t exc_to[RTE_MAX_ETHPORTS];
	uint64_t exc_from[RTE_MAX_ETHPORTS];

	/* Set by the signal handler: the process ends. Polled by the main
	 * lcore (and the segment wait) once per loop iteration. */
	atomic_bool quit;
	/* Set by the main lcore to stop the workers (exit, or re-attach to a
	 * re-created segment); polled by workers once per iteration. */
	atomic_bool stop_workers;
	/* Set by the main lcore when it found a re-created segment: main.c
	 * restarts the workers on `next_shm`. */
	bool reattach;
	struct sl_shm next_shm;

	/* Main lcore only: when the neighbour timers and the stats export
	 * last ran (TSC). */
	uint64_t last_timer_tsc;
	uint64_t last_export_tsc;

	/* Tests only: when non-zero, the clock every lcore reads instead of the
	 * TSC (sl_dp_now), so timers (ARP/ND retransmissions, the ICMP error
	 * bucket) do not depend on how fast the test machine runs. Written
	 * only while no worker runs. */
	uint64_t test_clock_tsc;
};

/* The time an lcore works with for one poll (see test_clock_tsc). */
static inline uint64_t sl_dp_now(const struct sl_dp *dp)
{
	return unlikely(dp->test_clock_tsc != 0) ? dp->test_clock_tsc : rte_rdtsc();
}

/* worker.c */

/**
 * Allocate the context of worker `idx` (slot idx + 1, queue idx) or, with
 * idx < 0, of the main lcore (slot 0). NULL with errno on failure.
 */
struct sl_worker *sl_worker_create(struct sl_dp *dp, int idx, unsigned int lcore_id);
void sl_worker_free(struct sl_worker *w);

/**
 * Reader protocol step at the top of a loop iteration: load the published
 * generation, acknowledge it in this lcore's slot and, if it changed, take
 * the new bank (NULL if none or if it fails its checks).
 */
void sl_worker_sync(struct sl_worker *w);

/** Take the slot: online (seq_cst) and a first sync; binds w->stats to
 * the current segment. */
void sl_worker_online(struct sl_worker *w);
/** Leave the slot (online = 0). */
void sl_worker_offline(struct sl_worker *w);

/** Structural check of a published bank (magic, generation == g, every
 * array inside bank_size). */
bool sl_bank_valid(const struct sl_bank_header *b, uint64_t g, uint64_t bank_size);

/**
 * One iteration of the worker loop (sync, quiescent report, inject ring,
 * rx on every port + pipeline, tx flush); returns the number of packets it
 * took in. sl_worker_main() calls it in a loop; a single-threaded test
 * harness may call it directly (after sl_worker_online() and
 * sl_neigh_reader_online()).
 */
unsigned int sl_worker_poll(struct sl_worker *w);

/** Worker lcore entry point for rte_eal_remote_launch (arg = worker). */
int sl_worker_main(void *arg);

/* nat_apply.c */

/** Main lcore: apply bank `b`'s NAT section (gateways, SNAT public IPs) to
 * dp->nat and end the sessions of what went; nothing if the section did
 * not change since the last call (see nat_apply.c). */
void sl_nat_apply(struct sl_dp *dp, const struct sl_bank_header *b);

/** Main lcore, every iteration: once every online worker acknowledged the
 * generation sl_nat_apply last applied, end again the sessions that depend
 * on what went (those a worker made from the previous generation meanwhile). */
void sl_nat_reflush(struct sl_dp *dp);

/* stage_tx.c */

/** Send every packet buffered in w->tx; what the port refuses is dropped
 * with SL_DROP_TX_FULL. */
void sl_tx_flush(struct sl_worker *w);

/* pipeline.c */

/** Stage functions indexed by enum sl_stage. Writable only so unit tests
 * can put probes in place before any worker runs. */
extern sl_stage_fn sl_stage_fns[SL_STAGE_MAX];

/** Passes over the stage list sl_pipeline_run() makes before it declares a
 * forwarding loop and drops what is left (SL_DROP_PIPELINE_LOOP). */
#define SL_PIPELINE_MAX_PASSES 16

/* police.c */

/** The policer table of `max` policers for the workers and the main lcore
 * (n_workers set); max 0: no policing. 0 or -ENOMEM. */
int sl_police_create(struct sl_dp *dp, uint32_t max);
void sl_police_free(struct sl_dp *dp);
/** Main lcore, after its sync: apply the police section of its bank if the
 * generation moved (rates, new, reset and removed policers) at time `now`. */
void sl_police_sync(struct sl_dp *dp, uint64_t now);
/** Main lcore: policer counters into the stats area (pol[]). */
void sl_police_export(struct sl_dp *dp);

/* ctrl.c */

/** The main lcore's loop: punt ring, ARP/ND, neighbour timers, stats
 * export. Returns when dp->quit is set, or with dp->reattach set when the
 * segment was re-created (dp->next_shm attached). */
int sl_ctrl_main(struct sl_dp *dp);

/**
 * One iteration of the main lcore's work: sync, drain one burst of the punt
 * ring (ARP, ND, unresolved packets), neighbour timers every 20 ms, stats
 * export every 100 ms. Returns the number of punted packets handled.
 * sl_ctrl_main() calls it in a loop; a test harness may call it directly.
 */
unsigned int sl_ctrl_poll(struct sl_dp *dp);

/** The neighbour table wired to the inject rings (main lcore context and
 * n_workers must be set). NULL with errno. */
struct sl_neigh_table *sl_ctrl_neigh_create(struct sl_dp *dp);

/** Hand a frame with its final L2 header (md->out_port set) to a worker
 * for transmission; `hash` picks the worker so frames for one neighbour
 * keep their order. Consumes `m` (dropped INJECT_RING_FULL if the ring is
 * full). Main lcore only. */
void sl_ctrl_inject(struct sl_dp *dp, struct rte_mbuf *m, uint32_t hash);

/** Copy port counters and the neighbour table into the stats area under
 * the seqcount. Main lcore only. */
void sl_ctrl_export(struct sl_dp *dp);

/** CLOCK_REALTIME in nanoseconds. */
uint64_t sl_realtime_ns(void);

/* exception.c: the host kernel's traffic through sluice-dp's ports. */
int sl_exception_init(struct sl_dp *dp, char *err, size_t errlen);
void sl_exception_close(struct sl_dp *dp);
/** Main lcore: hand a punted frame to its port's TAP (consumes m). */
void sl_exception_to_kernel(struct sl_dp *dp, struct rte_mbuf *m);
/** Main lcore: a copy of m to its port's TAP, if the port has one. */
void sl_exception_copy_to_kernel(struct sl_dp *dp, const struct rte_mbuf *m);
/** Main lcore: frames from the TAPs to their ports; returns how many. */
unsigned int sl_exception_poll(struct sl_dp *dp);
/** Make the started ethdev `tap` the exception path of port `pid` (what
 * sl_exception_init does after creating a TAP; the tests attach a ring
 * port). Before the workers start. */
void sl_exception_attach(struct sl_dp *dp, uint16_t pid, uint16_t tap);

#endif /* SL_DP_H */
