#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""make_netlink_seeds.py DIR: seed inputs for fuzz_netlink (rtnetlink
route messages as the kernel sends them; the first byte is the target's
flags byte). Written from linux/rtnetlink.h by hand, no pyroute2."""
import ipaddress
import os
import socket
import struct
import sys

RTM_NEWROUTE, RTM_DELROUTE = 24, 25
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_MULTIPATH, RTA_TABLE, RTA_VIA = 1, 4, 5, 6, 9, 15, 18
RTN_UNICAST, RTN_BLACKHOLE = 1, 6
TABLE = 100


def rta(kind, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, kind) + payload + b"\0" * ((4 - n % 4) % 4)


def addr(a):
    return ipaddress.ip_address(a).packed


def route(msg, dst, plen, gw=None, table=TABLE, rtype=RTN_UNICAST, metric=None, extra=b"", tos=0):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    body = struct.pack("=BBBBBBBBI", fam, plen, 0, tos, table if table < 256 else 252, 4, 0, rtype, 0)
    attrs = rta(RTA_TABLE, struct.pack("=I", table)) + rta(RTA_DST, addr(dst))
    if gw:
        attrs += rta(RTA_GATEWAY, addr(gw)) + rta(RTA_OIF, struct.pack("=i", 2))
    if metric is not None:
        attrs += rta(RTA_PRIORITY, struct.pack("=I", metric))
    attrs += extra
    payload = body + attrs
    return struct.pack("=IHHII", 16 + len(payload), msg, 0, 1, 0) + payload


def nexthop(gw, ifindex=2):
    a = rta(RTA_GATEWAY, addr(gw))
    return struct.pack("=HBBi", 8 + len(a), 0, 0, ifindex) + a


seeds = {
    "add_v4": (0, route(RTM_NEWROUTE, "198.51.100.128", 25, "203.0.113.3")),
    "add_v6": (0, route(RTM_NEWROUTE, "2001:db8:eeee:77::", 64, "2001:db8:ffff::3")),
    "add_del": (2, route(RTM_NEWROUTE, "10.1.0.0", 16, "203.0.113.4") +
                route(RTM_DELROUTE, "10.1.0.0", 16, "203.0.113.4")),
    "metrics_shadow": (0, route(RTM_NEWROUTE, "10.2.0.0", 16, "203.0.113.3", metric=100) +
                       route(RTM_NEWROUTE, "10.2.0.0", 16, "203.0.113.4", metric=50) +
                       route(RTM_DELROUTE, "10.2.0.0", 16, "203.0.113.4", metric=50)),
    "off_subnet": (0, route(RTM_NEWROUTE, "10.3.0.0", 16, "192.0.2.1")),
    "blackhole": (0, route(RTM_NEWROUTE, "10.4.0.0", 16, rtype=RTN_BLACKHOLE)),
    "device_route": (0, route(RTM_NEWROUTE, "10.5.0.0", 16)),
    "other_table": (0, route(RTM_NEWROUTE, "10.6.0.0", 16, "203.0.113.3", table=254)),
    "tos": (0, route(RTM_NEWROUTE, "10.7.0.0", 16, "203.0.113.3", tos=0x10)),
    "multipath": (0, route(RTM_NEWROUTE, "10.8.0.0", 16, extra=rta(
        RTA_MULTIPATH, nexthop("203.0.113.3") + nexthop("203.0.113.4")))),
    "host_bits": (0, route(RTM_NEWROUTE, "10.9.1.1", 16, "203.0.113.3")),
    "resync_dump": (1, route(RTM_NEWROUTE, "10.10.0.0", 16, "203.0.113.3") +
                    route(RTM_NEWROUTE, "2001:db8:1::", 48, "2001:db8:ffff::4")),
    "via_v6_gw_for_v4": (0, route(RTM_NEWROUTE, "10.11.0.0", 16, extra=rta(
        RTA_VIA, struct.pack("=H", socket.AF_INET6) + addr("2001:db8:ffff::3")))),
    "truncated": (0, route(RTM_NEWROUTE, "10.12.0.0", 16, "203.0.113.3")[:30]),
    "default_routes": (0, route(RTM_NEWROUTE, "0.0.0.0", 0, "203.0.113.3") +
                       route(RTM_NEWROUTE, "::", 0, "2001:db8:ffff::3")),
}
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, (flags, data) in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes([flags]) + data)
