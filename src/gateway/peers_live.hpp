#pragma once

// The running gateway as `vpngw peer add/remove/list` and `status` see it:
// the executor's port (exec/live_peers.hpp). The peer logic (allocation,
// state, rollback) only talks to this interface, so it is tested without
// root against a fake, and only exec/ changes the kernel.

#include <memory>

#include "exec/live_peers.hpp"
#include "gateway/session.hpp"

namespace vpngw::gateway {

using LiveGateway = exec::LivePeers;

// exec's real port with the session's choice of wireguard-go.
std::unique_ptr<LiveGateway> system_gateway(const Options& options);

}  // namespace vpngw::gateway
