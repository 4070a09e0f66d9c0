#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dfcctl's iproute2 conventions against the module, in the guest:
# -n NETNS acts in that namespace (and not elsewhere), -batch applies many
# filter add lines and stops at a failed one with its line (or goes on
# with -force), a bad line applies nothing, monitor -t/-ts/-j -t stamp
# their events, -p indents JSON. (The command line alone: dfcctl_cli.sh.)
. "$(dirname "$0")/lib.sh"

trap 'cleanup_ns; rm -rf "$tmp"; [ -z "$mons" ] || kill $mons 2>/dev/null' EXIT
tmp=$(mktemp -d) || exit 1
mons=
ktap_header
dfc_unload 2>/dev/null
D=$DFCCTL

setup_ns A B
check "module loads" insmod "$DFC_KO"
ip -n "$A" link add da0 type veth peer name da1 && ip -n "$A" link set da0 up

# ---- -n NETNS ----
check "-n A: cdest add in A" "$D" -n "$A" cdest add 1 address 192.0.2.1
check "-n A: interface add of A's device" "$D" -n "$A" int a da0
check_eq "-n A sees its destination" "$("$D" -n "$A" -j c s | jq -r '[.[].id] | join(",")')" 1
check_eq "-n A sees its interface" "$("$D" -n "$A" -j i | jq -r '[.[].ifname] | join(",")')" da0
check_eq "the same, in A by ip netns exec" \
	"$(ip netns exec "$A" "$D" -j cdest show | jq -r '[.[].id] | join(",")')" 1
# positive controls: B and the guest's own namespace see nothing of it
check_eq "B does not see A's destination" "$("$D" -n "$B" -j c s | jq length)" 0
check_eq "without -n: not A's destination" "$("$D" -j cdest show | jq length)" 0
if "$D" interface add da0 2>/dev/null; then
	fail "without -n: A's device is not there"
else
	ok "without -n: A's device is not there"
fi
# iif names are read in the -n namespace
check "-n A: iif da0 in a criterion" "$D" -n "$A" f a owner 3 id 1 static iif da0
check_eq "-n A: the criterion is A's" "$("$D" -n "$A" -j f s owner 3 | jq length):$("$D" -j f s | jq length)" \
	"1:0"
# -p: the same JSON, indented
"$D" -n "$A" -j -p c s >"$tmp/pretty"
check_eq "-j -p: indented, the same document" \
	"$(grep -c '^        "id": 1,$' "$tmp/pretty"):$(jq -c . "$tmp/pretty")" \
	"1:$("$D" -n "$A" -j c s | jq -c .)"

# ---- -batch: many filter adds ----
N=1000
i=1
while [ $i -le $N ]; do
	echo "filter add owner 5 id $i static cdest 1 dst 10.$((i / 250)).$((i % 250)).1 dport 80,443"
	i=$((i + 1))
done >"$tmp/many"
# the requests it takes: sendmsg calls on netlink, under strace if there is one
if command -v strace >/dev/null; then
	strace -f -e trace=sendmsg,sendto -o "$tmp/strace" "$D" -n "$A" -batch "$tmp/many" \
		>"$tmp/out" 2>&1
	rc=$?
	sends=$(grep -c 'sendmsg\|sendto' "$tmp/strace")
else
	"$D" -n "$A" -batch "$tmp/many" >"$tmp/out" 2>&1
	rc=$?
	sends=
fi
check_eq "batch of $N filter adds: exit 0, silent" "$rc:$(cat "$tmp/out")" "0:"
check_eq "all $N present, ids 1..$N" \
	"$("$D" -n "$A" -j f s owner 5 terse | jq -c '[length, (map(.id) | min), (map(.id) | max)]')" \
	"[$N,1,$N]"
if [ -n "$sends" ]; then
	# the family lookup, and the criteria in few requests: far fewer than N
	if [ "$sends" -lt 50 ]; then
		ok "batch: $N criteria in $sends netlink requests"
	else
		fail "batch: $N criteria in few netlink requests" "$sends sendmsg calls"
	fi
else
	skip "batch: $N criteria in few netlink requests" "no strace"
fi

# ---- -batch: a failed line stops it there; -force goes on ----
# Line 50 adds an id that owner 5 has (EEXIST), in the middle of one request.
i=1
while [ $i -le 100 ]; do
	if [ $i -eq 50 ]; then
		echo "filter add owner 5 id 7 static dst 10.200.0.1"
	else
		echo "filter add owner 6 id $i static dst 10.100.$i.1"
	fi
	i=$((i + 1))
done >"$tmp/fail50"
# the same owner on line 50: the failure is inside one packed request
sed '50s/.*/filter add owner 6 id 7 static dst 10.200.0.1/' "$tmp/fail50" >"$tmp/dup50"
"$D" -n "$A" -batch "$tmp/dup50" >"$tmp/out" 2>"$tmp/err"
check_eq "failed line 50: exit 1" "$?" 1
check_eq "... one message, FILE:50 and the kernel's EEXIST" \
	"$(grep -c '' "$tmp/err"):$(grep -c "^dfcctl: $tmp/dup50:50: filter add owner 6 id 7: File exists" "$tmp/err")" \
	"1:1"
check_eq "... lines 1..49 applied, 50.. not" \
	"$("$D" -n "$A" -j f s owner 6 terse | jq -c '[length, (map(.id) | max)]')" "[49,49]"
