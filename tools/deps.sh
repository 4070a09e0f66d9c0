#!/bin/sh
# Install everything dfc needs on Debian 12, idempotently (run as root).
# Called by `make deps`, and by `make check`/`make demo` when something is missing.
set -eu

PKGS="linux-image-amd64 linux-headers-amd64 qemu-system-x86 busybox-static kmod cpio
xz-utils iproute2 libmnl-dev libnl-3-dev libnl-genl-3-dev libnl-xfrm-3-dev libssl-dev
libconfig-dev libjansson-dev strongswan-charon strongswan-swanctl linux-source-6.1
pkg-config valgrind tcpdump jq python3 gnuplot-nox clang libclang-rt-14-dev nftables
bc bison flex libelf-dev ethtool scdoc dkms man-db
build-essential debhelper dh-dkms dpkg-dev lintian openssh-server python3-paramiko"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages:$missing (run 'make deps' as root)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	# Lists missing or stale: refresh them first, then retry once after an update.
	if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 ||
	   ! apt-cache show $missing >/dev/null 2>&1; then
		apt-get update -q
	fi
	# INITRD=No: the guest boots without an initrd of Debian's making; skip building one.
	INITRD=No apt-get install -y -q --no-install-recommends $missing ||
		{ apt-get update -q && INITRD=No apt-get install -y -q --no-install-recommends $missing; }
fi
