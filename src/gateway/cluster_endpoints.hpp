#pragma once

// The fleet's endpoint registry on the kernel side (issue 20, docs/fleet.md
// "Speaking first on failover"). Run by `vpngw cluster follow` next
// to its watch:
//   - while this member serves (VRRP MASTER, or no [cluster.vrrp]), it reads
//     its WireGuard devices once a period and publishes the peers' endpoints
//     that changed since the last publish (fleet/etcd_endpoints.hpp);
//   - when it becomes MASTER (vrrp.state, written by keepalived's notify
//     script, says so), it takes over: every peer of its devices with a
//     published endpoint another member saw gets that endpoint and starts a
//     handshake at once (a persistent keepalive switched on makes WireGuard
//     send a keepalive, which needs a session, hence an initiation), then
//     gets its own keepalive back. The client accepts it: the members share
//     the server's static key.

#include <chrono>
#include <map>
#include <stop_token>
#include <vector>

#include "fleet/etcd_endpoints.hpp"
#include "gateway/cluster_follow.hpp"
#include "gateway/peers_live.hpp"
#include "gateway/session.hpp"
#include "wg/types.hpp"

namespace vpngw::gateway {

// The peers of `device` that have an endpoint now.
std::map<PublicKey, Endpoint> seen_endpoints(const wg::ObservedDevice& device);

// The three requests of a takeover on one device, each one batch:
//   off:     the peers whose keepalive is on get it off (so that turning it on
//            below is a change WireGuard acts on), with the endpoint;
//   kick:    every such peer gets the endpoint and a keepalive of 1 s;
//   restore: every such peer gets its own keepalive back.
// A peer qualifies when it is on the device, has a published record, and
// the record is another member's or the device has no endpoint for it.
struct TakeoverPlan {
    std::vector<wg::PeerConfig> off;
    std::vector<wg::PeerConfig> kick;
    std::vector<wg::PeerConfig> restore;
};
TakeoverPlan plan_takeover(const wg::ObservedDevice& device, const fleet::EndpointMap& published,
                           const std::string& node);

struct EndpointOptions {
    std::chrono::milliseconds publish{1000};  // between publishes
    std::chrono::milliseconds tick{200};      // between looks at vrrp.state
};

// Runs until `stop` is requested. etcd or a device that cannot be read is
// logged (once per kind of failure) and tried again on the next period.
void keep_endpoints(std::stop_token stop, const Options& options, const FollowEvents& events,
                    const EndpointOptions& opts = {});

}  // namespace vpngw::gateway
