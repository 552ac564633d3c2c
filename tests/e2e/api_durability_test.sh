#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/api_durability_test.sh: every acknowledged API write survives a
# kill -9 of sluiced, and no refused one appears (docs/sluiced.md, "The
# database").
#
# Starts `sluiced --standalone --listen 127.0.0.1:0` (no lab, no
# sluice-dp) on a fresh state directory; tests/api/durability.js streams
# CreateSluiceInstance writes (8 in flight, every 7th refused); after at
# least 300 acknowledgements sluiced gets SIGKILL mid-stream; it restarts on
# the same state directory and durability.js checks that every
# acknowledged instance is there with its address, none of the refused
# ones is, and a replayed request of before the kill is SignatureNonceUsed.
# TAP. Skipped when node is absent.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${SLUICE_BUILD_DIR:-$root/build}
sluiced=$build/control/sluiced
api=$root/tests/api

# shellcheck source=tests/e2e/lib.sh
. "$root/tests/e2e/lib.sh" # ok, not_ok, tap_finish (the plan comes last)

if ! command -v node >/dev/null; then
	echo "1..0 # SKIP node is needed for the durability test"
	exit 0
fi

tmp=$(mktemp -d /tmp/sluice-durability.XXXXXX)
pid= wpid=
cleanup() {
	for p in $wpid $pid; do
		if kill -0 "$p" 2>/dev/null; then
			kill "$p" 2>/dev/null
			wait "$p" 2>/dev/null
		fi
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

if [[ ! -x $sluiced ]]; then
	not_ok "sluiced is built ($sluiced)"
	tap_finish
fi

# start_sluiced LOG: start on a free port, set $pid and $endpoint
start_sluiced() {
	"$sluiced" --config "$root/configs/demo.json" --standalone --state-dir "$tmp/state" \
		--listen 127.0.0.1:0 >"$1" 2>&1 &
	pid=$!
	endpoint=
	for _ in $(seq 100); do
		endpoint=$(grep -o 'api: listening on http://[^/]*' "$1" | sed 's|.*http://||')
		[[ -n $endpoint ]] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

if start_sluiced "$tmp/sluiced1.log"; then
	ok "sluiced --standalone serves on $endpoint with state in $tmp/state"
else
	not_ok "sluiced --standalone starts" "$(cat "$tmp/sluiced1.log")"
	tap_finish
fi
keys=$tmp/state/access_keys
mkdir -p "$tmp/run"
(cd "$api" && exec node durability.js write "$endpoint" "$keys" "$tmp/run") >"$tmp/writer.log" 2>&1 &
wpid=$!
acked=0
for _ in $(seq 600); do
	acked=0
	[[ -f $tmp/run/acked ]] && acked=$(wc -l <"$tmp/run/acked")
	((acked >= 300)) && break
	kill -0 "$wpid" 2>/dev/null || break
	sleep 0.1
done
if ((acked >= 300)) && kill -9 "$pid"; then
	wait "$pid" 2>/dev/null
	ok "kill -9 of sluiced after $acked acknowledged writes, with writes in flight"
else
	not_ok "the writer got 300 acknowledgements before the kill ($acked)" \
		"$(tail -5 "$tmp/writer.log"; tail -20 "$tmp/sluiced1.log")"
	tap_finish
fi
wait "$wpid" 2>/dev/null
wpid=
pid=
if start_sluiced "$tmp/sluiced2.log" && grep -q "database .*sluiced.db" "$tmp/sluiced2.log"; then
	ok "sluiced restarts on the same state directory: $(grep -o 'database .*' "$tmp/sluiced2.log" | head -1)"
else
	not_ok "sluiced restarts on the same state directory" "$(cat "$tmp/sluiced2.log")"
	tap_finish
fi
out=$(cd "$api" && timeout 120 node durability.js check "$endpoint" "$keys" "$tmp/run" 2>&1)
while IFS= read -r line; do
	case $line in
	"ok "*) ok "${line#ok }" ;;
	"not ok "*) not_ok "${line#not ok }" ;;
	"#"*) echo "$line" ;;
	*) [[ -n $line ]] && echo "# $line" ;;
	esac
done <<<"$out"
kill "$pid" && wait "$pid"
rc=$?
pid=
if ((rc == 0)); then
	ok "the restarted sluiced exits 0 on SIGTERM"
else
	not_ok "the restarted sluiced exits 0 on SIGTERM (exit $rc)" "$(tail -20 "$tmp/sluiced2.log")"
fi
tap_finish
