#pragma once

// What `up`, `down`, `plan` and `status` want the kernel to hold: plan/'s
// pure desired state completed with what needs the state directory (the
// interfaces' keys). Lives here, not in exec/, because it decides and may
// generate a key; exec/ only observes and applies.

#include "model/profile.hpp"
#include "ops/diff.hpp"
#include "ops/observed.hpp"
#include "util/result.hpp"

namespace vpngw::gateway {

enum class KeyPolicy {
    generate_missing,  // `up`: create <state_dir>/<ifname>.key (0600) when absent
    read_only,         // `plan`, `status`: never write; a missing key is "to be generated"
};

enum class RulesetText {
    now,    // render desired.state.nft_ruleset
    later,  // leave it empty: the caller calls render_ruleset_if_replaced after observing
};

// The desired state of a profile plus what needs I/O to know: the public keys
// of the interfaces' private key files (generated here when `keys` allows),
// the ruleset hash and the peer elements. Planning, not execution: exec/ only
// observes and applies what this resolves.
Result<ops::Desired> resolve_desired(const model::Profile& profile, KeyPolicy keys,
                                     RulesetText text = RulesetText::now);

// Renders desired.state.nft_ruleset when the diff will replace the table
// (ops::replaces_table) and it was left for later. With 50,000 peers the
// text is a large part of a no-op `up`, which never needs it. The peer sets
// are filled from desired.nft_elements: profile.peers may be freed by then.
void render_ruleset_if_replaced(const model::Profile& profile, ops::Desired& desired,
                                const ops::Observed& observed);

// The private key file an interface uses.
std::string private_key_path(const model::Profile& profile, const state::WgDevice& device);

}  // namespace vpngw::gateway
