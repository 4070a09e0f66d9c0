#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The frame parser end to end, in the guest:
#
#   gen: p0 ---veth--- m0 :mon   (dfc attached to m0, inside mon)
#        p0.100  802.1Q VLAN device on p0: its tag travels as hwaccel
#        p0.300  802.1ad VLAN device on p0: the same with an S-tag
#
# Crafted frames go from gen into m0 with a foreign destination MAC. The
# interface counters ipv4/ipv6/other come from the parse result, so every
# case checks exactly which of them a batch of frames lands in:
#   ipv4/ipv6: parsed into a key, behind up to two VLAN tags (hwaccel or
#              in-band) and up to 8 MPLS labels; among them, the frames
#              whose ports or ICMP fields could not be read (more than 64
#              IPv6 extension headers, headers cut by the IP length, later
#              fragments) are counted by cause in no_l4_exthdrs,
#              no_l4_truncated and no_l4_fragment (and still looked up by
#              address: match.sh);
#   other:     not IP (ARP), not reachable (a third VLAN tag, a ninth MPLS
#              label, non-IP MPLS payload), and IP frames whose IP header
#              is malformed, which are also counted as "unparseable" in the
#              namespace stats.
# A ninth MPLS label is beyond what the parser looks through: the frame
# counts as other, not as unparseable, since its payload was never seen.
. "$(dirname "$0")/lib.sh"

trap cleanup_ns EXIT
ktap_header
dfc_unload 2>/dev/null

# counts: "ipv4 ipv6 other seen bytes no_l4_exthdrs no_l4_truncated
# no_l4_fragment" of m0.
counts() {
	dfcctl "$MON" -j interface show m0 |
		jq -r '.[0] | "\(.ipv4) \(.ipv6) \(.other) \(.seen) \(.bytes) \(.no_l4_exthdrs) \(.no_l4_truncated) \(.no_l4_fragment)"'
}
# delta: the change of counts from $LAST to $now, as "v4/v6/other/ex/tr/fr".
delta() {
	echo "$LAST $now" | awk '{ print $9 - $1 "/" $10 - $2 "/" $11 - $3 "/" $14 - $6 "/" $15 - $7 "/" $16 - $8 }'
}
gstat() { dfcctl "$MON" -j stats | jq -r ".$1"; }

# Expected totals over the whole run, for the namespace counters.
WANT_PARSED=0
WANT_UNPARSEABLE=0
WANT_NOL4_exthdrs=0 WANT_NOL4_truncated=0 WANT_NOL4_fragment=0

# expect DESC V4 V6 OTHER INJECT-ARGS...: send frames from gen, check the
# change of m0's ipv4/ipv6/other counters (from the previous reading: dfcctl
# under TCG is slow), and that none lacked ports or ICMP fields (NO_L4,
# "EXTHDRS/TRUNCATED/FRAGMENT", says otherwise; expect_nol4 sets it).
NO_L4=0/0/0
expect() {
	desc=$1 w4=$2 w6=$3 wo=$4
	shift 4
	if ! out=$(ip netns exec "$GEN" "$INJECT" "$@" 2>&1); then
		fail "$desc" "inject $* failed:" "$out"
		LAST=$(counts)
		NO_L4=0/0/0
		return
	fi
	now=$(counts)
	got=$(delta)
	LAST=$now
	check_eq "$desc" "$got" "$w4/$w6/$wo/$NO_L4"
	NO_L4=0/0/0
	WANT_PARSED=$((WANT_PARSED + w4 + w6))
}

# expect_nol4 DESC V4 V6 CAUSE INJECT-ARGS...: IP frames without ports or
# ICMP fields, by CAUSE (exthdrs, truncated or fragment).
expect_nol4() {
	desc=$1 w4=$2 w6=$3 n=$(($2 + $3)) cause=$4
	case $cause in
	exthdrs) NO_L4=$n/0/0 ;;
	truncated) NO_L4=0/$n/0 ;;
	fragment) NO_L4=0/0/$n ;;
	esac
	shift 4
	expect "$desc" "$w4" "$w6" 0 "$@"
	eval "WANT_NOL4_$cause=\$((WANT_NOL4_$cause + n))"
}

# expect_bad DESC COUNT INJECT-ARGS...: malformed IP, counted as other.
expect_bad() {
	desc=$1 n=$2
	shift 2
	expect "$desc" 0 0 "$n" "$@"
	WANT_UNPARSEABLE=$((WANT_UNPARSEABLE + n))
}

# expect_bytes DESC BYTES PARSED INJECT-ARGS...: the change of m0's byte
# counter; PARSED of the frames are IP.
expect_bytes() {
	desc=$1 want=$2
	WANT_PARSED=$((WANT_PARSED + $3))
	shift 3
	ip netns exec "$GEN" "$INJECT" "$@" >/dev/null
	now=$(counts)
	got=$(echo "$LAST $now" | awk '{ print $13 - $5 }')
	LAST=$now
	check_eq "$desc" "$got" "$want"
}

