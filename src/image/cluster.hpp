#pragma once

// What the image adds for a fleet member (a profile with [cluster],
// docs/fleet.md): the HA daemons' Debian packages, their units and the
// registry follower's, enabled at boot. The units render keepalived's and
// conntrackd's configuration with `vpngw cluster render` on every start.

#include <string>
#include <vector>

#include "model/profile.hpp"
#include "util/error.hpp"

namespace vpngw::image {

struct ClusterImage {
    std::vector<std::string> packages;        // for base/cluster-packages.list
    std::vector<std::string> unit_templates;  // systemd/ files the image carries
    std::vector<std::string> units;           // enabled: "vpngw-follow@gw-a.service", ...
};

// Empty without [cluster]: vpngw-follow@ always with it, keepalived with
// [cluster.vrrp], conntrackd with [cluster.sync].
ClusterImage cluster_image(const model::Profile& profile);

// Files of [cluster] that must be on the machine before the units start (the
// image does not carry certificates, keys or the cluster secret): warned.
void warn_cluster_files(const model::Profile& profile, Diagnostics& diags);

}  // namespace vpngw::image
