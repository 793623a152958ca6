#include "plan/desired.hpp"

#include "plan/allocate.hpp"
#include "plan/desired_parts.hpp"
#include "plan/nft_ruleset.hpp"
#include "plan/peer_limits.hpp"

namespace vpngw::plan {

static state::KernelState assemble(const model::Profile& profile,
                                   const std::vector<PeerAddresses>& addresses,
                                   bool with_ruleset = true) {
    state::KernelState s;
    s.links = detail::desired_links(profile);
    s.addresses = detail::desired_addresses(profile);
    s.routes = detail::desired_routes(profile);
    for (auto& r : detail::desired_proxy_routes(profile)) s.routes.push_back(std::move(r));
    s.rules = detail::desired_proxy_rules(profile);
    for (auto& r : detail::desired_rules(profile)) s.rules.push_back(std::move(r));
    s.sysctls = detail::desired_sysctls(profile);
    s.peer_limits = all_peer_limits(profile, addresses);
    for (const auto& l : s.peer_limits)
        for (auto& r : network_routes(l)) s.routes.push_back(std::move(r));
    // Before the WireGuard peers: rendering a million peers' ruleset briefly
    // holds its text twice, better not on top of them.
    if (with_ruleset) s.nft_ruleset = render_nft_ruleset(profile, addresses, s.peer_limits);
    s.wireguard = detail::desired_wireguard(profile, addresses);
    return s;
}

state::KernelState desired_state(const model::Profile& profile) {
    return assemble(profile, assign_addresses(profile).peers);
}

state::KernelState desired_state_without_ruleset(const model::Profile& profile) {
    return assemble(profile, assign_addresses(profile).peers, false);
}

Result<state::KernelState> desired_state_checked(const model::Profile& profile) {
    auto addresses = assign_peer_addresses(profile);
    if (!addresses) return addresses.error();
    return assemble(profile, *addresses);
}

}  // namespace vpngw::plan
