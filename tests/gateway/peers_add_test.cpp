#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "gateway/apply_profile.hpp"
#include "gateway/userspace_capacity.hpp"
#include "keys/keys.hpp"
#include "profile/cache.hpp"
#include "registry/sqlite_db.hpp"
#include "registry/sqlite_registry.hpp"
#include "store/peer_files.hpp"
#include "support/peer_session.hpp"

namespace vpngw::gateway::test {
namespace {

IpAddress ip(const char* text) {
    return *IpAddress::parse(text);
}

Result<AddPeerReport> add(Session& s, const std::string& name, const std::string& group,
                          LiveGateway& live, bool psk = false) {
    return add_peer(s, AddPeerRequest{name, group, std::nullopt, psk}, live);
}

TEST(PeerAdd, TakesTheLowestAddressLeftByProfileAndStoredPeers) {
    TempDir tmp;
    FakeLive live;
    live.up = false;
    {
        // Profile peers: "fixed" = .2, "auto" is allocated .1 (::1); .2's
        // partner ::2 goes to "fixed". The first added peer gets .3 / ::3.
        auto s = open(tmp.path());
        auto alice = add(s, "alice", "staff", live);
        ASSERT_TRUE(alice.ok()) << alice.error().str();
        EXPECT_EQ(alice->peer.address, ip("10.77.1.3"));
        EXPECT_EQ(alice->peer.address6, ip("fd77:0:0:1::3"));
    }
    // A new run sees alice in the registry.
    auto s = open(tmp.path());
    ASSERT_TRUE(is_stored(tmp.path(), "alice"));
    auto bob = add(s, "bob", "staff", live);
    ASSERT_TRUE(bob.ok()) << bob.error().str();
    EXPECT_EQ(bob->peer.address, ip("10.77.1.4"));
    EXPECT_EQ(bob->peer.address6, ip("fd77:0:0:1::4"));
    // Within one session too (the session learns the peer it added).
    auto carol = add(s, "carol", "staff", live);
    ASSERT_TRUE(carol.ok()) << carol.error().str();
    EXPECT_EQ(carol->peer.address, ip("10.77.1.5"));

    auto stored = stored_peers(tmp.path());
    ASSERT_EQ(stored.size(), 3u);
    EXPECT_EQ(stored[1].name, "bob");
    EXPECT_EQ(stored[1].group, "staff");
}

TEST(PeerAdd, FullSubnetIsAClearErrorAndChangesNothing) {
    TempDir tmp;
    FakeLive live;
    auto s = open(tmp.path());
    ASSERT_TRUE(add(s, "t1", "tiny", live).ok());
    ASSERT_TRUE(add(s, "t2", "tiny", live).ok());
    const std::string before = stored_text(tmp.path());
    const auto calls = live.set_calls.size();

    auto third = add(s, "t3", "tiny", live);
    ASSERT_FALSE(third.ok());
    EXPECT_NE(third.error().message.find("subnet 10.77.2.0/30 of group \"tiny\" is full"),
              std::string::npos)
        << third.error().message;
    EXPECT_NE(third.error().message.find("2 host addresses"), std::string::npos);
    // Located at the tiny group's subnet line.
    EXPECT_EQ(third.error().where.file, kFixture);
    EXPECT_EQ(third.error().where.line, line_of(kFixture, "subnet = \"10.77.2.0/30\""))
        << third.error().str();
    EXPECT_EQ(stored_text(tmp.path()), before);
    EXPECT_FALSE(exists(tmp / "clients/t3.conf"));
    EXPECT_EQ(live.set_calls.size(), calls);
    // Other groups still work.
    EXPECT_TRUE(add(s, "s1", "staff", live).ok());
}

TEST(PeerAdd, ReusesTheAddressOfARemovedPeer) {
    TempDir tmp;
    FakeLive live;
    live.up = false;
    std::optional<IpAddress> b4, b6;
    {
        auto s = open(tmp.path());
        ASSERT_TRUE(add(s, "a", "staff", live).ok());  // .3
        auto b = add(s, "b", "staff", live);           // .4
        ASSERT_TRUE(b.ok());
        b4 = b->peer.address;
        b6 = b->peer.address6;
        ASSERT_TRUE(add(s, "c", "staff", live).ok());  // .5
        ASSERT_TRUE(remove_peer(s, "b", live).ok());
    }
    auto s2 = open(tmp.path());  // a later run
    auto d = add(s2, "d", "staff", live);
    ASSERT_TRUE(d.ok()) << d.error().str();
    EXPECT_EQ(d->peer.address, b4);
    EXPECT_EQ(d->peer.address6, b6);
    EXPECT_EQ(b4, ip("10.77.1.4"));
    auto e = add(s2, "e", "staff", live);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->peer.address, ip("10.77.1.6"));
}

TEST(PeerAdd, PairsIpv4AndIpv6OffsetsWhenBothAreFree) {
    TempDir tmp;
    FakeLive live;
    live.up = false;
    // A stored peer whose addresses do not pair: .3 and ::9.
    auto pub = keys::generate_key_pair();
    ASSERT_TRUE(pub.ok());
    registry::PeerRecord odd;
    odd.name = "odd";
    odd.group = "staff";
    odd.public_key = pub->public_key;
    odd.address = ip("10.77.1.3");
    odd.address6 = ip("fd77:0:0:1::9");
    {
        auto reg = registry::open_sqlite_registry(tmp.path(), {"test", "test"});
        ASSERT_TRUE(reg.ok()) << reg.error().str();
        ASSERT_TRUE((*reg)->add(odd, nullptr, {"test", "test"}).ok());
        // Settled, or the next command would take it for an add killed
        // before its client config was written, and undo it.
        ASSERT_TRUE((*reg)->settle("odd").ok());
    }

    auto s = open(tmp.path());
    // .3 is taken, so the lowest IPv4 is .4, and ::4 is free: they pair.
    auto p = add(s, "p", "staff", live);
    ASSERT_TRUE(p.ok()) << p.error().str();
    EXPECT_EQ(p->peer.address, ip("10.77.1.4"));
    EXPECT_EQ(p->peer.address6, ip("fd77:0:0:1::4"));
    // Up to .8/::8 they keep pairing; the next IPv4 is .9, whose partner ::9
    // is odd's: the IPv6 address is then the lowest free one, ::3.
    for (const char* n : {"q5", "q6", "q7", "q8"}) ASSERT_TRUE(add(s, n, "staff", live).ok());
    auto r = add(s, "r", "staff", live);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->peer.address, ip("10.77.1.9"));
    EXPECT_EQ(r->peer.address6, ip("fd77:0:0:1::3"));

