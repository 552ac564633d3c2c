/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the mutating actions: one mutation in progress and the helpers
 * its action functions share (api_mut.c: VPC, VSwitch, route entry and
 * instance actions; api_nat.c: NAT gateway, EIP, SNAT and forward entry
 * actions; api_havip.c: HaVip actions). Not for other callers: they use sl_api_mut.h.
 *
 * An action function checks what only the live store can tell, stages its
 * change in the database overlay (sl_db_stage_*), names the object it
 * changes in `label` (validation errors about that object answer the
 * request) and sets `result`; api_mut.c validates, writes and applies.
 *
 * Concurrency: single-threaded (sluiced's event loop).
 */
#ifndef SL_API_MUT_INT_H
#define SL_API_MUT_INT_H

#include "sl_api_mut.h"
#include "sl_store.h"

struct sl_mut {
	struct sl_api_mut *m;
	const struct sl_store *s; /* live store */
	const struct sl_api_params *p;
	time_t now;
	char label[SL_ID_LEN + SL_PFX_STRLEN + 16]; /* errors about this object answer */
	const char *remap_from, *remap_to;	    /* the action's own name for a code */
	const char *const *remaps;		    /* more of them: pairs, NULL-terminated */
	json_t *result;
	/* Judy1 of what the batch's earlier members took (CreateVpc:
	 * SL_VPC_VLAN_KEY(trunk, VLAN); AllocateEipAddress: SL_MUT_EIP_KEY(address)), and what this
	 * one takes (0: nothing); api_mut.c collects them in batch_vlans */
	Pcvoid_t vlan_skip;
	Word_t vlan;
};

/** An EIP address as a key of vlan_skip (above every VLAN id). */
#define SL_MUT_EIP_KEY(a) (((Word_t)1 << 32) | (Word_t)(uint32_t)(a))

typedef int (*sl_mut_fn)(struct sl_mut *x, struct sl_api_err *e);

/** A non-empty parameter, else NULL. */
const char *sl_mut_param(const struct sl_mut *x, const char *k);
/** MissingParameter (400) naming `name`; returns -1. */
int sl_mut_missing(struct sl_api_err *e, const char *name);
/** Required parameters (NULL-terminated): fails on the first absent. */
int sl_mut_require(const struct sl_mut *x, struct sl_api_err *e, const char *const *names);
/** Forbidden.ConfigFileObject (403); returns -1. */
int sl_mut_file_object(struct sl_api_err *e, const char *what, const char *id);
/** InternalError "out of memory"; returns -1. */
int sl_mut_oom(struct sl_api_err *e);
/** prefix + 20 random lowercase letters and digits, unused by any object. */
int sl_mut_new_id(const struct sl_store *s, const char *prefix, char *out, size_t size);
/** Copy parameter `k` into body key `bk` (NULL: same name) if given. */
void sl_mut_copy_param(const struct sl_mut *x, json_t *body, const char *k, const char *bk);
/** RegionId required and known (InvalidRegionId.NotFound 404): the
 * HaVip and bandwidth package actions. 0 or -1 with `e`. */
int sl_mut_region(const struct sl_mut *x, struct sl_api_err *e);
/** Stage `body` (taken; NULL: out of memory) as object (k, id) and name
 * it "`what` `id`" in x->label. 0 or -1 with `e`. */
int sl_mut_stage(struct sl_mut *x, enum sl_cfg_kind k, const char *id, json_t *body,
		 const char *what, struct sl_api_err *e);
/** Stage a copy of API-owned object (k, id) with the given parameters
 * (NULL-terminated pairs: parameter, body key) changed; result {}. */
int sl_mut_modify(struct sl_mut *x, enum sl_cfg_kind k, const char *id, const char *const *pairs,
		  struct sl_api_err *e);

/* api_nat.c: its actions, for api_mut.c's table. `solo` actions may stage
 * several objects and are never batched with others. */
struct sl_mut_action {
	const char *name;
	sl_mut_fn fn;
	const char *const *refused;
	bool solo;
};
extern const struct sl_mut_action sl_nat_actions[];
extern const unsigned int sl_nat_n_actions;

/* api_havip.c: the HaVip actions, for api_mut.c's table. */
extern const struct sl_mut_action sl_havip_actions[];
extern const unsigned int sl_havip_n_actions;

/** `n` distinct free addresses of the EipPool for EIPs or NAT bandwidth
 * packages (lowest first; not an EIP's, a package's, an outside address or
 * taken by an earlier member of the batch) into out[]. 0 or -ENOSPC. */
int sl_nat_pick(const struct sl_mut *x, unsigned int n, struct sl_pfx *out);

/* api_bwp.c: the common and NAT bandwidth package actions, for api_mut.c's table. */
extern const struct sl_mut_action sl_bwp_actions[];
extern const unsigned int sl_bwp_n_actions;

/** A new NAT bandwidth package to stage (sl_bwp_new()). */
struct sl_bwp_spec {
	const char *natgw_id, *region_id;
	const char *zone;		     /**< NULL: the region's first zone */
	const char *name_param, *desc_param; /**< parameters to copy, or NULL */
	unsigned int n_ips;
	long bandwidth;
};

/** Stage NAT bandwidth package `sp` with the pool addresses addrs[0..n_ips-1]
 * (from sl_nat_pick()); its new id into `id`. 0 or -1 with `e`. */
int sl_bwp_new(struct sl_mut *x, const struct sl_bwp_spec *sp, const struct sl_pfx *addrs,
	       char id[SL_ID_LEN], struct sl_api_err *e);

/** Refuse to release EIP `p` while a common bandwidth package holds it:
 * 0 or -1 with `e` (DependencyViolation.BandwidthPackage). */
int sl_bwp_eip_deps(const struct sl_eip_obj *p, struct sl_api_err *e);

/** Refuse to delete VSwitch `w` or instance `in` (either may be NULL)
 * while a HaVip lives in the VSwitch or lists the instance: 0 or -1 with
 * `e` (DependencyViolation.HaVip). */
int sl_havip_deps(const struct sl_store *s, const struct sl_vswitch_obj *w,
		  const struct sl_instance_obj *in, struct sl_api_err *e);

/** Refuse to delete VPC `v`, VSwitch `w` or instance `in` (any may be
 * NULL) while a NAT gateway, SNAT entry or EIP depends on it: 0 or -1 with
 * `e` (DependencyViolation.NatGateway/.SnatEntry/.Eip). */
int sl_nat_vpc_deps(const struct sl_store *s, const struct sl_vpc_obj *v,
		    const struct sl_vswitch_obj *w, const struct sl_instance_obj *in,
		    struct sl_api_err *e);

/** RegionId required and known (InvalidRegionId.NotFound 404): the NAT and
 * IPv6 actions' rule (api_nat.c). */
int sl_nat_region(const struct sl_mut *x, struct sl_api_err *e);
/** Stage `body` (taken; NULL: out of memory) as object `id` of kind `k`
 * (api_nat.c). 0, or -1 with `e`. */
int sl_stage_put(struct sl_mut *x, enum sl_cfg_kind k, const char *id, json_t *body,
		 struct sl_api_err *e);

/* api_ipv6gw.c: the IPv6 gateway, address, Internet bandwidth and
 * egress-only rule actions, and the same dependency check for them
 * (DependencyViolation.Ipv6Gateway/.Ipv6Address/.Ipv6EgressOnlyRule). */
extern const struct sl_mut_action sl_ipv6_actions[];
extern const unsigned int sl_ipv6_n_actions;
int sl_ipv6_vpc_deps(const struct sl_store *s, const struct sl_vpc_obj *v,
		     const struct sl_vswitch_obj *w, const struct sl_instance_obj *in,
		     struct sl_api_err *e);

/* api_mut_delta.c: the incremental candidate (docs/sluiced.md,
 * "Incremental batches"). */
struct sl_mut_delta;
/** Apply what is staged in place on the live store and validate the VPCs
 * it touches: 1 and *out (the live store is the candidate: apply or abort
 * it), or 0 (not for this path, or not valid: nothing changed, build the
 * full candidate, which gives the errors). */
int sl_mut_delta_try(struct sl_api_mut *m, struct sl_mut_delta **out);
/** Put the live store back as before sl_mut_delta_try(). */
void sl_mut_delta_abort(struct sl_api_mut *m, struct sl_mut_delta *md);
/** After the COMMIT: publish (sl_ctl_apply_delta(), `res` may be NULL);
 * frees `md`. */
int sl_mut_delta_apply(struct sl_api_mut *m, struct sl_mut_delta *md, const char *what,
		       struct sl_ctl_result *res);

#endif /* SL_API_MUT_INT_H */
