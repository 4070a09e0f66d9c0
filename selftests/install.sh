#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# install.sh: host-tier test of what a monitoring host gets. make install
# into a DESTDIR (PREFIX /usr/local and /usr): every file with its mode,
# the unit's paths (and systemd-analyze verify when there is one), its
# sandbox (systemd-analyze security: exposure 2.5 or less, and more for a
# weakened copy), the sysusers.d file creating user dtcpd in a scratch root, a
# second install that keeps a modified configuration, make uninstall
# leaving the configuration alone. The man pages render without a groff
# warning and name every option, setting and command of their program;
# the bash completion parses and completes. A `git archive` export (no
# .git) builds with the VERSION file's version. make install-dkms, then
# dkms builds dfc.ko from it for the kernel under test, in a private DKMS
# tree (skipped without dkms or root).

cd "$(dirname "$0")/.." || exit 1
. selftests/lib.sh

# Not the outer make's: they carry its tree's -I and -DDFC_VERSION.
unset CFLAGS LDLIBS DFC_VERSION B MAKEFLAGS MAKELEVEL MFLAGS
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
ktap_header

# mk DIR ARGS...: make quietly in DIR, its output in $tmp/make.log
mk() {
	mk_dir=$1
	shift
	make -s --no-print-directory -C "$mk_dir" "$@" >"$tmp/make.log" 2>&1
}
# listing DIR: "MODE ./PATH" of everything under DIR but directories
listing() { (cd "$1" 2>/dev/null && find . ! -type d -printf '%m %p\n' | LC_ALL=C sort); }
# expect PREFIX: the listing of an install there (PREFIX without its /)
expect() {
	LC_ALL=C sort <<EOF
600 ./etc/dtcpd/dtcpd.conf
755 ./$1/sbin/dtcpd
755 ./$1/sbin/dfcctl
755 ./$1/bin/dtcpc
755 ./$1/lib/dfc/dtcpd-ssh-relay
644 ./$1/lib/systemd/system/dtcpd.service
644 ./$1/lib/sysusers.d/dtcpd.conf
644 ./$1/share/man/man8/dtcpd.8
644 ./$1/share/man/man5/dtcpd.conf.5
644 ./$1/share/man/man8/dfcctl.8
644 ./$1/share/man/man1/dtcpc.1
644 ./$1/share/bash-completion/completions/dfcctl
644 ./$1/share/bash-completion/completions/dtcpc
644 ./$1/share/doc/dfc/README.md
644 ./$1/share/doc/dfc/dtcpd.md
644 ./$1/share/doc/dfc/dtcp.md
644 ./$1/share/doc/dfc/ipsec.md
644 ./$1/share/doc/dfc/examples/destination.swanctl.conf
644 ./$1/share/doc/dfc/examples/dtcpd.conf
644 ./$1/share/doc/dfc/examples/monitor.swanctl.conf
EOF
}
# same NAME WANT-FILE GOT-FILE: one result, the difference on failure
same() {
	if diff -u "$2" "$3" >"$tmp/diff"; then
		ok "$1"
	else
		fail "$1" "$(cat "$tmp/diff")"
	fi
}

version=$(make -s --no-print-directory version)
check_eq "make version is not unknown" "$([ -n "$version" ] && [ "$version" != unknown ] && echo y)" y

# ---- make install, PREFIX /usr/local (the default) ----
a=$tmp/a
if mk . install DESTDIR="$a"; then
	ok "make install DESTDIR"
else
	fail "make install DESTDIR" "$(cat "$tmp/make.log")"
fi
expect usr/local >"$tmp/want"
listing "$a" >"$tmp/got"
same "install: every file, with its mode" "$tmp/want" "$tmp/got"
unit=$a/usr/local/lib/systemd/system/dtcpd.service
check "unit: modprobe dfc outside the sandbox" grep -qx 'ExecStartPre=+/sbin/modprobe dfc' "$unit"
check "unit: ExecStart in SBINDIR, the configuration in /etc" \
	grep -qx 'ExecStart=/usr/local/sbin/dtcpd -f -c /etc/dtcpd/dtcpd.conf' "$unit"
check_eq "no @PLACEHOLDER@ left in a text file" "$(grep -rIl '@[A-Z]*@' "$a")" ""
check_eq "unit: every file its Documentation= names is installed" \
	"$(unit_docs_missing "$unit" "$a")" ""
