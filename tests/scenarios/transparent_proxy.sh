#!/usr/bin/env bash
# Scenario "Transparent proxy": a group's TCP connections to port 80 are
# handed to a proxy on the gateway — by nat REDIRECT for group "web", by
# TPROXY for group "lab" — for IPv4 and IPv6; the proxy (proxy.py) reports the
# original destination and the client address it sees. Exempt destinations
# and other ports go direct to the internet host, and so does group "plain",
# which has no proxy. `down` removes TPROXY's rule and table.
#
#   alice (web, redirect)  ─┐                      ┌─ proxy.py :3128 (redirect)
#   carol (lab, tproxy)    ─┼─wg── gw ─────────────┼─ proxy.py :3129 (tproxy)
#   dave  (plain)          ─┘       └── inet (192.0.2.80, 198.18.0.80,
#                                         2001:db8:80::80, 2001:db8:81::80)
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../netns/lib.sh"
source "$here/lib.sh"
enter_sandbox "$@"
command -v python3 >/dev/null || die "missing tool: python3"

build_world
# An IPv6 address of the internet host that the proxies exempt.
in_ns inet ip -6 addr add 2001:db8:81::80/128 dev lo
n=60
for c in alice carol dave; do add_client "$c" $((n++)); new_peer "$c"; done
render_profile "$here/profiles/transparent_proxy.toml.in" "$SANDBOX_DIR/proxy.toml"
check "vpngw up applies the profile" gw_up "$SANDBOX_DIR/proxy.toml"
# The kernel reports TPROXY's local routes and iif rules back as planned.
check "a second up finds nothing to change (local routes and iif rules read back equal)" \
    grep -q 'nothing to do' <<<"$(gw_up "$SANDBOX_DIR/proxy.toml")"

server=$(in_ns gw wg show wg0 public-key)
declare -A V4=([alice]=10.66.1.10 [carol]=10.66.2.10 [dave]=10.66.3.10)
declare -A V6=([alice]=fd66:0:0:1::10 [carol]=fd66:0:0:2::10 [dave]=fd66:0:0:3::10)
for c in alice carol dave; do
    wg_client "$c" "wc_$c" "$SANDBOX_DIR/$c.key" "${V4[$c]}/32,${V6[$c]}/128" "$server" \
        192.0.2.0/24 198.18.0.0/24 2001:db8:80::/64 2001:db8:81::/64 10.66.0.0/16 fd66::/48
done
serve inet internet 80
serve inet internet 8080
spawn_in gw python3 "$here/proxy.py" redirect redirect-proxy 3128
wait_listen gw 3128
spawn_in gw python3 "$here/proxy.py" tproxy tproxy-proxy 3129
wait_listen gw 3129
for c in alice carol dave; do handshake "$c" 10.66.0.1; done

# TPROXY's kernel objects, in vpngw's ranges: mark 0x51000, table 51000.
rules4=$(in_ns gw ip rule list priority 5000)
rules6=$(in_ns gw ip -6 rule list priority 5000)
check "IPv4 rule 5000: fwmark 0x51000 from wg0 looks up table 51000" \
    grep -q 'fwmark 0x51000 iif wg0 lookup 51000 proto 86' <<<"$rules4"
check "IPv6 rule 5000 likewise" grep -q 'fwmark 0x51000 iif wg0 lookup 51000 proto 86' <<<"$rules6"
check "the main-table rule moved to 5001, still before the uplink's" \
    grep -q 'lookup main suppress_prefixlength 0' <<<"$(in_ns gw ip rule list priority 5001)"
check "table 51000 delivers everything locally (IPv4)" \
    grep -q '^local default dev lo proto 86' <<<"$(in_ns gw ip route show table 51000)"
check "table 51000 delivers everything locally (IPv6)" \
    grep -q '^local default dev lo proto 86' <<<"$(in_ns gw ip -6 route show table 51000)"

# proxied NAME CLIENT PROXY DST DST_ALIAS: CLIENT's connection to DST:80 is
# answered by PROXY, which saw the original destination and CLIENT's address.
proxied() {
    local client=$1 proxy=$2 dst=$3 family=$4 src
    [ "$family" = v4 ] && src=${V4[$client]} || src=${V6[$client]}
    check "$client → $dst:80 reaches the $proxy with destination and client address ($family)" \
        answers "$proxy $dst 80 $src" "$client" "$dst" 80
}
# direct CLIENT DST PORT UPLINK_ADDR: answered by the internet host itself,
# which sees the uplink's address (NAT), not a proxy.
direct() {
    check "$1 → $2:$3 goes direct to the internet host" answers "internet $4" "$1" "$2" "$3"
}

for c in alice carol; do
    [ "$c" = alice ] && proxy=redirect-proxy || proxy=tproxy-proxy
    proxied "$c" "$proxy" 192.0.2.80 v4
    proxied "$c" "$proxy" 2001:db8:80::80 v6
    direct "$c" 192.0.2.80 8080 203.0.113.2
    direct "$c" 2001:db8:80::80 8080 2001:db8:1::2
    direct "$c" 198.18.0.80 80 203.0.113.2      # exempt (v4)
    direct "$c" 2001:db8:81::80 80 2001:db8:1::2 # exempt (v6)
done
# The gateway's own address is exempt implicitly: nothing listens on :80.
check_not "web → the gateway's own 10.66.0.1:80 is not proxied" probe alice 10.66.0.1 80
direct dave 192.0.2.80 80 203.0.113.2
direct dave 2001:db8:80::80 80 2001:db8:1::2

# The TPROXY mark never reaches the connection mark: an observer table in the
# gateway counts, after vpngw's chains, packets whose own mark is TPROXY's
# (lab's proxied ones, whose connection keeps the uplink's mark 0x51001) and
# packets whose connection carries TPROXY's mark (there must be none).
in_ns gw nft -f - <<'NFT'
table inet observe {
    counter tproxied {}
    counter ct_tproxy {}
    chain prerouting {
        type filter hook prerouting priority 100; policy accept;
        meta mark 0x00051000 ct mark 0x00051001 counter name tproxied
        ct mark 0x00051000 counter name ct_tproxy
    }
}
NFT
proxied carol tproxy-proxy 192.0.2.80 v4
proxied carol tproxy-proxy 2001:db8:80::80 v6
check "TPROXY'd packets carry mark 0x51000 while their connection keeps the uplink's" \
    test "$(counter_value gw inet observe tproxied)" -gt 0
check "no connection carries the TPROXY mark in its ct mark" \
    test "$(counter_value gw inet observe ct_tproxy)" -eq 0

out=$(in_ns gw "$VPNGW" down "$SANDBOX_DIR/proxy.toml" --state-dir "$SANDBOX_DIR/state" 2>&1) ||
    echo "$out" | sed 's/^/    /'
check "down removes the TPROXY rules" \
    test -z "$(in_ns gw ip rule list priority 5000; in_ns gw ip -6 rule list priority 5000)"
check "down removes table 51000" \
    test -z "$(in_ns gw ip route show table 51000; in_ns gw ip -6 route show table 51000)"
finish
