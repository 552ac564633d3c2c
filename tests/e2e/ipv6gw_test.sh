#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/ipv6gw_test.sh: the IPv6 gateway in the namespace lab (issue 6,
# docs/ipv6gw.md).
#
# configs/demo.json plus IPv6 gateways gw-a (vpc-a) and gw-b (vpc-b), an
# Ipv6Address per instance, Internet bandwidth for a1, b1 and b2 (not a2),
# an egress-only rule on b1 and an ingress route rule steering
# 2001:db8:b:2::20/128 (b2) to b1, which forwards like a firewall. Real
# ping6 and curl -6 between the instances and the `inet` namespace:
#   - a1 (bandwidth) is reachable from inet and reaches it; a2 (none) neither;
#   - b1 (egress-only) reaches inet (ping6, a TCP download) and is not
#     reachable from it;
#   - inet -> b2 goes through b1 (its forwarding counter grows) and arrives;
#   - sluicectl counts the named drops and the rule.
# TAP output; the lab is torn down on every exit path. Needs root and a
# build (scripts/build).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAN=19
tap_plan $PLAN

lab_test_init ipv6gw # root, a build, the lab lock; cleans up at exit

A1=2001:db8:a:1::10 A2=2001:db8:a:2::10 B1=2001:db8:b:1::10 B2=2001:db8:b:2::20
INET=2001:db8:ffff::1 GW_PUB=2001:db8:ffff::2

# The lab's objects plus the IPv6 gateway's.
cfg=$tmp/ipv6gw-lab.json
"$SL_PY" - "$SL_ROOT/configs/demo.json" "$cfg" <<'EOF' || tap_bail "cannot write the config"
import json, sys
d = json.load(open(sys.argv[1]))
d["Ipv6Gateways"] = [{"Ipv6GatewayId": "gw-a", "VpcId": "vpc-a"},
                     {"Ipv6GatewayId": "gw-b", "VpcId": "vpc-b"}]
addrs = {"a1": ("vsw-a1", "2001:db8:a:1::10"), "a2": ("vsw-a2", "2001:db8:a:2::10"),
         "b1": ("vsw-b1", "2001:db8:b:1::10"), "b2": ("vsw-b2", "2001:db8:b:2::20")}
d["Ipv6Addresses"] = [{"Ipv6AddressId": "ipv6-" + n, "VSwitchId": w, "Ipv6Address": a}
                      for n, (w, a) in addrs.items()]
d["Ipv6InternetBandwidths"] = [{"Ipv6InternetBandwidthId": "bw-" + n, "Ipv6AddressId": "ipv6-" + n,
                                "Bandwidth": 100} for n in ("a1", "b1", "b2")]
d["Ipv6EgressOnlyRules"] = [{"Ipv6EgressOnlyRuleId": "eg-b1", "Ipv6GatewayId": "gw-b",
                             "InstanceId": "i-b1", "InstanceType": "Instance"}]
d["Ipv6GatewayRouteRules"] = [{"RouteRuleId": "rr-b2", "Ipv6GatewayId": "gw-b",
                               "Destination": "2001:db8:b:2::20/128", "NextHopType": "ECS",
                               "NextHopInstanceId": "i-b1"}]
json.dump(d, open(sys.argv[2], "w"), indent=1)
EOF

check "lab up: namespaces, veths, VLAN fabric" timeout -k 5 120 "$SL_LAB" up ||
	tap_bail "lab up failed"
if ! check "lab start with the IPv6 gateway objects: tables published and acknowledged" \
	env SLUICE_LAB_CONFIG="$cfg" SLUICE_LAB_TIMEOUT=60 timeout -k 5 120 "$SL_LAB" start; then
	diag "$(timeout 10 "$SL_LAB" logs 2>&1 | tail -n 60)"
	tap_bail "daemons did not start"
fi
# The Internet reaches the VPCs' IPv6 blocks through the gateway; b1 forwards.
check "inet routes 2001:db8:a::/48 and 2001:db8:b::/48 via the gateway; b1 forwards IPv6" \
	bash -c "ip -n sl-inet -6 route replace 2001:db8:a::/48 via $GW_PUB &&
		 ip -n sl-inet -6 route replace 2001:db8:b::/48 via $GW_PUB &&
		 ip netns exec sl-b1 sysctl -qw net.ipv6.conf.all.forwarding=1"

