# SPDX-License-Identifier: BSD-3-Clause
"""Packet vectors for trunks (tests/pkt/trunks.json).

vpc-a sits on trunk 0 (runner port "inside") and vpc-c on trunk 1 (runner
port "inside1"), both as VLAN 100 with the same addresses (instances
192.168.1.10 and 192.168.2.10, gateways .253). A frame is classified by
(trunk of its port, VLAN), so each VPC must answer ARP/ND, forward and send to
its instances on its own port only; vpc-b's VLAN 200 exists on trunk 0 only.
Cases share neighbour state and run in order (the first ones teach the
gateway the instances' MACs), as in vectors.py.
"""
from scapy.all import (ARP, ICMP, IP, UDP, Dot1Q, Ether, Raw, IPv6, ICMPv6EchoRequest,
                       ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr, ICMPv6ND_NA, ICMPv6ND_NS)

from vectors import BCAST, nsma, nsma_mac

GW = {"inside": "02:00:00:00:00:01", "inside1": "02:00:00:00:00:03"}
# Distinct MACs per VPC so that a frame sent to the wrong VPC's instance shows.
MAC = {("inside", 1): "02:aa:00:00:01:10", ("inside", 2): "02:aa:00:00:02:10",
       ("inside1", 1): "02:cc:00:00:01:10", ("inside1", 2): "02:cc:00:00:02:10"}
H1, H2, GW1, GW2 = "192.168.1.10", "192.168.2.10", "192.168.1.253", "192.168.2.253"
H1_6, GW1_6 = "2001:db8:a:1::10", "2001:db8:a:1:ffff:ffff:ffff:fffd"
VLAN = 100
payload = Raw(b"sluice-trunk-test" * 2)


def tin(port, src, dst=None, vlan=VLAN):
    return Ether(src=src, dst=dst or GW[port]) / Dot1Q(vlan=vlan)


def tout(port, dst, vlan=VLAN):
    return Ether(src=GW[port], dst=dst) / Dot1Q(vlan=vlan)


