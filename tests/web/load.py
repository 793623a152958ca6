#!/usr/bin/python3
"""Load and abuse for `vpngw serve`, on loopback (load.sh runs it in a
network namespace of its own). Prints figures and one "ok"/"FAIL" line per
check; exits non-zero when a check fails. Every loop and wait is bounded.

usage: load.py PORT TOKEN CLIENTS SLOW
"""
import http.client
import json
import socket
import statistics
import sys
import threading
import time

port, token, clients, slow = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
failures = 0


def check(what, ok):
    global failures
    print(("ok   - " if ok else "FAIL - ") + what, flush=True)
    failures += 0 if ok else 1


def request(method, path, body=None, timeout=120):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Authorization": "Bearer " + token}
    if body is not None:
        headers["Content-Type"] = "application/json"
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


# --- many clients adding peers at once ---
results = [None] * clients
start = threading.Barrier(clients)


def add(i):
    start.wait(timeout=60)
    t0 = time.monotonic()
    try:
        status, data = request("POST", "/api/v1/peers", {"name": f"load{i}", "group": "staff"})
        results[i] = (status, time.monotonic() - t0, json.loads(data))
    except Exception as e:  # a refused or dropped connection is a failed add
        results[i] = (0, time.monotonic() - t0, {"error": str(e)})


threads = [threading.Thread(target=add, args=(i,)) for i in range(clients)]
t0 = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join(timeout=300)
wall = time.monotonic() - t0
done = [r for r in results if r is not None]
ok = [r for r in done if r[0] == 201]
check(f"{len(ok)} of {clients} concurrent adds answered 201", len(ok) == clients)
if len(ok) != clients:
    print("  first failures:", [r for r in done if r[0] != 201][:3])
addresses = [r[2]["peer"]["address"] for r in ok]
check("every added peer got its own address", len(set(addresses)) == len(addresses))
lat = sorted(r[1] for r in ok) or [0]
p50 = statistics.median(lat)
p99 = lat[min(len(lat) - 1, int(round(0.99 * (len(lat) - 1))))]
print(f"figures: {clients} concurrent adds in {wall:.2f} s: p50 {p50 * 1000:.0f} ms, "
      f"p99 {p99 * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms, {clients / wall:.1f} adds/s", flush=True)
status, data = request("GET", "/api/v1/peers?q=load")
listed = {p["name"] for p in json.loads(data)["peers"]}
check("the API lists every one of them", listed == {f"load{i}" for i in range(clients)})

# --- slow connections must not block another client ---
socks = []
for i in range(slow):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /api/v1/peers HTTP/1.1\r\nHost: x\r\n")  # a head that never ends
    socks.append(s)
print(f"figures: {len(socks)} slow connections open", flush=True)
t0 = time.monotonic()
try:
    status, _ = request("GET", "/api/v1/status", timeout=5)
except Exception as e:
    status = str(e)
took = time.monotonic() - t0
check(f"with {slow} slow connections open, another client is answered ({status}) in {took * 1000:.0f} ms",
      status == 200 and took < 5)
# Dribbling one more header line each keeps them slow, not idle.
for s in socks:
    try:
        s.sendall(b"X-Slow: 1\r\n")
    except OSError:
        pass
status, _ = request("GET", "/api/v1/peers/load0", timeout=5)
check(f"and again while they dribble ({status})", status == 200)
for s in socks:
    s.close()
print(f"load: {failures} failed")
sys.exit(1 if failures else 0)
