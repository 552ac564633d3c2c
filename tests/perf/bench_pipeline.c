/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_pipeline: cycles per packet of the real sluice-dp pipeline on one
 * worker, in process (issue 9, run by scripts/bench).
 *
 * Design note
 * -----------
 * The process is sluice-dp without its main loop, as tests/pkt/pkt_runner
 * drives it: the data-plane library (every stage, the neighbour table),
 * net_ring ports whose rings this program feeds and drains (outside, and
 * one inside port per trunk the config needs), and tables compiled and
 * published by sluiced's own core (sl_ctl, exactly what the daemon runs)
 * from a generated config with --vpcs VPCs (default 10,000: VPC v is
 * (trunk v / 4094, VLAN 1 + v % 4094), two VSwitches with an instance each,
 * --vpc-routes custom routes per family) plus the Internet table from a
 * prefix file (default ../shared/data/bgp-prefixes.txt.gz; without it a
 * synthetic table with the real length mix), every prefix via the config's
 * default route of its family.
 *
 * Neighbours are learned before timing (the outside gateways, and the
 * instances of the --active-vpcs VPCs the traffic uses), so no packet waits
 * for ARP/ND: the figure is the forwarding path alone.
 *
 * One iteration: (untimed) allocate one burst of SL_BURST mbufs per ingress
 * port, copy precomputed frames into them and enqueue them on the ports' rx
 * rings; (timed with the TSC) one sl_worker_poll(): rx_burst from every
 * port, the whole pipeline, tx buffers flushed into the ports' tx rings;
 * (untimed) drain the tx rings and free the mbufs. The timed part is what a
 * worker lcore spends per packet minus the NIC's own rx/tx descriptor work.
 *
 * Mixes (64-byte frames, UDP, destinations precomputed, --flows of them):
 *   ipv4-route  half from the outside port to an address inside a random
 *               prefix of the Internet table (full-table lookup, out the
 *               outside port to the default gateway), half from the inside:
 *               a random active VPC, VSwitch 0's instance to VSwitch 1's
 *               (VPC table lookup, back out on the same trunk and VLAN)
 *   ipv6-route  the same with IPv6 (66-byte frames inside, 62 outside)
 *   ipv6-ingress-rule  the IPv6 gateway (issue 6, docs/ipv6gw.md): before it
 *               the config is published again with an IPv6 gateway in each
 *               active VPC, Internet bandwidth on both instances' addresses
 *               and an ingress route rule steering VSwitch 0's /64 to
 *               VSwitch 1's instance; half from the outside to VSwitch 0's
 *               instance (ip6gw_in: gating, the rule), half from VSwitch
 *               1's instance to a random Internet address (ip6gw_out:
 *               gating, then the full table). It runs last: the other mixes
 *               see no IPv6 gateway section.
 *   snat-established, snat-new, dnat, eip  the NAT gateway (issue 5): see
 *               bench_mix_nat.c (NAT gateways, EIPs and entries in the
 *               first --nat-vpcs VPCs, --nat-sessions sessions loaded).
 *   policed     IPv4 to and from EIPs with bandwidth policers, 100,000
 *               policers loaded, every packet conforming (EIPs in the
 *               first 2,048 VPCs: the gateway's quota of 4,096 EIPs)
 *               (bench_mix_policed.c; the config is published again with
 *               its objects first)
 *   ecmp        ipv4-route with the outside half through next-hop groups
 *               of 2-4 members (a quarter of the IPv4 table set to groups
 *               before it, undone after; bench_mix_ecmp.c, issue 8)
 *
 * Output, one line per mix: mix=NAME cycles_per_pkt=C mpps=M (mpps =
 * TSC rate / C; C from the TSC around each poll, the slowest 1 % of polls
 * left out: see sl_bp_run; stderr adds the mean over all polls and the
 * 10th / 50th percentiles of the polls). Exit status 1 if fewer than 99 % of the timed packets were
 * transmitted (the setup is wrong, the figure would be meaningless), so the
 * smoke test checks forwarding, never timing.
 *
 * Usage: bench_pipeline [EAL args] -- [--prefixes FILE | --synthetic N]
 *        [--vpcs N] [--vpc-routes N] [--active-vpcs N] [--packets N]
 *        [--flows N] [--mix NAME[,NAME...]] [--nat-sessions N] [--new-flows N]
 *        [--nat-vpcs N]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "bench_pipeline.h"
#include "sl_ctl.h"
#include "sl_ctl_log.h"
#include "sl_dp.h"
#include "sl_neigh.h"
#include "sl_pfxfile.h"
#include "sl_port.h"
#include "sl_shm_attach.h"

#include "bench_pipeline.h"

/* policed mix: the config carries its objects for this many active VPCs
 * (0: not); never together with the NAT mixes' objects */
static uint32_t sl_bp_policed;

/* ---- options --------------------------------------------------------------------- */

static const char *const sl_all_mixes[] = {
	"ipv4-route", "ipv6-route", "snat-established", "snat-new",
	"dnat",	      "eip",	    "policed",		"ipv6-ingress-rule",
	"ecmp", /* bench_mix_ecmp.c (issue 8) */
};

/* ---- files this run makes, removed however it ends --------------------------------- */

static char sl_tmp_cfg[PATH_MAX], sl_tmp_table[PATH_MAX], sl_tmp_seg[PATH_MAX];
static char sl_runtime_dir[PATH_MAX];

static void sl_bp_cleanup(void)
{
	const char *const files[] = {sl_tmp_cfg, sl_tmp_table, sl_tmp_seg};

	for (unsigned int i = 0; i < RTE_DIM(files); i++)
		if (files[i][0])
			unlink(files[i]);
	if (sl_runtime_dir[0]) {
		rte_eal_cleanup();
		rmdir(sl_runtime_dir);
	}
}

int sl_bp_fail(const char *what, const char *detail)
{
	fprintf(stderr, "bench_pipeline: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	return 1;
}

/* ---- the config -------------------------------------------------------------------- */

/* VPC v's IPv6 /56 is 2001:db8:X::/56 with X = sl_v6_block(v). */
static unsigned int sl_v6_block(uint32_t v)
{
	return 0x1000 + v % 0xe000;
}

/* The IPv6 gateway objects of the ipv6-ingress-rule mix for VPCs [0, gws),
 * appended to the config's top-level object. */
static void sl_bp_config_ip6gw(FILE *f, uint32_t gws)
{
	fputs(",\"Ipv6Gateways\":[", f);
	for (uint32_t v = 0; v < gws; v++)
		fprintf(f, "%s{\"Ipv6GatewayId\":\"ipv6gw-p%05u\",\"VpcId\":\"vpc-p%05u\"}\n",
			v ? "," : "", v, v);
	fputs("],\"Ipv6Addresses\":[", f);
	for (uint32_t i = 0; i < 2 * gws; i++)
		fprintf(f,
			"%s{\"Ipv6AddressId\":\"ipv6-p%05u-%u\",\"VSwitchId\":\"vsw-p%05u-%u\","
			"\"Ipv6Address\":\"2001:db8:%x:%x::10\"}\n",
			i ? "," : "", i / 2, i & 1, i / 2, i & 1, sl_v6_block(i / 2), i & 1);
	fputs("],\"Ipv6InternetBandwidths\":[", f);
	for (uint32_t i = 0; i < 2 * gws; i++)
		fprintf(f,
			"%s{\"Ipv6InternetBandwidthId\":\"ipv6bw-p%05u-%u\",\"Ipv6AddressId\":"
			"\"ipv6-p%05u-%u\",\"Bandwidth\":100}\n",
			i ? "," : "", i / 2, i & 1, i / 2, i & 1);
	fputs("],\"Ipv6GatewayRouteRules\":[", f);
	for (uint32_t v = 0; v < gws; v++)
		fprintf(f,
			"%s{\"RouteRuleId\":\"igwrtbr-p%05u\",\"Ipv6GatewayId\":\"ipv6gw-p%05u\","
			"\"Destination\":\"2001:db8:%x::/64\",\"NextHopType\":\"ECS\","
			"\"NextHopInstanceId\":\"i-p%05u-1\"}\n",
			v ? "," : "", v, v, sl_v6_block(v), v);
	fputs("]", f);
}

/* The generated config; with `gws`, IPv6 gateways in VPCs [0, gws). */
static int sl_bp_config(const char *path, uint32_t vpcs, uint32_t routes, uint32_t gws,
			uint32_t nat)
{
	FILE *f = fopen(path, "w");
	uint32_t trunks = (vpcs + SL_VLANS_PER_TRUNK - 1) / SL_VLANS_PER_TRUNK;

	if (f == NULL)
		return -errno;
	fprintf(f,
		"{\"Regions\":[{\"RegionId\":\"cn-bench\",\"Zones\":[{\"ZoneId\":\"z1\"}]}],"
		"\"Gateway\":{\"Inside\":{\"Trunks\":%u},\"EipPool\":[\"" SL_BP_EIP_POOL "\"],\"Outside\":{\"Addresses\":"
		"[\"203.0.113.2/24\",\"2001:db8:ffff::2/64\"],\"Mtu\":1500},\"InternetRoutes\":["
		"{\"DestinationCidrBlock\":\"0.0.0.0/0\",\"NextHop\":\"203.0.113.1\"},"
		"{\"DestinationCidrBlock\":\"::/0\",\"NextHop\":\"2001:db8:ffff::1\"}]",
		trunks ? trunks : 1);
	fputs("},\"Vpcs\":[", f);
	for (uint32_t v = 0; v < vpcs; v++)
		fprintf(f,
			"%s{\"VpcId\":\"vpc-p%05u\",\"RegionId\":\"cn-bench\",\"CidrBlock\":\"10.0.0.0/8\","
			"\"Ipv6CidrBlock\":\"2001:db8:%x::/56\",\"Trunk\":%u,\"VlanId\":%u,"
			"\"RouteTableId\":\"vtb-p%05u\"}\n",
			v ? "," : "", v, sl_v6_block(v), v / SL_VLANS_PER_TRUNK,
			1 + v % SL_VLANS_PER_TRUNK, v);
	fputs("],\"VSwitches\":[", f);
	for (uint32_t i = 0; i < 2 * vpcs; i++)
		fprintf(f,
			"%s{\"VSwitchId\":\"vsw-p%05u-%u\",\"VpcId\":\"vpc-p%05u\",\"ZoneId\":\"z1\","
			"\"CidrBlock\":\"10.%u.0.0/16\",\"Ipv6CidrBlock\":\"2001:db8:%x:%x::/64\"}\n",
			i ? "," : "", i / 2, i & 1, i / 2, 1 + (i & 1), sl_v6_block(i / 2), i & 1);
	fputs("],\"Instances\":[", f);
	for (uint32_t i = 0; i < 2 * vpcs; i++)
		fprintf(f,
			"%s{\"InstanceId\":\"i-p%05u-%u\",\"VSwitchId\":\"vsw-p%05u-%u\","
			"\"PrivateIpAddress\":\"10.%u.0.10\",\"Ipv6Address\":\"2001:db8:%x:%x::10\"}\n",
			i ? "," : "", i / 2, i & 1, i / 2, i & 1, 1 + (i & 1), sl_v6_block(i / 2),
			i & 1);
	fputs("],\"RouteEntries\":[", f);
	for (uint32_t v = 0; v < vpcs; v++)
		for (uint32_t r = 0; r < routes; r++)
			fprintf(f,
				"%s{\"RouteTableId\":\"vtb-p%05u\",\"DestinationCidrBlock\":"
				"\"172.%u.%u.0/24\",\"NextHopType\":\"Instance\",\"NextHopId\":"
				"\"i-p%05u-%u\"},{\"RouteTableId\":\"vtb-p%05u\",\"DestinationCidrBlock\":"
				"\"2001:db8:ffff:%x::/64\",\"NextHopType\":\"Instance\",\"NextHopId\":"
				"\"i-p%05u-%u\"}\n",
				v || r ? "," : "", v, 16 + r / 256, r % 256, v, r & 1, v, 0x100 + r, v,
				r & 1);
	fputs("]", f);
	if (gws)
		sl_bp_config_ip6gw(f, gws);
	if (nat) /* bench_mix_nat.c */
		sl_bp_config_nat(f, nat);
	else if (sl_bp_policed) /* bench_mix_policed.c */
		sl_bpm_policed_objects(f, vpcs, sl_bp_policed);
	fputs("}\n", f);
	return fclose(f) == 0 ? 0 : -errno;
}

/* A synthetic Internet table as a prefix file (both families). */
static int sl_bp_synthetic_table(const char *path, uint32_t n4)
{
	struct sl_pfxlist pl = {0};
	char buf[INET6_ADDRSTRLEN];
	FILE *f = fopen(path, "w");

	if (f == NULL || sl_pfx_synthesize(n4, 1, 7, &pl) < 0) {
		if (f)
			fclose(f);
		return -ENOMEM;
	}
	for (size_t i = 0; i < pl.n4; i++) {
		uint32_t a = htonl(pl.v4[i].addr);

		fprintf(f, "%s/%u\n", inet_ntop(AF_INET, &a, buf, sizeof(buf)), pl.v4[i].len);
	}
	for (size_t i = 0; i < pl.n6; i++)
		fprintf(f, "%s/%u\n", inet_ntop(AF_INET6, pl.v6[i].addr, buf, sizeof(buf)),
			pl.v6[i].len);
	sl_pfx_free(&pl);
	return fclose(f) == 0 ? 0 : -errno;
}

/* ---- ports ------------------------------------------------------------------------- */

struct sl_bport sl_bports[1 + SL_MAX_TRUNKS];
static unsigned int sl_n_bports;
struct sl_dp sl_bdp;
static struct sl_shm sl_bshm;

static int sl_bp_port(unsigned int i)
{
	struct sl_bport *bp = &sl_bports[i];
	struct rte_eth_conf conf;
	char name[64];
	int port;

	snprintf(name, sizeof(name), "sl_bp%u_rx", i);
	bp->rx = rte_ring_create(name, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "sl_bp%u_tx", i);
	bp->tx = rte_ring_create(name, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!bp->rx || !bp->tx)
		return -ENOMEM;
	snprintf(name, sizeof(name), "net_ring_sl_bp%u", i);
	port = rte_eth_from_rings(name, &bp->rx, 1, &bp->tx, 1, 0);
	if (port < 0)
		return -rte_errno;
	bp->port_id = (uint16_t)port;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(bp->port_id, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(bp->port_id, 0, 256, 0, NULL, sl_pktmbuf_pool) < 0 ||
	    rte_eth_tx_queue_setup(bp->port_id, 0, 256, 0, NULL) < 0 ||
	    rte_eth_dev_start(bp->port_id) < 0)
		return -EIO;
	/* As port.c does for a real port (the ring PMD keeps its own MAC). */
	sl_ports[port].mac = (struct rte_ether_addr){{0x02, 0, 0, 0, 0xbe, (uint8_t)(i + 1)}};
	sl_ports[port].role = i == 0 ? SL_ROLE_OUTSIDE : SL_ROLE_INSIDE;
	sl_ports[port].enabled = 1;
	sl_ports[port].mtu = 1500;
	sl_ports[port].trunk = (uint8_t)(i ? i - 1 : 0);
	if (i == 0)
		sl_role_port[SL_ROLE_OUTSIDE] = bp->port_id;
	else {
		if (sl_role_port[SL_ROLE_INSIDE] == RTE_MAX_ETHPORTS)
			sl_role_port[SL_ROLE_INSIDE] = bp->port_id;
		sl_trunk_port[i - 1] = bp->port_id;
	}
	return 0;
}

/* What the figures measured, on stdout before them: memory=huge when the
 * segment (the tables) is on 2 MiB pages, segment= how (hugetlbfs, or thp:
 * tmpfs huge pages, seen as PMD-mapped shmem in /proc/self/smaps), dpdk=
 * where mbufs and the NAT tables are. */
static void sl_bp_print_memory(const char *segment)
{
	unsigned long kb, lo, hi, pmd_kb = 0;
	const char *seg = "4k";
	bool in_seg = false;
	char line[512];
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) /* a mapping's first line */
			in_seg = strstr(line, segment) != NULL;
		else if (in_seg && sscanf(line, "ShmemPmdMapped: %lu kB", &kb) == 1)
			pmd_kb += kb;
	}
	if (f)
		fclose(f);
	if (sl_bshm.page > 4096)
		seg = "hugetlbfs";
	else if (pmd_kb > 0)
		seg = "thp";
	printf("memory=%s segment=%s dpdk=%s\n", strcmp(seg, "4k") ? "huge" : "4k", seg,
	       rte_eal_has_hugepages() ? "huge" : "4k");
	fflush(stdout);
}

