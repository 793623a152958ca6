// The clients' endpoint records in etcd (fleet/etcd_endpoints.hpp) and the
// takeover's plan (gateway/cluster_endpoints.hpp), without a server: the
// record's JSON, hostile records refused with their key named (and, read in
// a range, left out and counted), the change-only publishing rule, batching
// within etcd's operations-per-transaction limit, and which peers a new
// master speaks to first.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "escape/escape.hpp"
#include "fleet/etcd_endpoints.hpp"
#include "gateway/cluster_endpoints.hpp"

namespace vpngw::fleet {
namespace {

using nlohmann::json;
using testing::HasSubstr;

PublicKey key(std::uint8_t seed) {
    PublicKey k;
    for (std::size_t i = 0; i < k.bytes.size(); ++i)
        k.bytes[i] = static_cast<std::uint8_t>(seed + i);
    return k;
}

Endpoint ep(const std::string& text) {
    return *Endpoint::parse(text);
}

const std::string kPrefix = "/vpngw/";

TEST(EndpointRecord, RoundTrips) {
    const EndpointRecord r{ep("198.51.100.10:40123"), "gw-a"};
    const auto text = encode_endpoint(r);
    EXPECT_EQ(json::parse(text),
              json::parse(R"({"endpoint":"198.51.100.10:40123","node":"gw-a"})"));
    auto back = decode_endpoint("k", text);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, r);
    const EndpointRecord v6{ep("[2001:db8::7]:51000"), "gw-b"};
    auto back6 = decode_endpoint("k", encode_endpoint(v6));
    ASSERT_TRUE(back6) << back6.error().message;
    EXPECT_EQ(*back6, v6);
}

TEST(EndpointRecord, KeyIsThePublicKeyUnderThePrefix) {
    const auto k = endpoint_key(kPrefix, key(3));
    EXPECT_EQ(k, "/vpngw/endpoints/" + key(3).base64());
    auto peer = endpoint_key_peer(kPrefix, k);
    ASSERT_TRUE(peer);
    EXPECT_EQ(*peer, key(3));
    auto wrong = endpoint_key_peer(kPrefix, "/vpngw/endpoints/not-a-key");
    ASSERT_FALSE(wrong);
    EXPECT_THAT(wrong.error().message, HasSubstr("/vpngw/endpoints/not-a-key"));
}

TEST(EndpointRecord, HostileRecordsAreRefusedNamingTheKey) {
    const std::string k = "/vpngw/endpoints/KEY";
    const char* hostile[] = {
        "",                                                    // not JSON
        "[1,2]",                                               // not an object
        R"({"node":"gw-a"})",                                  // no endpoint
        R"({"endpoint":42,"node":"gw-a"})",                    // wrong type
        R"({"endpoint":"vpn.example.com:51820","node":"a"})",  // a name, not an address
        R"({"endpoint":"198.51.100.10","node":"gw-a"})",       // no port
        R"({"endpoint":"198.51.100.10:0","node":"gw-a"})",     // port 0
        R"({"endpoint":"198.51.100.10:99999","node":"a"})",    // port out of range
        R"({"endpoint":"198.51.100.10:1","node":7})",          // node of the wrong type
        R"({"endpoint":"198.51.100.10:1","node":""})",         // empty node
        R"({"endpoint":"198.51.100.10:1"})",                   // no node
        R"({"endpoint":"198.51.100.10:1","node":"a","x":1})",  // unknown field
    };
    for (const char* text : hostile) {
        auto r = decode_endpoint(k, text);
        ASSERT_FALSE(r) << text;
        EXPECT_THAT(r.error().message, HasSubstr(k)) << text;
    }
}

// A transport answering every range with one canned body.
class CannedTransport : public Transport {
  public:
    explicit CannedTransport(std::string body) : body_(std::move(body)) {}
    Result<std::string> post(std::string_view path, const std::string&) override {
        paths.emplace_back(path);
        return body_;
    }
    std::vector<std::string> paths;

