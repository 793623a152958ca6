#pragma once

// Both sides of a diff: what the plan wants (with the facts the plan cannot
// know without I/O resolved, like the public key of a key file) and what the
// kernel has of the objects vpngw owns or names.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "state/kernel_state.hpp"

namespace vpngw::ops {

// One element of a group's peer set: a peer's address.
struct NftElement {
    std::string map;  // the set: "peers4" / "peers6"
    IpAddress key;
    Location origin;
    bool operator==(const NftElement& o) const { return map == o.map && key == o.key; }
};

struct Desired {
    state::KernelState state;
    std::map<std::string, PublicKey> wg_public_keys;  // ifname -> key of its private key file
    std::string nft_hash;                             // hash of the ruleset without peer elements
    std::vector<NftElement> nft_elements;             // the peer elements
};

struct WgObserved {
    std::string ifname;
    std::uint16_t listen_port = 0;
    std::uint32_t fwmark = 0;
    std::optional<PublicKey> public_key;  // none when no private key is set
    std::vector<state::WgPeer> peers;
};

struct Observed {
    std::vector<state::Link> links;          // links the profile names that exist
    std::vector<std::string> foreign_links;  // of those, the ones vpngw did not create
    std::vector<state::Address> addresses;   // on those links
    std::vector<state::Route> routes;        // protocol kRouteProtocol, all tables
    std::vector<state::Rule> rules;          // protocol kRouteProtocol
    std::vector<WgObserved> wireguard;       // per existing link
    std::vector<state::Sysctl> sysctls;      // current values of the keys the plan names
    std::optional<std::string> nft_hash;     // nullopt: vpngw's table is absent
    // The table's comment matches but its rules, chains or set definitions
    // differ from what vpngw last applied (edited by hand with `nft`).
    bool nft_changed_outside = false;
    // The nftables generation shows the table untouched since vpngw left it
    // as this plan wants (exec/nft_shortcut.hpp): its elements were not read
    // and nft_elements is empty.
    bool nft_as_desired = false;
    std::vector<NftElement> nft_elements;
};

}  // namespace vpngw::ops
