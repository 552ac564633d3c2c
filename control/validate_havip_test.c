/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: HaVip rules (validate_havip.c) and the HaVip rules of the
 * NAT objects (validate_nat.c), through the config file schema. Each test
 * adds violations to a small valid config and checks that exactly the
 * expected codes are reported on the expected objects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sl_ctl.h"
#include "sl_ctl_config.h"
#include "sl_judy.h"
#include "sl_test_validate.h"

/*
 * Base: VPC vpc-a 10.0.0.0/16 with vsw-a1 10.0.1.0/24 (instances i-a1 .10,
 * i-a2 .11) and vsw-a2 10.0.2.0/24 (i-a3 .10); VPC vpc-b 10.1.0.0/16 with
 * vsw-b1 (i-b1) and HaVip hv-b 10.1.1.100; HaVip hv-1 10.0.1.100 in
 * vsw-a1 held by i-a1 and i-a2, a route 10.99.0.0/16 -> hv-1, EIP eip-2
 * bound to hv-1; NAT gateway ngw-a in vpc-a with eip-1. Extra pieces are
 * appended to the arrays.
 */
static char *cfg(const char *havips, const char *routes, const char *eips, const char *snats,
		 const char *fwds)
{
	return sl_t_json(
	    "{'Regions':[{'RegionId':'r1','Zones':[{'ZoneId':'z1'}]}],"
	    "'Gateway':{'Outside':{'Addresses':['203.0.113.2/24']},"
	    "'EipPool':['198.51.100.0/29']},"
	    "'Vpcs':[{'VpcId':'vpc-a','RegionId':'r1','CidrBlock':'10.0.0.0/16','VlanId':10},"
	    "{'VpcId':'vpc-b','RegionId':'r1','CidrBlock':'10.1.0.0/16','VlanId':11}],"
	    "'VSwitches':[{'VSwitchId':'vsw-a1','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
	    "'10.0.1.0/24'},{'VSwitchId':'vsw-a2','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
	    "'10.0.2.0/24'},{'VSwitchId':'vsw-b1','VpcId':'vpc-b','ZoneId':'z1','CidrBlock':"
	    "'10.1.1.0/24'}],"
	    "'Instances':[{'InstanceId':'i-a1','VSwitchId':'vsw-a1','PrivateIpAddress':"
	    "'10.0.1.10'},{'InstanceId':'i-a2','VSwitchId':'vsw-a1','PrivateIpAddress':"
	    "'10.0.1.11'},{'InstanceId':'i-a3','VSwitchId':'vsw-a2','PrivateIpAddress':"
	    "'10.0.2.10'},{'InstanceId':'i-b1','VSwitchId':'vsw-b1','PrivateIpAddress':"
	    "'10.1.1.10'}],"
	    "'HaVips':[{'HaVipId':'hv-1','VSwitchId':'vsw-a1','IpAddress':'10.0.1.100',"
	    "'Name':'front','AssociatedInstances':['i-a1','i-a2']},"
	    "{'HaVipId':'hv-b','VSwitchId':'vsw-b1','IpAddress':'10.1.1.100'}%s],"
	    "'RouteEntries':[{'RouteTableId':'vtb-a','DestinationCidrBlock':'10.99.0.0/16',"
	    "'NextHopType':'HaVip','NextHopId':'hv-1'}%s],"
	    "'NatGateways':[{'NatGatewayId':'ngw-a','VpcId':'vpc-a'}],"
	    "'EipAddresses':[{'AllocationId':'eip-1','IpAddress':'198.51.100.1','InstanceType':"
	    "'Nat','InstanceId':'ngw-a'},{'AllocationId':'eip-2','IpAddress':'198.51.100.2',"
	    "'InstanceType':'HaVip','InstanceId':'hv-1'}%s],"
	    "'SnatEntries':[{'SnatEntryId':'snat-1','SnatTableId':'stb-a','SourceVSwitchId':"
	    "'vsw-a2','SnatIp':'198.51.100.1'}%s],"
	    "'ForwardEntries':[%s]}",
	    havips ? havips : "", routes ? routes : "", eips ? eips : "", snats ? snats : "",
	    fwds ? fwds : "");
}

