// The generic netlink builder and parser against hand-assembled byte dumps,
// and the splitting of large peer lists, all without the kernel module.

#include "wg/genl_message.hpp"

#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>

#include <array>
#include <cstring>
#include <map>
#include <set>

#include "golden_file.hpp"

namespace vpngw::wg {
namespace {

using test::hex_dump;
using test::read_golden;

SecretKey filled_secret(std::uint8_t b) {
    SecretKey k;
    std::memset(k.data(), b, SecretKey::size());
    return k;
}

PublicKey filled_public(std::uint8_t b) {
    PublicKey k;
    k.bytes.fill(b);
    return k;
}

Prefix prefix(const char* text) {
    auto p = Prefix::parse(text);
    EXPECT_TRUE(p) << text;
    return p.value_or(Prefix{});
}

// Test-side attribute walk with libmnl's own validity checks, independent of
// the parser under test.
template <class F>
void each_attr(const void* start, std::size_t len, F f) {
    auto* a = static_cast<const nlattr*>(start);
    int left = static_cast<int>(len);
    while (mnl_attr_ok(a, left)) {
        f(a);
        left -= static_cast<int>(MNL_ALIGN(a->nla_len));
        a = mnl_attr_next(a);
    }
    EXPECT_EQ(left, 0) << "trailing bytes after attributes";
}

template <class F>
void each_nested(const nlattr* nest, F f) {
    each_attr(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), f);
}

TEST(GenlMessage, SetDeviceMatchesHandAssembledBytes) {
    DeviceConfig cfg;
    cfg.private_key = filled_secret(0x11);
    cfg.listen_port = 51820;
    cfg.fwmark = 0x42;
    cfg.replace_peers = true;
    cfg.remove_peers.push_back(filled_public(0x44));
    PeerConfig p;
    p.public_key = filled_public(0x22);
    p.preshared_key = filled_secret(0x33);
    p.endpoint = Endpoint{"192.0.2.1", 51820};
    p.keepalive = 25;
    p.allowed_ips = {prefix("10.0.0.2/32"), prefix("fd00::2/128")};
    cfg.peers.push_back(p);

    auto msgs = genl::build_set_device("wg0", cfg, {0x21, 1, 0});
    ASSERT_TRUE(msgs) << msgs.error().message;
    auto golden = read_golden("set_device_small.hex");
    ASSERT_EQ(msgs->size(), golden.size());
    EXPECT_EQ(hex_dump((*msgs)[0].bytes()), hex_dump(golden[0]));
}

TEST(GenlMessage, GetFamilyMatchesHandAssembledBytes) {
    auto msg = genl::build_get_family({0, 9, 0x1234});
    auto golden = read_golden("get_family.hex");
    ASSERT_EQ(golden.size(), 1u);
    EXPECT_EQ(hex_dump(msg.bytes()), hex_dump(golden[0]));
}

TEST(GenlMessage, GetDeviceIsADumpRequest) {
    auto msg = genl::build_get_device("wg-test", {0x21, 5, 0});
    const nlmsghdr* h = msg.header();
    EXPECT_EQ(h->nlmsg_type, 0x21);
    EXPECT_EQ(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP);
    EXPECT_EQ(h->nlmsg_len, msg.bytes().size());
    auto* g = static_cast<const genlmsghdr*>(mnl_nlmsg_get_payload(h));
    EXPECT_EQ(g->cmd, WG_CMD_GET_DEVICE);
    int attrs = 0;
    each_attr(mnl_nlmsg_get_payload_offset(h, sizeof(genlmsghdr)),
              h->nlmsg_len - NLMSG_HDRLEN - sizeof(genlmsghdr), [&](const nlattr* a) {
                  ++attrs;
                  EXPECT_EQ(mnl_attr_get_type(a), WGDEVICE_A_IFNAME);
                  EXPECT_STREQ(mnl_attr_get_str(a), "wg-test");
              });
    EXPECT_EQ(attrs, 1);
}

TEST(GenlMessage, ParsesHandAssembledDumpReply) {
    auto golden = read_golden("get_device_reply.hex");
    ASSERT_EQ(golden.size(), 2u);
    genl::DeviceDumpParser parser;
    for (const auto& m : golden) {
        ASSERT_EQ(reinterpret_cast<const nlmsghdr*>(m.data())->nlmsg_len, m.size());
        auto s = parser.feed(reinterpret_cast<const nlmsghdr*>(m.data()));
        ASSERT_TRUE(s) << s.error().message;
    }
    const ObservedDevice& d = parser.device();
    EXPECT_EQ(d.ifname, "wg0");
    ASSERT_TRUE(d.public_key);
    EXPECT_EQ(*d.public_key, filled_public(0xaa));
    EXPECT_EQ(d.listen_port, 51820);
    EXPECT_EQ(d.fwmark, 0x42u);
    ASSERT_EQ(d.peers.size(), 2u);

    const ObservedPeer& a = d.peers[0];
    EXPECT_EQ(a.public_key, filled_public(0xbb));
    EXPECT_FALSE(a.has_preshared_key);
    ASSERT_TRUE(a.endpoint);
    EXPECT_EQ(a.endpoint->str(), "[2001:db8::1]:51821");
    EXPECT_EQ(a.keepalive, 25);
    EXPECT_EQ(a.last_handshake_sec, 1700000000);
    EXPECT_EQ(a.last_handshake_nsec, 5);
    EXPECT_EQ(a.rx_bytes, 1000u);
    EXPECT_EQ(a.tx_bytes, 2000u);
    EXPECT_EQ(a.allowed_ips, (std::vector<Prefix>{prefix("10.0.0.2/32"), prefix("10.0.1.0/24")}));

    const ObservedPeer& b = d.peers[1];
    EXPECT_EQ(b.public_key, filled_public(0xcc));
    EXPECT_TRUE(b.has_preshared_key);
    EXPECT_FALSE(b.endpoint);
    EXPECT_TRUE(b.allowed_ips.empty());
}

// A reply whose payload is shorter than the genl header has no attributes
// (the attribute range's length went negative and wrapped: found by
// wg_genl_fuzz, reported by UBSan in a VPNGW_SANITIZE build).
TEST(GenlMessage, PayloadShorterThanTheGenlHeaderHasNoAttributes) {
    alignas(nlmsghdr) std::array<std::uint8_t, 64> bytes{};
    auto* nlh = reinterpret_cast<nlmsghdr*>(bytes.data());
    nlh->nlmsg_len = NLMSG_HDRLEN + 2;  // 2 of genlmsghdr's 4 bytes
    nlh->nlmsg_type = 0x10;
    EXPECT_FALSE(genl::parse_family_id(nlh));
    genl::DeviceDumpParser parser;
    EXPECT_FALSE(parser.feed(nlh));
    EXPECT_TRUE(parser.device().peers.empty());
}

TEST(GenlMessage, RejectsTruncatedAllowedIp) {
    auto golden = read_golden("get_device_reply.hex");
    auto m = golden[1];
    // Make the continued peer's allowed-ip claim a 3-byte IPv4 address.
    // Offset: 20 (headers) + 8 + 8 + 4 (PEERS) + 4 (peer) + 36 (key) + 4 (ALLOWEDIPS)
    // + 4 (allowed-ip) + 8 (FAMILY) = 96 is the IPADDR attribute header.
    ASSERT_EQ(m[96], 0x08);
    ASSERT_EQ(m[98], 0x02);
    m[96] = 0x07;
    genl::DeviceDumpParser parser;
    EXPECT_FALSE(parser.feed(reinterpret_cast<const nlmsghdr*>(m.data())));
}

// What one SET_DEVICE message says, read back with the test's own walker.
struct Decoded {
    std::uint32_t seq = 0;
    bool has_private_key = false;
    bool replace_peers = false;
    struct Peer {
        PublicKey key;
        std::uint32_t flags = 0;
        bool has_endpoint = false;
        std::vector<Prefix> ips;
    };
    std::vector<Peer> peers;
};

Decoded decode(const genl::Message& m) {
    Decoded d;
    const nlmsghdr* h = m.header();
    EXPECT_EQ(h->nlmsg_len, m.bytes().size());
    d.seq = h->nlmsg_seq;
    each_attr(
        mnl_nlmsg_get_payload_offset(h, sizeof(genlmsghdr)),
        h->nlmsg_len - NLMSG_HDRLEN - sizeof(genlmsghdr), [&](const nlattr* a) {
            switch (mnl_attr_get_type(a)) {
                case WGDEVICE_A_PRIVATE_KEY:
                    d.has_private_key = true;
                    break;
                case WGDEVICE_A_FLAGS:
                    d.replace_peers = mnl_attr_get_u32(a) & WGDEVICE_F_REPLACE_PEERS;
                    break;
                case WGDEVICE_A_PEERS:
                    each_nested(a, [&](const nlattr* pa) {
                        Decoded::Peer p;
                        each_nested(pa, [&](const nlattr* x) {
                            switch (mnl_attr_get_type(x)) {
                                case WGPEER_A_PUBLIC_KEY:
                                    std::memcpy(p.key.bytes.data(), mnl_attr_get_payload(x), 32);
                                    break;
                                case WGPEER_A_FLAGS:
                                    p.flags = mnl_attr_get_u32(x);
                                    break;
                                case WGPEER_A_ENDPOINT:
                                    p.has_endpoint = true;
                                    break;
                                case WGPEER_A_ALLOWEDIPS:
                                    each_nested(x, [&](const nlattr* ip) {
                                        Prefix pr;
                                        each_nested(ip, [&](const nlattr* f) {
                                            if (mnl_attr_get_type(f) == WGALLOWEDIP_A_IPADDR) {
                                                pr.addr.family = mnl_attr_get_payload_len(f) == 4
                                                                     ? Family::v4
                                                                     : Family::v6;
                                                std::memcpy(pr.addr.bytes.data(),
                                                            mnl_attr_get_payload(f),
                                                            mnl_attr_get_payload_len(f));
                                            }
                                            if (mnl_attr_get_type(f) == WGALLOWEDIP_A_CIDR_MASK)
                                                pr.len = mnl_attr_get_u8(f);
                                        });
                                        p.ips.push_back(pr);
                                    });
                                    break;
                            }
                        });
                        d.peers.push_back(p);
                    });
                    break;
            }
        });
    return d;
}

PublicKey numbered_key(std::uint32_t i) {
    PublicKey k;
    k.bytes.fill(0x5a);
    std::memcpy(k.bytes.data(), &i, sizeof i);
    return k;
}

TEST(GenlMessage, SplitsTwoThousandPeersAcrossMessages) {
    constexpr std::size_t kPeers = 2000, kMax = 4096, kWidePeer = 777, kWideIps = 700;
    DeviceConfig cfg;
    cfg.private_key = filled_secret(0x11);
    cfg.listen_port = 51820;
    cfg.replace_peers = true;
    for (std::uint32_t i = 0; i < kPeers; ++i) {
        PeerConfig p;
        p.public_key = numbered_key(i);
        p.endpoint = Endpoint{"198.51.100." + std::to_string(i % 250 + 1), 51820};
        p.allowed_ips.push_back(Prefix{IpAddress::v4(0x0a000000u + i), 32});
        // One peer with so many allowed-ips that it cannot fit one message.
        if (i == kWidePeer)
            for (std::uint32_t j = 1; j < kWideIps; ++j)
                p.allowed_ips.push_back(Prefix{IpAddress::v4(0x0b000000u + j), 32});
        cfg.peers.push_back(std::move(p));
    }
    for (std::uint32_t i = 0; i < 50; ++i) cfg.remove_peers.push_back(numbered_key(100000 + i));

    auto msgs = genl::build_set_device("wg0", cfg, {0x21, 1000, 42}, kMax);
    ASSERT_TRUE(msgs) << msgs.error().message;
    ASSERT_GT(msgs->size(), 10u);

    std::map<PublicKey, std::vector<Prefix>> ips;
    std::map<PublicKey, int> fragments, replace_flags;
    std::set<PublicKey> removed;
    std::vector<PublicKey> order;
    for (std::size_t i = 0; i < msgs->size(); ++i) {
        const auto& m = (*msgs)[i];
        EXPECT_LE(m.bytes().size(), kMax) << "message " << i;
        Decoded d = decode(m);
        EXPECT_EQ(d.seq, 1000 + i);
        EXPECT_EQ(d.replace_peers, i == 0) << "message " << i;
        EXPECT_EQ(d.has_private_key, i == 0) << "message " << i;
        EXPECT_FALSE(d.peers.empty()) << "message " << i;
        for (const auto& p : d.peers) {
            if (p.flags & WGPEER_F_REMOVE_ME) {
                EXPECT_TRUE(removed.insert(p.key).second);
                continue;
            }
            if (order.empty() || !(order.back() == p.key)) order.push_back(p.key);
            ++fragments[p.key];
            if (p.flags & WGPEER_F_REPLACE_ALLOWEDIPS) {
                ++replace_flags[p.key];
                EXPECT_EQ(fragments[p.key], 1) << "REPLACE_ALLOWEDIPS on a continuation";
                EXPECT_TRUE(p.has_endpoint);
            } else {
                EXPECT_FALSE(p.has_endpoint) << "continuations carry only allowed-ips";
            }
            auto& v = ips[p.key];
            v.insert(v.end(), p.ips.begin(), p.ips.end());
        }
    }
    EXPECT_EQ(removed.size(), 50u);
    ASSERT_EQ(order.size(), kPeers) << "a peer appears twice or not at all";
    EXPECT_GT(fragments[numbered_key(kWidePeer)], 1) << "the wide peer was not split";
    for (std::uint32_t i = 0; i < kPeers; ++i) {
        const PublicKey k = numbered_key(i);
        EXPECT_EQ(order[i], k);
        EXPECT_EQ(replace_flags[k], 1);
        EXPECT_EQ(ips[k], cfg.peers[i].allowed_ips) << "peer " << i;
        if (i != kWidePeer) {
            EXPECT_EQ(fragments[k], 1) << "peer " << i;
        }
    }
}

TEST(GenlMessage, EmptyConfigWithReplaceIsOneMessage) {
    DeviceConfig cfg;
    cfg.replace_peers = true;
    auto msgs = genl::build_set_device("wg0", cfg, {0x21, 1, 0});
    ASSERT_TRUE(msgs);
    ASSERT_EQ(msgs->size(), 1u);
    Decoded d = decode((*msgs)[0]);
    EXPECT_TRUE(d.replace_peers);
    EXPECT_TRUE(d.peers.empty());
}

TEST(GenlMessage, RejectsNamesAndEndpointsTheKernelCannotTake) {
    DeviceConfig cfg;
    PeerConfig p;
    p.public_key = filled_public(1);
    p.endpoint = Endpoint{"vpn.example.net", 51820};
    cfg.peers.push_back(p);
    auto msgs = genl::build_set_device("wg0", cfg, {0x21, 1, 0});
    ASSERT_FALSE(msgs);
    EXPECT_NE(msgs.error().message.find("vpn.example.net"), std::string::npos);
    EXPECT_FALSE(genl::build_set_device("a-name-that-is-too-long", {}, {0x21, 1, 0}));
    EXPECT_FALSE(genl::build_set_device("wg0", {}, {0x21, 1, 0}, 64));
}

}  // namespace
}  // namespace vpngw::wg
