// A peer's limits (issue 17) applied live against a fake gateway: the
// network in its allowed-ips and routed, its quota and rate objects and map
// elements added in one nft transaction, and removed again in reverse order.

#include <gtest/gtest.h>

#include "gateway/peers_apply.hpp"
#include "plan/peer_limits.hpp"
#include "support/peer_session.hpp"

namespace vpngw::gateway::test {
namespace {

model::Interface wg0() {
    model::Interface i;
    i.name = "wg0";
    return i;
}

store::StoredPeer stored_branch() {
    store::StoredPeer p;
    p.name = "branch";
    p.group = "sites";
    p.public_key = PublicKey::from_base64("3+2ztO9TJKFw3+6zW4JEVl2GvoU/4Afbp2dcPpWAk08=").value();
    p.address = IpAddress::parse("10.8.3.10");
    return p;
}

state::PeerLimits branch_limits() {
    model::Peer peer;
    peer.name = "branch";
    peer.group = "sites";
    peer.address = IpAddress::parse("10.8.3.10");
    peer.networks = {*Prefix::parse("192.168.50.0/24")};
    peer.quota = model::Quota{10 * 1024 * 1024, model::QuotaPeriod::day};
    peer.rate_bits = 20'000'000;
    return *plan::live_peer_limits(peer, "wg0");
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(PeerLimitsLive, AddRoutesTheNetworkAndAddsObjectsBeforeElements) {
    FakeLive live;
    auto r = apply_added_peer(live, wg0(), stored_branch(), std::nullopt, branch_limits());
    ASSERT_TRUE(r.ok()) << r.error().str();
    ASSERT_EQ(live.set_calls.size(), 1u);
    const auto& ips = live.set_calls[0].allowed_ips;
    EXPECT_NE(std::find(ips.begin(), ips.end(), *Prefix::parse("192.168.50.0/24")), ips.end());
    ASSERT_EQ(live.route_calls.size(), 1u);
    EXPECT_TRUE(live.route_calls[0].second);
    EXPECT_EQ(live.route_calls[0].first.dst, *Prefix::parse("192.168.50.0/24"));
    EXPECT_EQ(live.route_calls[0].first.dev, "wg0");
    ASSERT_EQ(live.nft_calls.size(), 1u);  // one transaction
    const auto& cmds = live.nft_calls[0];
    EXPECT_TRUE(has(cmds, "add quota inet vpngw q_branch { over 10485760 bytes; }")) << cmds;
    EXPECT_TRUE(has(cmds, "add limit inet vpngw r_branch_up { rate over 2500000 bytes/second"))
        << cmds;
    EXPECT_TRUE(has(cmds, "add element inet vpngw quota4 { 10.8.3.10 : \"q_branch\" }")) << cmds;
    EXPECT_TRUE(has(cmds, "add element inet vpngw grp_sites_net4 { 192.168.50.0/24 }")) << cmds;
    EXPECT_TRUE(has(cmds, "add element inet vpngw peer_nets4 { 192.168.50.0/24 : jump grp_sites }"))
        << cmds;
    EXPECT_LT(cmds.find("add quota"), cmds.find("add element inet vpngw quota4")) << cmds;
    EXPECT_NE(r->note.find("3 quota, rate or network items"), std::string::npos) << r->note;
}

TEST(PeerLimitsLive, RemoveDeletesElementsBeforeObjectsAndTheRoute) {
    FakeLive live;
    auto r = apply_removed_peer(live, wg0(), stored_branch(), branch_limits());
    ASSERT_TRUE(r.ok()) << r.error().str();
    ASSERT_EQ(live.nft_calls.size(), 1u);
    const auto& cmds = live.nft_calls[0];
    EXPECT_TRUE(has(cmds, "delete element inet vpngw quota4 { 10.8.3.10 }")) << cmds;
    EXPECT_TRUE(has(cmds, "delete quota inet vpngw q_branch\n")) << cmds;
    EXPECT_LT(cmds.find("delete element inet vpngw quota4"), cmds.find("delete quota")) << cmds;
    ASSERT_EQ(live.route_calls.size(), 1u);
    EXPECT_FALSE(live.route_calls[0].second);
    ASSERT_EQ(live.remove_calls.size(), 1u);
}

TEST(PeerLimitsLive, PeersWithoutLimitsTouchNoLimits) {
    FakeLive live;
    auto r = apply_added_peer(live, wg0(), stored_branch(), std::nullopt, std::nullopt);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(live.nft_calls.empty());
    EXPECT_TRUE(live.route_calls.empty());
    model::Peer plain;
    plain.name = "p";
    EXPECT_FALSE(plan::live_peer_limits(plain, "wg0").has_value());
    model::Peer disabled = plain;
    disabled.rate_bits = 8000;
    disabled.disabled = true;
    EXPECT_FALSE(plan::live_peer_limits(disabled, "wg0").has_value());
}

}  // namespace
}  // namespace vpngw::gateway::test
