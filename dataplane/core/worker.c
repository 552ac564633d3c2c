/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker lcores: the run-to-completion loop.
 *
 * Design note
 * -----------
 * Worker i (slot i + 1 in the segment, queue i of every port) loops:
 *
 *   1. sl_worker_sync(): g = load_acquire(generation), ack g in its slot
 *      (store_release), and if g changed take bank (g & 1) after checking
 *      its magic, its generation (== g) and that its arrays lie inside the
 *      bank; a bank that fails is not used (w->bank = NULL: packets are
 *      dropped NO_TABLES) and counted BANK_REJECTED, so a bad publication
 *      cannot crash the fast path. This is the reader protocol of sl_shm.h;
 *      the lcore holds no bank pointer across iterations (w->bank is
 *      re-derived whenever the generation moves).
 *   2. report a quiescent state to the neighbour table's RCU (neigh.c).
 *   3. drain its inject ring: frames from the main lcore that already carry
 *      their final L2 header go straight to TX (nothing else needs a bank).
 *   4. rx burst on queue i of every port (counted in its queue counters,
 *      issue 11), the bursts gathered into one vector (SL_RX_VEC: four
 *      ports' worth), and run the pipeline on it from ETH_INPUT (which
 *      initialises sl_meta from m->port and the frame), or drop it
 *      NO_TABLES before the first generation.
 *   5. flush the tx buffers.
 *   6. after SL_IDLE_POLLS empty iterations in a row sleep idle_sleep_us
 *      (if configured) on every further empty iteration, doubling the sleep
 *      while nothing arrives up to SL_IDLE_BACKOFF times idle_sleep_us, so
 *      a small box with more lcores than cores stays usable: an idle
 *      worker wakes ~3,000 times a second instead of ~50,000 (each short
 *      sleep costs a timer interrupt and two context switches). The first
 *      packet after a long idle period waits at most the longest sleep
 *      (rings hold what arrives meanwhile); a busy iteration resets it.
 *      0 means pure polling.
 *
 * The main lcore uses the same context type (slot 0, no queue) and the same
 * sl_worker_sync() so it reads the tables exactly like a worker.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "sl_dp.h"
#include "sl_ip6gw.h"
#include "sl_nat.h"
#include "sl_nat4.h"
#include "sl_neigh.h"

/* NAT session slots each worker examines for expiry per loop iteration: a
 * 1M table is swept in 16k iterations (docs/nat.md, Expiry). */
#define SL_NAT_EXPIRE_BUDGET 64u

/* Frames of one iteration that go through the pipeline together: the rx
 * bursts of up to four ports (more ports: one run per four). Half a stage
 * vector, so that back edges (ICMP errors, re-routing after NAT) still
 * find room. */
#define SL_RX_VEC (4 * SL_BURST)
static_assert(SL_RX_VEC <= SL_VEC_MAX / 2, "room in the stage vectors");

/* This lcore's rows in the stats area: counters, queues and route tables. */
static void sl_worker_bind_stats(struct sl_worker *w, struct sl_stats_header *st)
{
	w->stats = &st->lcore[w->slot];
	w->qstats = st->queue[w->slot];
	w->rtstats = st->rt[w->slot];
	w->nhg_pkts = st->nhg[w->slot].pkts;
}

/* Queue counters (issue 11) of a burst from port index `i` (config order,
 * the stats area's port[i]). */
static void sl_count_rxq(struct sl_worker *w, unsigned int i, struct rte_mbuf **pkts, uint16_t k)
{
	struct sl_queue_stats *q;
	uint64_t bytes = 0;

	if (i >= SL_MAX_PORTS || w->qstats == NULL)
		return;
	q = &w->qstats[i];
	for (uint16_t j = 0; j < k; j++)
		bytes += pkts[j]->pkt_len;
	q->rx_pkts += k;
	q->rx_bytes += bytes;
}

struct sl_worker *sl_worker_create(struct sl_dp *dp, int idx, unsigned int lcore_id)
{
	struct sl_worker *w;

