/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The XDP program's ABI: every map's key and value, the port roles and the
 * counters, shared by bpf/sl_xdp.bpf.c (kernel side, clang -target bpf),
 * sluiced's loader (control/xdp.c) and the tests. One header so the layouts
 * cannot drift; the static asserts below pin sizes and offsets, and
 * bpf/xdp_abi_test.c opens the built object with libbpf and checks that each
 * map's key and value sizes are the ones declared here.
 *
 * Compiled both by clang -target bpf and by the host compiler: only fixed-
 * width linux/types.h types, no padding, no pointers.
 *
 * Changing a layout or appending a counter changes what sluiced writes and
 * reads: bump SL_XDP_ABI_VERSION with it. sluiced refuses an object whose
 * maps' key or value sizes or counter count differ from this header
 * (sl_xdp_check_object() in control/xdp.c).
 */
#ifndef SL_XDP_ABI_H
#define SL_XDP_ABI_H

#include <linux/types.h>

#define SL_XDP_ABI_VERSION 1

/*
 * Map names (the ELF names libbpf finds them by). "xsks_map" is the name
 * DPDK's af_xdp PMD looks for in a program given with its xdp_prog= devarg
 * (docs/xdp.md): do not rename it.
 */
#define SL_XDP_MAP_XSKS "xsks_map"
#define SL_XDP_MAP_CFG "sl_xdp_cfg"
#define SL_XDP_MAP_OWNED "sl_xdp_owned"
#define SL_XDP_MAP_HOST "sl_xdp_host"
#define SL_XDP_MAP_STATS "sl_xdp_stats"
#define SL_XDP_PROG_NAME "sl_xdp"

#define SL_XDP_XSKS_MAX 64     /* rx queues per interface */
#define SL_XDP_OWNED_MAX 65536 /* owned public prefixes */
#define SL_XDP_HOST_MAX 1024   /* host (management, BGP) prefixes */

/* Port role, in the one-entry sl_xdp_cfg array. NONE (the zeroed map of a
 * freshly loaded object) passes everything to the kernel. */
enum sl_xdp_role {
	SL_XDP_ROLE_NONE = 0,
	SL_XDP_ROLE_OUTSIDE = 1,
	SL_XDP_ROLE_INSIDE = 2,
};

struct sl_xdp_cfg {
	__u32 role;  /**< enum sl_xdp_role */
	__u32 flags; /**< reserved, 0 */
};

/*
 * Key of both LPM tries (owned public prefixes, host prefixes). One trie per
 * purpose holds both families: IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d,
 * prefixlen 96 + len), so one lookup shape serves both.
 */
struct sl_xdp_lpm_key {
	__u32 prefixlen;
	__u8 addr[16]; /**< network order */
};
#define SL_XDP_V4MAPPED_LEN 96

/* Value of sl_xdp_owned: why sluice owns the prefix (for operators and
 * tests; the program only tests presence). */
enum sl_xdp_owner {
	SL_XDP_OWN_OUTSIDE = 1, /**< Gateway.Outside.Addresses */
	SL_XDP_OWN_EIP = 2,	/**< an EIP */
	SL_XDP_OWN_NAT = 3,	/**< a NAT bandwidth package IP */
	SL_XDP_OWN_VPC6 = 4,	/**< a VPC's IPv6 CIDR (public in the documents) */
};

struct sl_xdp_owned_val {
	__u32 owner; /**< enum sl_xdp_owner */
};

struct sl_xdp_host_val {
	__u32 flags; /**< reserved, 0 */
};

/*
 * Counters, one X-macro list: _(SYMBOL, "name", is_drop, "description").
 * sl_xdp_stats is a per-CPU array of __u64 packet counts indexed by
 * enum sl_xdp_cnt (summed over CPUs on read). Every packet is counted
 * exactly once. Names are what operators see; keep them stable.
 */
#define SL_XDP_FOREACH_CNT(_)                                                                      \
	_(TO_XSK, "to_xsk", 0, "gateway traffic redirected to sluice-dp's socket")                 \
	_(TO_KERNEL, "to_kernel", 0, "host traffic passed to the kernel")                          \
	_(NO_XSK, "no_xsk", 1, "gateway traffic but no socket on this rx queue")                   \
	_(ETH_TRUNCATED, "eth_truncated", 1, "frame shorter than an Ethernet header")              \
	_(VLAN_TRUNCATED, "vlan_truncated", 1, "frame shorter than its VLAN tags")                 \
	_(QINQ, "qinq", 1, "stacked VLAN tags (QinQ) on an inside port")                           \
	_(TAGGED_OUTSIDE, "tagged_outside", 1, "VLAN-tagged frame on an outside port")             \
	_(ARP_TRUNCATED, "arp_truncated", 1, "ARP shorter than Ethernet/IPv4 ARP")                 \
	_(IP4_MALFORMED, "ip4_malformed", 1, "IPv4 header truncated, version or IHL wrong")        \
	_(IP6_MALFORMED, "ip6_malformed", 1, "IPv6 header truncated or version wrong")             \
	_(ND_TRUNCATED, "nd_truncated", 1, "ICMPv6 ND message shorter than its target")            \
	_(NOT_OWNED4, "not_owned4", 1, "IPv4 to a public address sluice does not own")             \
	_(NOT_OWNED6, "not_owned6", 1, "IPv6 to a public address sluice does not own")

/* clang-format off */
enum sl_xdp_cnt {
#define SL_XDP_CNT_ENUM(sym, name, drop, desc) SL_XDP_CNT_##sym,
	SL_XDP_FOREACH_CNT(SL_XDP_CNT_ENUM)
#undef SL_XDP_CNT_ENUM
	SL_XDP_CNT_MAX
};
/* clang-format on */

_Static_assert(sizeof(struct sl_xdp_cfg) == 8, "sl_xdp_cfg layout");
_Static_assert(sizeof(struct sl_xdp_lpm_key) == 20, "LPM key: prefixlen then 16 bytes");
_Static_assert(__builtin_offsetof(struct sl_xdp_lpm_key, addr) == 4,
	       "LPM trie keys start with a __u32 prefixlen");
_Static_assert(sizeof(struct sl_xdp_owned_val) == 4, "sl_xdp_owned value");
_Static_assert(sizeof(struct sl_xdp_host_val) == 4, "sl_xdp_host value");
_Static_assert(SL_XDP_CNT_MAX == 13, "counter list changed: bump SL_XDP_ABI_VERSION");

#endif /* SL_XDP_ABI_H */
