#include "fleet/etcd_follow.hpp"

#include "fleet/etcd_http.hpp"
#include "fleet/etcd_layout.hpp"
#include "fleet/etcd_watch.hpp"

namespace vpngw::fleet {

Result<PeerSnapshot> read_peers_at(EtcdKv& kv, const std::string& prefix, std::int64_t revision) {
    const Layout layout{prefix};
    auto r = kv.range({layout.peers(), prefix_end(layout.peers()), false, revision});
    if (!r) return r.error();
    PeerSnapshot out;
    out.revision = r->revision;
    out.peers.reserve(r->kvs.size());
    for (const auto& item : r->kvs) {
        auto p = decode_peer(item.key, item.value);
        if (!p) return p.error();
        out.peers.push_back(std::move(*p));
    }
    // A range at an older revision answers with the store's current one in
    // its header; what the peers are "of" is the revision asked for.
    if (revision > 0) out.revision = revision;
    return out;
}

bool is_compacted(const Error& error) {
    // etcd: "mvcc: required revision has been compacted".
    return error.message.find("compacted") != std::string::npos;
}

Result<std::int64_t> current_revision(EtcdKv& kv, const std::string& prefix) {
    // Any range's header carries the revision; one key that never exists
    // keeps the answer small.
    auto r = kv.range({prefix + "revision-probe", std::nullopt, false, 0});
    if (!r) return r.error();
    return r->revision;
}

namespace {

// The peers' part of one watch message; other keys (audit, claims) only
// move the revision on.
Result<PeerBatch> peer_batch(const Layout& layout, const WatchMessage& m) {
    PeerBatch b;
    // Events carry their own revisions; a message without events tells the
    // revision everything was sent up to only when it is a progress
    // notification: the answer to the create request comes before a
    // catch-up's old events, with the newest revision in its header.
    if (!m.events.empty())
        b.revision = m.events.back().kv.mod_revision;
    else if (!m.created)
        b.revision = m.revision;
    b.compacted = m.canceled && m.compact_revision > 0;
    const std::string peers = layout.peers();
    for (const auto& e : m.events) {
        if (e.kv.key.rfind(peers, 0) != 0) continue;
        PeerChange c{e.kv.key.substr(peers.size()), std::nullopt};
        if (!e.deleted) {
            auto p = decode_peer(e.kv.key, e.kv.value);
            if (!p) return p.error();
            c.record = std::move(*p);
        }
        b.changes.push_back(std::move(c));
    }
    return b;
}

}  // namespace

Status follow_peers(const model::EtcdSettings& settings, std::int64_t from_revision,
                    std::chrono::milliseconds silence,
                    const std::function<bool(const PeerBatch&)>& on_batch) {
    const Layout layout{settings.prefix};
    WatchDecoder decoder;
    std::optional<Error> failed;
    auto st = http_stream(
        settings, "/v3/watch", encode_watch_create(settings.prefix, from_revision), silence,
        [&](std::string_view chunk) {
            auto messages = decoder.feed(chunk);
            if (!messages) {
                failed = messages.error();
                return false;
            }
            for (const auto& m : *messages) {
                if (m.canceled && m.compact_revision == 0) {
                    failed = Error{"etcd cancelled the watch: " +
                                   (m.cancel_reason.empty() ? std::string("no reason given")
                                                            : m.cancel_reason)};
                    return false;
                }
                auto batch = peer_batch(layout, m);
                if (!batch) {
                    failed = batch.error();
                    return false;
                }
                if (!on_batch(*batch) || batch->compacted) return false;
            }
            return true;
        });
    if (failed) return *failed;
    return st;
}

}  // namespace vpngw::fleet
