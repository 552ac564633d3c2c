# SPDX-License-Identifier: BSD-3-Clause
"""Packet vectors for ECMP next-hop groups (issue 8, docs/architecture.md
"ECMP groups") over configs/demo.json.

A config step publishes demo.json with route-source groups, as sluiced does
for kernel multipath routes: 198.18.0.0/15 via {203.0.113.1, 203.0.113.3}
(equal weights) and 198.20.0.0/16 via {203.0.113.1 weight 1, 203.0.113.3
weight 3}. The member each flow takes is predicted here from the hash sluice-dp
documents (sl_flow_hash, sl_nhg_bucket in dataplane/sl_pipeline.h and
sl_shm.h) and the bucket fill sluiced documents (control/sl_nhgroup.h), so
the vectors check the data plane against the written rules: the members are
resolved by ARP, flows go to their member, a fragmented datagram's
fragments go together, and when 203.0.113.1 leaves the group only its
flows move. Cases share neighbour state and run in order.
"""
import os

from scapy.all import ARP, IP, UDP, Ether, Raw

from vectors import BCAST, GW_OUT, GW_PUB

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = os.path.join(HERE, "..", "..", "configs", "demo.json")
UP1, UP3 = "203.0.113.1", "203.0.113.3"
MAC = {UP1: "02:ee:00:00:00:01", UP3: "02:ee:00:00:00:03"}
REMOTE_MAC = "02:ee:00:00:00:99"  # the Internet-side sender (any outside MAC)
SRC = "192.0.2.7"
ZERO = "00:00:00:00:00:00"
M32 = 0xffffffff
payload = Raw(b"sluice-ecmp-test" * 2)

GROUPS = [{"prefix": "198.18.0.0/15", "vias": [UP1, UP3], "weights": [1, 1]},
          {"prefix": "198.20.0.0/16", "vias": [UP1, UP3], "weights": [1, 3]}]


def mix(h, v):
    h = ((h ^ v) * 0x85ebca6b) & M32
    return h ^ (h >> 15)


def le32(b):
    return int.from_bytes(b, "little")  # a 4-byte load on x86


def flow_hash(src, dst, sport=None, dport=None, proto=17):
    """sl_flow_hash() for IPv4 without an RSS hash: protocol, addresses and,
    unless sport is None (a fragment), the ports."""
    h = proto if sport is not None else 0
    h = mix(h, le32(bytes(IP(src=src))[12:16]))
    h = mix(h, le32(bytes(IP(dst=dst))[16:20]))
    if sport is not None:
        h = mix(h, le32(sport.to_bytes(2, "big") + dport.to_bytes(2, "big")))
    return h


def bucket(h):
    return ((h * 0x9e3779b1) & M32) >> 26


