/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus text exposition (format 0.0.4) of the whole gateway, served by
 * sluiced at GET /metrics on its --listen address (docs/operations.md,
 * *Metrics*).
 *
 * Design note: sluiced already maps the segment, so one scrape of sluiced
 * shows both processes: the control plane's own state (generations, objects
 * by kind and status) and sluice-dp's stats area (drop reasons and counters
 * summed over the lcores, port counters, neighbours by state, and, issue
 * 11, per-queue counters and packets and bytes per route table, the VPCs'
 * labelled with their ids from the store and the compiler's indexes). The per-lcore
 * counters are read unguarded (each is one aligned 64-bit word written by
 * one lcore; a scrape may see one lcore a burst earlier than another, which
 * counters tolerate); the snapshot part (ports, neighbours) is copied under
 * the stats area's sequence counter and retried a bounded number of times.
 * Counter names are the stable operator names of sl_counters.h.
 *
 * Concurrency: called on sluiced's event loop (the store and the writer are
 * the loop's); reads the stats area, which only sluice-dp writes.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_compile.h"
#include "sl_counters.h"
#include "sl_ctl.h"
#include "sl_metrics.h"
#include "sl_shm_writer.h"
#include "sl_store.h"

#define SL_METRICS_SNAP_TRIES 1000
#define SL_NEIGH_NSTATES (SL_NEIGH_FAILED + 1)

static const char *const sl_drop_metric_names[] = {
#define SL_DROP_NAME(sym, name, desc) name,
    SL_FOREACH_DROP (SL_DROP_NAME)
#undef SL_DROP_NAME
};
static const char *const sl_cnt_metric_names[] = {
#define SL_CNT_NAME(sym, name, desc) name,
    SL_FOREACH_COUNTER (SL_CNT_NAME)
#undef SL_CNT_NAME
};

