#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Smoke test of bench_pipeline (TAP): a small synthetic table and 50 VPCs,
# every mix once (the NAT mixes with 4,096 sessions in 16 NAT VPCs). Checks the line format of each mix and, through the exit
# status, that the timed packets were forwarded. No timing is asserted.
set -u
bin=$1
out=$("$bin" --no-huge -m 512 --no-shconf --no-pci --no-telemetry \
	--file-prefix "bench_pipeline_smoke_$$" --log-level 'lib.*:warning' -l 0 -- \
	--synthetic 20000 --vpcs 50 --vpc-routes 2 --flows 256 --packets 20000 \
	--nat-sessions 4096 --new-flows 8192 --nat-vpcs 16 2>&1)
rc=$?
echo "1..11"
printf '%s\n' "$out" | sed 's/^/# /'
[[ $rc -eq 0 ]] && echo "ok 1 - exit status 0 (every timed packet forwarded)" ||
	echo "not ok 1 - exit status $rc"
for m in ipv4-route ipv6-route snat-established snat-new dnat eip policed ipv6-ingress-rule ecmp; do
	grep -Eq "^mix=$m cycles_per_pkt=[0-9]+\.[0-9] mpps=[0-9]+\.[0-9]{2}$" <<<"$out" &&
		echo "ok - $m line" || echo "not ok - $m line"
done
n=$(grep -c '^mix=' <<<"$out")
[[ $n -eq 9 ]] && echo "ok - one line per mix, nothing else (9)" || echo "not ok - $n mix lines, want 9"
