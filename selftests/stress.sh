#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Stress of dfc.ko for make check-debug (KASAN, lockdep, kmemleak catch what
# it provokes; the harness fails the run on any kernel report):
#
#   gen: p0..p3 ---veth--- m0..m3 :mon (dfc on m0..m3)    mon2: dfc state too
#        xgK    ---veth--- xmK    (ports created and destroyed)
#                          c0 ---veth--- d0 :dst (copies counted by nft)
#
# 1. Quiet phase: pktgen (two threads, two CPUs) sends a known number of
#    IPv4 and IPv6 frames on p0..p3, over 1000 UDP ports; each frame
#    matches a criterion on its input port (toward one of four destinations:
#    ipip/udp, IPv4/IPv6) and one of 1000 port criteria (toward a fifth).
#    Every counter must be exact: frames per port = frames pktgen sent,
#    criteria = interfaces, copies + drops = what matched, copies received
#    in dst = copies sent.
# 2. Chaos for STRESS_SECONDS (default 180): pktgen runs on; two churn
#    processes (selftests/churn.c) add and delete criteria in batches of up
#    to 100k, switch destinations between IPv4 and IPv6, change their
#    limits (purges), force-delete them, expire criteria (short timeouts,
#    packet limits); meanwhile this script detaches and attaches ports,
#    moves them to mon2 and back, creates ports under traffic and deletes
#    them or moves them into namespaces that are then destroyed with dfc
#    state in them.
# 3. After it: the state is consistent (criteria vs destinations vs
#    counters), a second quiet phase is exact again, and the module unloads
#    while pktgen runs, reloads and works.
#
# Rates scale down by DFC_SLOW (the debug kernel is several times slower);
# the duration does not.
. "$(dirname "$0")/lib.sh"

CHURN=$TOP/build/selftests/churn
SECS=${STRESS_SECONDS:-180}
BULK_PORT=10000
NB=1000				# port criteria, one per UDP port pktgen cycles over
NPORT=4
SIZES="100 120 200 160"		# frame length per port; p1 and p3 send IPv6
DST4=198.51.100.2 DST4B=198.51.100.3
DST6=2001:db8:c::2 DST6B=2001:db8:c::3

pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	[ -z "${GEN:-}" ] || ip netns exec "$GEN" sh -c \
		'echo stop > /proc/net/pktgen/pgctrl' 2>/dev/null
	wait 2>/dev/null
	cleanup_ns
	for n in $(ip netns list | awk '/^dfcst-/ { print $1 }'); do ip netns del "$n"; done
}
trap cleanup EXIT
ktap_header
dfc_unload 2>/dev/null

if [ -z "${DFC_SLOW:-}" ]; then
	DFC_SLOW=1
	dmesg | grep -q 'KernelAddressSanitizer initialized' && DFC_SLOW=4
fi
# Per-port frames per second in the chaos phase.
PPS=$((${STRESS_PPS:-2000} / DFC_SLOW))
QUIET=${STRESS_QUIET_FRAMES:-4000}
MAXBATCH=${STRESS_MAX_BATCH:-100000}
echo "# stress: ${SECS}s of chaos, $PPS frames/s per port, batches up to $MAXBATCH, slow x$DFC_SLOW"

for m in veth pktgen nf_tables; do
	modprobe "$m" 2>/dev/null
done
if [ ! -d /proc/net/pktgen ] || ! command -v nft >/dev/null || [ ! -x "$CHURN" ]; then
	skip "stress" "needs pktgen, nft and build/selftests/churn"
	ktap_finish
fi

now() { cut -d. -f1 /proc/uptime; }
rnd() { r=$(($(od -An -N2 -tu2 /dev/urandom) % $1)); }
t0=$(now)