	w = rte_zmalloc_socket("sl_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
			       (int)rte_lcore_to_socket_id(lcore_id));
	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	w->dp = dp;
	w->lcore_id = lcore_id;
	w->slot = idx < 0 ? 0 : (unsigned int)idx + 1;
	w->queue_id = idx < 0 ? 0 : (uint16_t)idx;
	w->gen = UINT64_MAX; /* first sync always takes the bank */
	w->trace = dp ? dp->trace : NULL;
	if (dp && dp->shm && dp->shm->stats)
		sl_worker_bind_stats(w, dp->shm->stats);
	if (dp)
		w->nhg_failed = dp->nhg_failed;
	return w;
}

void sl_worker_free(struct sl_worker *w)
{
	rte_free(w);
}

static bool sl_span_ok(uint64_t off, uint64_t n, uint64_t size, uint64_t limit)
{
	return off <= limit && n <= (limit - off) / size;
}

/* The Internet FIB instances a bank points to lie inside it. Group indexes
 * inside the tables are sluiced's word (it writes only what it sized). */
static bool sl_fib_ok(const struct sl_bank_header *b, uint64_t limit)
{
	if (!(b->inet.flags & SL_RT_F_FIB))
		return true;
	if (!(b->fib4.flags & SL_FIB_F_BUILT) || (b->fib4.flags & SL_FIB_F_INCOMPLETE) ||
	    !(b->fib6.flags & SL_FIB_F_BUILT) || (b->fib6.flags & SL_FIB_F_INCOMPLETE))
		return false;
	if (b->fib6.l1_bits != 16 && b->fib6.l1_bits != 24)
		return false;
	return sl_span_ok(b->fib4.tbl24_off, SL_FIB_TBL24, sizeof(uint32_t), limit) &&
	       sl_span_ok(b->fib4.tbl8_off, (uint64_t)b->fib4.n_tbl8 * SL_FIB_GROUP,
			  sizeof(uint32_t), limit) &&
	       sl_span_ok(b->fib6.tbl1_off, UINT64_C(1) << b->fib6.l1_bits, sizeof(uint32_t),
			  limit) &&
	       sl_span_ok(b->fib6.tbl8_off, (uint64_t)b->fib6.n_tbl8 * SL_FIB_GROUP,
			  sizeof(uint32_t), limit);
}

static bool sl_rt_ok(const struct sl_route_table *rt, uint64_t limit)
{
	return sl_span_ok(rt->v4_off, rt->v4_n, sizeof(struct sl_rt4_entry), limit) &&
	       sl_span_ok(rt->v6_off, rt->v6_n, sizeof(struct sl_rt6_entry), limit) &&
	       sl_span_ok(rt->prefix_off, rt->n_prefixes, sizeof(struct sl_prefix), limit);
}

/* The NAT section lies inside the bank and its arrays inside it; the
 * indexes the fast path follows without checks (addr[].ip, eip[].ip,
 * vpc[].gw, the gateways' SNAT interval slices, the SNAT entries' pool
 * slices) are in range. */
