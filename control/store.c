/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Object store: ownership, Judy indexes, and the diff between two stores.
 *
 * Design note: a reload never edits the live store. It builds a complete
 * new store from the file, validates it, and only then diffs it against the
 * live one: unchanged objects keep their status and generation, changed and
 * new ones become Pending, and every VPC touched by a change (its own object,
 * a VSwitch, an instance or a route entry in it, before or after the change)
 * is reported dirty so the compiler rebuilds only those tables. A failed
 * reload therefore leaves no trace. Objects are compared by content, never by
 * pointer, so a byte-identical file produces an empty diff.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sl_store.h"

const char *sl_status_name(enum sl_status s)
{
	return s == SL_STATUS_AVAILABLE ? "Available" : "Pending";
}

static int sl_objvec_push(struct sl_objvec *v, void *p)
{
	if (v->n == v->cap) {
		unsigned int cap = v->cap ? v->cap * 2 : 16;
		void **nv = realloc(v->v, cap * sizeof(*nv));

		if (nv == NULL)
			return -ENOMEM;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = p;
	return 0;
}

void sl_store_pending_add(struct sl_store *s, struct sl_obj_state *st)
{
	if (!s->pending_all && sl_objvec_push(&s->pending, st) < 0)
		s->pending_all = true;
}

struct sl_store *sl_store_new(void)
{
	return calloc(1, sizeof(struct sl_store));
}

void sl_region_free(struct sl_region_obj *r)
{
	if (r == NULL)
		return;
	for (unsigned int i = 0; i < r->n_zones; i++) {
		free(r->zones[i]->local_name);
		free(r->zones[i]);
	}
	free(r->zones);
	free(r->local_name);
	free(r);
}

void sl_vpc_free(struct sl_vpc_obj *v)
{
	if (v == NULL)
		return;
	sl_jsl_free(&v->vswitches);
	sl_jsl_free(&v->instances);
	sl_jsl_free(&v->routes);
	sl_jl_free(&v->inst4);
	sl_jhs_free(&v->inst6);
	free(v->name);
	free(v->description);
	free(v);
}

void sl_vswitch_free(struct sl_vswitch_obj *w)
{
	if (w == NULL)
		return;
	free(w->name);
	free(w->description);
	free(w);
}

/* ---- the arena: bump allocation in 1 MiB chunks, freed with the store ---- */

struct sl_arena {
	struct sl_arena *next;
	size_t used, size;
	max_align_t mem[];
};

#define SL_ARENA_CHUNK (size_t)(1 << 20)

static void *sl_arena_alloc(struct sl_arena **a, size_t size)
{
	size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (*a == NULL || (*a)->used + size > (*a)->size) {
		size_t cap = size > SL_ARENA_CHUNK ? size : SL_ARENA_CHUNK;
		struct sl_arena *n = malloc(sizeof(*n) + cap);

		if (n == NULL)
			return NULL;
		n->next = *a;
		n->used = 0;
		n->size = cap;
		*a = n;
	}
	(*a)->used += size;
	return (char *)(*a)->mem + (*a)->used - size;
}

static void sl_arena_free(struct sl_arena *a)
{
	while (a) {
		struct sl_arena *next = a->next;

		free(a);
		a = next;
	}
}

/* ---- clones: content and state, no indexes or resolved references ---- */

struct sl_vpc_obj *sl_vpc_clone(const struct sl_vpc_obj *v)
{
	struct sl_vpc_obj *c = malloc(sizeof(*c));

	if (c == NULL)
		return NULL;
	*c = *v;
	c->region = NULL;
	c->vswitches = c->instances = c->routes = c->inst4 = c->inst6 = NULL;
	c->n_vswitches = c->n_instances = c->n_routes = 0;
	c->name = v->name ? strdup(v->name) : NULL;
	c->description = v->description ? strdup(v->description) : NULL;
	if ((v->name && !c->name) || (v->description && !c->description)) {
		sl_vpc_free(c);
		return NULL;
	}
	return c;
}

struct sl_vswitch_obj *sl_vswitch_clone(const struct sl_vswitch_obj *w)
{
	struct sl_vswitch_obj *c = malloc(sizeof(*c));

	if (c == NULL)
		return NULL;
	*c = *w;
	c->vpc = NULL;
	c->zone = NULL;
	c->name = w->name ? strdup(w->name) : NULL;
	c->description = w->description ? strdup(w->description) : NULL;
	if ((w->name && !c->name) || (w->description && !c->description)) {
		sl_vswitch_free(c);
		return NULL;
	}
	return c;
}

struct sl_instance_obj *sl_instance_clone(const struct sl_instance_obj *i)
{
	struct sl_instance_obj *c = malloc(sizeof(*c));

	if (c == NULL)
		return NULL;
	*c = *i;
	c->vswitch = NULL;
	c->st.in_arena = false;
	return c;
}

struct sl_route_obj *sl_route_clone(const struct sl_route_obj *r)
{
	struct sl_route_obj *c = malloc(sizeof(*c));

	if (c == NULL)
		return NULL;
	*c = *r;
	c->vpc = NULL;
	c->instance = NULL;
	c->havip = NULL;
	c->st.in_arena = false;
	return c;
}

struct sl_instance_obj *sl_store_clone_instance(struct sl_store *s, const struct sl_instance_obj *i)
{
	struct sl_instance_obj *c = sl_arena_alloc(&s->arena, sizeof(*c));

	if (c == NULL)
		return NULL;
	*c = *i;
	c->vswitch = NULL;
	c->st.in_arena = true;
	return c;
}

struct sl_route_obj *sl_store_clone_route(struct sl_store *s, const struct sl_route_obj *r)
{
	struct sl_route_obj *c = sl_arena_alloc(&s->arena, sizeof(*c));

	if (c == NULL)
		return NULL;
	*c = *r;
	c->vpc = NULL;
	c->instance = NULL;
	c->havip = NULL;
	c->st.in_arena = true;
	return c;
}

struct sl_route_obj *sl_store_new_route(struct sl_store *s)
{
	struct sl_route_obj *r = sl_arena_alloc(&s->arena, sizeof(*r));

	if (r == NULL)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->st.in_arena = true;
	return r;
}

void sl_instance_free(struct sl_instance_obj *i)
{
	free(i);
}

void sl_route_free(struct sl_route_obj *r)
{
	free(r);
}

static void *sl_memdup(const void *p, size_t n)
{
	void *c = malloc(n ? n : 1);

	if (c != NULL && n)
		memcpy(c, p, n);
	return c;
}

struct sl_gateway_obj *sl_gateway_clone(const struct sl_gateway_obj *g)
{
	struct sl_gateway_obj *c = malloc(sizeof(*c));

	if (c == NULL)
		return NULL;
	*c = *g;
	c->addrs = sl_memdup(g->addrs, g->n_addrs * sizeof(*g->addrs));
	c->routes = sl_memdup(g->routes, g->n_routes * sizeof(*g->routes));
	c->eip_pool = sl_memdup(g->eip_pool, g->n_pool * sizeof(*g->eip_pool));
	if (c->addrs == NULL || c->routes == NULL || c->eip_pool == NULL) {
		sl_gateway_free(c);
		return NULL;
	}
	return c;
}

void sl_gateway_free(struct sl_gateway_obj *g)
{
	if (g == NULL)
		return;
	free(g->addrs);
	free(g->routes);
	free(g->eip_pool);
	free(g);
}

void sl_store_free(struct sl_store *s)
{
	if (s == NULL)
		return;
	for (unsigned int i = 0; i < s->region_v.n; i++)
		sl_region_free(s->region_v.v[i]);
	for (unsigned int i = 0; i < s->vpc_v.n; i++)
		sl_vpc_free(s->vpc_v.v[i]);
	for (unsigned int i = 0; i < s->vswitch_v.n; i++)
		sl_vswitch_free(s->vswitch_v.v[i]);
	for (unsigned int i = 0; i < s->instance_v.n; i++)
		if (!((struct sl_instance_obj *)s->instance_v.v[i])->st.in_arena)
			sl_instance_free(s->instance_v.v[i]);
	for (unsigned int i = 0; i < s->route_v.n; i++)
		if (!((struct sl_route_obj *)s->route_v.v[i])->st.in_arena)
			sl_route_free(s->route_v.v[i]);
	sl_arena_free(s->arena);
	sl_gateway_free(s->gateway);
	/* NAT objects are plain data */
	struct sl_objvec *nat[] = {&s->natgw_v, &s->eip_v, &s->snat_v, &s->fwd_v};
	for (unsigned int k = 0; k < 4; k++) {
		for (unsigned int i = 0; i < nat[k]->n; i++)
			free(nat[k]->v[i]);
		free(nat[k]->v);
	}
	sl_jsl_free(&s->natgws);
	sl_jsl_free(&s->nat_tables);
	sl_jsl_free(&s->eips);
	sl_jl_free(&s->eip_addrs);
	sl_jsl_free(&s->snats);
	sl_jsl_free(&s->fwds);
	/* IPv6 gateway objects are plain data too */
	struct sl_objvec *v6[] = {&s->ipv6gw_v, &s->ipv6addr_v, &s->ipv6bw_v, &s->ipv6egress_v,
				  &s->ipv6rule_v};
	for (unsigned int k = 0; k < 5; k++) {
		for (unsigned int i = 0; i < v6[k]->n; i++)
			free(v6[k]->v[i]);
		free(v6[k]->v);
	}
	sl_jsl_free(&s->ipv6gws);
	sl_jsl_free(&s->ipv6addrs);
	sl_jsl_free(&s->ipv6bws);
	sl_jsl_free(&s->ipv6egress);
	sl_jsl_free(&s->ipv6rules);
	sl_jsl_free(&s->ipv6_keys);
	for (unsigned int i = 0; i < s->havip_v.n; i++)
		free(s->havip_v.v[i]);
	free(s->havip_v.v);
	sl_jsl_free(&s->havips);
	for (unsigned int i = 0; i < s->cbwp_v.n; i++)
		free(s->cbwp_v.v[i]);
	free(s->cbwp_v.v);
	sl_jsl_free(&s->cbwps);
	for (unsigned int i = 0; i < s->bwp_v.n; i++)
		free(s->bwp_v.v[i]);
	free(s->bwp_v.v);
	sl_jsl_free(&s->bwps);
	free(s->region_v.v);
	free(s->zone_v.v); /* zones are owned by their regions */
	free(s->vpc_v.v);
	free(s->pending.v);
	free(s->vswitch_v.v);
	free(s->instance_v.v);
	free(s->route_v.v);
	sl_jsl_free(&s->regions);
	sl_jsl_free(&s->zones);
	sl_jsl_free(&s->vpcs);
	sl_jsl_free(&s->vswitches);
	sl_jsl_free(&s->instances);
	sl_jsl_free(&s->routes);
	sl_jsl_free(&s->route_tables);
	sl_j1_free(&s->vlans);
	free(s);
}

/* Insert into an ID index and the file-order vector, undoing the index
 * insert if the vector cannot grow. */
static int sl_store_add(Pvoid_t *idx, struct sl_objvec *vec, const char *id, void *obj)
{
	int rc = sl_jsl_insert(idx, id, obj);

	if (rc < 0)
		return rc;
	rc = sl_objvec_push(vec, obj);
	if (rc < 0)
		sl_jsl_delete(idx, id);
	return rc;
}

int sl_store_add_region(struct sl_store *s, struct sl_region_obj *r)
{
	unsigned int i;
	int rc;

	if (sl_jsl_get(s->regions, r->id) != NULL)
		return -EEXIST;
	/* zones first: all or nothing */
	for (i = 0; i < r->n_zones; i++)
		if (sl_jsl_get(s->zones, r->zones[i]->id) != NULL)
			return -EEXIST;
	for (i = 0; i < r->n_zones; i++) {
		rc = sl_store_add(&s->zones, &s->zone_v, r->zones[i]->id, r->zones[i]);
		if (rc < 0)
			goto undo;
	}
	rc = sl_store_add(&s->regions, &s->region_v, r->id, r);
	if (rc == 0)
		return 0;
undo:
	while (i-- > 0) {
		sl_jsl_delete(&s->zones, r->zones[i]->id);
		s->zone_v.n--;
	}
	return rc;
}

int sl_store_add_vpc(struct sl_store *s, struct sl_vpc_obj *v)
{
	return sl_store_add(&s->vpcs, &s->vpc_v, v->id, v);
}

int sl_store_add_vswitch(struct sl_store *s, struct sl_vswitch_obj *w)
{
	return sl_store_add(&s->vswitches, &s->vswitch_v, w->id, w);
}

int sl_store_add_instance(struct sl_store *s, struct sl_instance_obj *i)
{
	return sl_store_add(&s->instances, &s->instance_v, i->id, i);
}

int sl_store_add_route(struct sl_store *s, struct sl_route_obj *r)
{
	return sl_store_add(&s->routes, &s->route_v, r->key, r);
}

int sl_store_add_natgw(struct sl_store *s, struct sl_natgw_obj *n)
{
	return sl_store_add(&s->natgws, &s->natgw_v, n->id, n);
}

int sl_store_add_eip(struct sl_store *s, struct sl_eip_obj *e)
{
	return sl_store_add(&s->eips, &s->eip_v, e->id, e);
}

int sl_store_add_snat(struct sl_store *s, struct sl_snat_obj *n)
{
	return sl_store_add(&s->snats, &s->snat_v, n->id, n);
}

int sl_store_add_fwd(struct sl_store *s, struct sl_fwd_obj *f)
{
	return sl_store_add(&s->fwds, &s->fwd_v, f->id, f);
}

int sl_store_add_ipv6gw(struct sl_store *s, struct sl_ipv6gw_obj *g)
{
	return sl_store_add(&s->ipv6gws, &s->ipv6gw_v, g->id, g);
}

int sl_store_add_ipv6addr(struct sl_store *s, struct sl_ipv6addr_obj *a)
{
	return sl_store_add(&s->ipv6addrs, &s->ipv6addr_v, a->id, a);
}

int sl_store_add_ipv6bw(struct sl_store *s, struct sl_ipv6bw_obj *b)
{
	return sl_store_add(&s->ipv6bws, &s->ipv6bw_v, b->id, b);
}

int sl_store_add_ipv6egress(struct sl_store *s, struct sl_ipv6egress_obj *r)
{
	return sl_store_add(&s->ipv6egress, &s->ipv6egress_v, r->id, r);
}

int sl_store_add_ipv6rule(struct sl_store *s, struct sl_ipv6rule_obj *r)
{
	return sl_store_add(&s->ipv6rules, &s->ipv6rule_v, r->id, r);
}

int sl_store_add_havip(struct sl_store *s, struct sl_havip_obj *h)
{
	return sl_store_add(&s->havips, &s->havip_v, h->id, h);
}

int sl_store_add_cbwp(struct sl_store *s, struct sl_cbwp_obj *b)
{
	return sl_store_add(&s->cbwps, &s->cbwp_v, b->id, b);
}

int sl_store_add_bwp(struct sl_store *s, struct sl_bwp_obj *b)
{
	return sl_store_add(&s->bwps, &s->bwp_v, b->id, b);
}

void sl_store_set_gateway(struct sl_store *s, struct sl_gateway_obj *g)
{
	sl_gateway_free(s->gateway);
	s->gateway = g;
}

struct sl_instance_obj *sl_vpc_instance_by_addr(const struct sl_vpc_obj *v, uint8_t family,
						sl_u128 addr)
{
	uint8_t b[16];

	if (family == SL_AF_INET)
		return sl_jl_get(v->inst4, (Word_t)(uint32_t)addr);
	sl_addr_to_bytes(SL_AF_INET6, addr, b);
	return sl_jhs_get(v->inst6, b, sizeof(b));
}

void sl_store_foreach_state(struct sl_store *s,
			    void (*fn)(struct sl_obj_state *st, const char *what, const char *id,
				       void *arg),
			    void *arg)
{
	for (unsigned int i = 0; i < s->region_v.n; i++) {
		struct sl_region_obj *r = s->region_v.v[i];
		fn(&r->st, "Region", r->id, arg);
	}
	for (unsigned int i = 0; i < s->zone_v.n; i++) {
		struct sl_zone_obj *z = s->zone_v.v[i];
		fn(&z->st, "Zone", z->id, arg);
	}
	for (unsigned int i = 0; i < s->vpc_v.n; i++) {
		struct sl_vpc_obj *v = s->vpc_v.v[i];
		fn(&v->st, "Vpc", v->id, arg);
	}
	for (unsigned int i = 0; i < s->vswitch_v.n; i++) {
		struct sl_vswitch_obj *w = s->vswitch_v.v[i];
		fn(&w->st, "VSwitch", w->id, arg);
	}
	for (unsigned int i = 0; i < s->instance_v.n; i++) {
		struct sl_instance_obj *in = s->instance_v.v[i];
		fn(&in->st, "Instance", in->id, arg);
	}
	for (unsigned int i = 0; i < s->route_v.n; i++) {
		struct sl_route_obj *r = s->route_v.v[i];
		fn(&r->st, "RouteEntry", r->key, arg);
	}
	if (s->gateway)
		fn(&s->gateway->st, "Gateway", "gateway", arg);
	for (unsigned int i = 0; i < s->natgw_v.n; i++) {
		struct sl_natgw_obj *n = s->natgw_v.v[i];
		fn(&n->st, "NatGateway", n->id, arg);
	}
	for (unsigned int i = 0; i < s->eip_v.n; i++) {
		struct sl_eip_obj *e = s->eip_v.v[i];
		fn(&e->st, "EipAddress", e->id, arg);
	}
	for (unsigned int i = 0; i < s->snat_v.n; i++) {
		struct sl_snat_obj *n = s->snat_v.v[i];
		fn(&n->st, "SnatEntry", n->id, arg);
	}
	for (unsigned int i = 0; i < s->fwd_v.n; i++) {
		struct sl_fwd_obj *f = s->fwd_v.v[i];
		fn(&f->st, "ForwardEntry", f->id, arg);
	}
	for (unsigned int i = 0; i < s->ipv6gw_v.n; i++) {
		struct sl_ipv6gw_obj *g = s->ipv6gw_v.v[i];
		fn(&g->st, "Ipv6Gateway", g->id, arg);
	}
	for (unsigned int i = 0; i < s->ipv6addr_v.n; i++) {
		struct sl_ipv6addr_obj *a = s->ipv6addr_v.v[i];
		fn(&a->st, "Ipv6Address", a->id, arg);
	}
	for (unsigned int i = 0; i < s->ipv6bw_v.n; i++) {
		struct sl_ipv6bw_obj *b = s->ipv6bw_v.v[i];
		fn(&b->st, "Ipv6InternetBandwidth", b->id, arg);
	}
	for (unsigned int i = 0; i < s->ipv6egress_v.n; i++) {
		struct sl_ipv6egress_obj *r = s->ipv6egress_v.v[i];
		fn(&r->st, "Ipv6EgressOnlyRule", r->id, arg);
	}
	for (unsigned int i = 0; i < s->ipv6rule_v.n; i++) {
		struct sl_ipv6rule_obj *r = s->ipv6rule_v.v[i];
		fn(&r->st, "Ipv6GatewayRouteRule", r->id, arg);
	}

	for (unsigned int i = 0; i < s->havip_v.n; i++) {
		struct sl_havip_obj *h = s->havip_v.v[i];
		fn(&h->st, "HaVip", h->id, arg);
	}
	for (unsigned int i = 0; i < s->cbwp_v.n; i++) {
		struct sl_cbwp_obj *b = s->cbwp_v.v[i];
		fn(&b->st, "CommonBandwidthPackage", b->id, arg);
	}
	for (unsigned int i = 0; i < s->bwp_v.n; i++) {
		struct sl_bwp_obj *b = s->bwp_v.v[i];
		fn(&b->st, "BandwidthPackage", b->id, arg);
	}
}

/* ---- diff ---------------------------------------------------------------- */

static bool sl_str_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool sl_pfx_same(const struct sl_pfx *a, const struct sl_pfx *b)
{
	return a->family == b->family && a->len == b->len && a->addr == b->addr;
}

static bool sl_region_eq(const struct sl_region_obj *a, const struct sl_region_obj *b)
{
	return strcmp(a->id, b->id) == 0 && sl_str_eq(a->local_name, b->local_name);
}

static bool sl_zone_eq(const struct sl_zone_obj *a, const struct sl_zone_obj *b)
{
	return strcmp(a->id, b->id) == 0 && sl_str_eq(a->local_name, b->local_name) &&
	       strcmp(a->region->id, b->region->id) == 0;
}

static bool sl_vpc_eq(const struct sl_vpc_obj *a, const struct sl_vpc_obj *b)
{
	return strcmp(a->id, b->id) == 0 && strcmp(a->region_id, b->region_id) == 0 &&
	       strcmp(a->route_table_id, b->route_table_id) == 0 &&
	       a->route_table_derived == b->route_table_derived && sl_str_eq(a->name, b->name) &&
	       sl_str_eq(a->description, b->description) && sl_pfx_same(&a->cidr, &b->cidr) &&
	       sl_pfx_same(&a->cidr6, &b->cidr6) && a->cidr6_given == b->cidr6_given &&
	       a->vlan == b->vlan && a->trunk == b->trunk && a->mtu == b->mtu;
}

static bool sl_vswitch_eq(const struct sl_vswitch_obj *a, const struct sl_vswitch_obj *b)
{
	return strcmp(a->id, b->id) == 0 && strcmp(a->vpc_id, b->vpc_id) == 0 &&
	       strcmp(a->zone_id, b->zone_id) == 0 && sl_str_eq(a->name, b->name) &&
	       sl_str_eq(a->description, b->description) && sl_pfx_same(&a->cidr, &b->cidr) &&
	       sl_pfx_same(&a->cidr6, &b->cidr6) && a->cidr6_given == b->cidr6_given;
}

static bool sl_instance_eq(const struct sl_instance_obj *a, const struct sl_instance_obj *b)
{
	return strcmp(a->id, b->id) == 0 && strcmp(a->vswitch_id, b->vswitch_id) == 0 &&
	       strcmp(a->vpc_id, b->vpc_id) == 0 && sl_pfx_same(&a->ip4, &b->ip4) &&
	       sl_pfx_same(&a->ip6, &b->ip6) && a->ip6_given == b->ip6_given;
}

static bool sl_route_eq(const struct sl_route_obj *a, const struct sl_route_obj *b)
{
	return strcmp(a->key, b->key) == 0 && sl_pfx_same(&a->dest, &b->dest) &&
	       strcmp(a->next_hop_type, b->next_hop_type) == 0 &&
	       strcmp(a->next_hop_id, b->next_hop_id) == 0;
}

static bool sl_gateway_eq(const struct sl_gateway_obj *a, const struct sl_gateway_obj *b)
{
	if (a->n_addrs != b->n_addrs || a->n_routes != b->n_routes || a->mtu != b->mtu)
		return false;
	for (unsigned int i = 0; i < a->n_addrs; i++)
		if (!sl_pfx_same(&a->addrs[i], &b->addrs[i]))
			return false;
	for (unsigned int i = 0; i < a->n_routes; i++)
		if (!sl_pfx_same(&a->routes[i].dest, &b->routes[i].dest) ||
		    !sl_pfx_same(&a->routes[i].via, &b->routes[i].via))
			return false;
	if (a->n_pool != b->n_pool)
		return false;
	for (unsigned int i = 0; i < a->n_pool; i++)
		if (!sl_pfx_same(&a->eip_pool[i], &b->eip_pool[i]))
			return false;
	return true;
}

static bool sl_natgw_eq(const struct sl_natgw_obj *a, const struct sl_natgw_obj *b)
{
	return strcmp(a->id, b->id) == 0 && strcmp(a->vpc_id, b->vpc_id) == 0 &&
	       strcmp(a->vswitch_id, b->vswitch_id) == 0 && strcmp(a->spec, b->spec) == 0 &&
	       a->eif == b->eif && strcmp(a->snat_table_id, b->snat_table_id) == 0 &&
	       strcmp(a->fwd_table_id, b->fwd_table_id) == 0 && strcmp(a->name, b->name) == 0 &&
	       strcmp(a->description, b->description) == 0;
}

static bool sl_eip_eq(const struct sl_eip_obj *a, const struct sl_eip_obj *b)
{
	return strcmp(a->id, b->id) == 0 && sl_pfx_same(&a->ip, &b->ip) &&
	       a->bandwidth == b->bandwidth && strcmp(a->charge_type, b->charge_type) == 0 &&
	       strcmp(a->instance_type, b->instance_type) == 0 &&
	       strcmp(a->instance_id, b->instance_id) == 0 && strcmp(a->name, b->name) == 0 &&
	       strcmp(a->description, b->description) == 0;
}

static bool sl_snat_eq(const struct sl_snat_obj *a, const struct sl_snat_obj *b)
{
	if (strcmp(a->id, b->id) || strcmp(a->table_id, b->table_id) ||
	    strcmp(a->source_vswitch_id, b->source_vswitch_id) ||
	    !sl_pfx_same(&a->source_cidr, &b->source_cidr) || a->cidr_given != b->cidr_given ||
	    a->n_ips != b->n_ips || strcmp(a->name, b->name))
		return false;
	for (unsigned int i = 0; i < a->n_ips; i++)
		if (!sl_pfx_same(&a->ips[i], &b->ips[i]))
			return false;
	return true;
}

static bool sl_fwd_eq(const struct sl_fwd_obj *a, const struct sl_fwd_obj *b)
{
	return strcmp(a->id, b->id) == 0 && strcmp(a->table_id, b->table_id) == 0 &&
	       sl_pfx_same(&a->ext_ip, &b->ext_ip) && sl_pfx_same(&a->int_ip, &b->int_ip) &&
	       a->ext_port == b->ext_port && a->int_port == b->int_port &&
	       strcmp(a->proto, b->proto) == 0 && strcmp(a->name, b->name) == 0;
}

static bool sl_ipv6gw_eq(const struct sl_ipv6gw_obj *a, const struct sl_ipv6gw_obj *b)
{
	return strcmp(a->id, b->id) == 0 && strcmp(a->vpc_id, b->vpc_id) == 0 &&
	       strcmp(a->spec, b->spec) == 0 && strcmp(a->name, b->name) == 0 &&
	       strcmp(a->description, b->description) == 0;
}

static bool sl_ipv6addr_eq(const struct sl_ipv6addr_obj *a, const struct sl_ipv6addr_obj *b)
{
	return strcmp(a->id, b->id) == 0 && strcmp(a->vswitch_id, b->vswitch_id) == 0 &&
	       sl_pfx_same(&a->ip, &b->ip) && strcmp(a->name, b->name) == 0 &&
	       strcmp(a->description, b->description) == 0;
}

static bool sl_ipv6bw_eq(const struct sl_ipv6bw_obj *a, const struct sl_ipv6bw_obj *b)
{
	return strcmp(a->id, b->id) == 0 && strcmp(a->addr_id, b->addr_id) == 0 &&
	       strcmp(a->gw_id, b->gw_id) == 0 && a->bandwidth == b->bandwidth &&
	       strcmp(a->charge_type, b->charge_type) == 0;
}

static bool sl_ipv6egress_eq(const struct sl_ipv6egress_obj *a, const struct sl_ipv6egress_obj *b)
{
	return strcmp(a->id, b->id) == 0 && strcmp(a->gw_id, b->gw_id) == 0 &&
	       strcmp(a->instance_id, b->instance_id) == 0 &&
	       strcmp(a->instance_type, b->instance_type) == 0 && strcmp(a->name, b->name) == 0 &&
	       strcmp(a->description, b->description) == 0;
}

static bool sl_ipv6rule_eq(const struct sl_ipv6rule_obj *a, const struct sl_ipv6rule_obj *b)
{
	return strcmp(a->id, b->id) == 0 && strcmp(a->gw_id, b->gw_id) == 0 &&
	       sl_pfx_same(&a->dest, &b->dest) && strcmp(a->next_hop_type, b->next_hop_type) == 0 &&
	       strcmp(a->next_hop_id, b->next_hop_id) == 0 &&
	       strcmp(a->description, b->description) == 0 && a->updated == b->updated;
}

static bool sl_havip_eq(const struct sl_havip_obj *a, const struct sl_havip_obj *b)
{
	if (strcmp(a->id, b->id) || strcmp(a->vswitch_id, b->vswitch_id) ||
	    !sl_pfx_same(&a->ip, &b->ip) || strcmp(a->name, b->name) ||
	    strcmp(a->description, b->description) || a->n_instances != b->n_instances)
		return false;
	for (unsigned int i = 0; i < a->n_instances; i++)
		if (strcmp(a->instances[i], b->instances[i]))
			return false;
	return true;
}

static bool sl_cbwp_eq(const struct sl_cbwp_obj *a, const struct sl_cbwp_obj *b)
{
	if (strcmp(a->id, b->id) || strcmp(a->region_id, b->region_id) ||
	    a->bandwidth != b->bandwidth || strcmp(a->charge_type, b->charge_type) ||
	    a->ratio != b->ratio || strcmp(a->name, b->name) ||
	    strcmp(a->description, b->description) || a->n_ips != b->n_ips)
		return false;
	for (unsigned int i = 0; i < a->n_ips; i++)
		if (strcmp(a->ips[i].id, b->ips[i].id) ||
		    a->ips[i].bandwidth != b->ips[i].bandwidth)
			return false;
	return true;
}

static bool sl_bwp_eq(const struct sl_bwp_obj *a, const struct sl_bwp_obj *b)
{
	if (strcmp(a->id, b->id) || strcmp(a->natgw_id, b->natgw_id) ||
	    strcmp(a->zone_id, b->zone_id) || a->bandwidth != b->bandwidth ||
	    strcmp(a->name, b->name) || strcmp(a->description, b->description) ||
	    a->n_ips != b->n_ips)
		return false;
	for (unsigned int i = 0; i < a->n_ips; i++)
		if (strcmp(a->ips[i].id, b->ips[i].id) ||
		    !sl_pfx_same(&a->ips[i].ip, &b->ips[i].ip))
			return false;
	return true;
}

/* NAT objects: status carried for unchanged content; no data-plane table
 * depends on them yet (issue 5), so no VPC is marked dirty. */
#define SL_DIFF_NAT(vec, idx, T, eq)                                                               \
	do {                                                                                       \
		unsigned int matched = 0;                                                          \
		for (unsigned int i = 0; i < new->vec.n; i++) {                                    \
			T *n = new->vec.v[i];                                                      \
			T *o = old ? sl_jsl_get(old->idx, n->id) : NULL;                           \
			if (o)                                                                     \
				sl_carry(&n->st, &o->st, eq(o, n), d);                             \
			else                                                                       \
				sl_fresh(&n->st, d);                                               \
			matched += o != NULL;                                                      \
		}                                                                                  \
		for (unsigned int i = 0; old && matched < old->vec.n && i < old->vec.n; i++)       \
			if (!sl_jsl_get(new->idx, ((T *)old->vec.v[i])->id))                       \
				d->removed++;                                                      \
	} while (0)

static void sl_diff_nat(const struct sl_store *old, struct sl_store *new, struct sl_diff *d);

static int sl_diff_dirty(struct sl_diff *d, const char *vpc_id)
{
	int rc;

	if (vpc_id == NULL || vpc_id[0] == '\0')
		return 0;
	rc = sl_jsl_insert(&d->dirty_vpcs, vpc_id, (void *)1);
	if (rc == 0)
		d->n_dirty_vpcs++;
	return rc == -EEXIST ? 0 : rc;
}

static void sl_carry(struct sl_obj_state *to, const struct sl_obj_state *from, bool same,
		     struct sl_diff *d)
{
	if (same) {
		to->status = from->status;
		to->generation = from->generation;
		d->unchanged++;
	} else {
		to->status = SL_STATUS_PENDING;
		to->generation = 0;
		d->changed++;
	}
	if (to->status == SL_STATUS_PENDING)
		sl_store_pending_add(d->into, to);
}

static void sl_fresh(struct sl_obj_state *st, struct sl_diff *d)
{
	st->status = SL_STATUS_PENDING;
	st->generation = 0;
	d->added++;
	sl_store_pending_add(d->into, st);
}

/* The VPC an object's tables live in, NULL-safe. */
static const char *sl_inst_vpc(const struct sl_instance_obj *i)
{
	return (i && i->vswitch && i->vswitch->vpc) ? i->vswitch->vpc->id : NULL;
}

static const char *sl_route_vpc(const struct sl_route_obj *r)
{
	return (r && r->vpc) ? r->vpc->id : NULL;
}

int sl_store_diff(const struct sl_store *old, struct sl_store *new, struct sl_diff *d)
{
	/* objects of `new` found in `old`, per kind: when they are all of
	 * old's, nothing of that kind was removed and the removal pass (a
	 * lookup per object) is skipped; IDs are unique in a store */
	unsigned int m_vpc = 0, m_vsw = 0, m_inst = 0, m_route = 0;
	int rc = 0;

	memset(d, 0, sizeof(*d));
	d->into = new;
	new->pending.n = 0;
	new->pending_all = false;

	for (unsigned int i = 0; i < new->region_v.n; i++) {
		struct sl_region_obj *n = new->region_v.v[i];
		struct sl_region_obj *o = old ? sl_jsl_get(old->regions, n->id) : NULL;

		if (o)
			sl_carry(&n->st, &o->st, sl_region_eq(o, n), d);
		else
			sl_fresh(&n->st, d);
	}
	for (unsigned int i = 0; i < new->zone_v.n; i++) {
		struct sl_zone_obj *n = new->zone_v.v[i];
		struct sl_zone_obj *o = old ? sl_jsl_get(old->zones, n->id) : NULL;

		if (o)
			sl_carry(&n->st, &o->st, sl_zone_eq(o, n), d);
		else
			sl_fresh(&n->st, d);
	}
	for (unsigned int i = 0; i < new->vpc_v.n; i++) {
		struct sl_vpc_obj *n = new->vpc_v.v[i];
		struct sl_vpc_obj *o = old ? sl_store_vpc(old, n->id) : NULL;
		bool same = o && sl_vpc_eq(o, n);

		m_vpc += o != NULL;
		if (o)
			sl_carry(&n->st, &o->st, same, d);
		else
			sl_fresh(&n->st, d);
		if (!same)
			rc |= sl_diff_dirty(d, n->id);
	}
	for (unsigned int i = 0; i < new->vswitch_v.n; i++) {
		struct sl_vswitch_obj *n = new->vswitch_v.v[i];
		struct sl_vswitch_obj *o = old ? sl_store_vswitch(old, n->id) : NULL;
		bool same = o && sl_vswitch_eq(o, n);

		m_vsw += o != NULL;
		if (o)
			sl_carry(&n->st, &o->st, same, d);
		else
			sl_fresh(&n->st, d);
		if (!same) {
			rc |= sl_diff_dirty(d, n->vpc_id);
			if (o)
				rc |= sl_diff_dirty(d, o->vpc_id);
		}
	}
	for (unsigned int i = 0; i < new->instance_v.n; i++) {
		struct sl_instance_obj *n = new->instance_v.v[i];
		struct sl_instance_obj *o = old ? sl_store_instance(old, n->id) : NULL;
		bool same = o && sl_instance_eq(o, n);

		m_inst += o != NULL;
		if (o)
			sl_carry(&n->st, &o->st, same, d);
		else
			sl_fresh(&n->st, d);
		if (!same) {
			rc |= sl_diff_dirty(d, sl_inst_vpc(n));
			rc |= sl_diff_dirty(d, sl_inst_vpc(o));
		}
	}
	for (unsigned int i = 0; i < new->route_v.n; i++) {
		struct sl_route_obj *n = new->route_v.v[i];
		struct sl_route_obj *o = old ? sl_jsl_get(old->routes, n->key) : NULL;
		bool same = o && sl_route_eq(o, n);

		m_route += o != NULL;
		if (o)
			sl_carry(&n->st, &o->st, same, d);
		else
			sl_fresh(&n->st, d);
		if (!same) {
			rc |= sl_diff_dirty(d, sl_route_vpc(n));
			rc |= sl_diff_dirty(d, sl_route_vpc(o));
		}
	}
	if (new->gateway) {
		struct sl_gateway_obj *o = old ? old->gateway : NULL;
		bool same = o && sl_gateway_eq(o, new->gateway);

		if (o)
			sl_carry(&new->gateway->st, &o->st, same, d);
		else
			sl_fresh(&new->gateway->st, d);
		d->inet_dirty = !same;
	} else if (old && old->gateway) {
		d->removed++;
		d->inet_dirty = true;
	}
	sl_diff_nat(old, new, d);

	if (old == NULL)
		return rc < 0 ? -ENOMEM : 0;

	/* removals: their VPC's tables change too */
	for (unsigned int i = 0; i < old->region_v.n; i++) {
		struct sl_region_obj *o = old->region_v.v[i];
		if (!sl_jsl_get(new->regions, o->id))
			d->removed++;
	}
	for (unsigned int i = 0; i < old->zone_v.n; i++) {
		struct sl_zone_obj *o = old->zone_v.v[i];
		if (!sl_jsl_get(new->zones, o->id))
			d->removed++;
	}
	for (unsigned int i = 0; m_vpc < old->vpc_v.n && i < old->vpc_v.n; i++) {
		struct sl_vpc_obj *o = old->vpc_v.v[i];
		if (!sl_store_vpc(new, o->id)) {
			d->removed++;
			rc |= sl_diff_dirty(d, o->id);
		}
	}
	for (unsigned int i = 0; m_vsw < old->vswitch_v.n && i < old->vswitch_v.n; i++) {
		struct sl_vswitch_obj *o = old->vswitch_v.v[i];
		if (!sl_store_vswitch(new, o->id)) {
			d->removed++;
			rc |= sl_diff_dirty(d, o->vpc_id);
		}
	}
	for (unsigned int i = 0; m_inst < old->instance_v.n && i < old->instance_v.n; i++) {
		struct sl_instance_obj *o = old->instance_v.v[i];
		if (!sl_store_instance(new, o->id)) {
			d->removed++;
			rc |= sl_diff_dirty(d, sl_inst_vpc(o));
		}
	}
	for (unsigned int i = 0; m_route < old->route_v.n && i < old->route_v.n; i++) {
		struct sl_route_obj *o = old->route_v.v[i];
		if (!sl_jsl_get(new->routes, o->key)) {
			d->removed++;
			rc |= sl_diff_dirty(d, sl_route_vpc(o));
		}
	}
	return rc < 0 ? -ENOMEM : 0;
}

static void sl_diff_nat(const struct sl_store *old, struct sl_store *new, struct sl_diff *d)
{
	SL_DIFF_NAT(natgw_v, natgws, struct sl_natgw_obj, sl_natgw_eq);
	SL_DIFF_NAT(eip_v, eips, struct sl_eip_obj, sl_eip_eq);
	SL_DIFF_NAT(snat_v, snats, struct sl_snat_obj, sl_snat_eq);
	SL_DIFF_NAT(fwd_v, fwds, struct sl_fwd_obj, sl_fwd_eq);
	/* IPv6 gateway objects: the same (their section: compile_ipv6gw.c) */
	SL_DIFF_NAT(ipv6gw_v, ipv6gws, struct sl_ipv6gw_obj, sl_ipv6gw_eq);
	SL_DIFF_NAT(ipv6addr_v, ipv6addrs, struct sl_ipv6addr_obj, sl_ipv6addr_eq);
	SL_DIFF_NAT(ipv6bw_v, ipv6bws, struct sl_ipv6bw_obj, sl_ipv6bw_eq);
	SL_DIFF_NAT(ipv6egress_v, ipv6egress, struct sl_ipv6egress_obj, sl_ipv6egress_eq);
	SL_DIFF_NAT(ipv6rule_v, ipv6rules, struct sl_ipv6rule_obj, sl_ipv6rule_eq);
	SL_DIFF_NAT(havip_v, havips, struct sl_havip_obj, sl_havip_eq); /* compile_havip.c */
	SL_DIFF_NAT(cbwp_v, cbwps, struct sl_cbwp_obj, sl_cbwp_eq); /* compile_police.c */
	SL_DIFF_NAT(bwp_v, bwps, struct sl_bwp_obj, sl_bwp_eq);
}

void sl_diff_free(struct sl_diff *d)
{
	sl_jsl_free(&d->dirty_vpcs);
	d->n_dirty_vpcs = 0;
}

/* ---- in-place change of the live store (struct sl_delta, sl_store.h) ---------- */

const char *sl_okind_id(enum sl_okind k, const void *o)
{
	switch (k) {
	case SL_OK_VPC:
		return ((const struct sl_vpc_obj *)o)->id;
	case SL_OK_VSWITCH:
		return ((const struct sl_vswitch_obj *)o)->id;
	case SL_OK_INSTANCE:
		return ((const struct sl_instance_obj *)o)->id;
	default:
		return ((const struct sl_route_obj *)o)->key;
	}
}

static Pvoid_t *sl_okind_index(struct sl_store *s, enum sl_okind k)
{
	Pvoid_t *idx[] = {&s->vpcs, &s->vswitches, &s->instances, &s->routes};

	return idx[k];
}

static struct sl_objvec *sl_okind_vec(struct sl_store *s, enum sl_okind k)
{
	struct sl_objvec *vec[] = {&s->vpc_v, &s->vswitch_v, &s->instance_v, &s->route_v};

	return vec[k];
}

void *sl_store_get(const struct sl_store *s, enum sl_okind k, const char *id)
{
	return sl_jsl_get(*sl_okind_index((struct sl_store *)s, k), id);
}

/* The ID index slot of `id` (NULL if the key is absent). */
static void **sl_jsl_slot(Pcvoid_t arr, const char *id)
{
	return (void **)JudySLGet(arr, (const uint8_t *)id, PJE0);
}

/* Every object struct starts with its state; a kind's array holds the
 * config file's objects in file order, then the database's in its order:
 * (from_db, file_index) grows along it. */
int sl_obj_order(const void *a, const void *b)
{
	const struct sl_obj_state *x = a, *y = b;

	if (x->from_db != y->from_db)
		return x->from_db ? 1 : -1;
	return x->file_index < y->file_index ? -1 : x->file_index > y->file_index;
}

/* Position of `o` in `vec`: by its order, else (an array out of order,
 * which a build never makes) by a scan. -1 if absent. */
static int sl_vec_find(const struct sl_objvec *vec, const void *o)
{
	unsigned int lo = 0, hi = vec->n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (sl_obj_order(vec->v[mid], o) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < vec->n && vec->v[lo] == o)
		return (int)lo;
	for (unsigned int i = 0; i < vec->n; i++)
		if (vec->v[i] == o)
			return (int)i;
	return -1;
}

unsigned int sl_store_count_from_db(const struct sl_store *s, enum sl_okind k)
{
	const struct sl_objvec *vec = sl_okind_vec((struct sl_store *)s, k);
	unsigned int lo = 0, hi = vec->n;

	while (lo < hi) { /* the first object from the database */
		unsigned int mid = lo + (hi - lo) / 2;

		if (!((const struct sl_obj_state *)vec->v[mid])->from_db)
			lo = mid + 1;
		else
			hi = mid;
	}
	return vec->n - lo;
}

void sl_delta_begin(struct sl_delta *d, struct sl_store *s)
{
	memset(d, 0, sizeof(*d));
	d->s = s;
	for (int k = 0; k < SL_OK_N; k++)
		d->n0[k] = sl_okind_vec(s, k)->n;
}

static int sl_delta_grow(struct sl_delta *d)
{
	if (d->n == d->cap) {
		unsigned int cap = d->cap ? d->cap * 2 : 64;
		struct sl_delta_ent *nv = realloc(d->v, cap * sizeof(*nv));

		if (nv == NULL)
			return -ENOMEM;
		d->v = nv;
		d->cap = cap;
	}
	return 0;
}

int sl_delta_put(struct sl_delta *d, enum sl_okind k, void *o)
{
	struct sl_store *s = d->s;
	Pvoid_t *idx = sl_okind_index(s, k);
	struct sl_objvec *vec = sl_okind_vec(s, k);
	const char *id = sl_okind_id(k, o);
	struct sl_obj_state *st = o;
	void **slot = sl_jsl_slot(*idx, id);
	void *old = slot ? *slot : NULL;
	int rc;

	if (sl_delta_grow(d) < 0)
		return -ENOMEM;
	if (slot && old == NULL)
		return -EINVAL; /* removed earlier in this delta */
	if (old) {
		int pos;

		if (!((struct sl_obj_state *)old)->from_db)
			return -EPERM;
		pos = sl_vec_find(vec, old);
		if (pos < 0)
			return -EINVAL;
		st->from_db = true;
		st->file_index = ((struct sl_obj_state *)old)->file_index;
		*slot = o;
		vec->v[pos] = o;
	} else {
		const struct sl_obj_state *last = vec->n ? vec->v[vec->n - 1] : NULL;

		st->from_db = true;
		st->file_index = last && last->from_db ? last->file_index + 1 : 0;
		rc = sl_store_add(idx, vec, id, o);
		if (rc < 0)
			return rc == -EEXIST ? -EINVAL : rc;
	}
	d->v[d->n++] = (struct sl_delta_ent){.kind = k, .before = old, .after = o};
	return 0;
}

int sl_delta_del(struct sl_delta *d, enum sl_okind k, const char *id)
{
	void **slot = sl_jsl_slot(*sl_okind_index(d->s, k), id);
	void *old = slot ? *slot : NULL;

	if (old == NULL)
		return -ENOENT;
	if (!((struct sl_obj_state *)old)->from_db)
		return -EPERM;
	if (sl_delta_grow(d) < 0)
		return -ENOMEM;
	*slot = NULL;
	d->v[d->n++] = (struct sl_delta_ent){.kind = k, .before = old, .after = NULL};
	return 0;
}

void sl_delta_revert(struct sl_delta *d)
{
	struct sl_store *s = d->s;

	for (unsigned int i = d->n; i-- > 0;) {
		struct sl_delta_ent *e = &d->v[i];
		Pvoid_t *idx = sl_okind_index(s, e->kind);
		struct sl_objvec *vec = sl_okind_vec(s, e->kind);

		if (e->before && e->after) {
			int pos = sl_vec_find(vec, e->after);

			*sl_jsl_slot(*idx, sl_okind_id(e->kind, e->before)) = e->before;
			if (pos >= 0)
				vec->v[pos] = e->before;
		} else if (e->after) {
			sl_jsl_delete(idx, sl_okind_id(e->kind, e->after));
		} else {
			*sl_jsl_slot(*idx, sl_okind_id(e->kind, e->before)) = e->before;
		}
	}
	for (int k = 0; k < SL_OK_N; k++)
		sl_okind_vec(s, k)->n = d->n0[k]; /* the added ones were appended */
}

/* Free an object the delta no longer needs (arena ones stay in the arena
 * until the store goes). */
static void sl_delta_free_obj(struct sl_store *s, enum sl_okind k, void *o)
{
	if (o == NULL)
		return;
	if (((struct sl_obj_state *)o)->in_arena) {
		s->arena_dead++;
		return;
	}
	switch (k) {
	case SL_OK_VPC:
		sl_vpc_free(o);
		break;
	case SL_OK_VSWITCH:
		sl_vswitch_free(o);
		break;
	case SL_OK_INSTANCE:
		sl_instance_free(o);
		break;
	default:
		sl_route_free(o);
		break;
	}
}

void sl_delta_drop(struct sl_delta *d)
{
	for (unsigned int i = 0; i < d->n; i++)
		sl_delta_free_obj(d->s, d->v[i].kind, d->v[i].after);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

static bool sl_okind_eq(enum sl_okind k, const void *a, const void *b)
{
	switch (k) {
	case SL_OK_VPC:
		return sl_vpc_eq(a, b);
	case SL_OK_VSWITCH:
		return sl_vswitch_eq(a, b);
	case SL_OK_INSTANCE:
		return sl_instance_eq(a, b);
	default:
		return sl_route_eq(a, b);
	}
}

/* The VPC whose table an object is part of (by its resolved references,
 * as sl_store_diff() marks them), NULL if none. */
static const char *sl_okind_vpc(enum sl_okind k, const void *o)
{
	switch (k) {
	case SL_OK_VPC:
		return ((const struct sl_vpc_obj *)o)->id;
	case SL_OK_VSWITCH:
		return ((const struct sl_vswitch_obj *)o)->vpc_id;
	case SL_OK_INSTANCE:
		return sl_inst_vpc(o);
	default:
		return sl_route_vpc(o);
	}
}

int sl_delta_keep(struct sl_delta *d, struct sl_diff *diff)
{
	struct sl_store *s = d->s;
	Pvoid_t gone = NULL; /* Judy1: states of the replaced and removed objects */
	bool gone_all = true; /* every one of them is in `gone` */
	bool holes[SL_OK_N] = {false};
	int rc = 0;

	memset(diff, 0, sizeof(*diff));
	diff->into = s;
	for (unsigned int i = 0; i < d->n; i++) {
		struct sl_delta_ent *e = &d->v[i];
		bool same = e->before && e->after && sl_okind_eq(e->kind, e->before, e->after);

		if (e->after && e->before)
			sl_carry(e->after, e->before, same, diff);
		else if (e->after)
			sl_fresh(e->after, diff);
		else
			diff->removed++;
		if (!same) {
			/* a VPC's own change: its table; a child's: its VPC's,
			 * before and after (sl_store_diff()) */
			if (e->after)
				rc |= sl_diff_dirty(diff, sl_okind_vpc(e->kind, e->after));
			if (e->before)
				rc |= sl_diff_dirty(diff, sl_okind_vpc(e->kind, e->before));
		}
		if (e->before && sl_j1_set(&gone, (Word_t)e->before) < 0)
			gone_all = false;
	}
	/* the Pending list must not keep the states of freed objects */
	if (!gone_all) {
		s->pending_all = true; /* it may: walk the whole store instead */
		s->pending.n = 0;
	} else if (gone && !s->pending_all) {
		unsigned int k = 0;

		for (unsigned int i = 0; i < s->pending.n; i++)
			if (sl_j1_test(gone, (Word_t)s->pending.v[i]) != 1)
				s->pending.v[k++] = s->pending.v[i];
		s->pending.n = k;
	}
	sl_j1_free(&gone);
	/* removals: the key and the array slot go now (every slot is found
	 * before any is cleared: the search reads the objects) */
	for (unsigned int i = 0; i < d->n; i++) {
		struct sl_delta_ent *e = &d->v[i];

		if (e->after)
			continue;
		sl_jsl_delete(sl_okind_index(s, e->kind), sl_okind_id(e->kind, e->before));
		e->pos = sl_vec_find(sl_okind_vec(s, e->kind), e->before);
		holes[e->kind] = true;
	}
	for (unsigned int i = 0; i < d->n; i++)
		if (d->v[i].after == NULL && d->v[i].pos >= 0)
			sl_okind_vec(s, d->v[i].kind)->v[d->v[i].pos] = NULL;
	for (int k = 0; k < SL_OK_N; k++) {
		struct sl_objvec *vec = sl_okind_vec(s, k);
		unsigned int n = 0;

		for (unsigned int i = 0; holes[k] && i < vec->n; i++)
			if (vec->v[i])
				vec->v[n++] = vec->v[i];
		if (holes[k])
			vec->n = n;
	}
	diff->unchanged = s->vpc_v.n + s->vswitch_v.n + s->instance_v.n + s->route_v.n -
			  diff->added - diff->changed;
	for (unsigned int i = 0; i < d->n; i++)
		sl_delta_free_obj(s, d->v[i].kind, d->v[i].before);
	free(d->v);
	memset(d, 0, sizeof(*d));
	return rc < 0 ? -ENOMEM : 0;
}
