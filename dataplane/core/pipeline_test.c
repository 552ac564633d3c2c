/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the dispatcher (pipeline.c), the TX and PUNT stages and the
 * per-iteration table sync of worker.c.
 *
 * The dispatcher tests put probe stages into sl_stage_fns[] that record
 * their calls and move packets along programmed edges (forward, backward,
 * to themselves, forever), and check call order, batching, loop cut-off,
 * vector overflow and that no mbuf leaks. TX runs on a real ethdev: a
 * net_ring vdev configured by sl_port_init(), whose tx ring is its rx ring.
 */
#include "sl_core_test.h"

#include <rte_ethdev.h>

static struct sl_t_ctx ctx;
static sl_stage_fn saved_fns[SL_STAGE_MAX];

struct call {
	int stage;
	uint16_t n;
};
static struct call calls[64];
static unsigned int n_calls;

static void record(int stage, uint16_t n)
{
	assert_true(n_calls < RTE_DIM(calls));
	calls[n_calls++] = (struct call){stage, n};
}

static void expect_calls(const struct call *exp, unsigned int n)
{
	for (unsigned int i = 0; i < n && i < n_calls; i++)
		if (calls[i].stage != exp[i].stage || calls[i].n != exp[i].n)
			fail_msg("call %u: got %s(%u), expected %s(%u)", i,
				 sl_stage_names[calls[i].stage], calls[i].n,
				 sl_stage_names[exp[i].stage], exp[i].n);
	assert_int_equal(n_calls, n);
}

static unsigned int delivered;

static void probe_sink(struct sl_worker *w, struct rte_mbuf **p, uint16_t n)
{
	record(SL_STAGE_TX, n);
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(p[i]);
	delivered += n;
}

