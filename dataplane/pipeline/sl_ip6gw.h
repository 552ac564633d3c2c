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

#include <rte_prefetch.h>

#include "sl_pipeline.h"
#include "sl_rt_burst.h"

/* ---- the section (sl_shm.h, struct sl_ip6gw_sec) ----------------------- */

/** The bank's IPv6 gateway section, NULL if none (sl_bank_valid checked
 * its bounds). */
static inline const struct sl_ip6gw_sec *sl_bank_ip6gw(const struct sl_bank_header *b)
{
	return b->ip6gw_off ? SL_BANK_PTR(b, b->ip6gw_off, const struct sl_ip6gw_sec) : NULL;
}

#define SL_IP6GW_PTR(sec, off, type) ((const type *)((const uint8_t *)(sec) + (off)))

/* ---- lookups of a whole vector (issue 9, lockstep) --------------------------
 *
 * ip6gw_in does three dependent searches per packet (the gateway whose VPC
 * holds the destination, the address entry in that VPC, the gateway's rule
 * intervals) and then reads the next hop: one packet at a time, each miss
 * waited for in turn (~50 % of the ipv6-ingress-rule mix's samples in
 * session 5). Now every search of the vector advances level by level with
 * the next level's line prefetched (sl_rt_burst.h's sl_rt6_lookup_burst,
 * on views of the section's interval tables), and the address entry is
 * one probe of the section's address hash (ABI 17) instead of a binary
 * search over the 104-byte addr[] entries.
 */

/** The first slot of (hi, lo) in VPC `vpc`'s probe: prefetch it, then
 * sl_ip6gw_addr_probe() from it. */
static inline const struct sl_ip6gw_addr_slot *
sl_ip6gw_addr_slot0(const struct sl_ip6gw_sec *s, uint64_t hi, uint64_t lo, uint32_t vpc)
{
	return SL_IP6GW_PTR(s, s->addr_hash_off, struct sl_ip6gw_addr_slot) +
	       (sl_ip6gw_addr_hash(hi, lo, vpc) & s->addr_hash_mask);
}

/** The slot of address (hi, lo) in VPC `vpc`, probing from `p` (its
 * sl_ip6gw_addr_slot0), NULL if the section has no such entry; the slot's
 * idx - 1 is the entry's index in addr[] (and the police section's ip6[]).
 * The probe is bounded by the slot count: a malformed hash cannot loop. */
static inline const struct sl_ip6gw_addr_slot *
sl_ip6gw_addr_probe(const struct sl_ip6gw_sec *s, const struct sl_ip6gw_addr_slot *p, uint64_t hi,
		    uint64_t lo, uint32_t vpc)
{
	const struct sl_ip6gw_addr_slot *t =
	    SL_IP6GW_PTR(s, s->addr_hash_off, struct sl_ip6gw_addr_slot);

	for (uint32_t k = 0; k <= s->addr_hash_mask && p->idx != 0; k++) {
		if (p->hi == hi && p->lo == lo && p->vpc_index == vpc)
			return p;
		p = t + ((uint32_t)(p - t + 1) & s->addr_hash_mask);
	}
	return NULL;
}

/** Prefetch what sl_police6_next() reads for address index `a`: the
 * police section's ip6[a].pol (8 aligned bytes; the 24-byte entry itself
 * may start on the line before). */
static inline void sl_ip6gw_prefetch_pol(const struct sl_pol_sec *ps, uint32_t a)
{
	if (ps && a < ps->n_ip6)
		rte_prefetch0(SL_POL_SEC_PTR(ps, ps->ip6_off, struct sl_pol_ip6_ent)[a].pol);
}

/** The slot of address (hi, lo) in VPC `vpc`, NULL if none. */
static inline const struct sl_ip6gw_addr_slot *
sl_ip6gw_addr_find_vpc(const struct sl_ip6gw_sec *s, uint64_t hi, uint64_t lo, uint32_t vpc)
{
	return sl_ip6gw_addr_probe(s, sl_ip6gw_addr_slot0(s, hi, lo, vpc), hi, lo, vpc);
}

/**
 * A route-table view of the section's intervals e[first, first + n) at
 * section offset `off` (vpc_rt_off, rule_rt_off): sl_rt6_lookup_burst()
 * (sl_rt_burst.h) then searches them in lockstep with the VPC tables,
 * with sl_rt6_search()'s steps and results. The section lies in the bank
 * at b->ip6gw_off (sl_bank_ip6gw).
 */
static inline void sl_ip6gw_rt_view(const struct sl_bank_header *b, uint64_t off, uint32_t first,
				    uint32_t n, struct sl_route_table *v)
{
	*v = (struct sl_route_table){.v6_off = b->ip6gw_off + off +
					       (uint64_t)first * sizeof(struct sl_rt6_entry),
				     .v6_n = n};
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
