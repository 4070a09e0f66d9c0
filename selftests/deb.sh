#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# deb.sh: host-tier test of `make deb` (debian/, tools/deb.sh). The package
# version from VERSION, a tag or a snapshot commit; then make deb in a
# `git archive` export (the working tree stays clean): each package's
# fields (Architecture, Version, Depends: dkms for dfc-dkms, the shared
# libraries for dfc-tools), every file with its mode, the maintainer
# scripts (dtcpd is never enabled by the package; DKMS adds the module),
# lintian without an error (its warnings listed); both packages unpacked
# into a scratch root (dpkg -x): the programs run and report the version,
# the unit's paths, and dkms builds dfc.ko from the packaged sources in a
# private DKMS tree (skipped without dkms or root). Nothing is installed
# on the host.

cd "$(dirname "$0")/.." || exit 1
. selftests/lib.sh

# Not the outer make's: they carry its tree's -I and -DDFC_VERSION.
unset CFLAGS LDLIBS DFC_VERSION B MAKEFLAGS MAKELEVEL MFLAGS
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
ktap_header

missing=
for c in dpkg-buildpackage dh dh_dkms lintian git; do
	command -v $c >/dev/null || missing="$missing $c"
done
if [ -n "$missing" ]; then
	skip "make deb" "missing:$missing (make deps installs them)"
	ktap_finish
fi
# same NAME WANT-FILE GOT-FILE: one result, the difference on failure
same() {
	if diff -u "$2" "$3" >"$tmp/diff"; then
		ok "$1"
	else
		fail "$1" "$(cat "$tmp/diff")"
	fi
}
# has_dep DEB PACKAGE: PACKAGE among DEB's Depends (any version)
has_dep() {
	dpkg-deb -f "$1" Depends | tr ',' '\n' | sed 's/^ *//; s/[ (].*//' | grep -qx "$2"
}

# ---- the version: VERSION, a tag, a snapshot ----
base=$(cat VERSION)
g=$tmp/g
mkdir -p "$g/tools"
cp tools/deb.sh "$g/tools/"
cp VERSION "$g/"
gitc() { git -C "$g" -c user.name=t -c user.email=t@example.invalid "$@" >/dev/null 2>&1; }
vers() { sh "$g/tools/deb.sh" --version 2>&1; }
check_eq "version outside git: VERSION" "$(vers)" "$base"
gitc init -q && gitc add -A && gitc commit -q -m one
h=$(git -C "$g" rev-parse --short HEAD)
check_eq "version of an untagged commit: VERSION+gitN.gHASH" "$(vers)" "$base+git1.g$h"
gitc tag v9.8.7
check_eq "version of a tag v9.8.7" "$(vers)" 9.8.7
echo >>"$g/VERSION"
check_eq "version with uncommitted changes: .dirty" "$(vers)" 9.8.7.dirty
v=$(sh tools/deb.sh --version 2>&1)
check "this tree's package version ($v) is a Debian version" dpkg --validate-version "$v"

# ---- make deb in an export ----
src=$tmp/src
mkdir "$src"
if git rev-parse --git-dir >/dev/null 2>&1; then
	# the working tree's tracked files as they are now (HEAD if clean)
	rev=$(git stash create 2>/dev/null)
	git archive --format=tar "${rev:-HEAD}" | tar -xf - -C "$src"
else
	tar -cf - --exclude=./build . | tar -xf - -C "$src"
fi
v=$(cat "$src/VERSION")
arch=$(dpkg --print-architecture)
if make -s --no-print-directory -C "$src" deb >"$tmp/deb.log" 2>&1; then
	ok "make deb"
else
	fail "make deb" "$(tail -n 30 "$tmp/deb.log")"
fi
debdir=$src/build/deb
dk=$debdir/dfc-dkms_${v}_all.deb
tl=$debdir/dfc-tools_${v}_$arch.deb
(cd "$debdir" 2>/dev/null && ls) >"$tmp/got"
cat >"$tmp/want" <<EOF
dfc-dkms_${v}_all.deb
dfc-tools-dbgsym_${v}_$arch.deb
dfc-tools_${v}_$arch.deb
dfc_${v}_$arch.buildinfo
dfc_${v}_$arch.changes
EOF
same "build/deb/: the packages, .buildinfo, .changes (the build tree removed)" "$tmp/want" "$tmp/got"
if [ ! -f "$dk" ] || [ ! -f "$tl" ]; then
	fail "packages built" "$(cat "$tmp/got")"
	ktap_finish
fi

