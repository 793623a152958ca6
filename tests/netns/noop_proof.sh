#!/usr/bin/env bash
# Issue 19 item 2: a no-op `up` and `status` prove "nothing changed since the
# last up" from its record (<state_dir>/noop-proof, gateway/noop_proof.hpp)
# instead of planning every peer, and a change behind vpngw's back still
# shows: after each hand change below, `status` reports drift (exit 3) without
# claiming the proof, `up` repairs it, and the up after that proves a no-op
# again. Kernel: an nft rule, WireGuard peers (removed, allowed IPs changed,
# one added, the listen port), a route, a rule, an address, a link set down,
# a sysctl. Inputs: the registry edited with sqlite3, a peer's expiry passing,
# the profile edited, an interface's key file replaced.
# Root; private namespaces only.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
enter_sandbox "$@"
command -v sqlite3 >/dev/null || die "missing tool: sqlite3 (run scripts/install-deps)"
set +e

W=$SANDBOX_DIR
state=$W/state profile=$W/profile.toml
mkdir -p "$state" && chmod 700 "$state"
cat >"$profile" <<'EOF'
[gateway]
name = "proof"
endpoint = "203.0.113.2:51820"
state_dir = "/var/lib/vpngw-proof-unused"

[[uplink]]
name = "wan0"
device = "eth0"
gateway = "203.0.113.1"

[[interface]]
name = "pf0"
listen_port = 51830
mtu = 1420
address = ["10.110.255.254/16"]
backend = "userspace"

[[interface]]
name = "pf1"
listen_port = 51831
address = ["10.111.255.254/16"]
backend = "userspace"

[[group]]
name = "g0"
interface = "pf0"
subnet = "10.110.0.0/16"
egress = "wan0"
allow = ["any"]

[[group]]
name = "g1"
interface = "pf1"
subnet = "10.111.0.0/16"
egress = "wan0"
allow = ["any"]

[firewall]
management = { port = 22, allow = ["198.51.100.0/24"] }
EOF
# 200 registry peers, seeded as a peers.tsv of an earlier release and
# migrated into peers.db by the first peer command (as bench/scale.sh does).
python3 - "$state" <<'PY'
import base64, hashlib, sys
with open(f"{sys.argv[1]}/peers.tsv", "w") as f:
    f.write("vpngw-peers 2\n")
    for i in range(200):
        g, k = i % 2, i // 2 + 1
        key = base64.b64encode(hashlib.sha256(b"proof-peer-%d" % i).digest()).decode()
        f.write(f"p{i}\tg{g}\t{key}\t10.{110 + g}.0.{k}\t-\t-\t2024-05-01T12:00:00Z\n")
PY
chmod 600 "$state/peers.tsv"
netns_add gw
ip link add eth0 netns gw type veth peer name up0 netns gw
in_ns gw ip addr add 203.0.113.2/24 dev eth0
in_ns gw ip link set eth0 up
in_ns gw ip link set up0 up

gw() { in_ns gw "$VPNGW" "$@"; }
peer() { gw peer "$@" --profile "$profile" --state-dir "$state"; }
up() { gw -v up "$profile" --state-dir "$state"; }
status() { gw -v status "$profile" --state-dir "$state"; }
PROVEN="proven from its record"

peer add seed --group g1 --qr none >/dev/null 2>&1 && peer remove seed >/dev/null 2>&1
check "the seeded peers are migrated into the registry" test -s "$state/peers.db"
up >"$W/up1" 2>&1
check "cold up of 200 registry peers succeeds" test $? -eq 0
check "cold up leaves a no-op proof record" test -s "$state/noop-proof"
up >"$W/up2" 2>&1
check "the up after it is a no-op" grep -q "(0 changes)" "$W/up2"
check "proven from the record, without planning" grep -qF "$PROVEN" "$W/up2"
status >"$W/st2" 2>&1
check "status exits 0" test $? -eq 0
check "status proves it too" grep -qF "$PROVEN" "$W/st2"

# caught LABEL: status reports drift without claiming the proof, up repairs
# (a change, not a no-op), and the next up proves a no-op again.
caught() {
    local label=$1 rc
    status >"$W/st" 2>&1
    rc=$?
    check "$label: status exits 3 (drift)" test $rc -eq 3
    check "$label: status does not claim the proof" test -z "$(grep -F "$PROVEN" "$W/st")"
    up >"$W/up" 2>&1
    rc=$?
    check "$label: up succeeds" test $rc -eq 0
    check "$label: up is not a no-op" test -z "$(grep -F '(0 changes)' "$W/up")"
    up >"$W/up" 2>&1
    check "$label: the up after the repair proves a no-op" \
        sh -c "grep -q '(0 changes)' '$W/up' && grep -qF '$PROVEN' '$W/up'"
}

