#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# DTCP over SSH end to end, in the guest: Debian's OpenSSH sshd on port
# 32001 runs the relay (build/dtcpd-ssh-relay) as subsystem flow-tap-dtcp
# and, as docs/dtcpd.md configures it, as the forced command of its group;
# a paramiko client (ssh_dtcp_client.py) logs in with a key per mediation
# device and speaks flow-tap DTCP (Seq from 1 on each session, HMAC-SHA1)
# to a real dtcpd programming dfc.ko (topology: dtcp_lib.sh).
#
# ADD flow-tap style (X-JTap-Cdest-*, X-JTap-Input-Interface, Flags:
# STATIC), traffic injected and the UDP copies counted at the destination,
# LIST, DELETE; two sources in two sessions at once, each blind to the
# other; refusals, each counted: a wrong key for the login (sshd), a login
# mapped to no source, a login speaking for another source, a bad HMAC, a
# replay within the session, an oversized message.
#
# The users live in copies of /etc/passwd, /etc/group and /etc/shadow
# bind-mounted in a private mount namespace: the guest's root is read-only.
if [ -z "${SSH_DTCP_NS:-}" ]; then
	SSH_DTCP_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. "$(dirname "$0")/dtcp_lib.sh"

SSHD=/usr/sbin/sshd
RELAY=$TOP/build/dtcpd-ssh-relay
CLIENT=$TOP/selftests/ssh_dtcp_client.py

dtcp_setup
if [ ! -x "$SSHD" ] || ! "$PY" -c 'import paramiko' 2>/dev/null || [ ! -x "$RELAY" ]; then
	skip "DTCP over SSH" "needs openssh-server, python3-paramiko (make deps) and the relay"
	ktap_finish
fi

# ---- users: a group for the relay, a user per mediation device ----
chmod 755 "$T"
for f in passwd group shadow; do
	cp -p "/etc/$f" "$T/$f"
	mount --bind "$T/$f" "/etc/$f" || { fail "bind-mount /etc/$f"; ktap_finish; }
done
echo "dtcpd-ssh:x:4242:" >> /etc/group
for u in md1:4201 md2:4202 md3:4203; do
	echo "${u%%:*}:x:${u#*:}:4242:mediation device:/:/bin/sh" >> /etc/passwd
	# "*": no password, and not locked ("!"), so a key may log in.
	echo "${u%%:*}:*:19000:0:99999:7:::" >> /etc/shadow
done
mkdir -p "$T/keys" "$T/run" /run/sshd
chmod 755 "$T/run" "$T/keys"
for u in md1 md2 md3; do
	ssh-keygen -q -t ed25519 -N '' -f "$T/$u.id" </dev/null
	cp "$T/$u.id.pub" "$T/keys/$u" && chmod 644 "$T/keys/$u"
done
ssh-keygen -q -t ed25519 -N '' -f "$T/host_key" </dev/null
# The relay as the package installs it: root's, readable and runnable by all.
cp "$RELAY" "$T/relay" && chmod 755 "$T/relay"

cat > "$T/sshd_config" <<EOF
Port 32001
ListenAddress 192.0.2.2
HostKey $T/host_key
PidFile $T/sshd.pid
AuthorizedKeysFile $T/keys/%u
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowGroups dtcpd-ssh
DisableForwarding yes
PermitTTY no
Subsystem flow-tap-dtcp $T/relay -s $T/run/relay.sock
Match Group dtcpd-ssh
	ForceCommand $T/relay -s $T/run/relay.sock
EOF

conf '"cd1"' 'request-destinations = true; ssh-logins = [ "md1" ];' |
	sed -e 's|request-destinations = true;$|request-destinations = true; ssh-logins = [ "md2" ];|' \
	    -e '1i ssh = { socket = "'"$T"'/run/relay.sock"; relay-group = "dtcpd-ssh"; max-sessions-per-source = 2; };' \
	    -e '1i interface-map = ( { name = "ge-1/3/5.0"; interface = "m0"; } );' > "$T/dtcpd.conf"
