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
#include <sys/timerfd.h>
#include <unistd.h>

#include "sl_api_auth.h"
#include "sl_api_http.h"
#include "sl_compile.h"
#include "sl_ctl.h"
#include "sl_ctl_log.h"
#include "sl_shm_writer.h"

struct sl_daemon {
	int sfd;
	int tfd;
	int epfd;
	bool stop;
	bool reload;
	long timer_ms;
	struct sl_api_http *api; /**< NULL without --listen */
};

#define SL_DEFAULT_STATE_DIR "/var/lib/sluice"

static void sl_usage(FILE *f)
{
	fprintf(f,
		"usage: sluiced --config FILE [--segment PATH] [--bank-size BYTES|NNM]\n"
		"               [--check] [--pidfile FILE] [--log-level LEVEL]\n"
		"               [--listen ADDR:PORT [--access-keys FILE] [--state-dir DIR]]\n"
		"               [--help]\n"
		"       sluiced --check FILE\n"
		"\n"
		"  -c, --config FILE      objects to load (JSON; see docs/sluiced.md)\n"
		"  -s, --segment PATH     shared-memory segment (default %s)\n"
		"  -b, --bank-size SIZE   bytes per table bank when creating the segment\n"
		"                         (default 64M; K, M, G suffixes are binary)\n"
		"  -C, --check            validate FILE, print every error (exit 1) or a\n"
		"                         summary (exit 0); touches no segment\n"
		"  -p, --pidfile FILE     write the daemon's pid to FILE\n"
		"  -l, --log-level LEVEL  error, warn, info (default) or debug\n"
		"  -L, --listen ADDR:PORT serve the cloud API (VPC RPC API 2016-04-28) over\n"
		"                         HTTP on ADDR:PORT ([V6ADDR]:PORT for IPv6; port 0\n"
		"                         picks a free one); off when not given\n"
		"  -k, --access-keys FILE API access keys, lines 'ACCESS_KEY_ID SECRET', mode\n"
		"                         0600 enforced; created with a fresh key when absent\n"
		"                         (default DIR/access_keys)\n"
		"  -d, --state-dir DIR    sluiced's state directory (default %s)\n"
		"  -h, --help             this text\n"
		"\n"
		"Signals: SIGHUP re-reads FILE and applies the difference (an invalid file\n"
		"is logged and ignored); SIGTERM/SIGINT exit, leaving the segment for sluice-dp.\n"
		"API details: docs/api.md.\n",
		SL_SHM_DEFAULT_PATH, SL_DEFAULT_STATE_DIR);
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
			}
		}
		/* readable, or its timeout expired: MHD_run does not block */
		if (d->api)
			sl_api_http_run(d->api);
	}
}

static const struct sl_store *sl_api_store(void *arg)
{
	return sl_ctl_store(arg);
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
	srv->created = time(NULL);
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
	bool check = false;
	struct sl_ctl *ctl;
	char err[1024] = "";
	sigset_t mask;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "c:s:b:Cp:l:L:k:d:h", opts, NULL)) != -1) {
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
		case 'l':
			rc = sl_log_parse_level(optarg);
			if (rc < 0) {
				fprintf(stderr,
					"sluiced: --log-level: error, warn, info or debug\n");
				return 2;
			}
			sl_log_level = rc;
			break;
		case 'L':
			listen = optarg;
			break;
		case 'k':
			keys_path = optarg;
			break;
		case 'd':
			state_dir = optarg;
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
	rc = sl_ctl_start(ctl, NULL, err, sizeof(err));
	if (rc < 0) {
		SL_ERR("not starting: %s", err);
		rc = 1;
		goto out;
	}
	if (listen &&
	    sl_api_start(&d, ctl, &api_srv, &api_keys, listen, keys_path, state_dir) < 0) {
		rc = 1;
		goto out;
	}
	rc = sl_run(ctl, &d) < 0 ? 1 : 0;
	SL_INFO("exiting; segment %s stays for sluice-dp",
		o.segment_path ? o.segment_path : SL_SHM_DEFAULT_PATH);
out:
	sl_api_http_free(d.api);
	sl_api_auth_free(api_srv.auth);
	sl_api_keys_free(api_keys);
	sl_ctl_free(ctl);
	if (pidfile)
		unlink(pidfile);
	close(d.epfd);
	close(d.tfd);
	close(d.sfd);
	return rc;
}
