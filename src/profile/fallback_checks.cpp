#include <algorithm>

#include "profile/checks.hpp"
#include "profile/quote.hpp"
#include "profile/suggest.hpp"

namespace vpngw::profile {
namespace {

const char* kind_word(const model::Group& g) {
    return g.is_network() ? "network " : "group ";
}

std::vector<std::string> uplink_names(const model::Profile& p) {
    std::vector<std::string> out;
    for (const auto& u : p.uplinks) out.push_back(u.name);
    return out;
}

}  // namespace

void check_fallbacks(Context& ctx, const model::Profile& p) {
    for (const auto& g : p.groups) {
        if (!g.fallback) continue;
        const Location& where = g.origin.at("fallback");
        const std::string who = kind_word(g) + quoted(g.name);
        if (!g.egress) {
            ctx.error(where, "\"fallback\" of " + who +
                                 " needs an \"egress\": without one its traffic already "
                                 "leaves by the main routing table");
            continue;
        }
        if (!g.balance.empty()) {
            ctx.error(where, "\"fallback\" of " + who +
                                 " is for a single egress uplink; a balanced egress moves its "
                                 "share among its own uplinks");
            continue;
        }
        std::vector<std::string> seen;
        for (const auto& name : *g.fallback) {
            if (std::find(seen.begin(), seen.end(), name) != seen.end())
                ctx.error(where, quoted(name) + " is listed twice in \"fallback\" of " + who);
            seen.push_back(name);
            if (name == model::kMainTable) {
                if (p.find_uplink(name))
                    ctx.error(where, "\"fallback\" of " + who + ": \"main\" means the main " +
                                         "routing table, and an uplink has that name; rename it");
                continue;
            }
            if (name == *g.egress)
                ctx.error(where,
                          "\"fallback\" of " + who + " lists its own egress " + quoted(name));
            else if (!p.find_uplink(name))
                ctx.error(where, "undefined uplink " + quoted(name) + " in \"fallback\" of " + who +
                                     " (an uplink name, or \"main\")" +
                                     did_you_mean(name, uplink_names(p)));
        }
        const auto* egress = p.find_uplink(*g.egress);
        if (egress && !egress->health && !g.fallback->empty())
            ctx.warning(where, "\"fallback\" of " + who + " is never used: its egress uplink " +
                                   quoted(egress->name) +
                                   " has no health check, so it is never found down");
    }
}

}  // namespace vpngw::profile
