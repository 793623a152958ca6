#include "gateway/cluster_status.hpp"

#include <algorithm>
#include <charconv>

#include "fleet/etcd_follow.hpp"
#include "fleet/etcd_http.hpp"
#include "fleet/etcd_members.hpp"
#include "store/atomic_file.hpp"

namespace vpngw::gateway {

// The file keepalived's notify script writes (format: docs/fleet.md, "VRRP
// state file"): a version line, then STATE<TAB>UNIX-SECONDS<TAB>INSTANCE.
Result<std::optional<VrrpState>> read_vrrp_state(const store::StatePaths& paths) {
    const auto file = paths.vrrp_state_file();
    auto text = store::read_file_if_exists(file, store::Links::refuse);
    if (!text) return text.error();
    if (!*text) return std::optional<VrrpState>{};
    std::string_view t = **text;
    constexpr std::string_view kHeader = "# vpngw vrrp v1\n";
    if (!t.starts_with(kHeader)) return Error{"expected \"# vpngw vrrp v1\" first", {file, 1, 1}};
    t.remove_prefix(kHeader.size());
    if (!t.empty() && t.back() == '\n') t.remove_suffix(1);
    const auto tab = t.find('\t');
    VrrpState v;
    v.state = std::string(t.substr(0, tab));
    static constexpr std::string_view kStates[] = {"MASTER", "BACKUP", "FAULT", "STOP", "UNKNOWN"};
    if (std::find(std::begin(kStates), std::end(kStates), v.state) == std::end(kStates))
        return Error{"expected MASTER, BACKUP, FAULT, STOP or UNKNOWN first", {file, 2, 1}};
    if (tab == std::string_view::npos)
        return Error{"expected the time of the change after the state", {file, 2, 1}};
    auto rest = t.substr(tab + 1);
    rest = rest.substr(0, rest.find('\t'));
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v.since);
    if (ec != std::errc{} || end != rest.data() + rest.size())
        return Error{"expected unix seconds after the state", {file, 2, static_cast<int>(tab) + 2}};
    return std::optional<VrrpState>{v};
}

ClusterStatus gather_cluster_status(const Session& session) {
    ClusterStatus out;
    const auto& cluster = *session.profile.cluster;
    out.node = cluster.node;
    // Short: status runs as keepalived's health check.
    fleet::HttpTimeouts quick;
    quick.connect = std::chrono::milliseconds(500);
    quick.read = std::chrono::milliseconds(2000);
    fleet::EtcdKv kv(fleet::http_transport(cluster.etcd, quick), true);
    if (auto members = fleet::list_members(kv.transport()); members) {
        for (const auto& m : *members) {
            std::string line = m.name.empty() ? "(not started)" : m.name;
            for (const auto& u : m.client_urls) line += " " + u;
            out.etcd_members.push_back(std::move(line));
        }
        out.members = std::move(*members);
    } else {
        out.etcd_error = members.error().message;
    }
    if (auto rev = fleet::current_revision(kv, cluster.etcd.prefix); rev)
        out.etcd_revision = *rev;
    else if (out.etcd_error.empty())
        out.etcd_error = rev.error().message;
    if (auto applied = read_cluster_applied(session.paths); applied)
        out.applied = *applied;
    else
        out.applied_error = applied.error().str();
    if (auto vrrp = read_vrrp_state(session.paths); vrrp && *vrrp) {
        out.vrrp_state = (*vrrp)->state;
        out.vrrp_since = (*vrrp)->since;
    } else if (!vrrp) {
        out.vrrp_error = vrrp.error().str();
        out.vrrp_state = "unknown (" + out.vrrp_error + ")";
    }
    return out;
}

}  // namespace vpngw::gateway
