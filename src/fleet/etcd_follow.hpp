#pragma once

// What a fleet member needs to follow the registry (docs/fleet.md, "How
// each gateway follows the registry"): every peer as of one revision (the
// start, or a full reconcile), and the peers' changes after a revision as
// they happen (an etcd watch). Pure reading: the kernel side is
// gateway/cluster_follow.hpp.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fleet/etcd_kv.hpp"
#include "model/cluster.hpp"
#include "registry/registry.hpp"
#include "util/result.hpp"

namespace vpngw::fleet {

struct PeerSnapshot {
    std::vector<registry::PeerRecord> peers;
    std::int64_t revision = 0;  // the store's revision they are of
};

// Every peer as of `revision` (0: now). An error whose message says
// "compacted" means etcd no longer has that revision (see is_compacted).
Result<PeerSnapshot> read_peers_at(EtcdKv& kv, const std::string& prefix, std::int64_t revision);
bool is_compacted(const Error& error);

// The store's revision now (every key counts, not only the registry's).
Result<std::int64_t> current_revision(EtcdKv& kv, const std::string& prefix);

// One peer's new state: the record, or none when it was removed.
struct PeerChange {
    std::string name;
    std::optional<registry::PeerRecord> record;
};

// What one watch message says about the peers.
struct PeerBatch {
    std::int64_t revision = 0;        // everything up to it is in this batch or before; 0: unknown
    std::vector<PeerChange> changes;  // in the order etcd applied them
    bool compacted = false;           // the start revision is gone: read everything again
};

// Follows the peers under `prefix` from `from_revision` (inclusive) until
// `on_batch` returns false, the stream ends or fails, or `silence` passes
// without a byte (the caller starts again from where it got to). A record
// that cannot be read is an error: the caller must not skip a change.
Status follow_peers(const model::EtcdSettings& settings, std::int64_t from_revision,
                    std::chrono::milliseconds silence,
                    const std::function<bool(const PeerBatch&)>& on_batch);

}  // namespace vpngw::fleet
