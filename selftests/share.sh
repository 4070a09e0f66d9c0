#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Copies that share the frame's pages instead of copying its bytes, in
# the guest:
#
#   pktgen (netif_receive) -> m0 (dummy, monitored) :mon
#   gen: p0 ---veth--- m1 (monitored, MTU 9000) :mon     (inject)
#   copies: c0 ---veth--- d0 :dst (ipip0 takes them)
#
# pktgen's frames of 1500 bytes sit in page fragments, as drivers' receive
# buffers do; a passive port consumes them, so dfc.ko's copies may hold
# the page instead of a copy of the bytes (copies_shared). Frames whose
# packet goes on into page fragments behind the head (pktgen's frags,
# inject's -V) share those fragments. Every copy must still be the packet:
# dst owns the frames' address, so each copy ipip0 decapsulates goes up to
# dst's UDP, which checks the checksum written over the whole datagram
# (InCsumErrors) and counts the datagram for a closed port (NoPorts).
# Copied plainly, fragmented on the way, and through ESP (encrypted out
# of place, never into the shared page); and the frames that must be
# copied: small ones, those in a head from kmalloc, those whose checksum
# was left to the device (the copy gets it written), those of a port in
# pass mode (they live on into the stack).
. "$(dirname "$0")/lib.sh"

N=${SHARE_FRAMES:-2000}
D=198.51.100.2

cleanup() {
	pktgen_stop "$MON"
	cleanup_ns
}
trap cleanup EXIT
ktap_header
dfc_unload 2>/dev/null
for m in dummy ipip pktgen; do modprobe "$m" 2>/dev/null; done
if [ ! -d /proc/net/pktgen ] || [ ! -x "$PY" ] || ! command -v ethtool >/dev/null; then
	skip "share" "needs pktgen, python3 and ethtool"
	ktap_finish
fi

setup_ns GEN MON DST
topo() {
	ip -n "$MON" link add m0 type dummy && ip -n "$MON" link set m0 up &&
	ip link add c0 netns "$MON" mtu 9000 type veth peer name d0 netns "$DST" mtu 9000 &&
	ip -n "$MON" addr add 198.51.100.1/24 dev c0 && ip -n "$MON" link set c0 up &&
	ip -n "$DST" addr add $D/24 dev d0 && ip -n "$DST" link set d0 up &&
	ip -n "$DST" link add ipip0 type ipip local $D remote 198.51.100.1 &&
	ip -n "$DST" link set ipip0 up &&
	ip -n "$DST" addr add 10.0.0.2/32 dev lo &&
	ip netns exec "$DST" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.ipip0.rp_filter=0 \
		net.ipv4.ipfrag_max_dist=0 &&
	# Resolved once: no copy waits in (or falls out of) a neighbour queue.
	ip -n "$MON" neigh replace $D nud permanent dev c0 \
		lladdr "$(ip -n "$DST" -br link show d0 | awk '{ print $3 }')"
}
check "topology: m0 monitored, c0 toward $D, ipip0 in dst" topo
check "module loads" insmod "$DFC_KO"
check "attach m0 (passive: frames consumed)" dfcctl "$MON" interface add m0
check "destination 1 ($D)" dfcctl "$MON" cdest add 1 address $D
check "a criterion every frame matches" \
	dfcctl "$MON" filter add owner 1 id 1 static cdest 1 dst 10.0.0.2

pg() { pktgen "$MON" "$@"; }
check "pktgen on m0, netif_receive" pg kpktgend_0 rem_device_all "add_device m0"

