/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Read-only RPC actions of the VPC API over the object store:
 * DescribeRegions, DescribeZones, DescribeVpcs, DescribeVSwitches,
 * DescribeRouteTables.
 *
 * Design note: results are built as jansson objects in the documents' key
 * names and shapes (lists wrapped twice, {"Vpcs":{"Vpc":[...]}}, the
 * irregular "RouteEntrys" key); sl_api_render() turns the same tree into
 * XML. Lists follow the config file's order (the store's v[] arrays), so
 * paging is stable between two calls on the same store. Filters are ANDed
 * (spec digest 1.7).
 *
 * Concurrency: single-threaded (sluiced's event loop).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_api_vpc.h"

static const char *const sl_actions[] = {
    "DescribeRegions",	   "DescribeZones",    "DescribeVpcs",		 "DescribeVSwitches",
    "DescribeRouteTables", "DescribeVRouters", "DescribeRouteEntryList", "DescribeSluiceInstances",
};

bool sl_api_action_known(const char *action)
{
	for (size_t i = 0; i < sizeof(sl_actions) / sizeof(sl_actions[0]); i++)
		if (strcmp(action, sl_actions[i]) == 0)
			return true;
	return sl_api_nat_known(action) || sl_api_ipv6_known(action) || sl_api_havip_known(action) ||
	       sl_api_bwp_known(action);
}

void sl_api_vrouter_id(const char *vpc_id, char *out, size_t size)
{
	if (strncmp(vpc_id, "vpc-", 4) == 0)
		snprintf(out, size, "vrt-%s", vpc_id + 4);
	else
		snprintf(out, size, "vrt-%s", vpc_id);
}

static json_t *sl_jstr(const char *s)
{
	json_t *j = json_string(s ? s : "");

	return j ? j : json_string("");
}

void sl_api_set_str(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, sl_jstr(v));
}

void sl_api_fmt_time(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* CreationTime: the database's for API objects, `dflt` (sluiced's start)
 * for the config file's. */
void sl_api_set_ctime(json_t *o, const struct sl_obj_state *st, const char *dflt)
{
	char buf[32];

	if (st->created) {
		sl_api_fmt_time((time_t)st->created, buf);
		sl_api_set_str(o, "CreationTime", buf);
	} else {
		sl_api_set_str(o, "CreationTime", dflt);
	}
}

/* IsDefault: sluice has no default VPC or VSwitch. NULL = no filter. */
static int sl_is_default(const struct sl_api_params *p, int *want, struct sl_api_err *e)
{
	const char *v = sl_api_param(p, "IsDefault");

	*want = -1;
	if (v == NULL)
		return 0;
	if (strcmp(v, "true") == 0)
		*want = 1;
	else if (strcmp(v, "false") == 0)
		*want = 0;
	else
		return sl_api_fail(
		    e, 400, "InvalidParameter",
		    "The specified parameter IsDefault is not valid: true or false.");
	return 0;
}

static const struct sl_region_obj *sl_region(const struct sl_store *s, const char *id)
{
	return s ? sl_jsl_get(s->regions, id) : NULL;
}

/* ---- DescribeRegions, DescribeZones ------------------------------------ */

static int sl_describe_regions(const struct sl_store *s, const struct sl_api_params *p, json_t *res,
			       struct sl_api_err *e)
{
	json_t *arr = json_array();

	for (unsigned int i = 0; s && i < s->region_v.n; i++) {
		const struct sl_region_obj *r = s->region_v.v[i];
		json_t *o = json_object();

		sl_api_set_str(o, "RegionId", r->id);
		sl_api_set_str(o, "LocalName", r->local_name);
		json_array_append_new(arr, o);
	}
	sl_api_set_list(res, "Regions", "Region", arr);
	return 0;
}

static int sl_describe_zones(const struct sl_store *s, const struct sl_api_params *p, json_t *res,
			     struct sl_api_err *e)
{
	const char *rid = sl_api_param(p, "RegionId");
	const struct sl_region_obj *r;
	json_t *arr;

