/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: common bandwidth package rules (validate_bwp.c) through the
 * config file schema. Each test adds violations to a small valid config and
 * checks that exactly the expected codes are reported on the expected
 * objects.
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
 * Base: region r1; EIPs eip-1 .. eip-4 from the pool 198.51.100.0/29,
 * unbound; package cbwp-a (PayByBandwidth, 100 Mbps) with eip-1 (capped
 * at 20 Mbps) and eip-2. Extra packages are appended.
 */
static char *cfg(const char *pkgs)
{
	return sl_t_json(
	    "{'Regions':[{'RegionId':'r1','Zones':[{'ZoneId':'z1'}]}],"
	    "'Gateway':{'Outside':{'Addresses':['203.0.113.2/24']},"
	    "'EipPool':['198.51.100.0/29']},"
	    "'EipAddresses':[{'AllocationId':'eip-1','IpAddress':'198.51.100.1'},"
	    "{'AllocationId':'eip-2','IpAddress':'198.51.100.2'},"
	    "{'AllocationId':'eip-3','IpAddress':'198.51.100.3'},"
	    "{'AllocationId':'eip-4','IpAddress':'198.51.100.4'}],"
	    "'CommonBandwidthPackages':[{'BandwidthPackageId':'cbwp-a','RegionId':'r1',"
	    "'Bandwidth':100,'Name':'shared','PublicIpAddresses':[{'AllocationId':'eip-1',"
	    "'Bandwidth':20},{'AllocationId':'eip-2'}]}%s]}",
	    pkgs ? pkgs : "");
}

static void test_base_resolves(void **state)
{
	struct sl_store *s = sl_t_load_ok(cfg(",{'BandwidthPackageId':'cbwp-b','RegionId':'r1',"
					      "'Bandwidth':300,'InternetChargeType':'PayBy95',"
					      "'Ratio':20}"));
	struct sl_cbwp_obj *a, *b;
	struct sl_eip_obj *p1, *p3;

	(void)state;
	a = sl_jsl_get(s->cbwps, "cbwp-a");
	b = sl_jsl_get(s->cbwps, "cbwp-b");
	p1 = sl_jsl_get(s->eips, "eip-1");
	p3 = sl_jsl_get(s->eips, "eip-3");
	assert_int_equal(a->bandwidth, 100);
	assert_string_equal(a->charge_type, "PayByBandwidth");
	assert_int_equal(sl_cbwp_ratio(a), 100);
	assert_int_equal(sl_cbwp_ratio(b), 20);
	assert_int_equal(a->n_ips, 2);
	assert_ptr_equal(p1->cbwp, a);
	assert_int_equal(p1->cbwp_ip->bandwidth, 20);
	assert_int_equal(a->ips[1].bandwidth, -1);
	assert_ptr_equal(a->ips[1].eip, sl_jsl_get(s->eips, "eip-2"));
	assert_null(p3->cbwp);
	sl_store_free(s);
}

static void test_cbwp_rules(void **state)
{
	(void)state;
	/* ranges by charge type, ratio, region, names */
	sl_t_expect(cfg(",{'BandwidthPackageId':'cbwp-b','RegionId':'r1','Bandwidth':1},"
			"{'BandwidthPackageId':'cbwp-c','RegionId':'r1','Bandwidth':20001},"
			"{'BandwidthPackageId':'cbwp-d','RegionId':'r1','Bandwidth':199,"
			"'InternetChargeType':'PayBy95'},"
			"{'BandwidthPackageId':'cbwp-e','RegionId':'r1','Bandwidth':200,"
			"'InternetChargeType':'PayBy95','Ratio':5},"
			"{'BandwidthPackageId':'cbwp-f','RegionId':'r1','Bandwidth':2,'Ratio':5},"
			"{'BandwidthPackageId':'cbwp-g','RegionId':'rx','Bandwidth':10,"
			"'InternetChargeType':'PayByTraffic'},"
			"{'BandwidthPackageId':'cbwp-h','RegionId':'r1','Bandwidth':0,'Name':'1x'},"
			"{'BandwidthPackageId':'cbwp-i','RegionId':'r1'}"),
		    "InvalidBandwidth.ValueNotSupported", "CommonBandwidthPackage cbwp-b",
		    "InvalidBandwidth.ValueNotSupported", "CommonBandwidthPackage cbwp-c",
		    "InvalidBandwidth.ValueNotSupported", "CommonBandwidthPackage cbwp-d",
		    "InvalidParameter", "CommonBandwidthPackage cbwp-e", "InvalidRegionId.NotFound",
		    "CommonBandwidthPackage cbwp-g", "InvalidInternetChargeType.ValueNotSupported",
		    "CommonBandwidthPackage cbwp-g", "InvalidBandwidth.ValueNotSupported",
		    "CommonBandwidthPackage cbwp-h", "InvalidParameter.Name.Malformed",
		    "CommonBandwidthPackage cbwp-h", "MissingParameter",
		    "CommonBandwidthPackage cbwp-i", NULL);
}

