#pragma once

// What the profile cache and index tests (cache_test.cpp, peer_index_test.cpp)
// share: test keys, the head of their profiles, a state directory.

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

#include "support/temp_dir.hpp"

namespace vpngw::profile::test {

// A distinct public key (base64) for each `tag` and i.
inline std::string test_key(const char* tag, int i) {
    unsigned char raw[32] = {};
    std::snprintf(reinterpret_cast<char*>(raw), sizeof raw, "%s-%d", tag, i);
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    return b64;
}

// [gateway] with `state_dir`, one uplink and the interface wg0 with `addresses`
// (a TOML array).
inline std::string profile_head(const std::string& state_dir, std::string_view addresses) {
    return "[gateway]\nname = \"c\"\nendpoint = \"vpn.example.net:51820\"\nstate_dir = \"" +
           state_dir +
           "\"\n\n[[uplink]]\nname = \"wan\"\ndevice = \"eth0\"\ngateway = \"203.0.113.1\"\n\n"
           "[[interface]]\nname = \"wg0\"\nlisten_port = 51820\naddress = " +
           std::string(addresses) + "\n";
}

// A profile file and its private state directory.
class StateDirTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_GE(sodium_init(), 0);
        ASSERT_FALSE(tmp.path().empty());
        ASSERT_EQ(mkdir(state.c_str(), 0700), 0);
    }
    void write(const std::string& text) { std::ofstream(path) << text; }

    TempDir tmp;
    std::string state = tmp / "state";
    std::string path = tmp / "profile.toml";
};

}  // namespace vpngw::profile::test
