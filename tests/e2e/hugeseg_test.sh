#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/hugeseg_test.sh: the lab with its segment on 2 MiB huge pages
# (issue 9, docs/operations.md "Huge pages").
#
# sluiced creates the segment on hugetlbfs (/dev/hugepages/sluice-lab-huge,
# 64 MiB banks: 83 huge pages, all reserved when it maps the file),
# sluice-dp attaches to it, and traffic is routed through it (IPv4 and
# IPv6 between VSwitches, the VSwitch gateway address); `scripts/lab down`
# removes the file and gives the pages back. Skipped (every result "ok #
# SKIP") without a hugetlbfs mount on /dev/hugepages or with fewer than
# 400 free huge pages (the segment plus sluice-dp's own 256): this test
# never changes vm.nr_hugepages. TAP; needs root and a build.
export SLUICE_LAB_SEGMENT=/dev/hugepages/sluice-lab-huge
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAN=9
tap_plan $PLAN

lab_test_init hugeseg # root, a build, the lab lock; cleans up at exit

hp=/sys/kernel/mm/hugepages/hugepages-2048kB
avail() { echo $(($(<"$hp/free_hugepages") - $(<"$hp/resv_hugepages"))); }
why=
if [[ $(stat -f -c %T /dev/hugepages 2>/dev/null) != hugetlbfs ]]; then
	why="no hugetlbfs mount on /dev/hugepages"
elif [[ ! -r $hp/free_hugepages ]] || (($(avail) < 400)); then
	why="fewer than 400 free 2 MiB huge pages"
fi
if [[ -n $why ]]; then
	while ((tap_n < tap_planned)); do skip "segment on huge pages" "$why"; done
	tap_done
fi
before=$(avail)

check "lab up" timeout -k 5 120 "$SL_LAB" up || tap_bail "lab up failed"
if ! check "lab start: sluiced (64 MiB banks) + sluice-dp on a hugetlbfs segment" \
	env SLUICE_LAB_TIMEOUT=60 SLUICED_ARGS="--bank-size 64M" timeout -k 5 120 "$SL_LAB" start; then
	diag "$(timeout 10 "$SL_LAB" logs 2>&1 | tail -n 40)"
	tap_bail "daemons did not start"
fi
size=$(stat -c %s "$SL_SEG" 2>/dev/null || echo 0)
check "the segment is a hugetlbfs file of whole 2 MiB pages ($size bytes)" \
	bash -c "[[ \$(stat -f -c %T '$SL_SEG') == hugetlbfs ]] && (($size > 0 && $size % 2097152 == 0))"
check "sluice-dp attached to it on huge pages (its log says so)" \
	grep -q "attached to segment $SL_SEG .*hugetlbfs huge pages" "${SLUICE_LAB_RUN:-/run/sluice-lab}/sluice-dp.log"
ctl_check "sluicectl status: in sync, lcores online and acked" \
	'j["synced"] and j["lcores_online"] >= 2 and j["lcores_acked"] == j["lcores_online"]' \
	status

for dst in 192.168.2.10 192.168.1.253; do in_ns a1 ping -c 1 -W 2 $dst >/dev/null 2>&1; done
in_ns a1 ping -6 -c 1 -W 2 2001:db8:a:2::10 >/dev/null 2>&1
check "a1 -> a2 ping IPv4 through the gateway" in_ns a1 ping -c 3 -W 1 192.168.2.10
check "a1 -> a2 ping IPv6 through the gateway" in_ns a1 ping -6 -c 3 -W 1 2001:db8:a:2::10
check "a1 -> gateway 192.168.1.253 ping (answered by sluice-dp)" in_ns a1 ping -c 3 -W 1 192.168.1.253

timeout -k 5 60 "$SL_LAB" down >/dev/null 2>&1
check "lab down removes the segment and its huge pages come back" \
	bash -c "[[ ! -e '$SL_SEG' ]] && (($(avail) >= $before - 8))" # others may take a few meanwhile
tap_done
