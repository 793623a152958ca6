#!/usr/bin/env bash
# The README's first command: a whole gateway in network namespaces, safe on
# any machine (nothing outside the sandbox's own namespaces is touched).
#   internet host (192.0.2.80) ── "internet" ns ── eth0 ┤ gateway ns ├ wg0 ~~ tunnel ~~ alice
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
enter_sandbox "$@"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
profile=$here/profiles/basic.toml
state=$SANDBOX_DIR/state

say "Building the world: an internet namespace, the gateway, and a client (alice)"
build_world
add_client alice 10
in_ns inet ip addr show dev lo | sed -n 's/^ *inet \(192.*\) scope.*/   internet host: \1/p'

say "vpngw check + plan (offline) of $(basename "$profile")"
"$VPNGW" check "$profile"
"$VPNGW" plan --offline "$profile" --state-dir "$state" | sed -n '1,/^# nftables/p'

say "vpngw up (in the gateway namespace)"
in_ns gw "$VPNGW" up "$profile" --state-dir "$state"
say "vpngw up again: reconcile, not replay"
in_ns gw "$VPNGW" up "$profile" --state-dir "$state"

say "vpngw peer add alice --group staff (keys, address, client config, QR)"
in_ns gw "$VPNGW" peer add alice --group staff --profile "$profile" --state-dir "$state" \
    --qr none >"$SANDBOX_DIR/alice.conf"
sed 's/^PrivateKey = .*/PrivateKey = (hidden in this demo)/' "$SANDBOX_DIR/alice.conf"

say "alice connects with the generated config (wireguard-go + wg, not vpngw code)"
client_up alice wgc1 "$SANDBOX_DIR/alice.conf" 192.0.2.80/32 10.66.0.0/16
pings alice 10.66.0.1 3 || true
in_ns alice ping -c 3 -i 0.3 192.0.2.80
spawn_in inet iperf3 -s -1 -B 192.0.2.80 >/dev/null
for _ in $(seq 1 50); do [ -n "$(in_ns inet ss -Hltn 'sport = :5201')" ] && break; sleep 0.1; done
in_ns alice iperf3 -c 192.0.2.80 -t 2 | tail -4

say "The gateway: wg show, ip rule, vpngw's nft table (excerpt)"
in_ns gw wg show wg0 | sed 's/\(public key: \).*/\1.../'
in_ns gw ip rule
in_ns gw nft list chain inet vpngw forward
in_ns gw nft list set inet vpngw peers4

say "vpngw down: removes exactly what vpngw created"
in_ns gw "$VPNGW" down "$profile" --state-dir "$state"
in_ns gw nft list tables | sed 's/^/   remaining nft tables: /'
echo "   links: $(in_ns gw ip -br link | awk '{print $1}' | tr '\n' ' ')"
say "Done; the namespaces are removed on exit."
