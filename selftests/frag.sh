#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Later fragments follow their first fragment, in the guest:
#
#   gen: p0 ---veth--- m0 :mon   (dfc on m0, passive)
#                      c0 ---veth--- d0 :dst (198.51.100.2 and .3)
#
# 4000-byte UDP datagrams, cut into three fragments of at most 1500 bytes,
# are sent from gen in every order that matters (selftests/frag.py), IPv4
# and IPv6. Criteria ask for the destination port, which only the first
# fragment carries: destination 1 (198.51.100.2) gets flow X (dport 5001),
# destination 2 (198.51.100.3) flow Y (src 192.0.2.7 / 2001:db8::7, dport
# 5002), nobody flow Z (dport 6000). At dst, every fragment of X and Y
# must arrive at its destination exactly once per time it was sent, byte
# for byte, and nothing else; the fragment table's counters (hits, held,
# missed, evicted, entries) must say exactly what happened. Then the
# bounds: a flood of first fragments nobody wants takes no memory, a flood
# of later fragments with no first holds no more than frag-hold, matched
# datagrams beyond frag-max evict the oldest, entries expire after
# frag-timeout, and frag-max 0 turns following off (the control: the same
# reversed datagram then loses its later fragments).
. "$(dirname "$0")/lib.sh"


trap cleanup_ns EXIT
ktap_header
dfc_unload 2>/dev/null
need_python3 fragments

fs() { dfcctl "$MON" -j stats | jq -r ".frag_$1"; }
# counters: "hits held missed evicted" now
counters() { dfcctl "$MON" -j stats | jq -r '"\(.frag_hits) \(.frag_held) \(.frag_missed) \(.frag_evicted)"'; }
crit_packets() {
	dfcctl "$MON" -j filter show terse | jq -r ".[] | select(.owner == $1 and .id == $2) | .packets"
}

ID=1000
# frag DESC V SEQ EXPECT WAIT [ID]: frag.py's verdict for one sequence
frag() {
	ID=$((ID + 8))
	out=$(ip netns exec "$DST" "$PY" "$TOP/selftests/frag.py" --gen-ns "/run/netns/$GEN" \
		--tx p0 --rx d0 --v "$2" --id "${6:-$ID}" --seq "$3" --expect "$4" \
		--wait "$(slow "$5")" 2>&1)
	want=$(awk -v seq="$3" -v ex=" $4" 'BEGIN {
		n = split(seq, s, " ")
		for (i = 1; i <= n; i++)
			if (index(ex, " " substr(s[i], 1, 1) ":") || index(ex, " " s[i] ":"))
				w++
		printf "sent=%d copies=%d want=%d exact=1", n, w, w }')
	check_eq "$1" "$out" "$want"
}

# case DESC V SEQ EXPECT WAIT "HITS HELD MISSED EVICTED": copies and counters
case_() {
	before=$(counters)
	frag "$1" "$2" "$3" "$4" "$5"
	got=$(echo "$before $(counters)" | awk '{ print $5 - $1, $6 - $2, $7 - $3, $8 - $4 }')
	check_eq "$1: hits held missed evicted" "$got" "$6"
}

copy_lab_up
check "criterion 1/1: dport 5001 to destination 1" \
	dfcctl "$MON" filter add owner 1 id 1 static cdest 1 proto 17 dport 5001
check "criterion 2/2: 192.0.2.7 dport 5002 to destination 2" \
	dfcctl "$MON" filter add owner 2 id 2 static cdest 2 src 192.0.2.7 dport 5002
check "criterion 2/3: 2001:db8::7 dport 5002 to destination 2" \
	dfcctl "$MON" filter add owner 2 id 3 static cdest 2 src 2001:db8::7 dport 5002
check_eq "defaults: frag-max, frag-timeout, frag-hold" \
	"$(dfcctl "$MON" -j limits show | jq -r '"\(.frag_max) \(.frag_timeout) \(.frag_hold)"')" \
	"4096 30 1048576"
# Every datagram below is remembered until the count of entries.
check "frag-timeout 3600" dfcctl "$MON" limits set frag-timeout 3600

