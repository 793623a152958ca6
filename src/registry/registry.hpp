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
// - every change records an AuditEntry in the same transaction (never keys);
// - every change also leaves an unsettled mark (the record before it) in the
//   same transaction, which the caller clears with settle() once the kernel
//   has the change: a command killed between the two is finished by the next
//   one (gateway/peers_settle.cpp).

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "util/ip.hpp"
#include "util/key.hpp"
#include "util/result.hpp"

namespace vpngw::registry {

// A peer as the registry holds it.
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
    std::string node;  // the fleet member serving it (etcd only); empty: every member
    // etcd only: the PSK sealed with the cluster secret (fleet/psk_seal.hpp),
    // so every member can apply the peer; empty on one machine (psk/ file).
    std::string sealed_psk;

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
struct AuditFilter {
    std::optional<std::string> peer;                // entries of this peer only
    std::optional<std::chrono::sys_seconds> since;  // at or after
};

// A change the kernel may not have yet: the peer's name after the change and
// its record before (none for a new peer).
struct Unsettled {
    std::string peer;
    std::optional<PeerRecord> before;
};

// The record before and after an update().
struct Change {
    PeerRecord before;
    PeerRecord after;
};
// Edits a copy of the stored record inside the update's transaction; an
// error changes nothing.
using Edit = std::function<Status(PeerRecord&)>;

struct Addresses {
    std::optional<IpAddress> v4;
    std::optional<IpAddress> v6;
};

// The addresses the registry's peers of one group hold, asked by an allocator
// inside the add's write transaction. A backend with an index answers each
// question without reading the whole group (the SQLite one walks an index from
// a remembered point: O(1) per add however many peers the group has).
class GroupAddresses {
  public:
    virtual ~GroupAddresses() = default;
    // Every address the group's peers hold.
    virtual Result<std::vector<IpAddress>> all() = 0;
    virtual Result<bool> held(const IpAddress& address) = 0;
    // The lowest address in [from, to] that no peer of the group holds, or
    // nullopt when all are. `from` and `to` are of one family and share
    // their upper 64 bits (a subnet's assignable range always does).
    virtual Result<std::optional<IpAddress>> lowest_unheld(const IpAddress& from,
                                                           const IpAddress& to) = 0;
};
// The same over a list already read (backends without an index, tests).
class ListedAddresses final : public GroupAddresses {
  public:
    explicit ListedAddresses(std::vector<IpAddress> addresses);
    Result<std::vector<IpAddress>> all() override { return list_; }
    Result<bool> held(const IpAddress& address) override;
    Result<std::optional<IpAddress>> lowest_unheld(const IpAddress& from,
                                                   const IpAddress& to) override;

  private:
    std::vector<IpAddress> list_;
    std::vector<IpAddress> sorted_;
};

// Picks a new peer's addresses given the addresses the registry's peers of
// the same group hold (asked inside the add's write transaction). The gateway
// passes the profile's allocation (gateway::allocate_new_peer), which also
// reserves interface and profile-peer addresses. Made from a function of the
// group's addresses as a list or of GroupAddresses; either can be called.
class Allocator {
  public:
    using OnList = std::function<Result<Addresses>(const std::vector<IpAddress>& stored)>;
    using OnGroup = std::function<Result<Addresses>(GroupAddresses& stored)>;
    Allocator() = default;  // to assign later; calling it is a bug
    template <typename F>
    requires std::is_invocable_v < F&, const std::vector<IpAddress>
    & > Allocator(F f) : on_list_(std::move(f)) {}
    template <typename F>
    requires(std::is_invocable_v<F&, GroupAddresses&> &&
             !std::is_invocable_v<F&, const std::vector<IpAddress>&>) Allocator(F f)
        : on_group_(std::move(f)) {}

    Result<Addresses> operator()(GroupAddresses& stored) const;
    Result<Addresses> operator()(const std::vector<IpAddress>& stored) const;

  private:
    OnList on_list_;
    OnGroup on_group_;
};

class Registry {
  public:
    virtual ~Registry() = default;

    // Every peer, in the order they were added.
    virtual Result<std::vector<PeerRecord>> list() = 0;
    // The same one at a time, for readers that need no peer after the next
    // (`peer list`, `status`): a backend that can stream holds one record,
    // not all of them. An error from `visit` stops the walk and is returned.
    // The default walks list().
    using Visit = std::function<Status(const PeerRecord&)>;
    virtual Status each(const Visit& visit);
    virtual Result<std::optional<PeerRecord>> find(std::string_view name) = 0;
    // How many peers the groups hold. The default lists every peer; a
    // backend with an index counts there.
    virtual Result<std::size_t> count(const std::vector<std::string>& groups);
    // Adds `peer`. With an allocator, its addresses are the allocator's
    // choice (any in `peer` are replaced); without, `peer`'s own are kept.
    // Returns the peer as stored.
    virtual Result<PeerRecord> add(PeerRecord peer, const Allocator* allocate,
                                   const Actor& actor) = 0;
    // Adds every peer with its own addresses in one transaction, or none
    // (`peer import`). `what` is the audit text ("from backup.toml").
    virtual Status add_all(const std::vector<PeerRecord>& peers, const std::string& what,
                           const Actor& actor) = 0;
    // Removes the peer; errors when no peer has the name. Returns it.
    virtual Result<PeerRecord> remove(std::string_view name, const Actor& actor) = 0;
    // Changes one peer (rename, group, addresses, lifecycle fields, key). With
    // an allocator the addresses are chosen again among the peers of the
    // edited group (the peer's own excluded).
    virtual Result<Change> update(std::string_view name, const Edit& edit,
                                  const Allocator* allocate, const Actor& actor) = 0;
    // The audit trail, oldest first.
    virtual Result<std::vector<AuditEntry>> audit(const AuditFilter& filter = {}) = 0;

    // Changes not settled yet, oldest first, and clearing a peer's.
    virtual Result<std::vector<Unsettled>> unsettled() = 0;
    virtual Status settle(std::string_view peer) = 0;
};

// The audit text of a peer's fields (no key, not even the public one).
std::string describe_fields(const PeerRecord& peer);
// What changed between two records, in the same form ("name=bob group=guest
// disabled=no public_key=new"): only the fields that differ.
std::string describe_change(const PeerRecord& before, const PeerRecord& after);

}  // namespace vpngw::registry
