/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage police4: the bandwidth policers of a public IPv4 address (issue 7,
 * docs/policer.md), then ROUTE4.
 *
 * Design note
 * -----------
 * Packets come from the stage that translated them to or from a public IP
 * (eip4 today; snat4 and nat4_in of the NAT stages), which put that IP's
 * index in the NAT section + 1 into md->pub_ip. The direction is the side
 * the packet came in by: from the outside port it comes from the Internet
 * (policed on the IP's inbound policer, after DNAT/EIP translation, by the
 * public destination it had), otherwise it goes to the Internet (outbound,
 * by the public source it now has). The police section maps (IP index,
 * direction) to the IP's own policer, whose `parent` is its bandwidth
 * package's aggregate (two levels), or straight to the aggregate.
 *
 * Metering is colour-blind and two-colour (srTCM with EBS 0): GREEN goes on
 * to ROUTE4, RED is dropped POLICED_OUT / POLICED_IN. The bytes metered are
 * those of the frame on the Internet side without FCS: the IP packet plus
 * a 14-byte Ethernet header (untagged outside, whatever VLAN tag the packet
 * had inside), so both directions of an IP count the same bytes.
 *
 * The buckets are sluice-dp's (dp->pol, police.c), shared by all workers
 * and updated by CAS; the stage reads the section of its bank for the
 * indexes only. Per burst, in passes that each prefetch what the next
 * reads: the IPs' ip[] entries, then (sl_police_stage.h, shared with
 * police6) their policers' pol[] entries (parents), the buckets; then
 * meter them all with the clock read once per loop iteration
 * (w->now_tsc). Policer indexes beyond sluice-dp's table pass unmetered,
 * counted POLICE_UNENFORCED (the operator sizes "policers").
 */
#include <rte_prefetch.h>

#include "sl_police_stage.h"

void sl_stage_police4(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	static const enum sl_stage next[SL_POL_DIR_MAX] = {SL_STAGE_ROUTE4, SL_STAGE_ROUTE4};
	const struct sl_pol_sec *sec = sl_bank_police(w->bank);
	uint32_t own[SL_VEC_MAX];
	uint8_t dir[SL_VEC_MAX];

	if (w->dp->pol == NULL || sec == NULL) {
		for (uint16_t i = 0; i < n; i++)
			sl_next(w, pkts[i], SL_STAGE_ROUTE4);
		return;
	}
	/* Three random lines per packet before the bucket: the IP's entry in
	 * ip[] (prefetched here), its policer's in pol[] (the parent), then
	 * the buckets (sl_police_meter_burst). */
	for (uint16_t i = 0; i < n; i++) {
		uint32_t ip = sl_meta(pkts[i])->pub_ip - 1;

		if (ip < sec->n_ips)
			rte_prefetch0(SL_POL_SEC_PTR(sec, sec->ip_off, struct sl_pol_ip_ent) + ip);
	}
	for (uint16_t i = 0; i < n; i++) {
		const struct sl_meta *md = sl_meta(pkts[i]);

		dir[i] = md->in_role == SL_ROLE_OUTSIDE ? SL_POL_DIR_IN : SL_POL_DIR_OUT;
		own[i] = md->pub_ip ? sl_pol_of_ip(sec, md->pub_ip - 1, dir[i]) : SL_POL_IDX_NONE;
	}
	sl_police_meter_burst(w, pkts, n, sec, own, dir, next);
}
