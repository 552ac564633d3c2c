#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/rest_test.sh: the IPv6 gateway REST API (docs/api.md, "IPv6
# gateway REST API"; seed 000) driven by curl: every endpoint under
# /api/vpc/v1.0/ipv6Gateways with its paging and its errors, the envelope,
# x-regionid, and ACS3-HMAC-SHA256 signing (computed here with openssl).
#
# Runs `sluiced --standalone --listen 127.0.0.1:0` with a config written
# here (two regions; a file IPv6 gateway with two addresses; a VPC without
# a gateway), no sluice-dp and no lab. The objects the REST API cannot
# create (an IPv6 gateway, addresses) are created through the RPC API with
# the same signer. At the end sluiced is restarted on the same state
# directory: what the REST API acknowledged is still there.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${SLUICE_BUILD_DIR:-$root/build}
sluiced=$build/control/sluiced
# shellcheck source=tests/e2e/lib.sh
. "$root/tests/e2e/lib.sh" # ok, not_ok, tap_finish (the plan comes last)
for tool in curl jq openssl sha256sum; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool is needed"
		exit 0
	fi
done
tmp=$(mktemp -d /tmp/sluice-rest-e2e.XXXXXX)
pid=
stop() {
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	pid=
}
cleanup() {
	stop
	rm -rf "$tmp"
}
trap cleanup EXIT
if [[ ! -x $sluiced ]]; then
	not_ok "sluiced is built ($sluiced)"
	tap_finish
fi

AKID=AKRESTTEST
SECRET=rest-test-secret-0123456789
REGION=cn-hangzhou
printf '%s %s\n' "$AKID" "$SECRET" >"$tmp/keys"
chmod 600 "$tmp/keys"
cat >"$tmp/config.json" <<'EOF'
{
  "Regions": [
    { "RegionId": "cn-hangzhou", "Zones": [ { "ZoneId": "cn-hangzhou-a" } ] },
    { "RegionId": "cn-beijing", "Zones": [ { "ZoneId": "cn-beijing-a" } ] }
  ],
  "Vpcs": [
    { "VpcId": "vpc-r", "RegionId": "cn-hangzhou", "CidrBlock": "10.0.0.0/16", "VlanId": 10, "Ipv6CidrBlock": "2001:db8:1::/56" },
    { "VpcId": "vpc-s", "RegionId": "cn-hangzhou", "CidrBlock": "10.1.0.0/16", "VlanId": 11, "Ipv6CidrBlock": "2001:db8:2::/56" },
    { "VpcId": "vpc-bj", "RegionId": "cn-beijing", "CidrBlock": "10.2.0.0/16", "VlanId": 12, "Ipv6CidrBlock": "2001:db8:3::/56" }
  ],
  "VSwitches": [
    { "VSwitchId": "vsw-r1", "VpcId": "vpc-r", "ZoneId": "cn-hangzhou-a", "CidrBlock": "10.0.1.0/24", "Ipv6CidrBlock": "2001:db8:1::/64" },
    { "VSwitchId": "vsw-s1", "VpcId": "vpc-s", "ZoneId": "cn-hangzhou-a", "CidrBlock": "10.1.1.0/24", "Ipv6CidrBlock": "2001:db8:2::/64" }
  ],
  "Instances": [
    { "InstanceId": "i-r1", "VSwitchId": "vsw-r1", "PrivateIpAddress": "10.0.1.10", "Ipv6Address": "2001:db8:1::10" },
    { "InstanceId": "i-r2", "VSwitchId": "vsw-r1", "PrivateIpAddress": "10.0.1.11" },
    { "InstanceId": "i-s1", "VSwitchId": "vsw-s1", "PrivateIpAddress": "10.1.1.10", "Ipv6Address": "2001:db8:2::10" }
  ],
  "Ipv6Gateways": [
    { "Ipv6GatewayId": "ipv6gw-file", "VpcId": "vpc-r", "Name": "ipv6gw-default" },
    { "Ipv6GatewayId": "ipv6gw-bj", "VpcId": "vpc-bj" }
  ],
  "Ipv6Addresses": [
    { "Ipv6AddressId": "ipv6-file1", "VSwitchId": "vsw-r1", "Ipv6Address": "2001:db8:1::10" },
    { "Ipv6AddressId": "ipv6-file2", "VSwitchId": "vsw-r1", "Ipv6Address": "2001:db8:1::11" },
    { "Ipv6AddressId": "ipv6-file3", "VSwitchId": "vsw-r1", "Ipv6Address": "2001:db8:1::12" }
  ],
  "HaVips": [
    { "HaVipId": "hv-r1", "VSwitchId": "vsw-r1", "IpAddress": "10.0.1.100", "AssociatedInstances": [ "i-r1" ] },
    { "HaVipId": "hv-r2", "VSwitchId": "vsw-r1", "IpAddress": "10.0.1.101", "AssociatedInstances": [ "i-r1", "i-r2" ] },
    { "HaVipId": "hv-s1", "VSwitchId": "vsw-s1", "IpAddress": "10.1.1.100" }
  ]
}
EOF

