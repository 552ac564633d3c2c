/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Differential test of the incremental candidate (api_mut_delta.c) against
 * the full one (sl_ctl_build_store()): random batches of creates, deletes
 * and modifications of VPCs, VSwitches, instances and route entries across
 * VPCs, many of which must be refused (VLAN and CIDR clashes, addresses
 * outside their VSwitch or reserved or taken, deletions with dependents,
 * unknown parents, malformed names, quotas of route entries, next hops in
 * another VPC). For each batch:
 *   - the incremental path accepts it exactly when the full build does
 *     (every batch here is one it may take: only database objects of its
 *     four kinds, nothing of the NAT, IPv6 gateway or HaVip slices);
 *   - accepted, written and published in place, the live store equals a
 *     full build of the database (objects, content, file order, per-VPC
 *     indexes, resolved references, route tables, VLANs), and the change
 *     counts and dirty VPCs are those of the full diff;
 *   - refused (or accepted and then abandoned, as when the COMMIT fails),
 *     the live store is exactly as before.
 * A refused batch is always answered from the full build, so its error
 * codes are the full build's by construction (api_mut_test checks them).
 * SL_DELTA_SEED=N replays a seed; SL_DELTA_ROUNDS=N sets the batch count.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sl_api_mut.h"
#include "sl_api_mut_int.h"
#include "sl_ctl.h"
#include "sl_db.h"
#include "sl_judy.h"
#include "sl_shm_writer.h"
#include "sl_test_util.h"

struct fix {
	char dir[64];
	char db_path[96];
	char seg_path[96];
	struct sl_db *db;
	struct sl_ctl *ctl;
	struct sl_api_mut m;
	uint64_t rng;
	unsigned int next_id;
};

/* The config file as a full candidate that validated read it (what
 * api_mut.c records): the incremental path requires it unchanged. */