    // Single-family groups give single-family peers.
    auto v6 = add(s, "six", "v6only", live);
    ASSERT_TRUE(v6.ok()) << v6.error().str();
    EXPECT_FALSE(v6->peer.address.has_value());
    EXPECT_EQ(v6->peer.address6, ip("fd77:0:0:3::1"));
    EXPECT_EQ(config_value(v6->client_config.view(), "Address"), "fd77:0:0:3::1/128");
    auto four = add(s, "four", "tiny", live);
    ASSERT_TRUE(four.ok());
    EXPECT_FALSE(four->peer.address6.has_value());
}

TEST(PeerAdd, GeneratedKeysAndFiles) {
    TempDir tmp;
    FakeLive live;
    live.up = false;
    auto s = open(tmp.path());
    ::umask(0);  // files must still come out 0600, directories 0700
    auto a = add(s, "alice", "staff", live, /*psk=*/true);
    ::umask(022);
    ASSERT_TRUE(a.ok()) << a.error().str();
    EXPECT_TRUE(a->server_made_key);
    const std::string conf_path = tmp / "clients/alice.conf";
    EXPECT_EQ(a->config_path, conf_path);
    EXPECT_EQ(read_text(conf_path), std::string(a->client_config.view()));
    EXPECT_EQ(mode_of(conf_path), 0600);
    EXPECT_EQ(mode_of(tmp / "clients"), 0700);
    EXPECT_EQ(mode_of(tmp / "psk/alice.psk"), 0600);
    EXPECT_EQ(mode_of(tmp / "peers.db"), 0600);      // the registry
    EXPECT_EQ(mode_of(tmp / "vpngwpt0.key"), 0600);  // the gateway's key, made as `up` would

    const auto view = a->client_config.view();
    auto priv = SecretKey::from_base64(config_value(view, "PrivateKey"));
    ASSERT_TRUE(priv.has_value()) << view;
    EXPECT_EQ(keys::public_from_private(*priv), a->peer.public_key);
    // The server's public key in the config is the one of its key file.
    auto server = interface_public_key(s.profile, s.profile.interfaces[0]);
    ASSERT_TRUE(server.ok());
    EXPECT_EQ(config_value(view, "PublicKey"), server->base64());
    EXPECT_EQ(config_value(view, "Endpoint"), "vpn.example.test:51820");
    EXPECT_EQ(config_value(view, "Address"), "10.77.1.3/32, fd77:0:0:1::3/128");
    EXPECT_EQ(config_value(view, "DNS"), "10.77.0.1");
    EXPECT_EQ(config_value(view, "PresharedKey"), [&] {
        auto k = store::read_psk(s.paths, "alice");
        return k ? k->base64() : "?";
    }());
    EXPECT_TRUE(a->peer.has_psk);
    // The registry (where `peer add` records the peer) holds no secret.
    const std::string stored =
        read_text(s.paths.registry_file()) + read_text(s.paths.registry_file() + "-wal");
    EXPECT_NE(stored.find("alice"), std::string::npos);
    EXPECT_EQ(stored.find(config_value(view, "PrivateKey")), std::string::npos);
    EXPECT_EQ(stored.find(config_value(view, "PresharedKey")), std::string::npos);

    auto shown = stored_client_config(s, "alice");
    ASSERT_TRUE(shown.ok());
    EXPECT_EQ(shown->view(), view);
}

