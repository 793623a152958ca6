// The etcd registry against a real etcd member, started by etcd_registry.sh
// (TLS with a client certificate, loopback of a private network namespace):
// the Registry promises of registry.hpp, concurrent adds, hostile records and
// unreachable or untrusted members. The member's URL and certificate files
// come from the environment; without them every test fails (never skipped).

#include "fleet/etcd_registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdlib>
#include <set>
#include <thread>

#include "fleet/etcd_http.hpp"
#include "fleet/etcd_layout.hpp"

namespace vpngw::fleet {
namespace {

using registry::Actor;
using registry::Addresses;
using registry::Allocator;
using registry::PeerRecord;
using testing::HasSubstr;

std::string env(const char* name) {
    const char* v = std::getenv(name);
    if (!v) throw std::runtime_error(std::string("set ") + name + " (see etcd_registry.sh)");
    return v;
}

model::EtcdSettings settings() {
    model::EtcdSettings s;
    model::EtcdEndpoint e;
    e.tls = true;
    e.address = *Endpoint::parse(env("FLEET_ETCD"));
    s.endpoints.push_back(e);
    s.ca_file = env("FLEET_CA");
    s.cert_file = env("FLEET_CERT");
    s.key_file = env("FLEET_KEY");
    return s;
}

std::string test_prefix() {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    return std::string("/t/") + info->name() + "/";
}

std::unique_ptr<registry::Registry> open(const std::string& prefix) {
    auto s = settings();
    s.prefix = prefix;
    return open_etcd_registry(s);
}

PeerRecord peer(const std::string& name, const std::string& group = "staff") {
    PeerRecord p;
    p.name = name;
    p.group = group;
    randombytes_buf(p.public_key.bytes.data(), p.public_key.bytes.size());
    p.created = std::chrono::sys_seconds{std::chrono::seconds{1714564800}};
    return p;
}

// The lowest free 10.8.1.x (x from 2), as the gateway's allocator picks.
const Allocator kLowestFree = [](const std::vector<IpAddress>& stored) -> Result<Addresses> {
    std::set<std::string> taken;
    for (const auto& a : stored) taken.insert(a.str());
    for (int i = 2; i < 255; ++i) {
        const std::string a = "10.8.1." + std::to_string(i);
        if (!taken.count(a)) return Addresses{IpAddress::parse(a), std::nullopt};
    }
    return Error{"10.8.1.0/24 is full"};
};

const Actor kActor{"tester", "peer add"};

TEST(EtcdRegistry, AddFindListRemoveAndAudit) {
    auto reg = open(test_prefix());
    auto alice = peer("alice");
    alice.quota_bytes = 1000;
    alice.quota_period = "day";
    auto added = reg->add(alice, &kLowestFree, kActor);
    ASSERT_TRUE(added) << added.error().message;
    EXPECT_EQ(added->address->str(), "10.8.1.2");
    auto bob = reg->add(peer("bob"), &kLowestFree, kActor);
    ASSERT_TRUE(bob) << bob.error().message;
    EXPECT_EQ(bob->address->str(), "10.8.1.3");

    auto found = reg->find("alice");
    ASSERT_TRUE(found);
    ASSERT_TRUE(*found);
    EXPECT_EQ(**found, *added);
    auto none = reg->find("carol");
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);

    auto list = reg->list();
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].name, "alice");  // in the order they were added
    EXPECT_EQ((*list)[1].name, "bob");

    ASSERT_TRUE(reg->remove("alice", Actor{"tester", "peer remove"}));
    auto after = reg->list();
    ASSERT_TRUE(after);
    ASSERT_EQ(after->size(), 1u);
    // alice's address is free again.
    auto carol = reg->add(peer("carol"), &kLowestFree, kActor);
    ASSERT_TRUE(carol);
    EXPECT_EQ(carol->address->str(), "10.8.1.2");

    auto audit = reg->audit();
    ASSERT_TRUE(audit);
    ASSERT_EQ(audit->size(), 4u);
    EXPECT_EQ((*audit)[0].peer, "alice");
    EXPECT_EQ((*audit)[0].command, "peer add");
    EXPECT_THAT((*audit)[0].fields, HasSubstr("address=10.8.1.2"));
    EXPECT_THAT((*audit)[0].fields, HasSubstr("quota=1KB/day"));
    EXPECT_EQ((*audit)[2].command, "peer remove");
    EXPECT_EQ((*audit)[3].peer, "carol");
}

