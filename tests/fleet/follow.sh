#!/usr/bin/env bash
# Two gateways following one 3-member etcd registry with `vpngw cluster
# follow` (issue 20 items 2, 4, 5, 6), each member, gateway and client in its
# own network namespace on one bridge:
# - `peer add` on gateway B; a real wireguard-go client using that config
#   (its endpoint is gateway A's address) handshakes with A within 2 s;
# - A's follower stopped, peers added and removed, started again: it catches
#   up from the revision it had applied;
# - the same with that revision compacted away in etcd: a full reconcile;
# - a peer pinned to B (`peer add --node gwb`) is on B and never on A;
#   `peer edit --node/--no-node` moves peers off and onto A;
# - quorum lost: the client's traffic through A continues, adds are refused
#   with the quorum message, `vpngw status` still answers; quorum back: A
#   gets the next add;
# - `vpngw status` shows the node, etcd's members, VRRP state, revision, lag
#   (text and --json);
# - preshared keys: `peer add --psk` on B (sealed in etcd with the cluster
#   secret from `vpngw cluster secret`) handshakes with A from a second
#   wireguard-go client; the record holds no clear PSK; `peer rotate
#   --psk-only` reaches A; a sealed value moved to another peer's record is
#   refused on A naming the peer and key; no secret_file: --psk refused;
#   `peer export` names no key, `peer import` on B seals the imported PSK.
# Label `fleet`; needs root.
. "$(dirname "$0")/../netns/lib.sh"
enter_sandbox "$@"
. "$(dirname "$0")/fleet_lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
CERTS=$SANDBOX_DIR/certs
PASSES=0
FAILURES=0
declare -A FOLLOW_PID=()

fleet_switch
etcd_cluster "$CERTS"
fleet_attach gwa 10.77.0.11
fleet_attach gwb 10.77.0.12
fleet_attach cl 10.77.0.50
fleet_attach cp 10.77.0.51

# The fleet's one WireGuard key, as an operator copies it to every member.
wg genkey >"$SANDBOX_DIR/fleet.key"
chmod 0600 "$SANDBOX_DIR/fleet.key"
# The cluster secret that seals preshared keys in etcd, copied the same way.
check "vpngw cluster secret makes the secret file" "$VPNGW" cluster secret --out "$SANDBOX_DIR/cluster.key"
check "the cluster secret is 32 bytes, 0600" \
    [ "$(stat -c '%s %a' "$SANDBOX_DIR/cluster.key")" = "32 600" ]
check_not "vpngw cluster secret never overwrites" \
    "$VPNGW" cluster secret --out "$SANDBOX_DIR/cluster.key"
URLS='"https://10.77.0.1:2379", "https://10.77.0.2:2379", "https://10.77.0.3:2379"'
for node in gwa gwb; do
    mkdir -m 0700 "$SANDBOX_DIR/state-$node"
    sed -e "s|@NODE@|$node|g" -e "s|@STATE@|$SANDBOX_DIR/state-$node|" \
        -e "s|@KEY@|$SANDBOX_DIR/fleet.key|" -e "s|@ETCD@|$URLS|" -e "s|@CERTS@|$CERTS|g" \
        -e "s|@SECRET@|$SANDBOX_DIR/cluster.key|" \
        "$HERE/profiles/follower.toml.in" >"$SANDBOX_DIR/$node.toml"
done
# B as a member that was never given the secret.
grep -v '^secret_file' "$SANDBOX_DIR/gwb.toml" >"$SANDBOX_DIR/gwb-nosecret.toml"
vpngw_on() { local node=$1; shift; in_ns "$node" "$VPNGW" "$@"; }
profile() { echo "$SANDBOX_DIR/$1.toml"; }

check "gateway A up" vpngw_on gwa up "$(profile gwa)"
check "gateway B up" vpngw_on gwb up "$(profile gwb)"

