/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: the config loader (form checks, defaults, Judy indexes). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sl_ctl_config.h"
#include "sl_test_cfg.h"
#include "sl_test_util.h"

static struct sl_store *load(const char *json, struct sl_errs *e)
{
	sl_errs_init(e, "t.json");
	return sl_cfg_load_string(json, e);
}

static void test_demo_loads(void **state)
{
	struct sl_errs e;
	struct sl_store *s;
	struct sl_vpc_obj *v;

	sl_errs_init(&e, sl_t_demo_path());
	s = sl_cfg_load(sl_t_demo_path(), &e);
	sl_t_dump(&e);
	assert_non_null(s);
	assert_int_equal(sl_errs_count(&e), 0);
	assert_int_equal(s->region_v.n, 1);
	assert_int_equal(s->zone_v.n, 2);
	assert_int_equal(s->vpc_v.n, 2);
	assert_int_equal(s->vswitch_v.n, 4);
	assert_int_equal(s->instance_v.n, 4);
	assert_int_equal(s->route_v.n, 2);
	assert_non_null(s->gateway);
	assert_int_equal(s->gateway->n_addrs, 2);
	assert_int_equal(s->gateway->n_routes, 2);
	assert_int_equal(s->gateway->mtu, 1500);
	/* JudySL indexes by ID */
	v = sl_store_vpc(s, "vpc-b");
	assert_non_null(v);
	assert_int_equal(v->vlan, 200);
	assert_string_equal(v->route_table_id, "vtb-b");
	assert_int_equal(v->mtu, 1500);
	assert_non_null(sl_store_vswitch(s, "vsw-a2"));
	assert_non_null(sl_store_instance(s, "i-b2"));
	assert_null(sl_store_vpc(s, "vpc-c"));
	assert_non_null(sl_jsl_get(s->routes, "vtb-a:10.99.0.0/16"));
	assert_non_null(sl_jsl_get(s->routes, "vtb-a:2001:db8:99::/48"));
	sl_store_free(s);
	sl_errs_free(&e);
}

static void test_unknown_keys(void **state)
{
	char *j = sl_t_json("{'Vpcs':[{'VpcId':'vpc-x','RegionId':'r','VlanID':5,'VlanId':5}],"
			    "'VSwitchs':[]}");
	struct sl_errs e;
	struct sl_store *s = load(j, &e);

	assert_non_null(s);
	assert_true(sl_errs_has(&e, "UnsupportedParameter", "Vpc vpc-x"));
	assert_true(sl_errs_has(&e, "UnsupportedParameter", "(top level)"));
	/* the field is named in the message */
	for (unsigned int i = 0; i < e.n; i++)
		if (strcmp(e.v[i].object, "Vpc vpc-x") == 0)
			assert_string_equal(e.v[i].field, "VlanID");
	assert_non_null(strstr(e.v[0].msg, "t.json: "));
	sl_store_free(s);
	sl_errs_free(&e);
	free(j);
}

static void test_types_and_required(void **state)
{
	char *j =
	    sl_t_json("{'Vpcs':[{'VpcId':'vpc-x','RegionId':'r','VlanId':'100'},"
		      "{'RegionId':'r','VlanId':5},"
		      "{'VpcId':'vpc y','RegionId':'r','VlanId':6}],"
		      "'VSwitches':[{'VSwitchId':'vsw-1','VpcId':'vpc-x','ZoneId':'z'}],"
		      "'Instances':[{'InstanceId':'i-1','VSwitchId':'vsw-1','PrivateIpAddress':'"
		      "2001:db8::1'}],"
		      "'RouteEntries':[{'RouteTableId':'vtb-x','DestinationCidrBlock':'10.0.0.0/8',"
		      "'NextHopList':[]}]}");
	struct sl_errs e;
	struct sl_store *s = load(j, &e);

	assert_non_null(s);
	sl_t_dump(&e);
	assert_true(sl_errs_has(&e, "InvalidVlanId.Malformed", "Vpc vpc-x"));
	assert_true(sl_errs_has(&e, "MissingParameter", "Vpcs[1]"));
	assert_true(sl_errs_has(&e, "InvalidParameter", "Vpcs[2]"));	   /* space in the id */
	assert_true(sl_errs_has(&e, "MissingParameter", "VSwitch vsw-1")); /* CidrBlock */
	assert_true(sl_errs_has(&e, "InvalidPrivateIpAddress.Malformed", "Instance i-1"));
	assert_true(sl_errs_has(&e, "InvalidParameter", "RouteEntry vtb-x:10.0.0.0/8"));
	assert_true(sl_errs_has(&e, "MissingParameter", "RouteEntry vtb-x:10.0.0.0/8"));
	sl_store_free(s);
	sl_errs_free(&e);
	free(j);
}

