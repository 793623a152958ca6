#pragma once

// ICMP echo requests and the check that a received packet is the reply to
// one, apart from the socket so the matching is testable without root.
// A reply counts only when its type, id, sequence and the 16-byte random
// cookie in its payload all match: anyone on the path (or a local process
// with a raw socket) can see our id and guess sequences, but cannot forge
// the cookie of an echo it has not seen, so a forged "alive" reply cannot
// keep a dead uplink in rotation.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace vpngw::health {

inline constexpr std::size_t kEchoCookieSize = 16;
inline constexpr std::size_t kEchoSize = 8 + kEchoCookieSize;  // ICMP header + cookie

struct Echo {
    std::uint16_t id = 0;
    std::uint16_t seq = 0;
    std::array<std::uint8_t, kEchoCookieSize> cookie{};
};

// A new echo: the given id and sequence, a fresh cookie from libsodium's
// randombytes_buf.
Echo new_echo(std::uint16_t id, std::uint16_t seq);

// The echo request (ICMP or ICMPv6 header + cookie). The IPv4 checksum is
// filled in; the kernel computes ICMPv6's (it covers a pseudo-header).
std::array<std::uint8_t, kEchoSize> echo_request(bool v6, const Echo& e);

// Whether `packet`, as a raw socket delivers it (IPv4 with its IP header,
// ICMPv6 without), is the reply to `e`.
bool is_echo_reply(bool v6, std::span<const std::uint8_t> packet, const Echo& e);

}  // namespace vpngw::health
