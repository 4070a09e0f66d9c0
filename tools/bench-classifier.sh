#!/bin/sh
# Lookup cost of the filter table under callgrind (instruction counts are
# repeatable on a shared machine, wall clock is not): builds
# tools/bench_classifier.c with kmod/table.c and kmod/entry.c (-O2, no
# sanitizers), runs every case, prints one line per case:
#   filters=N masks=M insn_per_pkt=X masks_probed=Y bytes_per_filter=Z
# then the targets: at fixed masks 1M filters cost <= 1.2x the
# instructions of 1k; <= 150 instructions per probed mask; <= 256 bytes
# of table memory per filter. Exit status 1 if a target is missed.
#
# Environment: B (build dir, default build/), CC, BENCH_FILTERS,
# BENCH_MASKS, BENCH_LOOKUPS (per case, default 50000).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-$top/build}
CC=${CC:-gcc}
FILTERS=${BENCH_FILTERS:-1000 10000 100000 1000000}
MASKS=${BENCH_MASKS:-1 4 16}
LOOKUPS=${BENCH_LOOKUPS:-50000}
bin=$B/bench_classifier

command -v valgrind >/dev/null || { echo "bench-classifier: valgrind is not installed (make deps)" >&2; exit 1; }
mkdir -p "$B"
$CC -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-I"$top/kmod" -I"$top/lib" -I"$top/include/uapi" \
	-o "$bin" "$top/tools/bench_classifier.c" "$top/kmod/table.c" "$top/kmod/entry.c"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Only dfc_table_match (and the match callback it calls) is counted, only
# during the lookup loop: building the table runs uninstrumented.
for n in $FILTERS; do
	for m in $MASKS; do
		valgrind --tool=callgrind --instr-atstart=no \
			--toggle-collect=dfc_table_match \
			--callgrind-out-file="$tmp/cg.out" \
			"$bin" -n "$n" -m "$m" -l "$LOOKUPS" >"$tmp/res" 2>"$tmp/err" || {
			cat "$tmp/err" >&2
			exit 1
		}
		ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$tmp/cg.out")
		res=$(cat "$tmp/res")
		get() { echo "$res" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
		awk -v n="$n" -v m="$m" -v ir="$ir" -v l="$(get lookups)" \
			-v p="$(get masks_probed)" -v b="$(get bytes_per_filter)" 'BEGIN {
			printf "filters=%d masks=%d insn_per_pkt=%.1f masks_probed=%.2f bytes_per_filter=%.1f\n",
				n, m, ir / l, p, b }'
	done
done | tee "$tmp/table"

# Targets.
awk '
{
	for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	n = v["filters"]; m = v["masks"]
	insn[n, m] = v["insn_per_pkt"]
	if (!(m in ms)) { ms[m] = 1; order[++nm] = m }
	per = v["insn_per_pkt"] / (v["masks_probed"] > 0 ? v["masks_probed"] : 1)
	if (per > worst_per) { worst_per = per; wp = n " filters, " m " masks" }
	if (v["bytes_per_filter"] > worst_b) { worst_b = v["bytes_per_filter"]; wb = n " filters, " m " masks" }
}
END {
	bad = 0
	for (j = 1; j <= nm; j++) {
		m = order[j]
		if (!((1000, m) in insn) || !((1000000, m) in insn))
			continue
		r = insn[1000000, m] / insn[1000, m]
		ok = r <= 1.2
		bad += !ok
		printf "ratio masks=%d insn_1M/insn_1k=%.3f (target <= 1.2) %s\n", m, r, ok ? "ok" : "MISSED"
	}
	ok = worst_per <= 150; bad += !ok
	printf "insn_per_probed_mask max=%.1f at %s (target <= 150) %s\n", worst_per, wp, ok ? "ok" : "MISSED"
	ok = worst_b <= 256; bad += !ok
	printf "bytes_per_filter max=%.1f at %s (target <= 256) %s\n", worst_b, wb, ok ? "ok" : "MISSED"
	exit bad ? 1 : 0
}' "$tmp/table"
