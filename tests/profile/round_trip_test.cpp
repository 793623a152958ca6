// A profile that writes every key, read back field by field; then the
// defaults of a minimal profile, the uplink id allocation and the origins.

#include <gtest/gtest.h>

#include "support/profile_text.hpp"

namespace vpngw::profile {
namespace {

using namespace model;
using test::base_profile;
using test::errors_of;

const char* kEveryField = R"([gateway]
name = "edge-1"
endpoint = "vpn.example.net:51821"
state_dir = "/srv/vpngw"

[[uplink]]
name = "wan0"
device = "eth0"
gateway = "203.0.113.1"
gateway6 = "2001:db8::1"
table = 100
fwmark = 0x100
nat = "snat"
snat_to = "203.0.113.5"
snat_to6 = "2001:db8::5"

[[uplink]]
name = "wan1"
device = "eth1"
nat = "none"

[[interface]]
name = "wg0"
listen_port = 51900
mtu = 1380
address = ["10.8.0.1/16", "fd08::1/64"]
private_key_file = "/nonexistent/vpngw-test/wg0.key"
backend = "userspace"
fwmark = 0x51001

[[group]]
name = "staff"
interface = "wg0"
subnet = "10.8.1.0/24"
subnet6 = "fd08:0:0:0:1::/80"
egress = "wan1"
isolate = true
allow = ["any", "group:staff udp/53", "10.1.0.0/16 tcp/8000-8100", "0.0.0.0/0 icmp", "192.0.2.7"]
dns = ["10.8.0.1", "fd08::1"]
tunnel = "split"
keepalive = 0

[[forward]]
proto = "udp"
port = 5000
to = "10.8.1.20:6000"
uplink = "wan0"
allow_from = ["198.51.100.0/24", "2001:db8:1::/48"]

[[forward]]
port = 8443
to = "[fd08::1:0:0:20]:443"
uplink = "wan1"

[[forward]]
port = 25
to = "10.8.1.21"
uplink = "wan1"

[firewall]
management = { port = 2222, allow = ["198.51.100.7/32"] }
input = "drop"
forward = "drop"
log_drops = "10/minute"
nat = "masquerade"

[[peer]]
name = "alice"
group = "staff"
public_key = "3+2ztO9TJKFw3+6zW4JEVl2GvoU/4Afbp2dcPpWAk08="
address = "10.8.1.10"
address6 = "fd08::1:0:0:10"
preshared_key_file = "/nonexistent/vpngw-test/alice.psk"
keepalive = 15
)";

IpAddress ip(const char* s) {
    return *IpAddress::parse(s);
}
Prefix prefix(const char* s) {
    return *Prefix::parse(s);
}

TEST(RoundTrip, EveryFieldIsRead) {
    auto r = load_string(kEveryField, "every.toml");
    ASSERT_TRUE(r.profile) << (r.diagnostics.all().empty() ? "" : r.diagnostics.all()[0].str());
    EXPECT_EQ(r.diagnostics.error_count(), 0u);
    const Profile& p = *r.profile;
    EXPECT_EQ(p.source, "every.toml");

    EXPECT_EQ(p.gateway.name, "edge-1");
    ASSERT_TRUE(p.gateway.endpoint);
    EXPECT_EQ(p.gateway.endpoint->host, "vpn.example.net");
    EXPECT_EQ(p.gateway.endpoint->port, 51821);
    EXPECT_EQ(p.gateway.state_dir, "/srv/vpngw");

    ASSERT_EQ(p.uplinks.size(), 2u);
    const Uplink& u0 = p.uplinks[0];
    EXPECT_EQ(u0.name, "wan0");
    EXPECT_EQ(u0.device, "eth0");
    EXPECT_EQ(u0.gateway, ip("203.0.113.1"));
    EXPECT_EQ(u0.gateway6, ip("2001:db8::1"));
    EXPECT_EQ(u0.table, 100u);
    EXPECT_TRUE(u0.table_explicit);
    EXPECT_EQ(u0.fwmark, 0x100u);
    EXPECT_TRUE(u0.fwmark_explicit);
    EXPECT_EQ(u0.nat, NatMode::snat);
    EXPECT_EQ(u0.snat_to, ip("203.0.113.5"));
    EXPECT_EQ(u0.snat_to6, ip("2001:db8::5"));
    const Uplink& u1 = p.uplinks[1];
    EXPECT_EQ(u1.nat, NatMode::none);
    EXPECT_FALSE(u1.gateway);
    EXPECT_EQ(u1.table, 51001u);  // allocated
    EXPECT_FALSE(u1.table_explicit);
    EXPECT_EQ(u1.fwmark, 0x51002u);  // 0x51001 is the interface's socket mark
    EXPECT_FALSE(u1.fwmark_explicit);

    ASSERT_EQ(p.interfaces.size(), 1u);
    const Interface& i = p.interfaces[0];
    EXPECT_EQ(i.name, "wg0");
    EXPECT_EQ(i.listen_port, 51900);
    EXPECT_EQ(i.mtu, 1380);
    ASSERT_EQ(i.addresses.size(), 2u);
    EXPECT_EQ(i.addresses[0], prefix("10.8.0.1/16"));
    EXPECT_EQ(i.addresses[1], prefix("fd08::1/64"));
    EXPECT_EQ(i.private_key_file, "/nonexistent/vpngw-test/wg0.key");
    EXPECT_EQ(i.backend, Backend::userspace);
    EXPECT_EQ(i.fwmark, 0x51001u);

    ASSERT_EQ(p.groups.size(), 1u);
    const Group& g = p.groups[0];
    EXPECT_EQ(g.name, "staff");
    EXPECT_EQ(g.interface, "wg0");
    EXPECT_EQ(g.subnet, prefix("10.8.1.0/24"));
    EXPECT_EQ(g.subnet6, prefix("fd08::1:0:0:0/80"));
    EXPECT_EQ(g.egress, "wan1");
    EXPECT_TRUE(g.isolate);
    ASSERT_EQ(g.allow.size(), 5u);
    EXPECT_EQ(g.allow[0].kind, AllowEntry::Kind::any);
    EXPECT_EQ(g.allow[0].proto, Proto::any);
    EXPECT_EQ(g.allow[1].kind, AllowEntry::Kind::group);
    EXPECT_EQ(g.allow[1].group, "staff");
    EXPECT_EQ(g.allow[1].proto, Proto::udp);
    EXPECT_EQ(g.allow[1].port_from, 53);
    EXPECT_EQ(g.allow[1].port_to, 53);
    EXPECT_EQ(g.allow[2].kind, AllowEntry::Kind::prefix);
    EXPECT_EQ(g.allow[2].prefix, prefix("10.1.0.0/16"));
    EXPECT_EQ(g.allow[2].proto, Proto::tcp);
    EXPECT_EQ(g.allow[2].port_from, 8000);
    EXPECT_EQ(g.allow[2].port_to, 8100);
    EXPECT_EQ(g.allow[2].text, "10.1.0.0/16 tcp/8000-8100");
    EXPECT_EQ(g.allow[2].where.line, 38);
    EXPECT_EQ(g.allow[3].proto, Proto::icmp);
    EXPECT_EQ(g.allow[3].port_from, 0);
    EXPECT_EQ(g.allow[4].prefix, prefix("192.0.2.7/32"));  // a bare address is one host
    ASSERT_EQ(g.dns.size(), 2u);
    EXPECT_EQ(g.dns[1], ip("fd08::1"));
    EXPECT_EQ(g.tunnel, Tunnel::split);
    EXPECT_EQ(g.keepalive, 0);

    ASSERT_EQ(p.forwards.size(), 3u);
    EXPECT_EQ(p.forwards[0].proto, Proto::udp);
    EXPECT_EQ(p.forwards[0].port, 5000);
    EXPECT_EQ(p.forwards[0].to, ip("10.8.1.20"));
    EXPECT_EQ(p.forwards[0].to_port, 6000);
    EXPECT_EQ(p.forwards[0].uplink, "wan0");
    ASSERT_EQ(p.forwards[0].allow_from.size(), 2u);
    EXPECT_EQ(p.forwards[0].allow_from[1], prefix("2001:db8:1::/48"));
    EXPECT_EQ(p.forwards[1].proto, Proto::tcp);  // default
    EXPECT_EQ(p.forwards[1].to, ip("fd08::1:0:0:20"));
    EXPECT_EQ(p.forwards[1].to_port, 443);
    EXPECT_EQ(p.forwards[2].to_port, 25);  // same port when not written

    ASSERT_TRUE(p.firewall.management);
    EXPECT_EQ(p.firewall.management->port, 2222);
    ASSERT_EQ(p.firewall.management->allow.size(), 1u);
    EXPECT_EQ(p.firewall.management->allow[0], prefix("198.51.100.7/32"));
    EXPECT_EQ(p.firewall.input, Policy::drop);
    EXPECT_EQ(p.firewall.forward, Policy::drop);
    ASSERT_TRUE(p.firewall.log_drops);
    EXPECT_EQ(p.firewall.log_drops->count, 10u);
    EXPECT_EQ(p.firewall.log_drops->unit, "minute");

    ASSERT_EQ(p.peers.size(), 1u);
    const Peer& peer = p.peers[0];
    EXPECT_EQ(peer.name, "alice");
    EXPECT_EQ(peer.group, "staff");
    EXPECT_EQ(peer.public_key.base64(), "3+2ztO9TJKFw3+6zW4JEVl2GvoU/4Afbp2dcPpWAk08=");
    EXPECT_EQ(peer.address, ip("10.8.1.10"));
    EXPECT_EQ(peer.address6, ip("fd08::1:0:0:10"));
    EXPECT_EQ(peer.preshared_key_file, "/nonexistent/vpngw-test/alice.psk");
    EXPECT_EQ(peer.keepalive, 15);
}

TEST(RoundTrip, OriginsPointAtHeadersAndValues) {
    auto r = load_string(kEveryField, "every.toml");
    ASSERT_TRUE(r.profile);
    const Profile& p = *r.profile;
    EXPECT_EQ(p.gateway.origin.table, (Location{"every.toml", 1, 1}));
    EXPECT_EQ(p.gateway.origin.at("endpoint"), (Location{"every.toml", 3, 12}));
    EXPECT_EQ(p.uplinks[0].origin.table, (Location{"every.toml", 6, 1}));
    EXPECT_EQ(p.uplinks[0].origin.at("fwmark"), (Location{"every.toml", 12, 10}));
    EXPECT_EQ(p.uplinks[1].origin.table, (Location{"every.toml", 17, 1}));
    // Not written: the table header stands in.
    EXPECT_EQ(p.uplinks[1].origin.at("table"), (Location{"every.toml", 17, 1}));
    EXPECT_EQ(p.interfaces[0].origin.at("address"), (Location{"every.toml", 26, 11}));
    EXPECT_EQ(p.groups[0].origin.fields.at("subnet"), (Location{"every.toml", 34, 10}));
    EXPECT_EQ(p.forwards[1].origin.table, (Location{"every.toml", 50, 1}));
    EXPECT_EQ(p.forwards[1].origin.at("to"), (Location{"every.toml", 52, 6}));
    EXPECT_EQ(p.firewall.origin.table, (Location{"every.toml", 60, 1}));
    ASSERT_TRUE(p.firewall.management);
    EXPECT_EQ(p.firewall.management->origin.table, (Location{"every.toml", 61, 14}));
    EXPECT_EQ(p.firewall.management->origin.at("port"), (Location{"every.toml", 61, 23}));
    EXPECT_EQ(p.peers[0].origin.at("public_key"), (Location{"every.toml", 70, 14}));
}

TEST(RoundTrip, DefaultsOfAMinimalProfile) {
    auto r = load_string(base_profile(), "min.toml");
    ASSERT_TRUE(r.profile) << testing::PrintToString(test::lines_of(r, Severity::error));
    const Profile& p = *r.profile;
    EXPECT_EQ(p.gateway.state_dir, "/var/lib/vpngw");
    const Interface& i = p.interfaces.at(0);
    EXPECT_EQ(i.listen_port, 51820);
    EXPECT_EQ(i.mtu, 1420);
    EXPECT_EQ(i.private_key_file, "");
    EXPECT_EQ(i.backend, Backend::automatic);
    EXPECT_EQ(i.fwmark, 0u);
    EXPECT_EQ(p.firewall.input, Policy::drop);
    EXPECT_EQ(p.firewall.forward, Policy::drop);
    EXPECT_FALSE(p.firewall.log_drops);
    EXPECT_EQ(p.firewall.management->port, 22);
    EXPECT_TRUE(p.uplinks.empty());
    EXPECT_TRUE(p.groups.empty());
}

TEST(RoundTrip, GroupAndForwardDefaults) {
    auto text = base_profile() +
                "[[uplink]]\nname = \"wan\"\ndevice = \"eth0\"\n"
                "[[group]]\nname = \"g\"\nsubnet = \"10.8.1.0/24\"\n"
                "[[forward]]\nport = 80\nto = \"10.8.1.5\"\n";
    auto r = load_string(text, "t.toml");
    ASSERT_TRUE(r.profile) << testing::PrintToString(test::lines_of(r, Severity::error));
    const Group& g = r.profile->groups.at(0);
    EXPECT_EQ(g.interface, "wg0");  // the only interface
    EXPECT_FALSE(g.subnet6);
    EXPECT_FALSE(g.egress);
    EXPECT_FALSE(g.isolate);
    EXPECT_TRUE(g.allow.empty());
    EXPECT_TRUE(g.dns.empty());
    EXPECT_EQ(g.tunnel, Tunnel::full);
    EXPECT_EQ(g.keepalive, 25);
    const Forward& f = r.profile->forwards.at(0);
    EXPECT_EQ(f.proto, Proto::tcp);
    EXPECT_EQ(f.uplink, "wan");  // the only uplink
    EXPECT_EQ(f.to_port, 80);
    EXPECT_TRUE(f.allow_from.empty());
    const Uplink& u = r.profile->uplinks.at(0);
    EXPECT_EQ(u.nat, NatMode::masquerade);
    EXPECT_EQ(u.table, 51001u);
    EXPECT_EQ(u.fwmark, 0x51001u);
}

TEST(Allocation, SkipsExplicitTablesAndMarksInUplinkOrder) {
    auto text = base_profile() +
                "[[uplink]]\nname = \"a\"\ndevice = \"eth0\"\n"
                "[[uplink]]\nname = \"b\"\ndevice = \"eth1\"\ntable = 51002\nfwmark = 0x51001\n"
                "[[uplink]]\nname = \"c\"\ndevice = \"eth2\"\n"
                "[[uplink]]\nname = \"d\"\ndevice = \"eth3\"\ntable = 51001\n";
    text = test::replace(text, "name = \"wg0\"\n", "name = \"wg0\"\nfwmark = 0x51003\n");
    auto r = load_string(text, "t.toml");
    ASSERT_TRUE(r.profile) << testing::PrintToString(test::lines_of(r, Severity::error));
    const auto& u = r.profile->uplinks;
    EXPECT_EQ(u[0].table, 51003u);  // 51001 and 51002 are written explicitly
    EXPECT_EQ(u[1].table, 51002u);
    EXPECT_EQ(u[2].table, 51004u);
    EXPECT_EQ(u[3].table, 51001u);
    EXPECT_EQ(u[0].fwmark, 0x51002u);  // 0x51001 is b's, 0x51003 the interface's
    EXPECT_EQ(u[1].fwmark, 0x51001u);
    EXPECT_EQ(u[2].fwmark, 0x51004u);
    EXPECT_EQ(u[3].fwmark, 0x51005u);
    EXPECT_FALSE(u[0].table_explicit);
    EXPECT_TRUE(u[1].table_explicit);
    EXPECT_TRUE(u[1].fwmark_explicit);
    EXPECT_FALSE(u[3].fwmark_explicit);
}

TEST(NatDefault, FirewallNatIsTheUplinksDefault) {
    auto text = base_profile() +
                "[[uplink]]\nname = \"a\"\ndevice = \"eth0\"\n"
                "[[uplink]]\nname = \"b\"\ndevice = \"eth1\"\nnat = \"masquerade\"\n";
    text = test::replace(text, "[firewall]\n", "[firewall]\nnat = \"none\"\n");
    auto r = load_string(text, "t.toml");
    ASSERT_TRUE(r.profile) << testing::PrintToString(test::lines_of(r, Severity::error));
    EXPECT_EQ(r.profile->uplinks[0].nat, NatMode::none);
    EXPECT_EQ(r.profile->uplinks[1].nat, NatMode::masquerade);
}

TEST(Loader, MissingFileIsOneErrorNotAThrow) {
    auto r = load_file("/nonexistent/vpngw/profile.toml");
    EXPECT_FALSE(r.profile);
    ASSERT_EQ(r.diagnostics.all().size(), 1u);
    EXPECT_EQ(r.diagnostics.all()[0].str(),
              "/nonexistent/vpngw/profile.toml: error: cannot read profile: No such file or "
              "directory");
}

TEST(Loader, SyntaxErrorIsOneDiagnosticAtTomlsPosition) {
    auto r = load_string("[gateway]\nname = \"x\nendpoint = 1\n", "s.toml");
    EXPECT_FALSE(r.profile);
    ASSERT_EQ(r.diagnostics.all().size(), 1u);
    EXPECT_EQ(r.diagnostics.all()[0].where.line, 2);
    EXPECT_NE(r.diagnostics.all()[0].str().find("s.toml:2:"), std::string::npos);
}

TEST(Loader, NoProfileWhenThereAreErrorsButWarningsAreFine) {
    auto with_warning = test::replace(base_profile(), "endpoint = \"vpn.example.net:51820\"\n", "");
    auto r = load_string(with_warning, "t.toml");
    EXPECT_TRUE(r.profile);
    EXPECT_EQ(r.diagnostics.warning_count(), 1u);
    auto broken = load_string(base_profile() + "bogus = 1\n", "t.toml");
    EXPECT_FALSE(broken.profile);
}

// A [[network]] becomes a group with a device, after the WireGuard groups,
// and `group:NAME` reaches it from a group's allow list.
TEST(RoundTrip, NetworksAreGroupsWithADevice) {
    auto text = base_profile() +
                "[[group]]\nname = \"staff\"\nsubnet = \"10.8.1.0/24\"\nallow = [\"group:apps\"]\n"
                "[[network]]\nname = \"apps\"\ndevice = \"br-apps\"\ncreate = \"bridge\"\n"
                "address = [\"172.30.0.1/24\"]\nsubnet = \"172.30.0.0/24\"\nisolate = true\n"
                "[[network]]\nname = \"lan\"\ndevice = \"eth2\"\nsubnet6 = \"fd30::/64\"\n"
                "max_connections = 9\n";
    auto r = load_string(text, "nets.toml");
    ASSERT_TRUE(r.profile) << testing::PrintToString(test::lines_of(r, Severity::error));
    const Profile& p = *r.profile;
    ASSERT_EQ(p.groups.size(), 3u);
    EXPECT_FALSE(p.groups[0].is_network());
    EXPECT_EQ(p.groups[0].interface, "wg0");
    const Group* apps = p.find_group("apps");
    ASSERT_NE(apps, nullptr);
    EXPECT_TRUE(apps->is_network());
    EXPECT_EQ(apps->device, "br-apps");
    EXPECT_TRUE(apps->create_bridge);
    ASSERT_EQ(apps->addresses.size(), 1u);
    EXPECT_EQ(apps->addresses[0].str(), "172.30.0.1/24");
    EXPECT_TRUE(apps->isolate);
    EXPECT_EQ(apps->interface, "");  // never defaulted to the only WireGuard interface
    const Group* lan = p.find_group("lan");
    ASSERT_NE(lan, nullptr);
    EXPECT_FALSE(lan->create_bridge);
    EXPECT_TRUE(lan->addresses.empty());
    EXPECT_FALSE(lan->subnet);
    EXPECT_EQ(lan->max_connections, 9u);
    EXPECT_EQ(lan->origin.at("device"), (Location{"nets.toml", 23, 10}));
}

}  // namespace
}  // namespace vpngw::profile
