/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-dp's own DPDK telemetry commands and packet capture set-up.
 *
 * Design note
 * -----------
 * The EAL's telemetry socket (/var/run/dpdk/<file-prefix>/dpdk_telemetry.v2)
 * answers the standard commands (/ethdev/stats, ...) and, registered here,
 * sluice's view of the same process:
 *
 *   /sluice/status      segment, generation, acknowledged generation per
 *                       lcore, workers, ports
 *   /sluice/drops       every drop reason summed over lcores; ",lcores"
 *                       adds the value of each lcore
 *   /sluice/counters    the same for the event counters
 *   /sluice/ports       live rte_eth_stats of each port, with its role, MAC,
 *                       MTU and link (one line per port, not per VLAN)
 *   /sluice/neighbours  the exported neighbour table, SL_TEL_NEIGH_PAGE
 *                       entries from ",OFFSET" (default 0) with "next"
 *   /sluice/lcores      per lcore: slot, online, acknowledged generation,
 *                       packets in and out, drops
 *   /sluice/queues      per port and queue (issue 11): what the worker that
 *                       owns the queue counted: rx/tx packets and bytes,
 *                       tx_full and no_mbuf drops
 *   /sluice/tables      per route table (issue 11): packets and IP bytes
 *                       routed by each VPC's table (by index) and the
 *                       Internet's, summed over lcores; tables with traffic
 *                       only, SL_TEL_RT_PAGE from ",INDEX" with "next"
 *   /sluice/policers    the bandwidth policers sluice-dp applied (the stats
 *                       area's export: index, tag, rate, conforming and
 *                       exceeding packets and bytes), SL_TEL_POL_PAGE from
 *                       ",INDEX" (default 0) with "next"
 *   /sluice/trace_add   ",N": trace the next N received packets (1-255;
 *                       0 stops), a new trace replacing the last
 *   /sluice/trace       the trace's records, SL_TEL_TRACE_PAGE from
 *                       ",OFFSET" (default 0) with "next" (sl_trace.h)
 *   /sluice/nat         the NAT session table: usage, per gateway its
 *                       sessions created / expired / deleted and drops by
 *                       reason, per public IP its ports in use and
 *                       exhaustion drops
 *   /sluice/nat_sessions ",CURSOR[,ADDR[,PORT]]": up to SL_TEL_NAT_PAGE
 *                       sessions from slot CURSOR (default 0) matching the
 *                       address / port, with "next"
 *   /sluice/ip6gw       the IPv6 gateway (issue 6): the egress-only state
 *                       table's capacity, flows held and flows alive (a
 *                       scan of the table, O(capacity)), and every
 *                       ip6gw_* drop reason and counter summed over lcores
 *   /sluice/log_level   the level of each sluice.* log type (keyed "core",
 *                       "port", ...: telemetry names take no dots); with
 *                       ",PATTERN:LEVEL" (a glob, as the EAL's --log-level)
 *                       sets the matching types' level first
 *
 * rte_pdump_init() is called here too, so dpdk-dumpcap (a secondary process
 * with the same --file-prefix) can capture on sluice's ports: the capture
 * callbacks it installs run on the workers' rx/tx paths (DPDK's pdump
 * library, nothing of ours).
 *
 * Concurrency. The callbacks run in the EAL telemetry threads (one per
 * connected client), concurrently with the workers and the main lcore.
 * They only read what other threads write, and never take a lock a worker
 * or the main lcore takes, with one exception: the two NAT commands read
 * the session table through sl_nat_export()/sl_nat_pubip_read(), which
 * hold the table's lock for at most 1,024 session slots (microseconds) at
 * a time, as the main lcore's configuration changes do. Otherwise:
 *   - per-lcore counters in the stats area: each 64-bit word has one writer
 *     (its lcore) and only grows; read with relaxed atomic loads, summed
 *     here. A sum over lcores is not a snapshot of one instant;
 *   - ports: rte_eth_stats_get() (what /ethdev/stats does from the same
 *     thread) and sl_ports[] / the config, immutable once the ports run;
 *   - neighbours: the export in the stats area, copied under its seqcount
 *     (retry while odd or changed), never the live table;
 *   - policers: the export in the stats area, monotonic words read with
 *     relaxed loads (the ids and directions are the tables': sluicectl
 *     policers pairs them);
 *   - segment header: atomics (generation, slots) and immutable fields.
 * The segment and the ports do not live as long as the process: the main
 * lcore replaces the segment when sluiced re-creates it and closes the ports
 * at exit. So the callbacks reach `dp` only through sl_tel_enter(): a reader
 * count (incremented, seq_cst, before the pointer is loaded) and a published
 * pointer that sl_telemetry_detach() clears (seq_cst) before it waits for the
 * count to drop to zero. Only the main lcore ever waits there, for at most
 * one callback (microseconds); workers never touch either word.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_pause.h>
#include <rte_pdump.h>
#include <rte_telemetry.h>

#include "sl_dp.h"
#include "sl_ip6gw.h"
#include "sl_log.h"
#include "sl_nat.h"
#include "sl_telemetry.h"

/* Neighbours per /sluice/neighbours answer: the reply buffer of the
 * telemetry library is 16 KiB and one entry takes about 200 bytes. */
#define SL_TEL_NEIGH_PAGE 48
/* Seqcount retries before a neighbour read gives up (the export takes
 * microseconds every 100 ms, so one retry is already rare). */
#define SL_TEL_SEQ_RETRIES 1000
#define SL_TEL_POL_PAGE 32 /* policers per /sluice/policers answer */

#define SL_NAME(sym, name, desc) name,
static const char *const sl_tel_drop_names[] = {SL_FOREACH_DROP (SL_NAME)};
static const char *const sl_tel_cnt_names[] = {SL_FOREACH_COUNTER (SL_NAME)};
#undef SL_NAME

/* The data plane the callbacks may read, NULL while it is being changed or
 * torn down; see the design note. */
static _Atomic(struct sl_dp *) sl_tel_dp;
static atomic_uint sl_tel_readers;

static struct sl_dp *sl_tel_enter(void)
{
	struct sl_dp *dp;

	atomic_fetch_add(&sl_tel_readers, 1);
	dp = atomic_load(&sl_tel_dp);
	if (!dp)
		atomic_fetch_sub(&sl_tel_readers, 1);
	return dp;
}

static void sl_tel_leave(void)
{
	atomic_fetch_sub_explicit(&sl_tel_readers, 1, memory_order_release);
}

