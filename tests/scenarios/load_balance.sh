#!/usr/bin/env bash
# Scenario "uplink load balancing and failover": one WireGuard group egresses
# over two ISPs with weights 3:1. Each new connection draws its uplink
# (numgen random mod 4 -> map bal_staff) and keeps it through its ct mark.
# Both ISPs hold the same internet host address, so the server that answers
# names the uplink. Then wan1's ISP goes dark: `vpngw monitor --once` finds
# its gateway silent, moves its share to wan0 in one nft transaction, and a
# connection already on wan0 keeps working; when the ISP returns, so does
# the share.
#
#   a (staff) ── br0 ── inet/isp1 ── eth0 203.0.113.2 ┐
#             (WireGuard)                             gw
#                          isp2 198.18.1.1 ── eth1 198.18.1.2 ┘
#   192.0.2.80 lives in both isp1 ("inet") and isp2.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../netns/lib.sh"
source "$here/lib.sh"
enter_sandbox "$@"

# Connections per round, and the tolerance: wan0's count is binomial(N, 3/4)
# with standard deviation sqrt(N * 3/4 * 1/4) (6.1 for N = 200). Accepting
# 6 standard deviations either side fails a correct gateway with probability
# about 2e-9, while an even split (100) or no split (200) lies outside.
N=200
state="$SANDBOX_DIR/state"

two_isp_world
render_profile "$here/profiles/load_balance.toml.in" "$SANDBOX_DIR/balanced.toml"
profile="$SANDBOX_DIR/balanced.toml"
check "vpngw up applies the balanced profile" gw_up "$profile"
check "the group's map shares 0-2 to wan0 and 3 to wan1" \
    grep -q "elements = { 0-2 : 0x00051001, 3 : 0x00051002 }" \
    <<<"$(in_ns gw nft list map inet vpngw bal_staff)"

server=$(in_ns gw wg show wg0 public-key)
wg_client a wc_a "$SANDBOX_DIR/a.key" 10.63.1.10/32 "$server" 10.63.0.0/16 192.0.2.0/24
serve inet isp1 8080
serve isp2 isp2 8080
spawn_in inet python3 "$ECHO_PY" talk isp1 9090
spawn_in isp2 python3 "$ECHO_PY" talk isp2 9090
wait_listen inet 9090
wait_listen isp2 9090
handshake a 10.63.0.1

monitor() { in_ns gw "$VPNGW" monitor "$profile" --once --state-dir "$state"; }
# status exits non-zero on drift; the JSON says so too (checked below).
status_json() { in_ns gw "$VPNGW" status "$profile" --json --state-dir "$state" || true; }
# count TALLY NAME: connections NAME answered in a tally.
count() { awk -v n="$2" '$1 == n { print $2 }' <<<"$1" | grep . || echo 0; }
# within VALUE EXPECTED: |VALUE - EXPECTED| <= 6 standard deviations of binomial(N, 3/4).
within() {
    awk -v v="$1" -v e="$2" -v n="$N" 'BEGIN { sd = sqrt(n * 0.75 * 0.25); exit !(v >= e - 6 * sd && v <= e + 6 * sd) }' ||
        { echo "    $1 is not within 6 sd of $2" >&2; return 1; }
}
# share_of JSON UPLINK: its percent of group staff's new connections.
share_of() {
    python3 -c 'import json, sys
r = json.load(sys.stdin)
print(next(int(s["percent"]) for b in r["balance"] for s in b["shares"] if s["uplink"] == sys.argv[1]))' "$2" <<<"$1"
}
health_of() {
    python3 -c 'import json, sys
r = json.load(sys.stdin)
print(next(u["health"] for u in r["uplinks"] if u["name"] == sys.argv[1]))' "$2" <<<"$1"
}

check "both uplinks answer their health probe" monitor
tally=$(in_ns a python3 "$ECHO_PY" tally 192.0.2.80 8080 $N)
echo "    $N connections: $(tr '\n' ' ' <<<"$tally")"
isp1=$(count "$tally" isp1) isp2=$(count "$tally" isp2)
check "every connection was answered by one ISP" test $((isp1 + isp2)) -eq $N
check "wan0 took about 3/4 of the connections (${isp1}/${N})" within "$isp1" $((N * 3 / 4))
check "wan1 took about 1/4 of them (${isp2}/${N})" within $((N - isp2)) $((N * 3 / 4))
for _ in $(seq 1 40); do
    got=$(probe a 192.0.2.80 8080) && [ "${got%% *}" = isp2 ] && break
done
check "ISP 2 saw wan1's SNAT address 198.18.1.2" test "$got" = "isp2 198.18.1.2"

