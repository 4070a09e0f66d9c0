#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dtcpd_check.sh: host-tier test of dtcpd -t, the check run before start
# (the unit's ExecStartPre) and before each reload. The built dtcpd checks
# generated configurations on this host, without dfc.ko: a good one (lo,
# 127.0.0.1) is accepted; each thing that would fail at start is refused
# with status 1 and exactly its file:line message: an interface name that
# cannot be one, or listed twice, ttl 0, a control socket path too long for
# a unix socket, a listen address that is not this host's, a key file
# missing, empty or readable by others. An interface this host does not
# have (yet) is valid with a file:line warning: dtcpd attaches it when it
# appears. The command the missing-key message gives, run as given, makes
# a key the configuration then takes.

cd "$(dirname "$0")/.." || exit 1
. selftests/lib.sh

DTCPD=$TOP/build/dtcpd
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
ktap_header

NOIF=dfcnosuch0
[ ! -e "/sys/class/net/$NOIF" ] || { echo "# $NOIF exists on this host" >&2; exit 1; }
umask 077
printf 'k3y-for-the-test-%s\n' "$$" > "$tmp/cs1.key"

# conf: the configuration from IFACES, TTL, KEY, CTL, LISTEN, MAPIF, MORE.
# The lines are fixed: 2 control-socket, 3 listen-addresses, 4
# interface-map, 7 interfaces, 8 content destination, 9 control source, 10
# MORE (the end of the first group and a second one).
conf() {
	ifaces=${IFACES-'"lo"'}
	cat <<EOF
state-file = "$tmp/state";
control-socket = "${CTL-$tmp/ctl.sock}";
listen-addresses = [ "${LISTEN:-127.0.0.1}" ];
interface-map = ( { name = "ge-0/0/0.0"; interface = "${MAPIF:-lo}"; } );
capture-group = ( {
  name = "g1";
  interfaces = [ $ifaces ];
  content-destination = ( { id = "cd1"; address = "192.0.2.1"; ttl = ${TTL:-64}; } );
  control-source = ( { id = "cs1"; service-port = 2400; key-file = "${KEY:-$tmp/cs1.key}"; } );
  ${MORE:-}
} );
EOF
}

n=0
# t VARS DESCRIPTION WANT: dtcpd -t on conf with the shell assignments
# VARS exits with status 1 and prints "dtcpd: FILE:WANT" alone.
t() {
	n=$((n + 1))
	f=$tmp/bad$n.conf
	(eval "$1" && conf) > "$f"
	out=$("$DTCPD" -t -c "$f" 2>&1)
	check_eq "$2" "$? $out" "1 dtcpd: $f:$3"
}

# w VARS DESCRIPTION WANT: dtcpd -t on conf with VARS is valid (status 0)
# but warns "dtcpd: FILE:WANT" first: what start-up survives.
w() {
	n=$((n + 1))
	f=$tmp/warn$n.conf
	(eval "$1" && conf) > "$f"
	out=$("$DTCPD" -t -c "$f" 2>&1)
	check_eq "$2" "$? $out" "0 dtcpd: $f:$3
dtcpd: configuration $f is valid"
}

# ---- the positive control ----
# dtcpd -t runs before dfc.ko is loaded: here it is not (a build host).
nodfc=
[ -d /sys/module/dfc ] || nodfc=", without dfc.ko"
conf > "$tmp/good.conf"
out=$("$DTCPD" -t -c "$tmp/good.conf" 2>&1)
check_eq "a good configuration (lo, 127.0.0.1) is valid$nodfc" "$? $out" \
	"0 dtcpd: configuration $tmp/good.conf is valid"

# ---- interfaces ----
# Not an error: dtcpd attaches an interface when it appears (hot-plug).
w 'IFACES="\"lo\", \"$NOIF\""' "an interface this host does not have (yet): a warning" \
	"7: warning: capture group 'g1': interface '$NOIF': no such interface on this host: attached when it appears"
