/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour table: (port, VLAN, family, address) -> MAC, for the NEIGH
 * stage of every worker, maintained by the main lcore.
 *
 * Design note
 * -----------
 * Lookup structure: an rte_hash created with
 * RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF (lock-free readers, one writer:
 * the main lcore) whose key position indexes two parallel arrays:
 *
 *   sh[pos]  struct sl_neigh_shared: the MAC and the state packed in one
 *            64-bit word, stored with release and loaded with acquire, so a
 *            worker never sees a MAC of another state or half a MAC; and a
 *            `used` flag workers set (relaxed) when they send through a
 *            STALE entry.
 *   pv[pos]  struct sl_neigh_priv: everything else (timers, probe count,
 *            the queue of packets waiting for resolution), main lcore only.
 *
 * A freshly added position always has word == 0 (INCOMPLETE, no MAC): the
 * word is cleared before a key is deleted, so a reader that finds a new key
 * before its entry is filled sees INCOMPLETE and punts, which is harmless.
 *
 * Memory safety: positions are recycled only after a grace period. On
 * delete the writer takes an rte_rcu_qsbr token and keeps the position in a
 * FIFO; rte_hash_free_key_with_position() runs once every online worker
 * has reported a quiescent state after the token (workers report once per
 * loop iteration and hold no position across iterations). The table is
 * bounded (SL_NEIGH_SIZE, 16k): when it is full a new neighbour cannot be
 * resolved and its packets are dropped NEIGH_TABLE_FULL; FAILED entries are
 * deleted after SL_NEIGH_GC_FAILED_MS and STALE entries nobody used after
 * SL_NEIGH_GC_STALE_MS, which keeps the table to the live neighbours.
 *
 * State machine (per RFC 4861 7.3, with ARP treated alike):
 *   (none) --packet--> INCOMPLETE: request now, then every second; the
 *          packets wait in a queue of SL_NEIGH_QLEN (overflow: the new
 *          packet is dropped NEIGH_QUEUE_FULL);
 *   INCOMPLETE --reply--> REACHABLE, queue released to the workers;
 *   INCOMPLETE --3 requests unanswered--> FAILED, queue dropped
 *          NEIGH_FAILED; the next packet starts a new round;
 *   REACHABLE --30 s without confirmation--> STALE (still used);
 *   STALE --used by a worker--> re-probe: unicast request to the known MAC,
 *          up to 3; a reply makes it REACHABLE, silence makes it FAILED;
 *   unsolicited information (ARP request, NS with source link-layer
 *          address, gratuitous ARP, unsolicited NA) sets the MAC and STALE
 *          if it is new or changed (creating an entry only for requests
 *          addressed to the gateway itself).
 * Timers use the TSC passed in by the caller (`now`), so tests drive time.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "sl_log.h"
#include "sl_neigh.h"

static void sl_neigh_set(struct sl_neigh_table *t, uint32_t pos, uint8_t state,
			 const struct rte_ether_addr *mac)
{
	struct sl_neigh_priv *p = &t->pv[pos];

	p->state = state;
	if (mac)
		p->mac = *mac;
	atomic_store_explicit(&t->sh[pos].word, sl_neigh_pack(&p->mac, state),
			      memory_order_release);
}

struct sl_neigh_table *sl_neigh_create(const char *name, uint32_t size, unsigned int n_readers,
				       struct sl_worker *w, sl_neigh_xmit_fn xmit, void *xmit_arg)
{
	struct rte_hash_parameters hp = {
	    .name = name,
	    .entries = size,
	    .key_len = sizeof(struct sl_neigh_key),
	    .hash_func = rte_hash_crc,
	    .hash_func_init_val = 0x5eed5eed,
	    .socket_id = (int)rte_socket_id(),
	    .extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct sl_neigh_table *t;
	size_t qsz;

