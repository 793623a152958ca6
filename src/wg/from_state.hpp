#pragma once

// From the plan's kernel-state values to backend requests: the only place key
// files named in the state are read.

#include "state/kernel_state.hpp"
#include "util/result.hpp"
#include "wg/types.hpp"

namespace vpngw::wg {

// The peer as an add/update (allowed-ips replaced); reads its preshared key file if any.
Result<PeerConfig> peer_config(const state::WgPeer& peer);

// The whole device: private key (from its file), port, fwmark and every peer,
// with replace_peers so the device ends up exactly as described.
Result<DeviceConfig> device_config(const state::WgDevice& device);

}  // namespace vpngw::wg
