#pragma once

// The JSON values behind json_view.hpp, for code that builds larger documents
// from them (the API of `vpngw serve`). Includes nlohmann/json, a heavy
// header: only the few translation units that build JSON include this.

#include <cstdint>
#include <nlohmann/json.hpp>

#include "gateway/peers.hpp"
#include "gateway/status.hpp"

namespace vpngw::json {

// Keys in the order they are set: the documented order.
using Json = nlohmann::ordered_json;

// One peer (see peer_list_json).
Json peer_value(const gateway::PeerListEntry& peer, std::int64_t now);
// The fleet member's part of the status (docs/fleet.md, "vpngw status on a
// fleet member"): null without [cluster]. cluster_json.cpp.
Json cluster_value(const gateway::ClusterStatus& cluster);
// The status snapshot (see status_json).
Json status_value(const gateway::StatusReport& report);

}  // namespace vpngw::json
