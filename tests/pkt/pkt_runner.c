/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt_runner: drives golden packet vectors through the real sluice-dp.
 *
 * Design note
 * -----------
 * The runner is sluice-dp without its main loop: the same library (every
 * stage, the neighbour table, ARP/ND on the main-lcore context), three
 * net_ring ports (inside = trunk 0, outside, inside1 = trunk 1, as the k-th
 * inside port of a sluice-dp config is trunk k) whose rings the runner feeds
 * and drains, and tables
 * compiled and published by sluiced's library from a config file into a
 * segment in a temporary directory. For each step of each case it injects
 * one frame on a port, then polls the worker and the main-lcore context
 * alternately until neither moves a packet, and records every frame
 * transmitted on each port and the growth of each drop counter. The
 * comparison with the expected packets is done by run_pkt_tests.py (scapy).
 *
 * Everything runs on one thread, so a step's outcome is deterministic:
 * ARP/ND answers, resolution requests and released queued packets all
 * appear in the same step that caused them.
 *
 * A step may carry "wait_us" (virtual time added before it, on top of
 * SL_STEP_US: bucket refills of the policer cases) and "count" (the frame
 * injected that many times at once, one burst on the same clock).
 * Besides frames, a step may be {"advance_s": N} (move the virtual clock N
 * seconds: timeouts) or {"config": FILE} (publish FILE into the segment as
 * sluiced would after a change: the next generation, taken up at once);
 * either records the frames and drops of the polls that follow it. A
 * config step may add "inet_groups" (ECMP, issue 8): [{"prefix": P,
 * "vias": [A, ...], "weights": [W, ...]}], Internet routes of the route
 * source set after the config, as kernel multipath routes would be, and
 * published in the same step.
 *
 * NAT: the runner creates the NAT session table as sluice-dp does when its
 * config sets nat_sessions (default here 4096 sessions; --nat-sessions N,
 * and --nat-port-max P narrows the public port range to 1024..P so a test
 * can exhaust it), on the same virtual clock. The main-lcore context applies
 * the bank's NAT section when it takes up the generation, as in sluice-dp.
 * A step may carry "advance_s" (virtual seconds to let pass before it, with
 * the expiry scan run over the whole table) and "nat_eif" (true/false:
 * endpoint-independent filtering on every configured gateway from then on;
 * the API has no field for it yet), "also" (more frames in hex, received on
 * the same port in the same burst) and "nat_dst_of" ([proto, src, sport,
 * dst, dport] of an inside flow of gateway 0): the frame, sent on the
 * outside or inside (hairpinning), is first addressed to that flow's public
 * endpoint (destination address and port, ICMP identifier; checksums
 * recomputed; for an ICMP error, the quoted datagram's source as well),
 * which the vectors cannot know in advance. The endpoint is remembered, so a step
 * after the session expired still reaches the same public port.
 *
 * Usage: pkt_runner --config FILE --vectors FILE --out FILE --tmpdir DIR
 *                   [--nat-sessions N] [--nat-port-max P]
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_eth_ring.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ip.h>
#include <arpa/inet.h>

#include "sl_ctl.h"
#include "sl_dp.h"
#include "sl_nat.h"
#include "sl_nat4.h"
#include "sl_ip6gw.h"
#include "sl_neigh.h"
#include "sl_port.h"
#include "sl_proto.h"
#include "sl_shm_attach.h"

static const char *const sl_drop_names[SL_DROP_MAX] = {
#define SL_X(sym, name, desc) [SL_DROP_##sym] = name,
	SL_FOREACH_DROP(SL_X)
#undef SL_X
};

static const char *const sl_cnt_names[SL_CNT_MAX] = {
#define SL_X(sym, name, desc) [SL_CNT_##sym] = name,
	SL_FOREACH_COUNTER(SL_X)
#undef SL_X
};

struct sl_test_port {
	const char *name;
	uint8_t role;
	uint8_t trunk; /* inside ports */
	struct rte_ether_addr mac;
	struct rte_ring *rx; /* runner -> port rx */
	struct rte_ring *tx; /* port tx -> runner */
	uint16_t port_id;
};

static struct sl_test_port sl_tports[] = {
	{ .name = "inside", .role = SL_ROLE_INSIDE, .trunk = 0,
	  .mac = { { 0x02, 0, 0, 0, 0, 0x01 } } },
	{ .name = "outside", .role = SL_ROLE_OUTSIDE, .mac = { { 0x02, 0, 0, 0, 0, 0x02 } } },
	{ .name = "inside1", .role = SL_ROLE_INSIDE, .trunk = 1,
	  .mac = { { 0x02, 0, 0, 0, 0, 0x03 } } },
};
#define SL_N_TPORTS RTE_DIM(sl_tports)

static struct sl_dp sl_rdp;
static struct sl_shm sl_rshm;
static uint32_t sl_nat_sessions = 4096;
static uint16_t sl_nat_port_max; /* 0: 65535 */
static char sl_seg_path[512];

static char sl_runtime_dir[PATH_MAX];

/* EAL leaves an empty runtime directory per file prefix: remove it on every
 * exit path. */
static void sl_eal_fini(void)
{
	rte_eal_cleanup();
	if (sl_runtime_dir[0])
		rmdir(sl_runtime_dir);
}

static int sl_fail(const char *what)
{
	fprintf(stderr, "pkt_runner: %s\n", what);
	return 1;
}

static int sl_ring_port(struct sl_test_port *tp)
{
	struct rte_eth_conf conf;
	char name[64];
	int port;

	snprintf(name, sizeof(name), "sl_pkt_%s_rx", tp->name);
	tp->rx = rte_ring_create(name, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "sl_pkt_%s_tx", tp->name);
	tp->tx = rte_ring_create(name, 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!tp->rx || !tp->tx)
		return -ENOMEM;
	snprintf(name, sizeof(name), "net_ring_sl_%s", tp->name);
	port = rte_eth_from_rings(name, &tp->rx, 1, &tp->tx, 1, 0);
	if (port < 0)
		return -rte_errno;
	tp->port_id = (uint16_t)port;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(tp->port_id, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(tp->port_id, 0, 256, 0, NULL, sl_pktmbuf_pool) < 0 ||
	    rte_eth_tx_queue_setup(tp->port_id, 0, 256, 0, NULL) < 0 ||
	    rte_eth_dev_start(tp->port_id) < 0)
		return -EIO;
	/* The ring PMD cannot change its MAC; the pipeline only ever uses
	 * sl_ports[].mac, which the runner owns like port.c would. */
	sl_ports[tp->port_id].mac = tp->mac;
	sl_ports[tp->port_id].role = tp->role;
	sl_ports[tp->port_id].enabled = 1;
	sl_ports[tp->port_id].mtu = 1500;
	sl_ports[tp->port_id].trunk = tp->trunk;
	if (sl_role_port[tp->role] == RTE_MAX_ETHPORTS) /* as port.c: the first one */
		sl_role_port[tp->role] = tp->port_id;
	if (tp->role == SL_ROLE_INSIDE)
		sl_trunk_port[tp->trunk] = tp->port_id;
	return 0;
}

static void sl_sum_drops(uint64_t *out)
{
	const struct sl_stats_header *st = sl_rshm.stats;

	memset(out, 0, sizeof(uint64_t) * SL_DROP_MAX);
	for (unsigned int l = 0; l < SL_MAX_LCORES; l++)
		for (unsigned int r = 0; r < SL_DROP_MAX; r++)
			out[r] += st->lcore[l].drop[r];
}

/* The counters, then the packets per stage, summed over the lcores. */
static void sl_sum_counters(uint64_t *out)
{
	const struct sl_stats_header *st = sl_rshm.stats;

	memset(out, 0, sizeof(uint64_t) * (SL_CNT_MAX + SL_STAGE_MAX));
	for (unsigned int l = 0; l < SL_MAX_LCORES; l++) {
		for (unsigned int c = 0; c < SL_CNT_MAX; c++)
			out[c] += st->lcore[l].cnt[c];
		for (unsigned int s = 0; s < SL_STAGE_MAX; s++)
			out[SL_CNT_MAX + s] += st->lcore[l].stage[s];
	}
}

static int sl_setup(const char *config, const char *tmpdir)
{
	char path[512], err[512];
	unsigned int ids[2];
	int rc;

	for (unsigned int r = 0; r < SL_ROLE_MAX; r++)
		sl_role_port[r] = RTE_MAX_ETHPORTS;
	for (unsigned int k = 0; k < SL_MAX_TRUNKS; k++)
		sl_trunk_port[k] = RTE_MAX_ETHPORTS;
	if (sl_pool_create(8191) < 0)
		return sl_fail("cannot create the packet pool");
	for (unsigned int i = 0; i < SL_N_TPORTS; i++)
		if (sl_ring_port(&sl_tports[i]) < 0)
			return sl_fail("cannot create a ring port");

	snprintf(path, sizeof(path), "%s/segment", tmpdir);
	snprintf(sl_seg_path, sizeof(sl_seg_path), "%s", path);
	rc = sl_ctl_publish_file(config, path, 16u << 20, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "pkt_runner: publishing %s: %s\n", config, err);
		return 1;
	}
	if (sl_shm_try_attach(&sl_rshm, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "pkt_runner: attaching %s: %s\n", path, err);
		return 1;
	}

	sl_rdp.shm = &sl_rshm;
	/* A virtual clock: it starts at one hour and moves SL_STEP_US per
	 * step, so ARP/ND retransmissions and the ICMP error bucket behave
	 * the same on a fast machine and a loaded sanitizer run (a real
	 * clock let a retransmitted request of an earlier case leak into a
	 * later one's output). */
	sl_rdp.test_clock_tsc = rte_get_tsc_hz() * 3600;
	sl_rdp.n_workers = 1;
	sl_rdp.n_ports = SL_N_TPORTS;
	for (unsigned int i = 0; i < SL_N_TPORTS; i++)
		sl_rdp.port_ids[i] = sl_tports[i].port_id;
	sl_rdp.punt_ring = rte_ring_create("sl_punt", SL_PUNT_RING_SIZE, 0, RING_F_SC_DEQ);
	sl_rdp.inject[0] =
		rte_ring_create("sl_inject0", SL_INJECT_RING_SIZE, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	sl_rdp.main_w = sl_worker_create(&sl_rdp, -1, rte_lcore_id());
	sl_rdp.workers[0] = sl_worker_create(&sl_rdp, 0, rte_lcore_id());
	if (!sl_rdp.punt_ring || !sl_rdp.inject[0] || !sl_rdp.main_w || !sl_rdp.workers[0])
		return sl_fail("cannot create the lcore contexts");
	sl_rdp.neigh = sl_ctrl_neigh_create(&sl_rdp);
	if (!sl_rdp.neigh)
		return sl_fail("cannot create the neighbour table");
	if (sl_nat_sessions) {
		const struct sl_nat_conf nc = {
			.max_sessions = sl_nat_sessions,
			.max_gws = 64,
			.max_pubips = 64,
			.n_workers = 1,
			.port_max = sl_nat_port_max,
		};

		sl_rdp.nat = sl_nat_create("sl_pkt_nat", &nc);
		if (!sl_rdp.nat)
			return sl_fail("cannot create the NAT session table");
	}
	sl_rdp.ip6eo = sl_ip6eo_create("sl_ip6eo", &(struct sl_ip6eo_conf){.capacity = 1024,
									 .n_readers = 1});
	if (!sl_rdp.ip6eo)
		return sl_fail("cannot create the egress-only state table");
	sl_ip6eo_reader_online(sl_rdp.ip6eo, 0);
	ids[0] = ids[1] = rte_lcore_id();
	if (sl_shm_dp_start(&sl_rshm, 2, ids) < 0)
		return sl_fail("cannot register in the segment");
	/* bandwidth policers as sluice-dp's default, applied before the
	 * first packet (the main lcore does it at its next iteration) */
	if (sl_police_create(&sl_rdp, SL_DEFAULT_POLICERS) < 0)
		return sl_fail("cannot create the policer table");
	sl_neigh_reader_online(sl_rdp.neigh, 0);
	if (sl_rdp.nat)
		sl_nat_reader_online(sl_rdp.nat, 0);
	sl_worker_online(sl_rdp.workers[0]);
	sl_worker_online(sl_rdp.main_w);
	if (!sl_rdp.workers[0]->bank)
		return sl_fail("no bank after publishing");
	sl_police_sync(&sl_rdp, sl_rdp.test_clock_tsc);
	return 0;
}

/* Poll worker and main-lcore contexts until three rounds move nothing. */
static void sl_settle(void)
{
	unsigned int quiet = 0;

	for (unsigned int round = 0; round < 1000 && quiet < 3; round++) {
		unsigned int n = sl_worker_poll(sl_rdp.workers[0]);

		n += sl_ctrl_poll(&sl_rdp);
		quiet = n ? 0 : quiet + 1;
	}
}

/* Virtual time between two steps (see sl_setup). */
#define SL_STEP_US 100

/* Public endpoints of flows named by "nat_dst_of", remembered. */
#define SL_MEMO_MAX 64
static struct {
	struct sl_nat_key in;
	uint32_t pub;
	uint16_t pport;
} sl_memo[SL_MEMO_MAX];
static unsigned int sl_n_memo;

/* Set the 16-bit field at `p` to `v` (network order), adjusting the
 * checksum at `ck` (NULL: none) as the NAT would (RFC 1624). */
static void sl_put16(uint8_t *p, uint16_t v, uint8_t *ck)
{
	uint16_t from, c;

	memcpy(&from, p, 2);
	memcpy(p, &v, 2);
	if (ck) {
		memcpy(&c, ck, 2);
		c = sl_cksum_adjust(c, from, v);
		memcpy(ck, &c, 2);
	}
}

/* "nat_dst_of": address the frame `p` (Ethernet, maybe one 802.1Q tag, then
 * IPv4) to the public endpoint of an inside flow; an ICMP error's quoted
 * datagram becomes the one the NAT sent (its source: that endpoint), with
 * its checksums adjusted as the NAT adjusted the original's. 0, or -1 if
 * the flow is unknown. */
static int sl_nat_dst_of(json_t *spec, uint8_t *p, size_t len)
{
	size_t l2 = sizeof(struct rte_ether_hdr) + (p[12] == 0x81 && p[13] == 0x00 ? 4 : 0);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + l2);
	struct in_addr a, b;
	struct sl_nat_key k;
	unsigned int i, dir;
	uint8_t *l4;
	size_t hl, l4len;
	uint16_t ck;

	if (json_array_size(spec) != 5 || !sl_rdp.nat ||
	    inet_pton(AF_INET, json_string_value(json_array_get(spec, 1)), &a) != 1 ||
	    inet_pton(AF_INET, json_string_value(json_array_get(spec, 3)), &b) != 1 ||
	    len < l2 + sizeof(*ip) + 8)
		return -1;
	sl_nat_key_in(&k, 0, (uint8_t)json_integer_value(json_array_get(spec, 0)),
		      rte_be_to_cpu_32(a.s_addr), (uint16_t)json_integer_value(json_array_get(spec, 2)),
		      rte_be_to_cpu_32(b.s_addr), (uint16_t)json_integer_value(json_array_get(spec, 4)));
	for (i = 0; i < sl_n_memo; i++)
		if (memcmp(&sl_memo[i].in, &k, sizeof(k)) == 0)
			break;
	if (i == sl_n_memo) {
		struct sl_nat_session *s = sl_nat_lookup(sl_rdp.nat, 0, &k, &dir);

		if (s == NULL || i == SL_MEMO_MAX)
			return -1;
		sl_memo[i].in = k;
		sl_memo[i].pub = s->k[SL_NAT_DIR_REPLY].dst;
		sl_memo[i].pport = s->k[SL_NAT_DIR_REPLY].dport;
		sl_n_memo++;
	}
	hl = (size_t)(ip->version_ihl & 0xf) * 4;
	l4 = (uint8_t *)ip + hl;
	l4len = rte_be_to_cpu_16(ip->total_length) - hl;
	ip->dst_addr = rte_cpu_to_be_32(sl_memo[i].pub);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (ip->next_proto_id == IPPROTO_ICMP && l4[0] != 0 && l4[0] != 8) {
		/* an error: the quoted datagram's source is the public endpoint */
		struct rte_ipv4_hdr *in = (struct rte_ipv4_hdr *)(l4 + 8);
		uint8_t *il4 = (uint8_t *)in + (in->version_ihl & 0xf) * 4, *ick = NULL;
		rte_be32_t from = in->src_addr, to = rte_cpu_to_be_32(sl_memo[i].pub);

		in->src_addr = to;
		in->hdr_checksum = 0;
		in->hdr_checksum = rte_ipv4_cksum(in);
		if (in->next_proto_id == IPPROTO_UDP)
			ick = il4 + 6;
		else if (in->next_proto_id == IPPROTO_ICMP)
			ick = il4 + 2;
		if (ick && in->next_proto_id == IPPROTO_UDP) {
			memcpy(&ck, ick, 2);
			ck = sl_cksum_adjust32(ck, from, to);
			memcpy(ick, &ck, 2);
		}
		sl_put16(in->next_proto_id == IPPROTO_ICMP ? il4 + 4 : il4,
			 rte_cpu_to_be_16(sl_memo[i].pport), ick);
		memset(l4 + 2, 0, 2);
		ck = (uint16_t)~rte_raw_cksum(l4, l4len);
		memcpy(l4 + 2, &ck, 2);
	} else if (ip->next_proto_id == IPPROTO_ICMP) {
		ck = 0;
		memcpy(l4 + 4, &(uint16_t){rte_cpu_to_be_16(sl_memo[i].pport)}, 2);
		memcpy(l4 + 2, &ck, 2);
		ck = (uint16_t)~rte_raw_cksum(l4, l4len);
		memcpy(l4 + 2, &ck, 2);
	} else {
		size_t off = ip->next_proto_id == IPPROTO_TCP ? 16 : 6;

		ck = 0;
		memcpy(l4 + 2, &(uint16_t){rte_cpu_to_be_16(sl_memo[i].pport)}, 2);
		memcpy(l4 + off, &ck, 2);
		ck = rte_ipv4_udptcp_cksum(ip, l4);
		memcpy(l4 + off, &ck, 2);
	}
	return 0;
}

