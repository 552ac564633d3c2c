# SPDX-License-Identifier: BSD-3-Clause
"""Packet vectors for NAT on the wire (tests/pkt/nat.json).

vpc-a (VLAN 100) has NAT gateway ngw-a, so its default route leads to the
NAT stages. i-a1 (192.168.1.10) has EIP 198.51.100.1: 1:1 both ways, only
ICMP, TCP and UDP, checksums updated incrementally (the runner verifies every
checksum of what comes out independently). i-a2 has no EIP: SNAT sessions
are the next slice, so its Internet traffic is dropped snat_unavailable.
198.51.100.2 (SNAT) and .3 (forward entry) are the gateway's: inbound to
them is nat_no_mapping until the session stages exist. Cases share neighbour
state and run in order, as in vectors.py.
"""
from scapy.all import ARP, ICMP, IP, TCP, UDP, Dot1Q, Ether, Raw

from vectors import BCAST, GW_IN, GW_OUT, INET_MAC, quote4

A1_MAC, A2_MAC = "02:aa:00:00:01:10", "02:aa:00:00:01:20"
A1, A2, GW1 = "192.168.1.10", "192.168.1.20", "192.168.1.253"
EIP1, SNAT_IP, DNAT_IP = "198.51.100.1", "198.51.100.2", "198.51.100.3"
INET, GW_PUB, REMOTE = "203.0.113.1", "203.0.113.2", "192.0.2.50"
payload = Raw(b"sluice-nat-test" * 3)


def vin(src, dst=GW_IN, vlan=100):
    return Ether(src=src, dst=dst) / Dot1Q(vlan=vlan)


def vout(dst, vlan=100):
    return Ether(src=GW_IN, dst=dst) / Dot1Q(vlan=vlan)


def out_frame():
    return Ether(src=GW_OUT, dst=INET_MAC)


def from_inet():
    return Ether(src=INET_MAC, dst=GW_OUT)


def step(port, send, expect=(), drops=None, **kw):
    d = dict(port=port, send=send, expect=list(expect), drops=drops or {})
    d.update(kw)
    return d


def translated(pkt, **fields):
    """`pkt` one hop later with `fields` rewritten and checksums recomputed."""
    p = pkt.copy()
    p.ttl -= 1
    for k, v in fields.items():
        setattr(p, k, v)
    return p


