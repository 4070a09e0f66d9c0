#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check.sh [--debug]: the test driver, run from the tree top once everything
# is built.
#
# `make check`: the guest tier in QEMU on Debian's kernel
# (selftests/run_guest.sh under tools/vm-run, split over VM_JOBS guests at
# once) and, meanwhile, the host tier (HOST_PROGS from build/selftests/).
# `make check-debug` (--debug): the same guest tests, then the DEBUG_PROGS,
# on the debug kernel (tools/debug-kernel.sh, vm-run -D), with no host tier.
# Streams the host tier's TAP, then each guest's, and ends with
# "N passed, N failed, N skipped". Counted as failed besides "not ok" lines:
# each "harness failure" (timeout, results short of the plan, rmmod), a test
# that exits non-zero without a failed result, and a guest whose vm-run
# reports a kernel problem (WARN, KASAN, lockdep, leak...) or a timeout.

cd "$(dirname "$0")/.." || exit 1
bin=build/selftests
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

debug=0
[ "${1:-}" != --debug ] || debug=1

if [ $debug = 1 ]; then
	vmopt=-D
	# TCG + KASAN + lockdep + kmemleak: several times slower per test.
	# At least twice what the guest's tests cost there (below).
	: "${VM_TIMEOUT:=3600}"
	# The host tier is make check's; only the harness meta-test, on the
	# debug kernel's own reports.
	progs=vm_meta.sh hostarg=--debug
else
	vmopt=
	# Per guest, for its whole share of the guest tier (about 14 minutes
	# each on an idle 2-core machine); a loaded host needs the margin.
	: "${VM_TIMEOUT:=1500}"
	progs=$(sed -n 's/^HOST_PROGS[[:space:]]*[:+]\{0,1\}=//p' selftests/Makefile)
	hostarg=
fi

n=0
broken=0
# tier NAME CMD...: run one host test, stream its output and keep a copy,
# framed like run_guest.sh frames guest tests.
tier() {
	name=$1
	shift
	n=$((n + 1))
	{
		echo "# selftests: dfc: $name"
		{ "$@" </dev/null 2>&1; echo $? > "$tmp/$n.rc"; } | tee "$tmp/$n.tap"
		rc=$(cat "$tmp/$n.rc")
		why=$(awk -f selftests/tap_plan.awk "$tmp/$n.tap")
		[ -z "$why" ] || echo "# $name: harness failure: $why"
		echo "# $name: exit status $rc"
	} | tee "$tmp/$n.out"
}

wait_tier() { # wait_tier NAME PID: a guest, after it ends
	wait "$2"
	n=$((n + 1))
	tee "$tmp/$n.out" < "$tmp/$1.log"
	rc=$(cat "$tmp/$1.rc")
	# run_guest.sh exits 1 when a test failed; anything else comes from
	# vm-run: a kernel report, a timeout, a harness error.
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		echo "check: guest $1: vm-run exited with status $rc (see $(sed -n 's/^vm-run: .*see //p' "$tmp/$1.log" | tail -1))" >&2
		broken=$((broken + 1))
	fi
}

# The guest tests, split over VM_JOBS guests that run at once (most tests
# wait on timers and traffic, so two guests share two cores well), started
# before the host tier so that it overlaps them too. The debug tests run
# after the others in their guest. The split balances what each test costs
# on this kernel (selftests/guest_times): longest first, each to the guest
# with the least so far, so that the guests end together.
: "${VM_JOBS:=2}"
list() { sed -n "s/^$1[[:space:]]*[:+]\{0,1\}=//p" selftests/Makefile; }
tests=$(list TEST_GEN_PROGS; list TEST_PROGS)
[ $debug = 0 ] || tests="$tests $(list DEBUG_PROGS)"
# DEBUG_BUDGET=S (with --debug; CI sets it from the time it has left):
# the guests must end within S seconds, so only the tests whose costs fit
# run, DEBUG_FIRST (selftests/Makefile) first in its order, then the others
# cheapest first; each is counted as skipped if it does not fit.
budget=0
if [ $debug = 1 ] && [ -n "${DEBUG_BUDGET:-}" ]; then
	budget=$DEBUG_BUDGET
	case $budget in '' | *[!0-9]*)
		echo "check: DEBUG_BUDGET must be a number of seconds" >&2
		exit 2 ;;
	esac
	VM_TIMEOUT=$budget
