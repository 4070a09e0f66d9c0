#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest tier of `make check`: runs inside the vm-run guest as root from the
# tree top. Runs every TEST_GEN_PROGS binary and TEST_PROGS script listed in
# selftests/Makefile (or only those named as arguments), one after another.
# Each test prints its own TAP; we add only "# " comments, so that
# tools/check.sh counts leaf results only.

top=${DFC_TOP:-$(pwd)}
bin=$top/build/selftests
: "${DFC_KO:=$top/dfc.ko}"
export DFC_KO DFC_TOP="$top"

# Per-test timeout, kselftest style.
t=$(sed -n 's/^timeout=//p' "$top/selftests/settings" 2>/dev/null)
: "${t:=300}"

# list VAR: the words of VAR in selftests/Makefile (":=", "=" or "+=").
list() {
	sed -n "s/^$1[[:space:]]*[:+]\{0,1\}=//p" "$top/selftests/Makefile"
}

rc=0
run() {
	name=${1##*/}
	# Arguments, if any, choose the tests to run.
	if [ -n "$only" ] && ! echo " $only " | grep -q " $name "; then
		return
	fi
	# Each test loads the module itself.
	rmmod dfc 2>/dev/null
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
	# shellcheck disable=SC2086 # the interpreter may have arguments
	timeout -k 10 "$t" ${interp:-} "$1" </dev/null
	r=$?
	[ $r -ne 124 ] || echo "# $name: timeout after $t s"
	echo "# $name: exit status $r"
	[ $r -eq 0 ] || rc=1
}

only="$*"
for p in $(list TEST_GEN_PROGS); do
	run "$bin/$p"
done
for p in $(list TEST_PROGS); do
	run "$top/selftests/$p"
done
# Unloading last catches leaks and WARNs on module exit.
rmmod dfc 2>/dev/null
exit $rc
