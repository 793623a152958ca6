#pragma once

// The registry as text a person can read and keep: `vpngw peer export`
// writes it, `vpngw peer import` reads it back. TOML, one [[peer]] table a
// peer, every field of the record (public keys, never a private key or PSK:
// `psk = true` says psk/<name>.psk goes with it):
//
//   version = 1
//
//   [[peer]]
//   name = "bob"
//   group = "staff"
//   public_key = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
//   address = "10.8.1.2"          # optional, as address6
//   psk = true                    # optional, default false
//   created = "2026-12-01T10:00:00Z"
//   disabled = true               # optional, default false
//   expires = "2027-01-31T00:00:00Z"
//   quota = "50GiB/month"
//   rate = "20mbit"
//   networks = ["192.168.50.0/24"]

#include <string>
#include <string_view>
#include <vector>

#include "model/peer_limits.hpp"
#include "registry/registry.hpp"

namespace vpngw::registry {

std::string format_peers_text(const std::vector<PeerRecord>& peers);
// Errors name file:line:col and the field. Names, keys and addresses must
// be unique within the text (the registry checks them against its own).
Result<std::vector<PeerRecord>> parse_peers_text(std::string_view text, const std::string& file);

// The record's quota in the model's terms, and back.
std::optional<model::Quota> quota_of(const PeerRecord& peer);
void set_quota(PeerRecord& peer, const std::optional<model::Quota>& quota);

}  // namespace vpngw::registry
