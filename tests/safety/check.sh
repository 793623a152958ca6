#!/usr/bin/env bash
# `up --check`: reports what would fail with the profile line, lists the
# operations, and changes neither the kernel nor the state directory.
source "$(dirname "$0")/../netns/lib.sh"
enter_sandbox "$@"
source "$(dirname "$0")/lib_safety.sh"
safety_world

state=$SANDBOX_DIR/state
out=$SANDBOX_DIR/out
dump >"$SANDBOX_DIR/before"

# A valid profile: ok, with the operations `up` would run.
rc=0; vpngw_gw up "$PROFILES/gateway.toml" --state-dir "$state" --check >"$out" 2>&1 || rc=$?
check "--check of a valid profile exits 0" test "$rc" -eq 0
check "  and lists the operations up would run" grep -q "^+ route default via 203.0.113.1 dev eth0" "$out"
check "  and says the kernel accepted the firewall" grep -q "kernel accepted the firewall" "$out"
check "  and changes no kernel object" unchanged
check "  and creates no state directory (no key, no baseline)" test ! -e "$state"

# A gateway on no connected network: the route would be refused.
bad=$PROFILES/unreachable-gateway.toml
line=$(grep -n '^gateway = "192.0.2.254"' "$bad" | cut -d: -f1)
rc=0; vpngw_gw up "$bad" --state-dir "$state" --check >"$out" 2>&1 || rc=$?
check "--check of an unreachable gateway exits 1" test "$rc" -eq 1
check "  and names the profile line ($line) and the problem" \
    grep -q "unreachable-gateway.toml:$line:[0-9]*: error: route default via 192.0.2.254 dev eth0 table [0-9]*: gateway 192.0.2.254 is not on a network connected to eth0" "$out"
check "  and still prints the operations" grep -q "^+ link wg0" "$out"
check "  and changes no kernel object" unchanged
check "  and creates no state directory" test ! -e "$state"
# The check is right: the real up fails there, and rolls back.
rc=0; vpngw_gw up "$bad" --state-dir "$state" >"$out" 2>&1 || rc=$?
check "up of that profile does fail in the kernel" test "$rc" -eq 1
check "  at the route" grep -q "route" "$out"
check "  and rolls back" unchanged

# Overlapping management sources: nft merges them (it used to refuse them).
rm -rf "$state"
rc=0; vpngw_gw up "$PROFILES/overlapping-mgmt.toml" --state-dir "$state" --check >"$out" 2>&1 || rc=$?
check "--check of overlapping management sources exits 0" test "$rc" -eq 0
check "  and says the kernel accepted the firewall" grep -q "kernel accepted the firewall" "$out"

# A firewall the kernel refuses although the profile is valid: another
# process owns a table of that name (nft "flags owner"), so the kernel
# refuses to replace it. (Overlapping management sources once did this; nft
# merges them now.)
bad_nft=$PROFILES/gateway.toml
rm -rf "$state"  # the failed up above created it (lock, key, baseline)
mkfifo "$SANDBOX_DIR/owner"
exec 7<>"$SANDBOX_DIR/owner"
# nsenter rather than `ip netns exec`, under which `nft -i` exits at once.
nsenter --net=/run/netns/gw nft -i <"$SANDBOX_DIR/owner" >/dev/null 7>&- &
owner_pid=$!
SANDBOX_PIDS+=("$owner_pid")
echo "add table inet vpngw { flags owner; }" >&7
for _ in $(seq 1 50); do in_ns gw nft list table inet vpngw >/dev/null 2>&1 && break; sleep 0.1; done
dump >"$SANDBOX_DIR/before"
rc=0; vpngw_gw up "$bad_nft" --state-dir "$state" --check >"$out" 2>&1 || rc=$?
check "--check of a firewall nftables refuses exits 1" test "$rc" -eq 1
check "  and reports nft's error with the offending line" \
    grep -q "would be refused by the kernel: .*Operation not permitted" <(tr '\n' ' ' <"$out")
check "  and changes no kernel object" unchanged
check "  and creates no state directory" test ! -e "$state"
rc=0; vpngw_gw up "$bad_nft" --state-dir "$state" >"$out" 2>&1 || rc=$?
check "up of that profile does fail" test "$rc" -eq 1
check "  and rolls back" unchanged
exec 7>&-  # nft -i reads EOF and exits; its table goes with it
wait "$owner_pid" || true
rm -rf "$state"
dump >"$SANDBOX_DIR/before"

# A profile with errors is refused before anything is read from the kernel.
broken=$SANDBOX_DIR/broken.toml
sed 's/^subnet = "10.66.2.0\/24"/subnet = "10.66.2.1\/24"/' "$PROFILES/gateway.toml" >"$broken"
rc=0; vpngw_gw up "$broken" --state-dir "$state" --check >"$out" 2>&1 || rc=$?
check "--check of an invalid profile exits 1 with the location" \
    bash -c "[ $rc -eq 1 ] && grep -q 'broken.toml:[0-9]*:[0-9]*: error' '$out'"
check "  and changes no kernel object" unchanged

# After a real up, --check reports nothing to do.
vpngw_gw up "$PROFILES/gateway.toml" --state-dir "$state" >/dev/null
state_listing "$state" >"$SANDBOX_DIR/files"
dump >"$SANDBOX_DIR/before"
rc=0; vpngw_gw up "$PROFILES/gateway.toml" --state-dir "$state" --check >"$out" 2>&1 || rc=$?
check "--check after up exits 0 and would change nothing" \
    bash -c "[ $rc -eq 0 ] && grep -q 'would change nothing' '$out'"
state_listing "$state" >"$SANDBOX_DIR/files.after"
check "  and leaves the state directory as it was" same_file "$SANDBOX_DIR/files" "$SANDBOX_DIR/files.after"
vpngw_gw down "$PROFILES/gateway.toml" --state-dir "$state" >/dev/null
finish
