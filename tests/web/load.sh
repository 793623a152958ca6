#!/usr/bin/env bash
# `vpngw serve` under load and abuse, on loopback only, in a network
# namespace of its own (unshare -n): 200 API clients add peers at once (all
# must succeed with distinct addresses; p50/p99 latency printed), then 500
# connections that never finish their request head must not keep another
# client from its answer. The gateway is not up: the adds are recorded and
# the note says so, which is the same code path up to the kernel.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
VPNGW=${VPNGW:-vpngw}
[ "$(id -u)" -eq 0 ] || { echo "FATAL: needs root (unshare -n)" >&2; exit 1; }
command -v "$VPNGW" >/dev/null || { echo "FATAL: no vpngw binary at $VPNGW (set VPNGW)" >&2; exit 1; }
if [ -z "${VPNGW_LOAD_NETNS:-}" ]; then
    export VPNGW_LOAD_NETNS=1
    exec unshare -n -- "$BASH" "$0" "$@"
fi
ip link set lo up
ulimit -n 4096
dir=$(mktemp -d /tmp/vpngw-load.XXXXXX)
pid=
cleanup() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT

profile=$here/profiles/web.toml
token=$("$VPNGW" token create --scope write --profile "$profile" --state-dir "$dir/state" 2>/dev/null)
"$VPNGW" serve "$profile" --state-dir "$dir/state" --listen 127.0.0.1:8450 2>"$dir/serve.log" &
pid=$!
for _ in $(seq 100); do
    curl -s -o /dev/null --max-time 1 http://127.0.0.1:8450/ && break
    sleep 0.1
done
rc=0
/usr/bin/python3 "$here/load.py" 8450 "$token" "${VPNGW_LOAD_CLIENTS:-200}" "${VPNGW_LOAD_SLOW:-500}" || rc=$?
listed=$("$VPNGW" peer list --profile "$profile" --state-dir "$dir/state" 2>/dev/null | grep -c '^load' || true)
if [ "$listed" -eq "${VPNGW_LOAD_CLIENTS:-200}" ]; then
    echo "ok   - vpngw peer list shows all $listed"
else
    echo "FAIL - vpngw peer list shows $listed"; rc=1
fi
exit $rc
