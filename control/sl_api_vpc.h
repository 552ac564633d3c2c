/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The read-only RPC actions of the VPC API (2016-04-28) over sluiced's
 * object store: DescribeRegions, DescribeZones, DescribeVpcs,
 * DescribeVSwitches, DescribeRouteTables, DescribeVRouters,
 * DescribeRouteEntryList, and sluice's DescribeSluiceInstances. The
 * mutating ones are in sl_api_mut.h.
 *
 * Concurrency: single-threaded (sluiced's event loop); the store is the
 * current validated one and is not changed while an action runs.
 */
#ifndef SL_API_VPC_H
#define SL_API_VPC_H

#include <time.h>

#include <jansson.h>

#include "sl_api.h"
#include "sl_store.h"

#define SL_API_VERSION "2016-04-28"

/** True if `action` is one of these read-only actions. */
bool sl_api_action_known(const char *action);

/**
 * Run `action` with parameters `p` against store `s` (NULL: no objects
 * loaded yet). `created` is the CreationTime reported for the config
 * file's objects (the time sluiced started); objects from the database
 * carry their own. 0 and *result (a new JSON object without RequestId), or -1 and `e`.
 */
int sl_api_vpc_run(const struct sl_store *s, const char *action, const struct sl_api_params *p,
		   time_t created, json_t **result, struct sl_api_err *e);

/** The VRouterId sluice reports for a VPC: vpc-X -> vrt-X, else "vrt-" + id. */
void sl_api_vrouter_id(const char *vpc_id, char *out, size_t size);

/* ---- helpers shared with the NAT actions (api_nat.c); paging and
 * filters are sl_api.h's sl_api_list and sl_api_filter* ---- */

/** RegionId required (MissingParameter) and known (Forbidden.RegionNotFound). */
int sl_api_need_region(const struct sl_store *s, const struct sl_api_params *p, const char **rid,
		       struct sl_api_err *e);
/** sl_api_need_region(), then sl_api_list_start(). 0 or -1 with `e`. */
int sl_api_list_region(struct sl_api_list *l, const struct sl_store *s,
		       const struct sl_api_params *p, const char **rid, struct sl_api_err *e);
void sl_api_set_str(json_t *o, const char *k, const char *v);
/** CreationTime-style UTC time. */
void sl_api_fmt_time(time_t t, char out[32]);
/** CreationTime: the database's time, or `dflt` for the config file's objects. */
void sl_api_set_ctime(json_t *o, const struct sl_obj_state *st, const char *dflt);

/** The NAT gateway, EIP, SNAT and forward entry Describe actions (api_nat.c). */
bool sl_api_nat_known(const char *action);
int sl_api_nat_describe(const struct sl_store *s, const char *action, const struct sl_api_params *p,
			json_t *res, const char *ctime, struct sl_api_err *e);

/** The IPv6 gateway, address and egress-only rule Describe actions (api_ipv6gw.c). */
bool sl_api_ipv6_known(const char *action);
int sl_api_ipv6_describe(const struct sl_store *s, const char *action,
			 const struct sl_api_params *p, json_t *res, const char *ctime,
			 struct sl_api_err *e);
/** DescribeHaVips (api_havip.c). */
bool sl_api_havip_known(const char *action);
struct sl_ctl;
/** Where DescribeHaVips reads MasterInstanceId: the holders the live
 * sluice-dp of `c`'s segment reports (NULL: always empty). */
void sl_api_havip_set_ctl(struct sl_ctl *c);
int sl_api_havip_describe(const struct sl_store *s, const char *action,
			  const struct sl_api_params *p, json_t *res, const char *ctime,
			  struct sl_api_err *e);

/** DescribeCommonBandwidthPackages (api_bwp.c). */
bool sl_api_bwp_known(const char *action);
int sl_api_bwp_describe(const struct sl_store *s, const char *action, const struct sl_api_params *p,
			json_t *res, const char *ctime, struct sl_api_err *e);

#endif /* SL_API_VPC_H */
