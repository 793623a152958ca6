#include "cli/metrics_text.hpp"

#include <charconv>
#include <initializer_list>
#include <utility>

namespace vpngw::cli {

namespace {

using Labels = std::initializer_list<std::pair<const char*, std::string>>;

// Collects the samples of one metric family after its HELP and TYPE lines;
// the format wants all samples of a family together.
class Family {
  public:
    Family(std::string& out, const char* name, const char* type, const char* help)
        : out_(out), name_(name) {
        out_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    }
    void sample(Labels labels, double value) {
        out_ += name_;
        if (labels.size() != 0) {
            out_ += "{";
            bool first = true;
            for (const auto& [k, v] : labels) {
                out_ += std::string(first ? "" : ",") + k + "=\"" + escape_label(v) + "\"";
                first = false;
            }
            out_ += "}";
        }
        // Shortest text that reads back as the same double: 0.412, not
        // 0.41199999999999998; integers (byte counters) without ".0".
        char num[64];
        auto res = std::to_chars(num, num + sizeof num, value);
        out_ += " " + std::string(num, res.ptr) + "\n";
    }
    void sample(double value) { sample({}, value); }

  private:
    std::string& out_;
    std::string name_;
};

double d(std::uint64_t v) {
    return static_cast<double>(v);
}

void interfaces(std::string& out, const gateway::StatusReport& r) {
    Family up(out, "vpngw_interface_up", "gauge", "1 when the WireGuard interface exists.");
    for (const auto& i : r.interfaces)
        up.sample({{"interface", i.name}, {"backend", i.backend}}, i.up ? 1 : 0);
    Family port(out, "vpngw_interface_listen_port", "gauge", "UDP port WireGuard listens on.");
    for (const auto& i : r.interfaces)
        if (i.up) port.sample({{"interface", i.name}}, i.listen_port);
}

void peer_sample(Family& f, const gateway::PeerStatus& p, double value) {
    f.sample({{"interface", p.peer.interface}, {"group", p.peer.group}, {"peer", p.peer.name}},
             value);
}

void peers(std::string& out, const gateway::StatusReport& r) {
    {
        Family f(out, "vpngw_peer_latest_handshake_seconds", "gauge",
                 "Unix time of the peer's latest handshake (0: never).");
        for (const auto& p : r.peers)
            if (p.peer.stats)
                peer_sample(f, p, static_cast<double>(p.peer.stats->last_handshake_sec));
    }
    {
        Family f(out, "vpngw_peer_handshake_age_seconds", "gauge",
                 "Seconds since the peer's latest handshake (absent: never).");
        for (const auto& p : r.peers)
            if (p.handshake_age) peer_sample(f, p, static_cast<double>(*p.handshake_age));
    }
    {
        Family f(out, "vpngw_peer_quota_used_bytes", "gauge",
                 "Bytes of both directions the peer used of its quota this period.");
        for (const auto& p : r.peers)
            if (p.quota_used) peer_sample(f, p, d(*p.quota_used));
    }
    {
        Family f(out, "vpngw_peer_quota_limit_bytes", "gauge",
                 "The peer's quota per period, in bytes of both directions.");
        for (const auto& p : r.peers)
            if (p.quota_limit) peer_sample(f, p, d(*p.quota_limit));
    }
    {
        Family f(out, "vpngw_peer_online", "gauge",
                 "1 when the peer's latest handshake is under 180 s old.");
        for (const auto& p : r.peers) peer_sample(f, p, p.online ? 1 : 0);
    }
    {
        Family f(out, "vpngw_peer_receive_bytes_total", "counter", "Bytes received from the peer.");
        for (const auto& p : r.peers)
            if (p.peer.stats) peer_sample(f, p, d(p.peer.stats->rx_bytes));
    }
    {
        Family f(out, "vpngw_peer_transmit_bytes_total", "counter", "Bytes sent to the peer.");
        for (const auto& p : r.peers)
            if (p.peer.stats) peer_sample(f, p, d(p.peer.stats->tx_bytes));
    }
    {
        Family f(out, "vpngw_peer_disabled", "gauge",
                 "1 when the peer is kept out of the kernel: disabled, or its expiry passed.");
        for (const auto& p : r.peers) peer_sample(f, p, p.peer.disabled || p.peer.expired ? 1 : 0);
    }
    {
        Family f(out, "vpngw_peer_expiry_timestamp_seconds", "gauge",
                 "Unix time at which the peer expires (absent: never).");
        for (const auto& p : r.peers)
            if (p.peer.expires) peer_sample(f, p, d(p.peer.expires->time_since_epoch().count()));
    }
}

void groups(std::string& out, const gateway::StatusReport& r) {
    Family peers(out, "vpngw_group_peers", "gauge", "Peers in the group.");
    for (const auto& g : r.groups) peers.sample({{"group", g.name}}, d(g.peers));
    Family online(out, "vpngw_group_peers_online", "gauge", "Peers of the group online now.");
    for (const auto& g : r.groups) online.sample({{"group", g.name}}, d(g.online));
    Family rx(out, "vpngw_group_receive_bytes_total", "counter",
              "Bytes received from the group's peers.");
    for (const auto& g : r.groups) rx.sample({{"group", g.name}}, d(g.rx_bytes));
    Family tx(out, "vpngw_group_transmit_bytes_total", "counter",
              "Bytes sent to the group's peers.");
    for (const auto& g : r.groups) tx.sample({{"group", g.name}}, d(g.tx_bytes));
}

void kernel(std::string& out, const gateway::StatusReport& r) {
    if (r.conntrack) {
        Family(out, "vpngw_conntrack_entries", "gauge", "Connection tracking entries in use.")
            .sample(d(r.conntrack->count));
        Family(out, "vpngw_conntrack_entries_limit", "gauge",
               "Maximum connection tracking entries (nf_conntrack_max).")
            .sample(d(r.conntrack->max));
    }
    if (r.drops) {
        Family packets(out, "vpngw_drop_packets_total", "counter",
                       "Packets dropped by vpngw's firewall, by nft counter.");
        for (const auto& c : *r.drops) packets.sample({{"counter", c.name}}, d(c.packets));
        Family bytes(out, "vpngw_drop_bytes_total", "counter",
                     "Bytes dropped by vpngw's firewall, by nft counter.");
        for (const auto& c : *r.drops) bytes.sample({{"counter", c.name}}, d(c.bytes));
    }
}

void apply(std::string& out, const gateway::StatusReport& r) {
    Family(out, "vpngw_pending_confirm", "gauge",
           "1 while an `up --confirm` waits for `vpngw confirm`.")
        .sample(r.pending ? 1 : 0);
    if (r.pending)
        Family(out, "vpngw_pending_confirm_seconds_left", "gauge",
               "Seconds until the pending apply is reverted.")
            .sample(static_cast<double>(r.pending->left.count()));
    if (r.last_apply) {
        const auto& a = *r.last_apply;
        Family(out, "vpngw_last_apply_success", "gauge", "1 when the last `vpngw up` succeeded.")
            .sample(a.ok ? 1 : 0);
        Family(out, "vpngw_last_apply_duration_seconds", "gauge",
               "How long the last `vpngw up` took.")
            .sample(static_cast<double>(a.duration_ms) / 1000.0);
        Family(out, "vpngw_last_apply_timestamp_seconds", "gauge",
               "Unix time the last `vpngw up` finished.")
            .sample(static_cast<double>(a.finished));
        Family(out, "vpngw_last_apply_changes", "gauge", "Operations the last `vpngw up` applied.")
            .sample(d(a.changes));
    }
    Family(out, "vpngw_drift_known", "gauge",
           "1 when the kernel could be compared with the profile.")
        .sample(r.drift.known ? 1 : 0);
    if (r.drift.known)
        Family(out, "vpngw_drift_changes", "gauge",
               "Changes `vpngw up` would make now (0: the kernel matches the profile).")
            .sample(d(r.drift.changes.size()));
}

}  // namespace

std::string escape_label(const std::string& value) {
    std::string out;
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string metrics_text(const gateway::StatusReport& r) {
    // The text is mostly per-peer samples (up to 9 families each); reserving
    // about that much keeps a 50,000-peer scrape from holding the old and the
    // doubled buffer at once while the string grows.
    std::size_t per_peer_bytes = 0;
    for (const auto& p : r.peers)
        per_peer_bytes +=
            9 * (96 + p.peer.interface.size() + p.peer.group.size() + p.peer.name.size());
    std::string out;
    out.reserve(per_peer_bytes + 64 * 1024);
    interfaces(out, r);
    peers(out, r);
    groups(out, r);
    kernel(out, r);
    apply(out, r);
    return out;
}

}  // namespace vpngw::cli