follow_start() {  # follow_start NODE: the follower, its output appended to NODE.follow
    ip netns exec "$1" "$VPNGW" cluster follow "$(profile "$1")" >>"$SANDBOX_DIR/$1.follow" 2>&1 &
    FOLLOW_PID[$1]=$!
    SANDBOX_PIDS+=("$!")
}
follow_stop() {
    kill "${FOLLOW_PID[$1]}" 2>/dev/null || true
    wait "${FOLLOW_PID[$1]}" 2>/dev/null || true
}
applied_revision() { sed -n 's/^revision //p' "$SANDBOX_DIR/state-$1/cluster-applied" 2>/dev/null; }
has_applied() { [ -n "$(applied_revision "$1")" ]; }
follow_start gwa
follow_start gwb
check "A's follower applied the registry (first start: full reconcile)" wait_for 30 "A applied" has_applied gwa
check "B's follower applied the registry" wait_for 30 "B applied" has_applied gwb
check "A's log says it reconciled in full" grep -q "reconciled in full" "$SANDBOX_DIR/gwa.follow"

add_on() {  # add_on NODE NAME [OPTIONS...]
    local node=$1 name=$2; shift 2
    vpngw_on "$node" peer add "$name" --group staff --profile "$(profile "$node")" "$@" \
        >"$SANDBOX_DIR/add-$name.out" 2>&1
}
# The client's public key, from the config `peer add` wrote on its gateway.
pubkey_of() {  # pubkey_of NODE NAME
    sed -n 's/^PrivateKey *= *//p' "$SANDBOX_DIR/state-$1/clients/$2.conf" | wg pubkey
}
on_gateway() {  # on_gateway NODE PUBKEY: the gateway's WireGuard has the peer
    in_ns "$1" wg show "wg$1" peers | grep -qxF "$2"
}

now_ms() { date +%s%3N; }
handshake_with_a() {  # the client's latest handshake is set (it has one only with A)
    local t
    t=$(in_ns cl wg show wgc latest-handshakes | awk '{print $2}')
    [ -n "$t" ] && [ "$t" -gt 0 ]
}
# The client pings A's tunnel address once a 100 ms: traffic starts the
# handshake, and a dropped first initiation would show as a 5 s gap.
client_pings() { in_ns cl ping -c 1 -W 1 10.8.0.1 >/dev/null 2>&1; }

# --- peer add on B, client handshakes with A ---
check "peer add alice on gateway B" add_on gwb alice
T_ADDED=$(now_ms)
client_up cl wgc "$SANDBOX_DIR/state-gwb/clients/alice.conf" 10.8.0.1/32
in_ns cl ping -c 30 -i 0.1 -W 1 10.8.0.1 >/dev/null 2>&1 &
PING_PID=$!
SANDBOX_PIDS+=("$PING_PID")
wait_for 10 "the client's handshake with A" handshake_with_a
T_HANDSHAKE=$(now_ms)
kill "$PING_PID" 2>/dev/null || true
ELAPSED=$((T_HANDSHAKE - T_ADDED))
echo "# peer add on B -> client handshake with A: ${ELAPSED} ms (target 2000)"
check "the handshake with A came within 2 s of peer add on B" [ "$ELAPSED" -le 2000 ]
check "A applied alice (wg show on A)" on_gateway gwa "$(pubkey_of gwb alice)"
check "the client reaches A through the tunnel" client_pings

# --- status lines ---
printf '# vpngw vrrp v1\nMASTER\t%s\tvpngw\n' "$(date +%s)" >"$SANDBOX_DIR/state-gwa/vrrp.state"
chmod 0600 "$SANDBOX_DIR/state-gwa/vrrp.state"
vpngw_on gwa status "$(profile gwa)" >"$SANDBOX_DIR/status-a" 2>&1 || true
sed -n '/^cluster:/,/registry:/p' "$SANDBOX_DIR/status-a"
check "status names the node" grep -q "^cluster: node gwa" "$SANDBOX_DIR/status-a"
check "status lists the three etcd members" [ "$(grep -c "etcd member: e[123] https" "$SANDBOX_DIR/status-a")" -eq 3 ]
check "status shows the VRRP state" grep -q "vrrp: MASTER since" "$SANDBOX_DIR/status-a"
check "status shows the applied revision and lag" \
    grep -qE "registry: applied revision [0-9]+, .*; etcd at [0-9]+, lag [0-9]+ revision" "$SANDBOX_DIR/status-a"

