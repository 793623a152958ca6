#!/usr/bin/env bash
# Issue 4 against a real gateway: `vpngw up` in a gateway namespace, then
# `vpngw peer add` applies peers incrementally. A real client (wireguard-go +
# wg, not our code) connects with the generated config; adding another peer
# does not disturb it (no lost ping, same handshake); 50 concurrent adds leave
# WireGuard, the nft peer sets and the registry equal; `peer remove` takes a
# peer out of all three. Root; everything lives in private namespaces.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
enter_sandbox "$@"

profile=$here/profiles/peers_live.toml
state=$SANDBOX_DIR/state
peer_cmd() { local sub=$1; shift; vpngw_gw peer "$sub" "$@" --profile "$profile" --state-dir "$state"; }

"$VPNGW" up --help >/dev/null 2>&1 || die "this vpngw ($VPNGW) has no \`up\` command yet"

# gw: the gateway (eth0 203.0.113.2). alice: a client on the far side of eth0.
netns_add gw
netns_add alice
veth_pair gw eth0 203.0.113.2/24 alice eth0 203.0.113.1/24
# From here on a failed step is a failed check, not the end of the script.
set +e

out=$(vpngw_gw up "$profile" --state-dir "$state" 2>&1)
rc=$?
echo "$out" | sed 's/^/    /'
check "vpngw up brings the gateway up" test $rc -eq 0
[ $rc -eq 0 ] || { finish; exit 1; }

# --- alice connects with the config vpngw generated ---
peer_cmd add alice --group staff --qr none >"$SANDBOX_DIR/alice.conf" 2>"$SANDBOX_DIR/alice.err"
check "peer add alice succeeds" test $? -eq 0
sed 's/^/    /' "$SANDBOX_DIR/alice.err"
check "peer add alice was applied live" grep -q "^applied to wg0" "$SANDBOX_DIR/alice.err"
alice_addr=$(sed -n 's/^Address = \([0-9.]*\)\/32.*/\1/p' "$SANDBOX_DIR/alice.conf")
alice_pub=$(sed -n 's/^PrivateKey = //p' "$SANDBOX_DIR/alice.conf" | wg pubkey)
check "alice's address is the first of the subnet" test "$alice_addr" = 10.67.1.1
check "the gateway's WireGuard has alice" grep -qx "$alice_pub" <(in_ns gw wg show wg0 peers)
check "alice's address is in the peer set" \
    grep -qE '[ {]10\.67\.1\.1[,} ]' <(in_ns gw nft list set inet vpngw peers4)

client_up alice wgc0 "$SANDBOX_DIR/alice.conf" 10.67.0.0/16 fd67::/48
for _ in 1 2 3 4 5; do pings alice 10.67.0.1 1 && break; sleep 1; done
check "alice pings the gateway through the tunnel" pings alice 10.67.0.1 3
check "alice pings the gateway over IPv6 too" pings alice fd67::1 3

# --- adding bob does not disturb alice ---
hs_before=$(in_ns gw wg show wg0 latest-handshakes | awk -v k="$alice_pub" '$1 == k {print $2}')
in_ns alice ping -i 0.1 -c 60 -W 1 10.67.0.1 >"$SANDBOX_DIR/ping.log" 2>&1 &
ping_pid=$!
SANDBOX_PIDS+=("$ping_pid")
# The add must happen while the pings flow: wait (bounded) for the tenth reply.
for _ in $(seq 1 100); do
    [ "$(grep -c 'bytes from' "$SANDBOX_DIR/ping.log" 2>/dev/null)" -ge 10 ] && break
    sleep 0.1
done
peer_cmd add bob --group staff --qr none >"$SANDBOX_DIR/bob.conf" 2>"$SANDBOX_DIR/bob.err"
check "peer add bob succeeds while alice pings" test $? -eq 0
wait "$ping_pid"
sed -n '/packets transmitted/p' "$SANDBOX_DIR/ping.log" | sed 's/^/    /'
check "alice lost no packet while bob was added" \
    grep -q "60 packets transmitted, 60 received, 0% packet loss" "$SANDBOX_DIR/ping.log"
hs_after=$(in_ns gw wg show wg0 latest-handshakes | awk -v k="$alice_pub" '$1 == k {print $2}')
check "alice's handshake is unchanged (${hs_before:-none})" \
    test -n "$hs_before" -a "$hs_before" != 0 -a "$hs_before" = "$hs_after"
bob_pub=$(sed -n 's/^PrivateKey = //p' "$SANDBOX_DIR/bob.conf" | wg pubkey)
check "the gateway's WireGuard has bob" grep -qx "$bob_pub" <(in_ns gw wg show wg0 peers)

