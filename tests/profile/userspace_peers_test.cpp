// wireguard-go holds at most 65,536 peers on one device (issue 19 item 4):
// `check` says so for a userspace interface with more, at its backend line,
// and not for the kernel backend.

#include <gtest/gtest.h>

#include <string>

#include "model/profile.hpp"
#include "profile/loader.hpp"
#include "util/key.hpp"

namespace vpngw::profile {
namespace {

// An interface (backend on line 7) and `peers` inline peers of one group.
std::string profile_with(const char* backend, std::size_t peers) {
    std::string text =
        "[gateway]\nname = \"big\"\nendpoint = \"vpn.example.test:51820\"\n"
        "[[interface]]\nname = \"wg0\"\naddress = [\"10.0.0.1/8\"]\n"
        "backend = \"" +
        std::string(backend) +
        "\"\n"
        "[[group]]\nname = \"staff\"\nsubnet = \"10.0.0.0/8\"\nallow = [\"any\"]\n";
    text.reserve(peers * 100);
    for (std::size_t i = 0; i < peers; ++i) {
        PublicKey k;
        for (std::size_t b = 0; b < k.bytes.size(); ++b)
            k.bytes[b] = static_cast<std::uint8_t>(b + 1);
        k.bytes[0] = static_cast<std::uint8_t>(i);
        k.bytes[1] = static_cast<std::uint8_t>(i >> 8);
        k.bytes[2] = static_cast<std::uint8_t>(i >> 16);
        text += "[[peer]]\nname = \"p" + std::to_string(i) +
                "\"\ngroup = \"staff\"\npublic_key = \"" + k.base64() + "\"\n";
    }
    return text;
}

int userspace_errors(const LoadResult& r, Location* where = nullptr) {
    int n = 0;
    for (const auto& d : r.diagnostics.all())
        if (d.severity == Severity::error && d.message.find("wireguard-go") != std::string::npos) {
            ++n;
            if (where) *where = d.where;
        }
    return n;
}

TEST(UserspacePeerLimit, CheckRefusesMorePeersThanWireguardGoHoldsAtTheBackendLine) {
    const auto over =
        load_string(profile_with("userspace", model::kUserspacePeerLimit + 1), "big.toml");
    Location where;
    ASSERT_EQ(userspace_errors(over, &where), 1);
    EXPECT_EQ(where.file, "big.toml");
    EXPECT_EQ(where.line, 7);
    for (const auto& d : over.diagnostics.all())
        if (d.message.find("wireguard-go") != std::string::npos) {
            EXPECT_NE(d.message.find("65537 peers"), std::string::npos) << d.message;
            EXPECT_NE(d.message.find("backend = \"kernel\""), std::string::npos) << d.message;
        }
    // The limit itself fits, and the kernel backend has no such limit.
    EXPECT_EQ(userspace_errors(
                  load_string(profile_with("userspace", model::kUserspacePeerLimit), "big.toml")),
              0);
    EXPECT_EQ(userspace_errors(
                  load_string(profile_with("kernel", model::kUserspacePeerLimit + 1), "big.toml")),
              0);
}

}  // namespace
}  // namespace vpngw::profile
