#!/usr/bin/env bash
# Issue 3, proven with traffic: NAT to the internet (v4 and v6), isolation,
# allow-lists in both directions, anti-spoofing, an idempotent second `up`,
# and a `down` that restores the kernel exactly while foreign objects survive.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
enter_sandbox "$@"
cd "$here"

state=$SANDBOX_DIR/state
profile=$SANDBOX_DIR/groups.toml
build_world
for c in alice:10 bob:11 srv:12; do add_client "${c%%:*}" "${c##*:}"; done
for who in alice bob srv; do
    (umask 077; wg genkey >"$SANDBOX_DIR/$who.key")
    declare "${who}_pub=$(wg pubkey <"$SANDBOX_DIR/$who.key")"
done
sed -e "s|@ALICE@|$alice_pub|" -e "s|@BOB@|$bob_pub|" -e "s|@SRV@|$srv_pub|" \
    profiles/groups.toml.in >"$profile"

# Objects vpngw does not own must survive up and down untouched.
in_ns gw nft add table ip foreign
in_ns gw nft add chain ip foreign keep '{ type filter hook forward priority 10; policy accept; }'
in_ns gw ip rule add from 192.0.2.123 lookup 100 priority 200
baseline=$(kernel_dump gw)

out=$(in_ns gw "$VPNGW" up "$profile" --state-dir "$state" 2>&1)
check "up succeeds" test $? -eq 0
echo "$out" | sed 's/^/    /'
after_first=$(kernel_dump gw)
out=$(in_ns gw "$VPNGW" up "$profile" --state-dir "$state" 2>&1)
check "second up performs zero kernel writes and says so" grep -q "(0 changes)" <<<"$out"
check "second up leaves the four dumps byte-identical" test "$after_first" == "$(kernel_dump gw)"
plan=$(in_ns gw "$VPNGW" plan "$profile" --state-dir "$state" 2>&1)
check "plan against the live kernel shows no change" grep -q "^No changes" <<<"$plan"

server_pub=$(in_ns gw wg show wg0 public-key)
wg_client alice wgc1 "$SANDBOX_DIR/alice.key" 10.66.1.10/32,fd66:0:0:1::10/128 "$server_pub" \
    192.0.2.0/24 198.18.0.80/32 10.66.0.0/16 2001:db8:80::/64 fd66::/48
wg_client bob wgc2 "$SANDBOX_DIR/bob.key" 10.66.1.11/32,fd66:0:0:1::11/128 "$server_pub" \
    192.0.2.0/24 198.18.0.80/32 10.66.0.0/16 2001:db8:80::/64 fd66::/48
wg_client srv wgc3 "$SANDBOX_DIR/srv.key" 10.66.2.10/32,fd66:0:0:2::10/128 "$server_pub" \
    192.0.2.0/24 198.18.0.80/32 10.66.0.0/16 2001:db8:80::/64 fd66::/48
watch_sources

# Handshakes first (a few seconds under userspace WireGuard).
for c in alice bob srv; do pings "$c" 10.66.0.1 3 || true; done

check "alice pings the internet host through the tunnel" pings alice 192.0.2.80 3
check "the internet host sees the gateway's uplink address (NAT)" \
    test "$(counter_value inet inet observe from_gw4)" -gt 0
check "no VPN source address leaks to the internet" \
    test "$(counter_value inet inet observe from_vpn4)" -eq 0
spawn_in inet iperf3 -s -1 -B 192.0.2.80 -p 5201
for _ in $(seq 1 50); do  # until iperf3 listens (bounded), not a fixed time
    [ -n "$(in_ns inet ss -Hltn 'sport = :5201')" ] && break
    sleep 0.1
done
check "alice does TCP (iperf3) to the internet host" \
    in_ns alice iperf3 -c 192.0.2.80 -p 5201 -t 2 -B 10.66.1.10
check "IPv6: alice pings the internet host through the tunnel" pings alice 2001:db8:80::80 3
check "IPv6: the internet host sees the gateway's v6 uplink address" \
    test "$(counter_value inet inet observe from_gw6)" -gt 0
check "IPv6: no ULA source leaks" test "$(counter_value inet inet observe from_vpn6)" -eq 0

check "bob reaches the internet too" pings bob 192.0.2.80 2
check_not "isolation: alice cannot reach bob (same isolated group)" pings alice 10.66.1.11 2
check_not "isolation: bob cannot reach alice" pings bob 10.66.1.10 2
check_not "isolation holds for IPv6" pings alice fd66:0:0:1::11 2
check "allow-list: staff (allow any) reaches a server" pings alice 10.66.2.10 2
check_not "allow-list: servers may not open connections to staff" pings srv 10.66.1.10 2
check "allow-list: staff reaches an internet address outside the servers' list" \
    pings alice 198.18.0.80 2
check_not "allow-list: servers may not reach what their list leaves out" pings srv 198.18.0.80 2
check "allow-list: servers reach their listed prefix" pings srv 192.0.2.80 2

# Spoofing: let WireGuard accept a second source from alice (as a peer with
# wide allowed-ips would), then send from it: vpngw's ruleset must drop it.
in_ns gw wg set wg0 peer "$alice_pub" allowed-ips 10.66.1.10/32,10.66.1.99/32,fd66:0:0:1::10/128
in_ns alice ip addr add 10.66.1.99/32 dev wgc1
before_spoof=$(counter_value gw inet vpngw spoofed_drops)
before_leak=$(counter_value inet inet observe from_gw4)
check_not "a spoofed source from a client is not forwarded" \
    in_ns alice ping -c 2 -W 1 -I 10.66.1.99 192.0.2.80
check "the spoofed packets are counted in spoofed_drops" \
    test "$(counter_value gw inet vpngw spoofed_drops)" -gt "$before_spoof"
set +e
status=$(in_ns gw "$VPNGW" status "$profile" --state-dir "$state" 2>&1); rc=$?
set -e
check "status exits 3 on drift and lists what up would change" \
    test "$rc" -eq 3 -a -n "$(grep 'DRIFT' <<<"$status")"
check "status shows alice online with her address" grep -Eq "^alice +staff +10.66.1.10 +online" <<<"$status"
# `up` notices the drift in alice's allowed-ips and puts it back.
out=$(in_ns gw "$VPNGW" up "$profile" --state-dir "$state" 2>&1)
check "up repairs drift in a peer's allowed-ips" grep -q "wireguard wg0" <<<"$out"
check "after the repair status exits 0" in_ns gw "$VPNGW" status "$profile" --state-dir "$state"

out=$(in_ns gw "$VPNGW" down "$profile" --state-dir "$state" 2>&1)
check "down succeeds" test $? -eq 0
echo "$out" | sed 's/^/    /'
after_down=$(kernel_dump gw)
check "down returns the four dumps to the baseline, foreign table and rule intact" \
    test "$baseline" == "$after_down"
if [ "$baseline" != "$after_down" ]; then diff <(echo "$baseline") <(echo "$after_down") || true; fi
check "the foreign nft table survived" in_ns gw nft list table ip foreign
check "the foreign ip rule survived" grep -q "192.0.2.123 lookup 100" <<<"$(in_ns gw ip rule)"
finish
