#pragma once

// The running gateway as `vpngw peer add/remove/list` see it: whether an
// interface and vpngw's nft table exist, and the two incremental changes a
// peer needs (one WireGuard peer, its verdict-map elements). Kept behind an
// interface so the peer logic (allocation, state, rollback) is tested without
// root and without touching any kernel.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/session.hpp"
#include "model/profile.hpp"
#include "nft/elements.hpp"
#include "util/key.hpp"
#include "util/result.hpp"
#include "wg/types.hpp"

namespace vpngw::gateway {

class LiveGateway {
  public:
    virtual ~LiveGateway();

    // Whether the WireGuard interface exists (the gateway is up).
    virtual bool interface_up(const model::Interface& iface) = 0;
    // Whether `table inet vpngw` exists.
    virtual Result<bool> firewall_up() = 0;
    virtual Result<wg::ObservedDevice> observe(const model::Interface& iface) = 0;
    // Adds or updates one peer; never touches the device's other peers.
    virtual Status set_peer(const model::Interface& iface, const wg::PeerConfig& peer) = 0;
    virtual Status remove_peer(const model::Interface& iface, const PublicKey& key) = 0;
    // All changes as one nftables transaction.
    virtual Status change_elements(const std::vector<nft::ElementChange>& changes) = 0;
    // "kernel" / "userspace" for messages.
    virtual std::string backend_name(const model::Interface& iface) = 0;
};

// The real thing: the interface's WireGuard backend (kernel, or wireguard-go at
// options.wireguard_go) and libnftnl, in the caller's network namespace.
std::unique_ptr<LiveGateway> system_gateway(const Options& options);

}  // namespace vpngw::gateway
