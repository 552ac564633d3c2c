/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-dp: the DPDK fast path of sluice.
 *
 * Design note
 * -----------
 * Start-up order: EAL, the config file, signal handlers, then wait for the
 * segment sluiced creates (sluice-dp may start first), then the packet pool,
 * the ports (one rx/tx queue pair per worker), the rings and the neighbour
 * table, and finally the lcores: every EAL worker lcore runs
 * sl_worker_main() (worker i: slot i + 1, queue i), the main lcore runs
 * sl_ctrl_main() (slot 0).
 *
 * The segment outlives both processes. If sluiced re-creates the file (new
 * inode) the main lcore notices it, returns here, and the workers are
 * stopped, moved to the new segment (slots, stats) and started again; the
 * ports, rings and neighbour table stay as they are, so the pause is a few
 * milliseconds. If the file simply disappears, sluice-dp keeps forwarding
 * with the tables it has.
 *
 * The /sluice/ telemetry commands (telemetry.c, run by the EAL telemetry
 * threads) may read dp only between sl_telemetry_attach() after the
 * announcement and sl_telemetry_detach() before the segment can change.
 *
 * SIGINT/SIGTERM: the main lcore leaves its loop, the workers are stopped
 * and go offline, dp_pid is cleared, the ports are stopped and closed and
 * the process exits 0.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "sl_dp.h"
#include "sl_log.h"
#include "sl_ip6gw.h"
#include "sl_nat.h"
#include "sl_neigh.h"
#include "sl_port.h"
#include "sl_telemetry.h"

static struct sl_dp sl_dp_ctx;
static struct sl_config sl_conf;
static struct sl_shm sl_shm_cur;

static const char sl_usage_text[] =
    "Usage: %s [EAL options] -- --config FILE [--segment PATH] [--help]\n"
    "\n"
    "sluice-dp is the DPDK fast path of sluice: it forwards between the inside\n"
    "ports (trunks: the k-th inside port is trunk k, one 802.1Q VLAN per VPC on\n"
    "its trunk) and the outside port with the tables sluiced publishes in a\n"
    "shared-memory segment.\n"
    "\n"
    "Options after \"--\":\n"
    "  --config FILE   configuration file (JSON), required. Keys:\n"
    "                    segment        segment path (default " SL_DEFAULT_SEGMENT ")\n"
    "                    mbufs          packet buffers (default %u)\n"
    "                    idle_sleep_us  sleep after %u empty polls, 0 = busy poll\n"
    "                                   (default 0)\n"
    "                    ports[]        {name, role: inside|outside, mtu (default %u),\n"
    "                                   devargs: e.g. \"net_af_packet0,iface=sl-in,qpairs=2\",\n"
    "                                   exception: a TAP for the host's own traffic,\n"
    "                                   e.g. \"sl-exc0\" (an inside port's is tagged)}\n"
    "                    nat_sessions   NAT session table size, 0 = no NAT table\n"
    "                                   (default 0)\n"
    "                    nat_gateways   NAT gateways the table serves (default 1024)\n"
    "                    nat_public_ips public IPs the table serves (default 256)\n"
    "                    policers       bandwidth policers (policer indexes), 0 = no\n"
    "                                   policing (default 16384)\n"
    "                    ip6_egress_flows  IPv6 gateway egress-only flows, 0 = no\n"
    "                                   table (default 65536)\n"
    "  --segment PATH  segment path, overrides \"segment\" of the config file\n"
    "  --help          show this text and exit (anywhere on the command line);\n"
    "                  --eal-help shows DPDK's EAL options instead\n"
    "\n"
    "Lcores: the main lcore handles ARP/ND, the neighbour table and the stats\n"
    "export; every other EAL lcore is a worker owning rx/tx queue pair i of\n"
    "every port, so at least one worker is needed (e.g. -l 0-1, or\n"
    "--lcores 0@0,1@1,2@0 for two workers on two cores). af_packet ports need\n"
    "qpairs equal to the number of workers.\n"
    "\n"
    "sluice-dp waits for sluiced to create the segment, and survives restarts of\n"
    "sluiced. SIGINT/SIGTERM stop it cleanly.\n"
    "\n"
    "Operations: the EAL telemetry socket (keep it: no --no-telemetry) answers\n"
    "/sluice/status, /sluice/drops, /sluice/counters, /sluice/ports,\n"
    "/sluice/neighbours, /sluice/lcores, /sluice/policers, /sluice/nat,\n"
    "/sluice/nat_sessions, /sluice/ip6gw, /sluice/queues, /sluice/tables,\n"
    "/sluice/trace_add,\n"
    "/sluice/trace and /sluice/log_level (dpdk-telemetry.py -f FILE_PREFIX;\n"
    "sluicectl trace N);\n"
    "log levels per component: --log-level 'sluice.port:debug' (EAL option).\n"
    "dpdk-dumpcap --file-prefix FILE_PREFIX -i PORT captures on a port when the\n"
    "EAL runs on hugepages without --huge-unlink.\n"
    "\n"
    "Example:\n"
    "  %s --lcores 0@0,1@1,2@0 --file-prefix sl-dev --no-pci -m 512 -- \\\n"
    "      --config configs/dp-lab.json\n";