static bool sl_nat_ok(const struct sl_bank_header *b, uint64_t bank_size)
{
	const struct sl_nat_sec *s;
	uint64_t lim;

	if (b->nat_off == 0)
		return true;
	if (!sl_span_ok(b->nat_off, 1, sizeof(*s), bank_size) ||
	    !sl_span_ok(b->nat_off, 1, b->nat_size, bank_size) || b->nat_size < sizeof(*s))
		return false;
	s = SL_BANK_PTR(b, b->nat_off, const struct sl_nat_sec);
	lim = b->nat_size;
	if (s->size != lim || s->n_addrs > s->n_ips ||
	    !sl_span_ok(s->gw_off, s->n_gws, sizeof(struct sl_nat_gw_ent), lim) ||
	    !sl_span_ok(s->vpc_off, s->n_vpcs, sizeof(struct sl_nat_vpc_ent), lim) ||
	    !sl_span_ok(s->ip_off, s->n_ips, sizeof(struct sl_nat_ip_ent), lim) ||
	    !sl_span_ok(s->addr_off, s->n_addrs, sizeof(struct sl_nat_addr_ent), lim) ||
	    !sl_span_ok(s->snat_rt_off, s->n_snat_rt, sizeof(struct sl_rt4_entry), lim) ||
	    !sl_span_ok(s->snat_off, s->n_snat, sizeof(struct sl_nat_snat_ent), lim) ||
	    !sl_span_ok(s->pool_off, s->n_pool, sizeof(uint32_t), lim) ||
	    !sl_span_ok(s->fwd_off, s->n_fwd, sizeof(struct sl_nat_fwd_ent), lim) ||
	    !sl_span_ok(s->eip_off, s->n_eip, sizeof(struct sl_nat_eip_ent), lim))
		return false;
	for (uint32_t i = 0; i < s->n_addrs; i++)
		if (SL_NAT_SEC_PTR(s, s->addr_off, struct sl_nat_addr_ent)[i].ip >= s->n_ips)
			return false;
	for (uint32_t i = 0; i < s->n_eip; i++)
		if (SL_NAT_SEC_PTR(s, s->eip_off, struct sl_nat_eip_ent)[i].ip >= s->n_ips)
			return false;
	for (uint32_t i = 0; i < s->n_vpcs; i++)
		if (SL_NAT_SEC_PTR(s, s->vpc_off, struct sl_nat_vpc_ent)[i].gw >= s->n_gws)
			return false;
	for (uint32_t i = 0; i < s->n_snat; i++) {
		const struct sl_nat_snat_ent *e =
		    SL_NAT_SEC_PTR(s, s->snat_off, struct sl_nat_snat_ent) + i;

		if (e->pool_first > s->n_pool || e->pool_n > s->n_pool - e->pool_first)
			return false;
	}
	for (uint32_t i = 0; i < s->n_gws; i++) {
		const struct sl_nat_gw_ent *g =
		    SL_NAT_SEC_PTR(s, s->gw_off, struct sl_nat_gw_ent) + i;

		if (g->snat_rt_first > s->n_snat_rt ||
		    g->snat_rt_n > s->n_snat_rt - g->snat_rt_first)
			return false;
	}
	return true;
}

/* The police section (issue 7) lies inside the bank, its arrays inside it,
 * and every policer index police4 follows without checks (ip[].pol[],
 * pol[].parent) is in range or SL_POL_IDX_NONE. */
static bool sl_police_ok(const struct sl_bank_header *b, uint64_t bank_size)
{
	const struct sl_pol_sec *s;
	const struct sl_pol_ent *pol;
	const struct sl_pol_ip_ent *ip;
	uint64_t lim;

	if (b->police_off == 0)
		return true;
	if (!sl_span_ok(b->police_off, 1, sizeof(*s), bank_size) ||
	    !sl_span_ok(b->police_off, 1, b->police_size, bank_size) ||
	    b->police_size < sizeof(*s))
		return false;
	s = SL_BANK_PTR(b, b->police_off, const struct sl_pol_sec);
	lim = b->police_size;
	if (s->size != lim || !sl_span_ok(s->pol_off, s->n_pols, sizeof(*pol), lim) ||
	    !sl_span_ok(s->ip_off, s->n_ips, sizeof(*ip), lim) ||
	    !sl_span_ok(s->ip6_off, s->n_ip6, sizeof(struct sl_pol_ip6_ent), lim))
		return false;
	pol = SL_POL_SEC_PTR(s, s->pol_off, struct sl_pol_ent);
	ip = SL_POL_SEC_PTR(s, s->ip_off, struct sl_pol_ip_ent);
	for (uint32_t i = 0; i < s->n_pols; i++)
		if (pol[i].parent >= s->n_pols && pol[i].parent != SL_POL_IDX_NONE)
			return false;
	for (uint32_t i = 0; i < s->n_ips; i++)
		for (unsigned int d = 0; d < SL_POL_DIR_MAX; d++)
			if (ip[i].pol[d] >= s->n_pols && ip[i].pol[d] != SL_POL_IDX_NONE)
				return false;
	/* police6: ip6[].pol[] likewise */
	for (uint32_t i = 0; i < s->n_ip6; i++)
		for (unsigned int d = 0; d < SL_POL_DIR_MAX; d++) {
			uint32_t k = SL_POL_SEC_PTR(s, s->ip6_off, struct sl_pol_ip6_ent)[i].pol[d];

			if (k >= s->n_pols && k != SL_POL_IDX_NONE)
				return false;
		}
	return true;
}

