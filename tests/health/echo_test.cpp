#include "health/echo.hpp"

#include <gtest/gtest.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>

#include <vector>

namespace vpngw::health {
namespace {

// What the target sends back: the request with the type turned into a reply
// (a real responder echoes id, sequence and payload unchanged).
std::vector<std::uint8_t> reply_to(bool v6, const Echo& e) {
    auto request = echo_request(v6, e);
    std::vector<std::uint8_t> icmp(request.begin(), request.end());
    icmp[0] = v6 ? std::uint8_t{ICMP6_ECHO_REPLY} : std::uint8_t{ICMP_ECHOREPLY};
    if (v6) return icmp;
    // A raw IPv4 socket delivers the IP header too: 20 bytes, version 4, IHL 5.
    std::vector<std::uint8_t> packet(20, 0);
    packet[0] = 0x45;
    packet[9] = 1;  // ICMP
    packet.insert(packet.end(), icmp.begin(), icmp.end());
    return packet;
}

class EchoReply : public testing::TestWithParam<bool> {};

TEST_P(EchoReply, TheTrueReplyMatches) {
    const bool v6 = GetParam();
    const Echo e = new_echo(0x1234, 7);
    EXPECT_TRUE(is_echo_reply(v6, reply_to(v6, e), e));
}

TEST_P(EchoReply, AForgedReplyWithTheRightIdAndSequenceButAnotherCookieIsRefused) {
    const bool v6 = GetParam();
    const Echo sent = new_echo(0x1234, 7);
    Echo forged = sent;
    forged.cookie.fill(0);  // what an off-path forger (or the old fixed payload) sends
    EXPECT_FALSE(is_echo_reply(v6, reply_to(v6, forged), sent));
    for (std::size_t i = 0; i < kEchoCookieSize; ++i) {  // one flipped bit anywhere
        Echo flipped = sent;
        flipped.cookie[i] ^= 0x01;
        EXPECT_FALSE(is_echo_reply(v6, reply_to(v6, flipped), sent)) << "byte " << i;
    }
}

TEST_P(EchoReply, AnotherIdOrSequenceIsRefused) {
    const bool v6 = GetParam();
    const Echo sent = new_echo(0x1234, 7);
    Echo other_id = sent;
    other_id.id = 0x1235;
    Echo other_seq = sent;
    other_seq.seq = 8;
    EXPECT_FALSE(is_echo_reply(v6, reply_to(v6, other_id), sent));
    EXPECT_FALSE(is_echo_reply(v6, reply_to(v6, other_seq), sent));
}

TEST_P(EchoReply, OurOwnRequestSeenOnTheSocketIsNotAReply) {
    const bool v6 = GetParam();
    const Echo e = new_echo(1, 1);
    auto packet = reply_to(v6, e);
    packet[v6 ? 0 : 20] = v6 ? std::uint8_t{ICMP6_ECHO_REQUEST} : std::uint8_t{ICMP_ECHO};
    EXPECT_FALSE(is_echo_reply(v6, packet, e));
}

TEST_P(EchoReply, TruncatedPacketsAreRefused) {
    const bool v6 = GetParam();
    const Echo e = new_echo(9, 9);
    const auto packet = reply_to(v6, e);
    for (std::size_t n = 0; n < packet.size(); ++n)
        EXPECT_FALSE(is_echo_reply(v6, std::span(packet.data(), n), e)) << n << " bytes";
}

INSTANTIATE_TEST_SUITE_P(Families, EchoReply, testing::Values(false, true),
                         [](const auto& info) { return info.param ? "v6" : "v4"; });

TEST(EchoReplyV4, AnIpHeaderLengthBeyondThePacketIsRefused) {
    const Echo e = new_echo(3, 4);
    auto packet = reply_to(false, e);
    packet[0] = 0x4f;  // IHL 15: 60 bytes of header, more than the packet holds
    EXPECT_FALSE(is_echo_reply(false, packet, e));
}

TEST(EchoCookie, TwoEchoesGetDifferentCookies) {
    // 128 random bits: equal cookies would mean the generator is broken.
    EXPECT_NE(new_echo(1, 1).cookie, new_echo(1, 1).cookie);
}

}  // namespace
}  // namespace vpngw::health
