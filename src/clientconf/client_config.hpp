#pragma once

// Renders a client's config in the wg-quick format that `wg-quick`, the
// official WireGuard apps (import from file or QR code) and NetworkManager read:
//
//   [Interface]
//   PrivateKey = ...        ("# PrivateKey = <your private key>" when the client
//                            registered its own public key and we never saw the private one)
//   Address = 10.8.1.2/32, fd08:0:0:1::2/128
//   DNS = 10.8.0.1          (omitted when the group has no dns; ", <zone>" added
//                            when [dns] is set and the gateway is the resolver)
//   MTU = 1420              (the gateway interface's MTU)
//
//   [Peer]
//   PublicKey = <gateway interface public key>
//   PresharedKey = ...      (when there is one)
//   Endpoint = vpn.example.net:51820
//   AllowedIPs = ...        (see client_allowed_ips)
//   PersistentKeepalive = 25 (omitted when the group's keepalive is 0)

#include <optional>
#include <string>
#include <vector>

#include "model/profile.hpp"
#include "util/ip.hpp"
#include "util/key.hpp"
#include "util/result.hpp"
#include "util/secret_text.hpp"

namespace vpngw::clientconf {

struct ClientConfigInput {
    std::string peer_name;
    std::optional<SecretKey> private_key;  // none: the client keeps its own private key
    std::optional<IpAddress> address;      // the client's tunnel IPv4 address
    std::optional<IpAddress> address6;     // the client's tunnel IPv6 address
    model::Group group;
    model::Interface interface;  // the gateway interface the group lives on
    Endpoint endpoint;           // the gateway's public endpoint ([gateway].endpoint)
    PublicKey server_public_key;
    std::optional<SecretKey> preshared_key;
};

// What the client routes into the tunnel, only for the address families the
// group has (subnet -> IPv4, subnet6 -> IPv6):
//   full:  0.0.0.0/0 and/or ::/0;
//   split: the interface's own network prefixes (the gateway and its groups),
//          the allow-list CIDRs, the subnets of "group:X" entries and the
//          networks behind X's peers (`networks`, but never the client's own:
//          `self` names it); "any" counts as 0.0.0.0/0 (and ::/0); and the
//          sources of port forwards to one of the client's `own` addresses
//          that keep the remote source address (`source = "keep"`).
//          Prefixes inside another listed prefix are dropped.
// Sorted IPv4 first. Errors when a "group:X" entry names no group of `profile`.
Result<std::vector<Prefix>> client_allowed_ips(const model::Group& group,
                                               const model::Interface& interface,
                                               const model::Profile& profile,
                                               const std::string& self = {},
                                               const std::vector<IpAddress>& own = {});

// The whole config file. The result holds the private key: it wipes itself.
// Errors: no address at all, an address of the wrong family, or an address
// family the group has no subnet for.
Result<SecretText> render_client_config(const ClientConfigInput& input,
                                        const model::Profile& profile);

}  // namespace vpngw::clientconf