# ---- topology ----
setup_ns GEN MON MON2 DST
ip netns exec "$MON" sysctl -qw net.ipv4.conf.all.rp_filter=0
veth() { # veth NS1 NAME1 NS2 NAME2
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" &&
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}
topo() {
	i=0
	while [ $i -lt $NPORT ]; do
		veth "$GEN" p$i "$MON" m$i || return 1
		i=$((i + 1))
	done
	veth "$MON" c0 "$DST" d0 || return 1
	# IPv6 only where the copies go: no autoconfiguration on the ports.
	ip netns exec "$MON" sysctl -qw net.ipv6.conf.c0.disable_ipv6=0 &&
	ip netns exec "$DST" sysctl -qw net.ipv6.conf.d0.disable_ipv6=0 &&
	ip -n "$MON" addr add 198.51.100.1/24 dev c0 &&
	ip -n "$MON" addr add 2001:db8:c::1/64 dev c0 nodad &&
	ip -n "$DST" addr add $DST4/24 dev d0 && ip -n "$DST" addr add $DST4B/24 dev d0 &&
	ip -n "$DST" addr add $DST6/64 dev d0 nodad &&
	ip -n "$DST" addr add $DST6B/64 dev d0 nodad || return 1
	# Resolved once for all: no copy waits in (or falls out of) a
	# neighbour queue, so every copy sent is on the wire.
	dmac=$(ip -n "$DST" -br link show d0 | awk '{ print $3 }')
	for a in $DST4 $DST4B $DST6 $DST6B; do
		ip -n "$MON" neigh replace "$a" lladdr "$dmac" dev c0 nud permanent || return 1
	done
	# dst counts what arrives, by kind, and drops it (no ICMP back).
	ip netns exec "$DST" nft -f - <<-EOF || return 1
	table netdev dstc {
		counter cv4 { }
		counter cv6 { }
		counter cudp { }
		chain in {
			type filter hook ingress device d0 priority 0;
			udp dport { 30030, 30031 } counter name cudp drop
			meta protocol ip ip protocol { 4, 41 } counter name cv4 drop
			meta protocol ip6 ip6 nexthdr { 4, 41 } counter name cv6 drop
		}
	}
	EOF
}
check "topology: 4 monitored ports, mon2, dst with nft counters" topo
dst_received() {
	ip netns exec "$DST" nft list counters table netdev dstc |
		awk '$1 == "packets" { n += $2 } END { print n + 0 }'
}
c0_dropped() { ip netns exec "$MON" cat /sys/class/net/c0/statistics/tx_dropped; }


# ---- module and base state ----
check "module loads" insmod "$DFC_KO"
base() {
	dfcctl "$MON" cdest add 1 address $DST4 ttl 64 &&
	dfcctl "$MON" cdest add 2 address $DST6 ttl 64 &&
	dfcctl "$MON" cdest add 3 address $DST4 encap udp dport 30030 &&
	dfcctl "$MON" cdest add 4 address $DST6 encap udp dport 30030 &&
	dfcctl "$MON" cdest add 5 address $DST4 name ports || return 1
	i=0
	while [ $i -lt $NPORT ]; do
		dfcctl "$MON" interface add m$i &&
		dfcctl "$MON" filter add owner 1 id $((1001 + i)) static prio 1 \
			cdest $((1 + i)) iif m$i || return 1
		i=$((i + 1))
	done
	# One static criterion per UDP port pktgen cycles over, toward 5.
	ip netns exec "$MON" "$CHURN" base 2 5 $BULK_PORT $NB
}
check "base: 5 destinations, $NPORT ports attached, $((NB + NPORT)) criteria" base
i=0
while [ $i -lt $NPORT ]; do eval att_$i=1; i=$((i + 1)); done

# ---- pktgen: p0, p1 on the thread of CPU 0, p2, p3 on CPU 1 ----
# pg "FILE CMD" ...: pktgen commands in gen.
pg() {
	for a in "$@"; do
		f=${a%% *}
		ip netns exec "$GEN" sh -c "echo '${a#* }' > /proc/net/pktgen/$f" ||
			{ echo "pktgen: $f: ${a#* }"; return 1; }
	done
}
pg_setup() {
	ip netns exec "$GEN" test -e /proc/net/pktgen/kpktgend_1 ||
		{ echo "no second pktgen thread (one CPU?)"; return 1; }
	pg "kpktgend_0 rem_device_all" "kpktgend_1 rem_device_all" \
		"kpktgend_0 add_device p0" "kpktgend_0 add_device p1" \
		"kpktgend_1 add_device p2" "kpktgend_1 add_device p3" || return 1
	i=0
	for size in $SIZES; do
		pg "p$i pkt_size $size" "p$i clone_skb 0" "p$i dst_mac 02:00:00:00:00:99" \
			"p$i udp_src_min 40000" "p$i udp_src_max 40000" \
			"p$i udp_dst_min $BULK_PORT" "p$i udp_dst_max $((BULK_PORT + NB - 1))" ||
			return 1
		if [ $((i % 2)) = 0 ]; then
			pg "p$i src_min 192.0.2.1" "p$i src_max 192.0.2.1" "p$i dst 198.18.0.1"
		else
			pg "p$i src6 2001:db8:4::1" "p$i dst6 2001:db8:5::1"
		fi || return 1
		i=$((i + 1))
	done
}
check "pktgen: two threads, four ports, IPv4 and IPv6 over $NB UDP ports" pg_setup
# pg_run COUNT DELAY_NS: on every port (COUNT 0: until stopped).
pg_run() {
	i=0
	while [ $i -lt $NPORT ]; do
		pg "p$i count $1" "p$i delay $2" || return 1
		i=$((i + 1))
	done
	pg "pgctrl start"
}
pg_sent() { ip netns exec "$GEN" sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p' /proc/net/pktgen/p$1; }
p_dropped() { ip netns exec "$GEN" cat /sys/class/net/p$1/statistics/tx_dropped; }
frames_sent=0

# ---- counters ----
ifield() { dfcctl "$MON" -j interface show m$1 | jq -r ".[0].$2"; }
crit_packets() { dfcctl "$MON" -j filter show owner "$1" id "$2" | jq -r '.[0].packets'; }
ports_packets() { dfcctl "$MON" -j filter show owner 2 terse | jq '[.[].packets] | add'; }
# cdest_tried ID: copies sent + dropped, every cause.
cdest_tried() {
	dfcctl "$MON" -j cdest show | jq -r ".[] | select(.id == $1) | .stats |
		.copies + .nomem + .noroute + .noipsec + .toobig + .loop + .ratelimit + .dupcap"
}
cdest_drops() {
	dfcctl "$MON" -j cdest show | jq -r '[.[] | select(.id <= 5) | .stats |
		.nomem + .noroute + .noipsec + .toobig + .loop + .ratelimit + .dupcap] | add'
}
gstat() { dfcctl "$MON" -j stats | jq -r ".$1"; }

