#!/usr/bin/env bash
# Scenario "local client networks and container bridges": networks that are
# not WireGuard ([[network]]) as first-class sources, next to a container
# engine's own nftables rules.
#
#   ctr  172.30.0.10 ─ br-apps (vpngw creates it) ─┐
#   ctr2 172.31.0.10 ─ br-lan  (engine's bridge)  ─┤      ┌ eth0 203.0.113.2 ─ isp1 "inet" (192.0.2.80)
#   privhost 10.140.0.10 ─ priv0 (veth)           ─┼─ gw ─┤
#   alice 10.64.1.10 (WireGuard, via isp1)        ─┘      └ eth1 198.18.1.2 ── isp2 (192.0.2.80)
#
# Both ISPs hold the internet host 192.0.2.80; the one that answers tells
# the uplink, the source it saw tells the NAT. Main's default route is wan0,
# the container networks' egress is wan1.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../netns/lib.sh"
source "$here/lib.sh"
enter_sandbox "$@"

build_world
netns_add isp2
veth_pair isp2 isp0 198.18.1.1/24 gw eth1 198.18.1.2/24
in_ns isp2 ip addr add 192.0.2.80/32 dev lo
in_ns gw ip route add default via 203.0.113.1 dev eth0
# A container engine turns forwarding on itself; vpngw's down restores what
# it found, so the engine's containers keep working after it.
in_ns gw sysctl -qw net.ipv4.ip_forward=1

# container NS VETH BRIDGE ADDR GW: a namespace on a veth whose gateway end
# joins BRIDGE (or, without a bridge, carries the gateway address GW/24).
container() {
    local ns=$1 veth=$2 bridge=$3 addr=$4 gw=$5
    netns_add "$ns"
    ip link add eth0 netns "$ns" type veth peer name "$veth" netns gw
    in_ns "$ns" ip addr add "$addr/24" dev eth0
    in_ns "$ns" ip link set eth0 up
    if [ -n "$bridge" ]; then
        in_ns gw ip link set "$veth" master "$bridge" up
    else
        in_ns gw ip addr add "$gw/24" dev "$veth"
        in_ns gw ip link set "$veth" up
    fi
    in_ns "$ns" ip route add default via "$gw"
}

# An engine's bridge that exists before vpngw, with its own address.
in_ns gw ip link add br-lan type bridge
in_ns gw ip addr add 172.31.0.1/24 dev br-lan
in_ns gw ip link set br-lan up
container ctr2 vctr2 br-lan 172.31.0.10 172.31.0.1
container privhost priv0 "" 10.140.0.10 10.140.0.1

# A container engine's rules, as Docker installs them through iptables-nft:
# masquerade for its bridge, a forward policy of drop with accepts for the
# bridge, and DOCKER-USER where the administrator lets other traffic pass
# (what docs/scenarios.md tells vpngw users to add).
in_ns gw nft -f - <<'NFT'
table ip nat {
	chain POSTROUTING {
		type nat hook postrouting priority srcnat; policy accept;
		oifname != "br-lan" ip saddr 172.31.0.0/24 masquerade
	}
}
table ip filter {
	chain DOCKER-USER {
		iifname { "wg0", "br-apps", "priv0" } accept
		oifname { "wg0", "br-apps", "priv0" } accept
	}
	chain FORWARD {
		type filter hook forward priority filter; policy drop;
		jump DOCKER-USER
		oifname "br-lan" ct state related,established accept
		iifname "br-lan" oifname != "br-lan" accept
		iifname "br-lan" oifname "br-lan" accept
	}
}
NFT
foreign() { in_ns gw nft list table ip nat; in_ns gw nft list table ip filter; }
foreign_before=$(foreign)
ipv6_settle gw
lan_before=$(in_ns gw ip addr show br-lan)

serve inet isp1 8080
serve isp2 isp2 8080
serve privhost privhost 8080

new_peer alice
profile() {  # profile OUT STAFF_ALLOW PRIV_ALLOW
    sed -e "s|@STAFF_ALLOW@|$2|" -e "s|@PRIV_ALLOW@|$3|" \
        "$here/profiles/local_networks.toml.in" >"$SANDBOX_DIR/tmpl.toml"
    render_profile "$SANDBOX_DIR/tmpl.toml" "$1"
}
profile "$SANDBOX_DIR/isolated.toml" '"192.0.2.0/24"' '"192.0.2.0/24"'
profile "$SANDBOX_DIR/allowed.toml" '"192.0.2.0/24", "group:priv tcp/8080"' \
    '"192.0.2.0/24", "group:staff tcp/8080"'