/* The IPv6 gateway section (issue 6) lies inside the bank, its arrays
 * inside it, and the indexes the fast path follows (gateway of an address
 * or a VPC block, a gateway's rule slice) are in range. */
static bool sl_ip6gw_ok(const struct sl_bank_header *b, uint64_t bank_size)
{
	const struct sl_ip6gw_sec *s;
	uint64_t lim;

	if (b->ip6gw_off == 0)
		return true;
	if (!sl_span_ok(b->ip6gw_off, 1, b->ip6gw_size, bank_size) || b->ip6gw_size < sizeof(*s))
		return false;
	s = SL_BANK_PTR(b, b->ip6gw_off, const struct sl_ip6gw_sec);
	lim = b->ip6gw_size;
	if (s->size != lim ||
	    !sl_span_ok(s->gw_off, s->n_gws, sizeof(struct sl_ip6gw_gw_ent), lim) ||
	    !sl_span_ok(s->vpc_rt_off, s->n_vpc_rt, sizeof(struct sl_rt6_entry), lim) ||
	    !sl_span_ok(s->addr_off, s->n_addrs, sizeof(struct sl_ip6gw_addr_ent), lim) ||
	    !sl_span_ok(s->rule_rt_off, s->n_rule_rt, sizeof(struct sl_rt6_entry), lim) ||
	    !sl_span_ok(s->havip_off, s->n_havips, sizeof(struct sl_ip6gw_havip_ent), lim) ||
	    /* ABI 17 (issue 9): the address hash */
	    !sl_span_ok(s->addr_hash_off, (uint64_t)s->addr_hash_mask + 1,
			sizeof(struct sl_ip6gw_addr_slot), lim))
		return false;
	for (uint64_t i = 0; i <= s->addr_hash_mask; i++) {
		const struct sl_ip6gw_addr_slot *a =
		    SL_IP6GW_PTR(s, s->addr_hash_off, struct sl_ip6gw_addr_slot) + i;

		if (a->idx > s->n_addrs || (a->idx && a->gw >= s->n_gws))
			return false;
	}
	for (uint32_t i = 0; i < s->n_havips; i++) /* HaVip targets (ABI 13) */
		if (SL_IP6GW_PTR(s, s->havip_off, struct sl_ip6gw_havip_ent)[i].n_inst >
		    SL_HAVIP_MAX_INST)
			return false;
	for (uint32_t i = 0; i < s->n_vpc_rt; i++)
		if (SL_IP6GW_PTR(s, s->vpc_rt_off, struct sl_rt6_entry)[i].nh > s->n_gws)
			return false;
	for (uint32_t i = 0; i < s->n_addrs; i++)
		if (SL_IP6GW_PTR(s, s->addr_off, struct sl_ip6gw_addr_ent)[i].gw >= s->n_gws)
			return false;
	for (uint32_t i = 0; i < s->n_gws; i++) {
		const struct sl_ip6gw_gw_ent *g =
		    SL_IP6GW_PTR(s, s->gw_off, struct sl_ip6gw_gw_ent) + i;

		if (g->rule_rt_first > s->n_rule_rt ||
		    g->rule_rt_n > s->n_rule_rt - g->rule_rt_first)
			return false;
	}
	return true;
}

/* Structural checks of a published bank: everything the fast path indexes
 * must lie inside the bank. Done once per generation and lcore. */
