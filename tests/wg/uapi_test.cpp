// The UAPI text protocol: what vpngw writes for a set and how it reads a get.

#include "wg/uapi.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace vpngw::wg {
namespace {

PublicKey filled_public(std::uint8_t b) {
    PublicKey k;
    k.bytes.fill(b);
    return k;
}

std::string hex64(const char* two) {
    std::string s;
    for (int i = 0; i < 32; ++i) s += two;
    return s;
}

Result<std::string> format(const DeviceConfig& cfg, std::vector<std::size_t>* chunks = nullptr) {
    std::string out;
    auto s = uapi::write_set_request(cfg, [&](std::string_view chunk) {
        out.append(chunk);
        if (chunks) chunks->push_back(chunk.size());
        return ok_status();
    });
    if (!s) return s.error();
    return out;
}

TEST(Uapi, FormatsASetRequest) {
    DeviceConfig cfg;
    cfg.private_key = SecretKey{};
    std::memset(cfg.private_key->data(), 0x11, 32);
    cfg.listen_port = 51820;
    cfg.fwmark = 0;
    cfg.replace_peers = true;
    cfg.remove_peers.push_back(filled_public(0x44));
    PeerConfig p;
    p.public_key = filled_public(0x22);
    p.preshared_key = SecretKey{};
    std::memset(p.preshared_key->data(), 0x33, 32);
    p.endpoint = Endpoint{"2001:db8::1", 51821};
    p.keepalive = 25;
    p.allowed_ips = {*Prefix::parse("10.0.0.2/32"), *Prefix::parse("fd00::2/128")};
    cfg.peers.push_back(p);
    PeerConfig q;
    q.public_key = filled_public(0x55);
    q.replace_allowed_ips = false;
    q.endpoint = Endpoint{"192.0.2.1", 1};
    q.allowed_ips = {*Prefix::parse("10.9.0.0/16")};
    cfg.peers.push_back(q);

    auto text = format(cfg);
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_EQ(*text,
              "set=1\n"
              "private_key=" +
                  hex64("11") +
                  "\n"
                  "listen_port=51820\n"
                  "fwmark=0\n"
                  "replace_peers=true\n"
                  "public_key=" +
                  hex64("44") +
                  "\n"
                  "remove=true\n"
                  "public_key=" +
                  hex64("22") +
                  "\n"
                  "preshared_key=" +
                  hex64("33") +
                  "\n"
                  "endpoint=[2001:db8::1]:51821\n"
                  "persistent_keepalive_interval=25\n"
                  "replace_allowed_ips=true\n"
                  "allowed_ip=10.0.0.2/32\n"
                  "allowed_ip=fd00::2/128\n"
                  "public_key=" +
                  hex64("55") +
                  "\n"
                  "endpoint=192.0.2.1:1\n"
                  "allowed_ip=10.9.0.0/16\n"
                  "\n");
}

TEST(Uapi, StreamsLargeRequestsInBoundedChunks) {
    DeviceConfig cfg;
    for (std::uint32_t i = 0; i < 5000; ++i) {
        PeerConfig p;
        p.public_key.bytes.fill(0);
        std::memcpy(p.public_key.bytes.data(), &i, sizeof i);
        p.allowed_ips.push_back(Prefix{IpAddress::v4(0x0a000000u + i), 32});
        cfg.peers.push_back(p);
    }
    std::vector<std::size_t> chunks;
    auto text = format(cfg, &chunks);
    ASSERT_TRUE(text);
    EXPECT_GT(chunks.size(), 5u);
    for (auto c : chunks) EXPECT_LE(c, 65536u + 512u);
    // Every peer once, in order, and the request ends with a blank line.
    std::size_t peers = 0, pos = 0;
    while ((pos = text->find("public_key=", pos)) != std::string::npos) ++peers, ++pos;
    EXPECT_EQ(peers, 5000u);
    EXPECT_NE(text->find("allowed_ip=10.0.19.135/32\n"), std::string::npos);  // peer 4999
    EXPECT_EQ(text->substr(text->size() - 2), "\n\n");
}

TEST(Uapi, RefusesNamesAsEndpointsBeforeWritingAnything) {
    DeviceConfig cfg;
    PeerConfig p;
    p.endpoint = Endpoint{"vpn.example.net", 51820};
    cfg.peers.push_back(p);
    bool wrote = false;
    auto s = uapi::write_set_request(cfg, [&](std::string_view) {
        wrote = true;
        return ok_status();
    });
    EXPECT_FALSE(s);
    EXPECT_FALSE(wrote);
}

TEST(Uapi, SinkErrorsStopTheRequest) {
    DeviceConfig cfg;
    cfg.listen_port = 1;
    auto s =
        uapi::write_set_request(cfg, [](std::string_view) -> Status { return Error{"EPIPE"}; });
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().message, "EPIPE");
}

