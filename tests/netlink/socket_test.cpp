#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include <cerrno>

#include "netlink/addresses.hpp"
#include "netlink/links.hpp"
#include "netlink/write/addresses.hpp"
#include "netlink/write/links.hpp"
#include "support/netns_environment.hpp"
#include "support/shell.hpp"

namespace vpngw::netlink::test {
namespace {

using Socket = NetnsTest;

TEST_F(Socket, BatchReturnsOneAckPerMessageInOrder) {
    must("ip link add va type veth peer name vb");
    auto index = link_index(sock(), "va");
    ASSERT_TRUE(index);
    const int missing_index = *index + 1000;
    MessageBuffer a, b, c;
    nlmsghdr* msgs[] = {
        build_address_message(a, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
                              Prefix::parse("10.1.0.1/24").value(), *index),
        build_address_message(b, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
                              Prefix::parse("10.2.0.1/24").value(), missing_index),
        build_address_message(c, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
                              Prefix::parse("10.3.0.1/24").value(), *index),
    };
    auto acks = sock().batch(msgs);
    ASSERT_TRUE(acks) << acks.error().message;
    ASSERT_EQ(acks->size(), 3u);
    EXPECT_TRUE((*acks)[0].ok()) << (*acks)[0].str();
    EXPECT_EQ((*acks)[1].error, ENODEV) << (*acks)[1].str();
    EXPECT_TRUE((*acks)[2].ok()) << (*acks)[2].str();
    auto ip = shell("ip addr show dev va").text;
    EXPECT_TRUE(has_line(ip, "inet 10.1.0.1/24")) << ip;
    EXPECT_TRUE(has_line(ip, "inet 10.3.0.1/24")) << ip;
    EXPECT_FALSE(has_line(shell("ip addr").text, "10.2.0.1"));
}

TEST_F(Socket, LargeBatchIsSplitAcrossWrites) {
    must("ip link add va type veth peer name vb");
    auto index = link_index(sock(), "va");
    ASSERT_TRUE(index);
    // More messages than one write carries: acks of several writes.
    std::vector<MessageBuffer> bufs(600);
    std::vector<nlmsghdr*> msgs;
    for (std::size_t i = 0; i < bufs.size(); ++i) {
        auto p = Prefix{IpAddress::v4(0x0a640000u + static_cast<std::uint32_t>(i)), 32};
        msgs.push_back(build_address_message(bufs[i], RTM_NEWADDR, NLM_F_CREATE, p, *index));
    }
    auto acks = sock().batch(msgs);
    ASSERT_TRUE(acks) << acks.error().message;
    ASSERT_EQ(acks->size(), msgs.size());
    for (const auto& ack : *acks) EXPECT_TRUE(ack.ok()) << ack.str();
    auto dumped = dump_addresses(sock(), std::string("va"));
    ASSERT_TRUE(dumped);
    EXPECT_EQ(dumped->size(), msgs.size());
    // The socket still pairs replies with requests afterwards.
    auto lo = link_index(sock(), "lo");
    ASSERT_TRUE(lo);
    EXPECT_EQ(*lo, 1);
}

TEST_F(Socket, RequestErrorIsStrerrorWithExtendedAck) {
    MessageBuffer buf;
    nlmsghdr* nlh = buf.start(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_family = AF_UNSPEC;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, "x0");
    nlattr* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
    mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "no-such-kind");
    mnl_attr_nest_end(nlh, info);
    auto ack = sock().exchange(nlh);
    ASSERT_TRUE(ack) << ack.error().message;
    EXPECT_EQ(ack->error, EOPNOTSUPP);
    EXPECT_EQ(ack->message, "Unknown device type");
    EXPECT_EQ(ack->str(), "Operation not supported (Unknown device type)");
}

}  // namespace
}  // namespace vpngw::netlink::test
