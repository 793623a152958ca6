#!/usr/bin/env bash
# Fleet scale benchmark (issue 20): a registry of N peers in a 3-member etcd
# cluster (namespaces, tmpfs), and
#   join   a new gateway converging (`vpngw cluster follow` on a member with
#          nothing applied: a full reconcile, i.e. `up` with every peer from
#          etcd) vs the single-machine cold `up` of the same peers from
#          SQLite — target: join within 2x cold up;
#   prop   one `peer add` on gateway B until gateway J's follower has
#          applied it, at SMALL and at LARGE peers — target: LARGE within
#          1.2x SMALL.
# Prints the figures and the ratios. Everything in namespaces of a private
# mount namespace (tests/netns/lib.sh); the host's network is not touched.
#
#   sudo VPNGW=build/src/vpngw FLEET_TOOL=build/tests/fleet/fleet_tool bench/fleet_scale.sh
#   sudo ... SMALL=200 LARGE=2000 RUNS=3 bench/fleet_scale.sh   # smoke
#
# SMALL, LARGE  registry sizes (default 1000, 50000)
# RUNS          adds measured at each size; medians are printed (default 5)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
source "$root/tests/netns/lib.sh"
enter_sandbox "$@"
source "$root/tests/fleet/fleet_lib.sh"
VPNGW=${VPNGW:?set VPNGW to the vpngw binary}
SMALL=${SMALL:-1000}
LARGE=${LARGE:-50000}
RUNS=${RUNS:-5}
CERTS=$SANDBOX_DIR/certs
PREFIX=/vpngw/bench/

fleet_switch
etcd_cluster "$CERTS"
fleet_attach gwb 10.77.0.12
fleet_attach gwj 10.77.0.13
fleet_attach solo 10.77.0.14
wg genkey >"$SANDBOX_DIR/fleet.key"
chmod 0600 "$SANDBOX_DIR/fleet.key"
cluster_section() {  # cluster_section NODE
    printf '[cluster]\nnode = "%s"\netcd = ["https://10.77.0.1:2379", "https://10.77.0.2:2379", "https://10.77.0.3:2379"]\n' "$1"
    printf 'etcd_ca = "%s/ca.pem"\netcd_cert = "%s/client.pem"\netcd_key = "%s/client.key"\nprefix = "%s"\n' \
        "$CERTS" "$CERTS" "$CERTS" "$PREFIX"
}
make_profile() {  # make_profile NODE fleet|solo
    local node=$1 cluster=""
    [ "$2" = fleet ] && cluster=$(cluster_section "$node")
    mkdir -p -m 0700 "$SANDBOX_DIR/state-$node"
    python3 - "$here/fleet_scale.toml.in" "$SANDBOX_DIR/$node.toml" "$node" \
        "$SANDBOX_DIR/state-$node" "$SANDBOX_DIR/fleet.key" "$cluster" <<'PY'
import sys
src, dst, node, state, key, cluster = sys.argv[1:]
t = open(src).read().replace("@NODE@", node).replace("@STATE@", state)
open(dst, "w").write(t.replace("@KEY@", key).replace("@CLUSTER@", cluster))
PY
}
make_profile gwb fleet
make_profile gwj fleet
make_profile solo solo
load() {  # load FROM TO: peers bench-FROM .. into etcd
    in_ns gwb python3 "$here/fleet_load.py" https://10.77.0.1:2379 "$CERTS/ca.pem" \
        "$CERTS/client.pem" "$CERTS/client.key" "$PREFIX" staff 10.81.0.2 "$1" "$2"
}
now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
FOLLOW_PID=
follow_start() {  # the follower of gwj, its lines in gwj.follow
    ip netns exec gwj "$VPNGW" cluster follow "$SANDBOX_DIR/gwj.toml" >"$SANDBOX_DIR/gwj.follow" 2>&1 &
    FOLLOW_PID=$!
    SANDBOX_PIDS+=("$!")
}
follow_stop() { kill "$FOLLOW_PID" 2>/dev/null || true; wait "$FOLLOW_PID" 2>/dev/null || true; }
applied() { [ -s "$SANDBOX_DIR/state-gwj/cluster-applied" ]; }
logged() { grep -q "peer $1 applied" "$SANDBOX_DIR/gwj.follow"; }
# prop TAG: RUNS adds on gwb, each timed from its return to gwj's log line.
prop() {
    local i name t0 out=()
    for i in $(seq 1 "$RUNS"); do
        name="p$1-$i"
        in_ns gwb "$VPNGW" peer add "$name" --group staff --qr none \
            --profile "$SANDBOX_DIR/gwb.toml" >/dev/null || die "peer add $name failed"
        t0=$(now_ms)
        until logged "$name"; do sleep 0.005; done
        out+=($(($(now_ms) - t0)))
    done
    printf '%s\n' "${out[@]}" | median
}

echo "# loading $SMALL peers into etcd"
load 0 "$SMALL"
follow_start
wait_for 600 "gwj joined at $SMALL" applied
PROP_SMALL=$(prop small)
echo "prop_small_ms=$PROP_SMALL  (median of $RUNS adds at $SMALL peers)"

follow_stop
in_ns gwj "$VPNGW" down "$SANDBOX_DIR/gwj.toml" >/dev/null 2>&1 || true
rm -f "$SANDBOX_DIR/state-gwj/cluster-applied"
echo "# loading up to $LARGE peers into etcd"
T=$(now_ms)
load "$SMALL" "$LARGE"
echo "# loaded in $(($(now_ms) - T)) ms"

# The single-machine baseline: the same peers in SQLite, cold `up`.
in_ns gwb "$VPNGW" peer export --profile "$SANDBOX_DIR/gwb.toml" >"$SANDBOX_DIR/peers.txt"
in_ns solo "$VPNGW" peer import "$SANDBOX_DIR/peers.txt" --profile "$SANDBOX_DIR/solo.toml" \
    >/dev/null || die "import into the single machine failed"
T=$(now_ms)
in_ns solo "$VPNGW" up "$SANDBOX_DIR/solo.toml" >/dev/null || die "single-machine up failed"
COLD=$(($(now_ms) - T))
echo "cold_up_ms=$COLD  (single machine, the same $((LARGE + RUNS)) peers from SQLite)"

T=$(now_ms)
follow_start
wait_for 1200 "gwj joined at $LARGE" applied
JOIN=$(($(now_ms) - T))
echo "join_ms=$JOIN  (new gateway: cluster follow until it has applied the registry)"
PROP_LARGE=$(prop large)
echo "prop_large_ms=$PROP_LARGE  (median of $RUNS adds at $LARGE peers)"
follow_stop
awk -v j="$JOIN" -v c="$COLD" 'BEGIN {printf "join/cold_up = %.2f (target <= 2)\n", j / c}'
awk -v l="$PROP_LARGE" -v s="$PROP_SMALL" 'BEGIN {printf "prop_large/prop_small = %.2f (target <= 1.2)\n", (s > 0 ? l / s : 0)}'
