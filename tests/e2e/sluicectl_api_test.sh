#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/sluicectl_api_test.sh: `sluicectl api` against a running sluiced.
#
# sluicectl's API client signs requests with its own signature-1.0 code
# (control/cli/api_client.c, written from the document, not sharing sluiced's
# verifier); this drives `sluiced --standalone --listen 127.0.0.1:0` (no lab,
# no sluice-dp) on a fresh state directory with it: reads, a write and its
# effect, the documented errors, and sluicectl's own usage errors. TAP.
# shellcheck disable=SC2317 # functions run through check and the trap
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAN=10
tap_plan $PLAN

SLUICED=$SL_BUILD/control/sluiced
tmp=$(mktemp -d /tmp/sluice-ctlapi.XXXXXX) || tap_bail "mktemp failed"
pid=
cleanup() {
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid"
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

for b in "$SLUICECTL" "$SLUICED"; do
	[[ -x $b ]] || tap_bail "$b not built (scripts/build)"
done
"$SLUICED" --config "$SL_ROOT/configs/demo.json" --standalone --state-dir "$tmp/state" \
	--listen 127.0.0.1:0 >"$tmp/log" 2>&1 &
pid=$!
url=
for ((i = 0; i < 100; i++)); do
	url=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$tmp/log" | sed 's/listening on //')
	[[ -n $url ]] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
[[ -n $url ]] || tap_bail "sluiced did not start: $(tail -3 "$tmp/log")"

api() { # ARGS...: sluicectl api against this sluiced
	timeout 20 "$SLUICECTL" --api "$url" --access-keys "$tmp/state/access_keys" "$@"
}

check "DescribeRegions through sluicectl api (signature 1.0 of its own)" \
	bash -c "$(declare -f api); url=$url tmp=$tmp SLUICECTL=$SLUICECTL api api DescribeRegions |
		grep -q '\"RegionId\": \"cn-hangzhou\"'"

out=$(api api CreateVpc RegionId=cn-hangzhou CidrBlock=172.16.0.0/12 VpcName=from-sluicectl 2>&1)
vpc=$(sed -n 's/.*"VpcId": "\(vpc-[a-z0-9]*\)".*/\1/p' <<<"$out")
check "CreateVpc through sluicectl api answers a VpcId" test -n "$vpc"
check "DescribeVpcs finds it, with its name" \
	bash -c "$(declare -f api); url=$url tmp=$tmp SLUICECTL=$SLUICECTL api api DescribeVpcs \
		RegionId=cn-hangzhou VpcId=$vpc | grep -q '\"VpcName\": \"from-sluicectl\"'"

out=$(api api CreateVpc RegionId=cn-hangzhou CidrBlock=300.0.0.0/8 2>&1)
rc=$?
check "a refused call exits 1 and prints the API error code" \
	bash -c "test $rc -eq 1 && grep -q 'HTTP 400 InvalidParameter' <<<'$out'"
out=$(api --json api CreateVpc RegionId=cn-hangzhou CidrBlock=300.0.0.0/8 2>/dev/null)
check "--json prints the error body (Code, Message, RequestId)" \
	json_eval "$out" 'j["Code"] == "InvalidParameter" and j["RequestId"]'

out=$(api --access-key-id SLKnosuchkey api DescribeRegions 2>&1)
check "an unknown key id in the file is refused by sluicectl before sending" \
	grep -q 'no such access key id' <<<"$out"
printf 'SLKnosuchkey0000000000000 nosecretnosecretnosecretnose\n' >"$tmp/otherkeys"
chmod 600 "$tmp/otherkeys"
out=$(timeout 20 "$SLUICECTL" --api "$url" --access-keys "$tmp/otherkeys" api DescribeRegions 2>&1)
check "a key sluiced does not know: InvalidAccessKeyId.NotFound" \
	grep -q 'InvalidAccessKeyId.NotFound' <<<"$out"
out=$(api api DescribeVpcs NoEqualsSign 2>&1)
check "a parameter that is not Key=Value is a usage error" \
	grep -q "parameters are Key=Value" <<<"$out"
out=$(timeout 20 "$SLUICECTL" --api "$url" --access-keys "$tmp/nonexistent" api DescribeRegions 2>&1)
check "a missing key file is named" grep -q "nonexistent: No such file" <<<"$out"
out=$(timeout 20 "$SLUICECTL" --api http://127.0.0.1:1 --access-keys "$tmp/state/access_keys" \
	api DescribeRegions 2>&1)
check "no sluiced listening: the error says so" grep -q "is sluiced running with --listen" <<<"$out"

tap_done
