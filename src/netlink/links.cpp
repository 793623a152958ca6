#include "netlink/links.hpp"

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <cerrno>

#include "netlink/message.hpp"
#include "netlink/parse.hpp"

namespace vpngw::netlink {

namespace {

std::string info_kind(const nlattr* linkinfo) {
    std::string kind;
    for_each_nested(linkinfo, [&](const nlattr* attr) {
        if (mnl_attr_get_type(attr) == IFLA_INFO_KIND) kind = attr_string(attr);
    });
    return kind;
}

}  // namespace

std::optional<LinkInfo> parse_link(const nlmsghdr* nlh) {
    if (nlh->nlmsg_type != RTM_NEWLINK) return std::nullopt;
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(ifinfomsg)) return std::nullopt;
    const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
    LinkInfo info;
    info.ifindex = ifi->ifi_index;
    info.link.up = (ifi->ifi_flags & IFF_UP) != 0;
    info.link.kind.clear();
    info.link.mtu = 0;
    for_each_attr(nlh, sizeof(ifinfomsg), [&](const nlattr* attr) {
        switch (mnl_attr_get_type(attr)) {
            case IFLA_IFNAME:
                info.link.name = attr_string(attr);
                break;
            case IFLA_MTU:
                if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
                    info.link.mtu = static_cast<int>(mnl_attr_get_u32(attr));
                break;
            case IFLA_IFALIAS:
                info.alias = attr_string(attr);
                break;
            case IFLA_LINKINFO:
                info.link.kind = info_kind(attr);
                break;
        }
    });
    if (info.link.name.empty()) return std::nullopt;
    return info;
}

nlmsghdr* link_message(MessageBuffer& buf, std::uint16_t type, std::uint16_t flags,
                       const std::string& name) {
    nlmsghdr* nlh = buf.start(type, flags);
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_family = AF_UNSPEC;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, name.c_str());
    return nlh;
}

Status check_ifname(const std::string& name) {
    if (name.empty()) return Error{"empty link name"};
    if (name.size() > IFNAMSIZ - 1)
        return Error{"link name \"" + name + "\" is longer than " + std::to_string(IFNAMSIZ - 1) +
                     " bytes"};
    if (name == "." || name == "..") return Error{"invalid link name \"" + name + "\""};
    for (unsigned char c : name)
        if (c == '/' || c == ':' || c <= ' ' || c == 0x7f)
            return Error{"invalid link name \"" + name + "\""};
    return ok_status();
}

Result<std::vector<LinkInfo>> dump_links(NetlinkSocket& sock) {
    MessageBuffer buf;
    nlmsghdr* nlh = buf.start(RTM_GETLINK, 0);
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_family = AF_UNSPEC;
    std::vector<LinkInfo> links;
    auto st = sock.dump(
        nlh,
        [&](const nlmsghdr* reply) {
            if (auto info = parse_link(reply)) links.push_back(std::move(*info));
        },
        [&] { links.clear(); });
    if (!st) return error_in("listing links", st.error());
    return links;
}

Result<std::optional<LinkInfo>> find_link(NetlinkSocket& sock, const std::string& name) {
    if (auto st = check_ifname(name); !st) return error_in("looking up link", st.error());
    MessageBuffer buf;
    nlmsghdr* nlh = link_message(buf, RTM_GETLINK, 0, name);
    std::optional<LinkInfo> found;
    auto ack = sock.exchange(nlh, [&](const nlmsghdr* reply) {
        if (auto info = parse_link(reply)) found = std::move(*info);
    });
    if (!ack) return error_in("looking up link " + name, ack.error());
    if (ack->error == ENODEV) return std::optional<LinkInfo>{};
    if (!ack->ok()) return error_in("looking up link " + name, ack->status().error());
    return found;
}

Result<int> link_index(NetlinkSocket& sock, const std::string& name) {
    auto found = find_link(sock, name);
    if (!found) return found.error();
    if (!*found) return Error{"no link named " + name};
    return (*found)->ifindex;
}

Result<std::map<int, std::string>> link_names(NetlinkSocket& sock) {
    auto links = dump_links(sock);
    if (!links) return links.error();
    std::map<int, std::string> names;
    for (const auto& l : *links) names[l.ifindex] = l.link.name;
    return names;
}

}  // namespace vpngw::netlink
