// The userspace backend against real wireguard-go and the real `wg` tool, in
// a private network namespace (see netns_sandbox.hpp). Needs root.

#include <gtest/gtest.h>
#include <signal.h>
#include <sodium.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "keys/keys.hpp"
#include "support/netns_sandbox.hpp"
#include "wg/key_file.hpp"
#include "wg/write/userspace_backend.hpp"

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
    k.bytes.fill(0x77);
    std::memcpy(k.bytes.data(), &i, sizeof i);
    return k;
}

// `wg show IFNAME dump`, split into fields; the private key field is wiped.
struct WgDump {
    std::string public_key;
    std::string listen_port, fwmark;
    struct Peer {
        std::string public_key, psk, endpoint, allowed_ips, handshake, rx, tx, keepalive;
    };
    std::vector<Peer> peers;
};

WgDump wg_dump(const std::string& ifname) {
    auto r = sh("wg show " + ifname + " dump");
    EXPECT_EQ(r.status, 0) << r.out.substr(0, 300);
    WgDump d;
    std::istringstream lines(r.out);
    std::string line;
    bool first = true;
    while (std::getline(lines, line)) {
        std::istringstream f(line);
        if (first) {
            std::string priv;
            f >> priv >> d.public_key >> d.listen_port >> d.fwmark;
            wipe(priv);
            first = false;
            continue;
        }
        WgDump::Peer p;
        f >> p.public_key >> p.psk >> p.endpoint >> p.allowed_ips >> p.handshake >> p.rx >> p.tx >>
            p.keepalive;
        d.peers.push_back(p);
    }
    wipe(r.out);
    return d;
}

class UserspaceNetns : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string why = test::enter_sandbox();
        ASSERT_TRUE(why.empty()) << why;
        ASSERT_EQ(sh("command -v wireguard-go && command -v wg").status, 0)
            << "wireguard-go and wg (wireguard-tools) must be installed";
        suffix_ = std::to_string(getpid() % 100000);
        ifname_ = "vwa" + suffix_;
    }

    void TearDown() override {
        // End every wireguard-go this test started, by PID: ours through the
        // backend, the far end's by listing the processes of its namespace.
        if (backend_.exists(ifname_)) {
            auto pid = backend_.daemon_pid(ifname_);
            (void)backend_.destroy(ifname_);
            if (pid) kill_and_wait(*pid);
        }
        if (!netns_.empty()) {
            std::istringstream pids(sh("ip netns pids " + netns_).out);
            pid_t pid;
            while (pids >> pid) kill_and_wait(pid);
            sh("ip netns del " + netns_);
        }
        if (!keyfile_.empty()) ::unlink(keyfile_.c_str());
    }

    static bool alive(pid_t pid) {
        std::string stat;
        std::getline(std::ifstream("/proc/" + std::to_string(pid) + "/stat"), stat);
        return !stat.empty() && stat.find(") Z") == std::string::npos;
    }
    static void kill_and_wait(pid_t pid) {
        if (!alive(pid)) return;
        ::kill(pid, SIGTERM);
        for (int i = 0; i < 300 && alive(pid); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (alive(pid)) ::kill(pid, SIGKILL);
    }

    // A second namespace joined by veth, with an interface configured by the
    // real tools: the other end of the tunnel.
    void make_remote(const SecretKey& remote_key, const PublicKey& our_pub) {
        netns_ = "vpngw-wgt-" + suffix_;
        remote_if_ = "vwb" + suffix_;
        const std::string in = "ip netns exec " + netns_ + " ";
        keyfile_ = "/run/wireguard/remote-" + suffix_ + ".key";  // our private tmpfs
        {
            std::ofstream f(keyfile_);
            std::string b64 = remote_key.base64();
            f << b64 << "\n";
            wipe(b64);
        }
        ::chmod(keyfile_.c_str(), 0600);
        for (const std::string& c :
             {"ip netns add " + netns_, "ip -n " + netns_ + " link set lo up",
              "ip link add vea" + suffix_ + " type veth peer name veb" + suffix_ + " netns " +
                  netns_,
              "ip addr add 192.168.77.1/24 dev vea" + suffix_, "ip link set vea" + suffix_ + " up",
              "ip -n " + netns_ + " addr add 192.168.77.2/24 dev veb" + suffix_,
              "ip -n " + netns_ + " link set veb" + suffix_ + " up",
              in + "wireguard-go " + remote_if_,
              in + "wg set " + remote_if_ + " private-key " + keyfile_ +
                  " listen-port 51002 peer " + our_pub.base64() +
                  " allowed-ips 10.77.0.1/32 endpoint 192.168.77.1:51001",
              "ip -n " + netns_ + " addr add 10.77.0.2/24 dev " + remote_if_,
              "ip -n " + netns_ + " link set " + remote_if_ + " up"}) {
            auto r = sh(c);
            ASSERT_EQ(r.status, 0) << c << ": " << r.out;
        }
    }

    UserspaceBackend backend_;
    std::string suffix_, ifname_, remote_if_, netns_, keyfile_;
};

