#include "gateway/status.hpp"

#include <ctime>
#include <fstream>
#include <map>

#include "gateway/apply_profile.hpp"
#include "nft/counters.hpp"
#include "plan/nft_parts.hpp"

namespace vpngw::gateway {

namespace {

std::optional<std::uint64_t> read_number(const char* path) {
    std::ifstream in(path);
    std::uint64_t n = 0;
    if (!(in >> n)) return std::nullopt;
    return n;
}

// The device figures come from the peer listing, which read each device
// that is up once: at 50,000 peers a read costs as much as the listing.
std::vector<InterfaceStatus> interface_status(const model::Profile& profile, LiveGateway& live,
                                              const std::vector<ListedDevice>& devices) {
    std::vector<InterfaceStatus> out;
    for (const auto& iface : profile.interfaces) {
        InterfaceStatus s;
        s.name = iface.name;
        s.backend = live.backend_name(iface);
        s.up = live.interface_up(iface);
        for (const auto& d : devices)
            if (d.ifname == iface.name) {
                s.listen_port = d.listen_port;
                s.public_key = d.public_key;
            }
        out.push_back(std::move(s));
    }
    return out;
}

// Takes the entries over and frees them: at 50,000 peers a copy would hold
// both lists at once.
std::vector<PeerStatus> peer_status(std::vector<PeerListEntry> listed, std::int64_t now) {
    std::vector<PeerStatus> out;
    out.reserve(listed.size());
    for (auto& p : listed) {
        PeerStatus s{std::move(p), false, std::nullopt};
        const auto& peer = s.peer;
        if (peer.stats && peer.stats->last_handshake_sec != 0) {
            s.handshake_age = std::max<std::int64_t>(0, now - peer.stats->last_handshake_sec);
            s.online = *s.handshake_age < kOnlineWindowSeconds;
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<GroupStatus> group_status(const model::Profile& profile,
                                      const std::vector<PeerStatus>& peers) {
    std::vector<GroupStatus> out;
    std::map<std::string, std::size_t> index;
    for (const auto& g : profile.groups) {
        if (g.is_network()) continue;  // local networks have no peers to report
        index[g.name] = out.size();
        out.push_back(GroupStatus{g.name, g.interface});
    }
    for (const auto& p : peers) {
        auto it = index.find(p.peer.group);
        if (it == index.end()) continue;
        auto& g = out[it->second];
        ++g.peers;
        if (p.online) ++g.online;
        if (p.peer.stats) {
            g.rx_bytes += p.peer.stats->rx_bytes;
            g.tx_bytes += p.peer.stats->tx_bytes;
        }
    }
    return out;
}

// Plans with the session's peers freed as early as `up` frees them, so
// status peaks no higher than a no-op `up`; the peers are read again after.
Drift drift_of(Session& session) {
    Drift d;
    auto plan = plan_up(session, /*consume_peers=*/true);
    if (!plan) {
        d.error = plan.error().message;
        return d;
    }
    d.known = true;
    for (const auto& op : plan->ops) d.changes.push_back(op.describe());
    return d;
}

}  // namespace

std::optional<ConntrackUsage> read_conntrack_usage() {
    auto count = read_number("/proc/sys/net/netfilter/nf_conntrack_count");
    auto max = read_number("/proc/sys/net/netfilter/nf_conntrack_max");
    if (!count || !max) return std::nullopt;
    return ConntrackUsage{*count, *max};
}

StatusReport gather_status(Session& session, LiveGateway& live, const StatusOptions& options) {
    StatusReport r;
    r.now = static_cast<std::int64_t>(std::time(nullptr));
    r.profile = session.options.profile_path;
    if (session.profile.cluster) r.cluster = gather_cluster_status(session);

    // First, so the desired and observed state it builds are gone before
    // the peer list is: the two never share the process's peak memory.
    if (options.drift) {
        r.drift = drift_of(session);
        Diagnostics again;  // reported when the session was first opened
        auto reloaded = open_session(session.options, LockMode::none, again);
        if (!reloaded) {
            r.notes.push_back("reading the peers again: " + reloaded.error().message);
        } else {
            session.profile = std::move(reloaded->profile);
        }
    }

    auto listing = list_peers(session, live);
    r.interfaces = interface_status(session.profile, live, listing.devices);
    for (auto& n : listing.notes) r.notes.push_back(std::move(n));
    r.peers = peer_status(std::move(listing.peers), r.now);
    r.groups = group_status(session.profile, r.peers);

    uplink_status(session, r);
    r.conntrack = read_conntrack_usage();
    if (auto quotas = nft::list_owned_quotas(); !quotas) {
        r.notes.push_back(quotas.error().message);
    } else if (*quotas) {
        std::map<std::string, const nft::NamedQuota*> by_name;
        for (const auto& q : **quotas) by_name[q.name] = &q;
        for (auto& p : r.peers)
            if (auto it = by_name.find(plan::nft::quota_object(p.peer.name)); it != by_name.end()) {
                p.quota_used = it->second->used;
                p.quota_limit = it->second->limit;
            }
    }
    if (auto counters = nft::list_owned_counters(); !counters) {
        r.notes.push_back(counters.error().message);
    } else if (*counters) {
        r.drops.emplace();
        for (const auto& c : **counters) r.drops->push_back({c.name, c.packets, c.bytes});
    }

    if (auto pending = txn::pending_status(session.paths.dir); !pending)
        r.notes.push_back(pending.error().message);
    else
        r.pending = *pending;
    if (auto last = txn::load_last_apply(session.paths); !last)
        r.notes.push_back(last.error().message);
    else
        r.last_apply = *last;

    return r;
}

}  // namespace vpngw::gateway
