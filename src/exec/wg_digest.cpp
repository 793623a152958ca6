#include "exec/wg_digest.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace vpngw::exec {

namespace {

// SipHash needs a key; this one is no secret (see the header).
constexpr unsigned char kSipKey[crypto_shorthash_siphashx24_KEYBYTES] = {
    'v', 'p', 'n', 'g', 'w', '-', 'w', 'g', '-', 'd', 'i', 'g', 'e', 's', 't', '1'};

void put_u32(std::vector<unsigned char>& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<unsigned char>(v >> (8 * i)));
}

void put_prefix(std::vector<unsigned char>& out, const Prefix& p) {
    out.push_back(p.addr.is_v4() ? 4 : 6);
    out.insert(out.end(), p.addr.bytes.begin(), p.addr.bytes.end());
    out.push_back(static_cast<unsigned char>(p.len));
}

}  // namespace

WgDigest::WgDigest(std::uint16_t listen_port, std::uint32_t fwmark,
                   const std::optional<PublicKey>& public_key)
    : listen_port_(listen_port), fwmark_(fwmark), public_key_(public_key) {}

void WgDigest::add_peer(const PublicKey& key, std::span<const Prefix> allowed_ips, int keepalive) {
    // The diff compares the sorted lists (duplicates included): so does
    // this. They mostly come sorted (and one long): copied only when not.
    std::vector<Prefix> copy;
    if (!std::is_sorted(allowed_ips.begin(), allowed_ips.end())) {
        copy.assign(allowed_ips.begin(), allowed_ips.end());
        std::sort(copy.begin(), copy.end());
        allowed_ips = copy;
    }
    const auto& sorted = allowed_ips;
    thread_local std::vector<unsigned char> bytes;
    bytes.clear();
    bytes.insert(bytes.end(), key.bytes.begin(), key.bytes.end());
    put_u32(bytes, static_cast<std::uint32_t>(keepalive));
    put_u32(bytes, static_cast<std::uint32_t>(sorted.size()));
    for (const auto& p : sorted) put_prefix(bytes, p);
    unsigned char h[crypto_shorthash_siphashx24_BYTES];
    crypto_shorthash_siphashx24(h, bytes.data(), bytes.size(), kSipKey);
    for (std::size_t lane = 0; lane < 2; ++lane) {
        std::uint64_t v = 0;
        std::memcpy(&v, h + 8 * lane, 8);
        sum_[lane] += v;
    }
    ++peers_;
}

std::string WgDigest::hex() const {
    std::vector<unsigned char> bytes;
    const char tag[] = "vpngw-wg-digest 1";
    bytes.insert(bytes.end(), tag, tag + sizeof tag);
    put_u32(bytes, listen_port_);
    put_u32(bytes, fwmark_);
    bytes.push_back(public_key_ ? 1 : 0);
    if (public_key_)
        bytes.insert(bytes.end(), public_key_->bytes.begin(), public_key_->bytes.end());
    for (std::uint64_t v : {peers_, sum_[0], sum_[1]})
        for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<unsigned char>(v >> (8 * i)));
    unsigned char digest[crypto_generichash_BYTES];
    crypto_generichash(digest, sizeof digest, bytes.data(), bytes.size(), nullptr, 0);
    char hex[sizeof digest * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

std::string wg_digest(const state::WgDevice& want, const PublicKey& public_key) {
    WgDigest d(want.listen_port, want.fwmark, public_key);
    for (const auto& p : want.peers) d.add_peer(p.public_key, p.allowed_ips, p.keepalive);
    return d.hex();
}

std::string wg_digest(const ops::WgObserved& have) {
    WgDigest d(have.listen_port, have.fwmark, have.public_key);
    for (const auto& p : have.peers) d.add_peer(p.public_key, p.allowed_ips, p.keepalive);
    return d.hex();
}

std::string wg_digest(const wg::ObservedDevice& have) {
    WgDigest d(have.listen_port, have.fwmark, have.public_key);
    for (const auto& p : have.peers) d.add_peer(p.public_key, p.allowed_ips, p.keepalive);
    return d.hex();
}

}  // namespace vpngw::exec
