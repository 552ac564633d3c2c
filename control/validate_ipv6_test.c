/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: the IPv6 gateway objects' rules (validate_ipv6.c) through the
 * config file schema. Each test adds one violation to a small valid config
 * and checks that exactly the expected codes are reported on the expected
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
#include "sl_test_util.h"
#include "sl_test_validate.h"
#include "sl_validate.h"

/*
 * Base: VPC vpc-a (2001:db8:a::/56) with vsw-a1 (2001:db8:a::/64, instance
 * i-a1 at ::10) and vsw-a2 (IPv4 only, instance i-a2); VPC vpc-b
 * (2001:db8:b::/56) with vsw-b1; VPC vpc-u (fd00:1::/56, ULA) with vsw-u1.
 * IPv6 gateways gw-a (vpc-a) and gw-u (vpc-u, Large); addresses ipv6-1
 * (i-a1's), ipv6-2 (::20, unassociated), ipv6-b (vpc-b), ipv6-u (ULA);
 * bandwidth bw-1 (100 Mbps) on ipv6-1; egress-only rule eg-1 on ipv6-2;
 * ingress route rule rr-1 (2407:c080::/16 -> i-a1). Extra pieces are
 * appended to the five IPv6 arrays.
 */
static char *cfg5(const char *gws, const char *addrs, const char *bws, const char *egs,
		  const char *rules)
{
	return sl_t_json(
	    "{'Regions':[{'RegionId':'r1','Zones':[{'ZoneId':'z1'}]}],"
	    "'Vpcs':[{'VpcId':'vpc-a','RegionId':'r1','CidrBlock':'10.0.0.0/16','VlanId':10,"
	    "'Ipv6CidrBlock':'2001:db8:a::/56'},"
	    "{'VpcId':'vpc-b','RegionId':'r1','CidrBlock':'10.1.0.0/16','VlanId':11,"
	    "'Ipv6CidrBlock':'2001:db8:b::/56'},"
	    "{'VpcId':'vpc-u','RegionId':'r1','CidrBlock':'10.2.0.0/16','VlanId':12,"
	    "'Ipv6CidrBlock':'fd00:1::/56'}],"
	    "'VSwitches':[{'VSwitchId':'vsw-a1','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
	    "'10.0.1.0/24','Ipv6CidrBlock':'2001:db8:a::/64'},"
	    "{'VSwitchId':'vsw-a2','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':'10.0.2.0/24'},"
	    "{'VSwitchId':'vsw-b1','VpcId':'vpc-b','ZoneId':'z1','CidrBlock':'10.1.1.0/24',"
	    "'Ipv6CidrBlock':'2001:db8:b::/64'},"
	    "{'VSwitchId':'vsw-u1','VpcId':'vpc-u','ZoneId':'z1','CidrBlock':'10.2.1.0/24',"
	    "'Ipv6CidrBlock':'fd00:1::/64'}],"
	    "'Instances':[{'InstanceId':'i-a1','VSwitchId':'vsw-a1','PrivateIpAddress':"
	    "'10.0.1.10','Ipv6Address':'2001:db8:a::10'},{'InstanceId':'i-a2','VSwitchId':"
	    "'vsw-a2','PrivateIpAddress':'10.0.2.10'}],"
	    "'Ipv6Gateways':[{'Ipv6GatewayId':'gw-a','VpcId':'vpc-a','Name':'gw-default'},"
	    "{'Ipv6GatewayId':'gw-u','VpcId':'vpc-u','Spec':'Large'}%s],"
	    "'Ipv6Addresses':[{'Ipv6AddressId':'ipv6-1','VSwitchId':'vsw-a1','Ipv6Address':"
	    "'2001:db8:a::10'},{'Ipv6AddressId':'ipv6-2','VSwitchId':'vsw-a1','Ipv6Address':"
	    "'2001:db8:a::20','Ipv6AddressName':'spare'},{'Ipv6AddressId':'ipv6-b','VSwitchId':"
	    "'vsw-b1','Ipv6Address':'2001:db8:b::5'},{'Ipv6AddressId':'ipv6-u','VSwitchId':"
	    "'vsw-u1','Ipv6Address':'fd00:1::5'}%s],"
	    "'Ipv6InternetBandwidths':[{'Ipv6InternetBandwidthId':'bw-1','Ipv6AddressId':"
	    "'ipv6-1','Bandwidth':100}%s],"
	    "'Ipv6EgressOnlyRules':[{'Ipv6EgressOnlyRuleId':'eg-1','Ipv6GatewayId':'gw-a',"
	    "'InstanceId':'ipv6-2'}%s],"
	    "'Ipv6GatewayRouteRules':[{'RouteRuleId':'rr-1','Ipv6GatewayId':'gw-a',"
	    "'Destination':'2407:c080::/16','NextHopType':'ECS','NextHopInstanceId':'i-a1'}%s]}",
	    gws ? gws : "", addrs ? addrs : "", bws ? bws : "", egs ? egs : "", rules ? rules : "");
}

