#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench-copy: what one copy per frame costs, in one guest boot.
#
#   pktgen (xmit_mode netif_receive) -> m0 (dummy, monitored)
#   copies -> 198.51.100.2 via o0 (dummy, MTU 9000: no fragments)
#
# Cases, each at 64, 512 and 1500-byte frames, in BENCH_COPY_RUNS rounds
# (each round every case in turn, after one round to warm up), best of
# the rounds:
#   nocopy  dfc attached, one criterion the frames do not match
#   ipip    one criterion, one copy per frame, IP-in-IP
#   udp     the same, UDP encapsulation
#   mirred  no dfc: tc flower + mirred egress mirror into an ipip device
#           (same remote, same o0), the original dropped as dfc consumes it
# Under TCG the packet rates say little; the ratios of one boot say more:
# ipip/nocopy (what a copy costs) and ipip/mirred (against the tc way).
# Text and JSON go to build/bench/copy.txt and copy.json. With
# BENCH_COPY_PERF=1, `perf record` samples the 64-byte ipip case into
# build/bench/copy-perf.txt, each busy function with its callers
# (BENCH_COPY_PERF_SIZE to sample another size).
# Under instruction counting (VM_ICOUNT=1 make bench-copy: tools/vm-run),
# guest time counts instructions, so a rate is frames per 10^9
# instructions and repeats from boot to boot; the table then also gives
# instructions per frame, and what one copy adds to a frame.
# BENCH_COPY_BASE_KO=PATH measures another dfc.ko first in the same boot
# (e.g. one built from an older commit): the before/after of a change.
#
# BENCH_COPY_SIZES ("64 512 1500"); BENCH_COPY_FRAGS (0): pktgen puts the
# packet's payload in that many page fragments behind the headers, as
# drivers that copy only the headers into the head build frames.
# BENCH_COPY_RUNS (5), BENCH_COPY_COUNT (frames per run, 100000). Fewer
# and shorter runs (3 of 20000, a fifth of a second each) let two cases of
# nearly the same cost, ipip and udp, come out 0.44 and 0.63 of nocopy in
# one boot. Rounds, rather than each case's runs one after the other, set
# every case beside the others: a TCG rate drifts over a boot (one
# module's nocopy at 512 bytes measured 181k frames/s in one boot and 128k
# in the next, while the other cases did not move).
. "$(dirname "$0")/../selftests/lib.sh"

RUNS=${BENCH_COPY_RUNS:-5}
COUNT=${BENCH_COPY_COUNT:-100000}
SIZES=${BENCH_COPY_SIZES:-64 512 1500}
FRAGS=${BENCH_COPY_FRAGS:-0}
OUT=$TOP/build/bench
D=198.51.100.2

cleanup() {
	pktgen_stop "$MON"
	cleanup_ns
}
trap cleanup EXIT
ktap_header
dfc_unload 2>/dev/null
for m in dummy ipip pktgen cls_flower act_mirred; do modprobe "$m" 2>/dev/null; done
if [ ! -d /proc/net/pktgen ] || ! command -v tc >/dev/null; then
	skip "bench-copy" "needs pktgen, ipip, tc flower and mirred"
	ktap_finish
fi
mkdir -p "$OUT"

setup_ns MON
topology() {
	ip -n "$MON" link add m0 type dummy &&
	ip -n "$MON" link add o0 mtu 9000 type dummy &&
	ip -n "$MON" link set m0 up && ip -n "$MON" link set o0 up &&
	ip -n "$MON" addr add 198.51.100.1/24 dev o0 &&
	ip -n "$MON" link add tun0 type ipip local 198.51.100.1 remote $D &&
	ip -n "$MON" link set tun0 up
}
check "topology: m0 monitored, o0 toward $D, tun0 (ipip)" topology
check "module loads" insmod "$DFC_KO"

# pg FILE CMD...: pktgen commands in MON.
pg() { pktgen "$MON" "$@"; }
check "pktgen on m0, netif_receive" pg kpktgend_0 rem_device_all "add_device m0"

# setup SIZE: one pktgen run of COUNT frames into m0, ready to start.
setup() {
	pg m0 "count $COUNT" "pkt_size $1" "frags $FRAGS" "xmit_mode netif_receive" \
		"dst 10.0.0.2" "src_min 10.0.0.1" "src_max 10.0.0.1" \
		"udp_src_min 9" "udp_src_max 9" "udp_dst_min 9" "udp_dst_max 9" \
		"dst_mac 02:00:00:00:00:01" "delay 0" "burst 1"
}

# rate SIZE: frames per second of one such run.
rate() {
	setup "$1" || return 1
	pg pgctrl start || return 1
	ip netns exec "$MON" sed -n 's/.* \([0-9][0-9]*\)pps.*/\1/p' /proc/net/pktgen/m0
}