static const char *sl_prgname = "sluice-dp";

static void sl_usage(FILE *f)
{
	fprintf(f, sl_usage_text, sl_prgname, SL_DEFAULT_MBUFS, SL_IDLE_POLLS, SL_DEFAULT_PORT_MTU,
		sl_prgname);
}

static void sl_usage_hook(const char *prgname)
{
	sl_prgname = prgname;
	printf("\n");
	sl_usage(stdout);
}

static void sl_on_signal(int sig)
{
	(void)sig;
	atomic_store(&sl_dp_ctx.quit, true);
}

/* --help anywhere (-h after "--") is answered with sluice-dp's own text
 * before EAL starts (which would need hugepages or memory options, and
 * would print its own long usage first); --eal-help asks the EAL for its
 * options. */
static bool sl_wants_help(int argc, char **argv)
{
	bool app = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0 && !app)
			app = true;
		else if (strcmp(argv[i], "--help") == 0 || (app && strcmp(argv[i], "-h") == 0))
			return true;
	}
	return false;
}

static int sl_parse_args(int argc, char **argv, const char **config, const char **segment)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"segment", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			*config = optarg;
			break;
		case 's':
			*segment = optarg;
			break;
		case 'h':
			sl_usage(stdout);
			exit(0);
		default:
			sl_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument \"%s\"\n", sl_prgname, argv[optind]);
		return -EINVAL;
	}
	if (!*config) {
		fprintf(stderr, "%s: --config FILE is required (after \"--\"; see --help)\n",
			sl_prgname);
		return -EINVAL;
	}
	return 0;
}

static void sl_launch_workers(struct sl_dp *dp)
{
	unsigned int lcore, i = 0;

	atomic_store(&dp->stop_workers, false);
	RTE_LCORE_FOREACH_WORKER (lcore) {
		rte_eal_remote_launch(sl_worker_main, dp->workers[i], lcore);
		i++;
	}
}

static void sl_stop_workers(struct sl_dp *dp)
{
	atomic_store(&dp->stop_workers, true);
	rte_eal_mp_wait_lcore();
}

static int sl_dp_announce(struct sl_dp *dp)
{
	unsigned int ids[SL_MAX_LCORES];
	unsigned int lcore, n = 0;

	ids[n++] = rte_get_main_lcore();
	RTE_LCORE_FOREACH_WORKER (lcore)
		ids[n++] = lcore;
	return sl_shm_dp_start(dp->shm, n, ids);
}

