#pragma once

// Profiles built in C++ for the plan tests: the loader (src/profile) is
// tested on its own; here a profile is the input, written out field by field.

#include <string>
#include <utility>
#include <vector>

#include "model/profile.hpp"

namespace vpngw::plan::testing {

IpAddress ip(const char* text);
Prefix pfx(const char* text);
// A distinct, valid public key per seed (32 bytes of `seed`, then the index).
PublicKey key(int seed);

model::Interface interface(const char* name, std::vector<const char*> addresses,
                           std::uint16_t port = 51820);
model::Group group(const char* name, const char* iface, const char* subnet,
                   const char* subnet6 = nullptr);
model::Uplink uplink(const char* name, const char* device, const char* gateway, std::uint32_t table,
                     std::uint32_t fwmark);
model::Peer peer(const char* name, const char* group, int key_seed);
// An allow entry as the loader would parse "TARGET [PROTO[/PORT[-PORT]]]".
model::AllowEntry allow(const std::string& text);

// Named example profiles for the golden tests, in a fixed order.
std::vector<std::pair<std::string, model::Profile>> fixture_profiles();

// The brief's example: two uplinks, staff (isolated, egress wan1) and
// servers, a port forward, management, drop logging.
model::Profile office();
// One interface, one group, no uplink: the smallest useful gateway.
model::Profile minimal();

}  // namespace vpngw::plan::testing
