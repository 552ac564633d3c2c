/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_lookup: the multi-VRF lookup measurement of issue 3.
 *
 * Design note
 * -----------
 * One program builds every candidate structure from the same prefix list and
 * the same deterministic next hops, proves they agree, then times them:
 *
 *   IPv4 Internet table: sluice's intervals (built by sluiced's own
 *     sl_rt4_build(), searched by the data plane's inline sl_rt4_lookup()
 *     over a real bank header), rte_lpm (DIR-24-8), rte_fib (DIR24_8,
 *     4-byte next hops) and sluice's sl_fib4 (dataplane/lpm: DIR-24-8 in
 *     offset-addressed memory, built from its RIB; scalar and bulk lookups,
 *     and the cost of single updates: RIB change + sync);
 *   IPv6 Internet table: intervals (sl_rt6_build/sl_rt6_lookup), rte_lpm6,
 *     rte_fib6 (TRIE, 4-byte next hops) and sl_fib6 with a 16-bit and a
 *     24-bit first level (the measurement behind SL_FIB6_L1_BITS_DEFAULT);
 *   10,000 VPC tables of ~80 prefixes as intervals laid out like a bank
 *     (VPC array + per-VPC intervals), one random VPC per lookup, plus the
 *     memory a per-VPC rte_lpm would need (computed, never allocated) and,
 *     for comparison, rte_fib6 used as a VRF table with the VPC index in
 *     the top 14 bits of the key ("VRF in the key").
 *
 * The differential check runs first and makes the exit status non-zero on
 * any disagreement; the timings are only printed (no assertion anywhere: the
 * machine is a shared 2-vCPU VM and the figures are noisy).
 *
 * Every structure, the intervals included, lives in EAL memory (rte_malloc),
 * so all of them sit on the same kind of pages (hugepages when the EAL has
 * them, 4 KiB pages under --no-huge). Memory of the rte_* structures is the
 * growth of the EAL heap across create + add, i.e. what the library really
 * allocated (tbl24, tbl8 groups, its RIB or rule hash).
 *
 * Prefixes: sl_pfxfile (dataplane/lpm), the loader and synthetic table
 * sluiced and the LPM tests use. Next hops: 1 + hash(prefix) % 255, so
 * equal prefixes get equal next hops and nothing depends on the file order.
 *
 * Output: one key=value line per figure on stdout; progress on stderr.
 *
 * Single-threaded; runs on the EAL main lcore.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_lcore.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_malloc.h>

#include "sl_compile.h"
#include "sl_fib_writer.h"
#include "sl_pfxfile.h"
#include "sl_pipeline.h"
#include "sl_shm.h"

#define SL_BURST 32
/* Each lookup figure is the best of SL_ROUNDS rounds that time every
 * structure in turn: other load on the machine only ever adds cycles, and
 * interleaving keeps one structure from getting all the quiet moments. */
#define SL_ROUNDS 3
#define SL_NH_MAX 255

/* ---- options ----------------------------------------------------------- */

struct sl_bopts {
	const char *prefixes; /* NULL: default path, else synthetic */
	uint32_t synthetic;   /* >0: force a synthetic table with this many v4 */
	uint32_t vpcs;
	uint32_t lookups;
	uint32_t check;
	uint64_t seed;
};

/* ---- random numbers (deterministic) -------------------------------------- */

static uint64_t sl_rng_state;

static inline uint64_t sl_splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static inline uint64_t sl_rand(void)
{
	sl_rng_state += 0x9e3779b97f4a7c15ULL;
	return sl_splitmix(sl_rng_state);
}

static inline uint32_t sl_rand_below(uint32_t n)
{
	return (uint32_t)(((sl_rand() >> 32) * (uint64_t)n) >> 32);
}

static uint32_t sl_nh_of(sl_u128 addr, uint8_t len)
{
	uint64_t h = sl_splitmix((uint64_t)(addr >> 64) ^ sl_splitmix((uint64_t)addr ^ len));

	return 1 + (uint32_t)(h % SL_NH_MAX);
}

static double sl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static sl_u128 sl_mask(unsigned int bits, unsigned int len)
{
	sl_u128 all = bits == 128 ? ~(sl_u128)0 : (((sl_u128)1 << bits) - 1);

	if (len == 0)
		return 0;
	if (len >= bits)
		return all;
	return all & ~((((sl_u128)1) << (bits - len)) - 1);
}

static void sl_u128_to_bytes(sl_u128 v, uint8_t out[16])
{
	for (int i = 15; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* ---- prefix lists ---------------------------------------------------------- */

struct sl_plist {
	struct sl_rt_in *v;
	size_t n, cap;
};

static void sl_plist_add(struct sl_plist *l, sl_u128 addr, uint8_t len, uint32_t nh)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		struct sl_rt_in *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL) {
			fprintf(stderr, "bench_lookup: out of memory\n");
			exit(2);
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].addr = addr;
	l->v[l->n].len = len;
	l->v[l->n].nh = nh;
	l->v[l->n].seq = (uint32_t)l->n;
	l->n++;
}

/*
 * The Internet table's prefixes come from the LPM library's loader
 * (sl_pfxfile.h: the same files, synthetic table and next-hop hash as
 * sluiced and the LPM tests); the benchmark keeps them as sl_rt_in lists
 * (128-bit host-order addresses), what sluiced's interval builder takes.
 */
static void sl_plist_from(const struct sl_pfxlist *pl, struct sl_plist *v4, struct sl_plist *v6)
{
	for (size_t i = 0; i < pl->n4; i++)
		sl_plist_add(v4, pl->v4[i].addr, pl->v4[i].len, pl->v4[i].nh);
	for (size_t i = 0; i < pl->n6; i++) {
		sl_u128 a = 0;

		for (int b = 0; b < 16; b++)
			a = (a << 8) | pl->v6[i].addr[b];
		sl_plist_add(v6, a, pl->v6[i].len, pl->v6[i].nh);
	}
}

/* Distinct tbl8 groups a 24-bit first level + 8-bit levels needs: one per
 * distinct (top d bits) with d = 24, 32, ... below some prefix's length. */
static int sl_u128_cmp(const void *a, const void *b)
{
	sl_u128 x = *(const sl_u128 *)a, y = *(const sl_u128 *)b;

	return x < y ? -1 : x > y;
}

static uint32_t sl_tbl8_groups(const struct sl_plist *l, unsigned int bits)
{
	sl_u128 *k = malloc((l->n ? l->n : 1) * sizeof(*k));
	uint64_t groups = 0;

	if (k == NULL)
		return 1u << 16;
	for (unsigned int d = 24; d < bits; d += 8) {
		size_t m = 0;

		for (size_t i = 0; i < l->n; i++)
			if (l->v[i].len > d)
				k[m++] = l->v[i].addr >> (bits - d);
		qsort(k, m, sizeof(*k), sl_u128_cmp);
		for (size_t i = 0; i < m; i++)
			if (i == 0 || k[i] != k[i - 1])
				groups++;
	}
	free(k);
	return (uint32_t)groups;
}

/* ---- EAL memory accounting ------------------------------------------------- */

static uint64_t sl_heap_used(void)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < rte_socket_count(); i++) {
		struct rte_malloc_socket_stats s;

		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &s) == 0)
			sum += s.heap_allocsz_bytes;
	}
	return sum;
}

static double sl_mib(uint64_t b)
{
	return (double)b / (1024.0 * 1024.0);
}

/* ---- output ---------------------------------------------------------------- */

static void sl_kv_u(const char *k, uint64_t v)
{
	printf("%s=%" PRIu64 "\n", k, v);
}

static void sl_kv_f(const char *k, double v)
{
	printf("%s=%.2f\n", k, v);
}

static void sl_kv_s(const char *k, const char *v)
{
	printf("%s=%s\n", k, v);
}

/* cycles for `n` lookups -> the three figures of one measurement */
static void sl_report(const char *prefix, uint64_t cycles, uint32_t n)
{
	char k[128];
	double cpl = (double)cycles / n;
	double secs = (double)cycles / (double)rte_get_tsc_hz();

	snprintf(k, sizeof(k), "%s_cycles_per_lookup", prefix);
	sl_kv_f(k, cpl);
	snprintf(k, sizeof(k), "%s_ns_per_lookup", prefix);
	sl_kv_f(k, secs * 1e9 / n);
	snprintf(k, sizeof(k), "%s_mlookups_per_s", prefix);
	sl_kv_f(k, n / secs / 1e6);
}

static void sl_ratio(const char *k, double a, double b)
{
	sl_kv_f(k, b > 0 ? a / b : 0);
}

static volatile uint64_t sl_sink;

/* ---- intervals in a bank-shaped arena -------------------------------------- */

/* A bank header followed by the Internet table's intervals, so the data
 * plane's own inline lookup runs unchanged. */