def cases():
    c = []
    # Neighbours: the instances and the Internet router introduce themselves.
    for name, mac, ip in (("a1", A1_MAC, A1), ("a2", A2_MAC, A2)):
        c.append((f"nat_arp_{name}", [step(
            "inside", vin(mac, BCAST) / ARP(op=1, hwsrc=mac, psrc=ip, hwdst="00:00:00:00:00:00", pdst=GW1),
            [("inside", vout(mac) / ARP(op=2, hwsrc=GW_IN, psrc=GW1, hwdst=mac, pdst=ip))])]))
    c.append(("nat_arp_inet", [step(
        "outside", Ether(src=INET_MAC, dst=BCAST) / ARP(op=1, hwsrc=INET_MAC, psrc=INET, pdst=GW_PUB),
        [("outside", out_frame() / ARP(op=2, hwsrc=GW_OUT, psrc=GW_PUB, hwdst=INET_MAC, pdst=INET))])]))

    # --- EIP 1:1 outbound: the source becomes the EIP.
    for name, l4 in (("udp", UDP(sport=40000, dport=53)), ("tcp", TCP(sport=40001, dport=443, flags="S", seq=7)),
                     ("icmp", ICMP(type=8, id=77, seq=1))):
        pkt = IP(src=A1, dst=REMOTE, ttl=64, id=11) / l4 / payload
        c.append((f"eip_out_{name}", [step(
            "inside", vin(A1_MAC) / pkt, [("outside", out_frame() / translated(pkt, src=EIP1))])]))

    # A UDP datagram without checksum keeps none (RFC 768): compared byte for byte.
    nock = IP(src=A1, dst=REMOTE, ttl=64, id=12) / UDP(sport=40002, dport=53, chksum=0) / payload
    want = translated(nock, src=EIP1)
    want[UDP].chksum = 0
    c.append(("eip_out_udp_no_checksum", [step(
        "inside", vin(A1_MAC) / nock, expect_raw=[("outside", out_frame() / want)])]))

    # --- EIP 1:1 inbound: the destination becomes the instance's address.
    for name, l4 in (("tcp", TCP(sport=443, dport=40001, flags="SA", seq=9, ack=8)),
                     ("udp", UDP(sport=53, dport=40000)), ("icmp", ICMP(type=0, id=77, seq=1))):
        pkt = IP(src=REMOTE, dst=EIP1, ttl=50, id=13) / l4 / payload
        c.append((f"eip_in_{name}", [step(
            "outside", from_inet() / pkt, [("inside", vout(A1_MAC) / translated(pkt, dst=A1))])]))

    # Fragments: the first carries the UDP header (its checksum covers the
    # whole datagram and is updated), a later one only the IP header.
    def udp_sum(src):
        whole = IP(src=src, dst=REMOTE, id=21) / UDP(sport=40003, dport=53) / Raw(b"f" * 32 + b"g" * 32)
        return IP(bytes(whole))[UDP].chksum
    first = IP(src=A1, dst=REMOTE, ttl=64, id=21, flags="MF") / UDP(sport=40003, dport=53, len=8 + 64,
                                                                    chksum=udp_sum(A1)) / Raw(b"f" * 32)
    want = translated(first, src=EIP1)
    want[UDP].chksum = udp_sum(EIP1)  # of the whole translated datagram
    c.append(("eip_out_first_fragment", [step(
        "inside", vin(A1_MAC) / first, expect_raw=[("outside", out_frame() / want)])]))
    later = IP(src=A1, dst=REMOTE, ttl=64, id=21, frag=5, proto=17) / Raw(b"g" * 32)
    c.append(("eip_out_later_fragment", [step(
        "inside", vin(A1_MAC) / later, [("outside", out_frame() / translated(later, src=EIP1))])]))
    short = IP(src=A1, dst=REMOTE, ttl=64, id=22, flags="MF", proto=6) / Raw(b"tcp!")
    c.append(("eip_out_first_fragment_truncated", [step(
        "inside", vin(A1_MAC) / short, [], {"nat_l4_truncated": 1})]))

    # TTL expiring at the gateway: the error quotes the datagram as it came
    # (untranslated) and goes back to the side it came from.
    t1 = IP(src=A1, dst=REMOTE, ttl=1, id=31) / UDP(sport=40004, dport=33434) / payload
    c.append(("eip_out_ttl_expired", [step(
        "inside", vin(A1_MAC) / t1,
        [("inside", vout(A1_MAC) / IP(src=GW1, dst=A1, ttl=64, proto=1) / ICMP(type=11, code=0) / quote4(t1))],
        {"ttl_exceeded": 1}, ignore=["IP.id", "IP.flags", "IP.tos"])]))
    t2 = IP(src=REMOTE, dst=EIP1, ttl=1, id=32) / UDP(sport=40005, dport=33434) / payload
    c.append(("eip_in_ttl_expired", [step(
        "outside", from_inet() / t2,
        [("outside", out_frame() / IP(src=GW_PUB, dst=REMOTE, ttl=64, proto=1) / ICMP(type=11, code=0) /
          quote4(t2))],
        {"ttl_exceeded": 1}, ignore=["IP.id", "IP.flags", "IP.tos"])]))

    # Path MTU: a DF datagram too big for the other side's MTU (outside 1400,
    # vpc-b 1300) gets "fragmentation needed" about it as it came, back to
    # its sender, sourced from the gateway's address on the sender's side.
    big = IP(src=A1, dst=REMOTE, ttl=64, id=41, flags="DF") / TCP(sport=40010, dport=443, flags="A") / Raw(b"m" * 1410)
    c.append(("eip_out_df_too_big", [step(
        "inside", vin(A1_MAC) / big,
        [("inside", vout(A1_MAC) / IP(src=GW1, dst=A1, ttl=64, proto=1) / ICMP(type=3, code=4, nexthopmtu=1400) /
          quote4(big))],
        {"too_big": 1}, ignore=["IP.id", "IP.flags", "IP.tos"])]))
    big_in = IP(src=REMOTE, dst="198.51.100.4", ttl=50, id=42, flags="DF") / TCP(sport=443, dport=40011, flags="A") / Raw(b"n" * 1310)
    c.append(("eip_in_df_too_big", [step(
        "outside", from_inet() / big_in,
        [("outside", out_frame() / IP(src=GW_PUB, dst=REMOTE, ttl=64, proto=1) / ICMP(type=3, code=4, nexthopmtu=1300) /
          quote4(big_in))],
        {"too_big": 1}, ignore=["IP.id", "IP.flags", "IP.tos"])]))
    # Within the MTU: translated as usual.
    fits = IP(src=REMOTE, dst="198.51.100.4", ttl=50, id=43, flags="DF") / TCP(sport=443, dport=40011, flags="A") / Raw(b"o" * 1200)
    c.append(("eip_in_df_fits_other_vpc", [step(
        "outside", from_inet() / fits,
        [("inside", Ether(src=GW_IN, dst=BCAST) / Dot1Q(vlan=200) /
          ARP(op=1, hwsrc=GW_IN, psrc="10.2.1.253", hwdst="00:00:00:00:00:00", pdst="10.2.1.10"))])]))

    # --- Drops.
    gre = IP(src=A1, dst=REMOTE, ttl=64, proto=47) / Raw(b"\x00\x00\x08\x00" + b"x" * 20)
    c.append(("eip_out_other_protocol", [step("inside", vin(A1_MAC) / gre, [], {"nat_proto": 1})]))
    gre_in = IP(src=REMOTE, dst=EIP1, ttl=50, proto=47) / Raw(b"\x00\x00\x08\x00" + b"x" * 20)
    c.append(("eip_in_other_protocol", [step("outside", from_inet() / gre_in, [], {"nat_proto": 1})]))
    c.append(("nat_out_without_eip", [step(
        "inside", vin(A2_MAC) / IP(src=A2, dst=REMOTE) / UDP(sport=1, dport=2) / payload, [],
        {"snat_unavailable": 1})]))
    for name, dst in (("snat_ip", SNAT_IP), ("dnat_ip", DNAT_IP)):
        c.append((f"nat_in_to_{name}", [step(
            "outside", from_inet() / IP(src=REMOTE, dst=dst) / TCP(sport=5, dport=80, flags="S") / payload, [],
            {"nat_no_mapping": 1})]))
    c.append(("nat_in_unknown_public_ip_routed", [step(
        "outside", from_inet() / IP(src=REMOTE, dst="198.51.100.9", ttl=50) / UDP(sport=1, dport=2) / payload,
        [("outside", out_frame() / IP(src=REMOTE, dst="198.51.100.9", ttl=49) / UDP(sport=1, dport=2) / payload)])]))

    # Inside the VPC nothing is translated, and the gateway's own address answers.
    c.append(("nat_vpc_internal_untouched", [step(
        "inside", vin(A1_MAC) / IP(src=A1, dst=A2, ttl=64) / UDP(sport=1, dport=2) / payload,
        [("inside", vout(A2_MAC) / IP(src=A1, dst=A2, ttl=63) / UDP(sport=1, dport=2) / payload)])]))
    ping = IP(src=INET, dst=GW_PUB, ttl=50, id=3) / ICMP(id=9, seq=1) / payload
    c.append(("nat_echo_to_gateway_address", [step(
        "outside", from_inet() / ping,
        [("outside", out_frame() / IP(src=GW_PUB, dst=INET, ttl=64) / ICMP(type=0, id=9, seq=1) / payload)],
        ignore=["IP.id"])]))
    return c
