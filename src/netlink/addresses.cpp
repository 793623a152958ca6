#include "netlink/addresses.hpp"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "netlink/links.hpp"
#include "netlink/message.hpp"
#include "netlink/parse.hpp"

namespace vpngw::netlink {

namespace {

std::optional<Family> family_of(std::uint8_t af) {
    if (af == AF_INET) return Family::v4;
    if (af == AF_INET6) return Family::v6;
    return std::nullopt;
}

}  // namespace

std::optional<ParsedAddress> parse_address(const nlmsghdr* nlh) {
    if (nlh->nlmsg_type != RTM_NEWADDR) return std::nullopt;
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(ifaddrmsg)) return std::nullopt;
    const auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
    auto family = family_of(ifa->ifa_family);
    if (!family) return std::nullopt;
    // IFA_LOCAL is the address of this host; IFA_ADDRESS is the peer on
    // point-to-point links and the only one IPv6 sends otherwise.
    std::optional<IpAddress> local, address;
    for_each_attr(nlh, sizeof(ifaddrmsg), [&](const nlattr* attr) {
        IpAddress a;
        auto type = mnl_attr_get_type(attr);
        if (type == IFA_LOCAL && get_address(attr, *family, a)) local = a;
        if (type == IFA_ADDRESS && get_address(attr, *family, a)) address = a;
    });
    if (!local) local = address;
    if (!local) return std::nullopt;
    return ParsedAddress{static_cast<int>(ifa->ifa_index), Prefix{*local, ifa->ifa_prefixlen}};
}

Result<std::vector<state::Address>> dump_addresses(NetlinkSocket& sock,
                                                   const std::optional<std::string>& ifname) {
    auto names = link_names(sock);
    if (!names) return names.error();
    std::optional<int> only;
    if (ifname) {
        auto index = link_index(sock, *ifname);
        if (!index) return error_in("listing addresses", index.error());
        only = *index;
    }
    MessageBuffer buf;
    nlmsghdr* nlh = buf.start(RTM_GETADDR, 0);
    auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
    ifa->ifa_family = AF_UNSPEC;
    std::vector<state::Address> out;
    auto st = sock.dump(
        nlh,
        [&](const nlmsghdr* reply) {
            auto parsed = parse_address(reply);
            if (!parsed || (only && parsed->ifindex != *only)) return;
            auto name = names->find(parsed->ifindex);
            if (name == names->end()) return;  // link appeared after the link dump
            out.push_back(state::Address{name->second, parsed->prefix, {}});
        },
        [&] { out.clear(); });
    if (!st) return error_in("listing addresses", st.error());
    return out;
}

}  // namespace vpngw::netlink
