#include "gateway/peer_names.hpp"

#include "dns/runtime.hpp"

namespace vpngw::gateway {

Result<std::vector<plan::PeerAddresses>> peer_name_addresses(const Session& session) {
    return plan::assign_peer_addresses(session.profile);
}

std::string refresh_peer_names(const Session& session) {
    if (!session.profile.dns) return "";
    // The session that changed the peer may hold only the profile's peers:
    // read them all, without a second lock (the caller holds it).
    Diagnostics diags;
    auto all = open_session(session.options, LockMode::none, diags, StoredPeers::merged);
    if (!all) return "names: not updated: " + all.error().str();
    auto addresses = peer_name_addresses(*all);
    if (!addresses) return "names: not updated: " + addresses.error().str();
    auto hosts = dns::write_hosts(all->profile, *addresses);
    if (!hosts) return "names: not updated: " + hosts.error().str();
    auto reloaded = dns::reload(dns::runtime_paths(all->profile));
    std::string note =
        "names: " + std::to_string(hosts->names) + " peer(s) in " + all->profile.dns->zone + "; ";
    if (!reloaded) return note + "dnsmasq not reloaded: " + reloaded.error().str();
    return note + (*reloaded == dns::Reloaded::yes
                       ? "dnsmasq reloaded"
                       : "no resolver running (vpngw-dns@ reads them when it starts)");
}

namespace {

std::string reload_note(const model::Profile& profile, std::string note) {
    auto reloaded = dns::reload(dns::runtime_paths(profile));
    if (!reloaded) return note + "; dnsmasq not reloaded: " + reloaded.error().str();
    return note + (*reloaded == dns::Reloaded::yes
                       ? "; dnsmasq reloaded"
                       : "; no resolver running (vpngw-dns@ reads them when it starts)");
}

plan::PeerAddresses addresses_of(const registry::PeerRecord& r) {
    plan::PeerAddresses a;
    a.v4 = r.address;
    a.v6 = r.address6;
    return a;
}

}  // namespace

std::string update_peer_name(const Session& session,
                             const std::optional<registry::PeerRecord>& before,
                             const std::optional<registry::PeerRecord>& after) {
    if (!session.profile.dns) return "";
    const std::string& zone = session.profile.dns->zone;
    const std::string old_lines =
        before ? dns::host_lines(zone, before->name, addresses_of(*before)) : "";
    const std::string new_lines =
        after ? dns::host_lines(zone, after->name, addresses_of(*after)) : "";
    if (old_lines == new_lines) return "";
    dns::HostsEdit edit;
    if (!old_lines.empty()) edit.remove = before->name;
    edit.add = new_lines;
    auto edited = dns::edit_hosts(dns::runtime_paths(session.profile).hosts, zone, edit);
    if (!edited) return "names: not updated: " + edited.error().str();
    if (!*edited) return refresh_peer_names(session);  // no hosts file yet: write it whole
    std::string note = "names: ";
    if (!edit.remove.empty())
        note += before->name + "." + zone + (new_lines.empty() ? " removed" : " changed");
    if (!new_lines.empty() && edit.remove.empty()) note += after->name + "." + zone + " added";
    if (!new_lines.empty() && !edit.remove.empty() && after->name != before->name)
        note += " to " + after->name + "." + zone;
    return reload_note(session.profile, note);
}

}  // namespace vpngw::gateway