/* A growing text buffer; on allocation failure it stays failed. */
struct sl_mbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void sl_out(struct sl_mbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sl_out(struct sl_mbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap * 2 + (size_t)n + 1;
		char *p = realloc(b->p, cap);

		if (p == NULL) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
}

/* # HELP and # TYPE of one metric family. */
static void sl_family(struct sl_mbuf *b, const char *name, const char *type, const char *help)
{
	sl_out(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values are names sluice chose (ids, port names): escape anyway. */
static const char *sl_label(char *buf, size_t size, const char *s, size_t max)
{
	size_t o = 0;

	for (size_t i = 0; i < max && s[i] && o + 3 < size; i++) {
		if (s[i] == '\\' || s[i] == '"') {
			buf[o++] = '\\';
			buf[o++] = s[i];
		} else if (s[i] == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else {
			buf[o++] = s[i];
		}
	}
	buf[o] = '\0';
	return buf;
}

/* sl_objects() reads every kind's objects as their leading state */
#define SL_STATE_FIRST(type) static_assert(offsetof(struct type, st) == 0, #type " starts with st")
SL_STATE_FIRST(sl_vpc_obj);
SL_STATE_FIRST(sl_vswitch_obj);
SL_STATE_FIRST(sl_instance_obj);
SL_STATE_FIRST(sl_route_obj);
SL_STATE_FIRST(sl_natgw_obj);
SL_STATE_FIRST(sl_eip_obj);
SL_STATE_FIRST(sl_snat_obj);
SL_STATE_FIRST(sl_fwd_obj);
SL_STATE_FIRST(sl_ipv6gw_obj);
SL_STATE_FIRST(sl_ipv6addr_obj);
SL_STATE_FIRST(sl_ipv6bw_obj);
SL_STATE_FIRST(sl_ipv6egress_obj);
SL_STATE_FIRST(sl_ipv6rule_obj);

static void sl_objects(struct sl_mbuf *b, const struct sl_store *s)
{
	static const struct {
		const char *kind;
		size_t off;
	} kinds[] = {
	    {"vpc", offsetof(struct sl_store, vpc_v)},
	    {"vswitch", offsetof(struct sl_store, vswitch_v)},
	    {"instance", offsetof(struct sl_store, instance_v)},
	    {"route_entry", offsetof(struct sl_store, route_v)},
	    {"nat_gateway", offsetof(struct sl_store, natgw_v)},
	    {"eip", offsetof(struct sl_store, eip_v)},
	    {"snat_entry", offsetof(struct sl_store, snat_v)},
	    {"forward_entry", offsetof(struct sl_store, fwd_v)},
	    {"ipv6_gateway", offsetof(struct sl_store, ipv6gw_v)},
	    {"ipv6_address", offsetof(struct sl_store, ipv6addr_v)},
	    {"ipv6_internet_bandwidth", offsetof(struct sl_store, ipv6bw_v)},
	    {"ipv6_egress_only_rule", offsetof(struct sl_store, ipv6egress_v)},
	    {"ipv6_gateway_route_rule", offsetof(struct sl_store, ipv6rule_v)},
	    {"havip", offsetof(struct sl_store, havip_v)},
	    {"common_bandwidth_package", offsetof(struct sl_store, cbwp_v)},
	    {"bandwidth_package", offsetof(struct sl_store, bwp_v)},
	};

	sl_family(b, "sluice_objects", "gauge",
		  "cloud objects in sluiced's store by kind, origin (file or api) and status");
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		const struct sl_objvec *v = (const void *)((const char *)s + kinds[k].off);
		unsigned int n[2][2] = {{0}}; /* [from_db][available] */

		/* every object struct starts with its struct sl_obj_state */
		for (unsigned int i = 0; i < v->n; i++) {
			const struct sl_obj_state *st = v->v[i];

			n[st->from_db][st->status == SL_STATUS_AVAILABLE]++;
		}
		for (int o = 0; o < 2; o++)
			for (int a = 0; a < 2; a++)
				sl_out(
				    b,
				    "sluice_objects{kind=\"%s\",origin=\"%s\",status=\"%s\"} %u\n",
				    kinds[k].kind, o ? "api" : "file", a ? "Available" : "Pending",
				    n[o][a]);
	}
}

/* Copy the snapshot part of the stats area; false if it kept changing. */
static bool sl_snapshot(const struct sl_stats_header *st, struct sl_port_stats *ports,
			uint32_t *n_ports, uint32_t *neigh_by_state, uint32_t *n_lcores)
{
	static struct sl_neigh_export neigh[SL_MAX_NEIGH_EXPORT];

	for (int tries = 0; tries < SL_METRICS_SNAP_TRIES; tries++) {
		uint64_t s1 = atomic_load_explicit(&st->seq, memory_order_acquire);
		uint32_t nn;

		if (s1 & 1)
			continue;
		*n_ports = st->n_ports < SL_MAX_PORTS ? st->n_ports : SL_MAX_PORTS;
		*n_lcores = st->n_lcores < SL_MAX_LCORES ? st->n_lcores : SL_MAX_LCORES;
		nn = st->n_neigh < SL_MAX_NEIGH_EXPORT ? st->n_neigh : SL_MAX_NEIGH_EXPORT;
		memcpy(ports, st->port, *n_ports * sizeof(ports[0]));
		memcpy(neigh, st->neigh, nn * sizeof(neigh[0]));
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&st->seq, memory_order_relaxed) != s1)
			continue;
		memset(neigh_by_state, 0, SL_NEIGH_NSTATES * sizeof(neigh_by_state[0]));
		for (uint32_t i = 0; i < nn; i++)
			if (neigh[i].state < SL_NEIGH_NSTATES)
				neigh_by_state[neigh[i].state]++;
		return true;
	}
	return false;
}

/* Packets handed to each pipeline stage (names from the stats area, as
 * sluice-dp wrote them). */
static void sl_stages_out(struct sl_mbuf *b, const struct sl_stats_header *st, uint32_t n_lcores)
{
	uint32_t n = *(const volatile uint32_t *)&st->n_stages;

	if (n > SL_STATS_STAGES)
		n = SL_STATS_STAGES;
	sl_family(b, "sluice_stage_packets_total", "counter",
		  "packets sluice-dp handed to each pipeline stage (sum over lcores)");
	for (uint32_t s = 0; s < n; s++) {
		char name[SL_STAGE_NAME_LEN + 1], lab[64];
		uint64_t sum = 0;

		memcpy(name, st->stage_names[s], SL_STAGE_NAME_LEN);
		name[SL_STAGE_NAME_LEN] = '\0';
		for (uint32_t l = 0; l < n_lcores; l++)
			sum += *(const volatile uint64_t *)&st->lcore[l].stage[s];
		sl_out(b, "sluice_stage_packets_total{stage=\"%s\"} %" PRIu64 "\n",
		       sl_label(lab, sizeof(lab), name, sizeof(name)), sum);
	}
}

static void sl_ports_out(struct sl_mbuf *b, const struct sl_port_stats *ports, uint32_t n)
{
	static const struct {
		const char *name, *type, *help;
		size_t off;
	} fields[] = {
	    {"sluice_port_rx_packets_total", "counter", "packets received (rte_eth_stats)",
	     offsetof(struct sl_port_stats, ipackets)},
	    {"sluice_port_tx_packets_total", "counter", "packets sent",
	     offsetof(struct sl_port_stats, opackets)},
	    {"sluice_port_rx_bytes_total", "counter", "bytes received",
	     offsetof(struct sl_port_stats, ibytes)},
	    {"sluice_port_tx_bytes_total", "counter", "bytes sent",
	     offsetof(struct sl_port_stats, obytes)},
	    {"sluice_port_rx_missed_total", "counter", "packets the NIC dropped: RX queues full",
	     offsetof(struct sl_port_stats, imissed)},
	    {"sluice_port_rx_errors_total", "counter", "erroneous received packets",
	     offsetof(struct sl_port_stats, ierrors)},
	    {"sluice_port_tx_errors_total", "counter", "failed transmissions",
	     offsetof(struct sl_port_stats, oerrors)},
	    {"sluice_port_rx_nombuf_total", "counter", "RX mbuf allocation failures",
	     offsetof(struct sl_port_stats, rx_nombuf)},
	    /* exception path (issue 8) */
	    {"sluice_port_exception_to_kernel_total", "counter",
	     "frames written to the port's exception-path TAP (to the host kernel)",
	     offsetof(struct sl_port_stats, exc_to_kernel)},
	    {"sluice_port_exception_from_kernel_total", "counter",
	     "frames from the port's exception-path TAP sent out of the port",
	     offsetof(struct sl_port_stats, exc_from_kernel)},
	};
	char name[2 * SL_PORT_NAME_LEN];

	sl_family(b, "sluice_port_up", "gauge",
		  "link state of a sluice-dp port (1 up); trunk: the inside port's trunk number");
	for (uint32_t p = 0; p < n; p++) {
		sl_label(name, sizeof(name), ports[p].name, SL_PORT_NAME_LEN);
		if (ports[p].role == SL_ROLE_INSIDE)
			sl_out(b, "sluice_port_up{port=\"%s\",role=\"inside\",trunk=\"%u\"} %u\n",
			       name, ports[p].trunk, ports[p].link_up);
		else
			sl_out(b, "sluice_port_up{port=\"%s\",role=\"outside\"} %u\n", name,
			       ports[p].link_up);
	}
	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		sl_family(b, fields[f].name, fields[f].type, fields[f].help);
		for (uint32_t p = 0; p < n; p++) {
			uint64_t v;

			memcpy(&v, (const char *)&ports[p] + fields[f].off, sizeof(v));
			sl_out(b, "%s{port=\"%s\"} %" PRIu64 "\n", fields[f].name,
			       sl_label(name, sizeof(name), ports[p].name, SL_PORT_NAME_LEN), v);
		}
	}
}

