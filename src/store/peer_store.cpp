#include "store/peer_store.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/atomic_file.hpp"
#include "store/peers_text.hpp"
#include "store/peers_toml.hpp"

namespace vpngw::store {

const StoredPeer* PeerState::find(const std::string& name) const {
    for (const auto& p : peers)
        if (p.name == name) return &p;
    return nullptr;
}

Result<PeerState> load_peers(const StatePaths& paths) {
    const std::string file = paths.peers_file();
    auto text = read_file_if_exists(file);
    if (!text) return text.error();
    if (*text) return parse_peers(**text, file);
    // A state directory from before the line format: read it; the next save
    // migrates it.
    const std::string legacy = paths.legacy_peers_file();
    auto old = read_file_if_exists(legacy);
    if (!old) return old.error();
    if (!*old) return PeerState{};
    return parse_legacy_peers_toml(**old, legacy);
}

Status save_peers(const StatePaths& paths, const PeerState& state) {
    if (auto s = ensure_private_dir(paths.dir); !s) return s;
    if (auto s = atomic_write_file(paths.peers_file(), format_peers(state), 0600); !s) return s;
    // peers.tsv now wins over any peers.toml (load_peers reads it first), so
    // a crash before this unlink loses nothing; leaving the old file would
    // only mislead a reader.
    const std::string legacy = paths.legacy_peers_file();
    if (::unlink(legacy.c_str()) != 0 && errno != ENOENT)
        return Error{"cannot remove the migrated " + legacy + ": " + std::strerror(errno)};
    return ok_status();
}

Status write_client_config(const StatePaths& paths, const std::string& peer_name,
                           const SecretText& config) {
    auto file = paths.client_config_file(peer_name);
    if (!file) return file.error();
    if (auto s = ensure_private_dir(paths.clients_dir()); !s) return s;
    return atomic_write_file(*file, config.view(), 0600);
}

Status write_psk(const StatePaths& paths, const std::string& peer_name, const SecretKey& psk) {
    auto file = paths.psk_file(peer_name);
    if (!file) return file.error();
    if (auto s = ensure_private_dir(paths.psk_dir()); !s) return s;
    SecretText text;
    std::string b64 = psk.base64();
    text.append(b64);
    text.append('\n');
    wipe(b64);
    return atomic_write_file(*file, text.view(), 0600);
}

Result<SecretKey> read_psk(const StatePaths& paths, const std::string& peer_name) {
    auto file = paths.psk_file(peer_name);
    if (!file) return file.error();
    auto text = read_file_if_exists(*file);
    if (!text) return text.error();
    if (!*text) return Error{"missing preshared key file " + *file};
    std::string& s = **text;
    std::string_view trimmed = s;
    while (!trimmed.empty() &&
           (trimmed.back() == '\n' || trimmed.back() == '\r' || trimmed.back() == ' '))
        trimmed.remove_suffix(1);
    auto key = SecretKey::from_base64(trimmed);
    wipe(s);
    if (!key) return Error{"preshared key file " + *file + " does not hold a base64 key"};
    return *key;
}

Status remove_peer_files(const StatePaths& paths, const std::string& peer_name) {
    for (auto file : {paths.client_config_file(peer_name), paths.psk_file(peer_name)}) {
        if (!file) return file.error();
        if (::unlink(file->c_str()) != 0 && errno != ENOENT)
            return Error{"cannot remove " + *file + ": " + std::strerror(errno)};
    }
    return ok_status();
}

}  // namespace vpngw::store
