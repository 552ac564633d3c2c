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
 *     the destination's family (src = gateway address of its VSwitch);
 *   with a NAT gateway in the VPC: 0.0.0.0/0 -> NATGW (SYSTEM; validation
 *     refuses a custom 0.0.0.0/0 beside a NAT gateway).
 * The Internet table: each outside address /32 or /128 -> LOCAL, its subnet
 * -> CONNECTED (src = that address), each Internet route -> GATEWAY.
 * System next hops carry SL_NH_F_SYSTEM.
 *
 * Cache: VPC tables are independent of each other (a route's next hop is
 * an instance of the same VPC), so a change marks only the VPCs it touches.
 * Next hops are numbered per table while compiling (dedup by content with a
 * JudyHS), then mapped to global indexes (gmap[]) when the table enters the
 * cache. Global next hops are reference-counted (one reference per table
 * using one) and keep their index while referenced, so a change never
 * renumbers the next hops of other tables; a freed index is reused by the
 * next new next hop.
 *
 * Banks: sl_compile_layout() writes a bank of the segment incrementally:
 * each bank has a private state here (heap allocator, table block per VPC,
 * dirty sets); sl_compile() marks what it changed dirty in both banks and a
 * bank write clears its own set. The scheme is in sl_shm.h ("Left-right
 * updates"); a publish touching one VPC writes one table block, one
 * descriptor, its new next hops, the 64 KiB vlan_map (4 trunks; only when
 * a VPC changed) and the header.
 *
 * NAT (compile_nat.c): the NAT section is rebuilt at every sl_compile()
 * and, when it differs from the last one, marked dirty in both banks; a
 * bank write then copies it into a new heap block. A VPC table depends on
 * the NAT gateway of its VPC (the default route), so a VPC whose gateway
 * appeared, went or was replaced is recompiled whatever the caller marked.
 *
 * HaVip (compile_havip.c, issue 12): the HaVip section is handled like the
 * NAT section (rebuilt at every sl_compile(), copied when it changed). A
 * route with NextHopType HaVip is a GATEWAY next hop via the HaVip address:
 * the data plane's neighbour entry for that address follows the holder.
 * Police (compile_police.c, issue 7): the same scheme for the police
 * section, rebuilt after the NAT section (it is indexed by its public IPs).
 * IPv6 gateway (compile_ipv6gw.c, issue 6): the same scheme for its
 * section; a VPC with an IPv6 gateway gets ::/0 -> IP6GW (SYSTEM, added
 * after the custom routes so that a custom ::/0 wins), and a VPC whose
 * IPv6 gateway appeared or went is recompiled like one whose NAT gateway
 * did. The section's rule next hops hold their own references.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_compile.h"
#include "sl_fib_writer.h"
#include "sl_judy.h"
#include "sl_nhgroup.h"
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

int sl_compile_grow(void **p, uint32_t *cap, uint32_t n, size_t elem)
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
	if (sl_compile_grow((void **)&t->nh, &t->cap_nh, t->n_nh, sizeof(*nh)) < 0)
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
	if (sl_compile_grow((void **)&t->pfx, &t->cap_pfx, t->n_pfx, sizeof(*t->pfx)) < 0 ||
	    sl_compile_grow((void **)in, cap_in, *n_in, sizeof(**in)) < 0)
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

/* A next hop on VPC `v`'s side: its trunk, VLAN and MTU. */
static void sl_nh_inside(struct sl_nexthop *nh, uint8_t type, uint8_t family,
			 const struct sl_vpc_obj *v, uint32_t vpc_index, const char *owner)
{
	sl_nh_base(nh, type, family, SL_ROLE_INSIDE, (uint16_t)v->vlan, v->mtu, vpc_index, owner);
	nh->trunk = (uint16_t)v->trunk;
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

	sl_nh_inside(&nh, SL_NH_CONNECTED, sub->family, v, index, w->id);
	nh.flags = SL_NH_F_SYSTEM;
	sl_addr_to_bytes(sub->family, gw, nh.src);
	rc = sl_ctable_add(t, sub, SL_ROUTE_SYSTEM, &nh);
	if (rc < 0)
		return rc;
	nh.type = SL_NH_LOCAL;
	return sl_add_host(t, sub->family, gw, SL_ROUTE_SYSTEM, &nh);
}

void sl_compile_inside_nexthop(struct sl_nexthop *nh, uint8_t type, uint8_t family,
			       const struct sl_vpc_obj *v, uint32_t vpc_index, const char *owner)
{
	sl_nh_inside(nh, type, family, v, vpc_index, owner);
}

static int sl_compile_vpc_table(struct sl_ctable *t, const struct sl_vpc_obj *v, uint32_t index,
				const struct sl_natgw_obj *natgw, const struct sl_ipv6gw_obj *gw6)
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
	sl_nh_inside(&nh, SL_NH_BLACKHOLE, SL_AF_INET, v, index, v->id);
	nh.flags = SL_NH_F_SYSTEM;
	rc = sl_ctable_add(t, &cgnat, SL_ROUTE_SYSTEM, &nh);
	key[0] = '\0';
	for (struct sl_route_obj *r = sl_jsl_first(v->routes, key); r && rc == 0;
	     r = sl_jsl_next(v->routes, key)) {
		const struct sl_instance_obj *in = r->instance;
		const struct sl_havip_obj *hv = r->havip;
		const struct sl_vswitch_obj *vsw = in ? in->vswitch : hv ? hv->vswitch : NULL;
		const struct sl_pfx *via, *sub;

		if (vsw == NULL)
			continue; /* cannot happen in a validated store */
		/* a HaVip is IPv4 only: an IPv6 route to it has no address */
		via = in ? (r->dest.family == SL_AF_INET6 ? &in->ip6 : &in->ip4)
			 : (r->dest.family == SL_AF_INET ? &hv->ip : NULL);
		sub = r->dest.family == SL_AF_INET6 ? &vsw->cidr6 : &vsw->cidr;
		if (via == NULL || !via->family || !sub->family)
			continue;
		sl_nh_inside(&nh, SL_NH_GATEWAY, r->dest.family, v, index, in ? in->id : hv->id);
		sl_addr_to_bytes(via->family, via->addr, nh.via);
		sl_addr_to_bytes(sub->family, sl_pfx_gateway(sub), nh.src);
		rc = sl_ctable_add(t, &r->dest, SL_ROUTE_CUSTOM, &nh);
	}
	if (rc == 0 && natgw) {
		struct sl_pfx any = {.family = SL_AF_INET};

		sl_nh_inside(&nh, SL_NH_NATGW, SL_AF_INET, v, index, natgw->id);
		nh.flags = SL_NH_F_SYSTEM;
		rc = sl_ctable_add(t, &any, SL_ROUTE_SYSTEM, &nh);
	}
	if (rc == 0 && gw6) { /* IPv6 gateway (issue 6) */
		struct sl_pfx any6 = {.family = SL_AF_INET6};

		sl_nh_inside(&nh, SL_NH_IP6GW, SL_AF_INET6, v, index, gw6->id);
		nh.flags = SL_NH_F_SYSTEM;
		rc = sl_ctable_add(t, &any6, SL_ROUTE_SYSTEM, &nh);
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

		sl_compile_inet_nexthop(g, &r->via, "InternetRoutes", &nh);
		rc = sl_ctable_add(t, &r->dest, SL_ROUTE_STATIC, &nh);
	}
	return rc < 0 ? rc : sl_ctable_finish(t);
}

int sl_compile_inet_nexthop(const struct sl_gateway_obj *g, const struct sl_pfx *via,
			    const char *owner, struct sl_nexthop *nh)
{
	int rc = -ENETUNREACH;

	sl_nh_base(nh, SL_NH_GATEWAY, via->family, SL_ROLE_OUTSIDE, 0, g ? g->mtu : 1500,
		   SL_VPC_INTERNET, owner);
	sl_addr_to_bytes(via->family, via->addr, nh->via);
	for (unsigned int j = 0; g && j < g->n_addrs; j++) {
		struct sl_pfx net = sl_pfx_network(&g->addrs[j]);

		if (sl_pfx_has(&net, via->family, via->addr)) {
			sl_addr_to_bytes(net.family, g->addrs[j].addr, nh->src);
			rc = 0;
			break;
		}
	}
	return rc;
}

/* ---- the compiler ---------------------------------------------------------- */

struct sl_cvpc {
	char id[SL_ID_LEN];
	char route_table_id[SL_ID_LEN];
	uint32_t index;
	uint16_t vlan;
	uint16_t trunk;
	uint32_t n_vswitches;
	char natgw_id[SL_ID_LEN]; /**< the VPC's NAT gateway when compiled, "" none */
	char ip6gw_id[SL_ID_LEN]; /**< the VPC's IPv6 gateway when compiled, "" none */
	struct sl_ctable t;
};

/* An Internet prefix as a Judy key: family, length, network-order address
 * with host bits clear. */
struct sl_ikey {
	uint8_t family;
	uint8_t len;
	uint8_t addr[16];
};

#define SL_IKEY_LEN sizeof(struct sl_ikey)
/* Beyond this many changed prefixes a bank's FIBs are rebuilt, not synced. */
#define SL_DIRTY_PFX_MAX 65536u

/* An Internet route source entry packed in a Judy value: global next hop,
 * origin, and a bit so that it is never 0. */
#define SL_IENT(nh, origin) ((void *)(uintptr_t)(((uint64_t)(nh) << 8) | 0x80u | (origin)))
#define SL_IENT_NH(v) ((uint32_t)((uintptr_t)(v) >> 8))
#define SL_IENT_ORIGIN(v) ((uint8_t)((uintptr_t)(v)&0x7fu))

/* A config-derived Internet route. */
struct sl_icfg {
	struct sl_ikey k;
	uint32_t nh; /**< global, one reference held */
	uint8_t origin;
};