#define cfg(g, a, b, e) cfg5(g, a, b, e, NULL)

/* Load and validate `json` (freed); expect exactly the (code, object)
 * pairs given, NULL-terminated. */
static void expect(char *json, ...)
{
	struct sl_errs e;
	struct sl_store *s;
	va_list ap;
	bool ok;

	sl_errs_init(&e, "t.json");
	s = sl_cfg_load_string(json, &e);
	assert_non_null(s);
	assert_int_equal(sl_validate(s, &e), 0);
	va_start(ap, json);
	ok = sl_t_errs_exactly(&e, ap);
	va_end(ap);
	if (!ok)
		sl_t_dump(&e);
	assert_true(ok);
	sl_store_free(s);
	sl_errs_free(&e);
	free(json);
}

static void test_base_resolves(void **state)
{
	struct sl_errs e;
	struct sl_store *s;
	char *json = cfg(NULL, NULL, NULL, NULL);
	struct sl_ipv6gw_obj *g;
	struct sl_ipv6addr_obj *a1, *a2, *ab;
	struct sl_ipv6bw_obj *b;
	struct sl_ipv6rule_obj *rr;
	char d[SL_PFX_STRLEN];

	(void)state;
	sl_errs_init(&e, "t.json");
	s = sl_cfg_load_string(json, &e);
	assert_non_null(s);
	assert_int_equal(sl_validate(s, &e), 0);
	sl_t_dump(&e);
	assert_int_equal(sl_errs_count(&e), 0);
	g = sl_jsl_get(s->ipv6gws, "gw-a");
	assert_non_null(g);
	assert_string_equal(g->spec, "Small"); /* the default */
	assert_ptr_equal(g->vpc, sl_store_vpc(s, "vpc-a"));
	assert_ptr_equal(sl_jsl_get(s->ipv6_keys, "vpc-a"), g);
	assert_int_equal(g->n_bw, 1);
	assert_int_equal(g->n_egress, 1);
	a1 = sl_jsl_get(s->ipv6addrs, "ipv6-1");
	a2 = sl_jsl_get(s->ipv6addrs, "ipv6-2");
	ab = sl_jsl_get(s->ipv6addrs, "ipv6-b");
	assert_ptr_equal(a1->instance, sl_store_instance(s, "i-a1")); /* the instance's address */
	assert_null(a2->instance);
	assert_ptr_equal(a1->gw, g);
	assert_null(ab->gw); /* vpc-b has no IPv6 gateway */
	assert_ptr_equal(sl_jsl_get(s->ipv6_keys, "vpc-a|2001:db8:a::20"), a2);
	b = sl_jsl_get(s->ipv6bws, "bw-1");
	assert_ptr_equal(a1->bw, b);
	assert_ptr_equal(b->gw, g);
	assert_int_equal(b->bandwidth, 100);
	assert_string_equal(b->charge_type, "PayByBandwidth");
	assert_int_equal(a2->n_egress, 1);
	rr = sl_jsl_get(s->ipv6rules, "rr-1");
	assert_string_equal(sl_pfx_fmt(&rr->dest, d, sizeof(d)), "2407::/16"); /* normalised */
	assert_ptr_equal(rr->instance, sl_store_instance(s, "i-a1"));
	assert_int_equal(g->n_rules, 1);
	sl_store_free(s);
	sl_errs_free(&e);
	free(json);
}

