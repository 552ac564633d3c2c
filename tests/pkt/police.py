# SPDX-License-Identifier: BSD-3-Clause
"""Packet vectors for bandwidth policing on the wire (tests/pkt/police.json).

Every frame here is metered as 1,000 bytes (police4 counts the IP packet plus
a 14-byte Ethernet header, whatever VLAN tag it had inside). The runner's
virtual clock moves 100 us per step, plus a step's wait_us; a step's `count`
sends its frame that many times at once. Buckets (docs/policer.md: 200 ms of
the rate): 1 Mbps fills at 125 bytes/ms up to 25,000 bytes; 2 Mbps at 250
bytes/ms up to 50,000.

- eip-1 (198.51.100.1, 1 Mbps, its own policer per direction): a full bucket
  passes 25 frames, the 26th is dropped policed_out; 10 ms later one more
  passes (1,275 bytes of tokens); the inbound policer is separate and full.
- cbwp-a (2 Mbps) with eip-3 (no cap: the package alone) and eip-2 (capped
  at 1 Mbps: two levels). eip-3 alone empties the package (50 frames); then
  eip-2, whose own bucket is full, is dropped by the package; once the
  package is full again eip-2 is held to its own 25 frames while the package
  has 25,000 bytes left. Last, with eip-2's own bucket at 1,550 bytes, eip-3
  empties the package again, the package drops eip-2's next frame and gives
  its own tokens back (refund): 16 ms later eip-2 passes 3 frames (3,575
  bytes of own tokens; without the refund 2), and the package holds what
  is left for eip-3 (1 frame of 2).

Cases share the policers' state and run in order, as in vectors.py.
"""
from scapy.all import ARP, IP, UDP, Ether, Raw

from nat import from_inet, out_frame, step, translated, vin, vout
from vectors import BCAST, GW_IN, GW_OUT, INET_MAC

MACS = {"a1": "02:aa:00:00:01:10", "a2": "02:aa:00:00:01:20", "a3": "02:aa:00:00:01:30"}
ADDRS = {"a1": "192.168.1.10", "a2": "192.168.1.20", "a3": "192.168.1.30"}
EIPS = {"a1": "198.51.100.1", "a2": "198.51.100.2", "a3": "198.51.100.3"}
GW1, INET, GW_PUB, REMOTE = "192.168.1.253", "203.0.113.1", "203.0.113.2", "192.0.2.50"
IP_LEN = 986  # + 14 = 1,000 bytes metered
payload = Raw(b"p" * (IP_LEN - 28))


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
    c.append(("police_eip_burst_conforms", [outbound("a1", 25, 25)]))
    c.append(("police_eip_over_rate_dropped", [outbound("a1", 1, 0, 1)]))
    c.append(("police_eip_refill_after_10ms", [outbound("a1", 2, 1, 1, wait_us=10000)]))
    c.append(("police_eip_inbound_own_bucket", [inbound("a1", 25, 25), inbound("a1", 1, 0, 1)]))

    # --- two levels: cbwp-a at 2 Mbps, eip-2 capped at 1 Mbps inside it
    c.append(("police_pkg_uncapped_member_held_by_package", [outbound("a3", 51, 50, 1)]))
    c.append(("police_pkg_drops_member_with_full_own_bucket", [outbound("a2", 1, 0, 1)]))
    c.append(("police_pkg_member_held_by_own_cap", [outbound("a2", 26, 25, 1, wait_us=200000)]))
    c.append(("police_pkg_refund_member_tokens", [
        outbound("a3", 29, 28, 1, wait_us=12300),  # package: 28,100 -> 100; eip-2 own: 1,550
        outbound("a2", 1, 0, 1),                   # own passes, the package drops: refund
        outbound("a2", 4, 3, 1, wait_us=16000),    # own 3,575 (2,575 without the refund)
        outbound("a3", 2, 1, 1)]))                 # the package was charged for those 3
    return c
