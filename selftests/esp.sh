#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# IPsec never reallocates a copy, in the guest:
#
#   gen: p0 ---veth--- m0 :mon   (dfc on m0, passive)
#                      c0 ---veth--- d0 :dst (ESP tunnels from mon)
#
# Each destination in dst's addresses is ipsec-required and has its own
# manually keyed ESP tunnel SA (cbc(aes), hmac(sha256) truncated to 128
# bits) from mon, decrypted by dst. gen injects N frames toward each, IPv4
# and IPv6 inner, of 64 to 8000 bytes (MTU 9000: no fragmentation). Kprobes
# count the calls that reallocate an skb or take ESP off its in-place path:
#   pskb_expand_head      xfrm_skb_check_space() short of headroom or
#                         tailroom, ip(6)_finish_output2() short of
#                         headroom, skb_cow_data() below
#   skb_cow_data          ESP's trailer not in the tailroom, skb too large
#   skb_page_frag_refill  ESP's trailer in a page fragment and the
#                         ciphertext out of place (esp_output_head/tail)
#   skb_copy_expand       a device copying it for head or tail room
# with each one's stack: a call is in the copy path if its stack holds
# dfc_xmit (or esp_output_done, an asynchronous ESP completion). There
# must be none, and every copy must leave as ESP (mon's SA) and be
# decrypted (dst's SA). The controls show the counting sees reallocations
# where they must happen: in the copy path, an SA with TFC padding wider
# than the copy's tailroom (page fragments, 2 per copy) or than a page
# (skb_cow_data, growing the tail: 1 and 1 per copy); outside it, raw
# IP_HDRINCL packets through the same SA, allocated without the route's
# header_len (pskb_expand_head, 1 per packet, none counted as copies).
# Last, an ipsec-required destination without an SA gets no copy.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
N=${ESP_FRAMES:-50}
T=/sys/kernel/tracing
I=$T/instances/dfcesp
TR=/tmp/esp.$$.trace
PROBES="expand:pskb_expand_head cow:skb_cow_data frag:skb_page_frag_refill copy:skb_copy_expand"
ENC="enc cbc(aes) 0x00112233445566778899aabbccddeeff"
AUTH="auth-trunc hmac(sha256) 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 128"

probes_off() {
	[ -d "$I" ] && echo 0 > "$I/events/dfcr/enable" 2>/dev/null
	[ -d "$I" ] && rmdir "$I"
	for p in $PROBES; do
		echo "-:dfcr/dfcr_${p%%:*}" >> $T/kprobe_events 2>/dev/null
	done
	rm -f "$TR"
}
trap 'probes_off; cleanup_ns' EXIT
ktap_header
dfc_unload 2>/dev/null
mountpoint -q $T || mount -t tracefs nodev $T 2>/dev/null
if [ ! -w $T/kprobe_events ] || [ ! -x "$PY" ]; then
	skip "esp" "needs CONFIG_KPROBE_EVENTS and python3"
	ktap_finish
fi

probes_on() {
	probes_off
	for p in $PROBES; do
		echo "p:dfcr/dfcr_${p%%:*} ${p#*:}" >> $T/kprobe_events || return 1
	done
	# On from here; a window only turns recording on and off (patching
	# the probes in and out each time is slow under TCG).
	mkdir "$I" && echo 0 > "$I/tracing_on" && echo 1 > "$I/options/stacktrace" &&
		echo 4096 > "$I/buffer_size_kb" && echo 1 > "$I/events/dfcr/enable"
}

# sa SRC DST SPI [OPTION...]: the same tunnel SA in mon (out) and dst (in),
# with their policies.
sa() {
	src=$1 dst=$2 spi=$3
	shift 3
	for ns in "$MON" "$DST"; do
		# shellcheck disable=SC2086 # ENC and AUTH are words
		ip -n "$ns" xfrm state add src "$src" dst "$dst" proto esp spi "$spi" \
			reqid "$spi" mode tunnel $ENC $AUTH "$@" || return 1
	done
	ip -n "$MON" xfrm policy add dst "$dst" dir out \
		tmpl src "$src" dst "$dst" proto esp reqid "$spi" mode tunnel &&
	ip -n "$DST" xfrm policy add dst "$dst" dir in \
		tmpl src "$src" dst "$dst" proto esp reqid "$spi" mode tunnel
}

