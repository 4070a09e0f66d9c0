#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dtcpd's capture interfaces follow the host's, in the guest (topology:
# dtcp_lib.sh): dtcpd starts while the configured m1 does not exist (m0's
# criteria work meanwhile, lo is refused by dfc.ko), m1 is attached when
# it appears and copied from, marked absent when it goes and attached
# again when it comes back, a rename to the name counts as appearing and
# a rename away detaches, lost link events (dtcpd stopped while the
# namespace's links churn) are made up by a resync, a reload detaches an
# interface removed from the file and attaches it when it is back, and
# dfc.ko going away and coming back re-attaches. Each state is read from
# dtcpd's control socket and from dfc.ko, and each log line is checked.
. "$(dirname "$0")/dtcp_lib.sh"

T0=$(date +%s)
# at SECTION: a TAP comment with the time so far (TCG on a busy host is slow).
at() { echo "# $1 at $(($(date +%s) - T0)) s"; }
dtcp_setup
IFACES='"m0", "m1", "lo"'
conf '"cd1"' > "$T/dtcpd.conf"

# st: dtcpd's status (JSON), through dfcctl: a C program starts faster than python under TCG.
st() { "$DFCCTL" -S "$T/ctl.sock" -j agent status; }
# state NAME: "STATE IFINDEX" of a configured interface in dtcpd's status ("-": no ifindex).
state() {
	st | jq -r --arg n "$1" \
		'.interfaces[] | select(.name == $n) | "\(.state) \(.ifindex // "-")"'
}
# wait_state NAME WANT: until the status says WANT (10 s at most, scaled); prints the last state.
wait_state() {
	end=$(($(date +%s) + $(slow 10)))
	while :; do
		s=$(state "$1")
		[ "$s" = "$2" ] || [ "$(date +%s)" -gt "$end" ] && break
		sleep 0.1
	done
	echo "$s"
}
ifidx() { ip netns exec "$MON" cat "/sys/class/net/$1/ifindex"; }
# attached: the interfaces dfc.ko has in the monitoring namespace, sorted.
attached() { dfcctl "$MON" -j interface show | jq -r '[.[].ifname] | sort | join(" ")'; }
names() { st | jq -r '[.interfaces[].name] | join(",")'; }
logged() { grep -cF "$1" "$T/dtcpd.log"; }
# copies DEV N: IP-in-IP copies at cd1 for N frames matching criterion 1 sent into DEV (in gen).
copies() {
	c0=$(ipip_in)
	ip netns exec "$GEN" "$INJECT" -i "$1" -n "$2" -S 10.0.0.1 -D 10.0.0.2 -P udp -p 53 >/dev/null
	end=$(($(date +%s) + $(slow 5)))
	while [ $(($(ipip_in) - c0)) -lt "$2" ] && [ "$(date +%s)" -le "$end" ]; do sleep 0.1; done
	echo $(($(ipip_in) - c0))
}
# none_from DEV: frames sent into DEV give no copy, while 3 into p0 (m0) do: "0 3".
none_from() {
	c0=$(ipip_in)
	ip netns exec "$GEN" "$INJECT" -i "$1" -n 5 -S 10.0.0.1 -D 10.0.0.2 -P udp -p 53 >/dev/null
	sleep 0.5
	c1=$(ipip_in)
	echo "$((c1 - c0)) $(copies p0 3)"
}
# veth NAME_IN_GEN NAME_IN_MON: a new pair from gen into mon, both up.
veth() {
	ip link add "$1" netns "$GEN" type veth peer name "$2" netns "$MON" &&
	ip -n "$GEN" link set "$1" up && ip -n "$MON" link set "$2" up
}