static int sl_bp_dp_setup(const char *segment, unsigned int trunks)
{
	char err[512];
	unsigned int ids[2];

	for (unsigned int r = 0; r < SL_ROLE_MAX; r++)
		sl_role_port[r] = RTE_MAX_ETHPORTS;
	for (unsigned int k = 0; k < SL_MAX_TRUNKS; k++)
		sl_trunk_port[k] = RTE_MAX_ETHPORTS;
	if (sl_pool_create(8191) < 0)
		return sl_bp_fail("cannot create the packet pool", NULL);
	sl_n_bports = 1 + trunks;
	for (unsigned int i = 0; i < sl_n_bports; i++)
		if (sl_bp_port(i) < 0)
			return sl_bp_fail("cannot create a ring port", NULL);
	if (sl_shm_try_attach(&sl_bshm, segment, err, sizeof(err)) < 0)
		return sl_bp_fail("attaching the segment", err);
	sl_bdp.shm = &sl_bshm;
	sl_bdp.n_workers = 1;
	sl_bdp.n_ports = sl_n_bports;
	for (unsigned int i = 0; i < sl_n_bports; i++)
		sl_bdp.port_ids[i] = sl_bports[i].port_id;
	sl_bdp.punt_ring = rte_ring_create("sl_punt", SL_PUNT_RING_SIZE, 0, RING_F_SC_DEQ);
	sl_bdp.inject[0] =
	    rte_ring_create("sl_inject0", SL_INJECT_RING_SIZE, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	sl_bdp.main_w = sl_worker_create(&sl_bdp, -1, rte_lcore_id());
	sl_bdp.workers[0] = sl_worker_create(&sl_bdp, 0, rte_lcore_id());
	if (!sl_bdp.punt_ring || !sl_bdp.inject[0] || !sl_bdp.main_w || !sl_bdp.workers[0])
		return sl_bp_fail("cannot create the lcore contexts", NULL);
	sl_bdp.neigh = sl_ctrl_neigh_create(&sl_bdp);
	if (!sl_bdp.neigh)
		return sl_bp_fail("cannot create the neighbour table", NULL);
	ids[0] = ids[1] = rte_lcore_id();
	if (sl_shm_dp_start(&sl_bshm, 2, ids) < 0)
		return sl_bp_fail("cannot register in the segment", NULL);
	sl_neigh_reader_online(sl_bdp.neigh, 0);
	sl_worker_online(sl_bdp.workers[0]);
	sl_worker_online(sl_bdp.main_w);
	if (!sl_bdp.workers[0]->bank)
		return sl_bp_fail("no bank after publishing", NULL);
	return 0;
}

/* Learn `addr` (text) on `port`/`vlan` with a made-up MAC, as a reply would. */
int sl_bp_learn(unsigned int bport, uint16_t vlan, const char *addr)
{
	struct sl_neigh_key k;
	uint8_t a[16];
	int v6 = strchr(addr, ':') != NULL;
	const struct rte_ether_addr mac = {{0x02, 0xaa, 0, 0, (uint8_t)(vlan >> 8), (uint8_t)vlan}};

	if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, a) != 1)
		return -EINVAL;
	sl_neigh_key_init(&k, sl_bports[bport].port_id, vlan, v6 ? SL_AF_INET6 : SL_AF_INET, a);
	return sl_neigh_learn(sl_bdp.neigh, &k, &mac, SL_NEIGH_F_CREATE | SL_NEIGH_F_CONFIRM,
			      bport ? SL_ROLE_INSIDE : SL_ROLE_OUTSIDE, NULL, rte_rdtsc());
}