	if (rid == NULL || *rid == '\0')
		return sl_api_fail(e, 400, "MissingParameter",
				   "The input parameter \"RegionId\" that is mandatory for "
				   "processing this request is not supplied.");
	r = sl_region(s, rid);
	if (r == NULL)
		return sl_api_fail(e, 404, "InvalidRegionId.NotFound",
				   "The specified RegionId %.100s does not exist.", rid);
	arr = json_array();
	for (unsigned int i = 0; i < r->n_zones; i++) {
		json_t *o = json_object();

		sl_api_set_str(o, "ZoneId", r->zones[i]->id);
		sl_api_set_str(o, "LocalName", r->zones[i]->local_name);
		json_array_append_new(arr, o);
	}
	sl_api_set_list(res, "Zones", "Zone", arr);
	return 0;
}

/* ---- DescribeVpcs --------------------------------------------------------- */

static json_t *sl_vpc_json(const struct sl_store *s, const struct sl_vpc_obj *v, const char *ctime)
{
	json_t *o = json_object(), *ids = json_array();
	char buf[SL_PFX_STRLEN], vrt[SL_ID_LEN + 8];

	sl_api_vrouter_id(v->id, vrt, sizeof(vrt));
	sl_api_set_str(o, "VpcId", v->id);
	sl_api_set_str(o, "RegionId", v->region_id);
	sl_api_set_str(o, "Status", sl_status_name(v->st.status));
	sl_api_set_str(o, "VpcName", v->name);
	for (unsigned int i = 0; i < s->vswitch_v.n; i++) {
		const struct sl_vswitch_obj *w = s->vswitch_v.v[i];

		if (w->vpc == v)
			json_array_append_new(ids, sl_jstr(w->id));
	}
	sl_api_set_list(o, "VSwitchIds", "VSwitchId", ids);
	sl_api_set_str(o, "CidrBlock", sl_pfx_fmt(&v->cidr, buf, sizeof(buf)));
	if (v->cidr6.family)
		sl_api_set_str(o, "Ipv6CidrBlock", sl_pfx_fmt(&v->cidr6, buf, sizeof(buf)));
	sl_api_set_str(o, "VRouterId", vrt);
	sl_api_set_str(o, "RouteTableId", v->route_table_id);
	/* sluice's own fields (docs/api.md): where the VPC's traffic is */
	if (v->vlan >= 0) {
		json_object_set_new(o, "VlanId", json_integer(v->vlan));
		json_object_set_new(o, "Trunk", json_integer(v->trunk));
	}
	sl_api_set_str(o, "Description", v->description);
	sl_api_set_ctime(o, &v->st, ctime);
	json_object_set_new(o, "IsDefault", json_false());
	sl_api_set_list(o, "UserCidrs", "UserCidr", json_array());
	return o;
}

static int sl_describe_vpcs(const struct sl_store *s, const struct sl_api_params *p, json_t *res,
			    const char *ctime, struct sl_api_err *e)
{
	const char *rid;
	struct sl_api_list l;
	int isdef;

	if (sl_api_list_region(&l, s, p, &rid, e) < 0 || sl_is_default(p, &isdef, e) < 0)
		return -1;
	for (unsigned int i = 0; i < s->vpc_v.n; i++) {
		const struct sl_vpc_obj *v = s->vpc_v.v[i];

		if (strcmp(v->region_id, rid) != 0 || isdef == 1 ||
		    !sl_api_filter_ids(p, "VpcId", v->id) ||
		    !sl_api_filter(p, "VpcName", v->name ? v->name : ""))
			continue;
		if (sl_api_list_match(&l))
			json_array_append_new(l.items, sl_vpc_json(s, v, ctime));
	}
	sl_api_list_end(&l, res, "Vpcs", "Vpc");
	return 0;
}

/* ---- DescribeVSwitches ---------------------------------------------------- */

