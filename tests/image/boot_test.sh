#!/usr/bin/env bash
# Builds the gateway image with `vpngw image build --build`, boots it under
# qemu (UEFI, TCG is fine) and checks from outside:
#   - inside the guest (markers on the serial console, see guest/check.sh):
#     vpngw@ active, wg0 a KERNEL WireGuard link, reload = incremental up,
#     first-boot keys, the kernel-backend gtest binary passing, and at
#     shutdown `vpngw down` leaving nothing behind;
#   - from the host: a wireguard-go client in this test's network namespace
#     reaches the guest through qemu's user-mode networking (UDP port forward
#     on that namespace's loopback), shakes hands and pings the gateway.
# The base root filesystem is cached (~/.cache/vpngw), so only the first run
# pays for mmdebstrap. Needs root; touches only its own namespaces.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../netns/lib.sh"
enter_sandbox "$@"

for tool in qemu-system-x86_64 qemu-img mmdebstrap mke2fs sfdisk mkfs.vfat mcopy python3; do
    command -v "$tool" >/dev/null || die "missing $tool (run scripts/install-deps)"
done
ovmf=/usr/share/OVMF/OVMF_CODE.fd
[ -f "$ovmf" ] || die "missing $ovmf (package ovmf)"
gtest_bin=${VPNGW_KERNEL_TEST:?set VPNGW_KERNEL_TEST to wg_kernel_module_test}
deb=${VPNGW_DEB:?set VPNGW_DEB to the package (tests/package make_debs.sh)}
[ -f "$deb" ] || die "no package at $deb (the package_deb test makes it)"
t0=$SECONDS
elapsed() { echo "$((SECONDS - t0)) s"; }
work=$SANDBOX_DIR

# --- the profile: one client whose key only this run knows ----------------------
(umask 077 && wg genkey > "$work/client.key")
client_pub=$(wg pubkey < "$work/client.key")
sed "s|@CLIENT_PUBLIC_KEY@|$client_pub|" "$here/imgtest.toml.in" > "$work/imgtest.toml"

# --- test-only additions: the check units (enabled) and the gtest binary --------
extra=$work/extra
mkdir -p "$extra/etc/systemd/system/multi-user.target.wants" "$extra/usr/local/lib/vpngw-test"
for u in vpngw-image-check.service vpngw-image-check-down.service; do
    cp "$here/guest/$u" "$extra/etc/systemd/system/"
    ln -s "/etc/systemd/system/$u" "$extra/etc/systemd/system/multi-user.target.wants/$u"
done
install -m 0755 "$here/guest/check.sh" "$extra/usr/local/lib/vpngw-test/check.sh"
install -m 0755 "$gtest_bin" "$extra/usr/local/lib/vpngw-test/wg_kernel_module_test"
strip --strip-debug "$extra/usr/local/lib/vpngw-test/wg_kernel_module_test" 2>/dev/null || true

echo "== vpngw image build --build ($(elapsed))"
b0=$SECONDS
VPNGW_IMAGE_EXTRA=$extra "$VPNGW" image build "$work/imgtest.toml" -o "$work/recipe" --build --qcow2 \
    --package "$deb" \
    > "$work/build.log" 2>&1 || { cat "$work/build.log"; die "image build failed"; }
grep '^==>' "$work/build.log"
echo "image built in $((SECONDS - b0)) s"
check "recipe has build.sh, profile, the package (units come with it)" test -x "$work/recipe/build.sh" -a \
    -f "$work/recipe/rootfs/etc/vpngw/imgtest.toml" -a -f "$work/recipe/vpngw.deb" -a \
    ! -e "$work/recipe/vpngw" -a ! -e "$work/recipe/rootfs/usr/lib/systemd/system/vpngw@.service"
check "no keys baked into the image" bash -c "! grep -q BAKE_KEYS=1 '$work/recipe/image.env'"
check "qcow2 written" test -s "$work/recipe/out/disk.qcow2"

# A bigger virtual disk than the image: the root must grow into it on first boot.
qemu-img create -q -f qcow2 -b "$work/recipe/out/disk.raw" -F raw "$work/disk.qcow2" 3G

# --- boot, in this test's own network namespace -----------------------------------
ns=vimg$$
netns_add "$ns"
serial=$work/serial.log
echo "== booting under qemu ($(elapsed))"
q0=$SECONDS
spawn_in "$ns" timeout 1500 qemu-system-x86_64 -m 1024 -smp 2 -nographic -no-reboot \
    -drive if=pflash,format=raw,readonly=on,file="$ovmf" \
    -drive file="$work/disk.qcow2",format=qcow2,if=virtio \
    -nic user,model=virtio-net-pci,hostfwd=udp:127.0.0.1:51820-:51820 \
    -qmp unix:"$work/qmp.sock",server=on,wait=off \
    > "$serial" 2>&1 < /dev/null
qemu_pid=${SANDBOX_PIDS[-1]}