static void seen_file(struct fix *f)
{
	struct stat st;

	assert_int_equal(stat(f->m.config_path, &st), 0);
	f->m.cfg_seen = (struct sl_cfg_seen){.valid = true,
					     .dev = st.st_dev,
					     .ino = st.st_ino,
					     .size = st.st_size,
					     .mtime = st.st_mtim};
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct sl_ctl_opts o = {
	    .config_path = sl_t_demo_path(), .bank_size = 4 << 20, .bank_size_explicit = true};
	char err[512];

	snprintf(f->dir, sizeof(f->dir), "/tmp/sl_api_mut_delta_test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db_path, sizeof(f->db_path), "%s/sluiced.db", f->dir);
	snprintf(f->seg_path, sizeof(f->seg_path), "%s/segment", f->dir);
	o.segment_path = f->seg_path;
	f->db = sl_db_open(f->db_path, err, sizeof(err));
	assert_non_null(f->db);
	f->ctl = sl_ctl_new(&o);
	assert_non_null(f->ctl);
	sl_ctl_set_source(f->ctl, sl_db_source, f->db);
	assert_int_equal(sl_ctl_start(f->ctl, NULL, err, sizeof(err)), 0);
	f->m = (struct sl_api_mut){.ctl = f->ctl, .db = f->db, .config_path = sl_t_demo_path()};
	seen_file(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char cmd[128];

	sl_ctl_free(f->ctl);
	sl_db_close(f->db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static uint64_t seed;

static unsigned int rnd(struct fix *f, unsigned int n)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return (unsigned int)(f->rng % n);
}

/* ---- comparing two stores ---------------------------------------------------- */

#define CHECK(cond, fmt, ...)                                                                      \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fail_msg("seed %llu: " fmt, (unsigned long long)seed, ##__VA_ARGS__);      \
	} while (0)

static const char *oid(const void *o, size_t off)
{
	return o ? (const char *)o + off : "(none)";
}

#define VPC_ID(v) oid((v), offsetof(struct sl_vpc_obj, id))
#define VSW_ID(w) oid((w), offsetof(struct sl_vswitch_obj, id))
#define INST_ID(i) oid((i), offsetof(struct sl_instance_obj, id))

static void same_jsl(Pcvoid_t a, Pcvoid_t b, size_t off, const char *what, const char *vpc)
{
	char ka[SL_JSL_KEY_MAX] = "", kb[SL_JSL_KEY_MAX] = "";
	void *x = sl_jsl_first(a, ka), *y = sl_jsl_first(b, kb);

	for (; x || y; x = sl_jsl_next(a, ka), y = sl_jsl_next(b, kb)) {
		CHECK(x && y, "%s of %s: %s in one store only", what, vpc, x ? ka : kb);
		CHECK(strcmp(ka, kb) == 0, "%s of %s: %s vs %s", what, vpc, ka, kb);
		CHECK(strcmp(oid(x, off), oid(y, off)) == 0, "%s of %s, %s: %s vs %s", what, vpc,
		      ka, oid(x, off), oid(y, off));
	}
}

/* `a` (the live store) equals `b` (a full build of the same state): every
 * object, its content, its place in file order, its resolved references
 * and the indexes validation fills. `b` is changed (states carried). */
static void same_store(const struct sl_store *a, struct sl_store *b)
{
	const struct sl_objvec *va[] = {&a->vpc_v, &a->vswitch_v, &a->instance_v, &a->route_v};
	const struct sl_objvec *vb[] = {&b->vpc_v, &b->vswitch_v, &b->instance_v, &b->route_v};
	struct sl_diff d;
	Word_t w1 = 0, w2 = 0;
	int r1, r2;

	assert_int_equal(sl_store_diff(a, b, &d), 0);
	CHECK(d.added + d.removed + d.changed == 0,
	      "stores differ: %u added, %u removed, %u changed", d.added, d.removed, d.changed);
	sl_diff_free(&d);
	for (int k = 0; k < SL_OK_N; k++) {
		CHECK(va[k]->n == vb[k]->n, "kind %d: %u vs %u objects", k, va[k]->n, vb[k]->n);
		for (unsigned int i = 0; i < va[k]->n; i++)
			CHECK(strcmp(sl_okind_id(k, va[k]->v[i]), sl_okind_id(k, vb[k]->v[i])) == 0,
			      "kind %d, #%u: %s vs %s (file order)", k, i,
			      sl_okind_id(k, va[k]->v[i]), sl_okind_id(k, vb[k]->v[i]));
	}
	for (unsigned int i = 0; i < a->vpc_v.n; i++) {
		const struct sl_vpc_obj *x = a->vpc_v.v[i], *y = b->vpc_v.v[i];
		Word_t ia = 0, ib = 0;
		void *pa = sl_jl_first(x->inst4, &ia), *pb = sl_jl_first(y->inst4, &ib);

		CHECK(x->n_vswitches == y->n_vswitches && x->n_instances == y->n_instances &&
			  x->n_routes == y->n_routes,
		      "%s: counts %u/%u/%u vs %u/%u/%u", x->id, x->n_vswitches, x->n_instances,
		      x->n_routes, y->n_vswitches, y->n_instances, y->n_routes);
		CHECK((x->region == NULL) == (y->region == NULL), "%s: region", x->id);
		same_jsl(x->vswitches, y->vswitches, offsetof(struct sl_vswitch_obj, id),
			 "VSwitches", x->id);
		same_jsl(x->instances, y->instances, offsetof(struct sl_instance_obj, id),
			 "instances", x->id);
		same_jsl(x->routes, y->routes, offsetof(struct sl_route_obj, key), "routes", x->id);
		for (; pa || pb; pa = sl_jl_next(x->inst4, &ia), pb = sl_jl_next(y->inst4, &ib))
			CHECK(pa && pb && ia == ib && strcmp(INST_ID(pa), INST_ID(pb)) == 0,
			      "%s: IPv4 address index", x->id);
	}
	/* each instance found by its addresses in its VPC (JudyHS has no walk) */
	for (unsigned int i = 0; i < a->instance_v.n; i++) {
		const struct sl_instance_obj *x = a->instance_v.v[i];
		const struct sl_vpc_obj *v = x->vswitch ? x->vswitch->vpc : NULL;

		CHECK(v && sl_vpc_instance_by_addr(v, SL_AF_INET, x->ip4.addr) == x &&
			  (!x->ip6.family ||
			   sl_vpc_instance_by_addr(v, SL_AF_INET6, x->ip6.addr) == x),
		      "%s: not found by its addresses", x->id);
	}
	for (unsigned int i = 0; i < a->vswitch_v.n; i++) {
		const struct sl_vswitch_obj *x = a->vswitch_v.v[i], *y = b->vswitch_v.v[i];

		CHECK(strcmp(VPC_ID(x->vpc), VPC_ID(y->vpc)) == 0 &&
			  (x->zone == NULL) == (y->zone == NULL),
		      "%s: references", x->id);
	}
	for (unsigned int i = 0; i < a->instance_v.n; i++) {
		const struct sl_instance_obj *x = a->instance_v.v[i], *y = b->instance_v.v[i];

		CHECK(strcmp(VSW_ID(x->vswitch), VSW_ID(y->vswitch)) == 0, "%s: VSwitch", x->id);
	}
	for (unsigned int i = 0; i < a->route_v.n; i++) {
		const struct sl_route_obj *x = a->route_v.v[i], *y = b->route_v.v[i];

		CHECK(strcmp(VPC_ID(x->vpc), VPC_ID(y->vpc)) == 0 &&
			  strcmp(INST_ID(x->instance), INST_ID(y->instance)) == 0,
		      "%s: references", x->key);
	}
	same_jsl(a->route_tables, b->route_tables, offsetof(struct sl_vpc_obj, id), "route tables",
		 "the store");
	for (r1 = sl_j1_first(a->vlans, &w1), r2 = sl_j1_first(b->vlans, &w2); r1 == 1 || r2 == 1;
	     r1 = sl_j1_next(a->vlans, &w1), r2 = sl_j1_next(b->vlans, &w2))
		CHECK(r1 == 1 && r2 == 1 && w1 == w2, "VLAN keys differ");
}

/* A full build of what the database holds now (nothing staged visible). */
static struct sl_store *full_build(struct fix *f, bool staged)
{
	struct sl_errs errs;
	struct sl_store *s;

	sl_errs_init(&errs, "test");
	sl_db_overlay_visible(f->db, staged);
	s = sl_ctl_build_store(f->ctl, sl_t_demo_path(), &errs);
	sl_db_overlay_visible(f->db, false);
	sl_errs_free(&errs);
	return s;
}

static void all_available(struct sl_obj_state *st, const char *what, const char *id, void *arg)
{
	(void)arg;
	CHECK(st->status == SL_STATUS_AVAILABLE, "%s %s is %s", what, id,
	      sl_status_name(st->status));
}

/* ---- random batches ---------------------------------------------------------- */

/* A random object of kind k from the database (NULL if none). */
static void *pick(struct fix *f, enum sl_okind k)
{
	const struct sl_store *s = sl_ctl_store(f->ctl);
	const struct sl_objvec *v = k == SL_OK_VPC	  ? &s->vpc_v
				    : k == SL_OK_VSWITCH  ? &s->vswitch_v
				    : k == SL_OK_INSTANCE ? &s->instance_v
							  : &s->route_v;
	unsigned int n = sl_store_count_from_db(s, k);

	return n ? v->v[v->n - n + rnd(f, n)] : NULL;
}

struct batch {
	json_t *keys; /* kind:id staged in this batch */
	unsigned int n_vpcs, n_vsws;
	struct {
		char id[32], rtb[32];
		unsigned int octet;
		bool v6;
	} vpcs[8];
	struct {
		char id[32];
		unsigned int octet, third;
		bool v6;
	} vsws[8];
};

static bool claim(struct batch *b, enum sl_okind k, const char *id)
{
	char key[SL_JSL_KEY_MAX];

	snprintf(key, sizeof(key), "%d:%s", (int)k, id);
	if (json_object_get(b->keys, key))
		return false;
	json_object_set_new(b->keys, key, json_true());
	return true;
}

static const enum sl_cfg_kind cfg_of[] = {SL_CFG_VPC, SL_CFG_VSWITCH, SL_CFG_INSTANCE,
					  SL_CFG_ROUTE};

static void put(struct fix *f, struct batch *b, enum sl_okind k, const char *id, json_t *body)
{
	assert_non_null(body);
	if (claim(b, k, id))
		assert_int_equal(sl_db_stage_put(f->db, cfg_of[k], id, body, 1700000000), 0);
	json_decref(body);
}

static void del(struct fix *f, struct batch *b, enum sl_okind k, const char *id)
{
	if (claim(b, k, id))
		assert_int_equal(sl_db_stage_del(f->db, cfg_of[k], id), 0);
}

/* The committed body of `id` with `key` set to `val`. */
static void modify(struct fix *f, struct batch *b, enum sl_okind k, const char *id, const char *key,
		   const char *val)
{
	json_t *body = json_deep_copy(sl_db_get(f->db, cfg_of[k], id));

	if (key)
		json_object_set_new(body, key, json_string(val));
	put(f, b, k, id, body);
}

/* One random operation; most are valid, many are not. */
static void random_op(struct fix *f, struct batch *b)
{
	const struct sl_store *s = sl_ctl_store(f->ctl);
	struct sl_vpc_obj *v = pick(f, SL_OK_VPC);
	struct sl_vswitch_obj *w = pick(f, SL_OK_VSWITCH);
	struct sl_instance_obj *in = pick(f, SL_OK_INSTANCE);
	struct sl_route_obj *r = pick(f, SL_OK_ROUTE);
	char id[32], rtb[32], cidr[48], name[32];
	unsigned int op = rnd(f, 100), n = f->next_id++;

	(void)s;
	if (op < 10 && b->n_vpcs < 8) { /* CreateVpc: VLAN clashes now and then */
		unsigned int o = rnd(f, 8);
		bool v6 = rnd(f, 2);
		json_t *body;

		snprintf(id, sizeof(id), "vpc-t%u", n);
		snprintf(rtb, sizeof(rtb), "vtb-t%u", n);
		snprintf(cidr, sizeof(cidr), "10.%u.0.0/16", o);
		snprintf(name, sizeof(name), rnd(f, 15) ? "net%u" : "%ubad", n);
		body = json_pack("{s:s,s:s,s:s,s:s,s:i,s:s}", "VpcId", id, "RegionId",
				 "cn-hangzhou", "CidrBlock", cidr, "RouteTableId", rtb, "VlanId",
				 v && !rnd(f, 8) ? v->vlan : (int)(300 + rnd(f, 3000)), "VpcName",
				 name);
		snprintf(cidr, sizeof(cidr), "fd00:%u::/56", o);
		if (v6)
			json_object_set_new(body, "Ipv6CidrBlock", json_string(cidr));
		put(f, b, SL_OK_VPC, id, body);
		b->vpcs[b->n_vpcs].v6 = v6;
		snprintf(b->vpcs[b->n_vpcs].id, sizeof(b->vpcs[0].id), "%s", id);
		snprintf(b->vpcs[b->n_vpcs].rtb, sizeof(b->vpcs[0].rtb), "%s", rtb);
		b->vpcs[b->n_vpcs++].octet = o;
	} else if (op < 25 && b->n_vsws < 8) { /* CreateVSwitch, in an old or a new VPC */
		const char *vpc = NULL;
		unsigned int o = 0, third = rnd(f, 12);
		bool v6 = false;
		json_t *body;

		if (b->n_vpcs && rnd(f, 3) == 0) {
			unsigned int j = rnd(f, b->n_vpcs);

			vpc = b->vpcs[j].id;
			o = b->vpcs[j].octet;
			v6 = b->vpcs[j].v6 && rnd(f, 4);
		} else if (v && v->cidr.family == SL_AF_INET) {
			vpc = v->id;
			o = (unsigned int)(v->cidr.addr >> 16) & 255;
			v6 = v->cidr6.family && rnd(f, 4);
		}
		if (vpc == NULL)
			return;
		if (rnd(f, 20) == 0)
			o = (o + 1) % 256; /* outside the VPC */
		snprintf(id, sizeof(id), "vsw-t%u", n);
		snprintf(cidr, sizeof(cidr), "10.%u.%u.0/24", o, third);
		body = json_pack("{s:s,s:s,s:s,s:s}", "VSwitchId", id, "VpcId", vpc, "ZoneId",
				 rnd(f, 30) ? "cn-hangzhou-a" : "cn-nowhere-z", "CidrBlock", cidr);
		snprintf(cidr, sizeof(cidr), "fd00:%u:0:%u::/64", o, third);
		if (v6)
			json_object_set_new(body, "Ipv6CidrBlock", json_string(cidr));
		put(f, b, SL_OK_VSWITCH, id, body);
		b->vsws[b->n_vsws].v6 = v6;
		snprintf(b->vsws[b->n_vsws].id, sizeof(b->vsws[0].id), "%s", id);
		b->vsws[b->n_vsws].octet = o;
		b->vsws[b->n_vsws++].third = third;
	} else if (op < 55) { /* CreateSluiceInstance: reserved or taken addresses too */
		const char *vsw = NULL;
		char ip[32], ip6[64] = "";
		json_t *body;

		if (b->n_vsws && rnd(f, 4) == 0) {
			unsigned int j = rnd(f, b->n_vsws);

			vsw = b->vsws[j].id;
			snprintf(ip, sizeof(ip), "10.%u.%u.%u", b->vsws[j].octet, b->vsws[j].third,
				 rnd(f, 256));
			if (b->vsws[j].v6 && rnd(f, 4))
				snprintf(ip6, sizeof(ip6), "fd00:%u:0:%u::%x", b->vsws[j].octet,
					 b->vsws[j].third, rnd(f, 512));
		} else if (w && w->cidr.family == SL_AF_INET) {
			uint32_t a = (uint32_t)w->cidr.addr;

			vsw = rnd(f, 25) ? w->id : "vsw-none";
			snprintf(ip, sizeof(ip), "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
				 (a >> 8) & 255, rnd(f, 256));
			if (w->cidr6.family && rnd(f, 4)) {
				char net[SL_PFX_STRLEN];

				sl_pfx_fmt(&w->cidr6, net, sizeof(net));
				*strchr(net, '/') = '\0';
				snprintf(ip6, sizeof(ip6), "%s%x", net, 1 + rnd(f, 512));
			}
		}
		if (vsw == NULL)
			return;
		snprintf(id, sizeof(id), "i-t%u", n);
		body = json_pack("{s:s,s:s,s:s}", "InstanceId", id, "VSwitchId", vsw,
				 "PrivateIpAddress", ip);
		if (ip6[0])
			json_object_set_new(body, "Ipv6Address", json_string(ip6));
		put(f, b, SL_OK_INSTANCE, id, body);
	} else if (op < 65) { /* CreateRouteEntry: the next hop may be in another VPC */
		char key[SL_JSL_KEY_MAX];
		const char *table = NULL;

		if (b->n_vpcs && rnd(f, 5) == 0)
			table = b->vpcs[rnd(f, b->n_vpcs)].rtb;
		else if (v)
			table = v->route_table_id;
		if (v && !b->n_vpcs && rnd(f, 5)) { /* mostly a next hop of the same VPC */
			char k2[SL_JSL_KEY_MAX] = "";
			unsigned int skip = v->n_instances ? rnd(f, v->n_instances) : 0;

			for (void *x = sl_jsl_first(v->instances, k2); x;
			     x = sl_jsl_next(v->instances, k2))
				if (skip-- == 0) {
					in = x;
					break;
				}
		}
		if (table == NULL || in == NULL)
			return;
		snprintf(cidr, sizeof(cidr), "172.%u.%u.0/24", 16 + rnd(f, 2), rnd(f, 8));
		snprintf(key, sizeof(key), "%s:%s", table, cidr);
		put(f, b, SL_OK_ROUTE, key,
		    json_pack("{s:s,s:s,s:s,s:s}", "RouteTableId", table, "DestinationCidrBlock",
			      cidr, "NextHopType", "Instance", "NextHopId", in->id));
	} else if (op < 75) { /* delete an instance (maybe a route's next hop) */
		if (in)
			del(f, b, SL_OK_INSTANCE, in->id);
	} else if (op < 78) { /* delete a route entry */
		if (r)
			del(f, b, SL_OK_ROUTE, r->key);
	} else if (op < 80) { /* ModifyRouteEntry: another next hop, maybe elsewhere */
		if (r && in)
			modify(f, b, SL_OK_ROUTE, r->key, "NextHopId", in->id);
	} else if (op < 85) { /* delete a VSwitch (maybe with instances) */
		if (w)
			del(f, b, SL_OK_VSWITCH, w->id);
	} else if (op < 88) { /* delete a VPC (maybe with VSwitches) */
		if (v)
			del(f, b, SL_OK_VPC, v->id);
	} else if (op < 94) { /* ModifyVpcAttribute: a name, sometimes malformed */
		snprintf(name, sizeof(name), rnd(f, 10) ? "renamed%u" : "-%u", n);
		if (v)
			modify(f, b, SL_OK_VPC, v->id, "VpcName", name);
	} else if (op < 98) { /* ModifyVSwitchAttribute */
		snprintf(name, sizeof(name), "about %u", n);
		if (w)
			modify(f, b, SL_OK_VSWITCH, w->id, "Description", name);
	} else if (in) { /* the same content again: no change */
		modify(f, b, SL_OK_INSTANCE, in->id, NULL, NULL);
	}
}

/* The full diff of a batch: committed state -> full candidate. */
struct counts {
	unsigned int added, removed, changed, dirty;
};

static void full_diff(struct fix *f, struct counts *c)
{
	struct sl_store *before = full_build(f, false), *after = full_build(f, true);
	struct sl_diff d;

	assert_non_null(before);
	assert_non_null(after);
	assert_int_equal(sl_store_diff(before, after, &d), 0);
	*c = (struct counts){d.added, d.removed, d.changed, d.n_dirty_vpcs};
	sl_diff_free(&d);
	sl_store_free(before);
	sl_store_free(after);
}

static void check_live(struct fix *f)
{
	struct sl_store *full = full_build(f, false);

	assert_non_null(full);
	same_store(sl_ctl_store(f->ctl), full);
	sl_store_foreach_state(sl_ctl_store(f->ctl), all_available, NULL);
	sl_store_free(full);
}

static void test_random_batches(void **state)
{
	struct fix *f = *state;
	const char *env = getenv("SL_DELTA_SEED");
	unsigned int rounds = getenv("SL_DELTA_ROUNDS") ? atoi(getenv("SL_DELTA_ROUNDS")) : 400;
	unsigned int n_inc = 0, n_refused = 0, n_aborted = 0, n_full = 0;

	seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
	f->rng = seed * 2654435761u + 1;
	print_message("seed %llu (SL_DELTA_SEED to replay)\n", (unsigned long long)seed);
	for (unsigned int round = 0; round < rounds; round++) {
		struct batch b = {.keys = json_object()};
		unsigned int ops = 1 + rnd(f, 6);
		struct sl_mut_delta *md = NULL;
		struct sl_store *cand;
		struct sl_ctl_result res = {0};
		struct counts want;
		char err[256];
		int inc;

		for (unsigned int i = 0; i < ops; i++)
			random_op(f, &b);
		json_decref(b.keys);
		if (!sl_db_staged(f->db))
			continue;
		cand = full_build(f, true);
		if (cand)
			full_diff(f, &want);
		inc = sl_mut_delta_try(&f->m, &md);
		CHECK((inc == 1) == (cand != NULL), "round %u: incremental %s, full build %s",
		      round, inc ? "accepts" : "refuses", cand ? "accepts" : "refuses");
		if (!inc) { /* refused: the live store is untouched */
			sl_store_free(cand);
			sl_db_stage_clear(f->db);
			check_live(f);
			n_refused++;
			continue;
		}
		if (rnd(f, 6) == 0) { /* abandoned (a failed COMMIT, DryRun) */
			sl_mut_delta_abort(&f->m, md);
			sl_store_free(cand);
			sl_db_stage_clear(f->db);
			check_live(f);
			n_aborted++;
			continue;
		}
		assert_int_equal(sl_db_commit(f->db, err, sizeof(err)), 0);
		if (rnd(f, 8) == 0) { /* now and then the full path instead, mixing histories */
			sl_mut_delta_abort(&f->m, md);
			assert_int_equal(sl_ctl_apply(f->ctl, cand, "full", &res), 0);
			n_full++;
		} else {
			sl_store_free(cand);
			assert_int_equal(sl_mut_delta_apply(&f->m, md, "delta", &res), 0);
			CHECK(res.added == want.added && res.removed == want.removed &&
				  res.changed == want.changed && res.n_dirty_vpcs == want.dirty,
			      "round %u: incremental %u/%u/%u/%u, full %u/%u/%u/%u "
			      "(added/removed/changed/dirty VPCs)",
			      round, res.added, res.removed, res.changed, res.n_dirty_vpcs,
			      want.added, want.removed, want.changed, want.dirty);
			n_inc++;
		}
		check_live(f);
	}
	print_message("%u incremental, %u refused, %u abandoned, %u full; %u VPCs, %u instances\n",
		      n_inc, n_refused, n_aborted, n_full, sl_ctl_store(f->ctl)->vpc_v.n,
		      sl_ctl_store(f->ctl)->instance_v.n);
	/* the test must have exercised every outcome */
	assert_true(n_inc > 10 && n_refused > 10 && n_aborted > 0);
}

/* A config file object is never changed in place; a config file changed
 * since the last full candidate, a publish that failed behind a COMMIT and
 * a row written behind the live store's back turn the incremental path
 * off. */
static void test_not_in_place(void **state)
{
	struct fix *f = *state;
	struct sl_mut_delta *md = NULL;
	json_t *body = json_pack("{s:s,s:s,s:s}", "InstanceId", "i-x0", "VSwitchId", "vsw-a1",
				 "PrivateIpAddress", "192.168.1.13");
	char err[256];

	/* a valid change, in place only while the file is as last read */
	assert_int_equal(sl_db_stage_put(f->db, SL_CFG_INSTANCE, "i-x0", body, 1), 0);
	f->m.cfg_seen.mtime.tv_sec--;
	assert_int_equal(sl_mut_delta_try(&f->m, &md), 0);
	seen_file(f);
	f->m.store_behind = true;
	assert_int_equal(sl_mut_delta_try(&f->m, &md), 0);
	f->m.store_behind = false;
	assert_int_equal(sl_mut_delta_try(&f->m, &md), 1);
	sl_mut_delta_abort(&f->m, md);
	sl_db_stage_clear(f->db);
	check_live(f);
	json_object_set_new(body, "InstanceId", json_string("i-a1"));
	json_object_set_new(body, "PrivateIpAddress", json_string("192.168.1.11"));

	assert_int_equal(sl_db_stage_put(f->db, SL_CFG_INSTANCE, "i-a1", body, 1), 0);
	assert_int_equal(sl_mut_delta_try(&f->m, &md), 0);
	sl_db_stage_clear(f->db);
	check_live(f);
	json_object_set_new(body, "InstanceId", json_string("i-x1"));
	assert_int_equal(sl_db_stage_put(f->db, SL_CFG_INSTANCE, "i-x1", body, 1), 0);
	assert_int_equal(sl_db_commit(f->db, err, sizeof(err)), 0); /* not applied */
	json_object_set_new(body, "InstanceId", json_string("i-x2"));
	json_object_set_new(body, "PrivateIpAddress", json_string("192.168.1.12"));
	assert_int_equal(sl_db_stage_put(f->db, SL_CFG_INSTANCE, "i-x2", body, 1), 0);
	assert_int_equal(sl_mut_delta_try(&f->m, &md), 0);
	sl_db_stage_clear(f->db);
	json_decref(body);
}

/* A batch touching a VPC that a NAT gateway depends on takes the full
 * road; one elsewhere stays incremental. */
static void test_dependents(void **state)
{
	struct fix *f = *state;
	struct sl_api_params p;
	struct sl_api_err e = {0};
	struct sl_mut_delta *md = NULL;
	json_t *res = NULL, *body;

	sl_api_params_init(&p);
	assert_int_equal(sl_api_params_add(&p, "RegionId", "cn-hangzhou"), 0);
	assert_int_equal(sl_api_params_add(&p, "VpcId", "vpc-a"), 0);
	if (sl_api_mut_run(&f->m, "AK1", "CreateNatGateway", &p, 1700000000, &res, &e) < 0)
		fail_msg("CreateNatGateway: %s %s", e.code, e.msg);
	json_decref(res);
	sl_api_params_free(&p);
	seen_file(f);
	body = json_pack("{s:s,s:s,s:s}", "InstanceId", "i-n1", "VSwitchId", "vsw-a1",
			 "PrivateIpAddress", "192.168.1.40");
	assert_int_equal(sl_db_stage_put(f->db, SL_CFG_INSTANCE, "i-n1", body, 1), 0);
	assert_int_equal(sl_mut_delta_try(&f->m, &md), 0); /* vpc-a has a NAT gateway */
	sl_db_stage_clear(f->db);
	json_object_set_new(body, "VSwitchId", json_string("vsw-b1"));
	json_object_set_new(body, "PrivateIpAddress", json_string("192.168.1.40"));
	assert_int_equal(sl_db_stage_put(f->db, SL_CFG_INSTANCE, "i-n1", body, 1), 0);
	if (sl_mut_delta_try(&f->m, &md) != 1) {
		struct sl_store *full = full_build(f, true);

		fail_msg("vsw-b1: not incremental (the full build %s)",
			 full ? "accepts" : "refuses");
	}
	sl_mut_delta_abort(&f->m, md);
	sl_db_stage_clear(f->db);
	check_live(f);
	json_decref(body);
}

static bool in_pending(const struct sl_store *s, const void *st)
{
	for (unsigned int i = 0; i < s->pending.n; i++)
		if (s->pending.v[i] == st)
			return true;
	return false;
}

/* Stage, take the incremental path, COMMIT, publish. */
static void delta_commit(struct fix *f)
{
	struct sl_mut_delta *md = NULL;
	char err[256];

	assert_int_equal(sl_mut_delta_try(&f->m, &md), 1);
	assert_int_equal(sl_db_commit(f->db, err, sizeof(err)), 0);
	assert_int_equal(sl_mut_delta_apply(&f->m, md, "test", NULL), 0);
}

/* Objects replaced or removed while Pending (sluice-dp has not taken their
 * generation yet) leave the Pending list; a replacement with the same
 * content carries the status and takes their place in it. */
static void test_pending_list(void **state)
{
	struct fix *f = *state;
	struct batch b = {.keys = json_object()};
	struct sl_store *s = sl_ctl_store(f->ctl);
	struct sl_shm_header *h = sl_shm_hdr(sl_ctl_shm(f->ctl));
	struct sl_vswitch_obj *w;
	struct sl_instance_obj *in;

	put(f, &b, SL_OK_VPC, "vpc-p",
	    json_pack("{s:s,s:s,s:s,s:i}", "VpcId", "vpc-p", "RegionId", "cn-hangzhou", "CidrBlock",
		      "10.50.0.0/16", "VlanId", 3000));
	put(f, &b, SL_OK_VSWITCH, "vsw-p",
	    json_pack("{s:s,s:s,s:s,s:s}", "VSwitchId", "vsw-p", "VpcId", "vpc-p", "ZoneId",
		      "cn-hangzhou-a", "CidrBlock", "10.50.1.0/24"));
	put(f, &b, SL_OK_INSTANCE, "i-p1",
	    json_pack("{s:s,s:s,s:s}", "InstanceId", "i-p1", "VSwitchId", "vsw-p",
		      "PrivateIpAddress", "10.50.1.10"));
	json_decref(b.keys);
	delta_commit(f);
	check_live(f);
	/* as if sluice-dp had not acknowledged them; and a fake sluice-dp, up
	 * to date, that will not take the next generation yet */
	w = sl_store_vswitch(s, "vsw-p");
	in = sl_store_instance(s, "i-p1");
	w->st.status = in->st.status = SL_STATUS_PENDING;
	w->st.generation = in->st.generation = 0;
	sl_store_pending_add(s, &w->st);
	sl_store_pending_add(s, &in->st);
	atomic_store(&h->dp_pid, getpid());
	atomic_store(&h->lcore[2].ack_generation, sl_shm_generation(sl_ctl_shm(f->ctl)));
	atomic_store(&h->lcore[2].online, 1);
	b.keys = json_object();
	modify(f, &b, SL_OK_VSWITCH, "vsw-p", NULL, NULL); /* the same content */
	del(f, &b, SL_OK_INSTANCE, "i-p1");
	json_decref(b.keys);
	delta_commit(f);
	CHECK(!in_pending(s, &w->st), "the replaced VSwitch's state is still Pending-listed");
	CHECK(!in_pending(s, &in->st), "the removed instance's state is still Pending-listed");
	w = sl_store_vswitch(s, "vsw-p");
	CHECK(w->st.status == SL_STATUS_PENDING && in_pending(s, &w->st),
	      "the replacing VSwitch is %s, %slisted", sl_status_name(w->st.status),
	      in_pending(s, &w->st) ? "" : "not ");
	assert_null(sl_store_instance(s, "i-p1"));
	/* sluice-dp takes the generation: Available */
	atomic_store(&h->lcore[2].ack_generation, sl_shm_generation(sl_ctl_shm(f->ctl)));
	assert_int_equal(sl_ctl_poll(f->ctl), 0);
	atomic_store(&h->lcore[2].online, 0);
	atomic_store(&h->dp_pid, 0);
	check_live(f);
}

/* Removed instances stay in the arena until the store goes: once they
 * outnumber the live ones (and 4,096), a batch takes the full road, whose
 * new store starts a fresh arena; then the incremental road again. */
static void test_arena_compaction(void **state)
{
	struct fix *f = *state;
	struct batch b = {.keys = json_object()};
	struct sl_mut_delta *md = NULL;
	struct sl_store *cand;
	char id[32], ip[32], err[256];

	put(f, &b, SL_OK_VPC, "vpc-c",
	    json_pack("{s:s,s:s,s:s,s:i}", "VpcId", "vpc-c", "RegionId", "cn-hangzhou", "CidrBlock",
		      "10.60.0.0/16", "VlanId", 3001));
	put(f, &b, SL_OK_VSWITCH, "vsw-c",
	    json_pack("{s:s,s:s,s:s,s:s}", "VSwitchId", "vsw-c", "VpcId", "vpc-c", "ZoneId",
		      "cn-hangzhou-a", "CidrBlock", "10.60.0.0/16"));
	json_decref(b.keys);
	delta_commit(f);
	b.keys = json_object();
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "i-c%d", i);
		snprintf(ip, sizeof(ip), "10.60.%d.%d", 1 + i / 200, 10 + i % 200);
		put(f, &b, SL_OK_INSTANCE, id,
		    json_pack("{s:s,s:s,s:s}", "InstanceId", id, "VSwitchId", "vsw-c",
			      "PrivateIpAddress", ip));
	}
	json_decref(b.keys);
	delta_commit(f);
	b.keys = json_object();
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "i-c%d", i);
		del(f, &b, SL_OK_INSTANCE, id);
	}
	json_decref(b.keys);
	delta_commit(f);
	check_live(f);
	assert_true(sl_ctl_store(f->ctl)->arena_dead >= 5000);
	/* the next batch: the full road, a new store */
	b.keys = json_object();
	put(f, &b, SL_OK_INSTANCE, "i-c-last",
	    json_pack("{s:s,s:s,s:s}", "InstanceId", "i-c-last", "VSwitchId", "vsw-c",
		      "PrivateIpAddress", "10.60.1.10"));
	json_decref(b.keys);
	assert_int_equal(sl_mut_delta_try(&f->m, &md), 0);
	cand = full_build(f, true);
	assert_non_null(cand);
	assert_int_equal(sl_db_commit(f->db, err, sizeof(err)), 0);
	assert_int_equal(sl_ctl_apply(f->ctl, cand, "full", NULL), 0);
	assert_int_equal(sl_ctl_store(f->ctl)->arena_dead, 0);
	check_live(f);
	b.keys = json_object();
	del(f, &b, SL_OK_INSTANCE, "i-c-last");
	json_decref(b.keys);
	delta_commit(f); /* incremental again */
	check_live(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_random_batches, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_in_place, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dependents, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pending_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_arena_compaction, setup, teardown),
	};

	sl_log_level = SL_LOG_WARN;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
