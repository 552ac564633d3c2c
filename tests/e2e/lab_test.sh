#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/lab_test.sh: real traffic through sluice in the namespace lab.
#
# Brings the lab up (configs/lab.topo), checks the fabric alone, starts
# sluiced (configs/demo.json) and sluice-dp with 2 workers, then sends real
# ping, traceroute, iperf3 and TCP traffic between the instances (VPC A on
# VLAN 100, VPC B on VLAN 200, both 192.168.0.0/16) and the Internet
# namespace, and checks what sluicectl reports. TAP output; the lab is torn
# down on every exit path. Needs root and a build (scripts/build).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAN=33
tap_plan $PLAN

lab_test_init lab # root, a build, the lab lock; cleans up at exit

# ---------------------------------------------------------------- fabric
check "lab up: namespaces, veths, VLAN fabric" timeout -k 5 120 "$SL_LAB" up ||
	tap_bail "lab up failed"
a2_ll=$(link_local a2)
check "fabric: a1 reaches a2 on VLAN 100 at layer 2 (link-local, no gateway)" \
	in_ns a1 ping -c 2 -W 1 "$a2_ll%eth0"
check_fails "fabric: b1 (VLAN 200) does not reach a2 (VLAN 100) at layer 2" \
	in_ns b1 ping -c 2 -W 1 "$a2_ll%eth0"

# ---------------------------------------------------------------- daemons
if ! check "lab start: sluiced + sluice-dp (2 workers), tables published and acknowledged" \
	env SLUICE_LAB_TIMEOUT=60 timeout -k 5 120 "$SL_LAB" start; then
	diag "$(timeout 10 "$SL_LAB" logs 2>&1 | tail -n 60)"
	tap_bail "daemons did not start"
fi
ctl_check "sluicectl status: in sync, at least 2 lcores online and acked" \
	'j["synced"] and j["lcores_online"] >= 2 and j["lcores_acked"] == j["lcores_online"] and j["writer"]["alive"] and j["dataplane"]["alive"]' \
	status

# Warm up ARP/ND on both sides of every path used below.
for dst in 192.168.2.10 192.168.1.253 10.99.0.1; do in_ns a1 ping -c 1 -W 2 $dst >/dev/null 2>&1; done
for dst in 2001:db8:a:2::10 2001:db8:a:1:ffff:ffff:ffff:fffd; do in_ns a1 ping -6 -c 1 -W 2 $dst >/dev/null 2>&1; done
in_ns b1 ping -c 1 -W 2 192.168.2.20 >/dev/null 2>&1
in_ns b1 ping -6 -c 1 -W 2 2001:db8:b:2::20 >/dev/null 2>&1
in_ns inet ping -c 1 -W 2 203.0.113.2 >/dev/null 2>&1

# ---------------------------------------------------------------- VPC A
check "a1 -> a2 ping IPv4 (192.168.1.10 -> 192.168.2.10, routed by the gateway)" \
	in_ns a1 ping -c 3 -W 1 192.168.2.10
check "a1 -> a2 ping IPv6 (2001:db8:a:1::10 -> 2001:db8:a:2::10)" \
	in_ns a1 ping -6 -c 3 -W 1 2001:db8:a:2::10

for fam in 4 6; do
	if [[ $fam == 4 ]]; then addr=192.168.2.10; else addr=2001:db8:a:2::10; fi
	out=$(iperf_transfer a1 a2 $addr 3 2>&1)
	if (($? == 0)); then
		ok "a1 -> a2 TCP transfer IPv$fam with iperf3 (3 s)"
		diag "$out"
	else
		not_ok "a1 -> a2 TCP transfer IPv$fam with iperf3 (3 s)" "$out"
	fi
done

check "a1 -> gateway 192.168.1.253 ping (VSwitch gateway address)" \
	in_ns a1 ping -c 3 -W 1 192.168.1.253
check "a1 -> gateway 2001:db8:a:1:ffff:ffff:ffff:fffd ping" \
	in_ns a1 ping -6 -c 3 -W 1 2001:db8:a:1:ffff:ffff:ffff:fffd

trace4() {
	local out
	out=$(in_ns a1 traceroute -n -q 2 -w 2 -m 4 192.168.2.10 2>&1) || {
		echo "$out"
		return 1
	}
	echo "$out"
	grep -Eq '^ *1 .*192\.168\.1\.253' <<<"$out" && grep -Eq '^ *2 .*192\.168\.2\.10' <<<"$out"
}
trace6() {
	local out
	out=$(in_ns a1 traceroute -6 -n -q 2 -w 2 -m 4 2001:db8:a:2::10 2>&1) || {
		echo "$out"
		return 1
	}
	echo "$out"
	grep -Eq '^ *1 .*2001:db8:a:1:ffff:ffff:ffff:fffd' <<<"$out" &&
		grep -Eq '^ *2 .*2001:db8:a:2::10' <<<"$out"
}
check "traceroute a1 -> a2: hop 1 is the gateway 192.168.1.253, hop 2 is a2" trace4
check "traceroute -6 a1 -> a2: hop 1 is 2001:db8:a:1:ffff:ffff:ffff:fffd, hop 2 is a2" trace6