bool sl_bank_valid(const struct sl_bank_header *b, uint64_t g, uint64_t bank_size)
{
	const struct sl_vpc *v;
	const uint32_t *vm;

	if (b->magic != SL_BANK_MAGIC || b->generation != g || b->used > bank_size)
		return false;
	if (b->n_nexthops == 0 ||
	    !sl_span_ok(b->nh_off, b->n_nexthops, sizeof(struct sl_nexthop), bank_size) ||
	    !sl_span_ok(b->vpc_off, b->n_vpcs, sizeof(struct sl_vpc), bank_size) ||
	    !sl_span_ok(b->vlan_map_off, SL_VLAN_MAP_ENTRIES, sizeof(uint32_t), bank_size) ||
	    !sl_rt_ok(&b->inet, bank_size) || !sl_fib_ok(b, bank_size) || !sl_nat_ok(b, bank_size) ||
	    !sl_havip_sec_ok(b, bank_size) || !sl_police_ok(b, bank_size) ||
	    !sl_ip6gw_ok(b, bank_size))
		return false;
	v = SL_BANK_PTR(b, b->vpc_off, const struct sl_vpc);
	for (uint32_t i = 0; i < b->n_vpcs; i++)
		if (!sl_rt_ok(&v[i].rt, bank_size))
			return false;
	vm = SL_BANK_PTR(b, b->vlan_map_off, const uint32_t);
	for (uint32_t i = 0; i < SL_VLAN_MAP_ENTRIES; i++) /* every trunk's row */
		if (vm[i] > b->n_vpcs)
			return false;
	return true;
}

void sl_worker_sync(struct sl_worker *w)
{
	struct sl_shm_header *h = w->dp->shm->hdr;
	uint64_t g;

	g = atomic_load_explicit(&h->generation, memory_order_acquire);
	atomic_store_explicit(&h->lcore[w->slot].ack_generation, g, memory_order_release);
	if (likely(g == w->gen)) {
		if (unlikely(w->slot == 0 && w->dp->nat_apply_retry))
			sl_nat_apply(w->dp, w->bank);
		if (unlikely(w->slot == 0 && w->dp->nat_reflush_gen))
			sl_nat_reflush(w->dp);
		return;
	}
	w->gen = g;
	w->bank = NULL;
	if (g == 0)
		return;
	const struct sl_bank_header *b = sl_shm_bank(h, (unsigned int)(g & 1));

	if (sl_bank_valid(b, g, h->bank_size)) {
		w->bank = b;
		sl_count(w, SL_CNT_GENERATIONS, 1);
		if (w->slot == 0 && w->dp->nat) /* the main lcore configures NAT */
			sl_nat_apply(w->dp, b);
	} else {
		sl_count(w, SL_CNT_BANK_REJECTED, 1);
	}
}

void sl_worker_online(struct sl_worker *w)
{
	struct sl_shm_header *h = w->dp->shm->hdr;

	sl_worker_bind_stats(w, w->dp->shm->stats);
	w->gen = UINT64_MAX;
	w->bank = NULL;
	h->lcore[w->slot].lcore_id = w->lcore_id;
	/* seq_cst store before the first load of generation (sl_shm.h). */
	atomic_store(&h->lcore[w->slot].online, 1);
	sl_worker_sync(w);
}

void sl_worker_offline(struct sl_worker *w)
{
	atomic_store(&w->dp->shm->hdr->lcore[w->slot].online, 0);
	w->bank = NULL;
}

/* Received frames of one iteration through the pipeline from ETH_INPUT
 * (which initialises the whole sl_meta), or dropped before the first
 * generation. */
static void sl_worker_run_rx(struct sl_worker *w, struct rte_mbuf **rx, uint16_t n)
{
	if (unlikely(w->bank == NULL)) {
		for (uint16_t j = 0; j < n; j++)
			sl_drop_raw(w, rx[j], SL_DROP_NO_TABLES);
		return;
	}
	sl_pipeline_run(w, rx, n, SL_STAGE_ETH_INPUT);
}

