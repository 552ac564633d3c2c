# SPDX-License-Identifier: BSD-3-Clause
"""ICMPv6 errors about packets with extension headers (configs/demo.json;
stage icmp6_error, docs/sluice-dp.md; issue 6).

RFC 4443: an error quotes as much of the invoking packet as fits in the
minimum MTU (1280 bytes in all), extension headers included, byte for byte;
no error answers an ICMPv6 error message, however many extension headers
stand before its ICMPv6 header (hop-by-hop, destination options, routing,
a first fragment); a non-first fragment gets none either (its upper layer
is unknown), while an ICMPv6 informational message (echo request) behind
extension headers does get one. i-a1 (2001:db8:a:1::10) sends everything;
the errors come back to it from its VSwitch gateway address.
"""
from scapy.all import (UDP, Dot1Q, Ether, ICMPv6DestUnreach, ICMPv6EchoRequest,
                       ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr, ICMPv6ND_NA, ICMPv6ND_NS,
                       ICMPv6PacketTooBig, ICMPv6TimeExceeded, IPv6, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, Raw)

from vectors import A1_6, A1_MAC, A2_6, GW1_6, GW_IN, nsma, nsma_mac, quote6, vin, vout

payload = Raw(b"sluice-icmp6-ext" * 2)
IGNORE = ["IPv6.tc", "IPv6.fl"]


def error(kind, invoking):
    """The gateway's error `kind` about `invoking`, as i-a1 receives it."""
    return vout(100, A1_MAC) / IPv6(src=GW1_6, dst=A1_6, hlim=64) / kind / quote6(invoking)


def step(send, expect=(), drop=None):
    d = dict(port="inside", send=vin(100, A1_MAC) / send, expect=list(expect), ignore=IGNORE)
    if drop:
        d["drop"] = drop
    return d


def cases():
    c = [("icmp6ext_nd_a1", [dict(
        port="inside",
        send=Ether(src=A1_MAC, dst=nsma_mac(GW1_6)) / Dot1Q(vlan=100) /
        IPv6(src=A1_6, dst=nsma(GW1_6), hlim=255) / ICMPv6ND_NS(tgt=GW1_6) /
        ICMPv6NDOptSrcLLAddr(lladdr=A1_MAC),
        expect=[("inside", vout(100, A1_MAC) / IPv6(src=GW1_6, dst=A1_6, hlim=255) /
                 ICMPv6ND_NA(R=1, S=1, O=1, tgt=GW1_6) / ICMPv6NDOptDstLLAddr(lladdr=GW_IN))])])]

    # Errors quote the extension headers as they came.
    hbh = IPv6(src=A1_6, dst=A2_6, hlim=1) / IPv6ExtHdrHopByHop() / UDP(sport=40000, dport=33434) / payload
    c.append(("icmp6ext_time_exceeded_quotes_hop_by_hop", [step(
        hbh, [("inside", error(ICMPv6TimeExceeded(code=0), hbh))], "ttl_exceeded")]))
    rh = (IPv6(src=A1_6, dst="2001:db8:77::1") / IPv6ExtHdrRouting(type=4, segleft=0) /
          IPv6ExtHdrDestOpt() / UDP(sport=1, dport=2) / payload)
    c.append(("icmp6ext_unreachable_quotes_routing_and_dest_opts", [step(
        rh, [("inside", error(ICMPv6DestUnreach(code=0), rh))], "no_route")]))
    # Too big, with headers: the quote is cut at 1280 bytes in all.
    big = (IPv6(src=A1_6, dst=A2_6) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() /
           UDP(sport=5, dport=6) / Raw(b"z" * 1600))
    c.append(("icmp6ext_packet_too_big_quote_cut_at_1280", [step(
        big, [("inside", error(ICMPv6PacketTooBig(mtu=1500), big))], "too_big")]))
    frag0 = (IPv6(src=A1_6, dst=A2_6) / IPv6ExtHdrFragment(offset=0, m=1, id=77) /
             UDP(sport=5, dport=6, len=2000, chksum=0x1234) / Raw(b"f" * 1520))
    c.append(("icmp6ext_packet_too_big_about_a_first_fragment", [step(
        frag0, [("inside", error(ICMPv6PacketTooBig(mtu=1500), frag0))], "too_big")]))
    # An informational message behind extension headers gets its error.
    echo = IPv6(src=A1_6, dst=A2_6, hlim=1) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / \
        ICMPv6EchoRequest(id=9, seq=1, data=b"ext")
    c.append(("icmp6ext_echo_behind_headers_gets_an_error", [step(
        echo, [("inside", error(ICMPv6TimeExceeded(code=0), echo))], "ttl_exceeded")]))

    # Never an error about an error, wherever its ICMPv6 header is.
    quoted = IPv6(src=A2_6, dst=A1_6) / UDP(sport=7, dport=7)
    for name, hdrs in (("hop_by_hop", IPv6ExtHdrHopByHop()),
                       ("dest_opts", IPv6ExtHdrDestOpt()),
                       ("routing", IPv6ExtHdrRouting(type=4, segleft=0)),
                       ("hop_by_hop_and_first_fragment",
                        IPv6ExtHdrHopByHop() / IPv6ExtHdrFragment(offset=0, m=0, id=5))):
        err = IPv6(src=A1_6, dst=A2_6, hlim=1) / hdrs / ICMPv6DestUnreach(code=1) / quoted
        c.append((f"icmp6ext_no_error_about_an_error_behind_{name}", [step(
            err, [], "icmp_no_error")]))
    # A non-first fragment: its upper layer is unknown, no error.
    frag1 = IPv6(src=A1_6, dst=A2_6, hlim=1) / IPv6ExtHdrFragment(offset=100, m=0, id=78, nh=17) / \
        Raw(b"g" * 64)
    c.append(("icmp6ext_no_error_about_a_non_first_fragment", [step(frag1, [], "icmp_no_error")]))
    return c
