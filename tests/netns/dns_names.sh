#!/usr/bin/env bash
# Issue 22: peers' names in DNS. The gateway runs `vpngw dns serve` (dnsmasq
# with the configuration vpngw renders); a real client (wireguard-go + wg with
# the config `peer add` generated, glibc's resolver pointed where its DNS=
# line says) resolves another peer's name through the tunnel, and an
# internet name through the upstream resolver (the test's own dnsmasq in the
# "internet" namespace); a removed peer's name stops resolving, an added
# one starts, without restarting the resolver. The resolver listens on the
# tunnel address only. Root; everything lives in private namespaces.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
enter_sandbox "$@"
command -v dnsmasq >/dev/null || die "missing dnsmasq (Debian package dnsmasq-base)"

profile=$here/profiles/dns_names.toml
state=$SANDBOX_DIR/state
peer_cmd() { local sub=$1; shift; vpngw_gw peer "$sub" "$@" --profile "$profile" --state-dir "$state"; }
# Private to this mount namespace: the resolvers' runtime files and each
# namespace's resolv.conf (`ip netns exec` mounts /etc/netns/NS/resolv.conf).
mkdir -p /run/vpngw /etc/netns
mount -t tmpfs -o mode=0755 vpngw-run /run/vpngw
mount -t tmpfs -o mode=0755 vpngw-etc-netns /etc/netns

build_world
add_client alice 10
in_ns gw ip route add default via 203.0.113.1
set +e

# --- the "internet": an upstream resolver that knows www.example.test ----------
in_ns inet ip addr add 192.0.2.53/32 dev lo
spawn_in inet dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
    --listen-address=192.0.2.53 --address=/www.example.test/192.0.2.80 \
    --pid-file="$SANDBOX_DIR/upstream.pid" --log-facility=-

check "profile with [dns] checks (and says cam_1 gets no name)" \
    bash -c "'$VPNGW' check '$profile' 2>&1 | grep -q 'peer \"cam_1\" gets no name'"
if ! vpngw_gw up "$profile" --state-dir "$state" >"$SANDBOX_DIR/up.log" 2>&1; then
    sed 's/^/    /' "$SANDBOX_DIR/up.log"
    check "vpngw up brings the gateway up" false
    finish; exit 1
fi
check "vpngw up brings the gateway up ($(tail -n 1 "$SANDBOX_DIR/up.log"))" true

peer_cmd add alice --group staff --qr none >"$SANDBOX_DIR/alice.conf" 2>"$SANDBOX_DIR/alice.err"
peer_cmd add bob --group staff --qr none >"$SANDBOX_DIR/bob.conf" 2>"$SANDBOX_DIR/bob.err"
sed 's/^/    /' "$SANDBOX_DIR/bob.err"
check "peer add says the resolver is not running yet" grep -q '^names: .*no resolver running' "$SANDBOX_DIR/bob.err"
bob_addr=$(sed -n 's/^Address = \([0-9.]*\)\/32.*/\1/p' "$SANDBOX_DIR/bob.conf")
check "alice's config points DNS at the gateway, zone as search domain" \
    grep -qx 'DNS = 10.69.0.1, vpn.test' "$SANDBOX_DIR/alice.conf"

# --- the gateway's resolver: what vpngw@'s companion unit vpngw-dns@ runs ------
spawn_in gw "$VPNGW" dns serve "$profile" --state-dir "$state"
resolver_up() { in_ns gw ss -lnu | grep -q '10\.69\.0\.1:53 '; }
for _ in $(seq 1 50); do resolver_up && break; sleep 0.1; done
check "dnsmasq listens on the tunnel address 10.69.0.1:53" resolver_up
listeners=$(in_ns gw ss -lntu | awk '$5 ~ /:53$/ {print $5}' | sort -u | tr '\n' ' ')
check "and on nothing else (listeners: $listeners)" test "$listeners" = "10.69.0.1:53 "