static void test_duplicates(void **state)
{
	char *j = sl_t_json(
	    "{'Vpcs':[{'VpcId':'vpc-x','RegionId':'r','VlanId':1},"
	    "{'VpcId':'vpc-x','RegionId':'r','VlanId':2}],"
	    "'VSwitches':[{'VSwitchId':'vsw-1','VpcId':'vpc-x','ZoneId':'z','CidrBlock':'10.0.0.0/"
	    "24'},"
	    "{'VSwitchId':'vsw-1','VpcId':'vpc-x','ZoneId':'z','CidrBlock':'10.0.1.0/24'}],"
	    "'Instances':[{'InstanceId':'i-1','VSwitchId':'vsw-1','PrivateIpAddress':'10.0.0.4'},"
	    "{'InstanceId':'i-1','VSwitchId':'vsw-1','PrivateIpAddress':'10.0.0.5'}],"
	    "'RouteEntries':["
	    "{'RouteTableId':'vtb-x','DestinationCidrBlock':'10.9.9.9','NextHopId':'i-1'},"
	    "{'RouteTableId':'vtb-x','DestinationCidrBlock':'10.9.9.9/32','NextHopId':'i-1'}]}");
	struct sl_errs e;
	struct sl_store *s = load(j, &e);

	assert_non_null(s);
	assert_true(sl_errs_has(&e, "InvalidParameter", "Vpc vpc-x"));
	assert_true(sl_errs_has(&e, "InvalidParameter", "VSwitch vsw-1"));
	assert_true(sl_errs_has(&e, "InvalidParameter", "Instance i-1"));
	assert_true(sl_errs_has(&e, "InvalidCIDRBlock.Duplicate", "RouteEntry vtb-x:10.9.9.9/32"));
	/* the first of each stays */
	assert_int_equal(s->vpc_v.n, 1);
	assert_int_equal(sl_store_vpc(s, "vpc-x")->vlan, 1);
	assert_int_equal(s->route_v.n, 1);
	sl_store_free(s);
	sl_errs_free(&e);
	free(j);
}

static void test_defaults(void **state)
{
	char *j = sl_t_json("{'Vpcs':[{'VpcId':'vpc-q1','RegionId':'r','VlanId':7},"
			    "{'VpcId':'corp','RegionId':'r','VlanId':8,'Mtu':9000}]}");
	struct sl_errs e;
	struct sl_store *s = load(j, &e);
	struct sl_vpc_obj *v;
	char buf[SL_PFX_STRLEN];

	assert_non_null(s);
	assert_int_equal(sl_errs_count(&e), 0);
	v = sl_store_vpc(s, "vpc-q1");
	assert_string_equal(v->route_table_id, "vtb-q1");
	assert_true(v->route_table_derived);
	assert_string_equal(sl_pfx_fmt(&v->cidr, buf, sizeof(buf)), "172.16.0.0/12");
	assert_int_equal(v->mtu, 1500);
	assert_false(v->cidr6_given);
	v = sl_store_vpc(s, "corp");
	assert_string_equal(v->route_table_id, "vtb-corp");
	assert_int_equal(v->mtu, 9000);
	sl_store_free(s);
	sl_errs_free(&e);
	free(j);
}

static void test_bad_json(void **state)
{
	struct sl_errs e;

	assert_null(load("{\"Vpcs\": [", &e));
	assert_true(sl_errs_has(&e, "InvalidConfig", NULL));
	sl_errs_free(&e);
	/* duplicate JSON keys are refused, not silently merged */
	assert_null(load("{\"Vpcs\": [], \"Vpcs\": []}", &e));
	assert_true(sl_errs_has(&e, "InvalidConfig", NULL));
	sl_errs_free(&e);
	assert_null(load("[]", &e));
	sl_errs_free(&e);
	sl_errs_init(&e, "missing.json");
	assert_null(sl_cfg_load("/nonexistent/sluice.json", &e));
	assert_int_equal(sl_errs_count(&e), 1);
	sl_errs_free(&e);
}

