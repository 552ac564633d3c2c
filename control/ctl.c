/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluiced core: the path from a config file to a published generation, and
 * the Pending -> Available bookkeeping.
 *
 * Design note: the live store is replaced only after the new one validated,
 * compiled and was published; any failure on the way leaves the previous
 * state (store, compiled cache contents that matter, published generation)
 * in force and is logged. After a failed publish the compiler cache may
 * hold tables of the rejected store, so it is marked all-dirty: the next
 * publish rebuilds from whatever store is live then. The API's incremental
 * batches (api_mut_delta.c) change the live store in place instead, already
 * validated and durable when sl_ctl_apply_delta() publishes them: a failed
 * publish keeps the change in the store and the next publish carries it.
 *
 * Concurrency: single-threaded; called from sluiced's event loop (or a test),
 * but for the reaper: a store that sl_ctl_apply() replaced is no longer
 * reachable from anything but the reaper thread, which frees it there (at
 * 20,000 objects freeing a store is a tenth of an API batch's cost, off the
 * path of the replies this way). At most one reaper runs: the next
 * retirement and sl_ctl_free() join it first.
 */
#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sl_ctl_config.h"
#include "sl_ctl.h"
#include "sl_judy.h"
#include "sl_pfxfile.h"
#include "sl_validate.h"

struct sl_ctl {
	char *config_path;
	char *segment_path;
	uint64_t bank_size;
	bool bank_size_explicit;
	struct sl_store *store;
	struct sl_compiler *comp;
	struct sl_shm_writer *shm;
	sl_shm_keep_waiting_fn keep_waiting;
	void *kw_arg;
	sl_ctl_source_fn source; /**< adds objects beyond the file (database) */
	void *source_arg;
	uint64_t pending_gen; /**< last generation carrying objects not yet acknowledged */
	uint64_t last_gen;    /**< last generation published */
	uint64_t acked_seen;  /**< acknowledgement seen by the last object walk */
	char *inet_routes;    /**< prefix file of the route source, or NULL */
	struct sl_pfx *inet_via;
	unsigned int n_inet_via;
	unsigned int n_uncommitted; /**< route-source changes not yet published */
	bool segment_error_logged;  /**< re-creating a lost segment failed, said so */
	int trunks_warned;	    /**< inside ports of the last trunk warning, -1 none */
	pthread_t reaper;	    /**< frees a retired store (see the design note) */
	bool reaper_running;
};

static double sl_ctl_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double sl_ctl_now(void)
{
	return sl_ctl_clock(CLOCK_MONOTONIC);
}

/* CPU seconds of the calling thread (the start-up figures: they say what
 * each thread costs whatever the machine's load) */
static double sl_ctl_cpu(void)
{
	return sl_ctl_clock(CLOCK_THREAD_CPUTIME_ID);
}

struct sl_ctl *sl_ctl_new(const struct sl_ctl_opts *o)
{
	struct sl_ctl *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->config_path = strdup(o->config_path ? o->config_path : "");
	c->segment_path = strdup(o->segment_path ? o->segment_path : SL_SHM_DEFAULT_PATH);
	c->bank_size = o->bank_size ? o->bank_size : SL_SHM_DEFAULT_BANK_SIZE;
	c->bank_size_explicit = o->bank_size_explicit;
	c->trunks_warned = -1;
	c->comp = sl_compiler_new();
	if (o->inet_routes) {
		c->inet_routes = strdup(o->inet_routes);
		c->inet_via = calloc(o->n_inet_via ? o->n_inet_via : 1, sizeof(*c->inet_via));
		if (c->inet_routes == NULL || c->inet_via == NULL) {
			sl_ctl_free(c);
			errno = ENOMEM;
			return NULL;
		}
		if (o->n_inet_via)
			memcpy(c->inet_via, o->inet_via, o->n_inet_via * sizeof(*c->inet_via));
		c->n_inet_via = o->n_inet_via;
	}
	if (c->config_path == NULL || c->segment_path == NULL || c->comp == NULL) {
		sl_ctl_free(c);
		errno = ENOMEM;
		return NULL;
	}
	return c;
}

static void *sl_reap_run(void *arg)
{
	sl_store_free(arg);
	return NULL;
}

static void sl_ctl_reap_wait(struct sl_ctl *c)
{
	if (c->reaper_running)
		pthread_join(c->reaper, NULL);
	c->reaper_running = false;
}

/* Free `old`, which nothing references any more, on the reaper thread
 * (here if no thread can be started). */
static void sl_ctl_retire(struct sl_ctl *c, struct sl_store *old)
{
	sl_ctl_reap_wait(c);
	if (old == NULL)
		return;
	if (pthread_create(&c->reaper, NULL, sl_reap_run, old) == 0)
		c->reaper_running = true;
	else
		sl_store_free(old);
}

void sl_ctl_free(struct sl_ctl *c)
{
	if (c == NULL)
		return;
	sl_ctl_reap_wait(c);
	sl_shm_close(c->shm);
	sl_store_free(c->store);
	sl_compiler_free(c->comp);
	free(c->config_path);
	free(c->segment_path);
	free(c->inet_routes);
	free(c->inet_via);
	free(c);
}

void sl_ctl_set_keep_waiting(struct sl_ctl *c, sl_shm_keep_waiting_fn fn, void *arg)
{
	c->keep_waiting = fn;
	c->kw_arg = arg;
}

void sl_ctl_set_source(struct sl_ctl *c, sl_ctl_source_fn fn, void *arg)
{
	c->source = fn;
	c->source_arg = arg;
}

