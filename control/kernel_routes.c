/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel routes (what is mirrored and the concurrency rules:
 * sl_kernel_routes.h).
 *
 * Design note: the mirror keeps its own map, prefix -> (gateway, metric,
 * resync epoch), of what it gave the route source (for an ECMP group, issue
 * 8: a fingerprint of its gateways and weights and their count instead of
 * the gateway), because a resync must
 * find the prefixes the kernel no longer has and because a deletion names
 * a route (prefix + metric), not just a prefix. Notifications are parsed
 * with libnl (rtnl_route_parse) from datagrams read straight off the
 * sockets: one recv per datagram, no per-message callbacks, and the
 * overrun (ENOBUFS) is seen directly.
 *
 * Ordering argument for the resync: after an overrun the queued
 * notifications are older than the loss, so replaying them after a fresh
 * dump could undo a change whose later notification was dropped. The
 * monitor queue is therefore drained (discarded) before the dump; what
 * arrives during and after the dump is replayed after it, and since every
 * notification carries a route's whole state, the last one per route wins
 * whatever the dump saw. An interrupted dump (NLM_F_DUMP_INTR) may miss
 * routes, so it is repeated.
 *
 * IPv6 groups (issue 8) also keep their vias and weights (a small heap
 * block per group prefix, IPv6 only): the kernel deletes one next hop of an
 * IPv6 multipath route with an RTM_DELROUTE naming only that hop and says
 * nothing of what is left, so the mirror takes the named hops out of what
 * it remembers and publishes the rest (a smaller group, or a single via)
 * instead of dumping the whole table again (about 1 s at 100,000 routes).
 * IPv4 needs no such thing: the kernel replaces an IPv4 route whole.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

#include "sl_ctl.h"
#include "sl_ctl_log.h"
#include "sl_kernel_routes.h"

#define SL_KR_RCVBUF (256u << 20) /**< monitor socket buffer (root: forced) */
#define SL_KR_BUF (64u * 1024)	  /**< one datagram (dumps: <= 32 KiB) */
#define SL_KR_TURN_DGRAMS 4096	  /**< datagrams per loop turn */
#define SL_KR_LOG_EVERY_S 10	  /**< one log line per skip reason */
#define SL_KR_DUMP_TRIES 5	  /**< interrupted dumps before giving up */

/* ---- the map: open addressing, linear probing, backward-shift deletion -- */

/** The members of a mirrored IPv6 group, in the order last published. */
struct sl_kr_grp {
	sl_u128 via[SL_NHG_MAX];
	uint16_t weight[SL_NHG_MAX];
};

struct sl_kr_entry {
	sl_u128 addr; /**< network address (host order) */
	sl_u128 via;
	uint32_t prio;	/**< the kernel route's metric */
	uint32_t epoch; /**< resync epoch when last seen */
	uint8_t len;
	uint8_t family; /**< 0: empty slot */
	bool shadow;	/**< the kernel had another route for the prefix */
	bool mirrored;	/**< false: a marker for a multipath route (not in
			 * the route source) */
	uint8_t n_via;	/**< next hops mirrored: 1, or a group's (ECMP, issue
			 * 8: `via` is then a fingerprint of vias and
			 * weights, for the resync's "unchanged" test) */
	struct sl_kr_grp *grp; /**< a mirrored IPv6 group's members (owned;
				* NULL otherwise, or out of memory) */
};

struct sl_kr_map {
	struct sl_kr_entry *e;
	size_t cap; /**< power of two */
	size_t n;
};

static size_t sl_kr_hash(const struct sl_kr_map *m, const struct sl_pfx *p)
{
	uint64_t h = (uint64_t)p->addr ^ ((uint64_t)(p->addr >> 64) * 0x9e3779b97f4a7c15ull);

	h ^= ((uint64_t)p->len << 8 | p->family) * 0xc2b2ae3d27d4eb4full;
	h *= 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 17) & (m->cap - 1);
}

static bool sl_kr_key_eq(const struct sl_kr_entry *e, const struct sl_pfx *p)
{
	return e->family == p->family && e->len == p->len && e->addr == p->addr;
}

static struct sl_kr_entry *sl_kr_find(const struct sl_kr_map *m, const struct sl_pfx *p)
{
	if (m->cap == 0)
		return NULL;
	for (size_t i = sl_kr_hash(m, p);; i = (i + 1) & (m->cap - 1)) {
		if (m->e[i].family == 0)
			return NULL;
		if (sl_kr_key_eq(&m->e[i], p))
			return &m->e[i];
	}
}

