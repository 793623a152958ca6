// `vpngw import/export wg-quick` without I/O: parsing real-world configs
// (comments, repeated and multi-valued AllowedIPs, PSKs, IPv6), translating
// them to a profile that loads, and rendering them back.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "plan/desired.hpp"
#include "profile/loader.hpp"
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
    // The MASQUERADE out of eth0 becomes an uplink with NAT; the FORWARD
    // accepts need nothing (the group allows "any"); both hook lines are
    // named in the profile's header as carried over.
    EXPECT_NE(p.find("[[uplink]]\nname = \"eth0\"\ndevice = \"eth0\"\nnat = \"masquerade\"\n"),
              std::string::npos)
        << p;
    EXPECT_NE(p.find("# Hook lines carried over"), std::string::npos) << p;
    EXPECT_NE(p.find("#   line 8: PostUp = iptables -A FORWARD"), std::string::npos) << p;
    // Nothing is lost silently: DNS is listed, in the profile as a comment too.
    std::string all;
    for (const auto& u : in.untranslated) all += u + "\n";
    EXPECT_EQ(all.find("PostUp"), std::string::npos) << all;
    EXPECT_NE(all.find("DNS = 1.1.1.1"), std::string::npos);
    // bob's routed LAN is his `networks`, not a loss.
    EXPECT_EQ(all.find("192.168.50.0/24"), std::string::npos) << all;
    EXPECT_NE(p.find("keepalive = 25\nnetworks = [\"192.168.50.0/24\"]\n"), std::string::npos) << p;
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

constexpr const char* kKeyA = "Z5afPs9syooVwiwCc7YhC/uPAWkn6ZR0M6ZdWxhHPlM=";
constexpr const char* kKeyB = "Y8k7LibvwJ1HmK/46BqSHTRxJ8dcWdUWVfEtUP4AjT0=";
constexpr const char* kKeyC = "MypDBSReDQztXEJNqQC6fqAfOAMAek2CQdO0iPTYUG4=";

Imported imported(const std::string& text, const std::string& default_device = "") {
    auto c = parse(text, "t.conf");
    EXPECT_TRUE(c) << c.error().message;
    ImportOptions o{"t.conf", "wg0", "/var/lib/vpngw"};
    o.default_device = default_device;
    return c ? translate(*c, o) : Imported{};
}

constexpr const char* kKeyD = "3CR/fMPOesmR2LEWbGF3cQNAkGX0OjN6JYZUbS+vN28=";

// Issue 18 item 1: every peer's AllowedIPs survive the import as they were:
// a dual-stack peer, an IPv6-only one (the issue's lone IPv6 peer), one with
// two IPv4 addresses and a branch with routed LANs, all in one group. The
// WireGuard peers vpngw plans from the loaded profile have exactly the
// AllowedIPs wg-quick had.
TEST(WgQuickTranslate, EveryPeerKeepsItsAllowedIpsWhateverItsFamilies) {
    const std::string conf =
        std::string("[Interface]\nAddress = 10.1.0.1/24, fd01::1/64\n") +
        "[Peer]\nPublicKey = " + kKeyA + "\nAllowedIPs = 10.1.0.2/32, fd01::2/128\n" +
        "[Peer]\nPublicKey = " + kKeyB + "\nAllowedIPs = fd01::3/128\n" +
        "[Peer]\nPublicKey = " + kKeyC + "\nAllowedIPs = 10.1.0.4/32, 10.1.0.44/32\n" +
        "[Peer]\nPublicKey = " + kKeyD + "\nAllowedIPs = 10.1.0.5/32, 192.168.50.0/24, fd50::/64\n";
    auto in = imported(conf);
    ASSERT_EQ(in.peers.size(), 4u);
    for (const auto& u : in.untranslated) ADD_FAILURE() << "untranslated: " << u;
    const auto& p = in.profile;
    EXPECT_NE(p.find("subnet = \"10.1.0.0/24\"\nsubnet6 = \"fd01::/64\"\n"), std::string::npos)
        << p;
    EXPECT_NE(p.find("address = \"none\"\naddress6 = \"fd01::3\"\n"), std::string::npos) << p;
    EXPECT_NE(p.find("address = \"10.1.0.4\"\naddress6 = \"none\"\nextra_addresses = "
                     "[\"10.1.0.44\"]\n"),
              std::string::npos)
        << p;
    EXPECT_NE(p.find("networks = [\"192.168.50.0/24\", \"fd50::/64\"]"), std::string::npos) << p;

    auto loaded = profile::load_string(p, "imported.toml");
    ASSERT_TRUE(loaded.profile.has_value()) << p;
    EXPECT_EQ(loaded.profile->groups.size(), 1u);
    auto original = parse(conf, "t.conf");
    ASSERT_TRUE(original);
    const auto desired = plan::desired_state(*loaded.profile);
    ASSERT_EQ(desired.wireguard.size(), 1u);
    ASSERT_EQ(desired.wireguard[0].peers.size(), 4u);
    for (const auto& want : original->peers) {
        auto allowed = want.allowed_ips;
        std::sort(allowed.begin(), allowed.end());
        bool found = false;
        for (const auto& got : desired.wireguard[0].peers)
            if (got.public_key == want.public_key) {
                found = true;
                EXPECT_EQ(got.allowed_ips, allowed) << got.name;
            }
        EXPECT_TRUE(found) << want.public_key.base64();
    }
}

