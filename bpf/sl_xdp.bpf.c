/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-3-Clause) */
/*
 * sl_xdp: the XDP program in front of a sluice-dp port run on AF_XDP.
 *
 * One program per interface (the machine has no libxdp dispatcher). Per
 * frame it decides where the frame belongs, never modifies it:
 *   - gateway traffic -> sluice-dp's XSK on this rx queue (xsks_map):
 *     on an inside port, VLAN-tagged VPC traffic; on an outside port,
 *     ARP and ND (except the host's: ARP and NS by target address, NA by
 *     destination, i.e. the solicitor) and IP to a public
 *     prefix sluice owns (sl_xdp_owned: outside addresses, EIPs, NAT IPs);
 *   - host traffic -> the kernel (XDP_PASS): to a host prefix (sl_xdp_host:
 *     management, BGP), IPv6 link-local and multicast, IPv4 multicast and
 *     broadcast, RS/RA/redirect, other EtherTypes, untagged on an inside port;
 *   - anything else to a public address -> XDP_DROP, counted per reason;
 *   - malformed frames -> XDP_DROP, counted per reason.
 * Every frame bumps exactly one counter in sl_xdp_stats (per CPU).
 *
 * Parsing is bounded and loop-free: at most two VLAN tags, then one L3
 * header and, for ICMPv6, its first 24 bytes; every access is checked
 * against data_end first (verifier). Layouts: sl_xdp_abi.h.
 *
 * Concurrency: sluiced is the only writer of the cfg, owned and host maps
 * (single-element updates, which the kernel makes atomic per element); this
 * program only reads them. The stats map is per CPU, written only here.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "sl_xdp_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, SL_XDP_XSKS_MAX);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sl_xdp_cfg);
} sl_xdp_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SL_XDP_OWNED_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sl_xdp_lpm_key);
	__type(value, struct sl_xdp_owned_val);
} sl_xdp_owned SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SL_XDP_HOST_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sl_xdp_lpm_key);
	__type(value, struct sl_xdp_host_val);
} sl_xdp_host SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SL_XDP_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} sl_xdp_stats SEC(".maps");

#define ETH_P_8021Q_BE bpf_htons(ETH_P_8021Q)
#define ETH_P_8021AD_BE bpf_htons(ETH_P_8021AD)

struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

/* an ARP header for Ethernet/IPv4 (RFC 826), as far as the target address */
struct arp_eth4 {
	__be16 htype, ptype;
	__u8 hlen, plen;
	__be16 op;
	__u8 sha[6];
	__u8 spa[4];
	__u8 tha[6];
	__u8 tpa[4];
};

/* ICMPv6 NS/NA (RFC 4861 4.3, 4.4) as far as the target address */
struct nd_msg {
	__u8 type, code;
	__be16 csum;
	__be32 reserved;
	__u8 target[16];
};

static __always_inline int count(enum sl_xdp_cnt c, int action)
{
	__u32 k = c;
	__u64 *v = bpf_map_lookup_elem(&sl_xdp_stats, &k);

	if (v)
		*v += 1; /* per-CPU slot: no atomics needed */
	return action;
}

static __always_inline int drop(enum sl_xdp_cnt c)
{
	return count(c, XDP_DROP);
}

static __always_inline int to_kernel(void)
{
	return count(SL_XDP_CNT_TO_KERNEL, XDP_PASS);
}

static __always_inline int to_xsk(struct xdp_md *ctx)
{
	__u32 q = ctx->rx_queue_index;

	/* No socket on this queue (sluice-dp not running, or fewer queues
	 * than the NIC's): dropping is the safe choice, the kernel must not
	 * answer for the gateway's addresses. */
	if (!bpf_map_lookup_elem(&xsks_map, &q))
		return drop(SL_XDP_CNT_NO_XSK);
	count(SL_XDP_CNT_TO_XSK, 0);
	return bpf_redirect_map(&xsks_map, q, XDP_DROP);
}

static __always_inline void key4(struct sl_xdp_lpm_key *k, const void *a4)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->prefixlen = 128;
	k->addr[10] = 0xff;
	k->addr[11] = 0xff;
	__builtin_memcpy(&k->addr[12], a4, 4);
}

static __always_inline void key6(struct sl_xdp_lpm_key *k, const void *a6)
{
	k->prefixlen = 128;
	__builtin_memcpy(k->addr, a6, 16);
}

static __always_inline int is_host(const struct sl_xdp_lpm_key *k)
{
	return bpf_map_lookup_elem(&sl_xdp_host, k) != NULL;
}

static __always_inline int is_owned(const struct sl_xdp_lpm_key *k)
{
	return bpf_map_lookup_elem(&sl_xdp_owned, k) != NULL;
}

