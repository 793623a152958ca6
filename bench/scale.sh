#!/usr/bin/env bash
# Scale benchmark (issues 8 and 19): vpngw with N peers over 4 groups on 4
# interfaces, side by side with the floor (one `wg setconf` per interface + one
# `nft -f` of the same ruleset) and the scripted baseline (one `wg set` + one
# iptables rule per peer), the peak RSS of every vpngw command, plus the
# forwarding rate through a router namespace under each kind of ruleset.
# Everything happens in namespaces of a private mount namespace (see
# tests/netns/lib.sh); the host's network is never touched.
#
#   sudo VPNGW=build/src/vpngw bench/scale.sh
#   sudo VPNGW=build/src/vpngw SIZES=1000 RUNS=1 FWD_SECS=2 WRITE_DOCS=0 bench/scale.sh  # smoke
#
# SIZES     peer counts (default "1000 10000 50000 200000"; up to 4 x 65,536 =
#           262,144 with IFACES=4: wireguard-go holds 65,536 per device)
# IFACES    interfaces the 4 groups are spread over: 4 (default: wg0..wg3, one
#           group each, own listen port and key) or 1 (every group on wg0, the
#           layout of the runs before 2026-12-07 15:00; SIZES up to 65,536)
# RUNS      runs of each measurement; medians are printed (default 3)
# BASELINE  peers for the scripted baseline, extrapolated to each N (default 1000)
# FWD_SECS  seconds of each forwarding run (default 5)
# FWD_ROUNDS rounds of forwarding runs; each round runs every ruleset once, in
#           turn (A B C A B C ...), so a machine that gets busier or quieter
#           during the run shifts all rulesets alike (default 5)
# FWD_MAX_ROUNDS more rounds, up to this many, while vpngw's median is not yet
#           apart from the reference's by more than their spread (default 9)
# FLOWS     distinct UDP flows the small-packet sender cycles through (default 50000)
# WRITE_DOCS=1 replaces the scale section of docs/benchmarks.md (default 1)
# KEEP=DIR  copies the section, data/ and img/ of the run to DIR (default: none)
# INLINE=1  the peers are [[peer]] tables in the profile instead of seeded into
#           the registry (default 0); WRITE_DOCS then defaults to 0
# FWD=0     skips the forwarding runs (default 1)
# FWD_UPTO  the largest N that gets forwarding runs (default 50000: the vpngw
#           ruleset's lookups are sets, flat in N, while the rounds at 200,000
#           would cost ~10 minutes, mostly loading 200,000 linear iptables rules)
# FWD_ONLY=1 measures only the forwarding rounds (no up/down/floor/baseline,
#           no docs) and prints their table (default 0)
# FWD_KINDS the rulesets of the forwarding rounds (default
#           "none stateful stateful_nat vpngw linear")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
source "$root/tests/netns/lib.sh"
for tool in iperf3 iptables-restore cc python3 gnuplot /usr/bin/time; do
    command -v "$tool" >/dev/null || die "missing tool: $tool (run scripts/install-deps)"
done
enter_sandbox "$@"
# A failed measurement is reported and the run goes on (lib.sh sets -e).
set +e -u

VPNGW=$(readlink -f "${VPNGW:-vpngw}")
SIZES=${SIZES:-1000 10000 50000 200000}
RUNS=${RUNS:-3}
BASELINE=${BASELINE:-1000}
FWD_SECS=${FWD_SECS:-5}
FWD_ROUNDS=${FWD_ROUNDS:-5}
FWD_MAX_ROUNDS=${FWD_MAX_ROUNDS:-9}
FLOWS=${FLOWS:-50000}
INLINE=${INLINE:-0}
FWD=${FWD:-1}
FWD_UPTO=${FWD_UPTO:-50000}
WRITE_DOCS=${WRITE_DOCS:-$([ "$INLINE" = 1 ] && echo 0 || echo 1)}
FWD_ONLY=${FWD_ONLY:-0}
FWD_KINDS=${FWD_KINDS:-none stateful stateful_nat vpngw linear}
IFACES=${IFACES:-4}
RSS_TARGET_MIB=128  # issue 19 item 4: every vpngw command at 200,000 peers
case $IFACES in 1 | 4) ;; *) die "IFACES must be 1 or 4, not $IFACES" ;; esac
for n in $SIZES; do  # wireguard-go stops at 65,536 peers on one device
    [ "$n" -le $((IFACES * 65536)) ] ||
        die "$n peers need more than $IFACES userspace interface(s) of 65,536 peers: set IFACES=4"
