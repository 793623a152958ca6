// The registry's revision (schema step 5): what `up` and `status` compare
// instead of reading every peer (gateway/noop_proof.hpp). It must change with
// every write of what the kernel is planned from, whoever makes it, and
// never repeat a value for different contents.
#include <gtest/gtest.h>

#include "support.hpp"

namespace vpngw::registry::test {
namespace {

std::string revision(const std::string& dir) {
    auto r = read_revision(dir);
    if (!r) throw std::runtime_error(r.error().str());
    return r->value_or("<unknown>");
}

void run_sql(const std::string& dir, const char* sql) {
    auto db = sqlite::Db::open(registry_file(dir), sqlite::Db::Access::write);
    if (!db) throw std::runtime_error(db.error().str());
    if (auto st = db->exec(sql); !st) throw std::runtime_error(st.error().str());
}

TEST(RegistryRevision, NoneWithoutAnyPeerFile) {
    TempDir tmp;
    const std::string dir = tmp / "state";
    ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
    EXPECT_EQ(revision(dir), "none");
}

TEST(RegistryRevision, ChangesWithEveryWriteOfAPeer) {
    TempDir tmp;
    const std::string dir = tmp / "state";
    auto reg = open_registry(dir);
    std::set<std::string> seen{revision(dir)};
    auto changed = [&](const char* what) {
        const std::string now = revision(dir);
        EXPECT_TRUE(seen.insert(now).second) << what << " left the revision at " << now;
    };
    ASSERT_TRUE(reg->add(record("alice", 1, "10.8.1.2", nullptr), nullptr, kActor).ok());
    changed("add");
    ASSERT_TRUE(reg->add(record("bob", 2, "10.8.1.3", "fd08::3"), nullptr, kActor).ok());
    changed("a second add");
    auto edit = [&](const Edit& e) { ASSERT_TRUE(reg->update("alice", e, nullptr, kActor).ok()); };
    edit([](PeerRecord& p) {
        p.disabled = true;
        return ok_status();
    });
    changed("disable");
    edit([](PeerRecord& p) {
        p.expires = std::chrono::sys_seconds{std::chrono::seconds{2000000000}};
        return ok_status();
    });
    changed("expiry");
    edit([](PeerRecord& p) {
        p.networks = {*Prefix::parse("192.168.50.0/24")};
        return ok_status();
    });
    changed("a network");
    edit([](PeerRecord& p) {
        p.address = ip("10.8.1.9");
        return ok_status();
    });
    changed("an address");
    ASSERT_TRUE(reg->remove("bob", kActor).ok());
    changed("remove");
    // By hand, as an administrator with sqlite3 would: the triggers see it too.
    run_sql(dir, "UPDATE peers SET disabled = 0 WHERE name = 'alice'");
    changed("an UPDATE by hand");
    run_sql(dir, "DELETE FROM networks");
    changed("a DELETE of networks by hand");
    run_sql(dir, "UPDATE addresses SET address = '10.8.1.10' WHERE address = '10.8.1.9'");
    changed("an address rewritten by hand");
}

TEST(RegistryRevision, KeepsItsValueForWhatPlansNothing) {
    TempDir tmp;
    const std::string dir = tmp / "state";
    auto reg = open_registry(dir);
    ASSERT_TRUE(reg->add(record("alice", 1, "10.8.1.2", nullptr), nullptr, kActor).ok());
    const std::string before = revision(dir);
    // Settling a change (the kernel has it now) and reading change nothing planned.
    ASSERT_TRUE(reg->settle("alice").ok());
    ASSERT_TRUE(reg->list().ok());
    ASSERT_TRUE(reg->audit().ok());
    EXPECT_EQ(revision(dir), before);
}

TEST(RegistryRevision, ADatabasePutBackAndChangedAsOftenDiffers) {
    TempDir tmp;
    const std::string dir = tmp / "state";
    auto reg = open_registry(dir);
    ASSERT_TRUE(reg->add(record("alice", 1, "10.8.1.2", nullptr), nullptr, kActor).ok());
    const std::string n = query(dir, "SELECT n FROM revision");
    const std::string salt = query(dir, "SELECT hex(salt) FROM revision");
    run_sql(dir, "UPDATE peers SET disabled = 1 WHERE name = 'alice'");
    const std::string after = revision(dir);
    // As if restored from a copy (same count), then changed once again
    // differently: the count repeats, the salt does not.
    run_sql(dir, ("UPDATE revision SET n = " + n + ", salt = x'" + salt + "'").c_str());
    run_sql(dir, "UPDATE peers SET rate_bits = 1000 WHERE name = 'alice'");
    EXPECT_EQ(query(dir, "SELECT n FROM revision"), std::to_string(std::stoll(n) + 1));
    EXPECT_NE(revision(dir), after);
}

TEST(RegistryRevision, UnknownForAnOlderSchemaOrLegacyFiles) {
    TempDir tmp;
    const std::string old_schema = tmp / "old";
    database_at_schema(old_schema, 4);
    auto r = read_revision(old_schema);
    ASSERT_TRUE(r.ok()) << r.error().str();
    EXPECT_FALSE(r->has_value());

    const std::string legacy = tmp / "legacy";
    ASSERT_EQ(::mkdir(legacy.c_str(), 0700), 0);
    write_text(legacy + "/peers.tsv", "vpngw-peers 2\n");
    r = read_revision(legacy);
    ASSERT_TRUE(r.ok()) << r.error().str();
    EXPECT_FALSE(r->has_value());
}

TEST(RegistryRevision, MigrationFromStepFourStartsOne) {
    TempDir tmp;
    const std::string dir = tmp / "state";
    database_at_schema(dir, 4);
    auto reg = open_registry(dir);
    EXPECT_EQ(query(dir, "PRAGMA user_version"), std::to_string(sqlite::schema_version()));
    const std::string first = revision(dir);
    EXPECT_NE(first, "<unknown>");
    ASSERT_TRUE(reg->add(record("alice", 1, "10.8.1.2", nullptr), nullptr, kActor).ok());
    EXPECT_NE(revision(dir), first);
}

}  // namespace
}  // namespace vpngw::registry::test
