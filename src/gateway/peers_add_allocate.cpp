// A new peer's addresses with the registry's peers asked, not read: the
// profile's own addresses in local pools, the stored ones through
// registry::GroupAddresses (an index walk in SQLite), so `peer add` costs the
// same at 50,000 stored peers as at 1,000.
#include <algorithm>

#include "gateway/peers.hpp"
#include "gateway/session.hpp"
#include "profile/peer_index.hpp"

namespace vpngw::gateway {
namespace {

struct Pools {
    std::optional<plan::AddressPool> v4, v6;
};

// The group's subnets with every address the profile uses in them taken:
// interface addresses and the fixed addresses of the group's profile peers.
Pools profile_pools(const model::Profile& profile, const model::Group& group) {
    Pools pools;
    if (group.subnet) pools.v4.emplace(*group.subnet);
    if (group.subnet6) pools.v6.emplace(*group.subnet6);
    for (auto* pool : {&pools.v4, &pools.v6}) {
        if (!*pool) continue;
        for (const auto& iface : profile.interfaces)
            for (const auto& a : iface.addresses) (*pool)->take(a.addr);
        for (const auto& p : profile.peers) {
            if (p.group != group.name) continue;
            if (p.address) (*pool)->take(*p.address);
            if (p.address6) (*pool)->take(*p.address6);
        }
    }
    return pools;
}

// What the profile's own peers take from a pool: the pool's taken offsets,
// and with an index (Session::declared) the runs of fixed addresses of the
// group's peers it holds instead.
struct ProfileTaken {
    const plan::AddressPool& pool;
    const profile::DeclaredPeers* declared = nullptr;
    std::string_view group;

