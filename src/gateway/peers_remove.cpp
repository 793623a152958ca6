#include <algorithm>

#include "gateway/confirm.hpp"
#include "gateway/peers.hpp"
#include "gateway/peers_apply.hpp"

namespace vpngw::gateway {

Result<RemovePeerReport> remove_peer(Session& session, const std::string& name, LiveGateway& live) {
    if (!session.lock) return Error{"internal error: peer remove without the state lock"};
    if (auto st = refuse_while_pending(session.paths.dir); !st) return st.error();
    const store::StoredPeer* found = session.stored.find(name);
    if (!found) {
        for (const auto& p : session.profile.peers)
            if (p.name == name)
                return Error{
                    "peer \"" + name +
                        "\" is declared in the profile: remove it there and run `vpngw up`",
                    p.origin.table};
        return Error{"no peer named \"" + name + "\""};
    }
    const store::StoredPeer peer = *found;
    const model::Group* group = session.profile.find_group(peer.group);
    const model::Interface* iface =
        group ? session.profile.find_interface(group->interface) : nullptr;
    if (!iface)
        return Error{"peer \"" + name + "\": its group or interface is gone from the profile"};

    // State first, kernel second, files last: a failure in the kernel step
    // puts peers.tsv back, so state and kernel agree whatever happens.
    const store::PeerState before = session.stored;
    store::PeerState after = before;
    std::erase_if(after.peers, [&](const store::StoredPeer& p) { return p.name == name; });
    if (auto st = store::save_peers(session.paths, after); !st) return st.error();

    RemovePeerReport report;
    report.peer = peer;
    report.interface = iface->name;
    if (live.interface_up(*iface)) {
        auto applied = apply_removed_peer(live, *iface, peer);
        if (!applied) {
            auto restored = store::save_peers(session.paths, before);
            return Error{applied.error().message +
                         (restored ? "; the peer was kept"
                                   : "; restoring " + session.paths.peers_file() +
                                         " failed too: " + restored.error().message)};
        }
        report.live = std::move(*applied);
    } else {
        report.live.note = "the gateway is not running here: " + iface->name + " is not up";
    }
    if (auto st = store::remove_peer_files(session.paths, name); !st)
        report.live.note += "; its files could not all be removed: " + st.error().message;

    session.stored = std::move(after);
    std::erase_if(session.profile.peers, [&](const model::Peer& p) { return p.name == name; });
    return report;
}

}  // namespace vpngw::gateway
