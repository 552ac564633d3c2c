/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Semantic validation of a freshly loaded store (rules and codes: see
 * docs/sluiced.md, "Validation rules").
 */
#ifndef SL_VALIDATE_H
#define SL_VALIDATE_H

#include "sl_ctl_log.h"
#include "sl_store.h"

/* Limits from the 2016-04-28 document (section 3.10) and sluice's own. */
#define SL_MAX_VSWITCHES_PER_VPC 24
#define SL_MAX_CUSTOM_ROUTES 48
#define SL_VPC_MASK_MIN 8
#define SL_VPC_MASK_MAX 24
#define SL_VSW_MASK_MIN 16
#define SL_VSW_MASK_MAX 29
#define SL_VPC6_MASK 56 /* sluice rule */
#define SL_VSW6_MASK 64 /* sluice rule */
#define SL_MTU_MIN 1280
#define SL_MTU_MAX 9000

/**
 * Resolve references (VSwitch -> VPC and zone, instance -> VSwitch, route
 * entry -> VPC by RouteTableId and -> next-hop instance), fill the store's
 * secondary indexes (per-VPC children and addresses, VLAN set, route
 * tables), and check every rule, appending one error per violation to
 * `errs`. Call once per store. The store is usable for compilation only if
 * sl_errs_count(errs) is 0 afterwards. Returns 0 or -ENOMEM.
 */
int sl_validate(struct sl_store *s, struct sl_errs *errs);

/** True if `addr` is one of the four reserved addresses of VSwitch subnet
 * `p` (IPv4: first and last three; IPv6: the subnet-router anycast address
 * and the last three). */
bool sl_vswitch_reserved(const struct sl_pfx *p, sl_u128 addr);

#endif /* SL_VALIDATE_H */
