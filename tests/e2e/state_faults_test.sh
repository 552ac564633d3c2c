#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tests/e2e/state_faults_test.sh: the state directory runs full or goes
# read-only under API writes (issue 10, "Faults"; docs/sluiced.md, "The
# database").
#
# sluiced --standalone --listen 127.0.0.1:0 keeps its state directory on a
# small tmpfs of its own. A filler file leaves a few hundred KiB free; a
# stream of CreateSluiceInstance writes (one address each, through
# `sluicectl api`) runs until the disk is full. Checked: a write that cannot
# be stored is refused (HTTP 500 InternalError, "nothing was changed"),
# sluiced stays up and keeps answering reads, removing the filler lets the
# next write through without a restart; a read-only state directory at start
# is refused with a clear message; an ext4 state directory that turns
# read-only at run time (trigger_fs_error) refuses writes and keeps serving
# reads; after a kill -9 and a restart on the same directory every acknowledged
# instance is there and no refused one. Needs root (mount). TAP.
# shellcheck disable=SC2317 # functions run through check and the trap
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAN=16
tap_plan $PLAN

SLUICED=$SL_BUILD/control/sluiced
tmp=$(mktemp -d /tmp/sluice-faults.XXXXXX) || tap_bail "mktemp failed"
state=$tmp/state
pid=
mounted=0
cleanup() {
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid"
		wait "$pid" 2>/dev/null
	fi
	((mounted)) && umount "$state"
	rm -rf "$tmp"
}
trap cleanup EXIT

for b in "$SLUICECTL" "$SLUICED"; do
	[[ -x $b ]] || tap_bail "$b not built (scripts/build)"
done
((EUID == 0)) || tap_bail "needs root (mounts a tmpfs)"
mkdir -p "$state"
mount -t tmpfs -o size=8m,mode=0700 sluice-faults "$state" || tap_bail "cannot mount a tmpfs"
mounted=1

url=
start_sluiced() { # each start logs to a fresh $tmp/log
	[[ -f $tmp/log ]] && cat "$tmp/log" >>"$tmp/log.old"
	: >"$tmp/log"
	"$SLUICED" --config "$SL_ROOT/configs/demo.json" --standalone --state-dir "$state" \
		--listen 127.0.0.1:0 >>"$tmp/log" 2>&1 &
	pid=$!
	url=
	for ((i = 0; i < 100; i++)); do
		url=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$tmp/log" | tail -1 |
			sed 's/listening on //')
		[[ -n $url ]] && kill -0 "$pid" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}
api() { # ACTION KEY=VALUE...: prints the JSON body (success or error)
	timeout 20 "$SLUICECTL" --json --api "$url" --access-keys "$state/access_keys" api "$@" 2>/dev/null
}
field() { # JSON NAME
	/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], ""))' \
		"$1" "$2" 2>/dev/null
}

start_sluiced || tap_bail "sluiced did not start: $(tail -3 "$tmp/log")"
vpc=$(field "$(api CreateVpc RegionId=cn-hangzhou CidrBlock=10.0.0.0/16)" VpcId)
vsw=$(field "$(api CreateVSwitch VpcId="$vpc" ZoneId=cn-hangzhou-a CidrBlock=10.0.0.0/16)" VSwitchId)
[[ -n $vsw ]] || tap_bail "CreateVpc/CreateVSwitch failed: $(tail -3 "$tmp/log")"

# acked: addresses of acknowledged instances; refused: addresses refused.
: >"$tmp/acked"
: >"$tmp/refused"
next=0
write_one() { # -> 0 acknowledged, 1 refused (the body in $last)
	local ip=10.0.$((next / 250 + 1)).$((next % 250 + 1))
	next=$((next + 1))
	last=$(api CreateSluiceInstance VSwitchId="$vsw" PrivateIpAddress="$ip")
	if [[ -n $(field "$last" InstanceId) ]]; then
		echo "$ip" >>"$tmp/acked"
		return 0
	fi
	echo "$ip" >>"$tmp/refused"
	return 1
}

# ---- disk full -------------------------------------------------------------------
# Leave ~256 KiB: the WAL grows by a few pages per commit.
avail=$(df -k --output=avail "$state" | tail -1)
dd if=/dev/zero of="$state/filler" bs=1k count=$((avail - 256)) status=none 2>/dev/null
full=0
for ((w = 0; w < 2000; w++)); do
	if ! write_one; then
		full=1
		break
	fi
