#include "model/forward_source.hpp"

namespace vpngw::model {

const char* to_string(ForwardSource s) {
    switch (s) {
        case ForwardSource::automatic:
            return "auto";
        case ForwardSource::keep:
            return "keep";
        case ForwardSource::gateway:
            return "gateway";
    }
    return "?";
}

const Group* forward_target_group(const Profile& profile, const Forward& forward) {
    for (const auto& g : profile.groups) {
        const auto& subnet = forward.to.is_v4() ? g.subnet : g.subnet6;
        if (subnet && subnet->contains(forward.to)) return &g;
    }
    return nullptr;
}

namespace {

// Whether a split-tunnel client of `g` already routes `source` into the
// tunnel: an allow entry makes its config route it (clientconf's
// client_allowed_ips: "any" and "internet" route everything, a prefix
// itself; group subnets and interface networks are never internet sources).
bool routes_back(const Group& g, const Prefix& source) {
    for (const auto& e : g.allow) {
        if (e.exclude) continue;
        if (e.kind == AllowEntry::Kind::any || e.kind == AllowEntry::Kind::internet) return true;
        if (e.kind == AllowEntry::Kind::prefix && e.prefix.family() == source.family() &&
            e.prefix.contains(source))
            return true;
    }
    return false;
}

}  // namespace

bool split_client_routes_sources(const Group& group, const Forward& forward) {
    for (const auto& source : forward_sources(forward))
        if (!routes_back(group, source)) return false;
    return true;
}

bool forward_from_gateway(const Profile& profile, const Forward& forward) {
    switch (forward.source) {
        case ForwardSource::keep:
            return false;
        case ForwardSource::gateway:
            return true;
        case ForwardSource::automatic: {
            const Group* g = forward_target_group(profile, forward);
            return g && !g->is_network() && g->tunnel == Tunnel::split &&
                   !split_client_routes_sources(*g, forward);
        }
    }
    return false;
}

std::vector<Prefix> forward_sources(const Forward& forward) {
    std::vector<Prefix> out;
    for (const auto& p : forward.allow_from)
        if (p.family() == forward.to.family) out.push_back(p.network());
    if (forward.allow_from.empty()) {
        Prefix all;
        all.addr.family = forward.to.family;
        all.len = 0;
        out.push_back(all);
    }
    return out;
}

}  // namespace vpngw::model
