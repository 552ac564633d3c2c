/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: the kernel route mirror without sockets or root. Routes are
 * built as libnl rtnl_route objects, turned into the rtnetlink messages the
 * kernel sends (rtnl_route_build_*_request) and fed to the mirror, whose
 * changes go to a recording sink that, like sluiced's route source, refuses
 * gateways on no outside subnet (203.0.113.0/24, 2001:db8:ffff::/64).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include "sl_addr.h"
#include "sl_kernel_routes.h"
#include "sl_shm.h" /* SL_NHG_MAX */

#define TABLE 100
#define MAXR 8192

/* ---- the recording sink ---------------------------------------------------- */

struct sink {
	struct sl_pfx p[MAXR], via[MAXR];
	unsigned int n;
	unsigned int sets, dels, commits;
	/* ECMP (issue 8): a group's vias and weights; nvia 1 for set() */
	unsigned int nvia[MAXR], group_sets;
	struct sl_pfx gvia[MAXR][SL_NHG_MAX];
	uint16_t weight[MAXR][SL_NHG_MAX];
};

static int find(struct sink *s, const struct sl_pfx *p)
{
	for (unsigned int i = 0; i < s->n; i++)
		if (sl_pfx_equal(&s->p[i], p))
			return (int)i;
	return -1;
}

static bool on_outside(const struct sl_pfx *via)
{
	static const char *const outside[] = {"203.0.113.0/24", "2001:db8:ffff::/64"};
	bool ok = false;

	for (unsigned int o = 0; o < 2; o++) {
		struct sl_pfx net;

		assert_int_equal(sl_pfx_parse(outside[o], &net, 0), SL_PFX_OK);
		ok |= sl_pfx_has(&net, via->family, via->addr);
	}
	return ok;
}

static int sink_slot(struct sink *s, const struct sl_pfx *p)
{
	int i = find(s, p);

	if (i < 0) {
		assert_true(s->n < MAXR);
		i = (int)s->n++;
	}
	s->p[i] = *p;
	return i;
}

static int sink_set(void *arg, const struct sl_pfx *p, const struct sl_pfx *via)
{
	struct sink *s = arg;
	int i;

	if (!on_outside(via))
		return -ENETUNREACH;
	i = sink_slot(s, p);
	s->via[i] = *via;
	s->nvia[i] = 1;
	s->sets++;
	return 0;
}

static int sink_set_group(void *arg, const struct sl_pfx *p, const struct sl_pfx *via,
			  const uint16_t *weight, unsigned int n)
{
	struct sink *s = arg;
	int i;

	assert_in_range(n, 2, SL_NHG_MAX);
	for (unsigned int k = 0; k < n; k++)
		if (!on_outside(&via[k]))
			return -ENETUNREACH;
	i = sink_slot(s, p);
	s->via[i] = via[0];
	s->nvia[i] = n;
	memcpy(s->gvia[i], via, n * sizeof(*via));
	memcpy(s->weight[i], weight, n * sizeof(*weight));
	s->group_sets++;
	return 0;
}

static int sink_del(void *arg, const struct sl_pfx *p)
{
	struct sink *s = arg;
	int i = find(s, p);

	if (i < 0)
		return -ENOENT;
	s->p[i] = s->p[s->n - 1];
	s->via[i] = s->via[s->n - 1];
	s->nvia[i] = s->nvia[s->n - 1];
	memcpy(s->gvia[i], s->gvia[s->n - 1], sizeof(s->gvia[i]));
	memcpy(s->weight[i], s->weight[s->n - 1], sizeof(s->weight[i]));
	s->n--;
	s->dels++;
	return 0;
}

static int sink_commit(void *arg)
{
	((struct sink *)arg)->commits++;
	return 0;
}

static struct sink *S;
static struct sl_kernel_routes *K;

/* A mirror feeding the recording sink; `groups`: the sink takes ECMP
 * groups (issue 8), as sluiced's does; without, multipath is skipped. */
static int setup_sink(bool groups)
{
	struct sl_kr_sink sk = {sink_set, sink_del, sink_commit, NULL,
				groups ? sink_set_group : NULL};

	S = calloc(1, sizeof(*S));
	assert_non_null(S);
	sk.arg = S;
	K = sl_kernel_routes_new(TABLE, &sk);
	assert_non_null(K);
	return 0;
}