done
n_acked_full=$(wc -l <"$tmp/acked")
diag "disk full after $n_acked_full acknowledged writes: $(tr -d '\n' <<<"$last" | cut -c1-200)"
check "a full state directory refuses the write (after $n_acked_full acknowledged ones)" \
	test "$full" -eq 1
check "the refusal is HTTP 500 InternalError saying nothing was changed" \
	bash -c '[[ $1 == InternalError && $2 == *"nothing was changed"* ]]' _ \
	"$(field "$last" Code)" "$(field "$last" Message)"
for ((w = 0; w < 5; w++)); do write_one; done
reads=$(field "$(api DescribeVpcs RegionId=cn-hangzhou)" TotalCount)
check "sluiced is still running and still answers reads while the disk is full" \
	bash -c "kill -0 $pid && [[ -n '$reads' ]]"
rm -f "$state/filler"
write_one
check "space returns: the next write is acknowledged without a restart" test $? -eq 0

# ---- kill -9 and restart: what was acknowledged is there, nothing refused ------------
kill -9 "$pid"
wait "$pid" 2>/dev/null
pid=
start_sluiced || tap_bail "sluiced did not restart: $(tail -3 "$tmp/log")"
listing=$(api DescribeSluiceInstances RegionId=cn-hangzhou VSwitchId="$vsw" PageSize=50)
total=$(field "$listing" TotalCount)
: >"$tmp/present"
pages=$(((total + 49) / 50))
for ((p = 1; p <= pages; p++)); do
	api DescribeSluiceInstances RegionId=cn-hangzhou VSwitchId="$vsw" PageSize=50 PageNumber=$p |
		/usr/bin/python3 -c 'import json,sys
for i in json.load(sys.stdin)["Instances"]["Instance"]: print(i["PrivateIpAddress"])' \
			>>"$tmp/present"
done
n_acked=$(wc -l <"$tmp/acked")
diag "acknowledged $n_acked, refused $(wc -l <"$tmp/refused"), present after the restart $total"
check "after kill -9 and a restart: as many instances as acknowledged ($n_acked)" \
	test "$total" -eq "$n_acked"
check "every acknowledged instance is there" \
	bash -c "sort '$tmp/acked' | comm -23 - <(sort '$tmp/present') | (! grep -q .)"
check "no refused instance is there" \
	bash -c "sort '$tmp/refused' | comm -12 - <(sort '$tmp/present') | (! grep -q .)"
check "integrity_check of the database after all that" \
	bash -c "sqlite3 '$state/sluiced.db' 'PRAGMA integrity_check' | grep -qx ok"

# ---- read-only -------------------------------------------------------------------
# A mounted file system cannot be made read-only under open writers (EBUSY),
# so this is the start on a read-only state directory: sluiced refuses to
# start and says why (it does not serve an API that could acknowledge
# nothing); the data plane is not its to stop.
kill "$pid"
wait "$pid" 2>/dev/null
pid=
mount -o remount,ro "$state" || tap_bail "cannot remount read-only"
start_sluiced
rc=$?
sleep 0.2
check "on a read-only state directory sluiced does not start, and the log says why" \
	bash -c "test $rc -ne 0 && grep -q 'read-only file system.*remount it read-write' '$tmp/log'"
mount -o remount,rw "$state" || tap_bail "cannot remount read-write"
start_sluiced
check "read-write again: sluiced starts" test $? -eq 0
write_one
check "... and acknowledges a write" test $? -eq 0

# ---- read-only at run time ---------------------------------------------------------
# The state directory on an ext4 image (loop device, errors=remount-ro), and
# ext4's own error path forced through /sys/fs/ext4/DEV/trigger_fs_error:
# the file system turns read-only under sluiced's open database, as it does
# when a real disk reports an error. Writes are then refused, reads are still
# served; after a kill -9, an e2fsck and a restart, what was acknowledged is
# there and nothing refused.
kill "$pid"
wait "$pid" 2>/dev/null
pid=
umount "$state" && mounted=0
truncate -s 64M "$tmp/ext4.img" && mkfs.ext4 -q -F "$tmp/ext4.img" ||
	tap_bail "cannot make an ext4 image"
