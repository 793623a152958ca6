#include "gateway/peers_apply.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "plan/nft_parts.hpp"
#include "plan/peer_limits.hpp"

namespace vpngw::gateway {
namespace {

std::string count(std::size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

std::string where(LiveGateway& live, const model::Interface& iface) {
    return iface.name + " (" + live.backend_name(iface) + ")";
}

bool already_absent(const Error& e) {
    return e.message.find("no such element") != std::string::npos;
}

bool gone(const Error& e) {
    return e.message.find("No such file or directory") != std::string::npos;
}

// A peer's quota and rate: its named objects, and the elements of the maps
// from its addresses to them (none on removal of what it does not have).
std::vector<nft::ObjectChange> limit_objects(const state::PeerLimits& l,
                                             nft::ElementChange::Op op) {
    std::vector<nft::ObjectChange> out;
    if (l.quota)
        out.push_back({op, nft::ObjectChange::Kind::quota, plan::nft::quota_object(l.name),
                       l.quota->bytes, 0});
    if (l.rate_bits) {
        const plan::nft::RateBucket b = plan::nft::rate_bucket(*l.rate_bits);
        const auto burst = static_cast<std::uint32_t>(
            std::min<std::uint64_t>(b.burst_bytes, std::numeric_limits<std::uint32_t>::max()));
        for (bool up : {true, false})
            out.push_back({op, nft::ObjectChange::Kind::limit, plan::nft::rate_object(l.name, up),
                           b.bytes_per_second, burst});
    }
    return out;
}

std::vector<nft::ElementChange> limit_elements(const state::PeerLimits& l,
                                               nft::ElementChange::Op op) {
    const bool add = op == nft::ElementChange::Op::add;
    std::vector<nft::ElementChange> out;
    for (Family f : {Family::v4, Family::v6}) {
        const auto& a = f == Family::v4 ? l.v4 : l.v6;
        if (!a) continue;
        if (l.quota)
            out.push_back({op,
                           plan::nft::quota_map(f),
                           *a,
                           {},
                           add ? plan::nft::quota_object(l.name) : std::string()});
        if (l.rate_bits)
            for (bool up : {true, false})
                out.push_back({op,
                               plan::nft::rate_map(up, f),
                               *a,
                               {},
                               add ? plan::nft::rate_object(l.name, up) : std::string()});
    }
    return out;
}

// A quota or a rate needs the `rate_quota` chain, which a table holds only
// while some peer has one: created with the first such peer. Its rules name
// the quota and limit maps, and for those `nft` fetches every object of the
// table (seconds at 50,000 limited peers): so `create chain` alone first,
// which fails ("File exists") when the chain is there, the common case.
Status ensure_limits_chain(LiveGateway& live) {
    auto probe = live.run_nft(plan::nft::limits_chain_probe());
    if (!probe)
        return probe.error().message.find("File exists") != std::string::npos ? ok_status() : probe;
    // Created just now, empty: its rules and the jump to it (no peer had a
    // quota or a rate, so the table has few objects to fetch).
    if (auto st = live.run_nft(plan::nft::limits_chain_rules()); !st) {
        (void)live.run_nft(plan::nft::limits_chain_removal());
        return st;
    }
    return ok_status();
}

// A peer's limits in a running gateway: the routes of its networks, its
// quota and rate objects with their map elements in one netlink batch, its
// networks' elements in one nft transaction; undone in reverse on failure.
Status add_limits(LiveGateway& live, const state::PeerLimits& l) {
    const auto routes = plan::network_routes(l);
    for (std::size_t i = 0; i < routes.size(); ++i)
        if (auto st = live.change_route(routes[i], true); !st) {
            for (std::size_t j = 0; j < i; ++j) (void)live.change_route(routes[j], false);
            return Error{"routing " + routes[i].dst.str() + " through " + l.ifname + ": " +
                         st.error().message};
        }
    const auto unroute = [&] {
        for (const auto& r : routes) (void)live.change_route(r, false);
    };
    if (l.quota || l.rate_bits) {
        if (auto st = ensure_limits_chain(live); !st) {
            unroute();
            return Error{"adding the quota and rate rules: " + st.error().message};
        }
        const auto add = nft::ElementChange::Op::add;
        if (auto st = live.change_objects(limit_objects(l, add), limit_elements(l, add)); !st) {
            unroute();
            return Error{"adding the peer's quota and rate: " + st.error().message};
        }
    }
    if (const std::string nets = plan::nft::network_commands(l, true); !nets.empty())
        if (auto st = live.run_nft(nets); !st) {
            const auto remove = nft::ElementChange::Op::remove;
            (void)live.change_objects(limit_objects(l, remove), limit_elements(l, remove));
            unroute();
            return Error{"adding the peer's network elements: " + st.error().message};
        }
    return ok_status();
}

// The reverse. What is already gone (a table replaced since, a route that
// went with its interface) is fine: when one transaction fails, each piece
// is tried on its own and only other refusals count.
Status remove_limits(LiveGateway& live, const state::PeerLimits& l) {
    const auto remove = nft::ElementChange::Op::remove;
    const auto objects = limit_objects(l, remove);
    const auto elements = limit_elements(l, remove);
    if ((!objects.empty() || !elements.empty()) && !live.change_objects(objects, elements)) {
        for (const auto& e : elements)  // the elements first: they name the objects
            if (auto st = live.change_objects({}, {e}); !st && !gone(st.error()))
                return Error{"removing the peer's quota and rate: " + st.error().message};
        for (const auto& o : objects)
            if (auto st = live.change_objects({o}, {}); !st && !gone(st.error()))
                return Error{"removing the peer's quota and rate: " + st.error().message};
    }
    const std::string commands = plan::nft::network_commands(l, false);
    if (!commands.empty() && !live.run_nft(commands)) {
        std::size_t start = 0;
        for (std::size_t end; (end = commands.find('\n', start)) != std::string::npos;
             start = end + 1)
            if (auto st = live.run_nft(commands.substr(start, end - start + 1));
                !st && !gone(st.error()))
                return Error{"removing the peer's network elements: " + st.error().message};
    }
    for (const auto& r : plan::network_routes(l)) (void)live.change_route(r, false);
    return ok_status();
}

std::size_t limit_count(const std::optional<state::PeerLimits>& l) {
    if (!l) return 0;
    return l->networks.size() + (l->quota ? 1 : 0) + (l->rate_bits ? 1 : 0);
}

}  // namespace

std::vector<nft::ElementChange> peer_elements(const model::Peer& peer, nft::ElementChange::Op op) {
    std::vector<nft::ElementChange> changes;
    if (peer.address) changes.push_back({op, plan::nft::peer_set(Family::v4), *peer.address, {}});
    if (peer.address6) changes.push_back({op, plan::nft::peer_set(Family::v6), *peer.address6, {}});
    return changes;
}

Result<LiveOutcome> apply_added_peer(LiveGateway& live, const model::Interface& iface,
                                     const model::Peer& peer, const std::optional<SecretKey>& psk) {
    // The limits as they are now: `peer edit` removes the old peer and adds the new.
    const auto limits = plan::live_peer_limits(peer, iface.name);
    wg::PeerConfig config;
    config.public_key = peer.public_key;
    config.preshared_key = psk;
    config.keepalive = 0;  // what `up` sets for peers without a keepalive
    if (peer.address) config.allowed_ips.push_back(Prefix{*peer.address, 32});
    if (peer.address6) config.allowed_ips.push_back(Prefix{*peer.address6, 128});
    if (limits)
        for (const auto& n : limits->networks) config.allowed_ips.push_back(n);
    std::sort(config.allowed_ips.begin(), config.allowed_ips.end());
    config.replace_allowed_ips = true;

    if (auto st = live.set_peer(iface, config); !st)
        return Error{"setting the WireGuard peer on " + iface.name + ": " + st.error().message};

    auto undo = [&](const std::string& why) -> Error {
        auto removed = live.remove_peer(iface, peer.public_key);
        return Error{why + (removed ? ""
                                    : "; removing the WireGuard peer again failed too: " +
                                          removed.error().message)};
    };
    // The element transaction itself tells whether vpngw's table is there:
    // asking first would list the tables, which costs as much as all elements.
    auto changes = peer_elements(peer, nft::ElementChange::Op::add);
    if (auto st = live.change_elements(changes); !st) {
        auto firewall = live.firewall_up();
        if (firewall && !*firewall)
            return LiveOutcome{true, "applied to " + where(live, iface) +
                                         "; table inet vpngw is absent, so the firewall was not "
                                         "updated (`vpngw up` will)"};
        return undo("adding the peer's nftables elements: " + st.error().message);
    }
    if (limits)
        if (auto st = add_limits(live, *limits); !st) {
            auto back = peer_elements(peer, nft::ElementChange::Op::remove);
            (void)live.change_elements(back);
            return undo(st.error().message);
        }
    std::string note = "applied to " + where(live, iface) + ": 1 WireGuard peer, " +
                       count(changes.size(), "nftables element");
    if (limit_count(limits))
        note += ", " + count(limit_count(limits), "quota, rate or network item");
    return LiveOutcome{true, note};
}

Status remove_peer_limits(LiveGateway& live, const model::Interface& iface,
                          const model::Peer& peer) {
    model::Peer enabled = peer;
    enabled.disabled = false;
    const auto limits = plan::live_peer_limits(enabled, iface.name);
    return limits ? remove_limits(live, *limits) : ok_status();
}

Result<LiveOutcome> apply_removed_peer(LiveGateway& live, const model::Interface& iface,
                                       const model::Peer& peer) {
    // A disabled peer's limits are not in the kernel; the rest is absent too.
    model::Peer enabled = peer;
    enabled.disabled = false;
    const auto limits = plan::live_peer_limits(enabled, iface.name);
    // The limits first: while they go, the peer is still a peer; a table
    // without them (absent, or replaced since) is fine.
    if (limits)
        if (auto st = remove_limits(live, *limits); !st) return st.error();
    std::vector<nft::ElementChange> removed;
    auto put_back = [&](const std::string& why) -> Error {
        std::vector<nft::ElementChange> again;
        for (auto c : removed) {
            c.op = nft::ElementChange::Op::add;
            c.jump_chain = plan::nft::group_chain(peer.group);
            again.push_back(c);
        }
        auto st = live.change_elements(again);
        return Error{
            why +
            (st ? "" : "; restoring its nftables elements failed too: " + st.error().message)};
    };
    auto changes = peer_elements(peer, nft::ElementChange::Op::remove);
    if (live.change_elements(changes)) {
        removed = changes;
    } else {
        // One transaction failed: an element (or vpngw's whole table) may
        // already be gone; remove what is there, one by one.
        for (const auto& c : changes) {
            auto st = live.change_elements({c});
            if (st)
                removed.push_back(c);
            else if (!already_absent(st.error()))
                return put_back("removing the peer's nftables elements: " + st.error().message);
        }
    }
    if (auto st = live.remove_peer(iface, peer.public_key); !st)
        return put_back("removing the WireGuard peer from " + iface.name + ": " +
                        st.error().message);
    std::string note = "removed from " + where(live, iface) + ": 1 WireGuard peer, " +
                       count(removed.size(), "nftables element");
    return LiveOutcome{true, note};
}

}  // namespace vpngw::gateway