static void test_gateway_rules(void **state)
{
	(void)state;
	expect(cfg(",{'Ipv6GatewayId':'gw-x','VpcId':'vpc-none'}", NULL, NULL, NULL),
	       "InvalidVpcId.NotFound", "Ipv6Gateway gw-x", NULL);
	expect(cfg(",{'Ipv6GatewayId':'gw-x','VpcId':'vpc-a'}", NULL, NULL, NULL),
	       "QuotaExceeded.Ipv6Gateway", "Ipv6Gateway gw-x", NULL);
	expect(cfg(",{'Ipv6GatewayId':'gw-x','VpcId':'vpc-b','Spec':'Huge','Name':'1x',"
		   "'Description':'h'}",
		   NULL, NULL, NULL),
	       "InvalidParameter.Spec.ValueNotSupported", "Ipv6Gateway gw-x", "IllegalParam.Name",
	       "Ipv6Gateway gw-x", "IllegalParam.Description", "Ipv6Gateway gw-x", NULL);
	expect(cfg(",{'Ipv6GatewayId':'gw-a','VpcId':'vpc-b'}", NULL, NULL, NULL),
	       "InvalidParameter", "Ipv6Gateway gw-a", NULL);
	expect(cfg(",{'Ipv6GatewayId':'gw-x','VpcId':'vpc-b','Bogus':1}", NULL, NULL, NULL),
	       "UnsupportedParameter", "Ipv6Gateway gw-x", NULL);
}

static void test_address_rules(void **state)
{
	(void)state;
	expect(cfg(NULL, ",{'Ipv6AddressId':'ipv6-x','VSwitchId':'vsw-none','Ipv6Address':'::1'}",
		   NULL, NULL),
	       "InvalidVSwitchId.NotFound", "Ipv6Address ipv6-x", NULL);
	expect(cfg(NULL,
		   ",{'Ipv6AddressId':'ipv6-x','VSwitchId':'vsw-a2','Ipv6Address':"
		   "'2001:db8:a:1::5'}",
		   NULL, NULL),
	       "InvalidVSwitchId.Ipv6NotTurnOn", "Ipv6Address ipv6-x", NULL);
	expect(cfg(NULL,
		   ",{'Ipv6AddressId':'ipv6-x','VSwitchId':'vsw-a1','Ipv6Address':'2001:db8:b::9'}",
		   NULL, NULL),
	       "InvalidIpv6Address", "Ipv6Address ipv6-x", NULL);
	/* the subnet-router anycast address and the last three are reserved */
	expect(cfg(NULL,
		   ",{'Ipv6AddressId':'ipv6-x','VSwitchId':'vsw-a1','Ipv6Address':'2001:db8:a::'},"
		   "{'Ipv6AddressId':'ipv6-y','VSwitchId':'vsw-a1','Ipv6Address':"
		   "'2001:db8:a:0:ffff:ffff:ffff:fffd'}",
		   NULL, NULL),
	       "InvalidIpv6Address", "Ipv6Address ipv6-x", "InvalidIpv6Address",
	       "Ipv6Address ipv6-y", NULL);
	expect(
	    cfg(NULL,
		",{'Ipv6AddressId':'ipv6-x','VSwitchId':'vsw-a1','Ipv6Address':'2001:db8:a::20'}",
		NULL, NULL),
	    "InvalidIpv6Address.Duplicated", "Ipv6Address ipv6-x", NULL);
	expect(cfg(NULL,
		   ",{'Ipv6AddressId':'ipv6-x','VSwitchId':'vsw-a1','Ipv6Address':'10.0.1.5',"
		   "'Ipv6AddressName':'-x'}",
		   NULL, NULL),
	       "InvalidIpv6Address.Malformed", "Ipv6Address ipv6-x", "IllegalParam.Name",
	       "Ipv6Address ipv6-x", NULL);
	expect(cfg(NULL, ",{'Ipv6AddressId':'ipv6-x','VSwitchId':'vsw-a1'}", NULL, NULL),
	       "MissingParameter", "Ipv6Address ipv6-x", NULL);
}

