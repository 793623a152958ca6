#!/bin/bash
# Runs inside the test image (see vpngw-image-check.service). Every result is
# one "VPNGW-CHECK name=value" line on the console; the host decides.
unit=vpngw@imgtest.service
mark() { echo "VPNGW-CHECK $*"; }

# The unit's clock (CLOCK_MONOTONIC, microseconds) at its first entry with FIELD=VALUE.
first_entry_usec() {
    journalctl -u "$1" "$2" -o export --no-pager | sed -n 's/^__MONOTONIC_TIMESTAMP=//p' | head -n 1
}

# vpngw@ is Type=notify: active only after `up` sent READY=1, i.e. after its
# OP=up journal entry; a failing up never makes it active; journal fields.
notify_checks() {
    mark type=$(systemctl show -p Type --value "$unit") status=$(systemctl show -p StatusText --value "$unit")
    local applied active
    applied=$(first_entry_usec "$unit" OP=up)
    active=$(systemctl show -p ActiveEnterTimestampMonotonic --value "$unit")
    mark applied-usec=${applied:-none} active-usec=$active
    if [ -n "$applied" ] && [ "$applied" -le "$active" ]; then mark active-after-up=ok; else mark active-after-up=failed; fi

    printf '[gateway]\nname = "broken"\nnot_a_key = 1\n' > /etc/vpngw/broken.toml
    local rc=0 st res
    systemctl start vpngw@broken.service 2>/dev/null || rc=$?
    # Restart=on-failure: it may be waiting to retry ("activating"), never active.
    st=$(systemctl show -p ActiveState --value vpngw@broken.service)
    res=$(systemctl show -p Result --value vpngw@broken.service)
    mark broken-start-rc=$rc broken-state=$st broken-result=$res
    if [ "$rc" -ne 0 ] && [ "$st" != active ] && [ "$res" = exit-code ]; then
        mark broken-unit=failed
    else
        mark broken-unit=unexpected
    fi
    systemctl stop vpngw@broken.service; systemctl reset-failed vpngw@broken.service
    rm -f /etc/vpngw/broken.toml

    # From a shell, not from the unit: found under the unit by PEER=.
    /usr/sbin/vpngw peer add alice --group staff --qr none --profile "/etc/vpngw/imgtest.toml" >/dev/null 2>&1
    /usr/sbin/vpngw peer remove alice --profile "/etc/vpngw/imgtest.toml" >/dev/null 2>&1
    local ops
    ops=$(journalctl -u "$unit" PEER=alice -o export --no-pager | sed -n 's/^OP=//p' | tr '\n' ' ')
    mark journal-peer-ops="$ops"
    if [ "$ops" = "peer-add peer-remove " ]; then mark journal-peer=ok; else mark journal-peer=failed; fi
}

# vpngw-monitor@: Type=notify, and a stopped process is restarted by the
# watchdog (WatchdogSec shortened to 5 s here; the monitor lengthens it to
# what its probe timeouts need, 12 s with this profile).
monitor_checks() {
    local mon=vpngw-monitor@imgtest.service
    mkdir -p "/etc/systemd/system/$mon.d"
    printf '[Service]\nWatchdogSec=5s\n' > "/etc/systemd/system/$mon.d/test.conf"
    systemctl daemon-reload
    systemctl start "$mon"
    mark monitor=$(systemctl is-active "$mon") status=$(systemctl show -p StatusText --value "$mon")
    local first pid deadline=$((SECONDS + 180))
    first=$(systemctl show -p MainPID --value "$mon")
    [ "${first:-0}" -gt 1 ] || { mark watchdog=no-monitor; return; }
    kill -STOP "$first"
    while [ $SECONDS -lt $deadline ]; do
        pid=$(systemctl show -p MainPID --value "$mon")
        if [ "$pid" != "$first" ] && [ "$pid" != 0 ] && [ "$(systemctl is-active "$mon")" = active ]; then break; fi
        sleep 1
    done
    if [ "$pid" != "$first" ] && [ "$pid" != 0 ]; then
        mark watchdog=restarted first-pid=$first new-pid=$pid restarts=$(systemctl show -p NRestarts --value "$mon")
    else
        mark watchdog=not-restarted pid=$pid
        journalctl -u "$mon" --no-pager | tail -n 20
    fi
    journalctl -u "$mon" --no-pager | grep -qi 'watchdog timeout' && mark watchdog-log=ok
    systemctl stop "$mon"
}

case "$1" in
start)
    mark boot=up kernel=$(uname -r)
    mark package=$(dpkg-query -W -f='${Version}' vpngw 2>/dev/null || echo none)
    state=$(systemctl is-active "$unit")
    mark unit=$state
    [ "$state" = active ] || journalctl -u "$unit" --no-pager | tail -n 30
    notify_checks
    monitor_checks
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
