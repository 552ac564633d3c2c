/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage police6: the Internet bandwidth policers of an IPv6 address
 * (issues 7 and 6, docs/policer.md "IPv6", docs/ipv6gw.md), then on to the
 * IPv6 gateway's next step.
 *
 * Design note
 * -----------
 * The IPv6 gateway stages already find the address entry (gating by
 * bandwidth) and hand the packet over only when the address has a policer
 * in its direction (sl_police6_next), with the entry's index in the IPv6
 * gateway section + 1 in md->pub_ip; the police section's ip6[] is indexed
 * the same way, so no lookup by address is needed here:
 *   - from ip6gw_out (md->vpc_index is the Internet's): to the Internet,
 *     the source's outbound policer, then IP6GW_IN (which routes it on the
 *     Internet side, or into another VPC behind an IPv6 gateway, where it
 *     is policed again inbound: two addresses, two bandwidths);
 *   - from ip6gw_in (md->vpc_index is the destination's VPC): from the
 *     Internet, the destination's inbound policer, then FORWARD6.
 * IPv6 bandwidth is sold per address, never in a package, so each packet
 * meets one level; the metering (sl_police_stage.h) is police4's: one
 * colour-blind two-colour bucket, RED dropped POLICED_OUT / POLICED_IN.
 */
#include <rte_prefetch.h>

#include "sl_police_stage.h"

void sl_stage_police6(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	static const enum sl_stage next[SL_POL_DIR_MAX] = {
	    [SL_POL_DIR_OUT] = SL_STAGE_IP6GW_IN, [SL_POL_DIR_IN] = SL_STAGE_FORWARD6};
	const struct sl_pol_sec *sec = sl_bank_police(w->bank);
	uint32_t own[SL_VEC_MAX];
	uint8_t dir[SL_VEC_MAX];

	for (uint16_t i = 0; i < n; i++) {
		uint32_t a = sl_meta(pkts[i])->pub_ip - 1;

		dir[i] = (uint8_t)sl_police6_dir(sl_meta(pkts[i]));
		if (sec && a < sec->n_ip6)
			rte_prefetch0(SL_POL_SEC_PTR(sec, sec->ip6_off, struct sl_pol_ip6_ent) + a);
	}
	if (w->dp->pol == NULL || sec == NULL) {
		for (uint16_t i = 0; i < n; i++)
			sl_next(w, pkts[i], next[dir[i]]);
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		const struct sl_meta *md = sl_meta(pkts[i]);

		own[i] = md->pub_ip ? sl_pol_of_ip6(sec, md->pub_ip - 1, dir[i]) : SL_POL_IDX_NONE;
	}
	sl_police_meter_burst(w, pkts, n, sec, own, dir, next);
}