static struct sl_bank_header *sl_inet_bank(const struct sl_rt4_entry *e4, uint32_t n4,
					   const struct sl_rt6_entry *e6, uint32_t n6)
{
	uint64_t off4 = RTE_ALIGN_CEIL(sizeof(struct sl_bank_header), SL_CACHE_LINE);
	uint64_t off6 = RTE_ALIGN_CEIL(off4 + (uint64_t)n4 * sizeof(*e4), SL_CACHE_LINE);
	uint64_t size = off6 + (uint64_t)n6 * sizeof(*e6);
	struct sl_bank_header *b = rte_zmalloc("bench_inet_bank", size, SL_CACHE_LINE);

	if (b == NULL)
		return NULL;
	b->magic = SL_BANK_MAGIC;
	b->used = size;
	b->inet.v4_off = off4;
	b->inet.v4_n = n4;
	b->inet.v6_off = off6;
	b->inet.v6_n = n6;
	memcpy((uint8_t *)b + off4, e4, (size_t)n4 * sizeof(*e4));
	memcpy((uint8_t *)b + off6, e6, (size_t)n6 * sizeof(*e6));
	return b;
}

/* ---- IPv4 / IPv6 Internet table --------------------------------------------- */

/*
 * sluice's own FIB (dataplane/lpm): a RIB in private memory and one FIB
 * instance in EAL memory laid out as in the segment (header at 0, tables
 * at 64), built from the RIB. The tbl8 pool starts from an estimate and
 * doubles on -ENOSPC; the figures are those of the build that fitted.
 */
#define SL_SLFIB_OFF 64

struct sl_slfib {
	uint8_t *mem;
	struct sl_rib4 *rib4;
	struct sl_rib6 *rib6;
	struct sl_fib4_writer *w4;
	struct sl_fib6_writer *w6;
	uint32_t n_tbl8;
	unsigned int l1; /* IPv6 first level */
	double rib_s, fib_s;
};

static const struct sl_fib4 *sl_slfib4_hdr(const struct sl_slfib *x)
{
	return (const struct sl_fib4 *)x->mem;
}

static const struct sl_fib6 *sl_slfib6_hdr(const struct sl_slfib *x)
{
	return (const struct sl_fib6 *)x->mem;
}

static void sl_slfib_free(struct sl_slfib *x)
{
	sl_fib4_writer_free(x->w4);
	sl_fib6_writer_free(x->w6);
	sl_rib4_free(x->rib4);
	sl_rib6_free(x->rib6);
	rte_free(x->mem);
	memset(x, 0, sizeof(*x));
}

/* v6: 0 for IPv4, else the IPv6 first-level width */
static int sl_slfib_make(const struct sl_plist *l, unsigned int v6, uint32_t n_tbl8,
			 struct sl_slfib *x)
{
	double t0 = sl_now();
	int rc = 0;

	memset(x, 0, sizeof(*x));
	x->l1 = v6;
	if (v6)
		x->rib6 = sl_rib6_new();
	else
		x->rib4 = sl_rib4_new();
	if (x->rib4 == NULL && x->rib6 == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < l->n && rc >= 0; i++) {
		uint8_t b[16];

		if (v6) {
			sl_u128_to_bytes(l->v[i].addr, b);
			rc = sl_rib6_set(x->rib6, b, l->v[i].len, l->v[i].nh);
		} else {
			rc = sl_rib4_set(x->rib4, (uint32_t)l->v[i].addr, l->v[i].len, l->v[i].nh);
		}
	}
	if (rc < 0)
		return rc;
	x->rib_s = sl_now() - t0;
	for (int attempt = 0; attempt < 8; attempt++, n_tbl8 *= 2) {
		uint64_t bytes = v6 ? sl_fib6_bytes(v6, n_tbl8) : sl_fib4_bytes(n_tbl8);

		x->mem = rte_malloc("bench_slfib", SL_SLFIB_OFF + bytes, SL_CACHE_LINE);
		if (x->mem == NULL)
			return -ENOMEM;
		t0 = sl_now();
		if (v6) {
			x->w6 = sl_fib6_writer_new(x->mem, (struct sl_fib6 *)x->mem, SL_SLFIB_OFF,
						   n_tbl8, v6);
			rc = x->w6 ? sl_fib6_build(x->w6, x->rib6) : -errno;
		} else {
			x->w4 = sl_fib4_writer_new(x->mem, (struct sl_fib4 *)x->mem, SL_SLFIB_OFF,
						   n_tbl8);
			rc = x->w4 ? sl_fib4_build(x->w4, x->rib4) : -errno;
		}
		x->fib_s = sl_now() - t0;
		x->n_tbl8 = n_tbl8;
		if (rc != -ENOSPC)
			return rc;
		fprintf(stderr, "bench_lookup: sl_fib%s: %u tbl8 groups too few, doubling\n",
			v6 ? "6" : "4", n_tbl8);
		sl_fib4_writer_free(x->w4);
		sl_fib6_writer_free(x->w6);
		x->w4 = NULL;
		x->w6 = NULL;
		rte_free(x->mem);
		x->mem = NULL;
	}
	return -ENOSPC;
}

/* build time, memory and groups of one sl_fib instance, as key=value lines */
static double sl_slfib_report(const char *name, const struct sl_slfib *x)
{
	uint32_t used = x->w6 ? sl_slfib6_hdr(x)->tbl8_used : sl_slfib4_hdr(x)->tbl8_used;
	uint64_t tables = (x->w6 ? sl_fib6_bytes(x->l1, used) : sl_fib4_bytes(used));
	size_t rib = x->rib6 ? sl_rib6_bytes(x->rib6) : sl_rib4_bytes(x->rib4);
	char k[128];

	snprintf(k, sizeof(k), "%s_build_s", name);
	sl_kv_f(k, x->rib_s + x->fib_s);
	snprintf(k, sizeof(k), "%s_rib_build_s", name);
	sl_kv_f(k, x->rib_s);
	snprintf(k, sizeof(k), "%s_fib_build_s", name);
	sl_kv_f(k, x->fib_s);
	snprintf(k, sizeof(k), "%s_tbl8_groups", name);
	sl_kv_u(k, used);
	snprintf(k, sizeof(k), "%s_tbl8_groups_allocated", name);
	sl_kv_u(k, x->n_tbl8);
	/* what an instance sized to this table needs (first level + groups in use) */
	snprintf(k, sizeof(k), "%s_mib", name);
	sl_kv_f(k, sl_mib(tables));
	snprintf(k, sizeof(k), "%s_rib_mib", name);
	sl_kv_f(k, sl_mib(rib));
	return sl_mib(tables);
}

struct sl_v4set {
	struct sl_bank_header *bank;
	struct rte_lpm *lpm;
	struct rte_fib *fib;
	struct sl_slfib sl;
};

struct sl_v6set {
	struct sl_bank_header *bank;
	struct rte_lpm6 *lpm6;
	struct rte_fib6 *fib6;
	struct sl_slfib sl16, sl24; /* first level of 16 and 24 bits */
};

/* Addresses for lookups: even slots uniform over the whole space, odd slots
 * inside a random prefix of the table (random host bits). */
static void sl_gen4(const struct sl_plist *l, uint32_t *out, uint32_t n, bool inside)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t a = (uint32_t)sl_rand();

		if (inside && l->n) {
			const struct sl_rt_in *p = &l->v[sl_rand_below((uint32_t)l->n)];
			uint32_t m = (uint32_t)sl_mask(32, p->len);

			a = ((uint32_t)p->addr & m) | (a & ~m);
		}
		out[i] = a;
	}
}

static void sl_gen6(const struct sl_plist *l, sl_u128 *out, uint32_t n, bool inside)
{
	for (uint32_t i = 0; i < n; i++) {
		sl_u128 a = ((sl_u128)sl_rand() << 64) | sl_rand();

		if (inside && l->n) {
			const struct sl_rt_in *p = &l->v[sl_rand_below((uint32_t)l->n)];
			sl_u128 m = sl_mask(128, p->len);

			a = (p->addr & m) | (a & ~m);
		} else {
			/* uniform over 2000::/3 (global unicast); the rest of the
			 * space misses at the first level in every structure */
			a = (a >> 3) | ((sl_u128)1 << 125);
		}
		out[i] = a;
	}
}

static uint32_t sl_lpm4_nh(struct rte_lpm *lpm, uint32_t a)
{
	uint32_t nh;

	return rte_lpm_lookup(lpm, a, &nh) == 0 ? nh : SL_NH_NONE;
}

static int sl_check4(const struct sl_v4set *s, const struct sl_plist *l, uint32_t n)
{
	uint32_t *a = malloc((size_t)n * sizeof(*a));
	int bad = 0;

	if (a == NULL)
		return -ENOMEM;
	sl_gen4(l, a, n / 2, false);
	sl_gen4(l, a + n / 2, n - n / 2, true);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t x = sl_rt4_lookup(s->bank, &s->bank->inet, a[i]);
		uint32_t y = sl_lpm4_nh(s->lpm, a[i]);
		uint32_t w = sl_fib4_lookup(s->sl.mem, sl_slfib4_hdr(&s->sl), a[i]), wb;
		uint64_t z;

		rte_fib_lookup_bulk(s->fib, &a[i], &z, 1);
		sl_fib4_lookup_bulk(s->sl.mem, sl_slfib4_hdr(&s->sl), &a[i], &wb, 1);
		if (x != y || x != z || x != w || x != wb) {
			if (bad++ < 10)
				fprintf(stderr,
					"MISMATCH ipv4 %u.%u.%u.%u: intervals %u rte_lpm %u "
					"rte_fib %" PRIu64 " sl_fib4 %u bulk %u\n",
					a[i] >> 24, (a[i] >> 16) & 255, (a[i] >> 8) & 255,
					a[i] & 255, x, y, z, w, wb);
		}
	}
	free(a);
	return bad;
}

