#include "profile/cache_codec.hpp"

#include <sodium.h>

#include <cstring>

#include "profile/record_io.hpp"

namespace vpngw::profile {

namespace {

// Bump when the record's layout or the meaning of a field changes: an old
// cache then no longer matches any text and is rebuilt.
constexpr std::string_view kMagic = "vpngw-profile-cache 4\n";

#if defined(__x86_64__) && defined(__GLIBCXX__)
// A field added to model::Peer must be added to put_peer/get_peer too (and
// kMagic bumped); this fires when the struct changes size without that.
static_assert(sizeof(model::Peer) == 344, "model::Peer changed: update the profile cache codec");
#endif

using record_io::Reader;
using record_io::Writer;

TextDigest blake2b(std::initializer_list<std::string_view> parts, const CacheSeal* seal = nullptr) {
    return record_io::blake2b(parts, seal ? &seal->key : nullptr);
}

using record_io::get_location;
using record_io::put_location;

void put_address(Writer& w, const IpAddress& a) {
    w.u8(static_cast<std::uint8_t>(a.family));
    w.raw(a.bytes.data(), a.bytes.size());
}

IpAddress get_address(Reader& r) {
    IpAddress a;
    const auto family = r.u8();
    if (family != 4 && family != 6) r.fail();
    a.family = family == 6 ? Family::v6 : Family::v4;
    r.raw(a.bytes.data(), a.bytes.size());
    return a;
}

void put_optional_address(Writer& w, const std::optional<IpAddress>& a) {
    w.u8(a ? 1 : 0);
    if (a) put_address(w, *a);
}

std::optional<IpAddress> get_optional_address(Reader& r, Family want) {
    if (!r.boolean()) return std::nullopt;
    auto a = get_address(r);
    if (a.family != want) r.fail();
    return a;
}

void put_peer(Writer& w, const model::Peer& p, const std::string& source) {
    w.str(p.name);
    w.str(p.group);
    w.raw(p.public_key.bytes.data(), p.public_key.bytes.size());
    put_optional_address(w, p.address);
    put_optional_address(w, p.address6);
    w.str(p.preshared_key_file);
    w.u8(p.keepalive ? 1 : 0);
    if (p.keepalive) w.u32(static_cast<std::uint32_t>(*p.keepalive));
    w.u8(p.disabled ? 1 : 0);
    w.u8(p.expires ? 1 : 0);
    if (p.expires) w.i64(p.expires->time_since_epoch().count());
    w.u8(p.quota ? 1 : 0);
    if (p.quota) {
        w.u64(p.quota->bytes);
        w.u8(static_cast<std::uint8_t>(p.quota->period));
    }
    w.u8(p.rate_bits ? 1 : 0);
    if (p.rate_bits) w.u64(*p.rate_bits);
    w.u32(static_cast<std::uint32_t>(p.networks.size()));
    for (const auto& n : p.networks) {
        put_address(w, n.addr);
        w.u8(static_cast<std::uint8_t>(n.len));
    }
    w.u8(static_cast<std::uint8_t>((p.no_address ? 1 : 0) | (p.no_address6 ? 2 : 0)));
    w.u32(static_cast<std::uint32_t>(p.extra_addresses.size()));
    for (const auto& a : p.extra_addresses) put_address(w, a);
    // Only the table's place: the field places serve the loader's own
    // checks, which a cached peer has passed (profile/cache.hpp).
    put_location(w, p.origin.table, source);
}

model::Peer get_peer(Reader& r, const std::string& source) {
    model::Peer p;
    p.name = r.str();
    p.group = r.str();
    r.raw(p.public_key.bytes.data(), p.public_key.bytes.size());
    p.address = get_optional_address(r, Family::v4);
    p.address6 = get_optional_address(r, Family::v6);
    p.preshared_key_file = r.str();
    if (r.boolean()) {
        const auto k = r.u32();
        if (k > 65535) r.fail();
        p.keepalive = static_cast<int>(k);
    }
    p.disabled = r.boolean();
    if (r.boolean()) p.expires = std::chrono::sys_seconds(std::chrono::seconds(r.i64()));
    if (r.boolean()) {
        model::Quota q;
        q.bytes = r.u64();
        const auto period = r.u8();
        if (period > static_cast<std::uint8_t>(model::QuotaPeriod::month)) r.fail();
        q.period = static_cast<model::QuotaPeriod>(period);
        p.quota = q;
    }
    if (r.boolean()) p.rate_bits = r.u64();
    const auto nets = r.count(18);
    for (std::uint32_t i = 0; i < nets && r.ok(); ++i) {
        Prefix n;
        n.addr = get_address(r);
        n.len = r.u8();
        if (n.len > n.addr.bits()) r.fail();
        p.networks.push_back(n);
    }
    const auto none = r.u8();
    if (none > 3) r.fail();
    p.no_address = none & 1;
    p.no_address6 = none & 2;
    const auto extra = r.count(17);
    for (std::uint32_t i = 0; i < extra && r.ok(); ++i) p.extra_addresses.push_back(get_address(r));
    p.origin.table = get_location(r, source);
    return p;
}

}  // namespace

CacheSeal::~CacheSeal() {
    sodium_memzero(key.data(), key.size());
}

TextDigest digest_of_text(std::string_view source, std::string_view base_dir,
                          std::string_view text) {
    const std::string layout = std::to_string(sizeof(model::Peer));
    return blake2b({kMagic, layout, std::string_view("\0", 1), source, std::string_view("\0", 1),
                    base_dir, std::string_view("\0", 1), text});
}

std::string encode_cache(const CachedProfile& c, const CacheSeal& seal) {
    Writer w;
    w.raw(kMagic.data(), kMagic.size());
    w.raw(c.key.data(), c.key.size());
    w.str(c.source);
    w.u32(static_cast<std::uint32_t>(c.peer_lines.size()));
    for (const auto& l : c.peer_lines) {
        w.u32(l.first);
        w.u32(l.last);
    }
    w.u32(static_cast<std::uint32_t>(c.diagnostics.size()));
    for (const auto& d : c.diagnostics) {
        w.u8(d.severity == Severity::error ? 0 : 1);
        put_location(w, d.where, c.source);
        w.str(d.message);
    }
    w.u32(static_cast<std::uint32_t>(c.peers.size()));
    for (const auto& p : c.peers) put_peer(w, p, c.source);
    const auto sum = blake2b({w.bytes()}, &seal);
    w.raw(sum.data(), sum.size());
    return std::move(w.bytes());
}

std::optional<CachedProfile> decode_cache(std::string_view bytes, const CacheSeal& seal) {
    constexpr std::size_t kSum = 32;
    if (bytes.size() < kMagic.size() + kSum || bytes.substr(0, kMagic.size()) != kMagic)
        return std::nullopt;
    const auto body = bytes.substr(0, bytes.size() - kSum);
    const auto sum = blake2b({body}, &seal);
    if (sodium_memcmp(sum.data(), bytes.data() + body.size(), kSum) != 0) return std::nullopt;

    Reader r(body.substr(kMagic.size()));
    CachedProfile c;
    r.raw(c.key.data(), c.key.size());
    c.source = r.str();
    const auto ranges = r.count(8);
    c.peer_lines.reserve(ranges);
    for (std::uint32_t i = 0; i < ranges && r.ok(); ++i) {
        LineRange l{r.u32(), r.u32()};
        if (l.first == 0 || l.last < l.first) r.fail();
        c.peer_lines.push_back(l);
    }
    const auto diags = r.count(14);
    for (std::uint32_t i = 0; i < diags && r.ok(); ++i) {
        Diagnostic d;
        d.severity = r.boolean() ? Severity::warning : Severity::error;
        d.where = get_location(r, c.source);
        d.message = r.str();
        c.diagnostics.push_back(std::move(d));
    }
    const auto peers = r.count(50);
    c.peers.reserve(peers);
    for (std::uint32_t i = 0; i < peers && r.ok(); ++i) c.peers.push_back(get_peer(r, c.source));
    if (!r.done()) return std::nullopt;
    return c;
}

}  // namespace vpngw::profile
