#include "registry/sqlite_schema.hpp"

#include <string>

#include "registry/sqlite_peers.hpp"

namespace vpngw::registry::sqlite {
namespace {

// Step 3's numbers for the addresses stored before it.
Status fill_address_numbers(Db& db) {
    auto read = Stmt::prepare(db, "SELECT rowid, address FROM addresses");
    if (!read) return read.error();
    auto write = Stmt::prepare(db, "UPDATE addresses SET hi = ?, lo = ? WHERE rowid = ?");
    if (!write) return write.error();
    for (;;) {
        auto row = read->step();
        if (!row) return row.error();
        if (!*row) return ok_status();
        auto a = IpAddress::parse(read->text(1));
        if (!a)
            return Error{"peer registry: an invalid address \"" + read->text(1) + "\"",
                         Location{db.path()}};
        const AddressKey key = address_key(*a);
        write->bind(1, key.hi).bind(2, key.lo).bind(3, read->int64(0));
        if (auto st = write->run(); !st) return st;
    }
}

// Step 5's triggers: one per table and kind of write (SQLite has no trigger
// on several events).
Status create_revision_triggers(Db& db) {
    for (const char* table : {"peers", "addresses", "networks"})
        for (const char* event : {"INSERT", "UPDATE", "DELETE"}) {
            const std::string sql = std::string("CREATE TRIGGER revision_") + table + "_" + event +
                                    " AFTER " + event + " ON " + table +
                                    " BEGIN UPDATE revision SET n = n + 1, salt = randomblob(16); "
                                    "END";
            if (auto st = db.exec(sql.c_str()); !st) return st;
        }
    return ok_status();
}

// Times are Unix seconds (UTC); booleans 0/1; addresses and CIDRs in their
// canonical text (IpAddress::str, Prefix::str), so UNIQUE compares them right.
constexpr MigrationStep kSteps[] = {
    {1, R"sql(
CREATE TABLE peers (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE,
    public_key   TEXT    NOT NULL UNIQUE,
    "group"      TEXT    NOT NULL,
    created      INTEGER NOT NULL,
    has_psk      INTEGER NOT NULL DEFAULT 0 CHECK (has_psk IN (0, 1)),
    disabled     INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    expires      INTEGER,
    quota_bytes  INTEGER CHECK (quota_bytes >= 0),
    quota_period TEXT    NOT NULL DEFAULT '' CHECK (quota_period IN ('', 'day', 'week', 'month')),
    rate_bits    INTEGER CHECK (rate_bits > 0),
    UNIQUE (id, "group")  -- the target of addresses' group copy
);
CREATE INDEX peers_group ON peers ("group");
-- "group" repeats the peer's (kept equal by the foreign key, which cascades a
-- group move) so allocation reads one group's addresses from one index
-- instead of joining every peer of the group.
CREATE TABLE addresses (
    peer_id INTEGER NOT NULL,
    "group" TEXT    NOT NULL,
    address TEXT    NOT NULL UNIQUE,
    family  INTEGER NOT NULL CHECK (family IN (4, 6)),
    UNIQUE (peer_id, family),
    FOREIGN KEY (peer_id, "group") REFERENCES peers (id, "group")
        ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX addresses_group ON addresses ("group", address);
CREATE TABLE networks (
    peer_id INTEGER NOT NULL REFERENCES peers (id) ON DELETE CASCADE,
    cidr    TEXT    NOT NULL,
    UNIQUE (peer_id, cidr)
);
CREATE INDEX networks_peer ON networks (peer_id);
CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    time    INTEGER NOT NULL,
    user    TEXT    NOT NULL,
    command TEXT    NOT NULL,
    peer    TEXT    NOT NULL DEFAULT '',
    fields  TEXT    NOT NULL DEFAULT ''
);
-- Facts about the database itself, e.g. which legacy files it was migrated from.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
)sql"},
    // Changes the kernel may not have yet: each change of a peer inserts a
    // row in its transaction, and the command deletes it once the kernel has
    // the change; a command killed in between leaves it for the next one.
    {2, R"sql(
CREATE TABLE pending (
    id     INTEGER PRIMARY KEY,
    peer   TEXT NOT NULL,  -- the peer's name after the change
    before TEXT            -- its record before (registry/peer_text.hpp), NULL when new
);
CREATE INDEX pending_peer ON pending (peer);
)sql"},
    // Allocation without reading the group: each address also as two
    // integers (hi: upper 64 bits, 0 for IPv4; lo: the lower 64, or the IPv4
    // address; both offset by 2^63 so signed order is address order), an
    // index that walks a group's addresses in order, and per group and
    // family a remembered point below which a walk found every address held.
    // The triggers lower it when an address is freed (remove, edit, group
    // move: cascades too), so it is right whichever statement frees one.
    {3, R"sql(
ALTER TABLE addresses ADD COLUMN hi INTEGER NOT NULL DEFAULT 0;
ALTER TABLE addresses ADD COLUMN lo INTEGER NOT NULL DEFAULT 0;
CREATE INDEX addresses_order ON addresses ("group", family, hi, lo);
CREATE TABLE alloc_hint (
    "group" TEXT    NOT NULL,
    family  INTEGER NOT NULL,
    hi      INTEGER NOT NULL,
    start   INTEGER NOT NULL,  -- every lo in [start, low) is held
    low     INTEGER NOT NULL,
    PRIMARY KEY ("group", family, hi)
);
CREATE TRIGGER addresses_freed AFTER DELETE ON addresses BEGIN
    UPDATE alloc_hint SET low = MIN(low, OLD.lo)
     WHERE "group" = OLD."group" AND family = OLD.family AND hi = OLD.hi;
END;
CREATE TRIGGER addresses_changed AFTER UPDATE ON addresses BEGIN
    UPDATE alloc_hint SET low = MIN(low, OLD.lo)
     WHERE "group" = OLD."group" AND family = OLD.family AND hi = OLD.hi;
END;
)sql",
     fill_address_numbers},
    // How many peers each group holds, kept by triggers in every statement's
    // transaction: `peer add` checks a userspace interface's room (65,536
    // peers) with one row read instead of counting the group's peers, which
    // cost O(peers) (150,000 VM steps at 50,000 peers).
    {4, R"sql(
CREATE TABLE group_sizes (
    "group" TEXT    PRIMARY KEY,
    peers   INTEGER NOT NULL CHECK (peers >= 0)
);
INSERT INTO group_sizes ("group", peers) SELECT "group", COUNT(*) FROM peers GROUP BY "group";
CREATE TRIGGER group_size_added AFTER INSERT ON peers BEGIN
    INSERT INTO group_sizes ("group", peers) VALUES (NEW."group", 1)
        ON CONFLICT ("group") DO UPDATE SET peers = peers + 1;
END;
CREATE TRIGGER group_size_removed AFTER DELETE ON peers BEGIN
    UPDATE group_sizes SET peers = peers - 1 WHERE "group" = OLD."group";
END;
CREATE TRIGGER group_size_moved AFTER UPDATE OF "group" ON peers
    WHEN OLD."group" IS NOT NEW."group" BEGIN
    UPDATE group_sizes SET peers = peers - 1 WHERE "group" = OLD."group";
    INSERT INTO group_sizes ("group", peers) VALUES (NEW."group", 1)
        ON CONFLICT ("group") DO UPDATE SET peers = peers + 1;
END;
)sql"},
    // A revision of what the kernel is planned from (peers, their addresses
    // and networks), changed by triggers in the transaction of any statement
    // that writes them, vpngw's or a hand-run sqlite3's: `up` and `status`
    // read this one row to prove nothing changed since the last `up`
    // (gateway/noop_proof.hpp) instead of reading every peer. `salt` is new
    // random bytes with every change, so a database put back from a copy and
    // changed as often again does not repeat a revision.
    {5, R"sql(
CREATE TABLE revision (
    id   INTEGER PRIMARY KEY CHECK (id = 0),
    n    INTEGER NOT NULL,
    salt BLOB    NOT NULL
);
INSERT INTO revision (id, n, salt) VALUES (0, 0, randomblob(16));
)sql",
     create_revision_triggers},
};

