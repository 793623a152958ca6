#include <map>

#include "profile/checks.hpp"
#include "profile/quote.hpp"
#include "profile/suggest.hpp"

namespace vpngw::profile {

template <class T>
static std::vector<std::string> names_of(const std::vector<T>& items) {
    std::vector<std::string> out;
    for (const auto& i : items)
        if (!i.name.empty()) out.push_back(i.name);
    return out;
}

static std::string list(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + escape_controls(n);
    return out;
}

static void resolve_group_interface(Context& ctx, const model::Profile& p, model::Group& g) {
    if (g.is_network()) return;  // a local network has a device instead
    if (g.origin.fields.count("interface") == 0) {
        if (p.interfaces.size() == 1)
            g.interface = p.interfaces.front().name;
        else if (p.interfaces.size() > 1)
            ctx.error(g.origin.table, "group " + quoted(g.name) +
                                          " needs \"interface\": the profile has " +
                                          std::to_string(p.interfaces.size()) + " interfaces (" +
                                          list(names_of(p.interfaces)) + ")");
        return;
    }
    if (!g.interface.empty() && !p.find_interface(g.interface))
        ctx.error(g.origin.at("interface"), "undefined interface " + quoted(g.interface) +
                                                did_you_mean(g.interface, names_of(p.interfaces)));
}

static void resolve_forward_uplink(Context& ctx, const model::Profile& p, model::Forward& f) {
    if (f.origin.fields.count("uplink") == 0) {
        if (p.uplinks.size() == 1)
            f.uplink = p.uplinks.front().name;
        else if (p.uplinks.empty())
            ctx.error(f.origin.table,
                      "forward needs an uplink to listen on, but the profile has "
                      "no [[uplink]]");
        else
            ctx.error(f.origin.table, "forward needs \"uplink\": the profile has " +
                                          std::to_string(p.uplinks.size()) + " uplinks (" +
                                          list(names_of(p.uplinks)) + ")");
        return;
    }
    if (!f.uplink.empty() && !p.find_uplink(f.uplink))
        ctx.error(f.origin.at("uplink"), "undefined uplink " + quoted(f.uplink) +
                                             did_you_mean(f.uplink, names_of(p.uplinks)));
}

// A network's device is its own: not an uplink, not a WireGuard interface,
// not another network's (the device is how its packets are told apart).
static void check_network_devices(Context& ctx, const model::Profile& p) {
    std::map<std::string, const model::Group*> owners;
    for (const auto& g : p.groups) {
        if (!g.is_network()) continue;
        const Location& where = g.origin.at("device");
        for (const auto& u : p.uplinks)
            if (u.device == g.device)
                ctx.error(where, "device " + quoted(g.device) + " of network " + quoted(g.name) +
                                     " is the device of uplink " + quoted(u.name));
        if (p.find_interface(g.device))
            ctx.error(where, "device " + quoted(g.device) + " of network " + quoted(g.name) +
                                 " is a WireGuard [[interface]]");
        auto [it, fresh] = owners.emplace(g.device, &g);
        if (!fresh)
            ctx.error(where, "device " + quoted(g.device) + " of network " + quoted(g.name) +
                                 " is already the device of network " + quoted(it->second->name) +
                                 " (line " + std::to_string(it->second->origin.at("device").line) +
                                 ")");
    }
}

// Nor is a WireGuard interface an uplink's device: VPN sources arriving on
// an uplink are dropped as spoofed (plan/nft_mangle.cpp).
static void check_interface_names(Context& ctx, const model::Profile& p) {
    for (const auto& i : p.interfaces)
        for (const auto& u : p.uplinks)
            if (u.device == i.name)
                ctx.error(i.origin.at("name"), "interface " + quoted(i.name) +
                                                   " is the device of uplink " + quoted(u.name));
}

void resolve_references(Context& ctx, model::Profile& p) {
    const auto group_names = names_of(p.groups);
    for (auto& g : p.groups) {
        resolve_group_interface(ctx, p, g);
        for (const auto& share : g.balance)
            if (!p.find_uplink(share.uplink))
                ctx.error(share.where, "undefined uplink " + quoted(share.uplink) +
                                           did_you_mean(share.uplink, names_of(p.uplinks)));
        if (g.balance.empty() && g.egress && !g.egress->empty() && !p.find_uplink(*g.egress))
            ctx.error(g.origin.at("egress"), "undefined uplink " + quoted(*g.egress) +
                                                 did_you_mean(*g.egress, names_of(p.uplinks)));
        if (!g.egress && g.origin.fields.count("egress") == 0 && p.uplinks.size() >= 2)
            ctx.warning(g.origin.table,
                        std::string(g.is_network() ? "network " : "group ") + quoted(g.name) +
                            " has no \"egress\" while " + std::to_string(p.uplinks.size()) +
                            " uplinks exist: its traffic leaves by the main routing table");
        for (const auto& entry : g.allow)
            if (entry.kind == model::AllowEntry::Kind::group && !p.find_group(entry.group))
                ctx.error(entry.where, "undefined group " + quoted(entry.group) +
                                           " in allow entry " + quoted(entry.text) +
                                           did_you_mean(entry.group, group_names));
    }
    for (auto& f : p.forwards) resolve_forward_uplink(ctx, p, f);
    for (const auto& peer : p.peers) {
        const model::Group* g = peer.group.empty() ? nullptr : p.find_group(peer.group);
        if (!peer.group.empty() && !g)
            ctx.error(peer.origin.at("group"), "undefined group " + quoted(peer.group) +
                                                   did_you_mean(peer.group, group_names));
        else if (g && g->is_network())
            ctx.error(
                peer.origin.at("group"),
                quoted(peer.group) + " is a [[network]], not a WireGuard group: it has no peers");
    }
    check_network_devices(ctx, p);
    check_interface_names(ctx, p);
}

}  // namespace vpngw::profile
