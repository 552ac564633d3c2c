# SPDX-License-Identifier: BSD-3-Clause
"""Packet vectors for the HaVip data path (tests/pkt/havip.json, docs/havip.md).

HaVip hv-1 (192.168.1.100) lists i-a1 and i-a2; i-a3 is in the same VSwitch but
not associated. Route 10.50.0.0/16 goes to hv-1 and EIP 198.51.100.1 is bound
to it; the client i-c1 sits in the other VSwitch. The holder is learned from
the ARP it sends for the HaVip address: a reply to the gateway's request, then
gratuitous ARPs; the route and the EIP follow the holder with the next packet.
A claim from a MAC that is no associated instance's is dropped
`havip_not_associated` and changes nothing. hv-2 (192.168.1.101) lists i-a1
and i-a4, which never talked to the gateway: its claim waits while the
gateway asks for i-a4, and is accepted when i-a4 answers with the same MAC.
Cases share neighbour state and run in order.
"""
from scapy.all import ARP, IP, UDP, Dot1Q, Ether, Raw

from vectors import BCAST, GW_IN, GW_OUT, INET_MAC

MACS = {"a1": "02:aa:00:00:01:10", "a2": "02:aa:00:00:01:20", "a3": "02:aa:00:00:01:30",
        "a4": "02:aa:00:00:01:40", "c1": "02:aa:00:00:02:10"}
ADDR = {"a1": "192.168.1.10", "a2": "192.168.1.20", "a3": "192.168.1.30", "a4": "192.168.1.40",
        "c1": "192.168.2.10"}
GW1, GW2 = "192.168.1.253", "192.168.2.253"
HAVIP, HAVIP2, EIP1, REMOTE = "192.168.1.100", "192.168.1.101", "198.51.100.1", "192.0.2.50"
STRANGER = "02:bb:00:00:00:99"
payload = Raw(b"sluice-havip-test" * 3)
ZERO = "00:00:00:00:00:00"


def vin(src, dst=GW_IN):
    return Ether(src=src, dst=dst) / Dot1Q(vlan=100)


def vout(dst):
    return Ether(src=GW_IN, dst=dst) / Dot1Q(vlan=100)


def step(port, send, expect=(), drops=None, **kw):
    d = dict(port=port, send=send, expect=list(expect), drops=drops if drops is not None else {})
    d.update(kw)
    return d


def garp(mac, ip):
    """A gratuitous ARP (request form, as keepalived sends it)."""
    return vin(mac, BCAST) / ARP(op=1, hwsrc=mac, psrc=ip, hwdst=ZERO, pdst=ip)


def gw_request(pdst, psrc=GW1):
    return vout(BCAST) / ARP(op=1, hwsrc=GW_IN, psrc=psrc, hwdst=ZERO, pdst=pdst)


def to_route(dst, n):
    """From i-c1 to `dst` (a route via a HaVip), as sent and as forwarded."""
    pkt = IP(src=ADDR["c1"], dst=dst, ttl=64, id=100 + n) / UDP(sport=4000 + n, dport=53) / payload
    fwd = pkt.copy()
    fwd.ttl -= 1
    return vin(MACS["c1"]) / pkt, fwd


def eip_in(n):
    """From the Internet to the HaVip's EIP, as sent and as delivered (destination
    translated to the HaVip address)."""
    pkt = IP(src=REMOTE, dst=EIP1, ttl=50, id=200 + n) / UDP(sport=53, dport=5000 + n) / payload
    out = pkt.copy()
    out.ttl -= 1
    out.dst = HAVIP
    return Ether(src=INET_MAC, dst=GW_OUT) / pkt, out


def follows(name, mac, n):
    """The route via hv-1 and its EIP lead to `mac`."""
    send, fwd = to_route("10.50.1.1", n)
    esend, eout = eip_in(n)
    return [(f"havip_route_follows_{name}", [step("inside", send, [("inside", vout(mac) / fwd)])]),
            (f"havip_eip_follows_{name}", [step("outside", esend, [("inside", vout(mac) / eout)])])]


def cases():
    c = []
    # The instances introduce themselves (their own addresses: how the
    # gateway knows which MAC each associated instance has). i-a4 does not.
    for name in ("a1", "a2", "a3", "c1"):
        mac, ip = MACS[name], ADDR[name]
        gw = GW2 if name == "c1" else GW1
        c.append((f"havip_arp_{name}", [step(
            "inside", vin(mac, BCAST) / ARP(op=1, hwsrc=mac, psrc=ip, hwdst=ZERO, pdst=gw),
            [("inside", vout(mac) / ARP(op=2, hwsrc=GW_IN, psrc=gw, hwdst=mac, pdst=ip))])]))

    # Nobody announced hv-1 yet: traffic via the route makes the gateway ask
    # for the HaVip; i-a1's reply is a claim (accepted: i-a1's MAC) and
    # releases the waiting packet to it.
    send, fwd = to_route("10.50.1.1", 0)
    c.append(("havip_resolve_asks_for_havip", [step("inside", send, [("inside", gw_request(HAVIP))])]))
    c.append(("havip_reply_from_a1_accepted", [step(
        "inside", vin(MACS["a1"]) / ARP(op=2, hwsrc=MACS["a1"], psrc=HAVIP, hwdst=GW_IN, pdst=GW1),
        [("inside", vout(MACS["a1"]) / fwd)])]))
    c += follows("a1", MACS["a1"], 1)

    # keepalived on i-a2 becomes master: its gratuitous ARP moves everything.
    c.append(("havip_garp_from_a2_accepted", [step("inside", garp(MACS["a2"], HAVIP))]))
    c += follows("a2", MACS["a2"], 2)

    # Claims from a non-associated instance and from an unknown MAC (every
    # associated instance's MAC is known): dropped, counted, no effect.
    c.append(("havip_garp_not_associated", [step(
        "inside", garp(MACS["a3"], HAVIP), drops={"havip_not_associated": 1})]))
    c.append(("havip_garp_unknown_mac", [step(
        "inside", garp(STRANGER, HAVIP), drops={"havip_not_associated": 1})]))
    c.append(("havip_reply_not_associated", [step(
        "inside", vin(MACS["a3"]) / ARP(op=2, hwsrc=MACS["a3"], psrc=HAVIP, hwdst=GW_IN, pdst=GW1),
        drops={"havip_not_associated": 1})]))
    c += follows("a2_still", MACS["a2"], 3)

    # Back to i-a1.
    c.append(("havip_garp_from_a1_accepted", [step("inside", garp(MACS["a1"], HAVIP))]))
    c += follows("a1_again", MACS["a1"], 4)

    # hv-2: i-a4 claims it before the gateway knows i-a4's MAC. The claim
    # waits and the gateway asks for i-a4; i-a4's answer (same MAC) makes it
    # the holder: the route via hv-2 leads to it without any further ARP.
    c.append(("havip_claim_waits_for_instance", [step(
        "inside", garp(MACS["a4"], HAVIP2), [("inside", gw_request(ADDR["a4"]))])]))
    c.append(("havip_claim_confirmed_by_instance", [step(
        "inside", vin(MACS["a4"]) / ARP(op=2, hwsrc=MACS["a4"], psrc=ADDR["a4"], hwdst=GW_IN, pdst=GW1))]))
    send, fwd = to_route("10.51.1.1", 5)
    c.append(("havip_route_follows_confirmed_a4", [step("inside", send, [("inside", vout(MACS["a4"]) / fwd)])]))
    return c
