/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the IPv6 gateway section (compile_ipv6gw.c): what a store
 * with IPv6 gateways, addresses with bandwidth, egress-only rules and
 * ingress route rules compiles to, read the way sluice-dp reads it (binary
 * search of the addresses, the interval tables); the VPC's ::/0 to its
 * IPv6 gateway; and left-right bank writes under churn, compared with a
 * fresh full compile.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sl_compile.h"
#include "sl_test_compile.h"
#include "sl_test_util.h"
#include "sl_test_validate.h"

/* vpc-a (2001:db8:a::/56, gateway gw-a unless `nogw`) with vsw-a1
 * (2001:db8:a::/64): i-a1 (::10), i-fw (::99), i-fw2 (::98); addresses
 * ipv6-1 (i-a1's), ipv6-2 (::20), ipv6-3 (::30); vpc-b (2001:db8:b::/56,
 * no gateway) with i-b1. The bandwidth, egress-only and rule arrays as
 * given. */
static char *cfg(bool nogw, const char *bws, const char *egs, const char *rules)
{
	return sl_t_json(
	    "{'Regions':[{'RegionId':'r1','Zones':[{'ZoneId':'z1'}]}],"
	    "'Vpcs':[{'VpcId':'vpc-a','RegionId':'r1','CidrBlock':'10.0.0.0/16','VlanId':10,"
	    "'Ipv6CidrBlock':'2001:db8:a::/56'},"
	    "{'VpcId':'vpc-b','RegionId':'r1','CidrBlock':'10.1.0.0/16','VlanId':11,"
	    "'Ipv6CidrBlock':'2001:db8:b::/56'}],"
	    "'VSwitches':[{'VSwitchId':'vsw-a1','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
	    "'10.0.1.0/24','Ipv6CidrBlock':'2001:db8:a::/64'},"
	    "{'VSwitchId':'vsw-b1','VpcId':'vpc-b','ZoneId':'z1','CidrBlock':'10.1.1.0/24',"
	    "'Ipv6CidrBlock':'2001:db8:b::/64'}],"
	    "'Instances':[{'InstanceId':'i-a1','VSwitchId':'vsw-a1','PrivateIpAddress':"
	    "'10.0.1.10','Ipv6Address':'2001:db8:a::10'},"
	    "{'InstanceId':'i-fw','VSwitchId':'vsw-a1','PrivateIpAddress':'10.0.1.99',"
	    "'Ipv6Address':'2001:db8:a::99'},"
	    "{'InstanceId':'i-fw2','VSwitchId':'vsw-a1','PrivateIpAddress':'10.0.1.98',"
	    "'Ipv6Address':'2001:db8:a::98'},"
	    "{'InstanceId':'i-b1','VSwitchId':'vsw-b1','PrivateIpAddress':'10.1.1.10',"
	    "'Ipv6Address':'2001:db8:b::10'}],"
	    "'Ipv6Gateways':[%s],"
	    "'Ipv6Addresses':[{'Ipv6AddressId':'ipv6-1','VSwitchId':'vsw-a1','Ipv6Address':"
	    "'2001:db8:a::10'},{'Ipv6AddressId':'ipv6-2','VSwitchId':'vsw-a1','Ipv6Address':"
	    "'2001:db8:a::20'},{'Ipv6AddressId':'ipv6-3','VSwitchId':'vsw-a1','Ipv6Address':"
	    "'2001:db8:a::30'}],"
	    "'Ipv6InternetBandwidths':[%s],'Ipv6EgressOnlyRules':[%s],"
	    "'Ipv6GatewayRouteRules':[%s]}",
	    nogw ? "" : "{'Ipv6GatewayId':'gw-a','VpcId':'vpc-a'}", bws ? bws : "", egs ? egs : "",
	    rules ? rules : "");
}

#define BW(id, addr, mbps)                                                                         \
	"{'Ipv6InternetBandwidthId':'" id "','Ipv6AddressId':'" addr "','Bandwidth':" #mbps "}"
#define EG(id, inst, type)                                                                         \
	"{'Ipv6EgressOnlyRuleId':'" id "','Ipv6GatewayId':'gw-a','InstanceId':'" inst              \
	"','InstanceType':'" type "'}"
#define RR(id, dest, inst)                                                                         \
	"{'RouteRuleId':'" id "','Ipv6GatewayId':'gw-a','Destination':'" dest                      \
	"','NextHopType':'ECS','NextHopInstanceId':'" inst "'}"

