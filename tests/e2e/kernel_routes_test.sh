#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/kernel_routes_test.sh: kernel routes mirrored into the Internet
# table (sluiced --kernel-table, issue 8 first slice), with traffic.
#
# sluiced runs in the lab's root namespace and watches kernel table
# KTABLE (24601, which nothing else uses); the test fills that table with
# `ip route ... table 24601 dev slkr0 onlink`: the gateways are addresses
# on the outside subnet, slkr0 is a veth of the test's own with IPv6 on
# (the lab's sl-out has IPv6 off, and the kernel wants a nexthop device
# even for routes it never uses to forward: no ip rule points at the
# table). All of it is removed at exit. Two far hosts behind the Internet side (far1
# 203.0.113.3, far2 203.0.113.4: macvlans on the inet namespace's link, as
# far_host of lib.sh) own 198.51.100.177 and 2001:db8:eeee:77::77; the inet
# namespace sends to them through the gateway, so each echo is forwarded by
# the Internet table (and so are the replies). Checks:
#   1. a route in the table before sluiced starts is mirrored by the first
#      dump (traffic reaches far1);
#   2. a route added later (IPv6) is mirrored (traffic reaches far1), a
#      changed gateway moves the flow to far2, a delete removes the route
#      (nothing reaches the far hosts any more: the config's default route
#      via the inet namespace takes over);
#   3. routes sluice cannot use (blackhole, device route) are logged with
#      their reason, and sluiced keeps forwarding; a multipath route is
#      mirrored as an ECMP group (docs/architecture.md; tests/e2e/ecmp_test.sh
#      has the traffic), and an IPv6 multipath route that loses a next hop
#      keeps the rest;
#   4. 100,000 routes (real BGP prefixes from ../shared/data, or synthetic)
#      loaded with one `ip -batch` converge: a sample and the last prefix
#      resolve to the batch's gateway in the data plane's table; the time
#      from the start of the batch is printed as kernel_converge_s=N, and
#      flushing the table removes them again;
#   5. overrun: while sluiced is stopped (SIGSTOP) the batch is added and
#      flushed four times and half of it added via another gateway, more
#      notifications than the monitor socket holds: sluiced logs the loss,
#      dumps the table again and ends with exactly that half.
# shellcheck disable=SC2317 # functions run through check and the trap
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAN=28
tap_plan $PLAN

RUN=${SLUICE_LAB_RUN:-/run/sluice-lab}
SLOG=$RUN/sluiced.log
KTABLE=${SL_KTABLE:-24601}
NBATCH=${SL_KBATCH:-100000}
REAL=$SL_ROOT/../shared/data/bgp-prefixes.txt.gz

# At exit (lab_test_cleanup of lib.sh), besides the lab and the far hosts.
extra_cleanup() {
	ip -4 route flush table "$KTABLE" 2>/dev/null
	ip -6 route flush table "$KTABLE" 2>/dev/null
	ip link del slkr0 2>/dev/null
}
lab_test_init kroutes # root, a build, $tmp, the lab lock; cleans up at exit
timeout -k 5 120 "$SL_LAB" up >/dev/null 2>&1 || tap_bail "scripts/lab up failed"
[[ -z $(ip -4 route show table "$KTABLE" 2>/dev/null; ip -6 route show table "$KTABLE" 2>/dev/null) ]] ||
	tap_bail "kernel table $KTABLE is in use (SL_KTABLE=N picks another)"
ip link del slkr0 2>/dev/null
ip link add slkr0 type veth peer name slkr1 &&
	sysctl -qw net.ipv6.conf.slkr0.disable_ipv6=0 net.ipv6.conf.slkr1.disable_ipv6=0 &&
	ip link set slkr1 up && ip link set slkr0 up || tap_bail "cannot create the veth slkr0"

# kroute ARGS...: `ip route ARGS` in the watched table, through slkr0
kroute() {
	local verb=$1
	shift
	ip route "$verb" "$@" table "$KTABLE"
}
onl() { echo dev slkr0 onlink; }

# 1. in the table before sluiced starts: the first dump must carry it
# shellcheck disable=SC2046
kroute add 198.51.100.128/25 via 203.0.113.3 $(onl) || tap_bail "cannot add to table $KTABLE"

