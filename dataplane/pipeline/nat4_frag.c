/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Non-first fragments of datagrams the session stages translated (issue
 * 5): no ports, so no session key; the first fragment's translation was
 * noted (dataplane/nat/nat_frag.c) and is applied to the address of the
 * later ones. The transport checksum is in the first fragment, adjusted
 * there. A fragment whose first fragment was not seen (out of order, or
 * after SL_NAT_FRAG_LIFE_MS) is dropped NAT_FRAGMENT.
 */
#include "sl_nat4.h"

void sl_nat4_fragment(struct sl_worker *w, struct sl_nat_table *t, const struct sl_nat_sec *sec,
		      struct rte_mbuf *m, bool inbound, uint16_t gw)
{
	struct rte_ipv4_hdr *ip = sl_ip4(m);
	struct sl_meta *md = sl_meta(m);
	struct sl_nat_frag_key k;
	rte_be32_t from, to_be;
	const struct sl_nat_ip_ent *pe;
	uint16_t to_gw = 0;
	uint32_t to = 0, pub;

	sl_nat4_frag_key(&k, ip, inbound, gw);
	if (!sl_nat_frag_find(t->frag, &k, w->now_tsc, &to, &to_gw) ||
	    (inbound && to_gw >= sec->n_gws)) {
		sl_drop(w, m, SL_DROP_NAT_FRAGMENT);
		return;
	}
	from = inbound ? ip->dst_addr : ip->src_addr;
	to_be = rte_cpu_to_be_32(to);
	/* the public IP: the policer counts fragments like whole packets */
	pe = sl_nat_ip_find(sec, rte_be_to_cpu_32(inbound ? from : to_be));
	pub = pe ? (uint32_t)(pe - SL_NAT_SEC_PTR(sec, sec->ip_off, struct sl_nat_ip_ent))
		 : SL_NAT_IDX_NONE;
	ip->hdr_checksum = sl_cksum_adjust32(ip->hdr_checksum, from, to_be);
	if (inbound) {
		ip->dst_addr = to_be;
		md->vpc_index = sl_nat_gw_ent(sec, to_gw)->vpc_index;
	} else {
		ip->src_addr = to_be;
		md->vpc_index = SL_VPC_INTERNET;
	}
	sl_count(w, SL_CNT_NAT_FRAGMENTS, 1);
	/* hairpinning, or policed across the Internet edge */
	sl_next(w, m, sl_nat4_policed_next(w, md, sec, ip, inbound, pub));
}
