#!/usr/bin/env bash
# The Debian package in a clean Debian 12 root: the image recipe's cached
# mmdebstrap base (build.sh --base-only: made once, shared with the image
# test), unpacked afresh. As root, in a private mount and network namespace,
# so nothing a maintainer script does can reach the host's network.
#   1. install the "previous" package (the same build with a lower version:
#      vpngw has no earlier release) and 2. upgrade to the current one;
#   3. the installed units verify, 4. remove, 5. purge.
# systemd does not run in a chroot: /run/systemd/system is faked and
# systemctl / deb-systemd-invoke are replaced by a recorder, so the test sees
# every unit action a maintainer script would have asked for and checks that
# none starts, restarts or reloads a gateway.
# Environment: VPNGW (the built binary, to render the recipe), VPNGW_DEB and
# VPNGW_DEB_PREVIOUS (the packages, from the package_deb fixture).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
if [ -z "${VPNGW_IN_PKG_SANDBOX:-}" ]; then
    [ "$(id -u)" -eq 0 ] || { echo "needs root (chroot, mounts)" >&2; exit 1; }
    # The clean root comes from the image recipe's cached base, made (with the
    # network mmdebstrap needs) before this test leaves the host's network.
    recipe=$(mktemp -d /tmp/vpngw-pkg-recipe.XXXXXX)
    "$VPNGW" image build "$src/profiles/vps-gateway.toml" -o "$recipe/r" >/dev/null
    VPNGW_PKG_BASE=$("$recipe/r/build.sh" --base-only | tail -n 1)
    rm -rf "$recipe"
    export VPNGW_PKG_BASE VPNGW_IN_PKG_SANDBOX=1
    exec unshare --mount --net --propagation private -- "$BASH" "$0" "$@"
fi
deb=${VPNGW_DEB:?set VPNGW_DEB}
previous=${VPNGW_DEB_PREVIOUS:?set VPNGW_DEB_PREVIOUS}
PASSES=0 FAILURES=0
check() {  # check "description" command...
    local what=$1; shift
    if "$@"; then echo "PASS $what"; PASSES=$((PASSES + 1)); else echo "FAIL $what"; FAILURES=$((FAILURES + 1)); fi
}
work=$(mktemp -d /tmp/vpngw-pkg.XXXXXX)
trap 'umount -R "$work/root" 2>/dev/null || true; rm -rf "$work"' EXIT
t0=$SECONDS

# --- a clean root from the image's cached base --------------------------------
base=$VPNGW_PKG_BASE
[ -f "$base" ] || { echo "no base tarball from build.sh --base-only ($base)" >&2; exit 1; }
root=$work/root
mkdir "$root"
mount --bind "$root" "$root"  # one `umount -R` removes every mount below it
tar --zstd -xpf "$base" -C "$root" --numeric-owner
mount -t proc proc "$root/proc"
echo "clean root from $(basename "$base") in $((SECONDS - t0)) s"

# The recorder in place of systemctl and deb-systemd-invoke (bind mounts: the
# files dpkg knows stay as they are), and systemd "running".
mkdir -p "$root/run/systemd/system"
cat > "$work/recorder" <<'SH'
#!/bin/sh
echo "$(basename "$0") $*" >> /var/log/unit-actions.log
SH
chmod 0755 "$work/recorder"
for tool in /usr/bin/systemctl /usr/bin/deb-systemd-invoke; do
    mount --bind "$work/recorder" "$root$tool"
done
in_root() { chroot "$root" "$@"; }
actions() { cat "$root/var/log/unit-actions.log" 2>/dev/null || true; }
: > "$root/var/log/unit-actions.log"
# A unit action that would bring a gateway up (or take it down and up).
starts_gateway() { actions | grep -E ' (start|restart|try-restart|reload|try-reload-or-restart|reload-or-restart|enable) .*vpngw@' ; }
no_gateway_started() { ! starts_gateway >/dev/null; }
actions_include() { actions | grep -q "$1"; }
nothing_in_the_kernel() {
    [ -z "$(nft list ruleset 2>/dev/null)" ] && [ "$(ip -o link show | wc -l)" -eq 1 ]
}
version_installed() { [ "$(in_root dpkg-query -W -f='${Version} ${Status}' vpngw 2>/dev/null)" = "$1 install ok installed" ]; }

# Every path of the clean root, to compare with what purge leaves.
snapshot() {
    (cd "$root" && find . -xdev -not -path './proc/*' -not -path './tmp/*' -not -path './run/*' \
        -not -path './var/log/*' -not -path './var/lib/dpkg/*' -not -path './var/cache/*' | LC_ALL=C sort)
}
snapshot > "$work/before"

