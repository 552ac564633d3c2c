/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: every validation rule. Each test adds one violation to a small
 * valid config and checks that the right code is reported on the right
 * object (and, where it matters, that nothing else is).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sl_ctl.h"
#include "sl_ctl_config.h"
#include "sl_test_util.h"
#include "sl_validate.h"

/*
 * The base config: region r1 (zone z1), region r2 (zone z2), VPC vpc-a
 * (192.168.0.0/16, 2001:db8:a::/56, VLAN 100, table vtb-a) with VSwitch
 * vsw-a1 (192.168.1.0/24, 2001:db8:a:1::/64) and instance i-a1
 * (192.168.1.10, 2001:db8:a:1::10); VPC vpc-b (10.0.0.0/8, VLAN 200, no
 * IPv6) with vsw-b1 (10.1.0.0/16) and i-b1 (10.1.0.10); the outside side
 * 203.0.113.2/24 + 2001:db8:ffff::2/64 with default routes. Extra pieces
 * are appended to each array; single quotes become double quotes.
 */
static char *cfg(const char *vpcs, const char *vsws, const char *insts, const char *routes,
		 const char *gw)
{
	return sl_t_json(
	    "{'Regions':[{'RegionId':'r1','Zones':[{'ZoneId':'z1'}]},"
	    "{'RegionId':'r2','Zones':[{'ZoneId':'z2'}]}],"
	    "'Vpcs':[{'VpcId':'vpc-a','RegionId':'r1','VpcName':'tenant-a',"
	    "'CidrBlock':'192.168.0.0/16','Ipv6CidrBlock':'2001:db8:a::/56','VlanId':100,"
	    "'RouteTableId':'vtb-a'},"
	    "{'VpcId':'vpc-b','RegionId':'r1','CidrBlock':'10.0.0.0/8','VlanId':200}%s],"
	    "'VSwitches':[{'VSwitchId':'vsw-a1','VpcId':'vpc-a','ZoneId':'z1',"
	    "'CidrBlock':'192.168.1.0/24','Ipv6CidrBlock':'2001:db8:a:1::/64'},"
	    "{'VSwitchId':'vsw-b1','VpcId':'vpc-b','ZoneId':'z1','CidrBlock':'10.1.0.0/16'}%s],"
	    "'Instances':[{'InstanceId':'i-a1','VSwitchId':'vsw-a1',"
	    "'PrivateIpAddress':'192.168.1.10','Ipv6Address':'2001:db8:a:1::10'},"
	    "{'InstanceId':'i-b1','VSwitchId':'vsw-b1','PrivateIpAddress':'10.1.0.10'}%s],"
	    "'RouteEntries':[%s],"
	    "'Gateway':%s}",
	    vpcs ? vpcs : "", vsws ? vsws : "", insts ? insts : "", routes ? routes : "",
	    gw ? gw
	       : "{'Outside':{'Addresses':['203.0.113.2/24','2001:db8:ffff::2/64']},"
		 "'InternetRoutes':[{'DestinationCidrBlock':'0.0.0.0/0','NextHop':"
		 "'203.0.113.1'},{'DestinationCidrBlock':'::/0','NextHop':"
		 "'2001:db8:ffff::1'}]}");
}

/* Load + validate; returns the error list (caller frees). */
static struct sl_errs run(char *json)
{
	struct sl_errs e;
	struct sl_store *s;

	sl_errs_init(&e, "t.json");
	s = sl_cfg_load_string(json, &e);
	assert_non_null(s);
	assert_int_equal(sl_validate(s, &e), 0);
	sl_store_free(s);
	free(json);
	return e;
}

/* Expect exactly the given (code, object) pairs, NULL-terminated. */
static void expect(char *json, ...)
{
	struct sl_errs e = run(json);
	va_list ap;
	bool ok;

	va_start(ap, json);
	ok = sl_t_errs_exactly(&e, ap);
	va_end(ap);
	assert_true(ok);
	sl_errs_free(&e);
}

#define OK(json) expect(json, NULL)

