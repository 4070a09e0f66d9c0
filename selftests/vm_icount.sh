#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vm_icount.sh: host-tier test of tools/vm-run's instruction counting
# (VM_ICOUNT=1, what the benchmarks use for counts that repeat). It is
# refused with two CPUs or a bad value; a guest booted with it has one
# CPU, sees vmicount=1 on its command line, and its clock counts
# instructions: a loop of 2 * N instructions takes 2 * N ns, for two N.

cd "$(dirname "$0")/.." || exit 1
. selftests/lib.sh

ktap_header
out=build/icount
mkdir -p "$out"
if ! msg=$(${CC:-cc} -O2 -Wall -Wextra -Werror -o "$out/icount_loop" selftests/icount_loop.c 2>&1); then
	fail "icount_loop built" "$msg"
	ktap_finish
fi

# refused SETTINGS...: vm-run exits 125 before any boot, saying why.
refused() {
	msg=$(env VM_ACCEL='' VM_DEBUG=0 "$@" tools/vm-run -t 60 -l "$out/refused.log" -- true 2>&1)
	rc=$?
	check_eq "$* refused (status)" "$rc" 125
	case $msg in
	*VM_*) ok "$* refused: $msg" ;;
	*) fail "$* refused with a reason" "$msg" ;;
	esac
}
refused VM_ICOUNT=1 VM_SMP=2
refused VM_ICOUNT=2

# Whatever the caller's environment asks of vm-run, this boot is the plain one.
res=$(VM_ICOUNT=1 VM_SMP=1 VM_ACCEL='' VM_DEBUG=0 tools/vm-run -t 600 -l "$out/console.log" -- \
	sh -c "nproc; grep -o vmicount=1 /proc/cmdline; $out/icount_loop 100000000; \
	$out/icount_loop 300000000" 2>&1)
check_eq "guest booted (status)" "$?" 0
# shellcheck disable=SC2046 # the guest's four lines, one word each
set -- $(printf '%s\n' "$res" | grep -Ev '^(vm-run|RESULT)' | tail -n 4)
check_eq "one CPU" "${1:-}" 1
check_eq "vmicount=1 on the guest's command line" "${2:-}" vmicount=1
# within: the loop's time is 2 * N ns, and at most 3 % more (interrupts).
within() {
	awk -v t="${1:-0}" -v i="$2" 'BEGIN { exit !(t >= i && t <= i * 1.03) }'
}
# loop_time NS INSNS: the loop of INSNS instructions took NS ns.
loop_time() {
	if within "$1" "$2"; then
		ok "$2 instructions take $2 ns ($1)"
	else
		fail "$2 instructions take $2 ns" "${1:-no figure}: $res"
	fi
}
loop_time "${3:-}" 200000000
loop_time "${4:-}" 600000000
ktap_finish
