#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every dfc command, and the copy path, under allocation failures (debug
# kernel: failslab, fail_page_alloc, fail-nth). For each command, the N-th
# allocation of the sending task fails, N = 1, 2, ... until the command
# runs past all of them; then the same by size through failslab and
# fail_page_alloc with task-filter and make-it-fail. Each must answer a
# clean error (ENOMEM, or an answer lost for want of memory) and leave the
# state as it was, or as a fault-free run leaves it (selftests/fault_nl.c).
# The copy path allocates in softirq: faults there come from a bounded
# times with a probability during a burst, and every matched frame must be
# a copy or a counted drop. Then kmemleak must find nothing new.
# FAULT_MODES chooses the modes (default all); make check-debug runs them
# as three tests, each with its own timeout: fault_nth.sh, fault_size.sh,
# fault_copy.sh.

. "$(dirname "$0")/lib.sh"
HELPER=$TOP/build/selftests/fault_nl
D=/sys/kernel/debug

ktap_header
mountpoint -q $D || mount -t debugfs debugfs $D 2>/dev/null
if [ ! -d $D/failslab ] || [ ! -d $D/fail_page_alloc ] ||
	[ ! -e /proc/self/fail-nth ] || [ ! -e /proc/self/make-it-fail ]; then
	skip "fault injection" "kernel without FAILSLAB, FAIL_PAGE_ALLOC and FAULT_INJECTION_DEBUG_FS"
	ktap_finish
fi
dfc_load || { fail "insmod $DFC_KO"; ktap_finish; }
trap cleanup_ns EXIT
setup_ns NS
if ! { ip -n "$NS" link add v0 mtu 9000 type veth peer name v1 mtu 9000 &&
	ip -n "$NS" link set v0 up && ip -n "$NS" link set v1 up &&
	ip -n "$NS" link add d0 mtu 9000 type dummy && ip -n "$NS" link set d0 up &&
	ip -n "$NS" route add 198.51.100.0/24 dev d0; }; then
	fail "devices"
	ktap_finish
fi

kml=$D/kmemleak
[ -w $kml ] && echo clear > $kml

# run MODE: one result line per command (or per copy burst) from the helper.
# ip netns exec mounts the namespace's own sysfs over /sys, hiding the
# debugfs (the fault knobs) under it: mount it again in there. The helper's
# lines are shown as they come, as comments (a mode takes many minutes on
# the debug kernel; a timeout must not hide how far it got), and counted
# once it is done.
run() {
	{
		# shellcheck disable=SC2016 # expanded by the inner shell
		ip netns exec "$NS" sh -c 'mountpoint -q "$1" || mount -t debugfs debugfs "$1" &&
			shift && exec "$@"' sh "$D" "$HELPER" "$1" "$INJECT" 2>&1
		echo $? > "$tmp.rc"
	} | tee "$tmp" | sed -u "s/^#* */# $1: /"
	rc=$(cat "$tmp.rc")
	while IFS= read -r line; do
		case $line in
		"PASS "*) ok "$1: ${line#PASS }" ;;
		"FAIL "*) fail "$1: ${line#FAIL }" ;;
		esac
	done < "$tmp"
	if [ "$rc" -ne 0 ] && ! grep -q '^FAIL' "$tmp"; then
		fail "fault_nl $1 exited with status $rc"
	fi
}
tmp=$(mktemp)
for mode in ${FAULT_MODES:-dry nth slab page copy}; do
	run "$mode"
done
rm -f "$tmp" "$tmp.rc"

cleanup_ns
dfc_unload || fail "rmmod dfc after fault injection"

# Leaks: kmemleak reports objects older than 5 s, after two scans.
if [ -w $kml ]; then
	sleep 6
	echo scan > $kml; echo scan > $kml
	n=$(grep -c '^unreferenced object' $kml)
	echo "# kmemleak: $n new suspected memory leaks"
	if [ "$n" -eq 0 ]; then
		ok "no leak after fault injection (kmemleak)"
	else
		fail "no leak after fault injection (kmemleak)" "$(head -60 $kml)"
	fi
else
	skip "no leak after fault injection" "kmemleak not available"
fi
ktap_finish
