#include "gateway/userspace_capacity.hpp"

namespace vpngw::gateway {
namespace {

// Where the registry's peers live: a fleet member's are in etcd (its
// endpoints and key prefix), not in the local registry file.
std::string registry_named(const model::Profile& profile, const std::string& registry_file) {
    if (!profile.cluster) return registry_file;
    const auto& etcd = profile.cluster->etcd;
    std::string urls;
    for (const auto& e : etcd.endpoints) urls += (urls.empty() ? "" : ", ") + e.url();
    return "the etcd registry under " + etcd.prefix + " at " + urls;
}

}  // namespace

Status check_userspace_capacity(const model::Profile& profile, const GroupPeerCounts& counts,
                                const std::string& registry_file) {
    for (const auto& iface : profile.interfaces) {
        if (iface.backend != model::Backend::userspace) continue;
        std::size_t peers = 0;
        for (const auto& g : profile.groups)
            if (g.interface == iface.name)
                if (auto it = counts.find(g.name); it != counts.end()) peers += it->second;
        if (peers <= model::kUserspacePeerLimit) continue;
        return Error{"interface " + iface.name + " would have " + std::to_string(peers) +
                         " peers (profile and " + registry_named(profile, registry_file) +
                         "), but wireguard-go (backend = \"userspace\") holds at most " +
                         std::to_string(model::kUserspacePeerLimit) +
                         " on one device: use backend = \"kernel\", move peers to a group on " +
                         "another interface (`vpngw peer edit NAME --group G`), or remove some; " +
                         "nothing was changed",
                     iface.origin.at("backend")};
    }
    return ok_status();
}

Status check_userspace_capacity(const model::Profile& merged, const std::string& registry_file) {
    GroupPeerCounts counts;
    count_by_group(counts, merged.peers);
    return check_userspace_capacity(merged, counts, registry_file);
}

}  // namespace vpngw::gateway
