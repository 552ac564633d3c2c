/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RPC API's HTTP front end: libmicrohttpd in external epoll mode inside
 * sluiced's loop, and the request processor sl_api_handle().
 *
 * Design note: libmicrohttpd is started with MHD_USE_EPOLL and no thread:
 * it keeps its sockets in an epoll set of its own, whose single fd joins
 * sluiced's epoll set; when it is readable (or libmicrohttpd's timeout,
 * which the loop honours, expires) the loop calls MHD_run(), and the access
 * handler runs there, on the loop's thread. Nothing is locked because
 * nothing runs concurrently: a request sees the store between two loop
 * events. The listening socket is created here (IPv4 or IPv6 from
 * --listen) and handed over with MHD_OPTION_LISTEN_SOCKET.
 *
 * The raw request URI comes from MHD_OPTION_URI_LOG_CALLBACK (the access
 * handler only sees the decoded path), so query and body are decoded by
 * one parser (api_util.c) with one rule for '+' and %-escapes. The body is
 * collected up to SL_API_MAX_BODY bytes, then the request is processed in
 * one piece by sl_api_handle(), which knows nothing about HTTP sockets and
 * is what the unit tests drive.
 *
 * Concurrency: single-threaded (sluiced's event loop).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "sl_api_http.h"
#include "sl_api_rate.h"
#include "sl_api_rest.h"
#include "sl_api_vpc.h"
#include "sl_ctl_log.h"

#define SL_API_MAX_BODY (1u << 20)

/* ---- the request processor ---------------------------------------------- */

static void sl_reply_error(struct sl_api_reply *r, enum sl_api_format fmt, const char *host,
			   const struct sl_api_err *e)
{
	r->status = e->http;
	snprintf(r->codebuf, sizeof(r->codebuf), "%s", e->code);
	r->code = r->codebuf;
	r->content_type =
	    fmt == SL_API_XML ? "text/xml;charset=utf-8" : "application/json;charset=utf-8";
	r->body = sl_api_render_error(fmt, r->request_id, host && *host ? host : "sluiced", e);
}

/* The caller's access key id: AccessKeyId (signature 1.0) or the
 * Credential of an ACS3 Authorization header (already verified). */
static void sl_api_akid(const struct sl_api_params *p, const char *authz, char *out, size_t size)
{
	const char *c = authz ? strstr(authz, "Credential=") : NULL;

	if (c) {
		c += strlen("Credential=");
		snprintf(out, size, "%.*s", (int)strcspn(c, ", "), c);
	} else {
		snprintf(out, size, "%s",
			 sl_api_param(p, "AccessKeyId") ? sl_api_param(p, "AccessKeyId") : "");
	}
}

void sl_api_handle(struct sl_api_server *srv, const char *method, const char *path,
		   const char *query, const char *body, size_t body_len, const char *content_type,
		   const char *host, const struct sl_api_params *headers, struct sl_api_reply *r)
{
	enum sl_api_format fmt = SL_API_JSON;
	const char *authz = headers ? sl_api_param(headers, "authorization") : NULL;
	struct sl_api_params p, qp;
	struct sl_api_err e = {0};
	const char *v, *action;
	json_t *result = NULL;
	int rc;

	if (sl_api_rest_path(path)) { /* the IPv6 gateway REST API (api_rest.c) */
		sl_api_rest_handle(srv, method, path, query, body, body_len, headers, r);
		return;
	}
	memset(r, 0, sizeof(*r));
	sl_api_request_id(r->request_id);
	sl_api_params_init(&p);

	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0) {
		sl_api_fail(&e, 403, "UnsupportedHTTPMethod",
			    "This http method is not supported: use GET or POST.");
		goto fail;
	}
	if (strcmp(path, "/") != 0) {
		sl_api_fail(&e, 404, "InvalidAction.NotFound",
			    "Specified api is not found, please check your url and method "
			    "(RPC requests go to /).");
		goto fail;
	}
	rc = query ? sl_api_params_parse(&p, query, strlen(query)) : 0;
	qp = p; /* the query-string parameters alone (ACS3 signs only these) */
	if (rc == 0 && body_len && content_type &&
	    strncasecmp(content_type, "application/x-www-form-urlencoded", 33) == 0)
		rc = sl_api_params_parse(&p, body, body_len);
	if (rc == -ENOMEM) {
		sl_api_fail(&e, 500, "InternalError", "out of memory");
		goto fail;
	}
	if (rc < 0) {
		sl_api_fail(&e, 400, "InvalidParameter",
			    "The request parameters are not valid URL encoding (or more than %d "
			    "of them).",
			    SL_API_MAX_PARAMS);
		goto fail;
	}
	v = sl_api_param(&p, "Format");
	if (v && strcasecmp(v, "XML") == 0) {
		fmt = SL_API_XML;
	} else if (v && *v && strcasecmp(v, "JSON") != 0) {
		sl_api_fail(&e, 400, "InvalidParameter",
			    "The specified parameter \"Format\" is not valid: JSON or XML.");
		goto fail;
	}
	if (authz && strncmp(authz, "ACS3-", 5) == 0) {
		/* ACS3-HMAC-SHA256: Action and Version travel as headers */
		qp.n = qp.n <= p.n ? qp.n : p.n;
		qp.v = p.v;
		if (sl_api_auth_check_acs3(srv->auth, method, path, &qp, headers, body, body_len,
					   srv->now ? srv->now() : time(NULL), &e) < 0)
			goto fail;
		if (sl_api_param(&p, "Action") == NULL &&
		    sl_api_params_add(&p, "Action", sl_api_param(headers, "x-acs-action")) < 0) {
			sl_api_fail(&e, 500, "InternalError", "out of memory");
			goto fail;
		}
		if (sl_api_param(&p, "Version") == NULL &&
		    sl_api_params_add(&p, "Version", sl_api_param(headers, "x-acs-version")) < 0) {
			sl_api_fail(&e, 500, "InternalError", "out of memory");
			goto fail;
		}
	} else if (sl_api_auth_check(srv->auth, method, &p, srv->now ? srv->now() : time(NULL),
				     &e) < 0) {
		goto fail;
	}
	v = sl_api_param(&p, "Version");
	if (strcmp(v, SL_API_VERSION) != 0) {
		sl_api_fail(&e, 400, "InvalidParameter",
			    "The specified parameter \"Version\" is not valid: this API is "
			    "version " SL_API_VERSION ".");
		goto fail;
	}
	action = sl_api_param(&p, "Action");
	if (srv->mut && sl_api_mut_known(action)) {
		char akid[128];

		sl_api_akid(&p, authz, akid, sizeof(akid));
		if (srv->defer_owner) {
			rc = sl_api_mut_queue(srv->mut, akid, action, &p,
					      srv->now ? srv->now() : time(NULL), srv->defer_owner,
					      &result, &e);
			if (rc == 1) {
				r->deferred = true;
				r->fmt = fmt;
				snprintf(r->action, sizeof(r->action), "%s", action);
				sl_api_params_free(&p);
				return;
			}
		} else {
			rc = sl_api_mut_run(srv->mut, akid, action, &p,
					    srv->now ? srv->now() : time(NULL), &result, &e);
		}
		if (rc < 0)
			goto fail;
		goto reply;
	}
	if (!sl_api_action_known(action)) {
		sl_api_fail(&e, 400, "InvalidParameter",
			    "The specified parameter \"Action\" is not valid: %.100s is not "
			    "implemented.",
			    action);
		goto fail;
	}
	if (sl_api_vpc_run(srv->store ? srv->store(srv->store_arg) : NULL, action, &p, srv->created,
			   &result, &e) < 0)
		goto fail;
reply:
	r->status = 200;
	r->content_type =
	    fmt == SL_API_XML ? "text/xml;charset=utf-8" : "application/json;charset=utf-8";
	r->body = sl_api_render(fmt, action, r->request_id, result);
	json_decref(result);
	if (r->body == NULL) {
		sl_api_fail(&e, 500, "InternalError", "out of memory");
		goto fail;
	}
	sl_api_params_free(&p);
	return;
fail:
	sl_api_params_free(&p);
	sl_reply_error(r, fmt, host, &e);
}

