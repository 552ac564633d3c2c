/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiler, police part (issue 7): the bandwidths the API sells -> the
 * bank's police section (sl_shm.h, struct sl_pol_sec).
 *
 * Design note
 * -----------
 * Which limits apply to a public IP (docs/policer.md, "Two levels"):
 *   - an EIP outside any package: its own policer at its Bandwidth;
 *   - an EIP in a common bandwidth package: the package's aggregate
 *     policer at the package's Bandwidth, and its own policer at the
 *     per-EIP cap the package gives it, if any, whose parent is the
 *     aggregate (the EIP's own Bandwidth is suspended in the package);
 *   - an IP of a NAT bandwidth package: the package's aggregate alone;
 *   - anything else (a gateway's EIP is an EIP like the others): none.
 * An IPv6 address with Internet bandwidth (police6, issues 7/6): its own
 * policer (kind IP6, keyed by its Ipv6AddressId) at that bandwidth, no
 * parent (the documents sell IPv6 bandwidth per address, never in a
 * package); ip6[] is indexed like the IPv6 gateway section's addr[] (the
 * gateway stages hand that index over), so this part runs after that
 * section is built and reads the Mbps from it.
 * Each of these exists once per direction (to and from the Internet), each
 * at the full bandwidth. Only public IPs of the NAT section (the bound
 * ones: an unbound IP carries no traffic) get an entry of ip[], indexed
 * like the NAT section's ip[]; a package's aggregate exists while the
 * package does.
 *
 * Policer indexes are stable, keyed by "kind/object id/direction": the
 * data plane keeps a bucket across generations as long as its index and
 * tag stay, so a change of rate does not refill or empty it. A removed
 * object's index is reused at the earliest by the next compile (new
 * objects take indexes before gone ones release theirs), and its new
 * object has another tag, so sluice-dp starts it with a full bucket.
 *
 * Like the NAT section, the section is rebuilt at every sl_compile() and
 * compared byte for byte with the previous one; both banks get it when it
 * changed (compile.c).
 *
 * Concurrency: single-threaded, like the rest of the compiler.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_compile.h"
#include "sl_judy.h"
#include "sl_policer.h"

struct sl_police_compiler {
	Pvoid_t of;   /**< JudySL key -> (void *)(index + 1) */
	Pvoid_t used; /**< Judy1 of indexes in use */
	Pvoid_t seen; /**< JudySL keys met by the current compile */
	struct sl_pol_sec *sec; /**< the last section built, NULL if none */
};

/* What limits one public IPv4 address (by address, from the store). */
struct sl_pol_src {
	const char *own_id;   /**< the EIP's AllocationId */
	unsigned int own_mbps; /**< 0 = no limit of its own */
	uint32_t agg[SL_POL_DIR_MAX];
};

/* The section under construction. */
struct sl_pol_build {
	struct sl_pol_ent *pol;
	uint32_t n_pol;
	uint32_t c_pol; /**< entries allocated (grown geometrically) */
	struct sl_pol_ip_ent *ip;
	uint32_t n_ip;
	struct sl_pol_ip6_ent *ip6; /**< police6 */
	uint32_t n_ip6;
	Pvoid_t src; /**< JudyL address -> struct sl_pol_src * */
};

static const char sl_dir_ch[SL_POL_DIR_MAX] = {'o', 'i'};

struct sl_police_compiler *sl_police_compiler_new(void)
{
	return calloc(1, sizeof(struct sl_police_compiler));
}

void sl_police_compiler_free(struct sl_police_compiler *p)
{
	if (p == NULL)
		return;
	sl_jsl_free(&p->of);
	sl_j1_free(&p->used);
	sl_jsl_free(&p->seen);
	free(p->sec);
	free(p);
}

const struct sl_pol_sec *sl_police_compiled(const struct sl_police_compiler *p)
{
	return p->sec;
}

/* FNV-1a of the key: the policer's identity for the data plane (never 0,
 * which sl_pol_export uses for "off"). */
static uint64_t sl_pol_tag(const char *key)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (const unsigned char *c = (const unsigned char *)key; *c; c++)
		h = (h ^ *c) * UINT64_C(0x100000001b3);
	return h ? h : 1;
}

