#!/usr/bin/env bash
# Builds disk.raw (and disk.qcow2 when QCOW2=1 in image.env) from the recipe in
# this directory, as root, without loop devices or mounts:
#
#   1. base root filesystem: mmdebstrap of base/ (cached as a tarball whose
#      name is a hash of base/, so a changed package list makes a new one)
#   2. unpack it and apply customize.sh (profile, vpngw, units, ssh, network)
#   3. root partition: mke2fs -d straight from the directory
#   4. EFI system partition: mkfs.vfat -C + mtools (systemd-boot, kernel, initrd)
#   5. GPT with sfdisk on a plain file; partitions written at their offsets
#
# Environment: VPNGW_IMAGE_CACHE (default ~/.cache/vpngw, or /var/cache/vpngw
# for root) holds base tarballs; VPNGW_IMAGE_MAX_AGE_DAYS (default 7) rebuilds
# an older base so security updates get in; VPNGW_IMAGE_MIRROR replaces
# deb.debian.org; VPNGW_IMAGE_EXTRA (a directory) is copied over the root last.
#
# `build.sh --base-only` stops after step 1 and prints the base tarball's path
# (tests/package installs the Debian package into a copy of it).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=/dev/null
. "$here/image.env"

step() { printf '==> [%s] %s\n' "$(date +%T)" "$*"; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (mmdebstrap --mode=root, file ownership in the image)"
for tool in mmdebstrap mke2fs sfdisk mkfs.vfat mmd mcopy zstd tar; do
    command -v "$tool" >/dev/null || die "missing $tool (Debian packages: mmdebstrap e2fsprogs fdisk dosfstools mtools zstd)"
done
if [ "${QCOW2:-0}" = 1 ]; then
    command -v qemu-img >/dev/null || die "missing qemu-img (Debian package qemu-utils)"
fi

if [ -n "${VPNGW_IMAGE_CACHE:-}" ]; then
    cache=$VPNGW_IMAGE_CACHE
elif [ -n "${HOME:-}" ] && [ "$HOME" != / ]; then
    cache=$HOME/.cache/vpngw
else
    cache=/var/cache/vpngw
fi
mkdir -p "$cache"

# --- 1. base root filesystem, cached by the hash of everything in base/ -----
key=$(cd "$here/base" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
base=$cache/base-$key.tar.zst
max_age=${VPNGW_IMAGE_MAX_AGE_DAYS:-7}
# One builder of a base at a time (the image and package tests may run at once).
exec 9>"$cache/.base.lock"
flock 9
if [ -f "$base" ] && [ -n "$(find "$base" -mtime +"$max_age")" ]; then
    step "base $key is older than $max_age days; rebuilding it for security updates"
    rm -f "$base"
fi
if [ -f "$base" ]; then
    step "base root filesystem: cached $base"
else
    step "base root filesystem: mmdebstrap bookworm (a few minutes; cached afterwards as $base)"
    # cluster-packages.list: keepalived/conntrackd of a fleet member's profile.
    lists=("$here/base/packages.list")
    if [ -f "$here/base/cluster-packages.list" ]; then lists+=("$here/base/cluster-packages.list"); fi
    packages=$(cat "${lists[@]}" | grep -v '^#' | grep . | paste -sd, -)
    mapfile -t sources < <(grep -v '^#' "$here/base/sources.list" | grep .)
    if [ -n "${VPNGW_IMAGE_MIRROR:-}" ]; then
        sources=("${sources[@]//http:\/\/deb.debian.org\/debian/$VPNGW_IMAGE_MIRROR}")
    fi
    partial=$cache/.base-$key.$$.tar.zst
    trap 'rm -f "$partial"' EXIT
    mmdebstrap --mode=root --variant=apt --format=tar \
        --aptopt='APT::Install-Recommends "false"' \
        --include="$packages" \
        --setup-hook="sh '$here/base/setup-hook.sh' \"\$1\"" \
        --customize-hook="sh '$here/base/customize-hook.sh' \"\$1\"" \
        bookworm "$partial" "${sources[@]}"
    mv "$partial" "$base"
    trap - EXIT
    step "base root filesystem: $(du -h "$base" | cut -f1) cached"
fi
flock -u 9
if [ "${1:-}" = --base-only ]; then
    echo "$base"
    exit 0
fi

# --- 2. unpack and customise --------------------------------------------------
out=$here/out
work=$(mktemp -d "$here/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir "$root"
step "unpacking the base"
tar --zstd -xpf "$base" -C "$root" --numeric-owner --xattrs --xattrs-include='*'
step "customising: profile $PROFILE_NAME, vpngw, units, ssh, network"
bash "$here/customize.sh" "$root"
if [ -n "${VPNGW_IMAGE_EXTRA:-}" ]; then
    step "copying $VPNGW_IMAGE_EXTRA over the root"
    cp -a "$VPNGW_IMAGE_EXTRA"/. "$root"/
fi

kernel=$(cd "$root/boot" && ls vmlinuz-* | sort -V | tail -n1)
version=${kernel#vmlinuz-}
[ -f "$root/boot/initrd.img-$version" ] || die "no initrd for kernel $version in the base"

root_uuid=$(cat /proc/sys/kernel/random/uuid)
esp_id=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
esp_uuid=$(echo "${esp_id:0:4}-${esp_id:4:4}" | tr a-f A-F)  # how blkid names a FAT volume id
{
    echo "# Written by build.sh. growfs: the root grows with the disk (see /etc/repart.d)."
    echo "UUID=$root_uuid / ext4 defaults,x-systemd.growfs 0 1"
    echo "UUID=$esp_uuid /boot/efi vfat umask=0077,nofail 0 2"
} > "$root/etc/fstab"
mkdir -p "$root/boot/efi"

# --- 3. root partition ---------------------------------------------------------
mkdir -p "$out"
rm -f "$out/disk.raw" "$out/disk.qcow2"
step "root filesystem: mke2fs -d ($ROOT_SIZE_MB MiB, $(du -sh "$root" | cut -f1) used)"
mke2fs -q -t ext4 -L vpngw-root -U "$root_uuid" -d "$root" "$work/root.img" "${ROOT_SIZE_MB}M"

# --- 4. EFI system partition ----------------------------------------------------
step "EFI system partition: systemd-boot, kernel $version, initrd"
esp=$work/esp.img
mkfs.vfat -C -F 32 -n VPNGW-ESP -i "$esp_id" "$esp" $((ESP_SIZE_MB * 1024)) >/dev/null
export MTOOLS_SKIP_CHECK=1
mmd -i "$esp" ::/EFI ::/EFI/BOOT ::/EFI/systemd ::/loader ::/loader/entries ::/vpngw
boot_efi=$root/usr/lib/systemd/boot/efi/systemd-bootx64.efi
mcopy -i "$esp" "$boot_efi" ::/EFI/BOOT/BOOTX64.EFI  # the removable-media path firmware finds
mcopy -i "$esp" "$boot_efi" ::/EFI/systemd/systemd-bootx64.efi
printf 'default vpngw.conf\ntimeout 0\nconsole-mode keep\n' > "$work/loader.conf"
{
    echo "title   vpngw gateway $IMAGE_NAME (Debian 12, Linux $version)"
    echo "linux   /vpngw/vmlinuz"
    echo "initrd  /vpngw/initrd.img"
    echo "options root=UUID=$root_uuid rw $KERNEL_CMDLINE"
} > "$work/vpngw.conf"
mcopy -i "$esp" "$work/loader.conf" ::/loader/loader.conf
mcopy -i "$esp" "$work/vpngw.conf" ::/loader/entries/vpngw.conf
mcopy -i "$esp" "$root/boot/$kernel" ::/vpngw/vmlinuz
mcopy -i "$esp" "$root/boot/initrd.img-$version" ::/vpngw/initrd.img

# --- 5. GPT disk: 1 MiB header, ESP, root, 1 MiB for the backup GPT -----------
step "disk: GPT with sfdisk, partitions at their offsets"
disk=$out/disk.raw
mib=$((1024 * 1024))
truncate -s $(((1 + ESP_SIZE_MB + ROOT_SIZE_MB + 1) * mib)) "$disk"
sfdisk -q "$disk" <<EOF
label: gpt
unit: sectors
start=2048, size=$((ESP_SIZE_MB * 2048)), type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="esp"
start=$(((1 + ESP_SIZE_MB) * 2048)), size=$((ROOT_SIZE_MB * 2048)), type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name="root"
EOF
dd if="$esp" of="$disk" bs=1M seek=1 conv=notrunc,sparse status=none
dd if="$work/root.img" of="$disk" bs=1M seek=$((1 + ESP_SIZE_MB)) conv=notrunc,sparse status=none

if [ "${QCOW2:-0}" = 1 ]; then
    step "qcow2: qemu-img convert"
    qemu-img convert -f raw -O qcow2 "$disk" "$out/disk.qcow2"
fi
step "done: $(cd "$out" && ls -sh --block-size=M disk.* | tr '\n' ' ')in $out (UEFI boot)"
