#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# deb-module.sh: dfc.ko as the dfc-dkms package builds it. DKMS builds the
# sources of build/deb/'s dfc-dkms (make deb) for the guest kernel KVER,
# unsigned, in a private DKMS tree: build/deb-module/tree/dfc/VERSION/
# (dkms build, no install; nothing outside build/). make check runs it
# after make deb, for the guest test selftests/pkg.sh, which loads that
# module: DKMS under QEMU/TCG takes minutes, here seconds.
set -eu
cd "$(dirname "$0")/.."

kver=${KVER:-$(sh tools/kver.sh)}
set -- build/deb/dfc-dkms_*_all.deb
deb=$1
[ -f "$deb" ] || { echo "deb-module: no dfc-dkms in build/deb/ (make deb)" >&2; exit 1; }
[ -n "$kver" ] || { echo "deb-module: no kernel with headers (make deps)" >&2; exit 1; }
command -v dkms >/dev/null || { echo "deb-module: dkms not installed (make deps)" >&2; exit 1; }
v=$(dpkg-deb -f "$deb" Version)
out=$(pwd)/build/deb-module
rm -rf "$out"
mkdir -p "$out/tree"
dpkg-deb -x "$deb" "$out/root"
# sign_file: signing would make a key in /var/lib/dkms. Without what the
# top Makefile exports (DFC_VERSION, B, CC, CFLAGS...): the module is built
# as on a host, its version from the packaged VERSION file.
if ! env -u DFC_VERSION -u B -u KVER -u CC -u CFLAGS -u LDLIBS -u SAN \
	sign_file=/nonexistent dkms build -m dfc -v "$v" -k "$kver" \
	--sourcetree "$out/root/usr/src" --dkmstree "$out/tree" >"$out/dkms.log" 2>&1; then
	tail -n 20 "$out/dkms.log" "$out/tree/dfc/$v/build/make.log" >&2 2>/dev/null
	echo "deb-module: dkms build -m dfc -v $v -k $kver failed" >&2
	exit 1
fi
echo "deb-module: dfc $v for $kver in build/deb-module/tree/dfc/$v/$kver/"
