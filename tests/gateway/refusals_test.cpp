// What a session refuses before it changes anything (issue 16 items 5, 10):
// a state directory others can write to, named by the profile, is an error
// on the profile's state_dir line, and `peer add --public-key` refuses the
// all-zero key. Both were accepted on a3739bc.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/peer_files.hpp"
#include "support/peer_session.hpp"

namespace vpngw::gateway::test {
namespace {

using testing::HasSubstr;

TEST(Refusals, SharedStateDirIsAnErrorOnTheProfileLine) {
    TempDir tmp;
    const std::string shared = tmp / "shared";
    ASSERT_EQ(::mkdir(shared.c_str(), 0700), 0);
    ASSERT_EQ(::chmod(shared.c_str(), 01777), 0);
    const std::string profile = tmp / "profile.toml";
    std::string text = read_text(kFixture);
    const std::string from = "state_dir = \"/var/lib/vpngw-peers-test-unused\"";
    ASSERT_NE(text.find(from), std::string::npos);
    text.replace(text.find(from), from.size(), "state_dir = \"" + shared + "\"");
    write_text(profile, text);

    for (LockMode lock : {LockMode::exclusive, LockMode::none}) {
        Options o;
        o.profile_path = profile;  // no --state-dir: the profile chose it
        Diagnostics diags;
        auto s = open_session(o, lock, diags);
        ASSERT_FALSE(s.ok()) << "a 1777 state directory was used";
        EXPECT_THAT(s.error().message, HasSubstr("writable by group or others"));
        EXPECT_EQ(s.error().where.file, profile);
        EXPECT_EQ(s.error().where.line, line_of(profile, "state_dir = "));
        EXPECT_EQ(s.error().where.column, 13);
    }
    EXPECT_EQ(mode_of(shared), 01777) << "never chmodded";
    EXPECT_FALSE(exists(shared + "/lock"));
}

TEST(Refusals, PeerAddRefusesTheAllZeroKey) {
    TempDir tmp;
    FakeLive live;
    auto s = open(tmp.path());
    auto added = add_peer(s, AddPeerRequest{"zero", "staff", PublicKey{}, false}, live);
    ASSERT_FALSE(added.ok()) << "the all-zero key was added";
    EXPECT_THAT(added.error().message, HasSubstr("all-zero key"));
    EXPECT_TRUE(live.set_calls.empty());
    EXPECT_FALSE(is_stored(tmp.path(), "zero"));
}

}  // namespace
}  // namespace vpngw::gateway::test
