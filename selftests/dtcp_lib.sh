# SPDX-License-Identifier: GPL-2.0
# Shared by the dtcpd guest tests (dtcp.sh, dtcp_hostile.sh): a real
# dtcpd programming dfc.ko, driven by dtcpc over UDP from another
# namespace. Source it after setting nothing; call dtcp_setup first.
#
#   cs: c0 192.0.2.1 (.9)  ---veth---  d0 192.0.2.2 :mon (dtcpd, dfc.ko)
#       2001:db8:1::1                   2001:db8:1::2
#   gen: p0 ---veth--- m0 :mon (capture interface of group g1)
#
# cap0 in cs decapsulates the IP-in-IP copies sent to 192.0.2.1.
. "$(dirname "$0")/lib.sh"

DTCPD=${DTCPD:-$TOP/build/dtcpd}
DTCPC=${DTCPC:-$TOP/build/dtcpc}
PY=/usr/bin/python3
T=$(mktemp -d /tmp/dtcp.XXXXXX)
DPID=
ON_EXIT=	# more to undo at exit (a command line), before $T goes
umask 077	# dtcpd refuses keys that group or others may read

cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	[ -z "$ON_EXIT" ] || eval "$ON_EXIT"
	cleanup_ns
	rm -rf "$T"
}
trap cleanup EXIT

# dtcp_setup: the KTAP header, the topology above and dfc.ko loaded; the
# test ends here (skipped or failed) when that cannot be.
dtcp_setup() {
	ktap_header
	dfc_unload 2>/dev/null
	if [ ! -x "$DTCPD" ] || [ ! -x "$DTCPC" ]; then
		skip "dtcpd end to end" "dtcpd/dtcpc not built"
		ktap_finish
	fi
	setup_ns CS MON GEN
	ip link add c0 netns "$CS" type veth peer name d0 netns "$MON" &&
	ip link add p0 netns "$GEN" type veth peer name m0 netns "$MON" || { fail "topology"; ktap_finish; }
	for ns in "$CS" "$MON"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
			net.ipv6.conf.default.disable_ipv6=0
	done
	ip -n "$CS" addr add 192.0.2.1/24 dev c0
	ip -n "$CS" addr add 192.0.2.9/24 dev c0
	ip -n "$CS" addr add 2001:db8:1::1/64 dev c0 nodad
	ip -n "$MON" addr add 192.0.2.2/24 dev d0
	ip -n "$MON" addr add 2001:db8:1::2/64 dev d0 nodad
	for l in "$CS c0" "$MON d0" "$MON m0" "$GEN p0"; do
		set -- $l
		ip -n "$1" link set "$2" up
	done
	check "module loads" insmod "$DFC_KO"
	ip -n "$CS" link add cap0 type ipip local 192.0.2.1 remote 192.0.2.2
	ip -n "$CS" link set cap0 up
	printf 'Shared-Key-2\n' > "$T/cs2.key"
}

# conf ALLOWED [CS1_MORE]: the configuration, cs1 allowed those
# destinations (and CS1_MORE settings), g1's interfaces $IFACES; the state
# file is $STATE_FILE.
STATE_FILE=$T/state
IFACES='"m0"'
conf() {
	cat <<EOF2
state-file = "$STATE_FILE";
control-socket = "$T/ctl.sock";
g-duplicates-dropped-periodicity = 2;
capture-group = ( {
  name = "g1";
  interfaces = [ $IFACES ];
  content-destination = (
    { id = "cd1"; address = "192.0.2.1"; },
    { id = "cd2"; address = "192.0.2.1"; ttl = 9; },
    { id = "cd3"; address = "192.0.2.1"; }
  );
  control-source = (
    { id = "cs1"; source-addresses = [ "192.0.2.1", "2001:db8:1::1" ]; service-port = 2400;
      shared-key = "secret"; allowed-destinations = [ $1 ]; ${2:-}
      notification-targets = ( { address = "192.0.2.1"; port = 2100; } ); }
  );
}, {
  name = "g2";
  max-duplicates = 1;
  content-destination = (
    { id = "cd4"; address = "192.0.2.1"; },
    { id = "cd5"; address = "192.0.2.1"; soft-limit = 1000; soft-limit-clear = 500;
      hard-limit = 1200; hard-limit-target = 100; }
  );
  control-source = (
    { id = "cs2"; source-addresses = [ "192.0.2.0/24" ]; service-port = 2401;
      key-file = "$T/cs2.key"; mixed-case = true; request-destinations = true;
      notification-targets = ( { address = "192.0.2.1"; port = 2101; } ); }
  );
} );
EOF2
}

# dtcpc as cs1 / cs2 from the control source namespace, waiting for answers as
# long as the kernel under test needs (-w again overrides). The answer ends the
# wait, so the margin costs nothing; a loaded host stalls a guest for seconds.
dc() { ip netns exec "$CS" "$DTCPC" -s 192.0.2.2 -p 2400 -i cs1 -k secret -S "$T/cs1.seq" -w "$(slow 10)" "$@"; }
dc2() { ip netns exec "$CS" "$DTCPC" -s 192.0.2.2 -p 2401 -i cs2 -K "$T/cs2.key" -S "$T/cs2.seq" -w "$(slow 10)" "$@"; }
# code: the status code of the first answer in dtcpc's output on stdin.
code() { sed -n '1s|^DTCP/[0-9.]* \([0-9][0-9][0-9]\).*|\1|p'; }
# field NAME: a parameter's value in dtcpc's output (any case).
field() { awk -v n="$1" 'BEGIN { n = toupper(n) } toupper($1) == n ":" { print $2; exit }'; }
# listen PORT KEY COUNT: notifications to FILE $T/n.PORT, in the background.
listen() {
	ip netns exec "$CS" "$DTCPC" listen -l "192.0.2.1:$1" -k "$2" -c "$3" -w 15 \
		> "$T/n.$1" 2>&1 &
	LPID=$!
	# Bound once it says so (TCG is slow to start processes).
	for _ in $(seq 100); do
		grep -q '^# listening' "$T/n.$1" 2>/dev/null && return 0
		sleep 0.05
	done
}
ctl() { # ctl JSON: one control socket request, the reply on stdout
	ip netns exec "$MON" "$PY" -c 'import socket,sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode() + b"\n")
print(s.makefile().readline().strip())' "$T/ctl.sock" "$1"
}
# start_dtcpd [OPTION...]: dtcpd in the foreground of a job, its log in $T/dtcpd.log.
start_dtcpd() {
	ip netns exec "$MON" "$DTCPD" -f "$@" -c "$T/dtcpd.conf" </dev/null >>"$T/dtcpd.log" 2>&1 &
	DPID=$!
	for _ in $(seq 50); do
		[ -S "$T/ctl.sock" ] && return 0
		sleep 0.1
	done
	return 1
}
stop_dtcpd() {
	kill "$DPID" && wait "$DPID"
	r=$?
	DPID=
	rm -f "$T/ctl.sock"
	return $r
}
# step DESCRIPTION CMD...: like check, in this shell (the command may start or wait for jobs).
step() {
	d=$1
	shift
	if "$@"; then ok "$d"; else fail "$d" "$* failed; dtcpd log:" "$(tail -5 "$T/dtcpd.log")"; fi
}
inject() { ip netns exec "$GEN" "$INJECT" -i p0 "$@" >/dev/null; }
# Copies decapsulated by a tunnel device of the content destination (cd1).
ipip_in() { ip netns exec "$CS" cat /sys/class/net/cap0/statistics/rx_packets; }