topo() {
	ip link add p0 netns "$GEN" type veth peer name m0 netns "$MON" &&
	ip link add c0 netns "$MON" type veth peer name d0 netns "$DST" &&
	# Room for the largest copy and its ESP tunnel, unfragmented.
	ip -n "$GEN" link set p0 mtu 9000 up && ip -n "$MON" link set m0 mtu 9000 up &&
	ip -n "$MON" link set c0 mtu 9000 up && ip -n "$DST" link set d0 mtu 9000 up &&
	ip netns exec "$MON" sysctl -qw net.ipv6.conf.c0.disable_ipv6=0 &&
	ip netns exec "$DST" sysctl -qw net.ipv6.conf.d0.disable_ipv6=0 &&
	ip -n "$MON" addr add 198.51.100.1/24 dev c0 &&
	ip -n "$MON" addr add 2001:db8:100::1/64 dev c0 nodad &&
	mac=$(ip -n "$DST" -br link show d0 | awk '{ print $3 }') &&
	# Resolved once both ways: no neighbour discovery through the SAs.
	cmac=$(ip -n "$MON" -br link show c0 | awk '{ print $3 }') &&
	ip -n "$DST" neigh replace 198.51.100.1 nud permanent dev d0 lladdr "$cmac" &&
	ip -n "$DST" neigh replace 2001:db8:100::1 nud permanent dev d0 lladdr "$cmac" &&
	for a in 2 3 5 6 7; do
		ip -n "$DST" addr add 198.51.100.$a/24 dev d0 &&
		ip -n "$MON" neigh replace 198.51.100.$a nud permanent dev c0 lladdr "$mac" ||
			return 1
	done &&
	for a in 2 3; do
		ip -n "$DST" addr add 2001:db8:100::$a/64 dev d0 nodad &&
		ip -n "$MON" neigh replace 2001:db8:100::$a nud permanent dev c0 lladdr "$mac" ||
			return 1
	done
}

# sa_pkts NS SPI: packets through the SA with SPI in NS (its lifetime).
sa_pkts() {
	ip -n "$1" -s xfrm state list | awk -v spi="spi $(printf '0x%08x' "$2")" '
		/ spi / { mine = index($0, spi) > 0 }
		mine && /lifetime current:/ {
			getline
			sub(/.*, /, "")
			sub(/\(packets\).*/, "")
			print
			exit
		}'
}

