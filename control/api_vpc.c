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
    "DescribeRegions", "DescribeZones", "DescribeVpcs", "DescribeVSwitches", "DescribeRouteTables",
};

bool sl_api_action_known(const char *action)
{
	for (size_t i = 0; i < sizeof(sl_actions) / sizeof(sl_actions[0]); i++)
		if (strcmp(action, sl_actions[i]) == 0)
			return true;
	return false;
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

static void sl_set_str(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, sl_jstr(v));
}

/* {"Outer": {"Inner": arr}} */
static void sl_set_list(json_t *o, const char *outer, const char *inner, json_t *arr)
{
	json_t *w = json_object();

	json_object_set_new(w, inner, arr);
	json_object_set_new(o, outer, w);
}

static void sl_fmt_time(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A strict positive decimal integer. */
static int sl_parse_uint(const char *s, long max, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

struct sl_page {
	long number;
	long size;
};

static int sl_paging(const struct sl_api_params *p, struct sl_page *pg, struct sl_api_err *e)
{
	const char *num = sl_api_param(p, "PageNumber");
	const char *size = sl_api_param(p, "PageSize");

	pg->number = 1;
	pg->size = SL_API_PAGE_SIZE_DEFAULT;
	if (num && (sl_parse_uint(num, 1000000000L, &pg->number) < 0 || pg->number < 1))
		return sl_api_fail(e, 400, "InvalidParameter",
				   "The specified parameter pageNumber is not valid: an integer "
				   "from 1.");
	if (size && (sl_parse_uint(size, 1000000000L, &pg->size) < 0 || pg->size < 1 ||
		     pg->size > SL_API_PAGE_SIZE_MAX))
		return sl_api_fail(e, 400, "InvalidParameter",
				   "The specified parameter pageSize is not valid: 1 to %d.",
				   SL_API_PAGE_SIZE_MAX);
	return 0;
}

/* Is index i (0-based, over the matching objects) on the page? */
static bool sl_on_page(const struct sl_page *pg, long i)
{
	long first = (pg->number - 1) * pg->size;

	return i >= first && i < first + pg->size;
}

static void sl_page_fields(json_t *o, const struct sl_page *pg, long total)
{
	json_object_set_new(o, "TotalCount", json_integer(total));
	json_object_set_new(o, "PageNumber", json_integer(pg->number));
	json_object_set_new(o, "PageSize", json_integer(pg->size));
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

/* Does the comma-separated list `list` name `id`? */
static bool sl_in_list(const char *list, const char *id)
{
	size_t n = strlen(id);

	for (const char *c = list; *c;) {
		const char *end = strchr(c, ',');
		size_t len = end ? (size_t)(end - c) : strlen(c);

		if (len == n && memcmp(c, id, n) == 0)
			return true;
		if (end == NULL)
			break;
		c = end + 1;
	}
	return false;
}

/* ---- DescribeRegions, DescribeZones ------------------------------------ */

static int sl_describe_regions(const struct sl_store *s, const struct sl_api_params *p, json_t *res,
			       struct sl_api_err *e)
{
	json_t *arr = json_array();

	for (unsigned int i = 0; s && i < s->region_v.n; i++) {
		const struct sl_region_obj *r = s->region_v.v[i];
		json_t *o = json_object();

		sl_set_str(o, "RegionId", r->id);
		sl_set_str(o, "LocalName", r->local_name);
		json_array_append_new(arr, o);
	}
	sl_set_list(res, "Regions", "Region", arr);
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

		sl_set_str(o, "ZoneId", r->zones[i]->id);
		sl_set_str(o, "LocalName", r->zones[i]->local_name);
		json_array_append_new(arr, o);
	}
	sl_set_list(res, "Zones", "Zone", arr);
	return 0;
}

/* ---- DescribeVpcs --------------------------------------------------------- */

static json_t *sl_vpc_json(const struct sl_store *s, const struct sl_vpc_obj *v, const char *ctime)
{
	json_t *o = json_object(), *ids = json_array();
	char buf[SL_PFX_STRLEN], vrt[SL_ID_LEN + 8];

	sl_api_vrouter_id(v->id, vrt, sizeof(vrt));
	sl_set_str(o, "VpcId", v->id);
	sl_set_str(o, "RegionId", v->region_id);
	sl_set_str(o, "Status", sl_status_name(v->st.status));
	sl_set_str(o, "VpcName", v->name);
	for (unsigned int i = 0; i < s->vswitch_v.n; i++) {
		const struct sl_vswitch_obj *w = s->vswitch_v.v[i];

		if (w->vpc == v)
			json_array_append_new(ids, sl_jstr(w->id));
	}
	sl_set_list(o, "VSwitchIds", "VSwitchId", ids);
	sl_set_str(o, "CidrBlock", sl_pfx_fmt(&v->cidr, buf, sizeof(buf)));
	if (v->cidr6.family)
		sl_set_str(o, "Ipv6CidrBlock", sl_pfx_fmt(&v->cidr6, buf, sizeof(buf)));
	sl_set_str(o, "VRouterId", vrt);
	sl_set_str(o, "RouteTableId", v->route_table_id);
	sl_set_str(o, "Description", v->description);
	sl_set_str(o, "CreationTime", ctime);
	json_object_set_new(o, "IsDefault", json_false());
	sl_set_list(o, "UserCidrs", "UserCidr", json_array());
	return o;
}

static int sl_describe_vpcs(const struct sl_store *s, const struct sl_api_params *p, json_t *res,
			    const char *ctime, struct sl_api_err *e)
{
	const char *rid = sl_api_param(p, "RegionId");
	const char *vid = sl_api_param(p, "VpcId");
	const char *name = sl_api_param(p, "VpcName");
	struct sl_page pg;
	json_t *arr;
	long total = 0;
	int isdef;

	if (rid == NULL || *rid == '\0')
		return sl_api_fail(e, 400, "MissingParameter",
				   "The input parameter \"RegionId\" that is mandatory for "
				   "processing this request is not supplied.");
	if (sl_region(s, rid) == NULL)
		return sl_api_fail(e, 404, "Forbidden.RegionNotFound",
				   "Specified region is not found during access authentication.");
	if (sl_paging(p, &pg, e) < 0 || sl_is_default(p, &isdef, e) < 0)
		return -1;
	arr = json_array();
	for (unsigned int i = 0; i < s->vpc_v.n; i++) {
		const struct sl_vpc_obj *v = s->vpc_v.v[i];

		if (strcmp(v->region_id, rid) != 0 || isdef == 1)
			continue;
		if (vid && *vid && !sl_in_list(vid, v->id))
			continue;
		if (name && *name && strcmp(name, v->name ? v->name : "") != 0)
			continue;
		if (sl_on_page(&pg, total))
			json_array_append_new(arr, sl_vpc_json(s, v, ctime));
		total++;
	}
	sl_page_fields(res, &pg, total);
	sl_set_list(res, "Vpcs", "Vpc", arr);
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
	sl_set_str(o, "VSwitchId", w->id);
	sl_set_str(o, "VpcId", w->vpc_id);
	sl_set_str(o, "Status", sl_status_name(w->st.status));
	sl_set_str(o, "CidrBlock", sl_pfx_fmt(&w->cidr, buf, sizeof(buf)));
	if (w->cidr6.family)
		sl_set_str(o, "Ipv6CidrBlock", sl_pfx_fmt(&w->cidr6, buf, sizeof(buf)));
	sl_set_str(o, "ZoneId", w->zone_id);
	json_object_set_new(o, "AvailableIpAddressCount", json_integer(avail));
	sl_set_str(o, "Description", w->description);
	sl_set_str(o, "VSwitchName", w->name);
	json_object_set_new(o, "IsDefault", json_false());
	sl_set_str(o, "CreationTime", ctime);
	return o;
}

static int sl_describe_vswitches(const struct sl_store *s, const struct sl_api_params *p,
				 json_t *res, const char *ctime, struct sl_api_err *e)
{
	const char *rid = sl_api_param(p, "RegionId");
	const char *vpc = sl_api_param(p, "VpcId");
	const char *wid = sl_api_param(p, "VSwitchId");
	const char *zid = sl_api_param(p, "ZoneId");
	const struct sl_vpc_obj *v = NULL;
	struct sl_page pg;
	json_t *arr;
	long total = 0;
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
	if (sl_paging(p, &pg, e) < 0 || sl_is_default(p, &isdef, e) < 0)
		return -1;
	arr = json_array();
	for (unsigned int i = 0; s && i < s->vswitch_v.n; i++) {
		const struct sl_vswitch_obj *w = s->vswitch_v.v[i];

		if (w->vpc == NULL || isdef == 1)
			continue;
		if (v && w->vpc != v)
			continue;
		if (rid && *rid && strcmp(w->vpc->region_id, rid) != 0)
			continue;
		if (wid && *wid && strcmp(w->id, wid) != 0)
			continue;
		if (zid && *zid && strcmp(w->zone_id, zid) != 0)
			continue;
		if (sl_on_page(&pg, total))
			json_array_append_new(arr, sl_vswitch_json(s, w, ctime));
		total++;
	}
	sl_page_fields(res, &pg, total);
	sl_set_list(res, "VSwitches", "VSwitch", arr);
	return 0;
}

/* ---- DescribeRouteTables ---------------------------------------------------- */

static void sl_route_entry(json_t *arr, const char *rtb, const struct sl_pfx *dest,
			   const char *type, const char *nh_type, const char *nh_id,
			   enum sl_status st)
{
	json_t *o = json_object();
	char buf[SL_PFX_STRLEN];

	sl_set_str(o, "RouteTableId", rtb);
	sl_set_str(o, "DestinationCidrBlock", sl_pfx_fmt(dest, buf, sizeof(buf)));
	sl_set_str(o, "Type", type);
	sl_set_str(o, "NextHopType", nh_type);
	sl_set_str(o, "InstanceId", nh_id);
	sl_set_list(o, "NextHops", "NextHop", json_array());
	sl_set_str(o, "Status", sl_status_name(st));
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

	sl_set_str(o, "RouterType", "VRouter");
	sl_set_str(o, "RouterId", vrt);
	sl_set_str(o, "VRouterId", vrt);
	sl_set_str(o, "RouteTableId", v->route_table_id);
	sl_set_list(o, "RouteEntrys", "RouteEntry", ents);
	sl_set_str(o, "RouteTableType", "System");
	sl_set_str(o, "CreationTime", ctime);
	return o;
}

static int sl_describe_route_tables(const struct sl_store *s, const struct sl_api_params *p,
				    json_t *res, const char *ctime, struct sl_api_err *e)
{
	const char *rtype = sl_api_param(p, "RouterType");
	const char *rid = sl_api_param(p, "RouterId");
	const char *vrid = sl_api_param(p, "VRouterId");
	const char *tid = sl_api_param(p, "RouteTableId");
	struct sl_page pg;
	json_t *arr;
	long total = 0;
	bool vbr = false;

	if (rtype && *rtype) {
		if (strcmp(rtype, "VBR") == 0)
			vbr = true; /* sluice has no VBRs: nothing matches */
		else if (strcmp(rtype, "VRouter") != 0)
			return sl_api_fail(e, 400, "InvalidParameter",
					   "The specified parameter RouterType is not valid: "
					   "VRouter or VBR.");
	}
	if (sl_paging(p, &pg, e) < 0)
		return -1;
	arr = json_array();
	for (unsigned int i = 0; s && !vbr && i < s->vpc_v.n; i++) {
		const struct sl_vpc_obj *v = s->vpc_v.v[i];
		char vrt[SL_ID_LEN + 8];

		sl_api_vrouter_id(v->id, vrt, sizeof(vrt));
		if (rid && *rid && strcmp(rid, vrt) != 0)
			continue;
		if (vrid && *vrid && strcmp(vrid, vrt) != 0)
			continue;
		if (tid && *tid && strcmp(tid, v->route_table_id) != 0)
			continue;
		if (sl_on_page(&pg, total))
			json_array_append_new(arr, sl_route_table_json(s, v, ctime));
		total++;
	}
	sl_page_fields(res, &pg, total);
	sl_set_list(res, "RouteTables", "RouteTable", arr);
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
	sl_fmt_time(created, ctime);
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