static int setup(void **state)
{
	return setup_sink(false);
}

static int setup_group(void **state)
{
	return setup_sink(true);
}

static int teardown(void **state)
{
	sl_kernel_routes_close(K);
	free(S);
	return 0;
}

/* ---- building kernel messages ----------------------------------------------- */

struct rt {
	const char *dst;
	const char *gw[5]; /**< none, one, or more (multipath) */
	uint8_t hops[5];   /**< rtnh_hops of each (weight - 1) */
	uint32_t table;	   /**< 0: TABLE */
	uint8_t type;	   /**< 0: unicast */
	uint32_t metric;
	uint8_t tos;
	bool dev; /**< a device route (an ifindex, no gateway) */
};

static struct rtnl_route *build(const struct rt *d)
{
	struct rtnl_route *r = rtnl_route_alloc();
	struct nl_addr *a = NULL;
	int fam = strchr(d->dst, ':') ? AF_INET6 : AF_INET;

	assert_non_null(r);
	assert_int_equal(nl_addr_parse(d->dst, fam, &a), 0);
	rtnl_route_set_family(r, (uint8_t)fam);
	assert_int_equal(rtnl_route_set_dst(r, a), 0);
	nl_addr_put(a);
	rtnl_route_set_table(r, d->table ? d->table : TABLE);
	rtnl_route_set_type(r, d->type ? d->type : RTN_UNICAST);
	rtnl_route_set_priority(r, d->metric);
	rtnl_route_set_tos(r, d->tos);
	for (unsigned int i = 0; i < 5 && d->gw[i]; i++) {
		struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
		struct nl_addr *g = NULL;

		assert_non_null(nh);
		assert_int_equal(nl_addr_parse(d->gw[i], AF_UNSPEC, &g), 0);
		rtnl_route_nh_set_gateway(nh, g);
		rtnl_route_nh_set_weight(nh, d->hops[i]);
		nl_addr_put(g);
		rtnl_route_add_nexthop(r, nh);
	}
	if (d->dev) {
		struct rtnl_nexthop *nh = rtnl_route_nh_alloc();

		rtnl_route_nh_set_ifindex(nh, 2);
		rtnl_route_add_nexthop(r, nh);
	}
	return r;
}

/* The kernel's notification for `d` (RTM_NEWROUTE or RTM_DELROUTE), fed
 * to the mirror. */
static void feed(bool add, const struct rt *d)
{
	struct rtnl_route *r = build(d);
	struct nl_msg *m = NULL;

	if (add)
		assert_int_equal(rtnl_route_build_add_request(r, NLM_F_CREATE, &m), 0);
	else
		assert_int_equal(rtnl_route_build_del_request(r, 0, &m), 0);
	sl_kernel_routes_input(K, nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len);
	nlmsg_free(m);
	rtnl_route_put(r);
}

#define ADD(...) feed(true, &(struct rt){__VA_ARGS__})
#define DEL(...) feed(false, &(struct rt){__VA_ARGS__})

/* The sink's next hop of `pfx` as text, or "-" when it has none. */
static const char *via_of(const char *pfx)
{
	static char buf[SL_PFX_STRLEN];
	struct sl_pfx p;
	int i;

	assert_int_equal(sl_pfx_parse(pfx, &p, SL_PFX_NEED_LEN), SL_PFX_OK);
	i = find(S, &p);
	if (i < 0)
		return "-";
	return sl_ip_fmt(S->via[i].family, S->via[i].addr, buf, sizeof(buf));
}

/* ---- tests -------------------------------------------------------------------- */

