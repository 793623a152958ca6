# shellcheck shell=bash
# The forwarding benches' namespaces (sourced after tests/netns/lib.sh by
# bench/scale.sh and bench/limits_fwd.sh):
# cli (CLIENT_ADDR) --veth c0/rc--> rt --veth rs/s0--> srv (192.0.2.2).
router_topology() {  # router_topology CLIENT_ADDR
    local caddr=$1
    netns_add cli; netns_add rt; netns_add srv
    ip link add c0 netns cli type veth peer name rc netns rt
    ip link add rs netns rt type veth peer name s0 netns srv
    in_ns cli ip addr add "$caddr/32" dev c0
    in_ns rt ip addr add 10.99.255.1/32 dev rc
    in_ns rt ip addr add 192.0.2.1/24 dev rs
    in_ns srv ip addr add 192.0.2.2/24 dev s0
    in_ns cli ip link set c0 up
    in_ns rt ip link set rc up
    in_ns rt ip link set rs up
    in_ns srv ip link set s0 up
    in_ns cli ip route add 10.99.255.1/32 dev c0
    in_ns cli ip route add default via 10.99.255.1 dev c0
    in_ns rt ip route add "$caddr/32" dev rc
    in_ns srv ip route add default via 192.0.2.1
    in_ns rt sysctl -qw net.ipv4.ip_forward=1
}
