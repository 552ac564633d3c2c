/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: the sluiced core: sl_ctl_publish_file() into a real segment,
 * reload semantics (diff, dirty VPCs, invalid files keep the old state),
 * Pending -> Available against a simulated data plane, restart and a lost
 * segment file.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sl_ctl.h"
#include "sl_ctl_config.h"
#include "sl_test_util.h"
#include "sl_validate.h"

static char seg[128], cfgpath[128];

static int setup(void **state)
{
	static int n;

	snprintf(seg, sizeof(seg), "/dev/shm/sl-ctl-test-%d-%d", (int)getpid(), n);
	snprintf(cfgpath, sizeof(cfgpath), "/tmp/sl-ctl-test-%d-%d.json", (int)getpid(), n++);
	unlink(seg);
	return 0;
}

static int teardown(void **state)
{
	unlink(seg);
	unlink(cfgpath);
	return 0;
}

static char *demo(void)
{
	char *t = sl_t_read_file(sl_t_demo_path());

	assert_non_null(t);
	return t;
}

/* A read-only view of the segment, as sluicectl or sluice-dp would map it. */
struct view {
	void *p;
	size_t len;
	const struct sl_shm_header *h;
	const struct sl_bank_header *b;
};

static void view_open(struct view *v)
{
	int fd = open(seg, O_RDONLY);
	struct stat st;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	v->len = (size_t)st.st_size;
	v->p = mmap(NULL, v->len, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	assert_true(v->p != MAP_FAILED);
	v->h = v->p;
	assert_true(v->h->magic == SL_SHM_MAGIC);
	v->b = sl_shm_bank(
	    v->h, (unsigned int)(atomic_load(&((struct sl_shm_header *)v->p)->generation) & 1));
}

static void view_close(struct view *v)
{
	munmap(v->p, v->len);
}

static const struct sl_vpc *view_vpc(const struct view *v, const char *id)
{
	const struct sl_vpc *a = SL_BANK_PTR(v->b, v->b->vpc_off, const struct sl_vpc);

	for (uint32_t i = 0; i < v->b->n_vpcs; i++)
		if (strcmp(a[i].id, id) == 0)
			return &a[i];
	return NULL;
}

static const struct sl_nexthop *view_nh4(const struct view *v, const struct sl_route_table *rt,
					 uint32_t addr)
{
	const struct sl_rt4_entry *e = SL_BANK_PTR(v->b, rt->v4_off, const struct sl_rt4_entry);
	uint32_t nh = sl_rt4_find(e, rt->v4_n, addr);

	assert_true(nh < v->b->n_nexthops);
	return SL_BANK_PTR(v->b, v->b->nh_off, const struct sl_nexthop) + nh;
}

static uint64_t gen_of(void)
{
	struct view v;
	uint64_t g;

	view_open(&v);
	g = atomic_load(&((struct sl_shm_header *)v.p)->generation);
	view_close(&v);
	return g;
}

static void test_publish_file(void **state)
{
	char err[512];
	struct view v;
	const struct sl_vpc *a, *b;
	int ia, ib;

	assert_int_equal(sl_ctl_publish_file(sl_t_demo_path(), seg, 1 << 20, err, sizeof(err)), 0);
	view_open(&v);
	assert_true(atomic_load(&((struct sl_shm_header *)v.p)->generation) == 1);
	assert_int_equal(atomic_load(&((struct sl_shm_header *)v.p)->writer_pid), 0);
	assert_true(v.b->magic == SL_BANK_MAGIC);
	assert_true(v.b->generation == 1);
	assert_true(v.h->bank_size == 1 << 20);
	a = view_vpc(&v, "vpc-a");
	b = view_vpc(&v, "vpc-b");
	assert_non_null(a);
	assert_non_null(b);
	ia = (int)a->index;
	ib = (int)b->index;
	assert_int_equal(view_nh4(&v, &a->rt, 0xc0a8010au)->vlan, 100); /* 192.168.1.10 */
	assert_int_equal(view_nh4(&v, &b->rt, 0xc0a8010au)->vlan, 200);
	assert_int_equal(view_nh4(&v, &v.b->inet, 0x08080808u)->type, SL_NH_GATEWAY);
	view_close(&v);

	/* again (a restarted sluiced): next generation, same VPC indexes, other bank */
	assert_int_equal(sl_ctl_publish_file(sl_t_demo_path(), seg, 0, err, sizeof(err)), 0);
	view_open(&v);
	assert_true(v.b->generation == 2);
	assert_int_equal((int)view_vpc(&v, "vpc-a")->index, ia);
	assert_int_equal((int)view_vpc(&v, "vpc-b")->index, ib);
	view_close(&v);

	/* an invalid file publishes nothing */
	assert_int_equal(sl_t_write_file(cfgpath, "{\"Vpcs\":[{\"VpcId\":\"x\"}]}"), 0);
	assert_int_equal(sl_ctl_publish_file(cfgpath, seg, 0, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "error"));
	assert_true(gen_of() == 2);
}

static void test_restart_keeps_indexes(void **state)
{
	char err[512];
	struct view v;
	int ib;

	assert_int_equal(sl_ctl_publish_file(sl_t_demo_path(), seg, 1 << 20, err, sizeof(err)), 0);
	view_open(&v);
	ib = (int)view_vpc(&v, "vpc-b")->index;
	view_close(&v);
	/* the next sluiced loads a file without vpc-a (and its objects) */
	{
		static const char *cfg_b =
		    "{'Regions':[{'RegionId':'r','Zones':[{'ZoneId':'z'}]}],"
		    "'Vpcs':[{'VpcId':'vpc-b','RegionId':'r','CidrBlock':"
		    "'192.168.0.0/16','VlanId':200,'RouteTableId':'vtb-b'}],"
		    "'VSwitches':[{'VSwitchId':'vsw-b1','VpcId':'vpc-b','ZoneId':"
		    "'z','CidrBlock':'192.168.1.0/24'}]}";
		char *j = sl_t_json("%s", cfg_b);

		assert_int_equal(sl_t_write_file(cfgpath, j), 0);
		free(j);
	}
	assert_int_equal(sl_ctl_publish_file(cfgpath, seg, 0, err, sizeof(err)), 0);
	view_open(&v);
	assert_null(view_vpc(&v, "vpc-a"));
	assert_int_equal((int)view_vpc(&v, "vpc-b")->index, ib);
	{
		const uint32_t *vm = SL_BANK_PTR(v.b, v.b->vlan_map_off, const uint32_t);

		assert_int_equal(vm[100], 0);
		assert_int_equal(vm[200], (uint32_t)ib + 1);
	}
	view_close(&v);
}

/* Diff on two stores: changing one VSwitch marks only its VPC dirty. */
struct count_arg {
	enum sl_status want;
	unsigned int n;
};

static void count_one(struct sl_obj_state *st, const char *what, const char *id, void *arg)
{
	struct count_arg *a = arg;

	a->n += st->status == a->want;
}

/* Objects of every kind in status `want`. */
static unsigned int count_status(struct sl_store *s, enum sl_status want)
{
	struct count_arg a = {.want = want};

	sl_store_foreach_state(s, count_one, &a);
	return a.n;
}

static void test_diff_marks_one_vpc(void **state)
{
	char *t = demo();
	struct sl_errs e;
	struct sl_store *s1, *s2;
	struct sl_diff d;
	char key[SL_JSL_KEY_MAX] = "";

	sl_errs_init(&e, "t");
	s1 = sl_cfg_load_string(t, &e);
	assert_int_equal(sl_validate(s1, &e), 0);
	t = sl_t_replace(
	    t, "\"VSwitchId\": \"vsw-b2\", \"VpcId\": \"vpc-b\",",
	    "\"VSwitchId\": \"vsw-b2\", \"VpcId\": \"vpc-b\", \"VSwitchName\": \"b-two\",");
	s2 = sl_cfg_load_string(t, &e);
	assert_int_equal(sl_validate(s2, &e), 0);
	assert_int_equal(sl_errs_count(&e), 0);
	/* mark s1 published and acknowledged */
	for (unsigned int i = 0; i < s1->vswitch_v.n; i++) {
		struct sl_vswitch_obj *w = s1->vswitch_v.v[i];
		w->st.status = SL_STATUS_AVAILABLE;
		w->st.generation = 5;
	}
	assert_int_equal(sl_store_diff(s1, s2, &d), 0);
	assert_int_equal(d.changed, 1);
	assert_int_equal(d.added, 0);
	assert_int_equal(d.removed, 0);
	assert_false(d.inet_dirty);
	assert_int_equal(d.n_dirty_vpcs, 1);
	assert_non_null(sl_jsl_first(d.dirty_vpcs, key));
	assert_string_equal(key, "vpc-b");
	assert_null(sl_jsl_next(d.dirty_vpcs, key));
	/* status carried for the unchanged VSwitch, Pending for the changed one */
	assert_int_equal(sl_store_vswitch(s2, "vsw-b1")->st.status, SL_STATUS_AVAILABLE);
	assert_true(sl_store_vswitch(s2, "vsw-b1")->st.generation == 5);
	assert_int_equal(sl_store_vswitch(s2, "vsw-b2")->st.status, SL_STATUS_PENDING);
	assert_true(sl_store_vswitch(s2, "vsw-b2")->st.generation == 0);
	/* the Pending list holds what is Pending, nothing else (s1's other
	 * objects were never marked Available: they stay Pending in s2) */
	assert_false(s2->pending_all);
	assert_int_equal(s2->pending.n, count_status(s2, SL_STATUS_PENDING));
	for (unsigned int i = 0; i < s2->pending.n; i++)
		assert_ptr_not_equal(s2->pending.v[i], &sl_store_vswitch(s2, "vsw-b1")->st);
	sl_diff_free(&d);
	/* identical stores: empty diff */
	assert_int_equal(sl_store_diff(s2, s2, &d), 0);
	assert_int_equal(d.changed + d.added + d.removed + d.n_dirty_vpcs, 0);
	sl_diff_free(&d);
	/* everything removed: counted, and every VPC's tables are dirty */
	{
		struct sl_store *none = sl_store_new();

		assert_int_equal(sl_store_diff(s2, none, &d), 0);
		assert_int_equal(d.removed, count_status(s2, SL_STATUS_PENDING) +
						count_status(s2, SL_STATUS_AVAILABLE));
		assert_int_equal(d.n_dirty_vpcs, s2->vpc_v.n);
		assert_int_equal(none->pending.n, 0);
		sl_diff_free(&d);
		sl_store_free(none);
	}
	sl_store_free(s1);
	sl_store_free(s2);
	sl_errs_free(&e);
	free(t);
}

static struct sl_ctl *start(struct sl_ctl_result *res)
{
	struct sl_ctl_opts o = {.config_path = cfgpath, .segment_path = seg, .bank_size = 1 << 20};
	struct sl_ctl *c = sl_ctl_new(&o);
	char err[512];

	assert_non_null(c);
	assert_int_equal(sl_ctl_start(c, res, err, sizeof(err)), 0);
	return c;
}

static void test_reload(void **state)
{
	char *t = demo(), *t2;
	struct sl_ctl_result res;
	struct sl_store *before;
	struct sl_ctl *c;

	assert_int_equal(sl_t_write_file(cfgpath, t), 0);
	c = start(&res);
	assert_true(res.generation == 1);
	assert_int_equal(res.cs.n_recompiled, 2);

	/* unchanged file: nothing published */
	assert_int_equal(sl_ctl_reload(c, &res), 0);
	assert_true(res.generation == 0);
	assert_true(sl_shm_generation(sl_ctl_shm(c)) == 1);

	/* one VSwitch of vpc-b changed: one VPC table rebuilt, one generation */
	t = sl_t_replace(
	    t, "\"VSwitchId\": \"vsw-b2\", \"VpcId\": \"vpc-b\",",
	    "\"VSwitchId\": \"vsw-b2\", \"VpcId\": \"vpc-b\", \"Description\": \"b two\",");
	assert_int_equal(sl_t_write_file(cfgpath, t), 0);
	assert_int_equal(sl_ctl_reload(c, &res), 0);
	assert_int_equal(res.changed, 1);
	assert_int_equal(res.n_dirty_vpcs, 1);
	assert_int_equal(res.cs.n_recompiled, 1);
	assert_int_equal(res.cs.inet_recompiled, 0);
	assert_true(res.generation == 2);

	/* an Internet route changed: only the Internet table */
	t = sl_t_replace(t, "\"NextHop\": \"203.0.113.1\"", "\"NextHop\": \"203.0.113.9\"");
	assert_int_equal(sl_t_write_file(cfgpath, t), 0);
	assert_int_equal(sl_ctl_reload(c, &res), 0);
	assert_int_equal(res.cs.n_recompiled, 0);
	assert_int_equal(res.cs.inet_recompiled, 1);
	assert_true(res.generation == 3);

	/* a new route in vtb-b: vpc-b only, and it is in the published table */
	t = sl_t_replace(t, "\"RouteEntries\": [",
			 "\"RouteEntries\": [ { \"RouteTableId\": \"vtb-b\", "
			 "\"DestinationCidrBlock\": \"10.77.0.0/16\", \"NextHopId\": \"i-b1\" },");
	assert_int_equal(sl_t_write_file(cfgpath, t), 0);
	assert_int_equal(sl_ctl_reload(c, &res), 0);
	assert_int_equal(res.added, 1);
	assert_int_equal(res.cs.n_recompiled, 1);
	{
		struct view v;
		const struct sl_nexthop *nh;

		view_open(&v);
		nh = view_nh4(&v, &view_vpc(&v, "vpc-b")->rt, 0x0a4d0001u); /* 10.77.0.1 */
		assert_int_equal(nh->type, SL_NH_GATEWAY);
		assert_string_equal(nh->owner_id, "i-b1");
		assert_int_equal(view_nh4(&v, &view_vpc(&v, "vpc-a")->rt, 0x0a4d0001u)->type,
				 SL_NH_UNREACHABLE);
		view_close(&v);
	}

	/* an invalid file: every error logged, old state kept */
	before = sl_ctl_store(c);
	t2 = sl_t_replace(strdup(t), "\"VlanId\": 200", "\"VlanId\": 100");
	assert_int_equal(sl_t_write_file(cfgpath, t2), 0);
	assert_int_equal(sl_ctl_reload(c, &res), -EINVAL);
	assert_int_equal(res.n_errors, 1);
	assert_ptr_equal(sl_ctl_store(c), before);
	assert_true(sl_shm_generation(sl_ctl_shm(c)) == 4);
	assert_non_null(sl_jsl_get(sl_ctl_store(c)->routes, "vtb-b:10.77.0.0/16"));
	free(t2);
	sl_ctl_free(c);
	free(t);
}

static void test_pending_to_available(void **state)
{
	char *t = demo(), *t2;
	struct sl_ctl_result res;
	struct sl_shm_header *h;
	struct sl_vswitch_obj *w;
	struct sl_ctl *c;

	assert_int_equal(sl_t_write_file(cfgpath, t), 0);
	c = start(&res);
	/* no data plane: Available right after the publish */
	assert_int_equal(sl_ctl_poll(c), 0);
	assert_int_equal(count_status(sl_ctl_store(c), SL_STATUS_PENDING), 0);
	assert_true(sl_store_vpc(sl_ctl_store(c), "vpc-a")->st.generation == 1);

	/* a data plane attaches: one worker slot, up to date */
	h = sl_shm_hdr(sl_ctl_shm(c));
	atomic_store(&h->dp_pid, getpid());
	atomic_store(&h->lcore[2].ack_generation, 1);
	atomic_store(&h->lcore[2].online, 1);

	t2 = sl_t_replace(
	    strdup(t), "\"VSwitchId\": \"vsw-a2\", \"VpcId\": \"vpc-a\",",
	    "\"VSwitchId\": \"vsw-a2\", \"VpcId\": \"vpc-a\", \"VSwitchName\": \"a-two\",");
	assert_int_equal(sl_t_write_file(cfgpath, t2), 0);
	assert_int_equal(sl_ctl_reload(c, &res), 0);
	assert_true(res.generation == 2);
	/* the changed VSwitch waits for the data plane; the rest stays Available */
	assert_int_equal(sl_ctl_poll(c), 1);
	w = sl_store_vswitch(sl_ctl_store(c), "vsw-a2");
	assert_int_equal(sl_ctl_store(c)->pending.n, 1);
	assert_ptr_equal(sl_ctl_store(c)->pending.v[0], &w->st);
	assert_int_equal(w->st.status, SL_STATUS_PENDING);
	assert_true(w->st.generation == 2);
	assert_int_equal(sl_store_vswitch(sl_ctl_store(c), "vsw-a1")->st.status,
			 SL_STATUS_AVAILABLE);
	/* the worker takes generation 2 up */
	atomic_store(&h->lcore[2].ack_generation, 2);
	assert_int_equal(sl_ctl_poll(c), 0);
	assert_int_equal(w->st.status, SL_STATUS_AVAILABLE);
	assert_int_equal(sl_ctl_store(c)->pending.n, 0);

	atomic_store(&h->lcore[2].online, 0);
	atomic_store(&h->dp_pid, 0);
	sl_ctl_free(c);
	free(t2);
	free(t);
}

/* The trunk check: sluice-dp's port snapshot against Gateway.Inside.Trunks
 * (demo.json: one trunk). */
static void test_trunks_against_ports(void **state)
{
	char *t = demo();
	struct sl_ctl_result res;
	struct sl_stats_header *st;
	struct sl_shm_header *h;
	struct sl_ctl *c;

	assert_int_equal(sl_t_write_file(cfgpath, t), 0);
	c = start(&res);
	h = sl_shm_hdr(sl_ctl_shm(c));
	st = sl_shm_stats(h);
	assert_int_equal(sl_ctl_check_trunks(c), -1); /* no sluice-dp */
	atomic_store(&h->dp_pid, getpid());
	assert_int_equal(sl_ctl_check_trunks(c), -1); /* no port snapshot yet */
	st->n_ports = 2;
	st->port[0].role = SL_ROLE_INSIDE;
	st->port[1].role = SL_ROLE_OUTSIDE;
	st->magic = SL_STATS_MAGIC;
	assert_int_equal(sl_ctl_check_trunks(c), 0);
	st->n_ports = 3;
	st->port[2].role = SL_ROLE_INSIDE; /* a second inside port: trunk 1 unused */
	assert_int_equal(sl_ctl_check_trunks(c), 1);
	atomic_store(&st->seq, 1); /* sluice-dp mid-snapshot */
	assert_int_equal(sl_ctl_check_trunks(c), -1);
	atomic_store(&st->seq, 2);
	st->n_ports = 2;
	assert_int_equal(sl_ctl_check_trunks(c), 0);
	atomic_store(&h->dp_pid, 0);
	sl_ctl_free(c);
	free(t);
}

static void test_segment_lost(void **state)
{
	char *t = demo();
	struct sl_ctl_result res;
	struct sl_ctl *c;

	assert_int_equal(sl_t_write_file(cfgpath, t), 0);
	c = start(&res);
	assert_int_equal(sl_ctl_check_segment(c), 0);
	assert_true(gen_of() == 1);
	unlink(seg);
	assert_int_equal(sl_ctl_check_segment(c), 0);
	/* every object was Pending again, and is Available once published (no
	 * data plane) */
	assert_int_equal(sl_ctl_poll(c), 0);
	assert_int_equal(count_status(sl_ctl_store(c), SL_STATUS_PENDING), 0);
	/* a new file with everything in it */
	assert_true(gen_of() == 1);
	{
		struct view v;

		view_open(&v);
		assert_non_null(view_vpc(&v, "vpc-a"));
		assert_non_null(view_vpc(&v, "vpc-b"));
		view_close(&v);
	}
	sl_ctl_free(c);
	free(t);
}

/* The segment's directory vanishes: no crash, retries, republishes when
 * it is back. */
static void test_segment_unavailable(void **state)
{
	char *t = demo(), dir[128], path[160];
	struct sl_ctl_opts o = {.config_path = cfgpath, .segment_path = path, .bank_size = 1 << 20};
	struct sl_ctl_result res;
	struct sl_ctl *c;
	char err[512];

	snprintf(dir, sizeof(dir), "/tmp/sl-ctl-dir-%d", (int)getpid());
	snprintf(path, sizeof(path), "%s/seg", dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(sl_t_write_file(cfgpath, t), 0);
	c = sl_ctl_new(&o);
	assert_int_equal(sl_ctl_start(c, &res, err, sizeof(err)), 0);
	unlink(path);
	rmdir(dir);
	assert_true(sl_ctl_check_segment(c) < 0);
	assert_true(sl_ctl_check_segment(c) < 0); /* retried, logged once */
	assert_null(sl_ctl_shm(c));
	t = sl_t_replace(
	    t, "\"VSwitchId\": \"vsw-b2\", \"VpcId\": \"vpc-b\",",
	    "\"VSwitchId\": \"vsw-b2\", \"VpcId\": \"vpc-b\", \"VSwitchName\": \"bb\",");
	assert_int_equal(sl_t_write_file(cfgpath, t), 0);
	assert_int_equal(sl_ctl_reload(c, &res), -ENODEV);
	assert_int_equal(sl_ctl_poll(c), 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(sl_ctl_check_segment(c), 0);
	assert_non_null(sl_ctl_shm(c));
	assert_true(sl_shm_generation(sl_ctl_shm(c)) == 1);
	/* the reload that could not be published applies now */
	assert_int_equal(sl_ctl_reload(c, &res), 0);
	assert_true(res.generation == 2);
	sl_ctl_free(c);
	unlink(path);
	rmdir(dir);
	free(t);
}

static void test_bank_too_small(void **state)
{
	char *vpcs = calloc(1, 1 << 20), *vsws = calloc(1, 1 << 20), *j;
	char err[512];

	for (int i = 0; i < 400; i++) {
		char one[256];

		snprintf(one, sizeof(one),
			 "%s{'VpcId':'vpc-%d','RegionId':'r','CidrBlock':'10.0.0.0/8','VlanId':%d}",
			 i ? "," : "", i, i + 1);
		strcat(vpcs, one);
		snprintf(one, sizeof(one),
			 "%s{'VSwitchId':'vsw-%d','VpcId':'vpc-%d','ZoneId':'z','CidrBlock':"
			 "'10.1.0.0/16'}",
			 i ? "," : "", i, i);
		strcat(vsws, one);
	}
	j = sl_t_json("{'Regions':[{'RegionId':'r','Zones':[{'ZoneId':'z'}]}],'Vpcs':[%s],"
		      "'VSwitches':[%s]}",
		      vpcs, vsws);
	assert_int_equal(sl_t_write_file(cfgpath, j), 0);
	assert_int_equal(sl_ctl_publish_file(cfgpath, seg, SL_SHM_MIN_BANK_SIZE, err, sizeof(err)),
			 -ENOSPC);
	assert_non_null(strstr(err, "bigger bank size"));
	assert_true(gen_of() == 0);
	/* the same file fits a bigger bank once the segment is recreated */
	unlink(seg);
	assert_int_equal(sl_ctl_publish_file(cfgpath, seg, 4 << 20, err, sizeof(err)), 0);
	assert_true(gen_of() == 1);
	free(vpcs);
	free(vsws);
	free(j);
}

/* --inet-routes at start: the RIB fills on the prefix thread while the
 * config validates; a config that fails leaves no route behind. */
static void test_start_inet_routes(void **state)
{
	char pfxpath[160], err[512];
	struct sl_ctl_opts o = {.config_path = cfgpath, .segment_path = seg, .bank_size = 1 << 20};
	struct sl_ctl_result res;
	struct sl_ctl *c;
	size_t n_cfg;
	char *t = demo();
	FILE *f;

	(void)state;
	snprintf(pfxpath, sizeof(pfxpath), "%s.pfx", cfgpath);
	o.inet_routes = pfxpath;
	f = fopen(pfxpath, "w");
	assert_non_null(f);
	for (unsigned int i = 0; i < 500; i++)
		fprintf(f, "100.%u.%u.0/24\n2001:db8:%x::/48\n", 64 + i / 256, i % 256, 0x1000 + i);
	assert_int_equal(fclose(f), 0);

	/* a file the validation refuses (an overlap, not a syntax error) */
	t = sl_t_replace(t, "\"192.168.2.0/24\"", "\"192.168.1.0/24\"");
	assert_int_equal(sl_t_write_file(cfgpath, t), 0);
	c = sl_ctl_new(&o);
	assert_non_null(c);
	assert_int_equal(sl_ctl_start(c, &res, err, sizeof(err)), -EINVAL);
	assert_true(res.n_errors > 0);
	assert_null(sl_ctl_store(c));
	assert_int_equal(sl_compiler_inet_count(sl_ctl_compiler(c)), 0);
	sl_ctl_free(c);

	/* the demo: every prefix of the file is in the Internet table */
	free(t);
	t = demo();
	assert_int_equal(sl_t_write_file(cfgpath, t), 0);
	c = sl_ctl_new(&o);
	assert_non_null(c);
	assert_int_equal(sl_ctl_start(c, &res, err, sizeof(err)), 0);
	n_cfg = sl_compiler_inet_count(sl_ctl_compiler(c));
	assert_true(n_cfg >= 1000);
	assert_true(res.generation == 1);
	sl_ctl_free(c);
	unlink(pfxpath);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_publish_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restart_keeps_indexes, setup, teardown),
	    cmocka_unit_test(test_diff_marks_one_vpc),
	    cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pending_to_available, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_trunks_against_ports, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_segment_lost, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_segment_unavailable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bank_too_small, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_start_inet_routes, setup, teardown),
	};

	sl_log_level = SL_LOG_ERROR;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