static void test_base_and_demo_valid(void **state)
{
	struct sl_errs e;
	struct sl_store *s;

	OK(cfg(NULL, NULL, NULL, NULL, NULL));
	sl_errs_init(&e, sl_t_demo_path());
	s = sl_ctl_load_store(sl_t_demo_path(), &e);
	sl_t_dump(&e);
	assert_non_null(s);
	assert_int_equal(sl_errs_count(&e), 0);
	/* validation linked the store */
	assert_int_equal(sl_store_vpc(s, "vpc-a")->n_vswitches, 2);
	assert_int_equal(sl_store_vpc(s, "vpc-a")->n_routes, 2);
	assert_ptr_equal(sl_jsl_get(s->route_tables, "vtb-b"), sl_store_vpc(s, "vpc-b"));
	assert_true(sl_j1_test(s->vlans, 100) && sl_j1_test(s->vlans, 200));
	/* same address, two VPCs: two different instances */
	assert_string_equal(
	    sl_vpc_instance_by_addr(sl_store_vpc(s, "vpc-a"), SL_AF_INET, 0xc0a8010au)->id, "i-a1");
	assert_string_equal(
	    sl_vpc_instance_by_addr(sl_store_vpc(s, "vpc-b"), SL_AF_INET, 0xc0a8010au)->id, "i-b1");
	sl_store_free(s);
	sl_errs_free(&e);
}

static void test_region_zone(void **state)
{
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'nowhere','VlanId':300}", NULL, NULL, NULL, NULL),
	       "InvalidRegionId.NotFound", "Vpc vpc-c", NULL);
	expect(cfg(NULL,
		   ",{'VSwitchId':'vsw-a2','VpcId':'vpc-a','ZoneId':'zx','CidrBlock':"
		   "'192.168.2.0/24'}",
		   NULL, NULL, NULL),
	       "InvalidZoneId.NotFound", "VSwitch vsw-a2", NULL);
	/* a zone of another region */
	expect(cfg(NULL,
		   ",{'VSwitchId':'vsw-a2','VpcId':'vpc-a','ZoneId':'z2','CidrBlock':"
		   "'192.168.2.0/24'}",
		   NULL, NULL, NULL),
	       "InvalidZoneId.NotFound", "VSwitch vsw-a2", NULL);
	expect(cfg(NULL,
		   ",{'VSwitchId':'vsw-c1','VpcId':'vpc-zz','ZoneId':'z1','CidrBlock':"
		   "'192.168.2.0/24'}",
		   NULL, NULL, NULL),
	       "InvalidVpcId.NotFound", "VSwitch vsw-c1", NULL);
}

static void test_vpc_cidr(void **state)
{
	static const char *const bad[] = {"8.8.0.0/16",	 "11.0.0.0/8",	   "172.32.0.0/16",
					  "10.0.0.0/25", "192.168.0.0/28", "0.0.0.0/0"};
	char piece[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(piece, sizeof(piece),
			 ",{'VpcId':'vpc-c','RegionId':'r1','CidrBlock':'%s','VlanId':300}",
			 bad[i]);
		expect(cfg(piece, NULL, NULL, NULL, NULL), "InvalidParameter", "Vpc vpc-c", NULL);
	}
	OK(cfg(",{'VpcId':'vpc-c','RegionId':'r1','CidrBlock':'172.16.0.0/12','VlanId':300},"
	       "{'VpcId':'vpc-d','RegionId':'r1','CidrBlock':'10.10.10.0/24','VlanId':301}",
	       NULL, NULL, NULL, NULL));
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1','CidrBlock':'10.0.0/8','VlanId':300}", NULL,
		   NULL, NULL, NULL),
	       "InvalidCidrBlock.Malformed", "Vpc vpc-c", NULL);
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1','CidrBlock':'10.0.0.1/8','VlanId':300}", NULL,
		   NULL, NULL, NULL),
	       "InvalidCidrBlock.Malformed", "Vpc vpc-c", NULL);
}