static int sl_bp_learn_all(uint32_t active)
{
	char a[INET6_ADDRSTRLEN];
	int rc = sl_bp_learn(0, 0, "203.0.113.1") | sl_bp_learn(0, 0, "2001:db8:ffff::1");

	for (uint32_t v = 0; v < active && rc == 0; v++) {
		unsigned int bport = 1 + v / SL_VLANS_PER_TRUNK;
		uint16_t vlan = (uint16_t)(1 + v % SL_VLANS_PER_TRUNK);

		snprintf(a, sizeof(a), "2001:db8:%x:1::10", sl_v6_block(v));
		rc = sl_bp_learn(bport, vlan, "10.2.0.10") | sl_bp_learn(bport, vlan, a);
	}
	return rc;
}

/* ---- frames ------------------------------------------------------------------------ */

static uint64_t sl_rng = 0x9e3779b97f4a7c15ull;

uint64_t sl_rand(void)
{
	sl_rng = sl_pfx_mix64(sl_rng + 0x9e3779b97f4a7c15ull);
	return sl_rng;
}

/* Ethernet (+802.1Q when vlan) to the ingress port's MAC; returns the L3 offset. */
static uint16_t sl_frame_eth(struct sl_frame *fr, uint16_t vlan, uint16_t ethertype)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)fr->data;
	uint16_t off = sizeof(*eh);

	eh->dst_addr = sl_ports[sl_bports[fr->bport].port_id].mac;
	eh->src_addr = (struct rte_ether_addr){{0x02, 0xcc, 0, 0, 0, 1}};
	if (vlan) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eh + 1);

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = rte_cpu_to_be_16(vlan);
		vh->eth_proto = rte_cpu_to_be_16(ethertype);
		off += sizeof(*vh);
	} else {
		eh->ether_type = rte_cpu_to_be_16(ethertype);
	}
	return off;
}