/* A step's NAT hooks (see the design note): time passing, filtering. */
static void sl_step_hooks(json_t *step)
{
	json_t *adv = json_object_get(step, "advance_s"), *eif = json_object_get(step, "nat_eif");

	if (json_is_integer(adv)) {
		sl_rdp.test_clock_tsc += rte_get_tsc_hz() * (uint64_t)json_integer_value(adv);
		if (sl_rdp.nat) /* a whole sweep, then the grace periods end */
			for (uint32_t i = 0; i <= sl_nat_sessions / SL_NAT_EXPIRE_MAX + 1; i++) {
				sl_nat_expire(sl_rdp.nat, 0, sl_rdp.test_clock_tsc,
					      SL_NAT_EXPIRE_MAX);
				sl_nat_quiescent(sl_rdp.nat, 0);
			}
		if (sl_rdp.nat) { /* and the fragments held too long, counted by the worker */
			sl_rdp.workers[0]->now_tsc = sl_rdp.test_clock_tsc;
			sl_nat4_frag_expire(sl_rdp.workers[0], sl_rdp.nat, SL_NAT_FRAG_HOLD_BUCKETS);
		}
	}
	if (json_is_boolean(eif) && sl_rdp.nat)
		for (uint16_t g = 0; g < sl_rdp.nat->conf.max_gws; g++) {
			const struct sl_nat_gw *gw = &sl_rdp.nat->gw[g];

			if (gw->max_sessions)
				sl_nat_gw_set(sl_rdp.nat, g, gw->max_sessions, gw->new_per_sec,
					      json_is_true(eif) ? SL_NAT_GW_EIF : 0);
		}
}

