#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/ecmp_test.sh: ECMP with liveness (issue 8), the way a Linux
# router does it: BIRD on the gateway host peers over BGP with two
# upstream routers that announce the same prefix, runs BFD to both, and
# installs the merged multipath route in kernel table KTABLE; sluiced
# mirrors it (--kernel-table) as a next-hop group; sluice-dp spreads flows
# over the members by their hash. When one upstream's BFD session fails,
# BIRD withdraws that path, the kernel route shrinks, and sluiced publishes
# the group without it: all traffic goes to the other upstream.
#
# Topology (besides the lab of scripts/lab):
#   far1 203.0.113.3 / far2 203.0.113.4: far hosts on the Internet side
#       (far_host of lib.sh), both owning 198.51.100.177 (anycast), each
#       running BIRD (AS 65002): BGP to the gateway announcing
#       198.51.100.128/25 with itself as next hop, BFD (100 ms x 3);
#   root namespace: BIRD "gateway" (AS 65001) on 203.0.113.2, which
#       sluiced (--exception) puts on sl-exc0, the exception path of
#       sluice-dp's outside port: the BGP and BFD sessions run through
#       sluice-dp; `merge paths` makes the two BGP routes one multipath
#       route in kernel table KTABLE.
# Flows: UDP datagrams from sl-inet to 198.51.100.177 port 9 from many
# source ports (one flow each), counted at each far host (UDP NoPorts).
# Prints ecmp_failover_ms=N: from far1's link going down to sluice-dp's
# table sending the prefix to far2 alone. TAP.
# shellcheck disable=SC2317 # functions run through check and the trap
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib_ecmp.sh" # the BIRDs, flows, failover checks

PLAN=12
tap_plan $PLAN

KTABLE=${SL_KTABLE:-24603}
ECMP_AF=4
DST=198.51.100.177
V1=203.0.113.3
V2=203.0.113.4

ecmp_lab_up ecmp # root, a build, $tmp, the lab lock, the lab; cleans up at exit

far_host far1 $V1 2001:db8:ffff::3 $DST &&
	far_host far2 $V2 2001:db8:ffff::4 $DST &&
	ip -n sl-inet route replace 198.51.100.128/25 via 203.0.113.2 ||
	tap_bail "cannot set up the far hosts"

# ---------------------------------------------------------------- BIRD configs
for n in 1 2; do
	cat >"$tmp/far$n.conf" <<EOF
router id 203.0.113.$((n + 2));
log "$tmp/bird-far$n.log" all;
protocol device { scan time 1; }
$(bfd_iface far$n)
protocol static s4 { ipv4; route 198.51.100.128/25 via 203.0.113.1; }
protocol bgp gwpeer {
	local 203.0.113.$((n + 2)) as 65002; neighbor 203.0.113.2 as 65001;
	$ecmp_timers
	bfd on;
	ipv4 { import none; export where proto = "s4"; next hop self; };
}
EOF
done
cat >"$tmp/gw.conf" <<EOF
router id 203.0.113.2;
log "$tmp/bird-gw.log" all;
protocol device { scan time 1; }
$(bfd_iface $EXC)
protocol kernel k4 {
	kernel table $KTABLE; merge paths on;
	ipv4 { import none; export filter { if source = RTS_BGP then accept; reject; }; };
}
template bgp up { local 203.0.113.2 as 65001; $ecmp_timers bfd on; ipv4 { import all; export none; }; }
protocol bgp up1 from up { neighbor $V1 as 65002; }
protocol bgp up2 from up { neighbor $V2 as 65002; }
EOF
ecmp_check_confs

ecmp_lab_start "" "inet 203.0.113.2/24"
ecmp_start_birds

# ---------------------------------------------------------------- tests
check "BGP and BFD sessions to both upstreams up (through the exception path)" sessions_up 2 ||
	tap_bail "no sessions"
# BIRD exports the merged route a moment after the second session is up
kernel_multipath() { # waits up to 10 s
	local i
	for ((i = 0; i < 100; i++)); do
		[[ $(ip route show table "$KTABLE" 198.51.100.128/25 | grep -c 'nexthop via') -eq 2 ]] &&
			return 0
		sleep 0.1
	done
	ip route show table "$KTABLE" 198.51.100.128/25
	return 1
}
check "the kernel table has one multipath route with both upstreams" kernel_multipath
check "sluice-dp sends $DST to a group of both" wait_members "$V1 $V2"
ecmp_traffic_checks # 3 checks
ecmp_failover_checks ecmp # 6 checks: failover, recovery, in sync
tap_done
