#include "netlink/framing.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstring>

namespace vpngw::netlink {
namespace {

// Two back-to-back messages of 16 and 20 bytes in an aligned buffer.
struct Buffer {
    alignas(nlmsghdr) std::array<std::uint8_t, 64> bytes{};
    nlmsghdr* at(std::size_t offset) { return reinterpret_cast<nlmsghdr*>(bytes.data() + offset); }
    Buffer() {
        at(0)->nlmsg_len = 16;
        at(16)->nlmsg_len = 20;
    }
};

TEST(NetlinkFraming, WellFramedMessagesWalk) {
    Buffer b;
    EXPECT_TRUE(message_fits(b.at(0), 36));
    EXPECT_TRUE(well_framed(b.bytes.data(), 36));
    EXPECT_TRUE(well_framed(b.bytes.data(), 36 + 3));  // trailing bytes too short for a header
}

// libmnl's mnl_nlmsg_ok accepts these (the length compared as an int is
// negative) and the walk then steps by 0 forever (found by netlink_fuzz).
TEST(NetlinkFraming, LengthsOfTwoToTheThirtyFirstAndMoreDoNotFit) {
    for (std::uint32_t len : {0xffffffffu, 0xfffffffdu, 0x80000000u}) {
        Buffer b;
        b.at(16)->nlmsg_len = len;
        EXPECT_FALSE(message_fits(b.at(16), 20)) << len;
        EXPECT_FALSE(well_framed(b.bytes.data(), 36)) << len;
    }
}

TEST(NetlinkFraming, ShortOrOverlongMessagesDoNotFit) {
    Buffer b;
    b.at(0)->nlmsg_len = 15;  // shorter than its own header
    EXPECT_FALSE(message_fits(b.at(0), 36));
    b.at(0)->nlmsg_len = 40;  // past the buffer
    EXPECT_FALSE(message_fits(b.at(0), 36));
    EXPECT_FALSE(well_framed(b.bytes.data(), 36));
}

}  // namespace
}  // namespace vpngw::netlink