done
W=$SANDBOX_DIR
cc -O2 -o "$W/udpflood" "$here/udpflood.c" || die "cannot build udpflood"

now() { date +%s%N; }
# stats VALUES... -> "median min max" (numerically sorted)
# (an even count's median is the mean of the middle two)
stats() {
    printf '%s\n' "$@" | sort -g |
        awk '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.15g %s %s\n", m, a[1], a[NR]}'
}
med() { stats "$@" | cut -d' ' -f1; }
ms() { awk -v ns="$1" 'BEGIN {printf "%.0f", ns / 1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}'; }
spread() { local s; s=($(stats "$@")); echo "${s[1]}–${s[2]}"; }
# mad VALUES... -> the median absolute deviation from the median
mad() {
    local m
    m=$(med "$@")
    med $(printf '%s\n' "$@" | awk -v m="$m" '{d = $1 - m; print (d < 0 ? -d : d)}')
}
# apart A_NAME B_NAME -> exit 0 when the medians of the two arrays differ by
# more than the sum of their median absolute deviations (outside the noise)
apart() {
    local -n a=$1 b=$2
    awk -v ma="$(med "${a[@]}")" -v mb="$(med "${b[@]}")" -v da="$(mad "${a[@]}")" \
        -v db="$(mad "${b[@]}")" 'BEGIN {d = ma - mb; if (d < 0) d = -d; exit !(d > da + db)}'
}

# --- inputs for N peers: profile, state, wg config, iptables rules ----------
write_inputs() {  # write_inputs N DIR
    local n=$1 dir=$2 i g addrs
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

[firewall]
management = { port = 22, allow = ["198.51.100.0/24"] }
EOF
    # Interface wg<i> (own listen port, own key) carries the groups g with
    # g % IFACES = i and holds the last host address of each of their /16s.
    for ((i = 0; i < IFACES; i++)); do
        addrs=""
        for ((g = i; g < 4; g += IFACES)); do addrs+="${addrs:+, }\"10.$((100 + g)).255.254/16\""; done
        cat >>"$dir/profile.toml" <<EOF

[[interface]]
name = "wg$i"
listen_port = $((51820 + i))
address = [$addrs]
backend = "userspace"
EOF
    done
    for g in 0 1 2 3; do
        cat >>"$dir/profile.toml" <<EOF

[[group]]
name = "g$g"
interface = "wg$((g % IFACES))"
subnet = "10.$((100 + g)).0.0/16"
egress = "wan0"
allow = ["any"]
EOF
    done
    python3 - "$n" "$dir" "$INLINE" "$IFACES" <<'PY'
import base64, os, sys
n, d, inline, ifaces = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1", int(sys.argv[4])
key = lambda: base64.b64encode(os.urandom(32)).decode()
wgs = [open(f"{d}/wg{i}.conf", "w") for i in range(ifaces)]  # one `wg setconf` each
for i, wg in enumerate(wgs):
    wg.write(f"[Interface]\nPrivateKey = {key()}\nListenPort = {51820 + i}\n")
with open(f"{d}/state/peers.tsv", "w") as st, \
        open(f"{d}/iptables.rules", "w") as ipt, open(f"{d}/peers.list", "w") as pl, \
        open(f"{d}/profile.toml", "a") as prof:
    st.write("vpngw-peers 2\n")
    ipt.write("*filter\n:FORWARD DROP [0:0]\n-A FORWARD -o rc -j ACCEPT\n")
    for i in range(n):
        g, k = i % 4, i // 4 + 1          # 4 groups, offsets from 1 in each /16
        addr = f"10.{100 + g}.{k >> 8}.{k & 255}"
        pub = key()
        if inline:
            prof.write(f'\n[[peer]]\nname = "p{i}"\ngroup = "g{g}"\npublic_key = "{pub}"\naddress = "{addr}"\n')
        else:
            st.write(f"p{i}\tg{g}\t{pub}\t{addr}\t-\t-\t2024-05-01T12:00:00Z\n")
        wgs[g % ifaces].write(f"[Peer]\nPublicKey = {pub}\nAllowedIPs = {addr}/32\n")
        ipt.write(f"-A FORWARD -i rc -s {addr}/32 -j ACCEPT\n")
        pl.write(f"{pub} {addr} wg{g % ifaces}\n")
    ipt.write("COMMIT\n")
for wg in wgs:
    wg.close()
os.chmod(f"{d}/state/peers.tsv", 0o600)
PY
    # The last peer: the client of the forwarding runs, behind every linear
    # rule; its interface is the one the router's client-side veth stands for.
    tail -1 "$dir/peers.list" | cut -d' ' -f2 >"$dir/client.addr"
    tail -1 "$dir/peers.list" | cut -d' ' -f3 >"$dir/client.iface"
    # The seed is a peers.tsv of the last release: migrate it into the
    # registry (peers.db) here, once, so `up` and `peer add` below are timed
    # on the registry and not on the one-time migration.
    "$VPNGW" peer add seed --group g1 --qr none --profile "$dir/profile.toml" \
        --state-dir "$dir/state" >/dev/null 2>&1 &&
        "$VPNGW" peer remove seed --profile "$dir/profile.toml" --state-dir "$dir/state" \
            >/dev/null 2>&1 || die "migrating the seeded state into peers.db failed"
    "$VPNGW" plan --nft --offline "$dir/profile.toml" --state-dir "$dir/state" >"$dir/ruleset.nft" ||
        die "vpngw plan --nft failed"
}