# counters: copies, shared copies, datagrams dst took, checksum errors.
counters() {
	echo "$(dfcctl "$MON" -j stats | jq -r '"\(.copies) \(.copies_shared)"')" \
		"$(snmp "$DST" Udp NoPorts)" \
		"$(snmp "$DST" Udp InCsumErrors)"
}
# sent NAME SHARED CMD...: CMD sends N frames to 10.0.0.2; every one is
# copied and taken by dst with a good checksum, SHARED of them sharing the
# frame's pages.
sent() {
	name=$1 want=$2
	shift 2
	b=$(counters)
	"$@" >/dev/null || { fail "$name: sending"; return; }
	# Fragments may still be on their way to dst.
	for _ in $(seq 50); do
		a=$(counters)
		[ "$(echo "$a" | cut -d' ' -f3)" -ge "$(($(echo "$b" | cut -d' ' -f3) + N))" ] &&
			break
		sleep 0.1
	done
	check_eq "$name: copies, shared, taken by dst, checksum errors" \
		"$(echo "$b $a" | awk '{ print $5 - $1, $6 - $2, $7 - $3, $8 - $4 }')" \
		"$N $want $N 0"
}
# pktgen_frames SIZE [FRAGS]: N frames of SIZE bytes from pktgen into m0,
# with FRAGS page fragments behind the headers (of zeros: pktgen's page).
pktgen_frames() {
	pg m0 "count $N" "pkt_size $1" "frags ${2:-0}" "xmit_mode netif_receive" \
		"dst 10.0.0.2" "src_min 10.0.0.1" "src_max 10.0.0.1" "udp_src_min 9" \
		"udp_src_max 9" "udp_dst_min 9" "udp_dst_max 9" \
		"dst_mac 02:00:00:00:00:01" "flag UDPCSUM" "delay 0" "burst 1" &&
	pg pgctrl start
}
# frames NAME SIZE SHARED [FRAGS]: pktgen's frames, copied as sent() says.
frames() { sent "$1" "$3" pktgen_frames "$2" "${4:-0}"; }

# pktgen leaves the UDP checksum to a device that offers to compute it
# (CHECKSUM_PARTIAL, below): m0 does not, so pktgen writes it.
check "m0 computes no checksums" ip netns exec "$MON" ethtool -K m0 tx off
frames "1500-byte frames" 1500 "$N"
frames "200-byte frames (copied: a small frame is cheaper to copy)" 200 0
frames "1500-byte frames, the packet on in 4 page fragments" 1500 "$N" 4
frames "1500-byte frames, the packet in 17 page fragments (every slot)" 1500 "$N" 17

# Frames whose packet goes on into page fragments behind a small head from
# kmalloc (as some drivers build them): the head's part is copied, the
# fragments shared. inject's payload is pseudo-random bytes under the UDP
# checksum, so a fragment placed a byte off in a copy fails at dst.
jumbo() {
	ip link add p0 netns "$GEN" mtu 9000 type veth peer name m1 netns "$MON" mtu 9000 &&
	ip -n "$GEN" link set p0 up && ip -n "$MON" link set m1 up &&
	dfcctl "$MON" interface add m1
}
check "m1: a monitored veth with frames of 9000 bytes" jumbo
# inject_frames HEADLEN [OPTION...]: N frames of 6000 bytes from p0.
inject_frames() {
	v=$1
	shift
	ip netns exec "$GEN" "$INJECT" -i p0 -n "$N" -l 6000 -c -V "$v" \
		-S 10.0.0.1 -D 10.0.0.2 -s 9 -p 9 "$@"
}
sent "6000-byte frames, a 64-byte head, the rest in page fragments" "$N" inject_frames 64
sent "6000-byte frames, a 2000-byte head, the rest in page fragments" "$N" inject_frames 2000
sent "6000-byte frames, only the link header in the head" "$N" inject_frames 14
sent "6000-byte frames, all in a head from kmalloc (copied)" 0 inject_frames 6000
# A frame longer than its packet (986 bytes after it, in the fragment):
# a copy holds the packet only, 5034 bytes on d0 (link, outer IP, packet).
rx_bytes() { ip netns exec "$DST" cat /sys/class/net/d0/statistics/rx_bytes; }
r0=$(rx_bytes)
sent "6000-byte frames of a 5000-byte packet, a 64-byte head" "$N" inject_frames 64 -L 5000
check_eq "each of those copies 5034 bytes on the wire" "$(($(rx_bytes) - r0))" "$((N * 5034))"

