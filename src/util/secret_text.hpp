#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "util/key.hpp"

namespace vpngw {

// Text or bytes that contain key material (a client config with its private
// key, a QR code of it). Move-only, wiped on destruction, and append() never
// lets std::string reallocate behind our back: when the buffer must grow, the
// old one is wiped before it is released, so no stray copy stays in the heap.
class SecretText {
  public:
    SecretText() { buf_.reserve(kInitialCapacity); }
    ~SecretText() { wipe(buf_); }

    SecretText(const SecretText&) = delete;
    SecretText& operator=(const SecretText&) = delete;
    SecretText(SecretText&& other) noexcept : buf_(std::move(other.buf_)) { other.buf_.clear(); }
    SecretText& operator=(SecretText&& other) noexcept {
        if (this != &other) {
            wipe(buf_);
            buf_.swap(other.buf_);
        }
        return *this;
    }

    void append(std::string_view text) {
        if (buf_.size() + text.size() > buf_.capacity()) grow(buf_.size() + text.size());
        buf_.append(text);
    }
    void append(char c) { append(std::string_view(&c, 1)); }

    std::string_view view() const { return buf_; }
    const std::string& str() const { return buf_; }
    const char* data() const { return buf_.data(); }
    std::size_t size() const { return buf_.size(); }
    bool empty() const { return buf_.empty(); }

  private:
    static constexpr std::size_t kInitialCapacity = 1024;

    void grow(std::size_t needed) {
        std::string bigger;
        bigger.reserve(std::max(needed, buf_.capacity() * 2));
        bigger.append(buf_);
        wipe(buf_);
        buf_.swap(bigger);
    }

    std::string buf_;
};

}  // namespace vpngw
