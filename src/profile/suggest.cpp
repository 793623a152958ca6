#include "profile/suggest.hpp"

#include <algorithm>
#include <cctype>

#include "profile/quote.hpp"

namespace vpngw::profile {

static std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size(), m = b.size();
    // Three rows are enough for the transposition case of OSA.
    std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
    for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                cur[j] = std::min(cur[j], prev2[j - 2] + 1);
        }
        prev2.swap(prev);
        prev.swap(cur);
    }
    return prev[m];
}

// Short words get little slack: "icmp" is not a typo of "tcp".
static std::size_t max_distance(std::size_t len) {
    if (len <= 4) return 1;
    if (len <= 8) return 2;
    return 3;
}

std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates) {
    // Bound the work: the input may be arbitrarily long (fuzzing, pasted text).
    if (word.empty() || word.size() > 64) return std::nullopt;
    const std::string w = lower(word);
    std::optional<std::string> best;
    std::size_t best_distance = max_distance(word.size()) + 1;
    for (const auto& c : candidates) {
        if (c.size() > 64) continue;
        const std::size_t d = edit_distance(w, lower(c));
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    if (best && *best == word) return std::nullopt;  // identical: nothing to suggest
    return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    auto c = closest(word, candidates);
    return c ? "; did you mean " + quoted(*c) + "?" : "";
}

}  // namespace vpngw::profile
