/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the sluice-dp config file parser (config.c). Argument 1 may
 * name configs/dp-lab.json, which must load. */
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sl_config.h"

static const char *sl_lab_json;
static const char *sl_inside_exc_json; /* configs/dp-2port-inside-exc.json */

static void test_full(void **state)
{
	struct sl_config c;
	char err[256] = "";
	const char *txt =
	    "{\"Comment\": \"x\", \"segment\": \"/dev/shm/sluice-lab\", \"mbufs\": 8191,"
	    " \"idle_sleep_us\": 20, \"nat_sessions\": 100000, \"nat_gateways\": 8,"
	    " \"nat_public_ips\": 40, \"policers\": 100, \"ip6_egress_flows\": 1024, \"ports\": ["
	    " {\"name\": \"inside0\", \"role\": \"inside\", \"mtu\": 1500,"
	    "  \"devargs\": \"net_af_packet0,iface=sl-in,qpairs=2\", \"exception\": \"sl-exc1\"},"
	    " {\"name\": \"outside0\", \"role\": \"outside\", \"mtu\": 9000,"
	    "  \"devargs\": \"net_af_packet1,iface=sl-out\", \"exception\": \"sl-exc0\"}]}";

	assert_int_equal(sl_config_parse(&c, txt, "t.json", err, sizeof(err)), 0);
	assert_string_equal(c.segment, "/dev/shm/sluice-lab");
	assert_int_equal(c.mbufs, 8191);
	assert_int_equal(c.idle_sleep_us, 20);
	assert_int_equal(c.nat_sessions, 100000);
	assert_int_equal(c.nat_gateways, 8);
	assert_int_equal(c.nat_public_ips, 40);
	assert_int_equal(c.policers, 100);
	assert_int_equal(c.ip6_egress_flows, 1024);
	assert_int_equal(c.n_ports, 2);
	assert_string_equal(c.ports[0].name, "inside0");
	assert_int_equal(c.ports[0].role, SL_ROLE_INSIDE);
	assert_int_equal(c.ports[1].role, SL_ROLE_OUTSIDE);
	assert_int_equal(c.ports[1].mtu, 9000);
	assert_string_equal(c.ports[1].devargs, "net_af_packet1,iface=sl-out");
	assert_string_equal(c.ports[1].exception, "sl-exc0");
	assert_string_equal(c.ports[0].exception, "sl-exc1"); /* an inside port's too */
	assert_int_equal(c.n_trunks, 1);
	assert_int_equal(c.ports[0].trunk, 0);
}

