// [cluster]: the values read into the model, and each rule with its exact
// position (the base profile is lines 1-9, so the appended text starts on 10).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/vrrp_table.hpp"
#include "profile/checks.hpp"
#include "profile/loader.hpp"
#include "support/profile_test_names.hpp"

namespace vpngw::profile {
namespace {

using namespace test::names;

const std::string kUplink =
    "[[uplink]]\n"          // 10
    "name = \"wan\"\n"      // 11
    "device = \"eth0\"\n";  // 12

std::string with_cluster(const std::string& cluster) {
    return base_profile() + kUplink + cluster;
}

const std::string kFull =
    "[cluster]\n"                                                       // 13
    "node = \"gw-a\"\n"                                                 // 14
    "etcd = [\"https://10.9.0.1:2379\", \"https://[fd00::2]:2379\"]\n"  // 15
    "etcd_ca = \"/etc/vpngw/etcd/ca.pem\"\n"                            // 16
    "etcd_cert = \"/etc/vpngw/etcd/gw-a.pem\"\n"                        // 17
    "etcd_key = \"/etc/vpngw/etcd/gw-a.key\"\n"                         // 18
    "prefix = \"/vpngw/site-a/\"\n"                                     // 19
    "vrrp = { uplink = \"wan\", address = \"203.0.113.10/24\", router_id = 51, priority = 150, "
    "interval = 2, unicast_peers = [\"203.0.113.3\"] }\n"                             // 20
    "sync = { device = \"eth2\", address = \"10.99.0.1\", peer = \"10.99.0.2\" }\n";  // 21

TEST(Cluster, EveryFieldIsRead) {
    auto r = load_string(with_cluster(kFull), "t.toml");
    ASSERT_TRUE(r.profile) << (r.diagnostics.all().empty() ? "" : r.diagnostics.all()[0].message);
    ASSERT_TRUE(r.profile->cluster);
    const auto& c = *r.profile->cluster;
    EXPECT_EQ(c.node, "gw-a");
    ASSERT_EQ(c.etcd.endpoints.size(), 2u);
    EXPECT_EQ(c.etcd.endpoints[0].url(), "https://10.9.0.1:2379");
    EXPECT_EQ(c.etcd.endpoints[1].address.host, "fd00::2");
    EXPECT_EQ(c.etcd.endpoints[1].address.port, 2379);
    EXPECT_EQ(c.etcd.ca_file, "/etc/vpngw/etcd/ca.pem");
    EXPECT_EQ(c.etcd.cert_file, "/etc/vpngw/etcd/gw-a.pem");
    EXPECT_EQ(c.etcd.key_file, "/etc/vpngw/etcd/gw-a.key");
    EXPECT_EQ(c.etcd.prefix, "/vpngw/site-a/");
    ASSERT_TRUE(c.vrrp);
    EXPECT_EQ(c.vrrp->uplink, "wan");
    EXPECT_EQ(c.vrrp->address.str(), "203.0.113.10/24");
    EXPECT_EQ(c.vrrp->router_id, 51);
    EXPECT_EQ(c.vrrp->priority, 150);
    EXPECT_EQ(c.vrrp->interval, 2);
    ASSERT_EQ(c.vrrp->unicast_peers.size(), 1u);
    EXPECT_EQ(c.vrrp->unicast_peers[0].str(), "203.0.113.3");
    ASSERT_TRUE(c.sync);
    EXPECT_EQ(c.sync->device, "eth2");
    EXPECT_EQ(c.sync->address.str(), "10.99.0.1");
    EXPECT_EQ(c.sync->peer.str(), "10.99.0.2");
    EXPECT_THAT(warnings_of(with_cluster(kFull)), IsEmpty());
}

TEST(Cluster, DefaultsAndNoClusterWithoutTheSection) {
    auto none = load_string(base_profile(), "t.toml");
    ASSERT_TRUE(none.profile);
    EXPECT_FALSE(none.profile->cluster);

    auto r = load_string(
        with_cluster("[cluster]\nnode = \"a\"\netcd = [\"http://127.0.0.1:2379\"]\n"), "t.toml");
    ASSERT_TRUE(r.profile);
    ASSERT_TRUE(r.profile->cluster);
    EXPECT_EQ(r.profile->cluster->etcd.prefix, "/vpngw/");
    EXPECT_FALSE(r.profile->cluster->etcd.endpoints[0].tls);
    EXPECT_FALSE(r.profile->cluster->vrrp);
    EXPECT_FALSE(r.profile->cluster->sync);
}

TEST(Cluster, MissingKeys) {
    EXPECT_THAT(errors_of(with_cluster("[cluster]\nvrrp = { uplink = \"wan\" }\n")),
                ElementsAre("13:1: error: missing required key \"node\" in [cluster]",
                            "13:1: error: missing required key \"etcd\" in [cluster]",
                            "14:8: error: missing required key \"address\" in [cluster.vrrp]",
                            "14:8: error: missing required key \"router_id\" in [cluster.vrrp]"));
}

TEST(Cluster, EtcdUrlsAndTlsFiles) {
    EXPECT_THAT(
        errors_of(with_cluster("[cluster]\nnode = \"a\"\n"
                               "etcd = [\"10.9.0.1:2379\", \"https://10.9.0.1\", \"https://e:1\", "
                               "\"http://h:1\"]\n")),
        ElementsAre("15:8: error: \"etcd\" mixes https:// and http:// URLs; use https:// for all",
                    "15:8: error: https:// etcd endpoints need \"etcd_ca\", the CA file that "
                    "signed the etcd members' certificates",
                    "15:9: error: invalid etcd endpoint \"10.9.0.1:2379\": expected a client URL "
                    "\"https://host:port\"",
                    "15:26: error: invalid endpoint \"10.9.0.1\": expected \"host:port\" or "
                    "\"[IPv6]:port\" with a port 1-65535"));
    EXPECT_THAT(errors_of(with_cluster("[cluster]\nnode = \"a\"\netcd = [\"https://e:2379\"]\n"
                                       "etcd_cert = \"/c.pem\"\n")),
                ElementsAre("15:8: error: https:// etcd endpoints need \"etcd_ca\", the CA file "
                            "that signed the etcd members' certificates",
                            "16:13: error: \"etcd_cert\" and \"etcd_key\" go together (the client "
                            "certificate and its private key)"));
}

TEST(Cluster, EachRuleWithItsPosition) {
    const std::string head = "[cluster]\nnode = \"a\"\netcd = [\"https://e:2379\"]\n";  // 13-15
    EXPECT_THAT(errors_of(with_cluster(head + "etcd_ca = \"relative.pem\"\n")),
                ElementsAre("16:11: error: \"etcd_ca\" must be an absolute path, got "
                            "\"relative.pem\""));
    EXPECT_THAT(errors_of(with_cluster(head + "etcd_ca = \"/ca.pem\"\netcd_key = \"/k.pem\"\n")),
                ElementsAre("17:12: error: \"etcd_cert\" and \"etcd_key\" go together (the client "
                            "certificate and its private key)"));
    EXPECT_THAT(errors_of(with_cluster(head + "etcd_ca = \"/ca.pem\"\nprefix = \"vpngw\"\n")),
                ElementsAre("17:10: error: \"prefix\" \"vpngw\" must start and end with '/' and "
                            "be made of A-Z a-z 0-9 / - _ . (at most 128 bytes, no \"//\"), e.g. "
                            "\"/vpngw/\""));
    EXPECT_THAT(
        errors_of(with_cluster(head + "etcd_ca = \"/ca.pem\"\n"
                                      "vrrp = { uplink = \"lan\", address = \"203.0.113.10\", "
                                      "router_id = 0 }\n")),
        ElementsAre("17:19: error: no [[uplink]] named \"lan\" for the virtual address",
                    "17:36: error: invalid interface address \"203.0.113.10\": expected "
                    "\"address/length\" such as \"10.8.0.1/24\"",
                    "17:64: error: \"router_id\" must be between 1 and 255, got 0"));
    EXPECT_THAT(errors_of(with_cluster(head + "etcd_ca = \"/ca.pem\"\n"
                                              "sync = { device = \"eth 2\", address = "
                                              "\"10.99.0.1\", peer = \"fd00::2\" }\n")),
                testing::Contains(testing::HasSubstr("[cluster.sync] needs [cluster.vrrp]")));
    EXPECT_THAT(errors_of(with_cluster("[cluster]\nnode = \"a\"\netcd = [\"http://e:2379\"]\n"
                                       "etcd_ca = \"/ca.pem\"\n")),
                ElementsAre("16:11: error: \"etcd_ca\" needs https:// etcd endpoints (these are "
                            "http://)"));
}

// keepalived's routing table while MASTER (fleet/ha_config.cpp): an uplink
// that claims it explicitly is refused at its `table` key, only when the
// profile has [cluster.vrrp] (no keepalived, no clash).
TEST(Cluster, KeepalivedTableIsReservedWithVrrp) {
    const std::string uplink_51999 = kUplink + "table = 51999\n";  // 13
    const std::string vrrp =
        "[cluster]\nnode = \"a\"\netcd = [\"http://127.0.0.1:2379\"]\n"                  // 14-16
        "vrrp = { uplink = \"wan\", address = \"203.0.113.10/24\", router_id = 51 }\n";  // 17
    EXPECT_THAT(errors_of(base_profile() + uplink_51999 + vrrp),
                ElementsAre("13:9: error: routing table 51999 is reserved: keepalived uses it "
                            "(with rule priority 6000) to send WireGuard's packets from the "
                            "virtual address of [cluster.vrrp]; choose another table"));
    // Another table, or no [cluster.vrrp]: accepted.
    EXPECT_THAT(errors_of(base_profile() + kUplink + "table = 51998\n" + vrrp), IsEmpty());
    EXPECT_THAT(errors_of(base_profile() + uplink_51999 +
                          "[cluster]\nnode = \"a\"\netcd = [\"http://127.0.0.1:2379\"]\n"),
                IsEmpty());
    EXPECT_THAT(errors_of(base_profile() + uplink_51999), IsEmpty());
}

// The allocator counts up from 51001: the thousandth uplink without an
// explicit table skips keepalived's and gets the next one.
TEST(Cluster, AllocatedTablesSkipKeepalivedsTable) {
    model::Profile p;
    p.uplinks.resize(1000);
    allocate_uplink_ids(p);
    EXPECT_EQ(p.uplinks[997].table, 51998u);
    EXPECT_EQ(p.uplinks[998].table, 52000u);
    EXPECT_EQ(p.uplinks[999].table, 52001u);
    for (const auto& u : p.uplinks) EXPECT_NE(u.table, model::kVrrpSourceTable);
}

TEST(Cluster, PlainHttpToAnotherHostIsWarnedAbout) {
    EXPECT_THAT(
        warnings_of(with_cluster("[cluster]\nnode = \"a\"\netcd = [\"http://10.9.0.1:2379\"]\n")),
        ElementsAre("15:9: warning: etcd endpoint \"http://10.9.0.1:2379\" is plain "
                    "HTTP: the registry travels unencrypted and unauthenticated; use "
                    "https:// with etcd_ca, etcd_cert and etcd_key"));
    EXPECT_THAT(
        warnings_of(with_cluster("[cluster]\nnode = \"a\"\netcd = [\"http://127.0.0.1:2379\"]\n")),
        IsEmpty());
}

}  // namespace
}  // namespace vpngw::profile
