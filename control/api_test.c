/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the cloud API: signature 1.0 against the document's test
 * vectors, canonicalisation, parameter parsing, the error and result
 * envelopes (JSON and XML), the Describe* listing helpers (paging,
 * filters), the access-key file, the request checks
 * (unknown key, bad signature, nonce reuse, timestamp window) and the
 * read-only actions over the demo config, all through sl_api_handle().
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sl_api.h"
#include "sl_api_auth.h"
#include "sl_api_http.h"
#include "sl_api_vpc.h"
#include "sl_ctl.h"

/* ---- signature 1.0: the document's worked example (spec digest 1.3) ---- */

static void add_vector_params(struct sl_api_params *p, const char *version)
{
	assert_int_equal(sl_api_params_add(p, "TimeStamp", "2016-02-23T12:46:24Z"), 0);
	assert_int_equal(sl_api_params_add(p, "Format", "XML"), 0);
	assert_int_equal(sl_api_params_add(p, "AccessKeyId", "testid"), 0);
	assert_int_equal(sl_api_params_add(p, "Action", "DescribeRegions"), 0);
	assert_int_equal(sl_api_params_add(p, "SignatureMethod", "HMAC-SHA1"), 0);
	assert_int_equal(
	    sl_api_params_add(p, "SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"), 0);
	assert_int_equal(sl_api_params_add(p, "SignatureVersion", "1.0"), 0);
	assert_int_equal(sl_api_params_add(p, "Version", version), 0);
}

static void test_signature_vectors(void **state)
{
	struct sl_api_params p;
	char sig[64];
	char *sts;

	sl_api_params_init(&p);
	add_vector_params(&p, "2014-05-26");
	/* Signature itself is never signed */
	assert_int_equal(sl_api_params_add(&p, "Signature", "ignored"), 0);
	sts = sl_api_string_to_sign("GET", &p);
	assert_non_null(sts);
	assert_string_equal(
	    sts, "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26"
		 "SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-"
		 "4e0ad82fd6cf%26SignatureVersion%3D1.0%26TimeStamp%3D2016-02-23T12%253A46%"
		 "253A24Z%26Version%3D2014-05-26");
	assert_int_equal(sl_api_hmac_sha1_b64("testsecret", sts, sig), 0);
	assert_string_equal(sig, "CT9X0VtwR86fNWSnsc6v8YGOjuE=");
	free(sts);
	sl_api_params_free(&p);

	/* the appendix's 2016-04-28 variant (its printed signature is wrong;
	 * this is the recomputed one, spec digest 1.3) */
	sl_api_params_init(&p);
	add_vector_params(&p, "2016-04-28");
	sts = sl_api_string_to_sign("GET", &p);
	assert_int_equal(sl_api_hmac_sha1_b64("testsecret", sts, sig), 0);
	assert_string_equal(sig, "zxPHJmPekbYsL2ok9YvjAW01tcg=");
	free(sts);
	sl_api_params_free(&p);
}

static void test_percent_encode(void **state)
{
	struct sl_sbuf b;
	char *s;

	sl_sbuf_init(&b);
	/* unreserved kept, space %20 (never +), * %2A, ~ kept, UTF-8 bytes
	 * uppercase hex, '=' '&' '/' ':' '+' encoded */
	sl_api_pct_encode(&b, "aZ09-_.~ *=&/:+\xc3\xa9");
	s = sl_sbuf_take(&b);
	assert_string_equal(s, "aZ09-_.~%20%2A%3D%26%2F%3A%2B%C3%A9");
	free(s);
}

static void test_canonical_order(void **state)
{
	struct sl_api_params p;
	char *sts;

	sl_api_params_init(&p);
	/* uppercase sorts before lowercase (byte order = the Java sample's
	 * String order for ASCII); equal names sort by value */
	sl_api_params_add(&p, "b", "2");
	sl_api_params_add(&p, "B", "1");
	sl_api_params_add(&p, "a", "y z");
	sl_api_params_add(&p, "a", "x");
	sts = sl_api_string_to_sign("POST", &p);
	assert_string_equal(sts, "POST&%2F&B%3D1%26a%3Dx%26a%3Dy%2520z%26b%3D2");
	free(sts);
	sl_api_params_free(&p);
}

static void test_params_parse(void **state)
{
	struct sl_api_params p;
	const char *q = "a=1&b=x+y%2Bz&&c&d=&e=%E4%B8%AD&a=2";

	sl_api_params_init(&p);
	assert_int_equal(sl_api_params_parse(&p, q, strlen(q)), 0);
	assert_int_equal(p.n, 6);
	assert_string_equal(sl_api_param(&p, "a"), "1"); /* the first one wins */
	assert_string_equal(sl_api_param(&p, "b"), "x y+z");
	assert_string_equal(sl_api_param(&p, "c"), "");
	assert_string_equal(sl_api_param(&p, "d"), "");
	assert_string_equal(sl_api_param(&p, "e"), "\xe4\xb8\xad");
	assert_null(sl_api_param(&p, "A"));
	sl_api_params_free(&p);

	/* bad escapes and NUL bytes */
	const char *bad[] = {"a=%zz", "a=%4", "a=%", "a=%00", "%4g=1"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sl_api_params_init(&p);
		assert_int_equal(sl_api_params_parse(&p, bad[i], strlen(bad[i])), -EINVAL);
		sl_api_params_free(&p);
	}
	/* a body with an embedded NUL */
	sl_api_params_init(&p);
	assert_int_equal(sl_api_params_parse(&p, "a=b\0c", 5), -EINVAL);
	sl_api_params_free(&p);
}

/* List 0..n-1 through sl_api_list with query `q`: the envelope, or NULL
 * and the error code in `code`. */