/* ---- operators' counters (issue 11): per queue, per route table --------- */

/* Per port and queue: what the worker owning the queue counted (slot s owns
 * queue s - 1 of every port; slot 0, the main lcore, owns none). */
static void sl_queues_out(struct sl_mbuf *b, const struct sl_stats_header *st,
			  const struct sl_port_stats *ports, uint32_t n_ports, uint32_t n_lcores)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} f[] = {
	    {"sluice_queue_rx_packets_total", "packets a worker received on its queue of a port",
	     offsetof(struct sl_queue_stats, rx_pkts)},
	    {"sluice_queue_rx_bytes_total", "bytes a worker received on its queue of a port",
	     offsetof(struct sl_queue_stats, rx_bytes)},
	    {"sluice_queue_tx_packets_total", "packets a worker's queue of a port took to send",
	     offsetof(struct sl_queue_stats, tx_pkts)},
	    {"sluice_queue_tx_bytes_total", "bytes a worker's queue of a port took to send",
	     offsetof(struct sl_queue_stats, tx_bytes)},
	    {"sluice_queue_tx_full_total", "packets dropped because the tx queue was full",
	     offsetof(struct sl_queue_stats, tx_full)},
	    {"sluice_queue_no_mbuf_total",
	     "packets received on the queue dropped for want of a buffer or vector slot",
	     offsetof(struct sl_queue_stats, no_mbuf)},
	};
	char name[2 * SL_PORT_NAME_LEN];

	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
		sl_family(b, f[k].name, "counter", f[k].help);
		for (uint32_t p = 0; p < n_ports; p++) {
			sl_label(name, sizeof(name), ports[p].name, SL_PORT_NAME_LEN);
			for (uint32_t l = 1; l < n_lcores; l++)
				sl_out(b, "%s{port=\"%s\",queue=\"%u\"} %" PRIu64 "\n", f[k].name,
				       name, l - 1,
				       *(const volatile uint64_t *)((const uint8_t *)&st->queue[l][p] +
								    f[k].off));
		}
	}
}

