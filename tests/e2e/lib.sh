# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# tests/e2e/lib.sh: helpers for the end-to-end tests (sourced, not run).
#
# Output is TAP, counted by scripts/test: declare the plan with tap_plan N
# first, then one result per check. A test that cannot go on calls
# tap_bail REASON, which reports every remaining planned result as failed
# ("not run") so nothing silently disappears.
#
# Every command that touches the network runs under `timeout`; in_ns runs a
# command in the lab namespace sl-NODE.

SL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SL_BUILD=${SLUICE_BUILD_DIR:-$SL_ROOT/build}
SLUICECTL=$SL_BUILD/control/cli/sluicectl
SL_LAB=$SL_ROOT/scripts/lab
SL_SEG=${SLUICE_LAB_SEGMENT:-/dev/shm/sluice-lab}
SL_PY=/usr/bin/python3 # the one with scapy
SL_T=${SL_T:-20}       # default per-command time limit, seconds

# One lab per machine: an end-to-end script holds this lock (fd 8) from
# before it touches the lab until it exits, so concurrent runs (two
# developers, or CI beside a developer) queue instead of tearing down each
# other's lab. scripts/lab closes fd 8 in the daemons it starts.
sl_lab_session_lock() {
	local run=${SLUICE_LAB_RUN:-/run/sluice-lab}
	mkdir -p "$run"
	exec 8>"$run/e2e.lock"
	if ! flock -n 8; then
		diag "another end-to-end run holds $run/e2e.lock: waiting (up to ${SL_LOCK_WAIT:-900} s)"
		flock -w "${SL_LOCK_WAIT:-900}" 8 || return 1
	fi
}

# ---------------------------------------------------------------- lab tests
# Set-up and clean-up shared by the tests that run the namespace lab.
# After tap_plan, such a test calls lab_test_init NAME, which installs the
# exit traps, bails out (every planned result "not run") without root or a
# build, makes the private directory $tmp (/tmp/sluice-NAME.XXXXXX), takes
# the lab lock and removes a lab left over from a demo or an aborted run.
# The test then adds the PIDs of its background commands to bg_pids, and
# may define extra_cleanup for what else it leaves in the machine (kernel
# routes, links); far_host namespaces need nothing.
#
# At exit, lab_test_cleanup kills bg_pids and removes $tmp; only if this
# run holds the lab lock does it also run extra_cleanup, remove the far
# hosts and take the lab down, so a run that gave up waiting for the lock
# leaves the other run's lab alone.
lab_test_init() { # NAME
	local b
	tmp=
	bg_pids=()
	sl_lab_held=0
	trap lab_test_cleanup EXIT
	trap 'exit 130' INT TERM
	((EUID == 0)) || tap_bail "needs root"
	for b in "$SLUICECTL" "$SL_BUILD/control/sluiced" "$SL_BUILD/dataplane/sluice-dp"; do
		[[ -x $b ]] || tap_bail "$b not built (scripts/build)"
	done
	tmp=$(mktemp -d "/tmp/sluice-$1.XXXXXX") || tap_bail "mktemp failed"
	sl_lab_session_lock || tap_bail "another end-to-end run kept the lab"
	sl_lab_held=1
	timeout -k 5 60 "$SL_LAB" down >/dev/null 2>&1
}

# lab_start_api STATE_DIR: scripts/lab start with sluiced serving the API
# (--listen on a port of its choosing, --state-dir STATE_DIR); sets `url` to
# the address it reports. Non-zero with the reason in `lab_err` if either
# fails. (Not in a command substitution: it sets variables.)
lab_start_api() {
	local log=${SLUICE_LAB_RUN:-/run/sluice-lab}/sluiced.log i
	url='' lab_err=''
	env SLUICED_ARGS="--listen 127.0.0.1:0 --state-dir $1" \
		timeout -k 5 150 "$SL_LAB" start >/dev/null 2>&1 || {
		lab_err="scripts/lab start failed: $(tail -5 "$log" 2>/dev/null)"
		return 1
	}
	for ((i = 0; i < 100; i++)); do
		url=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$log" | sed 's/listening on //')
		[[ -n $url ]] && return 0
		sleep 0.1
	done
	lab_err="sluiced did not report its API address: $(tail -3 "$log")"
	return 1
}

lab_test_cleanup() {
	local p ns
	for p in "${bg_pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	if ((sl_lab_held)); then
		if declare -F extra_cleanup >/dev/null; then
			extra_cleanup
		fi
		for ns in "${sl_far_ns[@]}"; do
			ip netns del "$ns" 2>/dev/null
		done
		timeout -k 5 60 "$SL_LAB" down >/dev/null 2>&1
	fi
	[[ -n $tmp ]] && rm -rf "$tmp"
}

tap_n=0
tap_planned=0
tap_nfail=0

tap_plan() {
	tap_planned=$1
	echo "1..$1"
}

