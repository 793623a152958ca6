#include "gateway/cluster_follow.hpp"

#include <thread>
#include <unordered_map>
#include <utility>

#include "fleet/etcd_follow.hpp"
#include "fleet/etcd_http.hpp"
#include "gateway/apply_profile.hpp"
#include "gateway/cluster_applied.hpp"
#include "gateway/cluster_endpoints.hpp"
#include "gateway/cluster_psk.hpp"
#include "gateway/peers_apply.hpp"
#include "store/peer_files.hpp"
#include "store/state_lock.hpp"

namespace vpngw::gateway {
namespace {

using registry::PeerRecord;

class Follower {
  public:
    Follower(const Options& options, LiveGateway& live, const FollowEvents& events, Session session)
        : options_(options),
          live_(live),
          events_(events),
          session_(std::move(session)),
          cluster_(*session_.profile.cluster),
          kv_(fleet::http_transport(cluster_.etcd)) {}

    // Where to follow from: the applied revision's peers (catch-up), else
    // everything (a full reconcile).
    Status start() {
        auto saved = read_cluster_applied(session_.paths);
        if (!saved) events_.error(saved.error().str() + "; reconciling in full");
        if (saved && *saved) {
            const auto from = (*saved)->revision;
            auto snap = fleet::read_peers_at(kv_, cluster_.etcd.prefix, from);
            if (snap) {
                remember(snap->peers);
                revision_ = from;
                events_.info("catching up from revision " + std::to_string(from));
                return ok_status();
            }
            if (!fleet::is_compacted(snap.error())) return snap.error();
            events_.info("revision " + std::to_string(from) +
                         " is compacted away in etcd: reconciling in full");
        }
        return reconcile();
    }

    // Follows until the watch ends; a compaction gap reconciles in full.
    Status follow() {
        bool gap = false;
        bool announced = false;
        auto st = fleet::follow_peers(cluster_.etcd, revision_ + 1, follow_.silence,
                                      [&](const fleet::PeerBatch& b) {
                                          if (b.compacted) {
                                              gap = true;
                                              return false;
                                          }
                                          if (auto applied = apply(b); !applied) {
                                              events_.error(applied.error().str());
                                              return false;
                                          }
                                          if (!announced) events_.caught_up(revision_);
                                          announced = true;
                                          return true;
                                      });
        if (gap) {
            events_.info("the watch from revision " + std::to_string(revision_ + 1) +
                         " is compacted away in etcd: reconciling in full");
            return reconcile();
        }
        return st;
    }

    FollowOptions follow_;

  private:
    // Everything again: the registry's peers now, applied as `up` does.
    Status reconcile() {
        auto snap = fleet::read_peers_at(kv_, cluster_.etcd.prefix, 0);
        if (!snap) return snap.error();
        Diagnostics diags;
        auto full = open_session(options_, LockMode::exclusive, diags);
        if (!full) return full.error();
        auto done = up(*full);
        if (!done) return done.error();
        remember(snap->peers);
        revision_ = snap->revision;
        if (auto st = save(); !st) return st;
        events_.info("reconciled in full at revision " + std::to_string(revision_) + " (" +
                     std::to_string(done->ops.size()) + " operations)");
        return ok_status();
    }

    void remember(const std::vector<PeerRecord>& peers) {
        applied_.clear();
        for (const auto& p : peers)
            if (served_by(p, cluster_.node)) applied_.emplace(p.name, p);
    }

    Status save() { return write_cluster_applied(session_.paths, {revision_, now_utc()}); }

    // One watch message: its peers' changes under the state lock (a local
    // `peer add` is not half-way through), then the revision on disk.
    Status apply(const fleet::PeerBatch& b) {
        if (b.revision <= revision_ && b.changes.empty()) return ok_status();
        if (!b.changes.empty()) {
            auto lock = store::StateLock::acquire(session_.paths.dir, std::chrono::seconds(30));
            if (!lock) return lock.error();
            for (const auto& c : b.changes) apply(c);
        }
        revision_ = std::max(revision_, b.revision);
        return save();
    }

    void apply(const fleet::PeerChange& c) {
        std::optional<PeerRecord> next;
        if (c.record && served_by(*c.record, cluster_.node)) next = c.record;
        auto it = applied_.find(c.name);
        const PeerRecord* before = it == applied_.end() ? nullptr : &it->second;
        if (before && next && *before == *next) return;  // a replay of what the kernel has
        const auto now = now_utc();
        if (before && is_active(*before, now))
            if (auto st = kernel(*before, false); !st) events_.error(st.error().message);
        if (next && is_active(*next, now))
            if (auto st = kernel(*next, true); !st) events_.error(st.error().message);
        if (next) {
            applied_.insert_or_assign(c.name, *next);
        } else if (before) {
            forget_sealed_psk(session_, *before);
            applied_.erase(it);
        }
    }

    // Adds or removes one peer in the kernel, as `peer add/remove` do.
    Status kernel(const PeerRecord& r, bool add) {
        const model::Group* group = session_.profile.find_group(r.group);
        const model::Interface* iface =
            group ? session_.profile.find_interface(group->interface) : nullptr;
        if (!iface)
            return Error{"peer \"" + r.name + "\" belongs to group \"" + r.group +
                         "\", which this gateway's profile does not define: not applied"};
        if (!live_.interface_up(*iface)) return ok_status();  // `up` applies it later
        const auto peer = to_model_peer(r, session_.paths, now_utc());
        if (!add) {
            auto removed = apply_removed_peer(live_, *iface, peer);
            if (!removed) return removed.error();
            events_.info("peer " + r.name + " removed from " + iface->name);
            return ok_status();
        }
        // Opened from the record (sealed with the cluster secret); a value
        // that does not open leaves the peer out.
        auto psk = peer_psk(session_, r);
        if (!psk) return Error{psk.error().message};
        auto added = apply_added_peer(live_, *iface, peer, *psk);
        if (!added) return added.error();
        events_.info("peer " + r.name + " applied to " + iface->name);
        return ok_status();
    }

    const Options& options_;
    LiveGateway& live_;
    const FollowEvents& events_;
    Session session_;
    const model::Cluster& cluster_;
    fleet::EtcdKv kv_;
    std::unordered_map<std::string, PeerRecord> applied_;
    std::int64_t revision_ = 0;
};

}  // namespace

Status follow_cluster(const Options& options, LiveGateway& live, const FollowEvents& events,
                      const FollowOptions& follow) {
    Diagnostics diags;
    auto session = open_session(options, LockMode::none, diags, StoredPeers::none);
    if (!session) return session.error();
    if (!session->profile.cluster)
        return Error{"the profile has no [cluster]: there is no shared registry to follow",
                     {options.profile_path}};
    Follower f(options, live, events, std::move(*session));
    f.follow_ = follow;
    // The clients' endpoints: published while this member serves, and used
    // to speak first when it takes the virtual address over. A thread of its
    // own: the watch below blocks for as long as the registry is quiet.
    std::jthread endpoints(
        [&](std::stop_token stop) { keep_endpoints(std::move(stop), options, events); });
    bool started = false;
    std::string last_error;
    for (;;) {
        auto st = started ? f.follow() : f.start();
        if (st) {
            started = true;
            last_error.clear();
            continue;  // the stream ended or went silent: resume from the applied revision
        }
        // Said once per outage, not once a second.
        if (st.error().message != last_error)
            events.error(st.error().message +
                         "; the kernel keeps the last applied state until etcd answers");
        last_error = st.error().message;
        std::this_thread::sleep_for(follow.retry);
    }
}

}  // namespace vpngw::gateway