static void sl_frame_udp(struct rte_udp_hdr *uh, uint16_t len)
{
	uh->src_port = rte_cpu_to_be_16((uint16_t)(1024 + sl_rand() % 60000));
	uh->dst_port = rte_cpu_to_be_16(4789);
	uh->dgram_len = rte_cpu_to_be_16(len);
	uh->dgram_cksum = 0;
}

void sl_frame4(struct sl_frame *fr, uint16_t vlan, uint32_t src, uint32_t dst)
{
	uint16_t off = sl_frame_eth(fr, vlan, RTE_ETHER_TYPE_IPV4);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(fr->data + off);
	uint16_t total = (uint16_t)((vlan ? 64 : 60) - off); /* 64-byte frame with FCS */

	memset(ip, 0, total);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(total);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = htonl(src);
	ip->dst_addr = htonl(dst);
	sl_frame_udp((struct rte_udp_hdr *)(ip + 1), (uint16_t)(total - sizeof(*ip)));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	fr->len = (uint16_t)(off + total);
}

static void sl_frame6(struct sl_frame *fr, uint16_t vlan, const uint8_t *src, const uint8_t *dst)
{
	uint16_t off = sl_frame_eth(fr, vlan, RTE_ETHER_TYPE_IPV6);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(fr->data + off);
	struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(ip + 1);

	memset(ip, 0, sizeof(*ip) + sizeof(*uh));
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(sizeof(*uh));
	ip->proto = IPPROTO_UDP;
	ip->hop_limits = 64;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, dst, 16);
	sl_frame_udp(uh, sizeof(*uh));
	uh->dgram_cksum = rte_ipv6_udptcp_cksum(ip, uh);
	fr->len = (uint16_t)(off + sizeof(*ip) + sizeof(*uh));
}

