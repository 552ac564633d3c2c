#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/ecmp6_test.sh: IPv6 ECMP with liveness (issue 8), the IPv6 twin
# of ecmp_test.sh: BIRD on the gateway host peers over IPv6 BGP sessions
# (global addresses, through sluice-dp's exception path) with two upstream
# routers that announce the same IPv6 prefix, runs BFD to both, and
# installs the merged multipath route in kernel table KTABLE; sluiced
# mirrors it (--kernel-table) as a next-hop group; sluice-dp spreads flows
# over the members by their hash. When one upstream's BFD session fails,
# BIRD withdraws that path and sluiced publishes the group without it.
#
# IPv6 multipath in the kernel is a set of sibling routes sharing a
# prefix: the kernel reports the whole set in one RTA_MULTIPATH message
# when a hop is added, but deletes a single hop with an RTM_DELROUTE naming
# only that hop. sluiced applies such a deletion from what it remembers,
# without dumping the table again (docs/sluiced.md, *Kernel routes*); a
# route added here by hand (not BIRD's) checks that path on its own:
# sluiced's log must show no resync ("synced" line) after the start.
#
# Topology (besides the lab of scripts/lab):
#   far1 2001:db8:ffff::3 / far2 2001:db8:ffff::4: far hosts on the Internet
#       side (far_host of lib.sh), both owning 2001:db8:eeee:77::77
#       (anycast), each running BIRD (AS 65002): an IPv6 BGP session to
#       2001:db8:ffff::2 announcing 2001:db8:eeee:77::/64 with itself as
#       next hop, BFD (100 ms x 3);
#   root namespace: BIRD "gateway" (AS 65001) on 2001:db8:ffff::2, which
#       sluiced (--exception) puts on sl-exc0; `merge paths` makes the two
#       BGP routes one multipath route in kernel table KTABLE.
# Flows: UDP datagrams from sl-inet to 2001:db8:eeee:77::77 port 9 from many
# source ports (one flow each), counted at each far host (Udp6NoPorts); the
# per-member packet counters must read the same in sluicectl and in
# sluiced's /metrics (sluiced runs with --listen for it). Helpers shared with
# ecmp_test.sh: lib_ecmp.sh.
# Prints ecmp6_failover_ms=N: from far1's link going down to sluice-dp's
# table sending the prefix to far2 alone. TAP.
# shellcheck disable=SC2317 # functions run through check and the trap
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib_ecmp.sh" # the BIRDs, flows, failover checks

PLAN=16
tap_plan $PLAN

KTABLE=${SL_KTABLE:-24606}
ECMP_AF=6
PFX=2001:db8:eeee:77::/64
DST=2001:db8:eeee:77::77
HAND=2001:db8:eeee:88::/64 # a multipath route put in KTABLE by hand
V1=2001:db8:ffff::3
V2=2001:db8:ffff::4

ecmp_lab_up ecmp6 # root, a build, $tmp, the lab lock, the lab; cleans up at exit

far_host far1 203.0.113.3 $V1 $DST &&
	far_host far2 203.0.113.4 $V2 $DST &&
	ip -n sl-inet -6 route replace $PFX via 2001:db8:ffff::2 ||
	tap_bail "cannot set up the far hosts"
# IPv6 flushes a link's addresses when it goes down: keep far1's global
# one, as a router's would be (its BGP session comes back from it)
ip netns exec sl-far1 sysctl -qw net.ipv6.conf.far1.keep_addr_on_down=1

# ---------------------------------------------------------------- BIRD configs
for n in 1 2; do
	cat >"$tmp/far$n.conf" <<EOF
router id 203.0.113.$((n + 2));
log "$tmp/bird-far$n.log" all;
protocol device { scan time 1; }
$(bfd_iface far$n)
protocol static s6 { ipv6; route $PFX via 2001:db8:ffff::1; }
protocol bgp gwpeer {
	local 2001:db8:ffff::$((n + 2)) as 65002; neighbor 2001:db8:ffff::2 as 65001;
	$ecmp_timers
	bfd on;
	ipv6 { import none; export where proto = "s6"; next hop self; };
}
EOF
done
cat >"$tmp/gw.conf" <<EOF
router id 203.0.113.2;
log "$tmp/bird-gw.log" all;
protocol device { scan time 1; }
$(bfd_iface $EXC)
protocol kernel k6 {
	kernel table $KTABLE; merge paths on;
	ipv6 { import none; export filter { if source = RTS_BGP then accept; reject; }; };
}
template bgp up { local 2001:db8:ffff::2 as 65001; $ecmp_timers bfd on; ipv6 { import all; export none; }; }
protocol bgp up1 from up { neighbor $V1 as 65002; }
protocol bgp up2 from up { neighbor $V2 as 65002; }
EOF
ecmp_check_confs

