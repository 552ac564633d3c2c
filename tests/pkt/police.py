# SPDX-License-Identifier: BSD-3-Clause
"""Packet vectors for bandwidth policing on the wire (tests/pkt/police.json).

Every frame here is metered as 1,000 bytes (police4 counts the IP packet plus
a 14-byte Ethernet header, whatever VLAN tag it had inside). The runner's
virtual clock moves 100 us per step, plus a step's wait_us; a step's `count`
sends its frame that many times at once. Buckets (docs/policer.md): 1 Mbps is
125 bytes/ms with a 15,180-byte bucket; 20 Mbps 2,500 bytes/ms, 25,000 bytes.

- eip-1 (198.51.100.1, 1 Mbps, its own policer per direction): a full bucket
  passes 15 frames, the 16th is dropped policed_out; 10 ms later one more
  passes (1,455 bytes of tokens); the inbound policer is separate and full.
- cbwp-a (20 Mbps) with eip-3 (no cap: the package alone) and eip-2 (capped at
  1 Mbps: two levels). eip-3 empties the package; then eip-2, whose own
  bucket is full, is dropped by the package (and gets its own tokens back);
  once the package has tokens again eip-2 is held to its own 1 Mbps: after
  5 + 0 + 11 frames its own bucket is empty. Without the refund it would
  pass only 10 in the last step.

Cases share the policers' state and run in order, as in vectors.py.
"""
from scapy.all import ARP, IP, UDP, Dot1Q, Ether, Raw

from vectors import BCAST, GW_IN, GW_OUT, INET_MAC

MACS = {"a1": "02:aa:00:00:01:10", "a2": "02:aa:00:00:01:20", "a3": "02:aa:00:00:01:30"}
ADDRS = {"a1": "192.168.1.10", "a2": "192.168.1.20", "a3": "192.168.1.30"}
EIPS = {"a1": "198.51.100.1", "a2": "198.51.100.2", "a3": "198.51.100.3"}
GW1, INET, GW_PUB, REMOTE = "192.168.1.253", "203.0.113.1", "203.0.113.2", "192.0.2.50"
IP_LEN = 986  # + 14 = 1,000 bytes metered
payload = Raw(b"p" * (IP_LEN - 28))


def vin(src, dst=GW_IN):
    return Ether(src=src, dst=dst) / Dot1Q(vlan=100)


def vout(dst):
    return Ether(src=GW_IN, dst=dst) / Dot1Q(vlan=100)


def out_frame():
    return Ether(src=GW_OUT, dst=INET_MAC)


def from_inet():
    return Ether(src=INET_MAC, dst=GW_OUT)


def step(port, send, expect=(), drops=None, **kw):
    d = dict(port=port, send=send, expect=list(expect), drops=drops or {})
    d.update(kw)
    return d


def translated(pkt, **fields):
    p = pkt.copy()
    p.ttl -= 1
    for k, v in fields.items():
        setattr(p, k, v)
    return p


def outbound(who, count, passed, dropped=0, wait_us=0):
    """`count` frames from `who` to the Internet: `passed` come out with the
    EIP as source, the others are dropped policed_out."""
    pkt = IP(src=ADDRS[who], dst=REMOTE, ttl=64, id=1) / UDP(sport=4000, dport=9) / payload
    assert len(pkt) == IP_LEN
    return step("inside", vin(MACS[who]) / pkt,
                [("outside", out_frame() / translated(pkt, src=EIPS[who]))] * passed,
                {"policed_out": dropped} if dropped else {}, count=count, wait_us=wait_us)


def inbound(who, count, passed, dropped=0):
    pkt = IP(src=REMOTE, dst=EIPS[who], ttl=50, id=2) / UDP(sport=9, dport=4000) / payload
    return step("outside", from_inet() / pkt,
                [("inside", vout(MACS[who]) / translated(pkt, dst=ADDRS[who]))] * passed,
                {"policed_in": dropped} if dropped else {}, count=count)


def cases():
    c = []
    # Neighbours introduce themselves, then confirm with a reply (REACHABLE
    # for 30 s: the waits below must not make the gateway re-probe them).
    for name in ("a1", "a2", "a3"):
        mac, ip = MACS[name], ADDRS[name]
        c.append((f"police_arp_{name}", [step(
            "inside", vin(mac, BCAST) / ARP(op=1, hwsrc=mac, psrc=ip, hwdst="00:00:00:00:00:00", pdst=GW1),
            [("inside", vout(mac) / ARP(op=2, hwsrc=GW_IN, psrc=GW1, hwdst=mac, pdst=ip))]), step(
            "inside", vin(mac) / ARP(op=2, hwsrc=mac, psrc=ip, hwdst=GW_IN, pdst=GW1))]))
    c.append(("police_arp_inet", [step(
        "outside", Ether(src=INET_MAC, dst=BCAST) / ARP(op=1, hwsrc=INET_MAC, psrc=INET, pdst=GW_PUB),
        [("outside", out_frame() / ARP(op=2, hwsrc=GW_OUT, psrc=GW_PUB, hwdst=INET_MAC, pdst=INET))]), step(
        "outside", from_inet() / ARP(op=2, hwsrc=INET_MAC, psrc=INET, hwdst=GW_OUT, pdst=GW_PUB))]))

    # --- one level: eip-1 at 1 Mbps
    c.append(("police_eip_burst_conforms", [outbound("a1", 15, 15)]))
    c.append(("police_eip_over_rate_dropped", [outbound("a1", 1, 0, 1)]))
    c.append(("police_eip_refill_after_10ms", [outbound("a1", 2, 1, 1, wait_us=10000)]))
    c.append(("police_eip_inbound_own_bucket", [inbound("a1", 15, 15), inbound("a1", 1, 0, 1)]))

    # --- two levels: cbwp-a at 20 Mbps, eip-2 capped at 1 Mbps inside it
    c.append(("police_pkg_member_drains_package", [outbound("a3", 25, 25), outbound("a3", 1, 0, 1)]))
    c.append(("police_pkg_drops_capped_member", [outbound("a2", 1, 0, 1)]))
    c.append(("police_pkg_refill_member_passes", [outbound("a2", 5, 5, wait_us=1900),
                                                  outbound("a2", 1, 0, 1)]))
    c.append(("police_pkg_member_own_cap_and_refund", [outbound("a2", 12, 11, 1, wait_us=10000)]))
    # the package's other member was never limited by eip-2's cap
    c.append(("police_pkg_uncapped_member_after", [outbound("a3", 12, 12)]))
    return c
