#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/churn_test.sh: the Internet table at full size under route churn,
# and restarts of either daemon, with traffic through the gateway (issue 3).
#
# The lab's sluiced loads the real BGP table (../shared/data, or a synthetic
# one of 200k prefixes when it is absent) as its route source and listens on
# a route feed socket. Two hosts behind the Internet side ("far1" 203.0.113.3
# and "far2" 203.0.113.4: macvlans on the inet namespace's link, each in its
# own namespace) own the test destinations; the inet namespace sends to them
# through the gateway (its routes point at 203.0.113.2), so every test packet
# is forwarded by the Internet FIB (and so are the replies):
#   198.51.100.0/25          config static route -> far1 (survives restarts)
#   198.51.100.128/25        feed route -> far1, moved to far2 mid-churn
#   2001:db8:eeee:77::/64    feed route -> far1, moved to far2 mid-churn
# Checks:
#   1. churn: ping streams (IPv4 and IPv6, 100/s) while a driver applies
#      about 10,000 route changes a second for 10 s to other prefixes (real
#      prefixes re-pointed, /24-/25 and /48 prefixes added and removed):
#      every change accepted, not one echo lost; each echo arrived at exactly
#      one far host (counted by the far hosts' ICMP counters), and after the
#      move the old host gets none (the flow moved at once);
#   2. kill -9 of sluiced under a stream: nothing lost; the restarted
#      sluiced reloads the table and republishes; the data plane stays synced;
#   3. kill -9 of sluice-dp: restarted, it forwards again with the full table
#      (the time from its start to the first forwarded echo is reported).
# shellcheck disable=SC2317 # functions run through check and the trap
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAN=19
tap_plan $PLAN

RUN=${SLUICE_LAB_RUN:-/run/sluice-lab}
SLOG=$RUN/sluiced.log
FEED=$RUN/feed.sock
CHURN_S=${SL_CHURN_SECONDS:-10}
CHURN_RATE=${SL_CHURN_RATE:-10000}
REAL=$SL_ROOT/../shared/data/bgp-prefixes.txt.gz

lab_test_init churn # root, a build, $tmp, the lab lock; cleans up at exit

# The config: demo.json plus the static route to far1.
CFG=$tmp/demo.json
timeout 10 "$SL_PY" - "$SL_ROOT/configs/demo.json" "$CFG" <<'EOF' || tap_bail "cannot write the config"
import json, sys
j = json.load(open(sys.argv[1]))
j["Gateway"]["InternetRoutes"].append(
    {"DestinationCidrBlock": "198.51.100.0/25", "NextHop": "203.0.113.3"})
json.dump(j, open(sys.argv[2], "w"), indent=1)
EOF

# The route source file.
if [[ -r $REAL ]]; then
	TABLE=$REAL
else
	TABLE=$tmp/synthetic.txt
	timeout 60 "$SL_PY" - "$TABLE" <<'EOF' || tap_bail "cannot write a synthetic table"
import random, sys
random.seed(3)
with open(sys.argv[1], "w") as f:
    for _ in range(170000):
        n = random.randrange(1 << 24) << 8
        if 100 <= n >> 24 <= 100 or n >> 24 in (0, 10, 127, 198, 203) or n >> 24 >= 224:
            continue
        f.write("%d.%d.%d.0/24\n" % (n >> 24, n >> 16 & 255, n >> 8 & 255))
    for _ in range(30000):
        f.write("2%03x:%x::/32\n" % (random.randrange(0x400, 0xfff), random.randrange(1 << 16)))
EOF
fi
TABLE_N=$( (gzip -cdf "$TABLE" 2>/dev/null) | grep -c '/')
diag "route source: $TABLE ($TABLE_N prefixes)"

timeout -k 5 120 "$SL_LAB" up >/dev/null 2>&1 || tap_bail "scripts/lab up failed"

SLUICED_ARGS="--route-socket $FEED --inet-routes $TABLE --inet-via 203.0.113.1 --inet-via 2001:db8:ffff::1"
lab_start() {
	env SLUICE_LAB_CONFIG="$CFG" SLUICED_ARGS="$SLUICED_ARGS" SLUICE_LAB_TIMEOUT=90 \
		timeout -k 5 150 "$SL_LAB" start >/dev/null 2>&1
}
t0=$(date +%s.%N)
lab_start || tap_bail "scripts/lab start failed: $(tail -5 "$SLOG" 2>/dev/null)"
t1=$(date +%s.%N)
check "start: sluiced loaded all $TABLE_N prefixes of the table" \
	grep -Eq "loaded $TABLE_N Internet route\(s\)" "$SLOG"
diag "lab start with the full table: $(awk -v a="$t0" -v b="$t1" "BEGIN{printf \"%.2f\", b-a}") s ($(grep -Eo 'loaded [0-9]+ Internet route.*' "$SLOG" | head -1))"

