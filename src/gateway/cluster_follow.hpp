#pragma once

// `vpngw cluster follow`: keeps this fleet member's kernel in step with the
// shared registry (issue 20 item 2, docs/fleet.md). It watches the peers in
// etcd from the revision it last applied (<state_dir>/cluster-applied) and
// applies each change to the kernel as it arrives, one peer at a time, as
// `peer add/remove` do on one machine. After downtime it resumes from that
// revision; when etcd has compacted it away, or on the first start, it
// reconciles in full (`up` with the registry's peers). Without etcd (no
// quorum, members unreachable) it changes nothing: the kernel keeps the last
// applied state, and it resumes when etcd answers again. Next to the watch
// it publishes the clients' endpoints and takes them over on becoming VRRP
// MASTER (gateway/cluster_endpoints.hpp).

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "gateway/peers_live.hpp"
#include "gateway/session.hpp"

namespace vpngw::gateway {

struct FollowEvents {
    std::function<void(const std::string&)> info;   // a change applied, a reconcile
    std::function<void(const std::string&)> error;  // a change the kernel refused, etcd gone
    // Once the kernel has caught up with the registry (READY=1 for systemd).
    std::function<void(std::int64_t revision)> caught_up;
};

struct FollowOptions {
    // A watch silent this long is started again from the applied revision
    // (a member lost without a TCP reset would otherwise hold it forever).
    std::chrono::milliseconds silence{60000};
    // Between attempts while etcd cannot be reached.
    std::chrono::milliseconds retry{1000};
};

// Runs until the process is stopped; returns only when the profile cannot
// be used at all (no [cluster], errors), with that error.
Status follow_cluster(const Options& options, LiveGateway& live, const FollowEvents& events,
                      const FollowOptions& follow = {});

}  // namespace vpngw::gateway
