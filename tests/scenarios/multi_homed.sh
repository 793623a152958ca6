#!/usr/bin/env bash
# Scenario "multi-homed routing": two uplinks into two separate ISP
# namespaces. Group A leaves by wan0, group B by wan1, and each ISP sees only
# its group; connections ISP 2 starts towards the gateway (SSH, a port
# forward) are answered through wan1 although main's default route is wan0,
# with the kernel's reverse-path filter preset to strict; downing wan1 leaves
# group A unaffected (and B falls back to wan0).
#
#   a (groupa) ─┐                 ┌ eth0 203.0.113.2 ── isp1 "inet" (192.0.2.80)
#   b (groupb) ─┴─ br0 ─ isp1 ─ gw┤
#                (WireGuard)      └ eth1 198.18.1.2 ─── isp2 (192.0.2.80, remote 100.64.9.9)
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../netns/lib.sh"
source "$here/lib.sh"
enter_sandbox "$@"

build_world
netns_add isp2
veth_pair isp2 isp0 198.18.1.1/24 gw eth1 198.18.1.2/24
in_ns isp2 ip -6 addr add 2001:db8:2::1/64 dev isp0 nodad
in_ns gw ip -6 addr add 2001:db8:2::2/64 dev eth1 nodad
# Both ISPs hold the same internet host address; whichever answers tells
# which uplink the gateway chose. ISP 2 also has a remote user 100.64.9.9.
for a in 192.0.2.80/32 100.64.9.9/32; do in_ns isp2 ip addr add "$a" dev lo; done
for a in 2001:db8:80::80/128 2001:db8:99::9/128; do in_ns isp2 ip -6 addr add "$a" dev lo; done
# A typical server: main's default is the first ISP; reverse-path filtering
# strict, as many distributions ship it.
in_ns gw ip route add default via 203.0.113.1 dev eth0
in_ns gw ip -6 route add default via 2001:db8:1::1 dev eth0
for c in all default eth0 eth1; do in_ns gw sysctl -qw "net.ipv4.conf.$c.rp_filter=1"; done
ipv6_settle gw

# Counters in each ISP: pings of the internet host, and (ISP 1) anything
# addressed to ISP 2's remote user, which only a misrouted reply would be.
for ns in inet isp2; do
    in_ns "$ns" nft -f - <<'NFT'
table inet observe {
    counter pings {}
    counter for_isp2 {}
    chain pre {
        type filter hook prerouting priority 0; policy accept;
        icmp type echo-request ip daddr 192.0.2.80 counter name pings
        icmpv6 type echo-request ip6 daddr 2001:db8:80::80 counter name pings
        ip daddr 100.64.9.9 counter name for_isp2
        ip6 daddr 2001:db8:99::9 counter name for_isp2
    }
}
NFT
done
isp_counter() { counter_value "$1" inet observe "$2"; }

add_client a 50
add_client b 51
new_peer a
new_peer b
render_profile "$here/profiles/multi_homed.toml.in" "$SANDBOX_DIR/twoisp.toml"
check "vpngw up applies the profile" gw_up "$SANDBOX_DIR/twoisp.toml"
check "each uplink has its table: 51001 via eth0" \
    grep -q "default via 203.0.113.1 dev eth0" <<<"$(in_ns gw ip route show table 51001)"
check "... and 51002 via eth1" \
    grep -q "default via 198.18.1.1 dev eth1" <<<"$(in_ns gw ip route show table 51002)"
check "fwmark 0x51002 selects table 51002 (v4 and v6)" \
    test "$( (in_ns gw ip rule; in_ns gw ip -6 rule) | grep -c 'fwmark 0x51002 lookup 51002')" -eq 2
check "reverse-path filtering is loose (2)" \
    test "$(in_ns gw sysctl -n net.ipv4.conf.all.rp_filter)" -eq 2

server=$(in_ns gw wg show wg0 public-key)
wg_client a wc_a "$SANDBOX_DIR/a.key" 10.63.1.10/32,fd63:0:0:1::10/128 "$server" \
    10.63.0.0/16 fd63::/48 192.0.2.0/24 2001:db8:80::/64
wg_client b wc_b "$SANDBOX_DIR/b.key" 10.63.2.10/32,fd63:0:0:2::10/128 "$server" \
    10.63.0.0/16 fd63::/48 192.0.2.0/24 2001:db8:80::/64 100.64.9.0/24 2001:db8:99::/64
serve inet isp1 8080
serve isp2 isp2 8080
serve gw gw 22
serve b b 8080
handshake a 10.63.0.1
handshake b 10.63.0.1

check "group A leaves by wan0: ISP 1 answers, seeing 203.0.113.2" \
    answers "isp1 203.0.113.2" a 192.0.2.80 8080
check "group A over IPv6: ISP 1 answers, seeing 2001:db8:1::2" \
    answers "isp1 2001:db8:1::2" a 2001:db8:80::80 8080
check "group B leaves by wan1: ISP 2 answers, seeing the SNAT address 198.18.1.2" \
    answers "isp2 198.18.1.2" b 192.0.2.80 8080
check "group B over IPv6: ISP 2 answers, seeing 2001:db8:2::2" \
    answers "isp2 2001:db8:2::2" b 2001:db8:80::80 8080

p1=$(isp_counter inet pings) p2=$(isp_counter isp2 pings)
pings a 192.0.2.80 3 || true
pings a 2001:db8:80::80 3 || true
check "A's pings (v4+v6) reach ISP 1 only" \
    test "$(isp_counter inet pings)" -ge $((p1 + 6)) -a "$(isp_counter isp2 pings)" -eq "$p2"
p1=$(isp_counter inet pings) p2=$(isp_counter isp2 pings)
pings b 192.0.2.80 3 || true
pings b 2001:db8:80::80 3 || true
check "B's pings (v4+v6) reach ISP 2 only" \
    test "$(isp_counter isp2 pings)" -ge $((p2 + 6)) -a "$(isp_counter inet pings)" -eq "$p1"

check "ISP 2's user reaches SSH on wan1 (answered via wan1; main's default is wan0)" \
    answers "gw 100.64.9.9" isp2 198.18.1.2 22 --src 100.64.9.9
check "... and over IPv6" answers "gw 2001:db8:99::9" isp2 2001:db8:2::2 22 --src 2001:db8:99::9
check "ISP 2's user reaches the forward on wan1; B sees the real source and its reply returns" \
    answers "b 100.64.9.9" isp2 198.18.1.2 8443 --src 100.64.9.9
check "no reply to ISP 2's user went out through ISP 1" test "$(isp_counter inet for_isp2)" -eq 0

in_ns gw ip link set eth1 down
check "wan1 down: group A still leaves by wan0" answers "isp1 203.0.113.2" a 192.0.2.80 8080
check "wan1 down: group A over IPv6 too" answers "isp1 2001:db8:1::2" a 2001:db8:80::80 8080
check "wan1 down: group B falls back to main's default (wan0), not black-holed" \
    answers "isp1 203.0.113.2" b 192.0.2.80 8080
finish
