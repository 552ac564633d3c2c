/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour table (neigh.c) and ARP/ND (arpnd.c) of sluice-dp.
 *
 * Concurrency rules (details in neigh.c):
 *   - one writer, the main lcore: it adds, updates and deletes entries and
 *     owns everything in struct sl_neigh_priv;
 *   - workers only look up (rte_hash lock-free readers), load the packed
 *     MAC+state word of the entry with acquire semantics, and may set the
 *     entry's `used` flag (relaxed) to ask for a re-probe of a STALE entry;
 *   - a deleted entry's hash position is reused only after every worker has
 *     passed a quiescent state (rte_rcu_qsbr, one report per loop
 *     iteration), so a worker never reads a recycled entry.
 */
#ifndef SL_NEIGH_H
#define SL_NEIGH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "sl_pipeline.h"

#define SL_NEIGH_SIZE 16384	    /* entries (bounded: see neigh.c) */
#define SL_NEIGH_QLEN 8		    /* packets waiting per unresolved entry */
#define SL_NEIGH_MAX_PROBES 3	    /* unanswered requests before FAILED */
#define SL_NEIGH_RETRANS_MS 1000    /* between requests */
#define SL_NEIGH_REACHABLE_MS 30000 /* REACHABLE -> STALE without confirmation */
#define SL_NEIGH_GC_FAILED_MS 60000 /* FAILED entries are deleted after this */
#define SL_NEIGH_GC_STALE_MS 600000 /* unused STALE entries are deleted after this */

/** Hash key: where the neighbour is and its address. 8-byte aligned: the
 * CRC hash reads it in 64-bit words. 32 bytes (issue 9): rte_hash compares
 * keys of 16, 32, 48... bytes with vector instructions and any other size
 * with memcmp() through a function pointer, which was a tenth of NEIGH. */
struct __attribute__((aligned(8))) sl_neigh_key {
	uint16_t port;	  /**< DPDK port id */
	uint16_t vlan;	  /**< 802.1Q VLAN id, 0 = untagged */
	uint8_t family;	  /**< SL_AF_INET / SL_AF_INET6 */
	uint8_t pad[3];	  /**< zero */
	uint8_t addr[16]; /**< network order; IPv4 in the first 4 bytes, rest zero */
	uint8_t pad2[8];  /**< zero (sl_neigh_key_init): the key is 32 bytes */
};

_Static_assert(sizeof(struct sl_neigh_key) == 32, "neighbour key");

/* The MAC (low 48 bits, byte 0 of the address in bits 0-7) and the state
 * (enum sl_neigh_state, bits 48-55) in one word, so a reader always sees a
 * MAC that belongs to the state it reads. */
#define SL_NEIGH_STATE_SHIFT 48

/** What workers read. One writer (main lcore). */
struct sl_neigh_shared {
	_Atomic uint64_t word;
	_Atomic uint32_t used; /**< set by workers when they use a STALE entry */
	/** Entry of a HaVip address (havip.c): the IPv4 address (host order)
	 * of the associated instance that holds it, 0 if none; written by
	 * the main lcore after the word, read by workers for the IPv6 ingress
	 * rules via the HaVip (stage ip6gw_in). 0 for every other entry. */
	_Atomic uint32_t holder;
};

/** Main lcore's view of an entry. */
struct sl_neigh_priv {
	struct sl_neigh_key key;
	uint8_t in_use;
	uint8_t state;	 /**< enum sl_neigh_state, mirrors the shared word */
	uint8_t probing; /**< STALE entry being re-probed */
	uint8_t probes;	 /**< requests sent in the current round */
	uint8_t q_n;
	uint8_t port_role;
	uint16_t pad;
	uint32_t hash;	    /**< rte_hash signature: spreads inject traffic */
	uint32_t vpc_index; /**< for display, as of the last use */
	struct rte_ether_addr mac;
	uint8_t src[16];	/**< our address on the link: ARP/NS sender */
	uint64_t confirmed_tsc; /**< last confirmation (or learn) */
	uint64_t next_tsc;	/**< next retransmission */
	uint64_t failed_tsc;
	struct rte_mbuf *q[SL_NEIGH_QLEN];
};

