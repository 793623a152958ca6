#pragma once

// "did you mean" hints: the closest candidate by edit distance, when it is
// close enough that the user most likely mistyped it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vpngw::profile {

// Optimal string alignment distance: insertions, deletions, substitutions
// and transpositions of adjacent characters each cost 1 ("subent" -> "subnet" is 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word` (ignoring case), if it is within a distance
// that grows with the word's length; none when nothing is close.
std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates);

// "; did you mean \"X\"?" or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace vpngw::profile