  private:
    std::string body_;
};

json kv(const std::string& key, const std::string& value) {
    return {{"key", escape::base64(key)},
            {"value", escape::base64(value)},
            {"create_revision", "2"},
            {"mod_revision", "3"}};
}

TEST(EndpointRecord, ReadingLeavesHostileRecordsOutAndCountsThem) {
    const json answer = {
        {"header", {{"revision", "9"}}},
        {"kvs",
         json::array(
             {kv(endpoint_key(kPrefix, key(1)), encode_endpoint({ep("192.0.2.1:5"), "a"})),
              kv(endpoint_key(kPrefix, key(2)), R"({"endpoint":"evil.example:1","node":"a"})"),
              kv("/vpngw/endpoints/garbage", encode_endpoint({ep("192.0.2.3:5"), "a"})),
              kv(endpoint_key(kPrefix, key(4)), R"({"endpoint":1})")})},
        {"count", "4"}};
    EtcdKv etcd(std::make_unique<CannedTransport>(answer.dump()));
    auto r = read_endpoints(etcd, kPrefix);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->revision, 9);
    ASSERT_EQ(r->records.size(), 1u);
    EXPECT_EQ(r->records.at(key(1)).endpoint.str(), "192.0.2.1:5");
    ASSERT_EQ(r->refused.size(), 3u);
    EXPECT_THAT(r->refused[0].message, HasSubstr(endpoint_key(kPrefix, key(2))));
    EXPECT_THAT(r->refused[1].message, HasSubstr("/vpngw/endpoints/garbage"));
    EXPECT_THAT(r->refused[2].message, HasSubstr(endpoint_key(kPrefix, key(4))));
}

TEST(EndpointPublisher, WritesOnlyWhatChanged) {
    EndpointPublisher pub("gw-a");
    std::map<PublicKey, Endpoint> seen{{key(1), ep("192.0.2.1:1000")},
                                       {key(2), ep("192.0.2.2:2000")}};
    auto first = pub.changes(seen);
    ASSERT_EQ(first.size(), 2u);
    pub.committed(first);
    // Clients that stay where they are: nothing to write.
    EXPECT_TRUE(pub.changes(seen).empty());
    // One client roams: one put, with this member as the node.
    seen[key(2)] = ep("192.0.2.2:2001");
    auto roamed = pub.changes(seen);
    ASSERT_EQ(roamed.size(), 1u);
    EXPECT_EQ(roamed[0].peer, key(2));
    ASSERT_TRUE(roamed[0].record);
    EXPECT_EQ(roamed[0].record->endpoint.str(), "192.0.2.2:2001");
    EXPECT_EQ(roamed[0].record->node, "gw-a");
    pub.committed(roamed);
    EXPECT_TRUE(pub.changes(seen).empty());
    // A peer gone from the device: its record is removed.
    seen.erase(key(1));
    auto gone = pub.changes(seen);
    ASSERT_EQ(gone.size(), 1u);
    EXPECT_EQ(gone[0].peer, key(1));
    EXPECT_FALSE(gone[0].record);
    pub.committed(gone);
    EXPECT_TRUE(pub.changes(seen).empty());
}

TEST(EndpointPublisher, TakesOverAnotherMembersRecordsAndLeavesTheRestAlone) {
    EndpointPublisher pub("gw-b");
    pub.reset({{key(1), {ep("192.0.2.1:1000"), "gw-a"}},    // gw-a's client, now seen here
               {key(2), {ep("192.0.2.2:2000"), "gw-a"}},    // gw-a's, not seen here: gw-a's
               {key(3), {ep("192.0.2.3:3000"), "gw-b"}}});  // ours, unchanged
    auto c = pub.changes({{key(1), ep("192.0.2.1:1000")}, {key(3), ep("192.0.2.3:3000")}});
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].peer, key(1));
    ASSERT_TRUE(c[0].record);
    EXPECT_EQ(c[0].record->node, "gw-b");  // the serving member changed
}

