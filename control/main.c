/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluiced: the control daemon.
 *
 * Design note: one thread, one epoll loop. Signals arrive through a
 * signalfd (SIGHUP reload, SIGTERM/SIGINT exit), time through a timerfd
 * (acknowledgement polling every 10 ms while objects are Pending, segment
 * housekeeping every second otherwise). Later sources (the HTTP API, netlink
 * sockets) join the same epoll set, so store updates never race. A publish
 * that waits for a stuck data-plane lcore keeps reading the signalfd, so
 * SIGTERM still ends the daemon; a SIGHUP that arrives meanwhile is
 * remembered and served afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "sl_api_auth.h"
#include "sl_api_http.h"
#include "sl_api_vpc.h"
#include "sl_metrics.h"
#include "sl_compile.h"
#include "sl_ctl.h"
#include "sl_ctl_log.h"
#include "sl_route_feed.h"
#include "sl_exc_iface.h"
#include "sl_kernel_routes.h"
#include "sl_db.h"
#include "sl_shm_writer.h"
#include "sl_xdp.h"

struct sl_daemon {
	int sfd;
	int tfd;
	int epfd;
	bool stop;
	bool reload;
	long timer_ms;
	struct sl_api_http *api;    /**< NULL without --listen */
	struct sl_db *db;	    /**< API objects, tokens, nonces; NULL if none */
	struct sl_route_feed *feed; /**< --route-socket, or NULL */
	struct sl_kernel_routes *kroutes; /**< --kernel-table, or NULL */
	struct sl_exc_iface *exc[SL_EXC_IFACES_MAX]; /**< --exception (each) */
	unsigned int n_exc;
	struct sl_xdp *xdp[SL_XDP_PORTS_MAX]; /**< --xdp interfaces (docs/xdp.md) */
	unsigned int n_xdp;
	struct sl_ctl *ctl; /**< for GET /metrics */
};

#define SL_DEFAULT_STATE_DIR "/var/lib/sluice"

/* An API rate option: requests per second, 0 (unlimited) to 10,000,000. */
static int sl_parse_rate(const char *opt, const char *per, const char *arg, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || *arg == '-' || *out > 10000000) {
		fprintf(stderr,
			"sluiced: %s '%s': requests per second and %s, 0 (unlimited) to "
			"10000000\n",
			opt, arg, per);
		return -1;
	}
	return 0;
}

