/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The egress-only state table of the IPv6 gateway (issue 6): design note and
 * concurrency rules in sl_ip6gw.h.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_spinlock.h>

#include "sl_ip6gw.h"
#include "sl_nat.h" /* the TCP state machine and the default timeouts */
#include "sl_proto.h"

/* Per hash position. `key` is written under the lock before `live` is set
 * (release); readers only touch `last` and `tcp`. */
struct sl_ip6eo_ent {
	struct sl_ip6eo_key key;
	_Atomic uint64_t last;
	_Atomic uint8_t tcp;  /**< SL_NAT_TCP_* bits */
	_Atomic uint8_t live; /**< 1 from creation until deletion */
	uint8_t pad[6];
};

struct sl_ip6eo_table {
	struct rte_hash *h;
	struct rte_rcu_qsbr *qsbr;
	struct sl_ip6eo_ent *ent; /**< per position */
	uint32_t cap;
	uint32_t n_readers;
	uint64_t tmo[SL_NAT_TMO_MAX];	/**< in TSC ticks */
	rte_spinlock_t lock;		/**< adds and deletes */
	/** Flows in the hash (alive, or expired and not yet deleted by the
	 * scan): written under `lock`, read by anyone (sl_ip6eo_usage). */
	_Atomic uint32_t n_held;
	uint32_t cursor[RTE_MAX_LCORE]; /**< next position of each reader's scan */
};

struct sl_ip6eo_table *sl_ip6eo_create(const char *name, const struct sl_ip6eo_conf *conf)
{
	struct rte_hash_parameters hp = {0};
	struct rte_hash_rcu_config rc = {0};
	struct sl_ip6eo_table *t;
	char hname[RTE_HASH_NAMESIZE];
	uint64_t hz = rte_get_tsc_hz();
	size_t qsz;

	if (conf->capacity < 8 || conf->n_readers == 0 || conf->n_readers > RTE_MAX_LCORE) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc("sl_ip6eo", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (t == NULL)
		return NULL;
	t->cap = conf->capacity;
	t->n_readers = conf->n_readers;
	rte_spinlock_init(&t->lock);
	t->tmo[SL_NAT_TMO_UDP] = hz * (conf->udp_s ? conf->udp_s : SL_NAT_TMO_UDP_DEF);
	t->tmo[SL_NAT_TMO_TCP_EST] =
	    hz * (conf->tcp_est_s ? conf->tcp_est_s : SL_NAT_TMO_TCP_EST_DEF);
	t->tmo[SL_NAT_TMO_TCP_TRANS] =
	    hz * (conf->tcp_trans_s ? conf->tcp_trans_s : SL_NAT_TMO_TCP_TRANS_DEF);
	t->tmo[SL_NAT_TMO_ICMP] = hz * (conf->icmp_s ? conf->icmp_s : SL_NAT_TMO_ICMP_DEF);

	snprintf(hname, sizeof(hname), "%s", name);
	hp.name = hname;
	hp.entries = conf->capacity;
	hp.key_len = sizeof(struct sl_ip6eo_key);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = (int)rte_socket_id();
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	t->h = rte_hash_create(&hp);
	t->ent = rte_zmalloc("sl_ip6eo_ent", (size_t)conf->capacity * sizeof(*t->ent),
			     RTE_CACHE_LINE_SIZE);
	qsz = rte_rcu_qsbr_get_memsize(conf->n_readers);
	t->qsbr = rte_zmalloc("sl_ip6eo_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (t->h == NULL || t->ent == NULL || t->qsbr == NULL ||
	    rte_rcu_qsbr_init(t->qsbr, conf->n_readers) != 0)
		goto fail;
	rc.v = t->qsbr;
	rc.mode = RTE_HASH_QSBR_MODE_DQ;
	if (rte_hash_rcu_qsbr_add(t->h, &rc) != 0)
		goto fail;
	return t;
fail:
	sl_ip6eo_free(t);
	if (rte_errno == 0)
		rte_errno = ENOMEM;
	return NULL;
}

void sl_ip6eo_free(struct sl_ip6eo_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->h);
	rte_free(t->ent);
	rte_free(t->qsbr);
	rte_free(t);
}

