#!/usr/bin/env bash
# Benchmark (not a test): the wall time of one `vpngw peer add`, `peer
# disable`, `peer enable` and `peer remove` (of the peers just added), with 0, 1,000 and 10,000
# peers already recorded, state only (no gateway running) and, as
# root, with the gateway up in a private network namespace (wireguard-go).
#
#   VPNGW=build/src/vpngw bash tests/netns/bench_peer_add.sh [RUNS]
#
# PEER_COUNTS="0 1000 10000 50000" changes the sizes (default 0 1000 10000).
# Prints the median and the range of RUNS runs (default 7) of each command
# at each size, and each size's add against the first size's. The sizes are
# measured in rounds (each round runs every command at every size; the
# gateways of all sizes are up at once), so a busy moment of a shared
# machine falls on every size alike: only figures of one run compare.
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

now_us() { echo "${EPOCHREALTIME/./}"; }  # no fork: a `date` child would count as CPU
now_ms() { echo $(( $(now_us) / 1000 )); }

# The CPU time (user + system, microseconds) of every child this shell has
# waited for: `times` in this shell, not in a $( ) subshell, whose children
# are its own.
children_cpu_us() {
    times >"$SANDBOX_DIR/times"
    awk 'NR == 2 {
        n = split($0, f, /[ms]+/); us = 0
        for (i = 1; i + 1 <= n; i += 2) us += (f[i] * 60 + f[i + 1]) * 1000000
        printf "%d", us }' "$SANDBOX_DIR/times"
}

# Figures per "verb size" key: wall and CPU times in microseconds.
declare -A WALL CPU

# time_one KEY DIR PROFILE NS NAME VERB [ARGS...]: one `vpngw peer VERB NAME
# ARGS...` in its own process; its wall time and its CPU time (user + system
# of vpngw, which a loaded shared machine disturbs much less than wall time)
# go to KEY.
time_one() {
    local key=$1 dir=$2 prof=$3 ns=$4 name=$5 verb=$6 t0 t1
    shift 6
    local run=()
    [ -n "$ns" ] && run=(ip netns exec "$ns")
    children_cpu_us >"$SANDBOX_DIR/c0"
    t0=$(now_us)
    "${run[@]}" "$VPNGW" peer "$verb" "$name" "$@" --profile "$prof" --state-dir "$dir" \
        >/dev/null 2>"$SANDBOX_DIR/err" || { cat "$SANDBOX_DIR/err" >&2; return 1; }
    t1=$(now_us)
    children_cpu_us >"$SANDBOX_DIR/c1"
    WALL[$key]+="$((t1 - t0)) "
    CPU[$key]+="$(($(cat "$SANDBOX_DIR/c1") - $(cat "$SANDBOX_DIR/c0"))) "
}

# median_us LIST: the median of microsecond figures.
median_us() { printf '%s\n' $1 | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
ms() { awk -v u="$1" 'BEGIN {printf "%.1f", u / 1000}'; }

# summary KEY: median, range and runs of the wall times, median CPU.
summary() {
    local sorted
    sorted=($(printf '%s\n' ${WALL[$1]} | sort -n))
    echo "median $(ms "$(median_us "${WALL[$1]}")") ms (min $(ms "${sorted[0]}"), max" \
        "$(ms "${sorted[${#sorted[@]} - 1]}"); ${#sorted[@]} runs), CPU $(ms "$(median_us "${CPU[$1]}")") ms"
}

# ratio KEY_A KEY_B: median of A / median of B, wall and CPU.
ratio() {
    awk -v a="$(median_us "${WALL[$1]}")" -v b="$(median_us "${WALL[$2]}")" \
        -v ca="$(median_us "${CPU[$1]}")" -v cb="$(median_us "${CPU[$2]}")" \
        'BEGIN {printf "wall %.2f, CPU %.2f", (b > 0 ? a / b : 0), (cb > 0 ? ca / cb : 0)}'
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

# rounds MODE: RUNS rounds; each adds peer MODE<i> at every size, then
# disables, enables and removes it at every size. Every size sees the same
# moments of the shared machine (other builds, the seconds after a large
# `up`), so the sizes are compared within one run, not across minutes.
rounds() {
    local mode=$1 i verb n ns args
    for i in $(seq 1 "$RUNS"); do
        for verb in add disable enable remove; do
            for n in $PEER_COUNTS; do
                args=()
                [ "$verb" = add ] && args=(--group big --qr none)
                ns=""
                [ "$mode" = live ] && ns=gw$n
                time_one "$mode $verb $n" "$SANDBOX_DIR/$mode-$n" "${PROFILE_OF[$mode $n]}" "$ns" \
                    "$mode$i" "$verb" "${args[@]}" || exit 1
            done
        done
    done
}

# report MODE LABEL: the figures of every size, then each size's add against
# the first size's.
report() {
    local mode=$1 label=$2 n verb first=${PEER_COUNTS%% *}
    for n in $PEER_COUNTS; do
        for verb in add disable enable remove; do
            printf '  %6d existing peers, %s, %-7s %s\n' "$n" "$label" "$verb:" "$(summary "$mode $verb $n")"
        done
    done
    for n in $PEER_COUNTS; do
        [ "$n" = "$first" ] && continue
        printf '  %s, add at %d / add at %d (medians, same run): %s\n' "$label" "$n" "$first" \
            "$(ratio "$mode add $n" "$mode add $first")"
    done
}

declare -A PROFILE_OF
echo "one \`vpngw peer add\` / \`vpngw peer remove\` ($VPNGW), wall time including process start;"
echo "every round runs each command at every size:"
for n in $PEER_COUNTS; do
    seed_state "$SANDBOX_DIR/state-$n" "$n"
    PROFILE_OF["state $n"]=$profile
done
rounds state
report state "state only (gateway not up)"
for n in $PEER_COUNTS; do
    printf '  %6d existing peers, peer list --json: %s\n' "$n" "$(time_list "$SANDBOX_DIR/state-$n")"
done

if [ "$live" -eq 1 ]; then
    # One gateway per size, all up at once, each in its own namespace; the
    # interfaces get distinct names, as wireguard-go's sockets share
    # /run/wireguard.
    k=0
    for n in $PEER_COUNTS; do
        dir=$SANDBOX_DIR/live-$n
        PROFILE_OF["live $n"]=$SANDBOX_DIR/profile-$n.toml
        sed "s/\"wg0\"/\"wg$k\"/" "$profile" >"${PROFILE_OF[live $n]}"
        netns_add "gw$n"
        seed_state "$dir" "$n"
        ip netns exec "gw$n" "$VPNGW" up "${PROFILE_OF[live $n]}" --state-dir "$dir" >/dev/null \
            2>"$SANDBOX_DIR/err" || { cat "$SANDBOX_DIR/err" >&2; exit 1; }
        printf '  %6d existing peers: gateway up, %d WireGuard peers on wg%d\n' "$n" \
            "$(ip netns exec "gw$n" wg show "wg$k" peers | wc -l)" "$k"
        k=$((k + 1))
    done
    rounds live
    report live "gateway up"
    for n in $PEER_COUNTS; do
        ip netns exec "gw$n" "$VPNGW" down "${PROFILE_OF[live $n]}" --state-dir "$SANDBOX_DIR/live-$n" \
            >/dev/null 2>&1
    done
fi
