#!/usr/bin/env bash
# Scenario "VPN gateway with isolated client subnets": isolation inside a
# group and allow lists between groups, each in both directions, for IPv4 and
# IPv6, proven with TCP and ping between real WireGuard clients; blocked
# attempts are counted; ops' connection limit (ct count) holds.
#
#   alice, bob (staff, isolated) ─┐
#   srv (servers)                 ├─wg── gw ── inet
#   op (ops, max 3 connections)  ─┘
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../netns/lib.sh"
source "$here/lib.sh"
enter_sandbox "$@"

build_world
n=40
for c in alice bob srv op; do add_client "$c" $((n++)); new_peer "$c"; done
render_profile "$here/profiles/isolation.toml.in" "$SANDBOX_DIR/office.toml"
check "vpngw up applies the profile" gw_up "$SANDBOX_DIR/office.toml"

server=$(in_ns gw wg show wg0 public-key)
declare -A V4=([alice]=10.62.1.10 [bob]=10.62.1.11 [srv]=10.62.2.10 [op]=10.62.3.10)
declare -A V6=([alice]=fd62:0:0:1::10 [bob]=fd62:0:0:1::11 [srv]=fd62:0:0:2::10
               [op]=fd62:0:0:3::10)
for c in alice bob srv op; do
    wg_client "$c" "wc_$c" "$SANDBOX_DIR/$c.key" "${V4[$c]}/32,${V6[$c]}/128" "$server" \
        10.62.0.0/16 fd62::/48
    serve "$c" "$c" 8080
    serve "$c" "$c" 9000
done
for c in alice bob srv op; do handshake "$c" 10.62.0.1; done

# allowed FROM TO PORT: FROM's connection to TO:PORT is answered, and TO saw
# FROM's own address (no NAT inside the VPN), over IPv4 and over IPv6.
allowed() {
    check "$1 → $2 tcp/$3 is answered (v4)" answers "$2 ${V4[$1]}" "$1" "${V4[$2]}" "$3"
    check "$1 → $2 tcp/$3 is answered (v6)" answers "$2 ${V6[$1]}" "$1" "${V6[$2]}" "$3"
}
refused() {
    check_not "$1 → $2 tcp/$3 is refused (v4)" probe "$1" "${V4[$2]}" "$3"
    check_not "$1 → $2 tcp/$3 is refused (v6)" probe "$1" "${V6[$2]}" "$3"
}

# staff ↔ staff: isolation, both ways, ping too.
before=$(gw_counter forward_drops)
refused alice bob 8080
refused bob alice 8080
check_not "isolation: alice cannot ping bob (v4)" ping1 alice "${V4[bob]}"
check_not "isolation: alice cannot ping bob (v6)" ping1 alice "${V6[bob]}"
check "isolation drops are counted in forward_drops" counter_grew forward_drops "$before"

# staff → servers: exactly tcp/8080 and icmp; servers → staff: nothing new.
allowed alice srv 8080
allowed bob srv 8080
refused alice srv 9000
check "staff ping servers (icmp allowed, v4)" pings alice "${V4[srv]}"
check "staff ping servers (icmp allowed, v6)" pings alice "${V6[srv]}"
refused srv alice 8080
check_not "servers cannot ping staff (v4)" ping1 srv "${V4[alice]}"
check_not "servers cannot ping staff (v6)" ping1 srv "${V6[alice]}"

# servers → ops: exactly tcp/9000; ops → anyone.
allowed srv op 9000
refused srv op 8080
allowed op alice 8080
allowed op srv 9000
refused alice op 8080

# ops: at most 3 connections per client at once (ct count); a fourth and
# fifth SYN are dropped and counted.
hold srv 7000
before=$(gw_counter forward_drops)
opened=$(in_ns op python3 "$ECHO_PY" open "${V4[srv]}" 7000 5 --timeout 1.5)
check "ct count: op holds exactly 3 of 5 connections (got $opened)" test "$opened" -eq 3
check "the connections over the limit are counted in forward_drops" \
    counter_grew forward_drops "$before"
check "the limit is per client: srv → op still works meanwhile" \
    answers "op ${V4[srv]}" srv "${V4[op]}" 9000
finish
