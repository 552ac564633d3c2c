/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiler, NAT part: NAT gateways, their public IPs, SNAT entries, forward
 * entries and EIP 1:1 bindings -> the bank's NAT section (sl_shm.h,
 * struct sl_nat_sec).
 *
 * Design note
 * -----------
 * NAT objects are few (a gateway has at most 40 SNAT and 100 forward
 * entries, 50 IPs per package), so the section is rebuilt from the store at
 * every sl_compile() and compared with the previous one byte for byte: no
 * dirty tracking of its own can go wrong, and a store change that does not
 * touch NAT leaves both banks' sections alone. The section is position
 * independent (offsets from its start), one heap block per bank.
 *
 * Indexes: a NAT gateway (by NatGatewayId) and a public IP (by address)
 * keep their index for as long as they exist, because the data plane's
 * session table (dataplane/nat) holds sessions by gateway and public IP
 * index. A removed one leaves a hole (gateway: empty id; IP: role NONE,
 * address 0) and its index is reused at the earliest by the next
 * sl_compile() (new objects take indexes before removed ones release
 * theirs), like the VPC indexes.
 *
 * Public IPs: EIPs bound to a NAT gateway (InstanceType Nat) and the NAT
 * bandwidth packages' IPs (their as_eip view) belong to that gateway; the
 * role is SNAT or DNAT after the entries that use them (validation refuses
 * both on one IP), NONE while no entry uses one. EIPs bound to an instance
 * or a HaVip have role EIP with the private address and its VPC, and no
 * gateway. Unbound EIPs are not in the section.
 *
 * Concurrency: single-threaded, like the rest of the compiler.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_compile.h"
#include "sl_judy.h"

/* Stable indexes by key: key -> index + 1, and the set of indexes in use. */
struct sl_nat_ids {
	Pvoid_t of;   /**< JudySL key -> (void *)(index + 1) */
	Pvoid_t used; /**< Judy1 */
	Pvoid_t seen; /**< JudySL keys met by the current compile */
};

struct sl_nat_compiler {
	struct sl_nat_ids gw, ip;
	struct sl_nat_sec *sec; /**< the last section built, NULL if none */
};

struct sl_nat_compiler *sl_nat_compiler_new(void)
{
	return calloc(1, sizeof(struct sl_nat_compiler));
}

static void sl_nat_ids_free(struct sl_nat_ids *x)
{
	sl_jsl_free(&x->of);
	sl_j1_free(&x->used);
	sl_jsl_free(&x->seen);
}

void sl_nat_compiler_free(struct sl_nat_compiler *n)
{
	if (n == NULL)
		return;
	sl_nat_ids_free(&n->gw);
	sl_nat_ids_free(&n->ip);
	free(n->sec);
	free(n);
}

const struct sl_nat_sec *sl_nat_compiled(const struct sl_nat_compiler *n)
{
	return n->sec;
}

static int sl_nat_id(struct sl_nat_ids *x, const char *key, uint32_t *index)
{
	void *v = sl_jsl_get(x->of, key);
	Word_t idx = 0;
	int rc;

	rc = sl_jsl_insert(&x->seen, key, (void *)1);
	if (rc < 0 && rc != -EEXIST)
		return rc;
	if (v) {
		*index = (uint32_t)((uintptr_t)v - 1);
		return 0;
	}
	rc = sl_j1_first_empty(x->used, &idx);
	if (rc < 0)
		return rc;
	if (idx >= SL_NAT_IDX_NONE)
		return -ENOSPC;
	rc = sl_jsl_insert(&x->of, key, (void *)(uintptr_t)(idx + 1));
	if (rc == 0)
		rc = sl_j1_set(&x->used, idx); /* 1: newly set */
	*index = (uint32_t)idx;
	return rc < 0 ? rc : 0;
}

static void sl_ip_key(uint32_t addr, char key[16])
{
	snprintf(key, 16, "%08x", addr);
}

/* Give `key` index `idx` before any compile (seeding). -EEXIST if either
 * is taken. */
static int sl_nat_ids_seed(struct sl_nat_ids *x, const char *key, uint32_t idx)
{
	int rc;

	if (sl_j1_test(x->used, idx) || sl_jsl_get(x->of, key))
		return -EEXIST;
	rc = sl_jsl_insert(&x->of, key, (void *)(uintptr_t)(idx + 1));
	if (rc < 0)
		return rc;
	rc = sl_j1_set(&x->used, idx);
	if (rc < 0) {
		sl_jsl_delete(&x->of, key);
		return rc;
	}
	return 0;
}

