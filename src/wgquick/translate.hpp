#pragma once

// From a wg-quick server config to a vpngw profile (`vpngw import wg-quick`).
// One [[interface]], one [[group]] whose subnets are the interface's
// prefixes, and one [[peer]] per wg-quick peer with its address fixed, so the
// WireGuard device vpngw plans is the one wg-quick made: same port, fwmark,
// peers, allowed-ips, preshared keys and keepalives. A peer's host
// addresses inside the interface's prefixes are its address, address6 and
// extra_addresses ("none" for a family it has no address of); its other
// AllowedIPs are its networks. Hook lines that
// masquerade out of a device become an [[uplink]] with NAT (forward accepts
// and forwarding sysctls need nothing: vpngw's group allows "any").
// Whatever has no equivalent (other hooks, DNS, Table, ...) is listed.

#include <optional>
#include <string>
#include <vector>

#include "util/ip.hpp"
#include "util/key.hpp"
#include "wgquick/config.hpp"

namespace vpngw::wgquick {

struct ImportOptions {
    std::string source;     // the file imported, for the header
    std::string ifname;     // the interface name (wg-quick: the file's basename)
    std::string state_dir;  // [gateway].state_dir of the new profile
    std::string group = "clients";
    // The device of the main table's default route (empty: none), for a
    // hook's MASQUERADE that names no device.
    std::string default_device;
};

struct ImportedPeer {
    std::string name;  // valid profile name, unique
    PublicKey public_key;
    std::optional<IpAddress> address;
    std::optional<IpAddress> address6;
    std::vector<IpAddress> extra_addresses;  // more host addresses inside the prefixes
    std::optional<SecretKey> preshared_key;  // goes to <state_dir>/psk/<name>.psk
    std::optional<std::uint16_t> keepalive;
    // Its other AllowedIPs: networks routed behind it.
    std::vector<Prefix> networks;
};

struct Imported {
    std::optional<SecretKey> private_key;  // goes to <state_dir>/<ifname>.key
    std::vector<ImportedPeer> peers;
    // Each line of the source that the profile does not carry, with why.
    std::vector<std::string> untranslated;
    std::string profile;  // the profile text (no key material)
};

Imported translate(const Config& config, const ImportOptions& options);

// A valid profile name from free text ("Alice's phone" -> "Alice-s-phone").
std::string sanitize_name(const std::string& text);

}  // namespace vpngw::wgquick
