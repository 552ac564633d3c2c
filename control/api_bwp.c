/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The common (shared) bandwidth package actions (spec digest 2.10, raw
 * seed L6090-6530; docs/api.md "Common bandwidth packages"):
 * CreateCommonBandwidthPackage, DeleteCommonBandwidthPackage,
 * AddCommonBandwidthPackageIp, RemoveCommonBandwidthPackageIp,
 * ModifyCommonBandwidthPackageSpec, ModifyCommonBandwidthPackageAttribute,
 * DescribeCommonBandwidthPackages, and the SDK's
 * ModifyCommonBandwidthPackageIpBandwidth and
 * CancelCommonBandwidthPackageIpBandwidth; and the NAT bandwidth package
 * actions (spec digest 2.7, raw seed L3340-3760): CreateBandwidthPackage,
 * DeleteBandwidthPackage, DescribeBandwidthPackages,
 * ModifyBandwidthPackageSpec, ModifyBandwidthPackageAttribute,
 * AddBandwidthPackageIps, RemoveBandwidthPackageIps (the SDK has none of
 * these: the document's parameters throughout).
 *
 * Design note: api_mut.c's pattern (sl_api_mut_int.h). An action checks
 * existence, origin and status (a Pending package takes no change), stages
 * the package as the JSON the config file would hold (membership is the
 * package's PublicIpAddresses list), and leaves ranges, quotas and
 * "one package per EIP" to validate_bwp.c. The policers are issue 7's:
 * the bandwidths are stored and shown, not enforced yet.
 *
 * Concurrency: single-threaded (sluiced's event loop).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_api_mut_int.h"
#include "sl_api_vpc.h"
#include "sl_judy.h"
#include "sl_validate.h"

/* A required decimal parameter into body key `k` of `body`; -1 with `e`
 * (`code`) when it is not a number. The range is validation's. */
static int sl_bwp_int(const struct sl_mut *x, const char *k, json_t *body, const char *code,
		      struct sl_api_err *e)
{
	const char *v = sl_mut_param(x, k);
	long n;

	if (v == NULL)
		return sl_mut_missing(e, k);
	if (sl_api_parse_uint(v, 1000000L, &n) < 0)
		return sl_api_fail(e, 400, code, "%s %.16s is not a number.", k, v);
	json_object_set_new(body, k, json_integer(n));
	return 0;
}

static int sl_bwp_mbps(const struct sl_mut *x, json_t *body, struct sl_api_err *e)
{
	return sl_bwp_int(x, "Bandwidth", body, "InvalidBandwidth.ValueNotSupported", e);
}

/* The API-owned, settled package named by BandwidthPackageId. */
static struct sl_cbwp_obj *sl_own_cbwp(const struct sl_mut *x, struct sl_api_err *e)
{
	const char *id = sl_mut_param(x, "BandwidthPackageId");
	struct sl_cbwp_obj *b;

	if (sl_mut_region(x, e) < 0)
		return NULL;
	if (id == NULL) {
		sl_mut_missing(e, "BandwidthPackageId");
		return NULL;
	}
	b = sl_jsl_get(x->s->cbwps, id);
	if (b == NULL || strcmp(b->region_id, sl_mut_param(x, "RegionId")) != 0) {
		sl_api_fail(e, 404, "InvalidBandwidthPackageId.NotFound",
			    "The specified BandwidthPackageId %.64s does not exist in our records.",
			    id);
		return NULL;
	}
	if (!b->st.from_db) {
		sl_mut_file_object(e, "Common bandwidth package", id);
		return NULL;
	}
	if (b->st.status != SL_STATUS_AVAILABLE) {
		sl_api_fail(e, 400, "IncorrectBandwidthPackageStatus",
			    "The bandwidth package %s is not Available yet.", b->id);
		return NULL;
	}
	return b;
}

/* A copy of the package's stored body, for a change. */
static json_t *sl_cbwp_body(const struct sl_mut *x, const struct sl_cbwp_obj *b)
{
	return json_deep_copy(sl_db_get(x->m->db, SL_CFG_CBWP, b->id));
}

/* An empty answer (the common fields only). */
static int sl_bwp_done(struct sl_mut *x, struct sl_api_err *e)
{
	x->result = json_object();
	return x->result ? 0 : sl_mut_oom(e);
}

static int sl_create_cbwp(struct sl_mut *x, struct sl_api_err *e)
{
	char id[SL_ID_LEN];
	json_t *body;

	if (sl_mut_region(x, e) < 0)
		return -1;
	if (sl_mut_new_id(x->s, "cbwp-", id, sizeof(id)) < 0)
		return sl_api_fail(e, 500, "InternalError", "no random bytes");
	body = json_pack("{s:s,s:s}", "BandwidthPackageId", id, "RegionId",
			 sl_mut_param(x, "RegionId"));
	if (body == NULL)
		return sl_mut_oom(e);
	if (sl_bwp_mbps(x, body, e) < 0 ||
	    (sl_mut_param(x, "Ratio") && sl_bwp_int(x, "Ratio", body, "InvalidParameter", e) < 0)) {
		json_decref(body);
		return -1;
	}
	sl_mut_copy_param(x, body, "InternetChargeType", NULL);
	sl_mut_copy_param(x, body, "Name", NULL);
	sl_mut_copy_param(x, body, "Description", NULL);
	if (sl_mut_stage(x, SL_CFG_CBWP, id, body, "CommonBandwidthPackage", e) < 0)
		return -1;
	x->result = json_pack("{s:s}", "BandwidthPackageId", id);
	return x->result ? 0 : sl_mut_oom(e);
}

static int sl_delete_cbwp(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_cbwp_obj *b = sl_own_cbwp(x, e);
	const char *force = sl_mut_param(x, "Force");

	if (b == NULL)
		return -1;
	if (b->n_ips && !(force && strcasecmp(force, "true") == 0))
		return sl_api_fail(e, 400, "DependencyViolation.ip",
				   "The bandwidth package %s still holds %u EIP(s) (Force=true "
				   "removes them).",
				   b->id, b->n_ips);
	if (sl_db_stage_del(x->m->db, SL_CFG_CBWP, b->id) < 0)
		return sl_mut_oom(e);
	snprintf(x->label, sizeof(x->label), "CommonBandwidthPackage %s", b->id);
	return sl_bwp_done(x, e);
}

/* The member `k` (an AllocationId) names: its index or -1; -2 with `e`
 * when the parameter is missing or the EIP does not exist. */
static int sl_cbwp_member(const struct sl_mut *x, const struct sl_cbwp_obj *b, const char *k,
			  struct sl_eip_obj **p, struct sl_api_err *e)
{
	const char *id = sl_mut_param(x, k);

	if (id == NULL) {
		sl_mut_missing(e, k);
		return -2;
	}
	*p = sl_jsl_get(x->s->eips, id);
	if (*p == NULL) {
		sl_api_fail(e, 404, "InvalidIpInstanceId.NotFound",
			    "The specified Eip InstanceId %.64s does not exist in our records.",
			    id);
		return -2;
	}
	for (unsigned int i = 0; i < b->n_ips; i++)
		if (strcmp(b->ips[i].id, id) == 0)
			return (int)i;
	return -1;
}

static int sl_add_cbwp_ip(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_cbwp_obj *b = sl_own_cbwp(x, e);
	const char *type = sl_mut_param(x, "IpType");
	struct sl_eip_obj *p;
	json_t *body, *list;

	if (b == NULL || sl_cbwp_member(x, b, "IpInstanceId", &p, e) < -1)
		return -1;
	if (type && strcmp(type, "EIP") != 0)
		return sl_api_fail(e, 400, "InvalidParameter", "IpType %.16s: EIP only.", type);
	if (p->cbwp)
		return sl_api_fail(e, 400, "IpInstanceId.AlreadyInBandwidthPackage",
				   "The EIP %s is already in bandwidth package %s.", p->id,
				   p->cbwp->id);
	body = sl_cbwp_body(x, b);
	if (body == NULL)
		return sl_mut_oom(e);
	list = json_object_get(body, "PublicIpAddresses");
	if (!json_is_array(list)) {
		list = json_array();
		json_object_set_new(body, "PublicIpAddresses", list);
	}
	json_array_append_new(list, json_pack("{s:s}", "AllocationId", p->id));
	if (sl_mut_stage(x, SL_CFG_CBWP, b->id, body, "CommonBandwidthPackage", e) < 0)
		return -1;
	return sl_bwp_done(x, e);
}

/* The member named by `k` of an API-owned package: a copy of the
 * package's body, the member's entry in its PublicIpAddresses and the
 * entry's index; NULL with `e`. */
static json_t *sl_cbwp_member_body(struct sl_mut *x, const char *k, struct sl_cbwp_obj **b,
				   json_t **entry, size_t *at, struct sl_api_err *e)
{
	struct sl_eip_obj *p;
	json_t *body, *list;

	*b = sl_own_cbwp(x, e);
	if (*b == NULL || sl_cbwp_member(x, *b, k, &p, e) < -1)
		return NULL;
	body = sl_cbwp_body(x, *b);
	list = json_object_get(body, "PublicIpAddresses");
	for (*at = 0; *at < json_array_size(list); (*at)++) {
		const char *id;

		*entry = json_array_get(list, *at);
		id = json_string_value(json_object_get(*entry, "AllocationId"));
		if (id && strcmp(id, p->id) == 0)
			return body;
	}
	json_decref(body);
	sl_api_fail(e, 404, "InvalidIpInstanceId.NotFound",
		    "The EIP %s is not in bandwidth package %s.", p->id, (*b)->id);
	return NULL;
}

static int sl_remove_cbwp_ip(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_cbwp_obj *b;
	size_t at;
	json_t *entry, *body = sl_cbwp_member_body(x, "IpInstanceId", &b, &entry, &at, e);

	if (body == NULL)
		return -1;
	json_array_remove(json_object_get(body, "PublicIpAddresses"), at);
	if (sl_mut_stage(x, SL_CFG_CBWP, b->id, body, "CommonBandwidthPackage", e) < 0)
		return -1;
	return sl_bwp_done(x, e);
}

/* ModifyCommonBandwidthPackageIpBandwidth (a cap) and Cancel... (none). */
static int sl_cbwp_ip_cap(struct sl_mut *x, bool set, struct sl_api_err *e)
{
	struct sl_cbwp_obj *b;
	size_t at;
	json_t *entry, *body = sl_cbwp_member_body(x, "EipId", &b, &entry, &at, e);

	if (body == NULL)
		return -1;
	if (!set)
		json_object_del(entry, "Bandwidth");
	else if (sl_bwp_mbps(x, entry, e) < 0) {
		json_decref(body);
		return -1;
	}
	if (sl_mut_stage(x, SL_CFG_CBWP, b->id, body, "CommonBandwidthPackage", e) < 0)
		return -1;
	return sl_bwp_done(x, e);
}

static int sl_modify_cbwp_ip_bw(struct sl_mut *x, struct sl_api_err *e)
{
	return sl_cbwp_ip_cap(x, true, e);
}

static int sl_cancel_cbwp_ip_bw(struct sl_mut *x, struct sl_api_err *e)
{
	return sl_cbwp_ip_cap(x, false, e);
}

static int sl_modify_cbwp_spec(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_cbwp_obj *b = sl_own_cbwp(x, e);
	json_t *body;

	if (b == NULL)
		return -1;
	body = sl_cbwp_body(x, b);
	if (body == NULL)
		return sl_mut_oom(e);
	if (sl_bwp_mbps(x, body, e) < 0) {
		json_decref(body);
		return -1;
	}
	if (sl_mut_stage(x, SL_CFG_CBWP, b->id, body, "CommonBandwidthPackage", e) < 0)
		return -1;
	return sl_bwp_done(x, e);
}

static int sl_modify_cbwp_attr(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const pairs[] = {"Name", "Name", "Description", "Description", NULL};
	struct sl_cbwp_obj *b = sl_own_cbwp(x, e);

	if (b == NULL)
		return -1;
	snprintf(x->label, sizeof(x->label), "CommonBandwidthPackage %s", b->id);
	return sl_mut_modify(x, SL_CFG_CBWP, b->id, pairs, e);
}

int sl_bwp_eip_deps(const struct sl_eip_obj *p, struct sl_api_err *e)
{
	if (p->cbwp)
		return sl_api_fail(e, 400, "DependencyViolation.BandwidthPackage",
				   "The EIP %s is in bandwidth package %s: remove it first.", p->id,
				   p->cbwp->id);
	return 0;
}

/* ---- NAT bandwidth packages ------------------------------------------------ */

/* The package named by BandwidthPackageId: API-owned, settled, its gateway
 * settled; NULL with `e`. */
static struct sl_bwp_obj *sl_own_bwp(const struct sl_mut *x, const char *missing_code,
				     struct sl_api_err *e)
{
	const char *id = sl_mut_param(x, "BandwidthPackageId");
	struct sl_bwp_obj *b;

	if (sl_mut_region(x, e) < 0)
		return NULL;
	if (id == NULL) {
		if (missing_code)
			sl_api_fail(e, 400, missing_code, "BandwidthPackageId is required.");
		else
			sl_mut_missing(e, "BandwidthPackageId");
		return NULL;
	}
	b = sl_jsl_get(x->s->bwps, id);
	if (b == NULL || b->natgw == NULL || b->natgw->vpc == NULL ||
	    strcmp(b->natgw->vpc->region_id, sl_mut_param(x, "RegionId")) != 0) {
		sl_api_fail(
		    e, 404, "InvalidBandwidthPackageId.NotFound",
		    "Specified value of BandwidthPackageId %.64s is not found in our record.", id);
		return NULL;
	}
	if (!b->st.from_db) {
		sl_mut_file_object(e, "NAT bandwidth package", id);
		return NULL;
	}
	if (b->st.status != SL_STATUS_AVAILABLE || b->natgw->st.status != SL_STATUS_AVAILABLE) {
		sl_api_fail(e, 400, "IncorrectBandwidthPackageStatus",
			    "The bandwidth package %s or its NAT gateway is not Available yet.",
			    b->id);
		return NULL;
	}
	return b;
}

/* A count parameter `k` in 1-max; -1 with `e` (`code`) otherwise. */
static int sl_bwp_count(const struct sl_mut *x, const char *k, long max, const char *missing,
			const char *code, long *n, struct sl_api_err *e)
{
	const char *v = sl_mut_param(x, k);

	if (v == NULL)
		return sl_api_fail(e, 400, missing, "Missing parameter %s.", k);
	if (sl_api_parse_uint(v, 1000000L, n) < 0 || *n < 1 || *n > max)
		return sl_api_fail(e, 400, code, "%s %.16s is not valid: 1-%ld.", k, v, max);
	return 0;
}

/* Append addresses a[0..n-1] (picked by sl_nat_pick()) to the package
 * body's list, each with a new nateip- id. */
static int sl_bwp_append(struct sl_mut *x, json_t *body, const struct sl_pfx *a, unsigned int n,
			 struct sl_api_err *e)
{
	json_t *list = json_object_get(body, "PublicIpAddresses");

	if (!json_is_array(list)) {
		list = json_array();
		json_object_set_new(body, "PublicIpAddresses", list);
	}
	for (unsigned int i = 0; i < n; i++) {
		char id[SL_ID_LEN], ip[SL_PFX_STRLEN];

		if (sl_mut_new_id(x->s, "nateip-", id, sizeof(id)) < 0)
			return sl_api_fail(e, 500, "InternalError", "no random bytes");
		sl_ip_fmt(SL_AF_INET, a[i].addr, ip, sizeof(ip));
		json_array_append_new(list,
				      json_pack("{s:s,s:s}", "AllocationId", id, "IpAddress", ip));
	}
	return 0;
}

static int sl_bwp_pick(const struct sl_mut *x, unsigned int n, struct sl_pfx *a,
		       struct sl_api_err *e)
{
	if (sl_nat_pick(x, n, a) < 0)
		return sl_api_fail(e, 500, "InsufficientEipCapacity",
				   "The gateway's EipPool has fewer than %u free addresses.", n);
	return 0;
}

int sl_bwp_new(struct sl_mut *x, const struct sl_bwp_spec *sp, const struct sl_pfx *addrs,
	       char id[SL_ID_LEN], struct sl_api_err *e)
{
	const struct sl_region_obj *r = sl_jsl_get(x->s->regions, sp->region_id);
	const char *zone = sp->zone;
	json_t *body;

	if (zone == NULL) /* "random": the region's first zone */
		zone = r && r->n_zones ? r->zones[0]->id : NULL;
	if (sl_mut_new_id(x->s, "bwp-", id, SL_ID_LEN) < 0)
		return sl_api_fail(e, 500, "InternalError", "no random bytes");
	body = json_pack("{s:s,s:s,s:I}", "BandwidthPackageId", id, "NatGatewayId", sp->natgw_id,
			 "Bandwidth", (json_int_t)sp->bandwidth);
	if (body == NULL)
		return sl_mut_oom(e);
	if (zone)
		json_object_set_new(body, "ZoneId", json_string(zone));
	if (sp->name_param)
		sl_mut_copy_param(x, body, sp->name_param, "Name");
	if (sp->desc_param)
		sl_mut_copy_param(x, body, sp->desc_param, "Description");
	if (sl_bwp_append(x, body, addrs, sp->n_ips, e) < 0) {
		json_decref(body);
		return -1;
	}
	return sl_mut_stage(x, SL_CFG_BWP, id, body, "BandwidthPackage", e);
}

static int sl_create_bwp(struct sl_mut *x, struct sl_api_err *e)
{
	const char *nid = sl_mut_param(x, "NatGatewayId");
	const struct sl_natgw_obj *n;
	struct sl_bwp_spec sp = {.name_param = "Name", .desc_param = "Description"};
	struct sl_pfx a[SL_BWP_IPS_MAX];
	char id[SL_ID_LEN];
	long count, bw;

	if (sl_mut_region(x, e) < 0)
		return -1;
	if (nid == NULL)
		return sl_mut_missing(e, "NatGatewayId");
	n = sl_jsl_get(x->s->natgws, nid);
	if (n == NULL || n->vpc == NULL || strcmp(n->vpc->region_id, sl_mut_param(x, "RegionId")))
		return sl_api_fail(
		    e, 404, "InvalidNatGatewayId.NotFound",
		    "Specified value of NatGatewayId %.64s is not found in our record.", nid);
	if (n->st.status != SL_STATUS_AVAILABLE)
		return sl_api_fail(e, 400, "IncorrectStatus.NatGateway",
				   "The NAT gateway %s is not Available yet.", n->id);
	if (sl_bwp_count(x, "IpCount", SL_BWP_IPS_MAX, "MissingParameter.IpCount",
			 "InvalidIpCount.ValueNotSupported", &count, e) < 0 ||
	    sl_bwp_count(x, "Bandwidth", SL_BWP_BANDWIDTH_CREATE_MAX, "MissingParameter.Bandwidth",
			 "InvalidBandwidth.ValueNotSupported", &bw, e) < 0)
		return -1;
	if (bw < SL_BWP_BANDWIDTH_MIN)
		return sl_api_fail(e, 400, "InvalidBandwidth.ValueNotSupported",
				   "Bandwidth %ld is not valid: %d-%d.", bw, SL_BWP_BANDWIDTH_MIN,
				   SL_BWP_BANDWIDTH_CREATE_MAX);
	sp.natgw_id = n->id;
	sp.region_id = n->vpc->region_id;
	sp.zone = sl_mut_param(x, "Zone") ? sl_mut_param(x, "Zone") : sl_mut_param(x, "ZoneId");
	sp.n_ips = (unsigned int)count;
	sp.bandwidth = bw;
	if (sl_bwp_pick(x, sp.n_ips, a, e) < 0 || sl_bwp_new(x, &sp, a, id, e) < 0)
		return -1;
	x->result = json_pack("{s:s}", "BandwidthPackageId", id);
	return x->result ? 0 : sl_mut_oom(e);
}

static int sl_delete_bwp(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_bwp_obj *b = sl_own_bwp(x, "MissingParameter.BandwidthPackageId", e);

	if (b == NULL)
		return -1;
	if (sl_bwp_ip_uses(b))
		return sl_api_fail(e, 400, "Forbidden.SomeIpReferredByForwardEntry",
				   "SNAT or forward entries use addresses of package %s.", b->id);
	if (sl_db_stage_del(x->m->db, SL_CFG_BWP, b->id) < 0)
		return sl_mut_oom(e);
	snprintf(x->label, sizeof(x->label), "BandwidthPackage %s", b->id);
	return sl_bwp_done(x, e);
}

static int sl_modify_bwp_spec(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_bwp_obj *b = sl_own_bwp(x, NULL, e);
	json_t *body;

	if (b == NULL)
		return -1;
	body = json_deep_copy(sl_db_get(x->m->db, SL_CFG_BWP, b->id));
	if (body == NULL)
		return sl_mut_oom(e);
	if (sl_bwp_mbps(x, body, e) < 0) {
		json_decref(body);
		return -1;
	}
	if (sl_mut_stage(x, SL_CFG_BWP, b->id, body, "BandwidthPackage", e) < 0)
		return -1;
	return sl_bwp_done(x, e);
}

static int sl_modify_bwp_attr(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const pairs[] = {"Name", "Name", "Description", "Description", NULL};
	struct sl_bwp_obj *b = sl_own_bwp(x, NULL, e);

	if (b == NULL)
		return -1;
	snprintf(x->label, sizeof(x->label), "BandwidthPackage %s", b->id);
	return sl_mut_modify(x, SL_CFG_BWP, b->id, pairs, e);
}

/* IpCount: the number of addresses after the change (the document). */
static int sl_add_bwp_ips(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_bwp_obj *b = sl_own_bwp(x, NULL, e);
	struct sl_pfx a[SL_BWP_IPS_MAX];
	long count;
	json_t *body;

	if (b == NULL || sl_bwp_count(x, "IpCount", SL_BWP_IPS_MAX, "MissingParameter",
				      "InvalidIpCount.ValueNotSupported", &count, e) < 0)
		return -1;
	if ((unsigned long)count <= b->n_ips)
		return sl_api_fail(e, 400, "InvalidIpCount.ValueNotSupported",
				   "IpCount %ld: the package has %u addresses already (IpCount is "
				   "the count after the change).",
				   count, b->n_ips);
	if (sl_bwp_pick(x, (unsigned int)count - b->n_ips, a, e) < 0)
		return -1;
	body = json_deep_copy(sl_db_get(x->m->db, SL_CFG_BWP, b->id));
	if (body == NULL)
		return sl_mut_oom(e);
	if (sl_bwp_append(x, body, a, (unsigned int)count - b->n_ips, e) < 0) {
		json_decref(body);
		return -1;
	}
	if (sl_mut_stage(x, SL_CFG_BWP, b->id, body, "BandwidthPackage", e) < 0)
		return -1;
	return sl_bwp_done(x, e);
}

#define SL_BWP_REMOVE_MAX 20

static int sl_remove_bwp_ips(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_bwp_obj *b = sl_own_bwp(x, NULL, e);
	bool gone[SL_BWP_IPS_MAX + 1] = {false}; /* n_ips <= SL_BWP_IPS_MAX once valid */
	unsigned int n_gone = 0;
	json_t *body, *list;

	if (b == NULL)
		return -1;
	for (int k = 1; k <= SL_BWP_REMOVE_MAX; k++) {
		char key[40];
		const char *id;
		unsigned int i;

		snprintf(key, sizeof(key), "RemovedIpAddresses.%d", k);
		id = sl_mut_param(x, key);
		if (id == NULL)
			continue;
		for (i = 0; i < b->n_ips && strcmp(b->ips[i].id, id) != 0; i++)
			;
		if (i == b->n_ips)
			return sl_api_fail(e, 400, "InvalidRemovedIpAddresses.NotFound",
					   "%.64s is not an address of package %s.", id, b->id);
		if (b->ips[i].as_eip.n_snat || b->ips[i].as_eip.n_fwd)
			return sl_api_fail(e, 400, "Forbidden.SomeIpReferredByForwardEntry",
					   "SNAT or forward entries use %s.", id);
		n_gone += !gone[i];
		gone[i] = true;
	}
	if (sl_mut_param(x, "RemovedIpAddresses.21"))
		return sl_api_fail(e, 400, "InvalidParameter",
				   "At most %d RemovedIpAddresses per call.", SL_BWP_REMOVE_MAX);
	if (n_gone == 0)
		return sl_mut_missing(e, "RemovedIpAddresses.1");
	if (n_gone == b->n_ips)
		return sl_api_fail(e, 400, "Forbidden.RemoveAllIps",
				   "A NAT bandwidth package keeps at least one address.");
	body = json_deep_copy(sl_db_get(x->m->db, SL_CFG_BWP, b->id));
	if (body == NULL)
		return sl_mut_oom(e);
	list = json_array();
	for (unsigned int i = 0; i < b->n_ips; i++)
		if (!gone[i])
			json_array_append_new(
			    list, json_pack("{s:s,s:s}", "AllocationId", b->ips[i].id, "IpAddress",
					    sl_ip_fmt(SL_AF_INET, b->ips[i].ip.addr,
						      (char[SL_PFX_STRLEN]){0}, SL_PFX_STRLEN)));
	json_object_set_new(body, "PublicIpAddresses", list);
	if (sl_mut_stage(x, SL_CFG_BWP, b->id, body, "BandwidthPackage", e) < 0)
		return -1;
	return sl_bwp_done(x, e);
}

/* ---- the action table ---------------------------------------------------- */

/* The SDK's later parameters that sluice cannot honour (no ISPs, zones,
 * resource groups, tags or DDoS levels): refused when set. */
static const char *const sl_no_cbwp[] = {
    "ISP", "Zone", "SecurityProtectionTypes.1", "ResourceGroupId", "Tag.1.Key", NULL};
static const char *const sl_no_none[] = {NULL};

const struct sl_mut_action sl_bwp_actions[] = {
    {"CreateCommonBandwidthPackage", sl_create_cbwp, sl_no_cbwp, false},
    {"DeleteCommonBandwidthPackage", sl_delete_cbwp, sl_no_none, false},
    {"AddCommonBandwidthPackageIp", sl_add_cbwp_ip, sl_no_none, false},
    {"RemoveCommonBandwidthPackageIp", sl_remove_cbwp_ip, sl_no_none, false},
    {"ModifyCommonBandwidthPackageSpec", sl_modify_cbwp_spec, sl_no_none, false},
    {"ModifyCommonBandwidthPackageAttribute", sl_modify_cbwp_attr, sl_no_none, false},
    {"ModifyCommonBandwidthPackageIpBandwidth", sl_modify_cbwp_ip_bw, sl_no_none, false},
    {"CancelCommonBandwidthPackageIpBandwidth", sl_cancel_cbwp_ip_bw, sl_no_none, false},
    /* NAT bandwidth packages: they pick pool addresses, so solo */
    {"CreateBandwidthPackage", sl_create_bwp, sl_no_none, true},
    {"DeleteBandwidthPackage", sl_delete_bwp, sl_no_none, false},
    {"ModifyBandwidthPackageSpec", sl_modify_bwp_spec, sl_no_none, false},
    {"ModifyBandwidthPackageAttribute", sl_modify_bwp_attr, sl_no_none, false},
    {"AddBandwidthPackageIps", sl_add_bwp_ips, sl_no_none, true},
    {"AddBandwidthPackageIp", sl_add_bwp_ips, sl_no_none, true}, /* the seed's Action row */
    {"RemoveBandwidthPackageIps", sl_remove_bwp_ips, sl_no_none, false},
};
const unsigned int sl_bwp_n_actions = sizeof(sl_bwp_actions) / sizeof(sl_bwp_actions[0]);

/* ---- DescribeCommonBandwidthPackages ------------------------------------------ */

static json_t *sl_cbwp_json(const struct sl_cbwp_obj *b, const char *ctime)
{
	json_t *o = json_object(), *ips = json_array();
	char buf[SL_PFX_STRLEN];

	sl_api_set_str(o, "BandwidthPackageId", b->id);
	sl_api_set_str(o, "RegionId", b->region_id);
	sl_api_set_str(o, "Name", b->name);
	sl_api_set_str(o, "Description", b->description);
	snprintf(buf, sizeof(buf), "%lld", b->bandwidth);
	sl_api_set_str(o, "Bandwidth", buf);
	sl_api_set_str(o, "InternetChargeType", b->charge_type);
	json_object_set_new(o, "Ratio", json_integer(sl_cbwp_ratio(b)));
	sl_api_set_str(o, "InstanceChargeType", "PostPaid");
	sl_api_set_str(o, "BusinessStatus", "Normal");
	sl_api_set_str(o, "ISP", "BGP");
	sl_api_set_str(o, "Status", sl_status_name(b->st.status));
	sl_api_set_ctime(o, &b->st, ctime);
	for (unsigned int i = 0; i < b->n_ips; i++) {
		const struct sl_cbwp_ip *ip = &b->ips[i];
		json_t *j = json_object();

		sl_api_set_str(j, "AllocationId", ip->id);
		sl_api_set_str(j, "IpAddress",
			       ip->eip ? sl_ip_fmt(SL_AF_INET, ip->eip->ip.addr, buf, sizeof(buf))
				       : "");
		sl_api_set_str(j, "BandwidthPackageIpRelationStatus", "BINDED");
		if (ip->bandwidth != -1) {
			snprintf(buf, sizeof(buf), "%lld", ip->bandwidth);
			sl_api_set_str(j, "BandwidthPackageIpBandwidth", buf);
		}
		json_array_append_new(ips, j);
	}
	sl_api_set_list(o, "PublicIpAddresses", "PublicIpAddresse", ips);
	return o;
}

static int sl_describe_cbwps(const struct sl_store *s, const struct sl_api_params *p, json_t *res,
			     const char *ctime, struct sl_api_err *e)
{
	const char *rid;
	struct sl_api_list l;

	if (sl_api_list_region(&l, s, p, &rid, e) < 0)
		return -1;
	for (unsigned int i = 0; i < s->cbwp_v.n; i++) {
		const struct sl_cbwp_obj *b = s->cbwp_v.v[i];

		if (strcmp(b->region_id, rid) != 0 ||
		    !sl_api_filter_ids(p, "BandwidthPackageId", b->id) ||
		    !sl_api_filter(p, "Name", b->name))
			continue;
		if (sl_api_list_match(&l))
			json_array_append_new(l.items, sl_cbwp_json(b, ctime));
	}
	sl_api_list_end(&l, res, "CommonBandwidthPackages", "CommonBandwidthPackage");
	return 0;
}

static json_t *sl_bwp_json(const struct sl_bwp_obj *b, const char *ctime)
{
	json_t *o = json_object(), *ips = json_array();
	char buf[SL_PFX_STRLEN];

	sl_api_set_str(o, "BandwidthPackageId", b->id);
	sl_api_set_str(o, "RegionId", b->natgw && b->natgw->vpc ? b->natgw->vpc->region_id : "");
	sl_api_set_str(o, "NatGatewayId", b->natgw_id);
	sl_api_set_str(o, "ZoneId", b->zone_id);
	sl_api_set_str(o, "Name", b->name);
	sl_api_set_str(o, "Description", b->description);
	snprintf(buf, sizeof(buf), "%lld", b->bandwidth);
	sl_api_set_str(o, "Bandwidth", buf);
	snprintf(buf, sizeof(buf), "%u", b->n_ips);
	sl_api_set_str(o, "IpCount", buf);
	sl_api_set_str(o, "InstanceChargeType", "PostPaid");
	sl_api_set_str(o, "InternetChargeType", "PayByBandwidth");
	sl_api_set_str(o, "ISP", "BGP");
	sl_api_set_str(o, "BusinessStatus", "Normal");
	sl_api_set_str(o, "Status", sl_status_name(b->st.status));
	sl_api_set_ctime(o, &b->st, ctime);
	for (unsigned int i = 0; i < b->n_ips; i++)
		json_array_append_new(
		    ips, json_pack("{s:s,s:s}", "AllocationId", b->ips[i].id, "IpAddress",
				   sl_ip_fmt(SL_AF_INET, b->ips[i].ip.addr, buf, sizeof(buf))));
	sl_api_set_list(o, "PublicIpAddresses", "PublicIpAddress", ips);
	return o;
}

static int sl_describe_bwps(const struct sl_store *s, const struct sl_api_params *p, json_t *res,
			    const char *ctime, struct sl_api_err *e)
{
	const char *rid;
	struct sl_api_list l;

	if (sl_api_list_region(&l, s, p, &rid, e) < 0)
		return -1;
	for (unsigned int i = 0; i < s->bwp_v.n; i++) {
		const struct sl_bwp_obj *b = s->bwp_v.v[i];

		if (b->natgw == NULL || b->natgw->vpc == NULL ||
		    strcmp(b->natgw->vpc->region_id, rid) != 0 ||
		    !sl_api_filter_ids(p, "BandwidthPackageId", b->id) ||
		    !sl_api_filter(p, "NatGatewayId", b->natgw_id))
			continue;
		if (sl_api_list_match(&l))
			json_array_append_new(l.items, sl_bwp_json(b, ctime));
	}
	sl_api_list_end(&l, res, "BandwidthPackages", "BandwidthPackage");
	return 0;
}

bool sl_api_bwp_known(const char *action)
{
	return strcmp(action, "DescribeCommonBandwidthPackages") == 0 ||
	       strcmp(action, "DescribeBandwidthPackages") == 0;
}

int sl_api_bwp_describe(const struct sl_store *s, const char *action, const struct sl_api_params *p,
			json_t *res, const char *ctime, struct sl_api_err *e)
{
	if (strcmp(action, "DescribeBandwidthPackages") == 0)
		return sl_describe_bwps(s, p, res, ctime, e);
	return sl_describe_cbwps(s, p, res, ctime, e);
}