# positive control: a name that is not installed, a unit that names none
sed 's|^Documentation=.*|& file:///usr/local/share/doc/dfc/nope.md|' "$unit" >"$tmp/doc.service"
check_eq "control: a Documentation= file not installed is found" \
	"$(unit_docs_missing "$tmp/doc.service" "$a")" /usr/local/share/doc/dfc/nope.md
sed '/^Documentation=/d' "$unit" >"$tmp/doc.service"
check_eq "control: a unit without Documentation= files is found" \
	"$(unit_docs_missing "$tmp/doc.service" "$a")" "none named"
check_eq "installed dtcpd -V" "$("$a/usr/local/sbin/dtcpd" -V)" "dtcpd $version"
check_eq "installed dfcctl -V" "$("$a/usr/local/sbin/dfcctl" -V)" "dfcctl $version"
check "installed configuration is the example" cmp -s agent/dtcpd.conf.example "$a/etc/dtcpd/dtcpd.conf"
if command -v systemd-analyze >/dev/null; then
	# the unit as installed, its programs where DESTDIR put them
	sed "s|/usr/local/sbin/|$a/usr/local/sbin/|g" "$unit" >"$tmp/dtcpd.service"
	out=$(systemd-analyze verify --man=no "$tmp/dtcpd.service" 2>&1)
	check_eq "systemd-analyze verify: no complaint" "$out" ""
else
	skip "systemd-analyze verify" "no systemd-analyze"
fi

# ---- the sandbox ----
# exposure UNIT: systemd-analyze security's overall exposure of UNIT (0.0 to 10.0)
exposure() {
	systemd-analyze security --offline=yes "$1" 2>/dev/null |
		sed -n 's/^→ Overall exposure level for .*: \([0-9.]*\) .*/\1/p'
}
# le VALUE MAX: VALUE is a number, MAX or less
le() { [ -n "$1" ] && awk -v e="$1" -v m="$2" 'BEGIN { exit !(e <= m) }'; }
if command -v systemd-analyze >/dev/null && systemd-analyze security --help 2>&1 | grep -q -- --offline; then
	e=$(exposure "$unit")
	if le "$e" 2.5; then
		ok "systemd-analyze security: exposure 2.5 or less ($e)"
	else
		fail "systemd-analyze security: exposure 2.5 or less (${e:-no value})" \
			"$(systemd-analyze security --offline=yes "$unit" 2>&1 | grep '✗')"
	fi
	# Positive control: the same check on the unit without its user, its
	# system call filter and its capability bounding set.
	grep -Ev '^(User|Group|SystemCallFilter|CapabilityBoundingSet)=' "$unit" >"$tmp/weak.service"
	e=$(exposure "$tmp/weak.service")
	if [ -n "$e" ] && ! le "$e" 2.5; then
		ok "positive control: a weakened unit is above 2.5 ($e)"
	else
		fail "positive control: a weakened unit is above 2.5 (${e:-no value})"
	fi
	systemd-analyze security --offline=yes "$unit" >"$tmp/sec" 2>&1
	for want in 'User=/DynamicUser=' 'CapabilityBoundingSet=~CAP_SYS_MODULE' \
		'CapabilityBoundingSet=~CAP_NET_(BIND_SERVICE|BROADCAST|RAW)' 'SystemCallFilter=~@module' \
		'SystemCallArchitectures=' 'ProtectKernelTunables=' 'ProtectControlGroups=' \
		'RestrictNamespaces=~user' 'UMask=' 'ProtectClock=' 'ProtectHostname=' \
		'PrivateDevices=' 'RestrictRealtime=' 'RestrictSUIDSGID=' 'ProtectProc='; do
		check "systemd-analyze security: ✓ $want" grep -qF "✓ $want " "$tmp/sec"
	done
else
	skip "systemd-analyze security" "no systemd-analyze with --offline"
fi
check "unit: dtcpd runs as user dtcpd" grep -qx 'User=dtcpd' "$unit"
check "unit: CAP_NET_ADMIN, ambient" grep -qx 'AmbientCapabilities=CAP_NET_ADMIN' "$unit"
check "unit: state and control socket in its own directories" \
	sh -c "grep -qx 'StateDirectory=dtcpd' '$unit' && grep -qx 'RuntimeDirectory=dtcpd' '$unit'"
