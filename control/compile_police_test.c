/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the police section (compile_police.c): which policers a
 * store with EIPs, a common bandwidth package and a NAT bandwidth package
 * compiles to, read the way sluice-dp reads it (public IP index of the NAT
 * section -> policer per direction -> parent); stable indexes and tags
 * across changes; and left-right bank writes under churn, compared with a
 * fresh full compile. police6: IPv6 addresses' Internet bandwidths, read
 * the same way (address index of the IPv6 gateway section -> policer per
 * direction).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sl_compile.h"
#include "sl_policer.h"
#include "sl_test_compile.h"
#include "sl_test_util.h"
#include "sl_test_validate.h"

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return ntohl(a.s_addr);
}

/*
 * vpc-a with NAT gateway ngw-a and instances i-a1..i-a3; EIPs eip-1 (on
 * i-a1, Bandwidth bw1), eip-2 (i-a2, Bandwidth 50), eip-3 (i-a3); common
 * package cbwp-a (cbwp Mbps, "" = none) with the members given; NAT package
 * bwp-a (10 Mbps) with 198.51.100.9 when `bwp`.
 */
static char *cfg(unsigned int bw1, const char *cbwp, bool bwp)
{
	char pkg[512] = "";

	if (cbwp)
		snprintf(pkg, sizeof(pkg),
			 "{'BandwidthPackageId':'cbwp-a','RegionId':'r1',%s}", cbwp);
	return sl_t_json(
	    "{'Regions':[{'RegionId':'r1','Zones':[{'ZoneId':'z1'}]}],"
	    "'Gateway':{'Outside':{'Addresses':['203.0.113.2/24']},"
	    "'EipPool':['198.51.100.0/28']},"
	    "'Vpcs':[{'VpcId':'vpc-a','RegionId':'r1','CidrBlock':'10.0.0.0/16','VlanId':10}],"
	    "'VSwitches':[{'VSwitchId':'vsw-a1','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
	    "'10.0.1.0/24'}],"
	    "'Instances':[{'InstanceId':'i-a1','VSwitchId':'vsw-a1','PrivateIpAddress':"
	    "'10.0.1.1'},{'InstanceId':'i-a2','VSwitchId':'vsw-a1','PrivateIpAddress':"
	    "'10.0.1.2'},{'InstanceId':'i-a3','VSwitchId':'vsw-a1','PrivateIpAddress':"
	    "'10.0.1.3'}],"
	    "'NatGateways':[{'NatGatewayId':'ngw-a','VpcId':'vpc-a'}],"
	    "'EipAddresses':[{'AllocationId':'eip-1','IpAddress':'198.51.100.1','InstanceType':"
	    "'EcsInstance','InstanceId':'i-a1','Bandwidth':%u},"
	    "{'AllocationId':'eip-2','IpAddress':'198.51.100.2','InstanceType':"
	    "'EcsInstance','InstanceId':'i-a2','Bandwidth':50},"
	    "{'AllocationId':'eip-3','IpAddress':'198.51.100.3','InstanceType':"
	    "'EcsInstance','InstanceId':'i-a3'}],"
	    "'CommonBandwidthPackages':[%s],"
	    "'BandwidthPackages':[%s]}",
	    bw1, pkg,
	    bwp ? "{'BandwidthPackageId':'bwp-a','NatGatewayId':'ngw-a','ZoneId':'z1',"
		  "'Bandwidth':10,'PublicIpAddresses':[{'AllocationId':'nateip-1','IpAddress':"
		  "'198.51.100.9'}]}"
		: "");
}

#define CBWP_BASE                                                                                  \
	"'Bandwidth':100,'PublicIpAddresses':[{'AllocationId':'eip-2','Bandwidth':20},"            \
	"{'AllocationId':'eip-3'}]"

#define SEC(sec, off, type) ((const type *)((const uint8_t *)(sec) + (off)))

static const struct sl_pol_sec *bank_pol(const struct sl_bank_header *h)
{
	if (h->police_off == 0)
		return NULL;
	assert_true(h->police_off + h->police_size <= h->used);
	return SL_BANK_PTR(h, h->police_off, const struct sl_pol_sec);
}

static const struct sl_nat_sec *bank_nat(const struct sl_bank_header *h)
{
	return h->nat_off ? SL_BANK_PTR(h, h->nat_off, const struct sl_nat_sec) : NULL;
}

/* sluice-dp's read: the public IP index of `addr` in the NAT section, then
 * its policer in direction `dir`; NULL if not policed. */
