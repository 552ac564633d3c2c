/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route lookups of a whole stage vector at once (issue 9, first
 * optimisation pass): what route4 and route6 call instead of one
 * sl_rt4_lookup() / sl_rt6_lookup() per packet.
 *
 * Design note
 * -----------
 * Every lookup on the routing path is a chain of dependent loads that miss
 * the cache on a gateway with thousands of VPCs and the full Internet
 * table: a VPC table is a binary search over ~150 intervals (8 steps, each
 * reading a line the previous step chose), the Internet table one or two
 * reads in a 64 MiB DIR-24-8 (IPv4) or 1-5 in a 40 MiB trie (IPv6), all on
 * 4 KiB pages. Looked up one packet at a time the worker waits for every
 * miss in turn (perf showed route4 at ~65 % of the pipeline's samples, all
 * of it on those loads).
 *
 * Here the searches of all packets of the vector advance in lockstep
 * ("group prefetching"): round 0 reads each packet's table header and
 * prefetches the first line its search needs; every later round does one
 * step of every unfinished search and prefetches the line that search
 * reads next. By the time a round comes back to a packet its line has
 * (usually) arrived, and the misses of the whole vector overlap instead of
 * adding up. Finished searches leave the active list, so a round costs only
 * the searches still running. This is rte_lpm_lookupx4 / VPP ip4_lookup's
 * idea carried over to mixed tables (each packet may use another VPC's
 * intervals or the Internet FIB).
 *
 * The results are exactly those of sl_rt4_lookup() / sl_rt6_lookup() (same
 * steps in the same order, only interleaved): rt_lookup_test compares them
 * on random interval tables and FIB instances. Like those, the functions
 * only read the bank (valid for this loop iteration) and never write it.
 *
 * n <= SL_VEC_MAX; rt[i] must not be NULL (the stages drop packets of an
 * unknown VPC before the lookup).
 */
#ifndef SL_RT_BURST_H
#define SL_RT_BURST_H

#include <rte_prefetch.h>

#include "sl_pipeline.h"

/** nh[i] = sl_rt4_lookup(b, rt[i], addr[i]) for i < n (addr host order). */
static inline void sl_rt4_lookup_burst(const struct sl_bank_header *b,
				       const struct sl_route_table *const *rt, const uint32_t *addr,
				       uint32_t *nh, uint16_t n)
{
	const uint32_t *t24 = SL_FIB_TBL(b, b->fib4.tbl24_off);
	const uint32_t *t8 = SL_FIB_TBL(b, b->fib4.tbl8_off);
	/* Per packet: an interval search is (e, lo, cnt >= 2); a FIB lookup
	 * has cnt == 0 and fp = the entry it reads next. */
	const struct sl_rt4_entry *e[SL_VEC_MAX];
	const uint32_t *fp[SL_VEC_MAX];
	uint32_t lo[SL_VEC_MAX], cnt[SL_VEC_MAX];
	uint16_t act[SL_VEC_MAX], na = 0;

	for (uint16_t i = 0; i < n; i++) {
		const struct sl_route_table *r = rt[i];

		if (r->flags & SL_RT_F_FIB) {
			fp[i] = &t24[addr[i] >> 8];
			cnt[i] = 0;
			rte_prefetch0(fp[i]);
			act[na++] = i;
		} else if (r->v4_n <= 1) {
			nh[i] = r->v4_n ? SL_BANK_PTR(b, r->v4_off, const struct sl_rt4_entry)[0].nh
					: SL_NH_NONE;
		} else {
			e[i] = SL_BANK_PTR(b, r->v4_off, const struct sl_rt4_entry);
			lo[i] = 0;
			cnt[i] = r->v4_n;
			rte_prefetch0(&e[i][cnt[i] / 2]);
			act[na++] = i;
		}
	}
	while (na > 0) {
		uint16_t left = 0;

		for (uint16_t j = 0; j < na; j++) {
			uint16_t i = act[j];

			if (cnt[i] == 0) { /* FIB: tbl24 entry, then at most one tbl8 entry */
				uint32_t v = *fp[i];

				if (v & SL_FIB_EXT) {
					fp[i] = &t8[((size_t)(v & SL_FIB_NH_MAX) << 8) |
						    (addr[i] & 0xff)];
					rte_prefetch0(fp[i]);
					act[left++] = i;
				} else {
					nh[i] = v;
				}
				continue;
			}
			/* one step of sl_rt4_lookup's search */
			uint32_t half = cnt[i] / 2;

			lo[i] = e[i][lo[i] + half].start <= addr[i] ? lo[i] + half : lo[i];
			cnt[i] -= half;
			if (cnt[i] > 1) {
				rte_prefetch0(&e[i][lo[i] + cnt[i] / 2]);
				act[left++] = i;
			} else {
				nh[i] = e[i][lo[i]].nh;
			}
		}
		na = left;
	}
}

