// peers.journal: replay onto the snapshot, a torn last line from a crash,
// a journal the snapshot already contains, and compaction.
#include "store/peers_journal.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "store/atomic_file.hpp"
#include "store/peer_store.hpp"
#include "store/peers_scan.hpp"
#include "support/temp_dir.hpp"

namespace vpngw::store {
namespace {

using namespace std::chrono;

StoredPeer peer(const std::string& name, int n) {
    StoredPeer p;
    p.name = name;
    p.group = "staff";
    for (std::size_t i = 0; i < p.public_key.bytes.size(); ++i)
        p.public_key.bytes[i] = static_cast<std::uint8_t>(n * 7 + i);
    p.address =
        IpAddress::parse("10.8." + std::to_string(n / 250) + "." + std::to_string(n % 250 + 2));
    p.created = sys_seconds{seconds{1714564800 + n}};
    return p;
}

std::string read_all(const std::string& path) {
    auto t = read_file_if_exists(path);
    return t && *t ? **t : std::string("<missing>");
}

void append_raw(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::app) << bytes;
}

std::vector<std::string> scanned_names(const StatePaths& paths) {
    std::vector<std::string> names;
    auto text = StoredPeerText::read(paths);
    EXPECT_TRUE(text.ok()) << text.error().str();
    if (!text) return names;
    auto st = text->for_each([&](const RawPeer& p) { names.emplace_back(p.name); });
    EXPECT_TRUE(st.ok()) << st.error().str();
    return names;
}

std::vector<std::string> loaded_names(const StatePaths& paths) {
    std::vector<std::string> names;
    auto s = load_peers(paths);
    EXPECT_TRUE(s.ok()) << s.error().str();
    if (s)
        for (const auto& p : s->peers) names.push_back(p.name);
    return names;
}

Status append(const StatePaths& paths, const std::string& entry) {
    auto text = StoredPeerText::read(paths);
    if (!text) return text.error();
    return append_journal(paths, text->snapshot_id(), entry);
}

TEST(PeerJournal, ReplaysAddsAndRemovesInOrder) {
    TempDir tmp;
    StatePaths paths{tmp / "state"};
    PeerState base;
    base.peers = {peer("a", 1), peer("b", 2), peer("c", 3)};
    ASSERT_TRUE(save_peers(paths, base).ok());
    const StoredPeer b2 = peer("b", 9);  // b again, with another key and address
    ASSERT_TRUE(append(paths, journal_add_entry(peer("d", 4))).ok());
    ASSERT_TRUE(append(paths, journal_remove_entry("b")).ok());
    ASSERT_TRUE(append(paths, journal_add_entry(b2)).ok());
    ASSERT_TRUE(append(paths, journal_remove_entry("a")).ok());

    auto s = load_peers(paths);
    ASSERT_TRUE(s.ok()) << s.error().str();
    ASSERT_EQ(s->peers.size(), 3u);
    EXPECT_EQ(s->peers[0], peer("c", 3));
    EXPECT_EQ(s->peers[1], peer("d", 4));
    EXPECT_EQ(s->peers[2], b2);
    // The fast scan sees the same live peers, in the same order.
    EXPECT_EQ(scanned_names(paths), (std::vector<std::string>{"c", "d", "b"}));
    EXPECT_EQ(mode_of(paths.peers_journal_file()), 0600);
}

TEST(PeerJournal, TornLastLineIsIgnoredThenCutOff) {
    TempDir tmp;
    StatePaths paths{tmp / "state"};
    ASSERT_TRUE(append(paths, journal_add_entry(peer("a", 1))).ok());
    // A crash in the middle of writing the next entry: no newline.
    const std::string whole = journal_add_entry(peer("b", 2));
    append_raw(paths.peers_journal_file(), whole.substr(0, whole.size() / 2));
    EXPECT_EQ(loaded_names(paths), (std::vector<std::string>{"a"}));
    EXPECT_EQ(scanned_names(paths), (std::vector<std::string>{"a"}));

    // The next append cuts the torn tail: the file is whole lines again.
    ASSERT_TRUE(append(paths, journal_add_entry(peer("c", 3))).ok());
    const std::string text = read_all(paths.peers_journal_file());
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(text.find("\tb\t"), std::string::npos) << text;
    EXPECT_EQ(loaded_names(paths), (std::vector<std::string>{"a", "c"}));
}

TEST(PeerJournal, TornHeaderStartsAfresh) {
    TempDir tmp;
    StatePaths paths{tmp / "state"};
    ASSERT_TRUE(ensure_private_dir(paths.dir).ok());
    append_raw(paths.peers_journal_file(), "vpngw-peers-jour");
    EXPECT_TRUE(loaded_names(paths).empty());
    ASSERT_TRUE(append(paths, journal_add_entry(peer("a", 1))).ok());
    EXPECT_EQ(loaded_names(paths), (std::vector<std::string>{"a"}));
}

TEST(PeerJournal, CompleteButBrokenLineIsAnErrorWithItsLocation) {
    TempDir tmp;
    StatePaths paths{tmp / "state"};
    ASSERT_TRUE(append(paths, journal_add_entry(peer("a", 1))).ok());
    append_raw(paths.peers_journal_file(), "frobnicate\tb\n");
    auto s = load_peers(paths);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().where.file, paths.peers_journal_file());
    EXPECT_EQ(s.error().where.line, 3);
    EXPECT_FALSE(StoredPeerText::read(paths).ok());
}

