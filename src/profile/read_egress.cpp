#include "profile/quote.hpp"
#include "profile/sections.hpp"

namespace vpngw::profile {

namespace {

// Bounds the modulus of the balance rule and the elements of its map.
constexpr std::int64_t kMaxWeight = 1000;

std::optional<model::EgressShare> read_share(Context& ctx, const toml::table& table) {
    model::Origin origin;
    TableReader r(ctx, table, "an \"egress\" entry", origin, {"uplink", "weight"});
    model::EgressShare share;
    share.where = r.where();
    auto uplink = r.reference("uplink");
    if (!uplink && !r.has("uplink")) r.missing("uplink");
    if (!uplink) return std::nullopt;
    share.uplink = uplink->value;
    share.where = uplink->where;
    if (auto weight = r.integer("weight", 1, kMaxWeight))
        share.weight = static_cast<std::uint32_t>(weight->value);
    else if (r.has("weight"))
        return std::nullopt;
    return share;
}

}  // namespace

void read_egress(Context& ctx, TableReader& r, model::Group& g) {
    // Names only here: whether they exist is checked with all uplinks known
    // (check_fallbacks).
    if (auto fallback = r.strings("fallback")) {
        g.fallback.emplace();
        for (const auto& name : *fallback) g.fallback->push_back(name.value);
    }
    if (r.type_of("egress") != toml::node_type::array) {
        if (auto egress = r.reference("egress")) g.egress = egress->value;
        return;
    }
    std::vector<model::EgressShare> shares;
    bool complete = true;
    for (const toml::table* t : r.tables("egress")) {
        auto share = read_share(ctx, *t);
        if (!share) {
            complete = false;
            continue;
        }
        for (const auto& earlier : shares)
            if (earlier.uplink == share->uplink) {
                ctx.error(share->where, "uplink " + quoted(share->uplink) +
                                            " is listed twice in \"egress\" of group " +
                                            quoted(g.name));
                complete = false;
            }
        shares.push_back(*share);
    }
    if (shares.empty()) {
        if (complete)
            ctx.error(r.at("egress"),
                      "\"egress\" must not be an empty list; leave it out for the "
                      "main routing table");
        return;
    }
    // The uplinks' existence is checked with all uplinks known (references.cpp).
    g.egress = shares.front().uplink;
    if (shares.size() >= 2 && complete) g.balance = std::move(shares);
}

}  // namespace vpngw::profile
