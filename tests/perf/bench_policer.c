/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_policer: accuracy and cost of the bandwidth policers
 * (dataplane/policer, issue 7), with DPDK's rte_meter as the peer.
 *
 * Design note
 * -----------
 * Accuracy: for each rate (--rates, Mbps; default 1,10,100,1000 and the
 * highest rate this machine can push) and each worker count (--workers,
 * default 1,2), W pthreads offer packets paced on the TSC so that together
 * they offer 2x the rate, unevenly: with 2 workers, 90% on worker 0 and
 * 10% on worker 1 (one elephant flow on one RSS queue and some mice on
 * another: the spread that breaks a rate split per worker). Each packet is
 * metered at its real TSC on one shared sluice policer (sl_pol_conf_mbps:
 * srTCM, CBS = max(200 ms, 10 frames), at most 16 MiB); the peer runs the same load through
 * rte_meter srTCM with the same CBS, the way DPDK applications use it on
 * several cores: one meter per worker at rate / W (an rte_meter object is
 * not safe to share). Each packet is metered with its arrival time (its
 * slot in the pacing schedule, as a NIC timestamp would give it) so that a
 * worker descheduled by the machine's other tenants catches up with the
 * right times; --tsc-now meters at the TSC when the worker gets to the
 * packet instead, as sluice-dp will (then a worker descheduled for longer
 * than the bucket's 200 ms loses what the bucket could not hold, for the
 * policer and the peer alike). --virtual takes the scheduler out: the
 * arrival times are a virtual clock starting at 0 that the workers follow
 * in lockstep (a worker meters an arrival only when no other worker's next
 * arrival is more than 0.1 ms older), run as fast as the CPUs allow, so
 * the two workers' packets interleave on the shared policer as they would
 * on dedicated cores however the machine schedules the threads. Conforming bytes are counted over
 * --seconds after
 * --warmup (time for the initial burst to drain), and the line
 *
 *   [peer=rte_meter ]rate_mbps=R workers=W measured_mbps=M error_pct=E cycles_per_pkt=C
 * offered_mbps=O
 *
 * gives M = conforming bits / window, E = 100 (M - R) / R, C = TSC cycles
 * in the meter call per packet (rdtsc around it: includes one rdtsc) and O
 * the load offered in the window, late_pct the share of packets a worker
 * got to more than 1 ms after their arrival (it was descheduled); each is the median of --rounds
 * runs (default 3) by M. Packets are 1500 bytes, 64 bytes for the highest rate. The highest rate is
 * 25% of what W workers can offer to one policer unpaced in 64-byte packets (so that 2x is
 * sustainable), capped at SL_POL_MBPS_MAX.
 *
 * Cost: --policers N policers (default 100,000) at rates from 1 to 1000
 * Mbps, 64-byte packets metered unpaced on random policers, the TSC read
 * once per 32 packets (a burst), from 1 and 2 threads at once:
 *
 *   policers=N workers=W cycles_per_pkt=C
 *   peer=rte_meter policers=N workers=W cycles_per_pkt=C
 *
 * (rte_meter: N meters per worker, as it is used), plus the same with
 * policers=1 (every worker on one policer: the contended cache line), and
 * the same N policers through sluice-dp's police4 stage (one worker):
 *
 *   stage=police4 policers=N workers=1 cycles_per_pkt=C
 *
 * (see stage_cost_run: lookup in the police section, prefetch, two-level
 * metering, drops freed; the stage call alone is timed).
 * Worker i runs on CPU i (the machine has 2). Cycles are the thread's CPU time at the TSC rate
 * (time descheduled is not the code's cost). No assertion on timings; exit status non-zero only on
 * a setup failure.
 */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_meter.h>
#include <rte_pause.h>
#include <rte_prefetch.h>

#include "sl_dp.h"
#include "sl_policer.h"

#define MAX_W 2
#define BURST 32

static double seconds = 2.0, warmup = 0.5;
static uint32_t n_policers = 100000;
static uint64_t cost_pkts = 4000000;
static uint64_t hz;
static bool tsc_now, virt;
static unsigned int rounds = 3;

static uint64_t cpu_cycles(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)(((double)ts.tv_sec + ts.tv_nsec / 1e9) * (double)hz);
}

