/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RPC actions of the VPC API (2016-04-28) over sluiced's object store.
 * This slice: the read-only ones (DescribeRegions, DescribeZones,
 * DescribeVpcs, DescribeVSwitches, DescribeRouteTables).
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
#define SL_API_PAGE_SIZE_MAX 50
#define SL_API_PAGE_SIZE_DEFAULT 10

/** True if `action` is implemented. */
bool sl_api_action_known(const char *action);

/**
 * Run `action` with parameters `p` against store `s` (NULL: no objects
 * loaded yet). `created` is the CreationTime reported for objects (the
 * store has no per-object creation times yet: the time sluiced loaded
 * them). 0 and *result (a new JSON object without RequestId), or -1 and `e`.
 */
int sl_api_vpc_run(const struct sl_store *s, const char *action, const struct sl_api_params *p,
		   time_t created, json_t **result, struct sl_api_err *e);

/** The VRouterId sluice reports for a VPC: vpc-X -> vrt-X, else "vrt-" + id. */
void sl_api_vrouter_id(const char *vpc_id, char *out, size_t size);

#endif /* SL_API_VPC_H */
