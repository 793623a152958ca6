#pragma once

// Finding repeated values among many items (names, keys, addresses of
// 50,000 peers) without a hash set: one sort of (hash, index) integer pairs,
// so nothing is allocated per item and values are compared only when their
// hashes are equal.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace vpngw {

inline constexpr std::size_t kNoRepeat = SIZE_MAX;

// For each item i of [0, n): the index of the earliest item whose value
// equals i's, when that is an earlier one; kNoRepeat otherwise. `hash(i)`
// gives a 64-bit hash of item i's value, `equal(i, j)` compares two values.
template <class Hash, class Equal>
std::vector<std::size_t> earlier_repeats(std::size_t n, Hash hash, Equal equal) {
    std::vector<std::pair<std::uint64_t, std::size_t>> rows;
    rows.reserve(n);
    for (std::size_t i = 0; i < n; ++i) rows.emplace_back(hash(i), i);
    std::sort(rows.begin(), rows.end());
    std::vector<std::size_t> earlier(n, kNoRepeat);
    for (std::size_t start = 0, end = 0; start < rows.size(); start = end) {
        for (end = start + 1; end < rows.size() && rows[end].first == rows[start].first; ++end) {
        }
        // Equal hashes, in index order: almost always one value.
        for (std::size_t j = start + 1; j < end; ++j)
            for (std::size_t i = start; i < j; ++i)
                if (earlier[rows[i].second] == kNoRepeat && equal(rows[i].second, rows[j].second)) {
                    earlier[rows[j].second] = rows[i].second;
                    break;
                }
    }
    return earlier;
}

// A 64-bit hash of `len` bytes (a key, an address), a multiple of 8.
inline std::uint64_t hash_words(const std::uint8_t* bytes, std::size_t len) {
    std::uint64_t h = 0;
    for (std::size_t at = 0; at + 8 <= len; at += 8) {
        std::uint64_t word = 0;
        for (std::size_t k = 0; k < 8; ++k) word = word << 8 | bytes[at + k];
        h = (h ^ word ^ (h >> 29)) * 0xff51afd7ed558ccdull;
    }
    return h;
}

}  // namespace vpngw
