#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench-datapath's smallest run (DP_QUICK=1: one short trial of one
# case of each kind: nothing on the port; 1000 dfc criteria with a frame
# matching one and one matching none; the same as an nft set; a 100-rule
# acl set in dfc and in nft pipapo sets; dfc copying to one destination,
# plain and through an ESP SA),
# so that make check fails when the benchmark breaks: every case is there
# with a positive rate, and what the engines counted agrees with what
# pktgen sent (dfc's criterion counts every matching frame, a frame
# matching nothing counts nothing, a copy per frame, ESP protecting every
# copy of the ESP case; nft's counters likewise); the report and the
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

# up: seconds since boot (each step's time goes into the log).
up() { cut -d' ' -f1 /proc/uptime; }
t=$(up)
# Progress as it comes (sections, errors): a run cut short by the
# runner's timeout still says how far it got.
{ DP_QUICK=1 sh "$D/run.sh" "$T" 2>&1; echo $? > "$T/rc"; } | tee "$T/log" |
	sed -un 's/^\(# bench\|# section \|bench-datapath: \)/# \1/p'
if [ "$(cat "$T/rc")" = 0 ]; then
	ok "run.sh DP_QUICK=1 completes"
else
	fail "run.sh DP_QUICK=1 completes" "$(tail -n 30 "$T/log")"
fi
echo "# run.sh took $(echo "$(up) - $t" | bc) s"
J=$T/cases.jsonl

# Every check is a count of cases (one jq run for all: each process start
# costs under TCG). want WANT NAME SELECT: WANT is the count SELECT must
# keep ("+": more than none).
specs=
want() { specs="$specs$1|$2|$3
"; }
want 11 "11 cases" 'true'
want 0 "every case has a positive rate and sent frames" '.pps <= 0 or .sent <= 0'
for sel in \
	'.section == "base" and .engine == "none"' \
	'.section == "uniform" and .engine == "dfc" and .traffic == "match" and .masks == 1' \
	'.section == "uniform" and .engine == "dfc" and .traffic == "nomatch"' \
	'.section == "uniform" and .engine == "nft-set" and .traffic == "match"' \
	'.section == "rulesets" and .engine == "dfc" and .traffic == "match"' \
	'.section == "rulesets" and .engine == "nft-pipapo" and .traffic == "match"' \
	'.section == "copies" and .engine == "none"' \
	'.section == "copies" and .engine == "dfc" and .ndest == 1 and .xfrm == "plain"' \
	'.section == "copies" and .engine == "dfc" and .ndest == 1 and .xfrm == "esp"'; do
	want + "cases: $sel" "$sel"
done
# What the engines counted.
want 0 "dfc, matching frame: the criterion counted every frame sent" \
	'.engine == "dfc" and .section == "uniform" and .traffic == "match" and .counted != .sent'
want 0 "dfc, frame matching nothing: nothing matched" \
	'.engine == "dfc" and (.traffic == "nomatch") and .matched != 0'
# A frame from a network no criterion holds may pass the table over
# (its address map, kmod/addrmap.h): at most one probe then.
want 0 "dfc, 1 mask: a matching frame probes it" \
	'.engine == "dfc" and .section == "uniform" and .masks == 1 and .traffic == "match" and .probed != 1'
want 0 "dfc, 1 mask: no frame probes more" \
	'.engine == "dfc" and .section == "uniform" and .masks == 1 and .probed > 1'
want 0 "nft set, matching frame: its counter counted every frame" \
	'.engine == "nft-set" and .traffic == "match" and .counted != .sent'
want 0 "rule sets, dfc: every frame drawn inside a rule matched" \
	'.section == "rulesets" and .engine == "dfc" and .traffic == "match" and .matched != .sent'
want 0 "rule sets, dfc: more than one table (the rules have many shapes)" \
	'.section == "rulesets" and .engine == "dfc" and .masks <= 1'
want 0 "rule sets, dfc: no frame probes more tables than there are" \
	'.section == "rulesets" and .engine == "dfc" and .probed > .masks'
want 0 "rule sets, pipapo: every frame drawn inside a rule counted" \
	'.section == "rulesets" and .engine == "nft-pipapo" and .traffic == "match" and .counted < .sent'
want 0 "copies, dfc: a copy per destination per frame" \
	'.section == "copies" and .engine == "dfc" and (.copies != .ndest * .sent or .counted != .sent)'
# Through ESP, the SAs protected every copy; plain, no case counts any.
want 0 "copies through ESP: the SAs protected every copy" \
	'.section == "copies" and .xfrm == "esp" and .esp != (if .engine == "dfc" then .copies else .ndest * .sent end)'
want 0 "copies in the clear: no ESP count" '.section == "copies" and .xfrm == "plain" and .esp != null'

# The jq program: the counts, one a line, in the order of specs.
# (The lists split at newlines only; IFS is back to normal in the bodies.)
prog= IFS0=$IFS nl='
'
IFS=$nl
for l in $specs; do
	IFS=$IFS0
	prog="$prog${prog:+, }([.[] | select(${l#*|*|})] | length)"
done
counts=$(jq -s "$prog" "$J" 2>&1) || counts=
set -- $counts
IFS=$nl
for l in $specs; do
	IFS=$IFS0
	w=${l%%|*} name=${l#*|}
	name=${name%%|*}
	if [ -z "$counts" ]; then
		fail "$name" "no cases read from $J"
	elif [ "$w" = + ]; then
		check "$name" test "$1" -gt 0
	else
		check_eq "$name" "$1" "$w"
	fi
	[ $# = 0 ] || shift
done

# The report and the plots, from these cases.
printf '{"date":"test","kernel":"%s","trials":1,"seconds":1}\n' "$(uname -r)" > "$T/meta.json"
t=$(up)
check "report.py writes the tables" "$PY" "$D/report.py" "$T"
echo "# report.py took $(echo "$(up) - $t" | bc) s"
check_eq "datapath.json: cases and ratios" \
	"$(jq '(.cases | length) == 11 and
		([.ratios.uniform[] | select(.dfc_over_nft_set > 0)] | length) > 0 and
		([.ratios.rulesets[] | select(.dfc_over_pipapo_match > 0)] | length) > 0 and
		([.ratios.copies[] | select(.rate > 0)] | length) > 0' "$T/datapath.json" 2>&1)" true
if command -v gnuplot >/dev/null; then
	t=$(up)
	check "plot.sh draws the plots" sh "$D/plot.sh" "$T"
	echo "# plot.sh took $(echo "$(up) - $t" | bc) s"
	# cpus.png needs two-thread cases, which a quick run has not.
	for p in uniform rulesets copies; do
		check "$p.png is a PNG" sh -c "head -c 4 '$T/$p.png' | grep -q PNG"
	done
else
	skip "plot.sh draws the plots" "gnuplot not installed (make deps)"
fi
ktap_finish
