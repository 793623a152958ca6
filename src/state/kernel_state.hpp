#pragma once

// Kernel objects as plain values: what the plan wants and what the kernel has
// use the same types, so a diff is a comparison of values. Equality is the
// kernel's notion of identity plus the attributes vpngw manages.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/profile.hpp"
#include "util/ip.hpp"
#include "util/key.hpp"
#include "util/location.hpp"

namespace vpngw::state {

// rtm_protocol / FRA_PROTOCOL value that marks routes and rules as vpngw's.
// Ownership lives in the kernel object itself, so `down` and the diff never
// touch a route or rule that another tool created.
inline constexpr std::uint8_t kRouteProtocol = 86;  // 'V'
// ip rule priorities vpngw uses lie in [kRulePriorityFirst, kRulePriorityLast].
inline constexpr std::uint32_t kRulePriorityFirst = 5000;
inline constexpr std::uint32_t kRulePriorityLast = 5999;
// IFLA_IFALIAS written on links vpngw creates.
inline constexpr const char* kLinkAlias = "vpngw";
// The nftables table vpngw owns (family inet: v4, v6 and NAT in one table).
inline constexpr const char* kNftTable = "vpngw";

struct Link {
    std::string name;
    std::string kind = "wireguard";
    int mtu = 1420;
    bool up = true;
    Location origin;

    bool operator==(const Link& o) const {
        return name == o.name && kind == o.kind && mtu == o.mtu && up == o.up;
    }
};

struct Address {
    std::string ifname;
    Prefix prefix;  // with host bits: 10.8.0.1/16
    Location origin;

    bool operator==(const Address& o) const { return ifname == o.ifname && prefix == o.prefix; }
};

// `local` delivers to this host whatever the destination (TPROXY's table:
// `local default dev lo table T`); it keeps its device.
enum class RouteType { unicast, blackhole, unreachable, local };

struct Route {
    std::uint32_t table = 254;  // main
    Prefix dst;
    std::optional<IpAddress> via;
    std::string dev;  // empty for blackhole/unreachable
    std::uint32_t metric = 0;
    RouteType type = RouteType::unicast;
    Location origin;

    bool operator==(const Route& o) const {
        return table == o.table && dst == o.dst && via == o.via && dev == o.dev &&
               metric == o.metric && type == o.type;
    }
};

struct Rule {
    Family family = Family::v4;
    std::uint32_t priority = 0;
    std::optional<std::uint32_t> fwmark;
    std::uint32_t fwmask = 0xffffffff;
    std::optional<Prefix> from;
    std::string iif;
    std::uint32_t table = 254;
    // "lookup main suppress_prefixlength 0": consult main but ignore its
    // default route, so connected and VPN routes win over uplink tables.
    std::optional<int> suppress_prefixlength;
    Location origin;

    bool operator==(const Rule& o) const {
        return family == o.family && priority == o.priority && fwmark == o.fwmark &&
               (!fwmark || fwmask == o.fwmask) && from == o.from && iif == o.iif &&
               table == o.table && suppress_prefixlength == o.suppress_prefixlength;
    }
};

struct WgPeer {
    PublicKey public_key;
    std::string name;                 // for messages only; the kernel does not know it
    std::string preshared_key_file;   // empty = none; read at apply time
    std::vector<Prefix> allowed_ips;  // kept sorted
    std::optional<Endpoint> endpoint;
    int keepalive = 0;
    Location origin;

    bool operator==(const WgPeer& o) const {
        return public_key == o.public_key && allowed_ips == o.allowed_ips &&
               keepalive == o.keepalive;
    }
};

struct WgDevice {
    std::string ifname;
    model::Backend backend = model::Backend::automatic;
    std::uint16_t listen_port = 0;
    std::uint32_t fwmark = 0;
    std::string private_key_file;  // read at apply time; never in plan output
    std::vector<WgPeer> peers;     // sorted by public key
    Location origin;
};

struct Sysctl {
    std::string key;  // "net.ipv4.ip_forward"
    std::string value;
    bool operator==(const Sysctl& o) const { return key == o.key && value == o.value; }
};

// What vpngw enforces for one peer beyond its WireGuard peer and its address
// in the peer sets (issue 17): networks routed behind it, a data quota, a
// rate limit. Only peers with at least one of these get one, so the maps the
// forward chain looks addresses up in hold only them (plan/nft_limits.cpp).
struct PeerLimits {
    std::string name;  // the peer's: names its quota and limit objects
    std::string group;
    std::string ifname;  // its WireGuard interface: the networks' route device
    std::optional<IpAddress> v4, v6;
    std::vector<Prefix> networks;
    std::optional<model::Quota> quota;
    std::optional<std::uint64_t> rate_bits;  // each direction
    Location origin;

    friend bool operator==(const PeerLimits& a, const PeerLimits& b) {
        return a.name == b.name && a.group == b.group && a.ifname == b.ifname && a.v4 == b.v4 &&
               a.v6 == b.v6 && a.networks == b.networks && a.quota == b.quota &&
               a.rate_bits == b.rate_bits;
    }
};

// Everything vpngw programs for one profile.
struct KernelState {
    std::vector<Link> links;
    std::vector<Address> addresses;
    std::vector<Route> routes;
    std::vector<Rule> rules;
    std::vector<WgDevice> wireguard;
    std::vector<Sysctl> sysctls;
    std::string nft_ruleset;              // the whole `table inet vpngw`, in `nft -f` syntax
    std::vector<PeerLimits> peer_limits;  // enabled peers with networks or limits, profile order
};

}  // namespace vpngw::state