/* HaVip holders (havip.c, issue 12; docs/havip.md): main lcore only. One
 * record per HaVip seen claimed: the accepted holder and a pending claim
 * waiting for an associated instance's MAC. */
#define SL_HAVIP_HOLDERS SL_MAX_HAVIP_EXPORT
#define SL_HAVIP_CLAIM_MS 3500 /* a pending claim lives this long (3 probes) */

struct sl_havip_holder {
	char havip_id[SL_ID_LEN];
	char holder_id[SL_ID_LEN]; /**< InstanceId, valid with has_holder */
	uint32_t vpc_index;
	uint32_t addr; /**< HaVip address, host order */
	uint8_t in_use;
	uint8_t has_holder;
	uint8_t claim;	     /**< a claim waits for verification */
	uint8_t claim_reply; /**< it came as an ARP reply (confirms) */
	uint16_t claim_port, claim_vlan;
	uint16_t port, vlan;		 /**< where the holder was accepted */
	struct rte_ether_addr mac;	 /**< the holder's */
	struct rte_ether_addr claim_mac; /**< the pending claimant's */
	uint64_t since_tsc;		 /**< holder accepted */
	uint64_t claim_tsc;		 /**< claim received */
	uint32_t changes;
};

/** Sends a frame that already has its L2 header (md->out_port set);
 * consumes it. `hash` keeps frames for one neighbour on one worker. */
typedef void (*sl_neigh_xmit_fn)(void *arg, struct rte_mbuf *m, uint32_t hash);

struct sl_neigh_table {
	struct rte_hash *h;
	struct rte_rcu_qsbr *qsbr;  /* readers: the workers */
	struct sl_neigh_shared *sh; /* [size], indexed by hash position */
	struct sl_neigh_priv *pv;   /* [size], main lcore only */
	uint32_t size;
	uint32_t n_entries;
	uint32_t hi_pos; /* every position in use is below this (scan bound) */
	uint32_t n_readers;
	uint64_t hz;
	uint64_t retrans_tsc, reachable_tsc, gc_failed_tsc, gc_stale_tsc;
	/* Deleted positions waiting for a grace period (FIFO). */
	uint32_t pend_head, pend_n;
	uint32_t *pend_pos;
	uint64_t *pend_token;

	/* HaVip holders (havip.c): records [0, havip_hi) may be in use;
	 * havip_claims of them have a pending claim. */
	struct sl_havip_holder *havip;
	uint32_t havip_hi, havip_claims;

	struct sl_worker *w; /* the main lcore's context: counters */
	sl_neigh_xmit_fn xmit;
	void *xmit_arg;
};

static inline uint64_t sl_neigh_pack(const struct rte_ether_addr *mac, uint8_t state)
{
	uint64_t v = 0;

	if (mac)
		for (int i = 5; i >= 0; i--)
			v = (v << 8) | mac->addr_bytes[i];
	return v | ((uint64_t)state << SL_NEIGH_STATE_SHIFT);
}

static inline uint8_t sl_neigh_unpack(uint64_t v, struct rte_ether_addr *mac)
{
	/* Byte i of the MAC is bits 8i..8i+7, so on a little-endian CPU the
	 * MAC is the word's first six bytes: one copy instead of six byte
	 * stores (which the 4+2-byte loads of rte_ether_addr_copy() could not
	 * forward from: a stall per packet in NEIGH, issue 9). */
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	memcpy(mac->addr_bytes, &v, RTE_ETHER_ADDR_LEN);
#else
	for (int i = 0; i < 6; i++)
		mac->addr_bytes[i] = (uint8_t)(v >> (8 * i));
#endif
	return (uint8_t)(v >> SL_NEIGH_STATE_SHIFT);
}

static inline bool sl_neigh_usable(uint8_t state)
{
	return state == SL_NEIGH_REACHABLE || state == SL_NEIGH_STALE;
}

/* ---- reader side (workers) --------------------------------------------- */

/** Register reader `id` (worker number) and bring it online. */
static inline void sl_neigh_reader_online(struct sl_neigh_table *t, unsigned int id)
{
	rte_rcu_qsbr_thread_register(t->qsbr, id);
	rte_rcu_qsbr_thread_online(t->qsbr, id);
}