#define RR_HV(id, dest, havip)                                                                     \
	"{'RouteRuleId':'" id "','Ipv6GatewayId':'gw-a','Destination':'" dest                      \
	"','NextHopType':'HaVip','NextHopInstanceId':'" havip "'}"

static const char base_bws[] = BW("bw-1", "ipv6-1", 100) "," BW("bw-2", "ipv6-2", 5);
static const char base_egs[] = EG("eg-1", "ipv6-2", "Ipv6Address");
static const char base_rules[] =
    RR("rr-1", "2001:db8:a::/64", "i-fw") "," RR("rr-2", "2001:db8:a::10/128", "i-fw2");

static void ip6(const char *s, uint64_t *hi, uint64_t *lo)
{
	uint8_t b[16];

	assert_int_equal(inet_pton(AF_INET6, s, b), 1);
	*hi = *lo = 0;
	for (int i = 0; i < 8; i++) {
		*hi = *hi << 8 | b[i];
		*lo = *lo << 8 | b[8 + i];
	}
}

/* ---- the data plane's reads of the section ----------------------------------------- */

#define SEC(sec, off, type) ((const type *)((const uint8_t *)(sec) + (off)))

static const struct sl_ip6gw_sec *bank_sec(const struct sl_bank_header *h)
{
	if (h->ip6gw_off == 0)
		return NULL;
	assert_true(h->ip6gw_off + h->ip6gw_size <= h->used);
	return SL_BANK_PTR(h, h->ip6gw_off, const struct sl_ip6gw_sec);
}

static const struct sl_ip6gw_addr_ent *dp_addr(const struct sl_ip6gw_sec *s, const char *a)
{
	const struct sl_ip6gw_addr_ent *e = SEC(s, s->addr_off, struct sl_ip6gw_addr_ent);
	uint32_t lo = 0, n = s->n_addrs;
	uint64_t hi, l;

	ip6(a, &hi, &l);
	while (n > 0) { /* lower bound */
		uint32_t half = n / 2;
		const struct sl_ip6gw_addr_ent *m = &e[lo + half];

		if (m->hi < hi || (m->hi == hi && m->lo < l)) {
			lo += half + 1;
			n -= half + 1;
		} else {
			n = half;
		}
	}
	return lo < s->n_addrs && e[lo].hi == hi && e[lo].lo == l ? &e[lo] : NULL;
}

/* Gateway index + 1 whose VPC holds `a`, 0 if none. */
static uint32_t dp_vpc_gw(const struct sl_ip6gw_sec *s, const char *a)
{
	uint64_t hi, lo;

	ip6(a, &hi, &lo);
	return sl_rt6_find(SEC(s, s->vpc_rt_off, struct sl_rt6_entry), s->n_vpc_rt, hi, lo);
}

/* The ingress rule next hop of `a` at gateway `gi` (0: none). */
static uint32_t dp_rule(const struct sl_ip6gw_sec *s, uint32_t gi, const char *a)
{
	const struct sl_ip6gw_gw_ent *g = SEC(s, s->gw_off, struct sl_ip6gw_gw_ent) + gi;
	uint64_t hi, lo;

	ip6(a, &hi, &lo);
	assert_true(g->rule_rt_first + g->rule_rt_n <= s->n_rule_rt);
	return sl_rt6_find(SEC(s, s->rule_rt_off, struct sl_rt6_entry) + g->rule_rt_first,
			   g->rule_rt_n, hi, lo);
}

static const struct sl_nexthop *bank_nh(const struct sl_bank_header *h, uint32_t nh)
{
	assert_true(nh < h->n_nexthops);
	return SL_BANK_PTR(h, h->nh_off, const struct sl_nexthop) + nh;
}

/* The next hop of `a` in VPC `vpc`'s table. */
static const struct sl_nexthop *vpc_nh(const struct sl_bank_header *h, const char *vpc,
				       const char *a)
{
	const struct sl_vpc *v = SL_BANK_PTR(h, h->vpc_off, const struct sl_vpc);
	uint64_t hi, lo;

	ip6(a, &hi, &lo);
	for (uint32_t i = 0; i < h->n_vpcs; i++)
		if (strcmp(v[i].id, vpc) == 0)
			return bank_nh(h, sl_rt6_find(SL_BANK_PTR(h, v[i].rt.v6_off,
								  const struct sl_rt6_entry),
						      v[i].rt.v6_n, hi, lo));
	fail_msg("no VPC %s", vpc);
	return NULL;
}

