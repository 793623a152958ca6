#pragma once

// The [cluster] section: one registry (etcd) shared by several gateways,
// with keepalived holding a virtual address (VRRP) and conntrackd syncing
// connection state over a dedicated link. docs/fleet.md describes the whole.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/ip.hpp"
#include "util/location.hpp"

namespace vpngw::model {

// One etcd client URL as written: "https://10.0.0.1:2379".
struct EtcdEndpoint {
    bool tls = true;  // https (false: http, loopback or tests only)
    Endpoint address;
    Location where;

    std::string url() const { return (tls ? "https://" : "http://") + address.str(); }
};

// How this gateway reaches etcd: every member's client URL, and the TLS
// client certificate etcd's --client-cert-auth checks. Files, never inline:
// the key stays on disk with its own permissions.
struct EtcdSettings {
    std::vector<EtcdEndpoint> endpoints;
    std::string ca_file;             // the CA that signed the members' server certificates
    std::string cert_file;           // this gateway's client certificate (PEM); empty: none
    std::string key_file;            // its private key (PEM)
    std::string prefix = "/vpngw/";  // every key the fleet writes is under it
};

// The floating endpoint address that keepalived moves between gateways.
struct Vrrp {
    std::string uplink;  // the uplink whose device carries the address
    Prefix address;      // "203.0.113.10/24": host bits set, as on an interface
    int router_id = 0;   // VRRP virtual router id, 1-255, the same on every member
    int priority = 100;  // the highest live priority holds the address
    int interval = 1;    // advertisement interval, seconds
    std::vector<IpAddress> unicast_peers;  // none: multicast on the uplink
};

// The link conntrackd syncs connection state over (FTFW).
struct SyncLink {
    std::string device;
    IpAddress address;  // this member's address on it
    IpAddress peer;     // the other member's
};

// The wire numbers keepalived and conntrackd use between members: rendered
// into their configurations (fleet/ha_config.cpp) and admitted by the
// gateway's input chain (plan/nft_cluster.cpp), so the two never disagree.
inline constexpr int kVrrpProtocol = 112;     // IP protocol of VRRP (RFC 5798)
inline constexpr int kConntrackdPort = 3780;  // UDP port of conntrackd's FTFW sync

struct Cluster {
    std::string node;  // this member's name, unique in the fleet
    EtcdSettings etcd;
    // The 32-byte cluster secret that seals peers' preshared keys in etcd
    // (fleet/psk_seal.hpp); the same file on every member. Empty: none, and
    // `peer add --psk` is refused.
    std::string secret_file;
    std::optional<Vrrp> vrrp;
    std::optional<SyncLink> sync;
    Location where;  // the [cluster] header
};

}  // namespace vpngw::model
