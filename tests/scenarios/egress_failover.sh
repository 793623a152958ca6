#!/usr/bin/env bash
# Scenario "egress failover for a single-egress group" (issue 18, item 3):
# group office leaves by wan1 only. wan1's ISP goes dark while the
# gateway's own link stays up (the ISP router drops everything: the next hop
# no longer answers). The monitor, running as a daemon, finds wan1's probes
# failing and points the group's element of map egress4 at its fallback
# wan0; new connections from the client then reach the internet through
# wan0, within fail_after x interval + the probe timeout. When the ISP comes
# back, the group returns to wan1. Every wait polls for the condition it
# asserts, with a bound.
#
#   a (office) ── br0 ── inet/isp1 ── eth0 203.0.113.2 ┐
#             (WireGuard)                              gw
#                          isp2 198.18.1.1 ── eth1 198.18.1.2 ┘
#   192.0.2.80 lives in both isp1 ("inet") and isp2: the answer names the ISP.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../netns/lib.sh"
source "$here/lib.sh"
enter_sandbox "$@"
state="$SANDBOX_DIR/state"

two_isp_world
render_profile "$here/profiles/egress_failover.toml.in" "$SANDBOX_DIR/failover.toml"
profile="$SANDBOX_DIR/failover.toml"
check "vpngw up applies the profile" gw_up "$profile"
check "map egress4 sends office (10.64.1.0/24) to wan1" \
    grep -q "elements = { 10.64.1.0/24 : 0x00051002 }" \
    <<<"$(in_ns gw nft list map inet vpngw egress4)"

server=$(in_ns gw wg show wg0 public-key)
wg_client a wc_a "$SANDBOX_DIR/a.key" 10.64.1.10/32 "$server" 10.64.0.0/16 192.0.2.0/24
serve inet isp1 8080
serve isp2 isp2 8080
handshake a 10.64.0.1

# ISP 2 fails without the link going down: its router drops everything.
isp_dark() {
    in_ns isp2 nft -f - <<'NFT'
table inet dark {
    chain input { type filter hook input priority 0; policy drop; }
    chain forward { type filter hook forward priority 0; policy drop; }
}
NFT
}
isp_back() { in_ns isp2 nft delete table inet dark; }

# which: the ISP that answers a new connection from a ("isp1", "isp2", or
# nothing when none answers within the probe's timeout).
which() { in_ns a python3 "$ECHO_PY" probe 192.0.2.80 8080 --timeout 0.5 2>/dev/null | cut -d' ' -f1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# until_isp WANT BOUND: polls new connections until WANT answers; prints the
# seconds since $t0 at which the answering connection started, or fails
# after BOUND seconds.
until_isp() {
    local want=$1 bound=$2 started
    while :; do
        started=$(elapsed "$t0")
        [ "$(which)" = "$want" ] && { echo "$started"; return 0; }
        awk -v e="$started" -v b="$bound" 'BEGIN { exit !(e > b) }' && return 1
        sleep 0.1
    done
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }' || { echo "    $1 > $2" >&2; return 1; }; }

check "before the failure the group leaves by wan1 (ISP 2 answers)" test "$(which)" = isp2
check "ISP 2 sees wan1's SNAT address" \
    test "$(probe a 192.0.2.80 8080)" = "isp2 198.18.1.2"

spawn_in gw "$VPNGW" monitor "$profile" --state-dir "$state"
# The daemon's first rounds: both uplinks found up.
for _ in $(seq 1 50); do
    grep -q "^wan1	up" "$state/health.tsv" 2>/dev/null && break
    sleep 0.1
done
check "the monitor finds wan1 up" grep -q "^wan1	up" "$state/health.tsv"

# fail_after x interval + timeout = 2 x 1 + 1 s: the monitor's bound.
bound=3
t0=$(now)
isp_dark
check "the gateway's own link to ISP 2 stays up" \
    grep -q "state UP" <<<"$(in_ns gw ip link show eth1)"
if took=$(until_isp isp1 10); then
    check "new connections leave by wan0 within ${bound}s (fail_after x interval + timeout) + 1s of client retries (took ${took}s)" \
        le "$took" $((bound + 1))
else
    check "new connections move to wan0 at all (none did within 10 s)" false
fi
check "map egress4 now sends office to wan0" \
    grep -q "elements = { 10.64.1.0/24 : 0x00051001 }" \
    <<<"$(in_ns gw nft list map inet vpngw egress4)"
check "... and they leave with wan0's address (masquerade)" \
    test "$(probe a 192.0.2.80 8080)" = "isp1 203.0.113.2"
json=$(in_ns gw "$VPNGW" status "$profile" --json --state-dir "$state" || true)
check "the failover is not drift" \
    python3 -c 'import json, sys; d = json.load(sys.stdin)["drift"]; sys.exit(not (d["known"] and not d["changes"]))' <<<"$json"
gw_up "$profile" >"$SANDBOX_DIR/up.out" 2>&1
check "an up during the failover changes nothing" \
    grep -q "nothing to do, the kernel already matches (0 changes)" "$SANDBOX_DIR/up.out"
check "... and keeps the group on wan0" \
    grep -q "elements = { 10.64.1.0/24 : 0x00051001 }" \
    <<<"$(in_ns gw nft list map inet vpngw egress4)"

t0=$(now)
isp_back
if took=$(until_isp isp2 20); then
    check "after ISP 2 is back new connections return to wan1 (took ${took}s)" true
else
    check "new connections return to wan1 (none did within 20 s)" false
fi
check "map egress4 sends office to wan1 again" \
    grep -q "elements = { 10.64.1.0/24 : 0x00051002 }" \
    <<<"$(in_ns gw nft list map inet vpngw egress4)"
finish