check "dtcpd -t accepts ssh and ssh-logins" ip netns exec "$MON" "$DTCPD" -t -c "$T/dtcpd.conf"
step "dtcpd starts" start_dtcpd
check "the relay socket is there" test -S "$T/run/relay.sock"
check "sshd -t accepts the configuration" ip netns exec "$MON" "$SSHD" -t -f "$T/sshd_config"
ip netns exec "$MON" "$SSHD" -f "$T/sshd_config" -E "$T/sshd.log"
for _ in $(seq 50); do [ -s "$T/sshd.pid" ] && break; sleep 0.1; done
ON_EXIT='kill $(cat "$T/sshd.pid") 2>/dev/null'

export DTCP_WAIT=$(slow 3)
# sc LOGIN CSOURCE SECRET STEP...: the client in the control source's namespace.
sc() {
	l=$1
	shift
	ip netns exec "$CS" "$PY" "$CLIENT" 192.0.2.2 32001 "$l" "$T/$l.id" "$@" 2>>"$T/client.err"
}
req() { sed -n "s/^REQ $1: //p"; }
ans() { awk -v n="$1" 'BEGIN { n = toupper(n) } $1 == ">" && toupper($2) == n ":" { print $3; exit }'; }
ssh_ctr() { ctl '{"cmd":"status"}' | jq -c ".ssh.counters.$1"; }
src_drop() { ctl "{\"cmd\":\"sources\",\"source\":\"$1\"}" | jq -c ".sources[0].drops.$2"; }

# ---- flow-tap ADD, copies, LIST, DELETE ----
FT='ADD|Cdest-ID: ft1|Flags: STATIC|Protocol: 17|Source-Address: 10.0.0.1|Dest-Address: 10.0.0.2|Dest-Port: 53|X-JTap-Cdest-Dest-Address: 192.0.2.1|X-JTap-Cdest-Dest-Port: 50000|X-JTap-Cdest-Source-Address: 192.0.2.2|X-JTap-Cdest-Source-Port: 49153|X-JTap-Input-Interface: ge-1/3/5.0'
out=$(sc md1 cs1 secret "$FT" 'LIST|Flags: Both')
check_eq "md1: ADD flow-tap style, Seq 1: 200, HMAC verified" "$(echo "$out" | req 1)" 200
id=$(echo "$out" | ans Criteria-ID)
check_eq "md1: LIST, Seq 2: the criterion" "$(echo "$out" | req 2) $(echo "$out" | sed -n '/^REQ 2/,$p' | ans Criteria-ID)" "200 $id"
# The copies: UDP from 192.0.2.2:49153 to the destination 192.0.2.1:50000.
ip netns exec "$CS" "$PY" -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("192.0.2.1", 50000))
print("ready", flush=True); n = m = 0; s.settimeout(float(sys.argv[1]))
try:
    while True:
        d, a = s.recvfrom(65535)
        n += 1
        m += a == ("192.0.2.2", 49153)
except socket.timeout:
    pass
print(n, m)' "$(slow 3)" > "$T/udp" &
UPID=$!
for _ in $(seq 100); do grep -q ready "$T/udp" && break; sleep 0.05; done
inject -n 10 -S 10.0.0.1 -D 10.0.0.2 -P udp -p 53
inject -n 5 -S 10.0.0.1 -D 10.0.0.2 -P udp -p 54
wait $UPID
check_eq "10 UDP copies reached 192.0.2.1:50000, all from 192.0.2.2:49153" "$(tail -1 "$T/udp")" "10 10"
out=$(sc md1 cs1 secret "LIST|Criteria-ID: $id|Flags: Stats" "DELETE|Criteria-ID: $id|Flags: STATIC" 'LIST')
check_eq "a new session starts at Seq 1 again: LIST counts 10" \
	"$(echo "$out" | req 1) $(echo "$out" | ans Matching-Packets)" "200 10"
check_eq "DELETE: 200, LIST then empty" \
	"$(echo "$out" | req 2) $(echo "$out" | req 3) $(echo "$out" | sed -n '/^REQ 3/,$p' | grep -ci '^> criteria-id')" "200 200 0"

