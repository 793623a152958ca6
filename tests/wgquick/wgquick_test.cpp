// `vpngw import/export wg-quick` without I/O: parsing real-world configs
// (comments, repeated and multi-valued AllowedIPs, PSKs, IPv6), translating
// them to a profile that loads, and rendering them back.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "wgquick/config.hpp"
#include "wgquick/translate.hpp"

namespace vpngw::wgquick {
namespace {

std::string fixture() {
    std::ifstream in(std::string(VPNGW_SOURCE_DIR) + "/tests/wgquick/fixtures/server.conf");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(WgQuickParse, ReadsInterfaceAndPeers) {
    auto c = parse(fixture(), "server.conf");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->listen_port, 51821);
    ASSERT_EQ(c->addresses.size(), 2u);
    EXPECT_EQ(c->addresses[1].str(), "fd70::1/64");
    EXPECT_EQ(c->mtu, 1420);
    EXPECT_EQ(c->hooks.size(), 2u);
    EXPECT_TRUE(c->private_key.has_value());
    ASSERT_EQ(c->peers.size(), 3u);
    EXPECT_EQ(c->peers[0].comment_name, "alice");
    EXPECT_TRUE(c->peers[0].preshared_key.has_value());
    ASSERT_EQ(c->peers[0].allowed_ips.size(), 2u) << "repeated AllowedIPs lines add up";
    EXPECT_EQ(c->peers[1].comment_name, "bob's laptop");
    EXPECT_EQ(c->peers[1].allowed_ips.size(), 3u);
    EXPECT_EQ(c->peers[1].keepalive, 25);
    EXPECT_EQ(c->peers[2].comment_name, "carol");
}

TEST(WgQuickParse, ErrorsNameFileAndLine) {
    auto c = parse("[Interface]\nListenPort = many\n", "x.conf");
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().message, "x.conf:2: invalid ListenPort \"many\"");
    auto d = parse("[Interface]\n[Peer]\nAllowedIPs = 10.0.0.2/32\n", "y.conf");
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().message, "y.conf:2: [Peer] without PublicKey");
}

TEST(WgQuickTranslate, ProfileKeepsTheWireGuardSideAndListsTheRest) {
    auto c = parse(fixture(), "server.conf");
    ASSERT_TRUE(c);
    auto in = translate(*c, {"/etc/wireguard/wg0.conf", "wg0", "/var/lib/vpngw"});
    ASSERT_EQ(in.peers.size(), 3u);
    EXPECT_EQ(in.peers[0].name, "alice");
    EXPECT_EQ(in.peers[1].name, "bob-s-laptop");
    EXPECT_EQ(in.peers[1].address->str(), "10.70.0.3");
    EXPECT_EQ(in.peers[1].address6->str(), "fd70::3");
    EXPECT_TRUE(in.peers[0].preshared_key.has_value());
    const auto& p = in.profile;
    EXPECT_NE(p.find("listen_port = 51821\n"), std::string::npos) << p;
    EXPECT_NE(p.find("subnet = \"10.70.0.0/24\"\nsubnet6 = \"fd70::/64\"\n"), std::string::npos)
        << p;
    EXPECT_NE(p.find("preshared_key_file = \"/var/lib/vpngw/psk/alice.psk\""), std::string::npos);
    EXPECT_NE(p.find("keepalive = 25"), std::string::npos);
    // Nothing is lost silently: hooks, DNS and the routed prefix are listed,
    // in the profile as comments too.
    std::string all;
    for (const auto& u : in.untranslated) all += u + "\n";
    EXPECT_NE(all.find("PostUp = iptables -A FORWARD"), std::string::npos) << all;
    EXPECT_NE(all.find("PostDown = iptables -D FORWARD"), std::string::npos);
    EXPECT_NE(all.find("DNS = 1.1.1.1"), std::string::npos);
    EXPECT_NE(all.find("AllowedIPs 192.168.50.0/24"), std::string::npos);
    EXPECT_NE(p.find("#   line 8: PostUp = iptables -A FORWARD"), std::string::npos) << p;
    // No key material in the profile.
    EXPECT_EQ(p.find("UHEw9j5Imd0lhNIpwLy5K31SSNlexMOIWrF76QvWYUU="), std::string::npos);
    EXPECT_EQ(p.find("4+DgmJaDXA7TMqWe86DJ4ArY8r1dtPIJzBl1vU4CyBQ="), std::string::npos);
}

TEST(WgQuickTranslate, PeersWithoutIpv6KeepTheGroupIpv4Only) {
    auto c = parse(
        "[Interface]\nAddress = 10.1.0.1/24, fd01::1/64\n"
        "[Peer]\nPublicKey = Z5afPs9syooVwiwCc7YhC/uPAWkn6ZR0M6ZdWxhHPlM=\nAllowedIPs = "
        "10.1.0.2/32\n",
        "v4.conf");
    ASSERT_TRUE(c);
    auto in = translate(*c, {"v4.conf", "v4", "/var/lib/vpngw"});
    // Otherwise vpngw would hand the peer an IPv6 address wg-quick never gave it.
    EXPECT_EQ(in.profile.find("subnet6"), std::string::npos) << in.profile;
    EXPECT_NE(in.profile.find("address = \"10.1.0.2\""), std::string::npos);
}

TEST(WgQuickRender, RoundTripsWithInlineKeys) {
    auto c = parse(fixture(), "server.conf");
    ASSERT_TRUE(c);
    RenderOptions o;
    o.secrets = Secrets::inline_keys;
    auto text = render(*c, o);
    auto again = parse(text.view(), "rendered");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->private_key, c->private_key);
    EXPECT_EQ(again->listen_port, c->listen_port);
    EXPECT_EQ(again->addresses, c->addresses);
    ASSERT_EQ(again->peers.size(), c->peers.size());
    for (std::size_t i = 0; i < c->peers.size(); ++i) {
        EXPECT_EQ(again->peers[i].public_key, c->peers[i].public_key);
        EXPECT_EQ(again->peers[i].allowed_ips, c->peers[i].allowed_ips);
        EXPECT_EQ(again->peers[i].preshared_key, c->peers[i].preshared_key);
        EXPECT_EQ(again->peers[i].keepalive, c->peers[i].keepalive);
        EXPECT_EQ(again->peers[i].comment_name, c->peers[i].comment_name);
    }
}

TEST(WgQuickRender, FromFilesHoldsNoKeyMaterial) {
    auto c = parse(fixture(), "server.conf");
    ASSERT_TRUE(c);
    RenderOptions o;
    o.private_key_file = "/var/lib/vpngw/wg0.key";
    o.psk_files = {{c->peers[0].public_key.base64(), "/var/lib/vpngw/psk/alice.psk"}};
    auto text = std::string(render(*c, o).view());
    EXPECT_EQ(text.find("PrivateKey"), std::string::npos) << text;
    EXPECT_EQ(text.find("PresharedKey"), std::string::npos);
    EXPECT_NE(text.find("PostUp = wg set %i private-key /var/lib/vpngw/wg0.key\n"),
              std::string::npos);
    EXPECT_NE(text.find("preshared-key /var/lib/vpngw/psk/alice.psk\n"), std::string::npos);
}

TEST(WgQuickTranslate, SanitizesNames) {
    EXPECT_EQ(sanitize_name("Alice's phone"), "Alice-s-phone");
    EXPECT_EQ(sanitize_name("-.x"), "x");
    EXPECT_EQ(sanitize_name("a-very-long-peer-name-indeed"), "a-very-long-pee");
    EXPECT_EQ(sanitize_name("###"), "");
}

}  // namespace
}  // namespace vpngw::wgquick
