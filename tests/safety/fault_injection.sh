#!/usr/bin/env bash
# Exact rollback: a failure injected at every kind of operation (first and,
# where there are several, a later one) leaves the four kernel dumps
# byte-identical to before, for a first `up` and for an `up` that changes a
# running gateway.
source "$(dirname "$0")/../netns/lib.sh"
enter_sandbox "$@"
source "$(dirname "$0")/lib_safety.sh"
safety_world

state=$SANDBOX_DIR/state
before=$SANDBOX_DIR/before
dump >"$before"

inject() {  # inject SPEC PROFILE EXPECTED_DUMP
    local spec=$1 profile=$2 expected=$3 out=$SANDBOX_DIR/out
    local rc=0
    VPNGW_FAIL_AT=$spec vpngw_gw up "$profile" --state-dir "$state" >"$out" 2>&1 || rc=$?
    check "up with VPNGW_FAIL_AT=$spec fails" test "$rc" -eq 1
    check "  and says it injected the failure and rolled back" \
        grep -q "injected failure.*rolled back" "$out"
    dump >"$SANDBOX_DIR/after"
    check "  and the four dumps are byte-identical to before" same_file "$expected" "$SANDBOX_DIR/after"
    check "  and leaves no progress record" test ! -e "$state/apply-in-progress"
}

# A first `up` of the whole gateway.
for spec in link-create wireguard address-add route-add rule-add rule-add:2 nft sysctl sysctl:2; do
    inject "$spec" "$PROFILES/gateway.toml" "$before"
done

# Changing a running gateway: from blocks-mgmt.toml (one group) to
# gateway.toml (another group, a peer, a new firewall) fails mid-way.
vpngw_gw up "$PROFILES/blocks-mgmt.toml" --state-dir "$state" --force >/dev/null
running=$SANDBOX_DIR/running
dump >"$running"
for spec in wireguard nft; do
    inject "$spec" "$PROFILES/gateway.toml" "$running"
done
check "the gateway still runs the first profile" vpngw_gw up "$PROFILES/blocks-mgmt.toml" \
    --state-dir "$state" --check

vpngw_gw down "$PROFILES/blocks-mgmt.toml" --state-dir "$state" >/dev/null
dump >"$SANDBOX_DIR/down"
check "down restores the dumps of before" same_file "$before" "$SANDBOX_DIR/down"
finish