static void test_ipv6_blocks(void **state)
{
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1','Ipv6CidrBlock':'2001:db8:c::/48',"
		   "'VlanId':300}",
		   NULL, NULL, NULL, NULL),
	       "InvalidParameter", "Vpc vpc-c", NULL);
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1','Ipv6CidrBlock':'fe80::/56','VlanId':300}",
		   NULL, NULL, NULL, NULL),
	       "InvalidParameter", "Vpc vpc-c", NULL);
	/* VSwitch block must be a /64 inside the VPC's /56 */
	expect(cfg(NULL,
		   ",{'VSwitchId':'vsw-a2','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
		   "'192.168.2.0/24','Ipv6CidrBlock':'2001:db8:a:10::/60'}",
		   NULL, NULL, NULL),
	       "InvalidCidrBlock.MaskLength", "VSwitch vsw-a2", NULL);
	expect(cfg(NULL,
		   ",{'VSwitchId':'vsw-a2','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
		   "'192.168.2.0/24','Ipv6CidrBlock':'2001:db8:b:2::/64'}",
		   NULL, NULL, NULL),
	       "InvalidParameter", "VSwitch vsw-a2", NULL);
	expect(cfg(NULL,
		   ",{'VSwitchId':'vsw-b2','VpcId':'vpc-b','ZoneId':'z1','CidrBlock':"
		   "'10.2.0.0/16','Ipv6CidrBlock':'2001:db8:b:2::/64'}",
		   NULL, NULL, NULL),
	       "InvalidParameter", "VSwitch vsw-b2", NULL);
	expect(cfg(NULL,
		   ",{'VSwitchId':'vsw-a2','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
		   "'192.168.2.0/24','Ipv6CidrBlock':'2001:db8:a:1::/64'}",
		   NULL, NULL, NULL),
	       "InvalidCidrBlock.Overlapped", "VSwitch vsw-a2", NULL);
}

static void test_vlan(void **state)
{
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':0}", NULL, NULL, NULL, NULL),
	       "InvalidVlanId.Malformed", "Vpc vpc-c", NULL);
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':4095}", NULL, NULL, NULL, NULL),
	       "InvalidVlanId.Malformed", "Vpc vpc-c", NULL);
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':100}", NULL, NULL, NULL, NULL),
	       "InvalidVlanId.Used", "Vpc vpc-c", NULL);
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1'}", NULL, NULL, NULL, NULL),
	       "MissingParameter", "Vpc vpc-c", NULL);
	OK(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':4094},"
	       "{'VpcId':'vpc-d','RegionId':'r1','VlanId':1}",
	       NULL, NULL, NULL, NULL));
}

/* A VPC is (Trunk, VlanId): the VLAN is unique per trunk, the trunk must be
 * one of Gateway.Inside.Trunks (default 1: only trunk 0). */
static void test_trunk(void **state)
{
	static const char gw2[] = "{'Inside':{'Trunks':2},'Outside':{'Addresses':"
				  "['203.0.113.2/24']}}";
	(void)state;
	/* default: one trunk */
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':300,'Trunk':1}", NULL, NULL, NULL,
		   NULL),
	       "InvalidParameter", "Vpc vpc-c", NULL);
	OK(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':300,'Trunk':0}", NULL, NULL, NULL,
	       NULL));
	/* same VLAN on two trunks: accepted (vpc-a is VLAN 100 on trunk 0) */
	OK(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':100,'Trunk':1}", NULL, NULL, NULL,
	       gw2));
	/* duplicate (trunk, VLAN): refused on the VPC named second */
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':100,'Trunk':1},"
		   "{'VpcId':'vpc-d','RegionId':'r1','VlanId':100,'Trunk':1}",
		   NULL, NULL, NULL, gw2),
	       "InvalidVlanId.Used", "Vpc vpc-d", NULL);
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':100,'Trunk':0}", NULL, NULL, NULL,
		   gw2),
	       "InvalidVlanId.Used", "Vpc vpc-c", NULL);
	/* beyond the configured count, negative, not an integer */
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':300,'Trunk':2}", NULL, NULL, NULL,
		   gw2),
	       "InvalidParameter", "Vpc vpc-c", NULL);
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':300,'Trunk':-1}", NULL, NULL, NULL,
		   gw2),
	       "InvalidParameter", "Vpc vpc-c", NULL);
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':300,'Trunk':'1'}", NULL, NULL,
		   NULL, gw2),
	       "InvalidParameter", "Vpc vpc-c", NULL);
	/* the gateway's count: 1..SL_MAX_TRUNKS */
	expect(cfg(NULL, NULL, NULL, NULL, "{'Inside':{'Trunks':0}}"), "InvalidParameter",
	       "Gateway Inside", NULL);
	expect(cfg(NULL, NULL, NULL, NULL, "{'Inside':{'Trunks':5}}"), "InvalidParameter",
	       "Gateway Inside", NULL);
	expect(cfg(NULL, NULL, NULL, NULL, "{'Inside':{'Trunk':2}}"), "UnsupportedParameter",
	       "Gateway Inside", NULL);
	OK(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':100,'Trunk':3}", NULL, NULL, NULL,
	       "{'Inside':{'Trunks':4}}"));
}