list=$(peer_cmd list --json 2>/dev/null)
check "peer list shows alice's handshake and transfer" \
    grep -q "\"name\": \"alice\".*\"handshake_age_seconds\": [0-9].*\"rx_bytes\": [1-9]" <<<"$list"

# --- 50 concurrent adds: kernel equals state ---
pids=()
for i in $(seq 1 50); do
    peer_cmd add "c$i" --group staff --qr none >/dev/null 2>"$SANDBOX_DIR/c$i.err" &
    pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
check "50 concurrent peer adds all succeed ($failed failed)" test $failed -eq 0
[ $failed -eq 0 ] || cat "$SANDBOX_DIR"/c*.err | sort | uniq -c | head

# The stored peers, read independently of vpngw: the registry's peers table
# through sqlite3 (a reader never blocks on vpngw's writes: WAL).
stored_peers() {
    sqlite3 -readonly "$state/peers.db" 'SELECT name FROM peers'
}
stored_addresses4() {
    sqlite3 -readonly "$state/peers.db" 'SELECT address FROM addresses WHERE family = 4'
}
state_count=$(stored_peers | wc -l)
wg_count=$(in_ns gw wg show wg0 peers | wc -l)
nft4_count=$(in_ns gw nft list set inet vpngw peers4 | grep -oE '10\.67\.[0-9]+\.[0-9]+' | wc -l)
nft6_count=$(in_ns gw nft list set inet vpngw peers6 | grep -oE 'fd67:[0-9a-f:]+' | wc -l)
echo "    registry: $state_count, wg: $wg_count, peers4: $nft4_count, peers6: $nft6_count"
check "the registry holds 52 peers" test "$state_count" -eq 52
check "WireGuard peers equal the registry" test "$wg_count" -eq "$state_count"
check "peers4 elements equal the registry" test "$nft4_count" -eq "$state_count"
check "peers6 elements equal the registry" test "$nft6_count" -eq "$state_count"
state_addrs=$(stored_addresses4 | sort)
wg_addrs=$(in_ns gw wg show wg0 allowed-ips | grep -oE '10\.67\.[0-9]+\.[0-9]+/32' | sed 's|/32||' | sort)
nft_addrs=$(in_ns gw nft list set inet vpngw peers4 | grep -oE '10\.67\.[0-9]+\.[0-9]+' | sort)
check "WireGuard allowed-ips are exactly the recorded addresses" test "$state_addrs" = "$wg_addrs"
check "peers4 holds exactly the recorded addresses" test "$state_addrs" = "$nft_addrs"
check "the 52 addresses are distinct" test "$(sort -u <<<"$state_addrs" | wc -l)" -eq 52

out=$(vpngw_gw up "$profile" --state-dir "$state" 2>&1)
check "a full \`vpngw up\` afterwards finds nothing to change" grep -q "(0 changes)" <<<"$out"
grep -q "(0 changes)" <<<"$out" || echo "$out" | sed 's/^/    /'

# --- a rules change replaces the table in one transaction, peers included ---
sed 's/port = 22,/port = 2222,/' "$profile" >"$SANDBOX_DIR/live-2222.toml"
out=$(vpngw_gw up "$SANDBOX_DIR/live-2222.toml" --state-dir "$state" 2>&1)
check "an \`up\` with another management port replaces the table" grep -q "replaced in one transaction" <<<"$out"
check "  and the new table has the new rule" grep -q "dport 2222" <(in_ns gw nft list chain inet vpngw input)
after_replace=$(in_ns gw nft list set inet vpngw peers4 | grep -oE '10\.67\.[0-9]+\.[0-9]+' | sort)
check "  and peers4 still holds exactly the recorded addresses" test "$state_addrs" = "$after_replace"
out=$(vpngw_gw up "$profile" --state-dir "$state" 2>&1)
check "  and back with the original profile" test $? -eq 0

# --- remove ---
bob_addr=$(sed -n 's/^Address = \([0-9.]*\)\/32.*/\1/p' "$SANDBOX_DIR/bob.conf")
peer_cmd remove bob 2>&1 | sed 's/^/    /'
check "peer remove bob succeeds" test "${PIPESTATUS[0]}" -eq 0
check_not "bob is gone from WireGuard" grep -qx "$bob_pub" <(in_ns gw wg show wg0 peers)
check_not "bob is gone from peers4" grep -qE "[ {]${bob_addr//./\\.}[,} ]" \
    <(in_ns gw nft list set inet vpngw peers4)
check_not "bob is gone from the stored peers" grep -qx bob <(stored_peers)
check "WireGuard peers still equal the registry after remove" \
    test "$(in_ns gw wg show wg0 peers | wc -l)" -eq "$(stored_peers | wc -l)"
check "alice still reaches the gateway" pings alice 10.67.0.1 2
finish
