#include <algorithm>

#include "plan/nft_parts.hpp"
#include "state/kernel_state.hpp"

// Per-peer enforcement (issue 17): each is one lookup in a map keyed by
// address that holds only the peers that have the limit, so a packet of any
// other peer pays a missed hash lookup per rule and nothing per peer. Named
// quota and limit objects (not per-element state) hold the counts: a quota
// is read and reset by name (`reset quota`) without touching the map or any
// other peer, and a peer's quota counts both directions in one object.

namespace vpngw::plan::nft {
namespace {

// A peer's rate is a token bucket of this many seconds' worth of bytes:
// enough for a TCP sender's window to ride out without a burst of drops that
// halves its rate (docs/benchmarks.md, "Per-peer rate limits").
constexpr std::uint64_t kBurstDivisor = 10;  // 100 ms
constexpr std::uint64_t kMinBurst = 32 * 1024;

std::string object_block(const char* kind, const std::string& name, const std::string& body) {
    return "\t" + std::string(kind) + " " + name + " {\n\t\t" + body + "\n\t}\n";
}

std::string map_block(const std::string& name, const std::string& type, bool interval,
                      const std::vector<std::string>& items) {
    std::string out = "\tmap " + name + " {\n\t\ttype " + type + "\n";
    if (interval) out += "\t\tflags interval\n";
    if (!items.empty()) {
        out += "\t\telements = {\n";
        for (std::size_t i = 0; i < items.size(); ++i)
            out += "\t\t\t" + items[i] + (i + 1 < items.size() ? ",\n" : "\n");
        out += "\t\t}\n";
    }
    return out + "\t}\n";
}

const std::optional<IpAddress>& address_of(const state::PeerLimits& l, Family f) {
    return f == Family::v4 ? l.v4 : l.v6;
}

}  // namespace

std::string quota_object(const std::string& peer) {
    return "q_" + identifier(peer);
}

std::string rate_object(const std::string& peer, bool up) {
    return "r_" + identifier(peer) + (up ? "_up" : "_dn");
}

std::string quota_map(Family f) {
    return std::string("quota") + family_digit(f);
}

std::string rate_map(bool up, Family f) {
    return std::string(up ? "rate_up" : "rate_down") + family_digit(f);
}

std::string peer_nets_map(Family f) {
    return std::string("peer_nets") + family_digit(f);
}

std::string quota_body(const model::Quota& q, std::uint64_t used) {
    std::string body = "over " + std::to_string(q.bytes) + " bytes";
    if (used) body += " used " + std::to_string(used) + " bytes";
    return body;
}

RateBucket rate_bucket(std::uint64_t bits) {
    const std::uint64_t bytes = std::max<std::uint64_t>(bits / 8, 1);
    return {bytes, std::max(bytes / kBurstDivisor, kMinBurst)};
}

std::string rate_body(std::uint64_t bits) {
    const RateBucket b = rate_bucket(bits);
    return "rate over " + std::to_string(b.bytes_per_second) + " bytes/second burst " +
           std::to_string(b.burst_bytes) + " bytes";
}

std::vector<Prefix> group_networks(const Context& ctx, const std::string& group, Family f) {
    std::vector<Prefix> out;
    for (const auto& l : ctx.limits)
        if (l.group == group)
            for (const auto& n : l.networks)
                if (n.family() == f) out.push_back(n.network());
    return out;
}

std::string render_limit_objects(const Context& ctx) {
    std::vector<state::PeerLimits> peers = ctx.limits;
    std::sort(peers.begin(), peers.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    std::string out;
    for (const auto& l : peers) {
        if (l.quota) {
            std::uint64_t used = 0;
            if (ctx.quota_used)
                if (auto it = ctx.quota_used->find(quota_object(l.name));
                    it != ctx.quota_used->end())
                    used = it->second;
            out += "\n" + object_block("quota", quota_object(l.name), quota_body(*l.quota, used));
        }
        if (l.rate_bits)
            for (bool up : {true, false})
                out +=
                    "\n" + object_block("limit", rate_object(l.name, up), rate_body(*l.rate_bits));
    }
    for (Family f : {Family::v4, Family::v6}) {
        std::vector<std::pair<IpAddress, std::string>> quotas, ups, downs;
        std::vector<std::pair<Prefix, std::string>> nets;
        for (const auto& l : peers) {
            const auto& a = address_of(l, f);
            if (a && l.quota) quotas.emplace_back(*a, quoted(quota_object(l.name)));
            if (a && l.rate_bits) {
                ups.emplace_back(*a, quoted(rate_object(l.name, true)));
                downs.emplace_back(*a, quoted(rate_object(l.name, false)));
            }
            for (const auto& n : l.networks)
                if (n.family() == f) nets.emplace_back(n.network(), "jump " + group_chain(l.group));
        }
        auto items = [](auto rows) {
            std::sort(rows.begin(), rows.end());
            std::vector<std::string> out;
            for (const auto& [key, value] : rows) out.push_back(key.str() + " : " + value);
            return out;
        };
        const std::string key = addr_type(f);
        out += "\n" + map_block(quota_map(f), key + " : quota", false, items(quotas));
        out += "\n" + map_block(rate_map(true, f), key + " : limit", false, items(ups));
        out += "\n" + map_block(rate_map(false, f), key + " : limit", false, items(downs));
        out += "\n" + map_block(peer_nets_map(f), key + " : verdict", true, items(nets));
    }
    return out;
}

std::string network_commands(const state::PeerLimits& l, bool add) {
    const std::string element =
        (add ? "add element" : "delete element") + std::string(" inet ") + state::kNftTable + " ";
    std::string out;
    for (const auto& n : l.networks) {
        const Family f = n.family();
        const std::string net = n.network().str();
        for (const std::string& set :
             {group_set(l.group, f), std::string("vpn_nets") + family_digit(f),
              std::string("vpn_sources") + family_digit(f)})
            out += element + set + " { " + net + " }\n";
        out += element + peer_nets_map(f) + " { " + net +
               (add ? " : jump " + group_chain(l.group) : std::string()) + " }\n";
    }
    return out;
}

namespace {

std::vector<std::string> limit_rules() {
    std::vector<std::string> rules;
    // Rates first: a packet over its rate is dropped before it counts
    // against the quota. Upload by source, download by destination.
    for (Family f : {Family::v4, Family::v6})
        for (bool up : {true, false})
            rules.push_back(std::string("limit name ") + ip_keyword(f) +
                            (up ? " saddr" : " daddr") + " map @" + rate_map(up, f) +
                            " counter name rate_drops drop");
    for (Family f : {Family::v4, Family::v6})
        for (const char* dir : {" saddr", " daddr"})
            rules.push_back(std::string("quota name ") + ip_keyword(f) + dir + " map @" +
                            quota_map(f) + " counter name quota_drops drop");
    return rules;
}

}  // namespace

bool has_rate_or_quota(const Context& ctx) {
    return std::any_of(ctx.limits.begin(), ctx.limits.end(),
                       [](const auto& l) { return l.quota || l.rate_bits; });
}

std::string render_limits_chain(const Context& ctx) {
    if (!has_rate_or_quota(ctx)) return "";
    return chain(kLimitsChain, "", limit_rules());
}

std::string limits_chain_probe() {
    return "create chain inet " + std::string(state::kNftTable) + " " + kLimitsChain + "\n";
}

std::string limits_chain_rules() {
    const std::string table = " inet " + std::string(state::kNftTable) + " ";
    std::string out;
    for (const auto& rule : limit_rules())
        out += "add rule" + table + kLimitsChain + " " + rule + "\n";
    // At the top of forward, where `up` renders the jump.
    return out + "insert rule" + table + "forward jump " + kLimitsChain + "\n";
}

std::string limits_chain_removal() {
    return "delete chain inet " + std::string(state::kNftTable) + " " + kLimitsChain + "\n";
}

}  // namespace vpngw::plan::nft