echo "# (a) container networks leave by their egress uplink"
check "vpngw up applies the profile (foreign tables present)" gw_up "$SANDBOX_DIR/isolated.toml"
check "vpngw created br-apps as a bridge with alias vpngw" \
    grep -q "alias vpngw" <<<"$(in_ns gw ip -d link show br-apps)"
check "br-apps has the gateway address 172.30.0.1/24" \
    grep -q "inet 172.30.0.1/24" <<<"$(in_ns gw ip addr show br-apps)"
check "the existing bridge br-lan is untouched (addresses, state, no alias)" \
    test "$(in_ns gw ip addr show br-lan)" == "$lan_before"
container ctr vctr br-apps 172.30.0.10 172.30.0.1
add_client alice 60
server=$(in_ns gw wg show wg0 public-key)
wg_client alice wc "$SANDBOX_DIR/alice.key" 10.64.1.10/32 "$server" \
    10.64.0.0/16 10.140.0.0/24 192.0.2.0/24
handshake alice 10.64.0.1

check "container on vpngw's bridge leaves by wan1: ISP 2 answers, seeing 198.18.1.2" \
    answers "isp2 198.18.1.2" ctr 192.0.2.80 8080
check "container on the engine's bridge leaves by wan1 too (not main's wan0)" \
    answers "isp2 198.18.1.2" ctr2 192.0.2.80 8080
check "the private network leaves by wan0: ISP 1 answers, seeing 203.0.113.2" \
    answers "isp1 203.0.113.2" privhost 192.0.2.80 8080
check "the VPN client leaves by wan0 through both rulesets" \
    answers "isp1 203.0.113.2" alice 192.0.2.80 8080

echo "# (b) isolation between a network and a WireGuard group; anti-spoofing"
serve alice alice 8080
drops=$(gw_counter forward_drops)
check_not "the VPN client cannot reach the private host" probe alice 10.140.0.10 8080
check_not "the private host cannot reach the VPN client" probe privhost 10.64.1.10 8080
check "... and vpngw counted those drops" counter_grew forward_drops "$drops"
spoofed=$(gw_counter spoofed_drops)
in_ns ctr ip addr add 10.99.0.5/32 dev eth0
check_not "a container packet with a source outside its subnet does not get out" \
    probe ctr 192.0.2.80 8080 --src 10.99.0.5
check "... it is counted as spoofed" counter_grew spoofed_drops "$spoofed"
spoofed=$(gw_counter spoofed_drops)
in_ns isp2 ip addr add 172.30.0.99/32 dev lo
in_ns isp2 ip route add 172.30.0.0/24 via 198.18.1.2
check_not "a packet from ISP 2 claiming the container subnet does not get in" \
    probe isp2 172.30.0.10 8080 --src 172.30.0.99
check "... it is counted as spoofed" counter_grew spoofed_drops "$spoofed"
check "vpngw up with allow lists that open tcp/8080 both ways" gw_up "$SANDBOX_DIR/allowed.toml"
check "the VPN client reaches the private host (which sees the client's address)" \
    answers "privhost 10.64.1.10" alice 10.140.0.10 8080
check "the private host reaches the VPN client" answers "alice 10.140.0.10" privhost 10.64.1.10 8080

echo "# (c) a container engine's ruleset, before and after"
check "the engine's nat and filter tables are as they were before up" \
    test "$(foreign)" == "$foreign_before"
out=$(in_ns gw "$VPNGW" down "$SANDBOX_DIR/allowed.toml" --state-dir "$SANDBOX_DIR/state" 2>&1) ||
    echo "$out" | sed 's/^/    /'
check "vpngw down removes its table and the bridge it created" \
    test -z "$(in_ns gw nft list tables | grep vpngw)" -a -z "$(in_ns gw ip link show br-apps 2>/dev/null)"
check "the engine's tables are still as they were" test "$(foreign)" == "$foreign_before"
check "the engine's bridge br-lan is still as it was" \
    test "$(in_ns gw ip addr show br-lan)" == "$lan_before"
check "the engine's container still reaches the internet through the engine's NAT (main: wan0)" \
    answers "isp1 203.0.113.2" ctr2 192.0.2.80 8080
finish
