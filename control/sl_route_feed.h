/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The route feed: a Unix stream socket through which a local routing
 * process (a BGP speaker's exporter, a test driver) adds and removes
 * Internet routes in sluiced's route source. Kernel routes (netlink,
 * kernel_routes.c) use the same ctl calls.
 *
 * Protocol: text lines, one command each (docs/sluiced.md, "Route feed"):
 *
 *   add PREFIX via ADDR    add or replace PREFIX -> ADDR (an address on an
 *                          outside subnet)
 *   del PREFIX             remove PREFIX
 *   sync                   answer "ok GENERATION" once everything before it
 *                          is published (not necessarily acknowledged yet)
 *
 * A bad line is answered "error LINE_NUMBER: reason" and changes nothing;
 * the connection stays open. Every command read in one event-loop turn is
 * published as one generation (a batch becomes visible atomically), so a
 * fast feed costs one publish per turn, not per route.
 *
 * Concurrency: single-threaded, driven from sluiced's event loop: the feed
 * has its own epoll fd (listening socket + clients) that the loop watches;
 * sl_route_feed_run() handles whatever is ready without blocking.
 */
#ifndef SL_ROUTE_FEED_H
#define SL_ROUTE_FEED_H

#include <stddef.h>
#include <stdint.h>

struct sl_ctl;
struct sl_route_feed;

/** Listen on `path` (an existing socket file is replaced; mode 0600).
 * NULL with the reason in `err`. */
struct sl_route_feed *sl_route_feed_open(const char *path, struct sl_ctl *ctl, char *err,
					 size_t errlen);
void sl_route_feed_close(struct sl_route_feed *f);

/** The fd to watch for readability (an epoll fd). */
int sl_route_feed_fd(const struct sl_route_feed *f);

/** Accept, read, apply and publish what is ready. Never blocks. */
void sl_route_feed_run(struct sl_route_feed *f);

/**
 * Apply one command line (NUL-terminated, no newline; tokenised in place) to
 * `ctl`: "add PREFIX via ADDR" or "del PREFIX" stages a change for the next
 * sl_ctl_commit(). Returns 1 when a route was staged, 0 for a blank line or
 * a comment, 2 for "sync" (the caller answers it after its commit), -1 with
 * the reason in *why (a static string, or strerror's) for anything else;
 * nothing is staged then. The feed calls it for every line; public for
 * fuzz_route_feed (tests/fuzz).
 */
int sl_route_feed_apply_line(struct sl_ctl *ctl, char *line, const char **why);

/** Commands applied since the start (for logs and tests). */
uint64_t sl_route_feed_applied(const struct sl_route_feed *f);

#endif /* SL_ROUTE_FEED_H */
