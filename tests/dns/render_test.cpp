#include "dns/render.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "dns/runtime.hpp"
#include "escape/escape.hpp"
#include "plan/allocate.hpp"
#include "plan/nft_ruleset.hpp"
#include "profile/loader.hpp"

namespace vpngw::dns {
namespace {

const char* kProfile = R"(
[gateway]
name = "edge"
endpoint = "vpn.example.net:51820"

[[interface]]
name = "wg0"
address = ["10.8.0.1/16", "fd08::1/48"]

[[group]]
name = "staff"
subnet = "10.8.1.0/24"
subnet6 = "fd08:0:0:1::/64"

[[group]]  # names its own resolver: keeps it
dns = ["192.0.2.53"]
subnet = "10.8.2.0/24"
name = "ops"

[firewall]
management = { port = 22, allow = ["198.51.100.7/32"] }

[dns]
zone = "VPN.Example."
upstream = ["192.0.2.1", "2001:db8::53"]

[[peer]]
name = "alice-laptop"
group = "staff"
public_key = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="

[[peer]]  # "_" is not allowed in a DNS label: no name
public_key = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0="
name = "cam_1"
address = "10.8.1.77"
group = "staff"
)";

std::string text_of(const Diagnostics& diags) {
    std::string out;
    for (const auto& d : diags.all()) out += d.str() + "\n";
    return out;
}

model::Profile load(const std::string& text) {
    auto loaded = profile::load_string(text, "edge.toml");
    EXPECT_TRUE(loaded.profile) << text_of(loaded.diagnostics);
    return loaded.profile ? *loaded.profile : model::Profile{};
}

TEST(DnsNames, LabelsAreHostNames) {
    EXPECT_TRUE(escape::dns_label("alice-laptop"));
    EXPECT_TRUE(escape::dns_label("A1"));
    EXPECT_FALSE(escape::dns_label(""));
    EXPECT_FALSE(escape::dns_label("-alice"));
    EXPECT_FALSE(escape::dns_label("alice-"));
    // Characters a peer name may hold but a host name may not.
    for (const char* name : {"cam_1", "a.b", "a=b", "a+b", "a b", "a\nb"})
        EXPECT_FALSE(escape::dns_label(name)) << name;
    EXPECT_FALSE(escape::dns_label(std::string(64, 'a')));
    EXPECT_TRUE(escape::dns_label(std::string(63, 'a')));
}

TEST(DnsNames, ZoneRules) {
    EXPECT_EQ(escape::dns_name_reason("vpn.internal"), "");
    EXPECT_NE(escape::dns_name_reason("vpn..internal"), "");
    EXPECT_NE(escape::dns_name_reason("vpn.internal/"), "");
    EXPECT_NE(escape::dns_name_reason("x\n/etc/passwd"), "");
    EXPECT_NE(escape::dns_name_reason(std::string(254, 'a')), "");
}

TEST(DnsProfile, ZoneIsLowercasedAndGroupsAskTheGateway) {
    auto p = load(kProfile);
    ASSERT_TRUE(p.dns);
    EXPECT_EQ(p.dns->zone, "vpn.example");
    ASSERT_EQ(p.dns->upstream.size(), 2u);
    // staff had no dns: the gateway, both families; ops keeps its own.
    ASSERT_EQ(p.groups[0].dns.size(), 2u);
    EXPECT_EQ(p.groups[0].dns[0].str(), "10.8.0.1");
    EXPECT_EQ(p.groups[0].dns[1].str(), "fd08::1");
    ASSERT_EQ(p.groups[1].dns.size(), 1u);
    EXPECT_EQ(p.groups[1].dns[0].str(), "192.0.2.53");
}

TEST(DnsProfile, BadZoneIsAnErrorAtItsLocation) {
    std::string text = kProfile;
    text.replace(text.find("VPN.Example."), 12, "bad zone");
    auto loaded = profile::load_string(text, "edge.toml");
    EXPECT_FALSE(loaded.profile);
    EXPECT_NE(text_of(loaded.diagnostics)
                  .find("edge.toml:24:8: error: \"zone\" \"bad zone\" is no DNS name"),
              std::string::npos)
        << text_of(loaded.diagnostics);
}

TEST(DnsProfile, PeerWithoutDnsLabelIsWarned) {
    auto loaded = profile::load_string(kProfile, "edge.toml");
    EXPECT_NE(text_of(loaded.diagnostics).find("peer \"cam_1\" gets no name in [dns]"),
              std::string::npos)
        << text_of(loaded.diagnostics);
}

TEST(DnsRender, HostsNameEveryAddressOfLabelledPeers) {
    auto p = load(kProfile);
    auto addresses = plan::assign_peer_addresses(p);
    ASSERT_TRUE(addresses);
    auto hosts = render_hosts(p, *addresses);
    EXPECT_EQ(hosts.text,
              "10.8.1.1 alice-laptop.vpn.example\n"
              "fd08:0:0:1::1 alice-laptop.vpn.example\n");
    EXPECT_EQ(hosts.names, 1u);
    ASSERT_EQ(hosts.skipped.size(), 1u);
    EXPECT_EQ(hosts.skipped[0], "cam_1");
}

TEST(DnsRender, OnePeersLinesAreWhatTheWholeRenderWrites) {
    auto p = load(kProfile);
    auto addresses = plan::assign_peer_addresses(p);
    ASSERT_TRUE(addresses);
    EXPECT_EQ(host_lines(p.dns->zone, "alice-laptop", (*addresses)[0]),
              render_hosts(p, *addresses).text);
    EXPECT_EQ(host_lines(p.dns->zone, "cam_1", (*addresses)[1]), "");  // no DNS label
    EXPECT_EQ(host_lines(p.dns->zone, "nobody", plan::PeerAddresses{}), "");
}

TEST(DnsRender, WithoutPeerDropsExactlyThatPeersLines) {
    const std::string hosts =
        "10.8.1.1 bob.vpn\n"
        "fd08::1 bob.vpn\n"
        "10.8.1.2 bobby.vpn\n"
        "10.8.1.3 bob.vpn.other\n"
        "10.8.1.4 alice.vpn";  // the last line without its newline
    EXPECT_EQ(without_peer(hosts, "vpn", "bob"),
              "10.8.1.2 bobby.vpn\n10.8.1.3 bob.vpn.other\n10.8.1.4 alice.vpn");
    EXPECT_EQ(without_peer(hosts, "vpn", "alice"),
              "10.8.1.1 bob.vpn\nfd08::1 bob.vpn\n10.8.1.2 bobby.vpn\n10.8.1.3 bob.vpn.other\n");
    EXPECT_EQ(without_peer(hosts, "vpn", "carol"), hosts);
}

TEST(DnsHostsFile, AnAddAppendsARemoveRewritesAMissingFileIsLeftAlone) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("vpngw-dns-hosts-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "hosts").string();
    auto read = [&] {
        std::ifstream in(path);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    auto absent = edit_hosts(path, "vpn", {"", "10.0.0.2 a.vpn\n"});
    ASSERT_TRUE(absent) << absent.error().str();
    EXPECT_FALSE(*absent);
    EXPECT_FALSE(std::filesystem::exists(path));

    { std::ofstream(path) << "10.0.0.2 a.vpn\n"; }
    auto added = edit_hosts(path, "vpn", {"", "10.0.0.3 b.vpn\nfd00::3 b.vpn\n"});
    ASSERT_TRUE(added && *added);
    EXPECT_EQ(read(), "10.0.0.2 a.vpn\n10.0.0.3 b.vpn\nfd00::3 b.vpn\n");
    auto renamed = edit_hosts(path, "vpn", {"a", "10.0.0.2 c.vpn\n"});
    ASSERT_TRUE(renamed && *renamed);
    EXPECT_EQ(read(), "10.0.0.3 b.vpn\nfd00::3 b.vpn\n10.0.0.2 c.vpn\n");
    auto removed = edit_hosts(path, "vpn", {"b", ""});
    ASSERT_TRUE(removed && *removed);
    EXPECT_EQ(read(), "10.0.0.2 c.vpn\n");
    std::filesystem::remove_all(dir);
}

TEST(DnsRender, ConfigListensOnTunnelAddressesOnlyAndForwardsTheRest) {
    auto p = load(kProfile);
    const auto runtime = runtime_paths(p);
    EXPECT_EQ(runtime.dir, "/run/vpngw/dns-edge");
    const auto conf = render_config(p, runtime);
    EXPECT_NE(conf.find("\nbind-dynamic\n"), std::string::npos);
    EXPECT_NE(conf.find("\nlisten-address=10.8.0.1\nlisten-address=fd08::1\n"), std::string::npos);
    EXPECT_EQ(conf.find("bind-interfaces"), std::string::npos);
    EXPECT_EQ(conf.find("\ninterface="), std::string::npos);  // would add every address of it
    EXPECT_NE(conf.find("\nlocal=/vpn.example/\n"), std::string::npos);
    EXPECT_NE(conf.find("\nno-resolv\nserver=192.0.2.1\nserver=2001:db8::53\n"), std::string::npos);
    EXPECT_NE(conf.find("\naddn-hosts=/run/vpngw/dns-edge/hosts\n"), std::string::npos);
    EXPECT_NE(conf.find("\nno-hosts\n"), std::string::npos);
}

// Hosts on a bridge vpngw creates for a [[network]] are clients too: the
// resolver listens on the gateway's address there, and the input chain admits
// their queries to it (and only theirs, only to it).
TEST(DnsRender, LocalNetworkBridgesAreServedToo) {
    std::string text = kProfile;
    text.replace(text.find("[firewall]"), 10, R"([[network]]
name = "apps"
device = "br-apps"
create = "bridge"
address = ["172.30.0.1/24"]
subnet = "172.30.0.0/24"

[firewall])");
    auto p = load(text);
    const auto conf = render_config(p, runtime_paths(p));
    EXPECT_NE(conf.find("\nlisten-address=fd08::1\nlisten-address=172.30.0.1\n"), std::string::npos)
        << conf;
    const auto ruleset = plan::render_nft_ruleset(p);
    EXPECT_NE(ruleset.find("iifname \"br-apps\" ip saddr @grp_apps_net4 ip daddr 172.30.0.1 meta "
                           "l4proto { tcp, udp } th dport 53 accept"),
              std::string::npos)
        << ruleset;
    // Without [dns] nothing listens there, and nothing is admitted.
    p.dns.reset();
    EXPECT_EQ(
        plan::render_nft_ruleset(p).find("daddr 172.30.0.1 meta l4proto { tcp, udp } th dport 53"),
        std::string::npos);
}

// dnsmasq itself parses what we render (--test reads the configuration and
// exits), the nftables `-c` habit.
TEST(DnsRender, DnsmasqAcceptsTheConfiguration) {
    if (::access("/usr/sbin/dnsmasq", X_OK) != 0) GTEST_FAIL() << "dnsmasq missing (dnsmasq-base)";
    auto p = load(kProfile);
    auto dir = std::filesystem::temp_directory_path() / ("vpngw-dns-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    Runtime runtime{dir.string(), (dir / "dnsmasq.conf").string(), (dir / "hosts").string(),
                    (dir / "pid").string()};
    std::ofstream(runtime.config) << render_config(p, runtime);
    std::ofstream(runtime.hosts) << render_hosts(p, *plan::assign_peer_addresses(p)).text;
    const std::string cmd = "/usr/sbin/dnsmasq --test --conf-file=" + runtime.config + " 2>&1";
    FILE* out = ::popen(cmd.c_str(), "r");
    ASSERT_NE(out, nullptr);
    std::string text;
    char buf[256];
    while (std::fgets(buf, sizeof buf, out)) text += buf;
    const int rc = ::pclose(out);
    std::filesystem::remove_all(dir);
    EXPECT_EQ(rc, 0) << text;
    EXPECT_NE(text.find("syntax check OK"), std::string::npos) << text;
}

}  // namespace
}  // namespace vpngw::dns
