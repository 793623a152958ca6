// The lockout guard on the situations of tests/safety/guard.sh, without a
// kernel: the profile goes through the real loader (so errors carry its
// lines), the desired state through plan/, and the kernel's addresses and
// main routes are written out by hand.

#include "guard/lockout.hpp"

#include <gtest/gtest.h>

#include <string>

#include "plan/desired.hpp"
#include "profile/loader.hpp"

namespace vpngw::guard {
namespace {

// The gateway of the safety tests: uplink eth0 (203.0.113.2/24), wg0 with
// 10.66.0.0/16, management on port 22 from 198.51.100.0/24.
std::string gateway_profile(const std::string& wg_address = "\"10.66.0.1/16\"",
                            const std::string& firewall =
                                "management = { port = 22, allow = "
                                "[\"198.51.100.0/24\"] }") {
    return R"([gateway]
name = "demo-gw"
endpoint = "203.0.113.2:51820"

[[uplink]]
name = "wan0"
device = "eth0"
gateway = "203.0.113.1"

[[interface]]
name = "wg0"
listen_port = 51820
address = [)" +
           wg_address + R"(]
private_key_file = "/dev/null/wg0.key"

[[group]]
name = "staff"
interface = "wg0"
subnet = "10.66.1.0/24"
egress = "wan0"
allow = ["any"]

[firewall]
)" + firewall +
           "\n";
}

struct Planned {
    model::Profile profile;
    ops::Desired desired;
};

std::string all(const Diagnostics& d) {
    std::string out;
    for (const auto& x : d.all()) out += x.str() + "\n";
    return out;
}

Planned plan_of(const std::string& text) {
    auto loaded = profile::load_string(text, "gw.toml");
    if (!loaded.profile) {
        ADD_FAILURE() << all(loaded.diagnostics);
        return {};
    }
    Planned p{*loaded.profile, {}};
    p.desired.state = plan::desired_state_without_ruleset(p.profile);
    return p;
}

// The line of the first line of `text` that starts with `prefix` (1-based).
int line_of(const std::string& text, const std::string& prefix) {
    int line = 1;
    for (std::size_t at = 0; at < text.size(); ++line) {
        if (text.compare(at, prefix.size(), prefix) == 0) return line;
        at = text.find('\n', at);
        if (at == std::string::npos) break;
        ++at;
    }
    return 0;
}

GuardKernel gateway_kernel() {
    GuardKernel k;
    k.addresses.push_back({"eth0", *Prefix::parse("203.0.113.2/24"), {}});
    k.addresses.push_back({"lo", *Prefix::parse("127.0.0.1/8"), {}});
    state::Route def;
    def.dst = *Prefix::parse("0.0.0.0/0");
    def.via = *IpAddress::parse("203.0.113.1");
    def.dev = "eth0";
    k.main_routes.push_back(def);
    state::Route link;
    link.dst = *Prefix::parse("203.0.113.0/24");
    link.dev = "eth0";
    k.main_routes.push_back(link);
    return k;
}

SshConnection ssh(const char* value) {
    auto parsed = parse_ssh_connection(value);
    EXPECT_TRUE(parsed.has_value()) << value;
    return parsed.value_or(SshConnection{});
}

const char* kMgmtSsh = "198.51.100.7 50000 203.0.113.2 22";

TEST(ParseSshConnection, ReadsTheFourFields) {
    auto c = parse_ssh_connection("198.51.100.7 50000 203.0.113.2 22");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->client.str(), "198.51.100.7");
    EXPECT_EQ(c->client_port, 50000);
    EXPECT_EQ(c->server.str(), "203.0.113.2");
    EXPECT_EQ(c->server_port, 22);
    auto v6 = parse_ssh_connection("2001:db8::7 41000 2001:db8::1 2222");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->client.family, Family::v6);
    EXPECT_EQ(v6->server_port, 2222);
}

TEST(ParseSshConnection, RejectsWhatIsNotAConnection) {
    EXPECT_FALSE(parse_ssh_connection(nullptr));
    EXPECT_FALSE(parse_ssh_connection(""));
    EXPECT_FALSE(parse_ssh_connection("198.51.100.7 50000 203.0.113.2"));
    EXPECT_FALSE(parse_ssh_connection("host 50000 203.0.113.2 22"));
    EXPECT_FALSE(parse_ssh_connection("198.51.100.7 50000 203.0.113.2 65536"));
    EXPECT_FALSE(parse_ssh_connection("198.51.100.7 x 203.0.113.2 22"));
}

