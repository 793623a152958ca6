#pragma once

// The lockout guard: before `up` changes the firewall or the routes, check
// that the management connection (the caller's SSH session, from
// SSH_CONNECTION, or the sources [firewall].management allows) would still be
// accepted on the management port and answered through the interface it came
// in on. Reasons on the model and the planned state, not on packets, so it
// runs before anything is applied.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/profile.hpp"
#include "ops/observed.hpp"
#include "state/kernel_state.hpp"
#include "util/error.hpp"

namespace vpngw::guard {

// SSH_CONNECTION: "client_ip client_port server_ip server_port".
struct SshConnection {
    IpAddress client;
    std::uint16_t client_port = 0;
    IpAddress server;
    std::uint16_t server_port = 0;
};

// nullopt when unset or malformed.
std::optional<SshConnection> parse_ssh_connection(const char* value);

// What the kernel has that vpngw does not manage but replies depend on.
struct GuardKernel {
    std::vector<state::Address> addresses;  // every interface address
    std::vector<state::Route> main_routes;  // the main table (254)
};

// One Error per setting that would cut management, each naming the setting
// and its profile line:
// "[firewall].management.allow does not contain 198.51.100.7 — your SSH
// session (to port 22) would be cut".
std::vector<Error> check_lockout(const model::Profile& profile, const ops::Desired& desired,
                                 const std::optional<SshConnection>& ssh,
                                 const GuardKernel& kernel);

}  // namespace vpngw::guard
