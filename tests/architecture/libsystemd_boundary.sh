#!/usr/bin/env bash
# Only src/service_manager/ talks to systemd (docs/ARCHITECTURE.md): fails when
# another source file includes a libsystemd header (<systemd/sd-*.h>) or
# another CMakeLists.txt links PkgConfig::SYSTEMD. With --selftest it plants
# each violation in a copy of the tree and expects the check to catch it.
# usage: libsystemd_boundary.sh SRC_DIR [--selftest]
set -euo pipefail
src=${1:?usage: libsystemd_boundary.sh SRC_DIR [--selftest]}

violations() {  # violations DIR: prints one line per violation
    grep -rHn --include='*.[ch]pp' '#include *<systemd/' "$1" | grep -v "^$1/service_manager/" || true
    grep -rHn --include=CMakeLists.txt 'PkgConfig::SYSTEMD' "$1" | grep -v "^$1/service_manager/" || true
}

if [ "${2:-}" = --selftest ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    fails=0
    [ -z "$(violations "$src")" ] || { echo "FAIL the real tree has violations"; fails=1; }
    for plant in 'cli/x.cpp:#include <systemd/sd-daemon.h>' 'health/CMakeLists.txt:PkgConfig::SYSTEMD'; do
        rm -rf "$tmp/src" && cp -r "$src" "$tmp/src"
        echo "${plant#*:}" >> "$tmp/src/${plant%%:*}"
        if [ -n "$(violations "$tmp/src")" ]; then
            echo "PASS caught ${plant%%:*}"
        else
            echo "FAIL missed ${plant%%:*}"; fails=1
        fi
    done
    exit $fails
fi

found=$(violations "$src")
if [ -n "$found" ]; then
    echo "libsystemd outside src/service_manager/:"
    echo "$found"
    exit 1
fi
echo "PASS only src/service_manager/ uses libsystemd"
