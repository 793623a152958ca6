// Preshared keys sealed with the cluster secret (src/fleet/psk_seal.hpp):
// what one member seals another opens; an altered value, a value moved to
// another peer, or another secret is refused naming the peer and its key,
// and never with key bytes in the message.

#include "fleet/psk_seal.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "keys/keys.hpp"

namespace vpngw::fleet {
namespace {

using testing::HasSubstr;
using testing::Not;

constexpr const char* kKey = "/vpngw/peers/alice";

struct Sealing : testing::Test {
    SecretKey secret = *keys::generate_preshared_key();
    SecretKey psk = *keys::generate_preshared_key();
    PublicKey alice = keys::generate_key_pair()->public_key;
    PublicKey bob = keys::generate_key_pair()->public_key;

    std::string sealed() { return *seal_psk(secret, "alice", alice, psk); }

    // A refusal names the peer and the key and shows no secret, in any form.
    void expect_refused(const Result<SecretKey>& r) {
        ASSERT_FALSE(r);
        EXPECT_THAT(r.error().message, HasSubstr("peer \"alice\""));
        EXPECT_THAT(r.error().message, HasSubstr(kKey));
        EXPECT_THAT(r.error().message, Not(HasSubstr(psk.base64())));
        EXPECT_THAT(r.error().message, Not(HasSubstr(secret.base64())));
    }
};

TEST_F(Sealing, RoundTripOpensTheSameKey) {
    const std::string s = sealed();
    auto opened = open_psk(secret, "alice", alice, s, kKey);
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_TRUE(*opened == psk);
    EXPECT_THAT(s, Not(HasSubstr(psk.base64())));
    // A random nonce: sealing twice gives two values, both opening.
    const std::string again = sealed();
    EXPECT_NE(s, again);
    EXPECT_TRUE(open_psk(secret, "alice", alice, again, kKey));
}

TEST_F(Sealing, AnyAlteredByteIsRefused) {
    const std::string s = sealed();
    // Every position of the base64 text (nonce, ciphertext, tag), one at a time.
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
        std::string t = s;
        t[i] = t[i] == 'A' ? 'B' : 'A';
        if (t == s) continue;
        expect_refused(open_psk(secret, "alice", alice, t, kKey));
    }
}

TEST_F(Sealing, MalformedValuesAreRefused) {
    const std::string s = sealed();
    for (const std::string& bad : {std::string(), std::string("not base64!"), s.substr(0, 20),
                                   s + "AAAA", std::string(200, 'A')}) {
        auto r = open_psk(secret, "alice", alice, bad, kKey);
        expect_refused(r);
        EXPECT_THAT(r.error().message, HasSubstr("not base64 of 72 bytes")) << bad;
    }
}

TEST_F(Sealing, AValueMovedToAnotherPeerDoesNotOpen) {
    const std::string s = sealed();
    // Another name with the same key, the same name with another key.
    auto other_name = open_psk(secret, "bob", alice, s, "/vpngw/peers/bob");
    ASSERT_FALSE(other_name);
    EXPECT_THAT(other_name.error().message, HasSubstr("peer \"bob\""));
    expect_refused(open_psk(secret, "alice", bob, s, kKey));
    // Names that share a prefix are told apart.
    auto sealed_for_al = *seal_psk(secret, "al", alice, psk);
    EXPECT_FALSE(open_psk(secret, "alice", alice, sealed_for_al, kKey));
}

TEST_F(Sealing, AnotherSecretDoesNotOpen) {
    const SecretKey other = *keys::generate_preshared_key();
    auto r = open_psk(other, "alice", alice, sealed(), kKey);
    expect_refused(r);
    EXPECT_THAT(r.error().message, HasSubstr("does not open with this gateway's cluster secret"));
}

struct SecretFile : testing::Test {
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("psk_seal_test." + std::to_string(::getpid()));
    void SetUp() override { std::filesystem::create_directories(dir); }
    void TearDown() override { std::filesystem::remove_all(dir); }
};

TEST_F(SecretFile, CreatedOnce0600And32BytesThenRead) {
    const std::string path = (dir / "cluster.key").string();
    ASSERT_TRUE(create_cluster_secret(path));
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(st.st_size, 32);
    auto first = read_cluster_secret(path);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_FALSE(*first == SecretKey{});

    // Never overwritten: the same bytes afterwards, and no temporary left.
    auto again = create_cluster_secret(path);
    ASSERT_FALSE(again);
    EXPECT_THAT(again.error().message, HasSubstr("never overwritten"));
    EXPECT_TRUE(*read_cluster_secret(path) == *first);
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);
}

TEST_F(SecretFile, WrongSizeOrOpenModeIsRefused) {
    const std::string path = (dir / "cluster.key").string();
    { std::ofstream(path) << "short"; }
    ::chmod(path.c_str(), 0600);
    auto r = read_cluster_secret(path);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("exactly 32 bytes"));
    EXPECT_THAT(r.error().message, HasSubstr(path));

    std::filesystem::remove(path);
    ASSERT_TRUE(create_cluster_secret(path));
    ::chmod(path.c_str(), 0644);
    auto open_mode = read_cluster_secret(path);
    ASSERT_FALSE(open_mode);
    EXPECT_THAT(open_mode.error().message, HasSubstr("chmod 0600"));

    auto missing = read_cluster_secret((dir / "none").string());
    ASSERT_FALSE(missing);
    EXPECT_THAT(missing.error().message, HasSubstr("cluster secret file"));
}

}  // namespace
}  // namespace vpngw::fleet
