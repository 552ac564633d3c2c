/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HaVip holders (issue 12, docs/havip.md): which associated instance holds
 * each HaVip, learned from the ARP it sends for the HaVip address.
 *
 * Design note
 * -----------
 * A HaVip address is an ordinary next-hop address inside its VSwitch: route
 * entries via the HaVip and an EIP bound to it resolve it through the
 * neighbour table. Holding a HaVip therefore means owning the gateway's
 * neighbour entry for its address, and this file is the only writer of
 * such entries (arpnd.c hands every ARP whose sender address is a HaVip of
 * the frame's VPC to sl_havip_arp() instead of the RFC 826 merge).
 *
 * A claim (sender MAC M for HaVip H) is accepted when M is the MAC the
 * gateway knows for an instance associated with H: the usable neighbour
 * entry of that instance's own address on the same port and VLAN (the
 * instances of a HaVip share its VSwitch, so its link). When some
 * associated instance's MAC is unknown the claim waits (one per HaVip, the
 * latest wins) while the gateway resolves those instances; the first of
 * them to answer with M makes it accepted (sl_havip_learned), and a claim
 * nobody confirms expires after SL_HAVIP_CLAIM_MS. When every associated
 * MAC is known and none is M, the claim is refused and the entry is left
 * alone.
 *
 * The HaVip section (which instances may hold what) comes from the main
 * lcore's own acknowledged bank and changes with it; the holder records
 * are main-lcore memory, found by HaVip id (few HaVips, touched only by
 * ARP from HaVip addresses, replies to their probes and the one-second
 * export), and forgotten when their HaVip leaves the bank. The export
 * also notices a holder that is no longer associated: the HaVip's entry is
 * made FAILED, so the next packet asks again and only an associated
 * instance's answer is taken.
 *
 * IPv6 ingress route rules via a HaVip (issues 6/12, docs/ipv6gw.md): the
 * accepted holder's IPv4 address is also stored in the HaVip entry's
 * shared part (sl_neigh_shared.holder), where the ip6gw_in stage reads it
 * to pick the holder's next hop via its IPv6 address; it is cleared with
 * the holder. Such a HaVip whose holder is unknown is resolved from the
 * export (every 100 ms; sl_neigh_probe paces the requests a second apart),
 * since no IPv4 packet may ever ask for it (sl_havip_probe_ip6gw).
 *
 * Concurrency: main lcore only (the neighbour table's single writer),
 * except sl_havip_ip6gw_key(), a pure function workers call too.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>

#include "sl_neigh.h"

const struct sl_havip_ent *sl_havip_lookup(const struct sl_bank_header *b, uint32_t vpc_index,
					   uint32_t addr)
{
	const struct sl_havip_sec *sec;
	uint32_t lo = 0, n;

	if (b == NULL || b->havip_off == 0)
		return NULL;
	sec = SL_BANK_PTR(b, b->havip_off, const struct sl_havip_sec);
	n = sec->n;
	while (n > 0) { /* lower bound of (vpc_index, addr) */
		uint32_t half = n / 2;
		const struct sl_havip_ent *e = &sec->ent[lo + half];

		if (e->vpc_index < vpc_index || (e->vpc_index == vpc_index && e->addr < addr)) {
			lo += half + 1;
			n -= half + 1;
		} else {
			n = half;
		}
	}
	if (lo >= sec->n || sec->ent[lo].vpc_index != vpc_index || sec->ent[lo].addr != addr)
		return NULL;
	return &sec->ent[lo];
}

bool sl_havip_sec_ok(const struct sl_bank_header *b, uint64_t bank_size)
{
	const struct sl_havip_sec *sec;

	if (b->havip_off == 0)
		return true;
	if (b->havip_off > bank_size || b->havip_size > bank_size - b->havip_off ||
	    b->havip_size < sizeof(*sec))
		return false;
	sec = SL_BANK_PTR(b, b->havip_off, const struct sl_havip_sec);
	if (sec->size != b->havip_size ||
	    sec->n > (b->havip_size - sizeof(*sec)) / sizeof(sec->ent[0]))
		return false;
	for (uint32_t i = 0; i < sec->n; i++)
		if (sec->ent[i].n_inst > SL_HAVIP_MAX_INST)
			return false;
	return true;
}

/* The VPC of an inside frame, SL_VPC_INTERNET if none. */
static uint32_t sl_havip_vpc(const struct sl_bank_header *b, const struct sl_meta *md)
{
	uint32_t v;

	if (b == NULL || md->in_role != SL_ROLE_INSIDE || md->in_port >= RTE_MAX_ETHPORTS)
		return SL_VPC_INTERNET;
	v = sl_bank_vlan_lookup(b, sl_ports[md->in_port].trunk, md->in_vlan);
	return v ? v - 1 : SL_VPC_INTERNET;
}

static struct sl_havip_holder *sl_havip_rec(struct sl_neigh_table *t, const struct sl_havip_ent *hv,
					    bool create)
{
	struct sl_havip_holder *free_rec = NULL;

	for (uint32_t i = 0; i < t->havip_hi; i++) {
		struct sl_havip_holder *r = &t->havip[i];

		if (!r->in_use) {
			if (free_rec == NULL)
				free_rec = r;
		} else if (strcmp(r->havip_id, hv->id) == 0) {
			return r;
		}
	}
	if (!create)
		return NULL;
	if (free_rec == NULL) {
		if (t->havip_hi == SL_HAVIP_HOLDERS)
			return NULL;
		free_rec = &t->havip[t->havip_hi++];
	}
	memset(free_rec, 0, sizeof(*free_rec));
	free_rec->in_use = 1;
	memcpy(free_rec->havip_id, hv->id, sizeof(free_rec->havip_id));
	free_rec->havip_id[SL_ID_LEN - 1] = '\0';
	free_rec->vpc_index = hv->vpc_index;
	free_rec->addr = hv->addr;
	return free_rec;
}

static void sl_havip_claim_clear(struct sl_neigh_table *t, struct sl_havip_holder *r)
{
	if (r->claim) {
		r->claim = 0;
		t->havip_claims--;
	}
}

/* Instance `inst` of HaVip `hv` holds it with `mac`, seen on (port, vlan). */
static int sl_havip_accept(struct sl_neigh_table *t, struct sl_havip_holder *r,
			   const struct sl_havip_ent *hv, const struct sl_havip_inst *inst,
			   uint16_t port, uint16_t vlan, const struct rte_ether_addr *mac, bool reply,
			   uint64_t now)
{
	rte_be32_t addr = rte_cpu_to_be_32(hv->addr), src = rte_cpu_to_be_32(hv->src);
	struct sl_neigh_key key;
	int rc;

	sl_neigh_key_init(&key, port, vlan, SL_AF_INET, &addr);
	rc = sl_neigh_learn(t, &key, mac,
			    SL_NEIGH_F_CREATE | SL_NEIGH_F_OVERRIDE | (reply ? SL_NEIGH_F_CONFIRM : 0),
			    SL_ROLE_INSIDE, &src, now);
	if (rc < 0)
		return rc;
	sl_havip_claim_clear(t, r);
	if (!r->has_holder || strncmp(r->holder_id, inst->id, SL_ID_LEN) != 0 ||
	    !rte_is_same_ether_addr(&r->mac, mac)) {
		r->changes++;
		r->since_tsc = now;
		sl_count(t->w, SL_CNT_HAVIP_HOLDER_CHANGES, 1);
	}
	memcpy(r->holder_id, inst->id, sizeof(r->holder_id));
	r->holder_id[SL_ID_LEN - 1] = '\0';
	sl_neigh_set_holder(t, &key, inst->addr);
	r->mac = *mac;
	r->port = port;
	r->vlan = vlan;
	r->has_holder = 1;
	return 0;
}

int sl_havip_arp(struct sl_neigh_table *t, const struct sl_bank_header *b,
		 const struct sl_meta *md, const struct rte_ether_addr *sha, rte_be32_t sip,
		 bool reply, uint64_t now)
{
	uint32_t vpc = sl_havip_vpc(b, md);
	const struct sl_havip_ent *hv;
	struct sl_havip_holder *r;
	unsigned int unknown = 0;

	if (vpc == SL_VPC_INTERNET)
		return 0;
	hv = sl_havip_lookup(b, vpc, rte_be_to_cpu_32(sip));
	if (hv == NULL)
		return 0;
	r = sl_havip_rec(t, hv, true);
	for (uint32_t i = 0; i < hv->n_inst; i++) {
		rte_be32_t ia = rte_cpu_to_be_32(hv->inst[i].addr);
		rte_be32_t src = rte_cpu_to_be_32(hv->src);
		const struct sl_neigh_priv *p;
		struct sl_neigh_key key;

		sl_neigh_key_init(&key, md->in_port, md->in_vlan, SL_AF_INET, &ia);
		p = sl_neigh_find(t, &key);
		if (p && sl_neigh_usable(p->state)) {
			/* r NULL (no record left) or a full neighbour table:
			 * not the sender's fault, nothing learned */
			if (rte_is_same_ether_addr(&p->mac, sha)) {
				if (r)
					sl_havip_accept(t, r, hv, &hv->inst[i], md->in_port,
							md->in_vlan, sha, reply, now);
				return 1;
			}
			continue;
		}
		unknown++;
		sl_neigh_probe(t, &key, SL_ROLE_INSIDE, &src, now);
	}
	if (unknown == 0 || r == NULL)
		return -EPERM;
	if (!r->claim)
		t->havip_claims++;
	r->claim = 1;
	r->claim_reply = reply;
	r->claim_mac = *sha;
	r->claim_port = md->in_port;
	r->claim_vlan = md->in_vlan;
	r->claim_tsc = now;
	sl_count(t->w, SL_CNT_HAVIP_CLAIMS_PENDING, 1);
	return 1;
}

void sl_havip_learned(struct sl_neigh_table *t, const struct sl_bank_header *b,
		      const struct sl_meta *md, const struct rte_ether_addr *sha, rte_be32_t sip,
		      uint64_t now)
{
	uint32_t addr = rte_be_to_cpu_32(sip), vpc;

	if (t->havip_claims == 0)
		return;
	vpc = sl_havip_vpc(b, md);
	for (uint32_t i = 0; i < t->havip_hi && t->havip_claims; i++) {
		struct sl_havip_holder *r = &t->havip[i];
		const struct sl_havip_ent *hv;

		if (!r->in_use || !r->claim || r->vpc_index != vpc || r->claim_port != md->in_port ||
		    r->claim_vlan != md->in_vlan || !rte_is_same_ether_addr(&r->claim_mac, sha))
			continue;
		hv = sl_havip_lookup(b, r->vpc_index, r->addr);
		if (hv == NULL || strncmp(hv->id, r->havip_id, SL_ID_LEN) != 0) {
			sl_havip_claim_clear(t, r);
			continue;
		}
		for (uint32_t k = 0; k < hv->n_inst; k++)
			if (hv->inst[k].addr == addr) {
				sl_havip_accept(t, r, hv, &hv->inst[k], md->in_port, md->in_vlan, sha,
						r->claim_reply, now);
				break;
			}
	}
}

void sl_havip_timer(struct sl_neigh_table *t, uint64_t now)
{
	uint64_t life = t->hz * SL_HAVIP_CLAIM_MS / 1000;

	for (uint32_t i = 0; i < t->havip_hi && t->havip_claims; i++) {
		struct sl_havip_holder *r = &t->havip[i];

		if (r->in_use && r->claim && now - r->claim_tsc >= life) {
			sl_havip_claim_clear(t, r);
			sl_count(t->w, SL_CNT_HAVIP_CLAIMS_EXPIRED, 1);
		}
	}
}

/* The record's holder is no more: its entry names nobody; `key` (may be
 * NULL) gets the entry's key. */
static void sl_havip_forget_holder(struct sl_neigh_table *t, const struct sl_havip_holder *r,
				   struct sl_neigh_key *key)
{
	rte_be32_t a = rte_cpu_to_be_32(r->addr);
	struct sl_neigh_key k;

	sl_neigh_key_init(&k, r->port, r->vlan, SL_AF_INET, &a);
	sl_neigh_set_holder(t, &k, 0);
	if (key)
		*key = k;
}

/* Is the record's holder still an associated instance of `hv`? */
static bool sl_havip_still_associated(const struct sl_havip_holder *r,
				      const struct sl_havip_ent *hv)
{
	for (uint32_t k = 0; k < hv->n_inst; k++)
		if (strncmp(hv->inst[k].id, r->holder_id, SL_ID_LEN) == 0)
			return true;
	return false;
}

uint32_t sl_havip_export(struct sl_neigh_table *t, const struct sl_bank_header *b,
			 struct sl_havip_export *out, uint32_t max, uint64_t now)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < t->havip_hi; i++) {
		struct sl_havip_holder *r = &t->havip[i];
		struct sl_havip_export *e;
		uint64_t age;

		if (!r->in_use)
			continue;
		if (b) {
			const struct sl_havip_ent *hv = sl_havip_lookup(b, r->vpc_index, r->addr);

			if (hv == NULL || strncmp(hv->id, r->havip_id, SL_ID_LEN) != 0) {
				sl_havip_claim_clear(t, r);
				if (r->has_holder)
					sl_havip_forget_holder(t, r, NULL);
				r->in_use = 0; /* the HaVip is gone (or moved) */
				continue;
			}
			if (r->has_holder && !sl_havip_still_associated(r, hv)) {
				/* unassociated: it may not hold the address any
				 * more; the next packet asks who does */
				struct sl_neigh_key key;

				sl_havip_forget_holder(t, r, &key);
				sl_neigh_invalidate(t, &key, now);
				r->has_holder = 0;
			}
		}
		if (!r->has_holder || n == max)
			continue;
		e = &out[n++];
		memset(e, 0, sizeof(*e));
		memcpy(e->havip_id, r->havip_id, sizeof(e->havip_id));
		memcpy(e->holder_id, r->holder_id, sizeof(e->holder_id));
		e->vpc_index = r->vpc_index;
		e->addr = r->addr;
		memcpy(e->mac, r->mac.addr_bytes, 6);
		age = now > r->since_tsc ? (now - r->since_tsc) * 1000 / t->hz : 0;
		e->age_ms = age > UINT32_MAX ? UINT32_MAX : (uint32_t)age;
		e->changes = r->changes;
	}
	while (t->havip_hi > 0 && !t->havip[t->havip_hi - 1].in_use)
		t->havip_hi--;
	sl_havip_probe_ip6gw(t, b, now);
	return n;
}

