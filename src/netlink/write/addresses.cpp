#include "netlink/write/addresses.hpp"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "netlink/links.hpp"

namespace vpngw::netlink {

namespace {

std::string describe(const state::Address& a) {
    return "address " + a.prefix.str() + " on link " + a.ifname;
}

Status change_address(NetlinkSocket& sock, const state::Address& address, std::uint16_t type,
                      std::uint16_t flags, const std::string& verb) {
    const std::string what = verb + " " + describe(address);
    auto ifindex = link_index(sock, address.ifname);
    if (!ifindex) return error_in(what, ifindex.error(), address.origin);
    MessageBuffer buf;
    nlmsghdr* nlh = build_address_message(buf, type, flags, address.prefix, *ifindex);
    if (auto st = sock.request(nlh); !st) return error_in(what, st.error(), address.origin);
    return ok_status();
}

}  // namespace

nlmsghdr* build_address_message(MessageBuffer& buf, std::uint16_t type, std::uint16_t flags,
                                const Prefix& prefix, int ifindex) {
    nlmsghdr* nlh = buf.start(type, flags);
    auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
    ifa->ifa_family = address_family(prefix.family());
    ifa->ifa_prefixlen = static_cast<std::uint8_t>(prefix.len);
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = static_cast<std::uint32_t>(ifindex);
    if (type == RTM_NEWADDR && prefix.family() == Family::v6) ifa->ifa_flags = IFA_F_NODAD;
    // Local and "address" equal: no peer, like `ip addr add` without `peer`.
    put_address(nlh, IFA_LOCAL, prefix.addr);
    put_address(nlh, IFA_ADDRESS, prefix.addr);
    return nlh;
}

Status add_address(NetlinkSocket& sock, const state::Address& address) {
    return change_address(sock, address, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, "adding");
}

Status delete_address(NetlinkSocket& sock, const state::Address& address) {
    return change_address(sock, address, RTM_DELADDR, 0, "deleting");
}

}  // namespace vpngw::netlink
