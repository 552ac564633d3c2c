/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiler, Internet FIB part: sizing the FIBs of a bank from the RIBs, and
 * building the first ones ahead of the first bank write (start-up).
 *
 * Design note
 * -----------
 * At start-up the Internet RIB (a million prefixes) is complete well before
 * the first publish: the prefix thread fills it while the config is
 * validated, then the main thread compiles 10,000 VPC tables. Building the
 * FIBs (DIR-24-8 and the IPv6 trie, ~0.4 s) in the bank had to wait for
 * that compile, because where they go in the bank depends on the layout,
 * which depends on the VPC count. So sl_fib_pre_start() builds both FIBs
 * on a thread of its own, right after the RIB is filled, in private memory
 * sized from the RIB (sl_fib_count_groups(): the same headroom as a bank's
 * full write), and the first full bank write moves them in
 * (sl_fib*_writer_move(): a copy of the first level and the groups in use)
 * instead of building them there.
 *
 * Changes to the RIB after the start (the config's own Internet routes:
 * the default route and the outside subnets, applied by sl_compile(); a
 * route-source change; the undo of a refused start) are noted by the
 * compiler (sl_fib_pre_note()) and replayed on the private FIBs with
 * sl_fib*_sync() before the move: the same left-right replay the banks use,
 * idempotent given the final RIB. More than SL_FIB_PRE_NOTES notes, a
 * failed build or a bank without room: the prebuilt FIBs are dropped and
 * the bank builds its own as before, so the prebuild only ever saves time.
 *
 * Concurrency: between sl_fib_pre_start() and sl_fib_pre_wait() the thread
 * reads the two RIBs and writes only this object's private memory; nobody
 * may change the RIBs meanwhile. The compiler calls sl_fib_pre_wait()
 * before each of its own RIB changes and bank writes (compile.c,
 * sl_fib_pre_join()), so its single-thread rule holds for everything else:
 * the VPC compile runs while the FIBs are built.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sl_compile.h"
#include "sl_ctl_log.h"
#include "sl_fib_writer.h"
#include "sl_judy.h"

/* ---- sizing ---------------------------------------------------------------- */

/* tbl8 groups a FIB of the RIB needs: one per first-level slot a longer
 * prefix falls in, then one per 8-bit stride node below (IPv6). */
struct sl_gcount {
	Pvoid_t set;
	uint32_t n;
	int rc;
};

static int sl_gcount4(uint32_t addr, uint8_t len, uint32_t nh, void *arg)
{
	struct sl_gcount *g = arg;
	int rc;

	(void)nh;
	if (len <= 24)
		return 0;
	rc = sl_j1_set(&g->set, addr >> 8);
	if (rc < 0)
		return g->rc = rc;
	g->n += (uint32_t)rc;
	return 0;
}

static int sl_gcount6(const uint8_t addr[16], uint8_t len, uint32_t nh, void *arg)
{
	struct sl_gcount *g = arg;

	(void)nh;
	for (unsigned int b = SL_FIB6_L1_BITS_DEFAULT; b < len; b += 8) {
		uint8_t key[17] = {(uint8_t)b};
		int rc;

		memcpy(key + 1, addr, b / 8);
		rc = sl_jhs_insert(&g->set, key, 1 + b / 8, (void *)1);
		if (rc == -EEXIST)
			continue;
		if (rc < 0)
			return g->rc = rc;
		g->n++;
	}
	return 0;
}

int sl_fib_count_groups(const struct sl_rib4 *rib4, const struct sl_rib6 *rib6, uint32_t *g4,
			uint32_t *g6)
{
	struct sl_gcount c4 = {0}, c6 = {0};
	int rc = sl_rib4_walk(rib4, sl_gcount4, &c4);

	sl_j1_free(&c4.set);
	if (rc == 0)
		rc = c4.rc;
	if (rc == 0)
		rc = sl_rib6_walk(rib6, sl_gcount6, &c6);
	sl_jhs_free(&c6.set);
	if (rc == 0)
		rc = c6.rc;
	if (rc < 0)
		return rc;
	/* a quarter of headroom for incremental growth, and a floor */
	*g4 = c4.n + c4.n / 4 + 256;
	*g6 = c6.n + c6.n / 4 + 256;
	return 0;
}

/* ---- the prebuild ------------------------------------------------------------ */

/* Notes beyond this: the replay would cost more than it saves (a default
 * route change repaints up to half a million gaps). */
#define SL_FIB_PRE_NOTES 65536u

struct sl_fib_pre_key {
	uint8_t family;
	uint8_t len;
	uint8_t addr[16]; /**< network order, host bits clear */
};

struct sl_fib_pre {
	const struct sl_rib4 *rib4;
	const struct sl_rib6 *rib6;
	pthread_t th;
	bool joined;
	int rc; /**< of the build: 0, -ENOMEM, -ENOSPC */
	uint8_t *mem;
	struct sl_fib4 h4; /**< the private instances' headers */
	struct sl_fib6 h6;
	struct sl_fib4_writer *w4;
	struct sl_fib6_writer *w6;
	uint32_t g4, g6;
	double start, build_s, build_cpu, waited_s;
	struct sl_fib_pre_key *notes;
	uint32_t n_notes, cap_notes;
};

static double sl_fib_pre_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double sl_fib_pre_now(void)
{
	return sl_fib_pre_clock(CLOCK_MONOTONIC);
}