vpngw_on gwa status --json "$(profile gwa)" >"$SANDBOX_DIR/status-a.json" 2>/dev/null || true
cluster_json() {  # cluster_json JQ-TEST: true when the status JSON's cluster object passes it
    jq -e ".cluster | $1" "$SANDBOX_DIR/status-a.json" >/dev/null
}
check "status --json: node" cluster_json '.node == "gwa"'
check "status --json: three etcd members answering" \
    cluster_json '.etcd.answering and (.etcd.members | map(.name) | sort) == ["e1","e2","e3"]'
check "status --json: VRRP state" cluster_json '.vrrp.state == "MASTER" and .vrrp.since > 0'
check "status --json: applied and etcd revisions, lag = their difference" \
    cluster_json '.registry.applied_revision > 0 and .registry.lag == (.registry.etcd_revision - .registry.applied_revision)'

# --- A down, changes on B, A back: catch-up from its revision ---
check "peer add dave on B" add_on gwb dave
DAVE=$(pubkey_of gwb dave)
check "A applied dave" wait_for 10 "dave on A" on_gateway gwa "$DAVE"
follow_stop gwa
BEFORE=$(applied_revision gwa)
check "peer add bob on B while A's follower is down" add_on gwb bob
check "peer add carol on B while A's follower is down" add_on gwb carol
check "peer remove dave on B while A's follower is down" \
    vpngw_on gwb peer remove dave --profile "$(profile gwb)"
BOB=$(pubkey_of gwb bob)
CAROL=$(pubkey_of gwb carol)
check_not "A does not have bob while its follower is down" on_gateway gwa "$BOB"
follow_start gwa
check "A caught up: bob" wait_for 10 "bob on A" on_gateway gwa "$BOB"
check "A caught up: carol" wait_for 10 "carol on A" on_gateway gwa "$CAROL"
not_on_gateway() { ! on_gateway "$@"; }
check "A caught up: dave removed" wait_for 10 "dave gone from A" not_on_gateway gwa "$DAVE"
check "A resumed from its revision $BEFORE, no full reconcile" \
    grep -q "catching up from revision $BEFORE" "$SANDBOX_DIR/gwa.follow"

# --- A down, its revision compacted away: full reconcile ---
follow_stop gwa
check "peer add erin on B while A's follower is down" add_on gwb erin
ERIN=$(pubkey_of gwb erin)
etcd_json() {  # etcd_json PATH BODY: through member e1's JSON gateway
    in_ns e1 curl -sf --max-time 5 --cacert "$CERTS/ca.pem" --cert "$CERTS/client.pem" \
        --key "$CERTS/client.key" -X POST -d "$2" "https://10.77.0.1:2379$1"
}
HEAD=$(etcd_json /v3/kv/range '{"key":"AA=="}' | sed -n 's/.*"revision":"\([0-9]*\)".*/\1/p')
check "etcd compacted up to revision $HEAD" \
    etcd_json /v3/kv/compaction "{\"revision\":\"$HEAD\",\"physical\":true}" >/dev/null
follow_start gwa
check "A reconciled in full after the compaction gap: erin" wait_for 20 "erin on A" on_gateway gwa "$ERIN"
check "A's log names the compaction" grep -q "compacted away in etcd: reconciling in full" "$SANDBOX_DIR/gwa.follow"
check "A kept bob through the full reconcile" on_gateway gwa "$BOB"

