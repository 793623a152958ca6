#include <gtest/gtest.h>

#include <algorithm>

#include "plan/nft_parts.hpp"
#include "plan/nft_ruleset.hpp"
#include "support/fixtures.hpp"

namespace vpngw::plan {
namespace {

using testing::ip;
using testing::pfx;

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\t" + line + "\n") != std::string::npos;
}

// The text of one chain or set block, from its header to its closing brace.
std::string block(const std::string& text, const std::string& header) {
    auto start = text.find("\t" + header + " {\n");
    if (start == std::string::npos) return "";
    auto end = text.find("\n\t}\n", start);
    return text.substr(start, end + 4 - start);
}

TEST(NftRuleset, ReplacesOnlyItsOwnTable) {
    auto text = render_nft_ruleset(testing::minimal());
    EXPECT_EQ(text.find("add table inet vpngw\ndelete table inet vpngw\n\ntable inet vpngw {\n"),
              text.find("add table"));
    EXPECT_EQ(text.find("flush ruleset"), std::string::npos);
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(text.substr(text.size() - 2), "}\n");
}

TEST(NftRuleset, Deterministic) {
    EXPECT_EQ(render_nft_ruleset(testing::office()), render_nft_ruleset(testing::office()));
}

TEST(NftNames, IdentifiersEscapeWhatNftRejects) {
    EXPECT_EQ(nft::group_chain("staff"), "grp_staff");
    EXPECT_EQ(nft::group_chain("a=b+c.d-e_f"), "grp_a/eb/pc.d-e_f");
    EXPECT_EQ(nft::group_set("x", Family::v6), "grp_x_net6");
    EXPECT_EQ(nft::mark(0x51001), "0x00051001");
    EXPECT_EQ(nft::ifname_match({"wg0"}), "\"wg0\"");
    EXPECT_EQ(nft::ifname_match({"wg0", "wg1"}), "{ \"wg0\", \"wg1\" }");
}

TEST(NftSets, EmptySetsHaveNoElementsLine) {
    auto text = render_nft_ruleset(testing::minimal());
    EXPECT_EQ(block(text, "set mgmt4"),
              "\tset mgmt4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\tauto-merge\n\t}\n");
    EXPECT_EQ(block(text, "set wg_ports"),
              "\tset wg_ports {\n\t\ttype inet_service\n\t\telements = { 51820 }\n\t}\n");
    EXPECT_EQ(block(text, "set vpn_nets4"),
              "\tset vpn_nets4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { "
              "10.9.0.0/24 }\n\t}\n");
}

TEST(NftSets, PeerSetsSortedByAddress) {
    auto text = render_nft_ruleset(testing::office());
    EXPECT_EQ(block(text, "set peers4"),
              "\tset peers4 {\n\t\ttype ipv4_addr\n\t\telements = {\n"
              "\t\t\t10.8.1.1,\n"
              "\t\t\t10.8.1.2,\n"
              "\t\t\t10.8.1.5,\n"
              "\t\t\t10.8.2.10\n\t\t}\n\t}\n");
    EXPECT_NE(block(text, "set peers6").find("fd08:0:0:1::5"), std::string::npos);
    // No verdict map of peers: each jump element would make the kernel
    // re-validate them all on every live `peer add`. The one verdict map is
    // of networks behind peers (peer_nets4/6), empty here.
    std::size_t verdict_maps = 0;
    for (auto at = text.find(": verdict"); at != std::string::npos;
         at = text.find(": verdict", at + 1))
        ++verdict_maps;
    EXPECT_EQ(verdict_maps, 2u);
    EXPECT_EQ(block(text, "map peer_nets4"),
              "\tmap peer_nets4 {\n\t\ttype ipv4_addr : verdict\n\t\tflags interval\n\t}\n");
    EXPECT_EQ(block(text, "map egress4"),
              "\tmap egress4 {\n\t\ttype ipv4_addr : mark\n\t\tflags interval\n\t\telements = { "
              "10.8.1.0/24 : 0x00051002, 10.8.2.0/24 : 0x00051001 }\n\t}\n");
}

TEST(NftSets, NestedGroupSubnetsCollapseInVpnNets) {
    auto p = testing::minimal();
    p.groups.push_back(testing::group("inner", "wg0", "10.9.0.128/25"));
    auto text = render_nft_ruleset(p);
    EXPECT_NE(block(text, "set vpn_nets4").find("elements = { 10.9.0.0/24 }"), std::string::npos);
}

TEST(NftMangle, MarksConnectionsPerUplinkAndEgress) {
    auto text = render_nft_ruleset(testing::office());
    auto pre = block(text, "chain prerouting");
    // Packets of marked connections restore the mark and leave the chain
    // right after the uplink anti-spoofing check.
    const auto first = pre.find("\t\t", pre.find("policy accept;"));
    EXPECT_EQ(pre.find("\t\tiifname { \"eth0\", \"eth1\" } ip saddr @vpn_sources4 "
                       "counter name spoofed_drops drop\n"),
              first);
    EXPECT_EQ(pre.find("\t\tct mark != 0 meta mark set ct mark accept\n"),
              pre.find("\t\t", pre.find("\n", pre.find("@vpn_sources6"))));
    EXPECT_TRUE(has_line(
        pre, "iifname \"eth1\" ct state new meta mark set 0x00051002 ct mark set meta mark"));
    // The egress mark is chosen before the connection records it.
    EXPECT_TRUE(has_line(pre,
                         "iifname \"wg0\" ct state new meta mark set ip saddr map @egress4 "
                         "ct mark set meta mark"));
    EXPECT_TRUE(has_line(pre,
                         "iifname \"wg0\" ct state new meta mark set ip6 saddr map @egress6 "
                         "ct mark set meta mark"));
    EXPECT_TRUE(
        has_line(block(text, "chain output"), "meta mark 0 ct mark != 0 meta mark set ct mark"));
    // Nothing to mark without uplinks or egress.
    auto bare = render_nft_ruleset(testing::minimal());
    EXPECT_EQ(block(bare, "chain prerouting"), "");
    EXPECT_EQ(block(bare, "chain output"), "");
}

// What arrives on an uplink from a source that lives behind a client device
// is forged: the set holds the group and network subnets and the gateway's
// own addresses there (as hosts, not the interfaces' whole prefixes).
TEST(NftMangle, UplinkSourcesFromClientSubnetsAreSpoofed) {
    auto p = testing::office();
    p.interfaces[0].addresses = {pfx("10.0.0.1/8"), pfx("fd08::1/48")};
    model::Group lab;
    lab.name = "lab";
    lab.device = "br-lab";
    lab.create_bridge = true;
    lab.subnet = pfx("172.30.0.0/24");
    lab.addresses = {pfx("172.30.0.1/24"), pfx("192.168.7.1/24")};
    p.groups.push_back(lab);
    auto text = render_nft_ruleset(p);
    EXPECT_EQ(block(text, "set vpn_sources4"),
              "\tset vpn_sources4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = {\n"
              "\t\t\t10.0.0.1/32,\n\t\t\t10.8.1.0/24,\n\t\t\t10.8.2.0/24,\n\t\t\t172.30.0.0/24,\n"
              "\t\t\t192.168.7.1/32\n\t\t}\n\t}\n");
    // One rule (one set lookup) per family, whatever the number of groups.
    auto pre = block(text, "chain prerouting");
    EXPECT_TRUE(has_line(pre,
                         "iifname { \"eth0\", \"eth1\" } ip6 saddr @vpn_sources6 counter name "
                         "spoofed_drops drop"));
    std::size_t rules = 0;
    for (auto at = pre.find("spoofed_drops"); at != std::string::npos;
         at = pre.find("spoofed_drops", at + 1))
        ++rules;
    EXPECT_EQ(rules, 2u);
    // No uplink, nothing to guard.
    auto bare = render_nft_ruleset(testing::minimal());
    EXPECT_EQ(bare.find("@vpn_sources"), std::string::npos);
}

TEST(NftInput, PolicyManagementWireguardAndDns) {
    auto text = render_nft_ruleset(testing::office());
    auto in = block(text, "chain input");
    EXPECT_TRUE(has_line(in, "type filter hook input priority filter; policy drop;"));
    EXPECT_TRUE(has_line(in, "udp dport @wg_ports accept"));
    EXPECT_TRUE(has_line(in, "tcp dport 22 ip saddr @mgmt4 accept"));
    EXPECT_EQ(in.find("@mgmt6"), std::string::npos);  // no IPv6 management source
    EXPECT_TRUE(has_line(in,
                         "iifname \"wg0\" ip saddr @grp_staff_net4 ip daddr 10.8.0.1 meta "
                         "l4proto { tcp, udp } th dport 53 accept"));
    EXPECT_TRUE(has_line(in, "limit rate 10/minute log prefix \"vpngw input drop: \""));
    // The counter is the last rule, right before the policy drop.
    EXPECT_EQ(in.rfind("\t\tcounter name input_drops\n\t}\n"), in.size() - 30);
    EXPECT_NE(block(text, "set mgmt4").find("elements = { 198.51.100.7/32 }"), std::string::npos);
}

TEST(NftInput, ManagementOpenOrAbsentAndAcceptPolicy) {
    auto p = testing::minimal();
    auto in = block(render_nft_ruleset(p), "chain input");
    EXPECT_EQ(in.find("dport 22"), std::string::npos);
    p.firewall.management = model::Management{};
    p.firewall.management->port = 2222;
    p.firewall.input = model::Policy::accept;
    in = block(render_nft_ruleset(p), "chain input");
    EXPECT_TRUE(has_line(in, "tcp dport 2222 accept"));
    EXPECT_TRUE(has_line(in, "type filter hook input priority filter; policy accept;"));
    // Accepted packets are not drops.
    EXPECT_EQ(in.find("input_drops"), std::string::npos);
}

TEST(NftForward, PeersClassifiedBySourceThenSpoofedDropped) {
    auto text = render_nft_ruleset(testing::office());
    auto fwd = block(text, "chain forward");
    std::vector<std::string> order = {
        "ct state established,related accept",
        "ct state invalid drop",
        "ct label 127 accept",
        "iifname \"wg0\" ip saddr @peers4 ip saddr vmap { 10.8.1.0/24 : jump "
        "grp_staff, 10.8.2.0/24 : jump grp_servers }",
        "iifname \"wg0\" ip6 saddr @peers6 ip6 saddr vmap { "
        "fd08:0:0:1::/64 : jump grp_staff }",
        "iifname \"wg0\" counter name spoofed_drops drop",
        "counter name forward_drops"};
    std::size_t at = 0;
    for (const auto& rule : order) {
        auto pos = fwd.find("\t" + rule + "\n", at);
        ASSERT_NE(pos, std::string::npos) << rule << " missing or out of order in\n" << fwd;
        at = pos;
    }
}

TEST(NftGroups, IsolationFirstThenAllowsThenPolicy) {
    auto text = render_nft_ruleset(testing::office());
    EXPECT_EQ(block(text, "chain grp_staff"),
              "\tchain grp_staff {\n"
              "\t\toifname \"wg0\" ip daddr @grp_staff_net4 counter name forward_drops drop\n"
              "\t\toifname \"wg0\" ip6 daddr @grp_staff_net6 counter name forward_drops drop\n"
              "\t\tip daddr @grp_servers_net4 ct label set 127 accept\n"
              "\t\tip daddr 0.0.0.0/0 ct label set 127 accept\n"
              "\t\tlimit rate 10/minute log prefix \"vpngw forward drop: \"\n"
              "\t\tcounter name forward_drops drop\n"
              "\t}\n");
    EXPECT_EQ(block(text, "chain grp_servers"),
              "\tchain grp_servers {\n"
              "\t\tip daddr 10.1.0.0/16 tcp dport 8000-8100 ct label set 127 accept\n"
              "\t\tudp dport 53 ct label set 127 accept\n"
              "\t\tmeta l4proto { icmp, ipv6-icmp } ct label set 127 accept\n"
              "\t\tlimit rate 10/minute log prefix \"vpngw forward drop: \"\n"
              "\t\tcounter name forward_drops drop\n"
              "\t}\n");
}

// Only a connection's first packet reaches a group chain, so the limit is
// checked once per connection, before isolation and allow entries.
TEST(NftGroups, ConnectionLimitPerClientWithCtCount) {
    auto p = testing::office();
    p.groups[0].max_connections = 100;
    auto text = render_nft_ruleset(p);
    auto staff = block(text, "chain grp_staff");
    EXPECT_EQ(staff.find("\t\tct state new add @grp_staff_conns4 { ip saddr ct count over 100 } "
                         "counter name forward_drops drop\n"),
              staff.find("\t\t"));
    EXPECT_TRUE(has_line(staff,
                         "ct state new add @grp_staff_conns6 { ip6 saddr ct count over 100 } "
                         "counter name forward_drops drop"));
    EXPECT_EQ(block(text, "set grp_staff_conns4"),
              "\tset grp_staff_conns4 {\n\t\ttype ipv4_addr\n\t\tsize 65535\n\t\tflags "
              "dynamic\n\t}\n");
    EXPECT_EQ(text.find("grp_servers_conns"), std::string::npos);  // no limit there
}

// The peer sets are keyed by address only; with several interfaces the
// group's own interface is checked first.
TEST(NftGroups, SeveralInterfacesCheckTheGroupsInterface) {
    auto p = testing::office();
    EXPECT_EQ(render_nft_ruleset(p).find("iifname != "), std::string::npos);
    p.interfaces.push_back(testing::interface("wg1", {"10.9.0.1/24"}, 51821));
    auto staff = block(render_nft_ruleset(p), "chain grp_staff");
    EXPECT_EQ(staff.find("\t\tiifname != \"wg0\" counter name spoofed_drops drop\n"),
              staff.find("\t\t"));
}

TEST(NftGroups, AcceptPolicyAndProtocolForms) {
    auto p = testing::minimal();
    p.firewall.forward = model::Policy::accept;
    p.groups[0].subnet6 = pfx("fd09::/64");
    p.groups[0].allow = {testing::allow("group:all icmp"), testing::allow("fd00::/8 tcp"),
                         testing::allow("10.0.0.0/8 icmp")};
    auto chain = block(render_nft_ruleset(p), "chain grp_all");
    EXPECT_EQ(chain,
              "\tchain grp_all {\n"
              "\t\tip daddr @grp_all_net4 meta l4proto icmp ct label set 127 accept\n"
              "\t\tip6 daddr @grp_all_net6 meta l4proto ipv6-icmp ct label set 127 accept\n"
              "\t\tip6 daddr fd00::/8 meta l4proto tcp ct label set 127 accept\n"
              "\t\tip daddr 10.0.0.0/8 meta l4proto icmp ct label set 127 accept\n"
              "\t\tct label set 127 accept\n"
              "\t}\n");
}

// Exclusions drop (and count) before any inclusion, wherever they were
// written; isolation still comes first.
TEST(NftGroups, ExclusionsBeforeInclusionsAfterIsolation) {
    auto p = testing::office();
    p.groups[0].subnet6 = pfx("fd08:0:0:1::/64");
    p.groups[0].allow = {testing::allow("any"), testing::allow("!group:servers"),
                         testing::allow("!10.99.0.0/16 tcp/22"), testing::allow("!internet udp")};
    auto text = render_nft_ruleset(p);
    EXPECT_EQ(block(text, "chain grp_staff"),
              "\tchain grp_staff {\n"
              "\t\toifname \"wg0\" ip daddr @grp_staff_net4 counter name forward_drops drop\n"
              "\t\toifname \"wg0\" ip6 daddr @grp_staff_net6 counter name forward_drops drop\n"
              "\t\tip daddr @grp_servers_net4 counter name forward_drops drop\n"
              "\t\tip daddr 10.99.0.0/16 tcp dport 22 counter name forward_drops drop\n"
              "\t\tip daddr != @not_internet4 meta l4proto udp counter name forward_drops drop\n"
              "\t\tip6 daddr != @not_internet6 meta l4proto udp counter name forward_drops drop\n"
              "\t\tct label set 127 accept\n"
              "\t}\n");
}

// "internet" is one negated lookup per family in sets holding the special
// ranges and vpngw's own subnets and interface prefixes.
TEST(NftGroups, InternetIsOneNegatedLookupPerFamily) {
    auto p = testing::office();
    EXPECT_EQ(render_nft_ruleset(p).find("not_internet"), std::string::npos);  // unused: no sets
    p.groups[0].allow = {testing::allow("internet"), testing::allow("internet tcp/443")};
    auto text = render_nft_ruleset(p);
    auto staff = block(text, "chain grp_staff");
    EXPECT_TRUE(has_line(staff, "ip daddr != @not_internet4 ct label set 127 accept"));
    EXPECT_TRUE(has_line(staff, "ip6 daddr != @not_internet6 ct label set 127 accept"));
    EXPECT_TRUE(
        has_line(staff, "ip daddr != @not_internet4 tcp dport 443 ct label set 127 accept"));
    auto set4 = block(text, "set not_internet4");
    EXPECT_NE(set4.find("\t\tflags interval\n\t\tauto-merge\n"), std::string::npos);
    for (const char* range : {"10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                              "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4"})
        EXPECT_NE(set4.find(range), std::string::npos) << range;
    EXPECT_EQ(set4.find("192.0.2.0"), std::string::npos);  // documentation ranges are internet
    auto set6 = block(text, "set not_internet6");
    for (const char* range : {"::/127", "fc00::/7", "fe80::/10", "ff00::/8"})
        EXPECT_NE(set6.find(range), std::string::npos) << range;
    EXPECT_EQ(set6.find("2001:db8"), std::string::npos);
}

TEST(NftInternet, OwnSubnetsAndInterfacePrefixesAreNotInternet) {
    auto p = testing::office();
    p.interfaces[0].addresses.push_back(pfx("2001:db8:5::1/64"));  // public VPN addresses
    p.groups[1].subnet = pfx("198.51.100.0/25");
    auto v4 = nft::not_internet(p, Family::v4);
    auto v6 = nft::not_internet(p, Family::v6);
    EXPECT_NE(std::find(v4.begin(), v4.end(), pfx("198.51.100.0/25")), v4.end());
    EXPECT_NE(std::find(v6.begin(), v6.end(), pfx("2001:db8:5::/64")), v6.end());
    EXPECT_TRUE(std::is_sorted(v4.begin(), v4.end()));
    for (const auto& prefix : v4) EXPECT_EQ(prefix.family(), Family::v4);
    for (const auto& prefix : v6) EXPECT_EQ(prefix.family(), Family::v6);
}

TEST(NftForward, MssClampFirstUnlessTurnedOff) {
    auto p = testing::office();
    auto forward = block(render_nft_ruleset(p), "chain forward");
    const std::string clamp = "\t\ttcp flags syn tcp option maxseg size set rt mtu\n";
    // Before the established accept, which would take the SYN-ACK.
    EXPECT_LT(forward.find(clamp), forward.find("ct state established,related accept"));
    EXPECT_NE(forward.find(clamp), std::string::npos);
    p.firewall.mss_clamp = false;
    EXPECT_EQ(render_nft_ruleset(p).find("maxseg"), std::string::npos);
}

TEST(NftNat, MasqueradeSnatNoneAndForwards) {
    auto p = testing::office();
    p.uplinks[1].nat = model::NatMode::snat;
    p.uplinks[1].snat_to = ip("198.51.100.5");
    auto text = render_nft_ruleset(p);
    auto post = block(text, "chain nat_postrouting");
    EXPECT_TRUE(has_line(post, "oifname \"eth0\" ip saddr @vpn_nets4 masquerade"));
    EXPECT_TRUE(has_line(post, "oifname \"eth1\" ip saddr @vpn_nets4 snat ip to 198.51.100.5"));
    // No snat_to6: IPv6 falls back to masquerade.
    EXPECT_TRUE(has_line(post, "oifname \"eth1\" ip6 saddr @vpn_nets6 masquerade"));
    EXPECT_TRUE(has_line(
        post, "ip saddr @vpn_nets4 ip daddr 10.8.2.10 tcp dport 443 ct status dnat masquerade"));
    auto pre = block(text, "chain nat_prerouting");
    // Every DNAT labels its connection, so the forward chain knows it as vpngw's.
    EXPECT_TRUE(
        has_line(pre, "iifname \"eth0\" tcp dport 8443 ct label set 127 dnat ip to 10.8.2.10:443"));
    EXPECT_TRUE(has_line(pre,
                         "iifname \"eth0\" ip saddr { 192.0.2.0/24, 198.51.100.64/26 } udp dport "
                         "5353 ct label set 127 dnat ip to 10.8.2.10:53"));
    // Hairpin only for what arrives on a client device.
    EXPECT_TRUE(has_line(pre,
                         "iifname \"wg0\" ip saddr @vpn_nets4 fib daddr type local tcp dport "
                         "8443 ct label set 127 dnat ip to 10.8.2.10:443"));

    p.uplinks[0].nat = model::NatMode::none;
    post = block(render_nft_ruleset(p), "chain nat_postrouting");
    EXPECT_EQ(post.find("\"eth0\""), std::string::npos);
}

TEST(NftNat, Ipv6ForwardTargets) {
    auto p = testing::office();
    p.forwards.resize(1);
    p.forwards[0].to = ip("fd08:0:0:1::5");
    p.forwards[0].allow_from = {pfx("192.0.2.0/24"), pfx("2001:db8:99::/48")};
    auto pre = block(render_nft_ruleset(p), "chain nat_prerouting");
    // Only IPv6 sources can reach an IPv6 target.
    EXPECT_TRUE(has_line(pre,
                         "iifname \"eth0\" ip6 saddr 2001:db8:99::/48 tcp dport 8443 ct label "
                         "set 127 dnat ip6 to [fd08:0:0:1::5]:443"));
    p.forwards[0].allow_from = {pfx("192.0.2.0/24")};
    pre = block(render_nft_ruleset(p), "chain nat_prerouting");
    EXPECT_EQ(pre.find("iifname \"eth0\""), std::string::npos);
}

TEST(NftRuleset, NoInterfacesStillValidText) {
    // The loader requires an interface; the renderer must not emit "{  }".
    auto p = testing::minimal();
    p.interfaces.clear();
    p.groups.clear();
    p.peers.clear();
    auto text = render_nft_ruleset(p);
    EXPECT_EQ(text.find("{  }"), std::string::npos);
    EXPECT_EQ(text.find("iifname {"), std::string::npos);
    EXPECT_EQ(block(text, "set wg_ports"), "\tset wg_ports {\n\t\ttype inet_service\n\t}\n");
}

}  // namespace
}  // namespace vpngw::plan
