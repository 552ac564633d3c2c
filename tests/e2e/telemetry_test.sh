#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/telemetry_test.sh: sluice-dp's DPDK telemetry commands and
# packet capture, checked against known traffic in the namespace lab.
#
# Starts the lab, sends exactly 50 pings a1 -> a2 (VPC A, VLAN 100) and 7
# pings into 100.64.0.0/10 (a blackhole route of VPC A), then reads
# /sluice/status, /drops, /counters, /ports, /neighbours, /lcores, /tables
# and /queues through /usr/bin/dpdk-telemetry.py and checks them against
# that traffic and against `sluicectl --json` and /metrics (same numbers:
# per route table, VPC A's routed every ping; per queue, the workers' rx/tx
# add up to the counters), while dpdk-dumpcap captures the
# 50 pings on the inside port into a pcap that tcpdump must read back.
# TAP output; the lab is torn down on every exit path. Needs root, a build
# and free 2 MiB hugepages for the capture part.
#
# Capture needs DPDK multi-process support (dumpcap is a secondary process),
# which is why scripts/lab does not start sluice-dp with --huge-unlink.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAN=36
tap_plan $PLAN

TEL=/usr/bin/dpdk-telemetry.py
FILE_PREFIX=sluice-lab # scripts/lab
N_PING=50
N_BLACKHOLE=7

lab_test_init telemetry # root, a build, $tmp, the lab lock; cleans up at exit
[[ -x $TEL ]] || tap_bail "$TEL not found (package dpdk)"

lab() { timeout -k 5 120 "$SL_LAB" "$@"; }

# tel CMD: one telemetry command; prints the value under the command's key
# as JSON (fails if the socket does not answer or the answer is null).
tel() {
	local out
	out=$(echo "$1" | timeout -k 2 10 "$TEL" -f "$FILE_PREFIX" 2>&1) || {
		echo "$out" >&2
		return 1
	}
	"$SL_PY" -c '
import json, sys
for line in sys.argv[1].splitlines():
    line = line.strip()
    if line.startswith("{"):
        v = json.loads(line).get(sys.argv[2].split(",")[0])
        if v is None:
            sys.exit("null answer to " + sys.argv[2])
        print(json.dumps(v))
        sys.exit(0)
sys.exit("no JSON in the answer: " + sys.argv[1][-500:])' "$out" "$1"
}

# jcheck DESC EXPR JSON...: EXPR over a, b, c, ... (the JSON arguments).
jcheck() {
	local desc=$1 expr=$2
	shift 2
	check "$desc" "$SL_PY" -c '
import json, sys
env = {}
for n, s in zip("abcdefgh", sys.argv[2:]):
    try:
        env[n] = json.loads(s)
    except ValueError:
        sys.exit("%s is not JSON: %r" % (n, s[:1500]))
r = eval(sys.argv[1], env)
if not r:
    print("condition false: " + sys.argv[1])
    for n, v in env.items():
        print(n + " = " + json.dumps(v)[:1500])
sys.exit(0 if r else 1)' "$expr" "$@"
}

# metrics URL: sluiced serves GET /metrics on its --listen address
metrics() { curl -sS --max-time 10 "$metrics_url/metrics"; }
# mjson TEXT: the samples of a Prometheus text as JSON {"name{labels}": value}
mjson() {
	"$SL_PY" -c '
import json, sys
out = {}
for line in sys.argv[1].splitlines():
    if line and not line.startswith("#"):
        k, v = line.rsplit(" ", 1)
        out[k] = float(v)
print(json.dumps(out))' "$1"
}

check "lab up" lab up || tap_bail "lab up failed"
export SLUICED_ARGS="--listen 127.0.0.1:0 --state-dir $tmp/state --log-level info,api=debug"
# per-component log levels: the EAL option sets sluice.shm's at start
export SLUICE_DP_ARGS="--log-level sluice.shm:warning"
if ! check "lab start: sluiced + sluice-dp (2 workers), tables acknowledged" lab start; then
	diag "$(timeout 10 "$SL_LAB" logs 2>&1 | tail -n 40)"
	tap_bail "daemons did not start"