# A gateway namespace with the profile's uplink device.
gateway_ns() {
    netns_add "$1"
    ip link add eth0 netns "$1" type veth peer name up0 netns "$1"
    in_ns "$1" ip addr add 203.0.113.2/24 dev eth0
    in_ns "$1" ip link set eth0 up
    in_ns "$1" ip link set up0 up
}

# vpngw_timed NS LABEL ARGS...: appends wall ns to T_<LABEL>, peak RSS (KiB) to R_<LABEL>.
vpngw_timed() {
    local ns=$1 label=$2 t rc
    shift 2
    t=$(now)
    in_ns "$ns" /usr/bin/time -f '%M' -o "$W/rss" "$VPNGW" "$@" >"$W/out" 2>&1
    rc=$?
    t=$(($(now) - t))
    [ $rc -eq 0 ] || [ "$label" = status ] || { echo "vpngw $* failed:" >&2; tail -5 "$W/out" >&2; }
    eval "T_$label+=($t); R_$label+=($(tail -1 "$W/rss"))"
}

measure_vpngw() {  # measure_vpngw DIR
    local dir=$1 r ns st
    for ((r = 0; r < RUNS; r++)); do
        ns=gw$r st=$W/st$r
        rm -rf "$st" && cp -a "$dir/state" "$st"
        # Cold: the first load of this profile text (no cached parse yet).
        rm -f "$st/profile.cache"
        gateway_ns "$ns"
        vpngw_timed "$ns" cold up "$dir/profile.toml" --state-dir "$st"
        vpngw_timed "$ns" noop up "$dir/profile.toml" --state-dir "$st"
        grep -q "(0 changes)" "$W/out" || echo "warning: the second up was not a no-op" >&2
        vpngw_timed "$ns" status status "$dir/profile.toml" --state-dir "$st"
        vpngw_timed "$ns" plan plan "$dir/profile.toml" --state-dir "$st"
        vpngw_timed "$ns" list peer list --json --profile "$dir/profile.toml" --state-dir "$st"
        # The first add on a freshly copied state (its pages not cached by
        # this process yet, as after a reboot); the next add is the everyday one.
        vpngw_timed "$ns" first peer add "first$r" --group g1 --qr none \
            --profile "$dir/profile.toml" --state-dir "$st"
        vpngw_timed "$ns" add peer add "new$r" --group g1 --qr none --profile "$dir/profile.toml" \
            --state-dir "$st"
        vpngw_timed "$ns" remove peer remove "new$r" --profile "$dir/profile.toml" --state-dir "$st"
        vpngw_timed "$ns" down down "$dir/profile.toml" --state-dir "$st"
        end_ns "$ns"
    done
}