# ---- fields ----
check_eq "dfc-dkms: Architecture" "$(dpkg-deb -f "$dk" Architecture)" all
check_eq "dfc-tools: Architecture" "$(dpkg-deb -f "$tl" Architecture)" "$arch"
check_eq "dfc-dkms: Version" "$(dpkg-deb -f "$dk" Version)" "$v"
check_eq "dfc-tools: Version" "$(dpkg-deb -f "$tl" Version)" "$v"
check "dfc-dkms: Depends on dkms" has_dep "$dk" dkms
# systemd: its postinst's systemd-sysusers (the user dtcpd)
for p in libmnl0 libjansson4 libconfig9 libssl3 libnl-3-200 libnl-xfrm-3-200 kmod systemd; do
	check "dfc-tools: Depends on $p" has_dep "$tl" $p
done
check_eq "dfc-tools: Recommends" "$(dpkg-deb -f "$tl" Recommends)" dfc-dkms

# ---- contents: every file with its mode ----
# files DEB: "MODE ./PATH" of DEB's files, no directories
files() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ { print $1, $6 }' | LC_ALL=C sort; }
r='-rw-r--r--'
x='-rwxr-xr-x'
{
	for m in dtcpd.8 dfcctl.8 dtcpd.conf.5 dtcpc.1; do
		echo "$r ./usr/share/man/man${m##*.}/$m.gz"
	done
	cat <<EOF
$r ./lib/systemd/system/dtcpd.service
$r ./usr/lib/sysusers.d/dtcpd.conf
$x ./usr/bin/dtcpc
$x ./usr/lib/dfc/dtcpd-ssh-relay
$x ./usr/sbin/dfcctl
$x ./usr/sbin/dtcpd
$r ./usr/share/bash-completion/completions/dfcctl
$r ./usr/share/bash-completion/completions/dtcpc
$r ./usr/share/doc/dfc-tools/README.md
$r ./usr/share/doc/dfc-tools/changelog.gz
$r ./usr/share/doc/dfc-tools/copyright
$r ./usr/share/doc/dfc-tools/dtcp.md
$r ./usr/share/doc/dfc-tools/dtcpd.md
$r ./usr/share/doc/dfc-tools/examples/destination.swanctl.conf
$r ./usr/share/doc/dfc-tools/examples/dtcpd.conf
$r ./usr/share/doc/dfc-tools/examples/monitor.swanctl.conf
$r ./usr/share/doc/dfc-tools/ipsec.md
EOF
} | LC_ALL=C sort >"$tmp/want"
files "$tl" >"$tmp/got"
same "dfc-tools: every file, with its mode (no /etc: the configuration is the operator's)" \
	"$tmp/want" "$tmp/got"
s=./usr/src/dfc-$v
{
	for f in Kbuild VERSION dkms.conf include/uapi/linux/dfc.h $(cd "$src" && ls kmod/*.[ch]); do
		echo "$r $s/$f"
	done
	echo "$r ./usr/share/doc/dfc-dkms/changelog.gz"
	echo "$r ./usr/share/doc/dfc-dkms/copyright"
} | LC_ALL=C sort >"$tmp/want"
files "$dk" >"$tmp/got"
same "dfc-dkms: every file, with its mode" "$tmp/want" "$tmp/got"

# ---- maintainer scripts ----
dpkg-deb -e "$tl" "$tmp/tl.ctl"
dpkg-deb -e "$dk" "$tmp/dk.ctl"
# dfc-tools' postinst of a first install, run with stand-ins of
# deb-systemd-helper, deb-systemd-invoke and systemctl that log their
# calls; deb-systemd-helper answers as on a host that never had the unit
# (not debian-installed; was-enabled's default, yes).
fk=$tmp/fake
mkdir "$fk"
cat >"$fk/stub" <<EOF
#!/bin/sh
echo "\${0##*/} \$*" >>"$tmp/calls"
case " \$* " in
*" debian-installed "*) exit 1 ;;
esac
exit 0
EOF
chmod +x "$fk/stub"
for c in deb-systemd-helper deb-systemd-invoke systemctl systemd-sysusers; do ln -s stub "$fk/$c"; done
: >"$tmp/calls"
if PATH=$fk:$PATH sh "$tmp/tl.ctl/postinst" configure "" >"$tmp/postinst.log" 2>&1; then
	ok "dfc-tools postinst configure (stand-ins)"
else
	fail "dfc-tools postinst configure (stand-ins)" "$(cat "$tmp/postinst.log")"
