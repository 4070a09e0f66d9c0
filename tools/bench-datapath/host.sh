#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench-datapath, the host part: one guest boot runs run.sh (every
# case side by side), then report.py writes the tables and JSON and
# plot.sh the plots, all in build/bench/ (DP_OUTDIR to change).
#
# DP_VMRUN: the command that boots the guest (default tools/vm-run; a
# wrapper may go first). DP_TIMEOUT: the guest's limit in seconds (3000).
# DP_MEM: the guest's memory (4G: nft -f loading a million elements into
# one set needs about 1.5 GB of its own; a 2 GB guest kills it).
# DP_QUICK=1 and the other DP_* of run.sh are passed to the guest.
# VM_ICOUNT=1 (tools/vm-run) counts instructions: one CPU, so DP_CPUS=1.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${DP_OUTDIR:-$top/build/bench}
cd "$top"
mkdir -p "$out"
rm -f "$out"/*.png "$out"/*.dat "$out/datapath.txt" "$out/datapath.json"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# The guest gets none of our environment: run.sh's settings go on its command line.
set --
for v in QUICK SECTIONS BASE TRIALS SECONDS SIZES MASKS BIG BIG_MASKS LINEAR NOMATCH PROFILES RULES SAMPLES \
	COPY_SIZES COPY_DESTS COPY_ENCAPS COPY_TC COPY_XFRM CPUS CPU_SIZE CPU_MASKS; do
	eval "isset=\${DP_$v+y}"
	[ -z "$isset" ] || eval "set -- \"\$@\" \"DP_$v=\$DP_$v\""
done
# A run that failed part way still gets its report; the status says it failed.
rc=0
# shellcheck disable=SC2086 # DP_VMRUN may be a wrapper and its command
${DP_VMRUN:-tools/vm-run} -m "${DP_MEM:-4G}" -t "${DP_TIMEOUT:-3000}" -l "$out/console.log" -- \
	env "$@" sh tools/bench-datapath/run.sh "$out" || rc=$?
load1=$(cut -d' ' -f1-3 /proc/loadavg)
kver=$(sh tools/kver.sh)
trials=${DP_TRIALS:-3} secs=${DP_SECONDS:-1}
[ "${DP_QUICK:-0}" != 1 ] || trials=${DP_TRIALS:-1} secs=${DP_SECONDS:-0.3}
cpus=2 clock=
[ "${VM_ICOUNT:-0}" != 1 ] || cpus=1 clock=',"clock":"icount"'
printf '{"date":"%s","kernel":"%s","guest_cpus":%s%s,"trials":%s,"seconds":%s,"load_before":"%s","load_after":"%s","host_cpus":%s}\n' \
	"$date" "$kver" "$cpus" "$clock" "$trials" "$secs" "$load0" "$load1" "$(nproc)" > "$out/meta.json"
python3 tools/bench-datapath/report.py "$out"
sh tools/bench-datapath/plot.sh "$out"
[ "$rc" = 0 ] || echo "bench-datapath: the guest run failed (status $rc): see $out/console.log" >&2
exit "$rc"
