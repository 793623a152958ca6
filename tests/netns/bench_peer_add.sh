#!/usr/bin/env bash
# Benchmark (not a test): the wall time of one `vpngw peer add`, `peer
# disable`, `peer enable` and `peer remove` (of the peers just added), with 0, 1,000 and 10,000
# peers already recorded, state only (no gateway running) and, as
# root, with the gateway up in a private network namespace (wireguard-go).
#
#   VPNGW=build/src/vpngw bash tests/netns/bench_peer_add.sh [RUNS]
#
# PEER_COUNTS="0 1000 10000 50000" changes the sizes (default 0 1000 10000).
# Prints the median and the range of RUNS adds and RUNS removes (default 7)
# for each case.
here=$(cd "$(dirname "$0")" && pwd)
VPNGW=${VPNGW:-vpngw}
RUNS=${1:-7}
PEER_COUNTS=${PEER_COUNTS:-0 1000 10000}
profile=$here/profiles/peers_bench.toml
command -v python3 >/dev/null || { echo "needs python3 (to write the seed state)" >&2; exit 1; }

live=0
if [ "$(id -u)" -eq 0 ]; then
    source "$here/lib.sh"
    enter_sandbox "$@"
    live=1
    set +e
else
    SANDBOX_DIR=$(mktemp -d /tmp/vpngw-bench.XXXXXX)
    trap 'rm -rf "$SANDBOX_DIR"' EXIT
    echo "not root: state-only figures (the gateway part needs network namespaces)"
fi