TEST(EtcdRegistry, TakenNameKeyOrAddressChangesNothing) {
    auto reg = open(test_prefix());
    auto alice = peer("alice");
    alice.address = IpAddress::parse("10.8.1.9");
    ASSERT_TRUE(reg->add(alice, nullptr, kActor));

    auto same_name = reg->add(peer("alice"), &kLowestFree, kActor);
    ASSERT_FALSE(same_name);
    EXPECT_THAT(same_name.error().message,
                testing::StartsWith("name: a peer named \"alice\" already exists (group staff)"));

    auto same_key = peer("bob");
    same_key.public_key = alice.public_key;
    auto r = reg->add(same_key, &kLowestFree, kActor);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "public_key: the public key of \"bob\" already belongs to peer \"alice\"");

    auto same_address = peer("carol");
    same_address.address = IpAddress::parse("10.8.1.9");
    r = reg->add(same_address, nullptr, kActor);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "address: 10.8.1.9 of \"carol\" already belongs to peer \"alice\"");

    auto missing = reg->remove("dave", kActor);
    ASSERT_FALSE(missing);
    EXPECT_THAT(missing.error().message, testing::StartsWith("no peer named \"dave\""));

    auto list = reg->list();
    ASSERT_TRUE(list);
    EXPECT_EQ(list->size(), 1u);
    auto audit = reg->audit();
    ASSERT_TRUE(audit);
    EXPECT_EQ(audit->size(), 1u);
}

// Separate clients (separate connections) adding at once, as separate
// gateways do: every address handed out once.
TEST(EtcdRegistry, ConcurrentAddsNeverShareAnAddress) {
    const std::string prefix = test_prefix();
    constexpr int kClients = 8, kEach = 10;
    std::vector<std::thread> threads;
    std::vector<std::string> errors(kClients);
    for (int c = 0; c < kClients; ++c)
        threads.emplace_back([&, c] {
            auto reg = open(prefix);
            for (int i = 0; i < kEach; ++i) {
                auto r = reg->add(peer("p" + std::to_string(c) + "-" + std::to_string(i)),
                                  &kLowestFree, kActor);
                if (!r) errors[c] = r.error().message;
            }
        });
    for (auto& t : threads) t.join();
    for (const auto& e : errors) EXPECT_EQ(e, "");
    auto list = open(prefix)->list();
    ASSERT_TRUE(list);
    std::set<std::string> addresses;
    for (const auto& p : *list) addresses.insert(p.address->str());
    EXPECT_EQ(list->size(), std::size_t{kClients * kEach});
    EXPECT_EQ(addresses.size(), std::size_t{kClients * kEach});
}

TEST(EtcdRegistry, UpdateRenamesRekeysAndReallocates) {
    auto reg = open(test_prefix());
    auto alice = reg->add(peer("alice"), &kLowestFree, kActor);
    ASSERT_TRUE(alice);
    ASSERT_TRUE(reg->add(peer("bob"), &kLowestFree, kActor));  // 10.8.1.3
    const auto new_key = peer("x").public_key;
    auto changed = reg->update(
        "alice",
        [&](PeerRecord& p) {
            p.name = "alice2";
            p.public_key = new_key;
            p.disabled = true;
            return ok_status();
        },
        nullptr, Actor{"tester", "peer edit"});
    ASSERT_TRUE(changed) << changed.error().message;
    EXPECT_EQ(changed->before.name, "alice");
    EXPECT_EQ(changed->after.name, "alice2");
    auto gone = reg->find("alice");
    ASSERT_TRUE(gone);
    EXPECT_FALSE(*gone);
    // The old key and name are free again, the new ones taken, the address kept.
    auto reuse = peer("alice");
    reuse.public_key = alice->public_key;
    auto again = reg->add(reuse, &kLowestFree, kActor);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->address->str(), "10.8.1.4");
    auto stolen = peer("carol");
    stolen.public_key = new_key;
    EXPECT_FALSE(reg->add(stolen, &kLowestFree, kActor));

    // Reallocation: bob's own address does not count as taken.
    auto moved = reg->update(
        "bob", [](PeerRecord&) { return ok_status(); }, &kLowestFree, kActor);
    ASSERT_TRUE(moved) << moved.error().message;
    EXPECT_EQ(moved->after.address->str(), "10.8.1.3");

    auto edits = reg->audit({.peer = "alice2"});
    ASSERT_TRUE(edits);
    ASSERT_EQ(edits->size(), 1u);
    EXPECT_THAT((*edits)[0].fields, HasSubstr("was=alice"));
    EXPECT_EQ((*edits)[0].command, "peer edit");

    auto failing = reg->update(
        "bob", [](PeerRecord&) { return Status(Error{"nope"}); }, nullptr, kActor);
    ASSERT_FALSE(failing);
    EXPECT_EQ(failing.error().message, "nope");
}

