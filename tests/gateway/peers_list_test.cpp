// `vpngw peer list` reads the registry one peer at a time (a session opened
// with StoredPeers::none): the same entries, in the same order, as a listing
// of the merged session, whatever the filter; and the one-peer reads of
// `peer show` without a walk of the registry.

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>

#include "support/peer_session.hpp"

namespace vpngw::gateway::test {
namespace {

IpAddress ip(const char* text) {
    return *IpAddress::parse(text);
}

// Every field of an entry, so two listings compare as text.
std::string describe(const PeerListEntry& e) {
    std::ostringstream o;
    auto opt = [](const auto& v) { return v ? v->str() : std::string("-"); };
    o << e.name << " group=" << e.group << " if=" << e.interface << " key=" << e.public_key.base64()
      << " a4=" << opt(e.address) << " a6=" << opt(e.address6)
      << " src=" << (e.source == PeerListEntry::Source::state ? "state" : "profile")
      << " disabled=" << e.disabled << " expired=" << e.expired
      << " expires=" << (e.expires ? model::format_time(*e.expires) : "-")
      << " quota=" << (e.quota ? model::format_quota(*e.quota) : "-")
      << " rate=" << (e.rate_bits ? model::format_rate(*e.rate_bits) : "-") << " nets=";
    for (const auto& n : e.networks) o << n.str() << ",";
    if (e.stats)
        o << " hs=" << e.stats->last_handshake_sec << " rx=" << e.stats->rx_bytes
          << " tx=" << e.stats->tx_bytes
          << " ep=" << (e.stats->endpoint ? e.stats->endpoint->str() : "-");
    return o.str();
}

Session open_reader(const std::string& state_dir, const std::string& profile, StoredPeers stored) {
    Options o;
    o.profile_path = profile;
    o.state_dir = state_dir;
    Diagnostics diags;
    auto s = open_session(o, LockMode::none, diags, stored);
    if (!s) throw std::runtime_error(s.error().str());
    return std::move(*s);
}

struct Listed {
    std::vector<std::string> peers;
    std::vector<std::string> notes;
};

Listed listed(const Session& s, LiveGateway& live, const PeerFilter& filter = {}) {
    auto l = list_peers(s, live, filter);
    if (!l) throw std::runtime_error(l.error().str());
    Listed out;
    for (const auto& e : l->peers) out.peers.push_back(describe(e));
    out.notes = l->notes;
    return out;
}

// The fixture's text without the lines from `from` up to the next blank line.
std::string without_block(const std::string& text, const std::string& from) {
    const auto at = text.find(from);
    if (at == std::string::npos) throw std::runtime_error("no " + from);
    const auto end = text.find("\n\n", at);
    return text.substr(0, at) + (end == std::string::npos ? "" : text.substr(end + 2));
}

// A registry with a peer of every kind: a fixed address where the profile's
// "auto" peer would be allocated (added while the profile did not declare
// it), limits and networks, a disabled one, an expired one, one of an
// IPv6-only group; the device knows alice.
struct Registry4 {
    TempDir tmp;
    FakeLive live;
    std::string full = tmp / "full.toml";
    Registry4() {
        const std::string text = read_text(kFixture);
        write_text(full, text);
        const std::string no_auto = tmp / "no_auto.toml";
        write_text(no_auto, without_block(text, "[[peer]]\nname = \"auto\""));
        auto s = open(tmp / "state", no_auto);
        live.up = false;
        AddPeerRequest alice{"alice", "staff", std::nullopt, true};
        alice.addresses = {ip("10.77.1.1")};
        alice.networks = {*Prefix::parse("192.168.50.0/24"), *Prefix::parse("192.168.51.0/24")};
        alice.quota = model::Quota{50ull << 30, model::QuotaPeriod::month};
        alice.rate_bits = 20'000'000;
        alice.expires = now_utc() + std::chrono::hours(24 * 30);
        check(add_peer(s, alice, live));
        check(add_peer(s, {"bob", "staff", std::nullopt, false}, live));
        check(disable_peer(s, "bob", live));
        check(add_peer(s, {"carol", "tiny", std::nullopt, false}, live));
        auto past = s.registry->update(
            "carol",
            [](registry::PeerRecord& r) {
                r.expires = now_utc() - std::chrono::hours(1);
                return ok_status();
            },
            nullptr, s.actor("test"));
        if (!past) throw std::runtime_error(past.error().str());
        check(add_peer(s, {"dave", "v6only", std::nullopt, false}, live));
        live.up = true;
        wg::ObservedPeer op;
        op.public_key = registry_key("alice");
        op.last_handshake_sec = 1'700'000'000;
        op.rx_bytes = 1234;
        op.tx_bytes = 5678;
        op.endpoint = Endpoint::parse("198.51.100.7:4500");
        live.device.peers.push_back(op);
    }
    template <typename R>
    static void check(const R& r) {
        if (!r) throw std::runtime_error(r.error().str());
    }
    PublicKey registry_key(const std::string& name) {
        for (const auto& p : stored_peers(tmp / "state"))
            if (p.name == name) return p.public_key;
        throw std::runtime_error("no " + name);
    }
};

TEST(PeerList, StreamedRegistryListsAsTheMergedSession) {
    Registry4 r;
    auto merged = open_reader(r.tmp / "state", r.full, StoredPeers::merged);
    auto streamed = open_reader(r.tmp / "state", r.full, StoredPeers::none);
    ASSERT_EQ(streamed.profile.peers.size(), 2u) << "the registry's are not merged";

    const auto a = listed(merged, r.live), b = listed(streamed, r.live);
    EXPECT_EQ(a.peers, b.peers);
    EXPECT_EQ(a.notes, b.notes);
    ASSERT_EQ(b.peers.size(), 6u);
    // The plan allocates "auto" around alice's fixed address, as `up` does.
    EXPECT_NE(b.peers[1].find("auto "), std::string::npos);
    EXPECT_EQ(b.peers[1].find("a4=10.77.1.1 "), std::string::npos) << b.peers[1];
    EXPECT_NE(b.peers[2].find("alice "), std::string::npos);
    EXPECT_NE(b.peers[2].find("hs=1700000000"), std::string::npos) << b.peers[2];

    for (const auto& filter :
         {PeerFilter{"staff"}, PeerFilter{std::nullopt, true},
          PeerFilter{std::nullopt, false, true}, PeerFilter{std::nullopt, false, false, "alice"},
          PeerFilter{std::nullopt, false, false, "fixed"},
          PeerFilter{std::nullopt, false, false, "ghost"}}) {
        const auto fa = listed(merged, r.live, filter), fb = listed(streamed, r.live, filter);
        EXPECT_EQ(fa.peers, fb.peers) << (filter.name ? *filter.name : "");
    }
    EXPECT_EQ(listed(streamed, r.live, PeerFilter{std::nullopt, true}).peers.size(), 1u);  // bob
    EXPECT_EQ(listed(streamed, r.live, PeerFilter{std::nullopt, false, true}).peers.size(),
              1u);  // carol
}

TEST(PeerList, StreamedHandsOverOnePeerAtATime) {
    Registry4 r;
    auto s = open_reader(r.tmp / "state", r.full, StoredPeers::none);
    std::vector<std::string> names;
    auto l = list_peers(s, r.live, {}, [&](PeerListEntry&& e) { names.push_back(e.name); });
    ASSERT_TRUE(l.ok()) << l.error().str();
    EXPECT_TRUE(l->peers.empty());
    EXPECT_EQ(names, (std::vector<std::string>{"fixed", "auto", "alice", "bob", "carol", "dave"}));
}

TEST(PeerList, RegistryPeerThatNoLongerFitsIsListedWithANote) {
    Registry4 r;
    const std::string no_tiny = r.tmp / "no_tiny.toml";
    write_text(no_tiny, without_block(read_text(r.full), "[[group]]\nname = \"tiny\""));
    // `up` (a merged session) refuses it ...
    Options o;
    o.profile_path = no_tiny;
    o.state_dir = r.tmp / "state";
    Diagnostics diags;
    auto merged = open_session(o, LockMode::none, diags, StoredPeers::merged);
    ASSERT_FALSE(merged.ok());
    EXPECT_NE(merged.error().message.find("no longer defines"), std::string::npos);
    // ... the listing shows it and says why.
    auto s = open_reader(r.tmp / "state", no_tiny, StoredPeers::none);
    const auto l = listed(s, r.live);
    ASSERT_EQ(l.peers.size(), 6u);
    EXPECT_NE(l.peers[4].find("carol group=tiny if= "), std::string::npos) << l.peers[4];
    ASSERT_FALSE(l.notes.empty());
    EXPECT_NE(
        l.notes.back().find("\"carol\" belongs to group \"tiny\", which the profile no longer"),
        std::string::npos)
        << l.notes.back();
}

TEST(PeerList, EntryOfARecordReadsAsTheListing) {
    Registry4 r;
    auto s = open_reader(r.tmp / "state", r.full, StoredPeers::none);
    r.live.up = false;
    const auto all = listed(s, r.live);
    std::size_t i = 2;  // after the profile's two
    for (const auto& rec : stored_peers(r.tmp / "state")) {
        const auto* g = s.profile.find_group(rec.group);
        EXPECT_EQ(describe(entry_of(rec, g->interface, now_utc())), all.peers.at(i++));
    }
}

TEST(PeerList, ShowReadsOneStoredConfigWithoutMerging) {
    Registry4 r;
    auto s = open_reader(r.tmp / "state", r.full, StoredPeers::none);
    auto alice = stored_client_config(s, "alice");
    ASSERT_TRUE(alice.ok()) << alice.error().str();
    EXPECT_NE(alice->str().find("[Interface]"), std::string::npos);
    auto fixed = stored_client_config(s, "fixed");
    ASSERT_FALSE(fixed.ok());
    EXPECT_NE(fixed.error().message.find("declared in the profile"), std::string::npos);
    auto ghost = stored_client_config(s, "ghost");
    ASSERT_FALSE(ghost.ok());
    EXPECT_NE(ghost.error().message.find("no peer named \"ghost\""), std::string::npos);
}

}  // namespace
}  // namespace vpngw::gateway::test