# ---- two sources at once, each in its session ----
sc md1 cs1 secret 'ADD|Cdest-ID: cd1|Protocol: 6|Timeout-Idle: 600' "until=$T/release" 'LIST' > "$T/s1" &
P1=$!
sc md2 cs2 Shared-Key-2 'ADD|Cdest-ID: cd4|Protocol: 17|Timeout-Idle: 600' "until=$T/release" 'LIST' > "$T/s2" &
P2=$!
# Both open and bound to their source (their ADD answered).
for _ in $(seq 100); do
	[ "$(ctl '{"cmd":"status"}' | jq '[.ssh.sessions[] | select(.source != "")] | length')" = 2 ] && break
	sleep 0.1
done
check_eq "dfcctl agent status -j: two sessions, their logins and sources" \
	"$(dfcctl "$MON" -S "$T/ctl.sock" -j agent status | jq -c '[.ssh.sessions[] | "\(.login) \(.source) \(.from)"] | sort')" \
	'["md1 cs1 192.0.2.1","md2 cs2 192.0.2.1"]'
st=$(dfcctl "$MON" -S "$T/ctl.sock" agent status)
check_eq "dfcctl agent status lists the sessions" "$(echo "$st" | grep -c ' login md[12] from 192.0.2.1 source cs[12] ')" 2
touch "$T/release"
wait $P1 $P2
check_eq "both sessions: ADD and LIST answered" "$(req 1 < "$T/s1") $(req 2 < "$T/s1") $(req 1 < "$T/s2") $(req 2 < "$T/s2")" \
	"200 200 200 200"
check_eq "isolation: each LIST holds its own criterion only" \
	"$(sed -n '/^REQ 2/,$p' "$T/s1" | grep -ci '^> criteria-id') $(sed -n '/^REQ 2/,$p' "$T/s2" | grep -ci '^> criteria-id')" "1 1"

# ---- a command, not the subsystem: the forced command runs the relay ----
# (docs/dtcpd.md's sshd_config; without ForceCommand this would print
# /etc/hostname and answer nothing)
out=$(DTCP_SSH_EXEC='cat /etc/hostname' sc md1 cs1 secret NOOP)
check_eq "md1 asks for a command: ForceCommand gives it the relay, NOOP 200" "$(echo "$out" | req 1)" 200

# ---- refusals ----
out=$(ip netns exec "$CS" "$PY" "$CLIENT" 192.0.2.2 32001 md1 "$T/md2.id" cs1 secret NOOP 2>&1)
check_eq "a key that is not the login's: sshd refuses the login" "$(echo "$out" | grep -c '^login refused')" 1
out=$(sc md3 cs1 secret NOOP)
check_eq "a login mapped to no source: the session closes, no answer" "$(echo "$out" | req 1)" closed
check_eq "... counted (refused_login)" "$(ssh_ctr refused_login)" 1
out=$(sc md2 cs1 secret NOOP)
check_eq "md2 speaking for cs1 (with cs1's key): closed" "$(echo "$out" | req 1)" closed
check_eq "... counted for cs1 (drops.login)" "$(src_drop cs1 login)" 1
out=$(sc md1 cs1 secret NOOP replay key=wrong NOOP NOOP)
check_eq "bad HMAC and replay: no answer, the session goes on" \
	"$(echo "$out" | req 1) $(echo "$out" | req 2) $(echo "$out" | req 3) $(echo "$out" | req 4)" "200 none none 200"
check_eq "... counted for cs1 (drops.auth, drops.seq)" "$(src_drop cs1 auth) $(src_drop cs1 seq)" "1 1"
out=$(sc md1 cs1 secret NOOP big=70000 NOOP)
check_eq "a message over 65535 bytes: the session closes" "$(echo "$out" | req 1) $(echo "$out" | req 2)" "200 closed"
check_eq "... counted (too_big)" "$(ssh_ctr too_big)" 1
# The relay goes when sshd closes its stdin: give it a moment.
for _ in $(seq 50); do
	[ "$(ctl '{"cmd":"status"}' | jq '.ssh.sessions | length')" = 0 ] && break
	sleep 0.1
done
check_eq "no session left open" "$(ctl '{"cmd":"status"}' | jq '.ssh.sessions | length')" 0
check_eq "every session sshd ran reached dtcpd (9; the refused key none)" "$(ssh_ctr accepted)" 9

ktap_finish
