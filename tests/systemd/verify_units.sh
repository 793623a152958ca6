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

sed "s|/usr/sbin/vpngw|$vpngw|g" "$src/vpngw@.service" > "$tmp/vpngw@test.service"
if out=$(systemd-analyze verify --man=no "$tmp/vpngw@test.service" 2>&1) && [ -z "$out" ]; then
    echo "PASS verify vpngw@.service"
else
    echo "FAIL verify vpngw@.service: $out"; fail=1
fi

# The health monitor runs next to the gateway; its unit requires vpngw@%i,
# so both go into the scratch directory.
sed "s|/usr/sbin/vpngw|$vpngw|g" "$src/vpngw-monitor@.service" > "$tmp/vpngw-monitor@test.service"
if out=$(systemd-analyze verify --man=no "$tmp/vpngw-monitor@test.service" 2>&1) && [ -z "$out" ]; then
    echo "PASS verify vpngw-monitor@.service"
else
    echo "FAIL verify vpngw-monitor@.service: $out"; fail=1
fi

# The resolver of [dns] runs next to the gateway too (vpngw dns serve).
sed "s|/usr/sbin/vpngw|$vpngw|g" "$src/vpngw-dns@.service" > "$tmp/vpngw-dns@test.service"
if out=$(systemd-analyze verify --man=no "$tmp/vpngw-dns@test.service" 2>&1) && [ -z "$out" ]; then
    echo "PASS verify vpngw-dns@.service"
else
    echo "FAIL verify vpngw-dns@.service: $out"; fail=1
fi

# The API server runs next to the gateway too (Wants=vpngw@%i).
sed "s|/usr/sbin/vpngw|$vpngw|g" "$src/vpngw-serve@.service" > "$tmp/vpngw-serve@test.service"
if out=$(systemd-analyze verify --man=no "$tmp/vpngw-serve@test.service" 2>&1) && [ -z "$out" ]; then
    echo "PASS verify vpngw-serve@.service"
else
    echo "FAIL verify vpngw-serve@.service: $out"; fail=1
fi
# The fleet's keepalived and conntrackd units (issue 20), beside vpngw@test.
for unit in vpngw-keepalived vpngw-conntrackd; do
    sed "s|/usr/sbin/vpngw|$vpngw|g" "$src/$unit@.service" > "$tmp/$unit@test.service"
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