/* The stable index of `key`, allocated if new. */
static int sl_pol_index(struct sl_police_compiler *p, const char *key, uint32_t *index)
{
	void *v = sl_jsl_get(p->of, key);
	Word_t idx = 0;
	int rc = sl_jsl_insert(&p->seen, key, (void *)1);

	if (rc < 0 && rc != -EEXIST)
		return rc;
	if (v) {
		*index = (uint32_t)((uintptr_t)v - 1);
		return 0;
	}
	rc = sl_j1_first_empty(p->used, &idx);
	if (rc < 0)
		return rc;
	if (idx >= SL_POL_IDX_NONE)
		return -ENOSPC;
	rc = sl_jsl_insert(&p->of, key, (void *)(uintptr_t)(idx + 1));
	if (rc == 0)
		rc = sl_j1_set(&p->used, idx);
	*index = (uint32_t)idx;
	return rc < 0 ? rc : 0;
}

/* Release the indexes of the keys this compile did not meet. */
static void sl_pol_sweep(struct sl_police_compiler *p)
{
	char key[SL_JSL_KEY_MAX] = "";
	Pvoid_t gone = NULL;

	for (void *v = sl_jsl_first(p->of, key); v; v = sl_jsl_next(p->of, key))
		if (!sl_jsl_get(p->seen, key))
			sl_jsl_insert(&gone, key, v);
	key[0] = '\0';
	for (void *v = sl_jsl_first(gone, key); v; v = sl_jsl_next(gone, key)) {
		sl_jsl_delete(&p->of, key);
		sl_j1_unset(&p->used, (Word_t)((uintptr_t)v - 1));
	}
	sl_jsl_free(&gone);
	sl_jsl_free(&p->seen);
}

/* Policer `kind`/`id`/direction at `mbps`: its index (allocated and its
 * entry filled). */
static int sl_pol_add(struct sl_police_compiler *p, struct sl_pol_build *b, uint8_t kind,
		      const char *id, unsigned int dir, unsigned int mbps, uint32_t parent,
		      uint32_t addr, uint32_t *index)
{
	static const char kind_ch[] = {'-', 'i', 'c', 'b', '6'};
	struct sl_pol_conf conf;
	struct sl_pol_ent *e;
	char key[SL_ID_LEN + 8];
	int rc;

	if (sl_pol_conf_mbps(&conf, mbps) < 0)
		return -EINVAL; /* validation keeps bandwidths in range */
	snprintf(key, sizeof(key), "%c/%s/%c", kind_ch[kind], id, sl_dir_ch[dir]);
	rc = sl_pol_index(p, key, index);
	if (rc < 0)
		return rc;
	if (*index >= b->c_pol) { /* doubling: 100,000 policers in one compile */
		uint32_t cap = b->c_pol ? b->c_pol : 64;
		struct sl_pol_ent *np;

		while (cap <= *index)
			cap *= 2;
		np = realloc(b->pol, (size_t)cap * sizeof(*np));
		if (np == NULL)
			return -ENOMEM;
		b->pol = np;
		b->c_pol = cap;
	}
	if (*index >= b->n_pol) {
		memset(b->pol + b->n_pol, 0, (size_t)(*index + 1 - b->n_pol) * sizeof(*b->pol));
		for (uint32_t i = b->n_pol; i <= *index; i++)
			b->pol[i].parent = SL_POL_IDX_NONE; /* holes */
		b->n_pol = *index + 1;
	}
	e = &b->pol[*index];
	e->rate = conf.cir;
	e->burst = conf.cbs;
	e->tag = sl_pol_tag(key);
	e->parent = parent;
	e->mbps = mbps;
	e->addr = addr;
	e->kind = kind;
	e->dir = (uint8_t)dir;
	snprintf(e->id, sizeof(e->id), "%s", id);
	return 0;
}

/* An IP's source record, created on first use. */
static struct sl_pol_src *sl_pol_src(struct sl_pol_build *b, uint32_t addr)
{
	struct sl_pol_src *x = sl_jl_get(b->src, addr);

	if (x)
		return x;
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return NULL;
	x->agg[SL_POL_DIR_OUT] = x->agg[SL_POL_DIR_IN] = SL_POL_IDX_NONE;
	if (sl_jl_insert(&b->src, addr, x) < 0) {
		free(x);
		return NULL;
	}
	return x;
}