TEST(PeerJournal, DuplicatesAndUnknownRemovalsAreRefused) {
    TempDir tmp;
    StatePaths paths{tmp / "state"};
    ASSERT_TRUE(append(paths, journal_add_entry(peer("a", 1))).ok());
    StoredPeer same_key = peer("z", 1);
    same_key.address = IpAddress::parse("10.8.9.9");
    ASSERT_TRUE(append(paths, journal_add_entry(same_key)).ok());
    auto s = load_peers(paths);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("public key"), std::string::npos) << s.error().str();

    TempDir tmp2;
    StatePaths p2{tmp2 / "state"};
    ASSERT_TRUE(append(p2, journal_remove_entry("ghost")).ok());
    auto s2 = load_peers(p2);
    ASSERT_FALSE(s2.ok());
    EXPECT_NE(s2.error().message.find("ghost"), std::string::npos);
}

// A crash after compaction wrote peers.tsv but before it deleted the
// journal: the journal names the old snapshot and must not be replayed twice.
TEST(PeerJournal, JournalOfAnotherSnapshotIsIgnoredAndRestarted) {
    TempDir tmp;
    StatePaths paths{tmp / "state"};
    ASSERT_TRUE(append(paths, journal_add_entry(peer("a", 1))).ok());
    const std::string stale = read_all(paths.peers_journal_file());
    ASSERT_TRUE(compact_peers(paths).ok());
    EXPECT_EQ(read_all(paths.peers_journal_file()), "<missing>");
    ASSERT_TRUE(ensure_private_dir(paths.dir).ok());
    append_raw(paths.peers_journal_file(), stale);  // as if the unlink never happened
    EXPECT_EQ(loaded_names(paths), (std::vector<std::string>{"a"}));
    EXPECT_EQ(scanned_names(paths), (std::vector<std::string>{"a"}));
    ASSERT_TRUE(append(paths, journal_add_entry(peer("b", 2))).ok());
    EXPECT_EQ(loaded_names(paths), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(read_all(paths.peers_journal_file()).find("\ta\t"), std::string::npos);
}

TEST(PeerJournal, CompactionPreservesContentOnRandomChanges) {
    TempDir tmp;
    StatePaths paths{tmp / "state"};
    std::mt19937 rng(42);
    std::vector<StoredPeer> model;
    int next = 0;
    for (int round = 0; round < 300; ++round) {
        if (model.empty() || rng() % 3 != 0) {
            StoredPeer p = peer("p" + std::to_string(next), next);
            ++next;
            ASSERT_TRUE(append(paths, journal_add_entry(p)).ok());
            model.push_back(p);
        } else {
            const std::size_t i = rng() % model.size();
            ASSERT_TRUE(append(paths, journal_remove_entry(model[i].name)).ok());
            model.erase(model.begin() + static_cast<std::ptrdiff_t>(i));
        }
        if (round % 97 == 96) {
            auto before = load_peers(paths);
            ASSERT_TRUE(before.ok());
            ASSERT_TRUE(compact_peers(paths).ok());
            EXPECT_EQ(read_all(paths.peers_journal_file()), "<missing>");
            auto after = load_peers(paths);
            ASSERT_TRUE(after.ok()) << after.error().str();
            EXPECT_EQ(after->peers, before->peers);
        }
        auto now = load_peers(paths);
        ASSERT_TRUE(now.ok()) << now.error().str();
        ASSERT_EQ(now->peers, model) << "round " << round;
    }
}

TEST(PeerJournal, WantsCompactionWhenLarge) {
    TempDir tmp;
    StatePaths paths{tmp / "state"};
    for (int i = 0; i < 63; ++i)
        ASSERT_TRUE(append(paths, journal_add_entry(peer("p" + std::to_string(i), i))).ok());
    auto text = StoredPeerText::read(paths);
    ASSERT_TRUE(text.ok());
    EXPECT_FALSE(text->wants_compaction());
    ASSERT_TRUE(append(paths, journal_add_entry(peer("p63", 63))).ok());
    text = StoredPeerText::read(paths);
    ASSERT_TRUE(text.ok());
    EXPECT_TRUE(text->wants_compaction());
}

}  // namespace
}  // namespace vpngw::store