/* Frames of one mix: [0, flows) from the outside, [flows, 2 flows) inside. */
static int sl_bp_frames(const char *mix, const struct sl_pfxlist *pl, uint32_t flows,
			uint32_t active, struct sl_frame *fr)
{
	int gw6 = strcmp(mix, "ipv6-ingress-rule") == 0;
	int v6 = gw6 || strcmp(mix, "ipv6-route") == 0;

	if ((v6 ? pl->n6 : pl->n4) == 0)
		return -ENOENT;
	for (uint32_t i = 0; i < flows; i++) {
		struct sl_frame *o = &fr[i], *in = &fr[flows + i];
		uint32_t v = (uint32_t)(sl_rand() % active);
		uint16_t vlan = (uint16_t)(1 + v % SL_VLANS_PER_TRUNK);

		o->bport = 0;
		in->bport = (uint8_t)(1 + v / SL_VLANS_PER_TRUNK);
		if (!v6) {
			const struct sl_pfx4 *p = &pl->v4[sl_rand() % pl->n4];
			uint32_t host = p->len >= 32 ? 0 : (uint32_t)(UINT32_MAX >> p->len);

			sl_frame4(o, 0, 0xc6336400u + i % 256 /* 198.51.100.x */,
				  p->addr | ((uint32_t)sl_rand() & host));
			sl_frame4(in, vlan, 0x0a01000au, 0x0a02000au);
		} else {
			const struct sl_pfx6 *p = &pl->v6[sl_rand() % pl->n6];
			uint8_t src[16], dst[16], vsrc[16], vdst[16];
			char a[INET6_ADDRSTRLEN];

			inet_pton(AF_INET6, "2001:db8:beef::1", src);
			memcpy(dst, p->addr, 16);
			for (unsigned int b = p->len; b < 128; b++)
				if (sl_rand() & 1)
					dst[b / 8] |= (uint8_t)(0x80 >> (b % 8));
			snprintf(a, sizeof(a), "2001:db8:%x:0::10", sl_v6_block(v));
			inet_pton(AF_INET6, a, vsrc);
			snprintf(a, sizeof(a), "2001:db8:%x:1::10", sl_v6_block(v));
			inet_pton(AF_INET6, a, vdst);
			if (gw6) { /* in to VSwitch 0's instance (the rule), out from VSwitch 1's */
				sl_frame6(o, 0, src, vsrc);
				sl_frame6(in, vlan, vdst, dst);
			} else {
				sl_frame6(o, 0, src, dst);
				sl_frame6(in, vlan, vsrc, vdst);
			}
		}
	}
	return 0;
}

/* ---- the timed loop ---------------------------------------------------------------- */

/* Put one burst of frames on the rx ring of each frame's port. */
int sl_bp_feed(const struct sl_frame *fr, uint32_t n_frames, uint64_t *cursor)
{
	struct rte_mbuf *m[SL_BURST];

	if (rte_pktmbuf_alloc_bulk(sl_pktmbuf_pool, m, SL_BURST) != 0)
		return -ENOMEM;
	for (unsigned int i = 0; i < SL_BURST; i++) {
		const struct sl_frame *f = &fr[(*cursor)++ % n_frames];

		memcpy(rte_pktmbuf_mtod(m[i], void *), f->data, f->len);
		m[i]->data_len = m[i]->pkt_len = f->len;
		/* a real PMD stamps the port; the ring PMD hands mbufs over as
		 * they are, and eth_input relies on it */
		m[i]->port = sl_bports[f->bport].port_id;
		if (rte_ring_sp_enqueue(sl_bports[f->bport].rx, m[i]) != 0)
			rte_pktmbuf_free(m[i]);
	}
	return 0;
}

uint64_t sl_bp_drain(void)
{
	struct rte_mbuf *m[64];
	uint64_t n = 0;
	unsigned int k;

	for (unsigned int i = 0; i < sl_n_bports; i++)
		while ((k = rte_ring_sc_dequeue_burst(sl_bports[i].tx, (void **)m, RTE_DIM(m),
						      NULL)) != 0) {
			rte_pktmbuf_free_bulk(m, k);
			n += k;
		}
	/* Nothing should be punted (neighbours are learned): free what is. */
	while ((k = rte_ring_sc_dequeue_burst(sl_bdp.punt_ring, (void **)m, RTE_DIM(m), NULL)))
		rte_pktmbuf_free_bulk(m, k);
	return n;
}