static void test_base_resolves(void **state)
{
	struct sl_store *s = sl_t_load_ok(cfg(NULL, NULL, NULL, NULL, NULL));
	struct sl_havip_obj *h = sl_jsl_get(s->havips, "hv-1");
	struct sl_route_obj *r = sl_jsl_get(s->routes, "vtb-a:10.99.0.0/16");

	(void)state;
	assert_non_null(h);
	assert_ptr_equal(h->vswitch, sl_store_vswitch(s, "vsw-a1"));
	assert_ptr_equal(h->vpc, sl_store_vpc(s, "vpc-a"));
	assert_int_equal(h->n_instances, 2);
	assert_string_equal(h->instances[1], "i-a2");
	assert_string_equal(h->name, "front");
	assert_ptr_equal(h->eip, sl_jsl_get(s->eips, "eip-2"));
	assert_int_equal(h->n_routes, 1);
	assert_non_null(r);
	assert_ptr_equal(r->havip, h);
	assert_null(r->instance); /* no data-plane next hop yet (issue 12) */
	h = sl_jsl_get(s->havips, "hv-b");
	assert_null(h->eip);
	assert_int_equal(h->n_routes, 0);
	assert_int_equal(h->n_instances, 0);
	sl_store_free(s);
}

static void test_havip_address(void **state)
{
	(void)state;
	/* outside its VSwitch (in the VPC), reserved first and last, an
	 * instance's, another HaVip's, not IPv4, missing */
	sl_t_expect(cfg(",{'HaVipId':'hv-2','VSwitchId':'vsw-a1','IpAddress':'10.0.2.100'},"
			"{'HaVipId':'hv-3','VSwitchId':'vsw-a1','IpAddress':'10.0.1.0'},"
			"{'HaVipId':'hv-4','VSwitchId':'vsw-a1','IpAddress':'10.0.1.255'},"
			"{'HaVipId':'hv-5','VSwitchId':'vsw-a1','IpAddress':'10.0.1.10'},"
			"{'HaVipId':'hv-6','VSwitchId':'vsw-a1','IpAddress':'10.0.1.100'},"
			"{'HaVipId':'hv-7','VSwitchId':'vsw-a1','IpAddress':'2001:db8::1'},"
			"{'HaVipId':'hv-8','VSwitchId':'vsw-a1'}",
			NULL, NULL, NULL, NULL),
		    "InvalidIpAddress.NotInVSwitch", "HaVip hv-2", "InvalidIpAddress.AlreadyUsed",
		    "HaVip hv-3", "InvalidIpAddress.AlreadyUsed", "HaVip hv-4",
		    "InvalidIpAddress.AlreadyUsed", "HaVip hv-5", "InvalidIpAddress.AlreadyUsed",
		    "HaVip hv-6", "InvalidIpAddress.Malformed", "HaVip hv-7", "MissingParameter",
		    "HaVip hv-8", NULL);
	/* the same address in another VPC is fine; an unknown VSwitch */
	sl_t_expect(cfg(",{'HaVipId':'hv-2','VSwitchId':'vsw-b1','IpAddress':'10.1.1.101'},"
			"{'HaVipId':'hv-3','VSwitchId':'vsw-zz','IpAddress':'10.0.1.101'}",
			NULL, NULL, NULL, NULL),
		    "InvalidVSwitchId.NotFound", "HaVip hv-3", NULL);
	/* duplicate id, unknown key, bad name and description */
	sl_t_expect(
	    cfg(",{'HaVipId':'hv-1','VSwitchId':'vsw-a1','IpAddress':'10.0.1.101'},"
		"{'HaVipId':'hv-2','VSwitchId':'vsw-a1','IpAddress':'10.0.1.102','Name':'1x',"
		"'Description':'http://x','Mode':'vrrp'}",
		NULL, NULL, NULL, NULL),
	    "InvalidParameter", "HaVip hv-1", "UnsupportedParameter", "HaVip hv-2",
	    "InvalidParameter.Name.Malformed", "HaVip hv-2",
	    "InvalidParameter.Description.Malformed", "HaVip hv-2", NULL);
}

