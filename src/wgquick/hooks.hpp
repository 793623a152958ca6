#pragma once

// What a wg-quick server's PreUp/PostUp/PreDown/PostDown hooks do, as far as
// vpngw has an equivalent: NAT (MASQUERADE) out of a device, FORWARD accepts
// for the WireGuard interface, and enabling forwarding. The usual forms:
//
//   iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE   (ip6tables too)
//   iptables -A FORWARD -i %i -j ACCEPT; iptables -A FORWARD -o %i -j ACCEPT
//   nft add rule inet nat postrouting oifname "eth0" masquerade
//   sysctl -w net.ipv4.ip_forward=1
//
// and their PostDown inverses (-D, nft delete). Commands are split at ';'
// and '&&'. Whatever else a hook runs is left for the user (untranslated).

#include <string>
#include <vector>

#include "wgquick/config.hpp"

namespace vpngw::wgquick {

struct HookFacts {
    // Devices connections are masqueraded out of, in order of appearance;
    // "" = a MASQUERADE without -o (wg-quick users mean the default route's).
    std::vector<std::string> masquerade_devices;
    // Each hook line, and whether every command in it is one of the forms
    // above (then the profile carries it and it needs no comment).
    std::vector<bool> translated;  // index-aligned with Config::hooks
    // Whether the hook line masquerades without naming a device (it is
    // carried over only when the default route's device is known).
    std::vector<bool> needs_default_device;  // likewise
};

HookFacts read_hooks(const std::vector<Hook>& hooks);

}  // namespace vpngw::wgquick