static bool sl_nat_span_ok(uint64_t off, uint64_t n, uint64_t elem, uint64_t size)
{
	return off <= size && n <= (size - off) / elem;
}

int sl_nat_compiler_seed(struct sl_nat_compiler *n, const struct sl_nat_sec *sec, uint64_t size)
{
	const struct sl_nat_gw_ent *g;
	const struct sl_nat_ip_ent *ip;
	int seeded = 0;

	if (size < sizeof(*sec) || sec->size != size ||
	    !sl_nat_span_ok(sec->gw_off, sec->n_gws, sizeof(*g), size) ||
	    !sl_nat_span_ok(sec->ip_off, sec->n_ips, sizeof(*ip), size))
		return -EINVAL;
	g = (const struct sl_nat_gw_ent *)((const uint8_t *)sec + sec->gw_off);
	ip = (const struct sl_nat_ip_ent *)((const uint8_t *)sec + sec->ip_off);
	for (uint32_t i = 0; i < sec->n_gws; i++) {
		char id[SL_ID_LEN];

		memcpy(id, g[i].id, sizeof(id));
		id[SL_ID_LEN - 1] = '\0';
		if (id[0] && sl_nat_ids_seed(&n->gw, id, i) == 0)
			seeded++;
	}
	for (uint32_t i = 0; i < sec->n_ips; i++) {
		char key[16];

		if (ip[i].addr == 0)
			continue;
		sl_ip_key(ip[i].addr, key);
		if (sl_nat_ids_seed(&n->ip, key, i) == 0)
			seeded++;
	}
	return seeded;
}

/* Release the indexes of keys the current compile did not meet; the
 * highest index in use + 1. */
static uint32_t sl_nat_ids_sweep(struct sl_nat_ids *x)
{
	char key[SL_JSL_KEY_MAX] = "";
	Pvoid_t gone = NULL;
	uint32_t n = 0;

	for (void *v = sl_jsl_first(x->of, key); v; v = sl_jsl_next(x->of, key))
		if (!sl_jsl_get(x->seen, key))
			sl_jsl_insert(&gone, key, v);
	key[0] = '\0';
	for (void *v = sl_jsl_first(gone, key); v; v = sl_jsl_next(gone, key)) {
		sl_jsl_delete(&x->of, key);
		sl_j1_unset(&x->used, (Word_t)((uintptr_t)v - 1));
	}
	sl_jsl_free(&gone);
	sl_jsl_free(&x->seen);
	key[0] = '\0';
	for (void *v = sl_jsl_first(x->of, key); v; v = sl_jsl_next(x->of, key))
		if ((uint32_t)(uintptr_t)v > n)
			n = (uint32_t)(uintptr_t)v;
	return n;
}

/* Growable arrays of the section under construction. */
struct sl_nat_build {
	struct sl_nat_gw_ent *gw;
	struct sl_nat_vpc_ent *vpc;
	struct sl_nat_ip_ent *ip;
	struct sl_nat_addr_ent *addr;
	struct sl_rt4_entry *snat_rt;
	struct sl_nat_snat_ent *snat;
	uint32_t *pool;
	struct sl_nat_fwd_ent *fwd;
	struct sl_nat_eip_ent *eip;
	uint32_t n_gw, n_vpc, n_ip, n_addr, n_snat_rt, n_snat, n_pool, n_fwd, n_eip;
	uint32_t c_vpc, c_addr, c_snat_rt, c_snat, c_pool, c_fwd, c_eip;
};

#define SL_NAT_PUSH(b, arr, cnt, cap)                                                              \
	(sl_compile_grow((void **)&(b)->arr, &(b)->cap, (b)->cnt, sizeof(*(b)->arr)) < 0           \
	     ? NULL                                                                                \
	     : memset(&(b)->arr[(b)->cnt++], 0, sizeof(*(b)->arr)))

/* Extend the indexed array *arr of *n elements to idx + 1, the new ones
 * zeroed. 0 or -ENOMEM. */
static int sl_nat_slots(void **arr, uint32_t *n, uint32_t idx, size_t elem)
{
	uint8_t *na;

	if (idx < *n)
		return 0;
	na = realloc(*arr, (size_t)(idx + 1) * elem);
	if (na == NULL)
		return -ENOMEM;
	memset(na + (size_t)*n * elem, 0, (size_t)(idx + 1 - *n) * elem);
	*arr = na;
	*n = idx + 1;
	return 0;
}

