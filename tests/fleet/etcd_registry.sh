#!/usr/bin/env bash
# The etcd registry backend against one real etcd member (TLS, client
# certificates) in its own network namespace: runs fleet_etcd_registry_test
# (etcd_registry_test.cpp) there. Label `fleet`; needs root.
. "$(dirname "$0")/../netns/lib.sh"
enter_sandbox "$@"
. "$(dirname "$0")/fleet_lib.sh"
ETCD_REGISTRY_TEST=${ETCD_REGISTRY_TEST:?set ETCD_REGISTRY_TEST}

netns_add etcd
make_certs "$SANDBOX_DIR/certs"
etcd_start etcd solo 127.0.0.1 "solo=https://127.0.0.1:2380" new "$SANDBOX_DIR/certs"
wait_for 20 "etcd member healthy" etcd_healthy etcd 127.0.0.1 "$SANDBOX_DIR/certs"

check "registry tests against etcd" env FLEET_ETCD=127.0.0.1:2379 \
    FLEET_CA="$SANDBOX_DIR/certs/ca.pem" FLEET_OTHER_CA="$SANDBOX_DIR/certs/other-ca.pem" \
    FLEET_CERT="$SANDBOX_DIR/certs/client.pem" FLEET_KEY="$SANDBOX_DIR/certs/client.key" \
    ip netns exec etcd "$ETCD_REGISTRY_TEST"
finish