fi

# ---------------------------------------------------------------- status
st=$(tel /sluice/status) || tap_bail "no answer from the telemetry socket: $st"
ctl_st=$(ctl --json status)
jcheck "/sluice/status: synced, 2 workers, 2 ports, generation and per-lcore acks as sluicectl status" \
	'a["synced"] == 1 and a["workers"] == 2 and a["ports"] == 2 and a["segment"] == b["segment"] and a["generation"] == b["generation"] > 0 and a["dp_pid"] == b["dataplane"]["pid"] and a["lcores_online"] == 3 and sorted(a["ack_generation"].values()) == [b["generation"]] * 3' \
	"$st" "$ctl_st"
jcheck "/sluice/lcores: main lcore and 2 workers online, each acked the generation" \
	'len(a) == 3 and sorted(v["role"] for v in a.values()) == ["main", "worker", "worker"] and all(v["online"] == 1 and v["acked"] == 1 and v["ack_generation"] == b["generation"] for v in a.values())' \
	"$(tel /sluice/lcores)" "$ctl_st"
jcheck "a bad parameter gets an error naming the accepted one" \
	'"lcores" in a["error"]' "$(tel /sluice/drops,bogus)"

# ---------------------------------------------------------------- traffic
# Resolve the neighbours first so the measured pings are the only packets.
in_ns a1 ping -c 2 -W 2 192.168.2.10 >/dev/null 2>&1
sleep 0.3
metrics_url=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "${SLUICE_LAB_RUN:-/run/sluice-lab}/sluiced.log" |
	tail -1 | sed 's/listening on //')
m0=$(mjson "$(metrics)")
tb0=$(ctl --json tables)
q0=$(ctl --json ports)
d0=$(tel /sluice/drops)
c0=$(tel /sluice/counters)
p0=$(tel /sluice/ports)
inside_id=$("$SL_PY" -c 'import json,sys; print([v["port_id"] for v in json.loads(sys.argv[1]).values() if v["role"] == "inside"][0])' "$p0")

dumpcap_ok=false
if [[ $(</sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages) -ge 64 ]]; then
	# dumpcap is a DPDK secondary process: it needs hugepages of its own.
	# Line-buffered: "Capturing on" is printed once the capture is enabled.
	timeout -s INT 40 stdbuf -oL -eL dpdk-dumpcap --file-prefix "$FILE_PREFIX" -i "$inside_id" \
		-w "$tmp/inside.pcapng" >"$tmp/dumpcap.log" 2>&1 &
	dc_pid=$!
	bg_pids+=("$dc_pid")
	for ((i = 0; i < 100; i++)); do
		grep -q "Capturing on" "$tmp/dumpcap.log" && dumpcap_ok=true && break
		kill -0 "$dc_pid" 2>/dev/null || break
		sleep 0.1
	done
fi

check "$N_PING pings a1 -> a2 through the gateway all answered" \
	in_ns a1 ping -c $N_PING -i 0.01 -W 2 -q 192.168.2.10
check_fails "$N_BLACKHOLE pings a1 -> 100.64.0.1 (blackhole route) unanswered" \
	in_ns a1 ping -c $N_BLACKHOLE -i 0.05 -W 1 -q 100.64.0.1
sleep 0.3

if $dumpcap_ok; then
	kill -INT "$dc_pid"
	wait "$dc_pid" 2>/dev/null
fi

# ---------------------------------------------------------------- counters
d1=$(tel /sluice/drops)
c1=$(tel /sluice/counters)
jcheck "/sluice/drops: blackhole moved by exactly $N_BLACKHOLE, no other reason moved" \
	"a['blackhole'] - b['blackhole'] == $N_BLACKHOLE and all(a[k] == b[k] for k in a if k not in ('blackhole', 'nd_ignored'))" \
	"$d1" "$d0"