/* Packets and IP bytes routed by table t, summed over lcores. */
static void sl_rt_sum(const struct sl_stats_header *st, uint32_t n_lcores, uint32_t t,
		      uint64_t *pk, uint64_t *by)
{
	*pk = *by = 0;
	for (uint32_t l = 0; l < n_lcores; l++) {
		*pk += *(const volatile uint64_t *)&st->rt[l][t].pkts;
		*by += *(const volatile uint64_t *)&st->rt[l][t].bytes;
	}
}

/* Per route table: the Internet's and every VPC's of sluiced's store, by
 * the index the compiler gave it (a VPC not compiled yet has none). A VPC
 * index freed and given to a new VPC carries its count on. */
static void sl_tables_out(struct sl_mbuf *b, const struct sl_stats_header *st, uint32_t n_lcores,
			  const struct sl_store *s, const struct sl_compiler *comp)
{
	const struct sl_objvec *v = s ? &s->vpc_v : NULL;
	uint64_t *pk = NULL, *by = NULL;
	uint32_t n = v && comp ? v->n : 0;
	char id[2 * SL_ID_LEN];

	pk = calloc(n + 1, sizeof(*pk));
	by = calloc(n + 1, sizeof(*by));
	if (pk == NULL || by == NULL) {
		b->failed = true;
		free(pk);
		free(by);
		return;
	}
	sl_rt_sum(st, n_lcores, SL_RT_STATS_INET, &pk[n], &by[n]);
	for (uint32_t i = 0; i < n; i++) {
		const struct sl_vpc_obj *o = v->v[i];
		int idx = sl_compiler_vpc_index(comp, o->id);
		uint32_t t = idx < 0 ? SL_RT_STATS : sl_rt_stats_index((uint32_t)idx);

		if (t < SL_RT_STATS)
			sl_rt_sum(st, n_lcores, t, &pk[i], &by[i]);
	}
	for (int f = 0; f < 2; f++) {
		const char *name = f ? "sluice_table_bytes_total" : "sluice_table_packets_total";
		const uint64_t *x = f ? by : pk;

		sl_family(b, name, "counter",
			  f ? "IP bytes routed by a route table (the Internet's, or a VPC's)"
			    : "packets routed by a route table (the Internet's, or a VPC's)");
		sl_out(b, "%s{table=\"internet\"} %" PRIu64 "\n", name, x[n]);
		for (uint32_t i = 0; i < n; i++) {
			const struct sl_vpc_obj *o = v->v[i];
			int idx = sl_compiler_vpc_index(comp, o->id);

			if (idx >= 0)
				sl_out(b, "%s{table=\"%s\",vpc_index=\"%d\"} %" PRIu64 "\n", name,
				       sl_label(id, sizeof(id), o->id, SL_ID_LEN), idx, x[i]);
		}
	}
	free(pk);
	free(by);
}

