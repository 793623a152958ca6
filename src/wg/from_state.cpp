#include "wg/from_state.hpp"

#include "wg/key_file.hpp"

namespace vpngw::wg {

Result<PeerConfig> peer_config(const state::WgPeer& peer) {
    PeerConfig p;
    p.public_key = peer.public_key;
    p.allowed_ips = peer.allowed_ips;
    p.endpoint = peer.endpoint;
    p.keepalive = static_cast<std::uint16_t>(peer.keepalive);
    p.replace_allowed_ips = true;
    if (!peer.preshared_key_file.empty()) {
        auto psk = read_key_file(peer.preshared_key_file);
        if (!psk) return Error{psk.error().message, peer.origin};
        p.preshared_key = std::move(*psk);
    } else {
        p.preshared_key = SecretKey{};  // all zero: none, also clearing an old one
    }
    return p;
}

Result<DeviceConfig> device_config(const state::WgDevice& device) {
    DeviceConfig cfg;
    if (!device.private_key_file.empty()) {
        auto key = read_key_file(device.private_key_file);
        if (!key) return Error{key.error().message, device.origin};
        cfg.private_key = std::move(*key);
    }
    cfg.listen_port = device.listen_port;
    cfg.fwmark = device.fwmark;
    cfg.replace_peers = true;
    cfg.peers.reserve(device.peers.size());
    for (const auto& peer : device.peers) {
        auto p = peer_config(peer);
        if (!p) return p.error();
        cfg.peers.push_back(std::move(*p));
    }
    return cfg;
}

}  // namespace vpngw::wg
