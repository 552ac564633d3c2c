/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiler: objects -> next hops, prefix lists and lookup intervals, with a
 * per-VPC cache, and the bank layout.
 *
 * Design note
 * -----------
 * Interval builder: sort prefixes by (first address, length, seq), then
 * sweep with a stack of enclosing prefixes. Prefixes either nest or are
 * disjoint, so the stack top always covers the current address and the
 * innermost (longest) prefix wins. Each time the sweep moves past the end
 * of the stack top, or reaches the start of a nested prefix, it closes an
 * interval; an interval whose next hop equals the previous one is merged.
 * O(n log n) for the sort, O(n) for the sweep, both families in 128-bit
 * arithmetic (the last address of ::/0 is handled without overflow).
 *
 * Tables: what each VPC table holds (in insertion order, which is also the
 * tie-break for equal prefixes):
 *   per VSwitch (by id): CIDR -> CONNECTED (src = VSwitch gateway address),
 *     gateway /32 -> LOCAL; the same for its IPv6 /64 and gateway /128;
 *   100.64.0.0/10 -> BLACKHOLE (SYSTEM);
 *   per custom route: destination -> GATEWAY via the instance's address of
 *     the destination's family (src = gateway address of its VSwitch).
 * The Internet table: each outside address /32 or /128 -> LOCAL, its subnet
 * -> CONNECTED (src = that address), each Internet route -> GATEWAY.
 * System next hops carry SL_NH_F_SYSTEM.
 *
 * Cache: VPC tables are independent of each other (a route's next hop is
 * an instance of the same VPC), so a change marks only the VPCs it touches.
 * Next hops are numbered per table while compiling (dedup by content with a
 * JudyHS), then globally at sl_compile() time (same dedup across tables);
 * the layout remaps each cached table's intervals through its gmap[], which
 * is linear and cheap next to building intervals.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_compile.h"
#include "sl_judy.h"
#include "sl_ctl_log.h"

#define SL_ALIGN(x) (((x) + (uint64_t)SL_CACHE_LINE - 1) & ~((uint64_t)SL_CACHE_LINE - 1))

/* ---- interval builder ------------------------------------------------------ */

struct sl_ival {
	sl_u128 start;
	uint32_t nh;
};

static int sl_rt_in_cmp(const void *pa, const void *pb)
{
	const struct sl_rt_in *a = pa, *b = pb;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

struct sl_ivec {
	struct sl_ival *v;
	size_t n, cap;
	int err;
};

static void sl_emit(struct sl_ivec *o, sl_u128 start, uint32_t nh)
{
	if (o->n && o->v[o->n - 1].nh == nh)
		return; /* merge with the previous interval */
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 64;
		struct sl_ival *v = realloc(o->v, cap * sizeof(*v));

		if (v == NULL) {
			o->err = -ENOMEM;
			return;
		}
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n].start = start;
	o->v[o->n].nh = nh;
	o->n++;
}

static int sl_intervals(unsigned int bits, struct sl_rt_in *pfx, size_t n, struct sl_ivec *out)
{
	struct {
		sl_u128 first, last;
		uint32_t nh;
	} stack[130];
	uint8_t family = bits == 128 ? SL_AF_INET6 : SL_AF_INET;
	sl_u128 maxv = sl_hostmask(family, 0);
	sl_u128 cur = 0;
	int sp = 0;

	memset(out, 0, sizeof(*out));
	if (n > 1)
		qsort(pfx, n, sizeof(*pfx), sl_rt_in_cmp);
	stack[0].first = 0;
	stack[0].last = maxv;
	stack[0].nh = SL_NH_NONE;
	for (size_t i = 0; i < n; i++) {
		sl_u128 first = pfx[i].addr & ~sl_hostmask(family, pfx[i].len);
		sl_u128 last = first | sl_hostmask(family, pfx[i].len);

		if (sp > 0 && stack[sp].first == first && stack[sp].last == last)
			continue; /* same prefix again: the first (lowest seq) wins */
		while (stack[sp].last < first) {
			/* the top ends before this prefix: close it (sp > 0 here,
			 * the base ends at maxv) */
			if (cur <= stack[sp].last) {
				sl_emit(out, cur, stack[sp].nh);
				cur = stack[sp].last + 1;
			}
			sp--;
		}
		if (cur < first) {
			sl_emit(out, cur, stack[sp].nh);
			cur = first;
		}
		sp++;
		stack[sp].first = first;
		stack[sp].last = last;
		stack[sp].nh = pfx[i].nh;
	}
	for (; sp >= 0; sp--) {
		if (cur > stack[sp].last)
			continue;
		sl_emit(out, cur, stack[sp].nh);
		if (stack[sp].last == maxv)
			break; /* everything emitted; last + 1 would wrap */
		cur = stack[sp].last + 1;
	}
	if (out->err) {
		free(out->v);
		out->v = NULL;
		return out->err;
	}
	return 0;
}

