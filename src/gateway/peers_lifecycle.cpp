// `vpngw peer disable|enable|edit|rotate`, expiry, and finishing what an
// interrupted command left: each a registry update (with its audit entry and
// unsettled mark) followed by the kernel transition from the old record to
// the new one, undone in the registry when the kernel refuses.
#include <algorithm>
#include <unordered_map>

#include "gateway/cluster_psk.hpp"
#include "gateway/peers.hpp"
#include "gateway/peers_apply.hpp"
#include "gateway/peers_support.hpp"
#include "gateway/userspace_capacity.hpp"
#include "keys/keys.hpp"
#include "registry/peer_text.hpp"
#include "registry/sqlite_registry.hpp"
#include "store/atomic_file.hpp"
#include "store/peer_files.hpp"

namespace vpngw::gateway {
namespace {

using registry::PeerRecord;

bool exists(const Result<std::string>& path) {
    if (!path) return false;
    auto text = store::read_file_if_exists(*path);
    if (!text || !*text) return false;
    wipe(**text);
    return true;
}

// The line of `name = "<name>"` in an export file (1 when not found).
int line_of_name(std::string_view text, const std::string& name) {
    const std::string needle = "name = \"" + name + "\"";
    int line = 1;
    for (std::size_t at = 0; at < text.size();) {
        const std::size_t nl = text.find('\n', at);
        std::string_view l =
            text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
        while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
        if (l.starts_with(needle)) return line;
        if (nl == std::string_view::npos) break;
        at = nl + 1;
        ++line;
    }
    return 1;
}

// A registry update then its kernel half; on a kernel refusal the registry
// gets the old record back. `files` runs between the two (new config or key
// files) and may fail the change the same way.
Result<PeerChangeReport> change_peer(
    Session& session, LiveGateway& live, const std::string& name, const std::string& command,
    const registry::Edit& edit, const registry::Allocator* allocate,
    const std::function<Status(PeerChangeReport&, std::optional<SecretKey>& psk)>& files = {}) {
    if (auto st = detail::check_writable(session, command.c_str()); !st) return st.error();
    PeerChangeReport report;
    report.notes = settle_interrupted(session, live);
    if (auto e = detail::declared_in_profile(session, name, "change it there and run `vpngw up`"))
        return *e;
    // A sealed PSK is bound to the peer's name and key: sealed again when
    // the edit changes either.
    const registry::Edit resealing = [&](PeerRecord& r) -> Status {
        const PeerRecord was = r;
        if (auto st = edit(r); !st) return st;
        return reseal_peer_psk(session, was, r);
    };
    auto changed = session.registry->update(name, resealing, allocate, session.actor(command));
    if (!changed) return changed.error();
    report.before = changed->before;
    report.after = changed->after;
    auto undo = [&](const std::string& why) -> Error {
        const PeerRecord old = report.before;
        auto back = session.registry->update(
            report.after.name,
            [&](PeerRecord& r) {
                r = old;
                return ok_status();
            },
            nullptr, session.actor(command + " (undone)"));
        if (back) (void)session.registry->settle(old.name);
        return Error{why + (back ? "; nothing was changed"
                                 : "; restoring the registry failed too (" + back.error().message +
                                       "): the next vpngw command finishes the change")};
    };
    // The PSK as it was (its file is renamed with the peer); `files` may
    // make a new one.
    auto psk = detail::stored_psk(session, report.before);
    if (!psk) return undo(psk.error().message);
    std::optional<SecretKey> key = *psk;
    if (files)
        if (auto st = files(report, key); !st) return undo(st.error().message);
    auto applied = detail::apply_transition(session, live, report.before, report.after, key);
    if (!applied) {
        // Put the kernel back as well: the old record, as it was.
        auto old_psk = detail::stored_psk(session, report.before);
        (void)detail::apply_transition(session, live, report.after, report.before,
                                       old_psk ? *old_psk : std::nullopt);
        return undo(applied.error().message);
    }
    report.live = std::move(*applied);
    if (auto st = session.registry->settle(report.after.name); !st)
        report.notes.push_back(st.error().message);
    if (report.before.name != report.after.name) (void)session.registry->settle(report.before.name);
    detail::update_session_peer(session, report.before.name, report.after);
    return report;
}

// The allocator of a move to `group` (the registry passes that group's
// addresses held by other peers): the profile's allocation, with the fixed
// addresses winning for their families.
registry::Allocator allocator_for(const Session& session, const std::string& group,
                                  const std::optional<registry::Addresses>& fixed) {
    return
        [&session, group, fixed](registry::GroupAddresses& stored) -> Result<registry::Addresses> {
            auto chosen = allocate_new_peer(session.profile, group, stored);
            if (!chosen) return chosen.error();
            if (fixed && fixed->v4) chosen->v4 = fixed->v4;
            if (fixed && fixed->v6) chosen->v6 = fixed->v6;
            return registry::Addresses{chosen->v4, chosen->v6};
        };
}

// Regenerates clients/<name>.conf for the changed record (the private key
// is the stored config's, when vpngw made it).
Status regenerate_config(const Session& session, PeerChangeReport& report,
                         const std::optional<SecretKey>& private_key,
                         const std::optional<SecretKey>& psk) {
    auto config = detail::render_config(session, report.after, private_key, psk);
    if (!config) return config.error();
    if (auto st = store::write_client_config(session.paths, report.after.name, *config); !st)
        return st;
    report.config_changed = true;
    report.client_config = std::move(*config);
    report.config_path = *session.paths.client_config_file(report.after.name);
    return ok_status();
}

}  // namespace

std::vector<std::string> settle_interrupted(Session& session, LiveGateway& live) {
    std::vector<std::string> notes;
    if (!session.registry) return notes;
    auto pending = session.registry->unsettled();
    if (!pending) {
        notes.push_back("reading unsettled changes: " + pending.error().message);
        return notes;
    }
    for (const auto& u : *pending) {
        auto now = session.registry->find(u.peer);
        if (!now) {
            notes.push_back(now.error().message);
            continue;
        }
        std::optional<PeerRecord> current = *now;
        // An add killed before its client config was written: the client
        // never got a config, so the add is undone rather than finished.
        if (!u.before && current && !exists(session.paths.client_config_file(u.peer))) {
            auto removed = session.registry->remove(u.peer, session.actor("interrupted peer add"));
            if (!removed) {
                notes.push_back(removed.error().message);
                continue;
            }
            (void)store::remove_peer_files(session.paths, u.peer);
            current.reset();
            notes.push_back("an interrupted `vpngw peer add " + u.peer +
                            "` was undone (its client config was never written): add it again");
        }
        auto psk = current ? detail::stored_psk(session, *current)
                           : Result<std::optional<SecretKey>>(std::optional<SecretKey>{});
        auto applied =
            detail::apply_transition(session, live, u.before, current, psk ? *psk : std::nullopt);
        if (!applied) {
            notes.push_back("finishing an interrupted change of peer " + u.peer + ": " +
                            applied.error().message + " (`vpngw up` applies the registry whole)");
            continue;
        }
        if (!u.before && !current) {
            // undone above
        } else if (!current) {
            (void)store::remove_peer_files(session.paths, u.peer);
            notes.push_back("an interrupted removal of peer " + u.peer + " was finished");
        } else {
            notes.push_back("an interrupted change of peer " + u.peer + " was finished (" +
                            applied->note + ")");
        }
        if (auto st = session.registry->settle(u.peer); !st) notes.push_back(st.error().message);
        detail::update_session_peer(session, u.before ? u.before->name : u.peer, current);
    }
    return notes;
}

Result<PeerChangeReport> disable_peer(Session& session, const std::string& name,
                                      LiveGateway& live) {
    return change_peer(
        session, live, name, "peer disable",
        [&](PeerRecord& r) -> Status {
            if (r.disabled)
                return Error{"peer \"" + name + "\" is disabled already (`vpngw peer enable " +
                             name + "` enables it)"};
            r.disabled = true;
            return ok_status();
        },
        nullptr);
}

Result<PeerChangeReport> enable_peer(Session& session, const std::string& name, LiveGateway& live) {
    const auto now = now_utc();
    return change_peer(
        session, live, name, "peer enable",
        [&](PeerRecord& r) -> Status {
            if (r.expires && *r.expires <= now)
                return Error{"peer \"" + name + "\" expired at " + model::format_time(*r.expires) +
                             ": `vpngw peer edit " + name +
                             " --expires 30d` (or --no-expiry) gives it more time"};
            if (!r.disabled) return Error{"peer \"" + name + "\" is enabled already"};
            r.disabled = false;
            return ok_status();
        },
        nullptr);
}

Result<PeerChangeReport> edit_peer(Session& session, const EditPeerRequest& rq, LiveGateway& live) {
    if (rq.rename && !store::is_valid_name(*rq.rename))
        return Error{"invalid peer name \"" + *rq.rename +
                     "\": 1 to 15 characters of A-Z a-z 0-9 _ . = + -, not starting with - or ."};
    if (rq.rename)
        if (auto e = detail::declared_in_profile(session, *rq.rename, "choose another name"))
            return *e;
    std::optional<std::string> target_group = rq.group;
    if (rq.node && !rq.node->empty() && !session.profile.cluster)
        return Error{"--node pins a peer to one gateway of a fleet: the profile has no [cluster]"};
    if (target_group) {
        const model::Group* g = session.profile.find_group(*target_group);
        if (!g || g->is_network())
            return Error{"no WireGuard group \"" + *target_group + "\" in the profile"};
    }
    // Fixed addresses are checked like add's, in the group they end up in
    // (read from the registry: the edit's own transaction re-checks).
    std::optional<registry::Addresses> fixed;
    if (!rq.addresses.empty()) {
        auto current = session.registry ? session.registry->find(rq.name)
                                        : Result<std::optional<PeerRecord>>(Error{"no registry"});
        if (!current) return current.error();
        if (!*current)
            return Error{"no peer named \"" + rq.name + "\" (`vpngw peer list` lists them)"};
        const model::Group* g =
            session.profile.find_group(target_group.value_or((*current)->group));
        if (!g) return Error{"group \"" + (*current)->group + "\" is gone from the profile"};
        auto f = detail::fixed_addresses(session.profile, *g, rq.addresses);
        if (!f) return f.error();
        fixed = *f;
    }
    const bool reallocate = target_group.has_value() || fixed.has_value();
    std::string group_for_alloc;
    registry::Allocator allocate;
    if (reallocate) {
        // The group is known only inside the transaction when not moving.
        auto current = session.registry ? session.registry->find(rq.name)
                                        : Result<std::optional<PeerRecord>>(Error{"no registry"});
        if (!current) return current.error();
        if (!*current)
            return Error{"no peer named \"" + rq.name + "\" (`vpngw peer list` lists them)"};
        group_for_alloc = target_group.value_or((*current)->group);
        allocate = allocator_for(session, group_for_alloc, fixed);
    }
    auto edit = [&](PeerRecord& r) -> Status {
        if (rq.rename) r.name = *rq.rename;
        if (target_group) r.group = *target_group;
        if (rq.expires) r.expires = *rq.expires;
        if (rq.quota) registry::set_quota(r, *rq.quota);
        if (rq.rate_bits) r.rate_bits = *rq.rate_bits;
        if (rq.node) r.node = *rq.node;
        for (const auto& n : rq.remove_networks) {
            auto it = std::find(r.networks.begin(), r.networks.end(), n);
            if (it == r.networks.end())
                return Error{"--no-network " + n.str() + ": peer \"" + rq.name +
                             "\" has no such network"};
            r.networks.erase(it);
        }
        for (const auto& n : rq.add_networks)
            if (std::find(r.networks.begin(), r.networks.end(), n) == r.networks.end())
                r.networks.push_back(n);
        return ok_status();
    };
    auto files = [&](PeerChangeReport& report, std::optional<SecretKey>& psk) -> Status {
        const PeerRecord& b = report.before;
        const PeerRecord& a = report.after;
        if (b.name != a.name)
            if (auto st = store::rename_peer_files(session.paths, b.name, a.name); !st) return st;
        // What the client config holds: addresses, group (DNS, allowed IPs),
        // name (the file), keys.
        if (b.address == a.address && b.address6 == a.address6 && b.group == a.group &&
            b.networks == a.networks)
            return ok_status();
        auto key = detail::stored_private_key(session, a.name);
        if (!key) return key.error();
        return regenerate_config(session, report, *key, psk);
    };
    return change_peer(session, live, rq.name, "peer edit", edit, reallocate ? &allocate : nullptr,
                       files);
}

Result<PeerChangeReport> rotate_peer(Session& session, const std::string& name, bool psk_only,
                                     LiveGateway& live) {
    std::optional<SecretKey> private_key;
    PublicKey public_key;
    if (!psk_only) {
        auto pair = keys::generate_key_pair();
        if (!pair) return pair.error();
        private_key = pair->private_key;
        public_key = pair->public_key;
    }
    std::optional<SecretKey> new_psk;
    if (psk_only) {
        auto generated = keys::generate_preshared_key();
        if (!generated) return generated.error();
        new_psk = *generated;
    }
    for (const auto& p : session.profile.peers)
        if (!psk_only && p.public_key == public_key)
            return Error{"the new key collides with peer \"" + p.name + "\"; run it again"};
    auto edit = [&](PeerRecord& r) -> Status {
        if (!psk_only) r.public_key = public_key;
        if (psk_only) {
            r.has_psk = true;
            // The other members of a fleet take the new PSK from here.
            if (auto st = seal_peer_psk(session, r, *new_psk); !st) return st;
        }
        return ok_status();
    };
    auto files = [&](PeerChangeReport& report, std::optional<SecretKey>& psk) -> Status {
        if (new_psk) {
            if (auto st = store::write_psk(session.paths, name, *new_psk); !st) return st;
            psk = new_psk;
        }
        std::optional<SecretKey> key = private_key;
        if (psk_only) {
            auto stored = detail::stored_private_key(session, name);
            if (!stored) return stored.error();
            key = *stored;
        }
        return regenerate_config(session, report, key, psk);
    };
    auto report =
        change_peer(session, live, name, psk_only ? "peer rotate --psk-only" : "peer rotate", edit,
                    nullptr, files);
    if (report && psk_only) {
        // The WireGuard peer keeps its key: set it again with the new PSK.
        auto iface = detail::interface_of(session.profile, report->after.group);
        if (iface && is_active(report->after, now_utc()) && live.interface_up(**iface)) {
            auto applied = apply_added_peer(
                live, **iface, to_model_peer(report->after, session.paths, now_utc()), new_psk);
            if (!applied) return applied.error();
            report->live = std::move(*applied);
        }
    }
    return report;
}

ExpiryReport enforce_expiry(Session& session, LiveGateway& live) {
    ExpiryReport out;
    if (!session.registry) {
        out.errors.push_back("internal error: expiry without the registry open");
        return out;
    }
    auto peers = session.registry->list();
    if (!peers) {
        out.errors.push_back(peers.error().message);
        return out;
    }
    const auto now = now_utc();
    for (const auto& p : *peers) {
        if (p.disabled || !p.expires || *p.expires > now) continue;
        auto r = change_peer(
            session, live, p.name, "expiry",
            [](PeerRecord& r) {
                r.disabled = true;
                return ok_status();
            },
            nullptr);
        if (r)
            out.disabled.push_back(p.name);
        else
            out.errors.push_back(p.name + ": " + r.error().message);
    }
    return out;
}

// The fleet's registry has no index of expiries: its peers are read whole.
static Result<std::vector<std::string>> due_in_registry(registry::Registry& registry,
                                                        std::chrono::sys_seconds now) {
    auto all = registry.list();
    if (!all) return all.error();
    std::vector<std::string> due;
    for (const auto& p : *all)
        if (!p.disabled && p.expires && *p.expires <= now) due.push_back(p.name);
    return due;
}

ExpiryReport expire_due_peers(const Options& options, LiveGateway& live) {
    ExpiryReport out;
    Diagnostics diags;
    // The state directory without loading the profile twice a minute: the
    // profile names it unless --state-dir does.
    auto probe = open_session(options, LockMode::none, diags, StoredPeers::none);
    if (!probe) {
        out.errors.push_back(probe.error().str());
        return out;
    }
    auto due = probe->registry ? due_in_registry(*probe->registry, now_utc())
                               : registry::read_due_expiries(probe->paths.dir, now_utc());
    if (!due) {
        out.errors.push_back(due.error().str());
        return out;
    }
    if (due->empty()) return out;
    auto session = open_session(options, LockMode::exclusive, diags, StoredPeers::none);
    if (!session) {
        out.errors.push_back(session.error().str());
        return out;
    }
    return enforce_expiry(*session, live);
}

Result<PeerImportReport> import_peers(Session& session, const std::string& file,
                                      LiveGateway& live) {
    if (auto st = detail::check_writable(session, "peer import"); !st) return st.error();
    PeerImportReport report;
    report.notes = settle_interrupted(session, live);
    auto text = store::read_file_if_exists(file, store::Links::follow);
    if (!text) return text.error();
    if (!*text) return Error{"cannot read " + file + ": no such file"};
    auto peers = registry::parse_peers_text(**text, file);
    if (!peers) return peers.error();
    // Each against the profile before anything changes (the registry checks
    // names, keys and addresses against its own in its transaction).
    model::Profile with = session.profile;
    if (auto st = merge_stored_peers(with, *peers, session.paths); !st)
        return Error{st.error().message + " (importing " + file + "; nothing was added)"};
    if (auto a = plan::assign_addresses(with); a.error)
        return Error{a.error->message + " (importing " + file + "; nothing was added)",
                     a.error->where};
    for (const auto& p : *peers)
        if (p.has_psk && !exists(session.paths.psk_file(p.name)))
            return Error{"peer \"" + p.name + "\" has psk = true but " +
                             *session.paths.psk_file(p.name) +
                             " is missing: put the key file back first (nothing was added)",
                         Location{file}};
    // A fleet's members take the key from the record, sealed with the
    // cluster secret (docs/fleet.md "Preshared keys").
    if (auto st = seal_imported_psks(session, *peers); !st)
        return Error{st.error().message + " (importing " + file + "; nothing was added)",
                     st.error().where};
    // Clashes with the registry's own peers, located at the imported one
    // (the registry would refuse them too, without the file's line).
    auto existing = session.registry->list();
    if (!existing) return existing.error();
    std::unordered_map<std::string, const PeerRecord*> names, keys, addresses;
    for (const auto& e : *existing) {
        names.emplace(e.name, &e);
        keys.emplace(e.public_key.base64(), &e);
        for (const auto& a : {e.address, e.address6})
            if (a) addresses.emplace(a->str(), &e);
    }
    for (const auto& p : *peers) {
        std::string clash;
        if (names.contains(p.name))
            clash = "name: a peer named \"" + p.name + "\" exists already";
        else if (auto k = keys.find(p.public_key.base64()); k != keys.end())
            clash =
                "public_key: peer " + p.name + "'s key belongs to peer \"" + k->second->name + "\"";
        for (const auto& a : {p.address, p.address6})
            if (clash.empty() && a)
                if (auto h = addresses.find(a->str()); h != addresses.end())
                    clash = "address: " + a->str() + " of peer " + p.name + " belongs to peer \"" +
                            h->second->name + "\"";
        if (!clash.empty())
            return Error{
                clash + " (nothing was added; `vpngw peer remove` it first, or edit the file)",
                Location{file, line_of_name(**text, p.name), 1}};
    }
    // The profile's own peers, the registry's and the imported ones together.
    GroupPeerCounts counts;
    for (const auto& p : session.profile.peers)
        if (!from_registry(session, p)) ++counts[p.group];
    count_by_group(counts, *existing);
    count_by_group(counts, *peers);
    if (auto st = check_userspace_capacity(session.profile, counts, session.paths.registry_file());
        !st)
        return Error{"importing " + file + ": " + st.error().message, st.error().where};
    if (auto st =
            session.registry->add_all(*peers, "imported " + file, session.actor("peer import"));
        !st)
        return Error{st.error().message + " (importing " + file + "; nothing was added)"};
    report.added = peers->size();
    // Applied like interrupted adds are finished: each peer into the kernel.
    std::size_t applied = 0;
    for (const auto& p : *peers) {
        auto psk = detail::stored_psk(session, p);
        auto live_change =
            detail::apply_transition(session, live, std::nullopt, p, psk ? *psk : std::nullopt);
        if (!live_change)
            report.notes.push_back(p.name + ": " + live_change.error().message);
        else if (live_change->applied)
            ++applied;
        (void)session.registry->settle(p.name);
        detail::update_session_peer(session, p.name, p);
    }
    report.live.applied = applied > 0;
    report.live.note = std::to_string(applied) + " of " + std::to_string(peers->size()) +
                       " peers applied to the running gateway";
    return report;
}

}  // namespace vpngw::gateway
