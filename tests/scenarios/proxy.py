#!/usr/bin/env python3
"""A stand-in transparent proxy for the scenario tests: it answers every TCP
connection with the original destination it was asked for and the client
address it sees, then closes it. It forwards nothing.

  proxy.py redirect NAME PORT   behind nat REDIRECT: the original destination
                                comes from conntrack (SO_ORIGINAL_DST for
                                IPv4, IP6T_SO_ORIGINAL_DST for IPv6).
  proxy.py tproxy NAME PORT     behind TPROXY: an IP_TRANSPARENT listener; the
                                original destination is the accepted
                                socket's own address (getsockname()).

The answer is one line: "NAME ORIG_DST_IP ORIG_DST_PORT CLIENT_IP".
"""
import ipaddress
import selectors
import socket
import struct
import sys

SO_ORIGINAL_DST = 80  # <linux/netfilter_ipv4.h>, level SOL_IP
IP6T_SO_ORIGINAL_DST = 80  # <linux/netfilter_ipv6/ip6_tables.h>, level SOL_IPV6
IP_TRANSPARENT = 19  # <linux/in.h>
IPV6_TRANSPARENT = 75  # <linux/in6.h>
SOL_IP = 0
SOL_IPV6 = 41


def listeners(mode, port):
    socks = []
    for family, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            s.setsockopt(SOL_IPV6, socket.IPV6_V6ONLY, 1)
        if mode == "tproxy":
            # Accept connections addressed to any (non-local) destination.
            if family == socket.AF_INET:
                s.setsockopt(SOL_IP, IP_TRANSPARENT, 1)
            else:
                s.setsockopt(SOL_IPV6, IPV6_TRANSPARENT, 1)
        s.bind((addr, port))
        s.listen(64)
        socks.append(s)
    return socks


def original_destination(mode, conn):
    if mode == "tproxy":
        local = conn.getsockname()
        return local[0], local[1]
    if conn.family == socket.AF_INET:
        raw = conn.getsockopt(SOL_IP, SO_ORIGINAL_DST, 16)  # struct sockaddr_in
        port, addr = struct.unpack_from("!H4s", raw, 2)
    else:
        raw = conn.getsockopt(SOL_IPV6, IP6T_SO_ORIGINAL_DST, 28)  # struct sockaddr_in6
        port, addr = struct.unpack_from("!H4x16s", raw, 2)
    return str(ipaddress.ip_address(addr)), port


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("redirect", "tproxy"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, name, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sel = selectors.DefaultSelector()
    for s in listeners(mode, port):
        sel.register(s, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            conn, peer = key.fileobj.accept()
            try:
                ip, dport = original_destination(mode, conn)
                conn.sendall(f"{name} {ip} {dport} {peer[0]}\n".encode())
            except OSError as e:
                conn.sendall(f"{name} error {e}\n".encode())
            finally:
                conn.close()


if __name__ == "__main__":
    sys.exit(main())
