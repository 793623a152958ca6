#!/usr/bin/env bash
# Issue 9 against a live gateway: `vpngw status --json` agrees with
# `wg show wg0 dump` for two connected real clients (wireguard-go + wg, not
# our code) and its byte counts move with traffic; drift made by hand (an nft
# element, an ip rule, a rule inserted into or deleted from table inet vpngw)
# is reported with exit 3 and gone after `vpngw up`, while `peer add` is not
# drift; `vpngw metrics --listen` serves /metrics over loopback, scraped with
# curl and parsed by the Prometheus client library's own parser (promtool too,
# when installed). Root; everything lives in private namespaces.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
enter_sandbox "$@"
# Debian's python3, which has python3-prometheus-client (a python3 earlier on
# PATH, such as a pyenv one, may not).
if [ -x /usr/bin/python3 ]; then python3() { /usr/bin/python3 "$@"; }; fi
python3 -c 'import prometheus_client' 2>/dev/null ||
    die "missing python3-prometheus-client (run scripts/install-deps)"
command -v curl >/dev/null || die "missing tool: curl (run scripts/install-deps)"

state=$SANDBOX_DIR/state
profile=$SANDBOX_DIR/groups.toml
build_world
add_client alice 10
add_client bob 11
for who in alice bob srv; do
    (umask 077; wg genkey >"$SANDBOX_DIR/$who.key")
    declare "${who}_pub=$(wg pubkey <"$SANDBOX_DIR/$who.key")"
done
sed -e "s|@ALICE@|$alice_pub|" -e "s|@BOB@|$bob_pub|" -e "s|@SRV@|$srv_pub|" \
    "$here/profiles/groups.toml.in" >"$profile"
gw() { in_ns gw "$VPNGW" "$@"; }
set +e

out=$(gw up "$profile" --state-dir "$state" 2>&1)
check "vpngw up brings the gateway up" test $? -eq 0
server_pub=$(in_ns gw wg show wg0 public-key)
wg_client alice wgc1 "$SANDBOX_DIR/alice.key" 10.66.1.10/32,fd66:0:0:1::10/128 "$server_pub" \
    192.0.2.0/24 10.66.0.0/16
wg_client bob wgc2 "$SANDBOX_DIR/bob.key" 10.66.1.11/32,fd66:0:0:1::11/128 "$server_pub" \
    192.0.2.0/24 10.66.0.0/16
for c in alice bob; do
    for _ in 1 2 3 4 5; do pings "$c" 10.66.0.1 1 && break; sleep 1; done
done

# --- status --json against wg show dump, taken just before and after ---
in_ns gw wg show wg0 dump >"$SANDBOX_DIR/dump1"
gw status "$profile" --state-dir "$state" --json >"$SANDBOX_DIR/status1.json" 2>"$SANDBOX_DIR/status.err"
rc=$?
in_ns gw wg show wg0 dump >"$SANDBOX_DIR/dump2"
check "status --json exits 0 on a gateway that matches its profile ($rc)" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/    /' "$SANDBOX_DIR/status.err" "$SANDBOX_DIR/status1.json" | head -40

