#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/havip_test.sh: a HaVip with real failover (issue 12, docs/havip.md).
#
# A lab of its own (topology and objects written below): vpc-a (VLAN 100) with
# vsw-a1 holding instances h1 and h2 and HaVip hv-1 (192.168.1.100, both
# associated), vsw-a2 holding the client c1, a NAT gateway, the route
# 10.77.0.0/16 -> hv-1 and EIP 198.51.100.17 bound to hv-1. h1 and h2 run
# keepalived (the Debian package; VRRP over unicast, h1 priority 150, h2 100)
# with two virtual addresses: the HaVip on eth0 and 10.77.0.1 on lo (the
# service behind the route, so only the master answers it). The gateway
# learns the holder from keepalived's gratuitous ARPs. vpc-a also has an
# IPv6 gateway whose ingress route rule sends 2001:db8:a:1::77 (an address
# with Internet bandwidth, on lo of both h1 and h2) to HaVip hv-1 (issues 6
# and 12): the IPv6 traffic goes to the holder's IPv6 address.
#
# Checks: c1 reaches 10.77.0.1 (route via the HaVip) and the Internet reaches
# the EIP, both at h1; DescribeHaVips names i-h1 as MasterInstanceId. Then c1
# sends a UDP datagram every 10 ms to 10.77.0.1 and keepalived on h1 is
# stopped (SIGTERM: it gives up mastership with a priority-0 advertisement,
# as `systemctl stop keepalived` does); the answers move to h2. The time
# between h1's last answer and h2's first is printed as havip_failover_ms=N.
# Afterwards both paths and the IPv6 rule reach h2, MasterInstanceId is i-h2,
# sluice-dp counted ip6gw_rule_havip, and `sluicectl
# havips` shows i-h2 with its MAC. TAP; needs
# root, a build and keepalived (scripts/deps).
# shellcheck disable=SC2317 # functions run through check and the trap
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAN=14
tap_plan $PLAN

HAVIP=192.168.1.100
SVC=10.77.0.1
EIP=198.51.100.17
SVC6=2001:db8:a:1::77

command -v keepalived >/dev/null 2>&1 || tap_bail "keepalived not installed (scripts/deps)"
lab_test_init havip
# from here on scripts/lab (including the clean-up's `down`) uses this lab
export SLUICE_LAB_TOPO=$tmp/havip.topo SLUICE_LAB_CONFIG=$tmp/havip.json

cat >"$SLUICE_LAB_TOPO" <<'EOF'
gateway  sl-in sl-out
fabric   fabric
instance h1 100 192.168.1.11/24 192.168.1.253 2001:db8:a:1::11/64 2001:db8:a:1:ffff:ffff:ffff:fffd
instance h2 100 192.168.1.12/24 192.168.1.253 2001:db8:a:1::12/64 2001:db8:a:1:ffff:ffff:ffff:fffd
instance c1 100 192.168.2.10/24 192.168.2.253
inet     inet 203.0.113.1/24 2001:db8:ffff::1/64
EOF
cat >"$SLUICE_LAB_CONFIG" <<'EOF'
{
  "Regions": [{"RegionId": "cn-hangzhou", "Zones": [{"ZoneId": "cn-hangzhou-a"}]}],
  "Gateway": {
    "Outside": {"Addresses": ["203.0.113.2/24", "2001:db8:ffff::2/64"]},
    "InternetRoutes": [{"DestinationCidrBlock": "0.0.0.0/0", "NextHop": "203.0.113.1"},
                       {"DestinationCidrBlock": "::/0", "NextHop": "2001:db8:ffff::1"}],
    "EipPool": ["198.51.100.16/28"]
  },
  "Vpcs": [{"VpcId": "vpc-a", "RegionId": "cn-hangzhou", "CidrBlock": "192.168.0.0/16",
            "VlanId": 100, "RouteTableId": "vtb-a", "Ipv6CidrBlock": "2001:db8:a::/56"}],
  "VSwitches": [
    {"VSwitchId": "vsw-a1", "VpcId": "vpc-a", "ZoneId": "cn-hangzhou-a", "CidrBlock": "192.168.1.0/24",
     "Ipv6CidrBlock": "2001:db8:a:1::/64"},
    {"VSwitchId": "vsw-a2", "VpcId": "vpc-a", "ZoneId": "cn-hangzhou-a", "CidrBlock": "192.168.2.0/24"}
  ],
  "Instances": [
    {"InstanceId": "i-h1", "VSwitchId": "vsw-a1", "PrivateIpAddress": "192.168.1.11",
     "Ipv6Address": "2001:db8:a:1::11"},
    {"InstanceId": "i-h2", "VSwitchId": "vsw-a1", "PrivateIpAddress": "192.168.1.12",
     "Ipv6Address": "2001:db8:a:1::12"},
    {"InstanceId": "i-c1", "VSwitchId": "vsw-a2", "PrivateIpAddress": "192.168.2.10"}
  ],
  "NatGateways": [{"NatGatewayId": "ngw-a", "VpcId": "vpc-a", "Spec": "Small"}],
  "HaVips": [{"HaVipId": "hv-1", "VSwitchId": "vsw-a1", "IpAddress": "192.168.1.100",
              "AssociatedInstances": ["i-h1", "i-h2"]}],
  "RouteEntries": [{"RouteTableId": "vtb-a", "DestinationCidrBlock": "10.77.0.0/16",
                    "NextHopType": "HaVip", "NextHopId": "hv-1"}],
  "EipAddresses": [{"AllocationId": "eip-1", "IpAddress": "198.51.100.17",
                    "InstanceType": "HaVip", "InstanceId": "hv-1"}],
  "Ipv6Gateways": [{"Ipv6GatewayId": "gw-a", "VpcId": "vpc-a"}],
  "Ipv6Addresses": [{"Ipv6AddressId": "ipv6-svc", "VSwitchId": "vsw-a1",
                     "Ipv6Address": "2001:db8:a:1::77"}],
  "Ipv6InternetBandwidths": [{"Ipv6InternetBandwidthId": "bw-svc", "Ipv6AddressId": "ipv6-svc",
                              "Bandwidth": 100}],
  "Ipv6GatewayRouteRules": [{"RouteRuleId": "rr-svc", "Ipv6GatewayId": "gw-a",
                             "Destination": "2001:db8:a:1::77/128", "NextHopType": "HaVip",
                             "NextHopInstanceId": "hv-1"}]
}
EOF

