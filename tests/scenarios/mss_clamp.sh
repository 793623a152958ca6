#!/usr/bin/env bash
# Scenario "MSS clamping" (issue 18 item 5): a WireGuard client downloads a
# large file over TCP from an internet host whose path to the client has a
# 1,280-byte link (the gateway's uplink, as behind PPPoE or a mobile
# link), and the router on that link drops its own ICMP "fragmentation
# needed" / "packet too big", so path-MTU discovery cannot help: a path-MTU
# black hole. With mss_clamp (the default) the gateway lowers the MSS of the
# client's SYN to what its uplink route carries and the download completes,
# IPv4 and IPv6; with mss_clamp = false the same download stalls (bounded
# wait), which shows the test can fail.
#
#   a (users, wg MTU 1420) ──wg── gw eth0 ══1280══ inet0 inet ── far (MTU 1500)
#                                                 (drops its frag-needed / PTB)
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../netns/lib.sh"
source "$here/lib.sh"
enter_sandbox "$@"

SIZE=$((4 * 1024 * 1024))
build_world
in_ns gw ip link set eth0 mtu 1280
in_ns inet ip link set inet0 mtu 1280
in_ns inet nft -f - <<'NFT'
table inet blackhole {
    chain output {
        type filter hook output priority 0; policy accept;
        icmp type destination-unreachable icmp code frag-needed counter drop
        icmpv6 type packet-too-big counter drop
    }
}
NFT
add_host far 1
# far must not find the MTU on its own by probing (its default, stated).
in_ns far sysctl -qw net.ipv4.tcp_mtu_probing=0
add_client a 70
new_peer a
render_profile "$here/profiles/mss_clamp.toml.in" "$SANDBOX_DIR/clamp.toml"
sed 's/^mss_clamp = true/mss_clamp = false/' "$SANDBOX_DIR/clamp.toml" >"$SANDBOX_DIR/noclamp.toml"
check "the test profile turns clamping off" grep -qx "mss_clamp = false" "$SANDBOX_DIR/noclamp.toml"

# The download: far sends SIZE bytes to every connection; the client reads
# until EOF or until nothing arrived for 3 s, within 30 s at most, and
# prints the bytes it got and whether the connection opened at all.
cat >"$SANDBOX_DIR/blob.py" <<'PY'
import socket, sys, threading, time
if sys.argv[1] == "serve":
    size = int(sys.argv[2])
    srv = socket.socket(socket.AF_INET6)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.bind(("::", int(sys.argv[3])))
    srv.listen(8)
    def send(c):
        with c:
            try:
                c.sendall(b"x" * size)
            except OSError:
                pass
    while True:
        c, _ = srv.accept()
        threading.Thread(target=send, args=(c,), daemon=True).start()
else:
    host, port = sys.argv[2], int(sys.argv[3])
    got, opened, deadline = 0, "unopened", time.monotonic() + 30
    try:
        s = socket.create_connection((host, port), timeout=3)
        opened = "opened"
        while time.monotonic() < deadline:
            b = s.recv(65536)
            if not b:
                break
            got += len(b)
    except OSError:
        pass
    print(got, opened)
PY
spawn_in far python3 "$SANDBOX_DIR/blob.py" serve "$SIZE" 8000
wait_listen far 8000

download() { in_ns a python3 "$SANDBOX_DIR/blob.py" get "$1" 8000; }
complete() {
    local got
    got=$(download "$1")
    [ "$got" = "$SIZE opened" ] && return 0
    echo "    got ${got% *} of $SIZE bytes (${got#* })" >&2
    return 1
}
# stalls HOST: the connection opens (small packets pass) but the download
# does not complete: the black hole, not some other failure.
stalls() {
    local got
    got=$(download "$1")
    echo "    got ${got% *} of $SIZE bytes (${got#* })"
    [ "${got#* }" = opened ] && [ "${got% *}" -lt "$SIZE" ]
}
check "vpngw up applies the profile (clamping on by default)" gw_up "$SANDBOX_DIR/clamp.toml"
check "the forward chain clamps SYNs to the route's MTU" \
    grep -q "tcp flags syn tcp option maxseg size set rt mtu" \
    <<<"$(in_ns gw nft list chain inet vpngw forward)"
server=$(in_ns gw wg show wg0 public-key)
wg_client a wc_a "$SANDBOX_DIR/a.key" 10.65.1.10/32,fd65:0:0:1::10/128 "$server" \
    10.65.0.0/16 fd65::/48 100.64.1.0/24 2001:db8:201::/64
handshake a 10.65.0.1

check "with clamping a 4 MiB download completes (v4)" complete 100.64.1.20
check "with clamping a 4 MiB download completes (v6)" complete 2001:db8:201::20

check "vpngw up without clamping" gw_up "$SANDBOX_DIR/noclamp.toml"
check_not "... the forward chain no longer clamps" \
    grep -q "maxseg" <<<"$(in_ns gw nft list chain inet vpngw forward)"
check "without clamping the connection opens but the download stalls (v4)" stalls 100.64.1.20
check "without clamping the connection opens but the download stalls (v6)" stalls 2001:db8:201::20
check "... because the router's ICMP was dropped" \
    grep -Eq "counter packets [1-9]" <<<"$(in_ns inet nft list chain inet blackhole output)"
finish
