# SPDX-License-Identifier: GPL-2.0
# make bench-datapath's shared helpers (sourced by run.sh, inside the
# benchmark's namespace): pktgen in xmit_mode netif_receive into the dummy
# port dp0, trials, best of N, one JSON line per case.
#
# pktgen hands each frame to netif_receive_skb() on dp0, as a driver
# would: its rate is the cost of receiving one frame, with whatever hooks
# dp0 has. The destination MAC is not dp0's, so a frame that gets past
# the hooks is dropped at once by ip_rcv() (PACKET_OTHERHOST).

PG=/proc/net/pktgen
DP_DEV=dp0
DP_THREADS=1		# pktgen threads (one per CPU): 1 or 2
DP_BURST=64		# frames per skb built (1: a new frame, and flow, each time)

# pg FILE CMD: one pktgen command.
pg() {
	echo "$2" > "$PG/$1" || { echo "bench-datapath: pktgen $1: '$2' refused" >&2; return 1; }
}

# dp_pg_each CMD...: the commands on every pktgen device in use.
dp_pg_each() {
	for _t in $(seq 0 $((DP_THREADS - 1))); do
		for _c in "$@"; do pg "$DP_DEV@$_t" "$_c" || return 1; done
	done
}

# dp_pg_threads N: N pktgen devices on dp0, one per thread (CPU 0, 1).
dp_pg_threads() {
	for _t in 0 1; do
		[ -e "$PG/kpktgend_$_t" ] && { pg "kpktgend_$_t" rem_device_all || return 1; }
	done
	[ -e "$PG/kpktgend_$(($1 - 1))" ] || { echo "bench-datapath: no pktgen thread $(($1 - 1)) (CPUs: $(nproc))" >&2; return 1; }
	DP_THREADS=$1
	for _t in $(seq 0 $(($1 - 1))); do
		pg "kpktgend_$_t" "add_device $DP_DEV@$_t" || return 1
	done
	dp_pg_each "xmit_mode netif_receive" "count 0" "delay 0" "flag NO_TIMESTAMP" \
		"dst_mac 02:00:00:00:00:99" "burst $DP_BURST" "pkt_size 64"
}

# dp_flow SRC DST SPORT DPORT [SIZE]: every frame the same UDP flow.
dp_flow() {
	dp_pg_each "flag !IPSRC_RND" "flag !IPDST_RND" "flag !UDPSRC_RND" "flag !UDPDST_RND" \
		"src_min $1" "src_max $1" "dst_min $2" "dst_max $2" \
		"udp_src_min $3" "udp_src_max $3" "udp_dst_min $4" "udp_dst_max $4" \
		"pkt_size ${5:-64}"
}

# dp_range SMIN SMAX DMIN DMAX SPMIN SPMAX DPMIN DPMAX: UDP frames drawn at
# random inside those ranges (pktgen draws each field in [min, max]).
dp_range() {
	dp_pg_each "flag IPSRC_RND" "flag IPDST_RND" "flag UDPSRC_RND" "flag UDPDST_RND" \
		"src_min $1" "src_max $2" "dst_min $3" "dst_max $4" \
		"udp_src_min $5" "udp_src_max $6" "udp_dst_min $7" "udp_dst_max $8" "pkt_size 64"
}

# dp_trial SECONDS: pktgen runs that long on every device; prints
# "FRAMES PPS" (frames summed, rates summed over the threads).
dp_trial() {
	rm -f "$W/stopped"
	{ echo start > "$PG/pgctrl"; : > "$W/stopped"; } &
	_p=$!
	sleep "$1"
	# A stop written before the start is lost: write it until pktgen is stopped.
	until [ -e "$W/stopped" ]; do
		echo stop > "$PG/pgctrl"
		sleep 0.2
	done
	wait "$_p"
	for _t in $(seq 0 $((DP_THREADS - 1))); do
		# Result: OK: USEC(cUSEC+dUSEC) usec, FRAMES (64byte,0frags)
		sed -n 's/^Result: OK: \([0-9]*\)(.*) usec, \([0-9]*\) (.*/\1 \2/p' "$PG/$DP_DEV@$_t"
	done | awk '{ n += $2; if ($1 > 0) r += $2 * 1e6 / $1 } END { printf "%d %.0f\n", n, r }'
}

