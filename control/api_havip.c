/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HaVip actions (docs/api.md, HaVips): CreateHaVip, DeleteHaVip,
 * AssociateHaVip, UnassociateHaVip, DescribeHaVips. The 2016-04-28
 * document names them only in its RAM tables (spec digest 2.11), so their
 * parameters and fields follow the SDK's models; the rules that involve
 * other objects are the document's (routes, EIPs, SNAT, DNAT).
 *
 * Design note: api_mut.c's pattern (sl_api_mut_int.h). An action checks
 * what only the live store tells (existence, origin, status: a HaVip in
 * transition takes no change, the document's "Available or InUse" rule),
 * stages the HaVip as the JSON the config file would hold, and leaves the
 * rules between objects to validate_havip.c and validate_nat.c. Status:
 * Pending until sluice-dp acknowledged the content, then Available (no
 * instance) or InUse. MasterInstanceId is the holder the live sluice-dp
 * learned from ARP (docs/havip.md) and reports in the stats area, when that
 * instance is still associated; empty otherwise.
 *
 * Concurrency: single-threaded (sluiced's event loop); the holder snapshot
 * is read under the stats area's sequence counter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_api_mut_int.h"
#include "sl_api_vpc.h"
#include "sl_ctl.h"
#include "sl_judy.h"
#include "sl_validate.h"

/* The HaVip's API status (see the design note). */
static const char *sl_havip_status(const struct sl_havip_obj *h)
{
	if (h->st.status != SL_STATUS_AVAILABLE)
		return "Pending";
	return h->n_instances ? "InUse" : "Available";
}

/* The API-owned, settled HaVip named by HaVipId; NULL with `e`. */
static struct sl_havip_obj *sl_own_havip(const struct sl_mut *x, struct sl_api_err *e)
{
	const char *id = sl_mut_param(x, "HaVipId");
	struct sl_havip_obj *h;

	if (sl_mut_region(x, e) < 0)
		return NULL;
	if (id == NULL) {
		sl_mut_missing(e, "HaVipId");
		return NULL;
	}
	h = sl_jsl_get(x->s->havips, id);
	if (h == NULL || (h->vpc && strcmp(h->vpc->region_id, sl_mut_param(x, "RegionId")) != 0)) {
		sl_api_fail(e, 404, "InvalidHaVipId.NotFound",
			    "The specified HaVip %.64s does not exist.", id);
		return NULL;
	}
	if (!h->st.from_db) {
		sl_mut_file_object(e, "HaVip", id);
		return NULL;
	}
	if (h->st.status != SL_STATUS_AVAILABLE) {
		sl_api_fail(e, 400, "IncorrectHaVipStatus",
			    "The HaVip %s is neither Available nor InUse (it is Pending).", h->id);
		return NULL;
	}
	return h;
}

/* The first free address of VSwitch `w` for a HaVip: not reserved, not an
 * instance's, not another HaVip's. 0 or -1 (none left). */
static int sl_havip_pick(const struct sl_store *s, const struct sl_vswitch_obj *w,
			 struct sl_pfx *out)
{
	uint64_t first = (uint32_t)sl_pfx_first(&w->cidr), last = (uint32_t)sl_pfx_last(&w->cidr);

	for (uint64_t a = first; a <= last; a++) {
		bool used = sl_vswitch_reserved(&w->cidr, (sl_u128)a) ||
			    (w->vpc && sl_vpc_instance_by_addr(w->vpc, SL_AF_INET, (sl_u128)a));

		for (unsigned int i = 0; !used && i < s->havip_v.n; i++) {
			const struct sl_havip_obj *h = s->havip_v.v[i];

			used = h->vswitch == w && (uint32_t)h->ip.addr == (uint32_t)a;
		}
		if (!used) {
			memset(out, 0, sizeof(*out));
			out->family = SL_AF_INET;
			out->len = 32;
			out->addr = (sl_u128)a;
			return 0;
		}
	}
	return -1;
}

static int sl_create_havip(struct sl_mut *x, struct sl_api_err *e)
{
	const char *wid = sl_mut_param(x, "VSwitchId"), *want = sl_mut_param(x, "IpAddress");
	const struct sl_vswitch_obj *w;
	char id[SL_ID_LEN], ip[SL_PFX_STRLEN];
	struct sl_pfx a;
	json_t *body;

	if (sl_mut_region(x, e) < 0)
		return -1;
	if (wid == NULL)
		return sl_mut_missing(e, "VSwitchId");
	w = sl_store_vswitch(x->s, wid);
	if (w == NULL || w->vpc == NULL ||
	    strcmp(w->vpc->region_id, sl_mut_param(x, "RegionId")) != 0)
		return sl_api_fail(e, 404, "InvalidVSwitchId.NotFound",
				   "The specified VSwitch %.64s does not exist in region %.64s.",
				   wid, sl_mut_param(x, "RegionId"));
	if (w->st.status != SL_STATUS_AVAILABLE)
		return sl_api_fail(e, 400, "IncorrectVSwitchStatus",
				   "The VSwitch %s is not Available yet.", w->id);
	if (want) {
		if (sl_ip_parse(want, &a) != SL_PFX_OK || a.family != SL_AF_INET)
			return sl_api_fail(e, 400, "InvalidIpAddress.Malformed",
					   "IpAddress %.64s is not an IPv4 address.", want);
	} else if (w->cidr.family != SL_AF_INET || sl_havip_pick(x->s, w, &a) < 0) {
		return sl_api_fail(e, 400, "InvalidVSwitchId.IpNotEnough",
				   "VSwitch %s has no free address left.", w->id);
	}
	if (sl_mut_new_id(x->s, "havip-", id, sizeof(id)) < 0)
		return sl_api_fail(e, 500, "InternalError", "no random bytes");
	sl_ip_fmt(SL_AF_INET, a.addr, ip, sizeof(ip));
	body = json_pack("{s:s,s:s,s:s}", "HaVipId", id, "VSwitchId", w->id, "IpAddress", ip);
	if (body) {
		sl_mut_copy_param(x, body, "Name", NULL);
		sl_mut_copy_param(x, body, "Description", NULL);
	}
	if (sl_mut_stage(x, SL_CFG_HAVIP, id, body, "HaVip", e) < 0)
		return -1;
	x->result = json_pack("{s:s,s:s}", "HaVipId", id, "IpAddress", ip);
	return x->result ? 0 : sl_mut_oom(e);
}

static int sl_delete_havip(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_havip_obj *h = sl_own_havip(x, e);

	if (h == NULL)
		return -1;
	if (h->n_instances)
		return sl_api_fail(e, 400, "IncorrectHaVipStatus",
				   "The HaVip %s is InUse: unassociate its %u instance(s) first.",
				   h->id, h->n_instances);
	if (h->n_routes)
		return sl_api_fail(e, 400, "DependencyViolation.RouteEntry",
				   "%u route entr%s use HaVip %s as next hop.", h->n_routes,
				   h->n_routes == 1 ? "y" : "ies", h->id);
	if (h->eip)
		return sl_api_fail(e, 400, "DependencyViolation.Eip",
				   "EIP %s is bound to HaVip %s.", h->eip->id, h->id);
	for (unsigned int i = 0; i < x->s->ipv6rule_v.n; i++) { /* issues 6/12 */
		const struct sl_ipv6rule_obj *r = x->s->ipv6rule_v.v[i];

		if (strcmp(r->next_hop_type, "HaVip") == 0 && strcmp(r->next_hop_id, h->id) == 0)
			return sl_api_fail(e, 400, "DependencyViolation.Ipv6GatewayRouteRule",
					   "IPv6 gateway route rule %s uses HaVip %s as next hop.",
					   r->id, h->id);
	}
	if (sl_db_stage_del(x->m->db, SL_CFG_HAVIP, h->id) < 0)
		return sl_mut_oom(e);
	snprintf(x->label, sizeof(x->label), "HaVip %s", h->id);
	x->result = json_object();
	return x->result ? 0 : sl_mut_oom(e);
}

/* InstanceType (EcsInstance, the default) and InstanceId of an
 * (un)association; the instance's index in the HaVip's list or -1. */
static int sl_havip_member(const struct sl_mut *x, const struct sl_havip_obj *h, const char **iid,
			   struct sl_api_err *e)
{
	const char *type = sl_mut_param(x, "InstanceType");

	*iid = sl_mut_param(x, "InstanceId");
	if (*iid == NULL) {
		sl_mut_missing(e, "InstanceId");
		return -2;
	}
	if (type && strcmp(type, "EcsInstance") != 0) {
		sl_api_fail(e, 400, "InvalidInstanceType.ValueNotSupported",
			    "InstanceType %.32s: sluice associates HaVips with EcsInstance (a "
			    "sluice instance) only.",
			    type);
		return -2;
	}
	if (sl_store_instance(x->s, *iid) == NULL) {
		sl_api_fail(e, 404, "InvalidInstanceId.NotFound",
			    "The specified instance %.64s does not exist.", *iid);
		return -2;
	}
	for (unsigned int i = 0; i < h->n_instances; i++)
		if (strcmp(h->instances[i], *iid) == 0)
			return (int)i;
	return -1;
}

static int sl_associate_havip(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_havip_obj *h = sl_own_havip(x, e);
	const char *iid;
	json_t *body, *list;
	int at;

	if (h == NULL || (at = sl_havip_member(x, h, &iid, e)) < -1)
		return -1;
	if (at >= 0)
		return sl_api_fail(e, 400, "InvalidAssociation.Duplicated",
				   "Instance %s is already associated with HaVip %s.", iid, h->id);
	body = json_deep_copy(sl_db_get(x->m->db, SL_CFG_HAVIP, h->id));
	if (body == NULL)
		return sl_mut_oom(e);
	list = json_object_get(body, "AssociatedInstances");
	if (!json_is_array(list)) {
		list = json_array();
		json_object_set_new(body, "AssociatedInstances", list);
	}
	json_array_append_new(list, json_string(iid));
	if (sl_mut_stage(x, SL_CFG_HAVIP, h->id, body, "HaVip", e) < 0)
		return -1;
	x->result = json_object();
	return x->result ? 0 : sl_mut_oom(e);
}

static int sl_unassociate_havip(struct sl_mut *x, struct sl_api_err *e)
{
	struct sl_havip_obj *h = sl_own_havip(x, e);
	const char *iid, *force = sl_mut_param(x, "Force");
	json_t *body;
	int at;

	if (h == NULL || (at = sl_havip_member(x, h, &iid, e)) < -1)
		return -1;
	if (force && strcasecmp(force, "true") != 0 && strcasecmp(force, "false") != 0)
		return sl_api_fail(e, 400, "InvalidParameter", "Force %.16s: True or False.",
				   force);
	if (at < 0)
		return sl_api_fail(e, 400, "ResourceNotAssociated",
				   "Instance %s is not associated with HaVip %s.", iid, h->id);
	body = json_deep_copy(sl_db_get(x->m->db, SL_CFG_HAVIP, h->id));
	if (body == NULL)
		return sl_mut_oom(e);
	json_array_remove(json_object_get(body, "AssociatedInstances"), (size_t)at);
	if (json_array_size(json_object_get(body, "AssociatedInstances")) == 0)
		json_object_del(body, "AssociatedInstances");
	if (sl_mut_stage(x, SL_CFG_HAVIP, h->id, body, "HaVip", e) < 0)
		return -1;
	x->result = json_object();
	return x->result ? 0 : sl_mut_oom(e);
}

/* ---- what other actions must not remove from under a HaVip ---- */

int sl_havip_deps(const struct sl_store *s, const struct sl_vswitch_obj *w,
		  const struct sl_instance_obj *in, struct sl_api_err *e)
{
	for (unsigned int i = 0; i < s->havip_v.n; i++) {
		const struct sl_havip_obj *h = s->havip_v.v[i];

		if (w && h->vswitch == w)
			return sl_api_fail(e, 400, "DependencyViolation.HaVip",
					   "VSwitch %s still holds HaVip %s.", w->id, h->id);
		for (unsigned int k = 0; in && k < h->n_instances; k++)
			if (strcmp(h->instances[k], in->id) == 0)
				return sl_api_fail(e, 400, "DependencyViolation.HaVip",
						   "Instance %s is associated with HaVip %s.",
						   in->id, h->id);
	}
	return 0;
}

/* ---- the action table ---------------------------------------------------- */

static const char *const sl_no_havip[] = {"ResourceGroupId", "Tag.1.Key", NULL};
static const char *const sl_no_nothing[] = {NULL};

/* CreateHaVip may pick an address: solo, so no batch member takes it too */
const struct sl_mut_action sl_havip_actions[] = {
    {"CreateHaVip", sl_create_havip, sl_no_havip, true},
    {"DeleteHaVip", sl_delete_havip, sl_no_nothing, false},
    {"AssociateHaVip", sl_associate_havip, sl_no_nothing, false},
    {"UnassociateHaVip", sl_unassociate_havip, sl_no_nothing, false},
};
const unsigned int sl_havip_n_actions = sizeof(sl_havip_actions) / sizeof(sl_havip_actions[0]);

/* ---- DescribeHaVips --------------------------------------------------------- */

static struct sl_ctl *sl_havip_ctl;

void sl_api_havip_set_ctl(struct sl_ctl *c)
{
	sl_havip_ctl = c;
}

/* The holders sluice-dp reports: copied under the stats seq into `out`
 * (SL_MAX_HAVIP_EXPORT entries); the number, 0 without a live data plane. */
static uint32_t sl_havip_holders(struct sl_havip_export *out)
{
	const struct sl_shm_writer *w = sl_havip_ctl ? sl_ctl_shm(sl_havip_ctl) : NULL;
	const struct sl_stats_header *st;

	if (w == NULL || !sl_shm_dp_alive(sl_shm_hdr(w)))
		return 0;
	st = sl_shm_stats(sl_shm_hdr(w));
	if (*(const volatile uint64_t *)&st->magic != SL_STATS_MAGIC)
		return 0;
	for (int tries = 0; tries < 100; tries++) {
		uint64_t s1 = atomic_load_explicit(&st->seq, memory_order_acquire);
		uint32_t n = st->n_havip < SL_MAX_HAVIP_EXPORT ? st->n_havip : SL_MAX_HAVIP_EXPORT;

		if (s1 & 1)
			continue;
		memcpy(out, st->havip, n * sizeof(out[0]));
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&st->seq, memory_order_relaxed) == s1)
			return n;
	}
	return 0;
}

