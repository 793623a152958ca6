#pragma once

// Which prefixes overlap an earlier one, in O(n log n): the subnet check of
// 100,000 groups compared every pair (five minutes) and reported every pair
// (1,000 groups with one subnet: 500,000 errors).

#include <cstddef>
#include <vector>

#include "util/ip.hpp"

namespace vpngw::profile {

// For each prefix i: the lowest index j < i whose prefix overlaps prefix i,
// or kNoRepeat (util/repeats.hpp) when no earlier prefix overlaps it.
// Host bits are ignored; prefixes of different families never overlap.
//
// Two prefixes overlap exactly when one contains the other, so sorted by
// (network address, length) the prefixes overlapping a prefix are the chain
// of its containers (open on a stack while sweeping) and the run of its
// descendants that follows it: one sort and one sweep find, for each, the
// lowest index among both.
std::vector<std::size_t> earliest_overlaps(const std::vector<Prefix>& prefixes);

}  // namespace vpngw::profile
