#include <gtest/gtest.h>

#include <functional>
#include <tuple>

#include "model/peer_limits.hpp"
#include "store/state_paths.hpp"
#include "support.hpp"

namespace vpngw::registry::test {
namespace {

// A peer as the last release stored it: every field of the legacy format,
// the lifecycle fields at their defaults (what a migrated peer must be).
PeerRecord stored(const std::string& name, int seed, const char* v4, const char* v6, bool psk) {
    PeerRecord p{.name = name, .group = "staff", .public_key = key_from(seed)};
    if (v4) p.address = ip(v4);
    if (v6) p.address6 = ip(v6);
    p.has_psk = psk;
    p.created = std::chrono::sys_seconds{std::chrono::seconds{1714564800 + seed}};
    return p;
}
PeerRecord as_record(const PeerRecord& p) {
    return p;
}

// The line the last release wrote for a peer (peers.tsv and journal "add").
std::string legacy_line(const PeerRecord& p) {
    return p.name + "\t" + p.group + "\t" + p.public_key.base64() + "\t" +
           (p.address ? p.address->str() : "-") + "\t" + (p.address6 ? p.address6->str() : "-") +
           "\t" + (p.has_psk ? "psk" : "-") + "\t" + model::format_time(p.created);
}
constexpr const char* kSnapshotId = "3f9c0a7d12e45b60";
std::string legacy_tsv(const std::vector<PeerRecord>& peers, const std::string& id) {
    std::string out = "vpngw-peers 2\n# snapshot " + id +
                      "\n# Peers added with `vpngw peer add`\n"
                      "# name\tgroup\tpublic_key\taddress\taddress6\tpsk\tcreated\n";
    for (const auto& p : peers) out += legacy_line(p) + "\n";
    return out;
}
void append(const std::string& file, const std::string& text) {
    write_text(file, read_text(file) + text);
}

// Opens the legacy directory, which must be refused and left as it was;
// returns the error.
Error refused_unchanged(const std::string& dir) {
    const auto before = snapshot_dir(dir);
    auto reg = open_sqlite_registry(dir, kActor);
    EXPECT_FALSE(reg.ok());
    EXPECT_EQ(snapshot_dir(dir), before);  // no peers.db, nothing renamed
    return reg.ok() ? Error{"opened"} : reg.error();
}

void edit(const std::string& file, const std::function<void(std::string&)>& change) {
    std::string text = read_text(file);
    change(text);
    write_text(file, text);
}

// A state directory as this release leaves it: a snapshot and a journal that
// adds two peers and removes one of the snapshot's.
struct Legacy {
    std::string dir;
    std::vector<PeerRecord> expect;
};
Legacy write_tsv_and_journal(const std::string& dir) {
    const store::StatePaths paths{dir};
    EXPECT_EQ(mkdir(dir.c_str(), 0700), 0);
    const auto alice = stored("alice-phone", 1, "10.77.1.3", "fd77:0:0:1::3", true);
    const auto bob = stored("bob", 2, "10.77.1.4", nullptr, false);
    const auto v6 = stored("v6.only+x=y_z", 3, nullptr, "fd77:0:0:1::5", true);
    write_text(paths.peers_file(), legacy_tsv({alice, bob, v6}, kSnapshotId));
    const auto carol = stored("carol", 4, "10.77.1.6", "fd77:0:0:1::6", false);
    const auto dave = stored("dave", 5, "10.77.1.7", nullptr, true);
    write_text(paths.peers_journal_file(), std::string("vpngw-peers-journal 1 ") + kSnapshotId +
                                               "\nadd\t" + legacy_line(carol) +
                                               "\nremove\tbob\nadd\t" + legacy_line(dave) + "\n");
    // The last release's reader: the snapshot less bob, then the journal's adds.
    return Legacy{dir, {alice, v6, carol, dave}};
}

TEST(RegistryMigration, SnapshotAndJournalMigrateIntactAndAreRenamed) {
    TempDir tmp;
    const auto legacy = write_tsv_and_journal(tmp / "state");
    const std::string tsv = read_text(tmp / "state/peers.tsv");
    const std::string journal = read_text(tmp / "state/peers.journal");

    auto reg = open_registry(legacy.dir);
    auto all = reg->list();
    ASSERT_TRUE(all.ok()) << all.error().str();
    EXPECT_EQ(*all, legacy.expect);
    EXPECT_EQ((*all)[0].name, "alice-phone");
    EXPECT_TRUE((*all)[0].has_psk);
    EXPECT_FALSE(exists(tmp / "state/peers.tsv"));
    EXPECT_FALSE(exists(tmp / "state/peers.journal"));
    EXPECT_EQ(read_text(tmp / "state/peers.tsv.migrated"), tsv);
    EXPECT_EQ(read_text(tmp / "state/peers.journal.migrated"), journal);
    auto log = reg->audit();
    ASSERT_EQ(log->size(), 1u);
    EXPECT_EQ((*log)[0].fields, "migrated from peers.tsv + peers.journal: 4 peers");
    EXPECT_EQ(query(legacy.dir, "PRAGMA integrity_check"), "ok");
    // No temporary database is left behind.
    for (const auto& [name, text] : snapshot_dir(legacy.dir))
        EXPECT_EQ(name.find(".peers.db.new"), std::string::npos) << name;

    // A second open finds nothing to migrate and the same peers.
    reg.reset();
    auto again = open_registry(legacy.dir);
    EXPECT_EQ(*again->list(), legacy.expect);
    EXPECT_EQ(again->audit()->size(), 1u);
}

TEST(RegistryMigration, ReadingWithoutChangingLeavesTheLegacyFilesAlone) {
    TempDir tmp;
    const auto legacy = write_tsv_and_journal(tmp / "state");
    const auto before = snapshot_dir(legacy.dir);
    auto peers = read_stored_peers(legacy.dir);
    ASSERT_TRUE(peers.ok()) << peers.error().str();
    EXPECT_EQ(*peers, legacy.expect);
    EXPECT_EQ(snapshot_dir(legacy.dir), before);
}

TEST(RegistryMigration, LegacyTomlMigratesIntact) {
    TempDir tmp;
    const std::string dir = tmp / "state";
    ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
    const auto a = stored("alice", 1, "10.77.1.3", "fd77:0:0:1::3", true);
    const auto b = stored("bob", 2, "10.77.1.4", nullptr, false);
    write_text(dir + "/peers.toml",
               "version = 1\n\n[[peer]]\nname = \"alice\"\ngroup = \"staff\"\n"
               "public_key = \"" +
                   a.public_key.base64() +
                   "\"\naddress = \"10.77.1.3\"\naddress6 = \"fd77:0:0:1::3\"\n"
                   "has_psk = true\ncreated = 2024-05-01T12:00:01Z\n\n"
                   "[[peer]]\nname = \"bob\"\ngroup = \"staff\"\n"
                   "public_key = \"" +
                   b.public_key.base64() +
                   "\"\naddress = \"10.77.1.4\"\n"
                   "created = 2024-05-01T12:00:02Z\n");
    auto reg = open_registry(dir);
    EXPECT_EQ(*reg->list(), (std::vector<PeerRecord>{as_record(a), as_record(b)}));
    EXPECT_FALSE(exists(dir + "/peers.toml"));
    EXPECT_TRUE(exists(dir + "/peers.toml.migrated"));
}

// The data-loss case of issue 17: a journal header ending in CR named no
// snapshot peers.tsv has, so today's reader dropped the journal's peers.
TEST(RegistryMigration, JournalHeaderEndingInCrIsRefusedWithItsLocation) {
    TempDir tmp;
    const auto legacy = write_tsv_and_journal(tmp / "state");
    const std::string journal_file = tmp / "state/peers.journal";
    edit(journal_file, [](std::string& text) { text.insert(text.find('\n'), "\r"); });
    const Error e = refused_unchanged(legacy.dir);
    EXPECT_EQ(e.where.file, journal_file);
    EXPECT_EQ(e.where.line, 1);
    EXPECT_EQ(e.where.column, 39);  // after "vpngw-peers-journal 1 " and 16 digits
    EXPECT_NE(e.message.find("CR"), std::string::npos) << e.str();
}

TEST(RegistryMigration, InvalidSnapshotLineIsRefusedWithItsLocation) {
    TempDir tmp;
    const auto legacy = write_tsv_and_journal(tmp / "state");
    const std::string tsv_file = tmp / "state/peers.tsv";
    edit(tsv_file, [](std::string& text) {
        const auto at = text.find("10.77.1.4");
        ASSERT_NE(at, std::string::npos);
        text.replace(at, 9, "10.77.1.x");
    });
    const Error e = refused_unchanged(legacy.dir);
    EXPECT_EQ(e.where.file, tsv_file);
    EXPECT_GT(e.where.line, 1);
    EXPECT_GT(e.where.column, 1);
}

TEST(RegistryMigration, DuplicateAddressInTheJournalIsRefusedAndChangesNothing) {
    TempDir tmp;
    const auto legacy = write_tsv_and_journal(tmp / "state");
    const store::StatePaths paths{legacy.dir};
    const auto clash = stored("eve", 9, "10.77.1.3", nullptr, false);  // alice-phone's
    append(paths.peers_journal_file(), "add\t" + legacy_line(clash) + "\n");
    const Error e = refused_unchanged(legacy.dir);
    EXPECT_EQ(e.where.file, paths.peers_journal_file());
    EXPECT_NE(e.message.find("10.77.1.3"), std::string::npos) << e.str();
}

// A crash after the database was committed but before the renames: the next
// open finishes the renames. Legacy files that differ from what was migrated
// (written again by an older vpngw) are refused instead.
TEST(RegistryMigration, ACrashBeforeTheRenamesIsFinishedOnlyWhenNothingIsNew) {
    TempDir tmp;
    const auto legacy = write_tsv_and_journal(tmp / "state");
    const std::string tsv = legacy.dir + "/peers.tsv";
    const std::string journal = legacy.dir + "/peers.journal";
    { auto reg = open_registry(legacy.dir); }
    ASSERT_EQ(rename((tsv + ".migrated").c_str(), tsv.c_str()), 0);
    ASSERT_EQ(rename((journal + ".migrated").c_str(), journal.c_str()), 0);
    {
        auto reg = open_registry(legacy.dir);
        EXPECT_EQ(*reg->list(), legacy.expect);
        EXPECT_FALSE(exists(tsv));
        EXPECT_TRUE(exists(tsv + ".migrated"));
    }
    // An older vpngw adds a peer to a new peers.tsv.
    write_text(tsv,
               legacy_tsv({stored("frank", 11, "10.77.1.20", nullptr, false)}, "00000000000000ff"));
    ::unlink(journal.c_str());
    auto reg = open_sqlite_registry(legacy.dir, kActor);
    ASSERT_FALSE(reg.ok());
    EXPECT_NE(reg.error().message.find("\"frank\""), std::string::npos) << reg.error().str();
    EXPECT_TRUE(exists(tsv));
}

}  // namespace
}  // namespace vpngw::registry::test