static __always_inline int outside_arp(struct xdp_md *ctx, void *l3, void *end)
{
	struct arp_eth4 *arp = l3;
	struct sl_xdp_lpm_key k;

	if ((void *)(arp + 1) > end)
		return drop(SL_XDP_CNT_ARP_TRUNCATED);
	key4(&k, arp->tpa);
	if (is_host(&k))
		return to_kernel();
	/* sluice-dp answers for what it owns and counts the rest */
	return to_xsk(ctx);
}

static __always_inline int outside_ip4(struct xdp_md *ctx, void *l3, void *end)
{
	struct iphdr *ip = l3;
	struct sl_xdp_lpm_key k;
	__u32 daddr;

	if ((void *)(ip + 1) > end || ip->version != 4 || ip->ihl < 5)
		return drop(SL_XDP_CNT_IP4_MALFORMED);
	daddr = bpf_ntohl(ip->daddr);
	key4(&k, &ip->daddr);
	if (is_host(&k))
		return to_kernel();
	if ((daddr >> 28) == 0xe || daddr == 0xffffffff)
		return to_kernel(); /* multicast, limited broadcast */
	if (is_owned(&k))
		return to_xsk(ctx);
	return drop(SL_XDP_CNT_NOT_OWNED4);
}

static __always_inline int outside_ip6(struct xdp_md *ctx, void *l3, void *end)
{
	struct ipv6hdr *ip6 = l3;
	struct sl_xdp_lpm_key k;
	const __u8 *d;

	if ((void *)(ip6 + 1) > end || ip6->version != 6)
		return drop(SL_XDP_CNT_IP6_MALFORMED);
	d = ip6->daddr.in6_u.u6_addr8;
	if (ip6->nexthdr == IPPROTO_ICMPV6) {
		struct nd_msg *nd = (void *)(ip6 + 1);

		if ((void *)nd + 4 > end)
			return drop(SL_XDP_CNT_ND_TRUNCATED);
		switch (nd->type) {
		case 133: /* router solicitation */
		case 134: /* router advertisement */
		case 137: /* redirect: the host's business, sluice-dp ignores them */
			return to_kernel();
		case 135: /* neighbour solicitation: whoever owns the target */
			if ((void *)(nd + 1) > end)
				return drop(SL_XDP_CNT_ND_TRUNCATED);
			key6(&k, nd->target);
			if (is_host(&k))
				return to_kernel();
			return to_xsk(ctx);
		case 136: /* neighbour advertisement: its target is the
			   * sender's; a solicited one goes to the solicitor,
			   * the host if addressed to a host address */
			if ((void *)(nd + 1) > end)
				return drop(SL_XDP_CNT_ND_TRUNCATED);
			key6(&k, d);
			if (is_host(&k))
				return to_kernel();
			return to_xsk(ctx);
		}
	}
	key6(&k, d);
	if (is_host(&k))
		return to_kernel();
	if (d[0] == 0xff || (d[0] == 0xfe && (d[1] & 0xc0) == 0x80))
		return to_kernel(); /* multicast, link-local (BGP over LL) */
	if (is_owned(&k))
		return to_xsk(ctx);
	return drop(SL_XDP_CNT_NOT_OWNED6);
}

SEC("xdp")
int sl_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct sl_xdp_cfg *cfg;
	__u32 zero = 0;
	__be16 proto;

	if ((void *)(eth + 1) > end)
		return drop(SL_XDP_CNT_ETH_TRUNCATED);
	cfg = bpf_map_lookup_elem(&sl_xdp_cfg, &zero);
	if (!cfg || cfg->role == SL_XDP_ROLE_NONE)
		return to_kernel();
	proto = eth->h_proto;

	if (cfg->role == SL_XDP_ROLE_INSIDE) {
		struct vlan_tag *tag = (void *)(eth + 1);

		if (proto != ETH_P_8021Q_BE && proto != ETH_P_8021AD_BE)
			return to_kernel(); /* untagged: the host's native VLAN */
		if ((void *)(tag + 1) > end)
			return drop(SL_XDP_CNT_VLAN_TRUNCATED);
		if (proto == ETH_P_8021AD_BE || tag->proto == ETH_P_8021Q_BE ||
		    tag->proto == ETH_P_8021AD_BE)
			return drop(SL_XDP_CNT_QINQ);
		return to_xsk(ctx);
	}

	/* outside port */
	if (proto == ETH_P_8021Q_BE || proto == ETH_P_8021AD_BE)
		return drop(SL_XDP_CNT_TAGGED_OUTSIDE);
	if (proto == bpf_htons(ETH_P_ARP))
		return outside_arp(ctx, eth + 1, end);
	if (proto == bpf_htons(ETH_P_IP))
		return outside_ip4(ctx, eth + 1, end);
	if (proto == bpf_htons(ETH_P_IPV6))
		return outside_ip6(ctx, eth + 1, end);
	return to_kernel(); /* LLDP, LACP, ...: the host's */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