static inline void sl_neigh_reader_offline(struct sl_neigh_table *t, unsigned int id)
{
	rte_rcu_qsbr_thread_offline(t->qsbr, id);
	rte_rcu_qsbr_thread_unregister(t->qsbr, id);
}

/** Once per loop iteration, holding no entry position. */
static inline void sl_neigh_quiescent(struct sl_neigh_table *t, unsigned int id)
{
	rte_rcu_qsbr_quiescent(t->qsbr, id);
}

/**
 * Look an entry up. Returns its state and fills `mac` (meaningful only for
 * REACHABLE and STALE); SL_NEIGH_INCOMPLETE if there is no entry. Marks a
 * STALE entry used so the main lcore re-probes it.
 */
static inline uint8_t sl_neigh_read(struct sl_neigh_table *t, int32_t pos,
				    struct rte_ether_addr *mac)
{
	struct sl_neigh_shared *s;
	uint8_t state;

	if (pos < 0 || (uint32_t)pos >= t->size)
		return SL_NEIGH_INCOMPLETE;
	s = &t->sh[pos];
	state = sl_neigh_unpack(atomic_load_explicit(&s->word, memory_order_acquire), mac);
	if (state == SL_NEIGH_STALE && !atomic_load_explicit(&s->used, memory_order_relaxed))
		atomic_store_explicit(&s->used, 1, memory_order_relaxed);
	return state;
}

/** Prefetch the entry at hash position `pos` before sl_neigh_read()s it
 * (no-op for a miss). */
static inline void sl_neigh_prefetch(const struct sl_neigh_table *t, int32_t pos)
{
	if (pos >= 0 && (uint32_t)pos < t->size)
		rte_prefetch0(&t->sh[pos]);
}

static inline uint8_t sl_neigh_lookup(struct sl_neigh_table *t, const struct sl_neigh_key *k,
				      struct rte_ether_addr *mac)
{
	return sl_neigh_read(t, rte_hash_lookup(t->h, k), mac);
}

/**
 * The holder of the HaVip whose neighbour key is `k` (the instance's IPv4
 * address, host order), 0 if the entry is not usable or names nobody.
 * A holder change may be seen one packet late (the MAC is stored first).
 */
static inline uint32_t sl_neigh_holder(struct sl_neigh_table *t, const struct sl_neigh_key *k)
{
	int32_t pos = rte_hash_lookup(t->h, k);
	struct rte_ether_addr mac;

	if (!sl_neigh_usable(sl_neigh_read(t, pos, &mac)))
		return 0;
	return atomic_load_explicit(&t->sh[pos].holder, memory_order_acquire);
}

/* ---- L2 rewrite --------------------------------------------------------- */

/**
 * Replace whatever precedes md->l3_off with an Ethernet header (+802.1Q if
 * vlan != 0) from port's MAC to `dst`; sets md->l3_off, out_port, out_vlan.
 * `ethertype` in host order. Returns 0 or -ENOSPC / -EINVAL.
 */
static inline int sl_l2_encap(struct rte_mbuf *m, uint16_t port, uint16_t vlan,
			      const struct rte_ether_addr *dst, uint16_t ethertype)
{
	struct sl_meta *md = sl_meta(m);
	uint16_t hl = vlan ? sizeof(struct rte_ether_hdr) + sizeof(struct rte_vlan_hdr)
			   : sizeof(struct rte_ether_hdr);
	struct rte_ether_hdr *eh;

	if (md->l3_off && rte_pktmbuf_adj(m, md->l3_off) == NULL)
		return -EINVAL;
	md->l3_off = 0;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, hl);
	if (unlikely(eh == NULL))
		return -ENOSPC;
	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(&sl_ports[port].mac, &eh->src_addr);
	if (vlan) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eh + 1);

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = rte_cpu_to_be_16(vlan & 0xfff);
		vh->eth_proto = rte_cpu_to_be_16(ethertype);
	} else {
		eh->ether_type = rte_cpu_to_be_16(ethertype);
	}
	md->l3_off = hl;
	md->out_port = port;
	md->out_vlan = vlan;
	return 0;
}

