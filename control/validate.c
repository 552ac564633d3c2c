/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Validation: the rules of the 2016-04-28 VPC API document (sections 2.1,
 * 2.3, 2.4, 3.1, 3.2, 3.10) applied to a whole config at once, with the
 * document's error codes.
 *
 * Design note: the API checks one Create call against existing state; a
 * config file has no order, so every pairwise rule is checked both ways and
 * reported on the object named second in the file (overlaps, duplicates) or
 * on the object the rule belongs to (a VSwitch that contains a route
 * destination and the route that lies inside a VSwitch are two errors, one
 * per object, because either may be the one to fix). Checks that depend on a
 * field that failed to parse are skipped: that field already has its error,
 * and a cascade of follow-on errors would hide it. Validation also builds
 * the per-VPC indexes the compiler uses, so a store is validated exactly
 * once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_validate.h"

#define LABEL_LEN 160

struct sl_vctx {
	struct sl_store *s;
	struct sl_errs *e;
	struct sl_vpc_obj *vlan_owner[SL_MAX_TRUNKS][SL_VLAN_COUNT]; /* (trunk, VLAN) */
	int oom;
};

static void sl_lbl(char *buf, const char *type, const char *id)
{
	/* snprintf(buf, LABEL_LEN, "%s %s", type, id) without the format
	 * string: once per object of a config of half a million */
	size_t lt = strlen(type), li = strlen(id);

	if (lt > LABEL_LEN - 2)
		lt = LABEL_LEN - 2;
	memcpy(buf, type, lt);
	buf[lt] = ' ';
	if (li > LABEL_LEN - lt - 2)
		li = LABEL_LEN - lt - 2;
	memcpy(buf + lt + 1, id, li);
	buf[lt + 1 + li] = '\0';
}

static const char *sl_pf(const struct sl_pfx *p, char *buf)
{
	return sl_pfx_fmt(p, buf, SL_PFX_STRLEN);
}

static const char *sl_ipf(uint8_t family, sl_u128 a, char *buf)
{
	return sl_ip_fmt(family, a, buf, SL_PFX_STRLEN);
}

static void sl_track(struct sl_vctx *c, int rc)
{
	if (rc == -ENOMEM || rc == -EIO)
		c->oom = rc;
}

/* ---- names and descriptions (section 1.7) ----------------------------------- */

