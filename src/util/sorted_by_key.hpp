#pragma once

// Items that carry a `public_key` (peers), ordered by key for lookups. The
// rows sorted are (PublicKey::prefix, pointer) pairs: sorting and searching
// 50,000 of them compares integers, where an ordered map of keys called
// memcmp at every step and allocated a node per key.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "util/key.hpp"

namespace vpngw {

template <class T>
class SortedByKey {
  public:
    // Points into `items`, which must outlive this and not move.
    explicit SortedByKey(const std::vector<T>& items) {
        rows_.reserve(items.size());
        for (const auto& item : items) rows_.push_back({item.public_key.prefix(), &item});
        std::stable_sort(rows_.begin(), rows_.end(), [](const Row& a, const Row& b) {
            return key_less(a.prefix, a.item->public_key, b.prefix, b.item->public_key);
        });
    }

    std::size_t size() const { return rows_.size(); }
    // The i-th item in key order.
    const T& operator[](std::size_t i) const { return *rows_[i].item; }

    // The position (in key order) of the first item with `key`, or size().
    std::size_t find(const PublicKey& key) const {
        const std::uint64_t prefix = key.prefix();
        auto it = std::lower_bound(
            rows_.begin(), rows_.end(), prefix, [&](const Row& row, std::uint64_t) {
                return key_less(row.prefix, row.item->public_key, prefix, key);
            });
        if (it == rows_.end() || it->item->public_key != key) return size();
        return static_cast<std::size_t>(it - rows_.begin());
    }

  private:
    struct Row {
        std::uint64_t prefix;
        const T* item;
    };
    std::vector<Row> rows_;
};

}  // namespace vpngw
