// The etcd registry's encodings without a server: the JSON of v3 gateway
// requests and answers (base64 keys, int64 as strings, defaults left out),
// peer and audit records, and refusal of anything malformed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fleet/etcd_kv.hpp"
#include "fleet/etcd_layout.hpp"
#include "fleet/etcd_watch.hpp"

namespace vpngw::fleet {
namespace {

using nlohmann::json;
using testing::HasSubstr;

registry::PeerRecord full_peer() {
    registry::PeerRecord p;
    p.name = "alice";
    p.group = "staff";
    for (std::size_t i = 0; i < p.public_key.bytes.size(); ++i)
        p.public_key.bytes[i] = static_cast<std::uint8_t>(i * 9 + 1);
    p.address = IpAddress::parse("10.8.1.2");
    p.address6 = IpAddress::parse("fd08::1:2");
    p.has_psk = true;
    p.created = std::chrono::sys_seconds{std::chrono::seconds{1714564800}};
    p.disabled = true;
    p.expires = std::chrono::sys_seconds{std::chrono::seconds{1800000000}};
    p.quota_bytes = 5'000'000'000ULL;
    p.quota_period = "month";
    p.rate_bits = 20'000'000;
    p.networks = {*Prefix::parse("192.168.50.0/24"), *Prefix::parse("fd50::/64")};
    p.node = "gw-b";
    p.sealed_psk = "c2VhbGVk";  // opaque here; psk_seal_test.cpp opens real ones
    return p;
}

TEST(EtcdCodec, PrefixEndIncrementsTheLastByte) {
    EXPECT_EQ(prefix_end("/vpngw/peers/"), "/vpngw/peers0");
    EXPECT_EQ(prefix_end(std::string("a\xff", 2)), "b");
    EXPECT_EQ(prefix_end(std::string("\xff", 1)), std::string(1, '\0'));
}

TEST(EtcdCodec, RangeRequestIsBase64WithSortAndRevision) {
    auto j = json::parse(encode_range({"/vpngw/peers/", "/vpngw/peers0", true, 42}));
    EXPECT_EQ(j["key"], "L3Zwbmd3L3BlZXJzLw==");
    EXPECT_EQ(j["range_end"], "L3Zwbmd3L3BlZXJzMA==");
    EXPECT_EQ(j["sort_target"], "CREATE");
    EXPECT_EQ(j["sort_order"], "ASCEND");
    EXPECT_EQ(j["revision"], "42");
    auto single = json::parse(encode_range({"k", std::nullopt, false, 0}));
    EXPECT_EQ(single, json({{"key", "aw=="}}));
    // Readers of a partitioned gateway: the member's own copy, no leader.
    auto local = json::parse(encode_range({"k", std::nullopt, false, 0, true}));
    EXPECT_EQ(local["serializable"], true);
}

TEST(EtcdCodec, TxnGuardsAndOperations) {
    auto j =
        json::parse(encode_txn({{"a", Compare::Target::create, 0}, {"b", Compare::Target::mod, 7}},
                               {{TxnOp::Kind::put, "a", "v"}, {TxnOp::Kind::remove, "b", ""}}));
    EXPECT_EQ(j["compare"][0], json({{"key", "YQ=="},
                                     {"result", "EQUAL"},
                                     {"target", "CREATE"},
                                     {"create_revision", "0"}}));
    EXPECT_EQ(
        j["compare"][1],
        json({{"key", "Yg=="}, {"result", "EQUAL"}, {"target", "MOD"}, {"mod_revision", "7"}}));
    EXPECT_EQ(j["success"][0], json({{"request_put", {{"key", "YQ=="}, {"value", "dg=="}}}}));
    EXPECT_EQ(j["success"][1], json({{"request_delete_range", {{"key", "Yg=="}}}}));
}

TEST(EtcdCodec, RangeAnswerAsTheGatewayWritesIt) {
    // As etcd 3.4 answers: int64 as strings, "count" and "kvs" left out when empty.
    auto r = decode_range(
        R"({"header":{"cluster_id":"1","member_id":"2","revision":"12","raft_term":"3"},)"
        R"("kvs":[{"key":"Zm9v","create_revision":"5","mod_revision":"11","version":"2",)"
        R"("value":"YmFy"}],"count":"1"})");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->revision, 12);
    ASSERT_EQ(r->kvs.size(), 1u);
    EXPECT_EQ(r->kvs[0].key, "foo");
    EXPECT_EQ(r->kvs[0].value, "bar");
    EXPECT_EQ(r->kvs[0].create_revision, 5);
    EXPECT_EQ(r->kvs[0].mod_revision, 11);

    auto empty = decode_range(R"({"header":{"revision":"3"}})");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->kvs.empty());
}

