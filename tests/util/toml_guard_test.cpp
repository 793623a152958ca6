#include "util/toml_guard.hpp"

#include <gtest/gtest.h>

namespace vpngw {
namespace {

// What toml++ 3.3 handled with undefined behaviour (found by tests/fuzz):
// each is refused here, at the offending character.
TEST(TomlGuard, NonAsciiOutsideStringsIsRefusedWhereItStands) {
    auto h = find_toml_hazard(
        "[gateway]\naddress = 2\xc5\xa4"
        "7\n");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->line, 2);
    EXPECT_EQ(h->column, 12);
    EXPECT_NE(h->message.find("non-ASCII"), std::string::npos);
    EXPECT_TRUE(find_toml_hazard("\xcc\xaa"));  // toml++ issue #295's input
    EXPECT_TRUE(find_toml_hazard("a = 1 \xc2\xa0\n"));
}

TEST(TomlGuard, NonAsciiAfterALineEndingBackslashIsRefused) {
    // toml++ issue #190: s = """\<newline>§"""
    auto h = find_toml_hazard("s = \"\"\"\\\n\xc2\xa7\"\"\"\n");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->line, 2);
    EXPECT_EQ(h->column, 1);
    EXPECT_TRUE(find_toml_hazard("s = \"\"\"\\  \r\n   \n \xc2\xa7\"\"\"\n"));
}

TEST(TomlGuard, UnicodeInStringsAndCommentsIsLeftToToml) {
    EXPECT_FALSE(find_toml_hazard("# caf\xc3\xa9 \xe2\x80\xa8\nname = \"caf\xc3\xa9\"\n"));
    EXPECT_FALSE(find_toml_hazard("a = 'l\xc3\xa0'\nb = '''\n\xc3\xa0\n'''\n"));
    EXPECT_FALSE(
        find_toml_hazard("s = \"\"\"\n\xc2\xa7\\\\\n\xc2\xa7\"\"\"\n"));  // escaped backslash
    EXPECT_FALSE(find_toml_hazard("s = \"\"\"\\\nx\xc2\xa7\"\"\"\n"));    // ASCII first
    EXPECT_FALSE(find_toml_hazard("\"k\xc3\xa9y\" = \"a \\\" \xc3\xa9\"\n"));
}

TEST(TomlGuard, AQuoteInsideABadTokenOpensNoString) {
    // toml++ reads `1"...` on as one token: the non-ASCII byte is outside any string.
    EXPECT_TRUE(find_toml_hazard("version = 1\"ab\xd1\x95\"\n"));
    EXPECT_TRUE(find_toml_hazard("key\"x\xc3\xa9\" = 1\n"));
    // Strings open where TOML allows them: after '=', '[', ',', '{', '.' or at a line's start.
    EXPECT_FALSE(find_toml_hazard("a = [\"\xc3\xa9\", '\xc3\xa9']\nb = { c = \"\xc3\xa9\" }\n"));
    EXPECT_FALSE(find_toml_hazard("x.\"\xc3\xa9\" = 1\n[\"\xc3\xa9\"]\n  '\xc3\xa9' = 2\n"));
    EXPECT_FALSE(find_toml_hazard("a = [\n  \"\xc3\xa9\",\n]\n"));
}

TEST(TomlGuard, QuotesAtTheEndOfMultiLineStringsKeepTheScanInStep) {
    // """a"""" is the string a" : the scan must not open a string at the last quote.
    EXPECT_TRUE(find_toml_hazard("s = \"\"\"a\"\"\"\"\nt = \xc3\xa9\n"));
    EXPECT_FALSE(find_toml_hazard("s = '''a''''\nt = '\xc3\xa9'\n"));
}

}  // namespace
}  // namespace vpngw