static json_t *sl_vswitch_json(const struct sl_store *s, const struct sl_vswitch_obj *w,
			       const char *ctime)
{
	json_t *o = json_object();
	char buf[SL_PFX_STRLEN];
	long long avail = 0;

	/* 2^(32-len) minus the 4 reserved addresses (first and last three)
	 * minus the instances in it; the document's /24 example shows 246 */
	if (w->cidr.family == SL_AF_INET && w->cidr.len <= 30) {
		avail = (1LL << (32 - w->cidr.len)) - 4;
		for (unsigned int i = 0; i < s->instance_v.n; i++) {
			const struct sl_instance_obj *in = s->instance_v.v[i];

			if (in->vswitch == w)
				avail--;
		}
		if (avail < 0)
			avail = 0;
	}
	sl_api_set_str(o, "VSwitchId", w->id);
	sl_api_set_str(o, "VpcId", w->vpc_id);
	sl_api_set_str(o, "Status", sl_status_name(w->st.status));
	sl_api_set_str(o, "CidrBlock", sl_pfx_fmt(&w->cidr, buf, sizeof(buf)));
	if (w->cidr6.family)
		sl_api_set_str(o, "Ipv6CidrBlock", sl_pfx_fmt(&w->cidr6, buf, sizeof(buf)));
	sl_api_set_str(o, "ZoneId", w->zone_id);
	json_object_set_new(o, "AvailableIpAddressCount", json_integer(avail));
	sl_api_set_str(o, "Description", w->description);
	sl_api_set_str(o, "VSwitchName", w->name);
	json_object_set_new(o, "IsDefault", json_false());
	sl_api_set_ctime(o, &w->st, ctime);
	return o;
}

static int sl_describe_vswitches(const struct sl_store *s, const struct sl_api_params *p,
				 json_t *res, const char *ctime, struct sl_api_err *e)
{
	const char *rid = sl_api_param(p, "RegionId");
	const char *vpc = sl_api_param(p, "VpcId");
	const struct sl_vpc_obj *v = NULL;
	struct sl_api_list l;
	int isdef;

	/* RegionId is required by the table, but the document's own example
	 * calls it with VpcId alone: accept either */
	if ((rid == NULL || *rid == '\0') && (vpc == NULL || *vpc == '\0'))
		return sl_api_fail(e, 400, "MissingParameter",
				   "The input parameter \"RegionId\" that is mandatory for "
				   "processing this request is not supplied.");
	if (rid && *rid && sl_region(s, rid) == NULL)
		return sl_api_fail(e, 404, "Forbidden.RegionNotFound",
				   "Specified region is not found during access authentication.");
	if (vpc && *vpc) {
		v = s ? sl_store_vpc(s, vpc) : NULL;
		if (v == NULL || (rid && *rid && strcmp(v->region_id, rid) != 0))
			return sl_api_fail(e, 404, "Forbidden.VpcNotFound",
					   "Specified VPC is not found during access "
					   "authentication.");
	}
	if (sl_api_list_start(&l, p, e) < 0 || sl_is_default(p, &isdef, e) < 0)
		return -1;
	for (unsigned int i = 0; s && i < s->vswitch_v.n; i++) {
		const struct sl_vswitch_obj *w = s->vswitch_v.v[i];

		if (w->vpc == NULL || isdef == 1 || (v && w->vpc != v) ||
		    !sl_api_filter(p, "RegionId", w->vpc->region_id) ||
		    !sl_api_filter(p, "VSwitchId", w->id) ||
		    !sl_api_filter(p, "ZoneId", w->zone_id))
			continue;
		if (sl_api_list_match(&l))
			json_array_append_new(l.items, sl_vswitch_json(s, w, ctime));
	}
	sl_api_list_end(&l, res, "VSwitches", "VSwitch");
	return 0;
}

/* ---- DescribeRouteTables ---------------------------------------------------- */

static void sl_route_entry(json_t *arr, const char *rtb, const struct sl_pfx *dest,
			   const char *type, const char *nh_type, const char *nh_id,
			   enum sl_status st)
{
	json_t *o = json_object();
	char buf[SL_PFX_STRLEN];

	sl_api_set_str(o, "RouteTableId", rtb);
	sl_api_set_str(o, "DestinationCidrBlock", sl_pfx_fmt(dest, buf, sizeof(buf)));
	sl_api_set_str(o, "Type", type);
	sl_api_set_str(o, "NextHopType", nh_type);
	sl_api_set_str(o, "InstanceId", nh_id);
	sl_api_set_list(o, "NextHops", "NextHop", json_array());
	sl_api_set_str(o, "Status", sl_status_name(st));
	json_array_append_new(arr, o);
}

