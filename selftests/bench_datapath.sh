#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench-datapath's smallest run (DP_QUICK=1: one trial of each
# section's smallest case), so that make check fails when the benchmark
# breaks: every case is there with a positive rate, and what the engines
# counted agrees with what pktgen sent (dfc's criterion counts every
# matching frame, a frame matching nothing counts nothing, a copy per
# destination per frame; nft's counters likewise); the report and the
# plots are made from it.
. "$(dirname "$0")/lib.sh"

D=$TOP/tools/bench-datapath
T=$(mktemp -d /tmp/dpbench-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
ktap_header
dfc_unload 2>/dev/null
need_python3 "bench-datapath"
for c in nft jq tc; do
	command -v $c >/dev/null || { skip "bench-datapath" "$c not installed (make deps)"; ktap_finish; }
done

if DP_QUICK=1 sh "$D/run.sh" "$T" > "$T/log" 2>&1; then
	ok "run.sh DP_QUICK=1 completes"
else
	fail "run.sh DP_QUICK=1 completes" "$(tail -n 30 "$T/log")"
fi
sed 's/^/# /' "$T/log" | grep '^# # \(bench\|section\)'
J=$T/cases.jsonl
q() { jq -s "$1" "$J" 2>&1; }

# n SELECT: how many cases SELECT keeps.
n() { q "[.[] | select($1)] | length"; }
check_eq "22 cases" "$(q length)" 22
check_eq "every case has a positive rate and sent frames" "$(n '.pps <= 0 or .sent <= 0')" 0
for sel in \
	'.section == "base" and .engine == "none"' \
	'.section == "base" and .engine == "nft-drop"' \
	'.section == "base" and .engine == "dfc"' \
	'.section == "uniform" and .engine == "dfc"' \
	'.section == "uniform" and .engine == "nft-set"' \
	'.section == "uniform" and .engine == "nft-linear"' \
	'.section == "rulesets" and .engine == "dfc"' \
	'.section == "rulesets" and .engine == "nft-pipapo"' \
	'.section == "copies" and .engine == "dfc" and .ndest == 3' \
	'.section == "copies" and .engine == "tc-mirred" and .encap == "ip6tnl"' \
	'.threads == 2'; do
	check "cases: $sel" test "$(n "$sel")" -gt 0
done

# What the engines counted.
check_eq "dfc, matching frame: the criterion counted every frame sent" \
	"$(n '.engine == "dfc" and .section == "uniform" and .traffic == "match" and .counted != .sent')" 0
check_eq "dfc, frame matching nothing: nothing matched" \
	"$(n '.engine == "dfc" and (.traffic == "nomatch") and .matched != 0')" 0
check_eq "dfc, 1 mask: one mask probed per frame" \
	"$(n '.engine == "dfc" and .section == "uniform" and .masks == 1 and .probed != 1')" 0
check_eq "nft set, matching frame: its counter counted every frame" \
	"$(n '.engine == "nft-set" and .traffic == "match" and .counted != .sent')" 0
check_eq "nft set, frame matching nothing: counters still" \
	"$(n '.engine == "nft-set" and .traffic == "nomatch" and .counted != 0')" 0
check_eq "rule sets, dfc: every frame drawn inside a rule matched" \
	"$(n '.section == "rulesets" and .engine == "dfc" and .traffic == "match" and .matched != .sent')" 0
check_eq "rule sets, dfc: more than one mask probed (the rules have many shapes)" \
	"$(n '.section == "rulesets" and .engine == "dfc" and .probed <= 1')" 0
check_eq "rule sets, pipapo: every frame drawn inside a rule counted" \
	"$(n '.section == "rulesets" and .engine == "nft-pipapo" and .traffic == "match" and .counted < .sent')" 0
check_eq "copies, dfc: a copy per destination per frame" \
	"$(n '.section == "copies" and .engine == "dfc" and (.copies != .ndest * .sent or .counted != .sent)')" 0

# The report and the plots, from these cases.
printf '{"date":"test","kernel":"%s","trials":1,"seconds":1}\n' "$(uname -r)" > "$T/meta.json"
check "report.py writes the tables" "$PY" "$D/report.py" "$T"
check_eq "datapath.json: cases and ratios" \
	"$(jq '(.cases | length) == 22 and (.ratios.uniform | length) > 0 and (.ratios.copies | length) > 0' "$T/datapath.json" 2>&1)" true
if command -v gnuplot >/dev/null; then
	check "plot.sh draws the plots" sh "$D/plot.sh" "$T"
	for p in uniform rulesets copies cpus; do
		check "$p.png is a PNG" sh -c "head -c 4 '$T/$p.png' | grep -q PNG"
	done
else
	skip "plot.sh draws the plots" "gnuplot not installed (make deps)"
fi
ktap_finish