#define PROBE_TO(from, to)                                                                         \
	static void probe_##from##_to_##to(struct sl_worker *w, struct rte_mbuf **p, uint16_t n)   \
	{                                                                                          \
		record(SL_STAGE_##from, n);                                                        \
		for (uint16_t i = 0; i < n; i++)                                                   \
			sl_next(w, p[i], SL_STAGE_##to);                                           \
	}

PROBE_TO(ETH_INPUT, IP4_INPUT)
PROBE_TO(IP4_INPUT, ROUTE4)
PROBE_TO(ROUTE4, TX)
PROBE_TO(ETH_INPUT, FORWARD4)
PROBE_TO(ICMP4_ERROR, ROUTE4)
PROBE_TO(ROUTE4, FORWARD4)
PROBE_TO(ROUTE4, ROUTE4)

/* First visit: to ICMP4_ERROR (a back edge follows); second: to TX. */
static void probe_forward4_once(struct sl_worker *w, struct rte_mbuf **p, uint16_t n)
{
	record(SL_STAGE_FORWARD4, n);
	for (uint16_t i = 0; i < n; i++) {
		struct sl_meta *md = sl_meta(p[i]);

		if (md->flags == 0) {
			md->flags = 1;
			sl_next(w, p[i], SL_STAGE_ICMP4_ERROR);
		} else {
			sl_next(w, p[i], SL_STAGE_TX);
		}
	}
}

/* Re-queues every packet to itself once. */
static void probe_route4_self_once(struct sl_worker *w, struct rte_mbuf **p, uint16_t n)
{
	record(SL_STAGE_ROUTE4, n);
	for (uint16_t i = 0; i < n; i++) {
		struct sl_meta *md = sl_meta(p[i]);

		sl_next(w, p[i], md->flags++ == 0 ? SL_STAGE_ROUTE4 : SL_STAGE_TX);
	}
}

/* Each packet fans out into 150 (itself + 149 new ones). */
static void probe_eth_fanout(struct sl_worker *w, struct rte_mbuf **p, uint16_t n)
{
	record(SL_STAGE_ETH_INPUT, n);
	for (uint16_t i = 0; i < n; i++) {
		sl_next(w, p[i], SL_STAGE_IP4_INPUT);
		for (int k = 0; k < 149; k++)
			sl_next(w, sl_t_mbuf(NULL, 60), SL_STAGE_IP4_INPUT);
	}
}

static void probe_ip4_sink(struct sl_worker *w, struct rte_mbuf **p, uint16_t n)
{
	record(SL_STAGE_IP4_INPUT, n);
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(p[i]);
	delivered += n;
}

static int probes_setup(void **state)
{
	memcpy(saved_fns, sl_stage_fns, sizeof(saved_fns));
	n_calls = 0;
	delivered = 0;
	memset(ctx.stats, 0, sizeof(*ctx.stats));
	return 0;
}

static int probes_teardown(void **state)
{
	memcpy(sl_stage_fns, saved_fns, sizeof(saved_fns));
	return 0;
}

static void burst(struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		pkts[i] = sl_t_mbuf(NULL, 60);
}

static void assert_vectors_empty(void)
{
	for (int s = 0; s < SL_STAGE_MAX; s++)
		assert_int_equal(ctx.w->vec[s].n, 0);
}

static void test_forward_order(void **state)
{
	struct rte_mbuf *pkts[SL_BURST];
	unsigned int avail = rte_mempool_avail_count(sl_pktmbuf_pool);
	const struct call exp[] = {{SL_STAGE_ETH_INPUT, 32},
				   {SL_STAGE_IP4_INPUT, 32},
				   {SL_STAGE_ROUTE4, 32},
				   {SL_STAGE_TX, 32}};

	sl_stage_fns[SL_STAGE_ETH_INPUT] = probe_ETH_INPUT_to_IP4_INPUT;
	sl_stage_fns[SL_STAGE_IP4_INPUT] = probe_IP4_INPUT_to_ROUTE4;
	sl_stage_fns[SL_STAGE_ROUTE4] = probe_ROUTE4_to_TX;
	sl_stage_fns[SL_STAGE_TX] = probe_sink;
	burst(pkts, SL_BURST);
	sl_pipeline_run(ctx.w, pkts, SL_BURST, SL_STAGE_ETH_INPUT);
	expect_calls(exp, RTE_DIM(exp));
	assert_int_equal(delivered, 32);
	assert_vectors_empty();
	assert_int_equal(rte_mempool_avail_count(sl_pktmbuf_pool), avail);
}

static void test_back_edge(void **state)
{
	struct rte_mbuf *pkts[8];
	const struct call exp[] = {{SL_STAGE_ETH_INPUT, 8},   {SL_STAGE_FORWARD4, 8},
				   {SL_STAGE_ICMP4_ERROR, 8}, {SL_STAGE_ROUTE4, 8},
				   {SL_STAGE_FORWARD4, 8},    {SL_STAGE_TX, 8}};

	uint64_t before[SL_STATS_STAGES];

	memcpy(before, ctx.w->stats->stage, sizeof(before));
	sl_stage_fns[SL_STAGE_ETH_INPUT] = probe_ETH_INPUT_to_FORWARD4;
	sl_stage_fns[SL_STAGE_FORWARD4] = probe_forward4_once;
	sl_stage_fns[SL_STAGE_ICMP4_ERROR] = probe_ICMP4_ERROR_to_ROUTE4;
	sl_stage_fns[SL_STAGE_ROUTE4] = probe_ROUTE4_to_FORWARD4;
	sl_stage_fns[SL_STAGE_TX] = probe_sink;
	burst(pkts, 8);
	sl_pipeline_run(ctx.w, pkts, 8, SL_STAGE_ETH_INPUT);
	expect_calls(exp, RTE_DIM(exp));
	assert_int_equal(delivered, 8);
	assert_vectors_empty();
	/* the stage counters: packets handed to each stage, a stage called
	 * twice counted twice */
	for (unsigned int s = 0; s < SL_STATS_STAGES; s++) {
		uint64_t d = ctx.w->stats->stage[s] - before[s];
		uint64_t want = s == SL_STAGE_FORWARD4 ? 16
				: (s == SL_STAGE_ETH_INPUT || s == SL_STAGE_ICMP4_ERROR ||
				   s == SL_STAGE_ROUTE4 || s == SL_STAGE_TX)
				    ? 8
				    : 0;

		if (d != want)
			fail_msg("stage %u (%s): %" PRIu64 " packets counted, want %" PRIu64, s,
				 s < SL_STAGE_MAX ? sl_stage_names[s] : "-", d, want);
	}
}

static void test_self_requeue(void **state)
{
	struct rte_mbuf *pkts[5];
	const struct call exp[] = {{SL_STAGE_ROUTE4, 5}, {SL_STAGE_ROUTE4, 5}, {SL_STAGE_TX, 5}};

	sl_stage_fns[SL_STAGE_ROUTE4] = probe_route4_self_once;
	sl_stage_fns[SL_STAGE_TX] = probe_sink;
	burst(pkts, 5);
	/* Entering in the middle of the pipeline (as the worker does for
	 * injected frames) works too. */
	sl_pipeline_run(ctx.w, pkts, 5, SL_STAGE_ROUTE4);
	expect_calls(exp, RTE_DIM(exp));
	assert_int_equal(delivered, 5);
}

static void test_loop_cut(void **state)
{
	struct rte_mbuf *pkts[7];
	unsigned int avail = rte_mempool_avail_count(sl_pktmbuf_pool);

	sl_stage_fns[SL_STAGE_ROUTE4] = probe_ROUTE4_to_ROUTE4;
	burst(pkts, 7);
	sl_pipeline_run(ctx.w, pkts, 7, SL_STAGE_ROUTE4);
	assert_int_equal(n_calls, SL_PIPELINE_MAX_PASSES);
	assert_int_equal(ctx.stats->drop[SL_DROP_PIPELINE_LOOP], 7);
	assert_vectors_empty();
	assert_int_equal(rte_mempool_avail_count(sl_pktmbuf_pool), avail);
}

static void test_vector_overflow(void **state)
{
	struct rte_mbuf *pkts[2];
	unsigned int avail = rte_mempool_avail_count(sl_pktmbuf_pool);
	const struct call exp[] = {{SL_STAGE_ETH_INPUT, 2}, {SL_STAGE_IP4_INPUT, SL_VEC_MAX}};

	sl_stage_fns[SL_STAGE_ETH_INPUT] = probe_eth_fanout;
	sl_stage_fns[SL_STAGE_IP4_INPUT] = probe_ip4_sink;
	burst(pkts, 2);
	sl_pipeline_run(ctx.w, pkts, 2, SL_STAGE_ETH_INPUT);
	expect_calls(exp, RTE_DIM(exp));
	assert_int_equal(delivered, SL_VEC_MAX);
	assert_int_equal(ctx.stats->drop[SL_DROP_NO_MBUF], 300 - SL_VEC_MAX);
	assert_int_equal(rte_mempool_avail_count(sl_pktmbuf_pool), avail);
}

static void test_names(void **state)
{
	for (int s = 0; s < SL_STAGE_MAX; s++) {
		assert_non_null(sl_stage_names[s]);
		assert_non_null(sl_stage_fns[s]);
		for (int t = 0; t < s; t++)
			assert_string_not_equal(sl_stage_names[s], sl_stage_names[t]);
	}
	assert_string_equal(sl_stage_names[SL_STAGE_NEIGH], "neigh");
}

/* ---- TX on a real ethdev ------------------------------------------------ */

static void test_tx_ring_port(void **state)
{
	struct sl_port_conf pc = {.name = "ring", .role = SL_ROLE_OUTSIDE, .mtu = 1500};
	struct rte_mbuf *pkts[SL_BURST], *rx[SL_BURST];
	char err[256] = "";
	uint16_t pid;
	unsigned int total = 1100, got = 0;
	unsigned int avail;
	int rc;

	snprintf(pc.devargs, sizeof(pc.devargs), "net_ring0");
	/* Real ports only here: forget the fake ones of the environment. */
	memset(sl_ports, 0, sizeof(sl_ports));
	sl_role_port[SL_ROLE_INSIDE] = sl_role_port[SL_ROLE_OUTSIDE] = RTE_MAX_ETHPORTS;
	sl_trunk_port[0] = RTE_MAX_ETHPORTS;
	rc = sl_port_init(&pc, 1, &pid, err, sizeof(err));
	if (rc)
		fail_msg("sl_port_init: %s", err);
	assert_true(sl_ports[pid].enabled);
	assert_int_equal(sl_ports[pid].role, SL_ROLE_OUTSIDE);
	assert_int_equal(sl_role_port[SL_ROLE_OUTSIDE], pid);

	/* The same device twice is refused. */
	assert_int_equal(sl_port_init(&pc, 1, &pid, err, sizeof(err)), -EEXIST);
	/* More workers than the device has queue pairs: a clear error. */
	{
		struct sl_port_conf pc2 = pc;
		uint16_t pid2;

		snprintf(pc2.devargs, sizeof(pc2.devargs), "net_ring1");
		assert_int_equal(sl_port_init(&pc2, 200, &pid2, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "200 workers need one pair each"));
	}
	ctx.w->queue_id = 0;
	avail = rte_mempool_avail_count(sl_pktmbuf_pool);

	/* 1100 frames in bursts, never read: the ring (1024 slots) fills and
	 * the excess is dropped TX_FULL. */
	for (unsigned int sent = 0; sent < total; sent += SL_BURST) {
		uint16_t n = (uint16_t)RTE_MIN((unsigned int)SL_BURST, total - sent);

		burst(pkts, n);
		for (uint16_t i = 0; i < n; i++)
			sl_meta(pkts[i])->out_port = pid;
		sl_stage_tx(ctx.w, pkts, n);
		sl_tx_flush(ctx.w);
	}
	assert_true(ctx.stats->drop[SL_DROP_TX_FULL] > 0);
	assert_int_equal(ctx.stats->cnt[SL_CNT_TX_PKTS] + ctx.stats->drop[SL_DROP_TX_FULL], total);
	for (;;) {
		uint16_t n = rte_eth_rx_burst(pid, 0, rx, SL_BURST);

		if (!n)
			break;
		got += n;
		rte_pktmbuf_free_bulk(rx, n);
	}
	assert_int_equal(got, ctx.stats->cnt[SL_CNT_TX_PKTS]);

	/* Buffered packets leave only at the flush. */
	burst(pkts, 3);
	for (uint16_t i = 0; i < 3; i++)
		sl_meta(pkts[i])->out_port = pid;
	sl_stage_tx(ctx.w, pkts, 3);
	assert_int_equal(rte_eth_rx_burst(pid, 0, rx, SL_BURST), 0);
	sl_tx_flush(ctx.w);
	assert_int_equal(rte_eth_rx_burst(pid, 0, rx, SL_BURST), 3);
	rte_pktmbuf_free_bulk(rx, 3);

	/* A port nobody owns. */
	burst(pkts, 1);
	sl_meta(pkts[0])->out_port = 7;
	sl_stage_tx(ctx.w, pkts, 1);
	assert_int_equal(ctx.stats->drop[SL_DROP_NO_PORT], 1);

	assert_int_equal(rte_mempool_avail_count(sl_pktmbuf_pool), avail);
	sl_port_close(pid);
	assert_false(sl_ports[pid].enabled);
	assert_int_equal(sl_role_port[SL_ROLE_OUTSIDE], RTE_MAX_ETHPORTS);
	sl_t_env_init();
}

static void test_punt(void **state)
{
	struct rte_mbuf *pkts[80], *out[80];
	unsigned int n;

	ctx.dp.punt_ring = rte_ring_create("t_punt", 64, SOCKET_ID_ANY, RING_F_SC_DEQ);
	assert_non_null(ctx.dp.punt_ring);
	burst(pkts, 80);
	for (int i = 0; i < 80; i++)
		sl_meta(pkts[i])->punt = SL_PUNT_ARP;
	sl_stage_punt(ctx.w, pkts, 80);
	assert_int_equal(ctx.stats->cnt[SL_CNT_PUNTED], 63);
	assert_int_equal(ctx.stats->drop[SL_DROP_PUNT_RING_FULL], 17);
	n = rte_ring_sc_dequeue_burst(ctx.dp.punt_ring, (void **)out, 80, NULL);
	assert_int_equal(n, 63);
	for (unsigned int i = 0; i < n; i++) {
		assert_ptr_equal(out[i], pkts[i]); /* in order */
		assert_int_equal(sl_meta(out[i])->punt, SL_PUNT_ARP);
	}
	rte_pktmbuf_free_bulk(out, n);
	/* A flood waiting for a neighbour stops at three quarters of the
	 * ring (63 - 15 = 48 here): ARP and ND still get in after it. */
	burst(pkts, 70);
	for (int i = 0; i < 70; i++)
		sl_meta(pkts[i])->punt = i < 64 ? SL_PUNT_UNRESOLVED : SL_PUNT_ND;
	sl_stage_punt(ctx.w, pkts, 64);
	assert_int_equal(rte_ring_count(ctx.dp.punt_ring), 63 - 63 / 4);
	assert_int_equal(ctx.stats->drop[SL_DROP_PUNT_RING_FULL], 17 + 64 - (63 - 63 / 4));
	sl_stage_punt(ctx.w, pkts + 64, 6);
	assert_int_equal(rte_ring_count(ctx.dp.punt_ring), 63 - 63 / 4 + 6);
	n = rte_ring_sc_dequeue_burst(ctx.dp.punt_ring, (void **)out, 80, NULL);
	assert_int_equal(sl_meta(out[n - 1])->punt, SL_PUNT_ND);
	rte_pktmbuf_free_bulk(out, n);
	rte_ring_free(ctx.dp.punt_ring);
	ctx.dp.punt_ring = NULL;
}

/* ---- table sync (reader protocol) ------------------------------------- */

static void publish(struct sl_shm_header *h, uint64_t g, uint64_t bank_gen, uint64_t magic)
{
	struct sl_bank_header *src = sl_t_bank_build(bank_gen);
	struct sl_bank_header *dst = sl_shm_bank(h, (unsigned int)(g & 1));

	memcpy(dst, src, src->used);
	dst->magic = magic;
	rte_free(src);
	atomic_store(&h->generation, g);
}

static void test_sync(void **state)
{
	struct sl_shm shm;
	struct sl_shm_header *h;
	struct sl_worker *w;

	sl_t_segment(&shm, SL_T_BANK_SIZE);
	h = shm.hdr;
	ctx.dp.shm = &shm;
	w = sl_worker_create(&ctx.dp, 1, rte_lcore_id());
	assert_non_null(w);
	assert_int_equal(w->slot, 2);
	assert_int_equal(w->queue_id, 1);

	sl_worker_online(w);
	assert_int_equal(h->lcore[2].online, 1);
	assert_ptr_equal(w->stats, &shm.stats->lcore[2]);
	assert_null(w->bank); /* generation 0: no tables */

	publish(h, 1, 1, SL_BANK_MAGIC);
	assert_int_equal(h->lcore[2].ack_generation, 0);
	sl_worker_sync(w);
	assert_int_equal(h->lcore[2].ack_generation, 1);
	assert_ptr_equal(w->bank, sl_shm_bank(h, 1));
	assert_int_equal(w->stats->cnt[SL_CNT_GENERATIONS], 1);

	sl_worker_sync(w); /* unchanged: nothing new */
	assert_int_equal(w->stats->cnt[SL_CNT_GENERATIONS], 1);

	publish(h, 2, 2, 0xdead); /* bad magic */
	sl_worker_sync(w);
	assert_int_equal(h->lcore[2].ack_generation, 2);
	assert_null(w->bank);
	assert_int_equal(w->stats->cnt[SL_CNT_BANK_REJECTED], 1);

	publish(h, 3, 2, SL_BANK_MAGIC); /* bank written for another generation */
	sl_worker_sync(w);
	assert_null(w->bank);
	assert_int_equal(w->stats->cnt[SL_CNT_BANK_REJECTED], 2);

	publish(h, 4, 4, SL_BANK_MAGIC);
	sl_worker_sync(w);
	assert_ptr_equal(w->bank, sl_shm_bank(h, 0));
	assert_int_equal(w->stats->cnt[SL_CNT_GENERATIONS], 2);

	/* Offsets beyond the bank are refused. */
	{
		struct sl_bank_header *b = sl_shm_bank(h, 1);

		publish(h, 5, 5, SL_BANK_MAGIC);
		b->nh_off = SL_T_BANK_SIZE - 64;
		sl_worker_sync(w);
		assert_null(w->bank);
		publish(h, 7, 7, SL_BANK_MAGIC);
		((struct sl_vpc *)((uint8_t *)b + b->vpc_off))->rt.v4_n = 1u << 30;
		sl_worker_sync(w);
		assert_null(w->bank);
		publish(h, 9, 9, SL_BANK_MAGIC);
		((uint32_t *)((uint8_t *)b + b->vlan_map_off))[5] = 2; /* vpc 1 of 1 */
		sl_worker_sync(w);
		assert_null(w->bank);
		assert_int_equal(w->stats->cnt[SL_CNT_BANK_REJECTED], 5);
		/* The last trunk's row is checked as well. */
		publish(h, 11, 11, SL_BANK_MAGIC);
		((uint32_t *)((uint8_t *)b + b->vlan_map_off))[SL_VLAN_MAP_ENTRIES - 1] = 2;
		sl_worker_sync(w);
		assert_null(w->bank);
		assert_int_equal(w->stats->cnt[SL_CNT_BANK_REJECTED], 6);
		publish(h, 13, 13, SL_BANK_MAGIC);
		((uint32_t *)((uint8_t *)b + b->vlan_map_off))[SL_VLAN_MAP_ENTRIES - 1] = 1;
		sl_worker_sync(w);
		assert_ptr_equal(w->bank, b);
		/* The NAT section: inside the bank, and its indexes in range. */
		for (uint64_t g = 15; g <= 19; g += 2) {
			struct sl_nat_sec *ns;
			struct sl_nat_addr_ent *ad;

			publish(h, g, g, SL_BANK_MAGIC);
			b->nat_off = (b->used + 63) & ~UINT64_C(63);
			b->nat_size = 256;
			ns = (struct sl_nat_sec *)((uint8_t *)b + b->nat_off);
			memset(ns, 0, b->nat_size);
			ns->size = b->nat_size;
			ns->n_ips = ns->n_addrs = 1;
			ns->ip_off = 128;
			ns->addr_off = 128 + sizeof(struct sl_nat_ip_ent);
			ad = (struct sl_nat_addr_ent *)((uint8_t *)ns + ns->addr_off);
			ad->addr = 0xc6336401;
			if (g == 17)
				ad->ip = 1; /* no such IP */
			if (g == 19)
				b->nat_off = SL_T_BANK_SIZE - 64; /* beyond the bank */
			sl_worker_sync(w);
			if (g == 15) {
				assert_ptr_equal(w->bank, sl_shm_bank(h, 1));
				assert_ptr_equal(sl_bank_nat(w->bank), ns);
			} else {
				assert_null(w->bank);
			}
		}
		assert_int_equal(w->stats->cnt[SL_CNT_BANK_REJECTED], 8);
	}

	sl_worker_offline(w);
	assert_int_equal(h->lcore[2].online, 0);
	sl_worker_free(w);
	rte_free(h);
	ctx.dp.shm = NULL;
}

static int group_setup(void **state)
{
	sl_t_env_init();
	sl_t_ctx_init(&ctx);
	return 0;
}

static int group_teardown(void **state)
{
	sl_t_ctx_fini(&ctx);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_forward_order, probes_setup, probes_teardown),
	    cmocka_unit_test_setup_teardown(test_back_edge, probes_setup, probes_teardown),
	    cmocka_unit_test_setup_teardown(test_self_requeue, probes_setup, probes_teardown),
	    cmocka_unit_test_setup_teardown(test_loop_cut, probes_setup, probes_teardown),
	    cmocka_unit_test_setup_teardown(test_vector_overflow, probes_setup, probes_teardown),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test_setup_teardown(test_tx_ring_port, probes_setup, probes_teardown),
	    cmocka_unit_test_setup_teardown(test_punt, probes_setup, probes_teardown),
	    cmocka_unit_test_setup_teardown(test_sync, probes_setup, probes_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