jcheck "/sluice/counters: forwarded_ip4 moved by exactly $((2 * N_PING)) (requests + replies)" \
	"a['forwarded_ip4'] - b['forwarded_ip4'] == $((2 * N_PING)) and a['rx_packets'] - b['rx_packets'] >= $((2 * N_PING + N_BLACKHOLE))" \
	"$c1" "$c0"

m1=$(mjson "$(metrics)")
jcheck "/metrics: sluice_drops_total{reason=blackhole} moved by exactly $N_BLACKHOLE, forwarded_ip4 by $((2 * N_PING))" \
	"a['sluice_drops_total{reason=\"blackhole\"}'] - b['sluice_drops_total{reason=\"blackhole\"}'] == $N_BLACKHOLE and a['sluice_packets_total{counter=\"forwarded_ip4\"}'] - b['sluice_packets_total{counter=\"forwarded_ip4\"}'] == $((2 * N_PING))" \
	"$m1" "$m0"
# counters are monotonic: a /metrics read between two telemetry reads lies between them
t0=$(tel /sluice/drops)
m2=$(mjson "$(metrics)")
t1=$(tel /sluice/drops)
jcheck "/metrics: every drop reason of /sluice/drops with the same total, dp up, generation acknowledged" \
	"all(b[r] <= a['sluice_drops_total{reason=\"%s\"}' % r] <= c[r] for r in b) and a['sluice_dp_up'] == 1 and a['sluice_dp_acked_generation'] == a['sluice_generation'] > 0" \
	"$m2" "$t0" "$t1"
jcheck "/metrics: ports inside0/outside0 up, a1 and a2 among the reachable neighbours, demo objects Available" \
	"a['sluice_port_up{port=\"inside0\",role=\"inside\",trunk=\"0\"}'] == 1 and a['sluice_port_up{port=\"outside0\",role=\"outside\"}'] == 1 and a['sluice_neighbours{state=\"reachable\"}'] >= 2 and a['sluice_objects{kind=\"vpc\",origin=\"file\",status=\"Available\"}'] == 2" \
	"$(mjson "$(metrics)")"
check "/metrics refuses POST with 405" \
	bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' -X POST '$metrics_url/metrics') == 405 ]]"

# Same numbers as sluicectl: counters are monotonic, so a telemetry read
# between two sluicectl reads lies between them (equal when idle).
ctl_d0=$(ctl --json drops --all 2>"$tmp/ctl.err") || diag "sluicectl drops: exit $?: $(head -c 500 "$tmp/ctl.err")"
dl=$(tel /sluice/drops,lcores)
ctl_c0=$(ctl --json counters)
cl=$(tel /sluice/counters,lcores)
ctl_d1=$(ctl --json drops --all)
ctl_c1=$(ctl --json counters)
jcheck "/sluice/drops,lcores: every reason of sluicectl drops, totals and per-lcore values equal" \
	'set(a) == {x["reason"] for x in b["drops"]} and all(x["total"] <= a[r]["total"] <= y["total"] and a[r]["total"] == sum(v for k, v in a[r].items() if k != "total") and all(lo <= a[r]["lcore%d" % l] <= hi for l, lo, hi in zip(b["lcore_ids"], x["per_lcore"], y["per_lcore"])) for x, y in zip(b["drops"], c["drops"]) for r in [x["reason"]])' \
	"$dl" "$ctl_d0" "$ctl_d1"
jcheck "/sluice/counters,lcores: every counter of sluicectl counters, same totals" \
	'set(a) == {x["counter"] for x in b["counters"]} and all(x["total"] <= a[x["counter"]]["total"] <= y["total"] for x, y in zip(b["counters"], c["counters"]))' \
	"$cl" "$ctl_c0" "$ctl_c1"

