#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench-dtcp: how fast dtcpd installs criteria, in the guest.
#
#   cs: c0 192.0.2.1 ---veth--- d0 192.0.2.2 :mon (dtcpd, dfc.ko)
#
# dtcpc sends N authenticated ADDs (each signed, answered, verified) with
# one request in flight (latency: p50/p99); then, in the same VM run, the
# same count of elements goes into an nft set with `nft add element` in
# batches of B. Then R rounds, in turn: N ADDs with a window of W, N ADDs
# with the whole Seq window in flight (256), and the N elements in one nft
# transaction; best of each. The ratios are dtcpd's ADD rate over nft's
# element rate: under TCG a rate moves by a third between runs of one
# boot, so each is set against the runs beside it, never against one lone
# run. It also prints the kernel memory each criterion takes, added this
# way (table_mem over crits). Last, R runs at window W against the floor
# (tools/bench_dtcp_floor.c, DTCP_FLOOR): a server that only checks each
# request's HMAC and answers it signed, the least any DTCP server does
# per request, set beside nft and dtcpd.
#
# DTCP_BENCH_N (5000), DTCP_BENCH_W (64), DTCP_BENCH_B (100),
# DTCP_BENCH_ROUNDS (3).
# DTCP_BENCH_PERF=1: one more window-W run, under `perf record` on both
# CPUs, profiled into build/bench/dtcp-perf.txt (by process, by symbol,
# the busiest symbols' callers).
# DTCP_BENCH_BASE=path: another dtcpd (an older build) against this one,
# in the same boot: DTCP_BENCH_BASE_ROUNDS (3) window-W runs each, in
# turn, best of each.
# DTCP_BENCH_PIN=1: dtcpd on CPU 0, dtcpc on CPU 1 (taskset).
# Under instruction counting (VM_ICOUNT=1 make bench-dtcp: tools/vm-run),
# guest time counts instructions on one CPU, which dtcpc, dtcpd and nft
# share: a rate counts the client's instructions too, so it also prints
# dtcpd's own instructions per ADD (its CPU time) beside nft's per
# element (the whole transaction: nft itself and the kernel's work).
. "$(dirname "$0")/lib.sh"

DTCPD=${DTCPD:-$TOP/build/dtcpd}
DTCPC=${DTCPC:-$TOP/build/dtcpc}
FLOOR=${DTCP_FLOOR:-$TOP/build/bench_dtcp_floor}
N=${DTCP_BENCH_N:-5000}
W=${DTCP_BENCH_W:-64}
B=${DTCP_BENCH_B:-100}
R=${DTCP_BENCH_ROUNDS:-3}
WMAX=256	# the Seq window: no source has more requests in flight
T=$(mktemp -d /tmp/dtcpb.XXXXXX)
DPID=

cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	cleanup_ns
	rm -rf "$T"
}
trap cleanup EXIT
ktap_header
dfc_unload 2>/dev/null
command -v nft >/dev/null || { skip "bench-dtcp" "nft not installed (nftables)"; ktap_finish; }

setup_ns CS MON
ip link add c0 netns "$CS" type veth peer name d0 netns "$MON" || { fail "topology"; ktap_finish; }
ip -n "$CS" addr add 192.0.2.1/24 dev c0
ip -n "$MON" addr add 192.0.2.2/24 dev d0
ip -n "$CS" link set c0 up
ip -n "$MON" link set d0 up
check "module loads" insmod "$DFC_KO"
umask 077	# the configuration holds a shared-key
cat > "$T/dtcpd.conf" <<EOF
state-file = "$T/state";
control-socket = "$T/ctl.sock";
capture-group = ( { name = "g1";
  content-destination = ( { id = "cd1"; address = "192.0.2.1"; } );
  control-source = ( { id = "cs1"; source-addresses = [ "192.0.2.1" ]; service-port = 2400;
    shared-key = "bench-key"; } ); } );
EOF
PIN0=
PIN1=
ICOUNT=
guest_icount && ICOUNT=1
if [ "${DTCP_BENCH_PIN:-0}" = 1 ] && [ -z "$ICOUNT" ]; then
	PIN0="taskset -c 0"
	PIN1="taskset -c 1"