static size_t sl_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static bool sl_http_prefix(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

/* NULL if fine, else what is wrong. Empty means "not set". */
const char *sl_name_problem(const char *s)
{
	size_t n;

	if (s == NULL || s[0] == '\0')
		return NULL;
	n = sl_utf8_len(s);
	if (n < 2 || n > 128)
		return "must be 2-128 characters";
	if (sl_http_prefix(s))
		return "must not start with http:// or https://";
	if (!(((unsigned char)s[0] >= 0x80) || (s[0] >= 'a' && s[0] <= 'z') ||
	      (s[0] >= 'A' && s[0] <= 'Z')))
		return "must start with a letter";
	for (const char *c = s; *c; c++) {
		unsigned char u = (unsigned char)*c;

		if (!(u >= 0x80 || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
		      (u >= '0' && u <= '9') || u == '_' || u == '-' || u == '.'))
			return "may contain only letters, digits, '_', '-' and '.'";
	}
	return NULL;
}

const char *sl_desc_problem(const char *s)
{
	size_t n;

	if (s == NULL || s[0] == '\0')
		return NULL;
	n = sl_utf8_len(s);
	if (n < 2 || n > 256)
		return "must be 2-256 characters";
	if (sl_http_prefix(s))
		return "must not start with http:// or https://";
	return NULL;
}

/* ---- address helpers ------------------------------------------------------- */

bool sl_vswitch_reserved(const struct sl_pfx *p, sl_u128 addr)
{
	sl_u128 first = sl_pfx_first(p), last = sl_pfx_last(p);

	return addr == first || addr == last || addr == last - 1 || addr == last - 2;
}

static bool sl_in_rfc1918(const struct sl_pfx *p)
{
	static const char *const nets[] = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"};

	for (unsigned int i = 0; i < 3; i++) {
		struct sl_pfx n;

		sl_pfx_parse(nets[i], &n, 0);
		if (sl_pfx_contains(&n, p))
			return true;
	}
	return false;
}

static bool sl_v6_unicast_scope(const struct sl_pfx *p)
{
	struct sl_pfx gua, ula;

	sl_pfx_parse("2000::/3", &gua, 0);
	sl_pfx_parse("fc00::/7", &ula, 0);
	return sl_pfx_contains(&gua, p) || sl_pfx_contains(&ula, p);
}

/* ---- VPCs ------------------------------------------------------------------ */

static void sl_check_vpc(struct sl_vctx *c, struct sl_vpc_obj *v)
{
	struct sl_errs *e = c->e;
	char l[LABEL_LEN], a[SL_PFX_STRLEN];
	const char *why;
	unsigned int trunks;
	int rc;

	sl_lbl(l, "Vpc", v->id);
	if (v->region_id[0]) {
		v->region = sl_jsl_get(c->s->regions, v->region_id);
		if (v->region == NULL)
			sl_errs_add(e, l, "RegionId", "InvalidRegionId.NotFound",
				    "region %s is not defined in Regions", v->region_id);
	}
	if ((why = sl_name_problem(v->name)) != NULL)
		sl_errs_add(e, l, "VpcName", "InvalidVpcName.Malformed", "'%s' %s", v->name, why);
	if ((why = sl_desc_problem(v->description)) != NULL)
		sl_errs_add(e, l, "Description", "InvalidVpcDescription.Malformed", "%s", why);

	if (v->cidr.family) {
		if (!sl_in_rfc1918(&v->cidr))
			sl_errs_add(e, l, "CidrBlock", "InvalidParameter",
				    "%s is not inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
				    sl_pf(&v->cidr, a));
		else if (v->cidr.len < SL_VPC_MASK_MIN || v->cidr.len > SL_VPC_MASK_MAX)
			sl_errs_add(e, l, "CidrBlock", "InvalidParameter",
				    "%s: the mask must be /%d to /%d", sl_pf(&v->cidr, a),
				    SL_VPC_MASK_MIN, SL_VPC_MASK_MAX);
	}
	if (v->cidr6.family) {
		if (v->cidr6.len != SL_VPC6_MASK)
			sl_errs_add(e, l, "Ipv6CidrBlock", "InvalidParameter",
				    "%s: a VPC IPv6 block must be a /%d (sluice rule)",
				    sl_pf(&v->cidr6, a), SL_VPC6_MASK);
		else if (!sl_v6_unicast_scope(&v->cidr6))
			sl_errs_add(e, l, "Ipv6CidrBlock", "InvalidParameter",
				    "%s is neither global unicast (2000::/3) nor unique local "
				    "(fc00::/7)",
				    sl_pf(&v->cidr6, a));
	}
	trunks = sl_store_trunks(c->s); /* 0: Gateway.Inside.Trunks has its error */
	if (trunks && (v->trunk < 0 || (unsigned int)v->trunk >= trunks)) {
		sl_errs_add(e, l, "Trunk", "InvalidParameter",
			    "trunk %d does not exist: the gateway has %u (0-%u, "
			    "Gateway.Inside.Trunks)",
			    v->trunk, trunks, trunks - 1);
	} else if (trunks && v->vlan >= 0) {
		if (v->vlan < 1 || v->vlan > 4094) {
			sl_errs_add(e, l, "VlanId", "InvalidVlanId.Malformed",
				    "%d is outside 1-4094", v->vlan);
		} else if (c->vlan_owner[v->trunk][v->vlan]) {
			sl_errs_add(e, l, "VlanId", "InvalidVlanId.Used",
				    "VLAN %d of trunk %d is already used by Vpc %s", v->vlan,
				    v->trunk, c->vlan_owner[v->trunk][v->vlan]->id);
		} else {
			c->vlan_owner[v->trunk][v->vlan] = v;
			rc = sl_j1_set(&c->s->vlans, SL_VPC_VLAN_KEY(v->trunk, v->vlan));
			sl_track(c, rc);
		}
	}
	if (v->mtu < SL_MTU_MIN || v->mtu > SL_MTU_MAX)
		sl_errs_add(e, l, "Mtu", "InvalidParameter", "%u is outside %d-%d", v->mtu,
			    SL_MTU_MIN, SL_MTU_MAX);
	if (v->route_table_id[0]) {
		rc = sl_jsl_insert(&c->s->route_tables, v->route_table_id, v);
		if (rc == -EEXIST) {
			struct sl_vpc_obj *o = sl_jsl_get(c->s->route_tables, v->route_table_id);

			sl_errs_add(e, l, "RouteTableId", "InvalidParameter",
				    "route table %s already belongs to Vpc %s%s", v->route_table_id,
				    o->id,
				    v->route_table_derived ? " (derived from the VpcId)" : "");
		} else {
			sl_track(c, rc);
		}
	}
}

/* ---- VSwitches ------------------------------------------------------------- */

static void sl_check_vswitch(struct sl_vctx *c, struct sl_vswitch_obj *w)
{
	struct sl_errs *e = c->e;
	struct sl_vpc_obj *v;
	char l[LABEL_LEN], a[SL_PFX_STRLEN], b[SL_PFX_STRLEN], key[SL_JSL_KEY_MAX];
	const char *why;
	int rc;

	sl_lbl(l, "VSwitch", w->id);
	if ((why = sl_name_problem(w->name)) != NULL)
		sl_errs_add(e, l, "VSwitchName", "InvalidVSwitchName.Malformed", "'%s' %s", w->name,
			    why);
	if ((why = sl_desc_problem(w->description)) != NULL)
		sl_errs_add(e, l, "Description", "InvalidVSwitchDiscription.Malformed", "%s", why);
	if (w->cidr.family && (w->cidr.len < SL_VSW_MASK_MIN || w->cidr.len > SL_VSW_MASK_MAX))
		sl_errs_add(e, l, "CidrBlock", "InvalidCidrBlock.MaskLength",
			    "%s: the mask must be /%d to /%d", sl_pf(&w->cidr, a), SL_VSW_MASK_MIN,
			    SL_VSW_MASK_MAX);
	if (w->cidr6.family && w->cidr6.len != SL_VSW6_MASK)
		sl_errs_add(e, l, "Ipv6CidrBlock", "InvalidCidrBlock.MaskLength",
			    "%s: a VSwitch IPv6 block must be a /%d (sluice rule)",
			    sl_pf(&w->cidr6, a), SL_VSW6_MASK);

	if (w->zone_id[0]) {
		w->zone = sl_jsl_get(c->s->zones, w->zone_id);
		if (w->zone == NULL)
			sl_errs_add(e, l, "ZoneId", "InvalidZoneId.NotFound",
				    "zone %s is not defined in Regions", w->zone_id);
	}
	if (w->vpc_id[0] == '\0')
		return;
	v = w->vpc = sl_store_vpc(c->s, w->vpc_id);
	if (v == NULL) {
		sl_errs_add(e, l, "VpcId", "InvalidVpcId.NotFound", "VPC %s is not defined",
			    w->vpc_id);
		return;
	}
	if (w->zone && v->region && w->zone->region != v->region)
		sl_errs_add(e, l, "ZoneId", "InvalidZoneId.NotFound",
			    "zone %s is in region %s, not in VPC %s's region %s", w->zone_id,
			    w->zone->region->id, v->id, v->region->id);

	/* overlaps with VSwitches of the same VPC seen earlier in the file */
	key[0] = '\0';
	for (struct sl_vswitch_obj *o = sl_jsl_first(v->vswitches, key); o;
	     o = sl_jsl_next(v->vswitches, key)) {
		if (sl_pfx_overlap(&w->cidr, &o->cidr))
			sl_errs_add(e, l, "CidrBlock", "InvalidCidrBlock.Overlapped",
				    "%s overlaps VSwitch %s %s", sl_pf(&w->cidr, a), o->id,
				    sl_pf(&o->cidr, b));
		if (sl_pfx_overlap(&w->cidr6, &o->cidr6))
			sl_errs_add(e, l, "Ipv6CidrBlock", "InvalidCidrBlock.Overlapped",
				    "%s overlaps VSwitch %s %s", sl_pf(&w->cidr6, a), o->id,
				    sl_pf(&o->cidr6, b));
	}
	rc = sl_jsl_insert(&v->vswitches, w->id, w);
	sl_track(c, rc);
	if (rc == 0 && ++v->n_vswitches > SL_MAX_VSWITCHES_PER_VPC)
		sl_errs_add(e, l, "VpcId", "QuotaExceeded.VSwitch",
			    "VPC %s already has %d VSwitches", v->id, SL_MAX_VSWITCHES_PER_VPC);

	if (w->cidr.family && v->cidr.family && !sl_pfx_contains(&v->cidr, &w->cidr))
		sl_errs_add(e, l, "CidrBlock", "InvalidParameter",
			    "%s is not inside VPC %s's CidrBlock %s", sl_pf(&w->cidr, a), v->id,
			    sl_pf(&v->cidr, b));
	if (w->cidr6.family) {
		if (!v->cidr6_given)
			sl_errs_add(e, l, "Ipv6CidrBlock", "InvalidParameter",
				    "VPC %s has no Ipv6CidrBlock", v->id);
		else if (v->cidr6.family && !sl_pfx_contains(&v->cidr6, &w->cidr6))
			sl_errs_add(e, l, "Ipv6CidrBlock", "InvalidParameter",
				    "%s is not inside VPC %s's Ipv6CidrBlock %s",
				    sl_pf(&w->cidr6, a), v->id, sl_pf(&v->cidr6, b));
	}
}

/* ---- instances ------------------------------------------------------------- */

static void sl_check_inst_addr(struct sl_vctx *c, struct sl_instance_obj *in, const char *l,
			       const char *field, const struct sl_pfx *ip,
			       const struct sl_pfx *subnet, const char *code)
{
	struct sl_vswitch_obj *w = in->vswitch;
	struct sl_vpc_obj *v = w->vpc;
	char a[SL_PFX_STRLEN], b[SL_PFX_STRLEN], g[SL_PFX_STRLEN];
	int rc;

	if (!ip->family || !subnet->family)
		return;
	if (!sl_pfx_has(subnet, ip->family, ip->addr)) {
		sl_errs_add(c->e, l, field, code, "%s is not inside VSwitch %s %s",
			    sl_ipf(ip->family, ip->addr, a), w->id, sl_pf(subnet, b));
		return;
	}
	if (sl_vswitch_reserved(subnet, ip->addr)) {
		sl_errs_add(c->e, l, field, code,
			    "%s is one of the 4 reserved addresses of VSwitch %s %s "
			    "(first and last three; the gateway is %s)",
			    sl_ipf(ip->family, ip->addr, a), w->id, sl_pf(subnet, b),
			    sl_ipf(ip->family, sl_pfx_gateway(subnet), g));
		return;
	}
	if (v == NULL)
		return;
	if (ip->family == SL_AF_INET) {
		rc = sl_jl_insert(&v->inst4, (Word_t)(uint32_t)ip->addr, in);
	} else {
		uint8_t key[16];

		sl_addr_to_bytes(SL_AF_INET6, ip->addr, key);
		rc = sl_jhs_insert(&v->inst6, key, sizeof(key), in);
	}
	if (rc == -EEXIST) {
		struct sl_instance_obj *o = sl_vpc_instance_by_addr(v, ip->family, ip->addr);
		char dup[64];

		snprintf(dup, sizeof(dup), "%s.Duplicated", code);
		sl_errs_add(c->e, l, field, dup, "%s is already used by Instance %s in VPC %s",
			    sl_ipf(ip->family, ip->addr, a), o ? o->id : "?", v->id);
		return;
	}
	sl_track(c, rc);
}

static void sl_check_instance(struct sl_vctx *c, struct sl_instance_obj *in)
{
	struct sl_errs *e = c->e;
	struct sl_vswitch_obj *w;
	char l[LABEL_LEN];
	int rc;

	sl_lbl(l, "Instance", in->id);
	if (in->vswitch_id[0] == '\0')
		return;
	w = in->vswitch = sl_store_vswitch(c->s, in->vswitch_id);
	if (w == NULL) {
		sl_errs_add(e, l, "VSwitchId", "InvalidVSwitchId.NotFound",
			    "VSwitch %s is not defined", in->vswitch_id);
		return;
	}
	if (in->vpc_id[0] && strcmp(in->vpc_id, w->vpc_id) != 0)
		sl_errs_add(e, l, "VpcId", "InvalidParameter",
			    "VpcId %s does not match VSwitch %s's VPC %s", in->vpc_id, w->id,
			    w->vpc_id);
	if (w->vpc) {
		/* the document: at most 10,000 instances per VPC (no error code
		 * given: sluice answers QuotaExceeded.Instance) */
		if (w->vpc->n_instances >= SL_MAX_INSTANCES_PER_VPC) {
			sl_errs_add(e, l, "VSwitchId", "QuotaExceeded.Instance",
				    "VPC %s already has %d instances", w->vpc->id,
				    SL_MAX_INSTANCES_PER_VPC);
			return;
		}
		rc = sl_jsl_insert(&w->vpc->instances, in->id, in);
		sl_track(c, rc);
		if (rc == 0)
			w->vpc->n_instances++;
	}
	sl_check_inst_addr(c, in, l, "PrivateIpAddress", &in->ip4, &w->cidr,
			   "InvalidPrivateIpAddress");
	if (in->ip6.family && !w->cidr6_given)
		sl_errs_add(e, l, "Ipv6Address", "InvalidIpv6Address",
			    "VSwitch %s has no Ipv6CidrBlock", w->id);
	else
		sl_check_inst_addr(c, in, l, "Ipv6Address", &in->ip6, &w->cidr6,
				   "InvalidIpv6Address");
}

/* ---- route entries --------------------------------------------------------- */

static const char *const sl_api_nh_types[] = {"Tunnel", "RouterInterface", "VpnGateway", NULL};

static void sl_check_route_vswitch(struct sl_vctx *c, struct sl_route_obj *r, const char *l,
				   const struct sl_vswitch_obj *w, const struct sl_pfx *sub)
{
	char a[SL_PFX_STRLEN], b[SL_PFX_STRLEN];
	const char *how = NULL;

	if (!sub->family || !r->dest.family || r->dest.family != sub->family)
		return;
	if (r->dest.len == 0)
		return; /* 0.0.0.0/0 and ::/0 may contain VSwitches (gap 4) */
	if (sl_pfx_equal(&r->dest, sub))
		how = "equals";
	else if (sl_pfx_contains(sub, &r->dest))
		how = "lies inside";
	else if (sl_pfx_contains(&r->dest, sub))
		how = "contains";
	if (how)
		sl_errs_add(c->e, l, "DestinationCidrBlock", "InvalidCidrBlock",
			    "%s %s VSwitch %s's CIDR %s", sl_pf(&r->dest, a), how, w->id,
			    sl_pf(sub, b));
}

/* sl_pf(&r->dest): the loader's key is "RouteTableId:" and that text
 * already (config.c), so it is not formatted a second time. */
static const char *sl_route_dest_text(const struct sl_route_obj *r, char *buf)
{
	size_t n = strlen(r->route_table_id);

	if (strncmp(r->key, r->route_table_id, n) == 0 && r->key[n] == ':')
		return r->key + n + 1;
	return sl_pf(&r->dest, buf);
}

static void sl_check_route(struct sl_vctx *c, struct sl_route_obj *r)
{
	struct sl_errs *e = c->e;
	struct sl_vpc_obj *v;
	struct sl_instance_obj *in;
	struct sl_pfx cgnat;
	char l[LABEL_LEN], a[SL_PFX_STRLEN], key[SL_JSL_KEY_MAX];
	int rc;

	if (r->dest.family)
		sl_lbl(l, "RouteEntry", r->key);
	else /* same name as the loader's error about the destination */
		snprintf(l, sizeof(l), "RouteEntries[%u]", r->st.file_index);
	sl_pfx_parse("100.64.0.0/10", &cgnat, 0);
	if (r->dest.family && sl_pfx_contains(&cgnat, &r->dest))
		sl_errs_add(e, l, "DestinationCidrBlock", "InvalidCidrBlock",
			    "%s is 100.64.0.0/10 or inside it (reserved)", sl_pf(&r->dest, a));

	/* HaVip next hops: validate_havip.c */
	if (strcmp(r->next_hop_type, "Instance") != 0 && strcmp(r->next_hop_type, "HaVip") != 0) {
		bool api = false;

		for (const char *const *t = sl_api_nh_types; *t; t++)
			api |= strcmp(r->next_hop_type, *t) == 0;
		if (api)
			sl_errs_add(
			    e, l, "NextHopType", "InvalidParameter",
			    "NextHopType %s is valid in the 2016-04-28 API but not supported "
			    "by sluice yet (sluice deviation: only Instance next hops)",
			    r->next_hop_type);
		else
			sl_errs_add(
			    e, l, "NextHopType", "InvalidParameter",
			    "unknown NextHopType '%s' (the API knows Instance, Tunnel, HaVip, "
			    "RouterInterface, VpnGateway; case matters)",
			    r->next_hop_type);
	}

	if (r->route_table_id[0] == '\0')
		return;
	v = r->vpc = sl_jsl_get(c->s->route_tables, r->route_table_id);
	if (v == NULL) {
		sl_errs_add(e, l, "RouteTableId", "InvalidRouteTableId.NotFound",
			    "no VPC has route table %s", r->route_table_id);
		return;
	}
	if (r->dest.family) {
		rc = sl_jsl_insert(&v->routes, sl_route_dest_text(r, a), r);
		sl_track(c, rc);
		if (rc == 0 && ++v->n_routes > SL_MAX_CUSTOM_ROUTES)
			sl_errs_add(e, l, "RouteTableId", "QuotaExceeded",
				    "route table %s already has %d custom entries",
				    r->route_table_id, SL_MAX_CUSTOM_ROUTES);
	}
	key[0] = '\0';
	for (struct sl_vswitch_obj *w = sl_jsl_first(v->vswitches, key); w;
	     w = sl_jsl_next(v->vswitches, key)) {
		sl_check_route_vswitch(c, r, l, w, &w->cidr);
		sl_check_route_vswitch(c, r, l, w, &w->cidr6);
	}

	if (strcmp(r->next_hop_type, "Instance") != 0 || r->next_hop_id[0] == '\0')
		return;
	in = sl_store_instance(c->s, r->next_hop_id);
	if (in == NULL) {
		sl_errs_add(e, l, "NextHopId", "InvalidInstanceId.NotFound",
			    "instance %s is not defined", r->next_hop_id);
		return;
	}
	if (in->vswitch == NULL || in->vswitch->vpc == NULL)
		return; /* its own error says why */
	if (in->vswitch->vpc != v) {
		sl_errs_add(e, l, "NextHopId", "InvalidInstanceId.NotFound",
			    "instance %s is in VPC %s, not in VPC %s", in->id, in->vswitch->vpc->id,
			    v->id);
		return;
	}
	r->instance = in;
	if (r->dest.family == SL_AF_INET6 && !in->ip6_given)
		sl_errs_add(e, l, "NextHopId", "InvalidNextHop.NotFound",
			    "instance %s has no Ipv6Address to forward %s to", in->id,
			    sl_pf(&r->dest, a));
}

/* VSwitch side of the VSwitch/route rule: a VSwitch must not equal or
 * contain a custom route destination of its VPC (CreateVSwitch). */
static void sl_check_vswitch_routes(struct sl_vctx *c, struct sl_vswitch_obj *w)
{
	char l[LABEL_LEN], a[SL_PFX_STRLEN], b[SL_PFX_STRLEN], key[SL_JSL_KEY_MAX];

	if (w->vpc == NULL)
		return;
	sl_lbl(l, "VSwitch", w->id);
	key[0] = '\0';
	for (struct sl_route_obj *r = sl_jsl_first(w->vpc->routes, key); r;
	     r = sl_jsl_next(w->vpc->routes, key)) {
		const struct sl_pfx *sub = r->dest.family == SL_AF_INET6 ? &w->cidr6 : &w->cidr;
		const char *field = r->dest.family == SL_AF_INET6 ? "Ipv6CidrBlock" : "CidrBlock";

		if (!sl_pfx_contains(sub, &r->dest))
			continue;
		sl_errs_add(c->e, l, field, "InvalidCidrBlock.Overlapped",
			    "%s %s the destination %s of route entry %s", sl_pf(sub, a),
			    sl_pfx_equal(sub, &r->dest) ? "equals" : "contains", sl_pf(&r->dest, b),
			    r->key);
	}
}

/* ---- gateway --------------------------------------------------------------- */

static void sl_check_gateway(struct sl_vctx *c, struct sl_gateway_obj *g)
{
	struct sl_errs *e = c->e;
	char l[LABEL_LEN], a[SL_PFX_STRLEN], b[SL_PFX_STRLEN];

	if (g->trunks == 0)
		sl_errs_add(e, "Gateway Inside", "Trunks", "InvalidParameter",
			    "must be an integer from 1 to %d (inside ports of sluice-dp)",
			    SL_MAX_TRUNKS);
	if (g->mtu < SL_MTU_MIN || g->mtu > SL_MTU_MAX)
		sl_errs_add(e, "Gateway Outside", "Mtu", "InvalidParameter", "%u is outside %d-%d",
			    g->mtu, SL_MTU_MIN, SL_MTU_MAX);
	for (unsigned int i = 0; i < g->n_addrs; i++) {
		const struct sl_pfx *p = &g->addrs[i];
		struct sl_pfx net = sl_pfx_network(p);

		if (p->family == SL_AF_INET && p->len <= 30 &&
		    (p->addr == sl_pfx_first(p) || p->addr == sl_pfx_last(p)))
			sl_errs_add(e, "Gateway Outside", "Addresses", "InvalidParameter",
				    "%s is the network or broadcast address of its subnet",
				    sl_pf(p, a));
		if (p->family == SL_AF_INET6 && p->len <= 126 && p->addr == sl_pfx_first(p))
			sl_errs_add(e, "Gateway Outside", "Addresses", "InvalidParameter",
				    "%s is the subnet-router anycast address of its subnet",
				    sl_pf(p, a));
		for (unsigned int j = 0; j < i; j++) {
			const struct sl_pfx *q = &g->addrs[j];
			struct sl_pfx qn = sl_pfx_network(q);

			if (q->family != p->family)
				continue;
			if (q->addr == p->addr)
				sl_errs_add(e, "Gateway Outside", "Addresses", "InvalidParameter",
					    "%s is listed twice", sl_ipf(p->family, p->addr, a));
			else if (sl_pfx_overlap(&net, &qn) && !sl_pfx_equal(&net, &qn))
				sl_errs_add(e, "Gateway Outside", "Addresses", "InvalidParameter",
					    "subnet of %s overlaps the different subnet of %s",
					    sl_pf(p, a), sl_pf(q, b));
		}
	}
	for (unsigned int i = 0; i < g->n_routes; i++) {
		const struct sl_inet_route *r = &g->routes[i];
		bool on_link = false;

		snprintf(l, sizeof(l), "InternetRoute %s", sl_pf(&r->dest, a));
		if (r->dest.family != r->via.family) {
			sl_errs_add(e, l, "NextHop", "InvalidParameter",
				    "next hop %s is not of the destination's address family",
				    sl_ipf(r->via.family, r->via.addr, b));
			continue;
		}
		for (unsigned int j = 0; j < i; j++)
			if (sl_pfx_equal(&g->routes[j].dest, &r->dest))
				sl_errs_add(e, l, "DestinationCidrBlock",
					    "InvalidCIDRBlock.Duplicate",
					    "%s is already an Internet route", sl_pf(&r->dest, a));
		for (unsigned int j = 0; j < g->n_addrs; j++) {
			const struct sl_pfx *p = &g->addrs[j];
			struct sl_pfx net = sl_pfx_network(p);

			if (p->family != r->via.family)
				continue;
			if (p->addr == r->via.addr)
				sl_errs_add(e, l, "NextHop", "InvalidNextHop.NotFound",
					    "%s is the gateway's own outside address",
					    sl_ipf(p->family, p->addr, b));
			if (sl_pfx_has(&net, r->via.family, r->via.addr))
				on_link = true;
			if (sl_pfx_equal(&net, &r->dest) ||
			    (r->dest.len == sl_af_bits(p->family) && r->dest.addr == p->addr))
				sl_errs_add(e, l, "DestinationCidrBlock", "InvalidCidrBlock",
					    "%s is a system route of the outside address %s",
					    sl_pf(&r->dest, a), sl_pf(p, b));
		}
		if (!on_link)
			sl_errs_add(e, l, "NextHop", "InvalidNextHop.NotFound",
				    "next hop %s is not on any outside subnet (Gateway.Outside."
				    "Addresses)",
				    sl_ipf(r->via.family, r->via.addr, b));
	}
}

int sl_validate(struct sl_store *s, struct sl_errs *e)
{
	struct sl_vctx *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL)
		return -ENOMEM;
	c->s = s;
	c->e = e;
	for (unsigned int i = 0; i < s->vpc_v.n; i++)
		sl_check_vpc(c, s->vpc_v.v[i]);
	for (unsigned int i = 0; i < s->vswitch_v.n; i++)
		sl_check_vswitch(c, s->vswitch_v.v[i]);
	for (unsigned int i = 0; i < s->instance_v.n; i++)
		sl_check_instance(c, s->instance_v.v[i]);
	for (unsigned int i = 0; i < s->route_v.n; i++)
		sl_check_route(c, s->route_v.v[i]);
	for (unsigned int i = 0; i < s->vswitch_v.n; i++)
		sl_check_vswitch_routes(c, s->vswitch_v.v[i]);
	if (s->gateway)
		sl_check_gateway(c, s->gateway);
	if (!c->oom)
		sl_track(c, sl_validate_nat(s, e));
	if (!c->oom)
		sl_track(c, sl_validate_ipv6(s, e));
	rc = c->oom;
	free(c);
	if (rc) {
		sl_errs_add(e, "", NULL, "InternalError", "out of memory during validation");
		return -ENOMEM;
	}
	return 0;
}