# The paths dtcpd uses by default are those directories.
check "dtcpd's default state file is in StateDirectory" grep -qF '"/var/lib/dtcpd/state"' agent/config.c
check "dtcpd's default control socket is in RuntimeDirectory" grep -qF '"/run/dtcpd/dtcpd.sock"' agent/config.c
# sysusers.d: creates dtcpd (user and group) in a scratch root.
if command -v systemd-sysusers >/dev/null; then
	mkdir -p "$tmp/root/etc"
	if systemd-sysusers --root="$tmp/root" "$a/usr/local/lib/sysusers.d/dtcpd.conf" \
		>"$tmp/sysusers.log" 2>&1; then
		check_eq "sysusers.d: user dtcpd, no login" \
			"$(cut -d: -f1,6,7 "$tmp/root/etc/passwd" | grep '^dtcpd:')" \
			"dtcpd:/nonexistent:/usr/sbin/nologin"
		check "sysusers.d: group dtcpd" grep -q '^dtcpd:' "$tmp/root/etc/group"
	else
		fail "systemd-sysusers creates dtcpd" "$(cat "$tmp/sysusers.log")"
	fi
else
	skip "sysusers.d creates dtcpd" "no systemd-sysusers"
fi

# ---- a second install keeps the operator's configuration ----
conf=$a/etc/dtcpd/dtcpd.conf
echo '# the operator was here' >>"$conf"
chmod 640 "$conf"
cp "$conf" "$tmp/conf.mine"
if mk . install DESTDIR="$a" && grep -q 'exists: kept' "$tmp/make.log"; then
	ok "second install says the configuration is kept"
else
	fail "second install says the configuration is kept" "$(cat "$tmp/make.log")"
fi
check "second install: configuration unchanged" cmp -s "$tmp/conf.mine" "$conf"
check_eq "second install: its mode unchanged" "$(stat -c %a "$conf")" 640

# ---- make uninstall: everything but the configuration ----
if mk . uninstall DESTDIR="$a"; then ok "make uninstall"; else fail "make uninstall" "$(cat "$tmp/make.log")"; fi
echo "640 ./etc/dtcpd/dtcpd.conf" >"$tmp/want"
listing "$a" >"$tmp/got"
same "uninstall: only the configuration is left" "$tmp/want" "$tmp/got"
check_eq "uninstall: the doc directory is gone" "$([ -e "$a/usr/local/share/doc/dfc" ] && echo there)" ""

# ---- PREFIX=/usr ----
b=$tmp/b
mk . install DESTDIR="$b" PREFIX=/usr || fail "make install PREFIX=/usr" "$(cat "$tmp/make.log")"
expect usr >"$tmp/want"
listing "$b" >"$tmp/got"
same "install PREFIX=/usr: every file, with its mode" "$tmp/want" "$tmp/got"
check "PREFIX=/usr: unit runs /usr/sbin/dtcpd" \
	grep -qx 'ExecStart=/usr/sbin/dtcpd -f -c /etc/dtcpd/dtcpd.conf' "$b/usr/lib/systemd/system/dtcpd.service"
check "PREFIX=/usr: unit documents /usr/share/doc/dfc" \
	grep -q 'file:///usr/share/doc/dfc/dtcpd.md' "$b/usr/lib/systemd/system/dtcpd.service"
check_eq "PREFIX=/usr: every file the unit's Documentation= names is installed" \
	"$(unit_docs_missing "$b/usr/lib/systemd/system/dtcpd.service" "$b")" ""
mk . uninstall DESTDIR="$b" PREFIX=/usr || fail "make uninstall PREFIX=/usr" "$(cat "$tmp/make.log")"
echo "600 ./etc/dtcpd/dtcpd.conf" >"$tmp/want"
listing "$b" >"$tmp/got"
same "uninstall PREFIX=/usr: only the configuration is left" "$tmp/want" "$tmp/got"

# ---- man pages ----
man_pages "$version" build/man/*.[0-9]
# missing PAGE WORD...: the words PAGE's source does not have
missing() {
	p=docs/man/$1.scd
	shift
	for w in "$@"; do grep -qF -- "$w" "$p" || printf '%s ' "$w"; done
}
opts() { "$@" 2>&1 | grep -o -- '--[a-z][a-z-]*' | sort -u; }
# shellcheck disable=SC2046 # a list of words
check_eq "dtcpd.8 has every option of dtcpd -h" "$(missing dtcpd.8 $(opts build/dtcpd -h))" ""
# shellcheck disable=SC2046
check_eq "dtcpc.1 has every option of dtcpc -h" "$(missing dtcpc.1 $(opts build/dtcpc -h))" ""
# dfcctl's options are iproute2's: one dash ("-json", "-netns")
opts1() { "$@" 2>&1 | grep -oE -- '(^| )-[A-Za-z][A-Za-z-]+' | tr -d ' ' | sort -u; }
check_eq "dfcctl -h: its options found (-json, -netns)" \
	"$(opts1 build/dfcctl -h | grep -cx -e -json -e -netns)" 2
# shellcheck disable=SC2046
check_eq "dfcctl.8 has every option of dfcctl -h" "$(missing dfcctl.8 $(opts1 build/dfcctl -h))" ""
# every key of the configuration's `keys[]` lists, as *key*
keys=$(sed -n '/keys\[\] = {/,/NULL };/p; /mkeys\[\] = {/,/NULL };/p' agent/config.c |
	grep -o '"[a-z-]*"' | tr -d '"' | sort -u | sed 's/.*/*&*/')
