#pragma once

// `vpngw peer ...`: peers kept in the registry (src/registry) and applied to
// the running gateway one at a time. Each command changes exactly the peer it
// names: one WireGuard peer and its elements in `table inet vpngw` (the kernel
// half is peers_apply.hpp), never the rest of the gateway, so no other peer's
// session is disturbed and the cost does not grow with the number of peers.
// Every change is recorded in the registry (with its audit entry) before the
// kernel is touched and undone in the registry when the kernel refuses; a
// command killed in between is finished or undone by the next one
// (settle_interrupted). All changes happen under the state lock the Session
// holds. Results are values: only cli/ prints.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gateway/peers_live.hpp"
#include "gateway/session.hpp"
#include "model/peer_limits.hpp"
#include "plan/allocate.hpp"
#include "registry/registry.hpp"
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
    // Fixed addresses instead of the lowest free ones (one of each family at most).
    std::vector<IpAddress> addresses;
    std::vector<Prefix> networks;  // routed behind the peer
    std::optional<std::chrono::sys_seconds> expires;
    std::optional<model::Quota> quota;
    std::optional<std::uint64_t> rate_bits;
    std::string node;  // pinned to this fleet member (docs/fleet.md); empty: all serve it
};

// What happened to the running gateway.
struct LiveOutcome {
    bool applied = false;  // the kernel has the change
    std::string note;      // "applied to wg0 (userspace)" / "not applied: wg0 is not up; ..."
};

struct AddPeerReport {
    registry::PeerRecord peer;
    std::string interface;
    bool server_made_key = false;  // false with --public-key
    SecretText client_config;      // as written to clients/<name>.conf
    std::string config_path;
    LiveOutcome live;
    std::vector<std::string> notes;  // e.g. an interrupted earlier command finished
};

// The addresses a new peer of `group` gets: every address `profile` already
// uses (interface addresses, fixed and allocated addresses of its peers) and
// every address in `reserved` (the registry's peers of the group) is taken;
// then the lowest free IPv4 and IPv6, paired on the same offset when both are
// free there. Errors name the full subnet.
Result<plan::PeerAddresses> allocate_new_peer(const model::Profile& profile,
                                              const std::string& group,
                                              const plan::ReservedAddresses& reserved = {},
                                              const plan::ReservedBitmaps& bitmaps = {});
// The same, asking the registry about its stored peers of the group instead
// of reading them (peers_add_allocate.cpp): the same addresses, at a cost
// that does not grow with the group. `declared`: the profile's own peers when
// profile.peers leaves them out (Session::declared), asked the same way.
Result<plan::PeerAddresses> allocate_new_peer(const model::Profile& profile,
                                              const std::string& group,
                                              registry::GroupAddresses& stored,
                                              const profile::DeclaredPeers* declared = nullptr);

// Whether `iface` has room for one more peer: on wireguard-go (backend =
// "userspace") no more than
// model::kUserspacePeerLimit; the error says what to do instead.
Status check_interface_room(const Session& session, const model::Interface& iface);

// Records the peer (registry, clients/<name>.conf, psk/<name>.psk) and
// applies it to the running gateway when its interface exists. When the
// kernel refuses, everything done is undone and the error says so. `session`
// must hold the lock.
Result<AddPeerReport> add_peer(Session& session, const AddPeerRequest& request, LiveGateway& live);

struct RemovePeerReport {
    registry::PeerRecord peer;
    std::string interface;
    LiveOutcome live;
    std::vector<std::string> notes;
};

// The reverse of add_peer. Peers declared in the profile are refused (they
// are removed by editing the profile).
Result<RemovePeerReport> remove_peer(Session& session, const std::string& name, LiveGateway& live);

// Lifecycle changes of one peer (disable, enable, edit, rotate).
struct PeerChangeReport {
    registry::PeerRecord before;
    registry::PeerRecord after;
    LiveOutcome live;
    // The client config was regenerated (address, key or PSK changed): the
    // client must import it again.
    bool config_changed = false;
    SecretText client_config;  // the new config when config_changed
    std::string config_path;
    std::vector<std::string> notes;
};

// Takes the peer out of the kernel (WireGuard and nft) in the same command;
// keys, addresses and config are kept. Disabling a disabled peer is refused.
Result<PeerChangeReport> disable_peer(Session& session, const std::string& name, LiveGateway& live);
// Puts it back with the same addresses. An expired peer is refused (change
// its expiry with `peer edit --expires` or `--no-expiry`).
Result<PeerChangeReport> enable_peer(Session& session, const std::string& name, LiveGateway& live);

