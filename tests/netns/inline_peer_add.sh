#!/usr/bin/env bash
# Issue 19 item 3: `peer add` and `peer remove` on a gateway whose 300 peers
# are inline [[peer]] tables with fixed addresses ask the profile index
# (<state_dir>/profile.index) instead of loading the cached peers, and still
# refuse an inline peer's name, key and address, and apply the new peer to
# the running gateway (WireGuard and the nft peer set). A tampered index is
# an error that changes nothing; the next command rebuilds it.
# Root; private namespaces only.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
enter_sandbox "$@"
command -v strace >/dev/null || die "missing tool: strace (run scripts/install-deps)"
set +e

W=$SANDBOX_DIR
state=$W/state profile=$W/profile.toml
netns_add gw
cp "$here/profiles/peers_bench.toml" "$profile"
python3 - "$profile" <<'PY'
import base64, hashlib, sys
with open(sys.argv[1], "a") as f:
    for i in range(300):  # offsets 1..300 of both subnets, in a row
        key = base64.b64encode(hashlib.sha256(b"inline-peer-%d" % i).digest()).decode()
        o = i + 1
        f.write(f'\n[[peer]]\nname = "p{i}"\ngroup = "big"\npublic_key = "{key}"\n'
                f'address = "10.69.{o >> 8}.{o & 255}"\naddress6 = "fd68:0:0:1::{o:x}"\n')
PY
key7=$(python3 -c 'import base64, hashlib; print(base64.b64encode(hashlib.sha256(b"inline-peer-7").digest()).decode())')

gw() { in_ns gw "$VPNGW" "$@" --state-dir "$state"; }
gw up "$profile" >"$W/up" 2>&1
check "cold up of 300 inline peers succeeds" test $? -eq 0
# The first up loaded before it made the state directory: this one writes both.
gw peer list --profile "$profile" >/dev/null 2>&1
check "a profile index is in the state directory" test -s "$state/profile.index"

in_ns gw strace -f -e trace=openat -o "$W/strace" "$VPNGW" peer add new1 --group big --qr none \
    --profile "$profile" --state-dir "$state" >"$W/add" 2>&1
check "peer add succeeds" test $? -eq 0
check "it takes the lowest address after the inline peers' run" grep -q "10.69.1.45" "$W/add"
check "it read the profile index" grep -q 'openat(.*profile.index"' "$W/strace"
check "and not the profile cache" test -z "$(grep 'openat(.*profile.cache"' "$W/strace")"
check "the new peer is in WireGuard" in_ns gw sh -c "wg show wg0 allowed-ips | grep -q 10.69.1.45/32"
check "and in the nft peer set" in_ns gw sh -c "nft get element inet vpngw peers4 { 10.69.1.45 } >/dev/null"

gw peer add p7 --group big --qr none --profile "$profile" >"$W/name" 2>&1
check "an inline peer's name is refused" grep -q 'peer "p7" is declared in the profile' "$W/name"
gw peer add k --group big --qr none --public-key "$key7" --profile "$profile" >"$W/key" 2>&1
check "an inline peer's key is refused" grep -q 'already belongs to peer "p7"' "$W/key"
gw peer add a --group big --qr none --address 10.69.0.9 --profile "$profile" >"$W/addr" 2>&1
check "an inline peer's address is refused" grep -q 'belongs to profile peer "p8"' "$W/addr"
gw peer remove p9 --profile "$profile" >"$W/rm9" 2>&1
check "an inline peer cannot be removed with peer remove" grep -q 'is declared in the profile' "$W/rm9"

# A tampered block: the lookup that reads it fails, nothing is added.
python3 - "$state/profile.index" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
for at in range(len(b) - 32, len(b)):  # the seal of the last block
    b[at] ^= 0xFF
open(p, "wb").write(bytes(b))
PY
gw peer add new2 --group big --qr none --profile "$profile" >"$W/tampered" 2>&1
rc=$?
check "an add over a tampered index fails" test $rc -ne 0
check "and says the index does not match its seal" grep -q "does not match its seal" "$W/tampered"
check "and added nothing" test -z "$(gw peer list --profile "$profile" 2>/dev/null | grep -w new2)"
gw peer add new2 --group big --qr none --profile "$profile" >"$W/again" 2>&1
check "the next add succeeds (index rebuilt from the cache)" test $? -eq 0
check "a new index is in the state directory" test -s "$state/profile.index"

gw peer remove new1 --profile "$profile" >"$W/rm" 2>&1
check "peer remove succeeds" test $? -eq 0
check "the removed peer left WireGuard" \
    in_ns gw sh -c "! wg show wg0 allowed-ips | grep -q 10.69.1.45/32"
gw down "$profile" >/dev/null 2>&1
finish
