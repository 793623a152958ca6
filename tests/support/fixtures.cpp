#include "support/fixtures.hpp"

#include <stdexcept>

namespace vpngw::plan::testing {

IpAddress ip(const char* text) {
    auto a = IpAddress::parse(text);
    if (!a) throw std::invalid_argument(std::string("bad address in test: ") + text);
    return *a;
}

Prefix pfx(const char* text) {
    auto p = Prefix::parse(text);
    if (!p) throw std::invalid_argument(std::string("bad prefix in test: ") + text);
    return *p;
}

PublicKey key(int seed) {
    PublicKey k;
    k.bytes.fill(static_cast<std::uint8_t>(seed * 7 + 1));
    k.bytes[0] = static_cast<std::uint8_t>(seed >> 8);
    k.bytes[1] = static_cast<std::uint8_t>(seed);
    return k;
}

model::Interface interface(const char* name, std::vector<const char*> addresses,
                           std::uint16_t port) {
    model::Interface i;
    i.name = name;
    i.listen_port = port;
    for (const char* a : addresses) i.addresses.push_back(pfx(a));
    return i;
}

model::Group group(const char* name, const char* iface, const char* subnet, const char* subnet6) {
    model::Group g;
    g.name = name;
    g.interface = iface;
    if (subnet) g.subnet = pfx(subnet);
    if (subnet6) g.subnet6 = pfx(subnet6);
    return g;
}

model::Uplink uplink(const char* name, const char* device, const char* gateway, std::uint32_t table,
                     std::uint32_t fwmark) {
    model::Uplink u;
    u.name = name;
    u.device = device;
    if (gateway) u.gateway = ip(gateway);
    u.table = table;
    u.fwmark = fwmark;
    return u;
}

model::Peer peer(const char* name, const char* group, int key_seed) {
    model::Peer p;
    p.name = name;
    p.group = group;
    p.public_key = key(key_seed);
    return p;
}

model::AllowEntry allow(const std::string& text) {
    using model::AllowEntry;
    AllowEntry e;
    e.text = text;
    auto space = text.find(' ');
    std::string target = text.substr(0, space);
    if (target.rfind('!', 0) == 0) {
        e.exclude = true;
        target.erase(0, 1);
    }
    if (target == "any") {
        e.kind = AllowEntry::Kind::any;
    } else if (target == "internet") {
        e.kind = AllowEntry::Kind::internet;
    } else if (target.rfind("group:", 0) == 0) {
        e.kind = AllowEntry::Kind::group;
        e.group = target.substr(6);
    } else {
        e.kind = AllowEntry::Kind::prefix;
        e.prefix = pfx(target.c_str());
    }
    if (space == std::string::npos) return e;
    std::string proto = text.substr(space + 1);
    auto slash = proto.find('/');
    std::string name = proto.substr(0, slash);
    e.proto = name == "tcp"   ? model::Proto::tcp
              : name == "udp" ? model::Proto::udp
                              : model::Proto::icmp;
    if (slash != std::string::npos) {
        std::string ports = proto.substr(slash + 1);
        auto dash = ports.find('-');
        e.port_from = static_cast<std::uint16_t>(std::stoi(ports.substr(0, dash)));
        e.port_to = dash == std::string::npos
                        ? e.port_from
                        : static_cast<std::uint16_t>(std::stoi(ports.substr(dash + 1)));
    }
    return e;
}

model::Profile office() {
    model::Profile p;
    p.gateway.name = "edge-1";
    p.gateway.endpoint = Endpoint::parse("vpn.example.net:51820");
    p.uplinks.push_back(uplink("wan0", "eth0", "203.0.113.1", 51001, 0x51001));
    p.uplinks.push_back(uplink("wan1", "eth1", "198.51.100.1", 51002, 0x51002));
    p.uplinks[1].gateway6 = ip("2001:db8:1::1");
    p.interfaces.push_back(interface("wg0", {"10.8.0.1/16", "fd08::1/48"}));

    auto staff = group("staff", "wg0", "10.8.1.0/24", "fd08:0:0:1::/64");
    staff.egress = "wan1";
    staff.isolate = true;
    staff.allow = {allow("group:servers"), allow("0.0.0.0/0")};
    staff.dns = {ip("10.8.0.1")};
    p.groups.push_back(staff);
    auto servers = group("servers", "wg0", "10.8.2.0/24");
    servers.egress = "wan0";
    servers.allow = {allow("10.1.0.0/16 tcp/8000-8100"), allow("any udp/53"), allow("any icmp")};
    p.groups.push_back(servers);

    model::Forward f;
    f.proto = model::Proto::tcp;
    f.port = 8443;
    f.to = ip("10.8.2.10");
    f.to_port = 443;
    f.uplink = "wan0";
    p.forwards.push_back(f);
    model::Forward dns_fwd = f;
    dns_fwd.proto = model::Proto::udp;
    dns_fwd.port = 5353;
    dns_fwd.to_port = 53;
    dns_fwd.allow_from = {pfx("192.0.2.0/24"), pfx("198.51.100.64/26")};
    p.forwards.push_back(dns_fwd);

    model::Management m;
    m.allow = {pfx("198.51.100.7/32")};
    p.firewall.management = m;
    p.firewall.log_drops = model::RateLimit{10, "minute"};

    auto alice = peer("alice", "staff", 1);
    alice.keepalive = 25;
    p.peers.push_back(alice);
    auto bob = peer("bob", "staff", 2);
    bob.address = ip("10.8.1.5");
    bob.preshared_key_file = "/etc/vpngw/bob.psk";
    p.peers.push_back(bob);
    auto web = peer("web", "servers", 3);
    web.address = ip("10.8.2.10");
    p.peers.push_back(web);
    p.peers.push_back(peer("carol", "staff", 4));
    return p;
}

model::Profile minimal() {
    model::Profile p;
    p.gateway.name = "tiny";
    p.interfaces.push_back(interface("wg0", {"10.9.0.1/24"}));
    auto all = group("all", "wg0", "10.9.0.0/24");
    all.allow = {allow("any")};
    p.groups.push_back(all);
    p.peers.push_back(peer("laptop", "all", 10));
    p.peers.push_back(peer("phone", "all", 11));
    return p;
}

std::vector<std::pair<std::string, model::Profile>> fixture_profiles() {
    return {{"built-office", office()}, {"built-minimal", minimal()}};
}

}  // namespace vpngw::plan::testing
