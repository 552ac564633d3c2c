/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice shared-memory ABI: the only contract between sluiced and sluice-dp.
 *
 * Design note
 * -----------
 * One file-backed segment (tmpfs or hugetlbfs, path given to both daemons)
 * holds, in this order:
 *
 *   struct sl_shm_header      magic, ABI version, sizes, the published
 *                             generation, the data plane's per-lcore
 *                             acknowledgements (its QSBR state)
 *   bank 0, bank 1            two table banks of equal size; the active bank
 *                             is (generation & 1)
 *   stats area                counters, port and neighbour snapshots, written
 *                             only by sluice-dp
 *
 * Everything inside a bank is addressed by offsets from the bank's start,
 * never by pointers, so both processes can map the segment anywhere.
 *
 * Publication protocol (sluiced is the only writer of banks):
 *   1. wait until every online lcore slot has ack_generation >= generation,
 *      i.e. nobody still reads the inactive bank;
 *   2. bring the inactive bank to the new state and set its
 *      sl_bank_header.generation to generation + 1;
 *   3. store generation + 1 with release (seq_cst) semantics: the flip.
 * A batch of changes therefore becomes visible atomically, and an update is
 * visible to a worker at its next poll-loop iteration.
 *
 * Left-right updates: step 2 does not rewrite the whole bank. Inside a bank,
 * fixed-capacity arrays (vlan_map, VPC descriptors, next hops) are followed
 * by a heap from which sluiced allocates one block per route table; sluiced
 * keeps, per bank, the set of items changed since it last wrote that bank
 * and rewrites only those (a VPC descriptor and its new table block, single
 * next-hop slots). As soon as a generation is acknowledged, the now idle
 * bank is caught up the same way, so a publish normally writes just its own
 * change. Readers are unaffected: an inactive bank is never read, and a
 * published bank never changes. Next-hop indexes are stable while any table
 * uses them, so both banks agree on them. When an incremental write does not
 * fit (arrays or heap full) sluiced rewrites the bank with a fresh layout.
 *
 * Reader protocol (every sluice-dp lcore that touches tables):
 *   - at start: lcore[i].online = 1 (seq_cst), then load generation;
 *   - at the top of every loop iteration: g = load_acquire(generation);
 *     store_release(lcore[i].ack_generation, g); use bank (g & 1) only until
 *     the next iteration; hold no bank reference across iterations;
 *   - when stopping: online = 0.
 * The seq_cst store of online before the load of generation (reader) and the
 * seq_cst store of generation before the scan of online flags (writer) make a
 * reader that comes online during a write always see the new generation.
 *
 * Restarts: the segment outlives both processes. A restarted sluice-dp
 * re-maps it and forwards with the active bank at once. A restarted sluiced
 * re-opens it, checks dp_pid liveness (a dead data plane's lcores are not
 * waited for) and republishes its compiled state as the next generation,
 * writing that bank (and then the other) in full once.
 *
 * Any change to a structure in this file must bump SL_SHM_ABI_VERSION; the
 * static asserts at the bottom pin sizes and offsets.
 */
#ifndef SL_SHM_H
#define SL_SHM_H

#include <assert.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_counters.h"
#include "sl_fib.h" /* struct sl_fib4 / sl_fib6: the Internet FIB headers */