# hits RE: the probe hits of the last window as "EXPAND COW FRAG COPY",
# first those whose stack has a frame matching RE, then all of them.
hits() {
	awk -v re="$1" '
	function flush() {
		if (ev != "") {
			all[ev]++
			if (hit)
				n[ev]++
		}
		ev = ""
		hit = 0
	}
	/^#/ { flush(); next }
	/^ *=> / { if ($0 ~ re) hit = 1; next }
	/ dfcr_[a-z]+: \(/ {
		flush()
		match($0, / dfcr_[a-z]+: \(/)
		ev = substr($0, RSTART + 6, RLENGTH - 9)
		next
	}
	END {
		flush()
		printf "%d %d %d %d  %d %d %d %d\n", n["expand"], n["cow"], n["frag"], n["copy"],
			all["expand"], all["cow"], all["frag"], all["copy"]
	}' "$TR"
}
COPY_RE='dfc_xmit|esp_output_done'

# window SPI WANT CMD...: run CMD with the probes recording, until dst's
# SA SPI decrypted WANT more packets (or a few seconds passed); the traces
# of every CPU into TR (a stack follows its event on the same CPU); out
# and in: the packets through mon's and dst's SA since the last window on
# it (nothing else goes through them: new SAs, neighbours resolved).
window() {
	spi=$1 want=$2
	shift 2
	o0=0 i0=0
	eval "o0=\${o_$spi:-0} i0=\${i_$spi:-0}"
	echo > "$I/trace"
	echo 1 > "$I/tracing_on"
	"$@" >/dev/null
	t=0 tmax=$(slow 50)
	while in=$(($(sa_pkts "$DST" "$spi") - i0)) && [ "$in" -lt "$want" ] &&
		[ $t -lt "$tmax" ]; do
		sleep 0.1
		t=$((t + 1))
	done
	echo 0 > "$I/tracing_on"
	cat "$I"/per_cpu/cpu*/trace > "$TR"
	o1=$(sa_pkts "$MON" "$spi")
	out=$((o1 - o0))
	eval "o_$spi=$o1 i_$spi=$((i0 + in))"
}

inject() { ip netns exec "$GEN" "$INJECT" -i p0 -n "$N" "$@"; }

setup_ns GEN MON DST
check "topology: gen, mon, dst with 7 destination addresses" topo
sa_ok=1
for s in "198.51.100.1 198.51.100.2 0x101" "198.51.100.1 198.51.100.3 0x102" \
	"2001:db8:100::1 2001:db8:100::2 0x103" "2001:db8:100::1 2001:db8:100::3 0x104" \
	"198.51.100.1 198.51.100.5 0x105 tfcpad 1024" "198.51.100.1 198.51.100.6 0x106 tfcpad 8000"; do
	# shellcheck disable=SC2086 # the words of s
	sa $s || sa_ok=0
done
check_eq "ESP tunnel SAs and policies for 6 destinations" "$sa_ok" 1
check "kprobes on the reallocating calls, with stacks" probes_on
check "module loads" insmod "$DFC_KO"
check "attach m0" dfcctl "$MON" interface add m0
check "destination 1: IPv4 ipip, ipsec-required" \
	dfcctl "$MON" cdest add 1 address 198.51.100.2 ipsec-required
check "destination 2: IPv4 udp, ipsec-required" \
	dfcctl "$MON" cdest add 2 address 198.51.100.3 encap udp dport 4789 ipsec-required
check "destination 3: IPv6 ipip, ipsec-required" \
	dfcctl "$MON" cdest add 3 address 2001:db8:100::2 ipsec-required
check "destination 4: IPv6 udp, ipsec-required" \
	dfcctl "$MON" cdest add 4 address 2001:db8:100::3 encap udp dport 4789 ipsec-required
check "destination 5: TFC padding 1024 (control)" \
	dfcctl "$MON" cdest add 5 address 198.51.100.5 ipsec-required
check "destination 6: TFC padding 8000 (control)" \
	dfcctl "$MON" cdest add 6 address 198.51.100.6 ipsec-required
check "destination 7: no SA" dfcctl "$MON" cdest add 7 address 198.51.100.7 ipsec-required
for d in 1 2 3 4 5 6 7; do
	check "criterion $d/$d: dport 500$d to destination $d" \
		dfcctl "$MON" filter add owner "$d" id "$d" static cdest "$d" proto 17 dport "500$d"
done

# The measurement: no reallocation in the copy path, every copy ESP.
sent=0
for d in "1 0x101 IPv4 ipip" "2 0x102 IPv4 udp" "3 0x103 IPv6 ipip" "4 0x104 IPv6 udp"; do
	# shellcheck disable=SC2086 # the words of d
	set -- $d
	for v in 4 6; do
		for len in 64 512 1400 8000; do
			window "$2" "$N" inject -k "ipv$v" -l "$len" -p "500$1"
			h=$(hits "$COPY_RE")
			echo "# $3 $4 destination $1, IPv$v inner, $len-byte frames:" \
				"hits (expand cow frag copy) in the copy path ${h%%  *}," \
				"in all ${h#*  }; ESP out $out, in $in"
			check_eq "destination $1 ($3 $4), IPv$v, $len bytes: no reallocation, $N ESP out and in" \
				"${h%%  *} $out $in" "0 0 0 0 $N $N"
			sent=$((sent + N))
		done
	done
done
check_eq "destinations 1-4 sent every copy, dropped none" \
	"$(dfcctl "$MON" -j cdest show | jq -r '[.[] | select(.id <= 4) | .stats] |
		"\(map(.copies) | add) \(map(.nomem, .noroute, .noipsec, .toobig, .loop,
		.ratelimit, .dupcap, .txerr) | add)"')" "$sent 0"