/* A block of a bank's table heap: offset from the bank start, class size. */
struct sl_blk {
	uint64_t off;
	uint64_t size;
};

#define SL_HEAP_MIN_SHIFT 6 /* smallest block: one cache line */
#define SL_HEAP_CLASSES 40

/* Size-class allocator over [base, end) of one bank. Private to sluiced;
 * only the blocks it hands out are in the segment. A full write resets it. */
struct sl_heap {
	uint64_t base, end, top;
	uint64_t *free[SL_HEAP_CLASSES];
	uint32_t n_free[SL_HEAP_CLASSES], cap_free[SL_HEAP_CLASSES];
};

/* What sluiced knows about one bank of the segment. */
struct sl_bank_state {
	bool valid; /**< holds a complete state; only dirty items differ */
	struct sl_heap heap;
	struct sl_blk *vpc_blk; /**< per VPC index: its table block here */
	uint32_t n_vpc_blk, cap_vpc_blk;
	struct sl_blk inet_blk;
	struct sl_blk nat_blk;	  /**< the NAT section's block, size 0 if none */
	bool dirty_nat;		  /**< the NAT section changed */
	struct sl_blk havip_blk;  /**< the HaVip section's block (issue 12) */
	bool dirty_havip;	  /**< the HaVip section changed */
	struct sl_blk police_blk; /**< the police section's block, size 0 if none */
	bool dirty_police;	  /**< the police section changed */
	struct sl_blk ip6gw_blk;  /**< the IPv6 gateway section's block (issue 6) */
	bool dirty_ip6gw;	  /**< the IPv6 gateway section changed */
	uint32_t vpc_cap, nh_cap; /**< array capacities of this bank's layout */
	Pvoid_t dirty_vpc;	  /**< Judy1: VPC indexes to rewrite */
	Pvoid_t dirty_nh;	  /**< Judy1: next-hop indexes to rewrite */
	bool dirty_inet;	  /**< the interval/prefix-list Internet table */
	/* Internet FIB instances of this bank (FIB mode) and the prefixes
	 * changed since this bank was written (replayed with sl_fib*_sync). */
	struct sl_fib4_writer *fib4;
	struct sl_fib6_writer *fib6;
	struct sl_ikey *dirty_pfx;
	uint32_t n_dirty_pfx, cap_dirty_pfx;
	bool fib_rebuild; /**< too many dirty prefixes: rebuild from the RIB */
};

struct sl_compiler {
	Pvoid_t cache;	    /**< JudySL VpcId -> struct sl_cvpc * */
	Pvoid_t index_of;   /**< JudySL VpcId -> (void *)(index + 1) */
	Pvoid_t index_used; /**< Judy1 of indexes in use */
	Pvoid_t dirty;	    /**< JudySL VpcId -> (void *)1 */
	bool all_dirty;
	bool inet_dirty;
	bool inet_valid;
	/* The Internet table: config-derived routes (gateway addresses and
	 * static routes, recompiled when the gateway changes) and routes from
	 * a route source (sl_compiler_inet_set: prefix file, later netlink);
	 * the config wins for a prefix both have. Each entry holds one
	 * reference on its global next hop. The RIBs hold the effective route
	 * per prefix; `inet` is its interval form and prefix list (interval
	 * mode, or small tables in FIB mode). */
	struct sl_icfg *cfg_v; /**< config-derived routes */
	uint32_t n_cfg;
	Pvoid_t cfg_index; /**< JudyHS sl_ikey -> SL_IENT, over cfg_v */
	Pvoid_t inet_feed; /**< JudyHS sl_ikey -> SL_IENT */
	uint64_t n_feed;
	uint32_t last_feed_nh; /**< next hop of the last route-source route */
	struct sl_rib4 *rib4;
	struct sl_rib6 *rib6;
	bool inet_changed;		   /**< RIB changed since `inet` was built */
	bool fib_mode;			   /**< banks carry the Internet table as FIBs */
	uint32_t fib4_groups, fib6_groups; /**< tbl8 groups sized at last full write */
	/* FIBs being built or built ahead of the first full write (start-up;
	 * compile_fib.c): NULL when none. Joined before any RIB change or
	 * bank write (sl_fib_pre_join). */
	struct sl_fib_pre *fib_pre;
	uint64_t fib_moves;  /**< full writes that moved prebuilt FIBs in */
	uint64_t fib_copies; /**< full writes that copied the other bank's FIBs */
	struct sl_ctable inet;
	/* Global next hops, numbered for as long as some table uses them:
	 * content -> index (JudyHS), a reference count per index (one per
	 * table that uses it), and the free indexes below n_gnh. Index 0 is
	 * UNREACHABLE and never freed. */
	struct sl_nexthop *gnh;
	uint32_t *gref;
	uint32_t n_gnh, cap_gnh, n_live_gnh;
	Pvoid_t gnh_index;
	Pvoid_t gnh_free; /**< Judy1 */
	/* VPC table per index (NULL = hole), rebuilt by every sl_compile() */
	struct sl_cvpc **slots;
	uint32_t n_slots;
	struct sl_bank_state bank[2];
	struct sl_nat_compiler *nat;	   /**< NAT section (compile_nat.c) */
	struct sl_havip_compiler *havip;   /**< HaVip section (compile_havip.c) */
	struct sl_police_compiler *police; /**< police section (compile_police.c) */
	struct sl_ip6gw_compiler *ip6gw;   /**< IPv6 gateway section (compile_ipv6gw.c) */
	uint64_t full_writes;		   /**< banks written in full so far */
	struct sl_compile_stats stats;
};

static void sl_fib_pre_drop(struct sl_compiler *c)
{
	sl_fib_pre_free(c->fib_pre);
	c->fib_pre = NULL;
}

/* Before the compiler changes the RIB or writes a bank: the FIBs built
 * ahead are complete (a failed build is dropped: the bank builds its own). */
static void sl_fib_pre_join(struct sl_compiler *c)
{
	if (c->fib_pre && sl_fib_pre_wait(c->fib_pre) < 0)
		sl_fib_pre_drop(c);
}

uint64_t sl_compiler_fib_moves(const struct sl_compiler *c)
{
	return c->fib_moves;
}

uint64_t sl_compiler_fib_copies(const struct sl_compiler *c)
{
	return c->fib_copies;
}

int sl_compiler_fib_prebuild(struct sl_compiler *c)
{
	if (c->fib_pre)
		return -EBUSY;
	c->fib_pre = sl_fib_pre_start(c->rib4, c->rib6);
	return c->fib_pre ? 0 : -errno;
}

static void sl_bank_dirty_vpc(struct sl_compiler *c, uint32_t index)
{
	for (unsigned int b = 0; b < 2; b++)
		if (sl_j1_set(&c->bank[b].dirty_vpc, index) < 0)
			c->bank[b].valid = false;
}

static void sl_bank_dirty_nh(struct sl_compiler *c, uint32_t index)
{
	for (unsigned int b = 0; b < 2; b++)
		if (sl_j1_set(&c->bank[b].dirty_nh, index) < 0)
			c->bank[b].valid = false;
}

static void sl_heap_reset(struct sl_heap *h, uint64_t base, uint64_t end)
{
	for (unsigned int k = 0; k < SL_HEAP_CLASSES; k++)
		h->n_free[k] = 0;
	h->base = h->top = base;
	h->end = end;
}

static unsigned int sl_heap_class(uint64_t size)
{
	unsigned int k = 0;

	while (k + 1 < SL_HEAP_CLASSES && (UINT64_C(1) << (k + SL_HEAP_MIN_SHIFT)) < size)
		k++;
	return k;
}

static uint64_t sl_heap_class_size(uint64_t size)
{
	return size ? UINT64_C(1) << (sl_heap_class(size) + SL_HEAP_MIN_SHIFT) : 0;
}

/* 0 with *b set (an empty request gives {0, 0}), or -ENOSPC. */
static int sl_heap_alloc(struct sl_heap *h, uint64_t size, struct sl_blk *b)
{
	unsigned int k;
	uint64_t csize;

	b->off = b->size = 0;
	if (size == 0)
		return 0;
	k = sl_heap_class(size);
	csize = UINT64_C(1) << (k + SL_HEAP_MIN_SHIFT);
	if (h->n_free[k]) {
		b->off = h->free[k][--h->n_free[k]];
	} else {
		if (h->top > h->end || h->end - h->top < csize)
			return -ENOSPC;
		b->off = h->top;
		h->top += csize;
	}
	b->size = csize;
	return 0;
}

static void sl_heap_free(struct sl_heap *h, struct sl_blk *b)
{
	unsigned int k;

	if (b->size == 0)
		return;
	k = sl_heap_class(b->size);
	/* on allocation failure the block is leaked until the next full
	 * write, which resets the heap */
	if (sl_compile_grow((void **)&h->free[k], &h->cap_free[k], h->n_free[k],
			    sizeof(uint64_t)) == 0)
		h->free[k][h->n_free[k]++] = b->off;
	b->off = b->size = 0;
}

static void sl_bank_state_free(struct sl_bank_state *bs)
{
	for (unsigned int k = 0; k < SL_HEAP_CLASSES; k++)
		free(bs->heap.free[k]);
	free(bs->vpc_blk);
	sl_j1_free(&bs->dirty_vpc);
	sl_j1_free(&bs->dirty_nh);
	free(bs->dirty_pfx);
	sl_fib4_writer_free(bs->fib4);
	sl_fib6_writer_free(bs->fib6);
	memset(bs, 0, sizeof(*bs));
}

/* ---- global next hops ---- */