void sl_telemetry_attach(struct sl_dp *dp)
{
	atomic_store(&sl_tel_dp, dp);
}

void sl_telemetry_detach(void)
{
	atomic_store(&sl_tel_dp, NULL);
	while (atomic_load(&sl_tel_readers) != 0)
		rte_pause();
}

static uint64_t sl_tel_u64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Slots announced in the segment (main lcore + workers). */
static unsigned int sl_tel_n_lcores(const struct sl_dp *dp)
{
	unsigned int n = atomic_load(&dp->shm->hdr->dp_n_lcores);

	return n > SL_MAX_LCORES ? SL_MAX_LCORES : n;
}

static void sl_tel_lcore_key(char *b, size_t len, const struct sl_dp *dp, unsigned int slot)
{
	snprintf(b, len, "lcore%u", dp->shm->hdr->lcore[slot].lcore_id);
}

/* Answer for a command that cannot run: {"error": why}. */
static int sl_tel_error(struct rte_tel_data *d, const char *why)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "error", why);
	return 0;
}

static int sl_tel_not_attached(struct rte_tel_data *d)
{
	return sl_tel_error(d, "sluice-dp is not attached to a segment (starting, "
			       "stopping or moving to a re-created one)");
}

static void sl_tel_mac(char *b, size_t len, const uint8_t *m)
{
	snprintf(b, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* ---------------------------------------------------------------------- */

static int sl_tel_status(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct sl_shm_header *h;
	struct rte_tel_data *acks;
	struct sl_dp *dp;
	unsigned int n, online = 0, acked = 0;
	uint64_t gen;

	(void)cmd;
	if (params && *params)
		return sl_tel_error(d, "/sluice/status takes no parameter");
	dp = sl_tel_enter();
	if (!dp)
		return sl_tel_not_attached(d);
	h = dp->shm->hdr;
	gen = atomic_load(&h->generation);
	n = sl_tel_n_lcores(dp);
	acks = rte_tel_data_alloc();
	if (!acks) {
		sl_tel_leave();
		return -ENOMEM;
	}
	rte_tel_data_start_dict(acks);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t ack = atomic_load(&h->lcore[i].ack_generation);
		char key[32];

		if (atomic_load(&h->lcore[i].online)) {
			online++;
			acked += gen > 0 && ack >= gen;
		}
		sl_tel_lcore_key(key, sizeof(key), dp, i);
		rte_tel_data_add_dict_u64(acks, key, ack);
	}

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "segment", dp->shm->path);
	rte_tel_data_add_dict_u64(d, "abi_version", h->abi_version);
	rte_tel_data_add_dict_u64(d, "generation", gen);
	rte_tel_data_add_dict_int(d, "writer_pid", atomic_load(&h->writer_pid));
	rte_tel_data_add_dict_int(d, "dp_pid", atomic_load(&h->dp_pid));
	rte_tel_data_add_dict_u64(d, "main_lcore", rte_get_main_lcore());
	rte_tel_data_add_dict_u64(d, "workers", dp->n_workers);
	rte_tel_data_add_dict_u64(d, "ports", dp->n_ports);
	rte_tel_data_add_dict_u64(d, "lcores_online", online);
	rte_tel_data_add_dict_u64(d, "lcores_acked", acked);
	/* Same rule as `sluicectl status`: tables published and every online
	 * lcore reads them. */
	rte_tel_data_add_dict_int(d, "synced", gen > 0 && online > 0 && acked == online);
	rte_tel_data_add_dict_u64(d, "stats_updated_ns", dp->shm->stats->updated_ns);
	rte_tel_data_add_dict_container(d, "ack_generation", acks, 0);
	sl_tel_leave();
	return 0;
}

/* /sluice/drops and /sluice/counters: kind 0 = drop reasons, 1 = counters. */
static int sl_tel_counts(int kind, const char *cmd, const char *params, struct rte_tel_data *d)
{
	const char *const *names = kind == 0 ? sl_tel_drop_names : sl_tel_cnt_names;
	const unsigned int n = kind == 0 ? SL_DROP_MAX : SL_CNT_MAX;
	const unsigned int first = kind == 0 ? 1 : 0; /* drop reason "none" */
	const struct sl_stats_header *st;
	bool per_lcore = false;
	struct sl_dp *dp;
	unsigned int nl;

	if (params && *params) {
		if (strcmp(params, "lcores") != 0) {
			char why[160];

			snprintf(why, sizeof(why),
				 "unknown parameter \"%.40s\" (%s takes none or \"lcores\")",
				 params, cmd);
			return sl_tel_error(d, why);
		}
		per_lcore = true;
	}
	dp = sl_tel_enter();
	if (!dp)
		return sl_tel_not_attached(d);
	st = dp->shm->stats;
	nl = sl_tel_n_lcores(dp);
	rte_tel_data_start_dict(d);
	for (unsigned int k = first; k < n; k++) {
		struct rte_tel_data *pl = NULL;
		uint64_t tot = 0;

		if (per_lcore) {
			pl = rte_tel_data_alloc();
			if (!pl) {
				sl_tel_leave();
				return -ENOMEM;
			}
			rte_tel_data_start_dict(pl);
		}
		for (unsigned int l = 0; l < nl; l++) {
			const uint64_t *src = kind == 0 ? st->lcore[l].drop : st->lcore[l].cnt;
			uint64_t v = sl_tel_u64(&src[k]);
			char key[32];

			tot += v;
			if (pl) {
				sl_tel_lcore_key(key, sizeof(key), dp, l);
				rte_tel_data_add_dict_u64(pl, key, v);
			}
		}
		if (pl) {
			rte_tel_data_add_dict_u64(pl, "total", tot);
			rte_tel_data_add_dict_container(d, names[k], pl, 0);
		} else {
			rte_tel_data_add_dict_u64(d, names[k], tot);
		}
	}
	sl_tel_leave();
	return 0;
}

static int sl_tel_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return sl_tel_counts(0, cmd, params, d);
}

static int sl_tel_counters(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return sl_tel_counts(1, cmd, params, d);
}

