#!/usr/bin/env bash
# Turns the unpacked base root ($1) into this gateway: the files in rootfs/,
# the vpngw binary, enabled units, per-machine identity removed (or keys
# baked with BAKE_KEYS=1). Called by build.sh; runs no daemon.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$1
# shellcheck source=/dev/null
. "$here/image.env"

cp -a "$here/rootfs/." "$root/"
if [ -f "$here/vpngw.deb" ]; then
    # The Debian package (`vpngw image build --package`): binary, units,
    # sysctl.d, tmpfiles.d, man page; its postinst starts nothing. Its
    # Depends are in base/packages.list, so dpkg needs no network.
    cp "$here/vpngw.deb" "$root/tmp/vpngw.deb"
    chroot "$root" dpkg -i /tmp/vpngw.deb
    rm -f "$root/tmp/vpngw.deb"
else
    install -m 0755 "$here/vpngw" "$root/usr/sbin/vpngw"
    # Debug information is most of a RelWithDebInfo binary; the image has no use for it.
    if command -v strip >/dev/null; then strip --strip-debug "$root/usr/sbin/vpngw"; fi
fi
chmod 0700 "$root/etc/vpngw"
chmod 0600 "$root/etc/vpngw/$PROFILE_NAME.toml"
if [ -f "$root/root/.ssh/authorized_keys" ]; then
    chmod 0700 "$root/root/.ssh"
    chmod 0600 "$root/root/.ssh/authorized_keys"
fi

# The binary's libraries must all be in the image (base/packages.list).
if missing=$(chroot "$root" ldd /usr/sbin/vpngw | grep 'not found'); then
    echo "customize.sh: vpngw needs libraries the image lacks:" >&2
    echo "$missing" >&2
    exit 1
fi
# The profile must load with the image's own libraries (no kernel is touched).
chroot "$root" /usr/sbin/vpngw check -q "/etc/vpngw/$PROFILE_NAME.toml"

systemctl --quiet --root="$root" enable systemd-networkd.service systemd-resolved.service \
    systemd-timesyncd.service ssh.service vpngw-ssh-hostkeys.service \
    "vpngw@$PROFILE_NAME.service"
ln -sf ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
if [ "${#CLUSTER_UNITS[@]}" -gt 0 ]; then
    # keepalived's and conntrackd's files must render from this profile with
    # the image's vpngw (their units render them again on every start).
    mkdir -p "$root/tmp/vpngw-render-check"
    chroot "$root" /usr/sbin/vpngw cluster render "/etc/vpngw/$PROFILE_NAME.toml" \
        --dir /tmp/vpngw-render-check --run-dir /tmp/vpngw-render-check >/dev/null
    rm -rf "$root/tmp/vpngw-render-check"
    systemctl --quiet --root="$root" enable "${CLUSTER_UNITS[@]}"
fi

# Per-machine identity: a new machine-id on first boot (ConditionFirstBoot).
: > "$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root"/etc/ssh/ssh_host_*
if [ "$BAKE_KEYS" = 1 ]; then
    chroot "$root" ssh-keygen -A >/dev/null
    for key in "${KEY_FILES[@]}"; do
        mkdir -p "$root$(dirname "$key")"
        chmod 0700 "$root$(dirname "$key")"
        (umask 077 && chroot "$root" wg genkey > "$root$key")
    done
fi
