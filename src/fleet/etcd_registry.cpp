#include "fleet/etcd_registry.hpp"

#include <sodium.h>

#include <random>
#include <thread>

#include "fleet/etcd_http.hpp"
#include "fleet/etcd_layout.hpp"

namespace vpngw::fleet {
namespace {

using registry::Actor;
using registry::Allocator;
using registry::AuditEntry;
using registry::PeerRecord;

// Adds that lose an address race read and choose again; with many gateways
// adding at once each round settles at least one of them.
constexpr int kMaxAttempts = 400;

std::string audit_id() {
    unsigned char bytes[12];
    randombytes_buf(bytes, sizeof bytes);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

std::chrono::sys_seconds now() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

// A short random pause before trying again, growing with the attempts, so
// racing adds spread out instead of colliding in lockstep.
void back_off(int attempt) {
    thread_local std::minstd_rand rng(std::random_device{}());
    const int cap_ms = std::min(2 + attempt * 2, 50);
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % static_cast<unsigned>(cap_ms)));
}

class EtcdRegistry final : public registry::Registry {
  public:
    EtcdRegistry(std::unique_ptr<Transport> transport, std::string prefix, Reads reads,
                 std::string node)
        : kv_(std::move(transport), reads == Reads::serializable),
          layout_{std::move(prefix), std::move(node)} {}

    Result<std::vector<PeerRecord>> list() override {
        return read_all<PeerRecord>(layout_.peers(), decode_peer);
    }

    Result<std::optional<PeerRecord>> find(std::string_view name) override {
        auto kv = kv_.get(layout_.peer(name));
        if (!kv) return kv.error();
        if (!*kv) return std::optional<PeerRecord>{};
        auto p = decode_peer((*kv)->key, (*kv)->value);
        if (!p) return p.error();
        return std::optional<PeerRecord>{std::move(*p)};
    }

    Result<PeerRecord> add(PeerRecord peer, const Allocator* allocate,
                           const Actor& actor) override {
        for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
            if (attempt > 0) back_off(attempt);
            if (auto taken = name_taken(peer.name); !taken) return taken.error();
            if (allocate) {
                auto stored = group_addresses(peer.group);
                if (!stored) return stored.error();
                auto chosen = (*allocate)(*stored);
                if (!chosen) return chosen.error();
                peer.address = chosen->v4;
                peer.address6 = chosen->v6;
            }
            std::vector<Compare> guards{{layout_.peer(peer.name), Compare::Target::create, 0},
                                        {layout_.key(peer.public_key), Compare::Target::create, 0}};
            std::vector<TxnOp> ops{{TxnOp::Kind::put, layout_.peer(peer.name), encode_peer(peer)},
                                   {TxnOp::Kind::put, layout_.key(peer.public_key), peer.name}};
            for (const auto& a : {peer.address, peer.address6}) {
                if (!a) continue;
                guards.push_back({layout_.address(*a), Compare::Target::create, 0});
                ops.push_back({TxnOp::Kind::put, layout_.address(*a), peer.name});
            }
            ops.push_back(audit_op(actor, peer.name, registry::describe_fields(peer)));
            ops.push_back(unsettled_op(peer.name, std::nullopt));
            auto txn = kv_.txn(guards, ops);
            if (!txn) return txn.error();
            if (txn->succeeded) return peer;

            // Who holds what we wanted: a name or key is final, an address
            // is worth another round when we choose the addresses. A record
            // with our key under our name is our own write, answered with an
            // error during a leader election and asked again.
            auto mine = find(peer.name);
            if (!mine) return mine.error();
            if (*mine && (*mine)->public_key == peer.public_key) return std::move(**mine);
            if (auto taken = name_taken(peer.name); !taken) return taken.error();
            auto owner = kv_.get(layout_.key(peer.public_key));
            if (!owner) return owner.error();
            if (*owner)
                return error("public_key: the public key of \"" + peer.name +
                             "\" already belongs to peer \"" + (*owner)->value + "\"");
            if (!allocate)
                for (const auto& a : {peer.address, peer.address6}) {
                    if (!a) continue;
                    auto holder = kv_.get(layout_.address(*a));
                    if (!holder) return holder.error();
                    if (*holder)
                        return error("address: " + a->str() + " of \"" + peer.name +
                                     "\" already belongs to peer \"" + (*holder)->value + "\"");
                }
        }
        return error("could not claim addresses for \"" + peer.name + "\" after " +
                     std::to_string(kMaxAttempts) +
                     " attempts: other gateways kept taking them first; try again");
    }

