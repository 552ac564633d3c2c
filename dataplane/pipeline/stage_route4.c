/* SPDX-License-Identifier: BSD-3-Clause */
/* Stage route4: first compilable version, the full implementation follows. */
#include "sl_pipeline.h"
#include "sl_proto.h"

void sl_stage_route4(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		sl_drop(w, pkts[i], SL_DROP_ETHERTYPE);
}
