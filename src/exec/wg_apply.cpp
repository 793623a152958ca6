#include "exec/wg_apply.hpp"

#include <map>

#include "wg/key_file.hpp"

namespace vpngw::exec {

namespace {

// `fresh`: the device has no peers yet, so every peer is new and starts with
// keepalive off; saying "off" again would be one more line per peer (50,000
// at a cold up) for wireguard-go to parse.
Result<wg::PeerConfig> peer_config(const state::WgPeer& peer, bool fresh) {
    wg::PeerConfig c;
    c.public_key = peer.public_key;
    c.allowed_ips = peer.allowed_ips;
    c.replace_allowed_ips = true;
    if (peer.keepalive != 0 || !fresh) c.keepalive = static_cast<std::uint16_t>(peer.keepalive);
    c.endpoint = peer.endpoint;
    if (!peer.preshared_key_file.empty()) {
        auto psk = wg::read_key_file(peer.preshared_key_file);
        if (!psk) return Error{psk.error().message, peer.origin};
        c.preshared_key = *psk;
    }
    return c;
}

state::WgPeer from_observed(const wg::ObservedPeer& p) {
    state::WgPeer s;
    s.public_key = p.public_key;
    s.allowed_ips = p.allowed_ips;
    s.endpoint = p.endpoint;
    s.keepalive = p.keepalive;
    return s;
}

// The change that returns the device to `before` for what `change` touches.
ops::WgChange reverse_of(const ops::WgChange& change, const wg::ObservedDevice& before) {
    ops::WgChange back;
    back.ifname = change.ifname;
    if (change.listen_port) back.listen_port = before.listen_port;
    if (change.fwmark) back.fwmark = before.fwmark;
    for (const auto& peer : change.upsert_peers) {
        if (const auto* old = before.find_peer(peer.public_key))
            back.upsert_peers.push_back(from_observed(*old));
        else
            back.remove_peers.push_back(peer.public_key);
    }
    for (const auto& key : change.remove_peers)
        if (const auto* old = before.find_peer(key))
            back.upsert_peers.push_back(from_observed(*old));
    return back;
}

}  // namespace

Status apply_wg_change(wg::WgBackend& backend, const ops::WgChange& change, ops::Op& undo) {
    auto before = backend.get(change.ifname);
    if (!before) return before.error();

    wg::DeviceConfig cfg;
    if (!change.private_key_file.empty()) {
        auto key = wg::read_key_file(change.private_key_file);
        if (!key) return key.error();
        cfg.private_key = *key;
    }
    cfg.listen_port = change.listen_port;
    cfg.fwmark = change.fwmark;
    cfg.peers.reserve(change.upsert_peers.size());
    const bool fresh = before->peers.empty();
    for (const auto& peer : change.upsert_peers) {
        auto c = peer_config(peer, fresh);
        if (!c) return c.error();
        cfg.peers.push_back(std::move(*c));
    }
    cfg.remove_peers = change.remove_peers;
    if (auto st = backend.set(change.ifname, cfg); !st) return st;
    undo = ops::Op{reverse_of(change, *before), undo.origin};
    return ok_status();
}

}  // namespace vpngw::exec