/* The k-th inside port is trunk k, whatever lies between them. */
static void test_trunks(void **state)
{
	struct sl_config c;
	char err[256] = "";
	const char *txt = "{\"ports\": ["
			  " {\"name\": \"a\", \"role\": \"inside\", \"devargs\": \"x0\"},"
			  " {\"name\": \"o\", \"role\": \"outside\", \"devargs\": \"x1\"},"
			  " {\"name\": \"b\", \"role\": \"inside\", \"devargs\": \"x2\"},"
			  " {\"name\": \"c\", \"role\": \"inside\", \"devargs\": \"x3\"}]}";

	(void)state;
	if (sl_config_parse(&c, txt, "t.json", err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.n_trunks, 3);
	assert_int_equal(c.ports[0].trunk, 0);
	assert_int_equal(c.ports[2].trunk, 1);
	assert_int_equal(c.ports[3].trunk, 2);
}

static void test_defaults(void **state)
{
	struct sl_config c;
	char err[256] = "";

	assert_int_equal(sl_config_parse(&c,
					 "{\"ports\": [{\"name\": \"p\", \"role\": \"outside\","
					 " \"devargs\": \"net_null0\"}]}",
					 "t.json", err, sizeof(err)),
			 0);
	assert_string_equal(c.segment, SL_DEFAULT_SEGMENT);
	assert_int_equal(c.mbufs, SL_DEFAULT_MBUFS);
	assert_int_equal(c.idle_sleep_us, 0);
	assert_int_equal(c.nat_sessions, 0); /* no NAT table unless asked for */
	assert_int_equal(c.nat_gateways, 1024);
	assert_int_equal(c.nat_public_ips, 256);
	assert_int_equal(c.policers, SL_DEFAULT_POLICERS); /* policing on by default */
	assert_int_equal(c.ip6_egress_flows, 65536);
	assert_int_equal(c.ports[0].mtu, SL_DEFAULT_PORT_MTU);
}

/* Each bad document must fail with a message naming the file and key. */
static void test_errors(void **state)
{
	static const struct {
		const char *json;
		const char *expect;
	} cases[] = {
	    {"{\"ports\": [{\"name\": \"p\", \"role\": \"middle\", \"devargs\": \"x\"}]}",
	     "bad.json: ports[0].role: must be \"inside\" or \"outside\""},
	    {"{\"ports\": [{\"name\": \"p\", \"role\": \"inside\"}]}",
	     "bad.json: ports[0].devargs: missing"},
	    {"{\"ports\": [{\"role\": \"inside\", \"devargs\": \"x\"}]}",
	     "bad.json: ports[0].name: missing"},
	    {"{\"ports\": [{\"name\": \"p\", \"role\": \"inside\", \"devargs\": \"x\","
	     " \"mtu\": 100}]}",
	     "bad.json: ports[0].mtu: 100 is outside [1280, 9600]"},
	    {"{\"ports\": [{\"name\": \"p\", \"role\": \"inside\", \"devargs\": \"x\","
	     " \"mtu\": \"1500\"}]}",
	     "bad.json: ports[0].mtu: must be an integer"},
	    {"{\"ports\": [{\"name\": \"p\", \"role\": \"inside\", \"devargs\": \"x\","
	     " \"speed\": 1}]}",
	     "bad.json: ports[0].speed: unknown key"},
	    {"{\"ports\": [{\"name\": \"p\", \"role\": \"inside\", \"devargs\": \"x\"},"
	     " {\"name\": \"p\", \"role\": \"outside\", \"devargs\": \"y\"}]}",
	     "bad.json: ports[1].name: \"p\" already used by ports[0]"},
	    {"{\"ports\": [{\"name\": \"a\", \"role\": \"inside\", \"devargs\": \"x\"},"
	     " {\"name\": \"b\", \"role\": \"inside\", \"devargs\": \"x\"},"
	     " {\"name\": \"c\", \"role\": \"inside\", \"devargs\": \"x\"},"
	     " {\"name\": \"d\", \"role\": \"inside\", \"devargs\": \"x\"},"
	     " {\"name\": \"e\", \"role\": \"inside\", \"devargs\": \"x\"}]}",
	     "bad.json: ports[4]: more than 4 inside ports (trunks)"},
	    {"{\"ports\": [{\"name\": \"p\", \"role\": \"inside\", \"devargs\": \"x\","
	     " \"exception\": \"sl-exc1\"}, {\"name\": \"q\", \"role\": \"outside\","
	     " \"devargs\": \"y\", \"exception\": \"sl-exc1\"}]}",
	     "bad.json: ports[1].exception: \"sl-exc1\" already used by ports[0]"},
	    {"{\"ports\": [{\"name\": \"p\", \"role\": \"outside\", \"devargs\": \"x\","
	     " \"exception\": \"a/b\"}]}",
	     "bad.json: ports[0].exception: \"a/b\" is not an interface name"},
	    {"{\"ports\": [{\"name\": \"p\", \"role\": \"outside\", \"devargs\": \"x\","
	     " \"exception\": \"x\"}, {\"name\": \"q\", \"role\": \"outside\","
	     " \"devargs\": \"y\", \"exception\": \"x\"}]}",
	     "bad.json: ports[1].exception: \"x\" already used by ports[0]"},
	    {"{\"ports\": [{\"name\": \"p\", \"role\": \"outside\", \"devargs\": \"x\","
	     " \"exception\": \"0123456789abcdef\"}]}",
	     "bad.json: ports[0].exception: longer than 15 characters"},
	    {"{\"mbufs\": 10, \"ports\": []}", "bad.json: mbufs: 10 is outside"},
	    {"{\"idle_sleep_us\": -1}", "bad.json: idle_sleep_us: -1 is outside"},
	    {"{\"nat_sessions\": 16777217}", "bad.json: nat_sessions: 16777217 is outside"},
	    {"{\"nat_gateways\": 0}", "bad.json: nat_gateways: 0 is outside"},
	    {"{\"nat_public_ips\": 65536}", "bad.json: nat_public_ips: 65536 is outside"},
	    {"{\"policers\": 4194305}", "bad.json: policers: 4194305 is outside"},
	    {"{\"policers\": \"many\"}", "bad.json: policers: must be an integer"},
	    {"{\"ip6_egress_flows\": 16777217}", "bad.json: ip6_egress_flows: 16777217 is outside"},
	    {"{\"segment\": 3}", "bad.json: segment: must be a string"},
	    {"{\"segment\": \"\"}", "bad.json: segment: must not be empty"},
	    {"{\"ports\": []}", "bad.json: ports: at least one port is required"},
	    {"{\"ports\": {}}", "bad.json: ports: must be an array"},
	    {"{\"idle_sleep\": 20}", "bad.json: idle_sleep: unknown key"},
	    {"[1]", "bad.json: top level must be an object"},
	    {"{\"mbufs\": 2000,\n \"mbufs\": 3000}", "bad.json: line 2"},
	    {"{\"ports\": [", "bad.json: line 1"},
	};
	struct sl_config c;
	char err[256];

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_int_equal(sl_config_parse(&c, cases[i].json, "bad.json", err, sizeof(err)),
				 -EINVAL);
		if (strncmp(err, cases[i].expect, strlen(cases[i].expect)) != 0)
			fail_msg("case %u: got \"%s\", expected \"%s...\"", i, err,
				 cases[i].expect);
	}
}

static void test_file(void **state)
{
	struct sl_config c;
	char err[512] = "";

	assert_int_equal(sl_config_load(&c, "/nonexistent/dp.json", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/nonexistent/dp.json"));
	if (!sl_lab_json)
		skip();
	if (sl_config_load(&c, sl_lab_json, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(c.segment, "/dev/shm/sluice-lab");
	assert_int_equal(c.idle_sleep_us, 20);
	assert_int_equal(c.n_ports, 2);
	assert_int_equal(c.ports[0].role, SL_ROLE_INSIDE);
	assert_int_equal(c.ports[1].role, SL_ROLE_OUTSIDE);
}

/* The example with an exception path on the inside port (issue 8). */
static void test_file_inside_exception(void **state)
{
	struct sl_config c;
	char err[512] = "";

	if (!sl_inside_exc_json)
		skip();
	if (sl_config_load(&c, sl_inside_exc_json, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.n_ports, 2);
	assert_int_equal(c.ports[0].role, SL_ROLE_INSIDE);
	assert_string_equal(c.ports[0].exception, "sl-exc1");
	assert_int_equal(c.ports[1].role, SL_ROLE_OUTSIDE);
	assert_string_equal(c.ports[1].exception, "sl-exc0");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_trunks),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_file),
	    cmocka_unit_test(test_file_inside_exception),
	};

	if (argc > 1)
		sl_lab_json = argv[1];
	if (argc > 2)
		sl_inside_exc_json = argv[2];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
