// What a corrupt or hostile legacy state file gets back when migrated
// (issue 16 item 10): the error names file, line and field, quotes at most an excerpt of the field
// (a megabyte-long name made a megabyte-long message on a3739bc), and a peer
// with the all-zero public key is refused.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "registry/legacy_formats.hpp"
#include "registry/legacy_import.hpp"
#include "store/state_lock.hpp"
#include "support/temp_dir.hpp"

namespace vpngw::registry {
namespace {

using testing::HasSubstr;

constexpr std::size_t kMegabyte = 1 << 20;
constexpr std::size_t kShort = 300;  // a message of one line

PublicKey a_key() {
    PublicKey k;
    k.bytes[0] = 1;
    return k;
}

// peers.tsv of the last release holding alice, with `from` (a whole
// tab-separated field of her line) replaced by `to`.
Result<std::optional<LegacyState>> load_with(const std::string& from, const std::string& to) {
    TempDir tmp;
    store::StatePaths paths{tmp / "state"};
    if (!store::StateLock::acquire(paths.dir).ok()) return Error{"no state directory"};
    std::string text = "vpngw-peers 2\n# snapshot 0123456789abcdef\nalice\tstaff\t" +
                       a_key().base64() + "\t10.8.1.2\t-\t-\t2024-05-01T12:00:00Z\n";
    const auto at = text.find(from);
    if (at == std::string::npos) return Error{"test text lacks " + from};
    text.replace(at, from.size(), to);
    std::ofstream(paths.peers_file(), std::ios::binary) << text;
    return read_legacy_state(paths.dir);
}

TEST(LegacyErrors, HugeNameIsCutShortInTheMessage) {
    auto loaded = load_with("alice\t", std::string(kMegabyte, 'n') + "\t");
    ASSERT_FALSE(loaded.ok());
    const std::string& m = loaded.error().message;
    EXPECT_LT(m.size(), kShort) << m.substr(0, 200);
    EXPECT_THAT(m, HasSubstr("invalid peer name \"nnnn"));
    EXPECT_THAT(m, HasSubstr("(1048576 bytes)"));
    EXPECT_EQ(loaded.error().where.column, 1);
}

TEST(LegacyErrors, HugeGroupAndAddressAreCutShort) {
    for (const auto& [from, field] :
         {std::pair<std::string, std::string>{"\tstaff\t", "group"}, {"\t10.8.1.2\t", "address"}}) {
        auto loaded = load_with(from, "\t" + std::string(kMegabyte, '9') + "\t");
        ASSERT_FALSE(loaded.ok()) << field;
        EXPECT_LT(loaded.error().message.size(), kShort) << field;
        EXPECT_THAT(loaded.error().message, HasSubstr(field + ": "));
        EXPECT_THAT(loaded.error().message, HasSubstr("(1048576 bytes)"));
    }
}

TEST(LegacyErrors, HugeJournalNameIsCutShort) {
    const std::string text =
        "vpngw-peers-journal 1 snap\nremove\t" + std::string(kMegabyte, 'j') + "\n";
    auto parsed = legacy::parse_journal(text, "peers.journal");
    ASSERT_FALSE(parsed.ok());
    EXPECT_LT(parsed.error().message.size(), kShort);
    EXPECT_THAT(parsed.error().message, HasSubstr("(1048576 bytes)"));
    EXPECT_EQ(parsed.error().where.line, 2);
}

TEST(LegacyErrors, ExcerptDoesNotSplitACharacter) {
    // 39 ASCII bytes, then two-byte characters: byte 40 starts one, so the
    // cut must fall before it or after it, never inside.
    std::string name(39, 'x');
    for (int i = 0; i < 1000; ++i) name += "\xc3\xa9";
    auto loaded = load_with("alice\t", name + "\t");
    ASSERT_FALSE(loaded.ok());
    const std::string& m = loaded.error().message;
    const auto open = m.find('"');
    const auto close = m.find('"', open + 1);
    ASSERT_NE(close, std::string::npos);
    const std::string excerpt = m.substr(open + 1, close - open - 1);
    EXPECT_EQ(excerpt, std::string(39, 'x')) << "a lone lead byte would be cut off here";
}

TEST(LegacyErrors, AllZeroPublicKeyIsRefused) {
    PublicKey zero;
    auto loaded = load_with(a_key().base64(), zero.base64());
    ASSERT_FALSE(loaded.ok());
    EXPECT_THAT(loaded.error().message, HasSubstr("public_key: the all-zero key"));
}

}  // namespace
}  // namespace vpngw::registry
