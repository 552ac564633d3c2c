#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/reload_test.sh: sluiced's SIGHUP reload under live traffic.
#
# "SIGHUP re-reads the file and applies only the difference; flows whose
# route did not change are not disturbed." The lab runs sluiced on a copy of
# configs/demo.json in a temporary directory. While ping streams (100 packets
# a second: a1 -> a2 IPv4 and IPv6 in VPC A, b1 -> b2 in VPC B) run through
# the gateway, the copy is edited and sluiced gets SIGHUP:
#   1. VPC A: custom route 10.98.0.0/16 via i-a2 added, 10.99.0.0/16 removed;
#   2. VPC B: custom route 10.77.0.0/16 via i-b2 added;
#   3. an invalid file (a VSwitch overlapping another, plus route edits that
#      must not leak through): rejected, the old state stays;
#   4. the valid file again: nothing to publish.
# Checked: no stream loses a packet; each reload logs its summary and
# recompiles only the changed VPC's table (never the Internet table); the
# generation grows by exactly one per applied reload and not at all
# otherwise; the new routes forward, the removed one answers ICMP "Net
# Unreachable" from the VSwitch gateway address, the unchanged IPv6 custom
# route still forwards; the rejected file is logged with the object and the
# rule code, sluiced stays alive and the tables stay as they were.
# TAP output; the lab and the temporary directory are removed on every exit
# path. Needs root and a build (scripts/build).
# shellcheck disable=SC2317 # functions run through check and the trap
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAN=28
tap_plan $PLAN

RUN=${SLUICE_LAB_RUN:-/run/sluice-lab}
SLOG=$RUN/sluiced.log
STREAM_N=800 # packets per stream, 10 ms apart: about 8-13 s

lab_test_init reload # root, a build, $tmp, the lab lock; cleans up at exit
CFG=$tmp/demo.json
cp "$SL_ROOT/configs/demo.json" "$CFG" || tap_bail "cannot copy configs/demo.json"

# ---------------------------------------------------------------- helpers

# cfg_edit OP: rewrite the copy (atomically: sluiced may read it any time).
#   vpc-a    remove route 10.99.0.0/16, add 10.98.0.0/16 via i-a2
#   vpc-b    add route 10.77.0.0/16 via i-b2 (vtb-b)
#   invalid  put 10.99.0.0/16 back, remove 10.98.0.0/16, and add VSwitch
#            vsw-a3 192.168.1.128/25, which overlaps vsw-a1 192.168.1.0/24
cfg_edit() {
	timeout 10 "$SL_PY" - "$CFG" "$1" <<'EOF' || return 1
import json, os, sys
path, op = sys.argv[1], sys.argv[2]
with open(path) as f:
    j = json.load(f)
def route(tbl, dst, inst):
    return {"RouteTableId": tbl, "DestinationCidrBlock": dst,
            "NextHopType": "Instance", "NextHopId": inst}
def drop(dst):
    n = len(j["RouteEntries"])
    j["RouteEntries"] = [r for r in j["RouteEntries"] if r["DestinationCidrBlock"] != dst]
    assert len(j["RouteEntries"]) == n - 1, "no route " + dst
if op == "vpc-a":
    drop("10.99.0.0/16")
    j["RouteEntries"].append(route("vtb-a", "10.98.0.0/16", "i-a2"))
elif op == "vpc-b":
    j["RouteEntries"].append(route("vtb-b", "10.77.0.0/16", "i-b2"))
elif op == "invalid":
    drop("10.98.0.0/16")
    j["RouteEntries"].append(route("vtb-a", "10.99.0.0/16", "i-a2"))
    j["VSwitches"].append({"VSwitchId": "vsw-a3", "VpcId": "vpc-a",
                           "ZoneId": "cn-hangzhou-a", "CidrBlock": "192.168.1.128/25"})
else:
    sys.exit("unknown op " + op)
with open(path + ".new", "w") as f:
    json.dump(j, f, indent=1)
os.rename(path + ".new", path)
EOF
}

sluiced_pid() { cat "$RUN/sluiced.pid" 2>/dev/null; }

# The PID names a live sluiced (not a recycled PID).
sluiced_alive() { # PID
	local exe
	[[ -n $1 && -d /proc/$1 ]] || return 1
	exe=$(readlink "/proc/$1/exe" 2>/dev/null)
	[[ $(basename "${exe% (deleted)}") == sluiced ]]
}

log_size() { stat -c %s "$SLOG" 2>/dev/null || echo 0; }
log_since() { tail -c +$(($1 + 1)) "$SLOG" 2>/dev/null; } # OFFSET

