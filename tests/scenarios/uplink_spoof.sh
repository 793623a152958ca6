#!/usr/bin/env bash
# Scenario "uplink spoofing" (issue 16, item 3): a host on the uplink's side
# forges sources from the VPN and network subnets to get past a port
# forward's allow_from through the hairpin DNAT; another table's DNAT to a
# host behind the gateway tries to ride on vpngw's forward chain. Neither
# reaches the backend; the forged packets are counted in spoofed_drops, the
# foreign DNAT in forward_drops. A VPN source forged on a link that is no
# uplink takes no hairpin DNAT either (input_drops). The legitimate paths
# still work: an allowed partner, a VPN client's hairpin (v4, v6), a local
# network host's hairpin.
#
#   partner  100.64.1.20 ─┐
#   stranger 100.64.2.20 ─┤ inet ── gw eth0 203.0.113.2 ──wg── web 10.61.2.10:8080
#   (inet forges 10.61.1.99, fd61:0:0:1::99, 10.62.0.99)  ├─wg── alice 10.61.1.10
#                         └─ br0: WireGuard endpoints       ├─ lab0 ── labhost 10.62.0.10
#                                                           └─ side0 ── side 192.168.50.2 (forges 10.61.1.98)
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../netns/lib.sh"
source "$here/lib.sh"
enter_sandbox "$@"

forward_world
netns_add labhost
veth_pair gw lab0 10.62.0.1/24 labhost eth0 10.62.0.10/24
in_ns labhost ip route add default via 10.62.0.1
# A link that is neither an uplink nor a client device (a management or
# backup NIC): only the hairpin's own device condition stands in the way.
netns_add side
veth_pair gw side0 192.168.50.1/24 side eth0 192.168.50.2/24
in_ns side ip route add default via 192.168.50.1
# Loose reverse-path filtering, as vpngw sets it with several uplinks and
# many distributions by default: strict mode would drop IPv4 forgeries in
# the routing decision after the DNAT (IPv6 has no such filter at all), so
# the checks below test vpngw's ruleset, not the sysctl.
in_ns gw sysctl -qw net.ipv4.conf.all.rp_filter=2
render_profile "$here/profiles/uplink_spoof.toml.in" "$SANDBOX_DIR/spoof.toml"
check "vpngw up applies the profile" gw_up "$SANDBOX_DIR/spoof.toml"

forward_clients

# What reaches the backend, counted where it arrives: connections from the
# partner, and those from the gateway's own addresses, as every hairpinned
# connection is masqueraded (a forgery taking the hairpin DNAT would arrive
# so, the forged source hidden behind the gateway's).
in_ns web nft -f - <<'NFT'
table inet observe {
	counter partner {}
	counter via_gateway4 {}
	counter via_gateway6 {}
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 8080 tcp flags & (syn | ack) != syn return
		ip saddr 100.64.1.20 counter name partner
		ip saddr 10.61.0.1 counter name via_gateway4
		ip6 saddr fd61::1 counter name via_gateway6
	}
}
NFT
arrived() { counter_value web inet observe "$1"; }

check "an allowed partner → 203.0.113.2:8443 reaches the backend with its real source" \
    answers "web 100.64.1.20" partner 203.0.113.2 8443
check "  and the backend's counter saw its SYN (the observer counts what arrives)" \
    test "$(arrived partner)" -gt 0

# forge COUNTER SOURCE HOST PORT: the router on the uplink's segment sends
# TCP SYNs from SOURCE (an address on its own loopback) to the public
# address; the backend must not see them, and spoofed_drops must count them.
forge() {
    local counter=$1 src=$2 host=$3 port=$4 before arrived_before
    before=$(gw_counter spoofed_drops)
    arrived_before=$(arrived "$counter")
    check_not "forged $src → $host:$port gets no answer" probe inet "$host" "$port" --src "$src"
    check "  and never reaches the backend" test "$(arrived "$counter")" -eq "$arrived_before"
    check "  and is counted in spoofed_drops" counter_grew spoofed_drops "$before"
}
in_ns inet ip addr add 10.61.1.99/32 dev lo
in_ns inet ip -6 addr add fd61:0:0:1::99/128 dev lo nodad
in_ns inet ip addr add 10.62.0.99/32 dev lo
forge via_gateway4 10.61.1.99 203.0.113.2 8443
forge via_gateway6 fd61:0:0:1::99 2001:db8:1::2 8444
forge via_gateway4 10.62.0.99 203.0.113.2 8443

# From a device that is neither an uplink nor a client device, a VPN source
# takes no hairpin DNAT either: the packet meets the input policy.
in_ns side ip addr add 10.61.1.98/32 dev lo
before=$(gw_counter input_drops)
arrived_before=$(arrived via_gateway4)
check_not "forged 10.61.1.98 from a side link → :8443 gets no answer" \
    probe side 203.0.113.2 8443 --src 10.61.1.98
check "  and never reaches the backend" test "$(arrived via_gateway4)" -eq "$arrived_before"
check "  and is counted in input_drops (no DNAT)" counter_grew input_drops "$before"

# Another table's DNAT (a container engine's, say) to the backend: vpngw's
# forward chain accepts only the DNATs vpngw made.
in_ns gw nft -f - <<'NFT'
table ip other {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "eth0" tcp dport 7000 dnat to 10.61.2.10:9000
	}
}
NFT
before=$(gw_counter forward_drops)
check_not "another table's DNAT (:7000 → web:9000) is not let through vpngw's forward chain" \
    probe stranger 203.0.113.2 7000
check "  and is counted in forward_drops" counter_grew forward_drops "$before"
in_ns gw nft delete table ip other

hairpins=$(arrived via_gateway4)
check "hairpin: alice reaches the forward through the public address" \
    answers "web 10.61.0.1" alice 203.0.113.2 8443
check "hairpin from the local network: labhost reaches it the same way" \
    answers "web 10.61.0.1" labhost 203.0.113.2 8443
check "  and the backend's counter saw those (it would have seen a forgery)" \
    test "$(arrived via_gateway4)" -ge $((hairpins + 2))
check "IPv6 hairpin: alice reaches [2001:db8:1::2]:8444, counted as from fd61::1" \
    answers "web fd61::1" alice 2001:db8:1::2 8444
check "  and the backend's IPv6 counter saw it" test "$(arrived via_gateway6)" -gt 0
check "the partner still gets through after all that" \
    answers "web 100.64.1.20" partner 203.0.113.2 8443
finish