# The receiver would see a copy that is not the packet: a datagram whose
# bytes do not match its checksum, sent the copies' way, is counted.
badsum() {
	ip netns exec "$MON" "$PY" - "$D" <<-'EOF'
	import socket, struct, sys
	def csum(b):
	    if len(b) % 2:
	        b += b"\0"
	    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
	    while s >> 16:
	        s = (s & 0xffff) + (s >> 16)
	    return ~s & 0xffff
	udp = struct.pack("!HHHH", 9, 9, 8 + 32, 0xbad0) + b"x" * 32
	ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
	                 socket.inet_aton("10.0.0.1"), socket.inet_aton("10.0.0.2"))
	ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
	s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 4)
	s.sendto(ip + udp, (sys.argv[1], 0))
	EOF
}
e0=$(snmp "$DST" Udp InCsumErrors)
badsum
for _ in $(seq 20); do [ "$(snmp "$DST" Udp InCsumErrors)" != "$e0" ] && break; sleep 0.1; done
check_eq "positive control: a copy with a wrong checksum is counted by dst" \
	"$(($(snmp "$DST" Udp InCsumErrors) - e0))" 1

ip -n "$MON" link set c0 mtu 1500
frames "1500-byte frames, each copy in two fragments" 1500 "$N"
ip -n "$MON" link set c0 mtu 9000

# ESP (transport mode over the copies' IP-in-IP): encrypted into new pages.
K=0x0123456789abcdef0123456789abcdef01234567
esp() {
	for ns in "$MON" "$DST"; do
		ip -n "$ns" xfrm state add src 198.51.100.1 dst $D proto esp spi 0x100 \
			mode transport aead 'rfc4106(gcm(aes))' $K 128 || return 1
	done
	ip -n "$MON" xfrm policy add src 198.51.100.1 dst $D proto 4 dir out \
		tmpl src 198.51.100.1 dst $D proto esp mode transport &&
	ip -n "$DST" xfrm policy add src 198.51.100.1 dst $D proto 4 dir in \
		tmpl src 198.51.100.1 dst $D proto esp mode transport
}
check "ESP between mon and dst for the copies" esp
frames "1500-byte frames through ESP" 1500 "$N"
sent "6000-byte frames, a 2000-byte head, through ESP" "$N" inject_frames 2000
# ESP adds its trailer as one more fragment: with every slot taken it would
# copy the copy, so such a copy is copied here.
frames "1500-byte frames in 16 page fragments through ESP" 1500 "$N" 16
frames "1500-byte frames in 17 page fragments through ESP (copied: no slot for ESP)" 1500 0 17
# ESP takes a page of fragments out of place; more, it would copy the copy.
sent "6000-byte frames, a 64-byte head, through ESP (copied: over a page)" 0 \
	inject_frames 64
check "the copies went through the SA" \
	[ "$(ip -n "$MON" -s xfrm state |
	     sed -n 's/.* \([0-9][0-9]*\)(packets).*/\1/p' | head -n 1)" -ge "$((5 * N))" ]
ip -n "$MON" xfrm policy flush
ip -n "$DST" xfrm policy flush

# A checksum left to the device is written into the copy: not shared.
check "m0 offers checksums again" ip netns exec "$MON" ethtool -K m0 tx on
frames "1500-byte frames, checksum left to the device (copied, completed)" 1500 0

check "pass mode: frames go on into mon's stack" \
	sh -c "ip netns exec $MON $DFCCTL interface del m0 && ip netns exec $MON $DFCCTL interface add m0 pass"
frames "1500-byte frames, pass mode (copied: the frame lives on)" 1500 0
ktap_finish
