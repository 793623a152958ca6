#pragma once

// The fleet part of `vpngw status` (profiles with [cluster]): this member's
// name, etcd's members, keepalived's VRRP state of this member (from the
// state file its notify script writes), the registry revision the kernel
// has applied (`vpngw cluster follow`) and how far etcd is ahead of it.
// Never fails: what cannot be read is said in the fields.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fleet/etcd_members.hpp"
#include "gateway/cluster_applied.hpp"
#include "gateway/session.hpp"

namespace vpngw::gateway {

struct ClusterStatus {
    std::string node;
    std::vector<std::string> etcd_members;   // "e1 https://10.0.0.1:2379"
    std::vector<fleet::EtcdMember> members;  // the same, as etcd lists them (for --json)
    std::string etcd_error;                  // why etcd could not be asked; empty: it answered
    std::optional<std::string> vrrp_state;   // MASTER / BACKUP / FAULT / STOP; none: no file
    std::string vrrp_error;                  // the state file is unreadable (vrrp_state says so)
    std::int64_t vrrp_since = 0;             // unix seconds of that change; 0: unknown
    std::optional<ClusterApplied> applied;   // none: never followed
    std::string applied_error;
    std::optional<std::int64_t> etcd_revision;  // the store's revision now
    // Revisions etcd is ahead of the kernel (every key counts: audit entries
    // too); 0 when caught up. None when either side is unknown.
    std::optional<std::int64_t> lag() const {
        if (!applied || !etcd_revision) return std::nullopt;
        return std::max<std::int64_t>(0, *etcd_revision - applied->revision);
    }
};

ClusterStatus gather_cluster_status(const Session& session);

// "MASTER 1733412345\n" as keepalived's notify script writes it.
struct VrrpState {
    std::string state;
    std::int64_t since = 0;
};
Result<std::optional<VrrpState>> read_vrrp_state(const store::StatePaths& paths);

}  // namespace vpngw::gateway
