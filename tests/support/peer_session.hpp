#pragma once

// Shared by the peer tests: a temp state directory, a session on the fixture
// profile, and a fake running gateway that records what it was asked to do.

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/peers.hpp"
#include "gateway/session.hpp"
#include "registry/peer_text.hpp"
#include "registry/sqlite_registry.hpp"
#include "support/temp_dir.hpp"

namespace vpngw::gateway::test {

inline const std::string kFixture =
    std::string(VPNGW_SOURCE_DIR) + "/tests/gateway/fixtures/peers.toml";

using ::TempDir;  // support/temp_dir.hpp

inline bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

inline int mode_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return -1;
    return static_cast<int>(st.st_mode & 07777);
}

inline std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

inline void write_text(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

// A session on `profile` with the state in `state_dir`, lock held.
inline Session open(const std::string& state_dir, const std::string& profile = kFixture) {
    Options o;
    o.profile_path = profile;
    o.state_dir = state_dir;
    Diagnostics diags;
    auto s = open_session(o, LockMode::exclusive, diags);
    if (!s) {
        std::string all = s.error().str();
        for (const auto& d : diags.all()) all += "\n" + d.str();
        throw std::runtime_error(all);
    }
    return std::move(*s);
}

// The registry's peers of a state directory, read as `peer list` does.
inline std::vector<registry::PeerRecord> stored_peers(const std::string& state_dir) {
    auto peers = registry::read_stored_peers(state_dir);
    if (!peers) throw std::runtime_error(peers.error().str());
    return std::move(*peers);
}
inline bool is_stored(const std::string& state_dir, const std::string& name) {
    for (const auto& p : stored_peers(state_dir))
        if (p.name == name) return true;
    return false;
}
// Every stored field of every peer as text: equal before and after a
// refused change.
inline std::string stored_text(const std::string& state_dir) {
    return registry::format_peers_text(stored_peers(state_dir));
}

// The 1-based number of the first line of `path` that starts with `prefix`.
inline int line_of(const std::string& path, const std::string& prefix) {
    std::istringstream in(read_text(path));
    std::string line;
    for (int n = 1; std::getline(in, line); ++n)
        if (line.rfind(prefix, 0) == 0) return n;
    return -1;
}

// The value of "Key = value" in a wg-quick config, or "" when absent.
inline std::string config_value(std::string_view config, const std::string& key) {
    std::istringstream in{std::string(config)};
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key + " = ", 0) == 0) return line.substr(key.size() + 3);
    return "";
}

struct FakeLive : LiveGateway {
    bool up = true;
    bool firewall = true;
    bool fail_set = false;
    bool fail_remove = false;
    bool fail_elements = false;
    bool limits_chain = false;  // the table has the `limits` chain already
    std::vector<wg::PeerConfig> set_calls;
    std::vector<PublicKey> remove_calls;
    std::vector<std::vector<nft::ElementChange>> element_calls;
    wg::ObservedDevice device;

    bool interface_up(const model::Interface&) override { return up; }
    Result<bool> firewall_up() override { return firewall; }
    Result<wg::ObservedDevice> observe(const model::Interface&) override { return device; }
    Status set_peer(const model::Interface&, const wg::PeerConfig& peer) override {
        set_calls.push_back(peer);
        if (fail_set) return Error{"fake: set refused"};
        return ok_status();
    }
    Status remove_peer(const model::Interface&, const PublicKey& key) override {
        remove_calls.push_back(key);
        if (fail_remove) return Error{"fake: remove refused"};
        return ok_status();
    }
    Status change_elements(const std::vector<nft::ElementChange>& changes) override {
        element_calls.push_back(changes);
        // What nft::apply_element_changes says without vpngw's table.
        if (!firewall && !changes.empty())
            return Error{changes[0].op == nft::ElementChange::Op::add
                             ? "fake: No such file or directory (no such set, table or chain)"
                             : "fake: No such file or directory (no such element, set or table)"};
        if (fail_elements && !changes.empty() && changes[0].op == nft::ElementChange::Op::add)
            return Error{"fake: nft refused"};
        return ok_status();
    }
    // change_objects: each call's objects and elements.
    std::vector<std::pair<std::vector<nft::ObjectChange>, std::vector<nft::ElementChange>>>
        object_calls;
    Status change_objects(const std::vector<nft::ObjectChange>& objects,
                          const std::vector<nft::ElementChange>& elements) override {
        object_calls.emplace_back(objects, elements);
        if (!firewall)
            return Error{"fake: No such file or directory (no such set, table or chain)"};
        return ok_status();
    }
    std::vector<std::string> nft_calls;
    std::vector<std::pair<state::Route, bool>> route_calls;
    bool fail_nft_elements = false;  // nft refuses `add element` commands
    Status run_nft(const std::string& commands) override {
        nft_calls.push_back(commands);
        if (!firewall) return Error{"fake: No such file or directory"};
        if (fail_nft_elements && commands.find("add element") != std::string::npos)
            return Error{"fake: nft refused"};
        // What nft says to `create chain` of a chain the table has.
        if (limits_chain && commands.find("create chain") != std::string::npos)
            return Error{"fake: Could not process rule: File exists"};
        return ok_status();
    }
    Status change_route(const state::Route& route, bool add) override {
        route_calls.emplace_back(route, add);
        return ok_status();
    }
    std::string backend_name(const model::Interface&) override { return "fake"; }
};

}  // namespace vpngw::gateway::test