# --- alice connects with her config; her resolver is its DNS= line -------------
client_up alice wgc0 "$SANDBOX_DIR/alice.conf" 10.69.0.0/16 192.0.2.0/24
dns_line=$(sed -n 's/^DNS = //p' "$SANDBOX_DIR/alice.conf")
mkdir -p /etc/netns/alice
{
    echo "nameserver ${dns_line%%,*}"
    echo "search ${dns_line#*, }"
    echo "options timeout:1 attempts:1"
} > /etc/netns/alice/resolv.conf
for _ in 1 2 3 4 5; do pings alice 10.69.0.1 1 && break; sleep 1; done
check "alice reaches the gateway through the tunnel" pings alice 10.69.0.1 2

resolves() {  # resolves NAME ADDRESS: alice's glibc resolver says so
    [ "$(in_ns alice getent ahostsv4 "$1" 2>/dev/null | awk 'NR == 1 {print $1}')" = "$2" ]
}
resolves_not() { ! in_ns alice getent ahostsv4 "$1" >/dev/null 2>&1; }
# poll UNTIL-FUNCTION ARGS...: up to 10 s (a reload is asynchronous).
poll() { local i; for i in $(seq 1 50); do "$@" && return 0; sleep 0.2; done; return 1; }

check "alice resolves bob.vpn.test to bob's tunnel address $bob_addr" resolves bob.vpn.test "$bob_addr"
check "and plain 'bob' through the search domain" resolves bob "$bob_addr"
check "a profile peer resolves too (printer.vpn.test)" resolves printer.vpn.test 10.69.1.200
check "an internet name resolves through the upstream (www.example.test)" \
    resolves www.example.test 192.0.2.80
check "a name in the zone that no peer has does not resolve" resolves_not nobody.vpn.test
query_went_through_tunnel() {
    in_ns gw wg show wg0 transfer | awk '{ s += $2 } END { exit !(s > 0) }'
}
check "the queries went through the tunnel" query_went_through_tunnel

# --- peer changes reach the resolver without a restart ---------------------------
resolver_pid=$(cat /run/vpngw/dns-dns-names/dnsmasq.pid)
peer_cmd remove bob 2>"$SANDBOX_DIR/rm.err"
sed 's/^/    /' "$SANDBOX_DIR/rm.err"
check "peer remove reloaded dnsmasq" grep -q '^names: .*dnsmasq reloaded' "$SANDBOX_DIR/rm.err"
check "bob's name stops resolving after peer remove (polled, 10 s)" poll resolves_not bob.vpn.test
peer_cmd add carol --group staff --qr none >"$SANDBOX_DIR/carol.conf" 2>/dev/null
carol_addr=$(sed -n 's/^Address = \([0-9.]*\)\/32.*/\1/p' "$SANDBOX_DIR/carol.conf")
check "a peer added later resolves (carol.vpn.test -> $carol_addr, polled)" \
    poll resolves carol.vpn.test "$carol_addr"
# A rename edits only that peer's lines (the rest of the hosts file is kept).
peer_cmd edit carol --rename dave 2>"$SANDBOX_DIR/edit.err"
check "peer edit --rename moves the name (dave.vpn.test -> $carol_addr, polled)" \
    poll resolves dave.vpn.test "$carol_addr"
check "and carol.vpn.test stops resolving (polled)" poll resolves_not carol.vpn.test
check "alice's name is still there after the edits" resolves alice.vpn.test \
    "$(sed -n 's/^Address = \([0-9.]*\)\/32.*/\1/p' "$SANDBOX_DIR/alice.conf")"
check "each name once in the hosts file (no duplicate lines)" \
    test -z "$(sort /run/vpngw/dns-dns-names/hosts | uniq -d)"
check "the same dnsmasq process all along (pid $resolver_pid)" \
    test "$(cat /run/vpngw/dns-dns-names/dnsmasq.pid)" = "$resolver_pid" -a -d "/proc/$resolver_pid"
check "cam_1 (no DNS label) is in no hosts line" bash -c "! grep -q cam_1 /run/vpngw/dns-dns-names/hosts"

vpngw_gw down "$profile" --state-dir "$state" >/dev/null 2>&1
finish
