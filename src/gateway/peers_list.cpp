#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>

#include "gateway/peers.hpp"
#include "keys/keys.hpp"
#include "registry/sqlite_registry.hpp"
#include "store/atomic_file.hpp"
#include "store/state_paths.hpp"
#include "wg/key_file.hpp"

namespace vpngw::gateway {
namespace {

std::string directory_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

}  // namespace

Result<PublicKey> interface_public_key(const model::Profile& profile,
                                       const model::Interface& iface) {
    const std::string path = iface.private_key_file.empty()
                                 ? store::StatePaths{profile.gateway.state_dir}.key_file(iface.name)
                                 : iface.private_key_file;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        auto secret = wg::read_key_file(path);
        if (!secret) return Error{secret.error().message, iface.origin.at("private_key_file")};
        return keys::public_from_private(*secret);
    }
    // Not up yet: make the key `vpngw up` would make, so configs handed out
    // now stay valid after it.
    if (auto dir = store::ensure_private_dir(directory_of(path)); !dir) return dir.error();
    auto pair = keys::generate_key_pair();
    if (!pair) return pair.error();
    std::string text = pair->private_key.base64() + "\n";
    auto written = store::atomic_write_file(path, text, 0600);
    wipe(text);
    if (!written) return written.error();
    return pair->public_key;
}

PeerListing list_peers(const Session& session, LiveGateway& live, const PeerFilter& filter) {
    PeerListing listing;
    const model::Profile& profile = session.profile;
    auto assignment = plan::assign_addresses(profile);
    if (assignment.error) listing.notes.push_back(assignment.error->str());
    const auto now = now_utc();
    auto wanted = [&](const model::Peer& p) {
        if (filter.name && p.name != *filter.name) return false;
        if (filter.group && p.group != *filter.group) return false;
        const bool expired = p.expires && *p.expires <= now;
        if (filter.expired_only && !expired) return false;
        // disabled by a person, not merely expired (merged peers carry both as disabled)
        if (filter.disabled_only && !(p.disabled && !expired)) return false;
        return true;
    };

    // ifname -> the device's peers sorted by key: one binary search per
    // listed peer, and no tree node per peer (50,000 of them for `status`).
    std::map<std::string, std::vector<wg::ObservedPeer>> observed;
    for (const auto& iface : profile.interfaces) {
        if (!live.interface_up(iface)) {
            listing.notes.push_back(iface.name + " is not up: no handshake or transfer figures");
            continue;
        }
        auto device = live.observe(iface);
        if (!device) {
            listing.notes.push_back("reading " + iface.name + ": " + device.error().message);
            continue;
        }
        listing.devices.push_back({iface.name, device->public_key, device->listen_port});
        auto& peers = observed[iface.name] = std::move(device->peers);
        for (auto& p : peers) std::vector<Prefix>().swap(p.allowed_ips);  // not listed
        std::sort(peers.begin(), peers.end(),
                  [](const wg::ObservedPeer& a, const wg::ObservedPeer& b) {
                      return a.public_key < b.public_key;
                  });
    }
    auto stats_of = [&](const std::string& ifname,
                        const PublicKey& key) -> std::optional<PeerStats> {
        const auto it = observed.find(ifname);
        if (it == observed.end()) return std::nullopt;
        const auto& peers = it->second;
        const auto p = std::lower_bound(
            peers.begin(), peers.end(), key,
            [](const wg::ObservedPeer& o, const PublicKey& k) { return o.public_key < k; });
        if (p == peers.end() || p->public_key != key) return std::nullopt;
        return PeerStats{p->last_handshake_sec, p->rx_bytes, p->tx_bytes, p->endpoint};
    };

    for (std::size_t i = 0; i < profile.peers.size(); ++i) {
        const auto& p = profile.peers[i];
        if (!wanted(p)) continue;
        PeerListEntry e;
        e.name = p.name;
        e.group = p.group;
        e.public_key = p.public_key;
        if (i < assignment.peers.size()) {
            e.address = assignment.peers[i].v4;
            e.address6 = assignment.peers[i].v6;
        }
        e.source = from_registry(session, p) ? PeerListEntry::Source::state
                                             : PeerListEntry::Source::profile;
        e.expired = p.expires && *p.expires <= now;
        e.disabled = p.disabled && !e.expired;
        e.expires = p.expires;
        e.quota = p.quota;
        e.rate_bits = p.rate_bits;
        e.networks = p.networks;
        if (const auto* g = profile.find_group(p.group)) e.interface = g->interface;
        e.stats = stats_of(e.interface, p.public_key);
        listing.peers.push_back(std::move(e));
    }
    return listing;
}

Result<std::vector<registry::AuditEntry>> peer_log(const Session& session,
                                                   const registry::AuditFilter& filter) {
    if (session.registry) return session.registry->audit(filter);
    return registry::read_audit(session.paths.dir, filter);
}

Result<std::vector<registry::PeerRecord>> export_peers(const Session& session) {
    if (session.registry) return session.registry->list();
    return registry::read_stored_peers(session.paths.dir);
}

Result<SecretText> stored_client_config(const Session& session, const std::string& name) {
    const model::Peer* peer = nullptr;
    for (const auto& p : session.profile.peers)
        if (p.name == name) peer = &p;
    if (!peer || !from_registry(session, *peer)) {
        for (const auto& p : session.profile.peers)
            if (p.name == name)
                return Error{"peer \"" + name +
                                 "\" is declared in the profile: its private key and config are "
                                 "the client's own, vpngw keeps none",
                             p.origin.table};
        return Error{"no peer named \"" + name + "\""};
    }
    auto path = session.paths.client_config_file(name);
    if (!path) return path.error();
    auto text = store::read_file_if_exists(*path);
    if (!text) return text.error();
    if (!*text)
        return Error{*path + " is missing: `vpngw peer remove " + name +
                     "` and add the peer again"};
    SecretText config;
    config.append(**text);
    wipe(**text);
    return config;
}

}  // namespace vpngw::gateway
