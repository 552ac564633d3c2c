# SPDX-License-Identifier: BSD-3-Clause
"""Packet vectors for NAT (tests/pkt/nat.json).

vpc-a (VLAN 100) has NAT gateway ngw-a, so its default route leads to the
NAT stages. i-a1 (192.168.1.10) has EIP 198.51.100.1: 1:1 both ways, only
ICMP, TCP and UDP, checksums updated incrementally (the runner verifies every
checksum of what comes out independently), ICMP errors with their quote, and
no SNAT although its VSwitch has a SNAT entry. i-a2 (.20) and i-a4 (.30) go out through SNAT sessions
(snat-1: the pool 198.51.100.2 + .5, paired pooling), i-a3 (.40) through
snat-2 (SourceCIDR 192.168.1.32/28, the longer prefix: 198.51.100.6).
198.51.100.3 has forward entries: tcp 80 -> i-a2:8080, all-Any -> i-a4.

Public ports are the session table's choice: outbound steps check them with
`within` / `same` / `differs` (run_pkt_tests.py), inbound steps are
addressed to them by the runner (`nat_dst_of`). The runner's table is small
(RUNNER_ARGS: 48 sessions, public ports 1024-1039) so limits are reachable;
`advance_s` moves its virtual clock for the timeouts. Cases share neighbour
and session state and run in order, as in vectors.py.
"""
from scapy.all import ARP, ICMP, IP, TCP, UDP, Dot1Q, Ether, Raw, fragment

from vectors import BCAST, GW_IN, GW_OUT, INET_MAC, quote4

RUNNER_ARGS = ["--nat-sessions", "48", "--nat-port-max", "1039"]
PORTS = [1024, 1039]

