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

model::Peer plain_branch() {
    model::Peer p;
    p.name = "branch";
    p.group = "sites";
    p.public_key = *PublicKey::from_base64("3+2ztO9TJKFw3+6zW4JEVl2GvoU/4Afbp2dcPpWAk08=");
    p.address = IpAddress::parse("10.8.3.10");
    return p;
}

model::Peer branch() {
    auto p = plain_branch();
    p.networks = {*Prefix::parse("192.168.50.0/24")};
    p.quota = model::Quota{10 * 1024 * 1024, model::QuotaPeriod::day};
    p.rate_bits = 20'000'000;
    return p;
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(PeerLimitsLive, AddRoutesTheNetworkAndAddsObjectsBeforeElements) {
    FakeLive live;
    auto r = apply_added_peer(live, wg0(), branch(), std::nullopt);
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
    // The first limited peer brings the rules that enforce it (a table
    // without limited peers has none), in the same transaction.
    EXPECT_EQ(cmds.find("create chain inet vpngw rate_quota\n"), 0u) << cmds;
    EXPECT_TRUE(has(cmds, "insert rule inet vpngw forward jump rate_quota\n")) << cmds;
    EXPECT_NE(r->note.find("3 quota, rate or network items"), std::string::npos) << r->note;
}

TEST(PeerLimitsLive, AnotherLimitedPeerAddsElementsToTheChainThere) {
    FakeLive live;
    live.limits_chain = true;
    auto r = apply_added_peer(live, wg0(), branch(), std::nullopt);
    ASSERT_TRUE(r.ok()) << r.error().str();
    ASSERT_EQ(live.nft_calls.size(), 2u);  // refused whole, then the elements alone
    const auto& cmds = live.nft_calls[1];
    EXPECT_EQ(cmds.find("create chain"), std::string::npos) << cmds;
    EXPECT_TRUE(has(cmds, "add element inet vpngw quota4 { 10.8.3.10 : \"q_branch\" }")) << cmds;
}

TEST(PeerLimitsLive, NetworksAloneNeedNoLimitsChain) {
    FakeLive live;
    auto p = branch();
    p.quota.reset();
    p.rate_bits.reset();
    auto r = apply_added_peer(live, wg0(), p, std::nullopt);
    ASSERT_TRUE(r.ok()) << r.error().str();
    ASSERT_EQ(live.nft_calls.size(), 1u);
    EXPECT_EQ(live.nft_calls[0].find("rate_quota"), std::string::npos) << live.nft_calls[0];
}

TEST(PeerLimitsLive, RemoveDeletesElementsBeforeObjectsAndTheRoute) {
    FakeLive live;
    auto r = apply_removed_peer(live, wg0(), branch());
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

TEST(PeerLimitsLive, RemovingADisabledPeerStillClearsWhatIsLeft) {
    FakeLive live;
    auto p = branch();
    p.disabled = true;
    auto r = apply_removed_peer(live, wg0(), p);
    ASSERT_TRUE(r.ok()) << r.error().str();
    ASSERT_FALSE(live.nft_calls.empty());
    EXPECT_TRUE(has(live.nft_calls[0], "delete quota inet vpngw q_branch")) << live.nft_calls[0];
}

TEST(PeerLimitsLive, PeersWithoutLimitsTouchNoLimits) {
    FakeLive live;
    auto r = apply_added_peer(live, wg0(), plain_branch(), std::nullopt);
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
