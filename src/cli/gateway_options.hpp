#pragma once

#include <CLI/CLI.hpp>
#include <memory>

#include "gateway/session.hpp"

namespace vpngw::cli {

// The options every command that works on a gateway shares. Read-only
// commands (status, metrics) may name a default profile instead of requiring one.
inline void add_gateway_options(CLI::App* cmd, gateway::Options& opt,
                                const char* default_profile = nullptr) {
    if (default_profile) {
        opt.profile_path = default_profile;
        cmd->add_option("profile", opt.profile_path, "Profile file")
            ->envname("VPNGW_PROFILE")
            ->capture_default_str();
    } else {
        cmd->add_option("profile", opt.profile_path, "Profile file")->required();
    }
    cmd->add_option(
        "--state-dir",
        [&opt](const CLI::results_t& r) {
            opt.state_dir = r.at(0);
            return true;
        },
        "Override [gateway].state_dir");
    cmd->add_option("--wireguard-go", opt.wireguard_go,
                    "wireguard-go binary for the userspace backend")
        ->capture_default_str();
}

}  // namespace vpngw::cli
