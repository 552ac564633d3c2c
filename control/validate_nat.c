/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Validation of the NAT objects: NAT gateways, EIPs, SNAT entries and
 * forward (DNAT) entries (spec digest 2.5, 2.6, 2.8, 2.9, 3.3-3.6, 3.10),
 * with the document's codes (docs/sluiced.md, "Validation rules").
 *
 * Design note: as in validate.c, the whole store is checked at once and a
 * pairwise conflict is reported on the object that comes second (file
 * order, then the database's creation order), so the API's new object is
 * the one an error names. Checks run in dependency order: gateways (and
 * their table ids), EIPs (and their bindings), then the entries, which
 * need both. Per-table uniqueness uses string keys in scratch JudySL
 * arrays ("table|address|port|protocol"), so a store with many gateways
 * stays linear. HaVips (validate_havip.c, run first) take part: an EIP may
 * be bound to one (one each), a SNAT entry may not translate a VSwitch or
 * CIDR that holds one, a forward entry may not point at one.
 *
 * Concurrency: single-threaded; called by sl_validate() on a fresh store.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_judy.h"
#include "sl_validate.h"

#define LABEL_LEN 160

struct sl_nctx {
	struct sl_store *s;
	struct sl_errs *e;
	Pvoid_t keys;	  /* JudySL uniqueness keys -> first object's id (borrowed) */
	Pvoid_t per_vpc;  /* JudySL VpcId -> the VPC's first NAT gateway */
	Pvoid_t per_inst; /* JudySL InstanceId -> the instance's first EIP */
	int oom;
};

static void sl_ntrack(struct sl_nctx *c, int rc)
{
	if (rc == -ENOMEM || rc == -EIO)
		c->oom = rc;
}

/* Claim a uniqueness key: NULL if new, else the id that holds it. */
static const char *sl_claim(struct sl_nctx *c, const char *key, const char *id)
{
	const char *first = sl_jsl_get(c->keys, key);

	if (first)
		return first;
	sl_ntrack(c, sl_jsl_insert(&c->keys, key, (void *)id));
	return NULL;
}

static void sl_name_rules(struct sl_nctx *c, const char *l, const char *field, const char *name,
			  const char *desc)
{
	const char *why;

	if ((why = sl_name_problem(name)) != NULL)
		sl_errs_add(c->e, l, field, "InvalidParameter.Name.Malformed", "%s", why);
	if (desc && (why = sl_desc_problem(desc)) != NULL)
		sl_errs_add(c->e, l, "Description", "InvalidParameter.Description.Malformed", "%s",
			    why);
}

static void sl_check_natgw(struct sl_nctx *c, struct sl_natgw_obj *n)
{
	struct sl_errs *e = c->e;
	struct sl_vswitch_obj *w;
	char l[LABEL_LEN];
	const char *tables[2] = {n->snat_table_id, n->fwd_table_id};

	snprintf(l, sizeof(l), "NatGateway %s", n->id);
	n->vpc = sl_store_vpc(c->s, n->vpc_id);
	if (n->vpc == NULL)
		sl_errs_add(e, l, "VpcId", "InvalidVpcId.NotFound", "VPC %s does not exist",
			    n->vpc_id);
	if (strcmp(n->spec, "Small") && strcmp(n->spec, "Middle") && strcmp(n->spec, "Large"))
		sl_errs_add(e, l, "Spec", "InvalidParameter.Spec.ValueNotSupported",
			    "'%.16s': Small, Middle or Large", n->spec);
	sl_name_rules(c, l, "Name", n->name, n->description);
	if (n->vswitch_id[0]) {
		w = sl_store_vswitch(c->s, n->vswitch_id);
		if (w == NULL || (n->vpc && strcmp(w->vpc_id, n->vpc->id) != 0))
			sl_errs_add(e, l, "VSwitchId", "InvalidVSwitchId.NotFound",
				    "VSwitch %s does not exist in VPC %s", n->vswitch_id,
				    n->vpc_id);
	}
	for (unsigned int i = 0; i < 2; i++) {
		int rc = sl_jsl_insert(&c->s->nat_tables, tables[i], n);

		if (rc == -EEXIST)
			sl_errs_add(e, l, "NatGatewayId", "InvalidParameter",
				    "table id %s is already another NAT gateway's", tables[i]);
		sl_ntrack(c, rc);
	}
	if (n->vpc == NULL)
		return;
	if (sl_jsl_get(c->per_vpc, n->vpc->id)) {
		sl_errs_add(e, l, "VpcId", "QuotaExceeded.NatGatewayCountInOneVpc",
			    "VPC %s already has NAT gateway %s (one per VPC)", n->vpc->id,
			    ((struct sl_natgw_obj *)sl_jsl_get(c->per_vpc, n->vpc->id))->id);
		return;
	}
	sl_ntrack(c, sl_jsl_insert(&c->per_vpc, n->vpc->id, n));
}

/* A custom 0.0.0.0/0 route next to a NAT gateway: reported on both
 * (either one may be the one to remove). One pass over the routes. */
static void sl_check_default_routes(struct sl_nctx *c)
{
	for (unsigned int i = 0; i < c->s->route_v.n; i++) {
		const struct sl_route_obj *r = c->s->route_v.v[i];
		const struct sl_natgw_obj *n;
		char l[LABEL_LEN];

		if (r->vpc == NULL || r->dest.family != SL_AF_INET || r->dest.len != 0)
			continue;
		n = sl_jsl_get(c->per_vpc, r->vpc->id);
		if (n == NULL)
			continue;
		snprintf(l, sizeof(l), "NatGateway %s", n->id);
		sl_errs_add(c->e, l, "VpcId", "RouterEntryConflict.Duplicated",
			    "VPC %s has a custom 0.0.0.0/0 route entry: the NAT gateway's "
			    "default route would conflict with it",
			    r->vpc->id);
		snprintf(l, sizeof(l), "RouteEntry %s", r->key);
		sl_errs_add(c->e, l, "DestinationCidrBlock", "RouterEntryConflict.Duplicated",
			    "VPC %s has NAT gateway %s, which holds the 0.0.0.0/0 route",
			    r->vpc->id, n->id);
	}
}

bool sl_in_eip_pool(const struct sl_gateway_obj *g, const struct sl_pfx *ip)
{
	for (unsigned int i = 0; g && i < g->n_pool; i++)
		if (sl_pfx_contains(&g->eip_pool[i], ip))
			return true;
	return false;
}

static void sl_check_eip(struct sl_nctx *c, struct sl_eip_obj *p, unsigned int nth)
{
	struct sl_errs *e = c->e;
	struct sl_eip_obj *first;
	char l[LABEL_LEN], a[SL_PFX_STRLEN];

	snprintf(l, sizeof(l), "EipAddress %s", p->id);
	sl_name_rules(c, l, "Name", p->name, p->description);
	if (nth > SL_MAX_EIPS)
		sl_errs_add(e, l, "AllocationId", "QuotaExceeded.Eip",
			    "more than %d EIPs in the gateway", SL_MAX_EIPS);
	if (p->ip.family) {
		sl_ip_fmt(SL_AF_INET, p->ip.addr, a, sizeof(a));
		if (!sl_in_eip_pool(c->s->gateway, &p->ip))
			sl_errs_add(e, l, "IpAddress", "InvalidIpAddress.NotInPool",
				    "%s is not in the gateway's EipPool", a);
		first = sl_jl_get(c->s->eip_addrs, (Word_t)(uint32_t)p->ip.addr);
		if (first)
			sl_errs_add(e, l, "IpAddress", "InvalidParameter", "%s is already EIP %s",
				    a, first->id);
		else
			sl_ntrack(c,
				  sl_jl_insert(&c->s->eip_addrs, (Word_t)(uint32_t)p->ip.addr, p));
	}
	if (p->instance_type[0] == '\0' && p->instance_id[0] == '\0')
		return;
	if (p->instance_id[0] == '\0') {
		sl_errs_add(e, l, "InstanceId", "MissingParameter", "required with InstanceType");
		return;
	}
	if (p->instance_type[0] == '\0' || strcmp(p->instance_type, "EcsInstance") == 0) {
		p->instance = sl_store_instance(c->s, p->instance_id);
		if (p->instance == NULL) {
			sl_errs_add(e, l, "InstanceId", "InvalidInstanceId.NotFound",
				    "instance %s does not exist", p->instance_id);
			return;
		}
		first = sl_jsl_get(c->per_inst, p->instance_id);
		if (first)
			sl_errs_add(e, l, "InstanceId", "InvalidAssociation.Duplicated",
				    "instance %s already has EIP %s (one per instance)",
				    p->instance_id, first->id);
		else
			sl_ntrack(c, sl_jsl_insert(&c->per_inst, p->instance_id, p));
	} else if (strcmp(p->instance_type, "Nat") == 0) {
		p->natgw = sl_jsl_get(c->s->natgws, p->instance_id);
		if (p->natgw == NULL)
			sl_errs_add(e, l, "InstanceId", "InvalidInstanceId.NotFound",
				    "NAT gateway %s does not exist", p->instance_id);
		else
			p->natgw->n_eips++;
	} else if (strcmp(p->instance_type, "HaVip") == 0) {
		struct sl_havip_obj *h = sl_jsl_get(c->s->havips, p->instance_id);

		if (h == NULL)
			sl_errs_add(e, l, "InstanceId", "InvalidHaVip.NotFound",
				    "HaVip %s does not exist", p->instance_id);
		else if (h->eip)
			sl_errs_add(e, l, "InstanceId", "CountLimitExceed.EIPOnHaVip",
				    "HaVip %s already has EIP %s (one per HaVip)", h->id,
				    h->eip->id);
		else
			h->eip = p;
	} else {
		sl_errs_add(e, l, "InstanceType", "InvalidInstanceType.ValueNotSupported",
			    "'%.32s': sluice binds EIPs to EcsInstance (a sluice instance), Nat or "
			    "HaVip",
			    p->instance_type);
	}
}

/* The EIP with address `ip` bound to NAT gateway `n`, else NULL. */
static struct sl_eip_obj *sl_gw_eip(const struct sl_store *s, const struct sl_natgw_obj *n,
				    const struct sl_pfx *ip)
{
	struct sl_eip_obj *p = sl_jl_get(s->eip_addrs, (Word_t)(uint32_t)ip->addr);

	return p && p->natgw == n && n ? p : NULL;
}

static void sl_check_snat(struct sl_nctx *c, struct sl_snat_obj *n)
{
	struct sl_errs *e = c->e;
	struct sl_natgw_obj *g = sl_jsl_get(c->s->nat_tables, n->table_id);
	struct sl_pfx src = n->source_cidr;
	char l[LABEL_LEN], a[SL_PFX_STRLEN], key[SL_JSL_KEY_MAX];
	const char *first;

	snprintf(l, sizeof(l), "SnatEntry %s", n->id);
	sl_name_rules(c, l, "SnatEntryName", n->name, NULL);
	if (g == NULL || strcmp(g->snat_table_id, n->table_id) != 0) {
		sl_errs_add(e, l, "SnatTableId", "InvalidSnatTableId.NotFound",
			    "SNAT table %s does not exist", n->table_id);
		return;
	}
	n->natgw = g;
	if (++g->n_snat == SL_MAX_SNAT_ENTRIES + 1)
		sl_errs_add(e, l, "SnatTableId", "QuotaExceeded.SnatEntry",
			    "more than %d SNAT entries in table %s", SL_MAX_SNAT_ENTRIES,
			    n->table_id);
	if (n->source_vswitch_id[0]) {
		struct sl_vswitch_obj *w = sl_store_vswitch(c->s, n->source_vswitch_id);

		if (w == NULL || w->vpc != g->vpc) {
			sl_errs_add(e, l, "SourceVSwitchId", "InvalidVSwitchId.NotFound",
				    "VSwitch %s does not exist in VPC %s", n->source_vswitch_id,
				    g->vpc_id);
			return;
		}
		src = w->cidr;
		for (unsigned int i = 0; i < c->s->havip_v.n; i++) {
			const struct sl_havip_obj *h = c->s->havip_v.v[i];

			if (h->vswitch == w) {
				sl_errs_add(e, l, "SourceVSwitchId",
					    "Forbidden.SourceVSwitchId.IncludeHaVip",
					    "VSwitch %s holds HaVip %s", w->id, h->id);
				break;
			}
		}
	} else if (src.family && g->vpc && g->vpc->cidr.family &&
		   !sl_pfx_contains(&g->vpc->cidr, &src)) {
		sl_errs_add(e, l, "SourceCIDR", "InvalidParameter",
			    "%s is not inside the VPC's CIDR block",
			    sl_pfx_fmt(&src, a, sizeof(a)));
	}
	if (src.family && !n->source_vswitch_id[0] && sl_havip_at(c->s, g->vpc, &src))
		sl_errs_add(e, l, "SourceCIDR", "Forbidden.SourceVSwitchId.IncludeHaVip",
			    "%s holds HaVip %s (sluice: as for a VSwitch)",
			    sl_pfx_fmt(&src, a, sizeof(a)), sl_havip_at(c->s, g->vpc, &src)->id);
	if (src.family) {
		snprintf(key, sizeof(key), "%s|%s", n->table_id, sl_pfx_fmt(&src, a, sizeof(a)));
		first = sl_claim(c, key, n->id);
		if (first)
			sl_errs_add(e, l,
				    n->source_vswitch_id[0] ? "SourceVSwitchId" : "SourceCIDR",
				    "Forbidden.SourceVSwitchId.Duplicated",
				    "SNAT entry %s already translates the source %s", first, a);
	}
	for (unsigned int i = 0; i < n->n_ips; i++) {
		struct sl_eip_obj *p = sl_gw_eip(c->s, g, &n->ips[i]);

		sl_ip_fmt(SL_AF_INET, n->ips[i].addr, a, sizeof(a));
		if (p == NULL) {
			sl_errs_add(e, l, "SnatIp", "InvalidSnatIp.NotFound",
				    "%s is not an EIP bound to NAT gateway %s", a, g->id);
			continue;
		}
		p->n_snat++;
	}
}

static void sl_check_fwd(struct sl_nctx *c, struct sl_fwd_obj *f)
{
	struct sl_errs *e = c->e;
	struct sl_natgw_obj *g = sl_jsl_get(c->s->nat_tables, f->table_id);
	char l[LABEL_LEN], a[SL_PFX_STRLEN], b[SL_PFX_STRLEN], key[SL_JSL_KEY_MAX];
	bool any_p = f->ext_port == 0, any_i = f->int_port == 0;
	const char *first;
	struct sl_eip_obj *p;

	snprintf(l, sizeof(l), "ForwardEntry %s", f->id);
	sl_name_rules(c, l, "ForwardEntryName", f->name, NULL);
	if (g == NULL || strcmp(g->fwd_table_id, f->table_id) != 0) {
		sl_errs_add(e, l, "ForwardTableId", "InvalidForwardTableId.NotFound",
			    "forward table %s does not exist", f->table_id);
		return;
	}
	f->natgw = g;
	if (++g->n_fwd == SL_MAX_FWD_ENTRIES + 1)
		sl_errs_add(e, l, "ForwardTableId", "QuotaExceeded.ForwardEntry",
			    "more than %d forward entries in table %s", SL_MAX_FWD_ENTRIES,
			    f->table_id);
	if (f->proto[0] && (any_p != any_i || any_p != (strcmp(f->proto, "Any") == 0)))
		sl_errs_add(e, l, "IpProtocol", "Forbidden.PortsAndIpProtocol",
			    "ExternalPort, InternalPort and IpProtocol are all Any or none is");
	if (f->int_ip.family && g->vpc && g->vpc->cidr.family &&
	    !sl_pfx_contains(&g->vpc->cidr, &f->int_ip))
		sl_errs_add(e, l, "InternalIp", "Forbidden.DestinationIpOutOfVpcCIDR",
			    "%s is outside VPC %s's CIDR block",
			    sl_ip_fmt(SL_AF_INET, f->int_ip.addr, a, sizeof(a)), g->vpc_id);
	if (f->int_ip.family && sl_havip_at(c->s, g->vpc, &f->int_ip))
		sl_errs_add(e, l, "InternalIp", "Forbidden.InternalIpIsHaVip",
			    "%s is HaVip %s: a forward entry to a HaVip has no effect (sluice "
			    "refuses it)",
			    sl_ip_fmt(SL_AF_INET, f->int_ip.addr, a, sizeof(a)),
			    sl_havip_at(c->s, g->vpc, &f->int_ip)->id);
	if (f->ext_ip.family) {
		sl_ip_fmt(SL_AF_INET, f->ext_ip.addr, a, sizeof(a));
		p = sl_gw_eip(c->s, g, &f->ext_ip);
		if (p == NULL)
			sl_errs_add(e, l, "ExternalIp", "InvalidExternalIp.NotFound",
				    "%s is not an EIP bound to NAT gateway %s", a, g->id);
		else
			p->n_fwd++;
		snprintf(key, sizeof(key), "%s|e|%s|%u|%s", f->table_id, a, f->ext_port, f->proto);
		first = sl_claim(c, key, f->id);
		if (first)
			sl_errs_add(e, l, "ExternalPort", "ForwardEntry.Duplicated.Source",
				    "forward entry %s already maps %s port %s %s", first, a,
				    any_p ? "Any" : (snprintf(b, sizeof(b), "%u", f->ext_port), b),
				    f->proto);
	}
	if (f->int_ip.family) {
		sl_ip_fmt(SL_AF_INET, f->int_ip.addr, a, sizeof(a));
		snprintf(key, sizeof(key), "%s|i|%s|%u|%s", f->table_id, a, f->int_port, f->proto);
		first = sl_claim(c, key, f->id);
		if (first)
			sl_errs_add(e, l, "InternalPort", "ForwardEntry.Duplicated.Destination",
				    "forward entry %s already maps to %s port %s %s", first, a,
				    any_i ? "Any" : (snprintf(b, sizeof(b), "%u", f->int_port), b),
				    f->proto);
	}
}

/* A public IP serves SNAT or DNAT, never both: reported on every entry
 * that uses such an address. */
static void sl_check_snat_dnat(struct sl_nctx *c)
{
	char l[LABEL_LEN], a[SL_PFX_STRLEN];

	for (unsigned int i = 0; i < c->s->snat_v.n; i++) {
		const struct sl_snat_obj *n = c->s->snat_v.v[i];

		for (unsigned int k = 0; n->natgw && k < n->n_ips; k++) {
			const struct sl_eip_obj *p = sl_gw_eip(c->s, n->natgw, &n->ips[k]);

			if (p == NULL || p->n_fwd == 0)
				continue;
			snprintf(l, sizeof(l), "SnatEntry %s", n->id);
			sl_errs_add(c->e, l, "SnatIp", "Forbidden.IpUsedInForwardTable",
				    "%s is used by forward entries",
				    sl_ip_fmt(SL_AF_INET, p->ip.addr, a, sizeof(a)));
		}
	}
	for (unsigned int i = 0; i < c->s->fwd_v.n; i++) {
		const struct sl_fwd_obj *f = c->s->fwd_v.v[i];
		const struct sl_eip_obj *p =
		    f->natgw && f->ext_ip.family ? sl_gw_eip(c->s, f->natgw, &f->ext_ip) : NULL;

		if (p == NULL || p->n_snat == 0)
			continue;
		snprintf(l, sizeof(l), "ForwardEntry %s", f->id);
		sl_errs_add(c->e, l, "ExternalIp", "Forbidden.ExternalIpUsedInSnatTable",
			    "%s is used by SNAT entries",
			    sl_ip_fmt(SL_AF_INET, p->ip.addr, a, sizeof(a)));
	}
}

int sl_validate_nat(struct sl_store *s, struct sl_errs *e)
{
	struct sl_nctx c = {.s = s, .e = e};

	sl_ntrack(&c, sl_validate_havip(s, e));
	for (unsigned int i = 0; i < s->natgw_v.n; i++)
		sl_check_natgw(&c, s->natgw_v.v[i]);
	sl_check_default_routes(&c);
	for (unsigned int i = 0; i < s->eip_v.n; i++)
		sl_check_eip(&c, s->eip_v.v[i], i + 1);
	/* packages: common ones name EIPs; NAT ones add public IPs of their
	 * gateway to eip_addrs for the entries below */
	sl_ntrack(&c, sl_validate_bwp(s, e));
	for (unsigned int i = 0; i < s->snat_v.n; i++)
		sl_check_snat(&c, s->snat_v.v[i]);
	for (unsigned int i = 0; i < s->fwd_v.n; i++)
		sl_check_fwd(&c, s->fwd_v.v[i]);
	sl_check_snat_dnat(&c);
	sl_jsl_free(&c.keys);
	sl_jsl_free(&c.per_vpc);
	sl_jsl_free(&c.per_inst);
	return c.oom ? -ENOMEM : 0;
}
