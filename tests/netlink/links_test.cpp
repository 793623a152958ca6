#include "netlink/links.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "netlink/write/links.hpp"
#include "support/netns_environment.hpp"
#include "support/shell.hpp"

namespace vpngw::netlink::test {
namespace {

// "<BROADCAST,NOARP,UP,LOWER_UP>" holds the UP flag.
bool shows_up(const std::string& ip_link) {
    return std::regex_search(ip_link, std::regex("<[^>]*\\bUP\\b[^>]*>"));
}

// The ifindex `ip -o link` prints first: "4: name: <...".
int ip_ifindex(const std::string& name) {
    auto out = shell("ip -o link show " + name);
    return out.status == 0 ? std::atoi(out.text.c_str()) : -1;
}

using Links = NetnsTest;

// ifb stands in for a virtual link kind this kernel has (no dummy here).
TEST_F(Links, CreateSetsKindMtuAliasAndUp) {
    state::Link link{"vtest0", "ifb", 1400, true, {}};
    auto st = create_link(sock(), link);
    ASSERT_TRUE(st) << st.error().message;

    auto ip = shell("ip -d link show vtest0");
    ASSERT_EQ(ip.status, 0) << ip.text;
    EXPECT_TRUE(has_line(ip.text, "mtu 1400")) << ip.text;
    EXPECT_TRUE(has_line(ip.text, "ifb")) << ip.text;
    EXPECT_TRUE(has_line(ip.text, "alias vpngw")) << ip.text;
    EXPECT_TRUE(shows_up(ip.text)) << ip.text;

    auto found = find_link(sock(), "vtest0");
    ASSERT_TRUE(found) << found.error().message;
    ASSERT_TRUE(found->has_value());
    const LinkInfo& info = **found;
    EXPECT_EQ(info.link, link);  // name, kind, mtu, up
    EXPECT_EQ(info.alias, "vpngw");
    EXPECT_EQ(info.ifindex, ip_ifindex("vtest0"));
}

TEST_F(Links, CreatedDownStaysDown) {
    ASSERT_TRUE(create_link(sock(), state::Link{"vdown0", "ifb", 0, false, {}}));
    auto ip = shell("ip link show vdown0");
    ASSERT_EQ(ip.status, 0) << ip.text;
    EXPECT_FALSE(shows_up(ip.text)) << ip.text;
    auto found = find_link(sock(), "vdown0");
    ASSERT_TRUE(found && found->has_value());
    EXPECT_FALSE((*found)->link.up);
}

TEST_F(Links, DumpListsEveryLinkWithKindAndIndex) {
    must("ip link add va type veth peer name vb");
    must("ip link set va mtu 1380");
    auto links = dump_links(sock());
    ASSERT_TRUE(links) << links.error().message;
    std::map<std::string, LinkInfo> by_name;
    for (const auto& l : *links) by_name[l.link.name] = l;
    ASSERT_EQ(by_name.size(), 3u);  // lo, va, vb
    EXPECT_EQ(by_name["lo"].link.kind, "");
    EXPECT_TRUE(by_name["lo"].link.up);
    EXPECT_EQ(by_name["lo"].ifindex, ip_ifindex("lo"));
    EXPECT_EQ(by_name["va"].link.kind, "veth");
    EXPECT_EQ(by_name["va"].link.mtu, 1380);
    EXPECT_FALSE(by_name["va"].link.up);
    EXPECT_EQ(by_name["va"].ifindex, ip_ifindex("va"));
    EXPECT_EQ(by_name["vb"].ifindex, ip_ifindex("vb"));

    auto names = link_names(sock());
    ASSERT_TRUE(names);
    EXPECT_EQ(names->at(ip_ifindex("vb")), "vb");
}

TEST_F(Links, SetMtuStateAndAlias) {
    must("ip link add vset0 type ifb");
    ASSERT_TRUE(set_link_mtu(sock(), "vset0", 1300));
    ASSERT_TRUE(set_link_up(sock(), "vset0", true));
    ASSERT_TRUE(set_link_alias(sock(), "vset0", "vpngw"));
    auto ip = shell("ip link show vset0");
    EXPECT_TRUE(has_line(ip.text, "mtu 1300")) << ip.text;
    EXPECT_TRUE(shows_up(ip.text)) << ip.text;
    EXPECT_TRUE(has_line(ip.text, "alias vpngw")) << ip.text;

    ASSERT_TRUE(set_link_up(sock(), "vset0", false));
    ASSERT_TRUE(set_link_alias(sock(), "vset0", ""));
    ip = shell("ip link show vset0");
    EXPECT_FALSE(shows_up(ip.text)) << ip.text;
    EXPECT_FALSE(has_line(ip.text, "alias")) << ip.text;
    auto found = find_link(sock(), "vset0");
    ASSERT_TRUE(found && found->has_value());
    EXPECT_EQ((*found)->alias, "");
    EXPECT_EQ((*found)->link.mtu, 1300);
}

TEST_F(Links, MtuErrorCarriesKernelMessageAndOrigin) {
    must("ip link add vmtu0 type veth peer name vmtu1");  // veth: minimum mtu 68
    Location where{"gw.toml", 12, 5};
    auto st = set_link_mtu(sock(), "vmtu0", 10, where);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("setting mtu 10 on link vmtu0: Invalid argument ("),
              std::string::npos)
        << st.error().message;
    EXPECT_EQ(st.error().where, where);
}

TEST_F(Links, DeleteRemovesOnlyThatLink) {
    must("ip link add keep0 type ifb");
    ASSERT_TRUE(create_link(sock(), state::Link{"gone0", "ifb", 0, true, {}}));
    ASSERT_TRUE(delete_link(sock(), "gone0"));
    EXPECT_NE(shell("ip link show gone0").status, 0);
    EXPECT_EQ(shell("ip link show keep0").status, 0);
    auto found = find_link(sock(), "gone0");
    ASSERT_TRUE(found) << found.error().message;
    EXPECT_FALSE(found->has_value());

    auto again = delete_link(sock(), "gone0");
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().message.find("deleting link gone0: No such device"), std::string::npos)
        << again.error().message;
}