uint64_t sl_ctl_generation(const struct sl_ctl *c)
{
	return c->shm ? sl_shm_generation(c->shm) : 0;
}

struct sl_store *sl_ctl_store(const struct sl_ctl *c)
{
	return c->store;
}

struct sl_shm_writer *sl_ctl_shm(const struct sl_ctl *c)
{
	return c->shm;
}

struct sl_compiler *sl_ctl_compiler(const struct sl_ctl *c)
{
	return c->comp;
}

struct sl_store *sl_ctl_load_store(const char *path, struct sl_errs *errs)
{
	return sl_ctl_build_store(NULL, path, errs);
}

/* The file and the database's objects, not validated yet. gw_fn: see
 * sl_cfg_load_ex(). */
static struct sl_store *sl_ctl_load_unvalidated(const struct sl_ctl *c, const char *path,
						sl_cfg_gateway_fn gw_fn, void *gw_arg,
						struct sl_errs *errs)
{
	struct sl_store *s = sl_cfg_load_ex(path, gw_fn, gw_arg, errs);

	if (s == NULL)
		return NULL;
	if (c != NULL && c->source != NULL && c->source(s, errs, c->source_arg) < 0) {
		sl_store_free(s);
		return NULL;
	}
	return s;
}

struct sl_store *sl_ctl_build_store(const struct sl_ctl *c, const char *path, struct sl_errs *errs)
{
	struct sl_store *s = sl_ctl_load_unvalidated(c, path, NULL, NULL, errs);

	if (s == NULL)
		return NULL;
	if (sl_validate(s, errs) < 0 || sl_errs_count(errs) > 0) {
		sl_store_free(s);
		return NULL;
	}
	return s;
}

void sl_ctl_describe_store(const struct sl_store *s, char *buf, size_t size)
{
	snprintf(buf, size,
		 "%u region(s), %u zone(s), %u VPC(s), %u VSwitch(es), %u instance(s), "
		 "%u route entr%s, %u outside address(es), %u Internet route(s)",
		 s->region_v.n, s->zone_v.n, s->vpc_v.n, s->vswitch_v.n, s->instance_v.n,
		 s->route_v.n, s->route_v.n == 1 ? "y" : "ies",
		 s->gateway ? s->gateway->n_addrs : 0, s->gateway ? s->gateway->n_routes : 0);
}

/* ---- publication ----------------------------------------------------------- */

struct sl_fill_arg {
	struct sl_compiler *comp;
};

static int sl_fill(void *bank, uint64_t bank_size, uint64_t gen, void *arg)
{
	struct sl_fill_arg *fa = arg;

	return sl_compile_layout(fa->comp, bank, bank_size, gen);
}

static void sl_stamp(struct sl_obj_state *st, const char *what, const char *id, void *arg)
{
	uint64_t gen = *(uint64_t *)arg;

	(void)what;
	(void)id;
	if (st->status == SL_STATUS_PENDING && st->generation == 0)
		st->generation = gen;
}

struct sl_ack_arg {
	uint64_t acked;
	unsigned int still_pending;
	unsigned int became_available;
};

static void sl_ack(struct sl_obj_state *st, const char *what, const char *id, void *arg)
{
	struct sl_ack_arg *a = arg;

	(void)what;
	(void)id;
	if (st->status != SL_STATUS_PENDING)
		return;
	if (st->generation != 0 && st->generation <= a->acked) {
		st->status = SL_STATUS_AVAILABLE;
		a->became_available++;
	} else {
		a->still_pending++;
	}
}

/* sl_stamp or sl_ack on every Pending object of `s`: its Pending list (the
 * ones that became Available leave it), or every object when the list is
 * incomplete. */
static void sl_ctl_foreach_pending(struct sl_store *s,
				   void (*fn)(struct sl_obj_state *st, const char *what,
					      const char *id, void *arg),
				   void *arg)
{
	unsigned int k = 0;

	if (s->pending_all) {
		sl_store_foreach_state(s, fn, arg);
		return;
	}
	for (unsigned int i = 0; i < s->pending.n; i++) {
		struct sl_obj_state *st = s->pending.v[i];

		fn(st, "", "", arg);
		if (st->status == SL_STATUS_PENDING)
			s->pending.v[k++] = st;
	}
	s->pending.n = k;
}

static int sl_ctl_publish_x(struct sl_ctl *c, struct sl_store *s, bool same_store,
			    struct sl_ctl_result *res);

/* Compile `s` (the cache was marked dirty as needed) and publish it. On
 * success the objects of `s` that were Pending are stamped with the new
 * generation. */
static int sl_ctl_publish(struct sl_ctl *c, struct sl_store *s, struct sl_ctl_result *res)
{
	return sl_ctl_publish_x(c, s, false, res);
}

/* `same_store`: s is the live store, compiled before and unchanged (route
 * source commits): the compiler skips the per-VPC pass. */
static int sl_ctl_publish_x(struct sl_ctl *c, struct sl_store *s, bool same_store,
			    struct sl_ctl_result *res)
{
	struct sl_fill_arg fa = {.comp = c->comp};
	uint64_t gen = 0;
	int rc;

