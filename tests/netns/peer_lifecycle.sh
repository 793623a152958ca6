#!/usr/bin/env bash
# Issue 17 against a real gateway and real clients (wireguard-go + wg, not
# our code): `peer disable` cuts a client within 1 s and `peer enable`
# restores it at the same address; after `peer rotate` the old config no
# longer completes a handshake and the new one does; `peer edit --group`
# moves a live client while another one keeps its session; an expired peer
# loses access within 60 s through `vpngw monitor`, audited as "expiry".
# Every wait is bounded polling for the condition checked. Root; everything
# lives in private namespaces.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
enter_sandbox "$@"

profile=$here/profiles/lifecycle.toml
state=$SANDBOX_DIR/state
peer_cmd() { local sub=$1; shift; vpngw_gw peer "$sub" "$@" --profile "$profile" --state-dir "$state"; }
gw_peers() { in_ns gw wg show wg0 peers; }
pub_of() { sed -n 's/^PrivateKey = //p' "$1" | wg pubkey; }
addr_of() { sed -n 's/^Address = \([0-9.]*\)\/32.*/\1/p' "$1"; }
# within SECONDS CMD...: true as soon as CMD succeeds, polled every 0.2 s.
within() {
    local limit=$1; shift
    local end=$((SECONDS + limit))
    while :; do
        "$@" && return 0
        [ "$SECONDS" -ge "$end" ] && return 1
        sleep 0.2
    done
}
# Each client's wireguard-go needs its own name: /run/wireguard holds one
# UAPI socket per name for all namespaces.
ping1() { in_ns "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; }
no_ping() { ! ping1 "$@"; }

build_world
add_client alice 10
add_client bob 11
add_client carol 12
set +e

out=$(vpngw_gw up "$profile" --state-dir "$state" 2>&1)
rc=$?
echo "$out" | tail -n 5 | sed 's/^/    /'
check "vpngw up brings the gateway up" test $rc -eq 0
[ $rc -eq 0 ] || { finish; exit 1; }

peer_cmd add alice --group staff --qr none >"$SANDBOX_DIR/alice.conf" 2>/dev/null
check "peer add alice" test $? -eq 0
peer_cmd add bob --group staff --qr none >"$SANDBOX_DIR/bob.conf" 2>/dev/null
check "peer add bob" test $? -eq 0
client_up alice wga0 "$SANDBOX_DIR/alice.conf" 10.68.0.0/16
client_up bob wgb0 "$SANDBOX_DIR/bob.conf" 10.68.0.0/16
check "alice reaches the gateway through the tunnel" within 10 ping1 alice 10.68.0.1
check "bob reaches the gateway through the tunnel" within 10 ping1 bob 10.68.0.1
alice_addr=$(addr_of "$SANDBOX_DIR/alice.conf")
alice_pub=$(pub_of "$SANDBOX_DIR/alice.conf")

# --- disable cuts within 1 s; enable restores at the same address ---
peer_cmd disable alice 2>"$SANDBOX_DIR/disable.err"
check "peer disable alice" test $? -eq 0
sed 's/^/    /' "$SANDBOX_DIR/disable.err"
check_not "alice is out of the gateway's WireGuard" grep -qx "$alice_pub" <(gw_peers)
check_not "alice's address is out of the peer set" \
    grep -qE "[ {]${alice_addr//./\\.}[,} ]" <(in_ns gw nft list set inet vpngw peers4)
# One probe with a 1 s deadline, sent as the command returns.
check "alice gets no answer within 1 s of the disable" no_ping alice 10.68.0.1
check "bob still reaches the gateway" ping1 bob 10.68.0.1
list=$(peer_cmd list --disabled --json 2>/dev/null)
check "peer list --disabled shows alice as disabled" \
    grep -q '"name": "alice".*"disabled": true' <<<"$list"
peer_cmd enable alice 2>/dev/null
check "peer enable alice" test $? -eq 0
check "alice is back in the gateway's WireGuard" grep -qx "$alice_pub" <(gw_peers)
check "alice is back at $alice_addr" \
    grep -q "$alice_pub.*$alice_addr/32" <(in_ns gw wg show wg0 allowed-ips)
check "alice reaches the gateway again (within 15 s: her client re-handshakes)" \
    within 15 ping1 alice 10.68.0.1

# --- rotate: the old config cannot handshake, the new one can ---
bob_old_pub=$(pub_of "$SANDBOX_DIR/bob.conf")
peer_cmd rotate bob --qr none >"$SANDBOX_DIR/bob2.conf" 2>"$SANDBOX_DIR/rotate.err"
check "peer rotate bob" test $? -eq 0
check "rotate says the client must import the new config" grep -q "must import" "$SANDBOX_DIR/rotate.err"
bob_new_pub=$(pub_of "$SANDBOX_DIR/bob2.conf")
check "the new config has a new key" test -n "$bob_new_pub" -a "$bob_new_pub" != "$bob_old_pub"
check_not "the old key is gone from the gateway" grep -qx "$bob_old_pub" <(gw_peers)
# A fresh interface with the old config must handshake first: it never does.
in_ns bob ip link del wgb0
client_up bob wgb1old "$SANDBOX_DIR/bob.conf" 10.68.0.0/16
check_not "the old config completes no handshake (6 s)" within 6 ping1 bob 10.68.0.1
check "the old config's interface never saw a handshake" \
    test "$(in_ns bob wg show wgb1old latest-handshakes | awk '{print $2}')" = 0
in_ns bob ip link del wgb1old
client_up bob wgb2 "$SANDBOX_DIR/bob2.conf" 10.68.0.0/16
check "the new config reaches the gateway" within 10 ping1 bob 10.68.0.1

# --- edit --group moves alice live; bob keeps his session ---
hs_before=$(in_ns gw wg show wg0 latest-handshakes | awk -v k="$bob_new_pub" '$1 == k {print $2}')
in_ns bob ping -i 0.1 -c 50 -W 1 10.68.0.1 >"$SANDBOX_DIR/bob-ping.log" 2>&1 &
ping_pid=$!
SANDBOX_PIDS+=("$ping_pid")
within 10 test "$(grep -c 'bytes from' "$SANDBOX_DIR/bob-ping.log")" -ge 5
peer_cmd edit alice --group guests --qr none >"$SANDBOX_DIR/alice2.conf" 2>"$SANDBOX_DIR/edit.err"
check "peer edit alice --group guests" test $? -eq 0
check "edit says the client must import the new config" grep -q "must import" "$SANDBOX_DIR/edit.err"
alice_new=$(addr_of "$SANDBOX_DIR/alice2.conf")
check "alice has an address of guests ($alice_new)" grep -q '^10\.68\.2\.' <<<"$alice_new"
check "the gateway routes alice's new address to her key" \
    grep -q "$alice_pub.*$alice_new/32" <(in_ns gw wg show wg0 allowed-ips)
check "alice's new address is in the peer set" \
    grep -qE "[ {]${alice_new//./\\.}[,} ]" <(in_ns gw nft list set inet vpngw peers4)
check_not "her old address is not" \
    grep -qE "[ {]${alice_addr//./\\.}[,} ]" <(in_ns gw nft list set inet vpngw peers4)
in_ns alice ip link del wga0
client_up alice wga1 "$SANDBOX_DIR/alice2.conf" 10.68.0.0/16
check "alice reaches the gateway from guests with the new config" within 10 ping1 alice 10.68.0.1
wait "$ping_pid"
sed -n '/packets transmitted/p' "$SANDBOX_DIR/bob-ping.log" | sed 's/^/    /'
check "bob lost no packet while alice moved" \
    grep -q "50 packets transmitted, 50 received, 0% packet loss" "$SANDBOX_DIR/bob-ping.log"
hs_after=$(in_ns gw wg show wg0 latest-handshakes | awk -v k="$bob_new_pub" '$1 == k {print $2}')
check "bob's handshake is unchanged" test -n "$hs_before" -a "$hs_before" != 0 -a "$hs_before" = "$hs_after"

# --- expiry without a person: the monitor disables carol within 60 s ---
expires=$(date -u -d '+8 seconds' +%Y-%m-%dT%H:%M:%SZ)
peer_cmd add carol --group staff --expires "$expires" --qr none >"$SANDBOX_DIR/carol.conf" 2>/dev/null
check "peer add carol --expires $expires" test $? -eq 0
carol_pub=$(pub_of "$SANDBOX_DIR/carol.conf")
client_up carol wgc0 "$SANDBOX_DIR/carol.conf" 10.68.0.0/16
check "carol reaches the gateway before her expiry" within 8 ping1 carol 10.68.0.1
in_ns gw "$VPNGW" monitor "$profile" --state-dir "$state" >"$SANDBOX_DIR/monitor.out" 2>&1 &
SANDBOX_PIDS+=($!)
expiry_at=$(date -d "$expires" +%s)
carol_gone() { ! gw_peers | grep -qx "$carol_pub"; }
check "carol is out of the gateway's WireGuard within 60 s of her expiry" \
    within $((expiry_at + 60 - $(date +%s))) carol_gone
check "carol gets no answer any more" no_ping carol 10.68.0.1
check "the monitor says it disabled carol" grep -q "peer carol disabled" "$SANDBOX_DIR/monitor.out"
log=$(vpngw_gw log --peer carol --json --profile "$profile" --state-dir "$state" 2>/dev/null)
check "vpngw log records the expiry" grep -q '"command": "expiry".*"fields": "disabled=yes"' <<<"$log"
check "alice and bob are untouched by carol's expiry" ping1 alice 10.68.0.1
list=$(peer_cmd list --expired --json 2>/dev/null)
check "peer list --expired shows carol" grep -q '"name": "carol".*"expired": true' <<<"$list"

finish