# wait_log OFFSET ERE [SECONDS]: wait until the log after OFFSET has a line
# matching ERE.
wait_log() {
	local off=$1 re=$2 t=${3:-10} i
	for ((i = 0; i < t * 10; i++)); do
		log_since "$off" | grep -Eq -- "$re" && return 0
		sleep 0.1
	done
	return 1
}

# log_has OFFSET DESC ERE...: every ERE matches a line logged after OFFSET.
log_has() {
	local off=$1 re new
	shift
	new=$(log_since "$off")
	for re in "$@"; do
		if ! grep -Eq -- "$re" <<<"$new"; then
			printf 'no line matching /%s/ in the log since the SIGHUP:\n%s\n' "$re" "$new"
			return 1
		fi
	done
	grep -E -- "${1}" <<<"$new"
}

status_json() { ctl --json status 2>/dev/null; }
generation() { "$SL_PY" -c 'import json,sys; print(json.load(sys.stdin)["generation"])' <<<"$(status_json)" 2>/dev/null; }

# wait_synced: every online lcore acknowledged the current generation.
wait_synced() {
	local i
	for ((i = 0; i < 50; i++)); do
		grep -q '"synced": true' <<<"$(status_json)" && return 0
		sleep 0.1
	done
	return 1
}

# expect_gen WANT: generation WANT is published and acknowledged.
expect_gen() {
	local g
	wait_synced || echo "not in sync"
	g=$(generation)
	echo "generation $g (want $1)"
	[[ $g == "$1" ]] && wait_synced
}

# stream_start NAME NODE PING_ARGS...: a ping stream of STREAM_N packets,
# 10 ms apart, in the background; output in $tmp/NAME.out.
declare -A stream_pid
stream_start() {
	local name=$1 node=$2
	shift 2
	timeout -k 2 60 ip netns exec "sl-$node" ping -n -i 0.01 -c "$STREAM_N" -w 50 "$@" \
		>"$tmp/$name.out" 2>&1 &
	stream_pid[$name]=$!
	bg_pids+=($!)
}

# stream_running NAME...: every stream is still sending (so the reload
# happened in the middle of it).
stream_running() {
	local n
	for n in "$@"; do
		kill -0 "${stream_pid[$n]}" 2>/dev/null || return 1
	done
}

# stream_lossless NAME: the stream ended by itself with every packet
# answered, and it was still running when the reloads were done.
stream_lossless() {
	local name=$1 out
	out=$(<"$tmp/$name.out")
	tail -n 3 <<<"$out"
	if [[ ${stream_ran[$name]:-no} != yes ]]; then
		echo "the stream had ended before the reload was done: it proves nothing"
		return 1
	fi
	grep -q "^$STREAM_N packets transmitted, $STREAM_N received, 0% packet loss" <<<"$out" ||
		return 1
	if grep -Eq 'Unreachable|errors|Redirect|Time to live' <<<"$out"; then
		grep -E 'Unreachable|errors|Redirect|Time to live' <<<"$out" | head -n 5
		return 1
	fi
}
declare -A stream_ran

# ping_reaches NODE ADDR: ADDR answers from NODE (first packet may wait for
# ARP/ND, so allow one loss in 3).
ping_reaches() {
	local out
	out=$(in_ns "$1" ping -n -c 3 -i 0.2 -W 1 "$2" 2>&1)
	echo "$out" | tail -n 4
	grep -Eq ' [23] received' <<<"$out"
}

# net_unreachable NODE ADDR FROM: ADDR gets no answer, but ICMP Destination
# Net Unreachable from FROM (the gateway found no route).
net_unreachable() {
	local out
	out=$(in_ns "$1" ping -n -c 2 -i 0.2 -W 1 "$2" 2>&1)
	echo "$out"
	grep -q "^From $3 icmp_seq=[0-9]* Destination Net Unreachable" <<<"$out" &&
		grep -q ' 0 received' <<<"$out"
}

# sighup: send SIGHUP to the sluiced of the lab; prints the log offset
# before it and waits for the reload to be logged as finished (published,
# unchanged or rejected).
sighup() {
	local pid off
	off=$(log_size)
	echo "$off"
	pid=$(sluiced_pid)
	sluiced_alive "$pid" || {
		echo "# no live sluiced (pid '$pid')" >&2
		return 1
	}
	kill -HUP "$pid" || return 1
	wait_log "$off" 'reload: generation [0-9]+ published|reload: .* unchanged .*nothing to publish|reload of .* (rejected|not applied)' 10 ||
		echo "# sluiced logged no end of the reload within 10 s" >&2
}

