#include "plan/balance.hpp"
#include "plan/nft_parts.hpp"

namespace vpngw::plan::nft {

// One map per balanced group, keyed by the number `numgen random mod TOTAL`
// draws. Its elements are the only part the health monitor rewrites.
std::string render_balance_maps(const Context& ctx) {
    std::string out;
    for (const auto& g : ctx.profile.groups) {
        if (g.balance.empty()) continue;
        const auto elements = balance_elements(
            balance_slots(ctx.profile, g,
                          ctx.live_elements ? ctx.profile.uplinks_down : std::set<std::string>{}));
        out += "\n\tmap " + balance_map_name(g) + " {\n\t\ttypeof numgen random mod " +
               std::to_string(balance_total(g)) + " : meta mark\n\t\tflags interval\n";
        if (!elements.empty()) {
            out += "\t\telements = {";
            for (std::size_t i = 0; i < elements.size(); ++i) out += (i ? ", " : " ") + elements[i];
            out += " }\n";
        }
        out += "\t}\n";
    }
    return out;
}

// A random draw rather than a hash of the tuple: the ct mark pins the choice
// for the connection's life, so nothing needs to recompute it, and a draw
// splits even one client's connections to one server by the weights (a hash
// of addresses would send them all one way).
std::vector<std::string> balance_rules(const Context& ctx, const std::string& from_wg) {
    std::vector<std::string> out;
    for (Family f : {Family::v4, Family::v6})
        for (const auto& g : ctx.profile.groups) {
            const auto& subnet = f == Family::v4 ? g.subnet : g.subnet6;
            if (g.balance.empty() || !subnet) continue;
            out.push_back(from_wg + ip_keyword(f) + " saddr @" + group_set(g.name, f) +
                          " meta mark set numgen random mod " + std::to_string(balance_total(g)) +
                          " map @" + balance_map_name(g));
        }
    return out;
}

}  // namespace vpngw::plan::nft
