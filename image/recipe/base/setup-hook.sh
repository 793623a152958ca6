#!/bin/sh
# mmdebstrap --setup-hook: runs before any package is installed, so the kernel's
# postinst builds the small initrd the first time. $1 is the new root.
set -eu
here=$(dirname "$0")
mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d"
cp "$here/initramfs.conf" "$1/etc/initramfs-tools/conf.d/vpngw.conf"
grep -v '^#' "$here/initramfs-modules" > "$1/usr/share/initramfs-tools/modules.d/vpngw"
