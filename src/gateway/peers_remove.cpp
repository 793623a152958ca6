#include "gateway/peer_names.hpp"
#include "gateway/peers.hpp"
#include "gateway/peers_support.hpp"
#include "store/peer_files.hpp"

namespace vpngw::gateway {

Result<RemovePeerReport> remove_peer(Session& session, const std::string& name, LiveGateway& live) {
    if (auto st = detail::check_writable(session, "peer remove"); !st) return st.error();
    RemovePeerReport report;
    report.notes = settle_interrupted(session, live);
    if (auto e = detail::declared_in_profile(session, name, "remove it there and run `vpngw up`"))
        return *e;
    auto found = session.registry->find(name);
    if (!found) return found.error();
    if (!*found) return Error{"no peer named \"" + name + "\" (`vpngw peer list` lists them)"};
    auto iface = detail::interface_of(session.profile, (*found)->group);
    if (!iface) return Error{"peer \"" + name + "\": " + iface.error().message};

    // Registry first, kernel second, files last: a kernel refusal records
    // the peer again, so registry and kernel agree whatever happens.
    auto removed = session.registry->remove(name, session.actor("peer remove"));
    if (!removed) return removed.error();
    report.peer = *removed;
    report.interface = (*iface)->name;
    auto psk = detail::stored_psk(session, report.peer);
    auto applied = detail::apply_transition(session, live, report.peer, std::nullopt,
                                            psk ? *psk : std::nullopt);
    if (!applied) {
        auto again =
            session.registry->add(report.peer, nullptr, session.actor("peer remove (undone)"));
        if (again) (void)session.registry->settle(name);
        return Error{applied.error().message +
                     (again ? "; the peer was kept"
                            : "; recording it again failed too (" + again.error().message +
                                  "): `vpngw up` brings the kernel in line with the registry")};
    }
    report.live = std::move(*applied);
    if (!report.live.applied && live.interface_up(**iface) == false)
        report.live.note = "the gateway is not running here: " + (*iface)->name + " is not up";
    if (auto st = store::remove_peer_files(session.paths, name); !st)
        report.live.note += "; its files could not all be removed: " + st.error().message;
    if (auto st = session.registry->settle(name); !st) report.notes.push_back(st.error().message);
    detail::update_session_peer(session, name, std::nullopt);
    if (auto names = update_peer_name(session, report.peer, std::nullopt); !names.empty())
        report.notes.push_back(names);
    return report;
}

}  // namespace vpngw::gateway