# reload_rejected OFFSET GEN: the reload after OFFSET was rejected, keeping
# generation GEN, and nothing was published or compared.
reload_rejected() {
	log_has "$1" "error +reload of $CFG rejected \([0-9]+ error\(s\)\): keeping generation $2 " ||
		return 1
	if log_since "$1" | grep -E 'published|dirty VPC'; then
		echo "published after a rejected reload"
		return 1
	fi
}

# reload_unchanged OFFSET GEN: the reload after OFFSET found nothing to do
# and the generation is still GEN.
reload_unchanged() {
	log_has "$1" "info +reload: $CFG unchanged \([0-9]+ object\(s\)\), nothing to publish" &&
		expect_gen "$2"
}

# stream_wait NAME...: wait for the streams to end (in this shell: check
# runs its command in a subshell, which cannot wait for them).
stream_wait() {
	local n
	for n in "$@"; do
		wait "${stream_pid[$n]}" 2>/dev/null
	done
}

# ---------------------------------------------------------------- lab
check "lab up: namespaces, veths, VLAN fabric" timeout -k 5 120 "$SL_LAB" up ||
	tap_bail "lab up failed"
if ! check "lab start: sluiced on a copy of configs/demo.json + sluice-dp, in sync" \
	env SLUICE_LAB_CONFIG="$CFG" SLUICE_LAB_TIMEOUT=60 timeout -k 5 120 "$SL_LAB" start; then
	diag "$(timeout 10 "$SL_LAB" logs 2>&1 | tail -n 60)"
	tap_bail "daemons did not start"
fi
pid0=$(sluiced_pid)
gen0=$(generation)
[[ $gen0 =~ ^[0-9]+$ ]] || tap_bail "cannot read the generation from sluicectl status"
diag "sluiced pid $pid0, config $CFG, generation $gen0"

# Targets of the custom routes live on the loopback of the next-hop instance.
timeout 10 ip -n sl-a2 addr replace 10.98.0.1/32 dev lo
timeout 10 ip -n sl-a2 addr replace 10.99.0.1/32 dev lo
timeout 10 ip -n sl-a2 -6 addr replace 2001:db8:99::1/128 dev lo
timeout 10 ip -n sl-b2 addr replace 10.77.0.1/32 dev lo
# Warm up ARP/ND on both sides of every path used below.
for dst in 192.168.2.10 192.168.1.253 10.99.0.1; do in_ns a1 ping -c 1 -W 2 $dst >/dev/null 2>&1; done
for dst in 2001:db8:a:2::10 2001:db8:99::1; do in_ns a1 ping -6 -c 1 -W 2 $dst >/dev/null 2>&1; done
in_ns b1 ping -c 1 -W 2 192.168.2.20 >/dev/null 2>&1

# Before: the route to be removed forwards, the one to be added does not
# (so the checks after the reload can tell a change from no change).
check "before: a1 -> 10.99.0.1 forwarded by the custom route via i-a2" ping_reaches a1 10.99.0.1
check "before: a1 -> 10.98.0.1 gets Net Unreachable from 192.168.1.253 (no route yet)" \
	net_unreachable a1 10.98.0.1 192.168.1.253

# ---------------------------------------------------------------- reloads under traffic
stream_start a4 a1 192.168.2.10
stream_start a6 a1 -6 2001:db8:a:2::10
stream_start b4 b1 192.168.2.20
sleep 1

# Reload 1: VPC A's custom routes.
cfg_edit vpc-a || diag "cannot edit $CFG"
off1=$(sighup)
check "reload 1 (VPC A routes): log has the summary '1 added, 1 removed, 0 changed, N unchanged; 1 dirty VPC(s): vpc-a'" \
	log_has "$off1" 'info +reload: 1 added, 1 removed, 0 changed, [0-9]+ unchanged; 1 dirty VPC\(s\): vpc-a$'
check "reload 1: generation $((gen0 + 1)) published with one VPC table of 2 recompiled, not the Internet table" \
	log_has "$off1" "info +reload: generation $((gen0 + 1)) published: 2 VPC\(s\) \(1 table\(s\) recompiled\),"
check "reload 1: sluicectl status shows generation $((gen0 + 1)), acknowledged by every lcore" \
	expect_gen $((gen0 + 1))
stream_running a4 a6 b4 && stream_ran[a4]=yes stream_ran[a6]=yes stream_ran[b4]=yes
sleep 0.5

# Reload 2: VPC B gets a custom route; VPC A is not touched.
cfg_edit vpc-b || diag "cannot edit $CFG"
off2=$(sighup)
check "reload 2 (VPC B route): log has '1 added, 0 removed, 0 changed, N unchanged; 1 dirty VPC(s): vpc-b'" \
	log_has "$off2" 'info +reload: 1 added, 0 removed, 0 changed, [0-9]+ unchanged; 1 dirty VPC\(s\): vpc-b$'
