# shellcheck shell=bash
# Helpers of the scenario tests (bash, sourced after tests/netns/lib.sh):
# real WireGuard clients from keys made here, tiny TCP servers that tell the
# client which host answered and what source address it saw, and nft counters.

SCENARIO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ECHO_PY="$SCENARIO_DIR/echo.py"
declare -A PUB=()

# new_peer NAME: a key pair from `wg genkey`; the private key in
# $SANDBOX_DIR/NAME.key, the public one in ${PUB[NAME]}.
new_peer() {
    (umask 077; wg genkey >"$SANDBOX_DIR/$1.key")
    PUB[$1]=$(wg pubkey <"$SANDBOX_DIR/$1.key")
}

# render_profile TEMPLATE OUT: @NAME@ becomes the public key of peer NAME.
render_profile() {
    local args=() name
    for name in "${!PUB[@]}"; do args+=(-e "s|@$name@|${PUB[$name]}|g"); done
    sed "${args[@]}" "$1" >"$2"
    ! grep -n '@[a-z0-9]*@' "$2" || die "unrendered placeholder in $1"
}

# gw_up PROFILE: vpngw up inside the gateway namespace, its output indented.
gw_up() {
    local out rc=0
    out=$(in_ns gw "$VPNGW" up "$1" --state-dir "$SANDBOX_DIR/state" 2>&1) || rc=$?
    sed 's/^/    /' <<<"$out" | tail -n 20
    return $rc
}

# serve NS NAME PORT: a TCP server on PORT (v4 and v6) answering "NAME PEER".
serve() {
    spawn_in "$1" python3 "$ECHO_PY" serve "$2" "$3"
    wait_listen "$1" "$3"
}

# hold NS PORT: a TCP server that keeps every connection open.
hold() {
    spawn_in "$1" python3 "$ECHO_PY" hold "$2"
    wait_listen "$1" "$2"
}

wait_listen() {
    local _
    for _ in $(seq 1 50); do
        [ -n "$(in_ns "$1" ss -Hltn "sport = :$2")" ] && return 0
        sleep 0.1
    done
    die "nothing listens on port $2 in $1"
}

# probe NS HOST PORT [--src ADDR]: prints "NAME PEER" of the server reached.
probe() {
    local ns=$1 host=$2 port=$3; shift 3
    in_ns "$ns" python3 "$ECHO_PY" probe "$host" "$port" --timeout 1.5 "$@" 2>/dev/null
}

# ping1 NS ADDRESS: one echo, one second: for pings that must not get through.
ping1() { in_ns "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; }

# answers EXPECTED NS HOST PORT [--src ADDR]: the server's line is EXPECTED
# (which host answered, and the source address it saw).
answers() {
    local want=$1 got; shift
    got=$(probe "$@") || got="(no answer)"
    [ "$got" == "$want" ] && return 0
    echo "    expected \"$want\", got \"$got\"" >&2
    return 1
}

# handshake NS ADDRESS: pings through the tunnel until WireGuard has a
# session (a few seconds with wireguard-go), so later checks do not time out.
handshake() {
    local _
    for _ in $(seq 1 10); do
        in_ns "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1 && return 0
    done
    echo "warning: no handshake from $1 to $2" >&2
}

# The packets of a counter of vpngw's table in the gateway namespace.
gw_counter() { counter_value gw inet vpngw "$1"; }

# counter_grew NAME BEFORE: the counter now exceeds BEFORE.
counter_grew() {
    local now
    now=$(gw_counter "$1")
    [ "$now" -gt "$2" ] && return 0
    echo "    counter $1 stayed at $now" >&2
    return 1
}

# add_host NS N: a host on the internet side in its own namespace, linked to
# the "inet" router: 100.64.N.20/24 and 2001:db8:20N::20/64 (N = 1..9).
add_host() {
    local ns=$1 n=$2
    netns_add "$ns"
    veth_pair inet "h$ns" "100.64.$n.1/24" "$ns" eth0 "100.64.$n.20/24"
    in_ns inet ip -6 addr add "2001:db8:20$n::1/64" dev "h$ns" nodad
    in_ns "$ns" ip -6 addr add "2001:db8:20$n::20/64" dev eth0 nodad
    in_ns "$ns" ip route add default via "100.64.$n.1"
    in_ns "$ns" ip -6 route add default via "2001:db8:20$n::1"
}

# The world of the port-forward scenarios (port_forward.sh, uplink_spoof.sh):
# build_world, the backend "web" and the staff client "alice" behind the ISP
# bridge, the internet hosts "partner" (100.64.1.20) and "stranger"
# (100.64.2.20), and keys for web and alice.
forward_world() {
    build_world
    add_client web 30
    add_client alice 31
    add_host partner 1
    add_host stranger 2
    new_peer web
    new_peer alice
}

# forward_clients: once the gateway is up, web's and alice's WireGuard
# clients, web's servers on 8080 and 9000, and a handshake from each.
forward_clients() {
    local server
    server=$(in_ns gw wg show wg0 public-key)
    # The backend answers internet hosts through the tunnel: their real
    # addresses reach it, so it routes them back to the gateway.
    wg_client web wc_web "$SANDBOX_DIR/web.key" 10.61.2.10/32,fd61:0:0:2::10/128 "$server" \
        10.61.0.0/16 fd61::/48 100.64.0.0/16 2001:db8:200::/40
    # alice's endpoint is the public address itself: only the forwarded TCP
    # ports of that address go into the tunnel (as wg-quick's fwmark rule
    # would do).
    wg_client alice wc_alice "$SANDBOX_DIR/alice.key" 10.61.1.10/32,fd61:0:0:1::10/128 \
        "$server" 10.61.0.0/16 fd61::/48
    in_ns alice ip route add default dev wc_alice table 300
    in_ns alice ip rule add to 203.0.113.2 ipproto tcp dport 8443-8444 lookup 300
    in_ns alice ip -6 route add default dev wc_alice table 300
    in_ns alice ip -6 rule add to 2001:db8:1::2 ipproto tcp dport 8443-8444 lookup 300
    serve web web 8080
    serve web web 9000
    handshake web 10.61.0.1
    handshake alice 10.61.0.1
}

# The two-ISP world of the uplink scenarios (load_balance.sh,
# egress_failover.sh): build_world, ISP 2 ("isp2", 198.18.1.1) on the
# gateway's eth1 (198.18.1.2), the internet host 192.0.2.80 in both ISPs (the
# server that answers names the uplink), the gateway's main default route
# through ISP 1, and the client "a" (198.51.100.50) with its keys.
two_isp_world() {
    build_world
    netns_add isp2
    veth_pair isp2 isp0 198.18.1.1/24 gw eth1 198.18.1.2/24
    in_ns isp2 ip addr add 192.0.2.80/32 dev lo
    in_ns gw ip route add default via 203.0.113.1 dev eth0
    add_client a 50
    new_peer a
}
