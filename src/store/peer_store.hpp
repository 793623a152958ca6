#pragma once

// Peers added with `vpngw peer add`, kept in <state_dir>/peers.tsv (see
// state_paths.hpp for the whole layout, peers_text.hpp for the format), and
// their secret files. The peers file holds no secrets.
//
// Callers hold the StateLock across load, change and save, so concurrent
// `vpngw peer add` runs do not lose each other's peers.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/state_paths.hpp"
#include "util/ip.hpp"
#include "util/key.hpp"
#include "util/result.hpp"
#include "util/secret_text.hpp"

namespace vpngw::store {

struct StoredPeer {
    std::string name;
    std::string group;
    PublicKey public_key;
    std::optional<IpAddress> address;
    std::optional<IpAddress> address6;
    bool has_psk = false;
    std::chrono::sys_seconds created{};

    friend bool operator==(const StoredPeer&, const StoredPeer&) = default;
};

struct PeerState {
    std::vector<StoredPeer> peers;

    const StoredPeer* find(const std::string& name) const;
};

// peers.tsv with the changes of peers.journal replayed (peers_journal.hpp).
// A missing file is an empty state. A state directory that still has the
// TOML peers.toml of earlier versions (and no peers.tsv) is read from it.
// Errors name file:line:column and the field for invalid or duplicate values.
Result<PeerState> load_peers(const StatePaths& paths);

// Writes peers.tsv atomically (0600) under a new snapshot id, creating the
// state directory (0700), then removes the journal it supersedes and a
// migrated peers.toml.
Status save_peers(const StatePaths& paths, const PeerState& state);

// Folds peers.journal into peers.tsv (load_peers + save_peers); nothing to do
// without a journal. `peer add/remove` call it when the journal has grown,
// `up` every time.
Status compact_peers(const StatePaths& paths);

// The text save_peers writes (exposed for tests and `--dry-run` style output);
// `id` names the snapshot (see peers_text.hpp), none when empty.
std::string format_peers(const PeerState& state, std::string_view id = {});

// clients/<name>.conf, 0600, atomically; the directory is created 0700.
Status write_client_config(const StatePaths& paths, const std::string& peer_name,
                           const SecretText& config);

// psk/<name>.psk, 0600, atomically: base64 and "\n".
Status write_psk(const StatePaths& paths, const std::string& peer_name, const SecretKey& psk);
Result<SecretKey> read_psk(const StatePaths& paths, const std::string& peer_name);

// Removes clients/<name>.conf and psk/<name>.psk; missing files are fine.
Status remove_peer_files(const StatePaths& paths, const std::string& peer_name);

}  // namespace vpngw::store
