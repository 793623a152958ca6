#include "wg/write/rtnl_link.hpp"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <array>
#include <cctype>
#include <ctime>

#include "wg/write/mnl_socket.hpp"

namespace vpngw::wg {

namespace {

nlmsghdr* start_link_request(std::uint8_t* buf, std::uint16_t type, std::uint16_t flags,
                             const std::string& ifname) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    nlh->nlmsg_seq = static_cast<std::uint32_t>(time(nullptr));
    auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifm->ifi_family = AF_UNSPEC;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname.c_str());
    return nlh;
}

Status send_link_request(const nlmsghdr* nlh, const std::string& what) {
    auto sock = MnlSocket::open(NETLINK_ROUTE);
    if (!sock) return sock.error();
    return sock->request({reinterpret_cast<const std::uint8_t*>(nlh), nlh->nlmsg_len},
                         what.c_str());
}

}  // namespace

Status check_ifname(const std::string& ifname) {
    if (ifname.empty() || ifname.size() >= IFNAMSIZ)
        return Error{"interface name '" + ifname + "' must be 1 to 15 characters"};
    for (char c : ifname)
        if (c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c)) || c == '\0')
            return Error{"interface name '" + ifname + "' contains a forbidden character"};
    if (ifname == "." || ifname == "..")
        return Error{"interface name '" + ifname + "' is not allowed"};
    return ok_status();
}

Status rtnl_create_link(const std::string& ifname, const std::string& kind) {
    if (auto s = check_ifname(ifname); !s) return s;
    std::array<std::uint8_t, 512> buf{};
    nlmsghdr* nlh = start_link_request(buf.data(), RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, ifname);
    nlattr* linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
    mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind.c_str());
    mnl_attr_nest_end(nlh, linkinfo);
    return send_link_request(nlh, "creating " + kind + " interface " + ifname);
}

Status rtnl_delete_link(const std::string& ifname) {
    if (auto s = check_ifname(ifname); !s) return s;
    std::array<std::uint8_t, 512> buf{};
    nlmsghdr* nlh = start_link_request(buf.data(), RTM_DELLINK, 0, ifname);
    return send_link_request(nlh, "deleting interface " + ifname);
}

bool link_exists(const std::string& ifname) {
    return if_nametoindex(ifname.c_str()) != 0;
}

}  // namespace vpngw::wg