# A long-lived connection on wan0, before the failover.
spawn_in a python3 "$ECHO_PY" keep 192.0.2.80 9090 isp1 "$SANDBOX_DIR/go" "$SANDBOX_DIR/held"
for _ in $(seq 1 50); do [ -s "$SANDBOX_DIR/held" ] && break; sleep 0.1; done
check "a connection is held open on wan0" grep -qx held "$SANDBOX_DIR/held"

in_ns isp2 ip link set isp0 down
monitor >/dev/null || true
json=$(status_json)
check "one failed probe is not enough (fail_after = 2): wan1 still up" \
    test "$(health_of "$json" wan1)" = up
monitor >/dev/null || true
json=$(status_json)
check "after two failed probes vpngw status --json shows wan1 down" \
    test "$(health_of "$json" wan1)" = down
check "... and wan0 up" test "$(health_of "$json" wan0)" = up
check "... wan0 with the whole share" test "$(share_of "$json" wan0)" -eq 100
check "... wan1 with none" test "$(share_of "$json" wan1)" -eq 0
text=$(in_ns gw "$VPNGW" status "$profile" --state-dir "$state" || true)
check "status text: wan1's health is down" grep -Eq "^wan1 +eth1 +down " <<<"$text"
check "status text: the balance line" \
    grep -q "^balance staff: wan0 100% (weight 3) wan1 0% (weight 1)" <<<"$text"
check "the map now sends all numbers to wan0" \
    grep -q "elements = { 0-3 : 0x00051001 }" <<<"$(in_ns gw nft list map inet vpngw bal_staff)"
check "the failover is not drift" \
    python3 -c 'import json, sys; d = json.load(sys.stdin)["drift"]; sys.exit(not (d["known"] and not d["changes"]))' <<<"$json"
out=$(in_ns gw "$VPNGW" plan "$profile" --state-dir "$state" 2>&1)
check "plan against the kernel sees nothing to do" grep -q "No changes: the kernel matches" <<<"$out"
gw_up "$profile" >"$SANDBOX_DIR/up.out" 2>&1
check "an up after the failover is a no-op (0 changes: the table is not replaced)" \
    grep -q "nothing to do, the kernel already matches (0 changes)" "$SANDBOX_DIR/up.out"
check "... and keeps the failover (map unchanged)" \
    grep -q "elements = { 0-3 : 0x00051001 }" <<<"$(in_ns gw nft list map inet vpngw bal_staff)"
# A changed profile makes up replace the whole table: the new table's map is
# rendered from health.tsv, so the failover survives that too.
sed 's|allow = \["198.51.100.0/24"\]|allow = ["198.51.100.0/24", "198.51.100.7/32"]|' \
    "$profile" >"$SANDBOX_DIR/changed.toml"
gw_up "$SANDBOX_DIR/changed.toml" >"$SANDBOX_DIR/up2.out" 2>&1
check "an up that replaces the table (changed profile)" \
    grep -q "nftables table inet vpngw (replaced" "$SANDBOX_DIR/up2.out"
check "... renders the map from the health state: still all wan0" \
    grep -q "elements = { 0-3 : 0x00051001 }" <<<"$(in_ns gw nft list map inet vpngw bal_staff)"
profile="$SANDBOX_DIR/changed.toml"  # the one the kernel now matches

tally=$(in_ns a python3 "$ECHO_PY" tally 192.0.2.80 8080 40)
check "with wan1 down all 40 new connections leave by wan0" test "$(count "$tally" isp1)" -eq 40
touch "$SANDBOX_DIR/go"
for _ in $(seq 1 50); do grep -q echo "$SANDBOX_DIR/held" 2>/dev/null && break; sleep 0.1; done
check "the connection held on wan0 still carries data" \
    grep -qx "isp1 echo still-there" "$SANDBOX_DIR/held"

in_ns isp2 ip link set isp0 up
# The first probes after the link comes back may race its carrier (and the
# neighbour entry), so the test polls for the recovery it asserts, one
# monitor round at a time, up to a bound far above recover_after = 2, and
# then checks that it took at least recover_after rounds.
rounds=0
for _ in $(seq 1 20); do
    monitor >/dev/null || true
    rounds=$((rounds + 1))
    json=$(status_json)
    [ "$(health_of "$json" wan1)" = up ] && break
done
check "wan1 recovers within 20 monitor rounds (took $rounds)" \
    test "$(health_of "$json" wan1)" = up
check "... not before two good probes (recover_after = 2)" test "$rounds" -ge 2
check "... and its share returns (25%)" test "$(share_of "$json" wan1)" -eq 25
tally=$(in_ns a python3 "$ECHO_PY" tally 192.0.2.80 8080 100)
echo "    100 connections: $(tr '\n' ' ' <<<"$tally")"
check "new connections use wan1 again" test "$(count "$tally" isp2)" -gt 0
finish
