#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The dfc lab, run inside the QEMU guest by `make demo`:
#
#   cs   control source      s0 198.51.100.2 --- k0 198.51.100.1   mon
#   gen  monitored traffic   p0 ----(passive tap)---- m0            mon
#   cd   content destination d0 192.0.2.2 ===IPsec=== c0 192.0.2.1 mon
#
# A control source asks dtcpd (in mon) over DTCP for a capture; dtcpd
# programs dfc.ko; frames seen on the passive port m0 are copied, in
# IP-in-IP, through an ESP SA that strongSwan negotiated, to the content
# destination, which decapsulates them. Exits non-zero if any step fails.
set -eu

TOP=${DFC_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
DFC_KO=${DFC_KO:-$TOP/dfc.ko}
B=$TOP/build
L=$(mktemp -d /tmp/dfc-lab.XXXXXX)
KEY="demo-shared-key"
PSK="demo-ike-psk-0123456789"

step() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
fail() { printf 'demo: FAILED: %s\n' "$*" >&2; exit 1; }
mon() { ip netns exec mon "$@"; }
dtcpc() {
	ip netns exec cs "$B/dtcpc" -s 198.51.100.1 -p 2400 -i cs1 -k "$KEY" \
		-S "$L/cs1.seq" "$@"
}

cleanup() {
	for p in $(cat "$L"/*.pid 2>/dev/null); do kill "$p" 2>/dev/null || true; done
	for n in cs gen mon cd; do ip netns del "$n" 2>/dev/null || true; done
	rmmod dfc 2>/dev/null || true
}
trap cleanup EXIT

step "Topology: four network namespaces"
for n in cs gen mon cd; do
	ip netns add "$n"
	ip -n "$n" link set lo up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip link add s0 netns cs type veth peer name k0 netns mon
ip link add p0 netns gen type veth peer name m0 netns mon
ip link add d0 netns cd type veth peer name c0 netns mon
ip -n cs addr add 198.51.100.2/24 dev s0
ip -n mon addr add 198.51.100.1/24 dev k0
ip -n mon addr add 192.0.2.1/24 dev c0
ip -n cd addr add 192.0.2.2/24 dev d0
for l in "cs s0" "mon k0" "gen p0" "mon m0" "mon c0" "cd d0"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
# The destination takes the copies out of their IP-in-IP envelope.
ip -n cd link add ipip0 type ipip local 192.0.2.2 remote 192.0.2.1
ip -n cd link set ipip0 up
ip netns exec cd sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.ipip0.rp_filter=0

step "IPsec: strongSwan IKEv2 between the monitoring host and the destination"
charon() { # charon NS LOCAL REMOTE
	d=$L/$1
	mkdir -p "$d"
	cat > "$d/strongswan.conf" <<EOF
charon {
	load = random nonce aes sha1 sha2 hmac pem pkcs1 x509 revocation gmp kdf kernel-netlink socket-default vici updown
	install_routes = no
	filelog { log { path = $d/charon.log
		default = 1 } }
	plugins { vici { socket = unix://$d/charon.vici } }
}
swanctl { socket = unix://$d/charon.vici }
EOF
	cat > "$d/swanctl.conf" <<EOF
connections {
	lab {
		version = 2
		local_addrs = $2
		remote_addrs = $3
		proposals = aes128-sha256-modp2048
		local { auth = psk
			id = $2 }
		remote { auth = psk
			id = $3 }
		children {
			copies {
				local_ts = $2/32
				remote_ts = $3/32
				esp_proposals = aes128gcm16
				mode = transport
			}
		}
	}
}
secrets { ike-1 { id-1 = $2
	id-2 = $3
	secret = "$PSK" } }
EOF
	ip netns exec "$1" sh -c "mount -t tmpfs none /run && STRONGSWAN_CONF=$d/strongswan.conf exec /usr/lib/ipsec/charon" \
		>/dev/null 2>&1 &
	echo $! > "$L/charon-$1.pid"
}
charon mon 192.0.2.1 192.0.2.2
charon cd 192.0.2.2 192.0.2.1
swanctl() { ns=$1; shift; ip netns exec "$ns" env STRONGSWAN_CONF="$L/$ns/strongswan.conf" swanctl "$@"; }
for ns in mon cd; do
	n=0
	until swanctl "$ns" --load-all --file "$L/$ns/swanctl.conf" >/dev/null 2>&1; do
		n=$((n + 1)); [ $n -lt 50 ] || fail "charon in $ns did not start"; sleep 0.2
	done
done
run swanctl mon --initiate --child copies --timeout 30 2>/dev/null | tail -n 2
ip -n mon xfrm state | grep -q 'proto esp' || fail "no ESP SA"
echo "ESP SAs: $(ip -n mon xfrm state | grep -c 'proto esp')"

step "dfc.ko and dtcpd on the monitoring host"
lsmod 2>/dev/null | grep -q '^dfc ' || insmod "$DFC_KO"
umask 077	# the configuration holds a shared-key
cat > "$L/dtcpd.conf" <<EOF
state-file = "$L/dtcpd.state";
control-socket = "$L/dtcpd.sock";
capture-group = ( {
  name = "lab";
  interfaces = [ "m0" ];
  content-destination = (
    { id = "cd1"; address = "192.0.2.2"; ttl = 64; ipsec-required = true; }
  );
  control-source = (
    { id = "cs1"; source-addresses = [ "198.51.100.2" ]; service-port = 2400;
      shared-key = "$KEY"; allowed-destinations = [ "cd1" ];
      notification-targets = ( { address = "198.51.100.2"; port = 2100; } ); }
  );
} );
EOF
run mon "$B/dtcpd" -t -c "$L/dtcpd.conf"
mon "$B/dtcpd" -f -c "$L/dtcpd.conf" 2> "$L/dtcpd.log" &
echo $! > "$L/dtcpd.pid"
n=0
until [ -S "$L/dtcpd.sock" ]; do
	n=$((n + 1)); [ $n -lt 100 ] || fail "dtcpd did not start: $(cat "$L/dtcpd.log")"; sleep 0.1
done
run mon "$B/dfcctl" interface show

step "The control source asks for a capture (DTCP ADD, HMAC-SHA1 signed)"
ip netns exec cs "$B/dtcpc" -i cs1 -k "$KEY" -w 30 listen -l 198.51.100.2:2100 -c 1 \
	> "$L/notice" 2>&1 &
echo $! > "$L/listen.pid"
run dtcpc ADD 'Cdest-ID: cd1' 'Dest-Address: 203.0.113.10' 'Dest-Port: 80,443' \
	'Protocol: 6' 'Flags: Static'
run dtcpc ADD 'Cdest-ID: cd1' 'Source-Address: 203.0.113.0/24' 'Protocol: 17' \
	'Timeout-Packets: 5' 'Flags: SendAsync'
run mon "$B/dfcctl" filter show

step "Traffic on the monitored link"
mkdir -p "$L/cap"
ip netns exec cd tcpdump -q -n -i ipip0 -w "$L/cap/copies.pcap" >/dev/null 2>&1 &
echo $! > "$L/tcpdump1.pid"
ip netns exec cd tcpdump -q -n -i d0 -w "$L/cap/wire.pcap" >/dev/null 2>&1 &
echo $! > "$L/tcpdump2.pid"
sleep 2
inj() { ip netns exec gen "$B/selftests/inject" -i p0 "$@" >/dev/null; }
run inj -n 20 -k ipv4 -P tcp -S 198.18.7.7 -D 203.0.113.10 -p 443 -l 200 -w "$L/sent.ip"
run inj -n 8 -k ipv4 -P udp -S 203.0.113.7 -D 198.18.0.1 -p 53 -l 100
run inj -n 30 -k ipv4 -P tcp -S 198.18.7.7 -D 203.0.113.99 -p 80 -l 200
sleep 3
kill "$(cat "$L/tcpdump1.pid")" "$(cat "$L/tcpdump2.pid")"
sleep 1

copies=$(tcpdump -r "$L/cap/copies.pcap" -n 2>/dev/null | grep -c . || true)
clear=$(tcpdump -r "$L/cap/wire.pcap" -n 'ip proto 4' 2>/dev/null | grep -c . || true)
esp=$(tcpdump -r "$L/cap/wire.pcap" -n 'ip proto 50' 2>/dev/null | grep -c . || true)
echo "content destination: $copies copies decapsulated; on the wire $esp ESP packets, $clear IP-in-IP in clear"
tcpdump -r "$L/cap/copies.pcap" -n -c 3 2>/dev/null | sed 's/^/  /'
# 20 to 203.0.113.10:443 and 5 of the 8 UDP frames (Timeout-Packets 5).
[ "$copies" -eq 25 ] || fail "expected 25 copies, got $copies"
[ "$clear" -eq 0 ] || fail "copies left in clear"
[ "$esp" -ge 25 ] || fail "expected the copies inside ESP"
# One copy is byte for byte what the tap saw.
tcpdump -r "$L/cap/copies.pcap" -w "$L/cap/first.pcap" -c 1 2>/dev/null
tail -c "$(wc -c < "$L/sent.ip")" "$L/cap/first.pcap" | cmp -s - "$L/sent.ip" ||
	fail "the copy differs from the original packet"
echo "first copy is identical to the packet on the monitored link"

step "What the operator sees"
run mon "$B/dfcctl" filter show
run mon "$B/dfcctl" stats

step "The control source hears the timeout, lists and deletes"
wait "$(cat "$L/listen.pid")" || true
sed 's/^/  /' "$L/notice"
grep -qi '390' "$L/notice" || fail "no Timeout notification"
grep -q '# verified' "$L/notice" || fail "the notification did not verify"
run dtcpc LIST 'Flags: Both'
run dtcpc DELETE 'Flags: Static' 'Cdest-ID: cd1'
run mon "$B/dfcctl" filter show

printf '\ndemo: OK: DTCP ADD -> dtcpd -> dfc.ko -> ESP -> content destination\n'