	if (c->shm == NULL) {
		SL_ERR("no segment open (%s could not be created): not publishing; retrying "
		       "every second",
		       c->segment_path);
		sl_compiler_mark_all_dirty(c->comp);
		return -ENODEV;
	}
	rc = sl_compile(c->comp, same_store ? NULL : s, &res->cs);
	if (rc == -EINVAL && same_store) /* something else was marked dirty */
		rc = sl_compile(c->comp, s, &res->cs);
	if (rc < 0) {
		SL_ERR("compile failed: %s", strerror(-rc));
		return rc;
	}
	if (res->cs.bytes > sl_shm_bank_size(c->shm)) {
		SL_ERR("the tables need %" PRIu64 " bytes but each bank of %s holds %" PRIu64
		       ": stop sluice-dp, remove %s and start sluiced with --bank-size %" PRIu64
		       "M or more (or choose a bigger --bank-size)",
		       res->cs.bytes, sl_shm_path(c->shm), sl_shm_bank_size(c->shm),
		       sl_shm_path(c->shm), (res->cs.bytes * 2 >> 20) + 1);
		sl_compiler_mark_all_dirty(c->comp);
		return -ENOSPC;
	}
	rc = sl_shm_publish(c->shm, sl_fill, &fa, c->keep_waiting, c->kw_arg, &gen);
	if (rc < 0) {
		SL_ERR("publish into %s failed: %s", sl_shm_path(c->shm), strerror(-rc));
		sl_compiler_mark_all_dirty(c->comp);
		return rc;
	}
	res->generation = gen;
	c->last_gen = gen;
	if (!same_store) { /* a route-source commit carries no new object */
		sl_ctl_foreach_pending(s, sl_stamp, &gen);
		c->pending_gen = gen;
	}
	return 0;
}

static void sl_log_published(const char *what, const struct sl_ctl_result *r, bool dp)
{
	SL_INFO("%s: generation %" PRIu64 " published: %u VPC(s) (%u table(s) recompiled%s), "
		"%u next hop(s), %" PRIu64 " IPv4 + %" PRIu64 " IPv6 interval(s), %" PRIu64
		" prefix(es), %" PRIu64 " bytes%s",
		what, r->generation, r->cs.n_vpcs, r->cs.n_recompiled,
		r->cs.inet_recompiled ? ", Internet table too" : "", r->cs.n_nexthops, r->cs.n_v4,
		r->cs.n_v6, r->cs.n_prefixes, r->cs.bytes,
		dp ? "" : "; no live sluice-dp, objects Available at once");
}

/* Seed VPC indexes from the generation a previous sluiced left, so that a
 * restart does not renumber VPCs under a running data plane. */
static void sl_ctl_seed(struct sl_ctl *c)
{
	const struct sl_bank_header *b = sl_shm_active_bank(c->shm);
	const struct sl_vpc *v;
	unsigned int n = 0;

	if (b == NULL)
		return;
	if (b->vpc_off + (uint64_t)b->n_vpcs * sizeof(*v) > sl_shm_bank_size(c->shm))
		return;
	v = SL_BANK_PTR(b, b->vpc_off, const struct sl_vpc);
	for (uint32_t i = 0; i < b->n_vpcs; i++) {
		char id[SL_ID_LEN];

		memcpy(id, v[i].id, sizeof(id));
		id[SL_ID_LEN - 1] = '\0';
		if (id[0] && sl_compiler_seed_index(c->comp, id, i) == 0)
			n++;
	}
	SL_INFO("re-using the VPC indexes of generation %" PRIu64 " (%u VPC(s))", b->generation, n);
	/* and the NAT gateway and public IP indexes sluice-dp's sessions use */
	if (b->nat_off != 0 && b->nat_off <= sl_shm_bank_size(c->shm) &&
	    b->nat_size <= sl_shm_bank_size(c->shm) - b->nat_off) {
		int k = sl_compiler_seed_nat(
		    c->comp, SL_BANK_PTR(b, b->nat_off, const struct sl_nat_sec), b->nat_size);

		if (k >= 0)
			SL_INFO("re-using %d NAT gateway and public IP index(es)", k);
	}
}

static int sl_ctl_open_segment(struct sl_ctl *c, char *err, size_t errlen)
{
	c->shm = sl_shm_open(c->segment_path, c->bank_size, c->bank_size_explicit, err, errlen);
	if (c->shm == NULL)
		return -errno;
	/* whatever the banks hold was not written by this compiler */
	sl_compiler_invalidate_banks(c->comp);
	sl_compiler_set_fib(c->comp, sl_shm_bank_size(c->shm) >= SL_FIB_MIN_BANK_SIZE);
	if (sl_shm_created(c->shm)) {
		SL_INFO("created segment %s (%" PRIu64 "-byte banks)", c->segment_path,
			sl_shm_bank_size(c->shm));
	} else {
		SL_INFO("re-opened segment %s at generation %" PRIu64 " (%" PRIu64
			"-byte banks, sluice-dp %s): republishing as the next generation",
			c->segment_path, sl_shm_generation(c->shm), sl_shm_bank_size(c->shm),
			sl_shm_dp_alive(sl_shm_hdr(c->shm)) ? "attached" : "not running");
		sl_ctl_seed(c);
	}
	return 0;
}

/*
 * The Internet table at start-up, on a second thread: the prefix file (a
 * million lines) is parsed while the config is loaded, and given to the
 * route source (the compiler's Internet RIB) while the config's objects
 * are built and validated. The RIB needs the config's gateway only (the
 * next hops' source addresses and the default route's via): the loader
 * parses the Gateway section first and hands over a copy of it
 * (sl_cfg_load_ex()), so the thread waits for that, not for the store.
 *
 * Concurrency: between `gw_ready` and the join, the thread reads its own
 * copy of the gateway and writes only the compiler's Internet RIB and
 * c->n_uncommitted (then starts the FIB build, compile_fib.c); the main
 * thread meanwhile builds and validates the store, which the thread never
 * sees. `go` false at `gw_ready` tells the thread to stop after the parse.
 */