static void test_vpc_misc(void **state)
{
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':300,'RouteTableId':'vtb-a'}", NULL,
		   NULL, NULL, NULL),
	       "InvalidParameter", "Vpc vpc-c", NULL);
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':300,'Mtu':576}", NULL, NULL, NULL,
		   NULL),
	       "InvalidParameter", "Vpc vpc-c", NULL);
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':300,'VpcName':'http://x'}", NULL,
		   NULL, NULL, NULL),
	       "InvalidVpcName.Malformed", "Vpc vpc-c", NULL);
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':300,'VpcName':'1st'}", NULL, NULL,
		   NULL, NULL),
	       "InvalidVpcName.Malformed", "Vpc vpc-c", NULL);
	expect(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':300,'Description':'x'}", NULL, NULL,
		   NULL, NULL),
	       "InvalidVpcDescription.Malformed", "Vpc vpc-c", NULL);
	expect(cfg(NULL,
		   ",{'VSwitchId':'vsw-a2','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
		   "'192.168.2.0/24','VSwitchName':'a b'}",
		   NULL, NULL, NULL),
	       "InvalidVSwitchName.Malformed", "VSwitch vsw-a2", NULL);
	/* non-ASCII names are letters */
	OK(cfg(",{'VpcId':'vpc-c','RegionId':'r1','VlanId':300,'VpcName':'\xe4\xb8\x93\xe6\x9c"
	       "\x89-1'}",
	       NULL, NULL, NULL, NULL));
}

static void test_vswitch_cidr(void **state)
{
	expect(cfg(NULL,
		   ",{'VSwitchId':'vsw-a2','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
		   "'192.168.2.0/30'}",
		   NULL, NULL, NULL),
	       "InvalidCidrBlock.MaskLength", "VSwitch vsw-a2", NULL);
	expect(cfg(NULL,
		   ",{'VSwitchId':'vsw-b2','VpcId':'vpc-b','ZoneId':'z1','CidrBlock':"
		   "'10.2.0.0/15'}",
		   NULL, NULL, NULL),
	       "InvalidCidrBlock.MaskLength", "VSwitch vsw-b2", NULL);
	OK(cfg(NULL,
	       ",{'VSwitchId':'vsw-a2','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':'192.168.2.0/29'}",
	       NULL, NULL, NULL));
	/* outside the VPC */
	expect(cfg(NULL,
		   ",{'VSwitchId':'vsw-a2','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
		   "'10.9.0.0/24'}",
		   NULL, NULL, NULL),
	       "InvalidParameter", "VSwitch vsw-a2", NULL);
	/* overlap: reported on the later one, naming the earlier */
	{
		struct sl_errs e = run(cfg(NULL,
					   ",{'VSwitchId':'vsw-a3','VpcId':'vpc-a','ZoneId':'z1',"
					   "'CidrBlock':'192.168.1.128/25'}",
					   NULL, NULL, NULL));

		assert_int_equal(sl_errs_count(&e), 1);
		assert_string_equal(e.v[0].code, "InvalidCidrBlock.Overlapped");
		assert_string_equal(e.v[0].object, "VSwitch vsw-a3");
		assert_non_null(strstr(e.v[0].msg, "192.168.1.128/25 overlaps VSwitch vsw-a1 "
						   "192.168.1.0/24"));
		sl_errs_free(&e);
	}
	/* the same CIDR in another VPC is fine (VLANs separate them) */
	OK(cfg(NULL,
	       ",{'VSwitchId':'vsw-b2','VpcId':'vpc-b','ZoneId':'z1','CidrBlock':'10.2.0.0/16'}",
	       NULL, NULL, NULL));
}