TEST_F(UserspaceNetns, HandshakeAndPingThroughOurInterface) {
    SecretKey our_key = random_private_key(), remote_key = random_private_key();
    PublicKey our_pub = keys::public_from_private(our_key),
              remote_pub = keys::public_from_private(remote_key);
    ASSERT_NO_FATAL_FAILURE(make_remote(remote_key, our_pub));

    auto created = backend_.create(ifname_);
    ASSERT_TRUE(created) << created.error().message;
    ASSERT_TRUE(backend_.exists(ifname_));
    ASSERT_EQ(sh("ip addr add 10.77.0.1/24 dev " + ifname_).status, 0);
    ASSERT_EQ(sh("ip link set " + ifname_ + " up").status, 0);

    DeviceConfig cfg;
    cfg.private_key = our_key;
    cfg.listen_port = 51001;
    cfg.fwmark = 0x51;
    PeerConfig peer;
    peer.public_key = remote_pub;
    peer.endpoint = Endpoint{"192.168.77.2", 51002};
    peer.keepalive = 15;
    peer.allowed_ips = {*Prefix::parse("10.77.0.2/32"), *Prefix::parse("fd77::2/128")};
    cfg.peers.push_back(peer);
    auto set = backend_.set(ifname_, cfg);
    ASSERT_TRUE(set) << set.error().message;

    auto ping = sh("ping -c 3 -i 0.2 -W 3 10.77.0.2");
    EXPECT_EQ(ping.status, 0) << ping.out;

    auto dev = backend_.get(ifname_);
    ASSERT_TRUE(dev) << dev.error().message;
    ASSERT_TRUE(dev->public_key);
    EXPECT_EQ(*dev->public_key, our_pub);
    EXPECT_EQ(dev->listen_port, 51001);
    EXPECT_EQ(dev->fwmark, 0x51u);
    ASSERT_EQ(dev->peers.size(), 1u);
    const ObservedPeer& p = dev->peers[0];
    EXPECT_EQ(p.public_key, remote_pub);
    EXPECT_GT(p.last_handshake_sec, 0) << "no handshake";
    EXPECT_GT(p.rx_bytes, 0u);
    EXPECT_GT(p.tx_bytes, 0u);
    ASSERT_TRUE(p.endpoint);
    EXPECT_EQ(p.endpoint->str(), "192.168.77.2:51002");
    EXPECT_EQ(p.keepalive, 15);
    EXPECT_EQ(p.allowed_ips, peer.allowed_ips);

    // The real tool reads the same device.
    WgDump d = wg_dump(ifname_);
    EXPECT_EQ(d.public_key, our_pub.base64());
    EXPECT_EQ(d.listen_port, "51001");
    EXPECT_EQ(d.fwmark, "0x51");
    ASSERT_EQ(d.peers.size(), 1u);
    EXPECT_EQ(d.peers[0].public_key, remote_pub.base64());
    EXPECT_EQ(d.peers[0].psk, "(none)");
    EXPECT_EQ(d.peers[0].endpoint, "192.168.77.2:51002");
    EXPECT_EQ(d.peers[0].allowed_ips, "10.77.0.2/32,fd77::2/128");
    EXPECT_EQ(d.peers[0].keepalive, "15");
    EXPECT_EQ(d.peers[0].handshake, std::to_string(p.last_handshake_sec));
    EXPECT_NE(d.peers[0].handshake, "0");

    // And so does the far end: it saw our handshake.
    auto far = sh("ip netns exec " + netns_ + " wg show " + remote_if_ + " latest-handshakes");
    EXPECT_EQ(far.status, 0);
    EXPECT_NE(far.out.find(our_pub.base64()), std::string::npos);
    EXPECT_EQ(far.out.find("\t0\n"), std::string::npos) << far.out;

    // destroy removes the interface and its daemon goes away.
    auto pid = backend_.daemon_pid(ifname_);
    ASSERT_TRUE(pid) << pid.error().message;
    ASSERT_TRUE(alive(*pid));
    std::string cmdline;
    std::getline(std::ifstream("/proc/" + std::to_string(*pid) + "/cmdline"), cmdline);
    EXPECT_NE(cmdline.find(ifname_), std::string::npos) << "daemon_pid found another process";
    auto gone = backend_.destroy(ifname_);
    ASSERT_TRUE(gone) << gone.error().message;
    EXPECT_FALSE(backend_.exists(ifname_));
    EXPECT_NE(sh("ip link show " + ifname_).status, 0);
    EXPECT_FALSE(alive(*pid)) << "wireguard-go still running after destroy";
}