static void test_havip_instances(void **state)
{
	(void)state;
	sl_t_expect(cfg(",{'HaVipId':'hv-2','VSwitchId':'vsw-a1','IpAddress':'10.0.1.101',"
			"'AssociatedInstances':['i-a1','i-a3','i-zz','i-a1']},"
			"{'HaVipId':'hv-3','VSwitchId':'vsw-a1','IpAddress':'10.0.1.102',"
			"'AssociatedInstances':'i-a1'}",
			NULL, NULL, NULL, NULL),
		    "InvalidInstanceId.NotInSameVSwitch", "HaVip hv-2",
		    "InvalidInstanceId.NotFound", "HaVip hv-2", "InvalidAssociation.Duplicated",
		    "HaVip hv-2", "InvalidParameter", "HaVip hv-3", NULL);
	/* 10 instances are fine, 11 are not (reported once) */
	for (int n = 10; n <= 11; n++) {
		char insts[2048] = "", list[512] = "", one[160];
		char *j;

		for (int i = 0; i < n; i++) {
			snprintf(one, sizeof(one),
				 "{\"InstanceId\":\"i-%d\",\"VSwitchId\":\"vsw-a1\","
				 "\"PrivateIpAddress\":\"10.0.1.%d\"},",
				 i, 20 + i);
			strncat(insts, one, sizeof(insts) - strlen(insts) - 1);
			snprintf(one, sizeof(one), "%s\"i-%d\"", i ? "," : "", i);
			strncat(list, one, sizeof(list) - strlen(list) - 1);
		}
		j = sl_t_replace(cfg(",{'HaVipId':'hv-2','VSwitchId':'vsw-a1','IpAddress':"
				     "'10.0.1.101','AssociatedInstances':[LIST]}",
				     NULL, NULL, NULL, NULL),
				 "LIST", list);
		j = sl_t_replace(j, "\"Instances\":[", "\"Instances\":[INSTS");
		j = sl_t_replace(j, "INSTS", insts);
		if (n == 10)
			sl_t_expect(j, NULL);
		else
			sl_t_expect(j, "QuotaExceeded.HaVipAssociatedInstances", "HaVip hv-2",
				    NULL);
	}
}

/* Four more routes to hv-1 (five with the base's). */
#define HV_ROUTE(d)                                                                                \
	",{'RouteTableId':'vtb-a','DestinationCidrBlock':'" d                                      \
	"','NextHopType':'HaVip','NextHopId':'hv-1'}"
#define HV_ROUTES                                                                                  \
	HV_ROUTE("10.91.0.0/16")                                                                   \
	HV_ROUTE("10.92.0.0/16") HV_ROUTE("10.93.0.0/16") HV_ROUTE("10.94.0.0/16")

static void test_havip_routes(void **state)
{
	(void)state;
	/* a HaVip of another VPC, an unknown one */
	sl_t_expect(cfg(NULL,
			",{'RouteTableId':'vtb-a','DestinationCidrBlock':'10.98.0.0/16',"
			"'NextHopType':'HaVip','NextHopId':'hv-b'},{'RouteTableId':'vtb-a',"
			"'DestinationCidrBlock':'10.97.0.0/16','NextHopType':'HaVip','NextHopId':"
			"'hv-zz'}",
			NULL, NULL, NULL),
		    "InvalidHaViNpId.NotFound", "RouteEntry vtb-a:10.98.0.0/16",
		    "InvalidHaViNpId.NotFound", "RouteEntry vtb-a:10.97.0.0/16", NULL);
	/* five per VPC: the base has one, four more are fine, the sixth is not;
	 * vpc-b's own count is separate */
	sl_t_expect(cfg(NULL,
			HV_ROUTES ",{'RouteTableId':'vtb-b','DestinationCidrBlock':"
				  "'10.90.0.0/16','NextHopType':'HaVip','NextHopId':'hv-b'}",
			NULL, NULL, NULL),
		    NULL);
	sl_t_expect(cfg(NULL,
			HV_ROUTES ",{'RouteTableId':'vtb-a','DestinationCidrBlock':"
				  "'10.95.0.0/16','NextHopType':'HaVip','NextHopId':'hv-1'}",
			NULL, NULL, NULL),
		    "CountLimitExceed.HaVipRouteEntry", "RouteEntry vtb-a:10.95.0.0/16", NULL);
}

