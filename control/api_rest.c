/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 gateway REST API of seed 000 (spec digest seed-ipv6-gateway.md
 * section 1; docs/api.md, "IPv6 gateway REST API"): the twelve endpoints
 * under /api/vpc/v1.0/ipv6Gateways, the x-regionid header, the
 * {requestId, code, message, data} envelope and its paging.
 *
 * Design note: one store. The GET endpoints read the current validated
 * store as the RPC Describe actions do; every change is the matching RPC
 * action run through sl_api_mut_run() (api_ipv6gw.c: the same checks,
 * validation, ClientToken-free write, COMMIT before the answer), so the two
 * APIs cannot disagree. The batch endpoints (create route rules, buy
 * bandwidth) run one action per item and report each item's success or
 * failure, as the document allows; an item answered "success" is durable.
 * Errors of the RPC layer are renamed into the document's codes
 * (IllegalParam.Bandwidth -> IPv6Gateway.InvalidParameter.bandwidth, ...)
 * or prefixed with the endpoint group's prefix (IPv6Gateway. or IGW.).
 *
 * Authentication: seed 000 defers signing to a "common part" document that
 * is not among the seeds; sluice uses ACS3-HMAC-SHA256 with the RPC API's
 * access keys (api_auth.c: the same canonical request over the REST path,
 * query and body hash, the same window and nonce rules).
 *
 * Concurrency: single-threaded (sluiced's event loop), like api_http.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sl_api_http.h"
#include "sl_api_rest.h"
#include "sl_api_vpc.h"
#include "sl_judy.h"
#include "sl_validate.h"

#define SL_REST_PREFIX "/api/vpc/v1.0/ipv6Gateways"
#define SL_REST_SIZE_MAX 100 /* sluice's cap: the document gives no maximum */
#define SL_REST_BW_IDS_MAX 10
#define SL_REST_RULES_MAX 100 /* rules per create request (sluice's cap) */

struct sl_rest {
	struct sl_api_server *srv;
	const struct sl_store *s;
	const char *rid;
	char akid[128];
	struct sl_api_params q; /* query parameters */
	json_t *body;		/* the JSON body (an object), or NULL */
	const char *prefix;	/* "IPv6Gateway." or "IGW." */
	time_t now;
};

bool sl_api_rest_path(const char *path)
{
	return strncmp(path, "/api/", 5) == 0;
}

/* ---- errors --------------------------------------------------------------------- */

/* RPC codes and their names in the REST document's table. */
static const char *const sl_rest_renames[] = {"IllegalParam.Name",
					      "IPv6Gateway.InvalidParameter.name",
					      "IllegalParam.Description",
					      "IPv6Gateway.InvalidParameter.description",
					      "IllegalParam.Bandwidth",
					      "IPv6Gateway.InvalidParameter.bandwidth",
					      "InvalidIpv6GatewayId.NotFound",
					      "IPv6Gateway.ResourceNotFound.ipv6gateway",
					      "InvalidIpv6Instance.NotFound",
					      "IPv6Gateway.ResourceNotFound.ipv6bandwidth",
					      "Forbidden.ConfigFileObject",
					      "IPv6Gateway.Forbidden",
					      NULL};

/* The REST name of an error code of the RPC layer, into e->codebuf. */
static void sl_rest_rename(const struct sl_rest *x, struct sl_api_err *e)
{
	char buf[sizeof(e->codebuf)];

	for (const char *const *r = sl_rest_renames; *r; r += 2)
		if (strcmp(e->code, r[0]) == 0) {
			e->code = r[1];
			return;
		}
	if (strncmp(e->code, "IPv6Gateway.", 12) == 0 || strncmp(e->code, "IGW.", 4) == 0)
		return;
	snprintf(buf, sizeof(buf), "%s%s", x->prefix, e->code);
	memcpy(e->codebuf, buf, sizeof(buf));
	e->code = e->codebuf;
}

/* ---- the envelope and paging -------------------------------------------------------- */

static char *sl_rest_render(const char *request_id, const char *code, const char *message,
			    json_t *data)
{
	json_t *o = json_object();
	char *s;

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "requestId", json_string(request_id));
	json_object_set_new(o, "code", json_string(code));
	json_object_set_new(o, "message", json_string(message));
	/* errors and writes that return nothing carry {} */
	json_object_set_new(o, "data", data ? json_incref(data) : json_object());
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

struct sl_rest_page {
	long size, current, total;
	json_t *list;
};

static int sl_rest_int_param(const struct sl_rest *x, const char *k, long dflt, long max, long *out,
			     struct sl_api_err *e)
{
	const char *v = sl_api_param(&x->q, k);
	char *end;

	*out = dflt;
	if (v == NULL)
		return 0;
	*out = strtol(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || *out < 1 || *out > max)
		return sl_api_fail(e, 400,
				   strcmp(k, "size") == 0 ? "IPv6Gateway.InvalidParameter.size"
							  : "IPv6Gateway.InvalidParameter.current",
				   "%s must be an integer from 1 to %ld.", k, max);
	return 0;
}

static int sl_rest_page_start(struct sl_rest_page *pg, const struct sl_rest *x,
			      struct sl_api_err *e)
{
	memset(pg, 0, sizeof(*pg));
	if (sl_rest_int_param(x, "size", 10, SL_REST_SIZE_MAX, &pg->size, e) < 0 ||
	    sl_rest_int_param(x, "current", 1, 1L << 30, &pg->current, e) < 0)
		return -1;
	pg->list = json_array();
	return pg->list ? 0 : sl_api_fail(e, 500, "InternalError", "out of memory");
}

/* Count one match; append `item` if it falls on the page (else free it). */
static void sl_rest_page_add(struct sl_rest_page *pg, json_t *item)
{
	long first = (pg->current - 1) * pg->size;

	if (pg->total >= first && pg->total < first + pg->size)
		json_array_append_new(pg->list, item);
	else
		json_decref(item);
	pg->total++;
}

static bool sl_rest_page_wants(const struct sl_rest_page *pg)
{
	long first = (pg->current - 1) * pg->size;

	return pg->total >= first && pg->total < first + pg->size;
}

static json_t *sl_rest_page_end(struct sl_rest_page *pg)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:o}", "total", (json_int_t)pg->total, "size",
			 (json_int_t)pg->size, "current", (json_int_t)pg->current, "totalPage",
			 (json_int_t)((pg->total + pg->size - 1) / pg->size), "list", pg->list);
}

