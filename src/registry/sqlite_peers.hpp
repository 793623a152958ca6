#pragma once

// Row-level reads and writes of the SQLite registry, shared by the registry
// itself and the legacy migration. Callers own the transaction.

#include <optional>
#include <string_view>
#include <vector>

#include "registry/registry.hpp"
#include "registry/sqlite_db.hpp"

namespace vpngw::registry::sqlite {

// Inserts the peer, its addresses and networks. A UNIQUE violation becomes an
// error naming the field (name, public_key, address) and the peer holding it.
Status insert_peer(Db& db, const PeerRecord& peer);
Status insert_audit(Db& db, const Actor& actor, std::string_view peer, std::string_view fields);

// Reads several tables: call it inside one transaction.
Result<std::vector<PeerRecord>> select_peers(Db& db);
Result<std::optional<PeerRecord>> select_peer(Db& db, std::string_view name);
// The addresses held by the peers of `group`.
Result<std::vector<IpAddress>> select_group_addresses(Db& db, std::string_view group);
Result<std::vector<AuditEntry>> select_audit(Db& db);

// meta table: facts about the database itself.
Status set_meta(Db& db, std::string_view key, std::string_view value);
Result<std::optional<std::string>> get_meta(Db& db, std::string_view key);

}  // namespace vpngw::registry::sqlite
