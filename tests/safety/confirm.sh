#!/usr/bin/env bash
# `up --confirm`: a profile that locks the management host out, never
# confirmed, is reverted by the detached timer (also when the CLI and its
# whole session are SIGKILLed right after applying): management works again
# and the four dumps and the state directory equal the snapshot. Confirmed in
# time, the new state stays. A second pending apply is refused. `rollback`
# reverts at once.
source "$(dirname "$0")/../netns/lib.sh"
enter_sandbox "$@"
source "$(dirname "$0")/lib_safety.sh"
safety_world

state=$SANDBOX_DIR/state
out=$SANDBOX_DIR/out
pending=$state/pending/record
blocks=$PROFILES/blocks-mgmt.toml
good=$PROFILES/gateway.toml

check "management reaches the gateway before" mgmt_reachable

# --- 1. Never confirmed: the timer reverts. ---
dump >"$SANDBOX_DIR/snap"
state_listing "$state" >"$SANDBOX_DIR/snap.files"
rc=0; vpngw_gw up "$blocks" --state-dir "$state" --confirm 5 >"$out" 2>&1 || rc=$?
check "up --confirm 5 applies" test "$rc" -eq 0
check "  and says when it reverts" grep -Eq "will revert at [0-9]{2}:[0-9]{2}:[0-9]{2} unless \`vpngw confirm\` \(5 s\)" "$out"
check "  and a revert timer runs, detached" timer_running
check_not "the blocking profile cuts management" mgmt_reachable

rc=0; vpngw_gw up "$good" --state-dir "$state" --confirm 5 >"$out" 2>&1 || rc=$?
check "a second up --confirm is refused" test "$rc" -eq 1
check "  naming the pending apply" grep -q "pending confirmation: up $blocks" "$out"
rc=0; vpngw_gw up "$good" --state-dir "$state" >"$out" 2>&1 || rc=$?
check "a plain up while pending is refused" test "$rc" -eq 1
rc=0; vpngw_gw down "$blocks" --state-dir "$state" >"$out" 2>&1 || rc=$?
check "a down while pending is refused" test "$rc" -eq 1

check "the pending apply is reverted within 10 s" wait_gone "$pending" 10
check "management reaches the gateway again" mgmt_reachable
dump >"$SANDBOX_DIR/after"
check "the four dumps equal the snapshot" same_file "$SANDBOX_DIR/snap" "$SANDBOX_DIR/after"
state_listing "$state" >"$SANDBOX_DIR/after.files"
check "the state directory equals the snapshot (no key, no baseline)" \
    same_file "$SANDBOX_DIR/snap.files" "$SANDBOX_DIR/after.files"
check "revert.log says what happened" grep -q "not confirmed in time; reverted" "$state/revert.log"
check "the timer has exited" timer_exits 5

# --- 2. The CLI and its session are SIGKILLed right after applying. ---
setsid bash -c "exec ip netns exec gw '$VPNGW' up '$blocks' --state-dir '$state' --confirm 5" \
    >"$out" 2>&1 &
cli=$!
for i in $(seq 200); do
    grep -qs "^completed = [1-9]" "$pending" && break
    sleep 0.02
done
kill -9 -- "-$cli" 2>/dev/null || kill -9 "$cli" 2>/dev/null || true
wait "$cli" 2>/dev/null || true
check "the pending apply exists after the SIGKILL" test -e "$pending"
check "  and its timer survived the SIGKILL of the CLI's session" timer_running
check "the pending apply is reverted within 10 s" wait_gone "$pending" 10
check "management reaches the gateway again" mgmt_reachable
dump >"$SANDBOX_DIR/after"
check "the four dumps equal the snapshot" same_file "$SANDBOX_DIR/snap" "$SANDBOX_DIR/after"
state_listing "$state" >"$SANDBOX_DIR/after.files"
check "the state directory equals the snapshot" \
    same_file "$SANDBOX_DIR/snap.files" "$SANDBOX_DIR/after.files"

# --- 3. Confirmed in time: the new state stays. ---
rc=0; vpngw_gw up "$good" --state-dir "$state" --confirm 5 >"$out" 2>&1 || rc=$?
check "up --confirm 5 of the good profile applies" test "$rc" -eq 0
dump >"$SANDBOX_DIR/applied"
check "vpngw confirm keeps it" "$VPNGW" confirm --state-dir "$state"
check "  and nothing is pending any more" test ! -e "$pending"
sleep 7
dump >"$SANDBOX_DIR/after"
check "after the deadline the applied state is still there" \
    same_file "$SANDBOX_DIR/applied" "$SANDBOX_DIR/after"
check_not "  and differs from the snapshot" cmp -s "$SANDBOX_DIR/snap" "$SANDBOX_DIR/after"
check "the timer has exited" timer_exits 5
check "management still works" mgmt_reachable
check "the state applied matches the profile" vpngw_gw up "$good" --state-dir "$state" --check
check_not "a second confirm finds nothing" "$VPNGW" confirm --state-dir "$state"

# --- 4. rollback reverts now, to the confirmed state. ---
rc=0; vpngw_gw up "$blocks" --state-dir "$state" --confirm 60 >"$out" 2>&1 || rc=$?
check "up --confirm 60 applies" test "$rc" -eq 0
check_not "  and cuts management" mgmt_reachable
rc=0; in_ns gw "$VPNGW" peer add carol --group staff --profile "$blocks" --state-dir "$state" \
    >"$out" 2>&1 || rc=$?
check "a peer add while pending is refused" test "$rc" -eq 1
check "  naming the pending apply" grep -q "pending confirmation: up $blocks" "$out"
check_not "  and records no peer" grep -qs carol "$state"/peers*
in_ns gw "$VPNGW" status "$blocks" --state-dir "$state" >"$out" 2>&1 || true
check "vpngw status shows the pending apply and the time left" \
    grep -Eq "^pending: .*\(([0-9]+) s left\)" "$out"
rc=0; in_ns gw "$VPNGW" rollback --state-dir "$state" >"$out" 2>&1 || rc=$?
check "vpngw rollback reverts" test "$rc" -eq 0
check "  and nothing is pending any more" test ! -e "$pending"
dump >"$SANDBOX_DIR/after"
check "  back to the confirmed state" same_file "$SANDBOX_DIR/applied" "$SANDBOX_DIR/after"
# The nft table's recorded fingerprint comes back with it: no false drift.
rc=0; vpngw_gw status "$good" --state-dir "$state" >"$out" 2>&1 || rc=$?
check "  and status finds no drift ($rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || sed 's/^/    /' "$out"
check "management works" mgmt_reachable
check "the timer has exited" timer_exits 5

vpngw_gw down "$good" --state-dir "$state" >/dev/null
dump >"$SANDBOX_DIR/after"
check "down restores the snapshot" same_file "$SANDBOX_DIR/snap" "$SANDBOX_DIR/after"
check_not "  and forgets the nft table's fingerprint" test -e "$state/nft-listing.sha256"
finish
