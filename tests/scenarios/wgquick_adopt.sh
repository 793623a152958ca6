#!/usr/bin/env bash
# Scenario "moving in from wg-quick without a blip" (issue 18, item 1; the
# walk-through of docs/user-guide.md "Moving from wg-quick"): the gateway runs
# real `wg-quick up` of a server config whose PostUp hooks accept FORWARD
# and MASQUERADE out of eth0 (iptables). Its peers have every shape of
# AllowedIPs a wg-quick server meets, each named a different way (a comment
# above [Peer], one inside it, "# Name = "):
#   alice   10.72.0.2 + fd72::2 (dual stack), full tunnel: pings the internet
#           host and the host behind the branch
#   bob     10.72.0.3 + fd72::3, full tunnel: pings the internet host and
#           holds a TCP connection to it
#   branch  10.72.0.5 + the routed LAN 192.168.50.0/24 with lanhost behind it
#           (wg-quick routed the LAN into wg0 itself)
#   carol   10.72.0.4 + 10.72.0.14 (two IPv4 addresses), offline
#   dave    fd72::6 only (IPv6 only), offline
# Then `vpngw import wg-quick --adopt`, `vpngw plan`, `vpngw up`: no ping is
# lost, the connection still carries data, new connections from the clients
# still reach the internet (through vpngw's own NAT now), `wg show` lists
# every peer's AllowedIPs exactly as before, and a second `up` changes nothing.
#
#   alice, bob, branch ── br0 ── inet (192.0.2.80) ── eth0 203.0.113.2 gw (wg0)
#   branch ── lanhost 192.168.50.10
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../netns/lib.sh"
source "$here/lib.sh"
enter_sandbox "$@"
state="$SANDBOX_DIR/state"
conf="$SANDBOX_DIR/wg0.conf"
profile="$SANDBOX_DIR/vpngw.toml"

build_world
in_ns gw ip route add default via 203.0.113.1 dev eth0
in_ns gw sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
add_client alice 40
add_client bob 41
add_client branch 42
netns_add lanhost
veth_pair branch lan0 192.168.50.1/24 lanhost eth0 192.168.50.10/24
in_ns lanhost ip route add default via 192.168.50.1
in_ns branch sysctl -qw net.ipv4.ip_forward=1
new_peer alice
new_peer bob
new_peer branch
new_peer server
carol_pub=$(wg genkey | wg pubkey)
dave_pub=$(wg genkey | wg pubkey)

cat >"$conf" <<CONF
# The office VPN, as wg-quick runs it.
[Interface]
Address = 10.72.0.1/24, fd72::1/64
ListenPort = 51820
PrivateKey = $(cat "$SANDBOX_DIR/server.key")
PostUp = iptables -A FORWARD -i %i -j ACCEPT; iptables -A FORWARD -o %i -j ACCEPT; iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
PostDown = iptables -D FORWARD -i %i -j ACCEPT; iptables -D FORWARD -o %i -j ACCEPT; iptables -t nat -D POSTROUTING -o eth0 -j MASQUERADE

# alice
[Peer]
PublicKey = ${PUB[alice]}
AllowedIPs = 10.72.0.2/32, fd72::2/128

[Peer]
# bob
PublicKey = ${PUB[bob]}
AllowedIPs = 10.72.0.3/32, fd72::3/128

[Peer]
# Name = carol
PublicKey = $carol_pub
AllowedIPs = 10.72.0.4/32, 10.72.0.14/32

# dave
[Peer]
PublicKey = $dave_pub
AllowedIPs = fd72::6/128

# branch
[Peer]
PublicKey = ${PUB[branch]}
AllowedIPs = 10.72.0.5/32, 192.168.50.0/24
CONF
chmod 600 "$conf"
check "wg-quick up runs the server (hooks included)" in_ns gw wg-quick up "$conf"
check "wg-quick routed the branch's LAN into wg0" \
    grep -q "192.168.50.0/24 dev wg0" <<<"$(in_ns gw ip route show table main)"
wg_dump() { in_ns gw wg show wg0 allowed-ips | sort; }
wg_dump >"$SANDBOX_DIR/wg.before"

server=$(wg pubkey <"$SANDBOX_DIR/server.key")
wg_client alice wc_alice "$SANDBOX_DIR/alice.key" 10.72.0.2/32,fd72::2/128 "$server" \
    10.72.0.0/24 192.0.2.0/24 192.168.50.0/24
wg_client bob wc_bob "$SANDBOX_DIR/bob.key" 10.72.0.3/32,fd72::3/128 "$server" 10.72.0.0/24 \
    192.0.2.0/24
wg_client branch wc_branch "$SANDBOX_DIR/branch.key" 10.72.0.5/32 "$server" 10.72.0.0/24
serve inet inet 8080
serve lanhost lanhost 8080
spawn_in inet python3 "$ECHO_PY" talk inet 9090
wait_listen inet 9090
handshake alice 10.72.0.1
handshake bob 10.72.0.1
handshake branch 10.72.0.1
check "before: alice reaches the internet through wg-quick's NAT" \
    answers "inet 203.0.113.2" alice 192.0.2.80 8080