diag() {
	local l
	while IFS= read -r l; do
		printf '# %s\n' "$l"
	done <<<"$*"
}

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}

not_ok() { # DESC [DIAGNOSTIC]
	tap_n=$((tap_n + 1))
	tap_nfail=$((tap_nfail + 1))
	echo "not ok $tap_n - $1"
	[[ -n ${2:-} ]] && diag "$2"
	return 0
}

skip() { # DESC REASON
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# Keep diagnostics short: the last 25 lines of a command's output.
_tail_out() { tail -n 25 <<<"$1"; }

# check DESC CMD...: ok if CMD exits 0.
check() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if ((rc == 0)); then
		ok "$desc"
		return 0
	fi
	not_ok "$desc" "$(printf 'command: %s\nexit status %d\n%s' "$*" "$rc" "$(_tail_out "$out")")"
	return 1
}

# check_fails DESC CMD...: ok if CMD exits non-zero (and was not killed by
# its time limit, which would prove nothing).
check_fails() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if ((rc != 0 && rc != 124)); then
		ok "$desc"
		return 0
	fi
	not_ok "$desc" "$(printf 'command: %s\nexpected failure, got exit status %d\n%s' "$*" "$rc" "$(_tail_out "$out")")"
	return 1
}

# tap_bail REASON: report all remaining planned results as failed and exit.
tap_bail() {
	local reason=$1
	while ((tap_n < tap_planned)); do
		not_ok "not run: $reason"
	done
	exit 1
}

# tap_finish: for scripts that count their checks as they go (the API
# tests: one result per SDK test): print the plan last, exit 1 if any failed.
tap_finish() {
	echo "1..$tap_n"
	((tap_nfail == 0))
	exit $?
}

# Finish: exit status 1 if any check failed, after the plan is complete.
tap_done() {
	if ((tap_n != tap_planned)); then
		diag "planned $tap_planned results, reported $tap_n"
		exit 1
	fi
	((tap_nfail == 0))
	exit $?
}

in_ns() { # NODE CMD...
	local node=$1
	shift
	timeout -k 5 "$SL_T" ip netns exec "sl-$node" "$@"
}

ctl() { # sluicectl on the lab segment
	timeout -k 5 10 "$SLUICECTL" -s "$SL_SEG" "$@"
}

# json_eval JSON PYTHON_EXPR: evaluate EXPR with `j` bound to the parsed
# JSON; exit 0 if it is true, else print the JSON (trimmed) and exit 1.
json_eval() {
	"$SL_PY" -c '
import json, sys
j = json.loads(sys.argv[1])
r = eval(sys.argv[2])
if not r:
    print("condition false: " + sys.argv[2])
    print(json.dumps(j, indent=1)[:3000])
sys.exit(0 if r else 1)' "$1" "$2"
}

# ctl_check DESC PYTHON_EXPR SLUICECTL_ARGS...: sluicectl --json ARGS must
# succeed and EXPR (over `j`) must hold.
ctl_check() {
	local desc=$1 expr=$2 out rc
	shift 2
	out=$(ctl --json "$@" 2>&1)
	rc=$?
	if ((rc != 0)); then
		not_ok "$desc" "$(printf 'sluicectl %s: exit status %d\n%s' "$*" "$rc" "$(_tail_out "$out")")"
		return 1
	fi
	check "$desc" json_eval "$out" "$expr"
}

# Value of one drop reason or counter (sum over lcores), or -1.
ctl_total() { # drops|counters NAME
	local out
	out=$(ctl --json "$1" --all 2>/dev/null) || {
		echo -1
		return
	}
	"$SL_PY" -c '
import json, sys
j = json.loads(sys.argv[1])
key = "drops" if "drops" in j else "counters"
name = "reason" if key == "drops" else "counter"
v = [x["total"] for x in j[key] if x[name] == sys.argv[2]]
print(v[0] if v else -1)' "$out" "$2"
}

# A tiny TCP service answering every connection with NAME (to prove which
# host an address reached). Runs in the background in sl-NODE for at most
# SECONDS; prints its PID.
identity_server() { # NODE ADDR PORT NAME [SECONDS]
	local node=$1 addr=$2 port=$3 name=$4 t=${5:-60}
	timeout -k 2 "$t" ip netns exec "sl-$node" "$SL_PY" -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(8)
while True:
    c, _ = s.accept()
    c.sendall(sys.argv[3].encode() + b"\n")
    c.close()' "$addr" "$port" "$name" >/dev/null 2>&1 &
	echo $!
}

# identity_of NODE ADDR PORT: connect from sl-NODE and print the answer.
identity_of() {
	in_ns "$1" "$SL_PY" -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(3)
s.connect((sys.argv[1], int(sys.argv[2])))
print(s.recv(100).decode().strip())' "$2" "$3"
}

