#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "util/ip.hpp"

namespace vpngw {
namespace {

std::string libc_text(const IpAddress& a) {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(a.is_v4() ? AF_INET : AF_INET6, a.bytes.data(), buf, sizeof buf);
    return buf;
}

// IpAddress::str formats by hand for speed; its text must stay exactly what
// inet_ntop wrote before (rulesets, configs and the peers file compare it).
TEST(IpFormat, EqualsInetNtopOnEdgeCases) {
    for (const char* text : {"0.0.0.0",
                             "255.255.255.255",
                             "10.8.1.2",
                             "100.64.0.10",
                             "::",
                             "::1",
                             "1::",
                             "fd08::1",
                             "fd08:0:0:1::2",
                             "fd08:0:0:1:0:0:0:2",
                             "1:0:0:2:0:0:0:3",
                             "1:0:0:2::3",
                             "1:0:2:0:3:0:4:0",
                             "::ffff:1.2.3.4",
                             "::1.2.3.4",
                             "::ffff:0:1.2.3.4",
                             "64:ff9b::192.0.2.1",
                             "1:2:3:4:5:6:7:8",
                             "abcd:ef01:2345:6789:abcd:ef01:2345:6789",
                             "0:0:1::",
                             "1::1:0:0:0",
                             "::0:ffff:1.2.3.4",
                             "::5:ffff:1.2.3.4",
                             "fe80::1:0:0:0"}) {
        auto a = IpAddress::parse(text);
        ASSERT_TRUE(a) << text;
        EXPECT_EQ(a->str(), libc_text(*a)) << text;
    }
}

TEST(IpFormat, EqualsInetNtopOnRandomAddresses) {
    std::mt19937 rng(42);
    for (int n = 0; n < 200000; ++n) {
        IpAddress a;
        a.family = n % 4 == 0 ? Family::v4 : Family::v6;
        // Mostly zero groups, so runs of every length and position occur.
        for (int i = 0; i < a.byte_len(); i += 2) {
            const unsigned r = rng();
            const bool zero = !a.is_v4() && r % 3 != 0;
            a.bytes[i] = zero ? 0 : static_cast<std::uint8_t>(r >> 8);
            a.bytes[i + 1] = zero ? 0 : static_cast<std::uint8_t>(r >> 16 & (r & 4 ? 0x0f : 0xff));
        }
        ASSERT_EQ(a.str(), libc_text(a));
    }
}

}  // namespace
}  // namespace vpngw
