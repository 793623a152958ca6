#include "gateway/session.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "health/state_file.hpp"
#include "plan/peer_limits.hpp"
#include "profile/loader.hpp"
#include "store/state_dir_check.hpp"
#include "util/repeats.hpp"

namespace vpngw::gateway {

Status merge_stored_peers(model::Profile& profile, const store::PeerState& stored,
                          const store::StatePaths& paths) {
    Location where{paths.peers_file(), 0, 0};
    // Hashed indexes of the profile's own peers (a few) and sorted rows of the
    // stored ones keep this linear: `peer add` runs it over every stored peer,
    // and with 50,000 of them a hash map node per name and key took more time
    // than reading the file.
    const std::size_t declared = profile.peers.size();
    std::unordered_map<std::string_view, std::size_t> by_name;
    std::unordered_map<PublicKey, std::size_t, PublicKeyHash> by_key;
    for (std::size_t i = 0; i < declared; ++i) {
        by_name.emplace(profile.peers[i].name, i);
        by_key.emplace(profile.peers[i].public_key, i);
    }
    // Repeats among the stored peers, without a hash map node per peer.
    const auto& all = stored.peers;
    const auto same_name = earlier_repeats(
        all.size(), [&](std::size_t i) { return std::hash<std::string_view>{}(all[i].name); },
        [&](std::size_t i, std::size_t j) { return all[i].name == all[j].name; });
    const auto same_key = earlier_repeats(
        all.size(), [&](std::size_t i) { return hash_words(all[i].public_key.bytes.data(), 32); },
        [&](std::size_t i, std::size_t j) { return all[i].public_key == all[j].public_key; });
    // One spare slot: `peer add` appends its new peer without moving them all.
    profile.peers.reserve(declared + stored.peers.size() + 1);
    for (std::size_t k = 0; k < stored.peers.size(); ++k) {
        const auto& s = stored.peers[k];
        const model::Group* group = profile.find_group(s.group);
        if (!group)
            return Error{"peer \"" + s.name + "\" belongs to group \"" + s.group +
                             "\", which the profile no longer defines",
                         where};
        if (s.address && !(group->subnet && group->subnet->contains(*s.address)))
            return Error{"peer \"" + s.name + "\" has address " + s.address->str() +
                             ", outside the subnet of group \"" + s.group + "\"",
                         where};
        if (s.address6 && !(group->subnet6 && group->subnet6->contains(*s.address6)))
            return Error{"peer \"" + s.name + "\" has address " + s.address6->str() +
                             ", outside the subnet6 of group \"" + s.group + "\"",
                         where};
        if (auto it = by_name.find(s.name); it != by_name.end())
            return Error{
                "peer \"" + s.name + "\" is declared in the profile and in " + paths.peers_file(),
                profile.peers[it->second].origin.table};
        if (same_name[k] != kNoRepeat)
            return Error{"peer \"" + s.name + "\" appears twice in " + paths.peers_file(), where};
        if (auto it = by_key.find(s.public_key); it != by_key.end()) {
            const auto& p = profile.peers[it->second];
            return Error{"peer \"" + s.name + "\" has the same public key as profile peer \"" +
                             p.name + "\"",
                         p.origin.table};
        }
        if (same_key[k] != kNoRepeat)
            return Error{"peer \"" + s.name + "\" has the same public key as peer \"" +
                             stored.peers[same_key[k]].name + "\" in " + paths.peers_file(),
                         where};
        model::Peer peer;
        peer.name = s.name;
        peer.group = s.group;
        peer.public_key = s.public_key;
        peer.address = s.address;
        peer.address6 = s.address6;
        if (s.has_psk) {
            auto psk = paths.psk_file(s.name);
            if (!psk) return psk.error();
            peer.preshared_key_file = *psk;
        }
        peer.origin.table = where;
        profile.peers.push_back(std::move(peer));
    }
    return ok_status();
}

Result<Session> open_session(const Options& options, LockMode lock, Diagnostics& diags,
                             StoredPeers stored_peers) {
    auto loaded = profile::load_file(options.profile_path);
    for (const auto& d : loaded.diagnostics.all()) {
        if (d.severity == Severity::error)
            diags.error(d.where, d.message);
        else
            diags.warning(d.where, d.message);
    }
    if (!loaded.profile)
        return Error{"the profile has errors; nothing was changed", {options.profile_path}};
    Session s;
    s.options = options;
    s.profile = std::move(*loaded.profile);
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
    if (stored_peers == StoredPeers::none) return s;
    auto stored = store::load_peers(s.paths);
    if (!stored) return stored.error();
    s.stored = std::move(*stored);
    auto merged = merge_stored_peers(s.profile, s.stored, s.paths);
    if (!merged) return merged.error();
    // What `vpngw monitor` last found: `up` renders the balance maps with
    // the down uplinks left out, so it never undoes a failover.
    if (auto health = health::read_health_file(s.paths.health_file()))
        s.profile.uplinks_down = health::down_uplinks(*health);
    else
        diags.warning(health.error().where, health.error().message + "; all uplinks count as up");
    return s;
}

}  // namespace vpngw::gateway