static void sl_nat_build_free(struct sl_nat_build *b)
{
	free(b->gw);
	free(b->vpc);
	free(b->ip);
	free(b->addr);
	free(b->snat_rt);
	free(b->snat);
	free(b->pool);
	free(b->fwd);
	free(b->eip);
}

static void sl_spec_limits(const char *spec, struct sl_nat_gw_ent *g)
{
	/* the spec's values (dataplane/nat/sl_nat.h SL_NAT_*_SESSIONS/RATE) */
	if (strcmp(spec, "Large") == 0) {
		g->max_sessions = 200000;
		g->new_per_sec = 10000;
	} else if (strcmp(spec, "Middle") == 0) {
		g->max_sessions = 50000;
		g->new_per_sec = 5000;
	} else {
		g->max_sessions = 10000;
		g->new_per_sec = 1000;
	}
}

static uint32_t sl_gw_index(const struct sl_nat_compiler *n, const struct sl_natgw_obj *g)
{
	void *v = g ? sl_jsl_get(n->gw.of, g->id) : NULL;

	return v ? (uint32_t)((uintptr_t)v - 1) : SL_NAT_IDX_NONE;
}

/* One public IP: its index by address, and its entry. `gw` is the owning
 * gateway's index (SL_NAT_IDX_NONE for an EIP 1:1), `vpc` the VPC of `priv`. */
static int sl_nat_add_ip(struct sl_nat_compiler *n, struct sl_nat_build *b,
			 const struct sl_eip_obj *p, uint32_t gw, uint8_t role, uint32_t priv,
			 uint32_t vpc)
{
	struct sl_nat_ip_ent *e;
	uint32_t addr = (uint32_t)p->ip.addr, idx, old;
	char key[16];
	int rc;

	if (p->ip.family != SL_AF_INET)
		return 0;
	sl_ip_key(addr, key);
	rc = sl_nat_id(&n->ip, key, &idx);
	if (rc < 0)
		return rc;
	old = b->n_ip;
	if (sl_nat_slots((void **)&b->ip, &b->n_ip, idx, sizeof(*b->ip)) < 0)
		return -ENOMEM;
	for (uint32_t i = old; i < idx; i++)
		b->ip[i].gw = b->ip[i].vpc_index = SL_NAT_IDX_NONE; /* holes */
	e = &b->ip[idx];
	e->addr = addr;
	e->gw = gw;
	e->role = role;
	e->priv = priv;
	e->vpc_index = vpc;
	e->bandwidth = p->bandwidth;
	snprintf(e->id, sizeof(e->id), "%s", p->id);
	return 0;
}

/* A gateway's IP (EIP with InstanceType Nat, or a package IP). */
static int sl_nat_add_gw_ip(struct sl_nat_compiler *n, struct sl_nat_build *b,
			    const struct sl_eip_obj *p, const struct sl_natgw_obj *g)
{
	uint8_t role = p->n_snat  ? SL_NAT_ROLE_SNAT
		       : p->n_fwd ? SL_NAT_ROLE_DNAT
				  : SL_NAT_ROLE_NONE;

	return sl_nat_add_ip(n, b, p, sl_gw_index(n, g), role, 0, SL_NAT_IDX_NONE);
}

static uint32_t sl_vpc_idx(const struct sl_compiler *c, const struct sl_vpc_obj *v)
{
	int i = v ? sl_compiler_vpc_index(c, v->id) : -ENOENT;

	return i < 0 ? SL_NAT_IDX_NONE : (uint32_t)i;
}

/* The ip index of a gateway's address, SL_NAT_IDX_NONE if unknown. */
static uint32_t sl_ip_index(const struct sl_nat_compiler *n, uint32_t addr)
{
	char key[16];
	void *v;

	sl_ip_key(addr, key);
	v = sl_jsl_get(n->ip.of, key);
	return v ? (uint32_t)((uintptr_t)v - 1) : SL_NAT_IDX_NONE;
}