static void sl_usage(FILE *f)
{
	fprintf(f,
		"usage: sluiced --config FILE [--segment PATH] [--bank-size BYTES|NNM]\n"
		"               [--check] [--pidfile FILE] [--log-level SPEC]\n"
		"               [--listen ADDR:PORT [--access-keys FILE] [--api-rate N]\n"
		"                [--api-source-rate N]]\n"
		"               [--state-dir DIR]\n"
		"               [--standalone] [--inet-routes FILE [--inet-via ADDR]...]\n"
		"               [--route-socket PATH] [--kernel-table N]\n"
		"               [--exception IFNAME[,inside]]...\n"
		"               [--xdp IFACE[,inside][,generic][,adopt]]... [--xdp-obj FILE]\n"
		"               [--help]\n"
		"       sluiced --check FILE\n"
		"\n"
		"  -c, --config FILE      objects to load (JSON; see docs/sluiced.md)\n"
		"  -s, --segment PATH     shared-memory segment (default %s)\n"
		"  -b, --bank-size SIZE   bytes per table bank when creating the segment\n"
		"                         (default 1G, sparse: only what is written takes\n"
		"                         memory; K, M, G suffixes are binary). Banks of\n"
		"                         256M or more hold the Internet table as FIBs\n"
		"                         (DIR-24-8 / trie), smaller ones as intervals\n"
		"  -C, --check            validate FILE, print every error (exit 1) or a\n"
		"                         summary (exit 0); touches no segment\n"
		"  -p, --pidfile FILE     write the daemon's pid to FILE\n"
		"  -l, --log-level SPEC   error, warn, info (default) or debug, for all\n"
		"                         or per component: 'info,api=debug,kernel=warn';\n"
		"                         components main, config, tables, ctl, api, db,\n"
		"                         kernel\n"
		"  -L, --listen ADDR:PORT serve the cloud API (VPC RPC API 2016-04-28) over\n"
		"                         HTTP on ADDR:PORT ([V6ADDR]:PORT for IPv6; port 0\n"
		"                         picks a free one), and Prometheus metrics at\n"
		"                         GET /metrics there; off when not given\n"
		"  -k, --access-keys FILE API access keys, lines 'ACCESS_KEY_ID SECRET', mode\n"
		"                         0600 enforced; created with a fresh key when absent\n"
		"                         (default DIR/access_keys)\n"
		"  -A, --api-rate N       API requests per second and access key (default\n"
		"                         %u; 0: unlimited); beyond it Throttling (400)\n"
		"  -N, --api-source-rate N API requests per second and source address\n"
		"                         (IPv6: per /64), checked before the signature\n"
		"                         (default %u; 0: unlimited); beyond it Throttling\n"
		"                         (400)\n"
		"  -d, --state-dir DIR    sluiced's state directory (default %s): the\n"
		"                         database DIR/sluiced.db (objects created through\n"
		"                         the API, ClientTokens, nonces) is opened with\n"
		"                         --listen, or whenever it exists\n"
		"  -S, --standalone       no sluice-dp: the segment defaults to DIR/segment\n"
		"                         and a change is Available once durable and compiled\n"
		"  -R, --inet-routes FILE Internet routes: one CIDR a line (.gz too), e.g.\n"
		"                         a full BGP table; next hop by a hash of the\n"
		"                         prefix over the --inet-via addresses of its\n"
		"                         family, else the config's default route\n"
		"  -V, --inet-via ADDR    a next-hop address on an outside subnet\n"
		"                         (repeatable, up to 16 per family)\n"
		"  -F, --route-socket PATH  a Unix socket taking Internet route changes:\n"
		"                         'add PREFIX via ADDR', 'del PREFIX', 'sync'\n"
		"                         (docs/sluiced.md, Route feed)\n"
		"  -K, --kernel-table N   mirror kernel routing table N (1..4294967295) of\n"
		"                         sluiced's network namespace: unicast routes via a\n"
		"                         gateway on an outside subnet (docs/sluiced.md,\n"
		"                         Kernel routes)\n"
		"  -E, --exception IFNAME keep sluice-dp's exception path interface IFNAME\n"
		"                         (ports[].exception of its config) up and carrying\n"
		"                         the gateway's outside addresses (libnl; checked\n"
		"                         every second; docs/sluice-dp.md, Exception path)\n"
		"  -E, --exception IFNAME,inside  an inside port's exception path TAP: kept\n"
		"                         up only (its addresses go on VLAN devices); both\n"
		"                         forms may be repeated, one per port\n"
		"  -X, --xdp IFACE[,inside][,generic][,adopt]  attach the XDP program to\n"
		"                         IFACE (an AF_XDP port; outside role unless\n"
		"                         ',inside'; native mode unless ',generic'),\n"
		"                         detached at exit; ',adopt': configure the one\n"
		"                         sluice-dp's af_xdp PMD attached, attach nothing;\n"
		"                         repeatable up to 8 (docs/xdp.md)\n"
		"  -O, --xdp-obj FILE     the XDP object (default: the build tree's\n"
		"                         bpf/sl_xdp.bpf.o, else " SL_XDP_OBJ_INSTALLED ")\n"
		"  -h, --help             this text\n"
		"\n"
		"Signals: SIGHUP re-reads FILE and applies the difference (an invalid file\n"
		"is logged and ignored); SIGTERM/SIGINT exit, leaving the segment for sluice-dp.\n"
		"API details: docs/api.md.\n",
		SL_SHM_DEFAULT_PATH, SL_API_RATE_DEFAULT, SL_API_SOURCE_RATE_DEFAULT,
		SL_DEFAULT_STATE_DIR);
}

/* Drain the signalfd; remember what was asked. */
static void sl_read_signals(struct sl_daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			d->reload = true;
			break;
		case SIGTERM:
		case SIGINT:
			d->stop = true;
			break;
		default:
			break;
		}
	}
}

static bool sl_keep_waiting(void *arg)
{
	struct sl_daemon *d = arg;

	sl_read_signals(d);
	if (d->stop)
		SL_WARN("exit requested while waiting for sluice-dp: giving up this publish");
	return !d->stop;
}

