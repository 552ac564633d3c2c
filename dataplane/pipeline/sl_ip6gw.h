/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 gateway data path (issue 6, docs/ipv6gw.md): lookups in the bank's
 * IPv6 gateway section and the egress-only state table every worker shares.
 *
 * Design note (the state table, ip6gw_state.c)
 * -----------------------------------------------
 * A flow of an egress-only address is (VPC index, inside address and port,
 * Internet address and port, protocol); ICMPv6 echo uses its identifier as
 * the inside port and 0 as the other. The table is an rte_hash with
 * RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF: lookups are lock-free from every
 * worker; adds and deletes (the miss path of an outbound packet, and the
 * expiry scan) take t->lock. Per hash position, beside the hash, the entry
 * keeps its key, the last time it saw a packet (TSC, or the test clock)
 * and the TCP bits of dataplane/nat's state machine (sl_nat_tcp_next), all
 * updated by readers with relaxed atomics. A flow is alive while
 * now - last <= its timeout (the NAT defaults: UDP 300 s, TCP established
 * 7440 s, TCP transitory 240 s, ICMPv6 60 s); an expired flow is treated as
 * absent at once, and removed by the scan.
 *
 * Expiry: each worker scans its share of the positions (position % readers
 * == its index), `budget` per loop iteration, and deletes expired flows.
 * A deleted position goes back to the hash only after every worker
 * reported a quiescent state (rte_hash_rcu_qsbr_add, defer-queue mode):
 * workers report once per loop iteration and hold no position across
 * iterations, so nobody writes a position that was reused.
 *
 * A refresh racing with the deletion of the same flow at the instant it
 * expires loses: the next outbound packet creates it again.
 */
#ifndef SL_IP6GW_H
#define SL_IP6GW_H

#include <stdbool.h>
#include <stdint.h>

#include "sl_pipeline.h"

/* ---- the section (sl_shm.h, struct sl_ip6gw_sec) ----------------------- */

/** The bank's IPv6 gateway section, NULL if none (sl_bank_valid checked
 * its bounds). */
static inline const struct sl_ip6gw_sec *sl_bank_ip6gw(const struct sl_bank_header *b)
{
	return b->ip6gw_off ? SL_BANK_PTR(b, b->ip6gw_off, const struct sl_ip6gw_sec) : NULL;
}

#define SL_IP6GW_PTR(sec, off, type) ((const type *)((const uint8_t *)(sec) + (off)))

/** The entry of address (hi, lo), the first of its VPCs', NULL if none. */
static inline const struct sl_ip6gw_addr_ent *sl_ip6gw_addr_find(const struct sl_ip6gw_sec *s,
								 uint64_t hi, uint64_t lo)
{
	const struct sl_ip6gw_addr_ent *e = SL_IP6GW_PTR(s, s->addr_off, struct sl_ip6gw_addr_ent);
	uint32_t first = 0, n = s->n_addrs;

	while (n > 0) { /* lower bound */
		uint32_t half = n / 2;
		const struct sl_ip6gw_addr_ent *m = &e[first + half];

		if (m->hi < hi || (m->hi == hi && m->lo < lo)) {
			first += half + 1;
			n -= half + 1;
		} else {
			n = half;
		}
	}
	if (first >= s->n_addrs || e[first].hi != hi || e[first].lo != lo)
		return NULL;
	return &e[first];
}

/** As above, in VPC `vpc` (addresses are sorted by (address, VPC)). */
static inline const struct sl_ip6gw_addr_ent *
sl_ip6gw_addr_find_vpc(const struct sl_ip6gw_sec *s, uint64_t hi, uint64_t lo, uint32_t vpc)
{
	const struct sl_ip6gw_addr_ent *e = sl_ip6gw_addr_find(s, hi, lo);
	const struct sl_ip6gw_addr_ent *end =
	    SL_IP6GW_PTR(s, s->addr_off, struct sl_ip6gw_addr_ent) + s->n_addrs;

	while (e && e < end && e->hi == hi && e->lo == lo) {
		if (e->vpc_index == vpc)
			return e;
		e++;
	}
	return NULL;
}

/** The gateway whose VPC holds (hi, lo), NULL if none. */
static inline const struct sl_ip6gw_gw_ent *sl_ip6gw_gw_of(const struct sl_ip6gw_sec *s,
							   uint64_t hi, uint64_t lo)
{
	uint32_t g =
	    sl_rt6_search(SL_IP6GW_PTR(s, s->vpc_rt_off, struct sl_rt6_entry), s->n_vpc_rt, hi, lo);

	return g ? SL_IP6GW_PTR(s, s->gw_off, struct sl_ip6gw_gw_ent) + g - 1 : NULL;
}