/*
 * Starts worker `i` on CPU i mod the CPUs this machine has: the EAL pinned
 * the main thread to its one lcore, and threads inherit that.
 */
static int spawn(pthread_t *th, unsigned int i, void *(*fn)(void *), void *arg)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_attr_t at;
	cpu_set_t cs;
	int rc;

	pthread_attr_init(&at);
	CPU_ZERO(&cs);
	CPU_SET(i % (unsigned int)(n > 0 ? n : 1), &cs);
	pthread_attr_setaffinity_np(&at, sizeof(cs), &cs);
	rc = pthread_create(th, &at, fn, arg);
	pthread_attr_destroy(&at);
	return rc;
}

/* ---- accuracy ------------------------------------------------------------- */

struct acc_run {
	bool peer;
	unsigned int w;
	unsigned int mbps;
	uint32_t len;
	uint64_t t0, t_warm, t_end;
	struct sl_pol_table *pt;
	struct rte_meter_srtcm_profile prof;
	struct rte_meter_srtcm m[MAX_W];
	double share[MAX_W];
	uint64_t nx[MAX_W]; /* --virtual: each worker's next arrival time */
};

struct acc_res {
	uint64_t ok_bytes, offered_bytes, pkts, cycles, late;
};

struct acc_arg {
	struct acc_run *r;
	unsigned int id;
	struct acc_res res;
};

static void *acc_worker(void *p)
{
	struct acc_arg *a = p;
	struct acc_run *r = a->r;
	/* This worker's offered rate: its share of 2x, in packets per TSC cycle. */
	double pps = 2.0 * r->mbps * 1e6 / 8.0 / r->len * r->share[a->id];
	double gap = (double)hz / pps, next = (double)r->t0;

	for (;;) {
		uint64_t now = rte_rdtsc(), t1, ts, arr = (uint64_t)next;
		int pass;

		if (virt) {
			/* Virtual time: meter the arrival only when no other
			 * worker's next arrival is more than `skew` older (the
			 * worker with the oldest always may: no deadlock). */
			const uint64_t skew = hz / 10000;

			if (arr >= r->t_end)
				break;
			__atomic_store_n(&r->nx[a->id], arr, __ATOMIC_RELEASE);
			for (unsigned int o = 0; o < r->w; o++)
				while (o != a->id &&
				       arr > __atomic_load_n(&r->nx[o], __ATOMIC_ACQUIRE) + skew)
					rte_pause();
			now = rte_rdtsc();
			ts = arr;
		} else {
			if (now >= r->t_end)
				break;
			if ((double)now < next) {
				rte_pause();
				continue;
			}
			/* The packet's arrival time (what a NIC timestamp would
			 * say), or with --tsc-now the time the worker gets to it. */
			ts = tsc_now ? now : arr;
		}
		next += gap;
		if (r->peer)
			pass = rte_meter_srtcm_color_blind_check(&r->m[a->id], &r->prof, ts,
								 r->len) != RTE_COLOR_RED;
		else
			pass = sl_pol_meter(r->pt, a->id, 0, r->len, ts) != SL_POL_RED;
		t1 = rte_rdtsc();
		if (ts >= r->t_warm && ts < r->t_end) {
			a->res.offered_bytes += r->len;
			a->res.ok_bytes += pass ? r->len : 0;
			a->res.pkts++;
			a->res.cycles += t1 - now;
			a->res.late += !virt && now - arr > hz / 1000;
		}
	}
	/* Done: never hold the others back. */
	__atomic_store_n(&r->nx[a->id], UINT64_MAX / 2, __ATOMIC_RELEASE);
	return NULL;
}

