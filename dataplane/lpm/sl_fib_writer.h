/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sl_fib_writer: builds and updates sl_fib4 / sl_fib6 instances (sluiced).
 *
 * Design note
 * -----------
 * A writer owns one instance in caller-provided memory (the segment): the
 * header `hdr` and the tables at base + off (sl_fib*_bytes() long, 4-byte
 * aligned; 64 recommended). Private to the writer: the stack of free tbl8
 * groups (4 bytes a group).
 *
 * Full build: clear the first level, free every group, then paint the RIB
 * in address order: each route fills the parts of its range that no more
 * specific route covers, then its more-specifics fill theirs (recursing
 * through sl_rib*_walk_under()). Each fill writes whole first-level slots
 * directly and descends into a tbl8 group only for a slot it covers in
 * part, allocating the group (filled with the slot's old value) when the
 * slot had none. O(first level + routes x depth).
 *
 * Sync after a RIB change at P (set, replaced or deleted): the next hop
 * that should cover P is the longest RIB route of length <= len(P) over P
 * (P itself if present, else its covering route, else 0). Paint P's range
 * with it except the ranges of the routes directly under P, which the
 * change did not touch and keep their values. Within those gaps no more
 * specific route exists, so any group met in a fully covered slot is stale
 * (e.g. a deleted /25's) and is freed. After writing into a group, a group
 * whose 256 entries became equal next hops is collapsed into its parent
 * entry and freed, so deleting everything returns tbl8_used to 0.
 * Cost: O(gaps of P x depth + slots covered); a change to a /24 or longer
 * touches one slot (~2 us with the RIB change), a default-route change
 * repaints the gaps between the routes directly under /0 (444,690 in the
 * real IPv4 table, 69,056 in IPv6: 26 and 11 ms), never the whole table.
 *
 * Sync is idempotent and order-independent given the final RIB: replaying
 * every prefix changed by a batch on the other instance (in any order, each
 * once) makes it equal to the first: that is the left-right replay.
 *
 * -ENOSPC: when no tbl8 group is free, the sync stops where it was. The
 * instance stays a valid table (every entry is a next hop or points to a
 * live group; no group is leaked or shared; tbl8_used is exact), but the
 * part of P's range not yet painted keeps its old next hops, and the
 * instance header gets SL_FIB_F_INCOMPLETE. Do not publish it: build a
 * larger instance (sl_fib*_build() into more groups) or delete routes and
 * sync again; a successful sl_fib*_build() clears the flag.
 *
 * Restart: sl_fib*_writer_attach() adopts an instance that already holds a
 * table (a restarted sluiced): it checks the header against the memory
 * size the caller gives, scans the tables to rebuild the free-group stack
 * and refuses (-EINVAL, errno) an inconsistent instance (a group pointer
 * out of range or referenced twice, a wrong tbl8_used).
 *
 * Move: sl_fib*_writer_move() copies an instance to other memory (another
 * base, offset and header) and carries on writing there: entries hold
 * group numbers, not addresses. sluiced builds the first Internet FIBs in
 * private memory at start-up, alongside the VPC compile, and moves them
 * into the bank (control/compile_fib.c). Only the groups ever handed out
 * are copied (a high-water mark: a fresh build uses groups 0..n-1).
 *
 * Concurrency: a writer is used by one thread; it writes only an instance
 * no reader uses (see sl_fib.h). None of the calls blocks or allocates
 * besides the writer's own state at new/attach.
 */
#ifndef SL_FIB_WRITER_H
#define SL_FIB_WRITER_H

#include <stdint.h>

#include "sl_fib.h"
#include "sl_rib.h"

struct sl_fib4_writer;
struct sl_fib6_writer;

/** Bytes one IPv4 instance's tables need (tbl24 + n_tbl8 groups). */
uint64_t sl_fib4_bytes(uint32_t n_tbl8);

/**
 * A writer for a new, empty instance: fills *hdr (tables at base + off,
 * n_tbl8 groups) and clears the first level (every address: no route).
 * NULL with errno EINVAL (n_tbl8 > 2^31, off not 4-byte aligned) or ENOMEM.
 */
struct sl_fib4_writer *sl_fib4_writer_new(void *base, struct sl_fib4 *hdr, uint64_t off,
					  uint32_t n_tbl8);
/**
 * A writer for an instance that already holds a table (hdr filled by an
 * earlier writer). `size` bytes from base must hold the tables. NULL with
 * errno EINVAL when the instance is inconsistent, or ENOMEM.
 */
struct sl_fib4_writer *sl_fib4_writer_attach(void *base, struct sl_fib4 *hdr, uint64_t size);
/**
 * Copy the instance to base + off (sl_fib4_bytes() of its groups there),
 * fill *hdr for it and write there from now on; the old memory and header
 * are no longer used (the caller frees them). 0 or -EINVAL (off not 4-byte
 * aligned).
 */
int sl_fib4_writer_move(struct sl_fib4_writer *w, void *base, struct sl_fib4 *hdr, uint64_t off);
/**
 * A new writer for a copy of `src`'s instance at base + off (its groups,
 * contents and free groups; *hdr filled): sluiced's second bank starts
 * from the first one's tables instead of a build. `src` is only read. NULL
 * with errno EINVAL (off not 4-byte aligned) or ENOMEM.
 */
struct sl_fib4_writer *sl_fib4_writer_copy(const struct sl_fib4_writer *src, void *base,
					   struct sl_fib4 *hdr, uint64_t off);
/** The instance's tbl8 groups (n_tbl8). */
uint32_t sl_fib4_writer_groups(const struct sl_fib4_writer *w);
/** Rebuild the whole instance from the RIB. 0 or -ENOSPC (see above). */
int sl_fib4_build(struct sl_fib4_writer *w, const struct sl_rib4 *rib);
/** Make the instance agree with the RIB over prefix/len. 0, -EINVAL or -ENOSPC. */
int sl_fib4_sync(struct sl_fib4_writer *w, const struct sl_rib4 *rib, uint32_t prefix, uint8_t len);
/** Scan the instance: 0 when consistent (see attach), -EPROTO otherwise. */
int sl_fib4_writer_check(const struct sl_fib4_writer *w);
void sl_fib4_writer_free(struct sl_fib4_writer *w);

/** Bytes one IPv6 instance's tables need (first level + n_tbl8 groups). */
uint64_t sl_fib6_bytes(unsigned int l1_bits, uint32_t n_tbl8);
/** As sl_fib4_writer_new; l1_bits is 16 or 24 (SL_FIB6_L1_BITS_DEFAULT). */
struct sl_fib6_writer *sl_fib6_writer_new(void *base, struct sl_fib6 *hdr, uint64_t off,
					  uint32_t n_tbl8, unsigned int l1_bits);
struct sl_fib6_writer *sl_fib6_writer_attach(void *base, struct sl_fib6 *hdr, uint64_t size);
/** As sl_fib4_writer_move (sl_fib6_bytes() of its l1 bits and groups at base + off). */
int sl_fib6_writer_move(struct sl_fib6_writer *w, void *base, struct sl_fib6 *hdr, uint64_t off);
struct sl_fib6_writer *sl_fib6_writer_copy(const struct sl_fib6_writer *src, void *base,
					   struct sl_fib6 *hdr, uint64_t off);
uint32_t sl_fib6_writer_groups(const struct sl_fib6_writer *w);
int sl_fib6_build(struct sl_fib6_writer *w, const struct sl_rib6 *rib);
/** prefix: 16 bytes, network order, host bits clear. */
int sl_fib6_sync(struct sl_fib6_writer *w, const struct sl_rib6 *rib, const uint8_t prefix[16],
		 uint8_t len);
int sl_fib6_writer_check(const struct sl_fib6_writer *w);
void sl_fib6_writer_free(struct sl_fib6_writer *w);

#endif /* SL_FIB_WRITER_H */
