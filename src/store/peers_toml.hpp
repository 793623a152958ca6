#pragma once

// The TOML peers file that vpngw wrote before the line format (peers.toml,
// "version = 1"). Kept only so an existing state directory is read once and
// migrated: save_peers writes the line format and removes this file.
//
//   version = 1
//
//   [[peer]]
//   name = "alice-phone"
//   group = "staff"
//   public_key = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
//   address = "10.8.1.2"             # optional
//   address6 = "fd08:0:0:1::2"       # optional
//   has_psk = true                   # psk/<name>.psk exists
//   created = 2024-05-01T12:00:00Z

#include <string>
#include <string_view>

#include "store/peer_store.hpp"

namespace vpngw::store {

// Errors name file:line:col for TOML syntax errors and for invalid or
// duplicate values.
Result<PeerState> parse_legacy_peers_toml(std::string_view text, const std::string& file);

}  // namespace vpngw::store
