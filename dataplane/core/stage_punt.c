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
 *
 * The last quarter of the ring is kept for ARP and ND. Without it, a flood
 * towards a next hop not yet resolved (every packet punted UNRESOLVED) fills
 * the ring, the ARP reply that would resolve it is dropped with the flood,
 * and the next hop never resolves while the flood lasts (seen with
 * scripts/bench-e2e: 0 packets forwarded, `neigh_queue_full` and
 * `punt_ring_full` in the hundreds of thousands, the neighbour incomplete).
 * Packets waiting for a neighbour and packets for the host kernel stop at
 * three quarters (the free count is read once per call: racing workers may
 * overshoot by a burst each, which the reserve absorbs).
 */
#include <rte_ring.h>

#include "sl_dp.h"

static inline bool sl_punt_is_ctrl(struct rte_mbuf *m)
{
	uint8_t why = sl_meta(m)->punt;

	return why == SL_PUNT_ARP || why == SL_PUNT_ND;
}

void sl_stage_punt(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_ring *r = w->dp->punt_ring;
	unsigned int reserve = rte_ring_get_capacity(r) / 4;
	unsigned int free_slots = rte_ring_free_count(r);
	unsigned int room = free_slots > reserve ? free_slots - reserve : 0;
	struct rte_mbuf *q[SL_BURST];

	for (uint16_t done = 0; done < n;) {
		uint16_t chunk = RTE_MIN((uint16_t)(n - done), (uint16_t)SL_BURST);
		unsigned int k = 0, e;

		for (uint16_t i = done; i < done + chunk; i++) {
			if (sl_punt_is_ctrl(pkts[i])) {
				q[k++] = pkts[i];
			} else if (room > 0) {
				room--;
				q[k++] = pkts[i];
			} else {
				sl_drop(w, pkts[i], SL_DROP_PUNT_RING_FULL);
			}
		}
		e = rte_ring_mp_enqueue_burst(r, (void *const *)q, k, NULL);
		sl_count(w, SL_CNT_PUNTED, e);
		for (unsigned int i = e; i < k; i++)
			sl_drop(w, q[i], SL_DROP_PUNT_RING_FULL);
		done += chunk;
	}
}
