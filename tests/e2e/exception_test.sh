#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/exception_test.sh: the exception path (issue 8; docs/sluice-dp.md,
# "Exception path"). sluice-dp runs the lab with "exception": "sl-exc0" on
# its outside port: it creates the TAP sl-exc0 with the port's MAC, and
# sluiced --exception sl-exc0 brings it up with the gateway's outside
# addresses (and puts them back when they go). Checked, through the real data
# plane (the outside port is sluice-dp's af_packet port, the host has no
# other way onto that link):
#   - wire -> kernel -> wire: a TCP server of the host bound to the
#     gateway's outside address answers curl from the inet namespace, over
#     IPv4 and IPv6 (the SYN is punted to the kernel, the SYN-ACK goes out
#     through the TAP);
#   - kernel -> wire -> kernel: the host itself reaches a server in inet
#     (its ARP request leaves through the TAP, the reply is copied to it);
#   - UDP to the gateway goes to the kernel too (a host UDP socket gets it),
#     while ICMP echo is still answered by the fast path (echo_replies);
#   - the counters exception_to_kernel / exception_from_kernel moved;
#   - the TAP goes away with sluice-dp.
# TAP.
# shellcheck disable=SC2317 # functions run through check and the trap
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAN=13
tap_plan $PLAN
lab_test_init exception

EXC=sl-exc0
GW4=203.0.113.2 # the gateway's outside addresses (configs/demo.json)
GW6=2001:db8:ffff::2
INET4=203.0.113.1
lab() { timeout -k 5 120 "$SL_LAB" "$@"; }

counter() { # NAME: the counter's total from sluicectl
	ctl --json counters | "$SL_PY" -c 'import json,sys
print([c["total"] for c in json.load(sys.stdin)["counters"] if c["counter"] == sys.argv[1]][0])' "$1"
}

lab_exception_dp "$EXC" || tap_bail "could not add the exception key to dp-lab.json"
export SLUICED_ARGS="--exception $EXC"

has_addrs() { # wait up to 5 s for both outside addresses on $EXC, and up
	local i
	for ((i = 0; i < 50; i++)); do
		ip -o addr show dev "$EXC" 2>/dev/null | grep -q "inet $GW4/24" &&
			ip -o addr show dev "$EXC" | grep -q "inet6 $GW6/64" &&
			ip -o link show dev "$EXC" | grep -q "[<,]UP[,>]" && return 0
		sleep 0.1
	done
	ip addr show dev "$EXC" 2>&1
	return 1
}

check "lab up" lab up || tap_bail "lab up failed"
if ! check "lab start with an exception path on the outside port" lab start; then
	diag "$(tail -n 20 "${SLUICE_LAB_RUN:-/run/sluice-lab}/sluice-dp.log")"
	tap_bail "daemons did not start"
fi
out_mac=$(ctl --json ports | "$SL_PY" -c 'import json,sys
print([p["mac"] for p in json.load(sys.stdin)["ports"] if p["role"] == "outside"][0])')
exc_mac=$(cat "/sys/class/net/$EXC/address" 2>/dev/null)
check "sluice-dp created $EXC with the outside port's MAC ($out_mac)" \
	test -n "$exc_mac" -a "$exc_mac" == "$out_mac"

check "sluiced --exception brought $EXC up with $GW4/24 and $GW6/64" has_addrs
ip addr del "$GW4/24" dev "$EXC"
check "an address removed by hand is put back within seconds" has_addrs
to0=$(counter exception_to_kernel)
from0=$(counter exception_from_kernel)
echo0=$(counter echo_replies)

# the host's server on the gateway's own address, reached from inet
mkdir -p "$tmp/www" && echo "hello from the host kernel" >"$tmp/www/index.txt"
(cd "$tmp/www" && exec "$SL_PY" -m http.server --bind "$GW4" 8179) >"$tmp/http-host.log" 2>&1 &
bg_pids+=($!)
(cd "$tmp/www" && exec "$SL_PY" -m http.server --bind "$GW6" 8179) >"$tmp/http-host6.log" 2>&1 &
bg_pids+=($!)
# a server in inet, reached by the host
ip netns exec sl-inet sh -c "cd '$tmp/www' && exec '$SL_PY' -m http.server --bind $INET4 8180" \
	>"$tmp/http-inet.log" 2>&1 &
bg_pids+=($!)
for ((i = 0; i < 50; i++)); do
	ss -ltn | grep -q "$GW4:8179" && ip netns exec sl-inet ss -ltn | grep -q "$INET4:8180" && break
	sleep 0.1
done

got=$(in_ns inet curl -sS --max-time 10 "http://$GW4:8179/index.txt" 2>&1)
check "inet -> the host's TCP server on $GW4 through the exception path (curl)" \
	test "$got" == "hello from the host kernel"
got=$(in_ns inet curl -sS --max-time 10 "http://[$GW6]:8179/index.txt" 2>&1)
check "inet -> the host's TCP server on $GW6 (IPv6, ND through the exception path)" \
	test "$got" == "hello from the host kernel"
got=$(timeout 15 curl -sS --max-time 10 --interface "$EXC" "http://$INET4:8180/index.txt" 2>&1)
check "the host -> a TCP server in inet through the TAP and the outside port (curl)" \
	test "$got" == "hello from the host kernel"

# UDP to the gateway: the kernel's socket gets it (no ICMP port unreachable)
timeout 10 "$SL_PY" -c 'import socket,sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 3784)); s.settimeout(8)
print(s.recvfrom(100)[0].decode())' "$GW4" >"$tmp/udp.out" 2>&1 &
udp_pid=$!
bg_pids+=("$udp_pid")
sleep 0.5
for ((i = 0; i < 5; i++)); do
	in_ns inet "$SL_PY" -c 'import socket,sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"bfd-like", (sys.argv[1], 3784))' "$GW4"
	sleep 0.2
done
wait "$udp_pid"
check "UDP to $GW4:3784 from inet reaches the host's socket" grep -qx "bfd-like" "$tmp/udp.out"

check "ICMP echo to $GW4 from inet is still answered" in_ns inet ping -c 3 -i 0.2 -W 2 -q "$GW4"
echo1=$(counter echo_replies)
check "... by the fast path (echo_replies +3 or more: $echo0 -> $echo1)" test $((echo1 - echo0)) -ge 3
to1=$(counter exception_to_kernel)
from1=$(counter exception_from_kernel)
check "exception_to_kernel and exception_from_kernel moved ($to0 -> $to1, $from0 -> $from1)" \
	test $((to1 - to0)) -ge 5 -a $((from1 - from0)) -ge 5

lab stop >/dev/null 2>&1
check "$EXC is gone with sluice-dp" bash -c "! ip link show $EXC >/dev/null 2>&1"
tap_done
