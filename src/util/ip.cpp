#include "util/ip.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace vpngw {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    std::string s(text);
    IpAddress a;
    if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
        a.family = Family::v4;
        return a;
    }
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
        a.family = Family::v6;
        return a;
    }
    return std::nullopt;
}

IpAddress IpAddress::v4(std::uint32_t host_order) {
    IpAddress a;
    a.family = Family::v4;
    for (int i = 0; i < 4; ++i) a.bytes[i] = static_cast<std::uint8_t>(host_order >> (24 - 8 * i));
    return a;
}

std::string IpAddress::str() const {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
    return buf;
}

IpAddress IpAddress::plus(std::uint64_t n) const {
    IpAddress r = *this;
    for (int i = byte_len() - 1; i >= 0 && n > 0; --i) {
        std::uint64_t sum = r.bytes[i] + (n & 0xff);
        r.bytes[i] = static_cast<std::uint8_t>(sum);
        n = (n >> 8) + (sum >> 8);
    }
    return r;
}

static bool bit_at(const IpAddress& a, int i) {
    return (a.bytes[i / 8] >> (7 - i % 8)) & 1;
}

std::optional<Prefix> Prefix::parse(std::string_view text) {
    auto slash = text.find('/');
    auto addr = IpAddress::parse(text.substr(0, slash));
    if (!addr) return std::nullopt;
    Prefix p{*addr, addr->bits()};
    if (slash == std::string_view::npos) return p;
    auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    int len = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), len);
    if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    if (len < 0 || len > addr->bits()) return std::nullopt;
    p.len = len;
    return p;
}

bool Prefix::has_host_bits() const {
    for (int i = len; i < addr.bits(); ++i)
        if (bit_at(addr, i)) return true;
    return false;
}

Prefix Prefix::network() const {
    Prefix p = *this;
    for (int i = len; i < addr.bits(); ++i) p.addr.bytes[i / 8] &= ~(1u << (7 - i % 8));
    return p;
}

bool Prefix::contains(const IpAddress& a) const {
    if (a.family != addr.family) return false;
    for (int i = 0; i < len; ++i)
        if (bit_at(a, i) != bit_at(addr, i)) return false;
    return true;
}

bool Prefix::contains(const Prefix& p) const {
    return p.family() == family() && p.len >= len && contains(p.addr);
}

bool Prefix::overlaps(const Prefix& p) const {
    return contains(p) || p.contains(*this);
}

std::uint64_t Prefix::size() const {
    int host_bits = addr.bits() - len;
    if (host_bits >= 64) return UINT64_MAX;
    return std::uint64_t{1} << host_bits;
}

std::string Prefix::str() const {
    return addr.str() + "/" + std::to_string(len);
}

std::optional<Endpoint> Endpoint::parse(std::string_view text) {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    std::string_view host = text.substr(0, colon);
    std::string_view port_text = text.substr(colon + 1);
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') return std::nullopt;
        host = host.substr(1, host.size() - 2);
        auto a = IpAddress::parse(host);
        if (!a || a->is_v4()) return std::nullopt;
    } else if (host.find(':') != std::string_view::npos) {
        return std::nullopt;  // a bare IPv6 address needs brackets
    }
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535)
        return std::nullopt;
    return Endpoint{std::string(host), static_cast<std::uint16_t>(port)};
}

std::string Endpoint::str() const {
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

}  // namespace vpngw
