/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: the interval builder against a naive longest-prefix reference
 * on random v4/v6 prefix sets, the bank layout of demo.json looked up the
 * way sluice-dp does, the per-VPC cache and VPC index stability.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sl_compile.h"
#include "sl_fib.h"
#include "sl_nhgroup.h"
#include "sl_ctl.h"
#include "sl_ctl_config.h"
#include "sl_test_util.h"
#include "sl_validate.h"

/* ---- the data plane's lookups, copied from dataplane/sl_pipeline.h (which
 * needs DPDK headers) so the intervals are checked with the real search ---- */

static uint32_t dp_rt4_lookup(const struct sl_bank_header *b, const struct sl_route_table *rt,
			      uint32_t addr)
{
	const struct sl_rt4_entry *e = SL_BANK_PTR(b, rt->v4_off, const struct sl_rt4_entry);
	uint32_t lo = 0, n = rt->v4_n;

	if (n == 0)
		return SL_NH_NONE;
	while (n > 1) {
		uint32_t half = n / 2;
		lo = (e[lo + half].start <= addr) ? lo + half : lo;
		n -= half;
	}
	return e[lo].nh;
}

static int dp_u128_le(uint64_t ahi, uint64_t alo, uint64_t bhi, uint64_t blo)
{
	return ahi < bhi || (ahi == bhi && alo <= blo);
}

static uint32_t dp_rt6_lookup(const struct sl_bank_header *b, const struct sl_route_table *rt,
			      uint64_t hi, uint64_t lo_addr)
{
	const struct sl_rt6_entry *e = SL_BANK_PTR(b, rt->v6_off, const struct sl_rt6_entry);
	uint32_t lo = 0, n = rt->v6_n;

	if (n == 0)
		return SL_NH_NONE;
	while (n > 1) {
		uint32_t half = n / 2;
		lo = dp_u128_le(e[lo + half].start_hi, e[lo + half].start_lo, hi, lo_addr)
			 ? lo + half
			 : lo;
		n -= half;
	}
	return e[lo].nh;
}

/* ---- naive reference --------------------------------------------------------- */

struct ref_pfx {
	sl_u128 addr;
	uint8_t len;
	uint32_t nh;
};

static uint32_t ref_lookup(uint8_t family, const struct ref_pfx *p, size_t n, sl_u128 a)
{
	int best = -1;
	uint32_t nh = SL_NH_NONE;

	for (size_t i = 0; i < n; i++) {
		sl_u128 m = ~sl_hostmask(family, p[i].len) & sl_hostmask(family, 0);

		if ((a & m) != p[i].addr)
			continue;
		if ((int)p[i].len > best) { /* strictly longer: the first of equals wins */
			best = p[i].len;
			nh = p[i].nh;
		}
	}
	return nh;
}

static uint64_t rnd64(void)
{
	return ((uint64_t)(uint32_t)random() << 33) ^ ((uint64_t)(uint32_t)random() << 11) ^
	       (uint64_t)(uint32_t)random();
}

static sl_u128 rnd_addr(uint8_t family)
{
	if (family == SL_AF_INET)
		return (uint32_t)rnd64();
	return ((sl_u128)rnd64() << 64) | rnd64();
}

/* Random prefixes that nest: derived from a few "base" addresses, with random
 * lengths, plus some random unrelated ones and exact duplicates. */
static size_t gen_prefixes(uint8_t family, struct ref_pfx *p, size_t n)
{
	unsigned int bits = sl_af_bits(family);
	sl_u128 base[16];
	size_t k = 0;

	for (int i = 0; i < 16; i++)
		base[i] = rnd_addr(family);
	while (k < n) {
		unsigned int r = (unsigned int)random() % 100;
		sl_u128 a;
		uint8_t len;

		if (r < 3 && k > 0) { /* duplicate prefix, other next hop */
			p[k] = p[(size_t)random() % k];
			p[k].nh = 1 + (uint32_t)random() % 40;
			k++;
			continue;
		}
		a = r < 85 ? base[random() % 16] ^ (rnd_addr(family) >> (random() % bits))
			   : rnd_addr(family);
		len = (uint8_t)(random() % (bits + 1));
		if (r % 7 == 0)
			len = (uint8_t)(bits - random() % 4); /* many long ones */
		p[k].len = len;
		p[k].addr = a & ~sl_hostmask(family, len) & sl_hostmask(family, 0);
		p[k].nh = 1 + (uint32_t)random() % 40;
		k++;
	}
	return k;
}

static void check_random(uint8_t family, size_t n_pfx, size_t n_lookups)
{
	struct ref_pfx *ref = calloc(n_pfx, sizeof(*ref));
	struct sl_rt_in *in = calloc(n_pfx, sizeof(*in));
	struct sl_rt4_entry *e4 = NULL;
	struct sl_rt6_entry *e6 = NULL;
	uint32_t n_out = 0;
	sl_u128 maxv = sl_hostmask(family, 0);

	gen_prefixes(family, ref, n_pfx);
	for (size_t i = 0; i < n_pfx; i++) {
		in[i].addr = ref[i].addr;
		in[i].len = ref[i].len;
		in[i].nh = ref[i].nh;
		in[i].seq = (uint32_t)i;
	}
	if (family == SL_AF_INET)
		assert_int_equal(sl_rt4_build(in, n_pfx, &e4, &n_out), 0);
	else
		assert_int_equal(sl_rt6_build(in, n_pfx, &e6, &n_out), 0);
	assert_true(n_out >= 1);

	/* shape: first start 0, strictly increasing, adjacent next hops differ */
	for (uint32_t i = 0; i < n_out; i++) {
		sl_u128 s = family == SL_AF_INET
				? e4[i].start
				: (((sl_u128)e6[i].start_hi << 64) | e6[i].start_lo);
		uint32_t nh = family == SL_AF_INET ? e4[i].nh : e6[i].nh;

		if (i == 0) {
			assert_true(s == 0);
			continue;
		}
		sl_u128 prev = family == SL_AF_INET
				   ? e4[i - 1].start
				   : (((sl_u128)e6[i - 1].start_hi << 64) | e6[i - 1].start_lo);
		assert_true(prev < s);
		assert_int_not_equal(nh, family == SL_AF_INET ? e4[i - 1].nh : e6[i - 1].nh);
	}

	/* lookups: random addresses and every prefix's edges, through the data
	 * plane's search over a copy of the array placed in a "bank" */
	struct sl_route_table rt;
	size_t esz = family == SL_AF_INET ? sizeof(*e4) : sizeof(*e6);
	uint8_t *bank = aligned_alloc(64, (256 + (size_t)n_out * esz + 127) & ~(size_t)63);
	const struct sl_bank_header *bh = (const void *)bank;

	memset(&rt, 0, sizeof(rt));
	memcpy(bank + 256, family == SL_AF_INET ? (void *)e4 : (void *)e6, (size_t)n_out * esz);
	rt.v4_off = rt.v6_off = 256;
	rt.v4_n = rt.v6_n = n_out;
	for (size_t i = 0; i < n_lookups + 4 * n_pfx; i++) {
		sl_u128 a;
		uint32_t got, want, got2;

		if (i < n_lookups) {
			a = rnd_addr(family);
		} else {
			const struct ref_pfx *p = &ref[(i - n_lookups) / 4];
			sl_u128 last = p->addr | sl_hostmask(family, p->len);

			switch ((i - n_lookups) % 4) {
			case 0:
				a = p->addr;
				break;
			case 1:
				a = last;
				break;
			case 2:
				a = last == maxv ? last : last + 1;
				break;
			default:
				a = p->addr == 0 ? 0 : p->addr - 1;
				break;
			}
		}
		want = ref_lookup(family, ref, n_pfx, a);
		if (family == SL_AF_INET) {
			got = dp_rt4_lookup(bh, &rt, (uint32_t)a);
			got2 = sl_rt4_find(e4, n_out, (uint32_t)a);
		} else {
			got = dp_rt6_lookup(bh, &rt, (uint64_t)(a >> 64), (uint64_t)a);
			got2 = sl_rt6_find(e6, n_out, (uint64_t)(a >> 64), (uint64_t)a);
		}
		if (got != want || got2 != want) {
			char buf[SL_PFX_STRLEN];
			fprintf(stderr, "lookup %s: got %u/%u want %u\n",
				sl_ip_fmt(family, a, buf, sizeof(buf)), got, got2, want);
			fail();
		}
	}
	free(bank);
	free(ref);
	free(in);
	free(e4);
	free(e6);
}

