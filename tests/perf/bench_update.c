/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_update: how fast route changes reach the fast path (issue 3).
 *
 * Design note
 * -----------
 * One process plays both sides over a real segment: sluiced's core (the
 * sl_ctl API, exactly what the daemon runs) on the main thread, and a
 * reader thread that behaves like a sluice-dp lcore (registers as a live
 * data plane with one online slot, acknowledges every generation at the top
 * of its loop, looks up a probe address in the published bank with the
 * fast path's own inline lookups). Figures, one key=value line each:
 *
 *   full_table_load_s     sl_ctl start with the Internet table from the
 *                         prefix file (parse, RIB, FIB build, publish) until
 *                         the reader acknowledged that generation (the
 *                         reader's clock: the moment sluice-dp would
 *                         forward with it)
 *   start_return_s        the same start until sl_ctl_start() returned and
 *                         the main thread saw the acknowledgement: adds
 *                         what the start does after the flip (catching the
 *                         idle bank up: a second full write); this was
 *                         full_table_load_s before 2026-11-23 evening
 *   start_cpu_s           CPU seconds the process spent from the start
 *                         until sl_ctl_start() returned, without the
 *                         emulated data plane's thread (all of sluiced's
 *                         threads: a figure a loaded machine moves less)
 *   update_latency_us_*   a route change through the route-source API
 *                         (sl_ctl_inet_set + sl_ctl_commit) until the reader
 *                         sees the new next hop for an address of that
 *                         prefix; median, p99, max over --updates changes,
 *                         with the daemon's idle-bank catch-up (sl_ctl_poll)
 *                         between changes as the event loop does it
 *   route_memory_mib      resident bytes of the segment (both banks) plus
 *                         sluiced's RIB
 *   vpcs, inet_routes     the table sizes measured
 *
 * The VPC side: --vpcs N writes a config with N VPCs (two VSwitches with
 * IPv4 and IPv6, two instances, --vpc-routes custom routes of each family)
 * so the banks carry N VPC tables next to the full Internet table (default
 * 10,000, issue 3's scale). A VPC is a VLAN of one inside trunk: VPC v is
 * (trunk v / 4094, VLAN 1 + v % 4094) and the config declares as many
 * trunks as that needs (Gateway.Inside.Trunks), so N is at most
 * SL_MAX_TRUNKS * 4094.
 *
 * No assertion on any timing (shared 2-vCPU machine): the exit status is
 * non-zero only if a change was never seen or an API call failed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sl_ctl.h"
#include "sl_ctl_log.h"
#include "sl_fib.h"
#include "sl_pfxfile.h"
#include "sl_shm.h"

static double sl_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double sl_now(void)
{
	return sl_clock(CLOCK_MONOTONIC);
}

/* ---- the emulated data plane --------------------------------------------------- */

struct sl_reader {
	struct sl_shm_header *h;
	_Atomic int stop;
	_Atomic uint32_t probe;	   /**< IPv4 address to watch, host order */
	_Atomic uint32_t want_via; /**< last byte of the via to wait for; 0 = idle */
	_Atomic uint64_t seen_gen; /**< generation in which it was seen */
	_Atomic double seen_at;
	_Atomic double live_at;	   /**< when it first acknowledged a generation */
	_Atomic uint64_t live_gen; /**< that generation */
};

static uint32_t sl_reader_via(const struct sl_bank_header *b, uint32_t addr)
{
	const struct sl_nexthop *nh = SL_BANK_PTR(b, b->nh_off, const struct sl_nexthop);
	uint32_t i;

	if (!(b->inet.flags & SL_RT_F_FIB))
		return 0;
	i = sl_fib4_lookup(b, &b->fib4, addr);
	return i < b->n_nexthops ? nh[i].via[3] : 0;
}

static void *sl_reader_main(void *arg)
{
	struct sl_reader *r = arg;
	struct sl_shm_header *h = r->h;

	atomic_store(&h->lcore[0].online, 1);
	while (!atomic_load(&r->stop)) {
		uint64_t g = atomic_load_explicit(&h->generation, memory_order_acquire);
		uint32_t want;

		atomic_store_explicit(&h->lcore[0].ack_generation, g, memory_order_release);
		if (g && atomic_load_explicit(&r->live_gen, memory_order_relaxed) == 0) {
			atomic_store(&r->live_at, sl_now());
			atomic_store(&r->live_gen, g);
		}
		want = atomic_load_explicit(&r->want_via, memory_order_acquire);
		if (want && g) {
			const struct sl_bank_header *b = sl_shm_bank(h, (unsigned int)(g & 1));

			if (sl_reader_via(b, atomic_load(&r->probe)) == want) {
				atomic_store(&r->seen_at, sl_now());
				atomic_store(&r->seen_gen, g);
				atomic_store_explicit(&r->want_via, 0, memory_order_release);
			}
		}
		sched_yield(); /* a worker's poll loop, without taking a whole core */
	}
	atomic_store(&h->lcore[0].online, 0);
	return NULL;
}

/* ---- options and the config ---------------------------------------------------- */

struct sl_bopts {
	const char *prefixes;
	uint32_t synthetic;
	uint32_t vpcs;
	uint32_t vpc_routes;
	uint32_t updates;
	const char *segment;
	const char *write_config;
};

#define SL_VLANS_PER_TRUNK 4094u

static int sl_write_config(const char *path, uint32_t vpcs, uint32_t routes)
{
	FILE *f = fopen(path, "w");
	uint32_t trunks = vpcs ? (vpcs + SL_VLANS_PER_TRUNK - 1) / SL_VLANS_PER_TRUNK : 1;

	if (f == NULL)
		return -errno;
	fprintf(f, "{\"Regions\":[{\"RegionId\":\"cn-bench\",\"Zones\":[{\"ZoneId\":\"z1\"}]}],\n"
		   "\"Gateway\":{\"Inside\":{\"Trunks\":%u},\"Outside\":{\"Addresses\":[\"203.0.113.2/24\","
		   "\"2001:db8:ffff::2/64\"],\"Mtu\":1500},\"InternetRoutes\":["
		   "{\"DestinationCidrBlock\":\"0.0.0.0/0\",\"NextHop\":\"203.0.113.1\"},"
		   "{\"DestinationCidrBlock\":\"::/0\",\"NextHop\":\"2001:db8:ffff::1\"}]},\n"
		   "\"Vpcs\":[",
		trunks);
	for (uint32_t v = 0; v < vpcs; v++)
		fprintf(f, "%s{\"VpcId\":\"vpc-b%05u\",\"RegionId\":\"cn-bench\",\"CidrBlock\":"
			   "\"10.0.0.0/8\",\"Ipv6CidrBlock\":\"2001:db8:%x::/56\",\"Trunk\":%u,"
			   "\"VlanId\":%u,\"RouteTableId\":\"vtb-b%05u\"}\n",
			v ? "," : "", v, 0x1000 + v % 0xe000, v / SL_VLANS_PER_TRUNK,
			1 + v % SL_VLANS_PER_TRUNK, v);
	fprintf(f, "],\"VSwitches\":[");
	for (uint32_t v = 0; v < vpcs; v++)
		for (int s = 0; s < 2; s++)
			fprintf(f, "%s{\"VSwitchId\":\"vsw-b%05u-%d\",\"VpcId\":\"vpc-b%05u\","
				   "\"ZoneId\":\"z1\",\"CidrBlock\":\"10.%d.0.0/16\","
				   "\"Ipv6CidrBlock\":\"2001:db8:%x:%x::/64\"}\n",
				v || s ? "," : "", v, s, v, 1 + s, 0x1000 + v % 0xe000, s);
	fprintf(f, "],\"Instances\":[");
	for (uint32_t v = 0; v < vpcs; v++)
		for (int s = 0; s < 2; s++)
			fprintf(f, "%s{\"InstanceId\":\"i-b%05u-%d\",\"VSwitchId\":\"vsw-b%05u-%d\","
				   "\"PrivateIpAddress\":\"10.%d.0.10\",\"Ipv6Address\":"
				   "\"2001:db8:%x:%x::10\"}\n",
				v || s ? "," : "", v, s, v, s, 1 + s, 0x1000 + v % 0xe000, s);
	fprintf(f, "],\"RouteEntries\":[");
	for (uint32_t v = 0; v < vpcs; v++)
		for (uint32_t r = 0; r < routes; r++) {
			fprintf(f, "%s{\"RouteTableId\":\"vtb-b%05u\",\"DestinationCidrBlock\":"
				   "\"172.%u.%u.0/24\",\"NextHopType\":\"Instance\","
				   "\"NextHopId\":\"i-b%05u-%u\"}\n",
				v || r ? "," : "", v, 16 + r / 256, r % 256, v, r & 1);
			fprintf(f, ",{\"RouteTableId\":\"vtb-b%05u\",\"DestinationCidrBlock\":"
				   "\"2001:db8:ffff:%x::/64\",\"NextHopType\":\"Instance\","
				   "\"NextHopId\":\"i-b%05u-%u\"}\n",
				v, 0x100 + r, v, r & 1);
		}
	fprintf(f, "]}\n");
	return fclose(f) == 0 ? 0 : -errno;
}

/* Files this run made, removed however it ends (error paths included). */
static char sl_cleanup_cfg[256], sl_cleanup_table[256], sl_cleanup_seg[256];

static void sl_cleanup(void)
{
	if (sl_cleanup_cfg[0])
		unlink(sl_cleanup_cfg);
	if (sl_cleanup_table[0])
		unlink(sl_cleanup_table);
	if (sl_cleanup_seg[0])
		unlink(sl_cleanup_seg);
}

static int sl_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static uint64_t sl_file_resident(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_blocks * 512 : 0;
}

static void sl_usage(void)
{
	fprintf(stderr,
		"usage: bench_update [--prefixes FILE | --synthetic N] [--vpcs N]\n"
		"                    [--vpc-routes N] [--updates N] [--segment PATH]\n"
		"  --prefixes FILE   Internet table (default: ../shared/data, else synthetic)\n"
		"  --synthetic N     a synthetic table of N IPv4 prefixes (+ the IPv6 mix)\n"
		"  --vpcs N          VPCs in the config (default 10000): one (trunk, VLAN)\n"
		"                    each, 4094 per trunk, at most 4 trunks\n"
		"  --vpc-routes N    custom routes per VPC and family (default 24: the\n"
		"                    quota is 48 custom entries per route table)\n"
		"  --updates N       route changes timed (default 2000)\n"
		"  --segment PATH    segment file (default /dev/shm/sluice-bench-PID, removed)\n"
		"  --write-config F  only write the config to F and exit (to profile the\n"
		"                    loader alone: sluiced --check F)\n");
}

static int sl_parse(int argc, char **argv, struct sl_bopts *o)
{
	static const struct option lo[] = {
	    {"prefixes", required_argument, NULL, 'p'},	  {"synthetic", required_argument, NULL, 's'},
	    {"vpcs", required_argument, NULL, 'v'},	  {"vpc-routes", required_argument, NULL, 'r'},
	    {"updates", required_argument, NULL, 'u'},	  {"segment", required_argument, NULL, 'S'},
	    {"write-config", required_argument, NULL, 'w'},
	    {"help", no_argument, NULL, 'h'},		  {NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->prefixes = optarg;
			break;
		case 's':
			o->synthetic = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'v':
			o->vpcs = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			o->vpc_routes = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'u':
			o->updates = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'S':
			o->segment = optarg;
			break;
		case 'w':
			o->write_config = optarg;
			break;
		default:
			sl_usage();
			return c == 'h' ? 1 : -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sl_bopts o = {.vpcs = 10000, .vpc_routes = 24, .updates = 2000};
	char cfg[256], seg[256], table[256], err[512] = "";
	struct sl_pfx vias[2];
	struct sl_reader rd = {0};
	struct sl_ctl_opts co = {0};
	struct sl_ctl_result res;
	struct sl_pfxlist pl;
	struct sl_shm_writer *dpw;
	struct sl_ctl *ctl;
	pthread_t th;
	clockid_t rd_clock;
	double t0, t1, t_ret, cpu0, rd_cpu0, cpu, *lat;
	uint32_t missed = 0;
	int rc;

	sl_log_level = SL_LOG_WARN; /* figures on stdout, problems on stderr */
	rc = sl_parse(argc, argv, &o);
	if (rc == 0 && o.write_config)
		return sl_write_config(o.write_config, o.vpcs, o.vpc_routes) < 0;
	if (rc)
		return rc > 0 ? 0 : 2;
	if (o.vpcs > SL_MAX_TRUNKS * SL_VLANS_PER_TRUNK) {
		fprintf(stderr, "bench_update: --vpcs: at most %u (4094 VLANs on each of %u trunks)\n",
			SL_MAX_TRUNKS * SL_VLANS_PER_TRUNK, SL_MAX_TRUNKS);
		return 2;
	}
	if (o.prefixes == NULL && o.synthetic == 0 && access(SL_DEFAULT_PREFIXES, R_OK) == 0)
		o.prefixes = SL_DEFAULT_PREFIXES;
	snprintf(cfg, sizeof(cfg), "/tmp/bench_update_%d.json", (int)getpid());
	snprintf(table, sizeof(table), "/tmp/bench_update_%d.txt", (int)getpid());
	snprintf(seg, sizeof(seg), "%s", o.segment ? o.segment : "");
	if (!o.segment)
		snprintf(seg, sizeof(seg), "/dev/shm/sluice-bench-%d", (int)getpid());
	snprintf(sl_cleanup_cfg, sizeof(sl_cleanup_cfg), "%s", cfg);
	snprintf(sl_cleanup_table, sizeof(sl_cleanup_table), "%s", table);
	if (!o.segment)
		snprintf(sl_cleanup_seg, sizeof(sl_cleanup_seg), "%s", seg);
	atexit(sl_cleanup);
	memset(&pl, 0, sizeof(pl));
	if (o.prefixes == NULL) { /* write the synthetic table as a file */
		FILE *f = fopen(table, "w");

		if (f == NULL || sl_pfx_synthesize(o.synthetic ? o.synthetic : 200000, 1, 7, &pl) < 0)
			return 1;
		for (size_t i = 0; i < pl.n4; i++)
			fprintf(f, "%u.%u.%u.%u/%u\n", pl.v4[i].addr >> 24, pl.v4[i].addr >> 16 & 255,
				pl.v4[i].addr >> 8 & 255, pl.v4[i].addr & 255, pl.v4[i].len);
		fclose(f);
		sl_pfx_free(&pl);
		o.prefixes = table;
	}
	fprintf(stderr, "bench_update: config with %u VPC(s), table %s\n", o.vpcs, o.prefixes);
	if (sl_write_config(cfg, o.vpcs, o.vpc_routes) < 0)
		return 1;
	/* the route probes: real prefixes of the table */
	if (sl_pfx_load(o.prefixes, 1, &pl, err, sizeof(err)) < 0 || pl.n4 == 0) {
		fprintf(stderr, "bench_update: %s\n", err);
		return 1;
	}
	sl_ip_parse("203.0.113.7", &vias[0]);
	sl_ip_parse("203.0.113.9", &vias[1]);

	/* the segment first, with a live "data plane" on it, so that the
	 * start publish waits for its acknowledgement as with sluice-dp */
	co.config_path = cfg;
	co.segment_path = seg;
	co.inet_routes = o.prefixes;
	unlink(seg);
	dpw = sl_shm_open(seg, SL_SHM_DEFAULT_BANK_SIZE, true, err, sizeof(err));
	if (dpw == NULL) {
		fprintf(stderr, "bench_update: %s\n", err);
		return 1;
	}
	/* this mapping is the emulated data plane's; sl_ctl maps the file
	 * again as the writer */
	rd.h = sl_shm_hdr(dpw);
	atomic_store(&rd.h->dp_pid, (int32_t)getpid());
	atomic_store(&rd.h->dp_n_lcores, 1);
	if (pthread_create(&th, NULL, sl_reader_main, &rd) != 0)
		return 1;

	if (pthread_getcpuclockid(th, &rd_clock) != 0)
		return 1;
	rd_cpu0 = sl_clock(rd_clock);
	cpu0 = sl_clock(CLOCK_PROCESS_CPUTIME_ID);
	t0 = sl_now();
	ctl = sl_ctl_new(&co);
	/* the start's log lines on stderr: its phase breakdown (parse, store,
	 * validation, prefix file, RIB) and the publish */
	sl_log_level = SL_LOG_INFO;
	rc = ctl ? sl_ctl_start(ctl, &res, err, sizeof(err)) : -ENOMEM;
	sl_log_level = SL_LOG_WARN;
	cpu = sl_clock(CLOCK_PROCESS_CPUTIME_ID) - cpu0 - (sl_clock(rd_clock) - rd_cpu0);
	if (rc < 0) {
		fprintf(stderr, "bench_update: start: %s\n", err);
		return 1;
	}
	while (sl_shm_acked(sl_ctl_shm(ctl), NULL) < res.generation)
		sched_yield();
	t_ret = sl_now();
	/* the reader's clock when it first took the start's generation (the
	 * segment was new: nothing else was published on it before) */
	t1 = atomic_load(&rd.live_gen) == res.generation ? atomic_load(&rd.live_at) : t_ret;
	sl_ctl_poll(ctl); /* catch the other bank up, as the daemon's timer does */
	printf("vpcs=%u\n", o.vpcs);
	printf("inet_routes=%zu\n", sl_compiler_inet_count(sl_ctl_compiler(ctl)));
	printf("full_table_load_s=%.2f\n", t1 - t0);
	printf("start_return_s=%.2f\n", t_ret - t0);
	printf("start_cpu_s=%.2f\n", cpu);

	lat = calloc(o.updates ? o.updates : 1, sizeof(*lat));
	for (uint32_t i = 0; i < o.updates; i++) {
		/* a host route inside one of 64 real prefixes: the first change
		 * of each adds it (a tbl8 group), the later ones re-point it */
		const struct sl_pfx4 *p = &pl.v4[((i % 64) * 7919u) % pl.n4];
		uint32_t host = p->addr | (p->len < 32 ? 0x55u & ~(UINT32_MAX << (32 - p->len)) : 0);
		struct sl_pfx pfx = {.addr = host, .len = 32, .family = SL_AF_INET};
		const struct sl_pfx *via = &vias[(i / 64) & 1];
		double start, deadline;

		atomic_store(&rd.probe, host);
		atomic_store(&rd.want_via, (uint32_t)(via->addr & 255));
		start = sl_now();
		if (sl_ctl_inet_set(ctl, &pfx, via) < 0 || sl_ctl_commit(ctl, "bench", &res) < 0) {
			fprintf(stderr, "bench_update: change %u failed\n", i);
			return 1;
		}
		deadline = start + 5;
		while (atomic_load(&rd.want_via) && sl_now() < deadline)
			;
		if (atomic_load(&rd.want_via)) {
			missed++;
			atomic_store(&rd.want_via, 0);
			continue;
		}
		lat[i - missed] = (atomic_load(&rd.seen_at) - start) * 1e6;
		sl_ctl_poll(ctl);
	}
	if (o.updates > missed) {
		uint32_t n = o.updates - missed;

		qsort(lat, n, sizeof(*lat), sl_cmp_double);
		printf("updates=%u\n", n);
		printf("update_latency_us_median=%.1f\n", lat[n / 2]);
		printf("update_latency_us_p99=%.1f\n", lat[(size_t)(n * 0.99)]);
		printf("update_latency_us_max=%.1f\n", lat[n - 1]);
	}
	printf("updates_missed=%u\n", missed);
	printf("segment_resident_mib=%.1f\n", (double)sl_file_resident(seg) / (1 << 20));
	printf("route_memory_mib=%.1f\n",
	       (double)(sl_file_resident(seg) + sl_compiler_rib_bytes(sl_ctl_compiler(ctl))) /
		   (1 << 20));

	atomic_store(&rd.stop, 1);
	pthread_join(th, NULL);
	atomic_store(&rd.h->dp_pid, 0);
	sl_ctl_free(ctl);
	sl_shm_close(dpw);
	sl_pfx_free(&pl);
	free(lat);
	return missed ? 1 : 0; /* sl_cleanup() removes the files */
}