	if (size == 0 || n_readers == 0 || !w || !xmit) {
		errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc("sl_neigh", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	t->size = size;
	t->n_readers = n_readers;
	t->w = w;
	t->xmit = xmit;
	t->xmit_arg = xmit_arg;
	t->hz = rte_get_tsc_hz();
	t->retrans_tsc = t->hz * SL_NEIGH_RETRANS_MS / 1000;
	t->reachable_tsc = t->hz * SL_NEIGH_REACHABLE_MS / 1000;
	t->gc_failed_tsc = t->hz * SL_NEIGH_GC_FAILED_MS / 1000;
	t->gc_stale_tsc = t->hz * SL_NEIGH_GC_STALE_MS / 1000;
	t->h = rte_hash_create(&hp);
	if (!t->h)
		goto fail;
	t->sh = rte_zmalloc("sl_neigh_sh", sizeof(*t->sh) * size, RTE_CACHE_LINE_SIZE);
	t->pv = rte_zmalloc("sl_neigh_pv", sizeof(*t->pv) * size, RTE_CACHE_LINE_SIZE);
	t->pend_pos = rte_zmalloc("sl_neigh_pend", sizeof(*t->pend_pos) * size, 0);
	t->pend_token = rte_zmalloc("sl_neigh_tok", sizeof(*t->pend_token) * size, 0);
	t->havip = rte_zmalloc("sl_havip", sizeof(*t->havip) * SL_HAVIP_HOLDERS, 0);
	qsz = rte_rcu_qsbr_get_memsize(n_readers);
	t->qsbr = rte_zmalloc("sl_neigh_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (!t->sh || !t->pv || !t->pend_pos || !t->pend_token || !t->qsbr || !t->havip)
		goto fail;
	if (rte_rcu_qsbr_init(t->qsbr, n_readers) != 0)
		goto fail;
	return t;
fail:
	sl_neigh_free(t);
	errno = rte_errno ? rte_errno : ENOMEM;
	return NULL;
}

static void sl_neigh_drop_queue(struct sl_neigh_table *t, struct sl_neigh_priv *p,
				enum sl_drop_reason reason)
{
	for (unsigned int i = 0; i < p->q_n; i++)
		sl_drop(t->w, p->q[i], reason);
	p->q_n = 0;
}

void sl_neigh_free(struct sl_neigh_table *t)
{
	if (!t)
		return;
	if (t->pv)
		for (uint32_t i = 0; i < t->size; i++)
			for (unsigned int j = 0; j < t->pv[i].q_n; j++)
				rte_pktmbuf_free(t->pv[i].q[j]);
	rte_hash_free(t->h);
	rte_free(t->sh);
	rte_free(t->pv);
	rte_free(t->pend_pos);
	rte_free(t->pend_token);
	rte_free(t->havip);
	rte_free(t->qsbr);
	rte_free(t);
}

/* Add `key`, initialising its entry. Position or negative errno. */
static int32_t sl_neigh_add(struct sl_neigh_table *t, const struct sl_neigh_key *key,
			    uint8_t port_role, uint64_t now)
{
	struct sl_neigh_priv *p;
	int32_t pos;

	pos = rte_hash_add_key(t->h, key);
	if (pos < 0)
		return pos;
	if ((uint32_t)pos >= t->size) {
		/* Cannot happen with a single writer (positions are
		 * [0, entries)), but never index out of bounds. */
		rte_hash_del_key(t->h, key);
		rte_hash_free_key_with_position(t->h, pos);
		return -ENOSPC;
	}
	/* rte_hash hands out positions from a free list that starts in
	 * order, so the used ones stay packed at the bottom: timers and
	 * export scan [0, hi_pos) only. */
	if ((uint32_t)pos >= t->hi_pos)
		t->hi_pos = (uint32_t)pos + 1;
	p = &t->pv[pos];
	memset(p, 0, sizeof(*p));
	p->key = *key;
	p->in_use = 1;
	p->port_role = port_role;
	p->hash = rte_hash_hash(t->h, key);
	p->vpc_index = SL_VPC_INTERNET;
	p->confirmed_tsc = now;
	atomic_store_explicit(&t->sh[pos].used, 0, memory_order_relaxed);
	/* word is already 0 (INCOMPLETE): cleared at delete / zeroed at
	 * creation. */
	t->n_entries++;
	return pos;
}

static void sl_neigh_del(struct sl_neigh_table *t, uint32_t pos)
{
	struct sl_neigh_priv *p = &t->pv[pos];
	uint32_t tail;
	int32_t rc;

	sl_neigh_drop_queue(t, p, SL_DROP_NEIGH_FAILED);
	atomic_store_explicit(&t->sh[pos].word, 0, memory_order_release);
	atomic_store_explicit(&t->sh[pos].used, 0, memory_order_relaxed);
	atomic_store_explicit(&t->sh[pos].holder, 0, memory_order_relaxed);
	rc = rte_hash_del_key(t->h, &p->key);
	p->in_use = 0;
	t->n_entries--;
	if (rc < 0)
		return;
	/* Readers may still hold `pos`: free it after a grace period. */
	tail = (t->pend_head + t->pend_n) % t->size;
	t->pend_pos[tail] = (uint32_t)rc;
	t->pend_token[tail] = rte_rcu_qsbr_start(t->qsbr);
	t->pend_n++;
}

static void sl_neigh_reclaim(struct sl_neigh_table *t)
{
	while (t->pend_n) {
		uint32_t h = t->pend_head;

		if (rte_rcu_qsbr_check(t->qsbr, t->pend_token[h], false) != 1)
			break;
		rte_hash_free_key_with_position(t->h, (int32_t)t->pend_pos[h]);
		t->pend_head = (h + 1) % t->size;
		t->pend_n--;
	}
}

/* Send one packet through a usable entry. */
static void sl_neigh_send(struct sl_neigh_table *t, struct sl_neigh_priv *p, struct rte_mbuf *m)
{
	if (sl_l2_encap(m, p->key.port, p->key.vlan, &p->mac,
			sl_family_ethertype(sl_meta(m)->family)) < 0) {
		sl_drop(t->w, m, SL_DROP_NO_MBUF);
		return;
	}
	t->xmit(t->xmit_arg, m, p->hash);
}

/* Send every queued packet of a usable entry, in arrival order. */
static void sl_neigh_release(struct sl_neigh_table *t, struct sl_neigh_priv *p)
{
	for (unsigned int i = 0; i < p->q_n; i++)
		sl_neigh_send(t, p, p->q[i]);
	p->q_n = 0;
}

static void sl_neigh_send_probe(struct sl_neigh_table *t, struct sl_neigh_priv *p, uint64_t now,
				bool unicast)
{
	/* A failed allocation is not retried early: the next retransmission
	 * is the retry, and it counts as a sent request. */
	sl_neigh_solicit(t, p, unicast ? &p->mac : NULL);
	p->probes++;
	p->next_tsc = now + t->retrans_tsc;
}

static void sl_neigh_fail(struct sl_neigh_table *t, uint32_t pos, uint64_t now)
{
	struct sl_neigh_priv *p = &t->pv[pos];

	p->probing = 0;
	p->probes = 0;
	p->failed_tsc = now;
	sl_neigh_set(t, pos, SL_NEIGH_FAILED, NULL);
	sl_neigh_drop_queue(t, p, SL_DROP_NEIGH_FAILED);
}

/* A FAILED entry asked for again starts a new round of requests. */
static void sl_neigh_restart(struct sl_neigh_table *t, uint32_t pos)
{
	if (t->pv[pos].state == SL_NEIGH_FAILED) {
		t->pv[pos].probes = 0;
		sl_neigh_set(t, pos, SL_NEIGH_INCOMPLETE, NULL);
	}
}

int sl_neigh_probe(struct sl_neigh_table *t, const struct sl_neigh_key *key, uint8_t port_role,
		   const void *src, uint64_t now)
{
	struct sl_neigh_priv *p;
	int32_t pos = rte_hash_lookup(t->h, key);

	if (pos < 0) {
		pos = sl_neigh_add(t, key, port_role, now);
		if (pos < 0) {
			t->w->stats->drop[SL_DROP_NEIGH_TABLE_FULL]++;
			return -ENOSPC;
		}
	}
	p = &t->pv[pos];
	if (sl_neigh_usable(p->state))
		return 0;
	sl_neigh_restart(t, (uint32_t)pos);
	memcpy(p->src, src, key->family == SL_AF_INET6 ? 16 : 4);
	if (p->probes == 0)
		sl_neigh_send_probe(t, p, now, false);
	return 0;
}

void sl_neigh_resolve(struct sl_neigh_table *t, struct rte_mbuf *m, uint64_t now)
{
	struct sl_meta *md = sl_meta(m);
	struct sl_neigh_key key;
	struct sl_neigh_priv *p;
	int32_t pos;

	sl_neigh_key_init(&key, md->out_port, md->out_vlan,
			  md->family == SL_AF_INET6 ? SL_AF_INET6 : SL_AF_INET, md->nh_addr);
	if (key.port >= RTE_MAX_ETHPORTS || !sl_ports[key.port].enabled) {
		sl_drop(t->w, m, SL_DROP_NO_PORT);
		return;
	}
	pos = rte_hash_lookup(t->h, &key);
	if (pos < 0) {
		pos = sl_neigh_add(t, &key, sl_ports[key.port].role, now);
		if (pos < 0) {
			sl_drop(t->w, m, SL_DROP_NEIGH_TABLE_FULL);
			return;
		}
	}
	p = &t->pv[pos];
	p->vpc_index = md->vpc_index;
	if (sl_neigh_usable(p->state)) {
		/* Resolved between the worker's lookup and now. */
		if (p->state == SL_NEIGH_STALE)
			atomic_store_explicit(&t->sh[pos].used, 1, memory_order_relaxed);
		sl_neigh_send(t, p, m);
		return;
	}
	sl_neigh_restart(t, (uint32_t)pos); /* a new packet starts a new round */
	memcpy(p->src, md->src_addr, sizeof(p->src));
	if (p->q_n == SL_NEIGH_QLEN) {
		sl_drop(t->w, m, SL_DROP_NEIGH_QUEUE_FULL);
	} else {
		p->q[p->q_n++] = m;
	}
	if (p->probes == 0)
		sl_neigh_send_probe(t, p, now, false);
}

static bool sl_zero16(const uint8_t *a)
{
	static const uint8_t z[16];

	return memcmp(a, z, 16) == 0;
}

int sl_neigh_learn(struct sl_neigh_table *t, const struct sl_neigh_key *key,
		   const struct rte_ether_addr *mac, unsigned int flags, uint8_t port_role,
		   const void *src, uint64_t now)
{
	struct sl_neigh_priv *p;
	uint8_t state, nstate;
	bool known, same;
	int32_t pos;

	pos = rte_hash_lookup(t->h, key);
	if (pos < 0) {
		if (!(flags & SL_NEIGH_F_CREATE) || !mac)
			return -ENOENT;
		pos = sl_neigh_add(t, key, port_role, now);
		if (pos < 0) {
			t->w->stats->drop[SL_DROP_NEIGH_TABLE_FULL]++;
			return -ENOSPC;
		}
	}
	p = &t->pv[pos];
	/* An entry learned from the neighbour's own request has no sender
	 * address for our later probes yet: the address it asked for is ours
	 * on that link. */
	if (src && sl_zero16(p->src))
		memcpy(p->src, src, key->family == SL_AF_INET6 ? 16 : 4);
	state = p->state;
	known = sl_neigh_usable(state);
	same = known && mac && rte_is_same_ether_addr(mac, &p->mac);
	nstate = state;

	if (!known) {
		/* INCOMPLETE or FAILED: any address is welcome. */
		if (!mac)
			return 0;
		nstate = (flags & SL_NEIGH_F_CONFIRM) ? SL_NEIGH_REACHABLE : SL_NEIGH_STALE;
	} else if (flags & SL_NEIGH_F_CONFIRM) {
		if (!mac || same || (flags & SL_NEIGH_F_OVERRIDE)) {
			nstate = SL_NEIGH_REACHABLE;
		} else {
			/* Solicited but not overriding a different MAC
			 * (RFC 4861 7.2.5): keep the MAC, suspect it. */
			if (state == SL_NEIGH_REACHABLE)
				nstate = SL_NEIGH_STALE;
			mac = NULL;
		}
	} else {
		if (!mac || same) {
			return 0; /* nothing new */
		} else if (flags & SL_NEIGH_F_OVERRIDE) {
			nstate = SL_NEIGH_STALE;
		} else {
			if (state == SL_NEIGH_REACHABLE)
				nstate = SL_NEIGH_STALE;
			mac = NULL;
		}
	}
	if (nstate == SL_NEIGH_REACHABLE) {
		p->confirmed_tsc = now;
		p->probing = 0;
		p->probes = 0;
		atomic_store_explicit(&t->sh[pos].used, 0, memory_order_relaxed);
	} else if (mac && !same) {
		/* New MAC from unsolicited information: counts as fresh. */
		p->confirmed_tsc = now;
		p->probing = 0;
		p->probes = 0;
	}
	sl_neigh_set(t, pos, nstate, mac);
	sl_count(t->w, SL_CNT_NEIGH_LEARNED, 1);
	if (sl_neigh_usable(nstate) && p->q_n)
		sl_neigh_release(t, p);
	return 0;
}

void sl_neigh_timer(struct sl_neigh_table *t, uint64_t now)
{
	sl_neigh_reclaim(t);
	if (t->havip_claims)
		sl_havip_timer(t, now);
	for (uint32_t pos = 0; pos < t->hi_pos; pos++) {
		struct sl_neigh_priv *p = &t->pv[pos];

		if (!p->in_use)
			continue;
		switch (p->state) {
		case SL_NEIGH_INCOMPLETE:
			if (p->probes == 0 || now < p->next_tsc)
				break;
			if (p->probes >= SL_NEIGH_MAX_PROBES)
				sl_neigh_fail(t, pos, now);
			else
				sl_neigh_send_probe(t, p, now, false);
			break;
		case SL_NEIGH_REACHABLE:
			if (now - p->confirmed_tsc >= t->reachable_tsc)
				sl_neigh_set(t, pos, SL_NEIGH_STALE, NULL);
			break;
		case SL_NEIGH_STALE:
			if (p->probing) {
				if (now < p->next_tsc)
					break;
				if (p->probes >= SL_NEIGH_MAX_PROBES)
					sl_neigh_fail(t, pos, now);
				else
					sl_neigh_send_probe(t, p, now, true);
			} else if (atomic_load_explicit(&t->sh[pos].used, memory_order_relaxed)) {
				atomic_store_explicit(&t->sh[pos].used, 0, memory_order_relaxed);
				p->probing = 1;
				p->probes = 0;
				sl_neigh_send_probe(t, p, now, true);
			} else if (now - p->confirmed_tsc >= t->gc_stale_tsc) {
				sl_neigh_del(t, pos);
			}
			break;
		case SL_NEIGH_FAILED:
			if (now - p->failed_tsc >= t->gc_failed_tsc)
				sl_neigh_del(t, pos);
			break;
		default:
			break;
		}
	}
}

void sl_neigh_invalidate(struct sl_neigh_table *t, const struct sl_neigh_key *key, uint64_t now)
{
	int32_t pos = rte_hash_lookup(t->h, key);

	if (pos >= 0 && (uint32_t)pos < t->size && t->pv[pos].in_use)
		sl_neigh_fail(t, (uint32_t)pos, now);
}

void sl_neigh_set_holder(struct sl_neigh_table *t, const struct sl_neigh_key *key, uint32_t holder)
{
	int32_t pos = rte_hash_lookup(t->h, key);

	if (pos >= 0 && (uint32_t)pos < t->size && t->pv[pos].in_use)
		atomic_store_explicit(&t->sh[pos].holder, holder, memory_order_release);
}

const struct sl_neigh_priv *sl_neigh_find(const struct sl_neigh_table *t,
					  const struct sl_neigh_key *key)
{
	int32_t pos = rte_hash_lookup(t->h, key);

	if (pos < 0 || (uint32_t)pos >= t->size || !t->pv[pos].in_use)
		return NULL;
	return &t->pv[pos];
}

uint32_t sl_neigh_export(const struct sl_neigh_table *t, const struct sl_bank_header *bank,
			 struct sl_neigh_export *out, uint32_t max, uint64_t now)
{
	uint32_t n = 0;

	for (uint32_t pos = 0; pos < t->hi_pos && n < max; pos++) {
		const struct sl_neigh_priv *p = &t->pv[pos];
		struct sl_neigh_export *e;
		uint64_t age;

		if (!p->in_use)
			continue;
		e = &out[n++];
		memset(e, 0, sizeof(*e));
		e->vpc_index = p->port_role == SL_ROLE_OUTSIDE ? SL_VPC_INTERNET : p->vpc_index;
		if (p->port_role == SL_ROLE_INSIDE && p->key.port < RTE_MAX_ETHPORTS) {
			uint32_t v;

			e->trunk = sl_ports[p->key.port].trunk;
			v = bank ? sl_bank_vlan_lookup(bank, e->trunk, p->key.vlan) : 0;
			if (v)
				e->vpc_index = v - 1;
		}
		e->vlan = p->key.vlan;
		e->port_role = p->port_role;
		e->family = p->key.family;
		memcpy(e->addr, p->key.addr, sizeof(e->addr));
		memcpy(e->mac, p->mac.addr_bytes, 6);
		e->state = p->state;
		e->n_queued = p->q_n;
		age = now > p->confirmed_tsc ? (now - p->confirmed_tsc) * 1000 / t->hz : 0;
		e->age_ms = age > UINT32_MAX ? UINT32_MAX : (uint32_t)age;
	}
	return n;
}