# HTTP servers for curl -6 (python's, on every address).
for node in a1 a2 b1 inet; do
	ip netns exec "sl-$node" "$SL_PY" -m http.server 8080 --bind :: --directory "$tmp" \
		>/dev/null 2>&1 &
	bg_pids+=($!)
done
echo sluice-ipv6gw >"$tmp/probe.txt"
# Warm up ND on both sides (the first packet of each may wait for resolution).
for n in a1 a2 b1 b2; do in_ns "$n" ping -6 -c 1 -W 2 "$INET" >/dev/null 2>&1; done
in_ns inet ping -6 -c 1 -W 2 "$GW_PUB" >/dev/null 2>&1
sleep 1

curl6() { # NODE ADDR: fetch the probe file from ADDR's server
	in_ns "$1" curl -6 -sS --max-time 3 "http://[$2]:8080/probe.txt" | grep -q sluice-ipv6gw
}

# ---------------------------------------------------------------- gating
check "inet -> a1 ping6 (a1 has Internet bandwidth)" in_ns inet ping -6 -c 3 -W 1 "$A1"
check "inet -> a1 curl -6" curl6 inet "$A1"
check "a1 -> inet ping6" in_ns a1 ping -6 -c 3 -W 1 "$INET"
check "a1 -> inet curl -6" curl6 a1 "$INET"
check_fails "inet -> a2 ping6 fails (a2 has no bandwidth)" in_ns inet ping -6 -c 2 -W 1 "$A2"
check_fails "inet -> a2 curl -6 fails" curl6 inet "$A2"
check_fails "a2 -> inet ping6 fails" in_ns a2 ping -6 -c 2 -W 1 "$INET"

# ---------------------------------------------------------------- egress-only
check "b1 (egress-only) -> inet ping6" in_ns b1 ping -6 -c 3 -W 1 "$INET"
check "b1 (egress-only) -> inet curl -6 (a TCP connection it starts)" curl6 b1 "$INET"
check_fails "inet -> b1 ping6 fails (egress-only)" in_ns inet ping -6 -c 2 -W 1 "$B1"
check_fails "inet -> b1 curl -6 fails (egress-only)" curl6 inet "$B1"

# ---------------------------------------------------------------- ingress rule
fwd_count() { awk '$1 == "Ip6OutForwDatagrams" {print $2}' < <(ip netns exec sl-b1 cat /proc/net/snmp6); }
before=$(fwd_count)
check "inet -> b2 ping6 arrives (steered through b1 by the ingress route rule)" \
	in_ns inet ping -6 -c 3 -W 1 "$B2"
after=$(fwd_count)
if [[ -n $before && -n $after ]] && ((after - before >= 3)); then
	ok "b1 forwarded the steered packets (Ip6OutForwDatagrams $before -> $after)"
else
	not_ok "b1 forwarded the steered packets" "Ip6OutForwDatagrams $before -> $after"
fi

# ---------------------------------------------------------------- counters
ctl_check "sluicectl drops: ip6gw_dst_no_bandwidth, ip6gw_src_no_bandwidth and ip6gw_egress_only counted" \
	'(lambda d: all(d.get(r, 0) > 0 for r in ("ip6gw_dst_no_bandwidth", "ip6gw_src_no_bandwidth", "ip6gw_egress_only")))({x["reason"]: x["total"] for x in j["drops"]})' \
	drops
ctl_check "sluicectl counters: ip6gw_out, ip6gw_in and ip6gw_rule non-zero" \
	'(lambda c: all(c[k]["total"] > 0 for k in ("ip6gw_out", "ip6gw_in", "ip6gw_rule")))({x["counter"]: x for x in j["counters"]})' \
	counters
ctl_check "sluicectl routes vpc-a: ::/0 to the IPv6 gateway" \
	'any(r["prefix"] == "::/0" and r["nexthop"]["type"] == "ip6gw" for r in j["routes"])' \
	routes vpc-a

tap_done
