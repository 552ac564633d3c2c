/* SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0-only) */
/*
 * lab-fabric: the lab's 802.1Q switch, as a tc (cls_bpf, direct-action)
 * program attached to the ingress of every port of namespace sl-fabric.
 *
 * Design note
 * -----------
 * The lab needs a VLAN-aware switch: one trunk port towards the gateway
 * (sluice-dp's inside port) carrying every VPC's VLAN tagged, and one access
 * port per instance (untagged, in its VPC's VLAN). A Linux bridge with
 * vlan_filtering is the usual answer, but kernels built without
 * CONFIG_BRIDGE_VLAN_FILTERING and CONFIG_VLAN_8021Q (like the project's
 * machines) have neither it nor VLAN sub-interfaces; cls_bpf with
 * bpf_skb_vlan_push/pop and bpf_redirect/bpf_clone_redirect is always there.
 *
 * scripts/lab compiles this file per lab with -include of a generated
 * header that defines
 *   SLF_TRUNK                   ifindex of the trunk port
 *   SLF_FOREACH_PORT(X)         X(ifindex, vlan, mac48) for each access port,
 *                               mac48 = the instance's (fixed) MAC address
 * so forwarding needs no maps: the MACs behind the access ports are set by
 * scripts/lab and known in advance (no learning, nothing to age).
 *
 * Forwarding:
 *   trunk -> access   the tag (already in skb->vlan_tci: the kernel moves
 *                     802.1Q tags there on receive) selects the VLAN; it is
 *                     removed; unicast goes to the port owning the
 *                     destination MAC in that VLAN (else dropped), broadcast
 *                     and multicast to every access port of the VLAN.
 *   access -> *       unicast to another instance of the same VLAN goes to
 *                     it directly (as a real switch would); everything else
 *                     is tagged with the port's VLAN and sent to the trunk;
 *                     broadcast and multicast also go to the VLAN's other
 *                     access ports.
 * Tagged frames on access ports and untagged frames on the trunk are
 * dropped. No state, so no concurrency concerns.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef SLF_TRUNK
#error "build through scripts/lab: SLF_TRUNK and SLF_FOREACH_PORT come from the topology"
#endif

static __always_inline __u64 slf_mac48(const unsigned char *m)
{
	return ((__u64)m[0] << 40) | ((__u64)m[1] << 32) | ((__u64)m[2] << 24) |
	       ((__u64)m[3] << 16) | ((__u64)m[4] << 8) | (__u64)m[5];
}

SEC("tc")
int slf_switch(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	const struct ethhdr *eth = data;
	__u32 in = skb->ifindex;
	__u16 vid = 0;
	__u64 dst;
	int group;

	if ((void *)(eth + 1) > end)
		return TC_ACT_SHOT;
	dst = slf_mac48(eth->h_dest);
	group = eth->h_dest[0] & 1;

	if (in == SLF_TRUNK) {
		if (!skb->vlan_present)
			return TC_ACT_SHOT;
		vid = skb->vlan_tci & 0x0fff;
		if (bpf_skb_vlan_pop(skb) < 0)
			return TC_ACT_SHOT;
		if (!group) {
#define SLF_UNI(ifi, vl, mac)                                                                      \
	if (vid == (vl) && dst == (mac))                                                           \
		return bpf_redirect((ifi), 0);
			SLF_FOREACH_PORT(SLF_UNI)
#undef SLF_UNI
			return TC_ACT_SHOT;
		}
#define SLF_FLOOD(ifi, vl, mac)                                                                    \
	if (vid == (vl))                                                                           \
		bpf_clone_redirect(skb, (ifi), 0);
		SLF_FOREACH_PORT(SLF_FLOOD)
#undef SLF_FLOOD
		return TC_ACT_SHOT;
	}

#define SLF_VID(ifi, vl, mac)                                                                      \
	if (in == (ifi))                                                                           \
		vid = (vl);
	SLF_FOREACH_PORT(SLF_VID)
#undef SLF_VID
	if (vid == 0 || skb->vlan_present)
		return TC_ACT_SHOT;
	if (!group) {
#define SLF_LOCAL(ifi, vl, mac)                                                                    \
	if (vid == (vl) && dst == (mac) && in != (ifi))                                            \
		return bpf_redirect((ifi), 0);
		SLF_FOREACH_PORT(SLF_LOCAL)
#undef SLF_LOCAL
	} else {
#define SLF_FLOOD(ifi, vl, mac)                                                                    \
	if (vid == (vl) && in != (ifi))                                                            \
		bpf_clone_redirect(skb, (ifi), 0);
		SLF_FOREACH_PORT(SLF_FLOOD)
#undef SLF_FLOOD
	}
	if (bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), vid) < 0)
		return TC_ACT_SHOT;
	return bpf_redirect(SLF_TRUNK, 0);
}

char _license[] SEC("license") = "Dual BSD/GPL";