static int sl_nat_ips(struct sl_nat_compiler *n, struct sl_nat_build *b,
		      const struct sl_compiler *c, const struct sl_store *s)
{
	int rc = 0;

	for (unsigned int i = 0; i < s->eip_v.n && rc == 0; i++) {
		const struct sl_eip_obj *p = s->eip_v.v[i];

		if (p->natgw)
			rc = sl_nat_add_gw_ip(n, b, p, p->natgw);
		else if (p->instance)
			rc = sl_nat_add_ip(
			    n, b, p, SL_NAT_IDX_NONE, SL_NAT_ROLE_EIP,
			    (uint32_t)p->instance->ip4.addr,
			    sl_vpc_idx(c, p->instance->vswitch ? p->instance->vswitch->vpc : NULL));
	}
	for (unsigned int i = 0; i < s->havip_v.n && rc == 0; i++) {
		const struct sl_havip_obj *h = s->havip_v.v[i];

		if (h->eip && h->ip.family == SL_AF_INET)
			rc = sl_nat_add_ip(n, b, h->eip, SL_NAT_IDX_NONE, SL_NAT_ROLE_EIP,
					   (uint32_t)h->ip.addr, sl_vpc_idx(c, h->vpc));
	}
	for (unsigned int i = 0; i < s->bwp_v.n && rc == 0; i++) {
		const struct sl_bwp_obj *p = s->bwp_v.v[i];

		for (unsigned int k = 0; k < p->n_ips && k < SL_BWP_IPS_MAX && rc == 0; k++)
			if (p->natgw)
				rc = sl_nat_add_gw_ip(n, b, &p->ips[k].as_eip, p->natgw);
	}
	return rc;
}

static int sl_nat_gws(struct sl_nat_compiler *n, struct sl_nat_build *b,
		      const struct sl_compiler *c, const struct sl_store *s)
{
	int rc = 0;

	for (unsigned int i = 0; i < s->natgw_v.n && rc == 0; i++) {
		const struct sl_natgw_obj *g = s->natgw_v.v[i];
		uint32_t idx, old;

		rc = sl_nat_id(&n->gw, g->id, &idx);
		if (rc < 0)
			break;
		old = b->n_gw;
		if (sl_nat_slots((void **)&b->gw, &b->n_gw, idx, sizeof(*b->gw)) < 0)
			return -ENOMEM;
		for (uint32_t k = old; k < idx; k++)
			b->gw[k].vpc_index = SL_NAT_IDX_NONE; /* holes */
		snprintf(b->gw[idx].id, sizeof(b->gw[idx].id), "%s", g->id);
		b->gw[idx].vpc_index = sl_vpc_idx(c, g->vpc);
		sl_spec_limits(g->spec, &b->gw[idx]);
		b->gw[idx].flags = g->eif ? SL_NAT_GW_F_EIF : 0;
	}
	return rc;
}

/* SNAT entries of gateway `gi` -> its source intervals and pools. */
static int sl_nat_snat(struct sl_nat_compiler *n, struct sl_nat_build *b, const struct sl_store *s,
		       uint32_t gi)
{
	struct sl_rt_in *in = NULL;
	struct sl_rt4_entry *iv = NULL;
	uint32_t n_in = 0, n_iv = 0;
	int rc = 0;

	for (unsigned int i = 0; i < s->snat_v.n; i++) {
		const struct sl_snat_obj *e = s->snat_v.v[i];
		const struct sl_vswitch_obj *w = sl_store_vswitch(s, e->source_vswitch_id);
		struct sl_pfx src = e->source_vswitch_id[0] && w ? w->cidr : e->source_cidr;
		struct sl_nat_snat_ent *se;

		if (sl_gw_index(n, e->natgw) != gi || src.family != SL_AF_INET)
			continue;
		se = SL_NAT_PUSH(b, snat, n_snat, c_snat);
		if (se == NULL)
			goto nomem;
		se->gw = gi;
		se->pool_first = b->n_pool;
		snprintf(se->id, sizeof(se->id), "%s", e->id);
		for (unsigned int k = 0; k < e->n_ips; k++) {
			uint32_t ip = sl_ip_index(n, (uint32_t)e->ips[k].addr);
			uint32_t *pp;

			if (ip == SL_NAT_IDX_NONE)
				continue; /* cannot happen in a validated store */
			pp = SL_NAT_PUSH(b, pool, n_pool, c_pool);
			if (pp == NULL)
				goto nomem;
			*pp = ip;
			se->pool_n++;
		}
		if (n_in % 16 == 0) {
			struct sl_rt_in *ni = realloc(in, (size_t)(n_in + 16) * sizeof(*ni));

			if (ni == NULL)
				goto nomem;
			in = ni;
		}
		in[n_in].addr = sl_pfx_first(&src);
		in[n_in].len = src.len;
		in[n_in].nh = b->n_snat; /* entry index + 1 */
		in[n_in].seq = n_in;
		n_in++;
	}
	rc = sl_rt4_build(in, n_in, &iv, &n_iv);
	if (rc < 0)
		goto out;
	b->gw[gi].snat_rt_first = b->n_snat_rt;
	b->gw[gi].snat_rt_n = n_iv;
	for (uint32_t i = 0; i < n_iv; i++) {
		struct sl_rt4_entry *r = SL_NAT_PUSH(b, snat_rt, n_snat_rt, c_snat_rt);

		if (r == NULL)
			goto nomem;
		*r = iv[i];
	}
	goto out;
nomem:
	rc = -ENOMEM;
out:
	free(in);
	free(iv);
	return rc;
}

