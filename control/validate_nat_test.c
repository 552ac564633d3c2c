/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: the NAT objects' rules (validate_nat.c) through the config
 * file schema. Each test adds one violation to a small valid config and
 * checks that exactly the expected codes are reported on the expected
 * objects; the base config also checks what validation resolves.
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
 * Base: VPC vpc-a 10.0.0.0/16 with vsw-a1 10.0.1.0/24 and instance i-a1
 * 10.0.1.10; VPC vpc-b 10.1.0.0/16 with vsw-b1; pool 198.51.100.0/29;
 * NAT gateway ngw-a in vpc-a with EIPs eip-1 (.1) and eip-2 (.2); a SNAT
 * entry on .1 for vsw-a1 and a forward entry on .2. Extra pieces are
 * appended to the NAT arrays and the route entries.
 */
static char *cfg(const char *ngws, const char *eips, const char *snats, const char *fwds,
		 const char *routes)
{
	return sl_t_json(
	    "{'Regions':[{'RegionId':'r1','Zones':[{'ZoneId':'z1'}]}],"
	    "'Gateway':{'Outside':{'Addresses':['203.0.113.2/24']},"
	    "'EipPool':['198.51.100.0/29']},"
	    "'Vpcs':[{'VpcId':'vpc-a','RegionId':'r1','CidrBlock':'10.0.0.0/16','VlanId':10},"
	    "{'VpcId':'vpc-b','RegionId':'r1','CidrBlock':'10.1.0.0/16','VlanId':11}],"
	    "'VSwitches':[{'VSwitchId':'vsw-a1','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
	    "'10.0.1.0/24'},{'VSwitchId':'vsw-b1','VpcId':'vpc-b','ZoneId':'z1','CidrBlock':"
	    "'10.1.1.0/24'}],"
	    "'Instances':[{'InstanceId':'i-a1','VSwitchId':'vsw-a1','PrivateIpAddress':"
	    "'10.0.1.10'},{'InstanceId':'i-b1','VSwitchId':'vsw-b1','PrivateIpAddress':"
	    "'10.1.1.10'}],"
	    "'RouteEntries':[%s],"
	    "'NatGateways':[{'NatGatewayId':'ngw-a','VpcId':'vpc-a','Spec':'Middle'}%s],"
	    "'EipAddresses':[{'AllocationId':'eip-1','IpAddress':'198.51.100.1','InstanceType':"
	    "'Nat','InstanceId':'ngw-a'},{'AllocationId':'eip-2','IpAddress':'198.51.100.2',"
	    "'InstanceType':'Nat','InstanceId':'ngw-a','Bandwidth':20}%s],"
	    "'SnatEntries':[{'SnatEntryId':'snat-1','SnatTableId':'stb-a','SourceVSwitchId':"
	    "'vsw-a1','SnatIp':'198.51.100.1'}%s],"
	    "'ForwardEntries':[{'ForwardEntryId':'fwd-1','ForwardTableId':'ftb-a','ExternalIp':"
	    "'198.51.100.2','ExternalPort':'80','IpProtocol':'tcp','InternalIp':'10.0.1.10',"
	    "'InternalPort':'8080'}%s]}",
	    routes ? routes : "", ngws ? ngws : "", eips ? eips : "", snats ? snats : "",
	    fwds ? fwds : "");
}

