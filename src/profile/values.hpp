#pragma once

// Parsing of the address-like strings of a profile, reporting what is wrong
// with the exact text the user wrote.

#include <optional>
#include <string_view>

#include "profile/context.hpp"
#include "profile/toml_reader.hpp"
#include "util/ip.hpp"

namespace vpngw::profile {

// "IPv4" / "IPv6".
const char* family_name(Family f);

// An address of `family` (either when none).
std::optional<IpAddress> read_address(Context& ctx, const Text& text, std::string_view key,
                                      std::optional<Family> family);

// A network "addr/len" with no host bits set; with `bare_ok` a bare address
// is accepted as a single-host prefix (/32 or /128).
std::optional<Prefix> read_network(Context& ctx, const Text& text, std::string_view key,
                                   std::optional<Family> family, bool bare_ok);

// An interface address "addr/len" (host bits are the point: "10.8.0.1/16").
std::optional<Prefix> read_interface_address(Context& ctx, const Text& text);

// "host:port" or "[v6]:port"; the host may be a DNS name.
std::optional<Endpoint> read_endpoint(Context& ctx, const Text& text);

// Strict parsers without diagnostics (no NUL bytes, no stray characters).
std::optional<IpAddress> parse_address(std::string_view text);
std::optional<Prefix> parse_prefix(std::string_view text, bool bare_ok);

// "10.8.1.1/24 has host bits set; did you mean 10.8.1.0/24?"
std::string host_bits_message(std::string_view written, const Prefix& prefix);

}  // namespace vpngw::profile