# Deleting a namespace does not end the wireguard-go daemons started in it
# (they hold it alive): end them first, by the PIDs the namespace lists.
end_ns() {  # end_ns NS
    local pid
    for pid in $(ip netns pids "$1" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    ip netns del "$1"
}

# The floor: per interface a fresh wireguard-go and one `wg setconf` with its
# peers, one after the other as vpngw does; then one `nft -f` of vpngw's own
# ruleset for them all.
measure_floor() {  # measure_floor DIR N
    local dir=$1 r ns t i
    for ((r = 0; r < RUNS; r++)); do
        ns=fl$r
        netns_add "$ns"
        t=$(now)
        for ((i = 0; i < IFACES; i++)); do
            # Unique interface names: wireguard-go sockets share /run/wireguard.
            in_ns "$ns" wireguard-go "f$2r${r}i$i" >/dev/null 2>&1 || echo "warning: wireguard-go failed" >&2
            in_ns "$ns" wg setconf "f$2r${r}i$i" "$dir/wg$i.conf" || echo "warning: wg setconf failed" >&2
        done
        in_ns "$ns" nft -f "$dir/ruleset.nft" || echo "warning: nft -f failed" >&2
        T_floor+=($(($(now) - t)))
        end_ns "$ns"
    done
}

# The scripted way: one `wg set` and one `iptables -A` process per peer, on
# the interface of the peer's group (each started before the clock runs).
measure_scripted() {  # measure_scripted DIR -> T_scripted (BASELINE peers)
    local dir=$1 r ns t pub addr iface i
    for ((r = 0; r < RUNS; r++)); do
        ns=sc$r
        netns_add "$ns"
        for ((i = 0; i < IFACES; i++)); do
            in_ns "$ns" wireguard-go "s${BASELINE}r${r}i$i" >/dev/null 2>&1 ||
                echo "warning: wireguard-go failed" >&2
        done
        t=$(now)
        while read -r pub addr iface; do
            in_ns "$ns" wg set "s${BASELINE}r${r}i${iface#wg}" peer "$pub" allowed-ips "$addr/32"
            in_ns "$ns" iptables -A FORWARD -i "$iface" -s "$addr/32" -j ACCEPT
        done < <(head -n "$BASELINE" "$dir/peers.list")
        T_scripted+=($(($(now) - t)))
        end_ns "$ns"
    done
}

# --- forwarding: client -> router -> server ---------------------------------
# cli (the last peer's address) --veth c0/rc--> rt --veth rs/s0--> srv
source "$here/router_topology.sh"

load_ruleset() {  # load_ruleset KIND DIR
    case $1 in
        none) ;;
        stateful)
            in_ns rt nft -f - <<'EOF'
table inet minimal {
    chain forward {
        type filter hook forward priority filter; policy drop;
        ct state established,related accept
        iifname "rc" accept
    }
}
EOF
            ;;
        stateful_nat)
            in_ns rt nft -f - <<'EOF'
table inet minimal {
    chain forward {
        type filter hook forward priority filter; policy drop;
        ct state established,related accept
        iifname "rc" accept
    }
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "rs" masquerade
    }
}
EOF
            ;;
        vpngw)  # the client's interface is the router's veth rc, the uplink rs
            sed -e "s/\"$(cat "$2/client.iface")\"/\"rc\"/g" -e 's/"eth0"/"rs"/g' "$2/ruleset.nft" |
                in_ns rt nft -f -
            ;;
        linear) in_ns rt iptables-restore <"$2/iptables.rules" ;;
    esac
}