static int sl_kr_grow(struct sl_kr_map *m)
{
	struct sl_kr_map n = {.cap = m->cap ? m->cap * 2 : 1024};

	n.e = calloc(n.cap, sizeof(*n.e));
	if (n.e == NULL)
		return -ENOMEM;
	for (size_t j = 0; j < m->cap; j++) {
		struct sl_kr_entry *o = &m->e[j];
		struct sl_pfx p = {.addr = o->addr, .len = o->len, .family = o->family};
		size_t i;

		if (o->family == 0)
			continue;
		for (i = sl_kr_hash(&n, &p); n.e[i].family; i = (i + 1) & (n.cap - 1))
			;
		n.e[i] = *o;
		n.n++;
	}
	free(m->e);
	*m = n;
	return 0;
}

/* An empty entry for a prefix not in the map, or NULL (out of memory). */
static struct sl_kr_entry *sl_kr_insert(struct sl_kr_map *m, const struct sl_pfx *p)
{
	size_t i;

	if ((m->n + 1) * 4 > m->cap * 3 && sl_kr_grow(m) < 0) /* load <= 3/4 */
		return NULL;
	for (i = sl_kr_hash(m, p); m->e[i].family; i = (i + 1) & (m->cap - 1))
		;
	memset(&m->e[i], 0, sizeof(m->e[i]));
	m->e[i].addr = p->addr;
	m->e[i].len = p->len;
	m->e[i].family = p->family;
	m->n++;
	return &m->e[i];
}

static void sl_kr_remove(struct sl_kr_map *m, struct sl_kr_entry *e)
{
	size_t hole = (size_t)(e - m->e), mask = m->cap - 1;

	free(e->grp);
	/* shift later members of the cluster back unless that would move one
	 * before its home slot */
	for (size_t j = (hole + 1) & mask; m->e[j].family; j = (j + 1) & mask) {
		struct sl_pfx p = {
		    .addr = m->e[j].addr, .len = m->e[j].len, .family = m->e[j].family};
		size_t home = sl_kr_hash(m, &p);

		if (((j - home) & mask) >= ((j - hole) & mask)) {
			m->e[hole] = m->e[j];
			hole = j;
		}
	}
	m->e[hole].family = 0;
	m->e[hole].grp = NULL; /* moved away, or freed above */
	m->n--;
}

/* ---- the mirror ---------------------------------------------------------- */

struct sl_kernel_routes {
	uint32_t table;
	struct sl_kr_sink sink;
	struct nl_sock *mon, *cmd; /**< NULL in the socket-free core */
	bool no_filter;		   /**< the kernel refused a filtered dump */
	bool resync_wanted;
	bool in_resync;
	uint32_t epoch;
	unsigned int pending; /**< changes since the last commit */
	struct sl_kr_map map;
	struct sl_kr_stats st;
	time_t last_log[SL_KR_SKIP_MAX];
	uint64_t logged[SL_KR_SKIP_MAX]; /**< skipped[] at the last log line */
	uint8_t buf[SL_KR_BUF];
};

static const char *const sl_kr_skip_names[SL_KR_SKIP_MAX] = {
    [SL_KR_SKIP_TYPE] = "not a unicast route (blackhole, unreachable, prohibit, ...)",
    [SL_KR_SKIP_TOS] = "a TOS-specific route",
    [SL_KR_SKIP_MULTIPATH] = "multipath with more than 4 next hops (or no group sink)",
    [SL_KR_SKIP_NO_GATEWAY] = "no gateway (device route or nexthop object)",
    [SL_KR_SKIP_GW_FAMILY] = "a gateway of the other address family",
    [SL_KR_SKIP_OFF_SUBNET] = "the gateway is on no outside subnet",
    [SL_KR_SKIP_REJECTED] = "refused by the route source",
};

static void sl_kr_skip(struct sl_kernel_routes *k, enum sl_kr_skip why, const struct sl_pfx *dst,
		       const struct nl_addr *gw)
{
	struct timespec now;
	char d[SL_PFX_STRLEN], g[64] = "-";

	k->st.skipped[why]++;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (k->logged[why] != 0 && now.tv_sec - k->last_log[why] < SL_KR_LOG_EVERY_S)
		return;
	if (gw)
		nl_addr2str(gw, g, sizeof(g));
	SL_WARN("kernel routes: table %" PRIu32 ": %s via %s not used: %s (%" PRIu64
		" such event(s) since the last line)",
		k->table, sl_pfx_fmt(dst, d, sizeof(d)), g, sl_kr_skip_names[why],
		k->st.skipped[why] - k->logged[why]);
	k->last_log[why] = now.tv_sec;
	k->logged[why] = k->st.skipped[why];
}

/* A libnl address as a prefix (host bits cleared) or, with `host`, as an
 * address. */
