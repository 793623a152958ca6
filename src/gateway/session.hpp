#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/profile.hpp"
#include "profile/peer_index.hpp"
#include "registry/registry.hpp"
#include "store/state_lock.hpp"
#include "store/state_paths.hpp"
#include "util/error.hpp"
#include "util/result.hpp"

namespace vpngw::gateway {

struct Options {
    std::string profile_path;
    std::optional<std::string> state_dir;  // overrides [gateway].state_dir
    std::string wireguard_go = "wireguard-go";
};

enum class LockMode { none, exclusive };

// `peer add/remove` and the lifecycle commands ask the registry for what they
// need instead of merging every peer (that grows with the number of peers).
// With `none`, profile.peers holds the profile's own peers only.
enum class StoredPeers { merged, none };

// `peer add` and `peer remove` ask about the profile's own peers too, which
// at 50,000 inline peers costs less through the profile index
// (profile/peer_index.hpp) than decoding them: with `indexed` (and
// StoredPeers::none) a session whose index is usable has Session::declared
// and no profile peers in profile.peers.
enum class ProfilePeers { loaded, indexed };

// A loaded profile with the registry's peers (`vpngw peer add`) merged in,
// and, for commands that change anything, the state directory's lock held
// and the registry open for writing.
struct Session {
    model::Profile profile;  // profile.peers includes the registry's peers when merged
    store::StatePaths paths;
    std::optional<store::StateLock> lock;
    std::shared_ptr<registry::Registry> registry;  // with LockMode::exclusive
    StoredPeers stored = StoredPeers::merged;      // whether profile.peers has the registry's
    // The profile's own peers when profile.peers leaves them out (see
    // ProfilePeers::indexed); null when profile.peers has them.
    std::shared_ptr<const profile::DeclaredPeers> declared;
    std::string user;  // for the audit trail: SUDO_USER, else "uid N" (an API sets its own)
    Options options;

    registry::Actor actor(std::string command) const { return {user, std::move(command)}; }
};

// Errors of the profile (and warnings) go to `diags`; other failures (lock,
// unreadable state) come back as the Error.
Result<Session> open_session(const Options& options, LockMode lock, Diagnostics& diags,
                             StoredPeers stored = StoredPeers::merged,
                             ProfilePeers declared = ProfilePeers::loaded);

// A registry peer as the model knows it: its psk file when it has one,
// disabled when its expiry has passed by `now`, located at the registry file.
model::Peer to_model_peer(const registry::PeerRecord& record, const store::StatePaths& paths,
                          std::chrono::sys_seconds now);
// Whether the kernel should have the peer at `now` (not disabled, not expired).
bool is_active(const registry::PeerRecord& record, std::chrono::sys_seconds now);
std::chrono::sys_seconds now_utc();

// Whether the fleet member `node` serves the peer: every member does unless
// the peer is pinned to one (`peer add --node`, docs/fleet.md).
bool served_by(const registry::PeerRecord& record, const std::string& node);
// Leaves out the peers pinned to another member: they are not this gateway's.
void drop_pinned_elsewhere(std::vector<registry::PeerRecord>& records, const std::string& node);

// Whether a session's peer came from the registry rather than the profile.
bool from_registry(const Session& session, const model::Peer& peer);

// Whether a registry peer still fits the profile: its group exists, its
// addresses lie in the group's subnets, its name and key are not the
// profile's own peers'. Holds indexes of `profile`'s peers: build it before
// merging any.
class StoredPeerCheck {
  public:
    StoredPeerCheck(const model::Profile& profile, const store::StatePaths& paths);
    Status operator()(const registry::PeerRecord& record) const;

  private:
    const model::Profile& profile_;
    const store::StatePaths& paths_;
    std::unordered_map<std::string_view, std::size_t> by_name_;
    std::unordered_map<PublicKey, std::size_t, PublicKeyHash> by_key_;
};

// The registry's peers one at a time, in the order they were added, whether
// or not the session merged them (a fleet member's: those it serves). Readers
// that list peers stream them instead of merging.
Status each_stored_peer(const Session& session, const registry::Registry::Visit& visit);

// Adds registry peers to the profile, checking that each still fits it
// (StoredPeerCheck).
Status merge_stored_peers(model::Profile& profile, const std::vector<registry::PeerRecord>& stored,
                          const store::StatePaths& paths);

}  // namespace vpngw::gateway
