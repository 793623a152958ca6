#include "golden.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace vpngw::plan::testing {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
}

constexpr std::size_t kContext = 2;
constexpr std::size_t kMaxTable = 4'000'000;  // LCS cells; beyond that, first difference only

struct Edit {
    char op;  // ' ', '-', '+'
    std::string line;
};

std::vector<Edit> lcs_edits(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::uint32_t> t((n + 1) * (m + 1), 0);
    auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return t[i * (m + 1) + j]; };
    for (std::size_t i = n; i-- > 0;)
        for (std::size_t j = m; j-- > 0;)
            at(i, j) = a[i] == b[j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    std::vector<Edit> edits;
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[i] == b[j]) {
            edits.push_back({' ', a[i++]});
            ++j;
        } else if (j < m && (i == n || at(i, j + 1) > at(i + 1, j))) {
            edits.push_back({'+', b[j++]});
        } else {
            edits.push_back({'-', a[i++]});
        }
    }
    return edits;
}

}  // namespace

std::string golden_dir() {
    return std::string(VPNGW_SOURCE_DIR) + "/tests/plan/golden";
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool update_golden() {
    const char* v = std::getenv("VPNGW_UPDATE_GOLDEN");
    return v && std::string(v) == "1";
}

std::string line_diff(const std::string& expected, const std::string& actual) {
    if (expected == actual) return "";
    auto a = lines_of(expected), b = lines_of(actual);
    std::ostringstream out;
    out << "--- golden\n+++ actual\n";
    if ((a.size() + 1) * (b.size() + 1) > kMaxTable) {
        std::size_t i = 0;
        while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
        out << "@@ first difference at line " << i + 1 << " @@\n";
        if (i < a.size()) out << "-" << a[i] << "\n";
        if (i < b.size()) out << "+" << b[i] << "\n";
        return out.str();
    }
    auto edits = lcs_edits(a, b);
    // Print changed lines with kContext unchanged lines around each hunk.
    std::vector<bool> show(edits.size(), false);
    for (std::size_t k = 0; k < edits.size(); ++k)
        if (edits[k].op != ' ')
            for (std::size_t c = (k > kContext ? k - kContext : 0);
                 c <= std::min(edits.size() - 1, k + kContext); ++c)
                show[c] = true;
    std::size_t line_a = 1;
    bool gap = true;
    for (std::size_t k = 0; k < edits.size(); ++k) {
        if (show[k]) {
            if (gap) out << "@@ golden line " << line_a << " @@\n";
            out << edits[k].op << edits[k].line << "\n";
        }
        gap = !show[k];
        if (edits[k].op != '+') ++line_a;
    }
    if (!expected.empty() && expected.back() != '\n') out << "(golden has no final newline)\n";
    if (!actual.empty() && actual.back() != '\n') out << "(actual has no final newline)\n";
    return out.str();
}

void expect_golden(const std::string& name, const std::string& actual) {
    const std::string path = golden_dir() + "/" + name;
    if (update_golden()) {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << actual;
        EXPECT_TRUE(out.good()) << "cannot write " << path;
        return;
    }
    std::ifstream probe(path);
    if (!probe) {
        ADD_FAILURE() << "golden file " << path
                      << " is missing; run with VPNGW_UPDATE_GOLDEN=1 to create it";
        return;
    }
    const std::string expected = read_file(path);
    if (expected != actual)
        ADD_FAILURE() << "output differs from " << path << " (VPNGW_UPDATE_GOLDEN=1 rewrites it):\n"
                      << line_diff(expected, actual);
}

}  // namespace vpngw::plan::testing
