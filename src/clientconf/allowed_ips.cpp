#include <algorithm>

#include "clientconf/client_config.hpp"
#include "model/forward_source.hpp"

namespace vpngw::clientconf {

namespace {

Prefix default_route(Family family) {
    Prefix p;
    p.addr.family = family;
    p.len = 0;
    return p;
}

// Sorted so that a covering prefix comes before everything it covers (lower or
// equal network address, then shorter length), which lets one pass drop the
// covered ones.
std::vector<Prefix> collapse(std::vector<Prefix> prefixes) {
    for (auto& p : prefixes) p = p.network();
    std::sort(prefixes.begin(), prefixes.end());
    std::vector<Prefix> kept;
    for (const auto& p : prefixes) {
        bool covered =
            std::any_of(kept.begin(), kept.end(), [&](const Prefix& k) { return k.contains(p); });
        if (!covered) kept.push_back(p);
    }
    return kept;
}

}  // namespace

Result<std::vector<Prefix>> client_allowed_ips(const model::Group& group,
                                               const model::Interface& interface,
                                               const model::Profile& profile,
                                               const std::string& self,
                                               const std::vector<IpAddress>& own) {
    const bool v4 = group.subnet.has_value();
    const bool v6 = group.subnet6.has_value();
    auto wanted = [&](Family f) { return f == Family::v4 ? v4 : v6; };

    std::vector<Prefix> out;
    auto add = [&](const Prefix& p) {
        if (wanted(p.family())) out.push_back(p);
    };
    auto add_default_routes = [&] {
        add(default_route(Family::v4));
        add(default_route(Family::v6));
    };

    if (group.tunnel == model::Tunnel::full) {
        add_default_routes();
        return collapse(std::move(out));
    }

    for (const auto& a : interface.addresses) add(a.network());
    // Forwards to this client that keep the remote source: their answers
    // must go back into the tunnel (model/forward_source.hpp).
    for (const auto& f : profile.forwards)
        if (std::find(own.begin(), own.end(), f.to) != own.end() &&
            !model::forward_from_gateway(profile, f))
            for (const auto& p : model::forward_sources(f)) add(p);
    for (const auto& entry : group.allow) {
        // An exclusion takes nothing away from the routes: the gateway drops it.
        if (entry.exclude) continue;
        switch (entry.kind) {
            case model::AllowEntry::Kind::any:
            case model::AllowEntry::Kind::internet:  // a complement: all of it, the gateway filters
                add_default_routes();
                break;
            case model::AllowEntry::Kind::prefix:
                add(entry.prefix);
                break;
            case model::AllowEntry::Kind::group: {
                const model::Group* other = profile.find_group(entry.group);
                if (!other)
                    return Error{"allow entry \"" + entry.text + "\" of group " + group.name +
                                     " names no group " + entry.group,
                                 entry.where};
                if (other->subnet) add(*other->subnet);
                if (other->subnet6) add(*other->subnet6);
                // Disabled peers' networks too: a config does not change
                // while another peer is switched off and on.
                for (const auto& peer : profile.peers)
                    if (peer.group == other->name && peer.name != self)
                        for (const auto& n : peer.networks) add(n);
                break;
            }
        }
    }
    return collapse(std::move(out));
}

}  // namespace vpngw::clientconf