static int sl_kr_nl2pfx(const struct nl_addr *a, uint8_t family, bool host, struct sl_pfx *p)
{
	unsigned int bits = family == SL_AF_INET6 ? 128 : 32;
	unsigned int len = nl_addr_get_len(a);
	uint8_t b[16] = {0};

	if (len > bits / 8 || nl_addr_get_prefixlen(a) > bits || (host && len != bits / 8))
		return -EINVAL;
	if (len)
		memcpy(b, nl_addr_get_binary_addr(a), len);
	p->family = family;
	p->len = host ? (uint8_t)bits : (uint8_t)nl_addr_get_prefixlen(a);
	p->addr = sl_addr_from_bytes(family, b);
	p->addr = sl_pfx_first(p);
	return 0;
}

enum sl_kr_class { SL_KR_USE = -1, SL_KR_IGNORE = -2 };

/* What a usable route goes to: one via, or (ECMP) a group's. */
struct sl_kr_hops {
	struct sl_pfx via[SL_NHG_MAX];
	uint16_t weight[SL_NHG_MAX];
	unsigned int n;
};

/* `via` and `weight` of next hop `nh` of a route of family `fam`: 0 or a
 * skip reason (*gwp: the gateway to log). */
static int sl_kr_hop(struct rtnl_nexthop *nh, int af, uint8_t fam, struct sl_pfx *via,
		     uint16_t *weight, struct nl_addr **gwp)
{
	struct nl_addr *gw = nh ? rtnl_route_nh_get_gateway(nh) : NULL;

	if (gw == NULL && nh && rtnl_route_nh_get_via(nh)) {
		*gwp = rtnl_route_nh_get_via(nh);
		return SL_KR_SKIP_GW_FAMILY;
	}
	if (gw == NULL)
		return SL_KR_SKIP_NO_GATEWAY;
	*gwp = gw;
	if (nl_addr_get_family(gw) != af || sl_kr_nl2pfx(gw, fam, true, via) < 0)
		return SL_KR_SKIP_GW_FAMILY;
	*weight = (uint16_t)(rtnl_route_nh_get_weight(nh) + 1u); /* rtnh_hops + 1 */
	return 0;
}

/* SL_KR_USE (dst, hops filled), SL_KR_IGNORE (another table or family, a
 * cache entry) or a skip reason (dst filled). */
static int sl_kr_classify(const struct sl_kernel_routes *k, struct rtnl_route *r,
			  struct sl_pfx *dst, struct sl_kr_hops *hops, struct nl_addr **gwp)
{
	int af = rtnl_route_get_family(r);
	uint8_t fam = af == AF_INET ? SL_AF_INET : af == AF_INET6 ? SL_AF_INET6 : 0;
	int n = rtnl_route_get_nnexthops(r), why;

	*gwp = NULL;
	hops->n = 0;
	if (fam == 0 || rtnl_route_get_table(r) != k->table ||
	    (rtnl_route_get_flags(r) & RTM_F_CLONED) || rtnl_route_get_dst(r) == NULL ||
	    sl_kr_nl2pfx(rtnl_route_get_dst(r), fam, false, dst) < 0)
		return SL_KR_IGNORE;
	if (rtnl_route_get_type(r) != RTN_UNICAST)
		return SL_KR_SKIP_TYPE;
	if (rtnl_route_get_tos(r) != 0)
		return SL_KR_SKIP_TOS;
	if (n > 1 && (n > SL_NHG_MAX || k->sink.set_group == NULL))
		return SL_KR_SKIP_MULTIPATH;
	if (n == 0)
		return sl_kr_hop(NULL, af, fam, &hops->via[0], &hops->weight[0], gwp);
	for (int i = 0; i < n; i++) {
		why = sl_kr_hop(rtnl_route_nexthop_n(r, i), af, fam, &hops->via[i],
				&hops->weight[i], gwp);
		if (why != 0)
			return why;
	}
	hops->n = (unsigned int)n;
	if (n == 1)
		hops->weight[0] = 1;
	return SL_KR_USE;
}

/* What the map remembers of the hops: the via, or a fingerprint of a
 * group's vias and weights (order-independent: the kernel keeps its own). */
static sl_u128 sl_kr_hops_key(const struct sl_kr_hops *h)
{
	uint64_t a = 0, b = 0;

	if (h->n == 1)
		return h->via[0].addr;
	for (unsigned int i = 0; i < h->n; i++) {
		uint64_t x = (uint64_t)h->via[i].addr ^ (uint64_t)(h->via[i].addr >> 64) * 31 ^
			     (uint64_t)h->weight[i] << 48;

		x *= 0x9e3779b97f4a7c15ull;
		a += x ^ (x >> 29);
		b ^= (x >> 7) * 0xc2b2ae3d27d4eb4full;
	}
	return (sl_u128)a << 64 | (b | 1); /* never a plain IPv4 via */
}

static void sl_kr_want_resync(struct sl_kernel_routes *k)
{
	k->resync_wanted = true;
	k->st.resyncs_wanted++;
}

