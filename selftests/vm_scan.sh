#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vm_scan.sh: host-tier test of how tools/vm-run judges a guest's console
# log, without a guest (vm-run -s): a report anywhere in a long log fails
# the run, a clean log of the same size passes, and the debug kernel's
# filter leaves out only what it means to (a fault-injection allocation
# trace, 6.1's nf_tables RCU-list report), never a report after them.
# The long logs are the case a pipe through "grep -q" once got wrong: grep
# stopped at an early report, the writer died of SIGPIPE, and under
# pipefail the report was missed.

cd "$(dirname "$0")/.." || exit 1
. selftests/lib.sh

ktap_header
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# filler N: N kernel log lines that report nothing.
filler() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
		printf "[%5d.%06d] dfc: port eth%d attached, line %d\n", i / 1000, i % 1000, i % 8, i }'
}
warn='[    2.000000] WARNING: CPU: 0 PID: 1 at kmod/dfc_main.c:10 dfc_init+0x1/0x2'

# judge NAME WANT [-D]: vm-run -s on $dir/NAME.log gives status WANT, and a
# failure says why.
judge() {
	name=$1 want=$2
	shift 2
	tools/vm-run "$@" -s "$dir/$name.log" >/dev/null 2>"$dir/$name.err"
	st=$?
	if [ $st = "$want" ] && { [ "$want" = 0 ] || grep -Eq '^(vm-run|usage): ' "$dir/$name.err"; }; then
		ok "vm-run ${*:+$* }-s: $name gives $want"
	else
		fail "vm-run ${*:+$* }-s: $name gives $want" "status $st: $(head -3 "$dir/$name.err")"
	fi
}

filler 200000 > "$dir/clean.log"
{ echo "$warn"; filler 200000; } > "$dir/report-first.log"
{ filler 200000; echo "$warn"; } > "$dir/report-last.log"
{ filler 1000; echo 'kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)'; } \
	> "$dir/leak.log"
{ filler 1000; echo 'kmemleak: 0 new suspected memory leaks'; } > "$dir/noleak.log"
for d in "" -D; do
	judge clean 0 $d
	judge report-first 125 $d
	judge report-last 125 $d
	judge leak 125 $d
	judge noleak 0 $d
done
if grep -q 'dfc_init+0x1/0x2' "$dir/report-first.err"; then
	ok "vm-run -s: the report is printed"
else
	fail "vm-run -s: the report is printed" "$(head -3 "$dir/report-first.err")"
fi

# The debug kernel's filter. An allocation that failed on purpose, its
# trace up to </TASK>: left out there, a report on Debian's kernel.
alloc='[    3.000000] fault_nl: page allocation failure: order:0, mode:0x400cc0
[    3.000001] CPU: 0 PID: 90 Comm: fault_nl
[    3.000002] Call Trace:
[    3.000003]  <TASK>
[    3.000004]  warn_alloc+0x1/0x2
[    3.000005]  </TASK>'
{ filler 100; echo "$alloc"; filler 100; } > "$dir/alloc.log"
judge alloc 0 -D
judge alloc 125
# A report within the trace's window but after its end is kept.
{ echo "$alloc"; echo "$warn"; filler 100; } > "$dir/alloc-then-report.log"
judge alloc-then-report 125 -D
# A report that starts inside a trace cut short (no </TASK>) is kept.
{ echo "$alloc" | sed '$d'; echo "$warn"; filler 100; } > "$dir/alloc-cut.log"
judge alloc-cut 125 -D
# 6.1's own RCU-list report from nft_set_lookup(): left out; any other
# suspicious RCU usage, even beside it, fails.
rcu='[    4.000000] =============================
[    4.000001] WARNING: suspicious RCU usage
[    4.000002] 6.1.0 #1 Not tainted
[    4.000003] -----------------------------'
{ echo "$rcu"; echo '[    4.000004] net/netfilter/nf_tables_api.c:4122 RCU-list traversed in non-reader section!!'; filler 100; } \
	> "$dir/nft-rcu.log"
judge nft-rcu 0 -D
{ echo "$rcu"; echo '[    4.000004] kmod/dfc_table.c:77 RCU-list traversed in non-reader section!!'; filler 100; } \
	> "$dir/dfc-rcu.log"
judge dfc-rcu 125 -D

# Not a log: a usage error, not a pass.
judge missing 125
ktap_finish
