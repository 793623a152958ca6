#include "plan/desired.hpp"

#include <gtest/gtest.h>

#include "support/fixtures.hpp"

namespace vpngw::plan {
namespace {

using testing::ip;
using testing::pfx;

TEST(Desired, LinksAndAddressesPerInterface) {
    auto p = testing::minimal();
    p.interfaces[0].mtu = 1380;
    p.interfaces[0].origin.table = Location{"p.toml", 7, 1};
    p.interfaces.push_back(testing::interface("wg1", {"10.10.0.1/24", "fd10::1/64"}, 51821));
    auto s = desired_state(p);
    ASSERT_EQ(s.links.size(), 2u);
    EXPECT_EQ(s.links[0], (state::Link{"wg0", "wireguard", 1380, true, {}}));
    EXPECT_EQ(s.links[0].origin.line, 7);
    EXPECT_EQ(s.links[1].name, "wg1");
    ASSERT_EQ(s.addresses.size(), 3u);
    EXPECT_EQ(s.addresses[0], (state::Address{"wg0", pfx("10.9.0.1/24"), {}}));
    EXPECT_EQ(s.addresses[2], (state::Address{"wg1", pfx("fd10::1/64"), {}}));
}

TEST(Desired, NoUplinksMeansNoRoutesRulesOrMarks) {
    auto s = desired_state(testing::minimal());
    EXPECT_TRUE(s.routes.empty());
    EXPECT_TRUE(s.rules.empty());
    ASSERT_EQ(s.sysctls.size(), 1u);
    EXPECT_EQ(s.sysctls[0], (state::Sysctl{"net.ipv4.ip_forward", "1"}));
}

TEST(Desired, UplinkTablesRoutesAndRules) {
    auto s = desired_state(testing::office());
    // wan0 v4 only; wan1 v4 and v6.
    ASSERT_EQ(s.routes.size(), 3u);
    EXPECT_EQ(s.routes[0],
              (state::Route{51001, pfx("0.0.0.0/0"), ip("203.0.113.1"), "eth0", 0, {}, {}}));
    EXPECT_EQ(s.routes[1],
              (state::Route{51002, pfx("0.0.0.0/0"), ip("198.51.100.1"), "eth1", 0, {}, {}}));
    EXPECT_EQ(s.routes[2],
              (state::Route{51002, pfx("::/0"), ip("2001:db8:1::1"), "eth1", 0, {}, {}}));

    ASSERT_EQ(s.rules.size(), 5u);
    const auto& main4 = s.rules[0];
    EXPECT_EQ(main4.family, Family::v4);
    EXPECT_EQ(main4.priority, 5000u);
    EXPECT_EQ(main4.table, 254u);
    EXPECT_EQ(main4.suppress_prefixlength, 0);
    EXPECT_FALSE(main4.fwmark);
    EXPECT_EQ(s.rules[1].priority, 5100u);
    EXPECT_EQ(s.rules[1].fwmark, 0x51001u);
    EXPECT_EQ(s.rules[1].table, 51001u);
    EXPECT_EQ(s.rules[2].priority, 5101u);
    EXPECT_EQ(s.rules[2].fwmark, 0x51002u);
    EXPECT_EQ(s.rules[3].family, Family::v6);
    EXPECT_EQ(s.rules[3].priority, 5000u);
    // wan1 keeps its priority 5101 in v6 even though wan0 has no v6 rule.
    EXPECT_EQ(s.rules[4].family, Family::v6);
    EXPECT_EQ(s.rules[4].priority, 5101u);
    EXPECT_EQ(s.rules[4].table, 51002u);
    for (const auto& r : s.rules) {
        EXPECT_GE(r.priority, state::kRulePriorityFirst);
        EXPECT_LE(r.priority, state::kRulePriorityLast);
    }
}

TEST(Desired, UplinkWithoutGatewayHasNoRouteOrRule) {
    auto p = testing::minimal();
    p.uplinks.push_back(testing::uplink("wan0", "eth0", nullptr, 51001, 0x51001));
    auto s = desired_state(p);
    EXPECT_TRUE(s.routes.empty());
    EXPECT_TRUE(s.rules.empty());
}

TEST(Desired, Sysctls) {
    auto s = desired_state(testing::office());
    std::vector<std::string> got;
    for (const auto& c : s.sysctls) got.push_back(c.key + "=" + c.value);
    EXPECT_EQ(got, (std::vector<std::string>{
                       "net.ipv4.conf.all.rp_filter=2", "net.ipv4.conf.all.src_valid_mark=1",
                       "net.ipv4.fwmark_reflect=1", "net.ipv4.ip_forward=1",
                       "net.ipv4.tcp_fwmark_accept=1", "net.ipv6.conf.all.forwarding=1",
                       "net.ipv6.fwmark_reflect=1"}));

    auto one = testing::minimal();
    one.uplinks.push_back(testing::uplink("wan0", "eth0", "192.0.2.1", 51001, 0x51001));
    got.clear();
    for (const auto& c : desired_state(one).sysctls) got.push_back(c.key + "=" + c.value);
    // One uplink: rp_filter stays as the system has it.
    EXPECT_EQ(got, (std::vector<std::string>{"net.ipv4.conf.all.src_valid_mark=1",
                                             "net.ipv4.fwmark_reflect=1", "net.ipv4.ip_forward=1",
                                             "net.ipv4.tcp_fwmark_accept=1"}));
}

TEST(Desired, WireGuardDevicePeersSortedByPublicKey) {
    auto p = testing::office();
    p.gateway.state_dir = "/srv/vpngw/";
    p.interfaces[0].fwmark = 0x77;
    p.interfaces[0].backend = model::Backend::userspace;
    auto s = desired_state(p);
    ASSERT_EQ(s.wireguard.size(), 1u);
    const auto& d = s.wireguard[0];
    EXPECT_EQ(d.ifname, "wg0");
    EXPECT_EQ(d.listen_port, 51820);
    EXPECT_EQ(d.fwmark, 0x77u);
    EXPECT_EQ(d.backend, model::Backend::userspace);
    EXPECT_EQ(d.private_key_file, "/srv/vpngw/wg0.key");
    ASSERT_EQ(d.peers.size(), 4u);
    for (std::size_t i = 1; i < d.peers.size(); ++i)
        EXPECT_LT(d.peers[i - 1].public_key, d.peers[i].public_key);
    auto find = [&](const std::string& name) {
        for (const auto& peer : d.peers)
            if (peer.name == name) return peer;
        ADD_FAILURE() << "no peer " << name;
        return state::WgPeer{};
    };
    // alice: first allocated (bob fixed .5), paired v4/v6; keepalive 25.
    auto alice = find("alice");
    EXPECT_EQ(alice.allowed_ips,
              (std::vector<Prefix>{pfx("10.8.1.1/32"), pfx("fd08:0:0:1::1/128")}));
    EXPECT_EQ(alice.keepalive, 25);
    auto bob = find("bob");
    EXPECT_EQ(bob.allowed_ips, (std::vector<Prefix>{pfx("10.8.1.5/32"), pfx("fd08:0:0:1::5/128")}));
    EXPECT_EQ(bob.preshared_key_file, "/etc/vpngw/bob.psk");
    EXPECT_EQ(bob.keepalive, 0);
    EXPECT_EQ(find("web").allowed_ips, (std::vector<Prefix>{pfx("10.8.2.10/32")}));
    EXPECT_EQ(find("carol").allowed_ips,
              (std::vector<Prefix>{pfx("10.8.1.2/32"), pfx("fd08:0:0:1::2/128")}));
}

TEST(Desired, PeersGoToTheirGroupsInterface) {
    auto p = testing::minimal();
    p.interfaces.push_back(testing::interface("wg1", {"10.10.0.1/24"}, 51821));
    p.interfaces.back().private_key_file = "/etc/wg1.key";
    p.groups.push_back(testing::group("other", "wg1", "10.10.0.0/24"));
    p.peers.push_back(testing::peer("remote", "other", 30));
    auto s = desired_state(p);
    ASSERT_EQ(s.wireguard.size(), 2u);
    EXPECT_EQ(s.wireguard[0].private_key_file, "/var/lib/vpngw/wg0.key");
    EXPECT_EQ(s.wireguard[0].peers.size(), 2u);
    EXPECT_EQ(s.wireguard[1].private_key_file, "/etc/wg1.key");
    ASSERT_EQ(s.wireguard[1].peers.size(), 1u);
    EXPECT_EQ(s.wireguard[1].peers[0].name, "remote");
    EXPECT_EQ(s.wireguard[1].peers[0].allowed_ips, (std::vector<Prefix>{pfx("10.10.0.2/32")}));
}

TEST(Desired, CheckedVariantReportsAFullSubnet) {
    auto p = testing::minimal();
    p.groups[0].subnet = pfx("10.9.0.0/30");  // .1 is the interface: one address left
    auto r = desired_state_checked(p);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("group \"all\" is full"), std::string::npos);
    // The unchecked variant still plans the peer that fitted.
    auto s = desired_state(p);
    ASSERT_EQ(s.wireguard[0].peers.size(), 2u);
    std::size_t with_address = 0;
    for (const auto& peer : s.wireguard[0].peers) with_address += peer.allowed_ips.size();
    EXPECT_EQ(with_address, 1u);
    EXPECT_TRUE(desired_state_checked(testing::office()).ok());
}

TEST(Desired, RulesetIsPartOfTheState) {
    auto p = testing::minimal();
    auto s = desired_state(p);
    EXPECT_NE(s.nft_ruleset.find("table inet vpngw {"), std::string::npos);
}

}  // namespace
}  // namespace vpngw::plan
