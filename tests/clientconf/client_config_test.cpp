// Golden tests of rendered client configs: run with VPNGW_UPDATE_GOLDEN=1 to
// rewrite tests/clientconf/golden/*.conf, then review the diff.

#include "clientconf/client_config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace vpngw::clientconf {
namespace {

// Examples from the wg(8) man page, so nothing here is a real secret.
constexpr const char* kClientPrivate = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
constexpr const char* kServerPublic = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
constexpr const char* kPsk = "FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE=";

IpAddress ip(const char* s) {
    return *IpAddress::parse(s);
}
Prefix pfx(const char* s) {
    return *Prefix::parse(s);
}

model::AllowEntry allow_prefix(const char* text, const char* cidr) {
    model::AllowEntry e;
    e.kind = model::AllowEntry::Kind::prefix;
    e.prefix = pfx(cidr);
    e.text = text;
    return e;
}

model::AllowEntry allow_group(const char* name) {
    model::AllowEntry e;
    e.kind = model::AllowEntry::Kind::group;
    e.group = name;
    e.text = std::string("group:") + name;
    return e;
}

model::AllowEntry allow_any() {
    model::AllowEntry e;
    e.kind = model::AllowEntry::Kind::any;
    e.text = "any";
    return e;
}

// One interface, dual-stack, and groups of every shape the tests need.
model::Profile office() {
    model::Profile p;
    p.gateway.name = "edge-1";
    p.gateway.endpoint = Endpoint::parse("vpn.example.net:51820");
    model::Interface wg0;
    wg0.name = "wg0";
    wg0.addresses = {pfx("10.8.0.1/16"), pfx("fd08::1/48")};
    p.interfaces.push_back(wg0);

    model::Group staff;  // dual-stack, full tunnel
    staff.name = "staff";
    staff.interface = "wg0";
    staff.subnet = pfx("10.8.1.0/24");
    staff.subnet6 = pfx("fd08:0:0:1::/64");
    staff.dns = {ip("10.8.0.1"), ip("fd08::1")};
    staff.allow = {allow_group("servers"), allow_prefix("0.0.0.0/0", "0.0.0.0/0")};
    p.groups.push_back(staff);

    model::Group servers;  // v4 only, full tunnel, no keepalive
    servers.name = "servers";
    servers.interface = "wg0";
    servers.subnet = pfx("10.8.2.0/24");
    servers.keepalive = 0;
    p.groups.push_back(servers);

    model::Group lab;  // dual-stack, split tunnel
    lab.name = "lab";
    lab.interface = "wg0";
    lab.subnet = pfx("10.8.3.0/24");
    lab.subnet6 = pfx("fd08:0:0:3::/64");
    lab.tunnel = model::Tunnel::split;
    lab.dns = {ip("10.8.0.1")};
    lab.allow = {allow_group("servers"), allow_group("printers"),
                 allow_prefix("10.1.0.0/16 tcp/8000-8100", "10.1.0.0/16"),
                 allow_prefix("10.8.2.0/24", "10.8.2.0/24"),  // inside wg0's network: dropped
                 allow_prefix("2001:db8::/32", "2001:db8::/32")};
    p.groups.push_back(lab);

    model::Group printers;  // dual-stack target of group:printers
    printers.name = "printers";
    printers.interface = "wg0";
    printers.subnet = pfx("10.8.4.0/24");
    printers.subnet6 = pfx("fd08:0:0:4::/64");
    p.groups.push_back(printers);

    model::Group guests;  // v4 only, split tunnel
    guests.name = "guests";
    guests.interface = "wg0";
    guests.subnet = pfx("10.8.5.0/24");
    guests.tunnel = model::Tunnel::split;
    guests.keepalive = 15;
    guests.allow = {allow_prefix("192.168.50.0/24 udp/53", "192.168.50.0/24"),
                    allow_prefix("2001:db8::/32", "2001:db8::/32"),  // no IPv6 here: dropped
                    allow_group("printers")};
    p.groups.push_back(guests);
    return p;
}

ClientConfigInput input_for(const model::Profile& p, const char* group, const char* addr,
                            const char* addr6) {
    ClientConfigInput in;
    in.peer_name = "alice-phone";
    in.private_key = SecretKey::from_base64(kClientPrivate);
    if (addr) in.address = ip(addr);
    if (addr6) in.address6 = ip(addr6);
    in.group = *p.find_group(group);
    in.interface = p.interfaces.front();
    in.endpoint = *p.gateway.endpoint;
    in.server_public_key = *PublicKey::from_base64(kServerPublic);
    return in;
}

std::string golden_path(const std::string& name) {
    return std::string(VPNGW_SOURCE_DIR) + "/tests/clientconf/golden/" + name + ".conf";
}

void expect_golden(const std::string& name, const std::string& actual) {
    const std::string path = golden_path(name);
    const char* update = std::getenv("VPNGW_UPDATE_GOLDEN");
    if (update && std::string(update) == "1") {
        std::ofstream(path, std::ios::binary) << actual;
        return;
    }
    std::ifstream f(path, std::ios::binary);
    ASSERT_TRUE(f) << "missing golden file " << path << " (VPNGW_UPDATE_GOLDEN=1 creates it)";
    std::stringstream expected;
    expected << f.rdbuf();
    EXPECT_EQ(expected.str(), actual) << "golden " << path;
}

std::string render(const ClientConfigInput& in, const model::Profile& p) {
    auto conf = render_client_config(in, p);
    EXPECT_TRUE(conf.ok()) << conf.error().str();
    return conf.ok() ? conf->str() : std::string();
}

TEST(ClientConfig, FullTunnelDualStackWithPsk) {
    auto p = office();
    auto in = input_for(p, "staff", "10.8.1.2", "fd08:0:0:1::2");
    in.preshared_key = SecretKey::from_base64(kPsk);
    expect_golden("full_dual_psk", render(in, p));
}

TEST(ClientConfig, FullTunnelV4OnlyWithoutPskOrKeepalive) {
    auto p = office();
    auto in = input_for(p, "servers", "10.8.2.10", nullptr);
    expect_golden("full_v4", render(in, p));
}

TEST(ClientConfig, SplitTunnelDualStack) {
    auto p = office();
    auto in = input_for(p, "lab", "10.8.3.7", "fd08:0:0:3::7");
    in.preshared_key = SecretKey::from_base64(kPsk);
    expect_golden("split_dual_psk", render(in, p));
}

TEST(ClientConfig, SplitTunnelV4OwnKeyIpv6Endpoint) {
    auto p = office();
    auto in = input_for(p, "guests", "10.8.5.3", nullptr);
    in.private_key.reset();
    in.endpoint = *Endpoint::parse("[2001:db8::1]:51821");
    expect_golden("split_v4_ownkey", render(in, p));
}

TEST(ClientConfig, OwnKeyClientGetsNoPrivateKeyLine) {
    auto p = office();
    auto in = input_for(p, "staff", "10.8.1.2", "fd08:0:0:1::2");
    in.private_key.reset();
    std::string text = render(in, p);
    EXPECT_EQ(text.find("\nPrivateKey"), std::string::npos);
    EXPECT_NE(text.find("# PrivateKey = <your private key>\n"), std::string::npos);
    EXPECT_EQ(text.find(kClientPrivate), std::string::npos);
}

TEST(ClientConfig, KeysAppearExactlyWhereExpected) {
    auto p = office();
    auto in = input_for(p, "staff", "10.8.1.2", nullptr);
    in.preshared_key = SecretKey::from_base64(kPsk);
    std::string text = render(in, p);
    EXPECT_NE(text.find(std::string("\nPrivateKey = ") + kClientPrivate + "\n"), std::string::npos);
    EXPECT_NE(text.find(std::string("\nPublicKey = ") + kServerPublic + "\n"), std::string::npos);
    EXPECT_NE(text.find(std::string("\nPresharedKey = ") + kPsk + "\n"), std::string::npos);
    // The interface section ends before [Peer]: the private key must be in it.
    EXPECT_LT(text.find("PrivateKey"), text.find("[Peer]"));
    EXPECT_GT(text.find("PresharedKey"), text.find("[Peer]"));
}

std::vector<std::string> allowed_strs(const model::Profile& p, const char* group) {
    auto r = client_allowed_ips(*p.find_group(group), p.interfaces.front(), p);
    EXPECT_TRUE(r.ok()) << r.error().str();
    std::vector<std::string> out;
    if (r.ok())
        for (const auto& x : *r) out.push_back(x.str());
    return out;
}

TEST(AllowedIps, FullTunnelFollowsGroupFamilies) {
    auto p = office();
    EXPECT_EQ(allowed_strs(p, "staff"), (std::vector<std::string>{"0.0.0.0/0", "::/0"}));
    EXPECT_EQ(allowed_strs(p, "servers"), (std::vector<std::string>{"0.0.0.0/0"}));
    p.groups[1].subnet.reset();
    p.groups[1].subnet6 = pfx("fd08:0:0:2::/64");
    EXPECT_EQ(allowed_strs(p, "servers"), (std::vector<std::string>{"::/0"}));
}

TEST(AllowedIps, SplitCollectsAndCollapses) {
    auto p = office();
    EXPECT_EQ(allowed_strs(p, "lab"), (std::vector<std::string>{"10.1.0.0/16", "10.8.0.0/16",
                                                                "2001:db8::/32", "fd08::/48"}));
    EXPECT_EQ(allowed_strs(p, "guests"),
              (std::vector<std::string>{"10.8.0.0/16", "192.168.50.0/24"}));
}

TEST(AllowedIps, SplitWithAnyIsADefaultRoute) {
    auto p = office();
    p.groups[4].allow.push_back(allow_any());
    EXPECT_EQ(allowed_strs(p, "guests"), (std::vector<std::string>{"0.0.0.0/0"}));
}

TEST(AllowedIps, SplitHostBitsInInterfaceAddressAreStripped) {
    auto p = office();
    p.interfaces[0].addresses = {pfx("10.8.0.1/16")};
    p.groups[4].allow.clear();
    EXPECT_EQ(allowed_strs(p, "guests"), (std::vector<std::string>{"10.8.0.0/16"}));
}

// A forward that keeps the remote source to a split-tunnel client: that
// client's config (and only that client's) routes the forward's sources.
TEST(AllowedIps, KeptForwardSourcesReachTheTargetOnly) {
    auto p = office();
    model::Forward f;
    f.to = ip("10.8.5.7");
    f.port = f.to_port = 443;
    f.allow_from = {pfx("198.51.100.0/24"), pfx("2001:db8:9::/48")};
    f.source = model::ForwardSource::keep;
    p.forwards.push_back(f);
    auto allowed = [&](std::vector<IpAddress> own) {
        auto r = client_allowed_ips(p.groups[4], p.interfaces[0], p, {}, own);
        EXPECT_TRUE(r.ok());
        std::vector<std::string> out;
        for (const auto& x : *r) out.push_back(x.str());
        return out;
    };
    const std::vector<std::string> plain{"10.8.0.0/16", "192.168.50.0/24"};
    EXPECT_EQ(allowed({ip("10.8.5.8")}), plain);
    // The IPv6 source is of the wrong family for an IPv4 target: not routed.
    EXPECT_EQ(allowed({ip("10.8.5.7")}),
              (std::vector<std::string>{"10.8.0.0/16", "192.168.50.0/24", "198.51.100.0/24"}));
    // The default (auto) masquerades to the gateway instead: nothing to route.
    p.forwards[0].source = model::ForwardSource::automatic;
    EXPECT_EQ(allowed({ip("10.8.5.7")}), plain);
}

TEST(AllowedIps, UnknownGroupIsAnError) {
    auto p = office();
    p.groups[4].allow.push_back(allow_group("nosuch"));
    p.groups[4].allow.back().where = Location{"office.toml", 40, 12};
    auto r = client_allowed_ips(p.groups[4], p.interfaces[0], p);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("nosuch"), std::string::npos);
    EXPECT_EQ(r.error().where.line, 40);
}

TEST(ClientConfig, AddressErrors) {
    auto p = office();
    auto none = input_for(p, "staff", nullptr, nullptr);
    EXPECT_FALSE(render_client_config(none, p).ok());
    auto wrong_family = input_for(p, "staff", nullptr, nullptr);
    wrong_family.address = ip("fd08:0:0:1::2");
    EXPECT_FALSE(render_client_config(wrong_family, p).ok());
    auto no_subnet6 = input_for(p, "servers", "10.8.2.10", "fd08:0:0:2::10");
    auto r = render_client_config(no_subnet6, p);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("subnet6"), std::string::npos);
}

}  // namespace
}  // namespace vpngw::clientconf
