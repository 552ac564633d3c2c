/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The route feed (protocol and concurrency: sl_route_feed.h).
 *
 * Design note: the feed never blocks sluiced. Each client has a line buffer;
 * a turn reads at most SL_FEED_TURN_BYTES per client so one fast writer
 * cannot starve the API or the signal handling, and the commands read in
 * the turn are published together by one sl_ctl_commit(). Replies are
 * short and written without blocking; a client that does not read its
 * replies (the socket buffer full) is disconnected, since dropping a reply
 * silently would lose an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sl_ctl.h"
#include "sl_ctl_log.h"
#include "sl_route_feed.h"

#define SL_FEED_MAX_CLIENTS 16
#define SL_FEED_LINE_MAX 256
#define SL_FEED_BUF (64 * 1024)
#define SL_FEED_TURN_BYTES (1024 * 1024)

struct sl_feed_client {
	int fd;
	size_t len;
	uint64_t line_no;
	bool sync_pending; /**< answer "ok GEN" after this turn's commit */
	char buf[SL_FEED_BUF];
};

struct sl_route_feed {
	int lfd, epfd;
	char *path;
	struct sl_ctl *ctl;
	uint64_t applied;
	unsigned int pending; /**< commands applied this turn */
	struct sl_feed_client *cl[SL_FEED_MAX_CLIENTS];
};