# --- a peer pinned to B ---
check "peer add pinned --node gwb on B" add_on gwb pinned --node gwb
PINNED=$(pubkey_of gwb pinned)
check "peer add marker on B (after pinned)" add_on gwb marker
check "A has marker (so it has seen pinned)" wait_for 10 "marker on A" on_gateway gwa "$(pubkey_of gwb marker)"
check_not "A does not serve the peer pinned to B" on_gateway gwa "$PINNED"
check "B serves the peer pinned to it" on_gateway gwb "$PINNED"
MARKER=$(pubkey_of gwb marker)
check "peer edit marker --node gwb on B" vpngw_on gwb peer edit marker --node gwb --profile "$(profile gwb)"
check "A stops serving marker once it is pinned to B" wait_for 10 "marker gone from A" not_on_gateway gwa "$MARKER"
check "B still serves marker" on_gateway gwb "$MARKER"
check "peer edit pinned --no-node on B" vpngw_on gwb peer edit pinned --no-node --profile "$(profile gwb)"
check "A serves pinned once it is unpinned" wait_for 10 "pinned on A" on_gateway gwa "$PINNED"

# --- preshared keys: sealed in etcd, applied by every member ---
add_without_secret() {
    vpngw_on gwb peer add nosecret --group staff --psk --profile "$SANDBOX_DIR/gwb-nosecret.toml" \
        >"$SANDBOX_DIR/add-nosecret.out" 2>&1
}
check_not "peer add --psk on a member without secret_file is refused" add_without_secret
check "the refusal names secret_file" grep -q 'no "secret_file"' "$SANDBOX_DIR/add-nosecret.out"
check_not "nothing was added without the secret" \
    vpngw_on gwb peer show nosecret --profile "$(profile gwb)"
check "peer add secret --psk on gateway B" add_on gwb secret --psk
psk_of() { sed -n 's/^PresharedKey *= *//p' "$SANDBOX_DIR/state-gwb/clients/$1.conf"; }
PSK=$(psk_of secret)
check "the client config has the preshared key" [ -n "$PSK" ]
etcd_value() {  # etcd_value KEY: the value etcd holds, decoded
    etcd_json /v3/kv/range "{\"key\":\"$(printf %s "$1" | base64 -w0)\"}" |
        jq -r '.kvs[0].value' | base64 -d
}
RECORD=$(etcd_value /vpngw/follow-test/peers/secret)
check "the etcd record holds the PSK sealed" jq -e '.has_psk and (.psk_sealed | length) == 96' <<<"$RECORD"
check_not "the etcd record has no clear PSK" grep -qF "$PSK" <<<"$RECORD"
client_up cp wgp "$SANDBOX_DIR/state-gwb/clients/secret.conf" 10.8.0.1/32
psk_handshake() {
    local t
    t=$(in_ns cp wg show wgp latest-handshakes | awk '{print $2}')
    [ -n "$t" ] && [ "$t" -gt 0 ]
}
in_ns cp ping -c 50 -i 0.1 -W 1 10.8.0.1 >/dev/null 2>&1 &
PING_PID=$!
SANDBOX_PIDS+=("$PING_PID")
check "the --psk client added on B handshakes with A" wait_for 10 "PSK client's handshake with A" psk_handshake
kill "$PING_PID" 2>/dev/null || true
check "the --psk client reaches A through the tunnel" in_ns cp ping -c 1 -W 2 10.8.0.1
SECRET_KEY=$(pubkey_of gwb secret)
a_psk_is() { in_ns gwa wg show wggwa preshared-keys | grep -qxF "$SECRET_KEY	$1"; }
check "A's WireGuard peer has the PSK" a_psk_is "$PSK"
check "A keeps it 0600 in its psk/" [ "$(stat -c %a "$SANDBOX_DIR/state-gwa/psk/secret.psk")" = 600 ]
check "peer rotate secret --psk-only on B" \
    vpngw_on gwb peer rotate secret --psk-only --profile "$(profile gwb)"
