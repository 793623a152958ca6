// `vpngw status --json`'s "cluster" object (src/json/cluster_json.cpp): the
// facts of the text lines, null for what is unknown.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "json/json_view.hpp"

namespace vpngw::json {
namespace {

gateway::StatusReport report_with(gateway::ClusterStatus c) {
    gateway::StatusReport r;
    r.now = 1796640100;
    r.cluster = std::move(c);
    return r;
}

TEST(ClusterJson, CarriesNodeMembersVrrpRevisionsAndLag) {
    gateway::ClusterStatus c;
    c.node = "gwa";
    c.members = {{"e1", {"https://10.77.0.1:2379"}}, {"", {}}};
    c.etcd_members = {"e1 https://10.77.0.1:2379", "(not started)"};
    c.vrrp_state = "MASTER";
    c.vrrp_since = 1796640000;
    c.applied =
        gateway::ClusterApplied{38, std::chrono::sys_seconds{std::chrono::seconds{1796640090}}};
    c.etcd_revision = 41;
    auto j = nlohmann::json::parse(status_json(report_with(c)))["cluster"];
    EXPECT_EQ(j["node"], "gwa");
    EXPECT_EQ(j["etcd"]["answering"], true);
    EXPECT_TRUE(j["etcd"]["error"].is_null());
    ASSERT_EQ(j["etcd"]["members"].size(), 2u);
    EXPECT_EQ(j["etcd"]["members"][0]["name"], "e1");
    EXPECT_EQ(j["etcd"]["members"][0]["client_urls"][0], "https://10.77.0.1:2379");
    EXPECT_TRUE(j["etcd"]["members"][1]["name"].is_null());
    EXPECT_EQ(j["vrrp"]["state"], "MASTER");
    EXPECT_EQ(j["vrrp"]["since"], 1796640000);
    EXPECT_EQ(j["registry"]["applied_revision"], 38);
    EXPECT_EQ(j["registry"]["applied_at"], 1796640090);
    EXPECT_EQ(j["registry"]["etcd_revision"], 41);
    EXPECT_EQ(j["registry"]["lag"], 3);
}

TEST(ClusterJson, UnknownsAreNullAndErrorsAreSaid) {
    gateway::ClusterStatus c;
    c.node = "gwb";
    c.etcd_error = "no etcd member answered";
    c.vrrp_error = "vrrp.state:1:1: expected \"# vpngw vrrp v1\" first";
    c.vrrp_state = "unknown (" + c.vrrp_error + ")";
    auto j = nlohmann::json::parse(status_json(report_with(c)))["cluster"];
    EXPECT_EQ(j["etcd"]["answering"], false);
    EXPECT_EQ(j["etcd"]["error"], "no etcd member answered");
    EXPECT_TRUE(j["etcd"]["members"].empty());
    EXPECT_TRUE(j["vrrp"]["state"].is_null());
    EXPECT_EQ(j["vrrp"]["error"], c.vrrp_error);
    EXPECT_TRUE(j["registry"]["applied_revision"].is_null());
    EXPECT_TRUE(j["registry"]["etcd_revision"].is_null());
    EXPECT_TRUE(j["registry"]["lag"].is_null());
}

TEST(ClusterJson, NullWithoutACluster) {
    auto j = nlohmann::json::parse(status_json(gateway::StatusReport{}));
    ASSERT_TRUE(j.contains("cluster"));
    EXPECT_TRUE(j["cluster"].is_null());
}

}  // namespace
}  // namespace vpngw::json