setup_ns GEN MON
ip link add p0 netns "$GEN" type veth peer name m0 netns "$MON" &&
	ip -n "$GEN" link set p0 up && ip -n "$MON" link set m0 up &&
	ip -n "$GEN" link add link p0 name p0.100 type vlan id 100 &&
	ip -n "$GEN" link add link p0 name p0.300 type vlan proto 802.1ad id 300 &&
	ip -n "$GEN" link set p0.100 up && ip -n "$GEN" link set p0.300 up ||
	{ fail "topology"; ktap_finish; }

check "module loads" insmod "$DFC_KO"
check "attach m0" dfcctl "$MON" interface add m0
LAST=$(counts)

# Untagged, as a baseline.
expect "ipv4 untagged" 3 0 0 -i p0 -n 3 -k ipv4
expect "ipv6 untagged" 0 2 0 -i p0 -n 2 -k ipv6

# One tag: in-band (the stack moves it to vlan_tci before the hook) and
# hwaccel from the VLAN device (never in the data at all).
expect "ipv4 behind one 802.1Q tag" 3 0 0 -i p0 -n 3 -v 100
expect "ipv6 behind one 802.1Q tag" 0 2 0 -i p0 -n 2 -k ipv6 -v 100
expect "ipv4 behind a hwaccel 802.1Q tag" 3 0 0 -i p0.100 -n 3
expect "ipv6 behind a hwaccel 802.1Q tag" 0 2 0 -i p0.100 -n 2 -k ipv6
expect "ipv4 behind a hwaccel 802.1ad tag" 3 0 0 -i p0.300 -n 3
expect_bytes "bytes: an in-band tag counts" 500 5 -i p0 -n 5 -v 100 -l 100
expect_bytes "bytes: a hwaccel tag counts as on the wire" 520 5 -i p0.100 -n 5 -l 100

# QinQ: the stack untags the outer tag, the inner one is still in the data.
expect "ipv4 behind QinQ (802.1ad + 802.1Q)" 3 0 0 -i p0 -n 3 -q 100,200
expect "ipv6 behind QinQ (802.1ad + 802.1Q)" 0 2 0 -i p0 -n 2 -k ipv6 -q 100,200
expect "ipv4 behind two 802.1Q tags" 3 0 0 -i p0 -n 3 -v 100,200
expect "ipv6 behind hwaccel 802.1Q + in-band 802.1Q" 0 2 0 -i p0.100 -n 2 -k ipv6 -v 200
expect "ipv4 behind hwaccel 802.1ad + in-band 802.1Q" 3 0 0 -i p0.300 -n 3 -v 200
expect "three in-band tags: other" 0 0 4 -i p0 -n 4 -v 100,200,300
expect "hwaccel + two in-band tags: other" 0 0 4 -i p0.100 -n 4 -v 200,300

# MPLS: up to 8 labels, then IPv4/IPv6 by the version nibble.
expect "ipv4 behind 3 MPLS labels" 3 0 0 -i p0 -n 3 -m 16,17,18
expect "ipv6 behind 3 MPLS labels" 0 2 0 -i p0 -n 2 -k ipv6 -m 16,17,18
expect "ipv4 behind 8 MPLS labels" 3 0 0 -i p0 -n 3 -m 16,17,18,19,20,21,22,23
expect "ipv6 behind 8 MPLS labels" 0 2 0 -i p0 -n 2 -k ipv6 -m 16,17,18,19,20,21,22,23
expect "ipv4 behind 9 MPLS labels: other (beyond the bound)" 0 0 4 \
	-i p0 -n 4 -m 16,17,18,19,20,21,22,23,24
expect "ipv6 behind multicast MPLS" 0 2 0 -i p0 -n 2 -k ipv6 -M 16,17
expect "ipv4 behind QinQ and 8 MPLS labels" 3 0 0 \
	-i p0.300 -n 3 -v 200 -m 16,17,18,19,20,21,22,23
expect "non-IP MPLS payload (ARP): other" 0 0 4 -i p0 -n 4 -k arp -m 16

# IPv6 extension headers, walked to the transport header.
expect "ipv6 hbh,rt,dst,ah to TCP" 0 2 0 -i p0 -n 2 -k ipv6 -x hbh,rt,dst,ah -P tcp
expect "ipv6 hbh,rt,dst,frag,ah to UDP behind QinQ and MPLS" 0 2 0 \
	-i p0 -n 2 -k ipv6 -q 100,200 -m 16 -x hbh,rt,dst,frag,ah
expect "ipv6 with 8 extension headers" 0 2 0 \
	-i p0 -n 2 -k ipv6 -x hbh,dst,dst,dst,dst,dst,dst,rt -P icmp
for n in 9 16 64; do
	expect "ipv6 with $n extension headers (the walk goes up to 64)" 0 2 0 \
		-i p0 -n 2 -k ipv6 -x "$(exts $n)" -P tcp