/* A package's aggregate policers (both directions) and its members. */
static int sl_pol_package(struct sl_police_compiler *p, struct sl_pol_build *b, uint8_t kind,
			  const char *id, long long mbps, const struct sl_eip_obj *const *member,
			  const long long *cap, unsigned int n)
{
	uint32_t agg[SL_POL_DIR_MAX];
	int rc = 0;

	if (mbps <= 0)
		return 0; /* no bandwidth given: no aggregate (validation's word) */
	for (unsigned int d = 0; d < SL_POL_DIR_MAX && rc == 0; d++)
		rc = sl_pol_add(p, b, kind, id, d, (unsigned int)mbps, SL_POL_IDX_NONE, 0, &agg[d]);
	for (unsigned int i = 0; i < n && rc == 0; i++) {
		struct sl_pol_src *x;

		if (member[i] == NULL || member[i]->ip.family != SL_AF_INET)
			continue;
		x = sl_pol_src(b, (uint32_t)member[i]->ip.addr);
		if (x == NULL)
			return -ENOMEM;
		memcpy(x->agg, agg, sizeof(agg));
		x->own_id = member[i]->id;
		x->own_mbps = cap && cap[i] > 0 ? (unsigned int)cap[i] : 0;
	}
	return rc;
}

static int sl_pol_sources(struct sl_police_compiler *p, struct sl_pol_build *b,
			  const struct sl_store *s)
{
	const struct sl_eip_obj *member[SL_CBWP_IPS_MAX + SL_BWP_IPS_MAX];
	long long cap[SL_CBWP_IPS_MAX];
	int rc = 0;

	for (unsigned int i = 0; i < s->cbwp_v.n && rc == 0; i++) {
		const struct sl_cbwp_obj *c = s->cbwp_v.v[i];
		unsigned int n = c->n_ips < SL_CBWP_IPS_MAX ? c->n_ips : SL_CBWP_IPS_MAX;

		for (unsigned int k = 0; k < n; k++) {
			member[k] = c->ips[k].eip;
			cap[k] = c->ips[k].bandwidth;
		}
		rc = sl_pol_package(p, b, SL_POL_KIND_CBWP, c->id, c->bandwidth, member, cap, n);
	}
	for (unsigned int i = 0; i < s->bwp_v.n && rc == 0; i++) {
		const struct sl_bwp_obj *w = s->bwp_v.v[i];
		unsigned int n = w->n_ips < SL_BWP_IPS_MAX ? w->n_ips : SL_BWP_IPS_MAX;

		for (unsigned int k = 0; k < n; k++)
			member[k] = &w->ips[k].as_eip;
		rc = sl_pol_package(p, b, SL_POL_KIND_BWP, w->id, w->bandwidth, member, NULL, n);
	}
	for (unsigned int i = 0; i < s->eip_v.n && rc == 0; i++) {
		const struct sl_eip_obj *e = s->eip_v.v[i];
		struct sl_pol_src *x;

		if (e->cbwp || e->ip.family != SL_AF_INET || e->bandwidth == 0)
			continue; /* in a package: the package's limits */
		x = sl_pol_src(b, (uint32_t)e->ip.addr);
		if (x == NULL)
			return -ENOMEM;
		x->own_id = e->id;
		x->own_mbps = e->bandwidth;
	}
	return rc;
}

/* ip[] for the NAT section's public IPs. */
static int sl_pol_ips(struct sl_police_compiler *p, struct sl_pol_build *b,
		      const struct sl_nat_sec *nat)
{
	const struct sl_nat_ip_ent *ip;
	int rc = 0;

	if (nat == NULL || nat->n_ips == 0)
		return 0;
	ip = (const struct sl_nat_ip_ent *)((const uint8_t *)nat + nat->ip_off);
	b->ip = malloc((size_t)nat->n_ips * sizeof(*b->ip));
	if (b->ip == NULL)
		return -ENOMEM;
	b->n_ip = nat->n_ips;
	for (uint32_t i = 0; i < nat->n_ips && rc == 0; i++) {
		const struct sl_pol_src *x = ip[i].addr ? sl_jl_get(b->src, ip[i].addr) : NULL;

		for (unsigned int d = 0; d < SL_POL_DIR_MAX && rc == 0; d++) {
			uint32_t *slot = &b->ip[i].pol[d];

			*slot = x ? x->agg[d] : SL_POL_IDX_NONE;
			if (x && x->own_mbps)
				rc = sl_pol_add(p, b, SL_POL_KIND_IP, x->own_id, d, x->own_mbps,
						x->agg[d], ip[i].addr, slot);
		}
	}
	return rc;
}