def cases():
    c = []
    # ARP for the same gateway address on both trunks: each answered on its
    # own port with that port's MAC, nothing on the other.
    for port in ("inside", "inside1"):
        for n, ip, gw in ((1, H1, GW1), (2, H2, GW2)):
            mac = MAC[(port, n)]
            c.append((f"trunk_arp_for_gateway_{port}_h{n}", [dict(
                port=port,
                send=tin(port, mac, BCAST) / ARP(op=1, hwsrc=mac, psrc=ip, hwdst="00:00:00:00:00:00", pdst=gw),
                expect=[(port, tout(port, mac) / ARP(op=2, hwsrc=GW[port], psrc=gw, hwdst=mac, pdst=ip))],
                drops={})]))
        mac = MAC[(port, 1)]
        ns = (Ether(src=mac, dst=nsma_mac(GW1_6)) / Dot1Q(vlan=VLAN) / IPv6(src=H1_6, dst=nsma(GW1_6), hlim=255) /
              ICMPv6ND_NS(tgt=GW1_6) / ICMPv6NDOptSrcLLAddr(lladdr=mac))
        na = (tout(port, mac) / IPv6(src=GW1_6, dst=H1_6, hlim=255) /
              ICMPv6ND_NA(R=1, S=1, O=1, tgt=GW1_6) / ICMPv6NDOptDstLLAddr(lladdr=GW[port]))
        c.append((f"trunk_nd_for_gateway_{port}", [dict(port=port, send=ns, expect=[(port, na)], drops={})]))

    # Forwarding inside each VPC: h1 -> h2 leaves by the ingress VPC's port
    # to that VPC's h2 (the same address lives in the other VPC).
    for port in ("inside", "inside1"):
        echo = IP(src=H1, dst=H2, ttl=64, id=7) / ICMP(id=1, seq=1) / payload
        fwd = echo.copy()
        fwd.ttl = 63
        c.append((f"trunk_forward_{port}", [dict(
            port=port, send=tin(port, MAC[(port, 1)]) / echo,
            expect=[(port, tout(port, MAC[(port, 2)]) / fwd)], drops={})]))
        e6 = IPv6(src=H1_6, dst="2001:db8:a:2::10", hlim=64) / ICMPv6EchoRequest(id=1, seq=1, data=b"t6")
        # h2's IPv6 MAC is unknown: the gateway solicits it on the VPC's own port.
        sol = (Ether(src=GW[port], dst=nsma_mac(nsma("2001:db8:a:2::10"))) / Dot1Q(vlan=VLAN) /
               IPv6(src="2001:db8:a:2:ffff:ffff:ffff:fffd", dst=nsma("2001:db8:a:2::10"), hlim=255) /
               ICMPv6ND_NS(tgt="2001:db8:a:2::10") / ICMPv6NDOptSrcLLAddr(lladdr=GW[port]))
        c.append((f"trunk_ip6_resolution_{port}", [dict(
            port=port, send=tin(port, MAC[(port, 1)]) / e6, expect=[(port, sol)], drops={})]))
        # A custom route (10.99.0.0/16 -> the VPC's h2 instance): a GATEWAY
        # next hop carries the trunk too.
        cr = IP(src=H1, dst="10.99.1.1", ttl=64) / UDP(sport=1, dport=2) / payload
        crf = cr.copy()
        crf.ttl = 63
        c.append((f"trunk_custom_route_{port}", [dict(
            port=port, send=tin(port, MAC[(port, 1)]) / cr,
            expect=[(port, tout(port, MAC[(port, 2)]) / crf)], drops={})]))
        # An unknown neighbour is asked for on the VPC's own port only.
        un = IP(src=H1, dst="192.168.2.99", ttl=64) / UDP(sport=3, dport=4) / payload
        c.append((f"trunk_arp_request_{port}", [dict(
            port=port, send=tin(port, MAC[(port, 1)]) / un,
            expect=[(port, tout(port, BCAST) / ARP(op=1, hwsrc=GW[port], psrc=GW2,
                                                   hwdst="00:00:00:00:00:00", pdst="192.168.2.99"))],
            drops={})]))

    # The gateway's own address answers per VPC, on the ingress port.
    for port in ("inside", "inside1"):
        ping = IP(src=H1, dst=GW1, ttl=64, id=9) / ICMP(type=8, id=3, seq=4) / payload
        c.append((f"trunk_echo_to_gateway_{port}", [dict(
            port=port, send=tin(port, MAC[(port, 1)]) / ping,
            expect=[(port, tout(port, MAC[(port, 1)]) / IP(src=GW1, dst=H1, ttl=64) /
                     ICMP(type=0, id=3, seq=4) / payload)],
            ignore=["IP.id"], drops={})]))

    # VLAN 200 is vpc-b on trunk 0 and nothing on trunk 1.
    c.append(("trunk_vlan_unknown_on_other_trunk", [dict(
        port="inside1", send=tin("inside1", MAC[("inside1", 1)], vlan=200) /
        IP(src="10.1.0.10", dst="10.1.0.20") / UDP() / payload,
        expect=[], drops={"unknown_vlan": 1})]))
    c.append(("trunk_vlan_known_on_its_trunk", [dict(
        port="inside", send=tin("inside", "02:bb:00:00:01:10", BCAST, vlan=200) /
        ARP(op=1, hwsrc="02:bb:00:00:01:10", psrc="10.1.0.10", pdst="10.1.255.253"),
        expect=[("inside", tout("inside", "02:bb:00:00:01:10", vlan=200) /
                 ARP(op=2, hwsrc=GW["inside"], psrc="10.1.255.253", hwdst="02:bb:00:00:01:10",
                     pdst="10.1.0.10"))],
        drops={})]))
    return c
