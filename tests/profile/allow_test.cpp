// The allow vocabulary ("internet", "!TARGET" exclusions) as the loader reads
// it, and the warnings about allow lists that undo an isolation.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/profile_test_names.hpp"

namespace vpngw::profile {
namespace {

using model::AllowEntry;
using namespace test::names;

// Three groups from line 10 on; `guests` (line 10) gets the allow list and
// isolate value given, on lines 13 and 14.
std::string three_groups(const std::string& allow, bool isolate) {
    return base_profile() +
           "[[group]]\n"                 // 10
           "name = \"guests\"\n"         // 11
           "subnet = \"10.8.1.0/24\"\n"  // 12
           "allow = " +
           allow + "\n" +                                        // 13
           "isolate = " + (isolate ? "true" : "false") + "\n" +  // 14
           "[[group]]\n"                                         // 15
           "name = \"staff\"\n"                                  // 16
           "subnet = \"10.8.2.0/24\"\n"                          // 17
           "subnet6 = \"fd08:0:0:0:8000::/80\"\n"                // 18
           "[[group]]\n"                                         // 19
           "name = \"servers\"\n"                                // 20
           "subnet = \"10.8.3.0/24\"\n";                         // 21
}

TEST(Allow, InternetAndExclusionsAreRead) {
    auto r = load_string(three_groups("[\"internet\", \"!group:staff\", \"!10.0.0.0/8 tcp/22\", "
                                      "\"!internet udp\", \"internet tcp/443\"]",
                                      false),
                         "t.toml");
    ASSERT_TRUE(r.profile);
    const auto& allow = r.profile->groups[0].allow;
    ASSERT_EQ(allow.size(), 5u);
    EXPECT_EQ(allow[0].kind, AllowEntry::Kind::internet);
    EXPECT_FALSE(allow[0].exclude);
    EXPECT_EQ(allow[1].kind, AllowEntry::Kind::group);
    EXPECT_EQ(allow[1].group, "staff");
    EXPECT_TRUE(allow[1].exclude);
    EXPECT_EQ(allow[2].kind, AllowEntry::Kind::prefix);
    EXPECT_TRUE(allow[2].exclude);
    EXPECT_EQ(allow[2].proto, model::Proto::tcp);
    EXPECT_EQ(allow[2].port_from, 22);
    EXPECT_EQ(allow[3].kind, AllowEntry::Kind::internet);
    EXPECT_TRUE(allow[3].exclude);
    EXPECT_EQ(allow[3].proto, model::Proto::udp);
    EXPECT_EQ(allow[4].proto, model::Proto::tcp);
    EXPECT_EQ(allow[4].port_from, 443);
    EXPECT_THAT(warnings_of(three_groups("[\"internet\"]", true)), IsEmpty());
}

TEST(Allow, MalformedExclusions) {
    EXPECT_THAT(
        errors_of(
            three_groups("[\"!any\", \"!\", \"!group:\", \"!intranet\", \"!group:staf\"]", false)),
        ElementsAre("13:10: error: \"!any\" excludes everything in allow entry \"!any\": leave "
                    "the allow list empty to allow nothing",
                    "13:18: error: missing target after \"!\" in allow entry \"!\"",
                    "13:23: error: missing group name after \"group:\" in allow entry "
                    "\"!group:\"",
                    "13:34: error: invalid target \"intranet\" in allow entry \"!intranet\": "
                    "expected \"any\", \"internet\", \"group:NAME\" or a CIDR, optionally after "
                    "\"!\" to exclude it; did you mean \"internet\"?",
                    "13:47: error: undefined group \"staf\" in allow entry \"!group:staf\"; did "
                    "you mean \"staff\"?"));
}

// The case: isolate = true, allow = ["0.0.0.0/0"] lets guests reach
// staff and servers; the warning names them and says what to write instead.
TEST(Allow, IsolatedGroupReachingOtherGroupsIsWarned) {
    EXPECT_THAT(warnings_of(three_groups("[\"0.0.0.0/0\"]", true)),
                ElementsAre("13:10: warning: allow entry \"0.0.0.0/0\" of isolated group "
                            "\"guests\" includes group:staff, group:servers: isolate = true only "
                            "keeps the group's own clients apart; write \"internet\" to reach "
                            "only the internet, or exclude them with \"!group:NAME\""));
    // "any" reaches staff's IPv6 subnet too; a group named or excluded is meant.
    EXPECT_THAT(warnings_of(three_groups("[\"any\", \"group:servers\"]", true)),
                ElementsAre(testing::HasSubstr("\"any\" of isolated group \"guests\" includes "
                                               "group:staff: ")));
    EXPECT_THAT(warnings_of(three_groups("[\"any\", \"!group:staff\", \"!10.8.3.0/24\"]", true)),
                IsEmpty());
    // A protocol-limited exclusion keeps the rest open: still a warning.
    EXPECT_THAT(warnings_of(three_groups("[\"::/0\", \"!group:staff tcp\"]", true)),
                ElementsAre(testing::HasSubstr("\"::/0\" of isolated group \"guests\" includes "
                                               "group:staff: ")));
    // IPv4 only touches no IPv6 subnet; without isolate nothing is warned.
    EXPECT_THAT(warnings_of(three_groups("[\"10.8.2.0/24\"]", false)), IsEmpty());
    EXPECT_THAT(warnings_of(three_groups("[\"0.0.0.0/0\"]", false)), IsEmpty());
}

TEST(Allow, IsolatedGroupAllowingItsOwnSubnetIsWarned) {
    EXPECT_THAT(warnings_of(three_groups("[\"10.8.1.0/25 tcp/80\"]", true)),
                ElementsAre("13:10: warning: allow entry \"10.8.1.0/25 tcp/80\" of group "
                            "\"guests\" covers its own subnet 10.8.1.0/24: isolate = true wins, "
                            "so its clients still cannot reach each other"));
    EXPECT_THAT(warnings_of(three_groups("[\"group:guests\"]", true)),
                ElementsAre(testing::HasSubstr("\"group:guests\" of group \"guests\" covers its "
                                               "own subnet 10.8.1.0/24: ")));
}

}  // namespace
}  // namespace vpngw::profile
