#!/usr/bin/env bash
# Proves that kernel_writers.sh can fail: it passes on a copy of src/ and the
# configured link graph, and fails, naming the culprit, for each kind of
# violation planted in a fresh copy (an include, a qualified call, a call
# inside a module's read side, a link).
# usage: kernel_writers_selftest.sh SRC_DIR MODULE_LINKS_FILE
set -euo pipefail

src=${1:?}
links=${2:?}
check=$(dirname "$0")/kernel_writers.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

fresh() {
    rm -rf "$tmp/src" "$tmp/links.txt"
    cp -r "$src" "$tmp/src"
    cp "$links" "$tmp/links.txt"
}

# expect_failure NAME EXPECTED_TEXT: the check must exit 1 and print the text.
expect_failure() {
    local out rc=0
    out=$(bash "$check" "$tmp/src" "$tmp/links.txt" 2>&1) || rc=$?
    if [[ $rc -ne 1 ]] || ! grep -qF -- "$2" <<<"$out"; then
        echo "FAIL $1: want exit 1 naming \"$2\", got exit $rc:"
        echo "$out"
        failed=1
    else
        echo "ok   $1: $(grep -F -- "$2" <<<"$out" | head -1)"
    fi
}

fresh
if out=$(bash "$check" "$tmp/src" "$tmp/links.txt" 2>&1); then
    echo "ok   clean copy passes"
else
    echo "FAIL clean copy: $out"
    failed=1
fi

fresh
echo '#include "nft/write/ruleset.hpp"' >>"$tmp/src/health/monitor.cpp"
expect_failure include 'health/monitor.cpp:'

fresh
echo 'void planted(vpngw::netlink::NetlinkSocket& s) { (void)vpngw::netlink::set_link_alias(s, "x", "y"); }' \
    >>"$tmp/src/gateway/migrate.cpp"
expect_failure qualified-call 'gateway/migrate.cpp:'

fresh
echo 'namespace vpngw::nft { Status planted() { return apply_ruleset("", ""); } }' \
    >>"$tmp/src/nft/counters.cpp"
expect_failure read-side-call 'nft/counters.cpp:'

fresh
echo 'vpngw_health vpngw_nft_write' >>"$tmp/links.txt"
expect_failure link 'vpngw_health links vpngw_nft_write'

fresh
rm -r "$tmp/src/wg/write"
expect_failure missing-writers 'wg/write is missing'

exit $failed
