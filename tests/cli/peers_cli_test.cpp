// `vpngw peer ...` as a process: exit codes, output, and 50 concurrent adds.

#include <gtest/gtest.h>

#include <set>

#include "keys/keys.hpp"
#include "registry/sqlite_registry.hpp"
#include "support/run_vpngw.hpp"

namespace vpngw::gateway::test {
namespace {

std::vector<std::string> peer_args(const TempDir& state, std::vector<std::string> args) {
    args.insert(args.begin(), "peer");
    for (std::string a : {"--profile", kFixture.c_str(), "--state-dir"}) args.push_back(a);
    args.push_back(state.path());
    return args;
}

TEST(PeerCli, AddPrintsTheConfigAndShowPrintsItAgain) {
    TempDir tmp;
    auto add = run_vpngw(tmp, peer_args(tmp, {"add", "alice", "--group", "staff", "--qr", "none"}));
    ASSERT_EQ(add.status, 0) << add.err;
    EXPECT_EQ(add.out, read_text(tmp / "clients/alice.conf"));
    EXPECT_NE(add.out.find("Address = 10.77.1.3/32, fd77:0:0:1::3/128\n"), std::string::npos)
        << add.out;
    EXPECT_NE(add.err.find("not applied: vpngwpt0 is not up; `vpngw up` will apply it"),
              std::string::npos)
        << add.err;
    // The private key is on stdout (that is the point) but never on stderr.
    auto priv = config_value(add.out, "PrivateKey");
    ASSERT_EQ(priv.size(), 44u);
    EXPECT_EQ(add.err.find(priv), std::string::npos);

    auto show = run_vpngw(tmp, peer_args(tmp, {"show", "alice", "--qr", "none"}));
    ASSERT_EQ(show.status, 0) << show.err;
    EXPECT_EQ(show.out, add.out);

    auto list = run_vpngw(tmp, peer_args(tmp, {"list", "--json"}));
    ASSERT_EQ(list.status, 0) << list.err;
    EXPECT_NE(list.out.find("\"name\": \"alice\", \"group\": \"staff\", \"interface\": "
                            "\"vpngwpt0\", \"address\": \"10.77.1.3\", \"address6\": "
                            "\"fd77:0:0:1::3\""),
              std::string::npos)
        << list.out;
    EXPECT_NE(list.out.find("\"source\": \"state\""), std::string::npos);
    EXPECT_NE(list.out.find("\"name\": \"fixed\""), std::string::npos);
    auto table = run_vpngw(tmp, peer_args(tmp, {"list"}));
    ASSERT_EQ(table.status, 0);
    EXPECT_NE(table.out.find("alice"), std::string::npos);

    auto rm = run_vpngw(tmp, peer_args(tmp, {"remove", "alice"}));
    ASSERT_EQ(rm.status, 0) << rm.err;
    EXPECT_FALSE(exists(tmp / "clients/alice.conf"));
    auto gone = run_vpngw(tmp, peer_args(tmp, {"show", "alice"}));
    EXPECT_EQ(gone.status, 1);
    EXPECT_NE(gone.err.find("no peer named \"alice\""), std::string::npos) << gone.err;
}

TEST(PeerCli, ExitCodes) {
    TempDir tmp;
    EXPECT_EQ(run_vpngw(tmp, peer_args(tmp, {"add", "a", "--group", "staff", "--public-key",
                                             "not-a-key"}))
                  .status,
              2);
    EXPECT_EQ(
        run_vpngw(tmp, peer_args(tmp, {"add", "a", "--group", "staff", "--qr", "png"})).status, 2);
    EXPECT_EQ(
        run_vpngw(tmp, peer_args(tmp, {"add", "a", "--group", "staff", "--qr", "bogus"})).status,
        2);
    EXPECT_EQ(run_vpngw(tmp, peer_args(tmp, {"add", "a"})).status, 2);  // --group missing
    auto unknown = run_vpngw(tmp, peer_args(tmp, {"add", "a", "--group", "nope"}));
    EXPECT_EQ(unknown.status, 1);
    EXPECT_NE(unknown.err.find("no group \"nope\""), std::string::npos) << unknown.err;
    EXPECT_EQ(run_vpngw(tmp, peer_args(tmp, {"remove", "fixed"})).status, 1);
    EXPECT_FALSE(exists(tmp / "clients/a.conf"));
}

TEST(PeerCli, PublicKeyFlagKeepsThePrivateKeyOffTheServer) {
    TempDir tmp;
    auto pair = keys::generate_key_pair();
    ASSERT_TRUE(pair.ok());
    auto add = run_vpngw(tmp, peer_args(tmp, {"add", "phone", "--group", "staff", "--public-key",
                                              pair->public_key.base64(), "--qr", "none"}));
    ASSERT_EQ(add.status, 0) << add.err;
    EXPECT_EQ(config_value(add.out, "PrivateKey"), "");
    EXPECT_NE(add.out.find("# PrivateKey = "), std::string::npos);
    auto stored = registry::read_stored_peers(tmp.path());
    ASSERT_TRUE(stored.ok());
    ASSERT_EQ(stored->size(), 1u);
    EXPECT_EQ((*stored)[0].public_key, pair->public_key);
}

TEST(PeerCli, PngQrDecodesToTheConfig) {
    TempDir tmp;
    const std::string png = tmp / "alice.png";
    auto add = run_vpngw(tmp, peer_args(tmp, {"add", "alice", "--group", "staff", "--psk", "--qr",
                                              "png", "-o", png}));
    ASSERT_EQ(add.status, 0) << add.err;
    EXPECT_EQ(mode_of(png), 0600);
    // zbarimg (zbar-tools) is independent of our code.
    const std::string decoded = tmp / "decoded.txt";
    const std::string cmd = "zbarimg --raw -q -Sbinary '" + png + "' > '" + decoded + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "zbarimg (package zbar-tools) failed or is missing";
    std::string text = read_text(decoded);
    // zbarimg ends its output with a newline of its own.
    if (text.size() == add.out.size() + 1 && text.back() == '\n') text.pop_back();
    EXPECT_EQ(text, add.out);
}

// 50 `vpngw peer add` processes at once: the state lock serialises them, so
// every peer gets its own address and key and none is lost.
TEST(PeerCli, FiftyConcurrentAddsGetDistinctAddressesAndKeys) {
    TempDir tmp;
    constexpr int kPeers = 50;
    std::vector<pid_t> pids;
    for (int i = 0; i < kPeers; ++i) {
        const std::string name = "p" + std::to_string(i);
        pids.push_back(
            start_vpngw(peer_args(tmp, {"add", name, "--group", "staff", "--qr", "none"}),
                        tmp / (name + ".out"), tmp / (name + ".err")));
    }
    for (int i = 0; i < kPeers; ++i) {
        const std::string name = "p" + std::to_string(i);
        EXPECT_EQ(wait_status(pids[i]), 0) << name << ": " << read_text(tmp / (name + ".err"));
    }

    auto stored = registry::read_stored_peers(tmp.path());
    ASSERT_TRUE(stored.ok()) << stored.error().str();
    ASSERT_EQ(stored->size(), static_cast<std::size_t>(kPeers));
    std::set<std::string> names;
    std::set<IpAddress> v4, v6;
    std::set<PublicKey> keys;
    for (const auto& p : *stored) {
        names.insert(p.name);
        ASSERT_TRUE(p.address && p.address6) << p.name;
        v4.insert(*p.address);
        v6.insert(*p.address6);
        keys.insert(p.public_key);
        // What the process printed is this peer's config, with the private
        // key of the public key recorded.
        const std::string out = read_text(tmp / (p.name + ".out"));
        EXPECT_EQ(out, read_text(tmp / ("clients/" + p.name + ".conf")));
        auto priv = SecretKey::from_base64(config_value(out, "PrivateKey"));
        ASSERT_TRUE(priv.has_value()) << p.name;
        EXPECT_EQ(keys::public_from_private(*priv), p.public_key) << p.name;
    }
    EXPECT_EQ(names.size(), static_cast<std::size_t>(kPeers));
    EXPECT_EQ(v4.size(), static_cast<std::size_t>(kPeers));
    EXPECT_EQ(v6.size(), static_cast<std::size_t>(kPeers));
    EXPECT_EQ(keys.size(), static_cast<std::size_t>(kPeers));
    // No gaps: exactly the 50 lowest free addresses (.1 and .2 are the profile's).
    std::set<IpAddress> expected;
    for (int i = 3; i < 3 + kPeers; ++i)
        expected.insert(IpAddress::v4((10u << 24) | (77u << 16) | (1u << 8) | i));
    EXPECT_EQ(v4, expected);
}

}  // namespace
}  // namespace vpngw::gateway::test