/* police6: ip6[] for the IPv6 gateway section's addresses. */
static int sl_pol_ip6s(struct sl_police_compiler *p, struct sl_pol_build *b,
		       const struct sl_ip6gw_sec *gw)
{
	const struct sl_ip6gw_addr_ent *a;
	int rc = 0;

	if (gw == NULL || gw->n_addrs == 0)
		return 0;
	a = (const struct sl_ip6gw_addr_ent *)((const uint8_t *)gw + gw->addr_off);
	b->ip6 = calloc(gw->n_addrs, sizeof(*b->ip6));
	if (b->ip6 == NULL)
		return -ENOMEM;
	b->n_ip6 = gw->n_addrs;
	for (uint32_t i = 0; i < gw->n_addrs && rc == 0; i++) {
		bool policed = (a[i].flags & SL_IP6GW_A_BANDWIDTH) && a[i].bandwidth && a[i].id[0];

		for (unsigned int k = 0; k < 8; k++) {
			b->ip6[i].addr[k] = (uint8_t)(a[i].hi >> (56 - 8 * k));
			b->ip6[i].addr[8 + k] = (uint8_t)(a[i].lo >> (56 - 8 * k));
		}
		for (unsigned int d = 0; d < SL_POL_DIR_MAX && rc == 0; d++) {
			b->ip6[i].pol[d] = SL_POL_IDX_NONE;
			if (policed)
				rc = sl_pol_add(p, b, SL_POL_KIND_IP6, a[i].id, d, a[i].bandwidth,
						SL_POL_IDX_NONE, 0, &b->ip6[i].pol[d]);
		}
	}
	return rc;
}

#define SL_POL_ALIGN(x) (((x) + 63) & ~(uint64_t)63)

static struct sl_pol_sec *sl_pol_pack(const struct sl_pol_build *b)
{
	struct sl_pol_sec h = {.n_pols = b->n_pol, .n_ips = b->n_ip, .n_ip6 = b->n_ip6};
	size_t pol_bytes = (size_t)b->n_pol * sizeof(*b->pol);
	size_t ip_bytes = (size_t)b->n_ip * sizeof(*b->ip);
	size_t ip6_bytes = (size_t)b->n_ip6 * sizeof(*b->ip6);
	struct sl_pol_sec *out;

	h.pol_off = SL_POL_ALIGN(sizeof(h));
	h.ip_off = h.pol_off + SL_POL_ALIGN(pol_bytes);
	h.ip6_off = h.ip_off + SL_POL_ALIGN(ip_bytes);
	h.size = h.ip6_off + SL_POL_ALIGN(ip6_bytes);
	out = calloc(1, h.size);
	if (out == NULL)
		return NULL;
	*out = h;
	if (pol_bytes)
		memcpy((uint8_t *)out + h.pol_off, b->pol, pol_bytes);
	if (ip_bytes)
		memcpy((uint8_t *)out + h.ip_off, b->ip, ip_bytes);
	if (ip6_bytes)
		memcpy((uint8_t *)out + h.ip6_off, b->ip6, ip6_bytes);
	return out;
}

int sl_police_compile(struct sl_police_compiler *p, const struct sl_nat_sec *nat,
		      const struct sl_ip6gw_sec *ip6gw, const struct sl_store *s, bool *changed)
{
	struct sl_pol_build b;
	struct sl_pol_sec *sec = NULL;
	Word_t a = 0;
	int rc;

	memset(&b, 0, sizeof(b));
	*changed = false;
	rc = sl_pol_sources(p, &b, s);
	if (rc == 0)
		rc = sl_pol_ips(p, &b, nat);
	if (rc == 0)
		rc = sl_pol_ip6s(p, &b, ip6gw);
	if (rc < 0)
		goto out;
	sl_pol_sweep(p);
	if (b.n_pol) {
		sec = sl_pol_pack(&b);
		if (sec == NULL) {
			rc = -ENOMEM;
			goto out;
		}
	}
	if ((sec == NULL) != (p->sec == NULL) ||
	    (sec && (sec->size != p->sec->size || memcmp(sec, p->sec, sec->size) != 0))) {
		*changed = true;
		free(p->sec);
		p->sec = sec;
	} else {
		free(sec);
	}
out:
	sl_jsl_free(&p->seen); /* after a failure: the next compile starts afresh */
	for (void *x = sl_jl_first(b.src, &a); x; x = sl_jl_next(b.src, &a))
		free(x);
	sl_jl_free(&b.src);
	free(b.pol);
	free(b.ip);
	free(b.ip6);
	return rc;
}