start() {
	"$sluiced" --standalone --config "$tmp/config.json" --state-dir "$tmp/state" \
		--access-keys "$tmp/keys" --listen 127.0.0.1:0 >"$tmp/sluiced.log" 2>&1 &
	pid=$!
	endpoint=
	for _ in $(seq 100); do
		endpoint=$(grep -o 'api: listening on http://[^/]*' "$tmp/sluiced.log" | tail -1 |
			sed 's|.*http://||')
		[[ -n $endpoint ]] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# call METHOD TARGET [BODY]: an ACS3-HMAC-SHA256 signed request; sets
# $status (HTTP) and $resp (body). TARGET's query must be canonical (sorted,
# %XY uppercase). $XREGION (default $REGION; "-" for none), $XACTION and
# $XVERSION (the x-acs-action/-version headers) and $XSECRET may be set.
call() {
	local method=$1 target=$2 body=${3:-}
	local path=${target%%\?*} query= date nonce hash sh creq sig out
	[[ $target == *\?* ]] && query=${target#*\?}
	date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	nonce=$(openssl rand -hex 16)
	hash=$(printf '%s' "$body" | sha256sum | cut -d' ' -f1)
	sh="host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
	creq=$(printf '%s\n%s\n%s\nhost:%s\nx-acs-action:%s\nx-acs-content-sha256:%s\nx-acs-date:%s\nx-acs-signature-nonce:%s\nx-acs-version:%s\n\n%s\n%s' \
		"$method" "$path" "$query" "$endpoint" "${XACTION:-Ipv6Gateway}" "$hash" "$date" "$nonce" \
		"${XVERSION:-v1.0}" "$sh" "$hash")
	sig=$(printf 'ACS3-HMAC-SHA256\n%s' "$(printf '%s' "$creq" | sha256sum | cut -d' ' -f1)" |
		openssl dgst -sha256 -hmac "${XSECRET:-$SECRET}" -hex | sed 's/.*= //')
	local args=(-sS -X "$method" -o "$tmp/resp" -w '%{http_code}'
		-H "Authorization: ACS3-HMAC-SHA256 Credential=$AKID,SignedHeaders=$sh,Signature=$sig"
		-H "x-acs-action: ${XACTION:-Ipv6Gateway}" -H "x-acs-version: ${XVERSION:-v1.0}"
		-H "x-acs-date: $date" -H "x-acs-signature-nonce: $nonce" -H "x-acs-content-sha256: $hash")
	[[ ${XREGION:-$REGION} != - ]] && args+=(-H "x-regionid: ${XREGION:-$REGION}")
	[[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
	status=$(curl "${args[@]}" "http://$endpoint$target" 2>"$tmp/curl.err")
	resp=$(cat "$tmp/resp" 2>/dev/null)
}
# rpc ACTION 'K=V&K=V' (sorted, canonical): the RPC API through the same signer
rpc() {
	XACTION=$1 XVERSION=2016-04-28 call POST "/?$2"
}
j() { jq -r "$1" <<<"$resp" 2>/dev/null; }

# expect DESC HTTP CODE [JQ-CONDITION]: the last response had this status,
# this envelope code, a request id, and the condition holds
expect() {
	local desc=$1 want_status=$2 want_code=$3 cond=${4:-true}
	if [[ $status == "$want_status" && $(j .code) == "$want_code" &&
		$(j '.requestId | test("^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$")') == true &&
		$(j "$cond") == true ]]; then
		ok "$desc"
	else
		not_ok "$desc (want $want_status $want_code, $cond)" "HTTP $status: $resp"
	fi
}
G=/api/vpc/v1.0/ipv6Gateways

if start; then
	ok "sluiced --standalone serves on $endpoint"
else
	not_ok "sluiced starts" "$(cat "$tmp/sluiced.log")"
	tap_finish
fi

# ---- the RPC side creates what REST cannot: a gateway and addresses
rpc CreateIpv6Gateway "Name=gw-rest&RegionId=$REGION&VpcId=vpc-s"
gw=$(jq -r .Ipv6GatewayId <<<"$resp")
rpc AllocateIpv6Address "RegionId=$REGION&VSwitchId=vsw-s1"
a1=$(jq -r .Ipv6AddressId <<<"$resp")
rpc AllocateIpv6Address "Ipv6Address=2001%3Adb8%3A2%3A%3A10&RegionId=$REGION&VSwitchId=vsw-s1"
a2=$(jq -r .Ipv6AddressId <<<"$resp")
if [[ $gw == ipv6gw-* && $a1 == ipv6-* && $a2 == ipv6-* ]]; then
	ok "RPC CreateIpv6Gateway and AllocateIpv6Address (the objects REST works on)"
else
	not_ok "RPC CreateIpv6Gateway and AllocateIpv6Address" "$resp"
	tap_finish
fi

# ---- authentication, region, routing
XSECRET=wrong call GET "$G"
expect "a wrong secret: IncompleteSignature" 400 IncompleteSignature '.data == {}'
status=$(curl -sS -o "$tmp/resp" -w '%{http_code}' -H "x-regionid: $REGION" "http://$endpoint$G")
resp=$(cat "$tmp/resp")
expect "an unsigned request: IPv6Gateway.Forbidden" 403 IPv6Gateway.Forbidden
XREGION=- call GET "$G"
expect "no x-regionid: IPv6Gateway.MissingParameter.x-regionid" 400 IPv6Gateway.MissingParameter.x-regionid
XREGION=xx-nowhere call GET "$G"
expect "an unknown x-regionid: IPv6Gateway.ResourceNotFound.region" 404 IPv6Gateway.ResourceNotFound.region
call GET /api/vpc/v1.0/natGateways
expect "another collection: IPv6Gateway.InvalidAction.NotFound" 404 IPv6Gateway.InvalidAction.NotFound
call DELETE "$G"
expect "DELETE of the collection: IPv6Gateway.UnsupportedHTTPMethod" 405 IPv6Gateway.UnsupportedHTTPMethod
call POST "$G/$gw" '{"name":"x"}'
expect "POST on a gateway: IPv6Gateway.UnsupportedHTTPMethod" 405 IPv6Gateway.UnsupportedHTTPMethod

# ---- 1. GET /ipv6Gateways: list, filters, paging
call GET "$G"
expect "GET /ipv6Gateways lists the region's two gateways with the envelope" 200 Success \
	'.message == "The request has success" and .data.total == 2 and .data.current == 1 and .data.size == 10 and .data.totalPage == 1 and ([.data.list[].ipv6GatewayId] | sort) == (["ipv6gw-file", "'"$gw"'"] | sort)'
call GET "$G?current=2&size=1"
expect "size=1&current=2: the second gateway, totalPage 2" 200 Success \
	'.data.total == 2 and .data.totalPage == 2 and (.data.list | length) == 1 and .data.size == 1 and .data.current == 2'
call GET "$G?current=3&size=1"
expect "a page past the end is empty" 200 Success '.data.total == 2 and .data.list == []'
call GET "$G?vpcId=vpc-r"
expect "vpcId filter; the item's fields (ipv6Num, status, createdAt)" 200 Success \
	'.data.total == 1 and .data.list[0].ipv6GatewayId == "ipv6gw-file" and .data.list[0].name == "ipv6gw-default" and .data.list[0].regionId == "cn-hangzhou" and .data.list[0].status == "Available" and .data.list[0].ipv6Num == 3 and (.data.list[0].createdAt | test("^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"))'
call GET "$G?ipv6GatewayId=$gw&name=gw-rest&status=Available"
expect "ipv6GatewayId, name and status filters" 200 Success '.data.total == 1 and .data.list[0].vpcId == "vpc-s"'
call GET "$G?status=Unavailable"
expect "status=Unavailable matches nothing" 200 Success '.data.total == 0'
call GET "$G?size=0"
expect "size=0: IPv6Gateway.InvalidParameter.size" 400 IPv6Gateway.InvalidParameter.size '.data == {}'
call GET "$G?size=101"
expect "size=101 (above sluice's 100): IPv6Gateway.InvalidParameter.size" 400 IPv6Gateway.InvalidParameter.size
call GET "$G?current=x"
expect "current=x: IPv6Gateway.InvalidParameter.current" 400 IPv6Gateway.InvalidParameter.current
XREGION=cn-beijing call GET "$G"
expect "x-regionid picks the region's gateways" 200 Success '.data.total == 1 and .data.list[0].ipv6GatewayId == "ipv6gw-bj"'

# ---- 2. GET /ipv6Gateways/{id}
call GET "$G/$gw"
expect "GET /ipv6Gateways/{id}: the detail" 200 Success \
	'.data.ipv6GatewayId == "'"$gw"'" and .data.vpcId == "vpc-s" and .data.name == "gw-rest" and .data.ipv6Num == 2'
call GET "$G/ipv6gw-nope"
expect "an unknown gateway: IPv6Gateway.ResourceNotFound.ipv6gateway" 404 IPv6Gateway.ResourceNotFound.ipv6gateway '.data == {}'
call GET "$G/ipv6gw-bj"
expect "a gateway of another region: IPv6Gateway.ResourceNotFound.ipv6gateway" 404 IPv6Gateway.ResourceNotFound.ipv6gateway

# ---- 3. PUT /ipv6Gateways/{id}
call PUT "$G/$gw" '{"name":"gw-rest2","description":"REST renamed"}'
expect "PUT /ipv6Gateways/{id} renames" 200 Success '.data == {}'
call GET "$G/$gw"
expect "the new name and description are read back" 200 Success '.data.name == "gw-rest2" and .data.description == "REST renamed"'
call PUT "$G/$gw" '{"name":"1gw"}'
expect "a name not starting with a letter: IPv6Gateway.InvalidParameter.name" 400 IPv6Gateway.InvalidParameter.name
call PUT "$G/$gw" '{"name":"gw rest"}'
expect "a name with a space: IPv6Gateway.InvalidParameter.name" 400 IPv6Gateway.InvalidParameter.name
call PUT "$G/$gw" "{\"description\":\"$(printf 'd%.0s' $(seq 300))\"}"
expect "a 300-character description: IPv6Gateway.InvalidParameter.description" 400 IPv6Gateway.InvalidParameter.description
call PUT "$G/ipv6gw-file" '{"name":"renamed"}'
expect "the config file's gateway is read-only: IPv6Gateway.Forbidden" 403 IPv6Gateway.Forbidden
call PUT "$G/$gw" '{"name":'
expect "a body that is not JSON: IPv6Gateway.InvalidParameter" 400 IPv6Gateway.InvalidParameter
call PUT "$G/$gw" '{"name":7}'
expect "a name that is not a string: IPv6Gateway.InvalidParameter.name" 400 IPv6Gateway.InvalidParameter.name

# ---- 4. GET /ipv6Gateways/{id}/ipv6Addresses
call GET "$G/ipv6gw-file/ipv6Addresses"
expect "GET .../ipv6Addresses: the gateway's VPC's addresses with their fields" 200 Success \
	'.data.total == 3 and .data.list[0].ipv6AddressId == "ipv6-file1" and .data.list[0].ipv6Address == "2001:db8:1::10" and .data.list[0].subnetId == "vsw-r1" and .data.list[0].associatedInstanceId == "i-r1" and .data.list[0].associatedInstanceType == "ECS" and .data.list[0].lineType == "noBGP" and .data.list[0].payMode == "OnDemand" and .data.list[0].bandwidth == 0 and .data.list[0].enableBandwidth == true and .data.list[0].ipv6BandwidthId == ""'
call GET "$G/ipv6gw-file/ipv6Addresses?current=2&size=2"
expect "addresses paging: size=2, page 2 holds the third" 200 Success '.data.totalPage == 2 and .data.list[0].ipv6AddressId == "ipv6-file3"'
call GET "$G/ipv6gw-file/ipv6Addresses?ipv6Address=2001%3ADB8%3A1%3A%3A11"
expect "ipv6Address filter (any spelling of the address)" 200 Success '.data.total == 1 and .data.list[0].ipv6AddressId == "ipv6-file2"'
call GET "$G/ipv6gw-file/ipv6Addresses?instanceId=i-r1"
expect "instanceId filter" 200 Success '.data.total == 1 and .data.list[0].ipv6AddressId == "ipv6-file1"'
call GET "$G/ipv6gw-file/ipv6Addresses?associatedInstanceType=ECS%2CHaVip&status=Available%2CUnavailable"
expect "comma-separated associatedInstanceType and status filters" 200 Success '.data.total == 1'
call GET "$G/ipv6gw-file/ipv6Addresses?ipv6Address=zz"
expect "a malformed ipv6Address filter: IPv6Gateway.InvalidParameter.ipv6Address" 400 IPv6Gateway.InvalidParameter.ipv6Address
call POST "$G/ipv6gw-file/ipv6Addresses" '{}'
expect "POST .../ipv6Addresses: IPv6Gateway.UnsupportedHTTPMethod" 405 IPv6Gateway.UnsupportedHTTPMethod

# ---- 5. POST .../routeRules (a batch, per-item results, normalisation)
call POST "$G/ipv6gw-file/routeRules" '{"igwRouteRules":[{"description":"towards the firewall","destination":"2407:c080::/16","nextHopType":"ECS","nextHopInstanceId":"i-r1"},{"destination":"2407:c080::/16","nextHopType":"ECS","nextHopInstanceId":"i-r1"},{"destination":"2408::/32","nextHopType":"ECS","nextHopInstanceId":"i-r2"},{"destination":"2409::/32","nextHopType":"ECS","nextHopInstanceId":"i-nope"},{"destination":"10.0.0.0/8","nextHopType":"ECS","nextHopInstanceId":"i-r1"},{"destination":"240a::/32","nextHopType":"VPN","nextHopInstanceId":"i-r1"},{"destination":"240b::/32","nextHopInstanceId":"i-r1"},{"destination":"240c::/32","nextHopType":"ECS","nextHopInstanceId":"i-r1"}]}'
expect "POST .../routeRules: 2 rules created, 6 refused with a code each" 200 Success \
	'(.data.successItems | length) == 2 and (.data.successItems[0].igwRouteRuleId | test("^igwrtbr-[a-z0-9]{20}$")) and .data.successItems[0].destination == "2407::/16" and .data.successItems[0].nextHopInstanceId == "i-r1" and .data.successItems[1].destination == "240c::/32" and ([.data.failureItems[].code] == ["IGW.Destination.Duplicated", "IGW.NextHopInstance.Ipv6NotEnabled", "IGW.NextHopInstance.NotFound", "IPv6Gateway.InvalidParameter.Destination", "IGW.InvalidParameter.nextHopType", "IGW.MissingParameter.nextHopType"])'
rr1=$(j '.data.successItems[0].igwRouteRuleId')
rr2=$(j '.data.successItems[1].igwRouteRuleId')
call POST "$G/ipv6gw-file/routeRules" '{"igwRouteRules":[]}'
expect "an empty igwRouteRules: IGW.MissingParameter.igwRouteRules" 400 IGW.MissingParameter.igwRouteRules
call POST "$G/ipv6gw-file/routeRules" '{"igwRouteRules":[{"destination":"2410::/32","nextHopType":"HaVip","nextHopInstanceId":"hv-r1"},{"destination":"2411::/32","nextHopType":"HaVip","nextHopInstanceId":"hv-r2"},{"destination":"2412::/32","nextHopType":"HaVip","nextHopInstanceId":"hv-s1"},{"destination":"2413::/32","nextHopType":"HaVip","nextHopInstanceId":"hvip-nope"}]}'
expect "HaVip next hops: hv-r1 (i-r1 has IPv6) created; hv-r2 (i-r2 has none), another VPC's and an unknown HaVip refused" 200 Success \
	'(.data.successItems | length) == 1 and .data.successItems[0].nextHopType == "HaVip" and .data.successItems[0].nextHopInstanceId == "hv-r1" and ([.data.failureItems[].code] == ["IGW.NextHopInstance.Ipv6NotEnabled", "IGW.NextHopInstance.NotFound", "IGW.NextHopInstance.NotFound"])'
rrh=$(j '.data.successItems[0].igwRouteRuleId')
call GET "$G/ipv6gw-file/routeRules?nextHopType=HaVip"
expect "GET .../routeRules?nextHopType=HaVip lists the HaVip rule" 200 Success \
	'.data.total == 1 and .data.list[0].routeRuleId == "'"$rrh"'" and .data.list[0].nextHopInstanceId == "hv-r1" and .data.list[0].destination == "2410::/32"'
call DELETE "$G/ipv6gw-file/routeRules/$rrh"
expect "DELETE of the HaVip rule" 200 Success '.data == {}'
# A HaVip of the API: while a rule names it, it takes no instance without
# IPv6 and cannot be deleted (docs/api.md, HaVips)
rpc CreateHaVip "RegionId=$REGION&VSwitchId=vsw-r1"
hvn=$(jq -r .HaVipId <<<"$resp")
for _ in $(seq 50); do
	rpc DescribeHaVips "Filter.1.Key=HaVipId&Filter.1.Value.1=$hvn&RegionId=$REGION"
	[[ $(jq -r '.HaVips.HaVip[0].Status' <<<"$resp") == Available ]] && break
	sleep 0.1
done
call POST "$G/ipv6gw-file/routeRules" '{"igwRouteRules":[{"destination":"2414::/32","nextHopType":"HaVip","nextHopInstanceId":"'"$hvn"'"}]}'
expect "a rule to a HaVip with no instance yet is created" 200 Success '(.data.successItems | length) == 1'
rrn=$(j '.data.successItems[0].igwRouteRuleId')
rpc AssociateHaVip "HaVipId=$hvn&InstanceId=i-r2&RegionId=$REGION"
if [[ $status == 400 && $(jq -r .Code <<<"$resp") == IGW.NextHopInstance.Ipv6NotEnabled ]]; then
	ok "AssociateHaVip of an instance without IPv6 to a rule's HaVip: IGW.NextHopInstance.Ipv6NotEnabled"
else
	not_ok "AssociateHaVip of an instance without IPv6 to a rule's HaVip" "HTTP $status: $resp"
fi
rpc DeleteHaVip "HaVipId=$hvn&RegionId=$REGION"
if [[ $status == 400 && $(jq -r .Code <<<"$resp") == DependencyViolation.Ipv6GatewayRouteRule ]]; then
	ok "DeleteHaVip of a rule's HaVip: DependencyViolation.Ipv6GatewayRouteRule"
else
	not_ok "DeleteHaVip of a rule's HaVip" "HTTP $status: $resp"
fi
call DELETE "$G/ipv6gw-file/routeRules/$rrn"
for _ in $(seq 50); do
	rpc DeleteHaVip "HaVipId=$hvn&RegionId=$REGION"
	[[ $status == 200 ]] && break
	sleep 0.1
done
if [[ $status == 200 ]]; then
	ok "DeleteHaVip once the rule is gone"
else
	not_ok "DeleteHaVip once the rule is gone" "HTTP $status: $resp"
fi
call POST "$G/ipv6gw-nope/routeRules" '{"igwRouteRules":[{"destination":"240d::/32","nextHopType":"ECS","nextHopInstanceId":"i-r1"}]}'
expect "route rules of an unknown gateway: IPv6Gateway.ResourceNotFound.ipv6gateway" 404 IPv6Gateway.ResourceNotFound.ipv6gateway

# ---- 8. GET .../routeRules
call GET "$G/ipv6gw-file/routeRules"
expect "GET .../routeRules lists both with their fields" 200 Success \
	'.data.total == 2 and .data.list[0].routeRuleId == "'"$rr1"'" and .data.list[0].status == "Active" and .data.list[0].routeRuleType == "custom" and .data.list[0].description == "towards the firewall" and .data.list[0].nextHopType == "ECS" and .data.list[0].createdAt == .data.list[0].updatedAt'
call GET "$G/ipv6gw-file/routeRules?destination=2407%3Ac080%3A%3A%2F16"
expect "destination filter, normalised like the rules" 200 Success '.data.total == 1 and .data.list[0].routeRuleId == "'"$rr1"'"'
call GET "$G/ipv6gw-file/routeRules?current=2&nextHopInstanceId=i-r1&nextHopType=ECS&size=1&vpcId=vpc-r"
expect "nextHopInstanceId, nextHopType and vpcId filters with paging" 200 Success '.data.total == 2 and .data.list[0].routeRuleId == "'"$rr2"'"'
call GET "$G/ipv6gw-file/routeRules?vpcId=vpc-s"
expect "another VPC's id matches nothing" 200 Success '.data.total == 0'
call GET "$G/$gw/routeRules"
expect "the other gateway has no rules" 200 Success '.data.total == 0'

# ---- 7. PUT .../routeRules/{id}
sleep 1 # updatedAt moves on
call PUT "$G/ipv6gw-file/routeRules/$rr2" '{"destination":"240e:1:2::/33","description":"moved"}'
expect "PUT .../routeRules/{id} changes the destination in place" 200 Success '.data.routeRuleId == "'"$rr2"'"'
call GET "$G/ipv6gw-file/routeRules?destination=240e%3A1%3A%3A%2F33"
expect "the rule reads back normalised (240e:1::/33), with a later updatedAt" 200 Success \
	'.data.total == 1 and .data.list[0].destination == "240e:1::/33" and .data.list[0].description == "moved" and .data.list[0].updatedAt > .data.list[0].createdAt'
call PUT "$G/ipv6gw-file/routeRules/$rr2" '{"description":"no destination"}'
expect "PUT without destination: IGW.MissingParameter.destination" 400 IGW.MissingParameter.destination
call PUT "$G/ipv6gw-file/routeRules/$rr2" '{"destination":"2407::/16"}'
expect "PUT onto another rule's destination: IGW.Destination.Duplicated" 400 IGW.Destination.Duplicated
call PUT "$G/ipv6gw-file/routeRules/$rr2" '{"destination":"not-a-cidr"}'
expect "PUT with a bad destination: IPv6Gateway.InvalidParameter.Destination" 400 IPv6Gateway.InvalidParameter.Destination
call PUT "$G/ipv6gw-file/routeRules/igwrtbr-nope" '{"destination":"2407::/16"}'
expect "PUT of an unknown rule: IGW.ResourceNotFound.routeRule" 404 IGW.ResourceNotFound.routeRule
call PUT "$G/$gw/routeRules/$rr2" '{"destination":"2407::/16"}'
expect "a rule through another gateway's path: IGW.ResourceNotFound.routeRule" 404 IGW.ResourceNotFound.routeRule

# ---- 6. DELETE .../routeRules/{id}
call DELETE "$G/ipv6gw-file/routeRules/$rr2"
expect "DELETE .../routeRules/{id}" 200 Success '.data == {}'
call DELETE "$G/ipv6gw-file/routeRules/$rr2"
expect "DELETE it again: IGW.ResourceNotFound.routeRule" 404 IGW.ResourceNotFound.routeRule
call GET "$G/ipv6gw-file/routeRules/$rr1"
expect "GET of one rule: IPv6Gateway.UnsupportedHTTPMethod" 405 IPv6Gateway.UnsupportedHTTPMethod

# ---- 9. POST .../bandwidths (per address, at most 10)
call POST "$G/ipv6gw-file/bandwidths" '{"bandwidth":100,"payMode":"OnDemand","chargeMode":"Bandwidth","lineType":"noBGP","ipv6Ids":["ipv6-file1","ipv6-file2","ipv6-nope","'"$a1"'"]}'
expect "POST .../bandwidths: two bought, an unknown and another VPC's address refused" 200 Success \
	'(.data.successItems | length) == 2 and .data.successItems[0].ipv6Id == "ipv6-file1" and (.data.successItems[0].ipv6BandwidthId | test("^ipv6bw-[a-z0-9]{20}$")) and ([.data.failureItems[].ipv6Id] == ["ipv6-nope", "'"$a1"'"]) and .data.failureItems[0].code == "IPv6Gateway.ResourceNotFound.Ipv6Address" and .data.failureItems[1].code == "IPv6Gateway.OperationFailed.Ipv6GatewayDisMatchIpv6Address"'
bw1=$(j '.data.successItems[0].ipv6BandwidthId')
bw2=$(j '.data.successItems[1].ipv6BandwidthId')
call POST "$G/ipv6gw-file/bandwidths" '{"bandwidth":5,"chargeMode":"Bandwidth","lineType":"noBGP","ipv6Ids":["ipv6-file1"]}'
expect "a second bandwidth on one address is a failure item (payMode defaults to OnDemand)" 200 Success \
	'.data.successItems == [] and .data.failureItems[0].code == "IPv6Gateway.OperationFailed.InternetBandwidthAlreadyExisted"'
call POST "$G/ipv6gw-file/bandwidths" '{"chargeMode":"Bandwidth","lineType":"noBGP","ipv6Ids":["ipv6-file3"]}'
expect "no bandwidth: IPv6Gateway.MissingParameter.bandwidth" 400 IPv6Gateway.MissingParameter.bandwidth
call POST "$G/ipv6gw-file/bandwidths" '{"bandwidth":5001,"chargeMode":"Bandwidth","lineType":"noBGP","ipv6Ids":["ipv6-file3"]}'
expect "bandwidth 5001: IPv6Gateway.InvalidParameter.bandwidth" 400 IPv6Gateway.InvalidParameter.bandwidth
call POST "$G/ipv6gw-file/bandwidths" '{"bandwidth":"5","chargeMode":"Bandwidth","lineType":"noBGP","ipv6Ids":["ipv6-file3"]}'
expect "bandwidth as a string: IPv6Gateway.InvalidParameter.bandwidth" 400 IPv6Gateway.InvalidParameter.bandwidth
call POST "$G/ipv6gw-file/bandwidths" '{"bandwidth":5,"lineType":"noBGP","ipv6Ids":["ipv6-file3"]}'
expect "no chargeMode: IPv6Gateway.MissingParameter.chargeMode" 400 IPv6Gateway.MissingParameter.chargeMode
call POST "$G/ipv6gw-file/bandwidths" '{"bandwidth":5,"chargeMode":"Traffic","lineType":"noBGP","ipv6Ids":["ipv6-file3"]}'
expect "chargeMode Traffic: IPv6Gateway.InvalidParameter.chargeMode" 400 IPv6Gateway.InvalidParameter.chargeMode
call POST "$G/ipv6gw-file/bandwidths" '{"bandwidth":5,"chargeMode":"Bandwidth","lineType":"BGP","ipv6Ids":["ipv6-file3"]}'
expect "lineType BGP: IPv6Gateway.InvalidParameter.lineType" 400 IPv6Gateway.InvalidParameter.lineType
call POST "$G/ipv6gw-file/bandwidths" '{"bandwidth":5,"payMode":"ByCycle","chargeMode":"Bandwidth","lineType":"noBGP","ipv6Ids":["ipv6-file3"]}'
expect "payMode ByCycle (sluice bills nothing): IPv6Gateway.InvalidParameter.payMode" 400 IPv6Gateway.InvalidParameter.payMode
call POST "$G/ipv6gw-file/bandwidths" '{"bandwidth":5,"chargeMode":"Bandwidth","lineType":"noBGP","ipv6Ids":["a","b","c","d","e","f","g","h","i","j","k"]}'
expect "11 ipv6Ids: IPv6Gateway.InvalidParameter.ipv6Ids" 400 IPv6Gateway.InvalidParameter.ipv6Ids
call POST "$G/ipv6gw-file/bandwidths" '{"bandwidth":5,"chargeMode":"Bandwidth","lineType":"noBGP"}'
expect "no ipv6Ids: IPv6Gateway.MissingParameter.ipv6Ids" 400 IPv6Gateway.MissingParameter.ipv6Ids
call GET "$G/ipv6gw-file/ipv6Addresses?instanceId=i-r1"
expect "the address list shows the bandwidth" 200 Success \
	'.data.list[0].ipv6BandwidthId == "'"$bw1"'" and .data.list[0].bandwidth == 100 and .data.list[0].chargeMode == "Bandwidth" and .data.list[0].enableBandwidth == false and (.data.list[0].bandwidthCreatedTime | length) == 19'
rpc DescribeIpv6Addresses "Ipv6AddressId=ipv6-file1&RegionId=$REGION"
if [[ $(jq -r '.Ipv6Addresses.Ipv6Address[0].Ipv6InternetBandwidth.Ipv6InternetBandwidthId' <<<"$resp") == "$bw1" ]]; then
	ok "one store: RPC DescribeIpv6Addresses sees the bandwidth bought through REST"
else
	not_ok "RPC DescribeIpv6Addresses sees the REST bandwidth" "$resp"
fi

# ---- 10. PUT .../bandwidths/{id}
call PUT "$G/ipv6gw-file/bandwidths/$bw1" '{"bandwidth":300}'
expect "PUT .../bandwidths/{id} changes the value" 200 Success '.data == {}'
call GET "$G/ipv6gw-file/ipv6Addresses?instanceId=i-r1"
expect "the new value reads back" 200 Success '.data.list[0].bandwidth == 300'
call PUT "$G/ipv6gw-file/bandwidths/$bw1" '{"bandwidth":0}'
expect "bandwidth 0: IPv6Gateway.InvalidParameter.bandwidth" 400 IPv6Gateway.InvalidParameter.bandwidth
call PUT "$G/ipv6gw-file/bandwidths/$bw1" '{}'
expect "no bandwidth: IPv6Gateway.MissingParameter.bandwidth" 400 IPv6Gateway.MissingParameter.bandwidth
call PUT "$G/ipv6gw-file/bandwidths/ipv6bw-nope" '{"bandwidth":5}'
expect "an unknown bandwidth: IPv6Gateway.ResourceNotFound.ipv6bandwidth" 404 IPv6Gateway.ResourceNotFound.ipv6bandwidth
call PUT "$G/$gw/bandwidths/$bw1" '{"bandwidth":5}'
expect "a bandwidth through another gateway's path: IPv6Gateway.ResourceNotFound.ipv6bandwidth" 404 IPv6Gateway.ResourceNotFound.ipv6bandwidth

# ---- 12. PUT .../bandwidths/renew/{id}
call PUT "$G/ipv6gw-file/bandwidths/renew/$bw1" '{"periodType":"Month","periodNum":3}'
expect "renew of an OnDemand bandwidth: IPv6Gateway.OperationUnsupported.OnDemand" 400 IPv6Gateway.OperationUnsupported.OnDemand
call PUT "$G/ipv6gw-file/bandwidths/renew/$bw1" '{"periodType":"Year","periodNum":6}'
expect "renew periodNum 6 for Year: IPv6Gateway.InvalidParameter.periodNum" 400 IPv6Gateway.InvalidParameter.periodNum
call PUT "$G/ipv6gw-file/bandwidths/renew/$bw1" '{"periodType":"Week"}'
expect "renew periodType Week: IPv6Gateway.InvalidParameter.periodType" 400 IPv6Gateway.InvalidParameter.periodType
call PUT "$G/ipv6gw-file/bandwidths/renew/ipv6bw-nope"
expect "renew of an unknown bandwidth: IPv6Gateway.ResourceNotFound.ipv6bandwidth" 404 IPv6Gateway.ResourceNotFound.ipv6bandwidth

# ---- 11. DELETE .../bandwidths/{id}
call DELETE "$G/ipv6gw-file/bandwidths/$bw2"
expect "DELETE .../bandwidths/{id}" 200 Success '.data == {}'
call DELETE "$G/ipv6gw-file/bandwidths/$bw2"
expect "DELETE it again: IPv6Gateway.ResourceNotFound.ipv6bandwidth" 404 IPv6Gateway.ResourceNotFound.ipv6bandwidth
call GET "$G/ipv6gw-file/bandwidths/$bw1"
expect "GET of one bandwidth: IPv6Gateway.UnsupportedHTTPMethod" 405 IPv6Gateway.UnsupportedHTTPMethod

# ---- durability: what REST acknowledged survives a restart
stop
if start; then
	call GET "$G/ipv6gw-file/routeRules"
	expect "after a restart the route rule is there" 200 Success '.data.total == 1 and .data.list[0].routeRuleId == "'"$rr1"'"'
	call GET "$G/ipv6gw-file/ipv6Addresses?instanceId=i-r1"
	expect "after a restart the bandwidth is there with its last value" 200 Success '.data.list[0].ipv6BandwidthId == "'"$bw1"'" and .data.list[0].bandwidth == 300'
	call GET "$G/$gw"
	expect "after a restart the renamed gateway is there" 200 Success '.data.name == "gw-rest2"'
else
	not_ok "sluiced restarts on the same state directory" "$(cat "$tmp/sluiced.log")"
fi
if kill -0 "$pid" 2>/dev/null; then
	kill "$pid"
	wait "$pid"
	rc=$?
	pid=
	if ((rc == 0)); then
		ok "sluiced still running after the REST tests; exits 0 on SIGTERM"
	else
		not_ok "sluiced exits 0 on SIGTERM (exit $rc)" "$(tail -20 "$tmp/sluiced.log")"
	fi
else
	not_ok "sluiced still running after the REST tests" "$(tail -20 "$tmp/sluiced.log")"
fi
if ((tap_nfail)); then
	echo "# sluiced log:"
	sed 's/^/#   /' "$tmp/sluiced.log" | tail -40
fi
tap_finish
