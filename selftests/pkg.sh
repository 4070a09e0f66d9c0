#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pkg.sh: the Debian packages at work, in the guest. make deb's dfc-dkms
# and dfc-tools (build/deb/; make check builds them before the guests
# boot) unpacked into a scratch root with dpkg-deb -x (dpkg --root would
# run their maintainer scripts chrooted into a root without a shell); the
# tree files they copy (module sources, example, completion) must be the
# tree's: stale packages fail.
# dfc.ko is DKMS's, as dfc-dkms' postinst builds it, from the packaged
# sources, but on the host: make check runs tools/deb-module.sh (dkms
# build against the 6.1 headers, tens of seconds there) as DKMS here, under
# TCG, takes over 5 minutes; this test checks that the module's sources
# are the ones installed here.
# Then, every program from the scratch root: the module loaded, dtcpd run
# as the installed unit says, from the installed example configuration
# adapted to the lab of dtcp_lib.sh (paths into the scratch root, key
# file 0600); dtcpd attaches its interface, answers a signed ADD 200 and
# nothing to a wrong key, the criterion shows in dfcctl filter show and
# counts injected traffic; the man pages render without a warning and
# the bash completion loads and completes.
. "$(dirname "$0")/dtcp_lib.sh"

ktap_header
arch=$(dpkg --print-architecture)
set -- "$TOP"/build/deb/dfc-tools_*_"$arch".deb
tl=$1
set -- "$TOP"/build/deb/dfc-dkms_*_all.deb
dk=$1
if [ ! -f "$tl" ] || [ ! -f "$dk" ]; then
	skip "installed packages" "no packages in build/deb/ (make deb)"
	ktap_finish
fi
ver=$(dpkg-deb -f "$tl" Version) # not v: setup_ns uses it
check_eq "dfc-tools and dfc-dkms: one version" "$(dpkg-deb -f "$dk" Version)" "$ver"

R=$T/root
check "dpkg-deb -x dfc-tools dfc-dkms into a scratch root" \
	sh -c "dpkg-deb -x '$tl' '$R' && dpkg-deb -x '$dk' '$R'"
# Packages of an older tree test what is no longer there: the files they
# copy from the tree must be the tree's. (Not git's version: here, over
# 9p, its index's stat data never matches and every file looks changed.)
src=$R/usr/src/dfc-$ver
doc=$R/usr/share/doc/dfc-tools
bc=$R/usr/share/bash-completion/completions
stale=$(cd "$TOP" && for f in Kbuild include/uapi/linux/dfc.h kmod/*.[ch]; do
	cmp -s "$f" "$src/$f" || echo "$f"
done
cmp -s agent/dtcpd.conf.example "$doc/examples/dtcpd.conf" || echo agent/dtcpd.conf.example
cmp -s docs/dtcpd.md "$doc/dtcpd.md" || echo docs/dtcpd.md
for f in dfcctl dtcpc; do cmp -s "tools/completion/$f" "$bc/$f" || echo "tools/completion/$f"; done)
# shellcheck disable=SC2086 # one line
check_eq "the packages are this tree's (else: make deb): files differing" "$(echo $stale)" ""

# ---- dfc.ko: DKMS's, from the packaged sources ----
mt=$TOP/build/deb-module/tree/dfc/$ver
set -- "$mt/$KVER"/*/module/dfc.ko
ko=$1
if [ ! -f "$ko" ]; then
	skip "dfc.ko from dfc-dkms" "no DKMS build for $KVER (tools/deb-module.sh; make check runs it for Debian's kernel)"
	ktap_finish
fi
check "DKMS built dfc.ko from the sources installed here" diff -r "$mt/source/" "$src/"
check_eq "dfc.ko's version" "$(modinfo -F version "$ko")" "$ver"
check_eq "dfc.ko's vermagic: the running kernel" "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" "$(uname -r)"

# ---- the lab, the module, the installed programs ----
DFC_KO=$ko
DTCPD=$R/usr/sbin/dtcpd
DTCPC=$R/usr/bin/dtcpc
DFCCTL=$R/usr/sbin/dfcctl
dtcp_setup

# The operator's configuration: the installed example with its paths in the
# scratch root and the lab's interface and addresses.
etc=$R/etc/dtcpd
conf=$etc/dtcpd.conf
sock=$R/run/dtcpd/dtcpd.sock
# what systemd makes for the unit (StateDirectory, RuntimeDirectory)
mkdir -p "$etc" "$R/var/lib/dtcpd" "$R/run/dtcpd"
sed -e "s|\"/etc/dtcpd/|\"$etc/|; s|\"/var/lib/dtcpd/|\"$R/var/lib/dtcpd/|; s|\"/run/dtcpd/|\"$R/run/dtcpd/|" \
	-e 's|"eth1"|"m0"|; s|"10\.36\.41\.1"|"192.0.2.1"|g; s|"10\.36\.70\.2"|"192.0.2.1"|' \
	"$R/usr/share/doc/dfc-tools/examples/dtcpd.conf" >"$conf"
chmod 600 "$conf"
# what is left of the example's paths, monitored port, cs1 and cd1 addresses
check_eq "adapted example: its paths in the scratch root, m0, cs1 and cd1 at 192.0.2.1" \
	"$(grep -e '"/etc/' -e '"/var/' -e '"/run/' -e '"eth1"' -e '10\.36\.41\.1' -e '10\.36\.70\.2"' "$conf")" ""
printf 'secret\n' >"$etc/cs1.key"
# Positive control: the mode matters to the installed dtcpd.
chmod 644 "$etc/cs1.key"
out=$("$DTCPD" -t -c "$conf" 2>&1)
case $out in
*"permissions 0644 for '$etc/cs1.key' are too open"*) ok "installed dtcpd -t refuses the key file at 0644" ;;
*) fail "installed dtcpd -t refuses the key file at 0644" "$out" ;;
esac
chmod 600 "$etc/cs1.key"