ecmp_lab_start "--listen 127.0.0.1:0 --state-dir $tmp/state" "inet6 2001:db8:ffff::2/64"

# what the kernel says about its routes, for the diagnostics
ip -6 monitor route >"$tmp/monitor.log" 2>&1 &
bg_pids+=($!)
ecmp_start_birds

synced_lines() { grep -c 'kernel routes: table [0-9]* synced' "$SLOG"; }
kernel_multipath() { # PREFIX: waits up to 10 s for both upstreams in KTABLE
	local i
	for ((i = 0; i < 100; i++)); do
		[[ $(ip -6 route show table "$KTABLE" "$1" | grep -c "via $V1 \|via $V2 ") -eq 2 ]] &&
			return 0
		sleep 0.1
	done
	ip -6 route show table "$KTABLE" "$1"
	return 1
}

# ---------------------------------------------------------------- tests
check "IPv6 BGP and BFD sessions to both upstreams up (through the exception path)" \
	sessions_up 2 || tap_bail "no sessions"
check "the kernel table has the multipath route of both upstreams (global next hops)" \
	kernel_multipath $PFX
diag "kernel: $(ip -6 route show table "$KTABLE" $PFX | tr '\n' ' ' | tr -s ' \t' ' ')"
check "sluice-dp sends $DST to a group of both" wait_members "$V1 $V2"
ecmp_traffic_checks # 3 checks

# the same per-member counters in sluiced's /metrics (--listen)
metrics_url=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$SLOG" | tail -1 | sed 's/listening on //')
metrics_vs_ctl() {
	local m c
	m=$(curl -sS --max-time 10 "$metrics_url/metrics") || return 1
	c=$(ctl --json lookup "$DST") || return 1
	"$SL_PY" -c '
import json, re, sys
m = {v: int(n) for v, n in re.findall(
    r"^sluice_nexthop_group_member_packets_total\{group=\"\d+\",member=\"\d+\",via=\"([^\"]+)\"\} (\d+)$",
    sys.argv[1], re.M)}
c = {x["nexthop"]["via"]: x["packets"] for x in json.loads(sys.argv[2])["nexthop"]["members"]}
print("metrics", m, "sluicectl", c)
ok = m == c and sum(c.values()) >= 464 and re.search(
    r"^sluice_nexthop_group_members_uncounted 0$", sys.argv[1], re.M)
sys.exit(0 if ok else 1)' "$m" "$c"
}
check "/metrics: each member's packets as sluicectl shows them (sluice_nexthop_group_member_packets_total)" \
	metrics_vs_ctl

# ------------------------------------------------- one hop deleted by hand
# `ip -6 route del P via A`: the kernel's RTM_DELROUTE names A only
syncs0=$(synced_lines)
ip -6 route add $HAND table "$KTABLE" proto static nexthop via $V1 nexthop via $V2 ||
	diag "could not add $HAND"
check "a multipath route added by hand is mirrored as a group" \
	wait_members "$V1 $V2" 5 2001:db8:eeee:88::1
ip -6 route del $HAND table "$KTABLE" via $V1
check "deleting one of its next hops leaves the other in sluice-dp" \
	wait_members "$V2" 5 2001:db8:eeee:88::1
check "... without sluiced dumping the table again (synced lines: $syncs0 -> $(synced_lines))" \
	test "$(synced_lines)" -eq "$syncs0"
ip -6 route del $HAND table "$KTABLE"

# ---------------------------------------------------------------- far1 fails, recovers
: >"$tmp/monitor.log"
ecmp_after_failover() { # what BIRD made the kernel do (lib_ecmp.sh calls it)
	sleep 0.2
	diag "what the kernel announced: $(tr -d '\0' <"$tmp/monitor.log" | tr '\n' '|' | tr -s ' \t' ' ' | head -c 800)"
}
ecmp_failover_checks ecmp6 # 6 checks: failover, recovery, in sync
tap_done