static void test_bandwidth_rules(void **state)
{
	(void)state;
	expect(cfg(NULL, NULL,
		   ",{'Ipv6InternetBandwidthId':'bw-x','Ipv6AddressId':'ipv6-none','Bandwidth':5}",
		   NULL),
	       "ResourceNotFound.Ipv6Address", "Ipv6InternetBandwidth bw-x", NULL);
	expect(
	    cfg(NULL, NULL,
		",{'Ipv6InternetBandwidthId':'bw-x','Ipv6AddressId':'ipv6-1','Bandwidth':5}", NULL),
	    "OperationFailed.InternetBandwidthAlreadyExisted", "Ipv6InternetBandwidth bw-x", NULL);
	/* the ranges: 1-5000 by bandwidth; by traffic the gateway spec's cap */
	expect(cfg(NULL, NULL,
		   ",{'Ipv6InternetBandwidthId':'bw-x','Ipv6AddressId':'ipv6-2','Bandwidth':5001},"
		   "{'Ipv6InternetBandwidthId':'bw-y','Ipv6AddressId':'ipv6-b','Bandwidth':0}",
		   NULL),
	       "IllegalParam.Bandwidth", "Ipv6InternetBandwidth bw-x", "IllegalParam.Bandwidth",
	       "Ipv6InternetBandwidth bw-y", "OperationFailed.Ipv6GatewayNotExist",
	       "Ipv6InternetBandwidth bw-y", NULL);
	expect(cfg(NULL, NULL,
		   ",{'Ipv6InternetBandwidthId':'bw-x','Ipv6AddressId':'ipv6-2','Bandwidth':5000}",
		   NULL),
	       NULL);
	expect(cfg(NULL, NULL,
		   ",{'Ipv6InternetBandwidthId':'bw-x','Ipv6AddressId':'ipv6-2','Bandwidth':501,"
		   "'InternetChargeType':'PayByTraffic'}",
		   NULL),
	       "IllegalParam.Bandwidth", "Ipv6InternetBandwidth bw-x", NULL);
	expect(cfg(NULL, NULL,
		   ",{'Ipv6InternetBandwidthId':'bw-x','Ipv6AddressId':'ipv6-2','Bandwidth':500,"
		   "'InternetChargeType':'PayByTraffic'}",
		   NULL),
	       NULL);
	expect(cfg(NULL, NULL,
		   ",{'Ipv6InternetBandwidthId':'bw-x','Ipv6AddressId':'ipv6-2','Bandwidth':5,"
		   "'InternetChargeType':'Free','Ipv6GatewayId':'gw-u'}",
		   NULL),
	       "IllegalParam.InternetChargeType", "Ipv6InternetBandwidth bw-x",
	       "OperationFailed.Ipv6GatewayDisMatchIpv6Address", "Ipv6InternetBandwidth bw-x",
	       NULL);
	/* ULA addresses get no Internet bandwidth (seed 001) */
	expect(cfg(NULL, NULL,
		   ",{'Ipv6InternetBandwidthId':'bw-x','Ipv6AddressId':'ipv6-u','Bandwidth':5}",
		   NULL),
	       "OperationUnsupported.ULA", "Ipv6InternetBandwidth bw-x", NULL);
	expect(
	    cfg(NULL, NULL, ",{'Ipv6InternetBandwidthId':'bw-x','Ipv6AddressId':'ipv6-2'}", NULL),
	    "MissingParameter", "Ipv6InternetBandwidth bw-x", NULL);
}

