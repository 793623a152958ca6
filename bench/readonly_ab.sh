#!/usr/bin/env bash
# Benchmark (not a test): A/B of the read-only commands (status, peer list
# [--json], peer show, metrics) between vpngw binaries in the same window.
# N peers (in the registry, or INLINE=1 in the profile), the gateway up in a
# namespace of a private mount namespace (tests/netns/lib.sh), then ROUNDS
# rounds; each round runs every command with every binary in turn (A B A B
# ...). Prints the median wall ms and the largest peak RSS per binary and
# command, and whether the first two binaries' outputs are byte-identical.
#   sudo N=50000 ROUNDS=3 BINS="/tmp/vpngw.old build/src/vpngw" bench/readonly_ab.sh
# CMDS picks commands (status statusjson listjson list show metrics);
# PERF=1 also records `perf` (perf.CMD.data) and heaptrack runs of the last binary.
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/tests/netns/lib.sh"
enter_sandbox "$@"
set +e -u
N=${N:-50000}
ROUNDS=${ROUNDS:-3}
INLINE=${INLINE:-0}
BINS=${BINS:?give BINS="old-vpngw new-vpngw"}
CMDS=${CMDS:-status listjson list show metrics}
W=$SANDBOX_DIR
dir=$W/in
mkdir -p "$dir/state" && chmod 700 "$dir/state"
cat >"$dir/profile.toml" <<EOF
[gateway]
name = "scale"
endpoint = "203.0.113.2:51820"
state_dir = "/var/lib/vpngw-scale-unused"

[[uplink]]
name = "wan0"
device = "eth0"
gateway = "203.0.113.1"

[[interface]]
name = "wg0"
listen_port = 51820
address = ["10.100.255.254/16"]
backend = "userspace"

[firewall]
management = { port = 22, allow = ["198.51.100.0/24"] }
EOF
for g in 0 1 2 3; do
    cat >>"$dir/profile.toml" <<EOF

[[group]]
name = "g$g"
interface = "wg0"
subnet = "10.100.$((g * 64)).0/18"
egress = "wan0"
allow = ["any"]
EOF
done
python3 - "$N" "$dir" "$INLINE" <<'PY'
import base64, os, sys
n, d, inline = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
key = lambda: base64.b64encode(os.urandom(32)).decode()
with open(f"{d}/state/peers.tsv", "w") as st, open(f"{d}/profile.toml", "a") as prof:
    st.write("vpngw-peers 2\n")
    for i in range(n):
        g, k = i % 4, i // 4 + 1
        addr = f"10.100.{g * 64 + (k >> 8)}.{k & 255}"
        pub = key()
        if inline:
            prof.write(f'\n[[peer]]\nname = "p{i}"\ngroup = "g{g}"\npublic_key = "{pub}"\naddress = "{addr}"\n')
        else:
            st.write(f"p{i}\tg{g}\t{pub}\t{addr}\t-\t-\t2024-05-01T12:00:00Z\n")
os.chmod(f"{d}/state/peers.tsv", 0o600)
PY
set -- $BINS
B0=$(readlink -f "$1")
"$B0" peer add seed --group g1 --qr none --profile "$dir/profile.toml" --state-dir "$dir/state" >/dev/null 2>&1
[ "$INLINE" = 1 ] || "$B0" peer remove seed --profile "$dir/profile.toml" --state-dir "$dir/state" >/dev/null 2>&1
"$B0" peer add viewer --group g2 --qr none --profile "$dir/profile.toml" --state-dir "$dir/state" >/dev/null 2>&1
netns_add gw
ip link add eth0 netns gw type veth peer name up0 netns gw
in_ns gw ip addr add 203.0.113.2/24 dev eth0
in_ns gw ip link set eth0 up
in_ns gw ip link set up0 up
in_ns gw "$B0" up "$dir/profile.toml" --state-dir "$dir/state" >"$W/out" 2>&1 || { cat "$W/out"; exit 1; }
P=$dir/profile.toml S=$dir/state
args_of() {
    case $1 in
        status) echo "status $P --state-dir $S" ;;
        statusjson) echo "status --json $P --state-dir $S" ;;
        listjson) echo "peer list --json --profile $P --state-dir $S" ;;
        list) echo "peer list --profile $P --state-dir $S" ;;
        show) echo "peer show viewer --qr none --profile $P --state-dir $S" ;;
        metrics) echo "metrics $P --state-dir $S" ;;
    esac
}
declare -A T R
for ((r = 0; r < ROUNDS; r++)); do
    for c in $CMDS; do
        bi=0
        for b in $BINS; do
            t=$(date +%s%N)
            in_ns gw /usr/bin/time -f '%M' -o "$W/rss" "$b" $(args_of "$c") >"$W/out.$bi.$c" 2>"$W/err.$bi.$c"
            t=$((($(date +%s%N) - t) / 1000000))
            T[$bi.$c]="${T[$bi.$c]:-} $t"
            R[$bi.$c]="${R[$bi.$c]:-} $(tail -1 "$W/rss")"
            bi=$((bi + 1))
        done
    done
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mx() { printf '%s\n' "$@" | sort -n | tail -1; }
echo "N=$N INLINE=$INLINE ROUNDS=$ROUNDS"
for c in $CMDS; do
    bi=0
    for b in $BINS; do
        printf '%-11s %-40s median %5d ms (%s) max RSS %4d MiB\n' "$c" "$b" "$(med ${T[$bi.$c]})" "${T[$bi.$c]# }" "$(( $(mx ${R[$bi.$c]}) / 1024 ))"
        bi=$((bi + 1))
    done
    if [ "$bi" -eq 2 ]; then
        # outputs equal apart from ages (handshake) -> compare raw
        cmp -s "$W/out.0.$c" "$W/out.1.$c" && echo "  $c: stdout identical" || { echo "  $c: stdout DIFFERS"; diff "$W/out.0.$c" "$W/out.1.$c" | head -8; }
        cmp -s "$W/err.0.$c" "$W/err.1.$c" || { echo "  $c: stderr differs"; diff "$W/err.0.$c" "$W/err.1.$c" | head -6; }
    fi
done
if [ "${PERF:-0}" = 1 ]; then
    for c in $CMDS; do
        in_ns gw perf record -F ${PERF_F:-500} ${PERF_G:---call-graph dwarf,32768} -o perf.$c.data "$b" $(args_of "$c") >/dev/null 2>&1
        [ "${HEAP:-1}" = 1 ] && in_ns gw heaptrack -o heap.$c $b $(args_of "$c") >/dev/null 2>&1
    done
fi
in_ns gw "$B0" down "$P" --state-dir "$S" >/dev/null 2>&1
