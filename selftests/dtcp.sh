#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dtcpd end to end, in the guest: a real dtcpd programming dfc.ko, driven
# by dtcpc over UDP from another namespace (topology: dtcp_lib.sh).
#
# Every method and status code, the silent drops (bad HMAC, replay,
# unknown source, wrong port, sender not allowed), isolation between
# control sources, notifications (NoOp, Timeout, Restart) received and
# verified, LIST over many datagrams, IPv6 transport, the control socket,
# SIGHUP, dtcpd restarted with criteria kept and traffic still matched and
# copied, and the module reloaded (Restart sent).
. "$(dirname "$0")/dtcp_lib.sh"

dtcp_setup
conf '"cd1", "cd2"' > "$T/dtcpd.conf"

# ---- configuration ----
# -t checks against the host dtcpd runs on: in its namespace (m0 is there).
check "dtcpd -t accepts the configuration" ip netns exec "$MON" "$DTCPD" -t -c "$T/dtcpd.conf"
printf 'capture-group = ( { name = "g";\n  control-source = ( { id = "x"; shared-key = "k"; } ); } );\n' \
	> "$T/bad.conf"
out=$(ip netns exec "$MON" "$DTCPD" -t -c "$T/bad.conf" 2>&1)
check_eq "dtcpd -t names file and line" "$out" \
	"dtcpd: $T/bad.conf:2: control source 'x': 'service-port' (1..65535) is required"
# Secrets others may read are refused, as ssh refuses such private keys.
cp "$T/dtcpd.conf" "$T/open.conf" && chmod 644 "$T/open.conf"
out=$(ip netns exec "$MON" "$DTCPD" -t -c "$T/open.conf" 2>&1)
case $out in
*"control source 'cs1': shared-key in a file with permissions 0644: too open"*)
	ok "dtcpd -t refuses a shared-key in a file others may read" ;;
*) fail "dtcpd -t refuses a shared-key in a file others may read" "$out" ;;
esac
chmod 640 "$T/cs2.key"
out=$(ip netns exec "$MON" "$DTCPD" -t -c "$T/dtcpd.conf" 2>&1)
case $out in
*"permissions 0640 for '$T/cs2.key' are too open"*) ok "dtcpd -t refuses a key file group may read" ;;
*) fail "dtcpd -t refuses a key file group may read" "$out" ;;
esac
chmod 600 "$T/cs2.key"

step "dtcpd starts and opens its control socket" start_dtcpd
check_eq "capture interface attached" "$(dfcctl "$MON" -j interface show | jq -r '.[0].ifname')" m0

# ---- methods ----
out=$(dc NOOP)
check_eq "NOOP: 200, answer verified" "$(echo "$out" | code)/$(echo "$out" | grep -c '^# verified')" 200/1
out=$(dc ADD Cdest-ID=cd1 Source-Address=10.0.0.1 Dest-Address=10.0.0.2 Protocol=17 \
	Dest-Port=53 Timeout-Idle=600)
check_eq "ADD: 200 with Criteria-ID" "$(echo "$out" | code) $(echo "$out" | field Criteria-ID)" "200 1"
check_eq "answers in Junos upper case" "$(echo "$out" | grep -c '^CRITERIA-ID: 1$')" 1
# dfcctl filter show names the control source (dtcpd names its owner
# through the control socket) and the destination, and gives the
# criterion as the control source sent it; ids only with -d.
crit="Source-Address=10.0.0.1 Dest-Address=10.0.0.2 Protocol=17 Dest-Port=53"
row=$(dfcctl "$MON" -S "$T/ctl.sock" filter show | grep -F "  $crit")
check_eq "filter show: cs1, cd1 and the DTCP form" \
	"$(echo "$row" | awk '{ print $1, $5 }')|$(echo "$row" | sed 's/.*  //')" "cs1 cd1|$crit"
check_eq "filter show: no hash ids without -d" "$(dfcctl "$MON" filter show | head -1 | grep -c -- '-ID')" 0
ids=$(dfcctl "$MON" -S "$T/ctl.sock" -j filter show | jq -r --arg c "$crit" \
	'.[] | select(.criterion == $c) | "\(.owner_name) \(.owner) \(.cdest_name) \(.cdest)"')