fi
# the user dtcpd (sysusers.d), before anything about the unit
check_eq "dfc-tools postinst: systemd-sysusers creates dtcpd first" \
	"$(head -n 1 "$tmp/calls")" "systemd-sysusers dtcpd.conf"
check_eq "dfc-tools postinst: the package does not enable dtcpd" \
	"$(grep -E '^deb-systemd-helper (--quiet )?enable' "$tmp/calls")" ""
# deb-systemd-invoke starts no disabled unit; systemctl itself must not
check_eq "dfc-tools postinst: no systemctl start (only deb-systemd-invoke)" \
	"$(grep -E '^systemctl .*start' "$tmp/calls")" ""
check "dfc-dkms postinst: DKMS adds, builds and installs dfc $v" \
	grep -qx "DKMS_VERSION=$v" "$tmp/dk.ctl/postinst"
# shellcheck disable=SC2016 # the script's own variables, literally
check "dfc-dkms prerm: dkms remove" grep -q 'dkms remove -m $DKMS_NAME -v $DKMS_VERSION --all' \
	"$tmp/dk.ctl/prerm"

# ---- lintian: no error; warnings listed ----
lintian --tag-display-limit 0 "$debdir/dfc_${v}_$arch.changes" >"$tmp/lintian" 2>&1
rc=$?
errs=$(grep '^E:' "$tmp/lintian")
warns=$(grep '^W:' "$tmp/lintian")
if [ -n "$errs" ]; then
	fail "lintian: no error" "$errs"
elif [ $rc != 0 ]; then
	fail "lintian: no error" "lintian exited $rc:" "$(cat "$tmp/lintian")"
else
	ok "lintian: no error ($(printf '%s' "$warns" | grep -c '^W:') warnings)"
	[ -z "$warns" ] || echo "$warns" | sed 's/^/# /'
fi

# ---- unpacked into a scratch root ----
root=$tmp/root
dpkg -x "$tl" "$root" && dpkg -x "$dk" "$root"
for f in usr/sbin/dtcpd usr/sbin/dfcctl usr/bin/dtcpc; do
	check "installed /$f (executable)" test -x "$root/$f"
done
for f in lib/systemd/system/dtcpd.service usr/share/man/man8/dtcpd.8.gz \
	usr/share/man/man5/dtcpd.conf.5.gz usr/share/man/man8/dfcctl.8.gz usr/share/man/man1/dtcpc.1.gz \
	usr/share/bash-completion/completions/dfcctl usr/share/bash-completion/completions/dtcpc \
	usr/share/doc/dfc-tools/examples/dtcpd.conf "usr/src/dfc-$v/dkms.conf"; do
	check "installed /$f" test -f "$root/$f"
done
check_eq "no /etc in either package" "$([ -e "$root/etc" ] && echo there)" ""
check_eq "installed dtcpd -V" "$("$root/usr/sbin/dtcpd" -V 2>&1)" "dtcpd $v"
check_eq "installed dfcctl -V" "$("$root/usr/sbin/dfcctl" -V 2>&1)" "dfcctl $v"
check "installed dtcpc runs" sh -c "'$root/usr/bin/dtcpc' -h | grep -q '^Usage: dtcpc'"
unit=$root/lib/systemd/system/dtcpd.service
check "unit: checks then runs /usr/sbin/dtcpd with /etc/dtcpd/dtcpd.conf" \
	sh -c "grep -qx 'ExecStartPre=/usr/sbin/dtcpd -t -c /etc/dtcpd/dtcpd.conf' '$unit' &&
		grep -qx 'ExecStart=/usr/sbin/dtcpd -f -c /etc/dtcpd/dtcpd.conf' '$unit'"
check_eq "unit: every file its Documentation= names is packaged" \
	"$(unit_docs_missing "$unit" "$root")" ""
check "installed example is agent/dtcpd.conf.example" cmp -s agent/dtcpd.conf.example \
	"$root/usr/share/doc/dfc-tools/examples/dtcpd.conf"
check "installed man page dtcpd.8 names the version" sh -c "zcat '$root/usr/share/man/man8/dtcpd.8.gz' | grep -qF '$v'"
check_eq "dkms.conf: PACKAGE_VERSION" "$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$root/usr/src/dfc-$v/dkms.conf")" "$v"
check_eq "dkms source: VERSION" "$(cat "$root/usr/src/dfc-$v/VERSION")" "$v"

# ---- dkms builds dfc.ko from the packaged sources ----
dkms_check "dkms build of the packaged sources" "$root/usr/src" "$v" "$tmp/dkms"

ktap_finish
