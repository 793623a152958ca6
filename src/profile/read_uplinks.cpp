#include "model/route_table.hpp"
#include "profile/names.hpp"
#include "profile/quote.hpp"
#include "profile/sections.hpp"
#include "profile/values.hpp"

namespace vpngw::profile {

using model::NatMode;

static model::Uplink read_uplink(Context& ctx, const toml::table& table,
                                 const std::optional<Located<NatMode>>& default_nat) {
    model::Uplink u;
    TableReader r(
        ctx, table, "[[uplink]]", u.origin,
        {"name", "device", "gateway", "gateway6", "table", "fwmark", "nat", "snat_to", "snat_to6",
         "health"});
    if (auto name = r.required_string("name")) {
        check_name(ctx, *name, "name");
        u.name = name->value;
    }
    if (auto device = r.required_string("device")) {
        check_name(ctx, *device, "device name");
        u.device = device->value;
    }
    if (auto gw = r.string("gateway")) u.gateway = read_address(ctx, *gw, "gateway", Family::v4);
    if (auto gw = r.string("gateway6")) u.gateway6 = read_address(ctx, *gw, "gateway6", Family::v6);

    if (auto id = r.integer("table", 0, 0xffffffffLL)) {
        if (const char* name = model::reserved_table_name(id->value))
            ctx.error(id->where, "routing table " + std::to_string(id->value) +
                                     " is reserved (the kernel's \"" + name +
                                     "\" table); choose another id or leave \"table\" out");
        u.table = static_cast<std::uint32_t>(id->value);
        u.table_explicit = true;
    }
    if (auto mark = r.integer("fwmark", 0, 0xffffffffLL)) {
        if (mark->value == 0)
            ctx.error(mark->where,
                      "\"fwmark\" must not be 0 (0 means no mark); choose another "
                      "value or leave \"fwmark\" out");
        u.fwmark = static_cast<std::uint32_t>(mark->value);
        u.fwmark_explicit = true;
    }

    std::optional<Located<NatMode>> nat = r.choice<NatMode>(
        "nat",
        {{"masquerade", NatMode::masquerade}, {"snat", NatMode::snat}, {"none", NatMode::none}});
    const bool nat_written = r.has("nat");
    if (!nat_written) nat = default_nat;
    if (nat) u.nat = nat->value;

    if (auto to = r.string("snat_to")) u.snat_to = read_address(ctx, *to, "snat_to", Family::v4);
    if (auto to = r.string("snat_to6")) u.snat_to6 = read_address(ctx, *to, "snat_to6", Family::v6);

    if (nat && nat->value == NatMode::snat && !r.has("snat_to")) {
        const std::string who = "uplink " + quoted(u.name) + " uses nat = \"snat\"";
        if (nat_written)
            ctx.error(nat->where, who + " but has no \"snat_to\"");
        else
            ctx.error(r.where(), who + " (from [firewall] nat) but has no \"snat_to\"");
    }
    if ((r.has("snat_to") || r.has("snat_to6")) && nat_written && nat &&
        nat->value != NatMode::snat)
        ctx.warning(r.at(r.has("snat_to") ? "snat_to" : "snat_to6"),
                    "\"snat_to\"/\"snat_to6\" are ignored unless nat = \"snat\"");
    u.health = read_health(ctx, r);
    return u;
}

std::vector<model::Uplink> read_uplinks(Context& ctx, TableReader& root,
                                        const std::optional<Located<NatMode>>& default_nat) {
    std::vector<model::Uplink> out;
    for (const toml::table* t : root.tables("uplink"))
        out.push_back(read_uplink(ctx, *t, default_nat));
    return out;
}

}  // namespace vpngw::profile
