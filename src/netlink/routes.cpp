#include "netlink/routes.hpp"

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <map>

#include "netlink/links.hpp"
#include "netlink/message.hpp"
#include "netlink/parse.hpp"

namespace vpngw::netlink {

namespace {

std::optional<state::RouteType> route_type(std::uint8_t rtn) {
    switch (rtn) {
        case RTN_UNICAST:
            return state::RouteType::unicast;
        case RTN_BLACKHOLE:
            return state::RouteType::blackhole;
        case RTN_UNREACHABLE:
            return state::RouteType::unreachable;
        case RTN_LOCAL:
            return state::RouteType::local;
        default:
            return std::nullopt;
    }
}

// IPv6 routes added with metric 0 are stored with the user default.
std::uint32_t stored_metric(const state::Route& r) {
    return r.dst.family() == Family::v6 && r.metric == 0 ? 1024 : r.metric;
}

std::string protocol_name(std::uint8_t p) {
    switch (p) {
        case RTPROT_KERNEL:
            return "kernel";
        case RTPROT_BOOT:
            return "boot";
        case RTPROT_STATIC:
            return "static";
        case RTPROT_DHCP:
            return "dhcp";
        case RTPROT_RA:
            return "ra";
        case state::kRouteProtocol:
            return "vpngw";
        default:
            return std::to_string(p);
    }
}

}  // namespace

RouteInTheWay route_in_the_way(const state::Route& want, const std::vector<RouteEntry>& existing) {
    RouteInTheWay out;
    for (const auto& e : existing) {
        const state::Route& r = e.route;
        if (r.table != want.table || r.dst != want.dst.network() ||
            stored_metric(r) != stored_metric(want))
            continue;
        const bool same = r.type == want.type && r.dev == want.dev && r.via == want.via;
        out = {same ? RouteInTheWay::Kind::identical : RouteInTheWay::Kind::conflict, e};
        if (same) return out;  // IPv6 may list several under one key: one identical suffices
    }
    return out;
}

std::string describe_route_entry(const RouteEntry& entry) {
    return describe_route(entry.route) + " proto " + protocol_name(entry.protocol);
}

std::optional<RouteEntry> parse_route(const nlmsghdr* nlh,
                                      const std::map<int, std::string>& names) {
    if (nlh->nlmsg_type != RTM_NEWROUTE) return std::nullopt;
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(rtmsg)) return std::nullopt;
    const auto* rtm = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(nlh));
    Family family;
    if (rtm->rtm_family == AF_INET)
        family = Family::v4;
    else if (rtm->rtm_family == AF_INET6)
        family = Family::v6;
    else
        return std::nullopt;
    if (rtm->rtm_flags & RTM_F_CLONED) return std::nullopt;
    auto type = route_type(rtm->rtm_type);
    if (!type) return std::nullopt;
    // The kernel's own local table (the host's addresses) is no business of
    // vpngw's; local routes elsewhere (TPROXY's table) are.
    if (*type == state::RouteType::local && rtm->rtm_table == RT_TABLE_LOCAL) return std::nullopt;

    RouteEntry e;
    e.protocol = rtm->rtm_protocol;
    state::Route& r = e.route;
    r.type = *type;
    r.table = rtm->rtm_table;
    r.dst.addr.family = family;
    r.dst.len = rtm->rtm_dst_len;
    for_each_attr(nlh, sizeof(rtmsg), [&](const nlattr* attr) {
        IpAddress a;
        switch (mnl_attr_get_type(attr)) {
            case RTA_TABLE:
                if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) r.table = mnl_attr_get_u32(attr);
                break;
            case RTA_DST:
                if (get_address(attr, family, a)) r.dst.addr = a;
                break;
            case RTA_GATEWAY:
                if (get_address(attr, family, a)) r.via = a;
                break;
            case RTA_OIF:
                if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
                    auto it = names.find(static_cast<int>(mnl_attr_get_u32(attr)));
                    if (it != names.end()) r.dev = it->second;
                }
                break;
            case RTA_PRIORITY:
                if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) r.metric = mnl_attr_get_u32(attr);
                break;
        }
    });
    // IPv6 hangs blackhole and unreachable routes on lo; they have no device
    // in vpngw's terms (nor in `ip -6 route add blackhole`).
    if (r.type == state::RouteType::blackhole || r.type == state::RouteType::unreachable)
        r.dev.clear();
    return e;
}

Result<std::vector<RouteEntry>> dump_routes(NetlinkSocket& sock,
                                            std::optional<std::uint8_t> protocol) {
    auto names = link_names(sock);
    if (!names) return names.error();
    MessageBuffer buf;
    nlmsghdr* nlh = buf.start(RTM_GETROUTE, 0);
    auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
    rtm->rtm_family = AF_UNSPEC;  // both families, all tables
    std::vector<RouteEntry> out;
    auto st = sock.dump(
        nlh,
        [&](const nlmsghdr* reply) {
            auto e = parse_route(reply, *names);
            if (e && (!protocol || e->protocol == *protocol)) out.push_back(std::move(*e));
        },
        [&] { out.clear(); });
    if (!st) return error_in("listing routes", st.error());
    return out;
}

}  // namespace vpngw::netlink