/* "2022-05-11 13:54:56" (UTC; the document gives no zone). */
static void sl_rest_time(const struct sl_rest *x, int64_t t, char out[32])
{
	time_t tt = t ? (time_t)t : x->srv->created;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

/* A filter: absent or empty, or equal. */
static bool sl_rest_filter(const struct sl_rest *x, const char *k, const char *v)
{
	const char *f = sl_api_param(&x->q, k);

	return f == NULL || *f == '\0' || strcmp(f, v) == 0;
}

/* A filter holding a comma-separated list of accepted values. */
static bool sl_rest_filter_list(const struct sl_rest *x, const char *k, const char *v)
{
	const char *f = sl_api_param(&x->q, k);

	return f == NULL || *f == '\0' || sl_api_in_list(f, v);
}

/* ---- running an RPC action -------------------------------------------------------- */

/* Run mutating `action` with RegionId and the NULL-terminated pairs. 0 and
 * *result, or -1 with `e` renamed for REST. A change replaces the store:
 * objects looked up before (and their ids) must not be used after. */
static int sl_rest_run(struct sl_rest *x, const char *action, const char *const *pairs,
		       json_t **result, struct sl_api_err *e)
{
	struct sl_api_params p;
	int rc = 0;

	*result = NULL;
	if (x->srv->mut == NULL)
		return sl_api_fail(e, 503, "ServiceUnavailable",
				   "This sluiced has no database: the API is read-only.");
	sl_api_params_init(&p);
	rc = sl_api_params_add(&p, "RegionId", x->rid);
	for (; rc == 0 && pairs[0]; pairs += 2)
		if (pairs[1])
			rc = sl_api_params_add(&p, pairs[0], pairs[1]);
	if (rc < 0)
		rc = sl_api_fail(e, 500, "InternalError", "out of memory");
	else
		rc = sl_api_mut_run(x->srv->mut, x->akid, action, &p, x->now, result, e);
	sl_api_params_free(&p);
	/* a change replaced the store: what the caller looked up is gone */
	x->s = x->srv->store(x->srv->store_arg);
	if (rc < 0)
		sl_rest_rename(x, e);
	return rc;
}

/* A string field of the body: NULL if absent; -1 with `e` if not a string. */
static int sl_rest_str(const struct sl_rest *x, const char *k, bool required, const char **out,
		       struct sl_api_err *e)
{
	json_t *v = x->body ? json_object_get(x->body, k) : NULL;

	*out = NULL;
	if ((v == NULL || json_is_null(v)) && !required)
		return 0;
	if (v == NULL || json_is_null(v))
		sl_api_fail(e, 400, "MissingParameter", "%s is required.", k);
	else if (!json_is_string(v))
		sl_api_fail(e, 400, "InvalidParameter", "%s must be a string.", k);
	if (v == NULL || json_is_null(v) || !json_is_string(v)) {
		/* IPv6Gateway.MissingParameter.bandwidth, IGW.InvalidParameter.destination */
		snprintf(e->codebuf, sizeof(e->codebuf), "%s%s.%s", x->prefix, e->code, k);
		e->code = e->codebuf;
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* ---- gateways ------------------------------------------------------------------------ */

static unsigned int sl_rest_ipv6_num(const struct sl_store *s, const struct sl_ipv6gw_obj *g)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < s->ipv6addr_v.n; i++) {
		const struct sl_ipv6addr_obj *a = s->ipv6addr_v.v[i];

		n += a->vswitch && a->vswitch->vpc == g->vpc;
	}
	return n;
}

static const char *sl_rest_status(const struct sl_obj_state *st)
{
	return st->status == SL_STATUS_AVAILABLE ? "Available" : "Unavailable";
}

static json_t *sl_rest_gw_json(const struct sl_rest *x, const struct sl_ipv6gw_obj *g)
{
	char t[32];

	sl_rest_time(x, g->st.created, t);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "regionId",
			 g->vpc->region_id, "ipv6GatewayId", g->id, "name", g->name, "description",
			 g->description, "vpcId", g->vpc_id, "status", sl_rest_status(&g->st),
			 "ipv6Num", (json_int_t)sl_rest_ipv6_num(x->s, g), "tenantId", "",
			 "departmentId", "", "departmentName", "", "departmentNamePath", "",
			 "resourceGroupId", "", "resourceGroupName", "", "createdAt", t);
}

