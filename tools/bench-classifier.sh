#!/bin/sh
# Lookup cost of the filter table under callgrind (instruction counts are
# repeatable on a shared machine, wall clock is not): builds
# tools/bench_classifier.c with kmod/table.c, kmod/lookup.c and
# kmod/entry.c (-O2, no sanitizers), runs every case, prints one line per case:
#   filters=N masks=M tables=T insn_per_pkt=X masks_probed=Y bytes_per_filter=Z
# then the targets: at fixed masks 1M filters cost <= 1.2x the
# instructions of 10k; <= 150 instructions per table (hashed, or ruled
# out by its address filter); <= 256 bytes
# of table memory per filter. Then ClassBench-style rule sets
# (tools/cbgen.c, tools/bench_ruleset.c), one line per profile, size and
# traffic, against the rule-set goals, and per profile and size the
# instructions of one ADD (dfc_table_insert) and one DELETE
# (dfc_table_remove). Exit status 1 if a target is missed.
#
# Environment: B (build dir, default build/), CC, BENCH_FILTERS,
# BENCH_MASKS, BENCH_LOOKUPS (per case, default 50000); BENCH_PROFILES,
# BENCH_RULES, BENCH_RULE_LOOKUPS (default 20000) for the rule sets.
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
	-o "$bin" "$top/tools/bench_classifier.c" "$top/kmod/table.c" "$top/kmod/lookup.c" \
	"$top/kmod/entry.c"

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
		awk -v n="$n" -v m="$m" -v ir="$ir" -v l="$(get lookups)" -v t="$(get tables)" \
			-v p="$(get masks_probed)" -v b="$(get bytes_per_filter)" 'BEGIN {
			printf "filters=%d masks=%d tables=%d insn_per_pkt=%.1f masks_probed=%.2f bytes_per_filter=%.1f\n",
				n, m, t, ir / l, p, b }'
	done
done | tee "$tmp/table"

# Rule sets: ClassBench-style acl, fw and ipc sets (tools/cbgen.c), each
# rule one DTCP criterion, at the kernel's default limit of 128 masks;
# random frames over the whole space, then frames inside random rules.
$CC -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$B/cbgen" "$top/tools/cbgen.c"
$CC -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-I"$top/kmod" -I"$top/lib" -I"$top/include/uapi" -I"$top/tools" \
	-o "$B/bench_ruleset" "$top/tools/bench_ruleset.c" "$top/kmod/table.c" \
	"$top/kmod/lookup.c" "$top/kmod/entry.c" "$top/lib/dfc_spec.c" "$top/lib/dfc_spec_expand.c"
for p in ${BENCH_PROFILES:-acl fw ipc}; do
	for n in ${BENCH_RULES:-1000 8000}; do
		"$B/cbgen" -p "$p" -n "$n" > "$tmp/rules"
		for tr in random match; do
			valgrind --tool=callgrind --instr-atstart=no \
				--toggle-collect=dfc_table_match \
				--callgrind-out-file="$tmp/cg.out" "$B/bench_ruleset" \
				-l "${BENCH_RULE_LOOKUPS:-20000}" -t "$tr" \
				< "$tmp/rules" > "$tmp/res" 2>"$tmp/err" || {
				cat "$tmp/err" >&2
				exit 1
			}
			ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$tmp/cg.out")
			echo "profile=$p traffic=$tr $(cat "$tmp/res") insn_per_pkt=$(awk -v ir="$ir" \
				-v l="$(tr ' ' '\n' < "$tmp/res" | sed -n 's/^lookups=//p')" \
				'BEGIN { printf "%.1f", ir / l }')"
		done
		# Cost of an ADD and a DELETE: instructions of dfc_table_insert
		# and dfc_table_remove per accepted criterion, whole run.
		cost=""
		for fn in dfc_table_insert dfc_table_remove; do
			valgrind --tool=callgrind --toggle-collect=$fn \
				--callgrind-out-file="$tmp/cg.out" "$B/bench_ruleset" -l 1 \
				< "$tmp/rules" > "$tmp/res" 2>"$tmp/err" || {
				cat "$tmp/err" >&2
				exit 1
			}
			ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$tmp/cg.out")
			cost="$cost $fn=$(awk -v ir="$ir" \
				-v a="$(tr ' ' '\n' < "$tmp/res" | sed -n 's/^accepted=//p')" \
				'BEGIN { printf "%.0f", a ? ir / a : 0 }')"
		done
		echo "profile=$p rules=$n update_insn$cost"
	done
done | tee "$tmp/rulesets"

# Targets.
awk '
{
	for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	n = v["filters"]; m = v["masks"]
	insn[n, m] = v["insn_per_pkt"]
	if (!(m in ms)) { ms[m] = 1; order[++nm] = m }
	# Per table a frame looks at, hashed or ruled out by its address filter.
	per = v["insn_per_pkt"] / (v["tables"] > 0 ? v["tables"] : 1)
	if (per > worst_per) { worst_per = per; wp = n " filters, " m " masks" }
	if (v["bytes_per_filter"] > worst_b) { worst_b = v["bytes_per_filter"]; wb = n " filters, " m " masks" }
}
END {
	bad = 0
	for (j = 1; j <= nm; j++) {
		m = order[j]
		# From 10k: below that the address filters rule out most
		# tables, so small sets cost less still.
		if (!((10000, m) in insn) || !((1000000, m) in insn))
			continue
		r = insn[1000000, m] / insn[10000, m]
		ok = r <= 1.2
		bad += !ok
		printf "ratio masks=%d insn_1M/insn_10k=%.3f (target <= 1.2) %s\n", m, r, ok ? "ok" : "MISSED"
	}
	ok = worst_per <= 150; bad += !ok
	printf "insn_per_table max=%.1f at %s (target <= 150) %s\n", worst_per, wp, ok ? "ok" : "MISSED"
	ok = worst_b <= 256; bad += !ok
	printf "bytes_per_filter max=%.1f at %s (target <= 256) %s\n", worst_b, wb, ok ? "ok" : "MISSED"
	# No regression on the uniform sets: 1,234 before port ranges.
	if ((100000, 16) in insn) {
		ok = insn[100000, 16] <= 1234; bad += !ok
		printf "uniform 100000 filters, 16 masks: %.1f insn/frame (target <= 1234) %s\n", insn[100000, 16], ok ? "ok" : "MISSED"
	}
	exit bad ? 1 : 0
}' "$tmp/table" || missed=1

# Rule-set goals: every rule accepted at the default limits, at most 16
# masks probed per frame, at most 256 bytes per criterion
# (docs/classifier.md).
awk '
/update_insn/ { next }
{
	for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	c = v["profile"] " " v["rules"] " rules, " v["traffic"]
	ok = v["refused_masks"] + v["refused_size"] == 0; bad += !ok
	printf "%s: %d refused (target 0) %s\n", c, v["refused_masks"] + v["refused_size"], ok ? "ok" : "MISSED"
	ok = v["masks_probed"] <= 16; bad += !ok
	printf "%s: %.1f masks probed per frame (target <= 16) %s\n", c, v["masks_probed"], ok ? "ok" : "MISSED"
	ok = v["bytes_per_crit"] <= 256; bad += !ok
	printf "%s: %.1f bytes per criterion (target <= 256) %s\n", c, v["bytes_per_crit"], ok ? "ok" : "MISSED"
}
END { exit bad ? 1 : 0 }' "$tmp/rulesets" || missed=1
exit "${missed:-0}"
