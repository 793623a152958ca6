#include <algorithm>

#include "gateway/peers.hpp"
#include "gateway/peers_apply.hpp"
#include "store/peers_journal.hpp"
#include "store/peers_scan.hpp"
#include "store/peers_text.hpp"
#include "txn/pending.hpp"

namespace vpngw::gateway {
namespace {

// The stored peer named `name`, parsed from its line alone; nullopt when no
// stored peer has that name.
Result<std::optional<store::StoredPeer>> find_stored(const store::StoredPeerText& text,
                                                     const std::string& name) {
    std::optional<store::RawPeer> found;
    auto scanned = text.for_each([&](const store::RawPeer& p) {
        if (p.name == name) found = p;
    });
    if (!scanned) return scanned.error();
    if (!found) return std::optional<store::StoredPeer>{};
    auto peer = store::parse_peer_line(found->line, *found->file, found->line_no);
    if (!peer) return peer.error();
    return std::optional<store::StoredPeer>{std::move(*peer)};
}

// The same from the peers index: one lookup.
Result<std::optional<store::StoredPeer>> find_indexed(const store::PeersIndex& index,
                                                      const store::StatePaths& paths,
                                                      const std::string& name) {
    auto line = index.peer_line(name);
    if (!line) return std::optional<store::StoredPeer>{};
    auto peer = store::parse_peer_line(*line, paths.peers_index_names_dir() + "/" + name, 1);
    if (!peer) return peer.error();
    return std::optional<store::StoredPeer>{std::move(*peer)};
}

}  // namespace

Result<RemovePeerReport> remove_peer(Session& session, const std::string& name, LiveGateway& live) {
    if (!session.lock) return Error{"internal error: peer remove without the state lock"};
    if (auto st = txn::refuse_while_pending(session.paths.dir); !st) return st.error();
    // The index when the state has one (rebuilt when stale); the full scan
    // of the stored peers' text when it cannot be built.
    auto index = store::PeersIndex::open(session.paths, peers_index_layout(session.profile));
    if (!index) return index.error();
    std::optional<store::StoredPeerText> text;
    Result<std::optional<store::StoredPeer>> found = std::optional<store::StoredPeer>{};
    if (*index) {
        found = find_indexed(**index, session.paths, name);
    } else {
        auto read = store::read_for_change(session.paths);
        if (!read) return read.error();
        text = std::move(*read);
        found = find_stored(*text, name);
    }
    if (!found) return found.error();
    const std::string snapshot(*index ? (*index)->snapshot_id() : text->snapshot_id());
    if (!*found) {
        for (const auto& p : session.profile.peers)
            if (p.name == name)
                return Error{
                    "peer \"" + name +
                        "\" is declared in the profile: remove it there and run `vpngw up`",
                    p.origin.table};
        return Error{"no peer named \"" + name + "\""};
    }
    const store::StoredPeer peer = std::move(**found);
    const model::Group* group = session.profile.find_group(peer.group);
    const model::Interface* iface =
        group ? session.profile.find_interface(group->interface) : nullptr;
    if (!iface)
        return Error{"peer \"" + name + "\": its group or interface is gone from the profile"};

    // State first, kernel second, files last: a failure in the kernel step
    // records the peer again, so state and kernel agree whatever happens.
    if (auto st = store::append_journal(session.paths, snapshot, store::journal_remove_entry(name));
        !st)
        return st.error();
    std::string index_note;
    if (*index)
        if (auto st = (*index)->record_removed(peer); !st)
            index_note = "; the peers index will be rebuilt: " + st.error().message;

    RemovePeerReport report;
    report.peer = peer;
    report.interface = iface->name;
    if (live.interface_up(*iface)) {
        auto applied = apply_removed_peer(live, *iface, peer);
        if (!applied) {
            // The index forgot the peer: the next open rebuilds it.
            store::PeersIndex::invalidate(session.paths);
            auto restored =
                store::append_journal(session.paths, snapshot, store::journal_add_entry(peer));
            return Error{applied.error().message +
                         (restored
                              ? "; the peer was kept"
                              : "; recording it again in " + session.paths.peers_journal_file() +
                                    " failed too: " + restored.error().message)};
        }
        report.live = std::move(*applied);
    } else {
        report.live.note = "the gateway is not running here: " + iface->name + " is not up";
    }
    if (auto st = store::remove_peer_files(session.paths, name); !st)
        report.live.note += "; its files could not all be removed: " + st.error().message;
    report.live.note += index_note;
    const bool due = *index ? (*index)->wants_compaction() : text->wants_compaction();
    if (auto st = store::compact_when_due(due, session.paths); !st)
        report.live.note += "; " + st.error().message;

    std::erase_if(session.stored.peers, [&](const store::StoredPeer& p) { return p.name == name; });
    std::erase_if(session.profile.peers, [&](const model::Peer& p) { return p.name == name; });
    return report;
}

}  // namespace vpngw::gateway