# ---- start: m1 does not exist ----
at "start"
check "dtcpd -t: an interface that does not exist (yet) is no error" "$DTCPD" -t -c "$T/dtcpd.conf"
step "dtcpd starts while m1 does not exist" start_dtcpd
check_eq "status lists the configured interfaces in order" "$(names)" "m0,m1,lo"
check_eq "status: m0 attached, with its ifindex" "$(state m0)" "attached $(ifidx m0)"
check_eq "status: m1 absent" "$(state m1)" "absent -"
check_eq "status: lo failed, as dfc.ko said" \
	"$(st | jq -r '.interfaces[] | select(.name == "lo") | "\(.state): \(.error)"')" \
	"failed: not an Ethernet interface"
check_eq "log: m1 is waited for" \
	"$(logged "capture group g1: interface m1 does not exist: attached when it appears")" 1
check_eq "log: lo's refusal, once" "$(logged "interface lo: cannot attach: not an Ethernet interface")" 1
check_eq "dfc.ko has m0 only" "$(attached)" m0
out=$(dc ADD Cdest-ID=cd1 Protocol=17 Dest-Port=53 Flags=Static)
check_eq "ADD while m1 is absent" "$(echo "$out" | code) $(echo "$out" | field Criteria-ID)" "200 1"
check_eq "traffic on m0 copied while m1 is absent" "$(copies p0 5)" 5
out=$("$DFCCTL" -S "$T/ctl.sock" agent status)
check_eq "dfcctl agent status: each interface's state" \
	"$(echo "$out" | grep -E '^    (m0|m1|lo) ')" \
	"    m0 (group g1): attached, ifindex $(ifidx m0)
    m1 (group g1): absent
    lo (group g1): failed: not an Ethernet interface"

# ---- m1 appears, goes, comes back ----
at "m1 appears, goes, comes back"
check "veth p1/m1 added" veth p1 m1
idx=$(ifidx m1)
check_eq "m1 attached when it appears" "$(wait_state m1 "attached $idx")" "attached $idx"
check_eq "dfc.ko has m0 and m1" "$(attached)" "m0 m1"
check_eq "log: m1 attached late" \
	"$(logged "capture group g1: interface m1 appeared (ifindex $idx): attached")" 1
check_eq "traffic on m1 matched and copied" "$(copies p1 6)" 6
check_eq "the criterion counted the frames of both" \
	"$(dc LIST Criteria-ID=1 Flags=Stats | field Matching-Packets)" 11
check "m1 deleted" ip -n "$MON" link del m1
check_eq "m1 absent when it goes" "$(wait_state m1 "absent -")" "absent -"
check_eq "dfc.ko has m0 only again" "$(attached)" m0
check_eq "log: m1 went away" \
	"$(logged "capture group g1: interface m1 (ifindex $idx) went away")" 1
check "m1 added again" veth p1 m1
idx=$(ifidx m1)
check_eq "m1 attached again" "$(wait_state m1 "attached $idx")" "attached $idx"
check_eq "traffic on the new m1 copied" "$(copies p1 4)" 4

# ---- renames ----
at "renames"
ip -n "$MON" link del m1
check_eq "m1 absent before the rename" "$(wait_state m1 "absent -")" "absent -"
check "veth p2/x2 added, down (a rename needs it)" \
	ip link add p2 netns "$GEN" type veth peer name x2 netns "$MON"
idx=$(ifidx x2)
check_eq "x2 is no configured name: not attached" "$(attached)" m0
check "x2 renamed to m1" ip -n "$MON" link set x2 name m1
check_eq "a rename to a configured name attaches" "$(wait_state m1 "attached $idx")" "attached $idx"
ip -n "$GEN" link set p2 up && ip -n "$MON" link set m1 up
check_eq "traffic on the renamed interface copied" "$(copies p2 3)" 3
ip -n "$MON" link set m1 down && ip -n "$MON" link set m1 name x2
check_eq "renamed away: m1 absent" "$(wait_state m1 "absent -")" "absent -"
check_eq "renamed away: detached from dfc.ko (x2 still exists)" \
	"$(attached) $(ifidx x2)" "m0 $idx"