int sl_rt4_build(struct sl_rt_in *pfx, size_t n, struct sl_rt4_entry **out, uint32_t *n_out)
{
	struct sl_ivec iv;
	struct sl_rt4_entry *e;
	int rc = sl_intervals(32, pfx, n, &iv);

	if (rc < 0)
		return rc;
	e = malloc((iv.n ? iv.n : 1) * sizeof(*e));
	if (e == NULL) {
		free(iv.v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < iv.n; i++) {
		e[i].start = (uint32_t)iv.v[i].start;
		e[i].nh = iv.v[i].nh;
	}
	free(iv.v);
	*out = e;
	*n_out = (uint32_t)iv.n;
	return 0;
}

int sl_rt6_build(struct sl_rt_in *pfx, size_t n, struct sl_rt6_entry **out, uint32_t *n_out)
{
	struct sl_ivec iv;
	struct sl_rt6_entry *e;
	int rc = sl_intervals(128, pfx, n, &iv);

	if (rc < 0)
		return rc;
	e = malloc((iv.n ? iv.n : 1) * sizeof(*e));
	if (e == NULL) {
		free(iv.v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < iv.n; i++) {
		e[i].start_hi = (uint64_t)(iv.v[i].start >> 64);
		e[i].start_lo = (uint64_t)iv.v[i].start;
		e[i].nh = iv.v[i].nh;
		e[i].pad = 0;
	}
	free(iv.v);
	*out = e;
	*n_out = (uint32_t)iv.n;
	return 0;
}

uint32_t sl_rt4_find(const struct sl_rt4_entry *e, uint32_t n, uint32_t addr)
{
	uint32_t lo = 0;

	if (n == 0)
		return SL_NH_NONE;
	while (n > 1) {
		uint32_t half = n / 2;

		lo = (e[lo + half].start <= addr) ? lo + half : lo;
		n -= half;
	}
	return e[lo].nh;
}

uint32_t sl_rt6_find(const struct sl_rt6_entry *e, uint32_t n, uint64_t hi, uint64_t lo_addr)
{
	uint32_t lo = 0;

	if (n == 0)
		return SL_NH_NONE;
	while (n > 1) {
		uint32_t half = n / 2;
		const struct sl_rt6_entry *m = &e[lo + half];

		if (m->start_hi < hi || (m->start_hi == hi && m->start_lo <= lo_addr))
			lo += half;
		n -= half;
	}
	return e[lo].nh;
}

/* ---- compiled tables ------------------------------------------------------- */

static void sl_ctable_clear(struct sl_ctable *t)
{
	free(t->nh);
	sl_jhs_free(&t->nh_index);
	free(t->pfx);
	free(t->in4);
	free(t->in6);
	free(t->v4);
	free(t->v6);
	free(t->gmap);
	memset(t, 0, sizeof(*t));
}

static int sl_grow(void **p, uint32_t *cap, uint32_t n, size_t elem)
{
	void *np;
	uint32_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	np = realloc(*p, (size_t)ncap * elem);
	if (np == NULL)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

/* Local index of a next hop with this content, adding it if new. */
static int sl_ctable_nh(struct sl_ctable *t, const struct sl_nexthop *nh, uint32_t *idx)
{
	void *v = sl_jhs_get(t->nh_index, nh, sizeof(*nh));
	int rc;

	if (v) {
		*idx = (uint32_t)((uintptr_t)v - 1);
		return 0;
	}
	if (sl_grow((void **)&t->nh, &t->cap_nh, t->n_nh, sizeof(*nh)) < 0)
		return -ENOMEM;
	rc = sl_jhs_insert(&t->nh_index, nh, sizeof(*nh), (void *)(uintptr_t)(t->n_nh + 1));
	if (rc < 0)
		return rc;
	t->nh[t->n_nh] = *nh;
	*idx = t->n_nh++;
	return 0;
}

static int sl_ctable_init(struct sl_ctable *t)
{
	struct sl_nexthop unreach;
	uint32_t idx;

	memset(t, 0, sizeof(*t));
	memset(&unreach, 0, sizeof(unreach));
	unreach.type = SL_NH_UNREACHABLE;
	return sl_ctable_nh(t, &unreach, &idx); /* index 0 */
}

static int sl_ctable_add(struct sl_ctable *t, const struct sl_pfx *p, uint8_t origin,
			 const struct sl_nexthop *nh)
{
	struct sl_rt_in **in = p->family == SL_AF_INET6 ? &t->in6 : &t->in4;
	uint32_t *n_in = p->family == SL_AF_INET6 ? &t->n_in6 : &t->n_in4;
	uint32_t *cap_in = p->family == SL_AF_INET6 ? &t->cap_in6 : &t->cap_in4;
	struct sl_prefix *sp;
	uint32_t idx;
	int rc;

	rc = sl_ctable_nh(t, nh, &idx);
	if (rc < 0)
		return rc;
	if (sl_grow((void **)&t->pfx, &t->cap_pfx, t->n_pfx, sizeof(*t->pfx)) < 0 ||
	    sl_grow((void **)in, cap_in, *n_in, sizeof(**in)) < 0)
		return -ENOMEM;
	sp = &t->pfx[t->n_pfx++];
	memset(sp, 0, sizeof(*sp));
	sl_addr_to_bytes(p->family, sl_pfx_first(p), sp->addr);
	sp->len = p->len;
	sp->family = p->family;
	sp->origin = origin;
	sp->nh = idx;
	(*in)[*n_in].addr = sl_pfx_first(p);
	(*in)[*n_in].len = p->len;
	(*in)[*n_in].nh = idx;
	(*in)[*n_in].seq = *n_in;
	(*n_in)++;
	return 0;
}

static int sl_ctable_finish(struct sl_ctable *t)
{
	int rc = sl_rt4_build(t->in4, t->n_in4, &t->v4, &t->n_v4);

	if (rc == 0)
		rc = sl_rt6_build(t->in6, t->n_in6, &t->v6, &t->n_v6);
	free(t->in4);
	free(t->in6);
	t->in4 = t->in6 = NULL;
	t->n_in4 = t->n_in6 = t->cap_in4 = t->cap_in6 = 0;
	sl_jhs_free(&t->nh_index); /* not needed once complete */
	return rc;
}

static void sl_nh_base(struct sl_nexthop *nh, uint8_t type, uint8_t family, uint8_t role,
		       uint16_t vlan, unsigned int mtu, uint32_t vpc_index, const char *owner)
{
	memset(nh, 0, sizeof(*nh)); /* padding too: next hops are compared as bytes */
	nh->type = type;
	nh->family = family;
	nh->port_role = role;
	nh->vlan = vlan;
	nh->mtu = (uint16_t)mtu;
	nh->vpc_index = vpc_index;
	snprintf(nh->owner_id, sizeof(nh->owner_id), "%s", owner);
}

static int sl_add_host(struct sl_ctable *t, uint8_t family, sl_u128 a, uint8_t origin,
		       const struct sl_nexthop *nh)
{
	struct sl_pfx p = {.addr = a, .len = (uint8_t)sl_af_bits(family), .family = family};

	return sl_ctable_add(t, &p, origin, nh);
}

/* A VSwitch's subnet (CONNECTED) and gateway address (LOCAL). */
static int sl_compile_subnet(struct sl_ctable *t, const struct sl_vpc_obj *v, uint32_t index,
			     const struct sl_vswitch_obj *w, const struct sl_pfx *sub)
{
	struct sl_nexthop nh;
	sl_u128 gw = sl_pfx_gateway(sub);
	int rc;

	sl_nh_base(&nh, SL_NH_CONNECTED, sub->family, SL_ROLE_INSIDE, (uint16_t)v->vlan, v->mtu,
		   index, w->id);
	nh.flags = SL_NH_F_SYSTEM;
	sl_addr_to_bytes(sub->family, gw, nh.src);
	rc = sl_ctable_add(t, sub, SL_ROUTE_SYSTEM, &nh);
	if (rc < 0)
		return rc;
	nh.type = SL_NH_LOCAL;
	return sl_add_host(t, sub->family, gw, SL_ROUTE_SYSTEM, &nh);
}

static int sl_compile_vpc_table(struct sl_ctable *t, const struct sl_vpc_obj *v, uint32_t index)
{
	char key[SL_JSL_KEY_MAX];
	struct sl_nexthop nh;
	struct sl_pfx cgnat;
	int rc;

	rc = sl_ctable_init(t);
	key[0] = '\0';
	for (struct sl_vswitch_obj *w = sl_jsl_first(v->vswitches, key); w && rc == 0;
	     w = sl_jsl_next(v->vswitches, key)) {
		if (w->cidr.family)
			rc = sl_compile_subnet(t, v, index, w, &w->cidr);
		if (rc == 0 && w->cidr6.family)
			rc = sl_compile_subnet(t, v, index, w, &w->cidr6);
	}
	if (rc < 0)
		return rc;
	sl_pfx_parse("100.64.0.0/10", &cgnat, 0);
	sl_nh_base(&nh, SL_NH_BLACKHOLE, SL_AF_INET, SL_ROLE_INSIDE, (uint16_t)v->vlan, v->mtu,
		   index, v->id);
	nh.flags = SL_NH_F_SYSTEM;
	rc = sl_ctable_add(t, &cgnat, SL_ROUTE_SYSTEM, &nh);
	key[0] = '\0';
	for (struct sl_route_obj *r = sl_jsl_first(v->routes, key); r && rc == 0;
	     r = sl_jsl_next(v->routes, key)) {
		const struct sl_instance_obj *in = r->instance;
		const struct sl_pfx *via, *sub;

		if (in == NULL || in->vswitch == NULL)
			continue; /* cannot happen in a validated store */
		via = r->dest.family == SL_AF_INET6 ? &in->ip6 : &in->ip4;
		sub = r->dest.family == SL_AF_INET6 ? &in->vswitch->cidr6 : &in->vswitch->cidr;
		if (!via->family || !sub->family)
			continue;
		sl_nh_base(&nh, SL_NH_GATEWAY, r->dest.family, SL_ROLE_INSIDE, (uint16_t)v->vlan,
			   v->mtu, index, in->id);
		sl_addr_to_bytes(via->family, via->addr, nh.via);
		sl_addr_to_bytes(sub->family, sl_pfx_gateway(sub), nh.src);
		rc = sl_ctable_add(t, &r->dest, SL_ROUTE_CUSTOM, &nh);
	}
	return rc < 0 ? rc : sl_ctable_finish(t);
}

static int sl_compile_inet_table(struct sl_ctable *t, const struct sl_gateway_obj *g)
{
	struct sl_nexthop nh;
	int rc = sl_ctable_init(t);

	for (unsigned int i = 0; g && i < g->n_addrs && rc == 0; i++) {
		const struct sl_pfx *a = &g->addrs[i];
		struct sl_pfx net = sl_pfx_network(a);
		bool seen = false;

		sl_nh_base(&nh, SL_NH_LOCAL, a->family, SL_ROLE_OUTSIDE, 0, g->mtu, SL_VPC_INTERNET,
			   "Gateway");
		nh.flags = SL_NH_F_SYSTEM;
		sl_addr_to_bytes(a->family, a->addr, nh.src);
		rc = sl_add_host(t, a->family, a->addr, SL_ROUTE_SYSTEM, &nh);
		for (unsigned int j = 0; j < i; j++) {
			struct sl_pfx o = sl_pfx_network(&g->addrs[j]);
			seen |= sl_pfx_equal(&o, &net);
		}
		if (rc == 0 && !seen) {
			nh.type = SL_NH_CONNECTED;
			rc = sl_ctable_add(t, &net, SL_ROUTE_SYSTEM, &nh);
		}
	}
	for (unsigned int i = 0; g && i < g->n_routes && rc == 0; i++) {
		const struct sl_inet_route *r = &g->routes[i];

		sl_nh_base(&nh, SL_NH_GATEWAY, r->dest.family, SL_ROLE_OUTSIDE, 0, g->mtu,
			   SL_VPC_INTERNET, "InternetRoutes");
		sl_addr_to_bytes(r->via.family, r->via.addr, nh.via);
		for (unsigned int j = 0; j < g->n_addrs; j++) {
			struct sl_pfx net = sl_pfx_network(&g->addrs[j]);

			if (sl_pfx_has(&net, r->via.family, r->via.addr)) {
				sl_addr_to_bytes(net.family, g->addrs[j].addr, nh.src);
				break;
			}
		}
		rc = sl_ctable_add(t, &r->dest, SL_ROUTE_STATIC, &nh);
	}
	return rc < 0 ? rc : sl_ctable_finish(t);
}

/* ---- the compiler ---------------------------------------------------------- */

struct sl_cvpc {
	char id[SL_ID_LEN];
	char route_table_id[SL_ID_LEN];
	uint32_t index;
	uint16_t vlan;
	uint32_t n_vswitches;
	struct sl_ctable t;
};

struct sl_compiler {
	Pvoid_t cache;	    /**< JudySL VpcId -> struct sl_cvpc * */
	Pvoid_t index_of;   /**< JudySL VpcId -> (void *)(index + 1) */
	Pvoid_t index_used; /**< Judy1 of indexes in use */
	Pvoid_t dirty;	    /**< JudySL VpcId -> (void *)1 */
	bool all_dirty;
	bool inet_dirty;
	bool inet_valid;
	struct sl_ctable inet;
	/* global next hops, rebuilt by every sl_compile() */
	struct sl_nexthop *gnh;
	uint32_t n_gnh, cap_gnh;
	/* VPC table per index (NULL = hole), rebuilt by every sl_compile() */
	struct sl_cvpc **slots;
	uint32_t n_slots;
	struct sl_compile_stats stats;
};

struct sl_compiler *sl_compiler_new(void)
{
	struct sl_compiler *c = calloc(1, sizeof(*c));

	if (c)
		c->inet_dirty = true;
	return c;
}

static void sl_cvpc_free(struct sl_cvpc *cv)
{
	if (cv) {
		sl_ctable_clear(&cv->t);
		free(cv);
	}
}

static void sl_cache_clear(struct sl_compiler *c)
{
	char key[SL_JSL_KEY_MAX] = "";

	for (struct sl_cvpc *cv = sl_jsl_first(c->cache, key); cv; cv = sl_jsl_next(c->cache, key))
		sl_cvpc_free(cv);
	sl_jsl_free(&c->cache);
}

void sl_compiler_free(struct sl_compiler *c)
{
	if (c == NULL)
		return;
	sl_cache_clear(c);
	sl_jsl_free(&c->index_of);
	sl_j1_free(&c->index_used);
	sl_jsl_free(&c->dirty);
	sl_ctable_clear(&c->inet);
	free(c->gnh);
	free(c->slots);
	free(c);
}

int sl_compiler_mark_dirty(struct sl_compiler *c, const char *vpc_id)
{
	int rc = sl_jsl_insert(&c->dirty, vpc_id, (void *)1);

	return rc == -EEXIST ? 0 : rc;
}

void sl_compiler_mark_inet_dirty(struct sl_compiler *c)
{
	c->inet_dirty = true;
}

void sl_compiler_mark_all_dirty(struct sl_compiler *c)
{
	c->all_dirty = true;
	c->inet_dirty = true;
}

int sl_compiler_seed_index(struct sl_compiler *c, const char *vpc_id, uint32_t index)
{
	int rc;

	if (sl_j1_test(c->index_used, index))
		return -EEXIST;
	rc = sl_jsl_insert(&c->index_of, vpc_id, (void *)(uintptr_t)(index + 1));
	if (rc < 0)
		return rc;
	rc = sl_j1_set(&c->index_used, index);
	if (rc < 0) {
		sl_jsl_delete(&c->index_of, vpc_id);
		return rc;
	}
	return 0;
}

int sl_compiler_vpc_index(const struct sl_compiler *c, const char *vpc_id)
{
	void *v = sl_jsl_get(c->index_of, vpc_id);

	return v ? (int)((uintptr_t)v - 1) : -ENOENT;
}

static int sl_index_alloc(struct sl_compiler *c, const char *id, uint32_t *index)
{
	Word_t idx = 0;
	int rc = sl_compiler_vpc_index(c, id);

	if (rc >= 0) {
		*index = (uint32_t)rc;
		return 0;
	}
	rc = sl_j1_first_empty(c->index_used, &idx);
	if (rc < 0)
		return rc;
	if (idx >= SL_VPC_INTERNET)
		return -ENOSPC;
	rc = sl_compiler_seed_index(c, id, (uint32_t)idx);
	if (rc == 0)
		*index = (uint32_t)idx;
	return rc;
}

/* Global next-hop numbering: index 0 is UNREACHABLE, then each table's next
 * hops in slot order, deduplicated by content. */
static int sl_number_table(struct sl_compiler *c, Pvoid_t *gidx, struct sl_ctable *t)
{
	free(t->gmap);
	t->gmap = malloc((t->n_nh ? t->n_nh : 1) * sizeof(*t->gmap));
	if (t->gmap == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < t->n_nh; i++) {
		void *v = sl_jhs_get(*gidx, &t->nh[i], sizeof(t->nh[i]));
		int rc;

		if (v) {
			t->gmap[i] = (uint32_t)((uintptr_t)v - 1);
			continue;
		}
		if (sl_grow((void **)&c->gnh, &c->cap_gnh, c->n_gnh, sizeof(*c->gnh)) < 0)
			return -ENOMEM;
		rc = sl_jhs_insert(gidx, &t->nh[i], sizeof(t->nh[i]),
				   (void *)(uintptr_t)(c->n_gnh + 1));
		if (rc < 0)
			return rc;
		c->gnh[c->n_gnh] = t->nh[i];
		t->gmap[i] = c->n_gnh++;
	}
	return 0;
}

static uint64_t sl_table_bytes(const struct sl_ctable *t)
{
	return SL_ALIGN((uint64_t)t->n_v4 * sizeof(struct sl_rt4_entry)) +
	       SL_ALIGN((uint64_t)t->n_v6 * sizeof(struct sl_rt6_entry)) +
	       SL_ALIGN((uint64_t)t->n_pfx * sizeof(struct sl_prefix));
}

int sl_compile(struct sl_compiler *c, const struct sl_store *s, struct sl_compile_stats *st)
{
	struct sl_compile_stats stats;
	char key[SL_JSL_KEY_MAX];
	Pvoid_t gidx = NULL;
	Pvoid_t gone = NULL; /* JudySL ids of cached VPCs no longer in the store */
	uint32_t max_index = 0;
	int rc = 0;

	memset(&stats, 0, sizeof(stats));
	if (c->all_dirty) {
		sl_cache_clear(c);
		c->all_dirty = false;
	}

	/* compile new and dirty VPCs */
	for (unsigned int i = 0; i < s->vpc_v.n && rc == 0; i++) {
		const struct sl_vpc_obj *v = s->vpc_v.v[i];
		struct sl_cvpc *cv = sl_jsl_get(c->cache, v->id);
		uint32_t index = 0;

		stats.n_vpcs++;
		rc = sl_index_alloc(c, v->id, &index);
		if (rc < 0)
			break;
		if (cv && cv->index == index && !sl_jsl_get(c->dirty, v->id))
			continue;
		if (cv) {
			sl_jsl_delete(&c->cache, v->id);
			sl_cvpc_free(cv);
		}
		cv = calloc(1, sizeof(*cv));
		if (cv == NULL) {
			rc = -ENOMEM;
			break;
		}
		snprintf(cv->id, sizeof(cv->id), "%s", v->id);
		snprintf(cv->route_table_id, sizeof(cv->route_table_id), "%s", v->route_table_id);
		cv->index = index;
		cv->vlan = (uint16_t)v->vlan;
		cv->n_vswitches = v->n_vswitches;
		rc = sl_compile_vpc_table(&cv->t, v, index);
		if (rc == 0)
			rc = sl_jsl_insert(&c->cache, cv->id, cv);
		if (rc < 0) {
			sl_cvpc_free(cv);
			break;
		}
		stats.n_recompiled++;
	}
	if (rc == 0 && (c->inet_dirty || !c->inet_valid)) {
		sl_ctable_clear(&c->inet);
		c->inet_valid = false;
		rc = sl_compile_inet_table(&c->inet, s->gateway);
		if (rc == 0) {
			c->inet_valid = true;
			c->inet_dirty = false;
			stats.inet_recompiled = 1;
		}
	}
	if (rc < 0)
		goto fail;
	sl_jsl_free(&c->dirty);

	/* drop removed VPCs and release their indexes (after allocation above,
	 * so an index is never reused within one generation) */
	key[0] = '\0';
	for (struct sl_cvpc *cv = sl_jsl_first(c->cache, key); cv; cv = sl_jsl_next(c->cache, key))
		if (sl_store_vpc(s, cv->id) == NULL)
			sl_jsl_insert(&gone, cv->id, (void *)1);
	key[0] = '\0';
	for (void *x = sl_jsl_first(c->index_of, key); x; x = sl_jsl_next(c->index_of, key))
		if (sl_store_vpc(s, key) == NULL)
			sl_jsl_insert(&gone, key, (void *)1);
	key[0] = '\0';
	for (void *x = sl_jsl_first(gone, key); x; x = sl_jsl_next(gone, key)) {
		struct sl_cvpc *cv = sl_jsl_get(c->cache, key);
		int idx = sl_compiler_vpc_index(c, key);

		if (cv) {
			sl_jsl_delete(&c->cache, key);
			sl_cvpc_free(cv);
		}
		if (idx >= 0) {
			sl_jsl_delete(&c->index_of, key);
			sl_j1_unset(&c->index_used, (Word_t)idx);
		}
	}
	sl_jsl_free(&gone);

	/* slots by index */
	key[0] = '\0';
	for (struct sl_cvpc *cv = sl_jsl_first(c->cache, key); cv; cv = sl_jsl_next(c->cache, key))
		if (cv->index + 1 > max_index)
			max_index = cv->index + 1;
	free(c->slots);
	c->slots = calloc(max_index ? max_index : 1, sizeof(*c->slots));
	if (c->slots == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	c->n_slots = max_index;
	key[0] = '\0';
	for (struct sl_cvpc *cv = sl_jsl_first(c->cache, key); cv; cv = sl_jsl_next(c->cache, key))
		c->slots[cv->index] = cv;

	/* global next hops */
	c->n_gnh = 0;
	for (uint32_t i = 0; i < c->n_slots && rc == 0; i++)
		if (c->slots[i])
			rc = sl_number_table(c, &gidx, &c->slots[i]->t);
	if (rc == 0)
		rc = sl_number_table(c, &gidx, &c->inet);
	sl_jhs_free(&gidx);
	if (rc < 0)
		goto fail;

	stats.n_vpc_slots = c->n_slots;
	stats.n_nexthops = c->n_gnh;
	stats.bytes = SL_ALIGN(sizeof(struct sl_bank_header)) +
		      SL_ALIGN(SL_VLAN_COUNT * sizeof(uint32_t)) +
		      SL_ALIGN((uint64_t)c->n_slots * sizeof(struct sl_vpc)) +
		      SL_ALIGN((uint64_t)c->n_gnh * sizeof(struct sl_nexthop));
	for (uint32_t i = 0; i < c->n_slots; i++) {
		const struct sl_ctable *t = c->slots[i] ? &c->slots[i]->t : NULL;

		if (t == NULL)
			continue;
		stats.bytes += sl_table_bytes(t);
		stats.n_v4 += t->n_v4;
		stats.n_v6 += t->n_v6;
		stats.n_prefixes += t->n_pfx;
	}
	stats.bytes += sl_table_bytes(&c->inet);
	stats.n_v4 += c->inet.n_v4;
	stats.n_v6 += c->inet.n_v6;
	stats.n_prefixes += c->inet.n_pfx;
	c->stats = stats;
	if (st)
		*st = stats;
	return 0;
fail:
	sl_jhs_free(&gidx);
	sl_compiler_mark_all_dirty(c);
	return rc;
}

/* ---- layout ---------------------------------------------------------------- */

struct sl_writer {
	uint8_t *bank;
	uint64_t off;
};

/* Reserve `bytes` at the next aligned offset; zero the gap before it. */
static uint64_t sl_reserve(struct sl_writer *w, uint64_t bytes)
{
	uint64_t at = SL_ALIGN(w->off);

	memset(w->bank + w->off, 0, at - w->off);
	w->off = at + bytes;
	return at;
}

static void sl_layout_table(struct sl_writer *w, const struct sl_ctable *t,
			    struct sl_route_table *rt)
{
	struct sl_rt4_entry *e4;
	struct sl_rt6_entry *e6;
	struct sl_prefix *p;

	memset(rt, 0, sizeof(*rt));
	rt->v4_n = t->n_v4;
	rt->v6_n = t->n_v6;
	rt->n_prefixes = t->n_pfx;
	rt->v4_off = sl_reserve(w, (uint64_t)t->n_v4 * sizeof(*e4));
	e4 = SL_BANK_PTR(w->bank, rt->v4_off, struct sl_rt4_entry);
	for (uint32_t i = 0; i < t->n_v4; i++) {
		e4[i].start = t->v4[i].start;
		e4[i].nh = t->gmap[t->v4[i].nh];
	}
	rt->v6_off = sl_reserve(w, (uint64_t)t->n_v6 * sizeof(*e6));
	e6 = SL_BANK_PTR(w->bank, rt->v6_off, struct sl_rt6_entry);
	for (uint32_t i = 0; i < t->n_v6; i++) {
		e6[i] = t->v6[i];
		e6[i].nh = t->gmap[t->v6[i].nh];
	}
	rt->prefix_off = sl_reserve(w, (uint64_t)t->n_pfx * sizeof(*p));
	p = SL_BANK_PTR(w->bank, rt->prefix_off, struct sl_prefix);
	for (uint32_t i = 0; i < t->n_pfx; i++) {
		p[i] = t->pfx[i];
		p[i].nh = t->gmap[t->pfx[i].nh];
	}
}

int sl_compile_layout(const struct sl_compiler *c, void *bank, uint64_t bank_size, uint64_t gen)
{
	struct sl_writer w = {.bank = bank, .off = 0};
	struct sl_bank_header *h = bank;
	struct sl_route_table inet;
	struct sl_vpc *vpcs;
	uint32_t *vlan_map;
	uint64_t vpc_off, nh_off, vlan_off;

	if (c->stats.bytes > bank_size || !c->inet_valid)
		return c->inet_valid ? -ENOSPC : -EINVAL;
	w.off = sizeof(*h);
	vlan_off = sl_reserve(&w, SL_VLAN_COUNT * sizeof(uint32_t));
	vlan_map = SL_BANK_PTR(bank, vlan_off, uint32_t);
	memset(vlan_map, 0, SL_VLAN_COUNT * sizeof(uint32_t));
	vpc_off = sl_reserve(&w, (uint64_t)c->n_slots * sizeof(struct sl_vpc));
	vpcs = SL_BANK_PTR(bank, vpc_off, struct sl_vpc);
	nh_off = sl_reserve(&w, (uint64_t)c->n_gnh * sizeof(struct sl_nexthop));
	memcpy(SL_BANK_PTR(bank, nh_off, void), c->gnh, (size_t)c->n_gnh * sizeof(*c->gnh));

	for (uint32_t i = 0; i < c->n_slots; i++) {
		const struct sl_cvpc *cv = c->slots[i];
		struct sl_vpc *out = &vpcs[i];

		memset(out, 0, sizeof(*out));
		out->index = i;
		if (cv == NULL)
			continue; /* hole: empty id, no routes */
		snprintf(out->id, sizeof(out->id), "%s", cv->id);
		snprintf(out->route_table_id, sizeof(out->route_table_id), "%s",
			 cv->route_table_id);
		out->vlan = cv->vlan;
		out->n_vswitches = cv->n_vswitches;
		if (cv->vlan > 0 && cv->vlan < SL_VLAN_COUNT)
			vlan_map[cv->vlan] = i + 1;
		sl_layout_table(&w, &cv->t, &out->rt);
	}
	sl_layout_table(&w, &c->inet, &inet);

	memset(h, 0, sizeof(*h));
	h->magic = SL_BANK_MAGIC;
	h->generation = gen;
	h->used = w.off;
	h->n_vpcs = c->n_slots;
	h->n_nexthops = c->n_gnh;
	h->vpc_off = vpc_off;
	h->nh_off = nh_off;
	h->vlan_map_off = vlan_off;
	h->inet = inet;
	return 0;
}

const char *sl_nh_type_name(uint8_t type)
{
	static const char *const n[] = {"unreachable", "blackhole", "local", "connected",
					"gateway"};

	return type < SL_NH_TYPE_MAX ? n[type] : "?";
}

const char *sl_route_origin_name(uint8_t origin)
{
	static const char *const n[] = {"system", "custom", "static"};

	return origin <= SL_ROUTE_STATIC ? n[origin] : "?";
}
