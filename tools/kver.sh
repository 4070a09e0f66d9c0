#!/bin/sh
# Print the guest/target kernel version: the newest one with both an image in
# /boot and headers in /lib/modules/$v/build. Never the host's `uname -r`:
# the build machines' own kernel cannot load modules.
for d in /lib/modules/*/build; do
	v=${d%/build}
	v=${v##*/}
	[ -f "/boot/vmlinuz-$v" ] && echo "$v"
done | sort -V | tail -n 1
