#include "store/state_paths.hpp"

namespace vpngw::store {

bool is_valid_name(std::string_view name) {
    if (name.empty() || name.size() > 15) return false;
    if (name.front() == '-' || name.front() == '.') return false;
    for (char c : name) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '=' || c == '+' || c == '-';
        if (!ok) return false;
    }
    return true;
}

static Result<std::string> file_in(const std::string& dir, std::string_view name,
                                   std::string_view suffix) {
    if (!is_valid_name(name))
        return Error{"invalid peer name \"" + std::string(name) +
                     "\" (allowed: 1-15 of A-Z a-z 0-9 _ . = + -, not starting with - or .)"};
    return dir + "/" + std::string(name) + std::string(suffix);
}

std::string StatePaths::in(std::string_view name) const {
    std::string_view base = dir;
    while (base.size() > 1 && base.back() == '/') base.remove_suffix(1);
    std::string out(base == "/" ? std::string_view() : base);
    out += '/';
    out += name;
    return out;
}

std::string StatePaths::key_file(std::string_view ifname) const {
    return in(std::string(ifname) + std::string(kKeySuffix));
}

Result<std::string> StatePaths::client_config_file(std::string_view peer_name) const {
    return file_in(clients_dir(), peer_name, ".conf");
}

Result<std::string> StatePaths::psk_file(std::string_view peer_name) const {
    return file_in(psk_dir(), peer_name, ".psk");
}

}  // namespace vpngw::store
