#!/usr/bin/env bash
# Regenerates the captured seed files of tests/fuzz/corpus (run as root; the
# files are committed, so the fuzz run itself needs none of this):
#   netlink_fuzz  rtnetlink dump replies and acks from this kernel, for links,
#                 addresses, routes and rules made in a private network namespace
#   wg_genl_fuzz  the kernel's CTRL_CMD_GETFAMILY reply (for nlctrl, which every
#                 kernel has; the wireguard module may be missing) and the
#                 hand-assembled GET_DEVICE dump of tests/wg/golden
#   uapi_fuzz     wireguard-go's answers to get=1 and to a bad set=1
# Everything happens in its own network and mount namespace (unshare -n -m):
# the host's interfaces, routes, rules and /run/wireguard are never touched.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "capture_seeds: needs root" >&2; exit 1; }
if [ -z "${VPNGW_SEEDS_NS:-}" ]; then
    export VPNGW_SEEDS_NS=1
    exec unshare -n -m --propagation private -- "$BASH" "$0" "$@"
fi
corpus=$PWD/tests/fuzz/corpus
mkdir -p "$corpus/netlink_fuzz" "$corpus/wg_genl_fuzz" "$corpus/uapi_fuzz"
mkdir -p /run/wireguard
mount -t tmpfs -o mode=0700 seeds-wg /run/wireguard

# --- a little of everything vpngw reads back: links of several kinds with
# aliases and MTUs (veth: this kernel may lack dummy and wireguard), v4/v6 addresses, routes in numbered tables (unicast via a
# gateway, blackhole, unreachable, local), fwmark/iif/from rules.
ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0 mtu 1400 alias "vpngw uplink" up
ip link set eth0-peer up
ip link add veth-a type veth peer name veth-b
ip link set veth-a up
ip link set veth-b up
ip addr add 203.0.113.2/24 dev eth0
ip addr add 2001:db8::2/64 dev eth0 nodad
ip addr add 10.9.0.1 peer 10.9.0.2/32 dev veth-a
ip route add default via 203.0.113.1 dev eth0 table 1001 proto 249
ip route add 198.51.100.0/24 via 203.0.113.1 dev eth0 metric 50
ip route add blackhole 10.66.0.0/16 table 1001
ip route add unreachable 10.67.0.0/16 table 100
ip -6 route add default via 2001:db8::1 dev eth0 table 1001
ip -6 route add blackhole fd00::/8 table 1001
ip route add local 0.0.0.0/0 dev lo table 300
ip rule add fwmark 0x1001/0xffff lookup 1001 priority 1000 proto 249
ip rule add from 10.66.1.0/24 lookup 1001 priority 1001
ip rule add iif veth-a lookup main suppress_prefixlength 0 priority 1002
ip -6 rule add fwmark 0x1001 lookup 1001 priority 1000

wireguard-go wgu0
wg set wgu0 listen-port 51999 private-key <(wg genkey) \
    peer "$(wg genkey | wg pubkey)" allowed-ips 10.66.1.2/32,fd66::2/128 \
    endpoint 203.0.113.9:51820 persistent-keepalive 25 \
    peer "$(wg genkey | wg pubkey)" preshared-key <(wg genpsk) allowed-ips 10.66.1.3/32

python3 - "$corpus" <<'EOF'
import os, socket, struct, sys

corpus = sys.argv[1]
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300


