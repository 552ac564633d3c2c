/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bandwidth policers of sluice-dp (issue 7): RFC 2697 srTCM
 * and RFC 2698 trTCM meters, colour-blind, one token-bucket state per
 * policer shared by every worker (one 16-byte compare-and-swap per packet
 * and level), two-level metering for bandwidth packages, rate changes that
 * take effect at once, per-lcore counters summed on read. Design:
 * policer.c and docs/policer.md.
 *
 * Concurrency rules (details in policer.c):
 *   - sl_pol_meter*() may run on any worker at once, on the same policer,
 *     without a lock: the bucket state {last, tokens[2]} changes only by
 *     128-bit compare-and-swap;
 *   - sl_pol_set()/sl_pol_del() are the configuration writer's (one
 *     thread, the control side); they write the inactive copy of a
 *     policer's parameters and publish it with a sequence number, so a
 *     worker never waits for the writer and never uses a half-written
 *     parameter set;
 *   - counters are per lcore: only lcore i writes row i; sl_pol_stats()
 *     sums the rows with relaxed loads from any thread.
 *
 * Time is in caller's clock units (`hz` per second: the TSC in sluice-dp,
 * a synthetic clock in the tests). Lengths are bytes on the wire as the
 * caller counts them (sluice-dp: the L2 frame without FCS).
 */
#ifndef SL_POLICER_H
#define SL_POLICER_H

#include <stdbool.h>
#include <stdint.h>

/** Meter algorithm. */
enum sl_pol_mode {
	SL_POL_SRTCM = 1, /**< RFC 2697: CIR, CBS, EBS */
	SL_POL_TRTCM = 2, /**< RFC 2698: CIR, PIR, CBS, PBS */
};

/** Colour of a metered packet; RED is dropped, GREEN and YELLOW pass. */
enum sl_pol_color {
	SL_POL_GREEN = 0,
	SL_POL_YELLOW = 1,
	SL_POL_RED = 2,
};

/** A policer's parameters (bytes and bytes per second). */
struct sl_pol_conf {
	enum sl_pol_mode mode;
	uint64_t cir; /**< committed information rate, bytes/s (> 0) */
	uint64_t pir; /**< trTCM: peak rate, bytes/s (>= cir); srTCM: unused */
	uint32_t cbs; /**< committed burst size, bytes (> 0) */
	uint32_t ebs; /**< srTCM: excess burst; trTCM: peak burst (PBS, > 0) */
};

/* Burst sizes derived from a sold bandwidth (docs/policer.md, "Rates and burst sizes"). */
#define SL_POL_BURST_MS 200u		   /**< a bucket holds 200 ms of the rate (TCP, lab-tuned) */
#define SL_POL_BURST_MIN (10u * 1518u)	   /**< at least 10 full-size Ethernet frames */
#define SL_POL_MBPS_MAX 10000u		   /**< 10 Gbps: twice the API's largest (5000) */
#define SL_POL_BUCKET_MAX ((1u << 24) - 1) /**< 16 MiB: tokens are 24.8 fixed point in 32 bits */

/**
 * The parameters sluice uses for a bandwidth sold in Mbps (10^6 bit/s,
 * the API objects' Bandwidth): srTCM, CIR = mbps x 125,000 bytes/s,
 * CBS = max(200 ms of the rate, 10 x 1518 bytes) up to SL_POL_BUCKET_MAX
 * (16 MiB: 200 ms up to 671 Mbps, 27 ms at 5000 Mbps), EBS = 0 (two
 * colours: a policer never passes more than CIR x t + CBS bytes in any
 * interval t). Returns 0, or -1 if mbps is 0 or above SL_POL_MBPS_MAX.
 */