/* ---- listening address ----------------------------------------------------- */

int sl_api_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *h = s;
	size_t hl;
	char *end;
	long port;

	memset(ss, 0, sizeof(*ss));
	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL || rb[1] != ':')
			return -EINVAL;
		h = s + 1;
		hl = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return -EINVAL;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, h, hl);
	host[hl] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end || colon[1] == '\0' || port < 0 || port > 65535)
		return -EINVAL;
	if (*s != '[') {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return -EINVAL;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return -EINVAL;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
	}
	return 0;
}

/* ---- libmicrohttpd glue ------------------------------------------------------ */

struct sl_api_http {
	struct MHD_Daemon *mhd;
	struct sl_api_server *srv;
	int epfd;
	char address[INET6_ADDRSTRLEN + 16];
	unsigned int last_batch; /* size of the last flushed batch */
	unsigned int prev_batch; /* and of the one before */
	double batch_since;	 /* when the pending batch got its first member, ms */
	double last_flush_ms;	 /* how long the last flush took */
	bool resumed;		 /* a connection was resumed since the last MHD_run */
	struct sl_api_rate by_source; /* requests per source address (IPv6: per /64) */
};

/* One request in flight. A batched mutation suspends its connection; the
 * batch's answer lands in `reply` and resumes it. */