# ---------------------------------------------------------------- far hosts

far_host far1 203.0.113.3 2001:db8:ffff::3 198.51.100.10 198.51.100.177 2001:db8:eeee:77::77 &&
	far_host far2 203.0.113.4 2001:db8:ffff::4 198.51.100.10 198.51.100.177 2001:db8:eeee:77::77 &&
	ip -n sl-inet route replace 198.51.100.0/24 via 203.0.113.2 &&
	ip -n sl-inet -6 route replace 2001:db8:eeee:77::/64 via 2001:db8:ffff::2 ||
	tap_bail "cannot set up the far hosts"

feed() { # LINES...: send to the feed, wait for sync; prints the replies
	timeout 20 "$SL_PY" - "$FEED" "$@" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(("\n".join(sys.argv[2:]) + "\nsync\n").encode())
buf = b""
while not buf.endswith(b"\n") or b"ok " not in buf and b"error" not in buf:
    buf += s.recv(4096)
print(buf.decode().strip())
EOF
}

check "feed: 198.51.100.128/25 and 2001:db8:eeee:77::/64 via far1 accepted" \
	bash -c "$(declare -f feed); FEED=$FEED SL_PY=$SL_PY feed 'add 198.51.100.128/25 via 203.0.113.3' \
		'add 2001:db8:eeee:77::/64 via 2001:db8:ffff::3' | grep -q '^ok '"
check "inet -> 198.51.100.177 (feed route, far1) forwarded" \
	in_ns inet ping -c 3 -W 1 198.51.100.177
check "inet -> 2001:db8:eeee:77::77 (feed route, far1) forwarded" \
	in_ns inet ping -6 -c 3 -W 1 2001:db8:eeee:77::77

# ---------------------------------------------------------------- 1. churn

N=$((CHURN_S * 100 + 200)) # 100 echoes a second, from before to after the churn
gwmac=$(cat /sys/class/net/sl-out/address)
ip netns exec sl-inet timeout $((CHURN_S + 30)) tcpdump -i eth0 -e -n -l \
	"ether src $gwmac and icmp and dst host 198.51.100.177 and icmp[icmptype] == 8" \
	>"$tmp/cap" 2>/dev/null &
bg_pids+=($!)
sleep 0.5
e1_4=$(echoes far1 4) e1_6=$(echoes far1 6) e2_4=$(echoes far2 4) e2_6=$(echoes far2 6)
# (a loaded machine stretches ping's interval: give the streams time)
SL_T=$((CHURN_S * 4 + 60)) in_ns inet ping -q -i 0.01 -c "$N" -W 2 198.51.100.177 >"$tmp/ping4" 2>&1 &
bg_pids+=($!)
p4=$!
SL_T=$((CHURN_S * 4 + 60)) in_ns inet ping -6 -q -i 0.01 -c "$N" -W 2 2001:db8:eeee:77::77 >"$tmp/ping6" 2>&1 &
bg_pids+=($!)
p6=$!
sleep 1
gen0=$(ctl --json status | sed -n 's/^  "generation": \([0-9]*\),*$/\1/p')
ctl drops >"$tmp/drops0" 2>&1
ctl ports >"$tmp/ports0" 2>&1

# The driver: CHURN_RATE changes a second in 10 ms batches for CHURN_S
# seconds; halfway, the two test routes move to far2 (the time is written to
# $tmp/moved). Prints "sent=N errors=N rate=R".
timeout $((CHURN_S + 60)) "$SL_PY" - "$FEED" "$TABLE" "$CHURN_S" "$CHURN_RATE" "$tmp/moved" \
	>"$tmp/driver" 2>&1 <<'EOF' &
import gzip, random, socket, sys, threading, time
path, table, secs, rate, moved = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
op = gzip.open if table.endswith(".gz") else open
real4, real6 = [], []
with op(table, "rt") as f:
    for line in f:
        p = line.strip()
        if not p or p.startswith("198.51.100.") or p.startswith("203.0.113.") or p.startswith("2001:db8:"):
            continue
        (real6 if ":" in p else real4).append(p)
        if len(real4) >= 50000 and len(real6) >= 10000:
            break
random.seed(11)
s = socket.socket(socket.AF_UNIX)
s.connect(path)
errors = []
def reader():
    buf = b""
    while True:
        d = s.recv(65536)
        if not d:
            return
        buf += d
        while b"\n" in buf:
            l, buf = buf.split(b"\n", 1)
            errors.append(l.decode())
