#include "store/atomic_file.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <thread>

#include "support/temp_dir.hpp"

namespace vpngw::store {
namespace {

std::string slurp(const std::string& path) {
    auto r = read_file_if_exists(path);
    EXPECT_TRUE(r.ok()) << r.error().str();
    return r.ok() && *r ? **r : std::string("<missing>");
}

std::vector<std::string> entries(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

TEST(AtomicWrite, CreatesAndReplacesLeavingNoTemporaries) {
    TempDir tmp;
    const std::string f = tmp / "peers.toml";
    ASSERT_TRUE(atomic_write_file(f, "first\n", 0600).ok());
    EXPECT_EQ(slurp(f), "first\n");
    ASSERT_TRUE(atomic_write_file(f, "second, longer\n", 0600).ok());
    EXPECT_EQ(slurp(f), "second, longer\n");
    ASSERT_TRUE(atomic_write_file(f, "", 0600).ok());
    EXPECT_EQ(slurp(f), "");
    EXPECT_EQ(entries(tmp.path()), std::vector<std::string>{"peers.toml"});
}

TEST(AtomicWrite, ModeIsExactWhateverTheUmask) {
    TempDir tmp;
    for (mode_t mask : {0000, 0022, 0077, 0777}) {
        ScopedUmask um(mask);
        const std::string f = tmp / ("f" + std::to_string(mask));
        ASSERT_TRUE(atomic_write_file(f, "x", 0600).ok());
        EXPECT_EQ(mode_of(f), 0600) << "umask " << std::oct << mask;
        ASSERT_TRUE(atomic_write_file(f, "y", 0644).ok());
        EXPECT_EQ(mode_of(f), 0644) << "umask " << std::oct << mask;
    }
}

TEST(AtomicWrite, MissingDirectoryIsAnErrorNamingIt) {
    TempDir tmp;
    auto s = atomic_write_file(tmp / "nope/file", "x", 0600);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find(tmp / "nope"), std::string::npos) << s.error().message;
}

TEST(AtomicWrite, ReadMissingFileIsNullopt) {
    TempDir tmp;
    auto r = read_file_if_exists(tmp / "absent");
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->has_value());
}

// Replacing without the directory fsync (the apply's progress record) is
// the same replacement for every reader: whole contents, exact mode, no
// temporary left behind.
TEST(AtomicWrite, OldOrNewFileReplacesLikeTheDefault) {
    TempDir tmp;
    const std::string f = tmp / "apply-in-progress";
    const auto after = AfterPowerLoss::old_or_new_file;
    ASSERT_TRUE(atomic_write_file(f, "completed = 0\n", 0600, after).ok());
    EXPECT_EQ(slurp(f), "completed = 0\n");
    ASSERT_TRUE(atomic_write_file(f, "completed = 1\nmore\n", 0640, after).ok());
    EXPECT_EQ(slurp(f), "completed = 1\nmore\n");
    EXPECT_EQ(mode_of(f), 0640);
    EXPECT_EQ(entries(tmp.path()), std::vector<std::string>{"apply-in-progress"});
}

// A writer SIGKILLed at random moments: the target is always one complete
// version, never a truncated or mixed one.
void killed_writer_never_leaves_a_truncated_target(AfterPowerLoss after) {
    TempDir tmp;
    const std::string f = tmp / "peers.toml";
    const std::string a = std::string(4 << 20, 'a') + "\nend-a\n";
    const std::string b = std::string(3 << 20, 'b') + "\nend-b\n";
    ASSERT_TRUE(atomic_write_file(f, a, 0600).ok());

    std::mt19937 rng(12345);
    int interrupted = 0;  // kills that left a temp file: they hit a write mid-way
    for (int round = 0; round < 25; ++round) {
        pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            for (unsigned i = 0;; ++i)
                if (!atomic_write_file(f, i % 2 ? a : b, 0600, after).ok()) _exit(3);
        }
        std::this_thread::sleep_for(std::chrono::microseconds(1000 + rng() % 30000));
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        ASSERT_TRUE(WIFSIGNALED(status)) << "writer failed on its own, status " << status;
        const std::string now = slurp(f);
        ASSERT_TRUE(now == a || now == b)
            << "round " << round << ": target has " << now.size() << " bytes, neither version";
        for (const auto& name : entries(tmp.path()))
            if (name != "peers.toml") {
                ++interrupted;
                std::filesystem::remove(tmp / name);
            }
    }
    EXPECT_GT(interrupted, 0) << "no kill landed during a write: the test proved nothing";
}

