#!/usr/bin/env bash
# Issue 2: the kernel's own parser validates `vpngw plan --nft` of every
# example profile (nft -c in a throw-away network namespace), and the CLI's
# exit codes hold: 0 clean, 1 errors, 2 usage.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
enter_sandbox "$@"
netns_add check
for p in "$here"/../../profiles/*.toml; do
    name=$(basename "$p")
    "$VPNGW" plan --nft "$p" >"$SANDBOX_DIR/$name.nft"
    check "$name: vpngw check exits 0" "$VPNGW" check -q "$p"
    check "$name: nft -c accepts vpngw plan --nft" in_ns check nft -c -f "$SANDBOX_DIR/$name.nft"
done
check_not "nft -c really checks (a broken ruleset is refused)" \
    in_ns check nft -c -f - <<<$'table inet vpngw {\n\tchain c {\n\t\tjump nowhere\n\t}\n}' 
set +e
"$VPNGW" check "$here/../profile/invalid/many-errors.toml" >/dev/null 2>&1; rc_invalid=$?
"$VPNGW" check >/dev/null 2>&1; rc_usage=$?
"$VPNGW" check --no-such-flag "$p" >/dev/null 2>&1; rc_flag=$?
set -e
check "an invalid profile exits 1" test "$rc_invalid" -eq 1
check "a missing argument exits 2" test "$rc_usage" -eq 2
check "an unknown flag exits 2" test "$rc_flag" -eq 2
finish