struct sl_pfx_job {
	struct sl_ctl *c;
	const char *path;
	struct sl_pfxlist l;
	int rc;
	bool applied; /**< the prefixes went to the RIB (undone if the start fails) */
	char err[512];
	double parse_s, apply_s, parse_cpu, apply_cpu;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool gw_ready;
	bool go;
	const struct sl_gateway_obj *gw; /**< the config's gateway (NULL: none) */
	struct sl_gateway_obj *gw_copy;	 /**< the copy it points to, if any */
};

static int sl_ctl_inet_apply_list(struct sl_ctl *c, const struct sl_gateway_obj *g,
				  const char *path, struct sl_pfxlist *l, const struct sl_pfx *vias,
				  unsigned int n_vias, char *err, size_t errlen);

static void *sl_pfx_job_run(void *arg)
{
	struct sl_pfx_job *j = arg;
	double t0 = sl_ctl_now(), c0 = sl_ctl_cpu();
	bool go;

	/* next hop numbers 0..15: an index into the family's vias */
	j->rc = sl_pfx_load(j->path, 16, &j->l, j->err, sizeof(j->err));
	j->parse_s = sl_ctl_now() - t0;
	j->parse_cpu = sl_ctl_cpu() - c0;
	pthread_mutex_lock(&j->lock);
	while (!j->gw_ready)
		pthread_cond_wait(&j->cond, &j->lock);
	go = j->go;
	pthread_mutex_unlock(&j->lock);
	if (!go || j->rc < 0)
		return NULL;
	t0 = sl_ctl_now();
	c0 = sl_ctl_cpu();
	j->rc = sl_ctl_inet_apply_list(j->c, j->gw, j->path, &j->l, j->c->inet_via,
				       j->c->n_inet_via, j->err, sizeof(j->err));
	j->applied = true;
	j->apply_s = sl_ctl_now() - t0;
	j->apply_cpu = sl_ctl_cpu() - c0;
	/* a big table's FIBs are built from here on, alongside the validation
	 * and the VPC compile; the first bank write moves them in */
	if (j->rc == 0 && sl_compiler_inet_count(j->c->comp) >= SL_FIB_PREBUILD_MIN_ROUTES)
		sl_compiler_fib_prebuild(j->c->comp);
	return NULL;
}

/* Let the job go on with gateway `g` (NULL: none), or stop it (go false). */
static void sl_pfx_job_give(struct sl_pfx_job *j, bool go, const struct sl_gateway_obj *g)
{
	pthread_mutex_lock(&j->lock);
	j->gw = g;
	j->go = go;
	j->gw_ready = true;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
}

/* The loader parsed the Gateway section (sl_cfg_load_ex()): the job goes
 * on with a copy, as the store it is in is still being built. */
static void sl_pfx_job_gateway(const struct sl_gateway_obj *g, void *arg)
{
	struct sl_pfx_job *j = arg;

	j->gw_copy = g ? sl_gateway_clone(g) : NULL;
	if (g && j->gw_copy == NULL)
		return; /* no memory: given the whole store after the load */
	sl_pfx_job_give(j, true, j->gw_copy);
}

/* A start that failed after the job filled the RIB: take its prefixes out
 * again, so the compiler is as before the start. */
static void sl_pfx_job_undo(struct sl_ctl *c, struct sl_pfx_job *j)
{
	for (size_t i = 0; j->applied && i < j->l.n4; i++) {
		struct sl_pfx p = {
		    .addr = j->l.v4[i].addr, .len = j->l.v4[i].len, .family = SL_AF_INET};

		sl_compiler_inet_del(c->comp, &p);
	}
	for (size_t i = 0; j->applied && i < j->l.n6; i++) {
		struct sl_pfx p = {.addr = sl_addr_from_bytes(SL_AF_INET6, j->l.v6[i].addr),
				   .len = j->l.v6[i].len,
				   .family = SL_AF_INET6};

		sl_compiler_inet_del(c->comp, &p);
	}
	c->n_uncommitted = 0;
}

