// Issue 17 in the plan: disabled peers out of the kernel (address kept),
// networks behind a peer everywhere its group's subnet is, quota and rate
// maps that hold only the peers that have them, and quota period resets.

#include "plan/peer_limits.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "clientconf/client_config.hpp"
#include "plan/allocate.hpp"
#include "plan/desired.hpp"
#include "plan/nft_parts.hpp"
#include "plan/nft_ruleset.hpp"
#include "plan/quota_periods.hpp"
#include "plan/ruleset_hash.hpp"
#include "support/fixtures.hpp"

namespace vpngw::plan {
namespace {

using testing::ip;
using testing::pfx;

std::string block(const std::string& text, const std::string& header) {
    auto start = text.find("\t" + header + " {\n");
    if (start == std::string::npos) return "";
    auto end = text.find("\n\t}\n", start);
    return text.substr(start, end + 4 - start);
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

model::Peer* find(model::Profile& p, const std::string& name) {
    for (auto& peer : p.peers)
        if (peer.name == name) return &peer;
    return nullptr;
}

const state::WgPeer* wg_peer(const state::KernelState& s, const std::string& name) {
    for (const auto& d : s.wireguard)
        for (const auto& p : d.peers)
            if (p.name == name) return &p;
    return nullptr;
}

TEST(DisabledPeer, LeavesTheKernelButKeepsItsAddress) {
    auto p = testing::office();
    const auto before = assign_addresses(p).peers;
    find(p, "alice")->disabled = true;
    const auto after = assign_addresses(p).peers;
    ASSERT_EQ(before.size(), after.size());
    for (std::size_t i = 0; i < before.size(); ++i) EXPECT_EQ(before[i].v4, after[i].v4);

    const auto s = desired_state(p);
    EXPECT_EQ(wg_peer(s, "alice"), nullptr);
    EXPECT_NE(wg_peer(s, "carol"), nullptr);
    const auto alice4 = before[0].v4->str();
    const auto peers4 = block(render_nft_ruleset(p), "set peers4");
    EXPECT_FALSE(contains(peers4, alice4 + ",") || contains(peers4, alice4 + "\n")) << peers4;
    EXPECT_TRUE(contains(peers4, "10.8.1.5")) << peers4;
}

TEST(DisabledPeer, ExpiryDisables) {
    auto p = testing::office();
    const auto now = std::chrono::sys_seconds{std::chrono::seconds{2'000'000'000}};
    find(p, "alice")->expires = now;
    find(p, "bob")->expires = now + std::chrono::seconds{1};
    EXPECT_EQ(disable_expired(p.peers, now), 1u);
    EXPECT_TRUE(find(p, "alice")->disabled);
    EXPECT_FALSE(find(p, "bob")->disabled);
}

model::Profile with_branch() {
    auto p = testing::office();
    auto branch = testing::peer("branch", "servers", 9);
    branch.address = ip("10.8.2.20");
    branch.networks = {pfx("192.168.50.0/24"), pfx("fd50::/64")};
    p.peers.push_back(branch);
    return p;
}

TEST(PeerNetworks, RoutedAllowedAndPartOfTheGroup) {
    auto p = with_branch();
    const auto s = desired_state(p);
    const auto* w = wg_peer(s, "branch");
    ASSERT_NE(w, nullptr);
    EXPECT_NE(std::find(w->allowed_ips.begin(), w->allowed_ips.end(), pfx("192.168.50.0/24")),
              w->allowed_ips.end());
    EXPECT_TRUE(std::any_of(s.routes.begin(), s.routes.end(), [](const state::Route& r) {
        return r.dst == pfx("192.168.50.0/24") && r.dev == "wg0" && r.table == 254;
    }));
    const auto text = render_nft_ruleset(p);
    EXPECT_TRUE(contains(block(text, "set grp_servers_net4"), "192.168.50.0/24"));
    EXPECT_TRUE(contains(block(text, "set vpn_sources4"), "192.168.50.0/24"));
    EXPECT_TRUE(contains(block(text, "set vpn_nets4"), "192.168.50.0/24"));
    EXPECT_TRUE(contains(block(text, "map egress4"), "192.168.50.0/24 : 0x00051001"));
    EXPECT_TRUE(contains(block(text, "map peer_nets4"), "192.168.50.0/24 : jump grp_servers"));
    EXPECT_TRUE(
        contains(block(text, "chain forward"), "iifname \"wg0\" ip saddr vmap @peer_nets4"));
    // The servers group has no IPv6 subnet: the loader refuses fd50::/64
    // there; the plan keeps it out of sets that do not exist.
    EXPECT_FALSE(contains(text, "set grp_servers_net6"));
}

TEST(PeerNetworks, PeersWithNetworksAreNotPeerElements) {
    auto p = with_branch();
    const auto peers4 = block(render_nft_ruleset(p), "set peers4");
    EXPECT_TRUE(contains(peers4, "10.8.2.20"));
    EXPECT_FALSE(contains(peers4, "192.168.50.0")) << peers4;
}

TEST(PeerNetworks, InOtherGroupsSplitTunnelWhenAllowed) {
    auto p = with_branch();
    auto& staff = p.groups[0];
    staff.tunnel = model::Tunnel::split;
    staff.allow = {testing::allow("group:servers")};
    auto ips = clientconf::client_allowed_ips(staff, p.interfaces[0], p);
    ASSERT_TRUE(ips.ok());
    EXPECT_NE(std::find(ips->begin(), ips->end(), pfx("192.168.50.0/24")), ips->end());
    staff.allow = {};  // no longer allowed to reach servers
    ips = clientconf::client_allowed_ips(staff, p.interfaces[0], p);
    ASSERT_TRUE(ips.ok());
    EXPECT_EQ(std::find(ips->begin(), ips->end(), pfx("192.168.50.0/24")), ips->end());
    // Never the client's own network.
    auto& servers = p.groups[1];
    servers.tunnel = model::Tunnel::split;
    servers.allow.push_back(testing::allow("group:servers"));
    ips = clientconf::client_allowed_ips(servers, p.interfaces[0], p, "branch");
    ASSERT_TRUE(ips.ok());
    EXPECT_EQ(std::find(ips->begin(), ips->end(), pfx("192.168.50.0/24")), ips->end());
}

TEST(PeerLimitsNft, MapsHoldOnlyLimitedPeers) {
    auto p = testing::office();
    find(p, "bob")->quota = model::Quota{10 * 1024 * 1024, model::QuotaPeriod::day};
    find(p, "bob")->rate_bits = 20'000'000;
    const auto text = render_nft_ruleset(p);
    EXPECT_TRUE(contains(block(text, "quota q_bob"), "over 10485760 bytes"));
    EXPECT_TRUE(contains(block(text, "limit r_bob_up"), "rate over 2500000 bytes/second"));
    EXPECT_TRUE(contains(block(text, "limit r_bob_dn"), "rate over 2500000 bytes/second"));
    const auto quota4 = block(text, "map quota4");
    EXPECT_TRUE(contains(quota4, "10.8.1.5 : \"q_bob\"")) << quota4;
    EXPECT_EQ(std::count(quota4.begin(), quota4.end(), ':'), 2) << quota4;  // type + bob
    const auto forward = block(text, "chain forward");
    const auto limits = block(text, "chain rate_quota");
    const auto rate_rule =
        limits.find("limit name ip saddr map @rate_up4 counter name rate_drops drop");
    const auto quota_rule =
        limits.find("quota name ip daddr map @quota4 counter name quota_drops drop");
    ASSERT_NE(rate_rule, std::string::npos) << limits;
    ASSERT_NE(quota_rule, std::string::npos) << limits;
    // A rate drop first.
    EXPECT_LT(rate_rule, quota_rule);
    // Every packet is counted, established ones too: the jump is forward's
    // first rule.
    const auto first_rule = forward.find("\t\t", forward.find("policy"));
    EXPECT_EQ(forward.find("\t\tjump rate_quota\n"), first_rule) << forward;
}

// Without a quota or a rate anywhere, no packet pays for them: no chain, no
// jump (the maps stay, empty, for the first limited peer added live).
TEST(PeerLimitsNft, NoLimitRulesWithoutALimitedPeer) {
    auto p = testing::office();
    const auto text = render_nft_ruleset(p);
    EXPECT_EQ(text.find("chain rate_quota"), std::string::npos) << text;
    EXPECT_EQ(text.find("jump rate_quota"), std::string::npos) << text;
    EXPECT_NE(text.find("map quota4"), std::string::npos) << text;
    EXPECT_NE(text.find("map rate_up4"), std::string::npos) << text;
}

TEST(PeerLimitsNft, LimitsArePartOfTheRulesHash) {
    auto p = testing::office();
    const auto plain = ruleset_hash(p);
    find(p, "bob")->rate_bits = 20'000'000;
    const auto limited = ruleset_hash(p);
    EXPECT_NE(plain, limited);
    // The same whether derived from the profile or given as planned.
    EXPECT_EQ(limited, ruleset_hash(p, desired_state(p).peer_limits));
}

TEST(QuotaPeriods, DueOnlyWhenAPeriodStartedInBetween) {
    auto p = testing::office();
    find(p, "alice")->quota = model::Quota{1, model::QuotaPeriod::day};
    find(p, "bob")->quota = model::Quota{1, model::QuotaPeriod::month};
    find(p, "carol")->quota = model::Quota{1, model::QuotaPeriod::day};
    find(p, "carol")->disabled = true;
    using std::chrono::sys_days;
    using namespace std::chrono;
    const sys_seconds jan31_23h = sys_days{year{2027} / 1 / 31} + hours{23};
    const sys_seconds feb1_0h01 = sys_days{year{2027} / 2 / 1} + minutes{1};
    const sys_seconds feb1_0h02 = feb1_0h01 + minutes{1};
    EXPECT_EQ(quotas_due(p.peers, jan31_23h, feb1_0h01),
              (std::vector<std::string>{"q_alice", "q_bob"}));
    EXPECT_TRUE(quotas_due(p.peers, feb1_0h01, feb1_0h02).empty());
    const sys_seconds feb2_0h00 = sys_days{year{2027} / 2 / 2};
    EXPECT_EQ(quotas_due(p.peers, feb1_0h02, feb2_0h00), (std::vector<std::string>{"q_alice"}));
}

}  // namespace
}  // namespace vpngw::plan
