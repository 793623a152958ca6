// The kernel WireGuard backend against a real WireGuard module: peer set and
// get, chunked generic netlink messages for 1,000 peers, removal, and a
// handshake with a `wg`-configured kernel peer in another namespace. The
// build machines have no WireGuard module, so tests/image/boot_test.sh runs
// this binary inside the booted image; elsewhere every test skips.

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <cstring>
#include <sstream>

#include "keys/keys.hpp"
#include "support/netns_sandbox.hpp"
#include "wg/write/kernel_backend.hpp"
#include "wg/write/select_backend.hpp"

namespace vpngw::wg {
namespace {

using test::sh;

SecretKey random_private_key() {
    SecretKey k;
    randombytes_buf(k.data(), SecretKey::size());
    k.data()[0] &= 248;
    k.data()[31] = static_cast<std::uint8_t>((k.data()[31] & 127) | 64);
    return k;
}

PublicKey numbered_key(std::uint32_t i) {
    PublicKey k;
    k.bytes.fill(0x42);
    std::memcpy(k.bytes.data(), &i, sizeof i);
    return k;
}

std::size_t count_lines(const std::string& s) {
    std::size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

class KernelModule : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string why = test::enter_sandbox();
        ASSERT_TRUE(why.empty()) << why;
        if (!kernel_has_wireguard()) GTEST_SKIP() << "this kernel has no WireGuard module";
        ifname_ = "vkm" + std::to_string(getpid() % 100000);
        auto c = backend_.create(ifname_);
        ASSERT_TRUE(c) << c.error().message;
    }
    void TearDown() override {
        if (!ifname_.empty() && backend_.exists(ifname_)) (void)backend_.destroy(ifname_);
    }
    KernelBackend backend_;
    std::string ifname_;
};

TEST_F(KernelModule, SetAndGetOnePeerWithEverything) {
    EXPECT_NE(sh("ip -d link show " + ifname_).out.find("wireguard"), std::string::npos);
    SecretKey priv = random_private_key();
    SecretKey psk = random_private_key();
    DeviceConfig cfg;
    cfg.private_key = priv;
    cfg.listen_port = 51999;
    cfg.fwmark = 0x77;
    PeerConfig p;
    p.public_key = numbered_key(7);
    p.preshared_key = psk;
    p.endpoint = Endpoint{"192.0.2.7", 51820};
    p.keepalive = 25;
    p.allowed_ips = {*Prefix::parse("10.7.0.7/32"), *Prefix::parse("fd07::7/128")};
    cfg.peers.push_back(p);
    auto s = backend_.set(ifname_, cfg);
    ASSERT_TRUE(s) << s.error().message;

    auto dev = backend_.get(ifname_);
    ASSERT_TRUE(dev) << dev.error().message;
    ASSERT_TRUE(dev->public_key);
    EXPECT_EQ(*dev->public_key, keys::public_from_private(priv));
    EXPECT_EQ(dev->listen_port, 51999);
    EXPECT_EQ(dev->fwmark, 0x77u);
    ASSERT_EQ(dev->peers.size(), 1u);
    const auto& got = dev->peers[0];
    EXPECT_EQ(got.public_key, p.public_key);
    EXPECT_TRUE(got.has_preshared_key);
    ASSERT_TRUE(got.endpoint);
    EXPECT_EQ(got.endpoint->str(), "192.0.2.7:51820");
    EXPECT_EQ(got.keepalive, 25);
    EXPECT_EQ(got.allowed_ips, p.allowed_ips);

    // wireguard-tools reads the same device back.
    auto show = sh("wg show " + ifname_ + " allowed-ips");
    EXPECT_NE(show.out.find("10.7.0.7/32 fd07::7/128"), std::string::npos) << show.out;
    EXPECT_EQ(sh("wg show " + ifname_ + " listen-port").out, "51999\n");
}

TEST_F(KernelModule, ThousandPeersInChunkedMessagesThenReplaceAndRemove) {
    DeviceConfig cfg;
    cfg.private_key = random_private_key();
    cfg.replace_peers = true;
    for (std::uint32_t i = 0; i < 1000; ++i) {
        PeerConfig p;
        p.public_key = numbered_key(i);
        p.allowed_ips = {Prefix{IpAddress::v4(0x0a200000u + i), 32},
                         Prefix{IpAddress::v4(0x0b000000u + (i << 8)), 24}};
        cfg.peers.push_back(p);
    }
    // 1,000 peers never fit one 4 KiB message: set must split them, and get
    // must reassemble a multi-part dump.
    auto s = backend_.set(ifname_, cfg);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(count_lines(sh("wg show " + ifname_ + " peers").out), 1000u);
    auto dev = backend_.get(ifname_);
    ASSERT_TRUE(dev) << dev.error().message;
    ASSERT_EQ(dev->peers.size(), 1000u);
    for (std::uint32_t i : {0u, 499u, 999u}) {
        const ObservedPeer* peer = dev->find_peer(numbered_key(i));
        ASSERT_NE(peer, nullptr) << i;
        EXPECT_EQ(peer->allowed_ips, cfg.peers[i].allowed_ips) << i;
    }

    // The same with a tiny message size: many more chunks, same result.
    KernelBackend tiny(1024);
    DeviceConfig again = cfg;
    again.private_key.reset();
    ASSERT_TRUE(tiny.set(ifname_, again));
    auto dev2 = tiny.get(ifname_);
    ASSERT_TRUE(dev2) << dev2.error().message;
    EXPECT_EQ(dev2->peers.size(), 1000u);

    DeviceConfig change;
    change.remove_peers = {numbered_key(1), numbered_key(2)};
    PeerConfig moved;
    moved.public_key = numbered_key(3);
    moved.allowed_ips = {*Prefix::parse("10.99.0.0/16")};
    change.peers.push_back(moved);
    ASSERT_TRUE(backend_.set(ifname_, change));
    auto dev3 = backend_.get(ifname_);
    ASSERT_TRUE(dev3);
    EXPECT_EQ(dev3->peers.size(), 998u);
    EXPECT_EQ(dev3->find_peer(numbered_key(1)), nullptr);
    ASSERT_NE(dev3->find_peer(numbered_key(3)), nullptr);
    EXPECT_EQ(dev3->find_peer(numbered_key(3))->allowed_ips, moved.allowed_ips);

    DeviceConfig one;
    one.replace_peers = true;
    one.peers.push_back(cfg.peers[10]);
    ASSERT_TRUE(backend_.set(ifname_, one));
    EXPECT_EQ(count_lines(sh("wg show " + ifname_ + " peers").out), 1u);
}

TEST_F(KernelModule, HandshakeWithAKernelPeerInAnotherNamespace) {
    const std::string ns = "vkmfar" + std::to_string(getpid() % 100000);
    SecretKey ours = random_private_key(), theirs = random_private_key();
    ASSERT_EQ(sh("ip netns add " + ns).status, 0);
    auto cleanup = [&] { sh("ip netns del " + ns); };
    auto r = sh("ip link add vkmv0 type veth peer name vkmv1 netns " + ns +
                " && ip addr add 192.168.99.1/24 dev vkmv0 && ip link set vkmv0 up"
                " && ip -n " +
                ns +
                " addr add 192.168.99.2/24 dev vkmv1"
                " && ip -n " +
                ns + " link set vkmv1 up && ip -n " + ns +
                " link set lo up"
                " && ip -n " +
                ns + " link add wgfar type wireguard");
    ASSERT_EQ(r.status, 0) << r.out;
    std::string key_file = "/tmp/vkm-far-" + std::to_string(getpid());
    {
        FILE* f = std::fopen(key_file.c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::fprintf(f, "%s\n", theirs.base64().c_str());
        std::fclose(f);
    }
    r = sh("ip netns exec " + ns + " wg set wgfar listen-port 51002 private-key " + key_file +
           " peer " + keys::public_from_private(ours).base64() +
           " allowed-ips 10.98.0.1/32 endpoint 192.168.99.1:51001"
           " && ip -n " +
           ns + " addr add 10.98.0.2/24 dev wgfar && ip -n " + ns + " link set wgfar up");
    ::unlink(key_file.c_str());
    ASSERT_EQ(r.status, 0) << r.out;

    DeviceConfig cfg;
    cfg.private_key = ours;
    cfg.listen_port = 51001;
    PeerConfig p;
    p.public_key = keys::public_from_private(theirs);
    p.endpoint = Endpoint{"192.168.99.2", 51002};
    p.allowed_ips = {*Prefix::parse("10.98.0.2/32")};
    cfg.peers.push_back(p);
    ASSERT_TRUE(backend_.set(ifname_, cfg));
    ASSERT_EQ(
        sh("ip addr add 10.98.0.1/24 dev " + ifname_ + " && ip link set " + ifname_ + " up").status,
        0);
    auto ping = sh("ping -c 3 -i 0.2 -W 3 10.98.0.2");
    EXPECT_EQ(ping.status, 0) << ping.out;
    auto dev = backend_.get(ifname_);
    ASSERT_TRUE(dev);
    ASSERT_EQ(dev->peers.size(), 1u);
    EXPECT_GT(dev->peers[0].last_handshake_sec, 0);
    EXPECT_GT(dev->peers[0].rx_bytes, 0u);
    cleanup();
}

}  // namespace
}  // namespace vpngw::wg
