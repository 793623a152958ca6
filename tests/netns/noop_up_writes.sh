#!/usr/bin/env bash
# Issue 19 item 2: a no-op `vpngw up` writes nothing to the kernel, also when
# its 300 inline peers come from the profile cache (<state_dir>/profile.cache).
# Watched from outside vpngw: `nft monitor` (any nftables change) and
# `ip monitor` (links, addresses, routes, rules) in the gateway namespace,
# bracketed by sentinel changes made before and after so both monitors are
# known to be listening; and strace of the vpngw process for a WireGuard
# UAPI `set=1` or a sysctl opened for writing. The no-op takes the nftables
# shortcut, and an element deleted with nft (which status reports) or a
# WireGuard peer removed with wg is still repaired by the next up.
# Root; private namespaces only.
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
# The sentinels were nftables commits, so the third up could not take the
# nftables shortcut (exec/nft_shortcut.hpp), nor can the next one after the
# closing sentinel: it records the generation it saw. The one after takes it:
# the generation matches, so the peer sets are not dumped (strace decodes
# the netfilter request types; set names in hex).
gw up "$profile" >"$W/up3b" 2>&1
check "a shortcut record is in the state directory" test -s "$state/nft-shortcut"
in_ns gw strace -f -qq -s 32 -e trace=openat,write,sendto,sendmsg -o "$W/strace4" \
    "$VPNGW" up "$profile" --state-dir "$state" >"$W/up4" 2>&1
check "the fourth up is a no-op" grep -q "(0 changes)" "$W/up4"
check "it read the nftables generation" grep -q 'NFT_MSG_GETGEN' "$W/strace4"
peers4='\\x70\\x65\\x65\\x72\\x73\\x34' # "peers4"
check "the third up dumped the peer set (no shortcut)" grep -q "GETSETELEM.*$peers4" "$W/strace"
check "the fourth did not (shortcut)" test -z "$(grep "GETSETELEM.*$peers4" "$W/strace4")"
check "and sent nftables no change" test -z "$(grep -E 'NFT_MSG_(NEW|DEL)' "$W/strace4")"
check "nor a WireGuard UAPI set" test -z "$(grep -F 'set=1' "$W/strace4")"
between "$W/nft.log" | head -5
between "$W/ip.log" | head -5

# Behind vpngw's back: one peer element deleted with nft; the shortcut must
# not hide it (any nft commit changes the generation).
addr=$(in_ns gw nft -j list set inet vpngw peers4 | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    s = o.get("set")
    if s and s.get("elem"):
        e = s["elem"][0]
        print(e if isinstance(e, str) else e.get("elem", {}).get("val", e)); break')
check "a peer element to delete was found" test -n "$addr"
in_ns gw nft delete element inet vpngw peers4 "{ $addr }"
in_ns gw "$VPNGW" status "$profile" --state-dir "$state" >"$W/status" 2>&1
check "status exits 3 (drift) after the element was deleted by hand" test $? -eq 3
check "status names the missing element" grep -qF "$addr" "$W/status"
gw up "$profile" >"$W/up5" 2>&1
check "up after the element was deleted succeeds" test $? -eq 0
check "and is not a no-op" test -z "$(grep -F '(0 changes)' "$W/up5")"
check "the element is back" in_ns gw nft get element inet vpngw peers4 "{ $addr }"
gw up "$profile" >"$W/up5" 2>&1
check "the up after the repair is a no-op" grep -q "(0 changes)" "$W/up5"

# A WireGuard peer removed by hand: the kernel has no generation for that, so
# every up reads the device; the next up puts the peer back.
key=$(in_ns gw wg show wg0 peers | head -1)
check "a WireGuard peer to remove was found" test -n "$key"
in_ns gw wg set wg0 peer "$key" remove
check "the peer is gone" test -z "$(in_ns gw wg show wg0 peers | grep -F "$key")"
gw up "$profile" >"$W/up6" 2>&1
check "up after the peer was removed succeeds" test $? -eq 0
check "and is not a no-op" test -z "$(grep -F '(0 changes)' "$W/up6")"
check "the peer is back" in_ns gw sh -c "wg show wg0 peers | grep -qF '$key'"
finish