fi
start_dtcpd() {
	rm -f "$T/ctl.sock"
	ip netns exec "$MON" $PIN0 "$1" -f -c "$T/dtcpd.conf" </dev/null >"$T/dtcpd.log" 2>&1 &
	DPID=$!
	for _ in $(seq 50); do [ -S "$T/ctl.sock" ] && break; sleep 0.1; done
}
# dtcpd's time on a CPU so far, in ns (user and kernel): steadier than a rate.
cpu_ns() { cut -d' ' -f1 "/proc/$DPID/schedstat"; }
stop_dtcpd() {
	kill "$DPID" && wait "$DPID"
	DPID=
}
start_dtcpd "$DTCPD"
dc() { ip netns exec "$CS" $PIN1 "$DTCPC" -s 192.0.2.2 -p 2400 -i cs1 -k bench-key -S "$T/seq" "$@"; }
val() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
now_ns() { date +%s%N; }
# Warm up (page in, first allocations).
warm() { dc bench -N 200 -W 8 >/dev/null && dc DELETE Criteria-ID='*' Flags=Static >/dev/null; }
# N ADDs at window $1 (W): dtcpc bench's line, and dtcpd's CPU time per ADD.
rate_run() {
	c0=$(cpu_ns)
	out=$(dc bench -N "$N" -W "${1:-$W}")
	c1=$(cpu_ns)
	echo "$out dtcpd_cpu_us_per_add=$(((c1 - c0) / N / 1000)) dtcpd_cpu_ns_per_add=$(((c1 - c0) / N))"
}
# rate LINE: its ADDs per second (0 if none).
rate_of() { v=$(val "$1" adds_per_s); echo "${v:-0}"; }
# best_of LINE NAME: the variable NAME keeps whichever of it and LINE has the higher rate.
best_of() {
	eval "cur=\$$2"
	[ "$(rate_of "$1")" -gt "$(rate_of "$cur")" ] && eval "$2=\$1"
	return 0
}
# ratio A B: A over B, 3 decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b ? a / b : 0 }'; }

warm
lat=$(dc bench -N "$N" -W 1)
check_eq "latency run: $N ADDs answered and verified" "$(val "$lat" ok)" "$N"
dc DELETE Criteria-ID='*' Flags=Static >/dev/null
rate=$(rate_run)
check_eq "rate run (window $W): $N ADDs answered and verified" "$(val "$rate" ok)" "$N"
# Kernel memory per criterion added the dtcpd way: the table, the
# criterion, its limits and its blob (the DTCP form), as dfc.ko counts it.
st=$(ip netns exec "$MON" "$DFCCTL" -j stats)
crits=$(echo "$st" | jq .crits)
check_eq "rate run: $N criteria in the kernel" "$crits" "$N"
mem=$(echo "$st" | jq '.table_mem / .crits | . * 10 | round / 10')
dc DELETE Criteria-ID='*' Flags=Static >/dev/null
if [ "${DTCP_BENCH_PERF:-0}" = 1 ]; then
	perf record -q -a -g -o "$T/perf" -- \
		ip netns exec "$CS" "$DTCPC" -s 192.0.2.2 -p 2400 -i cs1 -k bench-key \
		-S "$T/seq" bench -N "$N" -W "$W" >/dev/null 2>&1
	mkdir -p "$TOP/build/bench"
	{ perf report -i "$T/perf" --no-children --stdio --sort comm -g none
	  perf report -i "$T/perf" --no-children --stdio --sort comm,dso -g none
	  perf report -i "$T/perf" --no-children --stdio --comm dtcpd --sort dso,sym \
		--percent-limit 0.25 -g none
	  perf report -i "$T/perf" --children --stdio --comm dtcpd --sort sym \
		--percent-limit 1 -g none
	  # Who calls the busiest kernel functions: where to cut next.
	  perf report -i "$T/perf" --no-children --stdio --comm dtcpd --sort sym \
		--percent-limit 0.4 -g caller,0.5,callee,function,percent; } \
		2>/dev/null > "$TOP/build/bench/dtcp-perf.txt"
	check "perf profile in build/bench/dtcp-perf.txt" test -s "$TOP/build/bench/dtcp-perf.txt"
	dc DELETE Criteria-ID='*' Flags=Static >/dev/null