measure_forwarding() {  # measure_forwarding DIR KIND: one run -> TCP_<KIND>, PPS_<KIND>
    local dir=$1 kind=$2 bps sent rx0 rx1
    router_topology "$(cat "$dir/client.addr")"
    load_ruleset "$kind" "$dir" || echo "warning: loading the $kind ruleset failed" >&2
    spawn_in srv iperf3 -s -1 >/dev/null 2>&1
    local i
    for i in $(seq 1 50); do  # until iperf3 listens (bounded), not a fixed time
        [ -n "$(in_ns srv ss -Hltn 'sport = :5201')" ] && break
        sleep 0.1
    done
    bps=$(in_ns cli iperf3 -c 192.0.2.2 -t "$FWD_SECS" -J 2>/dev/null |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])' 2>/dev/null)
    eval "TCP_$kind+=(${bps:-0})"
    rx0=$(in_ns srv cat /sys/class/net/s0/statistics/rx_packets)
    sent=$(in_ns cli "$W/udpflood" 192.0.2.2 "$FWD_SECS" "$FLOWS")
    rx1=$(in_ns srv cat /sys/class/net/s0/statistics/rx_packets)
    eval "PPS_$kind+=($(((rx1 - rx0) / FWD_SECS)))"
    ip netns del cli; ip netns del rt; ip netns del srv
}

# Rounds of every ruleset in turn until vpngw's medians stand apart from the
# NAT reference's (or FWD_MAX_ROUNDS); sets ROUNDS_DONE and SEPARATED_TCP/_PPS.
measure_forwarding_rounds() {  # measure_forwarding_rounds DIR KINDS...
    local dir=$1 kind round=0
    shift
    for kind in "$@"; do eval "TCP_$kind=() PPS_$kind=()"; done
    while :; do
        round=$((round + 1))
        echo "  forwarding round $round: $*" >&2
        for kind in "$@"; do measure_forwarding "$dir" "$kind"; done
        SEPARATED_TCP=no SEPARATED_PPS=no
        apart TCP_vpngw TCP_stateful_nat && SEPARATED_TCP=yes
        apart PPS_vpngw PPS_stateful_nat && SEPARATED_PPS=yes
        [ "$round" -ge "$FWD_ROUNDS" ] || continue
        [ "$SEPARATED_TCP$SEPARATED_PPS" = yesyes ] && break
        [ "$round" -ge "$FWD_MAX_ROUNDS" ] && break
    done
    ROUNDS_DONE=$round
}