static void test_vswitch_quota(void **state)
{
	char extra[8192] = "";
	struct sl_errs e;

	/* 23 more in vpc-a: 24 total is fine */
	for (int i = 2; i <= 24; i++) {
		char one[160];

		snprintf(one, sizeof(one),
			 ",{'VSwitchId':'vsw-q%02d','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
			 "'192.168.%d.0/24'}",
			 i, i);
		strcat(extra, one);
	}
	OK(cfg(NULL, extra, NULL, NULL, NULL));
	strcat(extra, ",{'VSwitchId':'vsw-q25','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
		      "'192.168.25.0/24'}");
	e = run(cfg(NULL, extra, NULL, NULL, NULL));
	assert_int_equal(sl_errs_count(&e), 1);
	assert_true(sl_errs_has(&e, "QuotaExceeded.VSwitch", "VSwitch vsw-q25"));
	sl_errs_free(&e);
}

static void test_instance_addresses(void **state)
{
	static const char *const reserved4[] = {"192.168.1.0", "192.168.1.253", "192.168.1.254",
						"192.168.1.255"};
	static const char *const reserved6[] = {
	    "2001:db8:a:1::", "2001:db8:a:1:ffff:ffff:ffff:fffd",
	    "2001:db8:a:1:ffff:ffff:ffff:fffe", "2001:db8:a:1:ffff:ffff:ffff:ffff"};
	char piece[256];

	for (int i = 0; i < 4; i++) {
		snprintf(piece, sizeof(piece),
			 ",{'InstanceId':'i-x','VSwitchId':'vsw-a1','PrivateIpAddress':'%s'}",
			 reserved4[i]);
		expect(cfg(NULL, NULL, piece, NULL, NULL), "InvalidPrivateIpAddress",
		       "Instance i-x", NULL);
		snprintf(piece, sizeof(piece),
			 ",{'InstanceId':'i-x','VSwitchId':'vsw-a1','PrivateIpAddress':"
			 "'192.168.1.11','Ipv6Address':'%s'}",
			 reserved6[i]);
		expect(cfg(NULL, NULL, piece, NULL, NULL), "InvalidIpv6Address", "Instance i-x",
		       NULL);
	}
	OK(cfg(NULL, NULL,
	       ",{'InstanceId':'i-x','VSwitchId':'vsw-a1','PrivateIpAddress':'192.168.1.1',"
	       "'Ipv6Address':'2001:db8:a:1::1'},"
	       "{'InstanceId':'i-y','VSwitchId':'vsw-a1','PrivateIpAddress':'192.168.1.252'}",
	       NULL, NULL));
	expect(cfg(NULL, NULL,
		   ",{'InstanceId':'i-x','VSwitchId':'vsw-a1','PrivateIpAddress':'192.168.2.1'}",
		   NULL, NULL),
	       "InvalidPrivateIpAddress", "Instance i-x", NULL);
	expect(cfg(NULL, NULL,
		   ",{'InstanceId':'i-x','VSwitchId':'vsw-a1','PrivateIpAddress':'192.168.1.10'}",
		   NULL, NULL),
	       "InvalidPrivateIpAddress.Duplicated", "Instance i-x", NULL);
	expect(cfg(NULL, NULL,
		   ",{'InstanceId':'i-x','VSwitchId':'vsw-a1','PrivateIpAddress':'192.168.1.11',"
		   "'Ipv6Address':'2001:db8:a:1::10'}",
		   NULL, NULL),
	       "InvalidIpv6Address.Duplicated", "Instance i-x", NULL);
	expect(cfg(NULL, NULL,
		   ",{'InstanceId':'i-x','VSwitchId':'vsw-b1','PrivateIpAddress':'10.1.0.11',"
		   "'Ipv6Address':'2001:db8:b::11'}",
		   NULL, NULL),
	       "InvalidIpv6Address", "Instance i-x", NULL);
	expect(cfg(NULL, NULL,
		   ",{'InstanceId':'i-x','VSwitchId':'vsw-zz','PrivateIpAddress':'10.1.0.11'}",
		   NULL, NULL),
	       "InvalidVSwitchId.NotFound", "Instance i-x", NULL);
	expect(cfg(NULL, NULL,
		   ",{'InstanceId':'i-x','VSwitchId':'vsw-a1','VpcId':'vpc-b',"
		   "'PrivateIpAddress':'192.168.1.11'}",
		   NULL, NULL),
	       "InvalidParameter", "Instance i-x", NULL);
}

#define RT(table, dest, nh)                                                                        \
	"{'RouteTableId':'" table "','DestinationCidrBlock':'" dest "','NextHopId':'" nh "'}"