static void test_add_del_both_families(void **state)
{
	ADD(.dst = "192.0.2.0/24", .gw = {"203.0.113.1"});
	ADD(.dst = "2001:db8:1::/48", .gw = {"2001:db8:ffff::1"});
	ADD(.dst = "0.0.0.0/0", .gw = {"203.0.113.5"});
	assert_int_equal(S->n, 3);
	assert_string_equal(via_of("192.0.2.0/24"), "203.0.113.1");
	assert_string_equal(via_of("2001:db8:1::/48"), "2001:db8:ffff::1");
	assert_string_equal(via_of("0.0.0.0/0"), "203.0.113.5");
	assert_int_equal(sl_kernel_routes_stats(K)->mirrored, 3);

	/* nothing is published before the commit; one commit for the batch */
	assert_int_equal(S->commits, 0);
	assert_int_equal(sl_kernel_routes_commit(K), 0);
	assert_int_equal(S->commits, 1);
	assert_int_equal(sl_kernel_routes_commit(K), 0);
	assert_int_equal(S->commits, 1); /* nothing new: no publish */

	/* a changed gateway replaces; a delete removes */
	ADD(.dst = "192.0.2.0/24", .gw = {"203.0.113.9"});
	assert_string_equal(via_of("192.0.2.0/24"), "203.0.113.9");
	DEL(.dst = "2001:db8:1::/48", .gw = {"2001:db8:ffff::1"});
	assert_string_equal(via_of("2001:db8:1::/48"), "-");
	assert_int_equal(S->n, 2);
	assert_int_equal(sl_kernel_routes_stats(K)->mirrored, 2);
	/* deleting what is not mirrored changes nothing */
	DEL(.dst = "198.51.100.0/24", .gw = {"203.0.113.1"});
	assert_int_equal(S->dels, 1);
	assert_int_equal(sl_kernel_routes_commit(K), 0);
	assert_int_equal(S->commits, 2);
}

static void test_unusable_routes_counted(void **state)
{
	const struct sl_kr_stats *st = sl_kernel_routes_stats(K);

	ADD(.dst = "10.1.0.0/16", .type = RTN_BLACKHOLE);
	ADD(.dst = "10.2.0.0/16", .type = RTN_UNREACHABLE);
	ADD(.dst = "10.3.0.0/16", .type = RTN_PROHIBIT);
	ADD(.dst = "10.4.0.0/16", .dev = true);
	ADD(.dst = "10.5.0.0/16", .gw = {"203.0.113.1", "203.0.113.2"});
	ADD(.dst = "10.6.0.0/16", .gw = {"198.18.0.1"});
	ADD(.dst = "2001:db8:6::/48", .gw = {"fe80::1"});
	ADD(.dst = "10.7.0.0/16", .gw = {"203.0.113.1"}, .tos = 0x10);
	ADD(.dst = "10.8.0.0/16", .gw = {"2001:db8:ffff::1"});
	assert_int_equal(st->skipped[SL_KR_SKIP_TYPE], 3);
	assert_int_equal(st->skipped[SL_KR_SKIP_NO_GATEWAY], 1);
	assert_int_equal(st->skipped[SL_KR_SKIP_MULTIPATH], 1);
	assert_int_equal(st->skipped[SL_KR_SKIP_OFF_SUBNET], 2);
	assert_int_equal(st->skipped[SL_KR_SKIP_TOS], 1);
	assert_int_equal(st->skipped[SL_KR_SKIP_GW_FAMILY], 1);
	assert_int_equal(S->n, 0);
	assert_int_equal(st->mirrored, 0);
	assert_int_equal(sl_kernel_routes_commit(K), 0);
	assert_int_equal(S->commits, 0);

	/* other tables are not ours: ignored, not counted */
	ADD(.dst = "192.0.2.0/24", .gw = {"203.0.113.1"}, .table = 254);
	ADD(.dst = "192.0.2.0/24", .gw = {"203.0.113.1"}, .table = 100000);
	ADD(.dst = "192.0.2.0/24", .type = RTN_BLACKHOLE, .table = 101);
	assert_int_equal(S->n, 0);
	assert_int_equal(st->skipped[SL_KR_SKIP_TYPE], 3);
}

static void test_replaced_by_unusable(void **state)
{
	ADD(.dst = "192.0.2.0/24", .gw = {"203.0.113.1"}, .metric = 10);
	assert_string_equal(via_of("192.0.2.0/24"), "203.0.113.1");
	/* "ip route replace blackhole 192.0.2.0/24 metric 10": one NEWROUTE */
	ADD(.dst = "192.0.2.0/24", .type = RTN_BLACKHOLE, .metric = 10);
	assert_string_equal(via_of("192.0.2.0/24"), "-");
	/* a gateway moving off the outside subnets withdraws the route too */
	ADD(.dst = "192.0.2.0/24", .gw = {"203.0.113.1"}, .metric = 10);
	ADD(.dst = "192.0.2.0/24", .gw = {"198.18.0.1"}, .metric = 10);
	assert_string_equal(via_of("192.0.2.0/24"), "-");
	assert_int_equal(sl_kernel_routes_stats(K)->mirrored, 0);
}

