#include "gateway/peers_support.hpp"

#include <algorithm>

#include "clientconf/client_config.hpp"
#include "gateway/cluster_psk.hpp"
#include "gateway/peers_apply.hpp"
#include "store/atomic_file.hpp"
#include "store/peer_files.hpp"
#include "txn/pending.hpp"

namespace vpngw::gateway::detail {
namespace {

// What the kernel holds of a peer besides its lifecycle flags.
bool same_kernel_identity(const registry::PeerRecord& a, const registry::PeerRecord& b) {
    return a.public_key == b.public_key && a.group == b.group && a.address == b.address &&
           a.address6 == b.address6 && a.networks == b.networks && a.rate_bits == b.rate_bits &&
           a.quota_bytes == b.quota_bytes && a.quota_period == b.quota_period &&
           a.has_psk == b.has_psk;
}

}  // namespace

Status check_writable(const Session& session, const char* command) {
    if (!session.lock || !session.registry)
        return Error{std::string("internal error: ") + command + " without the state lock"};
    return txn::refuse_while_pending(session.paths.dir);
}

Result<const model::Interface*> interface_of(const model::Profile& profile,
                                             const std::string& group_name) {
    const model::Group* group = profile.find_group(group_name);
    if (!group) return Error{"group \"" + group_name + "\" is gone from the profile"};
    const model::Interface* iface = profile.find_interface(group->interface);
    if (!iface) return Error{"group \"" + group_name + "\" names no interface of the profile"};
    return iface;
}

std::optional<Error> declared_in_profile(const Session& session, const std::string& name,
                                         const char* what_to_do) {
    if (session.declared) {
        auto found = session.declared->by_name(name);
        if (!found) return found.error();
        if (*found)
            return Error{"peer \"" + name + "\" is declared in the profile: " + what_to_do,
                         (*found)->table};
    }
    for (const auto& p : session.profile.peers)
        if (p.name == name && !from_registry(session, p))
            return Error{"peer \"" + name + "\" is declared in the profile: " + what_to_do,
                         p.origin.table};
    return std::nullopt;
}

// A fixed address given with --address: inside the group's subnet, not an
// interface's or a profile peer's (the registry's own are UNIQUE there).
Result<registry::Addresses> fixed_addresses(const model::Profile& profile,
                                            const model::Group& group,
                                            const std::vector<IpAddress>& given,
                                            const profile::DeclaredPeers* declared) {
    registry::Addresses out;
    for (const auto& a : given) {
        auto& slot = a.is_v4() ? out.v4 : out.v6;
        const auto& subnet = a.is_v4() ? group.subnet : group.subnet6;
        if (slot) return Error{"--address: give at most one IPv4 and one IPv6 address"};
        if (!subnet || !subnet->contains(a) || a == subnet->network().addr)
            return Error{"--address " + a.str() + " is not a host address of group \"" +
                             group.name + "\"'s " + (a.is_v4() ? "subnet" : "subnet6") +
                             (subnet ? " " + subnet->str() : std::string(" (it has none)")),
                         group.origin.table};
        for (const auto& i : profile.interfaces)
            for (const auto& ia : i.addresses)
                if (ia.addr == a)
                    return Error{"--address " + a.str() + " is interface " + i.name + "'s address"};
        if (declared) {
            auto owner = declared->by_address(a);
            if (!owner) return owner.error();
            if (*owner)
                return Error{
                    "--address " + a.str() + " belongs to profile peer \"" + (*owner)->name + "\"",
                    (*owner)->table};
        }
        for (const auto& p : profile.peers)
            if (p.address == a || p.address6 == a)
                return Error{"--address " + a.str() + " belongs to profile peer \"" + p.name + "\"",
                             p.origin.table};
        slot = a;
    }
    return out;
}

Result<SecretText> render_config(const Session& session, const registry::PeerRecord& peer,
                                 const std::optional<SecretKey>& private_key,
                                 const std::optional<SecretKey>& psk) {
    const model::Profile& profile = session.profile;
    const model::Group* group = profile.find_group(peer.group);
    if (!group) return Error{"group \"" + peer.group + "\" is gone from the profile"};
    auto iface = interface_of(profile, peer.group);
    if (!iface) return iface.error();
    if (!profile.gateway.endpoint)
        return Error{
            "[gateway] endpoint is not set in the profile: client configs cannot be "
            "generated without it",
            profile.gateway.origin.table};
    auto server = interface_public_key(profile, **iface);
    if (!server) return server.error();
    clientconf::ClientConfigInput input{peer.name,
                                        private_key,
                                        peer.address,
                                        peer.address6,
                                        *group,
                                        **iface,
                                        *profile.gateway.endpoint,
                                        *server,
                                        psk};
    return clientconf::render_client_config(input, profile);
}

Result<std::optional<SecretKey>> stored_private_key(const Session& session,
                                                    const std::string& name) {
    auto path = session.paths.client_config_file(name);
    if (!path) return path.error();
    auto text = store::read_file_if_exists(*path);
    if (!text) return text.error();
    if (!*text)
        return Error{*path + " is missing: `vpngw peer rotate " + name +
                     "` makes a new key pair and config"};
    std::optional<SecretKey> key;
    constexpr std::string_view kLine = "PrivateKey = ";
    std::string_view rest = **text;
    while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
        if (line.starts_with(kLine)) {
            line.remove_prefix(kLine.size());
            while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
                line.remove_suffix(1);
            key = SecretKey::from_base64(line);
            break;
        }
    }
    wipe(**text);
    return key;
}