static json_t *list_numbers(const char *q, int n, const char **code)
{
	struct sl_api_params p;
	struct sl_api_list l;
	struct sl_api_err e = {0};
	json_t *res = NULL;

	sl_api_params_init(&p);
	assert_int_equal(sl_api_params_parse(&p, q, strlen(q)), 0);
	*code = NULL;
	if (sl_api_list_start(&l, &p, &e) < 0) {
		assert_int_equal(e.http, 400);
		*code = e.code;
	} else {
		res = json_object();
		for (int i = 0; i < n; i++)
			if (sl_api_list_match(&l))
				json_array_append_new(l.items, json_integer(i));
		sl_api_list_end(&l, res, "Numbers", "Number");
	}
	sl_api_params_free(&p);
	return res;
}

static long list_field(json_t *res, const char *k)
{
	return (long)json_integer_value(json_object_get(res, k));
}

static void test_list_paging(void **state)
{
	const char *code;
	json_t *res, *items;

	/* defaults: page 1 of 10 */
	res = list_numbers("", 25, &code);
	items = json_object_get(json_object_get(res, "Numbers"), "Number");
	assert_int_equal(list_field(res, "TotalCount"), 25);
	assert_int_equal(list_field(res, "PageNumber"), 1);
	assert_int_equal(list_field(res, "PageSize"), 10);
	assert_int_equal(json_array_size(items), 10);
	assert_int_equal(json_integer_value(json_array_get(items, 0)), 0);
	json_decref(res);
	/* the last, short page; then one past the end: empty, total kept */
	res = list_numbers("PageNumber=3&PageSize=10", 25, &code);
	items = json_object_get(json_object_get(res, "Numbers"), "Number");
	assert_int_equal(json_array_size(items), 5);
	assert_int_equal(json_integer_value(json_array_get(items, 0)), 20);
	json_decref(res);
	res = list_numbers("PageNumber=4&PageSize=10", 25, &code);
	assert_int_equal(list_field(res, "TotalCount"), 25);
	assert_true(json_is_array(json_object_get(json_object_get(res, "Numbers"), "Number")));
	assert_int_equal(
	    json_array_size(json_object_get(json_object_get(res, "Numbers"), "Number")), 0);
	json_decref(res);
	res = list_numbers("PageSize=50", 60, &code);
	assert_int_equal(list_field(res, "PageSize"), 50);
	json_decref(res);
	/* out of range or not a number: InvalidParameter, nothing built */
	const char *bad[] = {"PageSize=51", "PageSize=0",   "PageSize=",     "PageSize=-1",
			     "PageSize=1x", "PageNumber=0", "PageNumber=+1", "PageNumber="};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(list_numbers(bad[i], 3, &code));
		assert_string_equal(code, "InvalidParameter");
	}
}

static void test_filters(void **state)
{
	struct sl_api_params p;
	const char *q = "VpcId=vpc-a,vpc-b&Name=x&Empty=&Ids=";

	sl_api_params_init(&p);
	assert_int_equal(sl_api_params_parse(&p, q, strlen(q)), 0);
	assert_true(sl_api_filter_ids(&p, "VpcId", "vpc-a"));
	assert_true(sl_api_filter_ids(&p, "VpcId", "vpc-b"));
	assert_false(sl_api_filter_ids(&p, "VpcId", "vpc-"));
	assert_false(sl_api_filter_ids(&p, "VpcId", "vpc-a,vpc-b"));
	assert_true(sl_api_filter_ids(&p, "Ids", "anything")); /* empty: no filter */
	assert_true(sl_api_filter_ids(&p, "Absent", "anything"));
	assert_true(sl_api_filter(&p, "Name", "x"));
	assert_false(sl_api_filter(&p, "Name", "X"));
	assert_false(sl_api_filter(&p, "VpcId", "vpc-a")); /* exact, not a list */
	assert_true(sl_api_filter(&p, "Empty", "y"));
	assert_true(sl_api_filter(&p, "Absent", "y"));
	sl_api_params_free(&p);
}

static void test_parse_time(void **state)
{
	time_t t;

	assert_int_equal(sl_api_parse_time("2016-02-23T12:46:24Z", &t), 0);
	assert_int_equal((long long)t, 1456231584LL);
	assert_int_equal(sl_api_parse_time("2016-02-23T12:46:24.123Z", &t), 0);
	assert_int_equal((long long)t, 1456231584LL);
	assert_int_equal(sl_api_parse_time("2016-02-23T12:46:24", &t), -EINVAL);
	assert_int_equal(sl_api_parse_time("2016-02-23 12:46:24Z", &t), -EINVAL);
	assert_int_equal(sl_api_parse_time("2016-13-23T12:46:24Z", &t), -EINVAL);
	assert_int_equal(sl_api_parse_time("2016-02-23T12:46:24+08:00", &t), -EINVAL);
}

