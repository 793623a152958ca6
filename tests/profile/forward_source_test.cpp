// Port forwards to split-tunnel clients: the `source` key, which forwards
// are masqueraded to the gateway (model/forward_source.hpp), and the check
// warnings about forwards whose answer cannot come back.

#include "model/forward_source.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "profile/loader.hpp"
#include "support/profile_test_names.hpp"

namespace vpngw::profile {
namespace {

using namespace test::names;

// An uplink, a split-tunnel group "home" (10.8.1.0/24, fd08:0:0:0:1::/80)
// with the allow list given, a full-tunnel group "office" (10.8.2.0/24), and
// one forward to `to` with the extra lines given (from line 24 on).
std::string with_forward(const std::string& to, const std::string& extra,
                         const std::string& allow = "[]") {
    return base_profile() +
           "[[uplink]]\n"                       // 10
           "name = \"wan\"\n"                   // 11
           "device = \"eth0\"\n"                // 12
           "gateway = \"203.0.113.1\"\n"        // 13
           "[[group]]\n"                        // 14
           "name = \"home\"\n"                  // 15
           "subnet = \"10.8.1.0/24\"\n"         // 16
           "subnet6 = \"fd08:0:0:0:1::/80\"\n"  // 17
           "tunnel = \"split\"\n"               // 18
           "allow = " +
           allow + "\n" +                // 19
           "[[group]]\n"                 // 20
           "name = \"office\"\n"         // 21
           "subnet = \"10.8.2.0/24\"\n"  // 22
           "[[forward]]\n"               // 23
           "port = 443\n"                // 24
           "to = \"" +
           to + "\"\n" +  // 25
           extra;         // 26...
}

model::Profile loaded(const std::string& text) {
    auto r = load_string(text, "t.toml");
    EXPECT_TRUE(r.profile.has_value());
    return r.profile ? *r.profile : model::Profile{};
}

bool from_gateway(const std::string& text) {
    auto p = loaded(text);
    return !p.forwards.empty() && model::forward_from_gateway(p, p.forwards.front());
}

TEST(ForwardSource, ReadAndDefaulted) {
    EXPECT_EQ(loaded(with_forward("10.8.1.10", "")).forwards.at(0).source,
              model::ForwardSource::automatic);
    EXPECT_EQ(loaded(with_forward("10.8.1.10", "source = \"keep\"\n")).forwards.at(0).source,
              model::ForwardSource::keep);
    EXPECT_EQ(loaded(with_forward("10.8.1.10", "source = \"gateway\"\n")).forwards.at(0).source,
              model::ForwardSource::gateway);
    EXPECT_THAT(errors_of(with_forward("10.8.1.10", "source = \"real\"\n")),
                ElementsAre(HasSubstr("26:10: error:")));
}

TEST(ForwardSource, AutoMasqueradesOnlyWhereTheClientCannotRouteTheSources) {
    // A split-tunnel client routes only the VPN: masquerade.
    EXPECT_TRUE(from_gateway(with_forward("10.8.1.10", "")));
    EXPECT_TRUE(from_gateway(with_forward("[fd08::1:0:0:10]:443", "")));
    // A full-tunnel client routes everything back: keep the source.
    EXPECT_FALSE(from_gateway(with_forward("10.8.2.10", "")));
    // A split client whose allow list already routes the sources.
    EXPECT_FALSE(from_gateway(with_forward("10.8.1.10", "", "[\"any\"]")));
    EXPECT_FALSE(from_gateway(
        with_forward("10.8.1.10", "allow_from = [\"198.51.100.0/24\"]\n", "[\"198.51.0.0/16\"]")));
    // ... but not a wider source, nor the other family's default route.
    EXPECT_TRUE(from_gateway(
        with_forward("10.8.1.10", "allow_from = [\"198.0.0.0/8\"]\n", "[\"198.51.0.0/16\"]")));
    EXPECT_TRUE(from_gateway(with_forward("10.8.1.10", "", "[\"::/0\"]")));
    // Written explicitly, the key wins.
    EXPECT_FALSE(from_gateway(with_forward("10.8.1.10", "source = \"keep\"\n")));
    EXPECT_TRUE(from_gateway(with_forward("10.8.2.10", "source = \"gateway\"\n")));
}

TEST(ForwardSource, TheDefaultIsNotWarned) {
    EXPECT_THAT(warnings_of(with_forward("10.8.1.10", "")), IsEmpty());
    EXPECT_THAT(warnings_of(with_forward("10.8.2.10", "source = \"keep\"\n")), IsEmpty());
}

TEST(ForwardSource, KeptSourceToASplitClientIsWarned) {
    EXPECT_THAT(
        warnings_of(with_forward("10.8.1.10", "source = \"keep\"\n")),
        ElementsAre("26:10: warning: forward to 10.8.1.10 keeps the remote source address, but "
                    "group \"home\" is split-tunnel: the target answers only if its AllowedIPs "
                    "route 0.0.0.0/0 into the tunnel (configs vpngw writes from now on do; a "
                    "config written before or by hand must add them); with no allow_from that "
                    "makes the target a full-tunnel client: source = \"gateway\" keeps its other "
                    "traffic as it is"));
    EXPECT_THAT(warnings_of(with_forward(
                    "10.8.1.10", "allow_from = [\"198.51.100.0/24\"]\nsource = \"keep\"\n")),
                ElementsAre(HasSubstr("route 198.51.100.0/24 into the tunnel (configs")));
}

TEST(ForwardSource, MasqueradeWithoutAnAddressOfTheFamilyIsWarned) {
    const std::string v4_only =
        test::replace(with_forward("[fd08::1:0:0:10]:443", ""),
                      "address = [\"10.8.0.1/16\", \"fd08::1/64\"]", "address = [\"10.8.0.1/16\"]");
    EXPECT_THAT(warnings_of(v4_only),
                ElementsAre("25:6: warning: forward to fd08::1:0:0:10 cannot be answered: "
                            "interface \"wg0\" has no IPv6 address for the gateway to masquerade "
                            "to; add one, or make group \"home\" full-tunnel and set source = "
                            "\"keep\""));
}

}  // namespace
}  // namespace vpngw::profile
