/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_rpc: the cloud API's request path, sl_api_handle(): query string
 * and form body parsing (sl_api_params_parse), signature 1.0 and
 * ACS3-HMAC-SHA256 checks, the timestamp window, nonce replay, the actions
 * over the demo config and the JSON/XML envelopes; and the IPv6 gateway
 * REST API (paths under /api/: routing, JSON bodies, paging, its envelope).
 *
 * Design note
 * -----------
 * The input is one HTTP request in text form behind a flags byte:
 *
 *   [flags]METHOD TARGET[ VERSION]\n    TARGET = PATH[?QUERY]
 *   name: value\n                  headers (names lowercased, as sluiced
 *   ...                            collects them), up to an empty line
 *   \n
 *   BODY                           the rest, any bytes
 *
 * A forged signature almost never verifies, so without help the fuzzer
 * would only explore the rejection paths. The flags let an input be signed
 * correctly by the target, with the access key it set up ("testid" /
 * "testsecret") and the fuzzed parameters as they are:
 *   bit 0  signature 1.0: "Signature=..." computed over the parsed query
 *          and form body is put first in the query (the first occurrence
 *          of a parameter is the one that counts);
 *   bit 1  ACS3-HMAC-SHA256: x-acs-content-sha256 is set to the body's
 *          hash and the Authorization header is recomputed for the
 *          SignedHeaders the input lists (or the six required ones);
 *   bit 2  the request is sent twice: if the first one succeeded, the
 *          second must be refused as SignatureNonceUsed.
 * The clock is pinned at 2023-11-14T22:13:20Z (the seeds' Timestamp), and
 * every input gets a fresh authenticator so no nonce memory carries over
 * from one input to the next (libFuzzer wants the same result for the same
 * input).
 *
 * After every request the target aborts unless the reply is complete: a
 * body, a status from the documented set, an error code exactly when the
 * status is not 200, for JSON a body that parses as a JSON object with a
 * RequestId, for XML a well-formed document (sl_fz_xml_problem()). SL_FUZZ_VERBOSE=1 in the
 * environment prints every reply's status and code (to see what a seed or a crash input does).
 * Single-threaded, like sluiced's loop.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "sl_api.h"
#include "sl_api_auth.h"
#include "sl_api_http.h"
#include "sl_api_rest.h"
#include "sl_ctl.h"
#include "sl_fuzz.h"

#define SL_FZ_NOW 1700000000 /* 2023-11-14T22:13:20Z */
#define SL_FZ_KEY_ID "testid"
#define SL_FZ_SECRET "testsecret"
#define SL_FZ_MAX_INPUT (64u << 10)

static struct sl_api_keys *keys;
static bool verbose; /* SL_FUZZ_VERBOSE=1: one line per reply (triage) */
static struct sl_store *store;

static time_t sl_fz_now(void)
{
	return SL_FZ_NOW;
}

static const struct sl_store *sl_fz_store(void *arg)
{
	return arg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/sl-fuzz-rpc-XXXXXX", path[64], err[256];
	const char *demo = getenv("SL_DEMO_JSON");
	struct sl_errs errs;
	FILE *f;

	(void)argc;
	(void)argv;
	if (mkdtemp(dir) == NULL)
		sl_fuzz_die("mkdtemp");
	snprintf(path, sizeof(path), "%s/keys", dir);
	umask(077);
	f = fopen(path, "w");
	if (f == NULL || fprintf(f, "%s %s\n", SL_FZ_KEY_ID, SL_FZ_SECRET) < 0 || fclose(f) != 0)
		sl_fuzz_die("cannot write the key file");
	keys = sl_api_keys_load(path, false, NULL, err, sizeof(err));
	unlink(path);
	rmdir(dir);
	if (keys == NULL)
		sl_fuzz_die(err);
	if (demo == NULL)
		demo = SL_FUZZ_DEMO_JSON;
	sl_errs_init(&errs, demo);
	store = sl_ctl_load_store(demo, &errs);
	sl_errs_log(&errs, 0);
	sl_errs_free(&errs);
	if (store == NULL)
		sl_fuzz_die("cannot load the demo config (SL_DEMO_JSON)");
	sl_log_level = -1; /* the request path logs nothing we want per input */
	verbose = getenv("SL_FUZZ_VERBOSE") != NULL;
	return 0;
}

/* One request split out of the input. */
struct sl_fz_req {
	char method[16];
	char *path;  /* malloc'd */
	char *query; /* malloc'd or NULL */
	struct sl_api_params headers;
	const char *body;
	size_t body_len;
};

static char *sl_fz_strndup(const uint8_t *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d == NULL)
		sl_fuzz_die("out of memory");
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* Next line of [*p, end): returns its length without "\r\n"; *p moves past
 * the newline. */
static size_t sl_fz_line(const uint8_t **p, const uint8_t *end, const uint8_t **start)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n;

	*start = *p;
	n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	*p = nl ? nl + 1 : end;
	if (n && (*start)[n - 1] == '\r')
		n--;
	return n;
}

