#include "registry/sqlite_registry.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "registry/legacy_import.hpp"
#include "registry/sqlite_db.hpp"
#include "registry/sqlite_group_addresses.hpp"
#include "registry/sqlite_peers.hpp"
#include "registry/sqlite_schema.hpp"
#include "store/state_dir_check.hpp"
#include "store/state_paths.hpp"
#include "util/unique_fd.hpp"

namespace vpngw::registry {
namespace {

using sqlite::Db;
using sqlite::Txn;

// Marks a database built from legacy files, so a crash between committing it
// and renaming them is finished on the next open instead of refused.
constexpr std::string_view kMigratedKey = "legacy_migrated";

class SqliteRegistry final : public Registry {
  public:
    explicit SqliteRegistry(Db db) : db_(std::move(db)) {}

    Result<std::vector<PeerRecord>> list() override {
        auto txn = Txn::read(db_);
        if (!txn) return txn.error();
        return sqlite::select_peers(db_);
    }

    Status each(const Visit& visit) override {
        auto txn = Txn::read(db_);
        if (!txn) return txn.error();
        return sqlite::each_peer(db_, visit);
    }

    Result<std::optional<PeerRecord>> find(std::string_view name) override {
        auto txn = Txn::read(db_);
        if (!txn) return txn.error();
        return sqlite::select_peer(db_, name);
    }

    Result<std::size_t> count(const std::vector<std::string>& groups) override {
        // group_sizes (schema step 4): one row per group, not a walk of its peers.
        auto stmt = sqlite::Stmt::prepare(db_, "SELECT peers FROM group_sizes WHERE \"group\" = ?");
        if (!stmt) return stmt.error();
        std::size_t n = 0;
        for (const auto& g : groups) {
            stmt->bind(1, g);
            auto row = stmt->step();
            if (!row) return row.error();
            if (*row) n += static_cast<std::size_t>(stmt->int64(0));
            stmt->reset();
        }
        return n;
    }

    Result<PeerRecord> add(PeerRecord peer, const Allocator* allocate,
                           const Actor& actor) override {
        auto txn = Txn::write(db_);
        if (!txn) return txn.error();
        // Checked first so a taken name is reported as such, not as whatever
        // the allocation would run into.
        auto existing = sqlite::select_peer(db_, peer.name);
        if (!existing) return existing.error();
        if (*existing) return name_taken(**existing);
        if (allocate) {
            sqlite::StoredGroupAddresses stored(db_, peer.group);
            auto chosen = (*allocate)(stored);
            if (!chosen) return chosen.error();
            peer.address = chosen->v4;
            peer.address6 = chosen->v6;
        }
        if (auto st = sqlite::insert_peer(db_, peer); !st) return st.error();
        if (auto st = record(actor, peer.name, describe_fields(peer), std::nullopt); !st)
            return st.error();
        if (auto st = txn->commit(); !st) return st.error();
        return peer;
    }

    Status add_all(const std::vector<PeerRecord>& peers, const std::string& what,
                   const Actor& actor) override {
        auto txn = Txn::write(db_);
        if (!txn) return txn.error();
        auto inserter = sqlite::PeerInserter::prepare(db_);
        if (!inserter) return inserter.error();
        for (const auto& p : peers) {
            if (auto st = inserter->insert(p); !st) return st;
            if (auto st = sqlite::insert_pending(db_, p.name, std::nullopt); !st) return st;
        }
        if (auto st = sqlite::insert_audit(db_, actor, "",
                                           what + ": " + std::to_string(peers.size()) + " peers");
            !st)
            return st;
        return txn->commit();
    }

    Result<PeerRecord> remove(std::string_view name, const Actor& actor) override {
        auto txn = Txn::write(db_);
        if (!txn) return txn.error();
        auto existing = sqlite::select_peer(db_, name);
        if (!existing) return existing.error();
        if (!*existing) return no_peer(name);
        auto del = sqlite::Stmt::prepare(db_, "DELETE FROM peers WHERE name = ?");
        if (!del) return del.error();
        del->bind(1, name);
        if (auto st = del->run(); !st) return st.error();
        if (auto st = record(actor, name, describe_fields(**existing), **existing); !st)
            return st.error();
        if (auto st = txn->commit(); !st) return st.error();
        return std::move(**existing);
    }

