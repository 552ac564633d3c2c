/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the HaVip section (compile_havip.c) and of routes via a
 * HaVip (compile.c): what a store with HaVips compiles to, read the way
 * sluice-dp reads it (the section in a written bank, sorted by VPC index
 * and address); change detection; and left-right bank writes as HaVips,
 * associations and routes come and go, compared with a fresh compile.
 */
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

/* vpc-a (vsw-a1 with i-a1..i-a3, vsw-a2 with i-a4) and vpc-b (vsw-b1 with
 * i-b1); the HaVip and route entry arrays as given. */
static char *cfg(const char *havips, const char *routes)
{
	return sl_t_json(
	    "{'Regions':[{'RegionId':'r1','Zones':[{'ZoneId':'z1'}]}],"
	    "'Gateway':{'Outside':{'Addresses':['203.0.113.2/24']}},"
	    "'Vpcs':[{'VpcId':'vpc-a','RegionId':'r1','CidrBlock':'10.0.0.0/16','VlanId':10,"
	    "'RouteTableId':'vtb-a'},"
	    "{'VpcId':'vpc-b','RegionId':'r1','CidrBlock':'10.1.0.0/16','VlanId':11,"
	    "'RouteTableId':'vtb-b'}],"
	    "'VSwitches':[{'VSwitchId':'vsw-a1','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
	    "'10.0.1.0/24'},{'VSwitchId':'vsw-a2','VpcId':'vpc-a','ZoneId':'z1','CidrBlock':"
	    "'10.0.2.0/24'},{'VSwitchId':'vsw-b1','VpcId':'vpc-b','ZoneId':'z1','CidrBlock':"
	    "'10.1.1.0/24'}],"
	    "'Instances':[{'InstanceId':'i-a1','VSwitchId':'vsw-a1','PrivateIpAddress':'10.0.1.10'},"
	    "{'InstanceId':'i-a2','VSwitchId':'vsw-a1','PrivateIpAddress':'10.0.1.20'},"
	    "{'InstanceId':'i-a3','VSwitchId':'vsw-a1','PrivateIpAddress':'10.0.1.30'},"
	    "{'InstanceId':'i-a4','VSwitchId':'vsw-a2','PrivateIpAddress':'10.0.2.40'},"
	    "{'InstanceId':'i-b1','VSwitchId':'vsw-b1','PrivateIpAddress':'10.1.1.10'}],"
	    "'HaVips':[%s],'RouteEntries':[%s]}",
	    havips ? havips : "", routes ? routes : "");
}

#define HV(id, vsw, ip, inst)                                                                      \
	"{'HaVipId':'" id "','VSwitchId':'" vsw "','IpAddress':'" ip                               \
	"','AssociatedInstances':[" inst "]}"
#define RT(rtb, dst, hv)                                                                           \
	"{'RouteTableId':'" rtb "','DestinationCidrBlock':'" dst "','NextHopType':'HaVip',"       \
	"'NextHopId':'" hv "'}"

static const char base_havips[] =
    HV("hv-a2", "vsw-a1", "10.0.1.200", "'i-a3'") "," HV("hv-b", "vsw-b1", "10.1.1.100",
							"'i-b1'") "," HV("hv-a1", "vsw-a1",
									 "10.0.1.100",
									 "'i-a2','i-a1'") "," HV("hv-a3", "vsw-a2", "10.0.2.100", "");

static const struct sl_havip_sec *bank_havip(const struct sl_bank_header *h)
{
	if (h->havip_off == 0)
		return NULL;
	assert_true(h->havip_off + h->havip_size <= h->used);
	return SL_BANK_PTR(h, h->havip_off, const struct sl_havip_sec);
}

