# SPDX-License-Identifier: BSD-3-Clause
"""Malformed-packet corpus for sluice-dp, built with scapy (issue 10).

Run like the golden vectors (vectors.py) through the real pipeline by
run_pkt_tests.py --cases malformed. Every case states its one expected
outcome, and the check is exact:

  drops={"reason": 1, ...}   exactly these drop counters grow, each by
                             exactly this much, and no other one does
                             (names as in dataplane/abi/sl_counters.h);
  expect=[...]               the frames that must come out (scapy
                             packets: checksums verified, then compared
                             field by field), [] for none;
  expect_raw=[...]           frames that must come out byte for byte
                             (for "forwarded unchanged": same bytes, TTL
                             or hop limit one lower, new L2 header, IPv4
                             header checksum updated, nothing else; also
                             when the packet carries a bad L4 checksum
                             that must survive).

Where today's pipeline is wrong the case stays, with the reason in TODO:
it is reported as "not ok ... # TODO reason" (an expected failure) until
the pipeline is fixed, and then as "ok ... # TODO", which meson counts as
an unexpected pass: remove the entry from TODO at that point.

The first cases teach the gateway the neighbours' MACs (the same ARP/ND
exchanges as in vectors.py), so that forwarded packets and ICMP errors go
out instead of waiting for resolution.
"""
import struct

from scapy.all import (ARP, ICMP, IP, TCP, UDP, Dot1Q, Ether, ICMPv6EchoReply, ICMPv6EchoRequest,
                       ICMPv6ND_NS, ICMPv6ND_RS, ICMPv6NDOptSrcLLAddr,
                       ICMPv6TimeExceeded, IPerror, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, Raw)

import vectors
from vectors import (A1, A1_6, A1_MAC, A2, A2_6, A2_MAC, GW1, GW1_6, GW_IN, GW_OUT, GW_PUB,
                     GW_PUB_6, INET, INET_6, INET_MAC, nsma, nsma_mac, payload, quote4, quote6, vin, vout)

BCAST = "ff:ff:ff:ff:ff:ff"

# Cases the pipeline gets wrong today: name -> why (the fix belongs to the
# data plane, see the report of issue 10). Empty since the five found by the
# first run were fixed (docs/fuzzing.md, "The malformed-packet corpus").
TODO = {}