static int sl_check6(const struct sl_v6set *s, const struct sl_plist *l, uint32_t n)
{
	sl_u128 *a = malloc((size_t)n * sizeof(*a));
	int bad = 0;

	if (a == NULL)
		return -ENOMEM;
	sl_gen6(l, a, n / 2, false);
	sl_gen6(l, a + n / 2, n - n / 2, true);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t ip[1][16];
		uint32_t x =
		    sl_rt6_lookup(s->bank, &s->bank->inet, (uint64_t)(a[i] >> 64), (uint64_t)a[i]);
		uint32_t y, w16, w24, wb;
		uint64_t z;

		sl_u128_to_bytes(a[i], ip[0]);
		if (rte_lpm6_lookup(s->lpm6, ip[0], &y) != 0)
			y = SL_NH_NONE;
		rte_fib6_lookup_bulk(s->fib6, ip, &z, 1);
		w16 = sl_fib6_lookup(s->sl16.mem, sl_slfib6_hdr(&s->sl16), ip[0]);
		w24 = sl_fib6_lookup(s->sl24.mem, sl_slfib6_hdr(&s->sl24), ip[0]);
		sl_fib6_lookup_bulk(s->sl16.mem, sl_slfib6_hdr(&s->sl16), (const uint8_t(*)[16])ip,
				    &wb, 1);
		if (x != y || x != z || x != w16 || x != w24 || x != wb) {
			if (bad++ < 10) {
				char txt[INET6_ADDRSTRLEN];

				inet_ntop(AF_INET6, ip[0], txt, sizeof(txt));
				fprintf(
				    stderr,
				    "MISMATCH ipv6 %s: intervals %u rte_lpm6 %u rte_fib6 %" PRIu64
				    " sl_fib6/16 %u sl_fib6/24 %u bulk %u\n",
				    txt, x, y, z, w16, w24, wb);
			}
		}
	}
	free(a);
	return bad;
}

/* The timed loops. Each returns TSC cycles for n lookups. */
static uint64_t sl_time4_intervals(const struct sl_bank_header *b, const uint32_t *a, uint32_t n)
{
	uint64_t sum = 0, t0 = rte_rdtsc_precise();

	for (uint32_t i = 0; i < n; i++)
		sum += sl_rt4_lookup(b, &b->inet, a[i]);
	t0 = rte_rdtsc_precise() - t0;
	sl_sink += sum;
	return t0;
}

static uint64_t sl_time4_lpm(const struct rte_lpm *lpm, const uint32_t *a, uint32_t n)
{
	uint32_t nh[SL_BURST];
	uint64_t sum = 0, t0 = rte_rdtsc_precise();

	for (uint32_t i = 0; i + SL_BURST <= n; i += SL_BURST) {
		rte_lpm_lookup_bulk(lpm, &a[i], nh, SL_BURST);
		sum += nh[0] + nh[SL_BURST - 1];
	}
	t0 = rte_rdtsc_precise() - t0;
	sl_sink += sum;
	return t0;
}

static uint64_t sl_time4_fib(struct rte_fib *fib, uint32_t *a, uint32_t n)
{
	uint64_t nh[SL_BURST];
	uint64_t sum = 0, t0 = rte_rdtsc_precise();

	for (uint32_t i = 0; i + SL_BURST <= n; i += SL_BURST) {
		rte_fib_lookup_bulk(fib, &a[i], nh, SL_BURST);
		sum += nh[0] + nh[SL_BURST - 1];
	}
	t0 = rte_rdtsc_precise() - t0;
	sl_sink += sum;
	return t0;
}

/* sl_fib: one call per address (as a scalar stage would), or bursts of 32 */
static uint64_t sl_time4_slfib(const struct sl_slfib *x, const uint32_t *a, uint32_t n, bool bulk)
{
	const struct sl_fib4 *f = sl_slfib4_hdr(x);
	uint32_t nh[SL_BURST];
	uint64_t sum = 0, t0 = rte_rdtsc_precise();

	if (bulk) {
		for (uint32_t i = 0; i + SL_BURST <= n; i += SL_BURST) {
			sl_fib4_lookup_bulk(x->mem, f, &a[i], nh, SL_BURST);
			sum += nh[0] + nh[SL_BURST - 1];
		}
	} else {
		for (uint32_t i = 0; i < n; i++)
			sum += sl_fib4_lookup(x->mem, f, a[i]);
	}
	t0 = rte_rdtsc_precise() - t0;
	sl_sink += sum;
	return t0;
}

static uint64_t sl_time6_slfib(const struct sl_slfib *x, uint8_t (*ip)[16], uint32_t n, bool bulk)
{
	const struct sl_fib6 *f = sl_slfib6_hdr(x);
	uint32_t nh[SL_BURST];
	uint64_t sum = 0, t0 = rte_rdtsc_precise();

	if (bulk) {
		for (uint32_t i = 0; i + SL_BURST <= n; i += SL_BURST) {
			sl_fib6_lookup_bulk(x->mem, f, (const uint8_t(*)[16]) & ip[i], nh,
					    SL_BURST);
			sum += nh[0] + nh[SL_BURST - 1];
		}
	} else {
		for (uint32_t i = 0; i < n; i++)
			sum += sl_fib6_lookup(x->mem, f, ip[i]);
	}
	t0 = rte_rdtsc_precise() - t0;
	sl_sink += sum;
	return t0;
}

static uint64_t sl_time6_intervals(const struct sl_bank_header *b, const uint64_t *hl, uint32_t n)
{
	uint64_t sum = 0, t0 = rte_rdtsc_precise();

	for (uint32_t i = 0; i < n; i++)
		sum += sl_rt6_lookup(b, &b->inet, hl[2 * i], hl[2 * i + 1]);
	t0 = rte_rdtsc_precise() - t0;
	sl_sink += sum;
	return t0;
}

static uint64_t sl_time6_lpm(const struct rte_lpm6 *lpm, uint8_t (*ip)[16], uint32_t n)
{
	int32_t nh[SL_BURST];
	uint64_t sum = 0, t0 = rte_rdtsc_precise();

	for (uint32_t i = 0; i + SL_BURST <= n; i += SL_BURST) {
		rte_lpm6_lookup_bulk_func(lpm, &ip[i], nh, SL_BURST);
		sum += (uint32_t)nh[0] + (uint32_t)nh[SL_BURST - 1];
	}
	t0 = rte_rdtsc_precise() - t0;
	sl_sink += sum;
	return t0;
}

static uint64_t sl_time6_fib(struct rte_fib6 *fib, uint8_t (*ip)[16], uint32_t n)
{
	uint64_t nh[SL_BURST];
	uint64_t sum = 0, t0 = rte_rdtsc_precise();

	for (uint32_t i = 0; i + SL_BURST <= n; i += SL_BURST) {
		rte_fib6_lookup_bulk(fib, &ip[i], nh, SL_BURST);
		sum += nh[0] + nh[SL_BURST - 1];
	}
	t0 = rte_rdtsc_precise() - t0;
	sl_sink += sum;
	return t0;
}

/*
 * rte_fib6 (TRIE) from a prefix list. The trie writes the gaps between
 * nested prefixes as ranges and allocates tbl8 groups at both edges of each,
 * so it needs more groups than sl_tbl8_groups() counts; start from 1.5x and
 * double on ENOSPC. *tbl8 returns the group count that was enough.
 */
static struct rte_fib6 *sl_rte_fib6_build(const char *name, const struct sl_plist *l,
					  uint32_t groups, uint32_t *tbl8)
{
	uint64_t n8 = (uint64_t)groups + groups / 2 + 4096;

	for (int attempt = 0; attempt < 4; attempt++, n8 *= 2) {
		struct rte_fib6_conf fc = {
		    .type = RTE_FIB6_TRIE,
		    .default_nh = SL_NH_NONE,
		    .max_routes = (int)l->n + 1024,
		    .trie = {.nh_sz = RTE_FIB6_TRIE_4B, .num_tbl8 = (uint32_t)n8},
		};
		struct rte_fib6 *f = rte_fib6_create(name, (int)rte_socket_id(), &fc);
		int rc = 0;

		if (f == NULL) {
			fprintf(stderr, "rte_fib6_create %s (%" PRIu64 " tbl8): %s\n", name, n8,
				rte_strerror(rte_errno));
			return NULL;
		}
		for (size_t i = 0; i < l->n && rc == 0; i++) {
			uint8_t b[16];

			sl_u128_to_bytes(l->v[i].addr, b);
			rc = rte_fib6_add(f, b, l->v[i].len, l->v[i].nh);
		}
		if (rc == 0) {
			*tbl8 = (uint32_t)n8;
			return f;
		}
		rte_fib6_free(f);
		if (rc != -ENOSPC) {
			fprintf(stderr, "rte_fib6_add %s: %s\n", name, strerror(-rc));
			return NULL;
		}
		fprintf(stderr, "bench_lookup: %s: %" PRIu64 " tbl8 groups too few, doubling\n",
			name, n8);
	}
	return NULL;
}