static int sl_tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sl_dp *dp;

	(void)cmd;
	if (params && *params)
		return sl_tel_error(d, "/sluice/ports takes no parameter");
	dp = sl_tel_enter();
	if (!dp)
		return sl_tel_not_attached(d);
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < dp->n_ports; i++) {
		const uint16_t pid = dp->port_ids[i];
		const struct sl_port_info *pi = &sl_ports[pid];
		struct rte_tel_data *o = rte_tel_data_alloc();
		struct rte_eth_stats es;
		struct rte_eth_link link;
		char mac[24];

		if (!o) {
			sl_tel_leave();
			return -ENOMEM;
		}
		memset(&es, 0, sizeof(es));
		memset(&link, 0, sizeof(link));
		rte_eth_stats_get(pid, &es);
		rte_eth_link_get_nowait(pid, &link);
		sl_tel_mac(mac, sizeof(mac), pi->mac.addr_bytes);
		rte_tel_data_start_dict(o);
		rte_tel_data_add_dict_u64(o, "port_id", pid);
		rte_tel_data_add_dict_string(o, "role",
					     pi->role == SL_ROLE_INSIDE ? "inside" : "outside");
		if (pi->role == SL_ROLE_INSIDE)
			rte_tel_data_add_dict_u64(o, "trunk", pi->trunk);
		rte_tel_data_add_dict_int(o, "link_up", link.link_status == RTE_ETH_LINK_UP);
		rte_tel_data_add_dict_string(o, "mac", mac);
		rte_tel_data_add_dict_u64(o, "mtu", pi->mtu);
		rte_tel_data_add_dict_u64(o, "ipackets", es.ipackets);
		rte_tel_data_add_dict_u64(o, "opackets", es.opackets);
		rte_tel_data_add_dict_u64(o, "ibytes", es.ibytes);
		rte_tel_data_add_dict_u64(o, "obytes", es.obytes);
		rte_tel_data_add_dict_u64(o, "imissed", es.imissed);
		rte_tel_data_add_dict_u64(o, "ierrors", es.ierrors);
		rte_tel_data_add_dict_u64(o, "oerrors", es.oerrors);
		rte_tel_data_add_dict_u64(o, "rx_nombuf", es.rx_nombuf);
		/* exception path (issue 8): the main lcore's own counters, read
		 * as the stats area's are (aligned 64-bit words, one writer) */
		rte_tel_data_add_dict_u64(o, "exception_to_kernel", dp->exc_to[pid]);
		rte_tel_data_add_dict_u64(o, "exception_from_kernel", dp->exc_from[pid]);
		rte_tel_data_add_dict_container(d, dp->conf->ports[i].name, o, 0);
	}
	sl_tel_leave();
	return 0;
}

/* The optional index parameter of a paged command: 0 if none, -1 if it is
 * not a number below `max`. */
static int sl_tel_index(const char *params, unsigned long max, unsigned long *off)
{
	char *end;

	*off = 0;
	if (!params || !*params)
		return 0;
	errno = 0;
	*off = strtoul(params, &end, 10);
	return errno || *end || *off >= max ? -1 : 0;
}

/* Copy entries [off, off + SL_TEL_NEIGH_PAGE) of the neighbour export under
 * the stats seqcount. Returns the entries copied, or -EAGAIN if the writer
 * kept it busy. */
static int sl_tel_neigh_read(const struct sl_stats_header *st, uint32_t off,
			     struct sl_neigh_export *out, uint32_t *total)
{
	for (int tries = 0; tries < SL_TEL_SEQ_RETRIES; tries++) {
		uint64_t s1 = atomic_load_explicit(&st->seq, memory_order_acquire);
		uint32_t n, cnt = 0;

		if (s1 & 1) {
			rte_pause();
			continue;
		}
		n = st->n_neigh;
		if (n > SL_MAX_NEIGH_EXPORT)
			n = SL_MAX_NEIGH_EXPORT;
		if (off < n) {
			cnt = n - off < SL_TEL_NEIGH_PAGE ? n - off : SL_TEL_NEIGH_PAGE;
			memcpy(out, &st->neigh[off], cnt * sizeof(*out));
		}
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&st->seq, memory_order_relaxed) == s1) {
			*total = n;
			return (int)cnt;
		}
	}
	return -EAGAIN;
}

static int sl_tel_neighbours(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sl_neigh_export e[SL_TEL_NEIGH_PAGE];
	struct sl_dp *dp;
	unsigned long off = 0;
	uint32_t total = 0;
	int n;

	(void)cmd;
	if (sl_tel_index(params, SL_MAX_NEIGH_EXPORT, &off) < 0)
		return sl_tel_error(d, "/sluice/neighbours takes an entry offset: "
				       "/sluice/neighbours,OFFSET (0 to 8191)");
	dp = sl_tel_enter();
	if (!dp)
		return sl_tel_not_attached(d);
	n = sl_tel_neigh_read(dp->shm->stats, (uint32_t)off, e, &total);
	sl_tel_leave();
	if (n < 0)
		return sl_tel_error(d, "the neighbour export kept changing: try again");

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", total);
	rte_tel_data_add_dict_u64(d, "offset", off);
	rte_tel_data_add_dict_u64(d, "count", (uint64_t)n);
	if (off + (unsigned long)n < total)
		rte_tel_data_add_dict_u64(d, "next", off + (unsigned long)n);
	for (int i = 0; i < n; i++) {
		struct rte_tel_data *o = rte_tel_data_alloc();
		char addr[INET6_ADDRSTRLEN], mac[24], key[24];

		if (!o)
			return -ENOMEM;
		if (!inet_ntop(e[i].family == SL_AF_INET6 ? AF_INET6 : AF_INET, e[i].addr, addr,
			       sizeof(addr)))
			snprintf(addr, sizeof(addr), "?");
		sl_tel_mac(mac, sizeof(mac), e[i].mac);
		rte_tel_data_start_dict(o);
		rte_tel_data_add_dict_string(o, "address", addr);
		rte_tel_data_add_dict_string(o, "mac", mac);
		rte_tel_data_add_dict_string(o, "state", sl_neigh_state_name(e[i].state));
		rte_tel_data_add_dict_string(
		    o, "port_role", e[i].port_role == SL_ROLE_INSIDE ? "inside" : "outside");
		rte_tel_data_add_dict_u64(o, "trunk", e[i].trunk);
		rte_tel_data_add_dict_u64(o, "vlan", e[i].vlan);
		/* -1: the Internet side (no VPC). */
		rte_tel_data_add_dict_int(
		    o, "vpc_index", e[i].vpc_index == SL_VPC_INTERNET ? -1 : (int)e[i].vpc_index);
		rte_tel_data_add_dict_u64(o, "queued", e[i].n_queued);
		rte_tel_data_add_dict_u64(o, "age_ms", e[i].age_ms);
		snprintf(key, sizeof(key), "%lu", off + (unsigned long)i);
		rte_tel_data_add_dict_container(d, key, o, 0);
	}
	return 0;
}

