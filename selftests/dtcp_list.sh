#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dtcpd's answers at the pace of the link (dtcp_lib.sh's topology): a LIST
# of 1000 criteria is hundreds of datagrams, more than the socket's send
# buffer holds while a slow link (tbf on d0) drains them. None may be lost
# to EAGAIN; an answer whose socket takes nothing for 5 s is given up and
# counted, and dtcpd goes on answering.
. "$(dirname "$0")/dtcp_lib.sh"

N=1000
dtcp_setup
conf '"cd1", "cd2"' > "$T/dtcpd.conf"
step "dtcpd starts" start_dtcpd

# counter NAME: one of the control socket's status counters.
counter() {
	ctl '{"cmd":"status"}' | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["counters"][sys.argv[1]])' "$1"
}
# list_count: "entries datagrams" of a LIST Flags=Both, as dtcpc reassembled it.
list_count() {
	dc -w "$(slow 30)" LIST Flags=Both > "$T/list" 2>&1
	sed -n 's/^# LIST: \([0-9]*\) entries in \([0-9]*\) datagrams.*/\1 \2/p' "$T/list"
	grep '^# LIST' "$T/list" | sed 's/^/# dtcpc: /' >&2
}

check_eq "$N Static criteria added" "$(dc bench -N $N -W 8 -d cd1 | tr ' ' '\n' | sed -n 's/^ok=//p')" $N

# Positive control: on the bare link the whole LIST arrives, without waits.
set -- $(list_count)
check_eq "LIST on the bare link: $N entries" "${1:-none}" $N
dgrams=${2:-0}
check_eq "it took over 150 datagrams (more than the send buffer holds at once)" \
	"$((dgrams > 150))" 1
waited0=$(counter answers_waited)

# A link at 2 Mbit/s: the qdisc holds what the socket sent, the send
# buffer fills, sendmsg says EAGAIN. Its limit is far above the buffer:
# the qdisc itself drops nothing. On the debug kernel dtcpd sends slower
# than 2 Mbit/s can drain: the link is slower by DFC_SLOW squared there.
kbit=$((2048 / (${DFC_SLOW:-1} * ${DFC_SLOW:-1})))
ip netns exec "$MON" tc qdisc add dev d0 root tbf rate ${kbit}kbit burst 16kb limit 16mb
set -- $(list_count)
check_eq "LIST on a $kbit kbit/s link: every entry arrives" "${1:-none}" $N
check_eq "in as many datagrams as on the bare link" "${2:-0}" "$dgrams"
waited=$(counter answers_waited)
check_eq "sends waited for the socket (EAGAIN happened)" "$((waited > waited0))" 1
check_eq "no answer datagram lost" "$(counter answer_datagrams_lost)" 0
check_eq "NOOP answered after it" "$(dc NOOP | code)" 200

# A link that takes nothing for 5 s: that answer is given up, counted and
# logged; the next request is answered once the link moves again.
ip netns exec "$MON" tc qdisc change dev d0 root tbf rate 8bit burst 2kb limit 16mb
dc -w 1 LIST Flags=Both > /dev/null 2>&1
sleep "$(slow 8)"
ip netns exec "$MON" tc qdisc del dev d0 root
lost=$(counter answer_datagrams_lost)
check_eq "a stuck answer is given up and counted" "$((lost > 0))" 1
check_eq "and logged" "$(grep -c 'answer given up' "$T/dtcpd.log")" 1
check_eq "NOOP answered once the link moves" "$(dc NOOP | code)" 200
check_eq "dtcpd still runs" "$(kill -0 "$DPID" && echo yes)" yes

ktap_finish