timeout -k 5 120 "$SL_LAB" up >/dev/null 2>&1 || tap_bail "scripts/lab up failed"
lab_start_api "$tmp/state" || tap_bail "$lab_err"
ok "lab started (h1, h2 in vsw-a1 with HaVip $HAVIP; c1 in vsw-a2; API at $url)"
ip -n sl-inet route replace 198.51.100.16/28 via 203.0.113.2
# IPv6: inet reaches vpc-a's block through the gateway; the rule's address
# is on both holders' lo (the gateway decides which one gets the traffic).
ip -n sl-inet -6 route replace 2001:db8:a::/48 via 2001:db8:ffff::2
for n in h1 h2; do ip -n "sl-$n" -6 addr add "$SVC6/128" dev lo; done

# The gateway learns the instances' MACs from their own ARP (what a claim
# of the HaVip is checked against).
for n in h1 h2 c1; do in_ns "$n" ping -c 1 -W 2 "$(
	[[ $n == c1 ]] && echo 192.168.2.253 || echo 192.168.1.253
)" >/dev/null 2>&1; done
for n in h1 h2; do in_ns "$n" ping -6 -c 1 -W 2 2001:db8:a:1:ffff:ffff:ffff:fffd >/dev/null 2>&1; done
in_ns inet ping -6 -c 1 -W 2 2001:db8:ffff::2 >/dev/null 2>&1

keepalived_conf() { # NODE OWN PEER PRIORITY
	cat <<EOF
global_defs {
	router_id $1
	enable_script_security
}
vrrp_instance hv1 {
	state BACKUP
	interface eth0
	virtual_router_id 51
	priority $4
	advert_int 1
	unicast_src_ip $2
	unicast_peer {
		$3
	}
	virtual_ipaddress {
		$HAVIP/24 dev eth0
		$SVC/32 dev lo
	}
}
EOF
}
declare -A kpid
start_keepalived() { # NODE OWN PEER PRIORITY
	keepalived_conf "$@" >"$tmp/$1.conf"
	ip netns exec "sl-$1" keepalived -n -P -l -D -G -f "$tmp/$1.conf" -p "$tmp/$1.pid" \
		-r "$tmp/$1.vrrp.pid" >"$tmp/$1.log" 2>&1 &
	kpid[$1]=$!
	bg_pids+=($!)
}
start_keepalived h1 192.168.1.11 192.168.1.12 150
start_keepalived h2 192.168.1.12 192.168.1.11 100

holds() { # NODE: the node has the HaVip address (keepalived made it master)
	local i
	for ((i = 0; i < 100; i++)); do
		ip -n "sl-$1" -4 -o addr show dev eth0 | grep -q " $HAVIP/" && return 0
		sleep 0.1
	done
	echo "sl-$1 does not hold $HAVIP: $(ip -n "sl-$1" -4 -o addr show dev eth0)"
	tail -5 "$tmp/$1.log"
	return 1
}
check "keepalived: h1 becomes master and takes the HaVip" holds h1 ||
	tap_bail "no VRRP master: $(tail -5 "$tmp/h1.log")"