static int sl_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Update cost of an sl_fib instance: n random prefixes of the table are
 * deleted (RIB + sync), then set again (RIB + sync); each change is timed
 * on its own. The table ends as it began (the differential check that
 * follows the caller's timings runs on it).
 */
static int sl_slfib_updates(const char *name, struct sl_slfib *x, const struct sl_plist *l,
			    uint32_t n)
{
	uint64_t *c = malloc(2 * (size_t)n * sizeof(*c));
	uint32_t *pick = malloc((size_t)n * sizeof(*pick));
	double hz = (double)rte_get_tsc_hz();
	char k[128];
	int rc = 0;

	if (c == NULL || pick == NULL || l->n == 0) {
		free(c);
		free(pick);
		return c == NULL || pick == NULL ? -ENOMEM : 0;
	}
	for (uint32_t i = 0; i < n; i++)
		pick[i] = sl_rand_below((uint32_t)l->n);
	for (uint32_t pass = 0; pass < 2 && rc == 0; pass++) {
		for (uint32_t i = 0; i < n && rc == 0; i++) {
			const struct sl_rt_in *p = &l->v[pick[pass ? n - 1 - i : i]];
			uint64_t t0 = rte_rdtsc_precise();
			uint8_t b[16];

			if (x->w6) {
				sl_u128_to_bytes(p->addr, b);
				rc = pass ? sl_rib6_set(x->rib6, b, p->len, p->nh)
					  : sl_rib6_delete(x->rib6, b, p->len);
				if (rc >= 0 || rc == -ENOENT) /* a duplicate pick */
					rc = sl_fib6_sync(x->w6, x->rib6, b, p->len);
			} else {
				uint32_t a = (uint32_t)p->addr;

				rc = pass ? sl_rib4_set(x->rib4, a, p->len, p->nh)
					  : sl_rib4_delete(x->rib4, a, p->len);
				if (rc >= 0 || rc == -ENOENT)
					rc = sl_fib4_sync(x->w4, x->rib4, a, p->len);
			}
			c[pass * n + i] = rte_rdtsc_precise() - t0;
		}
	}
	if (rc == 0) {
		qsort(c, 2 * (size_t)n, sizeof(*c), sl_u64_cmp);
		snprintf(k, sizeof(k), "%s_updates", name);
		sl_kv_u(k, 2 * (uint64_t)n);
		snprintf(k, sizeof(k), "%s_update_us_median", name);
		sl_kv_f(k, (double)c[n] * 1e6 / hz);
		snprintf(k, sizeof(k), "%s_update_us_p99", name);
		sl_kv_f(k, (double)c[(size_t)n * 2 * 99 / 100] * 1e6 / hz);
		snprintf(k, sizeof(k), "%s_update_us_max", name);
		sl_kv_f(k, (double)c[2 * (size_t)n - 1] * 1e6 / hz);
	}
	/* the worst single change: a default route (when the table has none)
	 * repaints every gap between the routes directly under /0 */
	if (x->w6 ? sl_rib6_get(x->rib6, (const uint8_t[16]){0}, 0, NULL) == 0
		  : sl_rib4_get(x->rib4, 0, 0, NULL) == 0)
		n = 0; /* it has one: not measured */
	for (int pass = 0; pass < 2 && rc == 0 && n > 0; pass++) {
		static const uint8_t zero[16];
		uint64_t t0 = rte_rdtsc_precise();

		if (x->w6) {
			rc = pass ? sl_rib6_delete(x->rib6, zero, 0)
				  : sl_rib6_set(x->rib6, zero, 0, 1);
			if (rc >= 0)
				rc = sl_fib6_sync(x->w6, x->rib6, zero, 0);
		} else {
			rc = pass ? sl_rib4_delete(x->rib4, 0, 0) : sl_rib4_set(x->rib4, 0, 0, 1);
			if (rc >= 0)
				rc = sl_fib4_sync(x->w4, x->rib4, 0, 0);
		}
		snprintf(k, sizeof(k), "%s_default_route_%s_ms", name, pass ? "delete" : "set");
		sl_kv_f(k, (double)(rte_rdtsc_precise() - t0) * 1e3 / hz);
	}
	free(c);
	free(pick);
	return rc;
}

/* memory of one sl_fib instance per family (the route_memory_mib lines) */
static double sl_mem_slfib4, sl_mem_slfib6;

static int sl_bench_v4(const struct sl_bopts *o, struct sl_plist *l, double *route_mib)
{
	struct sl_v4set s = {0};
	struct sl_rt4_entry *e4 = NULL;
	struct sl_rt6_entry e6 = {0};
	uint32_t n4 = 0, groups = sl_tbl8_groups(l, 32);
	uint64_t h0, lpm_bytes, fib_bytes, c_iv, c_lpm, c_fib, c_sl, c_slb;
	double t0, t_iv, t_lpm, t_fib;
	uint32_t *a;
	int rc, bad;

	sl_kv_u("ipv4_full_prefixes", l->n);
	sl_kv_u("ipv4_full_tbl8_groups_needed", groups);

	/* (a) intervals, with sluiced's builder (it reorders a copy) */
	struct sl_rt_in *copy = malloc((l->n ? l->n : 1) * sizeof(*copy));

	if (copy == NULL)
		return -ENOMEM;
	if (l->n)
		memcpy(copy, l->v, l->n * sizeof(*copy));
	t0 = sl_now();
	rc = sl_rt4_build(copy, l->n, &e4, &n4);
	t_iv = sl_now() - t0;
	free(copy);
	if (rc < 0)
		return rc;
	s.bank = sl_inet_bank(e4, n4, &e6, 1);
	free(e4);
	if (s.bank == NULL)
		return -ENOMEM;
	sl_kv_u("ipv4_full_intervals", n4);
	sl_kv_f("ipv4_full_intervals_build_s", t_iv);
	sl_kv_f("ipv4_full_intervals_memory_mib",
		sl_mib((uint64_t)n4 * sizeof(struct sl_rt4_entry)));

	/* (b) rte_lpm */
	struct rte_lpm_config lc = {
	    .max_rules = (uint32_t)l->n + 1024,
	    .number_tbl8s = groups + groups / 8 + 256,
	};

	h0 = sl_heap_used();
	t0 = sl_now();
	s.lpm = rte_lpm_create("bench_lpm", (int)rte_socket_id(), &lc);
	if (s.lpm == NULL) {
		fprintf(stderr, "rte_lpm_create: %s\n", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (size_t i = 0; i < l->n; i++) {
		rc = rte_lpm_add(s.lpm, (uint32_t)l->v[i].addr, l->v[i].len, l->v[i].nh);
		if (rc < 0) {
			fprintf(stderr, "rte_lpm_add: %s\n", strerror(-rc));
			return rc;
		}
	}
	t_lpm = sl_now() - t0;
	lpm_bytes = sl_heap_used() - h0;
	sl_kv_f("ipv4_full_rte_lpm_build_s", t_lpm);
	sl_kv_f("ipv4_full_rte_lpm_memory_mib", sl_mib(lpm_bytes));

	/* (b) rte_fib DIR24_8, 4-byte next hops */
	struct rte_fib_conf fc = {
	    .type = RTE_FIB_DIR24_8,
	    .default_nh = SL_NH_NONE,
	    .max_routes = (int)l->n + 1024,
	    .dir24_8 = {.nh_sz = RTE_FIB_DIR24_8_4B, .num_tbl8 = groups + groups / 8 + 256},
	};

	h0 = sl_heap_used();
	t0 = sl_now();
	s.fib = rte_fib_create("bench_fib", (int)rte_socket_id(), &fc);
	if (s.fib == NULL) {
		fprintf(stderr, "rte_fib_create: %s\n", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (size_t i = 0; i < l->n; i++) {
		rc = rte_fib_add(s.fib, (uint32_t)l->v[i].addr, l->v[i].len, l->v[i].nh);
		if (rc < 0) {
			fprintf(stderr, "rte_fib_add: %s\n", strerror(-rc));
			return rc;
		}
	}
	t_fib = sl_now() - t0;
	fib_bytes = sl_heap_used() - h0;
	sl_kv_f("ipv4_full_rte_fib_build_s", t_fib);
	sl_kv_f("ipv4_full_rte_fib_memory_mib", sl_mib(fib_bytes));
	/* of which the lookup tables (tbl24 + tbl8 groups); the rest is the
	 * RIB the library keeps for updates */
	sl_kv_f("ipv4_full_rte_fib_tables_mib", sl_mib(((uint64_t)RTE_LPM_TBL24_NUM_ENTRIES +
							(uint64_t)(fc.dir24_8.num_tbl8 + 1) * 256) *
						       4));

	/* (c) sluice's sl_fib4 (dataplane/lpm): RIB, then the DIR-24-8 */
	rc = sl_slfib_make(l, 0, groups + groups / 4 + 1024, &s.sl);
	if (rc < 0) {
		fprintf(stderr, "sl_fib4: %s\n", strerror(-rc));
		return rc;
	}
	sl_mem_slfib4 = sl_slfib_report("sl_fib4", &s.sl);

	/* differential check */
	bad = sl_check4(&s, l, o->check);
	sl_kv_u("ipv4_full_check_addresses", o->check);
	sl_kv_u("ipv4_full_check_mismatches", (uint64_t)(bad < 0 ? 0 : bad));
	if (bad != 0) {
		fprintf(stderr, "bench_lookup: IPv4 differential check FAILED (%d)\n", bad);
		return bad < 0 ? bad : -EPROTO;
	}

	/* timings: uniform, then from inside the table's prefixes */
	a = rte_malloc("bench_a4", (size_t)o->lookups * sizeof(*a), SL_CACHE_LINE);
	if (a == NULL)
		return -ENOMEM;
	for (int inside = 0; inside <= 1; inside++) {
		const char *mode = inside ? "prefix" : "uniform";
		char k[128];

		sl_gen4(l, a, o->lookups, inside);
		/* warm-up pass, not timed */
		sl_time4_intervals(s.bank, a, o->lookups / 4);
		c_iv = c_lpm = c_fib = c_sl = c_slb = UINT64_MAX;
		for (int r = 0; r < SL_ROUNDS; r++) {
			c_iv = RTE_MIN(c_iv, sl_time4_intervals(s.bank, a, o->lookups));
			c_lpm = RTE_MIN(c_lpm, sl_time4_lpm(s.lpm, a, o->lookups));
			c_fib = RTE_MIN(c_fib, sl_time4_fib(s.fib, a, o->lookups));
			c_sl = RTE_MIN(c_sl, sl_time4_slfib(&s.sl, a, o->lookups, false));
			c_slb = RTE_MIN(c_slb, sl_time4_slfib(&s.sl, a, o->lookups, true));
		}
		snprintf(k, sizeof(k), "ipv4_full_%s_sl_fib4", mode);
		sl_report(k, c_sl, o->lookups);
		snprintf(k, sizeof(k), "ipv4_full_%s_sl_fib4_bulk", mode);
		sl_report(k, c_slb, o->lookups);
		snprintf(k, sizeof(k), "ipv4_full_%s_sl_fib4_vs_rte_fib", mode);
		sl_ratio(k, (double)c_slb, (double)c_fib);
		if (inside)
			sl_ratio("sl_fib4_prefix_vs_rte_fib", (double)c_slb, (double)c_fib);
		snprintf(k, sizeof(k), "ipv4_full_%s_intervals", mode);
		sl_report(k, c_iv, o->lookups);
		snprintf(k, sizeof(k), "ipv4_full_%s_rte_lpm", mode);
		sl_report(k, c_lpm, o->lookups);
		snprintf(k, sizeof(k), "ipv4_full_%s_rte_fib", mode);
		sl_report(k, c_fib, o->lookups);
		snprintf(k, sizeof(k), "ipv4_full_%s_intervals_vs_rte_fib", mode);
		sl_ratio(k, (double)c_iv, (double)c_fib);
		snprintf(k, sizeof(k), "ipv4_full_%s_intervals_vs_rte_lpm", mode);
		sl_ratio(k, (double)c_iv, (double)c_lpm);
		if (!inside) {
			/* the headline names of the brief: uniform addresses */
			sl_kv_f("ipv4_full_intervals_cycles_per_lookup", (double)c_iv / o->lookups);
			sl_kv_f("ipv4_full_rte_lpm_cycles_per_lookup", (double)c_lpm / o->lookups);
			sl_kv_f("ipv4_full_rte_fib_cycles_per_lookup", (double)c_fib / o->lookups);
			sl_ratio("intervals_vs_rte_fib", (double)c_iv, (double)c_fib);
			sl_ratio("intervals_vs_rte_lpm", (double)c_iv, (double)c_lpm);
			/* sl_fib4: bulk against rte_fib's bulk; single calls too */
			sl_kv_f("sl_fib4_cycles_per_lookup", (double)c_slb / o->lookups);
			sl_kv_f("sl_fib4_single_cycles_per_lookup", (double)c_sl / o->lookups);
			sl_ratio("sl_fib4_vs_rte_fib", (double)c_slb, (double)c_fib);
			sl_ratio("sl_fib4_single_vs_rte_fib", (double)c_sl, (double)c_fib);
		}
	}
	/* updates, then the check again: the table must be what it was */
	rc = sl_slfib_updates("sl_fib4", &s.sl, l, 10000);
	if (rc < 0)
		return rc;
	bad = sl_check4(&s, l, o->check / 4 + 1);
	if (bad != 0) {
		fprintf(stderr, "bench_lookup: IPv4 check after updates FAILED (%d)\n", bad);
		return bad < 0 ? bad : -EPROTO;
	}
	*route_mib = sl_mib(fib_bytes);
	sl_slfib_free(&s.sl);
	rte_free(a);
	rte_free(s.bank);
	rte_lpm_free(s.lpm);
	rte_fib_free(s.fib);
	return 0;
}

static int sl_bench_v6(const struct sl_bopts *o, struct sl_plist *l, double *route_mib)
{
	struct sl_v6set s = {0};
	struct sl_rt6_entry *e6 = NULL;
	struct sl_rt4_entry e4 = {0};
	uint32_t n6 = 0, tbl8 = 0, groups = sl_tbl8_groups(l, 128);
	uint64_t h0, lpm_bytes, fib_bytes, c_iv, c_lpm, c_fib;
	double t0, t_iv, t_lpm, t_fib;
	sl_u128 *tmp;
	uint64_t *hl;
	uint8_t(*ip)[16];
	int rc, bad;

	sl_kv_u("ipv6_full_prefixes", l->n);
	sl_kv_u("ipv6_full_tbl8_groups_needed", groups);

	struct sl_rt_in *copy = malloc((l->n ? l->n : 1) * sizeof(*copy));

	if (copy == NULL)
		return -ENOMEM;
	if (l->n)
		memcpy(copy, l->v, l->n * sizeof(*copy));
	t0 = sl_now();
	rc = sl_rt6_build(copy, l->n, &e6, &n6);
	t_iv = sl_now() - t0;
	free(copy);
	if (rc < 0)
		return rc;
	s.bank = sl_inet_bank(&e4, 1, e6, n6);
	free(e6);
	if (s.bank == NULL)
		return -ENOMEM;
	sl_kv_u("ipv6_full_intervals", n6);
	sl_kv_f("ipv6_full_intervals_build_s", t_iv);
	sl_kv_f("ipv6_full_intervals_memory_mib",
		sl_mib((uint64_t)n6 * sizeof(struct sl_rt6_entry)));

	struct rte_lpm6_config lc = {
	    .max_rules = (uint32_t)l->n + 1024,
	    .number_tbl8s = groups + groups / 8 + 256,
	};

	h0 = sl_heap_used();
	t0 = sl_now();
	s.lpm6 = rte_lpm6_create("bench_lpm6", (int)rte_socket_id(), &lc);
	if (s.lpm6 == NULL) {
		fprintf(stderr, "rte_lpm6_create: %s\n", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (size_t i = 0; i < l->n; i++) {
		uint8_t b[16];

		sl_u128_to_bytes(l->v[i].addr, b);
		rc = rte_lpm6_add(s.lpm6, b, l->v[i].len, l->v[i].nh);
		if (rc < 0) {
			fprintf(stderr, "rte_lpm6_add: %s\n", strerror(-rc));
			return rc;
		}
	}
	t_lpm = sl_now() - t0;
	lpm_bytes = sl_heap_used() - h0;
	sl_kv_f("ipv6_full_rte_lpm6_build_s", t_lpm);
	sl_kv_f("ipv6_full_rte_lpm6_memory_mib", sl_mib(lpm_bytes));

	h0 = sl_heap_used();
	t0 = sl_now();
	s.fib6 = sl_rte_fib6_build("bench_fib6", l, groups, &tbl8);
	if (s.fib6 == NULL)
		return -ENOMEM;
	t_fib = sl_now() - t0;
	fib_bytes = sl_heap_used() - h0;
	sl_kv_u("ipv6_full_rte_fib6_tbl8_groups", tbl8);
	sl_kv_f("ipv6_full_rte_fib6_build_s", t_fib);
	sl_kv_f("ipv6_full_rte_fib6_memory_mib", sl_mib(fib_bytes));

	/* sluice's sl_fib6 with both first-level widths */
	rc = sl_slfib_make(l, 16, groups + groups / 2 + 4096, &s.sl16);
	if (rc == 0)
		rc = sl_slfib_make(l, 24, groups + groups / 2 + 4096, &s.sl24);
	if (rc < 0) {
		fprintf(stderr, "sl_fib6: %s\n", strerror(-rc));
		return rc;
	}
	{
		double m16 = sl_slfib_report("sl_fib6_l1_16", &s.sl16);
		double m24 = sl_slfib_report("sl_fib6_l1_24", &s.sl24);

		sl_mem_slfib6 = SL_FIB6_L1_BITS_DEFAULT == 16 ? m16 : m24;
		sl_kv_u("sl_fib6_l1_bits", SL_FIB6_L1_BITS_DEFAULT);
		sl_kv_f("sl_fib6_mib", sl_mem_slfib6);
	}

	bad = sl_check6(&s, l, o->check);
	sl_kv_u("ipv6_full_check_addresses", o->check);
	sl_kv_u("ipv6_full_check_mismatches", (uint64_t)(bad < 0 ? 0 : bad));
	if (bad != 0) {
		fprintf(stderr, "bench_lookup: IPv6 differential check FAILED (%d)\n", bad);
		return bad < 0 ? bad : -EPROTO;
	}

	tmp = malloc((size_t)o->lookups * sizeof(*tmp));
	hl = rte_malloc("bench_hl", (size_t)o->lookups * 16, SL_CACHE_LINE);
	ip = rte_malloc("bench_ip6", (size_t)o->lookups * 16, SL_CACHE_LINE);
	if (tmp == NULL || hl == NULL || ip == NULL)
		return -ENOMEM;
	for (int inside = 0; inside <= 1; inside++) {
		const char *mode = inside ? "prefix" : "uniform";
		char k[128];

		sl_gen6(l, tmp, o->lookups, inside);
		for (uint32_t i = 0; i < o->lookups; i++) {
			hl[2 * i] = (uint64_t)(tmp[i] >> 64);
			hl[2 * i + 1] = (uint64_t)tmp[i];
			sl_u128_to_bytes(tmp[i], ip[i]);
		}
		sl_time6_intervals(s.bank, hl, o->lookups / 4);
		uint64_t c_sl6[2] = {UINT64_MAX, UINT64_MAX}, c_slb6[2] = {UINT64_MAX, UINT64_MAX};

		c_iv = c_lpm = c_fib = UINT64_MAX;
		for (int r = 0; r < SL_ROUNDS; r++) {
			c_iv = RTE_MIN(c_iv, sl_time6_intervals(s.bank, hl, o->lookups));
			c_lpm = RTE_MIN(c_lpm, sl_time6_lpm(s.lpm6, ip, o->lookups));
			c_fib = RTE_MIN(c_fib, sl_time6_fib(s.fib6, ip, o->lookups));
			for (int w = 0; w < 2; w++) {
				const struct sl_slfib *x = w ? &s.sl24 : &s.sl16;

				c_sl6[w] =
				    RTE_MIN(c_sl6[w], sl_time6_slfib(x, ip, o->lookups, false));
				c_slb6[w] =
				    RTE_MIN(c_slb6[w], sl_time6_slfib(x, ip, o->lookups, true));
			}
		}
		for (int w = 0; w < 2; w++) {
			const struct sl_slfib *x = w ? &s.sl24 : &s.sl16;
			uint64_t c_sl = c_sl6[w], c_slb = c_slb6[w];

			snprintf(k, sizeof(k), "ipv6_full_%s_sl_fib6_l1_%u", mode, x->l1);
			sl_report(k, c_sl, o->lookups);
			snprintf(k, sizeof(k), "ipv6_full_%s_sl_fib6_l1_%u_bulk", mode, x->l1);
			sl_report(k, c_slb, o->lookups);
			snprintf(k, sizeof(k), "ipv6_full_%s_sl_fib6_l1_%u_vs_rte_fib6", mode,
				 x->l1);
			sl_ratio(k, (double)c_slb, (double)c_fib);
			if (!inside && x->l1 == SL_FIB6_L1_BITS_DEFAULT) {
				sl_kv_f("sl_fib6_cycles_per_lookup", (double)c_slb / o->lookups);
				sl_kv_f("sl_fib6_single_cycles_per_lookup",
					(double)c_sl / o->lookups);
				sl_ratio("sl_fib6_vs_rte_fib6", (double)c_slb, (double)c_fib);
				sl_ratio("sl_fib6_single_vs_rte_fib6", (double)c_sl, (double)c_fib);
			}
			if (inside && x->l1 == SL_FIB6_L1_BITS_DEFAULT)
				sl_ratio("sl_fib6_prefix_vs_rte_fib6", (double)c_slb,
					 (double)c_fib);
		}
		snprintf(k, sizeof(k), "ipv6_full_%s_intervals", mode);
		sl_report(k, c_iv, o->lookups);
		snprintf(k, sizeof(k), "ipv6_full_%s_rte_lpm6", mode);
		sl_report(k, c_lpm, o->lookups);
		snprintf(k, sizeof(k), "ipv6_full_%s_rte_fib6", mode);
		sl_report(k, c_fib, o->lookups);
		snprintf(k, sizeof(k), "ipv6_full_%s_intervals_vs_rte_fib6", mode);
		sl_ratio(k, (double)c_iv, (double)c_fib);
		snprintf(k, sizeof(k), "ipv6_full_%s_intervals_vs_rte_lpm6", mode);
		sl_ratio(k, (double)c_iv, (double)c_lpm);
	}
	rc = sl_slfib_updates("sl_fib6", SL_FIB6_L1_BITS_DEFAULT == 16 ? &s.sl16 : &s.sl24, l,
			      10000);
	if (rc < 0)
		return rc;
	bad = sl_check6(&s, l, o->check / 4 + 1);
	if (bad != 0) {
		fprintf(stderr, "bench_lookup: IPv6 check after updates FAILED (%d)\n", bad);
		return bad < 0 ? bad : -EPROTO;
	}
	*route_mib = sl_mib(fib_bytes);
	sl_slfib_free(&s.sl16);
	sl_slfib_free(&s.sl24);
	free(tmp);
	rte_free(hl);
	rte_free(ip);
	rte_free(s.bank);
	rte_lpm6_free(s.lpm6);
	rte_fib6_free(s.fib6);
	return 0;
}

/* ---- 10,000 VPC tables --------------------------------------------------------- */

/*
 * One VPC's IPv4 routes, shaped like what sluiced compiles (control/compile.c)
 * at the API limits: a VPC CIDR 10.x.0.0/16 (x = VPC index mod 256, so
 * VPCs overlap as they do in a real cloud; the VLAN keeps them apart),
 * 24 VSwitch /24s inside it (CONNECTED) with their gateway /32s (LOCAL),
 * 100.64.0.0/10 (BLACKHOLE) and 30 custom routes: one default route and 29
 * destinations of mixed length (/8 to /32, half inside the VPC CIDR).
 * 79 prefixes. Next hops are local to the table (1..255 by hash).
 */
#define SL_VPC_VSW 24

static bool sl_plist_has(const struct sl_plist *l, sl_u128 addr, uint8_t len)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].addr == addr && l->v[i].len == len)
			return true;
	return false;
}

#define SL_VPC_CUSTOM 30

static void sl_vpc_routes4(uint32_t vpc, struct sl_plist *l)
{
	uint32_t base = (10u << 24) | ((vpc & 0xff) << 16);

	l->n = 0;
	for (uint32_t i = 0; i < SL_VPC_VSW; i++) {
		uint32_t net = base | ((i * 7 + vpc) & 0xff) << 8;

		sl_plist_add(l, net, 24, sl_nh_of(net ^ ((sl_u128)vpc << 64), 24));
		sl_plist_add(l, net | 253, 32, sl_nh_of((net | 253) ^ ((sl_u128)vpc << 64), 32));
	}
	sl_plist_add(l, (100u << 24) | (64u << 16), 10, 1);
	sl_plist_add(l, 0, 0, sl_nh_of((sl_u128)vpc << 64, 0));
	for (uint32_t i = 1; i < SL_VPC_CUSTOM; i++) {
		uint8_t len = (uint8_t)(8 + sl_rand_below(25));
		uint32_t a = (i & 1) ? (base | (sl_rand_below(1u << 16))) : (uint32_t)sl_rand();

		if ((i & 1) && len < 16)
			len = (uint8_t)(16 + len % 17);
		a &= (uint32_t)sl_mask(32, len);
		if (sl_plist_has(l, a, len)) {
			i--; /* a prefix appears once per table, as validation ensures */
			continue;
		}
		sl_plist_add(l, a, len, sl_nh_of(a ^ ((sl_u128)vpc << 64), len));
	}
}

struct sl_vpcset {
	struct sl_bank_header *bank;
	struct sl_plist *routes; /* per VPC, for lookups "inside a prefix" */
	uint32_t n;
};

static int sl_vpc_build(uint32_t nvpc, struct sl_vpcset *vs, uint64_t *iv_bytes, uint64_t *n_iv,
			double *build_s)
{
	struct sl_rt4_entry **e = calloc(nvpc, sizeof(*e));
	uint32_t *ne = calloc(nvpc, sizeof(*ne));
	uint64_t off, total = 0;
	double t0;

	vs->routes = calloc(nvpc, sizeof(*vs->routes));
	vs->n = nvpc;
	if (e == NULL || ne == NULL || vs->routes == NULL)
		return -ENOMEM;
	t0 = sl_now();
	for (uint32_t v = 0; v < nvpc; v++) {
		struct sl_plist *l = &vs->routes[v];
		struct sl_rt_in tmp[128];
		int rc;

		sl_vpc_routes4(v, l);
		memcpy(tmp, l->v, l->n * sizeof(*tmp));
		rc = sl_rt4_build(tmp, l->n, &e[v], &ne[v]);
		if (rc < 0)
			return rc;
		total += ne[v];
	}
	*build_s = sl_now() - t0;
	*n_iv = total;

	/* bank layout: header, VPC array, then each VPC's intervals on its own
	 * cache line, as sl_compile_layout() does */
	off = RTE_ALIGN_CEIL(sizeof(struct sl_bank_header), SL_CACHE_LINE);
	uint64_t vpc_off = off;

	off = RTE_ALIGN_CEIL(off + (uint64_t)nvpc * sizeof(struct sl_vpc), SL_CACHE_LINE);
	uint64_t iv_off = off;

	for (uint32_t v = 0; v < nvpc; v++)
		off = RTE_ALIGN_CEIL(off + (uint64_t)ne[v] * sizeof(struct sl_rt4_entry),
				     SL_CACHE_LINE);
	vs->bank = rte_zmalloc("bench_vpc_bank", off, SL_CACHE_LINE);
	if (vs->bank == NULL)
		return -ENOMEM;
	vs->bank->magic = SL_BANK_MAGIC;
	vs->bank->used = off;
	vs->bank->n_vpcs = nvpc;
	vs->bank->vpc_off = vpc_off;
	off = iv_off;
	for (uint32_t v = 0; v < nvpc; v++) {
		struct sl_vpc *p = SL_BANK_PTR(vs->bank, vpc_off, struct sl_vpc) + v;

		snprintf(p->id, sizeof(p->id), "vpc-%u", v);
		p->index = v;
		p->vlan = (uint16_t)(1 + v % 4094); /* (trunk, VLAN) as sluiced allocates */
		p->trunk = (uint16_t)(v / 4094);
		p->rt.v4_off = off;
		p->rt.v4_n = ne[v];
		memcpy((uint8_t *)vs->bank + off, e[v],
		       (size_t)ne[v] * sizeof(struct sl_rt4_entry));
		off = RTE_ALIGN_CEIL(off + (uint64_t)ne[v] * sizeof(struct sl_rt4_entry),
				     SL_CACHE_LINE);
		free(e[v]);
	}
	*iv_bytes = off - vpc_off;
	free(e);
	free(ne);
	return 0;
}

/* Reference: the longest matching prefix of the VPC's list, lowest seq
 * on ties (what the compiler promises), by brute force. */
static uint32_t sl_vpc_ref4(const struct sl_plist *l, uint32_t a)
{
	int best = -1;
	uint32_t nh = SL_NH_NONE;

	for (size_t i = 0; i < l->n; i++) {
		uint32_t m = (uint32_t)sl_mask(32, l->v[i].len);

		if ((a & m) == (uint32_t)l->v[i].addr && (int)l->v[i].len > best) {
			best = l->v[i].len;
			nh = l->v[i].nh;
		}
	}
	return nh;
}

/* VRF in the key: VPC index in the top 14 bits of an IPv6 key, the IPv4
 * prefix after it; rte_fib6 TRIE then serves every VPC from one structure. */
#define SL_VRF_BITS 14

static void sl_vrf_key(uint32_t vpc, uint32_t a, uint8_t out[16])
{
	sl_u128 k =
	    ((sl_u128)vpc << (128 - SL_VRF_BITS)) | ((sl_u128)a << (128 - SL_VRF_BITS - 32));

	sl_u128_to_bytes(k, out);
}

static int sl_bench_vpcs(const struct sl_bopts *o, double *route_mib)
{
	struct sl_vpcset vs = {0};
	uint64_t iv_bytes = 0, n_iv = 0, c_iv, c_fib = 0, h0, vrf_bytes = 0;
	double build_s, vrf_build_s = 0;
	uint32_t *vpc, *a;
	uint8_t(*key)[16] = NULL;
	struct rte_fib6 *vrf = NULL;
	int rc, bad = 0;

	rc = sl_vpc_build(o->vpcs, &vs, &iv_bytes, &n_iv, &build_s);
	if (rc < 0)
		return rc;
	sl_kv_u("vpc10k_vpcs", o->vpcs);
	sl_kv_u("vpc10k_prefixes_per_vpc", vs.routes[0].n);
	sl_kv_u("vpc10k_intervals", n_iv);
	sl_kv_f("vpc10k_intervals_build_s", build_s);
	sl_kv_f("vpc10k_intervals_memory_mib", sl_mib(iv_bytes));

	/* a per-VPC rte_lpm: tbl24 alone is 2^24 4-byte entries */
	uint64_t lpm_one = (uint64_t)RTE_LPM_TBL24_NUM_ENTRIES * sizeof(struct rte_lpm_tbl_entry);

	sl_kv_f("vpc10k_per_vpc_rte_lpm_tbl24_mib", sl_mib(lpm_one));
	sl_kv_f("vpc10k_per_vpc_rte_lpm_total_gib", sl_mib(lpm_one * o->vpcs) / 1024.0);

	/* VRF-in-the-key rte_fib6 */
	if (o->vpcs <= (1u << SL_VRF_BITS)) {
		uint64_t groups = 0;
		struct sl_plist keys = {0};

		for (uint32_t v = 0; v < o->vpcs; v++)
			for (size_t i = 0; i < vs.routes[v].n; i++) {
				uint8_t b[16];
				sl_u128 k;

				sl_vrf_key(v, (uint32_t)vs.routes[v].v[i].addr, b);
				k = 0;
				for (int j = 0; j < 16; j++)
					k = (k << 8) | b[j];
				sl_plist_add(&keys, k,
					     (uint8_t)(vs.routes[v].v[i].len + SL_VRF_BITS),
					     vs.routes[v].v[i].nh);
			}
		groups = sl_tbl8_groups(&keys, 128);
		sl_kv_u("vpc10k_vrf_rte_fib6_tbl8_groups_needed", groups);

		double t0 = sl_now();
		uint32_t tbl8 = 0;

		h0 = sl_heap_used();
		vrf = sl_rte_fib6_build("bench_vrf6", &keys, (uint32_t)groups, &tbl8);
		if (vrf == NULL) {
			/* optional measurement: report and go on without it */
			sl_kv_s("vpc10k_vrf_rte_fib6", "skipped");
		} else {
			vrf_build_s = sl_now() - t0;
			vrf_bytes = sl_heap_used() - h0;
			sl_kv_u("vpc10k_vrf_rte_fib6_tbl8_groups", tbl8);
			sl_kv_f("vpc10k_vrf_rte_fib6_build_s", vrf_build_s);
			sl_kv_f("vpc10k_vrf_rte_fib6_memory_mib", sl_mib(vrf_bytes));
		}
		free(keys.v);
	}

	/* differential check: intervals vs brute force (vs VRF fib6) */
	uint32_t nchk = o->check;

	for (uint32_t i = 0; i < nchk; i++) {
		uint32_t v = sl_rand_below(o->vpcs);
		const struct sl_plist *l = &vs.routes[v];
		uint32_t x, y, addr = (uint32_t)sl_rand();

		if (i & 1) {
			const struct sl_rt_in *p = &l->v[sl_rand_below((uint32_t)l->n)];
			uint32_t m = (uint32_t)sl_mask(32, p->len);

			addr = ((uint32_t)p->addr & m) | (addr & ~m);
		}
		x = sl_rt4_lookup(vs.bank, sl_bank_rt(vs.bank, v), addr);
		y = sl_vpc_ref4(l, addr);
		if (vrf != NULL) {
			uint8_t k[1][16];
			uint64_t z;

			sl_vrf_key(v, addr, k[0]);
			rte_fib6_lookup_bulk(vrf, k, &z, 1);
			if (z != y && bad++ < 10)
				fprintf(stderr,
					"MISMATCH vpc %u addr %08x: vrf rte_fib6 %" PRIu64
					" reference %u\n",
					v, addr, z, y);
		}
		if (x != y && bad++ < 10)
			fprintf(stderr, "MISMATCH vpc %u addr %08x: intervals %u reference %u\n", v,
				addr, x, y);
	}
	sl_kv_u("vpc10k_check_addresses", nchk);
	sl_kv_u("vpc10k_check_mismatches", (uint64_t)bad);
	if (bad) {
		fprintf(stderr, "bench_lookup: VPC differential check FAILED (%d)\n", bad);
		return -EPROTO;
	}

	/* timing: random VPC per packet, destination inside that VPC's prefixes
	 * (the common case: east-west traffic) */
	vpc = rte_malloc("bench_vpc", (size_t)o->lookups * 4, SL_CACHE_LINE);
	a = rte_malloc("bench_vpc_a", (size_t)o->lookups * 4, SL_CACHE_LINE);
	if (vrf != NULL)
		key = rte_malloc("bench_vpc_k", (size_t)o->lookups * 16, SL_CACHE_LINE);
	if (vpc == NULL || a == NULL || (vrf != NULL && key == NULL))
		return -ENOMEM;
	for (uint32_t i = 0; i < o->lookups; i++) {
		const struct sl_plist *l;
		const struct sl_rt_in *p;
		uint32_t m;

		vpc[i] = sl_rand_below(o->vpcs);
		l = &vs.routes[vpc[i]];
		p = &l->v[sl_rand_below((uint32_t)l->n)];
		m = (uint32_t)sl_mask(32, p->len);
		a[i] = ((uint32_t)p->addr & m) | ((uint32_t)sl_rand() & ~m);
		if (key != NULL)
			sl_vrf_key(vpc[i], a[i], key[i]);
	}
	{
		uint64_t sum = 0, t0;

		for (uint32_t i = 0; i < o->lookups / 4; i++) /* warm-up */
			sum += sl_rt4_lookup(vs.bank, sl_bank_rt(vs.bank, vpc[i]), a[i]);
		t0 = rte_rdtsc_precise();
		for (uint32_t i = 0; i < o->lookups; i++)
			sum += sl_rt4_lookup(vs.bank, sl_bank_rt(vs.bank, vpc[i]), a[i]);
		c_iv = rte_rdtsc_precise() - t0;
		sl_sink += sum;
	}
	sl_report("vpc10k_intervals", c_iv, o->lookups);
	if (vrf != NULL) {
		c_fib = sl_time6_fib(vrf, key, o->lookups);
		sl_report("vpc10k_vrf_rte_fib6", c_fib, o->lookups);
		sl_ratio("vpc10k_intervals_vs_vrf_rte_fib6", (double)c_iv, (double)c_fib);
	}
	*route_mib = sl_mib(iv_bytes);

	rte_free(vpc);
	rte_free(a);
	rte_free(key);
	rte_fib6_free(vrf);
	rte_free(vs.bank);
	for (uint32_t v = 0; v < vs.n; v++)
		free(vs.routes[v].v);
	free(vs.routes);
	return 0;
}

/* ---- main -------------------------------------------------------------------- */

static void sl_usage(void)
{
	fprintf(stderr,
		"usage: bench_lookup [EAL options] -- [--prefixes FILE] [--synthetic N]\n"
		"       [--vpcs N] [--lookups N] [--check N] [--seed N]\n"
		"  --prefixes FILE  prefix file, one CIDR a line, gzip or plain\n"
		"                   (default ../shared/data/bgp-prefixes.txt.gz from the\n"
		"                   repository root; synthetic table when absent)\n"
		"  --synthetic N    synthetic table with N IPv4 prefixes (IPv6 in the real\n"
		"                   table's proportion) and the real prefix-length mix\n"
		"  --vpcs N         VPC tables for the multi-VRF case (default 10000)\n"
		"  --lookups N      timed lookups per measurement (default 4000000)\n"
		"  --check N        addresses per differential check (default 200000)\n"
		"  --seed N         seed of the addresses and the synthetic table (default 1)\n");
}

static int sl_parse(int argc, char **argv, struct sl_bopts *o)
{
	static const struct option lo[] = {
	    {"prefixes", required_argument, NULL, 'p'}, {"synthetic", required_argument, NULL, 's'},
	    {"vpcs", required_argument, NULL, 'v'},	{"lookups", required_argument, NULL, 'l'},
	    {"check", required_argument, NULL, 'c'},	{"seed", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},		{NULL, 0, NULL, 0},
	};
	int c;

	o->vpcs = 10000;
	o->lookups = 4000000;
	o->check = 200000;
	o->seed = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->prefixes = optarg;
			break;
		case 's':
			o->synthetic = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'v':
			o->vpcs = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'l':
			o->lookups = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			o->check = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			o->seed = strtoull(optarg, NULL, 0);
			break;
		default:
			sl_usage();
			return -EINVAL;
		}
	}
	if (optind != argc || o->vpcs == 0 || o->lookups < SL_BURST || o->check == 0) {
		sl_usage();
		return -EINVAL;
	}
	o->lookups -= o->lookups % SL_BURST;
	return 0;
}

static char sl_bench_runtime_dir[PATH_MAX];

/* EAL leaves an empty runtime directory per file prefix: remove it too. */
static void sl_bench_eal_fini(void)
{
	rte_eal_cleanup();
	if (sl_bench_runtime_dir[0])
		rmdir(sl_bench_runtime_dir);
}

int main(int argc, char **argv)
{
	struct sl_bopts o = {0};
	struct sl_pfxlist pl = {0};
	struct sl_plist v4 = {0}, v6 = {0};
	double m4 = 0, m6 = 0, mv = 0;
	int n, rc;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "bench_lookup: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	snprintf(sl_bench_runtime_dir, sizeof(sl_bench_runtime_dir), "%s",
		 rte_eal_get_runtime_dir());
	argc -= n;
	argv += n;
	argv[0] = (char *)"bench_lookup";
	if (sl_parse(argc, argv, &o) < 0) {
		sl_bench_eal_fini();
		return 2;
	}
	sl_rng_state = o.seed;
	setvbuf(stdout, NULL, _IOLBF, 0); /* figures appear as they are measured */

	if (o.synthetic == 0) {
		const char *path = o.prefixes ? o.prefixes : SL_DEFAULT_PREFIXES;
		char err[512];

		rc = sl_pfx_load(path, SL_NH_MAX, &pl, err, sizeof(err));
		if (rc < 0 && (o.prefixes != NULL || rc != -ENOENT)) {
			fprintf(stderr, "bench_lookup: %s\n", err);
			sl_bench_eal_fini();
			return 2;
		}
		if (rc < 0) {
			fprintf(stderr, "bench_lookup: %s absent, using a synthetic table\n", path);
			o.synthetic = SL_PFX_REAL_V4;
		} else {
			sl_kv_s("prefix_source", path);
		}
	}
	if (o.synthetic) {
		sl_pfx_free(&pl);
		if (sl_pfx_synthesize(o.synthetic, SL_NH_MAX, o.seed, &pl) < 0) {
			fprintf(stderr, "bench_lookup: out of memory\n");
			sl_bench_eal_fini();
			return 2;
		}
		sl_kv_s("prefix_source", "synthetic");
	}
	sl_plist_from(&pl, &v4, &v6);
	sl_pfx_free(&pl);
	sl_kv_u("tsc_hz", rte_get_tsc_hz());
	sl_kv_u("hugepages", rte_eal_has_hugepages() ? 1 : 0);
	sl_kv_u("burst", SL_BURST);
	sl_kv_u("lookups_per_measurement", o.lookups);

	fprintf(stderr, "bench_lookup: IPv4 full table (%zu prefixes)\n", v4.n);
	rc = sl_bench_v4(&o, &v4, &m4);
	if (rc == 0) {
		fprintf(stderr, "bench_lookup: IPv6 full table (%zu prefixes)\n", v6.n);
		rc = sl_bench_v6(&o, &v6, &m6);
	}
	if (rc == 0) {
		fprintf(stderr, "bench_lookup: %u VPC tables\n", o.vpcs);
		rc = sl_bench_vpcs(&o, &mv);
	}
	if (rc == 0) {
		/* the proposed design: rte_fib + rte_fib6 for the Internet table,
		 * intervals for the VPC tables */
		sl_kv_f("route_memory_mib_inet_rte_fib", m4);
		sl_kv_f("route_memory_mib_inet_rte_fib6", m6);
		sl_kv_f("route_memory_mib_vpc_intervals_v4", mv);
		sl_kv_f("route_memory_mib_rte", m4 + m6 + mv);
		/* the design: sl_fib4 + sl_fib6 (one instance each, the segment
		 * holds two) + the VPC intervals */
		sl_kv_f("route_memory_mib_inet_sl_fib4", sl_mem_slfib4);
		sl_kv_f("route_memory_mib_inet_sl_fib6", sl_mem_slfib6);
		sl_kv_f("route_memory_mib", sl_mem_slfib4 + sl_mem_slfib6 + mv);
	}
	free(v4.v);
	free(v6.v);
	sl_bench_eal_fini();
	if (rc != 0) {
		fprintf(stderr, "bench_lookup: FAILED: %s\n", strerror(rc < 0 ? -rc : rc));
		return 1;
	}
	fprintf(stderr, "bench_lookup: differential checks passed\n");
	return 0;
}
