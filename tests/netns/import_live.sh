#!/usr/bin/env bash
# Issue 9, migration: a gateway namespace runs a wg-quick setup the way
# wg-quick would (the device, `wg setconf` of `wg-quick strip`, addresses,
# MTU; its iptables hooks are not run). `vpngw import wg-quick --adopt` turns
# the config into a profile and keys; `vpngw plan` then shows no WireGuard
# change; `vpngw export wg-quick` gives back the same WireGuard config
# (compared after `wg-quick strip`), with keys only in its 0600 file.
# Root; everything lives in private namespaces.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
enter_sandbox "$@"

netns_add gw
state=$SANDBOX_DIR/state
conf=$SANDBOX_DIR/wgq0.conf
profile=$SANDBOX_DIR/imported.toml
key() { wg genkey; }
server_key=$(key)
alice_pub=$(key | wg pubkey)
bob_pub=$(key | wg pubkey)
carol_pub=$(key | wg pubkey)
psk=$(wg genpsk)
cat >"$conf" <<CONF
# A wg-quick server config with the usual things in it.
[Interface]
Address = 10.71.0.1/24, fd71::1/64
ListenPort = 51871
PrivateKey = $server_key
MTU = 1380
PostUp = iptables -A FORWARD -i %i -j ACCEPT; iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
PostDown = iptables -D FORWARD -i %i -j ACCEPT; iptables -t nat -D POSTROUTING -o eth0 -j MASQUERADE

# alice
[Peer]
PublicKey = $alice_pub
PresharedKey = $psk
AllowedIPs = 10.71.0.2/32
AllowedIPs = fd71::2/128

### begin bob ###
[Peer]
PublicKey = $bob_pub
AllowedIPs = 10.71.0.3/32, fd71::3/128
PersistentKeepalive = 25
### end bob ###

[Peer]
# Name = carol
PublicKey = $carol_pub
AllowedIPs = fd71::4/128, 10.71.0.4/32
CONF
chmod 600 "$conf"
set +e

# wg-quick up, minus the hooks: the same device the same way.
if in_ns gw ip link add wgq0 type wireguard 2>/dev/null; then
    echo "    (kernel WireGuard)"
else
    in_ns gw wireguard-go wgq0 >/dev/null 2>&1
fi
wg-quick strip "$conf" >"$SANDBOX_DIR/stripped"
in_ns gw wg setconf wgq0 "$SANDBOX_DIR/stripped"
in_ns gw ip addr add 10.71.0.1/24 dev wgq0
in_ns gw ip -6 addr add fd71::1/64 dev wgq0 nodad
in_ns gw ip link set wgq0 mtu 1380 up
in_ns gw wg show wgq0 dump | tail -n +2 | cut -f1,4,8 | sort >"$SANDBOX_DIR/before"

out=$(in_ns gw "$VPNGW" import wg-quick "$conf" -o "$profile" --state-dir "$state" --adopt 2>&1)
check "import succeeds" test $? -eq 0
echo "$out" | sed 's/^/    /'
check "the PostUp MASQUERADE became an uplink with NAT on eth0" \
    grep -Pzq '\[\[uplink\]\]\nname = "eth0"\ndevice = "eth0"\nnat = "masquerade"' "$profile"
check_not "  so import lists no hook as untranslated" grep -q "PostUp = " <<<"$out"
check "  and the profile names the PostUp line as carried over" \
    grep -q "^#   line [0-9]*: PostUp = iptables -A FORWARD" "$profile"
check "  and the PostDown line" grep -q "^#   line [0-9]*: PostDown = iptables -D FORWARD" "$profile"
check "the profile holds no key material" \
    test -z "$(grep -F -e "$server_key" -e "$psk" "$profile")"
check "the private key is in the state directory, 0600" \
    test "$(stat -c %a "$state/wgq0.key")" = 600 -a "$(cat "$state/wgq0.key")" = "$server_key"
check "the preshared key is in psk/alice.psk, 0600" \
    test "$(stat -c %a "$state/psk/alice.psk")" = 600 -a "$(cat "$state/psk/alice.psk")" = "$psk"
check "the profile loads" in_ns gw "$VPNGW" check "$profile"

plan=$(in_ns gw "$VPNGW" plan "$profile" 2>&1)
rc=$?
echo "$plan" | sed 's/^/    /'
check "vpngw plan runs against the adopted interface ($rc)" test $rc -eq 0
check_not "vpngw plan shows no WireGuard change" grep -Eq "wireguard|peer" <<<"$plan"
check_not "  nor a change of the interface's addresses or link" grep -Eq "address .* dev wgq0|link wgq0" <<<"$plan"
in_ns gw wg show wgq0 dump | tail -n +2 | cut -f1,4,8 | sort >"$SANDBOX_DIR/after"
check "importing changed nothing on the device" cmp -s "$SANDBOX_DIR/before" "$SANDBOX_DIR/after"

# --- export: the same WireGuard config back ---
in_ns gw "$VPNGW" export wg-quick "$profile" -o "$SANDBOX_DIR/exported.conf" 2>/dev/null
check "export -o succeeds" test $? -eq 0
check "  the exported file is 0600" test "$(stat -c %a "$SANDBOX_DIR/exported.conf")" = 600
# wg-quick strip: what wg(8) would be given; peers and their AllowedIPs in a canonical order.
canonical() {
    wg-quick strip "$1" | python3 -c '
import sys
iface, peers, cur = [], [], None
for line in sys.stdin:
    line = line.strip()
    if not line or line.startswith("#"): continue
    if line == "[Peer]": cur = []; peers.append(cur); continue
    if line == "[Interface]": continue
    k, v = [x.strip() for x in line.split("=", 1)]
    (cur if cur is not None else iface).append((k, v))
def canon(items):  # repeated AllowedIPs lines add up, as in wg-quick
    ips = sorted(x.strip() for k, v in items if k == "AllowedIPs" for x in v.split(","))
    rest = [k + "=" + v for k, v in items if k != "AllowedIPs"]
    return sorted(rest + (["AllowedIPs=" + ",".join(ips)] if ips else []))
print("\n".join(canon(iface)))
for p in sorted(canon(p) for p in peers): print("[Peer]"); print("\n".join(p))'
}
canonical "$conf" >"$SANDBOX_DIR/original.canon"
canonical "$SANDBOX_DIR/exported.conf" >"$SANDBOX_DIR/exported.canon"
check "  the original has the interface and its 3 peers" \
    test "$(grep -c '^\[Peer\]' "$SANDBOX_DIR/original.canon")" -eq 3
check "export round-trips: same WireGuard config as the original (after wg-quick strip)" \
    cmp -s "$SANDBOX_DIR/original.canon" "$SANDBOX_DIR/exported.canon"
cmp -s "$SANDBOX_DIR/original.canon" "$SANDBOX_DIR/exported.canon" ||
    diff "$SANDBOX_DIR/original.canon" "$SANDBOX_DIR/exported.canon" | grep -v Key | sed 's/^/    /'
check "  with the addresses and MTU" \
    grep -q "^Address = 10.71.0.1/24, fd71::1/64" "$SANDBOX_DIR/exported.conf"
stdout=$(in_ns gw "$VPNGW" export wg-quick "$profile" 2>/dev/null)
check "export to stdout holds no key material" \
    test -z "$(grep -F -e "$server_key" -e "$psk" <<<"$stdout")"
check "  and loads the keys from vpngw's files instead" \
    grep -q "^PostUp = wg set %i private-key $state/wgq0.key" <<<"$stdout"
finish
