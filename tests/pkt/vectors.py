# SPDX-License-Identifier: BSD-3-Clause
"""Golden packet vectors for sluice-dp, built with scapy.

Each case is a list of steps run in order through the real pipeline by
tests/pkt/pkt_runner (sluice-dp's library on net_ring ports, tables compiled by
sluiced's library from configs/demo.json). A step injects one frame on a port
and states what must come out: the exact frames per port (compared field by
field after checksums are verified independently) and/or the drop reason whose
counter must grow. Cases share neighbour state and run in file order, so the
first cases teach the gateway the instances' MACs the way a real instance
would: by asking for its gateway.

Port MACs are fixed by the runner: inside 02:00:00:00:00:01, outside
02:00:00:00:00:02.
"""
from scapy.all import (ARP, ICMP, IP, UDP, TCP, Dot1Q, Ether, Raw, IPv6, ICMPv6EchoRequest,
                       ICMPv6EchoReply, ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr,
                       ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6TimeExceeded, ICMPv6DestUnreach,
                       ICMPv6PacketTooBig, IPerror, UDPerror, ICMPerror, IPerror6,
                       in6_getnsma, in6_getnsmac, inet_pton, socket)

GW_IN = "02:00:00:00:00:01"
GW_OUT = "02:00:00:00:00:02"
A1_MAC = "02:aa:00:00:01:10"
A2_MAC = "02:aa:00:00:02:10"
B1_MAC = "02:bb:00:00:01:10"
INET_MAC = "02:ee:00:00:00:01"
BCAST = "ff:ff:ff:ff:ff:ff"

A1, A2, B1, B2 = "192.168.1.10", "192.168.2.10", "192.168.1.10", "192.168.2.20"
GW1, GW2 = "192.168.1.253", "192.168.2.253"
A1_6, A2_6 = "2001:db8:a:1::10", "2001:db8:a:2::10"
GW1_6, GW2_6 = "2001:db8:a:1:ffff:ffff:ffff:fffd", "2001:db8:a:2:ffff:ffff:ffff:fffd"
INET, GW_PUB = "203.0.113.1", "203.0.113.2"
INET_6, GW_PUB_6 = "2001:db8:ffff::1", "2001:db8:ffff::2"


def vin(vlan, src, dst=GW_IN):
    """Frame from an instance on inside VLAN `vlan`."""
    return Ether(src=src, dst=dst) / Dot1Q(vlan=vlan)


def vout(vlan, dst, src=GW_IN):
    """Frame the gateway sends on inside VLAN `vlan`."""
    return Ether(src=src, dst=dst) / Dot1Q(vlan=vlan)


def nsma_mac(addr):
    return in6_getnsmac(inet_pton(socket.AF_INET6, addr))


def nsma(addr):
    from scapy.utils6 import inet_ntop
    return inet_ntop(socket.AF_INET6, in6_getnsma(inet_pton(socket.AF_INET6, addr)))


def quote4(pkt, limit=576):
    """The part of an IPv4 datagram an ICMP error quotes (RFC 1812 4.3.2.3)."""
    raw = bytes(pkt)
    return raw[: limit - 28]


def quote6(pkt, limit=1280):
    raw = bytes(pkt)
    return raw[: limit - 48]


payload = Raw(b"sluice-packet-test" * 2)