TEST(EtcdCodec, TxnAnswerSucceededIsLeftOutWhenFalse) {
    auto yes = decode_txn(R"({"header":{"revision":"9"},"succeeded":true,"responses":[]})");
    ASSERT_TRUE(yes);
    EXPECT_TRUE(yes->succeeded);
    EXPECT_EQ(yes->revision, 9);
    auto no = decode_txn(R"({"header":{"revision":"9"}})");
    ASSERT_TRUE(no);
    EXPECT_FALSE(no->succeeded);
}

TEST(EtcdCodec, MalformedAnswersAreRefused) {
    for (const char* text :
         {"", "[]", "{}", R"({"header":{"revision":"x"}})",
          R"({"header":{"revision":"1"},"kvs":{}})",
          R"({"header":{"revision":"1"},"kvs":[{"key":"%%%"}]})",
          R"({"header":{"revision":"1"},"kvs":[{"key":"YQ==","mod_revision":true}]})"}) {
        auto r = decode_range(text);
        EXPECT_FALSE(r) << text;
        if (!r) {
            EXPECT_THAT(r.error().message, HasSubstr("unexpected answer from etcd"));
        }
    }
    EXPECT_FALSE(decode_txn(R"({"header":{"revision":"1"},"succeeded":"yes"})"));
}

TEST(EtcdCodec, QuorumLossIsExplained) {
    EXPECT_THAT(
        describe_error_body(
            R"({"error":"etcdserver: request timed out","code":14,"message":"etcdserver: request timed out"})"),
        HasSubstr("has no quorum"));
    EXPECT_EQ(describe_error_body(R"({"code":3,"message":"etcdserver: key not found"})"),
              "etcd: etcdserver: key not found");
}

TEST(EtcdCodec, ElectionAnswersAreTransientTimeoutsAreNot) {
    EXPECT_TRUE(is_election_error(R"({"code":14,"message":"etcdserver: leader changed"})"));
    EXPECT_TRUE(is_election_error(R"({"error":"etcdserver: no leader"})"));
    EXPECT_FALSE(is_election_error(R"({"code":14,"message":"etcdserver: request timed out"})"));
    EXPECT_FALSE(is_election_error("not json"));
}

TEST(EtcdCodec, PeerRecordRoundTripsEveryField) {
    const auto p = full_peer();
    auto back = decode_peer("/vpngw/peers/alice", encode_peer(p));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, p);

    registry::PeerRecord minimal;
    minimal.name = "bob";
    minimal.group = "g";
    auto back2 = decode_peer("/vpngw/peers/bob", encode_peer(minimal));
    ASSERT_TRUE(back2) << back2.error().message;
    EXPECT_EQ(*back2, minimal);
}

TEST(EtcdCodec, HostilePeerRecordsAreRefusedNamingTheKey) {
    const std::string good = encode_peer(full_peer());
    auto with = [&](const char* field, json value) {
        json j = json::parse(good);
        if (value.is_null())
            j.erase(field);
        else
            j[field] = value;
        return j.dump();
    };
    const std::pair<std::string, std::string> cases[] = {
        {"not json", "not a JSON object"},
        {with("name", nullptr), "\"name\" is missing"},
        {with("group", 5), "\"group\" has the wrong type"},
        {with("public_key", "AAAA"), "not a WireGuard public key"},
        {with("address", "10.8.1.300"), "\"address\" is not an IP address"},
        {with("address", "fd08::2"), "\"address\" is not IPv4"},
        {with("address6", "10.8.1.2"), "\"address6\" is not IPv6"},
        {with("quota_bytes", -1), "\"quota_bytes\" has the wrong type"},
        {with("networks", json::array({"10.0.0.0/33"})), "is not a network"},
        {with("node", 7), "\"node\" has the wrong type"},
        {with("psk_sealed", 7), "\"psk_sealed\" has the wrong type"},
        {with("has_psk", false), "\"psk_sealed\" without \"has_psk\""},
        {with("name", "mallory"), "is not the key's"},
    };
    for (const auto& [text, why] : cases) {
        auto r = decode_peer("/vpngw/peers/alice", text);
        ASSERT_FALSE(r) << text;
        EXPECT_THAT(r.error().message, HasSubstr("/vpngw/peers/alice")) << text;
        EXPECT_THAT(r.error().message, HasSubstr(why)) << text;
    }
}

TEST(EtcdCodec, AuditEntryRoundTripsAndNeverCarriesAKey) {
    registry::AuditEntry a{std::chrono::sys_seconds{std::chrono::seconds{1714564801}}, "ops",
                           "peer add", "alice", registry::describe_fields(full_peer())};
    auto back = decode_audit("/vpngw/audit/1", encode_audit(a));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, a);
    EXPECT_THAT(encode_audit(a), testing::Not(HasSubstr(full_peer().public_key.base64())));
    EXPECT_FALSE(decode_audit("/vpngw/audit/1", R"({"user":1,"command":"x"})"));
}

