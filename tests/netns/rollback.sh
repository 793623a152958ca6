#!/usr/bin/env bash
# Issue 3: a profile that fails half-way (a route via a next hop that is not
# on any connected network) leaves the kernel exactly as it was, and the
# error names the failing step and the profile line.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
enter_sandbox "$@"

build_world
profile=$SANDBOX_DIR/bad-gateway.toml
sed 's/^gateway = "203.0.113.1"/gateway = "192.0.2.254"/' "$here/profiles/basic.toml" >"$profile"
line=$(grep -n '^gateway = "192.0.2.254"' "$profile" | cut -d: -f1)
before=$(kernel_dump gw)

set +e
out=$(in_ns gw "$VPNGW" up "$profile" --state-dir "$SANDBOX_DIR/state" 2>&1)
rc=$?
set -e
echo "$out" | sed 's/^/    /'
check "up fails with exit status 1" test "$rc" -eq 1
check "the error names the failing route and the kernel's reason" \
    grep -q "route default via 192.0.2.254 dev eth0 table 51001: .*unreachable" <<<"$out"
check "the error points at the uplink in the profile" grep -q "bad-gateway.toml:" <<<"$out"
check "the error says the applied steps were rolled back" grep -q "rolled back" <<<"$out"
after=$(kernel_dump gw)
check "the four dumps are byte-identical to before" test "$before" == "$after"
[ "$before" == "$after" ] || diff <(echo "$before") <(echo "$after") || true
# wireguard-go processes of the gateway namespace that are still alive
# (zombies aside: PID 1 on these machines does not reap orphans).
live_daemons() {
    local pid
    for pid in $(ip netns pids gw); do
        [ "$(cat /proc/$pid/comm 2>/dev/null)" = wireguard-go ] || continue
        awk '{ if ($3 != "Z") found=1 } END { exit !found }' "/proc/$pid/stat" 2>/dev/null && echo "$pid"
    done
}
check "no wireguard-go is left running in the gateway namespace" test -z "$(live_daemons)"
for kind in link-create wireguard address-add route-add rule-add nft sysctl; do
    set +e
    out=$(VPNGW_FAIL_AT=$kind in_ns gw "$VPNGW" up "$here/profiles/basic.toml" \
        --state-dir "$SANDBOX_DIR/state" 2>&1)
    rc=$?
    set -e
    check "failure injected at $kind: up fails" test "$rc" -eq 1
    check "failure injected at $kind: kernel unchanged" test "$before" == "$(kernel_dump gw)"
done
finish
