#!/usr/bin/env python3
"""Bulk-loads peers into the fleet registry in etcd for bench/fleet_scale.sh.

Writes what `vpngw peer add` would (src/fleet/etcd_layout.hpp): the peer's
record under PREFIX/peers/NAME, its key claim PREFIX/keys/PUBKEY and its
address claim PREFIX/addresses/IP, 32 peers (128 operations, etcd's default
--max-txn-ops) per transaction through etcd's v3 JSON gateway. Random
public keys; IPv4 addresses counted up from FIRST in group GROUP.

usage: fleet_load.py URL CA CERT KEY PREFIX GROUP FIRST_IP FROM TO
       peers bench-FROM .. bench-(TO-1)
"""
import base64
import http.client
import ipaddress
import json
import os
import ssl
import sys
import time
from urllib.parse import urlparse


def b64(s):
    return base64.b64encode(s.encode()).decode()


def main():
    url, ca, cert, key, prefix, group, first_ip, lo, hi = sys.argv[1:10]
    lo, hi = int(lo), int(hi)
    u = urlparse(url)
    ctx = ssl.create_default_context(cafile=ca)
    ctx.load_cert_chain(cert, key)
    conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=30)
    base = ipaddress.IPv4Address(first_ip)
    now = int(time.time())
    batch = []

    def flush():
        if not batch:
            return
        body = json.dumps({"success": batch})
        conn.request("POST", "/v3/kv/txn", body, {"Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        if r.status != 200:
            sys.exit(f"etcd refused a transaction: HTTP {r.status} {data[:200]!r}")
        batch.clear()

    for i in range(lo, hi):
        name = f"bench-{i}"
        pub = base64.b64encode(os.urandom(32)).decode()
        addr = str(base + i)
        record = {"name": name, "group": group, "public_key": pub, "has_psk": False,
                  "created": now, "disabled": False, "address": addr}
        for k, v in ((f"{prefix}peers/{name}", json.dumps(record)),
                     (f"{prefix}keys/{pub}", name),
                     (f"{prefix}addresses/{addr}", name)):
            batch.append({"request_put": {"key": b64(k), "value": b64(v)}})
        if len(batch) >= 120:
            flush()
    flush()


if __name__ == "__main__":
    main()