static int sl_set_timer(struct sl_daemon *d, long ms)
{
	struct itimerspec its;

	if (d->timer_ms == ms)
		return 0;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (ms % 1000) * 1000000L;
	its.it_interval = its.it_value;
	if (timerfd_settime(d->tfd, 0, &its, NULL) < 0)
		return -errno;
	d->timer_ms = ms;
	return 0;
}

static int sl_check(const char *path)
{
	struct sl_compile_stats cs;
	struct sl_compiler *comp;
	struct sl_store *s;
	struct sl_errs errs;
	char desc[256];
	int rc;

	sl_errs_init(&errs, path);
	s = sl_ctl_load_store(path, &errs);
	if (s == NULL) {
		for (unsigned int i = 0; i < errs.n; i++)
			printf("%s\n", errs.v[i].msg);
		if (errs.lost)
			printf("%u more error(s) not recorded (out of memory)\n", errs.lost);
		printf("%s: %u error(s)\n", path, sl_errs_count(&errs));
		sl_errs_free(&errs);
		return 1;
	}
	sl_errs_free(&errs);
	comp = sl_compiler_new();
	rc = comp ? sl_compile(comp, s, &cs) : -ENOMEM;
	sl_ctl_describe_store(s, desc, sizeof(desc));
	if (rc < 0) {
		printf("%s: valid, but compiling failed: %s\n", path, strerror(-rc));
		sl_compiler_free(comp);
		sl_store_free(s);
		return 1;
	}
	printf("%s: OK: %s\n", path, desc);
	printf("tables: %u VPC table(s) + Internet, %u next hop(s), %" PRIu64 " IPv4 + %" PRIu64
	       " IPv6 interval(s), %" PRIu64 " prefix(es), %" PRIu64 " bytes per bank needed\n",
	       cs.n_vpcs, cs.n_nexthops, cs.n_v4, cs.n_v6, cs.n_prefixes, cs.bytes);
	sl_compiler_free(comp);
	sl_store_free(s);
	return 0;
}

static int sl_write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -errno;
	fprintf(f, "%d\n", (int)getpid());
	if (fclose(f) != 0)
		return -errno;
	return 0;
}