static int sl_gnh_acquire(struct sl_compiler *c, const struct sl_nexthop *nh, uint32_t *idx)
{
	void *v = sl_jhs_get(c->gnh_index, nh, sizeof(*nh));
	Word_t i = 0;
	int rc;

	if (v) {
		*idx = (uint32_t)((uintptr_t)v - 1);
		c->gref[*idx]++;
		return 0;
	}
	if (sl_j1_first(c->gnh_free, &i) == 1) {
		sl_j1_unset(&c->gnh_free, i);
	} else {
		uint32_t cap = c->cap_gnh;

		if (sl_compile_grow((void **)&c->gnh, &c->cap_gnh, c->n_gnh, sizeof(*c->gnh)) < 0)
			return -ENOMEM;
		if (c->cap_gnh != cap) {
			uint32_t *r = realloc(c->gref, (size_t)c->cap_gnh * sizeof(*r));

			if (r == NULL) {
				c->cap_gnh = cap; /* gnh grew; harmless */
				return -ENOMEM;
			}
			c->gref = r;
		}
		i = c->n_gnh++;
	}
	rc = sl_jhs_insert(&c->gnh_index, nh, sizeof(*nh), (void *)(uintptr_t)(i + 1));
	if (rc < 0) {
		sl_j1_set(&c->gnh_free, i);
		return rc;
	}
	c->gnh[i] = *nh;
	c->gref[i] = 1;
	c->n_live_gnh++;
	sl_bank_dirty_nh(c, (uint32_t)i);
	*idx = (uint32_t)i;
	return 0;
}

static void sl_gnh_release(struct sl_compiler *c, uint32_t idx)
{
	struct sl_nh_group grp;
	bool group;

	if (idx == 0 || idx >= c->n_gnh || c->gref[idx] == 0)
		return;
	if (--c->gref[idx])
		return;
	group = c->gnh[idx].type == SL_NH_GROUP;
	grp = c->gnh[idx].grp;
	sl_jhs_delete(&c->gnh_index, &c->gnh[idx], sizeof(c->gnh[idx]));
	memset(&c->gnh[idx], 0, sizeof(c->gnh[idx]));
	c->n_live_gnh--;
	/* the bank keeps the old bytes until the index is reused (nothing
	 * refers to it meanwhile); reuse marks it dirty */
	sl_j1_set(&c->gnh_free, idx);
	/* ECMP (issue 8): a group holds one reference on each member; the
	 * released index is reused only by a later acquire, after this
	 * generation's readers are gone (the bank protocol) */
	for (unsigned int i = 0; group && i < grp.n_members && i < SL_NHG_MAX; i++)
		sl_gnh_release(c, grp.member[i]);
}

/* Number a freshly compiled table's next hops globally (one reference per
 * distinct local next hop). On failure nothing stays acquired. */
static int sl_table_acquire(struct sl_compiler *c, struct sl_ctable *t)
{
	free(t->gmap);
	t->gmap = calloc(t->n_nh ? t->n_nh : 1, sizeof(*t->gmap));
	if (t->gmap == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < t->n_nh; i++) {
		int rc;

		if (t->nh[i].type == SL_NH_UNREACHABLE && i == 0) {
			t->gmap[i] = 0;
			continue;
		}
		rc = sl_gnh_acquire(c, &t->nh[i], &t->gmap[i]);
		if (rc < 0) {
			for (uint32_t j = 0; j < i; j++)
				sl_gnh_release(c, t->gmap[j]);
			free(t->gmap);
			t->gmap = NULL;
			return rc;
		}
	}
	return 0;
}

static void sl_table_release(struct sl_compiler *c, struct sl_ctable *t)
{
	if (t->gmap == NULL)
		return;
	for (uint32_t i = 0; i < t->n_nh; i++)
		sl_gnh_release(c, t->gmap[i]);
	free(t->gmap);
	t->gmap = NULL;
}

struct sl_compiler *sl_compiler_new(void)
{
	struct sl_compiler *c = calloc(1, sizeof(*c));
	struct sl_nexthop unreach;
	uint32_t idx;

	if (c == NULL)
		return NULL;
	c->inet_dirty = true;
	c->inet_changed = true;
	c->rib4 = sl_rib4_new();
	c->rib6 = sl_rib6_new();
	c->nat = sl_nat_compiler_new();
	c->havip = sl_havip_compiler_new();
	c->police = sl_police_compiler_new();
	c->ip6gw = sl_ip6gw_compiler_new();
	if (c->rib4 == NULL || c->rib6 == NULL || c->nat == NULL || c->havip == NULL ||
	    c->police == NULL || c->ip6gw == NULL) {
		sl_compiler_free(c);
		return NULL;
	}
	memset(&unreach, 0, sizeof(unreach));
	unreach.type = SL_NH_UNREACHABLE;
	if (sl_gnh_acquire(c, &unreach, &idx) < 0) { /* index 0, held forever */
		sl_compiler_free(c);
		return NULL;
	}
	return c;
}

static void sl_cvpc_free(struct sl_compiler *c, struct sl_cvpc *cv)
{
	if (cv) {
		sl_table_release(c, &cv->t);
		sl_ctable_clear(&cv->t);
		free(cv);
	}
}

static void sl_cache_clear(struct sl_compiler *c)
{
	char key[SL_JSL_KEY_MAX] = "";

	for (struct sl_cvpc *cv = sl_jsl_first(c->cache, key); cv; cv = sl_jsl_next(c->cache, key))
		sl_cvpc_free(c, cv);
	sl_jsl_free(&c->cache);
}

