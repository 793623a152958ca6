#include "gateway/desired.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <optional>

#include "keys/keys.hpp"
#include "nft/counters.hpp"
#include "plan/desired.hpp"
#include "plan/nft_parts.hpp"
#include "plan/nft_ruleset.hpp"
#include "plan/ruleset_hash.hpp"
#include "store/atomic_file.hpp"
#include "store/state_paths.hpp"
#include "util/sorted_by_key.hpp"
#include "wg/key_file.hpp"

namespace vpngw::gateway {

namespace {

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

std::string directory_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

Result<PublicKey> key_of(const std::string& path, KeyPolicy policy, const Location& where) {
    if (!file_exists(path)) {
        if (policy == KeyPolicy::read_only) return PublicKey{};
        auto st = store::ensure_private_dir(directory_of(path));
        if (!st) return Error{st.error().message, where};
        auto pair = keys::generate_key_pair();
        if (!pair) return Error{pair.error().message, where};
        std::string text = pair->private_key.base64() + "\n";
        auto written = store::atomic_write_file(path, text, 0600);
        wipe(text);
        if (!written) return Error{written.error().message, where};
        return pair->public_key;
    }
    auto secret = wg::read_key_file(path);
    if (!secret) return Error{secret.error().message, where};
    return keys::public_from_private(*secret);
}

}  // namespace

std::string private_key_path(const model::Profile& profile, const state::WgDevice& device) {
    if (!device.private_key_file.empty()) return device.private_key_file;
    return store::StatePaths{profile.gateway.state_dir}.key_file(device.ifname);
}

Result<ops::Desired> resolve_desired(const model::Profile& profile, KeyPolicy keys,
                                     RulesetText text) {
    ops::Desired d;
    d.state = text == RulesetText::now ? plan::desired_state(profile)
                                       : plan::desired_state_without_ruleset(profile);
    for (auto& device : d.state.wireguard) {
        device.private_key_file = private_key_path(profile, device);
        auto key = key_of(device.private_key_file, keys, device.origin);
        if (!key) return key.error();
        d.wg_public_keys[device.ifname] = *key;
    }
    d.nft_hash = plan::ruleset_hash(profile, d.state.peer_limits);
    if (text == RulesetText::now)
        d.state.nft_ruleset = plan::with_comment(std::move(d.state.nft_ruleset), d.nft_hash);

    // Every device peer is a profile peer (desired_wireguard builds them
    // from profile.peers); its allowed IPs are its addresses and the
    // networks routed behind it, which get no element. Only when some peer
    // has networks are the peers looked up by key (keys are unique: the
    // loader and merge_stored_peers refuse repeats): sorting 1,000,000 peers
    // for that cost more than the rest of this function.
    const bool networks = std::any_of(profile.peers.begin(), profile.peers.end(),
                                      [](const model::Peer& p) { return !p.networks.empty(); });
    std::optional<SortedByKey<model::Peer>> by_key;
    if (networks) by_key.emplace(profile.peers);
    static const std::vector<Prefix> no_networks;
    std::size_t elements = 0;
    for (const auto& device : d.state.wireguard)
        for (const auto& peer : device.peers) elements += peer.allowed_ips.size();
    d.nft_elements.reserve(elements);
    for (const auto& device : d.state.wireguard) {
        for (const auto& peer : device.peers) {
            const std::vector<Prefix>* routed = &no_networks;
            if (by_key) {
                const std::size_t at = by_key->find(peer.public_key);
                if (at == by_key->size()) continue;
                routed = &(*by_key)[at].networks;
            }
            for (const auto& ip : peer.allowed_ips)
                if (std::find(routed->begin(), routed->end(), ip) == routed->end())
                    d.nft_elements.push_back(
                        {plan::nft::peer_set(ip.family()), ip.addr, peer.origin});
        }
    }
    return d;
}

void render_ruleset_if_replaced(const model::Profile& profile, ops::Desired& desired,
                                const ops::Observed& observed) {
    if (!desired.state.nft_ruleset.empty() || !ops::replaces_table(desired, observed)) return;
    // From the desired elements, not profile.peers: `up` has freed those.
    std::vector<IpAddress> peers;
    peers.reserve(desired.nft_elements.size());
    for (const auto& e : desired.nft_elements) peers.push_back(e.key);
    // Replacing a live table must not restart the peers' quota periods:
    // what each quota used goes into the new one. (A failed read costs the
    // counts, not the apply.)
    std::map<std::string, std::uint64_t> used;
    const bool quotas =
        std::any_of(desired.state.peer_limits.begin(), desired.state.peer_limits.end(),
                    [](const state::PeerLimits& l) { return l.quota.has_value(); });
    if (quotas && observed.nft_hash)
        if (auto listed = nft::list_owned_quotas(); listed && *listed)
            for (const auto& q : **listed) used[q.name] = q.used;
    desired.state.nft_ruleset = plan::with_comment(
        plan::render_nft_ruleset(profile, peers, desired.state.peer_limits, used),
        desired.nft_hash);
}

}  // namespace vpngw::gateway