def ip4_bytes(b):
    """IPv4 header (as bytes) with its checksum recomputed."""
    b = bytearray(b)
    ihl = (b[0] & 15) * 4
    b[10:12] = b"\0\0"
    s = sum(struct.unpack("!%dH" % (ihl // 2), bytes(b[:ihl])))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    b[10:12] = struct.pack("!H", ~s & 0xffff)
    return bytes(b)


def fwd4(l3, vlan=100, mac=A2_MAC):
    """The frame a forwarded IPv4 datagram leaves as: datagram cut to its
    total length, TTL - 1, header checksum updated, nothing else."""
    tl = struct.unpack("!H", l3[2:4])[0]
    b = bytearray(l3[:tl])
    b[8] -= 1
    return bytes(vout(vlan, mac))[:-2] + b"\x08\x00" + ip4_bytes(b)


def fwd6(l3, vlan=100, mac=A2_MAC):
    """Same for IPv6: cut to 40 + payload length, hop limit - 1."""
    plen = struct.unpack("!H", l3[4:6])[0]
    b = bytearray(l3[:40 + plen])
    b[7] -= 1
    return bytes(vout(vlan, mac))[:-2] + b"\x86\xdd" + bytes(b)


def vraw(l3, etype=0x0800, vlan=100, src=A1_MAC, dst=GW_IN):
    """Frame carrying `l3` as raw bytes (scapy would not guess the type)."""
    return Ether(src=src, dst=dst) / Dot1Q(vlan=vlan, type=etype) / Raw(l3)


def one(name, send, port="inside", **kw):
    return (name, [dict(port=port, send=send, **kw)])


def forwarded4(name, ip, **kw):
    l3 = bytes(ip)
    return one(name, vraw(l3), expect_raw=[("inside", fwd4(l3))], drops={}, **kw)


def forwarded6(name, ip, **kw):
    l3 = bytes(ip)
    return one(name, vraw(l3, 0x86dd), expect_raw=[("inside", fwd6(l3))], drops={}, **kw)


def err4(orig, icmp, drops):
    """Expect ICMP error `icmp` from the VSwitch gateway back to a1 about
    the datagram `orig` (bytes or packet), counted under `drops`."""
    return dict(expect=[("inside", vout(100, A1_MAC) / IP(src=GW1, dst=A1, ttl=64, proto=1) /
                         icmp / quote4(orig))],
                drops=drops, ignore=["IP.id", "IP.flags", "IP.tos"])


def err6(orig, icmp, drops):
    return dict(expect=[("inside", vout(100, A1_MAC) / IPv6(src=GW1_6, dst=A1_6, hlim=64) /
                         icmp / quote6(orig))],
                drops=drops, ignore=["IPv6.tc", "IPv6.fl"])


def setup_cases():
    """The neighbour-learning cases of vectors.py (a1, a2 by ARP and ND, the
    Internet router by ARP), under their own names."""
    want = {"arp_request_for_gateway_a1", "arp_request_for_gateway_a2",
            "nd_solicit_for_gateway_a1", "nd_solicit_for_gateway_a2",
            "arp_outside_for_public_address"}
    return [("setup_" + n, s) for n, s in vectors.cases() if n in want]


def udp4(src=A1, dst=A2, ttl=64, **kw):
    return IP(src=src, dst=dst, ttl=ttl, **kw) / UDP(sport=1000, dport=2000) / payload


def udp6(src=A1_6, dst=A2_6, hlim=64):
    return IPv6(src=src, dst=dst, hlim=hlim) / UDP(sport=1000, dport=2000) / payload


def cases():
    c = setup_cases()
    good4 = bytes(udp4())
    good6 = bytes(udp6())

    # ---- Ethernet / VLAN ---------------------------------------------------
    c.append(one("eth_truncated_13_bytes", Raw(bytes(vin(100, A1_MAC))[:13]),
                 expect=[], drops={"eth_truncated": 1}))
    c.append(one("vlan_tag_truncated", Raw(bytes(Ether(src=A1_MAC, dst=GW_IN, type=0x8100)) + b"\x00"),
                 expect=[], drops={"eth_truncated": 1}))
    c.append(one("qinq_8021ad_outer_tag", Ether(src=A1_MAC, dst=GW_IN, type=0x88a8) / Dot1Q(vlan=100) /
                 Dot1Q(vlan=7, type=0x0800) / Raw(good4), expect=[], drops={"qinq": 1}))
    c.append(one("qinq_8021q_in_8021q_outside", Ether(src=INET_MAC, dst=GW_OUT) / Dot1Q(vlan=100) /
                 Dot1Q(vlan=7) / IP(src=INET, dst=GW_PUB) / ICMP(), port="outside",
                 expect=[], drops={"qinq": 1}))
    c.append(one("vlan_0_priority_tag_inside", vraw(good4, vlan=0),
                 expect=[], drops={"unknown_vlan": 1}))
    c.append(one("unknown_ethertype_lldp", vraw(b"\x02\x07\x04" + b"\x00" * 40, 0x88cc),
                 expect=[], drops={"ethertype": 1}))
    c.append(one("ip4_unicast_in_broadcast_frame", vraw(good4, dst=BCAST),
                 expect=[], drops={"l2_multicast": 1}))
    c.append(one("ip4_unicast_in_multicast_frame", vraw(good4, dst="01:00:5e:00:00:01"),
                 expect=[], drops={"l2_multicast": 1}))
    c.append(one("ip6_unicast_in_multicast_frame", vraw(good6, 0x86dd, dst="33:33:00:00:00:01"),
                 expect=[], drops={"l2_multicast": 1}))
    c.append(one("l2_multicast_source_mac", vraw(good4, src="01:00:5e:00:00:09"),
                 expect=[], drops={"l2_bad_source": 1}))
    # Whatever the frame carries: an ARP request from the broadcast MAC
    # (the gateway must not learn it) and an IPv6 packet on the outside.
    c.append(one("l2_broadcast_source_mac_arp",
                 vin(100, BCAST, BCAST) / ARP(op=1, hwsrc=A1_MAC, psrc=A1, pdst=GW1),
                 expect=[], drops={"l2_bad_source": 1}))
    c.append(one("l2_multicast_source_mac_outside",
                 Ether(src="33:33:00:00:00:01", dst=GW_OUT) / IPv6(src=INET_6, dst=GW_PUB_6) /
                 ICMPv6EchoRequest(), port="outside", expect=[], drops={"l2_bad_source": 1}))

    # ---- IPv4 header -----------------------------------------------------------
    c.append(one("ip4_header_cut_at_19_bytes", vraw(good4[:19]),
                 expect=[], drops={"ip4_truncated": 1}))
    c.append(one("ip4_ihl_15_beyond_frame", vraw(ip4_bytes(b"\x4f" + good4[1:] + bytes(40))[:28]),
                 expect=[], drops={"ip4_truncated": 1}))
    lie = bytearray(bytes(IP(src=A1, dst=A2, options=b"\x01\x01\x01\x00") / UDP() / payload))
    lie[2:4] = struct.pack("!H", 22)  # total length below the 24-byte header
    c.append(one("ip4_total_length_below_ihl", vraw(ip4_bytes(lie)),
                 expect=[], drops={"ip4_length": 1}))
    lie = bytearray(good4)
    lie[2:4] = struct.pack("!H", 12)
    c.append(one("ip4_total_length_below_20", vraw(ip4_bytes(lie)),
                 expect=[], drops={"ip4_length": 1}))
    lie = bytearray(good4)
    lie[2:4] = struct.pack("!H", 20 + 8 + 10)  # the rest is link padding
    c.append(forwarded4("ip4_total_length_short_rest_is_padding", ip4_bytes(lie)))
    lie = bytearray(good4)
    lie[0] = 0x65
    c.append(one("ip4_version_6_in_ipv4_ethertype", vraw(ip4_bytes(lie)),
                 expect=[], drops={"ip4_version": 1}))

    # ---- IPv4 options -------------------------------------------------------------
    c.append(forwarded4("ip4_options_nop_eol_forwarded", udp4(options=b"\x01\x01\x01\x00")))
    # Record route: RFC 7126 4.3.2 lets a router ignore it (forward unchanged).
    c.append(forwarded4("ip4_option_record_route_forwarded",
                        udp4(options=b"\x07\x07\x04\x00\x00\x00\x00\x00")))
    lsrr = udp4(options=b"\x83\x07\x04" + bytes([10, 99, 0, 1]) + b"\x00")
    c.append(one("ip4_option_lsrr", vin(100, A1_MAC) / lsrr, expect=[],
                 drops={"ip4_source_route": 1}))
    bad = udp4(options=b"\x44\x00\x05\x00\x00\x00\x00\x00")  # timestamp, length 0
    c.append(one("ip4_option_length_zero", vin(100, A1_MAC) / bad,
                 **err4(bad, ICMP(type=12, code=0, ptr=21), {"ip4_options": 1})))
    bad = udp4(options=b"\x07\x28\x04\x00")  # record route, length 40 > 4 bytes left
    c.append(one("ip4_option_length_beyond_header", vin(100, A1_MAC) / bad,
                 **err4(bad, ICMP(type=12, code=0, ptr=21), {"ip4_options": 1})))
    ssrr = udp4(options=b"\x89\x07\x04" + bytes([10, 99, 0, 1]) + b"\x00")
    c.append(one("ip4_option_ssrr", vin(100, A1_MAC) / ssrr, expect=[],
                 drops={"ip4_source_route": 1}))
    lsrr_gw = IP(src=A1, dst=GW1, options=b"\x83\x07\x04" + bytes([10, 99, 0, 1]) + b"\x00") / ICMP()
    c.append(one("ip4_option_lsrr_to_gateway", vin(100, A1_MAC) / lsrr_gw, expect=[],
                 drops={"ip4_source_route": 1}))
    # NOPs, then a timestamp type byte in the header's last byte: its
    # length is missing, the pointer names the type byte (offset 23).
    bad = udp4(options=b"\x01\x01\x01\x44")
    c.append(one("ip4_option_length_missing", vin(100, A1_MAC) / bad,
                 **err4(bad, ICMP(type=12, code=0, ptr=23), {"ip4_options": 1})))
    # An LSRR with a bad length is malformed first: parameter problem.
    bad = udp4(options=b"\x83\x01\x04\x00")
    c.append(one("ip4_option_lsrr_length_1", vin(100, A1_MAC) / bad,
                 **err4(bad, ICMP(type=12, code=0, ptr=21), {"ip4_options": 1})))
    # Options after end-of-list are not looked at (RFC 791: padding).
    c.append(forwarded4("ip4_option_garbage_after_eol_forwarded", udp4(options=b"\x00\x83\x00\xff")))
    # No error about an ICMP error, even with broken options.
    bad = IP(src=A1, dst=A2, options=b"\x44\x00\x00\x00") / ICMP(type=3, code=1) / IPerror(src=A2, dst=A1) / UDP()
    c.append(one("ip4_option_length_zero_in_icmp_error_no_error", vin(100, A1_MAC) / bad, expect=[],
                 drops={"ip4_options": 1, "icmp_no_error": 1}))

    # ---- IPv4 L4 (a router does not look at it) --------------------------------
    cut = IP(src=A1, dst=A2, proto=17) / Raw(bytes(UDP(sport=1, dport=2))[:4])
    c.append(forwarded4("ip4_udp_header_truncated_forwarded", cut))
    c.append(forwarded4("ip4_udp_bad_checksum_forwarded",
                        IP(src=A1, dst=A2) / UDP(sport=1, dport=2, chksum=0xbad) / payload))
    c.append(forwarded4("ip4_tcp_bad_checksum_forwarded",
                        IP(src=A1, dst=A2) / TCP(sport=1, dport=2, chksum=0xbad) / payload))
    c.append(forwarded4("ip4_tcp_header_truncated_forwarded",
                        IP(src=A1, dst=A2, proto=6) / Raw(bytes(TCP())[:10])))
    c.append(one("ip4_icmp_echo_truncated_to_gateway",
                 vin(100, A1_MAC) / IP(src=A1, dst=GW1, proto=1) / Raw(b"\x08\x00\xf7"),
                 expect=[], drops={"local_icmp_invalid": 1}))
    c.append(one("ip4_icmp_echo_bad_checksum_to_gateway",
                 vin(100, A1_MAC) / IP(src=A1, dst=GW1) / ICMP(id=1, seq=1, chksum=0x1234) / payload,
                 expect=[], drops={"local_icmp_invalid": 1}))

    # ---- IPv4 fragments (a router forwards fragments as they are) ----------------
    data = bytes(range(64))
    c.append(forwarded4("ip4_first_fragment_forwarded",
                        IP(src=A1, dst=A2, id=40, flags="MF", proto=17) / Raw(data[:48])))
    c.append(forwarded4("ip4_non_first_fragment_forwarded",
                        IP(src=A1, dst=A2, id=40, frag=6, proto=17) / Raw(data[48:])))
    ov1 = IP(src=A1, dst=A2, id=41, flags="MF", proto=17) / Raw(data[:32])
    ov2 = IP(src=A1, dst=A2, id=41, frag=2, proto=17) / Raw(data[16:])
    c.append(("ip4_overlapping_fragments_forwarded", [
        dict(port="inside", send=vin(100, A1_MAC) / ov1, expect_raw=[("inside", fwd4(bytes(ov1)))], drops={}),
        dict(port="inside", send=vin(100, A1_MAC) / ov2, expect_raw=[("inside", fwd4(bytes(ov2)))], drops={})]))
    # RFC 1858 tiny fragments: 8 bytes of TCP, then offset 1 rewriting the flags.
    t1 = IP(src=A1, dst=A2, id=42, flags="MF", proto=6) / Raw(bytes(TCP(sport=1, dport=2))[:8])
    t2 = IP(src=A1, dst=A2, id=42, frag=1, proto=6) / Raw(bytes(TCP(sport=1, dport=2, flags="S"))[8:])
    c.append(("ip4_tiny_fragments_forwarded", [
        dict(port="inside", send=vin(100, A1_MAC) / t1, expect_raw=[("inside", fwd4(bytes(t1)))], drops={}),
        dict(port="inside", send=vin(100, A1_MAC) / t2, expect_raw=[("inside", fwd4(bytes(t2)))], drops={})]))
    f1 = IP(src=A1, dst=A2, id=43, flags="MF", ttl=1, proto=17) / Raw(data[:48])
    c.append(one("ip4_first_fragment_ttl_1_time_exceeded", vin(100, A1_MAC) / f1,
                 **err4(f1, ICMP(type=11, code=0), {"ttl_exceeded": 1})))
    f2 = IP(src=A1, dst=A2, id=43, frag=6, ttl=1, proto=17) / Raw(data[48:])
    c.append(one("ip4_non_first_fragment_ttl_1_no_error", vin(100, A1_MAC) / f2, expect=[],
                 drops={"ttl_exceeded": 1, "icmp_no_error": 1}))
    c.append(one("ip4_fragmented_echo_to_gateway",
                 vin(100, A1_MAC) / IP(src=A1, dst=GW1, flags="MF", proto=1) / Raw(bytes(ICMP()) + data),
                 expect=[], drops={"local_icmp_invalid": 1}))

    # ---- TTL 0 and 1 ----------------------------------------------------------------
    t0 = udp4(ttl=0)
    c.append(one("ip4_ttl_0_time_exceeded", vin(100, A1_MAC) / t0,
                 **err4(t0, ICMP(type=11, code=0), {"ttl_exceeded": 1})))
    for ttl in (0, 1):
        # RFC 1812 4.2.2.9: a datagram for the router itself is received
        # whatever its TTL.
        c.append(one(f"ip4_echo_ttl_{ttl}_to_gateway_answered",
                     vin(100, A1_MAC) / IP(src=A1, dst=GW1, ttl=ttl, id=5) / ICMP(id=7, seq=ttl) / payload,
                     expect=[("inside", vout(100, A1_MAC) / IP(src=GW1, dst=A1, ttl=64) /
                              ICMP(type=0, id=7, seq=ttl) / payload)],
                     drops={}, ignore=["IP.id", "IP.flags"]))
    err_ttl1 = IP(src=A1, dst=A2, ttl=1) / ICMP(type=3, code=1) / IPerror(src=A2, dst=A1) / UDP()
    c.append(one("ip4_icmp_error_ttl_1_no_error_about_error", vin(100, A1_MAC) / err_ttl1,
                 expect=[], drops={"ttl_exceeded": 1, "icmp_no_error": 1}))

    # ---- IPv4 addresses ---------------------------------------------------------
    for name, src in (("multicast", "224.0.0.5"), ("zero", "0.0.0.0"), ("loopback", "127.0.0.1"),
                      ("reserved", "240.0.0.1")):
        c.append(one(f"ip4_{name}_source_dropped", vin(100, A1_MAC) / udp4(src=src),
                     expect=[], drops={"ip4_bad_source": 1}))
    for name, dst in (("limited_broadcast", "255.255.255.255"), ("multicast", "239.1.2.3"),
                      ("loopback", "127.0.0.1")):
        c.append(one(f"ip4_{name}_dest_dropped", vin(100, A1_MAC) / udp4(dst=dst),
                     expect=[], drops={"ip4_bad_dest": 1}))
    c.append(one("ip4_directed_broadcast_dropped", vin(100, A1_MAC) / udp4(dst="192.168.2.255"),
                 expect=[], drops={"ip4_bad_dest": 1}))
    # Its own VSwitch's broadcast address, TTL 1: dropped, no time exceeded.
    c.append(one("ip4_directed_broadcast_own_vswitch_ttl_1", vin(100, A1_MAC) / udp4(dst="192.168.1.255", ttl=1),
                 expect=[], drops={"ip4_bad_dest": 1}))

    # ---- IPv6 header ---------------------------------------------------------------
    c.append(one("ip6_header_cut_at_39_bytes", vraw(good6[:39], 0x86dd),
                 expect=[], drops={"ip6_truncated": 1}))
    lie = bytearray(good6)
    lie[0] = 0x45
    c.append(one("ip6_version_4_in_ipv6_ethertype", vraw(bytes(lie), 0x86dd),
                 expect=[], drops={"ip6_version": 1}))
    lie = bytearray(good6)
    lie[4:6] = struct.pack("!H", 8 + 10)  # the rest is link padding
    c.append(forwarded6("ip6_payload_length_short_rest_is_padding", bytes(lie)))
    lie = bytearray(good6)
    lie[4:6] = struct.pack("!H", 0xffff)
    c.append(one("ip6_payload_length_beyond_frame", vraw(bytes(lie), 0x86dd),
                 expect=[], drops={"ip6_truncated": 1}))

    # ---- IPv6 extension headers ---------------------------------------------------
    def chain(n, hdr=IPv6ExtHdrDestOpt):
        p = IPv6(src=A1_6, dst=A2_6, hlim=64)
        for _ in range(n):
            p = p / hdr()
        return p / UDP(sport=1, dport=2) / payload

    c.append(forwarded6("ip6_ext_chain_8_headers_forwarded", chain(8)))
    c.append(one("ip6_ext_chain_9_headers_dropped", vin(100, A1_MAC) / chain(9),
                 expect=[], drops={"ip6_truncated": 1}))
    c.append(one("ip6_ext_chain_100_headers_dropped", vin(100, A1_MAC) / chain(100),
                 expect=[], drops={"ip6_truncated": 1}))
    # Hop-by-hop again after another header (a chain "looping back" to 0):
    # only allowed directly after the fixed header (RFC 8200 4.3).
    hbh_late = IPv6(src=A1_6, dst=A2_6) / IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop() / UDP() / payload
    c.append(one("ip6_hop_by_hop_not_first_dropped", vin(100, A1_MAC) / hbh_late,
                 expect=[], drops={"ip6_truncated": 1}))
    # Repeated routing headers (type 0, segments left 1): only the
    # destination processes them (RFC 8200 4, RFC 5095): forwarded.
    rh = IPv6(src=A1_6, dst=A2_6, hlim=64)
    for _ in range(3):
        rh = rh / IPv6ExtHdrRouting(type=0, segleft=1, addresses=[A2_6])
    c.append(forwarded6("ip6_repeated_routing_headers_forwarded", rh / UDP() / payload))
    cut = bytearray(bytes(IPv6(src=A1_6, dst=A2_6) / IPv6ExtHdrDestOpt(len=4) / UDP() / payload))
    c.append(one("ip6_ext_header_beyond_payload_dropped", vraw(bytes(cut[:40 + 16]), 0x86dd),
                 expect=[], drops={"ip6_truncated": 1}))

    # ---- IPv6 fragments -------------------------------------------------------------
    frag = IPv6ExtHdrFragment
    c.append(forwarded6("ip6_first_fragment_forwarded",
                        IPv6(src=A1_6, dst=A2_6) / frag(id=7, m=1, nh=17) / Raw(data[:48])))
    c.append(forwarded6("ip6_non_first_fragment_forwarded",
                        IPv6(src=A1_6, dst=A2_6) / frag(id=7, offset=6, nh=17) / Raw(data[48:])))
    c.append(forwarded6("ip6_atomic_fragment_forwarded",
                        IPv6(src=A1_6, dst=A2_6) / frag(id=8, nh=17) / UDP(sport=1, dport=2) / payload))
    o1 = IPv6(src=A1_6, dst=A2_6) / frag(id=9, m=1, nh=17) / Raw(data[:32])
    o2 = IPv6(src=A1_6, dst=A2_6) / frag(id=9, offset=2, nh=17) / Raw(data[16:])
    c.append(("ip6_overlapping_fragments_forwarded", [
        dict(port="inside", send=vin(100, A1_MAC) / o1, expect_raw=[("inside", fwd6(bytes(o1)))], drops={}),
        dict(port="inside", send=vin(100, A1_MAC) / o2, expect_raw=[("inside", fwd6(bytes(o2)))], drops={})]))
    # RFC 7112 tiny first fragment without the whole upper-layer header:
    # intermediate nodes may drop it, forwarding is allowed too.
    c.append(forwarded6("ip6_tiny_first_fragment_forwarded",
                        IPv6(src=A1_6, dst=A2_6) / frag(id=10, m=1, nh=6) / Raw(bytes(TCP())[:8])))
    c.append(one("ip6_fragmented_echo_to_gateway",
                 vin(100, A1_MAC) / IPv6(src=A1_6, dst=GW1_6) / frag(id=11, m=1, nh=58) /
                 Raw(bytes(ICMPv6EchoRequest(cksum=0)) + data),
                 expect=[], drops={"local_icmp_invalid": 1}))

    # ---- hop limit 0 and 1 -----------------------------------------------------------
    h0 = udp6(hlim=0)
    c.append(one("ip6_hop_limit_0_time_exceeded", vin(100, A1_MAC) / h0,
                 **err6(h0, ICMPv6TimeExceeded(code=0), {"ttl_exceeded": 1})))
    for hl in (0, 1):
        c.append(one(f"ip6_echo_hop_limit_{hl}_to_gateway_answered",
                     vin(100, A1_MAC) / IPv6(src=A1_6, dst=GW1_6, hlim=hl) /
                     ICMPv6EchoRequest(id=3, seq=hl, data=b"hl"),
                     expect=[("inside", vout(100, A1_MAC) / IPv6(src=GW1_6, dst=A1_6, hlim=64) /
                              ICMPv6EchoReply(id=3, seq=hl, data=b"hl"))], drops={}))

    # ---- IPv6 checksums, addresses ----------------------------------------------------
    c.append(one("ip6_icmp_echo_bad_checksum_to_gateway",
                 vin(100, A1_MAC) / IPv6(src=A1_6, dst=GW1_6) / ICMPv6EchoRequest(cksum=0x1234),
                 expect=[], drops={"local_icmp_invalid": 1}))
    c.append(forwarded6("ip6_udp_zero_checksum_forwarded",
                        IPv6(src=A1_6, dst=A2_6) / UDP(sport=1, dport=2, chksum=0) / payload))
    for name, src in (("loopback", "::1"), ("unspecified", "::"), ("multicast", "ff05::2")):
        c.append(one(f"ip6_{name}_source_dropped", vin(100, A1_MAC) / udp6(src=src),
                     expect=[], drops={"ip6_bad_source": 1}))
    for name, dst in (("multicast", "ff05::1"), ("unspecified", "::"), ("loopback", "::1")):
        c.append(one(f"ip6_{name}_dest_dropped", vin(100, A1_MAC) / udp6(dst=dst),
                     expect=[], drops={"ip6_bad_dest": 1}))

    # ---- the outside (Internet) port --------------------------------------------------
    def vo(l3):
        return Ether(src=INET_MAC, dst=GW_OUT) / l3

    t1 = IP(src=INET, dst="198.51.100.7", ttl=1) / UDP(sport=1, dport=2) / payload
    c.append(one("outside_ip4_ttl_1_time_exceeded", vo(t1), port="outside",
                 expect=[("outside", Ether(src=GW_OUT, dst=INET_MAC) /
                          IP(src=GW_PUB, dst=INET, ttl=64, proto=1) / ICMP(type=11, code=0) /
                          quote4(t1))],
                 drops={"ttl_exceeded": 1}, ignore=["IP.id", "IP.flags", "IP.tos"]))
    c.append(one("outside_ip4_bad_checksum", vo(IP(src=INET, dst=GW_PUB, chksum=0x4321) / ICMP()),
                 port="outside", expect=[], drops={"ip4_checksum": 1}))
    c.append(one("outside_ip4_multicast_source", vo(IP(src="224.0.0.9", dst=GW_PUB) / ICMP()),
                 port="outside", expect=[], drops={"ip4_bad_source": 1}))
    c.append(one("outside_ip6_truncated", Ether(src=INET_MAC, dst=GW_OUT, type=0x86dd) /
                 Raw(good6[:30]), port="outside", expect=[], drops={"ip6_truncated": 1}))
    c.append(one("outside_arp_truncated", Ether(src=INET_MAC, dst=BCAST, type=0x0806) /
                 Raw(bytes(ARP(op=1, hwsrc=INET_MAC, psrc=INET, pdst=GW_PUB))[:12]),
                 port="outside", expect=[], drops={"arp_invalid": 1}))

    # ---- ARP and ND (validated on the main lcore) ---------------------------------
    arp = ARP(op=1, hwsrc=A1_MAC, psrc=A1, pdst=GW1)
    c.append(one("arp_truncated", vraw(bytes(arp)[:20], 0x0806, dst=BCAST),
                 expect=[], drops={"arp_invalid": 1}))
    for name, bad in (("hardware_type_not_ethernet", dict(hwtype=6)),
                      ("opcode_rarp", dict(op=3)),
                      ("multicast_sender_mac", dict(hwsrc="01:00:5e:00:00:01"))):
        a = arp.copy()
        for k, v in bad.items():
            setattr(a, k, v)
        c.append(one(f"arp_{name}", vin(100, A1_MAC, BCAST) / a, expect=[],
                     drops={"arp_invalid": 1}))

    def ns(hlim=255, tgt=GW1_6, opts=None, src=A1_6, **kw):
        o = ICMPv6NDOptSrcLLAddr(lladdr=A1_MAC) if opts is None else opts
        return (Ether(src=A1_MAC, dst=nsma_mac(GW1_6)) / Dot1Q(vlan=100) /
                IPv6(src=src, dst=nsma(GW1_6), hlim=hlim) / ICMPv6ND_NS(tgt=tgt, **kw) / o)

    # RFC 4861 7.1.1: hop limit 255, valid checksum, no multicast target,
    # options of non-zero length, no source link-layer option in DAD.
    c.append(one("nd_ns_hop_limit_64", ns(hlim=64), expect=[], drops={"nd_invalid": 1}))
    c.append(one("nd_ns_bad_checksum", ns(cksum=0x1234), expect=[], drops={"nd_invalid": 1}))
    c.append(one("nd_ns_multicast_target", ns(tgt="ff02::1"), expect=[], drops={"nd_invalid": 1}))
    c.append(one("nd_ns_option_length_zero", ns(opts=Raw(b"\x01\x00" + bytes(6))), expect=[],
                 drops={"nd_invalid": 1}))
    c.append(one("nd_dad_ns_with_source_lla", ns(src="::"), expect=[], drops={"nd_invalid": 1}))
    c.append(one("nd_router_solicitation_ignored",
                 Ether(src=A1_MAC, dst="33:33:00:00:00:02") / Dot1Q(vlan=100) /
                 IPv6(src=A1_6, dst="ff02::2", hlim=255) / ICMPv6ND_RS(), expect=[],
                 drops={"nd_ignored": 1}))
    return c