static void test_intervals_random_v4(void **state)
{
	srandom(4242);
	for (int round = 0; round < 5; round++)
		check_random(SL_AF_INET, 3000, 20000);
	check_random(SL_AF_INET, 1, 1000);
}

static void test_intervals_random_v6(void **state)
{
	srandom(6464);
	for (int round = 0; round < 5; round++)
		check_random(SL_AF_INET6, 3000, 20000);
	check_random(SL_AF_INET6, 1, 1000);
}

static void test_intervals_edges(void **state)
{
	struct sl_rt_in in[4];
	struct sl_rt4_entry *e4;
	struct sl_rt6_entry *e6;
	uint32_t n;

	/* empty: one interval, unreachable */
	assert_int_equal(sl_rt4_build(in, 0, &e4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(e4[0].start, 0);
	assert_int_equal(e4[0].nh, SL_NH_NONE);
	free(e4);
	/* default route + a host route at the very top + equal neighbours merged */
	memset(in, 0, sizeof(in));
	in[0] = (struct sl_rt_in){.addr = 0, .len = 0, .nh = 7, .seq = 0};
	in[1] = (struct sl_rt_in){.addr = 0xffffffffu, .len = 32, .nh = 9, .seq = 1};
	in[2] = (struct sl_rt_in){.addr = 0x0a000000u, .len = 8, .nh = 7, .seq = 2};
	assert_int_equal(sl_rt4_build(in, 3, &e4, &n), 0);
	assert_int_equal(n, 2); /* 10/8 merged into the default */
	assert_int_equal(e4[0].nh, 7);
	assert_int_equal(e4[1].start, 0xffffffffu);
	assert_int_equal(e4[1].nh, 9);
	free(e4);
	/* ::/0 and the last IPv6 address */
	in[0] = (struct sl_rt_in){.addr = 0, .len = 0, .nh = 3, .seq = 0};
	in[1] = (struct sl_rt_in){.addr = ~(sl_u128)0, .len = 128, .nh = 4, .seq = 1};
	assert_int_equal(sl_rt6_build(in, 2, &e6, &n), 0);
	assert_int_equal(n, 2);
	assert_true(e6[1].start_hi == UINT64_MAX && e6[1].start_lo == UINT64_MAX);
	assert_int_equal(sl_rt6_find(e6, n, UINT64_MAX, UINT64_MAX), 4);
	assert_int_equal(sl_rt6_find(e6, n, UINT64_MAX, UINT64_MAX - 1), 3);
	free(e6);
}

/* ---- bank layout of demo.json --------------------------------------------------- */

struct bank {
	void *mem;
	const struct sl_bank_header *h;
	struct sl_compile_stats st;
};

static void build_bank(struct sl_compiler *c, struct sl_store *s, struct bank *b)
{
	assert_int_equal(sl_compile(c, s, &b->st), 0);
	b->mem = aligned_alloc(64, 1 << 20);
	memset(b->mem, 0xa5, 1 << 20); /* the layout must not rely on zeroed memory */
	assert_int_equal(sl_compile_layout(c, b->mem, 1 << 20, 42), 0);
	b->h = b->mem;
	assert_true(b->h->magic == SL_BANK_MAGIC);
	assert_true(b->h->generation == 42);
	assert_true(b->h->used <= (1u << 20));
	assert_true(b->h->n_vpcs <= b->h->vpc_cap);
	assert_true(b->h->n_nexthops <= b->h->nh_cap);
	assert_true(b->h->heap_off + b->h->heap_size == (1u << 20));
}

static struct sl_store *load_ok(const char *json_or_path, bool is_path)
{
	struct sl_errs e;
	struct sl_store *s;

	sl_errs_init(&e, "t");
	s = is_path ? sl_cfg_load(json_or_path, &e) : sl_cfg_load_string(json_or_path, &e);
	assert_non_null(s);
	assert_int_equal(sl_validate(s, &e), 0);
	sl_t_dump(&e);
	assert_int_equal(sl_errs_count(&e), 0);
	sl_errs_free(&e);
	return s;
}

static const struct sl_vpc *bank_vpc(const struct bank *b, const char *id)
{
	const struct sl_vpc *v = SL_BANK_PTR(b->h, b->h->vpc_off, const struct sl_vpc);

	for (uint32_t i = 0; i < b->h->n_vpcs; i++)
		if (strcmp(v[i].id, id) == 0)
			return &v[i];
	return NULL;
}

static const struct sl_nexthop *nh4(const struct bank *b, const struct sl_route_table *rt,
				    const char *addr)
{
	struct in_addr a;
	uint32_t nh;

	assert_int_equal(inet_pton(AF_INET, addr, &a), 1);
	nh = dp_rt4_lookup(b->h, rt, ntohl(a.s_addr));
	assert_true(nh < b->h->n_nexthops);
	return SL_BANK_PTR(b->h, b->h->nh_off, const struct sl_nexthop) + nh;
}

static const struct sl_nexthop *nh6(const struct bank *b, const struct sl_route_table *rt,
				    const char *addr)
{
	uint8_t a[16];
	uint64_t hi = 0, lo = 0;
	uint32_t nh;

	assert_int_equal(inet_pton(AF_INET6, addr, a), 1);
	for (int i = 0; i < 8; i++) {
		hi = (hi << 8) | a[i];
		lo = (lo << 8) | a[i + 8];
	}
	nh = dp_rt6_lookup(b->h, rt, hi, lo);
	assert_true(nh < b->h->n_nexthops);
	return SL_BANK_PTR(b->h, b->h->nh_off, const struct sl_nexthop) + nh;
}

static void assert_addr(const uint8_t *bytes, uint8_t family, const char *want)
{
	char buf[64];

	assert_non_null(
	    inet_ntop(family == SL_AF_INET ? AF_INET : AF_INET6, bytes, buf, sizeof(buf)));
	assert_string_equal(buf, want);
}

static void test_demo_bank(void **state)
{
	struct sl_store *s = load_ok(sl_t_demo_path(), true);
	struct sl_compiler *c = sl_compiler_new();
	const struct sl_nexthop *nh, *all;
	const struct sl_vpc *a, *b;
	const uint32_t *vlan_map;
	struct bank bk;

	build_bank(c, s, &bk);
	assert_int_equal(bk.st.n_vpcs, 2);
	assert_int_equal(bk.st.n_recompiled, 2);
	assert_int_equal(bk.st.inet_recompiled, 1);
	a = bank_vpc(&bk, "vpc-a");
	b = bank_vpc(&bk, "vpc-b");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a->route_table_id, "vtb-a");
	assert_int_equal(a->vlan, 100);
	assert_int_equal(b->vlan, 200);
	assert_int_equal(a->n_vswitches, 2);
	vlan_map = SL_BANK_PTR(bk.h, bk.h->vlan_map_off, const uint32_t);
	assert_int_equal(vlan_map[100], a->index + 1);
	assert_int_equal(vlan_map[200], b->index + 1);
	for (uint32_t v = 0; v < SL_VLAN_MAP_ENTRIES; v++) /* every trunk's row */
		if (v != 100 && v != 200)
			assert_int_equal(vlan_map[v], 0);
	assert_int_equal(a->trunk, 0);

	/* next hop 0 is UNREACHABLE; all next hops distinct */
	all = SL_BANK_PTR(bk.h, bk.h->nh_off, const struct sl_nexthop);
	assert_int_equal(all[0].type, SL_NH_UNREACHABLE);
	for (uint32_t i = 0; i < bk.h->n_nexthops; i++)
		for (uint32_t j = i + 1; j < bk.h->n_nexthops; j++)
			assert_memory_not_equal(&all[i], &all[j], sizeof(all[i]));

	/* VPC A, IPv4 */
	nh = nh4(&bk, &a->rt, "192.168.1.10");
	assert_int_equal(nh->type, SL_NH_CONNECTED);
	assert_int_equal(nh->port_role, SL_ROLE_INSIDE);
	assert_int_equal(nh->vlan, 100);
	assert_int_equal(nh->mtu, 1500);
	assert_int_equal(nh->vpc_index, a->index);
	assert_int_equal(nh->family, SL_AF_INET);
	assert_addr(nh->src, SL_AF_INET, "192.168.1.253");
	assert_string_equal(nh->owner_id, "vsw-a1");
	nh = nh4(&bk, &a->rt, "192.168.1.253");
	assert_int_equal(nh->type, SL_NH_LOCAL);
	nh = nh4(&bk, &a->rt, "192.168.1.254");
	assert_int_equal(nh->type, SL_NH_CONNECTED);
	nh = nh4(&bk, &a->rt, "192.168.2.253");
	assert_int_equal(nh->type, SL_NH_LOCAL);
	assert_string_equal(nh->owner_id, "vsw-a2");
	nh = nh4(&bk, &a->rt, "100.64.7.7");
	assert_int_equal(nh->type, SL_NH_BLACKHOLE);
	assert_true(nh->flags & SL_NH_F_SYSTEM);
	nh = nh4(&bk, &a->rt, "10.99.200.1");
	assert_int_equal(nh->type, SL_NH_GATEWAY);
	assert_false(nh->flags & SL_NH_F_SYSTEM);
	assert_addr(nh->via, SL_AF_INET, "192.168.2.10");
	assert_addr(nh->src, SL_AF_INET, "192.168.2.253");
	assert_string_equal(nh->owner_id, "i-a2");
	assert_int_equal(nh->vlan, 100);
	assert_int_equal(nh4(&bk, &a->rt, "8.8.8.8")->type, SL_NH_UNREACHABLE);
	assert_int_equal(nh4(&bk, &a->rt, "192.168.3.1")->type, SL_NH_UNREACHABLE);
	/* VPC A, IPv6 */
	nh = nh6(&bk, &a->rt, "2001:db8:a:1::10");
	assert_int_equal(nh->type, SL_NH_CONNECTED);
	assert_int_equal(nh->family, SL_AF_INET6);
	assert_addr(nh->src, SL_AF_INET6, "2001:db8:a:1:ffff:ffff:ffff:fffd");
	assert_int_equal(nh6(&bk, &a->rt, "2001:db8:a:1:ffff:ffff:ffff:fffd")->type, SL_NH_LOCAL);
	nh = nh6(&bk, &a->rt, "2001:db8:99:1::1");
	assert_int_equal(nh->type, SL_NH_GATEWAY);
	assert_addr(nh->via, SL_AF_INET6, "2001:db8:a:2::10");
	assert_addr(nh->src, SL_AF_INET6, "2001:db8:a:2:ffff:ffff:ffff:fffd");
	assert_int_equal(nh6(&bk, &a->rt, "2001:db8:b:1::10")->type, SL_NH_UNREACHABLE);
	/* VPC B: same addresses, its own VLAN, no custom routes */
	nh = nh4(&bk, &b->rt, "192.168.1.10");
	assert_int_equal(nh->type, SL_NH_CONNECTED);
	assert_int_equal(nh->vlan, 200);
	assert_string_equal(nh->owner_id, "vsw-b1");
	assert_int_equal(nh4(&bk, &b->rt, "10.99.200.1")->type, SL_NH_UNREACHABLE);
	/* the Internet table */
	nh = nh4(&bk, &bk.h->inet, "8.8.8.8");
	assert_int_equal(nh->type, SL_NH_GATEWAY);
	assert_int_equal(nh->port_role, SL_ROLE_OUTSIDE);
	assert_int_equal(nh->vlan, 0);
	assert_int_equal(nh->vpc_index, SL_VPC_INTERNET);
	assert_addr(nh->via, SL_AF_INET, "203.0.113.1");
	assert_addr(nh->src, SL_AF_INET, "203.0.113.2");
	assert_int_equal(nh4(&bk, &bk.h->inet, "203.0.113.2")->type, SL_NH_LOCAL);
	nh = nh4(&bk, &bk.h->inet, "203.0.113.77");
	assert_int_equal(nh->type, SL_NH_CONNECTED);
	assert_addr(nh->src, SL_AF_INET, "203.0.113.2");
	nh = nh6(&bk, &bk.h->inet, "2001:db8:eeee::1");
	assert_int_equal(nh->type, SL_NH_GATEWAY);
	assert_addr(nh->via, SL_AF_INET6, "2001:db8:ffff::1");
	assert_int_equal(nh6(&bk, &bk.h->inet, "2001:db8:ffff::2")->type, SL_NH_LOCAL);
	/* prefix lists for display */
	{
		const struct sl_prefix *p =
		    SL_BANK_PTR(bk.h, a->rt.prefix_off, const struct sl_prefix);
		unsigned int custom = 0, system = 0;

		for (uint32_t i = 0; i < a->rt.n_prefixes; i++) {
			custom += p[i].origin == SL_ROUTE_CUSTOM;
			system += p[i].origin == SL_ROUTE_SYSTEM;
			assert_true(p[i].nh < bk.h->n_nexthops);
		}
		assert_int_equal(custom, 2);
		assert_int_equal(system, 2 * 4 + 1); /* 2 VSwitches x (v4, gw4, v6, gw6) + 100.64 */
	}
	free(bk.mem);
	sl_compiler_free(c);
	sl_store_free(s);
}

/* 10,000 VPCs over 3 trunks (issue 3's scale): VPC i is (trunk i / 4094,
 * VLAN 1 + i % 4094), every (trunk, VLAN) pair of the bank's vlan_map names
 * exactly that VPC, every other entry is 0, and the VPC's next hops carry
 * its trunk and VLAN. All VPCs use the same CIDR: only the trunk and VLAN
 * keep them apart. */
static void test_10k_vpcs_3_trunks(void **state)
{
	enum { N = 10000 };
	size_t cap = (size_t)N * 256 + 1024, len;
	char *j = malloc(cap);
	struct sl_compiler *c = sl_compiler_new();
	struct sl_compile_stats st;
	const struct sl_vpc *vpcs;
	const uint32_t *vm;
	const struct sl_bank_header *h;
	struct sl_store *s;
	uint32_t mapped = 0;
	void *mem;

	(void)state;
	assert_non_null(j);
	len = (size_t)snprintf(j, cap,
			       "{\"Regions\":[{\"RegionId\":\"r\",\"Zones\":[{\"ZoneId\":"
			       "\"z\"}]}],\"Gateway\":{\"Inside\":{\"Trunks\":3}},\"Vpcs\":[");
	for (int i = 0; i < N; i++)
		len += (size_t)snprintf(j + len, cap - len,
					"%s{\"VpcId\":\"vpc-%05d\",\"RegionId\":\"r\","
					"\"CidrBlock\":\"10.0.0.0/8\",\"Trunk\":%d,\"VlanId\":%d}",
					i ? "," : "", i, i / 4094, 1 + i % 4094);
	len += (size_t)snprintf(j + len, cap - len, "],\"VSwitches\":[");
	for (int i = 0; i < N; i++)
		len += (size_t)snprintf(j + len, cap - len,
					"%s{\"VSwitchId\":\"vsw-%05d\",\"VpcId\":\"vpc-%05d\","
					"\"ZoneId\":\"z\",\"CidrBlock\":\"10.1.0.0/16\"}",
					i ? "," : "", i, i);
	snprintf(j + len, cap - len, "]}");
	assert_true(len + 3 < cap);
	s = load_ok(j, false);
	free(j);

	assert_int_equal(sl_compile(c, s, &st), 0);
	assert_int_equal(st.n_vpcs, N);
	mem = aligned_alloc(64, (st.bytes + 63) & ~(uint64_t)63);
	assert_non_null(mem);
	assert_int_equal(sl_compile_layout(c, mem, st.bytes, 1), 0);
	h = mem;
	assert_int_equal(h->n_vpcs, N);
	vpcs = SL_BANK_PTR(h, h->vpc_off, const struct sl_vpc);
	vm = SL_BANK_PTR(h, h->vlan_map_off, const uint32_t);
	for (uint32_t t = 0; t < SL_MAX_TRUNKS; t++)
		for (uint32_t v = 0; v < SL_VLAN_COUNT; v++) {
			uint32_t i = t * 4094 + v - 1; /* the VPC this pair should carry */
			uint32_t e = sl_bank_vlan_lookup(h, t, v);
			char want[16];

			if (v == 0 || v > 4094 || i >= N) {
				assert_int_equal(e, 0);
				continue;
			}
			assert_int_equal(vm[t * SL_VLAN_COUNT + v], e);
			assert_true(e >= 1 && e <= h->n_vpcs);
			snprintf(want, sizeof(want), "vpc-%05u", i);
			assert_string_equal(vpcs[e - 1].id, want);
			assert_int_equal(vpcs[e - 1].trunk, t);
			assert_int_equal(vpcs[e - 1].vlan, v);
			mapped++;
		}
	assert_int_equal(mapped, N);
	/* the CONNECTED next hop of each VPC leaves by its trunk and VLAN */
	for (uint32_t k = 0; k < h->n_vpcs; k++) {
		const struct sl_nexthop *nh =
		    SL_BANK_PTR(h, h->nh_off, const struct sl_nexthop) +
		    dp_rt4_lookup(h, &vpcs[k].rt, 0x0a010203); /* 10.1.2.3 */

		assert_int_equal(nh->type, SL_NH_CONNECTED);
		assert_int_equal(nh->port_role, SL_ROLE_INSIDE);
		assert_int_equal(nh->trunk, vpcs[k].trunk);
		assert_int_equal(nh->vlan, vpcs[k].vlan);
	}
	free(mem);
	sl_compiler_free(c);
	sl_store_free(s);
}

static void test_bank_too_small(void **state)
{
	struct sl_store *s = load_ok(sl_t_demo_path(), true);
	struct sl_compiler *c = sl_compiler_new();
	struct sl_compile_stats st;
	void *mem;

	assert_int_equal(sl_compile(c, s, &st), 0);
	mem = aligned_alloc(64, (st.bytes + 63) & ~(uint64_t)63);
	assert_non_null(mem);
	assert_int_equal(sl_compile_layout(c, mem, st.bytes - 64, 1), -ENOSPC);
	assert_int_equal(sl_compile_layout(c, mem, st.bytes, 1), 0);
	free(mem);
	sl_compiler_free(c);
	sl_store_free(s);
}

/* VPCs named by the %s pieces, each with one VSwitch. */
static char *vpcs_json(const char *const *ids, int n)
{
	char vpcs[4096] = "", vsws[4096] = "";

	for (int i = 0; i < n; i++) {
		char one[512];

		snprintf(one, sizeof(one),
			 "%s{'VpcId':'%s','RegionId':'r','CidrBlock':'10.0.0.0/8','VlanId':%d}",
			 i ? "," : "", ids[i], 10 + (ids[i][4] - 'a'));
		strcat(vpcs, one);
		snprintf(one, sizeof(one),
			 "%s{'VSwitchId':'vsw-%s','VpcId':'%s','ZoneId':'z','CidrBlock':"
			 "'10.1.0.0/16'}",
			 i ? "," : "", ids[i], ids[i]);
		strcat(vsws, one);
	}
	return sl_t_json("{'Regions':[{'RegionId':'r','Zones':[{'ZoneId':'z'}]}],'Vpcs':[%s],"
			 "'VSwitches':[%s]}",
			 vpcs, vsws);
}

static void test_cache_and_indexes(void **state)
{
	static const char *const abc[] = {"vpc-a", "vpc-b", "vpc-c"};
	static const char *const bc[] = {"vpc-b", "vpc-c"};
	static const char *const bcd[] = {"vpc-b", "vpc-c", "vpc-d"};
	static const char *const bcde[] = {"vpc-b", "vpc-c", "vpc-d", "vpc-e"};
	struct sl_compiler *c = sl_compiler_new();
	struct sl_compile_stats st;
	struct sl_store *s;
	char *j;
	struct bank bk;
	int ia, ib, ic;

	j = vpcs_json(abc, 3);
	s = load_ok(j, false);
	free(j);
	assert_int_equal(sl_compile(c, s, &st), 0);
	assert_int_equal(st.n_recompiled, 3);
	ia = sl_compiler_vpc_index(c, "vpc-a");
	ib = sl_compiler_vpc_index(c, "vpc-b");
	ic = sl_compiler_vpc_index(c, "vpc-c");
	assert_int_equal(ia, 0);
	assert_int_equal(ib, 1);
	assert_int_equal(ic, 2);
	/* nothing dirty: nothing rebuilt */
	assert_int_equal(sl_compile(c, s, &st), 0);
	assert_int_equal(st.n_recompiled, 0);
	assert_int_equal(st.inet_recompiled, 0);
	/* one dirty VPC: one rebuilt */
	assert_int_equal(sl_compiler_mark_dirty(c, "vpc-b"), 0);
	assert_int_equal(sl_compile(c, s, &st), 0);
	assert_int_equal(st.n_recompiled, 1);
	sl_store_free(s);

	/* vpc-a removed: its slot becomes a hole, the others keep their index */
	j = vpcs_json(bc, 2);
	s = load_ok(j, false);
	free(j);
	build_bank(c, s, &bk);
	assert_int_equal(bk.st.n_recompiled, 0);
	assert_int_equal(bk.h->n_vpcs, 3);
	assert_int_equal(sl_compiler_vpc_index(c, "vpc-b"), ib);
	assert_int_equal(sl_compiler_vpc_index(c, "vpc-c"), ic);
	assert_int_equal(sl_compiler_vpc_index(c, "vpc-a"), -ENOENT);
	{
		const struct sl_vpc *v = SL_BANK_PTR(bk.h, bk.h->vpc_off, const struct sl_vpc);
		const uint32_t *vm = SL_BANK_PTR(bk.h, bk.h->vlan_map_off, const uint32_t);

		assert_string_equal(v[0].id, "");
		assert_int_equal(v[0].rt.v4_n, 0);
		assert_int_equal(vm[10], 0); /* vpc-a's VLAN */
		assert_int_equal(vm[11], (uint32_t)ib + 1);
	}
	free(bk.mem);
	sl_store_free(s);

	/* a new VPC reuses the freed index (released in the previous generation) */
	j = vpcs_json(bcd, 3);
	s = load_ok(j, false);
	free(j);
	assert_int_equal(sl_compile(c, s, &st), 0);
	assert_int_equal(st.n_recompiled, 1);
	assert_int_equal(sl_compiler_vpc_index(c, "vpc-d"), 0);
	sl_store_free(s);

	/* removal and addition in one generation: no reuse within it */
	j = vpcs_json(bcde + 1, 3); /* vpc-b removed, vpc-e added */
	s = load_ok(j, false);
	free(j);
	assert_int_equal(sl_compile(c, s, &st), 0);
	assert_int_equal(sl_compiler_vpc_index(c, "vpc-e"), 3);
	assert_int_equal(sl_compiler_vpc_index(c, "vpc-b"), -ENOENT);
	sl_store_free(s);

	/* seeding (restart): an id keeps the index it had in the segment */
	sl_compiler_free(c);
	c = sl_compiler_new();
	assert_int_equal(sl_compiler_seed_index(c, "vpc-c", 7), 0);
	assert_int_equal(sl_compiler_seed_index(c, "vpc-x", 7), -EEXIST);
	j = vpcs_json(bc, 2);
	s = load_ok(j, false);
	free(j);
	assert_int_equal(sl_compile(c, s, &st), 0);
	assert_int_equal(sl_compiler_vpc_index(c, "vpc-c"), 7);
	assert_int_equal(sl_compiler_vpc_index(c, "vpc-b"), 0);
	assert_int_equal(st.n_vpc_slots, 8);
	sl_store_free(s);
	sl_compiler_free(c);
}

/* ---- incremental (left-right) bank writes --------------------------------------- */

static const struct sl_vpc *find_vpc(const struct sl_bank_header *h, const char *id)
{
	const struct sl_vpc *v = SL_BANK_PTR(h, h->vpc_off, const struct sl_vpc);

	for (uint32_t i = 0; i < h->n_vpcs; i++)
		if (strcmp(v[i].id, id) == 0)
			return &v[i];
	return NULL;
}

/* Next hops equal as the fast path uses them (vpc_index differs between
 * compilers that numbered VPCs differently). */
static void assert_nh_same(const struct sl_bank_header *a, uint32_t ia,
			   const struct sl_bank_header *b, uint32_t ib)
{
	const struct sl_nexthop *x, *y;

	assert_true(ia < a->n_nexthops && ib < b->n_nexthops);
	x = SL_BANK_PTR(a, a->nh_off, const struct sl_nexthop) + ia;
	y = SL_BANK_PTR(b, b->nh_off, const struct sl_nexthop) + ib;
	assert_int_equal(x->type, y->type);
	assert_int_equal(x->vlan, y->vlan);
	assert_int_equal(x->port_role, y->port_role);
	assert_memory_equal(x->via, y->via, sizeof(x->via));
	assert_memory_equal(x->src, y->src, sizeof(x->src));
	assert_string_equal(x->owner_id, y->owner_id);
}

static void assert_table_same(const struct sl_bank_header *a, const struct sl_route_table *ta,
			      const struct sl_bank_header *b, const struct sl_route_table *tb)
{
	const struct sl_rt4_entry *a4 = SL_BANK_PTR(a, ta->v4_off, const struct sl_rt4_entry);
	const struct sl_rt4_entry *b4 = SL_BANK_PTR(b, tb->v4_off, const struct sl_rt4_entry);
	const struct sl_rt6_entry *a6 = SL_BANK_PTR(a, ta->v6_off, const struct sl_rt6_entry);
	const struct sl_rt6_entry *b6 = SL_BANK_PTR(b, tb->v6_off, const struct sl_rt6_entry);

	assert_int_equal(ta->v4_n, tb->v4_n);
	assert_int_equal(ta->v6_n, tb->v6_n);
	assert_int_equal(ta->n_prefixes, tb->n_prefixes);
	for (uint32_t i = 0; i < ta->v4_n; i++) {
		assert_int_equal(a4[i].start, b4[i].start);
		assert_nh_same(a, a4[i].nh, b, b4[i].nh);
	}
	for (uint32_t i = 0; i < ta->v6_n; i++) {
		assert_true(a6[i].start_hi == b6[i].start_hi && a6[i].start_lo == b6[i].start_lo);
		assert_nh_same(a, a6[i].nh, b, b6[i].nh);
	}
}

/* Bank `x` carries the same state as `ref` for every VPC of `ids`. */
static void assert_bank_same(const struct sl_bank_header *x, const struct sl_bank_header *ref,
			     const char *const *ids, int n)
{
	const uint32_t *vx = SL_BANK_PTR(x, x->vlan_map_off, const uint32_t);
	const uint32_t *vr = SL_BANK_PTR(ref, ref->vlan_map_off, const uint32_t);
	const struct sl_vpc *px = SL_BANK_PTR(x, x->vpc_off, const struct sl_vpc);
	const struct sl_vpc *pr = SL_BANK_PTR(ref, ref->vpc_off, const struct sl_vpc);
	uint32_t live = 0;

	for (int i = 0; i < n; i++) {
		const struct sl_vpc *a = find_vpc(x, ids[i]), *b = find_vpc(ref, ids[i]);

		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal(a->vlan, b->vlan);
		assert_table_same(x, &a->rt, ref, &b->rt);
	}
	for (uint32_t i = 0; i < x->n_vpcs; i++)
		live += px[i].id[0] != '\0';
	assert_int_equal(live, (uint32_t)n); /* removed VPCs are holes */
	for (unsigned int v = 0; v < SL_VLAN_COUNT; v++) {
		assert_int_equal(vx[v] != 0, vr[v] != 0);
		if (vx[v])
			assert_string_equal(px[vx[v] - 1].id, pr[vr[v] - 1].id);
	}
	assert_table_same(x, &x->inet, ref, &ref->inet);
}

/* Random VPC sets, each VSwitch CIDR random per step: two banks written
 * left-right (publish one, catch the other up) must always equal a fresh
 * full compile of the same store, and the writes must be incremental. */
static void test_left_right_churn(void **state)
{
	static const char *const names[] = {"vpc-a", "vpc-b", "vpc-c", "vpc-d",
					    "vpc-e", "vpc-f", "vpc-g", "vpc-h"};
	const uint64_t size = 1 << 20;
	struct sl_compiler *c = sl_compiler_new();
	void *bank[2] = {aligned_alloc(64, size), aligned_alloc(64, size)};
	void *ref = aligned_alloc(64, size);
	unsigned int seed = 12345;

	memset(bank[0], 0, size);
	memset(bank[1], 0, size);
	for (uint64_t gen = 1; gen <= 60; gen++) {
		const char *ids[8];
		char vpcs[4096] = "", vsws[4096] = "";
		struct sl_compile_stats st;
		struct sl_compiler *fresh = sl_compiler_new();
		struct sl_store *s;
		uint64_t used_before;
		int n = 0;
		char *j;

		for (int i = 0; i < 8; i++) {
			char one[512];

			if (rand_r(&seed) % 4 == 0)
				continue;
			ids[n] = names[i];
			snprintf(
			    one, sizeof(one),
			    "%s{'VpcId':'%s','RegionId':'r','CidrBlock':'10.0.0.0/8','VlanId':%d}",
			    n ? "," : "", names[i], 10 + i);
			strcat(vpcs, one);
			snprintf(one, sizeof(one),
				 "%s{'VSwitchId':'vsw-%s','VpcId':'%s','ZoneId':'z','CidrBlock':"
				 "'10.%d.0.0/16'}",
				 n ? "," : "", names[i], names[i], 1 + rand_r(&seed) % 3);
			strcat(vsws, one);
			n++;
		}
		j = sl_t_json("{'Regions':[{'RegionId':'r','Zones':[{'ZoneId':'z'}]}],"
			      "'Vpcs':[%s],'VSwitches':[%s]}",
			      vpcs, vsws);
		s = load_ok(j, false);
		free(j);
		/* the caller's diff marks changed VPCs dirty; here: all of them */
		for (int i = 0; i < n; i++)
			assert_int_equal(sl_compiler_mark_dirty(c, ids[i]), 0);
		assert_int_equal(sl_compile(c, s, &st), 0);
		used_before = ((struct sl_bank_header *)bank[gen & 1])->used;
		assert_int_equal(sl_compile_layout(c, bank[gen & 1], size, gen), 0);
		if (gen > 2) /* after the first write of each bank: incremental */
			assert_true(((struct sl_bank_header *)bank[gen & 1])->used <=
				    used_before + 8192);
		assert_true(sl_compile_bank_dirty(c, (gen + 1) & 1));
		assert_int_equal(sl_compile_sync_bank(c, (gen + 1) & 1, bank[(gen + 1) & 1], size),
				 0);
		assert_false(sl_compile_bank_dirty(c, 0));
		assert_false(sl_compile_bank_dirty(c, 1));
		assert_true(((struct sl_bank_header *)bank[(gen + 1) & 1])->generation ==
			    (gen > 1 ? gen - 1 : 0));

		assert_int_equal(sl_compile(fresh, s, &st), 0);
		assert_int_equal(sl_compile_layout(fresh, ref, size, gen), 0);
		assert_bank_same(bank[0], ref, ids, n);
		assert_bank_same(bank[1], ref, ids, n);
		sl_compiler_free(fresh);
		sl_store_free(s);
	}
	free(bank[0]);
	free(bank[1]);
	free(ref);
	sl_compiler_free(c);
}

/* ---- the Internet table as FIBs (left-right, route source churn) ------------------ */

struct fib_route {
	uint8_t family, len;
	sl_u128 addr; /* host order, host bits clear */
	int via;      /* -1: not present */
};

static sl_u128 rnd128(unsigned int *seed)
{
	sl_u128 v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 32 | (((uint32_t)rand_r(seed) << 1) ^ (uint32_t)rand_r(seed));
	return v;
}

/* The via of the longest present route covering a, or -1. */
static int fib_ref_lookup(const struct fib_route *r, int n, uint8_t family, sl_u128 a)
{
	int best = -1, best_len = -1;

	for (int i = 0; i < n; i++) {
		sl_u128 mask;
		unsigned int bits = family == SL_AF_INET ? 32 : 128;

		if (r[i].via < 0 || r[i].family != family || r[i].len <= best_len)
			continue;
		mask = r[i].len == 0 ? 0 : ~(sl_u128)0 << (bits - r[i].len);
		if (bits == 32)
			mask &= 0xffffffffu;
		if ((a & mask) == r[i].addr) {
			best = r[i].via;
			best_len = r[i].len;
		}
	}
	return best;
}

/* The content of the next hop a bank's FIB gives for `a`. */
static const struct sl_nexthop *fib_nh(const struct sl_bank_header *h, uint8_t family, sl_u128 a)
{
	const struct sl_nexthop *nh = SL_BANK_PTR(h, h->nh_off, const struct sl_nexthop);
	uint32_t i;

	assert_true(h->inet.flags & SL_RT_F_FIB);
	if (family == SL_AF_INET) {
		i = sl_fib4_lookup(h, &h->fib4, (uint32_t)a);
	} else {
		uint8_t b[16];

		sl_addr_to_bytes(SL_AF_INET6, a, b);
		i = sl_fib6_lookup(h, &h->fib6, b);
	}
	assert_true(i < h->n_nexthops);
	return &nh[i];
}

static int bank_via(const struct sl_bank_header *h, uint8_t family, sl_u128 a)
{
	const struct sl_nexthop *nh = fib_nh(h, family, a);

	if (nh->type == SL_NH_UNREACHABLE)
		return -1;
	assert_int_equal(nh->type, SL_NH_GATEWAY);
	return nh->via[15]; /* the tests' vias differ in their last byte */
}

static void make_nh(struct sl_nexthop *nh, uint8_t family, int via)
{
	memset(nh, 0, sizeof(*nh));
	nh->type = SL_NH_GATEWAY;
	nh->family = family;
	nh->port_role = SL_ROLE_OUTSIDE;
	nh->vpc_index = SL_VPC_INTERNET;
	nh->via[15] = (uint8_t)via;
	snprintf(nh->owner_id, sizeof(nh->owner_id), "test");
}

static void test_fib_left_right(void **state)
{
	static const char *const one[] = {"vpc-a"};
	const uint64_t size = UINT64_C(96) << 20;
	struct sl_compiler *c = sl_compiler_new();
	void *bank[2] = {aligned_alloc(64, size), aligned_alloc(64, size)};
	struct fib_route r[400];
	unsigned int seed = 777;
	struct sl_compile_stats st;
	struct sl_store *s;
	char *j = vpcs_json(one, 1);

	s = load_ok(j, false);
	free(j);
	memset(bank[0], 0, 4096);
	memset(bank[1], 0, 4096);
	for (int i = 0; i < 400; i++) {
		bool v6 = i >= 250;
		unsigned int bits = v6 ? 128 : 32;
		sl_u128 a = v6 ? (sl_u128)0x2001 << 112 | rnd128(&seed) >> 16
			       : (sl_u128)(0x0a000000u | ((uint32_t)rand_r(&seed) & 0x00ffffff));

		r[i].family = v6 ? SL_AF_INET6 : SL_AF_INET;
		r[i].len = (uint8_t)(i == 0 || i == 250 ? 0
				     : v6		? 16 + rand_r(&seed) % 113
							: 8 + rand_r(&seed) % 25);
		if (i > 0 && i < 250 && i % 50 == 0)
			r[i].len = 32;
		r[i].addr = r[i].len == 0 ? 0 : a & (~(sl_u128)0 << (bits - r[i].len));
		if (!v6)
			r[i].addr &= 0xffffffffu;
		r[i].via = -1;
		for (int j = 0; j < i; j++) /* one entry per prefix */
			if (r[j].family == r[i].family && r[j].len == r[i].len &&
			    r[j].addr == r[i].addr) {
				i--;
				break;
			}
	}
	sl_compiler_set_fib(c, true);
	for (uint64_t gen = 1; gen <= 24; gen++) {
		const struct sl_bank_header *h[2] = {bank[0], bank[1]};
		int changes = gen == 24 ? 400 : 60;

		for (int k = 0; k < changes; k++) {
			int i = gen == 24 ? k : rand_r(&seed) % 400;
			struct sl_pfx p = {
			    .addr = r[i].addr, .len = r[i].len, .family = r[i].family};
			struct sl_nexthop nh;

			if (gen == 24 || rand_r(&seed) % 3 == 0) { /* the last round removes all */
				int rc = sl_compiler_inet_del(c, &p);

				assert_int_equal(rc, r[i].via < 0 ? -ENOENT : 0);
				r[i].via = -1;
			} else {
				r[i].via = 1 + rand_r(&seed) % 3;
				make_nh(&nh, r[i].family, r[i].via);
				assert_int_equal(sl_compiler_inet_set(c, &p, &nh), 0);
			}
		}
		assert_int_equal(sl_compile(c, s, &st), 0);
		assert_int_equal(sl_compile_layout(c, bank[gen & 1], size, gen), 0);
		assert_int_equal(sl_compile_sync_bank(c, (gen + 1) & 1, bank[(gen + 1) & 1], size),
				 0);
		for (int probe = 0; probe < 3000; probe++) {
			int i = rand_r(&seed) % 400;
			unsigned int bits = r[i].family == SL_AF_INET ? 32 : 128;
			sl_u128 host = rnd128(&seed);
			sl_u128 a;

			if (r[i].len < bits)
				host &= ~(sl_u128)0 >> (r[i].len + 128 - bits);
			else
				host = 0;
			if (bits == 32)
				host &= 0xffffffffu;
			a = r[i].addr | host;
			for (int b = 0; b < 2; b++)
				assert_int_equal(bank_via(h[b], r[i].family, a),
						 fib_ref_lookup(r, 400, r[i].family, a));
		}
	}
	/* everything removed: no route anywhere, no tbl8 group left */
	for (int b = 0; b < 2; b++) {
		const struct sl_bank_header *h = bank[b];

		assert_int_equal(h->fib4.tbl8_used, 0);
		assert_int_equal(h->fib6.tbl8_used, 0);
		assert_int_equal(bank_via(h, SL_AF_INET, 0x0a000001), -1);
	}
	assert_int_equal(sl_compiler_inet_count(c), 0);
	free(bank[0]);
	free(bank[1]);
	sl_store_free(s);
	sl_compiler_free(c);
}

/* A config route wins over the route source's for the same prefix. */
static void test_fib_config_wins(void **state)
{
	struct sl_store *s = load_ok(sl_t_demo_path(), true);
	struct sl_compiler *c = sl_compiler_new();
	const uint64_t size = UINT64_C(96) << 20;
	void *bank = aligned_alloc(64, size);
	const struct sl_bank_header *h = bank;
	const struct sl_nexthop *nh;
	struct sl_pfx def = {.addr = 0, .len = 0, .family = SL_AF_INET};
	struct sl_pfx other = {.addr = 0xc6336400u, .len = 24, .family = SL_AF_INET};
	struct sl_nexthop feed;
	struct sl_compile_stats st;
	uint32_t i;

	memset(bank, 0, 4096);
	sl_compiler_set_fib(c, true);
	make_nh(&feed, SL_AF_INET, 9);
	assert_int_equal(sl_compiler_inet_set(c, &def, &feed), 0);
	assert_int_equal(sl_compiler_inet_set(c, &other, &feed), 0);
	assert_int_equal(sl_compile(c, s, &st), 0);
	assert_int_equal(sl_compile_layout(c, bank, size, 1), 0);
	nh = SL_BANK_PTR(h, h->nh_off, const struct sl_nexthop);
	/* demo.json's default route is via 203.0.113.1 */
	i = sl_fib4_lookup(h, &h->fib4, 0x08080808u);
	assert_int_equal(nh[i].type, SL_NH_GATEWAY);
	assert_memory_equal(nh[i].via, "\xcb\x00\x71\x01", 4);
	i = sl_fib4_lookup(h, &h->fib4, 0xc6336405u); /* 198.51.100.5 */
	assert_int_equal(nh[i].via[15], 9);
	i = sl_fib4_lookup(h, &h->fib4, 0xcb007102u); /* the gateway's own address */
	assert_int_equal(nh[i].type, SL_NH_LOCAL);
	/* small table: the prefix list is there for display */
	assert_true(h->inet.n_prefixes >= 4);
	assert_int_equal(h->inet.v4_n, 0);
	free(bank);
	sl_store_free(s);
	sl_compiler_free(c);
}

/* ECMP (issue 8): route-source groups are next hops of type GROUP whose
 * members are plain next hops in the same array; equal groups are one
 * entry, and a group going releases its members. */
static void test_fib_groups(void **state)
{
	struct sl_store *s = load_ok(sl_t_demo_path(), true);
	struct sl_compiler *c = sl_compiler_new();
	const uint64_t size = UINT64_C(96) << 20;
	void *bank = aligned_alloc(64, size);
	const struct sl_bank_header *h = bank;
	const struct sl_nexthop *nh;
	struct sl_pfx p1 = {.addr = 0xc6336400u, .len = 24, .family = SL_AF_INET};
	struct sl_pfx p2 = {.addr = 0xc6336500u, .len = 24, .family = SL_AF_INET};
	struct sl_nexthop m[3];
	struct sl_compile_stats st;
	uint32_t g1, g2, base;
	unsigned int cnt[SL_NHG_MAX];

	(void)state;
	memset(bank, 0, 4096);
	sl_compiler_set_fib(c, true);
	assert_int_equal(sl_compile(c, s, &st), 0);
	base = st.n_nexthops;
	make_nh(&m[0], SL_AF_INET, 9);
	make_nh(&m[1], SL_AF_INET, 10);
	make_nh(&m[2], SL_AF_INET, 11);
	assert_int_equal(sl_compiler_inet_set_group(c, &p1, m, (uint16_t[]){1, 3}, 2), 0);
	assert_int_equal(sl_compiler_inet_set_group(c, &p2, m, (uint16_t[]){1, 3}, 2), 0);
	assert_int_equal(sl_compile(c, s, &st), 0);
	assert_int_equal(st.n_nexthops, base + 3); /* two members, one group */
	assert_int_equal(sl_compile_layout(c, bank, size, 1), 0);
	nh = SL_BANK_PTR(h, h->nh_off, const struct sl_nexthop);
	g1 = sl_fib4_lookup(h, &h->fib4, 0xc6336405u);
	g2 = sl_fib4_lookup(h, &h->fib4, 0xc6336505u);
	assert_int_equal(g1, g2);
	assert_int_equal(nh[g1].type, SL_NH_GROUP);
	assert_int_equal(nh[g1].grp.n_members, 2);
	assert_int_equal(nh[nh[g1].grp.member[0]].type, SL_NH_GATEWAY);
	sl_nhg_count(&nh[g1].grp, cnt);
	for (unsigned int i = 0; i < 2; i++) {
		const struct sl_nexthop *mem = &nh[nh[g1].grp.member[i]];

		assert_int_equal(cnt[i], mem->via[15] == 9 ? 16 : 48);
		assert_int_equal(nh[g1].grp.weight[i], mem->via[15] == 9 ? 1 : 3);
	}
	/* one prefix loses a member (a single next hop), the other gains one */
	assert_int_equal(sl_compiler_inet_set_group(c, &p1, &m[1], (uint16_t[]){1}, 1), 0);
	assert_int_equal(sl_compiler_inet_set_group(c, &p2, m, (uint16_t[]){1, 1, 1}, 3), 0);
	assert_int_equal(sl_compile(c, s, &st), 0);
	assert_int_equal(st.n_nexthops, base + 4); /* three members, one group */
	assert_int_equal(sl_compile_layout(c, bank, size, 3), 0); /* generation 1's bank again */
	g1 = sl_fib4_lookup(h, &h->fib4, 0xc6336405u);
	g2 = sl_fib4_lookup(h, &h->fib4, 0xc6336505u);
	assert_int_equal(nh[g1].type, SL_NH_GATEWAY);
	assert_int_equal(nh[g1].via[15], 10);
	assert_int_equal(nh[g2].type, SL_NH_GROUP);
	assert_int_equal(nh[g2].grp.n_members, 3);
	/* the prefix going releases the group and the members only it used */
	assert_int_equal(sl_compiler_inet_del(c, &p2), 0);
	assert_int_equal(sl_compile(c, s, &st), 0);
	assert_int_equal(st.n_nexthops, base + 1);
	/* bad groups */
	make_nh(&m[2], SL_AF_INET, 11);
	m[2].type = SL_NH_BLACKHOLE;
	assert_int_equal(sl_compiler_inet_set_group(c, &p2, m, (uint16_t[]){1, 1, 1}, 3), -EINVAL);
	assert_int_equal(sl_compiler_inet_set_group(c, &p2, m, (uint16_t[]){1, 0}, 2), -EINVAL);
	assert_int_equal(sl_compile(c, s, &st), 0);
	assert_int_equal(st.n_nexthops, base + 1);
	free(bank);
	sl_store_free(s);
	sl_compiler_free(c);
}

/* Random routes of both families (a /0 of each among them: the demo
 * config's default routes win over those), vias 1..3. */
static void fib_random_routes(struct fib_route *r, int n, unsigned int *seed)
{
	for (int i = 0; i < n; i++) {
		bool v6 = i >= n / 2;
		unsigned int bits = v6 ? 128 : 32;
		sl_u128 a = v6 ? (sl_u128)0x2001 << 112 | rnd128(seed) >> 16
			       : (sl_u128)((uint32_t)rand_r(seed) << 1);

		r[i].family = v6 ? SL_AF_INET6 : SL_AF_INET;
		r[i].len = (uint8_t)(i == 0 || i == n / 2 ? 0
				     : v6	       ? 16 + rand_r(seed) % 113
						       : 8 + rand_r(seed) % 25);
		r[i].addr = r[i].len == 0 ? 0 : a & (~(sl_u128)0 << (bits - r[i].len));
		if (!v6)
			r[i].addr &= 0xffffffffu;
		r[i].via = 1 + rand_r(seed) % 3;
		for (int j = 0; j < i; j++) /* one entry per prefix */
			if (r[j].family == r[i].family && r[j].len == r[i].len &&
			    r[j].addr == r[i].addr) {
				i--;
				break;
			}
	}
}

static void fib_apply(struct sl_compiler *c, const struct fib_route *r, bool del)
{
	struct sl_pfx p = {.addr = r->addr, .len = r->len, .family = r->family};
	struct sl_nexthop nh;
	int rc;

	make_nh(&nh, r->family, r->via);
	rc = del ? sl_compiler_inet_del(c, &p) : sl_compiler_inet_set(c, &p, &nh);
	assert_true(rc == 0 || (del && rc == -ENOENT));
}

/*
 * FIBs built ahead (sl_compiler_fib_prebuild(), start-up): one compiler
 * builds them ahead, then the RIB changes (feed deletions and re-pointed
 * routes, and the config's own Internet routes at sl_compile()), then the
 * first full write moves them in; a second compiler does the same without
 * building ahead. Both banks of both answer alike for every probe. Then the
 * cases where the prebuilt FIBs are dropped: too many changes after the
 * start, and a bank not in FIB mode.
 */
static void test_fib_prebuilt(void **state)
{
	struct sl_store *s = load_ok(sl_t_demo_path(), true);
	const uint64_t size = UINT64_C(160) << 20;
	struct sl_compiler *c[2] = {sl_compiler_new(), sl_compiler_new()};
	void *bank[2][2];
	struct fib_route r[600];
	unsigned int seed = 4242;
	struct sl_compile_stats st;

	fib_random_routes(r, 600, &seed);
	for (int k = 0; k < 2; k++) {
		for (int b = 0; b < 2; b++) {
			bank[k][b] = aligned_alloc(64, size);
			assert_non_null(bank[k][b]);
			memset(bank[k][b], 0, 4096);
		}
		sl_compiler_set_fib(c[k], true);
		for (int i = 0; i < 600; i++)
			fib_apply(c[k], &r[i], false);
	}
	assert_int_equal(sl_compiler_fib_prebuild(c[0]), 0);
	assert_int_equal(sl_compiler_fib_prebuild(c[0]), -EBUSY);
	/* after the start: a third deleted, a third re-pointed */
	for (int i = 0; i < 600; i += 3) {
		r[i + 1].via = 1 + (r[i + 1].via % 3);
		for (int k = 0; k < 2; k++) {
			fib_apply(c[k], &r[i], true);
			fib_apply(c[k], &r[i + 1], false);
		}
	}
	for (int k = 0; k < 2; k++) {
		assert_int_equal(sl_compile(c[k], s, &st), 0);
		assert_int_equal(sl_compile_layout(c[k], bank[k][1], size, 1), 0);
		assert_int_equal(sl_compile_sync_bank(c[k], 0, bank[k][0], size), 0);
	}
	assert_int_equal(sl_compiler_fib_moves(c[0]), 1);
	assert_int_equal(sl_compiler_fib_moves(c[1]), 0);
	/* the second bank of each copied the first's */
	assert_int_equal(sl_compiler_fib_copies(c[0]), 1);
	assert_int_equal(sl_compiler_fib_copies(c[1]), 1);
	for (int probe = 0; probe < 20000; probe++) {
		int i = rand_r(&seed) % 600;
		unsigned int bits = r[i].family == SL_AF_INET ? 32 : 128;
		sl_u128 a = rnd128(&seed);
		const struct sl_nexthop *want;

		if (probe % 2 == 0 && r[i].len < bits) /* inside a route, else anywhere */
			a = r[i].addr | (a & (~(sl_u128)0 >> (r[i].len + 128 - bits)));
		if (bits == 32)
			a &= 0xffffffffu;
		want = fib_nh(bank[1][1], r[i].family, a);
		assert_memory_equal(fib_nh(bank[0][1], r[i].family, a), want, sizeof(*want));
		assert_memory_equal(fib_nh(bank[0][0], r[i].family, a), want, sizeof(*want));
		assert_memory_equal(fib_nh(bank[1][0], r[i].family, a), want, sizeof(*want));
	}
	/* the config's default route (203.0.113.1) won over the feed's /0 */
	assert_memory_equal(fib_nh(bank[0][1], SL_AF_INET, 0x01000000u)->via, "\xcb\x00\x71\x01", 4);
	/* the gateway's own address is LOCAL, moved in as built */
	assert_int_equal(fib_nh(bank[0][1], SL_AF_INET, 0xcb007102u)->type, SL_NH_LOCAL);

	/* too many changes after the start: dropped, the bank builds its own */
	sl_compiler_mark_all_dirty(c[0]);
	sl_compiler_invalidate_banks(c[0]);
	assert_int_equal(sl_compiler_fib_prebuild(c[0]), 0);
	for (uint32_t i = 0; i < 70000; i++) {
		struct sl_pfx p = {.addr = 0x0b000000u + (i << 8), .len = 24, .family = SL_AF_INET};
		struct sl_nexthop nh;

		make_nh(&nh, SL_AF_INET, 2);
		assert_int_equal(sl_compiler_inet_set(c[0], &p, &nh), 0);
	}
	assert_int_equal(sl_compile(c[0], s, &st), 0);
	assert_int_equal(sl_compile_layout(c[0], bank[0][0], size, 2), 0);
	assert_int_equal(sl_compiler_fib_moves(c[0]), 1);
	assert_int_equal(fib_nh(bank[0][0], SL_AF_INET, 0x0b0102ffu)->via[15], 2);
	assert_memory_equal(fib_nh(bank[0][0], SL_AF_INET, 0x01000000u)->via, "\xcb\x00\x71\x01", 4);

	/* banks without FIB mode: nothing to move them to */
	assert_int_equal(sl_compiler_fib_prebuild(c[1]), 0);
	sl_compiler_set_fib(c[1], false);
	assert_int_equal(sl_compile(c[1], s, &st), 0);
	assert_int_equal(sl_compile_layout(c[1], bank[1][0], size, 2), 0);
	assert_false(((const struct sl_bank_header *)bank[1][0])->inet.flags & SL_RT_F_FIB);
	assert_int_equal(sl_compiler_fib_prebuild(c[1]), 0); /* freed with the compiler */
	for (int k = 0; k < 2; k++) {
		free(bank[k][0]);
		free(bank[k][1]);
		sl_compiler_free(c[k]);
	}
	sl_store_free(s);
}

/*
 * A full write while the other bank holds valid FIBs copies them and
 * replays what changed since that bank was written: bank 1 written, both
 * synced, then route changes, then bank 0 rewritten in full (its header
 * lost) from bank 1, which has not seen the changes yet. Both banks answer
 * as the reference.
 */
static void test_fib_copy_replay(void **state)
{
	static const char *const one[] = {"vpc-a"};
	const uint64_t size = UINT64_C(160) << 20;
	struct sl_compiler *c = sl_compiler_new();
	void *bank[2] = {aligned_alloc(64, size), aligned_alloc(64, size)};
	struct fib_route r[400];
	unsigned int seed = 99;
	struct sl_compile_stats st;
	char *j = vpcs_json(one, 1);
	struct sl_store *s = load_ok(j, false);

	free(j);
	memset(bank[0], 0, 4096);
	memset(bank[1], 0, 4096);
	fib_random_routes(r, 400, &seed);
	sl_compiler_set_fib(c, true);
	for (int i = 0; i < 400; i++)
		fib_apply(c, &r[i], false);
	assert_int_equal(sl_compile(c, s, &st), 0);
	assert_int_equal(sl_compile_layout(c, bank[1], size, 1), 0);
	assert_int_equal(sl_compile_sync_bank(c, 0, bank[0], size), 0);
	assert_int_equal(sl_compiler_fib_copies(c), 1);
	for (int k = 0; k < 120; k++) {
		int i = rand_r(&seed) % 400;

		if (rand_r(&seed) % 3 == 0) {
			fib_apply(c, &r[i], true);
			r[i].via = -1;
		} else {
			r[i].via = 1 + rand_r(&seed) % 3;
			fib_apply(c, &r[i], false);
		}
	}
	assert_int_equal(sl_compile(c, s, &st), 0);
	memset(bank[0], 0, sizeof(struct sl_bank_header)); /* a full write of bank 0 */
	assert_int_equal(sl_compile_layout(c, bank[0], size, 2), 0);
	assert_int_equal(sl_compiler_fib_copies(c), 2);
	assert_int_equal(sl_compile_sync_bank(c, 1, bank[1], size), 0); /* incremental */
	assert_int_equal(sl_compiler_fib_copies(c), 2);
	for (int probe = 0; probe < 20000; probe++) {
		int i = rand_r(&seed) % 400;
		unsigned int bits = r[i].family == SL_AF_INET ? 32 : 128;
		sl_u128 a = rnd128(&seed);

		if (probe % 2 == 0 && r[i].len < bits)
			a = r[i].addr | (a & (~(sl_u128)0 >> (r[i].len + 128 - bits)));
		if (bits == 32)
			a &= 0xffffffffu;
		for (int b = 0; b < 2; b++)
			assert_int_equal(bank_via(bank[b], r[i].family, a),
					 fib_ref_lookup(r, 400, r[i].family, a));
	}
	free(bank[0]);
	free(bank[1]);
	sl_store_free(s);
	sl_compiler_free(c);
}

/* Growth past a bank's capacities: an incremental write that does not fit
 * (VPC slots, next-hop slots or heap) falls back to a full write with a new
 * layout; a state that does not fit at all is -ENOSPC. */
static void test_bank_growth(void **state)
{
	static const char *const names[] = {"vpc-a", "vpc-b", "vpc-c", "vpc-d",
					    "vpc-e", "vpc-f", "vpc-g", "vpc-h"};
	struct sl_compiler *c = sl_compiler_new();
	struct sl_compile_stats st;
	struct sl_store *s;
	uint64_t size = 0;
	void *bank[2] = {NULL, NULL};
	void *ref = NULL;
	char *j;

	uint64_t full0;

	/* a bank that holds all eight VPCs exactly: the layout made for the
	 * first one leaves room for a few more, then it must be redone */
	{
		struct sl_compiler *all = sl_compiler_new();

		j = vpcs_json(names, 8);
		s = load_ok(j, false);
		free(j);
		assert_int_equal(sl_compile(all, s, &st), 0);
		size = st.bytes + 256;
		sl_compiler_free(all);
		sl_store_free(s);
	}
	bank[0] = calloc(1, 1 << 20);
	bank[1] = calloc(1, 1 << 20);
	ref = calloc(1, 1 << 20);
	for (int n = 1; n <= 8; n++) {
		struct sl_compiler *fresh = sl_compiler_new();
		uint64_t gen = (uint64_t)n;

		j = vpcs_json(names, n);
		s = load_ok(j, false);
		free(j);
		assert_int_equal(sl_compile(c, s, &st), 0);
		if (n == 3)
			full0 = sl_compiler_full_writes(c);
		assert_int_equal(sl_compile_layout(c, bank[gen & 1], size, gen), 0);
		assert_int_equal(sl_compile_sync_bank(c, (gen + 1) & 1, bank[(gen + 1) & 1], size),
				 0);
		assert_int_equal(sl_compile(fresh, s, &st), 0);
		assert_int_equal(sl_compile_layout(fresh, ref, 1 << 20, gen), 0);
		assert_bank_same(bank[0], ref, names, n);
		assert_bank_same(bank[1], ref, names, n);
		sl_compiler_free(fresh);
		sl_store_free(s);
	}
	/* growth past the first layout's capacities rewrote banks in full */
	assert_true(sl_compiler_full_writes(c) > full0);
	/* a state bigger than the bank: refused (nothing half-done published) */
	j = vpcs_json(names, 8);
	s = load_ok(j, false);
	free(j);
	assert_int_equal(sl_compiler_mark_dirty(c, "vpc-a"), 0);
	assert_int_equal(sl_compile(c, s, &st), 0);
	sl_compiler_invalidate_banks(c); /* e.g. a new, smaller segment */
	assert_int_equal(sl_compile_layout(c, bank[1], st.bytes - 64, 9), -ENOSPC);
	assert_int_equal(sl_compile_layout(c, bank[1], st.bytes, 9), 0);
	sl_store_free(s);
	free(bank[0]);
	free(bank[1]);
	free(ref);
	sl_compiler_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_intervals_edges),	cmocka_unit_test(test_intervals_random_v4),
	    cmocka_unit_test(test_intervals_random_v6), cmocka_unit_test(test_demo_bank),
	    cmocka_unit_test(test_bank_too_small),	cmocka_unit_test(test_10k_vpcs_3_trunks),	cmocka_unit_test(test_cache_and_indexes),
	    cmocka_unit_test(test_left_right_churn),	cmocka_unit_test(test_fib_left_right),
	    cmocka_unit_test(test_fib_groups),
	    cmocka_unit_test(test_fib_config_wins),	cmocka_unit_test(test_fib_prebuilt),
	    cmocka_unit_test(test_fib_copy_replay),	cmocka_unit_test(test_bank_growth),
	};

	sl_log_level = SL_LOG_WARN;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
