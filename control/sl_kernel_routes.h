/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel routes: sluiced mirrors one kernel routing table (both families)
 * into the Internet route source, the way a router on Linux learns what a
 * BGP daemon (BIRD, FRR) installed (docs/sluiced.md, "Kernel routes").
 *
 * Two rtnetlink sockets (libnl-route-3): a monitor socket subscribed to
 * RTNLGRP_IPV4_ROUTE and RTNLGRP_IPV6_ROUTE *before* the table is dumped
 * through a separate command socket, so no change between the dump and the
 * first notification is lost. The monitor socket is non-blocking with a
 * large receive buffer; when the kernel still drops notifications
 * (ENOBUFS), the queue is discarded and the table dumped again and
 * reconciled: prefixes gone from the kernel are deleted from the route
 * source, new or changed ones set.
 *
 * What is mirrored: unicast routes of the table with a single next hop that
 * has a gateway (RTA_GATEWAY) of the route's family on an outside subnet,
 * as `sl_ctl_inet_set(prefix, gateway)`, and (ECMP, issue 8) multipath
 * routes (RTA_MULTIPATH) of 2..SL_NHG_MAX such next hops as a group with
 * the kernel's weights (rtnh_hops + 1), `sl_ctl_inet_set_group()`.
 * Anything else (blackhole, unreachable, prohibit, throw, no gateway, more
 * than SL_NHG_MAX next hops, a TOS, a gateway on no outside subnet or of
 * the other family) is counted under a reason and
 * logged at most once per reason every 10 s; it never stops the loop. Per
 * prefix one kernel route is mirrored: the one with the lowest metric seen.
 *
 * Concurrency: single-threaded, driven from sluiced's event loop: the loop
 * watches sl_kernel_routes_fd(); sl_kernel_routes_run() reads what is
 * queued (a bounded amount per turn) without blocking and commits once per
 * turn. A resync (start, overrun) dumps the table with a blocking read on
 * the command socket: the loop waits for the dump of table N only.
 */
#ifndef SL_KERNEL_ROUTES_H
#define SL_KERNEL_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_addr.h"

struct sl_ctl;
struct sl_kernel_routes;

/** Why a kernel route of the table is not mirrored. */
enum sl_kr_skip {
	SL_KR_SKIP_TYPE,       /**< not unicast: blackhole, unreachable, ... */
	SL_KR_SKIP_TOS,	       /**< a TOS-specific route */
	SL_KR_SKIP_MULTIPATH,  /**< more next hops than a group holds, or a sink
				* without set_group */
	SL_KR_SKIP_NO_GATEWAY, /**< a device route, or a nexthop object */
	SL_KR_SKIP_GW_FAMILY,  /**< gateway of the other family (RTA_VIA) */
	SL_KR_SKIP_OFF_SUBNET, /**< gateway on no outside subnet */
	SL_KR_SKIP_REJECTED,   /**< the route source refused it otherwise */
	SL_KR_SKIP_MAX
};

struct sl_kr_stats {
	uint64_t mirrored;		  /**< prefixes mirrored now */
	uint64_t sets, dels;		  /**< changes passed to the route source */
	uint64_t resyncs;		  /**< full dumps (the first one included) */
	uint64_t resyncs_wanted;	  /**< asked for: a shadowed or multipath route left */
	uint64_t overruns;		  /**< ENOBUFS on the monitor socket */
	uint64_t shadowed;		  /**< routes not used: a lower metric has the prefix */
	uint64_t malformed;		  /**< route messages refused before parsing */
	uint64_t foreign;		  /**< datagrams not from the kernel, ignored */
	uint64_t member_dels;		  /**< IPv6 group members removed by a deletion
					   * naming them, without a dump (issue 8) */
	uint64_t skipped[SL_KR_SKIP_MAX]; /**< events, not distinct routes */
};

/** Where changes go: sluiced's route source (sl_ctl_inet_*), or a test's. */
struct sl_kr_sink {
	int (*set)(void *arg, const struct sl_pfx *p, const struct sl_pfx *via);
	int (*del)(void *arg, const struct sl_pfx *p);
	int (*commit)(void *arg);
	void *arg;
	/** ECMP (issue 8): a multipath route, `n` (2..SL_NHG_MAX) vias with
	 * weights; NULL: multipath routes are skipped (SL_KR_SKIP_MULTIPATH) */
	int (*set_group)(void *arg, const struct sl_pfx *p, const struct sl_pfx *via,
			 const uint16_t *weight, unsigned int n);
};

/**
 * Watch kernel table `table` (1..2^32-1) of the current network namespace:
 * subscribe, dump, mirror and commit. Needs the started ctl (the outside
 * subnets come from its config). NULL with the reason in `err`.
 */
struct sl_kernel_routes *sl_kernel_routes_open(uint32_t table, struct sl_ctl *ctl, char *err,
					       size_t errlen);
void sl_kernel_routes_close(struct sl_kernel_routes *k);

/** The monitor socket, to watch for readability. */
int sl_kernel_routes_fd(const struct sl_kernel_routes *k);

/** Apply queued notifications (resync after an overrun), commit. Never
 * blocks on the monitor socket. */
void sl_kernel_routes_run(struct sl_kernel_routes *k);

const struct sl_kr_stats *sl_kernel_routes_stats(const struct sl_kernel_routes *k);

/* ---- the socket-free core (unit tests) ------------------------------------ */

/** A mirror of `table` without sockets, feeding `sink`. */
struct sl_kernel_routes *sl_kernel_routes_new(uint32_t table, const struct sl_kr_sink *sink);

/** Apply a buffer of rtnetlink messages as read from the monitor socket
 * (RTM_NEWROUTE / RTM_DELROUTE; others ignored). */
void sl_kernel_routes_input(struct sl_kernel_routes *k, const void *buf, size_t len);

/** A full resync by hand: begin, input every route of the table (as a dump
 * would), end: mirrored prefixes not seen since begin are deleted. */
void sl_kernel_routes_resync_begin(struct sl_kernel_routes *k);
void sl_kernel_routes_resync_end(struct sl_kernel_routes *k);

/** Commit what changed since the last commit. 0 or the sink's error. */
int sl_kernel_routes_commit(struct sl_kernel_routes *k);

#endif /* SL_KERNEL_ROUTES_H */