    // The lowest offset from `o` on that the profile leaves free, or nullopt
    // when there is none up to the pool's end.
    Result<std::optional<std::uint64_t>> next_free(std::uint64_t o) const {
        const std::uint64_t last = pool.last_offset();
        while (o <= last) {
            if (!pool.is_free(o)) {
                ++o;
                continue;
            }
            if (!declared) return std::optional<std::uint64_t>(o);
            auto end = declared->run_end(group, pool.at(o));
            if (!end) return end.error();
            if (!*end) return std::optional<std::uint64_t>(o);
            // The run holds at(o); an end the pool cannot hand out lies past
            // its last offset.
            const auto past = pool.offset_of(**end);
            if (!past || *past < o) break;
            o = *past + 1;
        }
        return std::optional<std::uint64_t>{};
    }
    Result<bool> is_free(std::uint64_t o) const {
        auto next = next_free(o);
        if (!next) return next.error();
        return *next && **next == o;
    }
};

// The lowest address free in `pool` that no stored peer holds. The pool's
// taken runs (the profile's own peers, 12,500 in a row at 50,000 inline) are
// skipped here, not by asking the registry once per address.
Result<std::optional<IpAddress>> lowest_free(const ProfileTaken& taken,
                                             registry::GroupAddresses& stored) {
    const plan::AddressPool& pool = taken.pool;
    const std::uint64_t last = pool.last_offset();
    std::uint64_t o = pool.first_offset();
    while (o <= last) {
        auto next = taken.next_free(o);  // every offset below it is taken or held
        if (!next) return next.error();
        if (!*next) break;
        o = **next;
        auto a = stored.lowest_unheld(pool.at(o), pool.at(last));
        if (!a) return a.error();
        if (!*a) break;
        const std::uint64_t found = *pool.offset_of(**a);
        auto free = taken.is_free(found);
        if (!free) return free.error();
        if (*free) return *a;
        if (found == last) break;
        o = found + 1;
    }
    return std::optional<IpAddress>{};
}

// The address of `pool` at `partner`'s offset in `partner_pool`, when both
// the pool and the stored peers leave it free.
Result<std::optional<IpAddress>> paired(const ProfileTaken& taken,
                                        const plan::AddressPool& partner_pool,
                                        const IpAddress& partner,
                                        registry::GroupAddresses& stored) {
    const plan::AddressPool& pool = taken.pool;
    auto offset = partner_pool.offset_of(partner);
    if (!offset || !pool.is_free(*offset)) return std::optional<IpAddress>{};
    auto free = taken.is_free(*offset);
    if (!free) return free.error();
    if (!*free) return std::optional<IpAddress>{};
    const IpAddress a = pool.at(*offset);
    auto held = stored.held(a);
    if (!held) return held.error();
    return *held ? std::optional<IpAddress>{} : std::optional<IpAddress>(a);
}

Error full(const plan::AddressPool& pool, const model::Group& group, const char* field) {
    return Error{"subnet " + pool.subnet().str() + " of group \"" + group.name + "\" is full (" +
                     std::to_string(pool.capacity()) + " host addresses, all in use)",
                 group.origin.at(field)};
}

// Whether some profile peer of the group waits for an allocated address:
// those are placed around the stored peers, which only a full read shows.
bool has_allocated_profile_peers(const model::Profile& profile, const model::Group& group) {
    for (const auto& p : profile.peers)
        if (p.group == group.name &&
            ((group.subnet && !p.address) || (group.subnet6 && !p.address6)))
            return true;
    return false;
}

}  // namespace

Result<plan::PeerAddresses> allocate_new_peer(const model::Profile& profile,
                                              const std::string& group_name,
                                              registry::GroupAddresses& stored,
                                              const profile::DeclaredPeers* declared) {
    const model::Group* group = profile.find_group(group_name);
    if (!group) return Error{"no group \"" + group_name + "\" in the profile"};
    if (has_allocated_profile_peers(profile, *group)) {
        auto all = stored.all();
        if (!all) return all.error();
        plan::ReservedAddresses reserved;
        reserved[group_name] = std::move(*all);
        return allocate_new_peer(profile, group_name, reserved);
    }
    const Pools pools = profile_pools(profile, *group);
    plan::PeerAddresses mine;
    if (pools.v4) {
        auto a = lowest_free({*pools.v4, declared, group->name}, stored);
        if (!a) return a.error();
        if (!*a) return full(*pools.v4, *group, "subnet");
        mine.v4 = *a;
    }
    if (pools.v6) {
        std::optional<IpAddress> a;
        if (mine.v4) {
            auto p = paired({*pools.v6, declared, group->name}, *pools.v4, *mine.v4, stored);
            if (!p) return p.error();
            a = *p;
        }
        if (!a) {
            auto l = lowest_free({*pools.v6, declared, group->name}, stored);
            if (!l) return l.error();
            a = *l;
        }
        if (!a) return full(*pools.v6, *group, "subnet6");
        mine.v6 = *a;
    }
    return mine;
}

Status check_interface_room(const Session& session, const model::Interface& iface) {
    // "auto" picks wireguard-go only on a kernel without WireGuard, which
    // only exec/ may probe (tests/arch kernel_writers): such an `up` fails
    // with wireguard-go's own error instead.
    if (iface.backend != model::Backend::userspace) return ok_status();
    std::vector<std::string> groups;
    for (const auto& g : session.profile.groups)
        if (g.interface == iface.name) groups.push_back(g.name);
    std::size_t peers = 0;
    if (session.declared)  // the profile's own, when profile.peers leaves them out
        for (const auto& g : groups) peers += session.declared->count(g);
    for (const auto& p : session.profile.peers)  // the profile's own; the registry's below
        if (!from_registry(session, p) &&
            std::find(groups.begin(), groups.end(), p.group) != groups.end())
            ++peers;
    if (session.registry) {
        auto stored = session.registry->count(groups);
        if (!stored) return stored.error();
        peers += *stored;
    }
    if (peers < model::kUserspacePeerLimit) return ok_status();
    return Error{"interface " + iface.name + " already has " + std::to_string(peers) +
                     " peers, the most wireguard-go (the userspace backend) holds on one device: "
                     "load the kernel's wireguard module (backend = \"kernel\"), or add the peer "
                     "to a group on another interface",
                 iface.origin.at("backend")};
}

}  // namespace vpngw::gateway