static void test_cbwp_members(void **state)
{
	(void)state;
	/* an EIP in two packages, twice in one, unknown; caps 0 and above the
	 * package's */
	sl_t_expect(
	    cfg(",{'BandwidthPackageId':'cbwp-b','RegionId':'r1','Bandwidth':50,"
		"'PublicIpAddresses':[{'AllocationId':'eip-2'},{'AllocationId':'eip-3',"
		"'Bandwidth':51},{'AllocationId':'eip-3'},{'AllocationId':'eip-zz'},"
		"{'AllocationId':'eip-4','Bandwidth':0},{'AllocationId':'eip-5','Mode':1}]}"),
	    "UnsupportedParameter", "CommonBandwidthPackage cbwp-b",
	    "IpInstanceId.AlreadyInBandwidthPackage", "CommonBandwidthPackage cbwp-b",
	    "InvalidBandwidth.ValueNotSupported", "CommonBandwidthPackage cbwp-b",
	    "IpInstanceId.AlreadyInBandwidthPackage", "CommonBandwidthPackage cbwp-b",
	    "InvalidIpInstanceId.NotFound", "CommonBandwidthPackage cbwp-b",
	    "InvalidBandwidth.ValueNotSupported", "CommonBandwidthPackage cbwp-b",
	    "InvalidIpInstanceId.NotFound", "CommonBandwidthPackage cbwp-b", NULL);
}

static void test_cbwp_quota_and_diff(void **state)
{
	char pool[64], eips[8192] = "", members[4096] = "", one[160];
	char *j;
	struct sl_store *a, *b;
	struct sl_diff d;

	(void)state;
	/* 51 EIPs in one package: the quota is 50 */
	for (int i = 0; i < 51; i++) {
		snprintf(one, sizeof(one),
			 ",{\"AllocationId\":\"eip-q%d\",\"IpAddress\":\"198.51.101.%d\"}", i,
			 i + 1);
		strncat(eips, one, sizeof(eips) - strlen(eips) - 1);
		snprintf(one, sizeof(one), "%s{\"AllocationId\":\"eip-q%d\"}", i ? "," : "", i);
		strncat(members, one, sizeof(members) - strlen(members) - 1);
	}
	snprintf(pool, sizeof(pool), "\"198.51.100.0/29\",\"198.51.101.0/24\"");
	j = cfg(",{'BandwidthPackageId':'cbwp-b','RegionId':'r1','Bandwidth':50,"
		"'PublicIpAddresses':[MEMBERS]}");
	j = sl_t_replace(j, "MEMBERS", members);
	j = sl_t_replace(j, "\"198.51.100.0/29\"", pool);
	j = sl_t_replace(j, "\"198.51.100.4\"}", "\"198.51.100.4\"}EIPS");
	j = sl_t_replace(j, "EIPS", eips);
	sl_t_expect(j, "IpInstanceId.QuotaExceeded", "CommonBandwidthPackage cbwp-b", NULL);

	/* a reload keeps an unchanged package's status; a new cap is a change */
	a = sl_t_load_ok(cfg(NULL));
	b = sl_t_load_ok(sl_t_replace(cfg(NULL), "\"Bandwidth\":20", "\"Bandwidth\":30"));
	assert_int_equal(sl_store_diff(NULL, a, &d), 0);
	sl_diff_free(&d);
	((struct sl_cbwp_obj *)sl_jsl_get(a->cbwps, "cbwp-a"))->st.status = SL_STATUS_AVAILABLE;
	assert_int_equal(sl_store_diff(a, b, &d), 0);
	assert_int_equal(d.changed, 1);
	assert_int_equal(((struct sl_cbwp_obj *)sl_jsl_get(b->cbwps, "cbwp-a"))->st.status,
			 SL_STATUS_PENDING);
	sl_diff_free(&d);
	sl_store_free(a);
	sl_store_free(b);
}

/*
 * NAT packages: VPC vpc-a with vsw-a1 10.0.1.0/24 and i-a1 10.0.1.10; NAT
 * gateways ngw-a (package bwp-a: .1 and .2, 10 Mbps, zone z1) and ngw-b
 * (EIP eip-1 .5 bound); a SNAT entry on .1 and a forward entry on .2.
 * Extra pieces are appended.
 */