NEW_PSK=$(psk_of secret)
check "the rotation made a new PSK" [ -n "$NEW_PSK" -a "$NEW_PSK" != "$PSK" ]
check "A applied the rotated PSK" wait_for 10 "the new PSK on A" a_psk_is "$NEW_PSK"
# A sealed value moved into another peer's record (as one with write access
# to etcd but not the secret could): A refuses it, naming the peer and key.
check "peer add victim --psk on B" add_on gwb victim --psk
VICTIM=$(pubkey_of gwb victim)
check "A applied victim" wait_for 10 "victim on A" on_gateway gwa "$VICTIM"
MOVED=$(etcd_value /vpngw/follow-test/peers/victim |
    jq -c --arg s "$(jq -r .psk_sealed <<<"$(etcd_value /vpngw/follow-test/peers/secret)")" '.psk_sealed = $s')
etcd_put() {  # etcd_put KEY VALUE
    etcd_json /v3/kv/put \
        "{\"key\":\"$(printf %s "$1" | base64 -w0)\",\"value\":\"$(printf %s "$2" | base64 -w0)\"}" >/dev/null
}
check "the sealed value of secret is put into victim's record" \
    etcd_put /vpngw/follow-test/peers/victim "$MOVED"
check "A leaves victim out" wait_for 10 "victim gone from A" not_on_gateway gwa "$VICTIM"
check "A's follower names the peer and its key" \
    grep -q 'peer "victim" (/vpngw/follow-test/peers/victim): its sealed preshared key does not open' "$SANDBOX_DIR/gwa.follow"
check_not "no PSK in A's log" grep -qF -e "$PSK" -e "$NEW_PSK" "$SANDBOX_DIR/gwa.follow"
check "A still serves secret" on_gateway gwa "$SECRET_KEY"
# `up` on A opens the sealed PSKs into its psk/ too (the file removed first).
rm -f "$SANDBOX_DIR/state-gwa/psk/secret.psk"
check "up on A with sealed PSKs in the registry" vpngw_on gwa up "$(profile gwa)"
check "up wrote secret's PSK back into A's psk/" \
    [ "$(cat "$SANDBOX_DIR/state-gwa/psk/secret.psk" 2>/dev/null)" = "$NEW_PSK" ]
check "A serves secret with the PSK after up" a_psk_is "$NEW_PSK"
check_not "up left victim out on A" on_gateway gwa "$VICTIM"
# `peer export` names no key (psk = true, as on one machine) and leaves the
# key in the exporting member's psk/; `peer import` on B seals the imported
# peer's psk/NAME.psk with the cluster secret, so A applies it with the key.
check "peer export on A" vpngw_on gwa peer export -o "$SANDBOX_DIR/export.toml" --profile "$(profile gwa)"
check "the export marks secret's PSK" grep -q '^psk = true' "$SANDBOX_DIR/export.toml"
check_not "the export carries no key, clear or sealed" \
    grep -qF -e "$NEW_PSK" -e psk_sealed "$SANDBOX_DIR/export.toml"
# Export writes psk/ files on a member, so it waits for the state lock: a
# remove or rotate holding it must not be undone by a key read before it.
(exec 9>>"$SANDBOX_DIR/state-gwa/lock" && flock -x 9 && exec sleep 120) &
LOCK_PID=$!  # the holder is this one process: killing it frees the lock
SANDBOX_PIDS+=("$LOCK_PID")
wait_for 10 "the lock is held" eval '! flock -xn "$SANDBOX_DIR/state-gwa/lock" true'
vpngw_on gwa peer export -o "$SANDBOX_DIR/export-locked.toml" --profile "$(profile gwa)" &
EXPORT_PID=$!
export_waits() {  # the vpngw process (below in_ns) sleeps between tries of the lock
    local pid
    for pid in $(pgrep -f -- "-o $SANDBOX_DIR/export-locked.toml"); do
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = vpngw ] &&
            [ "$(cat "/proc/$pid/wchan" 2>/dev/null)" = hrtimer_nanosleep ] && return 0
    done
    return 1
}
check "peer export on A waits while the state lock is held" \
    wait_for 10 "export polling the lock" export_waits
