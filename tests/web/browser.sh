#!/usr/bin/env bash
# `vpngw serve` end to end, in network namespaces: a gateway (`vpngw up`,
# userspace WireGuard) serves its API and page on its own loopback; headless
# Chromium in that namespace logs in with a token, adds alice through the
# page and shows her QR code; the QR code, decoded by zbarimg, is the config
# a real client (wireguard-go + wg, not vpngw code) in another namespace
# connects with. A peer added with the CLI shows in the API and the reverse;
# the one-time link works once, then answers 410; hostile text stays text
# (browser_test.py). Also: plain HTTP off loopback is refused without
# --insecure, and HTTPS with a certificate made here works.
# Screenshots go to $VPNGW_ARTIFACTS (default: build/artifacts/web).
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../netns/lib.sh"
for tool in chromium chromedriver zbarimg curl openssl; do
    command -v "$tool" >/dev/null || die "missing tool: $tool (scripts/install-deps)"
done
/usr/bin/python3 -c 'import selenium' 2>/dev/null || die "missing python3-selenium (scripts/install-deps)"
artifacts=${VPNGW_ARTIFACTS:-$here/../../build/artifacts/web}
mkdir -p "$artifacts"
artifacts=$(cd "$artifacts" && pwd)
enter_sandbox "$@"

profile=$here/profiles/web.toml
state=$SANDBOX_DIR/state
base=http://127.0.0.1:8443
cli() { vpngw_gw "$@" --profile "$profile" --state-dir "$state"; }

netns_add gw
netns_add alice
veth_pair gw eth0 203.0.113.2/24 alice eth0 203.0.113.1/24
set +e

out=$(vpngw_gw up "$profile" --state-dir "$state" 2>&1)
check "vpngw up brings the gateway up" test $? -eq 0 || echo "$out"

token=$(cli token create --scope write --name browser 2>/dev/null)
check "token create prints a token" grep -qE '^vpngw_[A-Za-z0-9_-]{43}$' <<<"$token"
check "api.db holds no token in clear" bash -c "! grep -qF '${token#vpngw_}' '$state/api.db'"

# Wait (bounded) until the server answers.
wait_http() {  # URL [curl options]
    local url=$1; shift
    for _ in $(seq 100); do
        in_ns gw curl -s -o /dev/null --max-time 1 "$@" "$url" && return 0
        sleep 0.1
    done
    return 1
}

# --- transport rules: no clear text off loopback unless asked ---
in_ns gw "$VPNGW" serve "$profile" --state-dir "$state" --listen 203.0.113.2:8080 \
    >"$SANDBOX_DIR/refused.out" 2>&1
rc=$?
check "serve refuses plain HTTP on 203.0.113.2 (exit $rc)" test $rc -eq 2
check "the refusal says why" grep -q -- "--tls-cert" "$SANDBOX_DIR/refused.out"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj /CN=gw -addext subjectAltName=IP:203.0.113.2 \
    -keyout "$SANDBOX_DIR/key.pem" -out "$SANDBOX_DIR/cert.pem" 2>/dev/null
spawn_in gw "$VPNGW" serve "$profile" --state-dir "$state" --listen 203.0.113.2:8444 \
    --tls-cert "$SANDBOX_DIR/cert.pem" --tls-key "$SANDBOX_DIR/key.pem" 2>"$SANDBOX_DIR/tls.log"
check "serve listens with TLS on 203.0.113.2" \
    wait_http https://203.0.113.2:8444/ --cacert "$SANDBOX_DIR/cert.pem"