def buckets(weights):
    """sl_nhg_build() of a fresh group: quotas by largest remainder, then the
    64 buckets dealt in turn to the member with the largest deficit (ties:
    the lower next-hop index; UP1's is the lower, acquired first)."""
    total = sum(weights)
    q = [64 * w // total for w in weights]
    rem = [64 * w % total for w in weights]
    while sum(q) < 64:
        i = max(range(len(q)), key=lambda k: (rem[k], -k))
        q[i] += 1
        rem[i] = 0
    have, slots = [0] * len(q), []
    for _ in range(64):
        i = max(range(len(q)), key=lambda k: (q[k] - have[k], -k))
        have[i] += 1
        slots.append(i)
    return slots


def member(dst, sport, weights=(1, 1), members=(UP1, UP3)):
    return members[buckets(list(weights))[bucket(flow_hash(SRC, dst, sport, 53))]]


def step(send, expect=(), drops=None, **kw):
    d = dict(port="outside", send=send, expect=list(expect), drops=drops if drops is not None else {})
    d.update(kw)
    return d


def udp(dst, sport, frag=0, flags=0, data=payload):
    return IP(src=SRC, dst=dst, ttl=50, id=4242, flags=flags, frag=frag) / UDP(sport=sport, dport=53) / data


def sent(pkt):
    return Ether(src=REMOTE_MAC, dst=GW_OUT) / pkt


def fwd(up, pkt):
    out = pkt.copy()
    out.ttl -= 1
    return ("outside", Ether(src=GW_OUT, dst=MAC[up]) / out)


def first_sport(up, dst, weights=(1, 1)):
    return next(p for p in range(1000, 5000) if member(dst, p, weights) == up)


def cases():
    c = [("ecmp_groups_published", [dict(config=CONFIG, inet_groups=GROUPS, expect=[], drops={})])]

    # Each member is resolved the first time a flow goes to it; the packet
    # waits in NEIGH and leaves with the answer.
    for up in (UP1, UP3):
        p = udp("198.18.0.1", first_sport(up, "198.18.0.1"))
        request = Ether(src=GW_OUT, dst=BCAST) / ARP(op=1, hwsrc=GW_OUT, psrc=GW_PUB, hwdst=ZERO, pdst=up)
        reply = Ether(src=MAC[up], dst=GW_OUT) / ARP(op=2, hwsrc=MAC[up], psrc=up, hwdst=GW_OUT, pdst=GW_PUB)
        c.append((f"ecmp_member_{up}_resolved", [
            step(sent(p), [("outside", request)]),
            step(reply, [fwd(up, p)])]))

    # 48 flows, each to the member its hash picks; both members are used.
    flows = [(f"198.18.{i % 7}.{1 + i}", 2000 + 13 * i) for i in range(48)]
    ups = {member(d, s) for d, s in flows}
    assert ups == {UP1, UP3}, "the flows of the test all hash to one member"
    c.append(("ecmp_flows_follow_their_hash", [step(sent(udp(d, s)), [fwd(member(d, s), udp(d, s))])
                                               for d, s in flows]))
    # The same flow again keeps its member.
    d, s = flows[5]
    c.append(("ecmp_flow_keeps_its_member", [step(sent(udp(d, s)), [fwd(member(d, s), udp(d, s))])
                                             for _ in range(4)]))
    # Weights 1:3: a quarter of the buckets to UP1.
    wflows = [(f"198.20.{i}.9", 3000 + 7 * i) for i in range(40)]
    c.append(("ecmp_weighted_group", [step(sent(udp(d, s)), [fwd(member(d, s, (1, 3)), udp(d, s))])
                                      for d, s in wflows]))
    assert buckets([1, 3]).count(0) == 16

    # A fragmented datagram: the first fragment has ports but is hashed
    # like the rest, by addresses; all fragments go to that member.
    dst = "198.18.9.9"
    big = udp(dst, 7777, data=Raw(b"x" * 64))
    raw = bytes(big[UDP])
    f1 = IP(src=SRC, dst=dst, ttl=50, id=77, flags="MF", frag=0, proto=17) / Raw(raw[:40])
    f2 = IP(src=SRC, dst=dst, ttl=50, id=77, frag=5, proto=17) / Raw(raw[40:])
    up = (UP1, UP3)[buckets([1, 1])[bucket(flow_hash(SRC, dst))]]
    c.append(("ecmp_fragments_go_together", [
        # (a first fragment's UDP checksum covers the whole datagram)
        step(sent(f1), [fwd(up, f1)], l4_checksum_free=True),
        step(sent(f2), [fwd(up, f2)])]))

    # UP1 leaves (its BFD session failed: the kernel route has UP3 alone):
    # every flow goes to UP3, and UP3's flows stay where they were.
    c.append(("ecmp_member_leaves", [dict(config=CONFIG, expect=[], drops={}, inet_groups=[
        {"prefix": "198.18.0.0/15", "vias": [UP3], "weights": [1]}])] +
        [step(sent(udp(d, s)), [fwd(UP3, udp(d, s))]) for d, s in flows[:16]]))
    # and comes back: the flows return to the members their hash picks
    c.append(("ecmp_member_returns", [dict(config=CONFIG, inet_groups=GROUPS, expect=[], drops={})] +
              [step(sent(udp(d, s)), [fwd(member(d, s), udp(d, s))]) for d, s in flows[:16]]))
    return c