/* An mbuf holding the frame written in hex, NULL if malformed. */
static struct rte_mbuf *sl_frame_from_hex(const char *hex)
{
	size_t len = strlen(hex) / 2;
	struct rte_mbuf *m;
	uint8_t *p;

	if (strlen(hex) & 1)
		return NULL;
	m = rte_pktmbuf_alloc(sl_pktmbuf_pool);
	if (!m || !(p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len))) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned int b;

		sscanf(hex + 2 * i, "%2x", &b);
		p[i] = (uint8_t)b;
	}
	return m;
}

/* While a publish waits for the readers' acknowledgements: let them run. */
static bool sl_runner_keep_waiting(void *arg)
{
	unsigned int *rounds = arg;

	sl_worker_poll(sl_rdp.workers[0]);
	sl_ctrl_poll(&sl_rdp);
	return ++*rounds < 1000;
}

/* The "inet_groups" of a config step into the route source of `c`
 * (sl_ctl_inet_set_group), committed. 0 or -1. */
static int sl_set_groups(struct sl_ctl *c, json_t *groups)
{
	size_t i;
	json_t *g;

	json_array_foreach(groups, i, g) {
		json_t *vias = json_object_get(g, "vias"), *w = json_object_get(g, "weights");
		struct sl_pfx p, via[SL_NHG_MAX];
		uint16_t weight[SL_NHG_MAX];
		size_t n = json_array_size(vias);
		int rc;

		if (n == 0 || n > SL_NHG_MAX || json_array_size(w) != n ||
		    sl_pfx_parse(json_string_value(json_object_get(g, "prefix")), &p,
				 SL_PFX_NEED_LEN) != SL_PFX_OK)
			return -1;
		for (size_t k = 0; k < n; k++) {
			if (sl_pfx_parse(json_string_value(json_array_get(vias, k)), &via[k],
					 SL_PFX_BARE_OK) != SL_PFX_OK)
				return -1;
			weight[k] = (uint16_t)json_integer_value(json_array_get(w, k));
		}
		rc = sl_ctl_inet_set_group(c, &p, via, weight, (unsigned int)n);
		if (rc < 0) {
			fprintf(stderr, "pkt_runner: inet group %zu: %s\n", i, strerror(-rc));
			return -1;
		}
	}
	return sl_ctl_commit(c, "pkt_runner", NULL) < 0 ? -1 : 0;
}

