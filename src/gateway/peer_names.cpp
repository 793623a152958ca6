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

}  // namespace vpngw::gateway