compare=$(python3 - "$SANDBOX_DIR/status1.json" "$SANDBOX_DIR/dump1" "$SANDBOX_DIR/dump2" <<'PY'
import json, sys
status = json.load(open(sys.argv[1]))
def dump(path):
    lines = open(path).read().split("\n")
    iface = lines[0].split("\t")  # private-key public-key listen-port fwmark
    peers = {}
    for l in lines[1:]:
        if not l:
            continue
        f = l.split("\t")  # public-key psk endpoint allowed-ips handshake rx tx keepalive
        peers[f[0]] = dict(endpoint=f[2], handshake=int(f[4]), rx=int(f[5]), tx=int(f[6]))
    return iface, peers
(if1, d1), (if2, d2) = dump(sys.argv[2]), dump(sys.argv[3])
problems = []
wg0 = status["interfaces"][0]
if wg0["public_key"] != if1[1]: problems.append("interface public key differs")
if wg0["listen_port"] != int(if1[2]): problems.append("listen port differs")
if "PrivateKey" in open(sys.argv[1]).read() or if1[0] in open(sys.argv[1]).read():
    problems.append("the private key is in the output")
online = 0
for p in status["peers"]:
    k = p["public_key"]
    if k not in d1:
        problems.append(p["name"] + " missing from wg show"); continue
    a, b = d1[k], d2[k]
    if not (a["handshake"] <= p["latest_handshake"] <= b["handshake"]):
        problems.append(p["name"] + ": handshake %s not between %s and %s" % (p["latest_handshake"], a["handshake"], b["handshake"]))
    for f in ("rx", "tx"):
        v = p[f + "_bytes"]
        if not (a[f] <= v <= b[f]):
            problems.append("%s: %s_bytes %d not between %d and %d" % (p["name"], f, v, a[f], b[f]))
    want_ep = None if a["endpoint"] == "(none)" else a["endpoint"]
    if p["endpoint"] != want_ep:
        problems.append("%s: endpoint %s, wg says %s" % (p["name"], p["endpoint"], want_ep))
    if p["name"] in ("alice", "bob"):
        if not p["online"]: problems.append(p["name"] + " not online")
        if not (0 <= p["handshake_age_seconds"] < 60): problems.append(p["name"] + " handshake age")
        online += 1
staff = [g for g in status["groups"] if g["name"] == "staff"][0]
if staff["online"] != 2: problems.append("group staff: %d online" % staff["online"])
if status["drift"]["drifted"] or not status["drift"]["known"]: problems.append("drift reported")
if status["last_apply"] is None or status["last_apply"]["result"] != "ok":
    problems.append("last apply not recorded as ok")
if status["drops"] is None or "spoofed_drops" not in status["drops"]:
    problems.append("drop counters missing")
if status["conntrack"] is None or status["conntrack"]["max"] <= 0:
    problems.append("conntrack usage missing")
print("\n".join(problems) if problems else "ok")
PY
)
check "status --json matches wg show dump (keys, port, handshakes, bytes, endpoints, online)" \
    test "$compare" = ok
[ "$compare" = ok ] || echo "$compare" | sed 's/^/    /'

# --- bytes move with traffic ---
rx_of() { python3 -c 'import json,sys; print([p for p in json.load(open(sys.argv[1]))["peers"] if p["name"] == sys.argv[2]][0]["rx_bytes"])' "$@"; }
in_ns alice ping -c 20 -i 0.05 -s 1000 -W 1 192.0.2.80 >/dev/null 2>&1
gw status "$profile" --state-dir "$state" --json >"$SANDBOX_DIR/status2.json" 2>/dev/null
before=$(rx_of "$SANDBOX_DIR/status1.json" alice)
after=$(rx_of "$SANDBOX_DIR/status2.json" alice)
check "alice's received bytes grow by at least 20 kB after 20 pings of 1 kB ($before -> $after)" \
    test "$after" -ge $((before + 20000))

# --- drift by hand, then repaired by up ---
in_ns gw nft delete element inet vpngw peers4 '{ 10.66.1.11 }'
in_ns gw ip rule del priority 5000
text=$(gw status "$profile" --state-dir "$state" 2>&1)
rc=$?
check "status exits 3 after hand changes (nft element, ip rule)" test $rc -eq 3
check "  and lists the missing peer element" grep -q "10.66.1.11" <<<"$text"
check "  and the missing rule" grep -q "rule 5000" <<<"$text"
json=$(gw status "$profile" --state-dir "$state" --json 2>/dev/null)
check "  status --json says drifted" \
    python3 -c 'import json,sys; d=json.load(sys.stdin)["drift"]; sys.exit(0 if d["drifted"] and len(d["changes"]) >= 2 else 1)' <<<"$json"
gw up "$profile" --state-dir "$state" >/dev/null 2>&1
check "after vpngw up, status exits 0 again" gw status "$profile" --state-dir "$state"

# --- a rule edited by hand inside table inet vpngw (its comment unchanged) ---
check "up recorded the table's fingerprint in the state directory" \
    test -s "$state/nft-listing.sha256"
in_ns gw nft insert rule inet vpngw input tcp dport 4242 accept comment '"by-hand"'
text=$(gw status "$profile" --state-dir "$state" 2>&1)
rc=$?
check "status exits 3 after a rule is inserted by hand ($rc)" test $rc -eq 3
check "  and names the nft table as changed outside vpngw" \
    grep -q "nftables table inet vpngw (changed outside vpngw" <<<"$text"
