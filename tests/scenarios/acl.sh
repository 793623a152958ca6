#!/usr/bin/env bash
# Scenario "ACL vocabulary" (issue 18 item 4), with real WireGuard clients,
# IPv4 and IPv6: "internet" reaches an internet host but neither another
# group, nor the group's own isolated clients, nor private space beyond the
# gateway; "!group:" blocks what it names while the rest of "any" applies;
# "!CIDR" blocks one host; an exclusion wins over an inclusion of the same
# traffic, wherever it stands in the list. Excluded traffic is counted.
#
#   g1, g2 (guests: isolate, ["internet"])          ┐
#   st (staff: ["any", "!group:guests", "!HOST"])   ├─wg── gw ── inet: 192.0.2.80 (internet),
#   srv (servers: guests tcp/8080 in and out, 9000) ┘      10.99.0.80/.81, fd99::80/::81 (private)
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../netns/lib.sh"
source "$here/lib.sh"
enter_sandbox "$@"

build_world
# Private hosts beyond the gateway: not "internet", reachable with "any".
in_ns inet ip addr add 10.99.0.80/32 dev lo
in_ns inet ip addr add 10.99.0.81/32 dev lo
in_ns inet ip -6 addr add fd99::80/128 dev lo nodad
in_ns inet ip -6 addr add fd99::81/128 dev lo nodad
n=60
for c in g1 g2 st srv; do add_client "$c" $((n++)); new_peer "$c"; done
render_profile "$here/profiles/acl.toml.in" "$SANDBOX_DIR/acl.toml"
check "vpngw up applies the profile" gw_up "$SANDBOX_DIR/acl.toml"

server=$(in_ns gw wg show wg0 public-key)
declare -A V4=([g1]=10.64.1.10 [g2]=10.64.1.11 [st]=10.64.2.10 [srv]=10.64.3.10
               [net]=192.0.2.80 [priv]=10.99.0.80 [priv2]=10.99.0.81)
declare -A V6=([g1]=fd64:0:0:1::10 [g2]=fd64:0:0:1::11 [st]=fd64:0:0:2::10
               [srv]=fd64:0:0:3::10 [net]=2001:db8:80::80 [priv]=fd99::80 [priv2]=fd99::81)
for c in g1 g2 st srv; do
    wg_client "$c" "wc_$c" "$SANDBOX_DIR/$c.key" "${V4[$c]}/32,${V6[$c]}/128" "$server" \
        10.64.0.0/16 fd64::/48 192.0.2.80/32 2001:db8:80::80/128 10.99.0.0/24 fd99::/64
    serve "$c" "$c" 8080
    serve "$c" "$c" 9000
done
serve inet inet 8080
for c in g1 g2 st srv; do handshake "$c" 10.64.0.1; done

# allowed FROM TO PORT [ANSWER...]: answered by TO, which saw FROM's address
# (inside the VPN) or the gateway's uplink address (masqueraded), both families.
allowed() {
    local from=$1 to=$2 port=$3 host4=$2 host6=$2 saw4=${V4[$1]} saw6=${V6[$1]}
    case $to in net | priv | priv2) host4=inet host6=inet saw4=203.0.113.2 saw6=2001:db8:1::2 ;; esac
    check "$from → $to tcp/$port is answered (v4)" answers "$host4 $saw4" "$from" "${V4[$to]}" "$port"
    check "$from → $to tcp/$port is answered (v6)" answers "$host6 $saw6" "$from" "${V6[$to]}" "$port"
}
refused() {
    check_not "$1 → $2 tcp/$3 is refused (v4)" probe "$1" "${V4[$2]}" "$3"
    check_not "$1 → $2 tcp/$3 is refused (v6)" probe "$1" "${V6[$2]}" "$3"
}

check "the not-internet sets exist (one negated lookup per family)" \
    grep -q "ip daddr != @not_internet4 ct label set 127 accept" <<<"$(in_ns gw nft list chain inet vpngw grp_guests)"

# guests: ["internet"], isolated.
before=$(gw_counter forward_drops)
allowed g1 net 8080
refused g1 st 8080
refused g1 srv 8080
refused g1 priv 8080
refused g1 g2 8080
check "what \"internet\" leaves out is dropped and counted" counter_grew forward_drops "$before"

# staff: ["any", "!group:guests", "!10.99.0.81/32", "!fd99::81/128"].
allowed st net 8080
allowed st srv 8080
allowed st priv 8080
before=$(gw_counter forward_drops)
refused st g1 8080
refused st g2 9000
check "the exclusion's drops are counted" counter_grew forward_drops "$before"
refused st priv2 8080

# servers: the guests' tcp/8080 is included and excluded: the exclusion wins;
# tcp/9000 is only included; staff is reachable.
refused srv g1 8080
allowed srv g1 9000
allowed srv st 8080
refused srv net 8080
finish
