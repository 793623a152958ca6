// Key files named by the profile: an empty (or whitespace-only) one is an
// error, a missing one is not, and their contents never reach a message.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support/profile_text.hpp"

namespace vpngw::profile {
namespace {

namespace fs = std::filesystem;
using testing::ElementsAre;
using testing::IsEmpty;

class KeyFiles : public testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/vpngw-profile-test-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& content) {
        const std::string path = dir_ + "/" + name;
        std::ofstream(path) << content;
        return path;
    }
    std::string profile_with_key(const std::string& path) {
        return test::replace(test::base_profile(), "name = \"wg0\"\n",
                             "name = \"wg0\"\nprivate_key_file = \"" + path + "\"\n");
    }

    std::string dir_;
};

TEST_F(KeyFiles, EmptyOrBlankFileIsAnError) {
    const auto empty = write("empty.key", "");
    EXPECT_THAT(test::errors_of(profile_with_key(empty)),
                ElementsAre("6:20: error: private key file \"" + empty + "\" is empty"));
    const auto blank = write("blank.key", " \n\t\n");
    EXPECT_THAT(test::errors_of(profile_with_key(blank)),
                ElementsAre("6:20: error: private key file \"" + blank + "\" is empty"));
}

TEST_F(KeyFiles, KeyContentsAreAcceptedAndNeverPrinted) {
    const std::string secret = "aGVyZSBiZSBhIHNlY3JldCBrZXkgb2YgMzIgYnl0ZXM=";
    const auto key = write("wg0.key", secret + "\n");
    auto r = load_string(profile_with_key(key), "t.toml");
    EXPECT_TRUE(r.profile);
    for (const auto& d : r.diagnostics.all()) EXPECT_EQ(d.str().find(secret), std::string::npos);
    ASSERT_TRUE(r.profile);
    EXPECT_EQ(r.profile->interfaces[0].private_key_file, key);  // the path, not the key
}

TEST_F(KeyFiles, MissingFileIsFineAndDirectoryIsNot) {
    EXPECT_THAT(test::errors_of(profile_with_key(dir_ + "/absent.key")), IsEmpty());
    EXPECT_THAT(
        test::errors_of(profile_with_key(dir_)),
        ElementsAre("6:20: error: private key file \"" + dir_ + "\" is not a regular file"));
}

TEST_F(KeyFiles, DefaultPathUnderStateDirIsChecked) {
    write("wg0.key", "");
    auto text = test::replace(test::base_profile(), "name = \"gw\"\n",
                              "name = \"gw\"\nstate_dir = \"" + dir_ + "\"\n");
    EXPECT_THAT(test::errors_of(text),
                ElementsAre("5:1: error: private key file \"" + dir_ + "/wg0.key\" is empty"));
}

TEST_F(KeyFiles, RelativePathsAreRelativeToTheProfile) {
    write("rel.key", "");
    write("profile.toml", profile_with_key("rel.key"));
    auto r = load_file(dir_ + "/profile.toml");
    EXPECT_THAT(test::lines_of(r, Severity::error),
                ElementsAre("6:20: error: private key file \"rel.key\" is empty"));
    write("good.key", "aGVyZSBiZSBhIHNlY3JldCBrZXkgb2YgMzIgYnl0ZXM=\n");
    write("good.toml", profile_with_key("good.key"));
    auto good = load_file(dir_ + "/good.toml");
    ASSERT_TRUE(good.profile);
    EXPECT_EQ(good.profile->interfaces[0].private_key_file, dir_ + "/good.key");
}

TEST_F(KeyFiles, PresharedKeyFileIsCheckedToo) {
    const auto psk = write("p.psk", "");
    auto text = test::base_profile() + "[[group]]\nname = \"g\"\nsubnet = \"10.8.1.0/24\"\n" +
                "[[peer]]\nname = \"p\"\ngroup = \"g\"\n" +
                "public_key = \"3+2ztO9TJKFw3+6zW4JEVl2GvoU/4Afbp2dcPpWAk08=\"\n" +
                "preshared_key_file = \"" + psk + "\"\n";
    EXPECT_THAT(test::errors_of(text),
                ElementsAre("17:22: error: preshared key file \"" + psk + "\" is empty"));
}

TEST_F(KeyFiles, FifoDoesNotHang) {
    const std::string fifo = dir_ + "/fifo.key";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_THAT(
        test::errors_of(profile_with_key(fifo)),
        ElementsAre("6:20: error: private key file \"" + fifo + "\" is not a regular file"));
}

}  // namespace
}  // namespace vpngw::profile
