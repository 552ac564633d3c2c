# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/lib_ecmp.sh: what ecmp_test.sh (IPv4) and ecmp6_test.sh (IPv6)
# share, sourced after lib.sh: the BIRDs (gateway and the two far hosts),
# their sessions, the group sluice-dp has for $DST, UDP flows to $DST from
# sl-inet counted at the far hosts, and the failover and recovery checks.
# The test sets ECMP_AF (4 or 6), DST, KTABLE (SL_KTABLE) and the far
# hosts' addresses V1 and V2, and writes $tmp/{gw,far1,far2}.conf; this
# file sets SLOG, EXC, BIRD and BIRDC (SL_BIRD, SL_BIRDC).
# shellcheck shell=bash disable=SC2317,SC2016 # functions run through check and the trap; awk programs
# shellcheck disable=SC2034,SC2154 # ecmp_timers is the tests', tmp is lib.sh's

bird_pids=()
SLOG=${SLUICE_LAB_RUN:-/run/sluice-lab}/sluiced.log
BIRD=${SL_BIRD:-/usr/sbin/bird}
BIRDC=${SL_BIRDC:-/usr/sbin/birdc}
EXC=sl-exc0 # the exception path of sluice-dp's outside port

# run at exit by lab_test_cleanup (lib.sh) when this run held the lab
extra_cleanup() {
	stop_birds "${bird_pids[@]}"
	ip -"$ECMP_AF" route flush table "$KTABLE" 2>/dev/null
}

# ecmp_lab_up NAME: lab_test_init NAME (lib.sh: the lab lock, $tmp), the
# lab up with sluice-dp's exception path EXC on the outside port, an empty
# kernel table KTABLE
ecmp_lab_up() {
	lab_test_init "$1"
	[[ -x $BIRD && -x $BIRDC ]] || tap_bail "BIRD is not installed (Debian package bird2)"
	timeout -k 5 120 "$SL_LAB" up >/dev/null 2>&1 || tap_bail "scripts/lab up failed"
	lab_exception_dp "$EXC" || tap_bail "could not add the exception key to dp-lab.json"
	[[ -z $(ip -"$ECMP_AF" route show table "$KTABLE" 2>/dev/null) ]] ||
		tap_bail "kernel table $KTABLE is in use (SL_KTABLE=N picks another)"
}

# ecmp_lab_start "SLUICED_ARGS" ADDR: start sluice-dp and sluiced mirroring
# KTABLE (plus SLUICED_ARGS), wait for sluiced to put ADDR ("inet A/L" as
# `ip -o addr` shows it) on EXC
ecmp_lab_start() {
	local i
	env SLUICED_ARGS="--kernel-table $KTABLE --exception $EXC $1" SLUICE_LAB_TIMEOUT=60 \
		timeout -k 5 90 "$SL_LAB" start >/dev/null 2>&1 ||
		tap_bail "scripts/lab start failed: $(tail -5 "$SLOG" 2>/dev/null)"
	for ((i = 0; i < 50; i++)); do
		ip -o addr show dev "$EXC" 2>/dev/null | grep -q "$2" && return 0
		sleep 0.1
	done
	tap_bail "sluiced did not configure $EXC: $(ip addr show dev "$EXC" 2>&1)"
}

