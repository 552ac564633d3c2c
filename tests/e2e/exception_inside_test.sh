#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/exception_inside_test.sh: the exception path of an inside port
# (issue 8; docs/sluice-dp.md, "Exception path"). sluice-dp runs the lab with
# "exception": "sl-exc1" on its inside port (the trunk): it creates the TAP
# sl-exc1 carrying the trunk as it is, 802.1Q tags included, and sluiced
# --exception sl-exc1,inside keeps it up (no addresses: on a real host they
# go on VLAN devices, one per VSwitch, in a VRF or namespace per VPC).
# This kernel has no 802.1Q devices, so the kernel side is
# exc_inside_responder.py, an AF_PACKET listener on sl-exc1 that answers
# UDP to port 3784 of the gateway on the VLAN it came from. Checked:
#   - sl-exc1 has the inside port's MAC, is up, has IPv6 disabled and no
#     address; set down by hand, sluiced brings it up again;
#   - UDP from a1 (VLAN 100) and from b1 (VLAN 200, same addresses: VPC
#     address spaces overlap) to their VSwitch gateway 192.168.1.253 reaches
#     the responder with the right tag, and the reply it sends tagged goes
#     out of the trunk to the right instance; the same over IPv6 from a1;
#     b1's TCP connect to port 179 of its gateway gets the responder's
#     SYN-ACK;
#   - the instances' ARP for the gateway is answered by sluice-dp
#     (arp_replies moved, the instance's neighbour entry has the port's
#     MAC), the responder only saw a tagged copy; ICMP echo to the gateway
#     is still the fast path's (echo_replies) and never reaches the TAP;
#   - an untagged frame written to sl-exc1 is dropped exception_untagged;
#   - the per-port counters exception_to_kernel / exception_from_kernel of
#     the inside port (sluicectl ports) moved, the outside port's did not;
#   - the TAP goes away with sluice-dp.
# TAP.
# shellcheck disable=SC2317 # functions run through check and the trap
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAN=18
tap_plan $PLAN
lab_test_init exception_inside

EXC=sl-exc1
GW4=192.168.1.253 # a1's and b1's VSwitch gateway (configs/lab.topo)
GW6=2001:db8:a:1:ffff:ffff:ffff:fffd
RESPONDER=$SL_ROOT/tests/e2e/exc_inside_responder.py
lab() { timeout -k 5 120 "$SL_LAB" "$@"; }

counter() { # NAME: the counter's total from sluicectl
	ctl --json counters | "$SL_PY" -c 'import json,sys
print([c["total"] for c in json.load(sys.stdin)["counters"] if c["counter"] == sys.argv[1]][0])' "$1"
}
drop() { # REASON: the drop's total from sluicectl
	ctl --json drops --all | "$SL_PY" -c 'import json,sys
print([c["total"] for c in json.load(sys.stdin)["drops"] if c["reason"] == sys.argv[1]][0])' "$1"
}
port_exc() { # ROLE: "TO FROM" of the port's exception counters
	ctl --json ports | "$SL_PY" -c 'import json,sys
p = [p for p in json.load(sys.stdin)["ports"] if p["role"] == sys.argv[1]][0]
print(p["exception_to_kernel"], p["exception_from_kernel"])' "$1"
}
udp_ask() { # NODE ADDR MSG: send MSG to ADDR:3784 from sl-NODE, print the answer
	in_ns "$1" "$SL_PY" -c 'import socket,sys
a = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
for i in range(8):
    s.sendto(sys.argv[2].encode(), (a, 3784))
    try:
        print(s.recvfrom(200)[0].decode())
        break
    except socket.timeout:
        pass' "$2" "$3"
}

sed "s|\"role\": \"inside\", \"mtu\": 1500,|\"role\": \"inside\", \"mtu\": 1500, \"exception\": \"$EXC\",|" \
	"$SL_ROOT/configs/dp-lab.json" >"$tmp/dp.json"
grep -q "\"exception\": \"$EXC\"" "$tmp/dp.json" || tap_bail "could not add the exception key to dp-lab.json"
export SLUICE_LAB_DP_CONFIG=$tmp/dp.json
export SLUICED_ARGS="--exception $EXC,inside"

check "lab up" lab up || tap_bail "lab up failed"
if ! check "lab start with an exception path on the inside port" lab start; then
	diag "$(tail -n 20 "${SLUICE_LAB_RUN:-/run/sluice-lab}/sluice-dp.log")"
	tap_bail "daemons did not start"