static void test_lowest_metric_wins(void **state)
{
	ADD(.dst = "192.0.2.0/24", .gw = {"203.0.113.1"}, .metric = 20);
	ADD(.dst = "192.0.2.0/24", .gw = {"203.0.113.2"}, .metric = 30);
	assert_string_equal(via_of("192.0.2.0/24"), "203.0.113.1");
	assert_int_equal(sl_kernel_routes_stats(K)->shadowed, 1);
	ADD(.dst = "192.0.2.0/24", .gw = {"203.0.113.3"}, .metric = 5);
	assert_string_equal(via_of("192.0.2.0/24"), "203.0.113.3");
	/* removing a route the kernel does not forward by keeps ours */
	DEL(.dst = "192.0.2.0/24", .gw = {"203.0.113.2"}, .metric = 30);
	assert_string_equal(via_of("192.0.2.0/24"), "203.0.113.3");
	DEL(.dst = "192.0.2.0/24", .gw = {"203.0.113.3"}, .metric = 5);
	assert_string_equal(via_of("192.0.2.0/24"), "-");
}

static void test_resync_reconciles(void **state)
{
	const struct sl_kr_stats *st = sl_kernel_routes_stats(K);
	unsigned int sets;

	ADD(.dst = "192.0.2.0/24", .gw = {"203.0.113.1"});
	ADD(.dst = "198.51.100.0/24", .gw = {"203.0.113.1"});
	ADD(.dst = "2001:db8:1::/48", .gw = {"2001:db8:ffff::1"});
	ADD(.dst = "2001:db8:2::/48", .gw = {"2001:db8:ffff::1"});
	sets = S->sets;

	/* the dump after an overrun: one gone, one changed, one new, one same */
	sl_kernel_routes_resync_begin(K);
	ADD(.dst = "192.0.2.0/24", .gw = {"203.0.113.1"});
	ADD(.dst = "198.51.100.0/24", .gw = {"203.0.113.7"});
	ADD(.dst = "2001:db8:3::/48", .gw = {"2001:db8:ffff::3"});
	ADD(.dst = "2001:db8:2::/48", .type = RTN_UNREACHABLE);
	sl_kernel_routes_resync_end(K);

	assert_string_equal(via_of("192.0.2.0/24"), "203.0.113.1");
	assert_string_equal(via_of("198.51.100.0/24"), "203.0.113.7");
	assert_string_equal(via_of("2001:db8:1::/48"), "-");
	assert_string_equal(via_of("2001:db8:2::/48"), "-");
	assert_string_equal(via_of("2001:db8:3::/48"), "2001:db8:ffff::3");
	assert_int_equal(S->n, 3);
	assert_int_equal(st->mirrored, 3);
	/* the unchanged route was not set again */
	assert_int_equal(S->sets - sets, 2);
	assert_int_equal(st->resyncs, 1);

	/* an empty dump removes everything */
	sl_kernel_routes_resync_begin(K);
	sl_kernel_routes_resync_end(K);
	assert_int_equal(S->n, 0);
	assert_int_equal(st->mirrored, 0);
}

/* Thousands of prefixes: the map grows and a resync that keeps every
 * third one deletes exactly the others (deletion inside the map's scan). */
static void test_resync_many(void **state)
{
	enum { N = 6000 };
	char p[64];

	for (unsigned int i = 0; i < N; i++) {
		snprintf(p, sizeof(p), "%u.%u.%u.0/24", 20 + i / 65536, i / 256 % 256, i % 256);
		ADD(.dst = p, .gw = {"203.0.113.1"});
	}
	assert_int_equal(S->n, N);
	assert_int_equal(sl_kernel_routes_stats(K)->mirrored, N);
	sl_kernel_routes_resync_begin(K);
	for (unsigned int i = 0; i < N; i += 3) {
		snprintf(p, sizeof(p), "%u.%u.%u.0/24", 20 + i / 65536, i / 256 % 256, i % 256);
		ADD(.dst = p, .gw = {"203.0.113.1"});
	}
	sl_kernel_routes_resync_end(K);
	assert_int_equal(S->n, N / 3);
	assert_int_equal(sl_kernel_routes_stats(K)->mirrored, N / 3);
	for (unsigned int i = 0; i < N; i++) {
		snprintf(p, sizeof(p), "%u.%u.%u.0/24", 20 + i / 65536, i / 256 % 256, i % 256);
		assert_string_equal(via_of(p), i % 3 ? "-" : "203.0.113.1");
	}
	/* and what is left can still be found and removed one by one */
	for (unsigned int i = 0; i < N; i += 3) {
		snprintf(p, sizeof(p), "%u.%u.%u.0/24", 20 + i / 65536, i / 256 % 256, i % 256);
		DEL(.dst = p, .gw = {"203.0.113.1"});
	}
	assert_int_equal(S->n, 0);
	assert_int_equal(sl_kernel_routes_stats(K)->mirrored, 0);
}