# One TCP identity service (tests/e2e/lib.sh) and one UDP echo per holder,
# on every address: only the master has the HaVip and 10.77.0.1.
for n in h1 h2; do
	bg_pids+=("$(identity_server "$n" 0.0.0.0 7000 "$n" 120)")
	bg_pids+=("$(identity_server "$n" :: 7002 "$n" 120)")
	timeout -k 2 120 ip netns exec "sl-$n" "$SL_PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 7001))
while True:
    d, a = s.recvfrom(100)
    s.sendto(sys.argv[1].encode() + b" " + d, a)' "$n" >/dev/null 2>&1 &
	bg_pids+=($!)
done

api() { # ACTION KEY=VALUE...: one API call; prints the JSON answer
	timeout 20 "$SLUICECTL" --api "$url" --access-keys "$tmp/state/access_keys" api "$@"
}
master_is() { # INSTANCE: DescribeHaVips shows it as MasterInstanceId (within 5 s)
	local out i
	for ((i = 0; i < 50; i++)); do
		out=$(api DescribeHaVips RegionId=cn-hangzhou 2>&1)
		grep -q "\"MasterInstanceId\": \"$1\"" <<<"$out" && return 0
		sleep 0.1
	done
	echo "$out" | grep -E 'HaVipId|MasterInstanceId'
	return 1
}

check "c1 -> $SVC (route 10.77.0.0/16 via the HaVip) reaches h1" expect_identity c1 $SVC 7000 h1
check "Internet -> EIP $EIP (bound to the HaVip) reaches h1" expect_identity inet $EIP 7000 h1
check "DescribeHaVips: MasterInstanceId is i-h1" master_is i-h1
check "Internet -> [$SVC6] (IPv6 ingress rule via the HaVip) reaches h1" \
	expect_identity inet "$SVC6" 7002 h1

# Failover under a stream of datagrams from c1 (one every 10 ms for 8 s).
in_ns c1 "$SL_PY" -c '
import json, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
t0 = time.time(); end = t0 + 8; nxt = t0; seq = 0; log = []
while time.time() < end:
    now = time.time()
    if now >= nxt:
        s.sendto(str(seq).encode(), (sys.argv[1], 7001)); seq += 1; nxt += 0.01
    try:
        d, _ = s.recvfrom(100)
        log.append([time.time() - t0, d.decode().split()[0]])
    except BlockingIOError:
        time.sleep(0.001)
print(json.dumps({"sent": seq, "log": log}))' $SVC >"$tmp/probe.json" 2>&1 &
probe=$!
sleep 2
kill -TERM "${kpid[h1]}"
wait "$probe"

# havip_failover_ms: from h1's last answer to h2's first; both must exist,
# and h2 must keep answering afterwards.
res=$("$SL_PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
log = j["log"]
h2 = [t for t, who in log if who == "h2"]
if not h2:
    print("no answer from h2 (%d answers, %d sent)" % (len(log), j["sent"])); sys.exit(1)
h1 = [t for t, who in log if who == "h1" and t < h2[0]]
if not h1:
    print("no answer from h1 before h2 answered"); sys.exit(1)
late_h1 = [t for t, who in log if who == "h1" and t > h2[0]]
print("havip_failover_ms=%d h1_answers=%d h2_answers=%d sent=%d h1_after_h2=%d" % (
    round((h2[0] - h1[-1]) * 1000), len(h1), len(h2), j["sent"], len(late_h1)))
sys.exit(0 if len(h2) > 50 and not late_h1 else 1)' "$tmp/probe.json" 2>&1)
if check "keepalived on h1 stopped: the datagrams to $SVC move to h2 and stay there" \
	test $? -eq 0; then
	diag "${res%% *}"
	diag "$res"
else
	diag "$res"
fi
check "c1 -> $SVC reaches h2 after the failover" expect_identity c1 $SVC 7000 h2
check "Internet -> EIP $EIP reaches h2 after the failover" expect_identity inet $EIP 7000 h2
check "DescribeHaVips: MasterInstanceId is i-h2" master_is i-h2
check "Internet -> [$SVC6] (IPv6 ingress rule via the HaVip) reaches h2 after the failover" \
	expect_identity inet "$SVC6" 7002 h2
rh=$(ctl_total counters ip6gw_rule_havip)
check "sluice-dp counted the IPv6 rule's packets to the holder (ip6gw_rule_havip=$rh, want >= 2)" \
	test "$rh" -ge 2
ctl_check "sluicectl havips: hv-1 ($HAVIP) held by i-h2 with h2's MAC, two changes at least" \
	"any(h['havip_id'] == 'hv-1' and h['address'] == '$HAVIP' and h['holder'] == 'i-h2' and h['mac'] == '$(ip -n sl-h2 -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)' and h['changes'] >= 2 for h in j['havips'])" \
	havips
changes=$(ctl_total counters havip_holder_changes)
check "sluice-dp counted the holder changes (havip_holder_changes=$changes, want >= 2)" \
	test "$changes" -ge 2

tap_done