# --- run ---------------------------------------------------------------------
out=$W/table.md
# A loaded machine shows in the figures: the docs say how loaded it was.
load_start=$(cut -d' ' -f1 /proc/loadavg) run_start=$(date +%s)
machine="$(nproc)-core $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r), $(wireguard-go --version 2>/dev/null | head -1 | grep -o "v[0-9.]*" | sed "s/^/wireguard-go /" || echo wireguard-go)"
{
    echo "Measured $(date -u +%Y-%m-%d) on $machine; medians of $RUNS runs, [min–max]."
    echo
    echo "| peers | cold up | no-op up | floor | cold/floor | no-op/cold | scripted (${BASELINE}, extrapolated) | first peer add | peer add | peer add / ${SIZES%% *} | peer remove | status | plan | peer list --json | down | peak RSS (MiB) |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} >"$out"
# Peak RSS of each vpngw command (the largest of its runs) against the target.
rss_out=$W/rss.md
{
    echo "| peers | cold up | no-op up | status | plan | first peer add | peer add | peer remove | peer list --json | down | over ${RSS_TARGET_MIB} MiB |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
} >"$rss_out"
RSS_LABELS="cold noop status plan first add remove list down"
declare -A RSS_NAME=([cold]="cold up" [noop]="no-op up" [status]=status [plan]=plan
    [first]="first peer add" [add]="peer add" [remove]="peer remove" [list]="peer list --json"
    [down]=down)
fwd=$W/fwd.md
{
    echo "Forwarding client → router → server namespaces over veth; the client is the last peer"
    echo "(behind every linear rule). TCP: one iperf3 stream, ${FWD_SECS} s. UDP: 64-byte payloads from"
    echo "one core cycling through $FLOWS source ports (new conntrack entries during the run), counted"
    echo "at the server. The server never answers, so every UDP packet is in conntrack state"
    echo "new and crosses every rule up to an accept. Ratios against the minimal stateful"
    echo "ruleset of the same N, and (NAT) against minimal stateful + masquerade: vpngw NATs"
    echo "its peers, the minimal ruleset does not. The rulesets run in rounds, each round every"
    echo "ruleset once in turn, at least $FWD_ROUNDS rounds and up to $FWD_MAX_ROUNDS until vpngw's median"
    echo "stands apart from the NAT reference's by more than the two medians' absolute deviations;"
    echo "\"(in noise)\" marks a vpngw ratio whose difference from the reference is inside that spread."
    echo
    echo "| peers | ruleset | TCP Gbit/s | ratio | ratio (NAT) | UDP 64 B kpps | ratio | ratio (NAT) |"
    echo "|---|---|---|---|---|---|---|---|"
} >"$fwd"

base_dir=$W/n$BASELINE
T_scripted=(0)
if [ "$FWD_ONLY" != 1 ]; then
    write_inputs "$BASELINE" "$base_dir"
    T_scripted=()
    echo "scripted baseline: $BASELINE peers, one wg set + one iptables -A each ..." >&2
    measure_scripted "$base_dir"
fi
scripted_ns=$(med "${T_scripted[@]}")

for n in $SIZES; do
    echo "N = $n ..." >&2
    dir=$W/n$n
    [ -d "$dir" ] || write_inputs "$n" "$dir"
    T_floor=()
    for label in $RSS_LABELS; do eval "T_$label=() R_$label=()"; done
    [ "$FWD_ONLY" = 1 ] || measure_vpngw "$dir"
    [ "$FWD_ONLY" = 1 ] || measure_floor "$dir" "$n"
    cold=$(med "${T_cold[@]}") noop=$(med "${T_noop[@]}") floor=$(med "${T_floor[@]}")
    scripted=$(awk -v t="$scripted_ns" -v n="$n" -v b="$BASELINE" 'BEGIN {printf "%.0f", t * n / b}')
    peak_kib() { local -n arr=R_$1; printf '%s\n' "${arr[@]}" | sort -n | tail -1; }
    rss=0 over="" row="| $n |"
    for label in $RSS_LABELS; do
        k=$(peak_kib "$label")
        [ "${k:-0}" -gt "$rss" ] && rss=$k
        row+=" $(awk -v k="$k" 'BEGIN {printf "%.1f", k / 1024}') |"
        [ "${k:-0}" -gt $((RSS_TARGET_MIB * 1024)) ] && over+="${over:+, }${RSS_NAME[$label]}"
        printf '%s\t%s\t%s\n' "$n" "$label" "${k:-0}" >>"$W/rss.tsv"
    done
    echo "$row ${over:-none} |" >>"$rss_out"
    add=$(med "${T_add[@]}")
    [ "$n" = "${SIZES%% *}" ] && add_first=$add
    cell() {  # cell LABEL -> "median ms [min–max]"
        local -n arr=T_$1
        local s
        s=($(stats "${arr[@]}"))
        echo "$(ms "${s[0]}") [$(ms "${s[1]}")–$(ms "${s[2]}")]"
    }
    printf '| %s | %s | %s | %s | %s | %s | %s s%s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" \
        "$(cell cold)" "$(cell noop)" "$(cell floor)" "$(ratio "$cold" "$floor")" \
        "$(ratio "$noop" "$cold")" "$(awk -v s="$scripted" 'BEGIN {printf "%.1f", s / 1e9}')" \
        "$([ "$n" = "$BASELINE" ] && echo " (measured)" || echo " (est.)")" \
        "$(cell first)" "$(cell add)" "$(ratio "$add" "$add_first")" "$(cell remove)" \
        "$(cell status)" "$(cell plan)" "$(cell list)" "$(cell down)" \
        "$(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}')" >>"$out"

    [ "$FWD" = 1 ] && [ "$n" -le "$FWD_UPTO" ] || { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$cold" "$noop" "$floor" \
        "$scripted" "$(med "${T_add[@]}")" "$rss" >>"$W/scale.tsv"; continue; }
    measure_forwarding_rounds "$dir" $FWD_KINDS
    ref_tcp=$(med "${TCP_stateful[@]}") ref_pps=$(med "${PPS_stateful[@]}")
    nat_tcp=$(med "${TCP_stateful_nat[@]}") nat_pps=$(med "${PPS_stateful_nat[@]}")
    noise() {  # noise SEPARATED -> what the ratio (NAT) cell adds
        [ "$1" = yes ] && echo "" || echo " (in noise)"
    }
    for kind in $FWD_KINDS; do
        local_tcp="TCP_$kind[@]" local_pps="PPS_$kind[@]"
        tcp=$(med "${!local_tcp}") pps=$(med "${!local_pps}")
        label=$kind tcp_note="" pps_note=""
        case $kind in
            none) label="no ruleset" ;;
            stateful) label="minimal stateful (ct established first, one accept)" ;;
            stateful_nat) label="minimal stateful + masquerade (what any NAT gateway pays)" ;;
            vpngw)
                label="vpngw's ruleset for $n peers"
                tcp_note=$(noise "$SEPARATED_TCP") pps_note=$(noise "$SEPARATED_PPS")
                ;;
            linear) label="$n linear iptables rules (iptables-nft)" ;;
        esac
        printf '| %s | %s | %s [%s] | %s | %s%s | %s [%s] | %s | %s%s |\n' "$n" "$label" \
            "$(awk -v b="$tcp" 'BEGIN {printf "%.2f", b / 1e9}')" \
            "$(spread $(printf '%s\n' "${!local_tcp}" | awk '{printf "%.2f\n", $1 / 1e9}'))" \
            "$(ratio "$tcp" "$ref_tcp")" "$(ratio "$tcp" "$nat_tcp")" "$tcp_note" \
            "$(awk -v p="$pps" 'BEGIN {printf "%.0f", p / 1e3}')" \
            "$(spread $(printf '%s\n' "${!local_pps}" | awk '{printf "%.0f\n", $1 / 1e3}'))" \
            "$(ratio "$pps" "$ref_pps")" "$(ratio "$pps" "$nat_pps")" "$pps_note" >>"$fwd"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$kind" "$tcp" "$(mad "${!local_tcp}")" \
            "$pps" "$(mad "${!local_pps}")" "$ROUNDS_DONE" >>"$W/forwarding.tsv"
    done
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$cold" "$noop" "$floor" "$scripted" \
        "$(med "${T_add[@]}")" "$rss" >>"$W/scale.tsv"
