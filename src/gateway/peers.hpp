#pragma once

// `vpngw peer add|remove|list|show`: peers recorded in the state directory and
// applied to the running gateway one at a time. Adding or removing a peer
// changes exactly one WireGuard peer and its group's peer-set elements
// (grp_<group>_peers4 / _peers6 of `table inet vpngw`), never the rest of the
// gateway, so no other peer's session or handshake is disturbed and the cost
// does not grow with the number of peers. All changes happen under the state lock the Session
// holds.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/peers_live.hpp"
#include "gateway/session.hpp"
#include "plan/allocate.hpp"
#include "store/peer_store.hpp"
#include "store/peers_index.hpp"
#include "util/key.hpp"
#include "util/result.hpp"
#include "util/secret_text.hpp"

namespace vpngw::gateway {

struct AddPeerRequest {
    std::string name;
    std::string group;
    // The client's own public key: the server then never holds its private key
    // and the config carries a placeholder line instead.
    std::optional<PublicKey> public_key;
    bool preshared_key = false;
};

// What happened to the running gateway.
struct LiveOutcome {
    bool applied = false;  // the kernel has the change
    std::string note;      // "applied to wg0 (userspace)" / "not applied: wg0 is not up; ..."
};

struct AddPeerReport {
    store::StoredPeer peer;
    std::string interface;
    bool server_made_key = false;  // false with --public-key
    SecretText client_config;      // as written to clients/<name>.conf
    std::string config_path;
    LiveOutcome live;
};

// The addresses a new peer of `group` gets: every address `profile` already
// uses (interface addresses, fixed and allocated addresses of its peers, which
// include the stored ones of a merged session) and every address in
// `reserved` (the stored peers' when they are not merged) is taken; then the
// lowest free IPv4 and IPv6, paired on the same offset when both are free
// there. Errors name the full subnet.
Result<plan::PeerAddresses> allocate_new_peer(const model::Profile& profile,
                                              const std::string& group,
                                              const plan::ReservedAddresses& reserved = {},
                                              const plan::ReservedBitmaps& bitmaps = {});

// How the peers index (store/peers_index.hpp) maps the profile's group
// subnets to bits.
store::IndexLayout peers_index_layout(const model::Profile& profile);

// Records the peer (peers.tsv, clients/<name>.conf, psk/<name>.psk) and
// applies it to the running gateway when its interface exists. When the
// kernel refuses, everything done is undone (kernel, nft, state files) and the
// error says so. `session` must hold the lock.
Result<AddPeerReport> add_peer(Session& session, const AddPeerRequest& request, LiveGateway& live);

struct RemovePeerReport {
    store::StoredPeer peer;
    std::string interface;
    LiveOutcome live;
};

// The reverse of add_peer. Peers declared in the profile are refused (they
// are removed by editing the profile).
Result<RemovePeerReport> remove_peer(Session& session, const std::string& name, LiveGateway& live);

struct PeerStats {
    std::int64_t last_handshake_sec = 0;  // 0 = never
    std::uint64_t rx_bytes = 0;
    std::uint64_t tx_bytes = 0;
    std::optional<Endpoint> endpoint;  // where the peer last sent from
};

struct PeerListEntry {
    enum class Source { profile, state };
    std::string name;
    std::string group;
    std::string interface;
    PublicKey public_key;
    std::optional<IpAddress> address;
    std::optional<IpAddress> address6;
    Source source = Source::profile;
    std::optional<PeerStats> stats;  // when the interface is up and has the peer
};

struct PeerListing {
    std::vector<PeerListEntry> peers;  // profile peers first, then stored ones, in order
    std::vector<std::string> notes;    // e.g. interfaces that could not be read
};

PeerListing list_peers(const Session& session, LiveGateway& live);

// clients/<name>.conf as stored by add_peer.
Result<SecretText> stored_client_config(const Session& session, const std::string& name);

// The public key of an interface's private key file (the one `up` uses),
// generating the file as `up` would when it does not exist yet.
Result<PublicKey> interface_public_key(const model::Profile& profile,
                                       const model::Interface& iface);

}  // namespace vpngw::gateway