static char *ncfg(const char *bwps, const char *eips, const char *snats, const char *fwds)
{
	return sl_t_json(
	    "{'Regions':[{'RegionId':'r1','Zones':[{'ZoneId':'z1'}]},{'RegionId':'r2','Zones':"
	    "[{'ZoneId':'z2'}]}],"
	    "'Gateway':{'Outside':{'Addresses':['203.0.113.2/24']},"
	    "'EipPool':['198.51.100.0/29']},"
	    "'Vpcs':[{'VpcId':'vpc-a','RegionId':'r1','CidrBlock':'10.0.0.0/16','VlanId':10},"
	    "{'VpcId':'vpc-b','RegionId':'r1','CidrBlock':'10.1.0.0/16','VlanId':11}],"
	    "'VSwitches':[{'VSwitchId':'vsw-a1','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
	    "'10.0.1.0/24'}],"
	    "'Instances':[{'InstanceId':'i-a1','VSwitchId':'vsw-a1','PrivateIpAddress':"
	    "'10.0.1.10'}],"
	    "'NatGateways':[{'NatGatewayId':'ngw-a','VpcId':'vpc-a'},{'NatGatewayId':'ngw-b',"
	    "'VpcId':'vpc-b'}],"
	    "'EipAddresses':[{'AllocationId':'eip-1','IpAddress':'198.51.100.5','InstanceType':"
	    "'Nat','InstanceId':'ngw-b'}%s],"
	    "'BandwidthPackages':[{'BandwidthPackageId':'bwp-a','NatGatewayId':'ngw-a','ZoneId':"
	    "'z1','Bandwidth':10,'PublicIpAddresses':[{'AllocationId':'nateip-1','IpAddress':"
	    "'198.51.100.1'},{'AllocationId':'nateip-2','IpAddress':'198.51.100.2'}]}%s],"
	    "'SnatEntries':[{'SnatEntryId':'snat-1','SnatTableId':'stb-a','SourceVSwitchId':"
	    "'vsw-a1','SnatIp':'198.51.100.1'}%s],"
	    "'ForwardEntries':[{'ForwardEntryId':'fwd-1','ForwardTableId':'ftb-a','ExternalIp':"
	    "'198.51.100.2','ExternalPort':'80','IpProtocol':'TCP','InternalIp':'10.0.1.10',"
	    "'InternalPort':'80'}%s]}",
	    eips ? eips : "", bwps ? bwps : "", snats ? snats : "", fwds ? fwds : "");
}

static void test_nat_bwp_resolves(void **state)
{
	struct sl_store *s = sl_t_load_ok(ncfg(NULL, NULL, NULL, NULL));
	struct sl_bwp_obj *b;
	struct sl_natgw_obj *n;

	(void)state;
	b = sl_jsl_get(s->bwps, "bwp-a");
	n = sl_jsl_get(s->natgws, "ngw-a");
	assert_ptr_equal(b->natgw, n);
	assert_int_equal(n->n_bwps, 1);
	assert_int_equal(n->n_eips, 0);
	assert_int_equal(b->n_ips, 2);
	/* the SNAT and forward entries use the package's addresses */
	assert_int_equal(b->ips[0].as_eip.n_snat, 1);
	assert_int_equal(b->ips[1].as_eip.n_fwd, 1);
	assert_int_equal(sl_bwp_ip_uses(b), 2);
	assert_ptr_equal(sl_jl_get(s->eip_addrs, 0xc6336401), &b->ips[0].as_eip);
	sl_store_free(s);
}

