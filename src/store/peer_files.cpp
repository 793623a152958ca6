#include "store/peer_files.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "store/atomic_file.hpp"

namespace vpngw::store {

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

Status rename_peer_files(const StatePaths& paths, const std::string& from, const std::string& to) {
    for (auto [a, b] : {std::pair{paths.client_config_file(from), paths.client_config_file(to)},
                        std::pair{paths.psk_file(from), paths.psk_file(to)}}) {
        if (!a) return a.error();
        if (!b) return b.error();
        if (::rename(a->c_str(), b->c_str()) != 0 && errno != ENOENT)
            return Error{"cannot rename " + *a + " to " + *b + ": " + std::strerror(errno)};
    }
    return ok_status();
}

}  // namespace vpngw::store
