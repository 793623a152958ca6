#pragma once

// The validated profile as plain values. The loader (src/profile) fills it;
// everything downstream reads it and never sees TOML.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/cluster.hpp"
#include "model/peer_limits.hpp"
#include "util/ip.hpp"
#include "util/key.hpp"
#include "util/location.hpp"

namespace vpngw::model {

// Where each key of a table was written, so later layers (plan, kernel
// errors) can point back at the exact profile line: field name -> location.
struct Origin {
    Location table;                          // the [table] or [[array]] header
    std::map<std::string, Location> fields;  // "subnet" -> file:12:10

    // The field's location, or the table's when the field was not written.
    const Location& at(const std::string& field) const;
};

struct Gateway {
    std::string name;
    std::optional<Endpoint> endpoint;  // what client configs point at
    std::string state_dir = "/var/lib/vpngw";
    Origin origin;
};

enum class NatMode { masquerade, snat, none };

// How the health monitor (`vpngw monitor`) decides an uplink works: an ICMP
// echo, sent through the uplink (its fwmark and device), to its gateway or to
// a target address, every `interval` seconds.
struct HealthCheck {
    enum class Probe { gateway, address };
    Probe probe = Probe::gateway;
    std::optional<IpAddress> target;  // with probe = "address"
    int interval = 5;                 // seconds between probes
    int timeout = 1;                  // seconds to wait for the echo reply
    int fail_after = 3;               // consecutive failures before "down"
    int recover_after = 2;            // consecutive successes before "up" again
    Origin origin;
};

struct Uplink {
    std::string name;
    std::string device;
    std::optional<IpAddress> gateway;   // IPv4 next hop
    std::optional<IpAddress> gateway6;  // IPv6 next hop
    std::uint32_t table = 0;            // routing table id (allocated when not written)
    std::uint32_t fwmark = 0;           // fwmark selecting that table (allocated likewise)
    bool table_explicit = false;
    bool fwmark_explicit = false;
    NatMode nat = NatMode::masquerade;
    std::optional<IpAddress> snat_to;   // with nat = "snat"
    std::optional<IpAddress> snat_to6;  // with nat = "snat", for IPv6
    std::optional<HealthCheck> health;  // probed by `vpngw monitor`; none = always up
    Origin origin;
};

enum class Backend { automatic, kernel, userspace };
// wireguard-go (the userspace backend) holds at most this many peers on one
// device; `wg setconf` past it fails. The kernel module allows 2^20.
inline constexpr std::size_t kUserspacePeerLimit = 65536;

struct Interface {
    std::string name;
    std::uint16_t listen_port = 51820;
    int mtu = 1420;
    std::vector<Prefix> addresses;  // interface addresses with host bits: 10.8.0.1/16
    std::string private_key_file;   // empty: <state_dir>/<name>.key, generated on first up
    Backend backend = Backend::automatic;
    std::uint32_t fwmark = 0;  // WireGuard's own socket mark; 0 = none
    Origin origin;
};

enum class Proto { any, tcp, udp, icmp };

// One entry of a group's allow list: a destination (another group, a prefix,
// the internet or anything) and optionally a protocol and port range. An
// entry written with a leading "!" is an exclusion: what it names is dropped
// whatever the inclusions say (docs/profile.md, "Precedence").
struct AllowEntry {
    // internet: every destination outside the private, local and special
    // ranges and outside vpngw's own subnets and interface prefixes
    // (plan/nft_internet.cpp).
    enum class Kind { group, prefix, any, internet } kind = Kind::any;
    bool exclude = false;  // written "!TARGET ..."
    std::string group;     // with Kind::group
    Prefix prefix;         // with Kind::prefix
    Proto proto = Proto::any;
    std::uint16_t port_from = 0;  // 0 = all ports
    std::uint16_t port_to = 0;
    std::string text;  // as written, for messages and plan output
    Location where;
};

enum class Tunnel { full, split };

// Transparent proxying of a group's TCP connections to a proxy on the gateway.
enum class ProxyMode {
    redirect,  // nat REDIRECT: the proxy reads the destination with SO_ORIGINAL_DST
    tproxy,    // TPROXY: the proxy (IP_TRANSPARENT) sees it as its local address
};

struct PortRange {
    std::uint16_t from = 0;
    std::uint16_t to = 0;  // == from for a single port
};

// The mark and routing table that deliver TPROXY'd packets to the local
// proxy socket (`ip rule fwmark M lookup T`, `local default dev lo table T`).
// Fixed values just below the uplinks' allocated ones (51001+, 0x51001+), so
// adding an uplink never moves them.
inline constexpr std::uint32_t kProxyTable = 51000;
inline constexpr std::uint32_t kProxyMark = 0x51000;

struct Proxy {
    std::vector<PortRange> ports;  // TCP destination ports intercepted
    std::uint16_t to = 0;          // the local proxy's port
    ProxyMode mode = ProxyMode::redirect;
    std::vector<Prefix> exempt;  // destinations that go direct
    bool v4 = true;              // families intercepted (`family`)
    bool v6 = true;
    Origin origin;
};

// One uplink of a balanced egress and its weight: the share of new
// connections it takes while healthy.
struct EgressShare {
    std::string uplink;
    std::uint32_t weight = 1;
    Location where;
};

// In a group's `fallback`: the main routing table rather than an uplink.
inline constexpr const char* kMainTable = "main";

struct Group {
    std::string name;
    std::string interface;
    std::optional<Prefix> subnet;       // IPv4 client addresses
    std::optional<Prefix> subnet6;      // IPv6 client addresses
    std::optional<std::string> egress;  // uplink name; none = main routing table
    // `egress` written as a list of two or more weighted uplinks: each new
    // connection picks one (nft_balance.cpp). `egress` then holds the first,
    // so code that knows one uplink per group still finds a valid one.
    std::vector<EgressShare> balance;
    // Where new connections go while the health monitor finds the egress
    // uplink down (a single-egress group): the first healthy entry, an
    // uplink name or kMainTable. None written: any healthy uplink, in
    // profile order. An empty list: stay on the egress uplink.
    std::optional<std::vector<std::string>> fallback;
    bool isolate = false;
    std::vector<AllowEntry> allow;
    std::vector<IpAddress> dns;
    Tunnel tunnel = Tunnel::full;
    int keepalive = 25;  // PersistentKeepalive in client configs; 0 = off
    // Concurrent connections one client may hold through the gateway
    // (nftables `ct count`); 0 = no limit.
    std::uint32_t max_connections = 0;
    std::vector<Proxy> proxies;  // [[group.proxy]]
    // A local network ([[network]]): clients that are not WireGuard peers
    // but hosts behind `device` (a private NIC, a bridge, a veth). Such a
    // group has no interface, peers, dns, tunnel or keepalive; everything
    // else (subnets, egress, isolation, allow lists, limits) is shared.
    std::string device;             // non-empty = local network on this device
    bool create_bridge = false;     // vpngw creates and owns `device` as a bridge
    std::vector<Prefix> addresses;  // gateway addresses vpngw puts on that bridge
    bool is_network() const { return !device.empty(); }
    Origin origin;
};

// The source address a forwarded connection reaches its target with.
enum class ForwardSource {
    automatic,  // keep, except for targets in a split-tunnel group: gateway
    keep,       // the real remote address; the target must route it back into the tunnel
    gateway,    // masqueraded to the gateway's own address on the target's device
};

struct Forward {
    Proto proto = Proto::tcp;   // tcp or udp
    std::uint16_t port = 0;     // public port on the uplink
    IpAddress to;               // target address
    std::uint16_t to_port = 0;  // target port (same as port when not written)
    std::string uplink;
    std::vector<Prefix> allow_from;  // empty = any source
    ForwardSource source = ForwardSource::automatic;
    Origin origin;
};

enum class Policy { drop, accept };

struct Management {
    std::uint16_t port = 22;
    std::vector<Prefix> allow;  // empty = from anywhere (warned about)
    Origin origin;
};

struct RateLimit {
    std::uint32_t count = 0;
    std::string unit;  // second, minute, hour, day
    std::string str() const { return std::to_string(count) + "/" + unit; }
};

struct Firewall {
    std::optional<Management> management;
    Policy input = Policy::drop;
    Policy forward = Policy::drop;
    std::optional<RateLimit> log_drops;
    // Forwarded TCP SYNs get their MSS lowered to the route's MTU, so paths
    // with a smaller MTU (PPPoE, mobile) work without ICMP reaching the ends.
    bool mss_clamp = true;
    Origin origin;
};

struct Peer {
    std::string name;
    std::string group;
    PublicKey public_key;
    std::optional<IpAddress> address;   // fixed IPv4, else allocated
    std::optional<IpAddress> address6;  // fixed IPv6, else allocated
    // `address = "none"` / `address6 = "none"`: no address of that family
    // although the group has a subnet of it (a wg-quick peer that never had
    // one, imported as it was).
    bool no_address = false;
    bool no_address6 = false;
    // Lifecycle (issue 17). A disabled peer, or one whose expiry has passed,
    // keeps its keys, addresses and config but is kept out of the kernel.
    // (Next to the other flags: the padding after them is shared.)
    bool disabled = false;
    std::optional<int> keepalive;  // server-side keepalive to this peer
    // More addresses of the peer inside its group's subnets, either family
    // (wg-quick peers with two /32s): in its allowed-ips and the group's
    // rules like its address; names, limits and client configs use the first.
    std::vector<IpAddress> extra_addresses;
    std::string preshared_key_file;  // empty = none
    std::optional<std::chrono::sys_seconds> expires;
    std::optional<Quota> quota;              // bytes of both directions per period
    std::optional<std::uint64_t> rate_bits;  // bits per second, each direction
    std::vector<Prefix> networks;            // routed behind the peer (branch office, home LAN)
    Origin origin;
};

// [dns]: peers' names resolve inside the tunnel as <peer>.<zone>, served by
// dnsmasq on the gateway's interface addresses (src/dns/, `vpngw dns serve`).
struct Dns {
    std::string zone;                 // "vpn.internal": lowercase DNS name, no trailing dot
    std::vector<IpAddress> upstream;  // other names go here; empty = the host's resolv.conf
    Origin origin;
};

struct Profile {
    std::string source;  // path the profile was read from
    Gateway gateway;
    std::vector<Uplink> uplinks;
    std::vector<Interface> interfaces;
    std::vector<Group> groups;  // WireGuard groups and local networks ([[network]]), in order
    std::vector<Forward> forwards;
    Firewall firewall;
    std::vector<Peer> peers;
    std::optional<Dns> dns;          // names for peers; none = no resolver
    std::optional<Cluster> cluster;  // [cluster]: several gateways on one etcd registry
    // Not from the file: the uplinks the health monitor last found down
    // (<state_dir>/health.tsv), filled in before planning so that an `up`
    // renders the balance maps as the monitor left them.
    std::set<std::string> uplinks_down;

    const Uplink* find_uplink(const std::string& name) const;
    const Interface* find_interface(const std::string& name) const;
    const Group* find_group(const std::string& name) const;
};

const char* to_string(NatMode);
const char* to_string(Backend);
const char* to_string(Proto);
const char* to_string(Tunnel);
const char* to_string(Policy);
const char* to_string(ProxyMode);
const char* to_string(ForwardSource);

// Whether any group proxies in TPROXY mode (vpngw then owns kProxyTable/kProxyMark).
bool uses_tproxy(const Profile&);

}  // namespace vpngw::model
