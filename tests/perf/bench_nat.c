/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_nat: cost of the NAT session core (dataplane/nat, issue 5).
 *
 * Design note
 * -----------
 * Fills one table with --sessions UDP sessions (default 1M) shaped like a
 * busy gateway: N/16 inside sources with 16 ports each, one remote per
 * port, 32 public IPs in the pool (so every session has its own mapping:
 * the worst case for memory), then prints, one key=value per line:
 *
 *   create_cycles      miss path per new session (lock, limits, mapping,
 *                      port, two hash adds), one thread, table filling
 *                      from empty to full;
 *   lookup_cycles      a hit by single lookup + touch, keys of both
 *                      directions in random order (cache-cold, like a
 *                      real 1M-flow mix);
 *   lookup_bulk_cycles the same through sl_nat_lookup_bulk in bursts of 32;
 *   scan_cycles_per_slot  expiry scan of live, unexpired slots;
 *   expire_cycles      deleting an expired session (incl. its mapping);
 *   create2_mps        new sessions per second from two threads at once
 *                      (lock contention), millions;
 *   bytes_per_session  growth of the EAL heap for the table / capacity.
 *
 * Cycles are the thread's CPU time converted at the TSC rate (time spent
 * descheduled by other tenants of the machine is not the code's cost);
 * *_wall variants are the TSC itself.
 *
 * Best of --rounds rounds for lookups (other tenants of the machine only
 * add cycles). No assertion on timings; the exit status is non-zero only
 * if a session is missing or a creation fails (the table must hold N).
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
#include <rte_malloc.h>

#include "sl_nat.h"

#define N_PUB 32
#define PORTS_PER_SRC 16

static struct sl_nat_table *t;
static struct sl_nat_key *keys; /* [n] inside keys */
static uint32_t n_sess = 1u << 20;
static uint32_t n_lookups = 4u << 20;
static unsigned int rounds = 3;
static const struct sl_nat_pool pool = {
    .n = N_PUB, .ip = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
		       16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31}};