static int sl_fwd_cmp(const void *pa, const void *pb)
{
	const struct sl_nat_fwd_ent *a = pa, *b = pb;

	if (a->ext_ip != b->ext_ip)
		return a->ext_ip < b->ext_ip ? -1 : 1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return (a->ext_port > b->ext_port) - (a->ext_port < b->ext_port);
}

static int sl_eip_cmp(const void *pa, const void *pb)
{
	const struct sl_nat_eip_ent *a = pa, *b = pb;

	if (a->vpc_index != b->vpc_index)
		return a->vpc_index < b->vpc_index ? -1 : 1;
	return (a->priv > b->priv) - (a->priv < b->priv);
}

static int sl_addr_cmp(const void *pa, const void *pb)
{
	const struct sl_nat_addr_ent *a = pa, *b = pb;

	return (a->addr > b->addr) - (a->addr < b->addr);
}

static int sl_vpcent_cmp(const void *pa, const void *pb)
{
	const struct sl_nat_vpc_ent *a = pa, *b = pb;

	return (a->vpc_index > b->vpc_index) - (a->vpc_index < b->vpc_index);
}

static int sl_nat_fwds(struct sl_nat_compiler *n, struct sl_nat_build *b, const struct sl_store *s)
{
	for (unsigned int i = 0; i < s->fwd_v.n; i++) {
		const struct sl_fwd_obj *f = s->fwd_v.v[i];
		struct sl_nat_fwd_ent *e;
		bool any = strcmp(f->proto, "Any") == 0;

		if (f->ext_ip.family != SL_AF_INET || f->int_ip.family != SL_AF_INET)
			continue;
		e = SL_NAT_PUSH(b, fwd, n_fwd, c_fwd);
		if (e == NULL)
			return -ENOMEM;
		e->ext_ip = (uint32_t)f->ext_ip.addr;
		e->int_ip = (uint32_t)f->int_ip.addr;
		e->proto = any ? 0 : strcmp(f->proto, "TCP") == 0 ? IPPROTO_TCP : IPPROTO_UDP;
		e->ext_port = any ? 0 : (uint16_t)f->ext_port;
		e->int_port = any ? 0 : (uint16_t)f->int_port;
		e->gw = sl_gw_index(n, f->natgw);
		e->ip = sl_ip_index(n, e->ext_ip);
	}
	if (b->n_fwd) /* qsort wants a non-null base even for 0 elements */
		qsort(b->fwd, b->n_fwd, sizeof(*b->fwd), sl_fwd_cmp);
	return 0;
}

/* The derived arrays: gateway by VPC, address index, EIP outbound. */
static int sl_nat_derived(struct sl_nat_build *b)
{
	for (uint32_t i = 0; i < b->n_gw; i++) {
		struct sl_nat_vpc_ent *v;

		if (b->gw[i].id[0] == '\0' || b->gw[i].vpc_index == SL_NAT_IDX_NONE)
			continue;
		v = SL_NAT_PUSH(b, vpc, n_vpc, c_vpc);
		if (v == NULL)
			return -ENOMEM;
		v->vpc_index = b->gw[i].vpc_index;
		v->gw = i;
	}
	for (uint32_t i = 0; i < b->n_ip; i++) {
		struct sl_nat_addr_ent *a;

		if (b->ip[i].addr == 0)
			continue; /* hole */
		a = SL_NAT_PUSH(b, addr, n_addr, c_addr);
		if (a == NULL)
			return -ENOMEM;
		a->addr = b->ip[i].addr;
		a->ip = i;
		if (b->ip[i].role == SL_NAT_ROLE_EIP && b->ip[i].vpc_index != SL_NAT_IDX_NONE) {
			struct sl_nat_eip_ent *e = SL_NAT_PUSH(b, eip, n_eip, c_eip);

			if (e == NULL)
				return -ENOMEM;
			e->vpc_index = b->ip[i].vpc_index;
			e->priv = b->ip[i].priv;
			e->ip = i;
			e->pub = b->ip[i].addr;
		}
	}
	if (b->n_vpc)
		qsort(b->vpc, b->n_vpc, sizeof(*b->vpc), sl_vpcent_cmp);
	if (b->n_addr)
		qsort(b->addr, b->n_addr, sizeof(*b->addr), sl_addr_cmp);
	if (b->n_eip)
		qsort(b->eip, b->n_eip, sizeof(*b->eip), sl_eip_cmp);
	return 0;
}