int sl_ctl_start(struct sl_ctl *c, struct sl_ctl_result *res, char *err, size_t errlen)
{
	struct sl_ctl_result local;
	struct sl_errs errs;
	struct sl_diff d;
	struct sl_store *s;
	char desc[256];
	int rc;

	struct sl_pfx_job job = {.c = c, .path = c->inet_routes};
	pthread_t th;
	bool threaded = false;
	double t0 = sl_ctl_now(), t_load, t_valid, t_rib;
	double c0 = sl_ctl_cpu(), c_load, c_valid, c_pub;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof(*res));
	pthread_mutex_init(&job.lock, NULL);
	pthread_cond_init(&job.cond, NULL);
	if (c->inet_routes)
		threaded = pthread_create(&th, NULL, sl_pfx_job_run, &job) == 0;
	sl_errs_init(&errs, c->config_path);
	/* the RIB fills from the moment the gateway is parsed (sl_pfx_job) */
	s = sl_ctl_load_unvalidated(c, c->config_path, threaded ? sl_pfx_job_gateway : NULL, &job,
				    &errs);
	t_load = sl_ctl_now();
	c_load = sl_ctl_cpu();
	if (threaded && !job.gw_ready) /* no gateway parsed (or no copy of it) */
		sl_pfx_job_give(&job, s != NULL, s ? s->gateway : NULL);
	if (s && (sl_validate(s, &errs) < 0 || sl_errs_count(&errs) > 0))
		rc = -EINVAL;
	else
		rc = s ? 0 : -EINVAL;
	t_valid = sl_ctl_now();
	c_valid = sl_ctl_cpu();
	if (threaded) {
		pthread_join(th, NULL);
	} else if (c->inet_routes) {
		job.gw_ready = true; /* the job runs here, after the validation */
		job.go = rc == 0;
		job.gw = s ? s->gateway : NULL;
		sl_pfx_job_run(&job);
	}
	t_rib = sl_ctl_now();
	sl_gateway_free(job.gw_copy);
	pthread_mutex_destroy(&job.lock);
	pthread_cond_destroy(&job.cond);
	res->n_errors = sl_errs_count(&errs);
	if (rc < 0) {
		sl_pfx_job_undo(c, &job);
		c->store = NULL;
		sl_store_free(s);
		sl_errs_log(&errs, SL_LOG_ERROR);
		snprintf(err, errlen, "%s: %u error(s)%s%s", c->config_path, res->n_errors,
			 errs.n ? ", first: " : "", errs.n ? errs.v[0].msg : "");
		sl_errs_free(&errs);
		sl_pfx_free(&job.l);
		return -EINVAL;
	}
	c->store = s;
	sl_errs_free(&errs);
	rc = sl_store_diff(NULL, c->store, &d);
	if (rc == 0) {
		res->added = d.added;
		res->n_dirty_vpcs = d.n_dirty_vpcs;
	}
	sl_diff_free(&d);
	sl_ctl_describe_store(c->store, desc, sizeof(desc));
	SL_INFO("loaded %s: %s", c->config_path, desc);

	if (c->inet_routes) {
		rc = job.rc;
		sl_pfx_free(&job.l);
		if (rc < 0) {
			snprintf(err, errlen, "%s", job.err);
			return rc;
		}
		SL_INFO("loaded %zu Internet route(s) from %s in %.2f s (with the config)",
			sl_compiler_inet_count(c->comp), c->inet_routes, sl_ctl_now() - t0);
	}
	SL_INFO("start-up: config parse %.2f s%s, store %.2f s, validation %.2f s; prefix file "
		"%.2f s and RIB %.2f s alongside (waited %.2f s for them)",
		sl_cfg_last_load.parse_s,
		sl_cfg_last_load.scanned ? " (route entries scanned)"
		: sl_cfg_last_load.split ? " (in two pieces)"
					 : "",
		sl_cfg_last_load.build_s, t_valid - t_load, job.parse_s, job.apply_s,
		t_rib - t_valid);
	rc = sl_ctl_open_segment(c, err, errlen);
	if (rc < 0)
		return rc;
	sl_compiler_mark_all_dirty(c->comp);
	c_pub = sl_ctl_cpu();
	rc = sl_ctl_publish(c, c->store, res);
	if (rc < 0) {
		snprintf(err, errlen, "publish failed: %s", strerror(-rc));
		return rc;
	}
	sl_log_published("start", res, sl_shm_dp_alive(sl_shm_hdr(c->shm)));
	SL_INFO("start-up CPU seconds: main thread: config %.2f, validation %.2f, first publish "
		"%.2f; prefix thread: file %.2f, RIB %.2f",
		c_load - c0, c_valid - c_load, sl_ctl_cpu() - c_pub, job.parse_cpu, job.apply_cpu);
	sl_ctl_poll(c);
	return 0;
}

int sl_ctl_reload(struct sl_ctl *c, struct sl_ctl_result *res)
{
	struct sl_ctl_result local;
	struct sl_store *s;
	struct sl_errs errs;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof(*res));
	sl_errs_init(&errs, c->config_path);
	s = sl_ctl_build_store(c, c->config_path, &errs);
	res->n_errors = sl_errs_count(&errs);
	if (s == NULL) {
		sl_errs_log(&errs, SL_LOG_ERROR);
		SL_ERR("reload of %s rejected (%u error(s)): keeping generation %" PRIu64
		       " and the objects it carries",
		       c->config_path, res->n_errors, c->shm ? sl_shm_generation(c->shm) : 0);
		sl_errs_free(&errs);
		return -EINVAL;
	}
	sl_errs_free(&errs);
	return sl_ctl_apply(c, s, "reload", res);
}

/* Publish what diff `d` (freed here) says changed in `s`: a new store
 * (`in_place` false: it replaces the live one, or is freed on failure) or
 * the live store itself, changed in place (struct sl_delta). */
