/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stage dispatcher.
 *
 * Design note
 * -----------
 * Each worker owns one input vector per stage (struct sl_worker.vec).
 * sl_pipeline_run() puts a burst into the first stage's vector and then
 * sweeps the stages in enum order, calling every stage whose vector is not
 * empty, and starts a new sweep as long as one stage ran. The enum order is
 * the normal packet order, so a burst usually crosses the pipeline in one
 * sweep with each stage seeing all its packets at once (the point of vector
 * processing: one i-cache warm-up and table prefetch per stage and batch);
 * packets sent "backwards" (an ICMP error going back to ROUTE4, a stage
 * re-queueing to itself) are picked up by the next sweep.
 *
 * A vector is copied out and emptied before its stage runs, so the stage
 * may append to any vector, its own included. A stage list that keeps
 * feeding itself (a bug, or a forwarding loop built from back edges) is cut
 * after SL_PIPELINE_MAX_PASSES sweeps: what is left is dropped and counted
 * PIPELINE_LOOP, so a worker can never spin on one burst.
 *
 * sl_stage_fns[] is a plain table so unit tests can exercise the
 * dispatcher with probe stages; nothing changes it at run time.
 */
#include <string.h>

#include "sl_dp.h"

static_assert(SL_STAGE_MAX <= SL_STATS_STAGES, "the stats area counts every stage");

sl_stage_fn sl_stage_fns[SL_STAGE_MAX] = {
    [SL_STAGE_ETH_INPUT] = sl_stage_eth_input,
    [SL_STAGE_IP4_INPUT] = sl_stage_ip4_input,
    [SL_STAGE_IP6_INPUT] = sl_stage_ip6_input,
    [SL_STAGE_EIP4] = sl_stage_eip4,
    [SL_STAGE_POLICE4] = sl_stage_police4,
    [SL_STAGE_SNAT4] = sl_stage_snat4,
    [SL_STAGE_NAT4_IN] = sl_stage_nat4_in,
    [SL_STAGE_ROUTE4] = sl_stage_route4,
    [SL_STAGE_ROUTE6] = sl_stage_route6,
    [SL_STAGE_IP6GW_IN] = sl_stage_ip6gw_in,
    [SL_STAGE_IP6GW_OUT] = sl_stage_ip6gw_out,
    [SL_STAGE_POLICE6] = sl_stage_police6,
    [SL_STAGE_LOCAL4] = sl_stage_local4,
    [SL_STAGE_LOCAL6] = sl_stage_local6,
    [SL_STAGE_FORWARD4] = sl_stage_forward4,
    [SL_STAGE_FORWARD6] = sl_stage_forward6,
    [SL_STAGE_ICMP4_ERROR] = sl_stage_icmp4_error,
    [SL_STAGE_ICMP6_ERROR] = sl_stage_icmp6_error,
    [SL_STAGE_NEIGH] = sl_stage_neigh,
    [SL_STAGE_TX] = sl_stage_tx,
    [SL_STAGE_PUNT] = sl_stage_punt,
};

const char *const sl_stage_names[SL_STAGE_MAX] = {
    [SL_STAGE_ETH_INPUT] = "eth_input",
    [SL_STAGE_IP4_INPUT] = "ip4_input",
    [SL_STAGE_IP6_INPUT] = "ip6_input",
    [SL_STAGE_EIP4] = "eip4",
    [SL_STAGE_POLICE4] = "police4",
    [SL_STAGE_SNAT4] = "snat4",
    [SL_STAGE_NAT4_IN] = "nat4_in",
    [SL_STAGE_ROUTE4] = "route4",
    [SL_STAGE_ROUTE6] = "route6",
    [SL_STAGE_IP6GW_IN] = "ip6gw_in",
    [SL_STAGE_IP6GW_OUT] = "ip6gw_out",
    [SL_STAGE_POLICE6] = "police6",
    [SL_STAGE_LOCAL4] = "local4",
    [SL_STAGE_LOCAL6] = "local6",
    [SL_STAGE_FORWARD4] = "forward4",
    [SL_STAGE_FORWARD6] = "forward6",
    [SL_STAGE_ICMP4_ERROR] = "icmp4_error",
    [SL_STAGE_ICMP6_ERROR] = "icmp6_error",
    [SL_STAGE_NEIGH] = "neigh",
    [SL_STAGE_TX] = "tx",
    [SL_STAGE_PUNT] = "punt",
};

void sl_pipeline_run(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n, enum sl_stage first)
{
	struct rte_mbuf *batch[SL_VEC_MAX];
	unsigned int pass;
	bool ran;

	if (unlikely(first >= SL_STAGE_MAX)) {
		for (uint16_t i = 0; i < n; i++)
			sl_drop_raw(w, pkts[i], SL_DROP_PIPELINE_LOOP);
		return;
	}
	w->cur_stage = SL_STAGE_MAX;
	for (uint16_t i = 0; i < n; i++) {
		if (first == SL_STAGE_ETH_INPUT)
			sl_next_rx(w, pkts[i]);
		else
			sl_next(w, pkts[i], first);
	}

	for (pass = 0; pass < SL_PIPELINE_MAX_PASSES; pass++) {
		ran = false;
		for (unsigned int s = first; s < SL_STAGE_MAX; s++) {
			struct sl_vec *v = &w->vec[s];
			uint16_t k = v->n;

			if (k == 0)
				continue;
			memcpy(batch, v->m, k * sizeof(batch[0]));
			v->n = 0;
			w->stats->stage[s] += k;
			w->cur_stage = (uint16_t)s;
			sl_stage_fns[s](w, batch, k);
			ran = true;
		}
		if (!ran)
			return;
		/* Back edges may target any stage: sweep from the start. */
		first = 0;
	}
	/* Still packets after the last sweep: a loop. */
	for (unsigned int s = 0; s < SL_STAGE_MAX; s++) {
		struct sl_vec *v = &w->vec[s];

		for (uint16_t i = 0; i < v->n; i++)
			sl_drop(w, v->m[i], SL_DROP_PIPELINE_LOOP);
		v->n = 0;
	}
}