# shellcheck disable=SC2086
check_eq "dtcpd.conf.5 has every setting of agent/config.c" "$(missing dtcpd.conf.5 $keys)" ""
# dfcctl's command table: "OBJECT VERB" rows
cmds=$(sed -n 's/^[[:space:]]*{ "\([a-z]*\)", "\([a-z-]*\)", cmd_.*/\1:\2/p' tools/dfcctl/dfcctl.c)
gaps=
for c in $cmds; do
	grep -qF -- "*${c%%:*} ${c#*:}" docs/man/dfcctl.8.scd || gaps="$gaps ${c%%:*} ${c#*:},"
done
check_eq "dfcctl.8 has every command of dfcctl's table ($(echo "$cmds" | wc -w))" "$gaps" ""

# ---- bash completion ----
for f in tools/completion/*; do
	check "bash -n ${f##*/} completion" bash -n "$f"
done
# comp FUNCTION WORD...: what completing the last WORD offers
comp() {
	bash -c '. tools/completion/dfcctl; . tools/completion/dtcpc; f=$1; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); $f; echo "${COMPREPLY[*]}"' comp "$@"
}
check_eq "completion: dfcctl fi" "$(comp _dfcctl dfcctl -j "fi")" filter
gaps=
for c in $cmds; do
	case " $(comp _dfcctl dfcctl "${c%%:*}" "") " in
	*" ${c#*:} "*) ;;
	*) gaps="$gaps ${c%%:*} ${c#*:}," ;;
	esac
done
check_eq "completion: every command of dfcctl's table" "$gaps" ""
check_eq "completion: dtcpc ADD Dest-" "$(comp _dtcpc dtcpc -i cs1 ADD Dest-)" \
	"Dest-Address= Dest-Port="

# ---- a tree without .git builds with VERSION's version ----
if command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1; then
	# the working tree's tracked files as they are now (HEAD if clean)
	rev=$(git stash create 2>/dev/null)
	mkdir "$tmp/src"
	if git archive --format=tar "${rev:-HEAD}" | tar -xf - -C "$tmp/src"; then
		ok "git archive export"
	else
		fail "git archive export"
	fi
	want=$(cat "$tmp/src/VERSION")
	check_eq "export: make version is the VERSION file" \
		"$(make -s --no-print-directory -C "$tmp/src" version)" "$want"
	if mk "$tmp/src" "$tmp/src/build/dfcctl"; then
		check_eq "export: dfcctl -V" "$("$tmp/src/build/dfcctl" -V)" "dfcctl $want"
	else
		fail "export: dfcctl -V" "$(cat "$tmp/make.log")"
	fi
else
	skip "git archive export" "not a git checkout"
fi

# ---- DKMS: install-dkms, then dkms builds dfc.ko ----
dk=$tmp/dk
src=$dk/usr/src/dfc-$version
mk . install-dkms DESTDIR="$dk" || fail "make install-dkms DESTDIR" "$(cat "$tmp/make.log")"
check "install-dkms: dkms.conf names the version" grep -qx "PACKAGE_VERSION=\"$version\"" "$src/dkms.conf"
check_eq "install-dkms: VERSION" "$(cat "$src/VERSION")" "$version"
check "install-dkms: the module's sources" test -f "$src/Kbuild" -a -f "$src/kmod/main.c" \
	-a -f "$src/include/uapi/linux/dfc.h"
dkms_check "dkms build" "$dk/usr/src" "$version" "$tmp/dkms"
mk . uninstall-dkms DESTDIR="$dk" || fail "make uninstall-dkms DESTDIR" "$(cat "$tmp/make.log")"
check_eq "uninstall-dkms: nothing left" "$(listing "$dk")" ""

ktap_finish
