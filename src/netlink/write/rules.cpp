#include "netlink/write/rules.hpp"

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "netlink/links.hpp"

namespace vpngw::netlink {

namespace {

Status change_rule(NetlinkSocket& sock, const state::Rule& rule, std::uint16_t type,
                   std::uint16_t flags, const std::string& verb) {
    if (!rule.iif.empty())
        if (auto st = check_ifname(rule.iif); !st)
            return error_in(verb + " " + describe_rule(rule), st.error(), rule.origin);
    MessageBuffer buf;
    nlmsghdr* nlh = build_rule_message(buf, type, flags, rule);
    if (auto st = sock.request(nlh); !st)
        return error_in(verb + " " + describe_rule(rule), st.error(), rule.origin);
    return ok_status();
}

}  // namespace

nlmsghdr* build_rule_message(MessageBuffer& buf, std::uint16_t type, std::uint16_t flags,
                             const state::Rule& rule) {
    nlmsghdr* nlh = buf.start(type, flags);
    auto* frh = static_cast<fib_rule_hdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(fib_rule_hdr)));
    frh->family = address_family(rule.family);
    frh->action = FR_ACT_TO_TBL;
    // The header's table field has 8 bits; FRA_TABLE carries the real id.
    frh->table =
        rule.table < 256 ? static_cast<std::uint8_t>(rule.table) : std::uint8_t{RT_TABLE_UNSPEC};
    // Priority 0 would put the rule before "lookup local"; leaving it out lets
    // the kernel pick one instead.
    if (rule.priority > 0) mnl_attr_put_u32(nlh, FRA_PRIORITY, rule.priority);
    mnl_attr_put_u8(nlh, FRA_PROTOCOL, state::kRouteProtocol);
    mnl_attr_put_u32(nlh, FRA_TABLE, rule.table);
    if (rule.fwmark) {
        mnl_attr_put_u32(nlh, FRA_FWMARK, *rule.fwmark);
        mnl_attr_put_u32(nlh, FRA_FWMASK, rule.fwmask);
    }
    if (rule.from && rule.from->len > 0) {
        frh->src_len = static_cast<std::uint8_t>(rule.from->len);
        put_address(nlh, FRA_SRC, rule.from->addr);
    }
    if (!rule.iif.empty()) mnl_attr_put_strz(nlh, FRA_IIFNAME, rule.iif.c_str());
    if (rule.suppress_prefixlength)
        mnl_attr_put_u32(nlh, FRA_SUPPRESS_PREFIXLEN,
                         static_cast<std::uint32_t>(*rule.suppress_prefixlength));
    return nlh;
}

Status add_rule(NetlinkSocket& sock, const state::Rule& rule) {
    return change_rule(sock, rule, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, "adding");
}

Status delete_rule(NetlinkSocket& sock, const state::Rule& rule) {
    return change_rule(sock, rule, RTM_DELRULE, 0, "deleting");
}

}  // namespace vpngw::netlink