/** The next-hop index of gateway `g`'s ingress route rule for (hi, lo),
 * 0 (SL_NH_NONE) if no rule covers it. */
static inline uint32_t sl_ip6gw_rule(const struct sl_ip6gw_sec *s, const struct sl_ip6gw_gw_ent *g,
				     uint64_t hi, uint64_t lo)
{
	return sl_rt6_search(SL_IP6GW_PTR(s, s->rule_rt_off, struct sl_rt6_entry) +
				 g->rule_rt_first,
			     g->rule_rt_n, hi, lo);
}

/* ---- the egress-only state table (ip6gw_state.c) ------------------------ */

/** A flow, 48 bytes, no padding holes (hashed as words). */
struct __attribute__((aligned(8))) sl_ip6eo_key {
	uint8_t in_addr[16];  /**< the VPC side (the egress-only address) */
	uint8_t ext_addr[16]; /**< the Internet side */
	uint32_t vpc_index;
	uint16_t in_port;  /**< TCP/UDP port, ICMPv6 echo identifier */
	uint16_t ext_port; /**< TCP/UDP port, 0 for ICMPv6 */
	uint8_t proto;	   /**< SL_IPPROTO_TCP / _UDP / _ICMPV6 */
	uint8_t pad[7];
};

_Static_assert(sizeof(struct sl_ip6eo_key) == 48, "egress-only key");

struct sl_ip6eo_table;

/** Timeouts in seconds (0: the defaults). */
struct sl_ip6eo_conf {
	uint32_t capacity;  /**< flows */
	uint32_t n_readers; /**< workers: QSBR threads 0..n_readers-1 */
	uint32_t udp_s, tcp_est_s, tcp_trans_s, icmp_s;
};

/** NULL with rte_errno on failure. `name` must be unique in the process. */
struct sl_ip6eo_table *sl_ip6eo_create(const char *name, const struct sl_ip6eo_conf *conf);
void sl_ip6eo_free(struct sl_ip6eo_table *t);

/** An outbound packet of flow `k` with TCP `flags` (0 if not TCP) at
 * `now`: refresh the flow or create it. 0, or -ENOSPC (table full). */
int sl_ip6eo_out(struct sl_ip6eo_table *t, const struct sl_ip6eo_key *k, uint8_t flags,
		 uint64_t now);
/** An inbound packet of flow `k`: true (and the flow refreshed) if it is
 * alive. Lock-free. */
bool sl_ip6eo_in(struct sl_ip6eo_table *t, const struct sl_ip6eo_key *k, uint8_t flags,
		 uint64_t now);
/** Like sl_ip6eo_in without refreshing (ICMPv6 errors about a flow). */
bool sl_ip6eo_alive(struct sl_ip6eo_table *t, const struct sl_ip6eo_key *k, uint64_t now);

/** Reader registration (worker `idx`) and its per-iteration report. */
void sl_ip6eo_reader_online(struct sl_ip6eo_table *t, unsigned int idx);
void sl_ip6eo_reader_offline(struct sl_ip6eo_table *t, unsigned int idx);
void sl_ip6eo_quiescent(struct sl_ip6eo_table *t, unsigned int idx);
/** Examine up to `budget` positions of worker `idx`'s share; delete the
 * expired flows. Returns the number deleted. */
unsigned int sl_ip6eo_expire(struct sl_ip6eo_table *t, unsigned int idx, uint64_t now,
			     unsigned int budget);
/**
 * The flow of the IPv6 packet at `l3_off` of `m` (upper layer `proto` at
 * `l4_off`), seen from the egress-only address: outbound (it is the
 * source) or inbound (the destination). TCP, UDP, and ICMPv6 echo (the
 * request outbound, the reply inbound) have flows; false for anything
 * else, or when the L4 header is not in the packet. *tcp_flags: the TCP
 * flags byte, 0 otherwise.
 */
bool sl_ip6eo_key_of(const struct rte_mbuf *m, uint32_t l3_off, uint8_t proto, uint32_t l4_off,
		     bool inbound, uint32_t vpc, struct sl_ip6eo_key *k, uint8_t *tcp_flags);

/** Positions each worker examines for expiry per loop iteration. */
#define SL_IP6EO_EXPIRE_BUDGET 64u

/** Flows held (alive, or expired and not yet deleted by the scan) and the
 * capacity: O(1), from any thread (the stats export, telemetry). */
void sl_ip6eo_usage(const struct sl_ip6eo_table *t, uint32_t *held, uint32_t *capacity);

/** Flows alive in the table (for tests and telemetry; O(capacity)). */
unsigned int sl_ip6eo_count(struct sl_ip6eo_table *t, uint64_t now);

#endif /* SL_IP6GW_H */
