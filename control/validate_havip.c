/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Validation of HaVips (high-availability virtual IPs; spec digest 2.11,
 * 3.8, 3.10; the actions follow the SDK's models, docs/api.md "HaVips")
 * and of the route entries that use one as next hop.
 *
 * Design note: a HaVip is a private IPv4 address of one VSwitch, free of
 * instances, other HaVips and the VSwitch's 4 reserved addresses; it lists
 * up to SL_HAVIP_INSTANCES_MAX instances of that VSwitch that may hold it
 * (which one does is the data plane's to learn, issue 12). Route entries
 * with NextHopType HaVip resolve here: the HaVip must be in the route's
 * VPC, and a VPC has at most SL_MAX_HAVIP_ROUTES of them. The rules that
 * involve NAT objects (one EIP per HaVip, no SNAT for its VSwitch, no
 * forward entry to it) are validate_nat.c's, which runs after this.
 * As elsewhere, a conflict is reported on the object that comes second.
 *
 * Concurrency: single-threaded; called by sl_validate_nat() on a fresh
 * store whose VPC objects are resolved.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sl_judy.h"
#include "sl_validate.h"

#define LABEL_LEN 160

struct sl_hctx {
	struct sl_store *s;
	struct sl_errs *e;
	Pvoid_t addrs;	/* JudySL "VpcId|address" -> first HaVip */
	Pvoid_t routes; /* JudySL VpcId -> count of HaVip routes (as a pointer) */
	int oom;
};

static void sl_htrack(struct sl_hctx *c, int rc)
{
	if (rc == -ENOMEM || rc == -EIO)
		c->oom = rc;
}

static void sl_check_havip_addr(struct sl_hctx *c, struct sl_havip_obj *h, const char *l)
{
	const struct sl_vswitch_obj *w = h->vswitch;
	const struct sl_instance_obj *in;
	const struct sl_havip_obj *first;
	char a[SL_PFX_STRLEN], b[SL_PFX_STRLEN], key[SL_JSL_KEY_MAX];

	if (h->ip.family == 0 || w == NULL || w->cidr.family == 0)
		return;
	sl_ip_fmt(SL_AF_INET, h->ip.addr, a, sizeof(a));
	sl_pfx_fmt(&w->cidr, b, sizeof(b));
	if (!sl_pfx_contains(&w->cidr, &h->ip)) {
		sl_errs_add(c->e, l, "IpAddress", "InvalidIpAddress.NotInVSwitch",
			    "%s is not inside VSwitch %s %s", a, w->id, b);
		return;
	}
	if (sl_vswitch_reserved(&w->cidr, h->ip.addr)) {
		sl_errs_add(c->e, l, "IpAddress", "InvalidIpAddress.AlreadyUsed",
			    "%s is one of the 4 reserved addresses of VSwitch %s %s", a, w->id, b);
		return;
	}
	if (h->vpc == NULL)
		return;
	in = sl_vpc_instance_by_addr(h->vpc, SL_AF_INET, h->ip.addr);
	if (in) {
		sl_errs_add(c->e, l, "IpAddress", "InvalidIpAddress.AlreadyUsed",
			    "%s is instance %s's address", a, in->id);
		return;
	}
	snprintf(key, sizeof(key), "%s|%s", h->vpc->id, a);
	first = sl_jsl_get(c->addrs, key);
	if (first)
		sl_errs_add(c->e, l, "IpAddress", "InvalidIpAddress.AlreadyUsed",
			    "%s is already HaVip %s", a, first->id);
	else
		sl_htrack(c, sl_jsl_insert(&c->addrs, key, h));
}

static void sl_check_havip_instances(struct sl_hctx *c, struct sl_havip_obj *h, const char *l)
{
	if (h->n_instances > SL_HAVIP_INSTANCES_MAX)
		sl_errs_add(
		    c->e, l, "AssociatedInstances", "QuotaExceeded.HaVipAssociatedInstances",
		    "a HaVip is associated with at most %d instances", SL_HAVIP_INSTANCES_MAX);
	for (unsigned int i = 0; i < h->n_instances && i < SL_HAVIP_INSTANCES_MAX; i++) {
		const char *id = h->instances[i];
		const struct sl_instance_obj *in = sl_store_instance(c->s, id);
		bool dup = false;

		for (unsigned int k = 0; k < i && !dup; k++)
			dup = strcmp(h->instances[k], id) == 0;
		if (dup)
			sl_errs_add(c->e, l, "AssociatedInstances", "InvalidAssociation.Duplicated",
				    "instance %s is listed twice", id);
		else if (in == NULL)
			sl_errs_add(c->e, l, "AssociatedInstances", "InvalidInstanceId.NotFound",
				    "instance %s does not exist", id);
		else if (h->vswitch && in->vswitch != h->vswitch)
			sl_errs_add(c->e, l, "AssociatedInstances",
				    "InvalidInstanceId.NotInSameVSwitch",
				    "instance %s is in VSwitch %s, the HaVip in VSwitch %s", id,
				    in->vswitch_id, h->vswitch->id);
	}
}

static void sl_check_havip(struct sl_hctx *c, struct sl_havip_obj *h)
{
	const char *why;
	char l[LABEL_LEN];

	snprintf(l, sizeof(l), "HaVip %s", h->id);
	if ((why = sl_name_problem(h->name)) != NULL)
		sl_errs_add(c->e, l, "Name", "InvalidParameter.Name.Malformed", "%s", why);
	if ((why = sl_desc_problem(h->description)) != NULL)
		sl_errs_add(c->e, l, "Description", "InvalidParameter.Description.Malformed", "%s",
			    why);
	h->vswitch = h->vswitch_id[0] ? sl_store_vswitch(c->s, h->vswitch_id) : NULL;
	if (h->vswitch_id[0] && h->vswitch == NULL)
		sl_errs_add(c->e, l, "VSwitchId", "InvalidVSwitchId.NotFound",
			    "VSwitch %s does not exist", h->vswitch_id);
	h->vpc = h->vswitch ? h->vswitch->vpc : NULL;
	sl_check_havip_addr(c, h, l);
	sl_check_havip_instances(c, h, l);
}

/* Route entries with NextHopType HaVip: resolve and count per VPC. */
static void sl_check_havip_route(struct sl_hctx *c, struct sl_route_obj *r)
{
	struct sl_havip_obj *h;
	char l[LABEL_LEN], a[SL_PFX_STRLEN];
	uintptr_t n;

	if (strcmp(r->next_hop_type, "HaVip") != 0 || r->next_hop_id[0] == '\0' || r->vpc == NULL)
		return;
	snprintf(l, sizeof(l), "RouteEntry %s", r->key);
	h = sl_jsl_get(c->s->havips, r->next_hop_id);
	if (h == NULL || h->vpc != r->vpc) {
		/* the document's spelling (sic) */
		sl_errs_add(c->e, l, "NextHopId", "InvalidHaViNpId.NotFound",
			    "HaVip %s does not exist in VPC %s", r->next_hop_id, r->vpc->id);
		return;
	}
	if (r->dest.family == SL_AF_INET6) {
		sl_errs_add(c->e, l, "NextHopId", "InvalidNextHop.NotFound",
			    "HaVip %s is an IPv4 address: it cannot forward %s", h->id,
			    sl_pfx_fmt(&r->dest, a, sizeof(a)));
		return;
	}
	r->havip = h;
	h->n_routes++;
	n = (uintptr_t)sl_jsl_get(c->routes, r->vpc->id) + 1;
	if (n > 1)
		sl_jsl_delete(&c->routes, r->vpc->id);
	sl_htrack(c, sl_jsl_insert(&c->routes, r->vpc->id, (void *)n));
	if (n == SL_MAX_HAVIP_ROUTES + 1)
		sl_errs_add(c->e, l, "NextHopId", "CountLimitExceed.HaVipRouteEntry",
			    "VPC %s already has %d route entries to HaVips", r->vpc->id,
			    SL_MAX_HAVIP_ROUTES);
}

int sl_validate_havip(struct sl_store *s, struct sl_errs *e)
{
	struct sl_hctx c = {.s = s, .e = e};

	for (unsigned int i = 0; i < s->havip_v.n; i++)
		sl_check_havip(&c, s->havip_v.v[i]);
	for (unsigned int i = 0; i < s->route_v.n; i++)
		sl_check_havip_route(&c, s->route_v.v[i]);
	sl_jsl_free(&c.addrs);
	sl_jsl_free(&c.routes);
	return c.oom ? -ENOMEM : 0;
}

const struct sl_havip_obj *sl_havip_at(const struct sl_store *s, const struct sl_vpc_obj *v,
				       const struct sl_pfx *p)
{
	for (unsigned int i = 0; v && i < s->havip_v.n; i++) {
		const struct sl_havip_obj *h = s->havip_v.v[i];

		if (h->vpc == v && h->ip.family && sl_pfx_contains(p, &h->ip))
			return h;
	}
	return NULL;
}
