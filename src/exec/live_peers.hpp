#pragma once

// The executor port for changing a running gateway one peer at a time
// (`vpngw peer add/remove`), and the reads those commands and `status` need:
// whether an interface and vpngw's nft table exist, a device as WireGuard
// reports it, and the two incremental changes a peer needs (one WireGuard
// peer, its set elements). gateway/ plans and rolls back through this
// interface, so that logic is tested without root against a fake
// (tests/support/peer_session.hpp) while only exec/ touches the kernel.

#include <memory>
#include <string>
#include <vector>

#include "model/profile.hpp"
#include "nft/element_change.hpp"
#include "state/kernel_state.hpp"
#include "util/key.hpp"
#include "util/result.hpp"
#include "wg/types.hpp"
#include "wg/userspace_options.hpp"

namespace vpngw::exec {

class LivePeers {
  public:
    virtual ~LivePeers();

    // Whether the WireGuard interface exists (the gateway is up).
    virtual bool interface_up(const model::Interface& iface) = 0;
    // Whether `table inet vpngw` exists.
    virtual Result<bool> firewall_up() = 0;
    virtual Result<wg::ObservedDevice> observe(const model::Interface& iface) = 0;
    // Adds or updates one peer; never touches the device's other peers.
    virtual Status set_peer(const model::Interface& iface, const wg::PeerConfig& peer) = 0;
    // Updates several peers in one request (one UAPI set / netlink batch);
    // by default one set_peer each.
    virtual Status set_peers(const model::Interface& iface,
                             const std::vector<wg::PeerConfig>& peers);
    virtual Status remove_peer(const model::Interface& iface, const PublicKey& key) = 0;
    // All changes as one nftables transaction.
    virtual Status change_elements(const std::vector<nft::ElementChange>& changes) = 0;
    // A peer's quota and limit objects and the map elements naming them, as
    // one nftables transaction: added objects before the elements, removed
    // ones after them.
    virtual Status change_objects(const std::vector<nft::ObjectChange>& objects,
                                  const std::vector<nft::ElementChange>& elements) = 0;
    // nft commands (a peer's network elements, the rate_quota chain: only
    // for peers that have them) as one transaction through libnftables.
    virtual Status run_nft(const std::string& commands) = 0;
    // Adds or deletes one route of vpngw's (a network behind a peer).
    virtual Status change_route(const state::Route& route, bool add) = 0;
    // "kernel" / "userspace" for messages.
    virtual std::string backend_name(const model::Interface& iface) = 0;
};

// The real thing: each interface's WireGuard backend (the kernel module, or
// wireguard-go as `userspace` says), the same choice `vpngw up` makes, and
// libnftnl, in the caller's network namespace.
std::unique_ptr<LivePeers> system_live_peers(const wg::UserspaceOptions& userspace);

}  // namespace vpngw::exec