static const struct sl_pol_ent *dp_pol(const struct sl_bank_header *h, uint32_t addr,
				       unsigned int dir)
{
	const struct sl_nat_sec *nat = bank_nat(h);
	const struct sl_pol_sec *ps = bank_pol(h);
	const struct sl_nat_ip_ent *ip;
	uint32_t i, k;

	if (nat == NULL || ps == NULL)
		return NULL;
	assert_int_equal(ps->n_ips, nat->n_ips);
	assert_int_equal(ps->n_ip6, 0);
	ip = SEC(nat, nat->ip_off, struct sl_nat_ip_ent);
	for (i = 0; i < nat->n_ips && ip[i].addr != addr; i++)
		;
	if (i == nat->n_ips)
		return NULL;
	k = SEC(ps, ps->ip_off, struct sl_pol_ip_ent)[i].pol[dir];
	if (k == SL_POL_IDX_NONE)
		return NULL;
	assert_true(k < ps->n_pols);
	assert_true(SEC(ps, ps->pol_off, struct sl_pol_ent)[k].rate > 0);
	return SEC(ps, ps->pol_off, struct sl_pol_ent) + k;
}

static const struct sl_pol_ent *parent(const struct sl_bank_header *h, const struct sl_pol_ent *e)
{
	const struct sl_pol_sec *ps = bank_pol(h);

	if (e->parent == SL_POL_IDX_NONE)
		return NULL;
	assert_true(e->parent < ps->n_pols);
	return SEC(ps, ps->pol_off, struct sl_pol_ent) + e->parent;
}

static uint32_t pol_index(const struct sl_bank_header *h, const struct sl_pol_ent *e)
{
	return (uint32_t)(e - SEC(bank_pol(h), bank_pol(h)->pol_off, struct sl_pol_ent));
}

static void expect_pol(const struct sl_pol_ent *e, uint8_t kind, const char *id, unsigned int dir,
		       unsigned int mbps)
{
	struct sl_pol_conf c;

	assert_non_null(e);
	assert_int_equal(e->kind, kind);
	assert_string_equal(e->id, id);
	assert_int_equal(e->dir, dir);
	assert_int_equal(e->mbps, mbps);
	assert_int_equal(sl_pol_conf_mbps(&c, mbps), 0);
	assert_int_equal(e->rate, (uint64_t)mbps * 125000u);
	assert_int_equal(e->burst, c.cbs);
	assert_int_not_equal(e->tag, 0);
}

#define build sl_t_build /* sl_test_compile.h */

static void test_section(void **state)
{
	const uint64_t size = 1 << 20;
	struct sl_store *s = sl_t_load_ok(cfg(7, CBWP_BASE, true));
	struct sl_compiler *c = sl_compiler_new();
	void *bank = aligned_alloc(64, size);
	const struct sl_bank_header *h = bank;
	const struct sl_pol_ent *e, *agg[2];

	(void)state;
	memset(bank, 0, size);
	build(c, s, bank, size, 1);
	assert_non_null(bank_pol(h));
	assert_memory_equal(bank_pol(h), sl_compiler_police(c), bank_pol(h)->size);
	assert_int_equal(h->police_size, bank_pol(h)->size);

	for (unsigned int d = 0; d < SL_POL_DIR_MAX; d++) {
		/* an EIP alone: its own Bandwidth, one level */
		e = dp_pol(h, ip4("198.51.100.1"), d);
		expect_pol(e, SL_POL_KIND_IP, "eip-1", d, 7);
		assert_int_equal(e->addr, ip4("198.51.100.1"));
		assert_null(parent(h, e));
		/* a capped member of cbwp-a: the cap (not its Bandwidth of 50),
		 * then the package */
		e = dp_pol(h, ip4("198.51.100.2"), d);
		expect_pol(e, SL_POL_KIND_IP, "eip-2", d, 20);
		agg[d] = parent(h, e);
		expect_pol(agg[d], SL_POL_KIND_CBWP, "cbwp-a", d, 100);
		assert_null(parent(h, agg[d]));
		/* an uncapped member: the package alone */
		assert_ptr_equal(dp_pol(h, ip4("198.51.100.3"), d), agg[d]);
		/* a NAT bandwidth package's IP: the package alone */
		e = dp_pol(h, ip4("198.51.100.9"), d);
		expect_pol(e, SL_POL_KIND_BWP, "bwp-a", d, 10);
		assert_null(parent(h, e));
	}
	/* both directions: distinct policers (own and aggregate) */
	assert_ptr_not_equal(agg[0], agg[1]);
	assert_int_not_equal(agg[0]->tag, agg[1]->tag);
	assert_int_not_equal(pol_index(h, dp_pol(h, ip4("198.51.100.1"), SL_POL_DIR_OUT)),
			     pol_index(h, dp_pol(h, ip4("198.51.100.1"), SL_POL_DIR_IN)));
	/* the bursts (the library's rule): 200 ms of the rate */
	assert_int_equal(dp_pol(h, ip4("198.51.100.1"), SL_POL_DIR_OUT)->burst, 175000);
	assert_int_equal(agg[0]->burst, 2500000);
	sl_store_free(s);
	sl_compiler_free(c);
	free(bank);
}

