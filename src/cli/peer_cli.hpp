#pragma once

// What the `vpngw peer ...` subcommands share (cmd_peer.cpp,
// cmd_peer_lifecycle.cpp): their option values, the common options, and the
// printing of a config with its QR code.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "gateway/peers.hpp"

namespace vpngw::cli {

struct PeerOptions {
    gateway::Options gateway;
    std::string state_dir;  // empty: the profile's
    std::string name;
    std::string group;
    std::string public_key;
    bool psk = false;
    std::string qr = "auto";
    std::string output;
    bool json = false;
    // add / edit
    std::string address;                // "A[,A6]"
    std::vector<std::string> networks;  // --network, repeatable
    std::vector<std::string> no_networks;
    std::string expires, quota, rate;
    std::string node;  // add/edit --node: the one fleet gateway serving the peer
    bool no_node = false;
    bool no_expiry = false, no_quota = false, no_rate = false;
    std::string rename;
    // rotate
    bool psk_only = false;
    // list
    bool disabled = false, expired = false;
    // import
    std::string file;

    gateway::Options session_options() const {
        gateway::Options o = gateway;
        if (!state_dir.empty()) o.state_dir = state_dir;
        return o;
    }
};

void print_profile_errors(const Diagnostics& diags);
void write_out(std::string_view text);
std::string address_list(const std::optional<IpAddress>& v4, const std::optional<IpAddress>& v6);
// --qr and -o checked together; kExitOk or kExitUsage.
int check_qr_options(const PeerOptions& opt);
// Prints or writes the QR code of a client config; false on failure.
bool emit_qr(const PeerOptions& opt, const SecretText& config);
// The notes a gateway function returned, each on stderr.
void print_notes(const std::vector<std::string>& notes);

std::vector<Option> common_options(PeerOptions& opt);
std::vector<Option> qr_options(PeerOptions& opt);
std::vector<Option> join(std::vector<Option> first, std::vector<Option> second,
                         std::vector<Option> third = {});

// The values of the lifecycle options, parsed; errors name the option.
Result<std::vector<IpAddress>> parse_addresses(const std::string& text);
Result<std::vector<Prefix>> parse_networks(const std::vector<std::string>& texts,
                                           const char* option);

// disable, enable, edit, rotate, export, import.
std::vector<Command> peer_lifecycle_subcommands(const std::shared_ptr<PeerOptions>& opt,
                                                const Option& name);

}  // namespace vpngw::cli