int main(int argc, char **argv)
{
	struct sl_dp *dp = &sl_dp_ctx;
	const char *config = NULL, *segment = NULL;
	char err[512];
	unsigned int lcore, i;
	int rc, exit_code = 1;

	if (argc > 0)
		sl_prgname = argv[0];
	if (sl_wants_help(argc, argv)) {
		sl_usage(stdout);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--eal-help") == 0) {
		char *eal_argv[] = {argv[0], (char *)"--help", NULL};

		rte_eal_init(2, eal_argv); /* prints the EAL's usage and exits */
		return 0;
	}
	rte_set_application_usage_hook(sl_usage_hook);
	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		fprintf(stderr, "%s: EAL initialisation failed: %s\n", sl_prgname,
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= rc;
	argv += rc;
	argv[0] = (char *)sl_prgname;
	if (sl_parse_args(argc, argv, &config, &segment) < 0)
		goto out_eal;
	if (sl_config_load(&sl_conf, config, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", sl_prgname, err);
		goto out_eal;
	}
	if (segment)
		snprintf(sl_conf.segment, sizeof(sl_conf.segment), "%s", segment);
	dp->conf = &sl_conf;
	/* Early, so /sluice/status answers while we wait for the segment. */
	if (sl_telemetry_init() < 0)
		goto out_eal;
	dp->n_workers = rte_lcore_count() - 1;
	if (dp->n_workers == 0) {
		fprintf(stderr,
			"%s: no worker lcore: give EAL at least two lcores (e.g. -l 0-1 or "
			"--lcores 0@0,1@1,2@0)\n",
			sl_prgname);
		goto out_eal;
	}
	if (dp->n_workers + 1 > SL_MAX_LCORES) {
		fprintf(stderr, "%s: %u lcores, the segment has slots for %u\n", sl_prgname,
			dp->n_workers + 1, SL_MAX_LCORES);
		goto out_eal;
	}

	signal(SIGINT, sl_on_signal);
	signal(SIGTERM, sl_on_signal);

	dp->shm = &sl_shm_cur;
	rc = sl_shm_attach_wait(dp->shm, sl_conf.segment, &dp->quit);
	if (rc == -EINTR) {
		exit_code = 0;
		goto out_eal;
	}
	if (rc < 0)
		goto out_eal;

	rc = sl_pool_create(sl_conf.mbufs);
	if (rc < 0) {
		SL_LOG(ERR,
		       "cannot create the packet pool of %u mbufs: %s (more memory: -m, "
		       "hugepages)",
		       sl_conf.mbufs, rte_strerror(-rc));
		goto out_shm;
	}
	for (i = 0; i < sl_conf.n_ports; i++) {
		rc = sl_port_init(&sl_conf.ports[i], (uint16_t)dp->n_workers, &dp->port_ids[i], err,
				  sizeof(err));
		if (rc < 0) {
			SL_LOG(ERR, "%s", err);
			goto out_ports;
		}
		if (i < SL_MAX_PORTS) /* its queue counters (issue 11) */
			sl_ports[dp->port_ids[i]].stats_idx = (uint8_t)(i + 1);
		dp->n_ports++;
	}
	if (sl_exception_init(dp, err, sizeof(err)) < 0) {
		SL_LOG(ERR, "%s", err);
		goto out_ports;
	}

	dp->punt_ring =
	    rte_ring_create("sl_punt", SL_PUNT_RING_SIZE, (int)rte_socket_id(), RING_F_SC_DEQ);
	if (!dp->punt_ring) {
		SL_LOG(ERR, "cannot create the punt ring: %s", rte_strerror(rte_errno));
		goto out_ports;
	}
	/* packet trace (sl_trace.h): without it sluice-dp runs, untraceable */
	dp->trace = sl_trace_new(dp->n_workers + 1, rte_get_tsc_hz());
	if (!dp->trace)
		SL_LOG(WARNING, "no memory for the packet trace: sluicectl trace is off");
	dp->main_w = sl_worker_create(dp, -1, rte_get_main_lcore());
	if (!dp->main_w)
		goto out_mem;
	i = 0;
	RTE_LCORE_FOREACH_WORKER (lcore) {
		char name[32];

		snprintf(name, sizeof(name), "sl_inject%u", i);
		dp->inject[i] =
		    rte_ring_create(name, SL_INJECT_RING_SIZE, (int)rte_lcore_to_socket_id(lcore),
				    RING_F_SP_ENQ | RING_F_SC_DEQ);
		dp->workers[i] = sl_worker_create(dp, (int)i, lcore);
		if (!dp->inject[i] || !dp->workers[i]) {
			SL_LOG(ERR, "cannot create worker %u context", i);
			goto out_mem;
		}
		i++;
	}
	dp->neigh = sl_ctrl_neigh_create(dp);
	if (!dp->neigh) {
		SL_LOG(ERR, "cannot create the neighbour table: %s", strerror(errno));
		goto out_mem;
	}
	if (sl_police_create(dp, dp->conf->policers) < 0) {
		SL_LOG(ERR, "cannot create the policer table (%u policers): %s",
		       dp->conf->policers, strerror(ENOMEM));
		goto out_mem;
	}
	if (dp->conf->nat_sessions) {
		const struct sl_nat_conf nc = {
		    .max_sessions = dp->conf->nat_sessions,
		    .max_gws = (uint16_t)dp->conf->nat_gateways,
		    .max_pubips = (uint16_t)dp->conf->nat_public_ips,
		    .n_workers = (uint16_t)dp->n_workers,
		};

		dp->nat = sl_nat_create("sl_nat", &nc);
		if (!dp->nat) {
			SL_LOG(ERR, "cannot create the NAT session table (%u sessions): %s",
			       nc.max_sessions, strerror(errno));
			goto out_mem;
		}
		/* early fragments held (docs/nat.md): at most 1/8 of the pool */
		sl_nat_frag_hold_max(dp->nat->frag,
				     RTE_MIN((uint32_t)SL_NAT_FRAG_HOLD_MBUFS, dp->conf->mbufs / 8));
	}
	if (dp->conf->ip6_egress_flows) { /* IPv6 gateway egress-only state (issue 6) */
		const struct sl_ip6eo_conf ec = {.capacity = dp->conf->ip6_egress_flows,
						 .n_readers = dp->n_workers};

		dp->ip6eo = sl_ip6eo_create("sl_ip6eo", &ec);
		if (!dp->ip6eo)
			SL_LOG(WARNING, "no IPv6 egress-only state table (%u flows): %s",
			       ec.capacity, rte_strerror(rte_errno));
	}

	for (;;) {
		rc = sl_dp_announce(dp);
		if (rc < 0) {
			SL_LOG(ERR, "cannot register in the segment: %s", strerror(-rc));
			goto out_mem;
		}
		sl_telemetry_attach(dp);
		SL_LOG(INFO, "running: %u workers, %u ports, segment %s", dp->n_workers,
		       dp->n_ports, dp->shm->path);
		sl_launch_workers(dp);
		sl_ctrl_main(dp);
		/* Telemetry must not read the segment we may unmap next. */
		sl_telemetry_detach();
		sl_stop_workers(dp);
		sl_shm_dp_stop(dp->shm);
		if (!dp->reattach || atomic_load(&dp->quit))
			break;
		/* Move to the re-created segment. */
		sl_shm_detach(dp->shm);
		*dp->shm = dp->next_shm;
		memset(&dp->next_shm, 0, sizeof(dp->next_shm));
	}
	if (dp->reattach)
		sl_shm_detach(&dp->next_shm);
	exit_code = 0;
	SL_LOG(INFO, "stopping");

out_mem:
	sl_police_free(dp);
	sl_nat_free(dp->nat);
	free(dp->nat_applied);
	free(dp->nat_reflush_prev);
	sl_ip6eo_free(dp->ip6eo);
	if (dp->neigh)
		sl_neigh_free(dp->neigh);
	for (i = 0; i < dp->n_workers; i++) {
		if (dp->inject[i]) {
			struct rte_mbuf *m = NULL;

			while (rte_ring_dequeue(dp->inject[i], (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(dp->inject[i]);
		}
		sl_worker_free(dp->workers[i]);
	}
	if (dp->punt_ring) {
		struct rte_mbuf *m = NULL;

		while (rte_ring_dequeue(dp->punt_ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(dp->punt_ring);
	}
	sl_worker_free(dp->main_w);
	sl_trace_free(dp->trace);
	dp->trace = NULL;
out_ports:
	sl_exception_close(dp);
	for (i = 0; i < dp->n_ports; i++)
		sl_port_close(dp->port_ids[i]);
out_shm:
	sl_shm_dp_stop(dp->shm);
	sl_shm_detach(dp->shm);
out_eal:
	sl_telemetry_fini();
	rte_eal_cleanup();
	return exit_code;
}
