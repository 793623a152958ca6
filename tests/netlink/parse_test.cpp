#include "netlink/parse.hpp"

#include <gtest/gtest.h>
#include <linux/netlink.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstring>

namespace vpngw::netlink {
namespace {

// An NLMSG_ERROR or NLMSG_DONE carrying `code` (no TLVs).
struct Reply {
    alignas(nlmsghdr) std::array<std::uint8_t, 64> bytes{};
    nlmsghdr* nlh() { return reinterpret_cast<nlmsghdr*>(bytes.data()); }
    Reply(std::uint16_t type, int code) {
        nlh()->nlmsg_type = type;
        if (type == NLMSG_ERROR) {
            nlh()->nlmsg_len = NLMSG_HDRLEN + sizeof(nlmsgerr);
            nlmsgerr err{};
            err.error = code;
            err.msg.nlmsg_len = sizeof(nlmsghdr);
            std::memcpy(bytes.data() + NLMSG_HDRLEN, &err, sizeof err);
        } else {
            nlh()->nlmsg_len = NLMSG_HDRLEN + sizeof(int);
            std::memcpy(bytes.data() + NLMSG_HDRLEN, &code, sizeof code);
        }
    }
};

TEST(NetlinkAck, KernelErrorCodesBecomeErrnos) {
    EXPECT_EQ(parse_ack(Reply(NLMSG_ERROR, 0).nlh()).error, 0);
    EXPECT_EQ(parse_ack(Reply(NLMSG_ERROR, -ENODEV).nlh()).error, ENODEV);
    EXPECT_EQ(parse_done(Reply(NLMSG_DONE, -EINTR).nlh()).error, EINTR);
    EXPECT_EQ(parse_done(Reply(NLMSG_DONE, 0).nlh()).error, 0);
}

// Negating INT_MIN was undefined behaviour (found by netlink_fuzz); codes the
// kernel never sends are a malformed message, not an errno.
TEST(NetlinkAck, CodesOutsideTheErrnoRangeAreMalformed) {
    for (int code : {INT_MIN, -4096, 5, INT_MAX})
        EXPECT_EQ(parse_ack(Reply(NLMSG_ERROR, code).nlh()).error, EBADMSG) << code;
    EXPECT_EQ(parse_done(Reply(NLMSG_DONE, INT_MIN).nlh()).error, EBADMSG);
}

}  // namespace
}  // namespace vpngw::netlink