static const char *const sl_drop_names[SL_DROP_MAX] = {
#define SL_X(sym, name, desc) [SL_DROP_##sym] = name,
	SL_FOREACH_DROP(SL_X)
#undef SL_X
};

/* Why packets were not forwarded: every non-zero drop counter (since start). */
void sl_bp_print_drops(void)
{
	for (unsigned int r = 0; r < SL_DROP_MAX; r++) {
		uint64_t n = 0;

		for (unsigned int l = 0; l < SL_MAX_LCORES; l++)
			n += sl_bshm.stats->lcore[l].drop[r];
		if (n)
			fprintf(stderr, "bench_pipeline:   drop %s=%" PRIu64 "\n", sl_drop_names[r], n);
	}
}

static int sl_bp_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Run one mix; 0, or 1 if too few packets were forwarded (or no memory).
 * Every poll (`bursts` bursts) is timed alone. On a shared machine a poll now
 * and then includes time the thread spent descheduled (milliseconds, where
 * a poll takes microseconds), so the figure is the mean over the fastest
 * SL_BP_KEEP_PCT % of polls; the plain mean over all polls goes to stderr.
 */
#define SL_BP_KEEP_PCT 99
int sl_bp_run_bursts(const char *mix, const struct sl_frame *fr, uint32_t n_frames,
		     uint64_t packets, unsigned int bursts)
{
	struct sl_worker *w = sl_bdp.workers[0];
	uint64_t cursor = 0, all = 0, kept = 0, tx = 0, warm = packets / 10 + SL_BURST;
	uint64_t n_polls = (packets + bursts * SL_BURST - 1) / (bursts * SL_BURST), n_kept;
	uint64_t *poll_cycles = malloc(n_polls * sizeof(*poll_cycles));
	double cpp, hz = (double)rte_get_tsc_hz();

	if (poll_cycles == NULL)
		return sl_bp_fail("out of memory", NULL);
	/* The frames alternate sides burst by burst (sl_bp_interleave): two
	 * feeds put one burst on the outside port and one on the inside. */
	for (uint64_t done = 0; done < warm; done += SL_BURST) {
		if (sl_bp_feed(fr, n_frames, &cursor) < 0)
			return sl_bp_fail("out of mbufs", NULL);
		sl_worker_poll(w);
		sl_bp_drain();
	}
	for (uint64_t p = 0; p < n_polls; p++) {
		uint64_t t0;

		for (unsigned int s = 0; s < bursts; s++)
			if (sl_bp_feed(fr, n_frames, &cursor) < 0)
				return sl_bp_fail("out of mbufs", NULL);
		t0 = rte_rdtsc_precise();
		sl_worker_poll(w);
		poll_cycles[p] = rte_rdtsc_precise() - t0;
		all += poll_cycles[p];
		tx += sl_bp_drain();
	}
	qsort(poll_cycles, n_polls, sizeof(*poll_cycles), sl_bp_cmp_u64);
	n_kept = n_polls * SL_BP_KEEP_PCT / 100 ? n_polls * SL_BP_KEEP_PCT / 100 : n_polls;
	for (uint64_t p = 0; p < n_kept; p++)
		kept += poll_cycles[p];
	cpp = (double)kept / (double)(n_kept * bursts * SL_BURST);
	printf("mix=%s cycles_per_pkt=%.1f mpps=%.2f\n", mix, cpp, hz / cpp / 1e6);
	fflush(stdout);
	fprintf(stderr, "bench_pipeline: %s: mean over all polls %.1f cycles/packet, "
			"%" PRIu64 " of %" PRIu64 " packets forwarded\n", mix,
		(double)all / (double)(n_polls * bursts * SL_BURST), tx, n_polls * bursts * SL_BURST);
	/* Quantiles of the poll times, steadier than any mean when other
	 * jobs share the core (A/B comparisons on a loaded machine). */
	fprintf(stderr, "bench_pipeline: %s: p10 %.1f p50 %.1f cycles/packet\n", mix,
		(double)poll_cycles[n_polls / 10] / (bursts * SL_BURST),
		(double)poll_cycles[n_polls / 2] / (bursts * SL_BURST));
	free(poll_cycles);
	if (tx != n_polls * bursts * SL_BURST)
		sl_bp_print_drops(); /* why (counters since the start, all mixes) */
	return tx * 100 < n_polls * bursts * SL_BURST * 99;
}

/* Two bursts per poll: one per side (the frames alternate, sl_bp_interleave). */
int sl_bp_run(const char *mix, const struct sl_frame *fr, uint32_t n_frames, uint64_t packets)
{
	return sl_bp_run_bursts(mix, fr, n_frames, packets, 2);
}

/* The frame array interleaves the two sides in bursts (see sl_bp_run). */
void sl_bp_interleave(const struct sl_frame *in, uint32_t flows, struct sl_frame *out)
{
	uint32_t k = 0;

	for (uint32_t b = 0; b < flows; b += SL_BURST)
		for (uint32_t side = 0; side < 2; side++)
			for (uint32_t i = b; i < b + SL_BURST && i < flows; i++)
				out[k++] = in[side * flows + i];
}

/* ---- main ---------------------------------------------------------------------------- */

