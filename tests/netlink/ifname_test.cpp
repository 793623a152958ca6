#include <gtest/gtest.h>

#include "netlink/links.hpp"

namespace vpngw::netlink {
namespace {

TEST(CheckIfname, AcceptsWhatTheKernelAccepts) {
    EXPECT_TRUE(check_ifname("wg0"));
    EXPECT_TRUE(check_ifname("eth0.100"));
    EXPECT_TRUE(check_ifname("a23456789012345"));  // 15 bytes
}

TEST(CheckIfname, RejectsWhatTheKernelRejects) {
    EXPECT_FALSE(check_ifname(""));
    EXPECT_FALSE(check_ifname("a234567890123456"));  // 16 bytes
    EXPECT_FALSE(check_ifname("wg/0"));
    EXPECT_FALSE(check_ifname("wg:0"));
    EXPECT_FALSE(check_ifname("wg 0"));
    EXPECT_FALSE(check_ifname(".."));
    auto long_name = check_ifname("a234567890123456");
    ASSERT_FALSE(long_name);
    EXPECT_EQ(long_name.error().message, "link name \"a234567890123456\" is longer than 15 bytes");
}

}  // namespace
}  // namespace vpngw::netlink