"$D" -n "$A" f del owner 6 static >/dev/null
"$D" -n "$A" -force -batch "$tmp/dup50" >"$tmp/out" 2>"$tmp/err"
check_eq "-force: exit 1, line 50 reported" "$?:$(cut -d: -f3 "$tmp/err")" "1:50"
check_eq "-force: the other 99 applied" \
	"$("$D" -n "$A" -j f s owner 6 terse | jq -c '[length, (map(.id) | max)]')" "[99,100]"
"$D" -n "$A" f del owner 6 static >/dev/null
# another owner's line between: its own request, same outcome
"$D" -n "$A" -batch "$tmp/fail50" >/dev/null 2>"$tmp/err"
check_eq "other owner's failed line 50: exit 1, lines 1..49 applied" \
	"$?:$(cut -d: -f3 "$tmp/err"):$("$D" -n "$A" -j f s owner 6 terse | jq length)" "1:50:49"
"$D" -n "$A" f del owner 6 static >/dev/null

# A bad line (usage) anywhere: nothing at all is applied.
sed '70s/.*/filter add owner 6 id 70 static dst 10.300.0.1/' "$tmp/many" | sed 's/owner 5/owner 6/' \
	>"$tmp/bad70"
"$D" -n "$A" -batch "$tmp/bad70" >/dev/null 2>"$tmp/err"
check_eq "bad line 70: exit 2, reported" "$?:$(cut -d: -f3 "$tmp/err" | sort -u)" "2:70"
check_eq "bad line 70: nothing applied" "$("$D" -n "$A" -j f s owner 6 terse | jq length)" 0
# Mixed lines, in order: del between adds, abbreviations, a comment.
printf '%s\n' 'f a owner 6 id 1 static dst 10.1.1.1' 'f a owner 6 id 2 static dst 10.1.1.2' \
	'f delete owner 6 id 1 static   # the first again' 'filter add owner 6 id 1 static dst 10.1.1.3' \
	'-j f ls owner 6 terse' >"$tmp/mixed"
"$D" -n "$A" -batch "$tmp/mixed" >/dev/null 2>"$tmp/err"
check_eq "an option in a line makes it bad: exit 2, nothing applied" \
	"$?:$(cut -d: -f3 "$tmp/err"):$("$D" -n "$A" -j f s owner 6 terse | jq length)" "2:5:0"
sed -i '$d' "$tmp/mixed"
"$D" -n "$A" -j -batch "$tmp/mixed" >"$tmp/out" 2>&1
check_eq "mixed: exit 0, filter del's JSON" "$?:$(cat "$tmp/out")" '0:{"deleted":1}'
check_eq "mixed: ids 1 and 2" "$("$D" -n "$A" -j f s owner 6 terse | jq -c 'map(.id) | sort')" "[1,2]"
check_eq "mixed: id 1 is the one added last" \
	"$("$D" -n "$A" -j f s owner 6 | jq -r '.[] | select(.id == 1) | .criterion')" "dst 10.1.1.3"

# ---- monitor -t, -ts, -j -t ----
"$D" -n "$A" -t monitor >"$tmp/mon-t" 2>&1 &
mons="$!"
"$D" -n "$A" monitor -ts >"$tmp/mon-ts" 2>&1 &
mons="$mons $!"
"$D" -n "$A" -j monitor events -t >"$tmp/mon-j" 2>&1 &
mons="$mons $!"
"$D" -n "$A" monitor >"$tmp/mon-plain" 2>&1 &
mons="$mons $!"
sleep 1
check "a criterion that expires in 1 s" "$D" -n "$A" f a owner 9 id 1 timeout-total 1 dst 10.9.9.9
n=0
while [ $n -lt $((20 * DFC_SLOW)) ] && ! grep -q expired "$tmp/mon-j" 2>/dev/null; do
	sleep 0.5
	n=$((n + 1))
done
sleep 0.5
# shellcheck disable=SC2086 # the pids
kill $mons 2>/dev/null
# shellcheck disable=SC2086
wait $mons 2>/dev/null
mons=
check_eq "monitor -t: a Timestamp line, then the event" "$(sed -n 1p "$tmp/mon-t" |
	grep -cE '^Timestamp: [A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} [0-9]{4} [0-9]+ usec$'):$(sed -n 2p "$tmp/mon-t" | cut -d' ' -f1-5)" \
	"1:expired owner 9 id 1"
check_eq "monitor -ts: the stamp on the event's line" \
	"$(grep -cE '^\[[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}\] expired owner 9 id 1 ' "$tmp/mon-ts"):$(grep -c '' "$tmp/mon-ts")" \
	"1:1"
check_eq "monitor -j -t: a time member, UTC" \
	"$(jq -r 'select(.event == "expired") | "\(.id) \(.time)"' "$tmp/mon-j" | grep -cE '^1 [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z$')" 1
# the control: without -t, the same event and no stamp
check_eq "monitor: no stamp without -t" "$(cut -d' ' -f1-5 "$tmp/mon-plain")" "expired owner 9 id 1"
# the stamp is now's: within a minute of the guest's clock
t=$(jq -r 'select(.event == "expired") | .time' "$tmp/mon-j" | cut -d. -f1)
d=$(($(date -u +%s) - $(date -u -d "${t%Z}" +%s 2>/dev/null || echo 0)))
if [ "$d" -ge 0 ] && [ "$d" -lt 60 ]; then ok "monitor -j -t: the time is now's ($d s ago)"; else
	fail "monitor -j -t: the time is now's" "$t, $d s ago"; fi

check "module unloads" dfc_unload
ktap_finish
