#include "netlink/addresses.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "netlink/write/addresses.hpp"
#include "support/netns_environment.hpp"
#include "support/shell.hpp"

namespace vpngw::netlink::test {
namespace {

state::Address addr(const char* ifname, const char* prefix) {
    return state::Address{ifname, Prefix::parse(prefix).value(), {}};
}

bool contains(const std::vector<state::Address>& all, const state::Address& a) {
    return std::find(all.begin(), all.end(), a) != all.end();
}

class Addresses : public NetnsTest {
  protected:
    void SetUp() override {
        NetnsTest::SetUp();
        if (HasFatalFailure()) return;
        must("ip link add va type veth peer name vb");
        must("ip link set va up");
        must("ip link set vb up");
    }
};

TEST_F(Addresses, AddShowsInIpAndRoundTrips) {
    const auto v4 = addr("va", "10.8.0.1/16");
    const auto v6 = addr("va", "fd08::1/64");
    ASSERT_TRUE(add_address(sock(), v4));
    auto st = add_address(sock(), v6);
    ASSERT_TRUE(st) << st.error().message;

    auto ip = shell("ip addr show dev va");
    EXPECT_TRUE(has_line(ip.text, "inet 10.8.0.1/16 ")) << ip.text;
    EXPECT_TRUE(has_line(ip.text, "inet6 fd08::1/64 ")) << ip.text;
    // IFA_F_NODAD: usable at once, never "tentative".
    EXPECT_TRUE(has_line(ip.text, "inet6 fd08::1/64 scope global nodad")) << ip.text;

    auto on_va = dump_addresses(sock(), std::string("va"));
    ASSERT_TRUE(on_va) << on_va.error().message;
    EXPECT_TRUE(contains(*on_va, v4));
    EXPECT_TRUE(contains(*on_va, v6));
    for (const auto& a : *on_va) EXPECT_EQ(a.ifname, "va");
}

TEST_F(Addresses, DumpOfOneLinkLeavesOthersOut) {
    must("ip addr add 10.9.0.1/24 dev vb");
    ASSERT_TRUE(add_address(sock(), addr("va", "10.8.0.1/16")));
    auto all = dump_addresses(sock());
    ASSERT_TRUE(all) << all.error().message;
    EXPECT_TRUE(contains(*all, addr("vb", "10.9.0.1/24")));
    EXPECT_TRUE(contains(*all, addr("va", "10.8.0.1/16")));
    EXPECT_TRUE(contains(*all, addr("lo", "127.0.0.1/8")));
    auto on_va = dump_addresses(sock(), std::string("va"));
    ASSERT_TRUE(on_va);
    EXPECT_FALSE(contains(*on_va, addr("vb", "10.9.0.1/24")));
}

TEST_F(Addresses, DeleteRemovesExactlyOne) {
    must("ip addr add 10.9.0.1/24 dev vb");
    const auto v4 = addr("va", "10.8.0.1/16");
    const auto v6 = addr("va", "fd08::1/64");
    ASSERT_TRUE(add_address(sock(), v4));
    ASSERT_TRUE(add_address(sock(), v6));
    auto st = delete_address(sock(), v4);
    ASSERT_TRUE(st) << st.error().message;
    auto ip = shell("ip addr");
    EXPECT_FALSE(has_line(ip.text, "10.8.0.1")) << ip.text;
    EXPECT_TRUE(has_line(ip.text, "inet6 fd08::1/64")) << ip.text;
    EXPECT_TRUE(has_line(ip.text, "inet 10.9.0.1/24")) << ip.text;
    ASSERT_TRUE(delete_address(sock(), v6));
    EXPECT_FALSE(has_line(shell("ip addr").text, "fd08::1"));
}

TEST_F(Addresses, DuplicateAndMissingAreErrorsNamingTheAddress) {
    auto v4 = addr("va", "10.8.0.1/16");
    v4.origin = Location{"gw.toml", 9, 11};
    ASSERT_TRUE(add_address(sock(), v4));
    auto dup = add_address(sock(), v4);
    ASSERT_FALSE(dup);
    EXPECT_EQ(
        dup.error().message,
        "adding address 10.8.0.1/16 on link va: File exists (ipv4: Address already assigned)");
    EXPECT_EQ(dup.error().where, v4.origin);

    auto missing = delete_address(sock(), addr("va", "10.8.0.2/16"));
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("deleting address 10.8.0.2/16 on link va: "),
              std::string::npos)
        << missing.error().message;

    auto no_link = add_address(sock(), addr("wg9", "10.8.0.1/16"));
    ASSERT_FALSE(no_link);
    EXPECT_EQ(no_link.error().message, "adding address 10.8.0.1/16 on link wg9: no link named wg9");
}

}  // namespace
}  // namespace vpngw::netlink::test
