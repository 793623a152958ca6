#!/usr/bin/env bash
# `vpngw cluster render` read by the real consumers, in a namespace with the
# profile's devices: keepalived --config-test accepts keepalived.conf, and
# conntrackd runs with conntrackd.conf and answers on its control socket.
# Label `fleet`; needs root.
. "$(dirname "$0")/../netns/lib.sh"
enter_sandbox "$@"
. "$(dirname "$0")/fleet_lib.sh"
command -v keepalived >/dev/null || die "missing keepalived (scripts/install-deps)"
command -v conntrackd >/dev/null || die "missing conntrackd (scripts/install-deps)"

netns_add gwa
netns_add gwb
veth_pair gwa eth0 203.0.113.2/24 gwb eth0 203.0.113.3/24
veth_pair gwa eth2 10.99.0.1/30 gwb eth2 10.99.0.2/30
cat >"$SANDBOX_DIR/gwa.toml" <<TOML
[gateway]
name = "gwa"
endpoint = "203.0.113.10:51820"
state_dir = "/var/lib/vpngw-fleet-test-gwa"
[[uplink]]
name = "wan"
device = "eth0"
[[interface]]
name = "wgfleet0"
address = ["10.8.0.1/16"]
backend = "userspace"
[firewall]
management = { allow = ["192.0.2.0/24"] }
[cluster]
node = "gwa"
etcd = ["https://10.77.0.1:2379"]
etcd_ca = "/etc/vpngw/etcd/ca.pem"
vrrp = { uplink = "wan", address = "203.0.113.10/24", router_id = 51, priority = 150 }
sync = { device = "eth2", address = "10.99.0.1", peer = "10.99.0.2" }
TOML
out=$SANDBOX_DIR/render
mkdir -p "$out"
check "vpngw cluster render writes the three files" \
    in_ns gwa "$VPNGW" cluster render "$SANDBOX_DIR/gwa.toml" --dir "$out" --run-dir "$out" \
    --vpngw "$VPNGW"
check "notify.sh is executable" test -x "$out/notify.sh"
check "keepalived --config-test accepts keepalived.conf" \
    in_ns gwa keepalived --config-test -f "$out/keepalived.conf"
check "the notify script parses (sh -n)" sh -n "$out/notify.sh"

in_ns gwa conntrackd -C "$out/conntrackd.conf" >"$SANDBOX_DIR/conntrackd.log" 2>&1 &
SANDBOX_PIDS+=("$!")
ct_pid=$!
conntrackd_answers() { in_ns gwa conntrackd -C "$out/conntrackd.conf" -s >/dev/null 2>&1; }
check "conntrackd runs with conntrackd.conf and answers on its socket" \
    wait_for 10 "conntrackd control socket" conntrackd_answers
check "conntrackd is still running" kill -0 "$ct_pid"
kill "$ct_pid"; wait "$ct_pid" 2>/dev/null || true

# A profile path keepalived cannot carry is refused, and nothing is written.
mkdir -p "$SANDBOX_DIR/odd dir" "$SANDBOX_DIR/out2"
cp "$SANDBOX_DIR/gwa.toml" "$SANDBOX_DIR/odd dir/gwa.toml"
if in_ns gwa "$VPNGW" cluster render "$SANDBOX_DIR/odd dir/gwa.toml" --dir "$SANDBOX_DIR/out2" \
    >"$SANDBOX_DIR/odd.out" 2>&1; then refused=no; else refused=yes; fi
check "a profile path with a space is refused" [ "$refused" = yes ]
check "the refusal names the profile path" grep -q "profile path" "$SANDBOX_DIR/odd.out"
check "nothing was written" [ -z "$(ls -A "$SANDBOX_DIR/out2")" ]
finish