# dp_measure: DP_TRIALS trials of DP_SECONDS; sets DP_PPS (the best),
# DP_ALL (every rate, a JSON array) and DP_SENT (frames, all trials).
dp_measure() {
	DP_PPS=0 DP_SENT=0 DP_ALL=
	for _ in $(seq "$DP_TRIALS"); do
		set -- $(dp_trial "$DP_SECONDS")
		DP_SENT=$((DP_SENT + ${1:-0}))
		DP_ALL="$DP_ALL${DP_ALL:+,}${2:-0}"
		[ "${2:-0}" -gt "$DP_PPS" ] && DP_PPS=${2:-0}
	done
	DP_ALL="[$DP_ALL]"
}

# dp_record KEY=VALUE...: one JSON object on a line into $DP_OUT; a value
# that is a number, null or a JSON array stays as is, others are strings.
dp_record() {
	_l= _s=
	for _kv in "$@"; do
		_k=${_kv%%=*} _v=${_kv#*=}
		case $_v in
		null | \[*\]) ;;
		'' | *[!0-9.]*) _v="\"$_v\"" ;;
		esac
		_l="$_l$_s\"$_k\":$_v"
		_s=,
	done
	echo "{$_l}" >> "$DP_OUT"
	echo "# $*"
}

# Each case reads dfc's counters before and after: no jq there, only
# shell builtins on dfcctl's output (every process start costs a lot
# under TCG; the smoke test in make check runs 10 cases).

# dfc's namespace counters (dfcctl stats: "name: value" lines) as
# "MATCHED PROBED PARSED COPIES".
dp_dfc_stats() {
	"$DFCCTL" stats | {
		_m= _p= _n= _c=
		while read -r _k _v; do
			case $_k in
			matched:) _m=$_v ;;
			masks_probed:) _p=$_v ;;
			parsed:) _n=$_v ;;
			copies:) _c=$_v ;;
			esac
		done
		echo "${_m:?} ${_p:?} ${_n:?} ${_c:?}"
	}
}

# dp_dfc_crit OWNER ID: the packets one criterion counted (the first
# "packets" member of dfcctl's compact JSON is the criterion's count).
dp_dfc_crit() {
	_j=$("$DFCCTL" -j filter show owner "$1" id "$2") || return 1
	case $_j in *'"packets":'*) ;; *) echo "bench-datapath: no criterion $1/$2" >&2; return 1 ;; esac
	_j=${_j#*\"packets\":}
	echo "${_j%%[!0-9]*}"
}

# dp_nft_counted TABLE: the packets the rule counters of netdev TABLE
# counted. Listed tersely: "nft list chain" fetches every set element
# first (about 5 minutes for a million under TCG); "-t list ruleset"
# leaves named sets' elements out, rules and their counters in.
dp_nft_counted() {
	nft -t list ruleset |
		awk -v t="table netdev $1 {" '$0 == t { in_t = 1; next } /^}/ { in_t = 0 }
			in_t { for (i = 1; i < NF; i++) if ($i == "packets") n += $(i + 1) }
			END { print n + 0 }'
}

# dp_esp_out: packets the outbound ESP SAs have protected so far (every
# SA the namespace holds is one of the copies section's, all outbound).
dp_esp_out() {
	ip -s xfrm state | awk '/lifetime current:/ { getline; sub(/\(packets\).*/, "", $2); n += $2 }
		END { print n + 0 }'
}

# dp_esp_begin, dp_esp_end: around a case, with DP_ESP set, "esp=N": the
# packets ESP protected meanwhile (nothing without DP_ESP).
dp_esp_begin() {
	[ -z "${DP_ESP:-}" ] || _e0=$(dp_esp_out)
}