/*
 * ECMP (issue 8): packets sent through each member of each next-hop group
 * of the published bank, from the per-lcore member counters of the stats
 * area (indexed by the member's next-hop index, so a member shared by two
 * groups shows the same count under both). Members with an index of
 * SL_NHG_COUNTED or more are forwarded but not counted by sluice-dp: they
 * get no sample, and sluice_nexthop_group_members_uncounted says how many.
 */
static_assert(SL_NHG_COUNTED == 2048, "sluice_nexthop_group_members_uncounted's help names it");

static void sl_groups_out(struct sl_mbuf *b, const struct sl_bank_header *bank,
			  const struct sl_stats_header *st, uint32_t n_lcores)
{
	const struct sl_nexthop *nh =
	    bank ? (const struct sl_nexthop *)((const uint8_t *)bank + bank->nh_off) : NULL;
	uint32_t n = bank ? bank->n_nexthops : 0, uncounted = 0;

	sl_family(b, "sluice_nexthop_group_member_packets_total", "counter",
		  "packets sluice-dp sent through a member of an ECMP next-hop group (group and "
		  "member: next-hop indexes; sum over lcores)");
	for (uint32_t g = 0; g < n; g++) {
		if (nh[g].type != SL_NH_GROUP)
			continue;
		for (unsigned int i = 0; i < nh[g].grp.n_members && i < SL_NHG_MAX; i++) {
			uint32_t m = nh[g].grp.member[i];
			char via[INET6_ADDRSTRLEN] = "-";
			uint64_t sum = 0;

			if (m >= SL_NHG_COUNTED) {
				uncounted++;
				continue;
			}
			if (m < n && nh[m].type == SL_NH_GATEWAY)
				inet_ntop(nh[m].family == SL_AF_INET6 ? AF_INET6 : AF_INET,
					  nh[m].via, via, sizeof(via));
			for (uint32_t l = 0; l < n_lcores; l++)
				sum += *(const volatile uint64_t *)&st->nhg[l].pkts[m];
			sl_out(
			    b,
			    "sluice_nexthop_group_member_packets_total{group=\"%u\",member=\"%u\","
			    "via=\"%s\"} %" PRIu64 "\n",
			    g, m, via, sum);
		}
	}
	sl_family(b, "sluice_nexthop_group_members_uncounted", "gauge",
		  "ECMP group members sluice-dp forwards to but does not count (next-hop index "
		  ">= 2048)");
	sl_out(b, "sluice_nexthop_group_members_uncounted %u\n", uncounted);
}

/*
 * Policers (issue 7): the police section sluiced compiled last, each with
 * the counters sluice-dp exported at its index when they carry its tag (the
 * data plane applied this very policer; a policer it has not applied yet,
 * or one beyond its table or the export, has its rate but no counters).
 */