static inline uint16_t sl_family_ethertype(uint8_t family)
{
	return family == SL_AF_INET6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4;
}

/* ---- writer side (main lcore) ------------------------------------------ */

/**
 * Create a table of `size` entries for `n_readers` worker lcores (reader
 * ids 0..n_readers-1). `w` is the main lcore's context (counters), `xmit`
 * sends frames. NULL with errno on failure.
 */
struct sl_neigh_table *sl_neigh_create(const char *name, uint32_t size, unsigned int n_readers,
				       struct sl_worker *w, sl_neigh_xmit_fn xmit, void *xmit_arg);
/** Free the table and every queued packet. No reader may be online. */
void sl_neigh_free(struct sl_neigh_table *t);

/**
 * A packet punted SL_PUNT_UNRESOLVED by NEIGH (md: out_port, out_vlan,
 * family, nh_addr, src_addr, vpc_index, l3_off): queue it on its entry
 * (creating it) and start resolution, or send it at once if the entry
 * became usable meanwhile. Consumes `m`.
 */
void sl_neigh_resolve(struct sl_neigh_table *t, struct rte_mbuf *m, uint64_t now);

#define SL_NEIGH_F_CREATE 0x01	 /* create the entry if missing */
#define SL_NEIGH_F_CONFIRM 0x02	 /* reachability confirmed (reply, solicited NA) */
#define SL_NEIGH_F_OVERRIDE 0x04 /* the MAC given replaces a different one */

/**
 * Learn or update `key` -> `mac` (mac NULL: confirmation without a
 * link-layer address, ignored unless the entry has one). `src` (may be
 * NULL) is the gateway's own address on that link, e.g. the address the
 * neighbour asked for: it becomes the sender of later probes if the entry
 * has none yet. Releases the entry's queue when it becomes usable. Returns
 * 0, -ENOENT (no entry and no CREATE), -ENOSPC (table full).
 */
int sl_neigh_learn(struct sl_neigh_table *t, const struct sl_neigh_key *key,
		   const struct rte_ether_addr *mac, unsigned int flags, uint8_t port_role,
		   const void *src, uint64_t now);

/** Retransmissions, failures, aging, re-probes, garbage collection and
 * reclaiming deleted positions. Call often (every few ms). */
void sl_neigh_timer(struct sl_neigh_table *t, uint64_t now);

/**
 * Make sure `key` is being resolved: create the entry if missing and send
 * a request from `src` unless it is usable or already being resolved.
 * Nothing is queued. 0, -ENOSPC (table full).
 */
int sl_neigh_probe(struct sl_neigh_table *t, const struct sl_neigh_key *key, uint8_t port_role,
		   const void *src, uint64_t now);

/** Set the HaVip holder of `key`'s entry (struct sl_neigh_shared.holder);
 * no-op without an entry. */
void sl_neigh_set_holder(struct sl_neigh_table *t, const struct sl_neigh_key *key, uint32_t holder);

/** Mark `key` FAILED (workers stop using it; its queue is dropped): its
 * MAC is known to be wrong. No-op without an entry. */
void sl_neigh_invalidate(struct sl_neigh_table *t, const struct sl_neigh_key *key, uint64_t now);

/** Main-lcore view of an entry (NULL if none): for tests and display. */
const struct sl_neigh_priv *sl_neigh_find(const struct sl_neigh_table *t,
					  const struct sl_neigh_key *key);

/**
 * Snapshot up to `max` entries into `out` (vpc_index from `bank`'s VLAN map
 * for inside entries when a bank is given). Returns the number written.
 */
uint32_t sl_neigh_export(const struct sl_neigh_table *t, const struct sl_bank_header *bank,
			 struct sl_neigh_export *out, uint32_t max, uint64_t now);

/** Build a key (address copied from `addr`: 4 or 16 bytes by family). */
static inline void sl_neigh_key_init(struct sl_neigh_key *k, uint16_t port, uint16_t vlan,
				     uint8_t family, const void *addr)
{
	memset(k, 0, sizeof(*k));
	k->port = port;
	k->vlan = vlan;
	k->family = family;
	memcpy(k->addr, addr, family == SL_AF_INET6 ? 16 : 4);
}