t "IFACES='\"abcdefghijklmnop\"'" "a name longer than an interface name can be" \
	"7: capture group 'g1': interface 'abcdefghijklmnop': not an interface name (1..15 characters, no '/', ':' or space)"
t "IFACES='\"lo\", \"lo\"'" "an interface listed twice in a group" \
	"7: interface 'lo' listed twice (first in capture group 'g1', line 7)"
t "MORE='}, { name = \"g2\"; interfaces = [ \"lo\" ];'" "an interface in two capture groups" \
	"10: interface 'lo' listed twice (first in capture group 'g1', line 7)"
w 'MAPIF=$NOIF' "interface-map to an interface this host does not have (yet): a warning" \
	"4: warning: interface-map 'ge-0/0/0.0': interface '$NOIF': no such interface on this host: attached when it appears"

# ---- content destinations ----
t TTL=0 "ttl 0" "8: content destination 'cd1': ttl 0 would drop every copy at the first hop: 1..255"
(TTL=1 && conf) > "$tmp/ttl1.conf"
check "ttl 1 is valid" "$DTCPD" -t -c "$tmp/ttl1.conf"

# ---- the control socket: sun_path holds 107 bytes and a NUL ----
long=$tmp/$(printf '%0*d' $((107 - ${#tmp} - 1)) 0)
(CTL=$long && conf) > "$tmp/ctl107.conf"
check "a control socket path of 107 bytes is valid" "$DTCPD" -t -c "$tmp/ctl107.conf"
t 'CTL=${long}x' "a control socket path of 108 bytes" \
	"2: control-socket: a unix socket path is 1..107 bytes, not 108"
t CTL= "an empty control socket path" "2: control-socket: a unix socket path is 1..107 bytes, not 0"

# ---- listen addresses: the bind() start-up does ----
if [ "$(cat /proc/sys/net/ipv4/ip_nonlocal_bind 2>/dev/null)" = 1 ]; then
	skip "a listen address not on this host" "net.ipv4.ip_nonlocal_bind is set: start-up binds any"
else
	t LISTEN=192.0.2.123 "a listen address not on this host" \
		"3: listen address '192.0.2.123': not an address of this host"
fi
t LISTEN=192.0.2.1/24 "a prefix as listen address" "3: bad listen address '192.0.2.1/24'"

# ---- key files ----
how="create one with: umask 077; openssl rand -hex 32 >"
t 'KEY=$tmp/new.key' "a missing key file, and how to make one" \
	"9: control source 'cs1': key file $tmp/new.key: No such file or directory; $how $tmp/new.key"
if command -v openssl >/dev/null; then
	# The command as the message gives it.
	cmd=$( (KEY=$tmp/new.key && conf) > "$tmp/new.conf"; "$DTCPD" -t -c "$tmp/new.conf" 2>&1 |
		sed -n 's/.*; create one with: //p')
	(umask 022 && sh -c "$cmd")
	check_eq "the key made as told: 64 hex digits, mode 600" \
		"$(grep -cx '[0-9a-f]\{64\}' "$tmp/new.key") $(stat -c %a "$tmp/new.key")" "1 600"
	check "the configuration takes the key made as told" "$DTCPD" -t -c "$tmp/new.conf"
else
	skip "the key made as told" "no openssl command"
	skip "the configuration takes the key made as told" "no openssl command"
fi
: > "$tmp/empty.key"
t 'KEY=$tmp/empty.key' "an empty key file" \
	"9: control source 'cs1': key file $tmp/empty.key: empty key; $how $tmp/empty.key"
cp "$tmp/cs1.key" "$tmp/open.key" && chmod 644 "$tmp/open.key"
t 'KEY=$tmp/open.key' "a key file others may read" \
	"9: control source 'cs1': key file $tmp/open.key: permissions 0644 for '$tmp/open.key' are too open: a key file must not be accessible by group or others (chmod 600, or set insecure-key-permissions)"
t 'KEY="$tmp/it'\''s here.key"' "the command quotes a path for the shell" \
	"9: control source 'cs1': key file $tmp/it's here.key: No such file or directory; $how '$tmp/it'\\''s here.key'"

ktap_finish
