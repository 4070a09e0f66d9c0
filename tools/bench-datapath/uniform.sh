# SPDX-License-Identifier: GPL-2.0
# make bench-datapath, sections "base" and "uniform" (sourced by run.sh):
# nothing on the port, nft drop-all, dfc attached without criteria; then
# the same N criteria over M masks (tools/bench_dp_uniform.c) in dfc, in
# nft sets (a hash set per mask) and as linear nft rules, with a frame
# that matches one of them and one that matches none. Sizes grow by
# adding to what is there: 1k, then 9k more, and so on.

# The matching frame (criterion MASKS-1) and the one matching nothing.
dp_frames() {
	set -- $("$UNIFORM" -k frame -m "$1")
	MATCH="$1 $2 $3 $4"
	NOMATCH="172.16.0.1 172.17.0.1 $3 $4"
}

dp_base() {
	dp_frames 1
	for th in $DP_CPUS; do
		dp_pg_threads "$th" || return 1
		dp_flow $NOMATCH
		for e in $DP_BASE; do
			case $e in
			none)
				dp_plain_case section=base engine=none n=0 masks=0 traffic=nomatch size=64 ;;
			nft-drop)
				printf 'table netdev dpdrop {\n\tchain in {\n\t\ttype filter hook ingress device %s priority 0; policy drop;\n\t}\n}\n' \
					"$DP_DEV" > "$W/drop.nft"
				dp_nft "$W/drop.nft" || return 1
				dp_nft_case - section=base engine=nft-drop n=0 masks=0 traffic=nomatch size=64
				nft delete table netdev dpdrop ;;
			dfc)
				"$DFCCTL" interface add "$DP_DEV" || return 1
				dp_dfc_case section=base engine=dfc n=0 masks=0 traffic=nomatch size=64
				"$DFCCTL" interface del "$DP_DEV" ;;
			*)
				echo "bench-datapath: unknown base case '$e'" >&2
				return 1 ;;
			esac
		done
	done
	dp_pg_threads 1
}

# dp_sizes MASKS: the sizes measured at MASKS (DP_BIG only at DP_BIG_MASKS).
dp_sizes() {
	echo "$DP_SIZES"
	case " $DP_BIG_MASKS " in *" $1 "*) echo "$DP_BIG" ;; esac
}

# dp_uniform_dfc MASKS: dfc holding 1k, 10k, 100k... criteria (owner 1).
dp_uniform_dfc() {
	m=$1 have=0
	dp_frames "$m"
	"$DFCCTL" interface add "$DP_DEV" || return 1
	for n in $(dp_sizes "$m"); do
		"$UNIFORM" -k dfc -m "$m" -f "$have" -t "$n" -o 1 > "$W/crits" || return 1
		t0=$(dp_now)
		dp_batch "$W/crits" || return 1
		echo "# dfc: $((n - have)) criteria over $m masks added in $(echo "$(dp_now) - $t0" | bc) s"
		have=$n
		dp_flow $MATCH
		DP_CRIT="1 $m"
		dp_dfc_case section=uniform engine=dfc n="$n" masks="$m" traffic=match size=64
		DP_CRIT=
		if dp_nomatch dfc; then
			dp_flow $NOMATCH
			dp_dfc_case section=uniform engine=dfc n="$n" masks="$m" traffic=nomatch size=64
		fi
		# One vs two CPUs, on one size of the middle mask count.
		if [ "$n" = "$DP_CPU_SIZE" ] && [ "$m" = "$DP_CPU_MASKS" ] && [ "$DP_CPUS" != 1 ]; then
			DP_CRIT="1 $m"
			dp_pg_threads 2 && dp_flow $MATCH &&
				dp_dfc_case section=uniform engine=dfc n="$n" masks="$m" traffic=match size=64
			DP_CRIT=
			dp_pg_threads 1
		fi
	done
	"$DFCCTL" interface del "$DP_DEV"
	"$DFCCTL" filter del owner 1 static > /dev/null
}

# dp_uniform_nft MASKS: the same criteria as elements of a hash set per mask.
dp_uniform_nft() {
	m=$1 have=0
	dp_frames "$m"
	"$UNIFORM" -k nft-init -m "$m" -d "$DP_DEV" > "$W/init.nft" && dp_nft "$W/init.nft" || return 1
	for n in $(dp_sizes "$m"); do
		"$UNIFORM" -k nft-set -m "$m" -f "$have" -t "$n" > "$W/elems.nft" || return 1
		t0=$(dp_now)
		dp_nft "$W/elems.nft" || return 1
		echo "# nft: $((n - have)) elements in $m sets added in $(echo "$(dp_now) - $t0" | bc) s"
		have=$n
		dp_flow $MATCH
		dp_nft_case dpbench section=uniform engine=nft-set n="$n" masks="$m" traffic=match size=64
		if dp_nomatch nft-set; then
			dp_flow $NOMATCH
			dp_nft_case dpbench section=uniform engine=nft-set n="$n" masks="$m" traffic=nomatch size=64
		fi
		if [ "$n" = "$DP_CPU_SIZE" ] && [ "$m" = "$DP_CPU_MASKS" ] && [ "$DP_CPUS" != 1 ]; then
			dp_pg_threads 2 && dp_flow $MATCH &&
				dp_nft_case dpbench section=uniform engine=nft-set n="$n" masks="$m" \
					traffic=match size=64
			dp_pg_threads 1
		fi
	done
	nft delete table netdev dpbench
}

# dp_uniform_linear MASKS: the same criteria as one rule each, the
# matching one among the last (rules are inserted at the top).
dp_uniform_linear() {
	m=$1 have=0
	dp_frames "$m"
	"$UNIFORM" -k nft-init -m "$m" -d "$DP_DEV" > "$W/init.nft" && dp_nft "$W/init.nft" || return 1
	nft flush chain netdev dpbench in
	for n in $DP_LINEAR; do
		"$UNIFORM" -k nft-linear -m "$m" -f "$have" -t "$n" > "$W/rules.nft" || return 1
		t0=$(dp_now)
		dp_nft "$W/rules.nft" || return 1
		echo "# nft: $((n - have)) rules added in $(echo "$(dp_now) - $t0" | bc) s"
		have=$n
		dp_flow $MATCH
		dp_nft_case - section=uniform engine=nft-linear n="$n" masks="$m" traffic=match size=64
		if dp_nomatch nft-linear; then
			dp_flow $NOMATCH
			dp_nft_case - section=uniform engine=nft-linear n="$n" masks="$m" traffic=nomatch size=64
		fi
	done
	nft delete table netdev dpbench
}

# dp_nomatch ENGINE: whether ENGINE gets a frame matching nothing too.
dp_nomatch() {
	case " $DP_NOMATCH " in *" $1 "*) return 0 ;; esac
	return 1
}

dp_uniform() {
	for m in $DP_MASKS; do
		dp_uniform_dfc "$m" && dp_uniform_nft "$m" || return 1
		[ -z "$DP_LINEAR" ] || dp_uniform_linear "$m" || return 1
	done
}