static int sl_bp_parse(int argc, char **argv, struct sl_bp_opts *o)
{
	static const struct option lo[] = {
	    {"prefixes", required_argument, NULL, 'p'},	   {"synthetic", required_argument, NULL, 's'},
	    {"vpcs", required_argument, NULL, 'v'},	   {"vpc-routes", required_argument, NULL, 'r'},
	    {"active-vpcs", required_argument, NULL, 'a'}, {"packets", required_argument, NULL, 'n'},
	    {"flows", required_argument, NULL, 'f'},	   {"mix", required_argument, NULL, 'm'},
	    /* the NAT mixes (bench_mix_nat.c) */
	    {"nat-sessions", required_argument, NULL, 'S'}, {"new-flows", required_argument, NULL, 'N'},
	    {"nat-vpcs", required_argument, NULL, 'G'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'p': o->prefixes = optarg; break;
		case 's': o->synthetic = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'v': o->vpcs = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'r': o->vpc_routes = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'a': o->active_vpcs = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'n': o->packets = strtoull(optarg, NULL, 10); break;
		case 'f': o->flows = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'm': o->mixes = optarg; break;
		case 'S': o->nat_sessions = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'N': o->new_flows = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'G': o->nat_vpcs = (uint32_t)strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: bench_pipeline [EAL args] -- [--prefixes FILE | "
					"--synthetic N] [--vpcs N] [--vpc-routes N] [--active-vpcs N] "
					"[--packets N] [--flows N] [--mix NAME[,NAME...]] "
					"[--nat-sessions N] [--new-flows N] [--nat-vpcs N]\n");
			return -1;
		}
	}
	if (o->vpcs == 0 || o->vpcs > SL_MAX_TRUNKS * SL_VLANS_PER_TRUNK || o->flows == 0 ||
	    o->packets == 0) {
		fprintf(stderr, "bench_pipeline: --vpcs 1..%u, --flows and --packets > 0\n",
			SL_MAX_TRUNKS * SL_VLANS_PER_TRUNK);
		return -1;
	}
	for (const char *p = o->mixes; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		size_t len = strcspn(p, ","), k;

		for (k = 0; k < RTE_DIM(sl_all_mixes); k++)
			if (strlen(sl_all_mixes[k]) == len && strncmp(p, sl_all_mixes[k], len) == 0)
				break;
		if (k == RTE_DIM(sl_all_mixes)) {
			fprintf(stderr, "bench_pipeline: --mix: unknown mix '%.*s'\n", (int)len, p);
			return -1;
		}
	}
	if (o->active_vpcs == 0 || o->active_vpcs > o->vpcs)
		o->active_vpcs = o->vpcs;
	/* two neighbours per active VPC must fit the table with room to spare */
	if (o->active_vpcs > SL_NEIGH_SIZE / 4)
		o->active_vpcs = SL_NEIGH_SIZE / 4;
	return 0;
}

/* Publish the config again, with the IPv6 gateway objects of the
 * ipv6-ingress-rule mix in VPCs [0, gws), the NAT objects of the NAT
 * mixes in VPCs [0, nat) (bench_mix_nat.c) or the policed mix's objects
 * (sl_bp_policed, bench_mix_policed.c); the worker and the main lcore
 * (which applies the NAT section to the session table and the police
 * section to the policers) take the bank now. */
int sl_bp_publish(struct sl_ctl *ctl, const struct sl_bp_opts *o, uint32_t gws, uint32_t nat)
{
	struct sl_ctl_result res;
	struct sl_store *s;
	struct sl_errs errs;
	int rc;

	if (sl_bp_config(sl_tmp_cfg, o->vpcs, o->vpc_routes, gws, nat) < 0)
		return sl_bp_fail("cannot write the config", sl_tmp_cfg);
	sl_errs_init(&errs, sl_tmp_cfg);
	s = sl_ctl_build_store(ctl, sl_tmp_cfg, &errs);
	rc = s ? sl_ctl_apply(ctl, s, "bench", &res) : -EINVAL;
	if (rc < 0) {
		char first[256] = "";

		if (errs.n)
			snprintf(first, sizeof(first), "%u error(s) in the config", errs.n);
		for (unsigned int i = 0; i < errs.n && i < 5; i++)
			fprintf(stderr, "bench_pipeline:   %s\n", errs.v[i].msg ? errs.v[i].msg : errs.v[i].code);
		sl_errs_free(&errs);
		return sl_bp_fail("publishing the config again", first[0] ? first : NULL);
	}
	sl_errs_free(&errs);
	sl_ctrl_poll(&sl_bdp); /* the main lcore: NAT section, policers */
	sl_worker_poll(sl_bdp.workers[0]); /* take the new bank now */
	sl_bp_drain();
	return 0;
}

static int sl_bp_wanted(const char *list, const char *mix)
{
	size_t n = strlen(mix);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, mix, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return list == NULL;
}

