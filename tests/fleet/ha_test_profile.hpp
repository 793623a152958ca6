#pragma once

// A profile text loaded as the HA unit tests need it (any diagnostic error
// fails the test loudly), named /etc/vpngw/gw.toml.

#include <stdexcept>
#include <string>

#include "profile/loader.hpp"

namespace vpngw::fleet {

// A member with a VRRP uplink and a sync link.
inline std::string ha_profile_text(const std::string& device = "eth0") {
    return "[gateway]\nname = \"gw\"\nendpoint = \"203.0.113.10:51820\"\n"
           "[[interface]]\nname = \"wg0\"\naddress = [\"10.8.0.1/16\"]\n"
           "[[uplink]]\nname = \"wan\"\ndevice = \"" +
           device +
           "\"\n"
           "[firewall]\nmanagement = { allow = [\"198.51.100.7/32\"] }\n"
           "[cluster]\nnode = \"gw-a\"\netcd = [\"https://10.9.0.1:2379\"]\n"
           "etcd_ca = \"/etc/vpngw/ca.pem\"\n"
           "vrrp = { uplink = \"wan\", address = \"203.0.113.10/24\", router_id = 51, "
           "priority = 150 }\n"
           "sync = { device = \"eth2\", address = \"10.99.0.1\", peer = \"10.99.0.2\" }\n";
}

inline model::Profile load_ha_profile(const std::string& text) {
    auto r = profile::load_string(text, "/etc/vpngw/gw.toml");
    if (!r.profile) throw std::runtime_error(r.diagnostics.all().front().message);
    return *r.profile;
}

}  // namespace vpngw::fleet