# Controls: the same counting sees reallocations where they must happen.
# tfc_control SPI DPORT PAD WHAT WANT: 64-byte frames copied through the SA
# with TFC padding PAD; WANT: the copy path's hits, then ESP out and in.
tfc_control() {
	window "$1" "$N" inject -k ipv4 -l 64 -p "$2"
	h=$(hits "$COPY_RE")
	echo "# TFC padding $3, 64-byte frames: hits in the copy path ${h%%  *}," \
		"in all ${h#*  }; ESP out $out, in $in"
	check_eq "control: TFC padding $3: $4" "${h%%  *} $out $in" "$5"
}
tfc_control 0x105 5005 1024 "2 page fragments per copy in the copy path" \
	"0 0 $((2 * N)) 0 $N $N"
tfc_control 0x106 5006 8000 "skb_cow_data and a tail expansion per copy" \
	"$N $N 0 0 $N $N"

# A copy that holds the frame's page fragments (the sending kernel split
# the frame after 2000 bytes; 4000 shared): ESP encrypts it out of place,
# into two page fragments (trailer, ciphertext), with no reallocation.
# (dst's esp_input() does reallocate it: the copy keeps its shared-fragment
# mark through ESP, and dst is a veth away, in the same kernel.)
shared() { dfcctl "$MON" -j stats | jq .copies_shared; }
s0=$(shared)
window 0x101 "$N" inject -k ipv4 -l 6000 -V 2000 -p 5001
h=$(hits "$COPY_RE")
echo "# 6000-byte frames split after 2000 bytes: hits in the copy path ${h%%  *}," \
	"in all ${h#*  }; ESP out $out, in $in"
check_eq "shared copies: 2 page fragments each, no reallocation, every copy shared" \
	"${h%%  *} $out $in $(($(shared) - s0))" "0 0 $((2 * N)) 0 $N $N $N"
window 0x101 "$N" ip netns exec "$MON" "$PY" -c "
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 0, 0, 0, 64, 253, 0, bytes(4),
                 socket.inet_aton('198.51.100.2'))
for _ in range($N):
    s.sendto(ip + bytes(100), ('198.51.100.2', 0))"
h=$(hits "$COPY_RE") raw=$(hits raw_sendmsg)
echo "# raw IP_HDRINCL through SA 0x101: hits under raw_sendmsg ${raw%%  *}," \
	"in the copy path ${h%%  *}, in all ${h#*  }; ESP out $out, in $in"
check_eq "control: raw packets: $N expanded by xfrm, none counted as copies" \
	"${raw%% *} ${h%%  *} $out $in" "$N 0 0 0 0 $N $N"

# Fail closed: no SA, no copy, in clear or otherwise.
to7() {
	ip netns exec "$DST" nft list chain netdev dfcesp in |
		awk '/198.51.100.7/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}
check "dst counts what comes for 198.51.100.7" ip netns exec "$DST" nft -f - <<-EOF
	table netdev dfcesp {
		chain in {
			type filter hook ingress device d0 priority 0;
			ip daddr 198.51.100.7 counter
		}
	}
	EOF
check "$N frames toward destination 7" inject -k ipv4 -l 64 -p 5007
check_eq "destination 7: every copy dropped for want of IPsec" \
	"$(dfcctl "$MON" -j cdest show | jq -r '.[] | select(.id == 7) | .stats |
		"\(.copies) \(.noipsec)"')" "0 $N"
check_eq "destination 7: nothing reached dst" "$(to7)" 0

check "module unloads" rmmod dfc
ktap_finish