#define SL_NAT_ALIGN(x) (((x) + 63) & ~(uint64_t)63)

/* Lay the arrays out behind the section header. */
static struct sl_nat_sec *sl_nat_pack(const struct sl_nat_build *b)
{
	struct {
		const void *src;
		size_t bytes;
		uint64_t *off;
	} part[9];
	struct sl_nat_sec h = {.n_gws = b->n_gw,
			       .n_vpcs = b->n_vpc,
			       .n_ips = b->n_ip,
			       .n_snat_rt = b->n_snat_rt,
			       .n_snat = b->n_snat,
			       .n_pool = b->n_pool,
			       .n_fwd = b->n_fwd,
			       .n_eip = b->n_eip,
			       .n_addrs = b->n_addr};
	uint64_t off = SL_NAT_ALIGN(sizeof(h));
	struct sl_nat_sec *out;
	unsigned int np = 0;

#define SL_NAT_PART(arr, n, field)                                                                 \
	part[np++] = (typeof(part[0])){b->arr, (size_t)(n) * sizeof(*b->arr), &h.field}
	SL_NAT_PART(gw, b->n_gw, gw_off);
	SL_NAT_PART(vpc, b->n_vpc, vpc_off);
	SL_NAT_PART(ip, b->n_ip, ip_off);
	SL_NAT_PART(addr, b->n_addr, addr_off);
	SL_NAT_PART(snat_rt, b->n_snat_rt, snat_rt_off);
	SL_NAT_PART(snat, b->n_snat, snat_off);
	SL_NAT_PART(pool, b->n_pool, pool_off);
	SL_NAT_PART(fwd, b->n_fwd, fwd_off);
	SL_NAT_PART(eip, b->n_eip, eip_off);
#undef SL_NAT_PART
	for (unsigned int i = 0; i < np; i++) {
		*part[i].off = off;
		off += SL_NAT_ALIGN(part[i].bytes);
	}
	h.size = off;
	out = calloc(1, off);
	if (out == NULL)
		return NULL;
	*out = h;
	for (unsigned int i = 0; i < np; i++)
		if (part[i].bytes)
			memcpy((uint8_t *)out + *part[i].off, part[i].src, part[i].bytes);
	return out;
}

int sl_nat_compile(struct sl_nat_compiler *n, const struct sl_compiler *c, const struct sl_store *s,
		   bool *changed)
{
	struct sl_nat_build b;
	struct sl_nat_sec *sec = NULL;
	int rc;

	memset(&b, 0, sizeof(b));
	*changed = false;
	rc = sl_nat_gws(n, &b, c, s);
	if (rc == 0)
		rc = sl_nat_ips(n, &b, c, s);
	if (rc < 0)
		goto out;
	/* indexes of objects that are gone are free from the next compile on */
	sl_nat_ids_sweep(&n->gw);
	sl_nat_ids_sweep(&n->ip);
	for (uint32_t gi = 0; gi < b.n_gw && rc == 0; gi++)
		if (b.gw[gi].id[0])
			rc = sl_nat_snat(n, &b, s, gi);
	if (rc == 0)
		rc = sl_nat_fwds(n, &b, s);
	if (rc == 0)
		rc = sl_nat_derived(&b);
	if (rc < 0)
		goto out;
	if (b.n_gw || b.n_ip) {
		sec = sl_nat_pack(&b);
		if (sec == NULL) {
			rc = -ENOMEM;
			goto out;
		}
	}
	if ((sec == NULL) != (n->sec == NULL) ||
	    (sec && (sec->size != n->sec->size || memcmp(sec, n->sec, sec->size) != 0))) {
		*changed = true;
		free(n->sec);
		n->sec = sec;
	} else {
		free(sec);
	}
out:
	sl_jsl_free(&n->gw.seen); /* after a failure: the next compile starts afresh */
	sl_jsl_free(&n->ip.seen);
	sl_nat_build_free(&b);
	return rc;
}