/* Forget an entry; a mirrored one leaves the route source. */
static void sl_kr_drop(struct sl_kernel_routes *k, struct sl_kr_entry *e)
{
	struct sl_pfx p = {.addr = e->addr, .len = e->len, .family = e->family};
	int rc;

	if (e->shadow)
		sl_kr_want_resync(k); /* the kernel may still have another */
	if (e->mirrored) {
		rc = k->sink.del(k->sink.arg, &p);
		/* -ENOENT: another source removed it meanwhile (last writer
		 * wins) */
		if (rc < 0 && rc != -ENOENT) {
			char b[SL_PFX_STRLEN];

			SL_WARN("kernel routes: removing %s: %s", sl_pfx_fmt(&p, b, sizeof(b)),
				strerror(-rc));
		}
		if (rc == 0)
			k->pending++;
		k->st.dels++;
		k->st.mirrored--;
	}
	sl_kr_remove(&k->map, e);
}

/* Remember that the kernel has a multipath route for `dst` with metric
 * `prio`: an IPv6 multipath route can lose a next hop with a notification
 * that names only that one (RTM_DELROUTE), and what is left is a route
 * that must then be mirrored without any notification saying so. */
static void sl_kr_mark(struct sl_kernel_routes *k, struct sl_kr_entry *e, const struct sl_pfx *dst,
		       uint32_t prio)
{
	if (e == NULL && (e = sl_kr_insert(&k->map, dst)) == NULL)
		return; /* out of memory: only the corner case above is lost */
	free(e->grp);
	e->grp = NULL;
	e->mirrored = false;
	e->prio = prio;
	e->epoch = k->epoch;
}

/* Give the route source `dst` via `hops`: 0 or its error. */
static int sl_kr_publish(struct sl_kernel_routes *k, const struct sl_pfx *dst,
			 const struct sl_kr_hops *hops)
{
	int rc = hops->n > 1 ? k->sink.set_group(k->sink.arg, dst, hops->via, hops->weight, hops->n)
			     : k->sink.set(k->sink.arg, dst, &hops->via[0]);

	if (rc == 0) {
		k->pending++;
		k->st.sets++;
	}
	return rc;
}

/* Remember that `dst` (entry `e`, or none yet) was published via `hops`
 * with metric `prio`. */
static void sl_kr_keep(struct sl_kernel_routes *k, struct sl_kr_entry *e, const struct sl_pfx *dst,
		       const struct sl_kr_hops *hops, uint32_t prio)
{
	if (e && !e->mirrored) {
		e->mirrored = true;
		k->st.mirrored++;
	}
	if (e == NULL && (e = sl_kr_insert(&k->map, dst)) == NULL) {
		/* set in the source but not remembered: a later resync cannot
		 * remove it, so say so */
		SL_ERR("kernel routes: out of memory; %s stays until restart",
		       sl_pfx_fmt(dst, (char[SL_PFX_STRLEN]){0}, SL_PFX_STRLEN));
		return;
	}
	if (!e->mirrored) { /* just inserted */
		e->mirrored = true;
		k->st.mirrored++;
	}
	e->via = sl_kr_hops_key(hops);
	e->n_via = (uint8_t)hops->n;
	e->prio = prio;
	e->epoch = k->epoch;
	if (hops->n < 2 || dst->family != SL_AF_INET6) {
		free(e->grp);
		e->grp = NULL;
		return;
	}
	/* out of memory: a later member deletion falls back to a dump */
	if (e->grp == NULL && (e->grp = malloc(sizeof(*e->grp))) == NULL)
		return;
	for (unsigned int i = 0; i < hops->n; i++) {
		e->grp->via[i] = hops->via[i].addr;
		e->grp->weight[i] = hops->weight[i];
	}
}

/*
 * An IPv6 group (entry `e`) losing the next hops `gone` names (the
 * kernel's RTM_DELROUTE of some of its hops): publish what is left, a
 * smaller group or a single via, without a dump. false when the deletion
 * does not match what is remembered (the caller dumps the table).
 */
static bool sl_kr_shrink(struct sl_kernel_routes *k, struct sl_kr_entry *e,
			 const struct sl_pfx *dst, const struct sl_kr_hops *gone)
{
	struct sl_kr_hops left = {.n = 0};
	bool out[SL_NHG_MAX] = {false};
	int rc;

	if (e->grp == NULL || gone->n == 0 || gone->n >= e->n_via)
		return false;
	for (unsigned int i = 0; i < gone->n; i++) {
		unsigned int j = 0;

		while (j < e->n_via && (out[j] || e->grp->via[j] != gone->via[i].addr))
			j++;
		if (j == e->n_via)
			return false; /* not a member we know of */
		out[j] = true;
	}
	for (unsigned int j = 0; j < e->n_via; j++) {
		if (out[j])
			continue;
		left.via[left.n] =
		    (struct sl_pfx){.addr = e->grp->via[j], .len = 128, .family = SL_AF_INET6};
		left.weight[left.n++] = e->grp->weight[j];
	}
	if (left.n == 1)
		left.weight[0] = 1;
	rc = sl_kr_publish(k, dst, &left);
	if (rc < 0) {
		sl_kr_skip(k, rc == -ENETUNREACH ? SL_KR_SKIP_OFF_SUBNET : SL_KR_SKIP_REJECTED, dst,
			   NULL);
		sl_kr_drop(k, e);
		return true;
	}
	k->st.member_dels += gone->n;
	sl_kr_keep(k, e, dst, &left, e->prio);
	return true;
}

