// `vpngw serve` and `vpngw token` as a user runs them: the transport rule
// (no clear text off loopback unless asked) and tokens shown once. The
// refusals happen before anything is bound; as root the binary runs in a
// network namespace of its own (support/run_vpngw.hpp).

#include <gtest/gtest.h>

#include "http/server.hpp"
#include "support/run_vpngw.hpp"

namespace vpngw::api {
namespace {

using gateway::test::kFixture;
using gateway::test::run_vpngw;

TEST(ServeTransport, LoopbackIsTellable) {
    for (const char* host : {"127.0.0.1", "127.9.9.9", "::1", "localhost"})
        EXPECT_TRUE(http::is_loopback(host)) << host;
    for (const char* host : {"0.0.0.0", "::", "203.0.113.2", "128.0.0.1", "vpn.example.com", ""})
        EXPECT_FALSE(http::is_loopback(host)) << host;
    auto bare = http::parse_listen(":8443");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->host, "127.0.0.1");  // a bare port is loopback, never every address
}

TEST(ServeTransport, PlainHttpOffLoopbackIsRefusedUnlessInsecure) {
    TempDir tmp;
    for (const char* listen : {"0.0.0.0:1", "[::]:1", "203.0.113.2:1"}) {
        auto r =
            run_vpngw(tmp, {"serve", kFixture, "--state-dir", tmp / "state", "--listen", listen});
        EXPECT_EQ(r.status, 2) << listen << ": " << r.err;
        EXPECT_NE(r.err.find("--tls-cert"), std::string::npos) << r.err;
    }
    // A certificate without its key is a usage error too.
    auto r = run_vpngw(tmp, {"serve", kFixture, "--tls-cert", tmp / "none.pem"});
    EXPECT_EQ(r.status, 2) << r.err;
}

TEST(TokenCli, ATokenIsPrintedOnceAndListedWithoutItsSecret) {
    TempDir tmp;
    const std::vector<std::string> where = {"--profile", kFixture, "--state-dir", tmp / "state"};
    auto with = [&](std::vector<std::string> args) {
        args.insert(args.end(), where.begin(), where.end());
        return run_vpngw(tmp, args);
    };
    auto made = with({"token", "create", "--scope", "write", "--name", "ci"});
    ASSERT_EQ(made.status, 0) << made.err;
    ASSERT_EQ(made.out.size(), 6u + 43u + 1u) << made.out;
    const std::string secret = made.out.substr(0, made.out.size() - 1);
    auto list = with({"token", "list"});
    ASSERT_EQ(list.status, 0) << list.err;
    EXPECT_NE(list.out.find("ci"), std::string::npos);
    EXPECT_NE(list.out.find("write"), std::string::npos);
    EXPECT_EQ(list.out.find(secret.substr(6)), std::string::npos);
    EXPECT_EQ(with({"token", "create", "--scope", "admin"}).status, 2);
    EXPECT_EQ(with({"token", "revoke", "1"}).status, 0);
    EXPECT_EQ(with({"token", "revoke", "1"}).status, 1);  // already revoked
    EXPECT_EQ(with({"token", "revoke", "x"}).status, 2);
    EXPECT_EQ(with({"peer", "link", "nobody", "--ttl", "1h"}).status, 1);
    EXPECT_EQ(with({"peer", "link", "nobody", "--ttl", "forever"}).status, 2);
}

}  // namespace
}  // namespace vpngw::api