/* A multipath route is not mirrored (ECMP: next slice), but an IPv6 one
 * can shrink to one next hop with a notification naming only the next hop
 * that left: that asks for a resync, which finds the rest. Deleting a
 * whole multipath route asks for none. */
static void test_multipath_shrinks(void **state)
{
	const struct sl_kr_stats *st = sl_kernel_routes_stats(K);

	ADD(.dst = "2001:db8:1::/48", .gw = {"2001:db8:ffff::1"}, .metric = 1024);
	assert_string_equal(via_of("2001:db8:1::/48"), "2001:db8:ffff::1");
	/* "ip -6 route append ... via 2001:db8:ffff::3": the whole route */
	ADD(.dst = "2001:db8:1::/48", .gw = {"2001:db8:ffff::1", "2001:db8:ffff::3"},
	    .metric = 1024);
	assert_string_equal(via_of("2001:db8:1::/48"), "-");
	assert_int_equal(st->mirrored, 0);
	assert_int_equal(st->skipped[SL_KR_SKIP_MULTIPATH], 1);
	/* "ip -6 route del ... via 2001:db8:ffff::1": the one next hop */
	DEL(.dst = "2001:db8:1::/48", .gw = {"2001:db8:ffff::1"}, .metric = 1024);
	assert_int_equal(st->resyncs_wanted, 1);
	sl_kernel_routes_resync_begin(K); /* what the dump then shows */
	ADD(.dst = "2001:db8:1::/48", .gw = {"2001:db8:ffff::3"}, .metric = 1024);
	sl_kernel_routes_resync_end(K);
	assert_string_equal(via_of("2001:db8:1::/48"), "2001:db8:ffff::3");
	assert_int_equal(st->mirrored, 1);

	ADD(.dst = "10.5.0.0/16", .gw = {"203.0.113.1", "203.0.113.2"});
	DEL(.dst = "10.5.0.0/16", .gw = {"203.0.113.1", "203.0.113.2"});
	assert_int_equal(st->resyncs_wanted, 1);
	/* the marker went with it: a later single route is plain */
	ADD(.dst = "10.5.0.0/16", .gw = {"203.0.113.2"});
	DEL(.dst = "10.5.0.0/16", .gw = {"203.0.113.2"});
	assert_int_equal(st->resyncs_wanted, 1);
	assert_string_equal(via_of("10.5.0.0/16"), "-");
	/* a resync forgets markers of routes gone meanwhile */
	ADD(.dst = "10.6.0.0/16", .gw = {"203.0.113.1", "203.0.113.2"});
	sl_kernel_routes_resync_begin(K);
	ADD(.dst = "2001:db8:1::/48", .gw = {"2001:db8:ffff::3"}, .metric = 1024);
	sl_kernel_routes_resync_end(K);
	DEL(.dst = "10.6.0.0/16", .gw = {"203.0.113.1"});
	assert_int_equal(st->resyncs_wanted, 1);
	assert_int_equal(st->mirrored, 1);
	assert_int_equal(S->n, 1);
}

/* The sink's group of `pfx` as "via*weight via*weight" in the sink's
 * order, or "-". */
static const char *group_of(const char *pfx)
{
	static char buf[4 * (SL_PFX_STRLEN + 8)];
	struct sl_pfx p;
	size_t o = 0;
	int i;

	assert_int_equal(sl_pfx_parse(pfx, &p, SL_PFX_NEED_LEN), SL_PFX_OK);
	i = find(S, &p);
	if (i < 0 || S->nvia[i] < 2)
		return "-";
	for (unsigned int k = 0; k < S->nvia[i]; k++) {
		char a[SL_PFX_STRLEN];

		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s*%u", k ? " " : "",
				      sl_ip_fmt(S->gvia[i][k].family, S->gvia[i][k].addr, a,
						sizeof(a)),
				      S->weight[i][k]);
	}
	return buf;
}

