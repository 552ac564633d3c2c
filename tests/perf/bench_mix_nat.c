/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_mix_nat: the NAT mixes of bench_pipeline (issues 5 and 9):
 * snat-established, snat-new, dnat and eip, through the real stages
 * (route4 -> eip4 -> snat4 outbound, ip4_input -> eip4 -> nat4_in inbound).
 *
 * Design note
 * -----------
 * Objects. The first time a NAT mix runs, the generated config is published
 * again (sluiced's core compiles it into the bank's NAT section, the main
 * lcore applies the section to the session table) with, in each of the
 * first --nat-vpcs VPCs (default 1,024; VPC v as in bench_pipeline.c):
 *   - a NAT gateway of Spec Large (200,000 sessions, 10,000 new per second:
 *     the spec's limits apply; 1M sessions need many gateways, as a real
 *     region has), which holds the VPC's 0.0.0.0/0 route;
 *   - a SNAT entry for VSwitch 0 (10.1.0.0/16) to one EIP of the gateway,
 *     198.18.(v / 200).(1 + v % 200);
 *   - a forward entry, UDP to another EIP of the gateway, 198.18.(64 + v /
 *     200).(1 + v % 200) port 53 -> 10.1.0.10:5353 (VSwitch 0's instance);
 *   - an EIP 198.18.(128 + v / 200).(1 + v % 200) bound to VSwitch 1's
 *     instance 10.2.0.10 (1:1 NAT, bypasses SNAT).
 * The session table (sl_nat_create, what sluice-dp's nat_sessions makes)
 * holds --nat-sessions + --new-flows + 2 x --flows sessions and some room,
 * and is attached to the worker then (the other mixes run without it, as
 * the NAT objects are withdrawn again before a later mix: they measure what
 * they did before).
 *
 * Loading. --nat-sessions UDP flows (default 1M, issue 9) are sent once
 * through the pipeline, untimed: flow i leaves VPC i % G's instance
 * 10.1.0.10 from port 1024 + i / G to a random Internet address (a host in
 * a random prefix of the table) port 443, so each flow makes its own
 * mapping and session in the real snat4 stage. Each translated packet that
 * comes out gives its reply frame (remote:443 -> public ip:port).
 *
 * Mixes (64-byte UDP frames with real checksums, sides alternating burst by
 * burst as in every mix):
 *   snat-established  every loaded flow, both ways: its next outbound
 *                     packet (snat4: bulk lookup hit, rewrite, route4) and
 *                     its reply (nat4_in); 2 x --nat-sessions frames, so
 *                     every packet finds its session cache-cold as a 1M-flow
 *                     mix would;
 *   snat-new          --new-flows outbound frames, each a flow never seen
 *                     (a new port of the instance: a new mapping, a port
 *                     and a session per packet), timed over as many packets
 *                     as there are frames after the warm-up, so no frame
 *                     comes round twice (the figure includes the lookup
 *                     that missed); the table has room for all of them;
 *   dnat              --flows clients on the Internet to the forward
 *                     entries and the instance's replies (the DNAT sessions
 *                     are made during the warm-up: established traffic);
 *   eip               --flows flows both ways through the EIPs (eip4 only,
 *                     stateless).
 * Everything else (timing, the forwarded-packets check, the output line) is
 * bench_pipeline.c's sl_bp_run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_ethdev.h>
#include <rte_memory.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "sl_nat.h"

#include "bench_pipeline.h"

#define SL_NAT_MAX_VPCS 1365u /* three EIPs per VPC within SL_MAX_EIPS (4096) */
#define SL_NAT_DNAT_PORT 53
#define SL_NAT_DNAT_INT_PORT 5353
#define SL_NAT_REMOTE_PORT 443

static bool sl_nat_setup_done;
static struct sl_frame *sl_nat_est; /* snat-established: 2 x sl_nat_n_est frames */
static uint32_t sl_nat_n_est;	    /* loaded flows (a multiple of SL_BURST) */
static uint32_t sl_nat_vpcs;

/* Public address of VPC v: role 0 SNAT, 1 DNAT, 2 EIP (host order). */
static uint32_t sl_nat_pub(uint32_t v, unsigned int role)
{
	return 198u << 24 | 18u << 16 | (role * 64 + v / 200) << 8 | (1 + v % 200);
}

static void sl_nat_addr(uint32_t a, char *buf, size_t n)
{
	uint32_t be = htonl(a);

	inet_ntop(AF_INET, &be, buf, (socklen_t)n);
}

void sl_bp_config_nat(FILE *f, uint32_t nat)
{
	char a[INET_ADDRSTRLEN];

	fputs(",\"NatGateways\":[", f);
	for (uint32_t v = 0; v < nat; v++)
		fprintf(f,
			"%s{\"NatGatewayId\":\"ngw-p%05u\",\"VpcId\":\"vpc-p%05u\","
			"\"Spec\":\"Large\"}\n",
			v ? "," : "", v, v);
	fputs("],\"EipAddresses\":[", f);
	for (uint32_t v = 0; v < nat; v++)
		for (unsigned int r = 0; r < 3; r++) {
			sl_nat_addr(sl_nat_pub(v, r), a, sizeof(a));
			if (r < 2)
				fprintf(f,
					"%s{\"AllocationId\":\"eip-p%05u-%u\",\"IpAddress\":\"%s\","
					"\"InstanceType\":\"Nat\",\"InstanceId\":\"ngw-p%05u\"}\n",
					v || r ? "," : "", v, r, a, v);
			else
				fprintf(f,
					",{\"AllocationId\":\"eip-p%05u-%u\",\"IpAddress\":\"%s\","
					"\"InstanceType\":\"EcsInstance\",\"InstanceId\":\"i-p%05u-"
					"1\"}\n",
					v, r, a, v);
		}
	fputs("],\"SnatEntries\":[", f);
	for (uint32_t v = 0; v < nat; v++) {
		sl_nat_addr(sl_nat_pub(v, 0), a, sizeof(a));
		fprintf(f,
			"%s{\"SnatEntryId\":\"snat-p%05u\",\"SnatTableId\":\"stb-p%05u\","
			"\"SourceVSwitchId\":\"vsw-p%05u-0\",\"SnatIp\":\"%s\"}\n",
			v ? "," : "", v, v, v, a);
	}
	fputs("],\"ForwardEntries\":[", f);
	for (uint32_t v = 0; v < nat; v++) {
		sl_nat_addr(sl_nat_pub(v, 1), a, sizeof(a));
		fprintf(f,
			"%s{\"ForwardEntryId\":\"fwd-p%05u\",\"ForwardTableId\":\"ftb-p%05u\","
			"\"ExternalIp\":\"%s\",\"ExternalPort\":\"%u\",\"IpProtocol\":\"udp\","
			"\"InternalIp\":\"10.1.0.10\",\"InternalPort\":\"%u\"}\n",
			v ? "," : "", v, v, a, SL_NAT_DNAT_PORT, SL_NAT_DNAT_INT_PORT);
	}
	fputs("]", f);
}

bool sl_bp_nat_mix(const char *mix)
{
	return strcmp(mix, "snat-established") == 0 || strcmp(mix, "snat-new") == 0 ||
	       strcmp(mix, "dnat") == 0 || strcmp(mix, "eip") == 0;
}

/* ---- frames ---------------------------------------------------------------------- */

/* A host of the Internet table that no stage treats specially (not
 * private, multicast, ours, the outside subnet, nor .0 / .255). */
static uint32_t sl_nat_remote(const struct sl_pfxlist *pl)
{
	for (;;) {
		const struct sl_pfx4 *p = &pl->v4[sl_rand() % pl->n4];
		uint32_t host = p->len >= 32 ? 0 : (uint32_t)(UINT32_MAX >> p->len);
		uint32_t a = p->addr | ((uint32_t)sl_rand() & host), o1 = a >> 24;

		if (o1 == 0 || o1 == 10 || o1 == 127 || o1 >= 224 || (a >> 22) == (100u << 2 | 1) ||
		    (a >> 16) == (169u << 8 | 254) || (a >> 20) == (172u << 4 | 1) ||
		    (a >> 16) == (192u << 8 | 168) || (a >> 17) == (198u << 7 | 9) ||
		    (a >> 8) == (203u << 16 | 113) || (a & 0xff) == 0 || (a & 0xff) == 255)
			continue;
		return a;
	}
}

/* A UDP frame src:sport -> dst:dport from the outside (v == UINT32_MAX) or
 * from VPC v's trunk and VLAN, with its UDP checksum. */
static void sl_nat_frame(struct sl_frame *fr, uint32_t v, uint32_t src, uint16_t sport,
			 uint32_t dst, uint16_t dport)
{
	uint16_t vlan = v == UINT32_MAX ? 0 : (uint16_t)(1 + v % SL_VLANS_PER_TRUNK);
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *uh;

	fr->bport = v == UINT32_MAX ? 0 : (uint8_t)(1 + v / SL_VLANS_PER_TRUNK);
	sl_frame4(fr, vlan, src, dst);
	ip = (struct rte_ipv4_hdr *)(fr->data + sizeof(struct rte_ether_hdr) +
				     (vlan ? sizeof(struct rte_vlan_hdr) : 0));
	uh = (struct rte_udp_hdr *)(ip + 1);
	uh->src_port = rte_cpu_to_be_16(sport);
	uh->dst_port = rte_cpu_to_be_16(dport);
	uh->dgram_cksum = 0;
	uh->dgram_cksum = rte_ipv4_udptcp_cksum(ip, uh);
}

/* The reply of a translated packet that left by the outside port (no VLAN):
 * from its destination to its (translated) source. */
static int sl_nat_reply_of(struct rte_mbuf *m, struct sl_frame *fr)
{
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *uh;

	if (rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) + sizeof(*ip) + sizeof(*uh))
		return -EINVAL;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	uh = (const struct rte_udp_hdr *)(ip + 1);
	sl_nat_frame(fr, UINT32_MAX, rte_be_to_cpu_32(ip->dst_addr), rte_be_to_cpu_16(uh->dst_port),
		     rte_be_to_cpu_32(ip->src_addr), rte_be_to_cpu_16(uh->src_port));
	return 0;
}