t = threading.Thread(target=reader, daemon=True)
t.start()
added = set()
def change():
    r = random.random()
    if r < 0.4:   # re-point a real IPv4 prefix
        return "add %s via 203.0.113.%d" % (random.choice(real4), random.choice((1, 5)))
    if r < 0.55 and real6:  # re-point a real IPv6 prefix
        return "add %s via 2001:db8:ffff::%d" % (random.choice(real6), random.choice((1, 5)))
    if r < 0.9:   # a new /24 or /25 in 100.64.0.0/10, or its removal
        p = "100.%d.%d.%d/%d" % (64 + random.randrange(64), random.randrange(256),
                                  random.choice((0, 128)), random.choice((24, 25)))
        if p.endswith("/24"):
            p = p.replace(".128/24", ".0/24")
        if p in added:
            added.discard(p)
            return "del " + p
        added.add(p)
        return "add %s via 203.0.113.1" % p
    p = "2001:db8:%x::/48" % (0xc000 + random.randrange(0x1000))
    if p in added:
        added.discard(p)
        return "del " + p
    added.add(p)
    return "add %s via 2001:db8:ffff::1" % p
batch = max(1, rate // 100)
sent = 0
start = time.monotonic()
next_t = start
did_move = False
while time.monotonic() - start < secs:
    lines = [change() for _ in range(batch)]
    if not did_move and time.monotonic() - start >= secs / 2:
        lines += ["add 198.51.100.128/25 via 203.0.113.4", "add 2001:db8:eeee:77::/64 via 2001:db8:ffff::4"]
        did_move = True
    s.sendall(("\n".join(lines) + "\n").encode())
    if did_move and len(lines) > batch:
        s.sendall(b"sync\n")
        while not any(e.startswith("ok") for e in errors):
            time.sleep(0.001)
        open(moved, "w").write("%f\n" % time.time())
        errors[:] = [e for e in errors if not e.startswith("ok")]
    sent += len(lines)
    next_t += 0.01
    d = next_t - time.monotonic()
    if d > 0:
        time.sleep(d)
elapsed = time.monotonic() - start
s.sendall(b"sync\n")
deadline = time.monotonic() + 30
while not any(e.startswith("ok") for e in errors) and time.monotonic() < deadline:
    time.sleep(0.01)
errs = [e for e in errors if not e.startswith("ok")]
print("sent=%d errors=%d rate=%d synced=%d" % (sent, len(errs), sent / elapsed,
      any(e.startswith("ok") for e in errors)))
for e in errs[:5]:
    print(e)
EOF
drv=$!
bg_pids+=($drv)
# sample far1 a little after the move: from then on it must get nothing
while [[ ! -s $tmp/moved ]] && kill -0 "$drv" 2>/dev/null; do sleep 0.05; done
sleep 0.3
m1_4=$(echoes far1 4) m1_6=$(echoes far1 6)
wait "$drv"
wait "$p4"
wait "$p6"
gen1=$(ctl --json status | sed -n 's/^  "generation": \([0-9]*\),*$/\1/p')
f1_4=$(echoes far1 4) f1_6=$(echoes far1 6) f2_4=$(echoes far2 4) f2_6=$(echoes far2 6)
drv_out=$(cat "$tmp/driver")
diag "forwarded echoes by destination MAC (far1 $(ip netns exec sl-far1 cat /sys/class/net/far1/address), far2 $(ip netns exec sl-far2 cat /sys/class/net/far2/address), inet $(ip netns exec sl-inet cat /sys/class/net/eth0/address)):
$(awk '{print $4}' "$tmp/cap" | sort | uniq -c)"
diag "sluice-dp drops before the churn:
$(cat "$tmp/drops0")
after:
$(ctl drops 2>&1)"
diag "ports before:
$(cat "$tmp/ports0")
after:
$(ctl ports 2>&1)
kernel: $(ip -s link show sl-out | tail -4 | tr -s ' ' | tr '\n' ' ') / inet eth0: $(ip -n sl-inet -s link show eth0 | tail -4 | tr -s ' ' | tr '\n' ' ')"
diag "driver: $drv_out; generations $gen0 -> $gen1"
diag "streams: $(grep -h transmitted "$tmp/ping4" "$tmp/ping6" | tr '\n' ';')"
# figures for scripts/bench-tables --churn (diagnostics, not checks)
rx4=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$tmp/ping4")
rx6=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$tmp/ping6")
diag "lost_packets=$((2 * N - ${rx4:-0} - ${rx6:-0}))"
diag "churn_changes_per_s=$(sed -n 's/.*rate=\([0-9]*\).*/\1/p' <<<"$drv_out")"
diag "echoes far1 v4 $((f1_4 - e1_4)) (after the move $((f1_4 - m1_4))), far2 v4 $((f2_4 - e2_4)); far1 v6 $((f1_6 - e1_6)) (after $((f1_6 - m1_6))), far2 v6 $((f2_6 - e2_6))"
sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$drv_out")
check "churn: the driver's $sent changes (~$CHURN_RATE/s for ${CHURN_S}s) all accepted and published" \
	grep -q "errors=0 .*synced=1" <<<"$drv_out"
check "churn: generations advanced (changes published in batches)" \
	test "${gen1:-0}" -gt "${gen0:-0}"
check "churn: IPv4 stream ($N echoes) through the Internet FIB: 0 lost" \
	grep -q " 0% packet loss" "$tmp/ping4"
check "churn: IPv6 stream ($N echoes): 0 lost" \
	grep -q " 0% packet loss" "$tmp/ping6"
check "churn: every IPv4 echo reached exactly one far host (none misforwarded)" \
	test $((f1_4 - e1_4 + f2_4 - e2_4)) -eq "$N"
check "churn: every IPv6 echo reached exactly one far host" \
	test $((f1_6 - e1_6 + f2_6 - e2_6)) -eq "$N"
check "churn: after the move far2 got the flows and far1 nothing (v4 and v6)" \
	test $((f2_4 - e2_4)) -gt 0 -a $((f2_6 - e2_6)) -gt 0 -a "$f1_4" -eq "$m1_4" -a "$f1_6" -eq "$m1_6"
ctl_check "churn: sluicectl status still in sync" 'j["synced"] is True' status

# ---------------------------------------------------------------- 2. kill -9 sluiced

# gone PID: wait (up to 10 s) until a killed process is reaped: its leader
# turns zombie while its other threads still release files and memory
gone() {
	local i
	for ((i = 0; i < 100; i++)); do
		[[ -d /proc/$1 ]] || return 0
		sleep 0.1
	done
}

SL_T=120 in_ns inet ping -q -i 0.01 -c 600 -W 2 198.51.100.10 >"$tmp/ping_k1" 2>&1 &
pk=$!
bg_pids+=($pk)
sleep 1
spid=$(cat "$RUN/sluiced.pid")
gen_k=$(ctl --json status | sed -n 's/^  "generation": \([0-9]*\),*$/\1/p')
kill -9 "$spid"
# as a supervisor would: restart once the old process is gone (a killed
# sluiced with a million routes takes a moment to release its memory)
gone "$spid"
lab_start
# lab start returns as soon as the data plane is in sync with the segment,
# which it still is: wait for the new sluiced's own generation
for ((i = 0; i < 300; i++)); do
	g=$(ctl --json status 2>/dev/null | sed -n 's/^  "generation": \([0-9]*\),*$/\1/p')
	((${g:-0} > gen_k)) && break
	sleep 0.1
done
check "kill -9 sluiced: the restarted sluiced reloaded all $TABLE_N prefixes" \
	grep -Eq "loaded $TABLE_N Internet route\(s\)" "$SLOG"
ctl_check "kill -9 sluiced: the restarted sluiced republished and sluice-dp is in sync" \
	'j["synced"] is True and j["writer"]["alive"] is True' status
wait "$pk"
check "kill -9 sluiced: the stream through the config route (600 echoes) lost nothing" \
	grep -q " 0% packet loss" "$tmp/ping_k1"
check "after the sluiced restart: inet -> 198.51.100.10 still forwarded" \
	in_ns inet ping -c 2 -W 1 198.51.100.10
# a route source re-sends its routes after a restart, as a BGP speaker does
check "after the sluiced restart: the feed takes the test routes again (via far2)" \
	bash -c "$(declare -f feed); FEED=$FEED SL_PY=$SL_PY feed 'add 198.51.100.128/25 via 203.0.113.4' \
		'add 2001:db8:eeee:77::/64 via 2001:db8:ffff::4' | grep -q '^ok '"

# ---------------------------------------------------------------- 3. kill -9 sluice-dp

dpid=$(cat "$RUN/sluice-dp.pid")
kill -9 "$dpid"
gone "$dpid"
t0=$(date +%s.%N)
env SLUICE_LAB_CONFIG="$CFG" SLUICED_ARGS="$SLUICED_ARGS" SLUICE_LAB_TIMEOUT=60 \
	timeout -k 5 90 "$SL_LAB" start >/dev/null 2>&1 &
st=$!
first=
for ((i = 0; i < 600; i++)); do
	if in_ns inet ping -c 1 -W 0.1 198.51.100.10 >/dev/null 2>&1; then
		first=$(date +%s.%N)
		break
	fi
done
wait "$st"
check "kill -9 sluice-dp: restarted without an operator, it forwards with the full table" \
	test -n "$first"
[[ -n $first ]] && diag "sluice-dp restart: first echo forwarded $(awk -v a="$t0" -v b="$first" "BEGIN{printf \"%.2f\", b-a}") s after its start (DPDK init included)"
check "after the sluice-dp restart: IPv6 feed route still forwarded (the table came from the segment)" \
	in_ns inet ping -6 -c 2 -W 1 2001:db8:eeee:77::77

tap_done