static void test_base_resolves(void **state)
{
	struct sl_store *s = sl_t_load_ok(cfg(NULL, NULL, NULL, NULL, NULL));
	struct sl_natgw_obj *n;
	struct sl_eip_obj *p1, *p2;
	struct sl_fwd_obj *f;

	n = sl_jsl_get(s->natgws, "ngw-a");
	assert_non_null(n);
	assert_string_equal(n->snat_table_id, "stb-a");
	assert_string_equal(n->fwd_table_id, "ftb-a");
	assert_ptr_equal(sl_jsl_get(s->nat_tables, "stb-a"), n);
	assert_ptr_equal(sl_jsl_get(s->nat_tables, "ftb-a"), n);
	assert_int_equal(n->n_eips, 2);
	assert_int_equal(n->n_snat, 1);
	assert_int_equal(n->n_fwd, 1);
	p1 = sl_jsl_get(s->eips, "eip-1");
	p2 = sl_jsl_get(s->eips, "eip-2");
	assert_ptr_equal(p1->natgw, n);
	assert_int_equal(p1->n_snat, 1);
	assert_int_equal(p2->n_fwd, 1);
	assert_int_equal(p1->bandwidth, SL_EIP_BANDWIDTH_DEFAULT);
	assert_int_equal(p2->bandwidth, 20);
	assert_string_equal(p1->charge_type, "PayByBandwidth");
	assert_ptr_equal(sl_jl_get(s->eip_addrs, 0xc6336401u), p1);
	f = sl_jsl_get(s->fwds, "fwd-1");
	assert_string_equal(f->proto, "TCP"); /* canonical spelling */
	assert_int_equal(f->ext_port, 80);
	assert_int_equal(f->int_port, 8080);
	sl_store_free(s);
}

static void test_natgw_rules(void **state)
{
	sl_t_expect(cfg(",{'NatGatewayId':'ngw-b','VpcId':'vpc-none'}", NULL, NULL, NULL, NULL),
		    "InvalidVpcId.NotFound", "NatGateway ngw-b", NULL);
	sl_t_expect(cfg(",{'NatGatewayId':'ngw-b','VpcId':'vpc-a'}", NULL, NULL, NULL, NULL),
		    "QuotaExceeded.NatGatewayCountInOneVpc", "NatGateway ngw-b", NULL);
	sl_t_expect(cfg(",{'NatGatewayId':'ngw-b','VpcId':'vpc-b','Spec':'Huge','Name':'1x',"
			"'Description':'h'}",
			NULL, NULL, NULL, NULL),
		    "InvalidParameter.Spec.ValueNotSupported", "NatGateway ngw-b",
		    "InvalidParameter.Name.Malformed", "NatGateway ngw-b",
		    "InvalidParameter.Description.Malformed", "NatGateway ngw-b", NULL);
	sl_t_expect(cfg(",{'NatGatewayId':'ngw-b','VpcId':'vpc-b','VSwitchId':'vsw-a1'}", NULL,
			NULL, NULL, NULL),
		    "InvalidVSwitchId.NotFound", "NatGateway ngw-b", NULL);
	/* the NAT gateway holds 0.0.0.0/0: reported on both */
	sl_t_expect(
	    cfg(NULL, NULL, NULL, NULL,
		"{'RouteTableId':'vtb-a','DestinationCidrBlock':'0.0.0.0/0','NextHopId':'i-a1'}"),
	    "RouterEntryConflict.Duplicated", "NatGateway ngw-a", "RouterEntryConflict.Duplicated",
	    "RouteEntry vtb-a:0.0.0.0/0", NULL);
	sl_t_expect(cfg(",{'NatGatewayId':'ngw-a','VpcId':'vpc-b'}", NULL, NULL, NULL, NULL),
		    "InvalidParameter", "NatGateway ngw-a", NULL);
}

