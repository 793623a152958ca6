#!/usr/bin/env bash
# Issue 17: per-peer limits through the commands, on a running gateway.
# `peer add --quota --rate --network` puts the quota, both rate limits and
# the routed network into the kernel in the same command, and a real client
# (wireguard-go + wg, from the generated config) is stopped near its
# 10 MiB quota; each of `peer edit --no-quota`, `--no-rate` and
# `--no-network CIDR` then takes its part out of the kernel in its own
# command (read back with nft, wg and ip route). Root; everything lives in
# private namespaces. (tests/scenarios/peer_limits.sh covers the same
# enforcement with profile [[peer]] entries and the rate with iperf3.)
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/../scenarios/lib.sh"
enter_sandbox "$@"
command -v curl >/dev/null || die "missing tool: curl"

profile=$here/profiles/lifecycle.toml
state=$SANDBOX_DIR/state
peer_cmd() { local sub=$1; shift; vpngw_gw peer "$sub" "$@" --profile "$profile" --state-dir "$state"; }
allowed_of() { in_ns gw wg show wg0 allowed-ips | grep -F "$1"; }
has() { grep -q "$@"; }

build_world
add_client alice 10
set +e
out=$(vpngw_gw up "$profile" --state-dir "$state" 2>&1)
rc=$?
check "vpngw up brings the gateway up" test $rc -eq 0
[ $rc -eq 0 ] || { echo "$out" >&2; finish; exit 1; }

# --- add with every limit: the kernel has them when the command returns ---
peer_cmd add alice --group staff --quota 10MiB/day --rate 20mbit --network 192.168.77.0/24 \
    --qr none >"$SANDBOX_DIR/alice.conf" 2>"$SANDBOX_DIR/add.err"
check "peer add alice --quota 10MiB/day --rate 20mbit --network 192.168.77.0/24" test $? -eq 0
sed 's/^/    /' "$SANDBOX_DIR/add.err"
pub=$(sed -n 's/^PrivateKey = //p' "$SANDBOX_DIR/alice.conf" | wg pubkey)
addr=$(sed -n 's/^Address = \([0-9.]*\)\/32.*/\1/p' "$SANDBOX_DIR/alice.conf")
check "alice's quota object is 10 MiB" \
    has -Pzo 'quota q_alice \{\s*over 10 mbytes' <(in_ns gw nft list quotas)
check "alice's address maps to it" has "$addr : \"q_alice\"" <(in_ns gw nft list map inet vpngw quota4)
limits=$(in_ns gw nft list limits)
check "both her rate limits are 20 Mbit/s (2500000 bytes/s)" \
    test "$(grep -c 'rate over 2500000 bytes/second' <<<"$limits")" -eq 2
check "her address maps to the upload limit" \
    has "$addr : \"r_alice_up\"" <(in_ns gw nft list map inet vpngw rate_up4)
check "and to the download limit" \
    has "$addr : \"r_alice_dn\"" <(in_ns gw nft list map inet vpngw rate_down4)
check "her network is in her allowed-ips" has "192.168.77.0/24" <(allowed_of "$pub")
check "her network is routed through wg0" has "192.168.77.0/24 dev wg0" <(in_ns gw ip route)
check "her network is in her group's rules" \
    has "192.168.77.0/24 : jump grp_staff" <(in_ns gw nft list map inet vpngw peer_nets4)

# --- a real client with the generated config stops near 10 MiB -------------
client_up alice wga0 "$SANDBOX_DIR/alice.conf" 10.68.0.0/16 192.0.2.80/32
mkdir "$SANDBOX_DIR/www"
head -c $((30 * 1024 * 1024)) /dev/zero >"$SANDBOX_DIR/www/big"
spawn_in inet python3 -m http.server 8000 --bind 192.0.2.80 --directory "$SANDBOX_DIR/www" \
    >/dev/null 2>&1
wait_listen inet 8000
check "alice reaches the internet host through the tunnel" pings alice 192.0.2.80
before=$(gw_counter quota_drops)
# curl gives up once nothing arrived for 3 s (the quota's drops) and
# prints how much did arrive.
got=$(in_ns alice curl -s -o /dev/null -w '%{size_download}' --connect-timeout 5 \
    --speed-time 3 --speed-limit 1 http://192.0.2.80:8000/big)
echo "    alice received $got bytes of 30 MiB"
# The gateway counts IP bytes of both directions (headers, ACKs, packets
# the rate limit dropped and TCP sent again): her payload is under 10 MiB.
check "her download stops near her 10 MiB quota (7.5–10.2 MiB, got $((got / 1024)) KiB)" \
    test "$got" -ge $((15 * 512 * 1024)) -a "$got" -le $((102 * 1024 * 1024 / 10))
check "the drops over quota are counted in quota_drops" counter_grew quota_drops "$before"
check_not "she gets nothing through while over quota" pings alice 192.0.2.80 1

# --- each --no-* takes its part out in its own command ----------------------
peer_cmd edit alice --no-quota --qr none >/dev/null 2>&1
check "peer edit alice --no-quota" test $? -eq 0
check_not "alice's quota object is gone" has q_alice <(in_ns gw nft list quotas)
check_not "her address maps to no quota" has "$addr" <(in_ns gw nft list map inet vpngw quota4)
check "her rate limits stay" has "$addr : \"r_alice_up\"" <(in_ns gw nft list map inet vpngw rate_up4)
check "without the quota she gets through again" pings alice 192.0.2.80

peer_cmd edit alice --no-rate --qr none >/dev/null 2>&1
check "peer edit alice --no-rate" test $? -eq 0
check_not "her limit objects are gone" has r_alice_ <(in_ns gw nft list limits)
check_not "her address maps to no upload limit" has "$addr" <(in_ns gw nft list map inet vpngw rate_up4)
check_not "nor to a download limit" has "$addr" <(in_ns gw nft list map inet vpngw rate_down4)
check "her network stays routed" has "192.168.77.0/24 dev wg0" <(in_ns gw ip route)

peer_cmd edit alice --no-network 192.168.77.0/24 --qr none >/dev/null 2>&1
check "peer edit alice --no-network 192.168.77.0/24" test $? -eq 0
check_not "her network left her allowed-ips" has "192.168.77.0/24" <(allowed_of "$pub")
check "her own address stays in them" has "$addr/32" <(allowed_of "$pub")
check_not "her network is no longer routed" has "192.168.77" <(in_ns gw ip route)
check_not "nor anywhere in the ruleset" has "192.168.77" <(in_ns gw nft list ruleset)
check "alice still reaches the internet host" pings alice 192.0.2.80
finish
