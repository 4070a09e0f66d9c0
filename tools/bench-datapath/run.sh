#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench-datapath, the guest part: dfc.ko's data path beside nftables
# and tc, in one boot, as root (tools/vm-run runs it).
#
#   run.sh OUTDIR
#
# Writes OUTDIR/cases.jsonl, one JSON object a case: what ran (section,
# engine, n, masks, traffic, size, threads, ...), the best rate of
# DP_TRIALS trials of DP_SECONDS (pps; every trial's in trials), the
# frames pktgen sent over all trials (sent), and what the engine counted
# (dfc: matched frames, copies, masks probed per frame; the criterion the
# frame matches: counted; nft: its counters). tools/bench-datapath/report.py
# makes the tables, plot.sh the plots. Everything runs in a namespace of
# its own, on the dummy port dp0 (lib.sh says how pktgen feeds it).
#
# Environment (defaults: the full run; DP_QUICK=1: the smallest of each):
#   DP_SECTIONS   base uniform rulesets copies
#   DP_BASE       base cases: none nft-drop dfc (nothing, nft drop-all, dfc
#                 without criteria)
#   DP_TRIALS, DP_SECONDS   3, 1
#   DP_SIZES      criteria in dfc and nft sets: 1000 10000 100000
#   DP_MASKS      1 4 16
#   DP_BIG, DP_BIG_MASKS   a larger size, at those mask counts only: 1000000,
#                 1 4 16 (a million takes about a minute to load into each
#                 engine under TCG, and nft a guest of 4 GB: host.sh)
#   DP_LINEAR     linear nft rules: 100 1000 10000 (empty: none)
#   DP_NOMATCH    engines also given a frame matching nothing:
#                 dfc nft-set nft-linear
#   DP_PROFILES, DP_RULES, DP_SAMPLES   acl fw ipc; 1000 8000; 3 rules
#   DP_COPY_SIZES, DP_COPY_DESTS   64 512 1500; 1 3
#   DP_COPY_ENCAPS, DP_COPY_TC   dfc's: ipip udp ipip6; tc's: ipip ip6tnl
#                 (empty: none)
#   DP_COPY_XFRM  each copy case plain and through ESP: plain esp
#   DP_CPUS       pktgen threads compared: 1 2
#   DP_CPU_SIZE, DP_CPU_MASKS   the uniform case run on 2 CPUs too: 10000, 4
#                 (DP_CPU_SIZE empty: only the base cases, no copy case either)
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
TOP=${DFC_TOP:-$(cd "$DIR/../.." && pwd)}
B=${B:-$TOP/build}
DFCCTL=$B/dfcctl
UNIFORM=$B/bench_dp_uniform
RULES=$B/bench_dp_rules
CBGEN=$B/cbgen
DFC_KO=${DFC_KO:-$TOP/dfc.ko}

if [ "${DP_QUICK:-0}" = 1 ]; then
	# One case of each kind the smoke test checks (each costs seconds under TCG).
	: "${DP_TRIALS:=1}" "${DP_SECONDS:=0.3}" "${DP_BASE=none}" "${DP_SIZES:=1000}" "${DP_MASKS:=1}"
	: "${DP_BIG=}" "${DP_LINEAR=}" "${DP_NOMATCH=dfc}" "${DP_PROFILES:=acl}" "${DP_RULES:=100}"
	: "${DP_SAMPLES:=1}" "${DP_COPY_SIZES:=64}" "${DP_COPY_DESTS:=1}" "${DP_COPY_ENCAPS=ipip}"
	: "${DP_COPY_TC=}" "${DP_CPUS:=1}" "${DP_CPU_SIZE=}"
