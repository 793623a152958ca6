#pragma once

// <state_dir>/cluster-applied: the registry revision this fleet member's
// kernel has applied, and when. `vpngw cluster follow` writes it after each
// change it applies and resumes from it after downtime; `vpngw status`
// shows it with the lag behind etcd. Two lines: "revision N", "applied_at T".

#include <chrono>
#include <cstdint>
#include <optional>

#include "store/state_paths.hpp"
#include "util/result.hpp"

namespace vpngw::gateway {

struct ClusterApplied {
    std::int64_t revision = 0;
    std::chrono::sys_seconds applied_at{};
};

// nullopt when the file does not exist; an error naming file and line when
// it is not what write_cluster_applied writes.
Result<std::optional<ClusterApplied>> read_cluster_applied(const store::StatePaths& paths);
Status write_cluster_applied(const store::StatePaths& paths, const ClusterApplied& applied);

}  // namespace vpngw::gateway