static void sl_kr_apply(struct sl_kernel_routes *k, bool add, struct rtnl_route *r)
{
	struct sl_pfx dst;
	struct sl_kr_hops hops;
	struct nl_addr *gw;
	int why = sl_kr_classify(k, r, &dst, &hops, &gw);
	uint32_t prio = rtnl_route_get_priority(r);
	sl_u128 key = why == SL_KR_USE ? sl_kr_hops_key(&hops) : 0;
	struct sl_kr_entry *e;
	int rc;

	if (why == SL_KR_IGNORE)
		return;
	e = sl_kr_find(&k->map, &dst);
	if (!add) {
		/* another metric's route going leaves ours (and the shadow
		 * flag: there may be a third) */
		if (e == NULL || e->prio != prio)
			return;
		/* an IPv6 group losing some of its next hops (a deletion
		 * names only those): the rest stays, published without them;
		 * a deletion that does not match what we remember is sorted
		 * out by a dump (the group keeps forwarding until then) */
		if (e->mirrored && e->n_via > 1 && dst.family == SL_AF_INET6 &&
		    (unsigned int)rtnl_route_get_nnexthops(r) < e->n_via) {
			if (why != SL_KR_USE || !sl_kr_shrink(k, e, &dst, &hops))
				sl_kr_want_resync(k);
			return;
		}
		/* one next hop leaving a multipath route: the rest stays */
		if (!e->mirrored && rtnl_route_get_nnexthops(r) <= 1)
			sl_kr_want_resync(k);
		sl_kr_drop(k, e);
		return;
	}
	if (why != SL_KR_USE) {
		sl_kr_skip(k, (enum sl_kr_skip)why, &dst, gw);
		if (e && e->prio != prio) {
			e->shadow = true;
			return;
		}
		if (e && why != SL_KR_SKIP_MULTIPATH) {
			sl_kr_drop(k, e); /* replaced by one we cannot use */
			return;
		}
		if (why != SL_KR_SKIP_MULTIPATH)
			return;
		if (e && e->mirrored) { /* became multipath: not ours any more */
			sl_kr_drop(k, e);
			e = NULL;
		}
		sl_kr_mark(k, e, &dst, prio);
		return;
	}
	if (e && e->prio != prio) {
		e->shadow = true;
		if (prio > e->prio) { /* the kernel forwards by the lower metric */
			k->st.shadowed++;
			return;
		}
	}
	/* a resync re-sets nothing that did not change; a notification always
	 * sets (the feed may have overwritten the prefix: last writer wins) */
	if (e && e->mirrored && k->in_resync && e->via == key && e->n_via == hops.n) {
		e->prio = prio;
		e->epoch = k->epoch;
		return;
	}
	rc = sl_kr_publish(k, &dst, &hops);
	if (rc < 0) {
		sl_kr_skip(k, rc == -ENETUNREACH ? SL_KR_SKIP_OFF_SUBNET : SL_KR_SKIP_REJECTED,
			   &dst, gw);
		if (e)
			sl_kr_drop(k, e);
		return;
	}
	sl_kr_keep(k, e, &dst, &hops, prio);
}

