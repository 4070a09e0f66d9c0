#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vm_meta.sh [--debug]: host-tier meta-test of the harness. Boots guests
# with tools/vm-run that load selftests/vm_meta/vm_meta.ko, which provokes
# one real kernel report on load, and checks that vm-run fails each run
# (status 125) with the report in its log, while the same module loaded
# without a fault (the control) passes and modprobe works. On Debian's
# kernel (make check): WARN, a device reference never released, a hung
# task, a soft lockup (its backtrace in the log). With --debug (make
# check-debug), on the debug kernel: those, plus KASAN, lockdep, sleeping
# in atomic context, RCU misuse and a kmemleak leak. Also checks the TAP
# plan accounting of run_guest.sh and check.sh (selftests/tap_plan.awk).

cd "$(dirname "$0")/.." || exit 1
. selftests/lib.sh

debug=0
[ "${1:-}" != --debug ] || debug=1
ktap_header

# tap_plan.awk: results short of the plan, or no plan, are a failure.
plan() { printf "$1" | awk -f selftests/tap_plan.awk; }
check_eq "plan: full plan passes" "$(plan '1..2\nok 1 a\nnot ok 2 b\n')" ""
check_eq "plan: results short of the plan fail" "$(plan '1..3\nok 1 a\nok 2 b\n')" \
	"2 results against a plan of 3"
check_eq "plan: no plan fails" "$(plan 'ok 1 a\n')" "no TAP plan (1 results)"
check_eq "plan: nested results are not counted" \
	"$(plan 'ok 1 a\n  ok 1 x\n  1..1\n1..1\n')" ""

# The module, for the kernel under test, outside the tree's own build.
if [ $debug = 1 ]; then
	entry=$(tools/debug-kernel.sh path) || { fail "debug kernel built"; ktap_finish; }
	kdir=$entry/linux vmopt=-D out=build/debug/meta
	faults="none warn hold hang lockup uaf lockdep sleep rcu leak"
	# A debug boot alone takes 40-90 s under TCG, more beside the guests.
	vmt=1200
else
	kver=${KVER:-$(sh tools/kver.sh)}
	kdir=/lib/modules/$kver/build vmopt= out=build/meta
	faults="none warn hold hang lockup"
	vmt=300
fi
mkdir -p "$out"
cp selftests/vm_meta/Kbuild selftests/vm_meta/vm_meta.c "$out/"
if ! msg=$(make -s -C "$kdir" M="$PWD/$out" modules 2>&1); then
	fail "vm_meta.ko built" "$msg"
	ktap_finish
fi

# meta_lines LOG: what CI prints must say why, the run's own lines.
meta_lines() {
	grep -E 'insmod|vm_meta|BUG:|WARNING:|RESULT:|kmemleak:|vm-run:|debug kernel' "$1" |
		head -20 | sed 's/^/#   /'
}

# expect FAULT STATUS PATTERN GUEST-CMD: vm-run's status and a line of its
# log (the console, with the kernel log vm-run dumps or replays).
expect() {
	f=$1 want=$2 pat=$3
	shift 3
	log=build/vm/meta-$f.log
	tools/vm-run $vmopt -t "$vmt" -l "$log" -- sh -c "$*" >/dev/null 2>&1
	st=$?
	if [ $st = "$want" ] && grep -Eq "$pat" "$log"; then
		ok "vm-run fault=$f: status $want, log has '$pat'"
	else
		fail "vm-run fault=$f: status $want, log has '$pat'" "status $st, see $log"
		meta_lines "$log"
	fi
}

# logged FAULT PATTERN WHAT: one more line that FAULT's log must have.
logged() {
	if grep -Eq "$2" "build/vm/meta-$1.log"; then
		ok "vm-run fault=$1: $3"
	else
		fail "vm-run fault=$1: $3" "no '$2' in build/vm/meta-$1.log"
	fi
}

ko=$PWD/$out/vm_meta.ko
for f in $faults; do
	case $f in
	none)
		# Also: modprobe works for modules and builtins alike (the
		# debug kernel brings its own /lib/modules).
		expect none 0 '^modprobe-ok$' "insmod $ko fault=none && rmmod vm_meta &&
			modprobe -a veth dummy xfrm_user esp4 pktgen &&
			grep -q '^pktgen ' /proc/modules && echo modprobe-ok"
		;;
	warn)
		expect warn 125 'WARNING: .*vm_meta_init' "insmod $ko fault=warn"
		;;
	hold)
		# Its reference never dropped, the device cannot go away.
		expect hold 125 'unregister_netdevice: waiting for vmeta0' \
			"sysctl -qw net.core.netdev_unregister_timeout_secs=1 &&
			 ip link add vmeta0 type dummy &&
			 insmod $ko fault=hold ifname=vmeta0 &&
			 { ip link del vmeta0 & sleep 5; }"
		;;
	hang)
		expect hang 125 'INFO: task insmod:[0-9]+ blocked for more than' \
			"echo 2 > /proc/sys/kernel/hung_task_timeout_secs && insmod $ko fault=hang"
		# The lock's holder may be neither blocked nor running.
		logged hang 'task:kthreadd +state:[SI]' "the panic lists sleeping tasks too"
		;;
	lockup)
		# A CPU stuck for good: softlockup_panic ends the run at once
		# (not at its timeout), the backtrace replayed in its log.
		expect lockup 125 '^\[ *[0-9.]+\] +vm_meta_init\+0x' \
			"echo 1 > /proc/sys/kernel/watchdog_thresh && insmod $ko fault=lockup"
		;;
	uaf)
		expect uaf 125 'BUG: KASAN: [a-z-]*use-after-free in vm_meta_init' "insmod $ko fault=uaf"
		;;
	lockdep)
		expect lockdep 125 'WARNING: possible circular locking dependency' "insmod $ko fault=lockdep"
		;;
	sleep)
		expect sleep 125 'BUG: sleeping function called from invalid context' "insmod $ko fault=sleep"
		;;
	rcu)
		expect rcu 125 'WARNING: suspicious RCU usage' "insmod $ko fault=rcu"
		;;
	leak)
		expect leak 125 '^kmemleak: [1-9][0-9]* new suspected memory leaks' "insmod $ko fault=leak"
		;;
	esac
done
ktap_finish
