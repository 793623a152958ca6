// The kernel step of peer add/remove against a fake gateway: what is asked
// of WireGuard and nftables, and the rollback when one of them refuses.

#include <gtest/gtest.h>

#include "store/peer_files.hpp"
#include "support/peer_session.hpp"

namespace vpngw::gateway::test {
namespace {

IpAddress ip(const char* text) {
    return *IpAddress::parse(text);
}

Result<AddPeerReport> add(Session& s, const std::string& name, LiveGateway& live,
                          bool psk = false) {
    return add_peer(s, AddPeerRequest{name, "staff", std::nullopt, psk}, live);
}

TEST(PeerLive, AddSetsOnePeerAndTwoElements) {
    TempDir tmp;
    FakeLive live;
    auto s = open(tmp.path());
    auto a = add(s, "alice", live, /*psk=*/true);
    ASSERT_TRUE(a.ok()) << a.error().str();
    EXPECT_TRUE(a->live.applied);
    EXPECT_NE(a->live.note.find("applied to vpngwpt0"), std::string::npos) << a->live.note;

    ASSERT_EQ(live.set_calls.size(), 1u);
    const auto& pc = live.set_calls[0];
    EXPECT_EQ(pc.public_key, a->peer.public_key);
    ASSERT_EQ(pc.allowed_ips.size(), 2u);
    EXPECT_EQ(pc.allowed_ips[0], (Prefix{ip("10.77.1.3"), 32}));
    EXPECT_EQ(pc.allowed_ips[1], (Prefix{ip("fd77:0:0:1::3"), 128}));
    ASSERT_TRUE(pc.preshared_key.has_value());
    auto psk = store::read_psk(s.paths, "alice");
    ASSERT_TRUE(psk.ok());
    EXPECT_TRUE(*pc.preshared_key == *psk);

    ASSERT_EQ(live.element_calls.size(), 1u);  // one transaction
    const auto& ch = live.element_calls[0];
    ASSERT_EQ(ch.size(), 2u);
    EXPECT_EQ(ch[0].op, nft::ElementChange::Op::add);
    EXPECT_EQ(ch[0].set, "peers4");
    EXPECT_EQ(ch[0].key, ip("10.77.1.3"));
    EXPECT_EQ(ch[0].jump_chain, "");  // a plain set: no per-element verdict
    EXPECT_EQ(ch[1].set, "peers6");
    EXPECT_EQ(ch[1].key, ip("fd77:0:0:1::3"));
    EXPECT_TRUE(live.remove_calls.empty());
}

TEST(PeerLive, NotUpMeansRecordedOnly) {
    TempDir tmp;
    FakeLive live;
    live.up = false;
    auto s = open(tmp.path());
    auto a = add(s, "alice", live);
    ASSERT_TRUE(a.ok());
    EXPECT_FALSE(a->live.applied);
    EXPECT_EQ(a->live.note, "not applied: vpngwpt0 is not up; `vpngw up` will apply it");
    EXPECT_TRUE(live.set_calls.empty());
    EXPECT_TRUE(live.element_calls.empty());
    EXPECT_TRUE(is_stored(tmp.path(), "alice"));
}

TEST(PeerLive, NoFirewallTableSkipsTheElements) {
    TempDir tmp;
    FakeLive live;
    live.firewall = false;
    auto s = open(tmp.path());
    auto a = add(s, "alice", live);
    ASSERT_TRUE(a.ok()) << a.error().str();
    EXPECT_TRUE(a->live.applied);
    EXPECT_EQ(live.set_calls.size(), 1u);
    EXPECT_TRUE(live.remove_calls.empty());  // the WireGuard peer stays
    EXPECT_NE(a->live.note.find("table inet vpngw is absent"), std::string::npos);
    // Removing works without the table too.
    auto r = remove_peer(s, "alice", live);
    ASSERT_TRUE(r.ok()) << r.error().str();
    EXPECT_EQ(live.remove_calls.size(), 1u);
    EXPECT_NE(r->live.note.find("0 nftables elements"), std::string::npos) << r->live.note;
}

TEST(PeerLive, NftFailureUndoesWireGuardAndState) {
    TempDir tmp;
    FakeLive live;
    auto s = open(tmp.path());
    ASSERT_TRUE(add(s, "first", live).ok());
    const std::string before = stored_text(tmp.path());
    live.fail_elements = true;
    auto a = add(s, "alice", live, /*psk=*/true);
    ASSERT_FALSE(a.ok());
    EXPECT_NE(a.error().message.find("fake: nft refused"), std::string::npos);
    EXPECT_NE(a.error().message.find("the peer was not added"), std::string::npos);
    ASSERT_EQ(live.set_calls.size(), 2u);
    ASSERT_EQ(live.remove_calls.size(), 1u);  // taken out of WireGuard again
    EXPECT_EQ(live.remove_calls[0], live.set_calls[1].public_key);
    EXPECT_EQ(stored_text(tmp.path()), before);
    EXPECT_FALSE(exists(tmp / "clients/alice.conf"));
    EXPECT_FALSE(exists(tmp / "psk/alice.psk"));
    EXPECT_FALSE(is_stored(tmp.path(), "alice"));
    // The failed peer's address is free for the next one.
    live.fail_elements = false;
    auto b = add(s, "bob", live);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->peer.address, ip("10.77.1.4"));
}

TEST(PeerLive, WireGuardFailureChangesNothing) {
    TempDir tmp;
    FakeLive live;
    live.fail_set = true;
    auto s = open(tmp.path());
    auto a = add(s, "alice", live);
    ASSERT_FALSE(a.ok());
    EXPECT_NE(a.error().message.find("fake: set refused"), std::string::npos);
    EXPECT_TRUE(live.element_calls.empty());
    EXPECT_TRUE(stored_peers(tmp.path()).empty());
    EXPECT_FALSE(exists(tmp / "clients/alice.conf"));
}

TEST(PeerLive, RemoveTakesElementsThenPeerAndFiles) {
    TempDir tmp;
    FakeLive live;
    auto s = open(tmp.path());
    auto a = add(s, "alice", live, true);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(add(s, "bob", live).ok());
    live.element_calls.clear();
    auto r = remove_peer(s, "alice", live);
    ASSERT_TRUE(r.ok()) << r.error().str();
    EXPECT_TRUE(r->live.applied);
    ASSERT_EQ(live.element_calls.size(), 1u);
    ASSERT_EQ(live.element_calls[0].size(), 2u);
    EXPECT_EQ(live.element_calls[0][0].op, nft::ElementChange::Op::remove);
    EXPECT_EQ(live.element_calls[0][0].key, ip("10.77.1.3"));
    ASSERT_EQ(live.remove_calls.size(), 1u);
    EXPECT_EQ(live.remove_calls[0], a->peer.public_key);
    EXPECT_FALSE(exists(tmp / "clients/alice.conf"));
    EXPECT_FALSE(exists(tmp / "psk/alice.psk"));
    auto stored = stored_peers(tmp.path());
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].name, "bob");
    EXPECT_TRUE(exists(tmp / "clients/bob.conf"));

    auto again = remove_peer(s, "alice", live);
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.error().message.find("no peer named \"alice\""), std::string::npos);
    auto inline_peer = remove_peer(s, "fixed", live);
    ASSERT_FALSE(inline_peer.ok());
    EXPECT_NE(inline_peer.error().message.find("declared in the profile"), std::string::npos);
}