static uint64_t sl_ip6eo_tmo(const struct sl_ip6eo_table *t, uint8_t proto, uint8_t tcp)
{
	if (proto == SL_IPPROTO_TCP)
		return t->tmo[sl_nat_tcp_class(tcp)];
	return t->tmo[proto == SL_IPPROTO_UDP ? SL_NAT_TMO_UDP : SL_NAT_TMO_ICMP];
}

static bool sl_ip6eo_fresh(const struct sl_ip6eo_table *t, const struct sl_ip6eo_ent *e,
			   uint64_t now)
{
	uint64_t last = atomic_load_explicit(&e->last, memory_order_relaxed);
	uint8_t tcp = atomic_load_explicit(&e->tcp, memory_order_relaxed);

	return now < last || now - last <= sl_ip6eo_tmo(t, e->key.proto, tcp);
}

/* Refresh the live entry at `pos` with a packet in direction `dir`. */
static void sl_ip6eo_touch(struct sl_ip6eo_ent *e, unsigned int dir, uint8_t flags, uint64_t now)
{
	if (e->key.proto == SL_IPPROTO_TCP) {
		uint8_t st = atomic_load_explicit(&e->tcp, memory_order_relaxed);

		atomic_store_explicit(&e->tcp, sl_nat_tcp_next(st, dir, flags),
				      memory_order_relaxed);
	}
	atomic_store_explicit(&e->last, now, memory_order_relaxed);
}

/* The live entry of `k`, NULL if none. */
static struct sl_ip6eo_ent *sl_ip6eo_find(struct sl_ip6eo_table *t, const struct sl_ip6eo_key *k)
{
	int32_t pos = rte_hash_lookup(t->h, k);

	if (pos < 0 || (uint32_t)pos >= t->cap)
		return NULL;
	if (!atomic_load_explicit(&t->ent[pos].live, memory_order_acquire))
		return NULL;
	return &t->ent[pos];
}

int sl_ip6eo_out(struct sl_ip6eo_table *t, const struct sl_ip6eo_key *k, uint8_t flags,
		 uint64_t now)
{
	struct sl_ip6eo_ent *e = sl_ip6eo_find(t, k);
	int32_t pos;

	if (likely(e != NULL)) {
		/* an expired flow the scan has not reached starts afresh */
		if (unlikely(!sl_ip6eo_fresh(t, e, now)))
			atomic_store_explicit(&e->tcp, 0, memory_order_relaxed);
		sl_ip6eo_touch(e, SL_NAT_DIR_ORIG, flags, now);
		return 0;
	}
	rte_spinlock_lock(&t->lock);
	pos = rte_hash_add_key(t->h, k); /* the existing position if another worker won */
	if (pos >= 0 && (uint32_t)pos < t->cap) {
		e = &t->ent[pos];
		if (!atomic_load_explicit(&e->live, memory_order_relaxed)) {
			e->key = *k;
			atomic_store_explicit(&e->tcp, 0, memory_order_relaxed);
			atomic_store_explicit(&e->live, 1, memory_order_release);
			atomic_fetch_add_explicit(&t->n_held, 1, memory_order_relaxed);
		}
		sl_ip6eo_touch(e, SL_NAT_DIR_ORIG, flags, now);
	}
	rte_spinlock_unlock(&t->lock);
	return e ? 0 : -ENOSPC;
}

bool sl_ip6eo_in(struct sl_ip6eo_table *t, const struct sl_ip6eo_key *k, uint8_t flags,
		 uint64_t now)
{
	struct sl_ip6eo_ent *e = sl_ip6eo_find(t, k);

	if (e == NULL || !sl_ip6eo_fresh(t, e, now))
		return false;
	sl_ip6eo_touch(e, SL_NAT_DIR_REPLY, flags, now);
	return true;
}

bool sl_ip6eo_alive(struct sl_ip6eo_table *t, const struct sl_ip6eo_key *k, uint64_t now)
{
	struct sl_ip6eo_ent *e = sl_ip6eo_find(t, k);

	return e != NULL && sl_ip6eo_fresh(t, e, now);
}

void sl_ip6eo_reader_online(struct sl_ip6eo_table *t, unsigned int idx)
{
	rte_rcu_qsbr_thread_register(t->qsbr, idx);
	rte_rcu_qsbr_thread_online(t->qsbr, idx);
}