static void test_eip_rules(void **state)
{
	sl_t_expect(
	    cfg(NULL, ",{'AllocationId':'eip-3','IpAddress':'198.51.100.9'}", NULL, NULL, NULL),
	    "InvalidIpAddress.NotInPool", "EipAddress eip-3", NULL);
	sl_t_expect(
	    cfg(NULL, ",{'AllocationId':'eip-3','IpAddress':'198.51.100.1'}", NULL, NULL, NULL),
	    "InvalidParameter", "EipAddress eip-3", NULL);
	sl_t_expect(cfg(NULL,
			",{'AllocationId':'eip-3','IpAddress':'198.51.100.3','Bandwidth':0,"
			"'InternetChargeType':'Free'}",
			NULL, NULL, NULL),
		    "InvalidParameter", "EipAddress eip-3", "InvalidParameter", "EipAddress eip-3",
		    NULL);
	sl_t_expect(cfg(NULL,
			",{'AllocationId':'eip-3','IpAddress':'198.51.100.3','InstanceId':'i-a1'},"
			"{'AllocationId':'eip-4','IpAddress':'198.51.100.4','InstanceType':"
			"'EcsInstance','InstanceId':'i-a1'}",
			NULL, NULL, NULL),
		    "InvalidAssociation.Duplicated", "EipAddress eip-4", NULL);
	sl_t_expect(
	    cfg(NULL,
		",{'AllocationId':'eip-3','IpAddress':'198.51.100.3','InstanceType':'SlbInstance',"
		"'InstanceId':'lb-1'},{'AllocationId':'eip-4','IpAddress':'198.51.100.4',"
		"'InstanceType':'Nat','InstanceId':'ngw-none'},{'AllocationId':'eip-5',"
		"'IpAddress':'198.51.100.5','InstanceType':'Nat'}",
		NULL, NULL, NULL),
	    "InvalidInstanceType.ValueNotSupported", "EipAddress eip-3",
	    "InvalidInstanceId.NotFound", "EipAddress eip-4", "MissingParameter",
	    "EipAddress eip-5", NULL);
	sl_t_expect(
	    cfg(NULL, ",{'AllocationId':'eip-3','IpAddress':'198.51.100.300'}", NULL, NULL, NULL),
	    "InvalidIpAddress.Malformed", "EipAddress eip-3", NULL);
}

static void test_snat_rules(void **state)
{
	const char *bound3 = ",{'AllocationId':'eip-3','IpAddress':'198.51.100.3','InstanceType':"
			     "'Nat','InstanceId':'ngw-a'}";

	sl_t_expect(cfg(NULL, NULL,
			",{'SnatEntryId':'snat-2','SnatTableId':'stb-a','SourceVSwitchId':'vsw-a1',"
			"'SnatIp':'198.51.100.1'}",
			NULL, NULL),
		    "Forbidden.SourceVSwitchId.Duplicated", "SnatEntry snat-2", NULL);
	/* a CIDR equal to a VSwitch entry's is the same source */
	sl_t_expect(cfg(NULL, NULL,
			",{'SnatEntryId':'snat-2','SnatTableId':'stb-a','SourceCIDR':'10.0.1.0/24',"
			"'SnatIp':'198.51.100.1'}",
			NULL, NULL),
		    "Forbidden.SourceVSwitchId.Duplicated", "SnatEntry snat-2", NULL);
	/* a pool; one address not bound, one used by DNAT */
	sl_t_expect(
	    cfg(NULL, bound3,
		",{'SnatEntryId':'snat-2','SnatTableId':'stb-a','SourceCIDR':'10.0.2.0/24',"
		"'SnatIp':'198.51.100.3,198.51.100.4'},{'SnatEntryId':'snat-3','SnatTableId':"
		"'stb-a','SourceCIDR':'10.0.3.0/24','SnatIp':'198.51.100.2'}",
		NULL, NULL),
	    "InvalidSnatIp.NotFound", "SnatEntry snat-2", "Forbidden.IpUsedInForwardTable",
	    "SnatEntry snat-3", "Forbidden.ExternalIpUsedInSnatTable", "ForwardEntry fwd-1", NULL);
	sl_t_expect(
	    cfg(NULL, NULL,
		",{'SnatEntryId':'snat-2','SnatTableId':'stb-a','SourceCIDR':'10.0.2.0/24',"
		"'SnatIp':'198.51.100.1,198.51.100.1'},{'SnatEntryId':'snat-3','SnatTableId':"
		"'stb-x','SourceCIDR':'10.0.3.0/24','SnatIp':'198.51.100.1'},{'SnatEntryId':"
		"'snat-4','SnatTableId':'stb-a','SourceVSwitchId':'vsw-b1','SnatIp':"
		"'198.51.100.1'},{'SnatEntryId':'snat-5','SnatTableId':'stb-a','SourceCIDR':"
		"'10.9.0.0/24','SnatIp':'198.51.100.1'},{'SnatEntryId':'snat-6','SnatTableId':"
		"'stb-a','SnatIp':'198.51.100.1'}",
		NULL, NULL),
	    "InvalidSnatIp.Malformed", "SnatEntry snat-2", "InvalidSnatTableId.NotFound",
	    "SnatEntry snat-3", "InvalidVSwitchId.NotFound", "SnatEntry snat-4", "InvalidParameter",
	    "SnatEntry snat-5", "MissingParameter", "SnatEntry snat-6", NULL);
	/* a forward table id is not a SNAT table */
	sl_t_expect(cfg(NULL, NULL,
			",{'SnatEntryId':'snat-2','SnatTableId':'ftb-a','SourceCIDR':'10.0.2.0/24',"
			"'SnatIp':'198.51.100.1'}",
			NULL, NULL),
		    "InvalidSnatTableId.NotFound", "SnatEntry snat-2", NULL);
}

