/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage PUNT: hand packets to the main lcore.
 *
 * Design note
 * -----------
 * ARP, ND and packets waiting for a neighbour need the single writer of the
 * neighbour table, the main lcore. Workers enqueue them (md->punt says why)
 * on one multi-producer / single-consumer ring. The ring is bounded
 * (SL_PUNT_RING_SIZE): when the main lcore cannot keep up the excess is
 * dropped PUNT_RING_FULL instead of slowing the workers down.
 */
#include <rte_ring.h>

#include "sl_dp.h"

void sl_stage_punt(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	unsigned int k;

	k = rte_ring_mp_enqueue_burst(w->dp->punt_ring, (void *const *)pkts, n, NULL);
	sl_count(w, SL_CNT_PUNTED, k);
	for (unsigned int i = k; i < n; i++)
		sl_drop(w, pkts[i], SL_DROP_PUNT_RING_FULL);
}