static int sl_run(struct sl_ctl *ctl, struct sl_daemon *d)
{
	for (;;) {
		struct epoll_event evs[8];
		int n;

		if (d->reload) {
			d->reload = false;
			SL_INFO("SIGHUP: reloading");
			sl_ctl_reload(ctl, NULL);
		}
		if (d->stop)
			return 0;
		if (sl_set_timer(d, sl_ctl_poll(ctl) ? 10 : 1000) < 0)
			SL_WARN("timerfd: %s", strerror(errno));
		n = epoll_wait(d->epfd, evs, 8, d->api ? sl_api_http_timeout_ms(d->api) : -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			SL_ERR("epoll_wait: %s", strerror(errno));
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == d->sfd) {
				sl_read_signals(d);
			} else if (evs[i].data.fd == d->tfd) {
				uint64_t ticks;

				if (read(d->tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
					SL_WARN("timerfd read: %s", strerror(errno));
				sl_ctl_check_segment(ctl);
				sl_ctl_check_trunks(ctl);
				for (unsigned int k = 0; k < d->n_exc; k++)
					sl_exc_iface_sync(d->exc[k], sl_ctl_store(ctl));
			}
		}
		if (d->feed)
			sl_route_feed_run(d->feed);
		if (d->kroutes)
			sl_kernel_routes_run(d->kroutes);
		for (unsigned int i = 0; i < d->n_xdp; i++)
			sl_xdp_poll(d->xdp[i], ctl);
		/* readable, or its timeout expired: MHD_run does not block */
		if (d->api)
			sl_api_http_run(d->api);
		/* nonces of read-only requests: one transaction per loop turn
		 * (mutations wrote theirs with their change) */
		if (d->db) {
			char err[256];

			if (sl_db_commit_nonces(d->db, err, sizeof(err)) < 0)
				SL_WARN("database: storing nonces failed: %s", err);
		}
	}
}

static const struct sl_store *sl_api_store(void *arg)
{
	return sl_ctl_store(arg);
}

/* GET /metrics: the tables and sluice-dp's counters (metrics.c), then the
 * XDP programs' counters (xdp.c). */
static char *sl_api_metrics(void *arg, size_t *len)
{
	struct sl_daemon *d = arg;
	char *text = sl_metrics_render(d->ctl, len), *x, *all;
	size_t xlen;

	if (text == NULL || d->n_xdp == 0)
		return text;
	x = sl_xdp_metrics(d->xdp, d->n_xdp, &xlen);
	all = x ? realloc(text, *len + xlen + 1) : NULL;
	if (all == NULL) {
		free(x);
		free(text);
		return NULL;
	}
	memcpy(all + *len, x, xlen + 1);
	*len += xlen;
	free(x);
	return all;
}

static void sl_nonce_loaded(const char *akid, const char *nonce, time_t expires, void *arg)
{
	sl_api_auth_remember(arg, akid, nonce, expires);
}

static void sl_nonce_store(const char *akid, const char *nonce, time_t expires, void *arg)
{
	if (sl_db_stage_nonce(arg, akid, nonce, expires) < 0)
		SL_WARN("database: out of memory for a nonce");
}

/* Open the database in `state_dir` (created 0700 if missing) when `need`
 * or when it exists; make it ctl's second object source. 0 or -1 (logged). */
static int sl_db_start(struct sl_daemon *d, struct sl_ctl *ctl, const char *state_dir, bool need)
{
	char path[4096], err[600];

	snprintf(path, sizeof(path), "%s/sluiced.db", state_dir);
	if (!need && access(path, F_OK) < 0)
		return 0;
	if (mkdir(state_dir, 0700) < 0 && errno != EEXIST) {
		SL_ERR("--state-dir %s: %s", state_dir, strerror(errno));
		return -1;
	}
	d->db = sl_db_open(path, err, sizeof(err));
	if (d->db == NULL) {
		struct statvfs vfs;

		/* SQLite only says "unable to open database file" */
		if (statvfs(state_dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
			SL_ERR("database: the state directory %s is on a read-only file system; "
			       "sluiced writes its database there (remount it read-write)",
			       state_dir);
		else
			SL_ERR("database: %s", err);
		return -1;
	}
	{
		char counts[1024];
		size_t o = 0;

		/* every kind by its config-file section name: new kinds need no edit */
		counts[0] = '\0';
		for (int k = SL_CFG_VPC; k < SL_CFG_NKINDS && o < sizeof(counts); k++)
			o += (size_t)snprintf(counts + o, sizeof(counts) - o, "%s%s %u",
					      o ? ", " : "", sl_cfg_kind_section(k),
					      sl_db_count(d->db, k));
		SL_INFO("database %s: objects created through the API: %s", path, counts);
	}
	sl_ctl_set_source(ctl, sl_db_source, d->db);
	return 0;
}

/* Load (or create) the access keys and start listening. 0 or -1 (logged). */
static int sl_api_start(struct sl_daemon *d, struct sl_ctl *ctl, struct sl_api_server *srv,
			struct sl_api_keys **keys, const char *listen, const char *keys_path,
			const char *state_dir)
{
	char path[4096], err[512];
	struct epoll_event ev;
	bool created;

	if (keys_path == NULL) {
		if (mkdir(state_dir, 0700) < 0 && errno != EEXIST) {
			SL_ERR("--state-dir %s: %s", state_dir, strerror(errno));
			return -1;
		}
		snprintf(path, sizeof(path), "%s/access_keys", state_dir);
		keys_path = path;
	}
	*keys = sl_api_keys_load(keys_path, true, &created, err, sizeof(err));
	if (*keys == NULL) {
		SL_ERR("api: %s", err);
		return -1;
	}
	if (created)
		SL_INFO("api: generated access key %s; id and secret are in %s",
			sl_api_keys_first(*keys), keys_path);
	srv->auth = sl_api_auth_new(*keys);
	srv->store = sl_api_store;
	srv->store_arg = ctl;
	sl_api_havip_set_ctl(ctl); /* MasterInstanceId from sluice-dp (issue 12) */
	srv->metrics = sl_api_metrics;
	d->ctl = ctl;
	srv->metrics_arg = d;
	srv->created = time(NULL);
	if (srv->auth && d->db) {
		sl_db_nonces_load(d->db, time(NULL), sl_nonce_loaded, srv->auth);
		sl_api_auth_set_nonce_hook(srv->auth, sl_nonce_store, d->db);
	}
	if (srv->auth == NULL) {
		SL_ERR("api: out of memory");
		return -1;
	}
	d->api = sl_api_http_new(listen, srv, err, sizeof(err));
	if (d->api == NULL) {
		SL_ERR("api: %s", err);
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = sl_api_http_fd(d->api);
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0) {
		SL_ERR("api: epoll_ctl: %s", strerror(errno));
		return -1;
	}
	SL_INFO("api: listening on http://%s/ (VPC API 2016-04-28, %u access key(s) from %s)",
		sl_api_http_address(d->api), sl_api_keys_count(*keys), keys_path);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"segment", required_argument, NULL, 's'},
	    {"bank-size", required_argument, NULL, 'b'},
	    {"check", no_argument, NULL, 'C'},
	    {"pidfile", required_argument, NULL, 'p'},
	    {"log-level", required_argument, NULL, 'l'},
	    {"listen", required_argument, NULL, 'L'},
	    {"access-keys", required_argument, NULL, 'k'},
	    {"state-dir", required_argument, NULL, 'd'},
	    {"standalone", no_argument, NULL, 'S'},
	    {"inet-routes", required_argument, NULL, 'R'},
	    {"inet-via", required_argument, NULL, 'V'},
	    {"route-socket", required_argument, NULL, 'F'},
	    {"kernel-table", required_argument, NULL, 'K'},
	    {"exception", required_argument, NULL, 'E'},
	    {"api-rate", required_argument, NULL, 'A'},
	    {"api-source-rate", required_argument, NULL, 'N'},
	    {"xdp", required_argument, NULL, 'X'},
	    {"xdp-obj", required_argument, NULL, 'O'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct sl_ctl_opts o = {0};
	struct sl_daemon d = {.sfd = -1, .tfd = -1, .epfd = -1, .timer_ms = -1};
	struct epoll_event ev;
	const char *pidfile = NULL;
	const char *listen = NULL, *keys_path = NULL, *state_dir = SL_DEFAULT_STATE_DIR;
	struct sl_api_server api_srv = {0};
	struct sl_api_keys *api_keys = NULL;
	struct sl_api_mut api_mut = {0};
	char seg_path[4096];
	bool check = false, standalone = false;
	struct sl_ctl *ctl;
	char err[1024] = "";
	sigset_t mask;
	int opt, rc;

	struct sl_pfx inet_via[32];
	unsigned int n_inet_via = 0;
	const char *feed_path = NULL;
	unsigned long kernel_table = 0;
	unsigned long api_rate = SL_API_RATE_DEFAULT;
	unsigned long api_source_rate = SL_API_SOURCE_RATE_DEFAULT;
	const char *exc_ifname[SL_EXC_IFACES_MAX];
	unsigned int n_exc_ifname = 0;
	char *end;
	struct sl_xdp_spec xdp_specs[SL_XDP_PORTS_MAX];
	unsigned int n_xdp_specs = 0;
	const char *xdp_obj = NULL;

	while ((opt = getopt_long(argc, argv, "c:s:b:Cp:l:L:k:d:SR:V:F:K:E:A:N:X:O:h", opts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'c':
			o.config_path = optarg;
			break;
		case 's':
			o.segment_path = optarg;
			break;
		case 'b':
			if (sl_parse_size(optarg, &o.bank_size) < 0 ||
			    o.bank_size < SL_SHM_MIN_BANK_SIZE ||
			    o.bank_size > SL_SHM_MAX_BANK_SIZE) {
				fprintf(stderr,
					"sluiced: --bank-size '%s': give bytes or NNK/NNM/NNG, "
					"between 64K and 64G\n",
					optarg);
				return 2;
			}
			o.bank_size_explicit = true;
			break;
		case 'C':
			check = true;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'l': {
			char lerr[256];

			if (sl_log_set_spec(optarg, lerr, sizeof(lerr)) < 0) {
				fprintf(stderr, "sluiced: --log-level %s\n", lerr);
				return 2;
			}
			break;
		}
		case 'L':
			listen = optarg;
			break;
		case 'k':
			keys_path = optarg;
			break;
		case 'd':
			state_dir = optarg;
			break;
		case 'S':
			standalone = true;
			break;
		case 'R':
			o.inet_routes = optarg;
			break;
		case 'F':
			feed_path = optarg;
			break;
		case 'A':
			if (sl_parse_rate("--api-rate", "access key", optarg, &api_rate) < 0)
				return 2;
			break;
		case 'N':
			if (sl_parse_rate("--api-source-rate", "source address", optarg,
					  &api_source_rate) < 0)
				return 2;
			break;
		case 'E':
			if (n_exc_ifname == SL_EXC_IFACES_MAX) {
				fprintf(stderr, "sluiced: at most %d --exception\n",
					SL_EXC_IFACES_MAX);
				return 2;
			}
			exc_ifname[n_exc_ifname++] = optarg;
			break;
		case 'K':
			errno = 0;
			kernel_table = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || kernel_table == 0 ||
			    kernel_table > UINT32_MAX) {
				fprintf(stderr, "sluiced: --kernel-table '%s': 1..4294967295\n",
					optarg);
				return 2;
			}
			break;
		case 'V':
			if (n_inet_via >= 32 || sl_ip_parse(optarg, &inet_via[n_inet_via]) < 0) {
				fprintf(stderr, "sluiced: --inet-via '%s': %s\n", optarg,
					n_inet_via >= 32 ? "at most 32" : "not an IP address");
				return 2;
			}
			n_inet_via++;
			break;
		case 'X':
			if (n_xdp_specs >= SL_XDP_PORTS_MAX ||
			    sl_xdp_parse_spec(optarg, &xdp_specs[n_xdp_specs]) < 0) {
				fprintf(stderr,
					"sluiced: --xdp '%s': IFACE[,inside][,generic][,adopt], at "
					"most %d\n",
					optarg, SL_XDP_PORTS_MAX);
				return 2;
			}
			n_xdp_specs++;
			break;
		case 'O':
			xdp_obj = optarg;
			break;
		case 'h':
			sl_usage(stdout);
			return 0;
		default:
			sl_usage(stderr);
			return 2;
		}
	}
	/* "sluiced --check FILE": one positional argument is the config file */
	if (o.config_path == NULL && optind == argc - 1)
		o.config_path = argv[optind++];
	if (optind < argc || o.config_path == NULL) {
		fprintf(stderr, "sluiced: %s\n",
			optind < argc ? "unexpected argument" : "--config FILE is required");
		sl_usage(stderr);
		return 2;
	}
	if (check)
		return sl_check(o.config_path);
	o.inet_via = inet_via;
	o.n_inet_via = n_inet_via;
	if (standalone && o.segment_path == NULL) {
		/* a private segment nobody attaches to: no acknowledgements to
		 * wait for, objects are Available once published */
		if (mkdir(state_dir, 0700) < 0 && errno != EEXIST) {
			fprintf(stderr, "sluiced: --state-dir %s: %s\n", state_dir,
				strerror(errno));
			return 1;
		}
		snprintf(seg_path, sizeof(seg_path), "%s/segment", state_dir);
		o.segment_path = seg_path;
		/* a file on the state dir's file system: keep it small (no
		 * FIBs) unless asked */
		if (!o.bank_size_explicit)
			o.bank_size = UINT64_C(64) << 20;
	}

	/* signals: blocked and read from a signalfd */
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
		SL_ERR("sigprocmask: %s", strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	d.sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d.sfd < 0 || d.tfd < 0 || d.epfd < 0) {
		SL_ERR("event loop setup: %s", strerror(errno));
		return 1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = d.sfd;
	epoll_ctl(d.epfd, EPOLL_CTL_ADD, d.sfd, &ev);
	ev.data.fd = d.tfd;
	epoll_ctl(d.epfd, EPOLL_CTL_ADD, d.tfd, &ev);

	if (pidfile && (rc = sl_write_pidfile(pidfile)) < 0) {
		SL_ERR("pidfile %s: %s", pidfile, strerror(-rc));
		return 1;
	}
	SL_INFO("sluiced %d starting: config %s, segment %s", (int)getpid(), o.config_path,
		o.segment_path ? o.segment_path : SL_SHM_DEFAULT_PATH);
	ctl = sl_ctl_new(&o);
	if (ctl == NULL) {
		SL_ERR("out of memory");
		rc = 1;
		goto out;
	}
	sl_ctl_set_keep_waiting(ctl, sl_keep_waiting, &d);
	if (sl_db_start(&d, ctl, state_dir, listen != NULL || standalone) < 0) {
		rc = 1;
		goto out;
	}
	/* listen before the (possibly long) start: clients queue in the backlog
	 * and are served from the first loop turn on */
	if (feed_path) {
		d.feed = sl_route_feed_open(feed_path, ctl, err, sizeof(err));
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		if (d.feed)
			ev.data.fd = sl_route_feed_fd(d.feed);
		if (d.feed == NULL || epoll_ctl(d.epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0) {
			SL_ERR("route feed: %s", d.feed ? strerror(errno) : err);
			rc = 1;
			goto out;
		}
		SL_INFO("route feed: listening on %s", feed_path);
	}
	rc = sl_ctl_start(ctl, NULL, err, sizeof(err));
	if (rc < 0) {
		SL_ERR("not starting: %s", err);
		rc = 1;
		goto out;
	}
	/* after the start: which gateways are usable comes from the config */
	if (kernel_table &&
	    ((d.kroutes = sl_kernel_routes_open((uint32_t)kernel_table, ctl, err,
						 sizeof(err))) == NULL ||
	     epoll_ctl(d.epfd, EPOLL_CTL_ADD, sl_kernel_routes_fd(d.kroutes),
		       &(struct epoll_event){.events = EPOLLIN,
					     .data.fd = sl_kernel_routes_fd(d.kroutes)}) < 0)) {
		SL_ERR("kernel routes: %s", d.kroutes ? strerror(errno) : err);
		rc = 1;
		goto out;
	}
	for (; d.n_exc < n_exc_ifname; d.n_exc++) {
		d.exc[d.n_exc] = sl_exc_iface_open(exc_ifname[d.n_exc], err, sizeof(err));
		if (d.exc[d.n_exc] == NULL) {
			SL_ERR("%s", err);
			rc = 1;
			goto out;
		}
		sl_exc_iface_sync(d.exc[d.n_exc], sl_ctl_store(ctl));
	}
	/* XDP after the start: the owned prefixes come from the store */
	for (; d.n_xdp < n_xdp_specs; d.n_xdp++) {
		d.xdp[d.n_xdp] = sl_xdp_start(&xdp_specs[d.n_xdp], xdp_obj, ctl, err, sizeof(err));
		if (d.xdp[d.n_xdp] == NULL) {
			SL_ERR("xdp: %s", err);
			rc = 1;
			goto out;
		}
	}
	api_mut.ctl = ctl;
	api_mut.db = d.db;
	api_mut.config_path = o.config_path;
	api_srv.mut = d.db ? &api_mut : NULL;
	api_srv.source_rate_per_s = (unsigned int)api_source_rate;
	if (listen &&
	    sl_api_start(&d, ctl, &api_srv, &api_keys, listen, keys_path, state_dir) < 0) {
		rc = 1;
		goto out;
	}
	if (listen)
		sl_api_auth_set_rate(api_srv.auth, (unsigned int)api_rate);
	rc = sl_run(ctl, &d) < 0 ? 1 : 0;
	SL_INFO("exiting; segment %s stays for sluice-dp",
		o.segment_path ? o.segment_path : SL_SHM_DEFAULT_PATH);
out:
	for (unsigned int i = 0; i < d.n_xdp; i++)
		sl_xdp_close(d.xdp[i]);
	sl_route_feed_close(d.feed);
	sl_kernel_routes_close(d.kroutes);
	for (unsigned int i = 0; i < d.n_exc; i++)
		sl_exc_iface_close(d.exc[i]);
	sl_api_http_free(d.api);
	sl_api_auth_free(api_srv.auth);
	sl_api_keys_free(api_keys);
	sl_ctl_free(ctl);
	sl_db_close(d.db);
	if (pidfile)
		unlink(pidfile);
	close(d.epfd);
	close(d.tfd);
	close(d.sfd);
	return rc;
}