/* The address length of an AF_INET/AF_INET6 family, 0 for any other. */
static int sl_kr_addr_len(unsigned int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/*
 * One run of route attributes (a message's, or a multipath next hop's) of
 * a route of `alen`-byte addresses: what libnl's rtnl_route_parse() and
 * nl_addr2str() would otherwise trust. libnl builds addresses from
 * attribute lengths unchecked (an RTA_VIA shorter than its family field is
 * a negative memcpy, a 4-byte gateway of an IPv6 route is printed as 16
 * bytes) and loops for ever on a multipath next hop of length 0 or one
 * whose aligned length runs past the attribute (all found by
 * tests/fuzz/fuzz_netlink). The kernel never sends such
 * messages, but nothing may make sluiced crash or spin.
 */
static bool sl_kr_attrs_sane(const struct nlattr *head, int len, int alen, int depth)
{
	const struct nlattr *a;
	int rem;

	nla_for_each_attr(a, head, len, rem)
	{
		int n = nla_len(a);

		switch (nla_type(a)) {
		case RTA_DST:
		case RTA_SRC:
		case RTA_PREFSRC:
			if (n != alen)
				return false;
			break;
		case RTA_GATEWAY:
			/* an IPv6 gateway of an IPv4 route is the classifier's
			 * (SL_KR_SKIP_GW_FAMILY); shorter than the route's own
			 * family is malformed */
			if (n < alen || (n != 4 && n != 16))
				return false;
			break;
		case RTA_VIA: {
			const struct rtvia *v = nla_data(a);

			if (n < (int)sizeof(*v) || sl_kr_addr_len(v->rtvia_family) == 0 ||
			    n - (int)sizeof(*v) != sl_kr_addr_len(v->rtvia_family))
				return false;
			break;
		}
		case RTA_MULTIPATH: {
			const struct rtnexthop *nh = nla_data(a);
			int left = n;

			if (depth > 0)
				return false; /* no multipath inside a next hop */
			while (left > 0) {
				/* libnl subtracts the aligned length from a
				 * size_t: a last next hop whose aligned
				 * length passes the end wraps it around and
				 * loops allocating next hops (fuzz_netlink) */
				if (left < (int)sizeof(*nh) || nh->rtnh_len < sizeof(*nh) ||
				    (int)RTNH_ALIGN(nh->rtnh_len) > left)
					return false;
				if (!sl_kr_attrs_sane((const struct nlattr *)RTNH_DATA(nh),
						      nh->rtnh_len - (int)sizeof(*nh), alen,
						      depth + 1))
					return false;
				left -= RTNH_ALIGN(nh->rtnh_len);
				nh = RTNH_NEXT(nh);
			}
			break;
		}
		default:
			break;
		}
	}
	return true; /* trailing bytes after the last attribute: libnl skips them */
}

/* 1 sane, 0 malformed, -1 a route of another family (not ours to mirror). */
static int sl_kr_msg_sane(const struct nlmsghdr *h)
{
	const struct rtmsg *rtm = nlmsg_data(h);
	int alen;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
		return 0;
	alen = sl_kr_addr_len(rtm->rtm_family);
	if (alen == 0)
		return -1;
	if (rtm->rtm_dst_len > alen * 8 || rtm->rtm_src_len > alen * 8)
		return 0;
	return sl_kr_attrs_sane(nlmsg_attrdata(h, sizeof(struct rtmsg)),
				nlmsg_attrlen(h, sizeof(struct rtmsg)), alen, 0);
}

void sl_kernel_routes_input(struct sl_kernel_routes *k, const void *buf, size_t len)
{
	int rem = (int)len;

	for (struct nlmsghdr *h = (struct nlmsghdr *)buf; nlmsg_ok(h, rem);
	     h = nlmsg_next(h, &rem)) {
		struct rtnl_route *r = NULL;
		int sane;

		if (h->nlmsg_type != RTM_NEWROUTE && h->nlmsg_type != RTM_DELROUTE)
			continue;
		sane = sl_kr_msg_sane(h);
		if (sane < 0)
			continue;
		if (sane == 0) {
			if (k->st.malformed++ == 0)
				SL_WARN("kernel routes: a malformed route message ignored "
					"(counted in the mirror's stats from now on)");
			continue;
		}
		if (rtnl_route_parse(h, &r) < 0 || r == NULL) {
			SL_DEBUG("kernel routes: an unparsable route message");
			continue;
		}
		sl_kr_apply(k, h->nlmsg_type == RTM_NEWROUTE, r);
		rtnl_route_put(r);
	}
}

void sl_kernel_routes_resync_begin(struct sl_kernel_routes *k)
{
	k->epoch++;
	k->in_resync = true;
}

void sl_kernel_routes_resync_end(struct sl_kernel_routes *k)
{
	/* deleting shifts later entries back into slot i: look at i again */
	for (size_t i = 0; i < k->map.cap;) {
		struct sl_kr_entry *e = &k->map.e[i];

		if (e->family && e->epoch != k->epoch)
			sl_kr_drop(k, e);
		else
			i++;
	}
	k->in_resync = false;
	k->st.resyncs++;
}

int sl_kernel_routes_commit(struct sl_kernel_routes *k)
{
	int rc;

	if (k->pending == 0)
		return 0;
	rc = k->sink.commit(k->sink.arg);
	if (rc == 0)
		k->pending = 0;
	return rc;
}

struct sl_kernel_routes *sl_kernel_routes_new(uint32_t table, const struct sl_kr_sink *sink)
{
	struct sl_kernel_routes *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return NULL;
	k->table = table;
	k->sink = *sink;
	return k;
}

const struct sl_kr_stats *sl_kernel_routes_stats(const struct sl_kernel_routes *k)
{
	return &k->st;
}

void sl_kernel_routes_close(struct sl_kernel_routes *k)
{
	if (k == NULL)
		return;
	if (k->mon)
		nl_socket_free(k->mon);
	if (k->cmd)
		nl_socket_free(k->cmd);
	for (size_t i = 0; i < k->map.cap; i++)
		free(k->map.e[i].grp);
	free(k->map.e);
	free(k);
}

/* ---- sockets ------------------------------------------------------------- */

/* One datagram into k->buf: its length, 0 for one that did not come from
 * the kernel (another process may send to our port id: ignored and
 * counted), or -1 with errno. */
static ssize_t sl_kr_recv(struct sl_kernel_routes *k, int fd, int flags)
{
	struct sockaddr_nl from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(fd, k->buf, sizeof(k->buf), flags, (struct sockaddr *)&from, &fl);

	if (n > 0 && (fl < sizeof(from) || from.nl_pid != 0)) {
		if (k->st.foreign++ == 0)
			SL_WARN("kernel routes: a netlink message from pid %u, not the kernel, "
				"ignored (counted from now on)",
				fl >= sizeof(from) ? from.nl_pid : 0);
		return 0;
	}
	return n;
}

/* One dump request of `af` for the table; the replies go through
 * sl_kernel_routes_input. 0, -EAGAIN (interrupted: repeat) or -errno. */
static int sl_kr_dump(struct sl_kernel_routes *k, int af)
{
	struct rtmsg rtm = {.rtm_family = (uint8_t)af};
	int fd = nl_socket_get_fd(k->cmd);
	bool intr = false;
	struct nl_msg *m;
	uint32_t seq;
	int rc;

	m = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_DUMP);
	if (m == NULL)
		return -ENOMEM;
	/* filtered by the kernel (strict checking): only table N travels */
	if (!k->no_filter)
		rtm.rtm_table = k->table < 256 ? (uint8_t)k->table : RT_TABLE_UNSPEC;
	if (nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    (!k->no_filter && nla_put_u32(m, RTA_TABLE, k->table) < 0)) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	rc = nl_send_auto(k->cmd, m);
	seq = nlmsg_hdr(m)->nlmsg_seq;
	nlmsg_free(m);
	if (rc < 0)
		return -EIO;
	for (;;) {
		ssize_t n = sl_kr_recv(k, fd, 0);
		int rem;

		if (n == 0 || (n < 0 && errno == EINTR))
			continue;
		if (n < 0)
			return -errno;
		rem = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)k->buf; nlmsg_ok(h, rem);
		     h = nlmsg_next(h, &rem)) {
			if (h->nlmsg_seq != seq)
				continue;
			intr |= (h->nlmsg_flags & NLM_F_DUMP_INTR) != 0;
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				int err = h->nlmsg_len >= NLMSG_LENGTH(sizeof(int))
					      ? *(int *)NLMSG_DATA(h)
					      : 0;

				if (err == -ENOENT) /* no such table (yet): empty */
					err = 0;
				return err < 0 ? err : intr ? -EAGAIN : 0;
			}
			sl_kernel_routes_input(k, h, h->nlmsg_len);
		}
	}
}