static json_t *sl_route_table_json(const struct sl_store *s, const struct sl_vpc_obj *v,
				   const char *ctime)
{
	json_t *o = json_object(), *ents = json_array();
	char vrt[SL_ID_LEN + 8];
	struct sl_pfx svc;

	sl_api_vrouter_id(v->id, vrt, sizeof(vrt));
	/* custom entries first, then the system ones, as in the document's
	 * example; system entries take the status of the object behind them */
	for (unsigned int i = 0; i < s->route_v.n; i++) {
		const struct sl_route_obj *r = s->route_v.v[i];

		if (r->vpc == v)
			sl_route_entry(ents, v->route_table_id, &r->dest, "Custom",
				       r->next_hop_type, r->next_hop_id, r->st.status);
	}
	for (unsigned int i = 0; i < s->vswitch_v.n; i++) {
		const struct sl_vswitch_obj *w = s->vswitch_v.v[i];

		if (w->vpc != v)
			continue;
		sl_route_entry(ents, v->route_table_id, &w->cidr, "System", "", "", w->st.status);
		if (w->cidr6.family)
			sl_route_entry(ents, v->route_table_id, &w->cidr6, "System", "", "",
				       w->st.status);
	}
	sl_pfx_parse("100.64.0.0/10", &svc, 0);
	sl_route_entry(ents, v->route_table_id, &svc, "System", "", "", v->st.status);

	sl_api_set_str(o, "RouterType", "VRouter");
	sl_api_set_str(o, "RouterId", vrt);
	sl_api_set_str(o, "VRouterId", vrt);
	sl_api_set_str(o, "RouteTableId", v->route_table_id);
	sl_api_set_list(o, "RouteEntrys", "RouteEntry", ents);
	sl_api_set_str(o, "RouteTableType", "System");
	sl_api_set_ctime(o, &v->st, ctime);
	return o;
}

static int sl_describe_route_tables(const struct sl_store *s, const struct sl_api_params *p,
				    json_t *res, const char *ctime, struct sl_api_err *e)
{
	const char *rtype = sl_api_param(p, "RouterType");
	struct sl_api_list l;
	bool vbr = false;

	if (rtype && *rtype) {
		if (strcmp(rtype, "VBR") == 0)
			vbr = true; /* sluice has no VBRs: nothing matches */
		else if (strcmp(rtype, "VRouter") != 0)
			return sl_api_fail(e, 400, "InvalidParameter",
					   "The specified parameter RouterType is not valid: "
					   "VRouter or VBR.");
	}
	if (sl_api_list_start(&l, p, e) < 0)
		return -1;
	for (unsigned int i = 0; s && !vbr && i < s->vpc_v.n; i++) {
		const struct sl_vpc_obj *v = s->vpc_v.v[i];
		char vrt[SL_ID_LEN + 8];

		sl_api_vrouter_id(v->id, vrt, sizeof(vrt));
		if (!sl_api_filter(p, "RouterId", vrt) || !sl_api_filter(p, "VRouterId", vrt) ||
		    !sl_api_filter(p, "RouteTableId", v->route_table_id))
			continue;
		if (sl_api_list_match(&l))
			json_array_append_new(l.items, sl_route_table_json(s, v, ctime));
	}
	sl_api_list_end(&l, res, "RouteTables", "RouteTable");
	return 0;
}

/* ---- DescribeVRouters ------------------------------------------------------- */

int sl_api_need_region(const struct sl_store *s, const struct sl_api_params *p, const char **rid,
		       struct sl_api_err *e)
{
	*rid = sl_api_param(p, "RegionId");
	if (*rid == NULL || **rid == '\0')
		return sl_api_fail(e, 400, "MissingParameter",
				   "The input parameter \"RegionId\" that is mandatory for "
				   "processing this request is not supplied.");
	if (sl_region(s, *rid) == NULL)
		return sl_api_fail(e, 404, "Forbidden.RegionNotFound",
				   "Specified region is not found during access authentication.");
	return 0;
}

/* A Describe* listing of one region's objects: RegionId first, then the
 * paging parameters (the order the errors have always come in). */
