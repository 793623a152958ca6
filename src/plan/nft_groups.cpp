#include "plan/nft_parts.hpp"

namespace vpngw::plan::nft {
namespace {

const std::optional<Prefix>& subnet_of(const model::Group& g, Family f) {
    return f == Family::v4 ? g.subnet : g.subnet6;
}

// The protocol part of an allow entry for destinations of family `f`
// (nullopt: both families, as with target "any").
std::string protocol_match(const model::AllowEntry& e, std::optional<Family> f) {
    using model::Proto;
    switch (e.proto) {
        case Proto::any:
            return "";
        case Proto::icmp:
            if (!f) return "meta l4proto { icmp, ipv6-icmp } ";
            return *f == Family::v4 ? "meta l4proto icmp " : "meta l4proto ipv6-icmp ";
        case Proto::tcp:
        case Proto::udp: {
            const std::string name = model::to_string(e.proto);
            if (e.port_from == 0) return "meta l4proto " + name + " ";
            std::string ports = std::to_string(e.port_from);
            if (e.port_to != e.port_from && e.port_to != 0)
                ports += "-" + std::to_string(e.port_to);
            return name + " dport " + ports + " ";
        }
    }
    return "";
}

// A group chain's accept labels the connection as admitted, so its later
// packets leave the forward chain before the classification (the forward
// chain's `ct label` rule): one classification per connection.
std::string admit() {
    return "ct label set " + std::to_string(kAdmittedLabel) + " accept";
}

// The rules of one allow entry: an inclusion accepts, an exclusion drops
// (and counts) what it names.
void allow_rules(const Context& ctx, const model::AllowEntry& e, std::vector<std::string>& rules) {
    using Kind = model::AllowEntry::Kind;
    const std::string verdict = e.exclude ? "counter name forward_drops drop" : admit();
    switch (e.kind) {
        case Kind::any:
            rules.push_back(protocol_match(e, std::nullopt) + verdict);
            return;
        case Kind::internet:
            // One negated lookup per family: not a special range, not vpngw's.
            for (Family f : {Family::v4, Family::v6})
                rules.push_back(std::string(ip_keyword(f)) + " daddr != @" + not_internet_set(f) +
                                " " + protocol_match(e, f) + verdict);
            return;
        case Kind::prefix: {
            const Family f = e.prefix.family();
            rules.push_back(std::string(ip_keyword(f)) + " daddr " + e.prefix.network().str() +
                            " " + protocol_match(e, f) + verdict);
            return;
        }
        case Kind::group: {
            const auto* target = ctx.profile.find_group(e.group);
            if (!target) return;
            for (Family f : {Family::v4, Family::v6})
                if (subnet_of(*target, f))
                    rules.push_back(std::string(ip_keyword(f)) + " daddr @" +
                                    group_set(target->name, f) + " " + protocol_match(e, f) +
                                    verdict);
            return;
        }
    }
}

std::string group_chain_text(const Context& ctx, const model::Group& g) {
    std::vector<std::string> rules;
    // The peer sets are keyed by address alone; a peer of another WireGuard
    // interface given a wide allowed-ips range could borrow this group's
    // addresses, so the group's own interface is checked too.
    if (ctx.wg_interfaces.size() > 1 && !g.is_network())
        rules.push_back("iifname != " + quoted(g.interface) + " counter name spoofed_drops drop");
    // Only a connection's first packet gets here (the forward chain accepts
    // established ones before the peer sets), so `ct count` sees each once.
    if (g.max_connections > 0)
        for (Family f : {Family::v4, Family::v6})
            if (subnet_of(g, f))
                rules.push_back(std::string("ct state new add @") + group_conn_set(g.name, f) +
                                " { " + ip_keyword(f) + " saddr ct count over " +
                                std::to_string(g.max_connections) +
                                " } counter name forward_drops drop");
    // Isolation comes first so no allow entry (not even "any") reopens it.
    if (g.isolate)
        for (Family f : {Family::v4, Family::v6})
            if (subnet_of(g, f))
                rules.push_back("oifname " + quoted(client_device(g)) + " " + ip_keyword(f) +
                                " daddr @" + group_set(g.name, f) +
                                " counter name forward_drops drop");
    // Then the exclusions, all of them before any inclusion: an exclusion
    // wins wherever it stands in the list.
    for (const auto& e : g.allow)
        if (e.exclude) allow_rules(ctx, e, rules);
    bool accepts_all = false;
    for (const auto& e : g.allow) {
        if (e.exclude) continue;
        allow_rules(ctx, e, rules);
        accepts_all =
            accepts_all || (e.kind == model::AllowEntry::Kind::any && e.proto == model::Proto::any);
    }
    if (accepts_all) return chain(group_chain(g.name), "", rules);  // nothing falls through
    // The chain ends with the forward policy itself: a jump that returned
    // would fall into the spoofed-source drop after the peer sets.
    if (ctx.profile.firewall.forward == model::Policy::drop) {
        auto tail = drop_accounting(ctx, "forward");
        tail.back() += " drop";
        for (auto& r : tail) rules.push_back(std::move(r));
    } else {
        rules.push_back(admit());
    }
    return chain(group_chain(g.name), "", rules);
}

}  // namespace

std::string render_group_chains(const Context& ctx) {
    std::string out;
    for (const auto& g : ctx.profile.groups)
        out += (out.empty() ? "" : "\n") + group_chain_text(ctx, g);
    return out;
}

}  // namespace vpngw::plan::nft
