#include "health/state.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "health/state_file.hpp"
#include "store/state_paths.hpp"

namespace vpngw::health {
namespace {

model::HealthCheck check(int fail_after, int recover_after) {
    model::HealthCheck c;
    c.fail_after = fail_after;
    c.recover_after = recover_after;
    return c;
}

TEST(HealthState, FirstSuccessMakesAnUnknownUplinkUp) {
    UplinkHealth h{.uplink = "wan0"};
    EXPECT_TRUE(record_probe(h, check(3, 2), true, 100));
    EXPECT_EQ(h.state, State::up);
    EXPECT_EQ(h.last_probe, 100);
    EXPECT_EQ(h.successes, 1);
}

TEST(HealthState, GoesDownOnlyAfterFailAfterConsecutiveFailures) {
    UplinkHealth h{.uplink = "wan1", .state = State::up};
    const auto c = check(3, 2);
    EXPECT_FALSE(record_probe(h, c, false, 1, "timeout"));
    EXPECT_FALSE(record_probe(h, c, false, 2, "timeout"));
    EXPECT_EQ(h.state, State::up);
    EXPECT_FALSE(record_probe(h, c, true, 3));  // a success resets the count
    EXPECT_EQ(h.failures, 0);
    EXPECT_FALSE(record_probe(h, c, false, 4, "timeout"));
    EXPECT_FALSE(record_probe(h, c, false, 5, "timeout"));
    EXPECT_TRUE(record_probe(h, c, false, 6, "no echo reply"));
    EXPECT_EQ(h.state, State::down);
    EXPECT_EQ(h.failures, 3);
    EXPECT_EQ(h.last_error, "no echo reply");
}

TEST(HealthState, RecoversOnlyAfterRecoverAfterConsecutiveSuccesses) {
    UplinkHealth h{.uplink = "wan1", .state = State::down, .failures = 5};
    const auto c = check(3, 2);
    EXPECT_FALSE(record_probe(h, c, true, 1));
    EXPECT_EQ(h.state, State::down);
    EXPECT_FALSE(record_probe(h, c, false, 2, "x"));  // a failure resets the successes
    EXPECT_FALSE(record_probe(h, c, true, 3));
    EXPECT_TRUE(record_probe(h, c, true, 4));
    EXPECT_EQ(h.state, State::up);
    EXPECT_TRUE(h.last_error.empty());
}

TEST(HealthState, UnknownUplinkGoesDownAfterFailAfter) {
    UplinkHealth h{.uplink = "wan0"};
    const auto c = check(2, 2);
    EXPECT_FALSE(record_probe(h, c, false, 1, "x"));
    EXPECT_EQ(h.state, State::unknown);
    EXPECT_TRUE(record_probe(h, c, false, 2, "x"));
    EXPECT_EQ(down_uplinks({h}), std::set<std::string>{"wan0"});
}

class HealthFile : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/vpngw-health-test.XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
    std::string dir_;
};

TEST_F(HealthFile, AbsentFileIsNoUplinkKnown) {
    auto read = read_health_file(store::StatePaths{dir_}.health_file());
    ASSERT_TRUE(read);
    EXPECT_TRUE(read->empty());
}

TEST_F(HealthFile, RoundTripsAndFlattensErrors) {
    std::vector<UplinkHealth> all{
        {.uplink = "wan0", .state = State::up, .successes = 4, .last_probe = 1700000000},
        {.uplink = "wan1",
         .state = State::down,
         .failures = 3,
         .last_probe = 1700000001,
         .last_error = "no reply\tfrom\nthere"},
        {.uplink = "lte"}};
    ASSERT_TRUE(write_health_file(store::StatePaths{dir_}.health_file(), all));
    auto read = read_health_file(store::StatePaths{dir_}.health_file());
    ASSERT_TRUE(read);
    ASSERT_EQ(read->size(), 3u);
    EXPECT_EQ((*read)[0].state, State::up);
    EXPECT_EQ((*read)[0].successes, 4);
    EXPECT_EQ((*read)[1].state, State::down);
    EXPECT_EQ((*read)[1].failures, 3);
    EXPECT_EQ((*read)[1].last_probe, 1700000001);
    EXPECT_EQ((*read)[1].last_error, "no reply from there");
    EXPECT_EQ((*read)[2].state, State::unknown);
    EXPECT_EQ(down_uplinks(*read), std::set<std::string>{"wan1"});
}

TEST_F(HealthFile, MalformedLineIsAnErrorWithItsLine) {
    std::ofstream(store::StatePaths{dir_}.health_file())
        << "# vpngw health v1\nwan0\tsideways\t0\t0\t0\t\n";
    auto read = read_health_file(store::StatePaths{dir_}.health_file());
    ASSERT_FALSE(read);
    EXPECT_EQ(read.error().where.line, 2);
}

}  // namespace
}  // namespace vpngw::health