Result<std::optional<SecretKey>> stored_psk(const Session& session,
                                            const registry::PeerRecord& peer) {
    return peer_psk(session, peer);
}

Result<LiveOutcome> apply_transition(const Session& session, LiveGateway& live,
                                     const std::optional<registry::PeerRecord>& before,
                                     const std::optional<registry::PeerRecord>& after,
                                     const std::optional<SecretKey>& psk) {
    const auto now = now_utc();
    // An expired peer nobody disabled yet may still be in the kernel (the
    // expiry is what takes it out): taking out what is absent is harmless.
    // A fleet member holds only the peers it serves (docs/fleet.md).
    const auto here = [&](const registry::PeerRecord& r) {
        return !session.profile.cluster || served_by(r, session.profile.cluster->node);
    };
    const bool was_in = before && !before->disabled && here(*before);
    const bool goes_in = after && is_active(*after, now) && here(*after);
    if (!was_in && !goes_in) return LiveOutcome{false, "nothing to change in the kernel"};
    if (was_in && goes_in && same_kernel_identity(*before, *after))
        return LiveOutcome{false, "nothing to change in the kernel"};

    const model::Interface* from = nullptr;
    const model::Interface* to = nullptr;
    if (was_in) {
        auto i = interface_of(session.profile, before->group);
        if (!i) return i.error();
        from = *i;
    }
    if (goes_in) {
        auto i = interface_of(session.profile, after->group);
        if (!i) return i.error();
        to = *i;
    }
    const model::Interface* shown = to ? to : from;
    if (!live.interface_up(*shown))
        return LiveOutcome{false,
                           "not applied: " + shown->name + " is not up; `vpngw up` will apply it"};

    std::string note;
    if (was_in) {
        const model::Peer old = to_model_peer(*before, session.paths, now);
        if (goes_in && from == to && before->public_key == after->public_key) {
            // Same WireGuard peer: take its elements out; the set below
            // replaces its allowed IPs and keeps its session.
            auto changes = peer_elements(old, nft::ElementChange::Op::remove);
            for (const auto& c : changes) (void)live.change_elements({c});
            // Its old quota, rate and networks too; the add below sets the new.
            if (auto st = remove_peer_limits(live, *from, old); !st) return st.error();
        } else {
            auto removed = apply_removed_peer(live, *from, old);
            if (!removed) return removed.error();
            note = removed->note;
        }
    }
    if (goes_in) {
        auto added = apply_added_peer(live, *to, to_model_peer(*after, session.paths, now), psk);
        if (!added) return added.error();
        note += (note.empty() ? "" : "; ") + added->note;
    }
    return LiveOutcome{true, note};
}

void update_session_peer(Session& session, const std::string& old_name,
                         const std::optional<registry::PeerRecord>& now) {
    auto& peers = session.profile.peers;
    auto it = std::find_if(peers.begin(), peers.end(), [&](const model::Peer& p) {
        return p.name == old_name && from_registry(session, p);
    });
    if (!now) {
        if (it != peers.end()) peers.erase(it);
        return;
    }
    model::Peer merged = to_model_peer(*now, session.paths, now_utc());
    if (it != peers.end())
        *it = std::move(merged);
    else
        peers.push_back(std::move(merged));
}

}  // namespace vpngw::gateway::detail
