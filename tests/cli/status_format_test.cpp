// The formats of `vpngw status --json` and `vpngw metrics`, from a status
// snapshot built by hand: JSON that parses with the documented fields, and
// Prometheus text that follows the exposition format line by line.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "json/json_view.hpp"
#include "cli/metrics_text.hpp"
#include "cli/status_text.hpp"
#include "txn/last_apply.hpp"

namespace vpngw::cli {
namespace {

gateway::StatusReport sample() {
    gateway::StatusReport r;
    r.now = 1'700'000'000;
    r.profile = "/etc/vpngw/office.toml";
    r.interfaces.push_back({"wg0", "kernel", true, 51820, PublicKey{}});
    gateway::PeerListEntry alice;
    alice.name = "alice";
    alice.group = "staff";
    alice.interface = "wg0";
    alice.address = IpAddress::parse("10.8.1.1");
    alice.stats = gateway::PeerStats{r.now - 30, 1000, 2000, Endpoint::parse("198.51.100.7:4500")};
    gateway::PeerListEntry bob = alice;
    bob.name = "bob \"the\" builder";
    bob.stats = gateway::PeerStats{0, 0, 0, std::nullopt};
    r.peers.push_back({alice, true, 30});
    r.peers.push_back({bob, false, std::nullopt});
    r.groups.push_back({"staff", "wg0", 2, 1, 1000, 2000});
    r.conntrack = gateway::ConntrackUsage{950, 1000};
    r.drops = std::vector<gateway::DropCounter>{{"input_drops", 3, 180}, {"spoofed_drops", 1, 84}};
    r.last_apply = txn::LastApply{r.now - 60, 412, true, 9};
    r.drift.known = true;
    r.drift.changes = {"~ nftables table inet vpngw (replaced in one transaction)"};
    return r;
}

TEST(StatusJson, HasTheDocumentedFields) {
    auto j = nlohmann::json::parse(json::status_json(sample()));
    EXPECT_EQ(j["interfaces"][0]["listen_port"], 51820);
    EXPECT_EQ(j["peers"][0]["name"], "alice");
    EXPECT_EQ(j["peers"][0]["handshake_age_seconds"], 30);
    EXPECT_EQ(j["peers"][0]["endpoint"], "198.51.100.7:4500");
    EXPECT_EQ(j["peers"][0]["online"], true);
    EXPECT_TRUE(j["peers"][1]["handshake_age_seconds"].is_null());
    EXPECT_EQ(j["groups"][0]["online"], 1);
    EXPECT_EQ(j["conntrack"]["warning"], true);
    EXPECT_EQ(j["drops"]["spoofed_drops"]["packets"], 1);
    EXPECT_EQ(j["last_apply"]["duration_ms"], 412);
    EXPECT_EQ(j["drift"]["drifted"], true);
    EXPECT_EQ(j["drift"]["changes"].size(), 1u);
}

TEST(StatusText, WarnsNearConntrackExhaustionAndShowsDrift) {
    auto t = status_text(sample());
    EXPECT_NE(t.find("conntrack: 950 of 1000 entries (95%)"), std::string::npos) << t;
    EXPECT_NE(t.find("WARNING: conntrack is nearly full"), std::string::npos);
    EXPECT_TRUE(std::regex_search(t, std::regex("\nalice +staff +10\\.8\\.1\\.1 +online")));
    EXPECT_NE(t.find("kernel: DRIFT, 1 change(s)"), std::string::npos);
    EXPECT_NE(t.find("last apply: ok, 9 change(s) in 412 ms"), std::string::npos);
}

TEST(MetricsText, FollowsTheExpositionFormat) {
    const std::string text = metrics_text(sample());
    // Every line is a HELP, a TYPE or a sample; samples follow their family's TYPE.
    const std::regex help("# HELP ([a-z_]+) .+");
    const std::regex type("# TYPE ([a-z_]+) (gauge|counter)");
    const std::regex sample_line(
        "([a-z_]+)(\\{([a-z_]+=\"([^\"\\\\]|\\\\.)*\",?)+\\})? -?[0-9.e+]+");
    std::istringstream lines(text);
    std::string line, family;
    std::set<std::string> families;
    std::smatch m;
    while (std::getline(lines, line)) {
        if (std::regex_match(line, m, help)) {
            family = m[1];
            EXPECT_TRUE(families.insert(family).second) << "family twice: " << family;
        } else if (std::regex_match(line, m, type)) {
            EXPECT_EQ(m[1], family);
        } else {
            ASSERT_TRUE(std::regex_match(line, m, sample_line)) << "bad line: " << line;
            EXPECT_EQ(m[1], family) << line;
        }
    }
    EXPECT_NE(text.find("vpngw_peer_handshake_age_seconds{interface=\"wg0\",group=\"staff\","
                        "peer=\"alice\"} 30\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("peer=\"bob \\\"the\\\" builder\""), std::string::npos) << "escaped";
    EXPECT_NE(text.find("vpngw_group_receive_bytes_total{group=\"staff\"} 1000\n"),
              std::string::npos);
    EXPECT_NE(text.find("vpngw_conntrack_entries 950\n"), std::string::npos);
    EXPECT_NE(text.find("vpngw_drop_packets_total{counter=\"input_drops\"} 3\n"),
              std::string::npos);
    EXPECT_NE(text.find("vpngw_last_apply_duration_seconds 0.412\n"), std::string::npos) << text;
    EXPECT_NE(text.find("vpngw_last_apply_success 1\n"), std::string::npos);
    EXPECT_NE(text.find("vpngw_drift_changes 1\n"), std::string::npos);
}

TEST(LastApply, FormatsAndParses) {
    txn::LastApply a{1714564800, 412, false, 3};
    EXPECT_EQ(txn::format_last_apply(a),
              "finished = 1714564800\nduration_ms = 412\nresult = failed\nchanges = 3\n");
    EXPECT_EQ(txn::parse_last_apply(txn::format_last_apply(a)), a);
    EXPECT_FALSE(txn::parse_last_apply("finished = x\n").has_value());
}

}  // namespace
}  // namespace vpngw::cli