TEST(EtcdCodec, LayoutKeepsEverythingUnderThePrefix) {
    Layout l{"/vpngw/site-a/"};
    EXPECT_EQ(l.peer("alice"), "/vpngw/site-a/peers/alice");
    EXPECT_EQ(l.address(*IpAddress::parse("10.8.1.2")), "/vpngw/site-a/addresses/10.8.1.2");
    EXPECT_EQ(l.key(full_peer().public_key),
              "/vpngw/site-a/keys/" + full_peer().public_key.base64());
    EXPECT_EQ(l.audit(), "/vpngw/site-a/audit/");
    // Each member's changes under way apart: no gateway settles another's.
    EXPECT_EQ((Layout{"/v/", "gw-a"}.unsettled()), "/v/unsettled/gw-a/");
    const Layout a{"/v/", "gw-a"};
    const Layout b{"/v/", "gw-b"};
    EXPECT_FALSE(a.unsettled().starts_with(b.unsettled()));
}

}  // namespace
}  // namespace vpngw::fleet

namespace vpngw::fleet {
namespace {

TEST(EtcdWatch, CreateRequestWatchesThePrefixFromARevision) {
    auto j = nlohmann::json::parse(encode_watch_create("/vpngw/", 17));
    EXPECT_EQ(j["create_request"]["key"], "L3Zwbmd3Lw==");
    EXPECT_EQ(j["create_request"]["range_end"], "L3Zwbmd3MA==");
    EXPECT_EQ(j["create_request"]["start_revision"], "17");
    EXPECT_EQ(j["create_request"]["progress_notify"], true);
    EXPECT_FALSE(nlohmann::json::parse(encode_watch_create("/v/", 0))["create_request"].contains(
        "start_revision"));
}

TEST(EtcdWatch, StreamSplitAnywhereGivesTheSameMessages) {
    const std::string stream =
        R"({"result":{"header":{"revision":"5"},"created":true}})"
        "\n"
        R"({"result":{"header":{"revision":"7"},"events":[{"kv":{"key":"YQ==","create_revision":"6","mod_revision":"7","value":"MQ=="}},)"
        R"({"type":"DELETE","kv":{"key":"Yg==","mod_revision":"7"}}]}})"
        "\n";
    for (std::size_t cut = 0; cut <= stream.size(); cut += 13) {
        WatchDecoder d;
        auto first = d.feed(std::string_view(stream).substr(0, cut));
        auto second = d.feed(std::string_view(stream).substr(cut));
        ASSERT_TRUE(first && second);
        std::vector<WatchMessage> all = *first;
        all.insert(all.end(), second->begin(), second->end());
        ASSERT_EQ(all.size(), 2u) << cut;
        EXPECT_TRUE(all[0].created);
        EXPECT_EQ(all[0].revision, 5);
        ASSERT_EQ(all[1].events.size(), 2u);
        EXPECT_FALSE(all[1].events[0].deleted);
        EXPECT_EQ(all[1].events[0].kv.key, "a");
        EXPECT_EQ(all[1].events[0].kv.value, "1");
        EXPECT_EQ(all[1].events[0].kv.mod_revision, 7);
        EXPECT_TRUE(all[1].events[1].deleted);
        EXPECT_EQ(all[1].events[1].kv.key, "b");
    }
}

TEST(EtcdWatch, CompactedStartRevisionIsReported) {
    auto m = decode_watch_message(
        R"({"result":{"header":{"revision":"90"},"canceled":true,"compact_revision":"40",)"
        R"("cancel_reason":"mvcc: required revision has been compacted"}})");
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_TRUE(m->canceled);
    EXPECT_EQ(m->compact_revision, 40);
}

TEST(EtcdWatch, MalformedMessagesAreRefused) {
    for (const char* text :
         {"{}", R"({"result":{}})", R"({"result":{"header":{"revision":"1"},"events":{}}})",
          R"({"result":{"header":{"revision":"1"},"events":[{"type":"TOUCH","kv":{}}]}})",
          R"({"result":{"header":{"revision":"1"},"events":[{"type":"PUT"}]}})"})
        EXPECT_FALSE(decode_watch_message(text)) << text;
    auto err =
        decode_watch_message(R"({"error":{"grpc_code":14,"message":"etcdserver: no leader"}})");
    ASSERT_FALSE(err);
    EXPECT_THAT(err.error().message, testing::HasSubstr("no quorum"));
}

}  // namespace
}  // namespace vpngw::fleet
