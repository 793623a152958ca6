#!/usr/bin/env bash
# Issue 20 item 3, Done-when "Failover": two gateways A and B with one
# WireGuard private key, keepalived holding the virtual address 203.0.113.10
# on their uplink LAN and conntrackd (FTFW) syncing connections over a
# separate link; a real wireguard-go client dials the virtual address and
# reaches an internet host behind the uplinks. Two failures of the member
# holding the address:
#   (a) kill -9 of its wireguard-go, keepalived and conntrackd (A);
#   (b) its uplink cut upstream (the member stays up, `vpngw cluster health`
#       fails its uplink probe and keepalived hands the address over);
# each time the client's ping gap (ping -i 0.1) and the time until its
# traffic flows again are measured and printed and must stay under 10 s, and
# an established TCP connection (a line every 100 ms, every echo checked)
# must survive. Traffic resumes that fast because the master's `vpngw
# cluster follow` publishes its clients' endpoints to etcd and the new
# master's follower, on becoming MASTER, sets them and starts the handshakes
# itself, from the virtual address (keepalived's source route for the
# WireGuard port, docs/fleet.md); the test checks the record in etcd before
# each failover and that alice's endpoint is still the virtual address after.
# Label `fleet`; needs root. Every daemon runs in a gateway namespace with
# its files under the sandbox directory, started and ended by PID.
#
#   alice (198.51.100.10) ── br0 ─┐                    internet host 192.0.2.80
#                                inet (router, 203.0.113.1 on brw)
#                 brw: ┌──────────┴──────────┐
#           203.0.113.2 eth0 (A)      203.0.113.3 eth0 (B)   VIP 203.0.113.10
#                      A eth2 10.99.0.1 ── 10.99.0.2 eth2 B  (conntrackd sync)
#           10.77.0.11 eth1 (A) ── sw ── eth1 (B) 10.77.0.12
#                                  └── etcd e1-e3 10.77.0.1-3 (one namespace each)
# The registry ([cluster] etcd, opened by `vpngw up`, `status` and `cluster
# follow`) is a 3-member etcd cluster on its own switch; its link is not the
# uplink, so cutting an uplink leaves the registry reachable, as a
# management LAN would.
. "$(dirname "$0")/../netns/lib.sh"
enter_sandbox "$@"
here=$(cd "$(dirname "$0")" && pwd)
. "$here/fleet_lib.sh"
for tool in keepalived conntrackd python3; do
    command -v "$tool" >/dev/null || die "missing $tool (scripts/install-deps)"
done
VIP=203.0.113.10
TARGET=10  # seconds: the address move and the tunnel's traffic (issue 20)

