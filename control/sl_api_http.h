/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP front end of sluiced's cloud API (RPC style, VPC API 2016-04-28),
 * served by libmicrohttpd inside sluiced's own epoll loop.
 *
 * Concurrency: single-threaded. libmicrohttpd runs without threads of its
 * own (external epoll mode): the daemon adds sl_api_http_fd() to its epoll
 * set and calls sl_api_http_run() when it is readable or the timeout from
 * sl_api_http_timeout_ms() expired, so every request runs on the loop's
 * thread between other events and sees a store nobody else changes.
 */
#ifndef SL_API_HTTP_H
#define SL_API_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <time.h>

#include "sl_api.h"
#include "sl_api_auth.h"
#include "sl_api_mut.h"
#include "sl_store.h"

/** Where the API reads the current objects from. */
typedef const struct sl_store *(*sl_api_store_fn)(void *arg);

/** The request processor, without HTTP plumbing (unit tests use it alone). */
struct sl_api_server {
	struct sl_api_auth *auth;
	sl_api_store_fn store;
	void *store_arg;
	time_t created;		/**< CreationTime reported for objects */
	time_t (*now)(void);	/**< NULL: time() (tests pin the clock) */
	struct sl_api_mut *mut; /**< NULL: read-only API (no database) */
	/** requests per second per source address (IPv6: per /64), checked
	 * before anything else; 0: unlimited (--api-source-rate) */
	unsigned int source_rate_per_s;
	/** GET /metrics (NULL: 404 like any other path): a malloc'd
	 * Prometheus text of *len bytes, NULL when out of memory. */
	char *(*metrics)(void *arg, size_t *len);
	void *metrics_arg;
	void *defer_owner;	/**< set by the HTTP layer around sl_api_handle():
				 * mutations may then be batched (r->deferred) and
				 * are answered through sl_api_mut's done callback */
};

/** One response. */
struct sl_api_reply {
	int status;
	const char *content_type;
	char *body; /**< malloc'd */
	char request_id[37];
	const char *code; /**< error code (points to codebuf), or NULL on success */
	char codebuf[64];
	bool deferred; /**< queued into the batch: no body yet */
	enum sl_api_format fmt;
	char action[48];
};

/**
 * Handle one request: `query` is the raw query string (may be NULL),
 * `body` the raw body (form-encoded when `content_type` says so), `host`
 * the Host header (HostId of errors), `headers` all request headers with
 * lowercase names (NULL: none; needed for ACS3-HMAC-SHA256, chosen when an
 * "authorization: ACS3-..." header is present, signature 1.0 otherwise).
 * Always fills `r`; r->body is NULL only when even the error could not be
 * rendered (out of memory).
 */
void sl_api_handle(struct sl_api_server *srv, const char *method, const char *path,
		   const char *query, const char *body, size_t body_len, const char *content_type,
		   const char *host, const struct sl_api_params *headers, struct sl_api_reply *r);

/** "ADDR:PORT" or "[V6ADDR]:PORT" (numeric) into a socket address. 0 or -EINVAL. */
int sl_api_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len);

struct sl_api_http;

/** Listen on `listen` and serve `srv` (not owned). NULL with err. */
struct sl_api_http *sl_api_http_new(const char *listen, struct sl_api_server *srv, char *err,
				    size_t errlen);
void sl_api_http_free(struct sl_api_http *h);
/** The fd to watch for EPOLLIN (libmicrohttpd's own epoll fd). */
int sl_api_http_fd(const struct sl_api_http *h);
/** Serve what is ready (non-blocking). */
void sl_api_http_run(struct sl_api_http *h);
/** Milliseconds until sl_api_http_run() must be called anyway, -1 for none. */
int sl_api_http_timeout_ms(const struct sl_api_http *h);
/** The bound address as "ADDR:PORT" (port 0 on the command line picks one). */
const char *sl_api_http_address(const struct sl_api_http *h);

#endif /* SL_API_HTTP_H */