code=$(in_ns alice curl -s -o "$SANDBOX_DIR/tls.json" -w '%{http_code}' --max-time 5 \
    --cacert "$SANDBOX_DIR/cert.pem" -H "Authorization: Bearer $token" \
    https://203.0.113.2:8444/api/v1/peers)
check "the API answers over TLS from another host ($code)" test "$code" = 200
hsts=$(in_ns alice curl -s -D - -o /dev/null --max-time 5 --cacert "$SANDBOX_DIR/cert.pem" \
    https://203.0.113.2:8444/ | tr -d '\r')
check "HTTPS responses carry Strict-Transport-Security" grep -qi '^strict-transport-security:' <<<"$hsts"

# --- the page on the gateway's loopback ---
spawn_in gw "$VPNGW" serve "$profile" --state-dir "$state" 2>"$SANDBOX_DIR/serve.log"
check "serve listens on 127.0.0.1:8443" wait_http "$base/"

# A peer the CLI adds shows in the API.
cli peer add carol --group staff --qr none >/dev/null 2>&1
check "the API lists carol, added with the CLI" \
    bash -c "ip netns exec gw curl -s -H 'Authorization: Bearer $token' $base/api/v1/peers/carol | grep -q '\"group\":\"staff\"'"

code=$(in_ns gw curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d '{"name":"dave","group":"guests"}' "$base/api/v1/peers")
check "the API adds dave ($code)" test "$code" = 201
check "vpngw peer list shows dave, added through the API" bash -c "$(declare -f in_ns); \
    ip netns exec gw '$VPNGW' peer list --profile '$profile' --state-dir '$state' | grep -q '^dave '"
check "the gateway's WireGuard has carol and dave" test "$(in_ns gw wg show wg0 peers | wc -l)" -eq 2

# `vpngw peer link`: the page once, the config once, then 410 Gone.
link=$(cli peer link dave --ttl 24h --url "$base" 2>/dev/null)
check "peer link prints a link to the server" grep -qE "^$base/l/[A-Za-z0-9_-]{43}\$" <<<"$link"
status() { in_ns gw curl -s -o "$SANDBOX_DIR/body" -w '%{http_code}' --max-time 5 "$@"; }
check "the link's page answers 200" test "$(status "$link")" = 200
redeem=(-H 'Content-Type: application/json' -d "{\"secret\":\"${link##*/}\"}" "$base/api/v1/links/redeem")
check "the link gives dave's config once" test "$(status "${redeem[@]}")" = 200
check "the config is dave's" grep -q '"name":"dave"' "$SANDBOX_DIR/body"
check "a second use answers 410" test "$(status "${redeem[@]}")" = 410
check "the link's page answers 410 now" test "$(status "$link")" = 410

# --- the browser: log in, add alice, QR, one-time link, hostile text ---
/usr/bin/python3 -c 'import selenium' && in_ns gw /usr/bin/python3 "$here/browser_test.py" \
    "$base" "$token" "$artifacts" 2>"$SANDBOX_DIR/selenium.err"
rc=$?
check "the browser checks pass" test $rc -eq 0
[ $rc -eq 0 ] || grep -v "^#[0-9]" "$SANDBOX_DIR/selenium.err" | tail -20
check "vpngw peer list shows alice, added in the browser" bash -c \
    "ip netns exec gw '$VPNGW' peer list --profile '$profile' --state-dir '$state' | grep -q '^alice '"

# --- alice connects with the config her QR code holds ---
if [ -s "$artifacts/alice.conf" ]; then
    cp "$artifacts/alice.conf" "$SANDBOX_DIR/alice.conf"
    rm -f "$artifacts/alice.conf"  # a private key: not an artifact
    # The config's endpoint is the gateway's public address, which alice reaches directly.
    client_up alice wgc0 "$SANDBOX_DIR/alice.conf" 10.68.0.0/16
    for _ in $(seq 10); do pings alice 10.68.0.1 1 && break; sleep 0.5; done
    check "alice pings the gateway through the tunnel, with the config from the QR code" \
        pings alice 10.68.0.1 3
    alice_pub=$(sed -n 's/^PrivateKey = //p' "$SANDBOX_DIR/alice.conf" | wg pubkey)
    check "the gateway saw alice's handshake" bash -c \
        "ip netns exec gw wg show wg0 latest-handshakes | awk -v k='$alice_pub' '\$1 == k && \$2 > 0' | grep -q ."
else
    check "the QR code gave a config" false
fi

# --- nothing secret in the server's log ---
check "the log has no token" bash -c "! grep -qF -- '${token#vpngw_}' '$SANDBOX_DIR/serve.log'"
check "the log has no link secret" bash -c "! grep -qF -- '${link##*/}' '$SANDBOX_DIR/serve.log'"
check "the log has no private key" bash -c "! grep -q PrivateKey '$SANDBOX_DIR/serve.log'"
check "the log has a line per request" grep -q 'POST /api/v1/peers 201 session of token' "$SANDBOX_DIR/serve.log"

echo "screenshots: $(ls "$artifacts"/*.png 2>/dev/null | xargs -n1 basename | tr '\n' ' ')"
finish
