#!/usr/bin/env bash
# What per-peer limits (issue 17) cost the packets of peers WITHOUT limits:
# forwarding through a router namespace under three rulesets for the same
# N peers, interleaved round by round so machine load hits all alike:
#   base     the ruleset of VPNGW_BASE (main before the limits), no limited peers
#   this     this build's ruleset, no limited peers (the maps are empty)
#   limited  this build's ruleset with LIMITED other peers given a quota and a rate
# The client is an unlimited peer. Prints medians [min–max] and ratios to base.
# Namespaces only (tests/netns/lib.sh); the host's network is never touched.
#
#   sudo VPNGW=build/src/vpngw VPNGW_BASE=/path/to/main/vpngw bench/limits_fwd.sh
#
# N peers (default 10000), LIMITED (default 100), RUNS rounds (default 5),
# FWD_SECS seconds per measurement (default 4), FLOWS UDP flows (default 50000).
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
source "$root/tests/netns/lib.sh"
for tool in iperf3 cc python3; do
    command -v "$tool" >/dev/null || die "missing tool: $tool (run scripts/install-deps)"
done
enter_sandbox "$@"
set +e -u

VPNGW=$(readlink -f "${VPNGW:-vpngw}")
VPNGW_BASE=$(readlink -f "${VPNGW_BASE:?the vpngw binary to compare against}")
N=${N:-10000}
LIMITED=${LIMITED:-100}
RUNS=${RUNS:-5}
FWD_SECS=${FWD_SECS:-4}
FLOWS=${FLOWS:-50000}
W=$SANDBOX_DIR
cc -O2 -o "$W/udpflood" "$here/udpflood.c" || die "cannot build udpflood"

stats() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)], a[1], a[NR]}'; }

# profile LIMITED OUT: 4 groups, N inline peers with fixed addresses, the
# first LIMITED of them with a quota and a rate; the last is the client.
profile() {
    python3 - "$N" "$1" >"$2" <<'PY'
import base64, os, sys
n, limited = int(sys.argv[1]), int(sys.argv[2])
key = lambda: base64.b64encode(os.urandom(32)).decode()
print('[gateway]\nname = "bench"\nendpoint = "203.0.113.2:51820"\n')
print('[[uplink]]\nname = "wan0"\ndevice = "eth0"\ngateway = "203.0.113.1"\n')
print('[[interface]]\nname = "wg0"\naddress = ["10.100.255.254/16"]\nbackend = "userspace"\n')
print('[firewall]\nmanagement = { port = 22, allow = ["198.51.100.0/24"] }\n')
for g in range(4):
    print(f'[[group]]\nname = "g{g}"\nsubnet = "10.100.{g * 64}.0/18"\negress = "wan0"\nallow = ["any"]\n')
for i in range(n):
    g, k = i % 4, i // 4 + 1
    extra = 'quota = "50GiB/month"\nrate = "20mbit"\n' if i < limited else ''
    print(f'[[peer]]\nname = "p{i}"\ngroup = "g{g}"\npublic_key = "{key()}"\n'
          f'address = "10.100.{g * 64 + (k >> 8)}.{k & 255}"\n{extra}')
print(f'# client 10.100.{(n - 1) % 4 * 64 + (((n - 1) // 4 + 1) >> 8)}.{((n - 1) // 4 + 1) & 255}')
PY
}

profile 0 "$W/plain.toml"
profile "$LIMITED" "$W/limited.toml"
client=$(sed -n 's/^# client //p' "$W/plain.toml")
"$VPNGW_BASE" plan --nft "$W/plain.toml" --state-dir "$W/s0" >"$W/base.nft" || die "base plan failed"
"$VPNGW" plan --nft "$W/plain.toml" --state-dir "$W/s1" >"$W/this.nft" || die "plan failed"
"$VPNGW" plan --nft "$W/limited.toml" --state-dir "$W/s2" >"$W/limited.nft" || die "plan failed"

source "$here/router_topology.sh"

wait_port() {  # wait_port NS PORT
    local _
    for _ in $(seq 1 50); do
        [ -n "$(in_ns "$1" ss -Hltn "sport = :$2")" ] && return 0
        sleep 0.1
    done
}

declare -A TCP PPS
for ((r = 0; r < RUNS; r++)); do
    for kind in base this limited; do
        router_topology "$client"
        sed -e 's/"wg0"/"rc"/g' -e 's/"eth0"/"rs"/g' "$W/$kind.nft" | in_ns rt nft -f - ||
            echo "warning: loading $kind failed" >&2
        spawn_in srv iperf3 -s -1
        wait_port srv 5201
        bps=$(in_ns cli iperf3 -c 192.0.2.2 -t "$FWD_SECS" -J 2>/dev/null | python3 -c \
            'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])')
        rx0=$(in_ns srv cat /sys/class/net/s0/statistics/rx_packets)
        in_ns cli "$W/udpflood" 192.0.2.2 "$FWD_SECS" "$FLOWS" >/dev/null
        rx1=$(in_ns srv cat /sys/class/net/s0/statistics/rx_packets)
        TCP[$kind]+=" ${bps:-0}"
        PPS[$kind]+=" $(((rx1 - rx0) / FWD_SECS))"
        ip netns del cli; ip netns del rt; ip netns del srv
    done
    echo "round $((r + 1)) of $RUNS done" >&2
done

echo "N = $N peers, $LIMITED limited; $RUNS interleaved rounds of $FWD_SECS s; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| ruleset | TCP Gbit/s | ratio | UDP 64 B kpps | ratio |"
echo "|---|---|---|---|---|"
read -r tb _ _ <<<"$(stats ${TCP[base]})"
read -r pb _ _ <<<"$(stats ${PPS[base]})"
for kind in base this limited; do
    read -r t tl th <<<"$(stats ${TCP[$kind]})"
    read -r p pl ph <<<"$(stats ${PPS[$kind]})"
    awk -v k="$kind" -v t="$t" -v tl="$tl" -v th="$th" -v p="$p" -v pl="$pl" -v ph="$ph" \
        -v tb="$tb" -v pb="$pb" 'BEGIN {
        printf "| %s | %.2f [%.2f–%.2f] | %.2f | %.0f [%.0f–%.0f] | %.2f |\n", k, t / 1e9, tl / 1e9,
            th / 1e9, t / tb, p / 1e3, pl / 1e3, ph / 1e3, p / pb }'
done