TEST(AtomicWrite, KilledWriterNeverLeavesATruncatedTarget) {
    killed_writer_never_leaves_a_truncated_target(AfterPowerLoss::new_file);
}

TEST(AtomicWrite, KilledWriterWithoutDirectorySyncNeverLeavesATruncatedTarget) {
    killed_writer_never_leaves_a_truncated_target(AfterPowerLoss::old_or_new_file);
}

// issue 16: `image build -o DIR` wrote through symlinks already in DIR.
TEST(AtomicWriteAt, ReplacesASymlinkAtTheFileAndLeavesItsTargetAlone) {
    TempDir tmp, elsewhere;
    const std::string victim = elsewhere / "victim";
    ASSERT_TRUE(atomic_write_file(victim, "precious\n", 0600).ok());
    std::filesystem::create_symlink(victim, tmp / "build.sh");
    auto dir = open_dir_nofollow(tmp.path());
    ASSERT_TRUE(dir.ok()) << dir.error().str();
    ASSERT_TRUE(atomic_write_file_at(dir->get(), tmp.path(), "build.sh", "new\n", 0755).ok());
    EXPECT_EQ(slurp(victim), "precious\n");
    EXPECT_EQ(mode_of(victim), 0600);
    EXPECT_FALSE(std::filesystem::is_symlink(tmp / "build.sh"));
    EXPECT_EQ(slurp(tmp / "build.sh"), "new\n");
    EXPECT_EQ(mode_of(tmp / "build.sh"), 0755);
}

TEST(AtomicWriteAt, RefusesASymlinkedDirectoryOnTheWay) {
    TempDir tmp, elsewhere;
    std::filesystem::create_symlink(elsewhere.path(), tmp / "rootfs");
    auto dir = open_dir_nofollow(tmp.path());
    ASSERT_TRUE(dir.ok());
    auto s = atomic_write_file_at(dir->get(), tmp.path(), "rootfs/etc/x.conf", "x", 0644);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find(tmp / "rootfs"), std::string::npos) << s.error().message;
    EXPECT_TRUE(entries(elsewhere.path()).empty());
}

TEST(AtomicWriteAt, MakesMissingDirectories0755WhateverTheUmask) {
    TempDir tmp;
    ScopedUmask um(0077);
    auto dir = open_dir_nofollow(tmp.path());
    ASSERT_TRUE(dir.ok());
    ASSERT_TRUE(atomic_write_file_at(dir->get(), tmp.path(), "a/b/c.txt", "c", 0640).ok());
    EXPECT_EQ(mode_of(tmp / "a"), 0755);
    EXPECT_EQ(mode_of(tmp / "a/b"), 0755);
    EXPECT_EQ(mode_of(tmp / "a/b/c.txt"), 0640);
    EXPECT_EQ(slurp(tmp / "a/b/c.txt"), "c");
    for (const char* bad : {"../x", "a/./b", "/abs", "a//b", ""})
        EXPECT_FALSE(atomic_write_file_at(dir->get(), tmp.path(), bad, "x", 0644).ok()) << bad;
}

TEST(AtomicWriteAt, OpenDirRefusesASymlink) {
    TempDir tmp, elsewhere;
    std::filesystem::create_symlink(elsewhere.path(), tmp / "out");
    EXPECT_FALSE(open_dir_nofollow(tmp / "out").ok());
    EXPECT_TRUE(open_dir_nofollow(elsewhere.path()).ok());
}

}  // namespace
}  // namespace vpngw::store