TEST(EtcdRegistry, UnsettledMarksUntilSettled) {
    auto reg = open(test_prefix());
    ASSERT_TRUE(reg->add(peer("alice"), &kLowestFree, kActor));
    ASSERT_TRUE(reg->add(peer("bob"), &kLowestFree, kActor));
    ASSERT_TRUE(reg->remove("alice", kActor));
    auto marks = reg->unsettled();
    ASSERT_TRUE(marks) << marks.error().message;
    ASSERT_EQ(marks->size(), 3u);
    EXPECT_EQ((*marks)[0].peer, "alice");
    EXPECT_FALSE((*marks)[0].before);  // a new peer
    EXPECT_EQ((*marks)[2].peer, "alice");
    ASSERT_TRUE((*marks)[2].before);  // the removed record
    EXPECT_EQ((*marks)[2].before->name, "alice");
    ASSERT_TRUE(reg->settle("alice"));
    marks = reg->unsettled();
    ASSERT_TRUE(marks);
    ASSERT_EQ(marks->size(), 1u);
    EXPECT_EQ((*marks)[0].peer, "bob");
}

TEST(EtcdRegistry, AddAllIsAllOrNothing) {
    auto reg = open(test_prefix());
    auto taken = peer("taken");
    taken.address = IpAddress::parse("10.8.1.50");
    ASSERT_TRUE(reg->add(taken, nullptr, kActor));
    std::vector<PeerRecord> batch;
    for (int i = 0; i < 5; ++i) {
        auto p = peer("imp" + std::to_string(i));
        p.address = IpAddress::parse("10.8.1." + std::to_string(60 + i));
        batch.push_back(p);
    }
    ASSERT_TRUE(reg->add_all(batch, "from backup.toml", kActor));
    auto list = reg->list();
    ASSERT_TRUE(list);
    EXPECT_EQ(list->size(), 6u);

    std::vector<PeerRecord> clash{peer("new1"), peer("new2")};
    clash[0].address = IpAddress::parse("10.8.1.70");
    clash[1].address = IpAddress::parse("10.8.1.50");  // taken's
    auto r = reg->add_all(clash, "from other.toml", kActor);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message,
                HasSubstr("10.8.1.50 of \"new2\" already belongs to peer \"taken\""));
    auto after = reg->list();
    ASSERT_TRUE(after);
    EXPECT_EQ(after->size(), 6u);  // new1 was not added either
    auto audit = reg->audit();
    ASSERT_TRUE(audit);
    EXPECT_EQ(audit->back().fields, "from backup.toml: 5 peers");
}

TEST(EtcdRegistry, PrefixesAreSeparateRegistries) {
    auto a = open(test_prefix() + "a/");
    auto b = open(test_prefix() + "b/");
    ASSERT_TRUE(a->add(peer("alice"), &kLowestFree, kActor));
    auto in_b = b->list();
    ASSERT_TRUE(in_b);
    EXPECT_TRUE(in_b->empty());
    auto bob = b->add(peer("alice"), &kLowestFree, kActor);  // same name, other registry
    ASSERT_TRUE(bob) << bob.error().message;
    EXPECT_EQ(bob->address->str(), "10.8.1.2");
}

TEST(EtcdRegistry, AHostileRecordIsRefusedNamingItsKey) {
    const std::string prefix = test_prefix();
    EtcdKv raw(http_transport(settings()));
    ASSERT_TRUE(raw.txn({}, {{TxnOp::Kind::put, prefix + "peers/evil", R"({"name":"evil"})"}}));
    auto list = open(prefix)->list();
    ASSERT_FALSE(list);
    EXPECT_THAT(list.error().message, HasSubstr(prefix + "peers/evil"));
    EXPECT_THAT(list.error().message, HasSubstr("\"group\" is missing"));
}

TEST(EtcdRegistry, UnreachableMemberIsAClearError) {
    auto s = settings();
    s.endpoints[0].address.port = 1;  // nothing listens there
    s.prefix = test_prefix();
    auto r = open_etcd_registry(s)->list();
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("cannot reach any etcd member (https://"));
}

TEST(EtcdRegistry, ServerCertificateFromAnotherCaIsRefused) {
    auto s = settings();
    s.ca_file = env("FLEET_OTHER_CA");
    s.prefix = test_prefix();
    auto r = open_etcd_registry(s)->list();
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("cannot reach any etcd member"));
}

TEST(EtcdRegistry, WithoutAClientCertificateEtcdRefuses) {
    auto s = settings();
    s.cert_file.clear();
    s.key_file.clear();
    s.prefix = test_prefix();
    auto r = open_etcd_registry(s)->list();
    ASSERT_FALSE(r);
}

}  // namespace
}  // namespace vpngw::fleet

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    if (sodium_init() < 0) return 1;
    return RUN_ALL_TESTS();
}