static int sl_tel_policers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sl_pol_export e[SL_TEL_POL_PAGE];
	uint32_t idx[SL_TEL_POL_PAGE], n = 0, total, i;
	unsigned long off = 0;
	struct sl_dp *dp;

	(void)cmd;
	if (sl_tel_index(params, SL_MAX_POL_EXPORT, &off) < 0)
		return sl_tel_error(d, "/sluice/policers takes a policer index to start "
				       "from: /sluice/policers,INDEX (0 to 16383)");
	dp = sl_tel_enter();
	if (!dp)
		return sl_tel_not_attached(d);
	total = __atomic_load_n(&dp->shm->stats->n_pol_export, __ATOMIC_RELAXED);
	total = total < SL_MAX_POL_EXPORT ? total : SL_MAX_POL_EXPORT;
	for (i = (uint32_t)off; i < total && n < SL_TEL_POL_PAGE; i++) {
		const uint64_t *w = (const uint64_t *)&dp->shm->stats->pol[i];

		if (sl_tel_u64(&w[0]) == 0)
			continue; /* not applied */
		e[n] = (struct sl_pol_export){sl_tel_u64(&w[0]), sl_tel_u64(&w[1]), sl_tel_u64(&w[2]),
					      sl_tel_u64(&w[3]), sl_tel_u64(&w[4]), sl_tel_u64(&w[5])};
		idx[n++] = i;
	}
	sl_tel_leave();

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "exported", total);
	rte_tel_data_add_dict_u64(d, "count", n);
	if (i < total)
		rte_tel_data_add_dict_u64(d, "next", i);
	for (uint32_t k = 0; k < n; k++) {
		struct rte_tel_data *o = rte_tel_data_alloc();
		char key[16];

		if (!o)
			return -ENOMEM;
		rte_tel_data_start_dict(o);
		rte_tel_data_add_dict_u64(o, "tag", e[k].tag);
		rte_tel_data_add_dict_u64(o, "rate_bytes_per_s", e[k].rate);
		rte_tel_data_add_dict_u64(o, "conform_packets", e[k].conform_pkts);
		rte_tel_data_add_dict_u64(o, "conform_bytes", e[k].conform_bytes);
		rte_tel_data_add_dict_u64(o, "exceed_packets", e[k].exceed_pkts);
		rte_tel_data_add_dict_u64(o, "exceed_bytes", e[k].exceed_bytes);
		snprintf(key, sizeof(key), "%u", idx[k]);
		rte_tel_data_add_dict_container(d, key, o, 0);
	}
	return 0;
}

/* ---- operators' counters (issue 11) ------------------------------------ */

#define SL_TEL_RT_PAGE 64 /* route tables per /sluice/tables answer */

/* A queue counter summed over nothing: one worker owns the queue. */
static uint64_t sl_tel_q(const struct sl_queue_stats *q, size_t off)
{
	return sl_tel_u64((const uint64_t *)((const uint8_t *)q + off));
}

static int sl_tel_queues(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static const struct {
		const char *name;
		size_t off;
	} f[] = {
	    {"rx_packets", offsetof(struct sl_queue_stats, rx_pkts)},
	    {"rx_bytes", offsetof(struct sl_queue_stats, rx_bytes)},
	    {"tx_packets", offsetof(struct sl_queue_stats, tx_pkts)},
	    {"tx_bytes", offsetof(struct sl_queue_stats, tx_bytes)},
	    {"tx_full", offsetof(struct sl_queue_stats, tx_full)},
	    {"no_mbuf", offsetof(struct sl_queue_stats, no_mbuf)},
	};
	struct sl_dp *dp;
	unsigned int nl;

	(void)cmd;
	if (params && *params)
		return sl_tel_error(d, "/sluice/queues takes no parameter");
	dp = sl_tel_enter();
	if (!dp)
		return sl_tel_not_attached(d);
	nl = sl_tel_n_lcores(dp);
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < dp->n_ports && i < SL_MAX_PORTS; i++) {
		for (unsigned int slot = 1; slot < nl; slot++) { /* slot 0 owns no queue */
			const struct sl_queue_stats *q = &dp->shm->stats->queue[slot][i];
			struct rte_tel_data *o = rte_tel_data_alloc();
			char key[64], name[SL_PORT_NAME_LEN + 8];

			if (!o) {
				sl_tel_leave();
				return -ENOMEM;
			}
			if (dp->conf)
				snprintf(name, sizeof(name), "%s", dp->conf->ports[i].name);
			else /* tests: no config */
				snprintf(name, sizeof(name), "port%u", i);
			rte_tel_data_start_dict(o);
			rte_tel_data_add_dict_string(o, "port", name);
			rte_tel_data_add_dict_u64(o, "port_id", dp->port_ids[i]);
			rte_tel_data_add_dict_u64(o, "queue", slot - 1);
			rte_tel_data_add_dict_u64(o, "lcore", dp->shm->hdr->lcore[slot].lcore_id);
			for (size_t k = 0; k < RTE_DIM(f); k++)
				rte_tel_data_add_dict_u64(o, f[k].name, sl_tel_q(q, f[k].off));
			snprintf(key, sizeof(key), "%s_q%u", name, slot - 1);
			rte_tel_data_add_dict_container(d, key, o, 0);
		}
	}
	sl_tel_leave();
	return 0;
}