check_not "and has written nothing yet" test -e "$SANDBOX_DIR/export-locked.toml"
kill "$LOCK_PID"
check "it finishes once the lock is free" wait "$EXPORT_PID"
check "with the same peers" cmp "$SANDBOX_DIR/export.toml" "$SANDBOX_DIR/export-locked.toml"
IMPORTED=$(wg genkey | wg pubkey)
IMPORTED_PSK=$(wg genpsk)
printf 'version = 1\n\n[[peer]]\nname = "imported"\ngroup = "staff"\npublic_key = "%s"\npsk = true\ncreated = "2026-12-01T10:00:00Z"\n' \
    "$IMPORTED" >"$SANDBOX_DIR/import.toml"
printf '%s\n' "$IMPORTED_PSK" >"$SANDBOX_DIR/state-gwb/psk/imported.psk"
chmod 600 "$SANDBOX_DIR/state-gwb/psk/imported.psk"
check "peer import on B" vpngw_on gwb peer import "$SANDBOX_DIR/import.toml" --profile "$(profile gwb)"
check "the imported record holds the PSK sealed" jq -e '.has_psk and (.psk_sealed | length) == 96' \
    <<<"$(etcd_value /vpngw/follow-test/peers/imported)"
a_imported_psk() { in_ns gwa wg show wggwa preshared-keys | grep -qxF "$IMPORTED	$IMPORTED_PSK"; }
check "A applied the imported peer with its PSK" wait_for 10 "imported PSK on A" a_imported_psk

# --- quorum lost ---
etcd_kill e2
etcd_kill e3
in_ns cl ping -c 40 -i 0.1 -W 1 10.8.0.1 >"$SANDBOX_DIR/ping-partition" 2>&1 &
PING_PID=$!
SANDBOX_PIDS+=("$PING_PID")
T_REFUSE=$SECONDS
check_not "peer add on B without quorum is refused" add_on gwb refused
echo "# refusal after $((SECONDS - T_REFUSE)) s: $(cat "$SANDBOX_DIR/add-refused.out")"
check "the refusal says there is no quorum" grep -q "has no quorum" "$SANDBOX_DIR/add-refused.out"
wait "$PING_PID" || true
LOSS=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$SANDBOX_DIR/ping-partition")
echo "# client ping through A during the quorum loss: ${LOSS}% lost of 40"
check "the client's traffic through A continued without quorum" [ "${LOSS%.*}" -eq 0 ]
check "A still serves alice without quorum" on_gateway gwa "$(pubkey_of gwb alice)"
vpngw_on gwa status "$(profile gwa)" >"$SANDBOX_DIR/status-partition" 2>&1 || true
check "status still lists A's registry peers without quorum (serializable read)" \
    grep -q "alice" "$SANDBOX_DIR/status-partition"

# --- quorum back: converges ---
for i in 2 3; do etcd_start "e$i" "e$i" "10.77.0.$i" "$INITIAL" existing "$CERTS"; done
for i in 2 3; do
    wait_for 30 "etcd member e$i healthy again" etcd_healthy "e$i" "10.77.0.$i" "$CERTS"
done
check "peer add frank on B with quorum back" add_on gwb frank
check "A applied frank after quorum returned" \
    wait_for 10 "frank on A" on_gateway gwa "$(pubkey_of gwb frank)"

follow_stop gwa
follow_stop gwb
echo "# A's follower said:"; sed 's/^/#   /' "$SANDBOX_DIR/gwa.follow" | tail -25
vpngw_on gwa down "$(profile gwa)" >/dev/null 2>&1 || true
vpngw_on gwb down "$(profile gwb)" >/dev/null 2>&1 || true
finish
