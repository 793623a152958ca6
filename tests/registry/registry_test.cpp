#include <gtest/gtest.h>

#include "registry/sqlite_peers.hpp"
#include "registry/sqlite_schema.hpp"
#include "support.hpp"

namespace vpngw::registry::test {
namespace {

TEST(RegistrySchema, StepsAreNumberedOneByOne) {
    int expect = 1;
    for (const auto& step : sqlite::migration_steps()) EXPECT_EQ(step.version, expect++);
    EXPECT_EQ(sqlite::schema_version(), expect - 1);
}

TEST(RegistrySchema, FreshDatabaseIsCurrentPrivateAndWriteAheadLogged) {
    TempDir tmp;
    const std::string dir = tmp / "state";
    auto reg = open_registry(dir);
    EXPECT_EQ(query(dir, "PRAGMA user_version"), std::to_string(sqlite::schema_version()));
    EXPECT_EQ(query(dir, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(mode_of(registry_file(dir)), 0600);
    EXPECT_EQ(mode_of(dir), 0700);
    for (const char* table : {"peers", "addresses", "networks", "audit", "meta"}) {
        const std::string sql =
            std::string("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '") +
            table + "'";
        EXPECT_EQ(query(dir, sql.c_str()), "1") << table;
    }
    // Our connections turn foreign keys on (SQLite's default is off).
    auto db = sqlite::Db::open(registry_file(dir), sqlite::Db::Access::write);
    ASSERT_TRUE(db.ok());
    EXPECT_EQ(*db->pragma_int("foreign_keys"), 1);
}

TEST(RegistrySchema, MigratesADatabaseAtUserVersionZero) {
    TempDir tmp;
    const std::string dir = tmp / "state";
    ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
    {
        auto db = sqlite::Db::open(registry_file(dir), sqlite::Db::Access::create);
        ASSERT_TRUE(db.ok());
        ASSERT_TRUE(db->exec("CREATE TABLE unrelated (x)").ok());
        ASSERT_EQ(*db->pragma_int("user_version"), 0);
    }
    auto reg = open_registry(dir);
    EXPECT_EQ(query(dir, "PRAGMA user_version"), std::to_string(sqlite::schema_version()));
    auto added = reg->add(record("alice", 1), nullptr, kActor);
    ASSERT_TRUE(added.ok()) << added.error().str();
    EXPECT_EQ(reg->list()->size(), 1u);
}

TEST(RegistrySchema, RefusesADatabaseOfANewerVpngw) {
    TempDir tmp;
    const std::string dir = tmp / "state";
    registry_at_version(dir, 999);
    auto reg = open_sqlite_registry(dir, kActor);
    ASSERT_FALSE(reg.ok());
    EXPECT_NE(reg.error().message.find("999 is newer"), std::string::npos) << reg.error().str();
    EXPECT_EQ(reg.error().where.file, registry_file(dir));
}

TEST(Registry, KeepsEveryFieldOfAPeer) {
    TempDir tmp;
    auto reg = open_registry(tmp / "state");
    PeerRecord p = record("branch-1", 3);
    p.address = ip("10.77.1.9");
    p.address6 = ip("fd77:0:0:1::9");
    p.has_psk = true;
    p.disabled = true;
    p.expires = std::chrono::sys_seconds{std::chrono::seconds{1801958400}};
    p.quota_bytes = 50ull << 30;
    p.quota_period = "month";
    p.rate_bits = 20'000'000;
    p.networks = {*Prefix::parse("192.168.50.0/24"), *Prefix::parse("fd50::/64")};
    ASSERT_TRUE(reg->add(p, nullptr, kActor).ok());
    auto found = reg->find("branch-1");
    ASSERT_TRUE(found.ok()) << found.error().str();
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ(**found, p);
    auto all = reg->list();
    ASSERT_TRUE(all.ok()) << all.error().str();
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ(all->front(), p);
    EXPECT_FALSE(reg->find("nobody")->has_value());
}

TEST(Registry, ListsPeersInTheOrderTheyWereAdded) {
    TempDir tmp;
    auto reg = open_registry(tmp / "state");
    for (const char* name : {"zed", "alice", "mike"})
        ASSERT_TRUE(reg->add(record(name, name[0]), nullptr, kActor).ok());
    auto all = reg->list();
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ((*all)[0].name, "zed");
    EXPECT_EQ((*all)[1].name, "alice");
    EXPECT_EQ((*all)[2].name, "mike");
}

// Each violation is refused by the schema's UNIQUE constraints, named by
// field, and leaves the registry (peers and audit) as it was.
TEST(Registry, UniqueViolationsNameTheFieldAndChangeNothing) {
    TempDir tmp;
    const std::string dir = tmp / "state";
    auto reg = open_registry(dir);
    const PeerRecord alice = record("alice", 1, "10.77.1.3", "fd77:0:0:1::3");
    ASSERT_TRUE(reg->add(alice, nullptr, kActor).ok());
    const auto audit_before = reg->audit()->size();

    PeerRecord same_name = record("alice", 2);
    auto r1 = reg->add(same_name, nullptr, kActor);
    ASSERT_FALSE(r1.ok());
    // The message says what to do about it (issue 18 item 6).
    EXPECT_EQ(r1.error().message,
              "name: a peer named \"alice\" already exists (group staff): "
              "`vpngw peer show alice` prints its config, `vpngw peer remove "
              "alice` removes it");

    PeerRecord same_key = record("bob", 1);
    auto r2 = reg->add(same_key, nullptr, kActor);
    ASSERT_FALSE(r2.ok());
    EXPECT_EQ(r2.error().message,
              "public_key: the public key of \"bob\" already belongs to peer \"alice\"");
    EXPECT_EQ(r2.error().message.find(alice.public_key.base64()), std::string::npos);

    auto r3 = reg->add(record("carol", 3, "10.77.1.4", "fd77:0:0:1::3"), nullptr, kActor);
    ASSERT_FALSE(r3.ok());
    EXPECT_EQ(r3.error().message,
              "address: fd77:0:0:1::3 of \"carol\" already belongs to peer \"alice\"");
    EXPECT_EQ(r3.error().where.file, registry_file(dir));

    // Nothing of the refused adds stayed: not carol's peer row, nor her
    // IPv4 address, which was inserted before the IPv6 one failed.
    auto all = reg->list();
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ(all->front(), alice);
    EXPECT_EQ(query(dir, "SELECT count(*) FROM addresses"), "2");
    EXPECT_EQ(reg->audit()->size(), audit_before);
}

TEST(Registry, RemoveDeletesThePeerWithItsAddressesAndNetworks) {
    TempDir tmp;
    const std::string dir = tmp / "state";
    auto reg = open_registry(dir);
    PeerRecord p = record("alice", 1, "10.77.1.3", nullptr);
    p.networks = {*Prefix::parse("192.168.50.0/24")};
    ASSERT_TRUE(reg->add(p, nullptr, kActor).ok());
    ASSERT_TRUE(reg->remove("alice", Actor{"tester", "peer remove"}).ok());
    EXPECT_TRUE(reg->list()->empty());
    EXPECT_EQ(query(dir, "SELECT count(*) FROM addresses"), "0");
    EXPECT_EQ(query(dir, "SELECT count(*) FROM networks"), "0");

    auto again = reg->remove("alice", kActor);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().message, "no peer named \"alice\" (`vpngw peer list` lists them)");
    // The address is free again.
    PeerRecord q = record("bob", 2);
    q.address = ip("10.77.1.3");
    EXPECT_TRUE(reg->add(q, nullptr, kActor).ok());
}

// Allocation reads a group's addresses from their own copy of the group: a
// group move (issue 17's `peer edit --group`) must carry them along.
TEST(Registry, AGroupMoveCarriesTheAddressesAlong) {
    TempDir tmp;
    const std::string dir = tmp / "state";
    {
        auto reg = open_registry(dir);
        ASSERT_TRUE(
            reg->add(record("alice", 1, "10.77.1.3", "fd77:0:0:1::3"), nullptr, kActor).ok());
    }
    auto db = sqlite::Db::open(registry_file(dir), sqlite::Db::Access::write);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("UPDATE peers SET \"group\" = 'tiny' WHERE name = 'alice'").ok());
    auto staff = sqlite::select_group_addresses(*db, "staff");
    auto tiny = sqlite::select_group_addresses(*db, "tiny");
    ASSERT_TRUE(staff.ok() && tiny.ok());
    EXPECT_TRUE(staff->empty());
    EXPECT_EQ(tiny->size(), 2u);
    // And the copy cannot be changed alone.
    EXPECT_FALSE(db->exec("UPDATE addresses SET \"group\" = 'staff'").ok());
}

TEST(Registry, AuditRecordsWhoChangedWhatButNoKey) {
    TempDir tmp;
    auto reg = open_registry(tmp / "state");
    PeerRecord p = record("alice", 1);
    p.address = ip("10.77.1.3");
    p.has_psk = true;
    ASSERT_TRUE(reg->add(p, nullptr, Actor{"ops", "peer add"}).ok());
    ASSERT_TRUE(reg->remove("alice", Actor{"uid 0", "peer remove"}).ok());
    auto log = reg->audit();
    ASSERT_TRUE(log.ok()) << log.error().str();
    ASSERT_EQ(log->size(), 2u);
    EXPECT_EQ((*log)[0].user, "ops");
    EXPECT_EQ((*log)[0].command, "peer add");
    EXPECT_EQ((*log)[0].peer, "alice");
    EXPECT_EQ((*log)[0].fields, "group=staff address=10.77.1.3 psk=yes");
    EXPECT_EQ((*log)[1].user, "uid 0");
    EXPECT_EQ((*log)[1].command, "peer remove");
    const auto now = std::chrono::system_clock::now();
    for (const auto& e : *log) {
        EXPECT_EQ(e.fields.find(p.public_key.base64()), std::string::npos);
        EXPECT_LE(e.time, now);
        EXPECT_GT(e.time, now - std::chrono::minutes(5));
    }
}

TEST(Registry, ActorIsSudoUserWhenSaneElseTheUid) {
    const char* old = std::getenv("SUDO_USER");
    const std::string saved = old ? old : "";
    setenv("SUDO_USER", "alice", 1);
    EXPECT_EQ(current_actor("peer add").user, "alice");
    setenv("SUDO_USER", "x\ny", 1);  // would forge a line in a text log
    EXPECT_EQ(current_actor("peer add").user, "uid " + std::to_string(getuid()));
    if (old)
        setenv("SUDO_USER", saved.c_str(), 1);
    else
        unsetenv("SUDO_USER");
}

TEST(Registry, IntegrityCheckPassesAfterChanges) {
    TempDir tmp;
    const std::string dir = tmp / "state";
    auto reg = open_registry(dir);
    for (int i = 0; i < 20; ++i) {
        PeerRecord p = record("p" + std::to_string(i), i);
        p.address = IpAddress::v4(0x0a4d0100u + 3 + i);
        ASSERT_TRUE(reg->add(p, nullptr, kActor).ok());
    }
    for (int i = 0; i < 20; i += 3) ASSERT_TRUE(reg->remove("p" + std::to_string(i), kActor).ok());
    EXPECT_EQ(query(dir, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(query(dir, "PRAGMA foreign_key_check"), "<no row>");
}

TEST(Registry, RefusesADatabaseThatIsASymlink) {
    TempDir tmp;
    const std::string dir = tmp / "state";
    ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
    write_text(tmp / "elsewhere.db", "");
    ASSERT_EQ(symlink((tmp / "elsewhere.db").c_str(), registry_file(dir).c_str()), 0);
    auto reg = open_sqlite_registry(dir, kActor);
    EXPECT_FALSE(reg.ok());
    EXPECT_EQ(read_text(tmp / "elsewhere.db"), "");
}

}  // namespace
}  // namespace vpngw::registry::test

namespace vpngw::registry::test {
namespace {

TEST(RegistryRead, NothingStoredIsNoPeersAndCreatesNothing) {
    TempDir tmp;
    auto peers = read_stored_peers(tmp / "state");
    ASSERT_TRUE(peers.ok()) << peers.error().str();
    EXPECT_TRUE(peers->empty());
    EXPECT_FALSE(exists(tmp / "state"));
}

TEST(RegistryRead, ReadsTheDatabaseWithoutChangingIt) {
    TempDir tmp;
    const std::string dir = tmp / "state";
    PeerRecord p = record("alice", 1);
    p.address = ip("10.77.1.3");
    p.networks = {*Prefix::parse("192.168.50.0/24")};
    {
        auto reg = open_registry(dir);
        ASSERT_TRUE(reg->add(p, nullptr, kActor).ok());
    }
    const auto before = snapshot_dir(dir);
    auto peers = read_stored_peers(dir);
    ASSERT_TRUE(peers.ok()) << peers.error().str();
    EXPECT_EQ(*peers, std::vector<PeerRecord>{p});
    EXPECT_EQ(snapshot_dir(dir), before);
}

TEST(RegistryRead, RefusesADatabaseOfAnotherSchemaVersion) {
    TempDir tmp;
    const std::string dir = tmp / "state";
    registry_at_version(dir, 0);
    auto peers = read_stored_peers(dir);
    ASSERT_FALSE(peers.ok());
    EXPECT_NE(peers.error().message.find("schema version 0"), std::string::npos)
        << peers.error().str();
}

// group_sizes (schema step 4) is what count() reads: it must follow every
// statement that adds, removes or moves a peer.
TEST(RegistryCount, FollowsAddRemoveMoveAndImport) {
    TempDir tmp;
    auto reg = open_registry(tmp / "state");
    const std::vector<std::string> staff{"staff"}, guests{"guests"}, both{"staff", "guests"};
    EXPECT_EQ(*reg->count(staff), 0u);
    ASSERT_TRUE(reg->add(record("a", 1), nullptr, kActor).ok());
    ASSERT_TRUE(reg->add(record("b", 2), nullptr, kActor).ok());
    ASSERT_TRUE(reg->add(record("c", 3, "guests"), nullptr, kActor).ok());
    EXPECT_EQ(*reg->count(staff), 2u);
    EXPECT_EQ(*reg->count(guests), 1u);
    EXPECT_EQ(*reg->count(both), 3u);
    EXPECT_EQ(*reg->count({"nobody"}), 0u);
    auto set = [&](const char* name, std::string PeerRecord::*field, const char* value) {
        auto changed = reg->update(
            name,
            [&](PeerRecord& r) {
                r.*field = value;
                return ok_status();
            },
            nullptr, kActor);
        ASSERT_TRUE(changed.ok()) << changed.error().str();
    };
    set("b", &PeerRecord::group, "guests");
    EXPECT_EQ(*reg->count(staff), 1u);
    EXPECT_EQ(*reg->count(guests), 2u);
    set("b", &PeerRecord::name, "b2");
    EXPECT_EQ(*reg->count(guests), 2u);  // not a move
    ASSERT_TRUE(reg->remove("a", kActor).ok());
    EXPECT_EQ(*reg->count(staff), 0u);
    ASSERT_TRUE(reg->add_all({record("d", 4), record("e", 5)}, "from x", kActor).ok());
    EXPECT_EQ(*reg->count(staff), 2u);
    // A failed add (the name is taken) leaves the count as it was.
    EXPECT_FALSE(reg->add(record("d", 6), nullptr, kActor).ok());
    EXPECT_EQ(*reg->count(staff), 2u);
    EXPECT_EQ(*reg->count(both), 4u);
}

TEST(RegistryCount, ASchema3DatabaseIsReadAndMigratesWithItsCounts) {
    TempDir tmp;
    const std::string dir = tmp / "state";
    {
        // What vpngw wrote before step 4: steps 1 to 3 and their rows.
        auto db = database_at_schema(dir, 3);
        for (int i = 1; i <= 3; ++i) {
            ASSERT_TRUE(db.exec(old_peer_row(i, i == 3 ? "guests" : "staff").c_str()).ok());
        }
    }
    // Readers take it as it is (step 4 added nothing they read).
    auto read = read_stored_peers(dir);
    ASSERT_TRUE(read.ok()) << read.error().str();
    EXPECT_EQ(read->size(), 3u);
    auto reg = open_registry(dir);
    EXPECT_EQ(query(dir, "PRAGMA user_version"), std::to_string(sqlite::schema_version()));
    EXPECT_EQ(*reg->count({"staff"}), 2u);
    EXPECT_EQ(*reg->count({"guests"}), 1u);
}
}  // namespace
}  // namespace vpngw::registry::test