done

if [ "$FWD_ONLY" = 1 ]; then
    echo "FWD_ONLY=1 FWD_KINDS=\"$FWD_KINDS\" SIZES=\"$SIZES\" FWD_SECS=$FWD_SECS; load $(cut -d' ' -f1-3 /proc/loadavg)"
    cat "$fwd"
    exit 0
fi

# The bench's own output, kept next to the docs so the plots regenerate from
# it (bench/plot.sh) without measuring again.
mkdir -p "$W/data"
{ printf 'peers\tcold_ns\tnoop_ns\tfloor_ns\tscripted_ns\tpeer_add_ns\tpeak_rss_kib\n'; cat "$W/scale.tsv"; } >"$W/data/scale.tsv"
{ printf 'peers\tcommand\tpeak_rss_kib\n'; cat "$W/rss.tsv"; } >"$W/data/rss.tsv"
[ -s "$W/forwarding.tsv" ] &&
    { printf 'peers\truleset\ttcp_bps\ttcp_mad\tudp_pps\tudp_mad\trounds\n'; cat "$W/forwarding.tsv"; } >"$W/data/forwarding.tsv"
"$here/plot.sh" "$W/data" "$W/img" || echo "warning: plotting failed" >&2

cmd="sudo VPNGW=build/src/vpngw$([ "$INLINE" = 1 ] && echo " INLINE=1")$([ "$IFACES" = 4 ] || echo " IFACES=$IFACES")$([ "$FWD" = 1 ] || echo " FWD=0")$([ "$FWD_UPTO" = 50000 ] || echo " FWD_UPTO=$FWD_UPTO")$([ "$SIZES" != "1000 10000 50000 200000" ] && echo " SIZES=\"$SIZES\"")$([ "$RUNS" != 3 ] && echo " RUNS=$RUNS") bench/scale.sh"
{
    echo "<!-- scale.sh begin: written by bench/scale.sh; edits here are replaced -->"
    echo '```sh'
    echo "$cmd"
    echo '```'
    echo
    cat "$out"
    echo
    echo "Load average (1 min) at the start $load_start, at the end $(cut -d' ' -f1 /proc/loadavg)" \
        "(above 1 on this $(nproc)-core machine, other work ran: read the ratios, not the times); the run took" \
        "$(( ($(date +%s) - run_start) / 60 )) min $(( ($(date +%s) - run_start) % 60 )) s."
    echo "Times in ms. The 4 groups are on $IFACES userspace interface(s)$([ "$IFACES" = 4 ] && echo " wg0..wg3, one group each")."
    echo "floor = per interface start wireguard-go + one \`wg setconf\` with its peers, then one"
    echo "\`nft -f\` of the ruleset \`vpngw plan --nft\` prints for them all. scripted = one \`wg set\`"
    echo "and one \`iptables -A\` process per peer, measured at $BASELINE peers and scaled linearly"
    echo "(est.) to larger N. first peer add: the first add on the copied state (as after a"
    echo "reboot); peer add: the next one; peer add / ${SIZES%% *}: its median against the same at"
    echo "${SIZES%% *} peers."
    echo
    echo "Peak RSS (MiB) of each vpngw command, the largest of its runs (not the wireguard-go"
    echo "daemons'), against the target of ${RSS_TARGET_MIB} MiB:"
    echo
    cat "$rss_out"
    echo
    echo "![time against peers](img/scale-times.svg)"
    echo
    echo "![peak RSS against peers](img/scale-rss.svg)"
    echo
    if [ -s "$W/forwarding.tsv" ]; then
        cat "$fwd"
        echo
        echo "![forwarding ratios](img/forwarding-ratios.svg)"
        echo
    fi
    echo "The plots regenerate from the data the run kept: \`bench/plot.sh docs/data\`."
    echo "<!-- scale.sh end -->"
} >"$W/section.md"
cat "$W/section.md"
if [ -n "${KEEP:-}" ]; then
    mkdir -p "$KEEP" && cp -r "$W/section.md" "$W/data" "$W/img" "$KEEP/" && echo "kept the run in $KEEP" >&2
fi

if [ "$WRITE_DOCS" = 1 ]; then
    doc=$root/docs/benchmarks.md
    python3 - "$doc" "$W/section.md" <<'PY'
import sys
doc, section = sys.argv[1], open(sys.argv[2]).read()
text = open(doc).read()
begin, end = "<!-- scale.sh begin", "<!-- scale.sh end -->"
if begin in text:
    i = text.index(begin)
    j = text.index(end, i) + len(end) + 1
    text = text[:i] + section + text[j:]
else:
    text = text.rstrip("\n") + "\n\n## Scale: 1,000 to 200,000 peers (issues 8 and 19)\n\n" + section
open(doc, "w").write(text)
PY
    mkdir -p "$root/docs/data" "$root/docs/img"
    cp "$W/data/"*.tsv "$root/docs/data/"
    cp "$W/img/"*.svg "$root/docs/img/" 2>/dev/null
    echo "wrote $doc, docs/data and docs/img" >&2
fi