unsigned int sl_worker_poll(struct sl_worker *w)
{
	struct sl_dp *dp = w->dp;
	struct rte_mbuf *pkts[SL_BURST], *rx[SL_RX_VEC];
	unsigned int n, moved = 0;
	uint16_t nrx = 0;

	sl_worker_sync(w);
	sl_neigh_quiescent(dp->neigh, w->queue_id);
	w->now_tsc = sl_dp_now(dp);
	if (dp->nat) {
		/* no session pointer is held across iterations (docs/nat.md) */
		sl_nat_quiescent(dp->nat, w->queue_id);
		sl_nat_expire(dp->nat, w->queue_id, w->now_tsc, SL_NAT_EXPIRE_BUDGET);
		/* fragments held for a first fragment that did not come (issue 5) */
		sl_nat4_frag_expire(w, dp->nat, SL_NAT_FRAG_EXPIRE_BUDGET);
	}
	if (dp->ip6eo && w->slot != 0) { /* workers only (docs/ipv6gw.md) */
		sl_ip6eo_quiescent(dp->ip6eo, w->queue_id);
		sl_count(
		    w, SL_CNT_IP6GW_EO_EXPIRED,
		    sl_ip6eo_expire(dp->ip6eo, w->queue_id, w->now_tsc, SL_IP6EO_EXPIRE_BUDGET));
	}

	n = rte_ring_sc_dequeue_burst(dp->inject[w->queue_id], (void **)pkts, SL_BURST, NULL);
	if (n) {
		moved += n;
		sl_pipeline_run(w, pkts, (uint16_t)n, SL_STAGE_TX);
	}
	/* One vector for the bursts of all ports (issue 9): every stage runs
	 * once per iteration on up to SL_RX_VEC packets instead of once per
	 * port, and the route stages overlap the table misses of all of them
	 * (sl_rt_burst.h). */
	for (unsigned int i = 0; i < dp->n_ports; i++) {
		uint16_t port = dp->port_ids[i];
		uint16_t k;

		if (nrx + SL_BURST > SL_RX_VEC) {
			sl_worker_run_rx(w, rx, nrx);
			nrx = 0;
		}
		k = rte_eth_rx_burst(port, w->queue_id, rx + nrx, SL_BURST);
		if (!k)
			continue;
		moved += k;
		nrx += k;
		sl_count(w, SL_CNT_RX_PKTS, k);
		sl_count_rxq(w, i, rx + nrx - k, k); /* issue 11: queue counters */
	}
	if (nrx)
		sl_worker_run_rx(w, rx, nrx);
	sl_tx_flush(w);
	return moved;
}

int sl_worker_main(void *arg)
{
	struct sl_worker *w = arg;
	struct sl_dp *dp = w->dp;
	const uint32_t idle_us = dp->conf ? dp->conf->idle_sleep_us : 0;
	unsigned int idle = 0;
	uint32_t sleep_us = idle_us;

	sl_neigh_reader_online(dp->neigh, w->queue_id);
	if (dp->nat)
		sl_nat_reader_online(dp->nat, w->queue_id);
	if (dp->ip6eo)
		sl_ip6eo_reader_online(dp->ip6eo, w->queue_id);
	sl_worker_online(w);

	while (!atomic_load_explicit(&dp->stop_workers, memory_order_relaxed)) {
		if (sl_worker_poll(w)) {
			idle = 0;
			sleep_us = idle_us;
		} else if (idle_us && ++idle >= SL_IDLE_POLLS) {
			idle = SL_IDLE_POLLS;
			rte_delay_us_sleep(sleep_us);
			if (sleep_us < idle_us * SL_IDLE_BACKOFF)
				sleep_us *= 2;
		}
	}
	sl_tx_flush(w);
	sl_worker_offline(w);
	if (dp->nat)
		sl_nat_reader_offline(dp->nat, w->queue_id);
	if (dp->ip6eo)
		sl_ip6eo_reader_offline(dp->ip6eo, w->queue_id);
	sl_neigh_reader_offline(dp->neigh, w->queue_id);
	return 0;
}