# --- the kernel, by hand -----------------------------------------------------
chain=$(in_ns gw nft -j list table inet vpngw | python3 -c '
import json, sys
print(next(o["chain"]["name"] for o in json.load(sys.stdin)["nftables"] if "chain" in o))')
in_ns gw nft add rule inet vpngw "$chain" counter comment '"by hand"'
caught "an nft rule added"
check "the hand rule is gone" test -z "$(in_ns gw nft list table inet vpngw | grep -F 'by hand')"

key=$(in_ns gw wg show pf0 peers | head -1)
in_ns gw wg set pf0 peer "$key" remove
caught "a WireGuard peer removed with wg set"
check "the peer is back" sh -c "ip netns exec gw wg show pf0 peers | grep -qF '$key'"

key=$(in_ns gw wg show pf1 peers | head -1)
in_ns gw wg set pf1 peer "$key" allowed-ips 10.111.200.1/32
caught "a peer's allowed IPs changed"
check "its allowed IP is its own again" \
    test -z "$(in_ns gw wg show pf1 allowed-ips | grep -F '10.111.200.1/32')"

stranger=$(wg genkey | wg pubkey)
in_ns gw wg set pf1 peer "$stranger" allowed-ips 10.111.201.1/32
caught "a WireGuard peer added by hand"
check "the stranger is removed" test -z "$(in_ns gw wg show pf1 peers | grep -F "$stranger")"

in_ns gw wg set pf0 listen-port 51839
caught "the listen port changed"
check "the listen port is the profile's" test "$(in_ns gw wg show pf0 listen-port)" = 51830

key=$(in_ns gw wg show pf0 peers | head -1)
in_ns gw wg set pf0 peer "$key" persistent-keepalive 25
caught "a peer's keepalive set"
check "its keepalive is off again" \
    test "$(in_ns gw wg show pf0 persistent-keepalive | grep -F "$key" | cut -f2)" = off

route=$(in_ns gw ip -o route show proto 86 table all | grep -v '^local' | head -1)
check "a route of vpngw's to delete was found" test -n "$route"
in_ns gw ip route del $route
caught "a route deleted"
check "the route is back" test -n "$(in_ns gw ip -o route show proto 86 table all | grep -F "$route")"

# (`ip rule show` filters by nothing: vpngw's rules are the ones of proto 86.)
prio=$(in_ns gw ip -o rule show | grep 'proto 86' | head -1 | cut -d: -f1)
check "a rule of vpngw's to delete was found" test -n "$prio"
in_ns gw ip rule del priority "$prio" proto 86
check "it is gone" test -z "$(in_ns gw ip -o rule show | grep "^$prio:.*proto 86")"
caught "a rule deleted"
check "the rule is back" test -n "$(in_ns gw ip -o rule show | grep "^$prio:.*proto 86")"

in_ns gw ip addr del 10.111.255.254/16 dev pf1
caught "an address deleted"
check "the address is back" in_ns gw sh -c "ip -o addr show dev pf1 | grep -qF 10.111.255.254/16"

in_ns gw ip link set pf1 down
caught "a link set down"
check "the link is up again" in_ns gw sh -c "ip -o link show pf1 | grep -q ',UP'"

in_ns gw sysctl -qw net.ipv4.ip_forward=0
caught "a sysctl changed"
check "forwarding is on again" test "$(in_ns gw sysctl -n net.ipv4.ip_forward)" = 1

# --- the inputs ------------------------------------------------------------
# unproven LABEL: the next up does not claim the proof and applies a change.
unproven() {
    up >"$W/up" 2>&1
    check "$1: up succeeds" test $? -eq 0
    check "$1: up does not claim the proof" test -z "$(grep -F "$PROVEN" "$W/up")"
}

# The registry edited by hand (no vpngw command told the kernel).
victim=$(in_ns gw wg show pf0 peers | head -1)
name=$(sqlite3 "$state/peers.db" "SELECT name FROM peers WHERE public_key = '$victim'")
check "the registry names the peer" test -n "$name"
sqlite3 "$state/peers.db" "UPDATE peers SET disabled = 1 WHERE name = '$name'"
unproven "a peer disabled in the registry with sqlite3"
check "its WireGuard peer is removed" test -z "$(in_ns gw wg show pf0 peers | grep -F "$victim")"

# An expiry passing: the record holds only until the next one.
expires=$(($(date +%s) + 6))
peer add brief --group g0 --qr none --expires "$(date -u -d "@$expires" +%Y-%m-%dT%H:%M:%SZ)" \
    >"$W/add" 2>&1
check "a peer expiring in 6 s is added" test $? -eq 0
brief=$(sqlite3 "$state/peers.db" "SELECT public_key FROM peers WHERE name = 'brief'")
up >/dev/null 2>&1
up >"$W/up" 2>&1
if [ "$(date +%s)" -lt "$expires" ]; then
    check "before it expires, up proves a no-op" grep -qF "$PROVEN" "$W/up"
fi
for i in $(seq 1 200); do [ "$(date +%s)" -ge "$expires" ] && break; sleep 0.1; done
check "its expiry passed" test "$(date +%s)" -ge "$expires"
check "it is still in the kernel" sh -c "ip netns exec gw wg show pf0 peers | grep -qF '$brief'"
unproven "a peer's expiry passed"
check "the expired peer is removed" test -z "$(in_ns gw wg show pf0 peers | grep -F "$brief")"

# The profile edited.
sed -i 's/^mtu = 1420$/mtu = 1380/' "$profile"
unproven "the profile's mtu edited"
check "the link has the new mtu" in_ns gw sh -c "ip -o link show pf0 | grep -q 'mtu 1380'"

# An interface's key file replaced: the device must take the new key.
(umask 077 && wg genkey >"$state/pf1.key.new") && mv "$state/pf1.key.new" "$state/pf1.key"
unproven "pf1's key file replaced"
check "pf1 has the new key" test "$(in_ns gw wg show pf1 public-key)" = "$(wg pubkey <"$state/pf1.key")"

up >"$W/up" 2>&1
check "after all that, up proves a no-op again" \
    sh -c "grep -q '(0 changes)' '$W/up' && grep -qF '$PROVEN' '$W/up'"
gw down "$profile" --state-dir "$state" >/dev/null 2>&1
check "down succeeds" test $? -eq 0
check "down forgets the record" test ! -e "$state/noop-proof"
finish
