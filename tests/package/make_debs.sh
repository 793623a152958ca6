#!/usr/bin/env bash
# The package_deb fixture: scripts/package on this build, twice — the current
# version and a "previous" 0.0.1 of the same build (vpngw has no earlier
# release to upgrade from; the chroot test upgrades from this one). Stable
# names for the tests: OUT/vpngw.deb and OUT/vpngw-previous.deb.
# usage: make_debs.sh BUILD_DIR OUT_DIR
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: make_debs.sh BUILD_DIR OUT_DIR}
out=${2:?usage: make_debs.sh BUILD_DIR OUT_DIR}
rm -rf "$out"
mkdir -p "$out/previous"
current=$("$src/scripts/package" "$build" "$out")
previous=$(PACKAGE_VERSION=0.0.1 "$src/scripts/package" "$build" "$out/previous")
ln -sf "$current" "$out/vpngw.deb"
ln -sf "$previous" "$out/vpngw-previous.deb"
dpkg-deb --info "$current" | sed -n 's/^ \(Version\|Depends\|Recommends\|Suggests\|Installed-Size\):/&/p'
ls -l "$current" "$previous"
