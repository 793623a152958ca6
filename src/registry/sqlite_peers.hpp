#pragma once

// Row-level reads and writes of the SQLite registry, shared by the registry
// itself and the legacy migration. Callers own the transaction.

#include <optional>
#include <string_view>
#include <vector>

#include "registry/registry.hpp"
#include "registry/sqlite_db.hpp"

namespace vpngw::registry::sqlite {

// An address as the addresses table's hi and lo columns (schema step 3):
// signed order of (hi, lo) is address order within a family, and lo + 1 is
// the next address while hi stays.
struct AddressKey {
    std::int64_t hi = 0;
    std::int64_t lo = 0;
};
AddressKey address_key(const IpAddress& address);
IpAddress address_of(int family, const AddressKey& key);

// Inserts peers, their addresses and networks, with statements prepared once
// (a migration inserts every peer). A UNIQUE violation becomes an error naming
// the field (name, public_key, address) and the peer holding it.
class PeerInserter {
  public:
    static Result<PeerInserter> prepare(Db& db);
    Status insert(const PeerRecord& peer);
    // The addresses and networks of the peer with row id `id`.
    Status insert_children(std::int64_t id, const PeerRecord& peer);

  private:
    PeerInserter(Db& db, Stmt peer, Stmt address, Stmt network)
        : db_(&db),
          peer_(std::move(peer)),
          address_(std::move(address)),
          network_(std::move(network)) {}
    Db* db_;
    Stmt peer_, address_, network_;
};
Status insert_peer(Db& db, const PeerRecord& peer);
Status insert_audit(Db& db, const Actor& actor, std::string_view peer, std::string_view fields);

// Reads several tables: call it inside one transaction.
Result<std::vector<PeerRecord>> select_peers(Db& db);
// The same one record at a time, in id order, holding none but the current.
Status each_peer(Db& db, const Registry::Visit& visit);
// How many peers are stored (to reserve room before each_peer).
Result<std::size_t> count_peers(Db& db);
Result<std::optional<PeerRecord>> select_peer(Db& db, std::string_view name);
// Its row id, when it exists.
Result<std::optional<std::int64_t>> select_peer_id(Db& db, std::string_view name);
// Rewrites the peer with row id `id` (its row, addresses and networks).
Status update_peer(Db& db, std::int64_t id, const PeerRecord& peer);
// The addresses held by the peers of `group`.
Result<std::vector<IpAddress>> select_group_addresses(Db& db, std::string_view group);
Result<std::vector<AuditEntry>> select_audit(Db& db, const AuditFilter& filter);

Status insert_pending(Db& db, std::string_view peer, const std::optional<PeerRecord>& before);
Result<std::vector<Unsettled>> select_pending(Db& db);
Status delete_pending(Db& db, std::string_view peer);

// meta table: facts about the database itself.
Status set_meta(Db& db, std::string_view key, std::string_view value);
Result<std::optional<std::string>> get_meta(Db& db, std::string_view key);

}  // namespace vpngw::registry::sqlite
