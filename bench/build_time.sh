#!/usr/bin/env bash
# Build time of this tree against a baseline revision, measured in the same
# run on the same machine (issue 15: the CLI11 command table).
#
#   bench/build_time.sh [BASE_REV]            # default a3739bc, the tree before
#   FULL=1 bench/build_time.sh [BASE_REV]     # also both from-scratch builds (~25 min on 2 cores)
#
# Both trees come from `git archive` (BASE_REV and HEAD: commit first) and are
# configured in fresh build directories (RelWithDebInfo, no compiler launcher).
# Always: every translation unit of src/$MODULE (default cli) compiled alone,
# one at a time, with its CPU time (user+sys of the compiler, which other load
# on the machine barely moves) and wall time. With FULL=1: the whole build,
# `cmake --build DIR -j$JOBS` from scratch with CCACHE_DISABLE=1, under
# /usr/bin/time: wall and CPU seconds and peak RSS. Prints the ratios.
set -euo pipefail
base_rev=${1:-a3739bc}
module=${MODULE:-cli}
jobs=${JOBS:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/vpngw-build-time.XXXXXX)
trap 'rm -rf "$work"' EXIT
export CCACHE_DISABLE=1

prepare() {  # prepare NAME REV: the tree at REV, configured
    mkdir -p "$work/$1"
    git -C "$root" archive "$2" | tar -x -C "$work/$1"
    cmake -S "$work/$1" -B "$work/$1/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
}

# tu_times BUILD_DIR: "cpu wall file" per TU of src/$module, then the sum.
tu_times() {
    python3 - "$1" "/src/$module/" <<'PY'
import json, os, resource, shlex, subprocess, sys, time
build, part = sys.argv[1], sys.argv[2]
rows = []
for e in json.load(open(os.path.join(build, "compile_commands.json"))):
    if part not in e["file"]:
        continue
    args = shlex.split(e["command"])
    out = os.path.join(build, "tu-timing.o")
    args[args.index("-o") + 1] = out
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(args, cwd=e["directory"], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    rows.append((cpu, time.monotonic() - start, e["file"].split("/src/", 1)[1]))
for cpu, wall, name in sorted(rows, reverse=True):
    print(f"  {cpu:6.1f} s cpu {wall:6.1f} s wall  src/{name}")
print(f"  {sum(r[0] for r in rows):6.1f} s cpu over {len(rows)} translation units")
PY
}

# full_build DIR: "wall cpu rss_mib" of a from-scratch build.
full_build() {
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" cmake --build "$1" -j"$jobs" >/dev/null
    awk '{printf "%.0f %.0f %.0f\n", $1, $2 + $3, $4 / 1024}' "$work/time"
}

echo "== trees: base $base_rev, head $(git -C "$root" rev-parse --short HEAD); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
prepare base "$base_rev"
prepare head HEAD

echo "== src/$module, one translation unit at a time (base)"
tu_times "$work/base/build" | tee "$work/base.tu"
echo "== src/$module, one translation unit at a time (head)"
tu_times "$work/head/build" | tee "$work/head.tu"
b=$(tail -1 "$work/base.tu" | awk '{print $1}')
h=$(tail -1 "$work/head.tu" | awk '{print $1}')
awk -v b="$b" -v h="$h" -v m="$module" \
    'BEGIN {printf "src/%s CPU: base %.1f s, head %.1f s, ratio head/base %.2f\n", m, b, h, h / b}'

if [ "${FULL:-0}" = 1 ]; then
    echo "== from-scratch builds, -j$jobs, ccache disabled (wall s, cpu s, peak RSS MiB)"
    read -r bw bc br < <(full_build "$work/base/build")
    echo "base: ${bw} s wall, ${bc} s cpu, ${br} MiB"
    read -r hw hc hr < <(full_build "$work/head/build")
    echo "head: ${hw} s wall, ${hc} s cpu, ${hr} MiB"
    awk -v bw="$bw" -v hw="$hw" -v bc="$bc" -v hc="$hc" \
        'BEGIN {printf "ratio head/base: wall %.2f, cpu %.2f (target: head wall <= 420 s)\n", hw / bw, hc / bc}'
fi
