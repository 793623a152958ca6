#include "gateway/cluster_endpoints.hpp"

#include <thread>

#include "fleet/etcd_http.hpp"
#include "gateway/cluster_status.hpp"
#include "netlink/addresses.hpp"
#include "store/state_lock.hpp"

namespace vpngw::gateway {

std::map<PublicKey, Endpoint> seen_endpoints(const wg::ObservedDevice& device) {
    std::map<PublicKey, Endpoint> out;
    for (const auto& p : device.peers)
        if (p.endpoint && IpAddress::parse(p.endpoint->host))
            out.emplace(p.public_key, *p.endpoint);
    return out;
}

TakeoverPlan plan_takeover(const wg::ObservedDevice& device, const fleet::EndpointMap& published,
                           const std::string& node) {
    TakeoverPlan plan;
    for (const auto& p : device.peers) {
        auto it = published.find(p.public_key);
        if (it == published.end()) continue;
        if (it->second.node == node && p.endpoint) continue;  // ours, and the device knows it
        wg::PeerConfig base;
        base.public_key = p.public_key;
        base.replace_allowed_ips = false;  // never touch the peer's addresses
        base.endpoint = it->second.endpoint;
        if (p.keepalive != 0) {
            auto off = base;
            off.keepalive = 0;
            plan.off.push_back(std::move(off));
        }
        auto kick = base;
        kick.keepalive = 1;
        plan.kick.push_back(std::move(kick));
        wg::PeerConfig restore;
        restore.public_key = p.public_key;
        restore.replace_allowed_ips = false;
        restore.keepalive = p.keepalive;
        plan.restore.push_back(std::move(restore));
    }
    return plan;
}

namespace {

class EndpointKeeper {
  public:
    EndpointKeeper(const Options& options, const FollowEvents& events, Session session)
        : events_(events),
          session_(std::move(session)),
          cluster_(*session_.profile.cluster),
          live_(system_gateway(options)),
          kv_(fleet::http_transport(cluster_.etcd)),
          publisher_(cluster_.node) {}

    void tick(std::chrono::steady_clock::time_point now, std::chrono::milliseconds period) {
        const bool serving = serves();
        if (!serving) {
            fresh_ = true;  // on serving again: read etcd, take over
            return;
        }
        if (fresh_) {
            auto published = fleet::read_endpoints(kv_, cluster_.etcd.prefix);
            if (!published) return complain("reading the published endpoints", published.error());
            for (const auto& e : published->refused)
                complain("an endpoint record", e);  // counted, never applied
            refused_ += published->refused.size();
            if (cluster_.vrrp) take_over(published->records);
            publisher_.reset(std::move(published->records));
            fresh_ = false;
            next_publish_ = now;
        }
        if (now < next_publish_) return;
        next_publish_ = now + period;
        publish();
    }

  private:
    // VRRP MASTER, or no VRRP at all (scale-out: every member serves its own).
    // MASTER is what keepalived last reported: a keepalived killed with
    // SIGKILL leaves "MASTER" behind, so the member must also hold the
    // virtual address (a restarted member that does not must never take
    // the clients of the one that does).
    bool serves() {
        if (!cluster_.vrrp) return true;
        auto state = read_vrrp_state(session_.paths);
        if (!state) {
            complain("reading the VRRP state", state.error());
            return false;
        }
        return *state && (*state)->state == "MASTER" && holds_virtual_address();
    }

    bool holds_virtual_address() {
        const auto* uplink = session_.profile.find_uplink(cluster_.vrrp->uplink);
        if (!uplink) return false;
        auto sock = netlink::NetlinkSocket::open();
        if (!sock) {
            complain("reading " + uplink->device + "'s addresses", sock.error());
            return false;
        }
        auto addresses = netlink::dump_addresses(*sock, uplink->device);
        if (!addresses) {
            complain("reading " + uplink->device + "'s addresses", addresses.error());
            return false;
        }
        for (const auto& a : *addresses)
            if (a.prefix.addr == cluster_.vrrp->address.addr) return true;
        return false;
    }

    void take_over(const fleet::EndpointMap& published) {
        // Under the state lock: a peer removed meanwhile is not made again.
        auto lock = store::StateLock::acquire(session_.paths.dir, std::chrono::seconds(5));
        if (!lock) return complain("taking over the clients' endpoints", lock.error());
        for (const auto& iface : session_.profile.interfaces) {
            if (!live_->interface_up(iface)) continue;
            auto device = live_->observe(iface);
            if (!device) {
                complain("reading " + iface.name, device.error());
                continue;
            }
            const auto plan = plan_takeover(*device, published, cluster_.node);
            if (plan.kick.empty()) continue;
            Status st = live_->set_peers(iface, plan.off);
            if (st) st = live_->set_peers(iface, plan.kick);
            // Restored even when the kick failed half-way.
            if (auto restored = live_->set_peers(iface, plan.restore); st && !restored)
                st = restored;
            if (!st) {
                complain("taking over the clients on " + iface.name, st.error());
                continue;
            }
            events_.info("took over " + std::to_string(plan.kick.size()) + " client(s) on " +
                         iface.name + ": endpoints set, handshakes started");
        }
    }

    void publish() {
        std::map<PublicKey, Endpoint> seen;
        for (const auto& iface : session_.profile.interfaces) {
            if (!live_->interface_up(iface)) continue;
            auto device = live_->observe(iface);
            if (!device) return complain("reading " + iface.name, device.error());
            seen.merge(seen_endpoints(*device));
        }
        const auto changes = publisher_.changes(seen);
        for (const auto& batch : fleet::batches(changes)) {
            auto txn = kv_.txn({}, fleet::txn_ops(cluster_.etcd.prefix, batch));
            if (!txn) return complain("publishing the clients' endpoints", txn.error());
            publisher_.committed(batch);
        }
        if (!changes.empty())
            events_.info("published " + std::to_string(changes.size()) + " endpoint change(s)");
        last_error_.clear();
    }

    // Each failure said once, not once a period.
    void complain(const std::string& what, const Error& e) {
        auto line = what + ": " + e.str();
        if (line != last_error_) events_.error(line);
        last_error_ = std::move(line);
    }

    const FollowEvents& events_;
    Session session_;
    const model::Cluster& cluster_;
    std::unique_ptr<LiveGateway> live_;
    fleet::EtcdKv kv_;
    fleet::EndpointPublisher publisher_;
    bool fresh_ = true;
    std::size_t refused_ = 0;
    std::string last_error_;
    std::chrono::steady_clock::time_point next_publish_{};
};

}  // namespace

void keep_endpoints(std::stop_token stop, const Options& options, const FollowEvents& events,
                    const EndpointOptions& opts) {
    Diagnostics diags;
    auto session = open_session(options, LockMode::none, diags, StoredPeers::none);
    if (!session || !session->profile.cluster) return;  // follow_cluster says why
    EndpointKeeper keeper(options, events, std::move(*session));
    while (!stop.stop_requested()) {
        keeper.tick(std::chrono::steady_clock::now(), opts.publish);
        std::this_thread::sleep_for(opts.tick);
    }
}

}  // namespace vpngw::gateway