// All peers of one family: the group has only that family's subnet, so
// nobody needs "none".
TEST(WgQuickTranslate, PeersOfOneFamilyGetAGroupOfThatFamily) {
    auto in = imported(std::string("[Interface]\nAddress = 10.1.0.1/24, fd01::1/64\n") +
                       "[Peer]\nPublicKey = " + kKeyB + "\nAllowedIPs = fd01::3/128\n");
    const auto& p = in.profile;
    EXPECT_NE(p.find("name = \"clients\"\ninterface = \"wg0\"\nsubnet6 = \"fd01::/64\"\n#"),
              std::string::npos)
        << p;
    EXPECT_EQ(p.find("none"), std::string::npos) << p;
}

// A prefix inside the interface's that is not one host has no place in a
// profile (a network may not overlap the interface's prefix): listed.
TEST(WgQuickTranslate, APrefixInsideTheInterfacesIsListedAndRoutedNetworksKept) {
    auto in = imported(std::string("[Interface]\nAddress = 10.1.0.1/24\n") +
                       "[Peer]\nPublicKey = " + kKeyA +
                       "\nAllowedIPs = 10.1.0.2/32, 10.1.0.8/29, 172.16.0.0/16\n");
    ASSERT_EQ(in.peers.size(), 1u);
    EXPECT_EQ(in.peers[0].networks, (std::vector<Prefix>{*Prefix::parse("172.16.0.0/16")}));
    ASSERT_EQ(in.untranslated.size(), 1u);
    EXPECT_NE(in.untranslated[0].find("AllowedIPs 10.1.0.8/29"), std::string::npos);
    auto loaded = profile::load_string(in.profile, "imported.toml");
    ASSERT_TRUE(loaded.profile.has_value()) << in.profile;
    EXPECT_EQ(loaded.profile->peers.at(0).networks, in.peers[0].networks);
}

TEST(WgQuickTranslate, ANameFromACommentInsideThePeerSection) {
    auto in =
        imported(std::string("[Interface]\nAddress = 10.1.0.1/24\n") + "[Peer]\n# alice\n" +
                 "PublicKey = " + kKeyA + "\nAllowedIPs = 10.1.0.2/32\n# bob\n" +
                 "\n[Peer]\nPublicKey = " + kKeyB + "\n# not-a-name\nAllowedIPs = 10.1.0.3/32\n" +
                 "[Peer]\n#Name = carol\nPublicKey = " + kKeyC + "\nAllowedIPs = 10.1.0.4/32\n");
    ASSERT_EQ(in.peers.size(), 3u);
    EXPECT_EQ(in.peers[0].name, "alice");
    // A comment after the keys belongs to what follows, not to the peer above.
    EXPECT_EQ(in.peers[1].name, "peer2");
    EXPECT_EQ(in.peers[2].name, "carol");
}

TEST(WgQuickTranslate, MasqueradeHooksBecomeUplinksWithNat) {
    const std::string head = "[Interface]\nAddress = 10.1.0.1/24\n";
    const std::string peer =
        std::string("[Peer]\nPublicKey = ") + kKeyA + "\nAllowedIPs = 10.1.0.2/32\n";
    // nft's form, and a FORWARD accept by nft.
    auto nft = imported(head +
                        "PostUp = nft add rule inet nat postrouting oifname \"ens3\" masquerade && "
                        "nft add rule inet filter forward iifname %i accept\n" +
                        "PostDown = nft delete table inet nat\n" + peer);
    EXPECT_NE(nft.profile.find("[[uplink]]\nname = \"ens3\"\ndevice = \"ens3\"\nnat"),
              std::string::npos)
        << nft.profile;
    // A PostDown that is no inverse we know stays for the user.
    ASSERT_EQ(nft.untranslated.size(), 1u);
    EXPECT_NE(nft.untranslated[0].find("PostDown = nft delete table"), std::string::npos);
    // No -o: the default route's device, as wg-quick users mean it.
    auto bare = imported(head +
                             "PostUp = sysctl -w net.ipv4.ip_forward=1; iptables -t nat -A "
                             "POSTROUTING -s 10.1.0.0/24 -j MASQUERADE\n" +
                             peer,
                         "enp1s0");
    EXPECT_NE(bare.profile.find("device = \"enp1s0\"\nnat = \"masquerade\""), std::string::npos)
        << bare.profile;
    EXPECT_TRUE(bare.untranslated.empty());
    auto loaded = profile::load_string(bare.profile, "imported.toml");
    ASSERT_TRUE(loaded.profile.has_value()) << bare.profile;
    ASSERT_EQ(loaded.profile->uplinks.size(), 1u);
    EXPECT_EQ(loaded.profile->uplinks[0].nat, model::NatMode::masquerade);
    // ... and without a default route the hook is listed, not guessed.
    auto none = imported(head + "PostUp = iptables -t nat -A POSTROUTING -j MASQUERADE\n" + peer);
    EXPECT_EQ(none.profile.find("\n[[uplink]]\n"), std::string::npos);
    ASSERT_EQ(none.untranslated.size(), 1u);
    EXPECT_NE(none.untranslated[0].find("MASQUERADE"), std::string::npos);
    // Anything else a hook runs is left alone, and listed.
    auto other = imported(head + "PostUp = /usr/local/bin/notify-admins up\n" + peer);
    EXPECT_EQ(other.profile.find("\n[[uplink]]\n"), std::string::npos);
    ASSERT_EQ(other.untranslated.size(), 1u);
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