struct acc_out {
	double mbps, cycles, offered, late_pct;
};

static int acc_run(bool peer, unsigned int w, unsigned int mbps, uint32_t len, struct acc_out *out)
{
	struct acc_run r = {.peer = peer, .w = w, .mbps = mbps, .len = len};
	struct acc_arg a[MAX_W];
	pthread_t th[MAX_W];
	struct sl_pol_conf c;
	struct acc_res sum = {0};
	double win, m, off;

	if (sl_pol_conf_mbps(&c, mbps) != 0)
		return -1;
	r.share[0] = w == 1 ? 1.0 : 0.9;
	r.share[1] = 0.1;
	if (peer) {
		struct rte_meter_srtcm_params pp = {.cir = c.cir / w, .cbs = c.cbs, .ebs = 0};

		if (rte_meter_srtcm_profile_config(&r.prof, &pp) != 0)
			return -1;
		for (unsigned int i = 0; i < w; i++)
			if (rte_meter_srtcm_config(&r.m[i], &r.prof) != 0)
				return -1;
	} else {
		r.pt = sl_pol_create(1, w, hz);
		if (r.pt == NULL || sl_pol_set(r.pt, 0, &c, virt ? 0 : rte_rdtsc()) != 0)
			return -1;
	}
	r.t0 = virt ? 0 : rte_rdtsc() + hz / 100;
	r.t_warm = r.t0 + (uint64_t)(warmup * (double)hz);
	r.t_end = r.t_warm + (uint64_t)(seconds * (double)hz);
	for (unsigned int i = 0; i < w; i++) {
		a[i] = (struct acc_arg){.r = &r, .id = i};
		if (spawn(&th[i], i, acc_worker, &a[i]) != 0)
			return -1;
	}
	for (unsigned int i = 0; i < w; i++) {
		pthread_join(th[i], NULL);
		sum.ok_bytes += a[i].res.ok_bytes;
		sum.offered_bytes += a[i].res.offered_bytes;
		sum.pkts += a[i].res.pkts;
		sum.cycles += a[i].res.cycles;
		sum.late += a[i].res.late;
	}
	win = (double)(r.t_end - r.t_warm) / (double)hz;
	m = (double)sum.ok_bytes * 8.0 / win / 1e6;
	off = (double)sum.offered_bytes * 8.0 / win / 1e6;
	*out = (struct acc_out){.mbps = m,
				.offered = off,
				.cycles = sum.pkts ? (double)sum.cycles / (double)sum.pkts : 0,
				.late_pct =
				    sum.pkts ? 100.0 * (double)sum.late / (double)sum.pkts : 0};
	sl_pol_free(r.pt);
	return 0;
}

static int cmp_out(const void *a, const void *b)
{
	double x = ((const struct acc_out *)a)->mbps, y = ((const struct acc_out *)b)->mbps;

	return x < y ? -1 : x > y;
}

/* --rounds runs of one configuration; prints the median by measured rate
 * (the machine's other tenants only ever take CPU away, in bursts). */
static int acc_report(bool peer, unsigned int w, unsigned int mbps, uint32_t len)
{
	struct acc_out o[16], *med;

	for (unsigned int i = 0; i < rounds; i++)
		if (acc_run(peer, w, mbps, len, &o[i]) != 0)
			return -1;
	qsort(o, rounds, sizeof(o[0]), cmp_out);
	med = &o[rounds / 2];
	printf("%srate_mbps=%u workers=%u measured_mbps=%.3f error_pct=%.2f cycles_per_pkt=%.1f "
	       "offered_mbps=%.1f late_pct=%.2f\n",
	       peer ? "peer=rte_meter " : "", mbps, w, med->mbps, 100.0 * (med->mbps - mbps) / mbps,
	       med->cycles, med->offered, med->late_pct);
	fflush(stdout);
	return 0;
}