static void test_route_basics(void **state)
{
	OK(cfg(NULL, NULL, NULL,
	       RT("vtb-a", "10.99.0.0/16", "i-a1") "," RT("vtb-a", "10.1.2.3", "i-a1") "," RT(
		   "vtb-a", "2001:db8:99::/48",
		   "i-a1") "," RT("vtb-a", "0.0.0.0/0",
				  "i-a1") "," RT("vtb-a", "::/0",
						 "i-a1") "," RT("vtb-b", "100.0.0.0/8", "i-b1"),
	       NULL));
	expect(cfg(NULL, NULL, NULL, RT("vtb-zz", "10.99.0.0/16", "i-a1"), NULL),
	       "InvalidRouteTableId.NotFound", "RouteEntry vtb-zz:10.99.0.0/16", NULL);
	/* the derived route table id of vpc-b */
	OK(cfg(NULL, NULL, NULL, RT("vtb-b", "172.16.0.0/12", "i-b1"), NULL));
	expect(cfg(NULL, NULL, NULL, RT("vtb-a", "10.99.0.1/16", "i-a1"), NULL),
	       "InvalidCidrBlock.Malformed", "RouteEntries[0]", NULL);
	expect(cfg(NULL, NULL, NULL,
		   RT("vtb-a", "10.1.2.3", "i-a1") "," RT("vtb-a", "10.1.2.3/32", "i-a1"), NULL),
	       "InvalidCIDRBlock.Duplicate", "RouteEntry vtb-a:10.1.2.3/32", NULL);
	/* the same destination in two tables is fine */
	OK(cfg(NULL, NULL, NULL,
	       RT("vtb-a", "172.20.0.0/16", "i-a1") "," RT("vtb-b", "172.20.0.0/16", "i-b1"),
	       NULL));
}

static void test_route_reserved(void **state)
{
	expect(cfg(NULL, NULL, NULL, RT("vtb-a", "100.64.0.0/10", "i-a1"), NULL),
	       "InvalidCidrBlock", "RouteEntry vtb-a:100.64.0.0/10", NULL);
	expect(cfg(NULL, NULL, NULL, RT("vtb-a", "100.100.1.0/24", "i-a1"), NULL),
	       "InvalidCidrBlock", "RouteEntry vtb-a:100.100.1.0/24", NULL);
	OK(cfg(NULL, NULL, NULL, RT("vtb-a", "100.0.0.0/8", "i-a1"), NULL));
}

static void test_route_vswitch_overlap(void **state)
{
	/* inside a VSwitch: the route is wrong, and the VSwitch contains it */
	expect(cfg(NULL, NULL, NULL, RT("vtb-a", "192.168.1.0/25", "i-a1"), NULL),
	       "InvalidCidrBlock", "RouteEntry vtb-a:192.168.1.0/25", "InvalidCidrBlock.Overlapped",
	       "VSwitch vsw-a1", NULL);
	/* equal */
	expect(cfg(NULL, NULL, NULL, RT("vtb-a", "192.168.1.0/24", "i-a1"), NULL),
	       "InvalidCidrBlock", "RouteEntry vtb-a:192.168.1.0/24", "InvalidCidrBlock.Overlapped",
	       "VSwitch vsw-a1", NULL);
	/* contains a VSwitch (not a default route): only the route is wrong */
	expect(cfg(NULL, NULL, NULL, RT("vtb-a", "192.168.0.0/16", "i-a1"), NULL),
	       "InvalidCidrBlock", "RouteEntry vtb-a:192.168.0.0/16", NULL);
	/* IPv6 likewise */
	expect(cfg(NULL, NULL, NULL, RT("vtb-a", "2001:db8:a:1::/80", "i-a1"), NULL),
	       "InvalidCidrBlock", "RouteEntry vtb-a:2001:db8:a:1::/80",
	       "InvalidCidrBlock.Overlapped", "VSwitch vsw-a1", NULL);
	expect(cfg(NULL, NULL, NULL, RT("vtb-a", "2001:db8:a::/56", "i-a1"), NULL),
	       "InvalidCidrBlock", "RouteEntry vtb-a:2001:db8:a::/56", NULL);
	/* a route in another VPC's address space does not matter */
	OK(cfg(NULL, NULL, NULL, RT("vtb-b", "192.168.1.0/24", "i-b1"), NULL));
}