static void test_traffic_caps(void **state)
{
	(void)state;
	assert_int_equal(sl_ipv6_bw_cap("PayByBandwidth", "Small"), 5000);
	assert_int_equal(sl_ipv6_bw_cap("PayByTraffic", "Small"), 500);
	assert_int_equal(sl_ipv6_bw_cap("PayByTraffic", "Middle"), 1000);
	assert_int_equal(sl_ipv6_bw_cap("PayByTraffic", "Large"), 2000);
}

static void test_egress_rules(void **state)
{
	(void)state;
	expect(cfg(NULL, NULL, NULL,
		   ",{'Ipv6EgressOnlyRuleId':'eg-x','Ipv6GatewayId':'gw-none','InstanceId':"
		   "'ipv6-1'}"),
	       "InvalidIpv6GatewayId.NotFound", "Ipv6EgressOnlyRule eg-x", NULL);
	expect(cfg(NULL, NULL, NULL,
		   ",{'Ipv6EgressOnlyRuleId':'eg-x','Ipv6GatewayId':'gw-a','InstanceId':'ipv6-b'},"
		   "{'Ipv6EgressOnlyRuleId':'eg-y','Ipv6GatewayId':'gw-a','InstanceId':"
		   "'ipv6-none'}"),
	       "InvalidInstanceId.NotFound", "Ipv6EgressOnlyRule eg-x",
	       "InvalidInstanceId.NotFound", "Ipv6EgressOnlyRule eg-y", NULL);
	expect(cfg(NULL, NULL, NULL,
		   ",{'Ipv6EgressOnlyRuleId':'eg-x','Ipv6GatewayId':'gw-a','InstanceId':'ipv6-2'}"),
	       "Ipv6EgressOnlyRule.Duplicated", "Ipv6EgressOnlyRule eg-x", NULL);
	expect(cfg(NULL, NULL, NULL,
		   ",{'Ipv6EgressOnlyRuleId':'eg-x','Ipv6GatewayId':'gw-a','InstanceId':'i-a1',"
		   "'InstanceType':'Instance'},{'Ipv6EgressOnlyRuleId':'eg-y','Ipv6GatewayId':"
		   "'gw-a','InstanceId':'i-a2','InstanceType':'Instance'},"
		   "{'Ipv6EgressOnlyRuleId':'eg-z','Ipv6GatewayId':'gw-a','InstanceId':'i-a1',"
		   "'InstanceType':'HaVip'}"),
	       "InvalidInstanceId.NotFound", "Ipv6EgressOnlyRule eg-y",
	       "InvalidInstanceType.ValueNotSupported", "Ipv6EgressOnlyRule eg-z", NULL);
}

static void test_route_rules(void **state)
{
	struct sl_pfx p;
	char d[SL_PFX_STRLEN];

	(void)state;
	assert_int_equal(sl_cfg_ipv6_dest("2407:c080::/16", &p), 0);
	assert_string_equal(sl_pfx_fmt(&p, d, sizeof(d)), "2407::/16");
	assert_int_equal(sl_cfg_ipv6_dest("2407:c080::1/64", &p), 0);
	assert_string_equal(sl_pfx_fmt(&p, d, sizeof(d)), "2407:c080::/64");
	assert_int_equal(sl_cfg_ipv6_dest("2407:c080::1", &p), -1); /* a length is required */
	assert_int_equal(sl_cfg_ipv6_dest("10.0.0.0/8", &p), -1);
	/* the same destination after normalisation */
	expect(cfg5(NULL, NULL, NULL, NULL,
		    ",{'RouteRuleId':'rr-x','Ipv6GatewayId':'gw-a','Destination':'2407:ffff::/16',"
		    "'NextHopInstanceId':'i-a1'}"),
	       "IGW.Destination.Duplicated", "Ipv6GatewayRouteRule rr-x", NULL);
	/* another gateway may route the same prefix */
	expect(cfg5(NULL, NULL, NULL, NULL,
		    ",{'RouteRuleId':'rr-x','Ipv6GatewayId':'gw-u','Destination':'2407::/16',"
		    "'NextHopInstanceId':'i-a1'}"),
	       "IGW.NextHopInstance.NotFound", "Ipv6GatewayRouteRule rr-x", NULL);
	expect(cfg5(NULL, NULL, NULL, NULL,
		    ",{'RouteRuleId':'rr-x','Ipv6GatewayId':'gw-a','Destination':'2408::/16',"
		    "'NextHopInstanceId':'i-a2'},{'RouteRuleId':'rr-y','Ipv6GatewayId':'gw-a',"
		    "'Destination':'2409::/16','NextHopType':'HaVip','NextHopInstanceId':'hv-1'},"
		    "{'RouteRuleId':'rr-z','Ipv6GatewayId':'gw-none','Destination':'2410::/16',"
		    "'NextHopInstanceId':'i-a1'},{'RouteRuleId':'rr-w','Ipv6GatewayId':'gw-a',"
		    "'Destination':'10.0.0.0/8','NextHopType':'VPN','NextHopInstanceId':'i-a1'}"),
	       "IGW.NextHopInstance.Ipv6NotEnabled", "Ipv6GatewayRouteRule rr-x",
	       "IGW.NextHopInstance.NotFound", "Ipv6GatewayRouteRule rr-y", /* no HaVip hv-1 */
	       "InvalidIpv6GatewayId.NotFound", "Ipv6GatewayRouteRule rr-z",
	       "IPv6Gateway.InvalidParameter.Destination", "Ipv6GatewayRouteRule rr-w",
	       "IGW.InvalidParameter.nextHopType", "Ipv6GatewayRouteRule rr-w", NULL);
}