# copies CDEST: what destination 1 says it sent.
copies() {
	dfcctl "$MON" -j cdest show 1 | sed -n 's/.*"copies": *\([0-9]*\).*/\1/p'
}
tun_tx() { ip -n "$MON" -s link show tun0 | awk 'f { print $2; exit } /TX:/ { f = 1 }'; }

# to CASE: the port set up for CASE, from the case before it in a round
# (nocopy, ipip, udp, mirred, then nocopy again; a base module's rounds
# have no mirred, so m0 may still be attached).
to() {
	case $1 in
	nocopy)
		{ ! ip netns exec "$MON" tc qdisc show dev m0 | grep -q clsact ||
		  ip netns exec "$MON" tc qdisc del dev m0 clsact; } &&
		{ [ "$(dfcctl "$MON" -j interface show | jq length)" = 1 ] ||
		  dfcctl "$MON" interface add m0; } &&
		{ [ -z "$(dfcctl "$MON" -j filter show owner 1 id 2 2>/dev/null)" ] ||
		  dfcctl "$MON" filter del owner 1 id 2 static; } &&
		dfcctl "$MON" cdest set 1 encap ipip ;;
	ipip)	dfcctl "$MON" filter add owner 1 id 2 static cdest 1 dst 10.0.0.2 ;;
	udp)	dfcctl "$MON" cdest set 1 encap udp dport 4789 ;;
	mirred)
		dfcctl "$MON" interface del m0 &&
		ip netns exec "$MON" tc qdisc add dev m0 clsact &&
		ip netns exec "$MON" tc filter add dev m0 ingress protocol ip flower \
			dst_ip 10.0.0.2 action mirred egress mirror dev tun0 action drop ;;
	esac
}

# sent CASE: copies so far, by dfc's count or tun0's.
sent() { if [ "$1" = mirred ]; then tun_tx; else copies; fi; }

# rounds PREFIX CASES: RUNS rounds, each case in turn at every size, so
# that every case is measured beside the others (a TCG rate drifts over a
# boot); RATE_<prefix><case>_<size> is the best. Round 0 warms up.
rounds() {
	pre=$1
	shift
	r=0
	while [ "$r" -le "$RUNS" ]; do
		for c; do
			to "$c" >/dev/null || { fail "$pre$c: set up (round $r)"; return 1; }
			c0=$(sent "$c")
			for s in $SIZES; do
				v=$(rate "$s")
				[ "$r" -gt 0 ] || continue
				eval "b=\${RATE_$pre${c}_$s:-0}"
				[ -n "$v" ] && [ "$v" -gt "$b" ] && eval "RATE_$pre${c}_$s=$v"
			done
			c1=$(sent "$c")
			# Copies must have left (nocopy: none), every round.
			if [ "$c" = nocopy ]; then
				[ "${c1:-0}" = "${c0:-0}" ] ||
					{ fail "$pre$c: copies sent (round $r)"; return 1; }
			elif [ "${c1:-0}" -le "${c0:-0}" ]; then
				fail "$pre$c: no copies sent (round $r)"
				return 1
			fi
		done
		r=$((r + 1))
	done
	ok "${pre:+$pre: }$* measured in $RUNS rounds, copies counted in each"
}

# dfc_setup: a criterion the frames miss, destination 1 (m0 is attached by "to nocopy").
dfc_setup() {
	check "$1a criterion the frames miss" \
		dfcctl "$MON" filter add owner 1 id 1 static dst 10.9.9.9
	check "$1destination 1 ($D)" dfcctl "$MON" cdest add 1 address $D
}

# The module to compare with first, in the same boot (BENCH_COPY_BASE_KO).
CASES="nocopy ipip udp mirred"
if [ -n "${BENCH_COPY_BASE_KO:-}" ]; then
	check "base module loads" sh -c "rmmod dfc && insmod '$BENCH_COPY_BASE_KO'"
	dfc_setup "base: "
	rounds base nocopy ipip udp
	check "base: detach m0" dfcctl "$MON" interface del m0
	check "module loads again" sh -c "rmmod dfc && insmod '$DFC_KO'"
	CASES="basenocopy baseipip baseudp $CASES"
