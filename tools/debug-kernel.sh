#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh [kernel|module|path]
#
# The debug kernel of `make check-debug`: Debian's linux-source-6.1 with
# x86_64_defconfig + kvm_guest.config + tools/debug-kernel.config (KASAN,
# lockdep, kmemleak, fault injection, what the guest tests use).
#
#   kernel  build it unless cached, print the cache entry (default)
#   module  also build dfc.ko against it, in build/debug/ (the tree's own
#           dfc.ko, for Debian's kernel, is left alone)
#   path    print the cache entry if built, else fail
#
# Built once per machine under $DFC_CACHE (default /var/cache/dfc), one entry
# per source package version and hash of the fragment and of this recipe.
# An entry holds linux/ (the built tree, for out-of-tree modules), bzImage
# (booted by tools/vm-run: this kernel triple-faults when booted as vmlinux
# through PVH), vmlinux, modules/lib/modules/$KVER (mounted
# over /lib/modules in the guest, so modprobe of builtins and modules works)
# and kver. It is built in a temporary directory renamed into place, under a
# lock: concurrent runs wait for one build, interrupted ones leave nothing
# that looks complete.

set -euo pipefail

die() { echo "debug-kernel: $*" >&2; exit 1; }

top=$(cd "$(dirname "$0")/.." && pwd -P)
frag=$top/tools/debug-kernel.config
src=/usr/src/linux-source-6.1.tar.xz
cache=${DFC_CACHE:-/var/cache/dfc}/debug-kernel
# Bump when the recipe below changes what gets built.
recipe=1
localversion=-dfc-debug

[[ -f $src ]] || die "$src missing: run 'make deps'"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
	die "linux-source-6.1 is not installed: run 'make deps'"
hash=$( { echo "recipe $recipe $localversion"; cat "$frag"; } | sha256sum | cut -c1-12)
entry=$cache/$srcver-$hash

# check_config CONFIG: every line of the fragment holds in the final .config,
# so that a dependency Kconfig silently dropped cannot go unnoticed.
check_config() {
	local bad=0 line sym val got
	while IFS= read -r line; do
		[[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]] || continue
		sym=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]}
		got=$(grep -E "^$sym=" "$1" | cut -d= -f2- || true)
		if [[ $val == n ]]; then
			[[ -z $got ]] && continue
		elif [[ $got == "$val" ]]; then
			continue
		fi
		echo "debug-kernel: $sym=$val requested, got '${got:-n}'" >&2
		bad=1
	done < "$frag"
	return $bad
}

build_kernel() {
	mkdir -p "$cache"
	local tmp t0 kver jobs
	# Left over by an interrupted build (we hold the lock: nobody else's).
	rm -rf "$cache"/.tmp.*
	tmp=$(mktemp -d "$cache/.tmp.$srcver-$hash.XXXXXX")
	t0=$(date +%s)
	echo "debug-kernel: building $srcver-$hash in $tmp (about 25 min on 2 cores)" >&2
	tar -xf "$src" -C "$tmp"
	mv "$tmp/linux-source-6.1" "$tmp/linux"
	jobs=$(($(nproc) + 1))
	(
		cd "$tmp/linux"
		make -s x86_64_defconfig
		scripts/kconfig/merge_config.sh -m .config \
			kernel/configs/kvm_guest.config "$frag" >/dev/null
		./scripts/config --set-str LOCALVERSION "$localversion" -d LOCALVERSION_AUTO
		make -s olddefconfig
		check_config .config || die "the fragment does not apply, see above"
		make -s -j"$jobs" bzImage modules
		make -s INSTALL_MOD_PATH="$tmp/modules" modules_install
	) >&2
	kver=$(cat "$tmp/linux/include/config/kernel.release")
	# modules_install pointed these at the temporary tree.
	rm -f "$tmp/modules/lib/modules/$kver/build" "$tmp/modules/lib/modules/$kver/source"
	ln -s "$entry/linux" "$tmp/modules/lib/modules/$kver/build"
	ln -s linux/vmlinux "$tmp/vmlinux"
	ln -s linux/arch/x86/boot/bzImage "$tmp/bzImage"
	echo "$kver" > "$tmp/kver"
	echo "$(($(date +%s) - t0))" > "$tmp/build-seconds"
	mv -T "$tmp" "$entry"
	echo "debug-kernel: built $kver in $(cat "$entry/build-seconds") s" >&2
}

ensure_kernel() {
	[[ -f $entry/kver ]] && return 0
	mkdir -p "$cache"
	exec 9> "$cache/.lock"
	flock 9
	[[ -f $entry/kver ]] || build_kernel
	exec 9>&-
}

# dfc.ko for the debug kernel, from a copy of the sources in build/debug/
# with UBSan on (the kernel itself has it only where asked for).
build_module() {
	local out=$top/build/debug kver
	kver=$(cat "$entry/kver")
	mkdir -p "$out"
	rm -rf "$out/kmod" "$out/include"
	cp -r "$top/kmod" "$top/include" "$out/"
	{ cat "$top/Kbuild"; echo 'UBSAN_SANITIZE := y'; } > "$out/Kbuild"
	make -C "$entry/linux" M="$out" \
		DFC_VERSION="$(git -C "$top" describe --always --dirty 2>/dev/null || cat "$top/VERSION")" \
		modules >&2
	echo "debug-kernel: $out/dfc.ko for $kver" >&2
}

case ${1:-kernel} in
kernel)
	ensure_kernel
	echo "$entry"
	;;
module)
	ensure_kernel
	build_module
	echo "$entry"
	;;
path)
	[[ -f $entry/kver ]] || die "not built: run tools/debug-kernel.sh"
	echo "$entry"
	;;
*)
	die "usage: ${0##*/} [kernel|module|path]"
	;;
esac