static int sl_rest_list_gws(struct sl_rest *x, json_t **data, struct sl_api_err *e)
{
	struct sl_rest_page pg;

	if (sl_rest_page_start(&pg, x, e) < 0)
		return -1;
	for (unsigned int i = 0; i < x->s->ipv6gw_v.n; i++) {
		const struct sl_ipv6gw_obj *g = x->s->ipv6gw_v.v[i];

		if (g->vpc == NULL || strcmp(g->vpc->region_id, x->rid) != 0 ||
		    !sl_rest_filter(x, "vpcId", g->vpc_id) ||
		    !sl_rest_filter(x, "ipv6GatewayId", g->id) ||
		    !sl_rest_filter(x, "name", g->name) ||
		    !sl_rest_filter(x, "status", sl_rest_status(&g->st)) ||
		    !sl_rest_filter(x, "departmentId", "") ||
		    !sl_rest_filter(x, "resourceGroupId", ""))
			continue;
		sl_rest_page_add(&pg, sl_rest_page_wants(&pg) ? sl_rest_gw_json(x, g) : NULL);
	}
	*data = sl_rest_page_end(&pg);
	return 0;
}

/* Name: 1-127 characters of letters (any non-ASCII counts as one, as
 * Chinese does), digits, '_', '-', '.', starting with a letter (seed 000). */