TEST(PeerLive, RemoveFailureRestoresElementsAndState) {
    TempDir tmp;
    FakeLive live;
    auto s = open(tmp.path());
    ASSERT_TRUE(add(s, "alice", live).ok());
    const std::string before = stored_text(tmp.path());
    live.fail_remove = true;
    live.element_calls.clear();
    auto r = remove_peer(s, "alice", live);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("the peer was kept"), std::string::npos) << r.error().message;
    ASSERT_EQ(live.element_calls.size(), 2u);  // removed, then put back
    EXPECT_EQ(live.element_calls[1][0].op, nft::ElementChange::Op::add);
    EXPECT_EQ(live.element_calls[1][0].jump_chain, "grp_staff");
    EXPECT_EQ(stored_text(tmp.path()), before);
    EXPECT_TRUE(exists(tmp / "clients/alice.conf"));
}

TEST(PeerLive, ListShowsSourcesAddressesAndKernelFigures) {
    TempDir tmp;
    FakeLive live;
    live.up = false;
    auto s = open(tmp.path());
    auto a = add(s, "alice", live);
    ASSERT_TRUE(a.ok());
    live.up = true;
    wg::ObservedPeer op;
    op.public_key = a->peer.public_key;
    op.last_handshake_sec = 1700000000;
    op.rx_bytes = 1234;
    op.tx_bytes = 5678;
    live.device.peers.push_back(op);

    auto listed = list_peers(s, live);
    ASSERT_TRUE(listed.ok()) << listed.error().str();
    const auto& listing = *listed;
    ASSERT_EQ(listing.peers.size(), 3u);
    EXPECT_EQ(listing.peers[0].name, "fixed");
    EXPECT_EQ(listing.peers[0].source, PeerListEntry::Source::profile);
    EXPECT_EQ(listing.peers[1].name, "auto");
    EXPECT_EQ(listing.peers[1].address, ip("10.77.1.1"));  // allocated by the plan
    EXPECT_FALSE(listing.peers[1].stats.has_value());      // not in the device
    const auto& alice = listing.peers[2];
    EXPECT_EQ(alice.source, PeerListEntry::Source::state);
    EXPECT_EQ(alice.interface, "vpngwpt0");
    EXPECT_EQ(alice.address6, ip("fd77:0:0:1::3"));
    ASSERT_TRUE(alice.stats.has_value());
    EXPECT_EQ(alice.stats->last_handshake_sec, 1700000000);
    EXPECT_EQ(alice.stats->rx_bytes, 1234u);
    EXPECT_EQ(alice.stats->tx_bytes, 5678u);

    live.up = false;
    auto listed_down = list_peers(s, live);
    ASSERT_TRUE(listed_down.ok());
    const auto& down = *listed_down;
    EXPECT_FALSE(down.peers[2].stats.has_value());
    ASSERT_EQ(down.notes.size(), 1u);
    EXPECT_NE(down.notes[0].find("vpngwpt0 is not up"), std::string::npos);
}

TEST(PeerLive, ShowRefusesProfilePeersAndUnknownNames) {
    TempDir tmp;
    auto s = open(tmp.path());
    auto p = stored_client_config(s, "fixed");
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find("declared in the profile"), std::string::npos);
    EXPECT_FALSE(stored_client_config(s, "ghost").ok());
}

}  // namespace
}  // namespace vpngw::gateway::test
