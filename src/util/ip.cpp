#include "util/ip.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace vpngw {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    // inet_pton wants a C string; a stack copy (no address text is longer
    // than INET6_ADDRSTRLEN) spares an allocation: `peer add` parses every
    // stored address of the group.
    char s[64];
    if (text.size() >= sizeof s) return std::nullopt;
    std::memcpy(s, text.data(), text.size());
    s[text.size()] = '\0';
    IpAddress a;
    if (text.find(':') == std::string_view::npos && inet_pton(AF_INET, s, a.bytes.data()) == 1) {
        a.family = Family::v4;
        return a;
    }
    if (inet_pton(AF_INET6, s, a.bytes.data()) == 1) {
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

namespace {

char* put_decimal(char* p, unsigned v) {
    if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
    *p++ = static_cast<char>('0' + v % 10);
    return p;
}

char* put_v4(char* p, const std::uint8_t* b) {
    for (int i = 0; i < 4; ++i) {
        if (i) *p++ = '.';
        p = put_decimal(p, b[i]);
    }
    return p;
}

char* put_hex(char* p, unsigned v) {
    static constexpr char kDigits[] = "0123456789abcdef";
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
        const unsigned d = (v >> shift) & 0xf;
        if (d || started || shift == 0) {
            *p++ = kDigits[d];
            started = true;
        }
    }
    return p;
}

}  // namespace

// The same text as glibc's inet_ntop (RFC 5952: lowercase, the longest run of
// two or more zero groups shortened to "::", the first of equal runs; the
// IPv4-mapped and -compatible forms in dotted quad), without its sprintf per
// group: plans and the peers file format 100,000 addresses at 50,000 peers.
std::string IpAddress::str() const {
    char buf[48];
    char* p = buf;
    if (is_v4()) return std::string(buf, put_v4(p, bytes.data()));
    unsigned w[8];
    for (int i = 0; i < 8; ++i) w[i] = static_cast<unsigned>(bytes[2 * i] << 8 | bytes[2 * i + 1]);
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (w[i] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && w[j] == 0) ++j;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    if (best_len < 2) best = -1;
    for (int i = 0; i < 8; ++i) {
        if (best >= 0 && i >= best && i < best + best_len) {
            if (i == best) *p++ = ':';
            continue;
        }
        if (i != 0) *p++ = ':';
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
            p = put_v4(p, bytes.data() + 12);
            break;
        }
        p = put_hex(p, w[i]);
    }
    if (best >= 0 && best + best_len == 8) *p++ = ':';
    return std::string(buf, p);
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
    // Whole bytes first, then the leading bits of the last partial byte.
    const int whole = len / 8;
    if (std::memcmp(a.bytes.data(), addr.bytes.data(), static_cast<std::size_t>(whole)) != 0)
        return false;
    if (len % 8 == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - len % 8));
    return ((a.bytes[whole] ^ addr.bytes[whole]) & mask) == 0;
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
