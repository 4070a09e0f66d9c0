#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dfcctl cdest show's IPsec view, in the guest, against `ip xfrm`:
#
#   gen: p0 ---veth--- m0 :mon (dfc on m0)  c0 ---veth--- d0 :dst ($D1, $D2)
#
# mon has two manually keyed ESP tunnel SAs toward $D1 and their outbound
# policies: protocol 4 only (AES-GCM), and UDP port 4789 (AES-CBC with
# HMAC-SHA256, lifetime limits). Destination 1 (ipip to $D1) is covered for
# IPv4-inner copies, not IPv6-inner ones; destination 2 (udp 4789 to $D1)
# wholly; destination 3 ($D2, ipsec-required) has no policy. dfcctl must
# name each one's policy and SA (SPI, mode, algorithms, limits) and, after
# traffic, the SA's bytes and packets as `ip -s xfrm state` counts them,
# and the kernel's no-IPsec state: set for 3 (its copies dropped), not for
# 1 and 2 (theirs sent), nor for 3 before traffic.
. "$(dirname "$0")/lib.sh"

N=20
SRC=198.51.100.1
GCM="aead rfc4106(gcm(aes)) 0x00112233445566778899aabbccddeeff01020304 128"
CBC="enc cbc(aes) 0x00112233445566778899aabbccddeeff"
SHA="auth-trunc hmac(sha256) 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 128"

trap cleanup_ns EXIT
ktap_header
dfc_unload 2>/dev/null
command -v jq >/dev/null || { skip "ipsec_view" "needs jq"; ktap_finish; }

# xfrm SPI SELECTOR... -- STATE-OPTIONS...: mon's tunnel SA to $D1 and its out policy.
xfrm() {
	spi=$1
	shift
	sel=""
	while [ "$1" != "--" ]; do sel="$sel $1"; shift; done
	shift
	# shellcheck disable=SC2086 # words
	ip -n "$MON" xfrm state add src $SRC dst "$D1" proto esp spi "$spi" reqid "$spi" \
		mode tunnel "$@" &&
	ip -n "$MON" xfrm policy add $sel dir out \
		tmpl src $SRC dst "$D1" proto esp reqid "$spi" mode tunnel
}

# sa_cur SPI: "BYTES PACKETS" of mon's SA SPI, as ip -s xfrm state counts them.
sa_cur() {
	ip -n "$MON" -s xfrm state list | awk -v spi="spi $(printf '0x%08x' "$1")" '
		/ spi / { mine = index($0, spi) > 0 }
		mine && /lifetime current:/ {
			getline
			gsub(/\((bytes|packets)\),?/, "")
			print $1, $2
			exit
		}'
}

show() { dfcctl "$MON" -j cdest show "$1"; }
# flat: a multi-line jq answer on one line, single spaces.
flat() { tr -s ' \n\t' ' ' | sed 's/ $//'; }
q() { show "$1" | jq -r ".[0].ipsec | $2"; }

setup_ns GEN MON DST
check "topology: gen, mon, dst with two destination addresses" copy_lab
# shellcheck disable=SC2086 # the algorithm words
check "SA 0x201 (AES-GCM) and policy: $D1, protocol 4 only" \
	xfrm 0x201 dst "$D1/32" proto 4 -- $GCM
# shellcheck disable=SC2086
check "SA 0x202 (AES-CBC, HMAC-SHA256, limits) and policy: $D1, UDP 4789" \
	xfrm 0x202 dst "$D1/32" proto udp dport 4789 -- $CBC $SHA \
	limit byte-soft 1000000 limit packet-hard 5000
check "module loads" insmod "$DFC_KO"
check "attach m0" dfcctl "$MON" interface add m0
check "destination 1: ipip to $D1, ipsec-required" \
	dfcctl "$MON" cdest add 1 address "$D1" name view-ipip ipsec-required
check "destination 2: udp 4789 to $D1, ipsec-required" \
	dfcctl "$MON" cdest add 2 address "$D1" encap udp dport 4789 name view-udp ipsec-required
check "destination 3: $D2, ipsec-required, no policy" \
	dfcctl "$MON" cdest add 3 address "$D2" name view-none ipsec-required
for d in 1 2 3; do
	check "criterion $d: dport 500$d to destination $d" \
		dfcctl "$MON" filter add owner "$d" id "$d" static cdest "$d" proto 17 dport "500$d"
done

