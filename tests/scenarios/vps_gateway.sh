#!/usr/bin/env bash
# Scenario "VPS as internet gateway": a WireGuard client reaches an internet
# host through the gateway, which sees the uplink's address (NAT, v4 and v6);
# the management port answers the admin's networks only, and what the input
# policy drops is counted.
#
#   alice ──wg── gw(eth0 203.0.113.2) ── inet(192.0.2.80, 2001:db8:80::80)
#                                          └─ br0: admin .10, outsider .200
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../netns/lib.sh"
source "$here/lib.sh"
enter_sandbox "$@"

build_world
add_client alice 20
add_client admin 10
add_client outsider 200
new_peer alice
render_profile "$here/profiles/vps_gateway.toml.in" "$SANDBOX_DIR/vps.toml"

check "vpngw up applies the profile (overlapping management prefixes included)" \
    gw_up "$SANDBOX_DIR/vps.toml"
check "the kernel merged the overlapping management prefixes into one interval" \
    grep -q 'elements = { 198.51.100.0/25 }' <<<"$(in_ns gw nft list set inet vpngw mgmt4)"

server=$(in_ns gw wg show wg0 public-key)
wg_client alice wc_alice "$SANDBOX_DIR/alice.key" 10.60.1.10/32,fd60:0:0:1::10/128 "$server" \
    192.0.2.0/24 2001:db8:80::/64 10.60.0.0/16 fd60::/48
watch_sources
serve inet internet 8080
serve gw gw 22
handshake alice 10.60.0.1

check "alice pings the internet host through the tunnel" pings alice 192.0.2.80
check "IPv6: alice pings the internet host through the tunnel" pings alice 2001:db8:80::80
check "TCP: the internet host answers alice and sees the uplink address 203.0.113.2" \
    answers "internet 203.0.113.2" alice 192.0.2.80 8080
check "TCP over IPv6: the internet host sees the uplink address 2001:db8:1::2" \
    answers "internet 2001:db8:1::2" alice 2001:db8:80::80 8080
check "no VPN address (10/8) reached the internet" \
    test "$(counter_value inet inet observe from_vpn4)" -eq 0
check "no VPN address (fd00::/8) reached the internet" \
    test "$(counter_value inet inet observe from_vpn6)" -eq 0

check "management: the admin (198.51.100.10) reaches port 22" \
    answers "gw 198.51.100.10" admin 203.0.113.2 22
check "management over IPv6: the admin (2001:db8:100::10) reaches port 22" \
    answers "gw 2001:db8:100::10" admin 2001:db8:1::2 22
before=$(gw_counter input_drops)
check_not "management: a source outside the allow list (198.51.100.200) gets no answer" \
    probe outsider 203.0.113.2 22
check "the input drop counter counted the outsider's SYNs" counter_grew input_drops "$before"
before=$(gw_counter input_drops)
check_not "management over IPv6: 2001:db8:100::200 gets no answer" \
    probe outsider 2001:db8:1::2 22
check "the input drop counter counted the IPv6 SYNs" counter_grew input_drops "$before"
check_not "the VPN client is not a management source either" probe alice 10.60.0.1 22
check "the outsider may still ping the gateway (essential ICMP is not dropped)" \
    pings outsider 203.0.113.2

status=$(in_ns gw "$VPNGW" status "$SANDBOX_DIR/vps.toml" --state-dir "$SANDBOX_DIR/state" 2>&1 || true)
check "vpngw status reports conntrack use (non-zero) against the maximum" \
    grep -Eq '^conntrack: [1-9][0-9]* of [1-9][0-9]* entries' <<<"$status"
finish
