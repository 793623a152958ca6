#pragma once

// Which host addresses of a subnet vpngw hands to peers, as offsets from its
// network address. The allocator (plan/allocate.hpp) and the profile's
// capacity check share this, so "too small for any peer" means what
// allocation will find.

#include <cstdint>
#include <limits>

#include "util/ip.hpp"

namespace vpngw {

struct HostRange {
    std::uint64_t first = 1;  // lowest assignable offset
    std::uint64_t last = 0;   // highest assignable offset (< first: none)

    bool empty() const { return last < first; }
    // How many offsets, saturated at 2^64 - 1.
    std::uint64_t count() const {
        if (empty()) return 0;
        if (first == 0 && last == std::numeric_limits<std::uint64_t>::max()) return last;
        return last - first + 1;
    }
};

// IPv4: never the network or broadcast address, except in /31 point-to-point
// links and /32 hosts, which have neither. IPv6: never offset 0 (the
// subnet-router anycast address), so a /128 has nothing. Offsets beyond 2^64
// (wide IPv6 subnets) are never handed out.
inline HostRange host_range(const Prefix& subnet) {
    const int host_bits = subnet.addr.bits() - subnet.len;
    const std::uint64_t all = host_bits >= 64 ? std::numeric_limits<std::uint64_t>::max()
                                              : (std::uint64_t{1} << host_bits) - 1;
    if (subnet.family() == Family::v4) {
        if (host_bits >= 2) return {1, all - 1};
        return {0, all};
    }
    return {1, host_bits == 0 ? 0 : all};
}

}  // namespace vpngw