/* The slot of (hi, lo) in VPC `vpc` through the address hash (ABI 17) as
 * sluice-dp probes it (sl_ip6gw_addr_probe), NULL if none. */
static const struct sl_ip6gw_addr_slot *dp_slot(const struct sl_ip6gw_sec *s, uint64_t hi,
						uint64_t lo, uint32_t vpc)
{
	const struct sl_ip6gw_addr_slot *t = SEC(s, s->addr_hash_off, struct sl_ip6gw_addr_slot);
	uint32_t p = sl_ip6gw_addr_hash(hi, lo, vpc) & s->addr_hash_mask;

	for (; t[p].idx != 0; p = (p + 1) & s->addr_hash_mask)
		if (t[p].hi == hi && t[p].lo == lo && t[p].vpc_index == vpc)
			return &t[p];
	return NULL;
}

/* The address hash indexes exactly addr[]: a power of two >= 2 * keys
 * slots; every entry found at its index with its flags and gateway; an
 * inbound slot for the address exactly when vpc_rt gives a gateway whose
 * VPC has an entry for it, naming that entry and gateway (what ip6gw_in
 * found with the search); addresses absent from addr[] absent. */
static void check_hash(const struct sl_ip6gw_sec *s)
{
	const struct sl_ip6gw_addr_ent *a = SEC(s, s->addr_off, struct sl_ip6gw_addr_ent);
	const struct sl_ip6gw_gw_ent *gw = SEC(s, s->gw_off, struct sl_ip6gw_gw_ent);
	const struct sl_ip6gw_addr_slot *t = SEC(s, s->addr_hash_off, struct sl_ip6gw_addr_slot);
	uint64_t slots = (uint64_t)s->addr_hash_mask + 1;
	uint32_t used = 0, keys = s->n_addrs;

	assert_true(slots >= 2 && (slots & (slots - 1)) == 0);
	assert_true(s->addr_hash_off + slots * sizeof(*t) <= s->size);
	for (uint64_t p = 0; p < slots; p++)
		used += t[p].idx != 0;
	for (uint32_t i = 0; i < s->n_addrs; i++) {
		const struct sl_ip6gw_addr_slot *f = dp_slot(s, a[i].hi, a[i].lo, a[i].vpc_index);
		const struct sl_ip6gw_addr_slot *in =
		    dp_slot(s, a[i].hi, a[i].lo, SL_IP6GW_VPC_INBOUND);
		uint32_t g = sl_rt6_find(SEC(s, s->vpc_rt_off, struct sl_rt6_entry), s->n_vpc_rt,
					 a[i].hi, a[i].lo);
		bool have = false;

		assert_non_null(f);
		assert_int_equal(f->idx, i + 1);
		assert_int_equal(f->flags, a[i].flags);
		assert_int_equal(f->gw, a[i].gw);
		if (g != 0 && gw[g - 1].vpc_index == a[i].vpc_index) {
			assert_non_null(in);
			assert_int_equal(in->idx, i + 1);
			assert_int_equal(in->gw, g - 1);
			assert_int_equal(in->flags, a[i].flags);
			keys++;
		} else if (in != NULL) { /* another VPC's entry of the address */
			assert_true(g != 0 && in->gw == g - 1 && in->idx != i + 1);
			assert_int_equal(a[in->idx - 1].vpc_index, gw[g - 1].vpc_index);
		}
		assert_null(dp_slot(s, a[i].hi, a[i].lo, a[i].vpc_index + 1000000));
		/* a neighbour address: found iff addr[] has it */
		for (uint32_t j = 0; j < s->n_addrs; j++)
			have |= a[j].hi == a[i].hi && a[j].lo == (a[i].lo ^ 1) &&
				a[j].vpc_index == a[i].vpc_index;
		assert_true(have == (dp_slot(s, a[i].hi, a[i].lo ^ 1, a[i].vpc_index) != NULL));
	}
	assert_int_equal(used, keys);
	assert_true(slots >= 2 * (uint64_t)keys);
}

