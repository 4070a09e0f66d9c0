#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Copies of offloaded frames are copies of the packets on the wire, in the
# guest:
#
#   gen: p0 ---veth--- m0 :mon   (dfc on m0, pass: mon's TCP is the peer)
#                      c0 ---veth--- d0 :dst (ipip0 takes the copies)
#
# A TCP stream from gen to mon crosses the veth pair as TSO frames of up to
# 64 KB whose checksum was left to the device (CHECKSUM_PARTIAL), into m0
# with GRO on. Every copy must be one wire-sized packet with a valid TCP
# checksum. The receiver's stack checks that: dst owns mon's address, so
# each copy ipip0 decapsulates goes up to dst's own TCP, which verifies its
# checksum (InCsumErrors) before resetting the unknown connection. There
# must be exactly as many copies as gen's TCP sent segments (OutSegs, and
# RetransSegs: OutSegs leaves retransmissions out).
. "$(dirname "$0")/lib.sh"

BYTES=${OFFLOAD_BYTES:-2000000}

trap cleanup_ns EXIT
ktap_header
dfc_unload 2>/dev/null
if ! command -v ethtool >/dev/null || [ ! -x "$PY" ]; then
	skip "offload" "needs ethtool and python3 (make deps)"
	ktap_finish
fi

rx() { ip netns exec "$DST" cat /sys/class/net/ipip0/statistics/rx_packets; }
# Copies c0 (a veth) could not hand to d0: its peer's backlog was full.
refused() { ip netns exec "$MON" cat /sys/class/net/c0/statistics/tx_dropped; }
over_mtu() {
	ip netns exec "$DST" nft list chain netdev offl in |
		awk '/length/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

topo() {
	ip link add p0 netns "$GEN" type veth peer name m0 netns "$MON" &&
	ip link add c0 netns "$MON" type veth peer name d0 netns "$DST" &&
	ip -n "$GEN" addr add 10.9.0.1/24 dev p0 && ip -n "$GEN" link set p0 up &&
	ip -n "$MON" addr add 10.9.0.2/24 dev m0 && ip -n "$MON" link set m0 up &&
	ip -n "$MON" addr add 198.51.100.1/24 dev c0 && ip -n "$MON" link set c0 up &&
	ip -n "$DST" addr add 198.51.100.2/24 dev d0 && ip -n "$DST" link set d0 up &&
	ip -n "$DST" link add ipip0 type ipip local 198.51.100.2 remote 198.51.100.1 &&
	ip -n "$DST" link set ipip0 up &&
	# Each copy alone into dst's stack: no GRO merging them again.
	ip netns exec "$DST" ethtool -K ipip0 gro off &&
	ip -n "$DST" addr add 10.9.0.2/32 dev lo &&
	ip netns exec "$DST" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.ipip0.rp_filter=0 &&
	# A copy of a full segment leaves c0 in two fragments, and mon's two
	# CPUs interleave theirs: dst must not drop a datagram because more
	# than 64 fragments from mon came between its two (ipfrag_max_dist).
	ip netns exec "$DST" sysctl -qw net.ipv4.ipfrag_max_dist=0 &&
	# Resolved once: no copy waits in (or falls out of) a neighbour queue.
	ip -n "$MON" neigh replace 198.51.100.2 nud permanent dev c0 \
		lladdr "$(ip -n "$DST" -br link show d0 | awk '{ print $3 }')" &&
	ip netns exec "$MON" ethtool -K m0 gro on &&
	ip netns exec "$DST" nft -f - <<-EOF
	table netdev offl {
		chain in {
			type filter hook ingress device ipip0 priority 0;
			meta length > 1500 counter
		}
	}
	EOF
}

setup_ns GEN MON DST
check "topology: gen, mon (GRO on m0), dst with ipip0" topo
check "p0 sends TSO frames" sh -c \
	"ip netns exec $GEN ethtool -k p0 | grep -q '^tcp-segmentation-offload: on'"
check "module loads" insmod "$DFC_KO"
check "attach m0 (pass)" dfcctl "$MON" interface add m0 pass
check "destination 1: dst over ipip" dfcctl "$MON" cdest add 1 address 198.51.100.2
check "criterion: TCP from gen" \
	dfcctl "$MON" filter add owner 1 id 1 static cdest 1 src 10.9.0.1 proto 6

out0=$(($(snmp "$GEN" Tcp OutSegs) + $(snmp "$GEN" Tcp RetransSegs)))
in0=$(snmp "$DST" Tcp InSegs) err0=$(snmp "$DST" Tcp InCsumErrors)
rf0=$(snmp "$DST" Ip ReasmFails)
rx0=$(rx) ref0=$(refused) seen0=$(dfcctl "$MON" -j interface show m0 | jq -r '.[0].seen')
ip netns exec "$MON" "$PY" -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.9.0.2", 5001)); s.listen(1); s.settimeout(120)
c, _ = s.accept(); n = 0
while True:
    b = c.recv(1 << 16)
    if not b: break
    n += len(b)
print(n)' >"/tmp/offload.$$" 2>&1 &
srv=$!
sleep 1
check "gen sends $BYTES bytes over TCP to mon" ip netns exec "$GEN" "$PY" -c "
import socket, time
for i in range($(slow 50)):
    try:
        s = socket.create_connection(('10.9.0.2', 5001), 5); break
    except OSError: time.sleep(0.2)
s.settimeout($(slow 120))
s.sendall(bytes($BYTES)); s.shutdown(socket.SHUT_WR)
while s.recv(4096): pass
s.close()"
wait "$srv"
check_eq "mon received every byte" "$(cat "/tmp/offload.$$")" "$BYTES"
rm -f "/tmp/offload.$$"
sleep "$(slow 2)"

segs=$(($(snmp "$GEN" Tcp OutSegs) + $(snmp "$GEN" Tcp RetransSegs) - out0))
frames=$(($(dfcctl "$MON" -j interface show m0 | jq -r '.[0].seen') - seen0))
copies=$(($(rx) - rx0))
ref=$(($(refused) - ref0))
echo "# gen sent $segs TCP segments; m0 saw $frames frames; dst took $copies copies, veth refused $ref," \
	"dst failed to reassemble $(($(snmp "$DST" Ip ReasmFails) - rf0))"
# The positive control: frames really were merged (else nothing is tested).
check "m0 saw merged frames (fewer frames than segments)" test "$frames" -lt "$segs"
# A copy the veth refused was sent (dfc counts what the output path took:
# below) but never reached dst; a busy host made one such in 1416.
check_eq "one copy per segment on the wire (taken by dst or refused by the veth)" \
	"$((copies + ref))" "$segs"
check_eq "destination 1 counts them sent, nothing dropped" \
	"$(dfcctl "$MON" -j cdest show | jq -r '.[] | select(.id == 1) | .stats |
		"\(.copies) \([.nomem, .noroute, .noipsec, .toobig, .loop, .ratelimit,
		.dupcap, .txerr] | add)"')" "$segs 0"
check_eq "no copy larger than the 1500-byte MTU" "$(over_mtu)" 0
check_eq "dst's TCP checked every copy" "$(($(snmp "$DST" Tcp InSegs) - in0))" "$copies"
check_eq "no checksum error among them" "$(($(snmp "$DST" Tcp InCsumErrors) - err0))" 0

check "module unloads" rmmod dfc
ktap_finish