fi
in_mac=$(ctl --json ports | "$SL_PY" -c 'import json,sys
print([p["mac"] for p in json.load(sys.stdin)["ports"] if p["role"] == "inside"][0])')
exc_mac=$(cat "/sys/class/net/$EXC/address" 2>/dev/null)
mac_ok_up() { # the TAP has the port's MAC and is up (within 5 s)
	local i
	[[ -n $exc_mac && $exc_mac == "$in_mac" ]] || return 1
	for ((i = 0; i < 50; i++)); do
		ip -o link show dev "$EXC" 2>/dev/null | grep -q "[<,]UP[,>]" && return 0
		sleep 0.1
	done
	return 1
}
check "sluice-dp created $EXC with the inside port's MAC ($in_mac), up" mac_ok_up
check "$EXC: IPv6 disabled, no address (they belong on VLAN devices)" \
	bash -c "test \"\$(cat /proc/sys/net/ipv6/conf/$EXC/disable_ipv6)\" == 1 && ! ip -o addr show dev $EXC | grep -q inet"

ip link set "$EXC" down
check "sluiced --exception $EXC,inside brings it back up when it goes down" mac_ok_up

"$SL_PY" "$RESPONDER" "$EXC" "$tmp/resp.log" 60 >"$tmp/resp.err" 2>&1 &
bg_pids+=($!)
for ((i = 0; i < 50; i++)); do
	grep -q ready "$tmp/resp.log" 2>/dev/null && break
	sleep 0.1
done

arp0=$(counter arp_replies)
echo0=$(counter echo_replies)
read -r in_to0 in_from0 <<<"$(port_exc inside)"
read -r out_to0 out_from0 <<<"$(port_exc outside)"
in_ns a1 ip neigh flush dev eth0
in_ns b1 ip neigh flush dev eth0

got=$(udp_ask a1 "$GW4" hello-a1 2>&1)
check "a1 (VLAN 100) -> UDP $GW4:3784: the kernel side answered on VLAN 100 ($got)" \
	test "$got" == "vlan=100 hello-a1"
got=$(udp_ask b1 "$GW4" hello-b1 2>&1)
check "b1 (VLAN 200, same addresses) -> UDP $GW4:3784: answered on VLAN 200 ($got)" \
	test "$got" == "vlan=200 hello-b1"
got=$(udp_ask a1 "$GW6" hello-a1-v6 2>&1)
check "a1 -> UDP [$GW6]:3784 (IPv6): answered on VLAN 100 ($got)" \
	test "$got" == "vlan=100 hello-a1-v6"
got=$(in_ns b1 "$SL_PY" -c 'import socket,sys
s = socket.create_connection((sys.argv[1], 179), timeout=5)
print("connected")
s.close()' "$GW4" 2>&1)
check "b1 -> TCP $GW4:179 (a SYN, as BGP's): the kernel side's SYN-ACK came back on VLAN 200 ($got)" \
	bash -c "test '$got' == connected && grep -q '^tcp4 vlan=200 ' $tmp/resp.log"
check "the responder saw the UDP tagged 100 and 200 (udp4/udp6 lines)" \
	bash -c "grep -q '^udp4 vlan=100 ' $tmp/resp.log && grep -q '^udp4 vlan=200 ' $tmp/resp.log && grep -q '^udp6 vlan=100 ' $tmp/resp.log"

arp1=$(counter arp_replies)
a1_gw=$(in_ns a1 ip neigh show "$GW4" dev eth0)
check "a1's ARP for $GW4 answered by sluice-dp (arp_replies $arp0 -> $arp1; $a1_gw)" \
	bash -c "test $((arp1 - arp0)) -ge 2 && grep -q 'lladdr $in_mac' <<<'$a1_gw'"
check "... and the kernel side got tagged copies of the ARP requests (VLANs 100 and 200)" \
	bash -c "grep -q '^arp vlan=100 ' $tmp/resp.log && grep -q '^arp vlan=200 ' $tmp/resp.log"

check "ICMP echo to $GW4 from a1 is answered" in_ns a1 ping -c 3 -i 0.2 -W 2 -q "$GW4"
echo1=$(counter echo_replies)
check "... by the fast path (echo_replies $echo0 -> $echo1), never seen on $EXC" \
	bash -c "test $((echo1 - echo0)) -ge 3 && ! grep -q '^icmp4' $tmp/resp.log"

untag0=$(drop exception_untagged)
"$SL_PY" -c 'import socket,sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
s.send(bytes.fromhex("025c00000001") + bytes.fromhex(sys.argv[2].replace(":", "")) + b"\x08\x00" + bytes(46))' \
	"$EXC" "$in_mac"
sleep 0.5
untag1=$(drop exception_untagged)
check "an untagged frame from the kernel on the trunk's TAP: dropped exception_untagged ($untag0 -> $untag1)" \
	test $((untag1 - untag0)) -ge 1

sleep 0.3 # the stats export runs every 100 ms
read -r in_to1 in_from1 <<<"$(port_exc inside)"
read -r out_to1 out_from1 <<<"$(port_exc outside)"
check "inside port: exception_to_kernel $in_to0 -> $in_to1 (>= 5), exception_from_kernel $in_from0 -> $in_from1 (>= 3)" \
	test $((in_to1 - in_to0)) -ge 5 -a $((in_from1 - in_from0)) -ge 3
check "outside port (no TAP): its exception counters stay 0 ($out_to1, $out_from1)" \
	test "$out_to0 $out_from0 $out_to1 $out_from1" == "0 0 0 0"

lab stop >/dev/null 2>&1
check "$EXC is gone with sluice-dp" bash -c "! ip link show $EXC >/dev/null 2>&1"
tap_done