static size_t heap_used(void)
{
	struct rte_malloc_socket_stats st;
	size_t sum = 0;

	for (int s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (rte_malloc_get_socket_stats(s, &st) == 0)
			sum += st.heap_allocsz_bytes;
	return sum;
}

static void flow_key(uint32_t i, uint32_t salt, struct sl_nat_key *k)
{
	uint32_t src = i / PORTS_PER_SRC, port = i % PORTS_PER_SRC;

	sl_nat_key_in(k, 0, IPPROTO_UDP, (10u << 24) + src, (uint16_t)(20000 + port + salt),
		      (198u << 24 | 51u << 16 | 100u << 8) + (i % 251), 443);
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct creator {
	uint32_t from, to, salt;
	unsigned int wid;
	uint32_t fails;
};

static void *create_range(void *p)
{
	struct creator *c = p;
	struct sl_nat_session *s;
	struct sl_nat_key k;

	for (uint32_t i = c->from; i < c->to; i++) {
		flow_key(i, c->salt, &k);
		if (sl_nat_create_out(t, c->wid, &k, &pool, 0, 1, &s) != SL_NAT_OK)
			c->fails++;
	}
	return NULL;
}

/* CPU time of the calling thread, in TSC cycles: the machine is shared,
 * and time spent descheduled is not the code's cost. */
static uint64_t cpu_cycles(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)(((double)ts.tv_sec + ts.tv_nsec / 1e9) * (double)rte_get_tsc_hz());
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {{"sessions", required_argument, NULL, 's'},
					   {"lookups", required_argument, NULL, 'l'},
					   {"rounds", required_argument, NULL, 'r'},
					   {NULL, 0, NULL, 0}};
	struct sl_nat_conf conf = {.max_gws = 1, .max_pubips = N_PUB, .n_workers = 2};
	const struct sl_nat_key **kp;
	struct sl_nat_session **out;
	uint64_t best_single = UINT64_MAX, best_bulk = UINT64_MAX, c0, c1, hz;
	uint32_t *order, fails = 0, missing = 0;
	char rundir[PATH_MAX];
	size_t heap0;
	uint8_t *dirs;
	int n, c;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	argc -= n;
	argv += n;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			n_sess = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'l':
			n_lookups = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rounds = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: bench_nat [EAL] -- [--sessions N] [--lookups N] "
					"[--rounds N]\n");
			return 2;
		}
	}
	n_sess &= ~(PORTS_PER_SRC - 1u);
	hz = rte_get_tsc_hz();
	conf.max_sessions = n_sess;
	conf.hz = 1; /* the clock is not what is measured: ticks = seconds */
	heap0 = heap_used();
	t = sl_nat_create("bench_nat", &conf);
	if (!t) {
		perror("sl_nat_create");
		return 1;
	}
	for (uint16_t i = 0; i < N_PUB; i++)
		sl_nat_pubip_set(t, i, (203u << 24 | 113u << 8) + i, 0);
	sl_nat_gw_set(t, 0, n_sess, UINT32_MAX / 2, 0);
	printf("sessions=%u\ntsc_hz=%" PRIu64 "\n", n_sess, hz);
	printf("bytes_per_session=%.0f\n", (double)(heap_used() - heap0) / n_sess);

	keys = malloc(sizeof(*keys) * n_sess);
	order = malloc(sizeof(*order) * n_lookups);
	kp = malloc(sizeof(*kp) * n_lookups);
	out = malloc(sizeof(*out) * 32);
	dirs = malloc(32);
	if (!keys || !order || !kp || !out || !dirs)
		return 1;

	/* create (one thread, empty -> full) */
	{
		struct creator cr = {.from = 0, .to = n_sess, .wid = 0};

		uint64_t u0 = cpu_cycles(), u1;

		c0 = rte_rdtsc_precise();
		create_range(&cr);
		c1 = rte_rdtsc_precise();
		u1 = cpu_cycles();
		fails += cr.fails;
		printf("create_cycles=%.0f\ncreate_cycles_wall=%.0f\ncreate_mps_1thread=%.2f\n",
		       (double)(u1 - u0) / n_sess, (double)(c1 - c0) / n_sess,
		       (double)n_sess * hz / (double)(u1 - u0) / 1e6);
	}
	/* the keys to look up: inside or reply key, random order */
	for (uint32_t i = 0; i < n_sess; i++) {
		struct sl_nat_session *s;
		unsigned int dir;

		flow_key(i, 0, &keys[i]);
		s = sl_nat_lookup(t, 0, &keys[i], &dir);
		if (!s) {
			missing++;
			continue;
		}
		if (i & 1)
			keys[i] = s->k[SL_NAT_DIR_REPLY];
	}
	for (uint32_t i = 0; i < n_lookups; i++) {
		order[i] = (uint32_t)(xorshift() % n_sess);
		kp[i] = &keys[order[i]];
	}
	for (unsigned int r = 0; r < rounds; r++) {
		uint64_t hit = 0;

		c0 = cpu_cycles();
		for (uint32_t i = 0; i < n_lookups; i++) {
			unsigned int dir;
			struct sl_nat_session *s = sl_nat_lookup(t, 0, kp[i], &dir);

			if (s) {
				sl_nat_touch(t, s, dir, 0, 2);
				hit++;
			}
		}
		c1 = cpu_cycles();
		best_single = RTE_MIN(best_single, c1 - c0);
		if (hit != n_lookups)
			missing++;
		c0 = cpu_cycles();
		for (uint32_t i = 0; i + 32 <= n_lookups; i += 32) {
			hit += sl_nat_lookup_bulk(t, 0, kp + i, 32, out, dirs);
			for (int j = 0; j < 32; j++)
				if (out[j])
					sl_nat_touch(t, out[j], dirs[j], 0, 2);
		}
		c1 = cpu_cycles();
		best_bulk = RTE_MIN(best_bulk, c1 - c0);
	}
	printf("lookup_cycles=%.1f\nlookup_bulk_cycles=%.1f\n", (double)best_single / n_lookups,
	       (double)best_bulk / (n_lookups & ~31u));

	/* expiry scan with nothing to expire, then expiring everything */
	c0 = cpu_cycles();
	for (uint32_t i = 0; i < n_sess / 64; i++)
		sl_nat_expire(t, 0, 10, 64);
	c1 = cpu_cycles();
	printf("scan_cycles_per_slot=%.2f\n", (double)(c1 - c0) / (n_sess / 64 * 64));
	{
		uint32_t done = 0;

		c0 = cpu_cycles();
		for (uint32_t i = 0; i <= n_sess / 64; i++)
			done += sl_nat_expire(t, 0, 1000, 64);
		c1 = cpu_cycles();
		printf("expire_cycles=%.0f\n", (double)(c1 - c0) / (done ? done : 1));
		if (done != n_sess)
			missing += n_sess - done;
	}
	/* grace periods: no reader is online, everything is reclaimable */
	{
		struct sl_nat_usage u;

		do {
			sl_nat_expire(t, 0, 1000, SL_NAT_EXPIRE_MAX);
			sl_nat_usage(t, &u);
		} while (u.pending);
	}
	/* two threads creating at once (disjoint flows) */
	{
		struct creator cr[2] = {{.from = 0, .to = n_sess / 2, .salt = 1, .wid = 0},
					{.from = n_sess / 2, .to = n_sess, .salt = 1, .wid = 1}};
		pthread_t th[2];
		double w0 = now_s(), w1;

		for (int i = 0; i < 2; i++)
			pthread_create(&th[i], NULL, create_range, &cr[i]);
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		w1 = now_s();
		fails += cr[0].fails + cr[1].fails;
		printf("create2_mps=%.2f\n", n_sess / (w1 - w0) / 1e6);
	}
	printf("create_fails=%u\nmissing=%u\n", fails, missing);
	sl_nat_free(t);
	free(keys);
	free(order);
	free(kp);
	free(out);
	free(dirs);
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(rundir); /* the EAL leaves its (empty) runtime directory */
	return fails || missing ? 1 : 0;
}
