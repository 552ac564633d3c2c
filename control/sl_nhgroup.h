/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ECMP next-hop groups (issue 8): filling a group's bucket table
 * (struct sl_nh_group, sl_shm.h) from members and weights.
 *
 * Design note
 * -----------
 * Each member gets a quota of the SL_NHG_SLOTS buckets in proportion to
 * its weight (largest remainder, at least one bucket each). A group is
 * built from the table the route had before (`prev`, a group or a single
 * next hop), so a change moves as few flows as it can:
 *   - a member leaving (BFD down, the kernel withdrew that path): only its
 *     buckets are refilled, among the others by their deficit; no bucket of
 *     a remaining member moves;
 *   - a member joining or a weight changing: members above their new quota
 *     give up their highest buckets, and only those buckets (and free ones)
 *     are refilled.
 * Without `prev` the buckets are dealt out in turn by deficit, which
 * interleaves members. Members are kept sorted by next-hop index so equal
 * groups compare equal byte for byte (the compiler interns next hops by
 * content). Pure: no allocation, no I/O.
 */
#ifndef SL_NHGROUP_H
#define SL_NHGROUP_H

#include <stdint.h>

#include "sl_shm.h"

/**
 * Fill `g` (zeroed first) for `n` members (2..SL_NHG_MAX; 1 is accepted
 * for tests and gives a one-member table) with weights >= 1. A member given
 * twice has its weights added. `prev` may be NULL. 0, or -EINVAL (n out of
 * range, a zero weight, member index 0).
 */
int sl_nhg_build(struct sl_nh_group *g, const uint32_t *member, const uint16_t *weight,
		 unsigned int n, const struct sl_nh_group *prev);

/** A one-member table for next hop `nh`: what a route with a single next
 * hop is, as the `prev` of its first group. */
void sl_nhg_single(struct sl_nh_group *g, uint32_t nh);

/** Buckets of each member position in `g` (count[SL_NHG_MAX]). */
void sl_nhg_count(const struct sl_nh_group *g, unsigned int *count);

#endif /* SL_NHGROUP_H */
