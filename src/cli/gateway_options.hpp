#pragma once

#include <vector>

#include "cli/command.hpp"
#include "gateway/session.hpp"

namespace vpngw::cli {

// The options every command that works on a gateway shares. Read-only
// commands (status, metrics) may name a default profile instead of requiring one.
inline std::vector<Option> gateway_options(gateway::Options& opt,
                                           const char* default_profile = nullptr) {
    std::vector<Option> options;
    if (default_profile) {
        opt.profile_path = default_profile;
        options.push_back({.names = "profile",
                           .target = &opt.profile_path,
                           .help = "Profile file",
                           .show_default = true,
                           .env = "VPNGW_PROFILE"});
    } else {
        options.push_back({.names = "profile",
                           .target = &opt.profile_path,
                           .help = "Profile file",
                           .required = true});
    }
    options.push_back(
        {.names = "--state-dir", .target = &opt.state_dir, .help = "Override [gateway].state_dir"});
    options.push_back({.names = "--wireguard-go",
                       .target = &opt.wireguard_go,
                       .help = "wireguard-go binary for the userspace backend",
                       .show_default = true});
    return options;
}

}  // namespace vpngw::cli
