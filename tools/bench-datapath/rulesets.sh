# SPDX-License-Identifier: GPL-2.0
# make bench-datapath, section "rulesets" (sourced by run.sh): ClassBench-
# style rule sets (tools/cbgen.c) held by dfc, one criterion a rule as
# dtcpd expands it (tools/bench_dp_rules.c writes dfcctl filter add lines;
# dfcctl expands them with lib/dfc_spec_expand.c), and by nftables pipapo sets
# (flags interval over addresses, protocol and ports) holding the same
# rules. Traffic: random UDP frames over the whole address and port space,
# then frames drawn inside a few rules (DP_SAMPLES), each rule a
# measurement of its own; a new frame (and flow) every time (burst 1).

# dp_rules_traffic ENGINE PROFILE N MASKS SETS: random, then matching frames.
dp_rules_traffic() {
	eng=$1 p=$2 n=$3 masks=$4 sets=$5
	set -- section=rulesets engine="$eng" profile="$p" n="$n" masks="$masks" sets="$sets" size=64
	dp_range 0.0.0.0 255.255.255.255 0.0.0.0 255.255.255.255 0 65535 0 65535
	if [ "$eng" = dfc ]; then
		dp_dfc_case "$@" traffic=random
	else
		dp_nft_case dprules "$@" traffic=random
	fi
	k=0
	while read -r r <&3; do
		dp_range $r
		if [ "$eng" = dfc ]; then
			dp_dfc_case "$@" traffic=match sample="$k"
		else
			dp_nft_case dprules "$@" traffic=match sample="$k"
		fi
		k=$((k + 1))
	done 3< "$W/frames"
}

dp_rulesets() {
	rc_rules=0
	DP_BURST=1
	dp_pg_threads 1 || return 1
	# At the default limits: every rule must be accepted (checked below).
	for p in $DP_PROFILES; do
		for n in $DP_RULES; do
			"$CBGEN" -p "$p" -n "$n" > "$W/rules" &&
			"$RULES" -k dfc -o 2 < "$W/rules" > "$W/rules.dfc" &&
			"$RULES" -k nft -d "$DP_DEV" < "$W/rules" > "$W/rules.nft" &&
			"$RULES" -k frames -n "$DP_SAMPLES" < "$W/rules" > "$W/frames" || return 1
			t0=$(dp_now)
			dp_batch "$W/rules.dfc" || return 1
			set -- $("$DFCCTL" -j stats | jq -r '"\(.crits) \(.masks)"')
			echo "# dfc: $p $n rules: $1 criteria, $2 masks, added in $(echo "$(dp_now) - $t0" | bc) s"
			[ "$1" = "$n" ] || { echo "bench-datapath: dfc holds $1 of $n rules" >&2; return 1; }
			masks=$2
			"$DFCCTL" interface add "$DP_DEV" || return 1
			dp_rules_traffic dfc "$p" "$n" "$masks" 0
			"$DFCCTL" interface del "$DP_DEV"
			"$DFCCTL" filter del owner 2 static > /dev/null
			sets=$(sed -n 's/^# sets //p' "$W/rules.nft")
			t0=$(dp_now)
			# nft refusing a rule set is reported, and the next one runs.
			if dp_nft_sets "$W/rules.nft" "$n"; then
				echo "# nft: $p $n rules in $sets pipapo sets, added in $(echo "$(dp_now) - $t0" | bc) s"
				dp_rules_traffic nft-pipapo "$p" "$n" 0 "$sets"
			else
				rc_rules=1
			fi
			nft delete table netdev dprules 2>/dev/null
		done
	done
	DP_BURST=64
	dp_pg_threads 1 && return $rc_rules
}