TEST(Uapi, ParsesAGetResponse) {
    // The private key is a known pair: `wg pubkey` gives MhBzmIBr...
    const std::string response =
        "private_key=10786da17557a675f3df5731f27ac0c507ef691a9ed6f7f7e371954b212da945\n"
        "listen_port=51820\n"
        "fwmark=66\n"
        "public_key=" +
        hex64("bb") +
        "\n"
        "preshared_key=" +
        hex64("00") +
        "\n"
        "protocol_version=1\n"
        "endpoint=[2001:db8::1]:51821\n"
        "last_handshake_time_sec=1700000000\n"
        "last_handshake_time_nsec=5\n"
        "tx_bytes=2000\n"
        "rx_bytes=1000\n"
        "persistent_keepalive_interval=25\n"
        "allowed_ip=10.0.0.2/32\n"
        "allowed_ip=fd00::/64\n"
        "public_key=" +
        hex64("cc") +
        "\n"
        "preshared_key=" +
        hex64("dd") +
        "\n"
        "endpoint=192.0.2.7:4000\n"
        "some_future_key=whatever\n"
        "errno=0\n"
        "\n";
    auto dev = uapi::parse_get_response(response);
    ASSERT_TRUE(dev) << dev.error().message;
    ASSERT_TRUE(dev->public_key);
    EXPECT_EQ(dev->public_key->base64(), "MhBzmIBrzw8b8iF2FH4ejh/7Vumn6Q/KoR0H5+o7mlY=");
    EXPECT_EQ(dev->listen_port, 51820);
    EXPECT_EQ(dev->fwmark, 66u);
    ASSERT_EQ(dev->peers.size(), 2u);
    const auto& a = dev->peers[0];
    EXPECT_EQ(a.public_key, filled_public(0xbb));
    EXPECT_FALSE(a.has_preshared_key);
    ASSERT_TRUE(a.endpoint);
    EXPECT_EQ(a.endpoint->str(), "[2001:db8::1]:51821");
    EXPECT_EQ(a.last_handshake_sec, 1700000000);
    EXPECT_EQ(a.last_handshake_nsec, 5);
    EXPECT_EQ(a.tx_bytes, 2000u);
    EXPECT_EQ(a.rx_bytes, 1000u);
    EXPECT_EQ(a.keepalive, 25);
    EXPECT_EQ(a.allowed_ips,
              (std::vector<Prefix>{*Prefix::parse("10.0.0.2/32"), *Prefix::parse("fd00::/64")}));
    const auto& b = dev->peers[1];
    EXPECT_TRUE(b.has_preshared_key);
    EXPECT_EQ(b.endpoint->str(), "192.0.2.7:4000");
    EXPECT_EQ(dev->find_peer(filled_public(0xcc)), &b);
    EXPECT_EQ(dev->find_peer(filled_public(0x01)), nullptr);
}

TEST(Uapi, GetWithoutPrivateKeyHasNoPublicKey) {
    auto dev = uapi::parse_get_response("listen_port=0\nerrno=0\n\n");
    ASSERT_TRUE(dev);
    EXPECT_FALSE(dev->public_key);
    EXPECT_TRUE(dev->peers.empty());
}

TEST(Uapi, GetErrorsAreReported) {
    EXPECT_FALSE(uapi::parse_get_response("errno=-22\n\n"));
    EXPECT_FALSE(uapi::parse_get_response("listen_port=1\n"));                     // no end
    EXPECT_FALSE(uapi::parse_get_response("allowed_ip=10.0.0.0/8\nerrno=0\n\n"));  // no peer
    EXPECT_FALSE(uapi::parse_get_response("listen_port=x\nerrno=0\n\n"));
    EXPECT_FALSE(uapi::parse_get_response("public_key=abc\nerrno=0\n\n"));
}

TEST(Uapi, ParsesErrnoAnswers) {
    auto ok = uapi::parse_errno_response("errno=0\n");
    ASSERT_TRUE(ok);
    EXPECT_EQ(*ok, 0);
    auto bad = uapi::parse_errno_response("errno=-22\n");
    ASSERT_TRUE(bad);
    EXPECT_EQ(*bad, -22);
    EXPECT_FALSE(uapi::parse_errno_response("hello\n"));
}

}  // namespace
}  // namespace vpngw::wg