/* ---- a part of a live store (the API's incremental batches) ------------------ */

static int sl_part_cmp(const void *a, const void *b)
{
	return sl_obj_order(*(void *const *)a, *(void *const *)b);
}

static bool sl_vlan_key_ok(const struct sl_vpc_obj *v)
{
	return v->trunk >= 0 && v->trunk < SL_MAX_TRUNKS && v->vlan >= 1 && v->vlan <= 4094;
}

/* Take instance `in` out of the indexes of its VPC (re-checked by its
 * changes) where it is; it goes back in when checked again. */
static void sl_part_unindex_instance(struct sl_store *s, struct sl_instance_obj *in)
{
	const struct sl_vswitch_obj *w = sl_store_vswitch(s, in->vswitch_id);
	struct sl_vpc_obj *v = w ? w->vpc : NULL;
	uint8_t b[16];

	if (v == NULL)
		return;
	if (sl_jsl_get(v->instances, in->id) == in) {
		sl_jsl_delete(&v->instances, in->id);
		v->n_instances--;
	}
	if (in->ip4.family && sl_jl_get(v->inst4, (Word_t)(uint32_t)in->ip4.addr) == in)
		sl_jl_delete(&v->inst4, (Word_t)(uint32_t)in->ip4.addr);
	sl_addr_to_bytes(SL_AF_INET6, in->ip6.addr, b);
	if (in->ip6.family && sl_jhs_get(v->inst6, b, sizeof(b)) == in)
		sl_jhs_delete(&v->inst6, b, sizeof(b));
}

