#include "netlink/rules.hpp"

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstring>

#include "netlink/links.hpp"
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

Status add_rule(NetlinkSocket& sock, const state::Rule& rule) {
    return change_rule(sock, rule, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, "adding");
}

Status delete_rule(NetlinkSocket& sock, const state::Rule& rule) {
    return change_rule(sock, rule, RTM_DELRULE, 0, "deleting");
}

}  // namespace vpngw::netlink