TEST_F(Links, IndexOfMissingLinkNamesIt) {
    auto index = link_index(sock(), "nope0");
    ASSERT_FALSE(index);
    EXPECT_EQ(index.error().message, "no link named nope0");
    auto lo = link_index(sock(), "lo");
    ASSERT_TRUE(lo);
    EXPECT_EQ(*lo, ip_ifindex("lo"));
}

TEST_F(Links, OverlongNamesAreRefusedBeforeTheKernel) {
    const std::string name(300, 'x');
    auto found = find_link(sock(), name);
    ASSERT_FALSE(found);
    EXPECT_NE(found.error().message.find("is longer than 15 bytes"), std::string::npos);
    auto created = create_link(sock(), state::Link{name, "ifb", 0, true, {}});
    ASSERT_FALSE(created);
    auto alias = set_link_alias(sock(), "lo", std::string(300, 'a'));
    ASSERT_FALSE(alias);
    EXPECT_NE(alias.error().message.find("longer than 255 bytes"), std::string::npos);
    ASSERT_TRUE(set_link_alias(sock(), "lo", std::string(255, 'a')));
    auto lo = find_link(sock(), "lo");
    ASSERT_TRUE(lo && lo->has_value());
    EXPECT_EQ((*lo)->alias, std::string(255, 'a'));
}

TEST_F(Links, CreateExistingNameFails) {
    must("ip link add taken0 type ifb");
    auto st = create_link(sock(), state::Link{"taken0", "ifb", 0, true, {}});
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("creating link taken0 (ifb): File exists"), std::string::npos)
        << st.error().message;
}

TEST_F(Links, UnknownKindErrorHasKernelText) {
    auto st = create_link(sock(), state::Link{"odd0", "no-such-kind", 0, true, {}});
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("creating link odd0 (no-such-kind): Operation not supported"),
              std::string::npos)
        << st.error().message;
    // The extended ack: the kernel's own words, not only strerror.
    EXPECT_NE(st.error().message.find("(Unknown device type)"), std::string::npos)
        << st.error().message;
}

// Whether this kernel can make WireGuard links decides what create_link must
// do; `ip` (not vpngw) answers that question first.
TEST_F(Links, WireguardLinkOrClearError) {
    const bool kernel_has_wireguard = shell("ip link add wgprobe0 type wireguard").status == 0;
    Location where{"gw.toml", 3, 1};
    auto st = create_link(sock(), state::Link{"wg0", "wireguard", 1420, true, where});
    if (kernel_has_wireguard) {
        ASSERT_TRUE(st) << st.error().message;
        auto found = find_link(sock(), "wg0");
        ASSERT_TRUE(found && found->has_value());
        EXPECT_EQ((*found)->link.kind, "wireguard");
    } else {
        ASSERT_FALSE(st);
        EXPECT_NE(st.error().message.find(
                      "creating link wg0 (wireguard): kernel has no WireGuard support"),
                  std::string::npos)
            << st.error().message;
        EXPECT_EQ(st.error().where, where);
        EXPECT_NE(shell("ip link show wg0").status, 0);
    }
}

}  // namespace
}  // namespace vpngw::netlink::test
