#include <sys/stat.h>

#include <algorithm>
#include <optional>

#include "gateway/cluster_psk.hpp"
#include "gateway/peers.hpp"
#include "keys/keys.hpp"
#include "registry/peer_text.hpp"
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

PeerListEntry entry_of(const registry::PeerRecord& r, std::string interface,
                       std::chrono::sys_seconds now) {
    PeerListEntry e;
    e.name = r.name;
    e.group = r.group;
    e.interface = std::move(interface);
    e.public_key = r.public_key;
    e.address = r.address;
    e.address6 = r.address6;
    e.source = PeerListEntry::Source::state;
    e.expired = r.expires && *r.expires <= now;
    // disabled by a person, not merely expired: as a merged peer shows it
    e.disabled = r.disabled && !e.expired;
    e.expires = r.expires;
    e.quota = registry::quota_of(r);
    e.rate_bits = r.rate_bits;
    e.networks = r.networks;
    return e;
}

namespace {

// A profile peer (or, in a merged session, a registry one) with the
// addresses the plan gives it.
PeerListEntry entry_of(const Session& session, const model::Peer& p,
                       const plan::PeerAddresses* addresses, std::chrono::sys_seconds now) {
    PeerListEntry e;
    e.name = p.name;
    e.group = p.group;
    e.public_key = p.public_key;
    if (addresses) {
        e.address = addresses->v4;
        e.address6 = addresses->v6;
    }
    e.source =
        from_registry(session, p) ? PeerListEntry::Source::state : PeerListEntry::Source::profile;
    e.expired = p.expires && *p.expires <= now;
    e.disabled = p.disabled && !e.expired;  // merged peers carry both as disabled
    e.expires = p.expires;
    e.quota = p.quota;
    e.rate_bits = p.rate_bits;
    e.networks = p.networks;
    if (const auto* g = session.profile.find_group(p.group)) e.interface = g->interface;
    return e;
}

// Each device's peers with an index sorted by the keys' first eight bytes:
// one binary search per listed peer over 16-byte slots (a few hundred KiB
// at 50,000 peers, where the peers themselves are megabytes), and no tree
// node per peer.
class DeviceFigures {
  public:
    void add(const std::string& ifname, std::vector<wg::ObservedPeer> peers) {
        Device d{ifname, std::move(peers), {}};
        d.slots.reserve(d.peers.size());
        for (std::size_t i = 0; i < d.peers.size(); ++i) {
            std::vector<Prefix>().swap(d.peers[i].allowed_ips);  // not listed
            d.slots.push_back({d.peers[i].public_key.prefix(), static_cast<std::uint32_t>(i)});
        }
        std::sort(d.slots.begin(), d.slots.end(),
                  [](const Slot& a, const Slot& b) { return a.prefix < b.prefix; });
        devices_.push_back(std::move(d));
    }
    std::optional<PeerStats> of(const std::string& ifname, const PublicKey& key) const {
        const std::uint64_t prefix = key.prefix();
        for (const auto& d : devices_) {
            if (d.ifname != ifname) continue;
            auto s = std::lower_bound(d.slots.begin(), d.slots.end(), prefix,
                                      [](const Slot& o, std::uint64_t p) { return o.prefix < p; });
            for (; s != d.slots.end() && s->prefix == prefix; ++s) {
                const auto& p = d.peers[s->index];
                if (p.public_key == key)
                    return PeerStats{p.last_handshake_sec, p.rx_bytes, p.tx_bytes, p.endpoint};
            }
            return std::nullopt;
        }
        return std::nullopt;
    }

  private:
    struct Slot {
        std::uint64_t prefix;
        std::uint32_t index;
    };
    struct Device {
        std::string ifname;
        std::vector<wg::ObservedPeer> peers;
        std::vector<Slot> slots;
    };
    std::vector<Device> devices_;  // a few interfaces: searched in order
};

// Whether a profile peer's addresses are left to the plan, which must then
// know every address the registry's peers hold.
bool allocates(const model::Peer& p) {
    return (!p.address && !p.no_address) || (!p.address6 && !p.no_address6);
}

// Registry peers that no longer fit the profile are listed all the same
// (`vpngw up` refuses them): the first one's reason and a count become a note.
struct Misfits {
    std::optional<std::string> first;
    std::size_t count = 0;
    void add(const Error& e) {
        if (!first) first = e.message;
        ++count;
    }
    void note(std::vector<std::string>& notes) const {
        if (!first) return;
        notes.push_back(*first +
                        (count > 1 ? "; " + std::to_string(count - 1) +
                                         " more registry peer(s) do not fit the profile"
                                   : std::string()) +
                        ": `vpngw up` refuses them until fixed");
    }
};

}  // namespace

