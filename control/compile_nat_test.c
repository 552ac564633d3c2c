/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the NAT section (compile_nat.c): what a store with a NAT
 * gateway, its IPs, SNAT and forward entries and EIP 1:1 bindings compiles
 * to, read the way sluice-dp reads it (binary searches, the SNAT
 * intervals); the VPC's default route to its NAT gateway; and left-right
 * bank writes under NAT churn, compared with a fresh full compile.
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

#define ip4 sl_t_ip4 /* sl_test_compile.h */

/* vpc-a (two VSwitches) and vpc-b; with `ngw`, NAT gateway ngw-a in vpc-a;
 * the EIP, SNAT and forward entry arrays as given (NULL: empty). */
static char *cfg(bool ngw, const char *eips, const char *snats, const char *fwds)
{
	return sl_t_json(
	    "{'Regions':[{'RegionId':'r1','Zones':[{'ZoneId':'z1'}]}],"
	    "'Gateway':{'Outside':{'Addresses':['203.0.113.2/24']},"
	    "'EipPool':['198.51.100.0/28']},"
	    "'Vpcs':[{'VpcId':'vpc-a','RegionId':'r1','CidrBlock':'10.0.0.0/16','VlanId':10},"
	    "{'VpcId':'vpc-b','RegionId':'r1','CidrBlock':'10.1.0.0/16','VlanId':11}],"
	    "'VSwitches':[{'VSwitchId':'vsw-a1','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
	    "'10.0.1.0/24'},{'VSwitchId':'vsw-a2','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
	    "'10.0.2.0/24'},{'VSwitchId':'vsw-b1','VpcId':'vpc-b','ZoneId':'z1','CidrBlock':"
	    "'10.1.1.0/24'}],"
	    "'Instances':[{'InstanceId':'i-a1','VSwitchId':'vsw-a1','PrivateIpAddress':"
	    "'10.0.1.10'},{'InstanceId':'i-a2','VSwitchId':'vsw-a2','PrivateIpAddress':"
	    "'10.0.2.20'},{'InstanceId':'i-b1','VSwitchId':'vsw-b1','PrivateIpAddress':"
	    "'10.1.1.10'}],"
	    "'NatGateways':[%s],'EipAddresses':[%s],'SnatEntries':[%s],'ForwardEntries':[%s]}",
	    ngw ? "{'NatGatewayId':'ngw-a','VpcId':'vpc-a','Spec':'Middle'}" : "", eips ? eips : "",
	    snats ? snats : "", fwds ? fwds : "");
}

#define EIP_NAT(id, ip)                                                                            \
	"{'AllocationId':'" id "','IpAddress':'" ip "','InstanceType':'Nat','InstanceId':'ngw-a'}"
#define EIP_ECS(id, ip, inst)                                                                      \
	"{'AllocationId':'" id "','IpAddress':'" ip "','InstanceType':'EcsInstance',"              \
	"'InstanceId':'" inst "','Bandwidth':7}"

static const char base_eips[] =
    EIP_NAT("eip-1", "198.51.100.1") "," EIP_NAT("eip-2", "198.51.100.2") "," EIP_NAT(
	"eip-4", "198.51.100.4") "," EIP_ECS("eip-3", "198.51.100.3", "i-b1");
static const char base_snats[] =
    "{'SnatEntryId':'snat-1','SnatTableId':'stb-a','SourceVSwitchId':'vsw-a1','SnatIp':"
    "'198.51.100.1'},"
    "{'SnatEntryId':'snat-2','SnatTableId':'stb-a','SourceCIDR':'10.0.1.128/25','SnatIp':"
    "'198.51.100.4'}";
static const char base_fwds[] =
    "{'ForwardEntryId':'fwd-1','ForwardTableId':'ftb-a','ExternalIp':'198.51.100.2',"
    "'ExternalPort':'80','IpProtocol':'tcp','InternalIp':'10.0.1.10','InternalPort':'8080'},"
    "{'ForwardEntryId':'fwd-2','ForwardTableId':'ftb-a','ExternalIp':'198.51.100.2',"
    "'ExternalPort':'Any','IpProtocol':'Any','InternalIp':'10.0.2.20','InternalPort':'Any'}";

/* ---- the data plane's reads of the section ---------------------------------------- */

#define SEC(sec, off, type) ((const type *)((const uint8_t *)(sec) + (off)))