case $ids in
"cs1 "[0-9]*" cd1 "[0-9]*) ok "filter show -j: names and ids" ;;
*) fail "filter show -j: names and ids" "$ids" ;;
esac
check_eq "filter show -d: the ids beside the names" \
	"$(dfcctl "$MON" -S "$T/ctl.sock" -d filter show | grep -F "  $crit" |
		awk '{ print $1, $2, $6, $7 }')" "$ids"
# Without dtcpd to ask, the owner by its number, and nothing said of it.
row=$(dfcctl "$MON" -S "$T/none.sock" filter show 2>"$T/fs.err" | grep -F "  $crit")
check_eq "filter show without dtcpd: the owner's number, quietly" \
	"$(echo "$row" | awk '{ print $1 }')|$(cat "$T/fs.err")" "$(echo "$ids" | awk '{ print $2 }')|"
inject -n 10 -S 10.0.0.1 -D 10.0.0.2 -P udp -p 53
inject -n 5 -S 10.0.0.1 -D 10.0.0.2 -P udp -p 54
out=$(dc LIST Flags=Both)
check_eq "LIST Both: the filter as given and the kernel's count" \
	"$(echo "$out" | field Dest-Port) $(echo "$out" | field Matching-Packets)" "53 10"
check_eq "10 IP-in-IP copies reached the content destination" "$(ipip_in)" 10
out=$(dc ADD Cdest-ID=cd2 Flags=Static Protocol=6)
check_eq "ADD Static" "$(echo "$out" | code) $(echo "$out" | field Criteria-ID)" "200 2"
out=$(dc REFRESH Criteria-ID=1 Timeout-Total=900)
check_eq "REFRESH: 200, count 1" "$(echo "$out" | code) $(echo "$out" | field Criteria-Count)" "200 1"
out=$(dc LIST Criteria-ID=1 Flags=Stats)
left=$(echo "$out" | field Remaining-Total)
check_eq "REFRESH shows in LIST" "$(echo "$out" | field Num-Refresh) $((left >= 900 - $(slow 10) && left <= 900))" "1 1"
out=$(dc -v 0.6 LIST Criteria-ID=2)
check_eq "a 0.6 request is answered in 0.6" "$(echo "$out" | head -1)" "DTCP/0.6 200 OK"
out=$(dc -v 0.8 NOOP)
check_eq "0.8 accepted" "$(echo "$out" | head -1)" "DTCP/0.8 200 OK"

# ---- status codes ----
t() { # t WANT DESCRIPTION ARGS...: dtcpc ARGS answers WANT
	want=$1 d=$2
	shift 2
	got=$(dc "$@" | code)
	check_eq "$d: $want" "$got" "$want"
}
t 400 "missing Cdest-ID" ADD Timeout-Idle=5
t 400 "a line that is no parameter" ADD Cdest-ID=cd1 Timeout-Idle=5 "Bad line: x y" 
t 430 "unknown content destination" ADD Cdest-ID=nowhere Timeout-Idle=5
t 430 "destination not allowed for this source" ADD Cdest-ID=cd3 Timeout-Idle=5
t 431 "DELETE of an unknown criterion" DELETE Criteria-ID=999
t 432 "improper filter" ADD Cdest-ID=cd1 Timeout-Idle=5 Dest-Port=90-80
t 433 "no timeout and not Static" ADD Cdest-ID=cd1 Protocol=6
t 433 "timeout above a day" ADD Cdest-ID=cd1 Timeout-Idle=86401
t 501 "Action Redirect" ADD Cdest-ID=cd1 Timeout-Idle=5 Action=Redirect
t 501 "an unknown method" ENABLE Criteria-ID=1
t 505 "DTCP/0.9" -v 0.9 NOOP
t 901 "an interface that is not configured" ADD Cdest-ID=cd1 Timeout-Idle=5 X-JTap-Input-Interface=ge-9/9/9
out=$(dc -v 0.9 NOOP)
check_eq "505 comes in our highest version" "$(echo "$out" | head -1)" "DTCP/0.8 505 DTCP Version not supported"

