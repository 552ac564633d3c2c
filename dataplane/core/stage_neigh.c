/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage NEIGH: next hop -> egress port, VLAN and destination MAC.
 *
 * Design note
 * -----------
 * The address to resolve is the packet's own destination for a CONNECTED
 * next hop and nh->via for a GATEWAY; the egress port is the port of the next
 * hop's trunk on the inside (sl_nh_port), the outside port otherwise, and
 * the VLAN is nh->vlan (0 outside). Lookups are
 * done in bulk (rte_hash_lookup_bulk, lock-free reader) for each chunk of
 * up to SL_BURST packets; the entry's MAC and state come from one atomic
 * word (see neigh.c), so a usable entry always yields a consistent MAC.
 * A GATEWAY next hop resolves the same key for every packet (its port,
 * VLAN and via are the next hop's), so packets of a chunk through the
 * gateway next hop of the packet before them share that packet's lookup
 * (issue 9: on the Internet side most packets go through one upstream):
 * the hash is asked once per run of packets through one gateway, and the
 * entry word is read once per packet as before.
 *
 * Usable (REACHABLE or STALE): the L2 rule of sl_pipeline.h applies here:
 * everything before md->l3_off is cut and an Ethernet (+802.1Q) header from
 * the port's MAC to the neighbour's is put in front; the packet goes to TX.
 * Otherwise the packet is punted SL_PUNT_UNRESOLVED with everything the
 * main lcore needs filled in md (out_port, out_vlan, nh_addr, src_addr,
 * vpc_index), because the main lcore may hold a bank of another generation
 * and must not look the next hop up again.
 *
 * The packet's family must be the next hop's (no IPv4 next hop for IPv6
 * packets); a mismatch, or a next hop that is not CONNECTED/GATEWAY here, is
 * a compiler or stage bug and is dropped NO_ROUTE.
 */
#include <string.h>

#include "sl_dp.h"
#include "sl_neigh.h"

void sl_stage_neigh(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	struct sl_neigh_table *t = w->dp->neigh;
	const struct sl_bank_header *b = w->bank;
	struct sl_neigh_key keys[SL_BURST];
	const void *kp[SL_BURST];
	struct rte_mbuf *mm[SL_BURST];
	const struct sl_nexthop *nhs[SL_BURST];
	uint8_t kx[SL_BURST]; /* mm[j]'s key: keys[kx[j]] */
	int32_t pos[SL_BURST];

	if (unlikely(b == NULL)) {
		for (uint16_t i = 0; i < n; i++)
			sl_drop(w, pkts[i], SL_DROP_NO_TABLES);
		return;
	}
	for (uint16_t base = 0; base < n; base += SL_BURST) {
		uint16_t end = RTE_MIN(n, base + SL_BURST);
		uint16_t k = 0, nk = 0;
		uint32_t last_gw = SL_NH_NONE; /* GATEWAY next hop of keys[nk - 1] */

		for (uint16_t i = base; i < end; i++) {
			struct rte_mbuf *m = pkts[i];
			struct sl_meta *md = sl_meta(m);
			const struct sl_nexthop *nh = sl_bank_nh(b, md->nh);
			const uint8_t *addr;
			uint16_t port;

			port = sl_nh_port(nh);
			if (unlikely(port >= RTE_MAX_ETHPORTS)) {
				sl_drop(w, m, SL_DROP_NO_PORT);
				continue;
			}
			if (nh->type == SL_NH_CONNECTED) {
				const uint8_t *l3 =
				    rte_pktmbuf_mtod_offset(m, const uint8_t *, md->l3_off);

				addr = md->family == SL_AF_INET6 ? l3 + 24 : l3 + 16;
				last_gw = SL_NH_NONE;
			} else if (nh->type == SL_NH_GATEWAY && nh->family == md->family) {
				addr = nh->via;
				if (md->nh == last_gw) { /* the same key as the packet before */
					kx[k] = (uint8_t)(nk - 1);
					mm[k] = m;
					nhs[k++] = nh;
					continue;
				}
				last_gw = md->nh;
			} else {
				sl_drop(w, m, SL_DROP_NO_ROUTE);
				continue;
			}
			sl_neigh_key_init(&keys[nk], port, nh->vlan, md->family, addr);
			kp[nk] = &keys[nk];
			kx[k] = (uint8_t)nk++;
			mm[k] = m;
			nhs[k++] = nh;
		}
		if (k == 0)
			continue;
		if (rte_hash_lookup_bulk(t->h, kp, nk, pos) != 0)
			for (uint16_t j = 0; j < nk; j++)
				pos[j] = -ENOENT;
		/* the entries' words are random lines: fetch them all before
		 * the first is read (issue 9) */
		for (uint16_t j = 0; j < nk; j++)
			sl_neigh_prefetch(t, pos[j]);

		for (uint16_t j = 0; j < k; j++) {
			struct rte_mbuf *m = mm[j];
			struct sl_meta *md = sl_meta(m);
			const struct sl_neigh_key *key = &keys[kx[j]];
			struct rte_ether_addr mac;

			if (sl_neigh_usable(sl_neigh_read(t, pos[kx[j]], &mac))) {
				SL_TRACE_NOTE(w, m, "to %02x:%02x:%02x:%02x:%02x:%02x port %u vlan %u",
					      mac.addr_bytes[0], mac.addr_bytes[1],
					      mac.addr_bytes[2], mac.addr_bytes[3],
					      mac.addr_bytes[4], mac.addr_bytes[5], key->port,
					      key->vlan);
				if (unlikely(sl_l2_encap(m, key->port, key->vlan, &mac,
							 sl_family_ethertype(md->family)) < 0))
					sl_drop(w, m, SL_DROP_NO_MBUF);
				else
					sl_next(w, m, SL_STAGE_TX);
				continue;
			}
			md->out_port = key->port;
			md->out_vlan = key->vlan;
			memcpy(md->nh_addr, key->addr, sizeof(md->nh_addr));
			memcpy(md->src_addr, nhs[j]->src, sizeof(md->src_addr));
			md->vpc_index = nhs[j]->vpc_index;
			md->punt = SL_PUNT_UNRESOLVED;
			sl_next(w, m, SL_STAGE_PUNT);
		}
	}
}