/* ECMP (issue 8): multipath routes of 2..4 gateways become groups with the
 * kernel's weights; a path leaving (BIRD withdrawing it after BFD went
 * down) replaces the group by what is left. */
static void test_multipath_groups(void **state)
{
	const struct sl_kr_stats *st = sl_kernel_routes_stats(K);

	ADD(.dst = "10.5.0.0/16", .gw = {"203.0.113.1", "203.0.113.2"}, .hops = {0, 2});
	assert_string_equal(group_of("10.5.0.0/16"), "203.0.113.1*1 203.0.113.2*3");
	assert_int_equal(st->mirrored, 1);
	assert_int_equal(S->group_sets, 1);
	/* one path withdrawn (IPv4: the whole route is replaced) */
	ADD(.dst = "10.5.0.0/16", .gw = {"203.0.113.2"});
	assert_string_equal(group_of("10.5.0.0/16"), "-");
	assert_string_equal(via_of("10.5.0.0/16"), "203.0.113.2");
	/* and back */
	ADD(.dst = "10.5.0.0/16", .gw = {"203.0.113.1", "203.0.113.2"});
	assert_string_equal(group_of("10.5.0.0/16"), "203.0.113.1*1 203.0.113.2*1");
	assert_int_equal(S->group_sets, 2);
	/* four paths are a group, five are not mirrored (the old group goes) */
	ADD(.dst = "10.6.0.0/16",
	    .gw = {"203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"});
	assert_string_equal(group_of("10.6.0.0/16"),
			    "203.0.113.1*1 203.0.113.2*1 203.0.113.3*1 203.0.113.4*1");
	ADD(.dst = "10.6.0.0/16",
	    .gw = {"203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5"});
	assert_int_equal(st->skipped[SL_KR_SKIP_MULTIPATH], 1);
	assert_string_equal(via_of("10.6.0.0/16"), "-");
	/* a member on no outside subnet: the route is refused whole */
	ADD(.dst = "10.7.0.0/16", .gw = {"203.0.113.1", "198.18.0.1"});
	assert_int_equal(st->skipped[SL_KR_SKIP_OFF_SUBNET], 1);
	assert_string_equal(via_of("10.7.0.0/16"), "-");

	/* IPv6: a deletion naming one next hop leaves the rest, published
	 * at once without a dump (test_ipv6_member_deletion) */
	ADD(.dst = "2001:db8:1::/48", .gw = {"2001:db8:ffff::1", "2001:db8:ffff::3"},
	    .metric = 1024);
	assert_string_equal(group_of("2001:db8:1::/48"),
			    "2001:db8:ffff::1*1 2001:db8:ffff::3*1");
	DEL(.dst = "2001:db8:1::/48", .gw = {"2001:db8:ffff::1"}, .metric = 1024);
	assert_int_equal(st->resyncs_wanted, 0);
	assert_string_equal(group_of("2001:db8:1::/48"), "-");
	assert_string_equal(via_of("2001:db8:1::/48"), "2001:db8:ffff::3");
	sl_kernel_routes_resync_begin(K);
	ADD(.dst = "10.5.0.0/16", .gw = {"203.0.113.1", "203.0.113.2"});
	ADD(.dst = "2001:db8:1::/48", .gw = {"2001:db8:ffff::3"}, .metric = 1024);
	sl_kernel_routes_resync_end(K);
	assert_string_equal(via_of("2001:db8:1::/48"), "2001:db8:ffff::3");
	assert_string_equal(group_of("2001:db8:1::/48"), "-");
	/* the resync re-set no unchanged group (nor the shrunk one) */
	assert_int_equal(S->group_sets, 4);
	assert_int_equal(st->sets, 6);
	assert_int_equal(S->n, 2);
	/* deleting a whole group removes the prefix */
	DEL(.dst = "10.5.0.0/16", .gw = {"203.0.113.1", "203.0.113.2"});
	assert_string_equal(via_of("10.5.0.0/16"), "-");
	assert_int_equal(st->mirrored, 1);
}