# Stages: every received packet was handed to eth_input once (idle now);
# the pings crossed route4, forward4, neigh and tx; /metrics agrees.
# (read between two reads of rx_packets: a stray frame may arrive meanwhile)
c_before=$(ctl --json counters)
st_j=$(ctl --json stages)
jcheck "sluicectl stages: eth_input got every received packet (rx_packets), route4, forward4, neigh and tx at least the $((2 * N_PING)) forwarded pings" \
	'(lambda s, c0, c1: c0["rx_packets"] <= s["eth_input"] <= c1["rx_packets"] and all(s[k] >= '"$((2 * N_PING))"' for k in ("route4", "forward4", "neigh", "tx")))({x["stage"]: x["total"] for x in a["stages"]}, {x["counter"]: x["total"] for x in b["counters"]}, {x["counter"]: x["total"] for x in c["counters"]})' \
	"$st_j" "$c_before" "$(ctl --json counters)"
jcheck "/metrics: sluice_stage_packets_total for every stage sluicectl lists, eth_input as sluicectl's" \
	'all("sluice_stage_packets_total{stage=\"%s\"}" % x["stage"] in a for x in b["stages"]) and a["sluice_stage_packets_total{stage=\"eth_input\"}"] >= [x["total"] for x in b["stages"] if x["stage"] == "eth_input"][0]' \
	"$(mjson "$(metrics)")" "$st_j"

# Operators' counters (issue 11): per route table and per queue.
# VPC A's table routed the echo requests and replies (a1 and a2 are both
# in VPC A) and the blackholed pings: 84 bytes of IP each. The lab is
# quiet but the namespaces' kernels may add a stray packet: a little slack.
N_RT=$((2 * N_PING + N_BLACKHOLE))
tb1=$(ctl --json tables)
jcheck "sluicectl tables: VPC A's table routed $N_RT to $((N_RT + 5)) packets more ($((2 * N_PING)) pings and replies, $N_BLACKHOLE blackholed), at least 84 IP bytes each; VPC B's nothing" \
	'(lambda t0, t1: '"$N_RT"' <= t1["vpc-a"]["packets"] - t0["vpc-a"]["packets"] <= '"$((N_RT + 5))"' and t1["vpc-a"]["bytes"] - t0["vpc-a"]["bytes"] >= 84 * '"$N_RT"' and t1["vpc-b"]["packets"] == t0["vpc-b"]["packets"] and t1["internet"]["packets"] >= t0["internet"]["packets"])({x["table"]: x for x in b["tables"]}, {x["table"]: x for x in a["tables"]})' \
	"$tb1" "$tb0"
# /sluice/tables and /metrics between two sluicectl reads (monotonic).
tb_lo=$(ctl --json tables)
tb_tel=$(tel /sluice/tables)
tb_m=$(mjson "$(metrics)")
tb_hi=$(ctl --json tables)
jcheck "/sluice/tables and /metrics sluice_table_packets_total: the packets and bytes of every table sluicectl tables lists" \
	'all(x["packets"] <= (a["internet" if x["vpc_index"] is None else "vpc%d" % x["vpc_index"]]["packets"] if x["packets"] else 0) <= y["packets"] and x["packets"] <= b["sluice_table_packets_total{table=\"%s\"%s}" % (x["table"], "" if x["vpc_index"] is None else ",vpc_index=\"%d\"" % x["vpc_index"])] <= y["packets"] and x["bytes"] <= b["sluice_table_bytes_total{table=\"%s\"%s}" % (x["table"], "" if x["vpc_index"] is None else ",vpc_index=\"%d\"" % x["vpc_index"])] <= y["bytes"] for x, y in zip(c["tables"], d["tables"]))' \
	"$tb_tel" "$tb_m" "$tb_lo" "$tb_hi"