TEST(Lockout, AManagementPortThatAdmitsTheSessionPasses) {
    auto p = plan_of(gateway_profile());
    auto problems = check_lockout(p.profile, p.desired, ssh(kMgmtSsh), gateway_kernel());
    EXPECT_TRUE(problems.empty()) << problems.front().str();
}

TEST(Lockout, AnAllowListWithoutTheClientIsBlockedAtItsLine) {
    const std::string text = gateway_profile(
        "\"10.66.0.1/16\"", "management = { port = 22, allow = [\"192.0.2.0/24\"] }");
    auto p = plan_of(text);
    auto problems = check_lockout(p.profile, p.desired, ssh(kMgmtSsh), gateway_kernel());
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].where.file, "gw.toml");
    EXPECT_EQ(problems[0].where.line, line_of(text, "management"));
    EXPECT_NE(problems[0].message.find("[firewall].management.allow"), std::string::npos);
    EXPECT_NE(problems[0].message.find("does not contain 198.51.100.7 — your SSH session from "
                                       "198.51.100.7 to port 22 would be cut"),
              std::string::npos)
        << problems[0].message;
}

TEST(Lockout, ASessionOnAnotherPortThanManagementIsBlocked) {
    auto p = plan_of(gateway_profile());
    auto problems = check_lockout(p.profile, p.desired, ssh("198.51.100.7 50000 203.0.113.2 2222"),
                                  gateway_kernel());
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].message.find("[firewall].management.port = 22 (gw.toml:"),
              std::string::npos)
        << problems[0].message;
    EXPECT_NE(problems[0].message.find("is not the port of your SSH session (2222)"),
              std::string::npos);
}

TEST(Lockout, DropWithoutManagementIsBlocked) {
    const std::string text = gateway_profile("\"10.66.0.1/16\"", "input = \"drop\"");
    auto p = plan_of(text);
    auto problems = check_lockout(p.profile, p.desired, ssh(kMgmtSsh), gateway_kernel());
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].where.line, line_of(text, "input"));
    EXPECT_NE(problems[0].message.find("[firewall].management is not set"), std::string::npos)
        << problems[0].message;
}

TEST(Lockout, AnOpenInputNeedsNoManagement) {
    auto p = plan_of(gateway_profile("\"10.66.0.1/16\"", "input = \"accept\""));
    EXPECT_TRUE(check_lockout(p.profile, p.desired, ssh(kMgmtSsh), gateway_kernel()).empty());
}

TEST(Lockout, AnInterfaceNetworkHoldingTheClientCapturesItsReplies) {
    const std::string text = gateway_profile("\"10.66.0.1/16\", \"198.51.100.254/24\"");
    auto p = plan_of(text);
    auto problems = check_lockout(p.profile, p.desired, ssh(kMgmtSsh), gateway_kernel());
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].message.find("replies to 198.51.100.7 would leave through wg0, not "
                                       "eth0 where your SSH session arrives"),
              std::string::npos)
        << problems[0].message;
    EXPECT_EQ(problems[0].where.line, line_of(text, "address"));
}

TEST(Lockout, WithoutASessionTheAllowedSourcesMustStayOutOfVpnNetworks) {
    auto ok = plan_of(gateway_profile());
    EXPECT_TRUE(check_lockout(ok.profile, ok.desired, std::nullopt, gateway_kernel()).empty());

    auto p = plan_of(gateway_profile("\"10.66.0.1/16\"",
                                     "management = { port = 22, allow = [\"10.66.9.0/24\"] }"));
    auto problems = check_lockout(p.profile, p.desired, std::nullopt, gateway_kernel());
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].message.find("contains the management source 10.66.9.0/24"),
              std::string::npos)
        << problems[0].message;
}

TEST(Lockout, ASessionArrivingOnTheUplinkIsAnsweredThroughIt) {
    // The uplink's fwmark rule sends marked replies to its own table, whose
    // default route leaves through eth0 again: nothing is cut, even though
    // the session's client is reached through the uplink's gateway.
    auto p = plan_of(gateway_profile());
    ASSERT_FALSE(p.desired.state.rules.empty()) << "the uplink plans its fwmark rules";
    auto problems = check_lockout(p.profile, p.desired, ssh("192.0.2.50 40000 203.0.113.2 22"),
                                  gateway_kernel());
    ASSERT_EQ(problems.size(), 1u) << "only the allow list: 192.0.2.50 is outside it";
    EXPECT_NE(problems[0].message.find("does not contain 192.0.2.50"), std::string::npos);
}

}  // namespace
}  // namespace vpngw::guard