# ---- the world ---------------------------------------------------------
netns_add inet
netns_add gwa
netns_add gwb
netns_add alice
in_ns inet ip link add brw type bridge
in_ns inet ip link add br0 type bridge
in_ns inet ip addr add 203.0.113.1/24 dev brw
in_ns inet ip addr add 198.51.100.1/24 dev br0
in_ns inet ip addr add 192.0.2.80/32 dev lo
in_ns inet ip link set brw up
in_ns inet ip link set br0 up
in_ns inet sysctl -qw net.ipv4.ip_forward=1
for m in a:2 b:3; do
    ns=gw${m%%:*} n=${m##*:}
    ip link add eth0 netns "$ns" type veth peer name "v$ns" netns inet
    in_ns inet ip link set "v$ns" master brw up
    in_ns "$ns" ip addr add "203.0.113.$n/24" dev eth0
    in_ns "$ns" ip link set eth0 up
done
veth_pair gwa eth2 10.99.0.1/30 gwb eth2 10.99.0.2/30
ip link add eth0 netns alice type veth peer name valice netns inet
in_ns inet ip link set valice master br0 up
in_ns alice ip addr add 198.51.100.10/24 dev eth0
in_ns alice ip link set eth0 up
in_ns alice ip route add default via 198.51.100.1

# ---- the registry ------------------------------------------------------
fleet_switch
check "etcd members e1, e2, e3 are healthy" etcd_cluster "$SANDBOX_DIR/certs"
fleet_attach gwa 10.77.0.11 eth1
fleet_attach gwb 10.77.0.12 eth1

# ---- the gateways ------------------------------------------------------
(umask 077; wg genkey >"$SANDBOX_DIR/server.key"; wg genkey >"$SANDBOX_DIR/alice.key")
alice_pub=$(wg pubkey <"$SANDBOX_DIR/alice.key")
server_pub=$(wg pubkey <"$SANDBOX_DIR/server.key")
declare -A DIR KEEPALIVED CONNTRACKD FOLLOW
for m in a:150:10.99.0.1:10.99.0.2 b:100:10.99.0.2:10.99.0.1; do
    IFS=: read -r x prio self peer <<<"$m"
    dir=$SANDBOX_DIR/gw$x
    DIR[$x]=$dir
    mkdir -p "$dir/state" "$dir/run"
    sed -e "s|@NODE@|gw$x|g" -e "s|@X@|$x|" -e "s|@PRIO@|$prio|" -e "s|@SYNC_SELF@|$self|" \
        -e "s|@SYNC_PEER@|$peer|" -e "s|@STATE@|$dir/state|" -e "s|@KEY@|$SANDBOX_DIR/server.key|" \
        -e "s|@ALICE@|$alice_pub|" -e "s|@CERTS@|$SANDBOX_DIR/certs|" \
        "$here/profiles/ha_member.toml.in" >"$dir/profile.toml"
    check "gw$x: vpngw cluster render" in_ns "gw$x" "$VPNGW" cluster render "$dir/profile.toml" \
        --dir "$dir" --run-dir "$dir/run" --vpngw "$VPNGW"
done

gw_up() {  # gw_up X: vpngw up and cluster follow, then conntrackd, then keepalived (as the units order them)
    local x=$1 dir=${DIR[$1]}
    in_ns "gw$x" "$VPNGW" up "$dir/profile.toml" --state-dir "$dir/state" >"$dir/up.log" 2>&1 ||
        { cat "$dir/up.log"; return 1; }
    # The follower publishes the clients' endpoints while this member is
    # MASTER and speaks first to them when it becomes MASTER.
    ip netns exec "gw$x" "$VPNGW" cluster follow "$dir/profile.toml" >>"$dir/follow.log" 2>&1 &
    FOLLOW[$x]=$!
    SANDBOX_PIDS+=("$!")
    rm -f "$dir/run/vpngw-conntrackd.lock"  # a killed conntrackd leaves it behind
    # `ip netns exec` directly: $! is the daemon itself (a background in_ns
    # would be a bash of its own, and kill -9 would miss the daemon).
    ip netns exec "gw$x" conntrackd -C "$dir/conntrackd.conf" >>"$dir/conntrackd.log" 2>&1 &
    CONNTRACKD[$x]=$!
    SANDBOX_PIDS+=("$!")
    wait_for 10 "gw$x conntrackd answers" \
        in_ns "gw$x" conntrackd -C "$dir/conntrackd.conf" -s >/dev/null 2>&1 || return 1
    # -n: keepalived stays in the foreground (its PID is ours); -P: VRRP only.
    ip netns exec "gw$x" keepalived -n -l -D -P -f "$dir/keepalived.conf" -p "$dir/run/keepalived.pid" \
        -r "$dir/run/vrrp.pid" >>"$dir/keepalived.log" 2>&1 &
    KEEPALIVED[$x]=$!
    SANDBOX_PIDS+=("$!")
}
vrrp_state() { sed -n '2s/\t.*//p' "${DIR[$1]}/state/vrrp.state" 2>/dev/null; }
is_state() { [ "$(vrrp_state "$1")" = "$2" ]; }
holds_vip() { in_ns "gw$1" ip -4 addr show dev eth0 | grep -q " $VIP/"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

check "gwa: up, conntrackd and keepalived start" gw_up a
check "gwa: health check passes (vpngw cluster health)" \
    in_ns gwa "$VPNGW" cluster health "${DIR[a]}/profile.toml"
check "gwa becomes MASTER (vrrp.state) and holds $VIP" \
    wait_for 15 "gwa MASTER" eval 'is_state a MASTER && holds_vip a'
# `vpngw status` reads the file keepalived's notify script (the real one,
# rendered by `vpngw cluster render`) wrote.
status_shows() {  # status_shows X STATE: X's `vpngw status` has "vrrp: STATE since"
    in_ns "gw$1" "$VPNGW" status "${DIR[$1]}/profile.toml" >"${DIR[$1]}/status.out" 2>&1 ||
        { cat "${DIR[$1]}/status.out"; return 1; }
    grep -q "^  vrrp: $2 since" "${DIR[$1]}/status.out"
}
check "vpngw status on gwa shows vrrp: MASTER" status_shows a MASTER
sed -n '/^cluster:/,/registry:/s/^/    gwa: /p' "${DIR[a]}/status.out"
check "gwb: up, conntrackd and keepalived start" gw_up b
check "gwb settles as BACKUP (nopreempt, lower priority)" wait_for 15 "gwb BACKUP" is_state b BACKUP
check "the state file has the documented form" \
    grep -qP '^# vpngw vrrp v1\n?' "${DIR[a]}/state/vrrp.state"
check_not "gwb does not hold $VIP" holds_vip b

# ---- the client and its traffic ---------------------------------------
in_ns alice wireguard-go wgc >/dev/null 2>&1
in_ns alice wg set wgc private-key "$SANDBOX_DIR/alice.key" peer "$server_pub" \
    endpoint "$VIP:51820" allowed-ips 10.8.0.0/16,192.0.2.0/24 persistent-keepalive 1
in_ns alice ip addr add 10.8.4.10/32 dev wgc
in_ns alice ip link set wgc mtu 1420 up
in_ns alice ip route add 10.8.0.0/16 dev wgc
in_ns alice ip route add 192.0.2.0/24 dev wgc
check "alice reaches the internet host through the tunnel" \
    wait_for 15 "first ping" pings alice 192.0.2.80 1

spawn_in inet python3 "$here/tcp_stream.py" server 192.0.2.80 7000
wait_for 10 "echo server listens" eval '[ -n "$(in_ns inet ss -Hltn "sport = :7000")" ]'
stream_log=$SANDBOX_DIR/stream.log
# `ip netns exec` directly (not the in_ns function, which a background job
# runs in a bash of its own): $! is then the client itself, so SIGTERM below
# reaches it and `wait` returns its status.
ip netns exec alice python3 "$here/tcp_stream.py" client 192.0.2.80 7000 10.8.4.10 "$stream_log" &
STREAM=$!
SANDBOX_PIDS+=("$STREAM")
echoes() { local n; n=$(grep -c '^echo ' "$stream_log" 2>/dev/null) || true; echo "${n:-0}"; }
check "the TCP stream runs (echoes come back)" wait_for 10 "10 echoes" eval '[ "$(echoes)" -ge 10 ]'
# The connection as the uplink sees it: SNAT to the virtual address.
synced() {  # synced X: X's conntrackd holds the stream's connection from the other member
    in_ns "gw$1" conntrackd -C "${DIR[$1]}/conntrackd.conf" -e 2>/dev/null |
        grep -q "^tcp .* ESTABLISHED src=10.8.4.10 dst=192.0.2.80 .*dport=7000"
}
check "gwb's conntrackd has the stream's connection from gwa (external cache)" \
    wait_for 10 "conntrack sync to gwb" synced b

# published_endpoint: alice's endpoint record as etcd holds it (read with
# curl from the v3 JSON gateway, not through vpngw's own decoder).
published_endpoint() {
    local certs=$SANDBOX_DIR/certs key
    key=$(printf '%s' "/vpngw/failover-test/endpoints/$alice_pub" | base64 -w0)
    ip netns exec e2 curl -sf --max-time 2 --cacert "$certs/ca.pem" --cert "$certs/client.pem" \
        --key "$certs/client.key" -X POST "https://10.77.0.2:2379/v3/kv/range" \
        -d "{\"key\":\"$key\"}" 2>/dev/null |
        python3 -c 'import base64, json, sys
kvs = json.load(sys.stdin).get("kvs", [])
print(base64.b64decode(kvs[0]["value"]).decode() if kvs else "")'
}
# published_by X: the record names gwX and alice's address (the client has
# no NAT in front of it here: the endpoint is its own address).
published_by() {
    local rec
    rec=$(published_endpoint) || return 1
    python3 -c 'import json, sys
r = json.loads(sys.argv[1])
sys.exit(not (r.get("node") == sys.argv[2] and r.get("endpoint", "").startswith("198.51.100.10:")))' \
        "$rec" "gw$1" 2>/dev/null
}

# failover CASE FROM TO ACTION...: runs ACTION against FROM (the master) while
# alice pings through the tunnel every 100 ms and the stream runs; waits for
# TO to hold the address and for traffic to flow again; prints the figures.
failover() {
    local case=$1 from=$2 to=$3; shift 3
    local plog=$SANDBOX_DIR/ping-$case.log
    ip netns exec alice ping -D -n -i 0.1 -W 1 192.0.2.80 >"$plog" 2>&1 &
    local ping_pid=$!
    SANDBOX_PIDS+=("$ping_pid")
    answered() { [ "$(grep -c 'bytes from' "$plog" 2>/dev/null)" -ge 5 ] 2>/dev/null; }
    check "($case) alice's pings through the tunnel are answered" \
        wait_for 10 "pings answered" answered || return 0
    check "($case) gw$from has published alice's endpoint to etcd (endpoints/ALICE_KEY, node gw$from)" \
        wait_for 10 "endpoint published by gw$from" published_by "$from"
    echo "    etcd: $(published_endpoint)"
    local echoes_before
    echoes_before=$(echoes)
    local t0
    t0=$(now)
    "$@"
    check "($case) gw$to holds $VIP within ${TARGET}s" \
        wait_for "$TARGET" "gw$to holds $VIP" eval "is_state $to MASTER && holds_vip $to"
    local t_vip
    t_vip=$(now)
    # Answers from a second after the action on (one in flight at the
    # moment of the action proves nothing).
    replies_after() { awk -v t0="$t0" -F'[][]' '/bytes from/ && $2 > t0 + 1 { n++ } END { exit !(n >= 3) }' "$plog"; }
    check "($case) pings through the tunnel are answered again within ${TARGET}s" \
        wait_for "$TARGET" "pings after failover" replies_after
    check "($case) the TCP stream's echoes continue (the connection survived)" \
        wait_for 30 "echoes after failover" eval "[ \$(echoes) -gt \$((echoes_before + 20)) ]"
    kill "$ping_pid"  # (SIGINT is ignored by background jobs of a script)
    wait "$ping_pid" 2>/dev/null || true
    # The new master's handshake came from the virtual address (keepalived's
    # source route for the WireGuard port), so the client still sends there,
    # as a client behind a NAT must.
    check "($case) alice's WireGuard still talks to $VIP:51820 (the handshake came from it)" \
        eval '[ "$(in_ns alice wg show wgc endpoints | cut -f2)" = "$VIP:51820" ]'
    check "($case) the TCP stream never broke" kill -0 "$STREAM"
    check_not "($case) the stream logged no error" grep -q '^error' "$stream_log"
    # Figures: from the action to the first answered ping, the longest gap
    # between answers, pings lost; the stream's longest gap between echoes.
    local first gap lost tcp_gap
    # "again": the answer that ends the longest silence after the action.
    first=$(awk -v t0="$t0" -F'[][]' '/bytes from/ { if (p && $2 > t0 && $2 - p > g) { g = $2 - p; e = $2 }
        p = $2 } END { if (e) printf "%.1f", e - t0 }' "$plog")
    gap=$(awk -v t0="$t0" -F'[][]' '/bytes from/ { if (p && $2 > t0 && $2 - p > g) g = $2 - p; p = $2 }
        END { printf "%.1f", g }' "$plog")
    lost=$(awk -F'icmp_seq=' '/bytes from/ { split($2, a, " "); n++; if (!f) f = a[1]; l = a[1] }
        END { print l - f + 1 - n }' "$plog")
    tcp_gap=$(awk '/^echo/ { if (p && $3 - p > g) g = $3 - p; p = $3 } END { printf "%.1f", g }' "$stream_log")
    echo "FIGURES ($case): address moved to gw$to after $(elapsed "$t0" "$t_vip") s;" \
        "tunnel traffic again after ${first} s; ping gap ${gap} s, ${lost} pings lost (every 0.1 s);" \
        "TCP stream: longest gap between echoes so far ${tcp_gap} s, survived"
    check "($case) tunnel traffic again under ${TARGET} s after the failure (${first:-never} s)" \
        awk -v f="$first" -v t="$TARGET" 'BEGIN { exit !(f != "" && f < t) }'
    grep -q "took over" "${DIR[$to]}/follow.log" &&
        echo "    gw$to: $(grep "took over" "${DIR[$to]}/follow.log" | tail -n 1)"
    return 0
}

# (a) kill -9 of the master's processes: wireguard-go, keepalived (parent and
# VRRP child, so nothing says goodbye), conntrackd, vpngw cluster follow.
kill_member() {
    local x=$1 dir=${DIR[$1]} pid
    for pid in $(ip netns pids "gw$x"); do
        [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = wireguard-go ] && kill -9 "$pid"
    done
    kill -9 "$(cat "$dir/run/vrrp.pid")" "${KEEPALIVED[$x]}" "${CONNTRACKD[$x]}" "${FOLLOW[$x]}"
}
# Both have been up for longer than keepalived's master-down interval (3
# advertisements): had B not heard A, it would have taken the address.
check "before the failover: gwa is MASTER, gwb BACKUP (they hear each other)" \
    eval 'is_state a MASTER && is_state b BACKUP && ! holds_vip b'
failover a a b kill_member a
survivors() {  # keepalived or conntrackd processes still in gwX's namespace
    local pid
    for pid in $(ip netns pids "gw$1"); do
        grep -qxE 'keepalived|conntrackd' /proc/"$pid"/comm 2>/dev/null && echo "$pid"
    done
    return 0
}
check "(a) no keepalived or conntrackd survived the kill -9 on gwa" \
    wait_for 5 "gwa's daemons gone" eval '[ -z "$(survivors a)" ]'
check "vpngw status on gwb (the new master) shows vrrp: MASTER" status_shows b MASTER
wait "${KEEPALIVED[a]}" "${CONNTRACKD[a]}" "${FOLLOW[a]}" 2>/dev/null || true

# A comes back as a rebooted machine would: without the address its killed
# keepalived left on eth0, up again as BACKUP (nopreempt: B keeps serving).
in_ns gwa ip addr del "$VIP/24" dev eth0 2>/dev/null || true
check "gwa: up, conntrackd and keepalived start again" gw_up a
check "gwa settles as BACKUP" wait_for 15 "gwa BACKUP" is_state a BACKUP
check "gwb stays MASTER" is_state b MASTER
# Reported rather than asserted: the returning member's `-n` (resync
# request in the BACKUP notify) bringing the master's existing connections
# into its external cache. Seen in every run since the killed member's old
# conntrackd really dies (it used to survive the kill -9 and hold the sync);
# without it, case (b) would rely on the same SNAT address and the kernel's
# loose TCP pickup.
if wait_for 15 "conntrack sync to gwa" synced a; then
    echo "NOTE: gwa's conntrackd has the stream's connection again (resync from gwb)"
else
    echo "NOTE: gwa's conntrackd did not get the stream's existing connection back from gwb"
fi

# (b) the master's uplink cut upstream: the router stops exchanging frames
# with B's port, the LAN between the gateways stays (VRRP still heard).
cut_uplink() {
    in_ns inet nft -f - <<NFT
table bridge cut {
    chain in { type filter hook input priority 0; policy accept; iifname "v$1" drop; }
    chain out { type filter hook output priority 0; policy accept; oifname "v$1" drop; }
}
NFT
}
failover b b a cut_uplink gwb
health_b=$(in_ns gwb "$VPNGW" cluster health "${DIR[b]}/profile.toml" 2>&1) && rc=0 || rc=$?
echo "$health_b" | sed 's/^/    gwb: /'
check "gwb's health check fails and names the failed probe" \
    eval '[ "$rc" -ne 0 ] && grep -q "probe failed" <<<"$health_b"'
check "gwb is in FAULT and no longer holds $VIP" eval 'is_state b FAULT && ! holds_vip b'

kill -TERM "$STREAM"
wait "$STREAM" 2>/dev/null && rc=0 || rc=$?
check "the TCP stream's client exits 0 on SIGTERM" [ "$rc" -eq 0 ]
check "the TCP stream ends cleanly" grep -q '^closed' "$stream_log"
if [ "$FAILURES" -gt 0 ]; then
    for x in a b; do
        for f in keepalived conntrackd follow; do
            echo "--- gw$x $f.log (last lines)"
            tail -n 15 "${DIR[$x]}/$f.log"
        done
    done
fi
finish
