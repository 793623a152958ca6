#include "exec/observe.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "exec/nft_listing.hpp"
#include "netlink/addresses.hpp"
#include "netlink/links.hpp"
#include "netlink/routes.hpp"
#include "netlink/rules.hpp"
#include "netlink/sysctl.hpp"
#include "nft/observe.hpp"
#include "store/atomic_file.hpp"

namespace vpngw::exec {

namespace {

state::WgPeer to_state_peer(wg::ObservedPeer&& p) {
    state::WgPeer s;
    s.public_key = p.public_key;
    s.allowed_ips = std::move(p.allowed_ips);
    std::sort(s.allowed_ips.begin(), s.allowed_ips.end());
    s.endpoint = std::move(p.endpoint);
    s.keepalive = p.keepalive;
    return s;
}

Status observe_links(const ops::Desired& desired, netlink::NetlinkSocket& sock,
                     ops::Observed& out) {
    auto links = netlink::dump_links(sock);
    if (!links) return links.error();
    for (const auto& want : desired.state.links) {
        for (const auto& info : *links) {
            if (info.link.name != want.name) continue;
            out.links.push_back(info.link);
            if (info.alias != state::kLinkAlias) out.foreign_links.push_back(want.name);
            auto addrs = netlink::dump_addresses(sock, want.name);
            if (!addrs) return addrs.error();
            out.addresses.insert(out.addresses.end(), addrs->begin(), addrs->end());
        }
    }
    return ok_status();
}

Status observe_wireguard(const ops::Desired& desired, Backends& backends, ops::Observed& out) {
    for (const auto& device : desired.state.wireguard) {
        bool present = std::any_of(out.links.begin(), out.links.end(),
                                   [&](const state::Link& l) { return l.name == device.ifname; });
        if (!present) continue;
        auto& backend = backends.for_interface(device.ifname, device.backend);
        if (!backend.exists(device.ifname)) continue;
        auto got = backend.get(device.ifname);
        if (!got) return got.error();
        ops::WgObserved w;
        w.ifname = device.ifname;
        w.listen_port = got->listen_port;
        w.fwmark = got->fwmark;
        w.public_key = got->public_key;
        w.peers.reserve(got->peers.size());
        for (auto& p : got->peers) w.peers.push_back(to_state_peer(std::move(p)));
        out.wireguard.push_back(std::move(w));
    }
    return ok_status();
}

// A table whose comment matches can still have been edited by hand: compare
// the kernel's listing with the one recorded when vpngw last replaced it. Only
// then, because a differing comment means a replace anyway, and only when a
// record exists (state directories of earlier versions have none).
Status observe_nft_listing(const ops::Desired& desired, const std::string& listing_file,
                           ops::Observed& out) {
    if (listing_file.empty() || out.nft_hash != desired.nft_hash) return ok_status();
    auto recorded = store::read_file_if_exists(listing_file);
    if (!recorded) return recorded.error();
    if (!*recorded) return ok_status();
    std::string want = **recorded;
    while (!want.empty() && (want.back() == '\n' || want.back() == ' ')) want.pop_back();
    auto live = live_nft_fingerprint();
    if (!live) return live.error();
    out.nft_changed_outside = !*live || **live != want;
    return ok_status();
}

Status observe_nft(const ops::Desired& desired, const std::string& listing_file,
                   ops::Observed& out) {
    auto comment = nft::owned_table_comment();
    if (!comment) return comment.error();
    if (!*comment) return ok_status();
    out.nft_hash = **comment;
    if (auto st = observe_nft_listing(desired, listing_file, out); !st) return st;
    out.nft_elements.reserve(desired.nft_elements.size());
    for (auto [set, family] : {std::pair{"peers4", Family::v4}, std::pair{"peers6", Family::v6}}) {
        const std::string name = set;
        auto st =
            nft::for_each_map_element(name, family, [&](const IpAddress& key, std::string_view) {
                out.nft_elements.push_back({name, key, {}});
            });
        if (!st) return st;
    }
    return ok_status();
}

}  // namespace

Result<ops::Observed> observe(const ops::Desired& desired, netlink::NetlinkSocket& sock,
                              Backends& backends, const std::string& nft_listing_file,
                              bool nft_as_desired) {
    ops::Observed out;
    if (auto st = observe_links(desired, sock, out); !st) return st.error();
    auto routes = netlink::dump_routes(sock, state::kRouteProtocol);
    if (!routes) return routes.error();
    for (auto& r : *routes) {
        // The kernel stores an IPv6 route's metric 0 as 1024 (IP6_RT_PRIO_USER).
        if (r.route.dst.family() == Family::v6 && r.route.metric == 1024) r.route.metric = 0;
        out.routes.push_back(r.route);
    }
    auto rules = netlink::dump_rules(sock, state::kRouteProtocol);
    if (!rules) return rules.error();
    for (auto& r : *rules) out.rules.push_back(r.rule);
    if (auto st = observe_wireguard(desired, backends, out); !st) return st.error();
    for (const auto& s : desired.state.sysctls) {
        auto value = netlink::read_sysctl(s.key);
        if (!value) return value.error();
        out.sysctls.push_back({s.key, *value});
    }
    if (nft_as_desired) {
        out.nft_hash = desired.nft_hash;
        out.nft_as_desired = true;
    } else if (auto st = observe_nft(desired, nft_listing_file, out); !st) {
        return st.error();
    }
    return out;
}

}  // namespace vpngw::exec
