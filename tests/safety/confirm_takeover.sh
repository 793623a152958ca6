#!/usr/bin/env bash
# Issue 18's route takeover, reverted outside `up`: a route the profile plans
# that another tool already made (here the uplink table's default route,
# added with `ip route`, so proto boot) is taken over in place by `up
# --confirm` (proto 86). Reverting hands it back with its protocol instead of
# deleting it, so its traffic never stops: when the confirm times out (the
# detached timer replays the pending journal) and when the CLI is SIGKILLed
# right after the takeover (`vpngw rollback` replays what it journaled).
source "$(dirname "$0")/../netns/lib.sh"
enter_sandbox "$@"
source "$(dirname "$0")/lib_safety.sh"
safety_world

# The uplink's routing table as `ip route` shows it ("proto boot" is left out).
uplink_table() { in_ns gw ip route show table 51001; }
taken_over() { grep -q "^default via 203.0.113.1 dev eth0 proto 86" <<<"$(uplink_table)"; }
handed_back() {
    [ "$(uplink_table)" = "$(cat "$SANDBOX_DIR/table.before")" ] &&
        [ -n "$(in_ns gw ip route show table 51001 proto boot)" ]
}

state=$SANDBOX_DIR/state
out=$SANDBOX_DIR/out
pending=$state/pending/record
good=$PROFILES/gateway.toml

in_ns gw ip route add default via 203.0.113.1 dev eth0 table 51001
uplink_table >"$SANDBOX_DIR/table.before"
check "the uplink table holds the foreign route, proto boot" \
    grep -Eqx "default via 203.0.113.1 dev eth0 *" "$SANDBOX_DIR/table.before"

# --- 1. Never confirmed: the timer reverts. ---
rc=0; vpngw_gw up "$good" --state-dir "$state" --confirm 3 >"$out" 2>&1 || rc=$?
check "up --confirm 3 applies ($rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || sed 's/^/    /' "$out"
check "  taking the route over in place (proto 86)" taken_over
check "the pending apply is reverted within 10 s" wait_gone "$pending" 10
check "the route is still there, handed back to proto boot" handed_back
uplink_table | sed 's/^/    /'
check "the timer has exited" timer_exits 5

# --- 2. The CLI is SIGKILLed right after the takeover; rollback replays. ---
# The kill point: the ops `up` would run, one per line that starts one.
vpngw_gw up "$good" --state-dir "$state" --check >"$out" 2>&1 || true
ops=$(grep -E '^[-+~] ' "$out")
index=$(grep -nE '^\+ route default via 203\.0\.113\.1 dev eth0 table 51001' <<<"$ops" | cut -d: -f1)
check "up --check plans the route add (op $index)" test -n "$index"
rc=0
VPNGW_KILL_AFTER=$index vpngw_gw up "$good" --state-dir "$state" --confirm 60 >"$out" 2>&1 || rc=$?
check "up is killed after the route op ($rc)" test "$rc" -eq 137
check "  with the route taken over" taken_over
check "  and the apply pending" test -e "$pending"
rc=0; vpngw_gw rollback --state-dir "$state" >"$out" 2>&1 || rc=$?
check "vpngw rollback reverts ($rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || sed 's/^/    /' "$out"
check "  and nothing is pending any more" test ! -e "$pending"
check "the route is still there, handed back to proto boot" handed_back
uplink_table | sed 's/^/    /'
check "the timer has exited" timer_exits 5
finish
