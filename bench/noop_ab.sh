#!/usr/bin/env bash
# Benchmark (not a test): no-op `up` and `status` of two vpngw binaries in the
# same window (issue 19 item 2: no-op up <= 5% of cold up, status < 300 ms at
# 50,000 peers). The layout of bench/scale.sh: N registry peers over 4 groups
# on 4 userspace interfaces, in a namespace of a private mount namespace
# (tests/netns/lib.sh).
#
#   sudo N=50000 RUNS=3 ROUNDS=5 BINS="/tmp/vpngw.main build/src/vpngw" bench/noop_ab.sh
#
# First, per binary in turn (RUNS times): a cold `up` of a fresh gateway and
# the no-op `up` right after it. Then one gateway, brought up by the first
# binary, and ROUNDS rounds of: no-op up A, no-op up B, status A, status B.
# Each binary keeps its own copy of the state directory (taken after the cold
# up, so the keys and the kernel are the same): a newer binary may migrate
# the registry to a schema the older one refuses to read. Prints median wall
# ms with the spread, the largest peak RSS, how many runs proved the no-op
# from the record of the last up (`-v` says so), and no-op / cold per binary.
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/tests/netns/lib.sh"
enter_sandbox "$@"
set +e -u
N=${N:-50000}
RUNS=${RUNS:-3}
ROUNDS=${ROUNDS:-5}
BINS=${BINS:?give BINS="old-vpngw new-vpngw"}
set -- $BINS
[ $# -eq 2 ] || die "BINS names two binaries"
BIN=("$(readlink -f "$1")" "$(readlink -f "$2")")
W=$SANDBOX_DIR
seed=$W/seed
# scale.sh's own inputs and gateway namespace (as bench/cold_ab.sh reads
# them), so both benches measure the same layout: 4 groups on 4 interfaces,
# the registry seeded and migrated by the first binary.
INLINE=0 IFACES=4 VPNGW=${BIN[0]}
eval "$(sed -n '/^write_inputs() {/,/^}/p; /^gateway_ns() {/,/^}/p; /^end_ns() {/,/^}/p' \
    "$root/bench/scale.sh")"
declare -F write_inputs gateway_ns end_ns >/dev/null || die "cannot read bench/scale.sh's helpers"
write_inputs "$N" "$seed"
PROFILE=$seed/profile.toml

# state_for I DIR: a copy of the seed, opened once by binary I (which migrates
# the registry if its schema is newer) so the timed runs never migrate.
state_for() {
    rm -rf "$2" && cp -a "$seed/state" "$2"
    "${BIN[$1]}" peer add seed --group g1 --qr none --profile "$PROFILE" --state-dir "$2" >/dev/null 2>&1 &&
        "${BIN[$1]}" peer remove seed --profile "$PROFILE" --state-dir "$2" >/dev/null 2>&1 ||
        die "${BIN[$1]}: migrating the seeded peers failed"
}
declare -A T R P  # P: how many runs proved the no-op from the record (-v)
# timed KEY I ARGS...: wall ms into T[KEY.I], peak RSS (KiB) into R[KEY.I]
timed() {
    local key=$1 i=$2 t
    shift 2
    t=$(date +%s%N)
    in_ns gw /usr/bin/time -f '%M' -o "$W/rss" "${BIN[$i]}" -v "$@" >"$W/out.$key.$i" 2>&1
    echo $? >"$W/rc.$key.$i"
    t=$((($(date +%s%N) - t) / 1000000))
    T[$key.$i]="${T[$key.$i]:-} $t"
    grep -q 'proven from its record' "$W/out.$key.$i" && P[$key.$i]=$((${P[$key.$i]:-0} + 1))
    R[$key.$i]="${R[$key.$i]:-} $(tail -1 "$W/rss")"
}

for ((r = 0; r < RUNS; r++)); do
    for i in 0 1; do
        state_for "$i" "$W/s$i"
        gateway_ns gw
        timed cold "$i" up "$PROFILE" --state-dir "$W/s$i"
        grep -q "change(s) applied" "$W/out.cold.$i" || { cat "$W/out.cold.$i"; die "cold up failed"; }
        timed first "$i" up "$PROFILE" --state-dir "$W/s$i"
        end_ns gw
    done
done

state_for 0 "$W/s0"
gateway_ns gw
in_ns gw "${BIN[0]}" up "$PROFILE" --state-dir "$W/s0" >"$W/out" 2>&1 || { cat "$W/out"; die "up failed"; }
rm -rf "$W/s1" && cp -a "$W/s0" "$W/s1"
for i in 0 1; do  # each binary's first no-op on its copy (it may record or migrate)
    in_ns gw "${BIN[$i]}" up "$PROFILE" --state-dir "$W/s$i" >"$W/out" 2>&1 || { cat "$W/out"; die "up failed"; }
done
for ((r = 0; r < ROUNDS; r++)); do
    for i in 0 1; do timed noop "$i" up "$PROFILE" --state-dir "$W/s$i"; done
    for i in 0 1; do timed status "$i" status "$PROFILE" --state-dir "$W/s$i"; done
done
end_ns gw

stats() {
    printf '%s\n' "$@" | sort -n |
        awk '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%d [%d-%d]", m, a[1], a[NR]}'
}
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mx() { printf '%s\n' "$@" | sort -n | tail -1; }
echo "N=$N RUNS=$RUNS ROUNDS=$ROUNDS (4 interfaces; wall ms, median [min-max]; peak RSS)"
for key in cold first noop status; do
    for i in 0 1; do
        printf '%-7s %-44s %-22s %4d MiB  proven %d/%d\n' "$key" "${BIN[$i]}" "$(stats ${T[$key.$i]})" \
            "$(($(mx ${R[$key.$i]}) / 1024))" "${P[$key.$i]:-0}" "$(wc -w <<<"${T[$key.$i]}")"
    done
done
for i in 0 1; do
    awk -v n="$(med ${T[noop.$i]})" -v f="$(med ${T[first.$i]})" -v c="$(med ${T[cold.$i]})" -v b="${BIN[$i]}" \
        'BEGIN {printf "%s: no-op/cold %.3f, first no-op after cold/cold %.3f\n", b, n / c, f / c}'
done
for key in noop status; do
    for i in 0 1; do
        grep -q '(0 changes)\|kernel: matches' "$W/out.$key.$i" ||
            echo "warning: ${BIN[$i]} $key did not find the kernel matching (rc $(cat "$W/rc.$key.$i"))"
    done
done