dp_esp_end() {
	[ -z "${DP_ESP:-}" ] || echo "esp=$(($(dp_esp_out) - _e0))"
}

# dp_dfc_case KEY=VALUE...: measure with dfc attached; records the rate,
# the frames matched (all trials) and the masks probed per frame (dfc's
# stage counters: masks probed over frames parsed). With DP_CRIT="OWNER
# ID", also what that criterion counted.
dp_dfc_case() {
	set -- "$@" threads=$DP_THREADS burst=$DP_BURST
	_c0=0
	[ -z "${DP_CRIT:-}" ] || _c0=$(dp_dfc_crit $DP_CRIT)
	_s0=$(dp_dfc_stats)
	dp_esp_begin
	dp_measure
	_esp=$(dp_esp_end)
	_s1=$(dp_dfc_stats)
	_cnt=null
	[ -z "${DP_CRIT:-}" ] || _cnt=$(($(dp_dfc_crit $DP_CRIT) - _c0))
	set -- "$@" $(echo "$_s0 $_s1" | awk '{
		printf "matched=%d copies=%d probed=%.2f", $5 - $1, $8 - $4,
			($7 > $3) ? ($6 - $2) / ($7 - $3) : 0 }')
	dp_record "$@" $_esp pps="$DP_PPS" trials="$DP_ALL" sent="$DP_SENT" counted="$_cnt"
}

# dp_nft_case TABLE KEY=VALUE...: measure with TABLE's chain on dp0; counted
# is what its counters counted (TABLE "-": none read).
dp_nft_case() {
	_tb=$1
	shift
	set -- "$@" threads=$DP_THREADS burst=$DP_BURST
	_c0=0
	[ "$_tb" = - ] || _c0=$(dp_nft_counted "$_tb")
	dp_measure
	_cnt=null
	[ "$_tb" = - ] || _cnt=$(($(dp_nft_counted "$_tb") - _c0))
	dp_record "$@" pps="$DP_PPS" trials="$DP_ALL" sent="$DP_SENT" counted="$_cnt"
}

# dp_plain_case KEY=VALUE...: measure, nothing read but the rate (and,
# with DP_ESP, what ESP protected).
dp_plain_case() {
	dp_esp_begin
	dp_measure
	dp_record "$@" $(dp_esp_end) threads=$DP_THREADS burst=$DP_BURST pps="$DP_PPS" \
		trials="$DP_ALL" sent="$DP_SENT" counted=null
}

# dp_nft FILE: nft -f, saying which file failed.
dp_nft() {
	nft -f "$1" || { echo "bench-datapath: nft -f $1 failed" >&2; return 1; }
}

# dp_nft_sets FILE N: a rule set's nft file (tools/bench_dp_rules.c): the
# table in one transaction, then each "add element" command (at most 500
# elements) in one of its own, then a check that the sets hold N elements.
# In one transaction Debian's 6.1 refuses the 8k sets (ENOBUFS for acl,
# EEXIST for fw and ipc), though the same commands in the same order load
# one by one.
dp_nft_sets() {
	grep -v '^add element' "$1" > "$1.table" && dp_nft "$1.table" || return 1
	grep '^add element' "$1" | while IFS= read -r line; do
		printf '%s\n' "$line" > "$1.elems"
		dp_nft "$1.elems" || return 1
	done || return 1
	got=$(nft -j list table netdev dprules |
		jq '[.nftables[] | select(.set) | .set.elem // [] | length] | add')
	[ "$got" = "$2" ] || { echo "bench-datapath: nft sets hold $got of $2 rules" >&2; return 1; }
}

# dp_batch FILE: dfcctl -batch, saying which file failed.
dp_batch() {
	"$DFCCTL" -batch "$1" || { echo "bench-datapath: dfcctl -batch $1 failed" >&2; return 1; }
}

# dp_now: seconds since boot, with hundredths.
dp_now() { cut -d' ' -f1 /proc/uptime; }