# Queues: each worker counts what it receives and sends on its queue of
# each port, so the queues add up to the rx_packets / tx_packets counters.
q_c0=$(ctl --json counters)
q1=$(ctl --json ports)
q_c1=$(ctl --json counters)
jcheck "sluicectl ports: 2 queues per port; their rx/tx add up to rx_packets/tx_packets; the inside queues received >= $N_RT and sent >= $((2 * N_PING)) more, none full" \
	'(lambda qs, qs0, ctr0, ctr1: all(len(p["queues"]) == 2 for p in a["ports"]) and ctr0["rx_packets"] <= sum(q["rx_packets"] for p in a["ports"] for q in p["queues"]) <= ctr1["rx_packets"] and ctr0["tx_packets"] <= sum(q["tx_packets"] for p in a["ports"] for q in p["queues"]) <= ctr1["tx_packets"] and sum(q["rx_packets"] for q in qs) - sum(q["rx_packets"] for q in qs0) >= '"$N_RT"' and sum(q["tx_packets"] for q in qs) - sum(q["tx_packets"] for q in qs0) >= '"$((2 * N_PING))"' and sum(q["rx_bytes"] for q in qs) - sum(q["rx_bytes"] for q in qs0) >= 98 * '"$N_RT"' and all(q["tx_full"] == 0 for q in qs))([p for p in a["ports"] if p["role"] == "inside"][0]["queues"], [p for p in b["ports"] if p["role"] == "inside"][0]["queues"], {x["counter"]: x["total"] for x in c["counters"]}, {x["counter"]: x["total"] for x in d["counters"]})' \
	"$q1" "$q0" "$q_c0" "$q_c1"
q_lo=$(ctl --json ports)
q_tel=$(tel /sluice/queues)
q_m=$(mjson "$(metrics)")
q_hi=$(ctl --json ports)
jcheck "/sluice/queues and /metrics sluice_queue_*: the per-queue values of sluicectl ports" \
	'all(x["lcore_id"] == a["%s_q%d" % (p["name"], x["queue"])]["lcore"] and all(x[k] <= a["%s_q%d" % (p["name"], x["queue"])][k] <= y[k] and x[k] <= b["sluice_queue_%s_total{port=\"%s\",queue=\"%d\"}" % (k, p["name"], x["queue"])] <= y[k] for k in ("rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "tx_full", "no_mbuf")) for p, p2 in zip(c["ports"], d["ports"]) for x, y in zip(p["queues"], p2["queues"]))' \
	"$q_tel" "$q_m" "$q_lo" "$q_hi"
check "sluicectl tables vpc-a / ports (tables): per-table and per-queue lines" \
	bash -c "'$SLUICECTL' -s '$SL_SEG' tables vpc-a | grep -q '^vpc-a ' && '$SLUICECTL' -s '$SL_SEG' ports | grep -q '^per queue'"

# Ports: sluicectl reads the 100 ms export, telemetry the live counters.
ctl_p0=$(ctl --json ports)
p1=$(tel /sluice/ports)
sleep 0.3
ctl_p1=$(ctl --json ports)
jcheck "/sluice/ports: names, roles, MACs, MTUs and rte_eth_stats as sluicectl ports" \
	'len(a) == len(b["ports"]) == 2 and all(a[x["name"]]["role"] == x["role"] and a[x["name"]]["mac"] == x["mac"] and a[x["name"]]["mtu"] == x["mtu"] and a[x["name"]]["link_up"] == 1 and all(x[k] <= a[x["name"]][k] <= y[k] for k in ("ipackets", "opackets", "ibytes", "obytes", "ierrors", "oerrors")) for x, y in zip(b["ports"], c["ports"]))' \
	"$p1" "$ctl_p0" "$ctl_p1"
jcheck "/sluice/ports: the inside port received >= $((2 * N_PING + N_BLACKHOLE)) and sent >= $((2 * N_PING)) packets more" \
	"(lambda i: a[i]['ipackets'] - b[i]['ipackets'] >= $((2 * N_PING + N_BLACKHOLE)) and a[i]['opackets'] - b[i]['opackets'] >= $((2 * N_PING)))([k for k in a if a[k]['role'] == 'inside'][0])" \
	"$p1" "$p0"