static void sl_policers_out(struct sl_mbuf *b, const struct sl_pol_sec *sec,
			    const struct sl_stats_header *st)
{
	static const char *const kind[] = {"-", "ip", "cbwp", "bwp", "ip6"};
	static const struct {
		const char *name, *help;
		size_t off;
	} ctr[] = {
	    {"sluice_policer_conform_packets_total", "packets a policer passed",
	     offsetof(struct sl_pol_export, conform_pkts)},
	    {"sluice_policer_conform_bytes_total", "bytes a policer passed (frame on the Internet side)",
	     offsetof(struct sl_pol_export, conform_bytes)},
	    {"sluice_policer_exceed_packets_total", "packets a policer dropped",
	     offsetof(struct sl_pol_export, exceed_pkts)},
	    {"sluice_policer_exceed_bytes_total", "bytes a policer dropped",
	     offsetof(struct sl_pol_export, exceed_bytes)},
	};
	const struct sl_pol_ent *pol =
	    (const struct sl_pol_ent *)((const uint8_t *)sec + sec->pol_off);
	uint32_t n_exp = st ? *(const volatile uint32_t *)&st->n_pol_export : 0;
	char id[2 * SL_ID_LEN], lab[4 * SL_ID_LEN];

	n_exp = n_exp < SL_MAX_POL_EXPORT ? n_exp : SL_MAX_POL_EXPORT;
	sl_family(b, "sluice_policer_rate_bits_per_second", "gauge",
		  "bandwidth policer rate (kind ip: a public IP's own; cbwp, bwp: a package's "
		  "aggregate; direction out = to the Internet)");
	for (uint32_t i = 0; i < sec->n_pols; i++) {
		if (pol[i].rate == 0)
			continue;
		sl_label(id, sizeof(id), pol[i].id, SL_ID_LEN);
		sl_out(b,
		       "sluice_policer_rate_bits_per_second{policer=\"%u\",kind=\"%s\",id=\"%s\","
		       "direction=\"%s\"} %" PRIu64 "\n",
		       i, pol[i].kind < 4 ? kind[pol[i].kind] : "?", id,
		       pol[i].dir == SL_POL_DIR_IN ? "in" : "out", pol[i].rate * 8);
	}
	for (size_t f = 0; f < sizeof(ctr) / sizeof(ctr[0]); f++) {
		sl_family(b, ctr[f].name, "counter", ctr[f].help);
		for (uint32_t i = 0; i < sec->n_pols && i < n_exp; i++) {
			const volatile uint64_t *x = (const volatile uint64_t *)&st->pol[i];

			if (pol[i].rate == 0 || x[0] != pol[i].tag)
				continue;
			snprintf(lab, sizeof(lab), "policer=\"%u\",kind=\"%s\",id=\"%s\",direction=\"%s\"",
				 i, pol[i].kind < 4 ? kind[pol[i].kind] : "?",
				 sl_label(id, sizeof(id), pol[i].id, SL_ID_LEN),
				 pol[i].dir == SL_POL_DIR_IN ? "in" : "out");
			sl_out(b, "%s{%s} %" PRIu64 "\n", ctr[f].name, lab,
			       x[ctr[f].off / sizeof(uint64_t)]);
		}
	}
}

