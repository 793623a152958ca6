# Helpers of the fleet tests (bash, sourced after tests/netns/lib.sh):
# certificates made for the run, etcd members in their own network
# namespaces on one bridge, each started and stopped by PID.

command -v etcd >/dev/null || die "missing etcd (apt-get install etcd-server; scripts/install-deps)"
command -v openssl >/dev/null || die "missing openssl"
FLEET_TOOL=${FLEET_TOOL:?set FLEET_TOOL to the fleet_tool binary}
declare -A ETCD_PID=()
FLEET_MOUNTS=()

# Before lib.sh's cleanup removes $SANDBOX_DIR: the tmpfs mounts go first
# (a mount point cannot be removed), after the processes using them.
fleet_cleanup() {
    local rc=$? pid m
    for pid in "${ETCD_PID[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    for pid in "${ETCD_PID[@]}"; do wait "$pid" 2>/dev/null || true; done
    for m in "${FLEET_MOUNTS[@]}"; do umount "$m" 2>/dev/null || true; done
    # sandbox_cleanup exits with the status it finds in $? (errexit would
    # stop at a bare failing `(exit $rc)`).
    (exit $rc) || sandbox_cleanup
    sandbox_cleanup
}
trap fleet_cleanup EXIT

# make_certs DIR IP...: a CA, one server+client certificate for the etcd
# members (every IP in its SANs, also used between members), a client
# certificate for the gateways, and an unrelated CA.
make_certs() {
    local dir=$1; shift
    mkdir -p "$dir"
    local san="IP:127.0.0.1" ip
    for ip in "$@"; do san+=",IP:$ip"; done
    (
        cd "$dir"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
            -subj /CN=fleet-test-ca -keyout ca.key -out ca.pem 2>/dev/null
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
            -subj /CN=other-ca -keyout other-ca.key -out other-ca.pem 2>/dev/null
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=etcd-member \
            -keyout member.key -out member.csr 2>/dev/null
        openssl x509 -req -in member.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
            -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$san") \
            -out member.pem 2>/dev/null
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=vpngw \
            -keyout client.key -out client.csr 2>/dev/null
        openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
            -extfile <(printf 'extendedKeyUsage=clientAuth\n') -out client.pem 2>/dev/null
        chmod 0600 ./*.key
    )
}

# etcd_start NS NAME IP INITIAL_CLUSTER STATE DIR: one member, TLS for clients
# (client certificates required) and for its peers.
etcd_start() {
    local ns=$1 name=$2 ip=$3 cluster=$4 state=$5 certs=$6
    if [ ! -d "$SANDBOX_DIR/etcd-$name" ]; then
        # tmpfs (in our private mount namespace): etcd fsyncs every commit,
        # which on a disk shared with CI's other jobs dominates the run.
        mkdir -p "$SANDBOX_DIR/etcd-$name"
        mount -t tmpfs "fleet-etcd-$name" "$SANDBOX_DIR/etcd-$name"
        FLEET_MOUNTS+=("$SANDBOX_DIR/etcd-$name")
    fi
    ip netns exec "$ns" etcd --name "$name" --data-dir "$SANDBOX_DIR/etcd-$name/data" \
        --listen-client-urls "https://$ip:2379" --advertise-client-urls "https://$ip:2379" \
        --listen-peer-urls "https://$ip:2380" --initial-advertise-peer-urls "https://$ip:2380" \
        --initial-cluster "$cluster" --initial-cluster-state "$state" \
        --initial-cluster-token fleet-test \
        --cert-file "$certs/member.pem" --key-file "$certs/member.key" \
        --trusted-ca-file "$certs/ca.pem" --client-cert-auth \
        --peer-cert-file "$certs/member.pem" --peer-key-file "$certs/member.key" \
        --peer-trusted-ca-file "$certs/ca.pem" --peer-client-cert-auth \
        --heartbeat-interval 100 --election-timeout 1000 \
        >"$SANDBOX_DIR/etcd-$name/log" 2>&1 &
    ETCD_PID[$name]=$!
    SANDBOX_PIDS+=("$!")
}

# etcd_kill NAME: SIGKILL, as a crash.
etcd_kill() {
    kill -9 "${ETCD_PID[$1]}" 2>/dev/null || true
    wait "${ETCD_PID[$1]}" 2>/dev/null || true
}

# etcd_healthy NS IP CERTS: the member answers and the cluster has a leader.
etcd_healthy() {
    ip netns exec "$1" curl -sf --max-time 2 --cacert "$3/ca.pem" --cert "$3/client.pem" \
        --key "$3/client.key" "https://$2:2379/health" 2>/dev/null | grep -q '"health":"true"'
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls until COMMAND succeeds.
wait_for() {
    local limit=$1 what=$2; shift 2
    local deadline=$((SECONDS + limit))
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || { echo "timed out after ${limit}s: $what" >&2; return 1; }
        sleep 0.1
    done
}


# fleet_switch: the namespace "sw" with the bridge every member and gateway
# of a test joins (fleet_attach).
fleet_switch() {
    netns_add sw
    ip -n sw link add br0 type bridge
    ip -n sw link set br0 up
}

# fleet_attach NS IP [DEV]: a new namespace with eth0 on the bridge, IP/24;
# with DEV, the existing namespace NS gets DEV on the bridge instead (a
# gateway whose eth0 is its uplink).
fleet_attach() {
    local ns=$1 dev=${3:-}
    [ -n "$dev" ] || { netns_add "$ns"; dev=eth0; }
    ip link add "$dev" netns "$ns" type veth peer name "v-$ns" netns sw
    ip -n sw link set "v-$ns" master br0 up
    ip -n "$ns" addr add "$2/24" dev "$dev"
    ip -n "$ns" link set "$dev" up
}

# etcd_cluster CERTS: members e1-e3 at 10.77.0.1-3 (namespaces attached
# here), certificates made, started and healthy. Sets INITIAL (their
# --initial-cluster, for restarting a member).
etcd_cluster() {
    local certs=$1 i
    for i in 1 2 3; do fleet_attach "e$i" "10.77.0.$i"; done
    make_certs "$certs" 10.77.0.1 10.77.0.2 10.77.0.3
    INITIAL="e1=https://10.77.0.1:2380,e2=https://10.77.0.2:2380,e3=https://10.77.0.3:2380"
    for i in 1 2 3; do etcd_start "e$i" "e$i" "10.77.0.$i" "$INITIAL" new "$certs"; done
    for i in 1 2 3; do
        wait_for 30 "etcd member e$i healthy" etcd_healthy "e$i" "10.77.0.$i" "$certs"
    done
}
