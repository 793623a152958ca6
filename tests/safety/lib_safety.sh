# Helpers shared by the safety tests (sourced after tests/netns/lib.sh).
#
# The world: build_world from lib.sh (gateway "gw" with uplink eth0
# 203.0.113.2/24 into "inet"), a default route in gw's main table (as a VPS
# has), a management host "mgmt" at 198.51.100.7 behind the internet
# namespace, and a TCP listener on the gateway's port 22 standing in for sshd.

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROFILES=$HERE/profiles
MGMT_SSH="198.51.100.7 50000 203.0.113.2 22"

command -v python3 >/dev/null || die "missing tool: python3 (the stand-in for sshd)"
[ -x "$VPNGW" ] || die "VPNGW=$VPNGW is not an executable (set VPNGW to the built vpngw)"

# The test must not see the SSH session it may run under: the guard would
# check that one instead of the test's.
unset SSH_CONNECTION

safety_world() {
    build_world
    in_ns gw ip route add default via 203.0.113.1
    add_client mgmt 7
    spawn_in gw python3 -m http.server 22 --bind 0.0.0.0
    local i
    for i in $(seq 50); do mgmt_reachable && return 0; sleep 0.1; done
    die "the listener on gw:22 did not come up"
}

# A new TCP connection from the management host to the gateway's port 22.
mgmt_reachable() {
    in_ns mgmt timeout 2 bash -c '</dev/tcp/203.0.113.2/22' 2>/dev/null
}

# The four dumps. With `dump --fresh`, what differs between two otherwise
# equal namespaces is masked: interface indexes (they grow with every link
# ever created), the random MAC of a new veth and the IPv6 link-local
# addresses derived from MACs or random (stable-privacy) tokens (and with
# them the order of those addresses in the local table).
dump() {
    if [ "${1:-}" = --fresh ]; then
        kernel_dump gw | sed -E 's/^[0-9]+: /N: /; s/@if[0-9]+/@ifN/;
            s/link\/ether [0-9a-f:]+ /link\/ether MAC /; s/fe80::[0-9a-f:]+ dev/fe80::LL dev/' |
            # the local table lists link-local addresses in address order
            awk '/^local fe80::LL /{held = held $0 "\n"; next}
                 held != "" {printf "%s", held | "sort"; close("sort"); held = ""} {print}
                 END {if (held != "") {printf "%s", held | "sort"; close("sort")}}'
    else
        kernel_dump gw
    fi
}

# dump_equal FILE_A FILE_B: equal, or show the difference.
same_file() {
    if cmp -s "$1" "$2"; then return 0; fi
    diff -u "$1" "$2" | head -40 >&2
    return 1
}

# The state directory's files with their contents' hashes (lock excluded:
# it holds the pid of the last run; a missing directory lists nothing).
state_listing() {
    local dir=$1
    [ -d "$dir" ] || return 0
    # The peer registry (peers.db, -wal, -shm) is not what a revert restores:
    # peer changes are refused while an apply is pending, and its -shm file
    # changes whenever it is read.
    (cd "$dir" && find . -type f ! -name lock ! -name revert.log ! -name 'peers.db*' | sort |
        xargs -r sha256sum)
}

# unchanged: the kernel's dump equals $SANDBOX_DIR/before (taken by the test).
unchanged() {
    dump >"$SANDBOX_DIR/after"
    same_file "$SANDBOX_DIR/before" "$SANDBOX_DIR/after"
}

# wait_gone FILE SECONDS: waits until FILE no longer exists.
wait_gone() {
    local i
    for i in $(seq $(($2 * 10))); do [ -e "$1" ] || return 0; sleep 0.1; done
    return 1
}

# timer_exits SECONDS: the revert timer is gone within SECONDS (bounded polling).
timer_exits() {
    local _
    for _ in $(seq $(($1 * 10))); do timer_running || return 0; sleep 0.1; done
    return 1
}

timer_running() {  # is a revert timer process alive in the gateway namespace?
    local pid
    for pid in $(ip netns pids gw); do
        grep -qa -- "__revert-timer" "/proc/$pid/cmdline" 2>/dev/null && return 0
    done
    return 1
}