# --- 1. install the previous package --------------------------------------------
cp "$deb" "$previous" "$root/tmp/"
check "previous package installs with dpkg -i (Depends met by a plain Debian 12)" \
    in_root dpkg -i "/tmp/$(basename "$previous")"
prev_version=$(dpkg-deb -f "$previous" Version)
check "dpkg says $prev_version is installed" version_installed "$prev_version"
check "/usr/sbin/vpngw runs with the root's own libraries" in_root /usr/sbin/vpngw --version
check "state directory made by tmpfiles.d, mode 0700" test "$(stat -c %a "$root/var/lib/vpngw")" = 700
check "install started no gateway (unit actions: $(actions | tr '\n' ';'))" no_gateway_started

# A gateway profile, as an administrator would put it.
cp "$root/usr/share/doc/vpngw/examples/vps-gateway.toml" "$root/etc/vpngw/office.toml"
check "an example profile from /usr/share/doc checks" in_root /usr/sbin/vpngw check -q /etc/vpngw/office.toml

# --- 2. upgrade ------------------------------------------------------------------
: > "$root/var/log/unit-actions.log"
cur_version=$(dpkg-deb -f "$deb" Version)
check "upgrade $prev_version -> $cur_version with dpkg -i" in_root dpkg -i "/tmp/$(basename "$deb")"
check "dpkg says $cur_version is installed" version_installed "$cur_version"
check "upgrade reloaded systemd" actions_include '^systemctl --system daemon-reload'
check "upgrade started, restarted or reloaded no gateway (actions: $(actions | tr '\n' ';'))" \
    no_gateway_started
check "the profile survived the upgrade" test -s "$root/etc/vpngw/office.toml"
check "man page, completions, sysctl.d, tmpfiles.d, examples installed" test \
    -s "$root/usr/share/man/man8/vpngw.8.gz" -a -s "$root/usr/share/bash-completion/completions/vpngw" \
    -a -s "$root/usr/share/zsh/vendor-completions/_vpngw" -a -s "$root/usr/lib/sysctl.d/60-vpngw.conf" \
    -a -s "$root/usr/lib/tmpfiles.d/vpngw.conf" -a -d "$root/usr/share/doc/vpngw/examples"

# --- 3. the installed units verify ----------------------------------------------
verifies() {
    local out
    out=$(in_root systemd-analyze verify --man=no "$1" 2>&1) && [ -z "$out" ] || { echo "$out"; return 1; }
}
for unit in vpngw@office.service vpngw-monitor@office.service vpngw-metrics@office.service vpngw-metrics@office.timer; do
    check "installed $unit verifies (systemd-analyze verify in the root)" \
        verifies "$unit"
done
check "vpngw@ is Type=notify and runs vpngw down on stop" \
    grep -q '^Type=notify' "$root/lib/systemd/system/vpngw@.service"
check "nothing reached the kernel during install and upgrade" nothing_in_the_kernel

# --- 4. remove -------------------------------------------------------------------
: > "$root/var/log/unit-actions.log"
check "dpkg -r vpngw" in_root dpkg -r vpngw
check "binary gone" test ! -e "$root/usr/sbin/vpngw"
check "remove stopped running gateways first (vpngw@ ExecStop = vpngw down)" \
    actions_include '^deb-systemd-invoke stop .*vpngw@\*.service'
check "remove started nothing" no_gateway_started
check "the operator's profile and state directory stay after remove" \
    test -s "$root/etc/vpngw/office.toml" -a -d "$root/var/lib/vpngw"

# --- 5. purge ----------------------------------------------------------------------
check "dpkg -P vpngw" in_root dpkg -P vpngw
check "purge kept the operator's profile (never deletes profiles or keys)" test -s "$root/etc/vpngw/office.toml"
not_known() { ! in_root dpkg-query -W vpngw >/dev/null 2>&1; }
check "dpkg forgot vpngw" not_known
# Installed and purged with nothing of the operator's: nothing left behind.
rm -f "$root/etc/vpngw/office.toml"
check "fresh install of $cur_version" in_root dpkg -i "/tmp/$(basename "$deb")"
check "purge after a fresh install" in_root dpkg -P vpngw
check "purge removed the empty /etc/vpngw and /var/lib/vpngw" test ! -e "$root/etc/vpngw" -a ! -e "$root/var/lib/vpngw"
leftovers=$(snapshot | comm -13 "$work/before" - | tr '\n' ' ')
check "purge left the root as it was before the first install (new: ${leftovers:-none})" test -z "$leftovers"
check "nothing reached the kernel at all" nothing_in_the_kernel

echo "package chroot test: $PASSES passed, $FAILURES failed in $((SECONDS - t0)) s"
[ "$FAILURES" -eq 0 ]
