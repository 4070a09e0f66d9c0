# SPDX-License-Identifier: GPL-2.0
# make bench-datapath, section "copies" (sourced by run.sh): what copying
# a frame costs. dfc sends copies to 1 and 3 destinations, IP-in-IP over
# IPv4, UDP over IPv4 and IP-in-IP over IPv6; tc flower with "mirred
# egress mirror" into 1 and 3 ipip tunnel devices, or ip6tnl (IPv4 in
# IPv6), then drop (dfc consumes the frame too). Frames of DP_COPY_SIZES
# bytes (pktgen's pkt_size: Ethernet header in, FCS not). Every copy
# leaves by the dummy device dpout (MTU 9000: a copy of a 1500-byte frame
# goes whole), which frees it. Beside them, the same frames with nothing
# on the port. Each case runs plain and through ESP (DP_COPY_XFRM): an
# outbound SA in transport mode (AES-GCM) to each destination, IPv4 and
# IPv6, which both engines' copies take; an ESP case records what the
# SAs protected (esp).

DP_FLOW="10.9.0.1 20.9.0.1 1000 2000"

dp_copies_topo() {
	ip link add dpout type dummy && ip link set dpout mtu 9000 up &&
	ip addr add 198.51.100.1/24 dev dpout &&
	ip addr add 2001:db8:c::1/64 dev dpout nodad || return 1
	i=0
	for d in 2 3 4; do
		i=$((i + 1))
		# dfc's destinations: ipip 1-3, udp 4-6, ipip over IPv6 7-9
		"$DFCCTL" cdest add $i address 198.51.100.$d > /dev/null &&
		"$DFCCTL" cdest add $((i + 3)) address 198.51.100.$d encap udp dport 30030 > /dev/null &&
		"$DFCCTL" cdest add $((i + 6)) address 2001:db8:c::$d > /dev/null || return 1
		# tc's: one ipip and one ip6tnl device per destination
		ip link add dpt4$i type ipip local 198.51.100.1 remote 198.51.100.$d ttl 64 &&
		ip link add dpt6$i type ip6tnl mode ipip6 local 2001:db8:c::1 \
			remote 2001:db8:c::$d hoplimit 64 &&
		ip link set dpt4$i mtu 8000 up && ip link set dpt6$i mtu 8000 up || return 1
	done
}

# dp_esp_sa SRC DST SPI PLEN: an outbound ESP SA in transport mode from
# SRC to DST (the benchmark's own AES-GCM key), and its policy (PLEN:
# the addresses' full prefix length).
dp_esp_sa() {
	ip xfrm state add src "$1" dst "$2" proto esp spi "$3" mode transport \
		aead 'rfc4106(gcm(aes))' 0x0123456789abcdef0123456789abcdef01234567 128 &&
	ip xfrm policy add src "$1/$4" dst "$2/$4" dir out \
		tmpl src "$1" dst "$2" proto esp mode transport
}

# dp_copies_xfrm plain|esp: no IPsec, or an outbound ESP SA and policy
# from dpout's address to each destination.
dp_copies_xfrm() {
	ip xfrm policy flush && ip xfrm state flush || return 1
	DP_ESP=
	case $1 in
	plain) return 0 ;;
	esp) DP_ESP=1 ;;
	*) echo "bench-datapath: unknown copy xfrm '$1'" >&2; return 1 ;;
	esac
	for d in 2 3 4; do
		dp_esp_sa 198.51.100.1 198.51.100.$d $((0x1000 + d)) 32 &&
		dp_esp_sa 2001:db8:c::1 2001:db8:c::$d $((0x2000 + d)) 128 || return 1
	done
}

# dp_copies_dfc ENCAP FIRST_CDEST NDEST SIZE: NDEST criteria of owner 3
# matching the flow, toward destinations FIRST_CDEST onward.
dp_copies_dfc() {
	"$DFCCTL" filter del owner 3 static > /dev/null 2>&1
	for k in $(seq "$3"); do
		"$DFCCTL" filter add owner 3 id "$k" static cdest $(($2 + k - 1)) \
			src 10.9.0.1 dst 20.9.0.1 proto 17 || return 1
	done
	DP_CRIT="3 1"
	dp_dfc_case section=copies engine=dfc encap="$1" ndest="$3" size="$4" traffic=match \
		xfrm="$DP_XFRM"
	DP_CRIT=
}

# dp_copies_tc DEVPREFIX NDEST SIZE: flower on dp0's ingress mirroring to
# NDEST tunnel devices, then drop.
dp_copies_tc() {
	tc qdisc add dev "$DP_DEV" ingress || return 1
	acts=
	for k in $(seq "$2"); do acts="$acts action mirred egress mirror dev $1$k"; done
	tc filter add dev "$DP_DEV" ingress protocol ip pref 1 flower src_ip 10.9.0.1 dst_ip 20.9.0.1 \
		ip_proto udp $acts action drop || return 1
	encap=ipip
	[ "$1" = dpt4 ] || encap=ip6tnl
	dp_plain_case section=copies engine=tc-mirred encap="$encap" ndest="$2" size="$3" traffic=match \
		xfrm="$DP_XFRM"
	tc qdisc del dev "$DP_DEV" ingress
}

dp_copies() {
	dp_copies_topo || return 1
	for size in $DP_COPY_SIZES; do
		dp_pg_threads 1 || return 1
		dp_flow $DP_FLOW "$size"
		dp_plain_case section=copies engine=none encap=none ndest=0 size="$size" traffic=match
		for DP_XFRM in $DP_COPY_XFRM; do
			dp_copies_xfrm "$DP_XFRM" || return 1
			"$DFCCTL" interface add "$DP_DEV" || return 1
			for nd in $DP_COPY_DESTS; do
				for enc in $DP_COPY_ENCAPS; do
					case $enc in
					ipip) first=1 ;;
					udp) first=4 ;;
					ipip6) first=7 ;;
					*) echo "bench-datapath: unknown copy encap '$enc'" >&2; return 1 ;;
					esac
					dp_copies_dfc "$enc" "$first" "$nd" "$size" || return 1
				done
			done
			"$DFCCTL" filter del owner 3 static > /dev/null
			"$DFCCTL" interface del "$DP_DEV"
			for nd in $DP_COPY_DESTS; do
				for enc in $DP_COPY_TC; do
					case $enc in
					ipip) dp_copies_tc dpt4 "$nd" "$size" || return 1 ;;
					ip6tnl) dp_copies_tc dpt6 "$nd" "$size" || return 1 ;;
					*) echo "bench-datapath: unknown tc copy encap '$enc'" >&2; return 1 ;;
					esac
				done
			done
		done
		dp_copies_xfrm plain || return 1
	done
	DP_XFRM=plain
	# One vs two CPUs: a copy to one destination, smallest frames.
	if [ "$DP_CPUS" != 1 ] && [ -n "$DP_CPU_SIZE" ]; then
		size=${DP_COPY_SIZES%% *}
		dp_pg_threads 2 && dp_flow $DP_FLOW "$size" || return 1
		dp_plain_case section=copies engine=none encap=none ndest=0 size="$size" traffic=match
		"$DFCCTL" interface add "$DP_DEV" && dp_copies_dfc ipip 1 1 "$size" || return 1
		"$DFCCTL" filter del owner 3 static > /dev/null
		"$DFCCTL" interface del "$DP_DEV"
		dp_copies_tc dpt4 1 "$size" || return 1
		dp_pg_threads 1
	fi
}
