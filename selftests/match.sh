#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Criteria matching end to end, in the guest:
#
#   gen: p0 ---veth--- m0 :mon   (dfc attached to m0 and m1, inside mon)
#        p1 ---veth--- m1 :mon
#        p0.100  802.1Q VLAN device on p0: its tag travels as hwaccel
#        p0.300  802.1ad VLAN device on p0: the same with an S-tag
#
# Static criteria of every kind (lib/dfc_spec.h has the DTCP semantics)
# are installed with dfcctl; exact counts of crafted frames in every
# encapsulation go from gen into m0/m1 with a foreign destination MAC, and
# after each batch every criterion's packet counter must have grown by
# exactly the batch size if the criterion matches, else not at all:
#   - VLAN (in-band, hwaccel), QinQ, 802.1ad and MPLS (3 and 8 labels)
#     change nothing about what matches; a ninth label or a third tag puts
#     the frame beyond the parser, and then nothing matches, not even a
#     criterion on the input interface alone;
#   - IPv6 extension header chains are walked to the transport header;
#   - a port condition (sport/dport, even a pure negation) matches only
#     frames carrying ports (TCP, UDP, SCTP, UDP-Lite; not a later
#     fragment), an ICMP condition only ICMP/ICMPv6 (not a later fragment);
#     address-only and protocol criteria match later fragments too;
#   - no shaping of what follows the IP header evades an address
#     criterion: more than 64 IPv6 extension headers, transport headers
#     cut to 0-3 bytes (first fragments or not) still match on addresses
#     (and on the protocol when it was reached), never on ports or ICMP;
#   - lists, ranges, prefixes and negations ("!") as DTCP defines them.
# Then the totals: per criterion by id, and the namespace's parsed and
# matched counters.
. "$(dirname "$0")/lib.sh"

trap cleanup_ns EXIT
ktap_header
dfc_unload 2>/dev/null

# The criteria: NAME OWNER ID FIELDS... (all static, no destination).
CRITS="
addr4    1 1  dst 192.0.2.2
addr6    1 2  src 2001:db8::1
port     1 3  dport 9,443,1000-1999
icmp     1 4  icmp-type 8,128
proto    1 5  proto 6
v6ports  1 6  src 2001:db8::/32 sport 40000-40099 dport 1-1023
notaddr  1 7  dst 192.0.2.0/24,!192.0.2.2-192.0.2.3
notport  1 8  dport !9
iif      2 9  iif m1
"
NAMES=$(echo "$CRITS" | awk 'NF { print $1 }')
KEYS=$(echo "$CRITS" | awk 'NF { print $2 "/" $3 }')