static void test_havip_nat_rules(void **state)
{
	(void)state;
	/* one EIP per HaVip; an unknown HaVip */
	sl_t_expect(
	    cfg(NULL, NULL,
		",{'AllocationId':'eip-3','IpAddress':'198.51.100.3','InstanceType':'HaVip',"
		"'InstanceId':'hv-1'},{'AllocationId':'eip-4','IpAddress':'198.51.100.4',"
		"'InstanceType':'HaVip','InstanceId':'hv-zz'},{'AllocationId':'eip-5',"
		"'IpAddress':'198.51.100.5','InstanceType':'HaVip','InstanceId':'hv-b'}",
		NULL, NULL),
	    "CountLimitExceed.EIPOnHaVip", "EipAddress eip-3", "InvalidHaVip.NotFound",
	    "EipAddress eip-4", NULL);
	/* no SNAT for a VSwitch (or a SourceCIDR) holding a HaVip */
	sl_t_expect(
	    cfg(NULL, NULL, NULL,
		",{'SnatEntryId':'snat-2','SnatTableId':'stb-a','SourceVSwitchId':'vsw-a1',"
		"'SnatIp':'198.51.100.1'},{'SnatEntryId':'snat-3','SnatTableId':'stb-a',"
		"'SourceCIDR':'10.0.1.64/26','SnatIp':'198.51.100.1'},{'SnatEntryId':'snat-4',"
		"'SnatTableId':'stb-a','SourceCIDR':'10.0.1.0/26','SnatIp':'198.51.100.1'}",
		NULL),
	    "Forbidden.SourceVSwitchId.IncludeHaVip", "SnatEntry snat-2",
	    "Forbidden.SourceVSwitchId.IncludeHaVip", "SnatEntry snat-3", NULL);
	/* no forward entry to a HaVip's address; an instance's is fine */
	sl_t_expect(
	    cfg(NULL, NULL,
		",{'AllocationId':'eip-3','IpAddress':'198.51.100.3','InstanceType':'Nat',"
		"'InstanceId':'ngw-a'}",
		NULL,
		"{'ForwardEntryId':'fwd-1','ForwardTableId':'ftb-a','ExternalIp':"
		"'198.51.100.3','ExternalPort':'80','IpProtocol':'TCP','InternalIp':"
		"'10.0.1.100','InternalPort':'80'},{'ForwardEntryId':'fwd-2','ForwardTableId':"
		"'ftb-a','ExternalIp':'198.51.100.3','ExternalPort':'81','IpProtocol':'TCP',"
		"'InternalIp':'10.0.1.10','InternalPort':'80'}"),
	    "Forbidden.InternalIpIsHaVip", "ForwardEntry fwd-1", NULL);
}

static void test_havip_diff(void **state)
{
	struct sl_store *a = sl_t_load_ok(cfg(NULL, NULL, NULL, NULL, NULL));
	struct sl_store *b = sl_t_load_ok(
	    sl_t_replace(cfg(NULL, NULL, NULL, NULL, NULL), "[\"i-a1\",\"i-a2\"]", "[\"i-a2\"]"));
	struct sl_diff d;

	(void)state;
	assert_int_equal(sl_store_diff(NULL, a, &d), 0);
	sl_diff_free(&d);
	((struct sl_havip_obj *)sl_jsl_get(a->havips, "hv-1"))->st.status = SL_STATUS_AVAILABLE;
	((struct sl_havip_obj *)sl_jsl_get(a->havips, "hv-b"))->st.status = SL_STATUS_AVAILABLE;
	assert_int_equal(sl_store_diff(a, b, &d), 0);
	assert_int_equal(d.changed, 1);
	assert_int_equal(((struct sl_havip_obj *)sl_jsl_get(b->havips, "hv-1"))->st.status,
			 SL_STATUS_PENDING);
	assert_int_equal(((struct sl_havip_obj *)sl_jsl_get(b->havips, "hv-b"))->st.status,
			 SL_STATUS_AVAILABLE);
	sl_diff_free(&d);
	sl_store_free(a);
	sl_store_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_base_resolves),   cmocka_unit_test(test_havip_address),
	    cmocka_unit_test(test_havip_instances), cmocka_unit_test(test_havip_routes),
	    cmocka_unit_test(test_havip_nat_rules), cmocka_unit_test(test_havip_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