[ $rc -eq 3 ] || echo "$text" | sed 's/^/    /'
out=$(gw up "$profile" --state-dir "$state" 2>&1)
check "vpngw up replaces the hand-edited table" grep -q "nftables table inet vpngw" <<<"$out"
check "  status exits 0 afterwards" gw status "$profile" --state-dir "$state"
check_not "  and the hand rule is gone" grep -q "by-hand" <(in_ns gw nft list table inet vpngw)
# A deleted rule is drift too: the input chain's last rule, by handle.
handle=$(in_ns gw nft -a list chain inet vpngw input | sed -n 's/.* # handle \([0-9]*\)$/\1/p' | tail -1)
in_ns gw nft delete rule inet vpngw input handle "$handle"
gw status "$profile" --state-dir "$state" >/dev/null 2>&1
rc=$?
check "status exits 3 after a rule is deleted by hand (handle $handle, rc $rc)" test $rc -eq 3
gw up "$profile" --state-dir "$state" >/dev/null 2>&1
check "  and 0 after vpngw up" gw status "$profile" --state-dir "$state"

# --- what vpngw itself changes live is not drift ---
gw peer add carol --group staff --qr none --profile "$profile" --state-dir "$state" \
    >"$SANDBOX_DIR/carol.conf" 2>"$SANDBOX_DIR/carol.err"
check "peer add carol on the running gateway succeeds" test $? -eq 0
carol_addr=$(grep -oE '10\.66\.1\.[0-9]+' "$SANDBOX_DIR/carol.err" | head -1)
check "  and reports her IPv4 address" test -n "$carol_addr"
check "  and adds her address ($carol_addr) to the peer set" \
    grep -qE "[ {]${carol_addr//./\\.}[,} ]" <(in_ns gw nft list set inet vpngw peers4)
text=$(gw status "$profile" --state-dir "$state" 2>&1)
rc=$?
check "status exits 0 after peer add and traffic (elements, counters are not drift) ($rc)" \
    test $rc -eq 0
[ $rc -eq 0 ] || echo "$text" | sed 's/^/    /'

# --- metrics: printed, and served over loopback ---
gw metrics "$profile" --state-dir "$state" >"$SANDBOX_DIR/metrics.txt" 2>&1
check "vpngw metrics prints per-peer handshake ages" \
    grep -q '^vpngw_peer_handshake_age_seconds{interface="wg0",group="staff",peer="alice"} ' "$SANDBOX_DIR/metrics.txt"
spawn_in gw "$VPNGW" metrics "$profile" --state-dir "$state" --listen 127.0.0.1:9586
for _ in $(seq 1 50); do
    in_ns gw curl -sf -o /dev/null http://127.0.0.1:9586/metrics && break
    sleep 0.1
done
in_ns gw curl -sf -D "$SANDBOX_DIR/headers" http://127.0.0.1:9586/metrics >"$SANDBOX_DIR/scrape.txt"
check "/metrics is served over loopback" test $? -eq 0
check "  as Prometheus text 0.0.4" grep -qi '^content-type: text/plain; version=0.0.4' "$SANDBOX_DIR/headers"
parsed=$(python3 - "$SANDBOX_DIR/scrape.txt" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
samples = {}
for fam in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in fam.samples:
        samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
def get(name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))
problems = []
alice = dict(interface="wg0", group="staff", peer="alice")
if get("vpngw_peer_handshake_age_seconds", **alice) is None: problems.append("no handshake age for alice")
if (get("vpngw_peer_receive_bytes_total", **alice) or 0) <= 20000: problems.append("alice's bytes")
if get("vpngw_group_peers_online", group="staff") != 2: problems.append("staff online")
if get("vpngw_conntrack_entries_limit") is None: problems.append("conntrack limit")
if get("vpngw_drop_packets_total", counter="input_drops") is None: problems.append("input drops")
if get("vpngw_last_apply_success") != 1: problems.append("last apply success")
if get("vpngw_last_apply_duration_seconds") is None: problems.append("last apply duration")
if get("vpngw_drift_changes") != 0: problems.append("drift after up")
print("\n".join(problems) if problems else "ok")
PY
)
check "the scrape parses with prometheus_client and carries the expected samples" test "$parsed" = ok
[ "$parsed" = ok ] || echo "$parsed" | sed 's/^/    /'
if command -v promtool >/dev/null; then
    check "promtool check metrics accepts the scrape" promtool check metrics <"$SANDBOX_DIR/scrape.txt"
fi
finish