/* Discard the monitor's queue: a dump follows (see the design note). */
static void sl_kr_drain(struct sl_kernel_routes *k)
{
	int fd = nl_socket_get_fd(k->mon);

	for (unsigned int i = 0; i < 1u << 20; i++) {
		ssize_t n = recv(fd, k->buf, sizeof(k->buf), MSG_DONTWAIT);

		if (n < 0 && errno != EINTR && errno != ENOBUFS)
			return; /* EAGAIN: empty */
	}
}

static int sl_kr_resync(struct sl_kernel_routes *k)
{
	struct timespec t0, t1;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	k->resync_wanted = false;
	for (int tries = 0; tries < SL_KR_DUMP_TRIES; tries++) {
		sl_kr_drain(k);
		sl_kernel_routes_resync_begin(k);
		rc = sl_kr_dump(k, AF_INET);
		if (rc == 0)
			rc = sl_kr_dump(k, AF_INET6);
		if (rc == -EINVAL && !k->no_filter) {
			/* a kernel without strict dump checking: filter here */
			SL_INFO("kernel routes: filtered dump refused, dumping all tables");
			k->no_filter = true;
			tries--;
			continue;
		}
		if (rc != -EAGAIN)
			break;
		SL_DEBUG("kernel routes: dump interrupted by a change, repeating");
	}
	if (rc < 0) {
		/* nothing is deleted on a failed dump: a later overrun or
		 * restart tries again */
		k->in_resync = false;
		SL_ERR("kernel routes: dumping table %" PRIu32 ": %s", k->table, strerror(-rc));
		return rc;
	}
	sl_kernel_routes_resync_end(k);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	SL_INFO("kernel routes: table %" PRIu32 " synced: %" PRIu64 " prefix(es) mirrored, "
		"%u change(s), %.3f s",
		k->table, k->st.mirrored, k->pending,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}

void sl_kernel_routes_run(struct sl_kernel_routes *k)
{
	int fd = nl_socket_get_fd(k->mon);

	for (unsigned int i = 0; i < SL_KR_TURN_DGRAMS && !k->resync_wanted; i++) {
		ssize_t n = sl_kr_recv(k, fd, MSG_DONTWAIT);

		if (n == 0)
			continue; /* not from the kernel */
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			k->st.overruns++;
			SL_WARN("kernel routes: notifications lost (socket buffer overrun): "
				"resyncing table %" PRIu32,
				k->table);
			k->resync_wanted = true;
			break;
		}
		if (n < 0) {
			if (errno != EAGAIN)
				SL_WARN("kernel routes: recv: %s", strerror(errno));
			break;
		}
		sl_kernel_routes_input(k, k->buf, (size_t)n);
	}
	if (k->resync_wanted)
		sl_kr_resync(k);
	if (sl_kernel_routes_commit(k) < 0)
		SL_WARN("kernel routes: %u change(s) wait for the next publish", k->pending);
}

