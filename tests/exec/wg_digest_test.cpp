// exec/wg_digest.hpp: equal digests exactly when the diff would find nothing
// to change on a device (state::WgPeer::operator== and the device header),
// whatever the order a device lists its peers in and whatever traffic did.
#include "exec/wg_digest.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace vpngw::exec {
namespace {

PublicKey key(int seed) {
    PublicKey k;
    for (std::size_t i = 0; i < k.bytes.size(); ++i)
        k.bytes[i] = static_cast<std::uint8_t>(seed * 31 + i);
    return k;
}

Prefix prefix(const char* text) {
    return *Prefix::parse(text);
}

// The plan's device: three peers, one with two allowed IPs and a keepalive.
state::WgDevice planned() {
    state::WgDevice d;
    d.ifname = "wg0";
    d.listen_port = 51820;
    d.fwmark = 0x51;
    for (int i = 1; i <= 3; ++i) {
        state::WgPeer p;
        p.public_key = key(i);
        p.allowed_ips = {prefix(("10.8.1." + std::to_string(i) + "/32").c_str())};
        d.peers.push_back(p);
    }
    d.peers[1].allowed_ips.push_back(prefix("192.168.50.0/24"));
    std::sort(d.peers[1].allowed_ips.begin(), d.peers[1].allowed_ips.end());
    d.peers[2].keepalive = 25;
    return d;
}

// The same device as wireguard-go reports it: peers in another order, allowed
// IPs unsorted, endpoints, handshakes and transfer figures.
wg::ObservedDevice read_back(const state::WgDevice& d, const PublicKey& public_key) {
    wg::ObservedDevice o;
    o.ifname = d.ifname;
    o.public_key = public_key;
    o.listen_port = d.listen_port;
    o.fwmark = d.fwmark;
    for (auto it = d.peers.rbegin(); it != d.peers.rend(); ++it) {
        wg::ObservedPeer p;
        p.public_key = it->public_key;
        p.allowed_ips.assign(it->allowed_ips.rbegin(), it->allowed_ips.rend());
        p.keepalive = static_cast<std::uint16_t>(it->keepalive);
        p.endpoint = Endpoint{"198.51.100.7", 40000};
        p.last_handshake_sec = 1765000000;
        p.rx_bytes = 12345;
        p.tx_bytes = 678;
        o.peers.push_back(p);
    }
    return o;
}

const PublicKey kDeviceKey = key(100);

TEST(WgDigest, ThePlanAndTheDeviceReadBackAgree) {
    const auto want = planned();
    const auto have = read_back(want, kDeviceKey);
    EXPECT_EQ(wg_digest(want, kDeviceKey), wg_digest(have));
    // observe()'s form of the same device.
    ops::WgObserved observed{have.ifname, have.listen_port, have.fwmark, have.public_key, {}};
    for (const auto& p : have.peers) {
        state::WgPeer s;
        s.public_key = p.public_key;
        s.allowed_ips = p.allowed_ips;
        std::sort(s.allowed_ips.begin(), s.allowed_ips.end());
        s.keepalive = p.keepalive;
        observed.peers.push_back(s);
    }
    EXPECT_EQ(wg_digest(observed), wg_digest(want, kDeviceKey));
}

TEST(WgDigest, EveryChangeTheDiffSeesChangesIt) {
    const auto want = planned();
    const std::string planned_digest = wg_digest(want, kDeviceKey);
    using Change = void (*)(wg::ObservedDevice&);
    const std::pair<const char*, Change> changes[] = {
        {"a peer removed", [](wg::ObservedDevice& d) { d.peers.pop_back(); }},
        {"a peer added",
         [](wg::ObservedDevice& d) {
             wg::ObservedPeer p;
             p.public_key = key(9);
             p.allowed_ips = {prefix("10.8.1.9/32")};
             d.peers.push_back(p);
         }},
        {"an allowed IP changed",
         [](wg::ObservedDevice& d) { d.peers[0].allowed_ips[0] = prefix("10.8.1.99/32"); }},
        {"an allowed IP's length changed",
         [](wg::ObservedDevice& d) { d.peers[0].allowed_ips[0].len = 31; }},
        {"an allowed IP added",
         [](wg::ObservedDevice& d) { d.peers[0].allowed_ips.push_back(prefix("10.9.0.0/16")); }},
        {"an allowed IP removed", [](wg::ObservedDevice& d) { d.peers[1].allowed_ips.pop_back(); }},
        {"allowed IPs moved between peers",
         [](wg::ObservedDevice& d) { std::swap(d.peers[0].allowed_ips, d.peers[2].allowed_ips); }},
        {"a keepalive set", [](wg::ObservedDevice& d) { d.peers[1].keepalive = 25; }},
        {"a peer's key changed", [](wg::ObservedDevice& d) { d.peers[0].public_key = key(42); }},
        {"the listen port", [](wg::ObservedDevice& d) { d.listen_port = 51821; }},
        {"the fwmark", [](wg::ObservedDevice& d) { d.fwmark = 0; }},
        {"the device key", [](wg::ObservedDevice& d) { d.public_key = key(101); }},
        {"no device key", [](wg::ObservedDevice& d) { d.public_key.reset(); }},
        {"every peer gone", [](wg::ObservedDevice& d) { d.peers.clear(); }},
        {"a peer twice", [](wg::ObservedDevice& d) { d.peers.push_back(d.peers[0]); }},
    };
    for (const auto& [what, change] : changes) {
        auto have = read_back(want, kDeviceKey);
        change(have);
        EXPECT_NE(wg_digest(have), planned_digest) << what;
    }
}

TEST(WgDigest, TrafficChangesNothing) {
    const auto want = planned();
    auto have = read_back(want, kDeviceKey);
    const std::string before = wg_digest(have);
    for (auto& p : have.peers) {
        p.endpoint = Endpoint{"203.0.113.9", 1};
        p.last_handshake_sec += 120;
        p.rx_bytes *= 3;
        p.tx_bytes += 1;
        p.has_preshared_key = !p.has_preshared_key;
    }
    EXPECT_EQ(wg_digest(have), before);
}

}  // namespace
}  // namespace vpngw::exec