/* ---- setting up -------------------------------------------------------------------- */

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

static int sl_nat_populate_msl(const struct rte_memseg_list *msl, void *arg)
{
	(void)arg;
	if (msl->base_va != NULL && msl->len)
		(void)madvise(msl->base_va, msl->len, MADV_POPULATE_WRITE);
	return 0;
}

/*
 * Fault in the EAL memory before the session table takes its share. With
 * hugepages (sluice-dp's normal setting) EAL memory is resident from the
 * start; without them (scripts/bench's default) a table's pages would be
 * faulted in by the first session written to each, a cost of the bench's
 * memory, not of the code, that snat-new would otherwise pay (2-4 us a
 * page on this machine).
 */
static void sl_nat_populate(void)
{
	rte_memseg_list_walk(sl_nat_populate_msl, NULL);
}

/*
 * Send the loaded flows through the pipeline, a burst at a time: fr[64 b,
 * 64 b + 32) are block b's outbound frames; the translated packets give
 * fr[64 b + 32, 64 b + 64), their replies.
 */
static int sl_nat_load(struct sl_frame *fr, uint32_t n)
{
	struct rte_ring *out = sl_bports[0].tx;
	struct rte_mbuf *m[SL_BURST];

	for (uint32_t b = 0; b < n / SL_BURST; b++) {
		struct sl_frame *blk = fr + 2 * (size_t)b * SL_BURST;
		uint64_t cursor = 0;
		unsigned int k;

		if (sl_bp_feed(blk, SL_BURST, &cursor) < 0)
			return sl_bp_fail("out of mbufs", NULL);
		sl_worker_poll(sl_bdp.workers[0]);
		k = rte_ring_sc_dequeue_burst(out, (void **)m, SL_BURST, NULL);
		for (unsigned int j = 0; j < k; j++)
			if (sl_nat_reply_of(m[j], &blk[SL_BURST + j]) < 0)
				k = 0;
		rte_pktmbuf_free_bulk(m, k);
		sl_bp_drain();
		if (k != SL_BURST) {
			sl_bp_print_drops();
			return sl_bp_fail("loading the NAT sessions: a flow was not translated",
					  NULL);
		}
	}
	return 0;
}

