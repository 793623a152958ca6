// The peers index's view of the profile: which bit an address of a group is.
#include <map>
#include <memory>

#include "gateway/peers.hpp"

namespace vpngw::gateway {

store::IndexLayout peers_index_layout(const model::Profile& profile) {
    struct Pools {
        std::optional<plan::AddressPool> v4, v6;
    };
    auto pools = std::make_shared<std::map<std::string, Pools, std::less<>>>();
    store::IndexLayout layout;
    // One line (the tag is line-based); any subnet change rebuilds the index.
    for (const auto& g : profile.groups) {
        auto& p = (*pools)[g.name];
        layout.id += g.name + " ";
        layout.id += g.subnet ? g.subnet->network().str() : "-";
        layout.id += " ";
        layout.id += g.subnet6 ? g.subnet6->network().str() : "-";
        layout.id += ";";
        if (g.subnet) p.v4.emplace(*g.subnet);
        if (g.subnet6) p.v6.emplace(*g.subnet6);
    }
    layout.offset = [pools](std::string_view group,
                            const IpAddress& a) -> std::optional<std::uint64_t> {
        auto it = pools->find(group);
        if (it == pools->end()) return std::nullopt;
        const auto& pool = a.is_v4() ? it->second.v4 : it->second.v6;
        if (!pool) return std::nullopt;
        return pool->offset_of(a);
    };
    return layout;
}

}  // namespace vpngw::gateway