# unit CMDLINE: an Exec line of the installed unit, its absolute paths in
# the scratch root
unit=$R/lib/systemd/system/dtcpd.service
in_root() { echo "$1" | sed -e "s#^/#$R/#" -e "s# /# $R/#g"; }
pre=$(in_root "$(sed -n 's|^ExecStartPre=\(/usr/sbin/dtcpd .*\)|\1|p' "$unit")")
start=$(in_root "$(sed -n 's/^ExecStart=//p' "$unit")")
check_eq "installed unit: its check and its ExecStart run the installed dtcpd" \
	"${pre%% *} ${start%% *}" "$DTCPD $DTCPD"
# shellcheck disable=SC2086 # the unit's command line, words
check "the unit's ExecStartPre check passes" ip netns exec "$MON" $pre

# start_unit: the unit's ExecStart in MON, logs in $T/dtcpd.log, until the
# control socket is there
start_unit() {
	# shellcheck disable=SC2086
	ip netns exec "$MON" $start </dev/null >>"$T/dtcpd.log" 2>&1 &
	DPID=$!
	for _ in $(seq 100); do
		[ -S "$sock" ] && return 0
		kill -0 "$DPID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
step "installed dtcpd starts as the unit says" start_unit
check_eq "dfcctl interface show: m0 attached" "$(dfcctl "$MON" -j interface show | jq -r '.[].ifname')" m0

# ---- DTCP through the installed programs ----
out=$(dc ADD Cdest-ID=cd1 Source-Address=10.0.0.1 Dest-Address=10.0.0.2 Protocol=17 \
	Dest-Port=53 Timeout-Idle=600)
check_eq "dtcpc ADD: 200 with Criteria-ID 1, answer verified" \
	"$(echo "$out" | code) $(echo "$out" | field Criteria-ID) $(echo "$out" | grep -c '^# verified')" "200 1 1"
crit() { dfcctl "$MON" -j filter show | jq -r "$1"; }
# the criterion in DTCP form, as dfcctl decodes dtcpd's blob
dp='Dest-Port=53'
check_eq "dfcctl filter show: the criterion as added" "$(crit '.[] | .criterion' | grep -c "$dp")" 1
check_eq "dfcctl filter show (text): the criterion as added" "$(dfcctl "$MON" filter show | grep -c "$dp")" 1
inject -n 10 -S 10.0.0.1 -D 10.0.0.2 -P udp -p 53
inject -n 5 -S 10.0.0.1 -D 10.0.0.2 -P udp -p 54
check_eq "dfcctl filter show: 10 packets matched" "$(crit '.[0].packets')" 10
check_eq "10 copies reached cd1" "$(ipip_in)" 10
out=$(dc LIST Flags=Both)
check_eq "dtcpc LIST: the kernel's count" "$(echo "$out" | field Matching-Packets)" 10
# Silence has to mean something: the same request with a wrong key.
ip netns exec "$CS" "$DTCPC" -s 192.0.2.2 -p 2400 -i cs1 -k wrong -S "$T/cs1.seq" -w "$(slow 3)" NOOP >/dev/null 2>&1
check_eq "dtcpc with a wrong key: no answer" "$?" 3
check_eq "dfcctl agent show: the wrong key dropped (auth), ADD and LIST answered 2xx" \
	"$(ip netns exec "$MON" "$DFCCTL" -S "$sock" -j agent show cs1 |
		jq -c '.[0] | [.drops.auth, .answers."2xx"]')" "[1,2]"
step "installed dtcpd stops on SIGTERM" stop_dtcpd

# ---- man pages and bash completion, as installed ----
printf '.TH BAD 1\n.xx\n' | gzip >"$T/bad.1.gz"
check "positive control: man --warnings reports an unknown macro" \
	sh -c "man -l --warnings '$T/bad.1.gz' 2>&1 >/dev/null | grep -q xx"
set -- "$R"/usr/share/man/man*/*.gz
check_eq "4 man pages installed" "$#" 4
man_pages "$ver" "$@"
# comp FUNCTION WORD...: what completing the last WORD offers, both files loaded
comp() {
	bash -c '. "$1/dfcctl" && . "$1/dtcpc" || exit 1; f=$2; shift 2
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); $f; echo "${COMPREPLY[*]}"' comp "$bc" "$@"
}
check_eq "completion loads: complete -p" \
	"$(bash -c '. "$1/dfcctl" && . "$1/dtcpc" && complete -p dfcctl dtcpc' c "$bc" 2>&1)" \
	"complete -F _dfcctl dfcctl
complete -F _dtcpc dtcpc"
check_eq "completion: dfcctl fi" "$(comp _dfcctl dfcctl -j "fi")" filter
check_eq "completion: dtcpc ADD Dest-" "$(comp _dtcpc dtcpc -i cs1 ADD Dest-)" "Dest-Address= Dest-Port="

ktap_finish