fi
# Instruction counting (tools/vm-run, VM_ICOUNT=1) boots one CPU.
grep -qw vmicount=1 /proc/cmdline 2>/dev/null && : "${DP_CPUS:=1}"
: "${DP_SECTIONS:=base uniform rulesets copies}" "${DP_TRIALS:=3}" "${DP_SECONDS:=1}"
: "${DP_BASE=none nft-drop dfc}" "${DP_NOMATCH=dfc nft-set nft-linear}"
: "${DP_COPY_ENCAPS=ipip udp ipip6}" "${DP_COPY_TC=ipip ip6tnl}" "${DP_COPY_XFRM:=plain esp}"
: "${DP_SIZES:=1000 10000 100000}" "${DP_MASKS:=1 4 16}" "${DP_BIG=1000000}" "${DP_BIG_MASKS:=1 4 16}" "${DP_LINEAR=100 1000 10000}"
: "${DP_PROFILES:=acl fw ipc}" "${DP_RULES:=1000 8000}" "${DP_SAMPLES:=3}"
: "${DP_COPY_SIZES:=64 512 1500}" "${DP_COPY_DESTS:=1 3}" "${DP_CPUS:=1 2}" "${DP_CPU_SIZE=10000}"
: "${DP_CPU_MASKS:=4}"
export DP_SECTIONS DP_BASE DP_NOMATCH DP_COPY_ENCAPS DP_COPY_TC DP_COPY_XFRM DP_TRIALS DP_SECONDS DP_SIZES DP_MASKS DP_BIG DP_BIG_MASKS DP_LINEAR DP_PROFILES DP_RULES \
	DP_SAMPLES DP_COPY_SIZES DP_COPY_DESTS DP_CPUS DP_CPU_SIZE DP_CPU_MASKS

[ $# = 1 ] || { echo "usage: run.sh OUTDIR" >&2; exit 2; }
for p in "$DFCCTL" "$UNIFORM" "$RULES" "$CBGEN"; do
	[ -x "$p" ] || { echo "bench-datapath: $p not built (make bench-datapath builds it)" >&2; exit 1; }
done

# Outside: modules, a namespace, then this script again inside it.
if [ -z "${DP_NS:-}" ]; then
	mkdir -p "$1" && : > "$1/cases.jsonl" || exit 1
	for m in pktgen dummy nf_tables ipip ip6_tunnel sch_ingress cls_flower act_mirred act_gact \
		xfrm_user esp4 esp6; do
		modprobe "$m" || { echo "bench-datapath: modprobe $m failed" >&2; exit 1; }
	done
	loaded=
	[ -d /sys/module/dfc ] || { insmod "$DFC_KO" && loaded=1; } || exit 1
	ns=dpbench-$$
	ip netns add "$ns" || exit 1
	DP_NS=$ns ip netns exec "$ns" sh "$0" "$1"
	rc=$?
	ip netns del "$ns"
	[ -z "$loaded" ] || rmmod dfc
	exit $rc
fi

. "$DIR/lib.sh"
. "$DIR/uniform.sh"
. "$DIR/rulesets.sh"
. "$DIR/copies.sh"
DP_OUT=$1/cases.jsonl
W=$(mktemp -d /tmp/dpbench.XXXXXX) || exit 1
trap 'echo stop > $PG/pgctrl 2>/dev/null; rm -rf "$W"' EXIT

ip link set lo up
ip link add "$DP_DEV" type dummy && ip link set "$DP_DEV" up || exit 1
dp_pg_threads 1 || exit 1
echo "# bench-datapath: $(nproc) CPUs, $DP_TRIALS trials of $DP_SECONDS s a case; sections: $DP_SECTIONS"
for s in $DP_SECTIONS; do
	case $s in
	base | uniform | rulesets | copies) ;;
	*) echo "bench-datapath: unknown section '$s'" >&2; exit 2 ;;
	esac
done
# A section that fails is reported and the next one runs: a long run keeps
# what it measured; the exit status says that something failed.
dp_t0=$(dp_now) rc=0
for s in $DP_SECTIONS; do
	dp_ts=$(dp_now)
	"dp_$s" || { echo "bench-datapath: section $s failed" >&2; rc=1; }
	echo "# section $s took $(echo "$(dp_now) - $dp_ts" | bc) s"
done
echo "# bench-datapath: $(wc -l < "$DP_OUT") cases in $(echo "$(dp_now) - $dp_t0" | bc) s"
exit $rc