# packets: every criterion's packet counter, in the order of CRITS.
# shellcheck disable=SC2086 # KEYS are words
packets() {
	dfcctl "$MON" -j filter show terse |
		jq -r 'map({key: "\(.owner)/\(.id)", value: .packets}) | from_entries as $m |
		       [$ARGS.positional[] | $m[.] // "gone"] | join(" ")' \
		   --args $KEYS
}
gstat() { dfcctl "$MON" -j stats | jq -r ".$1"; }

# Expected totals over the whole run.
WANT_PARSED=0
WANT_MATCHED=0
for n in $NAMES; do eval "TOTAL_$n=0"; done

# expect DESC COUNT "NAMES..." INJECT-ARGS...: send COUNT frames from gen;
# exactly the criteria NAMES (none: "") must have counted them, each once.
# The frames must parse into a key; expect_unparsed is for those that don't.
expect() {
	desc=$1 cnt=$2 want_names=$3
	shift 3
	WANT_PARSED=$((WANT_PARSED + cnt))
	[ -z "$want_names" ] || WANT_MATCHED=$((WANT_MATCHED + cnt))
	send "$desc" "$cnt" "$want_names" "$@"
}
expect_unparsed() {
	desc=$1 cnt=$2
	shift 2
	send "$desc" "$cnt" "" "$@"
}
send() {
	desc=$1 cnt=$2 want_names=$3
	shift 3
	want=""
	for n in $NAMES; do
		d=0
		case " $want_names " in *" $n "*) d=$cnt ;; esac
		eval "TOTAL_$n=\$((TOTAL_$n + d))"
		want="$want $n=$d"
	done
	if ! out=$(ip netns exec "$GEN" "$INJECT" -n "$cnt" "$@" 2>&1); then
		fail "$desc" "inject $* failed:" "$out"
		LAST=$(packets)
		return
	fi
	now=$(packets)
	got=$(echo "$NAMES" | awk -v last="$LAST" -v now="$now" '
		BEGIN { split(last, l, " "); split(now, c, " ") }
		{ printf " %s=%s", $1, c[NR] - l[NR] }')
	LAST=$now
	check_eq "$desc" "$got" "$want"
}

setup_ns GEN MON
ip link add p0 netns "$GEN" type veth peer name m0 netns "$MON" &&
	ip link add p1 netns "$GEN" type veth peer name m1 netns "$MON" &&
	ip -n "$GEN" link set p0 up && ip -n "$MON" link set m0 up &&
	ip -n "$GEN" link set p1 up && ip -n "$MON" link set m1 up &&
	ip -n "$GEN" link add link p0 name p0.100 type vlan id 100 &&
	ip -n "$GEN" link add link p0 name p0.300 type vlan proto 802.1ad id 300 &&
	ip -n "$GEN" link set p0.100 up && ip -n "$GEN" link set p0.300 up ||
	{ fail "topology"; ktap_finish; }

check "module loads" insmod "$DFC_KO"
check "attach m0" dfcctl "$MON" interface add m0
check "attach m1" dfcctl "$MON" interface add m1
# Each frame here is looked up as it is, at once: later fragments following
# their first (and waiting for it) are frag.sh's subject.
check "fragments not followed" dfcctl "$MON" limits set frag-max 0
# (while loops read from here-documents: a pipe would run them in a
# subshell and lose the result count.)
while read -r name owner id fields; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086 # the fields are words
	check "add criterion $name: $fields" \
		dfcctl "$MON" filter add owner "$owner" id "$id" static $fields
done <<EOF
$CRITS
EOF
check_eq "criteria installed" "$(gstat crits)" "$(echo "$NAMES" | wc -w)"
check_eq "iif by name resolves to m1's ifindex" \
	"$(dfcctl "$MON" -j filter show owner 2 id 9 | jq -r '.[0].entries[0].ifindex')" \
	"$(ip netns exec "$MON" cat /sys/class/net/m1/ifindex)"
check_eq "nothing counted before traffic" "$(packets)" "0 0 0 0 0 0 0 0 0"
LAST=$(packets)

# Defaults of inject: UDP 192.0.2.1:40000 -> 192.0.2.2:9, or
# 2001:db8::1:40000 -> 2001:db8::2:9; ICMP echo request (8, 128).
L8=16,17,18,19,20,21,22,23

# Encapsulation changes nothing about what matches.
V4="addr4 port"
expect "ipv4 plain" 3 "$V4" -i p0
expect "ipv4 behind one 802.1Q tag" 3 "$V4" -i p0 -v 100
expect "ipv4 behind a hwaccel 802.1Q tag (VLAN device)" 3 "$V4" -i p0.100
expect "ipv4 behind QinQ (802.1ad + 802.1Q in-band)" 3 "$V4" -i p0 -q 100,200
expect "ipv4 behind a hwaccel 802.1ad tag (VLAN device)" 3 "$V4" -i p0.300
expect "ipv4 behind hwaccel 802.1ad + in-band 802.1Q" 3 "$V4" -i p0.300 -v 200
expect "ipv4 behind 3 MPLS labels" 3 "$V4" -i p0 -m 16,17,18
expect "ipv4 behind 8 MPLS labels" 3 "$V4" -i p0 -m $L8
expect "ipv4 behind QinQ and 8 MPLS labels" 3 "$V4" -i p0.300 -v 200 -m $L8
expect "ipv4 behind multicast MPLS" 3 "$V4" -i p0 -M 16
expect_unparsed "ipv4 behind 9 MPLS labels: nothing matches" 4 -i p0 -m $L8,24
expect_unparsed "ipv4 behind three tags: nothing matches" 4 -i p0 -v 100,200,300

V6="addr6 port v6ports"
expect "ipv6 plain" 2 "$V6" -i p0 -k ipv6
expect "ipv6 behind one 802.1Q tag" 2 "$V6" -i p0 -k ipv6 -v 100
expect "ipv6 behind a hwaccel 802.1Q tag" 2 "$V6" -i p0.100 -k ipv6
expect "ipv6 behind QinQ" 2 "$V6" -i p0 -k ipv6 -q 100,200
expect "ipv6 behind a hwaccel 802.1ad tag" 2 "$V6" -i p0.300 -k ipv6
expect "ipv6 behind 3 MPLS labels" 2 "$V6" -i p0 -k ipv6 -m 16,17,18
expect "ipv6 behind 8 MPLS labels" 2 "$V6" -i p0 -k ipv6 -m $L8
expect "ipv6 behind QinQ and 3 MPLS labels" 2 "$V6" -i p0 -k ipv6 -q 100,200 -m 16,17,18
expect_unparsed "ipv6 behind 9 MPLS labels: nothing matches" 4 -i p0 -k ipv6 -m $L8,24

# IPv6 extension header chains, walked to the transport header.
expect "ipv6 hbh,rt,dst to UDP" 2 "$V6" -i p0 -k ipv6 -x hbh,rt,dst
expect "ipv6 hbh,rt,dst,frag(atomic),ah to UDP" 2 "$V6" -i p0 -k ipv6 -x hbh,rt,dst,frag,ah
expect "ipv6 hbh,rt,dst to TCP 443" 2 "addr6 port proto v6ports notport" \
	-i p0 -k ipv6 -x hbh,rt,dst -P tcp -p 443
expect "ipv6 hbh,dst,frag first fragment to TCP 80" 2 "addr6 proto v6ports notport" \
	-i p0 -k ipv6 -x hbh,dst,frag -F first -P tcp -p 80
expect "ipv6 hbh,rt,dst,frag,ah behind QinQ and MPLS" 2 "$V6" \
	-i p0 -k ipv6 -q 100,200 -m 16 -x hbh,rt,dst,frag,ah
expect "ipv6 with 8 extension headers to ICMPv6 echo" 2 "addr6 icmp" \
	-i p0 -k ipv6 -x hbh,dst,dst,dst,dst,dst,dst,rt -P icmp

# Fragments: later ones match address-only and protocol criteria, never a
# port or ICMP condition; first ones carry ports and ICMP type/code.
expect "ipv4 first fragment TCP 443" 3 "addr4 port proto notport" -i p0 -F first -P tcp -p 443
expect "ipv4 later fragment TCP" 3 "addr4 proto" -i p0 -F later -P tcp -p 443
expect "ipv4 later fragment UDP behind QinQ and MPLS" 3 "addr4" \
	-i p0 -q 100,200 -m 16,17,18 -F later
expect "ipv4 later fragment to 192.0.2.5" 3 "notaddr" -i p0 -F later -D 192.0.2.5
expect "ipv4 first fragment ICMP echo" 3 "addr4 icmp" -i p0 -F first -P icmp
expect "ipv4 later fragment ICMP" 3 "addr4" -i p0 -F later -P icmp
expect "ipv6 first fragment UDP" 2 "$V6" -i p0 -k ipv6 -F first
expect "ipv6 later fragment UDP after hbh,dst" 2 "addr6" -i p0 -k ipv6 -F later -x hbh,dst
expect "ipv6 later fragment TCP behind 802.1Q and MPLS" 2 "addr6 proto" \
	-i p0.100 -k ipv6 -F later -P tcp -m 16,17,18
expect "ipv6 first fragment ICMPv6 echo" 2 "addr6 icmp" -i p0 -k ipv6 -F first -P icmp
expect "ipv6 later fragment ICMPv6" 2 "addr6" -i p0 -k ipv6 -F later -P icmp

# Evasion by shaping: the key keeps addresses (and the protocol reached)
# when ports or ICMP fields cannot be read. A chain of 64 extension headers
# is still walked to the transport header; the 65th is past the bound.
expect "ipv6 with 16 extension headers to TCP 443" 2 "addr6 port proto v6ports notport" \
	-i p0 -k ipv6 -x "$(exts 16)" -P tcp -p 443
expect "ipv6 with 64 extension headers to TCP 443" 2 "addr6 port proto v6ports notport" \
	-i p0 -k ipv6 -x "$(exts 64)" -P tcp -p 443
expect "ipv6 with 65 extension headers to TCP 443: addresses only" 2 "addr6" \
	-i p0 -k ipv6 -x "$(exts 65)" -P tcp -p 443
expect "ipv6 with 100 extension headers to ICMPv6 echo: addresses only" 2 "addr6" \
	-i p0 -k ipv6 -x "$(exts 100)" -P icmp
for b in 0 1 2 3; do
	expect "ipv4 first fragment with $b bytes of TCP header: address and protocol" 3 \
		"addr4 proto" -i p0 -F first -P tcp -p 443 -L $((20 + b))
	expect "ipv6 first fragment with $b bytes of TCP header: address and protocol" 2 \
		"addr6 proto" -i p0 -k ipv6 -F first -P tcp -p 443 -L $((8 + b))
done
expect "ipv4 UDP header cut to 3 bytes, not a fragment: address only" 3 "addr4" -i p0 -L 23
expect "ipv4 ICMP header cut to 1 byte: address only" 3 "addr4" -i p0 -P icmp -L 21
expect "ipv6 hop-by-hop header beyond the payload: address only" 2 "addr6" \
	-i p0 -k ipv6 -x hbh -L 4

# Transport protocols against port and ICMP conditions.
expect "ipv4 TCP 443" 3 "addr4 port proto notport" -i p0 -P tcp -p 443
expect "ipv4 TCP 1500 behind QinQ" 3 "addr4 port proto notport" -i p0 -q 1,2 -P tcp -p 1500
expect "ipv4 SCTP 9" 3 "addr4 port" -i p0 -P sctp
expect "ipv4 UDP-Lite 1000" 3 "addr4 port notport" -i p0 -P udplite -p 1000
expect "ipv4 UDP 1999 (top of the range)" 3 "addr4 port notport" -i p0 -p 1999
expect "ipv4 UDP 2000 (above the range)" 3 "addr4 notport" -i p0 -p 2000
expect "ipv4 UDP 999 (below the range)" 3 "addr4 notport" -i p0 -p 999
expect "ipv4 ICMP echo request" 3 "addr4 icmp" -i p0 -P icmp
expect "ipv4 ICMP echo reply (type 0)" 3 "addr4" -i p0 -P icmp -T 0
expect "ipv4 GRE: no ports, no ICMP" 3 "addr4" -i p0 -P gre
expect "ipv6 ICMPv6 echo request" 2 "addr6 icmp" -i p0 -k ipv6 -P icmp
expect "ipv6 ICMPv6 echo reply (type 129)" 2 "addr6" -i p0 -k ipv6 -P icmp -T 129
expect "ipv6 SCTP 443 behind 8 MPLS labels" 2 "addr6 port v6ports notport" \
	-i p0 -k ipv6 -P sctp -p 443 -m $L8

# Addresses, prefixes, ranges and negations.
expect "ipv4 to 192.0.2.5: in the /24, not excluded" 3 "port notaddr" -i p0 -D 192.0.2.5
expect "ipv4 to 192.0.2.3: excluded by the negated range" 3 "port" -i p0 -D 192.0.2.3
expect "ipv4 to 192.0.2.255 behind MPLS" 3 "port notaddr" -i p0 -D 192.0.2.255 -m 16
expect "ipv4 to 198.51.100.2: outside the /24" 3 "port" -i p0 -D 198.51.100.2
expect "ipv6 dport 1023 (top of 1-1023, and in 1000-1999)" 2 "addr6 port v6ports notport" -i p0 -k ipv6 -p 1023
expect "ipv6 dport 1024 (above 1-1023)" 2 "addr6 port notport" -i p0 -k ipv6 -p 1024
expect "ipv6 sport 40099 dport 1" 2 "addr6 v6ports notport" -i p0 -k ipv6 -s 40099 -p 1
expect "ipv6 sport 40100 (above 40000-40099)" 2 "addr6 port" -i p0 -k ipv6 -s 40100
expect "ipv6 from 2001:db8:ffff::1: in the /32" 2 "port v6ports" \
	-i p0 -k ipv6 -S 2001:db8:ffff::1
expect "ipv6 from 2001:db9::1: outside the /32" 2 "port" -i p0 -k ipv6 -S 2001:db9::1
expect "ipv4 to 192.0.2.2 from 198.51.100.1 GRE: nothing but the address" 3 "addr4" \
	-i p0 -S 198.51.100.1 -P gre
expect "ipv4 matching no criterion" 3 "" -i p0 -S 198.51.100.1 -D 198.51.100.2 -P gre

# The input interface: only frames arriving on m1.
expect "ipv4 on m1" 3 "addr4 port iif" -i p1
expect "ipv6 on m1 behind a tag" 2 "$V6 iif" -i p1 -k ipv6 -v 100
expect "ipv4 later fragment on m1 behind QinQ" 3 "addr4 proto iif" \
	-i p1 -q 5,6 -F later -P tcp
expect "ipv4 on m1 matching only the interface" 3 "iif" -i p1 -S 198.51.100.1 -D 198.51.100.2 -P gre
expect_unparsed "ipv4 on m1 behind 9 MPLS labels: not even the interface" 4 -i p1 -m $L8,24
expect_unparsed "arp on m1: not even the interface" 4 -i p1 -k arp

# Totals, one criterion at a time.
while read -r name owner id fields; do
	[ -n "$name" ] || continue
	eval "want=\$TOTAL_$name"
	check_eq "total of $name ($fields)" \
		"$(dfcctl "$MON" -j filter show owner "$owner" id "$id" | jq -r '.[0].packets')" "$want"
done <<EOF
$CRITS
EOF
check_eq "stats: parsed counts every frame parsed into a key" "$(gstat parsed)" "$WANT_PARSED"
check_eq "stats: matched counts frames matching at least one criterion" \
	"$(gstat matched)" "$WANT_MATCHED"
check_eq "stats: nothing unparseable" "$(gstat unparseable)" 0

# Deleted criteria match nothing more.
check "delete owner 1's static criteria" dfcctl "$MON" filter del owner 1 static
check "delete owner 2's static criteria" dfcctl "$MON" filter del owner 2 static
check_eq "stats: no criteria left" "$(gstat crits)" 0
ip netns exec "$GEN" "$INJECT" -i p1 -n 3 >/dev/null
check_eq "after deletion: parsed, not matched" "$(gstat parsed) $(gstat matched)" \
	"$((WANT_PARSED + 3)) $WANT_MATCHED"
check "module unloads" rmmod dfc
ktap_finish
