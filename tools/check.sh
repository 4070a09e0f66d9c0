#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make check` driver, run from the tree top once everything is built: the
# host tier (HOST_PROGS from build/selftests/), then the guest tier in QEMU
# (selftests/run_guest.sh under tools/vm-run). Streams all TAP output and
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

progs=$(sed -n 's/^HOST_PROGS[[:space:]]*[:+]\{0,1\}=//p' selftests/Makefile)
for p in $progs; do
	if [ -x "$bin/$p" ]; then
		tier "$p" "$bin/$p"
	else
		echo "check: $bin/$p is not built" >&2
		broken=$((broken + 1))
	fi
done
tier "guest tier (tools/vm-run)" tools/vm-run -t "$VM_TIMEOUT" -- sh selftests/run_guest.sh

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