env SLUICED_ARGS="--kernel-table $KTABLE" SLUICE_LAB_TIMEOUT=60 \
	timeout -k 5 90 "$SL_LAB" start >/dev/null 2>&1 ||
	tap_bail "scripts/lab start failed: $(tail -5 "$SLOG" 2>/dev/null)"
check "start: sluiced dumped table $KTABLE and mirrored its route" \
	grep -q "kernel routes: table $KTABLE synced: 1 prefix(es) mirrored" "$SLOG"

# ---------------------------------------------------------------- far hosts

# far_host and echoes: lib.sh
far_host far1 203.0.113.3 2001:db8:ffff::3 198.51.100.177 2001:db8:eeee:77::77 &&
	far_host far2 203.0.113.4 2001:db8:ffff::4 198.51.100.177 2001:db8:eeee:77::77 &&
	ip -n sl-inet route replace 198.51.100.128/25 via 203.0.113.2 &&
	ip -n sl-inet -6 route replace 2001:db8:eeee:77::/64 via 2001:db8:ffff::2 ||
	tap_bail "cannot set up the far hosts"

# dyn ADDR NEXTHOP|-: the data plane's Internet table sends ADDR to
# NEXTHOP by a route-source route (-: ADDR is covered by none).
dyn() {
	local expr="j['origin'] == 'dynamic' and '$2' in json.dumps(j['nexthop'])"
	[[ $2 == - ]] && expr="j['origin'] != 'dynamic'"
	json_eval "$(ctl --json lookup "$1" 2>/dev/null)" "$expr" >/dev/null 2>&1
}
# wait_dyn ADDR NEXTHOP|-: dyn, waiting up to 10 s for the publish.
wait_dyn() {
	local i
	for ((i = 0; i < 100; i++)); do
		dyn "$@" && return 0
		sleep 0.1
	done
	ctl lookup "$1"
	return 1
}

# ---------------------------------------------------------------- 2. changes

e1=$(echoes far1 4)
check "dumped route: inet -> 198.51.100.177 forwarded to far1" \
	in_ns inet ping -c 3 -W 1 198.51.100.177
check "dumped route: far1 received the echoes" test $(($(echoes far1 4) - e1)) -ge 3

# shellcheck disable=SC2046
kroute add 2001:db8:eeee:77::/64 via 2001:db8:ffff::3 $(onl)
check "added route (IPv6): in the data plane's table via far1" \
	wait_dyn 2001:db8:eeee:77::77 2001:db8:ffff::3
e1=$(echoes far1 6)
check "added route (IPv6): inet -> 2001:db8:eeee:77::77 forwarded" \
	in_ns inet ping -6 -c 3 -W 1 2001:db8:eeee:77::77
check "added route (IPv6): far1 received the echoes" test $(($(echoes far1 6) - e1)) -ge 3

# shellcheck disable=SC2046
kroute replace 198.51.100.128/25 via 203.0.113.4 $(onl)
e1=$(echoes far1 4) e2=$(echoes far2 4)
check "changed gateway: 198.51.100.128/25 now via far2 in the data plane" \
	wait_dyn 198.51.100.177 203.0.113.4
in_ns inet ping -c 3 -W 1 198.51.100.177 >/dev/null 2>&1
check "changed gateway: the flow moved to far2 (far1 got none)" \
	test $(($(echoes far2 4) - e2)) -ge 3 -a "$(echoes far1 4)" -eq "$e1"

kroute del 198.51.100.128/25
ip -6 route del 2001:db8:eeee:77::/64 table "$KTABLE"
check "deleted routes: gone from the data plane's table (v4 and v6)" \
	wait_dyn 198.51.100.177 - && wait_dyn 2001:db8:eeee:77::77 -
e1=$(echoes far1 4) e2=$(echoes far2 4) e6=$(($(echoes far1 6) + $(echoes far2 6)))
in_ns inet ping -c 2 -W 1 198.51.100.177 >/dev/null 2>&1
in_ns inet ping -6 -c 2 -W 1 2001:db8:eeee:77::77 >/dev/null 2>&1
check "deleted routes: no echo reaches a far host any more" \
	test "$(echoes far1 4)" -eq "$e1" -a "$(echoes far2 4)" -eq "$e2" \
	-a $(($(echoes far1 6) + $(echoes far2 6))) -eq "$e6"

