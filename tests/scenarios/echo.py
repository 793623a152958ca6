#!/usr/bin/env python3
"""Tiny TCP peers for the scenario tests.

  echo.py serve NAME PORT     answer every TCP connection on PORT (IPv4 and
                              IPv6) with "NAME PEER_ADDRESS" and close it, so
                              the client learns which host answered and what
                              source address that host saw after NAT.
  echo.py hold PORT           accept TCP connections on PORT and keep them open.
  echo.py probe HOST PORT [--src ADDR] [--timeout S]
                              connect, print the server's line, exit 0; exit 1
                              when the connection is refused or times out.
  echo.py open HOST PORT COUNT [--timeout S]
                              open COUNT connections one after another and keep
                              them open; print how many were established.
  echo.py talk NAME PORT      like serve, but keep each connection and answer
                              every line received with "NAME echo LINE".
  echo.py tally HOST PORT COUNT [--timeout S]
                              COUNT connections one after another; print how
                              many each server NAME answered ("isp1 150").
  echo.py keep HOST PORT WANT GO OUT [--timeout S]
                              connect until the server that answers is WANT,
                              keep that connection, write "held" to OUT; once
                              the file GO exists send a line through it and
                              write the answer (or "lost: ERROR") to OUT.
"""
import collections
import os
import threading
import time
import argparse
import selectors
import socket
import sys


def listeners(port):
    socks = []
    for family, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, port))
        s.listen(64)
        socks.append(s)
    return socks


def serve(name, port, keep):
    sel = selectors.DefaultSelector()
    for s in listeners(port):
        sel.register(s, selectors.EVENT_READ)
    held = []
    while True:
        for key, _ in sel.select():
            conn, peer = key.fileobj.accept()
            if keep:
                held.append(conn)
                continue
            try:
                conn.sendall(f"{name} {peer[0]}\n".encode())
            finally:
                conn.close()


def connect(host, port, src, timeout):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if src:
        s.bind((src, 0))
    s.connect((host, port))
    return s


def probe(host, port, src, timeout):
    try:
        with connect(host, port, src, timeout) as s:
            data = s.recv(200).decode().strip()
    except OSError as e:
        print(f"probe {host}:{port}: {e}", file=sys.stderr)
        return 1
    if not data:
        print(f"probe {host}:{port}: no answer", file=sys.stderr)
        return 1
    print(data)
    return 0


def open_many(host, port, count, timeout):
    held, ok = [], 0
    for _ in range(count):
        try:
            held.append(connect(host, port, None, timeout))
            ok += 1
        except OSError:
            pass
    print(ok)
    return 0


def talk(name, port):
    def converse(conn, peer):
        with conn:
            conn.sendall(f"{name} {peer[0]}\n".encode())
            for line in conn.makefile("r"):
                conn.sendall(f"{name} echo {line.strip()}\n".encode())

    sel = selectors.DefaultSelector()
    for s in listeners(port):
        sel.register(s, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            conn, peer = key.fileobj.accept()
            threading.Thread(target=converse, args=(conn, peer), daemon=True).start()


def tally(host, port, count, timeout):
    seen = collections.Counter()
    for _ in range(count):
        try:
            with connect(host, port, None, timeout) as s:
                seen[s.makefile("r").readline().split(" ")[0] or "(empty)"] += 1
        except OSError:
            seen["(failed)"] += 1
    for name, n in sorted(seen.items()):
        print(name, n)
    return 0


def keep(host, port, want, go, out, timeout):
    def report(text):
        with open(out + ".tmp", "w") as f:
            f.write(text + "\n")
        os.replace(out + ".tmp", out)

    for _ in range(50):
        s = connect(host, port, None, timeout)
        reader = s.makefile("r")
        if reader.readline().split(" ")[0] == want:
            break
        s.close()
    else:
        report(f"never reached {want}")
        return 1
    report("held")
    while not os.path.exists(go):
        time.sleep(0.1)
    try:
        s.sendall(b"still-there\n")
        report(reader.readline().strip() or "lost: closed")
    except OSError as e:
        report(f"lost: {e}")
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("name")
    s.add_argument("port", type=int)
    h = sub.add_parser("hold")
    h.add_argument("port", type=int)
    c = sub.add_parser("probe")
    c.add_argument("host")
    c.add_argument("port", type=int)
    c.add_argument("--src")
    c.add_argument("--timeout", type=float, default=3)
    o = sub.add_parser("open")
    o.add_argument("host")
    o.add_argument("port", type=int)
    o.add_argument("count", type=int)
    o.add_argument("--timeout", type=float, default=2)
    t = sub.add_parser("talk")
    t.add_argument("name")
    t.add_argument("port", type=int)
    y = sub.add_parser("tally")
    y.add_argument("host")
    y.add_argument("port", type=int)
    y.add_argument("count", type=int)
    y.add_argument("--timeout", type=float, default=2)
    k = sub.add_parser("keep")
    for arg in ("host", "port", "want", "go", "out"):
        k.add_argument(arg, type=int if arg == "port" else str)
    k.add_argument("--timeout", type=float, default=2)
    a = p.parse_args()
    if a.cmd == "talk":
        return talk(a.name, a.port)
    if a.cmd == "tally":
        return tally(a.host, a.port, a.count, a.timeout)
    if a.cmd == "keep":
        return keep(a.host, a.port, a.want, a.go, a.out, a.timeout)
    if a.cmd == "serve":
        return serve(a.name, a.port, False)
    if a.cmd == "hold":
        return serve("", a.port, True)
    if a.cmd == "probe":
        return probe(a.host, a.port, a.src, a.timeout)
    return open_many(a.host, a.port, a.count, a.timeout)


if __name__ == "__main__":
    sys.exit(main())
