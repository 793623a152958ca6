#pragma once

// wireguard-go (backend = "userspace") holds at most model::kUserspacePeerLimit
// peers on one device. `check` and `peer add` see the profile's peers; these
// count the registry's too, so `up` and `peer import` refuse before anything
// is written rather than wireguard-go failing half-way ("Invalid argument").

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/profile.hpp"
#include "util/result.hpp"

namespace vpngw::gateway {

// Peers by group name.
using GroupPeerCounts = std::unordered_map<std::string, std::size_t>;

// Adds each of `peers` (model::Peer or registry::PeerRecord) to its group's count.
template <typename PeerList>
void count_by_group(GroupPeerCounts& counts, const PeerList& peers) {
    for (const auto& p : peers) ++counts[p.group];
}

// The first userspace interface whose groups hold more peers than
// wireguard-go takes, as an Error at its `backend` key; `registry_file`
// names where most of them come from (with [cluster], the etcd registry's
// endpoints and prefix are named instead). Interfaces on "auto" pass: only exec/
// may probe which backend they get.
Status check_userspace_capacity(const model::Profile& profile, const GroupPeerCounts& counts,
                                const std::string& registry_file);
// The same for a session's merged profile (its peers and the registry's).
Status check_userspace_capacity(const model::Profile& merged, const std::string& registry_file);

}  // namespace vpngw::gateway