def exchange(proto, msgtype, payload, flags):
    """Sends one request; returns the receive buffers up to DONE or an ack."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto)
    s.setsockopt(270, 11, 1)  # SOL_NETLINK, NETLINK_EXT_ACK: error messages too
    s.bind((0, 0))
    s.send(struct.pack("=LHHLL", 16 + len(payload), msgtype, flags, 1, 0) + payload)
    buffers = []
    while True:
        b = s.recv(1 << 16)
        buffers.append(b)
        off = 0
        while off + 16 <= len(b):
            length, kind = struct.unpack_from("=LH", b, off)
            if kind in (2, 3):  # NLMSG_ERROR, NLMSG_DONE
                s.close()
                return buffers
            if length < 16:
                break
            off += (length + 3) & ~3


def save(target, name, buffers):
    for i, b in enumerate(buffers):
        with open(os.path.join(corpus, target, f"{name}-{i}.bin"), "wb") as f:
            f.write(b)


def attr(kind, data):
    raw = struct.pack("=HH", 4 + len(data), kind) + data
    return raw + b"\0" * (-len(raw) % 4)


dump = NLM_F_REQUEST | NLM_F_DUMP
ifinfomsg = struct.pack("=BxHiII", 0, 0, 0, 0, 0)
save("netlink_fuzz", "links", exchange(0, 18, ifinfomsg, dump))            # RTM_GETLINK
save("netlink_fuzz", "addresses", exchange(0, 22, struct.pack("=BBBBi", 0, 0, 0, 0, 0), dump))
for family, name in ((socket.AF_INET, "routes4"), (socket.AF_INET6, "routes6")):
    rtmsg = struct.pack("=BBBBBBBBI", family, 0, 0, 0, 0, 0, 0, 0, 0)
    save("netlink_fuzz", name, exchange(0, 26, rtmsg, dump))               # RTM_GETROUTE
save("netlink_fuzz", "rules", exchange(0, 34, struct.pack("=BBBBBBBBI", 0, 0, 0, 0, 0, 0, 0, 0, 0), dump))
# An acknowledged success and a refusal with an extended-ack message: an
# address on a link index that does not exist, then a link with a bad kind.
lo = socket.if_nametoindex("lo")
ok_addr = struct.pack("=BBBBi", socket.AF_INET, 32, 0, 0, lo) + attr(2, bytes([127, 1, 2, 3]))
save("netlink_fuzz", "ack-ok", exchange(0, 20, ok_addr, NLM_F_REQUEST | NLM_F_ACK | 0x400))
bad_addr = struct.pack("=BBBBi", socket.AF_INET, 24, 0, 0, 99999) + attr(2, bytes([10, 0, 0, 1]))
save("netlink_fuzz", "ack-error", exchange(0, 20, bad_addr, NLM_F_REQUEST | NLM_F_ACK | 0x400))
bad_link = ifinfomsg + attr(3, b"x\0") + attr(18, attr(1, b"no-such-kind\0"))
save("netlink_fuzz", "ack-extack", exchange(0, 16, bad_link, NLM_F_REQUEST | NLM_F_ACK | 0x400))

# Generic netlink: CTRL_CMD_GETFAMILY (3) for "nlctrl", answered by the kernel.
genl = struct.pack("=BBH", 3, 1, 0) + attr(2, b"nlctrl\0")
save("wg_genl_fuzz", "getfamily-nlctrl", exchange(16, 0x10, genl, NLM_F_REQUEST | NLM_F_ACK))


def uapi(request):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect("/run/wireguard/wgu0.sock")
    s.sendall(request)
    out = b""
    while not out.endswith(b"\n\n"):
        chunk = s.recv(4096)
        if not chunk:
            break
        out += chunk
    s.close()
    return out


for name, request in (("get", b"get=1\n\n"), ("set-error", b"set=1\nlisten_port=x\n\n")):
    with open(os.path.join(corpus, "uapi_fuzz", name + ".txt"), "wb") as f:
        f.write(uapi(request))
EOF

# The device's keys were thrown away with its namespace; still, no key-shaped
# secret goes into the repository: fixed stand-ins replace them.
sed -i -E 's/^(private_key|preshared_key)=[0-9a-f]{64}$/\1=1111111111111111111111111111111111111111111111111111111111111111/' \
    "$corpus/uapi_fuzz/get.txt"

# The hand-assembled GET_DEVICE dump (the kernel module may be missing here),
# both parts in one receive buffer.
sed -e 's/#.*//' -e '/^@/d' tests/wg/golden/get_device_reply.hex | tr -d ' \n' | xxd -r -p \
    >"$corpus/wg_genl_fuzz/get-device-golden.bin"
echo "seeds written under $corpus"
