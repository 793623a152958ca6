#include "netlink/write/links.hpp"

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <cerrno>
#include <functional>

#include "netlink/message.hpp"

namespace vpngw::netlink {

namespace {

// IFALIASZ - 1: the kernel keeps at most 255 bytes of alias.
constexpr std::size_t kMaxAlias = 255;
// Kinds are short driver names ("wireguard"); the cap only bounds the message.
constexpr std::size_t kMaxKind = 64;

void put_alias(nlmsghdr* nlh, const std::string& alias) {
    // Without the NUL: a zero-length alias is how the kernel removes one.
    mnl_attr_put(nlh, IFLA_IFALIAS, alias.size(), alias.data());
}

// RTM_NEWLINK without NLM_F_CREATE changes an existing link; fill sets the
// fields to change.
Status change_link(NetlinkSocket& sock, const std::string& name, const std::string& what,
                   const Location& origin, const std::function<void(nlmsghdr*, ifinfomsg*)>& fill) {
    if (auto st = check_ifname(name); !st) return error_in(what, st.error(), origin);
    MessageBuffer buf;
    nlmsghdr* nlh = link_message(buf, RTM_NEWLINK, 0, name);
    fill(nlh, static_cast<ifinfomsg*>(mnl_nlmsg_get_payload(nlh)));
    if (auto st = sock.request(nlh); !st) return error_in(what, st.error(), origin);
    return ok_status();
}

}  // namespace

Status create_link(NetlinkSocket& sock, const state::Link& link, const std::string& alias) {
    const std::string what = "creating link " + link.name + " (" + link.kind + ")";
    if (auto st = check_ifname(link.name); !st) return error_in(what, st.error(), link.origin);
    if (link.kind.empty() || link.kind.size() > kMaxKind)
        return Error{what + ": invalid link kind", link.origin};
    if (alias.size() > kMaxAlias)
        return Error{what + ": alias is longer than 255 bytes", link.origin};
    MessageBuffer buf;
    nlmsghdr* nlh = link_message(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, link.name);
    if (link.mtu > 0) mnl_attr_put_u32(nlh, IFLA_MTU, static_cast<std::uint32_t>(link.mtu));
    nlattr* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
    mnl_attr_put_strz(nlh, IFLA_INFO_KIND, link.kind.c_str());
    mnl_attr_nest_end(nlh, info);
    auto ack = sock.exchange(nlh);
    if (!ack) return error_in(what, ack.error(), link.origin);
    if (ack->error == EOPNOTSUPP && link.kind == "wireguard")
        return Error{what + ": kernel has no WireGuard support (" + ack->str() + ")", link.origin};
    if (!ack->ok()) return error_in(what, ack->status().error(), link.origin);

    // The kernel ignores IFLA_IFALIAS when creating a link, so the alias and
    // the up flag are set in a second request. Should that fail, the new link
    // goes again: a link without vpngw's alias would look like someone else's.
    auto st = change_link(sock, link.name, "setting alias and state of link " + link.name,
                          link.origin, [&](nlmsghdr* msg, ifinfomsg* ifi) {
                              if (!alias.empty()) put_alias(msg, alias);
                              if (link.up) {
                                  ifi->ifi_flags = IFF_UP;
                                  ifi->ifi_change = IFF_UP;
                              }
                          });
    if (!st) (void)delete_link(sock, link.name);
    return st;
}

Status set_link_mtu(NetlinkSocket& sock, const std::string& name, int mtu, const Location& origin) {
    return change_link(sock, name, "setting mtu " + std::to_string(mtu) + " on link " + name,
                       origin, [&](nlmsghdr* nlh, ifinfomsg*) {
                           mnl_attr_put_u32(nlh, IFLA_MTU, static_cast<std::uint32_t>(mtu));
                       });
}

Status set_link_up(NetlinkSocket& sock, const std::string& name, bool up, const Location& origin) {
    return change_link(sock, name, "bringing link " + name + (up ? " up" : " down"), origin,
                       [&](nlmsghdr*, ifinfomsg* ifi) {
                           ifi->ifi_flags = up ? IFF_UP : 0;
                           ifi->ifi_change = IFF_UP;
                       });
}

Status set_link_alias(NetlinkSocket& sock, const std::string& name, const std::string& alias,
                      const Location& origin) {
    const std::string what = "setting alias \"" + alias + "\" on link " + name;
    if (alias.size() > kMaxAlias) return Error{what + ": longer than 255 bytes", origin};
    return change_link(sock, name, what, origin,
                       [&](nlmsghdr* nlh, ifinfomsg*) { put_alias(nlh, alias); });
}

Status delete_link(NetlinkSocket& sock, const std::string& name, const Location& origin) {
    if (auto st = check_ifname(name); !st)
        return error_in("deleting link " + name, st.error(), origin);
    MessageBuffer buf;
    nlmsghdr* nlh = link_message(buf, RTM_DELLINK, 0, name);
    if (auto st = sock.request(nlh); !st)
        return error_in("deleting link " + name, st.error(), origin);
    return ok_status();
}

}  // namespace vpngw::netlink
