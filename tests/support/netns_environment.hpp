#pragma once

// Every test of this executable runs in a network namespace of its own, made
// fresh in the fixture's SetUp, so no test sees another's objects and the
// machine's root namespace is never touched.

#include <gtest/gtest.h>

#include <optional>

#include "netlink/socket.hpp"

namespace vpngw::netlink::test {

class NetnsTest : public ::testing::Test {
  protected:
    // Moves the process into a new, empty network namespace with lo up and
    // opens `sock` there. Fails the test (never skips) without root.
    void SetUp() override;

    NetlinkSocket& sock() { return *sock_; }

  private:
    std::optional<NetlinkSocket> sock_;
};

}  // namespace vpngw::netlink::test