/**
 * nh[i] = sl_rt6_lookup(b, rt[i], ...) of the 16-byte network-order
 * address dst[i], for i < n.
 */
static inline void sl_rt6_lookup_burst(const struct sl_bank_header *b,
				       const struct sl_route_table *const *rt,
				       const uint8_t *const *dst, uint32_t *nh, uint16_t n)
{
	const struct sl_fib6 *f = &b->fib6;
	const uint32_t *t1 = SL_FIB_TBL(b, f->tbl1_off);
	const uint32_t *t8 = SL_FIB_TBL(b, f->tbl8_off);
	/* Per packet: an interval search is (e, hi/lo address, lo, cnt >= 2);
	 * a trie walk has cnt == 0, fp = the entry it reads next and lo = the
	 * address byte that indexes the group after it. */
	const struct sl_rt6_entry *e[SL_VEC_MAX];
	const uint32_t *fp[SL_VEC_MAX];
	uint64_t ahi[SL_VEC_MAX], alo[SL_VEC_MAX];
	uint32_t lo[SL_VEC_MAX], cnt[SL_VEC_MAX];
	uint16_t act[SL_VEC_MAX], na = 0;

	for (uint16_t i = 0; i < n; i++) {
		const struct sl_route_table *r = rt[i];

		if (r->flags & SL_RT_F_FIB) {
			fp[i] = &t1[sl_fib6_l1(f, dst[i])];
			lo[i] = f->l1_bits >> 3;
			cnt[i] = 0;
			rte_prefetch0(fp[i]);
			act[na++] = i;
		} else if (r->v6_n <= 1) {
			nh[i] = r->v6_n ? SL_BANK_PTR(b, r->v6_off, const struct sl_rt6_entry)[0].nh
					: SL_NH_NONE;
		} else {
			uint64_t h, l;

			memcpy(&h, dst[i], 8);
			memcpy(&l, dst[i] + 8, 8);
			ahi[i] = rte_be_to_cpu_64(h);
			alo[i] = rte_be_to_cpu_64(l);
			e[i] = SL_BANK_PTR(b, r->v6_off, const struct sl_rt6_entry);
			lo[i] = 0;
			cnt[i] = r->v6_n;
			rte_prefetch0(&e[i][cnt[i] / 2]);
			act[na++] = i;
		}
	}
	while (na > 0) {
		uint16_t left = 0;

		for (uint16_t j = 0; j < na; j++) {
			uint16_t i = act[j];

			if (cnt[i] == 0) { /* trie: one level per round */
				uint32_t v = *fp[i];

				if (v & SL_FIB_EXT) {
					fp[i] = &t8[((size_t)(v & SL_FIB_NH_MAX) << 8) |
						    dst[i][lo[i]++]];
					rte_prefetch0(fp[i]);
					act[left++] = i;
				} else {
					nh[i] = v;
				}
				continue;
			}
			/* one step of sl_rt6_search */
			uint32_t half = cnt[i] / 2;
			const struct sl_rt6_entry *p = &e[i][lo[i] + half];

			lo[i] = sl_u128_le(p->start_hi, p->start_lo, ahi[i], alo[i]) ? lo[i] + half
										  : lo[i];
			cnt[i] -= half;
			if (cnt[i] > 1) {
				rte_prefetch0(&e[i][lo[i] + cnt[i] / 2]);
				act[left++] = i;
			} else {
				nh[i] = e[i][lo[i]].nh;
			}
		}
		na = left;
	}
}

#endif /* SL_RT_BURST_H */