/* A canonical text of the section with next hops by content. */
static char *dump(const struct sl_bank_header *h)
{
	const struct sl_ip6gw_sec *s = bank_sec(h);
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	if (s == NULL)
		return strdup("");
	check_hash(s);
	f = open_memstream(&out, &len);
	for (uint32_t i = 0; i < s->n_gws; i++) {
		const struct sl_ip6gw_gw_ent *g = SEC(s, s->gw_off, struct sl_ip6gw_gw_ent) + i;
		const struct sl_rt6_entry *r =
		    SEC(s, s->rule_rt_off, struct sl_rt6_entry) + g->rule_rt_first;

		fprintf(f, "gw %s vpc %u rules %u\n", g->id, g->vpc_index, g->n_rules);
		for (uint32_t k = 0; k < g->rule_rt_n; k++) {
			const struct sl_nexthop *nh = bank_nh(h, r[k].nh);

			fprintf(f, " rt %016lx:%016lx -> %u %s", (unsigned long)r[k].start_hi,
				(unsigned long)r[k].start_lo, nh->type, nh->owner_id);
			for (int b = 0; b < 16; b++)
				fprintf(f, "%02x", nh->via[b]);
			fprintf(f, "\n");
		}
	}
	for (uint32_t i = 0; i < s->n_vpc_rt; i++) {
		const struct sl_rt6_entry *r = SEC(s, s->vpc_rt_off, struct sl_rt6_entry) + i;

		fprintf(f, "vpc %016lx:%016lx -> %u\n", (unsigned long)r->start_hi,
			(unsigned long)r->start_lo, r->nh);
	}
	for (uint32_t i = 0; i < s->n_addrs; i++) {
		const struct sl_ip6gw_addr_ent *a =
		    SEC(s, s->addr_off, struct sl_ip6gw_addr_ent) + i;

		if (i)
			assert_true(a[-1].hi < a->hi || (a[-1].hi == a->hi && a[-1].lo < a->lo));
		fprintf(f, "addr %016lx:%016lx %s vpc %u gw %u bw %u pol %u flags %u\n",
			(unsigned long)a->hi, (unsigned long)a->lo, a->id, a->vpc_index, a->gw,
			a->bandwidth, a->policer, a->flags);
	}
	fclose(f);
	return out;
}

static void test_section(void **state)
{
	const uint64_t size = 1 << 20;
	struct sl_store *s = sl_t_load_ok(cfg(false, base_bws, base_egs, base_rules));
	struct sl_compiler *c = sl_compiler_new();
	void *bank = aligned_alloc(64, size);
	const struct sl_bank_header *h = bank;
	const struct sl_ip6gw_sec *sec;
	const struct sl_ip6gw_addr_ent *a;
	const struct sl_nexthop *nh;
	uint8_t want[16];
	int va;

	(void)state;
	memset(bank, 0, size);
	sl_t_build(c, s, bank, size, 1);
	va = sl_compiler_vpc_index(c, "vpc-a");
	sec = bank_sec(h);
	assert_non_null(sec);
	assert_int_equal(h->ip6gw_size, sec->size);
	assert_memory_equal(sec, sl_compiler_ip6gw(c), sec->size);

	/* ::/0 of vpc-a goes to its IPv6 gateway; vpc-b has none */
	nh = vpc_nh(h, "vpc-a", "2400::1");
	assert_int_equal(nh->type, SL_NH_IP6GW);
	assert_string_equal(nh->owner_id, "gw-a");
	assert_int_equal(nh->family, SL_AF_INET6);
	assert_int_equal(nh->vpc_index, (uint32_t)va);
	assert_string_equal(sl_nh_type_name(nh->type), "ip6gw");
	assert_int_equal(vpc_nh(h, "vpc-a", "2001:db8:a::10")->type, SL_NH_CONNECTED);
	assert_int_equal(vpc_nh(h, "vpc-b", "2400::1")->type, SL_NH_UNREACHABLE);

	/* addresses: bandwidth, egress-only; none for ::30 (no bandwidth) */
	assert_int_equal(sec->n_gws, 1);
	a = dp_addr(sec, "2001:db8:a::10");
	assert_non_null(a);
	assert_string_equal(a->id, "ipv6-1");
	assert_int_equal(a->flags, SL_IP6GW_A_BANDWIDTH);
	assert_int_equal(a->bandwidth, 100);
	assert_int_equal(a->policer, 0);
	assert_int_equal(a->vpc_index, (uint32_t)va);
	a = dp_addr(sec, "2001:db8:a::20");
	assert_non_null(a);
	assert_int_equal(a->flags, SL_IP6GW_A_BANDWIDTH | SL_IP6GW_A_EGRESS_ONLY);
	assert_int_equal(a->bandwidth, 5);
	assert_null(dp_addr(sec, "2001:db8:a::30"));
	assert_null(dp_addr(sec, "2001:db8:b::10"));

	/* VPC blocks behind a gateway */
	assert_int_equal(dp_vpc_gw(sec, "2001:db8:a:ff::1"), 1);
	assert_int_equal(dp_vpc_gw(sec, "2001:db8:a::30"), 1);
	assert_int_equal(dp_vpc_gw(sec, "2001:db8:b::10"), 0);
	assert_int_equal(dp_vpc_gw(sec, "2001:db8:a00::1"), 0);

	/* ingress rules: the longest wins; outside them, none */
	nh = bank_nh(h, dp_rule(sec, 0, "2001:db8:a::10"));
	assert_int_equal(nh->type, SL_NH_GATEWAY);
	assert_string_equal(nh->owner_id, "i-fw2");
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:a::98", want), 1);
	assert_memory_equal(nh->via, want, 16);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:a:0:ffff:ffff:ffff:fffd", want), 1);
	assert_memory_equal(nh->src, want, 16); /* the VSwitch's gateway address */
	assert_int_equal(nh->vlan, 10);
	assert_int_equal(nh->port_role, SL_ROLE_INSIDE);
	nh = bank_nh(h, dp_rule(sec, 0, "2001:db8:a::20"));
	assert_string_equal(nh->owner_id, "i-fw");
	assert_int_equal(dp_rule(sec, 0, "2001:db8:a:1::20"), 0);

	sl_compiler_free(c);
	sl_store_free(s);

	/* no IPv6 gateway: no section, no ::/0 */
	s = sl_t_load_ok(cfg(true, NULL, NULL, NULL));
	c = sl_compiler_new();
	memset(bank, 0, size);
	sl_t_build(c, s, bank, size, 1);
	assert_null(bank_sec(h));
	assert_null(sl_compiler_ip6gw(c));
	assert_int_equal(vpc_nh(h, "vpc-a", "2400::1")->type, SL_NH_UNREACHABLE);
	sl_compiler_free(c);
	sl_store_free(s);
	free(bank);
}