static void test_snat_quota(void **state)
{
	char extra[48 * 160] = "";

	for (int i = 0; i < SL_MAX_SNAT_ENTRIES; i++) {
		char one[160];

		snprintf(one, sizeof(one),
			 ",{'SnatEntryId':'snat-q%d','SnatTableId':'stb-a','SourceCIDR':"
			 "'10.0.%d.0/24','SnatIp':'198.51.100.1'}",
			 i, 100 + i);
		strcat(extra, one);
	}
	/* 1 + 40 entries: the 41st is over */
	sl_t_expect(cfg(NULL, NULL, extra, NULL, NULL), "QuotaExceeded.SnatEntry",
		    "SnatEntry snat-q39", NULL);
}

static void test_fwd_rules(void **state)
{
	const char *f = ",{'ForwardEntryId':'fwd-2','ForwardTableId':'ftb-a','ExternalIp':"
			"'198.51.100.2','ExternalPort':'%s','IpProtocol':'%s','InternalIp':'%s',"
			"'InternalPort':'%s'}";
	char buf[512];

	snprintf(buf, sizeof(buf), f, "80", "TCP", "10.0.1.11", "81");
	sl_t_expect(cfg(NULL, NULL, NULL, buf, NULL), "ForwardEntry.Duplicated.Source",
		    "ForwardEntry fwd-2", NULL);
	/* same external port, other protocol: fine */
	snprintf(buf, sizeof(buf), f, "80", "UDP", "10.0.1.11", "81");
	sl_t_expect(cfg(NULL, NULL, NULL, buf, NULL), NULL);
	snprintf(buf, sizeof(buf), f, "81", "TCP", "10.0.1.10", "8080");
	sl_t_expect(cfg(NULL, NULL, NULL, buf, NULL), "ForwardEntry.Duplicated.Destination",
		    "ForwardEntry fwd-2", NULL);
	/* the all-Any entry beside a port entry on the same address */
	snprintf(buf, sizeof(buf), f, "any", "Any", "10.0.1.12", "ANY");
	sl_t_expect(cfg(NULL, NULL, NULL, buf, NULL), NULL);
	snprintf(buf, sizeof(buf), f, "Any", "TCP", "10.0.1.12", "80");
	sl_t_expect(cfg(NULL, NULL, NULL, buf, NULL), "Forbidden.PortsAndIpProtocol",
		    "ForwardEntry fwd-2", NULL);
	snprintf(buf, sizeof(buf), f, "0", "ICMP", "10.0.1.300", "65536");
	sl_t_expect(cfg(NULL, NULL, NULL, buf, NULL), "InvalidExternalPort.Malformed",
		    "ForwardEntry fwd-2", "InvalidProtocol.ValueNotSupported", "ForwardEntry fwd-2",
		    "InvalidInternalIp.Malformed", "ForwardEntry fwd-2",
		    "InvalidInternalPort.Malformed", "ForwardEntry fwd-2", NULL);
	snprintf(buf, sizeof(buf), f, "82", "TCP", "10.1.1.10", "82");
	sl_t_expect(cfg(NULL, NULL, NULL, buf, NULL), "Forbidden.DestinationIpOutOfVpcCIDR",
		    "ForwardEntry fwd-2", NULL);
	/* an EIP not bound to the gateway */
	sl_t_expect(
	    cfg(NULL, ",{'AllocationId':'eip-3','IpAddress':'198.51.100.3'}", NULL,
		",{'ForwardEntryId':'fwd-2','ForwardTableId':'ftb-a','ExternalIp':"
		"'198.51.100.3','ExternalPort':'1','IpProtocol':'UDP','InternalIp':'10.0.1.1',"
		"'InternalPort':'1'}",
		NULL),
	    "InvalidExternalIp.NotFound", "ForwardEntry fwd-2", NULL);
}

