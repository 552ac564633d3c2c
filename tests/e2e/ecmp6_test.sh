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
# source ports (one flow each), counted at each far host (Udp6NoPorts).
# Prints ecmp6_failover_ms=N: from far1's link going down to sluice-dp's
# table sending the prefix to far2 alone. TAP.
# shellcheck disable=SC2317 # functions run through check and the trap
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAN=15
tap_plan $PLAN

RUN=${SLUICE_LAB_RUN:-/run/sluice-lab}
SLOG=$RUN/sluiced.log
KTABLE=${SL_KTABLE:-24606}
BIRD=${SL_BIRD:-/usr/sbin/bird}
BIRDC=${SL_BIRDC:-/usr/sbin/birdc}
PFX=2001:db8:eeee:77::/64
DST=2001:db8:eeee:77::77
HAND=2001:db8:eeee:88::/64 # a multipath route put in KTABLE by hand
V1=2001:db8:ffff::3
V2=2001:db8:ffff::4
bird_pids=()

stop_birds() {
	local p i
	for p in "$@"; do
		kill "$p" 2>/dev/null
	done
	for p in "$@"; do
		for ((i = 0; i < 50; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	done
}
extra_cleanup() {
	stop_birds "${bird_pids[@]}"
	ip -6 route flush table "$KTABLE" 2>/dev/null
}
lab_test_init ecmp6 # root, a build, $tmp, the lab lock; cleans up at exit
[[ -x $BIRD && -x $BIRDC ]] || tap_bail "BIRD is not installed (Debian package bird2)"
timeout -k 5 120 "$SL_LAB" up >/dev/null 2>&1 || tap_bail "scripts/lab up failed"
EXC=sl-exc0
lab_exception_dp "$EXC" || tap_bail "could not add the exception key to dp-lab.json"
[[ -z $(ip -6 route show table "$KTABLE" 2>/dev/null) ]] ||
	tap_bail "kernel table $KTABLE is in use (SL_KTABLE=N picks another)"

far_host far1 203.0.113.3 $V1 $DST &&
	far_host far2 203.0.113.4 $V2 $DST &&
	ip -n sl-inet -6 route replace $PFX via 2001:db8:ffff::2 ||
	tap_bail "cannot set up the far hosts"

# ---------------------------------------------------------------- BIRD configs
timers="hold time 9; keepalive time 3; connect retry time 1; connect delay time 1; error wait time 1, 2;"
bfd_iface() { # IFACE
	echo "protocol bfd { interface \"$1\" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; }; }"
}
for n in 1 2; do
	cat >"$tmp/far$n.conf" <<EOF
router id 203.0.113.$((n + 2));
log "$tmp/bird-far$n.log" all;
protocol device { scan time 1; }
$(bfd_iface far$n)
protocol static s6 { ipv6; route $PFX via 2001:db8:ffff::1; }
protocol bgp gwpeer {
	local 2001:db8:ffff::$((n + 2)) as 65002; neighbor 2001:db8:ffff::2 as 65001;
	$timers
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
template bgp up { local 2001:db8:ffff::2 as 65001; $timers bfd on; ipv6 { import all; export none; }; }
protocol bgp up1 from up { neighbor $V1 as 65002; }
protocol bgp up2 from up { neighbor $V2 as 65002; }
EOF
gwc() { timeout 10 "$BIRDC" -s "$tmp/bird-gw.ctl" "$@"; }
for c in gw far1 far2; do
	out=$("$BIRD" -p -c "$tmp/$c.conf" 2>&1) || tap_bail "BIRD refuses $c.conf: $out"
done

env SLUICED_ARGS="--kernel-table $KTABLE --exception $EXC" SLUICE_LAB_TIMEOUT=60 \
	timeout -k 5 90 "$SL_LAB" start >/dev/null 2>&1 ||
	tap_bail "scripts/lab start failed: $(tail -5 "$SLOG" 2>/dev/null)"
for ((i = 0; i < 50; i++)); do
	ip -o addr show dev "$EXC" 2>/dev/null | grep -q "inet6 2001:db8:ffff::2/64" && break
	sleep 0.1
done
((i < 50)) || tap_bail "sluiced did not configure $EXC: $(ip addr show dev "$EXC" 2>&1)"

# what the kernel says about the table, for the diagnostics
ip -6 monitor route >"$tmp/monitor.log" 2>&1 &
bg_pids+=($!)
"$BIRD" -f -c "$tmp/gw.conf" -s "$tmp/bird-gw.ctl" -P "$tmp/bird-gw.pid" </dev/null >/dev/null 2>&1 8>&- &
bird_pids+=($!)
for n in 1 2; do
	ip netns exec sl-far$n "$BIRD" -f -c "$tmp/far$n.conf" -s "$tmp/bird-far$n.ctl" \
		-P "$tmp/bird-far$n.pid" </dev/null >/dev/null 2>&1 8>&- &
	bird_pids+=($!)
done

# ---------------------------------------------------------------- helpers
sessions_up() { # N [SECONDS]: BGP established and BFD up >= N each
	local i
	for ((i = 0; i < ${2:-30} * 10; i++)); do
		[[ $(gwc show protocols 2>/dev/null | grep -c Established) -ge $1 &&
			$(gwc show bfd sessions 2>/dev/null | grep -c ' Up ') -ge $1 ]] && return 0
		sleep 0.1
	done
	gwc show protocols
	gwc show bfd sessions
	tail -n 5 "$tmp/bird-gw.log"
	return 1
}
# members ADDR: the vias sluice-dp's Internet table sends ADDR to, sorted,
# space-separated ("-" when the route is not from the kernel table)
members() {
	ctl --json lookup "${1:-$DST}" 2>/dev/null | "$SL_PY" -c '
import json, sys
j = json.load(sys.stdin)
nh = j.get("nexthop") or {}
if j.get("origin") != "dynamic":
    print("-")
elif nh.get("type") == "group":
    print(" ".join(sorted(m["nexthop"]["via"] for m in nh["members"])))
else:
    print(nh.get("via"))'
}
wait_members() { # "VIA [VIA]" [SECONDS] [ADDR]
	local i
	for ((i = 0; i < ${2:-15} * 20; i++)); do
		[[ $(members "${3:-$DST}") == "$1" ]] && return 0
		sleep 0.05
	done
	ctl lookup "${3:-$DST}"
	ip -6 route show table "$KTABLE"
	return 1
}
udp_in() { # NODE: IPv6 datagrams to closed ports sl-NODE received
	ip netns exec "sl-$1" awk '$1 == "Udp6NoPorts" {print $2}' /proc/net/snmp6
}
# flows N BASE: one UDP datagram from each source port BASE..BASE+N-1
flows() {
	in_ns inet "$SL_PY" -c '
import socket, sys
n, base = int(sys.argv[1]), int(sys.argv[2])
for p in range(base, base + n):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind(("", p))
    s.sendto(b"ecmp6", (sys.argv[3], 9))
    s.close()' "$1" "$2" $DST
}
spread() { # N BASE: send N flows, set got1/got2 to what each far host received
	local a1 a2
	a1=$(udp_in far1) a2=$(udp_in far2)
	flows "$1" "$2"
	sleep 0.5
	got1=$(($(udp_in far1) - a1)) got2=$(($(udp_in far2) - a2))
	diag "$1 flows: far1 $got1, far2 $got2"
}
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

flows 64 30000 # warm up: the gateway resolves both upstreams (ND)
sleep 1
spread 400 31000
check "400 IPv6 flows spread over both upstreams (each >= 25 %, none lost: far1 $got1, far2 $got2)" \
	test $((got1 + got2)) -eq 400 -a "$got1" -ge 100 -a "$got2" -ge 100
ctl_check "per-member packet counters in sluicectl add up" \
	'sum(m["packets"] for m in j["nexthop"]["members"]) >= 464 and all(m["packets"] > 0 for m in j["nexthop"]["members"])' \
	lookup $DST
a1=$(udp_in far1) a2=$(udp_in far2)
for ((k = 0; k < 20; k++)); do flows 1 32000; done
sleep 0.5
d1=$(($(udp_in far1) - a1)) d2=$(($(udp_in far2) - a2))
check "one flow's 20 datagrams all take one path (far1 $d1, far2 $d2)" \
	bash -c "(( ($d1 == 20 && $d2 == 0) || ($d1 == 0 && $d2 == 20) ))"

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

# ---------------------------------------------------------------- far1 fails
: >"$tmp/monitor.log"
# IPv6 flushes a link's addresses when it goes down: keep far1's global
# one, as a router's would be (its BGP session comes back from it)
ip netns exec sl-far1 sysctl -qw net.ipv6.conf.far1.keep_addr_on_down=1
t0=$(date +%s%N)
ip -n sl-far1 link set far1 down
wait_members $V2 5
rc=$?
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
check "far1's link down: BFD withdraws it, sluice-dp sends everything to far2 ($ms ms)" test $rc -eq 0
((rc == 0)) && diag "ecmp6_failover_ms=$ms"
sleep 0.2
diag "what the kernel announced: $(tr -d '\0' <"$tmp/monitor.log" | tr '\n' '|' | tr -s ' \t' ' ' | head -c 800)"
check "... within about a second" test "$ms" -le 1500
spread 200 33000
check "after the failover all 200 flows reach far2" test "$got2" -eq 200

# ---------------------------------------------------------------- far1 recovers
t0=$(date +%s%N)
ip -n sl-far1 link set far1 up
recovered() { sessions_up 2 30 && wait_members "$V1 $V2" 10; }
check "far1 back: BFD and BGP up again, the group has both upstreams" recovered
diag "ecmp6_recover_s=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN{printf "%.1f", (b-a)/1e9}')"
sleep 0.5
spread 400 34000
check "flows spread over both again (far1 $got1, far2 $got2)" \
	test $((got1 + got2)) -eq 400 -a "$got1" -ge 100 -a "$got2" -ge 100
ctl_check "sluice-dp still in sync" 'j["synced"] is True' status
tap_done

