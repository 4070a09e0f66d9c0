#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make check` driver, run from the tree top once everything is built: the
# guest tier in QEMU (selftests/run_guest.sh under tools/vm-run, split over
# VM_JOBS guests at once) and, meanwhile, the host tier (HOST_PROGS from
# build/selftests/). Streams the host tier's TAP, then each guest's, and
# ends with "N passed, N failed, N skipped". Only leaf results are counted:
# run_guest.sh adds no result lines of its own.

cd "$(dirname "$0")/.." || exit 1
bin=build/selftests
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# Whole guest tier; make check must stay far under 20 minutes.
: "${VM_TIMEOUT:=900}"

n=0
broken=0
# tier NAME CMD...: run one tier, stream its output and keep a copy. A tier
# that fails without a "not ok" line of its own counts as one failure.
tier() {
	name=$1
	shift
	n=$((n + 1))
	{ "$@" </dev/null 2>&1; echo $? > "$tmp/$n.rc"; } | tee "$tmp/$n.out"
	rc=$(cat "$tmp/$n.rc")
	if [ "$rc" -ne 0 ] && ! grep -Eq '^ *not ok [0-9]+' "$tmp/$n.out"; then
		echo "check: $name exited with status $rc without a failed test" >&2
		broken=$((broken + 1))
	fi
}

wait_tier() { # wait_tier NAME PID: a background tier, reported like tier()
	wait "$2"
	n=$((n + 1))
	tee "$tmp/$n.out" < "$tmp/$1.log"
	rc=$(cat "$tmp/$1.rc")
	if [ "$rc" -ne 0 ] && ! grep -Eq '^ *not ok [0-9]+' "$tmp/$n.out"; then
		echo "check: guest tier $1 exited with status $rc without a failed test" >&2
		broken=$((broken + 1))
	fi
}

# The guest tests, split round-robin over VM_JOBS guests that run at once
# (most tests wait on timers and traffic, so two guests share two cores
# well), started before the host tier so that it overlaps them too.
: "${VM_JOBS:=2}"
tests=$(sed -n 's/^TEST_\(GEN_\)\{0,1\}PROGS[[:space:]]*[:+]\{0,1\}=//p' selftests/Makefile)
pids=
g=0
while [ $g -lt "$VM_JOBS" ]; do
	# One word a line; this guest takes every VM_JOBS-th, from the g-th.
	# shellcheck disable=SC2086 # the test names are words
	group=$(printf '%s\n' $tests | awk -v g=$g -v n="$VM_JOBS" '(NR - 1) % n == g')
	# shellcheck disable=SC2086 # the test names are words
	( tools/vm-run -l "build/vm/console-$g.log" -t "$VM_TIMEOUT" -- \
		sh selftests/run_guest.sh $group </dev/null >"$tmp/g$g.log" 2>&1
	  echo $? >"$tmp/g$g.rc" ) &
	pids="$pids $!"
	g=$((g + 1))
done
# shellcheck disable=SC2086 # a list of pids
trap 'kill $pids 2>/dev/null; exit 130' INT TERM

progs=$(sed -n 's/^HOST_PROGS[[:space:]]*[:+]\{0,1\}=//p' selftests/Makefile)
for p in $progs; do
	if [ -x "$bin/$p" ]; then
		tier "$p" "$bin/$p"
	else
		echo "check: $bin/$p is not built" >&2
		broken=$((broken + 1))
	fi
done
g=0
for pid in $pids; do
	wait_tier "g$g" "$pid"
	g=$((g + 1))
done

cat "$tmp"/*.out | awk -v broken="$broken" '
	/^ *not ok [0-9]+/ { failed++; next }
	/^ *ok [0-9]+/ { if (/# SKIP/) skipped++; else passed++ }
	END {
		failed += broken
		printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
		if (passed + skipped + failed == 0)
			print "check: no tests ran" > "/dev/stderr"
		exit failed || passed + skipped == 0
	}'