# Custom routes of vtb-a: 10.99.0.0/16 and 2001:db8:99::/48 via instance i-a2.
ip -n sl-a2 addr replace 10.99.0.1/32 dev lo
ip -n sl-a2 -6 addr replace 2001:db8:99::1/128 dev lo
check "a1 -> 10.99.0.1 ping via the custom route (NextHopType Instance i-a2)" \
	in_ns a1 ping -c 3 -W 1 10.99.0.1
check "a1 -> 2001:db8:99::1 ping via the custom route (i-a2)" \
	in_ns a1 ping -6 -c 3 -W 1 2001:db8:99::1

# ---------------------------------------------------------------- VPC B, isolation
check "b1 -> b2 ping IPv4 (VPC B, same 192.168.1.10 as a1)" \
	in_ns b1 ping -c 3 -W 1 192.168.2.20
check "b1 -> b2 ping IPv6" \
	in_ns b1 ping -6 -c 3 -W 1 2001:db8:b:2::20
check_fails "isolation: a1 cannot reach 192.168.2.20 (exists only in VPC B)" \
	in_ns a1 ping -c 2 -W 1 192.168.2.20

bg_pids+=("$(identity_server a2 192.168.2.10 7000 a2)")
bg_pids+=("$(identity_server a1 192.168.1.10 7000 a1)")
bg_pids+=("$(identity_server b1 192.168.1.10 7000 b1)")
bg_pids+=("$(identity_server b2 192.168.2.20 7000 b2)")
check "isolation: 192.168.2.10 seen from a1 is a2 (TCP service only in a2)" \
	expect_identity a1 192.168.2.10 7000 a2
check "overlap: 192.168.1.10 seen from a2 is a1 (VPC A)" \
	expect_identity a2 192.168.1.10 7000 a1
check "overlap: 192.168.1.10 seen from b2 is b1 (VPC B)" \
	expect_identity b2 192.168.1.10 7000 b1
check_fails "isolation: b1 cannot reach 192.168.2.10 (exists only in VPC A)" \
	in_ns b1 ping -c 2 -W 1 192.168.2.10

# ---------------------------------------------------------------- Internet side
check "inet -> gateway outside address 203.0.113.2 ping" \
	in_ns inet ping -c 3 -W 1 203.0.113.2
check "inet -> gateway outside address 2001:db8:ffff::2 ping" \
	in_ns inet ping -6 -c 3 -W 1 2001:db8:ffff::2

# ---------------------------------------------------------------- sluicectl
ctl_check "sluicectl vpcs: vpc-a on VLAN 100 and vpc-b on VLAN 200" \
	'sorted((v["id"], v["vlan"], v["route_table_id"]) for v in j["vpcs"]) == [("vpc-a", 100, "vtb-a"), ("vpc-b", 200, "vtb-b")]' \
	vpcs
ctl_check "sluicectl routes vpc-a: VSwitch CIDRs connected, 100.64.0.0/10 blackhole, custom route via 192.168.2.10" \
	'(lambda r: r["192.168.1.0/24"]["nexthop"]["type"] == "connected" and r["192.168.2.0/24"]["nexthop"]["type"] == "connected" and r["2001:db8:a:1::/64"]["nexthop"]["type"] == "connected" and r["100.64.0.0/10"]["nexthop"]["type"] == "blackhole" and r["192.168.1.253/32"]["nexthop"]["type"] == "local" and r["10.99.0.0/16"]["origin"] == "custom" and r["10.99.0.0/16"]["nexthop"]["type"] == "gateway" and r["10.99.0.0/16"]["nexthop"]["via"] == "192.168.2.10" and r["10.99.0.0/16"]["nexthop"]["vlan"] == 100)({x["prefix"]: x for x in j["routes"]})' \
	routes vpc-a
ctl_check "sluicectl routes --internet: outside address local, default via 203.0.113.1" \
	'(lambda r: r["203.0.113.2/32"]["nexthop"]["type"] == "local" and r["0.0.0.0/0"]["nexthop"]["via"] == "203.0.113.1" and r["::/0"]["nexthop"]["via"] == "2001:db8:ffff::1")({x["prefix"]: x for x in j["routes"]})' \
	routes --internet