# expect_identity NODE ADDR PORT WANT: the service at ADDR:PORT seen from
# NODE answers WANT (retries briefly while the server starts).
expect_identity() {
	local got i
	for ((i = 0; i < 10; i++)); do
		got=$(identity_of "$1" "$2" "$3" 2>&1) && [[ $got == "$4" ]] && return 0
		sleep 0.3
	done
	echo "from $1 to $2:$3: got '$got', want '$4'"
	return 1
}

# iperf3 TCP transfer from NODE_C to NODE_S's ADDR for SECONDS; succeeds if
# the receiver counted bytes. Prints the rate.
iperf_transfer() { # NODE_C NODE_S ADDR [SECONDS]
	local c=$1 s=$2 addr=$3 secs=${4:-3} port=5201 spid out rc
	timeout -k 2 $((secs + 20)) ip netns exec "sl-$s" iperf3 -s -1 -B "$addr" -p $port >/dev/null 2>&1 &
	spid=$!
	sleep 0.5
	out=$(SL_T=$((secs + 15)) in_ns "$c" iperf3 -c "$addr" -p $port -t "$secs" -J 2>&1)
	rc=$?
	wait "$spid" 2>/dev/null
	"$SL_PY" -c '
import json, sys
try:
    j = json.loads(sys.argv[1])
except ValueError:
    print(sys.argv[1][-2000:]); sys.exit(1)
if "error" in j:
    print("iperf3: " + j["error"]); sys.exit(1)
b = j["end"]["sum_received"]["bytes"]
bps = j["end"]["sum_received"]["bits_per_second"]
print("received %d bytes, %.1f Mbit/s" % (b, bps / 1e6))
sys.exit(0 if b > 0 else 1)' "$out" || return 1
	return $rc
}

# Link-local IPv6 address of sl-NODE's eth0.
link_local() {
	ip -n "sl-$1" -6 -o addr show dev eth0 scope link | awk '{print $4}' | cut -d/ -f1 | head -n1
}

# far_host NODE V4 V6 [ADDR...]: a host behind the Internet side, in its own
# namespace sl-NODE: a macvlan on sl-inet's eth0 with V4/24 and V6/64 (on the
# outside subnets), each extra ADDR on its loopback (/32 or /128). A macvlan
# cannot talk to its parent, so its replies to the inet namespace go through
# the gateway as well (host routes via 203.0.113.2 and 2001:db8:ffff::2):
# traffic from sl-inet to ADDR via the gateway crosses the Internet table
# both ways. lab_test_cleanup removes it (ip netns del sl-NODE).
sl_far_ns=()
far_host() {
	local node=$1 ns=sl-$1 v4=$2 v6=$3 a
	shift 3
	sl_far_ns+=("$ns") # also when the add fails: a leftover of a killed run
	ip netns add "$ns" &&
		ip -n sl-inet link add "$node" link eth0 type macvlan mode bridge &&
		ip -n sl-inet link set "$node" netns "$ns" &&
		ip -n "$ns" link set lo up &&
		ip -n "$ns" link set "$node" up &&
		ip -n "$ns" addr add "$v4/24" dev "$node" &&
		ip -n "$ns" -6 addr add "$v6/64" dev "$node" nodad &&
		ip -n "$ns" route add 203.0.113.1/32 via 203.0.113.2 &&
		ip -n "$ns" -6 route add 2001:db8:ffff::1/128 via 2001:db8:ffff::2 &&
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 "net.ipv4.conf.$node.rp_filter=0" || return 1
	for a in "$@"; do
		if [[ $a == *:* ]]; then
			ip -n "$ns" -6 addr add "$a/128" dev lo || return 1
		else
			ip -n "$ns" addr add "$a/32" dev lo || return 1
		fi
	done
}

# lab_exception_dp EXC: sluice-dp's lab config (configs/dp-lab.json) with
# the exception path EXC on the outside port, written to $tmp/dp.json and
# exported as SLUICE_LAB_DP_CONFIG for the next `scripts/lab start`.
lab_exception_dp() {
	sed "s|\"role\": \"outside\", \"mtu\": 1500,|\"role\": \"outside\", \"mtu\": 1500, \"exception\": \"$1\",|" \
		"$SL_ROOT/configs/dp-lab.json" >"$tmp/dp.json" &&
		grep -q "\"exception\": \"$1\"" "$tmp/dp.json" || return 1
	export SLUICE_LAB_DP_CONFIG=$tmp/dp.json
}

# echoes NODE 4|6: ICMP (v4) or ICMPv6 echo requests sl-NODE has received.
echoes() {
	if [[ $2 == 4 ]]; then
		ip netns exec "sl-$1" awk '/^Icmp: [0-9]/ {print $10}' /proc/net/snmp
	else
		ip netns exec "sl-$1" awk '$1 == "Icmp6InEchos" {print $2}' /proc/net/snmp6
	fi
}
