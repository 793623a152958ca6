#!/usr/bin/env bash
# Loader benchmark (issue 16 item 6): `vpngw check` of a profile with N groups
# and `vpngw import wg-quick` of a config with M peers that all share one
# name, each timed at the full size and at a baseline size measured in the
# same run; a linear loader takes about full/baseline times as long. No root,
# no kernel: only files in a temporary directory.
#
#   VPNGW=build/src/vpngw bench/loaders.sh
#   VPNGW=build/src/vpngw GROUPS_N=10000 PEERS_N=5000 bench/loaders.sh   # smoke
#
# GROUPS_N  groups in the profile `check` reads (default 100000)
# PEERS_N   peers in the wg-quick config `import` reads (default 50000)
# BASE_N    the baseline size of both (default 1000)
# RUNS      runs of each measurement; the median is printed (default 3)
# LIMIT_S   the target for the full sizes, in seconds (default 2)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
VPNGW=$(readlink -f "${VPNGW:-$here/../build/src/vpngw}")
GROUPS_N=${GROUPS_N:-100000}
PEERS_N=${PEERS_N:-50000}
BASE_N=${BASE_N:-1000}
RUNS=${RUNS:-3}
LIMIT_S=${LIMIT_S:-2}
command -v python3 >/dev/null || { echo "missing tool: python3" >&2; exit 1; }
[[ -x $VPNGW ]] || { echo "no vpngw binary at $VPNGW (set VPNGW)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# profile N FILE: N groups, each a distinct /28 of 10.0.0.0/8 (disjoint, so
# the profile is valid and every subnet goes through the overlap sweep).
profile() {
    python3 - "$1" >"$2" <<'PY'
import sys
n = int(sys.argv[1])
out = ['[gateway]\nname = "bench"\nendpoint = "vpn.example.net:51820"\n'
       'state_dir = "/var/lib/vpngw-bench-unused"\n'
       '[[interface]]\nname = "wg0"\naddress = ["10.0.0.1/8"]\n'
       '[firewall]\nmanagement = { port = 22, allow = ["198.51.100.7/32"] }\n']
for i in range(n):
    net = (1 + i) * 16  # offset inside 10.0.0.0/8; /28 each, skipping the gateway's
    out.append('[[group]]\nname = "g%d"\nsubnet = "10.%d.%d.%d/28"\n'
               % (i, net >> 16 & 255, net >> 8 & 255, net & 255))
sys.stdout.write(''.join(out))
PY
}

# wgconf M FILE: M peers named "# phone" (every one the same name), each with
# its own key and address.
wgconf() {
    python3 - "$1" >"$2" <<'PY'
import base64, sys
m = int(sys.argv[1])
key = lambda i: base64.b64encode(i.to_bytes(4, 'big') + bytes(27) + b'\x01').decode()
out = ['[Interface]\nPrivateKey = %s\nListenPort = 51820\nAddress = 10.0.0.1/8\n'
       % base64.b64encode(bytes(31) + b'\x40').decode()]
for i in range(m):
    a = 2 + i
    out.append('# phone\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.%d/32\n'
               % (key(i + 1), a >> 16 & 255, a >> 8 & 255, a & 255))
sys.stdout.write(''.join(out))
PY
}

now() { date +%s%N; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
secs() { awk -v ns="$1" 'BEGIN {printf "%.3f", ns / 1e9}'; }

# time_median CMD... -> the median of RUNS wall times in ns; fails if CMD does.
time_median() {
    local runs=() t0 t1
    for ((r = 0; r < RUNS; r++)); do
        t0=$(now)
        "$@" >"$work/out" 2>&1 || { cat "$work/out" >&2; echo "failed: $*" >&2; return 1; }
        t1=$(now)
        runs+=($((t1 - t0)))
    done
    median "${runs[@]}"
}

check_of() { "$VPNGW" check "$work/groups-$1.toml"; }
import_of() {
    rm -rf "$work/state-$1" "$work/imported-$1.toml"
    mkdir -m 700 "$work/state-$1"
    "$VPNGW" import wg-quick "$work/wg$1/wg0.conf" -o "$work/imported-$1.toml" \
        --state-dir "$work/state-$1"
}

for n in "$BASE_N" "$GROUPS_N"; do profile "$n" "$work/groups-$n.toml"; done
for m in "$BASE_N" "$PEERS_N"; do mkdir -p "$work/wg$m" && wgconf "$m" "$work/wg$m/wg0.conf"; done

fails=0
report() {  # report WHAT N BASE_NS FULL_NS
    local what=$1 n=$2 base=$3 full=$4 verdict=ok
    awk -v f="$full" -v l="$LIMIT_S" 'BEGIN {exit !(f / 1e9 < l)}' || { verdict=OVER; fails=1; }
    printf '%-22s %7s: %7ss   %6s: %7ss   time ratio %6.1f for size ratio %5.1f   (<%ss: %s)\n' \
        "$what" "$BASE_N" "$(secs "$base")" "$n" "$(secs "$full")" \
        "$(awk -v a="$full" -v b="$base" 'BEGIN {print a / b}')" \
        "$(awk -v a="$n" -v b="$BASE_N" 'BEGIN {print a / b}')" "$LIMIT_S" "$verdict"
}

echo "$("$VPNGW" --version 2>/dev/null || echo vpngw) — medians of $RUNS runs; load average $(cut -d" " -f1 /proc/loadavg)"
report "check (groups)" "$GROUPS_N" "$(time_median check_of "$BASE_N")" \
    "$(time_median check_of "$GROUPS_N")"
# The import must have made one name per peer, all different.
import_of "$PEERS_N" >/dev/null
names=$(grep -c '^name = "phone' "$work/imported-$PEERS_N.toml")
distinct=$(grep '^name = "phone' "$work/imported-$PEERS_N.toml" | sort -u | wc -l)
[[ $names == "$PEERS_N" && $distinct == "$PEERS_N" ]] ||
    { echo "import made $names peer names, $distinct distinct, for $PEERS_N peers" >&2; exit 1; }
report "import wg-quick (peers)" "$PEERS_N" "$(time_median import_of "$BASE_N")" \
    "$(time_median import_of "$PEERS_N")"
exit $fails