TEST(PeerAdd, ClientsOwnPublicKeyLeavesAPlaceholder) {
    TempDir tmp;
    FakeLive live;
    live.up = false;
    auto pair = keys::generate_key_pair();
    ASSERT_TRUE(pair.ok());
    auto s = open(tmp.path());
    auto a = add_peer(s, AddPeerRequest{"phone", "staff", pair->public_key, false}, live);
    ASSERT_TRUE(a.ok()) << a.error().str();
    EXPECT_FALSE(a->server_made_key);
    EXPECT_EQ(a->peer.public_key, pair->public_key);
    const auto view = a->client_config.view();
    EXPECT_EQ(config_value(view, "PrivateKey"), "");
    EXPECT_NE(view.find("# PrivateKey = "), std::string::npos) << view;
    // Nothing vpngw wrote holds the client's private key.
    const std::string priv = pair->private_key.base64();
    EXPECT_EQ(read_text(tmp / "clients/phone.conf").find(priv), std::string::npos);
    EXPECT_EQ(read_text(s.paths.registry_file()).find(priv), std::string::npos);
    EXPECT_EQ(read_text(s.paths.registry_file() + "-wal").find(priv), std::string::npos);

    // The same key again, or a profile peer's key, is refused.
    auto again = add_peer(s, AddPeerRequest{"phone2", "staff", pair->public_key, false}, live);
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.error().message.find("already belongs to peer \"phone\""), std::string::npos);
    auto clash =
        add_peer(s, AddPeerRequest{"x", "staff", s.profile.peers[0].public_key, false}, live);
    ASSERT_FALSE(clash.ok());
    EXPECT_NE(clash.error().message.find("\"fixed\""), std::string::npos);
    EXPECT_FALSE(exists(tmp / "clients/phone2.conf"));
}