int sl_api_list_region(struct sl_api_list *l, const struct sl_store *s,
		       const struct sl_api_params *p, const char **rid, struct sl_api_err *e)
{
	if (sl_api_need_region(s, p, rid, e) < 0)
		return -1;
	return sl_api_list_start(l, p, e);
}

/* One VRouter per VPC (sluice has no VRouter object: its id derives from
 * the VpcId, its only route table is the VPC's). */
static int sl_describe_vrouters(const struct sl_store *s, const struct sl_api_params *p,
				json_t *res, const char *ctime, struct sl_api_err *e)
{
	const char *rid;
	struct sl_api_list l;

	if (sl_api_list_region(&l, s, p, &rid, e) < 0)
		return -1;
	for (unsigned int i = 0; i < s->vpc_v.n; i++) {
		const struct sl_vpc_obj *v = s->vpc_v.v[i];
		char vrt[SL_ID_LEN + 8];
		json_t *o, *ids;

		sl_api_vrouter_id(v->id, vrt, sizeof(vrt));
		if (strcmp(v->region_id, rid) != 0 || !sl_api_filter(p, "VRouterId", vrt))
			continue;
		if (sl_api_list_match(&l)) {
			o = json_object();
			ids = json_array();
			json_array_append_new(ids, sl_jstr(v->route_table_id));
			sl_api_set_str(o, "VRouterId", vrt);
			sl_api_set_str(o, "RegionId", v->region_id);
			sl_api_set_str(o, "VpcId", v->id);
			sl_api_set_list(o, "RouteTableIds", "RouteTableId", ids);
			sl_api_set_str(o, "VRouterName", "");
			sl_api_set_str(o, "Description", "");
			sl_api_set_ctime(o, &v->st, ctime);
			json_array_append_new(l.items, o);
		}
	}
	sl_api_list_end(&l, res, "VRouters", "VRouter");
	return 0;
}

/* ---- DescribeRouteEntryList ---------------------------------------------------- */

/* One entry of DescribeRouteEntryList (the SDK's model). RouteEntryId is
 * sluice's key of the entry, "RouteTableId:destination". */
static json_t *sl_route_list_entry(const char *rtb, const struct sl_pfx *dest, const char *type,
				   const char *nh_type, const char *nh_id, enum sl_status st)
{
	json_t *o = json_object(), *hops = json_array();
	char buf[SL_PFX_STRLEN], key[SL_ID_LEN + SL_PFX_STRLEN + 2];

	sl_pfx_fmt(dest, buf, sizeof(buf));
	snprintf(key, sizeof(key), "%s:%s", rtb, buf);
	sl_api_set_str(o, "RouteEntryId", key);
	sl_api_set_str(o, "RouteTableId", rtb);
	sl_api_set_str(o, "DestinationCidrBlock", buf);
	sl_api_set_str(o, "Type", type);
	sl_api_set_str(o, "Status", sl_status_name(st));
	sl_api_set_str(o, "IpVersion", dest->family == SL_AF_INET6 ? "IPv6" : "IPv4");
	sl_api_set_str(o, "RouteEntryName", "");
	sl_api_set_str(o, "Description", "");
	if (nh_id && *nh_id) {
		json_t *h = json_object();

		sl_api_set_str(h, "NextHopType", nh_type);
		sl_api_set_str(h, "NextHopId", nh_id);
		json_object_set_new(h, "Enabled", json_integer(1));
		json_object_set_new(h, "Weight", json_integer(0));
		json_array_append_new(hops, h);
	}
	sl_api_set_list(o, "NextHops", "NextHop", hops);
	return o;
}

