/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl's client of sluiced's cloud API (RPC style, signature 1.0).
 *
 * Design note
 * -----------
 * sluicectl reads the data plane's state from the segment, but the objects
 * live in sluiced: `sluicectl api ACTION [Key=Value...]` sends one signed
 * request the way the cloud's SDKs do in their signature-1.0 mode
 * (HMAC-SHA1 over the canonicalised query, OpenSSL), so operators and
 * scripts drive sluiced through the same API as the SDK. The signer is
 * written from the document, independently of sluiced's verifier, so the
 * two checking each other in the tests means something.
 *
 * Plain HTTP/1.1 over one TCP connection, GET with the parameters in the
 * query, "Connection: close", the whole response read into memory.
 * Single-threaded, blocking, with a timeout on the socket.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "sl_api_client.h"

struct sl_buf {
	char *s;
	size_t len, cap;
	int oom;
};

static void sl_buf_add(struct sl_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->s, cap);
		if (p == NULL) {
			b->oom = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sl_buf_adds(struct sl_buf *b, const char *s)
{
	sl_buf_add(b, s, strlen(s));
}

/* RFC 3986 unreserved characters stay, everything else %XX (upper case):
 * the document's percentEncode (space -> %20, '*' -> %2A, '~' kept). */
static void sl_pct(struct sl_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			sl_buf_add(b, (const char *)&c, 1);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};

			sl_buf_add(b, e, 3);
		}
	}
}

struct sl_kv {
	const char *k;
	const char *v;
};

static int sl_kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sl_kv *)a)->k, ((const struct sl_kv *)b)->k);
}

int sl_api_read_key(const char *path, const char *want_id, char *id, size_t idlen, char *secret,
		    size_t seclen, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s (sluiced writes it: see --state-dir)", path,
			 strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char a[256], s[256];

		if (line[0] == '#' || sscanf(line, "%255s %255s", a, s) != 2)
			continue;
		if (want_id && strcmp(a, want_id) != 0)
			continue;
		snprintf(id, idlen, "%s", a);
		snprintf(secret, seclen, "%s", s);
		fclose(f);
		return 0;
	}
	fclose(f);
	snprintf(err, errlen, "%s: %s", path,
		 want_id ? "no such access key id" : "no 'ACCESS_KEY_ID SECRET' line");
	return -1;
}

/* "http://host:port[/...]" -> host, port. */
static int sl_parse_url(const char *url, char *host, size_t hlen, char *port, size_t plen)
{
	const char *p = url, *colon, *end;

	if (strncmp(p, "http://", 7) == 0)
		p += 7;
	else if (strstr(p, "://"))
		return -1; /* https and friends: not spoken */
	end = p + strcspn(p, "/");
	if (*p == '[') { /* [v6]:port */
		const char *rb = memchr(p, ']', (size_t)(end - p));

		if (rb == NULL || rb[1] != ':')
			return -1;
		snprintf(host, hlen, "%.*s", (int)(rb - p - 1), p + 1);
		snprintf(port, plen, "%.*s", (int)(end - rb - 2), rb + 2);
		return 0;
	}
	colon = memchr(p, ':', (size_t)(end - p));
	if (colon == NULL) {
		snprintf(host, hlen, "%.*s", (int)(end - p), p);
		snprintf(port, plen, "80");
		return 0;
	}
	snprintf(host, hlen, "%.*s", (int)(colon - p), p);
	snprintf(port, plen, "%.*s", (int)(end - colon - 1), colon + 1);
	return host[0] && port[0] ? 0 : -1;
}

