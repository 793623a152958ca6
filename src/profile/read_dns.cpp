#include <algorithm>
#include <cctype>

#include "escape/escape.hpp"
#include "profile/quote.hpp"
#include "profile/sections.hpp"
#include "profile/values.hpp"

namespace vpngw::profile {

std::optional<model::Dns> read_dns(Context& ctx, TableReader& root) {
    if (!root.has("dns")) return std::nullopt;
    const toml::table* table = root.table("dns");
    if (!table) return std::nullopt;
    model::Dns dns;
    TableReader r(ctx, *table, "[dns]", dns.origin, {"zone", "upstream"});
    if (auto zone = r.required_string("zone")) {
        std::string name = zone->value;
        if (!name.empty() && name.back() == '.') name.pop_back();  // "vpn.internal." too
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        // dnsmasq's files have no escapes: only a plain host name goes in.
        if (auto why = escape::dns_name_reason(name); !why.empty())
            ctx.error(zone->where, "\"zone\" " + quoted(zone->value) + " is no DNS name: " + why);
        else
            dns.zone = name;
    }
    if (auto upstream = r.strings("upstream"))
        for (const auto& text : *upstream)
            if (auto a = read_address(ctx, text, "upstream", std::nullopt))
                dns.upstream.push_back(*a);
    return dns;
}

void apply_dns(Context& ctx, model::Profile& profile) {
    if (!profile.dns) return;
    // Clients of a group that names no resolver ask the gateway: its address
    // on the group's interface, of each family the group has a subnet for.
    for (auto& g : profile.groups) {
        if (!g.device.empty() || !g.dns.empty()) continue;
        const auto* iface = profile.find_interface(g.interface);
        if (!iface) continue;
        for (const auto& a : iface->addresses)
            if ((a.addr.is_v4() && g.subnet) || (!a.addr.is_v4() && g.subnet6))
                g.dns.push_back(a.addr);
    }
    for (const auto& peer : profile.peers)
        if (!escape::dns_label(peer.name))
            ctx.warning(peer.origin.at("name"),
                        "peer " + quoted(peer.name) +
                            " gets no name in [dns]: a DNS label is 1-63 of A-Z a-z 0-9 '-'");
}

}  // namespace vpngw::profile