/* ---- cost ------------------------------------------------------------------- */

struct cost_run {
	bool peer;
	uint32_t n;
	struct sl_pol_table *pt;
	struct rte_meter_srtcm_profile *prof; /* [n] */
	struct rte_meter_srtcm *m[MAX_W];     /* [n] per worker */
	uint32_t *ids;			      /* [cost_pkts] */
};

struct cost_arg {
	struct cost_run *r;
	unsigned int id;
	uint64_t cycles, pass;
	pthread_barrier_t *bar;
};

static void *cost_worker(void *p)
{
	struct cost_arg *a = p;
	struct cost_run *r = a->r;
	uint64_t c0, pass = 0;

	pthread_barrier_wait(a->bar);
	c0 = cpu_cycles();
	for (uint64_t i = 0; i < cost_pkts; i += BURST) {
		uint64_t now = rte_rdtsc();

		/* As a stage would: prefetch the burst's policers, then meter. */
		for (uint64_t j = i; j < i + BURST && j < cost_pkts; j++) {
			uint32_t id = r->ids[(j + a->id * 7919) % cost_pkts];

			if (r->peer) {
				rte_prefetch0(&r->m[a->id][id]);
				rte_prefetch0(&r->prof[id]);
			} else {
				sl_pol_prefetch(r->pt, a->id, id);
			}
		}
		for (uint64_t j = i; j < i + BURST && j < cost_pkts; j++) {
			uint32_t id = r->ids[(j + a->id * 7919) % cost_pkts];

			if (r->peer)
				pass += rte_meter_srtcm_color_blind_check(&r->m[a->id][id],
									  &r->prof[id], now,
									  64) != RTE_COLOR_RED;
			else
				pass += sl_pol_meter(r->pt, a->id, id, 64, now) != SL_POL_RED;
		}
	}
	a->cycles = cpu_cycles() - c0;
	a->pass = pass;
	return NULL;
}

static int cost_run(bool peer, uint32_t n, unsigned int w)
{
	struct cost_run r = {.peer = peer, .n = n};
	struct cost_arg a[MAX_W];
	pthread_t th[MAX_W];
	pthread_barrier_t bar;
	uint64_t cyc = 0, seed = 12345;
	int rc = -1;

	r.ids = malloc(sizeof(*r.ids) * cost_pkts);
	if (r.ids == NULL)
		return -1;
	for (uint64_t i = 0; i < cost_pkts; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		r.ids[i] = (uint32_t)((seed >> 33) % n);
	}
	if (peer) {
		r.prof = calloc(n, sizeof(*r.prof));
		for (unsigned int i = 0; i < w; i++)
			r.m[i] = calloc(n, sizeof(*r.m[i]));
	} else {
		r.pt = sl_pol_create(n, w, hz);
	}
	for (uint32_t id = 0; id < n; id++) {
		struct sl_pol_conf c;

		sl_pol_conf_mbps(&c, 1 + id % 1000);
		if (peer) {
			struct rte_meter_srtcm_params pp = {.cir = c.cir, .cbs = c.cbs, .ebs = 0};

			if (r.prof == NULL || rte_meter_srtcm_profile_config(&r.prof[id], &pp) != 0)
				goto out;
			for (unsigned int i = 0; i < w; i++)
				if (r.m[i] == NULL ||
				    rte_meter_srtcm_config(&r.m[i][id], &r.prof[id]) != 0)
					goto out;
		} else if (r.pt == NULL || sl_pol_set(r.pt, id, &c, rte_rdtsc()) != 0) {
			goto out;
		}
	}
	pthread_barrier_init(&bar, NULL, w);
	for (unsigned int i = 0; i < w; i++) {
		a[i] = (struct cost_arg){.r = &r, .id = i, .bar = &bar};
		spawn(&th[i], i, cost_worker, &a[i]);
	}
	for (unsigned int i = 0; i < w; i++) {
		pthread_join(th[i], NULL);
		cyc += a[i].cycles;
	}
	pthread_barrier_destroy(&bar);
	printf("%spolicers=%u workers=%u cycles_per_pkt=%.1f\n", peer ? "peer=rte_meter " : "", n,
	       w, (double)cyc / (double)(cost_pkts * w));
	fflush(stdout);
	rc = 0;
out:
	sl_pol_free(r.pt);
	free(r.prof);
	for (unsigned int i = 0; i < MAX_W; i++)
		free(r.m[i]);
	free(r.ids);
	return rc;
}

