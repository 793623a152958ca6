#!/bin/bash
# Runs inside the test image (see vpngw-image-check.service). Every result is
# one "VPNGW-CHECK name=value" line on the console; the host decides.
unit=vpngw@imgtest.service
mark() { echo "VPNGW-CHECK $*"; }

case "$1" in
start)
    mark boot=up kernel=$(uname -r)
    state=$(systemctl is-active "$unit")
    mark unit=$state
    [ "$state" = active ] || journalctl -u "$unit" --no-pager | tail -n 30
    if ip -d link show wg0 2>/dev/null | grep -q 'wireguard' && ! pgrep -x wireguard-go >/dev/null &&
        grep -q '^wireguard ' /proc/modules; then
        mark wg0=kernel
    else
        mark wg0=missing-or-userspace
        ip -d link show wg0
    fi
    mark server-public-key=$(wg show wg0 public-key)
    mark listen-port=$(wg show wg0 listen-port)
    mark nft-table=$(nft list tables | grep -c 'inet vpngw')
    # Reload is an incremental `vpngw up`: nothing to change, still active.
    if systemctl reload "$unit" && [ "$(systemctl is-active "$unit")" = active ] &&
        journalctl -u "$unit" --no-pager | grep -q 'nothing to do'; then
        mark reload=ok
    else
        mark reload=failed
    fi
    [ -s /etc/ssh/ssh_host_ed25519_key ] && mark ssh-hostkeys=generated
    mark ssh=$(systemctl is-active ssh.service)
    mark wg-key-mode=$(stat -c %a /var/lib/vpngw/wg0.key 2>/dev/null || echo missing)
    mark rootfs-mb=$(df -BM --output=size / | tail -n1 | tr -d ' M')
    systemd-analyze security "$unit" --no-pager | sed 's/^/VPNGW-SECURITY /'
    # The kernel backend's netlink checks, here because this kernel has WireGuard.
    if /usr/local/lib/vpngw-test/wg_kernel_module_test 2>&1 | tee /tmp/gtest.log |
        grep -E '^\[  (PASSED|FAILED|SKIPPED) |^\[       OK|^\[  FAILED' | sed 's/^/VPNGW-GTEST /'; then :; fi
    if grep -q '^\[  PASSED  \] 3 tests' /tmp/gtest.log && ! grep -q 'SKIPPED\|FAILED' /tmp/gtest.log; then
        mark gtest=ok
    else
        mark gtest=failed
        tail -n 40 /tmp/gtest.log
    fi
    mark ready
    ;;
stop)
    # At shutdown, before vpngw@ stops: did the host's client shake hands?
    if wg show wg0 latest-handshakes | awk '$2 > 0 { found = 1 } END { exit !found }'; then
        mark handshake=ok
    else
        mark handshake=none
    fi
    mark transfer="$(wg show wg0 transfer | awk '{ print $2 "/" $3 }')"
    ;;
down)
    # After vpngw@ stopped: `vpngw down` removed wg0 and the nft table.
    if ! ip link show wg0 >/dev/null 2>&1 && ! nft list table inet vpngw >/dev/null 2>&1; then
        mark down=ok
    else
        mark down=leftovers
    fi
    ;;
esac
