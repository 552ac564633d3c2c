#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/api_lab_test.sh: objects created through the cloud API reach a
# real sluice-dp, and their status follows its acknowledgements.
#
# The lab runs sluiced with --listen (a port of its choosing) and a fresh
# state directory. Through `sluicectl api`: CreateVpc, then a VSwitch in it;
# each must turn Available (sluice-dp acknowledged the generation carrying
# it, docs/sluiced.md "Object status"), and the data plane's own tables (read
# from the segment with sluicectl) must hold the VPC with its VLAN and the
# VSwitch's CIDR as a connected route. Deleting them removes them from the
# data plane again. With sluice-dp stopped (SIGSTOP), a new object stays
# Pending until it runs and acknowledges again. TAP.
# shellcheck disable=SC2317 # functions run through check and the trap
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAN=10
tap_plan $PLAN

RUN=${SLUICE_LAB_RUN:-/run/sluice-lab}

lab_test_init api-lab
timeout -k 5 120 "$SL_LAB" up >/dev/null 2>&1 || tap_bail "scripts/lab up failed"
lab_start_api "$tmp/state" || tap_bail "$lab_err"
ok "lab started with sluiced --listen ($url) and sluice-dp"

api() { # ACTION KEY=VALUE...: one API call; prints the JSON answer
	timeout 20 "$SLUICECTL" --api "$url" --access-keys "$tmp/state/access_keys" api "$@"
}
field() { # JSON KEY: the first string value of KEY
	sed -n "s/.*\"$2\": \"\([^\"]*\)\".*/\1/p" <<<"$1" | head -1
}
# wait_status ACTION IDKEY ID: until the object's Status is Available (5 s)
wait_status() {
	local out i
	for ((i = 0; i < 50; i++)); do
		out=$(api "$1" RegionId=cn-hangzhou "$2=$3" 2>/dev/null)
		[[ $(field "$out" Status) == Available ]] && return 0
		sleep 0.1
	done
	echo "$out"
	return 1
}

out=$(api CreateVpc RegionId=cn-hangzhou CidrBlock=10.50.0.0/16 VpcName=api-lab 2>&1)
vpc=$(field "$out" VpcId)
check "CreateVpc through the API: $vpc" test -n "$vpc"
check "the VPC turns Available once sluice-dp acknowledged it" wait_status DescribeVpcs VpcId "$vpc"
ctl_check "sluice-dp's tables hold the VPC with a VLAN of its own" \
	"any(v['id'] == '$vpc' and v['vlan'] not in (0, 100, 200) for v in j['vpcs'])" vpcs

out=$(api CreateVSwitch RegionId=cn-hangzhou VpcId="$vpc" ZoneId=cn-hangzhou-a \
	CidrBlock=10.50.1.0/24 2>&1)
vsw=$(field "$out" VSwitchId)
check "CreateVSwitch in it: $vsw" test -n "$vsw"
check "the VSwitch turns Available" wait_status DescribeVSwitches VSwitchId "$vsw"
ctl_check "the VPC's table in sluice-dp has 10.50.1.0/24 connected and the .253 gateway local" \
	"any(r['prefix'] == '10.50.1.0/24' and r['nexthop']['type'] == 'connected' for r in j['routes']) and any(r['prefix'] == '10.50.1.253/32' and r['nexthop']['type'] == 'local' for r in j['routes'])" \
	routes "$vpc"

# Pending until acknowledged: with sluice-dp stopped (alive, not reading),
# a new VPC is published but stays Pending; it turns Available when sluice-dp
# runs again and acknowledges.
dpid=$(cat "$RUN/sluice-dp.pid")
kill -STOP "$dpid"
out=$(api CreateVpc RegionId=cn-hangzhou CidrBlock=10.51.0.0/16 VpcName=api-lab-2 2>&1)
vpc2=$(field "$out" VpcId)
sleep 0.5
st=$(field "$(api DescribeVpcs RegionId=cn-hangzhou VpcId="$vpc2" 2>&1)" Status)
kill -CONT "$dpid"
check "with sluice-dp stopped, a new VPC ($vpc2) stays Pending (got '$st')" test "$st" = Pending
check "sluice-dp running again: it turns Available" wait_status DescribeVpcs VpcId "$vpc2"

api DeleteVSwitch RegionId=cn-hangzhou VSwitchId="$vsw" >/dev/null 2>&1
api DeleteVpc RegionId=cn-hangzhou VpcId="$vpc" >/dev/null 2>&1
gone() {
	local i
	for ((i = 0; i < 50; i++)); do
		ctl --json vpcs 2>/dev/null | grep -q "\"$vpc\"" || return 0
		sleep 0.1
	done
	return 1
}
check "after DeleteVSwitch and DeleteVpc the VPC is gone from sluice-dp's tables" gone

tap_done