/* MasterInstanceId of `h`: the reported holder if still associated. */
static const char *sl_havip_master(const struct sl_havip_obj *h, const struct sl_havip_export *hs,
				   uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (strncmp(hs[i].havip_id, h->id, SL_ID_LEN) != 0)
			continue;
		for (unsigned int k = 0; k < h->n_instances; k++)
			if (strncmp(hs[i].holder_id, h->instances[k], SL_ID_LEN) == 0)
				return h->instances[k];
	}
	return "";
}

/* Filter.N.Key / Filter.N.Value.M (N, M 1-5): values of one key are ORed,
 * keys ANDed. `vals` are the HaVip's values for sl_havip_filter_keys. */
static const char *const sl_havip_filter_keys[] = {"VpcId",   "VSwitchId",    "Status",
						   "HaVipId", "HaVipAddress", NULL};

static int sl_havip_filters_ok(const struct sl_api_params *p, struct sl_api_err *e)
{
	for (int n = 1; n <= 5; n++) {
		char k[32];
		const char *key;
		bool known = false;

		snprintf(k, sizeof(k), "Filter.%d.Key", n);
		key = sl_api_param(p, k);
		if (key == NULL || *key == '\0')
			continue;
		for (const char *const *f = sl_havip_filter_keys; *f && !known; f++)
			known = strcmp(key, *f) == 0;
		if (!known)
			return sl_api_fail(e, 400, "InvalidFilterKey.ValueNotSupported",
					   "Filter key %.32s: VpcId, VSwitchId, Status, HaVipId or "
					   "HaVipAddress.",
					   key);
	}
	return 0;
}

