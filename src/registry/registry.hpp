#pragma once

// The peer registry: every peer added with `vpngw peer add`, its tunnel
// addresses and lifecycle fields, and an audit trail of every change. One
// small interface so a second backend (the fleet's etcd, issue 20) can hold the
// same records; SQLite (sqlite_registry.hpp) is the single-machine default.
//
// What a backend promises:
// - name, public key and each address are unique; a change that would break
//   that fails with an error naming the field, and changes nothing;
// - add() picks the addresses and inserts the peer in one write transaction,
//   so concurrent adds (from separate processes) never hand out one address
//   twice;
// - every change records an AuditEntry in the same transaction (never keys).

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/ip.hpp"
#include "util/key.hpp"
#include "util/result.hpp"

namespace vpngw::registry {

// A peer as the registry holds it. The lifecycle fields (disabled, expires,
// quota, rate, networks) are stored now; the commands that set and enforce
// them come with issue 17 item 2.
struct PeerRecord {
    std::string name;
    std::string group;
    PublicKey public_key;
    std::optional<IpAddress> address;   // IPv4 tunnel address
    std::optional<IpAddress> address6;  // IPv6 tunnel address
    bool has_psk = false;               // psk/<name>.psk exists
    std::chrono::sys_seconds created{};
    bool disabled = false;
    std::optional<std::chrono::sys_seconds> expires;
    std::optional<std::uint64_t> quota_bytes;  // per quota_period, both directions
    std::string quota_period;                  // "day", "week", "month"; empty without quota
    std::optional<std::uint64_t> rate_bits;    // per second, each direction
    std::vector<Prefix> networks;              // routed behind the peer

    friend bool operator==(const PeerRecord&, const PeerRecord&) = default;
};

// Who changes the registry and with which command, for the audit trail.
struct Actor {
    std::string user;     // SUDO_USER, else "uid N"
    std::string command;  // e.g. "peer add"
};
// The invoking user of this process (SUDO_USER when set and sane, else the uid).
Actor current_actor(std::string command);

struct AuditEntry {
    std::chrono::sys_seconds time{};
    std::string user;
    std::string command;
    std::string peer;    // empty for changes of no single peer
    std::string fields;  // "group=staff address=10.8.1.2 ...": what changed, never a key

    friend bool operator==(const AuditEntry&, const AuditEntry&) = default;
};

struct Addresses {
    std::optional<IpAddress> v4;
    std::optional<IpAddress> v6;
};
// Picks a new peer's addresses given the addresses the registry's peers of
// the same group hold (read inside the add's write transaction). The gateway
// passes the profile's allocation (gateway::allocate_new_peer), which also
// reserves interface and profile-peer addresses.
using Allocator = std::function<Result<Addresses>(const std::vector<IpAddress>& stored)>;

class Registry {
  public:
    virtual ~Registry() = default;

    // Every peer, in the order they were added.
    virtual Result<std::vector<PeerRecord>> list() = 0;
    virtual Result<std::optional<PeerRecord>> find(std::string_view name) = 0;
    // Adds `peer`. With an allocator, its addresses are the allocator's
    // choice (any in `peer` are replaced); without, `peer`'s own are kept.
    // Returns the peer as stored.
    virtual Result<PeerRecord> add(PeerRecord peer, const Allocator* allocate,
                                   const Actor& actor) = 0;
    // Errors when no peer has the name.
    virtual Status remove(std::string_view name, const Actor& actor) = 0;
    // The audit trail, oldest first.
    virtual Result<std::vector<AuditEntry>> audit() = 0;
};

// The audit text of a peer's fields (no key, not even the public one).
std::string describe_fields(const PeerRecord& peer);

}  // namespace vpngw::registry
