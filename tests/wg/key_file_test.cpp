#include "keys/keys.hpp"
#include "wg/key_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace vpngw::wg {
namespace {

class KeyFile : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/vpngw-keyfile-XXXXXX";
        int fd = mkstemp(tmpl);
        ASSERT_GE(fd, 0);
        ::close(fd);
        path_ = tmpl;
    }
    void TearDown() override { ::unlink(path_.c_str()); }
    void write(const std::string& text) { std::ofstream(path_) << text; }
    std::string path_;
};

TEST_F(KeyFile, ReadsAKeyWithSurroundingWhitespace) {
    write("  EHhtoXVXpnXz31cx8nrAxQfvaRqe1vf343GVSyEtqUU=\n\n");
    auto key = read_key_file(path_);
    ASSERT_TRUE(key) << key.error().message;
    EXPECT_EQ(keys::public_from_private(*key).base64(), "MhBzmIBrzw8b8iF2FH4ejh/7Vumn6Q/KoR0H5+o7mlY=");
}

TEST_F(KeyFile, ErrorsNameTheFileButNeverTheContent) {
    write("EHhtoXVXpnXz31cx8nrAxQfvaRqe1vf343GVSyEtqUU=garbage\n");
    auto key = read_key_file(path_);
    ASSERT_FALSE(key);
    EXPECT_NE(key.error().message.find(path_), std::string::npos);
    EXPECT_EQ(key.error().message.find("EHhtoX"), std::string::npos);
    EXPECT_EQ(key.error().message.find("garbage"), std::string::npos);
}

TEST_F(KeyFile, MissingFileIsAnError) {
    auto key = read_key_file(path_ + ".missing");
    ASSERT_FALSE(key);
    EXPECT_NE(key.error().message.find("No such file"), std::string::npos);
}

TEST(DerivePublicKey, ClampsLikeWg) {
    // An unclamped key gives the same public key as its clamped form.
    auto k = SecretKey::from_base64("EHhtoXVXpnXz31cx8nrAxQfvaRqe1vf343GVSyEtqUU=");
    ASSERT_TRUE(k);
    SecretKey unclamped = *k;
    unclamped.data()[0] |= 7;
    unclamped.data()[31] |= 128;
    EXPECT_EQ(keys::public_from_private(unclamped), keys::public_from_private(*k));
}

}  // namespace
}  // namespace vpngw::wg

#include "wg/from_state.hpp"

namespace vpngw::wg {
namespace {

TEST_F(KeyFile, DeviceConfigFromStateReadsTheKeyFiles) {
    write("EHhtoXVXpnXz31cx8nrAxQfvaRqe1vf343GVSyEtqUU=\n");
    state::WgDevice dev;
    dev.ifname = "wg0";
    dev.listen_port = 51820;
    dev.fwmark = 7;
    dev.private_key_file = path_;
    state::WgPeer a;
    a.public_key.bytes.fill(1);
    a.allowed_ips = {*Prefix::parse("10.8.1.2/32")};
    a.keepalive = 25;
    state::WgPeer b = a;
    b.public_key.bytes.fill(2);
    b.preshared_key_file = path_;
    dev.peers = {a, b};
    auto cfg = device_config(dev);
    ASSERT_TRUE(cfg) << cfg.error().message;
    ASSERT_TRUE(cfg->private_key);
    EXPECT_EQ(keys::public_from_private(*cfg->private_key).base64(),
              "MhBzmIBrzw8b8iF2FH4ejh/7Vumn6Q/KoR0H5+o7mlY=");
    EXPECT_EQ(cfg->listen_port, 51820);
    EXPECT_EQ(cfg->fwmark, 7u);
    EXPECT_TRUE(cfg->replace_peers);
    ASSERT_EQ(cfg->peers.size(), 2u);
    EXPECT_EQ(cfg->peers[0].keepalive, 25);
    EXPECT_EQ(*cfg->peers[0].preshared_key, SecretKey{});
    EXPECT_EQ(*cfg->peers[1].preshared_key, *cfg->private_key);

    dev.peers[1].preshared_key_file = path_ + ".missing";
    dev.peers[1].origin = Location{"office.toml", 12, 3};
    auto bad = device_config(dev);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().where.line, 12);
}

}  // namespace
}  // namespace vpngw::wg
