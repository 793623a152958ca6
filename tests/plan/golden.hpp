#pragma once

// Golden-file comparison: the expected output lives in tests/plan/golden/.
// With VPNGW_UPDATE_GOLDEN=1 in the environment the file is (re)written
// instead and the check passes; review the change with `git diff`.

#include <string>

namespace vpngw::plan::testing {

std::string golden_dir();                        // <source>/tests/plan/golden
std::string read_file(const std::string& path);  // "" when missing
bool update_golden();

// Adds a GoogleTest failure with a line diff when `actual` differs from the
// golden file `name` (e.g. "office.nft").
void expect_golden(const std::string& name, const std::string& actual);

// A unified-diff-like listing of the lines that differ ("-" expected, "+"
// actual) with a little context; empty when equal.
std::string line_diff(const std::string& expected, const std::string& actual);

}  // namespace vpngw::plan::testing