// Its own scope: a statement still open would keep COMMIT from succeeding.
Status use_wal(Db& db) {
    auto mode = Stmt::prepare(db, "PRAGMA journal_mode = WAL");
    if (!mode) return mode.error();
    auto row = mode->step();
    if (!row) return row.error();
    if (!*row || mode->text(0) != "wal")
        return Error{"peer registry: cannot switch to write-ahead logging", Location{db.path()}};
    return ok_status();
}

}  // namespace

std::span<const MigrationStep> migration_steps() {
    return kSteps;
}

int oldest_readable_version() {
    return 3;
}

int schema_version() {
    return kSteps[std::size(kSteps) - 1].version;
}

Status migrate_schema(Db& db) {
    // WAL: readers (`peer list`, `up`) never wait for a writer. Persistent in
    // the file, so it is set once; it cannot change inside a transaction.
    if (auto st = use_wal(db); !st) return st;

    auto version = db.pragma_int("user_version");
    if (!version) return version.error();
    if (*version == schema_version()) return ok_status();  // the common case: no write lock

    auto txn = Txn::write(db);
    if (!txn) return txn.error();
    version = db.pragma_int("user_version");  // another process may have migrated meanwhile
    if (!version) return version.error();
    if (*version > schema_version())
        return Error{"peer registry schema version " + std::to_string(*version) +
                         " is newer than this vpngw understands (" +
                         std::to_string(schema_version()) + "): use a newer vpngw",
                     Location{db.path()}};
    for (const auto& step : kSteps) {
        if (step.version <= *version) continue;
        Status st = db.exec(step.sql);
        if (st && step.fill) st = step.fill(db);
        if (!st)
            return Error{"peer registry: schema step " + std::to_string(step.version) +
                             " failed: " + st.error().message,
                         Location{db.path()}};
        const std::string set = "PRAGMA user_version = " + std::to_string(step.version);
        if (auto st = db.exec(set.c_str()); !st) return st;
    }
    return txn->commit();
}

}  // namespace vpngw::registry::sqlite
