#pragma once

// Shared by the registry tests: temp state directories, peers, an allocator
// with the profile semantics of `vpngw peer add`, and raw database access.

#include <dirent.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "gateway/peers.hpp"
#include "gateway/session.hpp"
#include "registry/sqlite_db.hpp"
#include "registry/sqlite_registry.hpp"
#include "registry/sqlite_schema.hpp"
#include "support/peer_session.hpp"  // TempDir, read_text, ...; FakeLive for allocation_test

namespace vpngw::registry::test {

using gateway::test::exists;
using gateway::test::mode_of;
using gateway::test::read_text;
using gateway::test::TempDir;
using gateway::test::write_text;

// Every entry of a directory with a digest of its contents, to show nothing
// changed. SQLite's -wal and -shm files are left out: a reader may create them.
inline std::set<std::pair<std::string, std::size_t>> snapshot_dir(const std::string& dir) {
    std::set<std::pair<std::string, std::size_t>> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (name.ends_with("-wal") || name.ends_with("-shm")) continue;
        out.emplace(
            name, e.is_regular_file() ? std::hash<std::string>{}(read_text(e.path().string())) : 0);
    }
    return out;
}

inline IpAddress ip(const char* text) {
    return *IpAddress::parse(text);
}

inline PublicKey key_from(int seed) {
    PublicKey k;
    for (std::size_t i = 0; i < k.bytes.size(); ++i)
        k.bytes[i] = static_cast<std::uint8_t>(seed * 7 + i + (seed >> 8));
    k.bytes[0] = static_cast<std::uint8_t>(seed);
    k.bytes[1] = static_cast<std::uint8_t>(seed >> 8);
    return k;
}

inline PeerRecord record(const std::string& name, int seed, const std::string& group = "staff") {
    PeerRecord p;
    p.name = name;
    p.group = group;
    p.public_key = key_from(seed);
    p.created = std::chrono::sys_seconds{std::chrono::seconds{1714564800 + seed}};
    return p;
}

// The same with fixed addresses (nullptr: none of that family).
inline PeerRecord record(const std::string& name, int seed, const char* v4, const char* v6) {
    PeerRecord p = record(name, seed);
    if (v4) p.address = ip(v4);
    if (v6) p.address6 = ip(v6);
    return p;
}

inline const Actor kActor{"tester", "peer add"};

inline std::unique_ptr<Registry> open_registry(const std::string& dir) {
    auto r = open_sqlite_registry(dir, kActor);
    if (!r) throw std::runtime_error(r.error().str());
    return std::move(*r);
}

inline const std::string kProfile =
    std::string(VPNGW_SOURCE_DIR) + "/tests/gateway/fixtures/peers.toml";

// A session on the peer tests' profile (its own state directory), for the
// profile `vpngw peer add` allocates from.
inline gateway::Session open_session(const std::string& state_dir) {
    gateway::Options o;
    o.profile_path = kProfile;
    o.state_dir = state_dir;
    Diagnostics diags;
    auto s = gateway::open_session(o, gateway::LockMode::exclusive, diags);
    if (!s) throw std::runtime_error(s.error().str());
    return std::move(*s);
}

// What the gateway will pass: gateway::allocate_new_peer with the stored
// peers of the group reserved.
inline Allocator profile_allocator(const model::Profile& profile, const std::string& group) {
    return [&profile, group](const std::vector<IpAddress>& stored) -> Result<Addresses> {
        plan::ReservedAddresses reserved;
        reserved[group] = stored;
        auto a = gateway::allocate_new_peer(profile, group, reserved);
        if (!a) return a.error();
        return Addresses{a->v4, a->v6};
    };
}

// One value of a query on the registry's database, as text.
inline std::string query(const std::string& dir, const char* sql) {
    auto db = sqlite::Db::open(registry_file(dir), sqlite::Db::Access::read);
    if (!db) throw std::runtime_error(db.error().str());
    auto stmt = sqlite::Stmt::prepare(*db, sql);
    if (!stmt) throw std::runtime_error(stmt.error().str());
    auto row = stmt->step();
    if (!row) throw std::runtime_error(row.error().str());
    return *row ? stmt->text(0) : std::string("<no row>");
}

// A database in `dir` as a vpngw of schema `version` left it: migration
// steps 1 to `version` only (no later table or trigger), to insert old rows into.
inline sqlite::Db database_at_schema(const std::string& dir, int version) {
    ::mkdir(dir.c_str(), 0700);
    auto db = sqlite::Db::open(registry_file(dir), sqlite::Db::Access::create);
    if (!db) throw std::runtime_error(db.error().str());
    if (auto st = db->exec("PRAGMA journal_mode = WAL"); !st)
        throw std::runtime_error(st.error().str());
    for (const auto& step : sqlite::migration_steps())
        if (step.version <= version)
            if (auto st = db->exec(step.sql); !st) throw std::runtime_error(st.error().str());
    const std::string sql = "PRAGMA user_version = " + std::to_string(version);
    if (auto st = db->exec(sql.c_str()); !st) throw std::runtime_error(st.error().str());
    return std::move(*db);
}

// The INSERT of peer `i` (name "old<i>", key_from(i)) as an older vpngw wrote it.
inline std::string old_peer_row(int i, const std::string& group) {
    return "INSERT INTO peers (id, name, public_key, \"group\", created) VALUES (" +
           std::to_string(i) + ", 'old" + std::to_string(i) + "', '" + key_from(i).base64() +
           "', '" + group + "', 1714564800);";
}

// A registry in `dir` whose database claims schema version `version`.
inline void registry_at_version(const std::string& dir, int version) {
    { auto reg = open_registry(dir); }
    auto db = sqlite::Db::open(registry_file(dir), sqlite::Db::Access::write);
    if (!db) throw std::runtime_error(db.error().str());
    const std::string sql = "PRAGMA user_version = " + std::to_string(version);
    if (auto st = db->exec(sql.c_str()); !st) throw std::runtime_error(st.error().str());
}

}  // namespace vpngw::registry::test