ctl_check "sluicectl neighbours: a1 and a2 learned in vpc-a (v4 and v6), b2 in vpc-b" \
	'(lambda n: ("vpc-a", "192.168.1.10") in n and ("vpc-a", "192.168.2.10") in n and ("vpc-a", "2001:db8:a:2::10") in n and ("vpc-b", "192.168.2.20") in n)({(x["vpc"], x["address"]) for x in j["neighbours"] if x["state"] in ("reachable", "stale")})' \
	neighbours
ctl_check "sluicectl counters: forwarded_ip4, forwarded_ip6 and rx_packets non-zero" \
	'(lambda c: c["forwarded_ip4"]["total"] > 0 and c["forwarded_ip6"]["total"] > 0 and c["rx_packets"]["total"] > 0)({x["counter"]: x for x in j["counters"]})' \
	counters
ctl_check "sluicectl ports: inside0 and outside0 up with traffic" \
	'len(j["ports"]) == 2 and all(p["link_up"] and p["ipackets"] > 0 for p in j["ports"])' \
	ports

# ---------------------------------------------------------------- drops
# Frames on VLAN 300 (no VPC) sent into the trunk from the fabric.
unknown_vlan_drops() {
	local before after i
	before=$(ctl_total drops unknown_vlan)
	((before >= 0)) || {
		echo "cannot read drops"
		return 1
	}
	timeout 20 ip netns exec sl-fabric "$SL_PY" -c '
from scapy.all import Ether, Dot1Q, ARP, IP, ICMP, sendp
f = [Ether(dst="ff:ff:ff:ff:ff:ff", src="02:5c:00:00:01:2c") / Dot1Q(vlan=300) /
     ARP(psrc="192.168.1.99", pdst="192.168.1.253")] * 5
sendp(f, iface="trunk", verbose=False)' || return 1
	for ((i = 0; i < 30; i++)); do
		after=$(ctl_total drops unknown_vlan)
		((after >= before + 5)) && {
			echo "unknown_vlan: $before -> $after"
			return 0
		}
		sleep 0.1
	done
	echo "unknown_vlan: $before -> $after (want +5)"
	return 1
}
check "drops: 5 frames on VLAN 300 (no VPC) counted as unknown_vlan" unknown_vlan_drops

# ---------------------------------------------------------------- restarts
# sluiced dies: sluice-dp keeps forwarding with the tables it has.
sluiced_pid=$(cat /run/sluice-lab/sluiced.pid 2>/dev/null)
restart_sluiced() {
	[[ -n $sluiced_pid ]] || {
		echo "no sluiced pid"
		return 1
	}
	kill -TERM "$sluiced_pid" || return 1
	for ((i = 0; i < 50; i++)); do
		[[ -d /proc/$sluiced_pid ]] || break
		sleep 0.1
	done
	in_ns a1 ping -c 3 -W 1 192.168.2.10 || {
		echo "no forwarding without sluiced"
		return 1
	}
	timeout -k 5 90 "$SL_LAB" start || return 1
	in_ns a1 ping -c 3 -W 1 192.168.2.10
}
check "sluiced stopped: a1 -> a2 still forwarded; restarted: in sync again" restart_sluiced

# sluice-dp dies: restarted, it takes the tables from the segment and
# forwards again (sluiced keeps running and is not asked to republish).
restart_dp() {
	local pid gen1 gen2
	pid=$(cat /run/sluice-lab/sluice-dp.pid 2>/dev/null)
	[[ -n $pid ]] || {
		echo "no sluice-dp pid"
		return 1
	}
	gen1=$(ctl --json status | sed -n 's/^  "generation": \([0-9]*\),*$/\1/p')
	kill -TERM "$pid" || return 1
	for ((i = 0; i < 100; i++)); do
		[[ -d /proc/$pid ]] || break
		sleep 0.1
	done
	if in_ns a1 ping -c 1 -W 1 192.168.2.10 >/dev/null 2>&1; then
		echo "a1 -> a2 still answered with sluice-dp stopped"
		return 1
	fi
	timeout -k 5 90 "$SL_LAB" start || return 1
	gen2=$(ctl --json status | sed -n 's/^  "generation": \([0-9]*\),*$/\1/p')
	echo "generation before $gen1, after $gen2"
	in_ns a1 ping -c 1 -W 2 192.168.2.10 >/dev/null 2>&1 # re-learn neighbours
	in_ns a1 ping -c 3 -W 1 192.168.2.10 && in_ns b1 ping -6 -c 3 -W 1 2001:db8:b:2::20
}
check "sluice-dp stopped: no forwarding; restarted: tables from the segment, forwarding again" restart_dp

tap_done
