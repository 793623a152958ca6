#pragma once

#include <optional>
#include <string>

#include "model/profile.hpp"
#include "store/peer_store.hpp"
#include "store/state_lock.hpp"
#include "util/error.hpp"
#include "util/result.hpp"

namespace vpngw::gateway {

struct Options {
    std::string profile_path;
    std::optional<std::string> state_dir;  // overrides [gateway].state_dir
    std::string wireguard_go = "wireguard-go";
};

// A loaded profile with the peers `vpngw peer add` recorded merged in, and,
// for commands that change anything, the state directory's lock held.
struct Session {
    model::Profile profile;  // profile.peers includes the stored peers
    store::StatePaths paths;
    store::PeerState stored;
    std::optional<store::StateLock> lock;
    Options options;
};

enum class LockMode { none, exclusive };

// `peer add/remove` read what they need of the stored peers themselves, in
// one pass over their text (store/peers_scan.hpp), under the lock: loading,
// validating and merging every stored peer is what made them grow with the
// number of peers. With `none`, session.stored is empty and profile.peers
// holds the profile's own peers only.
enum class StoredPeers { merged, none };

// Errors of the profile (and warnings) go to `diags`; other failures (lock,
// unreadable state) come back as the Error.
Result<Session> open_session(const Options& options, LockMode lock, Diagnostics& diags,
                             StoredPeers stored = StoredPeers::merged);

// Adds stored peers to the profile as fixed-address peers, checking that each
// still fits it (its group exists, its addresses lie in the group's subnets).
Status merge_stored_peers(model::Profile& profile, const store::PeerState& stored,
                          const store::StatePaths& paths);

}  // namespace vpngw::gateway
