#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# tests/e2e_list_check.sh "NAME..." (TAP): the e2e scripts registered in
# tests/meson.build (suite e2e) are exactly tests/e2e/*_test.sh, so that
# `meson test --suite e2e` runs what scripts/test runs.
set -u
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/e2e" && pwd)
registered=$(tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort)
present=$(cd "$dir" && ls -1 *_test.sh | sed 's/_test\.sh$//' | sort)
echo "1..2"
missing=$(comm -13 <(echo "$registered") <(echo "$present") | tr '\n' ' ')
stale=$(comm -23 <(echo "$registered") <(echo "$present") | tr '\n' ' ')
[[ -z $missing ]] && echo "ok 1 - every tests/e2e/*_test.sh is registered" ||
	echo "not ok 1 - not in tests/meson.build's e2e_scripts: $missing"
[[ -z $stale ]] && echo "ok 2 - every registered e2e script exists" ||
	echo "not ok 2 - registered but absent: $stale"