n1=$(tel /sluice/neighbours)
jcheck "/sluice/neighbours: a1 and a2 reachable on VLAN 100 with their MACs, same entries as sluicectl" \
	'(lambda e: a["total"] == len(b["neighbours"]) and {(x["address"], x["mac"], x["vlan"]) for x in e} == {(x["address"], x["mac"], x["vlan"]) for x in b["neighbours"]} and all(any(x["address"] == ip and x["vlan"] == 100 and x["state"] == "reachable" and x["mac"] == m for x in e) for ip, m in ((c, d), (f, g))))([v for k, v in a.items() if k.isdigit()])' \
	"$n1" "$(ctl --json neighbours)" '"192.168.1.10"' "\"$(ip -n sl-a1 -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')\"" '0' \
	'"192.168.2.10"' "\"$(ip -n sl-a2 -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')\""

# ---------------------------------------------------------------- capture
if $dumpcap_ok; then
	ok "dpdk-dumpcap attached to sluice-dp and captured on the inside port"
	tcpdump -nn -e -r "$tmp/inside.pcapng" >"$tmp/inside.txt" 2>"$tmp/tcpdump.err"
	req=$(grep -c 'vlan 100, .*192\.168\.1\.10 > 192\.168\.2\.10: ICMP echo request' "$tmp/inside.txt")
	rep=$(grep -c 'vlan 100, .*192\.168\.2\.10 > 192\.168\.1\.10: ICMP echo reply' "$tmp/inside.txt")
	# Each ping crosses the inside port twice (in from a1, out to a2) and
	# so does its reply: rx and tx are both captured.
	if ((req == 2 * N_PING && rep == 2 * N_PING)); then
		ok "tcpdump reads the pcap: $req echo requests and $rep replies a1 <-> a2, VLAN 100"
	else
		not_ok "tcpdump reads the pcap: $((2 * N_PING)) echo requests and replies a1 <-> a2, VLAN 100" \
			"$(printf 'requests %s replies %s\n%s\n%s\n%s' "$req" "$rep" "$(tail -n 5 "$tmp/dumpcap.log")" "$(cat "$tmp/tcpdump.err")" "$(head -n 8 "$tmp/inside.txt")")"
	fi
else
	not_ok "dpdk-dumpcap attached to sluice-dp and captured on the inside port" \
		"$(printf 'free hugepages: %s\n%s' "$(</sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages)" "$(tail -n 10 "$tmp/dumpcap.log" 2>/dev/null)")"
	not_ok "tcpdump reads the pcap (no capture)"
fi

# ---------------------------------------------------------------- packet trace
# sluicectl trace arms /sluice/trace_add through the telemetry socket it
# finds by sluice-dp's pid in the segment, then waits for the packets.
in_ns a1 ping -c 1 -W 2 192.168.2.10 >/dev/null 2>&1 # neighbours fresh
ctl --json trace 4 --wait 8 >"$tmp/trace.json" 2>"$tmp/trace.err" &
tr_pid=$!
bg_pids+=("$tr_pid")
sleep 1
in_ns a1 ping -c 4 -i 0.2 -W 2 -q 192.168.2.10 >/dev/null 2>&1
wait "$tr_pid"
tr_rc=$?
((tr_rc == 0)) || diag "sluicectl trace: exit $tr_rc: $(head -c 500 "$tmp/trace.err")"
jcheck "sluicectl trace 4: 4 packets claimed, each received by eth_input and ended (tx, drop or punt), no record lost" \
	'a["claimed"] == a["armed"] == 4 and a["lost"] == 0 and len(a["packets"]) == 4 and all(p["records"][0]["stage"] == "eth_input" and p["records"][0]["event"] == "rx" and any(r["event"] in ("tx", "drop") or r.get("to") == "punt" for r in p["records"]) for p in a["packets"])' \
	"$(cat "$tmp/trace.json")"