/*
 * IPv6 member deletion (issue 8): the kernel deletes one next hop of an
 * IPv6 multipath route with an RTM_DELROUTE naming only that hop (what a
 * BGP daemon's withdrawal of one path, or `ip -6 route del P via A`, makes);
 * the mirror publishes the rest from what it remembers, keeping the
 * others' weights, and dumps the table only when the deletion names a hop
 * it does not know.
 */
static void test_ipv6_member_deletion(void **state)
{
	const struct sl_kr_stats *st = sl_kernel_routes_stats(K);

	ADD(.dst = "2001:db8:7::/48",
	    .gw = {"2001:db8:ffff::3", "2001:db8:ffff::4", "2001:db8:ffff::5"}, .hops = {0, 1, 3},
	    .metric = 1024);
	assert_string_equal(group_of("2001:db8:7::/48"),
			    "2001:db8:ffff::3*1 2001:db8:ffff::4*2 2001:db8:ffff::5*4");
	/* a deletion of another metric's route leaves the group */
	DEL(.dst = "2001:db8:7::/48", .gw = {"2001:db8:ffff::4"}, .metric = 512);
	assert_string_equal(group_of("2001:db8:7::/48"),
			    "2001:db8:ffff::3*1 2001:db8:ffff::4*2 2001:db8:ffff::5*4");
	/* the middle member goes: the others keep their weights */
	DEL(.dst = "2001:db8:7::/48", .gw = {"2001:db8:ffff::4"}, .hops = {1}, .metric = 1024);
	assert_string_equal(group_of("2001:db8:7::/48"), "2001:db8:ffff::3*1 2001:db8:ffff::5*4");
	assert_int_equal(st->member_dels, 1);
	assert_int_equal(st->resyncs_wanted, 0);
	assert_int_equal(st->mirrored, 1);
	/* a hop that is not a member: only a dump can tell what the kernel has */
	DEL(.dst = "2001:db8:7::/48", .gw = {"2001:db8:ffff::9"}, .metric = 1024);
	assert_int_equal(st->resyncs_wanted, 1);
	assert_string_equal(group_of("2001:db8:7::/48"), "2001:db8:ffff::3*1 2001:db8:ffff::5*4");
	/* the dump shows what we published: nothing is set again */
	unsigned int sets = st->sets;

	sl_kernel_routes_resync_begin(K);
	ADD(.dst = "2001:db8:7::/48", .gw = {"2001:db8:ffff::5", "2001:db8:ffff::3"},
	    .hops = {3, 0}, .metric = 1024);
	sl_kernel_routes_resync_end(K);
	assert_int_equal(st->sets, sets);
	/* down to one: a plain via, and its deletion removes the prefix */
	DEL(.dst = "2001:db8:7::/48", .gw = {"2001:db8:ffff::5"}, .hops = {3}, .metric = 1024);
	assert_string_equal(group_of("2001:db8:7::/48"), "-");
	assert_string_equal(via_of("2001:db8:7::/48"), "2001:db8:ffff::3");
	assert_int_equal(st->member_dels, 2);
	DEL(.dst = "2001:db8:7::/48", .gw = {"2001:db8:ffff::3"}, .metric = 1024);
	assert_string_equal(via_of("2001:db8:7::/48"), "-");
	assert_int_equal(st->mirrored, 0);
	assert_int_equal(S->n, 0);

	/* two hops named at once out of four, and a group grown back by the
	 * kernel's whole-route notification (`ip -6 route append`) */
	ADD(.dst = "2001:db8:8::/48",
	    .gw = {"2001:db8:ffff::3", "2001:db8:ffff::4", "2001:db8:ffff::5", "2001:db8:ffff::6"},
	    .metric = 1024);
	DEL(.dst = "2001:db8:8::/48", .gw = {"2001:db8:ffff::6", "2001:db8:ffff::3"},
	    .metric = 1024);
	assert_string_equal(group_of("2001:db8:8::/48"), "2001:db8:ffff::4*1 2001:db8:ffff::5*1");
	ADD(.dst = "2001:db8:8::/48",
	    .gw = {"2001:db8:ffff::4", "2001:db8:ffff::5", "2001:db8:ffff::3"}, .metric = 1024);
	DEL(.dst = "2001:db8:8::/48", .gw = {"2001:db8:ffff::5"}, .metric = 1024);
	assert_string_equal(group_of("2001:db8:8::/48"), "2001:db8:ffff::4*1 2001:db8:ffff::3*1");
	assert_int_equal(st->member_dels, 5);
	assert_int_equal(st->resyncs_wanted, 1);

	/* IPv4 groups are replaced whole by the kernel: a deletion naming a
	 * hop deletes the prefix */
	ADD(.dst = "10.9.0.0/16", .gw = {"203.0.113.1", "203.0.113.2", "203.0.113.3"});
	DEL(.dst = "10.9.0.0/16", .gw = {"203.0.113.1"});
	assert_string_equal(via_of("10.9.0.0/16"), "-");
	assert_int_equal(st->member_dels, 5);
}