mount -o loop,errors=remount-ro "$tmp/ext4.img" "$state" || tap_bail "cannot mount the ext4 image"
mounted=1
chmod 0700 "$state"
loopdev=$(basename "$(findmnt -no SOURCE "$state")")
[[ -w /sys/fs/ext4/$loopdev/trigger_fs_error ]] || tap_bail "no /sys/fs/ext4/$loopdev/trigger_fs_error"
rm -f "$tmp/log" "$tmp/log.old"
start_sluiced || tap_bail "sluiced did not start on ext4: $(tail -3 "$tmp/log")"
vpc=$(field "$(api CreateVpc RegionId=cn-hangzhou CidrBlock=10.0.0.0/16)" VpcId)
vsw=$(field "$(api CreateVSwitch VpcId="$vpc" ZoneId=cn-hangzhou-a CidrBlock=10.0.0.0/16)" VSwitchId)
[[ -n $vsw ]] || tap_bail "CreateVpc/CreateVSwitch failed on ext4: $(tail -3 "$tmp/log")"
: >"$tmp/acked"
: >"$tmp/refused"
next=0
ok_before=0
for ((w = 0; w < 20; w++)); do write_one && ok_before=$((ok_before + 1)); done
echo 1 >"/sys/fs/ext4/$loopdev/trigger_fs_error"
findmnt -no OPTIONS "$state" | grep -q -e '^ro' -e emergency_ro ||
	tap_bail "the file system did not turn read-only: $(findmnt -no OPTIONS "$state")"
refused_ro=0
for ((w = 0; w < 5; w++)); do write_one || refused_ro=$((refused_ro + 1)); done
diag "ext4 read-only after $ok_before acknowledged writes; then: $(tr -d '\n' <<<"$last" | cut -c1-200)"
check "the file system turned read-only under sluiced: all 5 writes refused" \
	test "$refused_ro" -eq 5
check "the refusal is HTTP 500 InternalError saying nothing was changed" \
	bash -c '[[ $1 == InternalError && $2 == *"nothing was changed"* ]]' _ \
	"$(field "$last" Code)" "$(field "$last" Message)"
reads=$(field "$(api DescribeSluiceInstances RegionId=cn-hangzhou VSwitchId="$vsw" PageSize=50)" TotalCount)
check "sluiced still runs and serves reads from the read-only directory ($reads instances)" \
	bash -c "kill -0 $pid && test '$reads' -eq $ok_before"
kill -9 "$pid"
wait "$pid" 2>/dev/null
pid=
# the killed process's files close asynchronously: retry the unmount
for ((i = 0; i < 50; i++)); do
	umount "$state" 2>/dev/null && break
	sleep 0.1
done
((i < 50)) || tap_bail "cannot unmount the ext4 image: $(fuser -vm "$state" 2>&1 | head -5)"
mounted=0
mountpoint -q "$state" && tap_bail "something else is still mounted on $state: $(findmnt "$state")"
e2fsck -fy "$tmp/ext4.img" >"$tmp/fsck" 2>&1
fsck_rc=$?
diag "e2fsck -fy: exit $fsck_rc"
# explicitly read-write: mount would otherwise fall back to read-only quietly
mount -o loop,rw,errors=remount-ro "$tmp/ext4.img" "$state" ||
	tap_bail "cannot mount the repaired image read-write: $(tail -3 "$tmp/fsck")"
mounted=1
findmnt -no OPTIONS "$state" | grep -q '^rw' ||
	tap_bail "the repaired image is mounted $(findmnt -no OPTIONS "$state")"
start_sluiced || tap_bail "sluiced did not restart on the repaired directory: $(tail -3 "$tmp/log")"
api DescribeSluiceInstances RegionId=cn-hangzhou VSwitchId="$vsw" PageSize=50 |
	/usr/bin/python3 -c 'import json,sys
for i in json.load(sys.stdin)["Instances"]["Instance"]: print(i["PrivateIpAddress"])' \
		>"$tmp/present"
check "repaired and restarted: exactly the acknowledged instances are there ($ok_before)" \
	bash -c "test $ok_before -gt 0 && diff <(sort '$tmp/acked') <(sort '$tmp/present') >/dev/null"
check "integrity_check of the database after the read-only episode" \
	bash -c "sqlite3 '$state/sluiced.db' 'PRAGMA integrity_check' | grep -qx ok"
tap_done
