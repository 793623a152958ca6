#!/usr/bin/env bash
# Benchmark (not a test): A/B of cold `vpngw up` between vpngw binaries against
# the floor of bench/scale.sh, in the same window. The inputs (profile,
# registry, wg configs, ruleset) are bench/scale.sh's own (its write_inputs,
# read from that file so both benches measure the same thing). Each round runs
# the floor and a cold up with every binary in turn (F A B F A B ...), each in
# a fresh namespace of a private mount namespace (tests/netns/lib.sh), so a
# machine that gets busier or quieter shifts them alike. Prints per binary the
# median wall ms [min–max] and the median of its per-round ratios cold/floor.
#   sudo N=50000 ROUNDS=5 BINS="/tmp/vpngw.old build/src/vpngw" bench/cold_ab.sh
# IFACES 1 or 4 as in bench/scale.sh (default 4); WRAP="CMD ARGS..." runs one
# more cold up of the last binary under CMD (a profiler), e.g.
#   WRAP="perf record -g -o /tmp/cold.perf --" or WRAP="strace -f -tt -o /tmp/cold.st"
# KEEP=DIR keeps the rounds' figures (cold_ab.tsv) in DIR.
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
source "$root/tests/netns/lib.sh"
enter_sandbox "$@"
set +e -u
N=${N:-50000} ROUNDS=${ROUNDS:-5} IFACES=${IFACES:-4} WRAP=${WRAP:-}
INLINE=0  # write_inputs: the peers in the registry, as in scale.sh's default
BINS=${BINS:?give BINS="old-vpngw new-vpngw"}
bins=()
for b in $BINS; do bins+=("$(readlink -f "$b")"); done
VPNGW=${bins[0]}  # seeds the registry in write_inputs
W=$SANDBOX_DIR
# scale.sh's own helpers and floor, so both benches measure the same thing.
eval "$(sed -n '/^now() /p; /^med() /p; /^stats() {/,/^}/p; /^write_inputs() {/,/^}/p
    /^gateway_ns() {/,/^}/p; /^end_ns() {/,/^}/p; /^measure_floor() {/,/^}/p' "$here/scale.sh")"
declare -F now med stats write_inputs gateway_ns end_ns measure_floor >/dev/null ||
    die "cannot read bench/scale.sh's helpers"
# The CPU seconds (user + system) the processes left in a namespace have used
# (the wireguard-go daemons, whose work dominates a cold up), recorded in
# $W/cpu.NS as the namespace is ended.
eval "scale_$(declare -f end_ns)"
end_ns() {  # end_ns NS
    local pid hz
    hz=$(getconf CLK_TCK)
    for pid in $(ip netns pids "$1" 2>/dev/null); do
        awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null
    done | awk -v hz="$hz" '{s += $1} END {printf "%.2f", s / hz}' >"$W/cpu.$1"
    scale_end_ns "$1"
}

dir=$W/in
echo "inputs: $N peers on $IFACES interface(s) ..." >&2
write_inputs "$N" "$dir"
tsv=$W/cold_ab.tsv

floor_once() {  # floor_once ROUND -> "ns daemons_cpu_s"
    T_floor=()
    RUNS=1 measure_floor "$dir" "${N}x$1"  # its namespace is fl0
    echo "${T_floor[0]} $(cat "$W/cpu.fl0")"
}

cold_once() {  # cold_once ROUND BIN_INDEX [WRAPPER...] -> "ns vpngw_cpu_s daemons_cpu_s"
    local r=$1 b=$2 ns=gw$1b$2 st=$W/st t
    shift 2
    rm -rf "$st" && cp -a "$dir/state" "$st" && rm -f "$st/profile.cache"
    gateway_ns "$ns"
    t=$(now)
    in_ns "$ns" /usr/bin/time -f '%U %S' -o "$W/cpu" "$@" "${bins[$b]}" up "$dir/profile.toml" \
        --state-dir "$st" >"$W/out" 2>&1 ||
        { echo "warning: ${bins[$b]} up failed:" >&2; tail -5 "$W/out" >&2; }
    t=$(($(now) - t))
    end_ns "$ns"
    echo "$t $(tail -1 "$W/cpu" | awk '{printf "%.2f", $1 + $2}') $(cat "$W/cpu.$ns")"
}

for ((r = 0; r < ROUNDS; r++)); do
    read -r f fcpu < <(floor_once "$r")
    line="$r floor $(($f / 1000000)) ms, daemons ${fcpu}s"
    for ((b = 0; b < ${#bins[@]}; b++)); do
        read -r c cpu dcpu < <(cold_once "$r" "$b")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$b" "$c" "$f" "$cpu" "$dcpu" "$fcpu" >>"$tsv"
        line+=" | bin$b $(($c / 1000000)) ms ($(awk -v c="$c" -v f="$f" 'BEGIN {printf "%.2f", c / f}')x)"
        line+=" cpu ${cpu}s, daemons ${dcpu}s"
    done
    echo "round $line" >&2
done

echo "cold up at $N peers, $IFACES interface(s), $ROUNDS rounds; load $(cut -d' ' -f1-3 /proc/loadavg)"
ms3() { awk -v a="$1" -v b="$2" -v c="$3" 'BEGIN {printf "%.0f ms [%.0f–%.0f]", a / 1e6, b / 1e6, c / 1e6}'; }
fl=($(awk -F'\t' '$2 == 0 {print $4}' "$tsv"))
s=($(stats "${fl[@]}"))
echo "floor      $(ms3 "${s[@]}")  daemons $(med $(awk -F'\t' '$2 == 0 {print $7}' "$tsv"))s"
for ((b = 0; b < ${#bins[@]}; b++)); do
    col() { awk -F'\t' -v b="$b" "\$2 == b {print $1}" "$tsv"; }
    s=($(stats $(col '$3'))) q=($(stats $(col '$3 / $4'))) u=($(stats $(col '$5')))
    d=($(stats $(col '$6')))
    printf 'bin%d cold  %s  cold/floor %.2f [%.2f–%.2f]  cpu %ss, daemons %ss (medians)  %s\n' "$b" \
        "$(ms3 "${s[@]}")" "${q[0]}" "${q[1]}" "${q[2]}" "${u[0]}" "${d[0]}" "${bins[$b]}"
done

if [ -n "$WRAP" ]; then
    read -r c cpu dcpu < <(cold_once wrap $((${#bins[@]} - 1)) $WRAP)
    echo "under $WRAP: $(($c / 1000000)) ms, cpu ${cpu}s, daemons ${dcpu}s" >&2
fi
if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp "$tsv" "$KEEP/"; fi