fi
dfc_setup ""
rounds "" nocopy ipip udp mirred
if [ "${BENCH_COPY_PERF:-0}" = 1 ]; then
	to nocopy && to ipip
	# CPU 0 only (pktgen's thread), for exactly one run: idle
	# time would fill the profile.
	COUNT=$((COUNT * 3)) setup "${BENCH_COPY_PERF_SIZE:-64}" &&
	ip netns exec "$MON" perf record -q -C 0 -g -o /tmp/copy.perf \
		-- sh -c 'echo start > /proc/net/pktgen/pgctrl' \
		>/dev/null 2>&1
	# Each function on its own, then with what it calls.
	{ perf report -i /tmp/copy.perf --no-children --stdio --sort sym \
		--percent-limit 0.5 -g none
	  perf report -i /tmp/copy.perf --children --stdio --sort sym \
		--percent-limit 2 -g none
	  # Who calls the busiest functions: where to cut next.
	  perf report -i /tmp/copy.perf --no-children --stdio --sort sym \
		--percent-limit 1 -g caller,0.5,callee,function,percent; } \
		2>/dev/null > "$OUT/copy-perf.txt"
	check "perf profile in build/bench/copy-perf.txt" test -s "$OUT/copy-perf.txt"
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b ? a / b : 0 }'; }
# insn RATE: instructions per frame, at one instruction per guest nanosecond.
insn() { awk -v r="$1" 'BEGIN { printf "%.0f", r ? 1e9 / r : 0 }'; }
CLOCK=tcg
guest_icount && CLOCK=icount
{
	echo "# bench-copy: pktgen netif_receive into a monitored port, $COUNT frames a run," \
		"$FRAGS page fragments behind the headers," \
		"best of $RUNS rounds; frames/s, then ratios of this boot"
	[ "$CLOCK" = tcg ] ||
		echo "# guest time counts instructions (VM_ICOUNT=1): frames/s is frames per 10^9 instructions"
	printf '%-6s' size
	for c in $CASES; do printf ' %10s' "$c"; done
	printf ' %12s %12s %12s %12s\n' ipip/nocopy udp/nocopy ipip/mirred udp/mirred
	for s in $SIZES; do
		printf '%-6s' "$s"
		for c in $CASES; do eval "printf ' %10s' \"\$RATE_${c}_$s\""; done
		eval "n=\$RATE_nocopy_$s i=\$RATE_ipip_$s u=\$RATE_udp_$s m=\$RATE_mirred_$s"
		printf ' %12s %12s %12s %12s\n' "$(ratio "$i" "$n")" "$(ratio "$u" "$n")" \
			"$(ratio "$i" "$m")" "$(ratio "$u" "$m")"
		if [ -n "${BENCH_COPY_BASE_KO:-}" ]; then
			eval "n=\$RATE_basenocopy_$s i=\$RATE_baseipip_$s u=\$RATE_baseudp_$s"
			printf '%-6s' "base"
			for c in $CASES; do printf ' %10s' ""; done
			printf ' %12s %12s %12s %12s\n' "$(ratio "$i" "$n")" "$(ratio "$u" "$n")" \
				"$(ratio "$i" "$m")" "$(ratio "$u" "$m")"
		fi
	done
	if [ "$CLOCK" = icount ]; then
		printf '# instructions per frame\n%-6s' size
		for c in $CASES; do printf ' %10s' "$c"; done
		printf ' %12s %12s\n' "ipip copy" "udp copy"
		for s in $SIZES; do
			printf '%-6s' "$s"
			for c in $CASES; do eval "printf ' %10s' \"\$(insn \"\$RATE_${c}_$s\")\""; done
			eval "n=\$(insn \$RATE_nocopy_$s) i=\$(insn \$RATE_ipip_$s) u=\$(insn \$RATE_udp_$s)"
			printf ' %12s %12s\n' $((i - n)) $((u - n))
		done
	fi
} > "$OUT/copy.txt"
{
	printf '{"kernel": "%s", "clock": "%s", "frames": %s, "frags": %s, "runs": %s, "sizes": [' \
		"$(uname -r)" "$CLOCK" "$COUNT" "$FRAGS" "$RUNS"
	sep=
	for s in $SIZES; do
		eval "n=\$RATE_nocopy_$s i=\$RATE_ipip_$s u=\$RATE_udp_$s m=\$RATE_mirred_$s"
		printf '%s{"size": %s, "pps": {' "$sep" "$s"
		csep=
		for c in $CASES; do
			eval "printf '%s\"%s\": %s' \"\$csep\" \"$c\" \"\${RATE_${c}_$s:-0}\""
			csep=", "
		done
		printf '}, "ratio": {"ipip_nocopy": %s, "udp_nocopy": %s, "ipip_mirred": %s, "udp_mirred": %s' \
			"$(ratio "$i" "$n")" "$(ratio "$u" "$n")" "$(ratio "$i" "$m")" "$(ratio "$u" "$m")"
		if [ -n "${BENCH_COPY_BASE_KO:-}" ]; then
			eval "n=\$RATE_basenocopy_$s i=\$RATE_baseipip_$s u=\$RATE_baseudp_$s"
			printf ', "base_ipip_nocopy": %s, "base_udp_nocopy": %s, "base_ipip_mirred": %s, "base_udp_mirred": %s' \
				"$(ratio "$i" "$n")" "$(ratio "$u" "$n")" "$(ratio "$i" "$m")" "$(ratio "$u" "$m")"
		fi
		printf '}}'
		sep=", "
	done
	echo ']}'
} > "$OUT/copy.json"
sed 's/^/# /' "$OUT/copy.txt"
all=y
for s in $SIZES; do
	for c in $CASES; do
		eval "v=\$RATE_${c}_$s"
		[ "${v:-0}" -gt 0 ] || all=
	done
done
check "every case measured (build/bench/copy.txt, copy.json)" test -n "$all"
ktap_finish