bool sl_havip_ip6gw_key(const struct sl_bank_header *b, const struct sl_ip6gw_havip_ent *h,
			struct sl_neigh_key *k)
{
	const struct sl_nexthop *nh;
	rte_be32_t a = rte_cpu_to_be_32(h->addr);
	uint16_t port;

	if (h->n_inst == 0)
		return false;
	nh = sl_bank_nh(b, h->inst[0].nh);
	port = sl_nh_port(nh);
	if (port >= RTE_MAX_ETHPORTS)
		return false;
	sl_neigh_key_init(k, port, nh->vlan, SL_AF_INET, &a);
	return true;
}

void sl_havip_probe_ip6gw(struct sl_neigh_table *t, const struct sl_bank_header *b, uint64_t now)
{
	const struct sl_ip6gw_sec *s;
	const struct sl_ip6gw_havip_ent *h;

	if (b == NULL || b->ip6gw_off == 0)
		return;
	s = SL_BANK_PTR(b, b->ip6gw_off, const struct sl_ip6gw_sec);
	h = (const struct sl_ip6gw_havip_ent *)((const uint8_t *)s + s->havip_off);
	for (uint32_t i = 0; i < s->n_havips; i++) {
		rte_be32_t src = rte_cpu_to_be_32(h[i].src);
		const struct sl_neigh_priv *p;
		struct sl_neigh_key key;

		if (!sl_havip_ip6gw_key(b, &h[i], &key))
			continue;
		p = sl_neigh_find(t, &key);
		if (p == NULL || !sl_neigh_usable(p->state))
			sl_neigh_probe(t, &key, SL_ROLE_INSIDE, &src, now);
	}
}