check "before: alice reaches the host behind the branch" \
    answers "lanhost 10.72.0.2" alice 192.168.50.10 8080

# alice and bob ping all along (alice also the host behind the branch); bob
# holds a connection open.
pingers=()
start_ping() {  # start_ping NS ADDRESS: pings by PID, its tally in $SANDBOX_DIR/ping.NS.ADDRESS
    ip netns exec "$1" ping -i 0.1 -W 1 "$2" >"$SANDBOX_DIR/ping.$1.$2" 2>&1 &
    SANDBOX_PIDS+=("$!")
    pingers+=("$!:$1.$2")
}
start_ping alice 192.0.2.80
start_ping alice 192.168.50.10
start_ping bob 192.0.2.80
spawn_in bob python3 "$ECHO_PY" keep 192.0.2.80 9090 inet "$SANDBOX_DIR/go" "$SANDBOX_DIR/held"
for _ in $(seq 1 50); do [ -s "$SANDBOX_DIR/held" ] && break; sleep 0.1; done
check "bob holds a TCP connection through the gateway" grep -qx held "$SANDBOX_DIR/held"

out=$(in_ns gw "$VPNGW" import wg-quick "$conf" -o "$profile" --state-dir "$state" --adopt 2>&1)
check "import --adopt succeeds" test $? -eq 0
sed 's/^/    /' <<<"$out"
check "the MASQUERADE hook became an uplink with NAT on eth0" \
    grep -Pzq '\[\[uplink\]\]\nname = "eth0"\ndevice = "eth0"\nnat = "masquerade"' "$profile"
check "peers are named from the comments above and inside [Peer]" \
    test "$(grep -c '^name = "\(alice\|bob\|carol\|dave\|branch\)"' "$profile")" -eq 5
check "every peer keeps its IPv6 address in the profile" \
    test "$(grep -c '^address6 = "fd72::[236]"' "$profile")" -eq 3
check "carol keeps her second IPv4 address and has no IPv6 one" \
    grep -Pzq 'address = "10.72.0.4"\naddress6 = "none"\nextra_addresses = \["10.72.0.14"\]' \
    "$profile"
check "dave is IPv6 only" grep -Pzq 'address = "none"\naddress6 = "fd72::6"' "$profile"
check "the branch's LAN is its network" grep -q '^networks = \["192.168.50.0/24"\]' "$profile"

plan=$(in_ns gw "$VPNGW" plan "$profile" --state-dir "$state" 2>&1)
sed 's/^/    /' <<<"$plan" | head -n 30
check_not "plan shows no WireGuard change (no peer added, changed or removed)" \
    grep -Eq "wireguard|peer " <<<"$plan"

check "vpngw up applies the profile" gw_up "$profile"
check "every peer keeps its AllowedIPs" cmp -s "$SANDBOX_DIR/wg.before" <(wg_dump)
cmp -s "$SANDBOX_DIR/wg.before" <(wg_dump) || diff "$SANDBOX_DIR/wg.before" <(wg_dump) | sed 's/^/    /' || true
check "alice (full tunnel) still reaches the internet with a new connection" \
    answers "inet 203.0.113.2" alice 192.0.2.80 8080
check "bob too" answers "inet 203.0.113.2" bob 192.0.2.80 8080
check "alice still reaches the host behind the branch" \
    answers "lanhost 10.72.0.2" alice 192.168.50.10 8080
check "vpngw took over wg-quick's route to the branch's LAN" \
    grep -q "192.168.50.0/24 dev wg0 proto 86" <<<"$(in_ns gw ip route show table main)"
check "... through vpngw's own NAT rule" \
    grep -q 'oifname "eth0" ip saddr @vpn_nets4 masquerade' \
    <<<"$(in_ns gw nft list chain inet vpngw nat_postrouting)"
touch "$SANDBOX_DIR/go"
for _ in $(seq 1 50); do grep -q echo "$SANDBOX_DIR/held" 2>/dev/null && break; sleep 0.1; done
check "bob's connection survived and still carries data" \
    grep -qx "inet echo still-there" "$SANDBOX_DIR/held"
# Let each ping run on for ten more answers after the last change, then
# read its tally.
replies() { grep -c 'bytes from' "$1"; }
for p in "${pingers[@]}"; do
    pid=${p%%:*} out="$SANDBOX_DIR/ping.${p#*:}"
    want=$(($(replies "$out") + 10))
    for _ in $(seq 1 50); do [ "$(replies "$out")" -ge "$want" ] && break; sleep 0.1; done
    kill -INT "$pid"
    wait "$pid" 2>/dev/null || true
    tally=$(grep "packets transmitted" "$out")
    echo "    ping ${p#*:}: $tally"
    check "ping ${p#*:} lost nothing through import and up" grep -q " 0% packet loss" <<<"$tally"
done

gw_up "$profile" >"$SANDBOX_DIR/up2.out" 2>&1
check "a second up changes nothing" \
    grep -q "nothing to do, the kernel already matches (0 changes)" "$SANDBOX_DIR/up2.out"
check "and every peer's AllowedIPs are still wg-quick's" cmp -s "$SANDBOX_DIR/wg.before" <(wg_dump)
finish
