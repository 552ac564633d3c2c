/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Drop reasons and counters, one X-macro list each, shared by the data plane
 * (which counts), sluiced and sluicectl (which read and print) and, later,
 * the BPF program. Part of the shared-memory ABI: appending an entry changes
 * SL_DROP_MAX / SL_CNT_MAX and therefore the stats layout, so bump
 * SL_SHM_ABI_VERSION in sl_shm.h with it.
 *
 * Each entry: _(SYMBOL, "name", "description"). The name is what operators
 * see (sluicectl, metrics); keep it stable.
 */
#ifndef SL_COUNTERS_H
#define SL_COUNTERS_H

#define SL_FOREACH_DROP(_)                                                      \
	_(NONE, "none", "not dropped (placeholder, never counted)")             \
	_(ETH_TRUNCATED, "eth_truncated", "frame shorter than its L2 headers")  \
	_(QINQ, "qinq", "stacked VLAN tags (QinQ) are not accepted")            \
	_(UNTAGGED_INSIDE, "untagged_inside", "untagged frame on an inside port") \
	_(TAGGED_OUTSIDE, "tagged_outside", "VLAN-tagged frame on an outside port") \
	_(UNKNOWN_VLAN, "unknown_vlan", "inside VLAN not assigned to any VPC")  \
	_(ETHERTYPE, "ethertype", "EtherType neither IPv4, IPv6 nor ARP")       \
	_(L2_NOT_FOR_US, "l2_not_for_us", "unicast destination MAC is not the port's") \
	_(L2_MULTICAST, "l2_multicast", "unicast IP in a broadcast/multicast frame (RFC 1812 5.3.4)") \
	_(NO_TABLES, "no_tables", "no table generation published yet")         \
	_(IP4_TRUNCATED, "ip4_truncated", "IPv4 header or total length beyond the frame") \
	_(IP4_VERSION, "ip4_version", "IPv4 EtherType with version != 4")       \
	_(IP4_IHL, "ip4_ihl", "IPv4 IHL below 5")                               \
	_(IP4_LENGTH, "ip4_length", "IPv4 total length below the header length") \
	_(IP4_CHECKSUM, "ip4_checksum", "IPv4 header checksum wrong")           \
	_(IP4_BAD_SOURCE, "ip4_bad_source", "IPv4 source multicast, broadcast, loopback or zero") \
	_(IP4_BAD_DEST, "ip4_bad_dest", "IPv4 destination multicast, broadcast, loopback or zero") \
	_(IP6_TRUNCATED, "ip6_truncated", "IPv6 header or payload length beyond the frame") \
	_(IP6_VERSION, "ip6_version", "IPv6 EtherType with version != 6")       \
	_(IP6_BAD_SOURCE, "ip6_bad_source", "IPv6 source multicast, loopback or unspecified") \
	_(IP6_BAD_DEST, "ip6_bad_dest", "IPv6 destination multicast (other than ND), loopback or unspecified") \
	_(IP6_SCOPE, "ip6_scope", "IPv6 link-local source or destination would leave its link") \
	_(TTL_EXCEEDED, "ttl_exceeded", "TTL or hop limit expired in transit (ICMP sent)") \
	_(NO_ROUTE, "no_route", "no route to the destination (ICMP unreachable sent)") \
	_(BLACKHOLE, "blackhole", "route to a blackhole next hop")              \
	_(TOO_BIG, "too_big", "larger than the egress MTU with DF or IPv6 (ICMP sent)") \
	_(FRAG_FAILED, "frag_failed", "IPv4 fragmentation failed (no buffers)") \
	_(LOCAL_PROTO, "local_proto", "addressed to the gateway, not an echo request") \
	_(LOCAL_ICMP_INVALID, "local_icmp_invalid", "ICMP to the gateway truncated, fragmented or with a bad checksum") \
	_(ICMP_RATELIMIT, "icmp_ratelimit", "ICMP error suppressed by the rate limit") \
	_(ICMP_ERROR_LOOP, "icmp_no_error", "no ICMP error about an ICMP error, fragment or multicast") \
	_(ICMP_NO_SOURCE, "icmp_no_source", "no gateway address toward the source: ICMP error not sent") \
	_(ARP_INVALID, "arp_invalid", "ARP packet malformed or not Ethernet/IPv4") \
	_(ARP_NOT_FOR_US, "arp_not_for_us", "ARP request for an address the gateway does not own") \
	_(ND_INVALID, "nd_invalid", "ND packet malformed (RFC 4861 checks)")    \
	_(ND_NOT_FOR_US, "nd_not_for_us", "neighbour solicitation for an address the gateway does not own") \
	_(NEIGH_QUEUE_FULL, "neigh_queue_full", "too many packets waiting for one neighbour resolution") \
	_(NEIGH_FAILED, "neigh_failed", "neighbour did not answer ARP/ND")      \
	_(PUNT_RING_FULL, "punt_ring_full", "ring to the main lcore full (data stops at 3/4: the last quarter is for ARP/ND)") \
	_(TX_FULL, "tx_full", "transmit queue full")                            \
	_(NO_MBUF, "no_mbuf", "buffer allocation failed")                       \
	_(NO_PORT, "no_port", "no port with the egress role")                   \
	_(NEIGH_TABLE_FULL, "neigh_table_full", "neighbour table full: next hop cannot be resolved") \
	_(ND_IGNORED, "nd_ignored", "router solicitation/advertisement or redirect (not handled)") \
	_(INJECT_RING_FULL, "inject_ring_full", "main lcore to worker transmit ring full") \
	_(PIPELINE_LOOP, "pipeline_loop", "packet still in the pipeline after the maximum number of passes") \
	_(PUNT_INVALID, "punt_invalid", "packet punted to the main lcore without a valid reason") \
	_(L2_BAD_SOURCE, "l2_bad_source", "source MAC is a group (multicast/broadcast) address") \
	_(IP4_SOURCE_ROUTE, "ip4_source_route", "IPv4 loose/strict source route option (RFC 7126 4.3)") \
	_(IP4_OPTIONS, "ip4_options", "IPv4 options malformed (ICMP parameter problem sent)") \
	_(NAT_PROTO, "nat_proto", "protocol other than ICMP, TCP, UDP through NAT (EIP 1:1, SNAT)") \
	_(NAT_L4_TRUNCATED, "nat_l4_truncated", "first fragment to translate without its whole TCP/UDP header in the first segment") \
	_(NAT_NO_MAPPING, "nat_no_mapping", "inbound to a NAT gateway's public IP without a session or forward entry") \
	_(SNAT_UNAVAILABLE, "snat_unavailable", "to the Internet from a source without EIP and without a SNAT entry (or sluice-dp has no NAT table)") \
	_(EXC_KERNEL_FULL, "exception_kernel_full", "exception path: the kernel interface's queue was full") \
	_(EXC_RUNT, "exception_runt", "exception path: frame from the kernel shorter than an Ethernet header (with its 802.1Q tag on a trunk)") \
	/* HaVip (issue 12, docs/havip.md) */                                   \
	_(HAVIP_NOT_ASSOCIATED, "havip_not_associated", "ARP claiming a HaVip from a MAC of no associated instance (ignored)") \
	/* police4 (issue 7): over a public IP's or its package's bandwidth */ \
	_(POLICED_OUT, "policed_out", "to the Internet over the public IP's bandwidth (or its package's)") \
	_(POLICED_IN, "policed_in", "from the Internet over the public IP's bandwidth (or its package's)") \
	/* NAT sessions (issue 5, third slice): one per enum sl_nat_drop, */ \
	/* NO_MAPPING and BAD_PROTO being NAT_NO_MAPPING and NAT_PROTO */ \
	_(NAT_SESSION_LIMIT, "nat_session_limit", "new NAT session beyond the gateway's concurrent-session limit") \
	_(NAT_RATE_LIMIT, "nat_rate_limit", "new NAT session beyond the gateway's new-sessions-per-second limit") \
	_(NAT_PORTS_EXHAUSTED, "nat_ports_exhausted", "no free port on the public IP the source is paired with") \
	_(NAT_TABLE_FULL, "nat_table_full", "NAT session table full") \
	_(NAT_FILTERED, "nat_filtered", "inbound to a SNAT mapping from an endpoint it never sent to (address-and-port-dependent filtering)") \
	_(NAT_NO_POOL, "nat_no_pool", "no usable public IP: empty pool, or the NAT gateway is not in sluice-dp's table") \
	_(NAT_CONFLICT, "nat_conflict", "the new NAT session's other tuple belongs to another session") \
	_(NAT_FRAGMENT, "nat_fragment", "non-first IPv4 fragment of a SNAT/DNAT flow whose first fragment's gateway is gone") \
	/* IPv6 gateway (issue 6, docs/ipv6gw.md) */                            \
	_(IP6GW_SRC_NO_BANDWIDTH, "ip6gw_src_no_bandwidth", "IPv6 to the Internet from an address without Internet bandwidth") \
	_(IP6GW_DST_NO_BANDWIDTH, "ip6gw_dst_no_bandwidth", "IPv6 from the Internet to an address of a VPC with an IPv6 gateway, without Internet bandwidth") \
	_(IP6GW_EGRESS_ONLY, "ip6gw_egress_only", "IPv6 from the Internet to an egress-only address, not part of a flow it started") \
	_(IP6GW_STATE_FULL, "ip6gw_state_full", "IPv6 from an egress-only address: no room for the flow's state") \
	/* NAT fragments before their first fragment (issue 5, docs/nat.md) */ \
	_(NAT_FRAG_HOLD_FULL, "nat_frag_hold_full", "early IPv4 fragment of a SNAT/DNAT flow: no room in the holding area") \
	_(NAT_FRAG_TIMEOUT, "nat_frag_timeout", "held IPv4 fragment whose first fragment did not come within 2 s") \
	_(NAT_FRAG_TOO_MANY, "nat_frag_too_many", "early IPv4 fragment beyond the 16 held per datagram") \
	_(NAT_FRAG_OVERLAP, "nat_frag_overlap", "early IPv4 fragment overlapping or repeating one held") \
	_(NAT_FRAG_BAD, "nat_frag_bad", "non-first IPv4 fragment of a SNAT/DNAT flow: empty, beyond 65,535 bytes, or not the last and not a multiple of 8 bytes") \
	/* IPv6 ingress route rules via a HaVip (issues 6/12, session 5) */ \
	_(IP6GW_HAVIP_NO_HOLDER, "ip6gw_havip_no_holder", "IPv6 from the Internet steered by a rule to a HaVip whose holder is not known (or has no IPv6 next hop)") \
	/* exception path of inside ports (issue 8, session 6, inexc) */ \
	_(EXC_UNTAGGED, "exception_untagged", "exception path: frame from the kernel for an inside port (a trunk) without an 802.1Q tag") \
	_(EXC_TAG_FAILED, "exception_tag_failed", "exception path: no room to put the 802.1Q tag back on a frame for the kernel")

