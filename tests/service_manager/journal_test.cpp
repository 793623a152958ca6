#include "service_manager/journal.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

namespace vpngw::service_manager {
namespace {

TEST(Journal, StderrIsTheJournalOnlyWhenJournalStreamNamesIt) {
    struct stat st {};
    ASSERT_EQ(::fstat(2, &st), 0);
    const auto mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    ::setenv("JOURNAL_STREAM", mine.c_str(), 1);
    EXPECT_TRUE(stderr_is_journal());
    // Inherited from a unit by a process whose stderr went elsewhere.
    const auto other = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1);
    ::setenv("JOURNAL_STREAM", other.c_str(), 1);
    EXPECT_FALSE(stderr_is_journal());
    ::setenv("JOURNAL_STREAM", "garbage", 1);
    EXPECT_FALSE(stderr_is_journal());
    ::unsetenv("JOURNAL_STREAM");
    EXPECT_FALSE(stderr_is_journal());
}

TEST(Journal, UnitForProfileFollowsTheTemplatesPath) {
    EXPECT_EQ(unit_for_profile("/etc/vpngw/office.toml"), "vpngw@office.service");
    EXPECT_EQ(unit_for_profile("/etc/vpngw/edge-1.lab.toml"), "vpngw@edge-1.lab.service");
    EXPECT_EQ(unit_for_profile("/srv/office.toml"), "");
    EXPECT_EQ(unit_for_profile("/etc/vpngw/sub/office.toml"), "");
    EXPECT_EQ(unit_for_profile("/etc/vpngw/.toml"), "");
    EXPECT_EQ(unit_for_profile("/etc/vpngw/office.conf"), "");
    // A name systemd would have to escape is no instance as written.
    EXPECT_EQ(unit_for_profile("/etc/vpngw/my office.toml"), "");
}

}  // namespace
}  // namespace vpngw::service_manager
