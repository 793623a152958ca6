#include "plan/balance.hpp"

#include <algorithm>
#include <map>

#include "plan/nft_parts.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::plan {

std::uint32_t balance_total(const model::Group& group) {
    std::uint32_t total = 0;
    for (const auto& share : group.balance) total += share.weight;
    return total;
}

std::vector<BalanceSlot> balance_slots(const model::Profile& profile, const model::Group& group,
                                       const std::set<std::string>& down) {
    struct Candidate {
        const model::EgressShare* share;
        const model::Uplink* uplink;
    };
    std::vector<Candidate> all, healthy;
    for (const auto& share : group.balance)
        if (const auto* u = profile.find_uplink(share.uplink)) {
            all.push_back({&share, u});
            if (!down.count(share.uplink)) healthy.push_back({&share, u});
        }
    const auto& chosen = healthy.empty() ? all : healthy;
    const std::uint32_t total = balance_total(group);
    std::uint64_t weights = 0;
    for (const auto& c : chosen) weights += c.share->weight;
    if (chosen.empty() || weights == 0) return {};

    // Largest remainder: floor shares first, then one more number each to
    // the largest fractions (earlier uplinks win ties), so the result is
    // deterministic and sums to exactly TOTAL.
    std::vector<std::uint32_t> counts(chosen.size());
    std::vector<std::pair<std::uint64_t, std::size_t>> remainders;
    std::uint32_t given = 0;
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        const std::uint64_t scaled = std::uint64_t(total) * chosen[i].share->weight;
        counts[i] = static_cast<std::uint32_t>(scaled / weights);
        given += counts[i];
        remainders.push_back({scaled % weights, i});
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t k = 0; given < total; ++k, ++given) ++counts[remainders[k].second];

    std::vector<BalanceSlot> out;
    std::uint32_t next = 0;
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        if (counts[i] == 0) continue;
        out.push_back(
            {next, next + counts[i] - 1, chosen[i].uplink->name, chosen[i].uplink->fwmark});
        next += counts[i];
    }
    return out;
}

namespace {

bool has_next_hop(const model::Uplink& u, Family f) {
    return (f == Family::v4 ? u.gateway : u.gateway6).has_value();
}

}  // namespace

std::string effective_egress(const model::Profile& profile, const model::Group& group, Family f,
                             const std::set<std::string>& down) {
    if (!group.egress || !group.balance.empty()) return "";
    if (!down.count(*group.egress)) return *group.egress;
    std::vector<std::string> candidates;
    if (group.fallback)
        candidates = *group.fallback;
    else
        for (const auto& u : profile.uplinks) candidates.push_back(u.name);
    for (const auto& name : candidates) {
        if (name == model::kMainTable) return name;
        const auto* u = profile.find_uplink(name);
        if (u && name != *group.egress && !down.count(name) && has_next_hop(*u, f)) return name;
    }
    return *group.egress;
}

GroupNetworks profile_group_networks(const model::Profile& profile) {
    GroupNetworks out;
    for (const auto& p : profile.peers)
        if (!p.disabled)
            for (const auto& n : p.networks) out[p.group].push_back(n.network());
    return out;
}

std::vector<std::string> egress_elements(const model::Profile& profile, Family f,
                                         const std::set<std::string>& down,
                                         const GroupNetworks& networks) {
    std::map<Prefix, std::uint32_t> marks;  // sorted by prefix
    for (const auto& g : profile.groups) {
        const auto& subnet = f == Family::v4 ? g.subnet : g.subnet6;
        if (!subnet) continue;
        // Balanced groups draw their mark from their own map (nft_balance.cpp).
        const auto* uplink = profile.find_uplink(effective_egress(profile, g, f, down));
        if (!uplink) continue;
        marks.emplace(subnet->network(), uplink->fwmark);
        // Hosts behind the group's peers leave through the same uplink.
        if (auto it = networks.find(g.name); it != networks.end())
            for (const auto& n : it->second)
                if (n.family() == f) marks.emplace(n, uplink->fwmark);
    }
    std::vector<std::string> out;
    for (const auto& [subnet, m] : marks) out.push_back(subnet.str() + " : " + nft::mark(m));
    return out;
}

bool egress_fails_over(const model::Profile& profile) {
    for (const auto& g : profile.groups)
        if (g.egress && g.balance.empty())
            if (const auto* u = profile.find_uplink(*g.egress); u && u->health) return true;
    return false;
}

std::string balance_map_name(const model::Group& group) {
    return "bal_" + nft::identifier(group.name);
}

std::vector<std::string> balance_elements(const std::vector<BalanceSlot>& slots) {
    std::vector<std::string> out;
    for (const auto& s : slots) {
        std::string key = std::to_string(s.from);
        if (s.to != s.from) key += "-" + std::to_string(s.to);
        out.push_back(key + " : " + nft::mark(s.mark));
    }
    return out;
}

std::string render_balance_update(const model::Profile& profile,
                                  const std::set<std::string>& down) {
    std::string out;
    const std::string table = "inet " + std::string(state::kNftTable) + " ";
    for (const auto& g : profile.groups) {
        if (g.balance.empty()) continue;
        const auto elements = balance_elements(balance_slots(profile, g, down));
        out += "flush map " + table + balance_map_name(g) + "\n";
        if (elements.empty()) continue;
        out += "add element " + table + balance_map_name(g) + " {";
        for (std::size_t i = 0; i < elements.size(); ++i) out += (i ? ", " : " ") + elements[i];
        out += " }\n";
    }
    if (egress_fails_over(profile)) {
        const auto networks = profile_group_networks(profile);
        for (Family f : {Family::v4, Family::v6}) {
            const std::string map = table + "egress" + nft::family_digit(f);
            const auto elements = egress_elements(profile, f, down, networks);
            out += "flush map " + map + "\n";
            if (elements.empty()) continue;
            out += "add element " + map + " {";
            for (std::size_t i = 0; i < elements.size(); ++i) out += (i ? ", " : " ") + elements[i];
            out += " }\n";
        }
    }
    return out;
}

}  // namespace vpngw::plan