# ---- silent drops ----
ip netns exec "$CS" "$DTCPC" -s 192.0.2.2 -p 2400 -i cs1 -k wrong -S "$T/cs1.seq" -w 1 NOOP >/dev/null 2>&1
check_eq "bad HMAC: no answer" "$?" 3
ip netns exec "$CS" "$DTCPC" -s 192.0.2.2 -p 2400 -i nobody -k secret -S "$T/x.seq" -w 1 NOOP >/dev/null 2>&1
check_eq "unknown control source: no answer" "$?" 3
ip netns exec "$CS" "$DTCPC" -s 192.0.2.2 -p 2401 -i cs1 -k secret -S "$T/cs1.seq" -w 1 NOOP >/dev/null 2>&1
check_eq "wrong service port: no answer" "$?" 3
dc -b 192.0.2.9 -w 1 NOOP >/dev/null 2>&1
check_eq "sender not in source-addresses: no answer" "$?" 3
dc -o "$T/req" NOOP >/dev/null
ip netns exec "$CS" "$DTCPC" -s 192.0.2.2 -p 2400 -k secret -w 1 raw "$T/req" >/dev/null 2>&1
check_eq "replayed request: no answer" "$?" 3
out=$(ctl '{"cmd":"sources","source":"cs1"}')
check_eq "drops counted per source (auth, port, address, seq)" \
	"$(echo "$out" | jq -c '.sources[0].drops | [.auth, .port, .address, .seq]')" "[1,1,1,1]"
check_eq "unknown source counted" "$(ctl '{"cmd":"status"}' | jq .counters.unknown_csource)" 1

# ---- isolation ----
out=$(dc2 LIST Flags=Both)
check_eq "cs2 sees none of cs1's criteria" "$(echo "$out" | code) $(echo "$out" | grep -ci '^criteria-id')" "200 0"
check_eq "cs2 cannot delete cs1's criterion" "$(dc2 DELETE Criteria-ID=1 Flags=Static | code)" 431
check_eq "cs2 answers in mixed case, key from a file" "$(dc2 NOOP | sed -n 2p)" \
	"Seq: $(cat "$T/cs2.seq")"
out=$(dc2 ADD Cdest-ID=md1 Flags=Static X-JTap-Cdest-Dest-Address=192.0.2.1 \
	X-JTap-Cdest-Dest-Port=50000 X-JTap-Cdest-Source-Address=192.0.2.2 X-JTap-Cdest-Source-Port=49153)
check_eq "flow-tap style destination in the request" "$(echo "$out" | code)" 200
check_eq "cs1 still has its 2" "$(dc LIST | grep -c '^CRITERIA-ID')" 2

# ---- notifications ----
listen 2100 secret 1
dc NOOP Flags=SendAsync >/dev/null
wait $LPID
check_eq "NoOp notification (131) received and verified" \
	"$(head -2 "$T/n.2100" | sed -n 2p) $(grep -c '^# verified' "$T/n.2100")" "DTCP/0.7 131 NoOp Notification 1"
listen 2100 secret 1
out=$(dc ADD Cdest-ID=cd1 Protocol=17 Dest-Port=7 Timeout-Total=1 Flags=SendAsync)
id=$(echo "$out" | field Criteria-ID)
wait $LPID
check_eq "Timeout notification (390) for a SendAsync criterion" \
	"$(grep -c '390 Criterion Timeout Delete' "$T/n.2100") $(field Criteria-ID < "$T/n.2100") $(grep -c '^# verified' "$T/n.2100")" "1 $id 1"
check_eq "the expired criterion is gone" "$(dc DELETE Criteria-ID="$id" | code)" 431

# ---- LIST over many datagrams ----
for i in $(seq 1 40); do dc ADD Cdest-ID=cd2 Timeout-Idle=600 Source-Address=10.1.0.$i >/dev/null; done
out=$(dc LIST Flags=Both)
check_eq "LIST of 42 reassembled" "$(echo "$out" | grep '^# LIST')" "# LIST: 42 entries in $(echo "$out" | grep -c '^DTCP/0.7 200 OK') datagrams"
check_eq "LIST took several datagrams" "$(($(echo "$out" | grep -c '^DTCP/0.7 200') > 3))" 1