static int sl_tel_tables(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t pk[SL_TEL_RT_PAGE], by[SL_TEL_RT_PAGE];
	uint32_t idx[SL_TEL_RT_PAGE], n = 0, t;
	unsigned long off = 0;
	struct sl_dp *dp;
	unsigned int nl;

	(void)cmd;
	if (sl_tel_index(params, SL_RT_STATS, &off) < 0)
		return sl_tel_error(d, "/sluice/tables takes a table index to start from: "
				       "/sluice/tables,INDEX (0 to 16383)");
	dp = sl_tel_enter();
	if (!dp)
		return sl_tel_not_attached(d);
	nl = sl_tel_n_lcores(dp);
	for (t = (uint32_t)off; t < SL_RT_STATS && n < SL_TEL_RT_PAGE; t++) {
		uint64_t p = 0, b = 0;

		for (unsigned int l = 0; l < nl; l++) {
			p += sl_tel_u64(&dp->shm->stats->rt[l][t].pkts);
			b += sl_tel_u64(&dp->shm->stats->rt[l][t].bytes);
		}
		if (p == 0)
			continue;
		pk[n] = p;
		by[n] = b;
		idx[n++] = t;
	}
	sl_tel_leave();
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "count", n);
	if (t < SL_RT_STATS)
		rte_tel_data_add_dict_u64(d, "next", t);
	for (uint32_t k = 0; k < n; k++) {
		struct rte_tel_data *o = rte_tel_data_alloc();
		char key[24];

		if (!o)
			return -ENOMEM;
		rte_tel_data_start_dict(o);
		/* -1: the Internet table, as /sluice/neighbours */
		rte_tel_data_add_dict_int(o, "vpc_index",
					  idx[k] == SL_RT_STATS_INET ? -1 : (int)idx[k]);
		rte_tel_data_add_dict_u64(o, "packets", pk[k]);
		rte_tel_data_add_dict_u64(o, "bytes", by[k]);
		if (idx[k] == SL_RT_STATS_INET)
			snprintf(key, sizeof(key), "internet");
		else
			snprintf(key, sizeof(key), "vpc%u", idx[k]);
		rte_tel_data_add_dict_container(d, key, o, 0);
	}
	return 0;
}

static int sl_tel_lcores(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct sl_shm_header *h;
	const struct sl_stats_header *st;
	struct sl_dp *dp;
	unsigned int n;
	uint64_t gen;

	(void)cmd;
	if (params && *params)
		return sl_tel_error(d, "/sluice/lcores takes no parameter");
	dp = sl_tel_enter();
	if (!dp)
		return sl_tel_not_attached(d);
	h = dp->shm->hdr;
	st = dp->shm->stats;
	gen = atomic_load(&h->generation);
	n = sl_tel_n_lcores(dp);
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < n; i++) {
		struct rte_tel_data *o = rte_tel_data_alloc();
		uint64_t ack = atomic_load(&h->lcore[i].ack_generation), drops = 0;
		char key[32];

		if (!o) {
			sl_tel_leave();
			return -ENOMEM;
		}
		for (unsigned int k = 1; k < SL_DROP_MAX; k++)
			drops += sl_tel_u64(&st->lcore[i].drop[k]);
		rte_tel_data_start_dict(o);
		rte_tel_data_add_dict_u64(o, "slot", i);
		/* Slot 0 is the main lcore, slot i + 1 worker i (main.c). */
		rte_tel_data_add_dict_string(o, "role", i == 0 ? "main" : "worker");
		rte_tel_data_add_dict_int(o, "online", (int)atomic_load(&h->lcore[i].online));
		rte_tel_data_add_dict_u64(o, "ack_generation", ack);
		rte_tel_data_add_dict_int(o, "acked", gen > 0 && ack >= gen);
		rte_tel_data_add_dict_u64(o, "rx_packets",
					  sl_tel_u64(&st->lcore[i].cnt[SL_CNT_RX_PKTS]));
		rte_tel_data_add_dict_u64(o, "tx_packets",
					  sl_tel_u64(&st->lcore[i].cnt[SL_CNT_TX_PKTS]));
		rte_tel_data_add_dict_u64(o, "punted",
					  sl_tel_u64(&st->lcore[i].cnt[SL_CNT_PUNTED]));
		rte_tel_data_add_dict_u64(o, "drops", drops);
		sl_tel_lcore_key(key, sizeof(key), dp, i);
		rte_tel_data_add_dict_container(d, key, o, 0);
	}
	sl_tel_leave();
	return 0;
}

/* Records per /sluice/trace answer: one takes about 180 bytes of the
 * 16 KiB reply buffer. */
#define SL_TEL_TRACE_PAGE 64

static const char *sl_tel_trace_kind(uint8_t kind)
{
	static const char *const names[] = {"rx", "next", "drop", "note", "tx"};

	return kind < RTE_DIM(names) ? names[kind] : "?";
}

/* What a command needs besides an attached data plane. */
enum sl_tel_need { SL_TEL_NEED_TRACE, SL_TEL_NEED_NAT };

/* sl_tel_enter() for a command that needs the packet trace or the NAT
 * session table: NULL (not entered) with the error answer in d. */
static struct sl_dp *sl_tel_enter_need(struct rte_tel_data *d, enum sl_tel_need need)
{
	struct sl_dp *dp = sl_tel_enter();

	if (!dp) {
		sl_tel_not_attached(d);
		return NULL;
	}
	if (need == SL_TEL_NEED_TRACE && !dp->trace) {
		sl_tel_leave();
		sl_tel_error(d, "the packet trace is off (no memory at start-up)");
		return NULL;
	}
	if (need == SL_TEL_NEED_NAT && !dp->nat) {
		sl_tel_leave();
		sl_tel_error(d, "no NAT session table (sluice-dp's config has no nat_sessions)");
		return NULL;
	}
	return dp;
}

/* Every drop reason (kind 0) or counter (1) whose name starts with
 * `prefix`, summed over lcores, into dict `o`. */
static void sl_tel_sum_prefixed(const struct sl_dp *dp, int kind, const char *prefix,
				struct rte_tel_data *o)
{
	const struct sl_stats_header *st = dp->shm->stats;
	const char *const *names = kind == 0 ? sl_tel_drop_names : sl_tel_cnt_names;
	unsigned int n = kind == 0 ? SL_DROP_MAX : SL_CNT_MAX, nl = sl_tel_n_lcores(dp);

	rte_tel_data_start_dict(o);
	for (unsigned int k = 0; k < n; k++) {
		uint64_t tot = 0;

		if (strncmp(names[k], prefix, strlen(prefix)) != 0)
			continue;
		for (unsigned int l = 0; l < nl; l++)
			tot += sl_tel_u64(kind == 0 ? &st->lcore[l].drop[k] : &st->lcore[l].cnt[k]);
		rte_tel_data_add_dict_u64(o, names[k], tot);
	}
}

