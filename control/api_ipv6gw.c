/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 gateway actions of the VPC API (RPC; the SDK's models for the
 * actions the 2016 document lacks, seeds 001 and 004 for
 * AllocateIpv6InternetBandwidth; docs/api.md, IPv6 gateways):
 * Create/Delete/ModifyIpv6GatewayAttribute, DescribeIpv6Gateways,
 * DescribeIpv6GatewayAttribute; AllocateIpv6Address, ReleaseIpv6Address,
 * ModifyIpv6AddressAttribute, DescribeIpv6Addresses; Allocate/Modify/DeleteIpv6InternetBandwidth;
 * Create/DeleteIpv6EgressOnlyRule, DescribeIpv6EgressOnlyRules; and
 * sluice's own Create/Modify/DeleteIpv6GatewayRouteRule, which the REST
 * API's routeRules endpoints (api_rest.c) run.
 *
 * Design note: the mutating actions follow api_nat.c (sl_api_mut_int.h):
 * check what only the live store tells (existence, origin, status, the
 * free addresses of a VSwitch's /64), stage the object as the JSON the
 * config file would hold, and leave every rule between objects to
 * validate_ipv6.c, so the file and the API cannot disagree.
 * AllocateIpv6Address picks an address from the live store, so it runs
 * alone (solo), never batched with another allocation that could pick the
 * same one. The data plane does not use these objects yet (issue 6): they
 * are Available once durable and published.
 *
 * Concurrency: single-threaded (sluiced's event loop); the store is the
 * current validated one while an action runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_api_mut_int.h"
#include "sl_api_vpc.h"
#include "sl_judy.h"
#include "sl_validate.h"

/* ---- shared checks ---------------------------------------------------------- */

/* Stage `body` as object `id` of kind `k`, name it in the label ("what
 * id": validation errors about it answer the request) and answer `result`.
 * Takes both references. */
static int sl_v6_put(struct sl_mut *x, enum sl_cfg_kind k, const char *what, const char *id,
		     json_t *body, json_t *result, struct sl_api_err *e)
{
	if (sl_stage_put(x, k, id, body, e) < 0) {
		json_decref(result);
		return -1;
	}
	snprintf(x->label, sizeof(x->label), "%s %s", what, id);
	x->result = result;
	return result ? 0 : sl_mut_oom(e);
}

static int sl_v6_delete(struct sl_mut *x, enum sl_cfg_kind k, const char *what, const char *id,
			struct sl_api_err *e)
{
	if (sl_db_stage_del(x->m->db, k, id) < 0)
		return sl_mut_oom(e);
	snprintf(x->label, sizeof(x->label), "%s %s", what, id);
	x->result = json_object();
	return x->result ? 0 : sl_mut_oom(e);
}

static int sl_v6_settled(const struct sl_obj_state *st, const char *code, const char *what,
			 const char *id, struct sl_api_err *e)
{
	if (st->status != SL_STATUS_AVAILABLE)
		return sl_api_fail(e, 400, code, "The %s %s is not Available yet.", what, id);
	return 0;
}

/* An API-owned, settled object of a kind found by id parameter `k`. */
static void *sl_v6_own(const struct sl_mut *x, Pcvoid_t idx, const char *k, const char *nf_code,
		       int nf_http, const char *what, const char *status_code, struct sl_api_err *e)
{
	const char *id = sl_mut_param(x, k);
	struct sl_obj_state *st;

	if (id == NULL) {
		sl_mut_missing(e, k);
		return NULL;
	}
	/* every object struct starts with its sl_obj_state */
	st = sl_jsl_get(idx, id);
	if (st == NULL) {
		sl_api_fail(e, nf_http, nf_code, "The specified %s %.64s does not exist.", what,
			    id);
		return NULL;
	}
	if (!st->from_db) {
		sl_mut_file_object(e, what, id);
		return NULL;
	}
	return sl_v6_settled(st, status_code, what, id, e) < 0 ? NULL : st;
}

/* ---- IPv6 gateways ------------------------------------------------------------ */

static int sl_create_ipv6gw(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const req[] = {"VpcId", NULL};
	const struct sl_vpc_obj *v;
	char id[SL_ID_LEN];
	json_t *body;

	if (sl_nat_region(x, e) < 0 || sl_mut_require(x, e, req) < 0)
		return -1;
	v = sl_store_vpc(x->s, sl_mut_param(x, "VpcId"));
	if (v == NULL || strcmp(v->region_id, sl_mut_param(x, "RegionId")) != 0)
		return sl_api_fail(e, 404, "InvalidVpcId.NotFound",
				   "The specified VPC %.64s does not exist in region %.64s.",
				   sl_mut_param(x, "VpcId"), sl_mut_param(x, "RegionId"));
	if (sl_v6_settled(&v->st, "IncorrectVpcStatus", "VPC", v->id, e) < 0)
		return -1;
	if (sl_mut_new_id(x->s, "ipv6gw-", id, sizeof(id)) < 0)
		return sl_api_fail(e, 500, "InternalError", "no random bytes");
	body = json_pack("{s:s,s:s}", "Ipv6GatewayId", id, "VpcId", v->id);
	if (body) {
		sl_mut_copy_param(x, body, "Spec", NULL);
		sl_mut_copy_param(x, body, "Name", NULL);
		sl_mut_copy_param(x, body, "Description", NULL);
	}
	return sl_v6_put(x, SL_CFG_IPV6GW, "Ipv6Gateway", id, body,
			 json_pack("{s:s}", "Ipv6GatewayId", id), e);
}

static struct sl_ipv6gw_obj *sl_own_ipv6gw(const struct sl_mut *x, struct sl_api_err *e)
{
	return sl_v6_own(x, x->s->ipv6gws, "Ipv6GatewayId", "InvalidIpv6GatewayId.NotFound", 404,
			 "IPv6 gateway", "IncorrectStatus.Ipv6Gateway", e);
}

static int sl_delete_ipv6gw(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_ipv6gw_obj *g;

	if (sl_nat_region(x, e) < 0 || (g = sl_own_ipv6gw(x, e)) == NULL)
		return -1;
	if (g->n_bw)
		return sl_api_fail(e, 400, "DependencyViolation.Ipv6InternetBandwidth",
				   "The IPv6 gateway %s still carries %u Internet bandwidth(s).",
				   g->id, g->n_bw);
	if (g->n_egress)
		return sl_api_fail(e, 400, "DependencyViolation.Ipv6EgressOnlyRule",
				   "The IPv6 gateway %s still has %u egress-only rule(s).", g->id,
				   g->n_egress);
	if (g->n_rules)
		return sl_api_fail(e, 400, "DependencyViolation.Ipv6GatewayRouteRule",
				   "The IPv6 gateway %s still has %u route rule(s).", g->id,
				   g->n_rules);
	return sl_v6_delete(x, SL_CFG_IPV6GW, "Ipv6Gateway", g->id, e);
}

static int sl_modify_ipv6gw(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const pairs[] = {"Name", "Name", "Description", "Description", NULL};
	struct sl_ipv6gw_obj *g;

	if (sl_nat_region(x, e) < 0 || (g = sl_own_ipv6gw(x, e)) == NULL)
		return -1;
	snprintf(x->label, sizeof(x->label), "Ipv6Gateway %s", g->id);
	return sl_mut_modify(x, SL_CFG_IPV6GW, g->id, pairs, e);
}

/* ---- IPv6 addresses ------------------------------------------------------------- */

/* Is `a` free in VSwitch `w`: not reserved, not an Ipv6Address object, not
 * an instance's address? */
static bool sl_v6_free(const struct sl_store *s, const struct sl_vswitch_obj *w, sl_u128 a)
{
	struct sl_pfx ip = {.addr = a, .len = 128, .family = SL_AF_INET6};
	char key[SL_ID_LEN + SL_PFX_STRLEN + 2];

	if (sl_vswitch_reserved(&w->cidr6, a) ||
	    sl_vpc_instance_by_addr(w->vpc, SL_AF_INET6, a) != NULL)
		return false;
	return sl_ipv6_addr_key(w->vpc->id, &ip, key, sizeof(key)) == 0 &&
	       sl_jsl_get(s->ipv6_keys, key) == NULL;
}

/* Addresses tried before InsufficientIpv6Capacity: a /64 is never full,
 * but a scan must end. */
#define SL_V6_PICK_TRIES 65536u

static int sl_allocate_ipv6addr(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const req[] = {"VSwitchId", NULL};
	const struct sl_vswitch_obj *w;
	const char *want = sl_mut_param(x, "Ipv6Address");
	char id[SL_ID_LEN], ip[SL_PFX_STRLEN];
	json_t *body;

	if (sl_nat_region(x, e) < 0 || sl_mut_require(x, e, req) < 0)
		return -1;
	w = sl_store_vswitch(x->s, sl_mut_param(x, "VSwitchId"));
	if (w == NULL || w->vpc == NULL ||
	    strcmp(w->vpc->region_id, sl_mut_param(x, "RegionId")) != 0)
		return sl_api_fail(e, 404, "InvalidVSwitchId.NotFound",
				   "The specified VSwitch %.64s does not exist.",
				   sl_mut_param(x, "VSwitchId"));
	if (sl_v6_settled(&w->st, "IncorrectVSwitchStatus", "VSwitch", w->id, e) < 0)
		return -1;
	if (!w->cidr6_given || !w->cidr6.family)
		return sl_api_fail(e, 400, "InvalidVSwitchId.Ipv6NotTurnOn",
				   "The VSwitch %s has no Ipv6CidrBlock.", w->id);
	if (want) {
		snprintf(ip, sizeof(ip), "%s", want);
	} else {
		sl_u128 a = sl_pfx_first(&w->cidr6) + 1;
		unsigned int n = 0;

		while (n < SL_V6_PICK_TRIES && !sl_v6_free(x->s, w, a)) {
			a++;
			n++;
		}
		if (n == SL_V6_PICK_TRIES)
			return sl_api_fail(e, 500, "InsufficientIpv6Capacity",
					   "No free IPv6 address among the first %u of VSwitch %s.",
					   SL_V6_PICK_TRIES, w->id);
		sl_ip_fmt(SL_AF_INET6, a, ip, sizeof(ip));
	}
	if (sl_mut_new_id(x->s, "ipv6-", id, sizeof(id)) < 0)
		return sl_api_fail(e, 500, "InternalError", "no random bytes");
	body =
	    json_pack("{s:s,s:s,s:s}", "Ipv6AddressId", id, "VSwitchId", w->id, "Ipv6Address", ip);
	if (body) {
		sl_mut_copy_param(x, body, "Ipv6AddressName", NULL);
		sl_mut_copy_param(x, body, "Ipv6AddressDescription", NULL);
	}
	return sl_v6_put(x, SL_CFG_IPV6ADDR, "Ipv6Address", id, body,
			 json_pack("{s:s,s:s}", "Ipv6AddressId", id, "Ipv6Address", ip), e);
}

static int sl_release_ipv6addr(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_ipv6addr_obj *a;

	if (sl_nat_region(x, e) < 0 ||
	    (a = sl_v6_own(x, x->s->ipv6addrs, "Ipv6AddressId", "InvalidIpv6AddressId.NotFound",
			   404, "IPv6 address", "IncorrectStatus.Ipv6Address", e)) == NULL)
		return -1;
	if (a->bw)
		return sl_api_fail(
		    e, 400, "DependencyViolation.Ipv6InternetBandwidth",
		    "The IPv6 address %s has Internet bandwidth %s: delete it first.", a->id,
		    a->bw->id);
	if (a->n_egress)
		return sl_api_fail(e, 400, "DependencyViolation.Ipv6EgressOnlyRule",
				   "The IPv6 address %s has an egress-only rule.", a->id);
	return sl_v6_delete(x, SL_CFG_IPV6ADDR, "Ipv6Address", a->id, e);
}

static int sl_modify_ipv6addr(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const pairs[] = {"Name", "Ipv6AddressName", "Description",
					    "Ipv6AddressDescription", NULL};
	struct sl_ipv6addr_obj *a;

	if (sl_nat_region(x, e) < 0 ||
	    (a = sl_v6_own(x, x->s->ipv6addrs, "Ipv6AddressId", "InvalidIpv6AddressId.NotFound",
			   404, "IPv6 address", "IncorrectStatus.Ipv6Address", e)) == NULL)
		return -1;
	snprintf(x->label, sizeof(x->label), "Ipv6Address %s", a->id);
	return sl_mut_modify(x, SL_CFG_IPV6ADDR, a->id, pairs, e);
}

/* ---- Internet bandwidth ------------------------------------------------------------ */

/* Bandwidth: a decimal integer into the body (the range is validation's). */
static int sl_v6_bandwidth(const struct sl_mut *x, json_t *body, struct sl_api_err *e)
{
	const char *v = sl_mut_param(x, "Bandwidth");
	char *end;
	long n;

	if (v == NULL)
		return sl_mut_missing(e, "Bandwidth");
	n = strtol(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || n > 1000000)
		return sl_api_fail(e, 400, "IllegalParam.Bandwidth",
				   "The param of Bandwidth is illegal: %.16s is not a number of "
				   "Mbps (%d-%d).",
				   v, SL_IPV6_BW_MIN, SL_IPV6_BW_MAX);
	json_object_set_new(body, "Bandwidth", json_integer(n));
	return 0;
}

static int sl_allocate_ipv6bw(struct sl_mut *x, struct sl_api_err *e)
{
	const char *aid = sl_mut_param(x, "Ipv6AddressId");
	const char *ct = sl_mut_param(x, "InternetChargeType");
	const struct sl_ipv6addr_obj *a;
	char id[SL_ID_LEN];
	json_t *body;

	if (sl_nat_region(x, e) < 0)
		return -1;
	if (aid == NULL)
		return sl_api_fail(e, 400, "MissingParam.Ipv6InstanceId",
				   "The param of Ipv6InstanceId is missing.");
	a = sl_jsl_get(x->s->ipv6addrs, aid);
	if (a == NULL)
		return sl_api_fail(e, 404, "ResourceNotFound.Ipv6Address",
				   "The specified resource of Ipv6Address %.64s is not found.",
				   aid);
	if (a->st.status != SL_STATUS_AVAILABLE)
		return sl_api_fail(e, 400, "IncorrectStatus.Ipv6Instance",
				   "The status of Ipv6Address [%s] is incorrect.", a->id);
	if (ct && strcmp(ct, "PayByBandwidth") && strcmp(ct, "PayByTraffic"))
		return sl_api_fail(e, 400, "IllegalParam.InternetChargeType",
				   "The param of InternetChargeType is illegal: %.32s.", ct);
	if (sl_mut_new_id(x->s, "ipv6bw-", id, sizeof(id)) < 0)
		return sl_api_fail(e, 500, "InternalError", "no random bytes");
	body = json_pack("{s:s,s:s}", "Ipv6InternetBandwidthId", id, "Ipv6AddressId", a->id);
	if (body == NULL)
		return sl_mut_oom(e);
	if (sl_v6_bandwidth(x, body, e) < 0) {
		json_decref(body);
		return -1;
	}
	sl_mut_copy_param(x, body, "Ipv6GatewayId", NULL);
	sl_mut_copy_param(x, body, "InternetChargeType", NULL);
	return sl_v6_put(x, SL_CFG_IPV6BW, "Ipv6InternetBandwidth", id, body,
			 json_pack("{s:s,s:s}", "InternetBandwidthId", id, "Ipv6AddressId", a->id),
			 e);
}

/* The bandwidth named by Ipv6InternetBandwidthId or Ipv6AddressId (one is
 * required), API-owned and settled. */
static struct sl_ipv6bw_obj *sl_own_ipv6bw(const struct sl_mut *x, struct sl_api_err *e)
{
	const char *bid = sl_mut_param(x, "Ipv6InternetBandwidthId");
	const char *aid = sl_mut_param(x, "Ipv6AddressId");
	struct sl_ipv6bw_obj *b = NULL;
	const struct sl_ipv6addr_obj *a;

	if (bid == NULL && aid == NULL) {
		sl_api_fail(e, 400, "MissingParam.Ipv6InstanceId",
			    "Ipv6InternetBandwidthId or Ipv6AddressId is required.");
		return NULL;
	}
	if (bid) {
		b = sl_jsl_get(x->s->ipv6bws, bid);
	} else {
		a = sl_jsl_get(x->s->ipv6addrs, aid);
		b = a ? a->bw : NULL;
	}
	if (b == NULL || (bid && aid && strcmp(b->addr_id, aid) != 0)) {
		sl_api_fail(e, 400, "InvalidIpv6Instance.NotFound",
			    "The specified Ipv6AddressId or Ipv6InternetBandwidthId is not found.");
		return NULL;
	}
	if (!b->st.from_db) {
		sl_mut_file_object(e, "IPv6 Internet bandwidth", b->id);
		return NULL;
	}
	if (b->st.status != SL_STATUS_AVAILABLE) {
		sl_api_fail(e, 400, "IncorrectStatus.Ipv6Instance",
			    "The status of Ipv6InternetBandwidth [%s] is incorrect.", b->id);
		return NULL;
	}
	return b;
}

static int sl_modify_ipv6bw(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_ipv6bw_obj *b;
	json_t *body;

	if (sl_nat_region(x, e) < 0 || (b = sl_own_ipv6bw(x, e)) == NULL)
		return -1;
	body = json_deep_copy(sl_db_get(x->m->db, SL_CFG_IPV6BW, b->id));
	if (body == NULL)
		return sl_mut_oom(e);
	if (sl_v6_bandwidth(x, body, e) < 0) {
		json_decref(body);
		return -1;
	}
	return sl_v6_put(x, SL_CFG_IPV6BW, "Ipv6InternetBandwidth", b->id, body, json_object(), e);
}

static int sl_delete_ipv6bw(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_ipv6bw_obj *b;

	if (sl_nat_region(x, e) < 0 || (b = sl_own_ipv6bw(x, e)) == NULL)
		return -1;
	return sl_v6_delete(x, SL_CFG_IPV6BW, "Ipv6InternetBandwidth", b->id, e);
}

/* ---- egress-only rules ------------------------------------------------------------- */

static int sl_create_ipv6egress(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const req[] = {"Ipv6GatewayId", "InstanceId", NULL};
	const struct sl_ipv6gw_obj *g;
	char id[SL_ID_LEN];
	json_t *body;

	if (sl_nat_region(x, e) < 0 || sl_mut_require(x, e, req) < 0)
		return -1;
	g = sl_jsl_get(x->s->ipv6gws, sl_mut_param(x, "Ipv6GatewayId"));
	if (g == NULL)
		return sl_api_fail(e, 404, "InvalidIpv6GatewayId.NotFound",
				   "The specified IPv6 gateway %.64s does not exist.",
				   sl_mut_param(x, "Ipv6GatewayId"));
	if (sl_v6_settled(&g->st, "IncorrectStatus.Ipv6Gateway", "IPv6 gateway", g->id, e) < 0)
		return -1;
	if (sl_mut_new_id(x->s, "ipv6py-", id, sizeof(id)) < 0)
		return sl_api_fail(e, 500, "InternalError", "no random bytes");
	body = json_pack("{s:s,s:s,s:s}", "Ipv6EgressOnlyRuleId", id, "Ipv6GatewayId", g->id,
			 "InstanceId", sl_mut_param(x, "InstanceId"));
	if (body) {
		sl_mut_copy_param(x, body, "InstanceType", NULL);
		sl_mut_copy_param(x, body, "Name", NULL);
		sl_mut_copy_param(x, body, "Description", NULL);
	}
	/* the SDK's response model calls it Ipv6EgressRuleId */
	return sl_v6_put(x, SL_CFG_IPV6EGRESS, "Ipv6EgressOnlyRule", id, body,
			 json_pack("{s:s}", "Ipv6EgressRuleId", id), e);
}

static int sl_delete_ipv6egress(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_ipv6egress_obj *r;

	if (sl_nat_region(x, e) < 0 ||
	    (r = sl_v6_own(x, x->s->ipv6egress, "Ipv6EgressOnlyRuleId",
			   "InvalidIpv6EgressOnlyRuleId.NotFound", 404, "egress-only rule",
			   "IncorrectStatus.Ipv6EgressOnlyRule", e)) == NULL)
		return -1;
	return sl_v6_delete(x, SL_CFG_IPV6EGRESS, "Ipv6EgressOnlyRule", r->id, e);
}

/* ---- ingress route rules (the REST document's routeRules) ---------------------- */

/* Destination into the body, normalised when it parses (validation reports
 * it when it does not). */
static void sl_v6_dest(const struct sl_mut *x, json_t *body)
{
	const char *d = sl_mut_param(x, "Destination");
	struct sl_pfx p;
	char buf[SL_PFX_STRLEN];

	if (d == NULL)
		return;
	if (sl_cfg_ipv6_dest(d, &p) == 0)
		d = sl_pfx_fmt(&p, buf, sizeof(buf));
	json_object_set_new(body, "Destination", json_string(d));
}

static int sl_create_ipv6rule(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const req[] = {"Ipv6GatewayId", "Destination", "NextHopInstanceId",
					  NULL};
	const struct sl_ipv6gw_obj *g;
	char id[SL_ID_LEN];
	json_t *body, *res;

	if (sl_nat_region(x, e) < 0 || sl_mut_require(x, e, req) < 0)
		return -1;
	g = sl_jsl_get(x->s->ipv6gws, sl_mut_param(x, "Ipv6GatewayId"));
	if (g == NULL || g->vpc == NULL || strcmp(g->vpc->region_id, sl_mut_param(x, "RegionId")))
		return sl_api_fail(e, 404, "InvalidIpv6GatewayId.NotFound",
				   "The specified IPv6 gateway %.64s does not exist.",
				   sl_mut_param(x, "Ipv6GatewayId"));
	if (sl_v6_settled(&g->st, "IncorrectStatus.Ipv6Gateway", "IPv6 gateway", g->id, e) < 0)
		return -1;
	if (sl_mut_new_id(x->s, "igwrtbr-", id, sizeof(id)) < 0)
		return sl_api_fail(e, 500, "InternalError", "no random bytes");
	body = json_pack("{s:s,s:s,s:s}", "RouteRuleId", id, "Ipv6GatewayId", g->id,
			 "NextHopInstanceId", sl_mut_param(x, "NextHopInstanceId"));
	if (body == NULL)
		return sl_mut_oom(e);
	sl_v6_dest(x, body);
	sl_mut_copy_param(x, body, "NextHopType", NULL);
	sl_mut_copy_param(x, body, "Description", NULL);
	res = json_pack("{s:s,s:O,s:s,s:s}", "RouteRuleId", id, "Destination",
			json_object_get(body, "Destination"), "NextHopType",
			sl_mut_param(x, "NextHopType") ? sl_mut_param(x, "NextHopType") : "ECS",
			"NextHopInstanceId", sl_mut_param(x, "NextHopInstanceId"));
	return sl_v6_put(x, SL_CFG_IPV6RULE, "Ipv6GatewayRouteRule", id, body, res, e);
}

static struct sl_ipv6rule_obj *sl_own_ipv6rule(const struct sl_mut *x, struct sl_api_err *e)
{
	return sl_v6_own(x, x->s->ipv6rules, "RouteRuleId", "InvalidRouteRuleId.NotFound", 404,
			 "route rule", "IncorrectStatus.RouteRule", e);
}

static int sl_modify_ipv6rule(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_ipv6rule_obj *r;
	json_t *body;

	if (sl_nat_region(x, e) < 0 || (r = sl_own_ipv6rule(x, e)) == NULL)
		return -1;
	body = json_deep_copy(sl_db_get(x->m->db, SL_CFG_IPV6RULE, r->id));
	if (body == NULL)
		return sl_mut_oom(e);
	sl_v6_dest(x, body);
	sl_mut_copy_param(x, body, "NextHopType", NULL);
	sl_mut_copy_param(x, body, "NextHopInstanceId", NULL);
	sl_mut_copy_param(x, body, "Description", NULL);
	json_object_set_new(body, "UpdatedAt", json_integer((json_int_t)x->now));
	return sl_v6_put(x, SL_CFG_IPV6RULE, "Ipv6GatewayRouteRule", r->id, body,
			 json_pack("{s:s}", "RouteRuleId", r->id), e);
}

static int sl_delete_ipv6rule(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_ipv6rule_obj *r;

	if (sl_nat_region(x, e) < 0 || (r = sl_own_ipv6rule(x, e)) == NULL)
		return -1;
	return sl_v6_delete(x, SL_CFG_IPV6RULE, "Ipv6GatewayRouteRule", r->id, e);
}

/* ---- dependencies of VPC objects ------------------------------------------------- */

int sl_ipv6_vpc_deps(const struct sl_store *s, const struct sl_vpc_obj *v,
		     const struct sl_vswitch_obj *w, const struct sl_instance_obj *in,
		     struct sl_api_err *e)
{
	for (unsigned int i = 0; v && i < s->ipv6gw_v.n; i++) {
		const struct sl_ipv6gw_obj *g = s->ipv6gw_v.v[i];

		if (g->vpc == v)
			return sl_api_fail(e, 400, "DependencyViolation.Ipv6Gateway",
					   "IPv6 gateway %s is in VPC %s.", g->id, v->id);
	}
	for (unsigned int i = 0; w && i < s->ipv6addr_v.n; i++) {
		const struct sl_ipv6addr_obj *a = s->ipv6addr_v.v[i];

		if (a->vswitch == w)
			return sl_api_fail(e, 400, "DependencyViolation.Ipv6Address",
					   "IPv6 address %s is in VSwitch %s.", a->id, w->id);
	}
	for (unsigned int i = 0; in && i < s->ipv6rule_v.n; i++) {
		const struct sl_ipv6rule_obj *r = s->ipv6rule_v.v[i];

		if (r->instance == in)
			return sl_api_fail(
			    e, 400, "DependencyViolation.Ipv6GatewayRouteRule",
			    "IPv6 gateway route rule %s sends traffic to instance %s.", r->id,
			    in->id);
	}
	for (unsigned int i = 0; in && i < s->ipv6egress_v.n; i++) {
		const struct sl_ipv6egress_obj *r = s->ipv6egress_v.v[i];

		if (strcmp(r->instance_type, "Instance") == 0 &&
		    strcmp(r->instance_id, in->id) == 0)
			return sl_api_fail(e, 400, "DependencyViolation.Ipv6EgressOnlyRule",
					   "Egress-only rule %s names instance %s.", r->id, in->id);
	}
	return 0;
}

/* ---- the action table ------------------------------------------------------------- */

/* Parameters sluice cannot honour: refused when set (not "false"). */
static const char *const sl_no_addr[] = {"AddressType", "Ipv6Isp", NULL};
static const char *const sl_no_bw[] = {"InstanceChargeType", NULL};
static const char *const sl_none6[] = {NULL};

const struct sl_mut_action sl_ipv6_actions[] = {
    {"CreateIpv6Gateway", sl_create_ipv6gw, sl_none6, false},
    {"DeleteIpv6Gateway", sl_delete_ipv6gw, sl_none6, false},
    {"ModifyIpv6GatewayAttribute", sl_modify_ipv6gw, sl_none6, false},
    {"AllocateIpv6Address", sl_allocate_ipv6addr, sl_no_addr, true},
    {"ReleaseIpv6Address", sl_release_ipv6addr, sl_none6, false},
    {"ModifyIpv6AddressAttribute", sl_modify_ipv6addr, sl_none6, false},
    {"AllocateIpv6InternetBandwidth", sl_allocate_ipv6bw, sl_no_bw, false},
    {"ModifyIpv6InternetBandwidth", sl_modify_ipv6bw, sl_none6, false},
    {"DeleteIpv6InternetBandwidth", sl_delete_ipv6bw, sl_none6, false},
    {"CreateIpv6EgressOnlyRule", sl_create_ipv6egress, sl_none6, false},
    {"DeleteIpv6EgressOnlyRule", sl_delete_ipv6egress, sl_none6, false},
    /* sluice's own: the REST routeRules endpoints run these */
    {"CreateIpv6GatewayRouteRule", sl_create_ipv6rule, sl_none6, false},
    {"ModifyIpv6GatewayRouteRule", sl_modify_ipv6rule, sl_none6, false},
    {"DeleteIpv6GatewayRouteRule", sl_delete_ipv6rule, sl_none6, false},
};
const unsigned int sl_ipv6_n_actions = sizeof(sl_ipv6_actions) / sizeof(sl_ipv6_actions[0]);

/* ---- Describe actions -------------------------------------------------------------- */

static json_t *sl_ipv6gw_json(json_t *o, const struct sl_ipv6gw_obj *g, const char *ctime)
{
	if (o == NULL)
		return NULL;
	sl_api_set_str(o, "Ipv6GatewayId", g->id);
	sl_api_set_str(o, "RegionId", g->vpc ? g->vpc->region_id : "");
	sl_api_set_str(o, "VpcId", g->vpc_id);
	sl_api_set_str(o, "Name", g->name);
	sl_api_set_str(o, "Description", g->description);
	sl_api_set_str(o, "Spec", g->spec);
	sl_api_set_str(o, "Status", sl_status_name(g->st.status));
	sl_api_set_str(o, "BusinessStatus", "Normal");
	sl_api_set_str(o, "InstanceChargeType", "PostPaid");
	sl_api_set_str(o, "ExpiredTime", "");
	sl_api_set_ctime(o, &g->st, ctime);
	return o;
}

static int sl_describe_ipv6gws(const struct sl_store *s, const struct sl_api_params *p, json_t *res,
			       const char *ctime, struct sl_api_err *e)
{
	const char *rid;
	struct sl_api_list l;

	if (sl_api_list_region(&l, s, p, &rid, e) < 0)
		return -1;
	for (unsigned int i = 0; i < s->ipv6gw_v.n; i++) {
		const struct sl_ipv6gw_obj *g = s->ipv6gw_v.v[i];

		if (g->vpc == NULL || strcmp(g->vpc->region_id, rid) != 0 ||
		    !sl_api_filter_ids(p, "Ipv6GatewayId", g->id) ||
		    !sl_api_filter(p, "VpcId", g->vpc_id) || !sl_api_filter(p, "Name", g->name))
			continue;
		if (sl_api_list_match(&l))
			json_array_append_new(l.items, sl_ipv6gw_json(json_object(), g, ctime));
	}
	sl_api_list_end(&l, res, "Ipv6Gateways", "Ipv6Gateway");
	return 0;
}

static int sl_describe_ipv6gw_attr(const struct sl_store *s, const struct sl_api_params *p,
				   json_t *res, const char *ctime, struct sl_api_err *e)
{
	const char *rid, *id = sl_api_param(p, "Ipv6GatewayId");
	const struct sl_ipv6gw_obj *g;

	if (sl_api_need_region(s, p, &rid, e) < 0)
		return -1;
	if (id == NULL || *id == '\0')
		return sl_api_fail(e, 400, "MissingParameter",
				   "The input parameter \"Ipv6GatewayId\" that is mandatory for "
				   "processing this request is not supplied.");
	g = sl_jsl_get(s->ipv6gws, id);
	if (g == NULL || g->vpc == NULL || strcmp(g->vpc->region_id, rid) != 0)
		return sl_api_fail(e, 404, "InvalidIpv6GatewayId.NotFound",
				   "The specified IPv6 gateway %.64s does not exist.", id);
	sl_ipv6gw_json(res, g, ctime);
	return 0;
}

static json_t *sl_ipv6addr_json(const struct sl_ipv6addr_obj *a, const char *ctime)
{
	json_t *o = json_object(), *bw;
	char buf[SL_PFX_STRLEN];

	sl_api_set_str(o, "Ipv6AddressId", a->id);
	sl_api_set_str(o, "Ipv6Address", sl_ip_fmt(SL_AF_INET6, a->ip.addr, buf, sizeof(buf)));
	sl_api_set_str(o, "VSwitchId", a->vswitch_id);
	sl_api_set_str(o, "VpcId", a->vswitch ? a->vswitch->vpc_id : "");
	sl_api_set_str(o, "Ipv6GatewayId", a->gw ? a->gw->id : "");
	sl_api_set_str(o, "Ipv6AddressName", a->name);
	sl_api_set_str(o, "Ipv6AddressDescription", a->description);
	sl_api_set_str(o, "AddressType", "Ipv6Address");
	sl_api_set_str(o, "AssociatedInstanceId", a->instance ? a->instance->id : "");
	sl_api_set_str(o, "AssociatedInstanceType", a->instance ? "EcsInstance" : "");
	sl_api_set_str(o, "Status", sl_status_name(a->st.status));
	sl_api_set_str(o, "NetworkType", a->bw ? "Public" : "Private");
	sl_api_set_str(o, "Ipv6Isp", "BGP");
	json_object_set_new(o, "RealBandwidth", json_integer(a->bw ? a->bw->bandwidth : 0));
	if (a->bw) {
		bw = json_object();
		sl_api_set_str(bw, "Ipv6InternetBandwidthId", a->bw->id);
		json_object_set_new(bw, "Bandwidth", json_integer(a->bw->bandwidth));
		sl_api_set_str(bw, "InternetChargeType", a->bw->charge_type);
		sl_api_set_str(bw, "InstanceChargeType", "PostPaid");
		sl_api_set_str(bw, "BusinessStatus", "Normal");
		json_object_set_new(o, "Ipv6InternetBandwidth", bw);
	}
	sl_api_set_ctime(o, &a->st, ctime);
	json_object_set(o, "AllocationTime", json_object_get(o, "CreationTime"));
	json_object_del(o, "CreationTime");
	return o;
}

static int sl_describe_ipv6addrs(const struct sl_store *s, const struct sl_api_params *p,
				 json_t *res, const char *ctime, struct sl_api_err *e)
{
	const char *rid;
	struct sl_api_list l;

	if (sl_api_list_region(&l, s, p, &rid, e) < 0)
		return -1;
	for (unsigned int i = 0; i < s->ipv6addr_v.n; i++) {
		const struct sl_ipv6addr_obj *a = s->ipv6addr_v.v[i];
		const struct sl_vpc_obj *v = a->vswitch ? a->vswitch->vpc : NULL;
		char buf[SL_PFX_STRLEN];

		if (v == NULL || strcmp(v->region_id, rid) != 0 ||
		    !sl_api_filter_ids(p, "Ipv6AddressId", a->id) ||
		    !sl_api_filter(p, "Ipv6Address",
				   sl_ip_fmt(SL_AF_INET6, a->ip.addr, buf, sizeof(buf))) ||
		    !sl_api_filter(p, "VSwitchId", a->vswitch_id) ||
		    !sl_api_filter(p, "VpcId", v->id) || !sl_api_filter(p, "Name", a->name) ||
		    !sl_api_filter(p, "AssociatedInstanceId", a->instance ? a->instance->id : "") ||
		    !sl_api_filter(p, "AssociatedInstanceType", a->instance ? "EcsInstance" : "") ||
		    !sl_api_filter(p, "Ipv6InternetBandwidthId", a->bw ? a->bw->id : "") ||
		    !sl_api_filter(p, "NetworkType", a->bw ? "Public" : "Private"))
			continue;
		if (sl_api_list_match(&l))
			json_array_append_new(l.items, sl_ipv6addr_json(a, ctime));
	}
	sl_api_list_end(&l, res, "Ipv6Addresses", "Ipv6Address");
	return 0;
}

static int sl_describe_ipv6egress(const struct sl_store *s, const struct sl_api_params *p,
				  json_t *res, struct sl_api_err *e)
{
	const char *rid, *gid = sl_api_param(p, "Ipv6GatewayId");
	struct sl_api_list l;

	if (sl_api_list_region(&l, s, p, &rid, e) < 0)
		return -1;
	if (gid == NULL || *gid == '\0')
		return sl_api_fail(e, 400, "MissingParameter",
				   "The input parameter \"Ipv6GatewayId\" that is mandatory for "
				   "processing this request is not supplied.");
	if (sl_jsl_get(s->ipv6gws, gid) == NULL)
		return sl_api_fail(e, 404, "InvalidIpv6GatewayId.NotFound",
				   "The specified IPv6 gateway %.64s does not exist.", gid);
	for (unsigned int i = 0; i < s->ipv6egress_v.n; i++) {
		const struct sl_ipv6egress_obj *r = s->ipv6egress_v.v[i];
		json_t *o;

		if (strcmp(r->gw_id, gid) != 0 ||
		    !sl_api_filter_ids(p, "Ipv6EgressOnlyRuleId", r->id) ||
		    !sl_api_filter(p, "InstanceId", r->instance_id) ||
		    !sl_api_filter(p, "InstanceType", r->instance_type) ||
		    !sl_api_filter(p, "Name", r->name))
			continue;
		if (sl_api_list_match(&l)) {
			o = json_object();
			sl_api_set_str(o, "Ipv6EgressOnlyRuleId", r->id);
			sl_api_set_str(o, "InstanceId", r->instance_id);
			sl_api_set_str(o, "InstanceType", r->instance_type);
			sl_api_set_str(o, "Name", r->name);
			sl_api_set_str(o, "Description", r->description);
			sl_api_set_str(o, "Status", sl_status_name(r->st.status));
			json_array_append_new(l.items, o);
		}
	}
	sl_api_list_end(&l, res, "Ipv6EgressOnlyRules", "Ipv6EgressOnlyRule");
	return 0;
}

bool sl_api_ipv6_known(const char *action)
{
	static const char *const v[] = {"DescribeIpv6Gateways", "DescribeIpv6GatewayAttribute",
					"DescribeIpv6Addresses", "DescribeIpv6EgressOnlyRules",
					NULL};

	for (const char *const *a = v; *a; a++)
		if (strcmp(action, *a) == 0)
			return true;
	return false;
}

int sl_api_ipv6_describe(const struct sl_store *s, const char *action,
			 const struct sl_api_params *p, json_t *res, const char *ctime,
			 struct sl_api_err *e)
{
	if (strcmp(action, "DescribeIpv6Gateways") == 0)
		return sl_describe_ipv6gws(s, p, res, ctime, e);
	if (strcmp(action, "DescribeIpv6GatewayAttribute") == 0)
		return sl_describe_ipv6gw_attr(s, p, res, ctime, e);
	if (strcmp(action, "DescribeIpv6Addresses") == 0)
		return sl_describe_ipv6addrs(s, p, res, ctime, e);
	return sl_describe_ipv6egress(s, p, res, e);
}
