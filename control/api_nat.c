/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NAT gateway, EIP, SNAT entry and forward (DNAT) entry actions of the
 * VPC API 2016-04-28 (spec digest 2.5, 2.6, 2.8, 2.9; docs/api.md):
 * CreateNatGateway, DeleteNatGateway, DescribeNatGateways,
 * ModifyNatGatewayAttribute, ModifyNatGatewaySpec; AllocateEipAddress,
 * AssociateEipAddress, UnassociateEipAddress, ReleaseEipAddress,
 * ModifyEipAddressAttribute, DescribeEipAddresses; Create/Delete/Modify
 * SnatEntry, DescribeSnatTableEntries; Create/Delete/ModifyForwardEntry,
 * DescribeForwardTableEntries. AssociateEipAddress also binds to HaVips
 * (api_havip.c).
 *
 * Design note: the mutating actions follow api_mut.c's pattern
 * (sl_api_mut_int.h): check what only the live store tells (existence,
 * origin, status, the EIP pool's free addresses), stage the object as the
 * JSON the config file would hold, and leave every rule between objects to
 * validate_nat.c, so the file and the API cannot disagree. An action's own
 * spelling of a code (ModifyForwardEntry's "IncorretForwardEntryStatus")
 * is a remap of the validation code. sluice-dp has no NAT tables yet
 * (issue 5): these objects are Available once durable and published.
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

/* ---- shared checks ----------------------------------------------------------- */

/* RegionId required and known (the NAT actions' InvalidRegionId.NotFound). */
int sl_nat_region(const struct sl_mut *x, struct sl_api_err *e)
{
	const char *rid = sl_mut_param(x, "RegionId");

	if (rid == NULL)
		return sl_mut_missing(e, "RegionId");
	if (sl_jsl_get(x->s->regions, rid) == NULL)
		return sl_api_fail(e, 404, "InvalidRegionId.NotFound",
				   "The specified RegionId %.64s does not exist.", rid);
	return 0;
}

int sl_stage_put(struct sl_mut *x, enum sl_cfg_kind k, const char *id, json_t *body,
		 struct sl_api_err *e)
{
	int rc = body ? sl_db_stage_put(x->m->db, k, id, body, x->now) : -ENOMEM;

	json_decref(body);
	return rc < 0 ? sl_mut_oom(e) : 0;
}

static int sl_empty_result(struct sl_mut *x, struct sl_api_err *e)
{
	x->result = json_object();
	return x->result ? 0 : sl_mut_oom(e);
}

/* The NAT gateway named by NatGatewayId (required), NULL with `e`. */
static struct sl_natgw_obj *sl_natgw(const struct sl_mut *x, const char *missing_code,
				     struct sl_api_err *e)
{
	const char *id = sl_mut_param(x, "NatGatewayId");
	struct sl_natgw_obj *n;

	if (id == NULL) {
		if (missing_code)
			sl_api_fail(e, 400, missing_code, "NatGatewayId is required.");
		else
			sl_mut_missing(e, "NatGatewayId");
		return NULL;
	}
	n = sl_jsl_get(x->s->natgws, id);
	if (n == NULL)
		sl_api_fail(e, 404, "InvalidNatGatewayId.NotFound",
			    "The specified NAT gateway %.64s does not exist.", id);
	return n;
}

/* No configuration while the gateway is in transition (spec digest 3.9). */
static int sl_natgw_settled(const struct sl_natgw_obj *n, struct sl_api_err *e)
{
	if (n->st.status != SL_STATUS_AVAILABLE)
		return sl_api_fail(e, 400, "IncorrectStatus.NatGateway",
				   "The NAT gateway %s is not Available yet.", n->id);
	return 0;
}

/* An API-owned NAT gateway, for changes. */
static struct sl_natgw_obj *sl_own_natgw(const struct sl_mut *x, const char *missing_code,
					 struct sl_api_err *e)
{
	struct sl_natgw_obj *n = sl_natgw(x, missing_code, e);

	if (n == NULL)
		return NULL;
	if (!n->st.from_db) {
		sl_mut_file_object(e, "NAT gateway", n->id);
		return NULL;
	}
	return sl_natgw_settled(n, e) < 0 ? NULL : n;
}

static json_t *sl_natgw_tables(const struct sl_natgw_obj *n, bool with_id)
{
	json_t *r = json_object();

	if (r == NULL)
		return NULL;
	if (with_id)
		sl_api_set_str(r, "NatGatewayId", n->id);
	sl_api_set_list(r, "ForwardTableIds", "ForwardTableId", json_pack("[s]", n->fwd_table_id));
	sl_api_set_list(r, "SnatTableIds", "SnatTableId", json_pack("[s]", n->snat_table_id));
	sl_api_set_list(r, "BandwidthPackageIds", "BandwidthPackageId", json_array());
	return r;
}

/* ---- NAT gateways ----------------------------------------------------------- */

/* CreateNatGateway's BandwidthPackage.n.IpCount/.Bandwidth/.Zone (n 1-4):
 * the legacy packages created with the gateway (spec digest 2.6). Their
 * specs into sp[] and *n (0: none given); -1 with `e`. */
static int sl_natgw_bwps(const struct sl_mut *x, struct sl_bwp_spec *sp, unsigned int *n,
			 unsigned int *total, struct sl_api_err *e)
{
	*n = *total = 0;
	for (unsigned int i = 1; i <= SL_BWP_PER_NATGW + 1; i++) {
		char kc[40], kb[40], kz[40];
		const char *c, *b;
		long count, bw;

		snprintf(kc, sizeof(kc), "BandwidthPackage.%u.IpCount", i);
		snprintf(kb, sizeof(kb), "BandwidthPackage.%u.Bandwidth", i);
		snprintf(kz, sizeof(kz), "BandwidthPackage.%u.Zone", i);
		c = sl_mut_param(x, kc);
		b = sl_mut_param(x, kb);
		if (c == NULL && b == NULL && sl_mut_param(x, kz) == NULL)
			continue;
		if (i > SL_BWP_PER_NATGW)
			return sl_api_fail(e, 400, "TooManyBandwidthPackages",
					   "A NAT gateway has at most %d bandwidth packages.",
					   SL_BWP_PER_NATGW);
		if (c == NULL || b == NULL) {
			/* the seed: "n" is the package's number in the code */
			snprintf(e->codebuf, sizeof(e->codebuf), "MissingParameter.%s",
				 c == NULL ? kc : kb);
			return sl_api_fail(e, 400, e->codebuf,
					   "Missing parameter %s in BandwidthPackage %u.",
					   c == NULL ? "IpCount" : "Bandwidth", i);
		}
		if (sl_api_parse_uint(c, 1000000L, &count) < 0 || count < 1 ||
		    count > SL_BWP_IPS_MAX)
			return sl_api_fail(e, 400, "InvalidIpCount.ValueNotSupported",
					   "%s %.16s is not valid: 1-%d.", kc, c, SL_BWP_IPS_MAX);
		if (sl_api_parse_uint(b, 1000000L, &bw) < 0 || bw < SL_BWP_BANDWIDTH_MIN ||
		    bw > SL_BWP_BANDWIDTH_MAX)
			return sl_api_fail(e, 400, "InvalidBandwidth.ValueNotSupported",
					   "%s %.16s is not valid: %d-%d.", kb, b,
					   SL_BWP_BANDWIDTH_MIN, SL_BWP_BANDWIDTH_MAX);
		sp[*n] = (struct sl_bwp_spec){
		    .zone = sl_mut_param(x, kz), .n_ips = (unsigned int)count, .bandwidth = bw};
		*total += (unsigned int)count;
		(*n)++;
	}
	return 0;
}

/* Stage the packages of sp[0..n-1] for gateway `id` and list them in
 * `ids` (the answer's BandwidthPackageIds). */
static int sl_natgw_stage_bwps(struct sl_mut *x, const char *id, const char *rid,
			       struct sl_bwp_spec *sp, unsigned int n, unsigned int total,
			       json_t *ids, struct sl_api_err *e)
{
	struct sl_pfx a[SL_BWP_PER_NATGW * SL_BWP_IPS_MAX];
	unsigned int at = 0;

	if (n && sl_nat_pick(x, total, a) < 0)
		return sl_api_fail(e, 500, "InsufficientEipCapacity",
				   "The gateway's EipPool has fewer than %u free addresses.",
				   total);
	for (unsigned int i = 0; i < n; i++) {
		char bid[SL_ID_LEN];

		sp[i].natgw_id = id;
		sp[i].region_id = rid;
		if (sl_bwp_new(x, &sp[i], a + at, bid, e) < 0)
			return -1;
		at += sp[i].n_ips;
		json_array_append_new(ids, json_string(bid));
	}
	return 0;
}

static int sl_create_natgw(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const req[] = {"VpcId", NULL};
	struct sl_natgw_obj tmp;
	struct sl_bwp_spec sp[SL_BWP_PER_NATGW];
	unsigned int n_bwps, total;
	const struct sl_vpc_obj *v;
	json_t *body, *ids;

	if (sl_mut_region(x, e) < 0 || sl_mut_require(x, e, req) < 0 ||
	    sl_natgw_bwps(x, sp, &n_bwps, &total, e) < 0)
		return -1;
	v = sl_store_vpc(x->s, sl_mut_param(x, "VpcId"));
	if (v == NULL || strcmp(v->region_id, sl_mut_param(x, "RegionId")) != 0)
		return sl_api_fail(e, 404, "InvalidVpcId.NotFound",
				   "The specified VPC %.64s does not exist in region %.64s.",
				   sl_mut_param(x, "VpcId"), sl_mut_param(x, "RegionId"));
	if (v->st.status != SL_STATUS_AVAILABLE)
		return sl_api_fail(e, 400, "IncorrectVpcStatus", "The VPC %s is not Available yet.",
				   v->id);
	memset(&tmp, 0, sizeof(tmp));
	if (sl_mut_new_id(x->s, "ngw-", tmp.id, sizeof(tmp.id)) < 0)
		return sl_api_fail(e, 500, "InternalError", "no random bytes");
	sl_cfg_nat_table_ids(tmp.id, tmp.snat_table_id, tmp.fwd_table_id, SL_ID_LEN);
	body = json_pack("{s:s,s:s}", "NatGatewayId", tmp.id, "VpcId", v->id);
	if (body) {
		sl_mut_copy_param(x, body, "VSwitchId", NULL);
		sl_mut_copy_param(x, body, "Spec", NULL);
		sl_mut_copy_param(x, body, "EndpointIndependentFiltering", NULL);
		sl_mut_copy_param(x, body, "Name", NULL);
		sl_mut_copy_param(x, body, "Description", NULL);
	}
	if (sl_stage_put(x, SL_CFG_NATGW, tmp.id, body, e) < 0)
		return -1;
	ids = json_array();
	if (ids == NULL)
		return sl_mut_oom(e);
	if (sl_natgw_stage_bwps(x, tmp.id, v->region_id, sp, n_bwps, total, ids, e) < 0) {
		json_decref(ids);
		return -1;
	}
	/* the gateway answers for the request (its packages' errors too) */
	snprintf(x->label, sizeof(x->label), "NatGateway %s", tmp.id);
	x->result = sl_natgw_tables(&tmp, true);
	if (x->result == NULL) {
		json_decref(ids);
		return sl_mut_oom(e);
	}
	sl_api_set_list(x->result, "BandwidthPackageIds", "BandwidthPackageId", ids);
	return 0;
}

static bool sl_true(const struct sl_mut *x, const char *k)
{
	const char *v = sl_mut_param(x, k);

	return v && strcmp(v, "true") == 0;
}

/* Unbind an EIP (stage its body without the binding). */
static int sl_stage_unbind(struct sl_mut *x, const struct sl_eip_obj *p, struct sl_api_err *e)
{
	json_t *body = json_deep_copy(sl_db_get(x->m->db, SL_CFG_EIP, p->id));

	if (body) {
		json_object_del(body, "InstanceType");
		json_object_del(body, "InstanceId");
	}
	return sl_stage_put(x, SL_CFG_EIP, p->id, body, e);
}

static int sl_delete_natgw(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_natgw_obj *n;
	const struct sl_store *s = x->s;
	bool force = sl_true(x, "Force");

	if (sl_mut_region(x, e) < 0 ||
	    (n = sl_own_natgw(x, "MissingParameter.NatGatewayId", e)) == NULL)
		return -1;
	if (!force && n->n_snat)
		return sl_api_fail(e, 400, "DependencyViolation.SnatEntry",
				   "The NAT gateway %s still has %u SNAT entr%s (Force=true "
				   "deletes them).",
				   n->id, n->n_snat, n->n_snat == 1 ? "y" : "ies");
	if (!force && n->n_fwd)
		return sl_api_fail(e, 400, "DependencyViolation.ForwardEntry",
				   "The NAT gateway %s still has %u forward entr%s (Force=true "
				   "deletes them).",
				   n->id, n->n_fwd, n->n_fwd == 1 ? "y" : "ies");
	if (n->n_bwps) /* the document: delete them first, Force or not */
		return sl_api_fail(e, 400, "DependencyViolation.BandwidthPackages",
				   "The NAT gateway %s still has %u NAT bandwidth package(s).",
				   n->id, n->n_bwps);
	if (!force && n->n_eips)
		return sl_api_fail(e, 400, "DependencyViolation.Eip",
				   "The NAT gateway %s still has %u EIP(s) bound (Force=true "
				   "unbinds them).",
				   n->id, n->n_eips);
	for (unsigned int i = 0; i < s->snat_v.n; i++) {
		const struct sl_snat_obj *o = s->snat_v.v[i];

		if (o->natgw != n)
			continue;
		if (!o->st.from_db)
			return sl_mut_file_object(e, "SNAT entry", o->id);
		if (sl_db_stage_del(x->m->db, SL_CFG_SNAT, o->id) < 0)
			return sl_mut_oom(e);
	}
	for (unsigned int i = 0; i < s->fwd_v.n; i++) {
		const struct sl_fwd_obj *o = s->fwd_v.v[i];

		if (o->natgw != n)
			continue;
		if (!o->st.from_db)
			return sl_mut_file_object(e, "forward entry", o->id);
		if (sl_db_stage_del(x->m->db, SL_CFG_FWD, o->id) < 0)
			return sl_mut_oom(e);
	}
	for (unsigned int i = 0; i < s->eip_v.n; i++) {
		const struct sl_eip_obj *p = s->eip_v.v[i];

		if (p->natgw != n)
			continue;
		if (!p->st.from_db)
			return sl_mut_file_object(e, "EIP", p->id);
		if (sl_stage_unbind(x, p, e) < 0)
			return -1;
	}
	if (sl_db_stage_del(x->m->db, SL_CFG_NATGW, n->id) < 0)
		return sl_mut_oom(e);
	snprintf(x->label, sizeof(x->label), "NatGateway %s", n->id);
	return sl_empty_result(x, e);
}

static int sl_modify_natgw(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const pairs[] = {"Name", "Name", "Description", "Description", NULL};
	struct sl_natgw_obj *n;

	if (sl_mut_region(x, e) < 0 || (n = sl_own_natgw(x, NULL, e)) == NULL)
		return -1;
	snprintf(x->label, sizeof(x->label), "NatGateway %s", n->id);
	return sl_mut_modify(x, SL_CFG_NATGW, n->id, pairs, e);
}

static int sl_modify_natgw_spec(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_natgw_obj *n;
	json_t *body;

	if (sl_mut_region(x, e) < 0 || (n = sl_own_natgw(x, NULL, e)) == NULL)
		return -1;
	body = json_deep_copy(sl_db_get(x->m->db, SL_CFG_NATGW, n->id));
	if (body)
		json_object_set_new(
		    body, "Spec",
		    json_string(sl_mut_param(x, "Spec") ? sl_mut_param(x, "Spec") : "Small"));
	if (sl_stage_put(x, SL_CFG_NATGW, n->id, body, e) < 0)
		return -1;
	snprintf(x->label, sizeof(x->label), "NatGateway %s", n->id);
	x->result = sl_natgw_tables(n, true);
	return x->result ? 0 : sl_mut_oom(e);
}

/* ---- EIPs ------------------------------------------------------------------------ */

/* Bandwidth: a decimal integer into the body (the range is validation's). */
static int sl_bandwidth(const struct sl_mut *x, json_t *body, struct sl_api_err *e)
{
	const char *v = sl_mut_param(x, "Bandwidth");
	char *end;
	long n;

	if (v == NULL)
		return 0;
	n = strtol(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || n > 100000)
		return sl_api_fail(e, 400, "InvalidParameter",
				   "Bandwidth: %.16s is not a number of Mbps (%d-%d).", v,
				   SL_EIP_BANDWIDTH_MIN, SL_EIP_BANDWIDTH_MAX);
	json_object_set_new(body, "Bandwidth", json_integer(n));
	return 0;
}

/* Is `a` (host order) free for a new EIP: not an EIP, not taken by an
 * earlier member of the batch, not an outside address? */
static bool sl_eip_free(const struct sl_mut *x, uint32_t a)
{
	const struct sl_store *s = x->s;
	const struct sl_gateway_obj *g = s->gateway;

	if (sl_jl_get(s->eip_addrs, (Word_t)a) ||
	    (x->vlan_skip && sl_j1_test(x->vlan_skip, SL_MUT_EIP_KEY(a)) == 1))
		return false;
	for (unsigned int i = 0; i < g->n_addrs; i++)
		if (g->addrs[i].family == SL_AF_INET && (uint32_t)g->addrs[i].addr == a)
			return false;
	return true;
}

int sl_nat_pick(const struct sl_mut *x, unsigned int n, struct sl_pfx *out)
{
	const struct sl_gateway_obj *g = x->s->gateway;
	unsigned int got = 0;

	for (unsigned int i = 0; g && i < g->n_pool; i++) {
		uint64_t first = (uint32_t)sl_pfx_first(&g->eip_pool[i]);
		uint64_t last = (uint32_t)sl_pfx_last(&g->eip_pool[i]);

		for (uint64_t a = first; a <= last && got < n; a++)
			if (sl_eip_free(x, (uint32_t)a)) {
				memset(&out[got], 0, sizeof(*out));
				out[got].family = SL_AF_INET;
				out[got].len = 32;
				out[got++].addr = (sl_u128)a;
			}
	}
	return got == n ? 0 : -ENOSPC;
}

static int sl_allocate_eip(struct sl_mut *x, struct sl_api_err *e)
{
	const char *want = sl_mut_param(x, "IpAddress");
	char id[SL_ID_LEN], ip[SL_PFX_STRLEN];
	struct sl_pfx a;
	json_t *body;

	if (sl_mut_region(x, e) < 0)
		return -1;
	if (x->s->eip_v.n >= SL_MAX_EIPS)
		return sl_api_fail(e, 400, "QuotaExceeded.Eip",
				   "The gateway holds %d EIPs, its quota.", SL_MAX_EIPS);
	if (want) {
		if (sl_ip_parse(want, &a) != SL_PFX_OK || a.family != SL_AF_INET)
			return sl_api_fail(e, 400, "InvalidIpAddress.Malformed",
					   "IpAddress %.64s is not an IPv4 address.", want);
		if (!sl_eip_free(x, (uint32_t)a.addr))
			return sl_api_fail(e, 400, "InvalidIpAddress.AlreadyAllocated",
					   "%.64s is already allocated.", want);
	} else if (sl_nat_pick(x, 1, &a) < 0) {
		return sl_api_fail(e, 500, "InsufficientEipCapacity",
				   "Every address of the gateway's EipPool is allocated.");
	}
	if (sl_mut_new_id(x->s, "eip-", id, sizeof(id)) < 0)
		return sl_api_fail(e, 500, "InternalError", "no random bytes");
	sl_ip_fmt(SL_AF_INET, a.addr, ip, sizeof(ip));
	x->vlan = SL_MUT_EIP_KEY(a.addr); /* later members of the batch skip it */
	body = json_pack("{s:s,s:s}", "AllocationId", id, "IpAddress", ip);
	if (body == NULL)
		return sl_mut_oom(e);
	if (sl_bandwidth(x, body, e) < 0) {
		json_decref(body);
		return -1;
	}
	sl_mut_copy_param(x, body, "InternetChargeType", NULL);
	sl_mut_copy_param(x, body, "Name", NULL);
	sl_mut_copy_param(x, body, "Description", NULL);
	if (sl_stage_put(x, SL_CFG_EIP, id, body, e) < 0)
		return -1;
	snprintf(x->label, sizeof(x->label), "EipAddress %s", id);
	x->result = json_pack("{s:s,s:s}", "AllocationId", id, "EipAddress", ip);
	return x->result ? 0 : sl_mut_oom(e);
}

/* The EIP named by AllocationId (required); API-owned when `own`. */
static struct sl_eip_obj *sl_eip(const struct sl_mut *x, bool own, struct sl_api_err *e)
{
	const char *id = sl_mut_param(x, "AllocationId");
	struct sl_eip_obj *p;

	if (id == NULL) {
		sl_mut_missing(e, "AllocationId");
		return NULL;
	}
	p = sl_jsl_get(x->s->eips, id);
	if (p == NULL) {
		sl_api_fail(e, 404, "InvalidAllocationId.NotFound",
			    "The specified EIP %.64s does not exist.", id);
		return NULL;
	}
	if (own && !p->st.from_db) {
		sl_mut_file_object(e, "EIP", id);
		return NULL;
	}
	return p;
}

/* InstanceType: EcsInstance (default), Nat or HaVip; -1 with `e`
 * otherwise. A HaVip must exist and be Available or InUse (settled). */
static int sl_instance_type(const struct sl_mut *x, const char **type, struct sl_api_err *e)
{
	const struct sl_havip_obj *h;

	*type = sl_mut_param(x, "InstanceType");
	if (*type == NULL)
		*type = "EcsInstance";
	if (strcmp(*type, "EcsInstance") != 0 && strcmp(*type, "Nat") != 0 &&
	    strcmp(*type, "HaVip") != 0)
		return sl_api_fail(e, 400, "InvalidInstanceType.ValueNotSupported",
				   "InstanceType %.32s: sluice binds EIPs to EcsInstance (a sluice "
				   "instance), Nat or HaVip.",
				   *type);
	if (strcmp(*type, "HaVip") != 0 || sl_mut_param(x, "InstanceId") == NULL)
		return 0;
	h = sl_jsl_get(x->s->havips, sl_mut_param(x, "InstanceId"));
	if (h == NULL)
		return sl_api_fail(e, 404, "InvalidHaVip.NotFound",
				   "The specified HaVip %.64s does not exist.",
				   sl_mut_param(x, "InstanceId"));
	if (h->st.status != SL_STATUS_AVAILABLE)
		return sl_api_fail(e, 400, "IncorrectHaVipStatus",
				   "The HaVip %s is neither Available nor InUse.", h->id);
	return 0;
}

static int sl_associate_eip(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_eip_obj *p = sl_eip(x, true, e);
	const char *type, *iid = sl_mut_param(x, "InstanceId");
	json_t *body;

	if (p == NULL || sl_instance_type(x, &type, e) < 0)
		return -1;
	if (iid == NULL)
		return sl_mut_missing(e, "InstanceId");
	if (p->instance_id[0] || p->st.status != SL_STATUS_AVAILABLE)
		return sl_api_fail(e, 400, "IncorrectEipStatus",
				   "The EIP %s is not Available (it is bound to %s).", p->id,
				   p->instance_id[0] ? p->instance_id : "nothing, but changing");
	if (strcmp(type, "Nat") == 0) {
		struct sl_natgw_obj *n = sl_jsl_get(x->s->natgws, iid);

		if (n == NULL)
			return sl_api_fail(e, 404, "InvalidInstanId.NotFound",
					   "The specified NAT gateway %.64s does not exist.", iid);
		if (sl_natgw_settled(n, e) < 0)
			return -1;
	} else if (strcmp(type, "HaVip") != 0 && sl_store_instance(x->s, iid) == NULL) {
		/* a HaVip was checked by sl_instance_type(); one EIP each is validation's */
		return sl_api_fail(e, 404, "InvalidInstanId.NotFound",
				   "The specified instance %.64s does not exist.", iid);
	}
	body = json_deep_copy(sl_db_get(x->m->db, SL_CFG_EIP, p->id));
	if (body) {
		json_object_set_new(body, "InstanceType", json_string(type));
		json_object_set_new(body, "InstanceId", json_string(iid));
	}
	if (sl_stage_put(x, SL_CFG_EIP, p->id, body, e) < 0)
		return -1;
	snprintf(x->label, sizeof(x->label), "EipAddress %s", p->id);
	return sl_empty_result(x, e);
}

static int sl_unassociate_eip(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_eip_obj *p = sl_eip(x, true, e);
	const char *type, *iid = sl_mut_param(x, "InstanceId");

	if (p == NULL || sl_instance_type(x, &type, e) < 0)
		return -1;
	if (iid == NULL)
		return sl_mut_missing(e, "InstanceId");
	if (p->instance_id[0] == '\0' || p->st.status != SL_STATUS_AVAILABLE)
		return sl_api_fail(e, 400, "IncorrectEipStatus", "The EIP %s is not InUse.", p->id);
	if (strcmp(p->instance_id, iid) != 0 ||
	    strcmp(p->instance_type[0] ? p->instance_type : "EcsInstance", type) != 0)
		return sl_api_fail(e, 400, "ResourceNotAssociated",
				   "The EIP %s is not bound to %s %.64s.", p->id, type, iid);
	if (p->n_snat || p->n_fwd)
		return sl_api_fail(
		    e, 400, "DependencyViolation.NatEntry",
		    "%u SNAT and %u forward entr%s of NAT gateway %s use the EIP %s.", p->n_snat,
		    p->n_fwd, p->n_snat + p->n_fwd == 1 ? "y" : "ies", iid, p->id);
	if (sl_stage_unbind(x, p, e) < 0)
		return -1;
	snprintf(x->label, sizeof(x->label), "EipAddress %s", p->id);
	return sl_empty_result(x, e);
}

static int sl_release_eip(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_eip_obj *p = sl_eip(x, true, e);

	if (p == NULL)
		return -1;
	if (p->instance_id[0] || p->st.status != SL_STATUS_AVAILABLE)
		return sl_api_fail(e, 400, "IncorrectEipStatus",
				   "The EIP %s is not Available (unbind it first).", p->id);
	if (sl_bwp_eip_deps(p, e) < 0)
		return -1;
	if (sl_db_stage_del(x->m->db, SL_CFG_EIP, p->id) < 0)
		return sl_mut_oom(e);
	snprintf(x->label, sizeof(x->label), "EipAddress %s", p->id);
	return sl_empty_result(x, e);
}

static int sl_modify_eip(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const pairs[] = {"Name", "Name", "Description", "Description", NULL};
	struct sl_eip_obj *p = sl_eip(x, true, e);
	json_t *body;

	if (p == NULL)
		return -1;
	body = json_deep_copy(sl_db_get(x->m->db, SL_CFG_EIP, p->id));
	if (body == NULL)
		return sl_mut_oom(e);
	if (sl_bandwidth(x, body, e) < 0) {
		json_decref(body);
		return -1;
	}
	for (const char *const *k = pairs; *k; k += 2)
		sl_mut_copy_param(x, body, k[0], k[1]);
	if (sl_stage_put(x, SL_CFG_EIP, p->id, body, e) < 0)
		return -1;
	snprintf(x->label, sizeof(x->label), "EipAddress %s", p->id);
	return sl_empty_result(x, e);
}

/* ---- SNAT and forward entries ------------------------------------------------------ */

/* The gateway of table parameter `tk` (required; `nf` is the NotFound code). */
static struct sl_natgw_obj *sl_table(const struct sl_mut *x, const char *tk, const char *nf,
				     bool snat, struct sl_api_err *e)
{
	const char *id = sl_mut_param(x, tk);
	struct sl_natgw_obj *n;

	if (id == NULL) {
		sl_mut_missing(e, tk);
		return NULL;
	}
	n = sl_jsl_get(x->s->nat_tables, id);
	if (n == NULL || strcmp(snat ? n->snat_table_id : n->fwd_table_id, id) != 0) {
		sl_api_fail(e, 404, nf, "The specified table %.64s does not exist.", id);
		return NULL;
	}
	return n;
}

/* Any entry of the table in transition blocks changes (spec digest 2.8, 3.9). */
static int sl_entries_settled(const struct sl_store *s, const struct sl_natgw_obj *n, bool snat,
			      const char *code, struct sl_api_err *e)
{
	const struct sl_objvec *v = snat ? &s->snat_v : &s->fwd_v;

	for (unsigned int i = 0; i < v->n; i++) {
		const struct sl_snat_obj *sn = snat ? v->v[i] : NULL;
		const struct sl_fwd_obj *fw = snat ? NULL : v->v[i];
		const struct sl_obj_state *st = snat ? &sn->st : &fw->st;

		if ((snat ? sn->natgw : fw->natgw) == n && st->status != SL_STATUS_AVAILABLE)
			return sl_api_fail(e, 400, code,
					   "The entry %s of NAT gateway %s is not Available yet.",
					   snat ? sn->id : fw->id, n->id);
	}
	return 0;
}

/* Common start of an entry change: region, table, gateway and entries settled. */
static struct sl_natgw_obj *sl_entry_table(const struct sl_mut *x, bool snat,
					   const char *status_code, struct sl_api_err *e)
{
	struct sl_natgw_obj *n;

	if (sl_mut_region(x, e) < 0)
		return NULL;
	n = snat ? sl_table(x, "SnatTableId", "InvalidSnatTableId.NotFound", true, e)
		 : sl_table(x, "ForwardTableId", "InvalidForwardTableId.NotFound", false, e);
	if (n == NULL || sl_natgw_settled(n, e) < 0 ||
	    sl_entries_settled(x->s, n, snat, status_code, e) < 0)
		return NULL;
	return n;
}

static int sl_create_snat(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const req[] = {"SnatIp", NULL};
	struct sl_natgw_obj *n = sl_entry_table(x, true, "IncorrectSnatEntryStatus", e);
	char id[SL_ID_LEN];
	json_t *body;

	if (n == NULL || sl_mut_require(x, e, req) < 0)
		return -1;
	if (sl_mut_param(x, "SourceVSwitchId") == NULL && sl_mut_param(x, "SourceCIDR") == NULL)
		return sl_mut_missing(e, "SourceVSwitchId");
	if (sl_mut_new_id(x->s, "snat-", id, sizeof(id)) < 0)
		return sl_api_fail(e, 500, "InternalError", "no random bytes");
	body = json_pack("{s:s,s:s}", "SnatEntryId", id, "SnatTableId", n->snat_table_id);
	if (body) {
		sl_mut_copy_param(x, body, "SourceVSwitchId", NULL);
		sl_mut_copy_param(x, body, "SourceCIDR", NULL);
		sl_mut_copy_param(x, body, "SnatIp", NULL);
		sl_mut_copy_param(x, body, "SnatEntryName", NULL);
	}
	if (sl_stage_put(x, SL_CFG_SNAT, id, body, e) < 0)
		return -1;
	snprintf(x->label, sizeof(x->label), "SnatEntry %s", id);
	x->result = json_pack("{s:s}", "SnatEntryId", id);
	return x->result ? 0 : sl_mut_oom(e);
}

/* The entry `ik` of the table (`snat`), API-owned; NULL with `e`. */
static const char *sl_own_entry(const struct sl_mut *x, const struct sl_natgw_obj *n, bool snat,
				struct sl_api_err *e)
{
	const char *ik = snat ? "SnatEntryId" : "ForwardEntryId";
	const char *id = sl_mut_param(x, ik);
	const struct sl_obj_state *st = NULL;

	if (id == NULL) {
		sl_mut_missing(e, ik);
		return NULL;
	}
	if (snat) {
		const struct sl_snat_obj *o = sl_jsl_get(x->s->snats, id);

		st = o && o->natgw == n ? &o->st : NULL;
	} else {
		const struct sl_fwd_obj *o = sl_jsl_get(x->s->fwds, id);

		st = o && o->natgw == n ? &o->st : NULL;
	}
	if (st == NULL) {
		sl_api_fail(e, 404,
			    snat ? "InvalidSnatEntryId.NotFound" : "InvalidForwardEntryId.NotFound",
			    "The specified entry %.64s does not exist in this table.", id);
		return NULL;
	}
	if (!st->from_db) {
		sl_mut_file_object(e, snat ? "SNAT entry" : "forward entry", id);
		return NULL;
	}
	return id;
}

static int sl_delete_entry(struct sl_mut *x, bool snat, struct sl_api_err *e)
{
	struct sl_natgw_obj *n = sl_entry_table(
	    x, snat, snat ? "IncorrectSnatEntryStatus" : "IncorrectForwardEntryStatus", e);
	const char *id = n ? sl_own_entry(x, n, snat, e) : NULL;

	if (id == NULL)
		return -1;
	if (sl_db_stage_del(x->m->db, snat ? SL_CFG_SNAT : SL_CFG_FWD, id) < 0)
		return sl_mut_oom(e);
	snprintf(x->label, sizeof(x->label), "%s %s", snat ? "SnatEntry" : "ForwardEntry", id);
	return sl_empty_result(x, e);
}

static int sl_delete_snat(struct sl_mut *x, struct sl_api_err *e)
{
	return sl_delete_entry(x, true, e);
}

static int sl_delete_fwd(struct sl_mut *x, struct sl_api_err *e)
{
	return sl_delete_entry(x, false, e);
}

static int sl_modify_snat(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const pairs[] = {"SnatIp", "SnatIp", "SnatEntryName", "SnatEntryName",
					    NULL};
	/* the document's spelling for ModifySnatEntry (sic) */
	struct sl_natgw_obj *n = sl_entry_table(x, true, "IncorretSnatEntryStatus", e);
	const char *id = n ? sl_own_entry(x, n, true, e) : NULL;

	if (id == NULL)
		return -1;
	snprintf(x->label, sizeof(x->label), "SnatEntry %s", id);
	return sl_mut_modify(x, SL_CFG_SNAT, id, pairs, e);
}

static const char *const sl_fwd_params[] = {"ExternalIp",
					    "ExternalIp",
					    "ExternalPort",
					    "ExternalPort",
					    "IpProtocol",
					    "IpProtocol",
					    "InternalIp",
					    "InternalIp",
					    "InternalPort",
					    "InternalPort",
					    "ForwardEntryName",
					    "ForwardEntryName",
					    NULL};

static int sl_create_fwd(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const req[] = {"ExternalIp", "ExternalPort", "IpProtocol",
					  "InternalIp", "InternalPort", NULL};
	struct sl_natgw_obj *n = sl_entry_table(x, false, "IncorrectForwardEntryStatus", e);
	char id[SL_ID_LEN];
	json_t *body;

	if (n == NULL || sl_mut_require(x, e, req) < 0)
		return -1;
	if (sl_mut_new_id(x->s, "fwd-", id, sizeof(id)) < 0)
		return sl_api_fail(e, 500, "InternalError", "no random bytes");
	body = json_pack("{s:s,s:s}", "ForwardEntryId", id, "ForwardTableId", n->fwd_table_id);
	for (const char *const *k = sl_fwd_params; body && *k; k += 2)
		sl_mut_copy_param(x, body, k[0], k[1]);
	if (sl_stage_put(x, SL_CFG_FWD, id, body, e) < 0)
		return -1;
	snprintf(x->label, sizeof(x->label), "ForwardEntry %s", id);
	x->result = json_pack("{s:s}", "ForwardEntryId", id);
	return x->result ? 0 : sl_mut_oom(e);
}

static int sl_modify_fwd(struct sl_mut *x, struct sl_api_err *e)
{
	/* ModifyForwardEntry's own spellings (spec digest 2.8) */
	static const char *const remaps[] = {"InvalidProtocol.ValueNotSupported",
					     "InvalidProtocal.ValueNotSupported",
					     "ForwardEntry.Duplicated.Source",
					     "ForwardEntry.Duplicated",
					     "ForwardEntry.Duplicated.Destination",
					     "Forbidden.InternalIpAndInternalPortDuplicate",
					     NULL};
	struct sl_natgw_obj *n = sl_entry_table(x, false, "IncorretForwardEntryStatus", e);
	const char *id = n ? sl_own_entry(x, n, false, e) : NULL;

	if (id == NULL)
		return -1;
	snprintf(x->label, sizeof(x->label), "ForwardEntry %s", id);
	x->remaps = remaps;
	return sl_mut_modify(x, SL_CFG_FWD, id, sl_fwd_params, e);
}

/* ---- what the VPC actions must not delete from under NAT objects ---- */

int sl_nat_vpc_deps(const struct sl_store *s, const struct sl_vpc_obj *v,
		    const struct sl_vswitch_obj *w, const struct sl_instance_obj *in,
		    struct sl_api_err *e)
{
	for (unsigned int i = 0; v && i < s->natgw_v.n; i++) {
		const struct sl_natgw_obj *n = s->natgw_v.v[i];

		if (n->vpc == v)
			return sl_api_fail(e, 400, "DependencyViolation.NatGateway",
					   "The VPC %s still has NAT gateway %s.", v->id, n->id);
	}
	for (unsigned int i = 0; w && i < s->natgw_v.n; i++) {
		const struct sl_natgw_obj *n = s->natgw_v.v[i];

		if (strcmp(n->vswitch_id, w->id) == 0)
			return sl_api_fail(e, 400, "DependencyViolation.NatGateway",
					   "NAT gateway %s is in VSwitch %s.", n->id, w->id);
	}
	for (unsigned int i = 0; w && i < s->snat_v.n; i++) {
		const struct sl_snat_obj *n = s->snat_v.v[i];

		if (strcmp(n->source_vswitch_id, w->id) == 0)
			return sl_api_fail(e, 400, "DependencyViolation.SnatEntry",
					   "SNAT entry %s translates VSwitch %s.", n->id, w->id);
	}
	for (unsigned int i = 0; in && i < s->eip_v.n; i++) {
		const struct sl_eip_obj *p = s->eip_v.v[i];

		if (p->instance == in)
			return sl_api_fail(e, 400, "DependencyViolation.Eip",
					   "EIP %s is bound to instance %s.", p->id, in->id);
	}
	return 0;
}

/* ---- the action table ------------------------------------------------------------- */

/* Parameters of later API versions that sluice cannot honour: refused when
 * set (not "false"), so nothing asked for is silently dropped. */
static const char *const sl_no_ngw[] = {
    "NatType", "NetworkType", "Ipv4Prefix", "PrivateLinkEnabled", "NatIp", NULL};
static const char *const sl_no_eip[] = {"InstanceChargeType", "PublicIpAddressPoolId", "ISP",
					"SecurityProtectionTypes", NULL};
static const char *const sl_no_eip_assoc[] = {"PrivateIpAddress", "Mode", NULL};
static const char *const sl_no_eip_unassoc[] = {"PrivateIpAddress", "Force", NULL};
static const char *const sl_no_snat[] = {"EipAffinity", "NetworkInterfaceId", NULL};
static const char *const sl_no_fwd[] = {"PortBreak", NULL};
static const char *const sl_no_ngw_mod[] = {"EipBindMode", "IcmpReplyEnabled", "EnableSessionLog",
					    NULL};
static const char *const sl_nothing[] = {NULL};

const struct sl_mut_action sl_nat_actions[] = {
    {"CreateNatGateway", sl_create_natgw, sl_no_ngw, true}, /* with its packages */
    {"DeleteNatGateway", sl_delete_natgw, sl_nothing, true},
    {"ModifyNatGatewayAttribute", sl_modify_natgw, sl_no_ngw_mod, false},
    {"ModifyNatGatewaySpec", sl_modify_natgw_spec, sl_nothing, false},
    {"AllocateEipAddress", sl_allocate_eip, sl_no_eip, false},
    {"AssociateEipAddress", sl_associate_eip, sl_no_eip_assoc, false},
    {"UnassociateEipAddress", sl_unassociate_eip, sl_no_eip_unassoc, false},
    {"ReleaseEipAddress", sl_release_eip, sl_nothing, false},
    {"ModifyEipAddressAttribute", sl_modify_eip, sl_nothing, false},
    {"CreateSnatEntry", sl_create_snat, sl_no_snat, false},
    {"DeleteSnatEntry", sl_delete_snat, sl_nothing, false},
    {"ModifySnatEntry", sl_modify_snat, sl_no_snat, false},
    {"CreateForwardEntry", sl_create_fwd, sl_no_fwd, false},
    {"DeleteForwardEntry", sl_delete_fwd, sl_nothing, false},
    {"ModifyForwardEntry", sl_modify_fwd, sl_no_fwd, false},
};
const unsigned int sl_nat_n_actions = sizeof(sl_nat_actions) / sizeof(sl_nat_actions[0]);

/* ---- Describe actions -------------------------------------------------------------- */

static const char *sl_ip(const struct sl_pfx *a, char buf[SL_PFX_STRLEN])
{
	return sl_ip_fmt(a->family, a->addr, buf, SL_PFX_STRLEN);
}

/* The EIP's API status: InUse when bound (Associating while it is
 * Pending), else Available. */
static const char *sl_eip_status(const struct sl_eip_obj *p)
{
	if (p->instance_id[0])
		return p->st.status == SL_STATUS_AVAILABLE ? "InUse" : "Associating";
	return "Available";
}

static json_t *sl_natgw_json(const struct sl_store *s, const struct sl_natgw_obj *n,
			     const char *ctime)
{
	json_t *o = sl_natgw_tables(n, true), *ips = json_array(), *priv;

	if (o == NULL)
		return NULL;
	sl_api_set_str(o, "RegionId", n->vpc ? n->vpc->region_id : "");
	sl_api_set_str(o, "VpcId", n->vpc_id);
	sl_api_set_str(o, "Name", n->name[0] ? n->name : n->id);
	sl_api_set_str(o, "Description", n->description);
	sl_api_set_str(o, "Spec", n->spec);
	json_object_set_new(o, "EndpointIndependentFiltering", json_boolean(n->eif));
	sl_api_set_str(o, "Status", sl_status_name(n->st.status));
	sl_api_set_str(o, "InstanceChargeType", "PostPaid");
	sl_api_set_str(o, "BusinessStatus", "Normal");
	sl_api_set_str(o, "NatType", "Normal");
	sl_api_set_ctime(o, &n->st, ctime);
	priv = json_object();
	sl_api_set_str(priv, "VswitchId", n->vswitch_id);
	json_object_set_new(o, "NatGatewayPrivateInfo", priv);
	for (unsigned int i = 0; i < s->eip_v.n; i++) {
		const struct sl_eip_obj *p = s->eip_v.v[i];
		char buf[SL_PFX_STRLEN];
		json_t *ip;

		if (p->natgw != n)
			continue;
		ip = json_object();
		sl_api_set_str(ip, "AllocationId", p->id);
		sl_api_set_str(ip, "IpAddress", sl_ip(&p->ip, buf));
		sl_api_set_str(ip, "UsingStatus",
			       p->n_snat  ? "UsedBySnatTable"
			       : p->n_fwd ? "UsedByForwardTable"
					  : "Idle");
		json_object_set_new(ip, "SnatEntryEnabled", json_boolean(p->n_snat > 0));
		json_array_append_new(ips, ip);
	}
	sl_api_set_list(o, "IpLists", "IpList", ips);
	ips = json_array(); /* its NAT bandwidth packages (api_bwp.c) */
	for (unsigned int i = 0; i < s->bwp_v.n; i++)
		if (((const struct sl_bwp_obj *)s->bwp_v.v[i])->natgw == n)
			json_array_append_new(
			    ips, json_string(((const struct sl_bwp_obj *)s->bwp_v.v[i])->id));
	sl_api_set_list(o, "BandwidthPackageIds", "BandwidthPackageId", ips);
	return o;
}

static int sl_describe_natgws(const struct sl_store *s, const struct sl_api_params *p, json_t *res,
			      const char *ctime, struct sl_api_err *e)
{
	const char *rid;
	struct sl_api_list l;

	if (sl_api_list_region(&l, s, p, &rid, e) < 0)
		return -1;
	for (unsigned int i = 0; i < s->natgw_v.n; i++) {
		const struct sl_natgw_obj *n = s->natgw_v.v[i];

		if (n->vpc == NULL || strcmp(n->vpc->region_id, rid) != 0 ||
		    !sl_api_filter_ids(p, "NatGatewayId", n->id) ||
		    !sl_api_filter(p, "VpcId", n->vpc_id) || !sl_api_filter(p, "Spec", n->spec) ||
		    !sl_api_filter(p, "Name", n->name[0] ? n->name : n->id) ||
		    !sl_api_filter(p, "Status", sl_status_name(n->st.status)))
			continue;
		if (sl_api_list_match(&l))
			json_array_append_new(l.items, sl_natgw_json(s, n, ctime));
	}
	sl_api_list_end(&l, res, "NatGateways", "NatGateway");
	return 0;
}

static json_t *sl_eip_json(const struct sl_eip_obj *p, const char *rid, const char *ctime)
{
	json_t *o = json_object(), *locks = json_object();
	char buf[SL_PFX_STRLEN];

	sl_api_set_str(o, "RegionId", rid);
	sl_api_set_str(o, "IpAddress", sl_ip(&p->ip, buf));
	sl_api_set_str(o, "AllocationId", p->id);
	sl_api_set_str(o, "Status", sl_eip_status(p));
	sl_api_set_str(o, "InstanceType",
		       p->instance_id[0] ? (p->instance_type[0] ? p->instance_type : "EcsInstance")
					 : "");
	sl_api_set_str(o, "InstanceId", p->instance_id);
	sl_api_set_str(o, "InstanceRegionId", p->instance_id[0] ? rid : "");
	snprintf(buf, sizeof(buf), "%u", p->bandwidth);
	sl_api_set_str(o, "Bandwidth", buf);
	sl_api_set_str(o, "InternetChargeType", p->charge_type);
	sl_api_set_str(o, "ChargeType", "PostPaid");
	sl_api_set_str(o, "Name", p->name);
	sl_api_set_str(o, "Description", p->description);
	sl_api_set_str(o, "Mode", "NAT");
	/* its common bandwidth package, if any (api_bwp.c) */
	sl_api_set_str(o, "BandwidthPackageId", p->cbwp ? p->cbwp->id : "");
	sl_api_set_str(o, "BandwidthPackageType", p->cbwp ? "CommonBandwidthPackage" : "");
	if (p->cbwp) {
		snprintf(buf, sizeof(buf), "%lld", p->cbwp->bandwidth);
		sl_api_set_str(o, "BandwidthPackageBandwidth", buf);
	}
	json_object_set_new(locks, "LockReason", json_array());
	json_object_set_new(o, "OperationLocks", locks);
	sl_api_set_ctime(o, &p->st, ctime);
	/* the document's name for it */
	json_object_set(o, "AllocationTime", json_object_get(o, "CreationTime"));
	json_object_del(o, "CreationTime");
	return o;
}

static int sl_describe_eips(const struct sl_store *s, const struct sl_api_params *p, json_t *res,
			    const char *ctime, struct sl_api_err *e)
{
	static const char *const types[] = {"EcsInstance", "SlbInstance",      "Nat",
					    "HaVip",	   "NetworkInterface", NULL};
	const char *rid, *at = sl_api_param(p, "AssociatedInstanceType");
	struct sl_api_list l;
	bool ok = at == NULL || *at == '\0';

	if (sl_api_list_region(&l, s, p, &rid, e) < 0)
		return -1;
	for (const char *const *t = types; !ok && *t; t++)
		ok = strcmp(at, *t) == 0;
	if (!ok)
		return sl_api_fail(e, 400, "InvalidAssociatedInstanceType.ValueNotSupported",
				   "AssociatedInstanceType %.32s is not valid.", at);
	for (unsigned int i = 0; i < s->eip_v.n; i++) {
		const struct sl_eip_obj *q = s->eip_v.v[i];
		const char *type = q->instance_id[0]
				       ? (q->instance_type[0] ? q->instance_type : "EcsInstance")
				       : "";
		char buf[SL_PFX_STRLEN];

		if (!sl_api_filter_ids(p, "AllocationId", q->id) ||
		    !sl_api_filter(p, "EipAddress", sl_ip(&q->ip, buf)) ||
		    !sl_api_filter(p, "Status", sl_eip_status(q)) ||
		    !sl_api_filter(p, "AssociatedInstanceType", type) ||
		    !sl_api_filter(p, "AssociatedInstanceId", q->instance_id) ||
		    !sl_api_filter(p, "EipName", q->name))
			continue;
		if (sl_api_list_match(&l))
			json_array_append_new(l.items, sl_eip_json(q, rid, ctime));
	}
	sl_api_list_end(&l, res, "EipAddresses", "EipAddress");
	return 0;
}

/* The table of a Describe*Entries request: its id, or the NatGatewayId's. */
static const struct sl_natgw_obj *sl_describe_table(const struct sl_store *s,
						    const struct sl_api_params *p, bool snat,
						    struct sl_api_err *e)
{
	const char *tk = snat ? "SnatTableId" : "ForwardTableId";
	const char *id = sl_api_param(p, tk), *ngw = sl_api_param(p, "NatGatewayId");
	const struct sl_natgw_obj *n;

	if (id && *id) {
		n = sl_jsl_get(s->nat_tables, id);
		if (n && strcmp(snat ? n->snat_table_id : n->fwd_table_id, id) == 0)
			return n;
		sl_api_fail(e, 404,
			    snat ? "InvalidSnatTableId.NotFound" : "InvalidForwardTableId.NotFound",
			    "The specified table %.64s does not exist.", id);
		return NULL;
	}
	if (ngw && *ngw) {
		n = sl_jsl_get(s->natgws, ngw);
		if (n == NULL)
			sl_api_fail(e, 404, "InvalidNatGatewayId.NotFound",
				    "The specified NAT gateway %.64s does not exist.", ngw);
		return n;
	}
	if (snat)
		sl_api_fail(e, 400, "MissingParameter",
			    "The input parameter \"SnatTableId\" that is mandatory for processing "
			    "this request is not supplied.");
	else
		sl_api_fail(e, 400, "MissingParameter.VRouterIdOrForwardTableId",
			    "ForwardTableId (or NatGatewayId) is required.");
	return NULL;
}

static int sl_describe_snat(const struct sl_store *s, const struct sl_api_params *p, json_t *res,
			    struct sl_api_err *e)
{
	const char *rid;
	const struct sl_natgw_obj *n;
	struct sl_api_list l;

	if (sl_api_list_region(&l, s, p, &rid, e) < 0 ||
	    (n = sl_describe_table(s, p, true, e)) == NULL)
		return -1;
	for (unsigned int i = 0; i < s->snat_v.n; i++) {
		const struct sl_snat_obj *o = s->snat_v.v[i];
		const struct sl_vswitch_obj *w =
		    o->source_vswitch_id[0] ? sl_store_vswitch(s, o->source_vswitch_id) : NULL;
		char cidr[SL_PFX_STRLEN] = "", ips[SL_SNAT_POOL_MAX * 16] = "", buf[SL_PFX_STRLEN];
		json_t *j;

		if (o->natgw != n)
			continue;
		if (w)
			sl_pfx_fmt(&w->cidr, cidr, sizeof(cidr));
		else if (o->source_cidr.family)
			sl_pfx_fmt(&o->source_cidr, cidr, sizeof(cidr));
		for (unsigned int k = 0; k < o->n_ips; k++) {
			if (k)
				strncat(ips, ",", sizeof(ips) - strlen(ips) - 1);
			strncat(ips, sl_ip(&o->ips[k], buf), sizeof(ips) - strlen(ips) - 1);
		}
		if (!sl_api_filter(p, "SnatEntryId", o->id) ||
		    !sl_api_filter(p, "SourceVSwitchId", o->source_vswitch_id) ||
		    !sl_api_filter(p, "SourceCIDR", cidr) || !sl_api_filter(p, "SnatIp", ips) ||
		    !sl_api_filter(p, "SnatEntryName", o->name))
			continue;
		if (sl_api_list_match(&l)) {
			j = json_object();
			sl_api_set_str(j, "SnatTableId", o->table_id);
			sl_api_set_str(j, "SnatEntryId", o->id);
			sl_api_set_str(j, "SourceVSwitchId", o->source_vswitch_id);
			sl_api_set_str(j, "SourceCIDR", cidr);
			sl_api_set_str(j, "SnatIp", ips);
			sl_api_set_str(j, "SnatEntryName", o->name);
			sl_api_set_str(j, "Status", sl_status_name(o->st.status));
			json_array_append_new(l.items, j);
		}
	}
	sl_api_list_end(&l, res, "SnatTableEntries", "SnatTableEntry");
	return 0;
}

static const char *sl_port(unsigned int port, char buf[12])
{
	if (port == 0)
		return "Any";
	snprintf(buf, 12, "%u", port);
	return buf;
}

/* A port filter: "Any" in any case, or the number. */
static bool sl_port_filter(const struct sl_api_params *p, const char *k, unsigned int port)
{
	const char *f = sl_api_param(p, k);

	return f == NULL || *f == '\0' || sl_cfg_port(f) == (int)port;
}

static int sl_describe_fwd(const struct sl_store *s, const struct sl_api_params *p, json_t *res,
			   struct sl_api_err *e)
{
	const char *rid, *proto = sl_api_param(p, "IpProtocol");
	const struct sl_natgw_obj *n;
	struct sl_api_list l;

	if (sl_api_list_region(&l, s, p, &rid, e) < 0 ||
	    (n = sl_describe_table(s, p, false, e)) == NULL)
		return -1;
	for (unsigned int i = 0; i < s->fwd_v.n; i++) {
		const struct sl_fwd_obj *o = s->fwd_v.v[i];
		char ext[SL_PFX_STRLEN], in[SL_PFX_STRLEN], ep[12], ip[12];
		json_t *j;

		if (o->natgw != n)
			continue;
		sl_ip(&o->ext_ip, ext);
		sl_ip(&o->int_ip, in);
		if (!sl_api_filter(p, "ForwardEntryId", o->id) ||
		    !sl_api_filter(p, "ExternalIp", ext) || !sl_api_filter(p, "InternalIp", in) ||
		    !sl_port_filter(p, "ExternalPort", o->ext_port) ||
		    !sl_port_filter(p, "InternalPort", o->int_port) ||
		    (proto && *proto && strcasecmp(proto, o->proto) != 0) ||
		    !sl_api_filter(p, "ForwardEntryName", o->name))
			continue;
		if (sl_api_list_match(&l)) {
			j = json_object();
			sl_api_set_str(j, "ForwardTableId", o->table_id);
			sl_api_set_str(j, "ForwardEntryId", o->id);
			sl_api_set_str(j, "ExternalIp", ext);
			sl_api_set_str(j, "ExternalPort", sl_port(o->ext_port, ep));
			sl_api_set_str(j, "IpProtocol", o->proto);
			sl_api_set_str(j, "InternalIp", in);
			sl_api_set_str(j, "InternalPort", sl_port(o->int_port, ip));
			sl_api_set_str(j, "ForwardEntryName", o->name);
			sl_api_set_str(j, "Status", sl_status_name(o->st.status));
			json_array_append_new(l.items, j);
		}
	}
	sl_api_list_end(&l, res, "ForwardTableEntries", "ForwardTableEntry");
	return 0;
}

bool sl_api_nat_known(const char *action)
{
	static const char *const v[] = {"DescribeNatGateways", "DescribeEipAddresses",
					"DescribeSnatTableEntries", "DescribeForwardTableEntries",
					NULL};

	for (const char *const *a = v; *a; a++)
		if (strcmp(action, *a) == 0)
			return true;
	return false;
}

int sl_api_nat_describe(const struct sl_store *s, const char *action, const struct sl_api_params *p,
			json_t *res, const char *ctime, struct sl_api_err *e)
{
	if (strcmp(action, "DescribeNatGateways") == 0)
		return sl_describe_natgws(s, p, res, ctime, e);
	if (strcmp(action, "DescribeEipAddresses") == 0)
		return sl_describe_eips(s, p, res, ctime, e);
	if (strcmp(action, "DescribeSnatTableEntries") == 0)
		return sl_describe_snat(s, p, res, e);
	return sl_describe_fwd(s, p, res, e);
}