/* No bandwidth anywhere policed: no EIP bound, no package -> no section. */
static void test_none(void **state)
{
	const uint64_t size = 1 << 20;
	struct sl_store *s = sl_t_load_ok(sl_t_json(
	    "{'Regions':[{'RegionId':'r1','Zones':[{'ZoneId':'z1'}]}],"
	    "'Gateway':{'Outside':{'Addresses':['203.0.113.2/24']}}}"));
	struct sl_compiler *c = sl_compiler_new();
	void *bank = aligned_alloc(64, size);

	(void)state;
	memset(bank, 0, size);
	build(c, s, bank, size, 1);
	assert_int_equal(((struct sl_bank_header *)bank)->police_off, 0);
	assert_null(sl_compiler_police(c));
	sl_store_free(s);
	sl_compiler_free(c);
	free(bank);
}

/* The policers of a bank by content (no indexes), one line per public IP
 * and direction, sorted: what a fresh compile must agree with. */
static char *pol_dump(const struct sl_bank_header *h)
{
	static const uint32_t addrs[] = {0xc6336401, 0xc6336402, 0xc6336403, 0xc6336409};
	size_t cap = 4096, len = 0;
	char *out = calloc(1, cap);

	for (unsigned int i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		for (unsigned int d = 0; d < SL_POL_DIR_MAX; d++) {
			const struct sl_pol_ent *e = dp_pol(h, addrs[i], d), *p;

			len += (size_t)snprintf(out + len, cap - len, "%08x/%u:", addrs[i], d);
			for (p = e; p; p = parent(h, p))
				len += (size_t)snprintf(out + len, cap - len,
							" %u %s %u %" PRIu64 " %u %" PRIx64 ";",
							p->kind, p->id, p->mbps, p->rate, p->burst,
							p->tag);
			len += (size_t)snprintf(out + len, cap - len, "\n");
			assert_true(len < cap);
		}
	return out;
}

/*
 * Stores stepping through bandwidth changes (a rate change, a package
 * created, capped, uncapped and removed, the NAT package added and
 * removed), written left-right: both banks equal a fresh full compile, and
 * a policer keeps its index and tag while its object lives (eip-1's, whose
 * rate changes: the data plane keeps its bucket).
 */
static const struct lr_step {
	unsigned int bw1;
	const char *cbwp;
	bool bwp;
} lr_steps[] = {
    {7, NULL, false},
    {8, CBWP_BASE, true},
    {8, "'Bandwidth':100,'PublicIpAddresses':[{'AllocationId':'eip-2'}]", true},
    {9,
     "'Bandwidth':200,'PublicIpAddresses':[{'AllocationId':'eip-2','Bandwidth':30},"
     "{'AllocationId':'eip-1','Bandwidth':5}]",
     false},
    {9, CBWP_BASE, false},
    {7, NULL, true},
};

static struct sl_store *lr_load(unsigned int step, void *arg)
{
	(void)arg;
	return sl_t_load_ok(cfg(lr_steps[step].bw1, lr_steps[step].cbwp, lr_steps[step].bwp));
}

static char *lr_dump(const void *bank)
{
	return pol_dump(bank);
}

/* What eip-1's outbound policer was in the last generation. */
struct lr_eip1 {
	uint32_t idx;
	uint64_t tag;
};

static void lr_check(unsigned int step, void *const bank[2], unsigned int cur, const void *ref,
		     void *arg)
{
	struct lr_eip1 *last = arg;
	const struct sl_pol_ent *e = dp_pol(bank[cur], 0xc6336401, SL_POL_DIR_OUT);

	(void)ref;
	/* eip-1 alone (steps 0-2, 5) or in the package with a cap (3-4) */
	assert_non_null(e);
	assert_int_equal(e->kind, SL_POL_KIND_IP);
	assert_int_equal(e->mbps, step == 3 ? 5 : lr_steps[step].bw1);
	if (step == 4) {
		/* eip-1 left the package: its own Bandwidth again */
		assert_null(parent(bank[cur], e));
	}
	if (last->idx != SL_POL_IDX_NONE) {
		assert_int_equal(pol_index(bank[cur], e), last->idx);
		assert_int_equal(e->tag, last->tag);
	}
	last->idx = pol_index(bank[cur], e);
	last->tag = e->tag;
}

static void test_left_right(void **state)
{
	struct lr_eip1 last = {.idx = SL_POL_IDX_NONE};
	const struct sl_t_left_right t = {
	    .n_steps = sizeof(lr_steps) / sizeof(lr_steps[0]),
	    .rounds = 3,
	    .size = 1 << 20,
	    .load = lr_load,
	    .dump = lr_dump,
	    .check = lr_check,
	    .arg = &last,
	};

	(void)state;
	sl_t_run_left_right(&t);
}

/* An index freed by a removed object is reused by a new one with another
 * tag (sluice-dp resets the bucket). */
static void test_reuse_new_tag(void **state)
{
	const uint64_t size = 1 << 20;
	struct sl_compiler *c = sl_compiler_new();
	void *bank = aligned_alloc(64, size);
	struct sl_store *s;
	uint64_t tags[4] = {0};
	uint32_t n_before;

	(void)state;
	memset(bank, 0, size);
	s = sl_t_load_ok(cfg(7, NULL, true));
	build(c, s, bank, size, 1);
	tags[0] = dp_pol(bank, 0xc6336409, SL_POL_DIR_OUT)->tag;
	n_before = bank_pol(bank)->n_pols;
	sl_store_free(s);
	/* bwp-a goes, cbwp-a comes (two compiles: the index is free from the
	 * compile after the removal on) */
	s = sl_t_load_ok(cfg(7, NULL, false));
	build(c, s, bank, size, 2);
	assert_null(dp_pol(bank, 0xc6336409, SL_POL_DIR_OUT));
	sl_store_free(s);
	s = sl_t_load_ok(cfg(7, "'Bandwidth':100,'PublicIpAddresses':[{'AllocationId':'eip-3'}]",
			     false));
	build(c, s, bank, size, 3);
	tags[1] = dp_pol(bank, 0xc6336403, SL_POL_DIR_OUT)->tag;
	assert_int_not_equal(tags[0], tags[1]);
	assert_true(bank_pol(bank)->n_pols <= n_before); /* the freed indexes were reused */
	sl_store_free(s);
	sl_compiler_free(c);
	free(bank);
}

/* ---- police6: IPv6 Internet bandwidth ---------------------------------- */

/* vpc-a (2001:db8:a::/56) with IPv6 gateway gw-a; addresses ipv6-1 (::10),
 * ipv6-2 (::20), ipv6-3 (::30) in vsw-a1; bandwidths as given (JSON list
 * items); ipv6-3 always has an egress-only rule (an address entry of the
 * gateway section, with or without bandwidth). */
static char *cfg6(const char *bws)
{
	return sl_t_json(
	    "{'Regions':[{'RegionId':'r1','Zones':[{'ZoneId':'z1'}]}],"
	    "'Vpcs':[{'VpcId':'vpc-a','RegionId':'r1','CidrBlock':'10.0.0.0/16','VlanId':10,"
	    "'Ipv6CidrBlock':'2001:db8:a::/56'}],"
	    "'VSwitches':[{'VSwitchId':'vsw-a1','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
	    "'10.0.1.0/24','Ipv6CidrBlock':'2001:db8:a::/64'}],"
	    "'Ipv6Gateways':[{'Ipv6GatewayId':'gw-a','VpcId':'vpc-a'}],"
	    "'Ipv6Addresses':[{'Ipv6AddressId':'ipv6-1','VSwitchId':'vsw-a1','Ipv6Address':"
	    "'2001:db8:a::10'},{'Ipv6AddressId':'ipv6-2','VSwitchId':'vsw-a1','Ipv6Address':"
	    "'2001:db8:a::20'},{'Ipv6AddressId':'ipv6-3','VSwitchId':'vsw-a1','Ipv6Address':"
	    "'2001:db8:a::30'}],"
	    "'Ipv6InternetBandwidths':[%s],"
	    "'Ipv6EgressOnlyRules':[{'Ipv6EgressOnlyRuleId':'eg-3','Ipv6GatewayId':'gw-a',"
	    "'InstanceId':'ipv6-3','InstanceType':'Ipv6Address'}]}",
	    bws);
}

#define BW6(id, addr, mbps)                                                                        \
	"{'Ipv6InternetBandwidthId':'" id "','Ipv6AddressId':'" addr "','Bandwidth':" #mbps "}"

/* sluice-dp's read for IPv6: the address's index in the IPv6 gateway
 * section (2001:db8:a::`low`), then ip6[] of the police section: its
 * policer in direction `dir`; NULL if not policed. *found: the address
 * has an entry in the gateway section. */
static const struct sl_pol_ent *dp_pol6(const struct sl_bank_header *h, uint64_t low,
					unsigned int dir, bool *found)
{
	const struct sl_ip6gw_sec *gw =
	    h->ip6gw_off ? SL_BANK_PTR(h, h->ip6gw_off, const struct sl_ip6gw_sec) : NULL;
	const struct sl_pol_sec *ps = bank_pol(h);
	const struct sl_ip6gw_addr_ent *a;
	const struct sl_pol_ip6_ent *p6;
	uint8_t want[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x0a};
	uint32_t i, k;

	*found = false;
	if (gw == NULL)
		return NULL;
	a = SEC(gw, gw->addr_off, struct sl_ip6gw_addr_ent);
	for (i = 0; i < gw->n_addrs && !(a[i].hi == UINT64_C(0x20010db8000a0000) && a[i].lo == low);
	     i++)
		;
	if (i == gw->n_addrs)
		return NULL;
	*found = true;
	if (ps == NULL)
		return NULL;
	assert_int_equal(ps->n_ip6, gw->n_addrs);
	p6 = SEC(ps, ps->ip6_off, struct sl_pol_ip6_ent) + i;
	for (unsigned int b = 0; b < 8; b++)
		want[15 - b] = (uint8_t)(low >> (8 * b));
	assert_memory_equal(p6->addr, want, 16);
	k = p6->pol[dir];
	if (k == SL_POL_IDX_NONE)
		return NULL;
	assert_true(k < ps->n_pols);
	return SEC(ps, ps->pol_off, struct sl_pol_ent) + k;
}

/* Addresses with bandwidth: one policer per direction at their Mbps, no
 * parent; an address without (egress-only) has none; the IPv4 part
 * unchanged (no EIP: ip[] empty). */
static void test_ip6_section(void **state)
{
	const uint64_t size = 1 << 20;
	struct sl_store *s =
	    sl_t_load_ok(cfg6(BW6("bw-1", "ipv6-1", 20) "," BW6("bw-2", "ipv6-2", 5000)));
	struct sl_compiler *c = sl_compiler_new();
	void *bank = aligned_alloc(64, size);
	const struct sl_bank_header *h = bank;
	const struct sl_pol_ent *e[2];
	bool found;

	(void)state;
	memset(bank, 0, size);
	build(c, s, bank, size, 1);
	assert_non_null(bank_pol(h));
	assert_memory_equal(bank_pol(h), sl_compiler_police(c), bank_pol(h)->size);
	assert_int_equal(bank_pol(h)->n_ips, 0);
	assert_int_equal(bank_pol(h)->n_pols, 4);
	for (unsigned int d = 0; d < SL_POL_DIR_MAX; d++) {
		e[d] = dp_pol6(h, 0x10, d, &found);
		expect_pol(e[d], SL_POL_KIND_IP6, "ipv6-1", d, 20);
		assert_int_equal(e[d]->parent, SL_POL_IDX_NONE);
		assert_int_equal(e[d]->addr, 0);
		assert_int_equal(e[d]->burst, 500000); /* 200 ms of 20 Mbps */
		expect_pol(dp_pol6(h, 0x20, d, &found), SL_POL_KIND_IP6, "ipv6-2", d, 5000);
		assert_int_equal(dp_pol6(h, 0x20, d, &found)->burst, SL_POL_BUCKET_MAX);
		assert_null(dp_pol6(h, 0x30, d, &found));
		assert_true(found); /* in the gateway section (egress-only), not policed */
	}
	assert_ptr_not_equal(e[0], e[1]);
	assert_int_not_equal(e[0]->tag, e[1]->tag);
	sl_store_free(s);
	sl_compiler_free(c);
	free(bank);
}

/* The IPv6 policers of a bank by content, one line per address and
 * direction. */
static char *pol6_dump(const struct sl_bank_header *h)
{
	size_t cap = 2048, len = 0;
	char *out = calloc(1, cap);
	bool found;

	for (uint64_t low = 0x10; low <= 0x30; low += 0x10)
		for (unsigned int d = 0; d < SL_POL_DIR_MAX; d++) {
			const struct sl_pol_ent *e = dp_pol6(h, low, d, &found);

			len += (size_t)snprintf(out + len, cap - len, "%" PRIx64 "/%u/%d:", low, d,
						found);
			if (e)
				len += (size_t)snprintf(out + len, cap - len,
							" %u %s %u %" PRIu64 " %u %" PRIx64 " %u",
							e->kind, e->id, e->mbps, e->rate, e->burst,
							e->tag, e->parent);
			len += (size_t)snprintf(out + len, cap - len, "\n");
			assert_true(len < cap);
		}
	return out;
}

/*
 * Modify (at once: the next bank; same index and tag, so sluice-dp keeps
 * the bucket), delete (no policer at once; the address keeps its gateway
 * entry only while an egress-only rule names it), add back, an address
 * gaining bandwidth; left-right banks equal to a fresh compile each time.
 */
static void test_ip6_left_right(void **state)
{
	static const char *const steps[] = {
	    BW6("bw-1", "ipv6-1", 20),
	    BW6("bw-1", "ipv6-1", 40),
	    BW6("bw-1", "ipv6-1", 40) "," BW6("bw-3", "ipv6-3", 1),
	    BW6("bw-3", "ipv6-3", 2),
	    "",
	    BW6("bw-1", "ipv6-1", 10) "," BW6("bw-2", "ipv6-2", 100),
	};
	const unsigned int n_steps = sizeof(steps) / sizeof(steps[0]);
	const uint64_t size = 1 << 20;
	struct sl_compiler *c = sl_compiler_new();
	void *bank[2] = {aligned_alloc(64, size), aligned_alloc(64, size)};
	void *ref = aligned_alloc(64, size);
	uint32_t idx1 = SL_POL_IDX_NONE;
	uint64_t tag1 = 0;
	bool found;

	(void)state;
	memset(bank[0], 0, size);
	memset(bank[1], 0, size);
	for (uint64_t gen = 1; gen <= 2 * n_steps; gen++) {
		unsigned int k = (unsigned int)((gen - 1) % n_steps);
		struct sl_store *s = sl_t_load_ok(cfg6(steps[k]));
		struct sl_compiler *fresh = sl_compiler_new();
		const struct sl_bank_header *h = bank[gen & 1];
		const struct sl_pol_ent *e;
		char *want, *got;

		build(c, s, bank[gen & 1], size, gen);
		assert_int_equal(sl_compile_sync_bank(c, (gen + 1) & 1, bank[(gen + 1) & 1], size),
				 0);
		memset(ref, 0, size);
		build(fresh, s, ref, size, gen);
		want = pol6_dump(ref);
		for (unsigned int b = 0; b < 2; b++) {
			got = pol6_dump(bank[b]);
			assert_string_equal(got, want);
			free(got);
		}
		free(want);
		e = dp_pol6(h, 0x10, SL_POL_DIR_IN, &found);
		if (k == 0 || k == 1) {
			expect_pol(e, SL_POL_KIND_IP6, "ipv6-1", SL_POL_DIR_IN, k ? 40 : 20);
			if (k == 1) { /* modified: same bucket */
				assert_int_equal(pol_index(h, e), idx1);
				assert_int_equal(e->tag, tag1);
			}
			idx1 = pol_index(h, e);
			tag1 = e->tag;
		} else if (k == 3 || k == 4) {
			assert_null(e); /* deleted: at once */
			assert_false(found); /* no bandwidth, no rule: no gateway entry */
		}
		e = dp_pol6(h, 0x30, SL_POL_DIR_OUT, &found);
		assert_true(found);
		if (k == 2 || k == 3)
			expect_pol(e, SL_POL_KIND_IP6, "ipv6-3", SL_POL_DIR_OUT, k == 2 ? 1 : 2);
		else
			assert_null(e);
		if (k == 4) /* nothing policed at all: no section */
			assert_int_equal(h->police_off, 0);
		sl_compiler_free(fresh);
		sl_store_free(s);
	}
	free(bank[0]);
	free(bank[1]);
	free(ref);
	sl_compiler_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_section),
	    cmocka_unit_test(test_none),
	    cmocka_unit_test(test_left_right),
	    cmocka_unit_test(test_reuse_new_tag),
	    cmocka_unit_test(test_ip6_section),
	    cmocka_unit_test(test_ip6_left_right),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
