#include <algorithm>
#include <map>
#include <set>

#include "plan/balance.hpp"
#include "plan/nft_parts.hpp"

namespace vpngw::plan::nft {
namespace {

// Beyond this width the elements go one per line, as peer sets grow long.
constexpr std::size_t kOneLineWidth = 64;

std::string elements(const std::vector<std::string>& items, bool one_per_line) {
    if (items.empty()) return "";  // a set without elements is valid; "{ }" is not
    std::size_t width = 0;
    for (const auto& i : items) width += i.size() + 2;
    std::string out = "\t\telements = {";
    if (!one_per_line && width <= kOneLineWidth) {
        for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : " ") + items[i];
        return out + " }\n";
    }
    out += "\n";
    for (std::size_t i = 0; i < items.size(); ++i)
        out += "\t\t\t" + items[i] + (i + 1 < items.size() ? ",\n" : "\n");
    return out + "\t\t}\n";
}

struct SetSpec {
    const char* kind = "set";  // or "map"
    std::string name;
    std::string type;
    bool interval = false;
    std::vector<std::string> items;
    // Peer maps: one element per line whatever their number, so a plan
    // diff shows one line per added or removed peer.
    bool one_per_line = false;
    // Sets filled from user-written prefixes, which may overlap: nft refuses
    // overlapping intervals ("conflicting intervals specified") unless it may
    // merge them.
    bool auto_merge = false;
    // Filled by the ruleset itself (`add @set`), as `ct count` needs.
    bool dynamic = false;
    // The elements already rendered (peer sets), instead of items.
    std::string rendered;
};

// Clients a connection-limited group can track at once; one element each.
constexpr std::size_t kDynamicSize = 65535;

std::string render(const SetSpec& s) {
    std::string out = "\t" + std::string(s.kind) + " " + s.name + " {\n\t\ttype " + s.type + "\n";
    if (s.dynamic) out += "\t\tsize " + std::to_string(kDynamicSize) + "\n\t\tflags dynamic\n";
    if (s.interval) out += "\t\tflags interval\n";
    if (s.auto_merge) out += "\t\tauto-merge\n";
    out += s.rendered.empty() ? elements(s.items, s.one_per_line) : s.rendered;
    out += "\t}\n";
    return out;
}

std::vector<std::string> prefixes(const std::vector<Prefix>& ps, Family f) {
    std::vector<std::string> out;
    for (const auto& p : ps)
        if (p.family() == f) out.push_back(p.network().str());
    return out;
}

std::vector<std::string> wg_ports(const Context& ctx) {
    std::vector<std::string> ports;
    std::vector<std::uint16_t> sorted;
    for (const auto& i : ctx.profile.interfaces) sorted.push_back(i.listen_port);
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    for (auto p : sorted) ports.push_back(std::to_string(p));
    return ports;
}

// Special ranges, vpngw's own prefixes, and the networks behind peers.
std::vector<std::string> not_internet_items(const Context& ctx, Family f) {
    auto nets = not_internet(ctx.profile, f);
    for (const auto& l : ctx.limits)
        for (const auto& n : l.networks)
            if (n.family() == f) nets.push_back(n.network());
    return prefixes(nets, f);
}

// An address of one family as two big-endian integers: sorting these orders
// the addresses as IpAddress's operator< does, without a memcmp per step.
struct AddressRow {
    std::uint64_t high = 0, low = 0;
    auto operator<=>(const AddressRow&) const = default;
};

AddressRow row_of(const IpAddress& a) {
    AddressRow r;
    for (int i = 0; i < 8; ++i) r.high = r.high << 8 | a.bytes[static_cast<std::size_t>(i)];
    for (int i = 8; i < 16; ++i) r.low = r.low << 8 | a.bytes[static_cast<std::size_t>(i)];
    return r;
}

// The peer set's elements, rendered as elements() renders one per line,
// straight from the sorted addresses: a string per address (and the copies
// of the joined text) were ~100 bytes a peer at the peak of `up`.
std::string peer_elements(const Context& ctx, Family f) {
    // Sorted and unique, in a vector: a tree of 1,000,000 addresses was a
    // node allocation and ~20 memcmp calls per peer.
    std::vector<AddressRow> rows;
    const auto& addresses = ctx.addresses();
    rows.reserve((ctx.given_peers ? ctx.given_peers->size() : 0) + addresses.size());
    if (ctx.given_peers)
        for (const auto& a : *ctx.given_peers)
            if (a.family == f) rows.push_back(row_of(a));
    for (std::size_t i = 0; i < addresses.size(); ++i) {
        if (ctx.profile.peers[i].disabled || !ctx.profile.find_group(ctx.profile.peers[i].group))
            continue;
        const auto& mine = addresses[i];
        if (const auto& a = f == Family::v4 ? mine.v4 : mine.v6) rows.push_back(row_of(*a));
        for (const auto& a : mine.extra)
            if (a.family == f) rows.push_back(row_of(a));
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    if (rows.empty()) return "";
    std::string out = "\t\telements = {\n";
    out.reserve(out.size() + rows.size() * (f == Family::v4 ? 20 : 44) + 8);
    IpAddress a;
    a.family = f;
    for (const auto& r : rows) {
        for (int i = 0; i < 8; ++i) {
            a.bytes[static_cast<std::size_t>(i)] =
                static_cast<std::uint8_t>(r.high >> (56 - 8 * i));
            a.bytes[static_cast<std::size_t>(8 + i)] =
                static_cast<std::uint8_t>(r.low >> (56 - 8 * i));
        }
        out += "\t\t\t";
        out += a.str();
        out += &r == &rows.back() ? "\n" : ",\n";
    }
    out += "\t\t}\n";
    return out;
}

}  // namespace

std::string render_objects(const Context& ctx) {
    std::vector<SetSpec> sets;
    sets.push_back({"set", "wg_ports", "inet_service", false, wg_ports(ctx)});
    const auto& mgmt = ctx.profile.firewall.management;
    for (Family f : {Family::v4, Family::v6})
        sets.push_back({.name = std::string("mgmt") + family_digit(f),
                        .type = addr_type(f),
                        .interval = true,
                        .items = mgmt ? prefixes(mgmt->allow, f) : std::vector<std::string>{},
                        .auto_merge = true});
    for (Family f : {Family::v4, Family::v6})
        sets.push_back({"set", std::string("vpn_nets") + family_digit(f), addr_type(f), true,
                        prefixes(ctx.vpn_nets(f), f)});
    for (Family f : {Family::v4, Family::v6})
        sets.push_back({"set", std::string("vpn_sources") + family_digit(f), addr_type(f), true,
                        prefixes(ctx.vpn_sources(f), f)});
    if (uses_internet(ctx.profile))
        for (Family f : {Family::v4, Family::v6})
            sets.push_back({.name = not_internet_set(f),
                            .type = addr_type(f),
                            .interval = true,
                            .items = not_internet_items(ctx, f),
                            .auto_merge = true});
    for (const auto& g : ctx.profile.groups)
        for (Family f : {Family::v4, Family::v6}) {
            const auto& subnet = f == Family::v4 ? g.subnet : g.subnet6;
            if (!subnet) continue;
            // The networks behind the group's peers are the group's too: its
            // allow and isolate rules and other groups' `group:` entries.
            std::vector<Prefix> members{subnet->network()};
            for (const auto& n : group_networks(ctx, g.name, f)) members.push_back(n);
            std::sort(members.begin(), members.end());
            sets.push_back({"set", group_set(g.name, f), addr_type(f), true, prefixes(members, f)});
        }
    for (const auto& g : ctx.profile.groups)
        for (Family f : {Family::v4, Family::v6}) {
            const auto& subnet = f == Family::v4 ? g.subnet : g.subnet6;
            if (subnet && g.max_connections > 0)
                sets.push_back(
                    {.name = group_conn_set(g.name, f), .type = addr_type(f), .dynamic = true});
        }
    GroupNetworks networks;  // every enabled peer's, registry peers' included
    for (const auto& l : ctx.limits)
        for (const auto& n : l.networks) networks[l.group].push_back(n.network());
    for (Family f : {Family::v4, Family::v6})
        sets.push_back(
            {"map", std::string("egress") + family_digit(f), std::string(addr_type(f)) + " : mark",
             true,
             // As the health monitor left them (plan/balance.hpp).
             egress_elements(ctx.profile, f,
                             ctx.live_elements ? ctx.profile.uplinks_down : std::set<std::string>{},
                             networks)});
    // Plain sets, not a verdict map of `ADDR : jump grp_X`: the kernel
    // re-validates every jump element of a table at each commit that adds a
    // jump element, so with such a map one live `peer add` cost O(peers).
    // The group comes from the subnet the address lies in (forward chain).
    for (Family f : {Family::v4, Family::v6})
        sets.push_back({.name = peer_set(f),
                        .type = addr_type(f),
                        .one_per_line = true,
                        .rendered = peer_elements(ctx, f)});

    std::string out =
        "\tcounter input_drops {}\n\tcounter forward_drops {}\n\tcounter spoofed_drops {}\n"
        "\tcounter quota_drops {}\n\tcounter rate_drops {}\n";
    for (auto& s : sets) {
        out += "\n";
        out += render(s);
        std::string().swap(s.rendered);
    }
    out += render_balance_maps(ctx);
    out += render_limit_objects(ctx);
    return out;
}

}  // namespace vpngw::plan::nft