static int sl_connect(const char *host, const char *port, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL, *a;
	struct timeval tv = {.tv_sec = 30};
	int fd = -1, rc = getaddrinfo(host, port, &hints, &ai);

	if (rc != 0) {
		snprintf(err, errlen, "%s:%s: %s", host, port, gai_strerror(rc));
		return -1;
	}
	for (a = ai; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
			snprintf(err, errlen, "%s:%s: %s (is sluiced running with --listen?)", host,
				 port, strerror(errno));
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	return fd;
}

static int sl_http_exchange(const char *host, const char *port, const struct sl_buf *req,
			    struct sl_api_resp *out, char *err, size_t errlen);

int sl_api_call(const struct sl_api_req *r, struct sl_api_resp *out, char *err, size_t errlen)
{
	struct sl_kv kv[SL_API_CLIENT_MAX_PARAMS + 16];
	char ts[32], nonce[33], host[256], port[16], sig[64];
	unsigned char rnd[16], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	struct sl_buf q = {0}, sts = {0}, key = {0}, req = {0};
	char *owned[SL_API_CLIENT_MAX_PARAMS];
	int n_owned = 0;
	size_t n = 0;
	time_t now = time(NULL);
	struct tm tm;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (r->n_params > SL_API_CLIENT_MAX_PARAMS) {
		snprintf(err, errlen, "at most %d parameters", SL_API_CLIENT_MAX_PARAMS);
		return -1;
	}
	if (sl_parse_url(r->url, host, sizeof(host), port, sizeof(port)) < 0) {
		snprintf(err, errlen, "%s: give http://HOST:PORT", r->url);
		return -1;
	}
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		snprintf(err, errlen, "no random bytes for the nonce");
		return -1;
	}
	for (int i = 0; i < 16; i++)
		snprintf(nonce + 2 * i, 3, "%02x", rnd[i]);
	kv[n++] = (struct sl_kv){"Action", r->action};
	kv[n++] = (struct sl_kv){"Format", "JSON"};
	kv[n++] = (struct sl_kv){"Version", "2016-04-28"};
	kv[n++] = (struct sl_kv){"AccessKeyId", r->access_key_id};
	kv[n++] = (struct sl_kv){"SignatureMethod", "HMAC-SHA1"};
	kv[n++] = (struct sl_kv){"SignatureVersion", "1.0"};
	kv[n++] = (struct sl_kv){"SignatureNonce", nonce};
	kv[n++] = (struct sl_kv){"Timestamp", ts};
	for (int i = 0; i < r->n_params; i++) {
		const char *eq = strchr(r->params[i], '=');
		char *k;

		if (eq == NULL || eq == r->params[i]) {
			snprintf(err, errlen, "'%s': parameters are Key=Value", r->params[i]);
			goto out;
		}
		k = strndup(r->params[i], (size_t)(eq - r->params[i]));
		if (k == NULL)
			goto out;
		owned[n_owned++] = k;
		for (size_t j = 0; j < n; j++)
			if (strcmp(kv[j].k, k) == 0) {
				snprintf(err, errlen, "'%s' is given twice (or set by sluicectl)", k);
				goto out;
			}
		kv[n++] = (struct sl_kv){k, eq + 1};
	}
	qsort(kv, n, sizeof(kv[0]), sl_kv_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i)
			sl_buf_adds(&q, "&");
		sl_pct(&q, kv[i].k);
		sl_buf_adds(&q, "=");
		sl_pct(&q, kv[i].v);
	}
	/* StringToSign = GET&%2F&percentEncode(canonicalized query) */
	sl_buf_adds(&sts, "GET&%2F&");
	sl_pct(&sts, q.s ? q.s : "");
	sl_buf_adds(&key, r->secret);
	sl_buf_adds(&key, "&");
	if (q.oom || sts.oom || key.oom ||
	    HMAC(EVP_sha1(), key.s, (int)key.len, (const unsigned char *)sts.s, sts.len, mac,
		 &maclen) == NULL) {
		snprintf(err, errlen, "signing failed");
		goto out;
	}
	EVP_EncodeBlock((unsigned char *)sig, mac, (int)maclen);
	sl_buf_adds(&req, "GET /?");
	sl_buf_adds(&req, q.s);
	sl_buf_adds(&req, "&Signature=");
	sl_pct(&req, sig);
	sl_buf_adds(&req, " HTTP/1.1\r\nHost: ");
	sl_buf_adds(&req, host);
	sl_buf_adds(&req, ":");
	sl_buf_adds(&req, port);
	sl_buf_adds(&req, "\r\nUser-Agent: sluicectl\r\nAccept: application/json\r\n"
			  "Connection: close\r\n\r\n");
	if (req.oom) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = sl_http_exchange(host, port, &req, out, err, errlen);