# N peers of group "big" (random keys, paired addresses): written as a
# peers.tsv of the last release (registry/legacy_text.cpp reads it), which the
# first command that changes peers migrates into peers.db: done here, so the
# figures below are of the registry, not of the one-time migration.
seed_state() {
    local dir=$1 n=$2
    mkdir -p "$dir" && chmod 700 "$dir"
    python3 - "$dir/peers.tsv" "$n" <<'PY'
import base64, os, sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write("vpngw-peers 2\n")
    for i in range(1, n + 1):
        key = base64.b64encode(os.urandom(32)).decode()
        f.write(f"s{i}\tbig\t{key}\t10.69.{i >> 8}.{i & 255}\tfd68:0:0:1::{i:x}\t-\t"
                "2024-05-01T12:00:00Z\n")
os.chmod(path, 0o600)
PY
    "$VPNGW" peer add seed --group big --qr none --profile "$profile" --state-dir "$dir" \
        >/dev/null 2>&1 && "$VPNGW" peer remove seed --profile "$profile" --state-dir "$dir" \
        >/dev/null 2>&1
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# time_cmd DIR PREFIX NS VERB [ARGS...]: RUNS runs of `vpngw peer VERB
# PREFIX<i> ARGS...`, one process each; prints the summary: wall time, and CPU
# time (user + system) of the vpngw process, which a loaded shared machine
# disturbs much less than wall time.
time_cmd() {
    local dir=$1 prefix=$2 ns=$3 verb=$4 times=() cpus=() t0 t1 i
    shift 4
    local run=()
    [ -n "$ns" ] && run=(ip netns exec "$ns")
    for i in $(seq 1 "$RUNS"); do
        t0=$(now_ms)
        "${run[@]}" /usr/bin/time -f '%U %S' -o "$SANDBOX_DIR/cpu" "$VPNGW" peer "$verb" "$prefix$i" \
            "$@" --profile "$profile" --state-dir "$dir" \
            >/dev/null 2>"$SANDBOX_DIR/err" || { cat "$SANDBOX_DIR/err" >&2; return 1; }
        t1=$(now_ms)
        times+=($((t1 - t0)))
        cpus+=($(awk '{printf "%d", ($1 + $2) * 1000}' "$SANDBOX_DIR/cpu"))
    done
    local sorted cpu
    sorted=($(printf '%s\n' "${times[@]}" | sort -n))
    cpu=($(printf '%s\n' "${cpus[@]}" | sort -n))
    echo "median ${sorted[$((RUNS / 2))]} ms (min ${sorted[0]}, max ${sorted[$((RUNS - 1))]}; $RUNS runs), CPU ${cpu[$((RUNS / 2))]} ms"
}
# time_list DIR: RUNS runs of `vpngw peer list --json` (all peers); wall time,
# CPU and the largest peak RSS of the runs.
time_list() {
    local dir=$1 times=() rss=0 t0 t1 i
    for i in $(seq 1 "$RUNS"); do
        t0=$(now_ms)
        /usr/bin/time -f '%M' -o "$SANDBOX_DIR/rss" "$VPNGW" peer list --json --profile "$profile" \
            --state-dir "$dir" >/dev/null 2>"$SANDBOX_DIR/err" || { cat "$SANDBOX_DIR/err" >&2; return 1; }
        t1=$(now_ms)
        times+=($((t1 - t0)))
        rss=$(awk -v a="$rss" -v b="$(cat "$SANDBOX_DIR/rss")" 'BEGIN {print (b > a ? b : a)}')
    done
    local sorted
    sorted=($(printf '%s\n' "${times[@]}" | sort -n))
    echo "median ${sorted[$((RUNS / 2))]} ms (min ${sorted[0]}, max ${sorted[$((RUNS - 1))]}; $RUNS runs), peak RSS $((rss / 1024)) MiB"
}
time_adds() { time_cmd "$1" "$2" "${3:-}" add --group big --qr none; }
time_removes() { time_cmd "$1" "$2" "${3:-}" remove; }
time_disables() { time_cmd "$1" "$2" "${3:-}" disable; }
time_enables() { time_cmd "$1" "$2" "${3:-}" enable; }

echo "one \`vpngw peer add\` / \`vpngw peer remove\` ($VPNGW), wall time including process start:"
for n in $PEER_COUNTS; do
    dir=$SANDBOX_DIR/state-$n
    seed_state "$dir" "$n"
    printf '  %6d existing peers, state only (gateway not up), add:    %s\n' "$n" "$(time_adds "$dir" new)"
    printf '  %6d existing peers, state only (gateway not up), disable: %s\n' "$n" "$(time_disables "$dir" new)"
    printf '  %6d existing peers, state only (gateway not up), enable: %s\n' "$n" "$(time_enables "$dir" new)"
    printf '  %6d existing peers, state only (gateway not up), remove: %s\n' "$n" "$(time_removes "$dir" new)"
    printf '  %6d existing peers, peer list --json: %s\n' "$n" "$(time_list "$dir")"
done

if [ "$live" -eq 1 ]; then
    netns_add benchgw
    for n in $PEER_COUNTS; do
        dir=$SANDBOX_DIR/live-$n
        seed_state "$dir" "$n"
        ip netns exec benchgw "$VPNGW" up "$profile" --state-dir "$dir" >/dev/null 2>"$SANDBOX_DIR/err" ||
            { cat "$SANDBOX_DIR/err" >&2; exit 1; }
        peers=$(ip netns exec benchgw wg show wg0 peers | wc -l)
        printf '  %6d existing peers, gateway up (%d WireGuard peers), add:    %s\n' "$n" "$peers" \
            "$(time_adds "$dir" live benchgw)"
        printf '  %6d existing peers, gateway up, disable: %s\n' "$n" "$(time_disables "$dir" live benchgw)"
        printf '  %6d existing peers, gateway up, enable:  %s\n' "$n" "$(time_enables "$dir" live benchgw)"
        printf '  %6d existing peers, gateway up (%d WireGuard peers), remove: %s\n' "$n" "$peers" \
            "$(time_removes "$dir" live benchgw)"
        ip netns exec benchgw "$VPNGW" down "$profile" --state-dir "$dir" >/dev/null 2>&1
    done
fi
