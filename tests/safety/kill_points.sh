#!/usr/bin/env bash
# Fail-closed order (issue 16, item 4): `vpngw up` SIGKILLed at every kill
# point in turn (VPNGW_KILL_AFTER=N: after N applied operations), and `down`
# likewise. At each point, no WireGuard device may hold a peer while vpngw's
# table, with its drop policies and peer sets, is absent: an authenticated
# peer is never without vpngw's filtering. After each kill, `down` (or `down`
# again) must still restore the baseline.
#
# The kill points lie between operations; within one, the table is created
# in two steps (rules with empty peer sets, then the elements), both before
# any link or peer exists, so no point inside an operation is weaker than
# the point before it.
source "$(dirname "$0")/../netns/lib.sh"
enter_sandbox "$@"
source "$(dirname "$0")/lib_safety.sh"

profile=$SANDBOX_DIR/gateway.toml
state=$SANDBOX_DIR/state
out=$SANDBOX_DIR/out

# gateway.toml with a few more peers, so the WireGuard change has several.
python3 - "$PROFILES/gateway.toml" "$profile" <<'PY'
import base64, os, sys
src, dst = sys.argv[1], sys.argv[2]
peers = "".join(
    f'\n[[peer]]\nname = "p{i}"\ngroup = "servers"\npublic_key = "{base64.b64encode(os.urandom(32)).decode()}"\n'
    for i in range(5))
open(dst, "w").write(open(src).read() + peers)
PY

# The peers every WireGuard device in the gateway holds, one line each.
wg_peers() {
    local dev
    for dev in $(in_ns gw wg show interfaces); do
        in_ns gw wg show "$dev" peers | sed "s|^|$dev |"
    done
}

# vpngw's table with what makes it filter: drop policies on input and
# forward, and the peer sets the forward chain classifies sources by.
table_guards() {
    local t
    t=$(in_ns gw nft list table inet vpngw 2>/dev/null) || return 1
    grep -q "hook input priority filter; policy drop;" <<<"$t" &&
        grep -q "hook forward priority filter; policy drop;" <<<"$t" &&
        grep -q "set peers4 " <<<"$t" && grep -q "set peers6 " <<<"$t"
}

# fail_closed WHAT: no peer on any device unless the table guards it.
fail_closed() {
    local peers
    peers=$(wg_peers | wc -l)
    [ "$peers" -eq 0 ] && return 0
    peers_seen=$((peers_seen + 1))
    table_guards && return 0
    echo "    $1: $peers WireGuard peer(s) configured, but table inet vpngw is absent" \
        "or lacks its drop policies or peer sets" >&2
    return 1
}

# killed_at CMD N: runs `vpngw CMD` with VPNGW_KILL_AFTER=N. Returns 0 when
# the hook killed it (SIGKILL: status 137), 1 when it ran to the end.
killed_at() {
    local rc=0
    VPNGW_KILL_AFTER=$2 in_ns gw "$VPNGW" "$1" "$profile" --state-dir "$state" >"$out" 2>&1 ||
        rc=$?
    [ "$rc" -eq 137 ] && return 0
    [ "$rc" -eq 0 ] || { sed 's/^/    /' "$out" >&2; die "vpngw $1 failed with $rc"; }
    return 1
}

safety_world
dump >"$SANDBOX_DIR/baseline"

# kill_points CMD: stops `vpngw CMD` after 0, 1, 2, ... operations until a
# run gets to its end; at each point checks that the gateway fails closed,
# then finishes with `down` and compares with the baseline. Each `down` to be
# stopped starts from a complete `up`. Sets points, peers_seen and last.
kill_points() {
    local cmd=$1 n rc
    points=0
    peers_seen=0
    for n in $(seq 0 60); do
        [ "$cmd" = down ] && vpngw_gw up "$profile" --state-dir "$state" >/dev/null
        killed_at "$cmd" "$n" || break
        points=$((points + 1))
        check "$cmd killed after $n op(s): no peer without the table" \
            fail_closed "$cmd after $n op(s)"
        rc=0; vpngw_gw down "$profile" --state-dir "$state" >"$out" 2>&1 || rc=$?
        check "  down afterwards succeeds" test "$rc" -eq 0
        dump >"$SANDBOX_DIR/after"
        check "  and restores the baseline" same_file "$SANDBOX_DIR/baseline" "$SANDBOX_DIR/after"
    done
    last=$n
}

kill_points up
check "the kill hook stopped up at 5 or more points (got $points)" test "$points" -ge 5
check "up ran to its end once every point was passed" test "$last" -lt 60
check "peers existed at some kill points of up (the check was not vacuous)" \
    test "$peers_seen" -gt 0

kill_points down
check "the kill hook stopped down at 3 or more points (got $points)" test "$points" -ge 3
check "down ran to its end once every point was passed" test "$last" -lt 60
check "peers existed at some kill points of down" test "$peers_seen" -gt 0
finish