static inline int sl_pol_conf_mbps(struct sl_pol_conf *c, unsigned int mbps)
{
	uint64_t bps, burst;

	/* inline: sluiced's compiler derives the police section's rates and
	 * bursts with it too, without linking the policer library */
	if (mbps == 0 || mbps > SL_POL_MBPS_MAX)
		return -1;
	bps = (uint64_t)mbps * 125000u; /* 10^6 bit/s, in bytes */
	burst = bps * SL_POL_BURST_MS / 1000u;
	if (burst < SL_POL_BURST_MIN)
		burst = SL_POL_BURST_MIN;
	if (burst > SL_POL_BUCKET_MAX)
		burst = SL_POL_BUCKET_MAX;
	*c = (struct sl_pol_conf){.mode = SL_POL_SRTCM, .cir = bps, .cbs = (uint32_t)burst};
	return 0;
}

/** A table of policers, indexed 0..max-1 (the compiler's policer index). */
struct sl_pol_table;

/**
 * Allocates a table of `max` policers (all off) for workers 0..n_lcores-1
 * and a clock of `hz` units per second. NULL on a bad argument or no memory.
 */
struct sl_pol_table *sl_pol_create(uint32_t max, unsigned int n_lcores, uint64_t hz);
void sl_pol_free(struct sl_pol_table *t);

/**
 * Creates policer `id` with full buckets, or changes its parameters:
 * the bucket is first brought up to `now` at the old rates, then the new
 * parameters apply to every packet metered after the call returns (tokens
 * above a smaller new bucket are cut at the next packet). A new policer's
 * counters start at zero. Writer only. Returns 0, or -1 on a bad id or
 * configuration (cir 0, cbs 0, trTCM with pir < cir or pbs 0, a bucket over
 * SL_POL_BUCKET_MAX, a rate the clock cannot express).
 */
int sl_pol_set(struct sl_pol_table *t, uint32_t id, const struct sl_pol_conf *c, uint64_t now);

/** Removes policer `id`: packets metered on it afterwards pass uncounted. Writer only. */
int sl_pol_del(struct sl_pol_table *t, uint32_t id);

/** Whether policer `id` is on (any thread). */
bool sl_pol_active(const struct sl_pol_table *t, uint32_t id);

/** No second level (sl_pol_meter2's `agg`). */
#define SL_POL_NONE UINT32_MAX

/**
 * Meters a packet of `len` bytes at time `now` on policer `id` from worker
 * `lcore`, counts it, and returns its colour (RED: drop it). A policer
 * that is off returns GREEN and counts nothing.
 */
enum sl_pol_color sl_pol_meter(struct sl_pol_table *t, unsigned int lcore, uint32_t id,
			       uint32_t len, uint64_t now);

/**
 * Two levels (an IP's own policer `own`, then its bandwidth package's
 * aggregate `agg`; either may be SL_POL_NONE or off): the packet passes
 * only if it conforms to both, and its colour is the worse of the two.
 * A packet that the aggregate drops gives its tokens back to `own` (it
 * never left, so it used none of the IP's bandwidth) and is counted as
 * exceeding on `agg` only (docs/policer.md, "Two levels").
 */
enum sl_pol_color sl_pol_meter2(struct sl_pol_table *t, unsigned int lcore, uint32_t own,
				uint32_t agg, uint32_t len, uint64_t now);

/**
 * Prefetches (for writing) what metering policer `id` from `lcore` touches:
 * its line and the lcore's counter line. The metering CAS is a locked
 * instruction, which waits for its line before anything after it runs, so
 * a stage meters a burst after prefetching every packet's policers.
 */
void sl_pol_prefetch(const struct sl_pol_table *t, unsigned int lcore, uint32_t id);

/** A policer's counters summed over the lcores. */
struct sl_pol_stats {
	uint64_t conform_pkts, conform_bytes; /**< passed (GREEN or YELLOW) */
	uint64_t exceed_pkts, exceed_bytes;   /**< dropped by this policer (RED) */
};

/** Sums policer `id`'s counters since it was created (any thread). */
int sl_pol_stats(const struct sl_pol_table *t, uint32_t id, struct sl_pol_stats *out);

#endif /* SL_POLICER_H */
