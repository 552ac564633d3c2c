#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# configs/systemd/check_units.sh BUILD_DIR: the example units and the
# two-port data-plane config are valid (meson test "systemd-units", TAP).
#   - systemd-analyze verify accepts both units once their binaries exist
#     (the ExecStart paths point at the build's binaries in a copy);
#   - every option the units pass to sluiced / sluice-dp is one their
#     --help lists;
#   - configs/dp-2port.json is JSON with the keys docs/sluice-dp.md lists,
#     one inside and one outside port, and sluice-dp.service's -l gives the
#     main lcore plus at least one worker.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "${1:?usage: check_units.sh BUILD_DIR}" && pwd)
n=0 failed=0
result() { # RC DESC
	n=$((n + 1))
	if (($1 == 0)); then echo "ok $n - $2"; else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}
echo "1..5"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v systemd-analyze >/dev/null; then
	echo "ok 1 - systemd-analyze verify # SKIP systemd-analyze not installed"
	n=1
else
	for u in sluiced sluice-dp; do
		sed -e "s|/usr/local/bin/sluiced|$build/control/sluiced|" \
			-e "s|/usr/local/bin/sluice-dp|$build/dataplane/sluice-dp|" \
			"$here/$u.service" >"$tmp/$u.service"
	done
	out=$(cd "$tmp" && systemd-analyze verify --man=no sluiced.service sluice-dp.service 2>&1)
	rc=$?
	# a host without a dev-hugepages.mount unit cannot check the Requires=
	out=$(grep -v 'dev-hugepages.mount' <<<"$out")
	[[ -n $out ]] && rc=1 && sed 's/^/# /' <<<"$out"
	result "$rc" "systemd-analyze verify accepts sluiced.service and sluice-dp.service"
fi

# ExecStart options: long options (--x) and the short ones we use must be in --help
opts_ok() { # UNIT HELP_TEXT
	local rc=0 o
	for o in $(sed -n '/^ExecStart=/,/^[^\t]/p' "$here/$1" | grep -o -- '--[A-Za-z0-9-]*' | sort -u); do
		[[ $o == -- ]] && continue
		grep -qE -- "${o}([^a-z-]|$)" <<<"$2" || {
			echo "# $1: $o not in --help"
			rc=1
		}
	done
	return $rc
}
opts_ok sluiced.service "$("$build/control/sluiced" --help 2>&1)"
result $? "every option of sluiced.service's ExecStart is in sluiced --help"
dp_help=$("$build/dataplane/sluice-dp" --help 2>&1; "$build/dataplane/sluice-dp" --eal-help 2>&1)
opts_ok sluice-dp.service "$dp_help"
result $? "every option of sluice-dp.service's ExecStart is in sluice-dp --help (EAL's and its own)"

/usr/bin/python3 - "$here/../dp-2port.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
known = {"Comment", "segment", "mbufs", "idle_sleep_us", "ports"}
assert set(c) <= known, set(c) - known
roles = sorted(p["role"] for p in c["ports"])
assert roles == ["inside", "outside"], roles
assert all(set(p) <= {"name", "role", "mtu", "devargs", "exception"} for p in c["ports"])
assert all(p["role"] == "outside" for p in c["ports"] if "exception" in p)
PY
result $? "configs/dp-2port.json: known keys, one inside and one outside port"

lcores=$(grep -o -- '-l [0-9,-]*' "$here/sluice-dp.service" | head -1 | cut -c4-)
count=0
IFS=, read -ra parts <<<"$lcores"
for p in "${parts[@]}"; do
	if [[ $p == *-* ]]; then count=$((count + ${p#*-} - ${p%-*} + 1)); else count=$((count + 1)); fi
done
((count >= 2))
result $? "sluice-dp.service: -l $lcores gives the main lcore and $((count - 1)) worker(s)"
((failed == 0))