# ---------------------------------------------------------------- 3. unusable

kroute add blackhole 192.0.2.0/25
kroute add 192.0.2.128/25 dev slkr0
ip route add 198.18.0.0/24 table "$KTABLE" nexthop via 203.0.113.3 dev slkr0 onlink \
	nexthop via 203.0.113.4 dev slkr0 onlink
# shellcheck disable=SC2046
kroute add 198.18.1.0/24 via 203.0.113.3 $(onl) # a marker after them
check "unusable routes: the marker after them is mirrored (the loop went on)" \
	wait_dyn 198.18.1.1 203.0.113.3
check "unusable routes: blackhole and device routes logged with their reason" \
	bash -c "grep -q '192.0.2.0/25 via - not used: not a unicast' $SLOG &&
		grep -q '192.0.2.128/25 via - not used: no gateway' $SLOG"
check "unusable routes: none of them is in the data plane's table" \
	dyn 192.0.2.1 - && dyn 192.0.2.129 -
check "IPv4 multipath: mirrored as a group of both next hops" \
	wait_dyn 198.18.0.1 203.0.113.3 && dyn 198.18.0.1 203.0.113.4
ip -4 route flush table "$KTABLE"

# An IPv6 multipath route is built by appends; when it loses a next hop the
# kernel notifies only the delete of that one: sluiced must find the rest.
# shellcheck disable=SC2046
kroute add 2001:db8:eeee:77::/64 via 2001:db8:ffff::3 $(onl) &&
	wait_dyn 2001:db8:eeee:77::77 2001:db8:ffff::3 >/dev/null
# shellcheck disable=SC2046
kroute append 2001:db8:eeee:77::/64 via 2001:db8:ffff::4 $(onl)
check "IPv6 multipath: mirrored as a group of both next hops" \
	wait_dyn 2001:db8:eeee:77::77 2001:db8:ffff::4 && dyn 2001:db8:eeee:77::77 2001:db8:ffff::3
# shellcheck disable=SC2046
kroute del 2001:db8:eeee:77::/64 via 2001:db8:ffff::3 $(onl)
only_far2() { # the route via far2 alone (far1's next hop gone from it)
	local i
	for ((i = 0; i < 100; i++)); do
		dyn 2001:db8:eeee:77::77 2001:db8:ffff::4 && ! dyn 2001:db8:eeee:77::77 2001:db8:ffff::3 &&
			return 0
		sleep 0.1
	done
	ctl lookup 2001:db8:eeee:77::77
	return 1
}
check "IPv6 multipath shrunk to one next hop: mirrored via far2 alone" only_far2
e2=$(echoes far2 6)
check "IPv6 multipath shrunk: inet -> 2001:db8:eeee:77::77 reaches far2" \
	in_ns inet ping -6 -c 3 -W 1 2001:db8:eeee:77::77
check "IPv6 multipath shrunk: far2 received the echoes" test $(($(echoes far2 6) - e2)) -ge 3
ip -6 route flush table "$KTABLE"

# ---------------------------------------------------------------- 4. 100,000 routes

# The batch: real prefixes (documentation, lab and default ones left out),
# via 203.0.113.5 / 2001:db8:ffff::5 so the data plane's answer shows the
# kernel route; every tenth IPv6. Prints a sample of addresses to check and
# puts the last prefix's address last.
if [[ -r $REAL ]]; then SRC=$REAL; else SRC=synthetic; fi
timeout 120 "$SL_PY" "$SL_ROOT/tests/e2e/pick_prefixes.py" "$SRC" "$NBATCH" "$tmp/prefixes" \
	>"$tmp/sample" &&
	awk -v t="$KTABLE" '{ printf "route add %s via %s dev slkr0 onlink table %s\n", $1,
		(index($1, ":") ? "2001:db8:ffff::5" : "203.0.113.5"), t }' "$tmp/prefixes" >"$tmp/batch" ||
	tap_bail "cannot write the batch"
