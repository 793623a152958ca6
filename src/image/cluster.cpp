#include "image/cluster.hpp"

namespace vpngw::image {

ClusterImage cluster_image(const model::Profile& profile) {
    ClusterImage out;
    if (!profile.cluster) return out;
    const auto& c = *profile.cluster;
    const std::string& name = profile.gateway.name;
    // The follower applies the registry's changes; it needs nothing beyond
    // vpngw's own libraries (HTTPS to etcd through cpp-httplib and OpenSSL).
    out.unit_templates.push_back("systemd/vpngw-follow@.service");
    out.units.push_back("vpngw-follow@" + name + ".service");
    if (c.sync) {
        out.packages.push_back("conntrackd");
        out.unit_templates.push_back("systemd/vpngw-conntrackd@.service");
        out.units.push_back("vpngw-conntrackd@" + name + ".service");
    }
    if (c.vrrp) {
        out.packages.push_back("keepalived");
        out.unit_templates.push_back("systemd/vpngw-keepalived@.service");
        out.units.push_back("vpngw-keepalived@" + name + ".service");
    }
    return out;
}

void warn_cluster_files(const model::Profile& profile, Diagnostics& diags) {
    if (!profile.cluster) return;
    const auto& c = *profile.cluster;
    for (const auto* file : {&c.etcd.ca_file, &c.etcd.cert_file, &c.etcd.key_file, &c.secret_file})
        if (!file->empty())
            diags.warning(c.where, "the image does not carry " + *file +
                                       "; it must exist on the machine before vpngw-follow@" +
                                       profile.gateway.name + " starts");
}

}  // namespace vpngw::image
