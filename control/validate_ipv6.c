/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Validation of the IPv6 gateway objects: IPv6 gateways, IPv6 addresses,
 * their Internet bandwidths and egress-only rules (seeds 000, 001, 004;
 * spec digest seed-ipv6-gateway.md; docs/api.md, IPv6 gateways), with the
 * documents' codes where they give one and sluice's († in docs/api.md)
 * where they do not.
 *
 * Design note: as validate_nat.c, the whole store is checked at once and a
 * conflict is reported on the object that comes second (file order, then
 * the database's creation order), so the API's new object is the one an
 * error names. Order: gateways (one per VPC), addresses (inside their
 * VSwitch's /64, one object per address and VPC; an address an instance
 * holds is that instance's), bandwidths (one per address, the range by
 * charge type and gateway spec), egress-only rules, ingress route rules
 * (one per destination and gateway, an ECS next hop with IPv6 in the
 * gateway's VPC, or a HaVip of that VPC whose associated instances all
 * have IPv6). Uniqueness uses string
 * keys: "VpcId" -> gateway and "VpcId|address" -> address in the store's
 * ipv6_keys (the API reads them), the rest in a scratch JudySL.
 *
 * Concurrency: single-threaded; called by sl_validate() on a fresh store
 * after the VPC objects are resolved.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_ctl_config.h"
#include "sl_judy.h"
#include "sl_validate.h"

#define LABEL_LEN 160

struct sl_v6ctx {
	struct sl_store *s;
	struct sl_errs *e;
	Pvoid_t keys; /* scratch uniqueness keys -> first object's id (borrowed) */
	int oom;
};

static void sl_v6track(struct sl_v6ctx *c, int rc)
{
	if (rc == -ENOMEM || rc == -EIO)
		c->oom = rc;
}

int sl_ipv6_addr_key(const char *vpc_id, const struct sl_pfx *ip, char *out, size_t size)
{
	char a[SL_PFX_STRLEN];

	sl_ip_fmt(SL_AF_INET6, ip->addr, a, sizeof(a));
	return (size_t)snprintf(out, size, "%s|%s", vpc_id, a) >= size ? -ENAMETOOLONG : 0;
}

unsigned int sl_ipv6_bw_cap(const char *charge_type, const char *spec)
{
	if (strcmp(charge_type, "PayByTraffic") != 0)
		return SL_IPV6_BW_MAX;
	if (strcmp(spec, "Large") == 0)
		return SL_IPV6_BW_TRAFFIC_LARGE;
	if (strcmp(spec, "Middle") == 0)
		return SL_IPV6_BW_TRAFFIC_MIDDLE;
	return SL_IPV6_BW_TRAFFIC_SMALL;
}

bool sl_ipv6_ula(const struct sl_pfx *ip)
{
	return ip->family == SL_AF_INET6 && (ip->addr >> 121) == (0xfc >> 1);
}

static void sl_v6names(struct sl_v6ctx *c, const char *l, const char *nfield, const char *name,
		       const char *dfield, const char *desc)
{
	const char *why;

	if ((why = sl_name_problem(name)) != NULL)
		sl_errs_add(c->e, l, nfield, "IllegalParam.Name", "'%s' %s", name, why);
	if ((why = sl_desc_problem(desc)) != NULL)
		sl_errs_add(c->e, l, dfield, "IllegalParam.Description", "%s", why);
}

static void sl_check_ipv6gw(struct sl_v6ctx *c, struct sl_ipv6gw_obj *g)
{
	struct sl_errs *e = c->e;
	struct sl_ipv6gw_obj *first;
	char l[LABEL_LEN];

	snprintf(l, sizeof(l), "Ipv6Gateway %s", g->id);
	g->vpc = sl_store_vpc(c->s, g->vpc_id);
	if (g->vpc == NULL)
		sl_errs_add(e, l, "VpcId", "InvalidVpcId.NotFound", "VPC %s does not exist",
			    g->vpc_id);
	if (strcmp(g->spec, "Small") && strcmp(g->spec, "Middle") && strcmp(g->spec, "Large"))
		sl_errs_add(e, l, "Spec", "InvalidParameter.Spec.ValueNotSupported",
			    "'%.16s': Small, Middle or Large", g->spec);
	sl_v6names(c, l, "Name", g->name, "Description", g->description);
	if (g->vpc == NULL)
		return;
	first = sl_jsl_get(c->s->ipv6_keys, g->vpc->id);
	if (first) {
		sl_errs_add(e, l, "VpcId", "QuotaExceeded.Ipv6Gateway",
			    "VPC %s already has IPv6 gateway %s (one per VPC)", g->vpc->id,
			    first->id);
		return;
	}
	sl_v6track(c, sl_jsl_insert(&c->s->ipv6_keys, g->vpc->id, g));
}

static void sl_check_ipv6addr(struct sl_v6ctx *c, struct sl_ipv6addr_obj *a)
{
	struct sl_errs *e = c->e;
	struct sl_vswitch_obj *w;
	struct sl_ipv6addr_obj *first;
	char l[LABEL_LEN], key[SL_ID_LEN + SL_PFX_STRLEN + 2], b[SL_PFX_STRLEN];

	snprintf(l, sizeof(l), "Ipv6Address %s", a->id);
	w = a->vswitch = sl_store_vswitch(c->s, a->vswitch_id);
	if (w == NULL) {
		sl_errs_add(e, l, "VSwitchId", "InvalidVSwitchId.NotFound",
			    "VSwitch %s does not exist", a->vswitch_id);
		return;
	}
	sl_v6names(c, l, "Ipv6AddressName", a->name, "Ipv6AddressDescription", a->description);
	if (!w->cidr6_given || !w->cidr6.family) {
		sl_errs_add(e, l, "VSwitchId", "InvalidVSwitchId.Ipv6NotTurnOn",
			    "VSwitch %s has no Ipv6CidrBlock", w->id);
		return;
	}
	if (!a->ip.family || w->vpc == NULL)
		return;
	sl_ip_fmt(SL_AF_INET6, a->ip.addr, b, sizeof(b));
	if (!sl_pfx_has(&w->cidr6, SL_AF_INET6, a->ip.addr)) {
		sl_errs_add(e, l, "Ipv6Address", "InvalidIpv6Address",
			    "%s is not inside VSwitch %s", b, w->id);
		return;
	}
	if (sl_vswitch_reserved(&w->cidr6, a->ip.addr)) {
		sl_errs_add(e, l, "Ipv6Address", "InvalidIpv6Address",
			    "%s is one of the 4 reserved addresses of VSwitch %s", b, w->id);
		return;
	}
	if (sl_ipv6_addr_key(w->vpc->id, &a->ip, key, sizeof(key)) < 0)
		return;
	first = sl_jsl_get(c->s->ipv6_keys, key);
	if (first) {
		sl_errs_add(e, l, "Ipv6Address", "InvalidIpv6Address.Duplicated",
			    "%s is already Ipv6Address %s", b, first->id);
		return;
	}
	sl_v6track(c, sl_jsl_insert(&c->s->ipv6_keys, key, a));
	a->instance = sl_vpc_instance_by_addr(w->vpc, SL_AF_INET6, a->ip.addr);
	a->gw = sl_jsl_get(c->s->ipv6_keys, w->vpc->id);
}

static void sl_check_ipv6bw(struct sl_v6ctx *c, struct sl_ipv6bw_obj *b)
{
	struct sl_errs *e = c->e;
	struct sl_ipv6addr_obj *a;
	char l[LABEL_LEN], key[SL_ID_LEN + 4];
	const char *first;
	unsigned int cap;

	snprintf(l, sizeof(l), "Ipv6InternetBandwidth %s", b->id);
	a = b->addr = sl_jsl_get(c->s->ipv6addrs, b->addr_id);
	if (a == NULL) {
		sl_errs_add(e, l, "Ipv6AddressId", "ResourceNotFound.Ipv6Address",
			    "IPv6 address %s does not exist", b->addr_id);
		return;
	}
	if (sl_ipv6_ula(&a->ip))
		sl_errs_add(e, l, "Ipv6AddressId", "OperationUnsupported.ULA",
			    "%s is a unique local address (fc00::/7)", a->id);
	if (a->gw == NULL) {
		if (a->vswitch && a->vswitch->vpc)
			sl_errs_add(e, l, "Ipv6AddressId", "OperationFailed.Ipv6GatewayNotExist",
				    "VPC %s of IPv6 address %s has no IPv6 gateway",
				    a->vswitch->vpc->id, a->id);
		return;
	}
	if (b->gw_id[0] && strcmp(b->gw_id, a->gw->id) != 0) {
		sl_errs_add(e, l, "Ipv6GatewayId", "OperationFailed.Ipv6GatewayDisMatchIpv6Address",
			    "IPv6 address %s is behind IPv6 gateway %s, not %s", a->id, a->gw->id,
			    b->gw_id);
		return;
	}
	b->gw = a->gw;
	cap = sl_ipv6_bw_cap(b->charge_type, b->gw->spec);
	if (b->bandwidth > cap)
		sl_errs_add(e, l, "Bandwidth", "IllegalParam.Bandwidth",
			    "%u Mbps is above %u, the %s limit of a %s IPv6 gateway", b->bandwidth,
			    cap, b->charge_type, b->gw->spec);
	snprintf(key, sizeof(key), "bw|%s", a->id);
	first = sl_jsl_get(c->keys, key);
	if (first) {
		sl_errs_add(e, l, "Ipv6AddressId",
			    "OperationFailed.InternetBandwidthAlreadyExisted",
			    "IPv6 address %s already has Internet bandwidth %s", a->id, first);
		return;
	}
	sl_v6track(c, sl_jsl_insert(&c->keys, key, b->id));
	a->bw = b;
	b->gw->n_bw++;
}

static void sl_check_ipv6egress(struct sl_v6ctx *c, struct sl_ipv6egress_obj *r)
{
	struct sl_errs *e = c->e;
	const struct sl_vpc_obj *v = NULL;
	char l[LABEL_LEN], key[3 * SL_ID_LEN + 8];
	const char *first;

	snprintf(l, sizeof(l), "Ipv6EgressOnlyRule %s", r->id);
	sl_v6names(c, l, "Name", r->name, "Description", r->description);
	r->gw = sl_jsl_get(c->s->ipv6gws, r->gw_id);
	if (r->gw == NULL) {
		sl_errs_add(e, l, "Ipv6GatewayId", "InvalidIpv6GatewayId.NotFound",
			    "IPv6 gateway %s does not exist", r->gw_id);
		return;
	}
	if (strcmp(r->instance_type, "Ipv6Address") == 0) {
		struct sl_ipv6addr_obj *a = sl_jsl_get(c->s->ipv6addrs, r->instance_id);

		v = a && a->vswitch ? a->vswitch->vpc : NULL;
		if (a)
			a->n_egress++;
	} else if (strcmp(r->instance_type, "Instance") == 0) {
		struct sl_instance_obj *in = sl_store_instance(c->s, r->instance_id);

		if (in && in->vswitch && !in->ip6.family) {
			sl_errs_add(e, l, "InstanceId", "InvalidInstanceId.NotFound",
				    "instance %s has no Ipv6Address", in->id);
			return;
		}
		v = in && in->vswitch ? in->vswitch->vpc : NULL;
	} else {
		sl_errs_add(e, l, "InstanceType", "InvalidInstanceType.ValueNotSupported",
			    "'%.16s': Ipv6Address or Instance", r->instance_type);
		return;
	}
	if (v == NULL || v != r->gw->vpc) {
		sl_errs_add(e, l, "InstanceId", "InvalidInstanceId.NotFound",
			    "%s %s does not exist in VPC %s of IPv6 gateway %s", r->instance_type,
			    r->instance_id, r->gw->vpc_id, r->gw->id);
		return;
	}
	snprintf(key, sizeof(key), "eg|%s|%s|%s", r->gw->id, r->instance_type, r->instance_id);
	first = sl_jsl_get(c->keys, key);
	if (first) {
		sl_errs_add(e, l, "InstanceId", "Ipv6EgressOnlyRule.Duplicated",
			    "%s %s already has egress-only rule %s", r->instance_type,
			    r->instance_id, first);
		return;
	}
	sl_v6track(c, sl_jsl_insert(&c->keys, key, r->id));
	r->gw->n_egress++;
}

/* A HaVip next hop: a HaVip of the gateway's VPC whose associated
 * instances all have an IPv6 address (any of them may become the holder,
 * and the traffic goes to the holder's IPv6 address). A HaVip with no
 * associated instance is accepted: nobody holds it, its traffic is dropped
 * until someone does (docs/ipv6gw.md). */
static void sl_check_ipv6rule_havip(struct sl_v6ctx *c, struct sl_ipv6rule_obj *r, const char *l)
{
	struct sl_havip_obj *h = sl_jsl_get(c->s->havips, r->next_hop_id);

	if (h == NULL || h->vpc == NULL || h->vpc != r->gw->vpc) {
		sl_errs_add(c->e, l, "NextHopInstanceId", "IGW.NextHopInstance.NotFound",
			    "HaVip %s does not exist in VPC %s of IPv6 gateway %s", r->next_hop_id,
			    r->gw->vpc_id, r->gw->id);
		return;
	}
	for (unsigned int i = 0; i < h->n_instances && i < SL_HAVIP_INSTANCES_MAX; i++) {
		const struct sl_instance_obj *in = sl_store_instance(c->s, h->instances[i]);

		if (in && !in->ip6.family) {
			sl_errs_add(c->e, l, "NextHopInstanceId",
				    "IGW.NextHopInstance.Ipv6NotEnabled",
				    "HaVip %s is associated with instance %s, which has no "
				    "Ipv6Address: it cannot take IPv6 traffic",
				    h->id, in->id);
			return;
		}
	}
	r->havip = h;
}

static void sl_check_ipv6rule(struct sl_v6ctx *c, struct sl_ipv6rule_obj *r)
{
	struct sl_errs *e = c->e;
	char l[LABEL_LEN], key[SL_ID_LEN + SL_PFX_STRLEN + 8], d[SL_PFX_STRLEN];
	const char *first, *why;

	snprintf(l, sizeof(l), "Ipv6GatewayRouteRule %s", r->id);
	if ((why = sl_desc_problem(r->description)) != NULL)
		sl_errs_add(e, l, "Description", "IPv6Gateway.InvalidParameter.description", "%s",
			    why);
	r->gw = sl_jsl_get(c->s->ipv6gws, r->gw_id);
	if (r->gw == NULL) {
		sl_errs_add(e, l, "Ipv6GatewayId", "InvalidIpv6GatewayId.NotFound",
			    "IPv6 gateway %s does not exist", r->gw_id);
		return;
	}
	if (strcmp(r->next_hop_type, "ECS") == 0) {
		r->instance = sl_store_instance(c->s, r->next_hop_id);
		if (r->instance == NULL || r->instance->vswitch == NULL ||
		    r->instance->vswitch->vpc != r->gw->vpc)
			sl_errs_add(e, l, "NextHopInstanceId", "IGW.NextHopInstance.NotFound",
				    "instance %s does not exist in VPC %s of IPv6 gateway %s",
				    r->next_hop_id, r->gw->vpc_id, r->gw->id);
		else if (!r->instance->ip6.family)
			sl_errs_add(e, l, "NextHopInstanceId", "IGW.NextHopInstance.Ipv6NotEnabled",
				    "instance %s has no Ipv6Address: it cannot take IPv6 traffic",
				    r->next_hop_id);
	} else if (strcmp(r->next_hop_type, "HaVip") == 0) {
		sl_check_ipv6rule_havip(c, r, l);
	} else {
		sl_errs_add(e, l, "NextHopType", "IGW.InvalidParameter.nextHopType",
			    "'%.16s': ECS or HaVip", r->next_hop_type);
	}
	if (!r->dest.family)
		return;
	sl_pfx_fmt(&r->dest, d, sizeof(d));
	snprintf(key, sizeof(key), "rr|%s|%s", r->gw->id, d);
	first = sl_jsl_get(c->keys, key);
	if (first) {
		sl_errs_add(e, l, "Destination", "IGW.Destination.Duplicated",
			    "IPv6 gateway %s already routes %s (rule %s)", r->gw->id, d, first);
		return;
	}
	if (r->gw->n_rules >= SL_IPV6_RULES_MAX) {
		sl_errs_add(e, l, "Ipv6GatewayId", "IGW.QuotaExceeded.RouteRule",
			    "IPv6 gateway %s already has %d route rules", r->gw->id,
			    SL_IPV6_RULES_MAX);
		return;
	}
	sl_v6track(c, sl_jsl_insert(&c->keys, key, r->id));
	r->gw->n_rules++;
}

int sl_validate_ipv6(struct sl_store *s, struct sl_errs *e)
{
	struct sl_v6ctx c = {.s = s, .e = e};

	for (unsigned int i = 0; i < s->ipv6gw_v.n; i++)
		sl_check_ipv6gw(&c, s->ipv6gw_v.v[i]);
	for (unsigned int i = 0; i < s->ipv6addr_v.n; i++)
		sl_check_ipv6addr(&c, s->ipv6addr_v.v[i]);
	for (unsigned int i = 0; i < s->ipv6bw_v.n; i++)
		sl_check_ipv6bw(&c, s->ipv6bw_v.v[i]);
	for (unsigned int i = 0; i < s->ipv6egress_v.n; i++)
		sl_check_ipv6egress(&c, s->ipv6egress_v.v[i]);
	for (unsigned int i = 0; i < s->ipv6rule_v.n; i++)
		sl_check_ipv6rule(&c, s->ipv6rule_v.v[i]);
	sl_jsl_free(&c.keys);
	return c.oom ? -ENOMEM : 0;
}