TEST(PeerAdd, RefusesBadNamesTakenNamesAndUnknownGroups) {
    TempDir tmp;
    FakeLive live;
    auto s = open(tmp.path());
    ASSERT_TRUE(add(s, "alice", "staff", live).ok());
    const std::string before = stored_text(tmp.path());
    struct Case {
        std::string name, group, expect;
    };
    for (const auto& c : std::vector<Case>{{"-x", "staff", "invalid peer name"},
                                           {"../etc", "staff", "invalid peer name"},
                                           {"sixteen-chars-xx", "staff", "invalid peer name"},
                                           {"alice", "staff", "already exists"},
                                           {"fixed", "staff", "is declared in the profile"},
                                           {"zed", "nope", "no group \"nope\""}}) {
        auto r = add(s, c.name, c.group, live);
        ASSERT_FALSE(r.ok()) << c.name;
        EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << r.error().message;
    }
    EXPECT_EQ(stored_text(tmp.path()), before);
}

// With enough inline peers the profile comes from <state_dir>/profile.cache,
// whose hits skip the checks across peers: a clash with an inline peer (its
// name, key or address) is the same error, at the same profile line, on a hit
// as on the full load that wrote the cache.
TEST(PeerAdd, AClashWithAnInlinePeerIsTheSameErrorOnACacheHitAsOnAMiss) {
    TempDir tmp;
    FakeLive live;
    live.up = false;
    const std::string profile = tmp / "profile.toml", state = tmp / "state";
    ASSERT_EQ(::mkdir(state.c_str(), 0700), 0);
    std::string text = read_text(kFixture);
    std::vector<PublicKey> keys;
    for (std::size_t i = 0; i < profile::kCacheMinPeers; ++i) {
        auto pair = keys::generate_key_pair();
        ASSERT_TRUE(pair.ok());
        keys.push_back(pair->public_key);
        text += "\n[[peer]]\nname = \"inl" + std::to_string(i) +
                "\"\ngroup = \"v6only\"\npublic_key = \"" + pair->public_key.base64() +
                "\"\naddress6 = \"fd77:0:0:3::" + std::to_string(1000 + i) + "\"\n";
    }
    write_text(profile, text);
    const auto clashes = [&] {
        auto s = open(state, profile);
        std::vector<std::string> out;
        for (const auto& r :
             {add(s, "inl5", "v6only", live),
              add_peer(s, AddPeerRequest{"k", "v6only", keys[7], false}, live),
              add_peer(s,
                       AddPeerRequest{"a", "v6only", std::nullopt, false, {ip("fd77:0:0:3::1009")}},
                       live)})
            out.push_back(r.ok() ? "added" : r.error().str());
        return out;
    };
    const auto miss = clashes();
    profile::CacheUse use{};
    ASSERT_TRUE(profile::load_file_cached(profile, state, &use).profile);
    ASSERT_EQ(use, profile::CacheUse::hit);  // the next session's load too
    const auto hit = clashes();
    EXPECT_EQ(hit, miss);
    // Each names the inline peer's table: inl5 (line of its header), inl7, inl9.
    const std::vector<std::string> expect = {"is declared in the profile",
                                             "already belongs to peer \"inl7\"",
                                             "belongs to profile peer \"inl9\""};
    ASSERT_EQ(miss.size(), expect.size());
    const std::string fixture = read_text(kFixture);
    const auto lines = std::count(fixture.begin(), fixture.end(), '\n');
    for (std::size_t i = 0; i < expect.size(); ++i) {
        EXPECT_NE(miss[i].find(expect[i]), std::string::npos) << miss[i];
        const int peer = i == 0 ? 5 : i == 1 ? 7 : 9;
        const std::string where = profile + ":" + std::to_string(lines + 2 + 6 * peer) + ":";
        EXPECT_EQ(miss[i].rfind(where, 0), 0u) << miss[i] << " (want " << where << ")";
    }
    EXPECT_FALSE(open(state, profile).registry->find("k")->has_value());
}