/* ---- cost through the police4 stage ---------------------------------------- */

/*
 * The cost measurement through the real stage, as one sluice-dp worker runs
 * it: n policers as the police section of a hand-built bank (n / 2 public
 * IPs with one policer per direction, 1 to 1000 Mbps), their buckets in
 * sluice-dp's table applied by police.c as the main lcore does, and bursts
 * of 32 64-byte mbufs on random IPs and directions handed to
 * sl_stage_police4() with the TSC read once per burst. Thread CPU time of
 * the loop with the stage minus the same loop without it (making the mbufs
 * and freeing them): the stage's cost, freeing what it drops included.
 */
static int stage_cost_run(uint32_t n)
{
	const uint32_t n_ips = n / 2 ? n / 2 : 1;
	const uint64_t pol_sz = RTE_ALIGN_CEIL((uint64_t)n * sizeof(struct sl_pol_ent), 64);
	const uint64_t ip_sz = RTE_ALIGN_CEIL((uint64_t)n_ips * sizeof(struct sl_pol_ip_ent), 64);
	const uint64_t bank_sz = 256 + 64 + pol_sz + ip_sz;
	struct sl_dp dp = {.n_workers = 1};
	struct sl_worker *w = calloc(1, sizeof(*w)), *mw = calloc(1, sizeof(*mw));
	struct sl_lcore_stats *st = aligned_alloc(64, sizeof(*st));
	struct sl_bank_header *b = aligned_alloc(64, bank_sz);
	struct rte_mempool *mp = rte_pktmbuf_pool_create(
	    "bench_pol", 4095, 256, RTE_ALIGN(sizeof(struct sl_meta), RTE_MBUF_PRIV_ALIGN),
	    RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	struct rte_mbuf *pkts[BURST];
	struct sl_pol_sec *sec;
	struct sl_pol_ent *pol;
	struct sl_pol_ip_ent *ip;
	uint64_t cyc[2] = {0, 0}, seed = 777;
	int rc = -1;

	if (w == NULL || mw == NULL || st == NULL || b == NULL || mp == NULL)
		goto out;
	memset(b, 0, bank_sz);
	memset(st, 0, sizeof(*st));
	b->magic = SL_BANK_MAGIC;
	b->generation = 1;
	b->police_off = 256;
	b->police_size = bank_sz - 256;
	sec = SL_BANK_PTR(b, 256, struct sl_pol_sec);
	*sec = (struct sl_pol_sec){.n_pols = n, .n_ips = n_ips, .pol_off = 64,
				   .ip_off = 64 + pol_sz, .ip6_off = 64 + pol_sz + ip_sz,
				   .size = 64 + pol_sz + ip_sz};
	pol = (struct sl_pol_ent *)((uint8_t *)sec + sec->pol_off);
	ip = (struct sl_pol_ip_ent *)((uint8_t *)sec + sec->ip_off);
	for (uint32_t i = 0; i < n; i++) {
		struct sl_pol_conf c;

		sl_pol_conf_mbps(&c, 1 + i % 1000);
		pol[i] = (struct sl_pol_ent){.rate = c.cir, .burst = c.cbs, .tag = i + 1,
					     .parent = SL_POL_IDX_NONE, .kind = SL_POL_KIND_IP};
	}
	for (uint32_t k = 0; k < n_ips; k++)
		for (unsigned int d = 0; d < SL_POL_DIR_MAX; d++)
			ip[k].pol[d] = 2 * k + d < n ? 2 * k + d : SL_POL_IDX_NONE;
	mw->bank = b;
	mw->gen = 1;
	dp.main_w = mw;
	if (sl_police_create(&dp, n) != 0)
		goto out;
	sl_police_sync(&dp, rte_rdtsc());
	*w = (struct sl_worker){.dp = &dp, .slot = 1, .bank = b, .gen = 1, .stats = st};
	/* pass 0: making and freeing the mbufs alone; pass 1: with the stage */
	for (int pass = 0; pass < 2; pass++) {
		uint64_t c0 = cpu_cycles();

		for (uint64_t done = 0; done < cost_pkts; done += BURST) {
			struct sl_vec *v = &w->vec[SL_STAGE_ROUTE4];

			if (rte_pktmbuf_alloc_bulk(mp, pkts, BURST) != 0)
				goto out;
			for (unsigned int j = 0; j < BURST; j++) {
				struct sl_meta *md = sl_meta(pkts[j]);

				seed = seed * 6364136223846793005ull + 1442695040888963407ull;
				rte_pktmbuf_append(pkts[j], 64);
				md->l3_off = RTE_ETHER_HDR_LEN;
				md->in_role = (seed >> 20) & 1 ? SL_ROLE_OUTSIDE : SL_ROLE_INSIDE;
				md->pub_ip = (uint32_t)((seed >> 33) % n_ips) + 1;
			}
			if (pass == 0) {
				rte_pktmbuf_free_bulk(pkts, BURST);
				continue;
			}
			w->now_tsc = rte_rdtsc();
			sl_stage_police4(w, pkts, BURST);
			rte_pktmbuf_free_bulk(v->m, v->n);
			v->n = 0;
		}
		cyc[pass] = cpu_cycles() - c0;
	}
	printf("stage=police4 policers=%u workers=1 cycles_per_pkt=%.1f dropped_pct=%.1f\n", n,
	       ((double)cyc[1] - (double)cyc[0]) / (double)cost_pkts,
	       100.0 * (double)(st->drop[SL_DROP_POLICED_IN] + st->drop[SL_DROP_POLICED_OUT]) /
		   (double)cost_pkts);
	fflush(stdout);
	rc = 0;
out:
	sl_police_free(&dp);
	rte_mempool_free(mp);
	free(w);
	free(mw);
	free(st);
	free(b);
	return rc;
}

/* Packets per second W unpaced workers push through one shared policer. */
static double max_pps(unsigned int w)
{
	struct cost_run r = {.n = 1};
	struct cost_arg a[MAX_W];
	pthread_t th[MAX_W];
	pthread_barrier_t bar;
	struct sl_pol_conf c;
	uint64_t t0, t1;

	r.ids = calloc(cost_pkts, sizeof(*r.ids));
	r.pt = sl_pol_create(1, w, hz);
	if (r.ids == NULL || r.pt == NULL || sl_pol_conf_mbps(&c, SL_POL_MBPS_MAX) != 0 ||
	    sl_pol_set(r.pt, 0, &c, virt ? 0 : rte_rdtsc()) != 0)
		return 0;
	pthread_barrier_init(&bar, NULL, w);
	t0 = rte_rdtsc();
	for (unsigned int i = 0; i < w; i++) {
		a[i] = (struct cost_arg){.r = &r, .id = i, .bar = &bar};
		spawn(&th[i], i, cost_worker, &a[i]);
	}
	for (unsigned int i = 0; i < w; i++)
		pthread_join(th[i], NULL);
	t1 = rte_rdtsc();
	pthread_barrier_destroy(&bar);
	sl_pol_free(r.pt);
	free(r.ids);
	return (double)cost_pkts * w / ((double)(t1 - t0) / (double)hz);
}

static unsigned int parse_list(const char *s, unsigned int *out, unsigned int max)
{
	unsigned int n = 0;
	char *end;

	while (*s && n < max) {
		out[n++] = (unsigned int)strtoul(s, &end, 10);
		s = *end == ',' ? end + 1 : end;
		if (end == s && *s)
			break;
	}
	return n;
}

static int bench(int argc, char **argv)
{
	unsigned int rates[16] = {1, 10, 100, 1000}, n_rates = 4, workers[MAX_W] = {1, 2},
		     n_workers = 2;
	bool do_max = true, do_cost = true;
	static const struct option opts[] = {
	    {"rates", required_argument, NULL, 'r'},	{"workers", required_argument, NULL, 'w'},
	    {"seconds", required_argument, NULL, 's'},	{"warmup", required_argument, NULL, 'u'},
	    {"policers", required_argument, NULL, 'p'}, {"packets", required_argument, NULL, 'n'},
	    {"no-max", no_argument, NULL, 'M'},		{"no-cost", no_argument, NULL, 'C'},
	    {"tsc-now", no_argument, NULL, 'T'},	{"virtual", no_argument, NULL, 'V'},
	    {"rounds", required_argument, NULL, 'R'},	{NULL, 0, NULL, 0}};
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'r':
			n_rates = parse_list(optarg, rates, 15);
			break;
		case 'w':
			n_workers = parse_list(optarg, workers, MAX_W);
			for (unsigned int i = 0; i < n_workers; i++)
				if (workers[i] < 1 || workers[i] > MAX_W)
					return 2;
			break;
		case 's':
			seconds = atof(optarg);
			break;
		case 'u':
			warmup = atof(optarg);
			break;
		case 'p':
			n_policers = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'n':
			cost_pkts = strtoull(optarg, NULL, 10);
			break;
		case 'M':
			do_max = false;
			break;
		case 'C':
			do_cost = false;
			break;
		case 'T':
			tsc_now = true;
			break;
		case 'V':
			virt = true;
			break;
		case 'R':
			rounds = (unsigned int)strtoul(optarg, NULL, 10);
			if (rounds < 1 || rounds > 16)
				return 2;
			break;
		default:
			return 2;
		}
	}
	if (n_policers == 0 || cost_pkts == 0)
		return 2;
	hz = rte_get_tsc_hz();
	printf("tsc_hz=%" PRIu64 "\n", hz);
	for (unsigned int wi = 0; wi < n_workers; wi++) {
		unsigned int w = workers[wi], max_rate = 0;

		if (do_max) {
			double pps = max_pps(w), r = 0.25 * pps * 64 * 8 / 1e6;

			max_rate = r > SL_POL_MBPS_MAX ? SL_POL_MBPS_MAX : (unsigned int)r;
			printf("workers=%u max_offered_pps=%.0f highest_rate_mbps=%u\n", w, pps,
			       max_rate);
		}
		for (unsigned int i = 0; i < n_rates + (max_rate ? 1 : 0); i++) {
			unsigned int rate = i < n_rates ? rates[i] : max_rate;
			uint32_t len = i < n_rates ? 1500 : 64;

			if (acc_report(false, w, rate, len) != 0 ||
			    acc_report(true, w, rate, len) != 0) {
				fprintf(stderr, "setup failed at %u Mbps\n", rate);
				return 1;
			}
		}
	}
	if (do_cost) {
		for (unsigned int wi = 0; wi < n_workers; wi++) {
			if (cost_run(false, n_policers, workers[wi]) != 0 ||
			    cost_run(true, n_policers, workers[wi]) != 0 ||
			    cost_run(false, 1, workers[wi]) != 0)
				return 1;
		}
		if (stage_cost_run(n_policers) != 0)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char rundir[PATH_MAX];
	int n, rc;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	argc -= n;
	argv += n;
	rc = bench(argc, argv);
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(rundir); /* the EAL leaves its (empty) runtime directory */
	return rc;
}