jcheck "sluicectl trace: the echo packets went eth_input, ip4_input, route4 (a connected next hop in VPC 0), forward4, neigh (a MAC), tx, in that order" \
	'sum(1 for p in a["packets"] if [r["stage"] for r in p["records"] if r["event"] == "next"] == ["eth_input", "ip4_input", "route4", "forward4", "neigh"] and any(r["stage"] == "route4" and r.get("note", "").startswith("vpc 0: nh ") and r["note"].endswith("connected") for r in p["records"]) and any(r["stage"] == "neigh" and r.get("note", "").startswith("to ") for r in p["records"]) and p["records"][-1]["event"] == "tx") >= 2' \
	"$(cat "$tmp/trace.json")"
ctl trace 1 --wait 8 >"$tmp/trace.txt" 2>&1 &
tr_pid=$!
bg_pids+=("$tr_pid")
sleep 1
in_ns a1 ping -c 2 -i 0.2 -W 2 -q 192.168.2.10 >/dev/null 2>&1
wait "$tr_pid"
check "sluicectl trace 1 (table): one packet, its stages with times" \
	bash -c "grep -q '^trace: 1 of 1 packets' '$tmp/trace.txt' && grep -q '^packet 1 ' '$tmp/trace.txt' && grep -Eq '^ +[0-9]+ ns  eth_input +rx ' '$tmp/trace.txt'"
check_fails "sluicectl trace 0 is a usage error" ctl trace 0

# ---------------------------------------------------------------- log levels
jcheck "/sluice/log_level: sluice.shm at warning from the EAL option, the other components at info" \
	'a["shm"] == "warning" and all(v == "info" for k, v in a.items() if k != "shm") and "port" in a and "nat" in a' \
	"$(tel /sluice/log_level)"
jcheck "/sluice/log_level,sluice.port:debug sets that component alone" \
	'a["port"] == "debug" and a["core"] == "info" and a["shm"] == "warning"' \
	"$(tel /sluice/log_level,sluice.port:debug)"
jcheck "/sluice/log_level with a bad level: the error names the accepted ones" \
	'"PATTERN:LEVEL" in a["error"]' "$(tel /sluice/log_level,sluice.port:loud)"
curl -s -o /dev/null --max-time 5 "$metrics_url/?Action=DescribeRegions" # unsigned: MissingParameter
check "sluice-dp logged the level change; sluiced's api component logs each request at debug, its main component stays at info" \
	bash -c "grep -q 'log level of sluice.port set to debug' '${SLUICE_LAB_RUN:-/run/sluice-lab}/sluice-dp.log' && grep -q 'debug api: GET / -> 400 MissingParameter' '${SLUICE_LAB_RUN:-/run/sluice-lab}/sluiced.log' && ! grep -q ' debug ' <(grep -v ' debug api: ' '${SLUICE_LAB_RUN:-/run/sluice-lab}/sluiced.log')"

# ---------------------------------------------------------------- stop
# Telemetry clients keep asking while sluice-dp stops: the commands must
# not hold up the exit (or read the unmapped segment).
(for ((i = 0; i < 40; i++)); do
	printf '/sluice/status\n/sluice/neighbours\n/sluice/drops,lcores\n' |
		timeout 5 "$TEL" -f "$FILE_PREFIX" >/dev/null 2>&1
done) &
poll_pid=$!
bg_pids+=("$poll_pid")
sleep 1
out=$(lab stop 2>&1)
wait "$poll_pid" 2>/dev/null
if ! grep -q SIGKILL <<<"$out" && grep -q "sluice-dp: stopping" "${SLUICE_LAB_RUN:-/run/sluice-lab}/sluice-dp.log"; then
	ok "sluice-dp stops on SIGTERM while telemetry clients poll"
else
	not_ok "sluice-dp stops on SIGTERM while telemetry clients poll" \
		"$(printf '%s\n%s' "$out" "$(tail -n 10 "${SLUICE_LAB_RUN:-/run/sluice-lab}/sluice-dp.log")")"
fi
tap_done