static int sl_describe_route_entry_list(const struct sl_store *s, const struct sl_api_params *p,
					json_t *res, struct sl_api_err *e)
{
	const char *rid, *tid = sl_api_param(p, "RouteTableId");
	const char *want_type = sl_api_param(p, "RouteEntryType");
	const char *want_dst = sl_api_param(p, "DestinationCidrBlock");
	const char *want_nh = sl_api_param(p, "NextHopId");
	const char *max = sl_api_param(p, "MaxResult"), *tok = sl_api_param(p, "NextToken");
	const struct sl_vpc_obj *v;
	long limit = 50, skip = 0, total = 0;
	struct sl_pfx dst = {0}, svc;
	json_t *all, *arr, *x;
	size_t i;

	if (sl_api_need_region(s, p, &rid, e) < 0)
		return -1;
	if (tid == NULL || *tid == '\0')
		return sl_api_fail(e, 400, "MissingParameter",
				   "The input parameter \"RouteTableId\" that is mandatory for "
				   "processing this request is not supplied.");
	v = sl_jsl_get(s->route_tables, tid);
	if (v == NULL || strcmp(v->region_id, rid) != 0)
		return sl_api_fail(e, 404, "InvalidRouteTableId.NotFound",
				   "The specified route table %.64s does not exist.", tid);
	if (max && *max && (sl_api_parse_uint(max, 100, &limit) < 0 || limit < 20))
		return sl_api_fail(e, 400, "InvalidParameter",
				   "The specified parameter MaxResult is not valid: 20 to 100.");
	if (tok && *tok && sl_api_parse_uint(tok, 1000000000L, &skip) < 0)
		return sl_api_fail(e, 400, "InvalidParameter",
				   "The specified parameter NextToken is not valid.");
	if (want_dst && *want_dst && sl_pfx_parse(want_dst, &dst, SL_PFX_BARE_OK) != SL_PFX_OK)
		return sl_api_fail(e, 400, "InvalidCidrBlock.Malformed",
				   "DestinationCidrBlock %.64s is not a CIDR block.", want_dst);
	/* the same order as DescribeRouteTables: custom, then system */
	all = json_array();
	for (unsigned int k = 0; k < s->route_v.n; k++) {
		const struct sl_route_obj *r = s->route_v.v[k];

		if (r->vpc == v)
			json_array_append_new(all,
					      sl_route_list_entry(v->route_table_id, &r->dest,
								  "Custom", r->next_hop_type,
								  r->next_hop_id, r->st.status));
	}
	for (unsigned int k = 0; k < s->vswitch_v.n; k++) {
		const struct sl_vswitch_obj *w = s->vswitch_v.v[k];

		if (w->vpc != v)
			continue;
		json_array_append_new(all, sl_route_list_entry(v->route_table_id, &w->cidr,
							       "System", "", "", w->st.status));
		if (w->cidr6.family)
			json_array_append_new(all,
					      sl_route_list_entry(v->route_table_id, &w->cidr6,
								  "System", "", "", w->st.status));
	}
	sl_pfx_parse("100.64.0.0/10", &svc, 0);
	json_array_append_new(
	    all, sl_route_list_entry(v->route_table_id, &svc, "System", "", "", v->st.status));
	arr = json_array();
	json_array_foreach(all, i, x)
	{
		const char *t = json_string_value(json_object_get(x, "Type"));
		json_t *hops = json_object_get(json_object_get(x, "NextHops"), "NextHop");
		const char *nh =
		    json_string_value(json_object_get(json_array_get(hops, 0), "NextHopId"));
		char buf[SL_PFX_STRLEN];

		if (want_type && *want_type && strcmp(want_type, t) != 0)
			continue;
		if (dst.family &&
		    strcmp(sl_pfx_fmt(&dst, buf, sizeof(buf)),
			   json_string_value(json_object_get(x, "DestinationCidrBlock"))) != 0)
			continue;
		if (want_nh && *want_nh && (nh == NULL || strcmp(nh, want_nh) != 0))
			continue;
		if (total >= skip && total < skip + limit)
			json_array_append(arr, x);
		total++;
	}
	json_decref(all);
	if (skip + limit < total) {
		char next[32];

		snprintf(next, sizeof(next), "%ld", skip + limit);
		sl_api_set_str(res, "NextToken", next);
	} else {
		sl_api_set_str(res, "NextToken", "");
	}
	json_object_set_new(res, "TotalCount", json_integer(total));
	sl_api_set_list(res, "RouteEntrys", "RouteEntry", arr);
	return 0;
}

/* ---- DescribeSluiceInstances (sluice's own) ------------------------------------- */

