#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vpngw {

enum class Family : std::uint8_t { v4 = 4, v6 = 6 };

// An IPv4 or IPv6 address as raw network-order bytes (v4 uses the first 4).
struct IpAddress {
    Family family = Family::v4;
    std::array<std::uint8_t, 16> bytes{};

    static std::optional<IpAddress> parse(std::string_view text);
    static IpAddress v4(std::uint32_t host_order);

    int bits() const { return family == Family::v4 ? 32 : 128; }
    int byte_len() const { return family == Family::v4 ? 4 : 16; }
    bool is_v4() const { return family == Family::v4; }
    std::string str() const;
    // Adds n to the address (wrapping is the caller's concern: see Prefix::size).
    IpAddress plus(std::uint64_t n) const;

    auto operator<=>(const IpAddress&) const = default;
};

// A network prefix "addr/len". The address may carry host bits (an interface
// address such as 10.8.0.1/16); network() strips them.
struct Prefix {
    IpAddress addr;
    int len = 0;

    // Accepts "addr/len" and a bare address (taken as a host prefix).
    static std::optional<Prefix> parse(std::string_view text);

    Family family() const { return addr.family; }
    bool has_host_bits() const;
    Prefix network() const;
    bool contains(const IpAddress& a) const;
    bool contains(const Prefix& p) const;  // p lies wholly inside this prefix
    bool overlaps(const Prefix& p) const;
    // Number of addresses, saturated at 2^64 for wide IPv6 prefixes.
    std::uint64_t size() const;
    std::string str() const;

    auto operator<=>(const Prefix&) const = default;
};

// "host:port" or "[v6]:port" as used by WireGuard endpoints. The host may be a
// DNS name: clients resolve it, the gateway never does.
struct Endpoint {
    std::string host;
    std::uint16_t port = 0;

    static std::optional<Endpoint> parse(std::string_view text);
    std::string str() const;
};

}  // namespace vpngw