fi
# One "GUEST NAME COST" line per test, or "skip NAME COST" past the budget.
# A guest's boot and final kmemleak scan count vmcost beside its tests, and
# the tests fill only 60 % of the budget: beside two guests, vm_meta.sh's
# guests make three on two cores, where a test took up to 1.7 times its
# cost in guest_times (measured beside one guest).
# shellcheck disable=SC2086 # the test names are words
split=$(printf '%s\n' $tests | awk -v n="$VM_JOBS" -v col=$((2 + debug)) \
	-v budget="$budget" -v first="$(list DEBUG_FIRST)" -v vmcost=180 '
	NR == FNR { if ($1 !~ /^#/ && NF >= 3) cost[$1] = $col; next }
	NF { name[++k] = $1; c[k] = ($1 in cost) ? cost[$1] : 60 }
	END {
		nf = split(first, f)
		for (i = 1; i <= nf; i++)
			rank[f[i]] = i
		# Without a budget, longest first; with one, DEBUG_FIRST in its
		# order, then cheapest first.
		for (i = 1; i <= k; i++)
			for (j = i + 1; j <= k; j++)
				if (budget ? before(j, i) : c[j] > c[i]) {
					t = c[i]; c[i] = c[j]; c[j] = t
					t = name[i]; name[i] = name[j]; name[j] = t
				}
		for (i = 1; i <= k; i++) {
			g = 0
			for (h = 1; h < n; h++)
				if (load[h] < load[g])
					g = h
			if (budget && vmcost + load[g] + c[i] > budget * 0.6) {
				print "skip", name[i], c[i]
				continue
			}
			load[g] += c[i]
			print g, name[i], c[i]
		}
	}
	function before(a, b,   ra, rb) {
		ra = (name[a] in rank) ? rank[name[a]] : 1e9
		rb = (name[b] in rank) ? rank[name[b]] : 1e9
		return ra != rb ? ra < rb : c[a] < c[b]
	}' selftests/guest_times -)
skipped=$(echo "$split" | awk '$1 == "skip" { print $2 }')
guests=""
g=0
while [ $g -lt "$VM_JOBS" ]; do
	group=$(echo "$split" | awk -v g=$g '$1 == g { print $2 }')
	if [ -z "$group" ]; then
		# Nothing fitted this guest's share of the budget (without one,
		# every guest gets a test when there are enough).
		g=$((g + 1))
		continue
	fi
	# Debug guests: one CPU unless a test needs two (selftests/Makefile).
	smp=2
	if [ $debug = 1 ]; then
		smp=1
		for p in $group; do
			case " $(list TWO_CPU_PROGS) " in *" $p "*) smp=2 ;; esac
		done
	fi
	# The debug guests' share can exceed VM_TIMEOUT: give each twice its
	# cost (selftests/guest_times), if that is more.
	t=$VM_TIMEOUT
	if [ $debug = 1 ] && [ "$budget" = 0 ]; then
		est=$(echo "$split" | awk -v g=$g '$1 == g { s += $3 } END { print s * 2 }')
		[ "$est" -le "$t" ] || t=$est
	fi
	# shellcheck disable=SC2086 # one line
	echo "# guest $g ($smp CPUs, at most $t s):" $group
	# shellcheck disable=SC2086 # the test names are words
	( VM_SMP=$smp tools/vm-run $vmopt -l "build/vm/console-$g.log" -t "$t" -- \
		sh selftests/run_guest.sh $group </dev/null >"$tmp/g$g.log" 2>&1
	  echo $? >"$tmp/g$g.rc" ) &
	guests="$guests g$g:$!"
	g=$((g + 1))
done
trap 'for gp in $guests; do kill "${gp#*:}" 2>/dev/null; done; exit 130' INT TERM

for p in $progs; do
	if [ "${p%.sh}" != "$p" ]; then
		# shellcheck disable=SC2086 # an optional argument
		tier "$p" sh "selftests/$p" $hostarg
	elif [ -x "$bin/$p" ]; then
		tier "$p" "$bin/$p"
	else
		echo "check: $bin/$p is not built" >&2
		broken=$((broken + 1))
	fi
done
# Past DEBUG_BUDGET: one skipped result each, in a tier of their own.
if [ -n "$skipped" ]; then
	n=$((n + 1))
	{
		echo "# selftests: dfc: debug-budget"
		i=0
		for p in $skipped; do
			i=$((i + 1))
			echo "ok $i $p # SKIP does not fit DEBUG_BUDGET=$budget s"
		done
		echo "# debug-budget: exit status 0"
	} | tee "$tmp/$n.out"
fi
for gp in $guests; do
	wait_tier "${gp%%:*}" "${gp#*:}"
done

# Per test (between "# selftests: dfc: NAME" and "# NAME: exit status R"):
# a non-zero status without any failed result is a failure of its own.
cat "$tmp"/*.out | awk -v broken="$broken" '
	/^# selftests: dfc: / { name = $4; nfail = 0; open = 1; next }
	/^ *not ok [0-9]+/ { failed++; nfail++; next }
	/^ *ok [0-9]+/ { if (/# SKIP/) skipped++; else passed++; next }
	/^# [^ ]+: harness failure: / { failed++; nfail++; next }
	open && $0 ~ "^# " name ": exit status [0-9]+$" {
		open = 0
		if ($NF != 0 && nfail == 0) {
			print "check: " name " exited with status " $NF " without a failed test" > "/dev/stderr"
			failed++
		}
		next
	}
	END {
		failed += broken
		printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
		if (passed + skipped + failed == 0)
			print "check: no tests ran" > "/dev/stderr"
		exit failed || passed + skipped == 0
	}'
