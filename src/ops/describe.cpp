#include "state/describe.hpp"

#include <cstdio>
#include <iterator>
#include <string>

#include "ops/op.hpp"

namespace vpngw::ops {

using state::hex;

namespace {

std::string prefixes(const std::vector<Prefix>& list) {
    if (list.empty()) return "(none)";
    std::string out;
    for (const auto& p : list) out += (out.empty() ? "" : ",") + p.str();
    return out;
}

// "~ peer alice allowed-ips 10.8.0.2/32,fd08::2/128 → 10.8.0.2/32": one line
// per attribute that differs, for a peer the kernel already has.
std::string describe_peer_change(const state::WgPeer& before, const state::WgPeer& after) {
    const std::string who =
        "\n    ~ peer " + (after.name.empty() ? after.public_key.base64() : after.name) + " ";
    std::string s;
    if (before.allowed_ips != after.allowed_ips)
        s += who + "allowed-ips " + prefixes(before.allowed_ips) + " \u2192 " +
             prefixes(after.allowed_ips);
    if (before.keepalive != after.keepalive)
        s += who + "persistent-keepalive " + std::to_string(before.keepalive) + " \u2192 " +
             std::to_string(after.keepalive);
    return s.empty() ? who + "(set again)" : s;
}

}  // namespace

std::string Op::describe() const {
    return std::visit(
        [](const auto& p) -> std::string {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, LinkCreate>) {
                return "+ link " + p.link.name + " wireguard (" + model::to_string(p.backend) +
                       ") mtu " + std::to_string(p.link.mtu) + (p.link.up ? " up" : " down");
            } else if constexpr (std::is_same_v<T, LinkDelete>) {
                return "- link " + p.link.name;
            } else if constexpr (std::is_same_v<T, LinkSet>) {
                return "~ link " + p.link.name + " mtu " + std::to_string(p.before.mtu) + " -> " +
                       std::to_string(p.link.mtu) + (p.link.up ? " up" : " down");
            } else if constexpr (std::is_same_v<T, WgChange>) {
                std::string s = "~ wireguard " + p.ifname;
                if (p.listen_port) s += " listen-port " + std::to_string(*p.listen_port);
                if (p.fwmark)
                    s += *p.fwmark ? " fwmark " + hex(*p.fwmark) : std::string(" fwmark off");
                if (!p.private_key_file.empty()) s += " private-key from " + p.private_key_file;
                const std::size_t changed = p.upsert_before.size();
                if (p.upsert_peers.size() > changed)
                    s += " +" + std::to_string(p.upsert_peers.size() - changed) + " peer(s)";
                if (changed) s += " ~" + std::to_string(changed) + " peer(s)";
                if (!p.remove_peers.empty())
                    s += " -" + std::to_string(p.remove_peers.size()) + " peer(s)";
                auto next_before = p.upsert_before.begin();
                for (std::size_t i = 0; i < p.upsert_peers.size(); ++i) {
                    const auto& peer = p.upsert_peers[i];
                    const state::WgPeer* before = nullptr;
                    if (next_before != p.upsert_before.end() && next_before->first == i)
                        before = &(next_before++)->second;
                    s += before ? describe_peer_change(*before, peer)
                                : "\n    + peer " + peer.public_key.base64() +
                                      (peer.name.empty() ? "" : " (" + peer.name + ")");
                }
                for (const auto& key : p.remove_peers) s += "\n    - peer " + key.base64();
                return s;
            } else if constexpr (std::is_same_v<T, AddressAdd>) {
                return "+ address " + p.address.prefix.str() + " dev " + p.address.ifname;
            } else if constexpr (std::is_same_v<T, AddressDelete>) {
                return "- address " + p.address.prefix.str() + " dev " + p.address.ifname;
            } else if constexpr (std::is_same_v<T, RouteAdd>) {
                return "+ route " + describe_route(p.route);
            } else if constexpr (std::is_same_v<T, RouteDelete>) {
                if (p.hand_back_to)
                    return "~ route " + describe_route(p.route) + " handed back (proto " +
                           std::to_string(*p.hand_back_to) + ")";
                return "- route " + describe_route(p.route);
            } else if constexpr (std::is_same_v<T, RuleAdd>) {
                return "+ " + describe_rule(p.rule);
            } else if constexpr (std::is_same_v<T, RuleDelete>) {
                return "- " + describe_rule(p.rule);
            } else if constexpr (std::is_same_v<T, SysctlSet>) {
                return "~ sysctl " + p.sysctl.key + " = " + p.sysctl.value +
                       (p.before.empty() ? "" : " (was " + p.before + ")");
            } else if constexpr (std::is_same_v<T, NftReplace>) {
                if (p.text.empty()) return "- nftables table inet vpngw";
                return p.changed_outside
                           ? "~ nftables table inet vpngw (changed outside vpngw; "
                             "replaced in one transaction)"
                           : "~ nftables table inet vpngw (replaced in one transaction)";
            } else if constexpr (std::is_same_v<T, NftElementsAdd>) {
                std::string s =
                    "+ nftables " + std::to_string(p.elements.size()) + " peer element(s)";
                for (const auto& e : p.elements) s += "\n    + " + e.map + " " + e.key.str();
                return s;
            } else if constexpr (std::is_same_v<T, LinkMark>) {
                return "~ link " + p.name + " alias \"" + p.alias + "\" (was \"" + p.before + "\")";
            } else {
                static_assert(std::is_same_v<T, NftElementsDelete>);
                std::string s =
                    "- nftables " + std::to_string(p.elements.size()) + " peer element(s)";
                for (const auto& e : p.elements) s += "\n    - " + e.map + " " + e.key.str();
                return s;
            }
        },
        payload);
}

const char* Op::kind() const {
    static constexpr const char* names[] = {
        "link-create",    "link-delete", "link-set",        "wireguard",          "address-add",
        "address-delete", "route-add",   "route-delete",    "rule-add",           "rule-delete",
        "sysctl",         "nft",         "nft-element-add", "nft-element-delete", "link-mark"};
    static_assert(std::size(names) == std::variant_size_v<OpPayload>);
    return names[payload.index()];
}

}  // namespace vpngw::ops
