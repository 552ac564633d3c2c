#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write bpf/xdp_vectors.txt, the frames control/xdp_test.c runs through
sl_xdp with BPF_PROG_RUN, each with its expected decision.

Usage: /usr/bin/python3 bpf/make_xdp_vectors.py   (re-run when cases change;
the output is committed so the unit test needs no scapy)

Line format: name role action counter hex-frame
  role:    outside | inside | none  (the sl_xdp_cfg role the test sets)
  action:  XDP_DROP | XDP_PASS      (XSK decisions return XDP_DROP under
           BPF_PROG_RUN with counter no_xsk: the test has no socket)
           | REFUSED (BPF_PROG_RUN refuses frames shorter than an Ethernet
           header with EINVAL, so the program's eth_truncated branch, which
           the verifier requires, cannot be run; the test checks the refusal)
  counter: the one sl_xdp_stats counter the frame must bump

The maps the test fills (keep in step with control/xdp_test.c):
  owned: 203.0.113.0/24, 198.51.100.7/32, 2001:db8:1::/48
  host:  192.0.2.10/32, 203.0.113.250/32, 2001:db8:ff::10/128
"""
import os

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import (ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS,
                                ICMPv6ND_RA, IPv6)
from scapy.layers.l2 import ARP, Dot1AD, Dot1Q, Ether

GW = "02:00:00:00:00:01"
PEER = "02:00:00:00:00:02"


def eth(**kw):
    return Ether(src=PEER, dst=GW, **kw)


def cases():
    e = eth()
    c = [
        # outside, IPv4
        ("ip4_owned_prefix", "outside", "XDP_DROP", "no_xsk",
         e / IP(src="8.8.8.8", dst="203.0.113.5") / UDP(dport=53)),
        ("ip4_eip", "outside", "XDP_DROP", "no_xsk",
         e / IP(src="8.8.8.8", dst="198.51.100.7") / TCP(dport=80)),
        ("ip4_host", "outside", "XDP_PASS", "to_kernel",
         e / IP(src="192.0.2.1", dst="192.0.2.10") / TCP(dport=179)),
        ("ip4_host_inside_owned", "outside", "XDP_PASS", "to_kernel",
         e / IP(src="8.8.8.8", dst="203.0.113.250") / TCP(dport=22)),
        ("ip4_not_owned", "outside", "XDP_DROP", "not_owned4",
         e / IP(src="8.8.8.8", dst="198.51.100.8") / ICMP()),
        ("ip4_multicast", "outside", "XDP_PASS", "to_kernel",
         e / IP(src="192.0.2.1", dst="224.0.0.5") / UDP()),
        ("ip4_truncated", "outside", "XDP_DROP", "ip4_malformed",
         bytes(e / IP(dst="203.0.113.5"))[:14 + 19]),
        ("ip4_bad_ihl", "outside", "XDP_DROP", "ip4_malformed",
         e / IP(dst="203.0.113.5", ihl=4) / UDP()),
        ("ip4_bad_version", "outside", "XDP_DROP", "ip4_malformed",
         e / IP(dst="203.0.113.5", version=6) / UDP()),
        # outside, ARP
        ("arp_owned", "outside", "XDP_DROP", "no_xsk",
         e / ARP(op=1, psrc="203.0.113.1", pdst="203.0.113.5")),
        ("arp_not_owned", "outside", "XDP_DROP", "no_xsk",
         e / ARP(op=1, psrc="203.0.113.1", pdst="10.9.9.9")),
        ("arp_host", "outside", "XDP_PASS", "to_kernel",
         e / ARP(op=1, psrc="192.0.2.1", pdst="192.0.2.10")),
        ("arp_truncated", "outside", "XDP_DROP", "arp_truncated",
         bytes(e / ARP(op=1, pdst="203.0.113.5"))[:14 + 27]),
        # outside, IPv6 and ND
        ("ip6_owned", "outside", "XDP_DROP", "no_xsk",
         e / IPv6(src="2001:db8:9::1", dst="2001:db8:1::5") / UDP()),
        ("ip6_host", "outside", "XDP_PASS", "to_kernel",
         e / IPv6(src="2001:db8:9::1", dst="2001:db8:ff::10") / TCP(dport=179)),
        ("ip6_not_owned", "outside", "XDP_DROP", "not_owned6",
         e / IPv6(src="2001:db8:9::1", dst="2001:db8:2::5") / ICMPv6EchoRequest()),
        ("ip6_link_local", "outside", "XDP_PASS", "to_kernel",
         e / IPv6(src="fe80::2", dst="fe80::1") / TCP(dport=179)),
        ("ip6_multicast", "outside", "XDP_PASS", "to_kernel",
         e / IPv6(src="fe80::2", dst="ff02::5") / UDP()),
        ("ip6_truncated", "outside", "XDP_DROP", "ip6_malformed",
         bytes(e / IPv6(dst="2001:db8:1::5"))[:14 + 39]),
        ("ip6_bad_version", "outside", "XDP_DROP", "ip6_malformed",
         e / IPv6(dst="2001:db8:1::5", version=4) / UDP()),
        ("nd_ns_owned", "outside", "XDP_DROP", "no_xsk",
         e / IPv6(src="fe80::2", dst="ff02::1:ff00:5", hlim=255) /
         ICMPv6ND_NS(tgt="2001:db8:1::5")),
        ("nd_ns_host", "outside", "XDP_PASS", "to_kernel",
         e / IPv6(src="fe80::2", dst="ff02::1:ff00:10", hlim=255) /
         ICMPv6ND_NS(tgt="2001:db8:ff::10")),
        ("nd_na_owned", "outside", "XDP_DROP", "no_xsk",
         e / IPv6(src="fe80::2", dst="fe80::1", hlim=255) /
         ICMPv6ND_NA(tgt="2001:db8:1::9")),
        ("nd_na_to_host", "outside", "XDP_PASS", "to_kernel",
         e / IPv6(src="2001:db8:ff::1", dst="2001:db8:ff::10", hlim=255) /
         ICMPv6ND_NA(tgt="2001:db8:ff::1")),
        ("nd_ra", "outside", "XDP_PASS", "to_kernel",
         e / IPv6(src="fe80::2", dst="ff02::1", hlim=255) / ICMPv6ND_RA()),
        ("nd_ns_truncated", "outside", "XDP_DROP", "nd_truncated",
         bytes(e / IPv6(src="fe80::2", dst="ff02::1:ff00:5", hlim=255, plen=24, nh=58) /
               ICMPv6ND_NS(tgt="2001:db8:1::5"))[:14 + 40 + 20]),
        ("icmp6_truncated", "outside", "XDP_DROP", "nd_truncated",
         bytes(e / IPv6(dst="2001:db8:1::5", nh=58, plen=2))[:14 + 40] + b"\x87\x00"),
        # outside, L2
        ("tagged_outside", "outside", "XDP_DROP", "tagged_outside",
         e / Dot1Q(vlan=100) / IP(dst="203.0.113.5") / UDP()),
        ("eth_truncated", "outside", "REFUSED", "eth_truncated", bytes(e)[:13]),
        ("lldp", "outside", "XDP_PASS", "to_kernel",
         Ether(src=PEER, dst="01:80:c2:00:00:0e", type=0x88cc) / (b"\x00" * 46)),
        # inside
        ("inside_vlan_ip4", "inside", "XDP_DROP", "no_xsk",
         e / Dot1Q(vlan=100) / IP(src="10.0.0.5", dst="8.8.8.8") / UDP()),
        ("inside_vlan_ip6", "inside", "XDP_DROP", "no_xsk",
         e / Dot1Q(vlan=101) / IPv6(src="2001:db8:1::5", dst="2001:db8:9::1") / UDP()),
        ("inside_vlan_arp", "inside", "XDP_DROP", "no_xsk",
         e / Dot1Q(vlan=100) / ARP(op=1, psrc="10.0.0.5", pdst="10.0.0.1")),
        ("inside_untagged", "inside", "XDP_PASS", "to_kernel",
         e / IP(src="192.0.2.1", dst="192.0.2.10") / TCP(dport=22)),
        ("inside_qinq", "inside", "XDP_DROP", "qinq",
         e / Dot1AD(vlan=10) / Dot1Q(vlan=100) / IP(dst="8.8.8.8")),
        ("inside_qinq_8100", "inside", "XDP_DROP", "qinq",
         e / Dot1Q(vlan=10) / Dot1Q(vlan=100) / IP(dst="8.8.8.8")),
        ("inside_vlan_truncated", "inside", "XDP_DROP", "vlan_truncated",
         bytes(e / Dot1Q(vlan=100))[:14 + 3]),
        ("inside_eth_truncated", "inside", "REFUSED", "eth_truncated", bytes(e)[:10]),
        # unconfigured
        ("none_passes", "none", "XDP_PASS", "to_kernel",
         e / IP(src="8.8.8.8", dst="198.51.100.8") / UDP()),
    ]
    return c


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "xdp_vectors.txt")
    with open(out, "w") as f:
        f.write("# generated by bpf/make_xdp_vectors.py: do not edit\n")
        for name, role, action, counter, frame in cases():
            f.write("%s %s %s %s %s\n" % (name, role, action, counter, bytes(frame).hex()))
    print("%d vectors in %s" % (len(cases()), out))


if __name__ == "__main__":
    main()
