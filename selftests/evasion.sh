#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# No shaping of what follows the IP header evades an address criterion,
# checked by the copies themselves, in the guest:
#
#   gen: p0 ---veth--- m0 :mon   (dfc on m0, passive)
#                      c0 ---veth--- d0 :dst (198.51.100.2 and .3)
#
# Destination 1 (198.51.100.2) takes what goes to 192.0.2.2 or
# 2001:db8::2 (address criteria), destination 2 (198.51.100.3) TCP to port
# 443 (a port criterion). Frames to 192.0.2.2 / 2001:db8::2, TCP port 443,
# shaped by a target: IPv6 with 9, 16, 64, 65 and 100 extension headers,
# IPv4 and IPv6 first fragments with 0-3 bytes of TCP header. Every frame
# must reach destination 1 as sent, byte for byte; destination 2 only when
# its ports can be read (up to 64 extension headers), and each frame whose
# ports cannot be read is counted by cause (no_l4_exthdrs,
# no_l4_truncated). Plain TCP to 443 is the control: both destinations.
. "$(dirname "$0")/lib.sh"


trap 'cleanup_ns; rm -rf "$TMPD"' EXIT
TMPD=$(mktemp -d)
ktap_header
dfc_unload 2>/dev/null
need_python3 evasion

nol4() { dfcctl "$MON" -j stats | jq -r ".no_l4_$1"; }

# shaped DESC N COPIES2 CAUSE INJECT-ARGS...: N frames; destination 1 gets
# each, destination 2 COPIES2 of them; CAUSE (exthdrs, truncated or -)
# counts the frames without ports.
shaped() {
	desc=$1 n=$2 c2=$3 cause=$4
	shift 4
	[ "$cause" = - ] || before=$(nol4 "$cause")
	out=$(ip netns exec "$DST" "$PY" "$TOP/selftests/copies.py" \
		--gen-ns "/run/netns/$GEN" --rx d0 --file "$TMPD/pkt" \
		--want "$D1:$n $D2:$c2" --wait "$(slow 2)" -- \
		"$INJECT" -i p0 -n "$n" -w "$TMPD/pkt" -D "$DADDR" -P tcp -p 443 "$@" 2>&1)
	check_eq "$desc" "$out" "$D1=$n $D2=$c2 other=0 exact=1"
	[ "$cause" = - ] ||
		check_eq "$desc: counted no_l4_$cause" "$(($(nol4 "$cause") - before))" "$n"
}

copy_lab_up
check "criterion 1/1: to 192.0.2.2, destination 1" \
	dfcctl "$MON" filter add owner 1 id 1 static cdest 1 dst 192.0.2.2
check "criterion 1/2: to 2001:db8::2, destination 1" \
	dfcctl "$MON" filter add owner 1 id 2 static cdest 1 dst 2001:db8::2
check "criterion 2/3: TCP to port 443, destination 2" \
	dfcctl "$MON" filter add owner 2 id 3 static cdest 2 proto 6 dport 443

DADDR=192.0.2.2
shaped "ipv4 TCP 443: both (the control)" 3 3 -
for b in 0 1 2 3; do
	shaped "ipv4 first fragment with $b bytes of TCP header: the address only" \
		3 0 truncated -F first -L $((20 + b))
done
DADDR=2001:db8::2
shaped "ipv6 TCP 443: both (the control)" 2 2 - -k ipv6
for x in 9 16 64; do
	shaped "ipv6 with $x extension headers: both" 2 2 - -k ipv6 -x "$(exts $x)"
done
for x in 65 100; do
	shaped "ipv6 with $x extension headers: the address only" 2 0 exthdrs \
		-k ipv6 -x "$(exts $x)"
done
for b in 0 1 2 3; do
	shaped "ipv6 first fragment with $b bytes of TCP header: the address only" \
		2 0 truncated -k ipv6 -F first -L $((8 + b))
done

check "module unloads" rmmod dfc
ktap_finish