static void test_listen_parse(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;

	assert_int_equal(sl_api_parse_listen("127.0.0.1:8080", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(sl_api_parse_listen("[::1]:0", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(sl_api_parse_listen("127.0.0.1", &ss, &len), -EINVAL);
	assert_int_equal(sl_api_parse_listen("127.0.0.1:65536", &ss, &len), -EINVAL);
	assert_int_equal(sl_api_parse_listen("localhost:80", &ss, &len), -EINVAL);
	assert_int_equal(sl_api_parse_listen("::1:80", &ss, &len), -EINVAL);
	assert_int_equal(sl_api_parse_listen("127.0.0.1:", &ss, &len), -EINVAL);
}

/* ---- envelopes ----------------------------------------------------------- */

static void test_error_envelope(void **state)
{
	struct sl_api_err e;
	char *s;

	sl_api_fail(&e, 400, "SignatureNonceUsed", "nonce <%s> & more", "x");
	s = sl_api_render_error(SL_API_JSON, "4C467B38-3910-447D-87BC-AC049166F216", "vpc.example",
				&e);
	assert_string_equal(s, "{\"RequestId\":\"4C467B38-3910-447D-87BC-AC049166F216\","
			       "\"HostId\":\"vpc.example\",\"Code\":\"SignatureNonceUsed\","
			       "\"Message\":\"nonce <x> & more\"}");
	free(s);
	s = sl_api_render_error(SL_API_XML, "4C467B38-3910-447D-87BC-AC049166F216", "vpc.example",
				&e);
	assert_string_equal(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error>"
			       "<RequestId>4C467B38-3910-447D-87BC-AC049166F216</RequestId>"
			       "<HostId>vpc.example</HostId><Code>SignatureNonceUsed</Code>"
			       "<Message>nonce &lt;x&gt; &amp; more</Message></Error>");
	free(s);
}

static void test_result_envelope(void **state)
{
	json_t *r = json_pack("{s:i,s:{s:[{s:s,s:b},{s:s,s:b}]},s:{s:[]}}", "TotalCount", 2, "Vpcs",
			      "Vpc", "VpcId", "vpc-a", "IsDefault", 0, "VpcId", "vpc-b",
			      "IsDefault", 1, "UserCidrs", "UserCidr");
	char *s;

	assert_non_null(r);
	s = sl_api_render(SL_API_JSON, "DescribeVpcs", "RID", r);
	assert_string_equal(s, "{\"RequestId\":\"RID\",\"TotalCount\":2,\"Vpcs\":{\"Vpc\":["
			       "{\"VpcId\":\"vpc-a\",\"IsDefault\":false},{\"VpcId\":\"vpc-b\","
			       "\"IsDefault\":true}]},\"UserCidrs\":{\"UserCidr\":[]}}");
	free(s);
	s = sl_api_render(SL_API_XML, "DescribeVpcs", "RID", r);
	assert_string_equal(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeVpcsResponse>"
			       "<RequestId>RID</RequestId><TotalCount>2</TotalCount><Vpcs>"
			       "<Vpc><VpcId>vpc-a</VpcId><IsDefault>false</IsDefault></Vpc>"
			       "<Vpc><VpcId>vpc-b</VpcId><IsDefault>true</IsDefault></Vpc>"
			       "</Vpcs><UserCidrs></UserCidrs></DescribeVpcsResponse>");
	free(s);
	json_decref(r);
}

static void test_request_id(void **state)
{
	char a[37], b[37];

	sl_api_request_id(a);
	sl_api_request_id(b);
	assert_int_equal(strlen(a), 36);
	assert_true(a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-');
	assert_int_equal(a[14], '4');
	assert_string_not_equal(a, b);
}

/* ---- access keys ------------------------------------------------------------ */

static char tmpdir[64];

static void keypath(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", tmpdir, name);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_keys_file(void **state)
{
	struct sl_api_keys *k;
	char path[128], err[512];
	struct stat st;
	bool created;

	keypath(path, sizeof(path), "k1");
	write_file(path, "# comment\n\nAK1 secret1\n  AK2\tsecret2\n", 0600);
	k = sl_api_keys_load(path, false, &created, err, sizeof(err));
	assert_non_null(k);
	assert_false(created);
	assert_int_equal(sl_api_keys_count(k), 2);
	assert_string_equal(sl_api_keys_secret(k, "AK1"), "secret1");
	assert_string_equal(sl_api_keys_secret(k, "AK2"), "secret2");
	assert_null(sl_api_keys_secret(k, "AK3"));
	sl_api_keys_free(k);

	/* readable by others: refused */
	chmod(path, 0644);
	assert_null(sl_api_keys_load(path, false, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "mode 0644"));
	chmod(path, 0640);
	assert_null(sl_api_keys_load(path, true, NULL, err, sizeof(err)));

	/* malformed lines and duplicates */
	keypath(path, sizeof(path), "k2");
	write_file(path, "AK1 s1 extra\n", 0600);
	assert_null(sl_api_keys_load(path, false, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, ":1:"));
	write_file(path, "AK1 s1\nAK1 s2\n", 0600);
	assert_null(sl_api_keys_load(path, false, NULL, err, sizeof(err)));
	write_file(path, "# nothing\n", 0600);
	assert_null(sl_api_keys_load(path, false, NULL, err, sizeof(err)));

	/* absent: an error, or a fresh key with mode 0600 when asked */
	keypath(path, sizeof(path), "k3");
	assert_null(sl_api_keys_load(path, false, NULL, err, sizeof(err)));
	k = sl_api_keys_load(path, true, &created, err, sizeof(err));
	assert_non_null(k);
	assert_true(created);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(sl_api_keys_count(k), 1);
	assert_int_equal(strlen(sl_api_keys_first(k)), 24);
	assert_int_equal(strlen(sl_api_keys_secret(k, sl_api_keys_first(k))), 30);
	sl_api_keys_free(k);
	/* the second start keeps it */
	k = sl_api_keys_load(path, true, &created, err, sizeof(err));
	assert_non_null(k);
	assert_false(created);
	sl_api_keys_free(k);
}

/* ---- whole requests through sl_api_handle() ------------------------------- */

static const time_t t_now = 1700000000; /* 2023-11-14T22:13:20Z */

static time_t fixed_now(void)
{
	return t_now;
}

struct fix {
	struct sl_api_keys *keys;
	struct sl_api_server srv;
	struct sl_store *store;
};

static const struct sl_store *fix_store(void *arg)
{
	return arg;
}

static int setup_srv(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	const char *demo = getenv("SL_DEMO_JSON");
	struct sl_errs errs;
	char path[128], err[256];

	keypath(path, sizeof(path), "srvkeys");
	write_file(path, "testid testsecret\nother othersecret\n", 0600);
	f->keys = sl_api_keys_load(path, false, NULL, err, sizeof(err));
	assert_non_null(f->keys);
	f->srv.auth = sl_api_auth_new(f->keys);
	f->srv.now = fixed_now;
	f->srv.created = t_now - 60;
	sl_errs_init(&errs, demo);
	f->store = demo ? sl_ctl_load_store(demo, &errs) : NULL;
	sl_errs_free(&errs);
	assert_non_null(f->store);
	f->srv.store = fix_store;
	f->srv.store_arg = f->store;
	*state = f;
	return 0;
}

static int teardown_srv(void **state)
{
	struct fix *f = *state;

	sl_store_free(f->store);
	sl_api_auth_free(f->srv.auth);
	sl_api_keys_free(f->keys);
	free(f);
	return 0;
}

static unsigned int nonce_ctr;

/*
 * Build a signed query: "K=V&..." pairs given as a NULL-terminated list,
 * plus the common parameters (unless `raw`), signed with `secret` (NULL:
 * testsecret) for `method`. Returns the malloc'd query string.
 */
static char *signed_query(const char *method, const char *secret, const char *nonce,
			  const char *const *kv)
{
	struct sl_api_params p;
	struct sl_sbuf b;
	char sig[64], nbuf[32], ts[32];
	struct tm tm;
	char *sts;

	sl_api_params_init(&p);
	gmtime_r(&t_now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (nonce == NULL) {
		snprintf(nbuf, sizeof(nbuf), "nonce-%u", ++nonce_ctr);
		nonce = nbuf;
	}
	sl_api_params_add(&p, "Format", "JSON");
	sl_api_params_add(&p, "Version", "2016-04-28");
	sl_api_params_add(&p, "AccessKeyId", "testid");
	sl_api_params_add(&p, "SignatureMethod", "HMAC-SHA1");
	sl_api_params_add(&p, "SignatureVersion", "1.0");
	sl_api_params_add(&p, "SignatureNonce", nonce);
	sl_api_params_add(&p, "Timestamp", ts);
	for (; kv && kv[0]; kv += 2) {
		/* a later pair replaces a common one of the same name */
		bool done = false;

		for (unsigned int i = 0; i < p.n; i++)
			if (strcmp(p.v[i].k, kv[0]) == 0) {
				free(p.v[i].v);
				p.v[i].v = strdup(kv[1]);
				done = true;
			}
		if (!done)
			sl_api_params_add(&p, kv[0], kv[1]);
	}
	sts = sl_api_string_to_sign(method, &p);
	assert_int_equal(sl_api_hmac_sha1_b64(secret ? secret : "testsecret", sts, sig), 0);
	free(sts);
	sl_api_params_add(&p, "Signature", sig);
	sl_sbuf_init(&b);
	for (unsigned int i = 0; i < p.n; i++) {
		if (i)
			sl_sbuf_adds(&b, "&");
		sl_api_pct_encode(&b, p.v[i].k);
		sl_sbuf_adds(&b, "=");
		sl_api_pct_encode(&b, p.v[i].v);
	}
	sl_api_params_free(&p);
	return sl_sbuf_take(&b);
}

static json_t *call(struct fix *f, const char *method, const char *q, int want_status,
		    const char *want_code)
{
	struct sl_api_reply r;
	json_error_t je;
	json_t *j;

	sl_api_handle(&f->srv, method, "/", q, NULL, 0, NULL, "h.example", NULL, &r);
	if (r.status != want_status || (want_code && (!r.code || strcmp(r.code, want_code))))
		fail_msg("want %d %s, got %d %s: %s", want_status, want_code ? want_code : "",
			 r.status, r.code ? r.code : "", r.body);
	if (want_code == NULL)
		assert_null(r.code);
	j = json_loads(r.body, 0, &je);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "RequestId")), r.request_id);
	if (want_code) {
		assert_string_equal(json_string_value(json_object_get(j, "Code")), want_code);
		assert_string_equal(json_string_value(json_object_get(j, "HostId")), "h.example");
		assert_non_null(json_string_value(json_object_get(j, "Message")));
	}
	free(r.body);
	return j;
}

static void test_auth_ok_and_errors(void **state)
{
	struct fix *f = *state;
	const char *kv[] = {"Action", "DescribeRegions", NULL};
	struct sl_api_reply r;
	char *q, *q2;
	json_t *j;

	q = signed_query("GET", NULL, "n-1", kv);
	j = call(f, "GET", q, 200, NULL);
	assert_string_equal(
	    json_string_value(json_object_get(
		json_array_get(json_object_get(json_object_get(j, "Regions"), "Region"), 0),
		"RegionId")),
	    "cn-hangzhou");
	json_decref(j);
	/* the same request again: the nonce was used */
	json_decref(call(f, "GET", q, 400, "SignatureNonceUsed"));
	/* the same nonce under another key is a different nonce */
	{
		const char *kv2[] = {"Action", "DescribeRegions", "AccessKeyId", "other", NULL};

		q2 = signed_query("GET", "othersecret", "n-1", kv2);
		json_decref(call(f, "GET", q2, 200, NULL));
		free(q2);
	}
	/* signed for GET, sent as POST: the method is signed */
	free(q);
	q = signed_query("GET", NULL, NULL, kv);
	json_decref(call(f, "POST", q, 400, "IncompleteSignature"));
	/* a nonce is only remembered once its request verified: the same
	 * query now sent with the right method passes */
	json_decref(call(f, "GET", q, 200, NULL));
	free(q);

	/* wrong secret */
	q = signed_query("GET", "wrong", NULL, kv);
	json_decref(call(f, "GET", q, 400, "IncompleteSignature"));
	free(q);
	/* a tampered parameter */
	q = signed_query("GET", NULL, NULL, kv);
	q2 = NULL;
	assert_true(asprintf(&q2, "%s&Extra=1", q) > 0);
	json_decref(call(f, "GET", q2, 400, "IncompleteSignature"));
	free(q2);
	free(q);
	/* unknown key */
	{
		const char *kv2[] = {"Action", "DescribeRegions", "AccessKeyId", "nobody", NULL};

		q = signed_query("GET", NULL, NULL, kv2);
		json_decref(call(f, "GET", q, 400, "InvalidAccessKeyId.NotFound"));
		free(q);
	}
	/* timestamp outside the window, either way, and malformed */
	{
		const char *old[] = {"Action", "DescribeRegions", "Timestamp",
				     "2023-11-14T21:13:19Z", NULL};
		const char *future[] = {"Action", "DescribeRegions", "Timestamp",
					"2023-11-14T23:13:21Z", NULL};
		const char *edge[] = {"Action", "DescribeRegions", "Timestamp",
				      "2023-11-14T21:13:20Z", NULL};
		const char *bad[] = {"Action", "DescribeRegions", "Timestamp", "yesterday", NULL};

		q = signed_query("GET", NULL, NULL, old);
		json_decref(call(f, "GET", q, 400, "IllegalTimestamp"));
		free(q);
		q = signed_query("GET", NULL, NULL, future);
		json_decref(call(f, "GET", q, 400, "IllegalTimestamp"));
		free(q);
		q = signed_query("GET", NULL, NULL, edge);
		json_decref(call(f, "GET", q, 200, NULL));
		free(q);
		q = signed_query("GET", NULL, NULL, bad);
		json_decref(call(f, "GET", q, 400, "IllegalTimestamp"));
		free(q);
	}
	/* missing common parameters */
	json_decref(call(f, "GET", "Action=DescribeRegions", 400, "MissingParameter"));
	json_decref(call(f, "GET", NULL, 400, "MissingParameter"));
	/* signature method and version */
	{
		const char *m[] = {"Action", "DescribeRegions", "SignatureMethod", "HMAC-SHA256",
				   NULL};
		const char *v[] = {"Action", "DescribeRegions", "SignatureVersion", "2.0", NULL};

		q = signed_query("GET", NULL, NULL, m);
		json_decref(call(f, "GET", q, 400, "InvalidParamater"));
		free(q);
		q = signed_query("GET", NULL, NULL, v);
		json_decref(call(f, "GET", q, 400, "InvalidParamater"));
		free(q);
	}
	/* version and action, checked after authentication */
	{
		const char *v[] = {"Action", "DescribeRegions", "Version", "2014-05-26", NULL};
		const char *a[] = {"Action", "LaunchRockets", NULL};

		q = signed_query("GET", NULL, NULL, v);
		json_decref(call(f, "GET", q, 400, "InvalidParameter"));
		free(q);
		q = signed_query("GET", NULL, NULL, a);
		json_decref(call(f, "GET", q, 400, "InvalidParameter"));
		free(q);
	}
	/* method and path */
	sl_api_handle(&f->srv, "DELETE", "/", NULL, NULL, 0, NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 403);
	assert_string_equal(r.code, "UnsupportedHTTPMethod");
	assert_non_null(strstr(r.body, "\"HostId\":\"sluiced\""));
	free(r.body);
	sl_api_handle(&f->srv, "GET", "/x", NULL, NULL, 0, NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	free(r.body);
	/* bad encoding */
	json_decref(call(f, "GET", "Action=%zz", 400, "InvalidParameter"));
}

static void test_post_form_and_xml(void **state)
{
	struct fix *f = *state;
	const char *kv[] = {"Action", "DescribeZones", "RegionId", "cn-hangzhou",
			    "Format", "xml",	       NULL};
	struct sl_api_reply r;
	char *q, *amp;

	/* the whole signed query in a form body, as a POST */
	q = signed_query("POST", NULL, NULL, kv);
	sl_api_handle(&f->srv, "POST", "/", NULL, q, strlen(q),
		      "application/x-www-form-urlencoded; charset=UTF-8", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "text/xml;charset=utf-8");
	assert_non_null(strstr(r.body, "<DescribeZonesResponse><RequestId>"));
	assert_non_null(strstr(r.body, "<Zones><Zone><ZoneId>cn-hangzhou-a</ZoneId><LocalName>"
				       "lab zone a</LocalName></Zone><Zone><ZoneId>"
				       "cn-hangzhou-b</ZoneId>"));
	free(r.body);
	free(q);
	/* split between query and body: signed over both together */
	q = signed_query("POST", NULL, NULL, kv);
	amp = strchr(q, '&');
	*amp = '\0';
	sl_api_handle(&f->srv, "POST", "/", q, amp + 1, strlen(amp + 1),
		      "application/x-www-form-urlencoded", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	free(r.body);
	free(q);
	/* an XML error */
	{
		const char *kv2[] = {"Action", "DescribeZones", "RegionId", "nowhere",
				     "Format", "XML",		NULL};

		q = signed_query("GET", NULL, NULL, kv2);
		sl_api_handle(&f->srv, "GET", "/", q, NULL, 0, NULL, "h", NULL, &r);
		assert_int_equal(r.status, 404);
		assert_non_null(strstr(r.body, "<Error><RequestId>"));
		assert_non_null(strstr(r.body, "<Code>InvalidRegionId.NotFound</Code>"));
		free(r.body);
		free(q);
	}
	/* Format must be JSON or XML */
	{
		const char *kv2[] = {"Action", "DescribeRegions", "Format", "YAML", NULL};

		q = signed_query("GET", NULL, NULL, kv2);
		json_decref(call(f, "GET", q, 400, "InvalidParameter"));
		free(q);
	}
}

static json_t *list_of(json_t *j, const char *outer, const char *inner)
{
	json_t *a = json_object_get(json_object_get(j, outer), inner);

	assert_true(json_is_array(a));
	return a;
}

static const char *sfield(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	assert_non_null(s);
	return s;
}

static void test_describe_vpcs(void **state)
{
	struct fix *f = *state;
	const char *all[] = {"Action", "DescribeVpcs", "RegionId", "cn-hangzhou", NULL};
	const char *page2[] = {"Action", "DescribeVpcs", "RegionId", "cn-hangzhou", "PageSize",
			       "1",	 "PageNumber",	 "2",	     NULL};
	const char *one[] = {"Action", "DescribeVpcs", "RegionId", "cn-hangzhou",
			     "VpcId",  "vpc-b",	       NULL};
	const char *none[] = {"Action", "DescribeVpcs", "RegionId", "cn-hangzhou",
			      "VpcId",	"vpc-zz",	NULL};
	const char *big[] = {"Action",	 "DescribeVpcs", "RegionId", "cn-hangzhou",
			     "PageSize", "51",		 NULL};
	const char *zero[] = {
	    "Action", "DescribeVpcs", "RegionId", "cn-hangzhou", "PageNumber", "0", NULL};
	const char *noreg[] = {"Action", "DescribeVpcs", NULL};
	const char *badreg[] = {"Action", "DescribeVpcs", "RegionId", "mars-1", NULL};
	json_t *j, *v;
	char *q;

	q = signed_query("GET", NULL, NULL, all);
	j = call(f, "GET", q, 200, NULL);
	free(q);
	assert_int_equal(json_integer_value(json_object_get(j, "TotalCount")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "PageNumber")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "PageSize")), 10);
	v = json_array_get(list_of(j, "Vpcs", "Vpc"), 0);
	assert_string_equal(sfield(v, "VpcId"), "vpc-a");
	assert_string_equal(sfield(v, "RegionId"), "cn-hangzhou");
	assert_string_equal(sfield(v, "VpcName"), "tenant-a");
	assert_string_equal(sfield(v, "CidrBlock"), "192.168.0.0/16");
	assert_string_equal(sfield(v, "Ipv6CidrBlock"), "2001:db8:a::/56");
	assert_string_equal(sfield(v, "VRouterId"), "vrt-a");
	assert_string_equal(sfield(v, "CreationTime"), "2023-11-14T22:12:20Z");
	assert_true(json_is_false(json_object_get(v, "IsDefault")));
	assert_int_equal(json_integer_value(json_object_get(v, "VlanId")), 100);
	assert_true(json_is_integer(json_object_get(v, "Trunk")));
	assert_int_equal(json_integer_value(json_object_get(v, "Trunk")), 0);
	/* loaded, never published: Pending */
	assert_string_equal(sfield(v, "Status"), "Pending");
	assert_int_equal(json_array_size(list_of(v, "VSwitchIds", "VSwitchId")), 2);
	assert_string_equal(
	    json_string_value(json_array_get(list_of(v, "VSwitchIds", "VSwitchId"), 1)), "vsw-a2");
	assert_int_equal(json_array_size(list_of(v, "UserCidrs", "UserCidr")), 0);
	json_decref(j);

	q = signed_query("GET", NULL, NULL, page2);
	j = call(f, "GET", q, 200, NULL);
	free(q);
	assert_int_equal(json_integer_value(json_object_get(j, "TotalCount")), 2);
	assert_int_equal(json_array_size(list_of(j, "Vpcs", "Vpc")), 1);
	assert_string_equal(sfield(json_array_get(list_of(j, "Vpcs", "Vpc"), 0), "VpcId"), "vpc-b");
	json_decref(j);

	q = signed_query("GET", NULL, NULL, one);
	j = call(f, "GET", q, 200, NULL);
	free(q);
	assert_int_equal(json_integer_value(json_object_get(j, "TotalCount")), 1);
	json_decref(j);
	/* a VpcId filter naming nothing: an empty intersection, not an error */
	q = signed_query("GET", NULL, NULL, none);
	j = call(f, "GET", q, 200, NULL);
	free(q);
	assert_int_equal(json_integer_value(json_object_get(j, "TotalCount")), 0);
	assert_int_equal(json_array_size(list_of(j, "Vpcs", "Vpc")), 0);
	json_decref(j);

	q = signed_query("GET", NULL, NULL, big);
	j = call(f, "GET", q, 400, "InvalidParameter");
	assert_non_null(strstr(sfield(j, "Message"), "pageSize"));
	json_decref(j);
	free(q);
	q = signed_query("GET", NULL, NULL, zero);
	json_decref(call(f, "GET", q, 400, "InvalidParameter"));
	free(q);
	q = signed_query("GET", NULL, NULL, noreg);
	json_decref(call(f, "GET", q, 400, "MissingParameter"));
	free(q);
	q = signed_query("GET", NULL, NULL, badreg);
	json_decref(call(f, "GET", q, 404, "Forbidden.RegionNotFound"));
	free(q);
}

static void test_describe_vswitches(void **state)
{
	struct fix *f = *state;
	const char *by_vpc[] = {"Action", "DescribeVSwitches", "VpcId", "vpc-b", NULL};
	const char *by_zone[] = {"Action", "DescribeVSwitches", "RegionId", "cn-hangzhou",
				 "ZoneId", "cn-hangzhou-b",	NULL};
	const char *bad_vpc[] = {
	    "Action", "DescribeVSwitches", "RegionId", "cn-hangzhou", "VpcId", "vpc-zz", NULL};
	json_t *j, *w;
	char *q;

	q = signed_query("GET", NULL, NULL, by_vpc);
	j = call(f, "GET", q, 200, NULL);
	free(q);
	assert_int_equal(json_integer_value(json_object_get(j, "TotalCount")), 2);
	w = json_array_get(list_of(j, "VSwitches", "VSwitch"), 0);
	assert_string_equal(sfield(w, "VSwitchId"), "vsw-b1");
	assert_string_equal(sfield(w, "VpcId"), "vpc-b");
	assert_string_equal(sfield(w, "ZoneId"), "cn-hangzhou-a");
	assert_string_equal(sfield(w, "CidrBlock"), "192.168.1.0/24");
	assert_string_equal(sfield(w, "Ipv6CidrBlock"), "2001:db8:b:1::/64");
	/* 256 - 4 reserved - 1 instance (i-b1) */
	assert_int_equal(json_integer_value(json_object_get(w, "AvailableIpAddressCount")), 251);
	json_decref(j);

	q = signed_query("GET", NULL, NULL, by_zone);
	j = call(f, "GET", q, 200, NULL);
	free(q);
	assert_int_equal(json_integer_value(json_object_get(j, "TotalCount")), 2);
	assert_string_equal(
	    sfield(json_array_get(list_of(j, "VSwitches", "VSwitch"), 0), "VSwitchId"), "vsw-a2");
	json_decref(j);

	q = signed_query("GET", NULL, NULL, bad_vpc);
	json_decref(call(f, "GET", q, 404, "Forbidden.VpcNotFound"));
	free(q);
}

static void test_describe_route_tables(void **state)
{
	struct fix *f = *state;
	const char *a[] = {"Action", "DescribeRouteTables", "RouteTableId", "vtb-a", NULL};
	const char *all[] = {"Action", "DescribeRouteTables", NULL};
	const char *vbr[] = {"Action", "DescribeRouteTables", "RouterType", "VBR", NULL};
	const char *vr[] = {"Action", "DescribeRouteTables", "VRouterId", "vrt-b", NULL};
	json_t *j, *t, *ents, *e;
	char *q;

	q = signed_query("GET", NULL, NULL, a);
	j = call(f, "GET", q, 200, NULL);
	free(q);
	assert_int_equal(json_integer_value(json_object_get(j, "TotalCount")), 1);
	t = json_array_get(list_of(j, "RouteTables", "RouteTable"), 0);
	assert_string_equal(sfield(t, "RouteTableId"), "vtb-a");
	assert_string_equal(sfield(t, "VRouterId"), "vrt-a");
	assert_string_equal(sfield(t, "RouterType"), "VRouter");
	assert_string_equal(sfield(t, "RouteTableType"), "System");
	ents = list_of(t, "RouteEntrys", "RouteEntry");
	/* 2 custom + 2 VSwitches x (v4 + v6) + 100.64.0.0/10 */
	assert_int_equal(json_array_size(ents), 7);
	e = json_array_get(ents, 0);
	assert_string_equal(sfield(e, "DestinationCidrBlock"), "10.99.0.0/16");
	assert_string_equal(sfield(e, "Type"), "Custom");
	assert_string_equal(sfield(e, "NextHopType"), "Instance");
	assert_string_equal(sfield(e, "InstanceId"), "i-a2");
	assert_string_equal(sfield(e, "RouteTableId"), "vtb-a");
	e = json_array_get(ents, 6);
	assert_string_equal(sfield(e, "DestinationCidrBlock"), "100.64.0.0/10");
	assert_string_equal(sfield(e, "Type"), "System");
	assert_string_equal(sfield(e, "InstanceId"), "");
	json_decref(j);

	q = signed_query("GET", NULL, NULL, all);
	j = call(f, "GET", q, 200, NULL);
	free(q);
	assert_int_equal(json_integer_value(json_object_get(j, "TotalCount")), 2);
	json_decref(j);
	q = signed_query("GET", NULL, NULL, vbr);
	j = call(f, "GET", q, 200, NULL);
	free(q);
	assert_int_equal(json_integer_value(json_object_get(j, "TotalCount")), 0);
	json_decref(j);
	q = signed_query("GET", NULL, NULL, vr);
	j = call(f, "GET", q, 200, NULL);
	free(q);
	assert_int_equal(json_integer_value(json_object_get(j, "TotalCount")), 1);
	assert_string_equal(
	    sfield(json_array_get(list_of(j, "RouteTables", "RouteTable"), 0), "RouteTableId"),
	    "vtb-b");
	json_decref(j);
}

/* ACS3-HMAC-SHA256: the Authorization value below was computed by the
 * SDK's own signer (@alicloud/openapi-core 1.0.8 getAuthorization) for
 * this request, secret "testsecret", at the tests' fixed clock. */
#define ACS3_AUTH                                                                                  \
	"ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;x-acs-content-sha256;" \
	"x-acs-date;x-acs-signature-nonce;x-acs-version,Signature="                                \
	"831e47fbe061c2d3b69c75c65ffa1d82a80b837518fabebd0fbd4e72e69d3af3"
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void acs3_headers(struct sl_api_params *h, const char *auth, const char *nonce)
{
	sl_api_params_init(h);
	sl_api_params_add(h, "host", "127.0.0.1:8080");
	sl_api_params_add(h, "x-acs-version", "2016-04-28");
	sl_api_params_add(h, "x-acs-action", "DescribeVpcs");
	sl_api_params_add(h, "user-agent", "x");
	sl_api_params_add(h, "x-acs-date", "2023-11-14T22:13:20Z");
	sl_api_params_add(h, "x-acs-signature-nonce", nonce);
	sl_api_params_add(h, "accept", "application/json");
	sl_api_params_add(h, "x-acs-content-sha256", EMPTY_SHA256);
	sl_api_params_add(h, "authorization", auth);
}

static void acs3_call(struct fix *f, const struct sl_api_params *h, const char *body,
		      int want_status, const char *want_code)
{
	const char *q = "RegionId=cn-hangzhou&PageSize=1&VpcName=a%20b%2A~";
	struct sl_api_reply r;

	sl_api_handle(&f->srv, "POST", "/", q, body, body ? strlen(body) : 0,
		      body ? "application/x-www-form-urlencoded" : NULL, "127.0.0.1:8080", h, &r);
	if (r.status != want_status || (want_code && (!r.code || strcmp(r.code, want_code))) ||
	    (!want_code && r.code))
		fail_msg("want %d %s, got %d %s: %s", want_status, want_code ? want_code : "",
			 r.status, r.code ? r.code : "", r.body);
	if (!want_code)
		assert_non_null(strstr(r.body, "\"TotalCount\":0")); /* no VPC named "a b*~" */
	free(r.body);
}

static void test_acs3(void **state)
{
	struct fix *f = *state;
	struct sl_api_params h;
	char *creq;

	/* the canonical request, as the SDK builds it */
	acs3_headers(&h, ACS3_AUTH, "n-acs3-1");
	{
		struct sl_api_params q;
		const char *qs = "RegionId=cn-hangzhou&PageSize=1&VpcName=a%20b%2A~";

		sl_api_params_init(&q);
		sl_api_params_parse(&q, qs, strlen(qs));
		creq = sl_api_acs3_canonical(
		    "POST", "/", &q, &h,
		    "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;"
		    "x-acs-version",
		    EMPTY_SHA256);
		assert_string_equal(creq,
				    "POST\n/\nPageSize=1&RegionId=cn-hangzhou&VpcName=a%20b%2A~\n"
				    "host:127.0.0.1:8080\nx-acs-action:DescribeVpcs\n"
				    "x-acs-content-sha256:" EMPTY_SHA256 "\n"
				    "x-acs-date:2023-11-14T22:13:20Z\n"
				    "x-acs-signature-nonce:n-acs3-1\nx-acs-version:2016-04-28\n\n"
				    "host;x-acs-action;x-acs-content-sha256;x-acs-date;"
				    "x-acs-signature-nonce;x-acs-version\n" EMPTY_SHA256);
		free(creq);
		sl_api_params_free(&q);
	}
	acs3_call(f, &h, NULL, 200, NULL);
	/* replay */
	acs3_call(f, &h, NULL, 400, "SignatureNonceUsed");
	sl_api_params_free(&h);

	/* a changed signature, a different nonce than signed, a body that is not
	 * the one hashed, an unknown key, a stale date */
	{
		char bad[] = ACS3_AUTH;

		bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '3' ? '4' : '3';
		acs3_headers(&h, bad, "n-acs3-1");
		acs3_call(f, &h, NULL, 400, "IncompleteSignature");
		sl_api_params_free(&h);
	}
	acs3_headers(&h, ACS3_AUTH, "n-acs3-2");
	acs3_call(f, &h, NULL, 400, "IncompleteSignature");
	sl_api_params_free(&h);
	acs3_headers(&h, ACS3_AUTH, "n-acs3-1");
	acs3_call(f, &h, "PageSize=2", 400, "IncompleteSignature");
	sl_api_params_free(&h);
	acs3_headers(&h,
		     "ACS3-HMAC-SHA256 Credential=nobody,SignedHeaders=host;x-acs-action;"
		     "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,"
		     "Signature=00",
		     "n-acs3-3");
	acs3_call(f, &h, NULL, 400, "InvalidAccessKeyId.NotFound");
	sl_api_params_free(&h);
	/* a required header left out of SignedHeaders */
	acs3_headers(&h,
		     "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;"
		     "x-acs-content-sha256;x-acs-date;x-acs-version,Signature=00",
		     "n-acs3-4");
	acs3_call(f, &h, NULL, 400, "IncompleteSignature");
	sl_api_params_free(&h);
	acs3_headers(&h, "ACS3-HMAC-SHA256 garbage", "n-acs3-5");
	acs3_call(f, &h, NULL, 400, "IncompleteSignature");
	sl_api_params_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signature_vectors),
	    cmocka_unit_test(test_percent_encode),
	    cmocka_unit_test(test_canonical_order),
	    cmocka_unit_test(test_params_parse),
	    cmocka_unit_test(test_list_paging),
	    cmocka_unit_test(test_filters),
	    cmocka_unit_test(test_parse_time),
	    cmocka_unit_test(test_listen_parse),
	    cmocka_unit_test(test_error_envelope),
	    cmocka_unit_test(test_result_envelope),
	    cmocka_unit_test(test_request_id),
	    cmocka_unit_test(test_keys_file),
	    cmocka_unit_test_setup_teardown(test_auth_ok_and_errors, setup_srv, teardown_srv),
	    cmocka_unit_test_setup_teardown(test_post_form_and_xml, setup_srv, teardown_srv),
	    cmocka_unit_test_setup_teardown(test_describe_vpcs, setup_srv, teardown_srv),
	    cmocka_unit_test_setup_teardown(test_describe_vswitches, setup_srv, teardown_srv),
	    cmocka_unit_test_setup_teardown(test_describe_route_tables, setup_srv, teardown_srv),
	    cmocka_unit_test_setup_teardown(test_acs3, setup_srv, teardown_srv),
	};
	char cmd[96];
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sl_api_test.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	sl_log_level = SL_LOG_ERROR;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
