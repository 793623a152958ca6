#!/usr/bin/env bash
# Crash consistency: `vpngw up` of a 1,000-peer profile SIGKILLed at random
# points, several times in a row; then `up` again converges to exactly what a
# clean `up` gives in a fresh namespace, and `down` restores the baseline.
#
# Within one namespace the dumps are compared byte for byte. Against the
# fresh namespace, `dump --fresh` masks what cannot be equal there: interface
# indexes (every interrupted run creates wg0 again, so its ifindex grows), the
# random MAC of the new veth and the IPv6 link-local addresses derived from
# it or chosen at random for wg0. The WireGuard key pair differs too (each
# state directory generates its own), but no dump shows it.
source "$(dirname "$0")/../netns/lib.sh"
enter_sandbox "$@"
source "$(dirname "$0")/lib_safety.sh"

PEERS=1000
KILLS=${KILLS:-8}
profile=$SANDBOX_DIR/thousand.toml
out=$SANDBOX_DIR/out

# The profile: gateway.toml with a /20 for staff and 1,000 inline peers
# whose keys are random 32-byte values (any 32 bytes are a valid key).
python3 - "$PROFILES/gateway.toml" "$profile" "$PEERS" <<'PY'
import base64, os, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(src).read().replace('subnet = "10.66.1.0/24"', 'subnet = "10.66.16.0/20"')
peers = "".join(
    f'\n[[peer]]\nname = "p{i}"\ngroup = "staff"\npublic_key = "{base64.b64encode(os.urandom(32)).decode()}"\n'
    for i in range(n))
open(dst, "w").write(text + peers)
PY

teardown_world() {
    local pid ns
    for pid in "${SANDBOX_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${SANDBOX_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    SANDBOX_PIDS=()
    local left=()
    for ns in "${SANDBOX_NETNS[@]}"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            kill "$pid" 2>/dev/null && left+=("$pid")
        done
        ip netns del "$ns" 2>/dev/null || true
    done
    SANDBOX_NETNS=()
    # The next world reuses the names: wait (bounded) until the processes
    # of this one (wireguard-go) are gone rather than for a fixed time.
    local _ alive
    for _ in $(seq 1 50); do
        alive=
        for pid in "${left[@]}"; do kill -0 "$pid" 2>/dev/null && alive=$pid; done
        [ -z "$alive" ] && break
        sleep 0.1
    done
}

# The profile has gateway.toml's peer "alice" besides the generated ones.
peer_count() { in_ns gw wg show wg0 peers | wc -l; }
ALL=$((PEERS + 1))

# --- A fresh namespace and a clean up: the reference. ---
safety_world
dump >"$SANDBOX_DIR/baseline"
start=$(date +%s%N)
vpngw_gw up "$profile" --state-dir "$SANDBOX_DIR/fresh-state" >/dev/null
duration_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# a clean up of $ALL peers takes ${duration_ms} ms"
check "a clean up configures all $ALL peers" test "$(peer_count)" -eq "$ALL"
dump --fresh >"$SANDBOX_DIR/clean"
vpngw_gw down "$profile" --state-dir "$SANDBOX_DIR/fresh-state" >/dev/null
dump >"$SANDBOX_DIR/after"
check "down after a clean up restores the baseline" same_file "$SANDBOX_DIR/baseline" "$SANDBOX_DIR/after"
teardown_world

# --- Another namespace: interrupted runs, each followed by up, then down. ---
safety_world
state=$SANDBOX_DIR/state
dump >"$SANDBOX_DIR/baseline"

# kill_up_at MODE: starts up and SIGKILLs it. MODE "any": at a random time
# within a whole up's duration (often before the apply, in resolve or
# observe); "apply": at a random time after the apply began (journal
# written). An apply of this profile has 8 or more operations; in "apply"
# mode VPNGW_OP_DELAY_MS stretches each to 100 ms so a kill within 0.6 s
# lands mid-apply on a fast machine too. Prints where the kill landed.
kill_up_at() {
    local delay=0
    [ "$1" = apply ] && delay=100
    VPNGW_OP_DELAY_MS=$delay ip netns exec gw "$VPNGW" up "$profile" --state-dir "$state" >"$out" 2>&1 &
    local cli=$! i
    if [ "$1" = apply ]; then
        for i in $(seq 1000); do [ -e "$state/journal" ] && break; sleep 0.005; done
        sleep "0.$((RANDOM % 6))$((RANDOM % 10))$((RANDOM % 10))"
    else
        local ms=$(( RANDOM % (duration_ms + 1) ))
        sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    fi
    if kill -9 "$cli" 2>/dev/null; then
        wait "$cli" 2>/dev/null || true
        if [ -e "$state/journal" ]; then
            echo "# killed after $(sed -n 's/^completed = //p' "$state/journal") completed op(s)"
        else
            echo "# killed before the apply began"
        fi
    else
        wait "$cli" 2>/dev/null || true
        echo "# too late: up had finished"
    fi
}

interrupted=0
for k in $(seq "$KILLS"); do
    mode=any
    [ $((k % 2)) -eq 0 ] && mode=apply
    kill_up_at "$mode"
    journal=no
    [ -e "$state/journal" ] && journal=yes && interrupted=$((interrupted + 1))
    rc=0; vpngw_gw up "$profile" --state-dir "$state" >"$out" 2>&1 || rc=$?
    check "kill $k ($mode): up afterwards succeeds" test "$rc" -eq 0
    if [ "$journal" = yes ]; then
        check "  and reports the interrupted run it found" grep -q "interrupted" "$out"
    fi
    check "  and leaves no journal" test ! -e "$state/journal"
    check "  and configures all $ALL peers" test "$(peer_count)" -eq "$ALL"
    dump --fresh >"$SANDBOX_DIR/converged"
    check "  and the dumps equal the clean up in the fresh namespace" \
        same_file "$SANDBOX_DIR/clean" "$SANDBOX_DIR/converged"
    vpngw_gw down "$profile" --state-dir "$state" >/dev/null
    dump >"$SANDBOX_DIR/after"
    check "  and down restores the baseline" same_file "$SANDBOX_DIR/baseline" "$SANDBOX_DIR/after"
done
check "at least half of the kills interrupted an apply" test "$interrupted" -ge $((KILLS / 2))

# down straight after an up killed mid-apply (no up in between).
kill_up_at apply
check "an up killed mid-apply left its journal" test -e "$state/journal"
rc=0; vpngw_gw down "$profile" --state-dir "$state" >"$out" 2>&1 || rc=$?
check "down after it succeeds" test "$rc" -eq 0
check "  and reports the interrupted run" grep -q "interrupted" "$out"
check "  and leaves no journal" test ! -e "$state/journal"
dump >"$SANDBOX_DIR/after"
check "  and restores the baseline" same_file "$SANDBOX_DIR/baseline" "$SANDBOX_DIR/after"
finish
