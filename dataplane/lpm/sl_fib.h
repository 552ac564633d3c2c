/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sl_fib: the Internet table's lookup structures in shared memory (issue 3).
 *
 * Design note
 * -----------
 * sluiced writes these tables into the shared-memory segment; sluice-dp
 * reads them without locks. This header is the reader's half: the fixed
 * layout headers and the inline lookups, with no writer dependency (the
 * writer is sl_fib_writer.h; the RIB it syncs from is sl_rib.h).
 *
 * Layout. Every location is an offset from a `base` pointer the caller
 * gives (the segment's start), never a pointer: the two processes map the
 * segment at different addresses. An entry is 4 bytes:
 *
 *     bit 31 = 0: bits 0-30 are the next-hop index (0 = no route, sluice's
 *                 UNREACHABLE next hop)
 *     bit 31 = 1: bits 0-30 index a tbl8 group (256 entries) that
 *                 resolves the next 8 bits of the address
 *
 *   IPv4 (struct sl_fib4): DIR-24-8. tbl24 has 2^24 entries indexed by the
 *   top 24 bits (64 MiB); an extended entry points to a group indexed by
 *   the low 8 bits. One or two reads per lookup.
 *
 *   IPv6 (struct sl_fib6): a multibit trie with a first level of l1_bits
 *   (16 or 24) and 8-bit strides below (rte_fib6 TRIE style): the first
 *   level is indexed by the top l1_bits of the address, each extended entry
 *   by the next address byte, down to /128 (at most 14 or 15 reads; the
 *   real table resolves in 1-5). The default, SL_FIB6_L1_BITS_DEFAULT = 16,
 *   was chosen by measuring both on the real table (tests/perf/bench_lookup,
 *   docs/lpm.md): 37.5 MiB per instance against 101.2 MiB (the 24-bit level
 *   alone is 64 MiB, 128 MiB for the segment's two banks, and clearing it
 *   costs time on every build), for one more read on most lookups: ~15 %
 *   more cycles for traffic to the table's prefixes (49.8 against 42.1,
 *   rte_fib6's 24-bit TRIE 46.2), fewer for addresses the table does not
 *   cover (the small first level stays in cache). l1_bits is in the header
 *   and the reader uses it, so an instance may use 24 bits without an ABI
 *   change.
 *
 * Concurrency (left-right). The writer never writes an instance a reader
 * uses: sluiced keeps two instances (one per segment bank), applies a batch
 * of RIB changes to the inactive one with sl_fib*_sync(), flips the bank,
 * waits until every sluice-dp lcore acknowledged the flip, then replays the
 * same changed prefixes on the other instance from the same RIB. So readers
 * see an instance only when it is complete and quiescent; writes need no
 * atomics and reads no barriers beyond the bank flip's. A reader lookup is
 * pure: it reads the header and the tables and never writes.
 *
 * Hot path: a shift, a load, a test of bit 31 and (when set) one more load
 * per level; no division, no other branch. The bulk variants prefetch the
 * first-level entries of the addresses eight ahead.
 */
#ifndef SL_FIB_H
#define SL_FIB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SL_FIB_EXT 0x80000000u	  /**< entry bit: the rest indexes a tbl8 group */
#define SL_FIB_NH_MAX 0x7fffffffu /**< largest next-hop index; also the index mask */
#define SL_FIB_GROUP 256u	  /**< entries in a tbl8 group */
#define SL_FIB_TBL24 (1u << 24)	  /**< entries in the IPv4 first level */

#define SL_FIB_F_BUILT 1u      /**< a table was built or attached */
#define SL_FIB_F_INCOMPLETE 2u /**< a sync failed (-ENOSPC): some of its range is stale */

#define SL_FIB6_L1_BITS_DEFAULT 16

/** An IPv4 DIR-24-8 instance: this header + tables at base + offsets. */
struct sl_fib4 {
	uint64_t tbl24_off; /**< 2^24 uint32_t entries */
	uint64_t tbl8_off;  /**< n_tbl8 groups of 256 uint32_t entries */
	uint32_t n_tbl8;    /**< groups available */
	uint32_t tbl8_used; /**< groups in use (kept by the writer) */
	uint32_t flags;	    /**< SL_FIB_F_* */
	uint32_t pad;
};

/** An IPv6 multibit-trie instance. */
struct sl_fib6 {
	uint64_t tbl1_off;  /**< 2^l1_bits uint32_t entries */
	uint64_t tbl8_off;  /**< n_tbl8 groups of 256 uint32_t entries */
	uint32_t n_tbl8;    /**< groups available */
	uint32_t tbl8_used; /**< groups in use */
	uint32_t flags;	    /**< SL_FIB_F_* */
	uint8_t l1_bits;    /**< first-level width: 16 or 24 */
	uint8_t pad[3];
};

_Static_assert(sizeof(struct sl_fib4) == 32, "sl_fib4 is part of the segment ABI");
_Static_assert(offsetof(struct sl_fib4, n_tbl8) == 16, "sl_fib4 layout");
_Static_assert(offsetof(struct sl_fib4, flags) == 24, "sl_fib4 layout");
_Static_assert(sizeof(struct sl_fib6) == 32, "sl_fib6 is part of the segment ABI");
_Static_assert(offsetof(struct sl_fib6, n_tbl8) == 16, "sl_fib6 layout");
_Static_assert(offsetof(struct sl_fib6, l1_bits) == 28, "sl_fib6 layout");

#define SL_FIB_TBL(base, off) ((const uint32_t *)((const uint8_t *)(base) + (off)))

/** entry `i` of tbl8 group `e` (an extended entry) */
static inline uint32_t sl_fib_tbl8(const uint32_t *tbl8, uint32_t e, uint32_t i)
{
	return tbl8[((size_t)(e & SL_FIB_NH_MAX) << 8) | i];
}

/** IPv4 next hop for addr (host order); 0 = no route. */
static inline uint32_t sl_fib4_lookup(const void *base, const struct sl_fib4 *f, uint32_t addr)
{
	uint32_t e = SL_FIB_TBL(base, f->tbl24_off)[addr >> 8];

	if (e & SL_FIB_EXT)
		e = sl_fib_tbl8(SL_FIB_TBL(base, f->tbl8_off), e, addr & 0xff);
	return e;
}

/** Four IPv4 lookups: the four first-level loads are issued together. */
static inline void sl_fib4_lookupx4(const void *base, const struct sl_fib4 *f,
				    const uint32_t addr[4], uint32_t nh[4])
{
	const uint32_t *t24 = SL_FIB_TBL(base, f->tbl24_off);
	const uint32_t *t8 = SL_FIB_TBL(base, f->tbl8_off);
	uint32_t e[4] = {t24[addr[0] >> 8], t24[addr[1] >> 8], t24[addr[2] >> 8],
			 t24[addr[3] >> 8]};

	for (int i = 0; i < 4; i++)
		nh[i] = (e[i] & SL_FIB_EXT) ? sl_fib_tbl8(t8, e[i], addr[i] & 0xff) : e[i];
}

#define SL_FIB_PREFETCH 8 /* addresses ahead whose first-level entry is prefetched */

/** n IPv4 lookups (any n), prefetching eight addresses ahead. */
static inline void sl_fib4_lookup_bulk(const void *base, const struct sl_fib4 *f,
				       const uint32_t *addr, uint32_t *nh, unsigned int n)
{
	const uint32_t *t24 = SL_FIB_TBL(base, f->tbl24_off);
	const uint32_t *t8 = SL_FIB_TBL(base, f->tbl8_off);
	unsigned int i;

	for (i = 0; i < n && i < SL_FIB_PREFETCH; i++)
		__builtin_prefetch(&t24[addr[i] >> 8]);
	for (i = 0; i < n; i++) {
		uint32_t e;

		if (i + SL_FIB_PREFETCH < n)
			__builtin_prefetch(&t24[addr[i + SL_FIB_PREFETCH] >> 8]);
		e = t24[addr[i] >> 8];
		nh[i] = (e & SL_FIB_EXT) ? sl_fib_tbl8(t8, e, addr[i] & 0xff) : e;
	}
}

/** first-level index of an IPv6 address (network order) */
static inline uint32_t sl_fib6_l1(const struct sl_fib6 *f, const uint8_t addr[16])
{
	uint32_t w;

	memcpy(&w, addr, 4);
	return __builtin_bswap32(w) >> (32 - f->l1_bits);
}

/** IPv6 next hop for addr (16 bytes, network order); 0 = no route. */
static inline uint32_t sl_fib6_lookup(const void *base, const struct sl_fib6 *f,
				      const uint8_t addr[16])
{
	const uint32_t *t8 = SL_FIB_TBL(base, f->tbl8_off);
	uint32_t e = SL_FIB_TBL(base, f->tbl1_off)[sl_fib6_l1(f, addr)];
	unsigned int i = f->l1_bits >> 3;

	while (e & SL_FIB_EXT)
		e = sl_fib_tbl8(t8, e, addr[i++]);
	return e;
}

/** n IPv6 lookups (any n), prefetching eight addresses ahead. */
static inline void sl_fib6_lookup_bulk(const void *base, const struct sl_fib6 *f,
				       const uint8_t (*addr)[16], uint32_t *nh, unsigned int n)
{
	const uint32_t *t1 = SL_FIB_TBL(base, f->tbl1_off);
	const uint32_t *t8 = SL_FIB_TBL(base, f->tbl8_off);
	unsigned int i, first = f->l1_bits >> 3;

	for (i = 0; i < n && i < SL_FIB_PREFETCH; i++)
		__builtin_prefetch(&t1[sl_fib6_l1(f, addr[i])]);
	for (i = 0; i < n; i++) {
		uint32_t e;
		unsigned int j = first;

		if (i + SL_FIB_PREFETCH < n)
			__builtin_prefetch(&t1[sl_fib6_l1(f, addr[i + SL_FIB_PREFETCH])]);
		e = t1[sl_fib6_l1(f, addr[i])];
		while (e & SL_FIB_EXT)
			e = sl_fib_tbl8(t8, e, addr[i][j++]);
		nh[i] = e;
	}
}

#endif /* SL_FIB_H */