def cases():
    c = []
    # --- ARP: instances ask for their gateway; the gateway answers and learns them.
    for name, vlan, mac, ip, gw in (("a1", 100, A1_MAC, A1, GW1), ("a2", 100, A2_MAC, A2, GW2),
                                    ("b1", 200, B1_MAC, B1, GW1)):
        c.append((f"arp_request_for_gateway_{name}", [dict(
            port="inside",
            send=vin(vlan, mac, BCAST) / ARP(op=1, hwsrc=mac, psrc=ip, hwdst="00:00:00:00:00:00", pdst=gw),
            expect=[("inside", vout(vlan, mac) / ARP(op=2, hwsrc=GW_IN, psrc=gw, hwdst=mac, pdst=ip))],
        )]))
    c.append(("arp_request_for_foreign_address_ignored", [dict(
        port="inside",
        send=vin(100, A1_MAC, BCAST) / ARP(op=1, hwsrc=A1_MAC, psrc=A1, pdst="192.168.1.77"),
        expect=[], drop="arp_not_for_us")]))

    # --- IPv4 forwarding between VSwitches of one VPC.
    echo = IP(src=A1, dst=A2, ttl=64, id=7) / ICMP(id=1, seq=1) / payload
    fwd = echo.copy()
    fwd.ttl = 63
    c.append(("ip4_forward_between_vswitches", [dict(
        port="inside", send=vin(100, A1_MAC) / echo,
        expect=[("inside", vout(100, A2_MAC) / fwd)])]))
    udp = IP(src=A1, dst=A2, ttl=5) / UDP(sport=1234, dport=5678) / payload
    udp_fwd = udp.copy()
    udp_fwd.ttl = 4
    c.append(("ip4_udp_forward_ttl_decrement", [dict(
        port="inside", send=vin(100, A1_MAC) / udp,
        expect=[("inside", vout(100, A2_MAC) / udp_fwd)])]))
    # Custom route 10.99.0.0/16 -> instance i-a2.
    cr = IP(src=A1, dst="10.99.1.1", ttl=64) / UDP(sport=1, dport=2) / payload
    cr_fwd = cr.copy()
    cr_fwd.ttl = 63
    c.append(("ip4_custom_route_to_instance", [dict(
        port="inside", send=vin(100, A1_MAC) / cr,
        expect=[("inside", vout(100, A2_MAC) / cr_fwd)])]))

    # --- VPC isolation: the same destination in VPC B must never reach VPC A's a2.
    iso = IP(src=B1, dst=A2, ttl=64) / ICMP(id=2, seq=1) / payload
    c.append(("vpc_isolation_overlapping_cidrs", [dict(
        port="inside", send=vin(200, B1_MAC) / iso,
        # 192.168.2.10 is on vsw-b2's subnet but unknown there: the gateway asks
        # for it on VLAN 200 and nothing reaches VLAN 100.
        expect=[("inside", vout(200, BCAST) / ARP(op=1, hwsrc=GW_IN, psrc=GW2,
                                                 hwdst="00:00:00:00:00:00", pdst=A2))])]))

    # --- Gateway as a host.
    ping_gw = IP(src=A1, dst=GW1, ttl=64, id=9) / ICMP(type=8, id=3, seq=4) / payload
    c.append(("ip4_echo_to_vswitch_gateway", [dict(
        port="inside", send=vin(100, A1_MAC) / ping_gw,
        expect=[("inside", vout(100, A1_MAC) / IP(src=GW1, dst=A1, ttl=64) /
                 ICMP(type=0, id=3, seq=4) / payload)],
        ignore=["IP.id", "IP.flags"])]))
    udp_gw = IP(src=A1, dst=GW1, ttl=64) / UDP(sport=40000, dport=33434) / payload
    c.append(("ip4_udp_to_gateway_port_unreachable", [dict(
        port="inside", send=vin(100, A1_MAC) / udp_gw,
        expect=[("inside", vout(100, A1_MAC) / IP(src=GW1, dst=A1, ttl=64, proto=1) /
                 ICMP(type=3, code=3) / quote4(udp_gw))],
        ignore=["IP.id", "IP.flags", "IP.tos"])]))

    # --- ICMP errors.
    ttl1 = IP(src=A1, dst=A2, ttl=1) / UDP(sport=40000, dport=33434) / payload
    c.append(("ip4_ttl_expired_time_exceeded", [dict(
        port="inside", send=vin(100, A1_MAC) / ttl1,
        expect=[("inside", vout(100, A1_MAC) / IP(src=GW1, dst=A1, ttl=64, proto=1) /
                 ICMP(type=11, code=0) / quote4(ttl1))],
        drop="ttl_exceeded", ignore=["IP.id", "IP.flags", "IP.tos"])]))
    noroute = IP(src=A1, dst="8.8.8.8", ttl=64) / UDP(sport=1, dport=53) / payload
    c.append(("ip4_no_route_unreachable", [dict(
        port="inside", send=vin(100, A1_MAC) / noroute,
        expect=[("inside", vout(100, A1_MAC) / IP(src=GW1, dst=A1, ttl=64, proto=1) /
                 ICMP(type=3, code=0) / quote4(noroute))],
        drop="no_route", ignore=["IP.id", "IP.flags", "IP.tos"])]))
    big = IP(src=A1, dst=A2, ttl=64, flags="DF", id=11) / UDP(sport=5, dport=6) / Raw(b"x" * 1600)
    c.append(("ip4_df_too_big_frag_needed", [dict(
        port="inside", send=vin(100, A1_MAC) / big,
        expect=[("inside", vout(100, A1_MAC) / IP(src=GW1, dst=A1, ttl=64, proto=1) /
                 ICMP(type=3, code=4, nexthopmtu=1500) / quote4(big))],
        drop="too_big", ignore=["IP.id", "IP.flags", "IP.tos"])]))
    frag = IP(src=A1, dst=A2, ttl=64, id=12) / UDP(sport=5, dport=6) / Raw(bytes(range(256)) * 7)
    c.append(("ip4_fragmented_to_mtu", [dict(
        port="inside", send=vin(100, A1_MAC) / frag,
        reassemble=("inside", A2_MAC, 100), expect_reassembled=frag, max_len=1500 + 18)]))
    c.append(("ip4_blackhole_service_range", [dict(
        port="inside", send=vin(100, A1_MAC) / IP(src=A1, dst="100.64.1.1") / UDP() / payload,
        expect=[], drop="blackhole")]))

    # --- Malformed and foreign frames.
    bad = IP(src=A1, dst=A2, chksum=0x1234) / UDP() / payload
    c.append(("ip4_bad_checksum_dropped", [dict(
        port="inside", send=vin(100, A1_MAC) / bad, expect=[], drop="ip4_checksum")]))
    c.append(("ip4_truncated_dropped", [dict(
        port="inside", send=Ether(bytes(vin(100, A1_MAC) / IP(src=A1, dst=A2) / UDP() / payload)[:18 + 12]),
        expect=[], drop="ip4_truncated")]))
    c.append(("ip4_total_length_lie_dropped", [dict(
        port="inside", send=vin(100, A1_MAC) / IP(src=A1, dst=A2, len=400) / UDP() / payload,
        expect=[], drop="ip4_truncated")]))
    c.append(("ip4_ihl_below_5_dropped", [dict(
        port="inside", send=vin(100, A1_MAC) / IP(src=A1, dst=A2, ihl=4) / UDP() / payload,
        expect=[], drop="ip4_ihl")]))
    c.append(("unknown_vlan_dropped", [dict(
        port="inside", send=vin(300, A1_MAC) / IP(src=A1, dst=A2) / UDP() / payload,
        expect=[], drop="unknown_vlan")]))
    c.append(("untagged_on_inside_dropped", [dict(
        port="inside", send=Ether(src=A1_MAC, dst=GW_IN) / IP(src=A1, dst=A2) / UDP() / payload,
        expect=[], drop="untagged_inside")]))
    c.append(("qinq_dropped", [dict(
        port="inside", send=Ether(src=A1_MAC, dst=GW_IN) / Dot1Q(vlan=100) / Dot1Q(vlan=5) /
        IP(src=A1, dst=A2) / UDP() / payload, expect=[], drop="qinq")]))
    c.append(("tagged_on_outside_dropped", [dict(
        port="outside", send=Ether(src=INET_MAC, dst=GW_OUT) / Dot1Q(vlan=100) / IP(src=INET, dst=GW_PUB) / ICMP(),
        expect=[], drop="tagged_outside")]))
    c.append(("ip4_broadcast_source_dropped", [dict(
        port="inside", send=vin(100, A1_MAC) / IP(src="255.255.255.255", dst=A2) / UDP() / payload,
        expect=[], drop="ip4_bad_source")]))
    c.append(("foreign_unicast_mac_dropped", [dict(
        port="inside", send=vin(100, A1_MAC, dst="02:12:34:56:78:9a") / IP(src=A1, dst=A2) / UDP() / payload,
        expect=[], drop="l2_not_for_us")]))

    # --- IPv6: ND with the gateway, forwarding, errors.
    for name, mac, ip, gw in (("a1", A1_MAC, A1_6, GW1_6), ("a2", A2_MAC, A2_6, GW2_6)):
        ns = (Ether(src=mac, dst=nsma_mac(gw)) / Dot1Q(vlan=100) / IPv6(src=ip, dst=nsma(gw), hlim=255) /
              ICMPv6ND_NS(tgt=gw) / ICMPv6NDOptSrcLLAddr(lladdr=mac))
        na = (vout(100, mac) / IPv6(src=gw, dst=ip, hlim=255) /
              ICMPv6ND_NA(R=1, S=1, O=1, tgt=gw) / ICMPv6NDOptDstLLAddr(lladdr=GW_IN))
        c.append((f"nd_solicit_for_gateway_{name}", [dict(port="inside", send=ns, expect=[("inside", na)])]))
    e6 = IPv6(src=A1_6, dst=A2_6, hlim=64) / ICMPv6EchoRequest(id=1, seq=1, data=b"sluice6")
    e6f = e6.copy()
    e6f.hlim = 63
    c.append(("ip6_forward_between_vswitches", [dict(
        port="inside", send=vin(100, A1_MAC) / e6, expect=[("inside", vout(100, A2_MAC) / e6f)])]))
    c.append(("ip6_echo_to_gateway", [dict(
        port="inside", send=vin(100, A1_MAC) / IPv6(src=A1_6, dst=GW1_6) / ICMPv6EchoRequest(id=5, seq=6, data=b"gw6"),
        expect=[("inside", vout(100, A1_MAC) / IPv6(src=GW1_6, dst=A1_6, hlim=64) /
                 ICMPv6EchoReply(id=5, seq=6, data=b"gw6"))])]))
    h1 = IPv6(src=A1_6, dst=A2_6, hlim=1) / UDP(sport=40000, dport=33434) / payload
    c.append(("ip6_hop_limit_expired", [dict(
        port="inside", send=vin(100, A1_MAC) / h1,
        expect=[("inside", vout(100, A1_MAC) / IPv6(src=GW1_6, dst=A1_6, hlim=64) /
                 ICMPv6TimeExceeded(code=0) / quote6(h1))],
        drop="ttl_exceeded", ignore=["IPv6.tc", "IPv6.fl"])]))
    nr6 = IPv6(src=A1_6, dst="2001:db8:77::1") / UDP(sport=1, dport=2) / payload
    c.append(("ip6_no_route_unreachable", [dict(
        port="inside", send=vin(100, A1_MAC) / nr6,
        expect=[("inside", vout(100, A1_MAC) / IPv6(src=GW1_6, dst=A1_6, hlim=64) /
                 ICMPv6DestUnreach(code=0) / quote6(nr6))],
        drop="no_route", ignore=["IPv6.tc", "IPv6.fl"])]))
    big6 = IPv6(src=A1_6, dst=A2_6) / UDP(sport=5, dport=6) / Raw(b"y" * 1600)
    c.append(("ip6_packet_too_big", [dict(
        port="inside", send=vin(100, A1_MAC) / big6,
        expect=[("inside", vout(100, A1_MAC) / IPv6(src=GW1_6, dst=A1_6, hlim=64) /
                 ICMPv6PacketTooBig(mtu=1500) / quote6(big6))],
        drop="too_big", ignore=["IPv6.tc", "IPv6.fl"])]))
    c.append(("ip6_custom_route_to_instance", [dict(
        port="inside", send=vin(100, A1_MAC) / IPv6(src=A1_6, dst="2001:db8:99::5", hlim=9) / UDP(sport=3, dport=4) / payload,
        expect=[("inside", vout(100, A2_MAC) / IPv6(src=A1_6, dst="2001:db8:99::5", hlim=8) / UDP(sport=3, dport=4) / payload)])]))
    c.append(("ip6_payload_length_lie_dropped", [dict(
        port="inside", send=vin(100, A1_MAC) / IPv6(src=A1_6, dst=A2_6, plen=900) / UDP() / payload,
        expect=[], drop="ip6_truncated")]))
    c.append(("ip6_multicast_source_dropped", [dict(
        port="inside", send=vin(100, A1_MAC) / IPv6(src="ff02::1", dst=A2_6) / UDP() / payload,
        expect=[], drop="ip6_bad_source")]))

    # --- Outside: the Internet side answers for the gateway's public addresses.
    c.append(("arp_outside_for_public_address", [dict(
        port="outside",
        send=Ether(src=INET_MAC, dst=BCAST) / ARP(op=1, hwsrc=INET_MAC, psrc=INET, pdst=GW_PUB),
        expect=[("outside", Ether(src=GW_OUT, dst=INET_MAC) /
                 ARP(op=2, hwsrc=GW_OUT, psrc=GW_PUB, hwdst=INET_MAC, pdst=INET))])]))
    c.append(("ip4_echo_to_public_address", [dict(
        port="outside",
        send=Ether(src=INET_MAC, dst=GW_OUT) / IP(src=INET, dst=GW_PUB, ttl=50) / ICMP(id=9, seq=1) / payload,
        expect=[("outside", Ether(src=GW_OUT, dst=INET_MAC) / IP(src=GW_PUB, dst=INET, ttl=64) /
                 ICMP(type=0, id=9, seq=1) / payload)],
        ignore=["IP.id", "IP.flags"])]))
    ns_out = (Ether(src=INET_MAC, dst=nsma_mac(GW_PUB_6)) / IPv6(src=INET_6, dst=nsma(GW_PUB_6), hlim=255) /
              ICMPv6ND_NS(tgt=GW_PUB_6) / ICMPv6NDOptSrcLLAddr(lladdr=INET_MAC))
    c.append(("nd_outside_for_public_address", [dict(
        port="outside", send=ns_out,
        expect=[("outside", Ether(src=GW_OUT, dst=INET_MAC) / IPv6(src=GW_PUB_6, dst=INET_6, hlim=255) /
                 ICMPv6ND_NA(R=1, S=1, O=1, tgt=GW_PUB_6) / ICMPv6NDOptDstLLAddr(lladdr=GW_OUT))])]))
    c.append(("ip6_echo_to_public_address", [dict(
        port="outside",
        send=Ether(src=INET_MAC, dst=GW_OUT) / IPv6(src=INET_6, dst=GW_PUB_6) / ICMPv6EchoRequest(id=2, seq=2, data=b"pub6"),
        expect=[("outside", Ether(src=GW_OUT, dst=INET_MAC) / IPv6(src=GW_PUB_6, dst=INET_6, hlim=64) /
                 ICMPv6EchoReply(id=2, seq=2, data=b"pub6"))])]))
    return c
