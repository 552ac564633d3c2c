/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The main lcore: exceptions, neighbour upkeep, stats export.
 *
 * Design note
 * -----------
 * The main lcore is the single writer of the neighbour table and a table
 * reader like the workers (slot 0, same sync step each iteration). Its loop:
 *
 *   - drain the punt ring (MP/SC, filled by the PUNT stage of all workers)
 *     and dispatch on md->punt: ARP -> sl_arp_input, ND -> sl_nd_input,
 *     UNRESOLVED -> sl_neigh_resolve, EXCEPTION -> the port's TAP (ARP and
 *     ND are copied there too; exception.c); anything else is a stage bug,
 *     dropped PUNT_INVALID;
 *   - the exception path's TAPs: what the host kernel sends goes out
 *     through worker 0's inject ring;
 *   - every 20 ms the neighbour timers (retransmit, fail, age, re-probe,
 *     garbage-collect, reclaim);
 *   - after its sync, the police section of a new generation applied to
 *     the policer buckets (police.c);
 *   - every 100 ms the stats export: rte_eth_stats of each port into
 *     port[] and the neighbour table into neigh[], under the seqcount of
 *     the stats header, stamped with updated_ns; the policer counters
 *     (monotonic, outside the seqcount);
 *   - every second, whether the segment file was re-created (new inode) by
 *     a restarted sluiced: if a valid new segment is there it returns to
 *     main.c, which restarts the workers on it (see main.c);
 *   - sleep SL_MAIN_IDLE_US when the punt ring was empty: its work is not
 *     latency-critical at the microsecond scale and the lab shares cores.
 *
 * Frames it produces (ARP/ND answers and requests, released packets) go to
 * worker (hash % n_workers) through that worker's SP/SC inject ring, so the
 * frames for one neighbour keep their order; a full ring drops
 * INJECT_RING_FULL.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "sl_dp.h"
#include "sl_ip6gw.h"
#include "sl_log.h"
#include "sl_neigh.h"

uint64_t sl_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void sl_ctrl_inject(struct sl_dp *dp, struct rte_mbuf *m, uint32_t hash)
{
	struct rte_ring *r = dp->inject[hash % dp->n_workers];

	if (rte_ring_sp_enqueue(r, m) != 0)
		sl_drop(dp->main_w, m, SL_DROP_INJECT_RING_FULL);
}

static void sl_ctrl_xmit(void *arg, struct rte_mbuf *m, uint32_t hash)
{
	sl_ctrl_inject(arg, m, hash);
}

void sl_ctrl_export(struct sl_dp *dp)
{
	struct sl_stats_header *st = dp->shm->stats;
	uint64_t seq = atomic_load_explicit(&st->seq, memory_order_relaxed);

	/* Odd while writing; readers retry (seqcount). */
	if (seq & 1)
		seq++;
	atomic_store_explicit(&st->seq, seq + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);

	for (unsigned int i = 0; i < dp->n_ports && i < SL_MAX_PORTS; i++) {
		uint16_t pid = dp->port_ids[i];
		struct sl_port_stats *ps = &st->port[i];
		struct rte_eth_stats es;
		struct rte_eth_link link;

		memset(&es, 0, sizeof(es));
		memset(&link, 0, sizeof(link));
		rte_eth_stats_get(pid, &es);
		rte_eth_link_get_nowait(pid, &link);
		if (dp->conf)
			snprintf(ps->name, sizeof(ps->name), "%s", dp->conf->ports[i].name);
		else if (rte_eth_dev_get_name_by_port(pid, ps->name) != 0)
			ps->name[0] = '\0';
		ps->port_id = pid;
		ps->role = sl_ports[pid].role;
		ps->link_up = link.link_status == RTE_ETH_LINK_UP;
		memcpy(ps->mac, sl_ports[pid].mac.addr_bytes, 6);
		ps->mtu = sl_ports[pid].mtu;
		ps->trunk = sl_ports[pid].trunk;
		ps->ipackets = es.ipackets;
		ps->opackets = es.opackets;
		ps->ibytes = es.ibytes;
		ps->obytes = es.obytes;
		ps->imissed = es.imissed;
		ps->ierrors = es.ierrors;
		ps->oerrors = es.oerrors;
		ps->rx_nombuf = es.rx_nombuf;
		ps->exc_to_kernel = dp->exc_to[pid];
		ps->exc_from_kernel = dp->exc_from[pid];
	}
	st->n_ports = dp->n_ports;
	st->n_neigh = sl_neigh_export(dp->neigh, dp->main_w->bank, st->neigh, SL_MAX_NEIGH_EXPORT,
				      sl_dp_now(dp));
	st->n_havip = sl_havip_export(dp->neigh, dp->main_w->bank, st->havip, SL_MAX_HAVIP_EXPORT,
				      sl_dp_now(dp));
	if (dp->ip6eo) /* issue 6: the egress-only flow count */
		sl_ip6eo_usage(dp->ip6eo, &st->ip6eo_flows, &st->ip6eo_capacity);
	st->updated_ns = sl_realtime_ns();

	atomic_store_explicit(&st->seq, seq + 2, memory_order_release);
	if (dp->pol)
		sl_police_export(dp);
}

/* ECMP (issue 8): mark the group members whose neighbour entry is FAILED
 * (sl_dp.nhg_failed). A member found failed gets no traffic, so its entry
 * stays FAILED until the neighbour table deletes it (SL_NEIGH_GC_FAILED_MS)
 * and the next packet tries it again. Liveness proper is BFD's, through
 * the routing daemon and sluiced (docs/sluiced.md, ECMP); this only keeps
 * flows off a next hop that stopped answering ARP/ND. */