A1_MAC, A2_MAC = "02:aa:00:00:01:10", "02:aa:00:00:01:20"
A3_MAC, A4_MAC = "02:aa:00:00:01:40", "02:aa:00:00:01:30"
A1, A2, GW1 = "192.168.1.10", "192.168.1.20", "192.168.1.253"
A3, A4 = "192.168.1.40", "192.168.1.30"
EIP1, SNAT_IP, DNAT_IP = "198.51.100.1", "198.51.100.2", "198.51.100.3"
POOL1, SNAT2_IP = [SNAT_IP, "198.51.100.5"], "198.51.100.6"
INET, GW_PUB, REMOTE = "203.0.113.1", "203.0.113.2", "192.0.2.50"
REMOTE2 = "192.0.2.51"
UDP_P, TCP_P, ICMP_P = 17, 6, 1
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
    for name, mac, ip in (("a1", A1_MAC, A1), ("a2", A2_MAC, A2), ("a3", A3_MAC, A3), ("a4", A4_MAC, A4)):
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
    # Out of order through EIP 1:1 (stateless: each fragment on its own),
    # inbound: the last fragment first, then the first.
    ein = split(IP(src=REMOTE, dst=EIP1, ttl=50, id=23) / UDP(sport=53, dport=40003) / Raw(b"e" * 100))
    c.append(("eip_in_fragments_out_of_order", [
        step("outside", from_inet() / ein[2], [("inside", vout(A1_MAC) / translated(ein[2], dst=A1))], {}),
        step("outside", from_inet() / ein[0], [("inside", vout(A1_MAC) / translated(ein[0], dst=A1))], {},
             l4_checksum_free=True),
        step("outside", from_inet() / ein[1], [("inside", vout(A1_MAC) / translated(ein[1], dst=A1))], {},
             reassemble_with=[0, 1])]))
    eout = split(IP(src=A1, dst=REMOTE, ttl=64, id=24) / UDP(sport=40003, dport=53) / Raw(b"o" * 100))
    c.append(("eip_out_fragments_out_of_order", [
        step("inside", vin(A1_MAC) / eout[1], [("outside", out_frame() / translated(eout[1], src=EIP1))], {}),
        step("inside", vin(A1_MAC) / eout[2], [("outside", out_frame() / translated(eout[2], src=EIP1))], {}),
        step("inside", vin(A1_MAC) / eout[0], [("outside", out_frame() / translated(eout[0], src=EIP1))], {},
             l4_checksum_free=True, reassemble_with=[0, 1])]))
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

    # ICMP errors about EIP flows: the quote is translated too (RFC 5508), so
    # the instance recognises its own datagram (path MTU discovery).
    qe = IP(src=EIP1, dst=REMOTE, ttl=63, id=50, flags="DF") / UDP(sport=40020, dport=53) / payload
    qa = IP(src=A1, dst=REMOTE, ttl=63, id=50, flags="DF") / UDP(sport=40020, dport=53) / payload
    c.append(("eip_icmp_error_in_quote_translated", [step(
        "outside", from_inet() / IP(src=INET, dst=EIP1, ttl=50, id=51) / ICMP(type=3, code=4, nexthopmtu=1280) /
        Raw(bytes(qe)),
        [("inside", vout(A1_MAC) / IP(src=INET, dst=A1, ttl=49, id=51) / ICMP(type=3, code=4, nexthopmtu=1280) /
          Raw(bytes(qa)))], {})]))
    qi = IP(src=REMOTE, dst=A1, ttl=49, id=52) / TCP(sport=443, dport=40021, flags="S")
    qo = IP(src=REMOTE, dst=EIP1, ttl=49, id=52) / TCP(sport=443, dport=40021, flags="S")
    c.append(("eip_icmp_error_out_quote_translated", [step(
        "inside", vin(A1_MAC) / IP(src=A1, dst=REMOTE, ttl=64, id=53) / ICMP(type=3, code=3) / Raw(bytes(qi)[:28]),
        [("outside", out_frame() / IP(src=EIP1, dst=REMOTE, ttl=63, id=53) / ICMP(type=3, code=3) /
          Raw(bytes(qo)[:28]))], {})]))

    # --- Drops.
    gre = IP(src=A1, dst=REMOTE, ttl=64, proto=47) / Raw(b"\x00\x00\x08\x00" + b"x" * 20)
    c.append(("eip_out_other_protocol", [step("inside", vin(A1_MAC) / gre, [], {"nat_proto": 1})]))
    gre_in = IP(src=REMOTE, dst=EIP1, ttl=50, proto=47) / Raw(b"\x00\x00\x08\x00" + b"x" * 20)
    c.append(("eip_in_other_protocol", [step("outside", from_inet() / gre_in, [], {"nat_proto": 1})]))
    # A source of vpc-a no SNAT entry covers (not in vsw-a1, no SourceCIDR).
    c.append(("snat_no_entry", [step(
        "inside", vin("02:aa:00:00:02:05") / IP(src="192.168.2.5", dst=REMOTE) / UDP(sport=1, dport=2) / payload,
        [], {"snat_unavailable": 1})]))
    # To a SNAT IP's port without mapping (ports 1024-1039 only).
    c.append(("nat_in_to_snat_ip_no_mapping", [step(
        "outside", from_inet() / IP(src=REMOTE, dst=SNAT_IP) / TCP(sport=5, dport=80, flags="S") / payload, [],
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
    c += session_cases()
    return c


# ---- NAT sessions (snat4, nat4_in) -------------------------------------------

SPORT = {UDP_P: "UDP.sport", TCP_P: "TCP.sport", ICMP_P: "ICMP.id"}


def snat_out(mac, pkt, pubs=POOL1, **rel):
    """An outbound packet through SNAT: the same packet one hop later from a
    public IP of `pubs` and a port of the runner's range."""
    proto = pkt[IP].proto
    return step("inside", vin(mac) / pkt, [("outside", out_frame() / translated(pkt))], {},
                ignore=["IP.src", SPORT[proto]], one_of={"IP.src": pubs}, within={SPORT[proto]: PORTS}, **rel)


def nat_in(flow, pkt, mac, dst, dport, **kw):
    """An inbound packet to the public endpoint of inside flow `flow`
    ([proto, src, sport, dst, dport]): delivered to (dst, dport)."""
    want = pkt.copy()
    want.ttl -= 1
    want[IP].dst = dst
    if ICMP in want:
        want[ICMP].id = dport
    else:
        want.dport = dport
    return step("outside", from_inet() / pkt, [("inside", vout(mac) / want)], {}, nat_dst_of=flow, **kw)


def dropped(port, frame, reason, **kw):
    return step(port, frame, [], {reason: 1}, **kw)


def split(pkt, size=40):
    """`pkt` (checksums computed on the whole datagram) as fragments of
    `size` payload bytes: 108 bytes of UDP make three."""
    return [IP(bytes(f)) for f in fragment(IP(bytes(pkt)), fragsize=size)]


def fragment_cases():
    """Fragments that come before their first fragment (issue 5): held in
    the holding area, translated right after the first one, on any order;
    refused with a reason when they cannot be held; timed out on the
    virtual clock, every mbuf back in the pool."""
    c = []
    snat = dict(ignore=["IP.src", "UDP.sport"], one_of={"IP.src": POOL1}, within={"UDP.sport": PORTS})

    def out_dgram(ident):
        return split(IP(src=A2, dst=REMOTE, ttl=64, id=ident) / UDP(sport=5102, dport=53) / Raw(bytes(range(100))))

    def fwd(f):
        return ("outside", out_frame() / translated(f))

    # SNAT outbound, the last fragment first: held, then both after the first.
    f = out_dgram(510)
    held = dict(counters={"nat_fragments_held": 1, "nat_fragments": 0})
    c.append(("nat_frag_snat_last_first", [
        step("inside", vin(A2_MAC) / f[2], [], {}, **held),
        step("inside", vin(A2_MAC) / f[1], [], {}, **held),
        step("inside", vin(A2_MAC) / f[0], [fwd(f[0]), fwd(f[2]), fwd(f[1])], {},
             l4_checksum_free=True, reassemble_with=[], counters={"nat_out": 1, "nat_fragments": 2},
             stages={"police4": 3, "snat4": 1}, **snat)]))
    # The middle one first: released with the first; the last one in order.
    f = out_dgram(511)
    c.append(("nat_frag_snat_middle_first", [
        step("inside", vin(A2_MAC) / f[1], [], {}),
        step("inside", vin(A2_MAC) / f[0], [fwd(f[0]), fwd(f[1])], {}, l4_checksum_free=True, **snat),
        step("inside", vin(A2_MAC) / f[2], [fwd(f[2])], {}, ignore=["IP.src"], same={"IP.src": 1})]))
    # All three in one burst, the first one last.
    f = out_dgram(512)
    c.append(("nat_frag_snat_first_last_same_burst", [
        step("inside", vin(A2_MAC) / f[2], [fwd(f[0]), fwd(f[2]), fwd(f[1])], {},
             also=[vin(A2_MAC) / f[1], vin(A2_MAC) / f[0]], l4_checksum_free=True,
             reassemble_with=[], **snat)]))

    # DNAT inbound (the all-Any forward entry to i-a4), the last one first.
    def in_dgram(ident):
        return split(IP(src=REMOTE, dst=DNAT_IP, ttl=50, id=ident) / UDP(sport=7401, dport=53) / Raw(bytes(range(100))))

    def dnat(f):
        return ("inside", vout(A4_MAC) / translated(f, dst=A4))
    g = in_dgram(610)
    c.append(("nat_frag_dnat_last_first", [
        step("outside", from_inet() / g[2], [], {}),
        step("outside", from_inet() / g[1], [], {}),
        step("outside", from_inet() / g[0], [dnat(g[0]), dnat(g[2]), dnat(g[1])], {},
             l4_checksum_free=True, reassemble_with=[], counters={"nat_in": 1, "nat_fragments": 2},
             stages={"police4": 3})]))
    # ... and the reply of that DNAT session, out of order too.
    r = split(IP(src=A4, dst=REMOTE, ttl=64, id=611) / UDP(sport=53, dport=7401) / Raw(bytes(range(100))))
    c.append(("nat_frag_dnat_reply_middle_first", [
        step("inside", vin(A4_MAC) / r[1], [], {}),
        step("inside", vin(A4_MAC) / r[2], [], {}),
        step("inside", vin(A4_MAC) / r[0], [("outside", out_frame() / translated(x, src=DNAT_IP)) for x in (r[0], r[1], r[2])],
             {}, l4_checksum_free=True, reassemble_with=[])]))

    # Refused, each with its reason: a repeated fragment, one that no
    # datagram can have (MF, 12 bytes), the 17th early fragment of one
    # datagram. The first fragments never come: over 2 s later on the
    # virtual clock the held ones are dropped nat_frag_timeout (first those
    # nat_fragments left), nothing is sent, and the mbufs are back.
    f = out_dgram(520)
    many = [IP(src=A2, dst=REMOTE, ttl=64, id=521, flags="MF", frag=i, proto=17) / Raw(b"m" * 8)
            for i in range(1, 18)]
    c.append(("nat_frag_refused_and_timeout", [
        dict(advance_s=3, drops={"nat_frag_timeout": 2}),
        snat_out(A2_MAC, IP(src=A2, dst=REMOTE, ttl=64) / UDP(sport=5102, dport=53) / payload),
        step("inside", vin(A2_MAC) / f[2], [], {}),
        dropped("inside", vin(A2_MAC) / f[2], "nat_frag_overlap"),
        dropped("inside", vin(A2_MAC) / IP(src=A2, dst=REMOTE, ttl=64, id=522, flags="MF", frag=3, proto=17) /
                Raw(b"x" * 12), "nat_frag_bad")]
        + [step("inside", vin(A2_MAC) / m, [], {}) for m in many[:16]]
        + [dropped("inside", vin(A2_MAC) / many[16], "nat_frag_too_many"),
           dict(advance_s=3, drops={"nat_frag_timeout": 1 + 16}, mbufs_as=1)]))
    return c


def tick(seconds):
    """Let `seconds` of virtual time pass (the runner sweeps the session
    table), then have the neighbours the next cases use answer again: after
    such a jump the gateway re-probes every neighbour. Nothing is checked."""
    steps = [dict(port="outside", unchecked=True, advance_s=seconds,
                  send=Ether(src=INET_MAC, dst=BCAST) / ARP(op=1, hwsrc=INET_MAC, psrc=INET, pdst=GW_PUB))]
    for mac, ip in ((A2_MAC, A2), (A3_MAC, A3), (A4_MAC, A4)):
        steps.append(dict(port="inside", unchecked=True,
                          send=vin(mac, BCAST) / ARP(op=1, hwsrc=mac, psrc=ip, hwdst="00:00:00:00:00:00", pdst=GW1)))
    # A long jump forgets the Internet router: resolve it again (i-a1's EIP
    # traffic makes the gateway ask, the router answers).
    steps.append(dict(port="inside", unchecked=True,
                      send=vin(A1_MAC) / IP(src=A1, dst=REMOTE) / UDP(sport=1, dport=9) / payload))
    steps.append(dict(port="outside", unchecked=True,
                      send=Ether(src=INET_MAC, dst=GW_OUT) / ARP(op=2, hwsrc=INET_MAC, psrc=INET, hwdst=GW_OUT, pdst=GW_PUB)))
    return (f"nat_clock_{seconds}s", steps)


def session_cases():
    c = []
    # SNAT, new flow and its reply: UDP, TCP (handshake), ICMP echo.
    u = IP(src=A2, dst=REMOTE, ttl=64, id=100) / UDP(sport=5000, dport=53) / payload
    r = IP(src=REMOTE, dst=SNAT_IP, ttl=50, id=101) / UDP(sport=53, dport=1) / payload
    c.append(("snat_udp_flow_and_reply", [
        snat_out(A2_MAC, u),
        nat_in([UDP_P, A2, 5000, REMOTE, 53], r, A2_MAC, A2, 5000),
        snat_out(A2_MAC, u, same={"IP.src": 0, "UDP.sport": 0})]))
    syn = IP(src=A2, dst=REMOTE, ttl=64, id=110) / TCP(sport=5001, dport=443, flags="S", seq=1000)
    sa = IP(src=REMOTE, dst=SNAT_IP, ttl=50, id=111) / TCP(sport=443, dport=1, flags="SA", seq=5000, ack=1001)
    ack = IP(src=A2, dst=REMOTE, ttl=64, id=112) / TCP(sport=5001, dport=443, flags="A", seq=1001, ack=5001) / payload
    c.append(("snat_tcp_handshake", [
        snat_out(A2_MAC, syn),
        nat_in([TCP_P, A2, 5001, REMOTE, 443], sa, A2_MAC, A2, 5001),
        snat_out(A2_MAC, ack, same={"IP.src": 0, "TCP.sport": 0})]))
    echo = IP(src=A2, dst=REMOTE, ttl=64, id=120) / ICMP(type=8, id=300, seq=1) / payload
    reply = IP(src=REMOTE, dst=SNAT_IP, ttl=50, id=121) / ICMP(type=0, id=1, seq=1) / payload
    c.append(("snat_icmp_echo_and_reply", [
        snat_out(A2_MAC, echo),
        nat_in([ICMP_P, A2, 300, REMOTE, 0], reply, A2_MAC, A2, 300)]))

    # Paired pooling: one source, one public IP of the pool for all its
    # flows; endpoint-independent mapping: one private endpoint, one public
    # port whatever the remote; another private port, another public port.
    c.append(("snat_paired_pooling_and_eim", [
        snat_out(A2_MAC, IP(src=A2, dst=REMOTE, ttl=64) / UDP(sport=6000, dport=53) / payload),
        snat_out(A2_MAC, IP(src=A2, dst=REMOTE2, ttl=64) / UDP(sport=6000, dport=123) / payload,
                 same={"IP.src": 0, "UDP.sport": 0}),
        snat_out(A2_MAC, IP(src=A2, dst=REMOTE2, ttl=64) / UDP(sport=6002, dport=123) / payload,
                 same={"IP.src": 0}, differs={"UDP.sport": 0}),
        snat_out(A2_MAC, IP(src=A2, dst=REMOTE, ttl=64) / TCP(sport=6001, dport=80, flags="S"),
                 same={"IP.src": 0}),
        snat_out(A2_MAC, IP(src=A2, dst=REMOTE2, ttl=64) / ICMP(type=8, id=301) / payload,
                 same={"IP.src": 0})]))
    # The longest source prefix: i-a3 is in vsw-a1 and in snat-2's /28.
    c.append(("snat_longest_source_prefix", [
        snat_out(A3_MAC, IP(src=A3, dst=REMOTE, ttl=64) / UDP(sport=7000, dport=53) / payload, pubs=[SNAT2_IP])]))
    # An instance with an EIP bypasses SNAT (its VSwitch has a SNAT entry).
    e = IP(src=A1, dst=REMOTE, ttl=64, id=130) / UDP(sport=5000, dport=53) / payload
    c.append(("snat_bypassed_by_eip", [step(
        "inside", vin(A1_MAC) / e, [("outside", out_frame() / translated(e, src=EIP1))], {})]))

    # Filtering: a remote the mapping never sent to is refused (address and
    # port dependent, RFC 4787 REQ-8), accepted with endpoint-independent
    # filtering; an outbound packet to a DNAT IP's session still works.
    other = IP(src=REMOTE2, dst=SNAT_IP, ttl=50, id=140) / UDP(sport=999, dport=1) / payload
    flow = [UDP_P, A2, 5000, REMOTE, 53]
    c.append(("nat_in_unsolicited_filtered", [
        step("outside", from_inet() / other, [], {"nat_filtered": 1}, nat_dst_of=flow)]))
    c.append(("nat_in_unsolicited_eif_accepted", [
        nat_in(flow, other, A2_MAC, A2, 5000, nat_eif=True),
        # the new session's reply leaves by the same public endpoint
        snat_out(A2_MAC, IP(src=A2, dst=REMOTE2, ttl=64) / UDP(sport=5000, dport=999) / payload, nat_eif=False),
        step("outside", from_inet() / IP(src=REMOTE2, dst=SNAT_IP, ttl=50) / UDP(sport=998, dport=1) / payload,
             [], {"nat_filtered": 1}, nat_dst_of=flow)]))

    # DNAT: the exact entry (tcp 80 -> i-a2:8080) beats the all-Any one
    # (-> i-a4, same port); replies leave from the external endpoint.
    d80 = IP(src=REMOTE, dst=DNAT_IP, ttl=50, id=150) / TCP(sport=7000, dport=80, flags="S", seq=1)
    w80 = d80.copy()
    w80.ttl, w80[IP].dst, w80.dport = 49, A2, 8080
    back = IP(src=A2, dst=REMOTE, ttl=64, id=151) / TCP(sport=8080, dport=7000, flags="SA", seq=9, ack=2)
    wback = back.copy()
    wback.ttl, wback[IP].src, wback.sport = 63, DNAT_IP, 80
    d81 = IP(src=REMOTE, dst=DNAT_IP, ttl=50, id=152) / TCP(sport=7001, dport=81, flags="S", seq=1)
    w81 = d81.copy()
    w81.ttl, w81[IP].dst = 49, A4
    back81 = IP(src=A4, dst=REMOTE, ttl=64, id=153) / TCP(sport=81, dport=7001, flags="SA", seq=9, ack=2)
    wback81 = back81.copy()
    wback81.ttl, wback81[IP].src = 63, DNAT_IP
    du = IP(src=REMOTE, dst=DNAT_IP, ttl=50, id=154) / UDP(sport=7002, dport=53) / payload
    wdu = du.copy()
    wdu.ttl, wdu[IP].dst = 49, A4
    dping = IP(src=REMOTE, dst=DNAT_IP, ttl=50, id=155) / ICMP(type=8, id=55, seq=1) / payload
    wdping = dping.copy()
    wdping.ttl, wdping[IP].dst = 49, A4
    dpong = IP(src=A4, dst=REMOTE, ttl=64, id=156) / ICMP(type=0, id=55, seq=1) / payload
    wdpong = dpong.copy()
    wdpong.ttl, wdpong[IP].src = 63, DNAT_IP
    c.append(("dnat_exact_beats_all_any_and_replies", [
        step("outside", from_inet() / d80, [("inside", vout(A2_MAC) / w80)], {}),
        step("inside", vin(A2_MAC) / back, [("outside", out_frame() / wback)], {}),
        step("outside", from_inet() / d81, [("inside", vout(A4_MAC) / w81)], {}),
        step("inside", vin(A4_MAC) / back81, [("outside", out_frame() / wback81)], {}),
        step("outside", from_inet() / du, [("inside", vout(A4_MAC) / wdu)], {}),
        step("outside", from_inet() / dping, [("inside", vout(A4_MAC) / wdping)], {}),
        step("inside", vin(A4_MAC) / dpong, [("outside", out_frame() / wdpong)], {})]))

    # ICMP errors about session flows are translated with them (RFC 5508):
    # the outer address and the quoted datagram, checksums included.
    def quoted(pkt, cut=None):
        return Raw(bytes(pkt)[:cut])
    q_out = IP(src=SNAT_IP, dst=REMOTE, ttl=63, id=100) / UDP(sport=1, dport=53) / payload  # as sent, placeholders
    q_in = IP(src=A2, dst=REMOTE, ttl=63, id=100) / UDP(sport=5000, dport=53) / payload   # as the instance sent it
    c.append(("nat_icmp_error_in_about_snat_udp", [step(
        "outside", from_inet() / IP(src=REMOTE, dst=SNAT_IP, ttl=50, id=180) / ICMP(type=3, code=3) / quoted(q_out),
        [("inside", vout(A2_MAC) / IP(src=REMOTE, dst=A2, ttl=49, id=180) / ICMP(type=3, code=3) / quoted(q_in))], {},
        nat_dst_of=[UDP_P, A2, 5000, REMOTE, 53])]))
    qe_out = IP(src=SNAT_IP, dst=REMOTE, ttl=1, id=120) / ICMP(type=8, id=1, seq=1) / payload
    qe_in = IP(src=A2, dst=REMOTE, ttl=1, id=120) / ICMP(type=8, id=300, seq=1) / payload
    c.append(("nat_icmp_time_exceeded_about_snat_echo", [step(
        "outside", from_inet() / IP(src=REMOTE2, dst=SNAT_IP, ttl=50, id=181) / ICMP(type=11, code=0) / quoted(qe_out),
        [("inside", vout(A2_MAC) / IP(src=REMOTE2, dst=A2, ttl=49, id=181) / ICMP(type=11, code=0) / quoted(qe_in))], {},
        nat_dst_of=[ICMP_P, A2, 300, REMOTE, 0])]))
    # Path MTU: a router's "fragmentation needed" about a DNAT reply, quoting
    # only 8 bytes of TCP (no checksum field in the quote).
    qt_out = IP(src=DNAT_IP, dst=REMOTE, ttl=63, id=151, flags="DF") / TCP(sport=80, dport=7000, flags="SA", seq=9, ack=2)
    qt_in = IP(src=A2, dst=REMOTE, ttl=63, id=151, flags="DF") / TCP(sport=8080, dport=7000, flags="SA", seq=9, ack=2)
    c.append(("nat_icmp_frag_needed_about_dnat_reply", [step(
        "outside", from_inet() / IP(src=REMOTE2, dst=DNAT_IP, ttl=50, id=182) / ICMP(type=3, code=4, nexthopmtu=1200) /
        quoted(qt_out, 28),
        [("inside", vout(A2_MAC) / IP(src=REMOTE2, dst=A2, ttl=49, id=182) / ICMP(type=3, code=4, nexthopmtu=1200) /
          quoted(qt_in, 28))], {})]))
    # An instance's port unreachable about a DNAT flow leaves from the
    # external endpoint, quoting the datagram as the client sent it.
    qu_in = IP(src=REMOTE, dst=A4, ttl=49, id=154) / UDP(sport=7002, dport=53) / payload
    qu_out = IP(src=REMOTE, dst=DNAT_IP, ttl=49, id=154) / UDP(sport=7002, dport=53) / payload
    c.append(("nat_icmp_error_out_about_dnat_udp", [step(
        "inside", vin(A4_MAC) / IP(src=A4, dst=REMOTE, ttl=64, id=183) / ICMP(type=3, code=3) / quoted(qu_in),
        [("outside", out_frame() / IP(src=DNAT_IP, dst=REMOTE, ttl=63, id=183) / ICMP(type=3, code=3) / quoted(qu_out))],
        {})]))
    c.append(("nat_icmp_error_without_session", [step(
        "outside", from_inet() / IP(src=REMOTE, dst=DNAT_IP, ttl=50) / ICMP(type=3, code=3) /
        quoted(IP(src=DNAT_IP, dst=REMOTE, ttl=63) / UDP(sport=4444, dport=53) / payload), [], {"nat_no_mapping": 1})]))

    # Hairpinning (RFC 4787 REQ-9): i-a4 reaches i-a2 through the forward
    # entry on the gateway's public IP, from its own SNAT endpoint, and the
    # reply comes back through both translations; to an EIP likewise.
    hp = IP(src=A4, dst=DNAT_IP, ttl=64, id=170) / TCP(sport=7300, dport=80, flags="S", seq=1)
    whp = hp.copy()
    whp.ttl, whp[IP].dst, whp.dport = 63, A2, 8080
    hr = IP(src=A2, dst=SNAT_IP, ttl=64, id=171) / TCP(sport=8080, dport=1, flags="SA", seq=5, ack=2)
    whr = IP(src=DNAT_IP, dst=A4, ttl=63, id=171) / TCP(sport=80, dport=7300, flags="SA", seq=5, ack=2)
    he = IP(src=A4, dst=EIP1, ttl=64, id=172) / UDP(sport=7301, dport=53) / payload
    whe = he.copy()
    whe.ttl, whe[IP].dst = 63, A1
    c.append(("nat_hairpin_dnat_and_eip", [
        step("inside", vin(A4_MAC) / hp, [("inside", vout(A2_MAC) / whp)], {},
             ignore=["IP.src", "TCP.sport"], one_of={"IP.src": POOL1}, within={"TCP.sport": PORTS}),
        step("inside", vin(A2_MAC) / hr, [("inside", vout(A4_MAC) / whr)], {},
             nat_dst_of=[TCP_P, A4, 7300, DNAT_IP, 80]),
        step("inside", vin(A4_MAC) / he, [("inside", vout(A1_MAC) / whe)], {},
             ignore=["IP.src", "UDP.sport"], one_of={"IP.src": POOL1}, within={"UDP.sport": PORTS})]))

    # Fragments: the first one is translated with its session (its UDP
    # checksum covers the whole datagram), a later one like its first; a
    # later fragment whose first was not seen is held (its first never
    # comes: it times out in nat_fragments_timeout).
    def frags(src, dst, sport, dport, ident, **ip):
        whole = IP(src=src, dst=dst, id=ident, **ip) / UDP(sport=sport, dport=dport) / Raw(b"f" * 32 + b"g" * 32)
        ck = IP(bytes(whole))[UDP].chksum
        first = IP(src=src, dst=dst, id=ident, flags="MF", **ip) / UDP(sport=sport, dport=dport, len=72, chksum=ck) / Raw(b"f" * 32)
        later = IP(src=src, dst=dst, id=ident, frag=5, proto=17, **ip) / Raw(b"g" * 32)
        return first, later
    f1, f2 = frags(A2, REMOTE, 5100, 53, 500, ttl=64)
    g1, g2 = frags(REMOTE, DNAT_IP, 7400, 53, 600, ttl=50)
    wg1, wg2 = g1.copy(), g2.copy()
    wg1.ttl, wg1[IP].dst, wg2.ttl, wg2[IP].dst = 49, A4, 49, A4
    c.append(("nat_fragments", [
        step("inside", vin(A2_MAC) / f1, [("outside", out_frame() / translated(f1))], {},
             ignore=["IP.src", "UDP.sport"], one_of={"IP.src": POOL1}, within={"UDP.sport": PORTS},
             l4_checksum_free=True),
        step("inside", vin(A2_MAC) / f2, [("outside", out_frame() / translated(f2))], {},
             ignore=["IP.src"], same={"IP.src": 0}, reassemble_with=[0]),
        step("inside", vin(A2_MAC) / IP(src=A2, dst=REMOTE, ttl=64, id=501, frag=5, proto=17) / Raw(b"h" * 32),
             [], {}),
        step("outside", from_inet() / g1, [("inside", vout(A4_MAC) / wg1)], {}, l4_checksum_free=True),
        step("outside", from_inet() / g2, [("inside", vout(A4_MAC) / wg2)], {}, reassemble_with=[3]),
        step("outside", from_inet() / IP(src=REMOTE, dst=DNAT_IP, ttl=50, id=601, frag=5, proto=17) / Raw(b"h" * 32),
             [], {})]))
    # Both fragments in one burst (as a host sends them): the later one is
    # handled after the first one of the same burst is translated.
    h1, h2 = frags(A2, REMOTE, 5101, 53, 502, ttl=64)
    c.append(("nat_fragments_same_burst", [step(
        "inside", vin(A2_MAC) / h1, [("outside", out_frame() / translated(h1)), ("outside", out_frame() / translated(h2))],
        {}, also=[vin(A2_MAC) / h2], ignore=["IP.src", "UDP.sport"], one_of={"IP.src": POOL1},
        within={"UDP.sport": PORTS}, l4_checksum_free=True, reassemble_with=[])]))

    c += fragment_cases()

    # Port exhaustion: snat-2's single IP has 16 ports for UDP (the runner's
    # range); i-a3 already holds one. The 17th private endpoint is dropped,
    # known endpoints keep working (a new remote needs no port).
    steps = [snat_out(A3_MAC, IP(src=A3, dst=REMOTE, ttl=64) / UDP(sport=7001 + i, dport=53) / payload,
                      pubs=[SNAT2_IP]) for i in range(15)]
    steps.append(dropped("inside", vin(A3_MAC) / IP(src=A3, dst=REMOTE, ttl=64) / UDP(sport=7100, dport=53) / payload,
                         "nat_ports_exhausted"))
    steps.append(snat_out(A3_MAC, IP(src=A3, dst=REMOTE2, ttl=64) / UDP(sport=7000, dport=53) / payload, pubs=[SNAT2_IP]))
    # TCP has its own 16 ports.
    steps.append(snat_out(A3_MAC, IP(src=A3, dst=REMOTE, ttl=64) / TCP(sport=7100, dport=80, flags="S"), pubs=[SNAT2_IP]))
    c.append(("snat_port_exhaustion", steps))

    # Timeouts on the virtual clock: UDP idle 300 s (RFC 4787 REQ-5).
    r2 = IP(src=REMOTE, dst=SNAT_IP, ttl=50, id=160) / UDP(sport=53, dport=1) / payload
    flow2 = [UDP_P, A2, 6000, REMOTE, 53]
    c.append(tick(250))
    c.append(("nat_udp_alive_after_250s", [nat_in(flow2, r2, A2_MAC, A2, 6000)]))
    c.append(tick(250))
    c.append(("nat_udp_refreshed_alive_after_250s", [nat_in(flow2, r2, A2_MAC, A2, 6000)]))
    c.append(tick(301))
    c.append(("nat_udp_expired_after_301s", [
        step("outside", from_inet() / r2, [], {"nat_no_mapping": 1}, nat_dst_of=flow2)]))
    # Exhausted ports come back once their sessions expired.
    c.append(("snat_ports_back_after_expiry", [
        snat_out(A3_MAC, IP(src=A3, dst=REMOTE, ttl=64) / UDP(sport=7100, dport=53) / payload, pubs=[SNAT2_IP])]))

    # The gateway's concurrent sessions (here the table's 48, which caps the
    # Small spec's 10,000): once everything expired, 48 new flows pass and
    # the 49th is dropped; existing flows are untouched.
    c.append(tick(8000))
    steps = [snat_out(A2_MAC, IP(src=A2, dst=REMOTE, ttl=64) / UDP(sport=9000, dport=1 + i) / payload)
             for i in range(48)]
    steps.append(dropped("inside", vin(A2_MAC) / IP(src=A2, dst=REMOTE, ttl=64) / UDP(sport=9000, dport=100) / payload,
                         "nat_session_limit"))
    steps.append(snat_out(A2_MAC, IP(src=A2, dst=REMOTE, ttl=64) / UDP(sport=9000, dport=1) / payload,
                          same={"UDP.sport": 0}))
    c.append(("nat_session_limit", steps))
    return c