int sl_kernel_routes_fd(const struct sl_kernel_routes *k)
{
	return nl_socket_get_fd(k->mon);
}

/* ---- sluiced's route source as the sink ----------------------------------- */

static int sl_kr_ctl_set(void *arg, const struct sl_pfx *p, const struct sl_pfx *via)
{
	return sl_ctl_inet_set(arg, p, via);
}

static int sl_kr_ctl_set_group(void *arg, const struct sl_pfx *p, const struct sl_pfx *via,
			       const uint16_t *weight, unsigned int n)
{
	return sl_ctl_inet_set_group(arg, p, via, weight, n);
}

static int sl_kr_ctl_del(void *arg, const struct sl_pfx *p)
{
	return sl_ctl_inet_del(arg, p);
}

static int sl_kr_ctl_commit(void *arg)
{
	return sl_ctl_commit(arg, "kernel routes", NULL);
}

static struct nl_sock *sl_kr_socket(bool monitor, char *err, size_t errlen)
{
	struct nl_sock *s = nl_socket_alloc();
	int one = 1, rc;

	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	nl_socket_disable_auto_ack(s);
	if (monitor)
		nl_socket_disable_seq_check(s);
	rc = nl_connect(s, NETLINK_ROUTE);
	if (rc == 0 && monitor)
		rc = nl_socket_add_memberships(s, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, 0);
	if (rc == 0 && monitor)
		rc = nl_socket_set_nonblocking(s);
	if (rc < 0) {
		snprintf(err, errlen, "netlink %s socket: %s", monitor ? "monitor" : "command",
			 nl_geterror(rc));
		nl_socket_free(s);
		return NULL;
	}
	if (monitor) {
		int fd = nl_socket_get_fd(s), sz = (int)SL_KR_RCVBUF;
		socklen_t l = sizeof(sz);

		/* beyond net.core.rmem_max as root; otherwise what is allowed */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0 &&
		    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)) < 0)
			SL_WARN("kernel routes: receive buffer: %s", strerror(errno));
		if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, &l) == 0)
			SL_INFO("kernel routes: monitor socket buffer %d MiB (the kernel doubles "
				"what is asked)",
				sz >> 20);
	} else if (setsockopt(nl_socket_get_fd(s), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one,
			      sizeof(one)) < 0) {
		SL_DEBUG("kernel routes: no strict dump checking: %s", strerror(errno));
	}
	return s;
}

struct sl_kernel_routes *sl_kernel_routes_open(uint32_t table, struct sl_ctl *ctl, char *err,
					       size_t errlen)
{
	struct sl_kr_sink sink = {sl_kr_ctl_set, sl_kr_ctl_del, sl_kr_ctl_commit, ctl,
				  sl_kr_ctl_set_group};
	struct sl_kernel_routes *k;

	if (table == 0) {
		snprintf(err, errlen, "table 0 is not a routing table");
		return NULL;
	}
	k = sl_kernel_routes_new(table, &sink);
	if (k == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* subscribe first, dump second: nothing falls between them */
	k->mon = sl_kr_socket(true, err, errlen);
	k->cmd = k->mon ? sl_kr_socket(false, err, errlen) : NULL;
	if (k->cmd == NULL) {
		sl_kernel_routes_close(k);
		return NULL;
	}
	if (sl_kr_resync(k) < 0) {
		snprintf(err, errlen, "dumping table %" PRIu32 " failed", table);
		sl_kernel_routes_close(k);
		return NULL;
	}
	if (sl_kernel_routes_commit(k) < 0)
		SL_WARN("kernel routes: %u change(s) wait for the next publish", k->pending);
	return k;
}
