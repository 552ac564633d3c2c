#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/xdp_test.sh: sluiced --xdp on a veth (issue 8, XDP first slice).
#
# Two namespaces of the test's own, joined by a veth: sl-xdpg (the gateway
# host: slxdp0 with the host's management addresses 192.0.2.10/24 and
# 2001:db8:ff::10/64) and sl-xdpp (a peer: slxdp1, 192.0.2.1/24,
# 2001:db8:ff::1/64). sluiced runs standalone in sl-xdpg with a copy of
# configs/demo.json (outside address 203.0.113.2, VPC IPv6 CIDRs
# 2001:db8:a::/56 and 2001:db8:b::/56) and attaches the program to slxdp0
# as an outside port in native mode. No sluice-dp runs (the AF_XDP data
# path is the next slice), so gateway traffic shows as no_xsk drops. The
# peer sends scapy frames; the counters are read with bpftool
# (tests/e2e/xdp_counters.py). Checks:
#   1. attach: the program is on slxdp0 in native mode;
#   2. host traffic: ping the host addresses (ARP, ND and ICMP pass to the
#      kernel) and the to_kernel counter moves;
#   3. gateway traffic (owned IPv4 outside address, VPC IPv6) counts no_xsk,
#      unowned public addresses not_owned4/not_owned6, a tagged frame
#      tagged_outside, a truncated IPv4 header ip4_malformed: exact counts;
#      sluiced's /metrics and `sluicectl xdp` (issue 11) show the same;
#   4. SIGHUP with a changed outside address: the owned trie follows;
#   5. exit: sluiced detaches the program and logs its counters;
#   6. adopt (how sluice-dp's af_xdp PMD and sluiced meet, docs/xdp.md):
#      the program is attached by someone else (bpftool here, as the PMD's
#      xdp_prog= devarg does); unconfigured it passes everything (role
#      none); sluiced --xdp slxdp0,adopt started before it waits, adopts it
#      once attached (unowned dropped, owned to the XSK), adopts the new one
#      after a "restart" (another instance attached), and leaves it attached
#      at exit.
# shellcheck disable=SC2317 # functions run through check and the trap
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAN=26
tap_plan $PLAN

G=sl-xdpg
P=sl-xdpp
SL_T=${SL_T:-30}

extra_cleanup() {
	ip netns del $G 2>/dev/null
	ip netns del $P 2>/dev/null
}
lab_test_init xdp # root, a build, $tmp, the lab lock; cleans up at exit
[[ -f $SL_BUILD/bpf/sl_xdp.bpf.o ]] || tap_bail "bpf/sl_xdp.bpf.o not built (clang missing?)"
/usr/bin/python3 -c 'import scapy' 2>/dev/null || tap_bail "scapy missing"
extra_cleanup
ip netns add $G && ip netns add $P &&
	ip link add slxdp0 netns $G type veth peer name slxdp1 netns $P || tap_bail "cannot create the veth"
for ns in $G $P; do
	ip -n $ns link set lo up
done
ip netns exec $G sysctl -qw net.ipv6.conf.slxdp0.disable_ipv6=0 net.ipv6.conf.slxdp0.accept_dad=0
ip netns exec $P sysctl -qw net.ipv6.conf.slxdp1.disable_ipv6=0 net.ipv6.conf.slxdp1.accept_dad=0
ip -n $G addr add 192.0.2.10/24 dev slxdp0 && ip -n $G addr add 2001:db8:ff::10/64 dev slxdp0 &&
	ip -n $P addr add 192.0.2.1/24 dev slxdp1 && ip -n $P addr add 2001:db8:ff::1/64 dev slxdp1 &&
	ip -n $G link set slxdp0 up && ip -n $P link set slxdp1 up || tap_bail "cannot address the veth"
