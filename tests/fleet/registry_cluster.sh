#!/usr/bin/env bash
# Two gateways on one 3-member etcd cluster, each member and gateway in its
# own network namespace on one bridge: 100 concurrent adds on each gateway
# give 200 unique addresses; with one member killed adds still work; with
# two killed (no quorum) adds are refused with a clear message; with the
# members back adds work again and every member has every peer.
# Label `fleet`; needs root.
. "$(dirname "$0")/../netns/lib.sh"
enter_sandbox "$@"
. "$(dirname "$0")/fleet_lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
CERTS=$SANDBOX_DIR/certs
T0=$SECONDS

fleet_switch
etcd_cluster "$CERTS"
fleet_attach gwa 10.77.0.11
fleet_attach gwb 10.77.0.12
echo "# cluster up after $((SECONDS - T0))s"

member_profile() {  # member_profile NODE ENDPOINT...: writes $SANDBOX_DIR/NODE.toml
    local node=$1; shift
    local urls="" ip
    for ip in "$@"; do urls+="${urls:+, }\"https://$ip:2379\""; done
    sed -e "s|@NODE@|$node|g" -e "s|@ETCD@|$urls|" -e "s|@CERTS@|$CERTS|g" \
        "$HERE/profiles/member.toml.in" >"$SANDBOX_DIR/$node.toml"
}
# gwa tries e3 first, gwb e1: killing e3 makes gwa fail over.
member_profile gwa 10.77.0.3 10.77.0.1 10.77.0.2
member_profile gwb 10.77.0.1 10.77.0.2 10.77.0.3
tool() { local node=$1; shift; in_ns "$node" "$FLEET_TOOL" "$SANDBOX_DIR/$node.toml" "$@"; }

# --- 100 concurrent adds on each gateway ---
T1=$SECONDS
pids=()
for i in $(seq 1 100); do
    tool gwa add "a$i" staff >"$SANDBOX_DIR/add-a$i.out" 2>&1 & pids+=("$!")
    tool gwb add "b$i" staff >"$SANDBOX_DIR/add-b$i.out" 2>&1 & pids+=("$!")
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
echo "# 200 concurrent adds took $((SECONDS - T1))s"
[ "$failed" -eq 0 ] || { echo "# a failed add said:"; grep -h fleet_tool "$SANDBOX_DIR"/add-*.out | head -3; }
check "all 200 concurrent adds succeeded" [ "$failed" -eq 0 ]
tool gwb list >"$SANDBOX_DIR/list"
check "200 peers in the registry" [ "$(wc -l <"$SANDBOX_DIR/list")" -eq 200 ]
check "200 unique IPv4 addresses" [ "$(cut -d' ' -f3 "$SANDBOX_DIR/list" | sort -u | grep -c 10.8.)" -eq 200 ]
check "200 unique IPv6 addresses" [ "$(cut -d' ' -f4 "$SANDBOX_DIR/list" | sort -u | grep -c fd08:)" -eq 200 ]
check "the registry's addresses are the ones the adds reported" \
    diff <(cut -d' ' -f1,3 "$SANDBOX_DIR/list" | sort) <(cat "$SANDBOX_DIR"/add-*.out | sort)

# --- one member killed: still a majority ---
etcd_kill e3
# Both add right away: whichever member led, the other two elect a leader.
added_with_one_down() {  # NODE NAME
    tool "$1" add "$2" staff >"$SANDBOX_DIR/$2.out" 2>&1 || { cat "$SANDBOX_DIR/$2.out"; return 1; }
}
check "add on gwa (e3 listed first) with e3 killed" added_with_one_down gwa one-down-a
check "add on gwb with e3 killed" added_with_one_down gwb one-down-b

# --- quorum lost ---
etcd_kill e2
# Until e1 notices (an election timeout) it could still take a proposal that
# commits when quorum returns; the refusal is what comes after.
e1_leaderless() { ! etcd_healthy e1 10.77.0.1 "$CERTS"; }
wait_for 10 "e1 without a leader" e1_leaderless
T2=$SECONDS
if tool gwa add no-quorum staff >"$SANDBOX_DIR/no-quorum.out" 2>&1; then refused=no; else refused=yes; fi
echo "# refusal after $((SECONDS - T2))s: $(cat "$SANDBOX_DIR/no-quorum.out")"
check "add without quorum is refused" [ "$refused" = yes ]
check "the refusal says the cluster has no quorum" grep -q "has no quorum" "$SANDBOX_DIR/no-quorum.out"

# --- quorum back ---
etcd_start e2 e2 10.77.0.2 "$INITIAL" existing "$CERTS"
wait_for 30 "e2 back and a leader elected" etcd_healthy e2 10.77.0.2 "$CERTS"
check "add works again with quorum back" tool gwb add quorum-back staff
etcd_start e3 e3 10.77.0.3 "$INITIAL" existing "$CERTS"
wait_for 30 "e3 back" etcd_healthy e3 10.77.0.3 "$CERTS"
member_profile only-e3 10.77.0.3
only_e3_count() { [ "$(in_ns gwa "$FLEET_TOOL" "$SANDBOX_DIR/only-e3.toml" list | wc -l)" -eq 203 ]; }
check "e3 (down during 3 adds) converges: 203 peers through it alone" \
    wait_for 10 "e3 has every peer" only_e3_count
in_ns gwa "$FLEET_TOOL" "$SANDBOX_DIR/gwa.toml" list >"$SANDBOX_DIR/final"
check "the refused peer is not in the registry" bash -c "! grep -q '^no-quorum ' '$SANDBOX_DIR/final'"
echo "# fleet_registry_cluster took $((SECONDS - T0))s"
finish