static const struct sl_nat_sec *bank_nat(const struct sl_bank_header *h)
{
	if (h->nat_off == 0)
		return NULL;
	assert_true(h->nat_off + h->nat_size <= h->used);
	return SL_BANK_PTR(h, h->nat_off, const struct sl_nat_sec);
}

static uint32_t dp_ip_by_addr(const struct sl_nat_sec *s, uint32_t addr)
{
	const struct sl_nat_addr_ent *a = SEC(s, s->addr_off, struct sl_nat_addr_ent);
	uint32_t lo = 0, hi = s->n_addrs, live = 0;

	for (uint32_t i = 0; i < s->n_ips; i++)
		live += SEC(s, s->ip_off, struct sl_nat_ip_ent)[i].addr != 0;
	assert_int_equal(live, s->n_addrs);
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (a[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n_addrs && a[lo].addr == addr ? a[lo].ip : SL_NAT_IDX_NONE;
}

static const struct sl_nat_gw_ent *dp_gw_of_vpc(const struct sl_nat_sec *s, uint32_t vpc)
{
	const struct sl_nat_vpc_ent *v = SEC(s, s->vpc_off, struct sl_nat_vpc_ent);

	for (uint32_t i = 0; i < s->n_vpcs; i++)
		if (v[i].vpc_index == vpc)
			return SEC(s, s->gw_off, struct sl_nat_gw_ent) + v[i].gw;
	return NULL;
}

/* SNAT entry for a private source: the intervals' search. */
static const struct sl_nat_snat_ent *dp_snat(const struct sl_nat_sec *s,
					     const struct sl_nat_gw_ent *g, uint32_t src)
{
	const struct sl_rt4_entry *e =
	    SEC(s, s->snat_rt_off, struct sl_rt4_entry) + g->snat_rt_first;
	uint32_t nh = sl_rt4_find(e, g->snat_rt_n, src);

	return nh ? SEC(s, s->snat_off, struct sl_nat_snat_ent) + nh - 1 : NULL;
}

static const struct sl_nat_fwd_ent *dp_fwd(const struct sl_nat_sec *s, uint32_t ip, uint8_t proto,
					   uint16_t port)
{
	const struct sl_nat_fwd_ent *f = SEC(s, s->fwd_off, struct sl_nat_fwd_ent);

	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < s->n_fwd; i++)
			if (f[i].ext_ip == ip && f[i].proto == proto && f[i].ext_port == port)
				return &f[i];
		proto = 0;
		port = 0;
	}
	return NULL;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A canonical text of the section: sorted lines naming gateways and IPs by
 * id and address, so the same for any index numbering. */
static char *nat_dump(const struct sl_nat_sec *s)
{
	const struct sl_nat_ip_ent *ip;
	const struct sl_nat_gw_ent *gw;
	const struct sl_nat_snat_ent *sn;
	const uint32_t *pool;
	char *line[4096], *out;
	size_t n = 0, len = 1;

	if (s == NULL)
		return strdup("");
	ip = SEC(s, s->ip_off, struct sl_nat_ip_ent);
	gw = SEC(s, s->gw_off, struct sl_nat_gw_ent);
	sn = SEC(s, s->snat_off, struct sl_nat_snat_ent);
	pool = SEC(s, s->pool_off, uint32_t);
#define LINE(...) assert_true(asprintf(&line[n++], __VA_ARGS__) > 0)
	for (uint32_t i = 0; i < s->n_ips; i++) {
		if (ip[i].addr == 0)
			continue;
		assert_int_equal(dp_ip_by_addr(s, ip[i].addr), i);
		LINE("ip %08x %s role %u gw %s vpc %u priv %08x bw %u", ip[i].addr, ip[i].id,
		     ip[i].role, ip[i].gw == SL_NAT_IDX_NONE ? "-" : gw[ip[i].gw].id,
		     ip[i].vpc_index, ip[i].priv, ip[i].bandwidth);
	}
	for (uint32_t i = 0; i < s->n_gws; i++) {
		const struct sl_rt4_entry *rt =
		    SEC(s, s->snat_rt_off, struct sl_rt4_entry) + gw[i].snat_rt_first;

		if (gw[i].id[0] == '\0')
			continue;
		assert_ptr_equal(dp_gw_of_vpc(s, gw[i].vpc_index), &gw[i]);
		LINE("gw %s vpc %u %u %u", gw[i].id, gw[i].vpc_index, gw[i].max_sessions,
		     gw[i].new_per_sec);
		for (uint32_t k = 0; k < gw[i].snat_rt_n; k++)
			LINE("rt %s %08x %s", gw[i].id, rt[k].start,
			     rt[k].nh ? sn[rt[k].nh - 1].id : "-");
	}
	for (uint32_t i = 0; i < s->n_snat; i++) {
		char pl[512] = "";

		for (uint32_t k = 0; k < sn[i].pool_n; k++)
			snprintf(pl + strlen(pl), sizeof(pl) - strlen(pl), " %08x",
				 ip[pool[sn[i].pool_first + k]].addr);
		LINE("snat %s gw %s pool%s", sn[i].id, gw[sn[i].gw].id, pl);
	}
	for (uint32_t i = 0; i < s->n_fwd; i++) {
		const struct sl_nat_fwd_ent *f = SEC(s, s->fwd_off, struct sl_nat_fwd_ent) + i;

		if (i)
			assert_true(f[-1].ext_ip < f->ext_ip ||
				    (f[-1].ext_ip == f->ext_ip &&
				     (f[-1].proto < f->proto ||
				      (f[-1].proto == f->proto && f[-1].ext_port < f->ext_port))));
		assert_int_equal(ip[f->ip].addr, f->ext_ip);
		LINE("fwd %08x %u %u -> %08x %u gw %s", f->ext_ip, f->proto, f->ext_port, f->int_ip,
		     f->int_port, gw[f->gw].id);
	}
	for (uint32_t i = 0; i < s->n_eip; i++) {
		const struct sl_nat_eip_ent *e = SEC(s, s->eip_off, struct sl_nat_eip_ent) + i;

		assert_int_equal(ip[e->ip].addr, e->pub);
		LINE("eip %u %08x -> %08x", e->vpc_index, e->priv, e->pub);
	}
#undef LINE
	qsort(line, n, sizeof(line[0]), str_cmp);
	for (size_t i = 0; i < n; i++)
		len += strlen(line[i]) + 1;
	out = calloc(1, len);
	for (size_t i = 0; i < n; i++) {
		strcat(out, line[i]);
		strcat(out, "\n");
		free(line[i]);
	}
	return out;
}

#define build sl_t_build
#define vpc_nh sl_t_vpc_nh

static void test_section(void **state)
{
	const uint64_t size = 1 << 20;
	struct sl_store *s = sl_t_load_ok(cfg(true, base_eips, base_snats, base_fwds));
	struct sl_compiler *c = sl_compiler_new();
	void *bank = aligned_alloc(64, size);
	const struct sl_bank_header *h = bank;
	const struct sl_nat_sec *sec;
	const struct sl_nat_gw_ent *g;
	const struct sl_nat_ip_ent *ip;
	const struct sl_nat_snat_ent *e;
	const struct sl_nat_fwd_ent *f;
	const struct sl_nat_eip_ent *x;
	const struct sl_nexthop *nh;
	int va = 0, vb = 0;

	(void)state;
	memset(bank, 0, size);
	build(c, s, bank, size, 1);
	va = sl_compiler_vpc_index(c, "vpc-a");
	vb = sl_compiler_vpc_index(c, "vpc-b");
	sec = bank_nat(h);
	assert_non_null(sec);
	assert_int_equal(h->nat_size, sec->size);
	assert_memory_equal(sec, sl_compiler_nat(c), sec->size);
	ip = SEC(sec, sec->ip_off, struct sl_nat_ip_ent);

	/* the default route of vpc-a leads to its NAT gateway; vpc-b has none */
	nh = vpc_nh(h, "vpc-a", ip4("192.0.2.1"));
	assert_int_equal(nh->type, SL_NH_NATGW);
	assert_string_equal(nh->owner_id, "ngw-a");
	assert_int_equal(nh->vpc_index, (uint32_t)va);
	assert_int_equal(nh->vlan, 10);
	assert_string_equal(sl_nh_type_name(nh->type), "natgw");
	assert_int_equal(vpc_nh(h, "vpc-a", ip4("10.0.1.7"))->type, SL_NH_CONNECTED);
	assert_int_equal(vpc_nh(h, "vpc-a", ip4("100.64.0.1"))->type, SL_NH_BLACKHOLE);
	assert_int_equal(vpc_nh(h, "vpc-b", ip4("192.0.2.1"))->type, SL_NH_UNREACHABLE);

	/* the gateway: spec limits, found from its VPC */
	g = dp_gw_of_vpc(sec, (uint32_t)va);
	assert_non_null(g);
	assert_null(dp_gw_of_vpc(sec, (uint32_t)vb));
	assert_string_equal(g->id, "ngw-a");
	assert_int_equal(g->max_sessions, 50000);
	assert_int_equal(g->new_per_sec, 5000);
	assert_int_equal(g->flags, 0); /* address and port dependent filtering */

	/* public IPs and their roles */
	assert_int_equal(ip[dp_ip_by_addr(sec, ip4("198.51.100.1"))].role, SL_NAT_ROLE_SNAT);
	assert_int_equal(ip[dp_ip_by_addr(sec, ip4("198.51.100.4"))].role, SL_NAT_ROLE_SNAT);
	assert_int_equal(ip[dp_ip_by_addr(sec, ip4("198.51.100.2"))].role, SL_NAT_ROLE_DNAT);
	assert_int_equal(ip[dp_ip_by_addr(sec, ip4("198.51.100.1"))].gw,
			 (uint32_t)(g - SEC(sec, sec->gw_off, struct sl_nat_gw_ent)));
	assert_int_equal(dp_ip_by_addr(sec, ip4("198.51.100.9")), SL_NAT_IDX_NONE);

	/* SNAT: the longest source prefix wins */
	e = dp_snat(sec, g, ip4("10.0.1.5"));
	assert_non_null(e);
	assert_string_equal(e->id, "snat-1");
	assert_int_equal(e->pool_n, 1);
	assert_int_equal(ip[SEC(sec, sec->pool_off, uint32_t)[e->pool_first]].addr,
			 ip4("198.51.100.1"));
	e = dp_snat(sec, g, ip4("10.0.1.200"));
	assert_non_null(e);
	assert_string_equal(e->id, "snat-2");
	assert_int_equal(ip[SEC(sec, sec->pool_off, uint32_t)[e->pool_first]].addr,
			 ip4("198.51.100.4"));
	assert_null(dp_snat(sec, g, ip4("10.0.2.20"))); /* vsw-a2 has no entry */

	/* forward entries: the exact one beats the all-Any one */
	f = dp_fwd(sec, ip4("198.51.100.2"), IPPROTO_TCP, 80);
	assert_non_null(f);
	assert_int_equal(f->int_ip, ip4("10.0.1.10"));
	assert_int_equal(f->int_port, 8080);
	f = dp_fwd(sec, ip4("198.51.100.2"), IPPROTO_TCP, 81);
	assert_non_null(f);
	assert_int_equal(f->proto, 0);
	assert_int_equal(f->int_ip, ip4("10.0.2.20"));
	f = dp_fwd(sec, ip4("198.51.100.2"), IPPROTO_UDP, 80);
	assert_non_null(f);
	assert_int_equal(f->int_ip, ip4("10.0.2.20"));
	assert_null(dp_fwd(sec, ip4("198.51.100.1"), IPPROTO_TCP, 80));

	/* EIP 1:1 both ways */
	assert_int_equal(sec->n_eip, 1);
	x = SEC(sec, sec->eip_off, struct sl_nat_eip_ent);
	assert_int_equal(x->vpc_index, (uint32_t)vb);
	assert_int_equal(x->priv, ip4("10.1.1.10"));
	assert_int_equal(x->pub, ip4("198.51.100.3"));
	assert_int_equal(ip[x->ip].role, SL_NAT_ROLE_EIP);
	assert_int_equal(ip[x->ip].priv, ip4("10.1.1.10"));
	assert_int_equal(ip[x->ip].vpc_index, (uint32_t)vb);
	assert_int_equal(ip[x->ip].gw, SL_NAT_IDX_NONE);
	assert_int_equal(ip[x->ip].bandwidth, 7);
	free(nat_dump(sec)); /* its own consistency asserts */

	sl_store_free(s);
	sl_compiler_free(c);
	free(bank);
}

/* No NAT objects: no section, no default route. */
static void test_no_nat(void **state)
{
	const uint64_t size = 1 << 20;
	struct sl_store *s = sl_t_load_ok(cfg(false, NULL, NULL, NULL));
	struct sl_compiler *c = sl_compiler_new();
	void *bank = aligned_alloc(64, size);

	(void)state;
	memset(bank, 0, size);
	build(c, s, bank, size, 1);
	assert_int_equal(((struct sl_bank_header *)bank)->nat_off, 0);
	assert_null(sl_compiler_nat(c));
	assert_int_equal(vpc_nh(bank, "vpc-a", ip4("192.0.2.1"))->type, SL_NH_UNREACHABLE);
	sl_store_free(s);
	sl_compiler_free(c);
	free(bank);
}

/* EndpointIndependentFiltering on the gateway (file: a boolean; a row of
 * the API: "true"/"false") sets the section's flag; anything else is an
 * error of the file. */
static void test_eif(void **state)
{
	const uint64_t size = 1 << 20;
	static const char *const on[] = {"true", "'true'"};
	struct sl_compiler *c;
	void *bank = aligned_alloc(64, size);
	char *txt;

	(void)state;
	for (unsigned int i = 0; i < 2; i++) {
		char ngw[160];
		struct sl_store *s;

		snprintf(ngw, sizeof(ngw),
			 "{'NatGatewayId':'ngw-a','VpcId':'vpc-a','EndpointIndependentFiltering':%s}",
			 on[i]);
		txt = cfg(false, NULL, NULL, NULL);
		/* cfg() has no gateway: put ours into the empty list */
		{
			char *p = strstr(txt, "\"NatGateways\":[]");
			char *t2;

			assert_non_null(p);
			t2 = sl_t_json("%.*s\"NatGateways\":[%s]%s", (int)(p - txt), txt, ngw,
				       p + strlen("\"NatGateways\":[]"));
			free(txt);
			txt = t2;
		}
		s = sl_t_load_ok(txt);
		c = sl_compiler_new();
		memset(bank, 0, size);
		build(c, s, bank, size, 1);
		assert_int_equal(dp_gw_of_vpc(bank_nat(bank), (uint32_t)sl_compiler_vpc_index(c, "vpc-a"))
				     ->flags,
				 SL_NAT_GW_F_EIF);
		sl_store_free(s);
		sl_compiler_free(c);
	}
	free(bank);
}

/* Stores stepping through NAT changes (gateway added and removed, IPs
 * bound and unbound, entries changed), written left-right without the
 * caller marking any VPC dirty: both banks must equal a fresh full compile
 * (section and VPC tables), and an IP keeps its index while it exists. */
static const char *const lr_eips[] = {
    base_eips,
    EIP_NAT("eip-1", "198.51.100.1") "," EIP_NAT("eip-2", "198.51.100.2"),
    EIP_NAT("eip-2", "198.51.100.2") "," EIP_NAT("eip-1", "198.51.100.1") "," EIP_ECS(
	"eip-5", "198.51.100.5", "i-a2"),
    EIP_ECS("eip-3", "198.51.100.3", "i-b1") "," EIP_ECS("eip-5", "198.51.100.5", "i-a1"),
};
static const char lr_snat1[] = "{'SnatEntryId':'snat-1','SnatTableId':'stb-a',"
			       "'SourceVSwitchId':'vsw-a1','SnatIp':'198.51.100.1'}";
static const char lr_snat2[] = "{'SnatEntryId':'snat-9','SnatTableId':'stb-a',"
			       "'SourceCIDR':'10.0.0.0/16','SnatIp':'198.51.100.1'}";
static const char lr_fwd1[] =
    "{'ForwardEntryId':'fwd-1','ForwardTableId':'ftb-a','ExternalIp':'198.51.100.2',"
    "'ExternalPort':'53','IpProtocol':'udp','InternalIp':'10.0.1.10','InternalPort':'53'}";
static const struct lr_step {
	bool ngw;
	int eips;
	const char *snats, *fwds;
} lr_steps[] = {
    {false, 3, NULL, NULL},	  {true, 0, base_snats, base_fwds}, {true, 1, lr_snat1, lr_fwd1},
    {true, 2, lr_snat2, lr_fwd1}, {true, 2, lr_snat1, NULL},	    {false, 3, NULL, NULL},
    {true, 1, NULL, NULL},	  {true, 0, base_snats, base_fwds}, {false, 3, NULL, NULL},
};

static struct sl_store *lr_load(unsigned int step, void *arg)
{
	const struct lr_step *st = &lr_steps[step];

	(void)arg;
	return sl_t_load_ok(
	    cfg(st->ngw, st->ngw || st->eips == 3 ? lr_eips[st->eips] : NULL, st->snats, st->fwds));
}

static char *lr_dump(const void *bank)
{
	return nat_dump(bank_nat(bank));
}

/* The NAT gateway route follows the gateway, and 198.51.100.2 keeps its
 * index while it exists (*arg: its index in the last generation). */
static void lr_check(unsigned int step, void *const bank[2], unsigned int cur, const void *ref,
		     void *arg)
{
	uint32_t *idx_2 = arg;
	const struct sl_nat_sec *sec = bank_nat(bank[cur]);

	for (unsigned int b = 0; b < 2; b++) {
		const struct sl_nexthop *x = vpc_nh(bank[b], "vpc-a", ip4("192.0.2.1"));

		assert_int_equal(x->type, lr_steps[step].ngw ? SL_NH_NATGW : SL_NH_UNREACHABLE);
		assert_int_equal(vpc_nh(ref, "vpc-a", ip4("192.0.2.1"))->type, x->type);
	}
	if (sec && dp_ip_by_addr(sec, ip4("198.51.100.2")) != SL_NAT_IDX_NONE) {
		if (*idx_2 != SL_NAT_IDX_NONE)
			assert_int_equal(dp_ip_by_addr(sec, ip4("198.51.100.2")), *idx_2);
		*idx_2 = dp_ip_by_addr(sec, ip4("198.51.100.2"));
	} else {
		*idx_2 = SL_NAT_IDX_NONE;
	}
}

static void test_left_right(void **state)
{
	uint32_t idx_2 = SL_NAT_IDX_NONE; /* index of 198.51.100.2 while it lives */
	const struct sl_t_left_right t = {
	    .n_steps = sizeof(lr_steps) / sizeof(lr_steps[0]),
	    .rounds = 3,
	    .size = 1 << 20,
	    .load = lr_load,
	    .dump = lr_dump,
	    .check = lr_check,
	    .arg = &idx_2,
	};

	(void)state;
	sl_t_run_left_right(&t);
}

/* A restarted sluiced seeds the gateway and public IP indexes from the
 * section the previous one published: they do not move under sluice-dp's
 * sessions, although a fresh compile would number them differently. */
static void test_seed_after_restart(void **state)
{
	static const char *const addrs[] = {"198.51.100.2", "198.51.100.3", "198.51.100.4"};
	const uint64_t size = 1 << 20;
	struct sl_store *before = sl_t_load_ok(cfg(true, base_eips, base_snats, base_fwds));
	/* eip-1 (198.51.100.1, index 0) unbound: a hole at index 0 */
	struct sl_store *after = sl_t_load_ok(
	    cfg(true,
		EIP_NAT("eip-2", "198.51.100.2") "," EIP_NAT("eip-4", "198.51.100.4") "," EIP_ECS(
		    "eip-3", "198.51.100.3", "i-b1"),
		"{'SnatEntryId':'snat-2','SnatTableId':'stb-a','SourceCIDR':'10.0.1.128/25',"
		"'SnatIp':'198.51.100.4'}",
		base_fwds));
	struct sl_compiler *old = sl_compiler_new(), *seeded = sl_compiler_new(),
			   *fresh = sl_compiler_new();
	void *b_old = aligned_alloc(64, size), *b_seeded = aligned_alloc(64, size),
	     *b_fresh = aligned_alloc(64, size);
	const struct sl_nat_sec *sec;
	bool moved = false;

	(void)state;
	memset(b_old, 0, size);
	memset(b_seeded, 0, size);
	memset(b_fresh, 0, size);
	build(old, before, b_old, size, 1);
	build(old, after, b_old, size, 2);
	sec = bank_nat(b_old);
	assert_int_equal(
	    sl_compiler_seed_nat(seeded, sec, ((const struct sl_bank_header *)b_old)->nat_size),
	    4); /* one gateway, three IPs */
	assert_int_equal(sl_compiler_seed_nat(fresh, sec, sec->size - 1), -EINVAL);
	build(seeded, after, b_seeded, size, 3);
	build(fresh, after, b_fresh, size, 3);
	for (unsigned int i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		uint32_t was = dp_ip_by_addr(sec, ip4(addrs[i]));

		assert_int_not_equal(was, SL_NAT_IDX_NONE);
		assert_int_equal(dp_ip_by_addr(bank_nat(b_seeded), ip4(addrs[i])), was);
		moved |= dp_ip_by_addr(bank_nat(b_fresh), ip4(addrs[i])) != was;
	}
	assert_true(moved); /* without seeding they would have moved */
	free(b_old);
	free(b_seeded);
	free(b_fresh);
	sl_compiler_free(old);
	sl_compiler_free(seeded);
	sl_compiler_free(fresh);
	sl_store_free(before);
	sl_store_free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_section),
	    cmocka_unit_test(test_no_nat),
	    cmocka_unit_test(test_eif),
	    cmocka_unit_test(test_left_right),
	    cmocka_unit_test(test_seed_after_restart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
