// The state directory (issue 16 item 5): vpngw refuses one that someone
// other than root (or the user running it) could change, and system
// directories; it never chmods a directory it did not create; and it follows
// no symlink planted inside. Each case goes through what a3739bc already had
// (StateLock::acquire, load_peers, read_psk, wg::read_key_file), which took
// such a directory over (chmod 0700) or read through the link.
//
// Rootless here; the cases that need another user's files are in
// state_dir_root_test.cpp (label netns: CI runs them as root).

#include "store/state_dir_check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "registry/sqlite_registry.hpp"
#include "store/peer_files.hpp"
#include "store/state_lock.hpp"
#include "support/temp_dir.hpp"
#include "wg/key_file.hpp"

namespace vpngw::store {
namespace {

using testing::HasSubstr;

void make_dir(const std::string& path, mode_t mode) {
    ASSERT_EQ(::mkdir(path.c_str(), 0700), 0) << path;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

TEST(StateDir, GroupOrOtherWritableDirectoryIsRefusedAndKeepsItsMode) {
    for (mode_t mode : {0777, 01777, 0770, 0702}) {
        TempDir tmp;
        make_dir(tmp / "shared", mode);
        auto lock = StateLock::acquire(tmp / "shared");
        ASSERT_FALSE(lock.ok()) << std::oct << mode;
        EXPECT_THAT(lock.error().message, HasSubstr("writable by group or others"));
        EXPECT_EQ(mode_of(tmp / "shared"), static_cast<int>(mode)) << "never chmodded";
        EXPECT_EQ(mode_of(tmp / "shared/lock"), -1) << "nothing written in it";
    }
}

TEST(StateDir, DirectoryAboveWritableByOthersIsRefused) {
    TempDir tmp;
    make_dir(tmp / "open", 0777);  // no sticky bit: anyone may rename state/
    make_dir(tmp / "open/state", 0700);
    auto lock = StateLock::acquire(tmp / "open/state");
    ASSERT_FALSE(lock.ok());
    EXPECT_THAT(lock.error().message, HasSubstr(tmp / "open is writable by group or others"));
    // Not created below it either.
    EXPECT_FALSE(StateLock::acquire(tmp / "open/new").ok());
    EXPECT_EQ(mode_of(tmp / "open/new"), -1);
}

// An existing private directory is used as it is (0750 stays 0750); below a
// sticky directory (as /tmp is: others cannot rename what is not theirs
// there) a new one is created 0700.
TEST(StateDir, SafeDirectoriesAreUsedWithTheirModes) {
    struct Case {
        const char* made;
        mode_t mode;
        const char* state;
        int expected;
    };
    for (const Case& c :
         {Case{"state", 0750, "state", 0750}, Case{"sticky", 01777, "sticky/state", 0700}}) {
        TempDir tmp;
        make_dir(tmp / c.made, c.mode);
        auto lock = StateLock::acquire(tmp / c.state);
        ASSERT_TRUE(lock.ok()) << c.state << ": " << lock.error().str();
        EXPECT_EQ(mode_of(tmp / c.state), c.expected) << c.state;
    }
}

TEST(StateDir, MissingDirectoriesAreCreatedPrivate) {
    TempDir tmp;
    ScopedUmask um(0);
    auto lock = StateLock::acquire(tmp / "a/b/state");
    ASSERT_TRUE(lock.ok()) << lock.error().str();
    for (const auto& d : {tmp / "a", tmp / "a/b", tmp / "a/b/state"}) EXPECT_EQ(mode_of(d), 0700);
}

TEST(StateDir, SystemDirectoriesAreRefused) {
    for (const char* dir :
         {"/", "/etc", "/var/lib", "/tmp", "/home", "/usr", "/run", "/root", "/var/lib/../../etc/",
          "//usr//local/", "/proc/self", "/dev/shm", "/sys/kernel"}) {
        auto st = check_state_dir(dir);
        ASSERT_FALSE(st.ok()) << dir;
        EXPECT_THAT(st.error().message, HasSubstr("cannot use " + std::string(dir))) << dir;
    }
    // Through a symlink too (the refusal names where it resolves).
    TempDir tmp;
    ASSERT_EQ(::symlink("/etc", (tmp / "etc-link").c_str()), 0);
    auto st = StateLock::acquire(tmp / "etc-link");
    ASSERT_FALSE(st.ok());
    EXPECT_THAT(st.error().message, HasSubstr("it resolves to /etc"));
    EXPECT_FALSE(::access("/etc/lock", F_OK) == 0) << "nothing written in /etc";
}

TEST(StateDir, NonDirectoryIsRefused) {
    TempDir tmp;
    write_text(tmp / "file", "x");
    EXPECT_FALSE(check_state_dir(tmp / "file").ok());
    EXPECT_FALSE(check_state_dir(tmp / "file/state").ok());
    EXPECT_FALSE(check_state_dir("relative/state").ok());
}

// A symlink planted in the state directory is not followed: peers.db (or a
// legacy peers.tsv) pointing at a file elsewhere must not load its peers.
TEST(StateDir, PlantedSymlinkIsNotFollowed) {
    TempDir tmp;
    StatePaths paths{tmp / "state"};
    ASSERT_TRUE(StateLock::acquire(paths.dir).ok());
    PublicKey key;
    key.bytes[0] = 7;
    write_text(tmp / "other.tsv", "vpngw-peers 2\nplanted\tstaff\t" + key.base64() +
                                      "\t-\t-\t-\t2024-05-01T12:00:00Z\n");
    ASSERT_EQ(::symlink((tmp / "other.tsv").c_str(), paths.peers_file().c_str()), 0);
    auto legacy = registry::read_stored_peers(paths.dir);
    ASSERT_FALSE(legacy.ok()) << "followed the link: " << legacy->size() << " peer(s)";
    EXPECT_THAT(legacy.error().message, HasSubstr(paths.peers_file()));
    ASSERT_EQ(::unlink(paths.peers_file().c_str()), 0);

    // The registry itself: a peers.db that is a link to another database.
    {
        auto reg = registry::open_sqlite_registry(tmp / "other", {"test", "test"});
        ASSERT_TRUE(reg.ok()) << reg.error().str();
    }
    ASSERT_EQ(::symlink((tmp / "other/peers.db").c_str(), paths.registry_file().c_str()), 0);
    auto opened = registry::read_stored_peers(paths.dir);
    EXPECT_FALSE(opened.ok()) << "opened the database through a link";

    // A preshared key file planted as a link is refused too.
    make_dir(paths.psk_dir(), 0700);
    write_text(tmp / "key", "YmFzZTY0YmFzZTY0YmFzZTY0YmFzZTY0YmFzZTY0YmE=\n");
    ASSERT_EQ(::symlink((tmp / "key").c_str(), paths.psk_file("planted")->c_str()), 0);
    EXPECT_FALSE(read_psk(paths, "planted").ok());
    // And a private key file (what `up` loads into the device).
    ASSERT_EQ(::symlink((tmp / "key").c_str(), (paths.dir + "/wg0.key").c_str()), 0);
    ASSERT_TRUE(wg::read_key_file(tmp / "key").ok()) << "the key itself is readable";
    EXPECT_FALSE(wg::read_key_file(paths.dir + "/wg0.key").ok());
}

}  // namespace
}  // namespace vpngw::store