static bool sl_havip_match(const struct sl_api_params *p, const char *const *vals)
{
	for (int n = 1; n <= 5; n++) {
		char k[40];
		const char *key, *val;
		bool any = false, hit = false;

		snprintf(k, sizeof(k), "Filter.%d.Key", n);
		key = sl_api_param(p, k);
		if (key == NULL || *key == '\0')
			continue;
		for (int m = 1; m <= 5; m++) {
			snprintf(k, sizeof(k), "Filter.%d.Value.%d", n, m);
			val = sl_api_param(p, k);
			if (val == NULL || *val == '\0')
				continue;
			any = true;
			for (unsigned int i = 0; sl_havip_filter_keys[i]; i++)
				hit |= strcmp(key, sl_havip_filter_keys[i]) == 0 &&
				       strcmp(val, vals[i]) == 0;
		}
		if (any && !hit)
			return false;
	}
	return true;
}

static json_t *sl_havip_json(const struct sl_havip_obj *h, const char *ip, const char *ctime,
			     const char *master)
{
	json_t *o = json_object(), *inst = json_array(), *eips = json_array();
	char buf[SL_PFX_STRLEN];

	sl_api_set_str(o, "HaVipId", h->id);
	sl_api_set_str(o, "RegionId", h->vpc ? h->vpc->region_id : "");
	sl_api_set_str(o, "VpcId", h->vpc ? h->vpc->id : "");
	sl_api_set_str(o, "VSwitchId", h->vswitch_id);
	sl_api_set_str(o, "IpAddress", ip);
	sl_api_set_str(o, "Status", sl_havip_status(h));
	sl_api_set_str(o, "MasterInstanceId", master);
	sl_api_set_str(o, "Name", h->name);
	sl_api_set_str(o, "Description", h->description);
	sl_api_set_str(o, "ChargeType", "Free");
	sl_api_set_str(o, "AssociatedInstanceType", h->n_instances ? "EcsInstance" : "");
	for (unsigned int i = 0; i < h->n_instances; i++)
		json_array_append_new(inst, json_string(h->instances[i]));
	if (h->eip)
		json_array_append_new(
		    eips, json_string(sl_ip_fmt(SL_AF_INET, h->eip->ip.addr, buf, sizeof(buf))));
	/* the SDK's own spelling of the inner keys */
	sl_api_set_list(o, "AssociatedInstances", "associatedInstance", inst);
	sl_api_set_list(o, "AssociatedEipAddresses", "associatedEipAddresse", eips);
	sl_api_set_ctime(o, &h->st, ctime);
	json_object_set(o, "CreateTime", json_object_get(o, "CreationTime"));
	json_object_del(o, "CreationTime");
	return o;
}