static void test_route_quota(void **state)
{
	char routes[16384] = "";
	struct sl_errs e;

	for (int i = 0; i < 48; i++) {
		char one[160];

		snprintf(one, sizeof(one), "%s" RT("vtb-a", "172.16.%d.0/24", "i-a1"), i ? "," : "",
			 i);
		strcat(routes, one);
	}
	OK(cfg(NULL, NULL, NULL, routes, NULL));
	strcat(routes, "," RT("vtb-a", "172.17.0.0/24", "i-a1"));
	e = run(cfg(NULL, NULL, NULL, routes, NULL));
	assert_int_equal(sl_errs_count(&e), 1);
	assert_string_equal(e.v[0].code, "QuotaExceeded");
	sl_errs_free(&e);
}

static void test_route_next_hop(void **state)
{
	expect(cfg(NULL, NULL, NULL, RT("vtb-a", "10.99.0.0/16", "i-none"), NULL),
	       "InvalidInstanceId.NotFound", "RouteEntry vtb-a:10.99.0.0/16", NULL);
	expect(cfg(NULL, NULL, NULL, RT("vtb-a", "10.99.0.0/16", "i-b1"), NULL),
	       "InvalidInstanceId.NotFound", "RouteEntry vtb-a:10.99.0.0/16", NULL);
	/* IPv6 destination, next hop without an IPv6 address */
	expect(cfg(NULL,
		   ",{'VSwitchId':'vsw-a2','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
		   "'192.168.2.0/24','Ipv6CidrBlock':'2001:db8:a:2::/64'}",
		   ",{'InstanceId':'i-a2','VSwitchId':'vsw-a2','PrivateIpAddress':'192.168.2.5'}",
		   RT("vtb-a", "2001:db8:99::/48", "i-a2"), NULL),
	       "InvalidNextHop.NotFound", "RouteEntry vtb-a:2001:db8:99::/48", NULL);
	{
		struct sl_errs e =
		    run(cfg(NULL, NULL, NULL,
			    "{'RouteTableId':'vtb-a','DestinationCidrBlock':"
			    "'10.99.0.0/16','NextHopType':'Tunnel','NextHopId':'i-a1'}",
			    NULL));

		assert_int_equal(sl_errs_count(&e), 1);
		assert_string_equal(e.v[0].code, "InvalidParameter");
		assert_string_equal(e.v[0].field, "NextHopType");
		assert_non_null(strstr(e.v[0].msg, "not supported by sluice"));
		sl_errs_free(&e);
		/* HaVip next hops are supported (validate_havip_test.c): an
		 * instance id is not a HaVip */
		e = run(cfg(NULL, NULL, NULL,
			    "{'RouteTableId':'vtb-a','DestinationCidrBlock':"
			    "'10.99.0.0/16','NextHopType':'HaVip','NextHopId':'i-a1'}",
			    NULL));
		assert_int_equal(sl_errs_count(&e), 1);
		assert_string_equal(e.v[0].code, "InvalidHaViNpId.NotFound");
		sl_errs_free(&e);
	}
	expect(cfg(NULL, NULL, NULL,
		   "{'RouteTableId':'vtb-a','DestinationCidrBlock':'10.99.0.0/16','NextHopType':"
		   "'instance','NextHopId':'i-a1'}",
		   NULL),
	       "InvalidParameter", "RouteEntry vtb-a:10.99.0.0/16", NULL);
	OK(cfg(NULL, NULL, NULL,
	       "{'RouteTableId':'vtb-a','DestinationCidrBlock':'10.99.0.0/16','NextHopType':"
	       "'Instance','NextHopId':'i-a1'}",
	       NULL));
}