/* An egress-only rule on an instance covers the instance's address. */
static void test_instance_rule(void **state)
{
	const uint64_t size = 1 << 20;
	struct sl_store *s = sl_t_load_ok(
	    cfg(false, BW("bw-1", "ipv6-1", 10), EG("eg-9", "i-a1", "Instance"), NULL));
	struct sl_compiler *c = sl_compiler_new();
	void *bank = aligned_alloc(64, size);
	const struct sl_ip6gw_addr_ent *a;

	(void)state;
	memset(bank, 0, size);
	sl_t_build(c, s, bank, size, 1);
	a = dp_addr(bank_sec(bank), "2001:db8:a::10");
	assert_non_null(a);
	assert_int_equal(a->flags, SL_IP6GW_A_BANDWIDTH | SL_IP6GW_A_EGRESS_ONLY);
	assert_int_equal(bank_sec(bank)->n_rule_rt, 1); /* the one empty interval */
	sl_compiler_free(c);
	sl_store_free(s);
	free(bank);
}

/* Rules to HaVip hv-1 (10.0.1.100: i-fw, i-fw2): one havip[] entry they
 * share, with each associated instance's IPv4 address and next hop via its
 * IPv6 address. */
static void test_havip_rule(void **state)
{
	const uint64_t size = 1 << 20;
	static const char rules[] = RR("rr-1", "2001:db8:a::/64", "i-fw") "," RR_HV(
	    "rr-h", "2001:db8:a::20/128", "hv-1") "," RR_HV("rr-h2", "2001:db8:a::30/128", "hv-1");
	char *base = cfg(false, BW("bw-2", "ipv6-2", 5), NULL, rules);
	size_t n = strlen(base);
	struct sl_store *st;
	struct sl_compiler *c = sl_compiler_new();
	void *bank = aligned_alloc(64, size);
	const struct sl_ip6gw_sec *sec;
	const struct sl_ip6gw_havip_ent *hv;
	const struct sl_nexthop *nh;
	uint8_t want[16];
	char *json;

	(void)state;
	base[n - 1] = '\0';
	json = sl_t_json("%s,'HaVips':[{'HaVipId':'hv-1','VSwitchId':'vsw-a1','IpAddress':"
			 "'10.0.1.100','AssociatedInstances':['i-fw','i-fw2']}]}",
			 base);
	free(base);
	st = sl_t_load_ok(json);
	memset(bank, 0, size);
	sl_t_build(c, st, bank, size, 1);
	sec = bank_sec(bank);
	assert_non_null(sec);
	assert_int_equal(sec->n_havips, 1);
	assert_int_equal(dp_rule(sec, 0, "2001:db8:a::20"), SL_IP6GW_RULE_HAVIP | 0);
	assert_int_equal(dp_rule(sec, 0, "2001:db8:a::30"), SL_IP6GW_RULE_HAVIP | 0);
	assert_string_equal(bank_nh(bank, dp_rule(sec, 0, "2001:db8:a::40"))->owner_id, "i-fw");
	hv = SEC(sec, sec->havip_off, struct sl_ip6gw_havip_ent);
	assert_string_equal(hv->id, "hv-1");
	assert_int_equal(hv->vpc_index, (uint32_t)sl_compiler_vpc_index(c, "vpc-a"));
	assert_int_equal(hv->addr, 0x0a000164);
	assert_int_equal(hv->src, 0x0a0001fd); /* the VSwitch's gateway address */
	assert_int_equal(hv->n_inst, 2);
	assert_int_equal(hv->inst[0].addr, 0x0a000163);
	assert_int_equal(hv->inst[1].addr, 0x0a000162);
	nh = bank_nh(bank, hv->inst[0].nh);
	assert_int_equal(nh->type, SL_NH_GATEWAY);
	assert_string_equal(nh->owner_id, "i-fw");
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:a::99", want), 1);
	assert_memory_equal(nh->via, want, 16);
	assert_int_equal(hv->inst[0].nh, dp_rule(sec, 0, "2001:db8:a::40")); /* shared with rr-1 */
	nh = bank_nh(bank, hv->inst[1].nh);
	assert_string_equal(nh->owner_id, "i-fw2");
	assert_int_equal(nh->vlan, 10);
	sl_compiler_free(c);
	sl_store_free(st);
	free(bank);
}