NB=$(tail -1 "$tmp/sample")
last=$(tail -2 "$tmp/sample" | head -1)
diag "batch: $NB routes from $SRC"
t0=$(date +%s.%N)
check "ip -batch: $NB routes added to table $KTABLE" timeout 300 ip -batch "$tmp/batch"
t1=$(date +%s.%N)
conv=
for ((i = 0; i < 1200; i++)); do
	if dyn "$last" 2001:db8:ffff::5; then
		conv=$(date +%s.%N)
		break
	fi
	sleep 0.1
done
check "100k: the last route of the batch reached the data plane" test -n "$conv"
if [[ -n $conv ]]; then
	diag "ip -batch took $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') s; from its start to the last route in the data plane:"
	diag "kernel_converge_s=$(awk -v a="$t0" -v b="$conv" 'BEGIN{printf "%.2f", b-a}')"
fi
bad=0
while read -r a; do
	[[ $a == *:* ]] && v=2001:db8:ffff::5 || v=203.0.113.5
	dyn "$a" "$v" ||
		{
			bad=$((bad + 1))
			diag "$a: $(ctl lookup "$a" 2>&1 | tr '\n' ' ')"
		}
done < <(head -n -1 "$tmp/sample")
check "100k: a sample of 27 prefixes resolves to the batch's gateway" test "$bad" -eq 0
diag "$(grep -E 'kernel routes: (notifications lost|table [0-9]+ synced)' "$SLOG" | tail -3)"
t0=$(date +%s.%N)
# `ip route flush` gives up after a few rounds on a loaded machine ("Flush
# not completed"): flush until the table is empty
flush_table() {
	local k
	for ((k = 0; k < 20; k++)); do
		ip -4 route flush table "$KTABLE" 2>/dev/null
		ip -6 route flush table "$KTABLE" 2>/dev/null
		[[ -z $(ip -4 route show table "$KTABLE" | head -1; ip -6 route show table "$KTABLE" | head -1) ]] &&
			return 0
	done
	return 1
}
flush_table || diag "flush: the table did not empty"
check "flush: the batch's routes left the data plane" \
	wait_dyn "$last" - && wait_dyn "$(head -1 "$tmp/sample")" -
diag "flush of $NB routes to the data plane: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}') s"
# ---------------------------------------------------------------- 5. overrun

# addr LINE: the network address of the batch's line LINE
addr() { sed -n "$1{s|^route add \([^/]*\)/.*|\1|p}" "$tmp/batch"; }
n4=$(grep -c ' via 203' "$tmp/batch")
half=$((n4 / 2))
sed -n "1,${half}p" "$tmp/batch" | sed 's/via 203.0.113.5/via 203.0.113.7/' >"$tmp/half"
spid=$(cat "$RUN/sluiced.pid")
kill -STOP "$spid"
for ((i = 0; i < 4; i++)); do
	timeout 300 ip -batch "$tmp/batch" && flush_table || break
done
((i == 4)) || diag "overrun: round $i of adding and flushing failed"
timeout 300 ip -batch "$tmp/half"
diag "netlink sockets with drops while sluiced was stopped: $(awk 'NR > 1 && $9 > 0 {print "rmem " $5 " drops " $9}' /proc/net/netlink | tr '\n' ';')"
kill -CONT "$spid"
check "overrun: the half's first prefix resolves via the new gateway" \
	wait_dyn "$(addr 1)" 203.0.113.7
check "overrun: sluiced logged the loss and resynced to exactly the $half routes of the kernel" \
	bash -c "grep -q 'notifications lost' $SLOG &&
		grep -q 'table $KTABLE synced: $half prefix(es) mirrored' $SLOG"
# dyn2 A1 V1 A2 V2: both
dyn2() { dyn "$1" "$2" && dyn "$3" "$4"; }
check "overrun: routes gone from the kernel meanwhile are gone (v4 and v6)" \
	dyn2 "$(addr "$n4")" - "$last" -
check "overrun: a sample of the half resolves via the new gateway" \
	dyn2 "$(addr $((half / 3)))" 203.0.113.7 "$(addr $((half - 1)))" 203.0.113.7
diag "$(grep -E 'kernel routes: (notifications lost|table [0-9]+ synced)' "$SLOG" | tail -2)"
ip -4 route flush table "$KTABLE"

ctl_check "sluicectl status in sync after it all" 'j["synced"] is True' status
check "sluiced still running" kill -0 "$(cat "$RUN/sluiced.pid")"

tap_done
