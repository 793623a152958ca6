#!/usr/bin/env bash
# lintian on the package, with informational and pedantic tags shown: passes
# only when every finding is fixed or overridden with a reason in
# packaging/debian/lintian-overrides (an override that no longer matches is
# itself a finding, "unused-override").
# usage: lintian_test.sh DEB
set -euo pipefail
deb=${1:?usage: lintian_test.sh DEB}
command -v lintian >/dev/null || { echo "missing lintian (run scripts/install-deps)"; exit 1; }
out=$(lintian --display-info --pedantic --show-overrides "$deb" 2>&1 | grep -v 'running with root privileges')
echo "$out"
findings=$(echo "$out" | grep -E '^[EWIPX]: ' || true)
overridden=$(echo "$out" | grep -cE '^O: ' || true)
echo "lintian: $(echo -n "$findings" | grep -c . || true) finding(s) not overridden, $overridden overridden"
[ -z "$findings" ]
