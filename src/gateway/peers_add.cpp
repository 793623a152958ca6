#include <algorithm>
#include <chrono>

#include "clientconf/client_config.hpp"
#include "gateway/cluster_psk.hpp"
#include "gateway/peer_names.hpp"
#include "gateway/peers.hpp"
#include "gateway/peers_apply.hpp"
#include "gateway/peers_support.hpp"
#include "keys/keys.hpp"
#include "plan/nft_parts.hpp"
#include "registry/peer_text.hpp"
#include "store/peer_files.hpp"
#include "store/state_paths.hpp"
#include "util/zero_key.hpp"

namespace vpngw::gateway {
namespace {

Error full_subnet(const Prefix& subnet, const model::Group& group, const char* field) {
    plan::AddressPool pool(subnet);
    return Error{"subnet " + pool.subnet().str() + " of group \"" + group.name + "\" is full (" +
                     std::to_string(pool.capacity()) + " host addresses, all in use)",
                 group.origin.at(field)};
}

std::string group_names(const model::Profile& profile) {
    std::string names;
    for (const auto& g : profile.groups) names += (names.empty() ? "" : ", ") + g.name;
    return names.empty() ? "none" : names;
}

// The profile's own peers and groups; stored peers are checked by
// check_stored, which comes first (a merged session lists them here too).
Status check_new_peer(const Session& session, const AddPeerRequest& request) {
    if (!store::is_valid_name(request.name))
        return Error{"invalid peer name \"" + request.name +
                     "\": 1 to 15 characters of A-Z a-z 0-9 _ . = + -, not starting with - or ."};
    if (auto e = detail::declared_in_profile(session, request.name,
                                             "choose another name for the new peer"))
        return *e;
    if (!session.profile.find_group(request.group))
        return Error{"no group \"" + request.group +
                     "\" in the profile (groups: " + group_names(session.profile) + ")"};
    if (const auto* g = session.profile.find_group(request.group); g->is_network())
        return Error{"\"" + request.group + "\" is a local network ([[network]]), not a " +
                         "WireGuard group: it has no peers",
                     g->origin.table};
    if (!session.profile.gateway.endpoint)
        return Error{
            "[gateway] endpoint is not set in the profile: client configs cannot be "
            "generated without it",
            session.profile.gateway.origin.table};
    return ok_status();
}

Status check_key_unused(const Session& session, const PublicKey& key) {
    if (session.declared) {
        auto owner = session.declared->by_key(key);
        if (!owner) return owner.error();
        if (*owner)
            return Error{"public key " + key.base64() + " already belongs to peer \"" +
                             (*owner)->name + "\"",
                         (*owner)->table};
    }
    for (const auto& p : session.profile.peers)
        if (p.public_key == key)  // the profile's own; the registry's are UNIQUE there
            return Error{
                "public key " + key.base64() + " already belongs to peer \"" + p.name + "\"",
                p.origin.table};
    return ok_status();
}

}  // namespace

Result<plan::PeerAddresses> allocate_new_peer(const model::Profile& profile,
                                              const std::string& group_name,
                                              const plan::ReservedAddresses& reserved,
                                              const plan::ReservedBitmaps& bitmaps) {
    const model::Group* group = profile.find_group(group_name);
    if (!group) return Error{"no group \"" + group_name + "\" in the profile"};
    // The new peer goes last: everyone before it keeps the address the plan
    // gives them, and it takes the lowest one left. Allocation reads only
    // groups, interfaces and each peer's group and addresses, so the copy
    // carries just those: copying every peer whole cost more than allocating.
    model::Profile with_new;
    with_new.groups = profile.groups;
    with_new.interfaces = profile.interfaces;
    with_new.peers.resize(profile.peers.size() + 1);
    for (std::size_t i = 0; i < profile.peers.size(); ++i) {
        const model::Peer& from = profile.peers[i];
        model::Peer& to = with_new.peers[i];
        to.group = from.group;
        to.address = from.address;
        to.address6 = from.address6;
    }
    with_new.peers.back().group = group_name;
    auto assignment = plan::assign_addresses(with_new, reserved, bitmaps);
    const plan::PeerAddresses& mine = assignment.peers.back();
    if (group->subnet && !mine.v4) return full_subnet(*group->subnet, *group, "subnet");
    if (group->subnet6 && !mine.v6) return full_subnet(*group->subnet6, *group, "subnet6");
    return mine;
}

Result<AddPeerReport> add_peer(Session& session, const AddPeerRequest& request, LiveGateway& live) {
    if (auto st = detail::check_writable(session, "peer add"); !st) return st.error();
    AddPeerReport report;
    report.notes = settle_interrupted(session, live);
    if (auto st = check_new_peer(session, request); !st) return st.error();
    const model::Profile& profile = session.profile;
    const model::Group& group = *profile.find_group(request.group);
    const model::Interface* iface = profile.find_interface(group.interface);
    if (!iface) return Error{"group \"" + group.name + "\" names no interface of the profile"};
    if (!request.node.empty() && !profile.cluster)
        return Error{"--node pins a peer to one gateway of a fleet: the profile has no [cluster]"};
    if (auto st = check_interface_room(session, *iface); !st) return st.error();

    std::optional<SecretKey> private_key;
    PublicKey public_key;
    if (request.public_key) {
        if (is_all_zero(*request.public_key))
            return Error{"public key " + request.public_key->base64() +
                         " is the all-zero key, which no peer has"};
        public_key = *request.public_key;
    } else {
        auto pair = keys::generate_key_pair();
        if (!pair) return pair.error();
        private_key = pair->private_key;
        public_key = pair->public_key;
    }
    if (auto st = check_key_unused(session, public_key); !st) return st.error();
    std::optional<SecretKey> psk;
    if (request.preshared_key) {
        auto generated = keys::generate_preshared_key();
        if (!generated) return generated.error();
        psk = *generated;
    }
    std::optional<registry::Addresses> fixed;
    if (!request.addresses.empty()) {
        auto f = detail::fixed_addresses(profile, group, request.addresses, session.declared.get());
        if (!f) return f.error();
        fixed = *f;
    }

    registry::PeerRecord peer;
    peer.name = request.name;
    peer.group = group.name;
    peer.public_key = public_key;
    peer.has_psk = psk.has_value();
    peer.created = now_utc();
    peer.expires = request.expires;
    registry::set_quota(peer, request.quota);
    peer.rate_bits = request.rate_bits;
    peer.networks = request.networks;
    peer.node = request.node;
    // Inside the registry's write transaction: the group's stored addresses
    // are asked about and the new one inserted without another add in between.
    const registry::Allocator allocate =
        [&](registry::GroupAddresses& stored) -> Result<registry::Addresses> {
        auto chosen = allocate_new_peer(profile, group.name, stored, session.declared.get());
        if (!chosen) return chosen.error();
        // A fixed address wins for its family (the registry refuses one
        // already held); a family --address left out is allocated.
        if (fixed && fixed->v4) chosen->v4 = fixed->v4;
        if (fixed && fixed->v6) chosen->v6 = fixed->v6;
        return registry::Addresses{chosen->v4, chosen->v6};
    };
    // A fleet's other members take the PSK from the record, sealed.
    if (psk)
        if (auto st = seal_peer_psk(session, peer, *psk); !st) return st.error();
    // The PSK file first: it names no address, and a crash before the
    // registry has the peer leaves only a file the next add overwrites.
    if (psk)
        if (auto st = store::write_psk(session.paths, peer.name, *psk); !st) return st.error();
    auto added = session.registry->add(peer, &allocate, session.actor("peer add"));
    if (!added) {
        (void)store::remove_peer_files(session.paths, peer.name);
        return added.error();
    }
    peer = std::move(*added);
    // Undoes the registry's add when a later step fails.
    auto undo = [&](const std::string& why) -> Error {
        auto removed = session.registry->remove(peer.name, session.actor("peer add (undone)"));
        (void)store::remove_peer_files(session.paths, peer.name);
        if (removed) (void)session.registry->settle(peer.name);
        return Error{why + (removed ? "; the peer was not added"
                                    : "; removing it from the registry failed too (" +
                                          removed.error().message +
                                          "): the next vpngw command finishes that")};
    };

    auto config = detail::render_config(session, peer, private_key, psk);
    if (!config) return undo(config.error().message);
    if (auto st = store::write_client_config(session.paths, peer.name, *config); !st)
        return undo(st.error().message);

    report.peer = peer;
    report.interface = iface->name;
    report.server_made_key = private_key.has_value();
    report.config_path = *session.paths.client_config_file(peer.name);
    report.client_config = std::move(*config);

    if (session.profile.cluster && !served_by(peer, session.profile.cluster->node)) {
        report.live.note = "not applied here: pinned to gateway " + peer.node;
    } else if (live.interface_up(*iface)) {
        auto applied =
            apply_added_peer(live, *iface, to_model_peer(peer, session.paths, now_utc()), psk);
        if (!applied) return undo(applied.error().message);
        report.live = std::move(*applied);
    } else {
        report.live.note = "not applied: " + iface->name + " is not up; `vpngw up` will apply it";
    }
    if (auto st = session.registry->settle(peer.name); !st)
        report.notes.push_back(st.error().message);
    detail::update_session_peer(session, peer.name, peer);
    if (auto names = update_peer_name(session, std::nullopt, peer); !names.empty())
        report.notes.push_back(names);
    return report;
}

}  // namespace vpngw::gateway
