// Messages show what a hostile value is made of: a bidi override or a
// zero-width joiner in a name is printed as an escape, never as itself (it
// would reorder or hide the rest of the line in a terminal).

#include <gtest/gtest.h>

#include "profile/loader.hpp"
#include "profile/quote.hpp"

namespace vpngw::profile {
namespace {

TEST(EscapeMessages, FormatCharactersInAProfileValueAreShownAsEscapes) {
    auto loaded = load_string(
        "[gateway]\nname = \"gw\xe2\x80\xae"
        "exe.txt\xe2\x80\x8d\"\nstate_dir = \"/srv/a\xc2\x85\"\n",
        "p.toml");
    ASSERT_FALSE(loaded.profile);
    std::string all;
    for (const auto& d : loaded.diagnostics.all()) all += d.str() + "\n";
    EXPECT_NE(all.find("gw\\u{202e}exe.txt\\u{200d}"), std::string::npos) << all;
    EXPECT_NE(all.find("/srv/a\\u{0085}"), std::string::npos) << all;
    for (const char* raw : {"\xe2\x80\xae", "\xe2\x80\x8d", "\xc2\x85"})
        EXPECT_EQ(all.find(raw), std::string::npos) << all;
}

TEST(EscapeMessages, QuotedKeepsOrdinaryUnicodeAndCutsOnACharacter) {
    EXPECT_EQ(profile::quoted("caf\xc3\xa9 \"x\"\\"), "\"caf\xc3\xa9 \\\"x\\\"\\\\\"");
    EXPECT_EQ(profile::quoted("a\n\x1b[2J"), "\"a\\x0a\\x1b[2J\"");
    const std::string long_text = std::string(79, 'a') + "\xc3\xa9" + "tail";
    EXPECT_EQ(profile::quoted(long_text), "\"" + std::string(79, 'a') + "...\"");
}

}  // namespace
}  // namespace vpngw::profile