int sl_validate_part(struct sl_store *s, const struct sl_vpart *p, struct sl_errs *e)
{
	struct sl_vctx *c = calloc(1, sizeof(*c));
	void **live[SL_VPART_N] = {NULL};
	unsigned int n[SL_VPART_N] = {0};
	Pvoid_t part_vpcs = NULL; /* Judy1: the VPC objects re-checked whole, in s or not */
	Pvoid_t fine = NULL;	  /* Judy1: the VPCs re-checked by their changes */
	int rc = 0;

	if (c == NULL)
		return -ENOMEM;
	c->s = s;
	c->e = e;
	for (int k = 0; k < SL_VPART_N && rc == 0; k++) {
		int kind = k == SL_VPART_FINE_VPC	 ? SL_OK_VPC
			   : k == SL_VPART_FINE_INSTANCE ? SL_OK_INSTANCE
							 : k;

		live[k] = malloc((p->n[k] ? p->n[k] : 1) * sizeof(void *));
		if (live[k] == NULL) {
			rc = -ENOMEM;
			break;
		}
		for (unsigned int i = 0; i < p->n[k]; i++) {
			void *o = p->v[k][i];

			if (sl_store_get(s, kind, sl_okind_id(kind, o)) == o)
				live[k][n[k]++] = o;
			if (k == SL_OK_VPC && sl_j1_set(&part_vpcs, (Word_t)o) < 0)
				rc = -ENOMEM;
			if (k == SL_VPART_FINE_VPC && sl_j1_set(&fine, (Word_t)o) < 0)
				rc = -ENOMEM;
		}
		qsort(live[k], n[k], sizeof(void *), sl_part_cmp);
	}
	if (rc < 0)
		goto out;
	/* the VLANs of the other VPCs (valid and unchanged: each holds its own) */
	for (unsigned int i = 0; i < s->vpc_v.n; i++) {
		struct sl_vpc_obj *v = s->vpc_v.v[i];

		if (v && sl_vlan_key_ok(v) && sl_j1_test(part_vpcs, (Word_t)v) != 1 &&
		    sl_store_vpc(s, v->id) == v)
			c->vlan_owner[v->trunk][v->vlan] = v;
	}
	/* release what the part's VPCs hold in the store-wide indexes; the
	 * checks below take it again for those still in the store */
	for (unsigned int i = 0; i < p->n[SL_OK_VPC]; i++) {
		struct sl_vpc_obj *v = p->v[SL_OK_VPC][i];

		if (v->route_table_id[0] && sl_jsl_get(s->route_tables, v->route_table_id) == v)
			sl_jsl_delete(&s->route_tables, v->route_table_id);
		if (sl_vlan_key_ok(v) && c->vlan_owner[v->trunk][v->vlan] == NULL)
			sl_j1_unset(&s->vlans, SL_VPC_VLAN_KEY(v->trunk, v->vlan));
	}
	for (unsigned int i = 0; i < n[SL_OK_VPC]; i++) {
		struct sl_vpc_obj *v = live[SL_OK_VPC][i];

		sl_jsl_free(&v->vswitches);
		sl_jsl_free(&v->instances);
		sl_jl_free(&v->inst4);
		sl_jhs_free(&v->inst6);
		v->n_vswitches = v->n_instances = 0;
		v->region = NULL;
	}
	for (unsigned int i = 0; i < n[SL_OK_VPC] + n[SL_VPART_FINE_VPC]; i++) {
		struct sl_vpc_obj *v = i < n[SL_OK_VPC] ? live[SL_OK_VPC][i]
							: live[SL_VPART_FINE_VPC][i - n[SL_OK_VPC]];

		sl_jsl_free(&v->routes);
		v->n_routes = 0;
	}
	for (unsigned int i = 0; i < p->n[SL_VPART_FINE_INSTANCE]; i++)
		sl_part_unindex_instance(s, p->v[SL_VPART_FINE_INSTANCE][i]);
	/* references are resolved afresh, as in a new store (but those of the
	 * VSwitches of VPCs re-checked by their changes, which stay) */
	for (unsigned int i = 0; i < n[SL_OK_VSWITCH]; i++) {
		struct sl_vswitch_obj *w = live[SL_OK_VSWITCH][i];

		if (w->vpc && sl_j1_test(fine, (Word_t)w->vpc) == 1)
			continue;
		w->vpc = NULL;
		w->zone = NULL;
	}
	for (unsigned int i = 0; i < n[SL_OK_INSTANCE]; i++)
		((struct sl_instance_obj *)live[SL_OK_INSTANCE][i])->vswitch = NULL;
	for (unsigned int i = 0; i < n[SL_VPART_FINE_INSTANCE]; i++)
		((struct sl_instance_obj *)live[SL_VPART_FINE_INSTANCE][i])->vswitch = NULL;
	for (unsigned int i = 0; i < n[SL_OK_ROUTE]; i++) {
		struct sl_route_obj *r = live[SL_OK_ROUTE][i];

		r->vpc = NULL;
		r->instance = NULL;
		r->havip = NULL;
	}
	/* sl_validate()'s passes, in its order, over the part */
	for (unsigned int i = 0; i < n[SL_OK_VPC]; i++)
		sl_check_vpc(c, live[SL_OK_VPC][i]);
	for (unsigned int i = 0; i < n[SL_OK_VSWITCH]; i++) {
		struct sl_vswitch_obj *w = live[SL_OK_VSWITCH][i];

		if (w->vpc == NULL || sl_j1_test(fine, (Word_t)w->vpc) != 1)
			sl_check_vswitch(c, w);
	}
	for (unsigned int i = 0; i < n[SL_OK_INSTANCE]; i++)
		sl_check_instance(c, live[SL_OK_INSTANCE][i]);
	for (unsigned int i = 0; i < n[SL_VPART_FINE_INSTANCE]; i++)
		sl_check_instance(c, live[SL_VPART_FINE_INSTANCE][i]);
	for (unsigned int i = 0; i < n[SL_OK_ROUTE]; i++)
		sl_check_route(c, live[SL_OK_ROUTE][i]);
	for (unsigned int i = 0; i < n[SL_OK_VSWITCH]; i++)
		sl_check_vswitch_routes(c, live[SL_OK_VSWITCH][i]);
	rc = c->oom;
out:
	for (int k = 0; k < SL_VPART_N; k++)
		free(live[k]);
	sl_j1_free(&part_vpcs);
	sl_j1_free(&fine);
	free(c);
	if (rc) {
		sl_errs_add(e, "", NULL, "InternalError", "out of memory during validation");
		return -ENOMEM;
	}
	return 0;
}