    Result<Change> update(std::string_view name, const Edit& edit, const Allocator* allocate,
                          const Actor& actor) override {
        auto txn = Txn::write(db_);
        if (!txn) return txn.error();
        auto id = sqlite::select_peer_id(db_, name);
        if (!id) return id.error();
        if (!*id) return no_peer(name);
        auto before = sqlite::select_peer(db_, name);
        if (!before) return before.error();
        Change change{**before, **before};
        if (auto st = edit(change.after); !st) return st.error();
        if (change.after.name != change.before.name) {
            auto taken = sqlite::select_peer(db_, change.after.name);
            if (!taken) return taken.error();
            if (*taken) return name_taken(**taken);
        }
        if (allocate) {
            // The peer's own addresses are free to take again: update_peer
            // rewrites its rows anyway.
            auto drop = sqlite::Stmt::prepare(db_, "DELETE FROM addresses WHERE peer_id = ?");
            if (!drop) return drop.error();
            drop->bind(1, **id);
            if (auto st = drop->run(); !st) return st.error();
            sqlite::StoredGroupAddresses stored(db_, change.after.group);
            auto chosen = (*allocate)(stored);
            if (!chosen) return chosen.error();
            change.after.address = chosen->v4;
            change.after.address6 = chosen->v6;
        }
        if (auto st = sqlite::update_peer(db_, **id, change.after); !st) return st.error();
        std::string fields = describe_change(change.before, change.after);
        if (change.after.name != change.before.name)
            fields = "was=" + change.before.name + " " + fields;
        if (auto st = record(actor, change.after.name, fields, change.before); !st)
            return st.error();
        if (auto st = txn->commit(); !st) return st.error();
        return change;
    }

    Result<std::vector<AuditEntry>> audit(const AuditFilter& filter) override {
        auto txn = Txn::read(db_);
        if (!txn) return txn.error();
        return sqlite::select_audit(db_, filter);
    }

    Result<std::vector<Unsettled>> unsettled() override {
        auto txn = Txn::read(db_);
        if (!txn) return txn.error();
        return sqlite::select_pending(db_);
    }

    Status settle(std::string_view peer) override {
        auto txn = Txn::write(db_);
        if (!txn) return txn.error();
        if (auto st = sqlite::delete_pending(db_, peer); !st) return st;
        return txn->commit();
    }

  private:
    Error no_peer(std::string_view name) const {
        return Error{"no peer named \"" + std::string(name) + "\" (`vpngw peer list` lists them)",
                     Location{db_.path()}};
    }
    Error name_taken(const PeerRecord& p) const {
        return Error{"name: a peer named \"" + p.name + "\" already exists (group " + p.group +
                         "): `vpngw peer show " + p.name +
                         "` prints its config, `vpngw peer remove " + p.name + "` removes it",
                     Location{db_.path()}};
    }
    // The audit entry and the unsettled mark of a change, in its transaction.
    Status record(const Actor& actor, std::string_view peer, const std::string& fields,
                  const std::optional<PeerRecord>& before) {
        if (auto st = sqlite::insert_audit(db_, actor, peer, fields); !st) return st;
        return sqlite::insert_pending(db_, peer, before);
    }