fi

# The same count of elements into an nft set, B per `nft add element`.
ip netns exec "$MON" nft add table inet bench
ip netns exec "$MON" nft add set inet bench s '{ type ipv4_addr; }'
i=0
while [ "$i" -lt "$N" ]; do
	j=0
	elems=
	while [ "$j" -lt "$B" ] && [ "$i" -lt "$N" ]; do
		elems="$elems${elems:+, }10.$((i >> 16 & 255)).$((i >> 8 & 255)).$((i & 255))"
		i=$((i + 1))
		j=$((j + 1))
	done
	echo "add element inet bench s { $elems }" > "$T/b.$i"
done
t0=$(now_ns)
for f in "$T"/b.*; do ip netns exec "$MON" nft -f "$f" || break; done
t1=$(now_ns)
n=$(ip netns exec "$MON" nft list set inet bench s | tr ',' '\n' | grep -c '10\.')
check_eq "nft: $N elements in batches of $B" "$n" "$N"
nft_rate=$(awk -v n="$N" -v t="$((t1 - t0))" 'BEGIN { printf "%.0f", n / (t / 1e9) }')
# And all N in one transaction (what nft does without a process per
# batch), in rounds beside dtcpd at window W and at the whole Seq window.
sed 's/ s {/ one {/' "$T"/b.* > "$T/all"
rate_wmax="adds_per_s=0"
nft_one=0
for r in $(seq "$R"); do
	if [ "$r" != 1 ]; then	# round 1's is the rate run above
		out=$(rate_run)
		check_eq "round $r: $N ADDs at window $W answered and verified" \
			"$(val "$out" ok)" "$N"
		best_of "$out" rate
		dc DELETE Criteria-ID='*' Flags=Static >/dev/null
	fi
	out=$(rate_run "$WMAX")
	check_eq "round $r: $N ADDs at window $WMAX answered and verified" "$(val "$out" ok)" "$N"
	best_of "$out" rate_wmax
	dc DELETE Criteria-ID='*' Flags=Static >/dev/null
	ip netns exec "$MON" nft add set inet bench one '{ type ipv4_addr; }'
	t2=$(now_ns)
	ip netns exec "$MON" nft -f "$T/all"
	t3=$(now_ns)
	check_eq "round $r: nft, $N elements in one transaction" \
		"$(ip netns exec "$MON" nft list set inet bench one | tr ',' '\n' | grep -c '10\.')" "$N"
	ip netns exec "$MON" nft delete set inet bench one
	v=$(awk -v n="$N" -v t="$((t3 - t2))" 'BEGIN { printf "%.0f", n / (t / 1e9) }')
	echo "# round $r: window $W $(rate_of "$rate") (best so far), window $WMAX $(rate_of "$out")," \
		"nft one transaction $v elements/s"
	[ "$v" -gt "$nft_one" ] && nft_one=$v
done

echo "# dtcpd, one in flight:  $lat"
echo "# dtcpd, window $W, best of $R:      $rate"
echo "# dtcpd, window $WMAX, best of $R:     $rate_wmax"
echo "# nft add element, batches of $B: $N elements in $(awk -v t="$((t1 - t0))" 'BEGIN { printf "%.3f", t / 1e9 }') s, $nft_rate elements/s"
echo "# nft add element, one transaction, best of $R: $N elements, $nft_one elements/s"
echo "# bench-dtcp: $mem bytes of kernel memory per DTCP criterion (table_mem over crits)"
echo "# bench-dtcp: dtcpd $(rate_of "$rate") ADDs/s (p99 $(val "$lat" p99_us) us one in flight," \
	"p99 $(val "$rate" p99_us) us at window $W) vs nft $nft_rate elements/s in batches of $B:" \
	"ratio $(ratio "$(rate_of "$rate")" "$nft_rate"); vs one nft transaction ($nft_one/s):" \
	"ratio $(ratio "$(rate_of "$rate")" "$nft_one") at window $W," \
	"$(ratio "$(rate_of "$rate_wmax")" "$nft_one") at window $WMAX ($(rate_of "$rate_wmax") ADDs/s)"
