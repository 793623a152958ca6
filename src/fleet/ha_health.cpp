#include "fleet/ha_health.hpp"

#include <algorithm>

#include "plan/desired.hpp"
#include "state/describe.hpp"

namespace vpngw::fleet {
namespace {

const state::Link* find_link(const std::vector<state::Link>& links, const std::string& name) {
    auto it = std::find_if(links.begin(), links.end(),
                           [&](const state::Link& l) { return l.name == name; });
    return it == links.end() ? nullptr : &*it;
}

void need_up(const std::vector<state::Link>& links, const std::string& name, const char* role,
             std::vector<std::string>& problems) {
    const state::Link* l = find_link(links, name);
    if (!l)
        problems.push_back(std::string(role) + " " + name + " is missing");
    else if (!l->up)
        problems.push_back(std::string(role) + " " + name + " is down");
}

}  // namespace

Result<std::vector<std::string>> judge_health(const model::Profile& profile,
                                              const HealthFacts& facts) {
    if (!profile.cluster || !profile.cluster->vrrp)
        return Error{"the profile has no [cluster.vrrp]: no member role to check",
                     Location{profile.source}};
    const model::Uplink* uplink = profile.find_uplink(profile.cluster->vrrp->uplink);
    if (!uplink)
        return Error{"no uplink \"" + profile.cluster->vrrp->uplink + "\"",
                     Location{profile.source}};

    std::vector<std::string> problems;
    for (const auto& i : profile.interfaces)
        need_up(facts.links, i.name, "WireGuard interface", problems);
    need_up(facts.links, uplink->device, "uplink device", problems);
    for (const auto& want : plan::desired_state_without_ruleset(profile).routes) {
        if (want.table != uplink->table) continue;
        if (std::find(facts.routes.begin(), facts.routes.end(), want) == facts.routes.end())
            problems.push_back("uplink " + uplink->name + "'s table " +
                               std::to_string(uplink->table) + " lacks " +
                               state::describe_route(want));
    }
    if (facts.probe && !*facts.probe)
        problems.push_back("uplink " + uplink->name +
                           " probe failed: " + facts.probe->error().message);
    return problems;
}

}  // namespace vpngw::fleet