TEST_F(UserspaceNetns, RemovingAPeerAndReplacingAllowedIps) {
    ASSERT_TRUE(backend_.create(ifname_));
    DeviceConfig cfg;
    cfg.private_key = random_private_key();
    for (std::uint32_t i = 0; i < 3; ++i) {
        PeerConfig p;
        p.public_key = numbered_key(i);
        p.allowed_ips = {Prefix{IpAddress::v4(0x0a000001u + i), 32}};
        cfg.peers.push_back(p);
    }
    ASSERT_TRUE(backend_.set(ifname_, cfg));
    ASSERT_EQ(wg_dump(ifname_).peers.size(), 3u);

    DeviceConfig change;
    change.remove_peers = {numbered_key(1)};
    PeerConfig moved;
    moved.public_key = numbered_key(2);
    moved.allowed_ips = {*Prefix::parse("10.99.0.0/16")};
    change.peers.push_back(moved);
    auto s = backend_.set(ifname_, change);
    ASSERT_TRUE(s) << s.error().message;

    auto dev = backend_.get(ifname_);
    ASSERT_TRUE(dev);
    ASSERT_EQ(dev->peers.size(), 2u);
    EXPECT_EQ(dev->find_peer(numbered_key(1)), nullptr);
    ASSERT_NE(dev->find_peer(numbered_key(2)), nullptr);
    EXPECT_EQ(dev->find_peer(numbered_key(2))->allowed_ips, moved.allowed_ips);
    WgDump d = wg_dump(ifname_);
    ASSERT_EQ(d.peers.size(), 2u);
    for (const auto& p : d.peers) EXPECT_NE(p.public_key, numbered_key(1).base64());
}

TEST_F(UserspaceNetns, FiveThousandPeersAtOnce) {
    ASSERT_TRUE(backend_.create(ifname_));
    DeviceConfig cfg;
    cfg.private_key = random_private_key();
    cfg.replace_peers = true;
    for (std::uint32_t i = 0; i < 5000; ++i) {
        PeerConfig p;
        p.public_key = numbered_key(i);
        p.allowed_ips = {Prefix{IpAddress::v4(0x0a100000u + i), 32}};
        cfg.peers.push_back(p);
    }
    auto t0 = std::chrono::steady_clock::now();
    auto s = backend_.set(ifname_, cfg);
    auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_TRUE(s) << s.error().message;
    RecordProperty(
        "set_5000_ms",
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));

    auto count = sh("wg show " + ifname_ + " peers | wc -l");
    EXPECT_EQ(count.out, "5000\n");
    auto dev = backend_.get(ifname_);
    ASSERT_TRUE(dev);
    EXPECT_EQ(dev->peers.size(), 5000u);
    const ObservedPeer* last = dev->find_peer(numbered_key(4999));
    ASSERT_NE(last, nullptr);
    EXPECT_EQ(last->allowed_ips, cfg.peers[4999].allowed_ips);

    // replace_peers with a short list really replaces.
    DeviceConfig small;
    small.replace_peers = true;
    small.peers.push_back(cfg.peers[10]);
    ASSERT_TRUE(backend_.set(ifname_, small));
    EXPECT_EQ(sh("wg show " + ifname_ + " peers | wc -l").out, "1\n");
}

TEST_F(UserspaceNetns, ErrorsAreClear) {
    ASSERT_TRUE(backend_.create(ifname_));
    auto again = backend_.create(ifname_);
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().message.find("already exists"), std::string::npos);

    // wireguard-go rejects a bad allowed-ip mix? No: send a peer it must refuse.
    DeviceConfig bad;
    PeerConfig p;
    p.public_key = numbered_key(1);
    p.endpoint = Endpoint{"vpn.example.net", 1};
    bad.peers.push_back(p);
    auto s = backend_.set(ifname_, bad);
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("vpn.example.net"), std::string::npos);

    UserspaceOptions missing;
    missing.binary = "/nonexistent/wireguard-go";
    UserspaceBackend nobin(missing);
    auto c = nobin.create("vwx" + suffix_);
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().message.find("/nonexistent/wireguard-go"), std::string::npos)
        << c.error().message;

    auto none = backend_.get("vwnone");
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().message.find("vwnone"), std::string::npos);
    EXPECT_FALSE(backend_.destroy("vwnone"));
}

}  // namespace
}  // namespace vpngw::wg
