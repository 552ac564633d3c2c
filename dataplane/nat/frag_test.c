/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The holding area of early fragments (nat_frag.c) on the synthetic clock,
 * with real mbufs from a pool whose count is checked after every test:
 *   - held, then taken by the first fragment with its translation; after
 *     the note, a later fragment goes at once;
 *   - refusals: overlap or repeat, the per-datagram limit, the cap, a full
 *     bucket (more datagrams than ways);
 *   - timeouts: the scan takes only stale datagrams, a newcomer evicts a
 *     stale way or an old datagram with the same key, a drain takes all;
 *   - three threads (more than the machine's cores) handle the fragments
 *     of one datagram at a time, released together by a barrier, in
 *     scattered orders, first fragments included (the race the fences
 *     close: a fragment held while its first fragment is noted): every
 *     later fragment comes out exactly once, translated with its own
 *     datagram's address, none left for the timeout, and the pool is whole
 *     at the end.
 */
#include <pthread.h>

#include <rte_mbuf.h>

#include "sl_nat_test.h"

#define POOL_N 4095
#define LIFE SL_T_SEC(2) /* SL_NAT_FRAG_LIFE_MS on the synthetic clock */

static struct rte_mempool *pool;

static struct sl_nat_frag_key key(uint16_t id)
{
	return (struct sl_nat_frag_key){.src = sl_t_ip(10, 0, 0, 1),
					.dst = sl_t_ip(192, 0, 2, 1),
					.id = id,
					.gw = 1,
					.proto = IPPROTO_UDP,
					.dir = SL_NAT_DIR_ORIG};
}

static struct rte_mbuf *mbuf(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	return m;
}

static void free_all(struct rte_mbuf **m, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

/* Everything held is drained back; the pool is whole. */
static void drain_and_check(struct sl_nat_frags *f)
{
	struct rte_mbuf *out[SL_NAT_FRAG_HOLD_WAYS * SL_NAT_FRAG_HOLD_PER_DGRAM];
	unsigned int n;

	for (unsigned int b = 0; b < SL_NAT_FRAG_HOLD_BUCKETS; b++) {
		n = sl_nat_frag_expire(f, UINT64_MAX, 1, out, RTE_DIM(out));
		free_all(out, n);
	}
	assert_int_equal(sl_nat_frag_held(f), 0);
	sl_nat_frags_free(f);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_N);
}

static struct sl_nat_frags *frags(void)
{
	struct sl_nat_frags *f = sl_nat_frags_create(SL_NAT_FRAG_SLOTS, SL_T_HZ);

	assert_non_null(f);
	return f;
}

static void test_held_then_first(void **state)
{
	struct sl_nat_frags *f = frags();
	struct sl_nat_frag_key k = key(1);
	struct rte_mbuf *a = mbuf(), *b = mbuf(), *c = mbuf();
	struct sl_nat_frag_out o;

	(void)state;
	assert_int_equal(sl_nat_frag_later(f, &k, a, 10, 14, 1000, &o), SL_NAT_FRAG_HELD);
	assert_int_equal(o.n_go + o.n_dead, 0);
	assert_int_equal(sl_nat_frag_later(f, &k, b, 5, 10, 1001, &o), SL_NAT_FRAG_HELD);
	assert_int_equal(sl_nat_frag_held(f), 2);
	/* another datagram's first fragment takes nothing */
	k.id = 2;
	sl_nat_frag_first(f, &k, sl_t_ip(198, 51, 100, 9), 1, 1002, &o);
	assert_int_equal(o.n_go, 0);
	k.id = 1;
	sl_nat_frag_first(f, &k, sl_t_ip(198, 51, 100, 2), 1, 1002, &o);
	assert_int_equal(o.n_go, 2);
	assert_int_equal(o.n_dead, 0);
	assert_ptr_equal(o.go[0], a);
	assert_ptr_equal(o.go[1], b);
	assert_int_equal(o.to, sl_t_ip(198, 51, 100, 2));
	assert_int_equal(sl_nat_frag_held(f), 0);
	free_all(o.go, o.n_go);
	/* after the note: at once */
	assert_int_equal(sl_nat_frag_later(f, &k, c, 14, 20, 1003, &o), SL_NAT_FRAG_GO);
	assert_int_equal(o.n_go, 1);
	assert_ptr_equal(o.go[0], c);
	assert_int_equal(o.to, sl_t_ip(198, 51, 100, 2));
	free_all(o.go, o.n_go);
	drain_and_check(f);
}

static void test_refusals(void **state)
{
	struct sl_nat_frags *f = frags();
	struct sl_nat_frag_key k = key(7);
	struct rte_mbuf *m;
	struct sl_nat_frag_out o;
	unsigned int held = 0, full = 0;

	(void)state;
	/* overlap and repeat */
	assert_int_equal(sl_nat_frag_later(f, &k, mbuf(), 10, 20, 0, &o), SL_NAT_FRAG_HELD);
	m = mbuf();
	assert_int_equal(sl_nat_frag_later(f, &k, m, 10, 20, 0, &o), SL_NAT_FRAG_OVERLAP);
	assert_int_equal(sl_nat_frag_later(f, &k, m, 19, 21, 0, &o), SL_NAT_FRAG_OVERLAP);
	assert_int_equal(sl_nat_frag_later(f, &k, m, 5, 11, 0, &o), SL_NAT_FRAG_OVERLAP);
	assert_int_equal(sl_nat_frag_later(f, &k, m, 20, 21, 0, &o),
			 SL_NAT_FRAG_HELD); /* adjacent */
	/* per datagram */
	for (uint16_t i = 2; i < SL_NAT_FRAG_HOLD_PER_DGRAM; i++)
		assert_int_equal(sl_nat_frag_later(f, &k, mbuf(), 100 + i, 101 + i, 0, &o),
				 SL_NAT_FRAG_HELD);
	m = mbuf();
	assert_int_equal(sl_nat_frag_later(f, &k, m, 300, 301, 0, &o), SL_NAT_FRAG_TOO_MANY);
	assert_int_equal(sl_nat_frag_held(f), SL_NAT_FRAG_HOLD_PER_DGRAM);
	/* buckets: more datagrams than buckets x ways cannot all be held */
	for (uint16_t id = 1000; id < 1000 + 300; id++) {
		enum sl_nat_frag_verdict v = sl_nat_frag_later(
		    f, &(struct sl_nat_frag_key){.src = 1, .dst = 2, .id = id, .proto = 17}, m, 1,
		    2, 0, &o);

		assert_true(v == SL_NAT_FRAG_HELD || v == SL_NAT_FRAG_FULL);
		if (v == SL_NAT_FRAG_HELD) {
			held++;
			m = mbuf();
		} else {
			full++;
		}
	}
	assert_true(held <= SL_NAT_FRAG_HOLD_BUCKETS * SL_NAT_FRAG_HOLD_WAYS - 1);
	assert_true(full >= 300 - SL_NAT_FRAG_HOLD_BUCKETS * SL_NAT_FRAG_HOLD_WAYS + 1);
	assert_int_equal(sl_nat_frag_held(f), SL_NAT_FRAG_HOLD_PER_DGRAM + held);
	rte_pktmbuf_free(m);
	drain_and_check(f);

	/* the cap */
	f = frags();
	sl_nat_frag_hold_max(f, 3);
	for (uint16_t id = 0; id < 3; id++)
		assert_int_equal(
		    sl_nat_frag_later(f, &(struct sl_nat_frag_key){.id = id}, mbuf(), 1, 2, 0, &o),
		    SL_NAT_FRAG_HELD);
	m = mbuf();
	assert_int_equal(sl_nat_frag_later(f, &(struct sl_nat_frag_key){.id = 9}, m, 1, 2, 0, &o),
			 SL_NAT_FRAG_FULL);
	rte_pktmbuf_free(m);
	assert_int_equal(sl_nat_frag_held(f), 3);
	drain_and_check(f);
}

static void test_timeouts(void **state)
{
	struct sl_nat_frags *f = frags();
	struct rte_mbuf *out[SL_NAT_FRAG_HOLD_WAYS * SL_NAT_FRAG_HOLD_PER_DGRAM];
	struct sl_nat_frag_key k = key(3);
	struct sl_nat_frag_out o;
	struct rte_mbuf *old = mbuf(), *young = mbuf();
	unsigned int n = 0, full = 0;

	(void)state;
	assert_int_equal(sl_nat_frag_later(f, &k, old, 1, 2, SL_T_SEC(10), &o), SL_NAT_FRAG_HELD);
	k.id = 4;
	assert_int_equal(sl_nat_frag_later(f, &k, young, 1, 2, SL_T_SEC(11), &o), SL_NAT_FRAG_HELD);
	/* within the life: nothing goes, whatever the budget */
	for (unsigned int b = 0; b < 2 * SL_NAT_FRAG_HOLD_BUCKETS; b++)
		n += sl_nat_frag_expire(f, SL_T_SEC(10) + LIFE, 1, out, RTE_DIM(out));
	assert_int_equal(n, 0);
	/* the old one only */
	for (unsigned int b = 0; b < SL_NAT_FRAG_HOLD_BUCKETS; b++)
		n += sl_nat_frag_expire(f, SL_T_SEC(10) + LIFE + 1, 1, out + n, RTE_DIM(out) - n);
	assert_int_equal(n, 1);
	assert_ptr_equal(out[0], old);
	rte_pktmbuf_free(old);
	/* a first fragment that comes too late finds the fragment stale */
	sl_nat_frag_first(f, &k, 5, 1, SL_T_SEC(11) + LIFE + 1, &o);
	assert_int_equal(o.n_go, 0);
	assert_int_equal(o.n_dead, 1);
	assert_ptr_equal(o.dead[0], young);
	rte_pktmbuf_free(young);

	/* an old datagram with the same key (the IP id came round) is evicted */
	k.id = 5;
	old = mbuf();
	young = mbuf();
	assert_int_equal(sl_nat_frag_later(f, &k, old, 1, 2, SL_T_SEC(20), &o), SL_NAT_FRAG_HELD);
	assert_int_equal(sl_nat_frag_later(f, &k, young, 1, 2, SL_T_SEC(23), &o), SL_NAT_FRAG_HELD);
	assert_int_equal(o.n_dead, 1);
	assert_ptr_equal(o.dead[0], old);
	rte_pktmbuf_free(old);
	assert_int_equal(sl_nat_frag_held(f), 1);
	sl_nat_frags_free(f); /* frees what it holds */
	assert_int_equal(rte_mempool_avail_count(pool), POOL_N);

	/* stale ways make room for newcomers: fill every way, then later */
	f = frags();
	for (uint16_t id = 0; id < 400; id++) {
		struct rte_mbuf *m = mbuf();

		if (sl_nat_frag_later(f, &(struct sl_nat_frag_key){.id = id}, m, 1, 2, 0, &o) !=
		    SL_NAT_FRAG_HELD) {
			rte_pktmbuf_free(m);
			full++;
		}
	}
	assert_true(full > 0);
	n = 0;
	for (uint16_t id = 400; id < 800; id++) {
		struct rte_mbuf *m = mbuf();

		/* 400 datagrams over the 256 ways: the first at most 256 are held */
		if (sl_nat_frag_later(f, &(struct sl_nat_frag_key){.id = id}, m, 1, 2, SL_T_SEC(5),
				      &o) != SL_NAT_FRAG_HELD)
			rte_pktmbuf_free(m);
		n += o.n_dead;
		free_all(o.dead, o.n_dead);
	}
	assert_true(n > 0); /* stale ones evicted (the rest drained below) */
	drain_and_check(f);
}

/* ---- three threads --------------------------------------------------------- */

#define MT_THR 3
#define MT_DGRAMS 20000
#define MT_LATER 3 /* later fragments per datagram, and one first */
#define MT_WAVE 1  /* datagrams between barriers: their fragments race */

static struct sl_nat_frags *mtf;
static pthread_barrier_t bar;
static _Atomic uint8_t seen[MT_DGRAMS][MT_LATER];
static _Atomic uint32_t wrong_to, refused;

/* A mbuf tagged with (datagram, fragment). */
static struct rte_mbuf *tagged(uint32_t d, uint32_t j)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint32_t *p;

	if (m == NULL)
		return NULL;
	p = (uint32_t *)rte_pktmbuf_append(m, 8);
	p[0] = d;
	p[1] = j;
	return m;
}

