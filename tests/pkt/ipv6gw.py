# SPDX-License-Identifier: BSD-3-Clause
"""Packet vectors for the IPv6 gateway (tests/pkt/ipv6gw.json, docs/ipv6gw.md).

vpc-a (VLAN 100) has IPv6 gateway gw-a, so its ::/0 leads to the ip6gw
stages. Internet bandwidth gates both ways: i-a1 (::10) has some, i-a2 (::20)
none. i-eo (::30) is egress-only: flows it starts (UDP, TCP, ICMPv6 echo) and
their replies pass, ICMPv6 errors about them pass, anything else from the
Internet is dropped; state expires on the runner's virtual clock. Ingress
route rules steer Internet traffic for 2400:a::40/126 to the firewall i-fw
and for 2400:a::41/128 (longest wins) to i-fw2, destination unchanged.
Deleting i-a1's bandwidth (a republished config) cuts it off at once.
Rule 2400:a::50/128 goes to HaVip hv-6 (192.168.1.60, i-h1 and i-h2): to the
IPv6 address of the instance that holds it, learned from its ARP, and it
follows a gratuitous ARP of the other one at once; the gateway asks who holds
it (ARP) while nobody does.

police6: modifying i-a1's bandwidth to 1 Mbps enforces it at once, each
direction on its own bucket (policed_out / policed_in), and back to 10 Mbps
keeps the buckets.
vpc-b (VLAN 200, gw-b) is reached from vpc-a through the Internet side.
Cases share neighbour and flow state and run in order, as in vectors.py.
"""
import atexit
import json
import os
import tempfile

from scapy.all import (ARP, TCP, UDP, Dot1Q, IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop, Ether, ICMPv6EchoReply, ICMPv6EchoRequest,
                       ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr,
                       ICMPv6PacketTooBig, ICMPv6TimeExceeded, IPv6, Raw)

from nat import from_inet, out_frame, step, vin, vout
from vectors import BCAST, GW_IN, GW_OUT, INET_MAC, nsma, nsma_mac, quote6

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = os.path.join(HERE, "ipv6gw.json")

A1, A2, EO, WEB, A42, FW2, FW = ("2400:a::10", "2400:a::20", "2400:a::30", "2400:a::41",
                                 "2400:a::42", "2400:a::98", "2400:a::99")
B1 = "2400:b::10"
H1, H2, HV_DST = "2400:a::61", "2400:a::62", "2400:a::50"
HAVIP4, GW4 = "192.168.1.60", "192.168.1.253"
ADDR4 = {H1: "192.168.1.61", H2: "192.168.1.62", A1: "192.168.1.10"}
GWA, GWB = "2400:a::ffff:ffff:ffff:fffd", "2400:b::ffff:ffff:ffff:fffd"
INET_6, GW_PUB_6 = "2001:db8:ffff::1", "2001:db8:ffff::2"
REMOTE = "2001:db8:77::5"
MAC = {A1: "02:aa:00:00:00:10", A2: "02:aa:00:00:00:20", EO: "02:aa:00:00:00:30",
       WEB: "02:aa:00:00:00:41", FW2: "02:aa:00:00:00:98", FW: "02:aa:00:00:00:99",
       B1: "02:bb:00:00:00:10", H1: "02:aa:00:00:00:61", H2: "02:aa:00:00:00:62"}
payload = Raw(b"sluice-ipv6gw-test" * 2)


def fwd(pkt):
    """`pkt` one hop later."""
    p = pkt.copy()
    p.hlim -= 1
    return p


