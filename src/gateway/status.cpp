#include "gateway/status.hpp"

#include <algorithm>
#include <ctime>
#include <fstream>
#include <map>

#include "gateway/apply_profile.hpp"
#include "gateway/noop_proof.hpp"
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

PeerStatus peer_status(PeerListEntry&& listed, std::int64_t now) {
    PeerStatus s{std::move(listed), false, std::nullopt};
    const auto& peer = s.peer;
    if (peer.stats && peer.stats->last_handshake_sec != 0) {
        s.handshake_age = std::max<std::int64_t>(0, now - peer.stats->last_handshake_sec);
        s.online = *s.handshake_age < kOnlineWindowSeconds;
    }
    return s;
}

// The groups' totals, added up peer by peer as the listing hands them over.
class GroupTotals {
  public:
    explicit GroupTotals(const model::Profile& profile) {
        for (const auto& g : profile.groups) {
            if (g.is_network()) continue;  // local networks have no peers to report
            index_[g.name] = groups_.size();
            groups_.push_back(GroupStatus{g.name, g.interface});
        }
    }
    void add(const PeerStatus& p) {
        auto it = index_.find(p.peer.group);
        if (it == index_.end()) return;
        auto& g = groups_[it->second];
        ++g.peers;
        if (p.online) ++g.online;
        if (p.peer.stats) {
            g.rx_bytes += p.peer.stats->rx_bytes;
            g.tx_bytes += p.peer.stats->tx_bytes;
        }
    }
    std::vector<GroupStatus> take() { return std::move(groups_); }

  private:
    std::vector<GroupStatus> groups_;
    std::map<std::string, std::size_t, std::less<>> index_;
};

// The kernel's quota objects by name, for one lookup per listed peer.
class QuotaFigures {
  public:
    explicit QuotaFigures(std::vector<nft::NamedQuota> quotas) : quotas_(std::move(quotas)) {
        std::sort(quotas_.begin(), quotas_.end(),
                  [](const auto& a, const auto& b) { return a.name < b.name; });
    }
    void fill(PeerStatus& p) const {
        if (quotas_.empty()) return;
        const std::string name = plan::nft::quota_object(p.peer.name);
        auto it = std::lower_bound(quotas_.begin(), quotas_.end(), name,
                                   [](const auto& q, const std::string& n) { return q.name < n; });
        if (it == quotas_.end() || it->name != name) return;
        p.quota_used = it->used;
        p.quota_limit = it->limit;
    }

  private:
    std::vector<nft::NamedQuota> quotas_;
};

// Plans with the session's peers freed as early as `up` frees them, so
// status peaks no higher than a no-op `up`. A session whose registry peers
// were not read yet (StoredPeers::deferred) reads them here.
Drift drift_of(Session& session) {
    Drift d;
    if (session.stored != StoredPeers::merged) {
        Diagnostics again;  // what `vpngw up` would warn of too
        if (auto st = merge_registry_peers(session, again); !st) {
            d.error = st.error().message;
            return d;
        }
    }
    auto plan = plan_up(session, /*consume_peers=*/true);
    if (!plan) {
        d.error = plan.error().message;
        return d;
    }
    d.known = true;
    for (const auto& op : plan->ops) d.changes.push_back(op.describe());
    return d;
}

// The no-op proof of the last `up` (gateway/noop_proof.hpp) against the
// devices as the listing read them: no second read of 50,000 peers, and no
// plan. False whenever it proves nothing (the caller plans in full).
bool proven_in_sync(const Session& session, const std::optional<NoopInputs>& inputs,
                    const std::vector<ListedDevice>& devices) {
    if (!inputs) return false;
    auto record = read_noop_record(session.paths);
    if (!record || !record_applies(*record, *inputs)) return false;
    auto sock = netlink::NetlinkSocket::open();
    if (!sock) return false;
    wg::UserspaceOptions userspace;
    userspace.binary = session.options.wireguard_go;
    exec::Backends backends(userspace);
    auto listed = [&](const std::string& ifname, model::Backend) -> std::optional<std::string> {
        for (const auto& d : devices)
            if (d.ifname == ifname && !d.digest.empty()) return d.digest;
        return std::nullopt;
    };
    auto matches = kernel_matches(*record, *sock, backends, listed);
    return matches && *matches;
}

}  // namespace

std::optional<ConntrackUsage> read_conntrack_usage() {
    auto count = read_number("/proc/sys/net/netfilter/nf_conntrack_count");
    auto max = read_number("/proc/sys/net/netfilter/nf_conntrack_max");
    if (!count || !max) return std::nullopt;
    return ConntrackUsage{*count, *max};
}

StatusReport gather_status(Session& session, LiveGateway& live, const StatusOptions& options,
                           const PeerStatusVisitor& each) {
    StatusReport r;
    r.now = static_cast<std::int64_t>(std::time(nullptr));
    r.profile = session.options.profile_path;
    if (session.profile.cluster) r.cluster = gather_cluster_status(session);

    // A merged session plans first, so the desired and observed state it
    // builds are gone before the peers are listed: the two never share the
    // process's peak memory. A deferred one lists first and proves the
    // drift with the devices the listing read, planning only without proof.
    const bool deferred = session.stored == StoredPeers::deferred;
    std::optional<NoopInputs> inputs;
    if (options.drift && deferred) inputs = fingerprint_inputs(session);
    if (options.drift && !deferred) {
        r.drift = drift_of(session);
        // The plan consumed the profile's peers: read the profile's own again;
        // the registry's are listed one at a time, never all held.
        Diagnostics again;  // reported when the session was first opened
        auto reloaded = open_session(session.options, LockMode::none, again, StoredPeers::none);
        if (!reloaded) {
            r.notes.push_back("reading the peers again: " + reloaded.error().message);
        } else {
            session.profile = std::move(reloaded->profile);
            session.stored = StoredPeers::none;
        }
    }

    std::optional<std::string> quota_note;
    std::optional<QuotaFigures> quotas;
    if (auto q = nft::list_owned_quotas(); !q)
        quota_note = q.error().message;
    else if (*q)
        quotas.emplace(std::move(**q));

    GroupTotals groups(session.profile);
    std::vector<ListedDevice> devices;
    PeerFilter all;
    all.device_digests = inputs.has_value();
    auto listing = list_peers(session, live, all, [&](PeerListEntry&& e) {
        PeerStatus p = peer_status(std::move(e), r.now);
        if (quotas) quotas->fill(p);
        groups.add(p);
        if (each)
            each(std::move(p));
        else
            r.peers.push_back(std::move(p));
    });
    if (!listing) {
        r.notes.push_back("listing the peers: " + listing.error().message);
    } else {
        devices = std::move(listing->devices);
        for (auto& n : listing->notes) r.notes.push_back(std::move(n));
    }
    r.interfaces = interface_status(session.profile, live, devices);
    r.groups = groups.take();
    if (options.drift && deferred) {
        if (proven_in_sync(session, inputs, devices))
            r.drift.known = r.drift.proven = true;
        else
            r.drift = drift_of(session);
    }

    uplink_status(session, r);
    r.conntrack = read_conntrack_usage();
    if (quota_note) r.notes.push_back(std::move(*quota_note));
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