static void test_nat_bwp_rules(void **state)
{
	(void)state;
	/* unknown gateway, a gateway with EIPs, zone of another region or none,
	 * bandwidth range, no address, an address outside the pool, another's
	 * address, an id twice, a name */
	sl_t_expect(
	    ncfg(",{'BandwidthPackageId':'bwp-b','NatGatewayId':'ngw-zz','Bandwidth':5,"
		 "'PublicIpAddresses':[{'AllocationId':'nateip-3','IpAddress':'198.51.100.3'}]},"
		 "{'BandwidthPackageId':'bwp-c','NatGatewayId':'ngw-b','Bandwidth':5,"
		 "'PublicIpAddresses':[{'AllocationId':'nateip-4','IpAddress':'198.51.100.4'}]},"
		 "{'BandwidthPackageId':'bwp-d','NatGatewayId':'ngw-a','ZoneId':'z2',"
		 "'Bandwidth':4,'PublicIpAddresses':[]},"
		 "{'BandwidthPackageId':'bwp-e','NatGatewayId':'ngw-a','ZoneId':'zz',"
		 "'Bandwidth':5001,'Name':'1x','PublicIpAddresses':[{'AllocationId':'nateip-6',"
		 "'IpAddress':'198.51.101.1'},{'AllocationId':'nateip-7','IpAddress':"
		 "'198.51.100.5'},{'AllocationId':'nateip-6','IpAddress':'198.51.100.6'}]}",
		 NULL, NULL, NULL),
	    "InvalidNatGatewayId.NotFound", "BandwidthPackage bwp-b",
	    "Forbidden.NatGatewayEipAndBandwidthPackage", "BandwidthPackage bwp-c",
	    "InvalidZoneId.NotFound", "BandwidthPackage bwp-d",
	    "InvalidBandwidth.ValueNotSupported", "BandwidthPackage bwp-d",
	    "InvalidIpCount.ValueNotSupported", "BandwidthPackage bwp-d", "InvalidZoneId.NotFound",
	    "BandwidthPackage bwp-e", "InvalidBandwidth.ValueNotSupported",
	    "BandwidthPackage bwp-e", "InvalidParameter.Name.Malformed", "BandwidthPackage bwp-e",
	    "InvalidIpAddress.NotInPool", "BandwidthPackage bwp-e", "InvalidParameter",
	    "BandwidthPackage bwp-e", "InvalidParameter", "BandwidthPackage bwp-e", NULL);
	/* 4 packages per gateway */
	sl_t_expect(
	    ncfg(",{'BandwidthPackageId':'bwp-b','NatGatewayId':'ngw-a','Bandwidth':5,"
		 "'PublicIpAddresses':[{'AllocationId':'nateip-3','IpAddress':'198.51.100.3'}]},"
		 "{'BandwidthPackageId':'bwp-c','NatGatewayId':'ngw-a','Bandwidth':5,"
		 "'PublicIpAddresses':[{'AllocationId':'nateip-4','IpAddress':'198.51.100.4'}]},"
		 "{'BandwidthPackageId':'bwp-d','NatGatewayId':'ngw-a','Bandwidth':5,"
		 "'PublicIpAddresses':[{'AllocationId':'nateip-6','IpAddress':'198.51.100.6'}]},"
		 "{'BandwidthPackageId':'bwp-e','NatGatewayId':'ngw-a','Bandwidth':5,"
		 "'PublicIpAddresses':[{'AllocationId':'nateip-7','IpAddress':'198.51.100.7'}]}",
		 NULL, NULL, NULL),
	    "QuotaExceeded.BandwidthPackageCountOnNatGateway", "BandwidthPackage bwp-e", NULL);
	/* an EIP bound to a gateway with a package; an EIP on a package's
	 * address; entries on a package address of another gateway, and SNAT
	 * on the forward entry's address */
	sl_t_expect(
	    ncfg(NULL,
		 ",{'AllocationId':'eip-2','IpAddress':'198.51.100.6','InstanceType':'Nat',"
		 "'InstanceId':'ngw-a'},{'AllocationId':'eip-3','IpAddress':'198.51.100.1'}",
		 ",{'SnatEntryId':'snat-2','SnatTableId':'stb-a','SourceCIDR':'10.0.2.0/24',"
		 "'SnatIp':'198.51.100.2'},{'SnatEntryId':'snat-3','SnatTableId':'stb-b',"
		 "'SourceCIDR':'10.1.2.0/24','SnatIp':'198.51.100.1'}",
		 NULL),
	    "Forbidden.NatGatewayEipAndBandwidthPackage", "BandwidthPackage bwp-a",
	    "InvalidParameter", "BandwidthPackage bwp-a", "Forbidden.IpUsedInForwardTable",
	    "SnatEntry snat-2", "Forbidden.ExternalIpUsedInSnatTable", "ForwardEntry fwd-1",
	    "InvalidSnatIp.NotFound", "SnatEntry snat-3",
	    /* .1 is eip-3's, not the package's, so snat-1 lost its address */
	    "InvalidSnatIp.NotFound", "SnatEntry snat-1", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_base_resolves),    cmocka_unit_test(test_cbwp_rules),
	    cmocka_unit_test(test_cbwp_members),     cmocka_unit_test(test_cbwp_quota_and_diff),
	    cmocka_unit_test(test_nat_bwp_resolves), cmocka_unit_test(test_nat_bwp_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