static int sl_ctl_apply_diff(struct sl_ctl *c, struct sl_store *s, struct sl_diff *d,
			     const char *what, struct sl_ctl_result *res, bool in_place)
{
	char key[SL_JSL_KEY_MAX];
	char dirty_names[256];
	int rc;

	res->added = d->added;
	res->removed = d->removed;
	res->changed = d->changed;
	res->unchanged = d->unchanged;
	res->n_dirty_vpcs = d->n_dirty_vpcs;
	if (d->added + d->removed + d->changed == 0 && !d->inet_dirty) {
		SL_INFO("%s: %s unchanged (%u object(s)), nothing to publish", what,
			strcmp(what, "reload") == 0 ? c->config_path : "state", d->unchanged);
		sl_diff_free(d);
		if (!in_place) {
			sl_ctl_retire(c, c->store);
			c->store = s; /* same content, carried status */
		}
		return 0;
	}
	/* The dirty VPC ids also go into the summary line (the first few), so
	 * an operator sees which tables a reload touched. */
	dirty_names[0] = '\0';
	key[0] = '\0';
	for (void *x = sl_jsl_first(d->dirty_vpcs, key); x; x = sl_jsl_next(d->dirty_vpcs, key)) {
		size_t used = strlen(dirty_names);

		if (sl_compiler_mark_dirty(c->comp, key) < 0)
			sl_compiler_mark_all_dirty(c->comp);
		if (used + strlen((const char *)key) + 6 < sizeof(dirty_names))
			snprintf(dirty_names + used, sizeof(dirty_names) - used, "%s%s",
				 used ? ", " : ": ", (const char *)key);
		else if (used + 6 < sizeof(dirty_names) && !strstr(dirty_names, ", ..."))
			snprintf(dirty_names + used, sizeof(dirty_names) - used, ", ...");
	}
	if (d->inet_dirty)
		sl_compiler_mark_inet_dirty(c->comp);
	sl_diff_free(d);

	rc = sl_ctl_publish(c, s, res);
	if (rc < 0) {
		SL_ERR("%s not applied: keeping the current state (generation %" PRIu64 ")", what,
		       c->shm ? sl_shm_generation(c->shm) : 0);
		if (!in_place)
			sl_store_free(s);
		return rc;
	}
	if (!in_place) {
		sl_ctl_retire(c, c->store);
		c->store = s;
	}
	SL_INFO("%s: %u added, %u removed, %u changed, %u unchanged; %u dirty VPC(s)%s", what,
		res->added, res->removed, res->changed, res->unchanged, res->n_dirty_vpcs,
		dirty_names);
	sl_log_published(what, res, sl_shm_dp_alive(sl_shm_hdr(c->shm)));
	sl_ctl_poll(c);
	return 0;
}

int sl_ctl_apply(struct sl_ctl *c, struct sl_store *s, const char *what, struct sl_ctl_result *res)
{
	struct sl_ctl_result local;
	struct sl_diff d;
	int rc;

	if (res == NULL) {
		res = &local;
		memset(res, 0, sizeof(*res));
	}
	rc = sl_store_diff(c->store, s, &d);
	if (rc < 0) {
		SL_ERR("%s: out of memory while comparing", what);
		sl_diff_free(&d);
		sl_store_free(s);
		return rc;
	}
	return sl_ctl_apply_diff(c, s, &d, what, res, false);
}

int sl_ctl_apply_delta(struct sl_ctl *c, struct sl_delta *dl, const char *what,
		       struct sl_ctl_result *res)
{
	struct sl_ctl_result local;
	struct sl_diff d;

	if (res == NULL) {
		res = &local;
		memset(res, 0, sizeof(*res));
	}
	if (sl_delta_keep(dl, &d) < 0) {
		SL_ERR("%s: out of memory while comparing: recompiling every table", what);
		sl_compiler_mark_all_dirty(c->comp);
	}
	return sl_ctl_apply_diff(c, c->store, &d, what, res, true);
}

/* Left-right catch-up: once every reader acknowledged the new generation,
 * the other bank is idle; replay the changes it misses now, off the path of
 * the next publish, which then only writes its own changes. */
static void sl_ctl_sync_idle_bank(struct sl_ctl *c)
{
	unsigned int b;
	void *bank = sl_shm_idle_bank(c->shm, &b);
	int rc;

	if (bank == NULL || !sl_compile_bank_dirty(c->comp, b))
		return;
	rc = sl_compile_sync_bank(c->comp, b, bank, sl_shm_bank_size(c->shm));
	if (rc < 0)
		SL_WARN("bringing idle bank %u up to date failed (%s): the next publish "
			"rewrites it",
			b, strerror(-rc));
}

unsigned int sl_ctl_poll(struct sl_ctl *c)
{
	struct sl_ack_arg a = {0};

	if (c->store == NULL || c->shm == NULL)
		return 0;
	a.acked = sl_shm_acked(c->shm, NULL);
	if (c->last_gen && a.acked >= c->last_gen)
		sl_ctl_sync_idle_bank(c); /* nothing to do unless it is behind */
	/* no object waits, or no new acknowledgement since the last look:
	 * a walk would find nothing new */
	if (c->pending_gen == 0)
		return 0;
	if (a.acked <= c->acked_seen)
		return 1;
	c->acked_seen = a.acked;
	sl_ctl_foreach_pending(c->store, sl_ack, &a);
	if (a.acked >= c->pending_gen) {
		SL_DEBUG("generation %" PRIu64 " acknowledged: %u object(s) now Available",
			 c->pending_gen, a.became_available);
		c->pending_gen = 0;
	}
	return c->pending_gen ? (a.still_pending ? a.still_pending : 1) : a.still_pending;
}

static void sl_unstamp(struct sl_obj_state *st, const char *what, const char *id, void *arg)
{
	(void)what;
	(void)id;
	/* a new segment carries nothing yet: everything waits for the new
	 * generation's acknowledgement again */
	st->status = SL_STATUS_PENDING;
	st->generation = 0;
	sl_store_pending_add(arg, st);
}

