#!/usr/bin/env bash
# Scenario "port forward to a split-tunnel client" (issue 18, item 2), from
# profiles/port-forward.toml as shipped: the home web server is a WireGuard
# client of group "homelab" (tunnel = "split"), so its AllowedIPs cover only
# the VPN (10.77.0.0/24), not the internet hosts that use the forward. The
# gateway masquerades forwarded connections to its tunnel address 10.77.0.1
# for such targets (source = "auto"), so the answer goes back into the
# tunnel. A forward set to keep the remote source (source = "keep") is what
# `check` warns about, and it indeed gets no answer from that client.
#
#   partner 100.64.1.20 ── inet 203.0.113.1 ── ens3 203.0.113.50 gw ──wg── web 10.77.0.10
#                          └─ br0 198.51.100.0/24: web's WireGuard endpoint
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../netns/lib.sh"
source "$here/lib.sh"
enter_sandbox "$@"
state="$SANDBOX_DIR/state"

# The world the shipped profile expects: uplink device ens3 with the
# endpoint's address 203.0.113.50, its gateway 203.0.113.1.
netns_add inet
netns_add gw
veth_pair inet inet0 203.0.113.1/24 gw ens3 203.0.113.50/24
in_ns gw ip route add default via 203.0.113.1
in_ns inet ip link add br0 type bridge
in_ns inet ip addr add 198.51.100.1/24 dev br0
in_ns inet ip link set br0 up
in_ns inet sysctl -qw net.ipv4.ip_forward=1
add_client web 30
add_host partner 1

# The only edit a user makes too: the home server's public key.
new_peer web
profile="$SANDBOX_DIR/port-forward.toml"
shipped="$here/../../profiles/port-forward.toml"
web_key=$(sed -n '/^name = "web"/,/^address/s/^public_key = "\(.*\)"/\1/p' "$shipped")
[ -n "$web_key" ] || die "no public key of peer web in $shipped"
sed "s|$web_key|${PUB[web]}|" "$shipped" >"$profile"
check "the profile differs from the shipped one only in web's key" \
    test "$(diff "$shipped" "$profile" | grep -c '^[<>]')" -eq 2

out=$("$VPNGW" check "$profile" 2>&1) || true
sed 's/^/    /' <<<"$out"
check "check passes the shipped profile without a warning" grep -q "(0 errors, 0 warnings)" <<<"$out"
check "vpngw up applies the shipped profile" gw_up "$profile"
check "the forwards to homelab are masqueraded to the gateway (nat postrouting)" \
    grep -q 'ip daddr 10.77.0.10 tcp dport 8443 ct status dnat ct label 127 masquerade' \
    <<<"$(in_ns gw nft list chain inet vpngw nat_postrouting)"

# web's WireGuard config is the one vpngw generates for a homelab client
# (`peer add` another one): Endpoint, AllowedIPs, MTU as written there; only
# the key and the address are web's own.
in_ns gw "$VPNGW" peer add camera --group homelab --profile "$profile" --state-dir "$state" \
    --qr none >"$SANDBOX_DIR/camera.conf" 2>/dev/null
allowed=$(sed -n 's/^AllowedIPs = //p' "$SANDBOX_DIR/camera.conf")
check "a generated homelab config routes only the VPN ($allowed)" test "$allowed" = 10.77.0.0/24
sed -e "s|^PrivateKey = .*|PrivateKey = $(cat "$SANDBOX_DIR/web.key")|" \
    -e "s|^Address = .*|Address = 10.77.0.10/32|" "$SANDBOX_DIR/camera.conf" >"$SANDBOX_DIR/web.conf"
# The routes wg-quick would add: the AllowedIPs, nothing else.
client_up web wc_web "$SANDBOX_DIR/web.conf" ${allowed//,/ }
serve web web 8443
serve web web 8080
handshake web 10.77.0.1

check "partner → 203.0.113.50:443 reaches web's 8443 and gets its answer (source: the gateway)" \
    answers "web 10.77.0.1" partner 203.0.113.50 443
check "partner → :80 reaches web's 8080 likewise" answers "web 10.77.0.1" partner 203.0.113.50 80
check "web's own route to the internet is untouched (not through the tunnel)" \
    grep -q "via 198.51.100.1 dev eth0" <<<"$(in_ns web ip route get 100.64.1.20)"

# The same forward told to keep the remote address: check warns, and web's
# WireGuard (AllowedIPs = the VPN only) drops the connection.
sed '/^port = 80$/a source = "keep"' "$profile" >"$SANDBOX_DIR/keep.toml"
out=$("$VPNGW" check "$SANDBOX_DIR/keep.toml" 2>&1) || true
check "check warns that a kept source cannot reach the split-tunnel client" \
    grep -q 'forward to 10.77.0.10 keeps the remote source address, but group "homelab" is split-tunnel' <<<"$out"
check "vpngw up applies the keep variant" gw_up "$SANDBOX_DIR/keep.toml"
check_not "... and that forward now gets no answer" probe partner 203.0.113.50 80
check "... while the auto one still does" answers "web 10.77.0.1" partner 203.0.113.50 443
finish