void sl_compiler_free(struct sl_compiler *c)
{
	if (c == NULL)
		return;
	sl_fib_pre_drop(c);
	sl_cache_clear(c);
	sl_jsl_free(&c->index_of);
	sl_j1_free(&c->index_used);
	sl_jsl_free(&c->dirty);
	sl_ctable_clear(&c->inet);
	free(c->cfg_v);
	sl_jhs_free(&c->cfg_index);
	sl_jhs_free(&c->inet_feed);
	sl_rib4_free(c->rib4);
	sl_rib6_free(c->rib6);
	sl_nat_compiler_free(c->nat);
	sl_havip_compiler_free(c->havip);
	sl_police_compiler_free(c->police);
	sl_ip6gw_compiler_free(c->ip6gw);
	sl_jhs_free(&c->gnh_index);
	sl_j1_free(&c->gnh_free);
	free(c->gnh);
	free(c->gref);
	free(c->slots);
	for (unsigned int b = 0; b < 2; b++)
		sl_bank_state_free(&c->bank[b]);
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

void sl_compiler_invalidate_banks(struct sl_compiler *c)
{
	for (unsigned int b = 0; b < 2; b++) {
		struct sl_bank_state *bs = &c->bank[b];

		bs->valid = false;
		/* the writers point into the old mapping */
		sl_fib4_writer_free(bs->fib4);
		sl_fib6_writer_free(bs->fib6);
		bs->fib4 = NULL;
		bs->fib6 = NULL;
	}
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

int sl_compiler_seed_nat(struct sl_compiler *c, const struct sl_nat_sec *sec, uint64_t size)
{
	return sl_nat_compiler_seed(c->nat, sec, size);
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

/* ---- the Internet table ------------------------------------------------------ */

static void sl_ikey_make(struct sl_ikey *k, uint8_t family, sl_u128 first, uint8_t len)
{
	memset(k, 0, sizeof(*k));
	k->family = family;
	k->len = len;
	sl_addr_to_bytes(family, first, k->addr);
}

static uint32_t sl_ikey_v4(const struct sl_ikey *k)
{
	return (uint32_t)k->addr[0] << 24 | (uint32_t)k->addr[1] << 16 | (uint32_t)k->addr[2] << 8 |
	       k->addr[3];
}

static void sl_inet_dirty_key(struct sl_compiler *c, const struct sl_ikey *k)
{
	/* the FIBs built ahead replay it before they are moved in */
	if (c->fib_pre && sl_fib_pre_note(c->fib_pre, k->family, k->addr, k->len) < 0)
		sl_fib_pre_drop(c);
	for (unsigned int b = 0; b < 2; b++) {
		struct sl_bank_state *bs = &c->bank[b];

		if (bs->fib_rebuild)
			continue;
		if (bs->n_dirty_pfx >= SL_DIRTY_PFX_MAX ||
		    sl_compile_grow((void **)&bs->dirty_pfx, &bs->cap_dirty_pfx, bs->n_dirty_pfx,
				    sizeof(*k)) < 0) {
			bs->fib_rebuild = true; /* cheaper (or the only way) */
			continue;
		}
		bs->dirty_pfx[bs->n_dirty_pfx++] = *k;
	}
	/* FIB mode lists only the config's routes (sl_inet_rebuild_table) */
	if (!c->fib_mode)
		c->inet_changed = true;
}

/* Make the RIB agree with the sources for one prefix. */
static int sl_inet_refresh(struct sl_compiler *c, const struct sl_ikey *k)
{
	void *v = sl_jhs_get(c->cfg_index, k, SL_IKEY_LEN);
	uint32_t cur = 0;
	int have, rc;

	if (v == NULL)
		v = sl_jhs_get(c->inet_feed, k, SL_IKEY_LEN);
	if (k->family == SL_AF_INET)
		have = sl_rib4_get(c->rib4, sl_ikey_v4(k), k->len, &cur) == 0;
	else
		have = sl_rib6_get(c->rib6, k->addr, k->len, &cur) == 0;
	if (v && have && cur == SL_IENT_NH(v))
		return 0;
	if (v == NULL && !have)
		return 0;
	if (v)
		rc = k->family == SL_AF_INET
			 ? sl_rib4_set(c->rib4, sl_ikey_v4(k), k->len, SL_IENT_NH(v))
			 : sl_rib6_set(c->rib6, k->addr, k->len, SL_IENT_NH(v));
	else
		rc = k->family == SL_AF_INET ? sl_rib4_delete(c->rib4, sl_ikey_v4(k), k->len)
					     : sl_rib6_delete(c->rib6, k->addr, k->len);
	if (rc < 0)
		return rc;
	sl_inet_dirty_key(c, k);
	return 0;
}

/* Replace the config-derived Internet routes by those of table `t` (its
 * next hops local to t): acquire the new set, switch, refresh the RIB for
 * every prefix of either set, then release the old set. */
static int sl_inet_cfg_replace(struct sl_compiler *c, const struct sl_ctable *t)
{
	struct sl_icfg *nv = calloc(t->n_pfx ? t->n_pfx : 1, sizeof(*nv));
	struct sl_icfg *ov = c->cfg_v;
	uint32_t nn = 0, on = c->n_cfg;
	Pvoid_t nidx = NULL;
	int rc = nv ? 0 : -ENOMEM;

	for (uint32_t i = 0; i < t->n_pfx && rc == 0; i++) {
		const struct sl_prefix *p = &t->pfx[i];
		struct sl_icfg *e = &nv[nn];

		memset(&e->k, 0, sizeof(e->k));
		e->k.family = p->family;
		e->k.len = p->len;
		memcpy(e->k.addr, p->addr, sizeof(e->k.addr));
		if (sl_jhs_get(nidx, &e->k, SL_IKEY_LEN))
			continue; /* the first of equal prefixes wins, as in the intervals */
		rc = sl_gnh_acquire(c, &t->nh[p->nh], &e->nh);
		if (rc < 0)
			break;
		e->origin = p->origin;
		rc = sl_jhs_insert(&nidx, &e->k, SL_IKEY_LEN, SL_IENT(e->nh, e->origin));
		if (rc < 0) {
			sl_gnh_release(c, e->nh);
			break;
		}
		nn++;
	}
	if (rc < 0) {
		for (uint32_t i = 0; i < nn; i++)
			sl_gnh_release(c, nv[i].nh);
		sl_jhs_free(&nidx);
		free(nv);
		return rc;
	}
	sl_jhs_free(&c->cfg_index);
	c->cfg_index = nidx;
	c->cfg_v = nv;
	c->n_cfg = nn;
	c->inet_changed = true;
	for (uint32_t i = 0; i < nn && rc == 0; i++)
		rc = sl_inet_refresh(c, &nv[i].k);
	for (uint32_t i = 0; i < on && rc == 0; i++)
		rc = sl_inet_refresh(c, &ov[i].k);
	for (uint32_t i = 0; i < on; i++)
		sl_gnh_release(c, ov[i].nh);
	free(ov);
	return rc;
}

/* Acquire `nh` for the route source: route sources send runs of routes
 * with the same next hop, so try the last one before the JudyHS lookup of
 * 128 bytes. */
static int sl_inet_feed_acquire(struct sl_compiler *c, const struct sl_nexthop *nh, uint32_t *g)
{
	int rc;

	if (c->last_feed_nh && c->last_feed_nh < c->n_gnh && c->gref[c->last_feed_nh] &&
	    memcmp(&c->gnh[c->last_feed_nh], nh, sizeof(*nh)) == 0) {
		*g = c->last_feed_nh;
		c->gref[*g]++;
		return 0;
	}
	rc = sl_gnh_acquire(c, nh, g);
	if (rc == 0)
		c->last_feed_nh = *g;
	return rc;
}

static int sl_inet_feed_put(struct sl_compiler *c, const struct sl_ikey *kp, uint32_t g);

int sl_compiler_inet_set(struct sl_compiler *c, const struct sl_pfx *p, const struct sl_nexthop *nh)
{
	struct sl_ikey k;
	uint32_t g;
	int rc;

	if (p->family != SL_AF_INET && p->family != SL_AF_INET6)
		return -EINVAL;
	sl_fib_pre_join(c);
	sl_ikey_make(&k, p->family, sl_pfx_first(p), p->len);
	rc = sl_inet_feed_acquire(c, nh, &g);
	return rc < 0 ? rc : sl_inet_feed_put(c, &k, g);
}

/* ECMP (issue 8): the group of `n` acquired members `m` (their references
 * pass to the group, or are dropped if an equal group exists) built from
 * what the route `k` had; 0 with the group acquired in *g. */
static int sl_inet_group_acquire(struct sl_compiler *c, const struct sl_ikey *k,
				 const uint32_t *m, const uint16_t *weight, unsigned int n,
				 uint32_t *g)
{
	void *old = sl_jhs_get(c->inet_feed, k, SL_IKEY_LEN);
	struct sl_nh_group prev;
	struct sl_nexthop nh;
	int rc;

	if (old && c->gnh[SL_IENT_NH(old)].type == SL_NH_GROUP)
		prev = c->gnh[SL_IENT_NH(old)].grp;
	else if (old)
		sl_nhg_single(&prev, SL_IENT_NH(old));
	memset(&nh, 0, sizeof(nh));
	rc = sl_nhg_build(&nh.grp, m, weight, n, old ? &prev : NULL);
	if (rc < 0)
		return rc;
	nh.type = SL_NH_GROUP;
	nh.family = c->gnh[m[0]].family;
	nh.port_role = SL_ROLE_OUTSIDE;
	nh.vpc_index = SL_VPC_INTERNET;
	nh.mtu = UINT16_MAX;
	for (unsigned int i = 0; i < n; i++)
		if (c->gnh[m[i]].mtu < nh.mtu)
			nh.mtu = c->gnh[m[i]].mtu; /* what a DF packet may be: the least */
	rc = sl_inet_feed_acquire(c, &nh, g);
	if (rc < 0)
		return rc;
	if (c->gref[*g] > 1) /* an equal group holds its own references */
		for (unsigned int i = 0; i < n; i++)
			sl_gnh_release(c, m[i]);
	return 0;
}

int sl_compiler_inet_set_group(struct sl_compiler *c, const struct sl_pfx *p,
			       const struct sl_nexthop *nh, const uint16_t *weight, unsigned int n)
{
	uint32_t m[SL_NHG_MAX], g;
	uint16_t w[SL_NHG_MAX];
	unsigned int got = 0, k_n = 0;
	struct sl_ikey k;
	int rc = 0;

	if ((p->family != SL_AF_INET && p->family != SL_AF_INET6) || n == 0 || n > SL_NHG_MAX)
		return -EINVAL;
	if (n == 1)
		return sl_compiler_inet_set(c, p, &nh[0]);
	for (unsigned int i = 0; i < n; i++)
		if (nh[i].type != SL_NH_GATEWAY && nh[i].type != SL_NH_CONNECTED)
			return -EINVAL;
	sl_fib_pre_join(c);
	sl_ikey_make(&k, p->family, sl_pfx_first(p), p->len);
	while (got < n && rc == 0)
		if ((rc = sl_gnh_acquire(c, &nh[got], &m[got])) == 0)
			got++;
	if (rc < 0) {
		while (got > 0)
			sl_gnh_release(c, m[--got]);
		return rc;
	}
	/* two vias with the same next hop are one member of both weights */
	for (unsigned int i = 0; i < n; i++) {
		unsigned int j = 0;

		while (j < k_n && m[j] != m[i])
			j++;
		if (j < k_n) {
			w[j] = (uint16_t)(w[j] + weight[i] > UINT16_MAX ? UINT16_MAX
									: w[j] + weight[i]);
			sl_gnh_release(c, m[i]);
			continue;
		}
		m[k_n] = m[i];
		w[k_n++] = weight[i];
	}
	if (k_n == 1)
		return sl_inet_feed_put(c, &k, m[0]);
	rc = sl_inet_group_acquire(c, &k, m, w, k_n, &g);
	if (rc < 0) {
		while (k_n > 0)
			sl_gnh_release(c, m[--k_n]);
		return rc;
	}
	return sl_inet_feed_put(c, &k, g);
}

/* Point route-source prefix `k` at acquired next hop `g` (the reference
 * passes to the feed; the old one is released). */
static int sl_inet_feed_put(struct sl_compiler *c, const struct sl_ikey *kp, uint32_t g)
{
	struct sl_ikey k = *kp;
	PPvoid_t slot;
	void *old;
	int rc;

	slot = JudyHSIns(&c->inet_feed, &k, SL_IKEY_LEN, PJE0);
	if (slot == PJERR) {
		sl_gnh_release(c, g);
		return -ENOMEM;
	}
	old = *slot;
	*slot = SL_IENT(g, SL_ROUTE_DYNAMIC);
	if (!old)
		c->n_feed++;
	if (c->cfg_index && sl_jhs_get(c->cfg_index, &k, SL_IKEY_LEN)) {
		rc = 0; /* shadowed by the config's route */
	} else if (old && SL_IENT_NH(old) == g) {
		rc = 0; /* same route again */
	} else {
		rc = k.family == SL_AF_INET ? sl_rib4_set(c->rib4, sl_ikey_v4(&k), k.len, g)
					    : sl_rib6_set(c->rib6, k.addr, k.len, g);
		if (rc >= 0) {
			rc = 0;
			sl_inet_dirty_key(c, &k);
		}
	}
	if (old)
		sl_gnh_release(c, SL_IENT_NH(old));
	return rc;
}

int sl_compiler_inet_del(struct sl_compiler *c, const struct sl_pfx *p)
{
	struct sl_ikey k;
	void *old;
	int rc;

	if (p->family != SL_AF_INET && p->family != SL_AF_INET6)
		return -EINVAL;
	sl_fib_pre_join(c);
	sl_ikey_make(&k, p->family, sl_pfx_first(p), p->len);
	old = sl_jhs_get(c->inet_feed, &k, SL_IKEY_LEN);
	if (old == NULL)
		return -ENOENT;
	sl_jhs_delete(&c->inet_feed, &k, SL_IKEY_LEN);
	c->n_feed--;
	rc = sl_inet_refresh(c, &k);
	sl_gnh_release(c, SL_IENT_NH(old));
	return rc;
}

uint64_t sl_compiler_full_writes(const struct sl_compiler *c)
{
	return c->full_writes;
}

size_t sl_compiler_rib_bytes(const struct sl_compiler *c)
{
	return sl_rib4_bytes(c->rib4) + sl_rib6_bytes(c->rib6);
}

size_t sl_compiler_inet_count(const struct sl_compiler *c)
{
	return sl_rib4_count(c->rib4) + sl_rib6_count(c->rib6);
}

/* The interval form and prefix list of the RIB (interval mode), or only
 * the prefix list (FIB mode, small tables), or nothing (FIB mode, big). */
struct sl_inet_walk {
	struct sl_compiler *c;
	struct sl_ctable *t;
	bool intervals;
	int rc;
};

static int sl_inet_walk_add(struct sl_inet_walk *w, uint8_t family, const uint8_t addr[16],
			    uint8_t len, uint32_t nh)
{
	struct sl_ctable *t = w->t;
	struct sl_prefix *sp;
	struct sl_ikey k;
	void *v;

	memset(&k, 0, sizeof(k));
	k.family = family;
	k.len = len;
	memcpy(k.addr, addr, family == SL_AF_INET ? 4 : 16);
	v = sl_jhs_get(w->c->cfg_index, &k, SL_IKEY_LEN);
	if (v == NULL)
		v = sl_jhs_get(w->c->inet_feed, &k, SL_IKEY_LEN);
	if (sl_compile_grow((void **)&t->pfx, &t->cap_pfx, t->n_pfx, sizeof(*t->pfx)) < 0)
		return w->rc = -ENOMEM;
	sp = &t->pfx[t->n_pfx++];
	memset(sp, 0, sizeof(*sp));
	memcpy(sp->addr, k.addr, sizeof(sp->addr));
	sp->len = len;
	sp->family = family;
	sp->origin = v ? SL_IENT_ORIGIN(v) : SL_ROUTE_DYNAMIC;
	sp->nh = nh;
	if (w->intervals) {
		struct sl_rt_in **in = family == SL_AF_INET6 ? &t->in6 : &t->in4;
		uint32_t *n_in = family == SL_AF_INET6 ? &t->n_in6 : &t->n_in4;
		uint32_t *cap_in = family == SL_AF_INET6 ? &t->cap_in6 : &t->cap_in4;

		if (sl_compile_grow((void **)in, cap_in, *n_in, sizeof(**in)) < 0)
			return w->rc = -ENOMEM;
		(*in)[*n_in].addr = sl_addr_from_bytes(family, k.addr);
		(*in)[*n_in].len = len;
		(*in)[*n_in].nh = nh;
		(*in)[*n_in].seq = *n_in;
		(*n_in)++;
	}
	return 0;
}

static int sl_inet_walk4(uint32_t addr, uint8_t len, uint32_t nh, void *arg)
{
	uint8_t b[16] = {(uint8_t)(addr >> 24), (uint8_t)(addr >> 16), (uint8_t)(addr >> 8),
			 (uint8_t)addr};

	return sl_inet_walk_add(arg, SL_AF_INET, b, len, nh);
}

static int sl_inet_walk6(const uint8_t addr[16], uint8_t len, uint32_t nh, void *arg)
{
	return sl_inet_walk_add(arg, SL_AF_INET6, addr, len, nh);
}

static int sl_inet_rebuild_table(struct sl_compiler *c)
{
	struct sl_inet_walk w = {.c = c, .intervals = !c->fib_mode};
	struct sl_ctable t;
	int rc = 0;

	memset(&t, 0, sizeof(t));
	w.t = &t;
	if (!c->fib_mode) {
		rc = sl_rib4_walk(c->rib4, sl_inet_walk4, &w);
		if (rc == 0 && w.rc == 0)
			rc = sl_rib6_walk(c->rib6, sl_inet_walk6, &w);
		if (rc == 0)
			rc = w.rc;
	} else {
		/* the FIB answers lookups; the list shows the config's routes
		 * (the route source's may be a million: sluicectl counts them) */
		for (uint32_t i = 0; i < c->n_cfg && rc == 0; i++) {
			const struct sl_icfg *e = &c->cfg_v[i];

			rc = sl_inet_walk_add(&w, e->k.family, e->k.addr, e->k.len, e->nh);
			if (rc == 0)
				rc = w.rc;
		}
	}
	if (rc == 0 && !c->fib_mode)
		rc = sl_ctable_finish(&t);
	if (rc < 0) {
		sl_ctable_clear(&t);
		return rc;
	}
	free(t.in4);
	free(t.in6);
	t.in4 = t.in6 = NULL;
	t.flags = c->fib_mode ? SL_RT_F_FIB : 0;
	sl_ctable_clear(&c->inet);
	c->inet = t;
	c->inet_changed = false;
	c->bank[0].dirty_inet = c->bank[1].dirty_inet = true;
	return 0;
}

void sl_compiler_set_fib(struct sl_compiler *c, bool on)
{
	if (!on)
		sl_fib_pre_drop(c);
	if (c->fib_mode == on)
		return;
	c->fib_mode = on;
	c->inet_changed = true;
	sl_compiler_invalidate_banks(c);
}

static int sl_count_groups(struct sl_compiler *c)
{
	return sl_fib_count_groups(c->rib4, c->rib6, &c->fib4_groups, &c->fib6_groups);
}

static uint64_t sl_fib_bytes(const struct sl_compiler *c)
{
	if (!c->fib_mode)
		return 0;
	return SL_ALIGN(sl_fib4_bytes(c->fib4_groups ? c->fib4_groups : 256)) +
	       SL_ALIGN(
		   sl_fib6_bytes(SL_FIB6_L1_BITS_DEFAULT, c->fib6_groups ? c->fib6_groups : 256));
}

/* Bytes of a table's block in a bank: v4 intervals, v6 intervals, prefix
 * list, each cache-line aligned. */
static uint64_t sl_table_bytes(const struct sl_ctable *t)
{
	return SL_ALIGN((uint64_t)t->n_v4 * sizeof(struct sl_rt4_entry)) +
	       SL_ALIGN((uint64_t)t->n_v6 * sizeof(struct sl_rt6_entry)) +
	       SL_ALIGN((uint64_t)t->n_pfx * sizeof(struct sl_prefix));
}

/* Bank bytes in front of the heap for arrays of the given capacities. */
static uint64_t sl_fixed_bytes(uint32_t vpc_cap, uint32_t nh_cap)
{
	return SL_ALIGN(sizeof(struct sl_bank_header)) +
	       SL_ALIGN(SL_VLAN_MAP_ENTRIES * sizeof(uint32_t)) +
	       SL_ALIGN((uint64_t)vpc_cap * sizeof(struct sl_vpc)) +
	       SL_ALIGN((uint64_t)nh_cap * sizeof(struct sl_nexthop));
}

/* Replace the cached table of `cv->id` by the compiled `cv` (or drop it
 * when cv is NULL): new next hops are acquired before the old ones are
 * released, so unchanged next hops keep their index. */
static int sl_cache_put(struct sl_compiler *c, const char *id, struct sl_cvpc *cv)
{
	struct sl_cvpc *old = sl_jsl_get(c->cache, id);
	int rc;

	if (cv) {
		rc = sl_table_acquire(c, &cv->t);
		if (rc < 0)
			return rc;
	}
	if (old) {
		sl_jsl_delete(&c->cache, id);
		sl_bank_dirty_vpc(c, old->index);
		sl_cvpc_free(c, old);
	}
	if (cv) {
		rc = sl_jsl_insert(&c->cache, cv->id, cv);
		if (rc < 0) {
			sl_table_release(c, &cv->t);
			return rc;
		}
		sl_bank_dirty_vpc(c, cv->index);
	}
	return 0;
}

int sl_compile(struct sl_compiler *c, const struct sl_store *s, struct sl_compile_stats *st)
{
	struct sl_compile_stats stats;
	char key[SL_JSL_KEY_MAX];
	Pvoid_t gone = NULL;	 /* JudySL ids of cached VPCs no longer in the store */
	Pvoid_t natgw_of = NULL; /* JudySL VpcId -> its NAT gateway */
	uint32_t max_index = 0;
	bool nat_changed = false, havip_changed = false, police_changed = false;
	bool ip6gw_changed = false;
	int rc = 0;

	memset(&stats, 0, sizeof(stats));
	if (s == NULL) {
		/* the store did not change since the last sl_compile(): only
		 * route-source changes to take in; nothing per VPC (O(changes),
		 * not O(VPCs), for a route feed) */
		sl_fib_pre_join(c);
		if (c->all_dirty || c->inet_dirty || !c->inet_valid || c->dirty)
			return -EINVAL;
		if (c->inet_changed) {
			rc = sl_inet_rebuild_table(c);
			if (rc < 0) {
				sl_compiler_mark_all_dirty(c);
				return rc;
			}
		}
		c->stats.n_inet_routes = sl_compiler_inet_count(c);
		c->stats.n_nexthops = c->n_live_gnh;
		c->stats.n_recompiled = 0;
		c->stats.inet_recompiled = 0;
		if (st)
			*st = c->stats;
		return 0;
	}
	if (c->all_dirty) {
		sl_cache_clear(c);
		sl_compiler_invalidate_banks(c);
		c->all_dirty = false;
	}

	for (unsigned int i = 0; i < s->natgw_v.n && rc == 0; i++) {
		struct sl_natgw_obj *g = s->natgw_v.v[i];

		if (g->vpc)
			rc = sl_jsl_insert(&natgw_of, g->vpc->id, g);
	}
	rc = rc == -EEXIST ? 0 : rc; /* one per VPC in a validated store */

	/* compile new and dirty VPCs, and those whose NAT gateway changed */
	for (unsigned int i = 0; i < s->vpc_v.n && rc == 0; i++) {
		const struct sl_vpc_obj *v = s->vpc_v.v[i];
		struct sl_cvpc *cv = sl_jsl_get(c->cache, v->id);
		const struct sl_natgw_obj *g = sl_jsl_get(natgw_of, v->id);
		const struct sl_ipv6gw_obj *g6 = sl_jsl_get(s->ipv6_keys, v->id);
		uint32_t index = 0;

		stats.n_vpcs++;
		rc = sl_index_alloc(c, v->id, &index);
		if (rc < 0)
			break;
		if (cv && cv->index == index && !sl_jsl_get(c->dirty, v->id) &&
		    strcmp(cv->natgw_id, g ? g->id : "") == 0 &&
		    strcmp(cv->ip6gw_id, g6 ? g6->id : "") == 0)
			continue;
		cv = calloc(1, sizeof(*cv));
		if (cv == NULL) {
			rc = -ENOMEM;
			break;
		}
		snprintf(cv->id, sizeof(cv->id), "%s", v->id);
		snprintf(cv->route_table_id, sizeof(cv->route_table_id), "%s", v->route_table_id);
		cv->index = index;
		cv->vlan = (uint16_t)v->vlan;
		cv->trunk = (uint16_t)v->trunk;
		cv->n_vswitches = v->n_vswitches;
		snprintf(cv->natgw_id, sizeof(cv->natgw_id), "%s", g ? g->id : "");
		snprintf(cv->ip6gw_id, sizeof(cv->ip6gw_id), "%s", g6 ? g6->id : "");
		rc = sl_compile_vpc_table(&cv->t, v, index, g, g6);
		if (rc == 0)
			rc = sl_cache_put(c, v->id, cv);
		if (rc < 0) {
			sl_ctable_clear(&cv->t);
			free(cv);
			break;
		}
		stats.n_recompiled++;
	}
	sl_jsl_free(&natgw_of);
	/* after the VPC indexes were allocated: the section refers to them */
	if (rc == 0)
		rc = sl_nat_compile(c->nat, c, s, &nat_changed);
	if (nat_changed)
		c->bank[0].dirty_nat = c->bank[1].dirty_nat = true;
	if (rc == 0)
		rc = sl_havip_compile(c->havip, c, s, &havip_changed);
	if (havip_changed)
		c->bank[0].dirty_havip = c->bank[1].dirty_havip = true;
	if (rc == 0)
		rc = sl_ip6gw_compile(c->ip6gw, c, s, &ip6gw_changed);
	if (ip6gw_changed)
		c->bank[0].dirty_ip6gw = c->bank[1].dirty_ip6gw = true;
	/* police after the sections whose indexes it follows (NAT ip[], IPv6
	 * gateway addr[]: police6) */
	if (rc == 0)
		rc = sl_police_compile(c->police, sl_nat_compiled(c->nat), sl_ip6gw_compiled(c->ip6gw),
				       s, &police_changed);
	if (police_changed)
		c->bank[0].dirty_police = c->bank[1].dirty_police = true;
	/* the VPC part ran alongside the FIBs built ahead; the RIB from here */
	sl_fib_pre_join(c);
	if (rc == 0 && (c->inet_dirty || !c->inet_valid)) {
		struct sl_ctable t;

		rc = sl_compile_inet_table(&t, s->gateway);
		if (rc == 0)
			rc = sl_inet_cfg_replace(c, &t);
		sl_ctable_clear(&t);
		if (rc == 0) {
			c->inet_valid = true;
			c->inet_dirty = false;
			stats.inet_recompiled = 1;
		}
	}
	if (rc == 0 && c->inet_changed)
		rc = sl_inet_rebuild_table(c);
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
		int idx = sl_compiler_vpc_index(c, key);

		sl_cache_put(c, key, NULL);
		if (idx >= 0) {
			sl_jsl_delete(&c->index_of, key);
			sl_j1_unset(&c->index_used, (Word_t)idx);
			sl_bank_dirty_vpc(c, (uint32_t)idx);
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

	stats.n_vpc_slots = c->n_slots;
	stats.n_nexthops = c->n_live_gnh;
	stats.bytes = sl_fixed_bytes(c->n_slots, c->n_gnh) + sl_fib_bytes(c);
	for (uint32_t i = 0; i < c->n_slots; i++) {
		const struct sl_ctable *t = c->slots[i] ? &c->slots[i]->t : NULL;

		if (t == NULL)
			continue;
		stats.bytes += sl_heap_class_size(sl_table_bytes(t));
		stats.n_v4 += t->n_v4;
		stats.n_v6 += t->n_v6;
		stats.n_prefixes += t->n_pfx;
	}
	stats.bytes += sl_heap_class_size(sl_table_bytes(&c->inet));
	if (sl_nat_compiled(c->nat))
		stats.bytes += sl_heap_class_size(sl_nat_compiled(c->nat)->size);
	if (sl_havip_compiled(c->havip))
		stats.bytes += sl_heap_class_size(sl_havip_compiled(c->havip)->size);
	if (sl_police_compiled(c->police))
		stats.bytes += sl_heap_class_size(sl_police_compiled(c->police)->size);
	if (sl_ip6gw_compiled(c->ip6gw))
		stats.bytes += sl_heap_class_size(sl_ip6gw_compiled(c->ip6gw)->size);
	stats.n_v4 += c->inet.n_v4;
	stats.n_v6 += c->inet.n_v6;
	stats.n_prefixes += c->inet.n_pfx;
	stats.n_inet_routes = sl_compiler_inet_count(c);
	c->stats = stats;
	if (st)
		*st = stats;
	return 0;
fail:
	sl_jsl_free(&gone);
	sl_jsl_free(&natgw_of);
	sl_compiler_mark_all_dirty(c);
	return rc;
}

/* ---- bank writer ------------------------------------------------------------- */

/*
 * A bank is written only while no reader uses it (shm_writer waits for the
 * grace period; sl_compile_sync_bank()'s caller checks it), so plain stores
 * suffice. Each bank is written either in full (first use, after
 * invalidation, or when an incremental write runs out of room: the full
 * write compacts) or incrementally: only the VPC descriptors, table blocks
 * and next hops changed since this bank was last written. Both banks see
 * every change: dirty marks go to both sets, and each set is cleared when
 * its bank is written.
 */

static void sl_write_table(uint8_t *bank, const struct sl_ctable *t, const struct sl_blk *blk,
			   struct sl_route_table *rt)
{
	struct sl_rt4_entry *e4;
	struct sl_rt6_entry *e6;
	struct sl_prefix *p;
	uint64_t off = blk->off;

	memset(rt, 0, sizeof(*rt));
	rt->flags = t->flags;
	rt->v4_n = t->n_v4;
	rt->v6_n = t->n_v6;
	rt->n_prefixes = t->n_pfx;
	rt->v4_off = off;
	e4 = SL_BANK_PTR(bank, off, struct sl_rt4_entry);
	for (uint32_t i = 0; i < t->n_v4; i++) {
		e4[i].start = t->v4[i].start;
		e4[i].nh = t->gmap ? t->gmap[t->v4[i].nh] : t->v4[i].nh;
	}
	off += SL_ALIGN((uint64_t)t->n_v4 * sizeof(*e4));
	rt->v6_off = off;
	e6 = SL_BANK_PTR(bank, off, struct sl_rt6_entry);
	for (uint32_t i = 0; i < t->n_v6; i++) {
		e6[i] = t->v6[i];
		e6[i].nh = t->gmap ? t->gmap[t->v6[i].nh] : t->v6[i].nh;
	}
	off += SL_ALIGN((uint64_t)t->n_v6 * sizeof(*e6));
	rt->prefix_off = off;
	p = SL_BANK_PTR(bank, off, struct sl_prefix);
	for (uint32_t i = 0; i < t->n_pfx; i++) {
		p[i] = t->pfx[i];
		p[i].nh = t->gmap ? t->gmap[t->pfx[i].nh] : t->pfx[i].nh;
	}
}

static int sl_bank_vpc_blk_grow(struct sl_bank_state *bs, uint32_t n)
{
	while (bs->cap_vpc_blk < n) {
		uint32_t ncap = bs->cap_vpc_blk ? bs->cap_vpc_blk * 2 : 64;
		struct sl_blk *nb = realloc(bs->vpc_blk, (size_t)ncap * sizeof(*nb));

		if (nb == NULL)
			return -ENOMEM;
		memset(nb + bs->cap_vpc_blk, 0, (size_t)(ncap - bs->cap_vpc_blk) * sizeof(*nb));
		bs->vpc_blk = nb;
		bs->cap_vpc_blk = ncap;
	}
	if (bs->n_vpc_blk < n)
		bs->n_vpc_blk = n;
	return 0;
}

/* (Re)write VPC descriptor `i` and its table block. */
static int sl_write_vpc(struct sl_compiler *c, struct sl_bank_state *bs, uint8_t *bank,
			struct sl_vpc *vpcs, uint32_t i)
{
	const struct sl_cvpc *cv = i < c->n_slots ? c->slots[i] : NULL;
	struct sl_vpc *out = &vpcs[i];
	int rc;

	if (i >= bs->vpc_cap)
		return cv ? -ENOSPC : 0; /* beyond the array: nothing to clear */
	rc = sl_bank_vpc_blk_grow(bs, i + 1);
	if (rc < 0)
		return rc;
	sl_heap_free(&bs->heap, &bs->vpc_blk[i]);
	memset(out, 0, sizeof(*out));
	out->index = i;
	if (cv == NULL)
		return 0; /* hole: empty id, no routes */
	rc = sl_heap_alloc(&bs->heap, sl_table_bytes(&cv->t), &bs->vpc_blk[i]);
	if (rc < 0)
		return rc;
	snprintf(out->id, sizeof(out->id), "%s", cv->id);
	snprintf(out->route_table_id, sizeof(out->route_table_id), "%s", cv->route_table_id);
	out->vlan = cv->vlan;
	out->trunk = cv->trunk;
	out->n_vswitches = cv->n_vswitches;
	sl_write_table(bank, &cv->t, &bs->vpc_blk[i], &out->rt);
	return 0;
}

static int sl_write_inet(struct sl_compiler *c, struct sl_bank_state *bs, uint8_t *bank,
			 struct sl_bank_header *h)
{
	int rc;

	sl_heap_free(&bs->heap, &bs->inet_blk);
	rc = sl_heap_alloc(&bs->heap, sl_table_bytes(&c->inet), &bs->inet_blk);
	if (rc < 0)
		return rc;
	sl_write_table(bank, &c->inet, &bs->inet_blk, &h->inet);
	return 0;
}

/* A position-independent section (`sec`, `size` bytes; NULL = none) into
 * a new heap block of this bank, replacing `blk`; *off and *len describe it in
 * the bank header. */
static int sl_write_section(struct sl_bank_state *bs, uint8_t *bank, struct sl_blk *blk,
			   const void *sec, uint64_t size, uint64_t *off, uint64_t *len)
{
	int rc;

	sl_heap_free(&bs->heap, blk);
	*off = *len = 0;
	if (sec == NULL)
		return 0;
	rc = sl_heap_alloc(&bs->heap, size, blk);
	if (rc < 0)
		return rc;
	memcpy(bank + blk->off, sec, size);
	*off = blk->off;
	*len = size;
	return 0;
}

static int sl_write_nat(struct sl_compiler *c, struct sl_bank_state *bs, uint8_t *bank,
			struct sl_bank_header *h)
{
	const struct sl_nat_sec *sec = sl_nat_compiled(c->nat);

	return sl_write_section(bs, bank, &bs->nat_blk, sec, sec ? sec->size : 0, &h->nat_off,
				&h->nat_size);
}

const struct sl_nat_sec *sl_compiler_nat(const struct sl_compiler *c)
{
	return sl_nat_compiled(c->nat);
}

static int sl_write_havip(struct sl_compiler *c, struct sl_bank_state *bs, uint8_t *bank,
			  struct sl_bank_header *h)
{
	const struct sl_havip_sec *sec = sl_havip_compiled(c->havip);

	return sl_write_section(bs, bank, &bs->havip_blk, sec, sec ? sec->size : 0, &h->havip_off,
				&h->havip_size);
}

const struct sl_havip_sec *sl_compiler_havip(const struct sl_compiler *c)
{
	return sl_havip_compiled(c->havip);
}

static int sl_write_police(struct sl_compiler *c, struct sl_bank_state *bs, uint8_t *bank,
			   struct sl_bank_header *h)
{
	const struct sl_pol_sec *sec = sl_police_compiled(c->police);

	return sl_write_section(bs, bank, &bs->police_blk, sec, sec ? sec->size : 0,
				&h->police_off, &h->police_size);
}

const struct sl_pol_sec *sl_compiler_police(const struct sl_compiler *c)
{
	return sl_police_compiled(c->police);
}

/* The IPv6 gateway section (issue 6): the same as the NAT one. */
static int sl_write_ip6gw(struct sl_compiler *c, struct sl_bank_state *bs, uint8_t *bank,
			  struct sl_bank_header *h)
{
	const struct sl_ip6gw_sec *sec = sl_ip6gw_compiled(c->ip6gw);

	return sl_write_section(bs, bank, &bs->ip6gw_blk, sec, sec ? sec->size : 0, &h->ip6gw_off,
				&h->ip6gw_size);
}

const struct sl_ip6gw_sec *sl_compiler_ip6gw(const struct sl_compiler *c)
{
	return sl_ip6gw_compiled(c->ip6gw);
}

int sl_compiler_nh_acquire(struct sl_compiler *c, const struct sl_nexthop *nh, uint32_t *idx)
{
	return sl_gnh_acquire(c, nh, idx);
}

void sl_compiler_nh_release(struct sl_compiler *c, uint32_t idx)
{
	sl_gnh_release(c, idx);
}

/* Header fields that describe the current state (not the layout), and the
 * (trunk, VLAN) map when `map` says it may differ: on a full write or when
 * a VPC of this bank is dirty (every VPC added, removed or changed is). A
 * route-source commit leaves the 64 KiB map alone. */
static void sl_write_state(struct sl_compiler *c, struct sl_bank_state *bs, uint8_t *bank,
			   struct sl_bank_header *h, bool map)
{
	uint32_t *vlan_map = SL_BANK_PTR(bank, h->vlan_map_off, uint32_t);

	if (map) {
		memset(vlan_map, 0, SL_VLAN_MAP_ENTRIES * sizeof(uint32_t));
		for (uint32_t i = 0; i < c->n_slots; i++) {
			const struct sl_cvpc *cv = c->slots[i];

			if (cv && cv->vlan > 0 && cv->vlan < SL_VLAN_COUNT &&
			    cv->trunk < SL_MAX_TRUNKS)
				vlan_map[cv->trunk * SL_VLAN_COUNT + cv->vlan] = i + 1;
		}
	}
	h->n_vpcs = c->n_slots;
	h->n_nexthops = c->n_gnh;
	h->used = bs->heap.top;
}

static void sl_bank_clean(struct sl_bank_state *bs)
{
	sl_j1_free(&bs->dirty_vpc);
	sl_j1_free(&bs->dirty_nh);
	bs->dirty_inet = false;
	bs->dirty_nat = false;
	bs->dirty_havip = false;
	bs->dirty_police = false;
	bs->dirty_ip6gw = false;
	bs->n_dirty_pfx = 0;
	bs->fib_rebuild = false;
}

/* FIB mode, a full write while the other bank holds valid FIBs (the idle
 * bank's catch-up after a full write): copy them and replay the prefixes
 * changed since that bank was written, instead of a build. 0, or a
 * negative errno (nothing kept: the caller builds). *b4, *b6: their bytes. */
static int sl_copy_fibs(struct sl_compiler *c, struct sl_bank_state *bs, uint8_t *bank,
			struct sl_bank_header *h, uint64_t off, uint64_t bank_size, uint64_t *b4,
			uint64_t *b6)
{
	const struct sl_bank_state *ob = bs == &c->bank[0] ? &c->bank[1] : &c->bank[0];
	uint32_t g4, g6;
	int rc = 0;

	if (!ob->valid || ob->fib4 == NULL || ob->fib6 == NULL || ob->fib_rebuild)
		return -EAGAIN;
	g4 = sl_fib4_writer_groups(ob->fib4);
	g6 = sl_fib6_writer_groups(ob->fib6);
	*b4 = SL_ALIGN(sl_fib4_bytes(g4));
	*b6 = SL_ALIGN(sl_fib6_bytes(SL_FIB6_L1_BITS_DEFAULT, g6));
	if (off > bank_size || bank_size - off < *b4 + *b6)
		return -ENOSPC;
	sl_fib4_writer_free(bs->fib4);
	sl_fib6_writer_free(bs->fib6);
	bs->fib4 = sl_fib4_writer_copy(ob->fib4, bank, &h->fib4, off);
	bs->fib6 = sl_fib6_writer_copy(ob->fib6, bank, &h->fib6, off + *b4);
	if (bs->fib4 == NULL || bs->fib6 == NULL)
		rc = -ENOMEM;
	for (uint32_t i = 0; i < ob->n_dirty_pfx && rc == 0; i++) {
		const struct sl_ikey *k = &ob->dirty_pfx[i];

		rc = k->family == SL_AF_INET
			 ? sl_fib4_sync(bs->fib4, c->rib4, sl_ikey_v4(k), k->len)
			 : sl_fib6_sync(bs->fib6, c->rib6, k->addr, k->len);
	}
	if (rc < 0) {
		sl_fib4_writer_free(bs->fib4);
		sl_fib6_writer_free(bs->fib6);
		bs->fib4 = NULL;
		bs->fib6 = NULL;
		return rc;
	}
	c->fib4_groups = g4;
	c->fib6_groups = g6;
	c->fib_copies++;
	return 0;
}

/* FIB mode: lay out both Internet FIBs at `off` (sized from the RIB) and
 * build them. Returns the offset after them, 0 on failure (*rc set). */
static uint64_t sl_write_fibs(struct sl_compiler *c, struct sl_bank_state *bs, uint8_t *bank,
			      struct sl_bank_header *h, uint64_t off, uint64_t bank_size, int *rc)
{
	uint64_t b4, b6;
	uint32_t g4, g6;

	/* FIBs built ahead (start-up): moved in, not built here */
	if (c->fib_pre && sl_fib_pre_groups(c->fib_pre, &g4, &g6) == 0) {
		b4 = SL_ALIGN(sl_fib4_bytes(g4));
		b6 = SL_ALIGN(sl_fib6_bytes(SL_FIB6_L1_BITS_DEFAULT, g6));
		sl_fib4_writer_free(bs->fib4);
		sl_fib6_writer_free(bs->fib6);
		bs->fib4 = NULL;
		bs->fib6 = NULL;
		if (off <= bank_size && bank_size - off >= b4 + b6 &&
		    sl_fib_pre_take(c->fib_pre, bank, &h->fib4, off, &h->fib6, off + b4, &bs->fib4,
				    &bs->fib6) == 0) {
			sl_fib_pre_drop(c);
			c->fib_moves++;
			c->fib4_groups = g4;
			c->fib6_groups = g6;
			*rc = 0;
			return off + b4 + b6;
		}
	}
	sl_fib_pre_drop(c); /* used once, or of no use */
	if (sl_copy_fibs(c, bs, bank, h, off, bank_size, &b4, &b6) == 0) {
		*rc = 0;
		return off + b4 + b6;
	}
	*rc = sl_count_groups(c);
	if (*rc < 0)
		return 0;
	b4 = SL_ALIGN(sl_fib4_bytes(c->fib4_groups));
	b6 = SL_ALIGN(sl_fib6_bytes(SL_FIB6_L1_BITS_DEFAULT, c->fib6_groups));
	if (off > bank_size || bank_size - off < b4 + b6) {
		*rc = -ENOSPC;
		return 0;
	}
	sl_fib4_writer_free(bs->fib4);
	sl_fib6_writer_free(bs->fib6);
	bs->fib4 = sl_fib4_writer_new(bank, &h->fib4, off, c->fib4_groups);
	bs->fib6 =
	    sl_fib6_writer_new(bank, &h->fib6, off + b4, c->fib6_groups, SL_FIB6_L1_BITS_DEFAULT);
	if (bs->fib4 == NULL || bs->fib6 == NULL) {
		*rc = -ENOMEM;
		return 0;
	}
	*rc = sl_fib4_build(bs->fib4, c->rib4);
	if (*rc == 0)
		*rc = sl_fib6_build(bs->fib6, c->rib6);
	return *rc < 0 ? 0 : off + b4 + b6;
}

/* FIB mode, incremental: replay the changed prefixes on this bank's FIBs
 * (or rebuild them when there were too many). -ENOSPC: the caller rewrites
 * the bank in full with bigger group pools. */
static int sl_sync_fibs(struct sl_compiler *c, struct sl_bank_state *bs)
{
	int rc = 0;

	if (bs->fib4 == NULL || bs->fib6 == NULL)
		return -ENOSPC;
	if (bs->fib_rebuild) {
		rc = sl_fib4_build(bs->fib4, c->rib4);
		return rc == 0 ? sl_fib6_build(bs->fib6, c->rib6) : rc;
	}
	for (uint32_t i = 0; i < bs->n_dirty_pfx && rc == 0; i++) {
		const struct sl_ikey *k = &bs->dirty_pfx[i];

		rc = k->family == SL_AF_INET
			 ? sl_fib4_sync(bs->fib4, c->rib4, sl_ikey_v4(k), k->len)
			 : sl_fib6_sync(bs->fib6, c->rib6, k->addr, k->len);
	}
	return rc;
}

/* Full write: a fresh layout sized for the current state plus headroom. */
static int sl_write_full(struct sl_compiler *c, unsigned int b, uint8_t *bank, uint64_t bank_size)
{
	struct sl_bank_state *bs = &c->bank[b];
	struct sl_bank_header *h = (struct sl_bank_header *)bank;
	uint64_t need = c->stats.bytes, spare, extra_vpc, extra_nh, off;
	struct sl_vpc *vpcs;
	int rc = 0;

	bs->valid = false;
	if (!c->inet_valid)
		return -EINVAL;
	if (need > bank_size)
		return -ENOSPC;
	c->full_writes++;
	/* headroom for incremental growth: up to 1/8 of the spare room each
	 * for more VPC slots and next hops; the heap takes the rest */
	spare = bank_size - need;
	extra_vpc = spare / 8 / sizeof(struct sl_vpc);
	extra_nh = spare / 8 / sizeof(struct sl_nexthop);
	if (extra_vpc > 65536)
		extra_vpc = 65536;
	if (extra_nh > 262144)
		extra_nh = 262144;
	bs->vpc_cap = c->n_slots + (uint32_t)extra_vpc;
	bs->nh_cap = c->n_gnh + (uint32_t)extra_nh;

	memset(h, 0, sizeof(*h));
	off = SL_ALIGN(sizeof(*h));
	h->vlan_map_off = off;
	off += SL_ALIGN(SL_VLAN_MAP_ENTRIES * sizeof(uint32_t));
	h->vpc_off = off;
	off += SL_ALIGN((uint64_t)bs->vpc_cap * sizeof(struct sl_vpc));
	h->nh_off = off;
	off += SL_ALIGN((uint64_t)bs->nh_cap * sizeof(struct sl_nexthop));
	if (c->fib_mode) {
		off = sl_write_fibs(c, bs, bank, h, off, bank_size, &rc);
		if (rc < 0)
			return rc;
	}
	h->vpc_cap = bs->vpc_cap;
	h->nh_cap = bs->nh_cap;
	h->heap_off = off;
	h->heap_size = bank_size - off;
	sl_heap_reset(&bs->heap, off, bank_size);
	if (bs->vpc_blk)
		memset(bs->vpc_blk, 0, (size_t)bs->cap_vpc_blk * sizeof(*bs->vpc_blk));
	bs->n_vpc_blk = 0;
	bs->inet_blk.off = bs->inet_blk.size = 0;
	bs->nat_blk.off = bs->nat_blk.size = 0;
	bs->havip_blk.off = bs->havip_blk.size = 0;
	bs->police_blk.off = bs->police_blk.size = 0;
	bs->ip6gw_blk.off = bs->ip6gw_blk.size = 0;

	memcpy(SL_BANK_PTR(bank, h->nh_off, void), c->gnh, (size_t)c->n_gnh * sizeof(*c->gnh));
	vpcs = SL_BANK_PTR(bank, h->vpc_off, struct sl_vpc);
	for (uint32_t i = 0; i < c->n_slots && rc == 0; i++)
		rc = sl_write_vpc(c, bs, bank, vpcs, i);
	if (rc == 0)
		rc = sl_write_inet(c, bs, bank, h);
	if (rc == 0)
		rc = sl_write_nat(c, bs, bank, h);
	if (rc == 0)
		rc = sl_write_havip(c, bs, bank, h);
	if (rc == 0)
		rc = sl_write_police(c, bs, bank, h);
	if (rc == 0)
		rc = sl_write_ip6gw(c, bs, bank, h);
	if (rc < 0)
		return rc;
	sl_write_state(c, bs, bank, h, true);
	h->magic = SL_BANK_MAGIC;
	sl_bank_clean(bs);
	bs->valid = true;
	return 0;
}

/* Incremental write of the dirty items. -ENOSPC/-ENOMEM leave the bank
 * invalid (the caller falls back to a full write). */
static int sl_write_dirty(struct sl_compiler *c, unsigned int b, uint8_t *bank)
{
	struct sl_bank_state *bs = &c->bank[b];
	struct sl_bank_header *h = (struct sl_bank_header *)bank;
	struct sl_nexthop *nh = SL_BANK_PTR(bank, h->nh_off, struct sl_nexthop);
	struct sl_vpc *vpcs = SL_BANK_PTR(bank, h->vpc_off, struct sl_vpc);
	Word_t i = 0;
	int rc = 0;

	if (c->n_gnh > bs->nh_cap || c->n_slots > bs->vpc_cap)
		return -ENOSPC;
	bs->valid = false; /* until the write completed */
	for (int f = sl_j1_first(bs->dirty_nh, &i); f == 1; f = sl_j1_next(bs->dirty_nh, &i))
		if (i < c->n_gnh)
			nh[i] = c->gnh[i];
	i = 0;
	for (int f = sl_j1_first(bs->dirty_vpc, &i); f == 1 && rc == 0;
	     f = sl_j1_next(bs->dirty_vpc, &i))
		rc = sl_write_vpc(c, bs, bank, vpcs, (uint32_t)i);
	if (rc == 0 && bs->dirty_inet)
		rc = sl_write_inet(c, bs, bank, h);
	if (rc == 0 && bs->dirty_nat)
		rc = sl_write_nat(c, bs, bank, h);
	if (rc == 0 && bs->dirty_havip)
		rc = sl_write_havip(c, bs, bank, h);
	if (rc == 0 && bs->dirty_police)
		rc = sl_write_police(c, bs, bank, h);
	if (rc == 0 && bs->dirty_ip6gw)
		rc = sl_write_ip6gw(c, bs, bank, h);
	if (rc == 0 && c->fib_mode)
		rc = sl_sync_fibs(c, bs);
	if (rc < 0)
		return rc;
	sl_write_state(c, bs, bank, h, bs->dirty_vpc != NULL);
	sl_bank_clean(bs);
	bs->valid = true;
	return 0;
}

static int sl_write_bank(struct sl_compiler *c, unsigned int b, void *bank, uint64_t bank_size)
{
	struct sl_bank_header *h = bank;
	int rc = -ENOSPC;

	sl_fib_pre_join(c);
	if (!c->fib_mode)
		sl_fib_pre_drop(c); /* nothing to move them to */
	if (!c->inet_valid)
		return -EINVAL;
	if (c->bank[b].valid && h->magic == SL_BANK_MAGIC) {
		rc = sl_write_dirty(c, b, bank);
		if (rc == 0)
			return 0;
		SL_DEBUG("bank %u: incremental write failed (%s): rewriting it in full", b,
			 strerror(-rc));
	}
	return sl_write_full(c, b, bank, bank_size);
}

int sl_compile_layout(struct sl_compiler *c, void *bank, uint64_t bank_size, uint64_t gen)
{
	struct sl_bank_header *h = bank;
	int rc = sl_write_bank(c, (unsigned int)(gen & 1), bank, bank_size);

	if (rc == 0)
		h->generation = gen;
	return rc;
}

bool sl_compile_bank_dirty(const struct sl_compiler *c, unsigned int b)
{
	const struct sl_bank_state *bs = &c->bank[b & 1];

	return !bs->valid || bs->dirty_vpc || bs->dirty_nh || bs->dirty_inet || bs->dirty_nat ||
	       bs->dirty_havip || bs->dirty_police || bs->dirty_ip6gw || bs->n_dirty_pfx ||
	       bs->fib_rebuild;
}

int sl_compile_sync_bank(struct sl_compiler *c, unsigned int b, void *bank, uint64_t bank_size)
{
	const struct sl_bank_header *h = bank;
	uint64_t gen = h->magic == SL_BANK_MAGIC ? h->generation : 0;
	int rc;

	if (!sl_compile_bank_dirty(c, b))
		return 0;
	rc = sl_write_bank(c, b & 1, bank, bank_size);
	if (rc == 0)
		((struct sl_bank_header *)bank)->generation = gen;
	return rc;
}

const char *sl_nh_type_name(uint8_t type)
{
	static const char *const n[SL_NH_TYPE_MAX] = {
	    "unreachable", "blackhole", "local", "connected", "gateway", "natgw", "ip6gw", "group"};

	return type < SL_NH_TYPE_MAX ? n[type] : "?";
}

const char *sl_route_origin_name(uint8_t origin)
{
	static const char *const n[] = {"system", "custom", "static", "dynamic"};

	return origin <= SL_ROUTE_DYNAMIC ? n[origin] : "?";
}