static void *sl_fib_pre_run(void *arg)
{
	struct sl_fib_pre *p = arg;
	uint64_t b4, b6;

	p->rc = sl_fib_count_groups(p->rib4, p->rib6, &p->g4, &p->g6);
	if (p->rc < 0)
		goto out;
	b4 = (sl_fib4_bytes(p->g4) + 63) & ~(uint64_t)63;
	b6 = sl_fib6_bytes(SL_FIB6_L1_BITS_DEFAULT, p->g6);
	p->mem = aligned_alloc(64, b4 + ((b6 + 63) & ~(uint64_t)63));
	if (p->mem == NULL) {
		p->rc = -ENOMEM;
		goto out;
	}
	p->w4 = sl_fib4_writer_new(p->mem, &p->h4, 0, p->g4);
	p->w6 = sl_fib6_writer_new(p->mem, &p->h6, b4, p->g6, SL_FIB6_L1_BITS_DEFAULT);
	if (p->w4 == NULL || p->w6 == NULL) {
		p->rc = -ENOMEM;
		goto out;
	}
	p->rc = sl_fib4_build(p->w4, p->rib4);
	if (p->rc == 0)
		p->rc = sl_fib6_build(p->w6, p->rib6);
out:
	p->build_s = sl_fib_pre_now() - p->start;
	p->build_cpu = sl_fib_pre_clock(CLOCK_THREAD_CPUTIME_ID);
	return NULL;
}

struct sl_fib_pre *sl_fib_pre_start(const struct sl_rib4 *rib4, const struct sl_rib6 *rib6)
{
	struct sl_fib_pre *p = calloc(1, sizeof(*p));
	int rc;

	if (p == NULL)
		return NULL;
	p->rib4 = rib4;
	p->rib6 = rib6;
	p->start = sl_fib_pre_now();
	rc = pthread_create(&p->th, NULL, sl_fib_pre_run, p);
	if (rc != 0) {
		free(p);
		errno = rc;
		return NULL;
	}
	return p;
}

int sl_fib_pre_wait(struct sl_fib_pre *p)
{
	if (!p->joined) {
		double t = sl_fib_pre_now();

		pthread_join(p->th, NULL);
		p->joined = true;
		p->waited_s = sl_fib_pre_now() - t;
	}
	return p->rc;
}

int sl_fib_pre_note(struct sl_fib_pre *p, uint8_t family, const uint8_t addr[16], uint8_t len)
{
	struct sl_fib_pre_key *k;

	if (p->n_notes == SL_FIB_PRE_NOTES)
		return -E2BIG;
	if (p->n_notes == p->cap_notes) {
		uint32_t cap = p->cap_notes ? p->cap_notes * 2 : 64;
		void *v = realloc(p->notes, cap * sizeof(*p->notes));

		if (v == NULL)
			return -ENOMEM;
		p->notes = v;
		p->cap_notes = cap;
	}
	k = &p->notes[p->n_notes++];
	k->family = family;
	k->len = len;
	memcpy(k->addr, addr, sizeof(k->addr));
	return 0;
}

int sl_fib_pre_groups(struct sl_fib_pre *p, uint32_t *g4, uint32_t *g6)
{
	int rc = sl_fib_pre_wait(p);

	if (rc < 0)
		return rc;
	*g4 = p->g4;
	*g6 = p->g6;
	return 0;
}

int sl_fib_pre_take(struct sl_fib_pre *p, void *bank, struct sl_fib4 *h4, uint64_t off4,
		    struct sl_fib6 *h6, uint64_t off6, struct sl_fib4_writer **w4,
		    struct sl_fib6_writer **w6)
{
	int rc = sl_fib_pre_wait(p);

	/* what changed in the RIB since the build */
	for (uint32_t i = 0; i < p->n_notes && rc == 0; i++) {
		const struct sl_fib_pre_key *k = &p->notes[i];

		if (k->family == SL_AF_INET)
			rc = sl_fib4_sync(p->w4, p->rib4,
					  (uint32_t)k->addr[0] << 24 | (uint32_t)k->addr[1] << 16 |
					      (uint32_t)k->addr[2] << 8 | k->addr[3],
					  k->len);
		else
			rc = sl_fib6_sync(p->w6, p->rib6, k->addr, k->len);
	}
	if (rc == 0)
		rc = sl_fib4_writer_move(p->w4, bank, h4, off4);
	if (rc == 0)
		rc = sl_fib6_writer_move(p->w6, bank, h6, off6);
	if (rc < 0)
		return rc;
	SL_INFO("start-up: Internet FIBs built alongside the VPC compile in %.2f s (%.2f s of "
		"CPU; waited %.2f s for them; %u change(s) replayed, %u + %u tbl8 groups)",
		p->build_s, p->build_cpu, p->waited_s, p->n_notes, p->g4, p->g6);
	*w4 = p->w4;
	*w6 = p->w6;
	p->w4 = NULL;
	p->w6 = NULL;
	return 0;
}

void sl_fib_pre_free(struct sl_fib_pre *p)
{
	if (p == NULL)
		return;
	sl_fib_pre_wait(p);
	sl_fib4_writer_free(p->w4);
	sl_fib6_writer_free(p->w6);
	free(p->mem);
	free(p->notes);
	free(p);
}
