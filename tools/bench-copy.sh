#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench-copy: what one copy per frame costs, in one guest boot.
#
#   pktgen (xmit_mode netif_receive) -> m0 (dummy, monitored)
#   copies -> 198.51.100.2 via o0 (dummy, MTU 9000: no fragments)
#
# Cases, each at 64, 512 and 1500-byte frames, best of BENCH_COPY_RUNS:
#   nocopy  dfc attached, one criterion the frames do not match
#   ipip    one criterion, one copy per frame, IP-in-IP
#   udp     the same, UDP encapsulation
#   mirred  no dfc: tc flower + mirred egress mirror into an ipip device
#           (same remote, same o0), the original dropped as dfc consumes it
# Under TCG the packet rates say little; the ratios of one boot say more:
# ipip/nocopy (what a copy costs) and ipip/mirred (against the tc way).
# Text and JSON go to build/bench/copy.txt and copy.json. With
# BENCH_COPY_PERF=1, `perf record` samples the 64-byte ipip case into
# build/bench/copy-perf.txt (BENCH_COPY_PERF_SIZE to sample another size).
# BENCH_COPY_BASE_KO=PATH measures another dfc.ko first in the same boot
# (e.g. one built from an older commit): the before/after of a change.
#
# BENCH_COPY_RUNS (5), BENCH_COPY_COUNT (frames per run, 100000). Fewer
# and shorter runs (3 of 20000, a fifth of a second each) let two cases of
# nearly the same cost, ipip and udp, come out 0.44 and 0.63 of nocopy in
# one boot; with these defaults one module gave 0.587 and 0.562 (ipip, 64
# bytes) in two boots.
. "$(dirname "$0")/../selftests/lib.sh"

RUNS=${BENCH_COPY_RUNS:-5}
COUNT=${BENCH_COPY_COUNT:-100000}
SIZES="64 512 1500"
OUT=$TOP/build/bench
D=198.51.100.2

cleanup() {
	[ -n "$MON" ] && ip netns exec "$MON" sh -c \
		'echo stop > /proc/net/pktgen/pgctrl' 2>/dev/null
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
pg() {
	f=$1
	shift
	for a; do
		ip netns exec "$MON" sh -c "echo '$a' > /proc/net/pktgen/$f" || return 1
	done
}
check "pktgen on m0, netif_receive" pg kpktgend_0 rem_device_all "add_device m0"

# setup SIZE: one pktgen run of COUNT frames into m0, ready to start.
setup() {
	pg m0 "count $COUNT" "pkt_size $1" "xmit_mode netif_receive" \
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

# best SIZE: the best of RUNS, after one run to warm up.
best() {
	rate "$1" >/dev/null
	b=0
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		r=$(rate "$1")
		[ -n "$r" ] && [ "$r" -gt "$b" ] && b=$r
		i=$((i + 1))
	done
	echo "$b"
}

# measure CASE: RATE_CASE_SIZE for every size.
measure() {
	for s in $SIZES; do
		eval "RATE_$1_$s=$(best "$s")"
	done
}

# copies CDEST: what destination 1 says it sent.
copies() {
	dfcctl "$MON" -j cdest show 1 | sed -n 's/.*"copies": *\([0-9]*\).*/\1/p'
}

# dfc_cases PREFIX: nocopy, ipip and udp with the module loaded.
dfc_cases() {
	check "$1attach m0" dfcctl "$MON" interface add m0
	check "$1no copy: a criterion the frames miss" \
		dfcctl "$MON" filter add owner 1 id 1 static dst 10.9.9.9
	check "$1destination 1 ($D)" dfcctl "$MON" cdest add 1 address $D
	measure "${1%: }nocopy"
	check "$1ipip: a criterion the frames match" \
		dfcctl "$MON" filter add owner 1 id 2 static cdest 1 dst 10.0.0.2
	c0=$(copies)
	measure "${1%: }ipip"
	c1=$(copies)
	check "$1ipip: destination 1 sent copies" test "${c1:-0}" -gt "${c0:-0}"
	if [ -z "$1" ] && [ "${BENCH_COPY_PERF:-0}" = 1 ]; then
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
			--percent-limit 2 -g none; } 2>/dev/null > "$OUT/copy-perf.txt"
		check "perf profile in build/bench/copy-perf.txt" test -s "$OUT/copy-perf.txt"
	fi
	check "$1udp: destination 1 in UDP" dfcctl "$MON" cdest set 1 encap udp dport 4789
	c0=$(copies)
	measure "${1%: }udp"
	c1=$(copies)
	check "$1udp: destination 1 sent copies" test "${c1:-0}" -gt "${c0:-0}"
	check "$1detach m0" dfcctl "$MON" interface del m0
}

# The module to compare with first, in the same boot (BENCH_COPY_BASE_KO).
CASES="nocopy ipip udp mirred"
if [ -n "${BENCH_COPY_BASE_KO:-}" ]; then
	check "base module loads" sh -c "rmmod dfc && insmod '$BENCH_COPY_BASE_KO'"
	dfc_cases "base: "
	check "module loads again" sh -c "rmmod dfc && insmod '$DFC_KO'"
	CASES="basenocopy baseipip baseudp $CASES"
fi
dfc_cases ""

tcset() {
	ip netns exec "$MON" tc qdisc add dev m0 clsact &&
	ip netns exec "$MON" tc filter add dev m0 ingress protocol ip flower \
		dst_ip 10.0.0.2 action mirred egress mirror dev tun0 action drop
}
check "tc: flower + mirred mirror into tun0" tcset
t0=$(ip -n "$MON" -s link show tun0 | awk 'f { print $2; exit } /TX:/ { f = 1 }')
measure mirred
t1=$(ip -n "$MON" -s link show tun0 | awk 'f { print $2; exit } /TX:/ { f = 1 }')
check "tc: tun0 sent copies" test "${t1:-0}" -gt "${t0:-0}"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b ? a / b : 0 }'; }
{
	echo "# bench-copy: pktgen netif_receive into a monitored port, $COUNT frames a run," \
		"best of $RUNS; frames/s, then ratios of this boot"
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
} > "$OUT/copy.txt"
{
	printf '{"kernel": "%s", "frames": %s, "runs": %s, "sizes": [' "$(uname -r)" "$COUNT" "$RUNS"
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
