#!/usr/bin/env bash
# Times `vpngw up` (cold), the no-op `up` after it, and `down`, for every
# bundled example profile and for generated profiles with N inline peers,
# each in a fresh gateway namespace (inside a private mount namespace: the
# host's network is never touched). Prints medians of RUNS runs.
#   sudo VPNGW=build/src/vpngw bench/up_time.sh [RUNS]
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../tests/netns/lib.sh"
enter_sandbox "$@"
runs=${1:-3}
root=$here/..

# uplinks PROFILE -> "device gateway gateway6" per [[uplink]]
uplinks() {
    awk '/^\[\[/{ if (dev) print dev, gw, gw6; dev=gw=gw6=""; inup = ($0 ~ /^\[\[uplink\]\]/) }
         inup && /^device *=/   { gsub(/[" ]/, "", $3); dev=$3 }
         inup && /^gateway *=/  { gsub(/[" ]/, "", $3); gw=$3 }
         inup && /^gateway6 *=/ { gsub(/[" ]/, "", $3); gw6=$3 }
         END { if (dev) print dev, gw, gw6 }' "$1"
}

# A gateway namespace whose uplink devices exist, each with an address next
# to its profile's next hop, so routes via the next hops are valid.
fresh_gateway() {
    local ns=$1 profile=$2 dev gw gw6 i=0
    netns_add "$ns"
    while read -r dev gw gw6; do
        i=$((i + 1))
        ip link add "$dev" netns "$ns" type veth peer name "p$i$ns" netns "$ns"
        [ -n "$gw" ] && in_ns "$ns" ip addr add "${gw%.*}.2/24" dev "$dev"
        [ -n "$gw6" ] && in_ns "$ns" ip -6 addr add "${gw6%::*}::2/64" dev "$dev" nodad
        in_ns "$ns" ip link set "$dev" up
        in_ns "$ns" ip link set "p$i$ns" up
    done < <(uplinks "$profile")
}

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { awk -v ns="$1" 'BEGIN {printf "%.1f", ns / 1e6}'; }

# peers_profile N -> a copy of the test profile with N inline peers
peers_profile() {
    local n=$1 out=$SANDBOX_DIR/peers-$1.toml i
    sed '/^state_dir/d' "$root/tests/netns/profiles/basic.toml" >"$out"
    for ((i = 0; i < n; i++)); do
        printf '[[peer]]\nname = "p%d"\ngroup = "staff"\npublic_key = "%s"\n' \
            "$i" "$(head -c 32 /dev/urandom | base64)"
    done >>"$out"
    sed -i 's|subnet = "10.66.1.0/24"|subnet = "10.66.16.0/20"|' "$out"
    echo "$out"
}

measure() {  # measure LABEL PROFILE
    local label=$1 profile=$2 r cold=() noop=() down=() t
    for ((r = 0; r < runs; r++)); do
        local ns=bench$r state=$SANDBOX_DIR/state-$r
        fresh_gateway "$ns" "$profile"
        t=$(now); in_ns "$ns" "$VPNGW" up "$profile" --state-dir "$state" >/dev/null
        cold+=($(($(now) - t)))
        t=$(now); in_ns "$ns" "$VPNGW" up "$profile" --state-dir "$state" >"$SANDBOX_DIR/noop"
        noop+=($(($(now) - t)))
        grep -q "(0 changes)" "$SANDBOX_DIR/noop" || echo "warning: second up was not a no-op" >&2
        t=$(now); in_ns "$ns" "$VPNGW" down "$profile" --state-dir "$state" >/dev/null
        down+=($(($(now) - t)))
        ip netns del "$ns"; rm -rf "$state"
    done
    printf '| %-22s | %9s | %9s | %9s |\n' "$label" \
        "$(ms "$(printf '%s\n' "${cold[@]}" | median)")" \
        "$(ms "$(printf '%s\n' "${noop[@]}" | median)")" \
        "$(ms "$(printf '%s\n' "${down[@]}" | median)")"
}

echo "vpngw up/down times (ms, median of $runs), userspace WireGuard (wireguard-go)"
printf '| %-22s | %9s | %9s | %9s |\n' profile "cold up" "no-op up" down
printf '|%s|%s|%s|%s|\n' "------------------------" "-----------" "-----------" "-----------"
for p in "$root"/profiles/*.toml; do
    cp "$p" "$SANDBOX_DIR/"
    # Userspace backend here: this kernel has no WireGuard module.
    measure "$(basename "$p")" "$SANDBOX_DIR/$(basename "$p")"
done
for n in ${PEER_COUNTS:-100 1000}; do measure "$n inline peers" "$(peers_profile "$n")"; done