int sl_ctl_check_trunks(struct sl_ctl *c)
{
	const struct sl_stats_header *st;
	unsigned int inside = 0, trunks;
	uint64_t s1;

	if (c->shm == NULL || c->store == NULL || !sl_shm_dp_alive(sl_shm_hdr(c->shm)))
		return -1;
	st = sl_shm_stats(sl_shm_hdr(c->shm));
	if (*(const volatile uint64_t *)&st->magic != SL_STATS_MAGIC)
		return -1;
	/* the port snapshot is sluice-dp's, under the stats area's seq */
	s1 = atomic_load_explicit(&st->seq, memory_order_acquire);
	if (s1 & 1)
		return -1;
	for (unsigned int i = 0; i < st->n_ports && i < SL_MAX_PORTS; i++)
		inside += st->port[i].role == SL_ROLE_INSIDE;
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&st->seq, memory_order_relaxed) != s1 || st->n_ports == 0)
		return -1;
	trunks = sl_store_trunks(c->store);
	if (inside == trunks) {
		c->trunks_warned = -1;
		return 0;
	}
	if (c->trunks_warned != (int)inside)
		SL_WARN("sluice-dp has %u inside port(s) but Gateway.Inside.Trunks is %u: VPCs on "
			"a trunk without a port are dropped (no_port); give sluice-dp one inside "
			"port per trunk or change Trunks",
			inside, trunks);
	c->trunks_warned = (int)inside;
	return 1;
}

int sl_ctl_check_segment(struct sl_ctl *c)
{
	struct sl_ctl_result res;
	char err[512];
	int rc;

	if (c->store == NULL || (c->shm && !sl_shm_writer_replaced(c->shm)))
		return 0;
	if (c->shm) {
		SL_WARN("segment %s was removed or replaced: creating it again and republishing",
			c->segment_path);
		sl_shm_close(c->shm);
		c->shm = NULL;
	}
	rc = sl_ctl_open_segment(c, err, sizeof(err));
	if (rc < 0) {
		if (!c->segment_error_logged)
			SL_ERR("%s (retrying every second)", err);
		c->segment_error_logged = true;
		return rc;
	}
	c->segment_error_logged = false;
	memset(&res, 0, sizeof(res));
	c->store->pending.n = 0;
	c->store->pending_all = false;
	c->acked_seen = 0; /* the new segment counts its generations from 1 again */
	sl_store_foreach_state(c->store, sl_unstamp, c->store);
	sl_compiler_mark_all_dirty(c->comp);
	rc = sl_ctl_publish(c, c->store, &res);
	if (rc == 0)
		sl_log_published("segment recreated", &res, sl_shm_dp_alive(sl_shm_hdr(c->shm)));
	return rc;
}

/* ---- the route source ---------------------------------------------------------- */

int sl_ctl_inet_set(struct sl_ctl *c, const struct sl_pfx *p, const struct sl_pfx *via)
{
	const struct sl_gateway_obj *g = c->store ? c->store->gateway : NULL;
	struct sl_nexthop nh;
	int rc;

	if (p->family != via->family || (p->family != SL_AF_INET && p->family != SL_AF_INET6))
		return -EINVAL;
	rc = sl_compile_inet_nexthop(g, via, "RouteSource", &nh);
	if (rc < 0)
		return rc;
	rc = sl_compiler_inet_set(c->comp, p, &nh);
	if (rc == 0)
		c->n_uncommitted++;
	return rc;
}

int sl_ctl_inet_set_group(struct sl_ctl *c, const struct sl_pfx *p, const struct sl_pfx *via,
			  const uint16_t *weight, unsigned int n)
{
	const struct sl_gateway_obj *g = c->store ? c->store->gateway : NULL;
	struct sl_nexthop nh[SL_NHG_MAX];
	int rc;

	if (n == 0 || n > SL_NHG_MAX ||
	    (p->family != SL_AF_INET && p->family != SL_AF_INET6))
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		if (via[i].family != p->family || weight[i] == 0)
			return -EINVAL;
		rc = sl_compile_inet_nexthop(g, &via[i], "RouteSource", &nh[i]);
		if (rc < 0)
			return rc;
	}
	rc = sl_compiler_inet_set_group(c->comp, p, nh, weight, n);
	if (rc == 0)
		c->n_uncommitted++;
	return rc;
}

int sl_ctl_inet_del(struct sl_ctl *c, const struct sl_pfx *p)
{
	int rc = sl_compiler_inet_del(c->comp, p);

	if (rc == 0)
		c->n_uncommitted++;
	return rc;
}

int sl_ctl_commit(struct sl_ctl *c, const char *what, struct sl_ctl_result *res)
{
	struct sl_ctl_result local;
	int rc;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof(*res));
	if (c->n_uncommitted == 0 || c->store == NULL)
		return 0;
	rc = sl_ctl_publish_x(c, c->store, true, res);
	if (rc < 0) {
		SL_ERR("%s: %u route change(s) not published (%s); they stay pending", what,
		       c->n_uncommitted, strerror(-rc));
		return rc;
	}
	SL_DEBUG("%s: %u route change(s) in generation %" PRIu64, what, c->n_uncommitted,
		 res->generation);
	c->n_uncommitted = 0;
	sl_ctl_poll(c);
	return 0;
}

/* The config's default route via of a family, for prefix files without
 * next hops. */
static const struct sl_pfx *sl_ctl_default_via(const struct sl_gateway_obj *g, uint8_t family)
{
	for (unsigned int i = 0; g && i < g->n_routes; i++)
		if (g->routes[i].dest.family == family && g->routes[i].dest.len == 0)
			return &g->routes[i].via;
	return NULL;
}

/* Give the prefixes of `l` (next-hop numbers 0..15 from the file loader) to
 * the route source: vias of the prefix's family by that number, or the
 * config's default route of that family. */
