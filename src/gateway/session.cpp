#include "gateway/session.hpp"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fleet/etcd_registry.hpp"
#include "gateway/cluster_psk.hpp"
#include "health/state_file.hpp"
#include "plan/peer_limits.hpp"
#include "profile/cache.hpp"
#include "registry/peer_text.hpp"
#include "registry/sqlite_registry.hpp"
#include "store/atomic_file.hpp"
#include "store/state_dir_check.hpp"

namespace vpngw::gateway {

std::chrono::sys_seconds now_utc() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

bool is_active(const registry::PeerRecord& r, std::chrono::sys_seconds now) {
    return !r.disabled && !(r.expires && *r.expires <= now);
}

model::Peer to_model_peer(const registry::PeerRecord& r, const store::StatePaths& paths,
                          std::chrono::sys_seconds now) {
    model::Peer peer;
    peer.name = r.name;
    peer.group = r.group;
    peer.public_key = r.public_key;
    peer.address = r.address;
    peer.address6 = r.address6;
    if (r.has_psk)
        if (auto psk = paths.psk_file(r.name)) peer.preshared_key_file = *psk;
    peer.disabled = !is_active(r, now);
    peer.expires = r.expires;
    peer.quota = registry::quota_of(r);
    peer.rate_bits = r.rate_bits;
    peer.networks = r.networks;
    peer.origin.table = Location{paths.registry_file(), 0, 0};
    return peer;
}

bool from_registry(const Session& session, const model::Peer& peer) {
    return peer.origin.table.file == session.paths.registry_file();
}

bool served_by(const registry::PeerRecord& record, const std::string& node) {
    return record.node.empty() || record.node == node;
}

void drop_pinned_elsewhere(std::vector<registry::PeerRecord>& records, const std::string& node) {
    std::erase_if(records, [&](const auto& r) { return !served_by(r, node); });
}

StoredPeerCheck::StoredPeerCheck(const model::Profile& profile, const store::StatePaths& paths)
    : profile_(profile), paths_(paths) {
    // Hashed indexes of the profile's own peers (a few); the registry's own
    // names, keys and addresses are unique by its schema.
    for (std::size_t i = 0; i < profile.peers.size(); ++i) {
        by_name_.emplace(profile.peers[i].name, i);
        by_key_.emplace(profile.peers[i].public_key, i);
    }
}

Status StoredPeerCheck::operator()(const registry::PeerRecord& s) const {
    const Location where{paths_.registry_file(), 0, 0};
    const model::Group* group = profile_.find_group(s.group);
    if (!group)
        return Error{"peer \"" + s.name + "\" belongs to group \"" + s.group +
                         "\", which the profile no longer defines (`vpngw peer edit " + s.name +
                         " --group G` moves it)",
                     where};
    if (s.address && !(group->subnet && group->subnet->contains(*s.address)))
        return Error{"peer \"" + s.name + "\" has address " + s.address->str() +
                         ", outside the subnet of group \"" + s.group + "\"",
                     where};
    if (s.address6 && !(group->subnet6 && group->subnet6->contains(*s.address6)))
        return Error{"peer \"" + s.name + "\" has address " + s.address6->str() +
                         ", outside the subnet6 of group \"" + s.group + "\"",
                     where};
    if (auto it = by_name_.find(s.name); it != by_name_.end())
        return Error{"peer \"" + s.name + "\" is declared in the profile and in " +
                         paths_.registry_file() + " (`vpngw peer remove " + s.name +
                         "` removes the second)",
                     profile_.peers[it->second].origin.table};
    if (auto it = by_key_.find(s.public_key); it != by_key_.end()) {
        const auto& p = profile_.peers[it->second];
        return Error{
            "peer \"" + s.name + "\" has the same public key as profile peer \"" + p.name + "\"",
            p.origin.table};
    }
    return ok_status();
}

Status merge_stored_peers(model::Profile& profile, const std::vector<registry::PeerRecord>& stored,
                          const store::StatePaths& paths) {
    const std::size_t declared = profile.peers.size();
    const auto now = now_utc();
    {
        const StoredPeerCheck fits(profile, paths);
        for (const auto& s : stored)
            if (auto st = fits(s); !st) return st;
    }
    // One spare slot: `peer add` appends its new peer without moving them all.
    profile.peers.reserve(declared + stored.size() + 1);
    for (const auto& s : stored) profile.peers.push_back(to_model_peer(s, paths, now));
    return ok_status();
}

namespace {

// The registry's peers merged into the profile as they are read, with room
// reserved for all first: a list of the records beside the merged peers was
// ~300 bytes a peer at the peak of a 200,000-peer command (issue 19). Checked
// as merge_stored_peers checks them; an error leaves the session unused.
Status merge_each_stored_peer(Session& s) {
    const std::size_t declared = s.profile.peers.size();
    const auto now = now_utc();
    auto& peers = s.profile.peers;
    // Views the declared peers' names: made again whenever the peers move.
    std::optional<StoredPeerCheck> fits;
    auto expect = [&](std::size_t n) {
        peers.reserve(declared + n + 1);  // one spare slot for `peer add`
        fits.emplace(s.profile, s.paths);
    };
    auto take = [&](const registry::PeerRecord& r) -> Status {
        if (!fits || peers.size() == peers.capacity())
            expect(std::max<std::size_t>(peers.size(), 16));
        if (auto st = (*fits)(r); !st) return st;
        peers.push_back(to_model_peer(r, s.paths, now));
        return ok_status();
    };
    if (!s.registry) return registry::each_stored_peer(s.paths.dir, take, expect);
    std::vector<std::string> groups;
    for (const auto& g : s.profile.groups) groups.push_back(g.name);
    // Peers of groups the profile lacks are refused by `fits` anyway.
    if (auto n = s.registry->count(groups)) expect(*n);
    return s.registry->each(take);
}

}  // namespace

Status each_stored_peer(const Session& session, const registry::Registry::Visit& visit) {
    const std::string* node = session.profile.cluster ? &session.profile.cluster->node : nullptr;
    auto served = [&](const registry::PeerRecord& r) {
        return node && !served_by(r, *node) ? ok_status() : visit(r);
    };
    if (session.registry) return session.registry->each(served);
    return registry::each_stored_peer(session.paths.dir, served);
}

namespace {

// BLAKE2b of the profile text as it is now, or "" when it cannot be read
// (the load that follows reports why).
std::string digest_of_profile_text(const std::string& path) {
    auto text = store::read_file_if_exists(path, store::Links::follow);
    if (!text || !*text) return "";
    unsigned char digest[crypto_generichash_BYTES];
    crypto_generichash(digest, sizeof digest,
                       reinterpret_cast<const unsigned char*>((*text)->data()), (*text)->size(),
                       nullptr, 0);
    char hex[sizeof digest * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

}  // namespace

Result<Session> open_session(const Options& options, LockMode lock, Diagnostics& diags,
                             StoredPeers stored_peers, ProfilePeers declared) {
    Session s;
    if (stored_peers == StoredPeers::deferred) {
        // Before the text is loaded: see Session::profile_digest.
        s.opened_at = now_utc();
        s.profile_digest = digest_of_profile_text(options.profile_path);
    }
    profile::IndexedLoad indexed;
    if (declared == ProfilePeers::indexed && stored_peers == StoredPeers::none)
        indexed = profile::load_file_indexed(options.profile_path, options.state_dir);
    else
        indexed.loaded = profile::load_file_cached(options.profile_path, options.state_dir);
    auto& loaded = indexed.loaded;
    for (const auto& d : loaded.diagnostics.all()) {
        if (d.severity == Severity::error)
            diags.error(d.where, d.message);
        else
            diags.warning(d.where, d.message);
    }
    if (!loaded.profile)
        return Error{"the profile has errors; nothing was changed", {options.profile_path}};
    s.options = options;
    s.profile = std::move(*loaded.profile);
    s.declared = std::move(indexed.declared);
    // An inline peer past its `expires` stays out of the kernel, as if disabled.
    plan::disable_expired(s.profile.peers, std::chrono::floor<std::chrono::seconds>(
                                               std::chrono::system_clock::now()));
    if (options.state_dir) s.profile.gateway.state_dir = *options.state_dir;
    s.paths.dir = s.profile.gateway.state_dir;
    // Readers too: a directory others can write to could feed vpngw forged
    // peers or a snapshot to "restore". Errors point at the profile's
    // state_dir unless --state-dir chose the directory.
    const Location state_dir_at =
        options.state_dir ? Location{} : s.profile.gateway.origin.at("state_dir");
    if (auto st = lock == LockMode::exclusive ? store::prepare_state_dir(s.paths.dir)
                                              : store::check_state_dir(s.paths.dir);
        !st)
        return Error{st.error().message, state_dir_at};
    if (lock == LockMode::exclusive) {
        auto held = store::StateLock::acquire(s.paths.dir, std::chrono::seconds(30));
        if (!held) return held.error();
        s.lock.emplace(std::move(*held));
    }
    s.user = registry::current_actor("").user;
    if (s.profile.cluster) {
        // The fleet's registry (docs/fleet.md): readers ask etcd too, since no
        // local file has the peers. Nothing is sent until a call needs it.
        s.registry = fleet::open_etcd_registry(
            s.profile.cluster->etcd,
            lock == LockMode::exclusive ? fleet::Reads::linearizable : fleet::Reads::serializable,
            s.profile.cluster->node);
    } else if (lock == LockMode::exclusive) {
        // Migrates a legacy state directory on the first open.
        auto reg = registry::open_sqlite_registry(s.paths.dir, s.actor("migration"));
        if (!reg) return reg.error();
        s.registry = std::move(*reg);
    }
    s.stored = stored_peers;
    if (stored_peers != StoredPeers::merged) return s;
    if (auto merged = merge_registry_peers(s, diags); !merged) return merged.error();
    return s;
}

Status merge_registry_peers(Session& s, Diagnostics& diags) {
    if (!s.profile.cluster) {
        if (auto merged = merge_each_stored_peer(s); !merged) return merged;
    } else {
        auto stored = s.registry->list();
        if (!stored) return stored.error();
        drop_pinned_elsewhere(*stored, s.profile.cluster->node);
        // `up` (and the follower's reconcile) reads preshared keys from psk/.
        if (s.lock) materialize_sealed_psks(s, *stored, diags);
        auto merged = merge_stored_peers(s.profile, *stored, s.paths);
        if (!merged) return merged;
    }
    s.stored = StoredPeers::merged;
    // What `vpngw monitor` last found: `up` renders the balance maps with
    // the down uplinks left out, so it never undoes a failover.
    if (auto health = health::read_health_file(s.paths.health_file()))
        s.profile.uplinks_down = health::down_uplinks(*health);
    else
        diags.warning(health.error().where, health.error().message + "; all uplinks count as up");
    return ok_status();
}

}  // namespace vpngw::gateway