/* Incremental left-right writes under IPv6 gateway churn equal a fresh
 * full compile of the same store, bank by bank. */
struct lr_step {
	bool nogw;
	const char *bws, *egs, *rules;
};

static const struct lr_step lr_steps[] = {
    {false, base_bws, base_egs, base_rules},
    {false, BW("bw-1", "ipv6-1", 100), base_egs, base_rules}, /* bandwidth deleted */
    {false, BW("bw-1", "ipv6-1", 200), NULL, RR("rr-1", "2001:db8:a::/64", "i-fw")},
    {false, base_bws, base_egs, RR("rr-2", "2001:db8:a::10/128", "i-fw2")},
    {true, NULL, NULL, NULL}, /* the gateway goes */
    {false, NULL, NULL, NULL},
    {false, base_bws, EG("eg-9", "i-a1", "Instance"), base_rules},
};

static struct sl_store *lr_load(unsigned int step, void *arg)
{
	const struct lr_step *st = &lr_steps[step];

	(void)arg;
	return sl_t_load_ok(cfg(st->nogw, st->bws, st->egs, st->rules));
}

static char *lr_dump(const void *bank)
{
	return dump(bank);
}

static void lr_check(unsigned int step, void *const bank[2], unsigned int cur, const void *ref,
		     void *arg)
{
	(void)cur;
	(void)arg;
	for (unsigned int b = 0; b < 2; b++)
		assert_int_equal(vpc_nh(bank[b], "vpc-a", "2400::1")->type,
				 vpc_nh(ref, "vpc-a", "2400::1")->type);
	assert_int_equal(vpc_nh(ref, "vpc-a", "2400::1")->type,
			 lr_steps[step].nogw ? SL_NH_UNREACHABLE : SL_NH_IP6GW);
}

static void test_left_right(void **state)
{
	const struct sl_t_left_right t = {
	    .n_steps = sizeof(lr_steps) / sizeof(lr_steps[0]),
	    .rounds = 3,
	    .size = 1 << 20,
	    .load = lr_load,
	    .dump = lr_dump,
	    .check = lr_check,
	};

	(void)state;
	sl_t_run_left_right(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_section),
	    cmocka_unit_test(test_instance_rule),
	    cmocka_unit_test(test_havip_rule),
	    cmocka_unit_test(test_left_right),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