static int sl_ctl_inet_apply_list(struct sl_ctl *c, const struct sl_gateway_obj *g,
				  const char *path, struct sl_pfxlist *l, const struct sl_pfx *vias,
				  unsigned int n_vias, char *err, size_t errlen)
{
	const struct sl_pfx *v4[16], *v6[16];
	struct sl_nexthop nh4[16], nh6[16];
	int nh_rc4[16], nh_rc6[16];
	unsigned int n4 = 0, n6 = 0;
	int rc = 0;

	for (unsigned int i = 0; i < n_vias; i++) {
		if (vias[i].family == SL_AF_INET && n4 < 16)
			v4[n4++] = &vias[i];
		else if (vias[i].family == SL_AF_INET6 && n6 < 16)
			v6[n6++] = &vias[i];
	}
	if (n4 == 0 && (v4[0] = sl_ctl_default_via(g, SL_AF_INET)) != NULL)
		n4 = 1;
	if (n6 == 0 && (v6[0] = sl_ctl_default_via(g, SL_AF_INET6)) != NULL)
		n6 = 1;
	if ((l->n4 && n4 == 0) || (l->n6 && n6 == 0)) {
		snprintf(err, errlen,
			 "%s has IPv%d prefixes but there is no IPv%d next hop: give one with "
			 "--inet-via or a default route in the config",
			 path, l->n4 && n4 == 0 ? 4 : 6, l->n4 && n4 == 0 ? 4 : 6);
		return -EINVAL;
	}
	/* what sl_ctl_inet_set() does per prefix, with each via's next hop
	 * made once (a million prefixes share at most 32 of them) */
	for (unsigned int k = 0; k < n4; k++)
		nh_rc4[k] = v4[k]->family != SL_AF_INET
				? -EINVAL
				: sl_compile_inet_nexthop(g, v4[k], "RouteSource", &nh4[k]);
	for (unsigned int k = 0; k < n6; k++)
		nh_rc6[k] = v6[k]->family != SL_AF_INET6
				? -EINVAL
				: sl_compile_inet_nexthop(g, v6[k], "RouteSource", &nh6[k]);
	for (size_t i = 0; i < l->n4 && rc == 0; i++) {
		struct sl_pfx p = {.addr = l->v4[i].addr, .len = l->v4[i].len, .family = SL_AF_INET};
		unsigned int k = l->v4[i].nh % n4;

		rc = nh_rc4[k] < 0 ? nh_rc4[k] : sl_compiler_inet_set(c->comp, &p, &nh4[k]);
		if (rc == 0)
			c->n_uncommitted++;
	}
	for (size_t i = 0; i < l->n6 && rc == 0; i++) {
		struct sl_pfx p = {.addr = sl_addr_from_bytes(SL_AF_INET6, l->v6[i].addr),
				   .len = l->v6[i].len,
				   .family = SL_AF_INET6};
		unsigned int k = l->v6[i].nh % n6;

		rc = nh_rc6[k] < 0 ? nh_rc6[k] : sl_compiler_inet_set(c->comp, &p, &nh6[k]);
		if (rc == 0)
			c->n_uncommitted++;
	}
	if (rc < 0)
		snprintf(err, errlen, "%s: %s (is every --inet-via on an outside subnet?)", path,
			 strerror(-rc));
	return rc;
}

int sl_ctl_inet_load(struct sl_ctl *c, const char *path, const struct sl_pfx *vias,
		     unsigned int n_vias, char *err, size_t errlen)
{
	struct sl_pfxlist l;
	int rc;

	memset(&l, 0, sizeof(l));
	/* next hop numbers 0..15: an index into the family's vias */
	rc = sl_pfx_load(path, 16, &l, err, errlen);
	if (rc == 0)
		rc = sl_ctl_inet_apply_list(c, c->store ? c->store->gateway : NULL, path, &l, vias,
					    n_vias, err, errlen);
	sl_pfx_free(&l);
	return rc;
}

/* ---- one-shot entry point -------------------------------------------------- */

struct sl_oneshot_wait {
	unsigned int rounds;
};

static bool sl_oneshot_keep_waiting(void *arg)
{
	struct sl_oneshot_wait *w = arg;

	return ++w->rounds < 10;
}

int sl_ctl_publish_file(const char *config_path, const char *segment_path, uint64_t bank_size,
			char *err, size_t errlen)
{
	struct sl_ctl_opts o = {
	    .config_path = config_path,
	    .segment_path = segment_path,
	    .bank_size = bank_size,
	    .bank_size_explicit = false,
	};
	struct sl_oneshot_wait wait = {0};
	struct sl_ctl_result res;
	struct sl_ctl *c;
	char lerr[512] = "";
	int rc;

	if (err == NULL || errlen == 0) {
		err = lerr;
		errlen = sizeof(lerr);
	}
	err[0] = '\0';
	c = sl_ctl_new(&o);
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	sl_ctl_set_keep_waiting(c, sl_oneshot_keep_waiting, &wait);
	rc = sl_ctl_start(c, &res, err, errlen);
	if (rc == 0 && sl_shm_dp_alive(sl_shm_hdr(c->shm))) {
		if (sl_shm_wait_acked(c->shm, res.generation, 10000) < 0)
			SL_WARN("sluice-dp did not acknowledge generation %" PRIu64 " within 10 s",
				res.generation);
		sl_ctl_poll(c);
	}
	if (rc == -ENOSPC)
		snprintf(err, errlen,
			 "the tables need %" PRIu64 " bytes, more than a bank of the segment "
			 "holds: stop sluice-dp, remove the segment and use a bigger bank size",
			 res.cs.bytes);
	sl_ctl_free(c);
	return rc;
}
