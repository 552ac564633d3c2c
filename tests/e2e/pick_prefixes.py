#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""pick_prefixes.py SRC N OUT: N real Internet prefixes for the end-to-end
tests (kernel_routes_test.sh, bgp_test.sh), one in ten IPv6.

SRC is ../shared/data/bgp-prefixes.txt.gz or "synthetic" (when the data is
absent: /24s from 11.0.0.0 and /32s from 2a01::). Documentation, lab and
default prefixes are left out, so the lab's own routes stay untouched.
Writes the IPv4 prefixes, then the IPv6 ones, to OUT, one a line, and
prints 20 IPv4 and 5 IPv6 sample addresses (random, seed 7), then the
address of the last IPv4 and of the last IPv6 prefix, then the count."""
import gzip
import ipaddress
import random
import sys

src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
random.seed(7)
n6 = n // 10
if src == "synthetic":
    v4 = ["%d.%d.%d.0/24" % (11 + i // 65536, i // 256 % 256, i % 256) for i in range(n - n6)]
    v6 = ["2a0%x:%x::/32" % (1 + i // 65536, i % 65536) for i in range(n6)]
else:
    skip4 = [ipaddress.ip_network(p) for p in
             ("198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24", "198.18.0.0/15", "100.64.0.0/10")]
    v4, v6 = [], []
    with gzip.open(src, "rt") as f:
        for line in f:
            p = line.strip()
            if ":" in p:
                if len(v6) < n6 and not p.startswith("2001:db8") and not p.endswith("/0"):
                    v6.append(p)
            elif len(v4) < n - n6 and not p.endswith("/0"):
                net = ipaddress.ip_network(p)
                if not any(net.overlaps(s) for s in skip4):
                    v4.append(p)
            if len(v4) >= n - n6 and len(v6) >= n6:
                break
with open(out, "w") as f:
    f.write("\n".join(v4 + v6) + "\n")
for p in random.sample(v4, 20) + random.sample(v6, 5) + [v4[-1], v6[-1]]:
    net = ipaddress.ip_network(p)
    print(net.network_address + 1 if net.num_addresses > 1 else net.network_address)
print(len(v4) + len(v6))