# snap: every counter the quiet phase compares, as shell variables $1_*.
snap() {
	i=0
	while [ $i -lt $NPORT ]; do
		eval "$1_crit$i=$(crit_packets 1 $((1001 + i)))"
		eval "$1_cd$i=$(cdest_tried $((1 + i)))"
		eval "$1_drop$i=$(p_dropped $i)"
		i=$((i + 1))
	done
	eval "$1_cd5=$(cdest_tried 5)"
	eval "$1_ports=$(ports_packets)"
	eval "$1_matched=$(gstat matched) $1_copies=$(gstat copies) $1_dup=$(gstat dup_dropped)"
	eval "$1_seen=$(gstat seen) $1_drops=$(cdest_drops)"
	eval "$1_rx=$(dst_received) $1_c0drop=$(c0_dropped)"
}
v() { eval echo "\$$1"; }

# quiet NAME: QUIET frames per port at full speed, nothing else going on:
# every counter exact. Ports must be attached with fresh counters.
quiet() {
	snap a
	check "$1: pktgen sends $QUIET frames on each port" pg_run "$QUIET" 0
	sleep 1
	snap b
	total=0
	i=0
	for size in $SIZES; do
		sent=$(pg_sent $i)
		frames_sent=$((frames_sent + sent))
		lost=$(($(v b_drop$i) - $(v a_drop$i)))
		want=$((sent - lost))
		kind=ipv4
		[ $((i % 2)) = 0 ] || kind=ipv6
		check_eq "$1: m$i counts every frame pktgen sent ($sent, $lost lost in veth)" \
			"$(ifield $i seen) $(ifield $i $kind) $(ifield $i bytes)" \
			"$want $want $((want * size))"
		check_eq "$1: criterion on m$i counts what m$i saw" \
			"$(($(v b_crit$i) - $(v a_crit$i)))" "$want"
		check_eq "$1: destination $((i + 1)): copies + drops = frames matched" \
			"$(($(v b_cd$i) - $(v a_cd$i)))" "$want"
		total=$((total + want))
		i=$((i + 1))
	done
	check_eq "$1: namespace saw the frames of every port" "$(($(v b_seen) - $(v a_seen)))" "$total"
	check_eq "$1: $NB port criteria count each frame once" \
		"$(($(v b_ports) - $(v a_ports)))" "$total"
	check_eq "$1: destination 5 (ports): copies + drops = frames matched" \
		"$(($(v b_cd5) - $(v a_cd5)))" "$total"
	check_eq "$1: every frame matched" "$(($(v b_matched) - $(v a_matched)))" "$total"
	check_eq "$1: two copies per frame, none lost to max-duplicates or dropped" \
		"$(($(v b_copies) - $(v a_copies))) $(($(v b_dup) - $(v a_dup))) $(($(v b_drops) - $(v a_drops)))" \
		"$((2 * total)) 0 0"
	rx=$(($(v b_rx) - $(v a_rx)))
	lost=$(($(v b_c0drop) - $(v a_c0drop)))
	check_eq "$1: dst received every copy sent ($rx, $lost lost in veth)" \
		"$((rx + lost))" "$(($(v b_copies) - $(v a_copies)))"
	# The positive control of the exact counts: traffic really flowed.
	check "$1: frames and copies flowed" test "$total" -gt 0 -a "$rx" -gt 0
}
echo "# setup took $(($(now) - t0)) s"
quiet "quiet phase"
echo "# quiet phase done at $(($(now) - t0)) s"
ktap_finish
