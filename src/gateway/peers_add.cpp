#include <algorithm>
#include <chrono>

#include "clientconf/client_config.hpp"
#include "gateway/confirm.hpp"
#include "gateway/peers.hpp"
#include "gateway/peers_apply.hpp"
#include "keys/keys.hpp"
#include "plan/nft_parts.hpp"
#include "store/peers_journal.hpp"
#include "store/peers_scan.hpp"
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

// A peer the profile itself declares (not a stored one a merged session lists).
const model::Peer* find_profile_peer(const Session& session, const std::string& name) {
    for (const auto& p : session.profile.peers)
        if (p.name == name && p.origin.table.file != session.paths.peers_file()) return &p;
    return nullptr;
}

// The profile's own peers and groups; stored peers are checked by
// check_stored, which comes first (a merged session lists them here too).
Status check_new_peer(const Session& session, const AddPeerRequest& request) {
    if (!store::is_valid_name(request.name))
        return Error{"invalid peer name \"" + request.name +
                     "\": 1 to 15 characters of A-Z a-z 0-9 _ . = + -, not starting with - or ."};
    if (const auto* p = find_profile_peer(session, request.name))
        return Error{"a peer named \"" + request.name + "\" is already declared in the profile",
                     p->origin.table};
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

Status check_key_unused(const model::Profile& profile, const PublicKey& key) {
    for (const auto& p : profile.peers)
        if (p.public_key == key)
            return Error{"public key " + key.base64() + " already belongs to peer \"" + p.name +
                         "\""};
    return ok_status();
}

// What a new peer must not clash with among the stored peers, from one pass
// over their text: its name, its key, and (to allocate) the addresses its
// group's stored peers hold. Only that group's addresses are parsed.
struct StoredFacts {
    std::optional<std::string> key_owner;
    plan::ReservedAddresses reserved;
};

Result<StoredFacts> check_stored(const store::StoredPeerText& text, const store::StatePaths& paths,
                                 const std::string& name, const std::string& group,
                                 const PublicKey& key) {
    StoredFacts facts;
    std::vector<IpAddress>& mine = facts.reserved[group];
    bool name_taken = false;
    std::optional<Error> bad;
    // The writer's canonical base64: comparing text spares decoding every key.
    const std::string key_text = key.base64();
    auto scanned = text.for_each([&](const store::RawPeer& p) {
        if (p.name == name) name_taken = true;
        if (p.public_key == key_text) facts.key_owner = std::string(p.name);
        if (p.group != group) return;
        for (auto field : {p.address, p.address6}) {
            if (field == "-") continue;
            auto a = IpAddress::parse(field);
            if (a)
                mine.push_back(*a);
            else if (!bad)
                bad = Error{"address: not an IP address: \"" + std::string(field) + "\"",
                            Location{*p.file, p.line_no, 1}};
        }
    });
    if (!scanned) return scanned.error();
    if (bad) return *bad;
    if (name_taken)
        return Error{"a peer named \"" + name + "\" already exists (in " + paths.peers_file() +
                     ")"};
    return facts;
}

// The same facts from the peers index: a few lookups and the group's bitmaps,
// whatever the number of stored peers.
Result<StoredFacts> check_indexed(const store::PeersIndex& index, const store::StatePaths& paths,
                                  const std::string& name, const std::string& group,
                                  const PublicKey& key, plan::ReservedBitmaps& bitmaps) {
    if (index.has_name(name))
        return Error{"a peer named \"" + name + "\" already exists (in " + paths.peers_file() +
                     ")"};
    StoredFacts facts;
    facts.key_owner = index.key_owner(key);
    auto v4 = index.bitmap(group, Family::v4);
    if (!v4) return v4.error();
    auto v6 = index.bitmap(group, Family::v6);
    if (!v6) return v6.error();
    bitmaps[group] = plan::ReservedOffsets{std::move(*v4), std::move(*v6)};
    return facts;
}

// Writes the secret files, then the journal entry: until the state names
// the peer, nothing reads them.
Status record(const store::StatePaths& paths, std::string_view snapshot,
              const store::StoredPeer& peer, const SecretText& config,
              const std::optional<SecretKey>& psk) {
    Status st = ok_status();
    if (psk) st = store::write_psk(paths, peer.name, *psk);
    if (st) st = store::write_client_config(paths, peer.name, config);
    if (st) st = store::append_journal(paths, snapshot, store::journal_add_entry(peer));
    if (!st) (void)store::remove_peer_files(paths, peer.name);
    return st;
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
    if (!session.lock) return Error{"internal error: peer add without the state lock"};
    if (auto st = refuse_while_pending(session.paths.dir); !st) return st.error();
    if (auto st = check_new_peer(session, request); !st) return st.error();
    const model::Profile& profile = session.profile;
    const model::Group& group = *profile.find_group(request.group);
    const model::Interface* iface = profile.find_interface(group.interface);
    if (!iface) return Error{"group \"" + group.name + "\" names no interface of the profile"};

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
    if (auto st = check_key_unused(profile, public_key); !st) return st.error();

    // The index when the state has one (rebuilt when stale); the full scan
    // of the stored peers' text when it cannot be built.
    auto index = store::PeersIndex::open(session.paths, peers_index_layout(profile));
    if (!index) return index.error();
    std::optional<store::StoredPeerText> text;
    plan::ReservedBitmaps bitmaps;
    Result<StoredFacts> facts = StoredFacts{};
    if (*index) {
        facts =
            check_indexed(**index, session.paths, request.name, group.name, public_key, bitmaps);
    } else {
        auto read = store::read_for_change(session.paths);
        if (!read) return read.error();
        text = std::move(*read);
        facts = check_stored(*text, session.paths, request.name, group.name, public_key);
    }
    if (!facts) return facts.error();
    if (facts->key_owner)
        return Error{"public key " + public_key.base64() + " already belongs to peer \"" +
                     *facts->key_owner + "\""};
    const std::string snapshot(*index ? (*index)->snapshot_id() : text->snapshot_id());

    auto addresses = allocate_new_peer(profile, group.name, facts->reserved, bitmaps);
    if (!addresses) return addresses.error();

    const bool up = live.interface_up(*iface);
    // The key file `up` configured the interface with. Reading it back from a
    // running device would fetch every peer too (a 10,000-peer dump per add).
    auto server = interface_public_key(profile, *iface);
    if (!server) return server.error();

    std::optional<SecretKey> psk;
    if (request.preshared_key) {
        auto generated = keys::generate_preshared_key();
        if (!generated) return generated.error();
        psk = *generated;
    }

    clientconf::ClientConfigInput input{request.name,
                                        private_key,
                                        addresses->v4,
                                        addresses->v6,
                                        group,
                                        *iface,
                                        *profile.gateway.endpoint,
                                        *server,
                                        psk};
    auto config = clientconf::render_client_config(input, profile);
    if (!config) return config.error();

    store::StoredPeer peer;
    peer.name = request.name;
    peer.group = group.name;
    peer.public_key = public_key;
    peer.address = addresses->v4;
    peer.address6 = addresses->v6;
    peer.has_psk = psk.has_value();
    peer.created = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());

    if (auto st = record(session.paths, snapshot, peer, *config, psk); !st) return st.error();
    std::string index_note;
    if (*index)
        if (auto st = (*index)->record_added(peer); !st)
            index_note = "; the peers index will be rebuilt: " + st.error().message;

    AddPeerReport report;
    report.peer = peer;
    report.interface = iface->name;
    report.server_made_key = private_key.has_value();
    report.client_config = std::move(*config);
    report.config_path = *session.paths.client_config_file(peer.name);

    if (up) {
        auto applied = apply_added_peer(live, *iface, peer, psk);
        if (!applied) {
            // The kernel refused: forget the peer so state and kernel agree.
            std::string message = applied.error().message;
            // The index names the peer: the next open rebuilds it.
            store::PeersIndex::invalidate(session.paths);
            auto restored = store::append_journal(session.paths, snapshot,
                                                  store::journal_remove_entry(peer.name));
            (void)store::remove_peer_files(session.paths, peer.name);
            message += restored ? "; the peer was not added"
                                : "; recording its removal in " + session.paths.journal_file() +
                                      " failed too: " + restored.error().message;
            return Error{message};
        }
        report.live = std::move(*applied);
    } else {
        report.live.note = "not applied: " + iface->name + " is not up; `vpngw up` will apply it";
    }

    report.live.note += index_note;
    const bool due = *index ? (*index)->wants_compaction() : text->wants_compaction();
    if (auto st = store::compact_when_due(due, session.paths); !st)
        report.live.note += "; " + st.error().message;

    session.stored.peers.push_back(peer);
    model::Peer merged;
    merged.name = peer.name;
    merged.group = peer.group;
    merged.public_key = peer.public_key;
    merged.address = peer.address;
    merged.address6 = peer.address6;
    if (psk) merged.preshared_key_file = *session.paths.psk_file(peer.name);
    merged.origin.table = Location{session.paths.peers_file(), 0, 0};  // as merge_stored_peers
    session.profile.peers.push_back(std::move(merged));
    return report;
}

}  // namespace vpngw::gateway