stop_birds() {
	local p i
	for p in "$@"; do
		kill "$p" 2>/dev/null
	done
	for p in "$@"; do
		for ((i = 0; i < 50; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	done
}

# short timers so that a session that went down comes back within seconds
ecmp_timers="hold time 9; keepalive time 3; connect retry time 1; connect delay time 1; error wait time 1, 2;"
bfd_iface() { # IFACE
	echo "protocol bfd { interface \"$1\" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; }; }"
}
gwc() { timeout 10 "$BIRDC" -s "$tmp/bird-gw.ctl" "$@"; }

# ecmp_check_confs: BIRD parses the three configs (or the test bails out)
ecmp_check_confs() {
	local c out
	for c in gw far1 far2; do
		out=$("$BIRD" -p -c "$tmp/$c.conf" 2>&1) || tap_bail "BIRD refuses $c.conf: $out"
	done
}

# ecmp_start_birds: the gateway's BIRD here, each far host's in its namespace
ecmp_start_birds() {
	local n
	"$BIRD" -f -c "$tmp/gw.conf" -s "$tmp/bird-gw.ctl" -P "$tmp/bird-gw.pid" </dev/null >/dev/null 2>&1 8>&- &
	bird_pids+=($!)
	for n in 1 2; do
		ip netns exec sl-far$n "$BIRD" -f -c "$tmp/far$n.conf" -s "$tmp/bird-far$n.ctl" \
			-P "$tmp/bird-far$n.pid" </dev/null >/dev/null 2>&1 8>&- &
		bird_pids+=($!)
	done
}

# sessions_up N [SECONDS]: BGP sessions established and BFD sessions up are
# both >= N
sessions_up() {
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

# members [ADDR]: the vias sluice-dp's Internet table sends ADDR ($DST) to,
# sorted, space-separated ("-" when the route is not from the kernel table)
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
	ip -"$ECMP_AF" route show table "$KTABLE"
	return 1
}

udp_in() { # NODE: UDP datagrams to closed ports sl-NODE received
	if ((ECMP_AF == 4)); then
		ip netns exec "sl-$1" awk '/^Udp: [0-9]/ {print $3}' /proc/net/snmp
	else
		ip netns exec "sl-$1" awk '$1 == "Udp6NoPorts" {print $2}' /proc/net/snmp6
	fi
}
# flows N BASE: one UDP datagram from each source port BASE..BASE+N-1
flows() {
	in_ns inet "$SL_PY" -c '
import socket, sys
n, base = int(sys.argv[1]), int(sys.argv[2])
af = socket.AF_INET if sys.argv[4] == "4" else socket.AF_INET6
for p in range(base, base + n):
    s = socket.socket(af, socket.SOCK_DGRAM)
    s.bind(("", p))
    s.sendto(b"ecmp", (sys.argv[3], 9))
    s.close()' "$1" "$2" "$DST" "$ECMP_AF"
}
# spread N BASE: send N flows, set got1/got2 to what each far host received
spread() {
	local a1 a2
	a1=$(udp_in far1) a2=$(udp_in far2)
	flows "$1" "$2"
	sleep 0.5
	got1=$(($(udp_in far1) - a1)) got2=$(($(udp_in far2) - a2))
	diag "$1 flows: far1 $got1, far2 $got2"
}

# ecmp_traffic_checks (3 checks): flows spread over both far hosts, the
# per-member counters, one flow on one path
ecmp_traffic_checks() {
	local k a1 a2 d1 d2
	flows 64 30000 # warm up: the gateway resolves both upstreams
	sleep 1
	spread 400 31000
	check "400 flows spread over both upstreams (each >= 25 %, none lost: far1 $got1, far2 $got2)" \
		test $((got1 + got2)) -eq 400 -a "$got1" -ge 100 -a "$got2" -ge 100
	ctl_check "per-member packet counters in sluicectl add up" \
		'sum(m["packets"] for m in j["nexthop"]["members"]) >= 464 and all(m["packets"] > 0 for m in j["nexthop"]["members"])' \
		lookup "$DST"
	a1=$(udp_in far1) a2=$(udp_in far2)
	for ((k = 0; k < 20; k++)); do flows 1 32000; done
	sleep 0.5
	d1=$(($(udp_in far1) - a1)) d2=$(($(udp_in far2) - a2))
	check "one flow's 20 datagrams all take one path (far1 $d1, far2 $d2)" \
		bash -c "(( ($d1 == 20 && $d2 == 0) || ($d1 == 0 && $d2 == 20) ))"
}

ecmp_recovered() { sessions_up 2 30 && wait_members "$V1 $V2" 10; }

# ecmp_failover_checks NAME (6 checks): far1's link down, everything to
# far2 (prints NAME_failover_ms), far1 back, both again; sluice-dp in sync
ecmp_failover_checks() {
	local t0 t1 rc ms
	t0=$(date +%s%N)
	ip -n sl-far1 link set far1 down
	wait_members "$V2" 5
	rc=$?
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	check "far1's link down: BFD withdraws it, sluice-dp sends everything to far2 ($ms ms)" test $rc -eq 0
	((rc == 0)) && diag "$1_failover_ms=$ms"
	declare -F ecmp_after_failover >/dev/null && ecmp_after_failover
	check "... within about a second" test "$ms" -le 1500
	spread 200 33000
	check "after the failover all 200 flows reach far2" test "$got2" -eq 200

	t0=$(date +%s%N)
	ip -n sl-far1 link set far1 up
	check "far1 back: BFD and BGP up again, the group has both upstreams" ecmp_recovered
	diag "$1_recover_s=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN{printf "%.1f", (b-a)/1e9}')"
	sleep 0.5
	spread 400 34000
	check "flows spread over both again (far1 $got1, far2 $got2)" \
		test $((got1 + got2)) -eq 400 -a "$got1" -ge 100 -a "$got2" -ge 100
	ctl_check "sluice-dp still in sync" 'j["synced"] is True' status
}