// `peer add` and `peer remove` ask the profile index (profile/peer_index.hpp)
// about the inline peers instead of decoding them: each answer (a clash of
// name, key or address, the address allocated around the inline peers' runs,
// a refused removal) is what a session holding every inline peer gives.
TEST(PeerAdd, AnIndexedSessionAddsAndRefusesAsOneWithEveryInlinePeer) {
    TempDir tmp;
    FakeLive live;
    live.up = false;
    const std::string profile = tmp / "profile.toml";
    std::string text = read_text(kFixture);
    text = text.substr(0, text.find("[[peer]]\nname = \"auto\""));
    text.replace(text.find("address = \"10.77.1.2\""), 21,
                 "address = \"10.77.1.2\"\naddress6 = \"fd77:0:0:1::2\"");
    std::vector<PublicKey> keys;
    auto peer = [&](const std::string& name, const std::string& group, const std::string& fixed) {
        auto pair = keys::generate_key_pair();
        ASSERT_TRUE(pair.ok());
        keys.push_back(pair->public_key);
        text += "\n[[peer]]\nname = \"" + name + "\"\ngroup = \"" + group + "\"\npublic_key = \"" +
                pair->public_key.base64() + "\"\n" + fixed;
    };
    const auto hex = [](int i) {
        char b[16];
        std::snprintf(b, sizeof b, "%x", i);
        return std::string(b);
    };
    for (int i = 3; i < 20; ++i)  // staff offsets 3-19 in both subnets, then a gap
        peer("s" + std::to_string(i), "staff",
             "address = \"10.77.1." + std::to_string(i) + "\"\naddress6 = \"fd77:0:0:1::" + hex(i) +
                 "\"\n");
    for (int i = 1; i <= 300; ++i)  // v6only offsets 1-300 but 100
        if (i != 100)
            peer("v" + std::to_string(i), "v6only", "address6 = \"fd77:0:0:3::" + hex(i) + "\"\n");
    write_text(profile, text);

    const auto run = [&](bool indexed) {
        const std::string state = tmp / (indexed ? "indexed" : "full");
        EXPECT_EQ(::mkdir(state.c_str(), 0700), 0);
        Options o;
        o.profile_path = profile;
        o.state_dir = state;
        Diagnostics diags;
        // The first open writes the cache and the index.
        EXPECT_TRUE(open_session(o, LockMode::none, diags).ok());
        auto s = open_session(o, LockMode::exclusive, diags, StoredPeers::none,
                              indexed ? ProfilePeers::indexed : ProfilePeers::loaded);
        EXPECT_TRUE(s.ok());
        EXPECT_EQ(s->declared != nullptr, indexed);
        EXPECT_EQ(s->profile.peers.empty(), indexed);
        std::vector<std::string> out;
        auto note = [&](const Result<AddPeerReport>& r) {
            out.push_back(r.ok() ? "added " + (r->peer.address ? r->peer.address->str() : "-") +
                                       " " + (r->peer.address6 ? r->peer.address6->str() : "-")
                                 : r.error().str());
        };
        note(add(*s, "n1", "staff", live));   // .1 ::1
        note(add(*s, "n2", "staff", live));   // offset 20 (3-19 are inline)
        note(add(*s, "n3", "v6only", live));  // offset 100, between the runs
        note(add(*s, "n4", "v6only", live));  // offset 301
        note(add(*s, "s7", "staff", live));
        note(add_peer(*s, AddPeerRequest{"k", "staff", keys[40], false}, live));
        note(add_peer(*s, AddPeerRequest{"a", "staff", std::nullopt, false, {ip("fd77:0:0:1::9")}},
                      live));
        note(add_peer(
            *s, AddPeerRequest{"b", "v6only", std::nullopt, false, {ip("fd77:0:0:3::500")}}, live));
        auto removed = remove_peer(*s, "v5", live);
        out.push_back(removed.ok() ? "removed" : removed.error().str());
        removed = remove_peer(*s, "n1", live);
        out.push_back(removed.ok() ? "removed" : removed.error().str());
        return out;
    };
    const auto full = run(false);
    const auto indexed = run(true);
    EXPECT_EQ(indexed, full);
    ASSERT_EQ(full.size(), 10u);
    EXPECT_EQ(full[0], "added 10.77.1.1 fd77:0:0:1::1");
    EXPECT_EQ(full[1], "added 10.77.1.20 fd77:0:0:1::14");
    EXPECT_EQ(full[2], "added - fd77:0:0:3::64");   // offset 100
    EXPECT_EQ(full[3], "added - fd77:0:0:3::12d");  // offset 301
    EXPECT_NE(full[4].find("is declared in the profile"), std::string::npos) << full[4];
    EXPECT_NE(full[5].find("already belongs to peer"), std::string::npos) << full[5];
    EXPECT_NE(full[6].find("belongs to profile peer \"s9\""), std::string::npos) << full[6];
    EXPECT_EQ(full[7], "added - fd77:0:0:3::500");
    EXPECT_NE(full[8].find("is declared in the profile"), std::string::npos) << full[8];
    EXPECT_EQ(full[9], "removed");
}

