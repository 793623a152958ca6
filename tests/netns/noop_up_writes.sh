#!/usr/bin/env bash
# Issue 19 item 2: a no-op `vpngw up` writes nothing to the kernel, also when
# its 300 inline peers come from the profile cache (<state_dir>/profile.cache).
# Watched from outside vpngw: `nft monitor` (any nftables change) and
# `ip monitor` (links, addresses, routes, rules) in the gateway namespace,
# bracketed by sentinel changes made before and after so both monitors are
# known to be listening; and strace of the vpngw process for a WireGuard
# UAPI `set=1` or a sysctl opened for writing. Root; private namespaces only.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
enter_sandbox "$@"
command -v strace >/dev/null || die "missing tool: strace (run scripts/install-deps)"
set +e

W=$SANDBOX_DIR
state=$W/state profile=$W/profile.toml
netns_add gw
# No duplicate address detection: its late address events are not vpngw's.
in_ns gw sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
# The peer bench's profile (one userspace interface, one big group), with
# the peers appended as [[peer]] tables.
cp "$here/profiles/peers_bench.toml" "$profile"
python3 - "$profile" <<'PY'
import base64, hashlib, sys
with open(sys.argv[1], "a") as f:
    for i in range(300):
        key = base64.b64encode(hashlib.sha256(b"noop-peer-%d" % i).digest()).decode()
        f.write(f'\n[[peer]]\nname = "p{i}"\ngroup = "big"\npublic_key = "{key}"\n')
PY

gw() { in_ns gw "$VPNGW" "$@" --state-dir "$state"; }
gw up "$profile" >"$W/up1" 2>&1
check "cold up of 300 inline peers succeeds" test $? -eq 0
gw up "$profile" >"$W/up2" 2>&1
check "the second up is a no-op" grep -q "(0 changes)" "$W/up2"
# The first up loaded before it created the state directory: the second wrote it.
check "a profile cache is in the state directory" test -s "$state/profile.cache"

# wait_for FILE TEXT: until TEXT shows in FILE (bounded).
wait_for() {
    local i
    for i in $(seq 1 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
    return 1
}
spawn_in gw nft monitor >"$W/nft.log" 2>&1
nft_pid=${SANDBOX_PIDS[-1]}
spawn_in gw ip -o monitor link address route rule >"$W/ip.log" 2>&1
ip_pid=${SANDBOX_PIDS[-1]}
# Sentinels until each monitor shows one: then it is listening.
for i in $(seq 1 50); do
    in_ns gw nft add table inet sentinel_a && in_ns gw nft delete table inet sentinel_a
    in_ns gw ip link add sentinel_a type veth peer name sentinel_a2 && in_ns gw ip link del sentinel_a
    grep -q sentinel_a "$W/nft.log" && grep -q sentinel_a "$W/ip.log" && break
    sleep 0.1
done
check "nft monitor and ip monitor are listening" grep -q sentinel_a "$W/ip.log"

in_ns gw strace -f -qq -s 32 -e trace=openat,write,sendto,sendmsg -o "$W/strace" \
    "$VPNGW" up "$profile" --state-dir "$state" >"$W/up3" 2>&1
check "the third up succeeds" test $? -eq 0
check "the third up is a no-op" grep -q "(0 changes)" "$W/up3"

in_ns gw nft add table inet sentinel_b && in_ns gw nft delete table inet sentinel_b
in_ns gw ip link add sentinel_b type veth peer name sentinel_b2 && in_ns gw ip link del sentinel_b
check "nft monitor saw the closing sentinel" wait_for "$W/nft.log" sentinel_b
check "ip monitor saw the closing sentinel" wait_for "$W/ip.log" sentinel_b
kill "$nft_pid" "$ip_pid" 2>/dev/null

# between FILE: the lines after sentinel_a's and before sentinel_b's, less
# the sentinels' own (their veth peers; the generation notes of the nft
# process that made them: a change by vpngw would say "(vpngw)").
between() {
    awk '/sentinel_b/ {exit} seen {print} /sentinel_a/ {seen = 1}' "$1" |
        grep -v -e sentinel_a -e '^# new generation [0-9]* by process [0-9]* (nft)$'
}
check "no nftables change during the no-op up" test -z "$(between "$W/nft.log")"
check "no link, address, route or rule change during the no-op up" test -z "$(between "$W/ip.log")"
check "no WireGuard UAPI set during the no-op up" test -z "$(grep -F 'set=1' "$W/strace")"
check "no sysctl opened for writing during the no-op up" \
    test -z "$(grep '/proc/sys' "$W/strace" | grep -E 'O_WRONLY|O_RDWR')"
# The exec layer was reached: the strace saw the UAPI get and the nft dump.
check "the no-op up read the WireGuard device (UAPI get)" grep -qF 'get=1' "$W/strace"
check "the no-op up read the profile cache" grep -q 'openat(.*profile.cache"' "$W/strace"
check "and did not write it again (it was a hit)" \
    test -z "$(grep 'openat(.*profile.cache' "$W/strace" | grep O_CREAT)"
between "$W/nft.log" | head -5
between "$W/ip.log" | head -5
finish
