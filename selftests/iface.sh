#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Passive-monitor interfaces end to end, in the guest:
#
#   gen: p0 ---veth--- m0 :mon   (dfc attached to m0, inside mon)
#
# Frames with a foreign destination MAC (as a passive tap delivers them) go
# from gen into m0; the module's counters must match exactly what was sent.
# Then: consume vs pass, device deletion and namespace moves while attached,
# module unload while traffic flows, and reload.
. "$(dirname "$0")/lib.sh"

trap cleanup_ns EXIT
ktap_header
dfc_unload 2>/dev/null

# field NS DEV KEY: one counter of one attached interface, from dfcctl -j.
field() { dfcctl "$1" -j interface show "$2" | jq -r ".[0].$3"; }
gstat() { dfcctl "$1" -j stats | jq -r ".$2"; }
# inject NS ARGS...: frames out of p0 in gen; prints "frames bytes".
inject() { ns=$1; shift; ip netns exec "$ns" "$INJECT" "$@"; }
in_receives() { snmp "$1" Ip InReceives; }
veth() { # veth GEN_NS MON_NS PEER_NAME MON_NAME
	ip link add "$3" netns "$1" type veth peer name "$4" netns "$2" &&
	ip -n "$1" link set "$3" up && ip -n "$2" link set "$4" up
}

setup_ns GEN MON
veth "$GEN" "$MON" p0 m0 || { fail "topology"; ktap_finish; }
ip -n "$MON" addr add 192.0.2.2/24 dev m0

check "module loads" insmod "$DFC_KO"
check "attach m0" dfcctl "$MON" interface add m0
check_eq "m0 listed, consume mode" \
	"$(dfcctl "$MON" -j interface show | jq -r '[.[] | .ifname + ":" + .mode] | join(",")')" \
	"m0:consume"

# Exact counts by kind, link header included in the bytes.
inject "$GEN" -i p0 -n 100 -k ipv4 -l 100 >/dev/null
inject "$GEN" -i p0 -n 50 -k ipv6 -l 120 >/dev/null
inject "$GEN" -i p0 -n 7 -k arp -l 60 >/dev/null
check_eq "seen counts every frame" "$(field "$MON" m0 seen)" 157
check_eq "bytes include the link header" "$(field "$MON" m0 bytes)" 16420
check_eq "ipv4/ipv6/other split" \
	"$(field "$MON" m0 ipv4)/$(field "$MON" m0 ipv6)/$(field "$MON" m0 other)" "100/50/7"
check_eq "global counters match" \
	"$(gstat "$MON" ifaces) $(gstat "$MON" seen) $(gstat "$MON" bytes)" "1 157 16420"
check_eq "other namespaces see nothing" "$(gstat "$GEN" seen) $(gstat "$GEN" ifaces)" "0 0"

# Frames addressed to m0 itself: consumed by default, passed with "pass".
mac=$(ip -n "$MON" -br link show m0 | awk '{ print $3 }')
before=$(in_receives "$MON")
inject "$GEN" -i p0 -n 20 -k ipv4 -d "$mac" -D 192.0.2.2 >/dev/null
check_eq "consume mode feeds nothing to the stack" "$(in_receives "$MON")" "$before"
check "detach m0" dfcctl "$MON" interface del m0
check "attach m0 in pass mode" dfcctl "$MON" interface add m0 pass
inject "$GEN" -i p0 -n 20 -k ipv4 -d "$mac" -D 192.0.2.2 >/dev/null
check_eq "pass mode: counted, then into the stack" \
	"$(field "$MON" m0 seen) $(field "$MON" m0 mode) $(($(in_receives "$MON") - before))" "20 pass 20"
check_eq "global counters survive detach" "$(gstat "$MON" seen)" 197

# The device goes away while attached: detached, nothing dangles.
ip -n "$MON" link del m0
check_eq "deleted device is detached" "$(dfcctl "$MON" -j interface show | jq length) $(gstat "$MON" ifaces)" "0 0"
veth "$GEN" "$MON" p1 m1
dfcctl "$MON" interface add m1
ip -n "$MON" link set m1 netns "$GEN"
check_eq "device moved to another namespace is detached" \
	"$(dfcctl "$MON" -j interface show | jq length)/$(dfcctl "$GEN" -j interface show | jq length)" "0/0"
check "module unloads after device deletion" rmmod dfc

# inject's -t deadline holds while every send fails (a queue that takes
# nothing), as when a flood outruns its receiver: the flood below ends.
ip -n "$GEN" link add q0 type dummy && ip -n "$GEN" link set q0 up
tc -n "$GEN" qdisc replace dev q0 root pfifo limit 0
out=$(timeout 60 ip netns exec "$GEN" "$INJECT" -i q0 -n 0 -t 1)
check_eq "injector stops at its deadline when every send fails" "$?:${out%% *}" "0:0"
tc -n "$GEN" qdisc replace dev q0 root pfifo limit 1000
out=$(timeout 60 ip netns exec "$GEN" "$INJECT" -i q0 -n 0 -t 1)
check_eq "injector sends through a queue that takes frames" \
	"$?:$([ "${out%% *}" -gt 0 ] 2>/dev/null && echo some)" "0:some"

# Unload while frames flow through the hook, then reload and count anew.
check "module reloads" insmod "$DFC_KO"
veth "$GEN" "$MON" p2 m2
dfcctl "$MON" interface add m2
inject "$GEN" -i p2 -n 0 -t 6 >/dev/null &
pid=$!
n=0
while [ "$(field "$MON" m2 seen)" = 0 ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
check "traffic flows through the hook" [ "$(field "$MON" m2 seen)" -gt 0 ]
check "module unloads while traffic flows" rmmod dfc
wait $pid
check_eq "injector ran to the end" $? 0
check "module reloads after unload under load" insmod "$DFC_KO"
check "attach after reload" dfcctl "$MON" interface add m2
inject "$GEN" -i p2 -n 10 -k ipv6 >/dev/null
check_eq "counters start from zero after reload" "$(field "$MON" m2 seen) $(gstat "$MON" seen)" "10 10"
check "final unload with an attached interface" rmmod dfc

ktap_finish
