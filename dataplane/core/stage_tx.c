/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage TX: per-port transmit buffers of a worker.
 *
 * Design note
 * -----------
 * Packets arrive here with their final L2 header and md->out_port (set by
 * NEIGH, or by the main lcore for injected frames). Each worker buffers up
 * to SL_BURST packets per port in w->tx and sends a buffer when it is full
 * and, for all ports, at the end of every loop iteration (sl_tx_flush), on
 * its own queue (w->queue_id) so no two lcores ever share a tx queue. What
 * the port does not take in one rte_eth_tx_burst() is dropped TX_FULL:
 * retrying would stall the receive side, and a full tx ring means the link
 * is saturated anyway. The worker's queue counters of the port (issue 11,
 * sl_shm.h queue[][]) get the packets and bytes sent and the refused ones.
 */
#include <rte_ethdev.h>

#include "sl_dp.h"

static void sl_tx_flush_port(struct sl_worker *w, uint16_t port)
{
	struct sl_txbuf *tb = &w->tx[port];
	struct sl_queue_stats *q = sl_qstats(w, port);
	uint64_t bytes = 0;
	uint16_t sent;

	/* queue counters (issue 11): the lengths are read before the port owns
	 * the packets; what it refuses is subtracted again below */
	for (uint16_t i = 0; q && i < tb->n; i++)
		bytes += tb->m[i]->pkt_len;
	sent = rte_eth_tx_burst(port, w->queue_id, tb->m, tb->n);
	sl_count(w, SL_CNT_TX_PKTS, sent);
	for (uint16_t i = sent; i < tb->n; i++) {
		if (q)
			bytes -= tb->m[i]->pkt_len;
		sl_drop(w, tb->m[i], SL_DROP_TX_FULL);
	}
	if (q) {
		q->tx_pkts += sent;
		q->tx_bytes += bytes;
		q->tx_full += (uint64_t)(tb->n - sent);
	}
	tb->n = 0;
}

void sl_stage_tx(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint16_t port = sl_meta(m)->out_port;
		struct sl_txbuf *tb;

		if (unlikely(port >= RTE_MAX_ETHPORTS || !sl_ports[port].enabled)) {
			sl_drop(w, m, SL_DROP_NO_PORT);
			continue;
		}
		tb = &w->tx[port];
		if (unlikely(sl_meta(m)->trace))
			sl_trace_event(w, m, SL_TRACE_TX, port);
		tb->m[tb->n++] = m;
		if (tb->n == SL_BURST)
			sl_tx_flush_port(w, port);
	}
}

void sl_tx_flush(struct sl_worker *w)
{
	for (uint16_t port = 0; port < RTE_MAX_ETHPORTS; port++)
		if (w->tx[port].n)
			sl_tx_flush_port(w, port);
}
