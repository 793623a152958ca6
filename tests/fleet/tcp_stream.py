#!/usr/bin/env python3
"""An established TCP connection that must survive a failover.

client HOST PORT SOURCE LOG: connects once, sends a numbered line every 100 ms
and checks each echo comes back in order; appends "echo SEQ UNIX_TIME" to LOG
for every echo and ends with "error ..." (exit 1) when the connection breaks
or an echo is wrong. SIGTERM ends it with "closed" (exit 0).
server HOST PORT: echoes every line back, one thread per connection.
"""
import signal
import socket
import sys
import threading
import time


def serve(host, port):
    srv = socket.create_server((host, port), reuse_port=False)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=echo, args=(conn,), daemon=True).start()


def echo(conn):
    with conn:
        while True:
            data = conn.recv(4096)
            if not data:
                return
            conn.sendall(data)


def client(host, port, source, log_path):
    log = open(log_path, "a", buffering=1)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sock = socket.create_connection((host, port), timeout=60, source_address=(source, 0))
    reader = sock.makefile("r")
    sent = 0
    got = 0
    failure = []

    def receive():
        nonlocal got
        try:
            for line in reader:
                want = got + 1
                if line.strip() != str(want):
                    failure.append("echo %r, expected %d" % (line.strip(), want))
                    break
                got = want
                log.write("echo %d %.3f\n" % (got, time.time()))
            else:
                failure.append("connection closed by the peer")
        except OSError as e:
            failure.append(str(e))
        stop.set()

    threading.Thread(target=receive, daemon=True).start()
    try:
        while not stop.is_set():
            sent += 1
            sock.sendall(b"%d\n" % sent)
            stop.wait(0.1)
    except OSError as e:
        failure.append(str(e))
    if failure:
        log.write("error %s\n" % failure[0])
        sys.exit(1)
    log.write("closed\n")


if __name__ == "__main__":
    if sys.argv[1] == "server":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        client(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