void sl_ip6eo_reader_offline(struct sl_ip6eo_table *t, unsigned int idx)
{
	rte_rcu_qsbr_thread_offline(t->qsbr, idx);
	rte_rcu_qsbr_thread_unregister(t->qsbr, idx);
}

void sl_ip6eo_quiescent(struct sl_ip6eo_table *t, unsigned int idx)
{
	rte_rcu_qsbr_quiescent(t->qsbr, idx);
}

unsigned int sl_ip6eo_expire(struct sl_ip6eo_table *t, unsigned int idx, uint64_t now,
			     unsigned int budget)
{
	unsigned int gone = 0;
	uint32_t p;

	if (idx >= t->n_readers)
		return 0;
	p = t->cursor[idx];
	if (p % t->n_readers != idx || p >= t->cap)
		p = idx;
	for (unsigned int i = 0; i < budget; i++) {
		struct sl_ip6eo_ent *e = &t->ent[p];

		if (atomic_load_explicit(&e->live, memory_order_acquire) &&
		    !sl_ip6eo_fresh(t, e, now)) {
			rte_spinlock_lock(&t->lock);
			/* positions are only this reader's to delete: still expired */
			if (atomic_load_explicit(&e->live, memory_order_relaxed) &&
			    !sl_ip6eo_fresh(t, e, now)) {
				atomic_store_explicit(&e->live, 0, memory_order_release);
				atomic_fetch_sub_explicit(&t->n_held, 1, memory_order_relaxed);
				rte_hash_del_key(t->h,
						 &e->key); /* position freed after a grace period */
				gone++;
			}
			rte_spinlock_unlock(&t->lock);
		}
		p += t->n_readers;
		if (p >= t->cap)
			p = idx;
	}
	t->cursor[idx] = p;
	return gone;
}

void sl_ip6eo_usage(const struct sl_ip6eo_table *t, uint32_t *held, uint32_t *capacity)
{
	*held = atomic_load_explicit(&t->n_held, memory_order_relaxed);
	*capacity = t->cap;
}

unsigned int sl_ip6eo_count(struct sl_ip6eo_table *t, uint64_t now)
{
	unsigned int n = 0;

	for (uint32_t p = 0; p < t->cap; p++)
		n += atomic_load_explicit(&t->ent[p].live, memory_order_acquire) &&
		     sl_ip6eo_fresh(t, &t->ent[p], now);
	return n;
}

bool sl_ip6eo_key_of(const struct rte_mbuf *m, uint32_t l3_off, uint8_t proto, uint32_t l4_off,
		     bool inbound, uint32_t vpc, struct sl_ip6eo_key *k, uint8_t *tcp_flags)
{
	uint8_t addrs[32], l4[14];
	const uint8_t *a, *p;
	uint32_t need;

	memset(k, 0, sizeof(*k));
	*tcp_flags = 0;
	switch (proto) {
	case SL_IPPROTO_TCP:
		need = 14; /* ports, then the flags at offset 13 */
		break;
	case SL_IPPROTO_UDP:
		need = 4;
		break;
	case SL_IPPROTO_ICMPV6:
		need = 6; /* type, code, checksum, identifier */
		break;
	default:
		return false; /* other protocols and non-first fragments */
	}
	a = rte_pktmbuf_read(m, l3_off + 8, sizeof(addrs), addrs);
	p = rte_pktmbuf_read(m, l4_off, need, l4);
	if (a == NULL || p == NULL)
		return false;
	if (proto == SL_IPPROTO_ICMPV6) {
		/* echo: the request goes out, the reply comes in */
		if (p[0] != (inbound ? SL_ICMP6_ECHO_REPLY : SL_ICMP6_ECHO_REQUEST))
			return false;
		k->in_port = (uint16_t)(p[4] << 8 | p[5]);
	} else {
		uint16_t sport = (uint16_t)(p[0] << 8 | p[1]), dport = (uint16_t)(p[2] << 8 | p[3]);

		k->in_port = inbound ? dport : sport;
		k->ext_port = inbound ? sport : dport;
		if (proto == SL_IPPROTO_TCP)
			*tcp_flags = p[13];
	}
	memcpy(k->in_addr, inbound ? a + 16 : a, 16);
	memcpy(k->ext_addr, inbound ? a : a + 16, 16);
	k->vpc_index = vpc;
	k->proto = proto;
	return true;
}
