#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/api_test.sh: sluiced's cloud API (docs/api.md) driven by the
# official Alibaba Cloud Node SDK (@alicloud/vpc20160428, pinned in
# tests/api/package.json, installed with `npm ci`).
#
# Starts `sluiced --listen 127.0.0.1:0` (a free port, read back from its
# log) with configs/demo.json on a private segment file, no sluice-dp and no
# lab; lets sluiced generate its access-key file; runs tests/api/*.test.js
# with node's test runner (TAP) and re-emits its results, numbered after
# this script's own checks. Skipped (plan 1..0) when node or npm is absent.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${SLUICE_BUILD_DIR:-$root/build}
sluiced=$build/control/sluiced
api=$root/tests/api

# shellcheck source=tests/e2e/lib.sh
. "$root/tests/e2e/lib.sh" # ok, not_ok, tap_finish (the plan comes last)

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "1..0 # SKIP node and npm are needed for the SDK tests"
	exit 0
fi

tmp=$(mktemp -d /tmp/sluice-api-e2e.XXXXXX)
pid=
cleanup() {
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

if [[ ! -x $sluiced ]]; then
	not_ok "sluiced is built ($sluiced)"
	tap_finish
fi

# 1. the SDK, exactly the locked versions
if out=$(cd "$api" && timeout 600 npm ci --ignore-scripts --no-audit --no-fund 2>&1); then
	ok "npm ci installs the pinned SDK (@alicloud/vpc20160428 $(node -p 'require("'"$api"'/package.json").dependencies["@alicloud/vpc20160428"]'))"
else
	not_ok "npm ci installs the pinned SDK" "$(tail -20 <<<"$out")"
	tap_finish
fi

# 2. a key file readable by others is refused
printf 'AK1 secret1\n' >"$tmp/open_keys"
chmod 644 "$tmp/open_keys"
out=$(timeout 20 "$sluiced" --config "$root/configs/demo.json" --segment "$tmp/seg0" \
	--listen 127.0.0.1:0 --access-keys "$tmp/open_keys" 2>&1)
rc=$?
if ((rc == 1)) && grep -q "mode 0644" <<<"$out"; then
	ok "sluiced refuses an access-key file with mode 0644"
else
	not_ok "sluiced refuses an access-key file with mode 0644 (exit $rc)" "$out"
fi

# 3. start sluiced on a free port; it generates the key file
"$sluiced" --config "$root/configs/demo.json" --segment "$tmp/seg" --listen 127.0.0.1:0 \
	--state-dir "$tmp/state" --log-level debug >"$tmp/sluiced.log" 2>&1 &
pid=$!
endpoint=
for _ in $(seq 100); do
	endpoint=$(grep -o 'api: listening on http://[^/]*' "$tmp/sluiced.log" | sed 's|.*http://||')
	[[ -n $endpoint ]] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
keys=$tmp/state/access_keys
if [[ -n $endpoint ]] && grep -q "generated access key .* in $keys" "$tmp/sluiced.log"; then
	ok "sluiced --listen 127.0.0.1:0 serves on $endpoint and generated $keys"
else
	not_ok "sluiced --listen starts and generates a key file" "$(cat "$tmp/sluiced.log")"
	tap_finish
fi
if [[ $(stat -c %a "$keys") == 600 ]] && grep -Eq '^SLK[A-Za-z0-9]{21} [A-Za-z0-9]{30}$' "$keys"; then
	ok "the generated key file has mode 0600 and one 'ACCESS_KEY_ID SECRET' line"
else
	not_ok "the generated key file has mode 0600 and one key line" "$(stat -c %a "$keys")"
fi

# 4. the SDK tests, renumbered into this stream
out=$(cd "$api" && SLUICE_API_ENDPOINT=$endpoint SLUICE_API_KEYS=$keys \
	timeout 600 node --test --test-concurrency=1 --test-reporter=tap ./*.test.js 2>&1)
rc=$?
seen=0
while IFS= read -r line; do
	if [[ $line =~ ^(not\ ok|ok)\ [0-9]+\ -\ (.*)$ ]]; then
		seen=$((seen + 1))
		if [[ ${BASH_REMATCH[1]} == ok ]]; then
			ok "sdk: ${BASH_REMATCH[2]}"
		else
			not_ok "sdk: ${BASH_REMATCH[2]}"
		fi
	elif [[ $line =~ ^\ +(error|expected|actual|code|location):\ (.*)$ ]]; then
		echo "#   ${BASH_REMATCH[1]}: ${BASH_REMATCH[2]}"
	fi
done <<<"$out"
if ((seen == 0 || rc != 0 && tap_nfail == 0)); then
	not_ok "node --test ran the SDK tests (exit $rc)" "$(tail -30 <<<"$out")"
fi

# 5. the daemon survived all of it and exits cleanly
if kill -0 "$pid" 2>/dev/null; then
	kill "$pid"
	wait "$pid"
	rc=$?
	pid=
	if ((rc == 0)); then
		ok "sluiced still running after the API tests; exits 0 on SIGTERM"
	else
		not_ok "sluiced exits 0 on SIGTERM (exit $rc)" "$(tail -20 "$tmp/sluiced.log")"
	fi
else
	not_ok "sluiced still running after the API tests" "$(tail -20 "$tmp/sluiced.log")"
fi
if ((tap_nfail)); then
	echo "# sluiced log:"
	sed 's/^/#   /' "$tmp/sluiced.log" | tail -60
fi
tap_finish
