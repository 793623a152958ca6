#include "gateway/peers_apply.hpp"

#include <algorithm>

#include "plan/nft_parts.hpp"

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

}  // namespace

std::vector<nft::ElementChange> peer_elements(const model::Peer& peer, nft::ElementChange::Op op) {
    std::vector<nft::ElementChange> changes;
    if (peer.address) changes.push_back({op, plan::nft::peer_set(Family::v4), *peer.address, {}});
    if (peer.address6) changes.push_back({op, plan::nft::peer_set(Family::v6), *peer.address6, {}});
    return changes;
}

Result<LiveOutcome> apply_added_peer(LiveGateway& live, const model::Interface& iface,
                                     const model::Peer& peer, const std::optional<SecretKey>& psk) {
    wg::PeerConfig config;
    config.public_key = peer.public_key;
    config.preshared_key = psk;
    config.keepalive = 0;  // what `up` sets for peers without a keepalive
    if (peer.address) config.allowed_ips.push_back(Prefix{*peer.address, 32});
    if (peer.address6) config.allowed_ips.push_back(Prefix{*peer.address6, 128});
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
    return LiveOutcome{true, "applied to " + where(live, iface) + ": 1 WireGuard peer, " +
                                 count(changes.size(), "nftables element")};
}

Result<LiveOutcome> apply_removed_peer(LiveGateway& live, const model::Interface& iface,
                                       const model::Peer& peer) {
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
