#!/usr/bin/env bash
# Issue 17, crash safety, the kernel half (tests/cli/peer_crash_test.cpp
# checks the registry half without a kernel): against a live gateway,
# mixed `peer add / edit / disable / enable / remove` commands, about half
# of them killed with SIGKILL at a random point of a command's measured
# run, then more killed adds until one leaves the kernel behind the
# registry (later commands settle most kills). Then `vpngw up` alone must
# converge the kernel on the registry:
# WireGuard's peers and allowed-ips are exactly the enabled peers of
# `peer list --json` (disabled ones absent) and the nft peer sets hold
# exactly their addresses. Root; everything lives in private namespaces.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
enter_sandbox "$@"

profile=$here/profiles/lifecycle.toml
state=$SANDBOX_DIR/state
rounds=${ROUNDS:-200}
RANDOM=17

build_world
set +e
out=$(vpngw_gw up "$profile" --state-dir "$state" 2>&1)
rc=$?
check "vpngw up brings the gateway up" test $rc -eq 0
[ $rc -eq 0 ] || { echo "$out" >&2; finish; exit 1; }

names=()     # peers some command added (maybe since removed)
next=0
killed=0
typical_us=20000   # moving average of a command's run that was not killed
for ((round = 0; round < rounds; round++)); do
    kind=$((${#names[@]} == 0 ? 0 : RANDOM % 5))
    if [ $kind -eq 0 ]; then name=k$((next++)); names+=("$name"); else name=${names[RANDOM % ${#names[@]}]}; fi
    group=staff; [ $((RANDOM % 2)) -eq 0 ] && group=guests
    case $kind in
        0) args=(add "$name" --group staff --qr none) ;;
        1) args=(edit "$name" --group "$group" --qr none) ;;
        2) args=(disable "$name") ;;
        3) args=(enable "$name") ;;
        *) args=(remove "$name") ;;
    esac
    started=${EPOCHREALTIME/./}
    # `ip netns exec` execs vpngw: $! is the command itself.
    ip netns exec gw "$VPNGW" peer "${args[@]}" --profile "$profile" --state-dir "$state" \
        >/dev/null 2>&1 &
    pid=$!
    if [ $((RANDOM % 2)) -eq 0 ]; then
        at=$(((RANDOM * 32768 + RANDOM) % (typical_us > 1000 ? typical_us : 1000)))
        sleep "$(printf '0.%06d' "$at")"
        kill -KILL "$pid" 2>/dev/null
        { wait "$pid"; } 2>/dev/null
        [ $? -eq 137 ] && killed=$((killed + 1))
    else
        wait "$pid"
        took=$((${EPOCHREALTIME/./} - started))
        typical_us=$(((8 * typical_us + 2 * took) / 10))
    fi
done
echo "    $rounds commands, $killed killed, typical run ${typical_us} µs"
check "enough commands were killed to test anything (> $((rounds / 10)))" \
    test $killed -gt $((rounds / 10))

cat >"$SANDBOX_DIR/compare.py" <<'PY'
import ipaddress, json, sys
d = sys.argv[1]
peers = json.loads(sys.argv[2])["peers"]
enabled = [p for p in peers if not p["disabled"] and not p["expired"]]
disabled = [p for p in peers if p["disabled"] or p["expired"]]
want = {p["public_key"]: {f"{p['address']}/32", f"{p['address6']}/128"} for p in enabled}
have = {}
for line in open(f"{d}/allowed"):
    key, ips = line.split("\t")
    have[key] = set(ips.split()) - {"(none)"}
def elements(name):
    out = set()
    for obj in json.load(open(f"{d}/{name}"))["nftables"]:
        for e in obj.get("set", {}).get("elem", []):
            out.add(str(ipaddress.ip_address(e)))
    return out
ok = True
def check(what, good):
    global ok
    print(("ok   - " if good else "FAIL - ") + what)
    ok &= good
print(f"    registry: {len(enabled)} enabled, {len(disabled)} disabled peers")
check("some peers are enabled and some disabled", len(enabled) > 0 and len(disabled) > 0)
check("WireGuard's peers are exactly the enabled registry peers", set(have) == set(want))
check("each peer's allowed-ips are exactly its registry addresses",
      all(have.get(k) == v for k, v in want.items()))
check("no disabled peer's key is in WireGuard",
      not any(p["public_key"] in have for p in disabled))
check("the peers4 set holds exactly the enabled addresses",
      elements("set4") == {p["address"] for p in enabled})
check("the peers6 set holds exactly the enabled addresses",
      elements("set6") == {str(ipaddress.ip_address(p["address6"])) for p in enabled})
sys.exit(0 if ok else 1)
PY
# kernel_vs_registry: snapshots the registry and the kernel, compares them.
kernel_vs_registry() {
    list=$(vpngw_gw peer list --json --profile "$profile" --state-dir "$state" 2>/dev/null)
    in_ns gw wg show wg0 allowed-ips >"$SANDBOX_DIR/allowed"
    in_ns gw nft -j list set inet vpngw peers4 >"$SANDBOX_DIR/set4"
    in_ns gw nft -j list set inet vpngw peers6 >"$SANDBOX_DIR/set6"
    python3 "$SANDBOX_DIR/compare.py" "$SANDBOX_DIR" "$list"
}
# Later peer commands settle what an earlier kill left, so the kernel
# usually matches by now: kill more adds (bounded) until one leaves the
# kernel behind the registry, so that `up` has something to converge.
diverged=no
for ((try = 0; try < 200; try++)); do
    ip netns exec gw "$VPNGW" peer add "late$try" --group guests --qr none --profile "$profile" \
        --state-dir "$state" >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '0.%06d' $((typical_us / 4 + (RANDOM * 32768 + RANDOM) % (typical_us * 3 / 4))))"
    kill -KILL "$pid" 2>/dev/null
    { wait "$pid"; } 2>/dev/null
    if ! kernel_vs_registry >/dev/null 2>&1; then diverged=yes; break; fi
done
echo "    before up: the kernel differs from the registry: $diverged (after $((try + 1)) late kills)"
check "a killed command left the kernel behind the registry" test $diverged = yes
out=$(vpngw_gw up "$profile" --state-dir "$state" 2>&1)
rc=$?
check "vpngw up after the kills succeeds" test $rc -eq 0
[ $rc -eq 0 ] || echo "$out" >&2

check "the kernel converged on the registry" kernel_vs_registry
finish