static void sl_feed_drop(struct sl_route_feed *f, unsigned int i)
{
	struct sl_feed_client *c = f->cl[i];

	if (c == NULL)
		return;
	epoll_ctl(f->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
	f->cl[i] = NULL;
}

void sl_route_feed_close(struct sl_route_feed *f)
{
	if (f == NULL)
		return;
	for (unsigned int i = 0; i < SL_FEED_MAX_CLIENTS; i++)
		sl_feed_drop(f, i);
	if (f->lfd >= 0) {
		close(f->lfd);
		unlink(f->path);
	}
	if (f->epfd >= 0)
		close(f->epfd);
	free(f->path);
	free(f);
}

struct sl_route_feed *sl_route_feed_open(const char *path, struct sl_ctl *ctl, char *err,
					 size_t errlen)
{
	struct sl_route_feed *f = calloc(1, sizeof(*f));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct epoll_event ev = {.events = EPOLLIN};

	if (f == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->lfd = f->epfd = -1;
	f->ctl = ctl;
	f->path = strdup(path);
	if (f->path == NULL || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: %s", path,
			 f->path ? "path too long for a Unix socket" : "out of memory");
		goto fail;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	f->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (f->lfd < 0 || f->epfd < 0) {
		snprintf(err, errlen, "socket/epoll: %s", strerror(errno));
		goto fail;
	}
	unlink(path); /* a stale socket of an earlier run */
	if (bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0 ||
	    listen(f->lfd, 16) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	ev.data.fd = f->lfd;
	if (epoll_ctl(f->epfd, EPOLL_CTL_ADD, f->lfd, &ev) < 0) {
		snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
		goto fail;
	}
	return f;
fail:
	if (f->lfd >= 0)
		close(f->lfd);
	f->lfd = -1;
	sl_route_feed_close(f);
	return NULL;
}

int sl_route_feed_fd(const struct sl_route_feed *f)
{
	return f->epfd;
}

uint64_t sl_route_feed_applied(const struct sl_route_feed *f)
{
	return f->applied;
}

/* Best-effort reply; false if the client must go. */
static bool sl_feed_reply(struct sl_feed_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static bool sl_feed_reply(struct sl_feed_client *c, const char *fmt, ...)
{
	char line[SL_FEED_LINE_MAX + 64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return false;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	return write(c->fd, line, (size_t)n) == n;
}

/* One command line: see sl_route_feed.h. */
int sl_route_feed_apply_line(struct sl_ctl *ctl, char *line, const char **why)
{
	char *save = NULL;
	char *cmd = strtok_r(line, " \t\r", &save);
	char *a = strtok_r(NULL, " \t\r", &save);
	char *kw = strtok_r(NULL, " \t\r", &save);
	char *b = strtok_r(NULL, " \t\r", &save);
	struct sl_pfx p, via;
	int rc = 0;

	*why = NULL;
	if (cmd == NULL || cmd[0] == '#')
		return 0; /* blank line or comment */
	if (strcmp(cmd, "sync") == 0 && a == NULL)
		return 2;
	if (strcmp(cmd, "add") != 0 && strcmp(cmd, "del") != 0)
		*why = "unknown command (add, del or sync)";
	else if (a == NULL)
		*why = "missing prefix";
	else if ((rc = sl_pfx_parse(a, &p, SL_PFX_NEED_LEN)) == SL_PFX_HOSTBITS)
		*why = "the prefix has host bits set";
	else if (rc != SL_PFX_OK)
		*why = "malformed prefix";
	if (*why)
		return -1;
	if (strcmp(cmd, "del") == 0) {
		if (kw != NULL)
			*why = "del takes only a prefix";
		else if ((rc = sl_ctl_inet_del(ctl, &p)) == -ENOENT)
			*why = "no such route from the feed";
	} else if (kw == NULL || strcmp(kw, "via") != 0 || b == NULL ||
		   strtok_r(NULL, " \t\r", &save) != NULL) {
		*why = "expected: add PREFIX via ADDR";
	} else if (sl_ip_parse(b, &via) != SL_PFX_OK) {
		*why = "malformed next-hop address";
	} else if (via.family != p.family) {
		*why = "the next hop is of the other address family";
	} else if ((rc = sl_ctl_inet_set(ctl, &p, &via)) == -ENETUNREACH) {
		*why = "the next hop is on no outside subnet";
	}
	if (*why == NULL && rc < 0)
		*why = strerror(-rc);
	return *why ? -1 : 1;
}

/* One command line of client c (see sl_route_feed_apply_line). 0 or a reason. */
static const char *sl_feed_line(struct sl_route_feed *f, struct sl_feed_client *c, char *line)
{
	const char *why;

	switch (sl_route_feed_apply_line(f->ctl, line, &why)) {
	case 1:
		f->pending++;
		f->applied++;
		break;
	case 2:
		c->sync_pending = true;
		break;
	default:
		break;
	}
	return why;
}

/* Read and apply what client i sent. False: drop the client. */
static bool sl_feed_read(struct sl_route_feed *f, struct sl_feed_client *c)
{
	size_t budget = SL_FEED_TURN_BYTES;

	while (budget > 0) {
		ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
		char *start, *nl;

		if (n == 0)
			return false;
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		budget = (size_t)n > budget ? 0 : budget - (size_t)n;
		c->len += (size_t)n;
		c->buf[c->len] = '\0';
		start = c->buf;
		while ((nl = memchr(start, '\n', c->len - (size_t)(start - c->buf))) != NULL) {
			const char *why;

			*nl = '\0';
			c->line_no++;
			why = nl - start > SL_FEED_LINE_MAX ? "line too long"
							     : sl_feed_line(f, c, start);
			if (why && !sl_feed_reply(c, "error %" PRIu64 ": %s\n", c->line_no, why))
				return false;
			start = nl + 1;
		}
		c->len -= (size_t)(start - c->buf);
		memmove(c->buf, start, c->len);
		if (c->len >= sizeof(c->buf) - 1) { /* one line filled the buffer */
			sl_feed_reply(c, "error %" PRIu64 ": line too long\n", c->line_no + 1);
			return false;
		}
	}
	return true;
}

static void sl_feed_accept(struct sl_route_feed *f)
{
	for (;;) {
		struct epoll_event ev = {.events = EPOLLIN};
		int fd = accept4(f->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		unsigned int i;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				SL_WARN("route feed: accept: %s", strerror(errno));
			return;
		}
		for (i = 0; i < SL_FEED_MAX_CLIENTS && f->cl[i]; i++)
			;
		if (i == SL_FEED_MAX_CLIENTS || (f->cl[i] = calloc(1, sizeof(*f->cl[i]))) == NULL) {
			static const char full[] = "error 0: too many route feed clients\n";

			if (write(fd, full, sizeof(full) - 1) < 0)
				SL_DEBUG("route feed: refusing a client: %s", strerror(errno));
			close(fd);
			continue;
		}
		f->cl[i]->fd = fd;
		ev.data.fd = fd;
		if (epoll_ctl(f->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			SL_WARN("route feed: epoll_ctl: %s", strerror(errno));
			sl_feed_drop(f, i);
		}
	}
}

void sl_route_feed_run(struct sl_route_feed *f)
{
	struct epoll_event evs[SL_FEED_MAX_CLIENTS + 1];
	struct sl_ctl_result res;
	int n = epoll_wait(f->epfd, evs, SL_FEED_MAX_CLIENTS + 1, 0);
	bool any_sync = false;

	for (int e = 0; e < n; e++) {
		if (evs[e].data.fd == f->lfd) {
			sl_feed_accept(f);
			continue;
		}
		for (unsigned int i = 0; i < SL_FEED_MAX_CLIENTS; i++)
			if (f->cl[i] && f->cl[i]->fd == evs[e].data.fd && !sl_feed_read(f, f->cl[i]))
				sl_feed_drop(f, i);
	}
	for (unsigned int i = 0; i < SL_FEED_MAX_CLIENTS; i++)
		any_sync |= f->cl[i] && f->cl[i]->sync_pending;
	if (f->pending == 0 && !any_sync)
		return;
	memset(&res, 0, sizeof(res));
	if (f->pending && sl_ctl_commit(f->ctl, "route feed", &res) < 0)
		SL_WARN("route feed: %u change(s) wait for the next publish", f->pending);
	else
		f->pending = 0;
	for (unsigned int i = 0; i < SL_FEED_MAX_CLIENTS; i++) {
		struct sl_feed_client *c = f->cl[i];

		if (c == NULL || !c->sync_pending)
			continue;
		c->sync_pending = false;
		if (f->pending ? !sl_feed_reply(c, "error %" PRIu64 ": publish failed\n", c->line_no)
			       : !sl_feed_reply(c, "ok %" PRIu64 "\n", sl_ctl_generation(f->ctl)))
			sl_feed_drop(f, i);
	}
}