check "reload 2: generation $((gen0 + 2)) published with one VPC table of 2 recompiled, not the Internet table" \
	log_has "$off2" "info +reload: generation $((gen0 + 2)) published: 2 VPC\(s\) \(1 table\(s\) recompiled\),"
check "reload 2: sluicectl status shows generation $((gen0 + 2)), acknowledged by every lcore" \
	expect_gen $((gen0 + 2))
stream_running a4 a6 b4 || stream_ran=()
stream_wait a4 a6 b4

check "stream a1 -> a2 IPv4 ($STREAM_N pings, 10 ms apart) across both reloads: 0 lost" \
	stream_lossless a4
check "stream a1 -> a2 IPv6 ($STREAM_N pings) across both reloads: 0 lost" stream_lossless a6
check "stream b1 -> b2 IPv4 ($STREAM_N pings, VPC B) across both reloads: 0 lost" stream_lossless b4
check "sluiced is the same process after the reloads (pid $pid0)" sluiced_alive "$pid0"

# The tables now: what the data plane reads.
ctl_check "sluicectl routes vpc-a: custom 10.98.0.0/16 via 192.168.2.10, no 10.99.0.0/16, 2001:db8:99::/48 kept" \
	'(lambda r: r["10.98.0.0/16"]["origin"] == "custom" and r["10.98.0.0/16"]["nexthop"]["type"] == "gateway" and r["10.98.0.0/16"]["nexthop"]["via"] == "192.168.2.10" and "10.99.0.0/16" not in r and r["2001:db8:99::/48"]["nexthop"]["via"] == "2001:db8:a:2::10")({x["prefix"]: x for x in j["routes"]})' \
	routes vpc-a
ctl_check "sluicectl routes vpc-b: custom 10.77.0.0/16 via 192.168.2.20 on VLAN 200" \
	'(lambda r: r["10.77.0.0/16"]["origin"] == "custom" and r["10.77.0.0/16"]["nexthop"]["via"] == "192.168.2.20" and r["10.77.0.0/16"]["nexthop"]["vlan"] == 200)({x["prefix"]: x for x in j["routes"]})' \
	routes vpc-b

check "after: a1 -> 10.98.0.1 forwarded by the new route to a2" ping_reaches a1 10.98.0.1
check "after: a1 -> 10.99.0.1 (route removed) gets Net Unreachable from 192.168.1.253" \
	net_unreachable a1 10.99.0.1 192.168.1.253
check "after: a1 -> 2001:db8:99::1 still forwarded by the unchanged IPv6 route" \
	ping_reaches a1 2001:db8:99::1
check "after: b1 -> 10.77.0.1 forwarded by VPC B's new route to b2" ping_reaches b1 10.77.0.1

# ---------------------------------------------------------------- an invalid file
cp "$CFG" "$tmp/good.json"
gen2=$(generation)
stream_ran=()
stream_start i4 a1 192.168.2.10
sleep 1
cfg_edit invalid || diag "cannot edit $CFG"
off3=$(sighup)
stream_running i4 && stream_ran[i4]=yes
check "invalid file: the error names VSwitch vsw-a3, CidrBlock and InvalidCidrBlock.Overlapped" \
	log_has "$off3" "error +$CFG: VSwitch vsw-a3: CidrBlock: InvalidCidrBlock\.Overlapped: 192\.168\.1\.128/25 overlaps VSwitch vsw-a1"
check "invalid file: reload rejected, keeping generation $gen2, nothing published" \
	reload_rejected "$off3" "$gen2"
check "invalid file: sluiced still alive (pid $pid0)" sluiced_alive "$pid0"
check "invalid file: sluicectl status still at generation $gen2" expect_gen "$gen2"
stream_wait i4
check "stream a1 -> a2 IPv4 ($STREAM_N pings) across the rejected reload: 0 lost" \
	stream_lossless i4
check "invalid file: a1 -> 10.98.0.1 still forwarded (the file's route removal not applied)" \
	ping_reaches a1 10.98.0.1
check "invalid file: a1 -> 10.99.0.1 still Net Unreachable (the file's route not applied)" \
	net_unreachable a1 10.99.0.1 192.168.1.253

# ---------------------------------------------------------------- the good file again
cp "$tmp/good.json" "$CFG.new" && mv "$CFG.new" "$CFG"
off4=$(sighup)
check "valid file again (same content as live): 'unchanged, nothing to publish', generation still $gen2" \
	reload_unchanged "$off4" "$gen2"

tap_done