static int sl_describe_instances(const struct sl_store *s, const struct sl_api_params *p,
				 json_t *res, const char *ctime, struct sl_api_err *e)
{
	const char *rid;
	struct sl_api_list l;

	if (sl_api_list_region(&l, s, p, &rid, e) < 0)
		return -1;
	for (unsigned int i = 0; i < s->instance_v.n; i++) {
		const struct sl_instance_obj *in = s->instance_v.v[i];
		const struct sl_vswitch_obj *w = in->vswitch;
		char buf[SL_PFX_STRLEN];
		json_t *o;

		if (w == NULL || w->vpc == NULL || strcmp(w->vpc->region_id, rid) != 0)
			continue;
		if (!sl_api_filter(p, "VpcId", w->vpc->id) ||
		    !sl_api_filter(p, "VSwitchId", w->id) ||
		    !sl_api_filter_ids(p, "InstanceId", in->id))
			continue;
		if (sl_api_list_match(&l)) {
			o = json_object();
			sl_api_set_str(o, "InstanceId", in->id);
			sl_api_set_str(o, "VpcId", w->vpc->id);
			sl_api_set_str(o, "VSwitchId", w->id);
			sl_api_set_str(o, "ZoneId", w->zone_id);
			sl_api_set_str(o, "PrivateIpAddress",
				       sl_ip_fmt(in->ip4.family, in->ip4.addr, buf, sizeof(buf)));
			if (in->ip6.family)
				sl_api_set_str(
				    o, "Ipv6Address",
				    sl_ip_fmt(in->ip6.family, in->ip6.addr, buf, sizeof(buf)));
			sl_api_set_str(o, "Status", sl_status_name(in->st.status));
			sl_api_set_ctime(o, &in->st, ctime);
			json_array_append_new(l.items, o);
		}
	}
	sl_api_list_end(&l, res, "Instances", "Instance");
	return 0;
}

int sl_api_vpc_run(const struct sl_store *s, const char *action, const struct sl_api_params *p,
		   time_t created, json_t **result, struct sl_api_err *e)
{
	json_t *res = json_object();
	char ctime[32];
	int rc;

	*result = NULL;
	if (res == NULL)
		return sl_api_fail(e, 500, "InternalError", "out of memory");
	sl_api_fmt_time(created, ctime);
	if (strcmp(action, "DescribeRegions") == 0)
		rc = sl_describe_regions(s, p, res, e);
	else if (strcmp(action, "DescribeZones") == 0)
		rc = sl_describe_zones(s, p, res, e);
	else if (s == NULL)
		rc = sl_api_fail(e, 503, "ServiceUnavailable", "no objects loaded yet");
	else if (strcmp(action, "DescribeVpcs") == 0)
		rc = sl_describe_vpcs(s, p, res, ctime, e);
	else if (strcmp(action, "DescribeVSwitches") == 0)
		rc = sl_describe_vswitches(s, p, res, ctime, e);
	else if (strcmp(action, "DescribeRouteTables") == 0)
		rc = sl_describe_route_tables(s, p, res, ctime, e);
	else if (strcmp(action, "DescribeVRouters") == 0)
		rc = sl_describe_vrouters(s, p, res, ctime, e);
	else if (strcmp(action, "DescribeRouteEntryList") == 0)
		rc = sl_describe_route_entry_list(s, p, res, e);
	else if (strcmp(action, "DescribeSluiceInstances") == 0)
		rc = sl_describe_instances(s, p, res, ctime, e);
	else if (sl_api_nat_known(action))
		rc = sl_api_nat_describe(s, action, p, res, ctime, e);
	else if (sl_api_ipv6_known(action))
		rc = sl_api_ipv6_describe(s, action, p, res, ctime, e);
	else if (sl_api_havip_known(action))
		rc = sl_api_havip_describe(s, action, p, res, ctime, e);
	else if (sl_api_bwp_known(action))
		rc = sl_api_bwp_describe(s, action, p, res, ctime, e);
	else
		rc = sl_api_fail(e, 400, "InvalidParameter",
				 "The specified action %.100s is not valid.", action);
	if (rc < 0) {
		json_decref(res);
		return -1;
	}
	*result = res;
	return 0;
}
