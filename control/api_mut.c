/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mutating RPC actions: CreateVpc, DeleteVpc, ModifyVpcAttribute,
 * CreateVSwitch, DeleteVSwitch, ModifyVSwitchAttribute, CreateRouteEntry,
 * DeleteRouteEntry, ModifyRouteEntry, and sluice's own
 * CreateSluiceInstance, DeleteSluiceInstance; the NAT gateway, EIP, SNAT
 * and forward entry actions are in api_nat.c (sl_api_mut_int.h), and this
 * file runs them the same way.
 *
 * Design note: an action checks its parameters and what only the live
 * store can tell (existence, ownership, status, dependencies), then stages
 * its change in the database overlay as the JSON object the config file
 * would hold. The candidate store is built exactly as a reload builds one
 * (file + database + overlay, sl_ctl_build_store()), so validation, with
 * the document's codes, is config.c's and validate.c's and cannot differ
 * between the file and the API; or, for the changes it covers and only
 * when it validates, by applying the overlay in place on the live store
 * and validating the VPCs it touches (api_mut_delta.c), which must give
 * the same result (api_mut_delta_test.c). The first validation error about the
 * changed object (else the first at all) answers the request. Only a
 * validated change is written: one SQLite transaction, and nothing is
 * acknowledged before its COMMIT returned; then sl_ctl_apply() makes the
 * candidate live (objects Pending until sluice-dp acknowledged it).
 *
 * ClientToken: (access key, token) -> fingerprint (action and the sorted
 * request parameters but the signature's) and the response fields, stored
 * in the same transaction as the change. DryRun=true runs everything up to
 * the COMMIT and answers DryRunOperation.
 *
 * Concurrency: single-threaded (sluiced's event loop).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "sl_api_mut.h"
#include "sl_api_mut_int.h"
#include "sl_api_vpc.h"
#include "sl_judy.h"
#include "sl_validate.h"

typedef int (*sl_mut_fn)(struct sl_mut *x, struct sl_api_err *e);

const char *sl_mut_param(const struct sl_mut *x, const char *k)
{
	const char *v = sl_api_param(x->p, k);

	return v && *v ? v : NULL;
}

int sl_mut_missing(struct sl_api_err *e, const char *name)
{
	return sl_api_fail(e, 400, "MissingParameter",
			   "The input parameter \"%s\" that is mandatory for processing this "
			   "request is not supplied.",
			   name);
}

/* Required parameters: NULL-terminated names; fails on the first absent. */
int sl_mut_require(const struct sl_mut *x, struct sl_api_err *e, const char *const *names)
{
	for (; *names; names++)
		if (sl_mut_param(x, *names) == NULL)
			return sl_mut_missing(e, *names);
	return 0;
}

int sl_mut_file_object(struct sl_api_err *e, const char *what, const char *id)
{
	return sl_api_fail(e, 403, SL_API_CODE_FILE_OBJECT,
			   "%s %.64s is defined in sluiced's config file: change it there (and "
			   "send SIGHUP), not through the API.",
			   what, id);
}

int sl_mut_oom(struct sl_api_err *e)
{
	return sl_api_fail(e, 500, "InternalError", "out of memory");
}

/* "vpc-" + 20 random lowercase letters and digits, unused in the store. */
int sl_mut_new_id(const struct sl_store *s, const char *prefix, char *out, size_t size)
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789";

	for (int tries = 0; tries < 8; tries++) {
		unsigned char r[20];
		size_t n = strlen(prefix);

		if (RAND_bytes(r, sizeof(r)) != 1 || n + sizeof(r) + 1 > size)
			return -EIO;
		memcpy(out, prefix, n);
		for (size_t i = 0; i < sizeof(r); i++)
			out[n + i] = al[r[i] % (sizeof(al) - 1)];
		out[n + sizeof(r)] = '\0';
		if (!sl_jsl_get(s->vpcs, out) && !sl_jsl_get(s->vswitches, out) &&
		    !sl_jsl_get(s->instances, out) && !sl_jsl_get(s->natgws, out) &&
		    !sl_jsl_get(s->eips, out) && !sl_jsl_get(s->snats, out) &&
		    !sl_jsl_get(s->fwds, out) && !sl_jsl_get(s->ipv6gws, out) &&
		    !sl_jsl_get(s->ipv6addrs, out) && !sl_jsl_get(s->ipv6bws, out) &&
		    !sl_jsl_get(s->ipv6egress, out) && !sl_jsl_get(s->ipv6rules, out) &&
		    !sl_jsl_get(s->havips, out) && !sl_jsl_get(s->cbwps, out) &&
		    !sl_jsl_get(s->bwps, out))
			return 0;
	}
	return -EEXIST;
}

int sl_mut_region(const struct sl_mut *x, struct sl_api_err *e)
{
	const char *rid = sl_mut_param(x, "RegionId");

	if (rid == NULL)
		return sl_mut_missing(e, "RegionId");
	if (sl_jsl_get(x->s->regions, rid) == NULL)
		return sl_api_fail(e, 404, "InvalidRegionId.NotFound",
				   "The specified RegionId %.64s does not exist.", rid);
	return 0;
}

int sl_mut_stage(struct sl_mut *x, enum sl_cfg_kind k, const char *id, json_t *body,
		 const char *what, struct sl_api_err *e)
{
	int rc = body ? sl_db_stage_put(x->m->db, k, id, body, x->now) : -ENOMEM;

	json_decref(body);
	if (rc < 0)
		return sl_mut_oom(e);
	snprintf(x->label, sizeof(x->label), "%s %s", what, id);
	return 0;
}

/* Copy parameter `k` into body key `bk` if given. */
void sl_mut_copy_param(const struct sl_mut *x, json_t *body, const char *k, const char *bk)
{
	const char *v = sl_api_param(x->p, k);

	if (v)
		json_object_set_new(body, bk ? bk : k, json_string(v));
}

static int sl_http_of(const char *code)
{
	size_t n = strlen(code);

	if (n > 9 && strcmp(code + n - 9, ".NotFound") == 0)
		return 404;
	/* the NAT documents give these Forbidden.* codes HTTP 400 */
	static const char *const forbidden400[] = {"Forbidden.SourceVSwitchId.Duplicated",
						   "Forbidden.PortsAndIpProtocol",
						   "Forbidden.DestinationIpOutOfVpcCIDR",
						   "Forbidden.ExternalIpUsedInSnatTable",
						   "Forbidden.IpUsedInForwardTable",
						   "Forbidden.InternalIpAndInternalPortDuplicate",
						   "Forbidden.SourceVSwitchId.IncludeHaVip",
						   "Forbidden.InternalIpIsHaVip", /* sluice's */
						   "Forbidden.NatGatewayEipAndBandwidthPackage",
						   NULL};

	for (const char *const *f = forbidden400; *f; f++)
		if (strcmp(code, *f) == 0)
			return 400;
	if (strncmp(code, "Forbidden", 9) == 0)
		return 403;
	return 400;
}

/* A validated candidate: a new store, or the live store changed in place
 * (api_mut_delta.c). */
struct sl_cand {
	struct sl_store *s;
	struct sl_mut_delta *d;
};

/* Build the candidate with what is staged: in place when the change allows
 * it (`delta_ok`), else in full. -1 when it does not validate: `e` then
 * holds the first error about x's object (else the first at all) under
 * the document's code, and the stage is dropped. */
static int sl_mut_candidate(struct sl_mut *x, struct sl_api_err *e, bool delta_ok,
			    struct sl_cand *cand)
{
	struct sl_api_mut *m = x->m;
	const struct sl_err *first = NULL;
	struct sl_errs errs;
	struct stat st;

	memset(cand, 0, sizeof(*cand));
	if (delta_ok && !m->full_builds && sl_mut_delta_try(m, &cand->d))
		return 0;
	if (stat(m->config_path, &st) < 0)
		memset(&st, 0, sizeof(st));
	sl_errs_init(&errs, "api");
	sl_db_overlay_visible(m->db, true);
	cand->s = sl_ctl_build_store(m->ctl, m->config_path, &errs);
	sl_db_overlay_visible(m->db, false);
	if (cand->s) {
		sl_errs_free(&errs);
		m->cfg_seen = (struct sl_cfg_seen){.valid = st.st_ino != 0,
						   .dev = st.st_dev,
						   .ino = st.st_ino,
						   .size = st.st_size,
						   .mtime = st.st_mtim};
		return 0;
	}
	for (unsigned int i = 0; i < errs.n && first == NULL; i++)
		if (strcmp(errs.v[i].object, x->label) == 0)
			first = &errs.v[i];
	if (first == NULL && errs.n)
		first = &errs.v[0];
	if (first) {
		const char *code = first->code;
		const char *text = strstr(first->msg, first->code);

		if (x->remap_from && strcmp(code, x->remap_from) == 0)
			code = x->remap_to;
		for (const char *const *r = x->remaps; r && r[0]; r += 2)
			if (strcmp(code, r[0]) == 0) {
				code = r[1];
				break;
			}
		text = text ? text + strlen(first->code) : first->msg;
		if (strncmp(text, ": ", 2) == 0)
			text += 2;
		sl_api_fail(e, sl_http_of(code), "InvalidParameter", "%s%s%s", first->field,
			    first->field[0] ? ": " : "", text);
		/* the code must outlive errs */
		snprintf(e->codebuf, sizeof(e->codebuf), "%s", code);
		e->code = e->codebuf;
	} else {
		sl_api_fail(e, 500, "InternalError", "the change could not be validated");
	}
	sl_errs_free(&errs);
	sl_db_stage_clear(m->db);
	return -1;
}

/* Drop a candidate that will not be written (the stage is the caller's). */
static void sl_cand_drop(struct sl_api_mut *m, struct sl_cand *cand)
{
	sl_store_free(cand->s);
	sl_mut_delta_abort(m, cand->d);
	memset(cand, 0, sizeof(*cand));
}

/* Write everything staged (one transaction), then make `cand` live. */
static int sl_mut_commit(struct sl_api_mut *m, struct sl_cand *cand, const char *what,
			 struct sl_api_err *e)
{
	char err[512];
	int rc;

	if (sl_db_commit(m->db, err, sizeof(err)) < 0) {
		SL_ERR("%s: database commit failed: %s (nothing changed)", what, err);
		sl_cand_drop(m, cand);
		sl_db_stage_clear(m->db);
		return sl_api_fail(e, 500, "InternalError",
				   "The change could not be stored; nothing was changed.");
	}
	if (cand->d) {
		rc = sl_mut_delta_apply(m, cand->d, what, NULL); /* the store keeps it anyway */
	} else {
		rc = sl_ctl_apply(m->ctl, cand->s, what, NULL);
		m->store_behind = rc < 0;
	}
	if (rc < 0)
		SL_WARN("%s: stored, but not published yet (%s): the next change or reload "
			"publishes it",
			what, strerror(-rc));
	return 0;
}

static int sl_stage_token(struct sl_api_mut *m, const char *akid, const char *token,
			  const char *fingerprint, json_t *result)
{
	char *resp = json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = resp ? sl_db_stage_token(m->db, akid, token, fingerprint, resp) : -ENOMEM;

	free(resp);
	return rc;
}

/* One mutation on its own: validate, write, apply. */
static int sl_mut_finish(struct sl_mut *x, const char *action, bool dry_run, const char *akid,
			 const char *token, const char *fingerprint, struct sl_api_err *e)
{
	struct sl_cand cand;

	if (sl_mut_candidate(x, e, !dry_run, &cand) < 0)
		return -1;
	if (dry_run) {
		sl_cand_drop(x->m, &cand);
		sl_db_stage_clear(x->m->db);
		return sl_api_fail(e, 400, "DryRunOperation",
				   "Request validation has been passed with DryRun flag set.");
	}
	if (token && sl_stage_token(x->m, akid, token, fingerprint, x->result) < 0) {
		sl_cand_drop(x->m, &cand);
		sl_db_stage_clear(x->m->db);
		return sl_mut_oom(e);
	}
	return sl_mut_commit(x->m, &cand, action, e);
}

/* ---- VPC ---------------------------------------------------------------------- */

/* The first free (trunk, VLAN) as SL_VPC_VLAN_KEY, trunk by trunk, VLAN ids
 * 1-4094, skipping what `used` (the store) and `skip` (the batch's earlier
 * members) hold; 0 when every trunk is full. */
static Word_t sl_mut_free_vlan(Pcvoid_t used, Pcvoid_t skip, unsigned int trunks)
{
	Word_t key = SL_VPC_VLAN_KEY(0, 1);

	while (sl_j1_first_empty(used, &key) == 0 && key / SL_VLAN_COUNT < trunks) {
		Word_t vlan = key % SL_VLAN_COUNT;

		if (vlan == 0 || vlan > 4094)
			key = SL_VPC_VLAN_KEY(key / SL_VLAN_COUNT + (vlan != 0), 1);
		else if (skip && sl_j1_test(skip, key) == 1)
			key++;
		else
			return key;
	}
	return 0;
}

static int sl_create_vpc(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const req[] = {"RegionId", NULL};
	const char *rid = sl_mut_param(x, "RegionId");
	char id[SL_ID_LEN], rtb[SL_ID_LEN], vrt[SL_ID_LEN + 8];
	Word_t key;
	json_t *body;

	if (sl_mut_require(x, e, req) < 0)
		return -1;
	if (sl_jsl_get(x->s->regions, rid) == NULL)
		return sl_api_fail(e, 404, "InvalidRegionId.NotFound",
				   "The specified RegionId %.64s does not exist.", rid);
	/* every VPC is a VLAN of one inside port (trunk): the free (trunk,
	 * VLAN) pairs are the VPC quota */
	key = sl_mut_free_vlan(x->s->vlans, x->vlan_skip, sl_store_trunks(x->s));
	x->vlan = key;
	if (key == 0)
		return sl_api_fail(e, 400, "QuotaExceeded.Vpc",
				   "Every VLAN id (1-4094) of every inside trunk carries a VPC.");
	if (sl_mut_new_id(x->s, "vpc-", id, sizeof(id)) < 0)
		return sl_api_fail(e, 500, "InternalError", "no random bytes");
	body = json_pack("{s:s,s:s,s:I,s:I}", "VpcId", id, "RegionId", rid, "VlanId",
			 (json_int_t)(key % SL_VLAN_COUNT), "Trunk",
			 (json_int_t)(key / SL_VLAN_COUNT));
	if (body == NULL)
		return sl_mut_oom(e);
	sl_mut_copy_param(x, body, "CidrBlock", NULL);
	sl_mut_copy_param(x, body, "Ipv6CidrBlock", NULL);
	sl_mut_copy_param(x, body, "VpcName", NULL);
	sl_mut_copy_param(x, body, "Description", NULL);
	if (sl_db_stage_put(x->m->db, SL_CFG_VPC, id, body, x->now) < 0) {
		json_decref(body);
		return sl_mut_oom(e);
	}
	json_decref(body);
	snprintf(x->label, sizeof(x->label), "Vpc %s", id);
	x->remap_from = "InvalidCidrBlock.Malformed"; /* CreateVpc: bad CIDR is InvalidParameter */
	x->remap_to = "InvalidParameter";
	sl_cfg_default_route_table(id, rtb, sizeof(rtb));
	sl_api_vrouter_id(id, vrt, sizeof(vrt));
	x->result = json_pack("{s:s,s:s,s:s}", "VpcId", id, "VRouterId", vrt, "RouteTableId", rtb);
	return x->result ? 0 : sl_mut_oom(e);
}

/* The VPC named by VpcId, API-owned. */
static struct sl_vpc_obj *sl_own_vpc(const struct sl_mut *x, struct sl_api_err *e)
{
	const char *id = sl_mut_param(x, "VpcId");
	struct sl_vpc_obj *v;

	if (id == NULL) {
		sl_mut_missing(e, "VpcId");
		return NULL;
	}
	v = sl_store_vpc(x->s, id);
	if (v == NULL) {
		sl_api_fail(e, 404, "InvalidVpcId.NotFound",
			    "The specified VPC %.64s does not exist.", id);
		return NULL;
	}
	if (!v->st.from_db) {
		sl_mut_file_object(e, "VPC", id);
		return NULL;
	}
	return v;
}

static int sl_delete_vpc(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_vpc_obj *v = sl_own_vpc(x, e);

	if (v == NULL)
		return -1;
	if (v->st.status != SL_STATUS_AVAILABLE)
		return sl_api_fail(e, 400, "IncorrectVpcStatus", "The VPC %s is not Available yet.",
				   v->id);
	if (v->n_routes)
		return sl_api_fail(e, 400, "DependencyViolation.RouteEntry",
				   "The VPC %s still has %u custom route entr%s.", v->id,
				   v->n_routes, v->n_routes == 1 ? "y" : "ies");
	if (v->n_instances)
		return sl_api_fail(e, 400, "DependencyViolation.Instance",
				   "The VPC %s still has %u instance(s).", v->id, v->n_instances);
	if (sl_nat_vpc_deps(x->s, v, NULL, NULL, e) < 0 ||
	    sl_ipv6_vpc_deps(x->s, v, NULL, NULL, e) < 0)
		return -1;
	if (v->n_vswitches)
		return sl_api_fail(e, 400, "DependencyViolation.VSwitch",
				   "The VPC %s still has %u VSwitch(es).", v->id, v->n_vswitches);
	if (sl_db_stage_del(x->m->db, SL_CFG_VPC, v->id) < 0)
		return sl_mut_oom(e);
	snprintf(x->label, sizeof(x->label), "Vpc %s", v->id);
	x->result = json_object();
	return x->result ? 0 : sl_mut_oom(e);
}

/* Stage a copy of an API-owned object's body with the given parameters
 * (NULL-terminated pairs: parameter, body key) changed. */
int sl_mut_modify(struct sl_mut *x, enum sl_cfg_kind k, const char *id, const char *const *pairs,
		  struct sl_api_err *e)
{
	json_t *body = json_deep_copy(sl_db_get(x->m->db, k, id));

	if (body == NULL)
		return sl_mut_oom(e);
	for (; pairs[0]; pairs += 2)
		sl_mut_copy_param(x, body, pairs[0], pairs[1]);
	if (sl_db_stage_put(x->m->db, k, id, body, x->now) < 0) {
		json_decref(body);
		return sl_mut_oom(e);
	}
	json_decref(body);
	x->result = json_object();
	return x->result ? 0 : sl_mut_oom(e);
}

static int sl_modify_vpc(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const pairs[] = {"VpcName", "VpcName", "Description", "Description",
					    NULL};
	struct sl_vpc_obj *v = sl_own_vpc(x, e);

	if (v == NULL)
		return -1;
	snprintf(x->label, sizeof(x->label), "Vpc %s", v->id);
	return sl_mut_modify(x, SL_CFG_VPC, v->id, pairs, e);
}

/* ---- VSwitch -------------------------------------------------------------------- */

/* The document refuses VSwitch and route changes while the VPC or any of
 * its VSwitches or routes is in transition (spec digest 2.3, 2.4, 3.9). */
static int sl_vpc_settled(const struct sl_store *s, const struct sl_vpc_obj *v,
			  const char *route_code, struct sl_api_err *e)
{
	if (v->st.status != SL_STATUS_AVAILABLE)
		return sl_api_fail(e, 400, "IncorrectVpcStatus", "The VPC %s is not Available yet.",
				   v->id);
	for (unsigned int i = 0; i < s->vswitch_v.n; i++) {
		const struct sl_vswitch_obj *w = s->vswitch_v.v[i];

		if (w->vpc == v && w->st.status != SL_STATUS_AVAILABLE)
			return sl_api_fail(e, 400, "IncorrectVSwitchStatus",
					   "The VSwitch %s of VPC %s is not Available yet.", w->id,
					   v->id);
	}
	for (unsigned int i = 0; i < s->route_v.n; i++) {
		const struct sl_route_obj *r = s->route_v.v[i];

		if (r->vpc == v && r->st.status != SL_STATUS_AVAILABLE)
			return sl_api_fail(e, 400, route_code,
					   "The route entry %s of VPC %s is not Available yet.",
					   r->key, v->id);
	}
	return 0;
}

/* The SDK sends Ipv6CidrBlock of CreateVSwitch as the number (0-255) of
 * the /64 inside the VPC's /56; a CIDR text is taken as it is. */
static int sl_vswitch_ipv6(const struct sl_mut *x, const struct sl_vpc_obj *v, json_t *body,
			   struct sl_api_err *e)
{
	const char *s = sl_mut_param(x, "Ipv6CidrBlock");
	char buf[SL_PFX_STRLEN], *end;
	struct sl_pfx p;
	long n;

	if (s == NULL)
		return 0;
	if (strchr(s, ':')) {
		json_object_set_new(body, "Ipv6CidrBlock", json_string(s));
		return 0;
	}
	n = strtol(s, &end, 10);
	if (*end || n < 0 || n > 255)
		return sl_api_fail(e, 400, "InvalidParameter",
				   "Ipv6CidrBlock: a number from 0 to 255 (the /64 inside the "
				   "VPC's /56) or an IPv6 CIDR block.");
	if (v->cidr6.family != SL_AF_INET6 || v->cidr6.len != SL_VPC6_MASK)
		return sl_api_fail(e, 400, "InvalidParameter", "The VPC %s has no IPv6 CIDR block.",
				   v->id);
	p = v->cidr6;
	p.addr |= (sl_u128)n << 64;
	p.len = SL_VSW6_MASK;
	json_object_set_new(body, "Ipv6CidrBlock", json_string(sl_pfx_fmt(&p, buf, sizeof(buf))));
	return 0;
}

static int sl_create_vswitch(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const req[] = {"VpcId", "ZoneId", "CidrBlock", NULL};
	const struct sl_vpc_obj *v;
	char id[SL_ID_LEN];
	json_t *body;

	if (sl_mut_require(x, e, req) < 0)
		return -1;
	v = sl_store_vpc(x->s, sl_mut_param(x, "VpcId"));
	if (v == NULL)
		return sl_api_fail(e, 404, "InvalidVpcId.NotFound",
				   "The specified VPC %.64s does not exist.",
				   sl_mut_param(x, "VpcId"));
	if (sl_vpc_settled(x->s, v, "IncorrectRouteEntryStatus", e) < 0)
		return -1;
	if (sl_mut_new_id(x->s, "vsw-", id, sizeof(id)) < 0)
		return sl_api_fail(e, 500, "InternalError", "no random bytes");
	body = json_pack("{s:s,s:s}", "VSwitchId", id, "VpcId", v->id);
	if (body == NULL)
		return sl_mut_oom(e);
	sl_mut_copy_param(x, body, "ZoneId", NULL);
	sl_mut_copy_param(x, body, "CidrBlock", NULL);
	sl_mut_copy_param(x, body, "VSwitchName", NULL);
	sl_mut_copy_param(x, body, "Description", NULL);
	if (sl_vswitch_ipv6(x, v, body, e) < 0 ||
	    sl_db_stage_put(x->m->db, SL_CFG_VSWITCH, id, body, x->now) < 0) {
		json_decref(body);
		return e->code ? -1 : sl_mut_oom(e);
	}
	json_decref(body);
	snprintf(x->label, sizeof(x->label), "VSwitch %s", id);
	x->result = json_pack("{s:s}", "VSwitchId", id);
	return x->result ? 0 : sl_mut_oom(e);
}

static struct sl_vswitch_obj *sl_own_vswitch(const struct sl_mut *x, struct sl_api_err *e)
{
	const char *id = sl_mut_param(x, "VSwitchId");
	struct sl_vswitch_obj *w;

	if (id == NULL) {
		sl_mut_missing(e, "VSwitchId");
		return NULL;
	}
	w = sl_store_vswitch(x->s, id);
	if (w == NULL) {
		sl_api_fail(e, 404, "InvalidVSwitchId.NotFound",
			    "The specified VSwitch %.64s does not exist.", id);
		return NULL;
	}
	if (!w->st.from_db) {
		sl_mut_file_object(e, "VSwitch", id);
		return NULL;
	}
	return w;
}

static int sl_delete_vswitch(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_vswitch_obj *w = sl_own_vswitch(x, e);

	if (w == NULL)
		return -1;
	if (w->st.status != SL_STATUS_AVAILABLE)
		return sl_api_fail(e, 400, "IncorrectVSwitchStatus",
				   "The VSwitch %s is not Available yet.", w->id);
	for (unsigned int i = 0; i < x->s->instance_v.n; i++) {
		const struct sl_instance_obj *in = x->s->instance_v.v[i];

		if (in->vswitch == w)
			return sl_api_fail(e, 400, "DependencyViolation",
					   "The VSwitch %s still holds instance %s.", w->id,
					   in->id);
	}
	if (sl_nat_vpc_deps(x->s, NULL, w, NULL, e) < 0 ||
	    sl_ipv6_vpc_deps(x->s, NULL, w, NULL, e) < 0 || sl_havip_deps(x->s, w, NULL, e) < 0)
		return -1;
	if (w->vpc && sl_vpc_settled(x->s, w->vpc, "IncorrectRouteEntryStatus", e) < 0)
		return -1;
	if (sl_db_stage_del(x->m->db, SL_CFG_VSWITCH, w->id) < 0)
		return sl_mut_oom(e);
	snprintf(x->label, sizeof(x->label), "VSwitch %s", w->id);
	x->result = json_object();
	return x->result ? 0 : sl_mut_oom(e);
}

static int sl_modify_vswitch(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const pairs[] = {"VSwitchName", "VSwitchName", "Description",
					    "Description", NULL};
	struct sl_vswitch_obj *w = sl_own_vswitch(x, e);

	if (w == NULL)
		return -1;
	snprintf(x->label, sizeof(x->label), "VSwitch %s", w->id);
	return sl_mut_modify(x, SL_CFG_VSWITCH, w->id, pairs, e);
}

/* ---- route entries ------------------------------------------------------------ */

/* The VPC of RouteTableId and the canonical key of DestinationCidrBlock. */
static struct sl_vpc_obj *sl_route_target(struct sl_mut *x, char *key, size_t size,
					  struct sl_api_err *e)
{
	static const char *const req[] = {"RouteTableId", "DestinationCidrBlock", NULL};
	const char *rtb = sl_mut_param(x, "RouteTableId");
	const char *dst = sl_mut_param(x, "DestinationCidrBlock");
	char canon[SL_PFX_STRLEN];
	struct sl_vpc_obj *v;
	struct sl_pfx p;

	if (sl_mut_require(x, e, req) < 0)
		return NULL;
	if (sl_api_param(x->p, "NextHopList.1.NextHopId") || sl_mut_param(x, "NextHopList")) {
		sl_api_fail(e, 400, "InvalidParameter",
			    "NextHopList (ECMP) is not supported by sluice: the document allows "
			    "it only towards RouterInterfaces, which sluice does not have.");
		return NULL;
	}
	v = sl_jsl_get(x->s->route_tables, rtb);
	if (v == NULL) {
		sl_api_fail(e, 404, "InvalidRouteTableId.NotFound",
			    "The specified route table %.64s does not exist.", rtb);
		return NULL;
	}
	if (sl_pfx_parse(dst, &p, SL_PFX_BARE_OK) != SL_PFX_OK) {
		sl_api_fail(e, 400, "InvalidCidrBlock.Malformed",
			    "DestinationCidrBlock %.64s is not a CIDR block or an IP address.",
			    dst);
		return NULL;
	}
	snprintf(key, size, "%s:%s", v->route_table_id, sl_pfx_fmt(&p, canon, sizeof(canon)));
	return v;
}

/* A HaVip next hop (type parameter `tk`, id `ik`) must be Available or
 * InUse, i.e. settled; its existence and VPC are validation's. */
static int sl_route_havip_settled(const struct sl_mut *x, const char *tk, const char *ik,
				  struct sl_api_err *e)
{
	const char *t = sl_mut_param(x, tk), *id = sl_mut_param(x, ik);
	const struct sl_havip_obj *h;

	if (t == NULL || strcmp(t, "HaVip") != 0 || id == NULL)
		return 0;
	h = sl_jsl_get(x->s->havips, id);
	if (h && h->st.status != SL_STATUS_AVAILABLE)
		return sl_api_fail(e, 400, "IncorrectHaVipStatus",
				   "The HaVip %s is neither Available nor InUse.", h->id);
	return 0;
}

static int sl_create_route(struct sl_mut *x, struct sl_api_err *e)
{
	char key[SL_ID_LEN + SL_PFX_STRLEN + 2];
	struct sl_vpc_obj *v = sl_route_target(x, key, sizeof(key), e);
	json_t *body;

	if (v == NULL)
		return -1;
	if (sl_mut_param(x, "NextHopId") == NULL)
		return sl_mut_missing(e, "NextHopId");
	if (sl_jsl_get(x->s->routes, key))
		return sl_api_fail(e, 400, "InvalidCIDRBlock.Duplicate",
				   "The destination %s is already in route table %s.",
				   sl_mut_param(x, "DestinationCidrBlock"), v->route_table_id);
	if (sl_vpc_settled(x->s, v, "IncorretRouteEntryStatus", e) < 0 ||
	    sl_route_havip_settled(x, "NextHopType", "NextHopId", e) < 0)
		return -1;
	body =
	    json_pack("{s:s,s:s,s:s}", "RouteTableId", v->route_table_id, "DestinationCidrBlock",
		      sl_mut_param(x, "DestinationCidrBlock"), "NextHopType",
		      sl_mut_param(x, "NextHopType") ? sl_mut_param(x, "NextHopType") : "Instance");
	if (body == NULL)
		return sl_mut_oom(e);
	sl_mut_copy_param(x, body, "NextHopId", NULL);
	if (sl_db_stage_put(x->m->db, SL_CFG_ROUTE, key, body, x->now) < 0) {
		json_decref(body);
		return sl_mut_oom(e);
	}
	json_decref(body);
	snprintf(x->label, sizeof(x->label), "RouteEntry %s", key);
	x->result = json_object();
	return x->result ? 0 : sl_mut_oom(e);
}

/* The custom entry named by RouteTableId + DestinationCidrBlock, API-owned. */
static struct sl_route_obj *sl_own_route(struct sl_mut *x, char *key, size_t size,
					 struct sl_api_err *e)
{
	struct sl_vpc_obj *v = sl_route_target(x, key, size, e);
	struct sl_route_obj *r;
	struct sl_pfx p;

	if (v == NULL)
		return NULL;
	r = sl_jsl_get(x->s->routes, key);
	if (r == NULL) {
		/* a system entry: a VSwitch CIDR or 100.64.0.0/10 */
		sl_pfx_parse(strchr(key, ':') + 1, &p, 0);
		for (unsigned int i = 0; i < x->s->vswitch_v.n; i++) {
			const struct sl_vswitch_obj *w = x->s->vswitch_v.v[i];

			if (w->vpc == v &&
			    (sl_pfx_equal(&w->cidr, &p) || sl_pfx_equal(&w->cidr6, &p))) {
				sl_api_fail(e, 400, "OperationDenied",
					    "The route entry %s is a System entry.", key);
				return NULL;
			}
		}
		sl_api_fail(e, 404, "InvalidRouteEntry.NotFound",
			    "Route table %s has no custom entry for %s.", v->route_table_id,
			    sl_mut_param(x, "DestinationCidrBlock"));
		return NULL;
	}
	if (!r->st.from_db) {
		sl_mut_file_object(e, "The route entry", key);
		return NULL;
	}
	if (r->st.status != SL_STATUS_AVAILABLE) {
		sl_api_fail(e, 400, "IncorrectRouteEntryStatus",
			    "The route entry %s is not Available yet.", key);
		return NULL;
	}
	return r;
}

static int sl_delete_route(struct sl_mut *x, struct sl_api_err *e)
{
	char key[SL_ID_LEN + SL_PFX_STRLEN + 2];
	struct sl_route_obj *r = sl_own_route(x, key, sizeof(key), e);
	const char *nh = sl_mut_param(x, "NextHopId");

	if (r == NULL)
		return -1;
	if (nh && strcmp(nh, r->next_hop_id) != 0)
		return sl_api_fail(e, 400, "InvalidParameter",
				   "NextHopId %.64s does not match the entry's next hop %s.", nh,
				   r->next_hop_id);
	if (sl_db_stage_del(x->m->db, SL_CFG_ROUTE, key) < 0)
		return sl_mut_oom(e);
	snprintf(x->label, sizeof(x->label), "RouteEntry %s", key);
	x->result = json_object();
	return x->result ? 0 : sl_mut_oom(e);
}

static int sl_modify_route(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const pairs[] = {"NewNextHopId", "NextHopId", "NewNextHopType",
					    "NextHopType", NULL};
	char key[SL_ID_LEN + SL_PFX_STRLEN + 2];
	struct sl_route_obj *r;

	if (sl_mut_param(x, "RouteEntryId") && !sl_mut_param(x, "RouteTableId"))
		return sl_api_fail(e, 400, "InvalidParameter",
				   "sluice names route entries by RouteTableId and "
				   "DestinationCidrBlock, not RouteEntryId.");
	r = sl_own_route(x, key, sizeof(key), e);
	if (r == NULL)
		return -1;
	if (sl_mut_param(x, "NewNextHopId") == NULL)
		return sl_mut_missing(e, "NewNextHopId");
	if (sl_route_havip_settled(x, "NewNextHopType", "NewNextHopId", e) < 0)
		return -1;
	snprintf(x->label, sizeof(x->label), "RouteEntry %s", key);
	return sl_mut_modify(x, SL_CFG_ROUTE, key, pairs, e);
}

/* ---- instances (sluice's own actions) ------------------------------------------- */

static int sl_create_instance(struct sl_mut *x, struct sl_api_err *e)
{
	static const char *const req[] = {"VSwitchId", "PrivateIpAddress", NULL};
	const struct sl_vswitch_obj *w;
	char id[SL_ID_LEN];
	json_t *body;

	if (sl_mut_require(x, e, req) < 0)
		return -1;
	w = sl_store_vswitch(x->s, sl_mut_param(x, "VSwitchId"));
	if (w == NULL)
		return sl_api_fail(e, 404, "InvalidVSwitchId.NotFound",
				   "The specified VSwitch %.64s does not exist.",
				   sl_mut_param(x, "VSwitchId"));
	if (w->st.status != SL_STATUS_AVAILABLE)
		return sl_api_fail(e, 400, "IncorrectVSwitchStatus",
				   "The VSwitch %s is not Available yet.", w->id);
	if (sl_mut_new_id(x->s, "i-", id, sizeof(id)) < 0)
		return sl_api_fail(e, 500, "InternalError", "no random bytes");
	body = json_pack("{s:s,s:s}", "InstanceId", id, "VSwitchId", w->id);
	if (body == NULL)
		return sl_mut_oom(e);
	sl_mut_copy_param(x, body, "PrivateIpAddress", NULL);
	sl_mut_copy_param(x, body, "Ipv6Address", NULL);
	if (sl_db_stage_put(x->m->db, SL_CFG_INSTANCE, id, body, x->now) < 0) {
		json_decref(body);
		return sl_mut_oom(e);
	}
	json_decref(body);
	snprintf(x->label, sizeof(x->label), "Instance %s", id);
	x->result = json_pack("{s:s}", "InstanceId", id);
	return x->result ? 0 : sl_mut_oom(e);
}

static int sl_delete_instance(struct sl_mut *x, struct sl_api_err *e)
{
	const char *id = sl_mut_param(x, "InstanceId");
	struct sl_instance_obj *in;

	if (id == NULL)
		return sl_mut_missing(e, "InstanceId");
	in = sl_store_instance(x->s, id);
	if (in == NULL)
		return sl_api_fail(e, 404, "InvalidInstanceId.NotFound",
				   "The specified instance %.64s does not exist.", id);
	if (!in->st.from_db)
		return sl_mut_file_object(e, "Instance", id);
	for (unsigned int i = 0; i < x->s->route_v.n; i++) {
		const struct sl_route_obj *r = x->s->route_v.v[i];

		if (r->instance == in)
			return sl_api_fail(e, 400, "DependencyViolation.RouteEntry",
					   "The route entry %s uses instance %s as next hop.",
					   r->key, id);
	}
	if (sl_nat_vpc_deps(x->s, NULL, NULL, in, e) < 0 ||
	    sl_ipv6_vpc_deps(x->s, NULL, NULL, in, e) < 0 || sl_havip_deps(x->s, NULL, in, e) < 0)
		return -1;
	if (sl_db_stage_del(x->m->db, SL_CFG_INSTANCE, id) < 0)
		return sl_mut_oom(e);
	snprintf(x->label, sizeof(x->label), "Instance %s", id);
	x->result = json_object();
	return x->result ? 0 : sl_mut_oom(e);
}

/* ---- dispatch ---------------------------------------------------------------------- */

/* Per action: parameters of later API versions that the SDK offers and
 * sluice cannot honour. Refused when set (not "false"), so that nothing a
 * caller asked for is silently dropped. */
static const char *const sl_no_vpc[] = {"UserCidr",	  "EnableIpv6",	       "Ipv6Isp",
					"Ipv4IpamPoolId", "Ipv6IpamPoolId",    "Ipv4CidrMask",
					"Ipv6CidrMask",	  "EnableDnsHostname", NULL};
static const char *const sl_no_vpc_mod[] = {
    "UserCidr", "CidrBlock", "Ipv6CidrBlock", "EnableIPv6", "Ipv6Isp", "EnableDnsHostname", NULL};
static const char *const sl_no_vsw[] = {"CidrMask", "Ipv6CidrMask", "VpcIpv6CidrBlock", NULL};
static const char *const sl_no_vsw_mod[] = {"EnableIPv6", "Ipv6CidrBlock", "Ipv6CidrMask",
					    "VpcIpv6CidrBlock", NULL};
static const char *const sl_no_force[] = {"ForceDelete", NULL};
static const char *const sl_no_route[] = {"RouteEntryName", "Description",
					  "NextHopList.1.NextHopId", NULL};
static const char *const sl_none[] = {NULL};

static const struct sl_mut_action sl_muts[] = {
    {"CreateVpc", sl_create_vpc, sl_no_vpc, false},
    {"DeleteVpc", sl_delete_vpc, sl_no_force, false},
    {"ModifyVpcAttribute", sl_modify_vpc, sl_no_vpc_mod, false},
    {"CreateVSwitch", sl_create_vswitch, sl_no_vsw, false},
    {"DeleteVSwitch", sl_delete_vswitch, sl_none, false},
    {"ModifyVSwitchAttribute", sl_modify_vswitch, sl_no_vsw_mod, false},
    {"CreateRouteEntry", sl_create_route, sl_no_route, false},
    {"DeleteRouteEntry", sl_delete_route, sl_none, false},
    {"ModifyRouteEntry", sl_modify_route, sl_no_route, false},
    {"CreateSluiceInstance", sl_create_instance, sl_none, false},
    {"DeleteSluiceInstance", sl_delete_instance, sl_none, false},
};

/* The action called `name` here, in api_nat.c or in api_ipv6gw.c, NULL if none. */
static const struct sl_mut_action *sl_mut_action(const char *name)
{
	for (size_t i = 0; i < sizeof(sl_muts) / sizeof(sl_muts[0]); i++)
		if (strcmp(name, sl_muts[i].name) == 0)
			return &sl_muts[i];
	for (unsigned int i = 0; i < sl_nat_n_actions; i++)
		if (strcmp(name, sl_nat_actions[i].name) == 0)
			return &sl_nat_actions[i];
	for (unsigned int i = 0; i < sl_ipv6_n_actions; i++)
		if (strcmp(name, sl_ipv6_actions[i].name) == 0)
			return &sl_ipv6_actions[i];
	for (unsigned int i = 0; i < sl_havip_n_actions; i++)
		if (strcmp(name, sl_havip_actions[i].name) == 0)
			return &sl_havip_actions[i];
	for (unsigned int i = 0; i < sl_bwp_n_actions; i++)
		if (strcmp(name, sl_bwp_actions[i].name) == 0)
			return &sl_bwp_actions[i];
	return NULL;
}

static sl_mut_fn sl_mut_lookup(const char *action)
{
	const struct sl_mut_action *a = sl_mut_action(action);

	return a ? a->fn : NULL;
}

static int sl_refuse(const struct sl_api_params *p, const char *action, struct sl_api_err *e)
{
	const char *const *r = sl_mut_action(action)->refused;

	for (; *r; r++) {
		const char *v = sl_api_param(p, *r);

		if (v && *v && strcmp(v, "false") != 0)
			return sl_api_fail(e, 400, "InvalidParameter",
					   "%s is not supported by sluice's %s (sluice deviation: "
					   "docs/api.md).",
					   *r, action);
	}
	return 0;
}

bool sl_api_mut_known(const char *action)
{
	return sl_mut_lookup(action) != NULL;
}

/* Parameters of the request itself (not of its signature or envelope). */
static bool sl_fingerprinted(const char *k)
{
	static const char *const skip[] = {"Signature",	     "SignatureMethod", "SignatureVersion",
					   "SignatureNonce", "SignatureType",	"AccessKeyId",
					   "Timestamp",	     "TimeStamp",	"Format",
					   "Version",	     "Action",		NULL};

	for (const char *const *s = skip; *s; s++)
		if (strcmp(k, *s) == 0)
			return false;
	return true;
}

static int sl_cmp_param(const void *a, const void *b)
{
	const struct sl_api_param *x = *(const struct sl_api_param *const *)a;
	const struct sl_api_param *y = *(const struct sl_api_param *const *)b;
	int c = strcmp(x->k, y->k);

	return c ? c : strcmp(x->v, y->v);
}

/* "Action\nk=v\nk=v..." over the sorted request parameters. */
static char *sl_fingerprint(const char *action, const struct sl_api_params *p)
{
	const struct sl_api_param **v = calloc(p->n + 1, sizeof(*v));
	struct sl_sbuf b;
	unsigned int n = 0;

	if (v == NULL)
		return NULL;
	for (unsigned int i = 0; i < p->n; i++)
		if (sl_fingerprinted(p->v[i].k))
			v[n++] = &p->v[i];
	qsort(v, n, sizeof(*v), sl_cmp_param);
	sl_sbuf_init(&b);
	sl_sbuf_adds(&b, action);
	for (unsigned int i = 0; i < n; i++)
		sl_sbuf_addf(&b, "\n%s=%s", v[i]->k, v[i]->v);
	free(v);
	return sl_sbuf_take(&b);
}

/* Checks before any action runs: refused parameters, DryRun, ClientToken
 * (a stored result answers at once: 1 with *result). 0 to go on, 1
 * answered, -1 error. *fp gets the fingerprint when a token is given. */
static int sl_mut_prepare(struct sl_api_mut *m, const char *akid, const char *action,
			  const struct sl_api_params *p, char **fp, json_t **result,
			  struct sl_api_err *e)
{
	const char *token = sl_api_param(p, "ClientToken");
	const char *dry = sl_api_param(p, "DryRun");
	char *old_fp = NULL, *old_resp = NULL;
	bool same;
	int rc;

	*fp = NULL;
	*result = NULL;
	if (sl_mut_lookup(action) == NULL)
		return sl_api_fail(e, 400, "InvalidParameter", "The action %.64s is not valid.",
				   action);
	if (sl_ctl_store(m->ctl) == NULL)
		return sl_api_fail(e, 503, "ServiceUnavailable", "no objects loaded yet");
	if (sl_refuse(p, action, e) < 0)
		return -1;
	/* values become JSON strings of the stored object: UTF-8 only */
	for (unsigned int i = 0; i < p->n; i++) {
		json_t *t = json_string(p->v[i].v);

		if (t == NULL)
			return sl_api_fail(e, 400, "InvalidParameter",
					   "The specified parameter %.64s is not valid UTF-8.",
					   p->v[i].k);
		json_decref(t);
	}
	if (dry && strcmp(dry, "true") != 0 && strcmp(dry, "false") != 0)
		return sl_api_fail(e, 400, "InvalidParameter", "DryRun: true or false.");
	if (token == NULL || *token == '\0')
		return 0;
	for (const char *c = token; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e || c - token >= 64)
			return sl_api_fail(e, 400, "InvalidParameter",
					   "ClientToken: at most 64 printable ASCII characters.");
	*fp = sl_fingerprint(action, p);
	if (*fp == NULL)
		return sl_mut_oom(e);
	rc = sl_db_token_get(m->db, akid, token, &old_fp, &old_resp);
	if (rc <= 0) {
		if (rc == 0)
			return 0;
		free(*fp);
		*fp = NULL;
		return sl_api_fail(e, 500, "InternalError", "database lookup failed");
	}
	same = strcmp(old_fp, *fp) == 0;
	*result = same ? json_loads(old_resp, 0, NULL) : NULL;
	free(old_fp);
	free(old_resp);
	free(*fp);
	*fp = NULL;
	if (!same)
		return sl_api_fail(e, 400, "IdempotentParameterMismatch",
				   "The ClientToken %.64s was used with other parameters.", token);
	return *result ? 1 : sl_mut_oom(e);
}

static bool sl_is_dry(const struct sl_api_params *p)
{
	const char *dry = sl_api_param(p, "DryRun");

	return dry && strcmp(dry, "true") == 0;
}

static const char *sl_token(const struct sl_api_params *p)
{
	const char *t = sl_api_param(p, "ClientToken");

	return t && *t ? t : NULL;
}

int sl_api_mut_run(struct sl_api_mut *m, const char *akid, const char *action,
		   const struct sl_api_params *p, time_t now, json_t **result, struct sl_api_err *e)
{
	struct sl_mut x = {.m = m, .p = p, .now = now}; /* .s: after any flush */
	char *fp = NULL;
	int rc;

	if (akid == NULL)
		akid = "";
	/* whatever is batched goes first: this one must see it */
	sl_api_mut_flush(m);
	rc = sl_mut_prepare(m, akid, action, p, &fp, result, e);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	sl_db_stage_clear(m->db);
	x.s = sl_ctl_store(m->ctl);
	rc = sl_mut_lookup(action)(&x, e);
	if (rc == 0)
		rc = sl_mut_finish(&x, action, sl_is_dry(p), akid, sl_token(p), fp, e);
	else
		sl_db_stage_clear(m->db);
	free(fp);
	if (rc < 0) {
		json_decref(x.result);
		return -1;
	}
	*result = x.result;
	return 0;
}

/* ---- batches -------------------------------------------------------------------- */

/*
 * Mutations that arrive in one event-loop turn are staged together and, at
 * sl_api_mut_flush(), validated as one candidate, written in one
 * transaction and published as one generation. Each was checked against
 * the live store when it was queued; the batch's own members are kept
 * apart by refusing to queue a request that touches an object or a
 * ClientToken the batch already holds (the batch is flushed first), and by
 * allocating VLAN ids past the batch's. When the candidate does not
 * validate (two members conflict, or one is invalid), every member is
 * redone alone, in arrival order, so each gets its own answer.
 */
struct sl_mut_job {
	struct sl_api_params p;
	char akid[128];
	char action[48];
	time_t now;
	char *fp;
	void *owner;
};

struct sl_mut_batch {
	unsigned int n;
	struct sl_mut_job v[SL_API_MUT_BATCH_MAX];
	json_t *results[SL_API_MUT_BATCH_MAX];
	json_t *keys; /* kind:id and akid\ntoken of the members -> true */
};

static int sl_params_copy(struct sl_api_params *to, const struct sl_api_params *from)
{
	sl_api_params_init(to);
	for (unsigned int i = 0; i < from->n; i++)
		if (sl_api_params_add(to, from->v[i].k, from->v[i].v) < 0)
			return -ENOMEM;
	return 0;
}

static void sl_job_free(struct sl_mut_job *j)
{
	sl_api_params_free(&j->p);
	free(j->fp);
	j->fp = NULL;
}

void sl_api_mut_set_done(struct sl_api_mut *m, sl_api_mut_done_fn fn, void *arg)
{
	m->done = fn;
	m->done_arg = arg;
}

/* The objects a queued action touches (kind:id); "" when it creates one
 * under a fresh id. */
static void sl_job_key(const struct sl_mut *x, char *out, size_t size)
{
	snprintf(out, size, "%s", x->label);
}

int sl_api_mut_queue(struct sl_api_mut *m, const char *akid, const char *action,
		     const struct sl_api_params *p, time_t now, void *owner, json_t **result,
		     struct sl_api_err *e)
{
	struct sl_mut_batch *b = m->batch;
	struct sl_mut x = {.m = m, .p = p, .now = now}; /* .s: after any flush */
	const char *token = sl_token(p);
	char key[sizeof(x.label) + 8], tkey[256];
	struct sl_mut_job *j;
	char *fp = NULL;
	int rc;

	if (akid == NULL)
		akid = "";
	if (b == NULL || m->done == NULL || sl_is_dry(p) ||
	    (sl_mut_action(action) && sl_mut_action(action)->solo))
		return sl_api_mut_run(m, akid, action, p, now, result, e);
	if (token) {
		snprintf(tkey, sizeof(tkey), "%s\n%s", akid, token);
		if (b->keys && json_object_get(b->keys, tkey))
			sl_api_mut_flush(m);
	}
	if (b->n == SL_API_MUT_BATCH_MAX)
		sl_api_mut_flush(m);
	rc = sl_mut_prepare(m, akid, action, p, &fp, result, e);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	/* stage this member on top of the batch (the live store is current:
	 * the flushes above may have replaced it) */
	x.s = sl_ctl_store(m->ctl);
	x.vlan_skip = b->n ? m->batch_vlans : NULL;
	rc = sl_mut_lookup(action)(&x, e);
	if (rc < 0) {
		free(fp);
		json_decref(x.result);
		return -1;
	}
	sl_job_key(&x, key, sizeof(key));
	if (b->keys && json_object_get(b->keys, key)) {
		/* touches an object the batch already changes: run the batch
		 * first, then this request again from the start */
		free(fp);
		json_decref(x.result);
		sl_db_stage_drop_last(m->db);
		sl_api_mut_flush(m);
		return sl_api_mut_queue(m, akid, action, p, now, owner, result, e);
	}
	if (b->keys == NULL)
		b->keys = json_object();
	json_object_set_new(b->keys, key, json_true());
	if (token)
		json_object_set_new(b->keys, tkey, json_true());
	if (x.vlan)
		sl_j1_set(&m->batch_vlans, x.vlan);
	j = &b->v[b->n];
	memset(j, 0, sizeof(*j));
	if (sl_params_copy(&j->p, p) < 0) {
		sl_job_free(j);
		free(fp);
		json_decref(x.result);
		sl_api_mut_flush(m);
		return sl_mut_oom(e);
	}
	snprintf(j->akid, sizeof(j->akid), "%s", akid);
	snprintf(j->action, sizeof(j->action), "%s", action);
	j->now = now;
	j->fp = fp;
	j->owner = owner;
	b->results[b->n] = x.result;
	b->n++;
	return 1;
}

/* Redo member j alone (the batch did not validate as a whole). */
static void sl_job_alone(struct sl_api_mut *m, struct sl_mut_job *j, json_t **result,
			 struct sl_api_err *e)
{
	struct sl_mut x = {.m = m, .s = sl_ctl_store(m->ctl), .p = &j->p, .now = j->now};
	int rc;

	*result = NULL;
	sl_db_stage_clear(m->db);
	rc = sl_mut_lookup(j->action)(&x, e);
	if (rc == 0)
		rc = sl_mut_finish(&x, j->action, false, j->akid, sl_token(&j->p), j->fp, e);
	else
		sl_db_stage_clear(m->db);
	if (rc < 0)
		json_decref(x.result);
	else
		*result = x.result;
}

static double sl_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

void sl_api_mut_flush(struct sl_api_mut *m)
{
	struct sl_mut_batch *b = m->batch;
	struct sl_mut x = {.m = m};
	struct sl_api_err e;
	struct sl_cand cand;
	struct timespec t0, t1, t2;
	bool delta;
	unsigned int n;
	char what[64];

	if (b == NULL || b->n == 0)
		return;
	n = b->n;
	b->n = 0;
	json_decref(b->keys);
	b->keys = NULL;
	sl_j1_free(&m->batch_vlans);
	memset(&e, 0, sizeof(e));
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	if (sl_mut_candidate(&x, &e, true, &cand) == 0) { /* drops the stage when invalid */
		int rc = 0;

		for (unsigned int i = 0; i < n && rc == 0; i++)
			if (sl_token(&b->v[i].p))
				rc = sl_stage_token(m, b->v[i].akid, sl_token(&b->v[i].p),
						    b->v[i].fp, b->results[i]);
		if (rc < 0) {
			sl_cand_drop(m, &cand);
			sl_db_stage_clear(m->db);
			sl_mut_oom(&e);
		} else {
			snprintf(what, sizeof(what), "%s%s", b->v[0].action,
				 n > 1 ? " (batch)" : "");
			clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
			delta = cand.d != NULL;
			rc = sl_mut_commit(m, &cand, what, &e);
			clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t2);
			SL_DEBUG(
			    "batch of %u: %s candidate %.2f ms, COMMIT and apply %.2f ms (CPU)", n,
			    delta ? "incremental" : "full", sl_ms(&t0, &t1), sl_ms(&t1, &t2));
		}
		for (unsigned int i = 0; i < n; i++) {
			m->done(b->v[i].owner, rc == 0 ? b->results[i] : NULL, &e, m->done_arg);
			json_decref(b->results[i]);
			sl_job_free(&b->v[i]);
		}
		return;
	}
	SL_DEBUG("batch of %u did not validate as a whole: one by one", n);
	for (unsigned int i = 0; i < n; i++) {
		json_t *res;

		json_decref(b->results[i]);
		memset(&e, 0, sizeof(e));
		sl_job_alone(m, &b->v[i], &res, &e);
		m->done(b->v[i].owner, res, &e, m->done_arg);
		json_decref(res);
		sl_job_free(&b->v[i]);
	}
}

unsigned int sl_api_mut_pending(const struct sl_api_mut *m)
{
	return m->batch ? m->batch->n : 0;
}

int sl_api_mut_batch_init(struct sl_api_mut *m)
{
	/* a benchmarking knob (scripts/bench-api --full-candidate): the
	 * reference path for every batch */
	const char *full = getenv("SLUICED_FULL_CANDIDATE");

	m->full_builds = full && strcmp(full, "1") == 0;
	m->batch = calloc(1, sizeof(*m->batch));
	return m->batch ? 0 : -ENOMEM;
}

void sl_api_mut_batch_free(struct sl_api_mut *m)
{
	if (m->batch == NULL)
		return;
	sl_api_mut_flush(m);
	json_decref(m->batch->keys);
	sl_j1_free(&m->batch_vlans);
	free(m->batch);
	m->batch = NULL;
}