# Before traffic: the policies and SAs, and no no-IPsec state yet (the control for 3).
check_eq "1: protocol 4 covered by SA 0x201, tunnel, AES-GCM; 41 not; source the route's" \
	"$(q 1 '"\(.covered) \(.src) \(.src_from) \(.flows[0].proto) \(.flows[0].covered)
		\(.flows[0].policy.sas[0] | "\(.spi) \(.mode) \(.aead.name) \(.aead.icv_bits)")
		\(.flows[1].proto) \(.flows[1].covered) \(.flows[1].policy)"' | flat)" \
	"false $SRC route 4 true 0x00000201 tunnel rfc4106(gcm(aes)) 128 41 false null"
check_eq "2: UDP 4789 covered by SA 0x202: cbc(aes), hmac(sha256)/128, its limits" \
	"$(q 2 '"\(.covered) \(.flows[0].dport) \(.flows[0].policy.selector.proto)
		\(.flows[0].policy.selector.dport) \(.flows[0].policy.sas[0] |
		"\(.spi) \(.enc.name) \(.auth.name) \(.auth.trunc_bits) \(.limits.soft_bytes)
		\(.limits.hard_bytes) \(.limits.hard_packets)")"' | flat)" \
	"true 4789 17 4789 0x00000202 cbc(aes) hmac(sha256) 128 1000000 null 5000"
check_eq "3: not covered, required, no kernel no-IPsec state before traffic" \
	"$(q 3 '"\(.covered) \(.required) \(.kernel_noipsec) \(.flows | map(.policy) | tostring)"')" \
	"false true false [null,null]"
txt=$(dfcctl "$MON" cdest show 1)
case $txt in
*"proto 4 (IPv4 inner): covered"*"spi 0x00000201 tunnel"*"aead rfc4106(gcm(aes))"*"proto 41 (IPv6 inner): not covered (no policy)"*)
	ok "1: the text names the policy, SPI, mode and algorithm per flow" ;;
*)	fail "1: the text names the policy, SPI, mode and algorithm per flow" "$txt" ;;
esac

for d in 1 2 3; do
	check "$N frames toward destination $d" \
		ip netns exec "$GEN" "$INJECT" -i p0 -n "$N" -k ipv4 -l 100 -p "500$d"
done
# The kernel updates its no-IPsec state each second.
t=0
while [ "$(q 3 .kernel_noipsec)" != true ] && [ $t -lt "$(slow 50)" ]; do
	sleep 0.1
	t=$((t + 1))
done

for s in "1 0x201" "2 0x202"; do
	# shellcheck disable=SC2086 # the words of s
	set -- $s
	cur=$(sa_cur "$2")
	got=$(q "$1" '.flows[0].policy.sas[0].current | "\(.bytes) \(.packets)"')
	check_eq "$1: SA $2 counts as ip -s xfrm state does ($cur), $N packets" \
		"$got ${cur#* }" "$cur $N"
	case ${cur%% *} in
	0 | "") fail "$1: SA $2 carried bytes" "got '$cur'" ;;
	*) ok "$1: SA $2 carried bytes" ;;
	esac
	check_eq "$1: every copy sent, no kernel no-IPsec state" \
		"$(show "$1" | jq -r '.[0] | "\(.stats.copies) \(.stats.noipsec) \(.ipsec.kernel_noipsec)"')" \
		"$N 0 false"
done
txt=$(dfcctl "$MON" cdest show 2)
cur=$(sa_cur 0x202)
case $txt in
*"current: ${cur%% *} bytes, $N packets"*) ok "2: the text shows the SA's bytes and packets" ;;
*)	fail "2: the text shows the SA's bytes and packets" "want ${cur%% *} bytes" "$txt" ;;
esac
check_eq "3: every copy dropped for want of IPsec, the kernel's no-IPsec state set" \
	"$(show 3 | jq -r '.[0] | "\(.stats.copies) \(.stats.noipsec) \(.ipsec.kernel_noipsec)"')" \
	"0 $N true"
check_eq "the table: IPSEC partial, yes, no; FLAGS noipsec on 3 alone" \
	"$(dfcctl "$MON" cdest show | awk 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ printf "%s %s %s;", $1, $c["FLAGS"], $c["IPSEC"] }')" \
	"1 ipsec partial;2 ipsec yes;3 ipsec,noipsec no;"
txt=$(dfcctl "$MON" cdest show 3)
case $txt in
*"kernel: copies dropped for want of IPsec"*"not covered (no policy)"*)
	ok "3: the text shows the kernel's state and no policy" ;;
*)	fail "3: the text shows the kernel's state and no policy" "$txt" ;;
esac

check "module unloads" rmmod dfc
ktap_finish