done
for n in 65 100; do
	expect_nol4 "ipv6 with $n extension headers: no ports (no_l4_exthdrs)" 0 2 exthdrs \
		-i p0 -n 2 -k ipv6 -x "$(exts $n)" -P tcp
done
expect "ipv6 ESP stops the walk" 0 2 0 -i p0 -n 2 -k ipv6 -x hbh -P 50
expect "ipv6 no next header" 0 2 0 -i p0 -n 2 -k ipv6 -x dst -P 59

# Fragments: all parsed; only the first carries a transport header.
expect "ipv4 first fragment" 3 0 0 -i p0 -n 3 -F first -P tcp
expect_nol4 "ipv4 later fragment" 3 0 fragment -i p0 -n 3 -F later
expect_nol4 "ipv4 later fragment shorter than a transport header" 3 0 fragment \
	-i p0 -n 3 -F later -P tcp -l 60 -L 22
expect "ipv6 first fragment" 0 2 0 -i p0 -n 2 -k ipv6 -F first -P tcp
expect_nol4 "ipv6 later fragment" 0 2 fragment -i p0 -n 2 -k ipv6 -F later -x hbh,dst

# Transport headers cut by the IP length: IP, looked up without ports.
for b in 0 1 2 3; do
	expect_nol4 "ipv4 first fragment with $b bytes of UDP header" 3 0 truncated \
		-i p0 -n 3 -F first -P udp -L $((20 + b))
	expect_nol4 "ipv6 first fragment with $b bytes of UDP header" 0 2 truncated \
		-i p0 -n 2 -k ipv6 -F first -P udp -L $((8 + b))
done
expect_nol4 "ipv4 tcp header cut by the total length" 3 0 truncated -i p0 -n 3 -P tcp -L 22
expect_nol4 "ipv4 icmp header cut by the total length" 3 0 truncated -i p0 -n 3 -P icmp -L 21
expect_nol4 "ipv6 extension header beyond the payload" 0 2 truncated \
	-i p0 -n 2 -k ipv6 -x hbh -L 4

# Transport protocols.
for p in tcp sctp udplite icmp gre 253; do
	expect "ipv4 transport $p" 2 0 0 -i p0 -n 2 -P $p
done
expect "ipv6 icmpv6" 0 2 0 -i p0 -n 2 -k ipv6 -P icmp
expect "ipv6 sctp" 0 2 0 -i p0 -n 2 -k ipv6 -P sctp

# Not IP.
expect "arp: other" 0 0 7 -i p0 -n 7 -k arp
expect "arp behind a tag: other" 0 0 2 -i p0 -n 2 -k arp -v 100

# Malformed IP: neither ipv4 nor ipv6, but other (and unparseable).
expect_bad "ipv4 total length beyond the frame" 3 -i p0 -n 3 -k bad4
expect_bad "ipv4 header cut short" 3 -i p0 -n 3 -k short4
expect_bad "ipv4 total length below the header" 3 -i p0 -n 3 -L 10
expect_bad "ipv6 header cut short" 2 -i p0 -n 2 -k bad6
expect_bad "ipv6 payload length beyond the frame" 2 -i p0 -n 2 -k badlen6
expect_bad "malformed ipv4 behind QinQ and MPLS" 3 -i p0 -n 3 -q 1,2 -m 16 -k bad4

# The namespace counters add up the same way.
c=$(counts)
check_eq "global ipv4/ipv6/other match m0" \
	"$(gstat ipv4) $(gstat ipv6) $(gstat other) $(gstat seen)" \
	"$(echo "$c" | cut -d' ' -f1-4)"
check_eq "global no_l4 counters match m0" \
	"$(gstat no_l4_exthdrs) $(gstat no_l4_truncated) $(gstat no_l4_fragment)" \
	"$(echo "$c" | cut -d' ' -f6-8)"
check_eq "no_l4 counters: every frame sent without readable ports, by cause" \
	"$(echo "$c" | cut -d' ' -f6-8)" \
	"$WANT_NOL4_exthdrs $WANT_NOL4_truncated $WANT_NOL4_fragment"
check_eq "every frame in exactly one of ipv4/ipv6/other" \
	"$(echo "$c" | awk '{ print $1 + $2 + $3 }')" "$(echo "$c" | cut -d' ' -f4)"

# Stage counters: only once dfcctl exports them.
if [ "$(dfcctl "$MON" -j stats | jq 'has("unparseable")')" = true ]; then
	check_eq "stats: unparseable counts malformed IP frames" \
		"$(gstat unparseable)" "$WANT_UNPARSEABLE"
else
	skip "stats: unparseable counts malformed IP frames" "no unparseable in dfcctl -j stats yet"
fi
if [ "$(dfcctl "$MON" -j stats | jq 'has("parsed")')" = true ]; then
	check_eq "stats: parsed counts frames parsed into a key" \
		"$(gstat parsed)" "$WANT_PARSED"
else
	skip "stats: parsed counts frames parsed into a key" "no parsed in dfcctl -j stats yet"
fi

check "module unloads" rmmod dfc
ktap_finish