TEST(PeerAdd, NeedsTheLock) {
    TempDir tmp;
    Options o;
    o.profile_path = kFixture;
    o.state_dir = tmp.path();
    Diagnostics diags;
    auto s = open_session(o, LockMode::none, diags);
    ASSERT_TRUE(s.ok());
    FakeLive live;
    EXPECT_FALSE(add(*s, "alice", "staff", live).ok());
}

// `peer add` allocates inside the registry's transaction from the group's
// stored addresses; the result must be what the full load, merge and
// allocation of every stored peer gives, whatever adds and removes came before.
TEST(PeerAdd, FastPathAllocationEqualsFullScanOnRandomChanges) {
    TempDir tmp;
    FakeLive live;
    live.up = false;
    std::mt19937 rng(7);
    std::vector<std::string> names;
    int next = 0;
    for (int round = 0; round < 120; ++round) {
        Options o;
        o.profile_path = kFixture;
        o.state_dir = tmp.path();
        Diagnostics diags;
        auto lean = open_session(o, LockMode::exclusive, diags, StoredPeers::none);
        ASSERT_TRUE(lean.ok()) << lean.error().str();
        if (names.empty() || rng() % 3 != 0) {
            // What a full scan says the next peer gets (read-only session).
            auto full = open_session(o, LockMode::none, diags);
            ASSERT_TRUE(full.ok()) << full.error().str();
            auto expected = allocate_new_peer(full->profile, "staff");
            ASSERT_TRUE(expected.ok()) << expected.error().str();
            const std::string name = "r" + std::to_string(next++);
            auto added = add(*lean, name, "staff", live);
            ASSERT_TRUE(added.ok()) << added.error().str();
            EXPECT_EQ(added->peer.address, expected->v4) << "round " << round;
            EXPECT_EQ(added->peer.address6, expected->v6) << "round " << round;
            names.push_back(name);
        } else {
            const std::size_t i = rng() % names.size();
            auto removed = remove_peer(*lean, names[i], live);
            ASSERT_TRUE(removed.ok()) << removed.error().str();
            names.erase(names.begin() + static_cast<std::ptrdiff_t>(i));
        }
    }
    // The state parses and holds exactly the surviving peers.
    std::set<std::string> got, want(names.begin(), names.end());
    for (const auto& p : stored_peers(tmp.path())) got.insert(p.name);
    EXPECT_EQ(got, want);
}

// The fixture's interface is backend = "userspace": with its two profile
// peers and `stored` registry peers (no addresses: only the count matters),
// a session as `vpngw peer add` opens it.
Session session_with_stored(const std::string& dir, std::size_t stored) {
    {
        auto s = open(dir);
        std::vector<registry::PeerRecord> peers(stored);
        for (std::size_t i = 0; i < stored; ++i) {
            peers[i].name = "s" + std::to_string(i);
            peers[i].group = "staff";
            peers[i].public_key.bytes[0] = static_cast<std::uint8_t>(i);
            peers[i].public_key.bytes[1] = static_cast<std::uint8_t>(i >> 8);
            peers[i].public_key.bytes[2] = static_cast<std::uint8_t>(i >> 16);
            peers[i].public_key.bytes[3] = 1;
        }
        EXPECT_TRUE(s.registry->add_all(peers, "test", s.actor("peer import")).ok());
    }
    // Settled at once (one settle() a peer would be 65,534 commits).
    auto db = registry::sqlite::Db::open(registry::registry_file(dir),
                                         registry::sqlite::Db::Access::write);
    EXPECT_TRUE(db.ok() && db->exec("DELETE FROM pending").ok());
    Options o;
    o.profile_path = kFixture;
    o.state_dir = dir;
    Diagnostics diags;
    auto s = open_session(o, LockMode::exclusive, diags, StoredPeers::none);
    if (!s) throw std::runtime_error(s.error().str());
    return std::move(*s);
}