/* The section as text, one line per HaVip in section order. */
static char *havip_dump(const struct sl_havip_sec *s)
{
	size_t cap = 64 + (s ? s->n : 0) * 512, len = 0;
	char *out = calloc(1, cap);

	if (s == NULL)
		return out;
	assert_int_equal(s->size, sizeof(*s) + s->n * sizeof(s->ent[0]));
	for (uint32_t i = 0; i < s->n; i++) {
		const struct sl_havip_ent *e = &s->ent[i];

		len += (size_t)snprintf(out + len, cap - len, "%u %08x %s src %08x:", e->vpc_index,
					e->addr, e->id, e->src);
		for (uint32_t k = 0; k < e->n_inst; k++)
			len += (size_t)snprintf(out + len, cap - len, " %s=%08x", e->inst[k].id,
						e->inst[k].addr);
		len += (size_t)snprintf(out + len, cap - len, "\n");
	}
	return out;
}

static void test_section(void **state)
{
	const uint64_t size = 1 << 20;
	struct sl_store *s = sl_t_load_ok(cfg(base_havips, RT("vtb-a", "10.50.0.0/16", "hv-a1")));
	struct sl_compiler *c = sl_compiler_new();
	void *bank = aligned_alloc(64, size);
	const struct sl_havip_sec *sec;
	const struct sl_nexthop *nh;
	char want[1024], a_lines[512], b_line[256], *got;
	int va, vb;

	(void)state;
	memset(bank, 0, size);
	sl_t_build(c, s, bank, size, 1);
	va = sl_compiler_vpc_index(c, "vpc-a");
	vb = sl_compiler_vpc_index(c, "vpc-b");
	assert_true(va >= 0 && vb >= 0 && va != vb);
	sec = bank_havip(bank);
	assert_non_null(sec);
	assert_int_equal(sec->n, 4);
	/* sorted by (VPC index, address); instances in association order,
	 * a HaVip without instances listed (claims from it are all refused) */
	snprintf(a_lines, sizeof(a_lines),
		 "%d 0a000164 hv-a1 src 0a0001fd: i-a2=0a000114 i-a1=0a00010a\n"
		 "%d 0a0001c8 hv-a2 src 0a0001fd: i-a3=0a00011e\n"
		 "%d 0a000264 hv-a3 src 0a0002fd:\n",
		 va, va, va);
	snprintf(b_line, sizeof(b_line), "%d 0a010164 hv-b src 0a0101fd: i-b1=0a01010a\n", vb);
	snprintf(want, sizeof(want), "%s%s", va < vb ? a_lines : b_line, va < vb ? b_line : a_lines);
	got = havip_dump(sec);
	assert_string_equal(got, want);
	free(got);

	/* the route via hv-a1: GATEWAY via the HaVip address, from vsw-a1's
	 * gateway address, owned by the HaVip */
	nh = sl_t_vpc_nh(bank, "vpc-a", sl_t_ip4("10.50.3.4"));
	assert_int_equal(nh->type, SL_NH_GATEWAY);
	assert_int_equal(nh->family, SL_AF_INET);
	assert_memory_equal(nh->via, "\x0a\x00\x01\x64", 4);
	assert_memory_equal(nh->src, "\x0a\x00\x01\xfd", 4);
	assert_string_equal(nh->owner_id, "hv-a1");
	assert_int_equal(nh->vlan, 10);
	free(bank);
	sl_compiler_free(c);
	sl_store_free(s);
}