TEST(EndpointPublisher, FiftyThousandSteadyClientsWriteNothing) {
    EndpointPublisher pub("gw-a");
    std::map<PublicKey, Endpoint> seen;
    for (std::uint32_t i = 0; i < 50000; ++i) {
        PublicKey k;
        for (int b = 0; b < 4; ++b)
            k.bytes[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(i >> (8 * b));
        seen.emplace(k, Endpoint{IpAddress::v4(0xC6336400u + (i >> 8)).str(),
                                 static_cast<std::uint16_t>(1024 + (i & 0xff))});
    }
    auto all = pub.changes(seen);
    ASSERT_EQ(all.size(), 50000u);
    auto split = batches(all);
    ASSERT_EQ(split.size(), (50000u + 127) / 128);
    for (const auto& b : split) EXPECT_LE(b.size(), 128u);
    for (const auto& b : split) pub.committed(b);
    EXPECT_TRUE(pub.changes(seen).empty());
}

TEST(EndpointPublisher, TxnOpsPutAndRemoveTheRecordKeys) {
    std::vector<EndpointChange> c{{key(1), EndpointRecord{ep("192.0.2.1:9"), "gw-a"}},
                                  {key(2), std::nullopt}};
    auto ops = txn_ops(kPrefix, c);
    ASSERT_EQ(ops.size(), 2u);
    EXPECT_EQ(ops[0].kind, TxnOp::Kind::put);
    EXPECT_EQ(ops[0].key, endpoint_key(kPrefix, key(1)));
    EXPECT_EQ(ops[0].value, encode_endpoint(*c[0].record));
    EXPECT_EQ(ops[1].kind, TxnOp::Kind::remove);
    EXPECT_EQ(ops[1].key, endpoint_key(kPrefix, key(2)));
    EXPECT_EQ(batches(c, 1).size(), 2u);
    EXPECT_TRUE(batches({}).empty());
}

TEST(Takeover, KicksPeersAnotherMemberServedAndRestoresTheirKeepalive) {
    wg::ObservedDevice dev;
    auto peer = [](PublicKey k, std::uint16_t keepalive, std::optional<Endpoint> e) {
        wg::ObservedPeer p;
        p.public_key = k;
        p.keepalive = keepalive;
        p.endpoint = std::move(e);
        p.allowed_ips = {*Prefix::parse("10.8.4.10/32")};
        return p;
    };
    dev.peers = {peer(key(1), 0, std::nullopt),          // gw-a's client: kick
                 peer(key(2), 25, std::nullopt),         // gw-a's, keepalive 25: off, kick, 25
                 peer(key(3), 0, ep("192.0.2.3:3000")),  // ours and known: leave
                 peer(key(4), 0, std::nullopt)};         // never published: leave
    EndpointMap published{{key(1), {ep("192.0.2.1:1000"), "gw-a"}},
                          {key(2), {ep("192.0.2.2:2000"), "gw-a"}},
                          {key(3), {ep("192.0.2.3:3000"), "gw-b"}},
                          {key(9), {ep("192.0.2.9:9000"), "gw-a"}}};  // not on this device
    auto plan = gateway::plan_takeover(dev, published, "gw-b");
    ASSERT_EQ(plan.kick.size(), 2u);
    EXPECT_EQ(plan.kick[0].public_key, key(1));
    EXPECT_EQ(plan.kick[0].endpoint->str(), "192.0.2.1:1000");
    EXPECT_EQ(plan.kick[0].keepalive, std::optional<std::uint16_t>(1));
    EXPECT_EQ(plan.kick[1].public_key, key(2));
    for (const auto& p : plan.kick) {
        EXPECT_FALSE(p.replace_allowed_ips);  // the peer's addresses stay
        EXPECT_TRUE(p.allowed_ips.empty());
        EXPECT_FALSE(p.preshared_key);
    }
    ASSERT_EQ(plan.off.size(), 1u);  // only where the keepalive was on
    EXPECT_EQ(plan.off[0].public_key, key(2));
    EXPECT_EQ(plan.off[0].keepalive, std::optional<std::uint16_t>(0));
    ASSERT_EQ(plan.restore.size(), 2u);
    EXPECT_EQ(plan.restore[0].keepalive, std::optional<std::uint16_t>(0));
    EXPECT_EQ(plan.restore[1].keepalive, std::optional<std::uint16_t>(25));
    EXPECT_FALSE(plan.restore[1].endpoint);
    EXPECT_FALSE(plan.restore[1].replace_allowed_ips);
}

TEST(Takeover, SeenEndpointsAreTheNumericOnes) {
    wg::ObservedDevice dev;
    wg::ObservedPeer a;
    a.public_key = key(1);
    a.endpoint = ep("192.0.2.1:1");
    wg::ObservedPeer b;
    b.public_key = key(2);
    dev.peers = {a, b};
    auto seen = gateway::seen_endpoints(dev);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen.at(key(1)).str(), "192.0.2.1:1");
}

}  // namespace
}  // namespace vpngw::fleet
