#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/afxdp_test.sh: sluice-dp's outside port on AF_XDP with sluice's
# own XDP program (issue 8, "XDP"; docs/xdp.md, "How it meets DPDK 22.11's
# af_xdp PMD"). The lab runs with one worker (a veth offers one combined
# channel, so one XSK queue) and the outside port
#   net_af_xdp0,iface=sl-out,start_queue=0,queue_count=1,xdp_prog=sl_xdp.bpf.o
# : the PMD loads and attaches the program and fills its xsks_map; sluiced
# --xdp sl-out,adopt configures it (role outside, the owned prefixes).
# Checked: the program on sl-out is sl_xdp and sluiced adopted it; echo to
# the gateway's outside addresses (IPv4 and IPv6) from inet is answered by
# sluice-dp through the XSK (the program's to_xsk and sluice-dp's
# echo_replies move together); traffic to an address nobody owns is dropped
# by the program (not_owned4). TAP.
# shellcheck disable=SC2317 # functions run through check and the trap
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAN=7
tap_plan $PLAN
lab_test_init afxdp

OBJ=$SL_BUILD/bpf/sl_xdp.bpf.o
[[ -r $OBJ ]] || tap_bail "$OBJ not built (XDP disabled in this build?)"
lab() { timeout -k 5 120 "$SL_LAB" "$@"; }
counter() { # NAME: sluice-dp's counter total
	ctl --json counters | "$SL_PY" -c 'import json,sys
print([c["total"] for c in json.load(sys.stdin)["counters"] if c["counter"] == sys.argv[1]][0])' "$1"
}
xdp_cnt() { # NAME: the XDP program's counter, from sluiced's /metrics
	curl -sS --max-time 5 "$murl/metrics" | "$SL_PY" -c 'import sys
for l in sys.stdin:
    if l.startswith("sluice_xdp_packets_total{iface=\"sl-out\",counter=\"%s\"}" % sys.argv[1]):
        print(l.split()[-1]); break
else:
    print(-1)' "$1"
}

"$SL_PY" - "$SL_ROOT/configs/dp-lab.json" "$OBJ" >"$tmp/dp.json" <<'PY' || tap_bail "cannot write the config"
import json, sys
c = json.load(open(sys.argv[1]))
for p in c["ports"]:
    if p["role"] == "inside":
        p["devargs"] = p["devargs"].replace("qpairs=2", "qpairs=1")
    else:
        p["devargs"] = "net_af_xdp0,iface=sl-out,start_queue=0,queue_count=1,xdp_prog=" + sys.argv[2]
print(json.dumps(c, indent=2))
PY
export SLUICE_LAB_DP_CONFIG=$tmp/dp.json SLUICE_LAB_LCORES=0@0,1@1
export SLUICED_ARGS="--xdp sl-out,adopt --listen 127.0.0.1:0 --state-dir $tmp/state"

check "lab up" lab up || tap_bail "lab up failed"
if ! check "lab start: sluice-dp with its outside port on net_af_xdp (one worker)" lab start; then
	diag "$(tail -n 20 "${SLUICE_LAB_RUN:-/run/sluice-lab}/sluice-dp.log")"
	tap_bail "daemons did not start"
fi
slog=${SLUICE_LAB_RUN:-/run/sluice-lab}/sluiced.log
for ((i = 0; i < 50; i++)); do
	grep -q "xdp: adopted sl_xdp (program [0-9]*) on sl-out" "$slog" && break
	sleep 0.2
done
prog=$(ip -j link show sl-out | "$SL_PY" -c 'import json,sys
x = json.load(sys.stdin)[0].get("xdp", {})
print(x.get("prog", {}).get("name", ""))')
check "the af_xdp PMD attached sl_xdp to sl-out (got '$prog') and sluiced adopted it" \
	bash -c "[[ '$prog' == sl_xdp ]] && grep -q 'xdp: adopted sl_xdp (program [0-9]*) on sl-out' '$slog'"
murl=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$slog" | tail -1 | sed 's/listening on //')

in_ns inet ping -c 1 -W 2 203.0.113.2 >/dev/null 2>&1 # ARP
x0=$(xdp_cnt to_xsk)
e0=$(counter echo_replies)
check "inet -> 203.0.113.2 (the gateway, through the XSK): 5 pings answered" \
	in_ns inet ping -c 5 -i 0.2 -W 2 -q 203.0.113.2
check "inet -> 2001:db8:ffff::2 (IPv6): 5 pings answered" \
	in_ns inet ping -6 -c 5 -i 0.2 -W 2 -q 2001:db8:ffff::2
x1=$(xdp_cnt to_xsk)
e1=$(counter echo_replies)
check "the program sent them to sluice-dp's socket (to_xsk $x0 -> $x1) and sluice-dp answered them (echo_replies $e0 -> $e1)" \
	test $((x1 - x0)) -ge 10 -a $((e1 - e0)) -ge 10
# 203.0.113.77 is on inet's link but owned by nobody: point it at sl-out
n0=$(xdp_cnt not_owned4)
ip -n sl-inet neigh replace 203.0.113.77 lladdr "$(cat /sys/class/net/sl-out/address)" dev eth0
in_ns inet "$SL_PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(5): s.sendto(b"x", ("203.0.113.77", 9))' 2>/dev/null
sleep 0.5
n1=$(xdp_cnt not_owned4)
check "to an address nobody owns: dropped by the program (not_owned4 $n0 -> $n1, +5 or more)" \
	test $((n1 - n0)) -ge 5
tap_done
