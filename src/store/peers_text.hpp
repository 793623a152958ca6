#pragma once

// The line format of <state_dir>/peers.tsv: a header line, then one peer a
// line, fields separated by one tab, "-" for an absent value:
//
//   vpngw-peers 2
//   # name	group	public_key	address	address6	psk	created
//   alice-phone	staff	xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=	10.8.1.2
//   fd08:0:0:1::2 psk	2024-05-01T12:00:00Z bob	staff
//   TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=	10.8.1.3	-	-
//   2024-05-01T12:00:05Z
//
// Why not TOML: `vpngw peer add` reads and rewrites the whole file, and
// parsing 10,000 [[peer]] tables with toml++ took ~70% of an add; splitting
// lines on tabs is about fifty times cheaper. No field needs quoting: names
// and groups follow the name rule, keys are base64, addresses and times have
// fixed alphabets, and anything else is refused. "psk" means psk/<name>.psk
// exists; created is UTC, seconds precision. Lines starting with '#' and
// empty lines are ignored; the version in the header changes with the fields.

#include <string>
#include <string_view>

#include "store/peer_store.hpp"

namespace vpngw::store {

// Errors name file:line:column and the field, and never quote a key.
Result<PeerState> parse_peers(std::string_view text, const std::string& file);

// One peer line (no newline), as in the file; errors are located at `line_no`.
Result<StoredPeer> parse_peer_line(std::string_view line, const std::string& file, int line_no);
void append_peer_line(std::string& out, const StoredPeer& peer);

// A snapshot written by save_peers names itself on its second line,
// "# snapshot <id>" (a comment to readers that do not know it): the journal
// (peers_journal.hpp) records which snapshot it continues. Empty when absent.
std::string_view snapshot_id(std::string_view text);

}  // namespace vpngw::store
