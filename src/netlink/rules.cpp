#include "netlink/rules.hpp"

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstring>

#include "netlink/links.hpp"
#include "netlink/message.hpp"
#include "netlink/parse.hpp"

namespace vpngw::netlink {

std::optional<RuleEntry> parse_rule(const nlmsghdr* nlh) {
    if (nlh->nlmsg_type != RTM_NEWRULE) return std::nullopt;
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(fib_rule_hdr)) return std::nullopt;
    const auto* frh = static_cast<const fib_rule_hdr*>(mnl_nlmsg_get_payload(nlh));
    Family family;
    if (frh->family == AF_INET)
        family = Family::v4;
    else if (frh->family == AF_INET6)
        family = Family::v6;
    else
        return std::nullopt;
    if (frh->action != FR_ACT_TO_TBL) return std::nullopt;

    RuleEntry e;
    state::Rule& r = e.rule;
    r.family = family;
    r.table = frh->table;
    std::optional<IpAddress> src;
    for_each_attr(nlh, sizeof(fib_rule_hdr), [&](const nlattr* attr) {
        const bool u32 = mnl_attr_validate(attr, MNL_TYPE_U32) == 0;
        IpAddress a;
        switch (mnl_attr_get_type(attr)) {
            case FRA_PRIORITY:
                if (u32) r.priority = mnl_attr_get_u32(attr);
                break;
            case FRA_TABLE:
                if (u32) r.table = mnl_attr_get_u32(attr);
                break;
            case FRA_FWMARK:
                if (u32) r.fwmark = mnl_attr_get_u32(attr);
                break;
            case FRA_FWMASK:
                if (u32) r.fwmask = mnl_attr_get_u32(attr);
                break;
            case FRA_SRC:
                if (get_address(attr, family, a)) src = a;
                break;
            case FRA_IIFNAME: {
                const char* s = static_cast<const char*>(mnl_attr_get_payload(attr));
                r.iif.assign(s, strnlen(s, mnl_attr_get_payload_len(attr)));
                break;
            }
            case FRA_SUPPRESS_PREFIXLEN:
                // -1 (all ones) is the kernel's "not set".
                if (u32 && static_cast<std::int32_t>(mnl_attr_get_u32(attr)) >= 0)
                    r.suppress_prefixlength = static_cast<int>(mnl_attr_get_u32(attr));
                break;
            case FRA_PROTOCOL:
                if (mnl_attr_validate(attr, MNL_TYPE_U8) == 0) e.protocol = mnl_attr_get_u8(attr);
                break;
        }
    });
    // The kernel reports a mask without a mark for "fwmark 0/mask".
    if (!r.fwmark && r.fwmask != 0xffffffff) r.fwmark = 0;
    if (src && frh->src_len > 0) r.from = Prefix{*src, frh->src_len};
    return e;
}

Result<std::vector<RuleEntry>> dump_rules(NetlinkSocket& sock,
                                          std::optional<std::uint8_t> protocol) {
    MessageBuffer buf;
    nlmsghdr* nlh = buf.start(RTM_GETRULE, 0);
    auto* frh = static_cast<fib_rule_hdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(fib_rule_hdr)));
    frh->family = AF_UNSPEC;  // IPv4 and IPv6 rules in one dump
    std::vector<RuleEntry> out;
    auto st = sock.dump(
        nlh,
        [&](const nlmsghdr* reply) {
            auto e = parse_rule(reply);
            if (e && (!protocol || e->protocol == *protocol)) out.push_back(std::move(*e));
        },
        [&] { out.clear(); });
    if (!st) return error_in("listing rules", st.error());
    return out;
}

}  // namespace vpngw::netlink
