#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/bgp_test.sh: routes learnt over real BGP reach the data plane
# (issue 8, "Real BGP"), the way a Linux router learns them: BIRD on the
# gateway host installs what it hears in a kernel table, sluiced mirrors
# that table (--kernel-table) into the Internet table.
#
# Topology (besides the lab of scripts/lab):
#   sl-bgpup (namespace): BIRD "upstream", AS 65002, 203.0.113.253 and
#       2001:db8:ffff::fd on a macvlan of the Internet side's link (a
#       far_host); announces static routes with the far hosts as
#       third-party next hops (next hop keep);
#   root namespace: BIRD "gateway", AS 65001, on the gateway's own outside
#       addresses 203.0.113.2 and 2001:db8:ffff::2, which sluiced
#       (--exception) puts on sl-exc0, the exception path of sluice-dp's
#       outside port (docs/sluice-dp.md):
#       the BGP sessions run through sluice-dp like a real gateway's;
#       exports what BGP learnt to kernel table KTABLE (nothing else uses
#       it, no ip rule points at it);
#   far1 203.0.113.3 / far2 203.0.113.4: macvlans behind the Internet side
#       (far_host of lib.sh) owning 198.51.100.177 and 2001:db8:eeee:77::77.
# Checks: the sessions come up through the exception path; announced prefixes appear in sluice-dp (v4 and v6) and
# traffic from the inet namespace follows them to far1; a changed next
# hop moves the flow to far2; a withdrawal removes the route; 100,000 real
# prefixes (../shared/data, or synthetic) announced at once converge, time
# printed as bgp_converge_s=N next to bgp_kernel_s=N (when BIRD had them
# all in the kernel table: the peer figure) and their ratio
# sluice_vs_kernel (scripts/bench-bgp prints these), and leave again when
# withdrawn (bgp_withdraw_s). Both BIRDs run with their own sockets and
# configs under $tmp and are stopped by PID. TAP.
# shellcheck disable=SC2317 # functions run through check and the trap
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAN=14
tap_plan $PLAN

RUN=${SLUICE_LAB_RUN:-/run/sluice-lab}
SLOG=$RUN/sluiced.log
KTABLE=${SL_KTABLE:-24602}
NBIG=${SL_BGP_PREFIXES:-100000} # scripts/bench-bgp sets it
REAL=$SL_ROOT/../shared/data/bgp-prefixes.txt.gz
BIRD=${SL_BIRD:-/usr/sbin/bird}
BIRDC=${SL_BIRDC:-/usr/sbin/birdc}
bird_pids=()