static void test_change_detection(void **state)
{
	struct sl_compiler *c = sl_compiler_new();
	struct sl_store *s1 = sl_t_load_ok(cfg(base_havips, NULL));
	struct sl_store *s2 = sl_t_load_ok(cfg(base_havips, NULL));
	struct sl_store *s3 = sl_t_load_ok(cfg(HV("hv-a1", "vsw-a1", "10.0.1.100", "'i-a1'"), NULL));
	struct sl_store *s4 = sl_t_load_ok(cfg(NULL, NULL));
	const uint64_t size = 1 << 20;
	void *bank = aligned_alloc(64, size);

	(void)state;
	memset(bank, 0, size);
	assert_null(sl_compiler_havip(c));
	sl_t_build(c, s1, bank, size, 2);
	assert_false(sl_compile_bank_dirty(c, 0));
	assert_true(sl_compile_bank_dirty(c, 1)); /* not written yet */
	assert_int_equal(sl_compile_sync_bank(c, 1, bank, size), 0);
	/* the same content: nothing to write */
	assert_int_equal(sl_compile(c, s2, NULL), 0);
	assert_false(sl_compile_bank_dirty(c, 0));
	assert_false(sl_compile_bank_dirty(c, 1));
	/* an association less: both banks must take it */
	assert_int_equal(sl_compile(c, s3, NULL), 0);
	assert_true(sl_compile_bank_dirty(c, 0));
	assert_true(sl_compile_bank_dirty(c, 1));
	assert_int_equal(sl_compiler_havip(c)->n, 1);
	assert_int_equal(sl_compiler_havip(c)->ent[0].n_inst, 1);
	/* no HaVip: no section */
	assert_int_equal(sl_compile(c, s4, NULL), 0);
	assert_null(sl_compiler_havip(c));
	sl_t_build(c, s4, bank, size, 4);
	assert_int_equal(((struct sl_bank_header *)bank)->havip_off, 0);
	free(bank);
	sl_compiler_free(c);
	sl_store_free(s1);
	sl_store_free(s2);
	sl_store_free(s3);
	sl_store_free(s4);
}

struct lr_step {
	const char *havips, *routes;
};

static const struct lr_step lr_steps[] = {
    {NULL, NULL},
    {base_havips, RT("vtb-a", "10.50.0.0/16", "hv-a1")},
    {HV("hv-a1", "vsw-a1", "10.0.1.100", "'i-a3'"), RT("vtb-a", "10.50.0.0/16", "hv-a1")},
    {HV("hv-a1", "vsw-a1", "10.0.1.100", "'i-a3'") "," HV("hv-b", "vsw-b1", "10.1.1.100", "'i-b1'"),
     RT("vtb-b", "10.60.0.0/16", "hv-b")},
    {base_havips, NULL},
};

static struct sl_store *lr_load(unsigned int step, void *arg)
{
	(void)arg;
	return sl_t_load_ok(cfg(lr_steps[step].havips, lr_steps[step].routes));
}

/* routes changed: what sluiced's store diff marks */
static void lr_mark(struct sl_compiler *c, void *arg)
{
	(void)arg;
	assert_int_equal(sl_compiler_mark_dirty(c, "vpc-a"), 0);
	assert_int_equal(sl_compiler_mark_dirty(c, "vpc-b"), 0);
}

static char *lr_dump(const void *bank)
{
	return havip_dump(bank_havip(bank));
}

/* the route via a HaVip exists exactly in the steps that have it */
static void lr_check(unsigned int step, void *const bank[2], unsigned int cur, const void *ref,
		     void *arg)
{
	const char *routes = lr_steps[step].routes;

	(void)cur;
	(void)ref;
	(void)arg;
	for (unsigned int b = 0; b < 2; b++) {
		const struct sl_nexthop *x = sl_t_vpc_nh(bank[b], "vpc-a", sl_t_ip4("10.50.0.1"));

		assert_int_equal(x->type, routes && strstr(routes, "10.50.") ? SL_NH_GATEWAY
									     : SL_NH_UNREACHABLE);
		x = sl_t_vpc_nh(bank[b], "vpc-b", sl_t_ip4("10.60.0.1"));
		assert_int_equal(x->type, routes && strstr(routes, "10.60.") ? SL_NH_GATEWAY
									     : SL_NH_UNREACHABLE);
	}
}

static void test_left_right(void **state)
{
	const struct sl_t_left_right t = {
	    .n_steps = sizeof(lr_steps) / sizeof(lr_steps[0]),
	    .rounds = 2,
	    .size = 1 << 20,
	    .load = lr_load,
	    .before = lr_mark,
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
	    cmocka_unit_test(test_change_detection),
	    cmocka_unit_test(test_left_right),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
