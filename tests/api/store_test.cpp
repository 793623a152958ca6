// api.db: tokens and links are kept as hashes only, revocable, one-time.

#include "api/store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "api/guard.hpp"
#include "support/temp_dir.hpp"

namespace vpngw::api {
namespace {

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

TEST(ApiStore, TokensAreStoredHashedShownOnceAndRevocable) {
    TempDir dir;
    const std::string path = dir / "api.db";
    auto store = Store::open(path);
    ASSERT_TRUE(store) << store.error().str();
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    auto a = store->create_token("ci", Scope::write, 100);
    auto b = store->create_token("grafana", Scope::read, 100);
    ASSERT_TRUE(a && b);
    EXPECT_TRUE(a->secret.view().starts_with("vpngw_"));
    EXPECT_EQ(a->secret.size(), 6u + 43u);
    EXPECT_NE(a->secret.str(), b->secret.str());
    // The file holds the hash, never the token.
    const std::string bytes = file_bytes(path);
    EXPECT_EQ(bytes.find(a->secret.str().substr(6)), std::string::npos);
    EXPECT_NE(bytes.find(secret_hash(a->secret.view())), std::string::npos);

    auto found = store->find_token(a->secret.view());
    ASSERT_TRUE(found && *found);
    EXPECT_EQ((*found)->scope, Scope::write);
    EXPECT_EQ((*found)->name, "ci");
    ASSERT_TRUE(store->revoke_token(a->info.id, 200));
    EXPECT_FALSE(*store->find_token(a->secret.view()));
    EXPECT_FALSE(*store->revoke_token(a->info.id, 300));  // already revoked
    EXPECT_TRUE(*store->find_token(b->secret.view()));
    EXPECT_FALSE(store->create_token("", Scope::read, 1));
    EXPECT_FALSE(store->create_token("a\nb", Scope::read, 1));
}

TEST(ApiStore, LinksAreUsedOnceAndExpire) {
    TempDir dir;
    auto store = Store::open(dir / "api.db");
    ASSERT_TRUE(store);
    auto link = store->create_link("alice", 100, 1000);
    ASSERT_TRUE(link);
    EXPECT_EQ(store->look_link(link->secret.view(), 1050)->state, LinkInfo::State::valid);
    EXPECT_EQ(store->look_link(link->secret.view(), 1100)->state, LinkInfo::State::expired);
    auto used = store->redeem_link(link->secret.view(), 1050);
    ASSERT_TRUE(used);
    EXPECT_EQ(used->state, LinkInfo::State::valid);
    EXPECT_EQ(used->peer, "alice");
    EXPECT_EQ(store->redeem_link(link->secret.view(), 1051)->state, LinkInfo::State::used);
    EXPECT_EQ(store->look_link("nope", 1000)->state, LinkInfo::State::unknown);
    EXPECT_FALSE(store->create_link("alice", 0, 1000));
}

TEST(ApiGuard, SessionsExpireAtTheirEndAndWhenIdle) {
    SessionTable table;
    auto s = table.create(TokenInfo{7, "t", Scope::write, 0, std::nullopt}, 1000);
    EXPECT_TRUE(table.find(s.id.view(), 1000 + SessionTable::kIdle - 1));
    // Kept busy, it still ends after its lifetime.
    std::int64_t t = 1000;
    while (t + SessionTable::kIdle / 2 < 1000 + SessionTable::kLifetime) {
        t += SessionTable::kIdle / 2;
        ASSERT_TRUE(table.find(s.id.view(), t)) << t;
    }
    EXPECT_FALSE(table.find(s.id.view(), 1000 + SessionTable::kLifetime));
    auto idle = table.create(TokenInfo{7, "t", Scope::write, 0, std::nullopt}, 1000);
    EXPECT_FALSE(table.find(idle.id.view(), 1000 + SessionTable::kIdle));
    EXPECT_FALSE(table.find("made-up", 1000));
    EXPECT_TRUE(secret_matches(s.csrf.view(), s.session.csrf_hash));
    EXPECT_FALSE(secret_matches("x", s.session.csrf_hash));
}

TEST(ApiGuard, FailureLimiterForgetsOldAddressesWhenFull) {
    FailureLimiter limiter(2, 10, 3);
    limiter.failed("a", 0);
    limiter.failed("a", 0);
    EXPECT_GT(limiter.blocked_for("a", 0), 0);
    for (const char* ip : {"b", "c", "d", "e"}) limiter.failed(ip, 1);
    EXPECT_EQ(limiter.blocked_for("e", 1), 0);  // one failure of a burst of 2
    // The table stays at 3 addresses: the oldest record made room.
    EXPECT_EQ(limiter.blocked_for("a", 1), 0);
}

}  // namespace
}  // namespace vpngw::api