GMAC=$(ip -n $G -j link show slxdp0 | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')

start_sluiced() { # LOG XDP-SPEC LINE: sluiced in $G, SPID, waits up to 10 s for LINE in LOG
	ip netns exec $G "$SL_BUILD/control/sluiced" --config "$tmp/config.json" --standalone \
		--state-dir "$tmp/state" --listen 127.0.0.1:0 --xdp "$2" >"$1" 2>&1 &
	SPID=$!
	bg_pids+=("$SPID")
	wait_for "grep -q '$3' '$1'"
}
wait_for() { # SHELL-CONDITION, up to 10 s
	for _ in $(seq 50); do
		eval "$1" && return 0
		sleep 0.2
	done
	return 1
}
stop_sluiced() {
	kill -TERM "$SPID"
	wait_for "! kill -0 $SPID 2>/dev/null"
}

cp "$SL_ROOT/configs/demo.json" "$tmp/config.json"
start_sluiced "$tmp/sluiced.log" slxdp0 "xdp: sl_xdp attached to slxdp0"

# 1. attach
check "sluiced attached sl_xdp to slxdp0" grep -q "attached to slxdp0 (native mode)" "$tmp/sluiced.log"
counters() { ip netns exec $G /usr/bin/python3 "$SL_ROOT/tests/e2e/xdp_counters.py" slxdp0 "$@"; }
check "bpftool shows sl_xdp on slxdp0 in driver mode" test "$(counters --prog)" = "driver sl_xdp"

cnt() { counters | sed -n "s/^$1=//p"; }

# 2. host traffic
k0=$(cnt to_kernel)
check "ping the host's IPv4 address (ARP and ICMP pass)" in_ns xdpp ping -c 3 -i 0.2 -W 2 192.0.2.10
check "ping the host's IPv6 address (ND and ICMPv6 pass)" in_ns xdpp ping -6 -c 3 -i 0.2 -W 2 2001:db8:ff::10
k1=$(cnt to_kernel)
check "to_kernel counted the host traffic ($k0 -> $k1)" test "$((k1 - k0))" -ge 6

# 3. gateway, unowned, malformed: 5 frames each
send() { # scapy expression (a list of frames) sent 5 times from the peer
	in_ns xdpp /usr/bin/python3 -c "
from scapy.all import *
conf.verb = 0
e = Ether(dst='$GMAC')
sendp($1 * 5, iface='slxdp1')" 2>/dev/null
}
declare -A before after
# measure FRAMES...: send each (5 times), counters before and after
measure() {
	local f k v
	while IFS== read -r k v; do before[$k]=$v; done < <(counters)
	for f in "$@"; do
		send "$f"
	done
	sleep 0.5
	while IFS== read -r k v; do after[$k]=$v; done < <(counters)
}
delta() { echo $((${after[$1]:-0} - ${before[$1]:-0})); }
measure "[e/IP(dst='203.0.113.2')/UDP(), e/IPv6(dst='2001:db8:a::5')/UDP()]" \
	"[e/IP(dst='203.0.113.77')/UDP()]" \
	"[e/IPv6(dst='2001:db8:77::1')/UDP()]" \
	"[e/Dot1Q(vlan=100)/IP(dst='203.0.113.2')/UDP()]" \
	"[Ether(bytes(e/IP(dst='203.0.113.2'))[:14 + 12])]"
check "gateway traffic (203.0.113.2, 2001:db8:a::5): no_xsk +10, got $(delta no_xsk)" test "$(delta no_xsk)" -eq 10
check "unowned IPv4 203.0.113.77: not_owned4 +5, got $(delta not_owned4)" test "$(delta not_owned4)" -eq 5
check "unowned IPv6 2001:db8:77::1: not_owned6 +5, got $(delta not_owned6)" test "$(delta not_owned6)" -eq 5
check "tagged frame: tagged_outside +5, got $(delta tagged_outside)" test "$(delta tagged_outside)" -eq 5
check "truncated IPv4: ip4_malformed +5, got $(delta ip4_malformed)" test "$(delta ip4_malformed)" -eq 5
murl=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$tmp/sluiced.log" | tail -1 | sed 's/listening on //')
mtext=$(ip netns exec $G curl -sS --max-time 5 "$murl/metrics" 2>&1)
check "/metrics: sluice_xdp_packets_total of slxdp0 are the program's counters (no_xsk, not_owned4, not_owned6, tagged_outside, ip4_malformed)" \
	/usr/bin/python3 -c 'import sys
m = {}
for l in sys.argv[1].splitlines():
    if l.startswith("sluice_xdp_packets_total{iface=\"slxdp0\""):
        k, v = l.rsplit(" ", 1)
        m[k.split("counter=\"")[1].rstrip("\"}")] = int(v)
want = dict(a.split("=") for a in sys.argv[2:])
bad = {k: (m.get(k), int(v)) for k, v in want.items() if m.get(k) != int(v)}
sys.exit("differ (metrics, program): %r" % bad if bad else 0)' "$mtext" \
	"no_xsk=${after[no_xsk]}" "not_owned4=${after[not_owned4]}" "not_owned6=${after[not_owned6]}" \
	"tagged_outside=${after[tagged_outside]}" "ip4_malformed=${after[ip4_malformed]}"
check "sluicectl xdp (from sluiced's /metrics): slxdp0 with the program's counters" \
	/usr/bin/python3 -c 'import json, sys
j = json.loads(sys.argv[1])
c = {x["iface"]: x["counters"] for x in j["interfaces"]}.get("slxdp0", {})
want = dict(a.split("=") for a in sys.argv[2:])
bad = {k: (c.get(k), int(v)) for k, v in want.items() if c.get(k) != int(v)}
sys.exit("differ (sluicectl, program): %r" % bad if bad else 0)' \
	"$(ip netns exec $G "$SL_BUILD/control/cli/sluicectl" --api "$murl" --json xdp 2>&1)" \
	"no_xsk=${after[no_xsk]}" "not_owned4=${after[not_owned4]}" "not_owned6=${after[not_owned6]}" \
	"tagged_outside=${after[tagged_outside]}" "ip4_malformed=${after[ip4_malformed]}"

# 4. SIGHUP: the outside address moves to 203.0.113.9
sed -i 's|"203.0.113.2/24"|"203.0.113.9/24"|' "$tmp/config.json"
kill -HUP "$SPID"
wait_for '[[ $(grep -c "owned public prefixes" "$tmp/sluiced.log") -ge 2 ]]'
measure "[e/IP(dst='203.0.113.9')/UDP()]" \
	"[e/IP(dst='203.0.113.2')/UDP(), e/IP(dst='203.0.113.2')/UDP()]"
check "after SIGHUP the new outside address is the gateway's (no_xsk +5, got $(delta no_xsk))" \
	test "$(delta no_xsk)" -eq 5
check "after SIGHUP the old one is not owned (not_owned4 +10, got $(delta not_owned4))" \
	test "$(delta not_owned4)" -eq 10

# host addresses follow the interface (checked once a second)
ip -n $G addr add 192.0.2.11/24 dev slxdp0
wait_for "grep -q 'slxdp0: host addresses changed: 1 added, 0 removed' '$tmp/sluiced.log'"
check "an address added to slxdp0 (192.0.2.11) reaches the kernel within seconds" \
	in_ns xdpp ping -c 2 -i 0.2 -W 2 192.0.2.11
ip -n $G addr del 192.0.2.11/24 dev slxdp0
wait_for "grep -q 'slxdp0: host addresses changed: 0 added, 1 removed' '$tmp/sluiced.log'"
measure "[e/IP(dst='192.0.2.11')/UDP()]"
check "removed again: it is no host address any more (not_owned4 +5, got $(delta not_owned4))" \
	test "$(delta not_owned4)" -eq 5

# 5. exit
stop_sluiced
check "sluiced exited, logging the counters" grep -q "xdp: slxdp0 counters: to_xsk=0 to_kernel=" "$tmp/sluiced.log"
check "the program is detached" bash -c "! ip netns exec $G bpftool -j net show dev slxdp0 | grep -q '\"id\"'"

# 6. adopt
# pmd_attach: what the af_xdp PMD does with xdp_prog=: load the object and
# attach it (detaching what was there first, as a sluice-dp restart does).
# ip netns exec gives a private mount namespace with a fresh /sys: a bpffs
# of its own to pin in while attaching, gone with the command.
pmd_attach() {
	ip netns exec $G bash -c "bpftool net detach xdp dev slxdp0 2>/dev/null
		mount -t bpf bpf /sys/fs/bpf &&
		bpftool prog load '$SL_BUILD/bpf/sl_xdp.bpf.o' /sys/fs/bpf/sl_xdp_e2e &&
		bpftool net attach xdp pinned /sys/fs/bpf/sl_xdp_e2e dev slxdp0" ||
		diag "attaching with bpftool failed"
}
adopted() { grep -c "xdp: adopted sl_xdp (program [0-9]*) on slxdp0" "$tmp/sluiced2.log"; }
pmd_attach
measure "[e/IP(dst='203.0.113.77')/UDP()]"
# (at least: the peer's own ND/MLD may pass meanwhile)
check "a program nobody configured passes all to the kernel (to_kernel +5 or more, got $(delta to_kernel); not_owned4 +0, got $(delta not_owned4))" \
	test "$(delta to_kernel)" -ge 5 -a "$(delta not_owned4)" -eq 0
ip netns exec $G bpftool net detach xdp dev slxdp0
start_sluiced "$tmp/sluiced2.log" slxdp0,adopt "xdp: slxdp0: waiting for sluice-dp"
check "sluiced --xdp slxdp0,adopt waits for the program" \
	grep -q "xdp: slxdp0: waiting for sluice-dp to attach sl_xdp" "$tmp/sluiced2.log"
pmd_attach
wait_for '[[ $(adopted) -ge 1 ]]'
check "sluiced adopted the program once attached" test "$(adopted)" -eq 1
measure "[e/IP(dst='203.0.113.77')/UDP(), e/IP(dst='203.0.113.9')/UDP()]"
check "adopted: unowned dropped (not_owned4 +5, got $(delta not_owned4))" test "$(delta not_owned4)" -eq 5
check "adopted: owned to the XSK (no_xsk +5, got $(delta no_xsk))" test "$(delta no_xsk)" -eq 5
pmd_attach # sluice-dp restarted: a new program, empty maps
wait_for '[[ $(adopted) -ge 2 ]]'
check "sluiced adopted the new program after a restart" test "$(adopted)" -eq 2
measure "[e/IP(dst='203.0.113.77')/UDP(), e/IP(dst='203.0.113.9')/UDP()]"
check "re-adopted: unowned dropped (+5, got $(delta not_owned4)), owned to the XSK (+5, got $(delta no_xsk))" \
	test "$(delta not_owned4)" -eq 5 -a "$(delta no_xsk)" -eq 5
stop_sluiced
check "an adopted program stays attached when sluiced exits" test "$(counters --prog)" = "driver sl_xdp"
[[ $tap_nfail -eq 0 ]] || diag "$(tail -n 20 "$tmp/sluiced.log" "$tmp/sluiced2.log")"
tap_done
