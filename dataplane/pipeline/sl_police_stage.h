/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The metering half of the police stages (police4, police6; issue 7,
 * docs/policer.md), shared so both meter the same way.
 *
 * Design note
 * -----------
 * A police stage first resolves each packet's own policer index (police4
 * from the IP's ip[] entry, police6 from the address's ip6[] entry) and
 * its direction; from there the work is the same: read the policer's
 * parent (a bandwidth package's aggregate) from pol[], demote indexes
 * beyond sluice-dp's table (POLICE_UNENFORCED: the level still enforced is
 * metered alone), prefetch the buckets, then meter every packet with the
 * clock read once per loop iteration (w->now_tsc). RED is dropped
 * POLICED_OUT / POLICED_IN by direction; the rest goes to next[direction].
 * Each pass prefetches what the next one reads.
 *
 * The bytes metered are those of the frame on the Internet side without
 * FCS: the IP packet plus a 14-byte Ethernet header, whatever VLAN tag the
 * packet had inside, so both directions of an address count the same.
 *
 * Concurrency: the buckets are sluice-dp's (dp->pol), shared by every
 * worker and updated by CAS (sl_policer.h); the section is read-only.
 */
#ifndef SL_POLICE_STAGE_H
#define SL_POLICE_STAGE_H

#include <rte_ether.h>
#include <rte_prefetch.h>

#include "sl_dp.h"
#include "sl_policer.h"

/* own[i]: packet i's own policer (SL_POL_IDX_NONE: not policed, passes);
 * dir[i]: its direction (SL_POL_DIR_*). sec and w->dp->pol not NULL. */
static inline void sl_police_meter_burst(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n,
					 const struct sl_pol_sec *sec, uint32_t *own,
					 const uint8_t *dir, const enum sl_stage *next)
{
	const struct sl_pol_ent *pol = SL_POL_SEC_PTR(sec, sec->pol_off, struct sl_pol_ent);
	struct sl_pol_table *t = w->dp->pol;
	const uint32_t max = w->dp->pol_max;
	uint32_t agg[SL_VEC_MAX];

	for (uint16_t i = 0; i < n; i++)
		if (own[i] != SL_POL_IDX_NONE)
			rte_prefetch0(&pol[own[i]].parent);
	for (uint16_t i = 0; i < n; i++) {
		agg[i] = own[i] != SL_POL_IDX_NONE ? pol[own[i]].parent : SL_POL_IDX_NONE;
		if (unlikely(own[i] >= max && own[i] != SL_POL_IDX_NONE) ||
		    unlikely(agg[i] >= max && agg[i] != SL_POL_IDX_NONE)) {
			sl_count(w, SL_CNT_POLICE_UNENFORCED, 1);
			own[i] = own[i] < max ? own[i] : agg[i] < max ? agg[i] : SL_POL_IDX_NONE;
			agg[i] = SL_POL_IDX_NONE; /* the level that is enforced, alone */
		}
		if (own[i] != SL_POL_IDX_NONE)
			sl_pol_prefetch(t, w->slot, own[i]);
		if (agg[i] != SL_POL_IDX_NONE)
			sl_pol_prefetch(t, w->slot, agg[i]);
	}
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct sl_meta *md = sl_meta(m);
		uint32_t len = rte_pktmbuf_pkt_len(m) - md->l3_off + RTE_ETHER_HDR_LEN;

		if (own[i] != SL_POL_IDX_NONE &&
		    sl_pol_meter2(t, w->slot, own[i], agg[i], len, w->now_tsc) == SL_POL_RED)
			sl_drop(w, m,
				dir[i] == SL_POL_DIR_IN ? SL_DROP_POLICED_IN : SL_DROP_POLICED_OUT);
		else
			sl_next(w, m, next[dir[i]]);
	}
}

#endif /* SL_POLICE_STAGE_H */
