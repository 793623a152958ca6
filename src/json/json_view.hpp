#pragma once

// JSON for `vpngw peer list --json`, `vpngw status --json` and the API of
// `vpngw serve` (nlohmann/json does the encoding, see values.hpp). Field names are an interface:
// scripts read them.

#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/peers.hpp"
#include "gateway/status.hpp"
#include "registry/registry.hpp"

namespace vpngw::json {

// One peer: name, group, interface, address(6), public_key, source and, when
// its interface is up, endpoint, latest_handshake, handshake_age_seconds,
// rx_bytes, tx_bytes (null otherwise).
// {"peers": [...]} with one peer per line, so `grep` works on it as well as a parser.
std::string peer_list_json(const gateway::PeerListing& listing, std::int64_t now);
// The same a peer at a time, for a listing written as it is read:
// begin(), then add() appends each peer's line to `out`, then end().
class PeerListJson {
  public:
    static std::string_view begin() { return "{\"peers\": ["; }
    void add(std::string& out, const gateway::PeerListEntry& peer, std::int64_t now);
    std::string_view end() const;

  private:
    std::size_t count_ = 0;
};
// One peer's line: the text of peer_value (values.hpp) dumped on one line,
// written without building it.
void append_peer_line(std::string& out, const gateway::PeerListEntry& peer, std::int64_t now);

// `vpngw peer export --json`: {"version": 1, "peers": [...]}, one peer a
// line, every field of the registry record (public keys only).
std::string peer_export_json(const std::vector<registry::PeerRecord>& peers);
// `vpngw log --json`: {"log": [{"time", "user", "command", "peer", "fields"}]}.
std::string audit_json(const std::vector<registry::AuditEntry>& entries);

// The whole status snapshot, pretty-printed.
std::string status_json(const gateway::StatusReport& report);

}  // namespace vpngw::json