    Result<PeerRecord> remove(std::string_view name, const Actor& actor) override {
        for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
            if (attempt > 0) back_off(attempt);
            auto kv = kv_.get(layout_.peer(name));
            if (!kv) return kv.error();
            if (!*kv) return no_peer(name);
            auto peer = decode_peer((*kv)->key, (*kv)->value);
            if (!peer) return peer.error();
            std::vector<TxnOp> ops{{TxnOp::Kind::remove, layout_.peer(name), ""},
                                   {TxnOp::Kind::remove, layout_.key(peer->public_key), ""}};
            for (const auto& a : {peer->address, peer->address6})
                if (a) ops.push_back({TxnOp::Kind::remove, layout_.address(*a), ""});
            ops.push_back(audit_op(actor, name, registry::describe_fields(*peer)));
            ops.push_back(unsettled_op(name, *peer));
            // Only the record we read: a concurrent change makes us read again.
            auto txn =
                kv_.txn({{layout_.peer(name), Compare::Target::mod, (*kv)->mod_revision}}, ops);
            if (!txn) return txn.error();
            if (txn->succeeded) return std::move(*peer);
        }
        return error("\"" + std::string(name) + "\" kept changing while being removed; try again");
    }

    Status add_all(const std::vector<PeerRecord>& peers, const std::string& what,
                   const Actor& actor) override {
        // One transaction: all or none. etcd caps the operations of one
        // transaction (--max-txn-ops, 128 by default; each peer takes up to
        // five), and says so when an import is larger.
        std::vector<Compare> guards;
        std::vector<TxnOp> ops;
        for (const auto& p : peers) {
            guards.push_back({layout_.peer(p.name), Compare::Target::create, 0});
            guards.push_back({layout_.key(p.public_key), Compare::Target::create, 0});
            ops.push_back({TxnOp::Kind::put, layout_.peer(p.name), encode_peer(p)});
            ops.push_back({TxnOp::Kind::put, layout_.key(p.public_key), p.name});
            for (const auto& a : {p.address, p.address6}) {
                if (!a) continue;
                guards.push_back({layout_.address(*a), Compare::Target::create, 0});
                ops.push_back({TxnOp::Kind::put, layout_.address(*a), p.name});
            }
            ops.push_back(unsettled_op(p.name, std::nullopt));
        }
        ops.push_back(audit_op(actor, "", what + ": " + std::to_string(peers.size()) + " peers"));
        auto txn = kv_.txn(guards, ops);
        if (!txn) return txn.error();
        if (txn->succeeded) return ok_status();
        for (const auto& p : peers) {
            if (auto taken = name_taken(p.name); !taken) return taken.error();
            auto owner = kv_.get(layout_.key(p.public_key));
            if (!owner) return owner.error();
            if (*owner)
                return error("public_key: the public key of \"" + p.name +
                             "\" already belongs to peer \"" + (*owner)->value + "\"");
            for (const auto& a : {p.address, p.address6}) {
                if (!a) continue;
                auto holder = kv_.get(layout_.address(*a));
                if (!holder) return holder.error();
                if (*holder)
                    return error("address: " + a->str() + " of \"" + p.name +
                                 "\" already belongs to peer \"" + (*holder)->value + "\"");
            }
        }
        return error("the import conflicted with a concurrent change; try again");
    }

    Result<registry::Change> update(std::string_view name, const registry::Edit& edit,
                                    const Allocator* allocate, const Actor& actor) override {
        for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
            if (attempt > 0) back_off(attempt);
            auto kv = kv_.get(layout_.peer(name));
            if (!kv) return kv.error();
            if (!*kv) return no_peer(name);
            auto before = decode_peer((*kv)->key, (*kv)->value);
            if (!before) return before.error();
            registry::Change change{*before, *before};
            if (auto st = edit(change.after); !st) return st.error();
            const PeerRecord& b = change.before;
            PeerRecord& a = change.after;
            const bool renamed = a.name != b.name;
            if (renamed)
                if (auto taken = name_taken(a.name); !taken) return taken.error();
            if (allocate) {
                auto stored = group_addresses(a.group);
                if (!stored) return stored.error();
                std::erase_if(
                    *stored, [&](const IpAddress& x) { return x == b.address || x == b.address6; });
                auto chosen = (*allocate)(*stored);
                if (!chosen) return chosen.error();
                a.address = chosen->v4;
                a.address6 = chosen->v6;
            }
            std::vector<Compare> guards{
                {layout_.peer(b.name), Compare::Target::mod, (*kv)->mod_revision}};
            std::vector<TxnOp> ops;
            if (renamed) {
                guards.push_back({layout_.peer(a.name), Compare::Target::create, 0});
                ops.push_back({TxnOp::Kind::remove, layout_.peer(b.name), ""});
            }
            ops.push_back({TxnOp::Kind::put, layout_.peer(a.name), encode_peer(a)});
            if (a.public_key != b.public_key) {
                guards.push_back({layout_.key(a.public_key), Compare::Target::create, 0});
                ops.push_back({TxnOp::Kind::remove, layout_.key(b.public_key), ""});
            }
            ops.push_back({TxnOp::Kind::put, layout_.key(a.public_key), a.name});
            const auto held_before = [&](const IpAddress& x) {
                return x == b.address || x == b.address6;
            };
            const auto held_after = [&](const IpAddress& x) {
                return x == a.address || x == a.address6;
            };
            for (const auto& x : {b.address, b.address6})
                if (x && !held_after(*x))
                    ops.push_back({TxnOp::Kind::remove, layout_.address(*x), ""});
            for (const auto& x : {a.address, a.address6}) {
                if (!x) continue;
                if (!held_before(*x))
                    guards.push_back({layout_.address(*x), Compare::Target::create, 0});
                ops.push_back({TxnOp::Kind::put, layout_.address(*x), a.name});
            }
            std::string fields = registry::describe_change(b, a);
            if (renamed) fields = "was=" + b.name + " " + fields;
            ops.push_back(audit_op(actor, a.name, fields));
            ops.push_back(unsettled_op(a.name, b));
            auto txn = kv_.txn(guards, ops);
            if (!txn) return txn.error();
            if (txn->succeeded) return change;
            // A claimed key or fixed address is final; a concurrent change
            // of this peer or a lost address race is worth another round.
            if (a.public_key != b.public_key) {
                auto owner = kv_.get(layout_.key(a.public_key));
                if (!owner) return owner.error();
                if (*owner && (*owner)->value != b.name && (*owner)->value != a.name)
                    return error("public_key: the public key of \"" + a.name +
                                 "\" already belongs to peer \"" + (*owner)->value + "\"");
            }
            if (!allocate)
                for (const auto& x : {a.address, a.address6}) {
                    if (!x || held_before(*x)) continue;
                    auto holder = kv_.get(layout_.address(*x));
                    if (!holder) return holder.error();
                    if (*holder)
                        return error("address: " + x->str() + " of \"" + a.name +
                                     "\" already belongs to peer \"" + (*holder)->value + "\"");
                }
        }
        return error("\"" + std::string(name) + "\" kept changing while being edited; try again");
    }

    Result<std::vector<registry::Unsettled>> unsettled() override {
        return read_all<registry::Unsettled>(layout_.unsettled(), decode_unsettled);
    }

    Status settle(std::string_view peer) override {
        auto r = kv_.range({layout_.unsettled(), prefix_end(layout_.unsettled()), true, 0});
        if (!r) return r.error();
        std::vector<TxnOp> ops;
        for (const auto& kv : r->kvs) {
            auto u = decode_unsettled(kv.key, kv.value);
            if (!u) return u.error();
            if (u->peer == peer) ops.push_back({TxnOp::Kind::remove, kv.key, ""});
        }
        if (ops.empty()) return ok_status();
        auto txn = kv_.txn({}, ops);
        if (!txn) return txn.error();
        return ok_status();
    }

    Result<std::vector<AuditEntry>> audit(const registry::AuditFilter& filter) override {
        auto all = read_all<AuditEntry>(layout_.audit(), decode_audit);
        if (!all) return all.error();
        std::erase_if(*all, [&](const AuditEntry& a) {
            return (filter.peer && a.peer != *filter.peer) ||
                   (filter.since && a.time < *filter.since);
        });
        return all;
    }

  private:
    // Every record under `prefix`, in the order they were created.
    template <class T>
    Result<std::vector<T>> read_all(const std::string& prefix,
                                    Result<T> (*decode)(std::string_view, std::string_view)) {
        auto r = kv_.range({prefix, prefix_end(prefix), true, 0});
        if (!r) return r.error();
        std::vector<T> out;
        out.reserve(r->kvs.size());
        for (const auto& kv : r->kvs) {
            auto item = decode(kv.key, kv.value);
            if (!item) return item.error();
            out.push_back(std::move(*item));
        }
        return out;
    }

    Error error(std::string message) const {
        return Error{std::move(message), Location{"etcd " + layout_.prefix}};
    }

    Error no_peer(std::string_view name) const {
        return error("no peer named \"" + std::string(name) + "\" (`vpngw peer list` lists them)");
    }

    Status name_taken(const std::string& name) {
        auto existing = find(name);
        if (!existing) return existing.error();
        if (*existing)
            return error("name: a peer named \"" + name + "\" already exists (group " +
                         (*existing)->group + "): `vpngw peer show " + name +
                         "` prints its config, `vpngw peer remove " + name + "` removes it");
        return ok_status();
    }

    // The addresses the group's peers hold, as the allocator wants them.
    Result<std::vector<IpAddress>> group_addresses(const std::string& group) {
        auto peers = list();
        if (!peers) return peers.error();
        std::vector<IpAddress> out;
        for (const auto& p : *peers) {
            if (p.group != group) continue;
            if (p.address) out.push_back(*p.address);
            if (p.address6) out.push_back(*p.address6);
        }
        return out;
    }

    TxnOp audit_op(const Actor& actor, std::string_view peer, std::string fields) const {
        AuditEntry entry{now(), actor.user, actor.command, std::string(peer), std::move(fields)};
        return {TxnOp::Kind::put, layout_.audit() + audit_id(), encode_audit(entry)};
    }

    TxnOp unsettled_op(std::string_view peer, std::optional<PeerRecord> before) const {
        return {TxnOp::Kind::put, layout_.unsettled() + audit_id(),
                encode_unsettled({std::string(peer), std::move(before)})};
    }

    EtcdKv kv_;
    Layout layout_;
};

}  // namespace

std::unique_ptr<registry::Registry> etcd_registry(std::unique_ptr<Transport> transport,
                                                  std::string prefix, Reads reads,
                                                  std::string node) {
    return std::make_unique<EtcdRegistry>(std::move(transport), std::move(prefix), reads,
                                          std::move(node));
}

std::unique_ptr<registry::Registry> open_etcd_registry(const model::EtcdSettings& settings,
                                                       Reads reads, std::string node) {
    return etcd_registry(http_transport(settings), settings.prefix, reads, std::move(node));
}

}  // namespace vpngw::fleet
