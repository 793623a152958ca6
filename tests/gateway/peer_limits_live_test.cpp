// A peer's limits (issue 17) applied live against a fake gateway: the
// network in its allowed-ips and routed, its quota and rate objects and map
// elements added in one netlink batch, its network elements in one nft
// transaction, and removed again in reverse order.

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

const nft::ObjectChange* find_object(const std::vector<nft::ObjectChange>& objects,
                                     const std::string& name) {
    for (const auto& o : objects)
        if (o.name == name) return &o;
    return nullptr;
}

const nft::ElementChange* find_element(const std::vector<nft::ElementChange>& elements,
                                       const std::string& set) {
    for (const auto& e : elements)
        if (e.set == set) return &e;
    return nullptr;
}

TEST(PeerLimitsLive, AddRoutesTheNetworkAndAddsObjectsWithTheirElements) {
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
    // The quota and rate objects and the map elements naming them: one
    // netlink batch (the objects go in first: nft/write/elements.hpp).
    ASSERT_EQ(live.object_calls.size(), 1u);
    const auto& [objects, elements] = live.object_calls[0];
    ASSERT_EQ(objects.size(), 3u);
    const auto* quota = find_object(objects, "q_branch");
    ASSERT_NE(quota, nullptr);
    EXPECT_EQ(quota->kind, nft::ObjectChange::Kind::quota);
    EXPECT_EQ(quota->op, nft::ElementChange::Op::add);
    EXPECT_EQ(quota->bytes, 10u * 1024 * 1024);
    const auto* up = find_object(objects, "r_branch_up");
    ASSERT_NE(up, nullptr);
    EXPECT_EQ(up->kind, nft::ObjectChange::Kind::limit);
    EXPECT_EQ(up->bytes, 2'500'000u);  // what `up` renders: plan::nft::rate_body
    EXPECT_EQ(up->burst, 250'000u);
    ASSERT_NE(find_object(objects, "r_branch_dn"), nullptr);
    ASSERT_EQ(elements.size(), 3u);
    const auto* q4 = find_element(elements, "quota4");
    ASSERT_NE(q4, nullptr);
    EXPECT_EQ(q4->key, *IpAddress::parse("10.8.3.10"));
    EXPECT_EQ(q4->object, "q_branch");
    ASSERT_NE(find_element(elements, "rate_up4"), nullptr);
    EXPECT_EQ(find_element(elements, "rate_up4")->object, "r_branch_up");
    EXPECT_EQ(find_element(elements, "rate_down4")->object, "r_branch_dn");
    // The first limited peer brings the rules that enforce it (a table
    // without limited peers has none): the probe creates the chain, then
    // its rules; then the networks, in their own nft transaction.
    ASSERT_EQ(live.nft_calls.size(), 3u);
    EXPECT_EQ(live.nft_calls[0], "create chain inet vpngw rate_quota\n");
    EXPECT_TRUE(has(live.nft_calls[1], "insert rule inet vpngw forward jump rate_quota\n"))
        << live.nft_calls[1];
    const auto& nets = live.nft_calls[2];
    EXPECT_TRUE(has(nets, "add element inet vpngw grp_sites_net4 { 192.168.50.0/24 }")) << nets;
    EXPECT_TRUE(has(nets, "add element inet vpngw peer_nets4 { 192.168.50.0/24 : jump grp_sites }"))
        << nets;
    EXPECT_FALSE(has(nets, "quota")) << nets;
    EXPECT_NE(r->note.find("3 quota, rate or network items"), std::string::npos) << r->note;
}

TEST(PeerLimitsLive, AnotherLimitedPeerLeavesTheChainThereAlone) {
    FakeLive live;
    live.limits_chain = true;
    auto p = branch();
    p.networks.clear();
    auto r = apply_added_peer(live, wg0(), p, std::nullopt);
    ASSERT_TRUE(r.ok()) << r.error().str();
    // The probe is refused ("File exists"); the rules, which would make nft
    // fetch every quota and limit object of the table, are not sent.
    ASSERT_EQ(live.nft_calls.size(), 1u);
    EXPECT_EQ(live.nft_calls[0], "create chain inet vpngw rate_quota\n");
    ASSERT_EQ(live.object_calls.size(), 1u);
    EXPECT_EQ(live.object_calls[0].first.size(), 3u);
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
    EXPECT_TRUE(live.object_calls.empty());
}

TEST(PeerLimitsLive, FailedNetworksTakeTheQuotaAndRateOutAgain) {
    FakeLive live;
    live.limits_chain = true;
    live.fail_nft_elements = true;
    auto r = apply_added_peer(live, wg0(), branch(), std::nullopt);
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(live.object_calls.size(), 2u);  // added, then removed
    for (const auto& o : live.object_calls[1].first)
        EXPECT_EQ(o.op, nft::ElementChange::Op::remove) << o.name;
    EXPECT_EQ(live.object_calls[1].second.size(), 3u);
    ASSERT_EQ(live.remove_calls.size(), 1u);  // and the WireGuard peer
    ASSERT_EQ(live.route_calls.size(), 2u);   // routed, then unrouted
    EXPECT_FALSE(live.route_calls[1].second);
}

TEST(PeerLimitsLive, RemoveDeletesElementsBeforeObjectsAndTheRoute) {
    FakeLive live;
    auto r = apply_removed_peer(live, wg0(), branch());
    ASSERT_TRUE(r.ok()) << r.error().str();
    ASSERT_EQ(live.object_calls.size(), 1u);
    const auto& [objects, elements] = live.object_calls[0];
    ASSERT_EQ(objects.size(), 3u);
    for (const auto& o : objects) EXPECT_EQ(o.op, nft::ElementChange::Op::remove) << o.name;
    ASSERT_NE(find_element(elements, "quota4"), nullptr);
    EXPECT_EQ(find_element(elements, "quota4")->op, nft::ElementChange::Op::remove);
    ASSERT_EQ(live.nft_calls.size(), 1u);
    EXPECT_TRUE(has(live.nft_calls[0], "delete element inet vpngw peer_nets4 { 192.168.50.0/24 }"))
        << live.nft_calls[0];
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
    ASSERT_FALSE(live.object_calls.empty());
    EXPECT_NE(find_object(live.object_calls[0].first, "q_branch"), nullptr);
}

TEST(PeerLimitsLive, PeersWithoutLimitsTouchNoLimits) {
    FakeLive live;
    auto r = apply_added_peer(live, wg0(), plain_branch(), std::nullopt);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(live.nft_calls.empty());
    EXPECT_TRUE(live.object_calls.empty());
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
