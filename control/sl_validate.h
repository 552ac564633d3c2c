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
#define SL_MAX_INSTANCES_PER_VPC 10000
#define SL_VPC_MASK_MIN 8
#define SL_VPC_MASK_MAX 24
#define SL_VSW_MASK_MIN 16
#define SL_VSW_MASK_MAX 29
#define SL_VPC6_MASK 56 /* sluice rule */
#define SL_VSW6_MASK 64 /* sluice rule */
#define SL_MTU_MIN 1280
#define SL_MTU_MAX 9000
#define SL_MAX_FWD_ENTRIES 40  /* per forward table (document) */
#define SL_MAX_SNAT_ENTRIES 40 /* per SNAT table (sluice: the document gives none) */
#define SL_MAX_EIPS 4096       /* per gateway (sluice: the document's quota has no figure) */
#define SL_MAX_HAVIP_ROUTES 5  /* route entries to HaVips per VPC (document) */

/**
 * Resolve references (VSwitch -> VPC and zone, instance -> VSwitch, route
 * entry -> VPC by RouteTableId and -> next-hop instance), fill the store's
 * secondary indexes (per-VPC children and addresses, VLAN set, route
 * tables), and check every rule, appending one error per violation to
 * `errs`. Call once per store. The store is usable for compilation only if
 * sl_errs_count(errs) is 0 afterwards. Returns 0 or -ENOMEM.
 */
int sl_validate(struct sl_store *s, struct sl_errs *errs);

/** What an in-place change of a live store concerns (struct sl_delta,
 * sl_store.h), per kind (enum sl_okind, then the two below): objects in
 * the store or not any more, in any order.
 *   - VPCs re-checked whole (their object, or one of their VSwitches,
 *     changed): the VPC objects (old and new) and every child they index;
 *   - VPCs re-checked by their changes (only instances and route entries
 *     changed; SL_VPART_FINE_VPC): the VPC, its VSwitches (for the rule
 *     between VSwitches and routes only) and route entries, and only the
 *     instances the delta added or removed (SL_VPART_FINE_INSTANCE);
 *   - the delta's new objects whose VPC cannot be told (they fail). */
enum { SL_VPART_FINE_VPC = SL_OK_N, SL_VPART_FINE_INSTANCE, SL_VPART_N };

struct sl_vpart {
	unsigned int n[SL_VPART_N];
	void **v[SL_VPART_N];
};

/**
 * Validate the part of store `s` that `p` names, as sl_validate() would
 * the whole store, when the rest of `s` is unchanged and valid and no
 * object of the NAT, IPv6 gateway or HaVip slices depends on those VPCs
 * (the caller's rule: docs/sluiced.md, "Incremental batches"). The
 * objects of `p` still in `s` are checked in file order and the indexes
 * they are in rebuilt or updated; the keys of those no longer in `s` are
 * released. An instance added to a VPC re-checked by its changes comes
 * after all of its VPC's in file order, so checking it against them is
 * what sl_validate() does. Running it again after sl_delta_revert()
 * restores the indexes and references of the old objects. 0 or -ENOMEM;
 * the rule violations go to `errs`.
 */
int sl_validate_part(struct sl_store *s, const struct sl_vpart *p, struct sl_errs *errs);

/** True if `addr` is one of the four reserved addresses of VSwitch subnet
 * `p` (IPv4: first and last three; IPv6: the subnet-router anycast address
 * and the last three). */
bool sl_vswitch_reserved(const struct sl_pfx *p, sl_u128 addr);

/** The NAT objects' rules (validate_nat.c); sl_validate() calls it after
 * the VPC objects are resolved. Fills nat_tables, eip_addrs and the
 * resolved references and counts of the NAT objects. 0 or -ENOMEM. */
int sl_validate_nat(struct sl_store *s, struct sl_errs *e);

/** The IPv6 gateway objects' rules (validate_ipv6.c); sl_validate() calls
 * it after the VPC objects are resolved. Fills ipv6_keys and the resolved
 * references. 0 or -ENOMEM. */
int sl_validate_ipv6(struct sl_store *s, struct sl_errs *e);
/** "VpcId|address": the key of an IPv6 address in ipv6_keys. 0 or
 * -ENAMETOOLONG. */
int sl_ipv6_addr_key(const char *vpc_id, const struct sl_pfx *ip, char *out, size_t size);
/** The largest IPv6 Internet bandwidth (Mbps) for a charge type and an
 * IPv6 gateway spec (seed 004). */
unsigned int sl_ipv6_bw_cap(const char *charge_type, const char *spec);
/** A unique local address (fc00::/7). */
bool sl_ipv6_ula(const struct sl_pfx *ip);
/** HaVips and the route entries to them (validate_havip.c); called by
 * sl_validate_nat() first, since the NAT rules use what it resolves. */
int sl_validate_havip(struct sl_store *s, struct sl_errs *e);
/** The first HaVip of VPC `v` whose address is inside `p` (NULL if none). */
const struct sl_havip_obj *sl_havip_at(const struct sl_store *s, const struct sl_vpc_obj *v,
				       const struct sl_pfx *p);

/** Common and NAT bandwidth packages (validate_bwp.c); called by
 * sl_validate_nat() after the EIPs and before the SNAT and forward entries.
 * Sets each member EIP's cbwp, each NAT gateway's n_bwps, and adds the NAT
 * packages' addresses to eip_addrs. 0 or -ENOMEM. */
int sl_validate_bwp(struct sl_store *s, struct sl_errs *e);
/** How many SNAT and forward entries use the addresses of NAT package `b`. */
unsigned int sl_bwp_ip_uses(const struct sl_bwp_obj *b);
/** Is `ip` inside the gateway's EipPool (g may be NULL)? */
bool sl_in_eip_pool(const struct sl_gateway_obj *g, const struct sl_pfx *ip);
/** A package's effective guaranteed ratio (%): 100 but for PayBy95. */
long long sl_cbwp_ratio(const struct sl_cbwp_obj *b);

/** Name (section 1.7: 2-128 characters, starts with a letter, ...) and
 * description (2-256) rules: NULL if fine or empty, else what is wrong. */
const char *sl_name_problem(const char *s);
const char *sl_desc_problem(const char *s);

#endif /* SL_VALIDATE_H */