static uint32_t to_of(uint32_t d)
{
	return 0x0a000000u + d;
}

static void delivered(const struct sl_nat_frag_out *o)
{
	for (unsigned int i = 0; i < o->n_go; i++) {
		const uint32_t *p = rte_pktmbuf_mtod(o->go[i], const uint32_t *);

		if (o->to != to_of(p[0]))
			atomic_fetch_add(&wrong_to, 1);
		atomic_fetch_add(&seen[p[0]][p[1]], 1);
		rte_pktmbuf_free(o->go[i]);
	}
	for (unsigned int i = 0; i < o->n_dead; i++) /* no time passes: never */
		rte_pktmbuf_free(o->dead[i]);
}

static void *mt_worker(void *arg)
{
	unsigned int me = (unsigned int)(uintptr_t)arg;
	struct sl_nat_frag_out o;

	for (uint32_t w0 = 0; w0 < MT_DGRAMS; w0 += MT_WAVE) {
		pthread_barrier_wait(&bar);
		/* each datagram's 4 fragments scattered over the threads, the
		 * first at a varying position: the thread that has it handles it
		 * in its turn, the others theirs */
		for (uint32_t pos = 0; pos <= MT_LATER; pos++)
			for (uint32_t d = w0; d < w0 + MT_WAVE && d < MT_DGRAMS; d++) {
				uint32_t j = (pos + d) % (MT_LATER + 1); /* 3: the first */
				struct sl_nat_frag_key k = key((uint16_t)d);
				struct rte_mbuf *m;

				if ((d * 7 + j) % MT_THR != me)
					continue;
				k.src += d >> 16;
				if (j == MT_LATER) {
					sl_nat_frag_first(mtf, &k, to_of(d), 1, 0, &o);
					delivered(&o);
					continue;
				}
				m = tagged(d, j);
				if (m == NULL) {
					atomic_fetch_add(&refused, 1);
					atomic_fetch_add(&seen[d][j], 1);
					continue;
				}
				enum sl_nat_frag_verdict v = sl_nat_frag_later(
				    mtf, &k, m, (uint16_t)(10 * j), (uint16_t)(10 * j + 10), 0, &o);
				if (v != SL_NAT_FRAG_GO && v != SL_NAT_FRAG_HELD) {
					atomic_fetch_add(&refused, 1);
					atomic_fetch_add(&seen[d][j], 1);
					rte_pktmbuf_free(m);
				}
				delivered(&o);
			}
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct rte_mbuf *out[SL_NAT_FRAG_HOLD_WAYS * SL_NAT_FRAG_HOLD_PER_DGRAM];
	pthread_t th[MT_THR];
	uint32_t stranded = 0, twice = 0;

	(void)state;
	mtf = frags();
	pthread_barrier_init(&bar, NULL, MT_THR);
	for (uintptr_t i = 0; i < MT_THR; i++)
		assert_int_equal(pthread_create(&th[i], NULL, mt_worker, (void *)i), 0);
	for (unsigned int i = 0; i < MT_THR; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&bar);
	/* what no first fragment took: a note lost to a colliding datagram */
	for (unsigned int b = 0; b < SL_NAT_FRAG_HOLD_BUCKETS; b++) {
		unsigned int n = sl_nat_frag_expire(mtf, UINT64_MAX, 1, out, RTE_DIM(out));

		for (unsigned int i = 0; i < n; i++) {
			const uint32_t *p = rte_pktmbuf_mtod(out[i], const uint32_t *);

			atomic_fetch_add(&seen[p[0]][p[1]], 1);
			stranded++;
		}
		free_all(out, n);
	}
	for (uint32_t d = 0; d < MT_DGRAMS; d++)
		for (uint32_t j = 0; j < MT_LATER; j++)
			if (atomic_load(&seen[d][j]) != 1)
				twice++;
	print_message("%u later fragments: %u refused, %u left for the timeout\n",
		      MT_DGRAMS * MT_LATER, atomic_load(&refused), stranded);
	assert_int_equal(twice, 0); /* exactly once each */
	assert_int_equal(atomic_load(&wrong_to), 0);
	/* one datagram in flight at a time: no bucket is full, no note lost,
	 * so every fragment is translated, whichever thread was first */
	assert_int_equal(atomic_load(&refused), 0);
	assert_int_equal(stranded, 0);
	drain_and_check(mtf);
}

/* Issue 5's stranded fragments: datagram A's first fragment is noted, then
 * another datagram B's first fragment is noted before A's later fragments
 * come. With direct-mapped notes, a B whose note lands on A's slot erased
 * A's note (about one id in 4,096) and A's later fragments waited in the
 * holding area for the timeout. The notes are 2-way sets now, replaced
 * oldest first: one datagram in between never costs A its note, whichever
 * B it is; a third datagram of the same set within the note's life still
 * does (docs/nat.md). */
static void test_colliding_note(void **state)
{
	struct sl_nat_frags *f = frags();
	struct sl_nat_frag_key a = key(7);
	uint32_t lost = 0, to;
	uint16_t to_gw;
	uint64_t now = 1000;

	(void)state;
	for (uint32_t id = 0; id < 65536; id++) {
		struct sl_nat_frag_key b = key((uint16_t)id);

		if (id == a.id)
			continue;
		b.src = sl_t_ip(10, 0, 0, 2);
		sl_nat_frag_note(f, &a, sl_t_ip(198, 51, 100, 1), 1, now++);
		sl_nat_frag_note(f, &b, sl_t_ip(198, 51, 100, 2), 1, now++);
		if (!sl_nat_frag_find(f, &a, now, &to, &to_gw) || to != sl_t_ip(198, 51, 100, 1))
			lost++;
		/* B's own note is there too */
		assert_true(sl_nat_frag_find(f, &b, now, &to, &to_gw));
		assert_int_equal(to, sl_t_ip(198, 51, 100, 2));
	}
	assert_int_equal(lost, 0);
	/* and through the holding area: A's later fragment goes at once */
	{
		struct sl_nat_frag_out o;
		struct rte_mbuf *m = mbuf();

		assert_int_equal(sl_nat_frag_later(f, &a, m, 8, 16, now, &o), SL_NAT_FRAG_GO);
		assert_int_equal(o.n_go, 1);
		assert_int_equal(o.to, sl_t_ip(198, 51, 100, 1));
		free_all(o.go, o.n_go);
	}
	drain_and_check(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_held_then_first),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_timeouts),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_colliding_note),
	};

	sl_t_eal_init("nat_frag_test");
	pool = rte_pktmbuf_pool_create("frag_test", POOL_N, 0, 0, 256, SOCKET_ID_ANY);
	if (pool == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
