#pragma once

// What vpngw asks of a WireGuard device and what it reads back. The write side
// (DeviceConfig) says only what changes, like `wg set`; the read side
// (ObservedDevice) never carries a private or preshared key, so it is safe to
// print, log or diff.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/ip.hpp"
#include "util/key.hpp"

namespace vpngw::wg {

// One peer to add or update. Fields left empty keep the device's current value.
struct PeerConfig {
    PublicKey public_key;
    // Set (or, with an all-zero key, clear) the preshared key.
    std::optional<SecretKey> preshared_key;
    // The endpoint's host must be a numeric address: the gateway never resolves names.
    std::optional<Endpoint> endpoint;
    std::optional<std::uint16_t> keepalive;  // seconds; 0 turns it off
    std::vector<Prefix> allowed_ips;
    // Replace the peer's allowed-ips with `allowed_ips` (instead of adding to them).
    bool replace_allowed_ips = true;
};

struct DeviceConfig {
    std::optional<SecretKey> private_key;
    std::optional<std::uint16_t> listen_port;
    std::optional<std::uint32_t> fwmark;  // 0 removes the mark
    // Remove every peer not listed in `peers` (applied before `peers`).
    bool replace_peers = false;
    std::vector<PeerConfig> peers;
    std::vector<PublicKey> remove_peers;
};

struct ObservedPeer {
    PublicKey public_key;
    bool has_preshared_key = false;
    std::optional<Endpoint> endpoint;
    std::uint16_t keepalive = 0;
    std::int64_t last_handshake_sec = 0;  // 0 = never
    std::int64_t last_handshake_nsec = 0;
    std::uint64_t rx_bytes = 0;
    std::uint64_t tx_bytes = 0;
    std::vector<Prefix> allowed_ips;  // in the order the device reports them
};

struct ObservedDevice {
    std::string ifname;
    // Derived from the device's private key; absent while the device has none.
    std::optional<PublicKey> public_key;
    std::uint16_t listen_port = 0;
    std::uint32_t fwmark = 0;
    std::vector<ObservedPeer> peers;

    const ObservedPeer* find_peer(const PublicKey& key) const;
};

}  // namespace vpngw::wg
