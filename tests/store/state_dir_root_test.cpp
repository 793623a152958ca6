// The state-directory checks that need files owned by another user: run as
// root (label netns, as CI runs it). Without root this fails instead of
// skipping, so it can never count as passed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/state_lock.hpp"
#include "support/temp_dir.hpp"

namespace vpngw::store {
namespace {

using testing::HasSubstr;

constexpr uid_t kOther = 65534;  // nobody

class StateDirAsRoot : public testing::Test {
  protected:
    void SetUp() override { ASSERT_EQ(::geteuid(), 0u) << "this test needs root (label netns)"; }
};

TEST_F(StateDirAsRoot, DirectoryOwnedByAnotherUserIsRefusedAndKeepsItsMode) {
    TempDir tmp;
    ASSERT_EQ(::mkdir((tmp / "theirs").c_str(), 0755), 0);
    ASSERT_EQ(::chown((tmp / "theirs").c_str(), kOther, kOther), 0);
    auto lock = StateLock::acquire(tmp / "theirs");
    ASSERT_FALSE(lock.ok());
    EXPECT_THAT(lock.error().message, HasSubstr("owned by uid 65534"));
    EXPECT_EQ(mode_of(tmp / "theirs"), 0755);
    EXPECT_EQ(mode_of(tmp / "theirs/lock"), -1);
}

TEST_F(StateDirAsRoot, DirectoryAboveOwnedByAnotherUserIsRefused) {
    TempDir tmp;
    ASSERT_EQ(::mkdir((tmp / "home").c_str(), 0755), 0);
    ASSERT_EQ(::chown((tmp / "home").c_str(), kOther, kOther), 0);
    ASSERT_EQ(::mkdir((tmp / "home/state").c_str(), 0700), 0);
    auto lock = StateLock::acquire(tmp / "home/state");
    ASSERT_FALSE(lock.ok());
    EXPECT_THAT(lock.error().message, HasSubstr(tmp / "home is owned by uid 65534"));
}

TEST_F(StateDirAsRoot, SymlinkOwnedByAnotherUserIsNotFollowed) {
    TempDir tmp;
    ASSERT_EQ(::mkdir((tmp / "real").c_str(), 0700), 0);
    ASSERT_EQ(::symlink((tmp / "real").c_str(), (tmp / "link").c_str()), 0);
    ASSERT_EQ(::lchown((tmp / "link").c_str(), kOther, kOther), 0);
    auto lock = StateLock::acquire(tmp / "link");
    ASSERT_FALSE(lock.ok());
    EXPECT_THAT(lock.error().message, HasSubstr("symbolic link " + (tmp / "link")));
    EXPECT_EQ(mode_of(tmp / "real/lock"), -1);
}

}  // namespace
}  // namespace vpngw::store
