# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the guest shell tests: KTAP output, namespaces, module.
# Source it; tests run as root inside the QEMU guest (tools/vm-run).

TOP=${DFC_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
DFC_KO=${DFC_KO:-$TOP/dfc.ko}
DFCCTL=$TOP/build/dfcctl
INJECT=$TOP/build/selftests/inject

ktap_n=0
ktap_failed=0
NSLIST=""

# ktap_header: once per test, whoever calls it first (dtcp_setup calls it too).
ktap_hdr=
ktap_header() { [ -n "$ktap_hdr" ] || echo "TAP version 13"; ktap_hdr=y; }

# ok DESCRIPTION / fail DESCRIPTION [DIAGNOSTIC...]
ok() { ktap_n=$((ktap_n + 1)); echo "ok $ktap_n $1"; }
fail() {
	ktap_n=$((ktap_n + 1)); ktap_failed=$((ktap_failed + 1))
	echo "not ok $ktap_n $1"
	shift
	for l in "$@"; do echo "# $l"; done
}
skip() { ktap_n=$((ktap_n + 1)); echo "ok $ktap_n $1 # SKIP $2"; }

# check DESCRIPTION CMD...: one result line from a command's status.
check() {
	d=$1; shift
	if out=$("$@" 2>&1); then ok "$d"; else fail "$d" "$* failed:" "$out"; fi
}

# check_eq DESCRIPTION GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', want '$3'"; fi
}

ktap_finish() {
	echo "1..$ktap_n"
	[ "$ktap_failed" -eq 0 ]
	exit $?
}

# setup_ns VAR...: a fresh namespace per name, lo up, removed on exit.
setup_ns() {
	for v in "$@"; do
		n="$v-$$-$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')"
		ip netns add "$n" || return 1
		ip -n "$n" link set lo up
		# No IPv6 autoconfiguration chatter to disturb exact counts.
		ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		NSLIST="$NSLIST $n"
		eval "$v=$n"
	done
}

cleanup_ns() {
	for n in $NSLIST; do ip netns del "$n" 2>/dev/null; done
	NSLIST=""
}

