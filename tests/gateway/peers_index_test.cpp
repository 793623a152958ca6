// The peers index (store/peers_index.hpp) against a full load of the state:
// kept right by add/remove, rebuilt when its tag is stale, and a crash
// between the journal append and the tag write cannot leave a wrong index.
#include "store/peers_index.hpp"

#include <gtest/gtest.h>

#include <random>

#include "keys/keys.hpp"
#include "store/peers_journal.hpp"
#include "store/peers_text.hpp"
#include "support/peer_session.hpp"

namespace vpngw::gateway::test {
namespace {

Result<AddPeerReport> add(Session& s, const std::string& name, LiveGateway& live) {
    return add_peer(s, AddPeerRequest{name, "staff", std::nullopt, false}, live);
}

std::vector<std::uint64_t> trimmed(std::vector<std::uint64_t> words) {
    while (!words.empty() && words.back() == 0) words.pop_back();
    return words;
}

// What the index must say, from load_peers: every stored peer by name and
// key, and exactly their offsets in each family's bitmap of "staff".
void expect_agrees(const Session& s, const std::vector<std::string>& removed = {}) {
    const store::IndexLayout layout = peers_index_layout(s.profile);
    auto opened = store::PeersIndex::open(s.paths, layout);
    ASSERT_TRUE(opened.ok()) << opened.error().str();
    ASSERT_TRUE(opened->has_value());
    const store::PeersIndex& index = **opened;
    auto state = store::load_peers(s.paths);
    ASSERT_TRUE(state.ok()) << state.error().str();
    std::vector<std::uint64_t> want4, want6;
    for (const auto& p : state->peers) {
        EXPECT_TRUE(index.has_name(p.name)) << p.name;
        EXPECT_EQ(index.key_owner(p.public_key), p.name);
        auto line = index.peer_line(p.name);
        ASSERT_TRUE(line.has_value());
        auto parsed = store::parse_peer_line(*line, "index", 1);
        ASSERT_TRUE(parsed.ok()) << parsed.error().str();
        EXPECT_EQ(*parsed, p);
        for (const auto& a : {p.address, p.address6}) {
            if (!a || p.group != "staff") continue;
            auto offset = layout.offset(p.group, *a);
            ASSERT_TRUE(offset.has_value());
            auto& words = a->is_v4() ? want4 : want6;
            if (words.size() <= *offset / 64) words.resize(*offset / 64 + 1, 0);
            words[*offset / 64] |= std::uint64_t{1} << (*offset % 64);
        }
    }
    for (const auto& name : removed) {
        if (!state->find(name)) {
            EXPECT_FALSE(index.has_name(name)) << name;
        }
    }
    auto got4 = index.bitmap("staff", Family::v4);
    auto got6 = index.bitmap("staff", Family::v6);
    ASSERT_TRUE(got4.ok() && got6.ok());
    EXPECT_EQ(trimmed(*got4), trimmed(want4));
    EXPECT_EQ(trimmed(*got6), trimmed(want6));
}

TEST(PeersIndex, AgreesWithAFullLoadAfterRandomAddsAndRemoves) {
    TempDir tmp;
    FakeLive live;
    live.up = false;
    Session s = open(tmp.path());
    std::mt19937 rng(11);
    std::vector<std::string> names, removed;
    int next = 0;
    for (int round = 0; round < 150; ++round) {
        if (names.empty() || rng() % 3 != 0) {
            const std::string name = "x" + std::to_string(next++);
            auto added = add(s, name, live);
            ASSERT_TRUE(added.ok()) << added.error().str();
            names.push_back(name);
        } else {
            const std::size_t i = rng() % names.size();
            auto gone = remove_peer(s, names[i], live);
            ASSERT_TRUE(gone.ok()) << gone.error().str();
            removed.push_back(names[i]);
            names.erase(names.begin() + static_cast<std::ptrdiff_t>(i));
        }
        // Kept up to date, not rebuilt: the tag matches after every change.
        ASSERT_FALSE(store::PeersIndex::matching_tag(s.paths).empty()) << "round " << round;
        if (round % 10 == 0) expect_agrees(s, removed);
    }
    expect_agrees(s, removed);
}

TEST(PeersIndex, StaleTagRebuildsFromTheState) {
    TempDir tmp;
    FakeLive live;
    live.up = false;
    Session s = open(tmp.path());
    ASSERT_TRUE(add(s, "a", live).ok());
    ASSERT_TRUE(add(s, "b", live).ok());
    // A hand edit / import: peers.tsv rewritten without "a", with "c".
    auto state = store::load_peers(s.paths);
    ASSERT_TRUE(state.ok());
    state->peers.erase(state->peers.begin());
    store::StoredPeer c = state->peers.front();
    c.name = "c";
    c.public_key = keys::generate_key_pair()->public_key;
    c.address = IpAddress::parse("10.77.1.200");
    c.address6 = IpAddress::parse("fd77:0:0:1::c8");
    state->peers.push_back(c);
    ASSERT_TRUE(store::save_peers(s.paths, *state).ok());
    EXPECT_TRUE(store::PeersIndex::matching_tag(s.paths).empty());
    expect_agrees(s, {"a"});
    // Refusals come from the rebuilt index.
    auto dup = add(s, "c", live);
    ASSERT_FALSE(dup.ok());
    EXPECT_NE(dup.error().message.find("already exists"), std::string::npos);
    // A name that would leave names/ is nobody's (not a path into the index).
    auto odd = remove_peer(s, "../tag", live);
    ASSERT_FALSE(odd.ok());
    EXPECT_NE(odd.error().message.find("no peer named"), std::string::npos);
    auto again = add(s, "a", live);  // "a" is free again, and so is its address
    ASSERT_TRUE(again.ok()) << again.error().str();
    expect_agrees(s);
}

TEST(PeersIndex, CrashBetweenJournalAppendAndTagWriteRebuildsRight) {
    TempDir tmp;
    FakeLive live;
    live.up = false;
    Session s = open(tmp.path());
    ASSERT_TRUE(add(s, "a", live).ok());
    ASSERT_TRUE(add(s, "b", live).ok());
    // A process that appended its journal line, then died before touching
    // the index: the index does not name "late", and the tag is stale.
    auto opened = store::PeersIndex::open(s.paths, peers_index_layout(s.profile));
    ASSERT_TRUE(opened.ok() && opened->has_value());
    store::StoredPeer late;
    late.name = "late";
    late.group = "staff";
    late.public_key = keys::generate_key_pair()->public_key;
    late.address = IpAddress::parse("10.77.1.250");
    late.address6 = IpAddress::parse("fd77:0:0:1::fa");
    ASSERT_TRUE(
        store::append_journal(s.paths, (*opened)->snapshot_id(), store::journal_add_entry(late))
            .ok());
    EXPECT_TRUE(store::PeersIndex::matching_tag(s.paths).empty());
    expect_agrees(s);
    // ... and one that died halfway through updating the index after its
    // remove entry: entries changed, tag not written.
    auto again = store::PeersIndex::open(s.paths, peers_index_layout(s.profile));
    ASSERT_TRUE(again.ok() && again->has_value());
    ASSERT_TRUE(
        store::append_journal(s.paths, (*again)->snapshot_id(), store::journal_remove_entry("a"))
            .ok());
    ASSERT_EQ(::unlink((s.paths.peers_index_names_dir() + "/a").c_str()), 0);
    expect_agrees(s, {"a"});
    // The next add does not take an address "late" holds.
    auto next = add(s, "n", live);
    ASSERT_TRUE(next.ok()) << next.error().str();
    EXPECT_NE(next->peer.address, late.address);
    expect_agrees(s);
}

}  // namespace
}  // namespace vpngw::gateway::test