/* The base config with HaVips: hv-1 (vsw-a1, i-a1 with IPv6), hv-2 (vsw-a2,
 * i-a2 without IPv6), hv-3 (vsw-a1, no instance), hv-b (vpc-b), and the
 * route rules `rules` (appended to rr-1). */
static char *cfg_havips(const char *rules)
{
	char *base = cfg5(NULL, NULL, NULL, NULL, rules), *out;
	size_t n = strlen(base);

	assert_true(n > 0 && base[n - 1] == '}');
	base[n - 1] = '\0';
	out = sl_t_json(
	    "%s,'HaVips':[{'HaVipId':'hv-1','VSwitchId':'vsw-a1','IpAddress':'10.0.1.100',"
	    "'AssociatedInstances':['i-a1']},{'HaVipId':'hv-2','VSwitchId':'vsw-a2','IpAddress':"
	    "'10.0.2.100','AssociatedInstances':['i-a2']},{'HaVipId':'hv-3','VSwitchId':'vsw-a1',"
	    "'IpAddress':'10.0.1.101'},{'HaVipId':'hv-b','VSwitchId':'vsw-b1','IpAddress':"
	    "'10.1.1.100'}]}",
	    base);
	free(base);
	return out;
}

#define HV_RULE(id, dst, hv)                                                                       \
	",{'RouteRuleId':'" id "','Ipv6GatewayId':'gw-a','Destination':'" dst "',"                 \
	"'NextHopType':'HaVip','NextHopInstanceId':'" hv "'}"

/* HaVip next hops (issues 6/12): a HaVip of the gateway's VPC whose
 * associated instances all have IPv6; none associated is accepted. */
static void test_route_rule_havip(void **state)
{
	struct sl_store *s = sl_t_load_ok(cfg_havips(HV_RULE("rr-h1", "2400:1::/32", "hv-1")
							 HV_RULE("rr-h3", "2400:3::/32", "hv-3")));
	const struct sl_ipv6rule_obj *r;

	(void)state;
	r = sl_jsl_get(s->ipv6rules, "rr-h1");
	assert_ptr_equal(r->havip, sl_jsl_get(s->havips, "hv-1"));
	assert_null(r->instance);
	r = sl_jsl_get(s->ipv6rules, "rr-h3");
	assert_ptr_equal(r->havip, sl_jsl_get(s->havips, "hv-3"));
	sl_store_free(s);
	expect(cfg_havips(HV_RULE("rr-h2", "2400:2::/32", "hv-2")),
	       "IGW.NextHopInstance.Ipv6NotEnabled", "Ipv6GatewayRouteRule rr-h2", NULL);
	expect(cfg_havips(HV_RULE("rr-hb", "2400:4::/32", "hv-b")
			      HV_RULE("rr-hx", "2400:5::/32", "hv-none")),
	       "IGW.NextHopInstance.NotFound", "Ipv6GatewayRouteRule rr-hb",
	       "IGW.NextHopInstance.NotFound", "Ipv6GatewayRouteRule rr-hx", NULL);
}

