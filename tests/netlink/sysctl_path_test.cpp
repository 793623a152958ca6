#include <gtest/gtest.h>

#include <cerrno>

#include "netlink/socket.hpp"
#include "netlink/sysctl.hpp"

namespace vpngw::netlink {
namespace {

TEST(SysctlPath, DotsBecomeDirectories) {
    auto p = sysctl_path("net.ipv4.ip_forward");
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(*p, "/proc/sys/net/ipv4/ip_forward");
}

TEST(SysctlPath, SlashesKeepDotsInInterfaceNames) {
    auto p = sysctl_path("net/ipv4/conf/eth0.100/forwarding");
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(*p, "/proc/sys/net/ipv4/conf/eth0.100/forwarding");
}

TEST(SysctlPath, RejectsKeysThatLeaveProcSys) {
    EXPECT_FALSE(sysctl_path(""));
    EXPECT_FALSE(sysctl_path("net..ipv4"));
    EXPECT_FALSE(sysctl_path("net/../../etc/shadow"));
    EXPECT_FALSE(sysctl_path(".net"));
    auto bad = sysctl_path("net/ipv4/");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("net/ipv4/"), std::string::npos);
}

TEST(Ack, TextJoinsStrerrorAndKernelMessage) {
    Ack ack{ENETUNREACH, "Nexthop has invalid gateway"};
    EXPECT_EQ(ack.str(), "Network is unreachable (Nexthop has invalid gateway)");
    EXPECT_FALSE(ack.status());
    EXPECT_EQ(Ack{}.str(), "Success");
    EXPECT_TRUE(Ack{}.status());
}

}  // namespace
}  // namespace vpngw::netlink
