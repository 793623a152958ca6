#pragma once

// Byte records of the profile cache and its peer index (cache_codec.cpp,
// peer_index.cpp): a writer, a reader that checks every length against the
// bytes left, and the BLAKE2b-256 both are sealed with.

#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>

#include "util/error.hpp"

namespace vpngw::profile::record_io {

using Digest = std::array<std::uint8_t, 32>;

// BLAKE2b-256 of the parts, keyed with `key` when given (a seal).
inline Digest blake2b(std::initializer_list<std::string_view> parts,
                      const std::array<std::uint8_t, 32>* key = nullptr) {
    crypto_generichash_state st;
    crypto_generichash_init(&st, key ? key->data() : nullptr, key ? key->size() : 0, 32);
    for (auto p : parts)
        crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(p.data()), p.size());
    Digest out;
    crypto_generichash_final(&st, out.data(), out.size());
    return out;
}

class Writer {
  public:
    void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
    void u32(std::uint32_t v) { raw(&v, sizeof v); }
    void u64(std::uint64_t v) { raw(&v, sizeof v); }
    void i64(std::int64_t v) { raw(&v, sizeof v); }
    void str(std::string_view s) {
        u32(static_cast<std::uint32_t>(s.size()));
        out_.append(s);
    }
    void raw(const void* p, std::size_t n) { out_.append(static_cast<const char*>(p), n); }
    std::string& bytes() { return out_; }

  private:
    std::string out_;
};

// Every read checks the bytes left; after the first failure all reads fail.
class Reader {
  public:
    explicit Reader(std::string_view in) : in_(in) {}
    bool ok() const { return ok_; }
    bool done() const { return ok_ && in_.empty(); }

    std::uint8_t u8() { return number<std::uint8_t>(); }
    std::uint32_t u32() { return number<std::uint32_t>(); }
    std::uint64_t u64() { return number<std::uint64_t>(); }
    std::int64_t i64() { return number<std::int64_t>(); }
    std::string str() {
        const auto n = u32();
        if (!ok_ || n > in_.size()) return fail(), std::string();
        std::string s(in_.substr(0, n));
        in_.remove_prefix(n);
        return s;
    }
    // A count of items each at least `min_size` bytes long: never more than
    // the bytes left can hold, so a forged count cannot make us reserve much.
    std::uint32_t count(std::size_t min_size) {
        const auto n = u32();
        if (n > in_.size() / min_size) fail();
        return ok_ ? n : 0;
    }
    bool boolean() {
        const auto v = u8();
        if (v > 1) fail();
        return v == 1;
    }
    void raw(void* p, std::size_t n) {
        if (!ok_ || n > in_.size()) return fail();
        std::memcpy(p, in_.data(), n);
        in_.remove_prefix(n);
    }
    void fail() { ok_ = false; }

  private:
    template <class T>
    T number() {
        T v = 0;
        raw(&v, sizeof v);
        return v;
    }

    std::string_view in_;
    bool ok_ = true;
};

// Locations in the profile itself (nearly all) name it by a flag, not a copy.
inline void put_location(Writer& w, const Location& l, const std::string& source) {
    w.u8(l.file == source ? 1 : 0);
    if (l.file != source) w.str(l.file.str());
    w.u32(static_cast<std::uint32_t>(l.line));
    w.u32(static_cast<std::uint32_t>(l.column));
}

inline Location get_location(Reader& r, const std::string& source) {
    Location l;
    l.file = r.boolean() ? source : r.str();
    l.line = static_cast<int>(r.u32());
    l.column = static_cast<int>(r.u32());
    if (l.line < 0 || l.column < 0) r.fail();
    return l;
}

}  // namespace vpngw::profile::record_io