# man_pages VERSION PAGE...: one result per page (roff, or gzipped roff):
# man --warnings says nothing about it and the rendered page shows VERSION.
man_pages() {
	mp_v=$1
	shift
	mp_out=$(mktemp) || return 1
	for mp_f; do
		mp_n=${mp_f##*/}
		mp_n=${mp_n%.gz}
		mp_warn=$(man --warnings -l "$mp_f" 2>&1 >"$mp_out")
		if [ -n "$mp_warn" ]; then
			fail "man $mp_n: no warning" "$mp_warn"
		elif ! grep -qF "$mp_v" "$mp_out"; then
			fail "man $mp_n: no warning" "the version $mp_v is not in the page"
		else
			ok "man $mp_n: no warning"
		fi
	done
	rm -f "$mp_out"
}

# dkms_check DESC SRCTREE VERSION DIR: DKMS builds dfc.ko from
# SRCTREE/dfc-VERSION for the kernel whose headers are installed, in the
# private DKMS tree DIR, unsigned (signing would make a key in
# /var/lib/dkms); then the module's version and vermagic. Skipped without
# dkms, root or headers.
dkms_check() {
	kver=${KVER:-$(sh "$TOP/tools/kver.sh")}
	if ! command -v dkms >/dev/null; then
		skip "$1" "dkms not installed (make deps installs it)"
		return
	elif [ "$(id -u)" != 0 ]; then
		skip "$1" "not root"
		return
	elif [ -z "$kver" ]; then
		skip "$1" "no kernel with headers"
		return
	fi
	mkdir "$4"
	if sign_file=/nonexistent dkms build -m dfc -v "$3" -k "$kver" \
		--sourcetree "$2" --dkmstree "$4" >"$4.log" 2>&1; then
		ok "$1: dkms build -m dfc -v $3 -k $kver"
	else
		fail "$1: dkms build -m dfc -v $3 -k $kver" "$(tail -n 20 "$4.log")" \
			"$(tail -n 20 "$4/dfc/$3/build/make.log" 2>/dev/null)"
	fi
	ko=$(find "$4/dfc/$3/$kver" -name 'dfc.ko*' 2>/dev/null | head -n 1)
	check_eq "$1: dfc.ko's version" "$([ -n "$ko" ] && modinfo -F version "$ko")" "$3"
	check_eq "$1: dfc.ko's vermagic" \
		"$([ -n "$ko" ] && modinfo -F vermagic "$ko" | cut -d' ' -f1)" "$kver"
}

# unit_docs_missing UNIT ROOT: the files the unit's Documentation= lines
# name (file://PATH) that are not under ROOT, one per line; "none named"
# when it names no file at all.
unit_docs_missing() {
	udm=$(sed -n 's/^Documentation=//p' "$1" | tr ' ' '\n' | sed -n 's|^file://||p')
	[ -n "$udm" ] || { echo "none named"; return; }
	for f in $udm; do [ -f "$2$f" ] || echo "$f"; done
}

# need_python3 WHAT: the whole test skipped without python3 (make deps).
PY=/usr/bin/python3
need_python3() { [ -x "$PY" ] || { skip "$1" "needs python3 (make deps)"; ktap_finish; }; }

# copy_lab: the lab of the copy checkers (frag.py, copies.py), in the
# namespaces GEN, MON and DST (setup_ns): gen's p0 into mon's m0 (to be
# monitored), mon's c0 to dst's d0, which owns the two destination
# addresses $D1 and $D2, resolved for good. MTU 9000 from mon to dst: a
# copy of a 1500-byte frame crosses whole behind its outer header.
D1=198.51.100.2
D2=198.51.100.3
copy_lab() {
	ip link add p0 netns "$GEN" type veth peer name m0 netns "$MON" &&
	ip link add c0 netns "$MON" type veth peer name d0 netns "$DST" &&
	ip -n "$GEN" link set p0 up && ip -n "$MON" link set m0 up &&
	ip -n "$MON" link set c0 mtu 9000 up && ip -n "$DST" link set d0 mtu 9000 up &&
	ip -n "$MON" addr add 198.51.100.1/24 dev c0 &&
	ip -n "$DST" addr add $D1/24 dev d0 && ip -n "$DST" addr add $D2/24 dev d0 &&
	mac=$(ip -n "$DST" -br link show d0 | awk '{ print $3 }') &&
	ip -n "$MON" neigh replace $D1 nud permanent dev c0 lladdr "$mac" &&
	ip -n "$MON" neigh replace $D2 nud permanent dev c0 lladdr "$mac"
}

# copy_lab_up: namespaces GEN, MON, DST with copy_lab, dfc.ko loaded, m0
# attached, destinations 1 ($D1) and 2 ($D2); a result line each.
copy_lab_up() {
	setup_ns GEN MON DST
	check "topology: gen, mon, dst with two destination addresses" copy_lab
	check "module loads" insmod "$DFC_KO"
	check "attach m0" dfcctl "$MON" interface add m0
	check "destination 1" dfcctl "$MON" cdest add 1 address $D1
	check "destination 2" dfcctl "$MON" cdest add 2 address $D2
}

dfc_loaded() { [ -d /sys/module/dfc ]; }
dfc_load() { dfc_loaded || insmod "$DFC_KO"; }
dfc_unload() { ! dfc_loaded || rmmod dfc; }

# dfcctl NS ARGS...: the operator CLI inside a namespace.
dfcctl() { ns=$1; shift; ip netns exec "$ns" "$DFCCTL" "$@"; }

# pktgen NS FILE CMD...: each CMD written to /proc/net/pktgen/FILE in NS;
# pktgen_stop NS: any run stopped, for cleanups (NS may be unset).
pktgen() {
	ns=$1
	f=$2
	shift 2
	for a; do
		ip netns exec "$ns" sh -c "echo '$a' > /proc/net/pktgen/$f" || return 1
	done
}
pktgen_stop() { [ -z "$1" ] || pktgen "$1" pgctrl stop 2>/dev/null; }

# snmp NS SECTION FIELD: a counter of /proc/net/snmp in NS, by its name
# (e.g. snmp "$NS" Tcp InSegs).
snmp() {
	ip netns exec "$1" awk -v s="$2:" -v f="$3" '$1 == s {
		if (!n) { for (i = 2; i <= NF; i++) col[$i] = i; n = 1; next }
		print $col[f] }' /proc/net/snmp
}

# exts N: an inject -x list of N IPv6 extension headers (hop-by-hop, then
# N-1 destination options).
exts() { printf 'hbh'; i=1; while [ $i -lt "$1" ]; do printf ',dst'; i=$((i + 1)); done; }

# slow SECONDS: a wait scaled for the kernel under test. The debug kernel
# (KASAN, lockdep, kmemleak under TCG) is several times slower; run_guest.sh
# exports DFC_SLOW (4 there, 1 on Debian's kernel).
slow() { echo $(($1 * ${DFC_SLOW:-1})); }

# guest_icount: true in a guest that tools/vm-run booted counting
# instructions (VM_ICOUNT=1: guest time is one nanosecond an instruction).
guest_icount() { grep -qw vmicount=1 /proc/cmdline; }

# shrink N [MIN]: a volume (frames, criteria, repetitions) scaled for the
# kernel under test: N divided by DFC_SHRINK, at least MIN (default 1).
# run_guest.sh exports DFC_SHRINK (10 on the debug kernel, 1 on Debian's):
# the debug run looks for KASAN, lockdep, RCU and leak reports, not rates,
# so it runs the same code paths with less volume.
shrink() {
	n=$(($1 / ${DFC_SHRINK:-1}))
	[ "$n" -ge "${2:-1}" ] || n=${2:-1}
	echo "$n"
}