static int sl_tel_ip6gw(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *drops, *cnts;
	uint32_t held = 0, cap = 0;
	struct sl_dp *dp;

	(void)cmd;
	if (params && *params)
		return sl_tel_error(d, "/sluice/ip6gw takes no parameter");
	dp = sl_tel_enter();
	if (!dp)
		return sl_tel_not_attached(d);
	drops = rte_tel_data_alloc();
	cnts = rte_tel_data_alloc();
	if (!drops || !cnts) {
		sl_tel_leave();
		rte_tel_data_free(drops);
		rte_tel_data_free(cnts);
		return -ENOMEM;
	}
	if (dp->ip6eo)
		sl_ip6eo_usage(dp->ip6eo, &held, &cap);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "egress_only_capacity", cap);
	rte_tel_data_add_dict_u64(d, "egress_only_flows", held);
	rte_tel_data_add_dict_u64(d, "egress_only_alive",
				  dp->ip6eo ? sl_ip6eo_count(dp->ip6eo, sl_dp_now(dp)) : 0);
	sl_tel_sum_prefixed(dp, 0, "ip6gw_", drops);
	sl_tel_sum_prefixed(dp, 1, "ip6gw_", cnts);
	rte_tel_data_add_dict_container(d, "drops", drops, 0);
	rte_tel_data_add_dict_container(d, "counters", cnts, 0);
	sl_tel_leave();
	return 0;
}

/* Sessions per /sluice/nat_sessions answer (about 250 bytes each). */
#define SL_TEL_NAT_PAGE 48

static void sl_tel_ip4(char *b, size_t len, uint32_t a)
{
	snprintf(b, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static const char *sl_tel_proto(uint8_t p)
{
	return p == 6 ? "tcp" : p == 17 ? "udp" : p == 1 ? "icmp" : "?";
}

static int sl_tel_nat_sessions(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sl_nat_session_info info[SL_TEL_NAT_PAGE];
	struct sl_nat_filter f = {.gw = SL_NAT_ANY_GW};
	char buf[128], *tok, *save = NULL;
	uint32_t cursor = 0, n;
	struct sl_dp *dp;
	uint64_t hz;

	(void)cmd;
	if (params && *params) {
		snprintf(buf, sizeof(buf), "%s", params);
		for (int i = 0; (tok = strtok_r(i ? NULL : buf, ",", &save)) != NULL; i++) {
			struct in_addr a;
			char *end;
			unsigned long v;

			errno = 0;
			if (i == 0) {
				v = strtoul(tok, &end, 10);
				if (errno || *end || v > UINT32_MAX)
					goto bad;
				cursor = (uint32_t)v;
			} else if (i == 1 && inet_pton(AF_INET, tok, &a) == 1) {
				f.addr = ntohl(a.s_addr);
			} else if (i == 1 && strcmp(tok, "any") == 0) {
				f.addr = 0;
			} else if (i == 2) {
				v = strtoul(tok, &end, 10);
				if (errno || *end || v > 65535)
					goto bad;
				f.port = (uint16_t)v;
			} else {
				goto bad;
			}
		}
	}
	dp = sl_tel_enter_need(d, SL_TEL_NEED_NAT);
	if (!dp)
		return 0;
	hz = rte_get_tsc_hz();
	n = sl_nat_export(dp->nat, &f, sl_dp_now(dp), &cursor, info, SL_TEL_NAT_PAGE);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "count", n);
	if (cursor < dp->nat->conf.max_sessions)
		rte_tel_data_add_dict_u64(d, "next", cursor);
	sl_tel_leave();
	for (uint32_t i = 0; i < n; i++) {
		const struct sl_nat_session_info *s = &info[i];
		struct rte_tel_data *o = rte_tel_data_alloc();
		char key[16], ip[16];

		if (!o)
			return -ENOMEM;
		rte_tel_data_start_dict(o);
		rte_tel_data_add_dict_u64(o, "gw", s->gw);
		rte_tel_data_add_dict_string(o, "proto", sl_tel_proto(s->in.proto));
		sl_tel_ip4(ip, sizeof(ip), s->in.src);
		rte_tel_data_add_dict_string(o, "inside", ip);
		rte_tel_data_add_dict_u64(o, "inside_port", s->in.sport);
		sl_tel_ip4(ip, sizeof(ip), s->out.dst);
		rte_tel_data_add_dict_string(o, "public", ip);
		rte_tel_data_add_dict_u64(o, "public_port", s->out.dport);
		sl_tel_ip4(ip, sizeof(ip), s->in.dst);
		rte_tel_data_add_dict_string(o, "remote", ip);
		rte_tel_data_add_dict_u64(o, "remote_port", s->in.dport);
		rte_tel_data_add_dict_u64(o, "tcp_flags_seen", s->tcp);
		rte_tel_data_add_dict_u64(o, "idle_ms", s->idle * 1000 / hz);
		rte_tel_data_add_dict_u64(o, "timeout_s", s->timeout / hz);
		snprintf(key, sizeof(key), "%u", i);
		rte_tel_data_add_dict_container(d, key, o, 0);
	}
	return 0;
bad:
	return sl_tel_error(d, "/sluice/nat_sessions takes CURSOR[,ADDR|any[,PORT]], e.g. "
			       "/sluice/nat_sessions,0,198.18.0.1");
}

static int sl_tel_nat(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sl_nat_usage u;
	struct rte_tel_data *gws, *ips;
	struct sl_dp *dp;

	(void)cmd;
	(void)params;
	dp = sl_tel_enter_need(d, SL_TEL_NEED_NAT);
	if (!dp)
		return 0;
	gws = rte_tel_data_alloc();
	ips = rte_tel_data_alloc();
	if (!gws || !ips) {
		sl_tel_leave();
		rte_tel_data_free(gws);
		rte_tel_data_free(ips);
		return -ENOMEM;
	}
	sl_nat_usage(dp->nat, &u);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "capacity", dp->nat->conf.max_sessions);
	rte_tel_data_add_dict_u64(d, "sessions", u.sessions);
	rte_tel_data_add_dict_u64(d, "mappings", u.mappings);
	rte_tel_data_add_dict_u64(d, "pending", u.pending);
	rte_tel_data_add_dict_u64(d, "free", u.free);
	rte_tel_data_start_dict(gws);
	for (uint16_t g = 0; g < dp->nat->conf.max_gws; g++) {
		struct sl_nat_gw_stats gs;
		char key[16];

		if (dp->nat->gw[g].max_sessions == 0)
			continue;
		sl_nat_gw_stats_read(dp->nat, g, &gs);
		snprintf(key, sizeof(key), "gw%u", g);
		{
			struct rte_tel_data *o = rte_tel_data_alloc();
			uint64_t drops = 0;

			if (!o)
				break;
			for (unsigned int r = 1; r < SL_NAT_DROP_MAX; r++)
				drops += gs.drop[r];
			rte_tel_data_start_dict(o);
			rte_tel_data_add_dict_u64(o, "live", atomic_load(&dp->nat->gw[g].n_sessions));
			rte_tel_data_add_dict_u64(o, "max_sessions", dp->nat->gw[g].max_sessions);
			rte_tel_data_add_dict_u64(o, "created", gs.created);
			rte_tel_data_add_dict_u64(o, "expired", gs.expired);
			rte_tel_data_add_dict_u64(o, "deleted", gs.deleted);
			rte_tel_data_add_dict_u64(o, "drops", drops);
			for (unsigned int r = 1; r < SL_NAT_DROP_MAX; r++)
				if (gs.drop[r])
					rte_tel_data_add_dict_u64(
					    o, sl_nat_counter_name((enum sl_nat_counter)r), gs.drop[r]);
			rte_tel_data_add_dict_container(gws, key, o, 0);
		}
	}
	rte_tel_data_start_dict(ips);
	for (uint16_t i = 0; i < dp->nat->conf.max_pubips; i++) {
		struct sl_nat_pubip_info pi;
		struct rte_tel_data *o;
		char ip[16];

		if (sl_nat_pubip_read(dp->nat, i, &pi) < 0 || pi.addr == 0)
			continue;
		o = rte_tel_data_alloc();
		if (!o)
			break;
		sl_tel_ip4(ip, sizeof(ip), pi.addr);
		rte_tel_data_start_dict(o);
		rte_tel_data_add_dict_u64(o, "gw", pi.gw);
		rte_tel_data_add_dict_u64(o, "tcp_ports", pi.ports[0]);
		rte_tel_data_add_dict_u64(o, "udp_ports", pi.ports[1]);
		rte_tel_data_add_dict_u64(o, "icmp_ids", pi.ports[2]);
		rte_tel_data_add_dict_u64(o, "exhausted", pi.exhausted);
		/* keyed by address: telemetry names take no dots */
		for (char *c = ip; *c; c++)
			if (*c == '.')
				*c = '_';
		rte_tel_data_add_dict_container(ips, ip, o, 0);
	}
	sl_tel_leave();
	rte_tel_data_add_dict_container(d, "gateways", gws, 0);
	rte_tel_data_add_dict_container(d, "public_ips", ips, 0);
	return 0;
}


