#pragma once

// The registry's schema as forward migration steps. `PRAGMA user_version`
// holds the number of steps applied; opening a database applies the missing
// ones in one write transaction, and refuses a database from a newer vpngw.
// A step is never edited once released: changes are new steps.

#include <span>

#include "registry/sqlite_db.hpp"

namespace vpngw::registry::sqlite {

struct MigrationStep {
    int version;      // user_version after the step
    const char* sql;  // one or more statements
    // Fills what SQL alone cannot (after `sql`, in the same transaction).
    Status (*fill)(Db&) = nullptr;
};

// Every step, in order; the last one's version is the current schema.
std::span<const MigrationStep> migration_steps();

// The oldest schema a read-only open accepts: later steps only added what
// writers keep (group_sizes), so `status` or `peer list` right after an
// upgrade reads the peers before any command migrated the file.
int oldest_readable_version();
int schema_version();

// Applies the steps `db` lacks (inside BEGIN IMMEDIATE, so concurrent
// openers apply them once).
Status migrate_schema(Db& db);

}  // namespace vpngw::registry::sqlite
