/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Non-first fragments of datagrams the session stages translate (issue
 * 5): no ports, so no session key; the first fragment's translation is
 * noted (dataplane/nat/nat_frag.c) and applied to the address of the later
 * ones. The transport checksum is in the first fragment, adjusted there.
 *
 * Design note
 * -----------
 * Fragments may come in any order, and on any worker. A later fragment
 * whose first fragment was noted is translated at once; one that comes
 * before it is held in the holding area nat_frag.c shares between the
 * workers, and is translated by the worker that translates the first
 * fragment, right after it (sl_nat4_first_done), or dropped
 * NAT_FRAG_TIMEOUT by an expiry scan after SL_NAT_FRAG_LIFE_MS. Released
 * fragments go the way in-order ones go: police4 across the Internet edge,
 * eip4 when hairpinning, else route4. Refusals are counted: NAT_FRAG_BAD
 * (an extent no datagram can have), NAT_FRAG_HOLD_FULL, NAT_FRAG_TOO_MANY,
 * NAT_FRAG_OVERLAP; NAT_FRAGMENT when the first fragment's gateway is gone
 * from the section.
 */
#include "sl_nat4.h"

/* Translate later fragment `m` to `to` (host order) like its first
 * fragment, made by a session of gateway `to_gw`, and hand it on. */
static void sl_nat4_frag_apply(struct sl_worker *w, const struct sl_nat_sec *sec,
			       struct rte_mbuf *m, bool inbound, uint32_t to, uint16_t to_gw)
{
	struct rte_ipv4_hdr *ip = sl_ip4(m);
	struct sl_meta *md = sl_meta(m);
	rte_be32_t from, to_be = rte_cpu_to_be_32(to);
	const struct sl_nat_ip_ent *pe;
	uint32_t pub;

	if (unlikely(inbound && to_gw >= sec->n_gws)) {
		sl_drop(w, m, SL_DROP_NAT_FRAGMENT);
		return;
	}
	from = inbound ? ip->dst_addr : ip->src_addr;
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

/* What the holding area handed back: fragments to translate, fragments of
 * a datagram that timed out. */
static void sl_nat4_frag_out(struct sl_worker *w, const struct sl_nat_sec *sec,
			     const struct sl_nat_frag_out *o, bool inbound)
{
	for (unsigned int i = 0; i < o->n_dead; i++)
		sl_drop(w, o->dead[i], SL_DROP_NAT_FRAG_TIMEOUT);
	for (unsigned int i = 0; i < o->n_go; i++)
		sl_nat4_frag_apply(w, sec, o->go[i], inbound, o->to, o->to_gw);
}

/* The fragment's extent in 8-byte units of its datagram's payload, [*start,
 * *end); false if no datagram can have it: empty, beyond 65,535 bytes, or
 * not the last (MF) and not a multiple of 8 bytes (RFC 791). ip4_input
 * checked the header and total lengths. */
static bool sl_nat4_frag_extent(const struct rte_ipv4_hdr *ip, uint16_t *start, uint16_t *end)
{
	uint16_t fo = rte_be_to_cpu_16(ip->fragment_offset);
	uint32_t hl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	uint32_t len = rte_be_to_cpu_16(ip->total_length);
	uint32_t pl = len > hl ? len - hl : 0, s = fo & RTE_IPV4_HDR_OFFSET_MASK;

	if (pl == 0 || ((fo & SL_IP4_MF) && (pl & 7)) || hl + s * 8 + pl > 65535)
		return false;
	*start = (uint16_t)s;
	*end = (uint16_t)(s + (pl + 7) / 8);
	return true;
}

void sl_nat4_fragment(struct sl_worker *w, struct sl_nat_table *t, const struct sl_nat_sec *sec,
		      struct rte_mbuf *m, bool inbound, uint16_t gw)
{
	static const enum sl_drop_reason refused[] = {
	    [SL_NAT_FRAG_FULL] = SL_DROP_NAT_FRAG_HOLD_FULL,
	    [SL_NAT_FRAG_TOO_MANY] = SL_DROP_NAT_FRAG_TOO_MANY,
	    [SL_NAT_FRAG_OVERLAP] = SL_DROP_NAT_FRAG_OVERLAP,
	};
	struct sl_nat_frag_key k;
	struct sl_nat_frag_out o;
	enum sl_nat_frag_verdict v;
	uint16_t start, end;

	if (unlikely(!sl_nat4_frag_extent(sl_ip4(m), &start, &end))) {
		sl_drop(w, m, SL_DROP_NAT_FRAG_BAD);
		return;
	}
	sl_nat4_frag_key(&k, sl_ip4(m), inbound, gw);
	/* before: once held, another worker may release (and free) it */
	SL_TRACE_NOTE(w, m,
		      "fragment id %u, 8-byte units %u-%u: translated like its first, or held",
		      k.id, start, end);
	v = sl_nat_frag_later(t->frag, &k, m, start, end, w->now_tsc, &o);
	if (v == SL_NAT_FRAG_HELD)
		sl_count(w, SL_CNT_NAT_FRAGS_HELD, 1);
	else if (v != SL_NAT_FRAG_GO)
		sl_drop(w, m, refused[v]);
	sl_nat4_frag_out(w, sec, &o, inbound);
}

void sl_nat4_first_done(struct sl_worker *w, struct sl_nat_table *t, const struct sl_nat_sec *sec,
			const struct sl_nat_frag_key *k, bool inbound, uint16_t to_gw, uint32_t to)
{
	struct sl_nat_frag_out o;

	sl_nat_frag_first(t->frag, k, to, to_gw, w->now_tsc, &o);
	sl_nat4_frag_out(w, sec, &o, inbound);
}

void sl_nat4_frag_expire(struct sl_worker *w, struct sl_nat_table *t, unsigned int budget)
{
	struct rte_mbuf *old[SL_NAT_FRAG_HOLD_WAYS * SL_NAT_FRAG_HOLD_PER_DGRAM];

	if (likely(sl_nat_frag_held(t->frag) == 0)) /* the usual case: one relaxed load */
		return;
	for (unsigned int b = 0; b < budget; b++) { /* one bucket at a time: room for it */
		unsigned int n = sl_nat_frag_expire(t->frag, w->now_tsc, 1, old, RTE_DIM(old));

		for (unsigned int i = 0; i < n; i++)
			sl_drop(w, old[i], SL_DROP_NAT_FRAG_TIMEOUT);
	}
}
