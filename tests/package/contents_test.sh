#!/usr/bin/env bash
# What the package carries: every unit of systemd/ (the fleet's vpngw-follow@,
# vpngw-keepalived@ and vpngw-conntrackd@ too, not only the image's copy)
# in the unit directory, and keepalived/conntrackd as Suggests (a fleet
# member's engines, not every gateway's).
# usage: contents_test.sh DEB SOURCE_DIR
set -euo pipefail
shopt -s nullglob
deb=${1:?usage: contents_test.sh DEB SOURCE_DIR}
src=${2:?usage: contents_test.sh DEB SOURCE_DIR}
files=$(dpkg-deb --contents "$deb" | awk '{print $NF}')
fail=0
units=0
for unit in "$src"/systemd/*.service "$src"/systemd/*.timer; do
    name=$(basename "$unit")
    units=$((units + 1))
    if echo "$files" | grep -qE "/lib/systemd/system/${name//./\\.}\$"; then
        echo "ok: $name"
    else
        echo "FAIL: $name is not in the package's unit directory"
        fail=1
    fi
done
[ "$units" -gt 0 ] || { echo "FAIL: no units found in $src/systemd"; exit 1; }
suggests=$(dpkg-deb --field "$deb" Suggests)
for pkg in keepalived conntrackd; do
    if echo "$suggests" | tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -qx "$pkg"; then
        echo "ok: Suggests $pkg"
    else
        echo "FAIL: Suggests ($suggests) lacks $pkg"
        fail=1
    fi
done
# Suggested, never required: a gateway without [cluster] installs neither.
depends=$(dpkg-deb --field "$deb" Depends Pre-Depends Recommends)
if echo "$depends" | grep -qE 'keepalived|conntrackd'; then
    echo "FAIL: keepalived/conntrackd are hard dependencies: $depends"
    fail=1
fi
exit "$fail"