/* ---- ARP / ND (arpnd.c) -------------------------------------------------- */

/** Handle a punted ARP frame (md->l3_off at the ARP header). Consumes `m`. */
void sl_arp_input(struct sl_neigh_table *t, struct rte_mbuf *m, uint64_t now);

/** Handle a punted ND message (md->l3_off at the IPv6 header). Consumes `m`. */
void sl_nd_input(struct sl_neigh_table *t, struct rte_mbuf *m, uint64_t now);

/**
 * Send a resolution request for entry `p`: ARP request or neighbour
 * solicitation from p->src; to broadcast / the solicited-node multicast
 * group, or unicast to `dst` (re-probe of a known MAC) if dst is not NULL.
 * Returns 0 or -ENOMEM.
 */
int sl_neigh_solicit(struct sl_neigh_table *t, const struct sl_neigh_priv *p,
		     const struct rte_ether_addr *dst);

/** Table of the packet's side: on the inside the table of the VPC of
 * (trunk of `port`, `vlan`), on the outside the Internet table. NULL if
 * unknown. */
const struct sl_route_table *sl_arpnd_table(const struct sl_bank_header *b, uint8_t role,
					    uint16_t port, uint16_t vlan);

/* ---- HaVip holders (havip.c, issue 12) ----------------------------------- */

/** The HaVip of VPC `vpc_index` with host-order address `addr` in bank `b`,
 * NULL if none. */
const struct sl_havip_ent *sl_havip_lookup(const struct sl_bank_header *b, uint32_t vpc_index,
					   uint32_t addr);

/** The bank's HaVip section lies inside it and its entries inside the
 * section (sl_bank_valid). */
bool sl_havip_sec_ok(const struct sl_bank_header *b, uint64_t bank_size);

/**
 * An ARP frame (md: in_port, in_vlan, in_role) with sender `sip` (network
 * order) and sender MAC `sha`: if `sip` is a HaVip of the frame's VPC this
 * is a claim, decided here and never merged by the caller. `reply`: an ARP
 * reply to a request (confirms reachability). Returns 0 when `sip` is no
 * HaVip (the caller learns as usual), 1 claim accepted or pending, -EPERM
 * claim refused (the caller drops the frame HAVIP_NOT_ASSOCIATED).
 */
int sl_havip_arp(struct sl_neigh_table *t, const struct sl_bank_header *b,
		 const struct sl_meta *md, const struct rte_ether_addr *sha, rte_be32_t sip,
		 bool reply, uint64_t now);

/** `sip` (not a HaVip) was just learned from an ARP on (md's port, VLAN):
 * accept pending claims it verifies. Cheap when no claim is pending. */
void sl_havip_learned(struct sl_neigh_table *t, const struct sl_bank_header *b,
		      const struct sl_meta *md, const struct rte_ether_addr *sha, rte_be32_t sip,
		      uint64_t now);

/** IPv6 ingress rules via a HaVip (bank `b`'s IPv6 gateway section): start
 * resolving every such HaVip whose holder is not known, so that the
 * holder answers (a claim). From the one-second export. */
void sl_havip_probe_ip6gw(struct sl_neigh_table *t, const struct sl_bank_header *b, uint64_t now);

/** The neighbour key of HaVip target `h` of an IPv6 gateway section (the
 * port and VLAN of its instances' next hops). false if it has none. */
bool sl_havip_ip6gw_key(const struct sl_bank_header *b, const struct sl_ip6gw_havip_ent *h,
			struct sl_neigh_key *k);

/** Expire pending claims (from sl_neigh_timer). */
void sl_havip_timer(struct sl_neigh_table *t, uint64_t now);

/**
 * Snapshot the holders into `out` (at most `max`), after forgetting the
 * records of HaVips no longer in `b` and holders no longer associated
 * (when `b` is not NULL), and probe the unheld HaVips of IPv6 ingress
 * rules (sl_havip_probe_ip6gw). Returns the number written.
 */
uint32_t sl_havip_export(struct sl_neigh_table *t, const struct sl_bank_header *b,
			 struct sl_havip_export *out, uint32_t max, uint64_t now);

#endif /* SL_NEIGH_H */