int main(int argc, char **argv)
{
	struct sl_bp_opts o = {.vpcs = 10000, .vpc_routes = 24, .active_vpcs = 4096,
			       .packets = 20000000, .flows = 8192, .nat_sessions = 1u << 20,
			       .new_flows = 1u << 19, .nat_vpcs = 1024};
	struct sl_ctl_opts co = {0};
	struct sl_ctl_result res;
	struct sl_pfxlist pl = {0};
	struct sl_frame *fr, *tmp;
	struct sl_ctl *ctl;
	char err[512] = "";
	int n, rc = 0;

	sl_log_level = SL_LOG_WARN;
	n = rte_eal_init(argc, argv);
	if (n < 0)
		return sl_bp_fail("EAL initialisation failed", rte_strerror(rte_errno));
	snprintf(sl_runtime_dir, sizeof(sl_runtime_dir), "%s", rte_eal_get_runtime_dir());
	atexit(sl_bp_cleanup);
	argc -= n;
	argv += n;
	if (sl_bp_parse(argc, argv, &o) < 0)
		return 2;
	if (o.flows % SL_BURST)
		o.flows += SL_BURST - o.flows % SL_BURST;

	snprintf(sl_tmp_cfg, sizeof(sl_tmp_cfg), "/tmp/bench_pipeline_%d.json", (int)getpid());
	/* the segment's directory: /dev/shm, or a hugetlbfs mount (scripts/bench
	 * passes /dev/hugepages when enough huge pages are free) */
	snprintf(sl_tmp_seg, sizeof(sl_tmp_seg), "%s/sluice-bench-pipeline-%d",
		 getenv("SL_BENCH_SEGMENT_DIR") ? getenv("SL_BENCH_SEGMENT_DIR") : "/dev/shm",
		 (int)getpid());
	if (o.prefixes == NULL && o.synthetic == 0 && access(SL_DEFAULT_PREFIXES, R_OK) == 0)
		o.prefixes = SL_DEFAULT_PREFIXES;
	if (o.prefixes == NULL) {
		snprintf(sl_tmp_table, sizeof(sl_tmp_table), "/tmp/bench_pipeline_%d.txt",
			 (int)getpid());
		if (sl_bp_synthetic_table(sl_tmp_table, o.synthetic ? o.synthetic : 200000) < 0)
			return sl_bp_fail("cannot write the synthetic table", NULL);
		o.prefixes = sl_tmp_table;
	}
	if (sl_bp_config(sl_tmp_cfg, o.vpcs, o.vpc_routes, 0, 0) < 0)
		return sl_bp_fail("cannot write the config", sl_tmp_cfg);
	fprintf(stderr, "bench_pipeline: %u VPC(s) (%u active), Internet table %s\n", o.vpcs,
		o.active_vpcs, o.prefixes);

	/* sluiced's core compiles and publishes; no data plane is registered
	 * yet, so the start publish does not wait for an acknowledgement. */
	co.config_path = sl_tmp_cfg;
	co.segment_path = sl_tmp_seg;
	co.inet_routes = o.prefixes;
	unlink(sl_tmp_seg);
	ctl = sl_ctl_new(&co);
	if (ctl == NULL || sl_ctl_start(ctl, &res, err, sizeof(err)) < 0)
		return sl_bp_fail("sluiced core start", err);
	fprintf(stderr, "bench_pipeline: Internet table of %zu routes published\n",
		sl_compiler_inet_count(sl_ctl_compiler(ctl)));
	if (sl_bp_dp_setup(sl_tmp_seg, (o.vpcs + SL_VLANS_PER_TRUNK - 1) / SL_VLANS_PER_TRUNK))
		return 1;
	sl_bp_print_memory(sl_tmp_seg);
	/* policers as sluice-dp has them ("policers"), room for the policed
	 * mix's (and the IPv6 addresses' of ipv6-ingress-rule after it) */
	if (sl_police_create(&sl_bdp, SL_BPM_POLICERS + SL_BPM_POLICERS / 4) < 0)
		return sl_bp_fail("cannot create the policers", NULL);
	if (sl_bp_learn_all(o.active_vpcs) != 0)
		return sl_bp_fail("cannot learn the neighbours", NULL);
	if (sl_pfx_load(o.prefixes, 1, &pl, err, sizeof(err)) < 0)
		return sl_bp_fail("reading the prefixes", err);

	fr = calloc(2 * (size_t)o.flows, sizeof(*fr));
	tmp = calloc(2 * (size_t)o.flows, sizeof(*tmp));
	if (!fr || !tmp)
		return sl_bp_fail("out of memory", NULL);
	for (unsigned int i = 0; i < RTE_DIM(sl_all_mixes); i++) {
		const char *mix = sl_all_mixes[i];

		if (!sl_bp_wanted(o.mixes, mix))
			continue;
		if (sl_bp_nat_mix(mix)) { /* bench_mix_nat.c */
			rc |= sl_bp_nat_run(ctl, &o, &pl, mix);
			continue;
		}
		if (sl_bp_nat_end(ctl, &o) != 0) /* the next mixes without NAT objects */
			return 1;
		if (sl_bpe_mix(mix)) { /* bench_mix_ecmp.c */
			rc |= sl_bpe_run(ctl, &o, &pl, tmp, fr);
			continue;
		}
		if (strcmp(mix, "policed") == 0) { /* bench_mix_policed.c */
			sl_bp_policed = o.active_vpcs;
			if (sl_bp_publish(ctl, &o, 0, 0) != 0)
				return 1;
			sl_bp_policed = 0; /* the mixes after it without */
		}
		if (strcmp(mix, "ipv6-ingress-rule") == 0 &&
		    sl_bp_publish(ctl, &o, o.active_vpcs, 0) != 0)
			return 1;
		if (strcmp(mix, "policed") == 0
			? sl_bpm_policed_frames(&pl, o.flows, o.vpcs, o.active_vpcs, tmp) < 0
			: sl_bp_frames(mix, &pl, o.flows, o.active_vpcs, tmp) < 0) {
			printf("mix=%s skipped=no-prefixes\n", mix);
			continue;
		}
		sl_bp_interleave(tmp, o.flows, fr);
		rc |= sl_bp_run(mix, fr, 2 * o.flows, o.packets);
	}
	free(fr);
	free(tmp);
	sl_bp_nat_free();
	sl_pfx_free(&pl);
	sl_worker_offline(sl_bdp.workers[0]);
	sl_worker_offline(sl_bdp.main_w);
	sl_neigh_reader_offline(sl_bdp.neigh, 0);
	sl_shm_dp_stop(&sl_bshm);
	sl_ctl_free(ctl);
	return rc;
}