if [ -n "$ICOUNT" ]; then
	di=$(val "$rate" dtcpd_cpu_ns_per_add)
	ni=$(awk -v r="$nft_one" 'BEGIN { printf "%.0f", r ? 1e9 / r : 0 }')
	echo "# bench-dtcp, counting instructions: dtcpd ${di:-0} per ADD at window $W" \
		"(its own CPU time), nft $ni per element in one transaction:" \
		"ratio $(ratio "$ni" "${di:-0}")"
fi
ok "bench-dtcp measured"
stop_dtcpd

# The floor: on dtcpd's port, a server that only checks each request's
# HMAC, signs a 200 with its Seq and sends it (tools/bench_dtcp_floor.c),
# the least any DTCP server does per request, under the same client and
# window. Best of R.
ip netns exec "$MON" $PIN0 "$FLOOR" 192.0.2.2 2400 bench-key >"$T/floor.out" 2>&1 &
DPID=$!
for _ in $(seq 50); do grep -qs '^port=' "$T/floor.out" && break; sleep 0.1; done
floor="adds_per_s=0"
for r in $(seq "$R"); do
	out=$(rate_run | sed 's/dtcpd_cpu/floor_cpu/g')
	check_eq "floor round $r: $N requests answered and verified" "$(val "$out" ok)" "$N"
	best_of "$out" floor
done
stop_dtcpd
check_eq "the floor answered every authentic request, and only those" \
	"$(tail -n 1 "$T/floor.out")" "requests=$((N * R)) answered=$((N * R)) unauthentic=0"
echo "# the floor, window $W, best of $R: $floor"
echo "# bench-dtcp: the floor $(rate_of "$floor") requests/s: ratio" \
	"$(ratio "$(rate_of "$floor")" "$nft_one") of one nft transaction ($nft_one/s);" \
	"dtcpd at window $W runs at $(ratio "$(rate_of "$rate")" "$(rate_of "$floor")") of the floor"
if [ -n "$ICOUNT" ]; then
	fl=$(val "$floor" floor_cpu_ns_per_add)
	echo "# bench-dtcp, counting instructions: the floor ${fl:-0} per request" \
		"(its own CPU time), nft $ni per element in one transaction:" \
		"ratio $(ratio "$ni" "${fl:-0}")"
fi
if [ -n "${DTCP_BENCH_BASE:-}" ]; then
	best_base=0
	best_new=0
	cpu_base=0
	cpu_new=0
	for r in $(seq "${DTCP_BENCH_BASE_ROUNDS:-3}"); do
		for bin in "$DTCP_BENCH_BASE" "$DTCPD"; do
			rm -f "$T/state" "$T/state.1"	# the other's, maybe of another version
			start_dtcpd "$bin"
			warm
			out=$(rate_run)
			dc DELETE Criteria-ID='*' Flags=Static >/dev/null
			stop_dtcpd
			v=$(val "$out" adds_per_s)
			[ -n "$v" ] || cat "$T/dtcpd.log"
			us=$(val "$out" dtcpd_cpu_us_per_add)
			echo "# round $r: $bin: $out"
			if [ "$bin" = "$DTCPD" ]; then
				[ "$v" -gt "$best_new" ] && best_new=$v
				[ "$cpu_new" = 0 ] || [ "$us" -lt "$cpu_new" ] && cpu_new=$us
			else
				[ "$v" -gt "$best_base" ] && best_base=$v
				[ "$cpu_base" = 0 ] || [ "$us" -lt "$cpu_base" ] && cpu_base=$us
			fi
		done
	done
	echo "# bench-dtcp: this dtcpd $best_new ADDs/s, $DTCP_BENCH_BASE $best_base ADDs/s:" \
		"ratio $(awk -v a="$best_new" -v b="$best_base" 'BEGIN { printf "%.3f", b ? a / b : 0 }');" \
		"dtcpd's CPU time per ADD $cpu_new us against $cpu_base us:" \
		"ratio $(awk -v a="$cpu_new" -v b="$cpu_base" 'BEGIN { printf "%.3f", b ? a / b : 0 }')"
	check "base dtcpd measured" test "$best_base" -gt 0
fi
ktap_finish