static int sl_nat_setup(struct sl_ctl *ctl, const struct sl_bp_opts *o, const struct sl_pfxlist *pl,
			bool load)
{
	uint32_t g = o->nat_vpcs, n_est = RTE_ALIGN_CEIL(o->nat_sessions, SL_BURST);
	uint32_t est_ports = (n_est + g - 1) / g, new_ports = (o->new_flows + g - 1) / (g ? g : 1);
	/* UDP idle timeout of a day: on a shared machine minutes may pass
	 * between loading and the last NAT mix, and 1M sessions expiring
	 * during a timed mix would measure expiry (bench_nat's expire_cycles),
	 * not the mix; the expiry scan still runs every poll. */
	struct sl_nat_conf nc = {.n_workers = 1, .tmo_s = {[SL_NAT_TMO_UDP] = 86400}};
	struct sl_nat_usage u;
	struct sl_nat_table *t;
	char a[INET_ADDRSTRLEN];

	if (g == 0 || g > o->active_vpcs || g > SL_NAT_MAX_VPCS || pl->n4 == 0)
		return sl_bp_fail("--nat-vpcs: 1 to min(--active-vpcs, 1365), and IPv4 prefixes",
				  NULL);
	if (1024 + est_ports + new_ports > 65535)
		return sl_bp_fail("--nat-sessions + --new-flows: more than 64,511 per NAT VPC",
				  NULL);
	sl_nat_vpcs = g;
	nc.max_sessions = n_est + RTE_ALIGN_CEIL(o->new_flows, SL_BURST) + 2 * o->flows + 4096;
	nc.max_gws = (uint16_t)(g + 64);
	nc.max_pubips = (uint16_t)(3 * g + 64);
	sl_nat_populate();
	t = sl_nat_create("sl_bp_nat", &nc);
	if (t == NULL)
		return sl_bp_fail("cannot create the NAT session table", strerror(errno));
	sl_nat_reader_online(t, 0);
	sl_bdp.nat = t;
	sl_nat_setup_done = true;
	for (uint32_t v = 0; v < g; v++) /* VSwitch 0's instance: SNAT source, DNAT target */
		if (sl_bp_learn(1 + v / SL_VLANS_PER_TRUNK, (uint16_t)(1 + v % SL_VLANS_PER_TRUNK),
				"10.1.0.10") != 0)
			return sl_bp_fail("cannot learn the neighbours", NULL);
	if (sl_bp_publish(ctl, o, 0, g) != 0)
		return 1;
	sl_nat_addr(sl_nat_pub(g - 1, 2), a, sizeof(a));
	fprintf(stderr,
		"bench_pipeline: NAT objects in %u VPC(s) (last EIP %s), session table of %u\n", g,
		a, nc.max_sessions);
	if (!load)
		return 0;
	sl_nat_est = calloc(2 * (size_t)n_est, sizeof(*sl_nat_est));
	if (sl_nat_est == NULL)
		return sl_bp_fail("out of memory", NULL);
	for (uint32_t i = 0; i < n_est; i++) {
		uint32_t v = i % g;

		sl_nat_frame(&sl_nat_est[2 * (size_t)(i / SL_BURST) * SL_BURST + i % SL_BURST], v,
			     0x0a01000au, (uint16_t)(1024 + i / g), sl_nat_remote(pl),
			     SL_NAT_REMOTE_PORT);
	}
	if (sl_nat_load(sl_nat_est, n_est) != 0)
		return 1;
	sl_nat_n_est = n_est;
	sl_nat_usage(t, &u);
	fprintf(stderr, "bench_pipeline: %u NAT sessions loaded (%u mappings)\n", u.sessions,
		u.mappings);
	return 0;
}