  private:
    Db db_;
};

Error sys_error(const std::string& what, const std::string& path) {
    return Error{what + " " + path + ": " + std::strerror(errno)};
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

// Creates the file 0600 whatever the umask (SQLite would use 0644 & ~umask;
// its -wal and -shm files copy the database's mode). Never through a symlink.
Status create_private_file(const std::string& path, bool exclusive) {
    UniqueFd fd(::open(path.c_str(),
                       O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (exclusive ? O_EXCL : 0), 0600));
    if (!fd) return sys_error("cannot create", path);
    if (::fchmod(fd.get(), 0600) != 0) return sys_error("cannot chmod", path);
    return ok_status();
}

// Openers of one database take turns while they switch it to WAL and bring
// its schema up to date: SQLite answers a journal-mode change that races
// another connection with "database is locked" at once, without waiting in
// its busy handler. The flock(2) is held for a few milliseconds and is
// independent of SQLite's own fcntl locks; it is released when `turn` closes.
Result<Db> open_db(const std::string& path) {
    UniqueFd turn(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!turn) return sys_error("cannot open", path);
    while (::flock(turn.get(), LOCK_EX) != 0)
        if (errno != EINTR) return sys_error("cannot lock", path);
    auto db = Db::open(path, Db::Access::write);
    if (!db) return db;
    if (auto st = sqlite::migrate_schema(*db); !st) return st.error();
    return db;
}

void unlink_db_files(const std::string& path) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((path + suffix).c_str());
}

// Builds the registry from the legacy state in a private file and links it
// into place only once complete, so a failure leaves no peers.db behind and a
// concurrent first open either sees none or the whole migration.
Status build_from_legacy(const std::string& state_dir, const std::string& final_path,
                         const LegacyState& legacy, const Actor& actor) {
    const std::string temp = store::StatePaths{state_dir}.registry_build_file(::getpid());
    unlink_db_files(temp);  // a leftover of a crashed process with our pid
    if (auto st = create_private_file(temp, true); !st) return st;
    Status built = [&]() -> Status {
        auto db = open_db(temp);
        if (!db) return db.error();
        auto txn = Txn::write(*db);
        if (!txn) return txn.error();
        auto inserter = sqlite::PeerInserter::prepare(*db);
        if (!inserter) return inserter.error();
        for (const auto& p : legacy.peers)
            if (auto st = inserter->insert(p); !st)
                return Error{st.error().message + " (migrating " + legacy.summary + ")",
                             Location{legacy.files.front()}};
        if (auto st = sqlite::set_meta(*db, kMigratedKey, legacy.summary); !st) return st;
        if (auto st = sqlite::insert_audit(*db, actor, "", "migrated " + legacy.summary); !st)
            return st;
        return txn->commit();
    }();  // the database is closed here: WAL checkpointed, -wal and -shm gone
    if (built && ::link(temp.c_str(), final_path.c_str()) != 0 && errno != EEXIST)
        built = sys_error("cannot link the migrated registry to", final_path);
    unlink_db_files(temp);
    return built;
}

// A database migrated from legacy files that are still there: a crash came
// between its commit and the renames, unless an older vpngw wrote the files
// again since. Only the first may be finished by renaming them.
Status check_all_present(Db& db, const LegacyState& legacy) {
    auto txn = Txn::read(db);
    if (!txn) return txn.error();
    auto stored = sqlite::select_peers(db);
    if (!stored) return stored.error();
    std::unordered_map<std::string_view, const PeerRecord*> by_name;
    for (const auto& s : *stored) by_name.emplace(s.name, &s);
    for (const auto& p : legacy.peers) {
        auto it = by_name.find(p.name);
        const PeerRecord* s = it == by_name.end() ? nullptr : it->second;
        if (!s || s->public_key != p.public_key || s->address != p.address ||
            s->address6 != p.address6)
            return Error{"peer \"" + p.name + "\" of the legacy peers file is not in " + db.path() +
                             ", which was migrated from it before: was the file written again "
                             "by an older vpngw? Move it away or add its peers with `vpngw peer "
                             "import`",
                         Location{legacy.files.front()}};
    }
    return ok_status();
}

}  // namespace

std::string registry_file(const std::string& state_dir) {
    return store::StatePaths{state_dir}.registry_file();
}

Result<std::unique_ptr<Registry>> open_sqlite_registry(const std::string& state_dir,
                                                       const Actor& actor) {
    if (auto st = store::prepare_state_dir(state_dir); !st) return st.error();
    const std::string path = registry_file(state_dir);
    auto legacy = read_legacy_state(state_dir);
    if (!legacy) return legacy.error();

    if (*legacy && !exists(path))
        if (auto st = build_from_legacy(state_dir, path, **legacy, actor); !st) return st.error();
    if (!*legacy)
        if (auto st = create_private_file(path, false); !st) return st.error();

    auto db = open_db(path);
    if (!db) return db.error();
    if (*legacy) {
        // Ours or a concurrent opener's migration, or a database that has
        // nothing to do with these files: only the first two may rename them.
        auto migrated = sqlite::get_meta(*db, kMigratedKey);
        if (!migrated) return migrated.error();
        if (*migrated)
            if (auto st = check_all_present(*db, **legacy); !st) return st.error();
        if (!*migrated)
            return Error{"both " + path + " and the legacy peers file " + (*legacy)->files.front() +
                             " exist: move the legacy file away (its peers can be added with "
                             "`vpngw peer import`) or remove peers.db to migrate it again",
                         Location{(*legacy)->files.front()}};
        if (auto st = rename_migrated(state_dir, (*legacy)->files); !st) return st.error();
    }
    return std::unique_ptr<Registry>(std::make_unique<SqliteRegistry>(std::move(*db)));
}

namespace {

// peers.db opened read-only at the schema this vpngw reads; none when absent.
Result<std::optional<Db>> open_for_reading(const std::string& state_dir) {
    if (auto st = store::check_state_dir(state_dir); !st) return st.error();
    const std::string path = registry_file(state_dir);
    if (!exists(path)) return std::optional<Db>{};
    auto db = Db::open(path, Db::Access::read);
    if (!db) return db.error();
    auto version = db->pragma_int("user_version");
    if (!version) return version.error();
    if (*version < sqlite::oldest_readable_version() || *version > sqlite::schema_version())
        return Error{"peer registry schema version " + std::to_string(*version) + " is not " +
                         std::to_string(sqlite::schema_version()) +
                         ", the one this vpngw reads: a command that changes peers (`vpngw "
                         "up`, `vpngw peer add`) brings an older one up to date",
                     Location{path}};
    return std::optional<Db>(std::move(*db));
}

}  // namespace

Result<std::vector<PeerRecord>> read_stored_peers(const std::string& state_dir) {
    auto db = open_for_reading(state_dir);
    if (!db) return db.error();
    if (!*db) {
        auto legacy = read_legacy_state(state_dir);
        if (!legacy) return legacy.error();
        if (!*legacy) return std::vector<PeerRecord>{};
        return std::move((*legacy)->peers);
    }
    auto txn = Txn::read(**db);
    if (!txn) return txn.error();
    return sqlite::select_peers(**db);
}

Status each_stored_peer(const std::string& state_dir, const Registry::Visit& visit,
                        const std::function<void(std::size_t)>& expect) {
    auto db = open_for_reading(state_dir);
    if (!db) return db.error();
    if (!*db) {
        auto legacy = read_legacy_state(state_dir);
        if (!legacy) return legacy.error();
        if (!*legacy) return ok_status();
        if (expect) expect((*legacy)->peers.size());
        for (const auto& p : (*legacy)->peers)
            if (auto st = visit(p); !st) return st;
        return ok_status();
    }
    auto txn = Txn::read(**db);
    if (!txn) return txn.error();
    if (expect) {
        auto n = sqlite::count_peers(**db);
        if (!n) return n.error();
        expect(*n);
    }
    return sqlite::each_peer(**db, visit);
}

Result<std::optional<PeerRecord>> read_stored_peer(const std::string& state_dir,
                                                   std::string_view name) {
    auto db = open_for_reading(state_dir);
    if (!db) return db.error();
    if (!*db) {
        auto legacy = read_legacy_state(state_dir);
        if (!legacy) return legacy.error();
        if (*legacy)
            for (auto& p : (*legacy)->peers)
                if (p.name == name) return std::optional<PeerRecord>(std::move(p));
        return std::optional<PeerRecord>{};
    }
    auto txn = Txn::read(**db);
    if (!txn) return txn.error();
    return sqlite::select_peer(**db, name);
}

Result<std::optional<std::string>> read_revision(const std::string& state_dir) {
    const store::StatePaths paths{state_dir};
    auto db = open_for_reading(state_dir);
    if (!db) return db.error();
    if (!*db) {
        for (const auto& legacy :
             {paths.peers_file(), paths.legacy_peers_file(), paths.peers_journal_file()})
            if (exists(legacy)) return std::optional<std::string>{};
        return std::optional<std::string>("none");
    }
    auto version = (*db)->pragma_int("user_version");
    if (!version) return version.error();
    if (*version < 5) return std::optional<std::string>{};
    struct stat st {};
    if (::stat(paths.registry_file().c_str(), &st) != 0)
        return Error{"peer registry: " + std::string(std::strerror(errno)),
                     Location{paths.registry_file()}};
    auto stmt = sqlite::Stmt::prepare(**db, "SELECT n, hex(salt) FROM revision WHERE id = 0");
    if (!stmt) return stmt.error();
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return std::optional<std::string>{};
    return std::optional<std::string>(std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) +
                                      ":" + std::to_string(stmt->int64(0)) + ":" + stmt->text(1));
}

Result<std::vector<std::string>> read_due_expiries(const std::string& state_dir,
                                                   std::chrono::sys_seconds now) {
    auto db = open_for_reading(state_dir);
    if (!db) return db.error();
    std::vector<std::string> names;
    if (!*db) return names;
    auto stmt = sqlite::Stmt::prepare(
        **db, "SELECT name FROM peers WHERE disabled = 0 AND expires IS NOT NULL AND expires <= ?");
    if (!stmt) return stmt.error();
    stmt->bind(1, std::int64_t{now.time_since_epoch().count()});
    for (;;) {
        auto row = stmt->step();
        if (!row) return row.error();
        if (!*row) break;
        names.push_back(stmt->text(0));
    }
    return names;
}

Result<std::vector<AuditEntry>> read_audit(const std::string& state_dir,
                                           const AuditFilter& filter) {
    auto db = open_for_reading(state_dir);
    if (!db) return db.error();
    if (!*db) return std::vector<AuditEntry>{};
    auto txn = Txn::read(**db);
    if (!txn) return txn.error();
    return sqlite::select_audit(**db, filter);
}

}  // namespace vpngw::registry