static void sl_fz_parse(struct sl_fz_req *r, const uint8_t *p, const uint8_t *end)
{
	const uint8_t *l, *sp, *q;
	size_t n = sl_fz_line(&p, end, &l);

	sp = memchr(l, ' ', n);
	snprintf(r->method, sizeof(r->method), "%.*s", (int)(sp ? (size_t)(sp - l) : n),
		 (const char *)l);
	if (sp == NULL) {
		r->path = sl_fz_strndup((const uint8_t *)"/", 1);
	} else {
		size_t tn = n - (size_t)(sp + 1 - l);
		const uint8_t *sp2 = memchr(sp + 1, ' ', tn); /* " HTTP/1.1" */

		if (sp2 != NULL)
			tn = (size_t)(sp2 - sp - 1);
		q = memchr(sp + 1, '?', tn);
		r->path = sl_fz_strndup(sp + 1, q ? (size_t)(q - sp - 1) : tn);
		if (q)
			r->query = sl_fz_strndup(q + 1, tn - (size_t)(q - sp));
	}
	sl_api_params_init(&r->headers);
	while (p < end) {
		const uint8_t *colon;
		char *k, *v;

		n = sl_fz_line(&p, end, &l);
		if (n == 0)
			break;
		colon = memchr(l, ':', n);
		if (colon == NULL)
			continue;
		k = sl_fz_strndup(l, (size_t)(colon - l));
		for (char *c = k; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		colon++;
		while (colon < l + n && *colon == ' ')
			colon++;
		v = sl_fz_strndup(colon, (size_t)(l + n - colon));
		if (sl_api_params_add(&r->headers, k, v) < 0)
			sl_fuzz_die("out of memory");
		free(k);
		free(v);
	}
	r->body = (const char *)p;
	r->body_len = (size_t)(end - p);
}

static void sl_fz_req_free(struct sl_fz_req *r)
{
	free(r->path);
	free(r->query);
	sl_api_params_free(&r->headers);
}

/* Set header `k` (all occurrences; added when missing). */
static void sl_fz_set_header(struct sl_api_params *h, const char *k, const char *v)
{
	bool found = false;

	for (unsigned int i = 0; i < h->n; i++)
		if (strcmp(h->v[i].k, k) == 0) {
			free(h->v[i].v);
			h->v[i].v = strdup(v);
			if (h->v[i].v == NULL)
				sl_fuzz_die("out of memory");
			found = true;
		}
	if (!found && sl_api_params_add(h, k, v) < 0)
		sl_fuzz_die("out of memory");
}

static bool sl_fz_is_form(const struct sl_fz_req *r)
{
	const char *ct = sl_api_param(&r->headers, "content-type");

	return ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

/* Signature 1.0 over the parameters as sluiced will parse them. */
static void sl_fz_sign_v1(struct sl_fz_req *r)
{
	struct sl_api_params p;
	struct sl_sbuf b;
	char sig[64], *sts;
	int rc;

	sl_api_params_init(&p);
	rc = r->query ? sl_api_params_parse(&p, r->query, strlen(r->query)) : 0;
	if (rc == 0 && r->body_len && sl_fz_is_form(r))
		rc = sl_api_params_parse(&p, r->body, r->body_len);
	sts = rc == 0 ? sl_api_string_to_sign(r->method, &p) : NULL;
	sl_api_params_free(&p);
	if (sts == NULL)
		return; /* unparsable: sluiced refuses it before any signature */
	if (sl_api_hmac_sha1_b64(SL_FZ_SECRET, sts, sig) < 0)
		sl_fuzz_die("HMAC-SHA1 failed");
	free(sts);
	sl_sbuf_init(&b);
	sl_sbuf_adds(&b, "Signature=");
	sl_api_pct_encode(&b, sig);
	if (r->query) {
		sl_sbuf_adds(&b, "&");
		sl_sbuf_adds(&b, r->query);
	}
	free(r->query);
	r->query = sl_sbuf_take(&b);
	if (r->query == NULL)
		sl_fuzz_die("out of memory");
}

static const char sl_fz_acs3_default[] =
    "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version";

/* ACS3-HMAC-SHA256 over the request as it is (body hash fixed up). */
static void sl_fz_sign_acs3(struct sl_fz_req *r)
{
	const char *auth = sl_api_param(&r->headers, "authorization"), *sh;
	char signed_h[1024], hash[65], creq_hash[65], sig[65], *creq;
	struct sl_api_params qp;
	struct sl_sbuf b;
	char *sts, *val;

	snprintf(signed_h, sizeof(signed_h), "%s", sl_fz_acs3_default);
	if (auth && (sh = strstr(auth, "SignedHeaders=")) != NULL) {
		sh += strlen("SignedHeaders=");
		snprintf(signed_h, sizeof(signed_h), "%.*s", (int)strcspn(sh, ","), sh);
	}
	sl_api_sha256_hex(r->body, r->body_len, hash);
	sl_fz_set_header(&r->headers, "x-acs-content-sha256", hash);
	sl_api_params_init(&qp);
	if (r->query && sl_api_params_parse(&qp, r->query, strlen(r->query)) < 0) {
		sl_api_params_free(&qp);
		return;
	}
	creq = sl_api_acs3_canonical(r->method, r->path, &qp, &r->headers, signed_h, hash);
	sl_api_params_free(&qp);
	if (creq == NULL)
		return; /* a signed header is missing: sluiced says so */
	sl_api_sha256_hex(creq, strlen(creq), creq_hash);
	free(creq);
	sl_sbuf_init(&b);
	sl_sbuf_adds(&b, "ACS3-HMAC-SHA256\n");
	sl_sbuf_adds(&b, creq_hash);
	sts = sl_sbuf_take(&b);
	if (sts == NULL || sl_api_hmac_sha256_hex(SL_FZ_SECRET, sts, sig) < 0)
		sl_fuzz_die("HMAC-SHA256 failed");
	free(sts);
	sl_sbuf_init(&b);
	sl_sbuf_addf(&b, "ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=%s,Signature=%s",
		     SL_FZ_KEY_ID, signed_h, sig);
	val = sl_sbuf_take(&b);
	if (val == NULL)
		sl_fuzz_die("out of memory");
	sl_fz_set_header(&r->headers, "authorization", val);
	free(val);
}

/*
 * Well-formed XML as the envelope writer produces it: the declaration, then
 * elements without attributes, balanced; text without '<', with '&' only
 * in the five predefined entities and only characters XML 1.0 allows
 * (2.2: no C0 controls but tab, LF, CR). NULL if fine, else the problem.
 */
static const char *sl_fz_xml_problem(const char *s)
{
	static const char decl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
	static const char *const ent[] = {"&lt;", "&gt;", "&amp;", "&quot;", "&apos;"};
	const char *stack[40];
	size_t sl[40];
	int depth = 0;

	if (strncmp(s, decl, sizeof(decl) - 1) != 0)
		return "no XML declaration";
	for (s += sizeof(decl) - 1; *s; s++) {
		if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r')
			return "control character (not allowed in XML 1.0)";
		if (*s == '&') {
			bool ok = false;

			for (size_t i = 0; i < sizeof(ent) / sizeof(ent[0]) && !ok; i++)
				ok = strncmp(s, ent[i], strlen(ent[i])) == 0;
			if (!ok)
				return "'&' outside an entity";
		} else if (*s == '<') {
			bool close = s[1] == '/';
			const char *name = s + 1 + close, *end = strchr(name, '>');
			size_t n;

			if (end == NULL || end == name)
				return "unterminated tag";
			n = (size_t)(end - name);
			if (strcspn(name, " <&\"'/") < n)
				return "bad character in a tag name";
			if (!close) {
				if (depth == 40)
					return "elements nested too deep";
				stack[depth] = name;
				sl[depth++] = n;
			} else if (depth == 0 || sl[depth - 1] != n ||
				   strncmp(stack[depth - 1], name, n) != 0) {
				return "closing tag does not match";
			} else {
				depth--;
			}
			s = end;
		} else if (*s == '>') {
			return "'>' in text";
		}
	}
	return depth == 0 ? NULL : "unclosed element";
}

/* `rest`: a path of the IPv6 gateway REST API (api_rest.c), whose replies
 * are JSON {requestId, code, message, data} and may be 405. */
static void sl_fz_check_reply(const struct sl_api_reply *rep, bool rest)
{
	static const int ok_status[] = {200, 400, 403, 404, 405, 500, 503};
	bool known = false;
	json_error_t je;
	json_t *j;

	if (rep->body == NULL)
		sl_fuzz_die("reply without a body");
	for (size_t i = 0; i < sizeof(ok_status) / sizeof(ok_status[0]); i++)
		known |= rep->status == ok_status[i];
	if (!known || (rep->status == 405 && !rest)) {
		fprintf(stderr, "fuzz_rpc: status %d\n", rep->status);
		sl_fuzz_die("undocumented HTTP status");
	}
	if ((rep->status == 200) != (rep->code == NULL))
		sl_fuzz_die("error code and status disagree");
	if (rep->content_type == NULL)
		sl_fuzz_die("reply without a content type");
	if (strncmp(rep->content_type, "text/xml", 8) == 0) {
		const char *bad = sl_fz_xml_problem(rep->body);

		if (bad != NULL) {
			fprintf(stderr, "fuzz_rpc: body: %.500s\n", rep->body);
			sl_fuzz_die(bad);
		}
		return;
	}
	if (strncmp(rep->content_type, "application/json", 16) != 0)
		sl_fuzz_die("reply neither JSON nor XML");
	j = json_loads(rep->body, 0, &je);
	if (rest && (!json_is_object(j) || !json_is_string(json_object_get(j, "requestId")) ||
		     !json_is_string(json_object_get(j, "code")) ||
		     !json_is_object(json_object_get(j, "data")))) {
		fprintf(stderr, "fuzz_rpc: body: %.500s\n", rep->body);
		sl_fuzz_die("REST reply is not the {requestId, code, message, data} envelope");
	}
	if (!rest && (!json_is_object(j) || !json_is_string(json_object_get(j, "RequestId")))) {
		fprintf(stderr, "fuzz_rpc: body: %.500s\n", rep->body);
		sl_fuzz_die("JSON reply is not an object with a RequestId");
	}
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_api_server srv = {0};
	struct sl_fz_req r = {0};
	struct sl_api_reply rep;
	uint8_t flags;

	if (size < 1 || size > SL_FZ_MAX_INPUT)
		return 0;
	flags = data[0];
	sl_fz_parse(&r, data + 1, data + size);
	if (flags & 1)
		sl_fz_sign_v1(&r);
	if (flags & 2)
		sl_fz_sign_acs3(&r);

	srv.auth = sl_api_auth_new(keys);
	if (srv.auth == NULL)
		sl_fuzz_die("out of memory");
	srv.store = sl_fz_store;
	srv.store_arg = store;
	srv.created = SL_FZ_NOW - 60;
	srv.now = sl_fz_now;

	for (int round = 0; round < ((flags & 4) ? 2 : 1); round++) {
		sl_api_handle(&srv, r.method, r.path, r.query, r.body, r.body_len,
			      sl_api_param(&r.headers, "content-type"),
			      sl_api_param(&r.headers, "host"), &r.headers, &rep);
		sl_fz_check_reply(&rep, sl_api_rest_path(r.path));
		if (verbose)
			fprintf(stderr, "fuzz_rpc: %s %s -> %d %s\n", r.method, r.path, rep.status,
				rep.code ? rep.code : "");
		if (round == 1 &&
		    (rep.status != 400 || strcmp(rep.code, "SignatureNonceUsed") != 0))
			sl_fuzz_die("a replayed request was not refused as SignatureNonceUsed");
		free(rep.body);
		if (rep.status != 200)
			break;
	}
	sl_api_auth_free(srv.auth);
	sl_fz_req_free(&r);
	return 0;
}
