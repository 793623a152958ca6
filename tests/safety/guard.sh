#!/usr/bin/env bash
# The lockout guard: with SSH_CONNECTION set, `up` refuses (without --force)
# a profile that would cut the caller's management access, naming the
# setting and its profile line, and changes nothing.
source "$(dirname "$0")/../netns/lib.sh"
enter_sandbox "$@"
source "$(dirname "$0")/lib_safety.sh"
safety_world

state=$SANDBOX_DIR/state
out=$SANDBOX_DIR/out
dump >"$SANDBOX_DIR/before"
as_ssh() { SSH_CONNECTION=$1 "${@:2}"; }

# management.allow without the SSH client's address.
blocks=$PROFILES/blocks-mgmt.toml
line=$(grep -n '^management' "$blocks" | cut -d: -f1)
rc=0; as_ssh "$MGMT_SSH" vpngw_gw up "$blocks" --state-dir "$state" >"$out" 2>&1 || rc=$?
check "up refuses a profile that drops the SSH client" test "$rc" -eq 1
check "  naming [firewall].management.allow, its line ($line) and the address" \
    grep -q "blocks-mgmt.toml:$line:[0-9]*: error: \[firewall\].management.allow (.*blocks-mgmt.toml:$line:[0-9]*) does not contain 198.51.100.7 — your SSH session from 198.51.100.7 to port 22 would be cut" "$out"
check "  and changes no kernel object" unchanged
check "  and management still works" mgmt_reachable

rc=0; as_ssh "$MGMT_SSH" vpngw_gw up "$blocks" --state-dir "$state" --check >"$out" 2>&1 || rc=$?
check "up --check reports the same problem" \
    bash -c "[ $rc -eq 1 ] && grep -q 'does not contain 198.51.100.7' '$out'"

# The SSH server port is not the management port.
rc=0; as_ssh "198.51.100.7 50000 203.0.113.2 2222" vpngw_gw up "$PROFILES/gateway.toml" \
    --state-dir "$state" >"$out" 2>&1 || rc=$?
check "up refuses when management.port is not the SSH port" test "$rc" -eq 1
check "  naming [firewall].management.port" \
    grep -q "\[firewall\].management.port = 22 (.*) is not the port of your SSH session (2222)" "$out"
check "  and changes no kernel object" unchanged

# A VPN address range that captures the SSH client's replies.
captures=$SANDBOX_DIR/captures.toml
sed 's|^address = \["10.66.0.1/16"\]|address = ["10.66.0.1/16", "198.51.100.254/24"]|' \
    "$PROFILES/gateway.toml" >"$captures"
rc=0; as_ssh "$MGMT_SSH" vpngw_gw up "$captures" --state-dir "$state" >"$out" 2>&1 || rc=$?
check "up refuses an interface address whose network holds the SSH client" test "$rc" -eq 1
check "  saying replies would leave through wg0" \
    grep -q "replies to 198.51.100.7 would leave through wg0, not eth0" "$out"
check "  and changes no kernel object" unchanged

# A profile that keeps management open passes the guard.
rc=0; as_ssh "$MGMT_SSH" vpngw_gw up "$PROFILES/gateway.toml" --state-dir "$state" >"$out" 2>&1 || rc=$?
check "up of a profile that admits the SSH client is applied" test "$rc" -eq 0
check "  and management works" mgmt_reachable

# --force applies anyway (and the lockout is real).
rc=0; as_ssh "$MGMT_SSH" vpngw_gw up "$blocks" --state-dir "$state" --force >"$out" 2>&1 || rc=$?
check "up --force applies the blocking profile" test "$rc" -eq 0
check_not "  which does cut management" mgmt_reachable

vpngw_gw down "$blocks" --state-dir "$state" >/dev/null
check "down restores the dumps of before" unchanged
finish
