/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NAT session table from three real threads (pthreads registered as
 * QSBR readers 0-2, more than the machine's two cores), as workers that
 * receive the same flows on different queues:
 *   1. all create and look up the same 24,000 flows at once, in the same
 *      order (so they race to create the same sessions: each flow is
 *      created once and found twice by the creation path), each also
 *      looking up the reply keys of the sessions the others made;
 *      afterwards every flow has exactly one session, every inside
 *      endpoint one public endpoint, no public endpoint two inside ones,
 *      no session lost, counts exact;
 *   2. all expire concurrently while creating new flows on a later
 *      clock; every old session expires exactly once, the new ones stay,
 *      and after grace periods every slot and port is back.
 */
#include <pthread.h>

#include "sl_nat_test.h"

#define N_SRC 600
#define N_PORT 4
#define N_DST 10
#define N_FLOW (N_SRC * N_PORT * N_DST)
#define N_PUB 4
#define N_THR 3	   /* more workers than the machine's 2 cores */
#define CTRL N_THR /* the control side's counter slot */

static struct sl_nat_table *t;
static const struct sl_nat_pool pool = {.n = N_PUB, .ip = {0, 1, 2, 3}};
static pthread_barrier_t bar;

struct worker_arg {
	unsigned int wid;
	uint64_t now;
	int phase;
	uint32_t fails;	   /* creations that did not return a session */
	uint32_t mismatch; /* sessions whose keys were not the flow's */
	uint32_t expired;
};

static void flow_key(uint32_t f, struct sl_nat_key *k, uint32_t base_port)
{
	uint32_t src = f / (N_PORT * N_DST), port = (f / N_DST) % N_PORT, dst = f % N_DST;

	sl_nat_key_in(k, 0, IPPROTO_UDP, sl_t_ip(10, 9, 0, 0) + src, (uint16_t)(base_port + port),
		      sl_t_ip(198, 51, 100, 1) + dst, 53);
}

static void *worker(void *p)
{
	struct worker_arg *a = p;
	struct sl_nat_key k;

	sl_nat_reader_online(t, a->wid);
	pthread_barrier_wait(&bar);
	for (uint32_t i = 0; i < N_FLOW; i++) {
		/* the same order on all: they race for the same flows */
		uint32_t f = (i * 7919u) % N_FLOW;
		struct sl_nat_session *s;
		unsigned int dir;

		flow_key(f, &k, a->phase == 1 ? 1000 : 2000);
		/* phase 1 creates without looking up first: the thread that
		 * comes second must get the session the first one made */
		s = a->phase == 1 ? NULL : sl_nat_lookup(t, a->wid, &k, &dir);
		if (!s && sl_nat_create_out(t, a->wid, &k, &pool, 0, a->now, &s) != SL_NAT_OK)
			a->fails++;
		if (s && memcmp(&s->k[0], &k, sizeof(k)) != 0)
			a->mismatch++;
		/* the reply side must lead to the same session */
		if (s && sl_nat_lookup(t, a->wid, &s->k[1], &dir) != s)
			a->mismatch++;
		if (a->phase == 2)
			a->expired += sl_nat_expire(t, a->wid, a->now, 32);
		if ((i & 63) == 0)
			sl_nat_quiescent(t, a->wid);
	}
	if (a->phase == 2) /* finish the pass over the table */
		for (uint32_t i = 0; i < t->conf.max_sessions / 32 + 2; i++) {
			a->expired += sl_nat_expire(t, a->wid, a->now, 32);
			sl_nat_quiescent(t, a->wid);
		}
	pthread_barrier_wait(&bar);
	sl_nat_reader_offline(t, a->wid);
	return NULL;
}

static void run_phase(int phase, uint64_t now, struct worker_arg *a)
{
	pthread_t th[N_THR];

	assert_int_equal(pthread_barrier_init(&bar, NULL, N_THR), 0);
	for (unsigned int w = 0; w < N_THR; w++) {
		a[w] = (struct worker_arg){.wid = w, .now = now, .phase = phase};
		assert_int_equal(pthread_create(&th[w], NULL, worker, &a[w]), 0);
	}
	for (unsigned int w = 0; w < N_THR; w++)
		assert_int_equal(pthread_join(th[w], NULL), 0);
	pthread_barrier_destroy(&bar);
	for (unsigned int w = 0; w < N_THR; w++) {
		assert_int_equal(a[w].fails, 0);
		assert_int_equal(a[w].mismatch, 0);
	}
}

/* Check every flow of `base_port` has one session and the mappings are
 * one-to-one. */
static void check_flows(uint32_t base_port)
{
	static uint32_t pub_of[N_SRC * N_PORT];
	static uint16_t pport_of[N_SRC * N_PORT];
	static uint8_t seen[N_PUB][65536];
	struct sl_nat_key k;
	unsigned int dir;

	memset(seen, 0, sizeof(seen));
	for (uint32_t f = 0; f < N_FLOW; f++) {
		struct sl_nat_session *s;
		uint32_t ep = f / N_DST;

		flow_key(f, &k, base_port);
		s = sl_nat_lookup(t, CTRL, &k, &dir);
		assert_non_null(s);
		assert_int_equal(dir, SL_NAT_DIR_ORIG);
		if (f % N_DST == 0) {
			/* first flow of an inside endpoint: its mapping */
			pub_of[ep] = s->k[1].dst;
			pport_of[ep] = s->k[1].dport;
			assert_true(pub_of[ep] - sl_t_ip(203, 0, 113, 0) < N_PUB);
			/* no public endpoint serves two inside ones */
			assert_int_equal(seen[pub_of[ep] - sl_t_ip(203, 0, 113, 0)][pport_of[ep]]++,
					 0);
		}
		/* EIM: the same public endpoint for every remote */
		assert_int_equal(s->k[1].dst, pub_of[ep]);
		assert_int_equal(s->k[1].dport, pport_of[ep]);
		/* paired: one public IP per source */
		assert_int_equal(s->k[1].dst, pub_of[ep - ep % N_PORT]);
	}
}

static void test_concurrent_create_expire(void **state)
{
	struct sl_nat_conf c = sl_t_conf(2 * N_FLOW + 1024);

	c.n_workers = N_THR;
	struct worker_arg a[N_THR];
	struct sl_nat_usage u;
	uint64_t v[SL_NAT_C_MAX];

	t = sl_nat_create("t_nat_mt", &c);
	assert_non_null(t);
	for (uint16_t i = 0; i < N_PUB; i++)
		assert_int_equal(sl_nat_pubip_set(t, i, sl_t_ip(203, 0, 113, 0) + i, 0), 0);
	/* the limits must not interfere: 1M sessions, 1M per second */
	assert_int_equal(sl_nat_gw_set(t, 0, 1u << 20, 1u << 20, 0), 0);

	run_phase(1, 0, a);
	check_flows(1000);
	sl_nat_stats_read(t, v);
	assert_int_equal(v[SL_NAT_C_CREATED], N_FLOW);
	assert_int_equal(v[SL_NAT_C_CREATE_RACE], (N_THR - 1) * N_FLOW);
	assert_int_equal(v[SL_NAT_C_MAPPING_NEW], N_SRC * N_PORT);
	assert_int_equal(atomic_load(&t->gw[0].n_sessions), N_FLOW);
	sl_nat_usage(t, &u);
	assert_int_equal(u.sessions, N_FLOW);
	assert_int_equal(u.mappings, N_SRC * N_PORT);
	printf("phase 1: created %" PRIu64 ", races %" PRIu64 ", hits %" PRIu64 ", misses %" PRIu64
	       "\n",
	       v[SL_NAT_C_CREATED], v[SL_NAT_C_CREATE_RACE], v[SL_NAT_C_LOOKUP_HIT],
	       v[SL_NAT_C_LOOKUP_MISS]);

	/* phase 2, 10 minutes later: new flows (other ports) while the old
	 * ones expire under all threads */
	run_phase(2, SL_T_SEC(600), a);
	assert_int_equal(a[0].expired + a[1].expired + a[2].expired, N_FLOW);
	check_flows(2000);
	sl_nat_stats_read(t, v);
	assert_int_equal(v[SL_NAT_C_EXPIRED], N_FLOW);
	assert_int_equal(v[SL_NAT_C_CREATED], 2 * N_FLOW);
	/* the gateway's counters, summed over the threads, agree */
	struct sl_nat_gw_stats gs;

	sl_nat_gw_stats_read(t, 0, &gs);
	assert_int_equal(gs.created, 2 * N_FLOW);
	assert_int_equal(gs.expired, N_FLOW);
	assert_int_equal(atomic_load(&t->gw[0].n_sessions), N_FLOW);
	for (uint32_t f = 0; f < N_FLOW; f++) {
		struct sl_nat_key k;
		unsigned int dir;

		flow_key(f, &k, 1000);
		assert_null(sl_nat_lookup(t, CTRL, &k, &dir));
	}
	/* the readers are offline now: everything pending is reclaimable */
	sl_nat_expire(t, CTRL, SL_T_SEC(600), SL_NAT_EXPIRE_MAX);
	while (sl_nat_usage(t, &u), u.pending)
		sl_nat_expire(t, CTRL, SL_T_SEC(600), SL_NAT_EXPIRE_MAX);
	assert_int_equal(u.sessions, N_FLOW);
	assert_int_equal(u.mappings, N_SRC * N_PORT);
	assert_int_equal(u.free, c.max_sessions - N_FLOW);
	sl_nat_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_concurrent_create_expire),
	};

	sl_t_eal_init("nat_mt_test");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