/* A {"config": FILE} step: FILE becomes the next generation, as a sluiced
 * restart would publish it (with `groups`, json_t * or NULL, in the route
 * source). 0 or -1. */
static int sl_republish(const char *config, json_t *groups)
{
	struct sl_ctl_opts o = {
	    .config_path = config, .segment_path = sl_seg_path, .bank_size = 16u << 20};
	struct sl_ctl_result res;
	unsigned int rounds = 0;
	struct sl_ctl *c = sl_ctl_new(&o);
	char err[512] = "";
	int rc;

	if (c == NULL)
		return -1;
	sl_ctl_set_keep_waiting(c, sl_runner_keep_waiting, &rounds);
	rc = sl_ctl_start(c, &res, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "pkt_runner: publishing %s: %s\n", config, err);
	if (rc == 0 && groups && sl_set_groups(c, groups) < 0)
		rc = -1;
	sl_ctl_free(c);
	return rc < 0 ? -1 : 0;
}

static json_t *sl_run_step(json_t *step)
{
	const char *port = json_string_value(json_object_get(step, "port"));
	const char *hex = json_string_value(json_object_get(step, "hex"));
	json_int_t wait_us = json_integer_value(json_object_get(step, "wait_us"));
	json_int_t count = json_object_get(step, "count") ? json_integer_value(json_object_get(step, "count")) : 1;
	uint64_t before[SL_DROP_MAX], after[SL_DROP_MAX];
	uint64_t cbefore[SL_CNT_MAX + SL_STAGE_MAX], cafter[SL_CNT_MAX + SL_STAGE_MAX];
	struct sl_test_port *tp = NULL;
	json_t *res, *outs, *drops;
	struct rte_mbuf *m = NULL;
	size_t len;
	uint8_t *p;

	if (json_object_get(step, "advance_s") || json_object_get(step, "config")) {
		const char *cfg = json_string_value(json_object_get(step, "config"));

		sl_sum_drops(before);
		sl_sum_counters(cbefore);
		sl_step_hooks(step); /* advance_s */
		if (cfg && sl_republish(cfg, json_object_get(step, "inet_groups")) < 0)
			return NULL;
		goto settle;
	}
	for (unsigned int i = 0; i < SL_N_TPORTS; i++)
		if (port && strcmp(port, sl_tports[i].name) == 0)
			tp = &sl_tports[i];
	if (!tp || !hex || (strlen(hex) & 1) || count < 1 || count > 512 || wait_us < 0)
		return NULL;
	len = strlen(hex) / 2;
	m = rte_pktmbuf_alloc(sl_pktmbuf_pool);
	if (!m || !(p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len)))
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned int b;

		sscanf(hex + 2 * i, "%2x", &b);
		p[i] = (uint8_t)b;
	}

	if (json_object_get(step, "nat_dst_of") &&
	    sl_nat_dst_of(json_object_get(step, "nat_dst_of"), p, len) < 0) {
		fprintf(stderr, "pkt_runner: nat_dst_of: no such flow\n");
		rte_pktmbuf_free(m);
		return NULL;
	}
	/* The ring PMD hands mbufs over as they are; a real PMD stamps the
	 * port, which eth_input relies on. */
	m->port = tp->port_id;
	sl_step_hooks(step);
	sl_rdp.test_clock_tsc += rte_get_tsc_hz() / 1000000 * (SL_STEP_US + (uint64_t)wait_us);
	sl_sum_drops(before);
	sl_sum_counters(cbefore);
	for (json_int_t k = 1; k < count; k++) {
		struct rte_mbuf *c = rte_pktmbuf_copy(m, sl_pktmbuf_pool, 0, UINT32_MAX);

		if (!c || rte_ring_enqueue(tp->rx, c) != 0) {
			rte_pktmbuf_free(c);
			rte_pktmbuf_free(m);
			return NULL;
		}
		c->port = tp->port_id;
	}
	if (rte_ring_enqueue(tp->rx, m) != 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	/* "also": more frames on the same port, received in the same burst */
	for (size_t a = 0; a < json_array_size(json_object_get(step, "also")); a++) {
		const char *h = json_string_value(json_array_get(json_object_get(step, "also"), a));
		struct rte_mbuf *x = h ? sl_frame_from_hex(h) : NULL;

		if (x == NULL)
			return NULL;
		x->port = tp->port_id;
		if (rte_ring_enqueue(tp->rx, x) != 0) {
			rte_pktmbuf_free(x);
			return NULL;
		}
	}
settle:
	sl_settle();
	sl_sum_drops(after);
	sl_sum_counters(cafter);

	res = json_object();
	outs = json_array();
	drops = json_object();
	for (unsigned int i = 0; i < SL_N_TPORTS; i++) {
		struct rte_mbuf *o = NULL;

		while (rte_ring_dequeue(sl_tports[i].tx, (void **)&o) == 0) {
			uint32_t n = rte_pktmbuf_pkt_len(o);
			char *buf = malloc(2 * n + 1);
			uint8_t tmp[16384];
			const uint8_t *d = rte_pktmbuf_read(o, 0, n > sizeof(tmp) ? sizeof(tmp) : n, tmp);

			for (uint32_t k = 0; d && k < n && k < sizeof(tmp); k++)
				sprintf(buf + 2 * k, "%02x", d[k]);
			json_array_append_new(outs, json_pack("{s:s, s:s}", "port", sl_tports[i].name,
							      "hex", buf));
			free(buf);
			rte_pktmbuf_free(o);
		}
	}
	for (unsigned int r = 1; r < SL_DROP_MAX; r++)
		if (after[r] != before[r])
			json_object_set_new(drops, sl_drop_names[r],
					    json_integer((json_int_t)(after[r] - before[r])));
	json_object_set_new(res, "out", outs);
	json_object_set_new(res, "drops", drops);
	/* the counters and stages that moved (a case checks those it names) */
	json_t *cnts = json_object(), *stages = json_object();

	for (unsigned int c = 0; c < SL_CNT_MAX + SL_STAGE_MAX; c++)
		if (cafter[c] != cbefore[c])
			json_object_set_new(c < SL_CNT_MAX ? cnts : stages,
					    c < SL_CNT_MAX ? sl_cnt_names[c]
							   : sl_stage_names[c - SL_CNT_MAX],
					    json_integer((json_int_t)(cafter[c] - cbefore[c])));
	json_object_set_new(res, "counters", cnts);
	json_object_set_new(res, "stages", stages);
	/* mbufs out of the pool (held fragments, neighbour queues): a case
	 * checks that what it made the gateway hold came back */
	json_object_set_new(res, "mbufs_in_use",
			    json_integer((json_int_t)rte_mempool_in_use_count(sl_pktmbuf_pool)));
	return res;
}

