#include "netlink/sysctl.hpp"

#include <gtest/gtest.h>

#include "netlink/write/sysctl.hpp"
#include "support/netns_environment.hpp"
#include "support/shell.hpp"

namespace vpngw::netlink::test {
namespace {

// Writes happen only here, inside the test's own network namespace.
using Sysctl = NetnsTest;

std::string sysctl_tool(const std::string& key) {
    auto out = shell("sysctl -n " + key);
    EXPECT_EQ(out.status, 0) << out.text;
    while (!out.text.empty() && out.text.back() == '\n') out.text.pop_back();
    return out.text;
}

TEST_F(Sysctl, ReadAgreesWithSysctlTool) {
    auto v = read_sysctl("net.ipv4.ip_forward");
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_EQ(*v, sysctl_tool("net.ipv4.ip_forward"));
    auto lo = read_sysctl("net.ipv6.conf.lo.disable_ipv6");
    ASSERT_TRUE(lo) << lo.error().message;
    EXPECT_EQ(*lo, sysctl_tool("net.ipv6.conf.lo.disable_ipv6"));
}

TEST_F(Sysctl, WriteChangesTheNamespaceValue) {
    auto before = read_sysctl("net.ipv4.ip_forward");
    ASSERT_TRUE(before);
    const std::string flipped = *before == "1" ? "0" : "1";
    auto st = write_sysctl("net.ipv4.ip_forward", flipped);
    ASSERT_TRUE(st) << st.error().message;
    EXPECT_EQ(sysctl_tool("net.ipv4.ip_forward"), flipped);
    auto after = read_sysctl("net.ipv4.ip_forward");
    ASSERT_TRUE(after);
    EXPECT_EQ(*after, flipped);
}

TEST_F(Sysctl, SlashKeysReachInterfacesWithDots) {
    must("ip link add va.5 type veth peer name vb");
    auto st = write_sysctl("net/ipv4/conf/va.5/forwarding", "1");
    ASSERT_TRUE(st) << st.error().message;
    EXPECT_EQ(sysctl_tool("net/ipv4/conf/va.5/forwarding"), "1");
}

TEST_F(Sysctl, ErrorsNameKeyAndCause) {
    auto missing = read_sysctl("net.ipv4.no_such_knob");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message,
              "reading sysctl net.ipv4.no_such_knob: No such file or directory");
    auto bad = write_sysctl("net.ipv4.ip_forward", "maybe");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message,
              "writing \"maybe\" to sysctl net.ipv4.ip_forward: Invalid argument");
}

}  // namespace
}  // namespace vpngw::netlink::test