#define SL_SHM_MAGIC UINT64_C(0x3130474553434c53) /* "SLCSEG01" little-endian */
#define SL_BANK_MAGIC UINT64_C(0x31304b4e4142434c) /* "LCBANK01" */
#define SL_STATS_MAGIC UINT64_C(0x3130535441544353) /* "SCSTAT01" */
#define SL_SHM_ABI_VERSION 18u /* 8: exception-path counters (issue 8), HaVip section and
				  * holder export (issue 12); 9: police section and policer
				  * export (issue 7), NAT session drops and counters (issue 5);
				  * 10: IPv6 gateway section and SL_NH_IP6GW (issue 6);
				  * 11: per-stage packet counters (issue 11);
				  * 12: ECMP next-hop groups (SL_NH_GROUP, struct
				  * sl_nh_group) and per-member counters (issue 8);
				  * 13: per-queue and per-route-table counters
				  * (issue 11, operators' counters);
				  * 14: NAT early-fragment drops and counter (issue 5);
				  * 15: HaVip next hops of IPv6 ingress route rules
				  * (issues 6/12: sl_ip6gw_havip_ent, SL_IP6GW_RULE_HAVIP),
				  * egress-only flow count in the stats area (issue 6);
				  * 16: police6 (issues 7/6): the police section's ip6[]
				  * filled, indexed like the IPv6 gateway section's addr[],
				  * SL_POL_KIND_IP6;
				  * 17 (issue 9, h-ip6gw): the IPv6 gateway section's
				  * address hash (struct sl_ip6gw_addr_slot);
				  * 18 (issue 8, h-inexc): exception path of inside ports:
				  * drops exception_untagged, exception_tag_failed; per-port
				  * exc_to_kernel / exc_from_kernel in sl_port_stats */

#define SL_CACHE_LINE 64
#define SL_MAX_LCORES 128	  /* lcore slots in the header */
#define SL_MAX_PORTS 16		  /* ports exported in the stats area */
#define SL_MAX_NEIGH_EXPORT 8192 /* neighbour entries exported */
#define SL_ID_LEN 64		  /* API object ids, NUL-terminated */
#define SL_PORT_NAME_LEN 32
#define SL_VLAN_COUNT 4096
/* Trunks: the k-th inside port of sluice-dp's config is trunk k, and a VPC
 * is (trunk, VLAN id); VLAN ids 1..4094 are usable on each trunk, so a
 * gateway holds up to 4,094 VPCs per trunk (12,282 with three). */
#define SL_MAX_TRUNKS 4
#define SL_VPC_INTERNET UINT32_C(0xffffffff) /* vpc_index of the Internet side */
#define SL_NH_NONE 0u /* next-hop index 0 is always SL_NH_UNREACHABLE */

/** Port roles. A VPC is a VLAN on one inside port (its trunk); the Internet
 * is untagged on the outside ports. */
enum sl_port_role {
	SL_ROLE_INSIDE = 0,
	SL_ROLE_OUTSIDE = 1,
	SL_ROLE_MAX
};

/** Per-lcore reader state. Written only by the sluice-dp lcore that owns the
 * slot; read by sluiced while it waits for a grace period. One cache line
 * each so acknowledgements never false-share. */
struct sl_shm_lcore_slot {
	_Atomic uint64_t ack_generation; /**< last generation this lcore loaded */
	_Atomic uint32_t online;	 /**< 1 while the lcore reads tables */
	uint32_t lcore_id;		 /**< DPDK lcore id, for display */
	uint8_t pad[SL_CACHE_LINE - 16];
};

/** Segment header at offset 0. Fields are grouped by writer. */
struct sl_shm_header {
	/* Immutable after creation (written once by whoever creates it). */
	uint64_t magic;
	uint32_t abi_version;
	uint32_t header_size;	/**< sizeof(struct sl_shm_header) */
	uint64_t segment_size;	/**< total bytes mapped */
	uint64_t bank_offset[2]; /**< from segment start */
	uint64_t bank_size;	/**< bytes per bank */
	uint64_t stats_offset;	/**< from segment start */
	uint64_t stats_size;
	uint8_t pad0[SL_CACHE_LINE - 64];

	/* Written only by sluiced. */
	_Atomic uint64_t generation; /**< published generation; 0 = no tables */
	_Atomic int32_t writer_pid;
	uint32_t pad1;
	_Atomic uint64_t writer_start_ns; /**< CLOCK_REALTIME at sluiced start */
	uint8_t pad2[SL_CACHE_LINE - 24];

	/* Written only by sluice-dp. */
	_Atomic int32_t dp_pid;		/**< 0 when no data plane attached */
	_Atomic uint32_t dp_n_lcores;	/**< slots in use: [0, dp_n_lcores) */
	_Atomic uint64_t dp_start_ns;	/**< CLOCK_REALTIME at sluice-dp start */
	uint8_t pad3[SL_CACHE_LINE - 16];

	struct sl_shm_lcore_slot lcore[SL_MAX_LCORES];
};

/** Address family tags used in tables. */
#define SL_AF_INET 4
#define SL_AF_INET6 6

/** Next-hop kinds. */
enum sl_nh_type {
	SL_NH_UNREACHABLE = 0, /**< no route: drop, ICMP destination unreachable */
	SL_NH_BLACKHOLE = 1,   /**< silent drop, counted */
	SL_NH_LOCAL = 2,       /**< addressed to the gateway itself */
	SL_NH_CONNECTED = 3,   /**< on-link: resolve the destination itself */
	SL_NH_GATEWAY = 4,     /**< resolve and send to `via` */
	SL_NH_NATGW = 5,       /**< the VPC's NAT gateway (its default route):
				* translate (EIP 1:1, SNAT), then the Internet
				* table; the gateway is the one of vpc_index
				* (one per VPC), see struct sl_nat_sec */
	/* IPv6 gateway (issue 6) */
	SL_NH_IP6GW = 6,       /**< the VPC's IPv6 gateway (its ::/0): gating by
				* Internet bandwidth and egress-only state,
				* then the Internet side; struct sl_ip6gw_sec */
	/* ECMP (issue 8) */
	SL_NH_GROUP = 7,       /**< a next-hop group (struct sl_nh_group in the
				* entry's grp): pick a member by the flow's
				* hash, then act on the member */
	SL_NH_TYPE_MAX
};

#define SL_NH_F_SYSTEM 0x01 /**< created by the platform, not by the user */

/* ---- ECMP next-hop groups (issue 8, docs/lpm.md "ECMP") -----------------
 * A group is an ordinary entry of the next-hop array with type
 * SL_NH_GROUP, so a FIB or interval entry refers to it like to any next
 * hop and groups share the array's stable indexes, interning and
 * left-right slot writes. Its body (where a plain next hop has via, src and
 * owner_id) is a bucket table: slot[s] is the position in member[] of the
 * member that takes the flows whose hash falls in bucket s, filled in
 * proportion to the weights. Selection: member[slot[sl_nhg_bucket(hash)]].
 * Members are global next-hop indexes of plain next hops (GATEWAY or
 * CONNECTED, never another group); sluiced holds a reference on each while
 * the group exists. A member that fails (BFD, the kernel withdrew it)
 * leaves the group: sluiced publishes the group without it, refilling only
 * that member's buckets, so other flows keep their path. */
#define SL_NHG_MAX 4	  /**< members per group (2..4; 1 is a plain next hop) */
#define SL_NHG_SLOTS 64u /**< buckets per group (a power of two) */

struct sl_nh_group {
	uint32_t member[SL_NHG_MAX]; /**< global next-hop indexes; 0 past n_members */
	uint16_t weight[SL_NHG_MAX]; /**< kernel weight (rtnh_hops + 1) of each */
	uint8_t n_members;
	uint8_t pad[7];
	uint8_t slot[SL_NHG_SLOTS]; /**< bucket -> position in member[] */
};

/** Bucket of a 32-bit flow hash: the top bits after a multiply, so hashes
 * that agree in their low bits (an RSS hash on one queue) still spread. */
static inline uint32_t sl_nhg_bucket(uint32_t hash)
{
	return (uint32_t)(hash * UINT32_C(0x9e3779b1)) >> 26; /* 64 buckets */
}

/**
 * A next hop. Index 0 of the next-hop array is always SL_NH_UNREACHABLE.
 * The first 48 bytes are what the fast path reads.
 */
struct sl_nexthop {
	uint8_t type;	   /**< enum sl_nh_type */
	uint8_t family;	   /**< SL_AF_INET / SL_AF_INET6 of via and src */
	uint8_t port_role; /**< enum sl_port_role of the egress */
	uint8_t flags;	   /**< SL_NH_F_* */
	uint16_t vlan;	   /**< egress 802.1Q VLAN id, 0 = untagged */
	uint16_t mtu;	   /**< egress IP MTU in bytes */
	uint32_t vpc_index; /**< owning VPC or SL_VPC_INTERNET */
	uint16_t trunk;	    /**< inside egress: trunk (< SL_MAX_TRUNKS) whose port
			     * the packet leaves by; 0 outside */
	uint16_t reserved;
	union {
		struct {
			uint8_t via[16]; /**< GATEWAY: next-hop address (v4 in the
					  * first 4 bytes, network order) */
			uint8_t src[16]; /**< the gateway's own address on the
					  * egress link: ARP/NS sender and ICMP
					  * error source */
			char owner_id[SL_ID_LEN]; /**< object this next hop came
						   * from (VSwitch, instance,
						   * ...), for display only */
		};
		struct sl_nh_group grp; /**< SL_NH_GROUP only (issue 8) */
	};
	uint8_t pad[16];
};

/** IPv4 route table as disjoint intervals sorted by start: entry i covers
 * [start_i, start_{i+1}) and the first entry starts at 0, so a lookup is
 * "the last entry whose start <= address". Host byte order. */
struct sl_rt4_entry {
	uint32_t start;
	uint32_t nh;
};

/** IPv6 variant; start is the 128-bit address as two host-order halves. */
struct sl_rt6_entry {
	uint64_t start_hi;
	uint64_t start_lo;
	uint32_t nh;
	uint32_t pad;
};

/** Route types kept for display (the prefix list beside the intervals). */
enum sl_route_origin {
	SL_ROUTE_SYSTEM = 0, /**< VSwitch CIDR, 100.64.0.0/10, gateway addresses */
	SL_ROUTE_CUSTOM = 1, /**< CreateRouteEntry / config file */
	SL_ROUTE_STATIC = 2, /**< Internet-side routes from the config file */
	SL_ROUTE_DYNAMIC = 3, /**< Internet routes from a route source (prefix
			       * file, kernel, BGP) */
};

/** One compiled prefix as the data plane holds it (for sluicectl). */
struct sl_prefix {
	uint8_t addr[16]; /**< network order; v4 in the first 4 bytes */
	uint8_t len;
	uint8_t family; /**< SL_AF_INET / SL_AF_INET6 */
	uint8_t origin; /**< enum sl_route_origin */
	uint8_t pad;
	uint32_t nh;
};

/** A route table: the intervals the fast path searches plus the prefixes
 * they were compiled from. Offsets are from the bank start. */
struct sl_route_table {
	uint64_t v4_off; /**< struct sl_rt4_entry[v4_n] */
	uint64_t v6_off; /**< struct sl_rt6_entry[v6_n] */
	uint64_t prefix_off; /**< struct sl_prefix[n_prefixes] */
	uint32_t v4_n;
	uint32_t v6_n;
	uint32_t n_prefixes;
	uint32_t flags; /**< SL_RT_F_*: SL_RT_F_FIB = look up in the bank's
			 * fib4/fib6 instead of the intervals (Internet table) */
};

#define SL_RT_F_FIB 0x1u

/** A VPC as the data plane sees it. */
struct sl_vpc {
	char id[SL_ID_LEN];
	char route_table_id[SL_ID_LEN];
	uint32_t index; /**< position in the VPC array */
	uint16_t vlan;	/**< inside 802.1Q VLAN id on its trunk */
	uint16_t flags;
	uint32_t n_vswitches;
	uint16_t trunk; /**< inside trunk (< SL_MAX_TRUNKS) */
	uint16_t pad;
	struct sl_route_table rt;
};

/** Bank header at the start of each bank. */
struct sl_bank_header {
	uint64_t magic;	     /**< SL_BANK_MAGIC */
	uint64_t generation; /**< generation this bank was written for */
	uint64_t used;	     /**< bytes in use from the bank start */
	uint32_t n_vpcs;
	uint32_t n_nexthops;
	uint64_t vpc_off;      /**< struct sl_vpc[n_vpcs] */
	uint64_t nh_off;       /**< struct sl_nexthop[n_nexthops] */
	uint64_t vlan_map_off; /**< uint32_t[SL_MAX_TRUNKS][SL_VLAN_COUNT]:
				* (trunk, vlan) -> vpc index+1, 0 = not
				* assigned */
	struct sl_route_table inet; /**< the Internet-side table */
	/* Layout of this bank (sluiced may rewrite a bank in place, see the
	 * design note): capacities of the arrays at vpc_off and nh_off (n_vpcs
	 * and n_nexthops are the entries in use) and the heap the route-table
	 * blocks are allocated from. */
	uint32_t vpc_cap;
	uint32_t nh_cap;
	uint64_t heap_off;
	uint64_t heap_size;
	/* The Internet table as DIR-24-8 (IPv4) and multibit trie (IPv6),
	 * offsets from the bank start (sl_fib.h); used when inet.flags has
	 * SL_RT_F_FIB. */
	struct sl_fib4 fib4;
	struct sl_fib6 fib6;
	/* The NAT section (struct sl_nat_sec), one heap block; nat_off 0 =
	 * no NAT objects. */
	uint64_t nat_off;
	uint64_t nat_size;
	/* HaVip section (issue 12, struct sl_havip_sec), one heap block;
	 * havip_off 0 = no HaVip. */
	uint64_t havip_off;
	uint64_t havip_size;
	/* The police section (struct sl_pol_sec, issue 7), one heap block;
	 * police_off 0 = no policer. */
	uint64_t police_off;
	uint64_t police_size;
	/* IPv6 gateway section (issue 6): struct sl_ip6gw_sec, one heap
	 * block; ip6gw_off 0 = no IPv6 gateway. */
	uint64_t ip6gw_off;
	uint64_t ip6gw_size;
	uint8_t pad[256 - 248];
};

/* ---------------------------------------------------------------------- */
/* NAT section (issue 5).                                                  */
/*
 * One block, rewritten whole whenever a NAT object changes (NAT objects are
 * few: thousands at most, against millions of routes). Offsets inside it
 * are from the start of the section (struct sl_nat_sec), so sluiced builds
 * it once and copies it into either bank. Addresses are IPv4, host order.
 *
 *   gw[n_gws]        NAT gateways by index (holes: id[0] == 0). The VPC
 *                    with next hop SL_NH_NATGW finds its gateway in
 *                    gw_by_vpc (sorted by vpc_index, binary search).
 *   ip[n_ips]        public IPs by index: address, gateway, role (a public
 *                    IP serves SNAT, DNAT or an EIP 1:1 binding, never two)
 *   addr[n_ips]      (address, ip index) sorted by address: inbound lookup
 *   snat_rt[]        per gateway, intervals of source address -> SNAT entry
 *                    index + 1 (0 = no entry), built like the VPC route
 *                    tables, so the longest source prefix wins;
 *                    gw[i].snat_rt_first / snat_rt_n
 *   snat[n_snat]     SNAT entries: the pool of public IPs as a slice of pool[]
 *   pool[n_pool]     ip indexes
 *   fwd[n_fwd]       forward entries sorted by (ext_ip, proto, ext_port); the
 *                    all-Any entry of an IP has proto 0 and port 0 and so
 *                    sorts first: an exact match is looked up first, then
 *                    (ext_ip, 0, 0)
 *   eip[n_eip]       EIP 1:1, outbound: (vpc_index, private address) ->
 *                    public ip index, sorted by (vpc_index, private);
 *                    inbound uses addr[] and ip[i].vpc_index/priv
 */
enum sl_nat_role {
	SL_NAT_ROLE_NONE = 0, /**< hole, or a gateway's IP no entry uses yet */
	SL_NAT_ROLE_SNAT = 1,
	SL_NAT_ROLE_DNAT = 2,
	SL_NAT_ROLE_EIP = 3, /**< bound 1:1 to an instance or a HaVip */
};

#define SL_NAT_GW_F_EIF 0x1u /**< endpoint-independent filtering */
#define SL_NAT_IDX_NONE UINT32_C(0xffffffff)

struct sl_nat_gw_ent {
	char id[SL_ID_LEN];
	uint32_t vpc_index;
	uint32_t max_sessions; /**< spec: Small 10k, Middle 50k, Large 200k */
	uint32_t new_per_sec;  /**< spec: 1k, 5k, 10k */
	uint32_t flags;	       /**< SL_NAT_GW_F_* */
	uint32_t snat_rt_first; /**< its intervals in snat_rt[] */
	uint32_t snat_rt_n;
	uint32_t pad[2];
};

struct sl_nat_vpc_ent {
	uint32_t vpc_index;
	uint32_t gw;
};

struct sl_nat_ip_ent {
	uint32_t addr;
	uint32_t gw;	    /**< gateway index, SL_NAT_IDX_NONE for an EIP bound to an
			     * instance or HaVip */
	uint32_t vpc_index; /**< EIP: the VPC of the private address */
	uint32_t priv;	    /**< EIP: the private address (instance, HaVip) */
	uint32_t bandwidth; /**< Mbps, for the policer (issue 7) */
	uint8_t role;	    /**< enum sl_nat_role */
	uint8_t pad[3];
	char id[SL_ID_LEN]; /**< AllocationId */
};

struct sl_nat_addr_ent {
	uint32_t addr;
	uint32_t ip;
};

struct sl_nat_snat_ent {
	uint32_t gw;
	uint32_t pool_first; /**< slice of pool[] */
	uint32_t pool_n;
	uint32_t pad;
	char id[SL_ID_LEN]; /**< SnatEntryId */
};

struct sl_nat_fwd_ent {
	uint32_t ext_ip;
	uint16_t ext_port; /**< 0 with proto 0: the all-Any entry */
	uint8_t proto;	   /**< IPPROTO_TCP, IPPROTO_UDP, 0 = Any */
	uint8_t pad;
	uint32_t int_ip;
	uint16_t int_port; /**< 0 with proto 0 */
	uint16_t pad2;
	uint32_t gw;
	uint32_t ip; /**< ip index of ext_ip */
};

struct sl_nat_eip_ent {
	uint32_t vpc_index;
	uint32_t priv;
	uint32_t ip; /**< ip index */
	uint32_t pub;
};

struct sl_nat_sec {
	uint32_t n_gws, n_vpcs, n_ips, n_snat_rt, n_snat, n_pool, n_fwd, n_eip;
	uint32_t n_addrs; /**< entries of addr[]: the IPs that are not holes */
	uint32_t pad;
	uint64_t gw_off, vpc_off, ip_off, addr_off, snat_rt_off, snat_off, pool_off, fwd_off,
	    eip_off;
	uint64_t size; /**< bytes of the section */
};

/* ---------------------------------------------------------------------- */
/* HaVip section (issue 12, docs/havip.md).                                */
/*
 * One block, rebuilt by sluiced at every compile and copied into a bank
 * when it changed (like the NAT section). The main lcore of sluice-dp
 * reads it to decide who may hold a HaVip: an ARP whose sender address is
 * a HaVip of the VPC is accepted only from the MAC of an associated
 * instance. ent[] is sorted by (vpc_index, addr); addresses are IPv4 in
 * host order.
 */
#define SL_HAVIP_MAX_INST 10 /* associated instances per HaVip (API quota) */

struct sl_havip_inst {
	uint32_t addr;	    /**< the instance's private IPv4 address */
	uint32_t pad;
	char id[SL_ID_LEN]; /**< InstanceId */
};

struct sl_havip_ent {
	uint32_t vpc_index;
	uint32_t addr;	    /**< the HaVip address */
	uint32_t src;	    /**< the VSwitch's gateway address: sender of probes */
	uint32_t n_inst;    /**< entries of inst[] in use */
	char id[SL_ID_LEN]; /**< HaVipId */
	struct sl_havip_inst inst[SL_HAVIP_MAX_INST];
};

struct sl_havip_sec {
	uint32_t n; /**< entries of ent[] */
	uint32_t pad;
	uint64_t size; /**< bytes of the section */
	struct sl_havip_ent ent[];
};

/* ---------------------------------------------------------------------- */
/* Police section (issue 7, docs/policer.md).                              */
/*
 * One block, rebuilt by sluiced (control/compile_police.c) at every compile
 * and rewritten whole when it changed, like the NAT section; offsets inside
 * it are from its start.
 *
 *   pol[n_pols]     policers by policer index (holes: rate 0). Each is one
 *                   token bucket of sluice-dp (its state lives in sluice-dp,
 *                   never here): rate, burst, and the parent (the bandwidth
 *                   package's aggregate policer a member IP's own policer
 *                   is metered against next, SL_POL_IDX_NONE if none)
 *   ip[n_ips]       per public IP index of the NAT section (n_ips is the NAT
 *                   section's), the policer index of each direction
 *                   (SL_POL_DIR_*): the IP's own policer, or its package's
 *                   aggregate when it has no limit of its own;
 *                   SL_POL_IDX_NONE = not policed
 *   ip6[n_ip6]      (police6, ABI 12) per address index of the IPv6 gateway
 *                   section (n_ip6 is its n_addrs; the same bank holds
 *                   both), the address (for display) and the policer index
 *                   of each direction of its Internet bandwidth (kind IP6,
 *                   no parent: IPv6 bandwidth is not in packages);
 *                   SL_POL_IDX_NONE = not policed
 *
 * Policer indexes are stable for as long as their object (public IP and
 * direction, package and direction) exists, so a change of rate keeps the
 * bucket; `tag` names the object, so sluice-dp can tell an index reused by
 * another object (reset the bucket) from a rate change (keep it).
 */
#define SL_POL_IDX_NONE UINT32_C(0xffffffff)

enum sl_pol_dir {
	SL_POL_DIR_OUT = 0, /**< to the Internet: the public IP is the source */
	SL_POL_DIR_IN = 1,  /**< from the Internet: the public IP is the destination */
	SL_POL_DIR_MAX
};

enum sl_pol_kind {
	SL_POL_KIND_NONE = 0, /**< hole */
	SL_POL_KIND_IP = 1,   /**< a public IP's own limit (EIP Bandwidth, per-EIP cap) */
	SL_POL_KIND_CBWP = 2, /**< a common bandwidth package's aggregate */
	SL_POL_KIND_BWP = 3,  /**< a NAT bandwidth package's aggregate */
	/* police6 (issues 7/6, ABI 12) */
	SL_POL_KIND_IP6 = 4,  /**< an IPv6 address's Internet bandwidth (id: Ipv6AddressId) */
};

struct sl_pol_ent {
	uint64_t rate;	 /**< bytes per second (Mbps x 125,000); 0 = hole */
	uint64_t tag;	 /**< identity of the object (hash of kind, id, direction) */
	uint32_t burst;	 /**< bytes: max(10 ms of the rate, 10 x 1518) */
	uint32_t parent; /**< aggregate policer index, SL_POL_IDX_NONE */
	uint32_t mbps;	 /**< the sold bandwidth, for display */
	uint32_t addr;	 /**< KIND_IP: the public IPv4 address (host order) */
	uint8_t kind;	 /**< enum sl_pol_kind */
	uint8_t dir;	 /**< enum sl_pol_dir */
	uint8_t pad[6];
	char id[SL_ID_LEN]; /**< AllocationId or BandwidthPackageId */
};

struct sl_pol_ip_ent {
	uint32_t pol[SL_POL_DIR_MAX]; /**< policer index per direction */
};

struct sl_pol_ip6_ent {
	uint8_t addr[16];	      /**< network order (the gateway section's address) */
	uint32_t pol[SL_POL_DIR_MAX]; /**< policer index per direction */
};

struct sl_pol_sec {
	uint32_t n_pols, n_ips, n_ip6, pad;
	uint64_t pol_off, ip_off, ip6_off;
	uint64_t size; /**< bytes of the section */
};

/* ---------------------------------------------------------------------- */
/* IPv6 gateway section (issue 6, docs/ipv6gw.md).                         */
/*
 * One block like the NAT section: rebuilt whole when an IPv6 gateway
 * object changes and copied into either bank; offsets from the start of
 * the section. Addresses are 128-bit as two host-order halves (hi, lo),
 * like struct sl_rt6_entry.
 *
 *   gw[n_gws]       IPv6 gateways by index (position in the store's order;
 *                   the data plane keeps no state by gateway index):
 *                   VPC index, spec, the slice of rule_rt[] holding its
 *                   ingress route rules
 *   vpc_rt[]        intervals over the IPv6 CIDRs of the VPCs that have a
 *                   gateway (VPC and VSwitch blocks): nh = gateway index
 *                   + 1, 0 = not behind a gateway. An Internet-side
 *                   destination inside one is the gateway's to deliver
 *                   or drop; anything else is routed as before
 *   addr[n_addrs]   the IPv6 addresses with Internet bandwidth or an
 *                   egress-only rule, sorted by (address, vpc_index) for
 *                   a binary search: VPC, gateway, Mbps, policer index
 *                   (issue 7; 0 = none), flags
 *   rule_rt[]       per gateway, intervals of destination -> global
 *                   next-hop index (SL_NH_GATEWAY via the target's IPv6
 *                   address, in the bank's next-hop array), 0 = no rule;
 *                   the longest rule prefix wins; a value with
 *                   SL_IP6GW_RULE_HAVIP set is a HaVip target instead:
 *                   the low bits index havip[]
 *   havip[n_havips] (ABI 13) HaVip targets of rules: the HaVip (VPC, IPv4
 *                   address, VSwitch gateway address) and, per associated
 *                   instance, its IPv4 address and the global next hop
 *                   via its IPv6 address. sluice-dp picks the instance
 *                   that holds the HaVip now (docs/ipv6gw.md)
 *   addr_hash[]     (ABI 17) the fast path's index of addr[]: struct
 *                   sl_ip6gw_addr_slot below
 */
#define SL_IP6GW_A_BANDWIDTH 0x1u /**< has Internet bandwidth: may talk to the Internet */
#define SL_IP6GW_A_EGRESS_ONLY 0x2u /**< egress-only: inbound only for flows it started */

struct sl_ip6gw_gw_ent {
	char id[SL_ID_LEN];
	uint32_t vpc_index;
	uint32_t rule_rt_first; /**< its intervals in rule_rt[] */
	uint32_t rule_rt_n;
	uint32_t n_rules;
};

struct sl_ip6gw_addr_ent {
	uint64_t hi, lo;    /**< the address */
	uint32_t vpc_index;
	uint32_t gw;	    /**< gateway index */
	uint32_t bandwidth; /**< Mbps, 0 without bandwidth (policing: issue 7) */
	uint32_t policer;   /**< unused (0): the police section's ip6[] has it */
	uint32_t flags;	    /**< SL_IP6GW_A_* */
	uint32_t pad;
	char id[SL_ID_LEN]; /**< Ipv6AddressId */
};

/* HaVip next hops of ingress route rules (ABI 13, issues 6/12). */
#define SL_IP6GW_RULE_HAVIP 0x80000000u /**< rule_rt[].nh: havip[] index | this */

struct sl_ip6gw_havip_inst {
	uint32_t addr; /**< the instance's IPv4 address (host order): holders are named by it */
	uint32_t nh;   /**< global next hop: SL_NH_GATEWAY via its IPv6 address */
};

struct sl_ip6gw_havip_ent {
	uint32_t vpc_index;
	uint32_t addr;	 /**< the HaVip's IPv4 address, host order */
	uint32_t src;	 /**< its VSwitch's IPv4 gateway address: sender of ARP probes */
	uint32_t n_inst; /**< entries of inst[] in use: the associated instances */
	struct sl_ip6gw_havip_inst inst[SL_HAVIP_MAX_INST];
	char id[SL_ID_LEN]; /**< HaVipId */
};

struct sl_ip6gw_sec {
	uint32_t n_gws, n_vpc_rt, n_addrs, n_rule_rt;
	uint64_t gw_off, vpc_rt_off, addr_off, rule_rt_off;
	uint64_t size; /**< bytes of the section */
	/* ABI 13 (HaVip targets of rules) */
	uint32_t n_havips;
	uint32_t pad;
	uint64_t havip_off;
	/* ABI 17 (issue 9, h-ip6gw): the address hash, below */
	uint32_t addr_hash_mask; /**< addr_hash[] has addr_hash_mask + 1 slots */
	uint32_t pad2;
	uint64_t addr_hash_off;
};

/* ---- ABI 17 (issue 9, h-ip6gw): the address hash of the IPv6 gateway section ----
 *
 * addr_hash[addr_hash_mask + 1] indexes addr[] for the fast path
 * (ip6gw_in / ip6gw_out): open addressing, linear probing from slot
 * sl_ip6gw_addr_hash() & addr_hash_mask, wrapping; a slot with idx 0 is
 * empty and ends the probe. Two kinds of keys:
 *   (address, VPC index)          every addr[] entry (ip6gw_out: the source
 *                                 in the packet's VPC);
 *   (address, SL_IP6GW_VPC_INBOUND)  the entry ip6gw_in delivers the
 *                                 address to, if there is one: the entry in
 *                                 the VPC of the gateway that vpc_rt gives
 *                                 for the address. ip6gw_in finds it in one
 *                                 probe; only a miss (a destination not
 *                                 behind a gateway, or without an entry
 *                                 there) searches vpc_rt.
 * sluiced sizes it a power of two >= 2 * the keys (and >= 2): at least
 * half the slots are empty, so a probe is short and always ends; sluice-dp
 * still bounds it by the slot count. A slot carries what the stages need
 * (key, entry index, flags, gateway), so a lookup reads one 32-byte slot
 * (two per cache line) instead of the ~15 dependent lines of a binary
 * search over the 104-byte addr[] entries, which stay for the control
 * plane (sluicectl, police, XDP).
 */
#define SL_IP6GW_VPC_INBOUND SL_VPC_INTERNET /**< key VPC of the inbound slots */

struct sl_ip6gw_addr_slot {
	uint64_t hi, lo;    /**< the address (host-order halves) */
	uint32_t vpc_index; /**< the key's VPC: the entry's, or SL_IP6GW_VPC_INBOUND */
	uint32_t idx;	    /**< addr[] index + 1; 0: empty slot */
	uint32_t flags;	    /**< addr[idx - 1].flags (SL_IP6GW_A_*) */
	uint32_t gw;	    /**< addr[idx - 1].gw: the gateway of the entry's VPC */
};

/** The hash of an address slot's key: sluiced and sluice-dp must agree
 * (part of the ABI). A 64-bit finaliser (MurmurHash3's fmix64) over the
 * halves and the VPC, so addresses that differ in any bits spread. */
static inline uint32_t sl_ip6gw_addr_hash(uint64_t hi, uint64_t lo, uint32_t vpc)
{
	uint64_t h = hi ^ (lo * UINT64_C(0x9e3779b97f4a7c15)) ^ ((uint64_t)vpc << 29);

	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return (uint32_t)h;
}

/* ---------------------------------------------------------------------- */
/* Stats area: written only by sluice-dp, read by sluiced and sluicectl.   */

/** Per-lcore counters, written only by the owning lcore without atomics
 * (aligned 64-bit stores do not tear on the supported targets); readers sum
 * over lcores. */
#define SL_STATS_STAGES 32    /* stage counter slots (>= the pipeline's stages) */
#define SL_STAGE_NAME_LEN 16

struct sl_lcore_stats {
	uint64_t drop[SL_DROP_MAX];
	uint64_t cnt[SL_CNT_MAX];
	/** packets handed to each stage (index: sl_stats_header.stage_names),
	 * counted by the dispatcher once per stage call */
	uint64_t stage[SL_STATS_STAGES];
} __attribute__((aligned(SL_CACHE_LINE)));

/** Port counters, copied from rte_eth_stats by the sluice-dp main lcore. */
struct sl_port_stats {
	char name[SL_PORT_NAME_LEN];
	uint16_t port_id;
	uint8_t role;
	uint8_t link_up;
	uint8_t mac[6];
	uint16_t mtu;
	uint8_t trunk; /**< inside: trunk number (the k-th inside port) */
	uint8_t pad[3];
	uint64_t ipackets, opackets, ibytes, obytes;
	uint64_t imissed, ierrors, oerrors, rx_nombuf;
	/* exception path (issue 8): frames this port's TAP carried, counted by
	 * the main lcore (its only user) and exported with the rest; in the
	 * former tail padding */
	uint64_t exc_to_kernel;	  /**< written to the TAP (punted, ARP/ND copies) */
	uint64_t exc_from_kernel; /**< read from the TAP and sent out of the port */
} __attribute__((aligned(SL_CACHE_LINE)));

enum sl_neigh_state {
	SL_NEIGH_INCOMPLETE = 0, /**< request sent, no answer yet */
	SL_NEIGH_REACHABLE = 1,
	SL_NEIGH_STALE = 2,
	SL_NEIGH_FAILED = 3,
};

/** Display name of an enum sl_neigh_state ("invalid" out of range): one
 * spelling for sluicectl and the telemetry commands. */
static inline const char *sl_neigh_state_name(unsigned int s)
{
	static const char *const n[] = {"incomplete", "reachable", "stale", "failed"};

	return s < sizeof(n) / sizeof(n[0]) ? n[s] : "invalid";
}

/** Neighbour entry snapshot. */
struct sl_neigh_export {
	uint32_t vpc_index; /**< SL_VPC_INTERNET on the outside */
	uint16_t vlan;
	uint8_t port_role;
	uint8_t family;
	uint8_t addr[16];
	uint8_t mac[6];
	uint8_t state; /**< enum sl_neigh_state */
	uint8_t n_queued;
	uint32_t age_ms; /**< since the last confirmation */
	uint16_t trunk;	 /**< inside: trunk of the port; 0 outside */
	uint16_t pad;
};

/* HaVip holders (issue 12): what the main lcore learned, for DescribeHaVips'
 * MasterInstanceId and sluicectl. */
#define SL_MAX_HAVIP_EXPORT 1024

struct sl_havip_export {
	char havip_id[SL_ID_LEN];
	char holder_id[SL_ID_LEN]; /**< InstanceId of the holder */
	uint32_t vpc_index;
	uint32_t addr;	/**< HaVip address, host order */
	uint8_t mac[6]; /**< the holder's MAC */
	uint16_t pad;
	uint32_t age_ms;  /**< since the holder was last accepted */
	uint32_t changes; /**< holder changes seen */
	uint32_t pad1[2];
};

/** One policer's counters as sluice-dp applies it (stats area). */
struct sl_pol_export {
	uint64_t tag;		    /**< sl_pol_ent.tag applied; 0 = policer off */
	uint64_t rate;		    /**< bytes per second applied */
	uint64_t conform_pkts;	    /**< passed */
	uint64_t conform_bytes;
	uint64_t exceed_pkts;	    /**< dropped by this policer */
	uint64_t exceed_bytes;
};

#define SL_MAX_POL_EXPORT 16384 /* policer indexes exported (8,192 public IPs) */
#define SL_NHG_COUNTED 2048	/* ECMP members counted per lcore (issue 8) */

/* ---- operators' counters (issue 11): per queue, per route table ------- */

/** What the worker owning one queue of one port counted there, in sluice
 * (rte_eth_stats per queue is not filled by every PMD). One cache line:
 * each (lcore slot, port) pair has one writer, that slot's worker. */
struct sl_queue_stats {
	uint64_t rx_pkts;  /**< packets rte_eth_rx_burst returned */
	uint64_t rx_bytes; /**< their pkt_len */
	uint64_t tx_pkts;  /**< packets rte_eth_tx_burst took */
	uint64_t tx_bytes;
	uint64_t tx_full;  /**< packets the tx queue refused (dropped TX_FULL) */
	uint64_t no_mbuf;  /**< packets received here dropped NO_MBUF (no buffer
			    * or stage vector slot) */
	uint64_t pad[2];
};

/** Packets and bytes one lcore looked up in one route table. */
struct sl_rt_stats {
	uint64_t pkts;
	uint64_t bytes;
};

/* Route tables counted per lcore: VPC indexes 0..SL_RT_STATS_INET - 1,
 * and the Internet table at SL_RT_STATS_INET. A VPC index is its
 * (trunk, VLAN) slot at most, so every VPC fits; a VPC index beyond (a
 * corrupt bank) is counted as nothing. 256 KiB per lcore row. */
#define SL_RT_STATS 16384u
#define SL_RT_STATS_INET (SL_RT_STATS - 1u)

/** Row index of a route table (vpc_index or SL_VPC_INTERNET) in
 * sl_stats_header.rt[slot][], SL_RT_STATS if it has none. */
static inline uint32_t sl_rt_stats_index(uint32_t vpc_index)
{
	if (vpc_index == SL_VPC_INTERNET)
		return SL_RT_STATS_INET;
	return vpc_index < SL_RT_STATS_INET ? vpc_index : SL_RT_STATS;
}

/**
 * Stats area header. Snapshot sections (ports, neighbours) are guarded by a
 * sequence counter: the writer makes `seq` odd, writes, makes it even;
 * readers retry while it is odd or changed. Per-lcore counters are not
 * guarded (each word is monotonic).
 */
struct sl_stats_header {
	uint64_t magic; /**< SL_STATS_MAGIC, set by sluice-dp when it attaches */
	_Atomic uint64_t seq;
	uint32_t n_lcores;
	uint32_t n_ports;
	uint32_t n_neigh;
	uint32_t pad;
	uint64_t updated_ns; /**< CLOCK_REALTIME of the last snapshot */
	uint8_t pad1[SL_CACHE_LINE - 40];
	struct sl_lcore_stats lcore[SL_MAX_LCORES];
	struct sl_port_stats port[SL_MAX_PORTS];
	struct sl_neigh_export neigh[SL_MAX_NEIGH_EXPORT];
	/* HaVip holders (issue 12), under the same seq as the snapshots. */
	uint32_t n_havip;
	uint32_t pad2;
	struct sl_havip_export havip[SL_MAX_HAVIP_EXPORT];
	/* Policers (issue 7): sluice-dp's main lcore sums each policer's
	 * per-lcore counters into pol[index] every 100 ms (indexes below
	 * n_pol_export; no seqcount: each word is monotonic while `tag` stays;
	 * a reader pairs an entry with the bank's policer of the same tag). */
	uint32_t n_pol_export; /**< entries of pol[] written, <= SL_MAX_POL_EXPORT */
	uint32_t pad3[15];
	struct sl_pol_export pol[SL_MAX_POL_EXPORT];
	/* The pipeline's stages, written by sluice-dp when it attaches, so
	 * readers name lcore[].stage[] without knowing the pipeline. */
	uint32_t n_stages; /**< <= SL_STATS_STAGES */
	uint32_t pad4[15];
	char stage_names[SL_STATS_STAGES][SL_STAGE_NAME_LEN];
	/* ECMP (issue 8): packets each lcore sent through a group member,
	 * indexed by the member's global next-hop index (members with an
	 * index >= SL_NHG_COUNTED are forwarded but not counted); written by
	 * the owning lcore only, summed on read like lcore[]. */
	struct sl_nhg_lcore_ctr {
		uint64_t pkts[SL_NHG_COUNTED];
	} nhg[SL_MAX_LCORES];
	/* IPv6 gateway egress-only state (ABI 13, issue 6): written by the
	 * main lcore with the snapshots, under `seq`. */
	uint32_t ip6eo_capacity; /**< flows the table can hold; 0 = no table */
	uint32_t ip6eo_flows;	 /**< flows held: alive, or expired and awaiting the expiry scan */
	/* Operators' counters (issue 11), per lcore slot like lcore[], no
	 * seqcount (monotonic words, one writer each), summed by readers over
	 * slots [0, n_lcores):
	 *   queue[slot][i]  the queue of port[i] (config order) that the worker
	 *                   in `slot` owns (queue slot - 1; the main lcore,
	 *                   slot 0, owns none);
	 *   rt[slot][t]     packets and bytes route4/route6 looked up in table
	 *                   t (sl_rt_stats_index), i.e. routed by it.
	 * rt is last and large (32 MiB of address space for 128 slots): the
	 * data plane zeroes only the rows of its lcores at start (sl_shm.c),
	 * so a tmpfs segment holds 256 KiB per running lcore. */
	alignas(SL_CACHE_LINE) struct sl_queue_stats queue[SL_MAX_LCORES][SL_MAX_PORTS];
	struct sl_rt_stats rt[SL_MAX_LCORES][SL_RT_STATS];
};

/* ---------------------------------------------------------------------- */
/* Helpers shared by both sides (pure, no I/O).                           */

/** Bytes needed for a segment with the given bank size. */
static inline uint64_t sl_shm_segment_size(uint64_t bank_size)
{
	uint64_t hdr = (sizeof(struct sl_shm_header) + 4095) & ~UINT64_C(4095);
	uint64_t st = (sizeof(struct sl_stats_header) + 4095) & ~UINT64_C(4095);
	return hdr + 2 * bank_size + st;
}

/** Address of bank `b` of a mapped segment. */
static inline void *sl_shm_bank(const struct sl_shm_header *h, unsigned int b)
{
	return (uint8_t *)(uintptr_t)h + h->bank_offset[b & 1];
}

/** Stats area of a mapped segment. */
static inline struct sl_stats_header *sl_shm_stats(const struct sl_shm_header *h)
{
	return (struct sl_stats_header *)((uint8_t *)(uintptr_t)h + h->stats_offset);
}

/** Typed pointer at `off` inside a bank. */
#define SL_BANK_PTR(bank, off, type)                                           \
	((type *)((uint8_t *)(uintptr_t)(bank) + (off)))

/** Entries of a bank's vlan_map: one row of SL_VLAN_COUNT per trunk. */
#define SL_VLAN_MAP_ENTRIES ((uint32_t)SL_MAX_TRUNKS * SL_VLAN_COUNT)

/** vlan_map entry of (trunk, vlan): VPC index + 1, 0 = none (also for a
 * trunk or VLAN out of range). */
static inline uint32_t sl_bank_vlan_lookup(const struct sl_bank_header *b, unsigned int trunk,
					   unsigned int vlan)
{
	if (trunk >= SL_MAX_TRUNKS || vlan >= SL_VLAN_COUNT)
		return 0;
	return SL_BANK_PTR(b, b->vlan_map_off, const uint32_t)[trunk * SL_VLAN_COUNT + vlan];
}

/* ---------------------------------------------------------------------- */
/* Layout pins.                                                           */

static_assert(sizeof(struct sl_shm_lcore_slot) == SL_CACHE_LINE, "slot");
static_assert(offsetof(struct sl_shm_header, generation) == SL_CACHE_LINE,
	      "generation on its own cache line");
static_assert(offsetof(struct sl_shm_header, dp_pid) == 2 * SL_CACHE_LINE,
	      "dp fields on their own cache line");
static_assert(offsetof(struct sl_shm_header, lcore) == 3 * SL_CACHE_LINE,
	      "lcore slots follow");
static_assert(sizeof(struct sl_shm_header) ==
		      (3 + SL_MAX_LCORES) * SL_CACHE_LINE,
	      "header size");
static_assert(sizeof(struct sl_nexthop) == 128, "nexthop");
static_assert(offsetof(struct sl_nexthop, via) == 16, "nexthop via");
static_assert(offsetof(struct sl_nexthop, trunk) == 12, "nexthop trunk");
static_assert(sizeof(struct sl_nh_group) == 96 && offsetof(struct sl_nexthop, grp) == 16 &&
		      offsetof(struct sl_nexthop, pad) == 112,
	      "a group's buckets fill via, src and owner_id");
static_assert((SL_NHG_SLOTS & (SL_NHG_SLOTS - 1)) == 0 && SL_NHG_SLOTS == 64 &&
		      SL_NHG_MAX <= UINT8_MAX,
	      "sl_nhg_bucket() returns 6 bits");
static_assert(SL_MAX_TRUNKS <= UINT8_MAX, "trunk fits the port info byte");
static_assert(sizeof(struct sl_rt4_entry) == 8, "rt4 entry");
static_assert(sizeof(struct sl_rt6_entry) == 24, "rt6 entry");
static_assert(sizeof(struct sl_prefix) == 24, "prefix");
static_assert(sizeof(struct sl_route_table) == 40, "route table");
static_assert(sizeof(struct sl_vpc) == 2 * SL_ID_LEN + 16 + 40, "vpc");
static_assert(sizeof(struct sl_bank_header) == 256, "bank header");
static_assert(offsetof(struct sl_bank_header, vpc_cap) == 96, "bank layout fields");
static_assert(offsetof(struct sl_bank_header, fib4) == 120, "bank fib4");
static_assert(offsetof(struct sl_bank_header, fib6) == 152, "bank fib6");
static_assert(offsetof(struct sl_bank_header, nat_off) == 184, "bank nat section");
static_assert(sizeof(struct sl_nat_gw_ent) == SL_ID_LEN + 32, "nat gw");
static_assert(sizeof(struct sl_nat_ip_ent) == 24 + SL_ID_LEN, "nat ip");
static_assert(sizeof(struct sl_nat_snat_ent) == 16 + SL_ID_LEN, "nat snat");
static_assert(sizeof(struct sl_nat_fwd_ent) == 24, "nat fwd");
static_assert(sizeof(struct sl_nat_eip_ent) == 16, "nat eip");
static_assert(sizeof(struct sl_nat_sec) == 120, "nat section header");
static_assert(offsetof(struct sl_bank_header, havip_off) == 200, "bank havip section");
static_assert(sizeof(struct sl_havip_inst) == 8 + SL_ID_LEN, "havip instance");
static_assert(sizeof(struct sl_havip_ent) == 16 + SL_ID_LEN + SL_HAVIP_MAX_INST * (8 + SL_ID_LEN),
	      "havip entry");
static_assert(sizeof(struct sl_havip_sec) == 16, "havip section header");
static_assert(sizeof(struct sl_havip_export) == 2 * SL_ID_LEN + 32, "havip export");
static_assert(offsetof(struct sl_bank_header, police_off) == 216, "bank police section");
static_assert(sizeof(struct sl_pol_ent) == 40 + SL_ID_LEN, "police entry");
static_assert(sizeof(struct sl_pol_ip_ent) == 8, "police ip entry");
static_assert(sizeof(struct sl_pol_ip6_ent) == 24, "police ip6 entry");
static_assert(sizeof(struct sl_pol_sec) == 48, "police section header");
static_assert(sizeof(struct sl_pol_export) == 48, "policer export");
static_assert(offsetof(struct sl_bank_header, ip6gw_off) == 232, "bank ip6gw section");
static_assert(sizeof(struct sl_ip6gw_gw_ent) == SL_ID_LEN + 16, "ip6gw gw");
static_assert(sizeof(struct sl_ip6gw_addr_ent) == 40 + SL_ID_LEN, "ip6gw addr");
static_assert(sizeof(struct sl_ip6gw_sec) == 88, "ip6gw section header");
static_assert(sizeof(struct sl_ip6gw_addr_slot) == 32, "ip6gw address slot (ABI 17)");
static_assert(sizeof(struct sl_ip6gw_havip_ent) == 16 + 8 * SL_HAVIP_MAX_INST + SL_ID_LEN,
	      "ip6gw havip target");
static_assert(sizeof(struct sl_port_stats) == 128, "port stats");
static_assert(offsetof(struct sl_port_stats, exc_from_kernel) == 120,
	      "port stats exception counters in the former padding");
static_assert(offsetof(struct sl_port_stats, trunk) == 44 &&
		  offsetof(struct sl_port_stats, ipackets) == 48,
	      "port stats trunk in the former padding");
static_assert(sizeof(struct sl_neigh_export) == 40, "neigh export");
static_assert(offsetof(struct sl_neigh_export, trunk) == 36, "neigh export trunk");
static_assert(offsetof(struct sl_vpc, trunk) == 2 * SL_ID_LEN + 12, "vpc trunk");
static_assert(offsetof(struct sl_stats_header, lcore) == SL_CACHE_LINE,
	      "stats lcore array");
static_assert(sizeof(struct sl_queue_stats) == SL_CACHE_LINE, "queue stats");
static_assert(sizeof(struct sl_rt_stats) == 16, "route table stats");
static_assert(offsetof(struct sl_stats_header, queue) % SL_CACHE_LINE == 0,
	      "queue stats cache-aligned");
static_assert((uint32_t)SL_MAX_TRUNKS * (SL_VLAN_COUNT - 2) <= SL_RT_STATS_INET,
	      "every VPC (one per trunk and VLAN) has a route table counter");
static_assert(sizeof(_Atomic uint64_t) == 8 && alignof(_Atomic uint64_t) == 8,
	      "lock-free 64-bit atomics");

#endif /* SL_SHM_H */
