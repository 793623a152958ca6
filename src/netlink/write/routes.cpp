#include "netlink/write/routes.hpp"

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>

#include "netlink/links.hpp"

namespace vpngw::netlink {

namespace {

std::uint8_t rtn_of(state::RouteType t) {
    switch (t) {
        case state::RouteType::blackhole:
            return RTN_BLACKHOLE;
        case state::RouteType::unreachable:
            return RTN_UNREACHABLE;
        case state::RouteType::local:
            return RTN_LOCAL;
        case state::RouteType::unicast:
            break;
    }
    return RTN_UNICAST;
}

// The kernel's answer to one route change (a negative Ack is not an Error
// here: EEXIST is for add_or_adopt_route to look into).
Result<Ack> exchange_route(NetlinkSocket& sock, const state::Route& route, std::uint16_t type,
                           std::uint16_t flags, std::uint8_t protocol, const std::string& what) {
    int oif = 0;
    if (!route.dev.empty()) {
        auto index = link_index(sock, route.dev);
        if (!index) return error_in(what, index.error(), route.origin);
        oif = *index;
    }
    MessageBuffer buf;
    nlmsghdr* nlh = build_route_message(buf, type, flags, route, oif);
    static_cast<rtmsg*>(mnl_nlmsg_get_payload(nlh))->rtm_protocol = protocol;
    auto ack = sock.exchange(nlh);
    if (!ack) return error_in(what, ack.error(), route.origin);
    return *ack;
}

Status change_route(NetlinkSocket& sock, const state::Route& route, std::uint16_t type,
                    std::uint16_t flags, const std::string& verb,
                    std::uint8_t protocol = state::kRouteProtocol) {
    const std::string what = verb + " route " + describe_route(route);
    auto ack = exchange_route(sock, route, type, flags, protocol, what);
    if (!ack) return ack.error();
    if (!ack->ok()) return error_in(what, Error{ack->str()}, route.origin);
    return ok_status();
}

}  // namespace

nlmsghdr* build_route_message(MessageBuffer& buf, std::uint16_t type, std::uint16_t flags,
                              const state::Route& route, int oif) {
    nlmsghdr* nlh = buf.start(type, flags);
    auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
    rtm->rtm_family = address_family(route.dst.family());
    rtm->rtm_dst_len = static_cast<std::uint8_t>(route.dst.len);
    // The header's table field has 8 bits; RTA_TABLE carries the real id.
    rtm->rtm_table =
        route.table < 256 ? static_cast<std::uint8_t>(route.table) : std::uint8_t{RT_TABLE_UNSPEC};
    rtm->rtm_protocol = state::kRouteProtocol;
    rtm->rtm_type = rtn_of(route.type);
    if (type == RTM_DELROUTE)
        rtm->rtm_scope = RT_SCOPE_NOWHERE;  // match whatever scope the kernel gave it
    else if (route.type == state::RouteType::unicast && !route.via)
        rtm->rtm_scope = RT_SCOPE_LINK;  // directly connected, as `ip route add ... dev`
    else if (route.type == state::RouteType::local)
        rtm->rtm_scope = RT_SCOPE_HOST;  // as `ip route add local ...`
    else
        rtm->rtm_scope = RT_SCOPE_UNIVERSE;
    mnl_attr_put_u32(nlh, RTA_TABLE, route.table);
    if (route.dst.len > 0) put_address(nlh, RTA_DST, route.dst.addr);
    if (route.via) put_address(nlh, RTA_GATEWAY, *route.via);
    if (oif > 0) mnl_attr_put_u32(nlh, RTA_OIF, static_cast<std::uint32_t>(oif));
    if (route.metric > 0) mnl_attr_put_u32(nlh, RTA_PRIORITY, route.metric);
    return nlh;
}

Status add_route(NetlinkSocket& sock, const state::Route& route) {
    return change_route(sock, route, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, "adding");
}

Result<std::optional<std::uint8_t>> add_or_adopt_route(NetlinkSocket& sock,
                                                       const state::Route& route) {
    const std::string what = "adding route " + describe_route(route);
    auto ack = exchange_route(sock, route, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
                              state::kRouteProtocol, what);
    if (!ack) return ack.error();
    if (ack->ok()) return std::optional<std::uint8_t>{};
    if (ack->error != EEXIST) return error_in(what, Error{ack->str()}, route.origin);
    auto routes = dump_routes(sock, std::nullopt);
    if (!routes) return error_in(what, routes.error(), route.origin);
    const auto found = route_in_the_way(route, *routes);
    using Kind = RouteInTheWay::Kind;
    if (found.kind == Kind::conflict)
        return Error{what + ": the kernel has " + describe_route_entry(found.entry) +
                         " in its place, which vpngw did not make; remove that route or "
                         "change the profile",
                     route.origin};
    if (found.kind == Kind::none) return error_in(what, Error{ack->str()}, route.origin);
    // NLM_F_REPLACE swaps the route in one step: it never leaves the table.
    if (auto st = change_route(sock, route, RTM_NEWROUTE, NLM_F_REPLACE, "taking over"); !st)
        return st.error();
    return std::optional<std::uint8_t>{found.entry.protocol};
}

Status hand_back_route(NetlinkSocket& sock, const state::Route& route, std::uint8_t protocol) {
    return change_route(sock, route, RTM_NEWROUTE, NLM_F_REPLACE, "handing back", protocol);
}

Status delete_route(NetlinkSocket& sock, const state::Route& route) {
    return change_route(sock, route, RTM_DELROUTE, 0, "deleting");
}

}  // namespace vpngw::netlink
