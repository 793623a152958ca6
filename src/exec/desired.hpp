#pragma once

#include "model/profile.hpp"
#include "ops/observed.hpp"
#include "util/result.hpp"

namespace vpngw::exec {

enum class KeyPolicy {
    generate_missing,  // `up`: create <state_dir>/<ifname>.key (0600) when absent
    read_only,         // `plan`, `status`: never write; a missing key is "to be generated"
};

// The desired state of a profile plus what needs I/O to know: the public keys
// of the interfaces' private key files, the ruleset hash and the peer elements.
Result<ops::Desired> resolve_desired(const model::Profile& profile, KeyPolicy keys);

// The private key file an interface uses.
std::string private_key_path(const model::Profile& profile, const state::WgDevice& device);

}  // namespace vpngw::exec