#ifndef SL_PKT_RUNNER_NO_MAIN /* tests/fuzz/fuzz_dataplane.c reuses the harness */
int main(int argc, char **argv)
{
	const char *config = NULL, *vectors = NULL, *out = NULL, *tmpdir = "/tmp";
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "vectors", required_argument, NULL, 'v' },
		{ "out", required_argument, NULL, 'o' },
		{ "tmpdir", required_argument, NULL, 't' },
		{ "nat-sessions", required_argument, NULL, 'n' },
		{ "nat-port-max", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	char prefix[64];
	char *eal_argv[] = { argv[0], "--no-huge", "-m", "512", "--no-shconf", "--no-pci",
			     "--no-telemetry", "--file-prefix", prefix, "-l", "0",
			     "--log-level", "lib.*:error", NULL };
	json_t *cases, *results;
	json_error_t jerr;
	size_t i;
	int c;

	while ((c = getopt_long(argc, argv, "c:v:o:t:n:p:", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'v': vectors = optarg; break;
		case 'o': out = optarg; break;
		case 't': tmpdir = optarg; break;
		case 'n': sl_nat_sessions = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'p': sl_nat_port_max = (uint16_t)strtoul(optarg, NULL, 0); break;
		default: return 2;
		}
	}
	if (!config || !vectors || !out)
		return sl_fail("usage: pkt_runner --config FILE --vectors FILE --out FILE [--tmpdir DIR]");
	/* DPDK 22.11 refuses --in-memory with --no-huge: a private prefix and
	 * no shared config keep parallel runs apart. */
	snprintf(prefix, sizeof(prefix), "sl_pkt_%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal_argv) - 1, eal_argv) < 0)
		return sl_fail("EAL initialisation failed");
	snprintf(sl_runtime_dir, sizeof(sl_runtime_dir), "%s", rte_eal_get_runtime_dir());
	atexit(sl_eal_fini);
	if (sl_setup(config, tmpdir) != 0)
		return 1;

	cases = json_load_file(vectors, 0, &jerr);
	if (!json_is_array(cases))
		return sl_fail("cannot read the vectors file");
	results = json_array();
	for (i = 0; i < json_array_size(cases); i++) {
		json_t *cs = json_array_get(cases, i), *steps = json_object_get(cs, "steps");
		json_t *rsteps = json_array();

		for (size_t s = 0; s < json_array_size(steps); s++) {
			json_t *r = sl_run_step(json_array_get(steps, s));

			if (!r) {
				fprintf(stderr, "pkt_runner: case %zu step %zu: bad step\n", i, s);
				return 1;
			}
			json_array_append_new(rsteps, r);
		}
		json_array_append_new(results, json_pack("{s:O, s:o}", "name",
							 json_object_get(cs, "name"), "steps", rsteps));
	}
	if (json_dump_file(results, out, JSON_COMPACT) != 0)
		return sl_fail("cannot write the results");
	json_decref(results);
	json_decref(cases);
	sl_worker_offline(sl_rdp.workers[0]);
	sl_ip6eo_reader_offline(sl_rdp.ip6eo, 0);
	sl_worker_offline(sl_rdp.main_w);
	if (sl_rdp.nat) {
		sl_nat_reader_offline(sl_rdp.nat, 0);
		sl_nat_free(sl_rdp.nat);
	}
	free(sl_rdp.nat_applied);
	sl_shm_dp_stop(&sl_rshm);
	return 0;
}
#endif /* SL_PKT_RUNNER_NO_MAIN */
