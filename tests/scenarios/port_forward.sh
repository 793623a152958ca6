#!/usr/bin/env bash
# Scenario "reverse proxy / port forwarding": internet hosts reach a backend
# (a WireGuard client) through the gateway's public ports. The backend sees
# the real source, the reply returns, a source outside a forward's allow list
# is refused, only the forwarded port is open, and a VPN client reaches the
# forward through the public address (hairpin NAT), v4 and v6.
#
#   partner  100.64.1.20 ─┐
#   stranger 100.64.2.20 ─┤ inet ── gw eth0 203.0.113.2 ──wg── web 10.61.2.10:8080
#                         └─ br0 (198.51.100.0/24): web's and alice's WireGuard endpoints
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../netns/lib.sh"
source "$here/lib.sh"
enter_sandbox "$@"

forward_world
render_profile "$here/profiles/port_forward.toml.in" "$SANDBOX_DIR/proxy.toml"
check "vpngw up applies the profile" gw_up "$SANDBOX_DIR/proxy.toml"
forward_clients

check "partner → 203.0.113.2:8443 reaches the backend, which sees the real source" \
    answers "web 100.64.1.20" partner 203.0.113.2 8443
check "IPv6: partner → [2001:db8:1::2]:8444 reaches the backend with the real source" \
    answers "web 2001:db8:201::20" partner 2001:db8:1::2 8444
check "an open forward (8080, no allow list) takes the stranger, real source kept" \
    answers "web 100.64.2.20" stranger 203.0.113.2 8080
before=$(gw_counter input_drops)
check_not "stranger → :8443 is refused (outside the forward's allow_from)" \
    probe stranger 203.0.113.2 8443
check "the refused SYNs are counted in input_drops" counter_grew input_drops "$before"
check_not "IPv6: stranger → :8444 is refused" probe stranger 2001:db8:1::2 8444
check_not "a port without a forward (9000) does not reach the backend" \
    probe partner 203.0.113.2 9000

# Someone on the uplink's segment routing VPN addresses at the gateway must
# not get past the forward: only the DNATed flow is accepted.
in_ns inet ip route add 10.61.0.0/16 via 203.0.113.2
before=$(gw_counter forward_drops)
check_not "the backend is not reachable from outside by its VPN address" \
    in_ns inet python3 "$ECHO_PY" probe 10.61.2.10 9000 --timeout 2
check "that attempt is counted in forward_drops" counter_grew forward_drops "$before"

check_not "staff may not reach the backend directly (not in their allow list)" \
    probe alice 10.61.2.10 8080
check "hairpin: alice reaches the forward through the public address; the backend sees the gateway" \
    answers "web 10.61.0.1" alice 203.0.113.2 8443
check "IPv6 hairpin through [2001:db8:1::2]:8444" \
    answers "web fd61::1" alice 2001:db8:1::2 8444
finish
