/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiler: validated objects -> the table bank layout of sl_shm.h.
 *
 * Two layers:
 *   - the interval builder: a prefix list (longest prefix wins) -> sorted,
 *     disjoint intervals whose first start is 0, adjacent equal next hops
 *     merged; the form sluice-dp searches (struct sl_rt4_entry/sl_rt6_entry);
 *   - the table compiler with a per-VPC cache: each VPC's next hops,
 *     prefix list and intervals are kept between reloads and rebuilt only
 *     when the VPC is marked dirty; sl_compile_layout() then writes the full
 *     bank (VPC array, vlan_map, globally deduplicated next hops, tables).
 *
 * VPC indexes (the position in the bank's VPC array, which vlan_map and
 * every next hop's vpc_index refer to) are stable for as long as a VPC
 * exists, across reloads and, when seeded from the segment, across sluiced
 * restarts. A removed VPC leaves a hole (an entry with an empty id and no
 * routes); its index is reused at the earliest in the generation after the
 * one that removed it.
 *
 * Concurrency: single-threaded; sl_compile_layout() writes only the bank it
 * is given (the inactive one, see shm_writer).
 */
#ifndef SL_COMPILE_H
#define SL_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_addr.h"
#include "sl_shm.h"
#include "sl_store.h"

/* ---- interval builder ---------------------------------------------------- */

/** One prefix for the builder. `seq` breaks ties between equal prefixes:
 * the lowest seq wins (callers add system routes first). */
struct sl_rt_in {
	sl_u128 addr; /**< host order, host bits clear */
	uint32_t nh;
	uint32_t seq;
	uint8_t len;
};

/** Build IPv4 intervals (addresses in the low 32 bits). *out is malloc'd.
 * Reorders `pfx`. 0 or -ENOMEM. An empty list gives one interval {0, 0}. */
int sl_rt4_build(struct sl_rt_in *pfx, size_t n, struct sl_rt4_entry **out, uint32_t *n_out);
int sl_rt6_build(struct sl_rt_in *pfx, size_t n, struct sl_rt6_entry **out, uint32_t *n_out);

/** Lookups over interval arrays (same search as the data plane). */
uint32_t sl_rt4_find(const struct sl_rt4_entry *e, uint32_t n, uint32_t addr);
uint32_t sl_rt6_find(const struct sl_rt6_entry *e, uint32_t n, uint64_t hi, uint64_t lo);

/* ---- table compiler ------------------------------------------------------ */

/** One compiled route table, next hops numbered locally (0 = UNREACHABLE). */
struct sl_ctable {
	struct sl_nexthop *nh;
	uint32_t n_nh, cap_nh;
	Pvoid_t nh_index; /**< JudyHS next-hop bytes -> local index + 1 */
	struct sl_prefix *pfx;
	uint32_t n_pfx, cap_pfx;
	struct sl_rt_in *in4, *in6; /**< builder input, freed after building */
	uint32_t n_in4, n_in6, cap_in4, cap_in6;
	struct sl_rt4_entry *v4;
	uint32_t n_v4;
	struct sl_rt6_entry *v6;
	uint32_t n_v6;
	uint32_t *gmap; /**< local -> global next-hop index (set by sl_compile);
			 * NULL: the indexes are global already */
	uint32_t flags; /**< SL_RT_F_* of the bank's route table */
};

struct sl_compile_stats {
	uint32_t n_vpcs;		 /**< VPCs in the store */
	uint32_t n_vpc_slots;		 /**< entries in the bank's VPC array (with holes) */
	uint32_t n_recompiled;		 /**< VPC tables rebuilt by the last sl_compile() */
	uint32_t inet_recompiled;	 /**< 1 if the Internet table was rebuilt */
	uint32_t n_nexthops;		 /**< global, after deduplication */
	uint64_t n_v4, n_v6, n_prefixes; /**< totals over all tables */
	uint64_t bytes;			 /**< bank bytes a full write needs */
	uint64_t n_inet_routes;		 /**< Internet routes (config and route source) */
};

struct sl_compiler;

struct sl_compiler *sl_compiler_new(void);
void sl_compiler_free(struct sl_compiler *c);

/** Rebuild VPC `id`'s tables at the next sl_compile(). */
int sl_compiler_mark_dirty(struct sl_compiler *c, const char *vpc_id);
void sl_compiler_mark_inet_dirty(struct sl_compiler *c);
/**
 * Internet routes from a route source (a prefix file today; kernel routes
 * and BGP later): add or replace `p` -> `nh`, or remove it (-ENOENT if the
 * source has no such route). A config-derived route for the same prefix
 * (gateway addresses, the config's static routes) wins over the source's.
 * Visible at the next sl_compile() + layout. 0 or a negative errno.
 */
int sl_compiler_inet_set(struct sl_compiler *c, const struct sl_pfx *p,
			 const struct sl_nexthop *nh);
/**
 * ECMP (issue 8): `p` -> a group of the `n` (1..SL_NHG_MAX) next hops `nh`
 * (GATEWAY or CONNECTED) with weights (>= 1, the kernel's rtnh_hops + 1).
 * n == 1 is sl_compiler_inet_set(). The group is interned like any next
 * hop and built from the prefix's previous next hop or group so that only
 * the flows of a member that left (or of buckets a new member takes) move
 * (sl_nhgroup.h). 0 or a negative errno.
 */
int sl_compiler_inet_set_group(struct sl_compiler *c, const struct sl_pfx *p,
			       const struct sl_nexthop *nh, const uint16_t *weight, unsigned int n);
int sl_compiler_inet_del(struct sl_compiler *c, const struct sl_pfx *p);
/**
 * The next hop of an Internet route via `via` (an address on one of the
 * gateway's outside subnets: src is the gateway's address there).
 * -ENETUNREACH (nh still filled, src empty) when no outside subnet holds it.
 */
int sl_compile_inet_nexthop(const struct sl_gateway_obj *g, const struct sl_pfx *via,
			    const char *owner, struct sl_nexthop *nh);

/** Effective Internet routes (both families). */
size_t sl_compiler_inet_count(const struct sl_compiler *c);
/** Banks written in full so far (first writes, restarts, banks that ran
 * out of room); the other writes were incremental. */
uint64_t sl_compiler_full_writes(const struct sl_compiler *c);
/** Bytes of the Internet RIBs (sluiced's private memory). */
size_t sl_compiler_rib_bytes(const struct sl_compiler *c);

/**
 * FIB mode: the banks carry the Internet table as a DIR-24-8 (IPv4) and a
 * multibit trie (IPv6) instead of intervals (sl_shm.h, SL_RT_F_FIB); the
 * caller turns it on for banks big enough (SL_FIB_MIN_BANK_SIZE). Changing
 * it rewrites both banks.
 */
void sl_compiler_set_fib(struct sl_compiler *c, bool on);

/** Forget the whole cache (indexes are kept). */
void sl_compiler_mark_all_dirty(struct sl_compiler *c);
/** Reserve `index` for VPC `id` (from an existing bank, before the first
 * sl_compile()). -EEXIST if the id or index is taken. */
int sl_compiler_seed_index(struct sl_compiler *c, const char *vpc_id, uint32_t index);
/** The index of a VPC, or -ENOENT. */
int sl_compiler_vpc_index(const struct sl_compiler *c, const char *vpc_id);

/**
 * Bring the cache up to date with a validated store: compile dirty and new
 * VPCs and (if dirty) the Internet table, drop removed VPCs, and number the
 * next hops globally. 0 or -ENOMEM (then mark everything dirty before
 * retrying). Stats in `st` (may be NULL).
 */
int sl_compile(struct sl_compiler *c, const struct sl_store *s, struct sl_compile_stats *st);
/* With s == NULL: the store is the one of the last successful sl_compile()
 * and unchanged; only route-source changes are taken in (-EINVAL when
 * something store-related is marked dirty). */

/**
 * Write the state compiled by the last sl_compile() into `bank` (bank_size
 * bytes), bank number gen & 1, and stamp it with generation `gen`. The bank
 * must not be read by anyone (shm_writer's grace period). Incremental when
 * sluiced wrote this bank before and its layout has room (only what changed
 * since: dirty VPC tables, next hops, the Internet table); otherwise, or
 * when an incremental write runs out of room, a full write with a fresh
 * layout. -ENOSPC if even a full write does not fit (the stats of
 * sl_compile() tell the size needed), -EINVAL before any sl_compile().
 */
int sl_compile_layout(struct sl_compiler *c, void *bank, uint64_t bank_size, uint64_t gen);

/** True if bank `b` lacks changes compiled since it was last written. */
bool sl_compile_bank_dirty(const struct sl_compiler *c, unsigned int b);

/**
 * Bring the idle bank `b` (nobody reads it: the caller checked that every
 * reader acknowledged the current generation) up to date without
 * publishing it: its generation stamp stays. Done right after a generation
 * was acknowledged, so that the next publish only writes its own changes
 * (the left-right scheme of the design note). 0 or a negative errno.
 */
int sl_compile_sync_bank(struct sl_compiler *c, unsigned int b, void *bank, uint64_t bank_size);

/** Forget what the banks hold (new or re-created segment, restart): the
 * next write of each bank is a full one. */
void sl_compiler_invalidate_banks(struct sl_compiler *c);

/** Make room for element `n` of the array *p of *cap elements of `elem`
 * bytes (doubling, 16 first). 0 or -ENOMEM (*p unchanged). */
int sl_compile_grow(void **p, uint32_t *cap, uint32_t n, size_t elem);

/* ---- NAT section (compile_nat.c) ------------------------------------------ */

/** The NAT part of the compiler: stable NAT gateway and public IP indexes
 * and the last NAT section built (sl_shm.h, struct sl_nat_sec). Owned by
 * struct sl_compiler; sl_compile() runs it. */
struct sl_nat_compiler;

struct sl_nat_compiler *sl_nat_compiler_new(void);
void sl_nat_compiler_free(struct sl_nat_compiler *n);
/** Rebuild the section from a validated store (VPC indexes from `c`, which
 * must have allocated them already); *changed tells whether it differs
 * from the previous one. 0 or -ENOMEM/-ENOSPC (the previous section is
 * kept). */
int sl_nat_compile(struct sl_nat_compiler *n, const struct sl_compiler *c, const struct sl_store *s,
		   bool *changed);
/** Before the first compile, take the gateway and public IP indexes of a
 * section a previous sluiced published (`size` bytes; a restart must not
 * renumber them under sluice-dp's sessions). Returns how many were taken,
 * or -EINVAL for a section that does not hold together. */
int sl_nat_compiler_seed(struct sl_nat_compiler *n, const struct sl_nat_sec *sec, uint64_t size);
/** The same through the compiler that owns the NAT part. */
int sl_compiler_seed_nat(struct sl_compiler *c, const struct sl_nat_sec *sec, uint64_t size);
/** The last section built, NULL when the store has no NAT gateway and no
 * bound EIP. */
const struct sl_nat_sec *sl_nat_compiled(const struct sl_nat_compiler *n);
/** The NAT section of the compiler's state (NULL if none). */
const struct sl_nat_sec *sl_compiler_nat(const struct sl_compiler *c);

/* ---- HaVip section (compile_havip.c, issue 12) ------------------------------ */

/** The HaVip part of the compiler: the last HaVip section built (sl_shm.h,
 * struct sl_havip_sec). Owned by struct sl_compiler; sl_compile() runs it. */
struct sl_havip_compiler;

struct sl_havip_compiler *sl_havip_compiler_new(void);
void sl_havip_compiler_free(struct sl_havip_compiler *hc);
/** Rebuild the section from a validated store (VPC indexes from `c`, which
 * must have allocated them already); *changed tells whether it differs
 * from the previous one. 0 or -ENOMEM (the previous section is kept). */
int sl_havip_compile(struct sl_havip_compiler *hc, const struct sl_compiler *c,
		     const struct sl_store *s, bool *changed);
/** The last section built, NULL when the store has no HaVip. */
const struct sl_havip_sec *sl_havip_compiled(const struct sl_havip_compiler *hc);
/** The HaVip section of the compiler's state (NULL if none). */
const struct sl_havip_sec *sl_compiler_havip(const struct sl_compiler *c);

/* ---- police section (compile_police.c, issue 7) ------------------------- */

/** The police part of the compiler: stable policer indexes and the last
 * police section built (sl_shm.h, struct sl_pol_sec). Owned by struct
 * sl_compiler; sl_compile() runs it after the NAT and IPv6 gateway parts. */
struct sl_police_compiler;

struct sl_police_compiler *sl_police_compiler_new(void);
void sl_police_compiler_free(struct sl_police_compiler *p);
/** Rebuild the section from a validated store, the NAT section just
 * built (its ip[] indexes; NULL if none) and the IPv6 gateway section just
 * built (its addr[] indexes and Internet bandwidths; NULL if none);
 * *changed tells whether it differs from the previous one. 0 or
 * -ENOMEM/-ENOSPC/-EINVAL (a bandwidth out of range; the previous section
 * is kept). */
int sl_police_compile(struct sl_police_compiler *p, const struct sl_nat_sec *nat,
		      const struct sl_ip6gw_sec *ip6gw, const struct sl_store *s, bool *changed);
/** The last section built, NULL when nothing is policed. */
const struct sl_pol_sec *sl_police_compiled(const struct sl_police_compiler *p);
/** The police section of the compiler's state (NULL if none). */
const struct sl_pol_sec *sl_compiler_police(const struct sl_compiler *c);
/* ---- Internet FIBs built ahead of the first bank write (compile_fib.c) ---- */

/** Route count from which sluiced's start builds the FIBs ahead
 * (sl_compiler_fib_prebuild()); smaller tables build in the bank. */
#define SL_FIB_PREBUILD_MIN_ROUTES 50000u

/**
 * Start building the Internet FIBs of the current RIBs on a thread of
 * their own, in private memory; the next full bank write in FIB mode moves
 * them in instead of building (RIB changes meanwhile are replayed on them
 * first). From this call until the compiler's next call that changes the
 * RIB or writes a bank (which waits for the thread), only the compiler's
 * read-only calls and the VPC part of sl_compile() may run. 0, or a
 * negative errno (nothing started: the bank builds them as before).
 */
int sl_compiler_fib_prebuild(struct sl_compiler *c);
/** Full bank writes that moved FIBs built ahead in (tests, logs). */
uint64_t sl_compiler_fib_moves(const struct sl_compiler *c);
/** Full bank writes that copied the other bank's FIBs (with the changes
 * since replayed) instead of building them (tests). */
uint64_t sl_compiler_fib_copies(const struct sl_compiler *c);

struct sl_rib4;
struct sl_rib6;
struct sl_fib4;
struct sl_fib6;
struct sl_fib4_writer;
struct sl_fib6_writer;
struct sl_fib_pre;

/** tbl8 groups for FIBs of the RIBs, with a quarter of headroom. */
int sl_fib_count_groups(const struct sl_rib4 *rib4, const struct sl_rib6 *rib6, uint32_t *g4,
			uint32_t *g6);
/** The prebuild (compile.c's helpers; see the design note of compile_fib.c).
 * start: NULL with errno; wait: the build's result; note: a RIB change
 * after the start (-E2BIG: too many, drop it); groups: the instances'
 * sizes (waits); take: replay the notes and move both instances to `bank`
 * (the writers are the caller's from then on; on failure nothing is
 * handed over); free: waits first. */
struct sl_fib_pre *sl_fib_pre_start(const struct sl_rib4 *rib4, const struct sl_rib6 *rib6);
int sl_fib_pre_wait(struct sl_fib_pre *p);
int sl_fib_pre_note(struct sl_fib_pre *p, uint8_t family, const uint8_t addr[16], uint8_t len);
int sl_fib_pre_groups(struct sl_fib_pre *p, uint32_t *g4, uint32_t *g6);
int sl_fib_pre_take(struct sl_fib_pre *p, void *bank, struct sl_fib4 *h4, uint64_t off4,
		    struct sl_fib6 *h6, uint64_t off6, struct sl_fib4_writer **w4,
		    struct sl_fib6_writer **w6);
void sl_fib_pre_free(struct sl_fib_pre *p);

/* ---- IPv6 gateway section (compile_ipv6gw.c, issue 6) -------------------- */

/** The IPv6 gateway part of the compiler: the last section built (sl_shm.h,
 * struct sl_ip6gw_sec) and the next-hop references its ingress route
 * rules hold. Owned by struct sl_compiler; sl_compile() runs it. */
struct sl_ip6gw_compiler;

struct sl_ip6gw_compiler *sl_ip6gw_compiler_new(void);
void sl_ip6gw_compiler_free(struct sl_ip6gw_compiler *g);
/** Rebuild the section from a validated store (VPC indexes from `c`, which
 * must have allocated them; rule next hops are acquired in `c`); *changed
 * tells whether it differs from the previous one. 0 or -ENOMEM (the
 * previous section and its references are kept). */
int sl_ip6gw_compile(struct sl_ip6gw_compiler *g, struct sl_compiler *c, const struct sl_store *s,
		     bool *changed);
/** The last section built, NULL when the store has no IPv6 gateway. */
const struct sl_ip6gw_sec *sl_ip6gw_compiled(const struct sl_ip6gw_compiler *g);
/** The IPv6 gateway section of the compiler's state (NULL if none). */
const struct sl_ip6gw_sec *sl_compiler_ip6gw(const struct sl_compiler *c);

/** Take / drop a reference on the global next hop with the bytes of `nh`
 * (created if new, marked dirty in both banks): for sections whose
 * entries point into the bank's next-hop array. */
int sl_compiler_nh_acquire(struct sl_compiler *c, const struct sl_nexthop *nh, uint32_t *idx);
void sl_compiler_nh_release(struct sl_compiler *c, uint32_t idx);
/** A next hop on VPC `v`'s side (index `vpc_index`): its trunk, VLAN, MTU. */
void sl_compile_inside_nexthop(struct sl_nexthop *nh, uint8_t type, uint8_t family,
			       const struct sl_vpc_obj *v, uint32_t vpc_index, const char *owner);

/** Next-hop and origin names for display. */
const char *sl_nh_type_name(uint8_t type);
const char *sl_route_origin_name(uint8_t origin);

#endif /* SL_COMPILE_H */
