#include "util/repeats.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vpngw {
namespace {

std::vector<std::size_t> repeats_of(const std::vector<std::string>& items,
                                    std::uint64_t (*hash)(const std::string&)) {
    return earlier_repeats(
        items.size(), [&](std::size_t i) { return hash(items[i]); },
        [&](std::size_t i, std::size_t j) { return items[i] == items[j]; });
}

std::uint64_t good_hash(const std::string& s) {
    return std::hash<std::string>{}(s);
}
// Every value collides: the values themselves must still tell repeats apart.
std::uint64_t same_hash(const std::string&) {
    return 7;
}

TEST(EarlierRepeats, PointsEachRepeatAtTheEarliestEqualItem) {
    const std::vector<std::string> items = {"a", "b", "a", "c", "b", "a", "d"};
    const std::vector<std::size_t> want = {kNoRepeat, kNoRepeat, 0, kNoRepeat, 1, 0, kNoRepeat};
    EXPECT_EQ(repeats_of(items, good_hash), want);
    EXPECT_EQ(repeats_of(items, same_hash), want);
}

TEST(EarlierRepeats, NoRepeatsAndNoItems) {
    EXPECT_EQ(repeats_of({"x", "y", "z"}, same_hash),
              (std::vector<std::size_t>{kNoRepeat, kNoRepeat, kNoRepeat}));
    EXPECT_TRUE(repeats_of({}, good_hash).empty());
}

TEST(HashWords, DiffersInEveryWord) {
    std::uint8_t a[32] = {}, b[32] = {};
    for (std::size_t at : {0u, 9u, 17u, 31u}) {
        b[at] = 1;
        EXPECT_NE(hash_words(a, 32), hash_words(b, 32)) << at;
        b[at] = 0;
    }
}

}  // namespace
}  // namespace vpngw