/* SL_IPV6_RULES_MAX rules per gateway: one more is refused. */
static void test_route_rule_quota(void **state)
{
	size_t cap = 160 * SL_IPV6_RULES_MAX, len = 0;
	char *rules = malloc(cap), *json;

	(void)state;
	assert_non_null(rules);
	rules[0] = '\0';
	/* rr-1 is the base's: rr-q1..rr-q199 fill the quota, rr-q200 is one too many */
	for (unsigned int i = 1; i <= SL_IPV6_RULES_MAX; i++)
		len += (size_t)snprintf(rules + len, cap - len,
					",{'RouteRuleId':'rr-q%u','Ipv6GatewayId':'gw-a',"
					"'Destination':'2400:%x::/32','NextHopInstanceId':'i-a1'}",
					i, i);
	assert_true(len < cap);
	json = cfg5(NULL, NULL, NULL, NULL, rules);
	free(rules);
	expect(json, "IGW.QuotaExceeded.RouteRule", "Ipv6GatewayRouteRule rr-q200", NULL);
}

/* A reload keeps unchanged IPv6 objects' status; a changed one becomes
 * Pending; no VPC table is dirty (the data plane does not use them yet). */
static void test_diff(void **state)
{
	struct sl_errs e;
	struct sl_store *a, *b;
	struct sl_diff d;
	char *j1 = cfg(NULL, NULL, NULL, NULL);
	char *j2 =
	    sl_t_replace(cfg(NULL, NULL, NULL, NULL), "\"Bandwidth\":100", "\"Bandwidth\":200");

	(void)state;
	sl_errs_init(&e, "t.json");
	a = sl_cfg_load_string(j1, &e);
	b = sl_cfg_load_string(j2, &e);
	assert_int_equal(sl_validate(a, &e), 0);
	assert_int_equal(sl_validate(b, &e), 0);
	assert_int_equal(sl_errs_count(&e), 0);
	assert_int_equal(sl_store_diff(NULL, a, &d), 0);
	sl_diff_free(&d);
	((struct sl_ipv6bw_obj *)sl_jsl_get(a->ipv6bws, "bw-1"))->st.status = SL_STATUS_AVAILABLE;
	((struct sl_ipv6gw_obj *)sl_jsl_get(a->ipv6gws, "gw-a"))->st.status = SL_STATUS_AVAILABLE;
	assert_int_equal(sl_store_diff(a, b, &d), 0);
	assert_int_equal(d.changed, 1);
	assert_int_equal(d.n_dirty_vpcs, 0);
	assert_int_equal(((struct sl_ipv6bw_obj *)sl_jsl_get(b->ipv6bws, "bw-1"))->st.status,
			 SL_STATUS_PENDING);
	assert_int_equal(((struct sl_ipv6gw_obj *)sl_jsl_get(b->ipv6gws, "gw-a"))->st.status,
			 SL_STATUS_AVAILABLE);
	sl_diff_free(&d);
	sl_store_free(a);
	sl_store_free(b);
	sl_errs_free(&e);
	free(j1);
	free(j2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_base_resolves),    cmocka_unit_test(test_gateway_rules),
	    cmocka_unit_test(test_address_rules),    cmocka_unit_test(test_bandwidth_rules),
	    cmocka_unit_test(test_traffic_caps),     cmocka_unit_test(test_egress_rules),
	    cmocka_unit_test(test_route_rules),	     cmocka_unit_test(test_route_rule_quota),
	    cmocka_unit_test(test_route_rule_havip), cmocka_unit_test(test_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