struct sl_api_conn {
	char *uri; /* raw request target, "/?a=b" */
	struct sl_sbuf body;
	bool started;
	bool too_big;
	bool reply_ready;
	struct MHD_Connection *con;
	struct sl_api_reply reply;
	char host[128];
};

static void *sl_uri_cb(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct sl_api_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->uri = strdup(uri ? uri : "/");
	sl_sbuf_init(&c->body);
	return c;
}

static void sl_done_cb(void *cls, struct MHD_Connection *con, void **con_cls,
		       enum MHD_RequestTerminationCode toe)
{
	struct sl_api_conn *c = *con_cls;

	if (c == NULL)
		return;
	free(c->uri);
	sl_sbuf_free(&c->body);
	free(c->reply.body);
	free(c);
	*con_cls = NULL;
}

static enum MHD_Result sl_queue(struct MHD_Connection *con, struct sl_api_reply *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (r->body == NULL) {
		static char oom[] = "out of memory\n";

		resp =
		    MHD_create_response_from_buffer(sizeof(oom) - 1, oom, MHD_RESPMEM_PERSISTENT);
		r->status = 500;
	} else {
		resp = MHD_create_response_from_buffer(strlen(r->body), r->body,
						       MHD_RESPMEM_MUST_FREE);
		if (resp == NULL)
			free(r->body);
	}
	r->body = NULL;
	if (resp == NULL)
		return MHD_NO;
	if (r->content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	if (r->request_id[0])
		MHD_add_response_header(resp, "x-acs-request-id", r->request_id);
	ret = MHD_queue_response(con, (unsigned int)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Collect request headers with lowercase names (ACS3 signs some of them). */
static enum MHD_Result sl_header_it(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	struct sl_api_params *h = cls;
	char name[128];
	size_t i;

	if (key == NULL)
		return MHD_YES;
	for (i = 0; key[i] && i < sizeof(name) - 1; i++)
		name[i] = (char)(key[i] >= 'A' && key[i] <= 'Z' ? key[i] - 'A' + 'a' : key[i]);
	name[i] = '\0';
	sl_api_params_add(h, name, value ? value : "");
	return MHD_YES;
}

/* GET /metrics: the Prometheus exposition, unsigned (a scraper holds no
 * access key; it shows counters, never objects' secrets or keys). */
static enum MHD_Result sl_metrics_reply(struct sl_api_http *h, struct MHD_Connection *con,
					const char *method)
{
	static const char not_allowed[] = "only GET /metrics\n";
	struct MHD_Response *resp;
	enum MHD_Result ret;
	unsigned int status = MHD_HTTP_OK;
	size_t len = 0;
	char *text = NULL;

	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		text = h->srv->metrics(h->srv->metrics_arg, &len);
	else
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
	if (text)
		resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	else if (status == MHD_HTTP_OK)
		return MHD_NO; /* out of memory: drop the connection */
	else
		resp = MHD_create_response_from_buffer(sizeof(not_allowed) - 1,
						       (void *)not_allowed, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				text ? "text/plain; version=0.0.4; charset=utf-8"
				     : "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(con, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* A client's source address as a budget key: the IPv4 address, or the /64
 * of an IPv6 address (one host usually holds a whole /64, so per-address
 * budgets would be free to multiply). */
static void sl_source_key(const struct sockaddr *sa, char *key, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (sa && sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, sizeof(ip));
		snprintf(key, len, "%s", ip);
	} else if (sa && sa->sa_family == AF_INET6) {
		struct in6_addr a = ((const struct sockaddr_in6 *)sa)->sin6_addr;

		memset(&a.s6_addr[8], 0, 8);
		inet_ntop(AF_INET6, &a, ip, sizeof(ip));
		snprintf(key, len, "%s/64", ip);
	} else {
		snprintf(key, len, "?");
	}
}

/*
 * The per-source budget (--api-source-rate), taken for every request before
 * any other work: a flood of forged requests costs a lookup each, not an
 * HMAC. true with the Throttling reply in *r.
 */
static bool sl_source_throttled(struct sl_api_http *h, struct MHD_Connection *con,
				const char *host, struct sl_api_reply *r)
{
	const union MHD_ConnectionInfo *ci;
	struct sl_api_err e;
	char key[INET6_ADDRSTRLEN + 4];
	int rc;

	if (h->by_source.per_s == 0)
		return false;
	ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	sl_source_key(ci ? ci->client_addr : NULL, key, sizeof(key));
	rc = sl_api_rate_take(&h->by_source, key, sl_api_rate_now());
	if (rc > 0)
		return false;
	memset(r, 0, sizeof(*r));
	sl_api_request_id(r->request_id);
	if (rc < 0)
		sl_api_fail(&e, 500, "InternalError", "out of memory");
	else
		sl_api_fail(&e, 400, "Throttling",
			    "Request was denied due to request throttling (%u requests/s per "
			    "source address).",
			    h->by_source.per_s);
	sl_reply_error(r, SL_API_JSON, host, &e);
	return true;
}

static enum MHD_Result sl_access_cb(void *cls, struct MHD_Connection *con, const char *url,
				    const char *method, const char *version,
				    const char *upload_data, size_t *upload_data_size,
				    void **con_cls)
{
	struct sl_api_http *h = cls;
	struct sl_api_conn *c = *con_cls;
	struct sl_api_params hdrs;
	struct sl_api_reply r;
	const char *q, *ctype, *host;
	char *path;

	if (c == NULL || c->uri == NULL)
		return MHD_NO; /* out of memory in sl_uri_cb: drop the connection */
	if (!c->started) {
		c->started = true;
		c->con = con;
		return MHD_YES;
	}
	if (c->reply_ready) {
		c->reply_ready = false;
		return sl_queue(con, &c->reply);
	}
	if (*upload_data_size) {
		if (c->body.len + *upload_data_size > SL_API_MAX_BODY)
			c->too_big = true;
		else
			sl_sbuf_add(&c->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	ctype = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	host = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (sl_source_throttled(h, con, host, &r))
		return sl_queue(con, &r);
	q = strchr(c->uri, '?');
	path = strndup(c->uri, q ? (size_t)(q - c->uri) : strlen(c->uri));
	if (path == NULL || c->body.oom) {
		memset(&r, 0, sizeof(r));
		free(path);
		return sl_queue(con, &r);
	}
	if (strcmp(path, "/metrics") == 0 && h->srv->metrics) {
		free(path);
		return sl_metrics_reply(h, con, method);
	}
	if (c->too_big) {
		struct sl_api_err e;

		memset(&r, 0, sizeof(r));
		sl_api_request_id(r.request_id);
		sl_api_fail(&e, 413, "InvalidParameter", "The request body exceeds %u bytes.",
			    SL_API_MAX_BODY);
		sl_reply_error(&r, SL_API_JSON, host, &e);
	} else {
		sl_api_params_init(&hdrs);
		MHD_get_connection_values(con, MHD_HEADER_KIND, sl_header_it, &hdrs);
		h->srv->defer_owner = h->srv->mut ? c : NULL;
		sl_api_handle(h->srv, method, path, q ? q + 1 : NULL, c->body.s, c->body.len, ctype,
			      host, &hdrs, &r);
		h->srv->defer_owner = NULL;
		sl_api_params_free(&hdrs);
		if (r.deferred) {
			/* answered when the batch is flushed (sl_api_http_run) */
			c->reply = r;
			snprintf(c->host, sizeof(c->host), "%s", host ? host : "");
			free(path);
			MHD_suspend_connection(con);
			return MHD_YES;
		}
	}
	SL_DEBUG("api: %s %s -> %d %s %s", method, path, r.status, r.code ? r.code : "OK",
		 r.request_id);
	free(path);
	return sl_queue(con, &r);
}

/* The batch's answer for one suspended request: render it, resume. */
static void sl_batch_done(void *owner, json_t *result, const struct sl_api_err *e, void *arg)
{
	struct sl_api_conn *c = owner;
	struct sl_api_reply *r = &c->reply;
	struct sl_api_http *h = arg;

	r->deferred = false;
	if (result) {
		r->status = 200;
		r->code = NULL;
		r->content_type = r->fmt == SL_API_XML ? "text/xml;charset=utf-8"
						       : "application/json;charset=utf-8";
		r->body = sl_api_render(r->fmt, r->action, r->request_id, result);
	} else {
		sl_reply_error(r, r->fmt, c->host, e);
	}
	SL_DEBUG("api: %s (batched) -> %d %s", r->action, r->status, r->request_id);
	c->reply_ready = true;
	MHD_resume_connection(c->con);
	h->resumed = true;
}

struct sl_api_http *sl_api_http_new(const char *listen_addr, struct sl_api_server *srv, char *err,
				    size_t errlen)
{
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	struct sl_api_http *h;
	char ip[INET6_ADDRSTRLEN];
	socklen_t len;
	int fd, one = 1;

	if (sl_api_parse_listen(listen_addr, &ss, &len) < 0) {
		snprintf(err, errlen, "--listen '%s': give ADDR:PORT or [V6ADDR]:PORT",
			 listen_addr);
		return NULL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 128) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		snprintf(err, errlen, "listen on %s: %s", listen_addr, strerror(errno));
		close(fd);
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	h->srv = srv;
	sl_api_rate_init(&h->by_source, srv->source_rate_per_s);
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		snprintf(h->address, sizeof(h->address), "%s:%u", ip, ntohs(sin->sin_port));
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
		snprintf(h->address, sizeof(h->address), "[%s]:%u", ip, ntohs(sin6->sin6_port));
	}
	h->mhd = MHD_start_daemon(
	    MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
		(ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
	    0, NULL, NULL, sl_access_cb, h, MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_URI_LOG_CALLBACK, sl_uri_cb, h, MHD_OPTION_NOTIFY_COMPLETED, sl_done_cb, h,
	    MHD_OPTION_CONNECTION_LIMIT, 512U, MHD_OPTION_CONNECTION_TIMEOUT, 60U,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_END);
	if (h->mhd == NULL) {
		snprintf(err, errlen, "libmicrohttpd did not start on %s", listen_addr);
		close(fd);
		free(h);
		return NULL;
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL || info->epoll_fd < 0) {
		snprintf(err, errlen, "libmicrohttpd has no epoll fd");
		MHD_stop_daemon(h->mhd);
		close(fd);
		free(h);
		return NULL;
	}
	h->epfd = info->epoll_fd;
	if (srv->mut) {
		if (sl_api_mut_batch_init(srv->mut) < 0) {
			snprintf(err, errlen, "out of memory");
			MHD_stop_daemon(h->mhd);
			close(fd);
			free(h);
			return NULL;
		}
		sl_api_mut_set_done(srv->mut, sl_batch_done, h);
	}
	return h;
}

void sl_api_http_free(struct sl_api_http *h)
{
	int fd;

	if (h == NULL)
		return;
	/* answer what is batched, so no connection stays suspended */
	if (h->srv->mut) {
		sl_api_mut_batch_free(h->srv->mut);
		MHD_run(h->mhd);
	}
	/* MHD_stop_daemon does not close a socket given with LISTEN_SOCKET */
	fd = MHD_quiesce_daemon(h->mhd);
	MHD_stop_daemon(h->mhd);
	if (fd >= 0)
		close(fd);
	sl_api_rate_free(&h->by_source);
	free(h);
}

int sl_api_http_fd(const struct sl_api_http *h)
{
	return h->epfd;
}

static double sl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * Group commit: a batch is flushed once it holds 90 % of the larger of the
 * two previous batches, or its first member waited max(SL_API_BATCH_WAIT_MS,
 * the last flush's duration). Under a steady load of N clients the
 * stragglers of one round join the next round's batch instead of costing a
 * store build of their own: with only the last batch as the target and a
 * quarter of a flush as the wait, 500 clients settled into batches of 465
 * and 35 in turn, one of every two flushes (each costing as much as a full
 * one) for 7 % of the writes. When the load drops, two waits later the
 * target is the new, smaller size.
 */
#define SL_API_BATCH_WAIT_MS 2.0

static bool sl_batch_due(const struct sl_api_http *h)
{
	unsigned int n = h->srv->mut ? sl_api_mut_pending(h->srv->mut) : 0;
	unsigned int target = h->last_batch > h->prev_batch ? h->last_batch : h->prev_batch;
	double wait = h->last_flush_ms;

	if (n == 0)
		return false;
	if (wait < SL_API_BATCH_WAIT_MS)
		wait = SL_API_BATCH_WAIT_MS;
	return n * 10 >= target * 9 || sl_now_ms() - h->batch_since >= wait;
}

/*
 * A request that cannot join the batch (a REST write, a ClientToken the
 * batch holds, a non-batched action) flushes the batch from inside its
 * libmicrohttpd handler, so batched connections are resumed in the middle
 * of an MHD_run(). libmicrohttpd allows a resume at any time, but in
 * external polling mode (ours: MHD_USE_EPOLL, no thread of its own) it asks
 * for another MHD_run() afterwards, or a resumed connection may wait for
 * the next network activity: hence the loop on `resumed`.
 */
static void sl_mhd_run(struct sl_api_http *h)
{
	do {
		h->resumed = false;
		MHD_run(h->mhd);
	} while (h->resumed);
}

void sl_api_http_run(struct sl_api_http *h)
{
	sl_mhd_run(h);
	if (h->batch_since == 0 && h->srv->mut && sl_api_mut_pending(h->srv->mut))
		h->batch_since = sl_now_ms();
	/* the mutations queued so far: one candidate, one transaction, one
	 * generation, once the batch is due (sl_batch_due); then deliver the
	 * answers of the resumed connections */
	if (sl_batch_due(h)) {
		double t0 = sl_now_ms();

		h->prev_batch = h->last_batch;
		h->last_batch = sl_api_mut_pending(h->srv->mut);
		sl_api_mut_flush(h->srv->mut);
		h->last_flush_ms = sl_now_ms() - t0;
		h->batch_since = 0;
		sl_mhd_run(h);
		if (sl_api_mut_pending(h->srv->mut))
			h->batch_since = sl_now_ms();
	}
}

int sl_api_http_timeout_ms(const struct sl_api_http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	/* a batch that is not due yet waits in steps of 1 ms */
	if (h->srv->mut && sl_api_mut_pending(h->srv->mut))
		return sl_batch_due(h) ? 0 : 1;
	if (MHD_get_timeout(h->mhd, &ms) != MHD_YES)
		return -1;
	return ms > 1000 ? 1000 : (int)ms;
}

const char *sl_api_http_address(const struct sl_api_http *h)
{
	return h->address;
}