out:
	for (int i = 0; i < n_owned; i++)
		free(owned[i]);
	free(q.s);
	free(sts.s);
	free(key.s);
	free(req.s);
	return rc;
}

int sl_http_get(const char *url, const char *path, struct sl_api_resp *out, char *err,
		size_t errlen)
{
	struct sl_buf req = {0};
	char host[256], port[16];
	int rc;

	memset(out, 0, sizeof(*out));
	if (sl_parse_url(url, host, sizeof(host), port, sizeof(port)) < 0) {
		snprintf(err, errlen, "%s: give http://HOST:PORT", url);
		return -1;
	}
	sl_buf_adds(&req, "GET ");
	sl_buf_adds(&req, path);
	sl_buf_adds(&req, " HTTP/1.1\r\nHost: ");
	sl_buf_adds(&req, host);
	sl_buf_adds(&req, ":");
	sl_buf_adds(&req, port);
	sl_buf_adds(&req, "\r\nUser-Agent: sluicectl\r\nConnection: close\r\n\r\n");
	if (req.oom) {
		snprintf(err, errlen, "out of memory");
		free(req.s);
		return -1;
	}
	rc = sl_http_exchange(host, port, &req, out, err, errlen);
	free(req.s);
	return rc;
}

/* Send one request on a fresh connection and read the whole answer. */
static int sl_http_exchange(const char *host, const char *port, const struct sl_buf *req,
			    struct sl_api_resp *out, char *err, size_t errlen)
{
	struct sl_buf resp = {0};
	int fd, rc = -1;

	fd = sl_connect(host, port, err, errlen);
	if (fd < 0)
		goto out;
	for (size_t off = 0; off < req->len;) {
		ssize_t w = send(fd, req->s + off, req->len - off, MSG_NOSIGNAL);

		if (w <= 0) {
			snprintf(err, errlen, "sending to %s:%s: %s", host, port, strerror(errno));
			close(fd);
			goto out;
		}
		off += (size_t)w;
	}
	for (;;) {
		char chunk[8192];
		ssize_t got = recv(fd, chunk, sizeof(chunk), 0);

		if (got == 0)
			break;
		if (got < 0) {
			snprintf(err, errlen, "reading from %s:%s: %s", host, port, strerror(errno));
			close(fd);
			goto out;
		}
		sl_buf_add(&resp, chunk, (size_t)got);
	}
	close(fd);
	{
		const char *body = resp.s ? strstr(resp.s, "\r\n\r\n") : NULL;
		int status = 0;

		if (body == NULL || sscanf(resp.s, "HTTP/1.%*d %d", &status) != 1) {
			snprintf(err, errlen, "%s:%s: not an HTTP response", host, port);
			goto out;
		}
		out->status = status;
		out->body = strdup(body + 4);
		if (out->body == NULL)
			goto out;
		/* a chunked body: sluiced answers with a length, but be safe */
		if (strcasestr(resp.s, "transfer-encoding: chunked") && strcasestr(resp.s, "\r\n\r\n")) {
			struct sl_buf dec = {0};
			const char *p = body + 4;

			for (;;) {
				unsigned long len = strtoul(p, NULL, 16);
				const char *d = strstr(p, "\r\n");

				if (d == NULL || len == 0)
					break;
				sl_buf_add(&dec, d + 2, len);
				p = d + 2 + len + 2;
			}
			free(out->body);
			out->body = dec.s ? dec.s : strdup("");
		}
	}
	rc = 0;
out:
	free(resp.s);
	return rc;
}
