#include "profile/values.hpp"

#include "profile/address_scope.hpp"
#include "profile/quote.hpp"

namespace vpngw::profile {

const char* family_name(Family f) {
    return f == Family::v4 ? "IPv4" : "IPv6";
}

// inet_pton stops at a NUL byte, so "10.0.0.1\0junk" would otherwise pass.
static bool plain(std::string_view text) {
    return !text.empty() && text.find('\0') == std::string_view::npos;
}

std::optional<IpAddress> parse_address(std::string_view text) {
    if (!plain(text) || text.find('/') != std::string_view::npos) return std::nullopt;
    return IpAddress::parse(text);
}

std::optional<Prefix> parse_prefix(std::string_view text, bool bare_ok) {
    if (!plain(text)) return std::nullopt;
    if (!bare_ok && text.find('/') == std::string_view::npos) return std::nullopt;
    return Prefix::parse(text);
}

std::string host_bits_message(std::string_view written, const Prefix& prefix) {
    return std::string(written) + " has host bits set; did you mean " + prefix.network().str() +
           "?";
}

static std::string key_name(std::string_view key) {
    return "\"" + std::string(key) + "\"";
}

std::optional<IpAddress> read_address(Context& ctx, const Text& text, std::string_view key,
                                      std::optional<Family> family) {
    auto a = parse_address(text.value);
    if (!a) {
        std::string kind = family ? std::string(family_name(*family)) + " address" : "IP address";
        ctx.error(text.where,
                  "invalid " + kind + " " + quoted(text.value) + " for " + key_name(key));
        return std::nullopt;
    }
    if (family && a->family != *family) {
        ctx.error(text.where, key_name(key) + " must be an " + family_name(*family) +
                                  " address, got " + quoted(text.value));
        return std::nullopt;
    }
    return a;
}

std::optional<Prefix> read_network(Context& ctx, const Text& text, std::string_view key,
                                   std::optional<Family> family, bool bare_ok) {
    auto p = parse_prefix(text.value, bare_ok);
    if (!p) {
        ctx.error(text.where, "invalid CIDR " + quoted(text.value) + " for " + key_name(key) +
                                  ": expected \"address/length\"" +
                                  (bare_ok ? " or an address" : ""));
        return std::nullopt;
    }
    if (family && p->family() != *family) {
        ctx.error(text.where, key_name(key) + " must be an " + family_name(*family) +
                                  " CIDR, got " + quoted(text.value));
        return std::nullopt;
    }
    if (p->has_host_bits()) {
        ctx.error(text.where, host_bits_message(text.value, *p));
        return std::nullopt;
    }
    return p;
}

std::optional<Prefix> read_interface_address(Context& ctx, const Text& text) {
    auto p = parse_prefix(text.value, false);
    if (!p) {
        ctx.error(text.where, "invalid interface address " + quoted(text.value) +
                                  ": expected \"address/length\" such as \"10.8.0.1/24\"");
        return std::nullopt;
    }
    if (!check_interface_address_scope(ctx, text, *p)) return std::nullopt;
    return p;
}

static bool dns_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

std::optional<Endpoint> read_endpoint(Context& ctx, const Text& text) {
    std::optional<Endpoint> e;
    if (plain(text.value)) e = Endpoint::parse(text.value);
    bool host_ok = e && !e->host.empty() && e->host.size() <= 253;
    if (host_ok && e->host.find(':') == std::string::npos)
        for (char c : e->host) host_ok = host_ok && dns_char(c);
    if (!host_ok) {
        ctx.error(text.where, "invalid endpoint " + quoted(text.value) +
                                  ": expected \"host:port\" or \"[IPv6]:port\" with a port "
                                  "1-65535");
        return std::nullopt;
    }
    return e;
}

}  // namespace vpngw::profile
