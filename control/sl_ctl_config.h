/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The declarative config file (JSON) -> a new object store.
 *
 * The file format is documented in docs/sluiced.md; configs/demo.json is the
 * reference example. Field names follow the 2016-04-28 VPC API.
 */
#ifndef SL_CTL_CONFIG_H
#define SL_CTL_CONFIG_H

#include "sl_ctl_log.h"
#include "sl_store.h"

/** Default VPC CidrBlock (CreateVpc's default). */
#define SL_DEFAULT_VPC_CIDR "172.16.0.0/12"
#define SL_DEFAULT_MTU 1500

/**
 * Parse `path` into a new store. Syntax-level problems (JSON, unknown keys,
 * wrong types, missing required keys, malformed addresses, duplicate IDs)
 * are added to `errs`; objects with a bad field are still stored (with that
 * field unset) so that validation can report everything else about them.
 * Returns NULL only when no store can be built at all (file unreadable, not
 * JSON, not an object, out of memory), with the reason in `errs`.
 * Run sl_validate() on the result before using it.
 */
struct sl_store *sl_cfg_load(const char *path, struct sl_errs *errs);

/** Same, from a string (tests, API). `name` prefixes messages. */
struct sl_store *sl_cfg_load_string(const char *text, struct sl_errs *errs);

/** The RouteTableId used when a VPC gives none: "vpc-X" -> "vtb-X", any
 * other id -> "vtb-" + id. 0, or -ENAMETOOLONG. */
int sl_cfg_default_route_table(const char *vpc_id, char *out, size_t size);

#endif /* SL_CTL_CONFIG_H */