/* ---- the mixes ----------------------------------------------------------------------- */

/* snat-new: every frame a new flow; as many packets as fit after the warm-up. */
static int sl_nat_run_new(const struct sl_bp_opts *o, const struct sl_pfxlist *pl)
{
	uint32_t g = sl_nat_vpcs, n = RTE_ALIGN_CEIL(o->new_flows, SL_BURST);
	uint32_t base = 1024 + (sl_nat_n_est + g - 1) / g; /* ports the loaded flows do not use */
	uint64_t packets = n > 4 * SL_BURST ? (uint64_t)(n - 4 * SL_BURST) * 10 / 11 : 0;
	struct sl_frame *fr;
	int rc;

	packets = RTE_MIN(RTE_ALIGN_FLOOR(packets, SL_BURST), o->packets);
	if (packets == 0)
		return sl_bp_fail("snat-new: --new-flows too small", NULL);
	fr = calloc(n, sizeof(*fr));
	if (fr == NULL)
		return sl_bp_fail("out of memory", NULL);
	for (uint32_t j = 0; j < n; j++)
		sl_nat_frame(&fr[j], j % g, 0x0a01000au, (uint16_t)(base + j / g),
			     sl_nat_remote(pl), SL_NAT_REMOTE_PORT);
	rc = sl_bp_run_bursts("snat-new", fr, n, packets, 1); /* one side: one burst per poll */
	free(fr);
	return rc;
}

