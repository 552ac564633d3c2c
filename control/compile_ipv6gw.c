/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiler, IPv6 gateway part: IPv6 gateways, the addresses with Internet
 * bandwidth or an egress-only rule, and the ingress route rules -> the
 * bank's IPv6 gateway section (sl_shm.h, struct sl_ip6gw_sec; semantics in
 * docs/ipv6gw.md).
 *
 * Design note
 * -----------
 * As the NAT section (compile_nat.c): the objects are few (one gateway per
 * VPC, 200 rules per gateway, an address per instance at most), so the
 * section is rebuilt from the validated store at every sl_compile() and
 * compared byte for byte with the previous one; only a difference marks
 * the banks dirty. Nothing in the data plane is keyed by a gateway index
 * (the egress-only state is keyed by VPC index and addresses), so gateway
 * indexes are simply the store's order.
 *
 * Next hops of ingress route rules: the rule's target is an instance in
 * the gateway's VPC; its next hop is SL_NH_GATEWAY via the instance's IPv6
 * address on the VPC's side (the same bytes a custom route to the instance
 * gets, so the two share a global index). The section holds one reference
 * on each of its next hops (sl_compiler_nh_acquire): they stay in the
 * bank's next-hop array for as long as a rule uses them, whatever the VPC
 * tables do. A new section takes its references before the old section's
 * are released, so an unchanged rule keeps its index.
 *
 * HaVip next hops (ABI 13): the rule's interval value is
 * SL_IP6GW_RULE_HAVIP | an index into havip[], one entry per HaVip that
 * some rule names (shared by its rules): the HaVip's VPC, IPv4 address
 * and VSwitch gateway address, and per associated instance its IPv4
 * address (what sluice-dp's holder learning names the holder by) and a
 * next hop via its IPv6 address, referenced like an ECS rule's. Which
 * instance holds the HaVip is sluice-dp's to know (docs/ipv6gw.md);
 * validation made sure every associated instance has an IPv6 address.
 *
 * Addresses: an Ipv6Address object with bandwidth, and every address an
 * egress-only rule names (an Ipv6Address object, or an instance's
 * Ipv6Address with InstanceType Instance), in the VPC of a gateway. An
 * address without bandwidth is kept only if an egress-only rule names it
 * (the flags say so; the data plane drops it for lack of bandwidth first).
 * addr[] is sorted by (address, VPC); the fast path finds an entry through
 * the address hash (ABI 17, issue 9: sl_gb_addr_hash), built from it.
 *
 * Concurrency: single-threaded, like the rest of the compiler.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_compile.h"
#include "sl_judy.h"
#include "sl_validate.h"

struct sl_ip6gw_compiler {
	struct sl_ip6gw_sec *sec; /**< the last section built, NULL if none */
	uint32_t *held;		  /**< global next hops the section references */
	uint32_t n_held;
};

struct sl_ip6gw_compiler *sl_ip6gw_compiler_new(void)
{
	return calloc(1, sizeof(struct sl_ip6gw_compiler));
}

void sl_ip6gw_compiler_free(struct sl_ip6gw_compiler *g)
{
	if (g == NULL)
		return;
	free(g->sec);
	free(g->held);
	free(g);
}

const struct sl_ip6gw_sec *sl_ip6gw_compiled(const struct sl_ip6gw_compiler *g)
{
	return g->sec;
}

/* The section under construction. */
struct sl_ip6gw_build {
	struct sl_ip6gw_gw_ent *gw;
	struct sl_ip6gw_addr_ent *addr;
	struct sl_rt6_entry *vpc_rt, *rule_rt;
	struct sl_ip6gw_havip_ent *havip;
	uint32_t *held; /**< next-hop references taken so far */
	uint32_t n_gw, n_addr, n_vpc_rt, n_rule_rt, n_held, n_havip;
	uint32_t c_gw, c_addr, c_vpc_rt, c_rule_rt, c_held, c_havip;
	Pvoid_t gw_of;	  /**< JudySL Ipv6GatewayId -> index + 1 */
	Pvoid_t addr_of;  /**< JudySL "VpcId|address" -> addr index + 1 */
	Pvoid_t havip_of; /**< JudySL HaVipId -> havip index + 1 */
};

#define SL_GB_PUSH(b, arr, cnt, cap)                                                               \
	(sl_compile_grow((void **)&(b)->arr, &(b)->cap, (b)->cnt, sizeof(*(b)->arr)) < 0           \
	     ? NULL                                                                                \
	     : memset(&(b)->arr[(b)->cnt++], 0, sizeof(*(b)->arr)))

static void sl_gb_free(struct sl_ip6gw_build *b)
{
	free(b->gw);
	free(b->addr);
	free(b->vpc_rt);
	free(b->rule_rt);
	free(b->havip);
	free(b->held);
	sl_jsl_free(&b->gw_of);
	sl_jsl_free(&b->addr_of);
	sl_jsl_free(&b->havip_of);
}

static uint32_t sl_gb_gw(const struct sl_ip6gw_build *b, const struct sl_ipv6gw_obj *g)
{
	void *v = g ? sl_jsl_get(b->gw_of, g->id) : NULL;

	return v ? (uint32_t)((uintptr_t)v - 1) : UINT32_MAX;
}

static int sl_gb_gateways(struct sl_ip6gw_build *b, const struct sl_compiler *c,
			  const struct sl_store *s)
{
	for (unsigned int i = 0; i < s->ipv6gw_v.n; i++) {
		const struct sl_ipv6gw_obj *g = s->ipv6gw_v.v[i];
		int vi = g->vpc ? sl_compiler_vpc_index(c, g->vpc->id) : -ENOENT;
		struct sl_ip6gw_gw_ent *e;
		int rc;

		if (vi < 0)
			continue; /* cannot happen in a validated store */
		e = SL_GB_PUSH(b, gw, n_gw, c_gw);
		if (e == NULL)
			return -ENOMEM;
		snprintf(e->id, sizeof(e->id), "%s", g->id);
		e->vpc_index = (uint32_t)vi;
		rc = sl_jsl_insert(&b->gw_of, g->id, (void *)(uintptr_t)b->n_gw);
		if (rc < 0 && rc != -EEXIST)
			return rc;
	}
	return 0;
}

/* The entry of address `ip` in gateway `gi`'s VPC, created if new. */
static struct sl_ip6gw_addr_ent *sl_gb_addr(struct sl_ip6gw_build *b, uint32_t gi,
					    const struct sl_vpc_obj *v, const struct sl_pfx *ip,
					    const char *id)
{
	char key[SL_ID_LEN + SL_PFX_STRLEN + 2];
	struct sl_ip6gw_addr_ent *e;
	void *x;

	if (sl_ipv6_addr_key(v->id, ip, key, sizeof(key)) < 0)
		return NULL;
	x = sl_jsl_get(b->addr_of, key);
	if (x)
		return &b->addr[(uintptr_t)x - 1];
	e = SL_GB_PUSH(b, addr, n_addr, c_addr);
	if (e == NULL || sl_jsl_insert(&b->addr_of, key, (void *)(uintptr_t)b->n_addr) < 0)
		return NULL;
	e->hi = (uint64_t)(ip->addr >> 64);
	e->lo = (uint64_t)ip->addr;
	e->vpc_index = b->gw[gi].vpc_index;
	e->gw = gi;
	snprintf(e->id, sizeof(e->id), "%s", id);
	return e;
}

static int sl_gb_addresses(struct sl_ip6gw_build *b, const struct sl_store *s)
{
	for (unsigned int i = 0; i < s->ipv6bw_v.n; i++) {
		const struct sl_ipv6bw_obj *w = s->ipv6bw_v.v[i];
		const struct sl_ipv6addr_obj *a = w->addr;
		uint32_t gi = sl_gb_gw(b, w->gw);
		struct sl_ip6gw_addr_ent *e;

		if (a == NULL || gi == UINT32_MAX || !a->ip.family || a->vswitch == NULL ||
		    a->vswitch->vpc == NULL)
			continue; /* cannot happen in a validated store */
		e = sl_gb_addr(b, gi, a->vswitch->vpc, &a->ip, a->id);
		if (e == NULL)
			return -ENOMEM;
		e->flags |= SL_IP6GW_A_BANDWIDTH;
		e->bandwidth = w->bandwidth;
	}
	for (unsigned int i = 0; i < s->ipv6egress_v.n; i++) {
		const struct sl_ipv6egress_obj *r = s->ipv6egress_v.v[i];
		uint32_t gi = sl_gb_gw(b, r->gw);
		const struct sl_pfx *ip = NULL;
		const char *id = "";
		struct sl_ip6gw_addr_ent *e;

		if (gi == UINT32_MAX || r->gw->vpc == NULL)
			continue;
		if (strcmp(r->instance_type, "Instance") == 0) {
			const struct sl_instance_obj *in = sl_store_instance(s, r->instance_id);

			ip = in ? &in->ip6 : NULL;
		} else {
			const struct sl_ipv6addr_obj *a = sl_jsl_get(s->ipv6addrs, r->instance_id);

			ip = a ? &a->ip : NULL;
			id = a ? a->id : "";
		}
		if (ip == NULL || ip->family != SL_AF_INET6)
			continue;
		e = sl_gb_addr(b, gi, r->gw->vpc, ip, id);
		if (e == NULL)
			return -ENOMEM;
		e->flags |= SL_IP6GW_A_EGRESS_ONLY;
	}
	return 0;
}

/* Intervals of prefixes `in` appended to `*arr`; first/n of the slice. */
static int sl_gb_intervals(struct sl_rt_in *in, size_t n_in, struct sl_rt6_entry **arr, uint32_t *n,
			   uint32_t *cap, uint32_t *first, uint32_t *count)
{
	struct sl_rt6_entry *iv = NULL;
	uint32_t n_iv = 0;
	int rc = sl_rt6_build(in, n_in, &iv, &n_iv);

	if (rc < 0)
		return rc;
	*first = *n;
	*count = n_iv;
	for (uint32_t i = 0; i < n_iv && rc == 0; i++) {
		if (sl_compile_grow((void **)arr, cap, *n, sizeof(**arr)) < 0)
			rc = -ENOMEM;
		else
			(*arr)[(*n)++] = iv[i];
	}
	free(iv);
	return rc;
}

static int sl_rt_in_push(struct sl_rt_in **in, uint32_t *n, uint32_t *cap, const struct sl_pfx *p,
			 uint32_t nh)
{
	if (sl_compile_grow((void **)in, cap, *n, sizeof(**in)) < 0)
		return -ENOMEM;
	(*in)[*n] = (struct sl_rt_in){.addr = sl_pfx_first(p), .len = p->len, .nh = nh, .seq = *n};
	(*n)++;
	return 0;
}

/* The IPv6 CIDRs of the gateways' VPCs (the VPC block and its VSwitches'
 * /64s) -> gateway index + 1. */
static int sl_gb_vpc_rt(struct sl_ip6gw_build *b, const struct sl_store *s)
{
	struct sl_rt_in *in = NULL;
	uint32_t n_in = 0, cap = 0, first, count;
	int rc = 0;

	for (unsigned int i = 0; i < s->ipv6gw_v.n && rc == 0; i++) {
		const struct sl_ipv6gw_obj *g = s->ipv6gw_v.v[i];
		uint32_t gi = sl_gb_gw(b, g);
		char key[SL_JSL_KEY_MAX] = "";

		if (gi == UINT32_MAX)
			continue;
		if (g->vpc->cidr6.family == SL_AF_INET6)
			rc = sl_rt_in_push(&in, &n_in, &cap, &g->vpc->cidr6, gi + 1);
		for (struct sl_vswitch_obj *w = sl_jsl_first(g->vpc->vswitches, key); w && rc == 0;
		     w = sl_jsl_next(g->vpc->vswitches, key))
			if (w->cidr6.family == SL_AF_INET6)
				rc = sl_rt_in_push(&in, &n_in, &cap, &w->cidr6, gi + 1);
	}
	if (rc == 0)
		rc = sl_gb_intervals(in, n_in, &b->vpc_rt, &b->n_vpc_rt, &b->c_vpc_rt, &first,
				     &count);
	free(in);
	return rc;
}

/* The next hop of a rule to instance `in`, one reference taken. */
static int sl_gb_rule_nh(struct sl_ip6gw_build *b, struct sl_compiler *c,
			 const struct sl_instance_obj *in, uint32_t vpc_index, uint32_t *nh_idx)
{
	const struct sl_pfx *sub = &in->vswitch->cidr6;
	struct sl_nexthop nh;
	uint32_t *h;
	int rc;

	sl_compile_inside_nexthop(&nh, SL_NH_GATEWAY, SL_AF_INET6, in->vswitch->vpc, vpc_index,
				  in->id);
	sl_addr_to_bytes(SL_AF_INET6, in->ip6.addr, nh.via);
	sl_addr_to_bytes(SL_AF_INET6, sl_pfx_gateway(sub), nh.src);
	h = SL_GB_PUSH(b, held, n_held, c_held);
	if (h == NULL)
		return -ENOMEM;
	rc = sl_compiler_nh_acquire(c, &nh, h);
	if (rc < 0) {
		b->n_held--;
		return rc;
	}
	*nh_idx = *h;
	return 0;
}

/* The havip[] entry of HaVip `h` (created with its instances' next hops
 * the first time a rule names it) -> the rule's interval value. */
static int sl_gb_rule_havip(struct sl_ip6gw_build *b, struct sl_compiler *c,
			    const struct sl_havip_obj *h, const struct sl_store *s,
			    uint32_t vpc_index, uint32_t *value)
{
	void *x = sl_jsl_get(b->havip_of, h->id);
	struct sl_ip6gw_havip_ent *e;
	int rc = 0;

	if (x) {
		*value = SL_IP6GW_RULE_HAVIP | (uint32_t)((uintptr_t)x - 1);
		return 0;
	}
	e = SL_GB_PUSH(b, havip, n_havip, c_havip);
	if (e == NULL)
		return -ENOMEM;
	e->vpc_index = vpc_index;
	e->addr = (uint32_t)h->ip.addr;
	e->src = h->vswitch ? (uint32_t)sl_pfx_gateway(&h->vswitch->cidr) : 0;
	snprintf(e->id, sizeof(e->id), "%s", h->id);
	for (unsigned int i = 0; i < h->n_instances && i < SL_HAVIP_MAX_INST && rc == 0; i++) {
		const struct sl_instance_obj *in = sl_store_instance(s, h->instances[i]);
		struct sl_ip6gw_havip_inst *hi = &e->inst[e->n_inst];

		if (in == NULL || in->ip6.family != SL_AF_INET6 || in->ip4.family != SL_AF_INET ||
		    in->vswitch == NULL || in->vswitch->cidr6.family != SL_AF_INET6)
			continue; /* cannot happen in a validated store */
		rc = sl_gb_rule_nh(b, c, in, vpc_index, &hi->nh);
		hi->addr = (uint32_t)in->ip4.addr;
		if (rc == 0)
			e->n_inst++;
	}
	if (rc == 0)
		rc = sl_jsl_insert(&b->havip_of, h->id, (void *)(uintptr_t)b->n_havip);
	*value = SL_IP6GW_RULE_HAVIP | (b->n_havip - 1);
	return rc;
}

/* Gateway `gi`'s ingress route rules -> its slice of rule_rt[]. */
static int sl_gb_rules(struct sl_ip6gw_build *b, struct sl_compiler *c, const struct sl_store *s,
		       uint32_t gi)
{
	struct sl_ip6gw_gw_ent *g = &b->gw[gi];
	struct sl_rt_in *in = NULL;
	uint32_t n_in = 0, cap = 0;
	int rc = 0;

	for (unsigned int i = 0; i < s->ipv6rule_v.n && rc == 0; i++) {
		const struct sl_ipv6rule_obj *r = s->ipv6rule_v.v[i];
		const struct sl_instance_obj *t = r->instance;
		uint32_t nh = 0;

		if (sl_gb_gw(b, r->gw) != gi || r->dest.family != SL_AF_INET6)
			continue;
		if (r->havip)
			rc = sl_gb_rule_havip(b, c, r->havip, s, g->vpc_index, &nh);
		else if (t == NULL || t->ip6.family != SL_AF_INET6 || t->vswitch == NULL ||
			 t->vswitch->vpc == NULL || t->vswitch->cidr6.family != SL_AF_INET6)
			continue; /* invalid ones: refused by validation */
		else
			rc = sl_gb_rule_nh(b, c, t, g->vpc_index, &nh);
		if (rc == 0)
			rc = sl_rt_in_push(&in, &n_in, &cap, &r->dest, nh);
		if (rc == 0)
			g->n_rules++;
	}
	if (rc == 0)
		rc = sl_gb_intervals(in, n_in, &b->rule_rt, &b->n_rule_rt, &b->c_rule_rt,
				     &g->rule_rt_first, &g->rule_rt_n);
	free(in);
	return rc;
}

static int sl_addr_ent_cmp(const void *pa, const void *pb)
{
	const struct sl_ip6gw_addr_ent *a = pa, *b = pb;

	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return (a->vpc_index > b->vpc_index) - (a->vpc_index < b->vpc_index);
}

#define SL_GB_ALIGN(x) (((x) + 63) & ~(uint64_t)63)

/*
 * The address hash (ABI 17, sl_shm.h struct sl_ip6gw_addr_slot) over the
 * sorted addr[] and vpc_rt: a slot (address, VPC) per entry, and a slot
 * (address, SL_IP6GW_VPC_INBOUND) for the entry ip6gw_in delivers the
 * address to (the one in the VPC of the gateway vpc_rt gives for it, if
 * that VPC has one: at most one per address, the keys being unique). A
 * power of two >= 2 * keys slots (>= 2), so at least half stay empty and
 * every probe ends. Filled in addr[] order: the section is a function of
 * the store (the compiler compares sections byte for byte).
 */
static void sl_gb_hash_put(struct sl_ip6gw_addr_slot *t, uint32_t mask,
			   const struct sl_ip6gw_addr_slot *k)
{
	uint32_t p = sl_ip6gw_addr_hash(k->hi, k->lo, k->vpc_index) & mask;

	while (t[p].idx != 0)
		p = (p + 1) & mask;
	t[p] = *k;
}

static struct sl_ip6gw_addr_slot *sl_gb_addr_hash(const struct sl_ip6gw_build *b, uint32_t *mask)
{
	uint32_t slots = 2, *owner = calloc(b->n_addr + 1, sizeof(*owner));
	uint64_t keys = b->n_addr;
	struct sl_ip6gw_addr_slot *t;

	if (owner == NULL)
		return NULL;
	for (uint32_t i = 0; i < b->n_addr; i++) { /* gateway + 1 if ip6gw_in's entry */
		const struct sl_ip6gw_addr_ent *a = &b->addr[i];
		uint32_t g = sl_rt6_find(b->vpc_rt, b->n_vpc_rt, a->hi, a->lo);

		if (g != 0 && g <= b->n_gw && b->gw[g - 1].vpc_index == a->vpc_index) {
			owner[i] = g;
			keys++;
		}
	}
	while (slots < 2 * keys)
		slots *= 2;
	t = calloc(slots, sizeof(*t));
	for (uint32_t i = 0; t && i < b->n_addr; i++) {
		const struct sl_ip6gw_addr_ent *a = &b->addr[i];
		struct sl_ip6gw_addr_slot k = {.hi = a->hi,
					       .lo = a->lo,
					       .vpc_index = a->vpc_index,
					       .idx = i + 1,
					       .flags = a->flags,
					       .gw = a->gw};

		sl_gb_hash_put(t, slots - 1, &k);
		if (owner[i]) {
			k.vpc_index = SL_IP6GW_VPC_INBOUND;
			k.gw = owner[i] - 1;
			sl_gb_hash_put(t, slots - 1, &k);
		}
	}
	free(owner);
	*mask = slots - 1;
	return t;
}

static struct sl_ip6gw_sec *sl_gb_pack(const struct sl_ip6gw_build *b)
{
	struct sl_ip6gw_sec h = {.n_gws = b->n_gw,
				 .n_vpc_rt = b->n_vpc_rt,
				 .n_addrs = b->n_addr,
				 .n_rule_rt = b->n_rule_rt,
				 .n_havips = b->n_havip};
	struct sl_ip6gw_addr_slot *hash = sl_gb_addr_hash(b, &h.addr_hash_mask);
	const struct {
		const void *src;
		size_t bytes;
		uint64_t *off;
	} part[] = {
	    {b->gw, (size_t)b->n_gw * sizeof(*b->gw), &h.gw_off},
	    {b->vpc_rt, (size_t)b->n_vpc_rt * sizeof(*b->vpc_rt), &h.vpc_rt_off},
	    {b->addr, (size_t)b->n_addr * sizeof(*b->addr), &h.addr_off},
	    {b->rule_rt, (size_t)b->n_rule_rt * sizeof(*b->rule_rt), &h.rule_rt_off},
	    {b->havip, (size_t)b->n_havip * sizeof(*b->havip), &h.havip_off},
	    {hash, ((size_t)h.addr_hash_mask + 1) * sizeof(*hash), &h.addr_hash_off},
	};
	uint64_t off = SL_GB_ALIGN(sizeof(h));
	struct sl_ip6gw_sec *out;

	if (hash == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(part) / sizeof(part[0]); i++) {
		*part[i].off = off;
		off += SL_GB_ALIGN(part[i].bytes);
	}
	h.size = off;
	out = calloc(1, off);
	if (out != NULL) {
		*out = h;
		for (size_t i = 0; i < sizeof(part) / sizeof(part[0]); i++)
			if (part[i].bytes)
				memcpy((uint8_t *)out + *part[i].off, part[i].src, part[i].bytes);
	}
	free(hash);
	return out;
}

static void sl_release_all(struct sl_compiler *c, const uint32_t *held, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		sl_compiler_nh_release(c, held[i]);
}

int sl_ip6gw_compile(struct sl_ip6gw_compiler *g, struct sl_compiler *c, const struct sl_store *s,
		     bool *changed)
{
	struct sl_ip6gw_build b;
	struct sl_ip6gw_sec *sec = NULL;
	int rc;

	memset(&b, 0, sizeof(b));
	*changed = false;
	rc = sl_gb_gateways(&b, c, s);
	if (rc == 0)
		rc = sl_gb_addresses(&b, s);
	if (rc == 0)
		rc = sl_gb_vpc_rt(&b, s);
	for (uint32_t gi = 0; gi < b.n_gw && rc == 0; gi++)
		rc = sl_gb_rules(&b, c, s, gi);
	if (rc == 0 && b.n_addr)
		qsort(b.addr, b.n_addr, sizeof(*b.addr), sl_addr_ent_cmp);
	if (rc == 0 && b.n_gw) {
		sec = sl_gb_pack(&b);
		if (sec == NULL)
			rc = -ENOMEM;
	}
	if (rc < 0) {
		sl_release_all(c, b.held, b.n_held);
		sl_gb_free(&b);
		return rc;
	}
	/* the new references are held: the old ones may go */
	sl_release_all(c, g->held, g->n_held);
	free(g->held);
	g->held = b.held;
	g->n_held = b.n_held;
	b.held = NULL;
	if ((sec == NULL) != (g->sec == NULL) ||
	    (sec && (sec->size != g->sec->size || memcmp(sec, g->sec, sec->size) != 0))) {
		*changed = true;
		free(g->sec);
		g->sec = sec;
	} else {
		free(sec);
	}
	sl_gb_free(&b);
	return 0;
}
