#include "util/secret_text.hpp"

#include <gtest/gtest.h>

namespace vpngw {
namespace {

TEST(SecretText, GrowsPastItsInitialCapacityKeepingTheContent) {
    SecretText t;
    std::string expected;
    for (int i = 0; i < 5000; ++i) {
        std::string chunk = std::to_string(i) + ",";
        t.append(chunk);
        expected += chunk;
    }
    t.append('!');
    expected += '!';
    EXPECT_EQ(t.str(), expected);
    EXPECT_EQ(t.size(), expected.size());
}

TEST(SecretText, MoveLeavesTheSourceEmpty) {
    SecretText a;
    a.append("PrivateKey = x");
    SecretText b(std::move(a));
    EXPECT_EQ(b.view(), "PrivateKey = x");
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): checked on purpose
    SecretText c;
    c.append("old");
    c = std::move(b);
    EXPECT_EQ(c.view(), "PrivateKey = x");
    EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
}

}  // namespace
}  // namespace vpngw