Result<PeerListing> list_peers(const Session& session, LiveGateway& live, const PeerFilter& filter,
                               const PeerVisitor& each) {
    PeerListing listing;
    const model::Profile& profile = session.profile;
    const auto now = now_utc();
    auto wanted = [&](const std::string& name, const std::string& group, bool disabled,
                      const std::optional<std::chrono::sys_seconds>& expires) {
        if (filter.name && name != *filter.name) return false;
        if (filter.group && group != *filter.group) return false;
        const bool expired = expires && *expires <= now;
        if (filter.expired_only && !expired) return false;
        if (filter.disabled_only && !(disabled && !expired)) return false;
        return true;
    };
    const bool stream_registry = session.stored == StoredPeers::none;

    DeviceFigures figures;
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
        figures.add(iface.name, std::move(device->peers));
    }

    // The profile's own peers (and the registry's when the session merged
    // them), with the addresses the plan allocates: those depend on every
    // fixed address, the registry's included.
    plan::ReservedAddresses reserved;
    if (stream_registry && std::any_of(profile.peers.begin(), profile.peers.end(),
                                       [](const model::Peer& p) { return allocates(p); })) {
        auto st = each_stored_peer(session, [&](const registry::PeerRecord& r) {
            auto& held = reserved[r.group];
            for (const auto& a : {r.address, r.address6})
                if (a) held.push_back(*a);
            return ok_status();
        });
        if (!st) return st.error();
    }
    {
        auto assignment = plan::assign_addresses(profile, reserved);
        plan::ReservedAddresses().swap(reserved);
        if (assignment.error) listing.notes.push_back(assignment.error->str());
        for (std::size_t i = 0; i < profile.peers.size(); ++i) {
            const auto& p = profile.peers[i];
            // A copy a change made in this session (update_session_peer): the
            // registry's own record comes below.
            if (stream_registry && from_registry(session, p)) continue;
            if (!wanted(p.name, p.group, p.disabled, p.expires)) continue;
            auto e = entry_of(session, p,
                              i < assignment.peers.size() ? &assignment.peers[i] : nullptr, now);
            e.stats = figures.of(e.interface, p.public_key);
            each(std::move(e));
        }
    }
    if (!stream_registry) return listing;

    // The registry's, one at a time: nothing per peer outlives its visit.
    std::optional<StoredPeerCheck> fits;  // indexes the profile's peers: built when needed
    Misfits misfits;
    auto visit = [&](const registry::PeerRecord& r) {
        if (!fits) fits.emplace(profile, session.paths);
        if (auto st = (*fits)(r); !st) misfits.add(st.error());
        if (!wanted(r.name, r.group, r.disabled, r.expires)) return ok_status();
        const auto* g = profile.find_group(r.group);
        auto e = entry_of(r, g ? g->interface : std::string(), now);
        e.stats = figures.of(e.interface, r.public_key);
        each(std::move(e));
        return ok_status();
    };
    Status st = ok_status();
    if (filter.name) {
        // One peer (`peer show`): asked by name, not found by a walk.
        auto one = session.registry ? session.registry->find(*filter.name)
                                    : registry::read_stored_peer(session.paths.dir, *filter.name);
        if (!one) return one.error();
        if (*one && (!profile.cluster || served_by(**one, profile.cluster->node)))
            st = visit(**one);
    } else {
        st = each_stored_peer(session, visit);
    }
    if (!st) return st.error();
    misfits.note(listing.notes);
    return listing;
}

Result<PeerListing> list_peers(const Session& session, LiveGateway& live,
                               const PeerFilter& filter) {
    std::vector<PeerListEntry> peers;
    auto listing = list_peers(session, live, filter,
                              [&](PeerListEntry&& e) { peers.push_back(std::move(e)); });
    if (listing) listing->peers = std::move(peers);
    return listing;
}

Result<std::vector<registry::AuditEntry>> peer_log(const Session& session,
                                                   const registry::AuditFilter& filter) {
    if (session.registry) return session.registry->audit(filter);
    return registry::read_audit(session.paths.dir, filter);
}

Result<PeerExport> export_peers(const Session& session) {
    // On a fleet member export writes psk/NAME.psk files: it holds the state
    // lock from reading the records to the last write, so a concurrent remove
    // or rotate cannot be undone by a key read before it.
    std::optional<store::StateLock> lock;
    if (session.profile.cluster && !session.lock) {
        auto held = store::StateLock::acquire(session.paths.dir, std::chrono::seconds(30));
        if (!held) return held.error();
        lock = std::move(*held);
    }
    auto peers = session.registry ? session.registry->list()
                                  : registry::read_stored_peers(session.paths.dir);
    if (!peers) return peers.error();
    PeerExport out;
    out.notes = keep_exported_psks(session, *peers);
    out.peers = std::move(*peers);
    return out;
}

Result<SecretText> stored_client_config(const Session& session, const std::string& name) {
    bool stored = false;
    for (const auto& p : session.profile.peers) {
        if (p.name != name) continue;
        if (!from_registry(session, p))
            return Error{"peer \"" + name +
                             "\" is declared in the profile: its private key and config are "
                             "the client's own, vpngw keeps none",
                         p.origin.table};
        stored = true;
    }
    if (session.stored == StoredPeers::none) {
        auto one = session.registry ? session.registry->find(name)
                                    : registry::read_stored_peer(session.paths.dir, name);
        if (!one) return one.error();
        const auto* cluster = session.profile.cluster ? &*session.profile.cluster : nullptr;
        stored = *one && (!cluster || served_by(**one, cluster->node));
    }
    if (!stored) return Error{"no peer named \"" + name + "\""};
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