static void test_cidr_forms(void **state)
{
	char *j = sl_t_json(
	    "{'Vpcs':[{'VpcId':'vpc-x','RegionId':'r','VlanId':1,'CidrBlock':'10.0.0.1/8'},"
	    "{'VpcId':'vpc-y','RegionId':'r','VlanId':2,'CidrBlock':'10.0.0.0'},"
	    "{'VpcId':'vpc-z','RegionId':'r','VlanId':3,'Ipv6CidrBlock':'10.0.0.0/8'}],"
	    "'Gateway':{'Outside':{'Addresses':['203.0.113.2','203.0.113.2/24']},"
	    "'InternetRoutes':[{'DestinationCidrBlock':'0.0.0.0/0','NextHop':'x'}]}}");
	struct sl_errs e;
	struct sl_store *s = load(j, &e);

	assert_non_null(s);
	sl_t_dump(&e);
	assert_true(sl_errs_has(&e, "InvalidCidrBlock.Malformed", "Vpc vpc-x")); /* host bits */
	assert_non_null(strstr(e.v[0].msg, "did you mean 10.0.0.0/8"));
	assert_true(sl_errs_has(&e, "InvalidCidrBlock.Malformed", "Vpc vpc-y")); /* no length */
	assert_true(sl_errs_has(&e, "InvalidCidrBlock.Malformed", "Vpc vpc-z")); /* family */
	assert_true(sl_errs_has(&e, "InvalidIpAddress.Malformed", "Gateway Outside"));
	assert_true(sl_errs_has(&e, "InvalidNextHop.Malformed", "InternetRoute 0.0.0.0/0"));
	assert_int_equal(s->gateway->n_addrs, 1);
	sl_store_free(s);
	sl_errs_free(&e);
	free(j);
}

/* sl_cfg_parse_json() with the RouteEntries array cut in two: the same tree
 * as one json_loadb(), or the same error (line, column, text). */
static void sl_t_split_same(const char *text, bool want_split)
{
	size_t len = strlen(text);
	char *copy = strdup(text);
	json_error_t je1, je2;
	json_t *a, *b;

	assert_non_null(copy);
	a = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je1);
	b = sl_cfg_parse_json(copy, len, 0, &je2);
	assert_memory_equal(copy, text, len); /* restored */
	assert_int_equal(sl_cfg_last_load.split, want_split);
	if (a == NULL) {
		assert_null(b);
		assert_int_equal(je1.line, je2.line);
		assert_int_equal(je1.column, je2.column);
		assert_string_equal(je1.text, je2.text);
	} else {
		assert_non_null(b);
		assert_true(json_equal(a, b));
		/* json_equal() ignores nothing in arrays: order and length too */
		assert_int_equal(json_array_size(json_object_get(a, "RouteEntries")),
				 json_array_size(json_object_get(b, "RouteEntries")));
	}
	json_decref(a);
	json_decref(b);
	free(copy);
}

static void test_split_parse(void **state)
{
	(void)state;
	/* cut and joined */
	sl_t_split_same("{\"Vpcs\": [], \"RouteEntries\" : [ {\"a\": 1}, {\"b\": \"x]\\\",[\"},"
			" [1, [2]], 3, \"s\", {\"c\": {\"d\": []}} ], \"Gateway\": {}}",
			true);
	sl_t_split_same("{\"RouteEntries\":[1,2]}", true);
	/* errors in either piece: jansson's error for the whole text */
	sl_t_split_same("{\"RouteEntries\": [1, 2, 3, 4, 5, 6, {\"a\": 1, \"a\": 2}]}", false);
	sl_t_split_same("{\"RouteEntries\": [{\"a\": 1, \"a\": 2}, 1, 2, 3, 4, 5, 6]}", false);
	sl_t_split_same("{\"RouteEntries\": [1, 2, 3, 4, 5, 6, 7,]}", false);
	sl_t_split_same("{\"RouteEntries\": [1, 2, 3, 4, 5, 6, 7 8]}", false);
	sl_t_split_same("{\"RouteEntries\": [1, 2, 3, 4, 5, 6, 7], \"RouteEntries\": []}", false);
	sl_t_split_same("{\"RouteEntries\": [1, 2, 3, 4, 5, 6, 7], x}", false);
	sl_t_split_same("{\"RouteEntries\": [1, 2, 3, 4, {\"a\" 5}, 6, 7]}", false);
	/* no fast path: one element, not an array, not at the top level */
	sl_t_split_same("{\"RouteEntries\": [1]}", false);
	sl_t_split_same("{\"RouteEntries\": {\"a\": [1, 2]}}", false);
	sl_t_split_same("{\"x\": {\"RouteEntries\": [1, 2, 3]}}", false);
	sl_t_split_same("[\"RouteEntries\", [1, 2, 3]]", false);
	sl_t_split_same("{\"RouteEntries\": [1, 2, 3", false);
}

