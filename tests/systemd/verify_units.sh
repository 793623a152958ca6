#!/usr/bin/env bash
# The units in systemd/ pass `systemd-analyze verify` (syntax, known settings,
# executables present), the tmpfiles.d and sysctl.d files parse, and the
# service's hardening keeps `systemd-analyze security` at "OK" or better.
# Needs no root and no running systemd: the unit is checked as a file, with
# /usr/sbin/vpngw replaced by the binary just built.
set -euo pipefail
src=$(cd "$(dirname "$0")/../../systemd" && pwd)
vpngw=${VPNGW:?set VPNGW to the built binary}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# Every unit, the gateway's and those that run next to it (the health monitor,
# the [dns] resolver, the API server, the fleet's keepalived and conntrackd):
# they require or want vpngw@%i, so all go into the scratch directory first.
units=(vpngw vpngw-monitor vpngw-dns vpngw-serve vpngw-keepalived vpngw-conntrackd vpngw-follow)
for unit in "${units[@]}"; do
    sed "s|/usr/sbin/vpngw|$vpngw|g" "$src/$unit@.service" > "$tmp/$unit@test.service"
done
for unit in "${units[@]}"; do
    if out=$(systemd-analyze verify --man=no "$tmp/$unit@test.service" 2>&1) && [ -z "$out" ]; then
        echo "PASS verify $unit@.service"
    else
        echo "FAIL verify $unit@.service: $out"; fail=1
    fi
done

# tmpfiles: --create into a scratch root proves every line parses and acts.
if out=$(systemd-tmpfiles --root="$tmp/root" --create "$src/vpngw.tmpfiles.conf" 2>&1) &&
    [ "$(stat -c %a "$tmp/root/var/lib/vpngw")" = 700 ]; then
    echo "PASS tmpfiles (state directory 0700)"
else
    echo "FAIL tmpfiles: $out"; fail=1
fi

# sysctl.d: every non-comment line is "[-]key = value" with a dotted key.
if bad=$(grep -Ev '^\s*(#|$)|^-?[a-z0-9_]+(\.[a-z0-9_]+)+ = [^ ]+$' "$src/vpngw.sysctl.conf"); then
    echo "FAIL sysctl.d lines: $bad"; fail=1
else
    echo "PASS sysctl.d syntax"
fi

# Offline security score (systemd >= 250): fail if the hardening regresses.
mkdir -p "$tmp/sroot/usr/lib/systemd/system" "$tmp/sroot/usr/sbin"
cp "$src/vpngw@.service" "$tmp/sroot/usr/lib/systemd/system/"
cp "$vpngw" "$tmp/sroot/usr/sbin/vpngw"
score=$(systemd-analyze security --offline=yes --root="$tmp/sroot" vpngw@test.service --no-pager 2>&1 |
    sed -n 's/.*Overall exposure level for vpngw@test.service: \([0-9.]*\).*/\1/p')
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }'; then
    echo "PASS security exposure $score (<= 3.0)"
else
    echo "FAIL security exposure '${score}' (want <= 3.0)"; fail=1
fi
exit $fail