wait_marker() {  # wait_marker PATTERN SECONDS
    local deadline=$((SECONDS + $2))
    while [ $SECONDS -lt $deadline ]; do
        grep -qa "$1" "$serial" && return 0
        kill -0 "$qemu_pid" 2>/dev/null || return 1
        sleep 2
    done
    return 1
}
if ! wait_marker 'VPNGW-CHECK ready' 1200; then
    tail -c 4000 "$serial"
    die "the guest never printed 'VPNGW-CHECK ready' ($(elapsed))"
fi
echo "guest ready $((SECONDS - q0)) s after qemu started"
grep -a 'VPNGW-CHECK\|VPNGW-GTEST' "$serial" | tr -d '\r'
marker() { grep -qa "VPNGW-CHECK $1" "$serial"; }
check "the image installed the package ($(dpkg-deb -f "$deb" Version))" marker "package=$(dpkg-deb -f "$deb" Version)"
check "vpngw@imgtest.service active" marker 'unit=active'
check "vpngw@ is Type=notify with STATUS= (\"$(grep -a 'VPNGW-CHECK status=' "$serial" | tr -d '\r' | sed 's/.*status=//')\")" \
    marker 'type=notify status=up: '
check "vpngw@ became active only after up applied (its OP=up entry is older)" marker 'active-after-up=ok'
check "an up that fails leaves vpngw@ failed, never active" marker 'broken-unit=failed'
check "journalctl -u vpngw@imgtest PEER=alice finds peer add and remove run from a shell" marker 'journal-peer=ok'
check "vpngw-monitor@ Type=notify reached active, STATUS= names the uplink" marker 'monitor=active status=wan '
check "SIGSTOPped monitor killed by the watchdog and restarted (new PID)" marker 'watchdog=restarted'
check "the journal says why: watchdog timeout" marker 'watchdog-log=ok'
check "wg0 is a kernel WireGuard link (module loaded, no wireguard-go)" marker 'wg0=kernel'
check "nft table inet vpngw exists" marker 'nft-table=1'
check "systemctl reload = incremental up, nothing to do" marker 'reload=ok'
check "SSH host keys generated on first boot" marker 'ssh-hostkeys=generated'
check "sshd active" marker 'ssh=active'
check "WireGuard key made on first boot, mode 600" marker 'wg-key-mode=600'
check "kernel-backend gtest (set/get, 1,000 chunked peers, handshake) in the guest" marker 'gtest=ok'
rootfs_mb=$(grep -a 'VPNGW-CHECK rootfs-mb=' "$serial" | tr -d '\r' | sed 's/.*rootfs-mb=//')
check "root grew into the 3 GiB disk (${rootfs_mb} MiB)" test "${rootfs_mb:-0}" -gt 2500

# --- a real client from the host side -------------------------------------------
# Base64 keys end in '=': cut at the marker name, not at the last '='.
server_pub=$(grep -a 'VPNGW-CHECK server-public-key=' "$serial" | tr -d '\r' | sed 's/.*server-public-key=//')
cif=wgimg$$
cif=${cif:0:15}
in_ns "$ns" wireguard-go "$cif" >/dev/null 2>&1
in_ns "$ns" wg set "$cif" private-key "$work/client.key" peer "$server_pub" \
    endpoint 127.0.0.1:51820 allowed-ips 10.66.0.0/16 persistent-keepalive 5
in_ns "$ns" ip addr add 10.66.1.10/32 dev "$cif"
in_ns "$ns" ip link set "$cif" up mtu 1380
in_ns "$ns" ip route add 10.66.0.0/16 dev "$cif"
pinged=no
for _ in $(seq 1 30); do
    if in_ns "$ns" ping -c 2 -i 0.5 -W 5 10.66.0.1 > "$work/ping.log" 2>&1; then pinged=yes; break; fi
done
cat "$work/ping.log"
check "client pings the gateway's tunnel address 10.66.0.1 through the tunnel" test "$pinged" = yes
hs=$(in_ns "$ns" wg show "$cif" latest-handshakes | awk '{ print $2 }')
check "client completed a handshake with the guest (latest-handshake $hs)" test "${hs:-0}" -gt 0

# --- graceful shutdown (ACPI power button): vpngw down must leave nothing -------
echo "== powering the guest off ($(elapsed))"
python3 - "$work/qmp.sock" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.recv(4096)
for cmd in (b'{"execute":"qmp_capabilities"}', b'{"execute":"system_powerdown"}'):
    s.sendall(cmd + b"\n"); time.sleep(0.5); s.recv(4096)
PY
for _ in $(seq 1 150); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 2; done
if kill -0 "$qemu_pid" 2>/dev/null; then echo "qemu still running after power-off; ending it"; kill "$qemu_pid"; fi
grep -a 'VPNGW-CHECK \(handshake\|transfer\|down\)' "$serial" | tr -d '\r'
check "guest saw the client's handshake (wg show on the gateway)" marker 'handshake=ok'
check "vpngw@ stop ran vpngw down: wg0 and table inet vpngw gone" marker 'down=ok'
grep -a 'VPNGW-SECURITY.*Overall exposure' "$serial" | tr -d '\r' || true

echo "image test: $PASSES passed, $FAILURES failed in $(elapsed) (build $((q0 - b0)) s, boot to shutdown $((SECONDS - q0)) s)"
[ "$FAILURES" -eq 0 ]