/* ---- the route scanner against jansson (differential) ---------------------- */

struct sl_t_doc {
	char *s;
	size_t len, cap;
};

static void sl_t_put(struct sl_t_doc *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (d->s == NULL) {
		d->cap = 256;
		d->s = malloc(d->cap);
		assert_non_null(d->s);
	}
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(d->s + d->len, d->cap - d->len, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if ((size_t)n < d->cap - d->len)
			break;
		d->cap = d->cap * 2 + (size_t)n + 64;
		d->s = realloc(d->s, d->cap);
		assert_non_null(d->s);
	}
	d->len += (size_t)n;
}

static const char *sl_t_ws(unsigned int *seed)
{
	static const char *const ws[] = {"", "", "", " ", "\n", "\t", "\r\n  ", "  "};

	return ws[rand_r(seed) % 8];
}

/* One route entry: the known members in a random order, each present or
 * not, with values good and bad; `odd` (not 0) puts in one thing the
 * scanner does not take. */
static void sl_t_route_elem(struct sl_t_doc *d, unsigned int *seed, int odd)
{
	static const char *const keys[] = {"RouteTableId", "DestinationCidrBlock", "NextHopType",
					   "NextHopId"};
	static const char *const vals[4][9] = {
	    {"vtb-a", "vtb-b", "vtb-c", "", "vtb a", "vtb-a:1",
	     "vtb-0123456789012345678901234567890123456789012345678901234567890123", "vtb.x_y", "v"},
	    {"10.0.0.0/8", "10.1.0.0/16", "192.168.7.0/24", "10.0.0.1", "10.0.0.1/24",
	     "2001:db8::/32", "2001:db8:0:1::/64", "::ffff:1.2.3.0/120", "1.2.3.4/33"},
	    {"Instance", "HaVip", "", "RouterInterface", "NatGateway",
	     "Instance-Instance-Instance-Instance-x", "instance", "Ipv6Gateway", "x y"},
	    {"i-a", "i-b", "", "i a", "havip-1",
	     "i-0123456789012345678901234567890123456789012345678901234567890123", "i.b", "x",
	     "i-c"}};
	static const char *const bad_dest[] = {"x", "", "0.0.0.0/0", "::/0", "300.1.1.1/8",
					       "2001:db8::/129", "10.0.0.0/08", "1.2.3.0 /24"};
	unsigned int order[4] = {0, 1, 2, 3};
	bool first = true;

	for (int i = 3; i > 0; i--) {
		unsigned int j = (unsigned int)rand_r(seed) % (unsigned int)(i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	sl_t_put(d, "{%s", sl_t_ws(seed));
	for (int i = 0; i < 4; i++) {
		unsigned int k = order[i];
		const char *v = vals[k][rand_r(seed) % 9];

		if (rand_r(seed) % 8 == 0)
			continue; /* absent */
		if (k == 1 && rand_r(seed) % 4 == 0)
			v = bad_dest[rand_r(seed) % 8];
		sl_t_put(d, "%s\"%s\"%s:%s\"%s\"%s", first ? "" : ",", keys[k], sl_t_ws(seed),
			 sl_t_ws(seed), v, sl_t_ws(seed));
		first = false;
	}
	switch (odd) {
	case 1:
		sl_t_put(d, "%s\"Comment\": \"c\"", first ? "" : ",");
		break;
	case 2:
		sl_t_put(d, "%s\"NextHopList\": []", first ? "" : ",");
		break;
	case 3:
		sl_t_put(d, "%s\"Extra\": \"e\"", first ? "" : ",");
		break;
	case 4:
		sl_t_put(d, "%s\"NextHopType\": 7", first ? "" : ",");
		break;
	case 5:
		sl_t_put(d, "%s\"RouteTableId\": null", first ? "" : ",");
		break;
	case 6:
		sl_t_put(d, "%s\"NextHopId\": \"i-\\u0041\"", first ? "" : ",");
		break;
	case 7:
		sl_t_put(d, "%s\"NextHopId\": \"i-\xc3\xa9\"", first ? "" : ",");
		break;
	case 8: /* a member twice: jansson refuses the file */
		sl_t_put(d, "%s\"NextHopId\": \"a\", \"NextHopId\": \"b\"", first ? "" : ",");
		break;
	case 9: /* a trailing comma in the object: a syntax error */
		sl_t_put(d, "%s\"NextHopId\": \"a\",", first ? "" : ",");
		break;
	case 10: /* a control character in a string */
		sl_t_put(d, "%s\"NextHopId\": \"a\tb\"", first ? "" : ",");
		break;
	default:
		break;
	}
	sl_t_put(d, "%s}", sl_t_ws(seed));
}

/* A document: VPCs, the route entries (one odd element when `odd`), NAT
 * gateways after them; sometimes an unknown top-level key or a broken end. */
static char *sl_t_route_doc(unsigned int *seed, int odd, size_t *len, bool *placed)
{
	struct sl_t_doc d = {0};
	unsigned int n = (unsigned int)rand_r(seed) % 40, at = n ? (unsigned int)rand_r(seed) % n : 0;

	sl_t_put(&d, "{\"Vpcs\": [{\"VpcId\": \"vpc-a\", \"CidrBlock\": \"10.0.0.0/8\"}],%s",
		 sl_t_ws(seed));
	if (rand_r(seed) % 5 == 0)
		sl_t_put(&d, "\"Foo\": 1, ");
	sl_t_put(&d, "\"RouteEntries\"%s:%s[%s", sl_t_ws(seed), sl_t_ws(seed), sl_t_ws(seed));
	for (unsigned int i = 0; i < n; i++) {
		if (i)
			sl_t_put(&d, "%s,%s", sl_t_ws(seed), sl_t_ws(seed));
		sl_t_route_elem(&d, seed, i == at ? odd : 0);
	}
	*placed = n > 0 || odd >= 11; /* 11-13 are outside the elements */
	if (odd == 11)
		sl_t_put(&d, ",");
	sl_t_put(&d, "%s],\"NatGateways\": []", sl_t_ws(seed));
	if (odd == 12)
		sl_t_put(&d, ", \"RouteEntries\": []");
	if (odd != 13)
		sl_t_put(&d, "}%s", sl_t_ws(seed));
	*len = d.len;
	return d.s;
}

static void test_scan_differential(void **state)
{
	unsigned int seed = 2026, n_scanned = 0;

	(void)state;
	for (int round = 0; round < 1500; round++) {
		int odd = round % 3 == 0 ? 1 + round / 3 % 13 : 0;
		size_t len;
		bool scanned, placed;
		char *doc = sl_t_route_doc(&seed, odd, &len, &placed);
		const char *why = sl_t_cfg_paths_differ(doc, len, &scanned);

		if (why != NULL)
			print_error("%s for:\n%.*s\n", why, (int)len, doc);
		assert_null(why);
		/* the scanner takes every plain document and none with an odd
		 * thing in it (a broken end of the document is not its
		 * business: the rest does not parse, so jansson reads it all) */
		assert_int_equal(scanned, odd == 0 || !placed);
		n_scanned += scanned;
		free(doc);
	}
	assert_true(n_scanned >= 900);
}

static void test_scan_shapes(void **state)
{
	static const struct {
		const char *text;
		long n; /* the scanner's count, -EINVAL: refused */
	} c[] = {
	    {"[]", 0},
	    {"[ ]", 0},
	    {"[{}]", 1},
	    {"[ { } , {\"NextHopId\":\"a\"} ]", 2},
	    {"[{\"NextHopId\":\"a\"},]", -EINVAL},
	    {"[{\"NextHopId\":\"a\",}]", -EINVAL},
	    {"[{\"NextHopId\":\"a\"}{}]", -EINVAL},
	    {"[{\"NextHopId\" \"a\"}]", -EINVAL},
	    {"[{\"NextHopId\":\"a\\\"b\"}]", -EINVAL},
	    {"[{\"NextHopId\":1}]", -EINVAL},
	    {"[{\"nexthopid\":\"a\"}]", -EINVAL},
	    {"[{\"NextHopId\":\"a\",\"NextHopId\":\"a\"}]", -EINVAL},
	    {"[1]", -EINVAL},
	    {"[[]]", -EINVAL},
	    {"[{\"NextHopId\":\"\x7f\"}]", 1},
	    {"[{\"NextHopId\":\"\x01\"}]", -EINVAL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *t = strdup(c[i].text);
		size_t len = strlen(t);

		assert_int_equal(sl_cfg_scan_routes(t, 0, len - 1, NULL, NULL), c[i].n);
		assert_string_equal(t, c[i].text); /* checking leaves the text alone */
		free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_demo_loads),	       cmocka_unit_test(test_unknown_keys),
	    cmocka_unit_test(test_types_and_required), cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_defaults),	       cmocka_unit_test(test_bad_json),
	    cmocka_unit_test(test_cidr_forms),	       cmocka_unit_test(test_split_parse),
	    cmocka_unit_test(test_scan_differential), cmocka_unit_test(test_scan_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
