#include "cli/status_text.hpp"

#include <cstdarg>
#include <cstdio>

#include "cli/print.hpp"

namespace vpngw::cli {

namespace {

void appendf(std::string& out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void appendf(std::string& out, const char* fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    out += line;
}

std::string address_or_dash(const std::optional<IpAddress>& a) {
    return a ? a->str() : "-";
}

void interfaces(std::string& out, const gateway::StatusReport& r) {
    appendf(out, "%-15s %-10s %-5s %-6s %s\n", "INTERFACE", "BACKEND", "STATE", "PORT",
            "PUBLIC KEY");
    for (const auto& i : r.interfaces)
        appendf(out, "%-15s %-10s %-5s %-6s %s\n", i.name.c_str(), i.backend.c_str(),
                i.up ? "up" : "down", i.up ? std::to_string(i.listen_port).c_str() : "-",
                i.public_key ? i.public_key->base64().c_str() : "-");
}

void groups(std::string& out, const gateway::StatusReport& r) {
    appendf(out, "\n%-15s %-15s %6s %7s %10s %10s\n", "GROUP", "INTERFACE", "PEERS", "ONLINE", "RX",
            "TX");
    for (const auto& g : r.groups)
        appendf(out, "%-15s %-15s %6zu %7zu %10s %10s\n", g.name.c_str(), g.interface.c_str(),
                g.peers, g.online, bytes_text(g.rx_bytes).c_str(), bytes_text(g.tx_bytes).c_str());
}

void uplinks(std::string& out, const gateway::StatusReport& r) {
    if (r.uplinks.empty()) return;
    appendf(out, "\n%-15s %-15s %-9s %-11s %8s  %s\n", "UPLINK", "DEVICE", "HEALTH", "LAST PROBE",
            "FAILURES", "LAST ERROR");
    for (const auto& u : r.uplinks)
        appendf(out, "%-15s %-15s %-9s %-11s %8s  %s\n", u.name.c_str(), u.device.c_str(),
                u.checked ? u.health.c_str() : "unchecked",
                u.last_probe ? age_text(r.now - u.last_probe).c_str() : "-",
                u.checked ? std::to_string(u.failures).c_str() : "-",
                u.last_error.empty() ? "-" : u.last_error.c_str());
    for (const auto& b : r.balance) {
        appendf(out, "balance %s:", b.group.c_str());
        for (const auto& s : b.shares)
            appendf(out, " %s %.0f%% (weight %u)", s.uplink.c_str(), s.percent, s.weight);
        out += "\n";
    }
}

}  // namespace

void StatusPeerText::add(const gateway::PeerStatus& p) {
    if (count_++ == 0)
        // The IPv4 address comes right after the group so `grep "^alice +staff +10.8.1.2"`
        // works; the IPv6 one, often long, goes last.
        appendf(lines_, "\n%-15s %-12s %-15s %-7s %-11s %10s %10s  %-24s %s\n", "PEER", "GROUP",
                "ADDRESS", "STATE", "HANDSHAKE", "RX", "TX", "ENDPOINT", "ADDRESS6");
    const auto& e = p.peer;
    std::string endpoint = "-", hs = "-", rx = "-", tx = "-";
    std::string_view state = "not-up";
    if (e.stats) {
        endpoint = e.stats->endpoint ? e.stats->endpoint->str() : "-";
        state = p.online ? "online" : "offline";
        hs = p.handshake_age ? age_text(*p.handshake_age) : "never";
        rx = bytes_text(e.stats->rx_bytes);
        tx = bytes_text(e.stats->tx_bytes);
    }
    // Out of the kernel on purpose: say why rather than "offline".
    if (e.expired) state = "expired";
    if (e.disabled) state = "disabled";
    // "%-15s %-12s %-15s %-7s %-11s %10s %10s  %-24s %s\n", padded by hand:
    // no format string to parse 50,000 times.
    append_left(lines_, e.name, 15);
    append_left(lines_, e.group, 12);
    append_left(lines_, address_or_dash(e.address), 15);
    append_left(lines_, state, 7);
    append_left(lines_, hs, 11);
    append_right(lines_, rx, 10);
    append_right(lines_, tx, 10);
    lines_ += ' ';
    append_left(lines_, endpoint, 24);
    lines_ += address_or_dash(e.address6);
    lines_ += '\n';
    if (!p.quota_limit) return;
    if (quotas_.empty()) quotas_ = "\nquotas (this period, both directions):\n";
    const std::uint64_t used = p.quota_used.value_or(0);
    appendf(quotas_, "  %-15s %s of %s%s\n", e.name.c_str(), bytes_text(used).c_str(),
            bytes_text(*p.quota_limit).c_str(), used >= *p.quota_limit ? " (over: dropped)" : "");
}

namespace {

void kernel_counters(std::string& out, const gateway::StatusReport& r) {
    out += "\n";
    if (r.conntrack) {
        const auto& c = *r.conntrack;
        appendf(out, "conntrack: %llu of %llu entries (%llu%%)\n",
                static_cast<unsigned long long>(c.count), static_cast<unsigned long long>(c.max),
                static_cast<unsigned long long>(c.max ? c.count * 100 / c.max : 0));
        if (c.warning())
            appendf(out,
                    "WARNING: conntrack is nearly full: new connections are dropped at %llu; "
                    "raise net.netfilter.nf_conntrack_max\n",
                    static_cast<unsigned long long>(c.max));
    } else {
        out += "conntrack: not loaded\n";
    }
    if (!r.drops) {
        out += "drops: firewall not up\n";
    } else {
        out += "drops:";
        for (const auto& d : *r.drops)
            appendf(out, " %s %llu", d.name.c_str(), static_cast<unsigned long long>(d.packets));
        out += " (packets)\n";
    }
}

void apply_state(std::string& out, const gateway::StatusReport& r) {
    if (r.pending)
        out += "pending: " + txn::describe_pending(*r.pending) + "\n";
    else
        out += "pending: none\n";
    if (r.last_apply) {
        const auto& a = *r.last_apply;
        appendf(out, "last apply: %s, %zu change(s) in %lld ms, %s\n", a.ok ? "ok" : "FAILED",
                a.changes, static_cast<long long>(a.duration_ms),
                age_text(std::max<std::int64_t>(0, r.now - a.finished)).c_str());
    }
}

// The fleet member's lines (docs/fleet.md): who it is, etcd, VRRP, and how
// far its kernel is behind the registry.
void cluster(std::string& out, const gateway::StatusReport& r) {
    if (!r.cluster) return;
    const auto& c = *r.cluster;
    out += "cluster: node " + c.node + "\n";
    if (!c.etcd_error.empty()) out += "  etcd: NOT ANSWERING: " + c.etcd_error + "\n";
    for (const auto& m : c.etcd_members) out += "  etcd member: " + m + "\n";
    if (!c.vrrp_state)
        out += "  vrrp: unknown (keepalived has written no state)\n";
    else if (c.vrrp_since > 0)
        out += "  vrrp: " + *c.vrrp_state + " since " +
               age_text(std::max<std::int64_t>(0, r.now - c.vrrp_since)) + "\n";
    else
        out += "  vrrp: " + *c.vrrp_state + "\n";
    if (!c.applied_error.empty()) out += "  registry: " + c.applied_error + "\n";
    if (!c.applied) {
        out += "  registry: never applied (is `vpngw cluster follow` running?)\n";
        return;
    }
    appendf(out, "  registry: applied revision %lld, %s",
            static_cast<long long>(c.applied->revision),
            age_text(
                std::max<std::int64_t>(0, r.now - c.applied->applied_at.time_since_epoch().count()))
                .c_str());
    if (auto lag = c.lag())
        appendf(out, "; etcd at %lld, lag %lld revision(s)\n",
                static_cast<long long>(*c.etcd_revision), static_cast<long long>(*lag));
    else
        out += "; lag unknown (etcd not answering)\n";
}

void drift(std::string& out, const gateway::StatusReport& r) {
    if (!r.drift.known) {
        out += "kernel: not compared: " + r.drift.error + "\n";
    } else if (r.drift.changes.empty()) {
        out += "kernel: matches " + r.profile + "\n";
    } else {
        appendf(out, "kernel: DRIFT, %zu change(s) needed (vpngw up would apply them):\n",
                r.drift.changes.size());
        for (const auto& c : r.drift.changes) out += "  " + c + "\n";
    }
}

}  // namespace

std::string age_text(std::int64_t s) {
    if (s < 120) return std::to_string(s) + " s ago";
    if (s < 7200) return std::to_string(s / 60) + " min ago";
    if (s < 172800) return std::to_string(s / 3600) + " h ago";
    return std::to_string(s / 86400) + " d ago";
}

std::string bytes_text(std::uint64_t n) {
    if (n < 1024) return std::to_string(n) + " B";  // what "%.0f B" prints, without a double
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(n);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    return buf;
}

void write_status_text(const gateway::StatusReport& r, const StatusPeerText& peers,
                       const std::function<void(std::string_view)>& write) {
    std::string out;
    interfaces(out, r);
    groups(out, r);
    uplinks(out, r);
    if (peers.empty()) {
        out += "\npeers: none\n";
    } else {
        write(out);
        out.clear();
        write(peers.lines());
        write(peers.quotas());
    }
    kernel_counters(out, r);
    apply_state(out, r);
    cluster(out, r);
    for (const auto& n : r.notes) out += "note: " + n + "\n";
    drift(out, r);
    write(out);
}

std::string status_text(const gateway::StatusReport& r) {
    StatusPeerText peers;
    for (const auto& p : r.peers) peers.add(p);
    std::string out;
    write_status_text(r, peers, [&](std::string_view part) { out += part; });
    return out;
}

}  // namespace vpngw::cli