struct EditPeerRequest {
    std::string name;
    std::optional<std::string> rename;
    std::optional<std::string> group;  // a move reallocates unless `addresses` is given
    std::vector<IpAddress> addresses;  // fixed new addresses (one of each family at most)
    std::optional<std::optional<std::chrono::sys_seconds>> expires;  // nullopt inside: no expiry
    std::optional<std::optional<model::Quota>> quota;
    std::optional<std::optional<std::uint64_t>> rate_bits;
    std::vector<Prefix> add_networks;
    std::vector<Prefix> remove_networks;
    std::optional<std::string> node;  // pin to a fleet gateway; "": served by all
};
Result<PeerChangeReport> edit_peer(Session& session, const EditPeerRequest& request,
                                   LiveGateway& live);

// A new client key pair (or, with psk_only, a new preshared key), a new
// config; the old key stops working at once.
Result<PeerChangeReport> rotate_peer(Session& session, const std::string& name, bool psk_only,
                                     LiveGateway& live);

// Disables every peer whose expiry has passed and is still in the kernel
// (audited as "expiry"). The monitor calls it every round.
struct ExpiryReport {
    std::vector<std::string> disabled;  // names
    std::vector<std::string> errors;
};
ExpiryReport enforce_expiry(Session& session, LiveGateway& live);
// For the long-running monitor: nothing but one query of the registry while
// no expiry is due; when one is, the lock is taken and enforce_expiry runs.
ExpiryReport expire_due_peers(const Options& options, LiveGateway& live);

// Finishes or undoes the changes an interrupted command left in the registry
// without their kernel half (or, for an add interrupted before its client
// config was written, without that config: undone). Each returned note says
// what was done. Every peer-changing function calls it first.
std::vector<std::string> settle_interrupted(Session& session, LiveGateway& live);

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
    bool disabled = false;  // by `peer disable`
    bool expired = false;   // its expiry has passed (then out of the kernel too)
    std::optional<std::chrono::sys_seconds> expires;
    std::optional<model::Quota> quota;
    std::optional<std::uint64_t> rate_bits;
    std::vector<Prefix> networks;
    std::optional<PeerStats> stats;  // when the interface is up and has the peer
};

// What an interface that was up reported about itself while its peers were
// listed (`status` shows it without reading the device a second time).
struct ListedDevice {
    std::string ifname;
    std::optional<PublicKey> public_key;
    std::uint16_t listen_port = 0;
};

struct PeerListing {
    std::vector<PeerListEntry> peers;  // profile peers first, then stored ones, in order
                                       // (empty when they went to a PeerVisitor)
    std::vector<std::string> notes;    // e.g. interfaces that could not be read
    std::vector<ListedDevice> devices;
};

struct PeerFilter {
    std::optional<std::string> group;
    bool disabled_only = false;  // disabled by `peer disable`
    bool expired_only = false;
    std::optional<std::string> name;  // one peer (`peer show`)
};

// The peers as `peer list` shows them: the profile's own first, then the
// registry's in the order they were added, with the kernel's figures when
// their interface is up. A session opened with StoredPeers::none has the
// registry's read one at a time and handed to `each`, so a listing of 50,000
// holds one entry and the devices' figures, never the whole registry;
// registry peers that no longer fit the profile are listed too, and a note
// says why `up` would refuse them. A merged session's are listed from the
// profile. Errors: the registry could not be read (the peers handed over
// before stay handed over).
using PeerVisitor = std::function<void(PeerListEntry&&)>;
Result<PeerListing> list_peers(const Session& session, LiveGateway& live, const PeerFilter& filter,
                               const PeerVisitor& each);
// The same, collected in PeerListing::peers.
Result<PeerListing> list_peers(const Session& session, LiveGateway& live,
                               const PeerFilter& filter = {});

// A registry peer as listed, on `interface` (its group's). The API shows the
// peers it changes through it, so they read as `peer list` shows them.
PeerListEntry entry_of(const registry::PeerRecord& record, std::string interface,
                       std::chrono::sys_seconds now);

// clients/<name>.conf as stored by add_peer.
Result<SecretText> stored_client_config(const Session& session, const std::string& name);

// The audit trail (`vpngw log`), oldest first.
Result<std::vector<registry::AuditEntry>> peer_log(const Session& session,
                                                   const registry::AuditFilter& filter);

// The registry's peers as text (`peer export`), and adding such a file back
// (`peer import`): all peers or none, each checked against the profile (group,
// subnet, addresses in use) before anything changes; applied live when up.
// On a fleet member, export also opens the sealed preshared keys into
// psk/<name>.psk (gateway/cluster_psk.hpp); what did not open is a note.
struct PeerExport {
    std::vector<registry::PeerRecord> peers;
    std::vector<std::string> notes;
};
Result<PeerExport> export_peers(const Session& session);
struct PeerImportReport {
    std::size_t added = 0;
    LiveOutcome live;
    std::vector<std::string> notes;
};
Result<PeerImportReport> import_peers(Session& session, const std::string& file, LiveGateway& live);

// The public key of an interface's private key file (the one `up` uses),
// generating the file as `up` would when it does not exist yet.
Result<PublicKey> interface_public_key(const model::Profile& profile,
                                       const model::Interface& iface);

}  // namespace vpngw::gateway