char *sl_metrics_render(const struct sl_ctl *ctl, size_t *len)
{
	const struct sl_shm_writer *w = sl_ctl_shm(ctl);
	const struct sl_store *s = sl_ctl_store(ctl);
	struct sl_mbuf b = {.cap = 16384};
	int behind = 0;

	b.p = malloc(b.cap);
	if (b.p == NULL)
		return NULL;
	b.p[0] = '\0';

	sl_family(&b, "sluice_generation", "gauge",
		  "table generation sluiced last published to the segment");
	sl_out(&b, "sluice_generation %" PRIu64 "\n", w ? sl_shm_generation(w) : 0);
	sl_family(&b, "sluice_dp_acked_generation", "gauge",
		  "highest generation every running sluice-dp lcore acknowledged");
	sl_out(&b, "sluice_dp_acked_generation %" PRIu64 "\n", w ? sl_shm_acked(w, &behind) : 0);
	sl_family(&b, "sluice_dp_up", "gauge",
		  "1 while a live sluice-dp is attached to the segment");
	sl_out(&b, "sluice_dp_up %d\n", w ? sl_shm_dp_alive(sl_shm_hdr(w)) : 0);
	if (s)
		sl_objects(&b, s);
	const struct sl_compiler *comp = sl_ctl_compiler(ctl);
	const struct sl_pol_sec *pol = comp ? sl_compiler_police(comp) : NULL;

	if (w) {
		const struct sl_stats_header *st = sl_shm_stats(sl_shm_hdr(w));
		static struct sl_port_stats ports[SL_MAX_PORTS];
		uint32_t n_ports = 0, n_lcores = 0, by_state[SL_NEIGH_NSTATES];

		if (*(const volatile uint64_t *)&st->magic == SL_STATS_MAGIC &&
		    sl_snapshot(st, ports, &n_ports, by_state, &n_lcores)) {
			sl_family(&b, "sluice_drops_total", "counter",
				  "packets sluice-dp dropped, by reason (sum over lcores)");
			for (unsigned int r = 1; r < SL_DROP_MAX; r++) {
				uint64_t sum = 0;

				for (uint32_t l = 0; l < n_lcores; l++)
					sum += *(const volatile uint64_t *)&st->lcore[l].drop[r];
				sl_out(&b, "sluice_drops_total{reason=\"%s\"} %" PRIu64 "\n",
				       sl_drop_metric_names[r], sum);
			}
			sl_family(&b, "sluice_packets_total", "counter",
				  "sluice-dp packet counters by name (sum over lcores)");
			for (unsigned int c = 0; c < SL_CNT_MAX; c++) {
				uint64_t sum = 0;

				for (uint32_t l = 0; l < n_lcores; l++)
					sum += *(const volatile uint64_t *)&st->lcore[l].cnt[c];
				sl_out(&b, "sluice_packets_total{counter=\"%s\"} %" PRIu64 "\n",
				       sl_cnt_metric_names[c], sum);
			}
			sl_stages_out(&b, st, n_lcores);
			sl_ports_out(&b, ports, n_ports);
			sl_queues_out(&b, st, ports, n_ports, n_lcores);
			sl_tables_out(&b, st, n_lcores, s, comp);
			sl_groups_out(&b, sl_shm_active_bank(w), st, n_lcores);
			sl_family(&b, "sluice_neighbours", "gauge",
				  "ARP/ND neighbour entries of sluice-dp by state");
			for (unsigned int i = 0; i < SL_NEIGH_NSTATES; i++)
				sl_out(&b, "sluice_neighbours{state=\"%s\"} %u\n",
				       sl_neigh_state_name(i), by_state[i]);
			/* issue 6: two words the main lcore rewrites together;
			 * a torn pair costs one scrape */
			sl_family(&b, "sluice_ip6gw_egress_only_flows", "gauge",
				  "IPv6 egress-only flows sluice-dp holds (alive, or expired and "
				  "awaiting the expiry scan)");
			sl_out(&b, "sluice_ip6gw_egress_only_flows %u\n",
			       *(const volatile uint32_t *)&st->ip6eo_flows);
			sl_family(
			    &b, "sluice_ip6gw_egress_only_capacity", "gauge",
			    "IPv6 egress-only flows sluice-dp's table can hold (0: no table)");
			sl_out(&b, "sluice_ip6gw_egress_only_capacity %u\n",
			       *(const volatile uint32_t *)&st->ip6eo_capacity);
		}
		if (pol)
			sl_policers_out(&b, pol,
					*(const volatile uint64_t *)&st->magic == SL_STATS_MAGIC ? st
												 : NULL);
	} else if (pol) {
		sl_policers_out(&b, pol, NULL);
	}
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}