static int sl_tel_trace_add(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sl_dp *dp;
	unsigned long n;
	char *end;

	(void)cmd;
	errno = 0;
	n = params && *params ? strtoul(params, &end, 10) : ULONG_MAX;
	if (!params || !*params || errno || *end || n > SL_TRACE_MAX_PKTS)
		return sl_tel_error(d, "/sluice/trace_add takes the number of packets: "
				       "/sluice/trace_add,N (1 to 255; 0 stops)");
	dp = sl_tel_enter_need(d, SL_TEL_NEED_TRACE);
	if (!dp)
		return 0;
	sl_trace_arm(dp->trace, (unsigned int)n);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "epoch", atomic_load(&dp->trace->epoch));
	rte_tel_data_add_dict_u64(d, "armed", n);
	sl_tel_leave();
	return 0;
}

static int sl_tel_trace(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sl_trace_rec *rec;
	struct sl_dp *dp;
	unsigned long off = 0;
	unsigned int total;
	uint32_t claimed = 0;
	uint64_t lost = 0, hz, t0;

	(void)cmd;
	if (params && *params) {
		char *end;

		errno = 0;
		off = strtoul(params, &end, 10);
		if (errno || *end || off >= (unsigned long)SL_TRACE_RECS * SL_MAX_LCORES)
			return sl_tel_error(d, "/sluice/trace takes a record offset: "
					       "/sluice/trace,OFFSET");
	}
	dp = sl_tel_enter_need(d, SL_TEL_NEED_TRACE);
	if (!dp)
		return 0;
	rec = malloc((size_t)dp->trace->n_lcores * SL_TRACE_RECS * sizeof(*rec));
	if (!rec) {
		sl_tel_leave();
		return -ENOMEM;
	}
	total = sl_trace_read(dp->trace, rec, dp->trace->n_lcores * SL_TRACE_RECS, &claimed, &lost);
	hz = dp->trace->tsc_hz;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "epoch", atomic_load(&dp->trace->epoch));
	rte_tel_data_add_dict_u64(d, "armed", dp->trace->armed);
	rte_tel_data_add_dict_u64(d, "claimed", claimed);
	rte_tel_data_add_dict_u64(d, "lost", lost);
	rte_tel_data_add_dict_u64(d, "total", total);
	rte_tel_data_add_dict_u64(d, "offset", off);
	sl_tel_leave();
	if (off + SL_TEL_TRACE_PAGE < total)
		rte_tel_data_add_dict_u64(d, "next", off + SL_TEL_TRACE_PAGE);
	for (unsigned long i = off; i < total && i < off + SL_TEL_TRACE_PAGE; i++) {
		const struct sl_trace_rec *r = &rec[i];
		struct rte_tel_data *o = rte_tel_data_alloc();
		char key[24];
		const char *what = "";

		if (!o) {
			free(rec);
			return -ENOMEM;
		}
		/* time from the packet's first record */
		t0 = r->tsc;
		for (unsigned long j = i; j > 0 && rec[j - 1].pkt == r->pkt; j--)
			t0 = rec[j - 1].tsc;
		rte_tel_data_start_dict(o);
		rte_tel_data_add_dict_u64(o, "packet", r->pkt);
		rte_tel_data_add_dict_u64(o, "lcore_slot", r->lcore);
		rte_tel_data_add_dict_u64(o, "ns", (r->tsc - t0) * 1000000000ull / hz);
		rte_tel_data_add_dict_string(o, "stage", r->stage < SL_STAGE_MAX
							     ? sl_stage_names[r->stage]
							     : "inject");
		rte_tel_data_add_dict_string(o, "event", sl_tel_trace_kind(r->kind));
		if (r->kind == SL_TRACE_NEXT)
			what = r->arg < SL_STAGE_MAX ? sl_stage_names[r->arg] : "?";
		else if (r->kind == SL_TRACE_DROP)
			what = r->arg < SL_DROP_MAX ? sl_tel_drop_names[r->arg] : "?";
		if (*what)
			rte_tel_data_add_dict_string(o, "to", what);
		if (r->kind == SL_TRACE_TX || r->kind == SL_TRACE_RX)
			rte_tel_data_add_dict_u64(o, "port", r->arg);
		if (r->note[0])
			rte_tel_data_add_dict_string(o, "note", r->note);
		snprintf(key, sizeof(key), "%lu", i);
		rte_tel_data_add_dict_container(d, key, o, 0);
	}
	free(rec);
	return 0;
}

