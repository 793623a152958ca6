#include <algorithm>

#include "plan/nft_parts.hpp"

namespace vpngw::plan::nft {
namespace {

// Destinations that are never "the internet": this network, private and
// shared (CGNAT) space, loopback, link-local, IETF protocol assignments,
// multicast and the reserved 240/4 with the broadcast address. The
// documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32)
// and benchmarking (198.18/15) are left in: they stand for public addresses in
// examples and test networks, and are not routed on the real internet anyway.
constexpr const char* kSpecial4[] = {
    "0.0.0.0/8",     "10.0.0.0/8",   "100.64.0.0/10",  "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4",
};
// Unspecified and loopback, IPv4-mapped, discard-only, unique local (ULA),
// link-local, the deprecated site-local, multicast.
constexpr const char* kSpecial6[] = {
    "::/127", "::ffff:0:0/96", "100::/64", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
};

}  // namespace

bool uses_internet(const model::Profile& p) {
    for (const auto& g : p.groups)
        for (const auto& e : g.allow)
            if (e.kind == model::AllowEntry::Kind::internet) return true;
    return false;
}

std::vector<Prefix> not_internet(const model::Profile& p, Family f) {
    std::vector<Prefix> out;
    if (f == Family::v4)
        for (const char* s : kSpecial4) out.push_back(*Prefix::parse(s));
    else
        for (const char* s : kSpecial6) out.push_back(*Prefix::parse(s));
    // vpngw's own: every group and network subnet, and the prefixes of the
    // WireGuard interfaces and created bridges (the gateway's address there
    // and the rest of the VPN's range), wherever they were numbered.
    auto add = [&](const Prefix& prefix) {
        if (prefix.family() == f) out.push_back(prefix.network());
    };
    for (const auto& g : p.groups) {
        if (g.subnet) add(*g.subnet);
        if (g.subnet6) add(*g.subnet6);
        for (const auto& a : g.addresses) add(a);
    }
    for (const auto& i : p.interfaces)
        for (const auto& a : i.addresses) add(a);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace vpngw::plan::nft