static void test_fwd_quota(void **state)
{
	char extra[48 * 220] = "";

	for (int i = 0; i < SL_MAX_FWD_ENTRIES; i++) {
		char one[220];

		snprintf(one, sizeof(one),
			 ",{'ForwardEntryId':'fwd-q%d','ForwardTableId':'ftb-a','ExternalIp':"
			 "'198.51.100.2','ExternalPort':'%d','IpProtocol':'UDP','InternalIp':"
			 "'10.0.1.10','InternalPort':'%d'}",
			 i, 1000 + i, 1000 + i);
		strcat(extra, one);
	}
	sl_t_expect(cfg(NULL, NULL, NULL, extra, NULL), "QuotaExceeded.ForwardEntry",
		    "ForwardEntry fwd-q39", NULL);
}

/* The pool's blocks are checked, and a reload keeps unchanged NAT objects'
 * status while a changed one becomes Pending. */
static void test_pool_and_diff(void **state)
{
	struct sl_errs e;
	struct sl_store *a, *b;
	struct sl_diff d;
	char *j1 = cfg(NULL, NULL, NULL, NULL, NULL);
	char *j2 = sl_t_replace(cfg(NULL, NULL, NULL, NULL, NULL), "\"Spec\":\"Middle\"",
				"\"Spec\":\"Large\"");

	sl_errs_init(&e, "t.json");
	a = sl_cfg_load_string(j1, &e);
	b = sl_cfg_load_string(j2, &e);
	assert_int_equal(sl_validate(a, &e), 0);
	assert_int_equal(sl_validate(b, &e), 0);
	assert_int_equal(sl_errs_count(&e), 0);
	assert_int_equal(sl_store_diff(NULL, a, &d), 0);
	sl_diff_free(&d);
	((struct sl_natgw_obj *)sl_jsl_get(a->natgws, "ngw-a"))->st.status = SL_STATUS_AVAILABLE;
	((struct sl_eip_obj *)sl_jsl_get(a->eips, "eip-1"))->st.status = SL_STATUS_AVAILABLE;
	assert_int_equal(sl_store_diff(a, b, &d), 0);
	assert_int_equal(d.changed, 1);
	assert_int_equal(d.n_dirty_vpcs, 0); /* no data-plane table depends on NAT yet */
	assert_int_equal(((struct sl_natgw_obj *)sl_jsl_get(b->natgws, "ngw-a"))->st.status,
			 SL_STATUS_PENDING);
	assert_int_equal(((struct sl_eip_obj *)sl_jsl_get(b->eips, "eip-1"))->st.status,
			 SL_STATUS_AVAILABLE);
	sl_diff_free(&d);
	sl_store_free(a);
	sl_store_free(b);
	sl_errs_free(&e);
	free(j1);
	free(j2);
	sl_t_expect(sl_t_replace(cfg(NULL, NULL, NULL, NULL, NULL), "\"198.51.100.0/29\"",
				 "\"198.51.100.0/29\",\"2001:db8::/64\""),
		    "InvalidCidrBlock.Malformed", "Gateway", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_base_resolves), cmocka_unit_test(test_natgw_rules),
	    cmocka_unit_test(test_eip_rules),	  cmocka_unit_test(test_snat_rules),
	    cmocka_unit_test(test_snat_quota),	  cmocka_unit_test(test_fwd_rules),
	    cmocka_unit_test(test_fwd_quota),	  cmocka_unit_test(test_pool_and_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
