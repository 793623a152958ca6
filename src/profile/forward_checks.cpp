#include <string>

#include "model/forward_source.hpp"
#include "profile/checks.hpp"
#include "profile/quote.hpp"

namespace vpngw::profile {
namespace {

std::string joined(const std::vector<Prefix>& prefixes) {
    std::string out;
    for (const auto& p : prefixes) out += (out.empty() ? "" : ", ") + p.str();
    return out;
}

bool has_address(const std::vector<Prefix>& addresses, Family f) {
    for (const auto& a : addresses)
        if (a.family() == f) return true;
    return false;
}

// A kept source reaches a split-tunnel client whose routes may not lead back
// to it: say which prefixes its AllowedIPs need.
void check_kept_source(Context& ctx, const model::Forward& f, const model::Group& g) {
    const auto sources = model::forward_sources(f);
    const bool everything = f.allow_from.empty();
    ctx.warning(f.origin.at("source"),
                "forward to " + f.to.str() + " keeps the remote source address, but group " +
                    quoted(g.name) + " is split-tunnel: the target answers only if its " +
                    "AllowedIPs route " + joined(sources) + " into the tunnel (configs vpngw " +
                    "writes from now on do; a config written before or by hand must add them)" +
                    (everything ? "; with no allow_from that makes the target a full-tunnel "
                                  "client: source = \"gateway\" keeps its other traffic as it is"
                                : ""));
}

// Masquerading needs an address of the target's family on the device the
// connection leaves by.
void check_masquerade_address(Context& ctx, const model::Profile& p, const model::Forward& f,
                              const model::Group& g) {
    const Family fam = f.to.family;
    const char* family = fam == Family::v4 ? "IPv4" : "IPv6";
    if (g.is_network()) {
        if (g.create_bridge && !has_address(g.addresses, fam))
            ctx.warning(f.origin.at("to"), "forward to " + f.to.str() +
                                               " cannot be answered: bridge " + quoted(g.device) +
                                               " has no " + family +
                                               " address for the gateway to masquerade to");
        return;
    }
    const auto* iface = p.find_interface(g.interface);
    if (iface && !has_address(iface->addresses, fam))
        ctx.warning(f.origin.at("to"),
                    "forward to " + f.to.str() + " cannot be answered: interface " +
                        quoted(iface->name) + " has no " + family +
                        " address for the gateway to masquerade to; add one, or make group " +
                        quoted(g.name) + " full-tunnel and set source = \"keep\"");
}

}  // namespace

void check_forward_answers(Context& ctx, const model::Profile& p) {
    for (const auto& f : p.forwards) {
        if (!f.origin.fields.count("to") || f.to_port == 0) continue;  // missing or invalid
        const model::Group* g = model::forward_target_group(p, f);
        if (!g) continue;  // check_addressing warns about targets outside every group
        if (model::forward_from_gateway(p, f))
            check_masquerade_address(ctx, p, f, *g);
        else if (!g->is_network() && g->tunnel == model::Tunnel::split &&
                 !model::split_client_routes_sources(*g, f))
            check_kept_source(ctx, f, *g);
    }
}

}  // namespace vpngw::profile