# ---- IPv6 transport ----
out=$(ip netns exec "$CS" "$DTCPC" -s 2001:db8:1::2 -p 2400 -i cs1 -k secret -S "$T/cs1.seq" NOOP)
check_eq "NOOP over IPv6" "$(echo "$out" | code)" 200

# ---- control socket ----
check_eq "control socket: status" "$(ctl '{"cmd":"status"}' | jq -r '"\(.ok) \(.sources) \(.criteria)"')" \
	"true 2 43"
check_eq "control socket: Seq of cs1" "$(ctl '{"cmd":"sources","source":"cs1"}' | jq -r '.sources[0].seq_text')" \
	"$(cat "$T/cs1.seq")"
check_eq "control socket is root-only" "$(stat -c %a "$T/ctl.sock")" 600
check_eq "control socket: an error" "$(ctl '{"cmd":"nope"}' | jq -r .error)" "unknown command 'nope'"

# ---- SIGHUP: cs1 loses cd2 ----
conf '"cd1"' > "$T/dtcpd.conf"
kill -HUP "$DPID"
sleep 0.5
check_eq "SIGHUP: criteria on a destination no longer allowed are gone" \
	"$(dc LIST | grep -c '^CRITERIA-ID')" 1
check_eq "SIGHUP: the others stay" "$(dc LIST Criteria-ID=1 | field Criteria-ID)" 1
check_eq "SIGHUP: cs2 untouched" "$(dc2 LIST | grep -c '^Criteria-ID')" 1

# ---- restart of dtcpd: capture goes on ----
listen 2100 secret 1
# Seqs 256 and then 300 above the last: the window moved past Seqs whose
# marks must not stay behind (a state file dtcpd could not read back).
q=$(cat "$T/cs1.seq")
check "Seq 256 above" dc -Q -q $((q + 256)) NOOP
check "Seq 300 above" dc -Q -q $((q + 300)) NOOP
dc -o "$T/req2" NOOP >/dev/null
# copies7: IP-in-IP copies at the destination for 7 such frames.
copies7() {
	c=$(ipip_in)
	inject -n 7 -S 10.0.0.1 -D 10.0.0.2 -P udp -p 53
	sleep 0.5
	echo $(($(ipip_in) - c))
}
up=$(copies7)
before=$(dc LIST Criteria-ID=1 Flags=Stats | field Matching-Packets)
step "dtcpd stops" stop_dtcpd
down=$(copies7)
step "dtcpd starts again" start_dtcpd
check "copies before the restart (at least one per frame): $up" test "$up" -ge 7
check_eq "as many copies while dtcpd was down" "$down" "$up"
check_eq "as many copies after the restart" "$(copies7)" "$up"
before=$((before + 7))
out=$(dc LIST Criteria-ID=1 Flags=Both)
check_eq "criterion kept across the restart, filter as given" \
	"$(echo "$out" | field Source-Address) $(echo "$out" | field Dest-Port)" "10.0.0.1 53"
check_eq "traffic matched while dtcpd was down" "$(echo "$out" | field Matching-Packets)" "$((before + 7))"
ip netns exec "$CS" "$DTCPC" -s 192.0.2.2 -p 2400 -k secret -w 1 raw "$T/req2" >/dev/null 2>&1
check_eq "Seq window kept: a replay after the restart is dropped" "$?" 3
check_eq "new ids continue" "$(dc ADD Cdest-ID=cd1 Timeout-Idle=60 | field Criteria-ID)" 45
sleep 1
kill $LPID 2>/dev/null
wait $LPID 2>/dev/null
check_eq "no Restart notification: nothing was lost" "$(grep -c 599 "$T/n.2100")" 0

