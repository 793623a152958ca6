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
    EtcdRegistry(std::unique_ptr<Transport> transport, std::string prefix)
        : kv_(std::move(transport)), layout_{std::move(prefix)} {}

    Result<std::vector<PeerRecord>> list() override {
        auto r = kv_.range({layout_.peers(), prefix_end(layout_.peers()), true, 0});
        if (!r) return r.error();
        std::vector<PeerRecord> out;
        out.reserve(r->kvs.size());
        for (const auto& kv : r->kvs) {
            auto p = decode_peer(kv.key, kv.value);
            if (!p) return p.error();
            out.push_back(std::move(*p));
        }
        return out;
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

    Status remove(std::string_view name, const Actor& actor) override {
        for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
            if (attempt > 0) back_off(attempt);
            auto kv = kv_.get(layout_.peer(name));
            if (!kv) return kv.error();
            if (!*kv) return error("no peer named \"" + std::string(name) + "\"");
            auto peer = decode_peer((*kv)->key, (*kv)->value);
            if (!peer) return peer.error();
            std::vector<TxnOp> ops{{TxnOp::Kind::remove, layout_.peer(name), ""},
                                   {TxnOp::Kind::remove, layout_.key(peer->public_key), ""}};
            for (const auto& a : {peer->address, peer->address6})
                if (a) ops.push_back({TxnOp::Kind::remove, layout_.address(*a), ""});
            ops.push_back(audit_op(actor, name, registry::describe_fields(*peer)));
            // Only the record we read: a concurrent change makes us read again.
            auto txn =
                kv_.txn({{layout_.peer(name), Compare::Target::mod, (*kv)->mod_revision}}, ops);
            if (!txn) return txn.error();
            if (txn->succeeded) return ok_status();
        }
        return error("\"" + std::string(name) + "\" kept changing while being removed; try again");
    }

    Result<std::vector<AuditEntry>> audit() override {
        auto r = kv_.range({layout_.audit(), prefix_end(layout_.audit()), true, 0});
        if (!r) return r.error();
        std::vector<AuditEntry> out;
        out.reserve(r->kvs.size());
        for (const auto& kv : r->kvs) {
            auto a = decode_audit(kv.key, kv.value);
            if (!a) return a.error();
            out.push_back(std::move(*a));
        }
        return out;
    }

  private:
    Error error(std::string message) const {
        return Error{std::move(message), Location{"etcd " + layout_.prefix}};
    }

    Status name_taken(const std::string& name) {
        auto existing = kv_.get(layout_.peer(name));
        if (!existing) return existing.error();
        if (*existing) return error("name: a peer named \"" + name + "\" already exists");
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

    EtcdKv kv_;
    Layout layout_;
};

}  // namespace

std::unique_ptr<registry::Registry> etcd_registry(std::unique_ptr<Transport> transport,
                                                  std::string prefix) {
    return std::make_unique<EtcdRegistry>(std::move(transport), std::move(prefix));
}

std::unique_ptr<registry::Registry> open_etcd_registry(const model::EtcdSettings& settings) {
    return etcd_registry(http_transport(settings), settings.prefix);
}

}  // namespace vpngw::fleet
