#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest tier of `make check` and `make check-debug`: runs inside the vm-run
# guest as root from the tree top. Runs every TEST_GEN_PROGS binary and
# TEST_PROGS script listed in selftests/Makefile, then on the debug kernel
# (DFC_DEBUG=1, set by vm-run -D) the DEBUG_PROGS, one after another (only
# those named as arguments, if any). Each test prints its own TAP; we add
# only "# " comments, so that tools/check.sh counts leaf results only, and
# "# NAME: harness failure: WHY" when a test fails in a way its TAP cannot
# say: a timeout, results short of its plan (it died early), or dfc.ko that
# cannot be unloaded after it. tools/check.sh counts each of those as a
# failed test.

top=${DFC_TOP:-$(pwd)}
bin=$top/build/selftests
: "${DFC_KO:=$top/dfc.ko}"
: "${DFC_DEBUG:=0}"
export DFC_KO DFC_TOP="$top" DFC_DEBUG

# Per-test timeout, kselftest style. The debug kernel (KASAN, lockdep,
# kmemleak under TCG) runs everything several times slower: tests scale
# their own waits by DFC_SLOW (lib.sh), the runner its timeout. It is there
# for kernel reports, not rates: tests divide their volume (frames,
# criteria, repetitions) by DFC_SHRINK (lib.sh's shrink, dfc_shrink()).
t=$(sed -n 's/^timeout=//p' "$top/selftests/settings" 2>/dev/null)
: "${t:=300}"
if [ "$DFC_DEBUG" = 1 ]; then
	: "${DFC_SLOW:=4}" "${DFC_SHRINK:=10}"
else
	: "${DFC_SLOW:=1}" "${DFC_SHRINK:=1}"
fi
export DFC_SLOW DFC_SHRINK
t=$((t * DFC_SLOW))

# list VAR: the words of VAR in selftests/Makefile (":=", "=" or "+=").
list() {
	sed -n "s/^$1[[:space:]]*[:+]\{0,1\}=//p" "$top/selftests/Makefile"
}

out=$(mktemp) || exit 1
trap 'rm -f "$out" "$out.rc"' EXIT

rc=0
harness() { # harness NAME WHY
	echo "# $1: harness failure: $2"
	rc=1
}

run() {
	name=${1##*/}
	# Arguments, if any, choose the tests to run.
	if [ -n "$only" ] && ! echo " $only " | grep -q " $name "; then
		return
	fi
	ran="$ran $name"
	# Each test loads the module itself.
	[ ! -d /sys/module/dfc ] || rmmod dfc 2>/dev/null
	if [ ! -f "$1" ]; then
		echo "not ok 1 $name # not built"
		rc=1
		return
	fi
	echo "# selftests: dfc: $name"
	# Like kselftest's runner, run a non-executable script with its shebang.
	interp=
	if [ ! -x "$1" ]; then
		interp=$(sed -n '1s/^#!//p' "$1")
		: "${interp:=sh}"
	fi
	t0=$(date +%s)
	hung=$(cat /proc/sys/kernel/hung_task_timeout_secs 2>/dev/null)
	# shellcheck disable=SC2086 # the interpreter may have arguments
	{ timeout -k 10 "$t" ${interp:-} "$1" </dev/null 2>&1; echo $? > "$out.rc"; } | tee "$out"
	r=$(cat "$out.rc")
	# A test killed before it could restore the hung-task timeout it
	# raised (stress.sh) leaves the next one the guest's own.
	[ -z "$hung" ] || echo "$hung" > /proc/sys/kernel/hung_task_timeout_secs
	# What each test costs on this kernel, for the debug run's budget.
	echo "# $name: took $(($(date +%s) - t0)) s"
	[ "$r" -ne 124 ] || harness "$name" "timeout after $t s"
	why=$(awk -f "$top/selftests/tap_plan.awk" "$out")
	[ -z "$why" ] || harness "$name" "$why"
	# A module that stays pinned after its test is a refcount leak.
	if [ -d /sys/module/dfc ] && ! err=$(rmmod dfc 2>&1); then
		harness "$name" "rmmod dfc failed: $err"
	fi
	echo "# $name: exit status $r"
	[ "$r" -eq 0 ] || rc=1
}

only="$*" ran=
for p in $(list TEST_GEN_PROGS); do
	run "$bin/$p"
done
for p in $(list TEST_PROGS); do
	run "$top/selftests/$p"
done
if [ "$DFC_DEBUG" = 1 ]; then
	for p in $(list DEBUG_PROGS); do
		case $p in
		*.sh) run "$top/selftests/$p" ;;
		*) run "$bin/$p" ;;
		esac
	done
fi
# A test named that is in no list ran nothing: say so, never pass.
for n in $only; do
	echo " $ran " | grep -q " $n " || harness "$n" "no such test in selftests/Makefile"
done
exit $rc