static void sl_ctrl_nhg_liveness(struct sl_dp *dp)
{
	const struct sl_bank_header *b = dp->main_w->bank;
	uint64_t bits[SL_NHG_COUNTED / 64] = {0};
	const struct sl_nexthop *nh;

	if (b != NULL && dp->neigh != NULL) {
		nh = SL_BANK_PTR(b, b->nh_off, const struct sl_nexthop);
		for (uint32_t i = 1; i < b->n_nexthops; i++) {
			if (nh[i].type != SL_NH_GROUP)
				continue;
			for (unsigned int k = 0; k < nh[i].grp.n_members && k < SL_NHG_MAX; k++) {
				uint32_t mi = nh[i].grp.member[k];
				const struct sl_neigh_priv *p;
				struct sl_neigh_key key;
				uint16_t port;

				if (mi >= SL_NHG_COUNTED || mi >= b->n_nexthops ||
				    nh[mi].type != SL_NH_GATEWAY || (bits[mi / 64] >> (mi % 64)) & 1)
					continue;
				port = sl_nh_port(&nh[mi]);
				if (port >= RTE_MAX_ETHPORTS)
					continue;
				sl_neigh_key_init(&key, port, nh[mi].vlan, nh[mi].family, nh[mi].via);
				p = sl_neigh_find(dp->neigh, &key);
				if (p != NULL && p->state == SL_NEIGH_FAILED)
					bits[mi / 64] |= UINT64_C(1) << (mi % 64);
			}
		}
	}
	for (unsigned int i = 0; i < SL_NHG_COUNTED / 64; i++)
		atomic_store_explicit(&dp->nhg_failed[i], bits[i], memory_order_relaxed);
}

static void sl_ctrl_dispatch(struct sl_dp *dp, struct rte_mbuf *m, uint64_t now)
{
	switch (sl_meta(m)->punt) {
	case SL_PUNT_ARP:
		sl_exception_copy_to_kernel(dp, m); /* the host resolves too */
		sl_arp_input(dp->neigh, m, now);
		break;
	case SL_PUNT_ND:
		sl_exception_copy_to_kernel(dp, m);
		sl_nd_input(dp->neigh, m, now);
		break;
	case SL_PUNT_EXCEPTION:
		sl_exception_to_kernel(dp, m);
		break;
	case SL_PUNT_UNRESOLVED:
		sl_neigh_resolve(dp->neigh, m, now);
		break;
	default:
		sl_drop(dp->main_w, m, SL_DROP_PUNT_INVALID);
		break;
	}
}

/* A restarted sluiced may have re-created the segment file. */
static bool sl_ctrl_check_segment(struct sl_dp *dp)
{
	char err[256];

	if (!sl_shm_replaced(dp->shm))
		return false;
	if (sl_shm_try_attach(&dp->next_shm, dp->shm->path, err, sizeof(err)) != 0)
		return false; /* gone or not ready: keep forwarding on the old one */
	SL_LOG(NOTICE, "segment %s was re-created: moving to the new one", dp->shm->path);
	dp->reattach = true;
	return true;
}

struct sl_neigh_table *sl_ctrl_neigh_create(struct sl_dp *dp)
{
	return sl_neigh_create("sl_neigh", SL_NEIGH_SIZE, dp->n_workers, dp->main_w, sl_ctrl_xmit,
			       dp);
}

unsigned int sl_ctrl_poll(struct sl_dp *dp)
{
	struct sl_worker *w = dp->main_w;
	const uint64_t hz = rte_get_tsc_hz();
	struct rte_mbuf *pkts[SL_BURST];
	uint64_t now;
	unsigned int n;

	sl_worker_sync(w);
	now = sl_dp_now(dp);
	w->now_tsc = now;
	if (dp->pol)
		sl_police_sync(dp, now);

	n = rte_ring_sc_dequeue_burst(dp->punt_ring, (void **)pkts, SL_BURST, NULL);
	for (unsigned int i = 0; i < n; i++)
		sl_ctrl_dispatch(dp, pkts[i], now);
	n += sl_exception_poll(dp);

	if (now - dp->last_timer_tsc >= hz / 50) {
		sl_neigh_timer(dp->neigh, now);
		dp->last_timer_tsc = now;
	}
	if (now - dp->last_export_tsc >= hz / 10) {
		sl_ctrl_nhg_liveness(dp);
		sl_ctrl_export(dp);
		dp->last_export_tsc = now;
	}
	return n;
}

int sl_ctrl_main(struct sl_dp *dp)
{
	const uint64_t hz = rte_get_tsc_hz();
	uint64_t last_seg = rte_rdtsc();

	dp->reattach = false;
	dp->pol_gen = UINT64_MAX; /* a (re-created) segment: apply its police section afresh */
	sl_worker_online(dp->main_w);
	while (!atomic_load_explicit(&dp->quit, memory_order_relaxed)) {
		unsigned int n = sl_ctrl_poll(dp);
		uint64_t now = dp->main_w->now_tsc;

		if (now - last_seg >= hz) {
			last_seg = now;
			if (sl_ctrl_check_segment(dp))
				break;
		}
		if (n == 0)
			rte_delay_us_sleep(SL_MAIN_IDLE_US);
	}
	sl_ctrl_export(dp);
	sl_worker_offline(dp->main_w);
	return 0;
}
