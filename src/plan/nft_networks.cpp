#include "plan/nft_parts.hpp"

namespace vpngw::plan::nft {

const std::string& client_device(const model::Group& g) {
    return g.is_network() ? g.device : g.interface;
}

// A local network has no peer keys to vouch for its sources, so its device
// does: what arrives on the device must come from the network's subnets (it
// then takes the network's chain, like a peer's packet takes its group's),
// and a source in those subnets must arrive on the device. Only routed
// traffic passes here; hosts sharing a bridge talk at layer 2, unseen.
std::vector<std::string> network_forward_rules(const Context& ctx) {
    std::vector<std::string> rules;
    std::vector<std::string> claimed;  // "ip saddr @grp_lan_net4" of every network
    for (const auto& g : ctx.profile.groups) {
        if (!g.is_network()) continue;
        const std::string from = "iifname " + quoted(g.device) + " ";
        for (Family f : {Family::v4, Family::v6}) {
            const auto& subnet = f == Family::v4 ? g.subnet : g.subnet6;
            if (!subnet) continue;
            const std::string source =
                std::string(ip_keyword(f)) + " saddr @" + group_set(g.name, f) + " ";
            rules.push_back(from + source + "jump " + group_chain(g.name));
            claimed.push_back(source);
        }
        rules.push_back(from + "counter name spoofed_drops drop");
    }
    // Reached only by packets that came in on no network's device.
    for (const auto& source : claimed) rules.push_back(source + "counter name spoofed_drops drop");
    return rules;
}

}  // namespace vpngw::plan::nft
