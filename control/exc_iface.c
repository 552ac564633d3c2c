/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keeps the exception path's kernel interface configured (design note in
 * sl_exc_iface.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include "sl_addr.h"
#include "sl_ctl_log.h"
#include "sl_exc_iface.h"
#include "sl_store.h"

#define SL_EXC_ADDRS_MAX 16

struct sl_exc_iface {
	char name[IFNAMSIZ];
	bool inside;		/* an inside port's TAP: kept up, no addresses */
	struct nl_sock *sock;
	int ifindex;		/* last seen, 0: absent */
	bool warned_absent;
	double last;		/* CLOCK_MONOTONIC seconds of the last pass */
	unsigned int n_added;	/* addresses sluiced put there */
	struct sl_pfx added[SL_EXC_ADDRS_MAX];
};

struct sl_exc_iface *sl_exc_iface_open(const char *arg, char *err, size_t errlen)
{
	const char *comma = strchr(arg, ',');
	size_t len = comma ? (size_t)(comma - arg) : strlen(arg);
	char ifname[IFNAMSIZ];
	struct sl_exc_iface *x;
	int rc;

	if (len == 0 || len >= IFNAMSIZ) {
		snprintf(err, errlen, "--exception '%s': an interface name of 1 to %d characters",
			 arg, IFNAMSIZ - 1);
		return NULL;
	}
	if (comma && strcmp(comma, ",inside") != 0) {
		snprintf(err, errlen, "--exception '%s': IFNAME or IFNAME,inside", arg);
		return NULL;
	}
	memcpy(ifname, arg, len);
	ifname[len] = '\0';
	x = calloc(1, sizeof(*x));
	if (x == NULL || (x->sock = nl_socket_alloc()) == NULL) {
		free(x);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rc = nl_connect(x->sock, NETLINK_ROUTE);
	if (rc < 0) {
		snprintf(err, errlen, "--exception %s: netlink: %s", ifname, nl_geterror(rc));
		nl_socket_free(x->sock);
		free(x);
		return NULL;
	}
	snprintf(x->name, sizeof(x->name), "%s", ifname);
	x->inside = comma != NULL;
	return x;
}

void sl_exc_iface_close(struct sl_exc_iface *x)
{
	if (x == NULL)
		return;
	nl_socket_free(x->sock);
	free(x);
}

/* Write `val` to /proc/sys/net/ipv6/conf/IFNAME/KEY; errors are logged. */
static void sl_exc_sysctl6(const struct sl_exc_iface *x, const char *key, const char *val)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", x->name, key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, val, strlen(val)) < 0)
		SL_WARN("exception %s: cannot set %s: %s", x->name, path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* The same address with the same length (sl_pfx_equal compares networks). */
static bool sl_exc_same(const struct sl_pfx *a, const struct sl_pfx *b)
{
	return a->family == b->family && a->addr == b->addr && a->len == b->len;
}

static struct nl_addr *sl_exc_nladdr(const struct sl_pfx *p)
{
	uint8_t b[16];
	struct nl_addr *a;
	int v6 = p->family == SL_AF_INET6;

	sl_addr_to_bytes(p->family, p->addr, b);
	a = nl_addr_build(v6 ? AF_INET6 : AF_INET, b, v6 ? 16 : 4);
	if (a)
		nl_addr_set_prefixlen(a, p->len);
	return a;
}

/* Is `p` (address and length) among the interface's addresses? */
static bool sl_exc_has(struct nl_cache *cache, int ifindex, const struct sl_pfx *p)
{
	struct nl_addr *want = sl_exc_nladdr(p);
	bool found = false;

	for (struct nl_object *o = nl_cache_get_first(cache); o && want && !found;
	     o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *l = rtnl_addr_get_local(a);

		/* family, address bytes and prefix length */
		found = rtnl_addr_get_ifindex(a) == ifindex && l && nl_addr_cmp(l, want) == 0;
	}
	nl_addr_put(want);
	return found;
}

static int sl_exc_addr_op(struct sl_exc_iface *x, int ifindex, const struct sl_pfx *p, bool add)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *l = sl_exc_nladdr(p);
	char txt[SL_PFX_STRLEN];
	int rc;

	if (a == NULL || l == NULL) {
		rtnl_addr_put(a);
		nl_addr_put(l);
		return -ENOMEM;
	}
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_local(a, l);
	if (p->family == SL_AF_INET6)
		rtnl_addr_set_flags(a, IFA_F_NODAD);
	rc = add ? rtnl_addr_add(x->sock, a, 0) : rtnl_addr_delete(x->sock, a, 0);
	sl_pfx_fmt(p, txt, sizeof(txt));
	if (rc < 0 && !(add && rc == -NLE_EXIST))
		SL_WARN("exception %s: cannot %s %s: %s", x->name, add ? "add" : "remove", txt,
			nl_geterror(rc));
	else
		SL_INFO("exception %s: %s %s", x->name, add ? "added" : "removed", txt);
	rtnl_addr_put(a);
	nl_addr_put(l);
	return rc < 0 && !(add && rc == -NLE_EXIST) ? -EIO : 0;
}

int sl_exc_iface_sync(struct sl_exc_iface *x, const struct sl_store *s)
{
	/* an inside port's addresses belong on the operator's VLAN devices */
	const struct sl_gateway_obj *g = s && !x->inside ? s->gateway : NULL;
	struct rtnl_link *link = NULL;
	struct nl_cache *cache = NULL;
	int ifindex, rc, changes = 0;
	bool v6 = false;

	struct timespec ts;
	double now;

	/* the timer ticks faster while tables change: one pass a second */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	if (x->last != 0 && now - x->last < 1.0)
		return 0;
	x->last = now;
	rc = rtnl_link_get_kernel(x->sock, 0, x->name, &link);
	if (rc < 0) {
		if (!x->warned_absent)
			SL_INFO("exception %s: no such interface yet (sluice-dp creates it)",
				x->name);
		x->warned_absent = true;
		x->ifindex = 0;
		return 0;
	}
	x->warned_absent = false;
	ifindex = rtnl_link_get_ifindex(link);
	if (ifindex != x->ifindex) {
		SL_INFO("exception %s: interface index %d: configuring it", x->name, ifindex);
		x->ifindex = ifindex;
		x->n_added = 0; /* a new interface carries none of ours */
	}
	for (unsigned int i = 0; g && i < g->n_addrs; i++)
		v6 |= g->addrs[i].family == SL_AF_INET6;
	if (!(rtnl_link_get_flags(link) & IFF_UP)) {
		struct rtnl_link *chg = rtnl_link_alloc();

		if (x->inside) /* tagged frames only (sluice-dp sets it too) */
			sl_exc_sysctl6(x, "disable_ipv6", "1");
		if (v6) { /* before up: no router solicitations, no autoconf */
			sl_exc_sysctl6(x, "disable_ipv6", "0");
			sl_exc_sysctl6(x, "accept_ra", "0");
			sl_exc_sysctl6(x, "autoconf", "0");
		}
		rc = chg ? (rtnl_link_set_flags(chg, IFF_UP), rtnl_link_change(x->sock, link, chg, 0))
			 : -NLE_NOMEM;
		rtnl_link_put(chg);
		if (rc < 0) {
			SL_WARN("exception %s: cannot bring it up: %s", x->name, nl_geterror(rc));
			rtnl_link_put(link);
			return -EIO;
		}
		SL_INFO("exception %s: up", x->name);
		changes++;
	}
	rtnl_link_put(link);
	rc = rtnl_addr_alloc_cache(x->sock, &cache);
	if (rc < 0) {
		SL_WARN("exception %s: cannot list addresses: %s", x->name, nl_geterror(rc));
		return -EIO;
	}
	for (unsigned int i = 0; g && i < g->n_addrs; i++) {
		const struct sl_pfx *p = &g->addrs[i];
		bool mine = false;

		if (sl_exc_has(cache, ifindex, p))
			continue;
		if (sl_exc_addr_op(x, ifindex, p, true) < 0)
			continue;
		changes++;
		for (unsigned int k = 0; k < x->n_added; k++)
			mine |= sl_exc_same(&x->added[k], p);
		if (!mine && x->n_added < SL_EXC_ADDRS_MAX)
			x->added[x->n_added++] = *p;
	}
	/* ours that the config dropped */
	for (unsigned int k = 0; k < x->n_added;) {
		bool kept = false;

		for (unsigned int i = 0; g && i < g->n_addrs; i++)
			kept |= sl_exc_same(&g->addrs[i], &x->added[k]);
		if (kept) {
			k++;
			continue;
		}
		if (sl_exc_has(cache, ifindex, &x->added[k]) &&
		    sl_exc_addr_op(x, ifindex, &x->added[k], false) == 0)
			changes++;
		x->added[k] = x->added[--x->n_added];
	}
	nl_cache_free(cache);
	return changes;
}