#define SL_FOREACH_COUNTER(_)                                                   \
	_(RX_PKTS, "rx_packets", "packets received by workers")                 \
	_(TX_PKTS, "tx_packets", "packets handed to a port's tx queue")        \
	_(FWD_IP4, "forwarded_ip4", "IPv4 packets forwarded")                   \
	_(FWD_IP6, "forwarded_ip6", "IPv6 packets forwarded")                   \
	_(LOCAL_ECHO, "echo_replies", "echo replies sent by the gateway")       \
	_(ICMP_ERRORS, "icmp_errors", "ICMP/ICMPv6 errors originated")          \
	_(ARP_REPLIES, "arp_replies", "ARP replies sent for gateway addresses") \
	_(ARP_REQUESTS, "arp_requests", "ARP requests sent to resolve next hops") \
	_(ND_ADVERTS, "nd_adverts", "neighbour advertisements sent")            \
	_(ND_SOLICITS, "nd_solicits", "neighbour solicitations sent")           \
	_(NEIGH_LEARNED, "neigh_learned", "neighbour entries learned or refreshed") \
	_(PUNTED, "punted", "packets handed to the main lcore")                 \
	_(FRAGMENTS, "ip4_fragments_out", "IPv4 fragments created")             \
	_(GENERATIONS, "generations_seen", "table generations taken up")       \
	_(BANK_REJECTED, "banks_rejected", "published banks refused (bad magic, generation or offsets)") \
	_(EIP_OUT, "eip_out", "packets to the Internet translated by an EIP 1:1 (source)") \
	_(EIP_IN, "eip_in", "packets from the Internet translated by an EIP 1:1 (destination)") \
	_(EXC_TO_KERNEL, "exception_to_kernel", "frames handed to the host kernel (exception path)") \
	_(EXC_FROM_KERNEL, "exception_from_kernel", "frames the host kernel sent out through a port") \
	/* HaVip (issue 12, docs/havip.md) */                                   \
	_(HAVIP_HOLDER_CHANGES, "havip_holder_changes", "HaVips that got a new holder (instance or MAC)") \
	_(HAVIP_CLAIMS_PENDING, "havip_claims_pending", "HaVip claims waiting for an associated instance's MAC") \
	_(HAVIP_CLAIMS_EXPIRED, "havip_claims_expired", "pending HaVip claims no associated instance confirmed") \
	/* police4 (issue 7) */ \
	_(POLICE_UNENFORCED, "police_unenforced", "packets passed unmetered: their policer index is beyond sluice-dp's policers table") \
	/* NAT sessions (issue 5, third slice) */ \
	_(NAT_OUT, "nat_out", "packets to the Internet translated by a NAT session (source: SNAT, DNAT replies)") \
	_(NAT_IN, "nat_in", "packets from the Internet translated by a NAT session (destination: SNAT replies, DNAT)") \
	_(NAT_ICMP_ERRORS, "nat_icmp_errors", "ICMP errors about a NAT session's flow translated with it (RFC 5508)") \
	_(NAT_FRAGMENTS, "nat_fragments", "non-first IPv4 fragments translated like their first fragment") \
	/* IPv6 gateway (issue 6) */                                             \
	_(IP6GW_OUT, "ip6gw_out", "IPv6 packets from a VPC to the Internet through its IPv6 gateway") \
	_(IP6GW_IN, "ip6gw_in", "IPv6 packets from the Internet into a VPC through its IPv6 gateway") \
	_(IP6GW_RULE, "ip6gw_rule", "IPv6 packets from the Internet steered by an ingress route rule") \
	_(IP6GW_EO_EXPIRED, "ip6gw_eo_expired", "egress-only flows removed by the expiry scan") \
	/* NAT fragments before their first fragment (issue 5) */ \
	_(NAT_FRAGS_HELD, "nat_fragments_held", "non-first IPv4 fragments held until their first fragment came (counted again in nat_fragments when released)") \
	/* IPv6 ingress route rules via a HaVip (issues 6/12, session 5) */ \
	_(IP6GW_RULE_HAVIP, "ip6gw_rule_havip", "IPv6 packets from the Internet steered by an ingress route rule to a HaVip's holder")

#define SL_DROP_ENUM(sym, name, desc) SL_DROP_##sym,
enum sl_drop_reason { SL_FOREACH_DROP(SL_DROP_ENUM) SL_DROP_MAX };
#undef SL_DROP_ENUM

#define SL_CNT_ENUM(sym, name, desc) SL_CNT_##sym,
enum sl_counter { SL_FOREACH_COUNTER(SL_CNT_ENUM) SL_CNT_MAX };
#undef SL_CNT_ENUM

#endif /* SL_COUNTERS_H */
