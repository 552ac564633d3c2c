/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sl_rib: the writer's routing information base for the Internet table.
 *
 * Design note
 * -----------
 * The RIB is the truth a FIB instance (sl_fib.h) is built and synced from.
 * It lives in sluiced's private memory only; sluice-dp never sees it.
 *
 * Structure: a path-compressed binary trie (PATRICIA-style, as in BIRD's
 * and DPDK's rte_rib): every node is either a route or a branching "glue"
 * node with two children, so n routes take at most 2n - 1 nodes (~48 bytes
 * each: 900k IPv4 routes ~ 80 MiB, less in practice). One generic trie over
 * 128-bit keys serves both families (IPv4 keys are the 32 low bits);
 * sl_rib4 / sl_rib6 are typed wrappers.
 *
 * Operations (L = address bits, 32 or 128):
 *   set / delete / get          O(L)     set adds or replaces the next hop
 *   lookup (longest prefix)     O(L)
 *   walk                        O(n)     ordered by (address, length)
 *   walk_under(P)               O(size of P's subtree down to the routes
 *                               directly under P): the routes strictly
 *                               more specific than P with no route between
 *                               them and P, in address order; what a FIB
 *                               sync needs to paint P's range around them
 *
 * Next hops are 31-bit values; 0 is a valid next hop for a route (sluice's
 * UNREACHABLE index: the prefix answers "no route" and shadows the covering
 * route) but a lookup that finds no route also returns 0.
 *
 * Bad input (length past the family's width, host bits set, next hop >=
 * 2^31) is refused with -EINVAL and changes nothing.
 *
 * Concurrency: none inside. One thread (sluiced's event loop) owns a RIB;
 * walk callbacks must not modify the RIB they walk.
 */
#ifndef SL_RIB_H
#define SL_RIB_H

#include <stddef.h>
#include <stdint.h>

#define SL_RIB_NH_MAX 0x7fffffffu

struct sl_rib4;
struct sl_rib6;

/** Walk callbacks: return non-zero to stop the walk (the walk returns it). */
typedef int (*sl_rib4_walk_cb)(uint32_t addr, uint8_t len, uint32_t nh, void *arg);
typedef int (*sl_rib6_walk_cb)(const uint8_t addr[16], uint8_t len, uint32_t nh, void *arg);

struct sl_rib4 *sl_rib4_new(void);
void sl_rib4_free(struct sl_rib4 *r);
/** 0: added, 1: replaced; -EINVAL (bad prefix or nh), -ENOMEM. */
int sl_rib4_set(struct sl_rib4 *r, uint32_t addr, uint8_t len, uint32_t nh);
/** 0 or -ENOENT (or -EINVAL for a bad prefix). */
int sl_rib4_delete(struct sl_rib4 *r, uint32_t addr, uint8_t len);
/** Exact match: 0 and *nh, or -ENOENT. */
int sl_rib4_get(const struct sl_rib4 *r, uint32_t addr, uint8_t len, uint32_t *nh);
/** Longest-prefix match: the next hop, 0 when no route covers addr. */
uint32_t sl_rib4_lookup(const struct sl_rib4 *r, uint32_t addr);
/**
 * Longest route of length <= max_len covering addr: 0 and its prefix/next
 * hop (any out pointer may be NULL), -ENOENT when there is none.
 */
int sl_rib4_cover(const struct sl_rib4 *r, uint32_t addr, uint8_t max_len, uint32_t *paddr,
		  uint8_t *plen, uint32_t *nh);
size_t sl_rib4_count(const struct sl_rib4 *r);
/** Trie nodes (routes + glue) and their bytes, for memory figures. */
size_t sl_rib4_bytes(const struct sl_rib4 *r);
int sl_rib4_walk(const struct sl_rib4 *r, sl_rib4_walk_cb cb, void *arg);
int sl_rib4_walk_under(const struct sl_rib4 *r, uint32_t addr, uint8_t len, sl_rib4_walk_cb cb,
		       void *arg);

struct sl_rib6 *sl_rib6_new(void);
void sl_rib6_free(struct sl_rib6 *r);
int sl_rib6_set(struct sl_rib6 *r, const uint8_t addr[16], uint8_t len, uint32_t nh);
int sl_rib6_delete(struct sl_rib6 *r, const uint8_t addr[16], uint8_t len);
int sl_rib6_get(const struct sl_rib6 *r, const uint8_t addr[16], uint8_t len, uint32_t *nh);
uint32_t sl_rib6_lookup(const struct sl_rib6 *r, const uint8_t addr[16]);
int sl_rib6_cover(const struct sl_rib6 *r, const uint8_t addr[16], uint8_t max_len,
		  uint8_t paddr[16], uint8_t *plen, uint32_t *nh);
size_t sl_rib6_count(const struct sl_rib6 *r);
size_t sl_rib6_bytes(const struct sl_rib6 *r);
int sl_rib6_walk(const struct sl_rib6 *r, sl_rib6_walk_cb cb, void *arg);
int sl_rib6_walk_under(const struct sl_rib6 *r, const uint8_t addr[16], uint8_t len,
		       sl_rib6_walk_cb cb, void *arg);

#endif /* SL_RIB_H */
