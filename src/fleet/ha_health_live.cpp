// gather_health: the kernel's links and routes over rtnetlink (read only)
// and one echo through the VRRP uplink (health/probe.hpp).
#include <chrono>

#include "fleet/ha_health.hpp"
#include "health/monitor.hpp"
#include "health/probe.hpp"
#include "netlink/links.hpp"
#include "netlink/routes.hpp"

namespace vpngw::fleet {

Result<HealthFacts> gather_health(const model::Profile& profile) {
    auto sock = netlink::NetlinkSocket::open();
    if (!sock) return sock.error();
    HealthFacts facts;
    auto links = netlink::dump_links(*sock);
    if (!links) return links.error();
    for (auto& l : *links) facts.links.push_back(std::move(l.link));
    auto routes = netlink::dump_routes(*sock, std::nullopt);
    if (!routes) return routes.error();
    for (auto& r : *routes) facts.routes.push_back(std::move(r.route));

    const model::Uplink* uplink = profile.cluster && profile.cluster->vrrp
                                      ? profile.find_uplink(profile.cluster->vrrp->uplink)
                                      : nullptr;
    if (uplink && uplink->health) {
        const auto address = health::probe_address(*uplink);
        facts.probe = address ? health::probe_echo({*address, uplink->fwmark, uplink->device},
                                                   std::chrono::seconds(uplink->health->timeout))
                              : Status(Error{"no address to probe"});
    }
    return facts;
}

}  // namespace vpngw::fleet