static bool sl_rest_name_ok(const char *n)
{
	size_t len = 0;

	if (!((unsigned char)n[0] >= 0x80 || (n[0] >= 'a' && n[0] <= 'z') ||
	      (n[0] >= 'A' && n[0] <= 'Z')))
		return false;
	for (const unsigned char *c = (const unsigned char *)n; *c; c++) {
		if ((*c & 0xc0) != 0x80)
			len++;
		if (!(*c >= 0x80 || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' || *c == '.'))
			return false;
	}
	return len <= 127;
}

static int sl_rest_modify_gw(struct sl_rest *x, const struct sl_ipv6gw_obj *g, json_t **data,
			     struct sl_api_err *e)
{
	const char *name, *desc;
	const char *pairs[] = {"Ipv6GatewayId", g->id, "Name", NULL, "Description", NULL, NULL};

	if (sl_rest_str(x, "name", false, &name, e) < 0 ||
	    sl_rest_str(x, "description", false, &desc, e) < 0)
		return -1;
	if (name && !sl_rest_name_ok(name))
		return sl_api_fail(e, 400, "IPv6Gateway.InvalidParameter.name",
				   "The name must start with a letter or a Chinese character and "
				   "hold 1-127 letters, digits, '_', '-' and '.'.");
	pairs[3] = name;
	pairs[5] = desc;
	if (sl_rest_run(x, "ModifyIpv6GatewayAttribute", pairs, data, e) < 0)
		return -1;
	return 0;
}

/* ---- addresses ------------------------------------------------------------------------- */

static json_t *sl_rest_addr_json(const struct sl_rest *x, const struct sl_ipv6addr_obj *a)
{
	const struct sl_ipv6bw_obj *b = a->bw;
	char ip[SL_PFX_STRLEN], t[32] = "";

	if (b)
		sl_rest_time(x, b->st.created, t);
	sl_ip_fmt(SL_AF_INET6, a->ip.addr, ip, sizeof(ip));
	return json_pack(
	    "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:b,s:s,s:s,s:s,s:s,s:b}", "ipv6AddressId", a->id,
	    "ipv6Address", ip, "subnetId", a->vswitch_id, "status", sl_rest_status(&a->st),
	    "ipv6BandwidthId", b ? b->id : "", "chargeMode",
	    b && strcmp(b->charge_type, "PayByTraffic") == 0 ? "Traffic" : "Bandwidth", "payMode",
	    "OnDemand", "bandwidth", (json_int_t)(b ? b->bandwidth : 0), "lineType", "noBGP",
	    "enableBandwidth", b == NULL && a->gw != NULL && !sl_ipv6_ula(&a->ip),
	    "associatedInstanceId", a->instance ? a->instance->id : "", "associatedInstanceType",
	    a->instance ? "ECS" : "", "bandwidthCreatedTime", t, "expireTime", "", "bCanOperate",
	    a->st.from_db && (b == NULL || b->st.from_db));
}

static int sl_rest_list_addrs(struct sl_rest *x, const struct sl_ipv6gw_obj *g, json_t **data,
			      struct sl_api_err *e)
{
	const char *want = sl_api_param(&x->q, "ipv6Address");
	struct sl_rest_page pg;
	struct sl_pfx w;

	if (want && *want && sl_ip_parse(want, &w) != SL_PFX_OK)
		return sl_api_fail(e, 400, "IPv6Gateway.InvalidParameter.ipv6Address",
				   "'%.64s' is not an IPv6 address.", want);
	if (sl_rest_page_start(&pg, x, e) < 0)
		return -1;
	for (unsigned int i = 0; i < x->s->ipv6addr_v.n; i++) {
		const struct sl_ipv6addr_obj *a = x->s->ipv6addr_v.v[i];

		if (a->vswitch == NULL || a->vswitch->vpc != g->vpc ||
		    (want && *want && (w.family != SL_AF_INET6 || w.addr != a->ip.addr)) ||
		    !sl_rest_filter(x, "instanceId", a->instance ? a->instance->id : "") ||
		    !sl_rest_filter_list(x, "status", sl_rest_status(&a->st)) ||
		    !sl_rest_filter_list(x, "associatedInstanceType", a->instance ? "ECS" : ""))
			continue;
		sl_rest_page_add(&pg, sl_rest_page_wants(&pg) ? sl_rest_addr_json(x, a) : NULL);
	}
	*data = sl_rest_page_end(&pg);
	return 0;
}

/* ---- route rules ------------------------------------------------------------------------- */

static json_t *sl_rest_rule_json(const struct sl_rest *x, const struct sl_ipv6rule_obj *r)
{
	char d[SL_PFX_STRLEN], c[32], u[32];

	sl_pfx_fmt(&r->dest, d, sizeof(d));
	sl_rest_time(x, r->st.created, c);
	sl_rest_time(x, r->updated ? r->updated : r->st.created, u);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "routeRuleId", r->id, "status",
			 "Active", "destination", d, "description", r->description, "nextHopType",
			 r->next_hop_type, "nextHopInstanceId", r->next_hop_id, "routeRuleType",
			 "custom", "createdAt", c, "updatedAt", u);
}

static int sl_rest_list_rules(struct sl_rest *x, const struct sl_ipv6gw_obj *g, json_t **data,
			      struct sl_api_err *e)
{
	const char *dest = sl_api_param(&x->q, "destination");
	struct sl_rest_page pg;
	struct sl_pfx want;

	if (dest && *dest && sl_cfg_ipv6_dest(dest, &want) < 0)
		return sl_api_fail(e, 400, "IPv6Gateway.InvalidParameter.Destination",
				   "'%.64s' is not an IPv6 CIDR block.", dest);
	if (sl_rest_page_start(&pg, x, e) < 0)
		return -1;
	for (unsigned int i = 0; i < x->s->ipv6rule_v.n; i++) {
		const struct sl_ipv6rule_obj *r = x->s->ipv6rule_v.v[i];

		if (r->gw != g || (dest && *dest && !sl_pfx_equal(&want, &r->dest)) ||
		    !sl_rest_filter(x, "vpcId", g->vpc_id) ||
		    !sl_rest_filter(x, "nextHopInstanceId", r->next_hop_id) ||
		    !sl_rest_filter(x, "nextHopType", r->next_hop_type))
			continue;
		sl_rest_page_add(&pg, sl_rest_page_wants(&pg) ? sl_rest_rule_json(x, r) : NULL);
	}
	*data = sl_rest_page_end(&pg);
	return 0;
}

static int sl_rest_create_rules(struct sl_rest *x, const struct sl_ipv6gw_obj *g, json_t **data,
				struct sl_api_err *e)
{
	json_t *rules = x->body ? json_object_get(x->body, "igwRouteRules") : NULL, *it;
	json_t *ok = json_array(), *bad = json_array();
	char gid[SL_ID_LEN];
	size_t i;

	snprintf(gid, sizeof(gid), "%s", g->id); /* g does not outlive a change */
	if (!json_is_array(rules) || json_array_size(rules) == 0) {
		json_decref(ok);
		json_decref(bad);
		return sl_api_fail(e, 400, "IGW.MissingParameter.igwRouteRules",
				   "igwRouteRules (a non-empty array of rules) is required.");
	}
	if (json_array_size(rules) > SL_REST_RULES_MAX) {
		json_decref(ok);
		json_decref(bad);
		return sl_api_fail(e, 400, "IGW.InvalidParameter.igwRouteRules",
				   "At most %d rules per request.", SL_REST_RULES_MAX);
	}
	json_array_foreach(rules, i, it)
	{
		struct sl_rest one = *x;
		struct sl_api_err ie = {0};
		const char *dest = NULL, *type = NULL, *hop = NULL, *desc = NULL;
		json_t *res = NULL;
		int rc;

		one.body = json_is_object(it) ? it : NULL;
		rc = one.body ? 0
			      : sl_api_fail(&ie, 400, "IGW.InvalidParameter.igwRouteRules",
					    "Each rule must be a JSON object.");
		if (rc == 0)
			rc = sl_rest_str(&one, "destination", true, &dest, &ie) < 0 ||
				     sl_rest_str(&one, "nextHopType", true, &type, &ie) < 0 ||
				     sl_rest_str(&one, "nextHopInstanceId", true, &hop, &ie) < 0 ||
				     sl_rest_str(&one, "description", false, &desc, &ie) < 0
				 ? -1
				 : 0;
		if (rc == 0) {
			const char *pairs[] = {
			    "Ipv6GatewayId",	 gid, "Destination", dest, "NextHopType", type,
			    "NextHopInstanceId", hop, "Description", desc, NULL};

			rc = sl_rest_run(&one, "CreateIpv6GatewayRouteRule", pairs, &res, &ie);
		}
		if (rc == 0) {
			json_array_append_new(
			    ok, json_pack("{s:O,s:O,s:O,s:O}", "igwRouteRuleId",
					  json_object_get(res, "RouteRuleId"), "destination",
					  json_object_get(res, "Destination"), "nextHopType",
					  json_object_get(res, "NextHopType"), "nextHopInstanceId",
					  json_object_get(res, "NextHopInstanceId")));
		} else {
			json_array_append_new(
			    bad, json_pack("{s:s,s:s,s:s,s:s,s:s}", "destination", dest ? dest : "",
					   "nextHopType", type ? type : "", "nextHopInstanceId",
					   hop ? hop : "", "code", ie.code, "message", ie.msg));
		}
		json_decref(res);
		x->s = one.s; /* the store after this item */
	}
	*data = json_pack("{s:o,s:o}", "successItems", ok, "failureItems", bad);
	return 0;
}

static const struct sl_ipv6rule_obj *sl_rest_rule(const struct sl_rest *x,
						  const struct sl_ipv6gw_obj *g, const char *id,
						  struct sl_api_err *e)
{
	const struct sl_ipv6rule_obj *r = sl_jsl_get(x->s->ipv6rules, id);

	if (r == NULL || r->gw != g)
		sl_api_fail(e, 404, "IGW.ResourceNotFound.routeRule",
			    "The route rule %.64s does not exist on IPv6 gateway %s.", id, g->id);
	return r && r->gw == g ? r : NULL;
}

static int sl_rest_update_rule(struct sl_rest *x, const struct sl_ipv6gw_obj *g, const char *id,
			       json_t **data, struct sl_api_err *e)
{
	const char *dest, *type, *hop, *desc;
	json_t *res = NULL;

	if (sl_rest_rule(x, g, id, e) == NULL ||
	    sl_rest_str(x, "destination", true, &dest, e) < 0 ||
	    sl_rest_str(x, "nextHopType", false, &type, e) < 0 ||
	    sl_rest_str(x, "nextHopInstanceId", false, &hop, e) < 0 ||
	    sl_rest_str(x, "description", false, &desc, e) < 0)
		return -1;
	const char *pairs[] = {"RouteRuleId",	    id,	 "Destination", dest, "NextHopType", type,
			       "NextHopInstanceId", hop, "Description", desc, NULL};
	if (sl_rest_run(x, "ModifyIpv6GatewayRouteRule", pairs, &res, e) < 0)
		return -1;
	json_decref(res);
	*data = json_pack("{s:s}", "routeRuleId", id);
	return 0;
}

static int sl_rest_delete_rule(struct sl_rest *x, const struct sl_ipv6gw_obj *g, const char *id,
			       json_t **data, struct sl_api_err *e)
{
	const char *pairs[] = {"RouteRuleId", id, NULL};
	json_t *res = NULL;

	if (sl_rest_rule(x, g, id, e) == NULL ||
	    sl_rest_run(x, "DeleteIpv6GatewayRouteRule", pairs, &res, e) < 0)
		return -1;
	json_decref(res);
	*data = json_object();
	return 0;
}

/* ---- bandwidths ------------------------------------------------------------------------- */

/* bandwidth: a required integer 1-5000 (seed 004's PayByBandwidth range:
 * the REST document gives none) into buf. */
static int sl_rest_bandwidth(const struct sl_rest *x, char buf[24], struct sl_api_err *e)
{
	json_t *v = x->body ? json_object_get(x->body, "bandwidth") : NULL;
	json_int_t n;

	if (v == NULL || json_is_null(v))
		return sl_api_fail(e, 400, "IPv6Gateway.MissingParameter.bandwidth",
				   "bandwidth (Mbps) is required.");
	n = json_is_integer(v) ? json_integer_value(v) : -1;
	if (n < SL_IPV6_BW_MIN || n > SL_IPV6_BW_MAX)
		return sl_api_fail(e, 400, "IPv6Gateway.InvalidParameter.bandwidth",
				   "bandwidth must be an integer from %d to %d (Mbps).",
				   SL_IPV6_BW_MIN, SL_IPV6_BW_MAX);
	snprintf(buf, 24, "%lld", (long long)n);
	return 0;
}

static int sl_rest_buy(struct sl_rest *x, const struct sl_ipv6gw_obj *g, json_t **data,
		       struct sl_api_err *e)
{
	json_t *ids = x->body ? json_object_get(x->body, "ipv6Ids") : NULL, *it;
	const char *pay, *charge, *line;
	json_t *ok, *bad;
	char bw[24], gid[SL_ID_LEN];
	size_t i;

	snprintf(gid, sizeof(gid), "%s", g->id); /* g does not outlive a change */
	if (sl_rest_bandwidth(x, bw, e) < 0 || sl_rest_str(x, "payMode", false, &pay, e) < 0 ||
	    sl_rest_str(x, "chargeMode", true, &charge, e) < 0 ||
	    sl_rest_str(x, "lineType", true, &line, e) < 0)
		return -1;
	if (pay && strcmp(pay, "OnDemand") != 0)
		return sl_api_fail(e, 400, "IPv6Gateway.InvalidParameter.payMode",
				   "payMode %.16s: sluice bills nothing and offers OnDemand only.",
				   pay);
	if (strcmp(charge, "Bandwidth") != 0)
		return sl_api_fail(e, 400, "IPv6Gateway.InvalidParameter.chargeMode",
				   "chargeMode must be Bandwidth.");
	if (strcmp(line, "noBGP") != 0)
		return sl_api_fail(e, 400, "IPv6Gateway.InvalidParameter.lineType",
				   "lineType must be noBGP.");
	if (ids == NULL)
		return sl_api_fail(e, 400, "IPv6Gateway.MissingParameter.ipv6Ids",
				   "ipv6Ids is required.");
	if (!json_is_array(ids) || json_array_size(ids) == 0 ||
	    json_array_size(ids) > SL_REST_BW_IDS_MAX)
		return sl_api_fail(e, 400, "IPv6Gateway.InvalidParameter.ipv6Ids",
				   "ipv6Ids must be an array of 1 to %d IPv6 address ids.",
				   SL_REST_BW_IDS_MAX);
	json_array_foreach(ids, i, it) if (!json_is_string(it)) return sl_api_fail(
	    e, 400, "IPv6Gateway.InvalidParameter.ipv6Ids", "ipv6Ids[%zu] is not a string.", i);
	ok = json_array();
	bad = json_array();
	json_array_foreach(ids, i, it)
	{
		const char *pairs[] = {"Ipv6AddressId",
				       json_string_value(it),
				       "Ipv6GatewayId",
				       gid,
				       "Bandwidth",
				       bw,
				       "InternetChargeType",
				       "PayByBandwidth",
				       NULL};
		struct sl_api_err ie = {0};
		json_t *res = NULL;

		if (sl_rest_run(x, "AllocateIpv6InternetBandwidth", pairs, &res, &ie) == 0)
			json_array_append_new(
			    ok, json_pack("{s:O,s:O}", "ipv6Id",
					  json_object_get(res, "Ipv6AddressId"), "ipv6BandwidthId",
					  json_object_get(res, "InternetBandwidthId")));
		else
			json_array_append_new(bad, json_pack("{s:O,s:s,s:s}", "ipv6Id", it, "code",
							     ie.code, "message", ie.msg));
		json_decref(res);
	}
	*data = json_pack("{s:o,s:o}", "successItems", ok, "failureItems", bad);
	return 0;
}

static const struct sl_ipv6bw_obj *sl_rest_bw(const struct sl_rest *x,
					      const struct sl_ipv6gw_obj *g, const char *id,
					      struct sl_api_err *e)
{
	const struct sl_ipv6bw_obj *b = sl_jsl_get(x->s->ipv6bws, id);

	if (b == NULL || b->gw != g) {
		sl_api_fail(e, 404, "IPv6Gateway.ResourceNotFound.ipv6bandwidth",
			    "The bandwidth %.64s does not exist on IPv6 gateway %s.", id, g->id);
		return NULL;
	}
	return b;
}

static int sl_rest_bw_change(struct sl_rest *x, const struct sl_ipv6gw_obj *g, const char *id,
			     bool del, json_t **data, struct sl_api_err *e)
{
	const char *pairs[] = {"Ipv6InternetBandwidthId", id, "Bandwidth", NULL, NULL};
	json_t *res = NULL;
	char bw[24];

	if (sl_rest_bw(x, g, id, e) == NULL || (!del && sl_rest_bandwidth(x, bw, e) < 0))
		return -1;
	pairs[3] = del ? NULL : bw;
	if (sl_rest_run(x, del ? "DeleteIpv6InternetBandwidth" : "ModifyIpv6InternetBandwidth",
			pairs, &res, e) < 0)
		return -1;
	json_decref(res);
	*data = json_object(); /* OnDemand: no order, no approval */
	return 0;
}

static int sl_rest_renew(struct sl_rest *x, const struct sl_ipv6gw_obj *g, const char *id,
			 struct sl_api_err *e)
{
	const char *type;
	json_t *num = x->body ? json_object_get(x->body, "periodNum") : NULL;
	json_int_t n, max;

	if (sl_rest_bw(x, g, id, e) == NULL || sl_rest_str(x, "periodType", false, &type, e) < 0)
		return -1;
	if (type && strcmp(type, "Year") && strcmp(type, "Month"))
		return sl_api_fail(e, 400, "IPv6Gateway.InvalidParameter.periodType",
				   "periodType must be Year or Month.");
	max = type && strcmp(type, "Year") == 0 ? 5 : 9;
	n = num == NULL ? 1 : json_is_integer(num) ? json_integer_value(num) : 0;
	if (n < 1 || n > max)
		return sl_api_fail(e, 400, "IPv6Gateway.InvalidParameter.periodNum",
				   "periodNum must be 1-%lld for this periodType.", (long long)max);
	return sl_api_fail(e, 400, "IPv6Gateway.OperationUnsupported.OnDemand",
			   "Only subscription (ByCycle) bandwidth can be renewed; bandwidth %.64s "
			   "is OnDemand (sluice offers no other).",
			   id);
}

/* ---- routing ------------------------------------------------------------------------- */

/* Split what follows SL_REST_PREFIX into at most 4 segments; -1 if the
 * path is not one of the document's. */
static int sl_rest_split(const char *path, char seg[4][SL_ID_LEN + 1])
{
	const char *c;
	int n = 0;

	if (strncmp(path, SL_REST_PREFIX, strlen(SL_REST_PREFIX)) != 0)
		return -1;
	c = path + strlen(SL_REST_PREFIX);
	if (*c == '\0')
		return 0;
	while (*c == '/' && c[1]) {
		size_t len = strcspn(++c, "/");

		if (n == 4 || len == 0 || len > SL_ID_LEN)
			return -1;
		memcpy(seg[n], c, len);
		seg[n++][len] = '\0';
		c += len;
	}
	return *c == '\0' || (*c == '/' && c[1] == '\0') ? n : -1;
}

/* 405 for a known path with another method; returns -1. */
static int sl_rest_bad_method(const char *method, const char *allowed, struct sl_api_err *e)
{
	return sl_api_fail(e, 405, "IPv6Gateway.UnsupportedHTTPMethod",
			   "%.8s is not supported here (%s is).", method, allowed);
}

static bool sl_is(const char *method, const char *m)
{
	return strcmp(method, m) == 0;
}

/* /{id}/routeRules[/{routeRuleId}] */
static int sl_rest_route_rules(struct sl_rest *x, const char *method, int n,
			       char seg[4][SL_ID_LEN + 1], const struct sl_ipv6gw_obj *g,
			       json_t **data, struct sl_api_err *e)
{
	x->prefix = "IGW.";
	if (n == 2 && sl_is(method, "GET"))
		return sl_rest_list_rules(x, g, data, e);
	if (n == 2 && sl_is(method, "POST"))
		return sl_rest_create_rules(x, g, data, e);
	if (n == 2)
		return sl_rest_bad_method(method, "GET or POST", e);
	if (sl_is(method, "PUT"))
		return sl_rest_update_rule(x, g, seg[2], data, e);
	if (sl_is(method, "DELETE"))
		return sl_rest_delete_rule(x, g, seg[2], data, e);
	return sl_rest_bad_method(method, "PUT or DELETE", e);
}

/* /{id}/bandwidths, /{id}/bandwidths/{bandwidthId}, /{id}/bandwidths/renew/{bandwidthId} */
static int sl_rest_route_bw(struct sl_rest *x, const char *method, int n,
			    char seg[4][SL_ID_LEN + 1], const struct sl_ipv6gw_obj *g,
			    json_t **data, struct sl_api_err *e)
{
	if (n == 2)
		return sl_is(method, "POST") ? sl_rest_buy(x, g, data, e)
					     : sl_rest_bad_method(method, "POST", e);
	if (n == 4)
		return sl_is(method, "PUT") ? sl_rest_renew(x, g, seg[3], e)
					    : sl_rest_bad_method(method, "PUT", e);
	if (sl_is(method, "PUT") || sl_is(method, "DELETE"))
		return sl_rest_bw_change(x, g, seg[2], sl_is(method, "DELETE"), data, e);
	return sl_rest_bad_method(method, "PUT or DELETE", e);
}

static int sl_rest_route(struct sl_rest *x, const char *method, const char *path, json_t **data,
			 struct sl_api_err *e)
{
	char seg[4][SL_ID_LEN + 1];
	int n = sl_rest_split(path, seg);
	const struct sl_ipv6gw_obj *g;

	if (n < 0 ||
	    (n == 2 && strcmp(seg[1], "ipv6Addresses") && strcmp(seg[1], "routeRules") &&
	     strcmp(seg[1], "bandwidths")) ||
	    (n == 3 && strcmp(seg[1], "routeRules") && strcmp(seg[1], "bandwidths")) ||
	    (n == 4 && (strcmp(seg[1], "bandwidths") || strcmp(seg[2], "renew"))))
		return sl_api_fail(e, 404, "IPv6Gateway.InvalidAction.NotFound",
				   "No such endpoint: the IPv6 gateway API is " SL_REST_PREFIX
				   "[/{ipv6GatewayId}[/ipv6Addresses|routeRules|bandwidths...]].");
	if (n == 0)
		return sl_is(method, "GET") ? sl_rest_list_gws(x, data, e)
					    : sl_rest_bad_method(method, "GET", e);
	g = sl_jsl_get(x->s->ipv6gws, seg[0]);
	if (g == NULL || g->vpc == NULL || strcmp(g->vpc->region_id, x->rid) != 0)
		return sl_api_fail(e, 404, "IPv6Gateway.ResourceNotFound.ipv6gateway",
				   "The IPv6 gateway %s does not exist in region %.64s.", seg[0],
				   x->rid);
	if (n == 1 && sl_is(method, "GET")) {
		*data = sl_rest_gw_json(x, g);
		return 0;
	}
	if (n == 1 && sl_is(method, "PUT"))
		return sl_rest_modify_gw(x, g, data, e);
	if (n == 1)
		return sl_rest_bad_method(method, "GET or PUT", e);
	if (strcmp(seg[1], "ipv6Addresses") == 0)
		return sl_is(method, "GET") ? sl_rest_list_addrs(x, g, data, e)
					    : sl_rest_bad_method(method, "GET", e);
	if (strcmp(seg[1], "routeRules") == 0)
		return sl_rest_route_rules(x, method, n, seg, g, data, e);
	return sl_rest_route_bw(x, method, n, seg, g, data, e);
}

/* ---- the request ------------------------------------------------------------------------ */

void sl_api_rest_handle(struct sl_api_server *srv, const char *method, const char *path,
			const char *query, const char *body, size_t body_len,
			const struct sl_api_params *headers, struct sl_api_reply *r)
{
	struct sl_rest x = {.srv = srv, .prefix = "IPv6Gateway."};
	const char *authz = headers ? sl_api_param(headers, "authorization") : NULL;
	struct sl_api_err e = {0};
	json_t *data = NULL;
	json_error_t je;
	const char *c;
	int rc;

	memset(r, 0, sizeof(r[0]));
	sl_api_request_id(r->request_id);
	sl_api_params_init(&x.q);
	x.now = srv->now ? srv->now() : time(NULL);
	rc = query ? sl_api_params_parse(&x.q, query, strlen(query)) : 0;
	if (rc < 0) {
		sl_api_fail(&e, 400, "IPv6Gateway.InvalidParameter",
			    "The query string is not valid URL encoding.");
		goto fail;
	}
	if (authz == NULL || strncmp(authz, "ACS3-", 5) != 0) {
		sl_api_fail(&e, 403, "IPv6Gateway.Forbidden",
			    "Sign the request with ACS3-HMAC-SHA256 and a sluice access key "
			    "(docs/api.md).");
		goto fail;
	}
	if (sl_api_auth_check_acs3(srv->auth, method, path, &x.q, headers, body, body_len, x.now,
				   &e) < 0)
		goto fail;
	c = strstr(authz, "Credential=");
	if (c)
		snprintf(x.akid, sizeof(x.akid), "%.*s", (int)strcspn(c + 11, ", "), c + 11);
	x.rid = sl_api_param(headers, "x-regionid");
	x.s = srv->store ? srv->store(srv->store_arg) : NULL;
	if (x.rid == NULL || *x.rid == '\0') {
		sl_api_fail(&e, 400, "IPv6Gateway.MissingParameter.x-regionid",
			    "The x-regionid header is required.");
		goto fail;
	}
	if (x.s == NULL) {
		sl_api_fail(&e, 503, "ServiceUnavailable", "no objects loaded yet");
		goto fail;
	}
	if (sl_jsl_get(x.s->regions, x.rid) == NULL) {
		sl_api_fail(&e, 404, "IPv6Gateway.ResourceNotFound.region",
			    "The region %.64s does not exist.", x.rid);
		goto fail;
	}
	if (body_len) {
		x.body = json_loadb(body, body_len, JSON_REJECT_DUPLICATES, &je);
		if (!json_is_object(x.body)) {
			sl_api_fail(&e, 400, "IPv6Gateway.InvalidParameter",
				    "The body must be a JSON object.");
			goto fail;
		}
	}
	if (sl_rest_route(&x, method, path, &data, &e) < 0)
		goto fail;
	r->status = 200;
	r->body = sl_rest_render(r->request_id, "Success", "The request has success", data);
	goto done;
fail:
	r->status = e.http;
	snprintf(r->codebuf, sizeof(r->codebuf), "%s", e.code);
	r->code = r->codebuf;
	r->body = sl_rest_render(r->request_id, e.code, e.msg, NULL);
done:
	r->content_type = "application/json;charset=utf-8";
	json_decref(data);
	json_decref(x.body);
	sl_api_params_free(&x.q);
}