static int sl_describe_havips(const struct sl_store *s, const struct sl_api_params *p, json_t *res,
			      const char *ctime, struct sl_api_err *e)
{
	static struct sl_havip_export holders[SL_MAX_HAVIP_EXPORT];
	const char *rid;
	struct sl_api_list l;
	uint32_t n_holders;

	if (sl_api_list_region(&l, s, p, &rid, e) < 0 || sl_havip_filters_ok(p, e) < 0)
		return -1;
	n_holders = sl_havip_holders(holders);
	for (unsigned int i = 0; i < s->havip_v.n; i++) {
		const struct sl_havip_obj *h = s->havip_v.v[i];
		char ip[SL_PFX_STRLEN];
		const char *vals[5];

		if (h->vpc == NULL || strcmp(h->vpc->region_id, rid) != 0)
			continue;
		sl_ip_fmt(SL_AF_INET, h->ip.addr, ip, sizeof(ip));
		vals[0] = h->vpc->id;
		vals[1] = h->vswitch_id;
		vals[2] = sl_havip_status(h);
		vals[3] = h->id;
		vals[4] = ip;
		if (sl_havip_match(p, vals) && sl_api_list_match(&l))
			json_array_append_new(
			    l.items, sl_havip_json(h, ip, ctime, sl_havip_master(h, holders, n_holders)));
	}
	sl_api_list_end(&l, res, "HaVips", "HaVip");
	return 0;
}

bool sl_api_havip_known(const char *action)
{
	return strcmp(action, "DescribeHaVips") == 0;
}

int sl_api_havip_describe(const struct sl_store *s, const char *action,
			  const struct sl_api_params *p, json_t *res, const char *ctime,
			  struct sl_api_err *e)
{
	(void)action;
	return sl_describe_havips(s, p, res, ctime, e);
}