# ---- kernel events: max-duplicates, soft and hard limits (group g2) ----
# cs2 may have 1 copy per packet: its cd5 criterion (priority 1) wins, the
# cd4 one (priority 2) loses its copies; cd5 then goes above both limits.
# Drops are reported per period: maybe in two notices, hence up to 4.
check_eq "cs2's catch-all flow-tap criterion deleted by its label" \
	"$(dc2 DELETE Cdest-ID=md1 Flags=Static | field Criteria-Count)" 1
listen 2101 Shared-Key-2 4
P2=$LPID
out=$(dc2 ADD Cdest-ID=cd4 Protocol=17 Dest-Port=4000 Priority=2 Flags=Static)
dup_id=$(echo "$out" | field Criteria-ID)
out=$(dc2 ADD Cdest-ID=cd5 Protocol=17 Dest-Port=4000 Priority=1 Flags=Static)
hot_id=$(echo "$out" | field Criteria-ID)
inject -n 40 -S 10.9.0.1 -D 10.9.0.2 -P udp -p 4000 -l 200
wait $P2
n=$T/n.2101
check_eq "DuplicatesDropped (598): the losing criterion" \
	"$(($(grep -c '598 Duplicate Packets Dropped' "$n") >= 1)) $(awk '/^DTCP/ { f = / 598 / } f && /^Criteria-ID:/ { print $2; exit }' "$n")" \
	"1 $dup_id"
check_eq "598 counts the dropped copies" \
	"$(awk '/^DTCP/ { f = / 598 / } f && /^X-Dropped-Packets:/ { s += $2 } END { print s }' "$n")" 40
check_eq "Congestion (580) above the soft limit" \
	"$(grep -c '580 Congestion' "$n") $(awk '/^DTCP/ { f = / 580 / } f && /^Alert-Bandwidth:/ { print $2; exit }' "$n")" "1 1000"
check_eq "CongestionDelete (680) above the hard limit: the criterion purged" \
	"$(grep -c '680 Criterion Congestion Delete' "$n") $(awk '/^DTCP/ { f = / 680 / } f && /^Criteria-ID:/ { print $2; exit }' "$n")" \
	"1 $hot_id"
check_eq "all verified" "$(grep -c '^# verified' "$n")" "$(grep -c '^DTCP/' "$n")"
check_eq "the purged criterion is gone from LIST" "$(dc2 LIST Criteria-ID="$hot_id" | code)" 431
[ "$ktap_failed" -eq 0 ] || { sed 's/^/# /' "$n"; dc2 LIST Flags=Both | sed 's/^/# /'; ip netns exec "$MON" "$DFCCTL" -j stats | sed 's/^/# /'; }
dc2 DELETE Criteria-ID="$dup_id" Flags=Static >/dev/null

# ---- the module goes away: Restart ----
listen 2100 secret 1
P1=$LPID
listen 2101 Shared-Key-2 1
P2=$LPID
rmmod dfc
sleep 2
insmod "$DFC_KO"
wait $P2
check_eq "Restart (599) to cs2 when dfc.ko went away" "$(grep -c '599 Server Restart' "$T/n.2101")" 1
wait $P1
check_eq "Restart (599) to cs1 too, verified" \
	"$(grep -c '599 Server Restart' "$T/n.2100") $(grep -c '^# verified' "$T/n.2100")" "1 1"
sleep 1.5
check_eq "criteria are gone after the reload" "$(dc LIST | grep -c '^CRITERIA-ID')" 0
check_eq "dtcpd serves again" "$(dc ADD Cdest-ID=cd1 Timeout-Idle=60 | code)" 200
check_eq "dfcctl agent show: cs1 through the control socket (JSON, table)" \
	"$(dfcctl "$MON" -S "$T/ctl.sock" -j agent show | jq -r '.[] | select(.id == "cs1") |
		"\(.addresses | join(",")) \(.port) \((.requests | add) > 0) \(.answers."2xx" > 0)"')
$(dfcctl "$MON" -S "$T/ctl.sock" agent show cs1 | awk '$1 == "cs1" { print $3, $4 }')" \
	"192.0.2.1,2001:db8:1::1 2400 true true
192.0.2.1,2001:db8:1::1 2400"

step "dtcpd stops cleanly" stop_dtcpd
ktap_finish