X="X:$D1 Y:$D2"
x1=0
for v in 4 6; do
	case_ "ipv$v in order" $v "X0 X1 X2" "$X" 2 "2 0 0 0"
	case_ "ipv$v reversed" $v "X2 X1 X0" "$X" 2 "2 2 0 0"
	case_ "ipv$v interleaved with another flow" $v "X0 Y0 X1 Y1 X2 Y2" "$X" 2 "4 0 0 0"
	case_ "ipv$v interleaved, later ones first" $v "Y2 X1 Y1 X2 X0 Y0" "$X" 2 "4 4 0 0"
	case_ "ipv$v duplicate fragment" $v "X0 X1 X1 X2" "$X" 2 "3 0 0 0"
	case_ "ipv$v missing first fragment: held, then missed" $v "X1 X2" "" 4 "0 2 2 0"
	case_ "ipv$v nobody's datagram: not held" $v "Z0 Z1 Z2" "$X" 2 "0 0 0 0"
	case_ "ipv$v nobody's datagram, reversed: held, not missed" $v "Z2 Z1 Z0" "$X" 2 "0 2 0 0"
	x1=$((x1 + 3 + 3 + 3 + 3 + 4))
done
check_eq "criterion 1/1 counted every fragment of X" "$(crit_packets 1 1)" "$x1"
check_eq "criterion 2/2 counted every IPv4 fragment of Y" "$(crit_packets 2 2)" 6
check_eq "criterion 2/3 counted every IPv6 fragment of Y" "$(crit_packets 2 3)" 6
check_eq "one entry per matched datagram (7 per IP version), none held" \
	"$(fs entries)" 14

# Expiry: a datagram is remembered frag-timeout seconds, as it is now.
check "frag-timeout 2" dfcctl "$MON" limits set frag-timeout 2
sleep "$(slow 3)"
check_eq "all expired" "$(fs entries) $(fs mem)" "0 0"
ID=$((ID + 8))
frag "expiry: first fragment" 4 "X0" "$X" 1 "$ID"
sleep "$(slow 3)"
before=$(counters)
frag "expiry: later fragments after frag-timeout are not followed" 4 "X1 X2" "" 4 "$ID"
got=$(echo "$before $(counters)" | awk '{ print $5 - $1, $6 - $2, $7 - $3, $8 - $4 }')
check_eq "expiry: hits held missed evicted" "$got" "0 2 2 0"

# Bounds.
seen() { dfcctl "$MON" -j interface show m0 | jq -r '.[0].seen'; }
# flood ID FLOW:KIND:N...
flood() {
	id=$1
	shift
	ip netns exec "$DST" "$PY" "$TOP/selftests/frag.py" --gen-ns "/run/netns/$GEN" \
		--tx p0 --v 4 --id "$id" --flood "$@"
}
s0=$(seen)
check "flood: 1000 first fragments nobody wants" flood 20000 Z:first:1000
check_eq "flood: m0 saw them" "$(($(seen) - s0))" 1000
check_eq "flood: no datagram remembered" "$(fs entries) $(fs mem)" "0 0"

check "frag-hold 65536" dfcctl "$MON" limits set frag-hold 65536
before=$(counters)
check "flood: 1000 later fragments with no first" flood 30000 Z:later:1000
mem=$(fs mem)
held=$(($(echo "$(counters)" | awk '{ print $2 }') - $(echo "$before" | awk '{ print $2 }')))
if [ "$held" -gt 0 ] && [ "$held" -lt 1000 ]; then
	ok "flood: some held ($held), not all"
else
	fail "flood: some held, not all" "held $held of 1000"
fi
# Entries are at most 256 bytes each here.
if [ "$mem" -le $((65536 + held * 256)) ]; then
	ok "flood: memory within frag-hold ($mem bytes)"
else
	fail "flood: memory within frag-hold" "$mem bytes for $held held"
fi
sleep "$(slow 4)"
got=$(echo "$before $(counters)" | awk '{ print $7 - $3 }')
check_eq "flood: every one missed, held or not" "$got" 1000
check_eq "flood: nothing left" "$(fs entries) $(fs mem)" "0 0"

check "frag-max 16" dfcctl "$MON" limits set frag-max 16 frag-timeout 30
before=$(counters)
check "eviction: a held fragment, then 40 matched datagrams" flood 40000 Z:later:1 X:first:40
got=$(echo "$before $(counters)" | awk '{ print $6 - $2, $7 - $3, $8 - $4 }')
check_eq "eviction: the held one missed at once, 25 evicted" "$got" "1 1 25"
check_eq "eviction: 16 remembered" "$(fs entries)" 16

check "frag-max 0: following off" dfcctl "$MON" limits set frag-max 0
p1=$(crit_packets 1 1)
case_ "frag-max 0: reversed datagram, only its first fragment" 4 "X2 X1 X0" "X0:$D1" 2 "0 0 0 0"
check_eq "frag-max 0: criterion 1/1 counted one" "$(($(crit_packets 1 1) - p1))" 1

check "module unloads" rmmod dfc
ktap_finish