static void test_garbage_ignored(void **state)
{
	uint8_t junk[64];
	struct nlmsghdr *h = (struct nlmsghdr *)junk;

	memset(junk, 0xab, sizeof(junk));
	sl_kernel_routes_input(K, junk, sizeof(junk)); /* nlmsg_len too big */
	h->nlmsg_len = NLMSG_LENGTH(4);		       /* a route message too short */
	h->nlmsg_type = RTM_NEWROUTE;
	sl_kernel_routes_input(K, junk, sizeof(junk));
	sl_kernel_routes_input(K, junk, 3);
	assert_int_equal(S->n, 0);
	/* and the mirror still works */
	ADD(.dst = "192.0.2.0/24", .gw = {"203.0.113.1"});
	assert_int_equal(S->n, 1);
}

/* A multipath route whose second next hop says rtnh_len 0 (short_by 0),
 * or whose RTA_MULTIPATH attribute and last next hop are `short_by` bytes
 * shorter, so that the next hop's aligned length runs past the attribute:
 * libnl's parser would loop for ever on either, allocating next hops
 * (tests/fuzz/fuzz_netlink found both); the mirror refuses the message
 * before parsing and counts it. */
static void sl_check_bad_multipath(unsigned int short_by)
{
	struct rtnl_route *r = build(&(struct rt){.dst = "10.7.0.0/16",
						  .gw = {"203.0.113.1", "203.0.113.2"}});
	const struct sl_kr_stats *st = sl_kernel_routes_stats(K);
	struct nl_msg *m = NULL;
	struct nlmsghdr *h;
	struct nlattr *a;
	int rem;
	bool patched = false;

	assert_int_equal(rtnl_route_build_add_request(r, NLM_F_CREATE, &m), 0);
	h = nlmsg_hdr(m);
	nlmsg_for_each_attr(a, h, sizeof(struct rtmsg), rem)
	{
		if (nla_type(a) == RTA_MULTIPATH) {
			struct rtnexthop *nh = nla_data(a);

			nh = (struct rtnexthop *)((uint8_t *)nh + NLMSG_ALIGN(nh->rtnh_len));
			if (short_by == 0) {
				nh->rtnh_len = 0;
			} else {
				nh->rtnh_len -= short_by;
				a->nla_len -= short_by;
			}
			patched = true;
		}
	}
	assert_true(patched);
	sl_kernel_routes_input(K, h, h->nlmsg_len);
	assert_int_equal(st->malformed, 1);
	assert_int_equal(st->skipped[SL_KR_SKIP_MULTIPATH], 0);
	assert_int_equal(S->n, 0);
	/* the unpatched message is an ordinary multipath route */
	nlmsg_free(m);
	assert_int_equal(rtnl_route_build_add_request(r, NLM_F_CREATE, &m), 0);
	sl_kernel_routes_input(K, nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len);
	assert_int_equal(st->malformed, 1);
	assert_int_equal(st->skipped[SL_KR_SKIP_MULTIPATH], 1);
	nlmsg_free(m);
	rtnl_route_put(r);
}

static void test_zero_length_nexthop_refused(void **state)
{
	(void)state;
	sl_check_bad_multipath(0);
}

static void test_nexthop_past_attribute_refused(void **state)
{
	(void)state;
	sl_check_bad_multipath(2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_add_del_both_families, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unusable_routes_counted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_replaced_by_unusable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lowest_metric_wins, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_resync_reconciles, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_resync_many, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_multipath_shrinks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_multipath_groups, setup_group, teardown),
	    cmocka_unit_test_setup_teardown(test_ipv6_member_deletion, setup_group, teardown),
	    cmocka_unit_test_setup_teardown(test_garbage_ignored, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_zero_length_nexthop_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nexthop_past_attribute_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
