#include "gateway/cluster_psk.hpp"

#include <unistd.h>

#include <algorithm>

#include "fleet/etcd_layout.hpp"
#include "fleet/psk_seal.hpp"
#include "store/peer_files.hpp"

namespace vpngw::gateway {
namespace {

std::string etcd_key(const Session& session, const std::string& name) {
    return fleet::Layout{session.profile.cluster->etcd.prefix, ""}.peer(name);
}

Result<SecretKey> secret_of(const Session& session, const std::string& doing) {
    const auto& cluster = *session.profile.cluster;
    if (cluster.secret_file.empty())
        return Error{doing +
                         ": [cluster] has no \"secret_file\", the cluster secret that seals "
                         "preshared keys in etcd (make one with `vpngw cluster secret --out "
                         "/etc/vpngw/cluster.key` and copy it to every member like the "
                         "WireGuard private key)",
                     cluster.where};
    return fleet::read_cluster_secret(cluster.secret_file);
}

// psk/<name>.psk holds `psk` afterwards; unchanged when it already did.
Status keep_local(const Session& session, const std::string& name, const SecretKey& psk) {
    if (auto have = store::read_psk(session.paths, name); have && *have == psk) return ok_status();
    return store::write_psk(session.paths, name, psk);
}

Result<SecretKey> open_sealed(const Session& session, const SecretKey& secret,
                              const registry::PeerRecord& r) {
    return fleet::open_psk(secret, r.name, r.public_key, r.sealed_psk, etcd_key(session, r.name));
}

}  // namespace

Status seal_peer_psk(const Session& session, registry::PeerRecord& record, const SecretKey& psk) {
    if (!session.profile.cluster) return ok_status();
    auto secret =
        secret_of(session, "cannot seal the preshared key of peer \"" + record.name + "\"");
    if (!secret) return secret.error();
    auto sealed = fleet::seal_psk(*secret, record.name, record.public_key, psk);
    if (!sealed) return sealed.error();
    record.sealed_psk = std::move(*sealed);
    return ok_status();
}

Status reseal_peer_psk(const Session& session, const registry::PeerRecord& before,
                       registry::PeerRecord& after) {
    if (!session.profile.cluster || before.sealed_psk.empty() || !after.has_psk ||
        after.sealed_psk != before.sealed_psk ||
        (after.name == before.name && after.public_key == before.public_key))
        return ok_status();
    auto secret =
        secret_of(session, "cannot seal the preshared key of peer \"" + after.name + "\"");
    if (!secret) return secret.error();
    auto psk = open_sealed(session, *secret, before);
    if (!psk) return psk.error();
    auto sealed = fleet::seal_psk(*secret, after.name, after.public_key, *psk);
    if (!sealed) return sealed.error();
    after.sealed_psk = std::move(*sealed);
    return ok_status();
}

Result<std::optional<SecretKey>> peer_psk(const Session& session,
                                          const registry::PeerRecord& record) {
    if (!record.has_psk) return std::optional<SecretKey>{};
    if (session.profile.cluster && !record.sealed_psk.empty()) {
        auto secret =
            secret_of(session, "cannot open the preshared key of peer \"" + record.name + "\"");
        if (!secret)
            return Error{secret.error().message + " (" + etcd_key(session, record.name) +
                         "): not applied"};
        auto psk = open_sealed(session, *secret, record);
        if (!psk) return psk.error();
        if (auto st = keep_local(session, record.name, *psk); !st) return st.error();
        return std::optional<SecretKey>(std::move(*psk));
    }
    auto psk = store::read_psk(session.paths, record.name);
    if (!psk) return psk.error();
    return std::optional<SecretKey>(std::move(*psk));
}

Status seal_imported_psks(const Session& session, std::vector<registry::PeerRecord>& peers) {
    if (!session.profile.cluster) return ok_status();
    for (auto& p : peers) {
        if (!p.has_psk) continue;
        auto psk = store::read_psk(session.paths, p.name);
        if (!psk) return psk.error();
        if (auto st = seal_peer_psk(session, p, *psk); !st) return st.error();
    }
    return ok_status();
}

std::vector<std::string> keep_exported_psks(const Session& session,
                                            const std::vector<registry::PeerRecord>& peers) {
    std::vector<std::string> notes;
    if (!session.profile.cluster) return notes;
    for (const auto& p : peers) {
        if (!p.has_psk) continue;
        auto path = session.paths.psk_file(p.name);
        const std::string file = path ? *path : "psk/" + p.name + ".psk";
        if (p.sealed_psk.empty()) {
            // Written before keys were sealed: only a copy by hand put it here.
            if (!store::read_psk(session.paths, p.name))
                notes.push_back("peer \"" + p.name + "\" has psk = true but no sealed key in " +
                                etcd_key(session, p.name) + " and no " + file +
                                " here: copy that file from the member that has it");
            continue;
        }
        if (auto psk = peer_psk(session, p); !psk)
            notes.push_back(psk.error().message + " (" + file + " not written)");
    }
    return notes;
}

void materialize_sealed_psks(const Session& session, std::vector<registry::PeerRecord>& stored,
                             Diagnostics& diags) {
    if (!session.profile.cluster) return;
    const bool any = std::any_of(stored.begin(), stored.end(),
                                 [](const auto& r) { return !r.sealed_psk.empty(); });
    if (!any) return;
    const Location where{session.paths.registry_file(), 0, 0};
    std::optional<SecretKey> secret;
    std::string secret_error;
    if (auto s = secret_of(session, "cannot open sealed preshared keys"); s)
        secret = std::move(*s);
    else
        secret_error = s.error().message;
    std::erase_if(stored, [&](const registry::PeerRecord& r) {
        if (r.sealed_psk.empty() || !r.has_psk) return false;
        if (!secret) {
            diags.warning(where, "peer \"" + r.name + "\" (" + etcd_key(session, r.name) +
                                     ") is left out: " + secret_error);
            return true;
        }
        auto psk = open_sealed(session, *secret, r);
        Status kept = psk ? keep_local(session, r.name, *psk) : Status(psk.error());
        if (!kept) diags.warning(where, kept.error().message + " (left out)");
        return !kept;
    });
}

void forget_sealed_psk(const Session& session, const registry::PeerRecord& record) {
    if (record.sealed_psk.empty()) return;
    if (auto file = session.paths.psk_file(record.name)) ::unlink(file->c_str());
}

}  // namespace vpngw::gateway