/* dnat and eip: --flows flows, Internet side then inside, interleaved. */
static int sl_nat_run_flows(const struct sl_bp_opts *o, const struct sl_pfxlist *pl,
			    const char *mix)
{
	bool dnat = strcmp(mix, "dnat") == 0;
	uint32_t f = o->flows;
	struct sl_frame *tmp = calloc(2 * (size_t)f, sizeof(*tmp));
	struct sl_frame *fr = calloc(2 * (size_t)f, sizeof(*fr));
	int rc;

	if (!tmp || !fr) {
		free(tmp);
		free(fr);
		return sl_bp_fail("out of memory", NULL);
	}
	for (uint32_t k = 0; k < f; k++) {
		uint32_t v = k % sl_nat_vpcs, remote = sl_nat_remote(pl);
		uint16_t port = (uint16_t)(1024 + sl_rand() % 60000);

		if (dnat) { /* a client to the forward entry, the instance's reply */
			sl_nat_frame(&tmp[k], UINT32_MAX, remote, port, sl_nat_pub(v, 1),
				     SL_NAT_DNAT_PORT);
			sl_nat_frame(&tmp[f + k], v, 0x0a01000au, SL_NAT_DNAT_INT_PORT, remote,
				     port);
		} else { /* to the EIP's instance, and from it */
			sl_nat_frame(&tmp[k], UINT32_MAX, remote, SL_NAT_REMOTE_PORT,
				     sl_nat_pub(v, 2), port);
			sl_nat_frame(&tmp[f + k], v, 0x0a02000au, port, remote, SL_NAT_REMOTE_PORT);
		}
	}
	sl_bp_interleave(tmp, f, fr);
	rc = sl_bp_run(mix, fr, 2 * f, o->packets);
	free(tmp);
	free(fr);
	return rc;
}

int sl_bp_nat_run(struct sl_ctl *ctl, const struct sl_bp_opts *o, const struct sl_pfxlist *pl,
		  const char *mix)
{
	bool sessions = o->mixes == NULL || strstr(o->mixes, "snat") || strstr(o->mixes, "dnat");

	if (pl->n4 == 0) {
		printf("mix=%s skipped=no-prefixes\n", mix);
		return 0;
	}
	if (!sl_nat_setup_done && sl_nat_setup(ctl, o, pl, sessions) != 0)
		return 1;
	if (strcmp(mix, "snat-established") == 0) {
		int rc;

		if (sl_nat_est == NULL)
			return sl_bp_fail("snat-established: no sessions loaded", NULL);
		rc = sl_bp_run(mix, sl_nat_est, 2 * sl_nat_n_est, o->packets);
		free(sl_nat_est);
		sl_nat_est = NULL;
		return rc;
	}
	if (strcmp(mix, "snat-new") == 0)
		return sl_nat_run_new(o, pl);
	return sl_nat_run_flows(o, pl, mix);
}

void sl_bp_nat_free(void)
{
	free(sl_nat_est);
	sl_nat_est = NULL;
	if (sl_bdp.nat) {
		sl_nat_reader_offline(sl_bdp.nat, 0);
		sl_nat_free(sl_bdp.nat);
		sl_bdp.nat = NULL;
	}
}

int sl_bp_nat_end(struct sl_ctl *ctl, const struct sl_bp_opts *o)
{
	if (!sl_nat_setup_done)
		return 0;
	sl_nat_setup_done = false;
	sl_bp_nat_free(); /* no sessions to flush: the table goes first */
	return sl_bp_publish(ctl, o, 0, 0);
}