def config_a1_bandwidth(mbps):
    """ipv6gw.json with i-a1's bandwidth deleted (None) or set to `mbps`, in
    a temporary file."""
    with open(CONFIG) as f:
        cfg = json.load(f)
    bws = [b for b in cfg["Ipv6InternetBandwidths"] if b["Ipv6InternetBandwidthId"] != "bw-a1"]
    if mbps is not None:
        bws.append({"Ipv6InternetBandwidthId": "bw-a1", "Ipv6AddressId": "ipv6-a1", "Bandwidth": mbps})
    cfg["Ipv6InternetBandwidths"] = bws
    fd, path = tempfile.mkstemp(prefix="sl-ipv6gw-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(cfg, f)
    atexit.register(os.unlink, path)
    return path


def garp(ip6, ip4=HAVIP4):
    """A gratuitous ARP for `ip4` from the instance whose IPv6 address is `ip6`."""
    mac = MAC[ip6]
    return vin(mac, BCAST) / ARP(op=1, hwsrc=mac, psrc=ip4, hwdst="00:00:00:00:00:00", pdst=ip4)


def havip_cases():
    """Ingress rule rr-3 (2400:a::50/128) via HaVip hv-6."""
    c = []
    # The instances introduce themselves over IPv4 (how the gateway knows
    # the MAC of each associated instance).
    for ip6 in (H1, H2, A1):
        mac, ip4 = MAC[ip6], ADDR4[ip6]
        c.append((f"ip6gw_havip_arp_{ip4}", [step(
            "inside", vin(mac, BCAST) / ARP(op=1, hwsrc=mac, psrc=ip4, hwdst="00:00:00:00:00:00", pdst=GW4),
            [("inside", vout(mac) / ARP(op=2, hwsrc=GW_IN, psrc=GW4, hwdst=mac, pdst=ip4))])]))
    h = IPv6(src=REMOTE, dst=HV_DST, hlim=50) / UDP(sport=443, dport=8443) / payload
    c.append(("ip6gw_havip_no_holder", [step("outside", from_inet() / h, [], {"ip6gw_havip_no_holder": 1})]))
    # i-h1 answers the gateway's question (an ARP reply from the HaVip address).
    c.append(("ip6gw_havip_reply_from_h1", [step(
        "inside", vin(MAC[H1]) / ARP(op=2, hwsrc=MAC[H1], psrc=HAVIP4, hwdst=GW_IN, pdst=GW4))]))
    c.append(("ip6gw_havip_rule_to_h1", [step("outside", from_inet() / h, [("inside", vout(MAC[H1]) / fwd(h))])]))
    # keepalived on i-h2 becomes master: its gratuitous ARP moves the rule's traffic.
    c.append(("ip6gw_havip_garp_from_h2", [step("inside", garp(H2))]))
    c.append(("ip6gw_havip_rule_follows_h2", [step("outside", from_inet() / h, [("inside", vout(MAC[H2]) / fwd(h))])]))
    # i-a1 is not associated: its claim is refused and changes nothing.
    c.append(("ip6gw_havip_garp_not_associated", [step("inside", garp(A1), [], {"havip_not_associated": 1})]))
    c.append(("ip6gw_havip_rule_stays_h2", [step("outside", from_inet() / h, [("inside", vout(MAC[H2]) / fwd(h))])]))
    c.append(("ip6gw_havip_garp_from_h1", [step("inside", garp(H1))]))
    c.append(("ip6gw_havip_rule_back_to_h1", [step("outside", from_inet() / h, [("inside", vout(MAC[H1]) / fwd(h))])]))
    return c


def cases():
    c = []
    # Neighbours: the instances ask for their gateway, the router for ours.
    # The main lcore's first export (with the first frame) also asks who
    # holds HaVip hv-6, which a rule names and nobody holds yet.
    for ip, mac in MAC.items():
        vlan, gw = (200, GWB) if ip == B1 else (100, GWA)
        probe = [("inside", vout(BCAST) / ARP(op=1, hwsrc=GW_IN, psrc=GW4, hwdst="00:00:00:00:00:00",
                                                 pdst=HAVIP4))] if not c else []
        c.append((f"ip6gw_nd_{ip}", [step(
            "inside", Ether(src=mac, dst=nsma_mac(gw)) / Dot1Q(vlan=vlan) /
            IPv6(src=ip, dst=nsma(gw), hlim=255) / ICMPv6ND_NS(tgt=gw) / ICMPv6NDOptSrcLLAddr(lladdr=mac),
            [("inside", vout(mac, vlan) / IPv6(src=gw, dst=ip, hlim=255) /
              ICMPv6ND_NA(R=1, S=1, O=1, tgt=gw) / ICMPv6NDOptDstLLAddr(lladdr=GW_IN))] + probe)]))
    c.append(("ip6gw_nd_inet", [step(
        "outside", Ether(src=INET_MAC, dst=nsma_mac(GW_PUB_6)) / IPv6(src=INET_6, dst=nsma(GW_PUB_6), hlim=255) /
        ICMPv6ND_NS(tgt=GW_PUB_6) / ICMPv6NDOptSrcLLAddr(lladdr=INET_MAC),
        [("outside", out_frame() / IPv6(src=GW_PUB_6, dst=INET_6, hlim=255) /
          ICMPv6ND_NA(R=1, S=1, O=1, tgt=GW_PUB_6) / ICMPv6NDOptDstLLAddr(lladdr=GW_OUT))])]))

    # --- Gating by Internet bandwidth, both ways.
    o1 = IPv6(src=A1, dst=REMOTE, hlim=64) / UDP(sport=40000, dport=53) / payload
    c.append(("ip6gw_out_with_bandwidth", [step("inside", vin(MAC[A1]) / o1, [("outside", out_frame() / fwd(o1))])]))
    # Internet destinations above the gateways' blocks and between them
    # (REMOTE is below): ip6gw_in finds them behind no gateway without a
    # search, or with one (issue 9), and route6 sends them out.
    for name, dst in (("above", "2600::5"), ("between", "2400:a:0:100::5")):
        o = IPv6(src=A1, dst=dst, hlim=64) / UDP(sport=40000, dport=53) / payload
        c.append(("ip6gw_out_to_the_internet_" + name + "_the_gateway_blocks",
                  [step("inside", vin(MAC[A1]) / o, [("outside", out_frame() / fwd(o))])]))
    i1 = IPv6(src=REMOTE, dst=A1, hlim=50) / TCP(sport=443, dport=40001, flags="S") / payload
    c.append(("ip6gw_in_with_bandwidth", [step("outside", from_inet() / i1, [("inside", vout(MAC[A1]) / fwd(i1))])]))
    p1 = IPv6(src=REMOTE, dst=A1, hlim=50) / ICMPv6EchoRequest(id=3, seq=1, data=b"ping6")
    c.append(("ip6gw_ping6_in_with_bandwidth", [step("outside", from_inet() / p1, [("inside", vout(MAC[A1]) / fwd(p1))])]))
    c.append(("ip6gw_out_without_bandwidth", [step(
        "inside", vin(MAC[A2]) / IPv6(src=A2, dst=REMOTE) / UDP(sport=1, dport=2) / payload, [],
        {"ip6gw_src_no_bandwidth": 1})]))
    c.append(("ip6gw_in_without_bandwidth", [step(
        "outside", from_inet() / IPv6(src=REMOTE, dst=A2) / ICMPv6EchoRequest(id=4), [],
        {"ip6gw_dst_no_bandwidth": 1})]))
    c.append(("ip6gw_in_to_unallocated_address_of_the_vpc", [step(
        "outside", from_inet() / IPv6(src=REMOTE, dst="2400:a:0:5::1") / UDP(sport=1, dport=2) / payload, [],
        {"ip6gw_dst_no_bandwidth": 1})]))
    # The gateway's own VSwitch address is no Internet destination either.
    c.append(("ip6gw_in_to_vswitch_gateway_address", [step(
        "outside", from_inet() / IPv6(src=REMOTE, dst=GWA) / ICMPv6EchoRequest(id=5), [],
        {"ip6gw_dst_no_bandwidth": 1})]))
    # Hop limit expiring at the gateway: the error comes from its Internet side.
    h1 = IPv6(src=REMOTE, dst=A1, hlim=1) / UDP(sport=7, dport=33434) / payload
    c.append(("ip6gw_in_hop_limit_expired", [step(
        "outside", from_inet() / h1,
        [("outside", out_frame() / IPv6(src=GW_PUB_6, dst=REMOTE, hlim=64) / ICMPv6TimeExceeded(code=0) / quote6(h1))],
        {"ttl_exceeded": 1}, ignore=["IPv6.tc", "IPv6.fl"])]))
    # Too big for the other side (vpc-b's MTU is 1300; the outside's 1500):
    # packet too big from the gateway's address on the sender's side.
    big_in = IPv6(src=REMOTE, dst=B1, hlim=50) / UDP(sport=7, dport=9) / Raw(b"b" * 1300)
    c.append(("ip6gw_in_packet_too_big", [step(
        "outside", from_inet() / big_in,
        [("outside", out_frame() / IPv6(src=GW_PUB_6, dst=REMOTE, hlim=64) / ICMPv6PacketTooBig(mtu=1300) /
          quote6(big_in))],
        {"too_big": 1}, ignore=["IPv6.tc", "IPv6.fl"])]))
    big_out = IPv6(src=A1, dst=REMOTE, hlim=64) / UDP(sport=7, dport=9) / Raw(b"o" * 1500)
    c.append(("ip6gw_out_packet_too_big", [step(
        "inside", vin(MAC[A1]) / big_out,
        [("inside", vout(MAC[A1]) / IPv6(src=GW_PUB_6, dst=A1, hlim=64) / ICMPv6PacketTooBig(mtu=1500) /
          quote6(big_out))],
        {"too_big": 1}, ignore=["IPv6.tc", "IPv6.fl"])]))
    # One VPC reaches another through the Internet side, gated at both ends.
    ab = IPv6(src=A1, dst=B1, hlim=64) / UDP(sport=40002, dport=53) / payload
    c.append(("ip6gw_vpc_to_vpc_through_the_internet_side", [step(
        "inside", vin(MAC[A1]) / ab, [("inside", vout(MAC[B1], 200) / fwd(ab))])]))
    c.append(("ip6gw_vpc_to_vpc_without_bandwidth", [step(
        "inside", vin(MAC[B1], vlan=200) / IPv6(src=B1, dst=A2) / UDP(sport=1, dport=2) / payload, [],
        {"ip6gw_dst_no_bandwidth": 1})]))

    # --- Egress-only: i-eo starts flows, their replies come back.
    u_out = IPv6(src=EO, dst=REMOTE, hlim=64) / UDP(sport=5000, dport=53) / payload
    u_in = IPv6(src=REMOTE, dst=EO, hlim=50) / UDP(sport=53, dport=5000) / payload
    c.append(("ip6gw_eo_udp_out", [step("inside", vin(MAC[EO]) / u_out, [("outside", out_frame() / fwd(u_out))])]))
    c.append(("ip6gw_eo_udp_reply", [step("outside", from_inet() / u_in, [("inside", vout(MAC[EO]) / fwd(u_in))])]))
    c.append(("ip6gw_eo_udp_unsolicited_port", [step(
        "outside", from_inet() / IPv6(src=REMOTE, dst=EO) / UDP(sport=53, dport=5001) / payload, [],
        {"ip6gw_egress_only": 1})]))
    c.append(("ip6gw_eo_udp_unsolicited_host", [step(
        "outside", from_inet() / IPv6(src="2001:db8:78::9", dst=EO) / UDP(sport=53, dport=5000) / payload, [],
        {"ip6gw_egress_only": 1})]))
    t_out = IPv6(src=EO, dst=REMOTE, hlim=64) / TCP(sport=6000, dport=443, flags="S", seq=1)
    t_in = IPv6(src=REMOTE, dst=EO, hlim=50) / TCP(sport=443, dport=6000, flags="SA", seq=9, ack=2)
    c.append(("ip6gw_eo_tcp_syn_out", [step("inside", vin(MAC[EO]) / t_out, [("outside", out_frame() / fwd(t_out))])]))
    c.append(("ip6gw_eo_tcp_synack_in", [step("outside", from_inet() / t_in, [("inside", vout(MAC[EO]) / fwd(t_in))])]))
    c.append(("ip6gw_eo_tcp_unsolicited_syn", [step(
        "outside", from_inet() / IPv6(src=REMOTE, dst=EO) / TCP(sport=5555, dport=22, flags="S"), [],
        {"ip6gw_egress_only": 1})]))
    e_out = IPv6(src=EO, dst=REMOTE, hlim=64) / ICMPv6EchoRequest(id=77, seq=1, data=b"eo")
    e_in = IPv6(src=REMOTE, dst=EO, hlim=50) / ICMPv6EchoReply(id=77, seq=1, data=b"eo")
    c.append(("ip6gw_eo_ping6_out", [step("inside", vin(MAC[EO]) / e_out, [("outside", out_frame() / fwd(e_out))])]))
    c.append(("ip6gw_eo_ping6_reply", [step("outside", from_inet() / e_in, [("inside", vout(MAC[EO]) / fwd(e_in))])]))
    c.append(("ip6gw_eo_ping6_from_the_internet", [step(
        "outside", from_inet() / IPv6(src=REMOTE, dst=EO) / ICMPv6EchoRequest(id=77, seq=2), [],
        {"ip6gw_egress_only": 1})]))
    # An error about the UDP flow (path MTU) reaches the sender; one about
    # a flow it never started does not.
    ptb = IPv6(src="2001:db8:77::1", dst=EO, hlim=60) / ICMPv6PacketTooBig(mtu=1280) / bytes(fwd(u_out))
    c.append(("ip6gw_eo_error_about_a_flow", [step("outside", from_inet() / ptb, [("inside", vout(MAC[EO]) / fwd(ptb))])]))
    # The same with extension headers before the quoted UDP header: the
    # quoted packet's chain is walked to find its flow.
    u_ext = u_out.copy()
    u_ext.hlim -= 1
    u_ext = IPv6(bytes(IPv6(src=EO, dst=REMOTE, hlim=u_ext.hlim) / IPv6ExtHdrHopByHop() /
                       IPv6ExtHdrDestOpt() / u_ext[IPv6].payload))
    ptb_ext = IPv6(src="2001:db8:77::1", dst=EO, hlim=60) / ICMPv6PacketTooBig(mtu=1280) / bytes(u_ext)
    c.append(("ip6gw_eo_error_about_a_flow_behind_ext_headers", [step(
        "outside", from_inet() / ptb_ext, [("inside", vout(MAC[EO]) / fwd(ptb_ext))])]))
    other = IPv6(src=EO, dst=REMOTE, hlim=63) / UDP(sport=5999, dport=53) / payload
    c.append(("ip6gw_eo_error_about_no_flow", [step(
        "outside", from_inet() / IPv6(src="2001:db8:77::1", dst=EO) / ICMPv6PacketTooBig(mtu=1280) / bytes(other),
        [], {"ip6gw_egress_only": 1})]))
    # The gateway's own error about a packet of i-eo (too big for the
    # outside's MTU) reaches it, even for a protocol without flow state (GRE).
    big_eo = IPv6(src=EO, dst=REMOTE, hlim=64, nh=47) / Raw(b"e" * 1500)
    c.append(("ip6gw_eo_gateway_error_reaches_it", [step(
        "inside", vin(MAC[EO]) / big_eo,
        [("inside", vout(MAC[EO]) / IPv6(src=GW_PUB_6, dst=EO, hlim=64) / ICMPv6PacketTooBig(mtu=1500) /
          quote6(big_eo))],
        {"too_big": 1}, ignore=["IPv6.tc", "IPv6.fl"])]))
    # Idle past the UDP timeout (300 s): the reply is dropped; the next
    # datagram out starts the flow again.
    c.append(("ip6gw_eo_udp_expired", [
        dict(advance_s=301),  # neighbour refreshes follow: not checked
        step("outside", from_inet() / u_in, [], {"ip6gw_egress_only": 1})]))
    c.append(("ip6gw_eo_tcp_expired", [step(
        "outside", from_inet() / t_in, [], {"ip6gw_egress_only": 1})]))
    c.append(("ip6gw_eo_udp_again", [
        step("inside", vin(MAC[EO]) / u_out, [("outside", out_frame() / fwd(u_out))]),
        step("outside", from_inet() / u_in, [("inside", vout(MAC[EO]) / fwd(u_in))])]))

    # --- Ingress route rules: the longest rule wins, the destination stays.
    w1 = IPv6(src=REMOTE, dst=WEB, hlim=50) / TCP(sport=443, dport=80, flags="S") / payload
    c.append(("ip6gw_rule_longest_wins", [step("outside", from_inet() / w1, [("inside", vout(MAC[FW2]) / fwd(w1))])]))
    w2 = IPv6(src=REMOTE, dst=A42, hlim=50) / UDP(sport=9, dport=9) / payload
    c.append(("ip6gw_rule_to_firewall", [step("outside", from_inet() / w2, [("inside", vout(MAC[FW]) / fwd(w2))])]))
    c.append(("ip6gw_rule_outside_prefix_goes_direct", [step(
        "outside", from_inet() / i1, [("inside", vout(MAC[A1]) / fwd(i1))])]))
    # Gating comes first: a rule does not open an address without bandwidth.
    c.append(("ip6gw_rule_needs_bandwidth", [step(
        "outside", from_inet() / IPv6(src=REMOTE, dst="2400:a::43") / UDP(sport=9, dport=9) / payload, [],
        {"ip6gw_dst_no_bandwidth": 1})]))

    # --- Deleting the bandwidth takes effect with the next generation.
    c.append(("ip6gw_bandwidth_deleted", [
        dict(config=config_a1_bandwidth(None), expect=[], drops={}),
        step("outside", from_inet() / i1, [], {"ip6gw_dst_no_bandwidth": 1}),
        step("inside", vin(MAC[A1]) / o1, [], {"ip6gw_src_no_bandwidth": 1})]))
    c.append(("ip6gw_bandwidth_restored", [
        dict(config=CONFIG, expect=[], drops={}),
        step("outside", from_inet() / i1, [("inside", vout(MAC[A1]) / fwd(i1))]),
        step("inside", vin(MAC[A1]) / o1, [("outside", out_frame() / fwd(o1))])]))

    # --- police6: the bandwidth's Mbps is enforced (docs/policer.md, "IPv6").
    # i-a1's bandwidth modified to 1 Mbps: its policers keep their buckets,
    # cut to 25,000 bytes (200 ms of 1 Mbps; full here); frames are metered
    # as 1,000 bytes (the IPv6 packet + 14), so 25 pass each way.
    def big(src, dst, sport):
        pkt = IPv6(src=src, dst=dst, hlim=64 if src != REMOTE else 50) / UDP(sport=sport, dport=9) / Raw(b"q" * 938)
        assert len(pkt) == 986
        return pkt

    po, pi, pab = big(A1, REMOTE, 41000), big(REMOTE, A1, 9), big(B1, A1, 41001)

    def out6(count, passed, dropped=0, **kw):
        return step("inside", vin(MAC[A1]) / po, [("outside", out_frame() / fwd(po))] * passed,
                    {"policed_out": dropped} if dropped else {}, count=count, **kw)

    def in6(count, passed, dropped=0, **kw):
        return step("outside", from_inet() / pi, [("inside", vout(MAC[A1]) / fwd(pi))] * passed,
                    {"policed_in": dropped} if dropped else {}, count=count, **kw)

    c.append(("police6_modified_to_1mbps_out", [
        dict(config=config_a1_bandwidth(1), expect=[], drops={}),
        out6(26, 25, 1)]))
    c.append(("police6_refill_after_10ms", [out6(2, 1, 1, wait_us=10000)]))
    c.append(("police6_inbound_own_bucket", [in6(26, 25, 1)]))
    # vpc-b to i-a1 through the Internet side: i-b1's outbound policer
    # (10 Mbps) passes it, i-a1's empty inbound one drops it.
    c.append(("police6_vpc_to_vpc_policed_at_the_destination", [step(
        "inside", vin(MAC[B1], vlan=200) / pab, [], {"policed_in": 1})]))
    # Back to 10 Mbps: at once, the bucket kept (still empty: dropped),
    # then 1 ms earns 1,250 bytes at the new rate (125 at the old).
    c.append(("police6_modified_back_keeps_bucket", [
        dict(config=CONFIG, expect=[], drops={}),
        in6(1, 0, 1),
        in6(1, 1, 0, wait_us=1000)]))
    return c + havip_cases()