TEST(PeerAdd, RefusesThePeerPastWireguardGosLimitOnAUserspaceInterface) {
    TempDir tmp;
    FakeLive live;
    live.up = false;
    // 65,534 stored + 2 in the profile: the interface is full.
    auto s = session_with_stored(tmp.path() + "/full", model::kUserspacePeerLimit - 2);
    auto refused = add(s, "one-more", "staff", live);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("65536 peers, the most wireguard-go"), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find("backend = \"kernel\""), std::string::npos);
    EXPECT_EQ(refused.error().where.file, kFixture);
    EXPECT_FALSE(s.registry->find("one-more")->has_value());
    // One fewer leaves room: whatever else happens, the limit is not the reason.
    auto t = session_with_stored(tmp.path() + "/room", model::kUserspacePeerLimit - 3);
    auto added = add(t, "one-more", "staff", live);
    EXPECT_TRUE(added.ok() || added.error().message.find("wireguard-go") == std::string::npos)
        << added.error().message;
}

// Registry peers are invisible to `check`: an import (or a backend change)
// can leave more on a userspace interface than wireguard-go holds. `up` and
// `plan` refuse that before reading or writing the kernel, not half-way.
TEST(UserspaceCapacity, PlanAndUpRefuseMoreRegistryPeersThanWireguardGoHolds) {
    TempDir tmp;
    // 65,535 stored + 2 in the profile: one past the limit.
    { auto seeded = session_with_stored(tmp.path(), model::kUserspacePeerLimit - 1); }
    auto s = open(tmp.path());  // merged, as `up` and `plan` open it
    ASSERT_EQ(s.profile.peers.size(), model::kUserspacePeerLimit + 1);
    auto refused = check_userspace_capacity(s.profile, s.paths.registry_file());
    ASSERT_FALSE(refused.ok());
    EXPECT_THAT(refused.error().message,
                testing::AllOf(testing::HasSubstr("interface vpngwpt0 would have 65537 peers"),
                               testing::HasSubstr("nothing was changed")));
    // At the interface's backend key.
    EXPECT_EQ(refused.error().where.file, kFixture);
    EXPECT_EQ(refused.error().where.line, line_of(kFixture, "backend = \"userspace\""));
    // plan_up reads the kernel only after the check: no op is planned.
    auto planned = plan_up(s);
    ASSERT_FALSE(planned.ok());
    EXPECT_EQ(planned.error().message, refused.error().message);
}

TEST(UserspaceCapacity, PeerImportPastTheLimitAddsNothing) {
    TempDir tmp;
    FakeLive live;  // running: an import that went ahead would set peers
    // 65,534 stored + 2 in the profile: exactly what wireguard-go holds.
    auto s = session_with_stored(tmp.path(), model::kUserspacePeerLimit - 2);
    registry::PeerRecord newcomer;
    newcomer.name = "newcomer";
    newcomer.group = "staff";
    newcomer.public_key = keys::generate_key_pair().value().public_key;
    const std::string file = tmp.path() + "/import.toml";
    write_text(file, registry::format_peers_text({newcomer}));

    auto refused = import_peers(s, file, live);
    ASSERT_FALSE(refused.ok());
    EXPECT_THAT(refused.error().message,
                testing::HasSubstr("importing " + file + ": interface vpngwpt0 would have 65537"));
    EXPECT_EQ(refused.error().where.file, kFixture);
    EXPECT_FALSE(s.registry->find("newcomer")->has_value());
    EXPECT_EQ(s.registry->list()->size(), model::kUserspacePeerLimit - 2);
    EXPECT_TRUE(live.set_calls.empty());
    // At the limit itself `up` has nothing to refuse.
    s = Session{};
    auto merged = open(tmp.path());
    EXPECT_TRUE(check_userspace_capacity(merged.profile, merged.paths.registry_file()).ok());
}

}  // namespace
}  // namespace vpngw::gateway::test