static void test_gateway_rules(void **state)
{
	expect(cfg(NULL, NULL, NULL, NULL,
		   "{'Outside':{'Addresses':['203.0.113.2/24']},'InternetRoutes':["
		   "{'DestinationCidrBlock':'0.0.0.0/0','NextHop':'198.51.100.1'}]}"),
	       "InvalidNextHop.NotFound", "InternetRoute 0.0.0.0/0", NULL);
	expect(cfg(NULL, NULL, NULL, NULL,
		   "{'Outside':{'Addresses':['203.0.113.2/24']},'InternetRoutes':["
		   "{'DestinationCidrBlock':'0.0.0.0/0','NextHop':'203.0.113.2'}]}"),
	       "InvalidNextHop.NotFound", "InternetRoute 0.0.0.0/0", NULL);
	expect(cfg(NULL, NULL, NULL, NULL,
		   "{'Outside':{'Addresses':['203.0.113.2/24','2001:db8:ffff::2/64']},"
		   "'InternetRoutes':[{'DestinationCidrBlock':'::/0','NextHop':'203.0.113.1'}]}"),
	       "InvalidParameter", "InternetRoute ::/0", NULL);
	expect(cfg(NULL, NULL, NULL, NULL,
		   "{'Outside':{'Addresses':['203.0.113.2/24']},'InternetRoutes':["
		   "{'DestinationCidrBlock':'0.0.0.0/0','NextHop':'203.0.113.1'},"
		   "{'DestinationCidrBlock':'0.0.0.0/0','NextHop':'203.0.113.3'}]}"),
	       "InvalidCIDRBlock.Duplicate", "InternetRoute 0.0.0.0/0", NULL);
	expect(cfg(NULL, NULL, NULL, NULL,
		   "{'Outside':{'Addresses':['203.0.113.0/24']},'InternetRoutes':[]}"),
	       "InvalidParameter", "Gateway Outside", NULL);
	expect(cfg(NULL, NULL, NULL, NULL,
		   "{'Outside':{'Addresses':['203.0.113.2/24'],'Mtu':100000}}"),
	       "InvalidParameter", "Gateway Outside", NULL);
	/* no gateway at all is valid (no Internet table) */
	OK(sl_t_json("{'Regions':[{'RegionId':'r1','Zones':[{'ZoneId':'z1'}]}],'Vpcs':[{'VpcId':"
		     "'vpc-a','RegionId':'r1','VlanId':1}]}"));
}

/* Every error is reported, not just the first. */
static void test_all_errors(void **state)
{
	struct sl_errs e =
	    run(cfg(",{'VpcId':'vpc-c','RegionId':'rx','VlanId':100,"
		    "'CidrBlock':'8.0.0.0/8'}",
		    ",{'VSwitchId':'vsw-a3','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
		    "'192.168.1.128/25'}",
		    ",{'InstanceId':'i-x','VSwitchId':'vsw-a1','PrivateIpAddress':"
		    "'192.168.1.255'}",
		    RT("vtb-a", "100.64.0.0/16", "i-nope"), NULL));

	sl_t_dump(&e);
	assert_true(sl_errs_has(&e, "InvalidRegionId.NotFound", "Vpc vpc-c"));
	assert_true(sl_errs_has(&e, "InvalidParameter", "Vpc vpc-c"));
	assert_true(sl_errs_has(&e, "InvalidVlanId.Used", "Vpc vpc-c"));
	assert_true(sl_errs_has(&e, "InvalidCidrBlock.Overlapped", "VSwitch vsw-a3"));
	assert_true(sl_errs_has(&e, "InvalidPrivateIpAddress", "Instance i-x"));
	assert_true(sl_errs_has(&e, "InvalidCidrBlock", "RouteEntry vtb-a:100.64.0.0/16"));
	assert_true(
	    sl_errs_has(&e, "InvalidInstanceId.NotFound", "RouteEntry vtb-a:100.64.0.0/16"));
	assert_int_equal(sl_errs_count(&e), 7);
	sl_errs_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_base_and_demo_valid),
	    cmocka_unit_test(test_region_zone),
	    cmocka_unit_test(test_vpc_cidr),
	    cmocka_unit_test(test_ipv6_blocks),
	    cmocka_unit_test(test_vlan),
	    cmocka_unit_test(test_trunk),
	    cmocka_unit_test(test_vpc_misc),
	    cmocka_unit_test(test_vswitch_cidr),
	    cmocka_unit_test(test_vswitch_quota),
	    cmocka_unit_test(test_instance_addresses),
	    cmocka_unit_test(test_route_basics),
	    cmocka_unit_test(test_route_reserved),
	    cmocka_unit_test(test_route_vswitch_overlap),
	    cmocka_unit_test(test_route_quota),
	    cmocka_unit_test(test_route_next_hop),
	    cmocka_unit_test(test_gateway_rules),
	    cmocka_unit_test(test_all_errors),
	};

	sl_log_level = SL_LOG_WARN;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
