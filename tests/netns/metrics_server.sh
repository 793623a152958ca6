#!/usr/bin/env bash
# `vpngw metrics --listen` under attack, on loopback only: a bare :PORT binds
# 127.0.0.1; without the bearer token (or with a wrong one) the answer is 401;
# 500 slow connections dribbling partial request heads do not stop a scrape
# from another client (bounded by curl --max-time); the same over TLS with a
# self-signed certificate made here. Runs in its own network namespace
# (unshare -n), so the listening ports never exist in the host's.
set -euo pipefail

VPNGW=${VPNGW:-vpngw}
[ "$(id -u)" -eq 0 ] || { echo "FATAL: needs root (unshare -n)" >&2; exit 1; }
for tool in unshare ip curl openssl python3 ss; do
    command -v "$tool" >/dev/null || { echo "FATAL: missing tool $tool" >&2; exit 1; }
done
if [ -z "${VPNGW_METRICS_NETNS:-}" ]; then
    export VPNGW_METRICS_NETNS=1
    exec unshare -n -- "$BASH" "$0" "$@"
fi
ip link set lo up

dir=$(mktemp -d /tmp/vpngw-metrics.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$dir"
}
trap cleanup EXIT

FAILURES=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; FAILURES=$((FAILURES + 1)); }

mkdir -m 0700 "$dir/state"
cat >"$dir/gw.toml" <<EOF
[gateway]
name = "metrics-test"
endpoint = "192.0.2.1:51820"
state_dir = "$dir/state"

[[interface]]
name = "wgm0"
listen_port = 51820
address = ["10.77.0.1/24"]

[[group]]
name = "staff"
interface = "wgm0"
subnet = "10.77.0.0/25"
EOF
head -c 32 /dev/urandom | base64 | tr -d '/+=' >"$dir/token"
echo "not-the-token" >"$dir/wrong"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null

# Waits (bounded) until something accepts TCP connections on 127.0.0.1:$1.
wait_listening() {
    for _ in $(seq 100); do
        ss -Hltn "sport = :$1" | grep -q . && return 0
        sleep 0.1
    done
    return 1
}

start_server() {  # PORT [extra options...]
    local port=$1
    shift
    "$VPNGW" metrics "$dir/gw.toml" --listen ":$port" --token-file "$dir/token" "$@" \
        2>>"$dir/server.log" &
    PIDS+=($!)
    wait_listening "$port" || { cat "$dir/server.log"; echo "FATAL: no server on $port"; exit 1; }
}

# HTTP status of a scrape; curl's own bound keeps a hung server from hanging us.
scrape() {  # URL [curl options...]
    local url=$1
    shift
    curl -s -o "$dir/body" -w '%{http_code}' --max-time 3 "$@" "$url" || true
}

start_server 19586
start_server 19587 --tls-cert "$dir/cert.pem" --tls-key "$dir/key.pem"

# --- the bind: loopback unless every address is asked for by name
if ss -Hltn 'sport = :19586' | awk '{print $4}' | grep -qx '127.0.0.1:19586'; then
    pass "--listen :PORT binds 127.0.0.1 only"
else
    fail "--listen :PORT binds $(ss -Hltn 'sport = :19586' | awk '{print $4}'), not 127.0.0.1"
fi

# --- bearer token
url=http://127.0.0.1:19586/metrics
auth=(-H "Authorization: Bearer $(cat "$dir/token")")
code=$(scrape "$url")
[ "$code" = 401 ] && pass "no token: 401" || fail "no token: $code, want 401"
code=$(scrape "$url" -H "Authorization: Bearer $(cat "$dir/wrong")")
[ "$code" = 401 ] && pass "wrong token: 401" || fail "wrong token: $code, want 401"
code=$(scrape "$url" -H "Authorization: Bearer $(cat "$dir/token")x")
[ "$code" = 401 ] && pass "token with a suffix: 401" || fail "token with a suffix: $code, want 401"
code=$(scrape "$url" "${auth[@]}")
if [ "$code" = 200 ] && grep -q '^vpngw_' "$dir/body"; then
    pass "right token: 200 with vpngw_ metrics"
else
    fail "right token: $code, want 200 with metrics"
fi
if grep -qF "$(cat "$dir/token")" "$dir/server.log"; then
    fail "the token appears in the server's output"
else
    pass "the token never appears in the server's output"
fi

# --- 500 slow connections, then another client's scrape
# Opens N connections, sends each a partial request head, prints "ready",
# then dribbles one more header byte per connection every 0.5 s (so a
# per-read timeout never fires) until stdin closes or 60 s pass.
cat >"$dir/slowloris.py" <<'EOF'
import select, socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    socks.append(s)
print("ready", len(socks), flush=True)
end = time.monotonic() + 60
while time.monotonic() < end:
    if select.select([sys.stdin], [], [], 0.5)[0]:
        break
    for s in socks:
        try:
            s.send(b"a")
        except OSError:
            pass  # dropped by the server: that is its right
EOF

slow_scrape() {  # PORT URL [curl options...]
    local port=$1 url=$2
    shift 2
    coproc SLOW { exec python3 "$dir/slowloris.py" "$port" 500; }
    PIDS+=("$SLOW_PID")
    local line
    if ! read -r -t 60 line <&"${SLOW[0]}" || [ "${line%% *}" != ready ]; then
        fail "could not open 500 slow connections to port $port"
        return
    fi
    local start end code
    start=$(date +%s%N)
    code=$(scrape "$url" "$@")
    end=$(date +%s%N)
    local ms=$(((end - start) / 1000000))
    if [ "$code" = 200 ]; then
        pass "scrape on port $port with 500 slow connections open: 200 in ${ms} ms (bound 3000 ms)"
    else
        fail "scrape on port $port with 500 slow connections open: '$code' after ${ms} ms"
    fi
    local to_slow=${SLOW[1]}
    eval "exec ${to_slow}>&-"  # closes the slow client's stdin: it exits
    wait "$SLOW_PID" 2>/dev/null || true
}

slow_scrape 19586 "$url" "${auth[@]}"

# --- TLS: the same checks over HTTPS, the certificate checked by curl
tls_url=https://127.0.0.1:19587/metrics
code=$(scrape "$tls_url" --cacert "$dir/cert.pem")
[ "$code" = 401 ] && pass "TLS, no token: 401" || fail "TLS, no token: $code, want 401"
code=$(scrape "$tls_url" --cacert "$dir/cert.pem" "${auth[@]}")
if [ "$code" = 200 ] && grep -q '^vpngw_' "$dir/body"; then
    pass "TLS, right token: 200 with vpngw_ metrics"
else
    fail "TLS, right token: $code, want 200"
fi
slow_scrape 19587 "$tls_url" --cacert "$dir/cert.pem" "${auth[@]}"

echo "metrics_server: $FAILURES failure(s)"
[ "$FAILURES" -eq 0 ]
