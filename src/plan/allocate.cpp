#include "plan/allocate.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <map>

#include "util/host_range.hpp"

namespace vpngw::plan {
namespace {

constexpr std::uint64_t kMax64 = std::numeric_limits<std::uint64_t>::max();
// Offsets below this live in the bitmap (at most 128 KiB of it).
constexpr std::uint64_t kDenseLimit = std::uint64_t{1} << 20;

std::uint64_t load64(const IpAddress& a, int first_byte, int count) {
    std::uint64_t v = 0;
    for (int i = 0; i < count; ++i) v = (v << 8) | a.bytes[first_byte + i];
    return v;
}

// The low 64 bits of an address (all 32 for IPv4) and the high 64 of IPv6.
std::uint64_t low64(const IpAddress& a) {
    return a.is_v4() ? load64(a, 0, 4) : load64(a, 8, 8);
}
std::uint64_t high64(const IpAddress& a) {
    return a.is_v4() ? 0 : load64(a, 0, 8);
}

std::uint64_t low_mask(int bits) {
    return bits >= 64 ? kMax64 : (std::uint64_t{1} << bits) - 1;
}

}  // namespace

AddressPool::AddressPool(const Prefix& subnet) : subnet_(subnet.network()) {
    const HostRange range = host_range(subnet_);
    first_ = range.first;
    last_ = range.last;
    cursor_ = first_;
}

std::uint64_t AddressPool::capacity() const {
    return HostRange{first_, last_}.count();
}

std::optional<std::uint64_t> AddressPool::offset_of(const IpAddress& address) const {
    if (!subnet_.contains(address)) return std::nullopt;
    const int host_bits = subnet_.addr.bits() - subnet_.len;
    std::uint64_t offset = 0;
    if (host_bits > 64) {
        // Host bits above the low 64 put the offset beyond what we hand out.
        if (high64(address) != high64(subnet_.addr)) return std::nullopt;
        offset = low64(address);
    } else {
        offset = low64(address) & low_mask(host_bits);
    }
    if (!in_range(offset)) return std::nullopt;
    return offset;
}

IpAddress AddressPool::at(std::uint64_t offset) const {
    return subnet_.addr.plus(offset);
}

bool AddressPool::taken(std::uint64_t offset) const {
    if (offset < kDenseLimit) {
        const std::size_t word = offset / 64;
        return word < dense_.size() && (dense_[word] >> (offset % 64) & 1);
    }
    return sparse_.contains(offset);
}

bool AddressPool::is_free(std::uint64_t offset) const {
    return in_range(offset) && !taken(offset);
}

void AddressPool::take(const IpAddress& address) {
    auto offset = offset_of(address);
    if (!offset) return;
    if (*offset >= kDenseLimit) {
        sparse_.insert(*offset);
        return;
    }
    const std::size_t word = *offset / 64;
    if (word >= dense_.size()) dense_.resize(std::max(word + 1, dense_.size() * 2), 0);
    dense_[word] |= std::uint64_t{1} << (*offset % 64);
}

void AddressPool::take_offsets(const std::vector<std::uint64_t>& words) {
    const std::size_t n = std::min<std::size_t>(words.size(), kDenseLimit / 64);
    if (dense_.size() < n) dense_.resize(n, 0);
    for (std::size_t w = 0; w < n; ++w) dense_[w] |= words[w];
    // Bits outside [first_, last_] are never handed out: lowest_free checks.
}

std::optional<IpAddress> AddressPool::lowest_free() {
    if (last_ < first_) return std::nullopt;
    // Taking never frees an offset, so everything below the cursor stays
    // taken and each taken offset is stepped over at most once.
    while (cursor_ < kDenseLimit && cursor_ <= last_) {
        const std::size_t word = cursor_ / 64;
        if (word >= dense_.size()) break;  // nothing taken from here on in the bitmap
        const std::uint64_t free = ~dense_[word] >> (cursor_ % 64);
        if (free != 0) {
            cursor_ += static_cast<std::uint64_t>(std::countr_zero(free));
            break;
        }
        cursor_ = (word + 1) * 64;
    }
    if (cursor_ >= kDenseLimit) {
        auto it = sparse_.lower_bound(cursor_);
        while (it != sparse_.end() && *it == cursor_) {
            if (cursor_ == last_) return std::nullopt;
            ++cursor_;
            ++it;
        }
    }
    if (cursor_ > last_ || cursor_ < first_) return std::nullopt;
    return at(cursor_);
}

static Error full_error(const AddressPool& pool, const std::string& group, Location where) {
    return Error{"subnet " + pool.subnet().str() + " of group \"" + group + "\" is full (" +
                     std::to_string(pool.capacity()) + " host addresses, all in use)",
                 std::move(where)};
}

Result<IpAddress> allocate_address(const Prefix& subnet, const std::set<IpAddress>& taken,
                                   const std::string& group) {
    AddressPool pool(subnet);
    for (const auto& a : taken) pool.take(a);
    if (auto free = pool.lowest_free()) return *free;
    return full_error(pool, group, {});
}

namespace {

struct GroupPools {
    std::optional<AddressPool> v4;
    std::optional<AddressPool> v6;
};

std::map<std::string, GroupPools> make_pools(const model::Profile& profile,
                                             const ReservedAddresses& reserved,
                                             const ReservedBitmaps& bitmaps) {
    std::map<std::string, GroupPools> pools;
    for (const auto& g : profile.groups) {
        auto& p = pools[g.name];
        if (g.subnet) p.v4.emplace(*g.subnet);
        if (g.subnet6) p.v6.emplace(*g.subnet6);
    }
    // Interface addresses may lie in any group's subnet; fixed peer addresses
    // lie in their own group's (the loader checks it).
    for (auto& [name, p] : pools)
        for (const auto& iface : profile.interfaces)
            for (const auto& a : iface.addresses) {
                if (p.v4) p.v4->take(a.addr);
                if (p.v6) p.v6->take(a.addr);
            }
    for (const auto& peer : profile.peers) {
        auto it = pools.find(peer.group);
        if (it == pools.end()) continue;
        if (peer.address && it->second.v4) it->second.v4->take(*peer.address);
        if (peer.address6 && it->second.v6) it->second.v6->take(*peer.address6);
        for (const auto& a : peer.extra_addresses) {
            auto& pool = a.is_v4() ? it->second.v4 : it->second.v6;
            if (pool) pool->take(a);
        }
    }
    for (const auto& [group, addresses] : reserved) {
        auto it = pools.find(group);
        if (it == pools.end()) continue;
        for (const auto& a : addresses) {
            AddressPool* pool = a.is_v4() ? (it->second.v4 ? &*it->second.v4 : nullptr)
                                          : (it->second.v6 ? &*it->second.v6 : nullptr);
            if (pool) pool->take(a);
        }
    }
    for (const auto& [group, offsets] : bitmaps) {
        auto it = pools.find(group);
        if (it == pools.end()) continue;
        if (it->second.v4) it->second.v4->take_offsets(offsets.v4);
        if (it->second.v6) it->second.v6->take_offsets(offsets.v6);
    }
    return pools;
}

// The address `partner` would pair with in `pool`, when that one is free.
std::optional<IpAddress> paired(AddressPool& pool, const AddressPool* partner_pool,
                                const std::optional<IpAddress>& partner) {
    if (!partner_pool || !partner) return std::nullopt;
    auto offset = partner_pool->offset_of(*partner);
    if (!offset || !pool.is_free(*offset)) return std::nullopt;
    return pool.at(*offset);
}

// Fills `mine` from `pool` unless it is fixed; false when the pool is full.
bool fill(std::optional<IpAddress>& mine, AddressPool* pool, const AddressPool* partner_pool,
          const std::optional<IpAddress>& partner) {
    if (mine || !pool) return true;
    mine = paired(*pool, partner_pool, partner);
    if (!mine) mine = pool->lowest_free();
    if (!mine) return false;
    pool->take(*mine);
    return true;
}

}  // namespace

AddressAssignment assign_addresses(const model::Profile& profile, const ReservedAddresses& reserved,
                                   const ReservedBitmaps& bitmaps) {
    auto pools = make_pools(profile, reserved, bitmaps);
    AddressAssignment out;
    out.peers.reserve(profile.peers.size());
    for (const auto& peer : profile.peers) {
        PeerAddresses addrs{peer.address, peer.address6, peer.extra_addresses};
        auto it = pools.find(peer.group);
        if (it != pools.end()) {
            AddressPool* p4 = it->second.v4 && !peer.no_address ? &*it->second.v4 : nullptr;
            AddressPool* p6 = it->second.v6 && !peer.no_address6 ? &*it->second.v6 : nullptr;
            // A fixed IPv6 address lends its offset to the allocated IPv4 one.
            if (!fill(addrs.v4, p4, p6, addrs.v6) && !out.error)
                out.error = full_error(*p4, peer.group, peer.origin.table);
            if (!fill(addrs.v6, p6, p4, addrs.v4) && !out.error)
                out.error = full_error(*p6, peer.group, peer.origin.table);
        }
        out.peers.push_back(addrs);
    }
    return out;
}

Result<std::vector<PeerAddresses>> assign_peer_addresses(const model::Profile& profile) {
    auto assignment = assign_addresses(profile);
    if (assignment.error) return *assignment.error;
    return std::move(assignment.peers);
}

}  // namespace vpngw::plan