check_eq "log: the rename and the detach" \
	"$(logged "interface m1 (ifindex $idx) was renamed to x2"; logged "interface x2 (ifindex $idx), attached as m1, detached")" \
	"1
1"
ip -n "$MON" link set x2 up
check_eq "no copies from x2 (m0's still come)" "$(none_from p2)" "0 3"
ip -n "$MON" link del x2

# ---- lost link events: the resync attaches ----
at "lost link events"
# dtcpd stopped, a dummy link flaps until dtcpd's receive buffer is full
# (the counter and the log prove it overflowed); then m1 comes, its event
# dropped with the rest: only the resync after ENOBUFS can find it.
# MTU changes: one event each, and nothing else for the guest to do.
ip -n "$MON" link add fl0 type dummy
for i in $(seq 200); do printf 'link set dev fl0 mtu 1400\nlink set dev fl0 mtu 1500\n'; done > "$T/flap"
kill -STOP "$DPID"
ip -n "$MON" -batch "$T/flap"
check "m1 added while dtcpd is stopped, after the flood" veth p1 m1
kill -CONT "$DPID"
idx=$(ifidx m1)
check_eq "after lost events, m1 attached" "$(wait_state m1 "attached $idx")" "attached $idx"
check "the route socket did overflow (link_events_lost)" \
	test "$(st | jq .counters.link_events_lost)" -ge 1
check "log: lost link events, resynced" test "$(logged "link events lost: re-reading the interfaces")" -ge 1
check_eq "traffic on m1 copied after the resync" "$(copies p1 2)" 2
ip -n "$MON" link del fl0

# ---- reload: removed from the file, then back ----
at "reload"
IFACES='"m0", "lo"'
conf '"cd1"' > "$T/dtcpd.conf"
check "dfcctl agent reload without m1" "$DFCCTL" -S "$T/ctl.sock" agent reload
check_eq "reload: m1 detached, m0 stays" "$(attached)" m0
check_eq "reload: m1 still exists" "$(ifidx m1)" "$idx"
check_eq "reload: status no longer lists m1" "$(names)" "m0,lo"
check_eq "log: m1 detached by the reload" \
	"$(logged "interface m1 (ifindex $idx) detached: no longer in the configuration")" 1
check_eq "no copies from m1 (m0's still come)" "$(none_from p1)" "0 3"
IFACES='"m0", "m1", "lo"'
conf '"cd1"' > "$T/dtcpd.conf"
kill -HUP "$DPID"
check_eq "SIGHUP with m1 back in the file: attached" "$(wait_state m1 "attached $idx")" "attached $idx"
check_eq "dfc.ko has m0 and m1 after the reload" "$(attached)" "m0 m1"
check_eq "traffic on m1 copied after the reload" "$(copies p1 3)" 3

# ---- dfc.ko goes away and comes back ----
at "dfc.ko goes away and comes back"
rmmod dfc
check_eq "dfc.ko away: m0 not attached, and why" "$(wait_state m0 "failed -")" "failed -"
check_eq "the error says so" \
	"$(st | jq -r '.interfaces[] | select(.name == "m1") | .error')" \
	"dfc.ko is not loaded"
insmod "$DFC_KO"
check_eq "dfc.ko back: m0 attached again" "$(wait_state m0 "attached $(ifidx m0)")" \
	"attached $(ifidx m0)"
check_eq "dfc.ko back: m1 attached again" "$(state m1)" "attached $idx"
check_eq "dfc.ko back: both in dfc.ko" "$(attached)" "m0 m1"
check_eq "lo still refused, logged once more (a new dfc.ko)" \
	"$(state lo) $(logged "interface lo: cannot attach: not an Ethernet interface")" "failed - 2"

[ "$ktap_failed" -eq 0 ] || sed 's/^/# /' "$T/dtcpd.log"
step "dtcpd stops cleanly" stop_dtcpd
ktap_finish