extra_cleanup() {
	local p
	for p in "${bird_pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${bird_pids[@]}"; do
		for ((i = 0; i < 50; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	done
	ip -4 route flush table "$KTABLE" 2>/dev/null
	ip -6 route flush table "$KTABLE" 2>/dev/null
}
lab_test_init bgp # root, a build, $tmp, the lab lock; cleans up at exit
[[ -x $BIRD && -x $BIRDC ]] || tap_bail "BIRD is not installed (Debian package bird2)"
timeout -k 5 120 "$SL_LAB" up >/dev/null 2>&1 || tap_bail "scripts/lab up failed"
EXC=sl-exc0
lab_exception_dp "$EXC" || tap_bail "could not add the exception key to dp-lab.json"
[[ -z $(ip -4 route show table "$KTABLE" 2>/dev/null; ip -6 route show table "$KTABLE" 2>/dev/null) ]] ||
	tap_bail "kernel table $KTABLE is in use (SL_KTABLE=N picks another)"

# ---------------------------------------------------------------- the peering link
# the upstream router: a host on the Internet side's link
far_host bgpup 203.0.113.253 2001:db8:ffff::fd || tap_bail "cannot set up the upstream host"

far_host far1 203.0.113.3 2001:db8:ffff::3 198.51.100.177 2001:db8:eeee:77::77 &&
	far_host far2 203.0.113.4 2001:db8:ffff::4 198.51.100.177 2001:db8:eeee:77::77 &&
	ip -n sl-inet route replace 198.51.100.128/25 via 203.0.113.2 &&
	ip -n sl-inet -6 route replace 2001:db8:eeee:77::/64 via 2001:db8:ffff::2 ||
	tap_bail "cannot set up the far hosts"

# ---------------------------------------------------------------- the prefixes
if [[ -r $REAL ]]; then SRC=$REAL; else SRC=synthetic; fi
timeout 120 "$SL_PY" "$SL_ROOT/tests/e2e/pick_prefixes.py" "$SRC" "$NBIG" "$tmp/prefixes" \
	>"$tmp/sample" || tap_bail "cannot pick the prefixes"
NB=$(tail -1 "$tmp/sample")
last4=$(tail -3 "$tmp/sample" | head -1)
last6=$(tail -2 "$tmp/sample" | head -1)
# (BIRD takes `include` only between statements: whole protocol blocks)
{
	echo "protocol static big4 { disabled; ipv4;"
	grep -v : "$tmp/prefixes" | sed 's|.*|route & via 203.0.113.4;|'
	echo "}"
	echo "protocol static big6 { disabled; ipv6;"
	grep : "$tmp/prefixes" | sed 's|.*|route & via 2001:db8:ffff::4;|'
	echo "}"
} >"$tmp/big.conf"

# ---------------------------------------------------------------- the two BIRDs
# upstream: s4/s6 the test routes (next hop far1 at first), big4/big6 the
# large table (disabled until the convergence check).
cat >"$tmp/up.conf" <<EOF
router id 203.0.113.253;
log "$tmp/bird-up.log" all;
protocol device { scan time 5; }
protocol static s4 { ipv4; route 198.51.100.128/25 via 203.0.113.3; }
protocol static s6 { ipv6; route 2001:db8:eeee:77::/64 via 2001:db8:ffff::3; }
include "$tmp/big.conf";
protocol bgp gw4 {
	local 203.0.113.253 as 65002; neighbor 203.0.113.2 as 65001;
	hold time 30;
	ipv4 { import none; export all; next hop keep; };
}
protocol bgp gw6 {
	local 2001:db8:ffff::fd as 65002; neighbor 2001:db8:ffff::2 as 65001;
	hold time 30;
	ipv6 { import none; export all; next hop keep; };
}
EOF
# gateway: what BGP learnt goes to kernel table KTABLE, nothing else
cat >"$tmp/gw.conf" <<EOF
router id 203.0.113.2;
log "$tmp/bird-gw.log" all;
protocol device { scan time 5; }
protocol kernel k4 { kernel table $KTABLE; ipv4 { import none; export filter { if source = RTS_BGP then accept; reject; }; }; }
protocol kernel k6 { kernel table $KTABLE; ipv6 { import none; export filter { if source = RTS_BGP then accept; reject; }; }; }
protocol bgp up4 {
	local 203.0.113.2 as 65001; neighbor 203.0.113.253 as 65002;
	hold time 30;
	ipv4 { import all; export none; };
}
protocol bgp up6 {
	local 2001:db8:ffff::2 as 65001; neighbor 2001:db8:ffff::fd as 65002;
	hold time 30;
	ipv6 { import all; export none; };
}
EOF
upc() { timeout 20 "$BIRDC" -s "$tmp/bird-up.ctl" "$@"; }
gwc() { timeout 20 "$BIRDC" -s "$tmp/bird-gw.ctl" "$@"; }

env SLUICED_ARGS="--kernel-table $KTABLE --exception $EXC" SLUICE_LAB_TIMEOUT=60 \
	timeout -k 5 90 "$SL_LAB" start >/dev/null 2>&1 ||
	tap_bail "scripts/lab start failed: $(tail -5 "$SLOG" 2>/dev/null)"
# the host's side of the outside link: sluiced puts the gateway's addresses
# on the TAP (--exception)
for ((i = 0; i < 50; i++)); do
	ip -o addr show dev "$EXC" 2>/dev/null | grep -q "inet 203.0.113.2/24" &&
		ip -o addr show dev "$EXC" | grep -q "inet6 2001:db8:ffff::2/64" && break
	sleep 0.1
done
((i < 50)) || tap_bail "sluiced did not configure $EXC: $(ip addr show dev "$EXC" 2>&1)"

"$BIRD" -f -c "$tmp/gw.conf" -s "$tmp/bird-gw.ctl" -P "$tmp/bird-gw.pid" </dev/null >/dev/null 2>&1 8>&- &
bird_pids+=($!)
ip netns exec sl-bgpup "$BIRD" -f -c "$tmp/up.conf" -s "$tmp/bird-up.ctl" -P "$tmp/bird-up.pid" \
	</dev/null >/dev/null 2>&1 8>&- &
bird_pids+=($!)

established() {
	local i
	for ((i = 0; i < 300; i++)); do
		[[ $(gwc show protocols 2>/dev/null | grep -c 'Established') -ge 2 ]] && return 0
		sleep 0.1
	done
	gwc show protocols
	tail -n 5 "$tmp/bird-gw.log" "$tmp/bird-up.log"
	return 1
}
check "BGP sessions up4 (IPv4) and up6 (IPv6) established" established ||
	tap_bail "no BGP session"
exc_counts=$(ctl --json counters | "$SL_PY" -c 'import json,sys
c = {x["counter"]: x["total"] for x in json.load(sys.stdin)["counters"]}
print(c["exception_to_kernel"], c["exception_from_kernel"])')
check "... through sluice-dp's exception path (to/from the kernel: $exc_counts)" \
	bash -c "read -r a b <<<'$exc_counts'; ((a >= 4 && b >= 4))"

# dyn ADDR NEXTHOP|-: the data plane's Internet table sends ADDR to NEXTHOP
# by a route-source route (-: ADDR is covered by none).
dyn() {
	local expr="j['origin'] == 'dynamic' and '$2' in json.dumps(j['nexthop'])"
	[[ $2 == - ]] && expr="j['origin'] != 'dynamic'"
	json_eval "$(ctl --json lookup "$1" 2>/dev/null)" "$expr" >/dev/null 2>&1
}
wait_dyn() { # ADDR NEXTHOP|- [SECONDS]
	local i
	for ((i = 0; i < ${3:-15} * 10; i++)); do
		dyn "$1" "$2" && return 0
		sleep 0.1
	done
	ctl lookup "$1"
	ip route show table "$KTABLE" | head -3
	return 1
}

# ---------------------------------------------------------------- announce, move, withdraw
check "announced 198.51.100.128/25 (next hop far1) is in sluice-dp's Internet table" \
	wait_dyn 198.51.100.177 203.0.113.3
check "announced 2001:db8:eeee:77::/64 (IPv6, next hop far1) is in sluice-dp's Internet table" \
	wait_dyn 2001:db8:eeee:77::77 2001:db8:ffff::3
e1=$(echoes far1 4) e6=$(echoes far1 6)
in_ns inet ping -c 3 -W 1 198.51.100.177 >/dev/null 2>&1
in_ns inet ping -6 -c 3 -W 1 2001:db8:eeee:77::77 >/dev/null 2>&1
check "traffic inet -> 198.51.100.177 and 2001:db8:eeee:77::77 follows BGP to far1" \
	test $(($(echoes far1 4) - e1)) -ge 3 -a $(($(echoes far1 6) - e6)) -ge 3

# the upstream now announces far2 as next hop: a new config, `configure`
sed -i 's|route 198.51.100.128/25 via 203.0.113.3|route 198.51.100.128/25 via 203.0.113.4|' "$tmp/up.conf"
out=$(upc configure 2>&1)
check "upstream reconfigured (next hop far2)" grep -q 'Reconfigured' <<<"$out"
check "the changed next hop reaches the data plane" wait_dyn 198.51.100.177 203.0.113.4
e1=$(echoes far1 4) e2=$(echoes far2 4)
in_ns inet ping -c 3 -W 1 198.51.100.177 >/dev/null 2>&1
check "the flow moved to far2 (far1 got none)" \
	test $(($(echoes far2 4) - e2)) -ge 3 -a "$(echoes far1 4)" -eq "$e1"

upc disable s4 >/dev/null
upc disable s6 >/dev/null
out=$(wait_dyn 198.51.100.177 - && wait_dyn 2001:db8:eeee:77::77 -)
check "withdrawn (v4 and v6): gone from the data plane's table" test $? -eq 0 || diag "$out"
e1=$(($(echoes far1 4) + $(echoes far2 4)))
in_ns inet ping -c 2 -W 1 198.51.100.177 >/dev/null 2>&1
check "withdrawn: no echo reaches a far host any more" \
	test "$(($(echoes far1 4) + $(echoes far2 4)))" -eq "$e1"

# ---------------------------------------------------------------- a large table
diag "large table: $NB prefixes from $SRC"
t0=$(date +%s.%N)
upc enable big4 >/dev/null && upc enable big6 >/dev/null
# the peer figure: when the kernel table (BIRD's own work) has the last
# prefixes; then when sluice-dp has them (sluiced's mirror on top)
lastp4=$(grep -v : "$tmp/prefixes" | tail -1) lastp6=$(grep : "$tmp/prefixes" | tail -1)
conv= kern=
for ((i = 0; i < 3000; i++)); do
	if [[ -z $kern && -n $(ip -4 route show table "$KTABLE" exact "$lastp4") &&
		-n $(ip -6 route show table "$KTABLE" exact "$lastp6") ]]; then
		kern=$(date +%s.%N)
	fi
	if dyn "$last4" 203.0.113.4 && dyn "$last6" 2001:db8:ffff::4; then
		conv=$(date +%s.%N)
		[[ -z $kern ]] && kern=$conv
		break
	fi
	sleep 0.1
done
check "$NB prefixes announced at once: the last v4 and v6 ones reached the data plane" test -n "$conv"
if [[ -n $conv ]]; then
	diag "bgp_kernel_s=$(awk -v a="$t0" -v b="$kern" 'BEGIN{printf "%.2f", b-a}')"
	diag "bgp_converge_s=$(awk -v a="$t0" -v b="$conv" 'BEGIN{printf "%.2f", b-a}')"
	diag "sluice_vs_kernel=$(awk -v a="$t0" -v b="$conv" -v k="$kern" 'BEGIN{printf "%.2f", (b-a)/(k-a)}')"
	diag "$(gwc show route count 2>/dev/null | tail -2 | tr '\n' ' ')"
fi
bad=0
while read -r a; do
	[[ $a == *:* ]] && v=2001:db8:ffff::4 || v=203.0.113.4
	dyn "$a" "$v" || {
		bad=$((bad + 1))
		diag "$a: $(ctl lookup "$a" 2>&1 | tr '\n' ' ')"
	}
done < <(head -n 25 "$tmp/sample")
check "a sample of 25 announced prefixes resolves to the announced next hop" test "$bad" -eq 0
t0=$(date +%s.%N)
upc disable big4 >/dev/null && upc disable big6 >/dev/null
gone=
for ((i = 0; i < 3000; i++)); do
	if dyn "$last4" - && dyn "$last6" - && dyn "$(head -1 "$tmp/sample")" -; then
		gone=$(date +%s.%N)
		break
	fi
	sleep 0.1
done
check "withdrawn at once: the large table left the data plane" test -n "$gone"
[[ -n $gone ]] && diag "bgp_withdraw_s=$(awk -v a="$t0" -v b="$gone" 'BEGIN{printf "%.2f", b-a}')"
ctl_check "sluice-dp still in sync after all that" 'j["synced"] is True' status
tap_done