static const char *const sl_tel_level_names[] = {
    [RTE_LOG_EMERG] = "emerg", [RTE_LOG_ALERT] = "alert",     [RTE_LOG_CRIT] = "crit",
    [RTE_LOG_ERR] = "error",   [RTE_LOG_WARNING] = "warning", [RTE_LOG_NOTICE] = "notice",
    [RTE_LOG_INFO] = "info",   [RTE_LOG_DEBUG] = "debug",
};

/* Needs no data plane: log types live as long as the process. */
static int sl_tel_log_level(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	if (params && *params) {
		char pattern[128];
		const char *colon = strrchr(params, ':');
		int level = -1;

		if (colon && colon != params && (size_t)(colon - params) < sizeof(pattern))
			for (int l = (int)RTE_LOG_EMERG; l <= (int)RTE_LOG_DEBUG; l++)
				if (strcmp(colon + 1, sl_tel_level_names[l]) == 0)
					level = l;
		if (level < 0)
			return sl_tel_error(d, "/sluice/log_level takes PATTERN:LEVEL, e.g. "
					       "sluice.port:debug or sluice.*:info; levels emerg, "
					       "alert, crit, error, warning, notice, info, debug");
		snprintf(pattern, sizeof(pattern), "%.*s", (int)(colon - params), params);
		if (rte_log_set_level_pattern(pattern, (uint32_t)level) < 0)
			return sl_tel_error(d, "cannot set the level (out of memory)");
		SL_LOG(NOTICE, "log level of %s set to %s (telemetry)", pattern,
		       sl_tel_level_names[level]);
	}
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < sl_n_logtypes; i++) {
		int l = rte_log_get_level((uint32_t)*sl_logtypes[i].type);

		/* keyed without "sluice.": telemetry names take no dots */
		rte_tel_data_add_dict_string(d, sl_logtypes[i].name + strlen("sluice."),
					     l >= (int)RTE_LOG_EMERG && l <= (int)RTE_LOG_DEBUG
						 ? sl_tel_level_names[l]
						 : "?");
	}
	return 0;
}

/* Help texts stay under 128 bytes: rte_telemetry_register_cmd() refuses
 * longer ones (EINVAL), and sluice-dp does not start then. */
static const struct {
	const char *cmd;
	telemetry_cb fn;
	const char *help;
} sl_tel_cmds[] = {
    {"/sluice/status", sl_tel_status,
     "sluice-dp: segment, table generation, acknowledged generation per lcore, workers, ports. "
     "No parameters"},
    {"/sluice/drops", sl_tel_drops,
     "sluice-dp: packets dropped per reason, summed over lcores. Parameter: lcores (per-lcore "
     "values)"},
    {"/sluice/counters", sl_tel_counters,
     "sluice-dp: event counters summed over lcores. Parameter: lcores (per-lcore values)"},
    {"/sluice/ports", sl_tel_ports,
     "sluice-dp: per port: role, link, MAC, MTU and rte_eth_stats. No parameters"},
    {"/sluice/neighbours", sl_tel_neighbours,
     "sluice-dp: the exported neighbour table, 48 entries from an offset. Parameter: offset "
     "(default 0)"},
    {"/sluice/policers", sl_tel_policers,
     "sluice-dp: bandwidth policers applied, with their counters (32 from an index). "
     "Parameter: index (default 0)"},
    {"/sluice/trace_add", sl_tel_trace_add,
     "sluice-dp: trace the next N received packets (replaces the last trace). Parameter: N "
     "(1-255; 0 stops)"},
    {"/sluice/trace", sl_tel_trace,
     "sluice-dp: the packet trace's records, 64 from an offset. Parameter: offset (default 0)"},
    {"/sluice/nat", sl_tel_nat,
     "sluice-dp: NAT session table: usage, per gateway and per public IP. No parameters"},
    {"/sluice/nat_sessions", sl_tel_nat_sessions,
     "sluice-dp: NAT sessions, 48 from a slot. Parameters: CURSOR[,ADDR|any[,PORT]]"},
    {"/sluice/ip6gw", sl_tel_ip6gw,
     "sluice-dp: IPv6 gateway: egress-only flows (capacity, held, alive), ip6gw drops and "
     "counters. No parameters"},
    {"/sluice/log_level", sl_tel_log_level,
     "sluice-dp: level of each sluice.* log type. Parameter: PATTERN:LEVEL to set first, e.g. "
     "sluice.port:debug"},
    {"/sluice/queues", sl_tel_queues,
     "sluice-dp: per port and queue: rx/tx packets and bytes, tx_full and no_mbuf drops. No "
     "parameters"},
    {"/sluice/tables", sl_tel_tables,
     "sluice-dp: packets and bytes routed per route table (VPC index, internet), 64 from an "
     "index. Parameter: index"},
    {"/sluice/lcores", sl_tel_lcores,
     "sluice-dp: per lcore: slot, role, online, acknowledged generation, packets, drops. No "
     "parameters"},
};

static bool sl_tel_pdump_on;

int sl_telemetry_init(void)
{
	int rc;

	for (size_t i = 0; i < RTE_DIM(sl_tel_cmds); i++) {
		rc = rte_telemetry_register_cmd(sl_tel_cmds[i].cmd, sl_tel_cmds[i].fn,
						sl_tel_cmds[i].help);
		if (rc < 0) {
			SL_LOG(ERR, "cannot register telemetry command %s: %s", sl_tel_cmds[i].cmd,
			       strerror(-rc));
			return rc;
		}
	}
	/* Capture needs a secondary process to map our memory; without that
	 * sluice-dp forwards all the same. rte_pdump_init() itself succeeds in
	 * most such modes, so say what we can detect. */
	if (rte_pdump_init() < 0) {
		SL_LOG(WARNING, "packet capture (dpdk-dumpcap) unavailable: rte_pdump_init: %s",
		       rte_strerror(rte_errno));
		return 0;
	}
	sl_tel_pdump_on = true;
	if (!rte_eal_has_hugepages())
		SL_LOG(NOTICE, "no hugepages (--no-huge): dpdk-dumpcap cannot attach to this "
			       "process");
	return 0;
}

void sl_telemetry_fini(void)
{
	if (sl_tel_pdump_on)
		rte_pdump_uninit();
	sl_tel_pdump_on = false;
}
